/*
 * ipcx.h: POSIX interprocess communication with one API on every platform.
 *
 * Every public call is ipcx_ + the POSIX name, with the POSIX signature, the
 * POSIX return convention (-1 or an error number, with errno) and the POSIX
 * errno values.
 *
 *   - On Unix each call is the system call itself: a static inline function
 *     (or, for the variadic open/fcntl/ioctl, a macro).  Nothing is added.
 *   - On Windows (mingw-w64) the calls are implemented by libipcx on top of
 *     named pipes, Winsock and the C runtime; fds are ordinary CRT fd numbers.
 *
 * Unchanged Unix programs do not use these names: on Windows they compile
 * against the drop-in headers in compat/, which rename the POSIX names to
 * these.  New portable code may call ipcx_* directly and include only this
 * header.  It never includes <windows.h>.
 */
#ifndef IPCX_H
#define IPCX_H

#include <stddef.h>
#include <sys/types.h>

#define IPCX_VERSION_MAJOR 0
#define IPCX_VERSION_MINOR 1
#define IPCX_VERSION_PATCH 0

#if defined(_WIN32)
# define IPCX_EXTERN extern
#elif defined(__GNUC__)
# define IPCX_EXTERN extern __attribute__((visibility("default")))
#else
# define IPCX_EXTERN extern
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version, "MAJOR.MINOR.PATCH" (a real symbol on every platform). */
IPCX_EXTERN const char *ipcx_version(void);

#ifndef _WIN32
/* ======================================================================
 * Unix: pass-through to the system calls.
 * ====================================================================== */
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <poll.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/mman.h>
#include <semaphore.h>
#include <mqueue.h>
#include <time.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/time.h>

/* Portable spellings of the types whose Windows version has another name. */
#define ipcx_pollfd pollfd
typedef nfds_t ipcx_nfds_t;
typedef fd_set ipcx_fd_set;
typedef posix_spawn_file_actions_t ipcx_posix_spawn_file_actions_t;
typedef posix_spawnattr_t ipcx_posix_spawnattr_t;
typedef sem_t ipcx_sem_t;
typedef mqd_t ipcx_mqd_t;
#define ipcx_mq_attr mq_attr
#define ipcx_sigevent sigevent
#define ipcx_sigval sigval
#define IPCX_FD_SETSIZE FD_SETSIZE
#define IPCX_FD_ZERO(s) FD_ZERO(s)
#define IPCX_FD_SET(fd, s) FD_SET(fd, s)
#define IPCX_FD_CLR(fd, s) FD_CLR(fd, s)
#define IPCX_FD_ISSET(fd, s) FD_ISSET(fd, s)

#define IPCX_POLLIN POLLIN
#define IPCX_POLLPRI POLLPRI
#define IPCX_POLLOUT POLLOUT
#define IPCX_POLLERR POLLERR
#define IPCX_POLLHUP POLLHUP
#define IPCX_POLLNVAL POLLNVAL
#define IPCX_POLLRDHUP 0x2000   /* POLLRDHUP, which <poll.h> names only under _GNU_SOURCE */

#define IPCX__PT static inline __attribute__((always_inline))

/* Variadic in POSIX: a macro is the only zero-cost pass-through. */
#define ipcx_open open
#define ipcx_fcntl fcntl
#define ipcx_ioctl ioctl
#define ipcx_sem_open sem_open
#define ipcx_mq_open mq_open

IPCX__PT int ipcx_socket(int domain, int type, int protocol) { return socket(domain, type, protocol); }
IPCX__PT int ipcx_socketpair(int domain, int type, int protocol, int sv[2]) { return socketpair(domain, type, protocol, sv); }
IPCX__PT int ipcx_bind(int fd, const struct sockaddr *addr, socklen_t len) { return bind(fd, addr, len); }
IPCX__PT int ipcx_listen(int fd, int backlog) { return listen(fd, backlog); }
IPCX__PT int ipcx_accept(int fd, struct sockaddr *addr, socklen_t *len) { return accept(fd, addr, len); }
IPCX__PT int ipcx_connect(int fd, const struct sockaddr *addr, socklen_t len) { return connect(fd, addr, len); }
IPCX__PT int ipcx_shutdown(int fd, int how) { return shutdown(fd, how); }
IPCX__PT int ipcx_getsockname(int fd, struct sockaddr *addr, socklen_t *len) { return getsockname(fd, addr, len); }
IPCX__PT int ipcx_getpeername(int fd, struct sockaddr *addr, socklen_t *len) { return getpeername(fd, addr, len); }
IPCX__PT int ipcx_getsockopt(int fd, int level, int name, void *val, socklen_t *len) { return getsockopt(fd, level, name, val, len); }
IPCX__PT int ipcx_setsockopt(int fd, int level, int name, const void *val, socklen_t len) { return setsockopt(fd, level, name, val, len); }
IPCX__PT ssize_t ipcx_send(int fd, const void *buf, size_t n, int flags) { return send(fd, buf, n, flags); }
IPCX__PT ssize_t ipcx_recv(int fd, void *buf, size_t n, int flags) { return recv(fd, buf, n, flags); }
IPCX__PT ssize_t ipcx_sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *addr, socklen_t alen) { return sendto(fd, buf, n, flags, addr, alen); }
IPCX__PT ssize_t ipcx_recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *addr, socklen_t *alen) { return recvfrom(fd, buf, n, flags, addr, alen); }
IPCX__PT ssize_t ipcx_sendmsg(int fd, const struct msghdr *msg, int flags) { return sendmsg(fd, msg, flags); }
IPCX__PT ssize_t ipcx_recvmsg(int fd, struct msghdr *msg, int flags) { return recvmsg(fd, msg, flags); }
IPCX__PT ssize_t ipcx_read(int fd, void *buf, size_t n) { return read(fd, buf, n); }
IPCX__PT ssize_t ipcx_write(int fd, const void *buf, size_t n) { return write(fd, buf, n); }
IPCX__PT ssize_t ipcx_readv(int fd, const struct iovec *iov, int n) { return readv(fd, iov, n); }
IPCX__PT ssize_t ipcx_writev(int fd, const struct iovec *iov, int n) { return writev(fd, iov, n); }
IPCX__PT int ipcx_close(int fd) { return close(fd); }
IPCX__PT int ipcx_dup(int fd) { return dup(fd); }
IPCX__PT int ipcx_dup2(int fd, int fd2) { return dup2(fd, fd2); }
IPCX__PT int ipcx_pipe(int fds[2]) { return pipe(fds); }
IPCX__PT int ipcx_mkfifo(const char *path, mode_t mode) { return mkfifo(path, mode); }
IPCX__PT int ipcx_unlink(const char *path) { return unlink(path); }
IPCX__PT int ipcx_stat(const char *path, struct stat *st) { return stat(path, st); }
IPCX__PT int ipcx_fstat(int fd, struct stat *st) { return fstat(fd, st); }
IPCX__PT off_t ipcx_lseek(int fd, off_t off, int whence) { return lseek(fd, off, whence); }
IPCX__PT int ipcx_isatty(int fd) { return isatty(fd); }
IPCX__PT pid_t ipcx_getppid(void) { return getppid(); }
IPCX__PT uid_t ipcx_getuid(void) { return getuid(); }
IPCX__PT uid_t ipcx_geteuid(void) { return geteuid(); }
IPCX__PT gid_t ipcx_getgid(void) { return getgid(); }
IPCX__PT gid_t ipcx_getegid(void) { return getegid(); }
IPCX__PT int ipcx_poll(struct pollfd *fds, nfds_t n, int timeout) { return poll(fds, n, timeout); }
IPCX__PT int ipcx_select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv) { return select(n, r, w, e, tv); }
IPCX__PT pid_t ipcx_waitpid(pid_t pid, int *status, int options) { return waitpid(pid, status, options); }
IPCX__PT int ipcx_kill(pid_t pid, int sig) { return kill(pid, sig); }
IPCX__PT int ipcx_posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                              const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{ return posix_spawn(pid, path, fa, attr, argv, envp); }
IPCX__PT int ipcx_posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
                               const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{ return posix_spawnp(pid, file, fa, attr, argv, envp); }
IPCX__PT int ipcx_posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa) { return posix_spawn_file_actions_init(fa); }
IPCX__PT int ipcx_posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa) { return posix_spawn_file_actions_destroy(fa); }
IPCX__PT int ipcx_posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *fa, int fd, int newfd) { return posix_spawn_file_actions_adddup2(fa, fd, newfd); }
IPCX__PT int ipcx_posix_spawn_file_actions_addclose(posix_spawn_file_actions_t *fa, int fd) { return posix_spawn_file_actions_addclose(fa, fd); }
IPCX__PT int ipcx_posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *fa, int fd, const char *path, int oflag, mode_t mode) { return posix_spawn_file_actions_addopen(fa, fd, path, oflag, mode); }
IPCX__PT char *ipcx_strerror(int err) { return strerror(err); }
IPCX__PT void ipcx_perror(const char *s) { perror(s); }
IPCX__PT FILE *ipcx_fdopen(int fd, const char *mode) { return fdopen(fd, mode); }
IPCX__PT FILE *ipcx_fopen(const char *path, const char *mode) { return fopen(path, mode); }
IPCX__PT int ipcx_fclose(FILE *fp) { return fclose(fp); }
IPCX__PT int ipcx_fflush(FILE *fp) { return fflush(fp); }
IPCX__PT int ipcx_fileno(FILE *fp) { return fileno(fp); }
IPCX__PT int ipcx_posix_spawnattr_init(posix_spawnattr_t *a) { return posix_spawnattr_init(a); }
IPCX__PT int ipcx_posix_spawnattr_destroy(posix_spawnattr_t *a) { return posix_spawnattr_destroy(a); }
IPCX__PT int ipcx_posix_spawnattr_setflags(posix_spawnattr_t *a, short flags) { return posix_spawnattr_setflags(a, flags); }
IPCX__PT int ipcx_posix_spawnattr_getflags(const posix_spawnattr_t *a, short *flags) { return posix_spawnattr_getflags(a, flags); }
IPCX__PT int ipcx_posix_spawnattr_setpgroup(posix_spawnattr_t *a, pid_t pg) { return posix_spawnattr_setpgroup(a, pg); }
IPCX__PT int ipcx_posix_spawnattr_getpgroup(const posix_spawnattr_t *a, pid_t *pg) { return posix_spawnattr_getpgroup(a, pg); }
IPCX__PT int ipcx_posix_spawnattr_setsigmask(posix_spawnattr_t *a, const sigset_t *s) { return posix_spawnattr_setsigmask(a, s); }
IPCX__PT int ipcx_posix_spawnattr_getsigmask(const posix_spawnattr_t *a, sigset_t *s) { return posix_spawnattr_getsigmask(a, s); }
IPCX__PT int ipcx_posix_spawnattr_setsigdefault(posix_spawnattr_t *a, const sigset_t *s) { return posix_spawnattr_setsigdefault(a, s); }
IPCX__PT int ipcx_posix_spawnattr_getsigdefault(const posix_spawnattr_t *a, sigset_t *s) { return posix_spawnattr_getsigdefault(a, s); }
IPCX__PT void *ipcx_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off) { return mmap(addr, len, prot, flags, fd, off); }
IPCX__PT int ipcx_munmap(void *addr, size_t len) { return munmap(addr, len); }
IPCX__PT int ipcx_mprotect(void *addr, size_t len, int prot) { return mprotect(addr, len, prot); }
IPCX__PT int ipcx_msync(void *addr, size_t len, int flags) { return msync(addr, len, flags); }
IPCX__PT int ipcx_madvise(void *addr, size_t len, int advice) { return madvise(addr, len, advice); }
IPCX__PT int ipcx_posix_madvise(void *addr, size_t len, int advice) { return posix_madvise(addr, len, advice); }
IPCX__PT int ipcx_shm_open(const char *name, int oflag, mode_t mode) { return shm_open(name, oflag, mode); }
IPCX__PT int ipcx_shm_unlink(const char *name) { return shm_unlink(name); }
IPCX__PT int ipcx_sem_close(sem_t *sem) { return sem_close(sem); }
IPCX__PT int ipcx_sem_unlink(const char *name) { return sem_unlink(name); }
IPCX__PT int ipcx_sem_init(sem_t *sem, int pshared, unsigned int value) { return sem_init(sem, pshared, value); }
IPCX__PT int ipcx_sem_destroy(sem_t *sem) { return sem_destroy(sem); }
IPCX__PT int ipcx_sem_wait(sem_t *sem) { return sem_wait(sem); }
IPCX__PT int ipcx_sem_trywait(sem_t *sem) { return sem_trywait(sem); }
IPCX__PT int ipcx_sem_timedwait(sem_t *sem, const struct timespec *abstime) { return sem_timedwait(sem, abstime); }
IPCX__PT int ipcx_sem_post(sem_t *sem) { return sem_post(sem); }
IPCX__PT int ipcx_sem_getvalue(sem_t *sem, int *value) { return sem_getvalue(sem, value); }
IPCX__PT int ipcx_mq_close(mqd_t q) { return mq_close(q); }
IPCX__PT int ipcx_mq_unlink(const char *name) { return mq_unlink(name); }
IPCX__PT int ipcx_mq_send(mqd_t q, const char *msg, size_t len, unsigned int prio) { return mq_send(q, msg, len, prio); }
IPCX__PT ssize_t ipcx_mq_receive(mqd_t q, char *msg, size_t len, unsigned int *prio) { return mq_receive(q, msg, len, prio); }
IPCX__PT int ipcx_mq_timedsend(mqd_t q, const char *msg, size_t len, unsigned int prio, const struct timespec *abstime) { return mq_timedsend(q, msg, len, prio, abstime); }
IPCX__PT ssize_t ipcx_mq_timedreceive(mqd_t q, char *msg, size_t len, unsigned int *prio, const struct timespec *abstime) { return mq_timedreceive(q, msg, len, prio, abstime); }
IPCX__PT int ipcx_mq_getattr(mqd_t q, struct mq_attr *attr) { return mq_getattr(q, attr); }
IPCX__PT int ipcx_mq_setattr(mqd_t q, const struct mq_attr *attr, struct mq_attr *old) { return mq_setattr(q, attr, old); }
IPCX__PT int ipcx_mq_notify(mqd_t q, const struct sigevent *sev) { return mq_notify(q, sev); }
#if defined(__USE_GNU) && defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 29)
IPCX__PT int ipcx_posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *fa, const char *path) { return posix_spawn_file_actions_addchdir_np(fa, path); }
#endif

/* The POSIX pieces ports need beyond IPC (resource.c, random.c, fd.c on Windows). */
#include <stdlib.h>
#include <sys/resource.h>
#define ipcx_rlimit rlimit
typedef rlim_t ipcx_rlim_t;
#define IPCX_RLIMIT_NOFILE RLIMIT_NOFILE
#define IPCX_RLIM_INFINITY RLIM_INFINITY
#define IPCX_SC_OPEN_MAX _SC_OPEN_MAX
#define IPCX_SC_PAGESIZE _SC_PAGESIZE
#define IPCX_SC_NPROCESSORS_CONF _SC_NPROCESSORS_CONF
#define IPCX_SC_NPROCESSORS_ONLN _SC_NPROCESSORS_ONLN
#define IPCX_SC_CLK_TCK _SC_CLK_TCK
#define IPCX_SC_IOV_MAX _SC_IOV_MAX
#define IPCX_SC_ARG_MAX _SC_ARG_MAX
#define IPCX_SC_CHILD_MAX _SC_CHILD_MAX
#if defined(__GLIBC__)
/* Declared by glibc's headers only under some feature macros. */
# if !defined(__USE_GNU)
extern int dup3(int fd, int fd2, int flags);
extern int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *mask);
# endif
# if !defined(__USE_XOPEN2K)
extern int pselect(int n, fd_set *r, fd_set *w, fd_set *e, const struct timespec *ts, const sigset_t *mask);
# endif
# if !defined(__USE_UNIX98) && !defined(__USE_XOPEN2K8)
extern ssize_t pread(int fd, void *buf, size_t n, off_t off);
extern ssize_t pwrite(int fd, const void *buf, size_t n, off_t off);
# endif
# if !defined(__USE_MISC) && !defined(__USE_XOPEN_EXTENDED)
extern long random(void);
extern void srandom(unsigned int seed);
# endif
# if !defined(__USE_XOPEN2K)
extern int setenv(const char *name, const char *value, int overwrite);
extern int unsetenv(const char *name);
# endif
# if !defined(__USE_POSIX2)
extern int pclose(FILE *fp);
# endif
# if !defined(__USE_XOPEN2K8)
extern char *strsignal(int sig);
extern void psignal(int sig, const char *s);
# endif
#endif
IPCX__PT int ipcx_dup3(int fd, int fd2, int flags) { return dup3(fd, fd2, flags); }
IPCX__PT int ipcx_ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *mask) { return ppoll(fds, n, ts, mask); }
IPCX__PT int ipcx_pselect(int n, fd_set *r, fd_set *w, fd_set *e, const struct timespec *ts, const sigset_t *mask) { return pselect(n, r, w, e, ts, mask); }
IPCX__PT ssize_t ipcx_pread(int fd, void *buf, size_t n, off_t off) { return pread(fd, buf, n, off); }
IPCX__PT ssize_t ipcx_pwrite(int fd, const void *buf, size_t n, off_t off) { return pwrite(fd, buf, n, off); }
IPCX__PT int ipcx_getrlimit(int resource, struct rlimit *rl) { return getrlimit(resource, rl); }
IPCX__PT int ipcx_setrlimit(int resource, const struct rlimit *rl) { return setrlimit(resource, rl); }
IPCX__PT long ipcx_sysconf(int name) { return sysconf(name); }
IPCX__PT int ipcx_getdtablesize(void) { return (int)sysconf(_SC_OPEN_MAX); }
IPCX__PT int ipcx_getpagesize(void) { return (int)sysconf(_SC_PAGESIZE); }
IPCX__PT int ipcx_mkdir(const char *path, mode_t mode) { return mkdir(path, mode); }
IPCX__PT int ipcx_rmdir(const char *path) { return rmdir(path); }
IPCX__PT int ipcx_chdir(const char *path) { return chdir(path); }
IPCX__PT long ipcx_random(void) { return random(); }
IPCX__PT void ipcx_srandom(unsigned int seed) { srandom(seed); }
IPCX__PT int ipcx_setenv(const char *name, const char *value, int overwrite) { return setenv(name, value, overwrite); }
IPCX__PT int ipcx_unsetenv(const char *name) { return unsetenv(name); }
IPCX__PT char *ipcx_strsignal(int sig) { return strsignal(sig); }
IPCX__PT void ipcx_psignal(int sig, const char *s) { psignal(sig, s); }
IPCX__PT int ipcx_pclose(FILE *fp) { return pclose(fp); }
IPCX__PT int ipcx_system(const char *cmd) { return system(cmd); }
#if defined(__USE_GNU) && defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 29)
/* POSIX 2024's name; glibc before 2.41 has only the _np one, which is the same call. */
IPCX__PT int ipcx_posix_spawn_file_actions_addchdir(posix_spawn_file_actions_t *fa, const char *path) { return posix_spawn_file_actions_addchdir_np(fa, path); }
#endif
/* Signals (win32/signal.c on Windows).  struct ipcx_sigaction is struct sigaction. */
#define ipcx_sigaction sigaction
#define ipcx_itimerval itimerval
typedef sigset_t ipcx_sigset_t;
typedef siginfo_t ipcx_siginfo_t;
typedef void (*ipcx_sighandler_t)(int);
IPCX__PT ipcx_sighandler_t ipcx_signal(int sig, ipcx_sighandler_t fn) { return signal(sig, fn); }
IPCX__PT int ipcx_raise(int sig) { return raise(sig); }
IPCX__PT __attribute__((__noreturn__)) void ipcx_abort(void) { abort(); }
IPCX__PT int ipcx_sigemptyset(sigset_t *s) { return sigemptyset(s); }
IPCX__PT int ipcx_sigfillset(sigset_t *s) { return sigfillset(s); }
IPCX__PT int ipcx_sigaddset(sigset_t *s, int sig) { return sigaddset(s, sig); }
IPCX__PT int ipcx_sigdelset(sigset_t *s, int sig) { return sigdelset(s, sig); }
IPCX__PT int ipcx_sigismember(const sigset_t *s, int sig) { return sigismember(s, sig); }
IPCX__PT int ipcx_sigprocmask(int how, const sigset_t *set, sigset_t *old) { return sigprocmask(how, set, old); }
IPCX__PT int ipcx_pthread_sigmask(int how, const sigset_t *set, sigset_t *old) { return pthread_sigmask(how, set, old); }
IPCX__PT int ipcx_sigpending(sigset_t *s) { return sigpending(s); }
IPCX__PT int ipcx_sigsuspend(const sigset_t *s) { return sigsuspend(s); }
IPCX__PT int ipcx_sigwait(const sigset_t *s, int *sig) { return sigwait(s, sig); }
IPCX__PT int ipcx_sigtimedwait(const sigset_t *s, siginfo_t *i, const struct timespec *t) { return sigtimedwait(s, i, t); }
IPCX__PT int ipcx_sigwaitinfo(const sigset_t *s, siginfo_t *i) { return sigwaitinfo(s, i); }
IPCX__PT int ipcx_pause(void) { return pause(); }
IPCX__PT unsigned ipcx_alarm(unsigned s) { return alarm(s); }
IPCX__PT int ipcx_setitimer(int which, const struct itimerval *v, struct itimerval *old) { return setitimer(which, v, old); }
IPCX__PT int ipcx_getitimer(int which, struct itimerval *v) { return getitimer(which, v); }
IPCX__PT unsigned ipcx_sleep(unsigned s) { return sleep(s); }
IPCX__PT int ipcx_usleep(useconds_t us) { return usleep(us); }
IPCX__PT int ipcx_nanosleep(const struct timespec *req, struct timespec *rem) { return nanosleep(req, rem); }

#if defined(__linux__)
# if !defined(__USE_GNU) && !defined(_GNU_SOURCE)
/* Declared by <sys/socket.h> and <unistd.h> only under _GNU_SOURCE. */
extern int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
extern int pipe2(int fds[2], int flags);
# endif
IPCX__PT int ipcx_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) { return accept4(fd, addr, len, flags); }
IPCX__PT int ipcx_pipe2(int fds[2], int flags) { return pipe2(fds, flags); }
/* Linux has SO_PEERCRED but no getpeereid(): libipcx carries it (posix/getpeereid.c). */
IPCX_EXTERN int ipcx_getpeereid(int fd, uid_t *uid, gid_t *gid);
#else
IPCX__PT int ipcx_getpeereid(int fd, uid_t *uid, gid_t *gid) { return getpeereid(fd, uid, gid); }
#endif

#undef IPCX__PT

#else /* _WIN32 */
/* ======================================================================
 * Windows: implemented in libipcx.  The POSIX types MinGW lacks are
 * defined here; the ones that clash with Winsock carry an ipcx_ name
 * (compat/ renames them back).  Only <stddef.h> and <sys/types.h> come
 * in: the drop-in headers of compat/ include this file, and a program that
 * includes <poll.h> should get about what glibc's gives it.  FILE and
 * struct stat are the CRT's (struct _iobuf is FILE's tag in both msvcrt
 * and UCRT headers).
 * ====================================================================== */
#include <_timeval.h>           /* struct timeval, and nothing else */
struct sockaddr;
struct timespec;
struct timeval;
struct stat;
struct _iobuf;
#ifndef _WS2TCPIP_H_            /* which defines it again, unguarded */
typedef int socklen_t;          /* the same type as ws2tcpip.h's */
#endif
#ifndef IPCX__ID_TYPES          /* compat/sys/types.h has them too */
#define IPCX__ID_TYPES
typedef int uid_t;
typedef int gid_t;
#endif

struct iovec {
  void *iov_base;
  size_t iov_len;
};

struct msghdr {
  void *msg_name;
  socklen_t msg_namelen;
  struct iovec *msg_iov;
  size_t msg_iovlen;
  void *msg_control;
  size_t msg_controllen;
  int msg_flags;
};

struct ipcx_pollfd {
  int fd;
  short events;
  short revents;
};
typedef unsigned long ipcx_nfds_t;
/* Linux's values (Winsock's WSAPoll uses others; compat/poll.h renames). */
#define IPCX_POLLIN 0x001
#define IPCX_POLLPRI 0x002
#define IPCX_POLLOUT 0x004
#define IPCX_POLLERR 0x008
#define IPCX_POLLHUP 0x010
#define IPCX_POLLNVAL 0x020
#define IPCX_POLLRDNORM 0x040
#define IPCX_POLLRDBAND 0x080
#define IPCX_POLLWRNORM 0x100
#define IPCX_POLLWRBAND 0x200
#define IPCX_POLLRDHUP 0x2000

/* Sized for the CRT's fd numbers (8192 at most). */
#define IPCX_FD_SETSIZE 8192
typedef struct {
  unsigned long long fds_bits[IPCX_FD_SETSIZE / 64];
} ipcx_fd_set;
#define IPCX_FD_ZERO(s) ((void)__builtin_memset((s), 0, sizeof(ipcx_fd_set)))
#define IPCX_FD_SET(fd, s) ((s)->fds_bits[(unsigned)(fd) / 64] |= 1ULL << ((unsigned)(fd) % 64))
#define IPCX_FD_CLR(fd, s) ((s)->fds_bits[(unsigned)(fd) / 64] &= ~(1ULL << ((unsigned)(fd) % 64)))
#define IPCX_FD_ISSET(fd, s) ((int)(((s)->fds_bits[(unsigned)(fd) / 64] >> ((unsigned)(fd) % 64)) & 1))

typedef struct {
  int count;
  int capacity;
  void *actions;                /* owned by libipcx */
  int reserved[4];
} ipcx_posix_spawn_file_actions_t;

typedef struct {
  short flags;
  pid_t pgroup;
  unsigned long long sigmask;   /* POSIX_SPAWN_SETSIGMASK (an ipcx_sigset_t) */
  unsigned long long sigdefault;  /* POSIX_SPAWN_SETSIGDEF */
  int reserved[4];
} ipcx_posix_spawnattr_t;

/* Flags MinGW's <fcntl.h> lacks.  O_CLOEXEC is the CRT's own no-inherit bit. */
#ifndef O_NONBLOCK
# define O_NONBLOCK 0x100000
#endif
#ifndef O_CLOEXEC
# define O_CLOEXEC 0x0080        /* _O_NOINHERIT */
#endif
#ifndef O_NOCTTY
# define O_NOCTTY 0
#endif
#ifndef O_NOFOLLOW
# define O_NOFOLLOW 0
#endif
#ifndef O_DIRECTORY
# define O_DIRECTORY 0x200000
#endif
#ifndef O_SYNC
# define O_SYNC 0
#endif
#ifndef O_DSYNC
# define O_DSYNC 0
#endif
#ifndef O_ACCMODE
# define O_ACCMODE _O_ACCMODE  /* the same tokens as <fcntl.h>'s */
#endif
#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC 1

/* Socket flags and options Winsock lacks, with Linux's values where free. */
#define SOCK_NONBLOCK O_NONBLOCK
#define SOCK_CLOEXEC O_CLOEXEC
#ifndef MSG_DONTWAIT
# define MSG_DONTWAIT 0x40
#endif
#ifndef MSG_NOSIGNAL
# define MSG_NOSIGNAL 0x4000
#endif
#ifndef MSG_TRUNC
# define MSG_TRUNC 0x0100        /* <mswsock.h>'s values */
#endif
#ifndef MSG_CTRUNC
# define MSG_CTRUNC 0x0200
#endif
#ifndef MSG_CMSG_CLOEXEC
# define MSG_CMSG_CLOEXEC 0x40000000
#endif
#ifndef SHUT_RDWR               /* MinGW's <unistd.h> has them under _POSIX_SOURCE */
# define SHUT_RD 0x00
# define SHUT_WR 0x01
# define SHUT_RDWR 0x02
#endif
#define SO_PEERCRED 0x7001
#define SO_DOMAIN 0x7002
#define SO_PROTOCOL_IPCX 0x7003
#define SO_PASSCRED 0x7004
struct ucred {
  pid_t pid;
  uid_t uid;
  gid_t gid;
};

/* waitpid() status, encoded as Linux does. */
#define WNOHANG 1
#define WUNTRACED 2
#define WEXITSTATUS(s) (((s) >> 8) & 0xff)
#define WTERMSIG(s) ((s) & 0x7f)
#define WIFEXITED(s) (WTERMSIG(s) == 0)
#define WIFSIGNALED(s) (((signed char)(((s) & 0x7f) + 1) >> 1) > 0)
#define WIFSTOPPED(s) (((s) & 0xff) == 0x7f)
#define WCOREDUMP(s) ((s) & 0x80)  /* never set: Windows writes no core */
#define WSTOPSIG(s) WEXITSTATUS(s)
#define WCONTINUED 8
#define WIFCONTINUED(s) ((s) == 0xffff)

/* posix_spawnattr_setflags() flags, Linux's values. */
#define POSIX_SPAWN_RESETIDS 0x01
#define POSIX_SPAWN_SETPGROUP 0x02
#define POSIX_SPAWN_SETSIGDEF 0x04
#define POSIX_SPAWN_SETSIGMASK 0x08
#define POSIX_SPAWN_SETSCHEDPARAM 0x10
#define POSIX_SPAWN_SETSCHEDULER 0x20
#define POSIX_SPAWN_SETSID 0x80

#ifndef S_IFSOCK
# define S_IFSOCK 0xC000
#endif
#ifndef S_ISSOCK
# define S_ISSOCK(m) (((m) & S_IFMT) == S_IFSOCK)
#endif
#ifndef S_ISFIFO
# define S_ISFIFO(m) (((m) & S_IFMT) == S_IFIFO)  /* as <sys/stat.h> says it */
#endif

/* <sys/mman.h>, <semaphore.h>, <mqueue.h>: Linux's values (docs/shm.md). */
struct timespec;
#define PROT_NONE 0x0
#define PROT_READ 0x1
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4
#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_SHARED_VALIDATE 0x03
#define MAP_TYPE 0x0f
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_ANON MAP_ANONYMOUS
#define MAP_NORESERVE 0x4000
#define MAP_POPULATE 0x8000
#define MAP_FAILED ((void *)-1)
#define MS_ASYNC 1
#define MS_INVALIDATE 2
#define MS_SYNC 4
#define MADV_NORMAL 0
#define MADV_RANDOM 1
#define MADV_SEQUENTIAL 2
#define MADV_WILLNEED 3
#define MADV_DONTNEED 4
#define POSIX_MADV_NORMAL 0
#define POSIX_MADV_RANDOM 1
#define POSIX_MADV_SEQUENTIAL 2
#define POSIX_MADV_WILLNEED 3
#define POSIX_MADV_DONTNEED 4

/*
 * A semaphore: its count and the number of waiters live in the struct (so a
 * sem_t in shared memory is the same semaphore in every process that maps
 * it); blocked waiters sleep on a Win32 semaphore named after `id`.
 */
typedef struct ipcx_sem {
  volatile long value;
  volatile long waiters;
  unsigned int magic;
  unsigned int pshared;
  char id[32];
  long long reserved[2];
} ipcx_sem_t;
#define IPCX_SEM_VALUE_MAX 2147483647
#define IPCX_SEM_FAILED ((ipcx_sem_t *)0)

/* A message queue descriptor: an fd, as on Linux (poll() and select() wait on it). */
typedef int ipcx_mqd_t;
struct ipcx_mq_attr {
  long mq_flags;
  long mq_maxmsg;
  long mq_msgsize;
  long mq_curmsgs;
};
#define IPCX_MQ_PRIO_MAX 32768

/*
 * Signals (win32/signal.c; docs/signals.md).  Linux's numbers; SIGINT, SIGILL,
 * SIGFPE, SIGSEGV, SIGTERM and SIGABRT (22) keep MinGW's.  Linux's SIGTTIN
 * and SIGTTOU (21, 22) clash with MinGW's SIGBREAK and SIGABRT: not defined.
 */
#ifndef SIGHUP
# define SIGHUP 1
#endif
#ifndef SIGQUIT
# define SIGQUIT 3
#endif
#ifndef SIGTRAP
# define SIGTRAP 5
#endif
#ifndef SIGBUS
# define SIGBUS 7
#endif
#ifndef SIGKILL
# define SIGKILL 9
#endif
#ifndef SIGUSR1
# define SIGUSR1 10
#endif
#ifndef SIGUSR2
# define SIGUSR2 12
#endif
#ifndef SIGPIPE
# define SIGPIPE 13
#endif
#ifndef SIGALRM
# define SIGALRM 14
#endif
#ifndef SIGSTKFLT
# define SIGSTKFLT 16
#endif
#ifndef SIGCHLD
# define SIGCHLD 17
#endif
#ifndef SIGCONT
# define SIGCONT 18
#endif
#ifndef SIGSTOP
# define SIGSTOP 19
#endif
#ifndef SIGTSTP
# define SIGTSTP 20
#endif
#ifndef SIGURG
# define SIGURG 23
#endif
#ifndef SIGXCPU
# define SIGXCPU 24
#endif
#ifndef SIGXFSZ
# define SIGXFSZ 25
#endif
#ifndef SIGVTALRM
# define SIGVTALRM 26
#endif
#ifndef SIGPROF
# define SIGPROF 27
#endif
#ifndef SIGWINCH
# define SIGWINCH 28
#endif
#ifndef SIGIO
# define SIGIO 29
# define SIGPOLL SIGIO
#endif
#ifndef SIGPWR
# define SIGPWR 30
#endif
#ifndef SIGSYS
# define SIGSYS 31
#endif
#define IPCX_NSIG 65            /* signals 1..64, as Linux's _NSIG */
#ifndef SA_RESTART
# define SA_NOCLDSTOP 0x00000001
# define SA_NOCLDWAIT 0x00000002
# define SA_SIGINFO 0x00000004
# define SA_ONSTACK 0x08000000
# define SA_RESTART 0x10000000
# define SA_NODEFER 0x40000000
# define SA_RESETHAND 0x80000000
#endif
#ifndef SIG_BLOCK
# define SIG_BLOCK 0
# define SIG_UNBLOCK 1
# define SIG_SETMASK 2
#endif
/* si_code values, Linux's. */
#define SI_USER 0
#define SI_KERNEL 0x80
#define SI_QUEUE (-1)
#define SI_TIMER (-2)
#define SI_MESGQ (-3)
#define SI_TKILL (-6)
#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_DUMPED 3
#define ITIMER_REAL 0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF 2

typedef _sigset_t ipcx_sigset_t; /* bit sig - 1 for signal sig */
typedef void (*ipcx_sighandler_t)(int);
union ipcx_sigval {
  int sival_int;
  void *sival_ptr;
};
struct ipcx_sigevent {
  union ipcx_sigval sigev_value;
  int sigev_signo;
  int sigev_notify;
  void (*sigev_notify_function)(union ipcx_sigval);
  void *sigev_notify_attributes;
};
#define IPCX_SIGEV_SIGNAL 0
#define IPCX_SIGEV_NONE 1
#define IPCX_SIGEV_THREAD 2
typedef struct {
  int si_signo;
  int si_errno;
  int si_code;
  pid_t si_pid;                 /* the sender (SI_USER), the child (SIGCHLD) */
  uid_t si_uid;                 /* (uid_t)-1: Windows has no uids */
  int si_status;                /* SIGCHLD: exit status or signal */
  void *si_addr;
  union ipcx_sigval si_value;
} ipcx_siginfo_t;
struct ipcx_sigaction {
  union {
    ipcx_sighandler_t sa_handler;
    void (*sa_sigaction)(int, ipcx_siginfo_t *, void *);
  } ipcx__sa_u;                 /* the union glibc has, under glibc's macros */
  ipcx_sigset_t sa_mask;
  int sa_flags;
};
#define sa_handler ipcx__sa_u.sa_handler
#define sa_sigaction ipcx__sa_u.sa_sigaction
struct ipcx_itimerval {
  struct timeval it_interval;
  struct timeval it_value;
};

IPCX_EXTERN int ipcx_socket(int domain, int type, int protocol);
IPCX_EXTERN int ipcx_socketpair(int domain, int type, int protocol, int sv[2]);
IPCX_EXTERN int ipcx_bind(int fd, const struct sockaddr *addr, socklen_t len);
IPCX_EXTERN int ipcx_listen(int fd, int backlog);
IPCX_EXTERN int ipcx_accept(int fd, struct sockaddr *addr, socklen_t *len);
IPCX_EXTERN int ipcx_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
IPCX_EXTERN int ipcx_connect(int fd, const struct sockaddr *addr, socklen_t len);
IPCX_EXTERN int ipcx_shutdown(int fd, int how);
IPCX_EXTERN int ipcx_getsockname(int fd, struct sockaddr *addr, socklen_t *len);
IPCX_EXTERN int ipcx_getpeername(int fd, struct sockaddr *addr, socklen_t *len);
IPCX_EXTERN int ipcx_getsockopt(int fd, int level, int name, void *val, socklen_t *len);
IPCX_EXTERN int ipcx_setsockopt(int fd, int level, int name, const void *val, socklen_t len);
IPCX_EXTERN int ipcx_getpeereid(int fd, uid_t *uid, gid_t *gid);
IPCX_EXTERN ssize_t ipcx_send(int fd, const void *buf, size_t n, int flags);
IPCX_EXTERN ssize_t ipcx_recv(int fd, void *buf, size_t n, int flags);
IPCX_EXTERN ssize_t ipcx_sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *addr, socklen_t alen);
IPCX_EXTERN ssize_t ipcx_recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *addr, socklen_t *alen);
IPCX_EXTERN ssize_t ipcx_sendmsg(int fd, const struct msghdr *msg, int flags);
IPCX_EXTERN ssize_t ipcx_recvmsg(int fd, struct msghdr *msg, int flags);
IPCX_EXTERN ssize_t ipcx_read(int fd, void *buf, size_t n);
IPCX_EXTERN ssize_t ipcx_write(int fd, const void *buf, size_t n);
IPCX_EXTERN ssize_t ipcx_readv(int fd, const struct iovec *iov, int n);
IPCX_EXTERN ssize_t ipcx_writev(int fd, const struct iovec *iov, int n);
IPCX_EXTERN int ipcx_close(int fd);
IPCX_EXTERN int ipcx_dup(int fd);
IPCX_EXTERN int ipcx_dup2(int fd, int fd2);
IPCX_EXTERN int ipcx_pipe(int fds[2]);
IPCX_EXTERN int ipcx_pipe2(int fds[2], int flags);
IPCX_EXTERN int ipcx_mkfifo(const char *path, mode_t mode);
IPCX_EXTERN int ipcx_open(const char *path, int flags, ...);
IPCX_EXTERN int ipcx_unlink(const char *path);
IPCX_EXTERN int ipcx_stat(const char *path, struct stat *st);
IPCX_EXTERN int ipcx_fstat(int fd, struct stat *st);
/* Windows only: the Win32 handle of the object behind fd, not a copy (it
 * stays fd's): an AF_UNIX socket's pipe (its CRT slot, _get_osfhandle's
 * answer, holds a placeholder), a pipe's or FIFO's end; for a file the CRT
 * serves, _get_osfhandle(fd).  INVALID_HANDLE_VALUE with errno EBADF. */
IPCX_EXTERN void *ipcx_get_osfhandle(int fd);
/* lseek with a 64-bit offset whatever the caller's off_t; ipcx_lseek below. */
IPCX_EXTERN long long ipcx_lseek64(int fd, long long off, int whence);
static inline off_t ipcx_lseek(int fd, off_t off, int whence)
{
  return (off_t)ipcx_lseek64(fd, off, whence);
}
IPCX_EXTERN int ipcx_isatty(int fd);
IPCX_EXTERN pid_t ipcx_getppid(void);
/* Windows has no uids: (uid_t)-1 and (gid_t)-1, what SO_PEERCRED reports. */
IPCX_EXTERN uid_t ipcx_getuid(void);
IPCX_EXTERN uid_t ipcx_geteuid(void);
IPCX_EXTERN gid_t ipcx_getgid(void);
IPCX_EXTERN gid_t ipcx_getegid(void);
IPCX_EXTERN int ipcx_fcntl(int fd, int cmd, ...);
IPCX_EXTERN int ipcx_ioctl(int fd, unsigned long request, ...);
IPCX_EXTERN int ipcx_poll(struct ipcx_pollfd *fds, ipcx_nfds_t n, int timeout);
IPCX_EXTERN int ipcx_select(int n, ipcx_fd_set *r, ipcx_fd_set *w, ipcx_fd_set *e, struct timeval *tv);
IPCX_EXTERN pid_t ipcx_waitpid(pid_t pid, int *status, int options);
IPCX_EXTERN int ipcx_kill(pid_t pid, int sig);
IPCX_EXTERN int ipcx_posix_spawn(pid_t *pid, const char *path, const ipcx_posix_spawn_file_actions_t *fa,
                                 const ipcx_posix_spawnattr_t *attr, char *const argv[], char *const envp[]);
IPCX_EXTERN int ipcx_posix_spawnp(pid_t *pid, const char *file, const ipcx_posix_spawn_file_actions_t *fa,
                                  const ipcx_posix_spawnattr_t *attr, char *const argv[], char *const envp[]);
IPCX_EXTERN int ipcx_posix_spawn_file_actions_init(ipcx_posix_spawn_file_actions_t *fa);
IPCX_EXTERN int ipcx_posix_spawn_file_actions_destroy(ipcx_posix_spawn_file_actions_t *fa);
IPCX_EXTERN int ipcx_posix_spawn_file_actions_adddup2(ipcx_posix_spawn_file_actions_t *fa, int fd, int newfd);
IPCX_EXTERN int ipcx_posix_spawn_file_actions_addclose(ipcx_posix_spawn_file_actions_t *fa, int fd);
IPCX_EXTERN int ipcx_posix_spawn_file_actions_addopen(ipcx_posix_spawn_file_actions_t *fa, int fd, const char *path, int oflag, mode_t mode);
/* strerror()/perror() with Linux's messages (MinGW's CRT lacks the socket ones). */
IPCX_EXTERN char *ipcx_strerror(int err);
IPCX_EXTERN void ipcx_perror(const char *s);
/* strsignal()/psignal() with Linux's texts (MinGW has neither). */
IPCX_EXTERN char *ipcx_strsignal(int sig);
IPCX_EXTERN void ipcx_psignal(int sig, const char *s);
/* stdio on pipes, FIFOs and sockets (win32/stdio.c): a FILE over a relayed bridge. */
IPCX_EXTERN struct _iobuf *ipcx_fdopen(int fd, const char *mode);
IPCX_EXTERN struct _iobuf *ipcx_fopen(const char *path, const char *mode);
IPCX_EXTERN int ipcx_fclose(struct _iobuf *fp);
IPCX_EXTERN int ipcx_fflush(struct _iobuf *fp);
IPCX_EXTERN int ipcx_fileno(struct _iobuf *fp);
/* pclose() and system() with the wait status Linux gives (win32/process.c). */
IPCX_EXTERN int ipcx_pclose(struct _iobuf *fp);
IPCX_EXTERN int ipcx_system(const char *cmd);
IPCX_EXTERN int ipcx_posix_spawnattr_init(ipcx_posix_spawnattr_t *a);
IPCX_EXTERN int ipcx_posix_spawnattr_destroy(ipcx_posix_spawnattr_t *a);
IPCX_EXTERN int ipcx_posix_spawnattr_setflags(ipcx_posix_spawnattr_t *a, short flags);
IPCX_EXTERN int ipcx_posix_spawnattr_getflags(const ipcx_posix_spawnattr_t *a, short *flags);
IPCX_EXTERN int ipcx_posix_spawnattr_setpgroup(ipcx_posix_spawnattr_t *a, pid_t pg);
IPCX_EXTERN int ipcx_posix_spawnattr_getpgroup(const ipcx_posix_spawnattr_t *a, pid_t *pg);
IPCX_EXTERN int ipcx_posix_spawnattr_setsigmask(ipcx_posix_spawnattr_t *a, const ipcx_sigset_t *s);
IPCX_EXTERN int ipcx_posix_spawnattr_getsigmask(const ipcx_posix_spawnattr_t *a, ipcx_sigset_t *s);
IPCX_EXTERN int ipcx_posix_spawnattr_setsigdefault(ipcx_posix_spawnattr_t *a, const ipcx_sigset_t *s);
IPCX_EXTERN int ipcx_posix_spawnattr_getsigdefault(const ipcx_posix_spawnattr_t *a, ipcx_sigset_t *s);
IPCX_EXTERN int ipcx_posix_spawn_file_actions_addchdir_np(ipcx_posix_spawn_file_actions_t *fa, const char *path);
/* POSIX 2024's name for the same call. */
IPCX_EXTERN int ipcx_posix_spawn_file_actions_addchdir(ipcx_posix_spawn_file_actions_t *fa, const char *path);

/* The POSIX pieces ports need beyond IPC (docs/porting-gaps.md). */
struct timespec;
IPCX_EXTERN int ipcx_dup3(int fd, int fd2, int flags);
/* mask (a sigset_t *, or NULL) is the thread's mask during the wait (docs/signals.md). */
IPCX_EXTERN int ipcx_ppoll(struct ipcx_pollfd *fds, ipcx_nfds_t n, const struct timespec *ts, const void *mask);
IPCX_EXTERN int ipcx_pselect(int n, ipcx_fd_set *r, ipcx_fd_set *w, ipcx_fd_set *e,
                             const struct timespec *ts, const void *mask);
IPCX_EXTERN ssize_t ipcx_pread(int fd, void *buf, size_t n, long long off);
IPCX_EXTERN ssize_t ipcx_pwrite(int fd, const void *buf, size_t n, long long off);
typedef unsigned long long ipcx_rlim_t;
struct ipcx_rlimit {
  ipcx_rlim_t rlim_cur;
  ipcx_rlim_t rlim_max;
};
/* Linux's resource numbers and RLIM_INFINITY. */
#define IPCX_RLIMIT_CPU 0
#define IPCX_RLIMIT_FSIZE 1
#define IPCX_RLIMIT_DATA 2
#define IPCX_RLIMIT_STACK 3
#define IPCX_RLIMIT_CORE 4
#define IPCX_RLIMIT_NOFILE 7
#define IPCX_RLIMIT_AS 9
#define IPCX_RLIMIT_NLIMITS 16
#define IPCX_RLIM_INFINITY (~(ipcx_rlim_t)0)
IPCX_EXTERN int ipcx_getrlimit(int resource, struct ipcx_rlimit *rl);
IPCX_EXTERN int ipcx_setrlimit(int resource, const struct ipcx_rlimit *rl);
/* Linux's _SC_ numbers. */
#define IPCX_SC_ARG_MAX 0
#define IPCX_SC_CHILD_MAX 1
#define IPCX_SC_CLK_TCK 2
#define IPCX_SC_OPEN_MAX 4
#define IPCX_SC_PAGESIZE 30
#define IPCX_SC_IOV_MAX 60
#define IPCX_SC_NPROCESSORS_CONF 83
#define IPCX_SC_NPROCESSORS_ONLN 84
IPCX_EXTERN long ipcx_sysconf(int name);
IPCX_EXTERN int ipcx_getdtablesize(void);
IPCX_EXTERN int ipcx_getpagesize(void);
/* By exact path: "t." is not "t", "CON" is an ordinary name, no 260 limit. */
IPCX_EXTERN int ipcx_mkdir(const char *path, mode_t mode);
IPCX_EXTERN int ipcx_rmdir(const char *path);
IPCX_EXTERN int ipcx_chdir(const char *path);
IPCX_EXTERN long ipcx_random(void);
IPCX_EXTERN void ipcx_srandom(unsigned int seed);
/* setenv/unsetenv over the CRT's environment (env.c); "" removes the variable. */
IPCX_EXTERN int ipcx_setenv(const char *name, const char *value, int overwrite);
IPCX_EXTERN int ipcx_unsetenv(const char *name);

/* mmap with a 64-bit offset whatever the caller's off_t; ipcx_mmap below. */
IPCX_EXTERN void *ipcx_mmap64(void *addr, size_t len, int prot, int flags, int fd, long long off);
static inline void *ipcx_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
  return ipcx_mmap64(addr, len, prot, flags, fd, off);
}
IPCX_EXTERN int ipcx_munmap(void *addr, size_t len);
IPCX_EXTERN int ipcx_mprotect(void *addr, size_t len, int prot);
IPCX_EXTERN int ipcx_msync(void *addr, size_t len, int flags);
IPCX_EXTERN int ipcx_madvise(void *addr, size_t len, int advice);
IPCX_EXTERN int ipcx_posix_madvise(void *addr, size_t len, int advice);
IPCX_EXTERN int ipcx_shm_open(const char *name, int oflag, mode_t mode);
IPCX_EXTERN int ipcx_shm_unlink(const char *name);
IPCX_EXTERN ipcx_sem_t *ipcx_sem_open(const char *name, int oflag, ...);
IPCX_EXTERN int ipcx_sem_close(ipcx_sem_t *sem);
IPCX_EXTERN int ipcx_sem_unlink(const char *name);
IPCX_EXTERN int ipcx_sem_init(ipcx_sem_t *sem, int pshared, unsigned int value);
IPCX_EXTERN int ipcx_sem_destroy(ipcx_sem_t *sem);
IPCX_EXTERN int ipcx_sem_wait(ipcx_sem_t *sem);
IPCX_EXTERN int ipcx_sem_trywait(ipcx_sem_t *sem);
IPCX_EXTERN int ipcx_sem_timedwait(ipcx_sem_t *sem, const struct timespec *abstime);
IPCX_EXTERN int ipcx_sem_post(ipcx_sem_t *sem);
IPCX_EXTERN int ipcx_sem_getvalue(ipcx_sem_t *sem, int *value);
IPCX_EXTERN ipcx_mqd_t ipcx_mq_open(const char *name, int oflag, ...);
IPCX_EXTERN int ipcx_mq_close(ipcx_mqd_t q);
IPCX_EXTERN int ipcx_mq_unlink(const char *name);
IPCX_EXTERN int ipcx_mq_send(ipcx_mqd_t q, const char *msg, size_t len, unsigned int prio);
IPCX_EXTERN ssize_t ipcx_mq_receive(ipcx_mqd_t q, char *msg, size_t len, unsigned int *prio);
IPCX_EXTERN int ipcx_mq_timedsend(ipcx_mqd_t q, const char *msg, size_t len, unsigned int prio, const struct timespec *abstime);
IPCX_EXTERN ssize_t ipcx_mq_timedreceive(ipcx_mqd_t q, char *msg, size_t len, unsigned int *prio, const struct timespec *abstime);
IPCX_EXTERN int ipcx_mq_getattr(ipcx_mqd_t q, struct ipcx_mq_attr *attr);
IPCX_EXTERN int ipcx_mq_setattr(ipcx_mqd_t q, const struct ipcx_mq_attr *attr, struct ipcx_mq_attr *old);
IPCX_EXTERN int ipcx_mq_notify(ipcx_mqd_t q, const struct ipcx_sigevent *sev);

/* Signals (win32/signal.c, win32/timer.c, win32/sleep.c; docs/signals.md). */
IPCX_EXTERN int ipcx_sigaction(int sig, const struct ipcx_sigaction *act, struct ipcx_sigaction *old);
IPCX_EXTERN ipcx_sighandler_t ipcx_signal(int sig, ipcx_sighandler_t fn);
IPCX_EXTERN int ipcx_raise(int sig);
/* abort(): SIGABRT's handler, then the end of the process as WIFSIGNALED SIGABRT. */
IPCX_EXTERN __attribute__((__noreturn__)) void ipcx_abort(void);
/* What compat/assert.h's assert() calls when it fails: glibc's message on
 * stderr, then abort() (glibc's __assert_fail). */
IPCX_EXTERN __attribute__((__noreturn__)) void ipcx___assert_fail(const char *expr, const char *file,
                                                                 unsigned line, const char *func);
IPCX_EXTERN int ipcx_sigemptyset(ipcx_sigset_t *s);
IPCX_EXTERN int ipcx_sigfillset(ipcx_sigset_t *s);
IPCX_EXTERN int ipcx_sigaddset(ipcx_sigset_t *s, int sig);
IPCX_EXTERN int ipcx_sigdelset(ipcx_sigset_t *s, int sig);
IPCX_EXTERN int ipcx_sigismember(const ipcx_sigset_t *s, int sig);
IPCX_EXTERN int ipcx_sigprocmask(int how, const ipcx_sigset_t *set, ipcx_sigset_t *old);
IPCX_EXTERN int ipcx_pthread_sigmask(int how, const ipcx_sigset_t *set, ipcx_sigset_t *old);
IPCX_EXTERN int ipcx_sigpending(ipcx_sigset_t *s);
IPCX_EXTERN int ipcx_sigsuspend(const ipcx_sigset_t *s);
IPCX_EXTERN int ipcx_sigwait(const ipcx_sigset_t *s, int *sig);
IPCX_EXTERN int ipcx_sigtimedwait(const ipcx_sigset_t *s, ipcx_siginfo_t *info, const struct timespec *t);
IPCX_EXTERN int ipcx_sigwaitinfo(const ipcx_sigset_t *s, ipcx_siginfo_t *info);
IPCX_EXTERN int ipcx_pause(void);
IPCX_EXTERN unsigned ipcx_alarm(unsigned seconds);
IPCX_EXTERN int ipcx_setitimer(int which, const struct ipcx_itimerval *v, struct ipcx_itimerval *old);
IPCX_EXTERN int ipcx_getitimer(int which, struct ipcx_itimerval *v);
IPCX_EXTERN unsigned ipcx_sleep(unsigned seconds);
IPCX_EXTERN int ipcx_usleep(useconds_t us);
IPCX_EXTERN int ipcx_nanosleep(const struct timespec *req, struct timespec *rem);

#endif /* _WIN32 */

#ifdef __cplusplus
}
#endif

#endif /* IPCX_H */
