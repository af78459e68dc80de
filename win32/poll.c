/*
 * poll.c: poll() and select() over every kind of ipcx fd.
 *
 * Not built yet (issue: readiness on Windows): both fail with ENOSYS, and
 * tests/test_gaps.c says so.
 */
#include "internal.h"

int ipcx_poll(struct ipcx_pollfd *fds, ipcx_nfds_t n, int timeout)
{ (void)fds, (void)n, (void)timeout; return ipcx__fail(ENOSYS); }
int ipcx_select(int n, ipcx_fd_set *r, ipcx_fd_set *w, ipcx_fd_set *e, struct timeval *tv)
{ (void)n, (void)r, (void)w, (void)e, (void)tv; return ipcx__fail(ENOSYS); }
