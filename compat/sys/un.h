/*
 * Drop-in <sys/un.h> for MinGW, which has none: struct sockaddr_un as
 * <afunix.h> defines it (same layout as Linux's), under <afunix.h>'s guard.
 */
#pragma GCC system_header
#include <sys/socket.h>
#ifndef IPCX_COMPAT_SYS_UN_H
#define IPCX_COMPAT_SYS_UN_H
#ifndef _AFUNIX_
#define _AFUNIX_
#define UNIX_PATH_MAX 108
typedef struct sockaddr_un {
  unsigned short sun_family;
  char sun_path[UNIX_PATH_MAX];
} SOCKADDR_UN, *PSOCKADDR_UN;
#define SIO_AF_UNIX_GETPEERPID _WSAIOR(IOC_VENDOR, 256)
#endif
#endif
