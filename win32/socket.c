/*
 * socket.c: local sockets (AF_UNIX) and Winsock sockets.
 *
 * Not built yet (issue: local sockets on Windows): every call fails with
 * ENOSYS, and tests/test_gaps.c says so.
 */
#include "internal.h"

int ipcx_socket(int domain, int type, int protocol)
{ (void)domain, (void)type, (void)protocol; return ipcx__fail(ENOSYS); }
int ipcx_socketpair(int domain, int type, int protocol, int sv[2])
{ (void)domain, (void)type, (void)protocol, (void)sv; return ipcx__fail(ENOSYS); }
int ipcx_bind(int fd, const struct sockaddr *addr, socklen_t len)
{ (void)fd, (void)addr, (void)len; return ipcx__fail(ENOSYS); }
int ipcx_listen(int fd, int backlog)
{ (void)fd, (void)backlog; return ipcx__fail(ENOSYS); }
int ipcx_accept(int fd, struct sockaddr *addr, socklen_t *len)
{ (void)fd, (void)addr, (void)len; return ipcx__fail(ENOSYS); }
int ipcx_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{ (void)fd, (void)addr, (void)len, (void)flags; return ipcx__fail(ENOSYS); }
int ipcx_connect(int fd, const struct sockaddr *addr, socklen_t len)
{ (void)fd, (void)addr, (void)len; return ipcx__fail(ENOSYS); }
int ipcx_shutdown(int fd, int how)
{ (void)fd, (void)how; return ipcx__fail(ENOSYS); }
int ipcx_getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{ (void)fd, (void)addr, (void)len; return ipcx__fail(ENOSYS); }
int ipcx_getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{ (void)fd, (void)addr, (void)len; return ipcx__fail(ENOSYS); }
int ipcx_getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{ (void)fd, (void)level, (void)name, (void)val, (void)len; return ipcx__fail(ENOSYS); }
int ipcx_setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{ (void)fd, (void)level, (void)name, (void)val, (void)len; return ipcx__fail(ENOSYS); }
int ipcx_getpeereid(int fd, uid_t *uid, gid_t *gid)
{ (void)fd, (void)uid, (void)gid; return ipcx__fail(ENOSYS); }
ssize_t ipcx_send(int fd, const void *buf, size_t n, int flags)
{ (void)fd, (void)buf, (void)n, (void)flags; return ipcx__fail(ENOSYS); }
ssize_t ipcx_recv(int fd, void *buf, size_t n, int flags)
{ (void)fd, (void)buf, (void)n, (void)flags; return ipcx__fail(ENOSYS); }
ssize_t ipcx_sendmsg(int fd, const struct msghdr *msg, int flags)
{ (void)fd, (void)msg, (void)flags; return ipcx__fail(ENOSYS); }
ssize_t ipcx_recvmsg(int fd, struct msghdr *msg, int flags)
{ (void)fd, (void)msg, (void)flags; return ipcx__fail(ENOSYS); }
