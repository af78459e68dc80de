/*
 * AF_UNIX record sockets: SOCK_SEQPACKET (pairs, listeners, connections),
 * SOCK_DGRAM pairs, and SOCK_DGRAM sockets with bind, sendto and recvfrom.  Each send() is one record; recv() gives one record,
 * cut to the buffer; the peer's going is EOF for SOCK_SEQPACKET and nothing
 * at all for SOCK_DGRAM, as on Linux.
 */
#include "ipcx_test.h"
#include <poll.h>
#include <spawn.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

static void pair_of(int type, int sv[2])
{
  ck_assert_int_eq(socketpair(AF_UNIX, type, 0, sv), 0);
}

/* Boundaries, cut records, empty records, MSG_TRUNC, SO_TYPE: both types. */
static void records(int type)
{
  char b[16];
  struct iovec iov = { b, 4 };
  struct msghdr m;
  int sv[2], v;
  socklen_t len = sizeof v;

  pair_of(type, sv);
  ck_assert_int_eq(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &len), 0);
  ck_assert_int_eq(v, type);
  ck_assert_int_eq(send(sv[0], "hello", 5, 0), 5);
  ck_assert_int_eq(send(sv[0], "", 0, 0), 0);
  ck_assert_int_eq(write(sv[0], "abcdefghij", 10), 10);
  ck_assert_int_eq(send(sv[0], "xyz", 3, 0), 3);
  ck_assert_int_eq(send(sv[0], "peek", 4, 0), 4);
  /* A record cut to the buffer: the rest is gone. */
  ck_assert_int_eq(recv(sv[1], b, 3, 0), 3);
  ck_assert_int_eq(memcmp(b, "hel", 3), 0);
  /* The empty record. */
  ck_assert_int_eq(recv(sv[1], b, sizeof b, 0), 0);
  /* recvmsg says it was cut. */
  memset(&m, 0, sizeof m);
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  ck_assert_int_eq(recvmsg(sv[1], &m, 0), 4);
  ck_assert(m.msg_flags & MSG_TRUNC);
  ck_assert_int_eq(memcmp(b, "abcd", 4), 0);
  /* MSG_TRUNC returns the record's real length. */
  ck_assert_int_eq(recv(sv[1], b, 1, MSG_TRUNC), 3);
  /* MSG_PEEK leaves the record; read() takes it. */
  ck_assert_int_eq(recv(sv[1], b, sizeof b, MSG_PEEK), 4);
  ck_assert_int_eq(read(sv[1], b, sizeof b), 4);
  ck_assert_int_eq(memcmp(b, "peek", 4), 0);
  errno = 0;
  ck_assert_int_eq(recv(sv[1], b, sizeof b, MSG_DONTWAIT), -1);
  ck_assert_int_eq(errno, EAGAIN);
  /* writev() is one record too. */
  {
    struct iovec two[2] = { { "ab", 2 }, { "cd", 2 } };
    ck_assert_int_eq(writev(sv[1], two, 2), 4);
    ck_assert_int_eq(recv(sv[0], b, sizeof b, 0), 4);
    ck_assert_int_eq(memcmp(b, "abcd", 4), 0);
  }
  close(sv[0]);
  close(sv[1]);
}

START_TEST(seqpacket_pair_records)
{
  records(SOCK_SEQPACKET);
}
END_TEST

START_TEST(dgram_pair_records)
{
  records(SOCK_DGRAM);
}
END_TEST

/* The peer goes: SOCK_SEQPACKET reads what was queued, then EOF. */
START_TEST(seqpacket_peer_close)
{
  struct pollfd p;
  char b[8];
  int sv[2];

  pair_of(SOCK_SEQPACKET, sv);
  ck_assert_int_eq(send(sv[0], "last", 4, 0), 4);
  close(sv[0]);
  ck_assert_int_eq(recv(sv[1], b, sizeof b, 0), 4);
  ck_assert_int_eq(recv(sv[1], b, sizeof b, MSG_DONTWAIT), 0);
  ck_assert_int_eq(read(sv[1], b, sizeof b), 0);
  p.fd = sv[1];
  p.events = POLLIN | POLLOUT;
  p.revents = 0;
  ck_assert_int_eq(poll(&p, 1, 1000), 1);
  ck_assert_int_eq(p.revents & (POLLIN | POLLHUP), POLLIN | POLLHUP);
  errno = 0;
  ck_assert_int_eq(send(sv[1], "q", 1, MSG_NOSIGNAL), -1);
  ck_assert_int_eq(errno, EPIPE);
  close(sv[1]);
}
END_TEST

/* The peer goes: a SOCK_DGRAM pair reads what was queued, then waits on
 * (EAGAIN when nonblocking), polls writable only; send() is ECONNREFUSED. */
START_TEST(dgram_peer_close)
{
  struct pollfd p;
  char b[8];
  int sv[2], n = -1;

  pair_of(SOCK_DGRAM, sv);
  ck_assert_int_eq(send(sv[0], "abc", 3, 0), 3);
  ck_assert_int_eq(send(sv[0], "last", 4, 0), 4);
  ck_assert_int_eq(ioctl(sv[1], FIONREAD, &n), 0);
  ck_assert_int_eq(n, 3);       /* the next datagram's length */
  close(sv[0]);
  ck_assert_int_eq(recv(sv[1], b, sizeof b, 0), 3);
  ck_assert_int_eq(recv(sv[1], b, sizeof b, 0), 4);
  errno = 0;
  ck_assert_int_eq(recv(sv[1], b, sizeof b, MSG_DONTWAIT), -1);
  ck_assert_int_eq(errno, EAGAIN);
  {
    struct timeval tv = { 0, 200000 };
    ck_assert_int_eq(setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
    errno = 0;
    ck_assert_int_eq(recv(sv[1], b, sizeof b, 0), -1);   /* waited, nothing came */
    ck_assert_int_eq(errno, EAGAIN);
  }
  p.fd = sv[1];
  p.events = POLLIN;
  p.revents = 0;
  ck_assert_int_eq(poll(&p, 1, 100), 0);
  p.events = POLLIN | POLLOUT;
  ck_assert_int_eq(poll(&p, 1, 1000), 1);
  ck_assert_int_eq(p.revents, POLLOUT);
  errno = 0;
  ck_assert_int_eq(send(sv[1], "q", 1, MSG_NOSIGNAL), -1);
  ck_assert_int_eq(errno, ECONNREFUSED);
  close(sv[1]);
}
END_TEST

static int listener(char *path, size_t size, int type)
{
  struct sockaddr_un a;
  int s = socket(AF_UNIX, type, 0);

  ck_assert_int_ge(s, 0);
  test_path(path, size, "seqpacket");
  ck_assert_int_eq(bind(s, (struct sockaddr *)&a, test_addr(&a, path)), 0);
  ck_assert_int_eq(listen(s, 4), 0);
  return s;
}

/* seqpacket_echo: echo records on fd 3 (an inherited SOCK_SEQPACKET socket) until EOF. */
IPCX_TEST_HELPER(seqpacket_echo)
{
  char b[256];
  ssize_t n;
  int v;
  socklen_t len = sizeof v;

  (void)argc, (void)argv;
  if (getsockopt(3, SOL_SOCKET, SO_TYPE, &v, &len) != 0 || v != SOCK_SEQPACKET)
    return 2;
  while ((n = recv(3, b, sizeof b, 0)) > 0)
    if (send(3, b, (size_t)n, 0) != n)
      return 3;
  return n == 0 ? 0 : 4;
}

/* A listener, a client, and the accepted end handed to a child that echoes. */
START_TEST(seqpacket_listener_and_child)
{
  posix_spawn_file_actions_t fa;
  struct sockaddr_un a;
  char path[256], b[64];
  pid_t pid = -1;
  int s = listener(path, sizeof path, SOCK_SEQPACKET), c, acc, v;
  socklen_t len = sizeof v;

  c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
  ck_assert_int_ge(c, 0);
  ck_assert_int_eq(connect(c, (struct sockaddr *)&a, test_addr(&a, path)), 0);
  acc = accept(s, NULL, NULL);
  ck_assert_int_ge(acc, 0);
  ck_assert_int_eq(getsockopt(acc, SOL_SOCKET, SO_TYPE, &v, &len), 0);
  ck_assert_int_eq(v, SOCK_SEQPACKET);
  ck_assert_int_eq(posix_spawn_file_actions_init(&fa), 0);
  ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, acc, 3), 0);
  ck_assert_int_eq(posix_spawn(&pid, test_self, &fa, NULL,
                               (char *[]){ (char *)test_self, "--helper", "seqpacket_echo", NULL },
                               NULL), 0);
  posix_spawn_file_actions_destroy(&fa);
  close(acc);
  /* (No empty record here: the child's recv() could not tell it from EOF.) */
  ck_assert_int_eq(send(c, "one", 3, 0), 3);
  ck_assert_int_eq(send(c, "three", 5, 0), 5);
  ck_assert_int_eq(recv(c, b, sizeof b, 0), 3);
  ck_assert_int_eq(memcmp(b, "one", 3), 0);
  ck_assert_int_eq(recv(c, b, sizeof b, 0), 5);
  ck_assert_int_eq(memcmp(b, "three", 5), 0);
  ck_assert_int_eq(shutdown(c, SHUT_WR), 0);     /* the child sees EOF and exits */
  test_wait_ok(pid);
  ck_assert_int_eq(recv(c, b, sizeof b, 0), 0);
  close(c);
  close(s);
  unlink(path);
}
END_TEST

/* A socketpair end handed to a child through posix_spawn: records both ways. */
START_TEST(seqpacket_pair_to_child)
{
  posix_spawn_file_actions_t fa;
  char b[64], big[200], back[256];
  pid_t pid = -1;
  int sv[2];

  pair_of(SOCK_SEQPACKET, sv);
  ck_assert_int_eq(posix_spawn_file_actions_init(&fa), 0);
  ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, sv[1], 3), 0);
  ck_assert_int_eq(posix_spawn(&pid, test_self, &fa, NULL,
                               (char *[]){ (char *)test_self, "--helper", "seqpacket_echo", NULL },
                               NULL), 0);
  posix_spawn_file_actions_destroy(&fa);
  close(sv[1]);
  /* The child's first record is longer than a hello: it stays one record. */
  memset(big, 'r', sizeof big);
  ck_assert_int_eq(send(sv[0], big, sizeof big, 0), (ssize_t)sizeof big);
  ck_assert_int_eq(recv(sv[0], back, sizeof back, 0), (ssize_t)sizeof big);
  ck_assert_int_eq(memcmp(back, big, sizeof big), 0);
  ck_assert_int_eq(send(sv[0], "one", 3, 0), 3);
  ck_assert_int_eq(recv(sv[0], b, sizeof b, 0), 3);
  ck_assert_int_eq(memcmp(b, "one", 3), 0);
  ck_assert_int_eq(send(sv[0], "three", 5, 0), 5);
  ck_assert_int_eq(recv(sv[0], b, sizeof b, 0), 5);
  ck_assert_int_eq(memcmp(b, "three", 5), 0);
  ck_assert_int_eq(shutdown(sv[0], SHUT_WR), 0);
  test_wait_ok(pid);
  ck_assert_int_eq(recv(sv[0], b, sizeof b, 0), 0);
  close(sv[0]);
}
END_TEST

/* A client of the other type: EPROTOTYPE, both ways. */
static void mismatch(int listener_type, int client_type)
{
  struct sockaddr_un a;
  char path[256];
  int s = listener(path, sizeof path, listener_type), c = socket(AF_UNIX, client_type, 0);

  errno = 0;
  ck_assert_int_eq(connect(c, (struct sockaddr *)&a, test_addr(&a, path)), -1);
  ck_assert_int_eq(errno, EPROTOTYPE);
  close(c);
  close(s);
  unlink(path);
}

START_TEST(seqpacket_type_mismatch)
{
  mismatch(SOCK_SEQPACKET, SOCK_STREAM);
  mismatch(SOCK_STREAM, SOCK_SEQPACKET);
}
END_TEST

/* The largest record Windows carries (64 KiB less one) arrives whole. */
START_TEST(seqpacket_large_record)
{
  static char out[65535], in[65536];
  int sv[2];
  size_t k;

  for (k = 0; k < sizeof out; k++)
    out[k] = (char)(k * 7);
  pair_of(SOCK_SEQPACKET, sv);
  {
    struct timeval tv = { 10, 0 };
    ck_assert_int_eq(setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
  }
  ck_assert_int_eq(send(sv[0], out, sizeof out, 0), (ssize_t)sizeof out);
  ck_assert_int_eq(recv(sv[1], in, sizeof in, 0), (ssize_t)sizeof out);
  ck_assert_int_eq(memcmp(in, out, sizeof out), 0);
  close(sv[0]);
  close(sv[1]);
}
END_TEST

/* --- datagram sockets from socket(): bind, sendto, recvfrom ----------------- */

static int dgram_at(char *path, size_t size, const char *tag)
{
  struct sockaddr_un a;
  int s = socket(AF_UNIX, SOCK_DGRAM, 0);

  ck_assert_int_ge(s, 0);
  test_path(path, size, tag);
  ck_assert_int_eq(bind(s, (struct sockaddr *)&a, test_addr(&a, path)), 0);
  return s;
}

/* Datagrams both ways, each sender named by recvfrom(); an unbound sender is
 * unnamed (length 0); records whole, cut with MSG_TRUNC. */
START_TEST(dgram_sendto_recvfrom)
{
  struct sockaddr_un a, from;
  socklen_t flen;
  char spath[256], cpath[256], b[64];
  int s = dgram_at(spath, sizeof spath, "dg-server"), c = dgram_at(cpath, sizeof cpath, "dg-client");
  int u = socket(AF_UNIX, SOCK_DGRAM, 0), v;
  socklen_t len = sizeof v;

  ck_assert_int_eq(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len), 0);
  ck_assert_int_eq(v, SOCK_DGRAM);
  ck_assert_int_eq(sendto(c, "ping", 4, 0, (struct sockaddr *)&a, test_addr(&a, spath)), 4);
  ck_assert_int_eq(sendto(c, "", 0, 0, (struct sockaddr *)&a, test_addr(&a, spath)), 0);
  ck_assert_int_eq(sendto(c, "0123456789", 10, 0, (struct sockaddr *)&a, test_addr(&a, spath)), 10);
  flen = sizeof from;
  memset(&from, 0, sizeof from);
  ck_assert_int_eq(recvfrom(s, b, sizeof b, 0, (struct sockaddr *)&from, &flen), 4);
  ck_assert_int_eq(memcmp(b, "ping", 4), 0);
  ck_assert_int_eq(flen, offsetof(struct sockaddr_un, sun_path) + strlen(cpath) + 1);
  ck_assert_str_eq(from.sun_path, cpath);
  ck_assert_int_eq(recvfrom(s, b, sizeof b, 0, NULL, NULL), 0);      /* the empty one */
  ck_assert_int_eq(recv(s, b, 3, MSG_TRUNC), 10);                   /* cut, real length */
  ck_assert_int_eq(memcmp(b, "012", 3), 0);
  /* The reply goes to the address recvfrom() gave. */
  ck_assert_int_eq(sendto(s, "pong", 4, 0, (struct sockaddr *)&from, flen), 4);
  flen = sizeof from;
  ck_assert_int_eq(recvfrom(c, b, sizeof b, 0, (struct sockaddr *)&from, &flen), 4);
  ck_assert_int_eq(memcmp(b, "pong", 4), 0);
  ck_assert_str_eq(from.sun_path, spath);
  /* An unbound sender has no name. */
  ck_assert_int_ge(u, 0);
  ck_assert_int_eq(sendto(u, "anon", 4, 0, (struct sockaddr *)&a, test_addr(&a, spath)), 4);
  flen = sizeof from;
  ck_assert_int_eq(recvfrom(s, b, sizeof b, 0, (struct sockaddr *)&from, &flen), 4);
  ck_assert_int_eq(flen, 0);
  errno = 0;
  ck_assert_int_eq(recv(s, b, sizeof b, MSG_DONTWAIT), -1);
  ck_assert_int_eq(errno, EAGAIN);
  close(u);
  close(c);
  close(s);
  unlink(cpath);
  unlink(spath);
}
END_TEST

/* connect() sets the default destination; AF_UNSPEC takes it away. */
START_TEST(dgram_connect_default)
{
  struct sockaddr_un a, peer;
  socklen_t plen = sizeof peer;
  char spath[256], b[16];
  int s = dgram_at(spath, sizeof spath, "dg-conn"), c = socket(AF_UNIX, SOCK_DGRAM, 0);
  struct sockaddr unspec;

  errno = 0;
  ck_assert_int_eq(send(c, "x", 1, 0), -1);
  ck_assert_int_eq(errno, ENOTCONN);
  errno = 0;
  ck_assert_int_eq(getpeername(c, (struct sockaddr *)&peer, &plen), -1);
  ck_assert_int_eq(errno, ENOTCONN);
  ck_assert_int_eq(connect(c, (struct sockaddr *)&a, test_addr(&a, spath)), 0);
  ck_assert_int_eq(send(c, "abc", 3, 0), 3);
  ck_assert_int_eq(write(c, "w", 1), 1);
  ck_assert_int_eq(recv(s, b, sizeof b, 0), 3);
  ck_assert_int_eq(read(s, b, sizeof b), 1);
  ck_assert_int_eq(b[0], 'w');
  plen = sizeof peer;
  ck_assert_int_eq(getpeername(c, (struct sockaddr *)&peer, &plen), 0);
  ck_assert_str_eq(peer.sun_path, spath);
  memset(&unspec, 0, sizeof unspec);
  unspec.sa_family = AF_UNSPEC;
  ck_assert_int_eq(connect(c, &unspec, sizeof unspec), 0);
  errno = 0;
  ck_assert_int_eq(send(c, "x", 1, 0), -1);
  ck_assert_int_eq(errno, ENOTCONN);
  close(c);
  close(s);
  unlink(spath);
}
END_TEST

/* Errors as Linux gives them. */
START_TEST(dgram_errors)
{
  struct sockaddr_un a;
  char spath[256], lpath[256], none[256], b[4];
  int s = dgram_at(spath, sizeof spath, "dg-err"), c = socket(AF_UNIX, SOCK_DGRAM, 0);
  int l = listener(lpath, sizeof lpath, SOCK_STREAM);

  test_path(none, sizeof none, "dg-none");
  errno = 0;
  ck_assert_int_eq(sendto(c, "x", 1, 0, (struct sockaddr *)&a, test_addr(&a, none)), -1);
  ck_assert_int_eq(errno, ENOENT);
  errno = 0;
  ck_assert_int_eq(sendto(c, "x", 1, 0, (struct sockaddr *)&a, test_addr(&a, lpath)), -1);
  ck_assert_int_eq(errno, EPROTOTYPE);
  errno = 0;
  ck_assert_int_eq(connect(c, (struct sockaddr *)&a, test_addr(&a, lpath)), -1);
  ck_assert_int_eq(errno, EPROTOTYPE);
  errno = 0;
  ck_assert_int_eq(recv(c, b, sizeof b, MSG_DONTWAIT), -1);   /* unbound: nothing comes */
  ck_assert_int_eq(errno, EAGAIN);
  errno = 0;
  ck_assert_int_eq(listen(s, 1), -1);
  ck_assert_int_eq(errno, EOPNOTSUPP);
  /* The receiver goes: its file stays, nobody reads it. */
  ck_assert_int_eq(connect(c, (struct sockaddr *)&a, test_addr(&a, spath)), 0);
  ck_assert_int_eq(send(c, "x", 1, 0), 1);
  close(s);
  errno = 0;
  ck_assert_int_eq(send(c, "y", 1, 0), -1);
  ck_assert_int_eq(errno, ECONNREFUSED);
  errno = 0;
  ck_assert_int_eq(sendto(c, "z", 1, 0, (struct sockaddr *)&a, test_addr(&a, spath)), -1);
  ck_assert_int_eq(errno, ECONNREFUSED);
  close(c);
  close(l);
  unlink(spath);
  unlink(lpath);
}
END_TEST

/* poll(): writable always; readable when a datagram waits. */
START_TEST(dgram_poll)
{
  struct sockaddr_un a;
  struct pollfd p[2];
  char spath[256], b[8];
  int s = dgram_at(spath, sizeof spath, "dg-poll"), c = socket(AF_UNIX, SOCK_DGRAM, 0);

  p[0].fd = s;
  p[1].fd = c;
  p[0].events = p[1].events = POLLIN | POLLOUT;
  p[0].revents = p[1].revents = 0;
  ck_assert_int_eq(poll(p, 2, 0), 2);
  ck_assert_int_eq(p[0].revents, POLLOUT);
  ck_assert_int_eq(p[1].revents, POLLOUT);
  p[0].events = POLLIN;
  ck_assert_int_eq(poll(p, 1, 50), 0);
  ck_assert_int_eq(sendto(c, "hey", 3, 0, (struct sockaddr *)&a, test_addr(&a, spath)), 3);
  ck_assert_int_eq(poll(p, 1, 5000), 1);
  ck_assert_int_eq(p[0].revents, POLLIN);
  ck_assert_int_eq(recv(s, b, sizeof b, 0), 3);
  close(c);
  close(s);
  unlink(spath);
}
END_TEST

#define DG_SENDERS 6
#define DG_EACH 100

/* dgram_sender PATH ID: DG_EACH datagrams "ID seq" to PATH. */
IPCX_TEST_HELPER(dgram_sender)
{
  struct sockaddr_un a;
  char msg[32];
  int c, k, n;

  if (argc < 2)
    return 2;
  c = socket(AF_UNIX, SOCK_DGRAM, 0);
  if (c < 0)
    return 3;
  for (k = 0; k < DG_EACH; k++) {
    n = snprintf(msg, sizeof msg, "%s %d", argv[1], k);
    if (sendto(c, msg, (size_t)n, 0, (struct sockaddr *)&a, test_addr(&a, argv[0])) != n)
      return 4;
  }
  close(c);
  return 0;
}

/* Several sender processes into one receiver: every datagram whole, each
 * sender's in order. */
START_TEST(dgram_many_senders)
{
  char spath[256], ids[DG_SENDERS][8], b[64];
  int s = dgram_at(spath, sizeof spath, "dg-many"), next[DG_SENDERS] = { 0 }, k, id, seq;
  pid_t pids[DG_SENDERS];

  for (k = 0; k < DG_SENDERS; k++) {
    snprintf(ids[k], sizeof ids[k], "%d", k);
    pids[k] = test_spawn_helper((char *[]){ (char *)test_self, "--helper", "dgram_sender", spath,
                                            ids[k], NULL });
  }
  for (k = 0; k < DG_SENDERS * DG_EACH; k++) {
    ssize_t n = recv(s, b, sizeof b - 1, 0);
    ck_assert_int_gt(n, 0);
    b[n] = 0;
    ck_assert_int_eq(sscanf(b, "%d %d", &id, &seq), 2);
    ck_assert(id >= 0 && id < DG_SENDERS);
    ck_assert_int_eq(seq, next[id]);
    next[id]++;
  }
  for (k = 0; k < DG_SENDERS; k++)
    test_wait_ok(pids[k]);
  close(s);
  unlink(spath);
}
END_TEST

struct blocked_sender {
  const char *path;
  int sent, err;
};

static void *send_until_refused(void *arg)
{
  struct blocked_sender *b = arg;
  struct sockaddr_un a;
  static char msg[1000];
  int c = socket(AF_UNIX, SOCK_DGRAM, 0);

  for (b->sent = 0; b->sent < 100000; b->sent++)
    if (sendto(c, msg, sizeof msg, 0, (struct sockaddr *)&a, test_addr(&a, b->path)) < 0) {
      b->err = errno;
      break;
    }
  close(c);
  return NULL;
}

/* A receiver that never reads: the sender waits once the queue is full, and
 * gets ECONNREFUSED when the receiver closes (no hang on either side). */
START_TEST(dgram_full_queue_then_close)
{
  struct blocked_sender b;
  char spath[256];
  pthread_t t;
  int s = dgram_at(spath, sizeof spath, "dg-full");

  b.path = spath;
  b.sent = b.err = 0;
  ck_assert_int_eq(pthread_create(&t, NULL, send_until_refused, &b), 0);
  test_sleep_ms(500);
  ck_assert_int_lt(b.sent, 100000);     /* blocked: the queue is full */
  close(s);
  ck_assert_int_eq(pthread_join(t, NULL), 0);
  ck_assert_int_eq(b.err, ECONNREFUSED);
  unlink(spath);
}
END_TEST

/* Abstract names work for datagrams too. */
START_TEST(dgram_abstract)
{
  struct sockaddr_un a;
  socklen_t alen;
  char b[8];
  int s = socket(AF_UNIX, SOCK_DGRAM, 0), c = socket(AF_UNIX, SOCK_DGRAM, 0);

  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
                     (size_t)snprintf(a.sun_path + 1, sizeof a.sun_path - 1, "ipcx-dg-%d",
                                      (int)getpid()));
  ck_assert_int_eq(bind(s, (struct sockaddr *)&a, alen), 0);
  ck_assert_int_eq(sendto(c, "abs", 3, 0, (struct sockaddr *)&a, alen), 3);
  ck_assert_int_eq(recv(s, b, sizeof b, 0), 3);
  ck_assert_int_eq(memcmp(b, "abs", 3), 0);
  close(c);
  close(s);
}
END_TEST

Suite *suite_seqpacket(void)
{
  Suite *s = suite_create("seqpacket");
  TCase *tc = test_tcase("seqpacket");

  tcase_add_test(tc, seqpacket_pair_records);
  tcase_add_test(tc, dgram_pair_records);
  tcase_add_test(tc, seqpacket_peer_close);
  tcase_add_test(tc, dgram_peer_close);
  tcase_add_test(tc, seqpacket_listener_and_child);
  tcase_add_test(tc, seqpacket_pair_to_child);
  tcase_add_test(tc, seqpacket_type_mismatch);
  tcase_add_test(tc, seqpacket_large_record);
  tcase_add_test(tc, dgram_sendto_recvfrom);
  tcase_add_test(tc, dgram_connect_default);
  tcase_add_test(tc, dgram_errors);
  tcase_add_test(tc, dgram_poll);
  tcase_add_test(tc, dgram_many_senders);
  tcase_add_test(tc, dgram_full_queue_then_close);
  tcase_add_test(tc, dgram_abstract);
  suite_add_tcase(s, tc);
  return s;
}
