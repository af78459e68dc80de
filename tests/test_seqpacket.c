/*
 * AF_UNIX record sockets: SOCK_SEQPACKET (pairs, listeners, connections) and
 * SOCK_DGRAM pairs.  Each send() is one record; recv() gives one record,
 * cut to the buffer; the peer's going is EOF for SOCK_SEQPACKET and nothing
 * at all for SOCK_DGRAM, as on Linux.
 */
#include "ipcx_test.h"
#include <poll.h>
#include <spawn.h>
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

static socklen_t addr_of(struct sockaddr_un *a, const char *path)
{
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  memcpy(a->sun_path, path, strlen(path) < sizeof a->sun_path ? strlen(path) : 0);
  return (socklen_t)sizeof *a;
}

static int listener(char *path, size_t size, int type)
{
  struct sockaddr_un a;
  int s = socket(AF_UNIX, type, 0);

  ck_assert_int_ge(s, 0);
  test_path(path, size, "seqpacket");
  ck_assert_int_eq(bind(s, (struct sockaddr *)&a, addr_of(&a, path)), 0);
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
  int s = listener(path, sizeof path, SOCK_SEQPACKET), c, acc, v, status = -1;
  socklen_t len = sizeof v;

  c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
  ck_assert_int_ge(c, 0);
  ck_assert_int_eq(connect(c, (struct sockaddr *)&a, addr_of(&a, path)), 0);
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
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ck_assert(WIFEXITED(status));
  ck_assert_int_eq(WEXITSTATUS(status), 0);
  ck_assert_int_eq(recv(c, b, sizeof b, 0), 0);
  close(c);
  close(s);
  unlink(path);
}
END_TEST

/* A client of the other type: EPROTOTYPE, both ways. */
START_TEST(seqpacket_type_mismatch)
{
  struct sockaddr_un a;
  char path[256];
  int s = listener(path, sizeof path, SOCK_SEQPACKET), c;

  c = socket(AF_UNIX, SOCK_STREAM, 0);
  errno = 0;
  ck_assert_int_eq(connect(c, (struct sockaddr *)&a, addr_of(&a, path)), -1);
  ck_assert_int_eq(errno, EPROTOTYPE);
  close(c);
  close(s);
  unlink(path);
  s = listener(path, sizeof path, SOCK_STREAM);
  c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
  errno = 0;
  ck_assert_int_eq(connect(c, (struct sockaddr *)&a, addr_of(&a, path)), -1);
  ck_assert_int_eq(errno, EPROTOTYPE);
  close(c);
  close(s);
  unlink(path);
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

/* An unconnected AF_UNIX datagram socket (bind + sendto) is not built on
 * Windows yet: README's feature table says so. */
START_TEST(dgram_socket_unconnected)
{
  int s = socket(AF_UNIX, SOCK_DGRAM, 0);
#ifdef _WIN32
  ck_assert_int_eq(s, -1);
  ck_assert_int_eq(errno, ESOCKTNOSUPPORT);
#else
  ck_assert_int_ge(s, 0);
  close(s);
#endif
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
  tcase_add_test(tc, seqpacket_type_mismatch);
  tcase_add_test(tc, seqpacket_large_record);
  tcase_add_test(tc, dgram_socket_unconnected);
  suite_add_tcase(s, tc);
  return s;
}
