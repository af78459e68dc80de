/*
 * Drop-in <sys/socket.h> for MinGW, which has none.  The types have
 * Winsock's layout: struct sockaddr, sockaddr_in, in_addr, linger and
 * timeval come from MinGW's psdk_inc/_ip_types.h, which <winsock2.h> itself
 * includes under the same guard; struct sockaddr_storage is ipcx's copy of
 * Winsock's (renamed, as Winsock defines it without a guard).  The constants
 * are Winsock's values spelled as <winsock2.h> spells them, so either header
 * may come first.  Like glibc's, this header brings <sys/select.h> along.
 */
#pragma GCC system_header
#include <ipcx_compat.h>
#ifndef IPCX_COMPAT_SYS_SOCKET_H
#define IPCX_COMPAT_SYS_SOCKET_H
#define IPCX__COMPAT_NET 1      /* compat/windows.h: bring Winsock 2, not 1 */
#include <psdk_inc/_ip_types.h>
#include <sys/select.h>

typedef unsigned short sa_family_t;

#define sockaddr_storage ipcx_sockaddr_storage
struct ipcx_sockaddr_storage {
  sa_family_t ss_family;
  char __ss_pad1[6];
  long long __ss_align;
  char __ss_pad2[112];
};

#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_RAW 3
#define SOCK_RDM 4
#define SOCK_SEQPACKET 5
#define AF_UNSPEC 0
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 23
#define PF_UNSPEC AF_UNSPEC
#define PF_UNIX AF_UNIX
#define PF_INET AF_INET
#define PF_INET6 AF_INET6
#define AF_LOCAL AF_UNIX
#define PF_LOCAL AF_UNIX
#define SOL_SOCKET 0xffff
#define SOMAXCONN 0x7fffffff
#define SO_DEBUG 0x0001
#define SO_ACCEPTCONN 0x0002
#define SO_REUSEADDR 0x0004
#define SO_KEEPALIVE 0x0008
#define SO_DONTROUTE 0x0010
#define SO_BROADCAST 0x0020
#define SO_LINGER 0x0080
#define SO_OOBINLINE 0x0100
#define SO_SNDBUF 0x1001
#define SO_RCVBUF 0x1002
#define SO_SNDLOWAT 0x1003
#define SO_RCVLOWAT 0x1004
#define SO_SNDTIMEO 0x1005
#define SO_RCVTIMEO 0x1006
#define SO_ERROR 0x1007
#define SO_TYPE 0x1008
#define SO_PROTOCOL SO_PROTOCOL_IPCX
#define MSG_OOB 0x1
#define MSG_PEEK 0x2
#define MSG_DONTROUTE 0x4
#define MSG_WAITALL 0x8

/*
 * Ancillary data: fds (SCM_RIGHTS) and credentials (SCM_CREDENTIALS, with
 * SO_PASSCRED) over AF_UNIX connections (docs/fdpass.md).
 */
struct cmsghdr {
  size_t cmsg_len;
  int cmsg_level;
  int cmsg_type;
};
#define CMSG_ALIGN(n) (((n) + sizeof(size_t) - 1) & ~(sizeof(size_t) - 1))
#define CMSG_SPACE(n) (CMSG_ALIGN(sizeof(struct cmsghdr)) + CMSG_ALIGN(n))
#define CMSG_LEN(n) (CMSG_ALIGN(sizeof(struct cmsghdr)) + (n))
#undef CMSG_DATA                /* <wincrypt.h>'s, when <windows.h> came first */
#define CMSG_DATA(c) ((unsigned char *)(c) + CMSG_ALIGN(sizeof(struct cmsghdr)))
#define CMSG_FIRSTHDR(m) \
  ((m)->msg_controllen >= sizeof(struct cmsghdr) ? (struct cmsghdr *)(m)->msg_control : (struct cmsghdr *)0)
static __inline struct cmsghdr *ipcx_cmsg_nxthdr(struct msghdr *m, struct cmsghdr *c)
{
  unsigned char *next = (unsigned char *)c + CMSG_ALIGN(c->cmsg_len);
  unsigned char *end = (unsigned char *)m->msg_control + m->msg_controllen;
  if (c->cmsg_len < sizeof(struct cmsghdr) || next + sizeof(struct cmsghdr) > end)
    return (struct cmsghdr *)0;
  return (struct cmsghdr *)next;
}
#define CMSG_NXTHDR(m, c) ipcx_cmsg_nxthdr(m, c)
#define SCM_RIGHTS 1
#define SCM_CREDENTIALS 2

#define socket ipcx_socket
#define socketpair ipcx_socketpair
#define bind ipcx_bind
#define listen ipcx_listen
#define accept ipcx_accept
#define accept4 ipcx_accept4
#define connect ipcx_connect
#define shutdown ipcx_shutdown
#define getsockname ipcx_getsockname
#define getpeername ipcx_getpeername
#define getsockopt ipcx_getsockopt
#define setsockopt ipcx_setsockopt
#define getpeereid ipcx_getpeereid
#define send ipcx_send
#define recv ipcx_recv
#define sendto ipcx_sendto
#define recvfrom ipcx_recvfrom
#define sendmsg ipcx_sendmsg
#define recvmsg ipcx_recvmsg
#endif
