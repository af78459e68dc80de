/*
 * Drop-in <poll.h> for MinGW, which has none: poll() on ipcx fds with
 * Linux's POLL* values (Winsock's WSAPoll uses others: when <winsock2.h>
 * came first they are replaced, struct pollfd is renamed to ipcx's).
 */
#pragma GCC system_header
#include <ipcx_compat.h>
#ifndef IPCX_COMPAT_POLL_H
#define IPCX_COMPAT_POLL_H
#undef POLLIN
#undef POLLPRI
#undef POLLOUT
#undef POLLERR
#undef POLLHUP
#undef POLLNVAL
#undef POLLRDNORM
#undef POLLRDBAND
#undef POLLWRNORM
#undef POLLWRBAND
#define POLLIN IPCX_POLLIN
#define POLLPRI IPCX_POLLPRI
#define POLLOUT IPCX_POLLOUT
#define POLLERR IPCX_POLLERR
#define POLLHUP IPCX_POLLHUP
#define POLLNVAL IPCX_POLLNVAL
#define POLLRDNORM IPCX_POLLRDNORM
#define POLLRDBAND IPCX_POLLRDBAND
#define POLLWRNORM IPCX_POLLWRNORM
#define POLLWRBAND IPCX_POLLWRBAND
#define POLLRDHUP IPCX_POLLRDHUP
typedef ipcx_nfds_t nfds_t;
#define pollfd ipcx_pollfd
#define poll ipcx_poll
#define ppoll ipcx_ppoll
#endif
