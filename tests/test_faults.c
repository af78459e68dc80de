/*
 * Faults: the other end goes away at a bad moment, or the process runs out
 * of fds.  The survivor must get EOF, EPIPE or ECONNRESET (never a hang),
 * keep every byte that was sent before the fault, and carry on.
 */
#include "ipcx_test.h"
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#ifndef _WIN32
# include <sys/resource.h>
#endif

/* The byte at position i of every test stream. */
static unsigned char stream_byte(unsigned long long i)
{
  return (unsigned char)((i * 7 + (i >> 8) * 13 + (i >> 16)) & 0xff);
}

static void stream_fill(unsigned char *buf, size_t n, unsigned long long pos)
{
  size_t i;

  for (i = 0; i < n; i++)
    buf[i] = stream_byte(pos + i);
}

/* Index of the first byte of buf that is not the stream at pos, or n. */
static size_t stream_check(const unsigned char *buf, size_t n, unsigned long long pos)
{
  size_t i;

  for (i = 0; i < n; i++)
    if (buf[i] != stream_byte(pos + i))
      return i;
  return n;
}

/* --- helpers: the peer processes ---------------------------------------- */

/* Write the test stream to stdout until an error. */
IPCX_TEST_HELPER(fault_source)
{
  unsigned char buf[4096];
  unsigned long long pos = 0;

  (void)argc, (void)argv;
  for (;;) {
    stream_fill(buf, sizeof buf, pos);
    if (test_write_all(1, buf, sizeof buf) < 0)
      return 0;
    pos += sizeof buf;
  }
}

/* Read stdin until EOF or an error, checking the stream. */
IPCX_TEST_HELPER(fault_sink)
{
  unsigned char buf[4096];
  unsigned long long pos = 0;
  ssize_t n;

  (void)argc, (void)argv;
  while ((n = read(0, buf, sizeof buf)) > 0) {
    if (stream_check(buf, (size_t)n, pos) != (size_t)n)
      return 3;
    pos += (unsigned long long)n;
  }
  return 0;
}

/* Spawn a helper with its stdin or stdout on a new pipe; returns our end. */
static int spawn_with_pipe(const char *helper, int child_fd, pid_t *pid)
{
  char *argv[] = { (char *)test_self, "--helper", (char *)helper, NULL };
  posix_spawn_file_actions_t fa;
  int p[2], mine, theirs;

  ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
  mine = child_fd == 0 ? p[1] : p[0];
  theirs = child_fd == 0 ? p[0] : p[1];
  ck_assert_int_eq(posix_spawn_file_actions_init(&fa), 0);
  ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, theirs, child_fd), 0);
  ck_assert_int_eq(posix_spawn(pid, test_self, &fa, NULL, argv, NULL), 0);
  posix_spawn_file_actions_destroy(&fa);
  close(theirs);
  return mine;
}

static unsigned seed_state = 12345;

static unsigned next_rand(void)
{
  seed_state = seed_state * 1103515245u + 12345u;
  return (seed_state >> 8) & 0xffffff;
}

/* --- pipes ------------------------------------------------------------- */

struct blocked_writer {
  int fd;
  size_t written;
  int err;
};

static void *write_until_error(void *arg)
{
  struct blocked_writer *w = arg;
  static unsigned char buf[16384];
  ssize_t r;

  memset(buf, 'f', sizeof buf);
  for (;;) {
    r = write(w->fd, buf, sizeof buf);
    if (r < 0) {
      w->err = errno;
      return NULL;
    }
    w->written += (size_t)r;
  }
}

/* A writer blocked on a full pipe is woken with EPIPE when the reader goes. */
START_TEST(fault_full_pipe_reader_closes)
{
  struct blocked_writer w = { -1, 0, 0 };
  pthread_t t;
  int p[2];

  ck_assert_int_eq(pipe(p), 0);
  w.fd = p[1];
  ck_assert_int_eq(pthread_create(&t, NULL, write_until_error, &w), 0);
  test_sleep_ms(200);           /* the pipe fills, the writer blocks */
  ck_assert_int_eq(close(p[0]), 0);
  ck_assert_int_eq(pthread_join(t, NULL), 0);
  ck_assert_int_eq(w.err, EPIPE);
  ck_assert_uint_ge(w.written, 4096);
  errno = 0;
  ck_assert_int_eq(write(p[1], "x", 1), -1);
  ck_assert_int_eq(errno, EPIPE);
  close(p[1]);
}
END_TEST

/* The same with the reader in a child process that is killed. */
START_TEST(fault_full_pipe_reader_killed)
{
  char *argv[] = { (char *)test_self, "--helper", "exit", "0", NULL };
  struct blocked_writer w = { -1, 0, 0 };
  posix_spawn_file_actions_t fa;
  pthread_t t;
  pid_t pid;
  int p[2], status;

  /* A child that holds the read end and never reads: it sleeps in a blocking
   * read of its own stdin (fd 0 is the read end of a second pipe). */
  int hold[2];
  ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
  ck_assert_int_eq(pipe2(hold, O_CLOEXEC), 0);
  argv[2] = "fault_hold";
  argv[3] = NULL;
  ck_assert_int_eq(posix_spawn_file_actions_init(&fa), 0);
  ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, hold[0], 0), 0);
  ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, p[0], 3), 0);
  ck_assert_int_eq(posix_spawn(&pid, test_self, &fa, NULL, argv, NULL), 0);
  posix_spawn_file_actions_destroy(&fa);
  close(p[0]);
  close(hold[0]);
  w.fd = p[1];
  ck_assert_int_eq(pthread_create(&t, NULL, write_until_error, &w), 0);
  test_sleep_ms(300);
  ck_assert_int_eq(kill(pid, SIGKILL), 0);
  ck_assert_int_eq(pthread_join(t, NULL), 0);
  ck_assert_int_eq(w.err, EPIPE);
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ck_assert(WIFSIGNALED(status));
  ck_assert_int_eq(WTERMSIG(status), SIGKILL);
  close(p[1]);
  close(hold[1]);
}
END_TEST

/* Holds fd 3 (a pipe's read end) and waits for EOF on stdin. */
IPCX_TEST_HELPER(fault_hold)
{
  char c;

  (void)argc, (void)argv;
  while (read(0, &c, 1) > 0)
    ;
  return 0;
}

/* A writer killed at random points: the reader gets every byte it wrote, in
 * order, then EOF; never a hang. */
START_TEST(fault_writer_killed)
{
  static unsigned char buf[65536];
  unsigned long long pos;
  size_t want, ok;
  int round, fd, status;
  pid_t pid;
  ssize_t n;

  for (round = 0; round < 8; round++) {
    fd = spawn_with_pipe("fault_source", 1, &pid);
    want = (size_t)(next_rand() % 300000) + (round == 0 ? 0 : 1);
    pos = 0;
    while (pos < want) {
      n = read(fd, buf, sizeof buf);
      ck_assert_int_gt(n, 0);
      ok = stream_check(buf, (size_t)n, pos);
      ck_assert_uint_eq(ok, (size_t)n);
      pos += (unsigned long long)n;
    }
    ck_assert_int_eq(kill(pid, SIGKILL), 0);
    /* What was in the pipe before the kill still comes out, then EOF. */
    while ((n = read(fd, buf, sizeof buf)) > 0) {
      ok = stream_check(buf, (size_t)n, pos);
      ck_assert_uint_eq(ok, (size_t)n);
      pos += (unsigned long long)n;
    }
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFSIGNALED(status));
    close(fd);
  }
}
END_TEST

/* A reader killed at random points: the writer gets EPIPE, never a hang. */
START_TEST(fault_reader_killed)
{
  static unsigned char buf[8192];
  unsigned long long pos;
  size_t want;
  int round, fd, status;
  pid_t pid;
  ssize_t n;

  for (round = 0; round < 8; round++) {
    fd = spawn_with_pipe("fault_sink", 0, &pid);
    want = (size_t)(next_rand() % 300000);
    pos = 0;
    while (pos < want) {
      stream_fill(buf, sizeof buf, pos);
      ck_assert_int_eq(test_write_all(fd, buf, sizeof buf), (ssize_t)sizeof buf);
      pos += sizeof buf;
    }
    ck_assert_int_eq(kill(pid, SIGKILL), 0);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFSIGNALED(status));
    /* The reader is gone: EPIPE at once, whatever the pipe still holds. */
    stream_fill(buf, sizeof buf, pos);
    errno = 0;
    n = write(fd, buf, sizeof buf);
    ck_assert_int_eq(n, -1);
    ck_assert_int_eq(errno, EPIPE);
    close(fd);
  }
}
END_TEST

/* --- fd exhaustion ----------------------------------------------------- */

/*
 * Open pipes until the process has no fd left: EMFILE (never a crash, never
 * another errno), then close one and open again.  Linux gets a low limit so
 * that this is quick; Windows has the C runtime's own table (no setrlimit).
 */
START_TEST(fault_fd_exhaustion)
{
  static int fds[20000];
  int n = 0, i, p[2], err = 0, d;
#ifndef _WIN32
  struct rlimit old, low;

  ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
  low = old;
  low.rlim_cur = 512;
  ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
#endif
  while (n + 2 <= (int)(sizeof fds / sizeof fds[0])) {
    if (pipe(p) < 0) {
      err = errno;
      break;
    }
    fds[n++] = p[0];
    fds[n++] = p[1];
  }
  ck_assert_int_eq(err, EMFILE);
  ck_assert_int_gt(n, 100);
  /* Out of fds: dup() and open() say EMFILE too, and nothing breaks. */
  errno = 0;
  d = dup(fds[0]);
  if (d >= 0)                   /* the pipe took two: one may have been left */
    fds[n++] = d;
  else
    ck_assert_int_eq(errno, EMFILE);
  errno = 0;
  ck_assert_int_eq(pipe(p), -1);
  ck_assert_int_eq(errno, EMFILE);
  /* Every pipe still works. */
  ck_assert_int_eq(write(fds[1], "e", 1), 1);
  {
    char c;
    ck_assert_int_eq(read(fds[0], &c, 1), 1);
  }
  /* Recovery: free two fds, and a pipe can be made again. */
  ck_assert_int_eq(close(fds[n - 1]), 0);
  ck_assert_int_eq(close(fds[n - 2]), 0);
  n -= 2;
  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(write(p[1], "r", 1), 1);
  {
    char c;
    ck_assert_int_eq(read(p[0], &c, 1), 1);
    ck_assert_int_eq(c, 'r');
  }
  close(p[0]);
  close(p[1]);
  for (i = 0; i < n; i++)
    ck_assert_int_eq(close(fds[i]), 0);
#ifndef _WIN32
  ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
#endif
}
END_TEST

/* --- sockets ----------------------------------------------------------- */

/* Connect to argv[0], read the stream from the server until killed. */
IPCX_TEST_HELPER(fault_sock_client)
{
  struct sockaddr_un a;
  unsigned char buf[4096];
  unsigned long long pos = 0;
  ssize_t n;
  int fd;

  if (argc < 1)
    return 2;
  fd = socket(AF_UNIX, SOCK_STREAM, 0);
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  snprintf(a.sun_path, sizeof a.sun_path, "%s", argv[0]);
  if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
    return 3;
  if (write(fd, "hi", 2) != 2)
    return 4;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    if (stream_check(buf, (size_t)n, pos) != (size_t)n)
      return 5;
    pos += (unsigned long long)n;
  }
  return 0;
}

/* A server whose client is killed at random points gets EPIPE or
 * ECONNRESET, never a hang, and accepts the next client. */
START_TEST(fault_sock_client_killed)
{
  static unsigned char buf[8192];
  struct sockaddr_un a;
  char path[108], hi[2];
  int lsn, s, round, status;
  unsigned long long pos;
  size_t want;
  pid_t pid;
  ssize_t n;

  test_path(path, sizeof path, "fault-sock");
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
  lsn = socket(AF_UNIX, SOCK_STREAM, 0);
  ck_assert_int_ge(lsn, 0);
  ck_assert_int_eq(bind(lsn, (struct sockaddr *)&a, sizeof a), 0);
  ck_assert_int_eq(listen(lsn, 4), 0);
  for (round = 0; round < 6; round++) {
    char *argv[] = { (char *)test_self, "--helper", "fault_sock_client", path, NULL };
    ck_assert_int_eq(posix_spawn(&pid, test_self, NULL, NULL, argv, NULL), 0);
    s = accept(lsn, NULL, NULL);
    ck_assert_int_ge(s, 0);
    ck_assert_int_eq(test_read_all(s, hi, 2), 2);
    want = (size_t)(next_rand() % 300000);
    for (pos = 0; pos < want; pos += sizeof buf) {
      stream_fill(buf, sizeof buf, pos);
      ck_assert_int_eq(test_write_all(s, buf, sizeof buf), (ssize_t)sizeof buf);
    }
    ck_assert_int_eq(kill(pid, SIGKILL), 0);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    errno = 0;
    n = send(s, buf, sizeof buf, MSG_NOSIGNAL);
    if (n >= 0)                 /* Linux may take one more buffer; then it fails */
      n = send(s, buf, sizeof buf, MSG_NOSIGNAL);
    ck_assert_int_eq(n, -1);
    ck_assert_msg(errno == EPIPE || errno == ECONNRESET, "errno %d", errno);
    close(s);
  }
  close(lsn);
  unlink(path);
}
END_TEST

/* A listener killed and restarted on the same path: the stale file keeps the
 * name (EADDRINUSE) until unlink, as on Linux. */
IPCX_TEST_HELPER(fault_listener)
{
  struct sockaddr_un a;
  char c;
  int fd;

  if (argc < 1)
    return 2;
  fd = socket(AF_UNIX, SOCK_STREAM, 0);
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  snprintf(a.sun_path, sizeof a.sun_path, "%s", argv[0]);
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 4) < 0)
    return 3;
  if (write(1, "L", 1) != 1)
    return 4;
  while (read(0, &c, 1) > 0)    /* until killed */
    ;
  return 0;
}

START_TEST(fault_listener_killed_and_restarted)
{
  char *argv[] = { (char *)test_self, "--helper", "fault_listener", NULL, NULL };
  posix_spawn_file_actions_t fa;
  struct sockaddr_un a;
  char path[108], c;
  int in[2], out[2], fd, status;
  pid_t pid;

  test_path(path, sizeof path, "fault-lsn");
  argv[3] = path;
  ck_assert_int_eq(pipe2(in, O_CLOEXEC), 0);
  ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
  ck_assert_int_eq(posix_spawn_file_actions_init(&fa), 0);
  ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, in[0], 0), 0);
  ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, out[1], 1), 0);
  ck_assert_int_eq(posix_spawn(&pid, test_self, &fa, NULL, argv, NULL), 0);
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  close(out[1]);
  ck_assert_int_eq(read(out[0], &c, 1), 1);
  ck_assert_int_eq(c, 'L');
  ck_assert_int_eq(kill(pid, SIGKILL), 0);
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  close(in[1]);
  close(out[0]);

  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
  fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ck_assert_int_ge(fd, 0);
  errno = 0;                    /* nobody listens: refused */
  ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof a), -1);
  ck_assert_int_eq(errno, ECONNREFUSED);
  close(fd);
  fd = socket(AF_UNIX, SOCK_STREAM, 0);
  errno = 0;                    /* the stale file holds the name */
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), -1);
  ck_assert_int_eq(errno, EADDRINUSE);
  ck_assert_int_eq(unlink(path), 0);
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
  ck_assert_int_eq(listen(fd, 4), 0);
  {
    int cl = socket(AF_UNIX, SOCK_STREAM, 0), s;
    ck_assert_int_eq(connect(cl, (struct sockaddr *)&a, sizeof a), 0);
    s = accept(fd, NULL, NULL);
    ck_assert_int_ge(s, 0);
    ck_assert_int_eq(write(cl, "n", 1), 1);
    ck_assert_int_eq(read(s, &c, 1), 1);
    ck_assert_int_eq(c, 'n');
    close(s);
    close(cl);
  }
  close(fd);
  unlink(path);
}
END_TEST

Suite *suite_faults(void)
{
  Suite *s = suite_create("faults");
  TCase *tc = test_tcase("faults");

  tcase_add_test(tc, fault_full_pipe_reader_closes);
  tcase_add_test(tc, fault_full_pipe_reader_killed);
  tcase_add_test(tc, fault_writer_killed);
  tcase_add_test(tc, fault_reader_killed);
  tcase_add_test(tc, fault_fd_exhaustion);
  tcase_add_test(tc, fault_sock_client_killed);
  tcase_add_test(tc, fault_listener_killed_and_restarted);
  suite_add_tcase(s, tc);
  return s;
}
