/*
 * select.c: select() on ipcx fds, as a front end to poll (poll.c).
 *
 * Winsock's select() takes only sockets and its fd_set is a list of 64
 * SOCKETs; ipcx_fd_set is a bitmap of 8192 fds (the CRT's fd numbers, which
 * ipcx fds are), so select() works on pipes, FIFOs, local sockets, Winsock
 * sockets and files alike.  The sets become a pollfd array with Linux's
 * correspondence: readable = POLLIN/POLLHUP/POLLERR, writable =
 * POLLOUT/POLLERR, exceptional = POLLPRI.  As on Linux: an fd in a set that
 * is not open is EBADF, a timeval is normalised (tv_usec may exceed a
 * second) and a negative one is EINVAL, the timeval is updated with the time
 * left, and bits at and above n are ignored.
 */
#include "internal.h"

#include <time.h>

#include <stdlib.h>

#define IN_SET (IPCX_POLLIN | IPCX_POLLHUP | IPCX_POLLERR)
#define OUT_SET (IPCX_POLLOUT | IPCX_POLLERR)
#define EX_SET IPCX_POLLPRI

static int isset(const ipcx_fd_set *s, int fd)
{
  return s != NULL && IPCX_FD_ISSET(fd, s);
}

int ipcx_select(int n, ipcx_fd_set *r, ipcx_fd_set *w, ipcx_fd_set *e, struct timeval *tv)
{
  struct ipcx_pollfd stackfds[64], *fds = stackfds;
  long long timeout = -1, usec = 0;
  LARGE_INTEGER freq, t0, t1;
  int fd, count = 0, i, ready, total;

  if (n < 0)
    return ipcx__fail(EINVAL);
  if (n > IPCX_FD_SETSIZE)
    n = IPCX_FD_SETSIZE;
  if (tv != NULL) {
    long long sec = (long long)tv->tv_sec + tv->tv_usec / 1000000;
    usec = tv->tv_usec % 1000000;
    if (sec < 0 || usec < 0)
      return ipcx__fail(EINVAL);
    usec += sec * 1000000;
    timeout = (usec + 999) / 1000;
    QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&t0);
  }
  for (fd = 0; fd < n; fd++)
    if (isset(r, fd) || isset(w, fd) || isset(e, fd)) {
      struct ipcx__file *f = ipcx__fd_get(fd);
      if (f == NULL)
        return -1;              /* EBADF, as Linux checks before it waits */
      ipcx__file_unref(f);
      count++;
    }
  if (count > 64 && (fds = malloc((size_t)count * sizeof *fds)) == NULL)
    return ipcx__fail(ENOMEM);
  for (fd = 0, i = 0; fd < n; fd++)
    if (isset(r, fd) || isset(w, fd) || isset(e, fd)) {
      fds[i].fd = fd;
      fds[i].events = (short)((isset(r, fd) ? IPCX_POLLIN : 0) | (isset(w, fd) ? IPCX_POLLOUT : 0) |
                              (isset(e, fd) ? IPCX_POLLPRI : 0));
      fds[i].revents = 0;
      i++;
    }
  ready = ipcx__poll_core(fds, (ipcx_nfds_t)count, timeout, 1);
  if (ready < 0) {
    if (fds != stackfds)
      free(fds);
    return -1;
  }
  total = 0;
  for (fd = 0; fd < n; fd++) {
    if (r != NULL)
      IPCX_FD_CLR(fd, r);
    if (w != NULL)
      IPCX_FD_CLR(fd, w);
    if (e != NULL)
      IPCX_FD_CLR(fd, e);
  }
  for (i = 0; i < count; i++) {
    short ev = fds[i].events, rev = fds[i].revents;
    if ((ev & IPCX_POLLIN) && (rev & IN_SET))
      IPCX_FD_SET(fds[i].fd, r), total++;
    if ((ev & IPCX_POLLOUT) && (rev & OUT_SET))
      IPCX_FD_SET(fds[i].fd, w), total++;
    if ((ev & IPCX_POLLPRI) && (rev & EX_SET))
      IPCX_FD_SET(fds[i].fd, e), total++;
  }
  if (fds != stackfds)
    free(fds);
  if (tv != NULL) {
    long long spent;
    QueryPerformanceCounter(&t1);
    spent = (t1.QuadPart - t0.QuadPart) / freq.QuadPart * 1000000 +
            (t1.QuadPart - t0.QuadPart) % freq.QuadPart * 1000000 / freq.QuadPart;
    usec = usec > spent ? usec - spent : 0;
    tv->tv_sec = (long)(usec / 1000000);
    tv->tv_usec = (long)(usec % 1000000);
  }
  return total;
}

/*
 * pselect(): select() with a timespec it does not change, and with mask
 * (when not NULL) as the thread's signal mask for the length of the call,
 * as ppoll (poll.c).  Linux: a tv_nsec outside 0..999999999 or a negative
 * time is EINVAL.
 */
int ipcx_pselect(int n, ipcx_fd_set *r, ipcx_fd_set *w, ipcx_fd_set *e, const struct timespec *ts,
                 const void *mask)
{
  struct timeval tv;
  ipcx_sigset_t saved;
  int k, err;

  if (ts != NULL) {
    if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L)
      return ipcx__fail(EINVAL);
    tv.tv_sec = (long)ts->tv_sec;
    tv.tv_usec = (long)((ts->tv_nsec + 999) / 1000);
  }
  if (mask != NULL && (k = ipcx__signal_mask_enter(mask, &saved)) != 0)
    return k < 0 ? -1 : ipcx__fail(EINTR);
  k = ipcx_select(n, r, w, e, ts != NULL ? &tv : NULL);
  if (mask != NULL) {
    err = errno;
    ipcx__signal_mask_leave(&saved);
    errno = err;
  }
  return k;
}
