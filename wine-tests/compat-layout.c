/*
 * compat-layout.c: compat/'s socket types and constants agree with Winsock's
 * (wine-tests/headers-test.sh compiles it; nothing runs).  Winsock comes
 * first and its values are kept in enums; then the drop-in headers, whose
 * types are compared field by field with Winsock's and whose constants,
 * where a name is defined again, must have Winsock's value.
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <stddef.h>

enum {
  WS_AF_UNIX = AF_UNIX, WS_AF_INET = AF_INET, WS_AF_INET6 = AF_INET6, WS_AF_UNSPEC = AF_UNSPEC,
  WS_SOCK_STREAM = SOCK_STREAM, WS_SOCK_DGRAM = SOCK_DGRAM, WS_SOCK_SEQPACKET = SOCK_SEQPACKET,
  WS_SOL_SOCKET = SOL_SOCKET, WS_SOMAXCONN = SOMAXCONN, WS_SO_REUSEADDR = SO_REUSEADDR,
  WS_SO_KEEPALIVE = SO_KEEPALIVE, WS_SO_LINGER = SO_LINGER, WS_SO_SNDBUF = SO_SNDBUF,
  WS_SO_RCVBUF = SO_RCVBUF, WS_SO_SNDTIMEO = SO_SNDTIMEO, WS_SO_RCVTIMEO = SO_RCVTIMEO,
  WS_SO_ERROR = SO_ERROR, WS_SO_TYPE = SO_TYPE, WS_SO_BROADCAST = SO_BROADCAST,
  WS_MSG_OOB = MSG_OOB, WS_MSG_PEEK = MSG_PEEK, WS_MSG_WAITALL = MSG_WAITALL,
  WS_IPPROTO_TCP = IPPROTO_TCP, WS_IPPROTO_UDP = IPPROTO_UDP, WS_IPPROTO_IPV6 = IPPROTO_IPV6,
  WS_IPV6_V6ONLY = IPV6_V6ONLY, WS_IP_TTL = IP_TTL, WS_TCP_NODELAY = TCP_NODELAY,
  WS_INET_ADDRSTRLEN = INET_ADDRSTRLEN, WS_INET6_ADDRSTRLEN = INET6_ADDRSTRLEN,
  WS_AI_PASSIVE = AI_PASSIVE, WS_AI_CANONNAME = AI_CANONNAME, WS_AI_NUMERICHOST = AI_NUMERICHOST,
  WS_NI_MAXHOST = NI_MAXHOST, WS_NI_NUMERICHOST = NI_NUMERICHOST,
  WS_EAI_NONAME = EAI_NONAME, WS_EAI_AGAIN = EAI_AGAIN, WS_EAI_FAIL = EAI_FAIL,
  WS_EAI_FAMILY = EAI_FAMILY, WS_EAI_SERVICE = EAI_SERVICE, WS_EAI_MEMORY = EAI_MEMORY
};
static const unsigned long ws_fionread = FIONREAD, ws_inaddr_none = INADDR_NONE;
typedef SOCKADDR_STORAGE ws_storage;
typedef SOCKADDR_IN6 ws_in6;
typedef ADDRINFOA ws_addrinfo;

#include <sys/socket.h>
#include <sys/ioctl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <netdb.h>

#define SAME(a, b) _Static_assert((a) == (b), #a " is not " #b)
#define FIELD(t1, t2, f1, f2) \
  SAME(offsetof(t1, f1), offsetof(t2, f2)); SAME(sizeof(((t1 *)0)->f1), sizeof(((t2 *)0)->f2))

SAME(sizeof(struct sockaddr_storage), sizeof(ws_storage));
FIELD(struct sockaddr_storage, ws_storage, ss_family, ss_family);
SAME(_Alignof(struct sockaddr_storage), _Alignof(ws_storage));
SAME(sizeof(struct sockaddr_in6), sizeof(ws_in6));
FIELD(struct sockaddr_in6, ws_in6, sin6_family, sin6_family);
FIELD(struct sockaddr_in6, ws_in6, sin6_port, sin6_port);
FIELD(struct sockaddr_in6, ws_in6, sin6_flowinfo, sin6_flowinfo);
FIELD(struct sockaddr_in6, ws_in6, sin6_addr, sin6_addr);
FIELD(struct sockaddr_in6, ws_in6, sin6_scope_id, sin6_scope_id);
SAME(sizeof(struct addrinfo), sizeof(ws_addrinfo));
FIELD(struct addrinfo, ws_addrinfo, ai_flags, ai_flags);
FIELD(struct addrinfo, ws_addrinfo, ai_family, ai_family);
FIELD(struct addrinfo, ws_addrinfo, ai_socktype, ai_socktype);
FIELD(struct addrinfo, ws_addrinfo, ai_protocol, ai_protocol);
FIELD(struct addrinfo, ws_addrinfo, ai_addrlen, ai_addrlen);
FIELD(struct addrinfo, ws_addrinfo, ai_canonname, ai_canonname);
FIELD(struct addrinfo, ws_addrinfo, ai_addr, ai_addr);
FIELD(struct addrinfo, ws_addrinfo, ai_next, ai_next);

SAME(AF_UNIX, WS_AF_UNIX); SAME(AF_INET, WS_AF_INET); SAME(AF_INET6, WS_AF_INET6);
SAME(AF_UNSPEC, WS_AF_UNSPEC); SAME(SOCK_STREAM, WS_SOCK_STREAM); SAME(SOCK_DGRAM, WS_SOCK_DGRAM);
SAME(SOCK_SEQPACKET, WS_SOCK_SEQPACKET); SAME(SOL_SOCKET, WS_SOL_SOCKET); SAME(SOMAXCONN, WS_SOMAXCONN);
SAME(SO_REUSEADDR, WS_SO_REUSEADDR); SAME(SO_KEEPALIVE, WS_SO_KEEPALIVE); SAME(SO_LINGER, WS_SO_LINGER);
SAME(SO_SNDBUF, WS_SO_SNDBUF); SAME(SO_RCVBUF, WS_SO_RCVBUF); SAME(SO_SNDTIMEO, WS_SO_SNDTIMEO);
SAME(SO_RCVTIMEO, WS_SO_RCVTIMEO); SAME(SO_ERROR, WS_SO_ERROR); SAME(SO_TYPE, WS_SO_TYPE);
SAME(SO_BROADCAST, WS_SO_BROADCAST); SAME(MSG_OOB, WS_MSG_OOB); SAME(MSG_PEEK, WS_MSG_PEEK);
SAME(MSG_WAITALL, WS_MSG_WAITALL); SAME(IPPROTO_TCP, WS_IPPROTO_TCP); SAME(IPPROTO_UDP, WS_IPPROTO_UDP);
SAME(IPPROTO_IPV6, WS_IPPROTO_IPV6); SAME(IPV6_V6ONLY, WS_IPV6_V6ONLY); SAME(IP_TTL, WS_IP_TTL);
SAME(TCP_NODELAY, WS_TCP_NODELAY); SAME(INET_ADDRSTRLEN, WS_INET_ADDRSTRLEN);
SAME(INET6_ADDRSTRLEN, WS_INET6_ADDRSTRLEN); SAME(AI_PASSIVE, WS_AI_PASSIVE);
SAME(AI_CANONNAME, WS_AI_CANONNAME); SAME(AI_NUMERICHOST, WS_AI_NUMERICHOST);
SAME(NI_MAXHOST, WS_NI_MAXHOST); SAME(NI_NUMERICHOST, WS_NI_NUMERICHOST);
SAME(EAI_NONAME, WS_EAI_NONAME); SAME(EAI_AGAIN, WS_EAI_AGAIN); SAME(EAI_FAIL, WS_EAI_FAIL);
SAME(EAI_FAMILY, WS_EAI_FAMILY); SAME(EAI_SERVICE, WS_EAI_SERVICE); SAME(EAI_MEMORY, WS_EAI_MEMORY);

int compat_layout_values_agree(void);
int compat_layout_values_agree(void)
{
  return ws_fionread == FIONREAD && ws_inaddr_none == INADDR_NONE;
}
