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
/* As <stdlib.h> declares it (which would bring 400 macros to every header). */
#ifdef __cplusplus
extern "C"
#endif
__declspec(dllimport) int *__cdecl __p__fmode(void);

/*
 * _fmode binary in the program itself: win32/fd.c's constructor makes fds 0,
 * 1, 2 and _fmode binary at start-up, but with ipcx.dll it runs before the
 * program's own C runtime start-up, which then sets _fmode back from the
 * program's copy (measured: fopen(.., "w") wrote CR LF).  This runs after it.
 */
__attribute__((__constructor__, __used__)) static void ipcx__binary_fmode(void)
{
  *__p__fmode() = 0x8000;       /* _fmode = _O_BINARY */
}
#endif /* IPCX_COMPAT_H */
