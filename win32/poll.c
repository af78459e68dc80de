/*
 * poll.c: poll() and select() over every kind of ipcx fd.
 *
 * Win32 has no readiness call for pipes: a pipe handle is always signalled
 * and cannot be waited on.  So each kind answers "what is ready now?" itself
 * (the `.poll` op of struct ipcx__ops, internal.h) and, when nothing is, arms
 * up to two wait handles that fire when the answer may have changed: for a
 * pipe, the event of a zero-byte overlapped ReadFile it keeps pending in the
 * file description (completes, consuming nothing, when data arrives or the
 * peer goes) and the event of a pending nonblocking write.  poll() is then a
 * loop: scan every fd, and if nothing is ready wait on all the armed handles
 * at once, then scan again.  Regular files and other CRT fds (no `.poll`) are
 * always ready, as on Unix.
 *
 *   Scale.  WaitForMultipleObjects takes 64 handles.  The calling thread
 *   waits on its wake event, its interrupt event (signals: EINTR) and the
 *   first 62 handles; each further 62 go to
 *   a helper thread from a small pool, which waits on them plus the caller's
 *   cancel event and sets the caller's wake event when one fires.  The
 *   caller then sets its cancel event and waits until every helper has
 *   stopped (a shared count; the last one sets the caller's idle event)
 *   before it drops its references (so no helper ever waits on a closed
 *   handle).  Cost of a blocking call past 62 handles: about 3 wineserver
 *   requests per helper (go, its wait, its next wait for go) plus 4.
 *   Helpers are kept for later calls and exit after 2 s unused: an event
 *   loop polling many fds keeps them, a program that did so once gets its
 *   threads and handles back (a handle count settles, as the tests check).
 *   (An IOCP would not do: a handle joins one port for life, and
 *   io.c waits on events.)  1024 pipe fds = 16 helpers.
 *
 *   No busy-waiting: every wait is on handles.  The one exception is a kind
 *   that cannot arm a handle (a pipe adopted from elsewhere that was opened
 *   for synchronous I/O, e.g. an inherited stdin): it is re-checked every
 *   10 ms.
 *
 *   close() from another thread.  Linux keeps the file alive inside poll()
 *   and the poll sleeps on.  Here a pipe's pending zero-byte read would not
 *   fire either, so ipcx_close() calls ipcx__poll_fd_closed(), which sets the
 *   wake event of every thread polling that fd: it scans again and reports
 *   POLLNVAL at once (select() instead ignores the fd, as Linux does).
 *
 *   Timeouts are measured with QueryPerformanceCounter and the wait is
 *   resumed until the full time has passed, so poll() never returns early.
 *   (Real Windows rounds waits up to its timer tick, 15.6 ms by default;
 *   Wine's waits are accurate to about a millisecond.)
 *
 *   Every fd is looked up again on each scan, with a reference held until
 *   after the following wait: a closed fd is POLLNVAL, a file in use never
 *   goes away under a wait.
 */
#include "internal.h"

#include <stdlib.h>
#include <time.h>
#include <string.h>

#define MAX_FDS IPCX__FD_MAX
#define POLL_MAX 1048576   /* Linux: EINVAL past RLIMIT_NOFILE, at most nr_open (2^20) */
#define BATCH (MAXIMUM_WAIT_OBJECTS - 2)   /* handles per wait besides our own and the interrupt event */
#define TICK_MS 10                         /* re-check of kinds with no handle */
#define HELPER_IDLE_MS 2000

#define IN_SET (IPCX_POLLIN | IPCX_POLLRDNORM | IPCX_POLLRDBAND | IPCX_POLLHUP | IPCX_POLLERR)
#define OUT_SET (IPCX_POLLOUT | IPCX_POLLWRNORM | IPCX_POLLWRBAND | IPCX_POLLERR)
#define EX_SET IPCX_POLLPRI

/* --- per-thread events ---------------------------------------------------- */

struct tstate {
  HANDLE wake;                  /* helpers and close() set it; manual-reset */
  HANDLE cancel;                /* tells this thread's helpers to stop; manual-reset */
  HANDLE idle;                  /* the last helper of a call has stopped; auto-reset */
};

static DWORD fls_index = FLS_OUT_OF_INDEXES;
static INIT_ONCE fls_once = INIT_ONCE_STATIC_INIT;

static void WINAPI free_tstate(void *p)
{
  struct tstate *ts = p;

  if (ts == NULL)
    return;
  CloseHandle(ts->wake);
  CloseHandle(ts->cancel);
  CloseHandle(ts->idle);
  free(ts);
}

static BOOL CALLBACK alloc_fls(INIT_ONCE *once, void *arg, void **ctx)
{
  (void)once, (void)arg, (void)ctx;
  fls_index = FlsAlloc(free_tstate);
  return fls_index != FLS_OUT_OF_INDEXES;
}

static struct tstate *thread_state(void)
{
  struct tstate *ts;

  if (!InitOnceExecuteOnce(&fls_once, alloc_fls, NULL, NULL))
    return NULL;
  ts = FlsGetValue(fls_index);
  if (ts != NULL)
    return ts;
  ts = calloc(1, sizeof *ts);
  if (ts == NULL)
    return NULL;
  ts->wake = CreateEventW(NULL, TRUE, FALSE, NULL);
  ts->cancel = CreateEventW(NULL, TRUE, FALSE, NULL);
  ts->idle = CreateEventW(NULL, FALSE, FALSE, NULL);
  if (ts->wake == NULL || ts->cancel == NULL || ts->idle == NULL || !FlsSetValue(fls_index, ts)) {
    if (ts->wake != NULL)
      CloseHandle(ts->wake);
    if (ts->cancel != NULL)
      CloseHandle(ts->cancel);
    if (ts->idle != NULL)
      CloseHandle(ts->idle);
    free(ts);
    return NULL;
  }
  return ts;
}

/* --- threads waiting in poll(), for close() -------------------------------- */

struct waiter {
  struct waiter *next, *prev;
  const struct ipcx_pollfd *fds;
  ipcx_nfds_t n;
  HANDLE wake;
  DWORD tid;
  volatile LONG kicked;
};

static SRWLOCK waiters_lock = SRWLOCK_INIT;
static struct waiter *waiters;
static volatile LONG nwaiters;

static void waiter_add(struct waiter *w)
{
  AcquireSRWLockExclusive(&waiters_lock);
  w->prev = NULL;
  w->next = waiters;
  if (waiters != NULL)
    waiters->prev = w;
  waiters = w;
  InterlockedIncrement(&nwaiters);
  ReleaseSRWLockExclusive(&waiters_lock);
}

static void waiter_remove(struct waiter *w)
{
  AcquireSRWLockExclusive(&waiters_lock);
  if (w->prev != NULL)
    w->prev->next = w->next;
  else
    waiters = w->next;
  if (w->next != NULL)
    w->next->prev = w->prev;
  InterlockedDecrement(&nwaiters);
  ReleaseSRWLockExclusive(&waiters_lock);
}

int ipcx__poll_thread_waiting(DWORD tid)
{
  struct waiter *w;
  int found = 0;

  if (InterlockedCompareExchange(&nwaiters, 0, 0) == 0)
    return 0;
  AcquireSRWLockShared(&waiters_lock);
  for (w = waiters; w != NULL && !found; w = w->next)
    found = w->tid == tid;
  ReleaseSRWLockShared(&waiters_lock);
  return found;
}

void ipcx__poll_fd_closed(int fd)
{
  struct waiter *w;
  ipcx_nfds_t i;

  if (InterlockedCompareExchange(&nwaiters, 0, 0) == 0)
    return;
  AcquireSRWLockShared(&waiters_lock);
  for (w = waiters; w != NULL; w = w->next)
    for (i = 0; i < w->n; i++)
      if (w->fds[i].fd == fd) {
        InterlockedExchange(&w->kicked, 1);
        SetEvent(w->wake);
        break;
      }
  ReleaseSRWLockShared(&waiters_lock);
}

/* --- helper threads: waits past 64 handles --------------------------------- */

struct helper {
  struct helper *next;          /* in the free pool */
  HANDLE go;                    /* auto-reset: a job is posted */
  HANDLE done;                  /* the caller's wake event */
  HANDLE idle;                  /* the caller's idle event, set by the last helper to stop */
  volatile LONG *busy;          /* the caller's count of helpers still waiting */
  DWORD n;                      /* h[0] is the caller's cancel event */
  HANDLE h[MAXIMUM_WAIT_OBJECTS];
};

static SRWLOCK pool_lock = SRWLOCK_INIT;
static struct helper *pool;

/* Take hp out of the free pool if it is there (it is retiring). */
static int retire(struct helper *hp)
{
  struct helper **pp;
  int found = 0;

  AcquireSRWLockExclusive(&pool_lock);
  for (pp = &pool; *pp != NULL; pp = &(*pp)->next)
    if (*pp == hp) {
      *pp = hp->next;
      found = 1;
      break;
    }
  ReleaseSRWLockExclusive(&pool_lock);
  return found;
}

static DWORD WINAPI helper_main(void *arg)
{
  struct helper *hp = arg;
  DWORD r;

  for (;;) {
    if (ipcx__wait1(hp->go, HELPER_IDLE_MS, 0) == WAIT_TIMEOUT) {
      if (retire(hp))
        break;
      continue;                 /* taken just now: its job is being posted */
    }
    HANDLE idle = hp->idle;
    r = ipcx__wait(hp->n, hp->h, INFINITE, 0);
    if (r != WAIT_OBJECT_0)
      SetEvent(hp->done);
    if (InterlockedDecrement(hp->busy) == 0)
      SetEvent(idle);           /* the caller may now return: touch nothing of its */
  }
  CloseHandle(hp->go);
  free(hp);
  return 0;
}

static struct helper *helper_get(void)
{
  struct helper *hp;
  HANDLE t;

  AcquireSRWLockExclusive(&pool_lock);
  hp = pool;
  if (hp != NULL)
    pool = hp->next;
  ReleaseSRWLockExclusive(&pool_lock);
  if (hp != NULL)
    return hp;
  hp = calloc(1, sizeof *hp);
  if (hp == NULL)
    return NULL;
  hp->go = CreateEventW(NULL, FALSE, FALSE, NULL);
  t = hp->go ? CreateThread(NULL, 64 * 1024, helper_main, hp, STACK_SIZE_PARAM_IS_A_RESERVATION,
                            NULL) : NULL;
  if (t == NULL) {
    if (hp->go != NULL)
      CloseHandle(hp->go);
    free(hp);
    return NULL;
  }
  CloseHandle(t);
  return hp;
}

static void helper_put(struct helper *hp)
{
  AcquireSRWLockExclusive(&pool_lock);
  hp->next = pool;
  pool = hp;
  ReleaseSRWLockExclusive(&pool_lock);
}

/*
 * Wait until one of hs[0..nh-1] or ts->wake is signalled, or ms pass.
 * Returns 0, or -1 with errno.  Leaves ts->wake possibly set (the caller
 * resets it before it scans again).
 */
static int wait_any(struct tstate *ts, const HANDLE *hs, int nh, DWORD ms, int *woken)
{
  HANDLE mine[MAXIMUM_WAIT_OBJECTS];
  struct helper *stack_helpers[16], **helpers = stack_helpers;
  int nmine = nh < BATCH ? nh : BATCH, nhelp = 0, i, k, err = 0;
  volatile LONG busy = 1;       /* one extra until every job is posted */
  DWORD r;

  mine[0] = ts->wake;
  memcpy(mine + 1, hs, (size_t)nmine * sizeof *hs);
  *woken = 0;
  if (nh > BATCH) {
    int need = (nh - BATCH + BATCH - 1) / BATCH;
    if (need > 16 && (helpers = malloc((size_t)need * sizeof *helpers)) == NULL)
      return ipcx__fail(ENOMEM);
    ResetEvent(ts->cancel);
    for (k = BATCH; k < nh; k += BATCH) {
      struct helper *hp = helper_get();
      int m = nh - k < BATCH ? nh - k : BATCH;
      if (hp == NULL) {
        err = ENOMEM;
        break;
      }
      hp->done = ts->wake;
      hp->idle = ts->idle;
      hp->busy = &busy;
      InterlockedIncrement(&busy);
      hp->h[0] = ts->cancel;
      memcpy(hp->h + 1, hs + k, (size_t)m * sizeof *hs);
      hp->n = (DWORD)m + 1;
      helpers[nhelp++] = hp;
      SetEvent(hp->go);
    }
  }
  r = err ? WAIT_OBJECT_0 : ipcx__wait((DWORD)nmine + 1, mine, ms, IPCX__WAIT_INTR);
  if (r == WAIT_FAILED)
    err = ipcx__errno_from_win32(GetLastError());
  else if (r == IPCX__WAIT_INTERRUPTED)
    err = EINTR;                /* poll() and select() are never restarted (signal(7)) */
  if (nhelp > 0) {
    SetEvent(ts->cancel);
    if (InterlockedDecrement(&busy) != 0)
      ipcx__wait1(ts->idle, INFINITE, 0);
    for (i = 0; i < nhelp; i++)
      helper_put(helpers[i]);
    *woken = 1;                 /* a helper may have set ts->wake */
  }
  if (helpers != stack_helpers)
    free(helpers);
  if (r == WAIT_OBJECT_0)
    *woken = 1;
  return err ? ipcx__fail(err) : 0;
}

/* --- the scan -------------------------------------------------------------- */

struct call {
  struct ipcx_pollfd *fds;
  ipcx_nfds_t n;
  int select_mode;              /* count by select()'s sets; a closed fd is not ready */
  struct ipcx__file **files;    /* references held from a scan until after its wait */
  HANDLE *hs;                   /* armed handles, without duplicates */
  int nh;
  HANDLE *seen;                 /* hash set of hs, 2 * capacity slots */
  size_t seen_size;
  int tick;                     /* something could arm no handle */
};

static void add_handle(struct call *c, HANDLE h)
{
  size_t i = ((uintptr_t)h >> 2) * 2654435761u % c->seen_size;

  while (c->seen[i] != NULL) {
    if (c->seen[i] == h)
      return;
    i = (i + 1) % c->seen_size;
  }
  c->seen[i] = h;
  c->hs[c->nh++] = h;
}

static void release_files(struct call *c)
{
  ipcx_nfds_t i;

  for (i = 0; i < c->n; i++)
    if (c->files[i] != NULL) {
      ipcx__file_unref(c->files[i]);
      c->files[i] = NULL;
    }
}

static int counts(const struct call *c, const struct ipcx_pollfd *p)
{
  if (!c->select_mode)
    return p->revents != 0;
  return ((p->events & IPCX_POLLIN) && (p->revents & IN_SET)) ||
         ((p->events & IPCX_POLLOUT) && (p->revents & OUT_SET)) ||
         ((p->events & IPCX_POLLPRI) && (p->revents & EX_SET));
}

/* One pass over every fd: set revents, arm waits.  Returns how many are ready. */
static int scan(struct call *c)
{
  int ready = 0;
  ipcx_nfds_t i;

  release_files(c);
  c->nh = 0;
  c->tick = 0;
  memset(c->seen, 0, c->seen_size * sizeof *c->seen);
  for (i = 0; i < c->n; i++) {
    struct ipcx_pollfd *p = &c->fds[i];
    short ev = p->events, want, got;
    struct ipcx__file *f;
    HANDLE w[2];
    int nw = 0, k, e = errno;

    p->revents = 0;
    if (p->fd < 0)
      continue;                 /* ignored, as POSIX says */
    f = p->fd < MAX_FDS ? ipcx__fd_get(p->fd) : NULL;
    errno = e;
    if (f == NULL) {
      p->revents = IPCX_POLLNVAL;
      ready += !c->select_mode;
      continue;
    }
    c->files[i] = f;
    want = (short)(ev | ((ev & IPCX_POLLRDNORM) ? IPCX_POLLIN : 0) |
                   ((ev & IPCX_POLLWRNORM) ? IPCX_POLLOUT : 0));
    if (f->ops->poll == NULL) {
      got = (short)(want & (IPCX_POLLIN | IPCX_POLLOUT));  /* regular files: always ready */
    } else {
      got = f->ops->poll(f, want, w, &nw);
      if (got == 0) {
        for (k = 0; k < nw; k++)
          add_handle(c, w[k]);
        c->tick |= nw == 0;
      }
    }
    p->revents = (short)(got & (ev | IPCX_POLLHUP | IPCX_POLLERR | IPCX_POLLNVAL));
    if ((got & IPCX_POLLIN) && (ev & IPCX_POLLRDNORM))
      p->revents |= IPCX_POLLRDNORM;
    if ((got & IPCX_POLLOUT) && (ev & IPCX_POLLWRNORM))
      p->revents |= IPCX_POLLWRNORM;
    ready += counts(c, p);
  }
  return ready;
}

/* Milliseconds left until deadline (QPC ticks), rounded up; 0 when past. */
static DWORD ms_left(LONGLONG deadline, LONGLONG freq)
{
  LARGE_INTEGER now;
  LONGLONG d;

  QueryPerformanceCounter(&now);
  d = deadline - now.QuadPart;
  if (d <= 0)
    return 0;
  d = d / freq * 1000 + ((d % freq) * 1000 + freq - 1) / freq;
  return d >= (LONGLONG)INFINITE ? INFINITE - 1 : (DWORD)d;
}

/* poll() and select() both end here.  timeout_ms < 0: no limit. */
int ipcx__poll_core(struct ipcx_pollfd *fds, ipcx_nfds_t n, long long timeout_ms, int select_mode)
{
  struct ipcx__file *stack_files[64];
  HANDLE stack_hs[128], stack_seen[256];
  struct call c;
  struct waiter w;
  struct tstate *ts = NULL;
  LARGE_INTEGER freq, start;
  LONGLONG deadline = 0;
  int ready, registered = 0, woken = 0, err = 0;
  DWORD ms;

  memset(&c, 0, sizeof c);
  c.fds = fds;
  c.n = n;
  c.select_mode = select_mode;
  c.seen_size = 256;
  if (n <= 64) {
    c.files = stack_files;
    c.hs = stack_hs;
    c.seen = stack_seen;
  } else {
    c.seen_size = (size_t)n * 4 + 1;
    c.files = malloc((size_t)n * sizeof *c.files);
    c.hs = malloc((size_t)n * 2 * sizeof *c.hs);
    c.seen = malloc(c.seen_size * sizeof *c.seen);
    if (c.files == NULL || c.hs == NULL || c.seen == NULL) {
      free(c.files);
      free(c.hs);
      free(c.seen);
      return ipcx__fail(ENOMEM);
    }
  }
  memset(c.files, 0, (size_t)n * sizeof *c.files);
  if (timeout_ms > 0) {
    QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&start);
    deadline = start.QuadPart + timeout_ms * freq.QuadPart / 1000 +
               (timeout_ms * freq.QuadPart % 1000 != 0);
  }
  for (;;) {
    ready = scan(&c);
    if (ready > 0 || timeout_ms == 0)
      break;
    ms = timeout_ms < 0 ? INFINITE : ms_left(deadline, freq.QuadPart);
    if (ms == 0)
      break;
    if (c.tick && ms > TICK_MS)
      ms = TICK_MS;
    if (ts == NULL && (ts = thread_state()) == NULL) {
      err = ENOMEM;
      break;
    }
    if (!registered) {
      w.fds = fds;
      w.n = n;
      w.wake = ts->wake;
      w.tid = GetCurrentThreadId();
      w.kicked = 0;
      waiter_add(&w);
      registered = 1;
    }
    if (wait_any(ts, c.hs, c.nh, ms, &woken) < 0) {
      err = errno;
      break;
    }
    if (woken)
      ResetEvent(ts->wake);     /* before the scan: a later close() sets it again */
  }
  if (registered) {
    waiter_remove(&w);
    if (w.kicked)
      ResetEvent(ts->wake);
  }
  release_files(&c);
  if (c.files != stack_files) {
    free(c.files);
    free(c.hs);
    free(c.seen);
  }
  return err ? ipcx__fail(err) : ready;
}

int ipcx_poll(struct ipcx_pollfd *fds, ipcx_nfds_t n, int timeout)
{
  if (n > POLL_MAX)
    return ipcx__fail(EINVAL);
  if (fds == NULL && n > 0)
    return ipcx__fail(EFAULT);
  return ipcx__poll_core(fds, n, timeout < 0 ? -1 : timeout, 0);
}

/*
 * ppoll(): poll() with a timespec, and with mask (when not NULL) as the
 * thread's signal mask for the length of the call (signal.c: a signal that
 * mask unblocks, pending before the call or arriving during it, makes it
 * return EINTR after its handler ran).  Linux: a tv_nsec outside
 * 0..999999999 or a negative time is EINVAL; the wait is rounded up to
 * whole milliseconds.
 */
int ipcx_ppoll(struct ipcx_pollfd *fds, ipcx_nfds_t n, const struct timespec *ts, const void *mask)
{
  long long ms = -1;
  ipcx_sigset_t saved;
  int r, e;

  if (ts != NULL) {
    if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L)
      return ipcx__fail(EINVAL);
    ms = (long long)ts->tv_sec * 1000 + (ts->tv_nsec + 999999) / 1000000;
  }
  if (n > POLL_MAX)
    return ipcx__fail(EINVAL);
  if (fds == NULL && n > 0)
    return ipcx__fail(EFAULT);
  if (mask != NULL && (r = ipcx__signal_mask_enter(mask, &saved)) != 0)
    return r < 0 ? -1 : ipcx__fail(EINTR);
  r = ipcx__poll_core(fds, n, ms, 0);
  if (mask != NULL) {
    e = errno;
    ipcx__signal_mask_leave(&saved);
    errno = e;
  }
  return r;
}
