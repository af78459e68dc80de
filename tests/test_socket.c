/*
 * AF_UNIX stream sockets (and a TCP round trip): data, half-close, EOF,
 * EPIPE, listeners, many clients, dead peers, every errno, options, threads.
 */
#include "ipcx_test.h"
#include <poll.h>
#include <spawn.h>
#include <stddef.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <arpa/inet.h>

/* --- helpers ------------------------------------------------------------- */

/* An abstract address: sun_path[0] == 0, then name (no terminator counted). */
static socklen_t make_abstract(struct sockaddr_un *a, const char *name)
{
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  memcpy(a->sun_path + 1, name, strlen(name));
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
}

/* Read until EOF; returns the count or -1. */
static ssize_t read_to_eof(int fd, unsigned char *buf, size_t cap)
{
  size_t done = 0;
  ssize_t r;

  for (;;) {
    r = read(fd, buf + done, cap - done);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return -1;
    if (r == 0)
      return (ssize_t)done;
    done += (size_t)r;
    if (done == cap) {
      char extra;
      return read(fd, &extra, 1) == 0 ? (ssize_t)done : -1;
    }
  }
}


/* --- echo ------------------------------------------------------------------ */

static void *echo_server(void *arg)
{
  int lfd = *(int *)arg, c;
  char buf[4096];
  ssize_t r;

  c = accept(lfd, NULL, NULL);
  if (c < 0)
    return NULL;
  while ((r = read(c, buf, sizeof buf)) > 0)
    if (test_write_all(c, buf, (size_t)r) < 0)
      break;
  close(c);
  return NULL;
}

START_TEST(sock_echo)
{
  char path[256], buf[64];
  pthread_t t;
  int lfd, c;

  lfd = test_listen_at(path, sizeof path, SOCK_STREAM, 4);
  ck_assert_int_eq(pthread_create(&t, NULL, echo_server, &lfd), 0);
  c = test_connect_to(path, SOCK_STREAM);
  ck_assert_int_ge(c, 0);
  ck_assert_int_eq(write(c, "hello", 5), 5);
  ck_assert_int_eq(test_read_all(c, buf, 5), 5);
  ck_assert_int_eq(memcmp(buf, "hello", 5), 0);
  ck_assert_int_eq(send(c, "second", 6, 0), 6);
  ck_assert_int_eq(recv(c, buf, 6, MSG_WAITALL), 6);
  ck_assert_int_eq(memcmp(buf, "second", 6), 0);
  ck_assert_int_eq(shutdown(c, SHUT_WR), 0);
  ck_assert_int_eq(read(c, buf, sizeof buf), 0);
  pthread_join(t, NULL);
  close(c);
  close(lfd);
  ck_assert_int_eq(unlink(path), 0);
}
END_TEST

START_TEST(sock_socketpair_roundtrip)
{
  char buf[16] = { 0 };
  int sv[2];

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ck_assert_int_eq(write(sv[0], "ping", 4), 4);
  ck_assert_int_eq(read(sv[1], buf, sizeof buf), 4);
  ck_assert_int_eq(memcmp(buf, "ping", 4), 0);
  ck_assert_int_eq(write(sv[1], "pong!", 5), 5);
  ck_assert_int_eq(read(sv[0], buf, sizeof buf), 5);
  ck_assert_int_eq(memcmp(buf, "pong!", 5), 0);
  ck_assert_int_eq(close(sv[0]), 0);
  ck_assert_int_eq(read(sv[1], buf, sizeof buf), 0);
  errno = 0;
  ck_assert_int_eq(write(sv[1], "x", 1), -1);
  ck_assert_int_eq(errno, EPIPE);
  ck_assert_int_eq(close(sv[1]), 0);
}
END_TEST

/* Stream semantics: many writes come out as one byte stream, short reads split writes. */
START_TEST(sock_stream_boundaries)
{
  char buf[64];
  int sv[2];

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ck_assert_int_eq(write(sv[0], "abc", 3), 3);
  ck_assert_int_eq(write(sv[0], "defg", 4), 4);
  {
    int avail = -1;
    ck_assert_int_eq(ioctl(sv[1], FIONREAD, &avail), 0);
    ck_assert_int_eq(avail, 7);
  }
  ck_assert_int_eq(read(sv[1], buf, 2), 2);
  ck_assert_int_eq(memcmp(buf, "ab", 2), 0);
  ck_assert_int_eq(recv(sv[1], buf, 5, MSG_WAITALL), 5);
  ck_assert_int_eq(memcmp(buf, "cdefg", 5), 0);
  {
    int avail = -1;
    ck_assert_int_eq(ioctl(sv[1], FIONREAD, &avail), 0);
    ck_assert_int_eq(avail, 0);
  }
  ck_assert_int_eq(read(sv[1], buf, 0), 0);     /* a zero-length read is no EOF mark */
  ck_assert_int_eq(write(sv[0], buf, 0), 0);    /* nor is a zero-length write */
  ck_assert_int_eq(write(sv[0], "z", 1), 1);
  ck_assert_int_eq(read(sv[1], buf, sizeof buf), 1);
  close(sv[0]);
  close(sv[1]);
}
END_TEST

/* --- half-close ----------------------------------------------------------- */

#define LATE_REPLY (1024 * 1024)

static void *late_reply_server(void *arg)
{
  int lfd = *(int *)arg, c;
  unsigned char *reply = malloc(LATE_REPLY), req[64];
  ssize_t n;

  c = accept(lfd, NULL, NULL);
  if (c >= 0 && reply != NULL) {
    n = read_to_eof(c, req, sizeof req);        /* the request, then the client's SHUT_WR */
    if (n == 7 && memcmp(req, "request", 7) == 0) {
      test_sleep_ms(50);                          /* late: after any timer-based fake would fire */
      test_fill(reply, LATE_REPLY, 3);
      test_write_all(c, reply, LATE_REPLY);
    }
    close(c);
  }
  free(reply);
  return NULL;
}

START_TEST(sock_half_close_late_reply)
{
  unsigned char *got = malloc(LATE_REPLY + 1), *want = malloc(LATE_REPLY);
  char path[256];
  pthread_t t;
  int lfd, c;

  ck_assert_ptr_nonnull(got);
  ck_assert_ptr_nonnull(want);
  lfd = test_listen_at(path, sizeof path, SOCK_STREAM, 4);
  ck_assert_int_eq(pthread_create(&t, NULL, late_reply_server, &lfd), 0);
  c = test_connect_to(path, SOCK_STREAM);
  ck_assert_int_ge(c, 0);
  ck_assert_int_eq(write(c, "request", 7), 7);
  ck_assert_int_eq(shutdown(c, SHUT_WR), 0);
  errno = 0;
  ck_assert_int_eq(write(c, "x", 1), -1);       /* our own SHUT_WR */
  ck_assert_int_eq(errno, EPIPE);
  ck_assert_int_eq(read_to_eof(c, got, LATE_REPLY + 1), LATE_REPLY);
  test_fill(want, LATE_REPLY, 3);
  ck_assert_int_eq(memcmp(got, want, LATE_REPLY), 0);
  pthread_join(t, NULL);
  close(c);
  close(lfd);
  unlink(path);
  free(got);
  free(want);
}
END_TEST

START_TEST(sock_shutdown_rd_wakes_reader)
{
  int sv[2];
  char c;

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ck_assert_int_eq(shutdown(sv[0], SHUT_RD), 0);
  ck_assert_int_eq(read(sv[0], &c, 1), 0);
  ck_assert_int_eq(write(sv[0], "k", 1), 1);    /* the other direction lives */
  ck_assert_int_eq(read(sv[1], &c, 1), 1);
  ck_assert_int_eq(c, 'k');
  close(sv[0]);
  close(sv[1]);
}
END_TEST

struct blocked_reader {
  int fd;
  ssize_t r;
};

static void *read_one(void *arg)
{
  struct blocked_reader *b = arg;
  char c;
  b->r = read(b->fd, &c, 1);
  return NULL;
}

START_TEST(sock_shutdown_wakes_blocked_reader)
{
  struct blocked_reader b;
  pthread_t t;
  int sv[2];

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  b.fd = sv[0];
  b.r = -2;
  ck_assert_int_eq(pthread_create(&t, NULL, read_one, &b), 0);
  test_sleep_ms(100);
  ck_assert_int_eq(shutdown(sv[0], SHUT_RDWR), 0);
  pthread_join(t, NULL);
  ck_assert_int_eq(b.r, 0);
  close(sv[0]);
  close(sv[1]);
}
END_TEST

struct blocked_acceptor {
  int lfd;
  int r;
  int err;
};

static void *accept_blocked(void *arg)
{
  struct blocked_acceptor *b = arg;
  b->r = accept(b->lfd, NULL, NULL);
  b->err = errno;
  return NULL;
}

/* shutdown(SHUT_RDWR) on a listener ends a blocked accept() with EINVAL (a server's way out). */
START_TEST(sock_shutdown_wakes_accept)
{
  struct blocked_acceptor b;
  char path[256];
  pthread_t t;

  b.lfd = test_listen_at(path, sizeof path, SOCK_STREAM, 4);
  b.r = -2;
  b.err = 0;
  ck_assert_int_eq(pthread_create(&t, NULL, accept_blocked, &b), 0);
  test_sleep_ms(100);
  ck_assert_int_eq(shutdown(b.lfd, SHUT_RDWR), 0);
  pthread_join(t, NULL);
  ck_assert_int_eq(b.r, -1);
  ck_assert_int_eq(b.err, EINVAL);
  close(b.lfd);
  unlink(path);
}
END_TEST

/* --- close delivers everything ---------------------------------------------- */

#define CLOSE_BYTES 300000

struct drain {
  int fd;
  unsigned char *buf;
  ssize_t got;
};

static void *drain_to_eof(void *arg)
{
  struct drain *d = arg;
  test_sleep_ms(100);                              /* let the writer get ahead and close */
  d->got = read_to_eof(d->fd, d->buf, CLOSE_BYTES + 1);
  return NULL;
}

START_TEST(sock_close_delivers_all)
{
  unsigned char *out = malloc(CLOSE_BYTES), *in = malloc(CLOSE_BYTES + 1);
  struct drain d;
  char path[256];
  pthread_t t;
  size_t done = 0;
  int lfd, c, s, rounds = 0;

  lfd = test_listen_at(path, sizeof path, SOCK_STREAM, 4);
  c = test_connect_to(path, SOCK_STREAM);
  ck_assert_int_ge(c, 0);
  s = accept(lfd, NULL, NULL);
  ck_assert_int_ge(s, 0);
  test_fill(out, CLOSE_BYTES, 9);
  d.fd = s;
  d.buf = in;
  d.got = -2;
  ck_assert_int_eq(pthread_create(&t, NULL, drain_to_eof, &d), 0);
  /* Nonblocking writes first: what write() reported must arrive after close() too. */
  ck_assert_int_eq(fcntl(c, F_SETFL, O_NONBLOCK), 0);
  while (done < CLOSE_BYTES && rounds++ < 4) {
    ssize_t r = write(c, out + done, CLOSE_BYTES - done);
    if (r <= 0)
      break;
    done += (size_t)r;
  }
  ck_assert_int_eq(fcntl(c, F_SETFL, 0), 0);
  ck_assert_int_eq(test_write_all(c, out + done, CLOSE_BYTES - done), (ssize_t)(CLOSE_BYTES - done));
  ck_assert_int_eq(close(c), 0);
  pthread_join(t, NULL);
  ck_assert_int_eq(d.got, CLOSE_BYTES);
  ck_assert_int_eq(memcmp(in, out, CLOSE_BYTES), 0);
  close(s);
  close(lfd);
  unlink(path);
  free(out);
  free(in);
}
END_TEST

/* --- many clients ------------------------------------------------------------ */

#define CLIENTS 64
#define MESSAGES 500
#define MAX_MSG (256 * 1024)

struct conn_result {
  int fd;
  long messages;
  int failed;
};

/* Server side of one connection: [u32 len][bytes]..., answers each with its checksum. */
static void *many_server_conn(void *arg)
{
  struct conn_result *cr = arg;
  unsigned char *buf = malloc(MAX_MSG);
  unsigned int len;

  for (;;) {
    ssize_t r = test_read_all(cr->fd, &len, sizeof len);
    unsigned long long sum;
    if (r < 0)
      break;                    /* EOF: the client is done */
    if (len > MAX_MSG || test_read_all(cr->fd, buf, len) < 0) {
      cr->failed = 1;
      break;
    }
    sum = test_checksum(buf, len);
    if (test_write_all(cr->fd, &sum, sizeof sum) < 0) {
      cr->failed = 1;
      break;
    }
    cr->messages++;
  }
  close(cr->fd);
  free(buf);
  return NULL;
}

struct many_client {
  const char *path;
  unsigned seed;
  long messages;
  int failed;
};

static void *many_client_run(void *arg)
{
  struct many_client *mc = arg;
  unsigned char *buf = malloc(MAX_MSG);
  unsigned int len, rnd = mc->seed;
  int fd = test_connect_to(mc->path, SOCK_STREAM), i;

  if (fd < 0 || buf == NULL) {
    mc->failed = 1;
    free(buf);
    return NULL;
  }
  for (i = 0; i < MESSAGES; i++) {
    unsigned long long sum = 0;
    rnd = rnd * 1103515245u + 12345u;
    len = (rnd >> 8) % (1u << ((rnd >> 3) % 19));   /* 0 .. 256 KiB, mostly small */
    test_fill(buf, len, rnd);
    if (test_write_all(fd, &len, sizeof len) < 0 || test_write_all(fd, buf, len) < 0 ||
        test_read_all(fd, &sum, sizeof sum) < 0 || sum != test_checksum(buf, len)) {
      mc->failed = 1;
      break;
    }
    mc->messages++;
  }
  close(fd);
  free(buf);
  return NULL;
}

START_TEST(sock_many_clients)
{
  static struct conn_result conns[CLIENTS];
  static struct many_client clients[CLIENTS];
  pthread_t st[CLIENTS], ct[CLIENTS];
  char path[256];
  long total = 0;
  int lfd, i;

  lfd = test_listen_at(path, sizeof path, SOCK_STREAM, CLIENTS);
  for (i = 0; i < CLIENTS; i++) {
    clients[i].path = path;
    clients[i].seed = (unsigned)i * 7919u + 1;
    clients[i].messages = 0;
    clients[i].failed = 0;
    ck_assert_int_eq(pthread_create(&ct[i], NULL, many_client_run, &clients[i]), 0);
  }
  for (i = 0; i < CLIENTS; i++) {
    conns[i].fd = accept(lfd, NULL, NULL);
    ck_assert_int_ge(conns[i].fd, 0);
    conns[i].messages = 0;
    conns[i].failed = 0;
    ck_assert_int_eq(pthread_create(&st[i], NULL, many_server_conn, &conns[i]), 0);
  }
  for (i = 0; i < CLIENTS; i++) {
    pthread_join(ct[i], NULL);
    ck_assert_int_eq(clients[i].failed, 0);
    ck_assert_int_eq(clients[i].messages, MESSAGES);
  }
  for (i = 0; i < CLIENTS; i++) {
    pthread_join(st[i], NULL);
    ck_assert_int_eq(conns[i].failed, 0);
    total += conns[i].messages;
  }
  ck_assert_int_eq(total, (long)CLIENTS * MESSAGES);   /* nothing lost, nothing twice */
  close(lfd);
  unlink(path);
}
END_TEST

/* Many threads blocked in accept() on one listener each get their own client. */
struct acceptor {
  int lfd;
  int fd;
};

static void *accept_one(void *arg)
{
  struct acceptor *a = arg;
  char c;

  a->fd = accept(a->lfd, NULL, NULL);
  if (a->fd >= 0 && read(a->fd, &c, 1) == 1)
    write(a->fd, &c, 1);
  return NULL;
}

START_TEST(sock_many_acceptors)
{
  struct acceptor acc[8];
  pthread_t t[8];
  char path[256], c;
  int lfd, fds[8], i;

  lfd = test_listen_at(path, sizeof path, SOCK_STREAM, 8);
  for (i = 0; i < 8; i++) {
    acc[i].lfd = lfd;
    acc[i].fd = -1;
    ck_assert_int_eq(pthread_create(&t[i], NULL, accept_one, &acc[i]), 0);
  }
  test_sleep_ms(50);
  for (i = 0; i < 8; i++) {
    fds[i] = test_connect_to(path, SOCK_STREAM);
    ck_assert_int_ge(fds[i], 0);
    c = (char)('a' + i);
    ck_assert_int_eq(write(fds[i], &c, 1), 1);
  }
  for (i = 0; i < 8; i++) {
    ck_assert_int_eq(read(fds[i], &c, 1), 1);
    ck_assert_int_eq(c, 'a' + i);
  }
  for (i = 0; i < 8; i++) {
    pthread_join(t[i], NULL);
    ck_assert_int_ge(acc[i].fd, 0);
    close(acc[i].fd);
    close(fds[i]);
  }
  close(lfd);
  unlink(path);
}
END_TEST

/* --- concurrency on one socket -------------------------------------------- */

#define DUPLEX_BYTES (4 * 1024 * 1024)

struct duplex {
  int fd;
  unsigned seed;
  int ok;
};

static void *duplex_writer(void *arg)
{
  struct duplex *d = arg;
  unsigned char *buf = malloc(DUPLEX_BYTES);

  test_fill(buf, DUPLEX_BYTES, d->seed);
  d->ok = test_write_all(d->fd, buf, DUPLEX_BYTES) == DUPLEX_BYTES;
  free(buf);
  return NULL;
}

static void *duplex_reader(void *arg)
{
  struct duplex *d = arg;
  unsigned char *buf = malloc(DUPLEX_BYTES), *want = malloc(DUPLEX_BYTES);

  test_fill(want, DUPLEX_BYTES, d->seed);
  d->ok = test_read_all(d->fd, buf, DUPLEX_BYTES) == DUPLEX_BYTES &&
          memcmp(buf, want, DUPLEX_BYTES) == 0;
  free(buf);
  free(want);
  return NULL;
}

/* On each end one thread writes 4 MiB while another reads 4 MiB: no deadlock, no mixing. */
START_TEST(sock_concurrent_read_write)
{
  struct duplex d[4];
  pthread_t t[4];
  int sv[2], i;

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  d[0] = (struct duplex){ sv[0], 11, 0 };       /* writes A on sv[0] */
  d[1] = (struct duplex){ sv[0], 12, 0 };       /* reads B on sv[0] */
  d[2] = (struct duplex){ sv[1], 12, 0 };       /* writes B on sv[1] */
  d[3] = (struct duplex){ sv[1], 11, 0 };       /* reads A on sv[1] */
  for (i = 0; i < 4; i++)
    ck_assert_int_eq(pthread_create(&t[i], NULL, i % 2 == 0 ? duplex_writer : duplex_reader,
                                    &d[i]), 0);
  for (i = 0; i < 4; i++) {
    pthread_join(t[i], NULL);
    ck_assert_int_eq(d[i].ok, 1);
  }
  close(sv[0]);
  close(sv[1]);
}
END_TEST

/* --- flags ------------------------------------------------------------------- */

START_TEST(sock_msg_peek_dontwait_waitall)
{
  char buf[16];
  int sv[2];

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  errno = 0;
  ck_assert_int_eq(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), -1);
  ck_assert_int_eq(errno, EAGAIN);
  ck_assert_int_eq(send(sv[0], "peekaboo", 8, MSG_NOSIGNAL), 8);
  ck_assert_int_eq(recv(sv[1], buf, 4, MSG_PEEK), 4);
  ck_assert_int_eq(memcmp(buf, "peek", 4), 0);
  ck_assert_int_eq(recv(sv[1], buf, 4, MSG_PEEK), 4);   /* still there */
  ck_assert_int_eq(memcmp(buf, "peek", 4), 0);
  ck_assert_int_eq(recv(sv[1], buf, 8, MSG_WAITALL), 8);
  ck_assert_int_eq(memcmp(buf, "peekaboo", 8), 0);
  errno = 0;
  ck_assert_int_eq(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), -1);
  ck_assert_int_eq(errno, EAGAIN);
  /* MSG_WAITALL collects several writes. */
  ck_assert_int_eq(write(sv[0], "ab", 2), 2);
  ck_assert_int_eq(write(sv[0], "cd", 2), 2);
  ck_assert_int_eq(write(sv[0], "ef", 2), 2);
  ck_assert_int_eq(recv(sv[1], buf, 6, MSG_WAITALL), 6);
  ck_assert_int_eq(memcmp(buf, "abcdef", 6), 0);
  /* MSG_WAITALL stops at EOF with what it has. */
  ck_assert_int_eq(write(sv[0], "xy", 2), 2);
  ck_assert_int_eq(shutdown(sv[0], SHUT_WR), 0);
  ck_assert_int_eq(recv(sv[1], buf, 10, MSG_WAITALL), 2);
  ck_assert_int_eq(recv(sv[1], buf, 10, MSG_PEEK), 0);
  ck_assert_int_eq(recv(sv[1], buf, 10, MSG_DONTWAIT), 0);
  close(sv[0]);
  close(sv[1]);
}
END_TEST

/* Reads of nothing: read() is 0 at once; recv() is 0 once there is data or
 * EOF, and until then EAGAIN when nonblocking. */
START_TEST(sock_zero_length_reads)
{
  char buf[4];
  int sv[2];

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  errno = 0;
  ck_assert_int_eq(recv(sv[1], buf, 0, MSG_DONTWAIT), -1);
  ck_assert_int_eq(errno, EAGAIN);
  ck_assert_int_eq(read(sv[1], buf, 0), 0);
  ck_assert_int_eq(fcntl(sv[1], F_SETFL, O_NONBLOCK), 0);
  errno = 0;
  ck_assert_int_eq(recv(sv[1], buf, 0, 0), -1);
  ck_assert_int_eq(errno, EAGAIN);
  ck_assert_int_eq(read(sv[1], buf, 0), 0);
  ck_assert_int_eq(fcntl(sv[1], F_SETFL, 0), 0);
  ck_assert_int_eq(write(sv[0], "x", 1), 1);
  ck_assert_int_eq(recv(sv[1], buf, 0, 0), 0);         /* data: 0 at once, data kept */
  ck_assert_int_eq(recv(sv[1], buf, 0, MSG_DONTWAIT), 0);
  ck_assert_int_eq(recv(sv[1], buf, sizeof buf, 0), 1);
  ck_assert_int_eq(buf[0], 'x');
  close(sv[0]);
  ck_assert_int_eq(recv(sv[1], buf, 0, MSG_DONTWAIT), 0);   /* EOF */
  ck_assert_int_eq(recv(sv[1], buf, 0, 0), 0);
  close(sv[1]);
}
END_TEST

START_TEST(sock_nonblocking_socket)
{
  char buf[8];
  int sv[2], fl;

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
  fl = fcntl(sv[0], F_GETFL);
  ck_assert(fl & O_NONBLOCK);
  ck_assert_int_eq(fcntl(sv[0], F_GETFD), FD_CLOEXEC);
  errno = 0;
  ck_assert_int_eq(read(sv[0], buf, sizeof buf), -1);
  ck_assert_int_eq(errno, EAGAIN);
  ck_assert_int_eq(write(sv[1], "n", 1), 1);
  ck_assert_int_eq(read(sv[0], buf, sizeof buf), 1);
  close(sv[0]);
  close(sv[1]);
}
END_TEST

START_TEST(sock_readv_writev_msg)
{
  struct iovec out[3] = { { "one", 3 }, { "", 0 }, { "three", 5 } };
  char a[4] = { 0 }, b[8] = { 0 };
  struct iovec in[2] = { { a, 3 }, { b, 5 } };
  struct msghdr mh;
  int sv[2];

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ck_assert_int_eq(writev(sv[0], out, 3), 8);
  ck_assert_int_eq(recv(sv[1], a, 0, 0), 0);
  ck_assert_int_eq(readv(sv[1], in, 2), 8);
  ck_assert_str_eq(a, "one");
  ck_assert_int_eq(memcmp(b, "three", 5), 0);
  memset(&mh, 0, sizeof mh);
  mh.msg_iov = out;
  mh.msg_iovlen = 3;
  ck_assert_int_eq(sendmsg(sv[0], &mh, 0), 8);
  memset(a, 0, sizeof a);
  memset(b, 0, sizeof b);
  memset(&mh, 0, sizeof mh);
  mh.msg_iov = in;
  mh.msg_iovlen = 2;
  ck_assert_int_eq(recvmsg(sv[1], &mh, MSG_WAITALL), 8);
  ck_assert_str_eq(a, "one");
  ck_assert_int_eq(memcmp(b, "three", 5), 0);
  ck_assert_int_eq(mh.msg_flags, 0);
  close(sv[0]);
  close(sv[1]);
}
END_TEST

/* --- timeouts -------------------------------------------------------------- */

START_TEST(sock_recv_timeout)
{
  struct timeval tv = { 0, 200000 }, got;
  socklen_t len = sizeof got;
  long long t0, dt;
  char c;
  int sv[2];

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ck_assert_int_eq(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
  ck_assert_int_eq(getsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &got, &len), 0);
  ck_assert_int_eq(len, sizeof got);
  ck_assert_int_eq(got.tv_sec, 0);
  ck_assert_int_ge(got.tv_usec, 190000);
  ck_assert_int_le(got.tv_usec, 210000);
  t0 = test_now_ms();
  errno = 0;
  ck_assert_int_eq(recv(sv[0], &c, 1, 0), -1);
  ck_assert_int_eq(errno, EAGAIN);
  dt = test_now_ms() - t0;
  ck_assert_int_ge(dt, 150);
  ck_assert_int_le(dt, 5000);
  /* Data that is there comes at once, and the socket still works after a timeout. */
  ck_assert_int_eq(write(sv[1], "t", 1), 1);
  ck_assert_int_eq(read(sv[0], &c, 1), 1);
  ck_assert_int_eq(c, 't');
  /* The timeout on accept() as well. */
  close(sv[0]);
  close(sv[1]);
}
END_TEST

START_TEST(sock_send_timeout)
{
  struct timeval tv = { 0, 200000 };
  char *buf = calloc(1, 1 << 20);
  ssize_t r = 0;
  int sv[2], i;

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ck_assert_int_eq(setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv), 0);
  /* Nobody reads: sooner or later a write times out (EAGAIN) or is short. */
  for (i = 0; i < 64; i++) {
    r = write(sv[0], buf, 1 << 20);
    if (r < (1 << 20))
      break;
  }
  ck_assert(r < (1 << 20));
  if (r < 0)
    ck_assert_int_eq(errno, EAGAIN);
  close(sv[0]);
  close(sv[1]);
  free(buf);
}
END_TEST

/* --- names, options, credentials ---------------------------------------------- */

START_TEST(sock_names)
{
  struct sockaddr_un a, b;
  socklen_t len;
  char path[256];
  int lfd, c, s;

  lfd = test_listen_at(path, sizeof path, SOCK_STREAM, 4);
  len = sizeof a;
  ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&a, &len), 0);
  ck_assert_int_eq(a.sun_family, AF_UNIX);
  ck_assert_str_eq(a.sun_path, path);
  ck_assert_int_eq(len, offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
  c = test_connect_to(path, SOCK_STREAM);
  ck_assert_int_ge(c, 0);
  len = sizeof b;
  memset(&b, 0x55, sizeof b);
  s = accept(lfd, (struct sockaddr *)&b, &len);
  ck_assert_int_ge(s, 0);
  ck_assert_int_eq(len, sizeof(sa_family_t));   /* the client is unnamed */
  ck_assert_int_eq(b.sun_family, AF_UNIX);
  len = sizeof a;
  ck_assert_int_eq(getpeername(c, (struct sockaddr *)&a, &len), 0);
  ck_assert_str_eq(a.sun_path, path);
  len = sizeof a;
  ck_assert_int_eq(getsockname(c, (struct sockaddr *)&a, &len), 0);
  ck_assert_int_eq(len, sizeof(sa_family_t));
  len = sizeof a;
  ck_assert_int_eq(getsockname(s, (struct sockaddr *)&a, &len), 0);
  ck_assert_str_eq(a.sun_path, path);
  len = sizeof a;
  ck_assert_int_eq(getpeername(s, (struct sockaddr *)&a, &len), 0);
  ck_assert_int_eq(len, sizeof(sa_family_t));
  /* A short buffer is filled as far as it goes; len says the full size. */
  len = 4;
  memset(&a, 0, sizeof a);
  ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&a, &len), 0);
  ck_assert_int_eq(len, offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
  ck_assert_int_eq(a.sun_path[0], path[0]);
  ck_assert_int_eq(a.sun_path[2], 0);
  close(c);
  close(s);
  close(lfd);
  unlink(path);
}
END_TEST

/* The options Linux keeps on a local stream though they change nothing
 * there: set, they read back (booleans as 0/1); SO_SNDLOWAT is fixed. */
START_TEST(sock_remembered_options)
{
  static const int flags[] = { SO_REUSEADDR, SO_KEEPALIVE, SO_DONTROUTE, SO_BROADCAST,
                               SO_OOBINLINE };
  struct linger lg = { 1, 5 }, got;
  int sv[2], v, seven = 7, zero = 0;
  socklen_t len;
  size_t k;

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  for (k = 0; k < sizeof flags / sizeof flags[0]; k++) {
    len = sizeof v;
    ck_assert_int_eq(getsockopt(sv[0], SOL_SOCKET, flags[k], &v, &len), 0);
    ck_assert_int_eq(v, 0);
    ck_assert_int_eq(setsockopt(sv[0], SOL_SOCKET, flags[k], &seven, sizeof seven), 0);
    len = sizeof v;
    ck_assert_int_eq(getsockopt(sv[0], SOL_SOCKET, flags[k], &v, &len), 0);
    ck_assert_int_eq(v, 1);
    ck_assert_int_eq(len, sizeof v);
  }
  len = sizeof v;
  ck_assert_int_eq(getsockopt(sv[0], SOL_SOCKET, SO_RCVLOWAT, &v, &len), 0);
  ck_assert_int_eq(v, 1);
  ck_assert_int_eq(setsockopt(sv[0], SOL_SOCKET, SO_RCVLOWAT, &seven, sizeof seven), 0);
  ck_assert_int_eq(getsockopt(sv[0], SOL_SOCKET, SO_RCVLOWAT, &v, &len), 0);
  ck_assert_int_eq(v, 7);
  ck_assert_int_eq(setsockopt(sv[0], SOL_SOCKET, SO_RCVLOWAT, &zero, sizeof zero), 0);
  ck_assert_int_eq(getsockopt(sv[0], SOL_SOCKET, SO_RCVLOWAT, &v, &len), 0);
  ck_assert_int_eq(v, 1);
  ck_assert_int_eq(getsockopt(sv[0], SOL_SOCKET, SO_SNDLOWAT, &v, &len), 0);
  ck_assert_int_eq(v, 1);
  errno = 0;
  ck_assert_int_eq(setsockopt(sv[0], SOL_SOCKET, SO_SNDLOWAT, &seven, sizeof seven), -1);
  ck_assert_int_eq(errno, ENOPROTOOPT);
  len = sizeof got;
  ck_assert_int_eq(getsockopt(sv[0], SOL_SOCKET, SO_LINGER, &got, &len), 0);
  ck_assert_int_eq(got.l_onoff, 0);
  ck_assert_int_eq(setsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lg, sizeof lg), 0);
  len = sizeof got;
  ck_assert_int_eq(getsockopt(sv[0], SOL_SOCKET, SO_LINGER, &got, &len), 0);
  ck_assert_int_eq(len, sizeof got);
  ck_assert_int_eq(got.l_onoff, 1);
  ck_assert_int_eq(got.l_linger, 5);
  errno = 0;
  ck_assert_int_eq(setsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lg, 1), -1);
  ck_assert_int_eq(errno, EINVAL);
  /* The other end has its own. */
  len = sizeof v;
  ck_assert_int_eq(getsockopt(sv[1], SOL_SOCKET, SO_KEEPALIVE, &v, &len), 0);
  ck_assert_int_eq(v, 0);
  close(sv[0]);
  close(sv[1]);
}
END_TEST

START_TEST(sock_options)
{
  int sv[2], v, lfd;
  socklen_t len;
  char path[256];

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  len = sizeof v;
  ck_assert_int_eq(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &len), 0);
  ck_assert_int_eq(v, SOCK_STREAM);
  ck_assert_int_eq(len, sizeof v);
  len = sizeof v;
  ck_assert_int_eq(getsockopt(sv[0], SOL_SOCKET, SO_DOMAIN, &v, &len), 0);
  ck_assert_int_eq(v, AF_UNIX);
  len = sizeof v;
  ck_assert_int_eq(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &v, &len), 0);
  ck_assert_int_eq(v, 0);
  len = sizeof v;
  ck_assert_int_eq(getsockopt(sv[0], SOL_SOCKET, SO_ACCEPTCONN, &v, &len), 0);
  ck_assert_int_eq(v, 0);
  v = 32768;
  ck_assert_int_eq(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof v), 0);
  ck_assert_int_eq(setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, sizeof v), 0);
  len = sizeof v;
  ck_assert_int_eq(getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, &len), 0);
  ck_assert_int_ge(v, 32768);
  len = sizeof v;
  ck_assert_int_eq(getsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, &len), 0);
  ck_assert_int_ge(v, 32768);
  /* Errors. */
  len = 2;
  errno = 0;
  ck_assert_int_eq(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &len), 0);   /* Linux truncates */
  len = sizeof v;
  errno = 0;
  ck_assert_int_eq(getsockopt(sv[0], SOL_SOCKET, 0x7777, &v, &len), -1);
  ck_assert_int_eq(errno, ENOPROTOOPT);
  errno = 0;
  ck_assert_int_eq(setsockopt(sv[0], SOL_SOCKET, 0x7777, &v, sizeof v), -1);
  ck_assert_int_eq(errno, ENOPROTOOPT);
  errno = 0;
  ck_assert_int_eq(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &v, 2), -1);
  ck_assert_int_eq(errno, EINVAL);
  len = sizeof v;
  errno = 0;
  ck_assert_int_eq(getsockopt(-1, SOL_SOCKET, SO_TYPE, &v, &len), -1);
  ck_assert_int_eq(errno, EBADF);
  lfd = test_listen_at(path, sizeof path, SOCK_STREAM, 2);
  len = sizeof v;
  ck_assert_int_eq(getsockopt(lfd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len), 0);
  ck_assert_int_eq(v, 1);
  close(lfd);
  unlink(path);
  close(sv[0]);
  close(sv[1]);
}
END_TEST

START_TEST(sock_peercred)
{
  struct ucred cred;
  socklen_t len = sizeof cred;
  char path[256];
  uid_t uid;
  gid_t gid;
  int lfd, c, s;

  lfd = test_listen_at(path, sizeof path, SOCK_STREAM, 4);
  c = test_connect_to(path, SOCK_STREAM);
  ck_assert_int_ge(c, 0);
  s = accept(lfd, NULL, NULL);
  ck_assert_int_ge(s, 0);
  memset(&cred, 0, sizeof cred);
  ck_assert_int_eq(getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &len), 0);
  ck_assert_int_eq(len, sizeof cred);
  ck_assert_int_eq(cred.pid, getpid());
  len = sizeof cred;
  memset(&cred, 0, sizeof cred);
  ck_assert_int_eq(getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &len), 0);
  ck_assert_int_eq(cred.pid, getpid());
#ifdef _WIN32
  /* Windows has no uid/gid: ipcx reports (uid_t)-1 and (gid_t)-1, "unknown" (README).
   * (Linux has SO_PEERCRED but no getpeereid(); libipcx carries one for it.) */
  ck_assert_int_eq(getpeereid(c, &uid, &gid), 0);
  ck_assert_int_eq(cred.uid, (uid_t)-1);
  ck_assert_int_eq(uid, (uid_t)-1);
  ck_assert_int_eq(gid, (gid_t)-1);
#else
  ck_assert_int_eq(cred.uid, getuid());
  ck_assert_int_eq(cred.gid, getgid());
  (void)uid, (void)gid;
#endif
  /* Data still flows after the credentials were read. */
  ck_assert_int_eq(write(c, "d", 1), 1);
  ck_assert_int_eq(read(s, path, 1), 1);
  ck_assert_int_eq(path[0], 'd');
  close(c);
  close(s);
  close(lfd);
  unlink(path);
}
END_TEST

/* --- bind, listen, accept, connect ----------------------------------------------- */

START_TEST(sock_bind_errors)
{
  struct sockaddr_un a;
  char path[512], dir[256], first[512];
  socklen_t len;
  int fd, fd2, fd3;

  fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ck_assert_int_ge(fd, 0);
  test_path(path, sizeof path, "b");
  snprintf(first, sizeof first, "%s", path);
  len = test_addr(&a, path);
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, len), 0);
  {
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert(S_ISSOCK(st.st_mode));
  }
  errno = 0;
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, len), -1);     /* the path exists */
  ck_assert_int_eq(errno, EADDRINUSE);
  {
    struct sockaddr_un other;
    char opath[256];
    socklen_t olen = test_addr(&other, test_path(opath, sizeof opath, "b2"));
    errno = 0;
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&other, olen), -1);   /* already bound */
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_int_eq(access(opath, F_OK), -1);                          /* and nothing made */
  }
  fd2 = socket(AF_UNIX, SOCK_STREAM, 0);
  errno = 0;
  ck_assert_int_eq(bind(fd2, (struct sockaddr *)&a, len), -1);    /* the path exists */
  ck_assert_int_eq(errno, EADDRINUSE);
  /* A missing directory. */
  test_path(dir, sizeof dir, "nodir");
  snprintf(path, sizeof path, "%s/s", dir);
  len = test_addr(&a, path);
  errno = 0;
  ck_assert_int_eq(bind(fd2, (struct sockaddr *)&a, len), -1);
  ck_assert_int_eq(errno, ENOENT);
  /* Bad lengths and families. */
  errno = 0;
  ck_assert_int_eq(bind(fd2, (struct sockaddr *)&a, sizeof a + 1), -1);
  ck_assert_int_eq(errno, EINVAL);
  a.sun_family = AF_INET;
  errno = 0;
  ck_assert_int_eq(bind(fd2, (struct sockaddr *)&a, len), -1);
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_int_eq(bind(fd2, NULL, len), -1);
  ck_assert_int_eq(errno, EFAULT);
  /* An unterminated sun_path that fills all 108 bytes is a path, as on Linux. */
  {
    char full[256];
    size_t n;
    test_path(full, sizeof full, "u");
    n = strlen(full);
    ck_assert_int_lt(n, sizeof a.sun_path);
    memset(full + n, 'x', sizeof a.sun_path - n);
    full[sizeof a.sun_path] = 0;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    memcpy(a.sun_path, full, sizeof a.sun_path);
    fd3 = socket(AF_UNIX, SOCK_STREAM, 0);
    ck_assert_int_eq(bind(fd3, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(access(full, F_OK), 0);
    ck_assert_int_eq(unlink(full), 0);
    close(fd3);
  }
  close(fd);
  close(fd2);
  ck_assert_int_eq(unlink(first), 0);
}
END_TEST

START_TEST(sock_stale_file_and_unlink)
{
  struct sockaddr_un a;
  char path[256];
  socklen_t len;
  int lfd, fd, c;

  lfd = test_listen_at(path, sizeof path, SOCK_STREAM, 4);
  /* unlink() works while the listener lives; the name is then gone. */
  ck_assert_int_eq(unlink(path), 0);
  errno = 0;
  ck_assert_int_eq(test_connect_to(path, SOCK_STREAM), -1);
  ck_assert_int_eq(errno, ENOENT);
  /* Another socket can take the name now. */
  fd = socket(AF_UNIX, SOCK_STREAM, 0);
  len = test_addr(&a, path);
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, len), 0);
  /* Bound but not listening: ECONNREFUSED. */
  errno = 0;
  ck_assert_int_eq(test_connect_to(path, SOCK_STREAM), -1);
  ck_assert_int_eq(errno, ECONNREFUSED);
  ck_assert_int_eq(listen(fd, 1), 0);
  c = test_connect_to(path, SOCK_STREAM);
  ck_assert_int_ge(c, 0);
  close(c);
  close(fd);
  close(lfd);
  /* The listener is gone, its file stays: ECONNREFUSED, and bind says EADDRINUSE. */
  errno = 0;
  ck_assert_int_eq(test_connect_to(path, SOCK_STREAM), -1);
  ck_assert_int_eq(errno, ECONNREFUSED);
  fd = socket(AF_UNIX, SOCK_STREAM, 0);
  errno = 0;
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, len), -1);
  ck_assert_int_eq(errno, EADDRINUSE);
  ck_assert_int_eq(unlink(path), 0);
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, len), 0);
  close(fd);
  unlink(path);
  /* A plain file is not a socket: ECONNREFUSED. */
  fd = open(path, O_CREAT | O_WRONLY, 0600);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(write(fd, "plain", 5), 5);
  close(fd);
  errno = 0;
  ck_assert_int_eq(test_connect_to(path, SOCK_STREAM), -1);
  ck_assert_int_eq(errno, ECONNREFUSED);
  unlink(path);
}
END_TEST

START_TEST(sock_abstract)
{
  struct sockaddr_un a, b;
  char name[64];
  socklen_t len, blen;
  int lfd, lfd2, c, s;

  snprintf(name, sizeof name, "ipcx-test-%ld-%d", (long)getpid(), 1);
  len = make_abstract(&a, name);
  c = socket(AF_UNIX, SOCK_STREAM, 0);
  errno = 0;
  ck_assert_int_eq(connect(c, (struct sockaddr *)&a, len), -1);   /* nobody there */
  ck_assert_int_eq(errno, ECONNREFUSED);
  lfd = socket(AF_UNIX, SOCK_STREAM, 0);
  ck_assert_int_eq(bind(lfd, (struct sockaddr *)&a, len), 0);
  lfd2 = socket(AF_UNIX, SOCK_STREAM, 0);
  errno = 0;
  ck_assert_int_eq(bind(lfd2, (struct sockaddr *)&a, len), -1);
  ck_assert_int_eq(errno, EADDRINUSE);
  ck_assert_int_eq(listen(lfd, 4), 0);
  ck_assert_int_eq(connect(c, (struct sockaddr *)&a, len), 0);
  s = accept(lfd, NULL, NULL);
  ck_assert_int_ge(s, 0);
  ck_assert_int_eq(write(c, "abs", 3), 3);
  ck_assert_int_eq(test_read_all(s, name, 3), 3);
  ck_assert_int_eq(memcmp(name, "abs", 3), 0);
  blen = sizeof b;
  ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&b, &blen), 0);
  ck_assert_int_eq(blen, len);
  ck_assert_int_eq(memcmp(&a, &b, (size_t)len), 0);
  close(s);
  close(c);
  close(lfd);
  /* The name is free again once its socket is closed. */
  ck_assert_int_eq(bind(lfd2, (struct sockaddr *)&a, len), 0);
  close(lfd2);
  /* Autobind: an address of just the family picks an abstract name. */
  lfd = socket(AF_UNIX, SOCK_STREAM, 0);
  ck_assert_int_eq(bind(lfd, (struct sockaddr *)&a, sizeof(sa_family_t)), 0);
  blen = sizeof b;
  ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&b, &blen), 0);
  ck_assert_int_eq(blen, offsetof(struct sockaddr_un, sun_path) + 6);
  ck_assert_int_eq(b.sun_path[0], 0);
  close(lfd);
}
END_TEST

START_TEST(sock_listen_accept_errors)
{
  struct sockaddr_un a;
  char path[256];
  socklen_t len;
  int fd, lfd, c, s, fl;

  fd = socket(AF_UNIX, SOCK_STREAM, 0);
  errno = 0;
  ck_assert_int_eq(listen(fd, 1), -1);                 /* not bound */
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_int_eq(accept(fd, NULL, NULL), -1);        /* not listening */
  ck_assert_int_eq(errno, EINVAL);
  lfd = test_listen_at(path, sizeof path, SOCK_STREAM, 4);
  ck_assert_int_eq(listen(lfd, 8), 0);                 /* again: only the backlog changes */
  errno = 0;
  ck_assert_int_eq(accept4(lfd, NULL, NULL, 0x1234), -1);
  ck_assert_int_eq(errno, EINVAL);
  /* Nonblocking accept with nobody waiting. */
  ck_assert_int_eq(fcntl(lfd, F_SETFL, O_NONBLOCK), 0);
  errno = 0;
  ck_assert_int_eq(accept(lfd, NULL, NULL), -1);
  ck_assert_int_eq(errno, EAGAIN);
  ck_assert_int_eq(fcntl(lfd, F_SETFL, 0), 0);
  /* accept4 flags reach the new socket. */
  c = test_connect_to(path, SOCK_STREAM);
  ck_assert_int_ge(c, 0);
  s = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  ck_assert_int_ge(s, 0);
  fl = fcntl(s, F_GETFL);
  ck_assert(fl & O_NONBLOCK);
  ck_assert_int_eq(fcntl(s, F_GETFD), FD_CLOEXEC);
  errno = 0;
  ck_assert_int_eq(read(s, path, 1), -1);
  ck_assert_int_eq(errno, EAGAIN);
  /* connect() on a connected socket, on a listener. */
  len = test_addr(&a, path);
  errno = 0;
  ck_assert_int_eq(connect(c, (struct sockaddr *)&a, len), -1);
  ck_assert_int_eq(errno, EISCONN);
  errno = 0;
  ck_assert_int_eq(bind(c, (struct sockaddr *)&a, len), -1);        /* the listener's path */
  ck_assert_int_eq(errno, EADDRINUSE);
  close(s);
  close(c);
  close(lfd);
  close(fd);
  unlink(path);
}
END_TEST

START_TEST(sock_connect_errors)
{
  struct sockaddr_un a;
  char path[256];
  socklen_t len;
  int fd, p[2];

  fd = socket(AF_UNIX, SOCK_STREAM, 0);
  test_path(path, sizeof path, "none");
  len = test_addr(&a, path);
  errno = 0;
  ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, len), -1);
  ck_assert_int_eq(errno, ENOENT);
  errno = 0;
  ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, 1), -1);
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof a + 2), -1);
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_int_eq(connect(fd, NULL, len), -1);
  ck_assert_int_eq(errno, EFAULT);
  /* Unconnected socket calls. */
  errno = 0;
  ck_assert_int_eq(getpeername(fd, (struct sockaddr *)&a, &len), -1);
  ck_assert_int_eq(errno, ENOTCONN);
  ck_assert_int_eq(shutdown(fd, SHUT_RD), 0);      /* Linux allows it on any AF_UNIX socket */
  errno = 0;
  ck_assert_int_eq(write(fd, "x", 1), -1);
  ck_assert_int_eq(errno, ENOTCONN);
  errno = 0;
  ck_assert_int_eq(send(fd, "x", 1, 0), -1);
  ck_assert_int_eq(errno, ENOTCONN);
  errno = 0;
  ck_assert_int_eq(read(fd, path, 1), -1);
  ck_assert_int_eq(errno, EINVAL);
  /* Not sockets at all. */
  ck_assert_int_eq(pipe(p), 0);
  errno = 0;
  ck_assert_int_eq(connect(p[0], (struct sockaddr *)&a, len), -1);
  ck_assert_int_eq(errno, ENOTSOCK);
  errno = 0;
  ck_assert_int_eq(send(p[1], "x", 1, 0), -1);
  ck_assert_int_eq(errno, ENOTSOCK);
  errno = 0;
  ck_assert_int_eq(shutdown(p[0], SHUT_RD), -1);
  ck_assert_int_eq(errno, ENOTSOCK);
  errno = 0;
  ck_assert_int_eq(listen(-1, 1), -1);
  ck_assert_int_eq(errno, EBADF);
  close(p[0]);
  close(p[1]);
  close(fd);
}
END_TEST

START_TEST(sock_socket_errors)
{
  int sv[2], fd;

  errno = 0;
  ck_assert_int_eq(socket(12345, SOCK_STREAM, 0), -1);
  ck_assert_int_eq(errno, EAFNOSUPPORT);
  errno = 0;
  ck_assert_int_eq(socket(AF_UNIX, 7, 0), -1);
  ck_assert_int_eq(errno, ESOCKTNOSUPPORT);
  errno = 0;
  ck_assert_int_eq(socket(AF_UNIX, 99, 0), -1);
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_int_eq(socket(AF_UNIX, SOCK_STREAM, 5), -1);
  ck_assert_int_eq(errno, EPROTONOSUPPORT);
  errno = 0;
  ck_assert_int_eq(socketpair(AF_INET, SOCK_STREAM, 0, sv), -1);
  ck_assert_int_eq(errno, EOPNOTSUPP);
  fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(fcntl(fd, F_GETFD), FD_CLOEXEC);
  {
    struct stat st;
    ck_assert_int_eq(fstat(fd, &st), 0);
    ck_assert(S_ISSOCK(st.st_mode));
  }
  errno = 0;
  ck_assert_int_eq(shutdown(fd, 7), -1);
  ck_assert_int_eq(errno, EINVAL);
  close(fd);
}
END_TEST

/* Linux makes an AF_UNIX SOCK_RAW socket a SOCK_DGRAM one (af_unix.c), and
 * checks the protocol before the type. */
START_TEST(sock_raw_is_dgram)
{
  int sv[2], fd, type;
  socklen_t len = sizeof type;
  char buf[16];

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_RAW, 0, sv), 0);
  ck_assert_int_eq(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len), 0);
  ck_assert_int_eq(type, SOCK_DGRAM);
  ck_assert_int_eq(send(sv[0], "ab", 2, 0), 2);
  ck_assert_int_eq(send(sv[0], "cde", 3, 0), 3);
  ck_assert_int_eq(recv(sv[1], buf, sizeof buf, 0), 2);
  ck_assert_int_eq(recv(sv[1], buf, sizeof buf, 0), 3);
  ck_assert_int_eq(memcmp(buf, "cde", 3), 0);
  close(sv[0]);
  close(sv[1]);
  fd = socket(AF_UNIX, SOCK_RAW | SOCK_NONBLOCK, 0);
  ck_assert_int_ge(fd, 0);
  type = 0;
  len = sizeof type;
  ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len), 0);
  ck_assert_int_eq(type, SOCK_DGRAM);
  close(fd);
  errno = 0;
  ck_assert_int_eq(socket(AF_UNIX, SOCK_RAW, 5), -1);
  ck_assert_int_eq(errno, EPROTONOSUPPORT);
  errno = 0;
  ck_assert_int_eq(socket(AF_UNIX, SOCK_RDM, 5), -1);
  ck_assert_int_eq(errno, EPROTONOSUPPORT);
  errno = 0;
  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_RDM, 0, sv), -1);
  ck_assert_int_eq(errno, ESOCKTNOSUPPORT);
}
END_TEST

/* A full backlog makes a nonblocking connect EAGAIN and a blocking one wait. */
struct late_connect {
  const char *path;
  int fd;
};

static void *connect_blocking(void *arg)
{
  struct late_connect *lc = arg;
  lc->fd = test_connect_to(lc->path, SOCK_STREAM);
  return NULL;
}

START_TEST(sock_backlog_full_waits)
{
  struct late_connect lc;
  struct sockaddr_un a;
  char path[256];
  socklen_t len;
  int lfd, fds[16], n = 0, i, s, r = 0;
  pthread_t t;

  lfd = test_listen_at(path, sizeof path, SOCK_STREAM, 1);
  len = test_addr(&a, path);
  for (n = 0; n < 16; n++) {
    fds[n] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    r = connect(fds[n], (struct sockaddr *)&a, len);
    if (r < 0)
      break;
  }
  ck_assert_int_eq(r, -1);
  ck_assert_int_eq(errno, EAGAIN);
  ck_assert_int_ge(n, 1);
  close(fds[n]);
  lc.path = path;
  lc.fd = -2;
  ck_assert_int_eq(pthread_create(&t, NULL, connect_blocking, &lc), 0);
  test_sleep_ms(200);
  ck_assert_int_eq(lc.fd, -2);                         /* still waiting */
  for (i = 0; i <= n; i++) {
    s = accept(lfd, NULL, NULL);
    ck_assert_int_ge(s, 0);
    close(s);
  }
  pthread_join(t, NULL);
  ck_assert_int_ge(lc.fd, 0);
  close(lc.fd);
  for (i = 0; i < n; i++)
    close(fds[i]);
  close(lfd);
  unlink(path);
}
END_TEST

/* --- dead peers (two processes) ----------------------------------------------- */

/* Connect to argv[0] and write forever (until killed). */
IPCX_TEST_HELPER(sock_writer)
{
  static char buf[65536];
  int fd, i;

  if (argc < 1)
    return 2;
  for (i = 0; i < 500; i++) {
    fd = test_connect_to(argv[0], SOCK_STREAM);
    if (fd >= 0)
      break;
    test_sleep_ms(10);
  }
  if (fd < 0)
    return 3;
  memset(buf, 'w', sizeof buf);
  for (;;)
    if (write(fd, buf, sizeof buf) < 0)
      return 4;
}

/* Listen on argv[0], answer one client with "ready", then wait to be killed. */
IPCX_TEST_HELPER(sock_listener)
{
  struct sockaddr_un a;
  socklen_t len;
  int fd, c;

  if (argc < 1)
    return 2;
  len = test_addr(&a, argv[0]);
  fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, len) < 0 || listen(fd, 4) < 0)
    return 3;
  c = accept(fd, NULL, NULL);
  if (c < 0 || write(c, "ready", 5) != 5)
    return 4;
  for (;;)
    test_sleep_ms(1000);
}

START_TEST(sock_client_killed)
{
  static char buf[65536];
  char path[256];
  char *argv[5];
  pid_t pid;
  ssize_t r;
  long total = 0;
  int lfd, s, status;

  lfd = test_listen_at(path, sizeof path, SOCK_STREAM, 4);
  argv[0] = (char *)test_self;
  argv[1] = "--helper";
  argv[2] = "sock_writer";
  argv[3] = path;
  argv[4] = NULL;
  ck_assert_int_eq(posix_spawn(&pid, test_self, NULL, NULL, argv, NULL), 0);
  s = accept(lfd, NULL, NULL);
  ck_assert_int_ge(s, 0);
  while (total < 256 * 1024) {
    r = read(s, buf, sizeof buf);
    ck_assert_int_gt(r, 0);
    total += r;
  }
  {
    struct ucred cred;
    socklen_t len = sizeof cred;
    ck_assert_int_eq(getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &len), 0);
    ck_assert_int_eq(cred.pid, pid);
  }
  ck_assert_int_eq(kill(pid, SIGKILL), 0);
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ck_assert(WIFSIGNALED(status));
  /* What it wrote before it died is there, then EOF; writing gets EPIPE. */
  while ((r = read(s, buf, sizeof buf)) > 0)
    ;
  ck_assert_int_eq(r, 0);
  errno = 0;
  ck_assert_int_eq(write(s, "x", 1), -1);
  ck_assert_int_eq(errno, EPIPE);
  close(s);
  close(lfd);
  unlink(path);
}
END_TEST

START_TEST(sock_listener_killed)
{
  struct sockaddr_un a;
  char path[256], buf[8];
  char *argv[5];
  socklen_t len;
  pid_t pid;
  int c = -1, i, status, fd;

  test_path(path, sizeof path, "lk");
  argv[0] = (char *)test_self;
  argv[1] = "--helper";
  argv[2] = "sock_listener";
  argv[3] = path;
  argv[4] = NULL;
  ck_assert_int_eq(posix_spawn(&pid, test_self, NULL, NULL, argv, NULL), 0);
  for (i = 0; i < 1000 && c < 0; i++) {
    c = test_connect_to(path, SOCK_STREAM);
    if (c < 0)
      test_sleep_ms(10);
  }
  ck_assert_int_ge(c, 0);
  ck_assert_int_eq(test_read_all(c, buf, 5), 5);
  {
    struct ucred cred;
    socklen_t clen = sizeof cred;
    ck_assert_int_eq(getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &clen), 0);
    ck_assert_int_eq(cred.pid, pid);
  }
  ck_assert_int_eq(kill(pid, SIGKILL), 0);
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  /* The connection sees EOF, the stale file refuses and stays in use. */
  ck_assert_int_eq(read(c, buf, sizeof buf), 0);
  close(c);
  errno = 0;
  ck_assert_int_eq(test_connect_to(path, SOCK_STREAM), -1);
  ck_assert_int_eq(errno, ECONNREFUSED);
  len = test_addr(&a, path);
  fd = socket(AF_UNIX, SOCK_STREAM, 0);
  errno = 0;
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, len), -1);
  ck_assert_int_eq(errno, EADDRINUSE);
  ck_assert_int_eq(unlink(path), 0);
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, len), 0);
  ck_assert_int_eq(listen(fd, 1), 0);
  c = test_connect_to(path, SOCK_STREAM);
  ck_assert_int_ge(c, 0);
  close(c);
  close(fd);
  unlink(path);
}
END_TEST

/* A child that inherits sockets as fds 3 and 4 talks on them. */
IPCX_TEST_HELPER(sock_child)
{
  int i;

  (void)argc, (void)argv;
  for (i = 0; i < 3; i++) {
    int fd = 3 + i, type = 0;
    socklen_t len = sizeof type;
    char buf[8];
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM)
      return 10 + i;
    if (recv(fd, buf, 5, MSG_WAITALL) != 5 || memcmp(buf, "hello", 5) != 0)
      return 20 + i;
    if (write(fd, "child", 5) != 5)
      return 30 + i;
    if (shutdown(fd, SHUT_WR) < 0)
      return 40 + i;
    if (read(fd, buf, 1) != 0)
      return 50 + i;
    close(fd);
  }
  return 0;
}

/* Reads 5 bytes from fd 0; exit 0 if they are "hello". */
IPCX_TEST_HELPER(sock_read_hello)
{
  char buf[8];

  (void)argc, (void)argv;
  if (recv(0, buf, 5, MSG_WAITALL) != 5)
    return 1;
  return memcmp(buf, "hello", 5) == 0 ? 0 : 2;
}

/* A socket the parent polled (no data yet) and keeps open: the child still gets the bytes. */
START_TEST(sock_polled_then_passed_to_child)
{
  posix_spawn_file_actions_t fa;
  char *argv[] = { (char *)test_self, "--helper", "sock_read_hello", NULL };
  struct pollfd p;
  int sv[2], status = -1;
  pid_t pid;

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  p.fd = sv[1];
  p.events = POLLIN;
  p.revents = 0;
  ck_assert_int_eq(poll(&p, 1, 0), 0);
  ck_assert_int_eq(posix_spawn_file_actions_init(&fa), 0);
  ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, sv[1], 0), 0);
  ck_assert_int_eq(posix_spawn(&pid, test_self, &fa, NULL, argv, NULL), 0);
  posix_spawn_file_actions_destroy(&fa);
  test_sleep_ms(200);
  ck_assert_int_eq(write(sv[0], "hello", 5), 5);
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ck_assert(WIFEXITED(status));
  ck_assert_int_eq(WEXITSTATUS(status), 0);
  close(sv[0]);
  close(sv[1]);
}
END_TEST

START_TEST(sock_inherited_by_child)
{
  posix_spawn_file_actions_t fa;
  char path[256], buf[8];
  char *argv[] = { (char *)test_self, "--helper", "sock_child", NULL };
  int lfd, c, s, c2, s2, sv[2], status, i, mine[3];
  pid_t pid;

  lfd = test_listen_at(path, sizeof path, SOCK_STREAM, 4);
  c = test_connect_to(path, SOCK_STREAM);                         /* made by socket() + connect() */
  ck_assert_int_ge(c, 0);
  s = accept(lfd, NULL, NULL);
  ck_assert_int_ge(s, 0);
  c2 = test_connect_to(path, SOCK_STREAM);
  ck_assert_int_ge(c2, 0);
  s2 = accept(lfd, NULL, NULL);                 /* an accepted one, handed on unread */
  ck_assert_int_ge(s2, 0);
  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ck_assert_int_eq(posix_spawn_file_actions_init(&fa), 0);
  ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, c, 3), 0);
  ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, sv[1], 4), 0);
  ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, s2, 5), 0);
  ck_assert_int_eq(posix_spawn(&pid, test_self, &fa, NULL, argv, NULL), 0);
  posix_spawn_file_actions_destroy(&fa);
  close(c);
  close(sv[1]);
  close(s2);
  mine[0] = s;
  mine[1] = sv[0];
  mine[2] = c2;
  for (i = 0; i < 3; i++)
    ck_assert_int_eq(write(mine[i], "hello", 5), 5);
  for (i = 0; i < 3; i++) {
    ck_assert_int_eq(test_read_all(mine[i], buf, 5), 5);
    ck_assert_int_eq(memcmp(buf, "child", 5), 0);
    ck_assert_int_eq(read(mine[i], buf, 1), 0);
    ck_assert_int_eq(shutdown(mine[i], SHUT_WR), 0);
  }
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ck_assert(WIFEXITED(status));
  ck_assert_int_eq(WEXITSTATUS(status), 0);
  close(s);
  close(sv[0]);
  close(c2);
  close(lfd);
  unlink(path);
}
END_TEST

/* --- readiness --------------------------------------------------------------- */

START_TEST(sock_poll_states)
{
  struct pollfd p[2];
  char path[256], c;
  int lfd, cl, s, sv[2];

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  p[0].fd = sv[0];
  p[0].events = POLLIN | POLLOUT;
  ck_assert_int_eq(poll(p, 1, 1000), 1);
  ck_assert_int_eq(p[0].revents, POLLOUT);
  p[0].events = POLLIN;
  ck_assert_int_eq(poll(p, 1, 50), 0);
  ck_assert_int_eq(write(sv[1], "r", 1), 1);
  ck_assert_int_eq(poll(p, 1, 1000), 1);
  ck_assert_int_eq(p[0].revents, POLLIN);
  ck_assert_int_eq(read(sv[0], &c, 1), 1);
  ck_assert_int_eq(c, 'r');
  ck_assert_int_eq(poll(p, 1, 0), 0);
  /* The peer's SHUT_WR: readable (EOF), no hangup yet. */
  ck_assert_int_eq(shutdown(sv[1], SHUT_WR), 0);
  ck_assert_int_eq(poll(p, 1, 1000), 1);
  ck_assert(p[0].revents & POLLIN);
  ck_assert(!(p[0].revents & POLLHUP));
  ck_assert_int_eq(read(sv[0], &c, 1), 0);
  /* The peer's close: hangup. */
  ck_assert_int_eq(close(sv[1]), 0);
  ck_assert_int_eq(poll(p, 1, 1000), 1);
  ck_assert(p[0].revents & POLLHUP);
  close(sv[0]);
  /* A listener is readable when a client waits. */
  lfd = test_listen_at(path, sizeof path, SOCK_STREAM, 4);
  p[0].fd = lfd;
  p[0].events = POLLIN;
  ck_assert_int_eq(poll(p, 1, 50), 0);
  cl = test_connect_to(path, SOCK_STREAM);
  ck_assert_int_ge(cl, 0);
  ck_assert_int_eq(poll(p, 1, 1000), 1);
  ck_assert_int_eq(p[0].revents, POLLIN);
  s = accept(lfd, NULL, NULL);
  ck_assert_int_ge(s, 0);
  /* Data arriving while poll() waits wakes it. */
  p[0].fd = s;
  p[1].fd = cl;
  p[1].events = POLLIN;
  ck_assert_int_eq(poll(p, 2, 50), 0);
  ck_assert_int_eq(write(cl, "w", 1), 1);
  ck_assert_int_eq(poll(p, 2, 1000), 1);
  ck_assert_int_eq(p[0].revents, POLLIN);
  ck_assert_int_eq(p[1].revents, 0);
  ck_assert_int_eq(recv(s, &c, 1, MSG_PEEK), 1);
  /* select() agrees: readable, and writable. */
  {
    struct timeval tv = { 1, 0 };
    fd_set rd, wr;
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_SET(s, &rd);
    FD_SET(cl, &rd);
    FD_SET(cl, &wr);
    ck_assert_int_eq(select((s > cl ? s : cl) + 1, &rd, &wr, NULL, &tv), 2);
    ck_assert(FD_ISSET(s, &rd));
    ck_assert(!FD_ISSET(cl, &rd));
    ck_assert(FD_ISSET(cl, &wr));
  }
  ck_assert_int_eq(read(s, &c, 1), 1);
  ck_assert_int_eq(c, 'w');
  close(s);
  close(cl);
  close(lfd);
  unlink(path);
}
END_TEST

/* --- TCP in the same fd table ---------------------------------------------------- */


START_TEST(sock_tcp_roundtrip)
{
  char buf[16];
  int lfd, c, s;

  test_tcp_connected(&lfd, &c, &s);
  ck_assert_int_eq(write(c, "tcp!", 4), 4);
  ck_assert_int_eq(test_read_all(s, buf, 4), 4);
  ck_assert_int_eq(memcmp(buf, "tcp!", 4), 0);
  ck_assert_int_eq(send(s, "back", 4, 0), 4);
  ck_assert_int_eq(recv(c, buf, 4, MSG_WAITALL), 4);
  ck_assert_int_eq(memcmp(buf, "back", 4), 0);
  ck_assert_int_eq(shutdown(c, SHUT_WR), 0);
  ck_assert_int_eq(read(s, buf, sizeof buf), 0);
  ck_assert_int_eq(write(s, "late", 4), 4);
  ck_assert_int_eq(test_read_all(c, buf, 4), 4);
  ck_assert_int_eq(close(s), 0);
  ck_assert_int_eq(read(c, buf, sizeof buf), 0);
  {
    int v;
    socklen_t len = sizeof v;
    ck_assert_int_eq(getsockopt(c, SOL_SOCKET, SO_TYPE, &v, &len), 0);
    ck_assert_int_eq(v, SOCK_STREAM);
    len = sizeof v;
    ck_assert_int_eq(getsockopt(c, SOL_SOCKET, SO_DOMAIN, &v, &len), 0);
    ck_assert_int_eq(v, AF_INET);
  }
  close(c);
  close(lfd);
}
END_TEST

/* A child that inherited a TCP socket as fd 3 uses the socket calls on it. */
IPCX_TEST_HELPER(sock_tcp_child)
{
  struct sockaddr_in me;
  socklen_t len = sizeof me;
  int type = 0;
  char buf[8];

  (void)argc, (void)argv;
  len = sizeof type;
  if (getsockopt(3, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM)
    return 10;
  len = sizeof me;
  if (getsockname(3, (struct sockaddr *)&me, &len) < 0 || me.sin_family != AF_INET)
    return 11;
  if (recv(3, buf, 5, MSG_WAITALL) != 5 || memcmp(buf, "hello", 5) != 0)
    return 20;
  if (send(3, "child", 5, 0) != 5)
    return 30;
  if (shutdown(3, SHUT_WR) < 0)
    return 40;
  if (read(3, buf, 1) != 0)
    return 50;
  return close(3) == 0 ? 0 : 60;
}

/* A TCP connection handed to a child (inetd's pattern): recv, send, shutdown there. */
START_TEST(sock_tcp_to_child)
{
  posix_spawn_file_actions_t fa;
  char *argv[] = { (char *)test_self, "--helper", "sock_tcp_child", NULL };
  char buf[8];
  int lfd, c, s;
  pid_t pid;

  test_tcp_connected(&lfd, &c, &s);
  ck_assert_int_eq(posix_spawn_file_actions_init(&fa), 0);
  ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, s, 3), 0);
  ck_assert_int_eq(posix_spawn(&pid, test_self, &fa, NULL, argv, NULL), 0);
  posix_spawn_file_actions_destroy(&fa);
  close(s);
  ck_assert_int_eq(send(c, "hello", 5, 0), 5);
  if (recv(c, buf, 5, MSG_WAITALL) != 5) {
    int st = -1, e = errno;
    pid_t w = waitpid(pid, &st, 0);
    ck_abort_msg("recv: %s; child %d status %d exit %d", strerror(e), (int)w, st,
                 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
  }
  ck_assert_int_eq(memcmp(buf, "child", 5), 0);
  ck_assert_int_eq(read(c, buf, sizeof buf), 0);      /* the child's SHUT_WR */
  ck_assert_int_eq(shutdown(c, SHUT_WR), 0);
  test_wait_ok(pid);
  close(c);
  close(lfd);
}
END_TEST

/* Nonblocking TCP: accept EAGAIN, connect EINPROGRESS (or at once), poll() for both. */
START_TEST(sock_tcp_nonblocking_poll)
{
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  struct pollfd p;
  char buf[8];
  int lfd, c, s, r, err = -1;

  lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  ck_assert_int_ge(lfd, 0);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ck_assert_int_eq(bind(lfd, (struct sockaddr *)&a, sizeof a), 0);
  ck_assert_int_eq(listen(lfd, 4), 0);
  ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&a, &len), 0);
  errno = 0;
  ck_assert_int_eq(accept(lfd, NULL, NULL), -1);
  ck_assert_int_eq(errno, EAGAIN);
  p.fd = lfd;
  p.events = POLLIN;
  ck_assert_int_eq(poll(&p, 1, 50), 0);
  c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  ck_assert_int_ge(c, 0);
  r = connect(c, (struct sockaddr *)&a, sizeof a);
  if (r < 0)
    ck_assert_int_eq(errno, EINPROGRESS);
  p.fd = c;
  p.events = POLLOUT;
  ck_assert_int_eq(poll(&p, 1, 5000), 1);
  ck_assert(p.revents & POLLOUT);
  len = sizeof err;
  ck_assert_int_eq(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len), 0);
  ck_assert_int_eq(err, 0);
  p.fd = lfd;
  p.events = POLLIN;
  ck_assert_int_eq(poll(&p, 1, 5000), 1);
  s = accept(lfd, NULL, NULL);
  ck_assert_int_ge(s, 0);
  p.fd = s;
  p.events = POLLIN;
  ck_assert_int_eq(poll(&p, 1, 50), 0);
  ck_assert_int_eq(write(c, "nb", 2), 2);
  ck_assert_int_eq(poll(&p, 1, 5000), 1);
  ck_assert(p.revents & POLLIN);
  ck_assert_int_eq(read(s, buf, sizeof buf), 2);
  errno = 0;
  ck_assert_int_eq(read(c, buf, sizeof buf), -1);
  ck_assert_int_eq(errno, EAGAIN);
  close(s);
  close(c);
  close(lfd);
}
END_TEST

/* A refused nonblocking TCP connect: poll() for POLLOUT reports POLLOUT with
 * POLLERR and POLLHUP (Linux: the socket is shut down both ways), and
 * SO_ERROR says ECONNREFUSED. */
START_TEST(sock_tcp_refused_poll)
{
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  struct pollfd p;
  int lfd, c, r, err = -1;

  lfd = socket(AF_INET, SOCK_STREAM, 0);
  ck_assert_int_ge(lfd, 0);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ck_assert_int_eq(bind(lfd, (struct sockaddr *)&a, sizeof a), 0);
  ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&a, &len), 0);
  close(lfd);                   /* the port is bound by nobody now */
  c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  ck_assert_int_ge(c, 0);
  r = connect(c, (struct sockaddr *)&a, sizeof a);
  if (r < 0 && errno == EINPROGRESS) {
    p.fd = c;
    p.events = POLLOUT;
    ck_assert_int_eq(poll(&p, 1, 10000), 1);
    ck_assert_msg((p.revents & (POLLOUT | POLLERR | POLLHUP)) == (POLLOUT | POLLERR | POLLHUP),
                  "revents %#x", (unsigned)p.revents);
    len = sizeof err;
    ck_assert_int_eq(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len), 0);
    ck_assert_int_eq(err, ECONNREFUSED);
    ck_assert_int_eq(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len), 0);
    ck_assert_int_eq(err, 0);   /* read once */
  } else {
    ck_assert_int_eq(r, -1);
    ck_assert_int_eq(errno, ECONNREFUSED);
  }
  close(c);
}
END_TEST

/* A loopback address whose port nobody listens on. */
static void refused_address(struct sockaddr_in *a)
{
  socklen_t len = sizeof *a;
  int lfd = socket(AF_INET, SOCK_STREAM, 0);

  ck_assert_int_ge(lfd, 0);
  memset(a, 0, sizeof *a);
  a->sin_family = AF_INET;
  a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ck_assert_int_eq(bind(lfd, (struct sockaddr *)a, sizeof *a), 0);
  ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)a, &len), 0);
  close(lfd);
}

/* A refused nonblocking connect, polled; how = 0: SO_ERROR takes the error,
 * 1: send() takes it, 2: recv() takes it.  The fd, its error taken. */
static int refused_taken(const struct sockaddr_in *a, int how)
{
  struct pollfd p;
  socklen_t len;
  char b[4];
  int c, err = -1;

  c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  ck_assert_int_ge(c, 0);
  ck_assert_int_eq(connect(c, (const struct sockaddr *)a, sizeof *a), -1);
  if (errno == ECONNREFUSED)
    return c;                   /* refused at once: nothing pending */
  ck_assert_int_eq(errno, EINPROGRESS);
  p.fd = c;
  p.events = POLLOUT;
  ck_assert_int_eq(poll(&p, 1, 10000), 1);
  ck_assert(p.revents & POLLERR);
  len = sizeof err;
  errno = 0;
  if (how == 0) {
    ck_assert_int_eq(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len), 0);
    ck_assert_int_eq(err, ECONNREFUSED);
  } else if (how == 1) {
    ck_assert_int_eq(send(c, "x", 1, MSG_NOSIGNAL), -1);
    ck_assert_int_eq(errno, ECONNREFUSED);
  } else {
    ck_assert_int_eq(recv(c, b, sizeof b, 0), -1);
    ck_assert_int_eq(errno, ECONNREFUSED);
  }
  return c;
}

/* After a refused connect, Linux reports the error once (SO_ERROR, or the
 * next send or recv takes it); then a write is EPIPE, a read is EOF (ENOTCONN
 * after a blocking connect, which leaves the socket unconnected), and
 * poll() stops reporting POLLERR. */
START_TEST(sock_tcp_refused_io)
{
  struct sockaddr_in a;
  struct pollfd p;
  socklen_t len;
  char b[4];
  int c, how, err;

  refused_address(&a);
  for (how = 0; how < 3; how++) {
    c = refused_taken(&a, how);
    errno = 0;
    ck_assert_int_eq(send(c, "x", 1, MSG_NOSIGNAL), -1);
    ck_assert_int_eq(errno, EPIPE);
    ck_assert_int_eq(send(c, "x", 1, MSG_NOSIGNAL), -1);
    ck_assert_int_eq(errno, EPIPE);
    ck_assert_int_eq(recv(c, b, sizeof b, 0), 0);
    p.fd = c;
    p.events = POLLIN | POLLOUT;
    ck_assert_int_eq(poll(&p, 1, 10000), 1);
    ck_assert_msg(p.revents == (POLLIN | POLLOUT | POLLHUP), "how %d revents %#x", how,
                  (unsigned)p.revents);
    len = sizeof err;
    ck_assert_int_eq(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len), 0);
    ck_assert_int_eq(err, 0);
    close(c);
  }
  c = socket(AF_INET, SOCK_STREAM, 0);
  ck_assert_int_ge(c, 0);
  ck_assert_int_eq(connect(c, (struct sockaddr *)&a, sizeof a), -1);
  ck_assert_int_eq(errno, ECONNREFUSED);
  ck_assert_int_eq(send(c, "x", 1, MSG_NOSIGNAL), -1);
  ck_assert_int_eq(errno, EPIPE);
  ck_assert_int_eq(recv(c, b, sizeof b, 0), -1);
  ck_assert_int_eq(errno, ENOTCONN);
  p.fd = c;
  p.events = POLLIN | POLLOUT;
  ck_assert_int_eq(poll(&p, 1, 10000), 1);
  ck_assert_msg(!(p.revents & POLLERR), "revents %#x", (unsigned)p.revents);
  close(c);
}
END_TEST

/* A TCP connection reset (the peer closed with data unread): the first write
 * is ECONNRESET, later ones EPIPE, and a read then gives EOF. */
START_TEST(sock_tcp_reset_io)
{
  struct pollfd p;
  char b[8];
  int l, c, s, i;

  test_tcp_connected(&l, &c, &s);
  ck_assert_int_eq(write(s, "unread", 6), 6);
  p.fd = c;
  p.events = POLLIN;
  ck_assert_int_eq(poll(&p, 1, 5000), 1);
  close(c);                     /* with data unread: a reset */
  p.fd = s;
  p.events = POLLIN;
  for (i = 0; i < 50 && !(p.revents & POLLHUP); i++)
    ck_assert_int_ge(poll(&p, 1, 100), 0);
  ck_assert(p.revents & POLLHUP);
  errno = 0;
  ck_assert_int_eq(send(s, "x", 1, MSG_NOSIGNAL), -1);
  ck_assert_int_eq(errno, ECONNRESET);
  ck_assert_int_eq(send(s, "x", 1, MSG_NOSIGNAL), -1);
  ck_assert_int_eq(errno, EPIPE);
  ck_assert_int_eq(recv(s, b, sizeof b, 0), 0);
  close(s);
  close(l);
}
END_TEST

Suite *suite_socket(void)
{
  Suite *s = suite_create("socket");
  TCase *tc = test_tcase("socket");

  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, sock_echo);
  tcase_add_test(tc, sock_socketpair_roundtrip);
  tcase_add_test(tc, sock_stream_boundaries);
  tcase_add_test(tc, sock_half_close_late_reply);
  tcase_add_test(tc, sock_shutdown_rd_wakes_reader);
  tcase_add_test(tc, sock_shutdown_wakes_blocked_reader);
  tcase_add_test(tc, sock_shutdown_wakes_accept);
  tcase_add_test(tc, sock_close_delivers_all);
  tcase_add_test(tc, sock_many_acceptors);
  tcase_add_test(tc, sock_concurrent_read_write);
  tcase_add_test(tc, sock_msg_peek_dontwait_waitall);
  tcase_add_test(tc, sock_zero_length_reads);
  tcase_add_test(tc, sock_nonblocking_socket);
  tcase_add_test(tc, sock_readv_writev_msg);
  tcase_add_test(tc, sock_recv_timeout);
  tcase_add_test(tc, sock_send_timeout);
  tcase_add_test(tc, sock_names);
  tcase_add_test(tc, sock_options);
  tcase_add_test(tc, sock_raw_is_dgram);
  tcase_add_test(tc, sock_remembered_options);
  tcase_add_test(tc, sock_peercred);
  tcase_add_test(tc, sock_bind_errors);
  tcase_add_test(tc, sock_stale_file_and_unlink);
  tcase_add_test(tc, sock_abstract);
  tcase_add_test(tc, sock_listen_accept_errors);
  tcase_add_test(tc, sock_connect_errors);
  tcase_add_test(tc, sock_socket_errors);
  tcase_add_test(tc, sock_backlog_full_waits);
  tcase_add_test(tc, sock_client_killed);
  tcase_add_test(tc, sock_listener_killed);
  tcase_add_test(tc, sock_inherited_by_child);
  tcase_add_test(tc, sock_polled_then_passed_to_child);
  tcase_add_test(tc, sock_poll_states);
  tcase_add_test(tc, sock_tcp_roundtrip);
  tcase_add_test(tc, sock_tcp_nonblocking_poll);
  tcase_add_test(tc, sock_tcp_to_child);
  tcase_add_test(tc, sock_tcp_refused_poll);
  tcase_add_test(tc, sock_tcp_refused_io);
  tcase_add_test(tc, sock_tcp_reset_io);
  tcase_add_test(tc, sock_many_clients);
  suite_add_tcase(s, tc);
  return s;
}
