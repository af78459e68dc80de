/* Drop-in <errno.h> for MinGW: Linux's EWOULDBLOCK == EAGAIN (ipcx sets only EAGAIN). */
#pragma GCC system_header
#include_next <errno.h>
#ifndef IPCX_COMPAT_ERRNO_H
#define IPCX_COMPAT_ERRNO_H
#undef EWOULDBLOCK
#define EWOULDBLOCK EAGAIN
#ifndef ESOCKTNOSUPPORT
# define ESOCKTNOSUPPORT 94
#endif
#endif
