/*
 * Drop-in <netinet/in.h> for MinGW, which has none: struct in6_addr from
 * MinGW's <in6addr.h> (guarded, Winsock's), struct sockaddr_in6 as ipcx's
 * copy of Winsock's, the byte-order calls and constants as Winsock declares
 * and spells them.
 */
#pragma GCC system_header
#include <sys/socket.h>
#ifndef IPCX_COMPAT_NETINET_IN_H
#define IPCX_COMPAT_NETINET_IN_H
#include <in6addr.h>

typedef unsigned short in_port_t;
typedef unsigned int in_addr_t;

#define sockaddr_in6 ipcx_sockaddr_in6
struct ipcx_sockaddr_in6 {
  sa_family_t sin6_family;
  in_port_t sin6_port;
  unsigned long sin6_flowinfo;
  struct in6_addr sin6_addr;
  unsigned long sin6_scope_id;
};
#ifdef __cplusplus
extern "C" {
#endif
extern const struct in6_addr in6addr_any;
extern const struct in6_addr in6addr_loopback;

#define IPPROTO_IP 0
#define IPPROTO_ICMP 1
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_IPV6 41
#define IPPROTO_ICMPV6 58
#define IPPROTO_RAW 255
#define INADDR_ANY (u_long)0x00000000
#define INADDR_LOOPBACK 0x7f000001
#define INADDR_BROADCAST (u_long)0xffffffff
#define INADDR_NONE 0xffffffff
#define INET_ADDRSTRLEN 22
#define INET6_ADDRSTRLEN 65
#define IP_TOS 3
#define IP_TTL 4
#define IP_MULTICAST_IF 9
#define IP_MULTICAST_TTL 10
#define IP_MULTICAST_LOOP 11
#define IP_ADD_MEMBERSHIP 12
#define IP_DROP_MEMBERSHIP 13
#define IPV6_UNICAST_HOPS 4
#define IPV6_V6ONLY 27
#include <psdk_inc/_ip_mreq1.h>

__declspec(dllimport) u_long htonl(u_long hostlong);
__declspec(dllimport) u_short htons(u_short hostshort);
__declspec(dllimport) u_long ntohl(u_long netlong);
__declspec(dllimport) u_short ntohs(u_short netshort);
#ifdef __cplusplus
}
#endif
#endif
