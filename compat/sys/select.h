/*
 * Drop-in <sys/select.h> for MinGW, which has none: select() on ipcx fds,
 * with an fd_set sized for CRT fd numbers (ipcx_fd_set; Winsock's fd_set is
 * a list of SOCKETs).  struct timeval is MinGW's (<_timeval.h>, Winsock's).
 */
#pragma GCC system_header
#include <ipcx_compat.h>
#ifndef IPCX_COMPAT_SYS_SELECT_H
#define IPCX_COMPAT_SYS_SELECT_H
#include <_timeval.h>
#undef FD_SETSIZE               /* Winsock's, when <winsock2.h> came first */
#undef FD_ZERO
#undef FD_SET
#undef FD_CLR
#undef FD_ISSET
#define FD_SETSIZE IPCX_FD_SETSIZE
#define FD_ZERO IPCX_FD_ZERO
#define FD_SET IPCX_FD_SET
#define FD_CLR IPCX_FD_CLR
#define FD_ISSET IPCX_FD_ISSET
#define fd_set ipcx_fd_set
#define select ipcx_select
#define pselect ipcx_pselect
#endif
