/*
 * Leaks: the process's open handles (Windows: GetProcessHandleCount) or open
 * fds (Linux: /proc/self/fd) are counted before and after a batch of
 * operations, each repeated hundreds of times; the count must come back to
 * where it was, within a small slack.  A leak of one handle per operation
 * shows as hundreds.
 */
#include "ipcx_test.h"
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#define ASSERT_NO_GROWTH(base)                                                 \
  do {                                                                         \
    long now_ = test_settle_count(base);                                       \
    ck_assert_msg(now_ <= (base) + TEST_SLACK, "%ld open before, %ld after",   \
                  (long)(base), now_);                                         \
  } while (0)

static void pipe_round(void)
{
  int p[2];
  char c = 0;

  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(write(p[1], "p", 1), 1);
  ck_assert_int_eq(read(p[0], &c, 1), 1);
  ck_assert_int_eq(c, 'p');
  ck_assert_int_eq(close(p[1]), 0);
  ck_assert_int_eq(read(p[0], &c, 1), 0);
  ck_assert_int_eq(close(p[0]), 0);
}

START_TEST(leak_pipes)
{
  long base;
  int i, p[2];

  pipe_round();                 /* warm up: the thread's event, the CRT's tables */
  base = test_open_count();
  for (i = 0; i < 300; i++)
    pipe_round();
  for (i = 0; i < 200; i++) {   /* pipe2 with every flag, closed unused */
    ck_assert_int_eq(pipe2(p, (i & 1 ? O_NONBLOCK : 0) | (i & 2 ? O_CLOEXEC : 0)), 0);
    ck_assert_int_eq(close(p[i & 1]), 0);
    ck_assert_int_eq(close(p[!(i & 1)]), 0);
  }
  ASSERT_NO_GROWTH(base);
}
END_TEST

START_TEST(leak_dup_dup2_fcntl)
{
  int p[2], d, e, i, target;
  long base;
  char c;

  ck_assert_int_eq(pipe(p), 0);
  target = dup(p[0]);           /* a number to dup2 onto */
  ck_assert_int_ge(target, 0);
  base = test_open_count();
  for (i = 0; i < 300; i++) {
    d = dup(p[1]);
    ck_assert_int_ge(d, 0);
    e = fcntl(d, i & 1 ? F_DUPFD_CLOEXEC : F_DUPFD, 20);
    ck_assert_int_ge(e, 20);
    ck_assert_int_eq(dup2(i & 1 ? p[0] : p[1], target), target);   /* replaces an open fd */
    ck_assert_int_eq(fcntl(target, F_SETFD, FD_CLOEXEC), 0);
    ck_assert_int_eq(fcntl(e, F_SETFL, O_NONBLOCK), 0);
    ck_assert_int_eq(write(e, "d", 1), 1);
    ck_assert_int_eq(close(d), 0);
    ck_assert_int_eq(close(e), 0);
    ck_assert_int_eq(read(p[0], &c, 1), 1);
  }
  ck_assert_int_eq(close(target), 0);
  ck_assert_int_eq(close(p[0]), 0);
  ck_assert_int_eq(close(p[1]), 0);
  ASSERT_NO_GROWTH(base - 3);
}
END_TEST

/* The calls that fail must not leak either. */
START_TEST(leak_failed_calls)
{
  char path[256], c;
  long base;
  int i, p[2];

  test_path(path, sizeof path, "leak-none");
  pipe_round();
  base = test_open_count();
  for (i = 0; i < 300; i++) {
    ck_assert_int_eq(open(path, O_RDONLY), -1);
    ck_assert_int_eq(pipe2(p, O_CREAT), -1);
    ck_assert_int_eq(read(999, &c, 1), -1);
    ck_assert_int_eq(dup(999), -1);
    ck_assert_int_eq(dup2(999, 3), -1);
    ck_assert_int_eq(close(999), -1);
  }
  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(close(p[0]), 0);
  for (i = 0; i < 300; i++) {   /* EPIPE */
    ck_assert_int_eq(write(p[1], "x", 1), -1);
    ck_assert_int_eq(errno, EPIPE);
  }
  ck_assert_int_eq(close(p[1]), 0);
  ASSERT_NO_GROWTH(base);
}
END_TEST

static void *io_thread(void *arg)
{
  int *p = arg, i;
  char buf[64];

  for (i = 0; i < 20; i++) {
    if (write(p[1], "thread", 6) != 6 || test_read_all(p[0], buf, 6) != 6)
      return (void *)1;
  }
  return NULL;
}

/* Threads that do I/O and end: their per-thread state goes with them. */
START_TEST(leak_threads)
{
  pthread_t t[8];
  int p[8][2], round, i;
  void *r;
  long base;

  pipe_round();
  base = test_open_count();
  for (round = 0; round < 10; round++) {
    for (i = 0; i < 8; i++) {
      ck_assert_int_eq(pipe(p[i]), 0);
      ck_assert_int_eq(pthread_create(&t[i], NULL, io_thread, p[i]), 0);
    }
    for (i = 0; i < 8; i++) {
      ck_assert_int_eq(pthread_join(t[i], &r), 0);
      ck_assert_ptr_null(r);
      close(p[i][0]);
      close(p[i][1]);
    }
  }
  ASSERT_NO_GROWTH(base);
}
END_TEST

/* Nonblocking writes the pipe could not take yet, then close(): the data
 * lingers until read, or until the reader goes, and then nothing is left. */
START_TEST(leak_pending_writes)
{
  static char out[4096], in[65536];
  size_t total, got;
  int p[2], i;
  long base;
  ssize_t r;

  memset(out, 'w', sizeof out);
  pipe_round();
  base = test_open_count();
  for (i = 0; i < 50; i++) {
    ck_assert_int_eq(pipe2(p, O_NONBLOCK), 0);
    total = 0;
    while ((r = write(p[1], out, sizeof out)) > 0)
      total += (size_t)r;
    ck_assert_int_eq(errno, EAGAIN);
    ck_assert_int_eq(close(p[1]), 0);
    if (i & 1) {                /* the reader takes everything */
      ck_assert_int_eq(fcntl(p[0], F_SETFL, 0), 0);
      got = 0;
      while ((r = read(p[0], in, sizeof in)) > 0)
        got += (size_t)r;
      ck_assert_int_eq(r, 0);
      ck_assert_uint_eq(got, total);
    }                           /* else the reader goes with data unread */
    ck_assert_int_eq(close(p[0]), 0);
  }
  ASSERT_NO_GROWTH(base);
}
END_TEST

START_TEST(leak_poll)
{
  struct pollfd pf[2];
  int p[2], i;
  long base;
  char c;

  pipe_round();
  base = test_open_count();
  for (i = 0; i < 100; i++) {
    ck_assert_int_eq(pipe(p), 0);
    pf[0].fd = p[0];
    pf[0].events = POLLIN;
    pf[1].fd = p[1];
    pf[1].events = POLLOUT;
    ck_assert_int_eq(poll(pf, 1, 0), 0);          /* arms a wait, then gives up */
    ck_assert_int_eq(poll(pf + 1, 1, 0), 1);
    ck_assert_int_eq(write(p[1], "x", 1), 1);
    ck_assert_int_eq(poll(pf, 2, 1000), 2);
    ck_assert_int_eq(read(p[0], &c, 1), 1);
    if (i & 1)
      ck_assert_int_eq(poll(pf, 1, 1), 0);        /* a wait left armed at close */
    close(p[0]);
    close(p[1]);
  }
  ASSERT_NO_GROWTH(base);
}
END_TEST

IPCX_TEST_HELPER(leak_echo)
{
  char buf[256];
  ssize_t n;

  (void)argc, (void)argv;
  while ((n = read(0, buf, sizeof buf)) > 0)
    if (test_write_all(1, buf, (size_t)n) < 0)
      return 1;
  return n < 0 ? 2 : 0;
}

/* Children spawned with pipes and waited for: their process handles and
 * the pipe ends given to them are gone. */
START_TEST(leak_spawn)
{
  char *argv[] = { (char *)test_self, "--helper", "leak_echo", NULL };
  posix_spawn_file_actions_t fa;
  int in[2], out[2], i, status;
  char buf[16];
  pid_t pid;
  long base;

  pipe_round();
  base = test_open_count();
  for (i = 0; i < 10; i++) {
    ck_assert_int_eq(pipe2(in, O_CLOEXEC), 0);
    ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
    ck_assert_int_eq(posix_spawn_file_actions_init(&fa), 0);
    ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, in[0], 0), 0);
    ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, out[1], 1), 0);
    ck_assert_int_eq(posix_spawn(&pid, test_self, &fa, NULL, argv, NULL), 0);
    ck_assert_int_eq(posix_spawn_file_actions_destroy(&fa), 0);
    close(in[0]);
    close(out[1]);
    ck_assert_int_eq(write(in[1], "echo", 4), 4);
    close(in[1]);
    ck_assert_int_eq(test_read_all(out[0], buf, 4), 4);
    ck_assert_int_eq(memcmp(buf, "echo", 4), 0);
    ck_assert_int_eq(read(out[0], buf, sizeof buf), 0);
    close(out[0]);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
  }
  /* A spawn that fails leaves nothing behind either (under valgrind an exec
   * that fails is not reported: wine-tests/valgrind.sh). */
  for (i = 0; i < 20 && getenv("IPCX_TEST_VALGRIND") == NULL; i++) {
    char *bad[] = { "no-such-program", NULL };
    ck_assert_int_ne(posix_spawn(&pid, "/ipcx/no/such/program", NULL, NULL, bad, NULL), 0);
  }
  ASSERT_NO_GROWTH(base);
}
END_TEST

START_TEST(leak_fifo)
{
  char path[256];
  int i, r, w;
  long base;
  char c;

  test_path(path, sizeof path, "leak-fifo");
  pipe_round();
  base = test_open_count();
  for (i = 0; i < 50; i++) {
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    r = open(path, O_RDONLY | O_NONBLOCK);
    ck_assert_int_ge(r, 0);
    w = open(path, O_WRONLY);
    ck_assert_int_ge(w, 0);
    ck_assert_int_eq(write(w, "f", 1), 1);
    ck_assert_int_eq(fcntl(r, F_SETFL, 0), 0);
    ck_assert_int_eq(read(r, &c, 1), 1);
    ck_assert_int_eq(close(w), 0);
    ck_assert_int_eq(read(r, &c, 1), 0);
    ck_assert_int_eq(close(r), 0);
    ck_assert_int_eq(unlink(path), 0);
  }
  ASSERT_NO_GROWTH(base);
}
END_TEST

START_TEST(leak_socketpairs)
{
  int sv[2], i;
  long base;
  char c;

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  close(sv[0]);
  close(sv[1]);
  base = test_open_count();
  for (i = 0; i < 300; i++) {
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(write(sv[i & 1], "s", 1), 1);
    ck_assert_int_eq(read(sv[!(i & 1)], &c, 1), 1);
    if (i & 2)
      ck_assert_int_eq(shutdown(sv[0], SHUT_WR), 0);
    ck_assert_int_eq(close(sv[0]), 0);
    ck_assert_int_eq(close(sv[1]), 0);
  }
  ASSERT_NO_GROWTH(base);
}
END_TEST

/* Record pairs, and datagram sockets bound, sent to and closed (each bound
 * one is a mailbox with a relay thread on Windows). */
START_TEST(leak_records)
{
  struct sockaddr_un a;
  char path[256], c[4];
  int sv[2], i, s, u;
  long base;

  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  test_path(path, sizeof path, "leak-dg");
  memcpy(a.sun_path, path, strlen(path));
  base = test_open_count();
  for (i = 0; i < 200; i++) {
    ck_assert_int_eq(socketpair(AF_UNIX, (i & 1) ? SOCK_DGRAM : SOCK_SEQPACKET, 0, sv), 0);
    ck_assert_int_eq(send(sv[0], "r", 1, 0), 1);
    ck_assert_int_eq(recv(sv[1], c, sizeof c, 0), 1);
    ck_assert_int_eq(close(sv[0]), 0);
    ck_assert_int_eq(close(sv[1]), 0);
    s = socket(AF_UNIX, SOCK_DGRAM, 0);
    u = socket(AF_UNIX, SOCK_DGRAM, 0);
    ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(sendto(u, "d", 1, 0, (struct sockaddr *)&a, sizeof a), 1);
    ck_assert_int_eq(recv(s, c, sizeof c, 0), 1);
    if (i & 1)
      ck_assert_int_eq(sendto(u, "left", 4, 0, (struct sockaddr *)&a, sizeof a), 4);  /* unread */
    ck_assert_int_eq(close(s), 0);
    ck_assert_int_eq(close(u), 0);
    ck_assert_int_eq(unlink(path), 0);
  }
  ASSERT_NO_GROWTH(base);
}
END_TEST

/* A listener, clients that connect, talk and go, and connects that fail. */
START_TEST(leak_sockets)
{
  struct sockaddr_un a, none;
  char path[108], nopath[108], c;
  int lsn, cl, s, i;
  long base;

  test_path(path, sizeof path, "leak-sock");
  test_path(nopath, sizeof nopath, "leak-nosock");
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
  none = a;
  snprintf(none.sun_path, sizeof none.sun_path, "%s", nopath);
  pipe_round();
  base = test_open_count();
  lsn = socket(AF_UNIX, SOCK_STREAM, 0);
  ck_assert_int_ge(lsn, 0);
  ck_assert_int_eq(bind(lsn, (struct sockaddr *)&a, sizeof a), 0);
  ck_assert_int_eq(listen(lsn, 8), 0);
  for (i = 0; i < 200; i++) {
    cl = socket(AF_UNIX, SOCK_STREAM, 0);
    ck_assert_int_ge(cl, 0);
    ck_assert_int_eq(connect(cl, (struct sockaddr *)&a, sizeof a), 0);
    s = accept(lsn, NULL, NULL);
    ck_assert_int_ge(s, 0);
    ck_assert_int_eq(write(cl, "c", 1), 1);
    ck_assert_int_eq(read(s, &c, 1), 1);
    ck_assert_int_eq(close(i & 1 ? s : cl), 0);
    ck_assert_int_eq(close(i & 1 ? cl : s), 0);
    cl = socket(AF_UNIX, SOCK_STREAM, 0);
    ck_assert_int_eq(connect(cl, (struct sockaddr *)&none, sizeof none), -1);
    ck_assert_int_eq(errno, ENOENT);
    ck_assert_int_eq(close(cl), 0);
  }
  ck_assert_int_eq(close(lsn), 0);
  ck_assert_int_eq(unlink(path), 0);
  ASSERT_NO_GROWTH(base);
}
END_TEST

/* stdio streams on pipes and sockets (fdopen, fprintf, fgets, fclose). */
START_TEST(leak_stdio)
{
  char line[64];
  FILE *in, *out;
  int p[2], i;
  long base;

  pipe_round();
  base = test_open_count();
  for (i = 0; i < 100; i++) {
    ck_assert_int_eq(i & 1 ? socketpair(AF_UNIX, SOCK_STREAM, 0, p) : pipe(p), 0);
    out = fdopen(p[1], "w");
    ck_assert_ptr_nonnull(out);
    in = fdopen(p[0], "r");
    ck_assert_ptr_nonnull(in);
    ck_assert_int_gt(fprintf(out, "line %d\n", i), 0);
    ck_assert_int_eq(fclose(out), 0);
    ck_assert_ptr_nonnull(fgets(line, sizeof line, in));
    ck_assert_int_eq(atoi(line + 5), i);
    ck_assert_ptr_null(fgets(line, sizeof line, in));   /* EOF */
    ck_assert_int_eq(fclose(in), 0);
  }
  ASSERT_NO_GROWTH(base);
}
END_TEST

Suite *suite_leaks(void)
{
  Suite *s = suite_create("leaks");
  TCase *tc = test_tcase("leaks");

  tcase_add_test(tc, leak_pipes);
  tcase_add_test(tc, leak_dup_dup2_fcntl);
  tcase_add_test(tc, leak_failed_calls);
  tcase_add_test(tc, leak_threads);
  tcase_add_test(tc, leak_pending_writes);
  tcase_add_test(tc, leak_poll);
  tcase_add_test(tc, leak_spawn);
  tcase_add_test(tc, leak_fifo);
  tcase_add_test(tc, leak_socketpairs);
  tcase_add_test(tc, leak_records);
  tcase_add_test(tc, leak_sockets);
  tcase_add_test(tc, leak_stdio);
  suite_add_tcase(s, tc);
  return s;
}
