/* Drop-in <netinet/tcp.h> for MinGW, which has none: TCP_NODELAY, Winsock's. */
#pragma GCC system_header
#include <netinet/in.h>
#ifndef IPCX_COMPAT_NETINET_TCP_H
#define IPCX_COMPAT_NETINET_TCP_H
#define TCP_NODELAY 0x0001
#endif
