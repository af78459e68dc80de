/*
 * test_fdpass.c: passing fds (SCM_RIGHTS) and credentials (SCM_CREDENTIALS)
 * over AF_UNIX sockets, as Linux does it (the expectations were measured on
 * Linux first):
 *
 *  - every kind travels (pipe ends, socket ends, FIFO ends, regular files
 *    sharing their offset with the sender's fd), on SOCK_STREAM,
 *    SOCK_SEQPACKET and SOCK_DGRAM pairs, in this process and to a child;
 *  - the sender may close its fds, or exit, once sendmsg() has returned;
 *  - where fds attach in a stream: the read that reaches the first byte sent
 *    with them takes them and ends with that write; bytes before it come in
 *    the same read; a read() (no control buffer) closes them;
 *  - a short control buffer: MSG_CTRUNC, the fds that did not fit closed;
 *  - MSG_CMSG_CLOEXEC;
 *  - fds in flight when the receiver closes or dies are closed (no leak), and
 *    1,000 passes between two processes leave the handle counts as they were;
 *  - SO_PASSCRED gives SCM_CREDENTIALS; a sender may claim only itself (EPERM).
 */
#include "ipcx_test.h"

#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <netinet/in.h>

/* Send n bytes with nfds fds (and the credentials cred, if not NULL). */
static ssize_t send_fds(int s, const void *data, size_t n, const int *fds, int nfds,
                        const struct ucred *cred)
{
  union {
    char buf[CMSG_SPACE(sizeof(int) * 16) + CMSG_SPACE(sizeof(struct ucred))];
    struct cmsghdr align;
  } u;
  struct msghdr m;
  struct iovec v;
  struct cmsghdr *c;
  size_t len = 0;

  memset(&m, 0, sizeof m);
  memset(&u, 0, sizeof u);
  v.iov_base = (void *)data;
  v.iov_len = n;
  m.msg_iov = &v;
  m.msg_iovlen = 1;
  m.msg_control = u.buf;
  m.msg_controllen = sizeof u.buf;
  c = CMSG_FIRSTHDR(&m);
  if (nfds > 0) {
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
    len += CMSG_SPACE(sizeof(int) * (size_t)nfds);
    c = (struct cmsghdr *)(u.buf + len);
  }
  if (cred != NULL) {
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_CREDENTIALS;
    c->cmsg_len = CMSG_LEN(sizeof *cred);
    memcpy(CMSG_DATA(c), cred, sizeof *cred);
    len += CMSG_SPACE(sizeof *cred);
  }
  m.msg_controllen = len;
  return sendmsg(s, &m, 0);
}

/* The SCM_CREDENTIALS the last recv_fds_room() found (pid -1: none). */
static struct ucred last_cred;

/* recvmsg() into buf with room for `room` bytes of control data; the fds
 * received in fds (up to 16), their count in *nfds, msg_flags in *mflags. */
static ssize_t recv_fds_room(int s, void *buf, size_t n, int *fds, int *nfds, int flags,
                             int *mflags, size_t room)
{
  union {
    char buf[CMSG_SPACE(sizeof(int) * 16) + CMSG_SPACE(sizeof(struct ucred))];
    struct cmsghdr align;
  } u;
  struct msghdr m;
  struct iovec v;
  struct cmsghdr *c;
  ssize_t r;

  memset(&m, 0, sizeof m);
  v.iov_base = buf;
  v.iov_len = n;
  m.msg_iov = &v;
  m.msg_iovlen = 1;
  m.msg_control = room > 0 ? u.buf : NULL;
  m.msg_controllen = room;
  *nfds = 0;
  last_cred.pid = -1;
  r = recvmsg(s, &m, flags);
  if (mflags != NULL)
    *mflags = m.msg_flags;
  if (r < 0)
    return r;
  for (c = room > 0 ? CMSG_FIRSTHDR(&m) : NULL; c != NULL; c = CMSG_NXTHDR(&m, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
      memcpy(fds + *nfds, CMSG_DATA(c), sizeof(int) * (size_t)k);
      *nfds += k;
    } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
      memcpy(&last_cred, CMSG_DATA(c), sizeof last_cred);
    }
  }
  return r;
}

static ssize_t recv_fds(int s, void *buf, size_t n, int *fds, int *nfds, int flags)
{
  return recv_fds_room(s, buf, n, fds, nfds, flags, NULL,
                       CMSG_SPACE(sizeof(int) * 16) + CMSG_SPACE(sizeof(struct ucred)));
}

/* A pipe's read end gives exactly what, then (after its writers have gone) EOF. */
static void assert_pipe_gives(int r, const char *what)
{
  char buf[64];
  size_t n = strlen(what);

  if (n > 0) {
    ck_assert_int_eq(test_read_all(r, buf, n), (ssize_t)n);
    ck_assert_int_eq(memcmp(buf, what, n), 0);
  }
}

/* Every writer of pipe read end r has gone: read gives 0 within 5 s. */
static void assert_pipe_eof(int r)
{
  struct pollfd p;
  char c;

  p.fd = r;
  p.events = POLLIN;
  ck_assert_int_eq(poll(&p, 1, 5000), 1);
  ck_assert_int_eq(read(r, &c, 1), 0);
}

/* A pipe write end passes over a socketpair of type; the sender closes its own. */
static void pass_pipe(int type)
{
  int sv[2], p[2], got[16], n, w;
  char buf[8];

  ck_assert_int_eq(socketpair(AF_UNIX, type, 0, sv), 0);
  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(send_fds(sv[0], "x", 1, &p[1], 1, NULL), 1);
  close(p[1]);                  /* the sender may close it at once */
  ck_assert_int_eq(recv_fds(sv[1], buf, sizeof buf, got, &n, 0), 1);
  ck_assert_int_eq(buf[0], 'x');
  ck_assert_int_eq(n, 1);
  w = got[0];
  ck_assert_int_ge(w, 0);
  ck_assert_int_eq(write(w, "hello", 5), 5);
  assert_pipe_gives(p[0], "hello");
  close(w);
  assert_pipe_eof(p[0]);        /* the passed fd was the last writer */
  close(p[0]);
  close(sv[0]);
  close(sv[1]);
}

START_TEST(fdpass_pipe_stream)
{
  pass_pipe(SOCK_STREAM);
}
END_TEST

START_TEST(fdpass_pipe_seqpacket)
{
  pass_pipe(SOCK_SEQPACKET);
}
END_TEST

START_TEST(fdpass_pipe_dgram)
{
  pass_pipe(SOCK_DGRAM);
}
END_TEST

/* A datagram socket from socket() sends an fd to a bound one by its path. */
START_TEST(fdpass_bound_dgram)
{
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  struct sockaddr_un a, from;
  struct msghdr m;
  struct iovec v;
  struct cmsghdr *c;
  char path[256], buf[16];
  int r, s, p[2], got[16], n;
  socklen_t alen;

  test_path(path, sizeof path, "dgram");
  unlink(path);
  r = socket(AF_UNIX, SOCK_DGRAM, 0);
  ck_assert_int_ge(r, 0);
  alen = test_addr(&a, path);
  ck_assert_int_eq(bind(r, (struct sockaddr *)&a, alen), 0);
  s = socket(AF_UNIX, SOCK_DGRAM, 0);
  ck_assert_int_ge(s, 0);
  ck_assert_int_eq(pipe(p), 0);
  memset(&m, 0, sizeof m);
  memset(&u, 0, sizeof u);
  v.iov_base = "dg";
  v.iov_len = 2;
  m.msg_iov = &v;
  m.msg_iovlen = 1;
  m.msg_name = &a;
  m.msg_namelen = alen;
  m.msg_control = u.buf;
  m.msg_controllen = sizeof u.buf;
  c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &p[1], sizeof(int));
  ck_assert_int_eq(sendmsg(s, &m, 0), 2);
  close(p[1]);
  ck_assert_int_eq(sendto(s, "plain", 5, 0, (struct sockaddr *)&a, alen), 5);
  ck_assert_int_eq(recv_fds(r, buf, sizeof buf, got, &n, 0), 2);
  ck_assert_int_eq(memcmp(buf, "dg", 2), 0);
  ck_assert_int_eq(n, 1);
  ck_assert_int_eq(write(got[0], "dgram", 5), 5);
  close(got[0]);
  assert_pipe_gives(p[0], "dgram");
  assert_pipe_eof(p[0]);
  alen = sizeof from;
  ck_assert_int_eq(recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&from, &alen), 5);
  ck_assert_int_eq(memcmp(buf, "plain", 5), 0);
  close(p[0]);
  close(s);
  close(r);
  unlink(path);
}
END_TEST

/* One of each kind to pass: a pipe, a socketpair, a regular file (at path) and
 * a FIFO (at fifo, its read end fr opened first, nonblocking). */
static void open_kinds(int p[2], int pair[2], char *path, size_t psize, int *file, char *fifo,
                       size_t fsize, int *fr, int *fw)
{
  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
  test_path(path, psize, "file");
  *file = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  ck_assert_int_ge(*file, 0);
  test_path(fifo, fsize, "fifo");
  ck_assert_int_eq(mkfifo(fifo, 0600), 0);
  *fr = open(fifo, O_RDONLY | O_NONBLOCK);
  ck_assert_int_ge(*fr, 0);
  *fw = open(fifo, O_WRONLY);
  ck_assert_int_ge(*fw, 0);
}

/* Several kinds in one message: a pipe read end, a socket end, a regular file
 * (its offset shared with the sender's fd), a FIFO's write end. */
START_TEST(fdpass_kinds_in_process)
{
  char path[256], fifo[256], buf[16];
  int sv[2], p[2], pair[2], file, fr, fw, fds[4], got[16], n;

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  open_kinds(p, pair, path, sizeof path, &file, fifo, sizeof fifo, &fr, &fw);
  fds[0] = p[0];
  fds[1] = pair[1];
  fds[2] = file;
  fds[3] = fw;
  ck_assert_int_eq(send_fds(sv[0], "kinds", 5, fds, 4, NULL), 5);
  close(p[0]);
  close(pair[1]);
  close(fw);
  ck_assert_int_eq(recv_fds(sv[1], buf, sizeof buf, got, &n, 0), 5);
  ck_assert_int_eq(n, 4);
  /* the pipe's read end */
  ck_assert_int_eq(write(p[1], "pipe", 4), 4);
  assert_pipe_gives(got[0], "pipe");
  close(p[1]);
  assert_pipe_eof(got[0]);
  /* the socket end */
  ck_assert_int_eq(write(got[1], "sock", 4), 4);
  ck_assert_int_eq(test_read_all(pair[0], buf, 4), 4);
  ck_assert_int_eq(memcmp(buf, "sock", 4), 0);
  ck_assert_int_eq(write(pair[0], "back", 4), 4);
  ck_assert_int_eq(test_read_all(got[1], buf, 4), 4);
  ck_assert_int_eq(memcmp(buf, "back", 4), 0);
  /* the file: one offset for both fds */
  ck_assert_int_eq(write(got[2], "abc", 3), 3);
  ck_assert_int_eq((int)lseek(file, 0, SEEK_CUR), 3);
  ck_assert_int_eq(write(file, "de", 2), 2);
  ck_assert_int_eq((int)lseek(got[2], 0, SEEK_CUR), 5);
  ck_assert_int_eq((int)lseek(got[2], 0, SEEK_SET), 0);
  ck_assert_int_eq(read(file, buf, 5), 5);
  ck_assert_int_eq(memcmp(buf, "abcde", 5), 0);
  /* the FIFO's write end */
  ck_assert_int_eq(write(got[3], "fifo", 4), 4);
  {
    struct pollfd q;
    q.fd = fr;
    q.events = POLLIN;
    ck_assert_int_eq(poll(&q, 1, 5000), 1);
  }
  ck_assert_int_eq(read(fr, buf, 4), 4);
  ck_assert_int_eq(memcmp(buf, "fifo", 4), 0);
  for (n = 0; n < 4; n++)
    close(got[n]);
  close(pair[0]);
  close(file);
  close(fr);
  close(sv[0]);
  close(sv[1]);
  unlink(path);
  unlink(fifo);
}
END_TEST

/*
 * Where fds attach in a stream (Linux, measured): plain "aaa", "bbb" with an
 * fd, plain "ccc".  A read of 2 takes "aa" and no fd; the next read takes
 * "a" and "bbb" with the fd and ends there; "ccc" comes alone.  A read()
 * that takes fds closes them.
 */
START_TEST(fdpass_stream_boundaries)
{
  int sv[2], p[2], got[16], n;
  char buf[64];

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(write(sv[0], "aaa", 3), 3);
  ck_assert_int_eq(send_fds(sv[0], "bbb", 3, &p[1], 1, NULL), 3);
  ck_assert_int_eq(write(sv[0], "ccc", 3), 3);
  ck_assert_int_eq(recv_fds(sv[1], buf, 2, got, &n, 0), 2);
  ck_assert_int_eq(n, 0);
  ck_assert_int_eq(memcmp(buf, "aa", 2), 0);
  ck_assert_int_eq(recv_fds(sv[1], buf, sizeof buf, got, &n, 0), 4);
  ck_assert_int_eq(memcmp(buf, "abbb", 4), 0);
  ck_assert_int_eq(n, 1);
  close(got[0]);
  ck_assert_int_eq(recv_fds(sv[1], buf, sizeof buf, got, &n, 0), 3);
  ck_assert_int_eq(memcmp(buf, "ccc", 3), 0);
  ck_assert_int_eq(n, 0);
  /* A read that ends inside the write takes the fds; the rest comes without. */
  ck_assert_int_eq(send_fds(sv[0], "dddd", 4, &p[1], 1, NULL), 4);
  ck_assert_int_eq(write(sv[0], "e", 1), 1);
  ck_assert_int_eq(recv_fds(sv[1], buf, 2, got, &n, 0), 2);
  ck_assert_int_eq(n, 1);
  close(got[0]);
  ck_assert_int_eq(recv_fds(sv[1], buf, sizeof buf, got, &n, 0), 3);
  ck_assert_int_eq(memcmp(buf, "dde", 3), 0);
  ck_assert_int_eq(n, 0);
  /* A read() takes the bytes and closes the fds. */
  ck_assert_int_eq(send_fds(sv[0], "f", 1, &p[1], 1, NULL), 1);
  close(p[1]);
  ck_assert_int_eq(read(sv[1], buf, sizeof buf), 1);
  assert_pipe_eof(p[0]);
  close(p[0]);
  close(sv[0]);
  close(sv[1]);
}
END_TEST

/* A loopback socket of type bound to a free port; its address in *a. */
static int inet_bound(int type, struct sockaddr_in *a)
{
  socklen_t len = sizeof *a;
  int fd = socket(AF_INET, type, 0);

  ck_assert_int_ge(fd, 0);
  memset(a, 0, sizeof *a);
  a->sin_family = AF_INET;
  a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ck_assert_int_eq(bind(fd, (struct sockaddr *)a, sizeof *a), 0);
  ck_assert_int_eq(getsockname(fd, (struct sockaddr *)a, &len), 0);
  return fd;
}

/* A connected TCP socket and a bound UDP socket travel and keep working. */
START_TEST(fdpass_tcp_udp)
{
  struct sockaddr_in b;
  int sv[2], l, c, srv, u, u2, fds[2], got[16], n;
  char buf[16];

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  test_tcp_connected(&l, &c, &srv);
  u = inet_bound(SOCK_DGRAM, &b);
  fds[0] = srv;
  fds[1] = u;
  ck_assert_int_eq(send_fds(sv[0], "i", 1, fds, 2, NULL), 1);
  close(srv);
  close(u);
  ck_assert_int_eq(recv_fds(sv[1], buf, sizeof buf, got, &n, 0), 1);
  ck_assert_int_eq(n, 2);
  ck_assert_int_eq(write(got[0], "tcp", 3), 3);
  ck_assert_int_eq(test_read_all(c, buf, 3), 3);
  ck_assert_int_eq(memcmp(buf, "tcp", 3), 0);
  ck_assert_int_eq(write(c, "back", 4), 4);
  ck_assert_int_eq(test_read_all(got[0], buf, 4), 4);
  ck_assert_int_eq(memcmp(buf, "back", 4), 0);
  close(got[0]);
  ck_assert_int_eq(read(c, buf, sizeof buf), 0);   /* the passed fd was the last */
  u2 = socket(AF_INET, SOCK_DGRAM, 0);
  ck_assert_int_ge(u2, 0);
  ck_assert_int_eq(sendto(u2, "udp", 3, 0, (struct sockaddr *)&b, sizeof b), 3);
  ck_assert_int_eq(recv(got[1], buf, sizeof buf, 0), 3);
  ck_assert_int_eq(memcmp(buf, "udp", 3), 0);
  close(got[1]);
  close(u2);
  close(c);
  close(l);
  close(sv[0]);
  close(sv[1]);
}
END_TEST

/*
 * recvmsg(MSG_PEEK) reports the fds too, as new fds (open descriptions the
 * queued ones share), and the read that takes the data reports them again:
 * a pipe end and a TCP socket over each kind of socketpair.
 */
static void peek_fds(int type)
{
  int sv[2], p[2], fds[2], got[16], n, round, l, c, srv;
  char buf[8];

  ck_assert_int_eq(socketpair(AF_UNIX, type, 0, sv), 0);
  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(write(p[1], "abcdef", 6), 6);
  test_tcp_connected(&l, &c, &srv);
  fds[0] = p[0];
  fds[1] = srv;
  ck_assert_int_eq(send_fds(sv[0], "xy", 2, fds, 2, NULL), 2);
  close(p[0]);
  close(srv);
  for (round = 0; round < 3; round++) {
    memset(buf, 0, sizeof buf);
    ck_assert_int_eq(recv_fds(sv[1], buf, sizeof buf, got, &n, round < 2 ? MSG_PEEK : 0), 2);
    ck_assert_str_eq(buf, "xy");
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(test_read_all(got[0], buf, 2), 2);
    ck_assert_int_eq(memcmp(buf, &"abcdef"[2 * round], 2), 0);
    ck_assert_int_eq(write(got[1], &"123"[round], 1), 1);
    close(got[0]);
    close(got[1]);
  }
  ck_assert_int_eq(test_read_all(c, buf, 3), 3);
  ck_assert_int_eq(memcmp(buf, "123", 3), 0);
  ck_assert_int_eq(read(c, buf, 1), 0);   /* every copy closed */
  ck_assert_int_eq(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), -1);
  ck_assert_int_eq(errno, EAGAIN);
  close(c);
  close(l);
  close(p[1]);
  close(sv[0]);
  close(sv[1]);
}

START_TEST(fdpass_peek)
{
  peek_fds(SOCK_STREAM);
  peek_fds(SOCK_SEQPACKET);
  peek_fds(SOCK_DGRAM);
}
END_TEST

/* Several messages in flight, each with its own fd, taken in order. */
START_TEST(fdpass_several_in_flight)
{
  int sv[2], p[5][2], got[16], n, i;
  char buf[8], c;

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
  for (i = 0; i < 5; i++) {
    ck_assert_int_eq(pipe(p[i]), 0);
    c = (char)('0' + i);
    ck_assert_int_eq(send_fds(sv[0], &c, 1, &p[i][1], 1, NULL), 1);
    close(p[i][1]);
  }
  for (i = 0; i < 5; i++) {
    ck_assert_int_eq(recv_fds(sv[1], buf, sizeof buf, got, &n, 0), 1);
    ck_assert_int_eq(buf[0], '0' + i);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(write(got[0], buf, 1), 1);
    close(got[0]);
    buf[1] = 0;
    assert_pipe_gives(p[i][0], buf);
    assert_pipe_eof(p[i][0]);
    close(p[i][0]);
  }
  close(sv[0]);
  close(sv[1]);
}
END_TEST

/* A control buffer with room for one fd of three: MSG_CTRUNC, the other two
 * closed; none at all: all three closed. */
START_TEST(fdpass_ctrunc)
{
  int sv[2], p[3][2], w[3], got[16], n, flags, i;
  char buf[8];

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  for (i = 0; i < 3; i++) {
    ck_assert_int_eq(pipe(p[i]), 0);
    w[i] = p[i][1];
  }
  ck_assert_int_eq(send_fds(sv[0], "x", 1, w, 3, NULL), 1);
  ck_assert_int_eq(send_fds(sv[0], "y", 1, w, 3, NULL), 1);
  for (i = 0; i < 3; i++)
    close(w[i]);
  ck_assert_int_eq(recv_fds_room(sv[1], buf, sizeof buf, got, &n, 0, &flags, CMSG_LEN(sizeof(int))), 1);
  ck_assert_int_eq(buf[0], 'x');
  ck_assert(flags & MSG_CTRUNC);
  ck_assert_int_eq(n, 1);
  ck_assert_int_eq(write(got[0], "z", 1), 1);   /* the first one, installed */
  assert_pipe_gives(p[0][0], "z");
  ck_assert_int_eq(recv_fds_room(sv[1], buf, sizeof buf, got + 1, &n, 0, &flags, 0), 1);
  ck_assert_int_eq(buf[0], 'y');
  ck_assert(flags & MSG_CTRUNC);
  ck_assert_int_eq(n, 0);
  assert_pipe_eof(p[1][0]);     /* every copy of the other two is closed */
  assert_pipe_eof(p[2][0]);
  close(got[0]);
  assert_pipe_eof(p[0][0]);
  for (i = 0; i < 3; i++)
    close(p[i][0]);
  close(sv[0]);
  close(sv[1]);
}
END_TEST

START_TEST(fdpass_cmsg_cloexec)
{
  int sv[2], p[2], got[16], n;
  char buf[8];

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(send_fds(sv[0], "a", 1, &p[1], 1, NULL), 1);
  ck_assert_int_eq(send_fds(sv[0], "b", 1, &p[1], 1, NULL), 1);
  ck_assert_int_eq(recv_fds(sv[1], buf, sizeof buf, got, &n, MSG_CMSG_CLOEXEC), 1);
  ck_assert_int_eq(n, 1);
  ck_assert_int_eq(fcntl(got[0], F_GETFD), FD_CLOEXEC);
  close(got[0]);
  ck_assert_int_eq(recv_fds(sv[1], buf, sizeof buf, got, &n, 0), 1);
  ck_assert_int_eq(n, 1);
  ck_assert_int_eq(fcntl(got[0], F_GETFD), 0);
  close(got[0]);
  close(p[0]);
  close(p[1]);
  close(sv[0]);
  close(sv[1]);
}
END_TEST

/* A nonblocking sendmsg() with fds to a full socket: EAGAIN; once there is
 * room it goes. */
START_TEST(fdpass_nonblocking_full)
{
  static char big[4096];
  int sv[2], p[2], got[16], n;
  char buf[8];
  ssize_t r;

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
  ck_assert_int_eq(pipe(p), 0);
  while ((r = write(sv[0], big, sizeof big)) > 0)
    ;
  ck_assert_int_eq(errno, EAGAIN);
  errno = 0;
  ck_assert_int_eq(send_fds(sv[0], "f", 1, &p[1], 1, NULL), -1);
  ck_assert_int_eq(errno, EAGAIN);
  close(sv[1]);
  close(sv[0]);
  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
  ck_assert_int_eq(send_fds(sv[0], "f", 1, &p[1], 1, NULL), 1);
  close(p[1]);
  ck_assert_int_eq(recv_fds(sv[1], buf, sizeof buf, got, &n, 0), 1);
  ck_assert_int_eq(n, 1);
  close(got[0]);
  assert_pipe_eof(p[0]);
  close(p[0]);
  close(sv[0]);
  close(sv[1]);
}
END_TEST

/* Fds queued to a socket that is closed unread are closed with it. */
START_TEST(fdpass_receiver_closes)
{
  int sv[2], p[2];

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(send_fds(sv[0], "x", 1, &p[1], 1, NULL), 1);
  close(p[1]);
  close(sv[1]);
  assert_pipe_eof(p[0]);
  close(p[0]);
  close(sv[0]);
}
END_TEST

/* Bad control data: a bad fd EBADF, a cmsg longer than the buffer or of an
 * unknown type EINVAL, more than 253 fds EINVAL. */
START_TEST(fdpass_bad_input)
{
  union {
    char buf[CMSG_SPACE(sizeof(int) * 254)];
    struct cmsghdr align;
  } u;
  struct msghdr m;
  struct iovec v;
  struct cmsghdr *c;
  int sv[2], bad = 9999, i, *fds;

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  errno = 0;
  ck_assert_int_eq(send_fds(sv[0], "x", 1, &bad, 1, NULL), -1);
  ck_assert_int_eq(errno, EBADF);
  memset(&m, 0, sizeof m);
  memset(&u, 0, sizeof u);
  v.iov_base = "x";
  v.iov_len = 1;
  m.msg_iov = &v;
  m.msg_iovlen = 1;
  m.msg_control = u.buf;
  m.msg_controllen = CMSG_SPACE(sizeof(int));
  c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int) * 4);    /* longer than the buffer */
  memcpy(CMSG_DATA(c), &sv[0], sizeof(int));
  errno = 0;
  ck_assert_int_eq(sendmsg(sv[0], &m, 0), -1);
  ck_assert_int_eq(errno, EINVAL);
  c->cmsg_len = CMSG_LEN(sizeof(int));
  c->cmsg_type = 77;
  errno = 0;
  ck_assert_int_eq(sendmsg(sv[0], &m, 0), -1);
  ck_assert_int_eq(errno, EINVAL);
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int) * 254);
  m.msg_controllen = CMSG_SPACE(sizeof(int) * 254);
  fds = (int *)CMSG_DATA(c);
  for (i = 0; i < 254; i++)
    fds[i] = sv[0];
  errno = 0;
  ck_assert_int_eq(sendmsg(sv[0], &m, 0), -1);
  ck_assert_int_eq(errno, EINVAL);
  close(sv[0]);
  close(sv[1]);
}
END_TEST

/* SO_PASSCRED: every message comes with the sender's credentials; a sender
 * may attach its own. */
START_TEST(fdpass_credentials)
{
  union {
    char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  struct ucred me, got;
  struct msghdr m;
  struct iovec v;
  struct cmsghdr *c;
  int sv[2], on = 1, k;
  socklen_t len = sizeof on;
  char buf[8];

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ck_assert_int_eq(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on), 0);
  on = 0;
  ck_assert_int_eq(getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, &len), 0);
  ck_assert_int_ne(on, 0);
  me.pid = getpid();
  me.uid = getuid();
  me.gid = getgid();
  for (k = 0; k < 2; k++) {
    if (k == 0)
      ck_assert_int_eq(write(sv[0], "p", 1), 1);
    else
      ck_assert_int_eq(send_fds(sv[0], "q", 1, NULL, 0, &me), 1);
    memset(&m, 0, sizeof m);
    v.iov_base = buf;
    v.iov_len = sizeof buf;
    m.msg_iov = &v;
    m.msg_iovlen = 1;
    m.msg_control = u.buf;
    m.msg_controllen = sizeof u.buf;
    ck_assert_int_eq(recvmsg(sv[1], &m, 0), 1);
    ck_assert_int_eq(buf[0], k == 0 ? 'p' : 'q');
    c = CMSG_FIRSTHDR(&m);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(c->cmsg_level, SOL_SOCKET);
    ck_assert_int_eq(c->cmsg_type, SCM_CREDENTIALS);
    ck_assert_uint_eq(c->cmsg_len, CMSG_LEN(sizeof got));
    memcpy(&got, CMSG_DATA(c), sizeof got);
    ck_assert_int_eq(got.pid, me.pid);
    ck_assert(got.uid == me.uid && got.gid == me.gid);
  }
  close(sv[0]);
  close(sv[1]);
}
END_TEST

/* A sender that claims credentials not its own: EPERM.  Root may claim any
 * on Linux, so the helper drops to nobody first there. */
IPCX_TEST_HELPER(fdpass_cred_eperm)
{
  struct ucred other;
  int sv[2];

  (void)argc;
  (void)argv;
#ifndef _WIN32
  /* Linux root (CAP_SYS_ADMIN, CAP_SETUID) may claim any credentials; Windows has no root. */
  if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
    return 2;
#endif
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
    return 3;
  other.pid = getpid();
  other.uid = getuid();
  other.gid = getgid();
  if (send_fds(sv[0], "x", 1, NULL, 0, &other) != 1)
    return 4;
  other.pid = getpid() + 1;
  errno = 0;
  if (send_fds(sv[0], "x", 1, NULL, 0, &other) != -1 || errno != EPERM)
    return 5;
  other.pid = getpid();
  other.uid = getuid() + 1;
  errno = 0;
  if (send_fds(sv[0], "x", 1, NULL, 0, &other) != -1 || errno != EPERM)
    return 6;
  return 0;
}

START_TEST(fdpass_credentials_eperm)
{
  char *argv[] = { (char *)test_self, "--helper", "fdpass_cred_eperm", NULL };

  test_wait_ok(test_spawn_helper(argv));
}
END_TEST

/* --- two processes ------------------------------------------------------------- */

/*
 * argv: MODE WHERE [COUNT].  WHERE is an fd number (an inherited socketpair
 * end) or a path to connect to.  MODE:
 *   use    receive one message of COUNT fds and write "child" to each;
 *   many   COUNT messages of one fd each: write one byte to it and close it;
 *          exit 9 if this process's own handle count grew;
 *   give   make a pipe, write "left" into it, send its read end, exit;
 *   idle   wait until something arrives and exit without reading it.
 */
IPCX_TEST_HELPER(fdpass_peer)
{
  int s, got[16], n, i, count;
  char buf[16];
  long base;

  if (argc < 2)
    return 2;
  s = argv[1][0] >= '0' && argv[1][0] <= '9' ? atoi(argv[1]) : test_connect_to(argv[1], SOCK_STREAM);
  if (s < 0)
    return 3;
  if (strcmp(argv[0], "use") == 0) {
    if (recv_fds(s, buf, sizeof buf, got, &n, 0) != 3 || argc < 3 || n != atoi(argv[2]))
      return 4;
    for (i = 0; i < n; i++)
      if (write(got[i], "child", 5) != 5 || close(got[i]) != 0)
        return 10 + i;
  } else if (strcmp(argv[0], "many") == 0) {
    count = argc > 2 ? atoi(argv[2]) : 0;
    base = test_open_count();
    for (i = 0; i < count; i++) {
      if (recv_fds(s, buf, sizeof buf, got, &n, 0) != 1 || n != 1)
        return 5;
      if (write(got[0], "x", 1) != 1 || close(got[0]) != 0)
        return 6;
    }
    if (test_settle_count(base) > base + TEST_SLACK)
      return 9;
  } else if (strcmp(argv[0], "give") == 0) {
    int p[2];
    char go;
    /* The receiver says when its SO_PASSCRED is on: Linux attaches the
     * credentials when the message is sent, not when it is read. */
    if (read(s, &go, 1) != 1)
      return 6;
    if (pipe(p) != 0 || write(p[1], "left", 4) != 4)
      return 7;
    close(p[1]);
    if (send_fds(s, "g", 1, &p[0], 1, NULL) != 1)
      return 8;
    close(p[0]);
  } else {
    struct pollfd q;
    q.fd = s;
    q.events = POLLIN;
    if (poll(&q, 1, 10000) != 1)
      return 4;
    _exit(0);                   /* dies with the fds unread */
  }
  close(s);
  return 0;
}

static void *connect_thread(void *arg)
{
  int c = test_connect_to(arg, SOCK_STREAM);
  return (void *)(intptr_t)(c >= 0 ? c : -errno);
}

/*
 * A listening socket and a bound datagram socket travel too: the received
 * listener accepts a connection made to its path after the sender closed
 * its own copy, and the received datagram socket gets what is sent to its
 * path.
 */
START_TEST(fdpass_listener_and_bound_dgram)
{
  char lpath[256], dpath[256], buf[16];
  struct sockaddr_un a;
  socklen_t alen;
  int sv[2], fds[2], got[16], n, c, acc, tx;
  pthread_t t;
  void *r;

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  fds[0] = test_listen_at(lpath, sizeof lpath, SOCK_STREAM, 4);
  ck_assert_int_ge(fds[0], 0);
  test_path(dpath, sizeof dpath, "dg");
  fds[1] = socket(AF_UNIX, SOCK_DGRAM, 0);
  ck_assert_int_ge(fds[1], 0);
  alen = test_addr(&a, dpath);
  ck_assert_int_eq(bind(fds[1], (struct sockaddr *)&a, alen), 0);
  ck_assert_int_eq(send_fds(sv[0], "LD", 2, fds, 2, NULL), 2);
  close(fds[0]);
  close(fds[1]);
  ck_assert_int_eq(recv_fds(sv[1], buf, sizeof buf, got, &n, 0), 2);
  ck_assert_int_eq(n, 2);
  /* the listener: a client connects while we are in accept() (on Windows a
   * listener that has travelled makes a pipe instance only while a holder
   * accepts or polls: docs/differences.md) */
  ck_assert_int_eq(pthread_create(&t, NULL, connect_thread, lpath), 0);
  acc = accept(got[0], NULL, NULL);
  ck_assert_int_ge(acc, 0);
  ck_assert_int_eq(pthread_join(t, &r), 0);
  c = (int)(intptr_t)r;
  ck_assert_msg(c >= 0, "connect: %s", strerror((int)-(intptr_t)r));
  ck_assert_int_eq(write(c, "hi", 2), 2);
  ck_assert_int_eq(read(acc, buf, sizeof buf), 2);
  ck_assert_int_eq(memcmp(buf, "hi", 2), 0);
  /* the bound datagram socket */
  tx = socket(AF_UNIX, SOCK_DGRAM, 0);
  ck_assert_int_ge(tx, 0);
  ck_assert_int_eq(sendto(tx, "dgram", 5, 0, (struct sockaddr *)&a, alen), 5);
  ck_assert_int_eq(recv(got[1], buf, sizeof buf, 0), 5);
  ck_assert_int_eq(memcmp(buf, "dgram", 5), 0);
  close(tx);
  close(c);
  close(acc);
  close(got[0]);
  close(got[1]);
  close(sv[0]);
  close(sv[1]);
  unlink(lpath);
  unlink(dpath);
}
END_TEST

static pid_t start_peer(const char *mode, const char *where, const char *count)
{
  char *argv[] = { (char *)test_self, "--helper", "fdpass_peer", (char *)mode, (char *)where,
                   (char *)count, NULL };

  return test_spawn_helper(argv);
}

/* Pipe, socket, file and FIFO ends to a child: to one that inherited a
 * socketpair end (pair) or to one that connected (path); to that one a TCP
 * connection too. */
static void kinds_to_child(int by_path, int type)
{
  char path[256], file[256], fifo[256], where[256], buf[16];
  int sv[2], p[2], pair[2], f, fr, fw, fds[5], s, l = -1, tl = -1, tc = -1, ts = -1;
  pid_t pid;

  if (by_path) {
    struct sockaddr_in a;
    l = test_listen_at(path, sizeof path, SOCK_STREAM, 4);
    pid = start_peer("use", path, "5");
    tl = inet_bound(SOCK_STREAM, &a);
    ck_assert_int_eq(listen(tl, 1), 0);
    tc = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(tc, 0);
    ck_assert_int_eq(connect(tc, (struct sockaddr *)&a, sizeof a), 0);
    ts = accept(tl, NULL, NULL);
    ck_assert_int_ge(ts, 0);
    s = accept(l, NULL, NULL);
    ck_assert_int_ge(s, 0);
  } else {
    ck_assert_int_eq(socketpair(AF_UNIX, type, 0, sv), 0);
    fcntl(sv[0], F_SETFD, FD_CLOEXEC);
    snprintf(where, sizeof where, "%d", sv[1]);
    pid = start_peer("use", where, "4");
    close(sv[1]);
    s = sv[0];
  }
  open_kinds(p, pair, file, sizeof file, &f, fifo, sizeof fifo, &fr, &fw);
  fds[0] = p[1];
  fds[1] = pair[1];
  fds[2] = f;
  fds[3] = fw;
  if (by_path)
    fds[4] = ts;
  ck_assert_int_eq(send_fds(s, "use", 3, fds, by_path ? 5 : 4, NULL), 3);
  if (by_path)
    close(ts);
  close(p[1]);
  close(pair[1]);
  close(fw);
  test_wait_ok(pid);
  assert_pipe_gives(p[0], "child");
  assert_pipe_eof(p[0]);
  ck_assert_int_eq(test_read_all(pair[0], buf, 5), 5);
  ck_assert_int_eq(memcmp(buf, "child", 5), 0);
  ck_assert_int_eq((int)lseek(f, 0, SEEK_CUR), 5);   /* the child moved our offset */
  ck_assert_int_eq(read(fr, buf, 5), 5);
  ck_assert_int_eq(memcmp(buf, "child", 5), 0);
  if (by_path) {
    ck_assert_int_eq(test_read_all(tc, buf, 5), 5);
    ck_assert_int_eq(memcmp(buf, "child", 5), 0);
    ck_assert_int_eq(read(tc, buf, 1), 0);    /* the child's close was the last */
    close(tc);
    close(tl);
  }
  close(p[0]);
  close(pair[0]);
  close(f);
  close(fr);
  close(s);
  if (l >= 0) {
    close(l);
    unlink(path);
  }
  unlink(file);
  unlink(fifo);
}

START_TEST(fdpass_kinds_to_child_pair)
{
  kinds_to_child(0, SOCK_STREAM);
}
END_TEST

START_TEST(fdpass_kinds_to_child_seqpacket)
{
  kinds_to_child(0, SOCK_SEQPACKET);
}
END_TEST

START_TEST(fdpass_kinds_to_child_dgram)
{
  kinds_to_child(0, SOCK_DGRAM);
}
END_TEST

START_TEST(fdpass_kinds_to_child_path)
{
  kinds_to_child(1, SOCK_STREAM);
}
END_TEST

/* The sender exits right after sendmsg(): the fd still arrives (with the
 * sender's credentials, SO_PASSCRED). */
START_TEST(fdpass_sender_exits)
{
  char path[256], buf[8];
  int l, s, got[16], n, on = 1;
  pid_t pid;

  l = test_listen_at(path, sizeof path, SOCK_STREAM, 4);
  pid = start_peer("give", path, NULL);
  s = accept(l, NULL, NULL);
  ck_assert_int_ge(s, 0);
  ck_assert_int_eq(setsockopt(s, SOL_SOCKET, SO_PASSCRED, &on, sizeof on), 0);
  ck_assert_int_eq(write(s, "!", 1), 1);
  test_wait_ok(pid);
  ck_assert_int_eq(recv_fds(s, buf, sizeof buf, got, &n, 0), 1);
  ck_assert_int_eq(buf[0], 'g');
  ck_assert_int_eq(n, 1);
  ck_assert_int_eq(last_cred.pid, pid);     /* SO_PASSCRED: the sender's pid */
  assert_pipe_gives(got[0], "left");
  assert_pipe_eof(got[0]);
  close(got[0]);
  close(s);
  close(l);
  unlink(path);
}
END_TEST

/* The receiver dies with fds in flight: they are closed, nothing stays open here. */
START_TEST(fdpass_receiver_dies)
{
  char path[256];
  int l, s, p[3][2], w[3], i;
  long base;
  pid_t pid;

  base = test_open_count();
  l = test_listen_at(path, sizeof path, SOCK_STREAM, 4);
  pid = start_peer("idle", path, NULL);
  s = accept(l, NULL, NULL);
  ck_assert_int_ge(s, 0);
  for (i = 0; i < 3; i++) {
    ck_assert_int_eq(pipe(p[i]), 0);
    w[i] = p[i][1];
  }
  ck_assert_int_eq(send_fds(s, "die", 3, w, 3, NULL), 3);
  for (i = 0; i < 3; i++)
    close(w[i]);
  test_wait_ok(pid);
  for (i = 0; i < 3; i++) {
    assert_pipe_eof(p[i][0]);
    close(p[i][0]);
  }
  close(s);
  close(l);
  unlink(path);
  ck_assert_int_le(test_settle_count(base), base + TEST_SLACK);
}
END_TEST

/* 1,000 passes to a child that connected; the counts come back (here, and
 * the child checks its own). */
START_TEST(fdpass_thousand_passes)
{
  char path[256], c;
  int l, s, p[2], i;
  long base;
  pid_t pid;

  l = test_listen_at(path, sizeof path, SOCK_STREAM, 4);
  pid = start_peer("many", path, "1000");
  s = accept(l, NULL, NULL);
  ck_assert_int_ge(s, 0);
  base = test_open_count();
  for (i = 0; i < 1000; i++) {
    ck_assert_int_eq(pipe(p), 0);
    ck_assert_int_eq(send_fds(s, "m", 1, &p[1], 1, NULL), 1);
    close(p[1]);
    ck_assert_int_eq(read(p[0], &c, 1), 1);
    assert_pipe_eof(p[0]);
    close(p[0]);
  }
  test_wait_ok(pid);
  ck_assert_int_le(test_settle_count(base), base + TEST_SLACK);
  close(s);
  close(l);
  unlink(path);
}
END_TEST

Suite *suite_fdpass(void)
{
  Suite *s = suite_create("fdpass");
  TCase *tc = test_tcase("fdpass");

  tcase_add_test(tc, fdpass_pipe_stream);
  tcase_add_test(tc, fdpass_pipe_seqpacket);
  tcase_add_test(tc, fdpass_pipe_dgram);
  tcase_add_test(tc, fdpass_peek);
  tcase_add_test(tc, fdpass_bound_dgram);
  tcase_add_test(tc, fdpass_kinds_in_process);
  tcase_add_test(tc, fdpass_listener_and_bound_dgram);
  tcase_add_test(tc, fdpass_tcp_udp);
  tcase_add_test(tc, fdpass_stream_boundaries);
  tcase_add_test(tc, fdpass_several_in_flight);
  tcase_add_test(tc, fdpass_ctrunc);
  tcase_add_test(tc, fdpass_cmsg_cloexec);
  tcase_add_test(tc, fdpass_nonblocking_full);
  tcase_add_test(tc, fdpass_receiver_closes);
  tcase_add_test(tc, fdpass_bad_input);
  tcase_add_test(tc, fdpass_credentials);
  tcase_add_test(tc, fdpass_credentials_eperm);
  tcase_add_test(tc, fdpass_kinds_to_child_pair);
  tcase_add_test(tc, fdpass_kinds_to_child_seqpacket);
  tcase_add_test(tc, fdpass_kinds_to_child_dgram);
  tcase_add_test(tc, fdpass_kinds_to_child_path);
  tcase_add_test(tc, fdpass_sender_exits);
  tcase_add_test(tc, fdpass_receiver_dies);
  tcase_add_test(tc, fdpass_thousand_passes);
  suite_add_tcase(s, tc);
  return s;
}
