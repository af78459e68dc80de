/*
 * Bad input, as a table: every call reachable through the POSIX names, fed
 * bad fds (-1, a number never opened, a closed fd), the wrong kind of fd,
 * NULL pointers, short and negative lengths and unknown flags.  Each row
 * states Linux's errno; the native run proves it, the Windows run must give
 * the same, and nothing may crash, hang or leak (the leaks suite counts).
 *
 * Each row is a test of its own (a Check loop test), so a failure names it.
 */
#include "ipcx_test.h"
#include <poll.h>
#include <spawn.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include "ipcx.h"

#ifndef _WIN32
/* getpeereid() is BSD's: Linux has it only in libipcx (compat/ names it on Windows). */
# define getpeereid ipcx_getpeereid
#endif

#define NEVER_OPENED 999        /* a number no test opens */

/* What each row gets: fds of every kind, made fresh for each row. */
struct ctx {
  int pr, pw;                   /* a pipe: read end (with 3 bytes in it), write end */
  int file;                     /* a regular file, read-write */
  int closed;                   /* a number that was an fd and has been closed */
  int sock;                     /* an unbound AF_UNIX stream socket, or -1 */
  int lsn;                      /* a listening AF_UNIX socket, or -1 */
  int sv[2];                    /* a connected socketpair, or -1 */
  char path[200];               /* the regular file's path */
  char lpath[200];              /* the listener's path */
  char spare[200];              /* a path nothing exists at */
};

static struct ctx c;

/* A filled sockaddr_un for path (cut to fit, always terminated). */
static socklen_t un_addr(struct sockaddr_un *a, const char *path)
{
  size_t n = strlen(path);

  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  if (n > sizeof a->sun_path - 1)
    n = sizeof a->sun_path - 1;
  memcpy(a->sun_path, path, n);
  return (socklen_t)sizeof *a;
}

static void make_ctx(void)
{
  int p[2];
  struct sockaddr_un a;

  memset(&c, 0, sizeof c);
  c.sock = c.lsn = c.sv[0] = c.sv[1] = -1;
  ck_assert_int_eq(pipe(p), 0);
  c.pr = p[0];
  c.pw = p[1];
  ck_assert_int_eq(write(c.pw, "abc", 3), 3);
  test_path(c.path, sizeof c.path, "bad-file");
  c.file = open(c.path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  ck_assert_int_ge(c.file, 0);
  test_path(c.spare, sizeof c.spare, "bad-none");
  test_path(c.lpath, sizeof c.lpath, "bad-sock");
  c.sock = socket(AF_UNIX, SOCK_STREAM, 0);
  ck_assert_int_ge(c.sock, 0);
  c.lsn = socket(AF_UNIX, SOCK_STREAM, 0);
  ck_assert_int_ge(c.lsn, 0);
  ck_assert_int_eq(bind(c.lsn, (struct sockaddr *)&a, un_addr(&a, c.lpath)), 0);
  ck_assert_int_eq(listen(c.lsn, 4), 0);
  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, c.sv), 0);
  /* Last, so that nothing made after it can take its number. */
  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(close(p[1]), 0);
  ck_assert_int_eq(close(p[0]), 0);
  c.closed = p[0];
}

static void free_ctx(void)
{
  close(c.pr);
  close(c.pw);
  close(c.file);
  unlink(c.path);
  if (c.sock >= 0)
    close(c.sock);
  if (c.lsn >= 0)
    close(c.lsn);
  if (c.sv[0] >= 0)
    close(c.sv[0]);
  if (c.sv[1] >= 0)
    close(c.sv[1]);
  unlink(c.lpath);
  unlink(c.spare);
}


/* Turn a call that returns an error number (posix_spawn*) into -1/errno. */
static int ret_errno(int r)
{
  if (r == 0)
    return 0;
  errno = r;
  return -1;
}

/* ------------------------------------------------------------------------
 * Part 1: calls that take an fd, each tried on the three bad fds (EBADF) and,
 * for socket calls, on a pipe and a regular file (ENOTSOCK).
 * ---------------------------------------------------------------------- */

typedef long (*fd_call)(int fd);

static long f_read(int fd) { char b[4]; return read(fd, b, sizeof b); }
static long f_write(int fd) { return write(fd, "x", 1); }
static long f_readv(int fd) { char b[4]; struct iovec v = { b, sizeof b }; return readv(fd, &v, 1); }
static long f_writev(int fd) { char b[] = "x"; struct iovec v = { b, 1 }; return writev(fd, &v, 1); }
static long f_close(int fd) { return close(fd); }
static long f_dup(int fd) { return dup(fd); }
static long f_dup2(int fd) { return dup2(fd, c.closed); }
static long f_fcntl_getfl(int fd) { return fcntl(fd, F_GETFL); }
static long f_fcntl_setfl(int fd) { return fcntl(fd, F_SETFL, O_NONBLOCK); }
static long f_fcntl_getfd(int fd) { return fcntl(fd, F_GETFD); }
static long f_fcntl_dupfd(int fd) { return fcntl(fd, F_DUPFD, 0); }
static long f_fstat(int fd) { struct stat st; return fstat(fd, &st); }
static long f_ioctl(int fd) { int n; return ioctl(fd, FIONREAD, &n); }
static long f_select(int fd)
{
  struct timeval tv = { 0, 0 };
  fd_set r;

  if (fd < 0)                   /* FD_SET(-1) is undefined: a negative nfds instead */
    return select(-1, NULL, NULL, NULL, &tv);
  FD_ZERO(&r);
  FD_SET(fd, &r);
  return select(fd + 1, &r, NULL, NULL, &tv);
}
static long f_bind(int fd) { struct sockaddr_un a; socklen_t n = un_addr(&a, c.spare); return bind(fd, (struct sockaddr *)&a, n); }
static long f_listen(int fd) { return listen(fd, 1); }
static long f_accept(int fd) { return accept(fd, NULL, NULL); }
static long f_accept4(int fd) { return accept4(fd, NULL, NULL, SOCK_CLOEXEC); }
static long f_connect(int fd) { struct sockaddr_un a; socklen_t n = un_addr(&a, c.lpath); return connect(fd, (struct sockaddr *)&a, n); }
static long f_shutdown(int fd) { return shutdown(fd, SHUT_RDWR); }
static long f_getsockname(int fd) { struct sockaddr_un a; socklen_t n = sizeof a; return getsockname(fd, (struct sockaddr *)&a, &n); }
static long f_getpeername(int fd) { struct sockaddr_un a; socklen_t n = sizeof a; return getpeername(fd, (struct sockaddr *)&a, &n); }
static long f_getsockopt(int fd) { int v; socklen_t n = sizeof v; return getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &n); }
static long f_setsockopt(int fd) { int v = 4096; return setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof v); }
static long f_send(int fd) { return send(fd, "x", 1, MSG_NOSIGNAL); }
static long f_recv(int fd) { char b[4]; return recv(fd, b, sizeof b, MSG_DONTWAIT); }
static long f_sendmsg(int fd)
{
  char b[] = "x";
  struct iovec v = { b, 1 };
  struct msghdr m;

  memset(&m, 0, sizeof m);
  m.msg_iov = &v;
  m.msg_iovlen = 1;
  return sendmsg(fd, &m, MSG_NOSIGNAL);
}
static long f_recvmsg(int fd)
{
  char b[4];
  struct iovec v = { b, sizeof b };
  struct msghdr m;

  memset(&m, 0, sizeof m);
  m.msg_iov = &v;
  m.msg_iovlen = 1;
  return recvmsg(fd, &m, MSG_DONTWAIT);
}
static long f_getpeereid(int fd) { uid_t u; gid_t g; return getpeereid(fd, &u, &g); }

static const struct fd_row {
  const char *name;
  fd_call call;
  int sockop;                   /* a socket call: ENOTSOCK on a pipe or a file */
} fd_rows[] = {
  { "read", f_read, 0 },
  { "write", f_write, 0 },
  { "readv", f_readv, 0 },
  { "writev", f_writev, 0 },
  { "close", f_close, 0 },
  { "dup", f_dup, 0 },
  { "dup2", f_dup2, 0 },
  { "fcntl(F_GETFL)", f_fcntl_getfl, 0 },
  { "fcntl(F_SETFL)", f_fcntl_setfl, 0 },
  { "fcntl(F_GETFD)", f_fcntl_getfd, 0 },
  { "fcntl(F_DUPFD)", f_fcntl_dupfd, 0 },
  { "fstat", f_fstat, 0 },
  { "ioctl(FIONREAD)", f_ioctl, 0 },
  { "select", f_select, 0 },
  { "bind", f_bind, 1 },
  { "listen", f_listen, 1 },
  { "accept", f_accept, 1 },
  { "accept4", f_accept4, 1 },
  { "connect", f_connect, 1 },
  { "shutdown", f_shutdown, 1 },
  { "getsockname", f_getsockname, 1 },
  { "getpeername", f_getpeername, 1 },
  { "getsockopt", f_getsockopt, 1 },
  { "setsockopt", f_setsockopt, 1 },
  { "send", f_send, 1 },
  { "recv", f_recv, 1 },
  { "sendmsg", f_sendmsg, 1 },
  { "recvmsg", f_recvmsg, 1 },
  { "getpeereid", f_getpeereid, 1 },
};
#define N_FD_ROWS ((int)(sizeof fd_rows / sizeof fd_rows[0]))

static void expect_fail(const char *what, long r, int want)
{
  int e = errno;

  if (want == 0) {
    ck_assert_msg(r >= 0, "%s: got %ld errno %d (%s), want success", what, r, e, strerror(e));
    return;
  }
  ck_assert_msg(r == -1 && e == want, "%s: got %ld errno %d (%s), want -1 errno %d (%s)",
                what, r, e, strerror(e), want, strerror(want));
}

/* Every fd call with each bad fd: EBADF. */
START_TEST(bad_fd)
{
  const struct fd_row *row = &fd_rows[_i / 3];
  int which = _i % 3, fd;
  char what[96];
  long r;

  make_ctx();
  fd = which == 0 ? -1 : which == 1 ? NEVER_OPENED : c.closed;
  /* Linux's select() ignores bits past the end of its fd table: for a number
   * never opened the answer depends on the table's size, not on the fd. */
  if (row->call == f_select && fd == NEVER_OPENED) {
    free_ctx();
    return;
  }
  snprintf(what, sizeof what, "%s(%s fd %d)", row->name,
           which == 0 ? "negative" : which == 1 ? "never opened" : "closed", fd);
  errno = 0;
  r = row->call(fd);
  /* select() with a negative nfds is EINVAL, not EBADF. */
  expect_fail(what, r, row->call == f_select && fd < 0 ? EINVAL : EBADF);
  free_ctx();
}
END_TEST

/* Every socket call on a pipe end and on a regular file: ENOTSOCK. */
START_TEST(not_a_socket)
{
  const struct fd_row *row = &fd_rows[_i / 3];
  int which = _i % 3, fd;
  char what[96];
  long r;

  if (!row->sockop)
    return;
  make_ctx();
  fd = which == 0 ? c.pr : which == 1 ? c.pw : c.file;
  snprintf(what, sizeof what, "%s(%s)", row->name,
           which == 0 ? "pipe read end" : which == 1 ? "pipe write end" : "regular file");
  errno = 0;
  r = row->call(fd);
  expect_fail(what, r, ENOTSOCK);
  free_ctx();
}
END_TEST

/* ------------------------------------------------------------------------
 * Part 2: one row per bad argument.  Each returns the call's result with
 * errno as the call left it.
 * ---------------------------------------------------------------------- */

/* Wrong direction and wrong kind. */
static long r_write_read_end(void) { return write(c.pr, "x", 1); }
static long r_read_write_end(void) { char b[2]; return read(c.pw, b, 1); }
static long r_ioctl_unknown(void) { int n = 0; return ioctl(c.pr, 0x7fff1234, &n); }
static long r_fcntl_unknown(void) { return fcntl(c.pr, 0x7fff); }
static long r_fcntl_dupfd_negative(void) { return fcntl(c.pr, F_DUPFD, -1); }
static long r_dup2_negative_target(void) { return dup2(c.pr, -1); }
static long r_dup2_huge_target(void) { return dup2(c.pr, 1 << 30); }

/* NULL pointers. */
static long null_read(void) { char *volatile p = NULL; return read(c.pr, p, 1); }
static long null_write(void) { char *volatile p = NULL; return write(c.pw, p, 1); }
static long null_readv(void) { struct iovec *volatile v = NULL; return readv(c.pr, v, 1); }
static long null_writev(void) { struct iovec *volatile v = NULL; return writev(c.pw, v, 1); }
static long null_readv_base(void) { struct iovec v = { NULL, 1 }; return readv(c.pr, &v, 1); }
static long null_writev_base(void) { struct iovec v = { NULL, 1 }; return writev(c.pw, &v, 1); }
static long null_pipe(void) { int *volatile p = NULL; return pipe(p); }

/* Pointers that are not NULL but map nothing: EFAULT, and the data stays. */
static void *bad_ptr(void)
{
  void *volatile p = (void *)(uintptr_t)16;     /* volatile: the compiler may not see it */
  return p;
}
#define BAD_PTR bad_ptr()
static long bad_read(void) { return read(c.pr, BAD_PTR, 3); }
static long bad_write(void) { return write(c.pw, BAD_PTR, 3); }
static long bad_readv_base(void) { struct iovec v[2] = { { BAD_PTR, 1 }, { BAD_PTR, 2 } }; return readv(c.pr, v, 2); }
static long bad_writev_base(void) { struct iovec v[2] = { { BAD_PTR, 1 }, { BAD_PTR, 2 } }; return writev(c.pw, v, 2); }
static long bad_send(void) { return send(c.sv[0], BAD_PTR, 3, 0); }
/* m carries one piece, v (a bad pointer, 3 bytes) */
static struct msghdr *bad_msg(struct msghdr *m, struct iovec *v)
{
  v->iov_base = BAD_PTR;
  v->iov_len = 3;
  memset(m, 0, sizeof *m);
  m->msg_iov = v;
  m->msg_iovlen = 1;
  return m;
}
static long bad_sendmsg(void)
{
  struct iovec v;
  struct msghdr m;
  return sendmsg(c.sv[0], bad_msg(&m, &v), 0);
}
/* into a bad pointer on a socket with "abc" queued: EFAULT, then "abc" */
static long sock_bad_then_good(long (*bad)(void))
{
  char b[4] = "";
  long r;
  int e;

  if (write(c.sv[1], "abc", 3) != 3)
    return -2;
  r = bad();
  e = errno;
  if (read(c.sv[0], b, sizeof b) != 3 || memcmp(b, "abc", 3) != 0)
    return -3;                  /* the bytes were lost */
  errno = e;
  return r;
}
static long bad_read_sock1(void) { return read(c.sv[0], BAD_PTR, 3); }
static long bad_recv_sock1(void) { return recv(c.sv[0], BAD_PTR, 3, 0); }
static long bad_recvmsg_sock1(void)
{
  struct iovec v;
  struct msghdr m;
  return recvmsg(c.sv[0], bad_msg(&m, &v), 0);
}
static long bad_read_sock(void) { return sock_bad_then_good(bad_read_sock1); }
static long bad_recv_sock(void) { return sock_bad_then_good(bad_recv_sock1); }
static long bad_recvmsg_sock(void) { return sock_bad_then_good(bad_recvmsg_sock1); }
static long null_fstat(void) { struct stat *volatile s = NULL; return fstat(c.pr, s); }
static long null_fstat_badfd(void) { struct stat *volatile s = NULL; return fstat(-1, s); }
static long null_stat_path(void) { struct stat st; const char *volatile p = NULL; return stat(p, &st); }
static long null_stat_buf(void) { struct stat *volatile s = NULL; return stat(c.path, s); }
static long null_open(void) { const char *volatile p = NULL; return open(p, O_RDONLY); }
static long null_unlink(void) { const char *volatile p = NULL; return unlink(p); }
static long null_mkfifo(void) { const char *volatile p = NULL; return mkfifo(p, 0600); }
static long null_poll(void) { struct pollfd *volatile p = NULL; return poll(p, 1, 0); }
static long null_ioctl_fionread(void) { int *volatile p = NULL; return ioctl(c.pr, FIONREAD, p); }
static long null_socketpair(void) { int *volatile p = NULL; return socketpair(AF_UNIX, SOCK_STREAM, 0, p); }
static long null_bind(void) { struct sockaddr *volatile a = NULL; return bind(c.sock, a, sizeof(struct sockaddr_un)); }
static long null_connect(void) { struct sockaddr *volatile a = NULL; return connect(c.sock, a, sizeof(struct sockaddr_un)); }
static long null_getsockname_len(void) { struct sockaddr_un a; socklen_t *volatile n = NULL; return getsockname(c.lsn, (struct sockaddr *)&a, n); }
static long null_getpeername_len(void) { struct sockaddr_un a; socklen_t *volatile n = NULL; return getpeername(c.sv[0], (struct sockaddr *)&a, n); }
static long null_getsockopt_len(void) { int v; socklen_t *volatile n = NULL; return getsockopt(c.sock, SOL_SOCKET, SO_TYPE, &v, n); }
static long null_setsockopt_val(void) { const int *volatile v = NULL; return setsockopt(c.sock, SOL_SOCKET, SO_RCVBUF, v, sizeof(int)); }
static long null_send(void) { const char *volatile p = NULL; return send(c.sv[0], p, 1, MSG_NOSIGNAL); }
static long null_recv(void) { char *volatile p = NULL; ck_assert_int_eq(write(c.sv[1], "y", 1), 1); return recv(c.sv[0], p, 1, 0); }
static long null_sendmsg(void) { const struct msghdr *volatile m = NULL; return sendmsg(c.sv[0], m, MSG_NOSIGNAL); }
static long null_recvmsg(void) { struct msghdr *volatile m = NULL; return recvmsg(c.sv[0], m, MSG_DONTWAIT); }

/* Lengths: negative, short, too long. */
static long len_readv_negative(void) { struct iovec v = { NULL, 0 }; volatile int n = -1; return readv(c.pr, &v, n); }
static long len_writev_too_many(void) { static struct iovec v[IOV_MAX + 1]; volatile int n = IOV_MAX + 1; return writev(c.pw, v, n); }
static long len_bind_zero(void) { struct sockaddr_un a; un_addr(&a, c.spare); return bind(c.sock, (struct sockaddr *)&a, 0); }
static long len_bind_one(void) { struct sockaddr_un a; un_addr(&a, c.spare); return bind(c.sock, (struct sockaddr *)&a, 1); }
static long len_bind_too_long(void)
{
  char big[sizeof(struct sockaddr_un) + 16];
  struct sockaddr_un *a = (struct sockaddr_un *)big;
  memset(big, 0, sizeof big);
  un_addr(a, c.spare);
  return bind(c.sock, (struct sockaddr *)a, (socklen_t)sizeof big);
}
static long len_bind_negative(void) { struct sockaddr_un a; un_addr(&a, c.spare); return bind(c.sock, (struct sockaddr *)&a, (socklen_t)-1); }
static long len_connect_zero(void) { struct sockaddr_un a; un_addr(&a, c.lpath); return connect(c.sock, (struct sockaddr *)&a, 0); }
static long len_connect_one(void) { struct sockaddr_un a; un_addr(&a, c.lpath); return connect(c.sock, (struct sockaddr *)&a, 1); }
static long len_connect_too_long(void)
{
  char big[sizeof(struct sockaddr_un) + 16];
  struct sockaddr_un *a = (struct sockaddr_un *)big;
  memset(big, 0, sizeof big);
  un_addr(a, c.lpath);
  return connect(c.sock, (struct sockaddr *)a, (socklen_t)sizeof big);
}
static long len_getsockname_negative(void) { struct sockaddr_un a; socklen_t n = (socklen_t)-1; return getsockname(c.lsn, (struct sockaddr *)&a, &n); }
static long len_getpeername_negative(void) { struct sockaddr_un a; socklen_t n = (socklen_t)-1; return getpeername(c.sv[0], (struct sockaddr *)&a, &n); }
static long len_accept_negative(void)
{
  struct sockaddr_un a;
  socklen_t n = un_addr(&a, c.lpath);
  int cl = socket(AF_UNIX, SOCK_STREAM, 0);
  long r;

  /* A connection is waiting, so only the length is wrong (Linux drops the connection). */
  ck_assert_int_ge(cl, 0);
  ck_assert_int_eq(connect(cl, (struct sockaddr *)&a, n), 0);
  n = (socklen_t)-1;
  r = accept(c.lsn, (struct sockaddr *)&a, &n);
  close(cl);
  return r;
}
static long len_getsockopt_negative(void) { int v; socklen_t n = (socklen_t)-1; return getsockopt(c.sock, SOL_SOCKET, SO_TYPE, &v, &n); }
static long len_setsockopt_short(void) { char v = 1; return setsockopt(c.sock, SOL_SOCKET, SO_RCVBUF, &v, 1); }
static long len_setsockopt_negative(void) { int v = 1; return setsockopt(c.sock, SOL_SOCKET, SO_RCVBUF, &v, (socklen_t)-1); }
static long len_sendmsg_too_many_iov(void)
{
  static struct iovec v[IOV_MAX + 1];
  struct msghdr m;
  memset(&m, 0, sizeof m);
  m.msg_iov = v;
  m.msg_iovlen = IOV_MAX + 1;
  return sendmsg(c.sv[0], &m, MSG_NOSIGNAL);
}
static long len_select_negative(void) { struct timeval tv = { 0, 0 }; return select(-1, NULL, NULL, NULL, &tv); }
static long len_select_bad_timeout(void) { struct timeval tv = { -1, 0 }; return select(0, NULL, NULL, NULL, &tv); }
#ifndef __SANITIZE_ADDRESS__
static long len_poll_too_many(void) { struct pollfd p; volatile nfds_t n = (nfds_t)1 << 30; return poll(&p, n, 0); }
#endif

/* Unknown flags and values. */
static long flag_pipe2(void) { int p[2]; return pipe2(p, 0x40000000 | O_CREAT); }
static long flag_dup3(void) { return dup3(c.pr, 200, O_NONBLOCK); }
static long null_ppoll(void) { struct pollfd *volatile p = NULL; struct timespec ts = { 0, 0 }; return ppoll(p, 1, &ts, NULL); }
static long bad_ppoll_timeout(void) { struct pollfd p = { c.pr, POLLIN, 0 }; struct timespec ts = { -1, 0 }; return ppoll(&p, 1, &ts, NULL); }
static long bad_setrlimit_resource(void) { struct rlimit r = { 1, 1 }; return setrlimit(1000, &r); }
static long bad_setrlimit_soft_over_hard(void) { struct rlimit r = { 2, 1 }; return setrlimit(RLIMIT_NOFILE, &r); }
static long bad_pread_pipe(void) { char b[2]; return pread(c.pr, b, 1, 0); }
static long bad_pwrite_socket(void) { return pwrite(c.sv[0], "x", 1, 0); }
static long bad_sysconf(void) { return sysconf(-1); }
static long flag_socket_domain(void) { return socket(9999, SOCK_STREAM, 0); }
static long flag_socket_type(void) { return socket(AF_UNIX, 9999, 0); }
static long flag_socket_type_bits(void) { return socket(AF_UNIX, SOCK_STREAM | 0x1000000, 0); }
static long flag_socket_protocol(void) { return socket(AF_UNIX, SOCK_STREAM, 99); }
static long flag_socketpair_inet(void) { int sv[2]; return socketpair(AF_INET, SOCK_STREAM, 0, sv); }
static long flag_socketpair_domain(void) { int sv[2]; return socketpair(9999, SOCK_STREAM, 0, sv); }
static long flag_accept4(void) { return accept4(c.lsn, NULL, NULL, 0x1000000); }
static long flag_shutdown_how(void) { return shutdown(c.sv[0], 7); }
static long flag_getsockopt_name(void) { int v; socklen_t n = sizeof v; return getsockopt(c.sock, SOL_SOCKET, 0x7ff0, &v, &n); }
static long flag_setsockopt_name(void) { int v = 1; return setsockopt(c.sock, SOL_SOCKET, 0x7ff0, &v, sizeof v); }
static long flag_waitpid_options(void) { int st; return waitpid(-1, &st, 0x12345600); }
static long flag_kill_signal(void) { return kill(getpid(), 9999); }
static long flag_spawnattr_flags(void)
{
  posix_spawnattr_t a;
  int r;
  ck_assert_int_eq(posix_spawnattr_init(&a), 0);
  r = posix_spawnattr_setflags(&a, 0x4000);
  posix_spawnattr_destroy(&a);
  return ret_errno(r);
}

/* Wrong state. */
static long state_listen_unbound(void) { return listen(c.sock, 1); }
static long state_accept_unlistened(void) { return accept(c.sock, NULL, NULL); }
static long state_bind_twice(void) { struct sockaddr_un a; socklen_t n = un_addr(&a, c.spare); return bind(c.lsn, (struct sockaddr *)&a, n); }
static long state_bind_in_use(void) { struct sockaddr_un a; socklen_t n = un_addr(&a, c.lpath); return bind(c.sock, (struct sockaddr *)&a, n); }
static long state_bind_regular_file(void) { struct sockaddr_un a; socklen_t n = un_addr(&a, c.path); return bind(c.sock, (struct sockaddr *)&a, n); }
static long state_bind_wrong_family(void) { struct sockaddr_un a; socklen_t n = un_addr(&a, c.spare); a.sun_family = AF_INET; return bind(c.sock, (struct sockaddr *)&a, n); }
static long state_connect_wrong_family(void) { struct sockaddr_un a; socklen_t n = un_addr(&a, c.lpath); a.sun_family = AF_INET; return connect(c.sock, (struct sockaddr *)&a, n); }
static long state_connect_nobody(void) { struct sockaddr_un a; socklen_t n = un_addr(&a, c.spare); return connect(c.sock, (struct sockaddr *)&a, n); }
static long state_connect_regular_file(void) { struct sockaddr_un a; socklen_t n = un_addr(&a, c.path); return connect(c.sock, (struct sockaddr *)&a, n); }
static long state_connect_no_dir(void)
{
  struct sockaddr_un a;
  char p[220];
  snprintf(p, sizeof p, "%s/sock", c.spare);
  return connect(c.sock, (struct sockaddr *)&a, un_addr(&a, p));
}
static long state_connect_connected(void) { struct sockaddr_un a; socklen_t n = un_addr(&a, c.lpath); return connect(c.sv[0], (struct sockaddr *)&a, n); }
static long state_getpeername_unconnected(void) { struct sockaddr_un a; socklen_t n = sizeof a; return getpeername(c.sock, (struct sockaddr *)&a, &n); }
static long state_shutdown_unconnected(void) { return shutdown(c.sock, SHUT_RDWR); }
static long state_send_unconnected(void) { return send(c.sock, "x", 1, MSG_NOSIGNAL); }
static long state_recv_unconnected(void) { char b[1]; return recv(c.sock, b, 1, MSG_DONTWAIT); }
static long state_read_listener(void) { char b[1]; return read(c.lsn, b, 1); }
static long state_write_listener(void) { return write(c.lsn, "x", 1); }
static long state_send_after_shutdown(void) { ck_assert_int_eq(shutdown(c.sv[0], SHUT_WR), 0); return send(c.sv[0], "x", 1, MSG_NOSIGNAL); }
static long state_getpeereid_unconnected(void) { uid_t u; gid_t g; return getpeereid(c.sock, &u, &g); }

/* Paths. */
static long path_open_empty(void) { return open("", O_RDONLY); }
static long path_open_missing(void) { return open(c.spare, O_RDONLY); }
static long path_open_excl(void) { return open(c.path, O_RDWR | O_CREAT | O_EXCL, 0600); }
static long path_open_no_dir(void) { char p[220]; snprintf(p, sizeof p, "%s/x", c.spare); return open(p, O_RDONLY); }
static long path_unlink_empty(void) { return unlink(""); }
static long path_unlink_missing(void) { return unlink(c.spare); }
static long path_stat_missing(void) { struct stat st; return stat(c.spare, &st); }
static long path_stat_empty(void) { struct stat st; return stat("", &st); }
static long path_mkfifo_exists(void) { return mkfifo(c.path, 0600); }
static long path_mkfifo_no_dir(void) { char p[220]; snprintf(p, sizeof p, "%s/x", c.spare); return mkfifo(p, 0600); }
static long path_mkfifo_empty(void) { return mkfifo("", 0600); }

/* Processes. */
static long proc_waitpid_stranger(void) { int st; return waitpid(0x7ffffff0, &st, WNOHANG); }
static long proc_kill_nobody(void) { return kill(0x7ffffff0, SIGTERM); }
static long proc_spawn_missing(void)
{
  char *argv[] = { c.spare, NULL };
  pid_t pid;
  return ret_errno(posix_spawn(&pid, c.spare, NULL, NULL, argv, NULL));
}
static long proc_spawn_empty(void)
{
  char *argv[] = { "", NULL };
  pid_t pid;
  return ret_errno(posix_spawn(&pid, "", NULL, NULL, argv, NULL));
}
static long proc_spawnp_missing(void)
{
  char *argv[] = { "ipcx-no-such-program-anywhere", NULL };
  pid_t pid;
  return ret_errno(posix_spawnp(&pid, argv[0], NULL, NULL, argv, NULL));
}
static long proc_fa_adddup2_negative(void)
{
  posix_spawn_file_actions_t fa;
  int r;
  ck_assert_int_eq(posix_spawn_file_actions_init(&fa), 0);
  r = posix_spawn_file_actions_adddup2(&fa, -1, 1);
  posix_spawn_file_actions_destroy(&fa);
  return ret_errno(r);
}
static long proc_fa_adddup2_negative_target(void)
{
  posix_spawn_file_actions_t fa;
  int r;
  ck_assert_int_eq(posix_spawn_file_actions_init(&fa), 0);
  r = posix_spawn_file_actions_adddup2(&fa, 1, -1);
  posix_spawn_file_actions_destroy(&fa);
  return ret_errno(r);
}
static long proc_fa_addclose_negative(void)
{
  posix_spawn_file_actions_t fa;
  int r;
  ck_assert_int_eq(posix_spawn_file_actions_init(&fa), 0);
  r = posix_spawn_file_actions_addclose(&fa, -1);
  posix_spawn_file_actions_destroy(&fa);
  return ret_errno(r);
}
static long proc_fa_addopen_negative(void)
{
  posix_spawn_file_actions_t fa;
  int r;
  ck_assert_int_eq(posix_spawn_file_actions_init(&fa), 0);
  r = posix_spawn_file_actions_addopen(&fa, -1, c.path, O_RDONLY, 0);
  posix_spawn_file_actions_destroy(&fa);
  return ret_errno(r);
}

static const struct row {
  const char *name;
  long (*call)(void);
  int err;                      /* Linux's errno; 0: Linux lets it succeed */
} rows[] = {
  { "write on a pipe's read end", r_write_read_end, EBADF },
  { "read on a pipe's write end", r_read_write_end, EBADF },
  { "ioctl with an unknown request", r_ioctl_unknown, ENOTTY },
  { "fcntl with an unknown command", r_fcntl_unknown, EINVAL },
  { "fcntl(F_DUPFD, -1)", r_fcntl_dupfd_negative, EINVAL },
  { "dup2 to -1", r_dup2_negative_target, EBADF },
  { "dup2 to 2^30", r_dup2_huge_target, EBADF },

  { "read into NULL", null_read, EFAULT },
  { "write from NULL", null_write, EFAULT },
  { "readv with a NULL iovec array", null_readv, EFAULT },
  { "writev with a NULL iovec array", null_writev, EFAULT },
  { "readv into a NULL iov_base", null_readv_base, EFAULT },
  { "writev from a NULL iov_base", null_writev_base, EFAULT },
  { "read into a bad pointer", bad_read, EFAULT },
  { "write from a bad pointer", bad_write, EFAULT },
  { "readv into a bad iov_base", bad_readv_base, EFAULT },
  { "writev from a bad iov_base", bad_writev_base, EFAULT },
  { "send from a bad pointer", bad_send, EFAULT },
  { "sendmsg from a bad iov_base", bad_sendmsg, EFAULT },
  { "read on a socket into a bad pointer (data kept)", bad_read_sock, EFAULT },
  { "recv into a bad pointer (data kept)", bad_recv_sock, EFAULT },
  { "recvmsg into a bad iov_base (data kept)", bad_recvmsg_sock, EFAULT },
  { "pipe(NULL)", null_pipe, EFAULT },
  { "fstat(fd, NULL)", null_fstat, EFAULT },
  { "fstat(-1, NULL): the fd first", null_fstat_badfd, EBADF },
  { "stat(NULL, st)", null_stat_path, EFAULT },
  { "stat(path, NULL)", null_stat_buf, EFAULT },
  { "open(NULL)", null_open, EFAULT },
  { "unlink(NULL)", null_unlink, EFAULT },
  { "mkfifo(NULL)", null_mkfifo, EFAULT },
  { "poll(NULL, 1)", null_poll, EFAULT },
  { "ioctl(FIONREAD, NULL)", null_ioctl_fionread, EFAULT },
  { "socketpair(NULL)", null_socketpair, EFAULT },
  { "bind(NULL address)", null_bind, EFAULT },
  { "connect(NULL address)", null_connect, EFAULT },
  { "getsockname(NULL length)", null_getsockname_len, EFAULT },
  { "getpeername(NULL length)", null_getpeername_len, EFAULT },
  { "getsockopt(NULL length)", null_getsockopt_len, EFAULT },
  { "setsockopt(NULL value)", null_setsockopt_val, EFAULT },
  { "send from NULL", null_send, EFAULT },
  { "recv into NULL", null_recv, EFAULT },
  { "sendmsg(NULL)", null_sendmsg, EFAULT },
  { "recvmsg(NULL)", null_recvmsg, EFAULT },

  { "readv with -1 pieces", len_readv_negative, EINVAL },
  { "writev with IOV_MAX+1 pieces", len_writev_too_many, EINVAL },
  { "bind with length 0", len_bind_zero, EINVAL },
  { "bind with length 1", len_bind_one, EINVAL },
  { "bind with length > sockaddr_un", len_bind_too_long, EINVAL },
  { "bind with length -1", len_bind_negative, EINVAL },
  { "connect with length 0", len_connect_zero, EINVAL },
  { "connect with length 1", len_connect_one, EINVAL },
  { "connect with length > sockaddr_un", len_connect_too_long, EINVAL },
  { "getsockname with length -1", len_getsockname_negative, EINVAL },
  { "getpeername with length -1", len_getpeername_negative, EINVAL },
  { "accept with length -1", len_accept_negative, EINVAL },
  { "getsockopt with length -1", len_getsockopt_negative, EINVAL },
  { "setsockopt(SO_RCVBUF) with length 1", len_setsockopt_short, EINVAL },
  { "setsockopt with length -1", len_setsockopt_negative, EINVAL },
  { "sendmsg with IOV_MAX+1 pieces", len_sendmsg_too_many_iov, EMSGSIZE },
  { "select with nfds -1", len_select_negative, EINVAL },
  { "select with a negative timeout", len_select_bad_timeout, EINVAL },
#ifndef __SANITIZE_ADDRESS__   /* ASan's poll() reads all 2^30 entries before the kernel says EINVAL */
  { "poll with 2^30 fds", len_poll_too_many, EINVAL },
#endif

  { "pipe2 with unknown flags", flag_pipe2, EINVAL },
  { "dup3 with O_NONBLOCK", flag_dup3, EINVAL },
  { "ppoll(NULL, 1)", null_ppoll, EFAULT },
  { "ppoll with a negative timeout", bad_ppoll_timeout, EINVAL },
  { "setrlimit of resource 1000", bad_setrlimit_resource, EINVAL },
  { "setrlimit(RLIMIT_NOFILE) soft over hard", bad_setrlimit_soft_over_hard, EINVAL },
  { "pread on a pipe", bad_pread_pipe, ESPIPE },
  { "pwrite on a socket", bad_pwrite_socket, ESPIPE },
  { "sysconf(-1)", bad_sysconf, EINVAL },
  { "socket with an unknown domain", flag_socket_domain, EAFNOSUPPORT },
  { "socket with an unknown type", flag_socket_type, EINVAL },
  { "socket with unknown type flags", flag_socket_type_bits, EINVAL },
  { "socket with an unknown protocol", flag_socket_protocol, EPROTONOSUPPORT },
  { "socketpair(AF_INET)", flag_socketpair_inet, EOPNOTSUPP },
  { "socketpair with an unknown domain", flag_socketpair_domain, EAFNOSUPPORT },
  { "accept4 with unknown flags", flag_accept4, EINVAL },
  { "shutdown with how 7", flag_shutdown_how, EINVAL },
  { "getsockopt with an unknown option", flag_getsockopt_name, ENOPROTOOPT },
  { "setsockopt with an unknown option", flag_setsockopt_name, ENOPROTOOPT },
  { "waitpid with unknown options", flag_waitpid_options, EINVAL },
  { "kill with signal 9999", flag_kill_signal, EINVAL },
  { "posix_spawnattr_setflags with unknown flags", flag_spawnattr_flags, EINVAL },

  { "listen on an unbound socket", state_listen_unbound, EINVAL },
  { "accept on a socket not listening", state_accept_unlistened, EINVAL },
  { "bind a bound socket", state_bind_twice, EINVAL },
  { "bind to a path in use", state_bind_in_use, EADDRINUSE },
  { "bind to a regular file's path", state_bind_regular_file, EADDRINUSE },
  { "bind with family AF_INET", state_bind_wrong_family, EINVAL },
  { "connect with family AF_INET", state_connect_wrong_family, EINVAL },
  { "connect to a path with nothing", state_connect_nobody, ENOENT },
  { "connect to a regular file", state_connect_regular_file, ECONNREFUSED },
  { "connect into a missing directory", state_connect_no_dir, ENOENT },
  { "connect a connected socket", state_connect_connected, EISCONN },
  { "getpeername unconnected", state_getpeername_unconnected, ENOTCONN },
  { "shutdown unconnected (Linux: success)", state_shutdown_unconnected, 0 },
  { "send unconnected", state_send_unconnected, ENOTCONN },
  { "recv unconnected", state_recv_unconnected, EINVAL },
  { "read on a listening socket", state_read_listener, EINVAL },
  { "write on a listening socket", state_write_listener, ENOTCONN },
  { "send after shutdown(SHUT_WR)", state_send_after_shutdown, EPIPE },
  { "getpeereid unconnected (Linux: success)", state_getpeereid_unconnected, 0 },

  { "open(\"\")", path_open_empty, ENOENT },
  { "open a missing file", path_open_missing, ENOENT },
  { "open(O_CREAT|O_EXCL) an existing file", path_open_excl, EEXIST },
  { "open in a missing directory", path_open_no_dir, ENOENT },
  { "unlink(\"\")", path_unlink_empty, ENOENT },
  { "unlink a missing file", path_unlink_missing, ENOENT },
  { "stat a missing file", path_stat_missing, ENOENT },
  { "stat(\"\")", path_stat_empty, ENOENT },
  { "mkfifo on an existing file", path_mkfifo_exists, EEXIST },
  { "mkfifo in a missing directory", path_mkfifo_no_dir, ENOENT },
  { "mkfifo(\"\")", path_mkfifo_empty, ENOENT },

  { "waitpid on a stranger", proc_waitpid_stranger, ECHILD },
  { "kill a process that does not exist", proc_kill_nobody, ESRCH },
  { "posix_spawn a missing program", proc_spawn_missing, ENOENT },
  { "posix_spawn(\"\")", proc_spawn_empty, ENOENT },
  { "posix_spawnp a program on no PATH", proc_spawnp_missing, ENOENT },
  { "file action dup2 from -1", proc_fa_adddup2_negative, EBADF },
  { "file action dup2 to -1", proc_fa_adddup2_negative_target, EBADF },
  { "file action close -1", proc_fa_addclose_negative, EBADF },
  { "file action open onto -1", proc_fa_addopen_negative, EBADF },
};
#define N_ROWS ((int)(sizeof rows / sizeof rows[0]))

/*
 * What valgrind cannot emulate (wine-tests/valgrind.sh): a posix_spawn()
 * whose exec fails reports success there, and a poll() of 2^30 entries is
 * checked entry by entry before the kernel refuses it.
 */
static int valgrind_cannot(long (*call)(void))
{
  return call == proc_spawn_missing || call == proc_spawn_empty || call == proc_spawnp_missing
#ifndef __SANITIZE_ADDRESS__
         || call == len_poll_too_many
#endif
         ;
}

START_TEST(bad_argument)
{
  const struct row *row = &rows[_i];
  long r;

  if (getenv("IPCX_TEST_VALGRIND") != NULL && valgrind_cannot(row->call))
    return;
  make_ctx();
  errno = 0;
  r = row->call();
  expect_fail(row->name, r, row->err);
  free_ctx();
}
END_TEST

/* poll() does not fail on bad fds: it reports them, one by one. */
START_TEST(poll_reports_bad_fds)
{
  struct pollfd p[4];

  make_ctx();
  memset(p, 0, sizeof p);
  p[0].fd = -1;                 /* ignored */
  p[0].events = POLLIN;
  p[1].fd = NEVER_OPENED;
  p[1].events = POLLIN;
  p[2].fd = c.closed;
  p[2].events = POLLOUT;
  p[3].fd = c.pr;               /* holds 3 bytes */
  p[3].events = POLLIN;
  ck_assert_int_eq(poll(p, 4, 1000), 3);
  ck_assert_int_eq(p[0].revents, 0);
  ck_assert_int_eq(p[1].revents, POLLNVAL);
  ck_assert_int_eq(p[2].revents, POLLNVAL);
  ck_assert_int_eq(p[3].revents, POLLIN);
  free_ctx();
}
END_TEST

/* Short address buffers: the call succeeds, truncates, and reports the full length. */
START_TEST(short_address_buffers)
{
  struct sockaddr_un a;
  socklen_t full, n;
  int cl;

  make_ctx();
  n = sizeof a;
  ck_assert_int_eq(getsockname(c.lsn, (struct sockaddr *)&a, &n), 0);
  full = n;
  ck_assert_uint_eq(full, offsetof(struct sockaddr_un, sun_path) + strlen(c.lpath) + 1);
  memset(&a, 0x55, sizeof a);
  n = 4;
  ck_assert_int_eq(getsockname(c.lsn, (struct sockaddr *)&a, &n), 0);
  ck_assert_uint_eq(n, full);
  ck_assert_int_eq(a.sun_family, AF_UNIX);
  ck_assert_int_eq((unsigned char)a.sun_path[2], 0x55);   /* nothing past the 4 bytes */
  n = 0;
  ck_assert_int_eq(getsockname(c.lsn, (struct sockaddr *)&a, &n), 0);
  ck_assert_uint_eq(n, full);
  /* An unnamed socket's name is the family alone. */
  n = sizeof a;
  ck_assert_int_eq(getsockname(c.sock, (struct sockaddr *)&a, &n), 0);
  ck_assert_uint_eq(n, sizeof(sa_family_t));
  /* accept with a short buffer: the connection is made all the same. */
  cl = socket(AF_UNIX, SOCK_STREAM, 0);
  ck_assert_int_ge(cl, 0);
  n = un_addr(&a, c.lpath);
  ck_assert_int_eq(connect(cl, (struct sockaddr *)&a, n), 0);
  n = 1;
  {
    int s = accept(c.lsn, (struct sockaddr *)&a, &n);
    ck_assert_int_ge(s, 0);
    ck_assert_uint_eq(n, sizeof(sa_family_t));
    ck_assert_int_eq(write(cl, "k", 1), 1);
    ck_assert_int_eq(read(s, &a, 1), 1);
    close(s);
  }
  close(cl);
  free_ctx();
}
END_TEST

/* A path of all 108 bytes (no room for a NUL): Linux names it with 111 bytes,
 * one more than the structure, and refuses that length back in connect(). */
START_TEST(sun_path_of_108_bytes)
{
  char big[sizeof(struct sockaddr_un) + 8];
  struct {
    struct sockaddr_un a;
    char nul[8];                /* valgrind reads sun_path up to a NUL */
  } z;
  socklen_t n;
  size_t k;
  int s, cl, t;

  memset(&z, 0, sizeof z);
  z.a.sun_family = AF_UNIX;
  test_path(z.a.sun_path, sizeof z.a.sun_path, "full");
  k = strlen(z.a.sun_path);
  memset(z.a.sun_path + k, 'f', sizeof z.a.sun_path - k);   /* no NUL left */
  s = socket(AF_UNIX, SOCK_STREAM, 0);
  ck_assert_int_ge(s, 0);
  ck_assert_int_eq(bind(s, (struct sockaddr *)&z.a, sizeof z.a), 0);
  ck_assert_int_eq(listen(s, 2), 0);
  memset(big, 0x55, sizeof big);
  n = sizeof big;
  ck_assert_int_eq(getsockname(s, (struct sockaddr *)big, &n), 0);
  ck_assert_uint_eq(n, sizeof z.a + 1);
  ck_assert_int_eq(memcmp(big, &z.a, sizeof z.a), 0);
  ck_assert_int_eq(big[sizeof z.a], 0);
  cl = socket(AF_UNIX, SOCK_STREAM, 0);
  errno = 0;
  ck_assert_int_eq(connect(cl, (struct sockaddr *)big, n), -1);
  ck_assert_int_eq(errno, EINVAL);
  ck_assert_int_eq(connect(cl, (struct sockaddr *)&z.a, sizeof z.a), 0);
  t = accept(s, NULL, NULL);
  ck_assert_int_ge(t, 0);
  n = sizeof big;
  ck_assert_int_eq(getpeername(cl, (struct sockaddr *)big, &n), 0);
  ck_assert_uint_eq(n, sizeof z.a + 1);
  close(t);
  close(cl);
  close(s);
  {
    char path[sizeof z.a.sun_path + 1];
    memcpy(path, z.a.sun_path, sizeof z.a.sun_path);
    path[sizeof z.a.sun_path] = 0;
    ck_assert_int_eq(unlink(path), 0);
  }
}
END_TEST

Suite *suite_badinput(void)
{
  Suite *s = suite_create("badinput");
  TCase *tc = test_tcase("badinput");

  tcase_add_loop_test(tc, bad_fd, 0, N_FD_ROWS * 3);
  tcase_add_loop_test(tc, not_a_socket, 0, N_FD_ROWS * 3);
  tcase_add_loop_test(tc, bad_argument, 0, N_ROWS);
  tcase_add_test(tc, poll_reports_bad_fds);
  tcase_add_test(tc, short_address_buffers);
  tcase_add_test(tc, sun_path_of_108_bytes);
  suite_add_tcase(s, tc);
  return s;
}
