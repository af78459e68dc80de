/* Drop-in <errno.h> for MinGW: Linux's EWOULDBLOCK == EAGAIN (ipcx sets only EAGAIN), and
 * the errno names Linux has that MinGW lacks. */
#pragma GCC system_header
#include_next <errno.h>
#ifndef IPCX_COMPAT_ERRNO_H
#define IPCX_COMPAT_ERRNO_H
#undef EWOULDBLOCK
#define EWOULDBLOCK EAGAIN
#ifndef ESOCKTNOSUPPORT
# define ESOCKTNOSUPPORT 94
#endif
/* The other names Linux has that MinGW lacks: Linux's number where MinGW
 * leaves it free, else one above MinGW's (strerror: win32/strerror.c). */
#ifndef EPFNOSUPPORT
# define EPFNOSUPPORT 96
#endif
#ifndef ESHUTDOWN
# define ESHUTDOWN 150
#endif
#ifndef ETOOMANYREFS
# define ETOOMANYREFS 151
#endif
#ifndef EHOSTDOWN
# define EHOSTDOWN 152
#endif
#ifndef EDQUOT
# define EDQUOT 153
#endif
#ifndef ESTALE
# define ESTALE 154
#endif
#ifndef EUSERS
# define EUSERS 87
#endif
#ifndef EREMOTE
# define EREMOTE 66
#endif
#ifndef ENOTBLK
# define ENOTBLK 15
#endif
#endif
