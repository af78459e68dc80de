/*
 * timer.c: alarm() and setitimer(ITIMER_REAL), which send SIGALRM.
 *
 * One timer-queue timer (the thread pool's: no thread of ours) fires at the
 * deadline and, for an interval timer, every interval after; its callback
 * queues SIGALRM (si_code SI_KERNEL, as Linux's itimer) through signal.c.
 * The deadline is kept in QueryPerformanceCounter ticks so getitimer() and
 * alarm() can say what is left.  ITIMER_VIRTUAL and ITIMER_PROF (CPU time)
 * are EINVAL: Windows has no CPU-time timers to hang them on.
 */
#include "internal.h"

#include <string.h>

static SRWLOCK lock = SRWLOCK_INIT;
static HANDLE timer;            /* the armed timer, or NULL */
static LONGLONG deadline;       /* QPC ticks of the next expiry */
static LONGLONG interval_us;

static LONGLONG ticks_per_s(void)
{
  LARGE_INTEGER f;

  QueryPerformanceFrequency(&f);
  return f.QuadPart;
}

static LONGLONG now_ticks(void)
{
  LARGE_INTEGER n;

  QueryPerformanceCounter(&n);
  return n.QuadPart;
}

static void CALLBACK fired(void *arg, BOOLEAN timed_out)
{
  ipcx_siginfo_t si;

  (void)arg, (void)timed_out;
  AcquireSRWLockExclusive(&lock);
  if (interval_us > 0)
    deadline = now_ticks() + interval_us * ticks_per_s() / 1000000;
  else
    deadline = 0;
  ReleaseSRWLockExclusive(&lock);
  memset(&si, 0, sizeof si);
  si.si_signo = SIGALRM;
  si.si_code = SI_KERNEL;
  ipcx__signal_post(&si);
}

/* What is left of the current timer (lock held). */
static void current(struct ipcx_itimerval *v)
{
  LONGLONG left = 0;

  if (timer != NULL && deadline != 0) {
    left = (deadline - now_ticks()) * 1000000 / ticks_per_s();
    if (left <= 0)
      left = 1;                 /* due: Linux too says "almost" rather than 0 */
  }
  v->it_value.tv_sec = (long)(left / 1000000);
  v->it_value.tv_usec = (long)(left % 1000000);
  v->it_interval.tv_sec = (long)(interval_us / 1000000);
  v->it_interval.tv_usec = (long)(interval_us % 1000000);
}

static LONGLONG us_of(const struct timeval *tv)
{
  return (LONGLONG)tv->tv_sec * 1000000 + tv->tv_usec;
}

int ipcx_setitimer(int which, const struct ipcx_itimerval *v, struct ipcx_itimerval *old)
{
  HANDLE gone;
  LONGLONG value;
  int r = 0;

  if (which != ITIMER_REAL)
    return ipcx__fail(EINVAL);
  if (v == NULL)
    return ipcx__fail(EFAULT);
  if (v->it_value.tv_sec < 0 || v->it_value.tv_usec < 0 || v->it_value.tv_usec > 999999 ||
      v->it_interval.tv_sec < 0 || v->it_interval.tv_usec < 0 || v->it_interval.tv_usec > 999999)
    return ipcx__fail(EINVAL);
  /* SIGALRM must reach this process's handler: switch signals on. */
  if (!ipcx__signal_active()) {
    ipcx_sigset_t none;
    if (ipcx_sigprocmask(SIG_BLOCK, NULL, &none) < 0)
      return -1;
  }
  value = us_of(&v->it_value);
  AcquireSRWLockExclusive(&lock);
  if (old != NULL)
    current(old);
  gone = timer;
  timer = NULL;
  deadline = 0;
  interval_us = us_of(&v->it_interval);
  ReleaseSRWLockExclusive(&lock);
  if (gone != NULL)
    DeleteTimerQueueTimer(NULL, gone, INVALID_HANDLE_VALUE);   /* waits for a running callback */
  if (value == 0)
    return 0;
  AcquireSRWLockExclusive(&lock);
  deadline = now_ticks() + value * ticks_per_s() / 1000000;
  if (!CreateTimerQueueTimer(&timer, NULL, fired, NULL, (DWORD)((value + 999) / 1000),
                             (DWORD)((interval_us + 999) / 1000), WT_EXECUTEDEFAULT)) {
    timer = NULL;
    deadline = 0;
    r = ipcx__fail_win32(GetLastError());
  }
  ReleaseSRWLockExclusive(&lock);
  return r;
}

int ipcx_getitimer(int which, struct ipcx_itimerval *v)
{
  if (which != ITIMER_REAL)
    return ipcx__fail(EINVAL);
  if (v == NULL)
    return ipcx__fail(EFAULT);
  AcquireSRWLockExclusive(&lock);
  current(v);
  ReleaseSRWLockExclusive(&lock);
  return 0;
}

unsigned ipcx_alarm(unsigned seconds)
{
  struct ipcx_itimerval v, old;

  memset(&v, 0, sizeof v);
  v.it_value.tv_sec = (long)seconds;
  if (ipcx_setitimer(ITIMER_REAL, &v, &old) < 0)
    return 0;
  /* Linux rounds the time left to the nearest second, and never to 0. */
  if (old.it_value.tv_sec == 0 && old.it_value.tv_usec == 0)
    return 0;
  return (unsigned)(old.it_value.tv_sec + (old.it_value.tv_usec >= 500000)) ?
         (unsigned)(old.it_value.tv_sec + (old.it_value.tv_usec >= 500000)) : 1;
}
