/*
 * ipcx_winsock.h: the names compat/ defines that Winsock and <windows.h>
 * define too.  The wrappers windows.h, winsock.h, winsock2.h, ws2ipdef.h and
 * ws2tcpip.h of compat/ include this file with IPCX__WS_PUSH defined before
 * they #include_next the MinGW header (each name is saved and undefined), and
 * without it after (each is restored).  So a program that includes
 * <winsock2.h> after <sys/socket.h> gets Winsock's declarations under
 * Winsock's names, and its own calls still go to ipcx.  Name by name:
 *   - renamed calls (socket ... select): Winsock declares them with SOCKET
 *     and char * where POSIX has int and void *;
 *   - renamed types (fd_set, pollfd, sockaddr_storage, sockaddr_in6): Winsock
 *     defines them without a guard of their own;
 *   - constants whose values differ (POLL*, FD_*, CMSG_DATA in wincrypt.h);
 *   - <netdb.h>'s addrinfo, its calls and the EAI_* values Winsock spells
 *     with its own names.
 * A name added to compat/ that Winsock also has goes in both lists.
 */
#pragma GCC system_header
#ifdef IPCX__WS_PUSH
#pragma push_macro("socket")
#pragma push_macro("accept")
#pragma push_macro("bind")
#pragma push_macro("connect")
#pragma push_macro("listen")
#pragma push_macro("shutdown")
#pragma push_macro("getsockname")
#pragma push_macro("getpeername")
#pragma push_macro("getsockopt")
#pragma push_macro("setsockopt")
#pragma push_macro("send")
#pragma push_macro("recv")
#pragma push_macro("sendto")
#pragma push_macro("recvfrom")
#pragma push_macro("select")
#pragma push_macro("fd_set")
#pragma push_macro("pollfd")
#pragma push_macro("sockaddr_storage")
#pragma push_macro("sockaddr_in6")
#pragma push_macro("FD_SETSIZE")
#pragma push_macro("FD_ZERO")
#pragma push_macro("FD_SET")
#pragma push_macro("FD_CLR")
#pragma push_macro("FD_ISSET")
#pragma push_macro("POLLIN")
#pragma push_macro("POLLPRI")
#pragma push_macro("POLLOUT")
#pragma push_macro("POLLERR")
#pragma push_macro("POLLHUP")
#pragma push_macro("POLLNVAL")
#pragma push_macro("POLLRDNORM")
#pragma push_macro("POLLRDBAND")
#pragma push_macro("POLLWRNORM")
#pragma push_macro("POLLWRBAND")
#pragma push_macro("CMSG_DATA")
#pragma push_macro("FIONREAD")
#pragma push_macro("FIONBIO")
#pragma push_macro("SHUT_RD")
#pragma push_macro("SHUT_WR")
#pragma push_macro("SHUT_RDWR")
#pragma push_macro("addrinfo")
#pragma push_macro("getaddrinfo")
#pragma push_macro("freeaddrinfo")
#pragma push_macro("getnameinfo")
#pragma push_macro("gai_strerror")
#pragma push_macro("EAI_AGAIN")
#pragma push_macro("EAI_BADFLAGS")
#pragma push_macro("EAI_FAIL")
#pragma push_macro("EAI_FAMILY")
#pragma push_macro("EAI_MEMORY")
#pragma push_macro("EAI_NONAME")
#pragma push_macro("EAI_SERVICE")
#pragma push_macro("EAI_SOCKTYPE")
#pragma push_macro("EAI_NODATA")
#undef socket
#undef accept
#undef bind
#undef connect
#undef listen
#undef shutdown
#undef getsockname
#undef getpeername
#undef getsockopt
#undef setsockopt
#undef send
#undef recv
#undef sendto
#undef recvfrom
#undef select
#undef fd_set
#undef pollfd
#undef sockaddr_storage
#undef sockaddr_in6
#undef FD_SETSIZE
#undef FD_ZERO
#undef FD_SET
#undef FD_CLR
#undef FD_ISSET
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
#undef CMSG_DATA
#undef FIONREAD
#undef FIONBIO
#undef SHUT_RD
#undef SHUT_WR
#undef SHUT_RDWR
#undef addrinfo
#undef getaddrinfo
#undef freeaddrinfo
#undef getnameinfo
#undef gai_strerror
#undef EAI_AGAIN
#undef EAI_BADFLAGS
#undef EAI_FAIL
#undef EAI_FAMILY
#undef EAI_MEMORY
#undef EAI_NONAME
#undef EAI_SERVICE
#undef EAI_SOCKTYPE
#undef EAI_NODATA
#undef IPCX__WS_PUSH
#else
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
#pragma pop_macro("select")
#pragma pop_macro("fd_set")
#pragma pop_macro("pollfd")
#pragma pop_macro("sockaddr_storage")
#pragma pop_macro("sockaddr_in6")
#pragma pop_macro("FD_SETSIZE")
#pragma pop_macro("FD_ZERO")
#pragma pop_macro("FD_SET")
#pragma pop_macro("FD_CLR")
#pragma pop_macro("FD_ISSET")
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
#pragma pop_macro("CMSG_DATA")
#pragma pop_macro("FIONREAD")
#pragma pop_macro("FIONBIO")
#pragma pop_macro("SHUT_RD")
#pragma pop_macro("SHUT_WR")
#pragma pop_macro("SHUT_RDWR")
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
