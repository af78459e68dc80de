/*
 * ipcx_compat.h: what every drop-in header of compat/ shares (Windows only).
 *
 * compat/ is put first on the include path of a Unix program built with
 * MinGW (`pkg-config --cflags ipcx` does it).  Each drop-in header declares
 * what its POSIX namesake declares, and little else:
 *   1. it includes the MinGW header of the same name when there is one
 *      (#include_next), and every MinGW header that declares one of the
 *      names it renames, so that no later #include redeclares a renamed name;
 *   2. it includes this file, which brings ipcx.h (the ipcx_* declarations
 *      and the POSIX types MinGW lacks);
 *   3. it renames its POSIX names to ipcx_*, one `#define name ipcx_name`
 *      a line (stat/fstat/mkdir as function-like macros), and the clashing
 *      Winsock types and constants (struct pollfd, fd_set, POLL*, FD_*) to
 *      ipcx's.
 * No drop-in header includes <windows.h> or <winsock2.h>.  The socket types
 * have Winsock's layout: sys/socket.h takes struct sockaddr, sockaddr_in and
 * in_addr from MinGW's own small psdk_inc/_ip_types.h, which <winsock2.h>
 * includes under the same guard.  A program that includes <windows.h>,
 * <winsock2.h> or <ws2tcpip.h> itself, before or after ours, gets them
 * through the wrappers of the same name here (ipcx_winsock.h says how).
 * `#pragma GCC system_header` keeps -pedantic quiet about #include_next.
 * On Unix compat/ is never on the include path.
 */
#pragma GCC system_header
#ifndef IPCX_COMPAT_H
#define IPCX_COMPAT_H
#include <ipcx.h>
#endif /* IPCX_COMPAT_H */
