/*
 * sleep.c: nanosleep(), usleep() and sleep(), which a signal handler
 * interrupts (EINTR, never restarted: signal(7)).
 *
 * Each is one interruptible wait with no handles (wait.c) for the time
 * asked, rounded up to the millisecond, resumed until the time measured
 * with QueryPerformanceCounter has passed: a sleep never ends early unless
 * interrupted, and then says how much was left (nanosleep's rem, sleep's
 * return value).
 */
#include "internal.h"

#include <time.h>

/* Sleep ns nanoseconds; 0, or IPCX__WAIT_INTERRUPTED with *left_ns set. */
static DWORD sleep_ns(long long ns, long long *left_ns)
{
  LARGE_INTEGER freq, now;
  long long deadline, left = ns;

  QueryPerformanceFrequency(&freq);
  QueryPerformanceCounter(&now);
  deadline = now.QuadPart + (long long)((double)ns * (double)freq.QuadPart / 1e9) + 1;
  for (;;) {
    long long ms = (left + 999999) / 1000000;
    DWORD w = ipcx__wait(0, NULL, ms >= INFINITE ? INFINITE - 1 : (DWORD)ms, IPCX__WAIT_INTR);
    QueryPerformanceCounter(&now);
    left = (long long)((double)(deadline - now.QuadPart) * 1e9 / (double)freq.QuadPart);
    if (left < 0)
      left = 0;
    if (w == IPCX__WAIT_INTERRUPTED) {
      *left_ns = left;
      return w;
    }
    if (left == 0)
      return 0;
  }
}

int ipcx_nanosleep(const struct timespec *req, struct timespec *rem)
{
  long long left;

  if (req == NULL)
    return ipcx__fail(EFAULT);
  if (req->tv_nsec < 0 || req->tv_nsec > 999999999 || req->tv_sec < 0)
    return ipcx__fail(EINVAL);
  if (sleep_ns((long long)req->tv_sec * 1000000000 + req->tv_nsec, &left) == 0)
    return 0;
  if (rem != NULL) {
    rem->tv_sec = (time_t)(left / 1000000000);
    rem->tv_nsec = (long)(left % 1000000000);
  }
  return ipcx__fail(EINTR);
}

int ipcx_usleep(useconds_t us)
{
  long long left;

  if (sleep_ns((long long)us * 1000, &left) == 0)
    return 0;
  return ipcx__fail(EINTR);
}

unsigned ipcx_sleep(unsigned seconds)
{
  long long left;

  if (sleep_ns((long long)seconds * 1000000000, &left) == 0)
    return 0;
  return (unsigned)((left + 500000000) / 1000000000);   /* glibc rounds to nearest */
}
