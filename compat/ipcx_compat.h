/*
 * ipcx_compat.h: what every drop-in header of compat/ shares (Windows only).
 *
 * compat/ is put first on the include path of a Unix program built with
 * MinGW (`pkg-config --cflags ipcx` does it).  Each drop-in header includes
 * the MinGW header of the same name when there is one (#include_next), then
 * this file, which:
 *   1. includes every MinGW header that declares a name it renames, so that
 *      no later #include can redeclare a renamed name;
 *   2. includes ipcx.h;
 *   3. renames the POSIX names to ipcx_* (stat/fstat as function-like macros
 *      so that `struct stat` keeps its name) and the clashing Winsock types
 *      and constants (struct pollfd, fd_set, POLL*, FD_*) to ipcx's.
 * On Unix compat/ is never on the include path.
 */
#ifndef IPCX_COMPAT_H
#define IPCX_COMPAT_H

#ifdef _WIN32

#include <winsock2.h>
#include <ws2tcpip.h>
#include <afunix.h>
#include <io.h>
#include <direct.h>
#include <process.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/stat.h>

#include <ipcx.h>

typedef unsigned short sa_family_t;
#ifndef AF_LOCAL
# define AF_LOCAL AF_UNIX
#endif
#ifndef PF_LOCAL
# define PF_LOCAL AF_UNIX
#endif
#ifndef PF_UNIX
# define PF_UNIX AF_UNIX
#endif
typedef ipcx_nfds_t nfds_t;

/* Windows has no uids: these match what SO_PEERCRED reports, (uid_t)-1. */
static __inline uid_t ipcx_compat_getuid(void) { return (uid_t)-1; }
static __inline gid_t ipcx_compat_getgid(void) { return (gid_t)-1; }
#define getuid ipcx_compat_getuid
#define geteuid ipcx_compat_getuid
#define getgid ipcx_compat_getgid
#define getegid ipcx_compat_getgid

/*
 * Ancillary data, so code that passes fds (SCM_RIGHTS) compiles; sendmsg()
 * with control data fails with EOPNOTSUPP on Windows (README).  wincrypt.h,
 * which <windows.h> pulls in, has its own CMSG_DATA: replaced.
 */
struct cmsghdr {
  size_t cmsg_len;
  int cmsg_level;
  int cmsg_type;
};
#undef CMSG_DATA
#define CMSG_ALIGN(n) (((n) + sizeof(size_t) - 1) & ~(sizeof(size_t) - 1))
#define CMSG_SPACE(n) (CMSG_ALIGN(sizeof(struct cmsghdr)) + CMSG_ALIGN(n))
#define CMSG_LEN(n) (CMSG_ALIGN(sizeof(struct cmsghdr)) + (n))
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
#ifndef SCM_RIGHTS
# define SCM_RIGHTS 1
# define SCM_CREDENTIALS 2
#endif

/* mkdir() takes a mode in POSIX; Windows directories have none to set. */
static __inline int ipcx_compat_mkdir(const char *path, mode_t mode)
{
  (void)mode;
  return _mkdir(path);
}
#define mkdir(path, mode) ipcx_compat_mkdir(path, mode)

/* poll() */
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
#define POLLIN IPCX_POLLIN
#define POLLPRI IPCX_POLLPRI
#define POLLOUT IPCX_POLLOUT
#define POLLERR IPCX_POLLERR
#define POLLHUP IPCX_POLLHUP
#define POLLNVAL IPCX_POLLNVAL
#define POLLRDNORM IPCX_POLLRDNORM
#define POLLRDBAND IPCX_POLLRDBAND
#define POLLWRNORM IPCX_POLLWRNORM
#define POLLWRBAND IPCX_POLLWRBAND
#define POLLRDHUP IPCX_POLLRDHUP
#define pollfd ipcx_pollfd

/* select() */
#undef FD_SETSIZE
#undef FD_ZERO
#undef FD_SET
#undef FD_CLR
#undef FD_ISSET
#define FD_SETSIZE IPCX_FD_SETSIZE
#define FD_ZERO IPCX_FD_ZERO
#define FD_SET IPCX_FD_SET
#define FD_CLR IPCX_FD_CLR
#define FD_ISSET IPCX_FD_ISSET
#define fd_set ipcx_fd_set

/* The calls. */
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
#ifndef SO_PROTOCOL
# define SO_PROTOCOL SO_PROTOCOL_IPCX
#endif
#define getsockopt ipcx_getsockopt
#define setsockopt ipcx_setsockopt
#define getpeereid ipcx_getpeereid
#define send ipcx_send
#define recv ipcx_recv
#define sendto ipcx_sendto
#define recvfrom ipcx_recvfrom
#define sendmsg ipcx_sendmsg
#define recvmsg ipcx_recvmsg
#define read ipcx_read
#define write ipcx_write
#define readv ipcx_readv
#define writev ipcx_writev
#define close ipcx_close
#define dup ipcx_dup
#define dup2 ipcx_dup2
#define pipe ipcx_pipe
#define pipe2 ipcx_pipe2
#define mkfifo ipcx_mkfifo
#define open ipcx_open
#define unlink ipcx_unlink
#define stat(path, st) ipcx_stat(path, st)
#define fstat(fd, st) ipcx_fstat(fd, st)
#undef lseek
#define lseek ipcx_lseek
#define isatty ipcx_isatty
#define getppid ipcx_getppid
#define fcntl ipcx_fcntl
#define ioctl ipcx_ioctl
#define poll ipcx_poll
#define select ipcx_select
#define waitpid ipcx_waitpid
#define kill ipcx_kill
#define pause ipcx_pause
#define alarm ipcx_alarm
#define sleep ipcx_sleep
#define usleep ipcx_usleep
#define nanosleep ipcx_nanosleep
#define posix_spawn ipcx_posix_spawn
#define posix_spawnp ipcx_posix_spawnp
#define posix_spawn_file_actions_t ipcx_posix_spawn_file_actions_t
#define posix_spawnattr_t ipcx_posix_spawnattr_t
#define posix_spawn_file_actions_init ipcx_posix_spawn_file_actions_init
#define posix_spawn_file_actions_destroy ipcx_posix_spawn_file_actions_destroy
#define posix_spawn_file_actions_adddup2 ipcx_posix_spawn_file_actions_adddup2
#define posix_spawn_file_actions_addclose ipcx_posix_spawn_file_actions_addclose
#define posix_spawn_file_actions_addopen ipcx_posix_spawn_file_actions_addopen
#define posix_spawnattr_init ipcx_posix_spawnattr_init
#define posix_spawnattr_destroy ipcx_posix_spawnattr_destroy
#define posix_spawnattr_setflags ipcx_posix_spawnattr_setflags
#define posix_spawnattr_getflags ipcx_posix_spawnattr_getflags
#define posix_spawnattr_setpgroup ipcx_posix_spawnattr_setpgroup
#define posix_spawnattr_getpgroup ipcx_posix_spawnattr_getpgroup
#define posix_spawn_file_actions_addchdir_np ipcx_posix_spawn_file_actions_addchdir_np

#endif /* _WIN32 */
#endif /* IPCX_COMPAT_H */
