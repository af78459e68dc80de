/*
 * Drop-in <netdb.h> for MinGW, which has none: Winsock's resolver without
 * <winsock2.h>.  struct hostent, servent and protoent come from MinGW's
 * psdk_inc/_ip_types.h (via <sys/socket.h>); the get*by* calls are
 * declared as Winsock declares them.  struct addrinfo is ipcx's copy of
 * Winsock's (renamed: <ws2tcpip.h> defines it without a guard), and the
 * addrinfo calls are renamed to declarations of the same Winsock functions
 * (asm labels) that take it; gai_strerror() is Winsock's gai_strerrorA, so
 * its messages are Windows'.  The EAI_* values are Winsock's error numbers.
 */
#pragma GCC system_header
#include <netinet/in.h>
#ifndef IPCX_COMPAT_NETDB_H
#define IPCX_COMPAT_NETDB_H

#define addrinfo ipcx_addrinfo
struct ipcx_addrinfo {
  int ai_flags;
  int ai_family;
  int ai_socktype;
  int ai_protocol;
  size_t ai_addrlen;
  char *ai_canonname;
  struct sockaddr *ai_addr;
  struct ipcx_addrinfo *ai_next;
};
#define getaddrinfo ipcx__getaddrinfo
#define freeaddrinfo ipcx__freeaddrinfo
#define getnameinfo ipcx__getnameinfo
#define gai_strerror ipcx__gai_strerror
#ifdef __cplusplus
extern "C" {
#endif
int ipcx__getaddrinfo(const char *node, const char *service, const struct ipcx_addrinfo *hints,
                      struct ipcx_addrinfo **res) __asm__("getaddrinfo");
void ipcx__freeaddrinfo(struct ipcx_addrinfo *ai) __asm__("freeaddrinfo");
int ipcx__getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host, unsigned long hostlen,
                      char *serv, unsigned long servlen, int flags) __asm__("getnameinfo");
const char *ipcx__gai_strerror(int err) __asm__("gai_strerrorA");
#ifdef __cplusplus
}
#endif

#define EAI_AGAIN 11002
#define EAI_BADFLAGS 10022
#define EAI_FAIL 11003
#define EAI_FAMILY 10047
#define EAI_MEMORY 8
#define EAI_NONAME 11001
#define EAI_SERVICE 10109
#define EAI_SOCKTYPE 10044
#define EAI_NODATA 11004
#define AI_PASSIVE 0x00000001
#define AI_CANONNAME 0x00000002
#define AI_NUMERICHOST 0x00000004
#define AI_NUMERICSERV 0x00000008
#define AI_ALL 0x00000100
#define AI_ADDRCONFIG 0x00000400
#define AI_V4MAPPED 0x00000800
#define NI_MAXHOST 1025
#define NI_MAXSERV 32
#define NI_NOFQDN 0x01
#define NI_NUMERICHOST 0x02
#define NI_NAMEREQD 0x04
#define NI_NUMERICSERV 0x08
#define NI_DGRAM 0x10

/* Links win32/socket.c, whose constructor starts Winsock before main(): a
 * program's first network call may be getaddrinfo(). */
__attribute__((__used__)) static int (*const ipcx__netdb_link)(int, int, int) = ipcx_socket;

#ifdef __cplusplus
extern "C" {
#endif
__declspec(dllimport) struct hostent *gethostbyname(const char *name);
__declspec(dllimport) struct hostent *gethostbyaddr(const char *addr, int len, int type);
__declspec(dllimport) struct servent *getservbyname(const char *name, const char *proto);
__declspec(dllimport) struct servent *getservbyport(int port, const char *proto);
__declspec(dllimport) struct protoent *getprotobyname(const char *name);
__declspec(dllimport) struct protoent *getprotobynumber(int number);
#ifdef __cplusplus
}
#endif
#endif
