/*
 * ipcx_winsock.h: the names compat/ defines that Winsock and <windows.h>
 * define too.  The wrappers windows.h, winsock.h, winsock2.h, ws2ipdef.h and
 * ws2tcpip.h of compat/ include this file with IPCX__WS_PUSH defined before
 * they #include_next the MinGW header (each name a drop-in header already
 * defined is saved and undefined), and without it after (each is restored).
 * So a program that includes <winsock2.h> after <sys/socket.h> gets
 * Winsock's declarations under Winsock's names, and its own calls still go
 * to ipcx; a program that includes <winsock2.h> first keeps Winsock's
 * definitions until a drop-in header replaces them.  Name by name:
 *   - renamed calls (socket ... select): Winsock declares them with SOCKET
 *     and char * where POSIX has int and void *;
 *   - renamed types (fd_set, pollfd, sockaddr_storage, sockaddr_in6,
 *     addrinfo): Winsock defines them without a guard of their own;
 *   - constants whose values or spellings differ (POLL*, FD_*, FIONREAD,
 *     EAI_*, and CMSG_DATA, which <wincrypt.h> defines).
 * A name added to compat/ that Winsock also has goes in its header's group,
 * in both halves.
 */
#pragma GCC system_header
#ifdef IPCX__WS_PUSH
#undef IPCX__WS_PUSH
#ifdef IPCX_COMPAT_SYS_SOCKET_H
#pragma push_macro("socket")
#undef socket
#pragma push_macro("accept")
#undef accept
#pragma push_macro("bind")
#undef bind
#pragma push_macro("connect")
#undef connect
#pragma push_macro("listen")
#undef listen
#pragma push_macro("shutdown")
#undef shutdown
#pragma push_macro("getsockname")
#undef getsockname
#pragma push_macro("getpeername")
#undef getpeername
#pragma push_macro("getsockopt")
#undef getsockopt
#pragma push_macro("setsockopt")
#undef setsockopt
#pragma push_macro("send")
#undef send
#pragma push_macro("recv")
#undef recv
#pragma push_macro("sendto")
#undef sendto
#pragma push_macro("recvfrom")
#undef recvfrom
#pragma push_macro("sockaddr_storage")
#undef sockaddr_storage
#pragma push_macro("CMSG_DATA")
#undef CMSG_DATA
#endif
#ifdef IPCX_COMPAT_SYS_SELECT_H
#pragma push_macro("select")
#undef select
#pragma push_macro("fd_set")
#undef fd_set
#pragma push_macro("FD_SETSIZE")
#undef FD_SETSIZE
#pragma push_macro("FD_ZERO")
#undef FD_ZERO
#pragma push_macro("FD_SET")
#undef FD_SET
#pragma push_macro("FD_CLR")
#undef FD_CLR
#pragma push_macro("FD_ISSET")
#undef FD_ISSET
#endif
#ifdef IPCX_COMPAT_POLL_H
#pragma push_macro("pollfd")
#undef pollfd
#pragma push_macro("POLLIN")
#undef POLLIN
#pragma push_macro("POLLPRI")
#undef POLLPRI
#pragma push_macro("POLLOUT")
#undef POLLOUT
#pragma push_macro("POLLERR")
#undef POLLERR
#pragma push_macro("POLLHUP")
#undef POLLHUP
#pragma push_macro("POLLNVAL")
#undef POLLNVAL
#pragma push_macro("POLLRDNORM")
#undef POLLRDNORM
#pragma push_macro("POLLRDBAND")
#undef POLLRDBAND
#pragma push_macro("POLLWRNORM")
#undef POLLWRNORM
#pragma push_macro("POLLWRBAND")
#undef POLLWRBAND
#endif
#ifdef IPCX_COMPAT_NETINET_IN_H
#pragma push_macro("sockaddr_in6")
#undef sockaddr_in6
#endif
#ifdef IPCX_COMPAT_SYS_IOCTL_H
#pragma push_macro("FIONREAD")
#undef FIONREAD
#pragma push_macro("FIONBIO")
#undef FIONBIO
#endif
#ifdef IPCX_COMPAT_NETDB_H
#pragma push_macro("addrinfo")
#undef addrinfo
#pragma push_macro("getaddrinfo")
#undef getaddrinfo
#pragma push_macro("freeaddrinfo")
#undef freeaddrinfo
#pragma push_macro("getnameinfo")
#undef getnameinfo
#pragma push_macro("gai_strerror")
#undef gai_strerror
#pragma push_macro("EAI_AGAIN")
#undef EAI_AGAIN
#pragma push_macro("EAI_BADFLAGS")
#undef EAI_BADFLAGS
#pragma push_macro("EAI_FAIL")
#undef EAI_FAIL
#pragma push_macro("EAI_FAMILY")
#undef EAI_FAMILY
#pragma push_macro("EAI_MEMORY")
#undef EAI_MEMORY
#pragma push_macro("EAI_NONAME")
#undef EAI_NONAME
#pragma push_macro("EAI_SERVICE")
#undef EAI_SERVICE
#pragma push_macro("EAI_SOCKTYPE")
#undef EAI_SOCKTYPE
#pragma push_macro("EAI_NODATA")
#undef EAI_NODATA
#endif
#else
#ifdef IPCX_COMPAT_SYS_SOCKET_H
#pragma pop_macro("socket")
#pragma pop_macro("accept")
#pragma pop_macro("bind")
#pragma pop_macro("connect")
#pragma pop_macro("listen")
#pragma pop_macro("shutdown")
#pragma pop_macro("getsockname")
#pragma pop_macro("getpeername")
#pragma pop_macro("getsockopt")
#pragma pop_macro("setsockopt")
#pragma pop_macro("send")
#pragma pop_macro("recv")
#pragma pop_macro("sendto")
#pragma pop_macro("recvfrom")
#pragma pop_macro("sockaddr_storage")
#pragma pop_macro("CMSG_DATA")
#endif
#ifdef IPCX_COMPAT_SYS_SELECT_H
#pragma pop_macro("select")
#pragma pop_macro("fd_set")
#pragma pop_macro("FD_SETSIZE")
#pragma pop_macro("FD_ZERO")
#pragma pop_macro("FD_SET")
#pragma pop_macro("FD_CLR")
#pragma pop_macro("FD_ISSET")
#endif
#ifdef IPCX_COMPAT_POLL_H
#pragma pop_macro("pollfd")
#pragma pop_macro("POLLIN")
#pragma pop_macro("POLLPRI")
#pragma pop_macro("POLLOUT")
#pragma pop_macro("POLLERR")
#pragma pop_macro("POLLHUP")
#pragma pop_macro("POLLNVAL")
#pragma pop_macro("POLLRDNORM")
#pragma pop_macro("POLLRDBAND")
#pragma pop_macro("POLLWRNORM")
#pragma pop_macro("POLLWRBAND")
#endif
#ifdef IPCX_COMPAT_NETINET_IN_H
#pragma pop_macro("sockaddr_in6")
#endif
#ifdef IPCX_COMPAT_SYS_IOCTL_H
#pragma pop_macro("FIONREAD")
#pragma pop_macro("FIONBIO")
#endif
#ifdef IPCX_COMPAT_NETDB_H
#pragma pop_macro("addrinfo")
#pragma pop_macro("getaddrinfo")
#pragma pop_macro("freeaddrinfo")
#pragma pop_macro("getnameinfo")
#pragma pop_macro("gai_strerror")
#pragma pop_macro("EAI_AGAIN")
#pragma pop_macro("EAI_BADFLAGS")
#pragma pop_macro("EAI_FAIL")
#pragma pop_macro("EAI_FAMILY")
#pragma pop_macro("EAI_MEMORY")
#pragma pop_macro("EAI_NONAME")
#pragma pop_macro("EAI_SERVICE")
#pragma pop_macro("EAI_SOCKTYPE")
#pragma pop_macro("EAI_NODATA")
#endif
#endif
