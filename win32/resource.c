/*
 * resource.c: getrlimit()/setrlimit(), getdtablesize(), sysconf() and
 * getpagesize(): what a process may have, as Linux reports it.
 *
 * RLIMIT_NOFILE is the fd table of fd.c.  Its hard limit is msvcrt's, 2048
 * fds (IPCX__FD_MAX), which no call can raise; its soft limit starts there
 * and is fd.c's fd_limit: no new fd at or above it (EMFILE), F_DUPFD with a
 * minimum at or above it is EINVAL and dup2() to it EBADF, as on Linux.  A
 * server that raises its soft limit to the hard one at start-up works
 * unchanged; asking for more than the hard limit is EPERM (Linux, for an
 * unprivileged process), a soft limit above the hard one EINVAL.  Lowering
 * the hard limit is kept, and cannot be undone, as on Linux.
 *
 * The other resources have no Windows counterpart: getrlimit() reports
 * RLIM_INFINITY and setrlimit() accepts and ignores a valid request (a
 * program that turns core dumps off with RLIMIT_CORE = 0 runs on).
 */
#include "internal.h"

static volatile LONG hard_limit = IPCX__FD_MAX;

/* NULL asks for nothing (glibc passes it to prlimit(), which then stores nothing): 0. */
int ipcx_getrlimit(int resource, struct ipcx_rlimit *rl)
{
  if (resource < 0 || resource >= IPCX_RLIMIT_NLIMITS)
    return ipcx__fail(EINVAL);
  if (rl == NULL)
    return 0;
  if (resource == IPCX_RLIMIT_NOFILE) {
    rl->rlim_cur = (ipcx_rlim_t)ipcx__fd_limit();
    rl->rlim_max = (ipcx_rlim_t)hard_limit;
  } else {
    rl->rlim_cur = rl->rlim_max = IPCX_RLIM_INFINITY;
  }
  return 0;
}

int ipcx_setrlimit(int resource, const struct ipcx_rlimit *rl)
{
  if (resource < 0 || resource >= IPCX_RLIMIT_NLIMITS)
    return ipcx__fail(EINVAL);
  if (rl == NULL)
    return 0;
  if (rl->rlim_cur > rl->rlim_max)
    return ipcx__fail(EINVAL);
  if (resource != IPCX_RLIMIT_NOFILE)
    return 0;
  if (rl->rlim_max > (ipcx_rlim_t)hard_limit)
    return ipcx__fail(EPERM);
  InterlockedExchange(&hard_limit, (LONG)rl->rlim_max);
  ipcx__fd_set_limit((int)rl->rlim_cur);
  return 0;
}

int ipcx_getdtablesize(void)
{
  return ipcx__fd_limit();
}

int ipcx_getpagesize(void)
{
  SYSTEM_INFO si;

  GetSystemInfo(&si);
  return (int)si.dwPageSize;
}

long ipcx_sysconf(int name)
{
  SYSTEM_INFO si;

  switch (name) {
  case IPCX_SC_OPEN_MAX:
    return ipcx__fd_limit();
  case IPCX_SC_PAGESIZE:
    return ipcx_getpagesize();
  case IPCX_SC_NPROCESSORS_CONF:
  case IPCX_SC_NPROCESSORS_ONLN:
    GetSystemInfo(&si);
    return (long)si.dwNumberOfProcessors;
  case IPCX_SC_CLK_TCK:
    return 100;                 /* Linux's USER_HZ */
  case IPCX_SC_IOV_MAX:
    return 1024;                /* IOV_MAX (compat/limits.h), what writev() takes */
  case IPCX_SC_ARG_MAX:
    return 32767;               /* CreateProcess's command line, in characters */
  case IPCX_SC_CHILD_MAX:
    return -1;                  /* no limit (errno unchanged) */
  default:
    return ipcx__fail(EINVAL);
  }
}
