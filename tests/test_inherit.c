/*
 * Inheritance through posix_spawn of the AF_UNIX sockets that are not plain
 * connections (issue 13 item 3): a listening socket shared by pre-spawned
 * worker processes, every connection served exactly once; a bound datagram
 * socket whose child receives what is sent to the path.
 */
#include "ipcx_test.h"
#include <poll.h>
#include <stdint.h>
#include <spawn.h>
#include <sys/wait.h>

#define WORKERS 3
#define CLIENTS 30

/* A worker: accept on the inherited listener argv[0] (after argv[1] ms, if
 * given); answer "Rnn" with "Rnn:<pid>", "quit" with "bye:<served>" and leave. */
IPCX_TEST_HELPER(inherit_worker)
{
  int lfd, fd, served = 0;
  char req[5], rep[64];

  if (argc < 1)
    return 2;
  lfd = atoi(argv[0]);
  if (argc > 1)
    test_sleep_ms(atoi(argv[1]));
  for (;;) {
    fd = accept(lfd, NULL, NULL);
    if (fd < 0)
      return 3;
    if (test_read_all(fd, req, 4) != 4)
      return 4;
    req[4] = 0;
    if (strcmp(req, "quit") == 0) {
      snprintf(rep, sizeof rep, "bye:%03d", served);
      if (test_write_all(fd, rep, 7) != 7)
        return 5;
      close(fd);
      return 0;
    }
    snprintf(rep, sizeof rep, "%s:%08ld", req, (long)getpid());
    if (test_write_all(fd, rep, 13) != 13)
      return 6;
    served++;
    close(fd);
  }
}

static int connect_send(const char *path, const char *req)
{
  int fd = test_connect_to(path, SOCK_STREAM);

  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(test_write_all(fd, req, 4), 4);
  return fd;
}

/*
 * CLIENTS clients for the WORKERS workers pids[] that share the listener at
 * path: each gets one reply naming a worker, then EOF; then each worker is
 * told to quit, and their counts add up to CLIENTS (none lost, none doubled).
 */
static void serve_clients(const char *path, const pid_t *pids)
{
  char req[8], rep[64];
  pid_t who[CLIENTS];
  int c[CLIENTS], q[WORKERS], i, k, total = 0;

  for (i = 0; i < CLIENTS; i++) {
    snprintf(req, sizeof req, "R%02d", i);
    c[i] = connect_send(path, req);
  }
  for (i = 0; i < CLIENTS; i++) {
    snprintf(req, sizeof req, "R%02d", i);
    ck_assert_int_eq(test_read_all(c[i], rep, 13), 13);
    ck_assert(memcmp(rep, req, 3) == 0);                 /* its own reply */
    who[i] = (pid_t)atol(rep + 4);
    for (k = 0; k < WORKERS && pids[k] != who[i]; k++)
      ;
    ck_assert_int_lt(k, WORKERS);                         /* served by a worker */
    ck_assert_int_eq(read(c[i], rep, sizeof rep), 0);    /* once: then EOF */
    close(c[i]);
  }
  for (i = 0; i < WORKERS; i++)
    q[i] = connect_send(path, "quit");
  for (i = 0; i < WORKERS; i++) {
    ck_assert_int_eq(test_read_all(q[i], rep, 7), 7);
    rep[7] = 0;
    ck_assert(memcmp(rep, "bye:", 4) == 0);
    total += atoi(rep + 4);
    close(q[i]);
  }
  ck_assert_int_eq(total, CLIENTS);
  for (i = 0; i < WORKERS; i++)
    test_wait_ok(pids[i]);
}

START_TEST(listener_shared_by_workers)
{
  char path[256], fdstr[16];
  char *argv[] = { (char *)test_self, "--helper", "inherit_worker", fdstr, NULL };
  pid_t pids[WORKERS];
  int lfd, i;

  lfd = test_listen_at(path, sizeof path, SOCK_STREAM, 16);
  ck_assert_int_ge(lfd, 0);
  snprintf(fdstr, sizeof fdstr, "%d", lfd);
  for (i = 0; i < WORKERS; i++)
    pids[i] = test_spawn_helper(argv);
  /* The parent keeps its listener open and never accepts: every connection
   * must reach a worker. */
  serve_clients(path, pids);
  ck_assert_int_eq(close(lfd), 0);
  unlink(path);
}
END_TEST

/*
 * The parent spawns its workers and closes its own copy of the listener at
 * once: the workers hold it, so the connections that follow queue for them
 * (Linux's shared backlog), none is refused, also while the workers have not
 * touched the listener yet (they wait 300 ms before their first accept()).
 */
START_TEST(listener_closed_at_once_by_parent)
{
  char path[256], fdstr[16];
  char *argv[] = { (char *)test_self, "--helper", "inherit_worker", fdstr, "300", NULL };
  pid_t pids[WORKERS];
  int lfd, i;

  lfd = test_listen_at(path, sizeof path, SOCK_STREAM, 16);
  ck_assert_int_ge(lfd, 0);
  snprintf(fdstr, sizeof fdstr, "%d", lfd);
  for (i = 0; i < WORKERS; i++)
    pids[i] = test_spawn_helper(argv);
  ck_assert_int_eq(close(lfd), 0);
  serve_clients(path, pids);
  unlink(path);
}
END_TEST

static void *connect_thread(void *arg)
{
  return (void *)(intptr_t)connect_send(arg, "R42");
}

/*
 * The listener stays usable in the parent after the workers have gone.  The
 * client is another thread: on Windows a shared listener takes a connection
 * only while some holder accepts (docs/rawpipes.md), so a connect() before
 * the accept() in the same thread would wait for ever there.
 */
START_TEST(listener_parent_accepts_after_children)
{
  char path[256], fdstr[16], rep[16];
  char *argv[] = { (char *)test_self, "--helper", "inherit_worker", fdstr, NULL };
  int lfd, c, fd;
  pthread_t t;
  void *ret;
  pid_t pid;

  lfd = test_listen_at(path, sizeof path, SOCK_STREAM, 4);
  ck_assert_int_ge(lfd, 0);
  snprintf(fdstr, sizeof fdstr, "%d", lfd);
  pid = test_spawn_helper(argv);
  c = connect_send(path, "quit");
  ck_assert_int_eq(test_read_all(c, rep, 7), 7);
  ck_assert(memcmp(rep, "bye:000", 7) == 0);
  close(c);
  test_wait_ok(pid);
  ck_assert_int_eq(pthread_create(&t, NULL, connect_thread, path), 0);
  fd = accept(lfd, NULL, NULL);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(pthread_join(t, &ret), 0);
  c = (int)(intptr_t)ret;
  ck_assert_int_eq(test_read_all(fd, rep, 4), 4);
  ck_assert(memcmp(rep, "R42", 4) == 0);
  close(fd);
  close(c);
  ck_assert_int_eq(close(lfd), 0);
  unlink(path);
}
END_TEST

#define DGRAMS 5

/* Receive DGRAMS datagrams "d0".."d4" on the inherited bound socket argv[0],
 * whose address is argv[1]; answer the last to its sender argv[2]. */
IPCX_TEST_HELPER(inherit_dgram)
{
  struct sockaddr_un from, me, to;
  socklen_t flen, mlen = sizeof me;
  char buf[16], want[16];
  int fd, i;
  ssize_t r;

  if (argc < 3)
    return 2;
  fd = atoi(argv[0]);
  if (getsockname(fd, (struct sockaddr *)&me, &mlen) != 0 || strcmp(me.sun_path, argv[1]) != 0)
    return 4;                   /* the child knows its address */
  for (i = 0; i < DGRAMS; i++) {
    flen = sizeof from;
    r = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
    snprintf(want, sizeof want, "d%d", i);
    if (r != (ssize_t)strlen(want) || memcmp(buf, want, (size_t)r) != 0)
      return 10 + i;
    if (flen == 0 || strcmp(from.sun_path, argv[2]) != 0)
      return 20 + i;            /* the sender's address */
  }
  /* Its own datagrams carry its address. */
  if (sendto(fd, "back", 4, 0, (struct sockaddr *)&to, test_addr(&to, argv[2])) != 4)
    return 5;
  return close(fd) == 0 ? 0 : 3;
}

/* A bound datagram socket passed to a child: the child receives what is
 * sent to the path, also after the parent closed its copy, and knows and
 * sends by its name. */
START_TEST(dgram_bound_to_child)
{
  char path[256], txpath[256], fdstr[16], msg[16];
  char *argv[] = { (char *)test_self, "--helper", "inherit_dgram", fdstr, path, txpath, NULL };
  struct sockaddr_un a, ta, from;
  socklen_t len, tlen, flen = sizeof from;
  int fd, tx, i;
  pid_t pid;

  test_path(path, sizeof path, "dg");
  unlink(path);
  test_path(txpath, sizeof txpath, "dgtx");
  unlink(txpath);
  fd = socket(AF_UNIX, SOCK_DGRAM, 0);
  ck_assert_int_ge(fd, 0);
  len = test_addr(&a, path);
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, len), 0);
  snprintf(fdstr, sizeof fdstr, "%d", fd);
  pid = test_spawn_helper(argv);
  ck_assert_int_eq(close(fd), 0);
  tx = socket(AF_UNIX, SOCK_DGRAM, 0);
  ck_assert_int_ge(tx, 0);
  tlen = test_addr(&ta, txpath);
  ck_assert_int_eq(bind(tx, (struct sockaddr *)&ta, tlen), 0);
  for (i = 0; i < DGRAMS; i++) {
    snprintf(msg, sizeof msg, "d%d", i);
    ck_assert_int_eq(sendto(tx, msg, strlen(msg), 0, (struct sockaddr *)&a, len),
                     (ssize_t)strlen(msg));
  }
  test_wait_ok(pid);
  ck_assert_int_eq(recvfrom(tx, msg, sizeof msg, 0, (struct sockaddr *)&from, &flen), 4);
  ck_assert(memcmp(msg, "back", 4) == 0);
  ck_assert_str_eq(from.sun_path, path);                /* from the child, by the bound name */
  close(tx);
  unlink(path);
  unlink(txpath);
}
END_TEST

/* --- the datagram rules (measured on Linux, asserted on both) ------------- */

static int bound_dgram(char *path, size_t size, const char *tag, struct sockaddr_un *a,
                       socklen_t *len, int flags)
{
  int fd = socket(AF_UNIX, SOCK_DGRAM | flags, 0);

  ck_assert_int_ge(fd, 0);
  test_path(path, size, tag);
  unlink(path);
  *len = test_addr(a, path);
  ck_assert_int_eq(bind(fd, (struct sockaddr *)a, *len), 0);
  return fd;
}

/*
 * A connect()ed datagram socket receives only from its peer: Linux refuses
 * any other sender with EPERM (unix_may_send), bound or not; AF_UNSPEC
 * undoes the connection and the others may send again.
 */
START_TEST(dgram_connected_only_from_peer)
{
  char pb[256], pc[256], pd[256], buf[16];
  struct sockaddr_un ab, ac, ad, from;
  socklen_t lb, lc, ld, flen = sizeof from;
  struct sockaddr unspec;
  int b, c, d, e;

  b = bound_dgram(pb, sizeof pb, "dgb", &ab, &lb, 0);
  c = bound_dgram(pc, sizeof pc, "dgc", &ac, &lc, 0);
  d = bound_dgram(pd, sizeof pd, "dgd", &ad, &ld, 0);
  e = socket(AF_UNIX, SOCK_DGRAM, 0);
  ck_assert_int_ge(e, 0);
  ck_assert_int_eq(connect(b, (struct sockaddr *)&ac, lc), 0);
  errno = 0;
  ck_assert_int_eq(sendto(d, "d", 1, 0, (struct sockaddr *)&ab, lb), -1);
  ck_assert_int_eq(errno, EPERM);
  errno = 0;
  ck_assert_int_eq(sendto(e, "e", 1, 0, (struct sockaddr *)&ab, lb), -1);
  ck_assert_int_eq(errno, EPERM);
  ck_assert_int_eq(sendto(c, "c", 1, 0, (struct sockaddr *)&ab, lb), 1);
  ck_assert_int_eq(recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen), 1);
  ck_assert_int_eq(buf[0], 'c');
  ck_assert_str_eq(from.sun_path, pc);
  memset(&unspec, 0, sizeof unspec);
  unspec.sa_family = AF_UNSPEC;
  ck_assert_int_eq(connect(b, &unspec, sizeof unspec), 0);
  ck_assert_int_eq(sendto(d, "d", 1, 0, (struct sockaddr *)&ab, lb), 1);
  ck_assert_int_eq(recv(b, buf, sizeof buf, 0), 1);
  ck_assert_int_eq(buf[0], 'd');
  close(b);
  close(c);
  close(d);
  close(e);
  unlink(pb);
  unlink(pc);
  unlink(pd);
}
END_TEST

/*
 * A nonblocking sendto() to a receiver that does not read: EAGAIN once its
 * queue is full (Linux: past net.unix.max_dgram_qlen, 10 by default, so the
 * 12th); one recv() makes room for one more; a blocking send is taken
 * (waiting for room where it must); nothing is lost or reordered.
 */
START_TEST(dgram_nonblocking_full_receiver)
{
  char pb[256], buf[128];
  struct sockaddr_un ab;
  socklen_t lb;
  int b, tx, sent = 0, i;

  b = bound_dgram(pb, sizeof pb, "dgf", &ab, &lb, 0);
  tx = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  ck_assert_int_ge(tx, 0);
  for (;;) {
    memset(buf, 0, sizeof buf);
    snprintf(buf, sizeof buf, "%d", sent);
    if (sendto(tx, buf, 100, 0, (struct sockaddr *)&ab, lb) != 100)
      break;
    sent++;
    ck_assert_int_lt(sent, 100000);
  }
  ck_assert_int_eq(errno, EAGAIN);
  ck_assert_int_ge(sent, 1);
  ck_assert_int_eq(recv(b, buf, sizeof buf, 0), 100);
  ck_assert_int_eq(atoi(buf), 0);
  snprintf(buf, sizeof buf, "%d", sent);
  ck_assert_int_eq(sendto(tx, buf, 100, MSG_DONTWAIT, (struct sockaddr *)&ab, lb), 100);
  sent++;
  errno = 0;
  ck_assert_int_eq(sendto(tx, buf, 100, MSG_DONTWAIT, (struct sockaddr *)&ab, lb), -1);
  ck_assert_int_eq(errno, EAGAIN);
  for (i = 1; i < sent; i++) {
    ck_assert_int_eq(recv(b, buf, sizeof buf, 0), 100);
    ck_assert_int_eq(atoi(buf), i);                     /* in order, none lost */
  }
  errno = 0;
  ck_assert_int_eq(recv(b, buf, sizeof buf, MSG_DONTWAIT), -1);
  ck_assert_int_eq(errno, EAGAIN);
  close(tx);
  close(b);
  unlink(pb);
}
END_TEST

Suite *suite_inherit(void)
{
  Suite *s = suite_create("inherit");
  TCase *tc = test_tcase("inherit");

  tcase_add_test(tc, listener_shared_by_workers);
  tcase_add_test(tc, listener_closed_at_once_by_parent);
  tcase_add_test(tc, listener_parent_accepts_after_children);
  tcase_add_test(tc, dgram_bound_to_child);
  tcase_add_test(tc, dgram_connected_only_from_peer);
  tcase_add_test(tc, dgram_nonblocking_full_receiver);
  suite_add_tcase(s, tc);
  return s;
}
