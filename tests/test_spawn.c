/*
 * posix_spawn(), posix_spawnp(), waitpid(), kill(): a child that talks to
 * its parent over pipes, its argv, environment, fds and exit status.
 * The children are this runner itself (`--helper NAME`).
 */
#include "ipcx_test.h"
#include <poll.h>
#include <stdint.h>
#include <spawn.h>
#include <sys/wait.h>

#ifdef _WIN32
/* A child that knows nothing of ipcx: the CRT's own calls, not the compat/
 * renames (on Linux these are the same system calls). */
# include <io.h>
# define crt_read(fd, b, n) _read(fd, b, (unsigned)(n))
# define crt_write(fd, b, n) _write(fd, b, (unsigned)(n))
#else
# define crt_read read
# define crt_write write
#endif

extern char **environ;

/* --- helpers (the child side) ----------------------------------------- */

/* Copy fd `in` to fd `out` until EOF. */
static int copy(int in, int out)
{
  char buf[8192];
  ssize_t n;

  while ((n = read(in, buf, sizeof buf)) > 0)
    if (test_write_all(out, buf, (size_t)n) < 0)
      return 1;
  return n < 0 ? 2 : 0;
}

/* The access mode of fds 0 and 1 (pipes), and what the wrong direction gives. */
IPCX_TEST_HELPER(spawn_modes)
{
  char line[64], c = 'x';
  int r0 = fcntl(0, F_GETFL) & O_ACCMODE, r1 = fcntl(1, F_GETFL) & O_ACCMODE;
  int w0 = (int)write(0, &c, 1), e0 = errno;

  (void)argc, (void)argv;
  snprintf(line, sizeof line, "%s %s %s\n", r0 == O_RDONLY ? "rdonly" : "other",
           r1 == O_WRONLY ? "wronly" : "other", w0 < 0 && e0 == EBADF ? "EBADF" : "wrote");
  return test_write_all(1, line, strlen(line)) < 0;
}

/* The inherited pipes are pollable and can be made nonblocking: wait for
 * stdin with poll(), read it nonblocking until EAGAIN, echo it once stdout
 * polls writable; then wait for POLLHUP on stdin. */
IPCX_TEST_HELPER(spawn_poller)
{
  struct pollfd p = { 0, POLLIN, 0 };
  char buf[256];
  ssize_t n, got = 0;

  (void)argc, (void)argv;
  if (fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK) < 0)
    return 10;
  if (read(0, buf, sizeof buf) != -1 || errno != EAGAIN)
    return 11;                  /* nothing has been sent yet */
  if (write(1, "R", 1) != 1)    /* ready: now send */
    return 18;
  if (poll(&p, 1, 20000) != 1 || !(p.revents & POLLIN))
    return 12;
  while ((n = read(0, buf + got, sizeof buf - (size_t)got)) > 0)
    got += n;
  if (n != -1 || errno != EAGAIN)
    return 13;
  p.fd = 1;
  p.events = POLLOUT;
  if (poll(&p, 1, 20000) != 1 || !(p.revents & POLLOUT))
    return 14;
  if (test_write_all(1, buf, (size_t)got) < 0)
    return 15;
  close(1);
  p.fd = 0;
  p.events = POLLIN;
  if (poll(&p, 1, 20000) != 1 || !(p.revents & POLLHUP))
    return 16;
  return read(0, buf, sizeof buf) == 0 ? 0 : 17;
}

/* Dies of a bad memory access. */
IPCX_TEST_HELPER(spawn_crash)
{
  volatile uintptr_t bad = 16;  /* not NULL: UBSan would report a NULL store first */

  (void)argc, (void)argv;
  *(volatile int *)bad = 1;
  return 0;
}

/* Write argv[1] to the fd numbered argv[0] (inherited, not dup2'd). */
IPCX_TEST_HELPER(spawn_write_to)
{
  int fd = argc > 1 ? atoi(argv[0]) : -1;

  if (fcntl(fd, F_GETFD) != 0)  /* open, and not close-on-exec */
    return 1;
  return test_write_all(fd, argv[1], strlen(argv[1])) < 0 ? 2 : 0;
}

/* Each argument followed by a NUL byte, on stdout. */
IPCX_TEST_HELPER(spawn_argv)
{
  int i;

  for (i = 0; i < argc; i++)
    if (test_write_all(1, argv[i], strlen(argv[i]) + 1) < 0)
      return 1;
  return 0;
}

/* For each name: "name=value\n" or "name!\n" when unset. */
IPCX_TEST_HELPER(spawn_env)
{
  char line[512];
  int i;

  for (i = 0; i < argc; i++) {
    const char *v = getenv(argv[i]);
    if (v != NULL)
      snprintf(line, sizeof line, "%s=%s\n", argv[i], v);
    else
      snprintf(line, sizeof line, "%s!\n", argv[i]);
    if (test_write_all(1, line, strlen(line)) < 0)
      return 1;
  }
  return 0;
}

/* Copy fd 3 to fd 4 until EOF, then report on stdout how many of the fds
 * named in argv (the parent's close-on-exec pipe ends) are open: none
 * should be. */
IPCX_TEST_HELPER(spawn_fd34)
{
  char line[32];
  int i, open_fds = 0, r;

  r = copy(3, 4);
  close(4);
  for (i = 0; i < argc; i++)
    open_fds += fcntl(atoi(argv[i]), F_GETFD) >= 0;
  snprintf(line, sizeof line, "%d\n", open_fds);
  test_write_all(1, line, strlen(line));
  return r;
}

/* The plain CRT child: stdin to stdout and to fd 3, with the CRT's calls. */
IPCX_TEST_HELPER(spawn_crt)
{
  char buf[4096];
  int n;

  (void)argc, (void)argv;
  while ((n = (int)crt_read(0, buf, sizeof buf)) > 0) {
    if ((int)crt_write(1, buf, n) != n || (int)crt_write(3, buf, n) != n)
      return 1;
  }
  return n < 0 ? 2 : 0;
}

/* --- parent side ------------------------------------------------------ */

/* Spawn the runner as helper `name` with its stdin from *in and stdout to
 * *out (each -1: none; else the parent's end is returned there).  The pipes
 * are close-on-exec, so only the dup2'd ends reach the child. */
static pid_t spawn_helper(const char *name, char *const args[], int *in, int *out)
{
  posix_spawn_file_actions_t fa;
  char *argv[16];
  int pin[2] = { -1, -1 }, pout[2] = { -1, -1 }, i, r;
  pid_t pid = -1;

  argv[0] = (char *)test_self;
  argv[1] = "--helper";
  argv[2] = (char *)name;
  for (i = 0; args != NULL && args[i] != NULL && i < 12; i++)
    argv[3 + i] = args[i];
  argv[3 + i] = NULL;
  ck_assert_int_eq(posix_spawn_file_actions_init(&fa), 0);
  if (in != NULL) {
    ck_assert_int_eq(pipe2(pin, O_CLOEXEC), 0);
    ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, pin[0], 0), 0);
  }
  if (out != NULL) {
    ck_assert_int_eq(pipe2(pout, O_CLOEXEC), 0);
    ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, pout[1], 1), 0);
  }
  r = posix_spawn(&pid, test_self, &fa, NULL, argv, environ);
  ck_assert_int_eq(r, 0);
  posix_spawn_file_actions_destroy(&fa);
  if (in != NULL) {
    close(pin[0]);
    *in = pin[1];
  }
  if (out != NULL) {
    close(pout[1]);
    *out = pout[0];
  }
  return pid;
}

/* Read until EOF into buf (at most size bytes); the count. */
static size_t read_to_eof(int fd, char *buf, size_t size)
{
  size_t got = 0;
  ssize_t n;

  while (got < size && (n = read(fd, buf + got, size - got)) > 0)
    got += (size_t)n;
  return got;
}

static int wait_status(pid_t pid)
{
  int status = -1;

  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  return status;
}

START_TEST(spawn_roundtrip)
{
  char buf[64];
  int in, out, status;
  pid_t pid = spawn_helper("cat", NULL, &in, &out);

  ck_assert_int_gt(pid, 0);
  ck_assert_int_eq(write(in, "hello child\n", 12), 12);
  ck_assert_int_eq(test_read_all(out, buf, 12), 12);
  ck_assert_int_eq(memcmp(buf, "hello child\n", 12), 0);
  ck_assert_int_eq(close(in), 0);
  ck_assert_int_eq(read(out, buf, sizeof buf), 0);     /* the child saw EOF and left */
  status = wait_status(pid);
  ck_assert(WIFEXITED(status));
  ck_assert_int_eq(WEXITSTATUS(status), 0);
  close(out);
}
END_TEST

struct feeder {
  int fd;
  const unsigned char *buf;
  size_t n;
  ssize_t r;
};

static void *feed(void *arg)
{
  struct feeder *f = arg;

  f->r = test_write_all(f->fd, f->buf, f->n);
  close(f->fd);
  return NULL;
}

/* The child sees its pipe ends with the same direction as the parent. */
START_TEST(spawn_pipe_directions)
{
  char buf[64];
  int in, out;
  size_t got;
  pid_t pid = spawn_helper("spawn_modes", NULL, &in, &out);

  got = read_to_eof(out, buf, sizeof buf - 1);
  buf[got] = 0;
  ck_assert_str_eq(buf, "rdonly wronly EBADF\n");
  ck_assert_int_eq(WEXITSTATUS(wait_status(pid)), 0);
  close(in);
  close(out);
}
END_TEST

/* A child (using ipcx on Windows) polls and reads its inherited pipes
 * nonblocking, as a Linux child does. */
START_TEST(spawn_child_polls_inherited_pipes)
{
  char buf[64];
  int in, out;
  pid_t pid = spawn_helper("spawn_poller", NULL, &in, &out);

  ck_assert_int_eq(test_read_all(out, buf, 1), 1);     /* it found stdin empty */
  ck_assert_int_eq(buf[0], 'R');
  test_sleep_ms(100);           /* let it block in poll() */
  ck_assert_int_eq(write(in, "poll me", 7), 7);
  ck_assert_uint_eq(read_to_eof(out, buf, sizeof buf), 7);
  ck_assert_int_eq(memcmp(buf, "poll me", 7), 0);
  close(in);
  ck_assert_int_eq(WEXITSTATUS(wait_status(pid)), 0);
  close(out);
}
END_TEST

/* A child killed by an access violation is WIFSIGNALED with SIGSEGV on
 * Windows too.  (Under Wine the crash report lands on the runner's stderr:
 * Wine writes it to its own Unix stderr.) */
START_TEST(spawn_crash_is_sigsegv)
{
  posix_spawn_file_actions_t fa;
  char *argv[] = { (char *)test_self, "--helper", "spawn_crash", NULL };
  char *env[256];
  int status, i, n = 0;
  pid_t pid;

  env[n++] = "ASAN_OPTIONS=handle_segv=0";     /* die of it, even in a sanitizer build */
  for (i = 0; environ[i] != NULL && n < 255; i++)
    env[n++] = environ[i];
  env[n] = NULL;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addclose(&fa, 2);    /* no crash message on Linux */
  ck_assert_int_eq(posix_spawn(&pid, test_self, &fa, NULL, argv, env), 0);
  posix_spawn_file_actions_destroy(&fa);
  status = wait_status(pid);
  ck_assert(WIFSIGNALED(status));
  ck_assert_int_eq(WTERMSIG(status), SIGSEGV);
}
END_TEST

START_TEST(spawn_one_mib_both_ways)
{
  size_t n = 1 << 20, i;
  unsigned char *src = malloc(n), *dst = malloc(n + 1);
  struct feeder f;
  pthread_t t;
  int in, out;
  pid_t pid = spawn_helper("cat", NULL, &in, &out);

  for (i = 0; i < n; i++)
    src[i] = (unsigned char)(i * 131 + (i >> 11));
  f.fd = in;
  f.buf = src;
  f.n = n;
  ck_assert_int_eq(pthread_create(&t, NULL, feed, &f), 0);
  ck_assert_uint_eq(read_to_eof(out, (char *)dst, n + 1), n);
  pthread_join(t, NULL);
  ck_assert_int_eq((int)f.r, (int)n);
  ck_assert(memcmp(src, dst, n) == 0);
  ck_assert_int_eq(WEXITSTATUS(wait_status(pid)), 0);
  close(out);
  free(src);
  free(dst);
}
END_TEST

START_TEST(spawn_argv_round_trip)
{
  static char *tricky[] = {
    "plain", "two words", "", "tab\there", "\"quoted\"", "in\"side", "back\\slash",
    "trailing\\", "trailing two\\\\", "\\\"", "*", NULL
  };
  char buf[1024], *p;
  int out, i;
  size_t got;
  pid_t pid = spawn_helper("spawn_argv", tricky, NULL, &out);

  got = read_to_eof(out, buf, sizeof buf);
  ck_assert_int_eq(WEXITSTATUS(wait_status(pid)), 0);
  for (i = 0, p = buf; tricky[i] != NULL; i++) {
    ck_assert_msg(p < buf + got, "argument %d missing", i);
    ck_assert_str_eq(p, tricky[i]);
    p += strlen(p) + 1;
  }
  ck_assert(p == buf + got);
  close(out);
}
END_TEST

START_TEST(spawn_environment)
{
  static char *env[] = { "IPCX_SPAWN_A=1", "IPCX_SPAWN_B=two words=x", "IPCX_SPAWN_E=", NULL };
  char *argv[] = { (char *)test_self, "--helper", "spawn_env", "IPCX_SPAWN_A", "IPCX_SPAWN_B",
                   "IPCX_SPAWN_E", "IPCX_SPAWN_PARENT", NULL };
  static char parent_var[] = "IPCX_SPAWN_PARENT=yes";
  posix_spawn_file_actions_t fa;
  char buf[512];
  int p[2];
  size_t got;
  pid_t pid;

  putenv(parent_var);           /* the child must not see it: envp is exact */
  ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, p[1], 1);
  ck_assert_int_eq(posix_spawn(&pid, test_self, &fa, NULL, argv, env), 0);
  posix_spawn_file_actions_destroy(&fa);
  close(p[1]);
  got = read_to_eof(p[0], buf, sizeof buf - 1);
  buf[got] = 0;
  ck_assert_str_eq(buf, "IPCX_SPAWN_A=1\nIPCX_SPAWN_B=two words=x\nIPCX_SPAWN_E=\n"
                        "IPCX_SPAWN_PARENT!\n");
  ck_assert_int_eq(WEXITSTATUS(wait_status(pid)), 0);
  close(p[0]);
}
END_TEST

START_TEST(spawn_fd3_fd4)
{
  posix_spawn_file_actions_t fa;
  char *argv[16] = { (char *)test_self, "--helper", "spawn_fd34" }, nums[6][12];
  int a[2], b[2], o[2], all[6], i, n = 3;
  char buf[64];
  size_t got;
  pid_t pid;

  ck_assert_int_eq(pipe2(a, O_CLOEXEC), 0);
  ck_assert_int_eq(pipe2(b, O_CLOEXEC), 0);
  ck_assert_int_eq(pipe2(o, O_CLOEXEC), 0);
  all[0] = a[0], all[1] = a[1], all[2] = b[0], all[3] = b[1], all[4] = o[0], all[5] = o[1];
  for (i = 0; i < 6; i++)
    if (all[i] > 4) {           /* 0..4 are the child's own */
      snprintf(nums[i], sizeof nums[i], "%d", all[i]);
      argv[n++] = nums[i];
    }
  argv[n] = NULL;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, a[0], 3);
  posix_spawn_file_actions_adddup2(&fa, b[1], 4);
  posix_spawn_file_actions_adddup2(&fa, o[1], 1);
  ck_assert_int_eq(posix_spawn(&pid, test_self, &fa, NULL, argv, environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  close(a[0]);
  close(b[1]);
  close(o[1]);
  ck_assert_int_eq(write(a[1], "via fd 3", 8), 8);
  close(a[1]);
  got = read_to_eof(b[0], buf, sizeof buf);
  ck_assert_uint_eq(got, 8);
  ck_assert_int_eq(memcmp(buf, "via fd 3", 8), 0);
  got = read_to_eof(o[0], buf, sizeof buf - 1);
  buf[got] = 0;
  ck_assert_str_eq(buf, "0\n");         /* nothing else reached the child */
  ck_assert_int_eq(WEXITSTATUS(wait_status(pid)), 0);
  close(b[0]);
  close(o[0]);
}
END_TEST

/* Is there nothing to read and no EOF on fd right now? */
static int still_open(int fd)
{
  char c;
  int fl = fcntl(fd, F_GETFL), r;

  fcntl(fd, F_SETFL, fl | O_NONBLOCK);
  r = (int)read(fd, &c, 1);
  fcntl(fd, F_SETFL, fl);
  ck_assert(r <= 0);
  return r < 0 && errno == EAGAIN;
}

/* A pipe's write end reaches a running child unless it is close-on-exec. */
static void check_cloexec(int flags, int expect_open)
{
  int p[2], in, i;
  pid_t pid;

  ck_assert_int_eq(pipe2(p, flags), 0);
  pid = spawn_helper("cat", NULL, &in, NULL);   /* runs until its stdin closes */
  ck_assert_int_eq(close(p[1]), 0);
  /* Linux releases the parent of a vfork a moment before the child's exec
   * closes its close-on-exec fds: give it time either way. */
  for (i = 0; i < 300 && still_open(p[0]) != expect_open; i++)
    test_sleep_ms(10);
  if (expect_open)
    test_sleep_ms(200);
  ck_assert_int_eq(still_open(p[0]), expect_open);
  close(in);
  ck_assert_int_eq(WEXITSTATUS(wait_status(pid)), 0);
  ck_assert_int_eq(still_open(p[0]), 0);       /* and the child's copy is gone with it */
  close(p[0]);
}

START_TEST(spawn_cloexec_pipe_sees_eof)
{
  check_cloexec(O_CLOEXEC, 0);
}
END_TEST

START_TEST(spawn_inherited_pipe_stays_open)
{
  check_cloexec(0, 1);
}
END_TEST

/* An fd without FD_CLOEXEC reaches the child at the same number. */
START_TEST(spawn_inherits_fd_at_same_number)
{
  char num[16], buf[64], *args[] = { num, "inherited", NULL };
  int p[2];
  pid_t pid;

  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(fcntl(p[0], F_SETFD, FD_CLOEXEC), 0);
  snprintf(num, sizeof num, "%d", p[1]);
  pid = spawn_helper("spawn_write_to", args, NULL, NULL);
  close(p[1]);
  ck_assert_uint_eq(read_to_eof(p[0], buf, sizeof buf), 9);
  ck_assert_int_eq(memcmp(buf, "inherited", 9), 0);
  ck_assert_int_eq(WEXITSTATUS(wait_status(pid)), 0);
  close(p[0]);
}
END_TEST

/* An inherited O_APPEND fd appends in the child too: another fd on the file
 * wrote past the shared offset, and the child's line goes after it. */
START_TEST(spawn_inherits_append)
{
  char path[256], num[16], buf[64], *args[] = { num, "child\n", NULL };
  int a, b, fd;

  test_path(path, sizeof path, "append-inherit");
  unlink(path);
  a = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
  b = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
  ck_assert_int_ge(a, 0);
  ck_assert_int_ge(b, 0);
  ck_assert_int_eq(write(a, "one\n", 4), 4);
  ck_assert_int_eq(write(b, "two\n", 4), 4);
  snprintf(num, sizeof num, "%d", a);
  ck_assert_int_eq(WEXITSTATUS(wait_status(spawn_helper("spawn_write_to", args, NULL, NULL))), 0);
  close(a);
  close(b);
  fd = open(path, O_RDONLY);
  ck_assert_int_ge(fd, 0);
  ck_assert_uint_eq(read_to_eof(fd, buf, sizeof buf), 14);
  ck_assert_int_eq(memcmp(buf, "one\ntwo\nchild\n", 14), 0);
  close(fd);
  unlink(path);
}
END_TEST

START_TEST(spawn_exit_statuses)
{
  static const int codes[] = { 0, 7, 255 };
  char arg[8], *args[] = { arg, NULL };
  int i, status;

  for (i = 0; i < 3; i++) {
    snprintf(arg, sizeof arg, "%d", codes[i]);
    status = wait_status(spawn_helper("exit", args, NULL, NULL));
    ck_assert(WIFEXITED(status));
    ck_assert(!WIFSIGNALED(status));
    ck_assert_int_eq(WEXITSTATUS(status), codes[i]);
  }
}
END_TEST

START_TEST(spawn_waitpid_nohang)
{
  int in, status = -1, i;
  char c;
  pid_t pid = spawn_helper("cat", NULL, &in, NULL), r = 0;

  ck_assert_int_eq(waitpid(pid, &status, WNOHANG), 0);         /* still running */
  ck_assert_int_eq(waitpid(-1, &status, WNOHANG), 0);
  close(in);
  for (i = 0; i < 1000 && (r = waitpid(pid, &status, WNOHANG)) == 0; i++)
    test_sleep_ms(10);
  ck_assert_int_eq(r, pid);
  ck_assert(WIFEXITED(status));
  ck_assert_int_eq(WEXITSTATUS(status), 0);
  errno = 0;
  ck_assert_int_eq(waitpid(pid, &status, WNOHANG), -1);        /* reaped: gone */
  ck_assert_int_eq(errno, ECHILD);
  (void)c;
}
END_TEST

START_TEST(spawn_waitpid_any)
{
  char *args7[] = { "7", NULL }, *args9[] = { "9", NULL };
  pid_t a = spawn_helper("exit", args7, NULL, NULL);
  pid_t b = spawn_helper("exit", args9, NULL, NULL);
  int status, seen = 0, i;
  pid_t r;

  for (i = 0; i < 2; i++) {
    r = waitpid(-1, &status, 0);
    ck_assert(r == a || r == b);
    ck_assert_int_eq(WEXITSTATUS(status), r == a ? 7 : 9);
    seen |= r == a ? 1 : 2;
  }
  ck_assert_int_eq(seen, 3);
  errno = 0;
  ck_assert_int_eq(waitpid(-1, &status, 0), -1);
  ck_assert_int_eq(errno, ECHILD);
}
END_TEST

START_TEST(spawn_waitpid_not_a_child)
{
  int status;

  errno = 0;
  ck_assert_int_eq(waitpid(getpid(), &status, 0), -1);
  ck_assert_int_eq(errno, ECHILD);
  errno = 0;
  ck_assert_int_eq(waitpid(-1, &status, 12345 << 8), -1);
  ck_assert_int_eq(errno, EINVAL);
}
END_TEST

static void check_kill(int sig)
{
  int in, status;
  pid_t pid = spawn_helper("cat", NULL, &in, NULL);

  ck_assert_int_eq(kill(pid, 0), 0);
  ck_assert_int_eq(kill(pid, sig), 0);
  status = wait_status(pid);
  ck_assert(WIFSIGNALED(status));
  ck_assert(!WIFEXITED(status));
  ck_assert_int_eq(WTERMSIG(status), sig);
  close(in);
}

START_TEST(spawn_kill_sigterm)
{
  check_kill(SIGTERM);
}
END_TEST

START_TEST(spawn_kill_sigkill)
{
  check_kill(SIGKILL);
}
END_TEST

START_TEST(spawn_epipe_after_child_exits)
{
  int in, i;
  pid_t pid = spawn_helper("exit", NULL, &in, NULL);
  ssize_t r = 0;

  ck_assert_int_eq(WEXITSTATUS(wait_status(pid)), 0);
  errno = 0;
  for (i = 0; i < 4 && (r = write(in, "x", 1)) == 1; i++)
    ;
  ck_assert_int_eq(r, -1);
  ck_assert_int_eq(errno, EPIPE);
  close(in);
}
END_TEST

START_TEST(spawn_missing_program)
{
  char *argv[] = { "ipcx-no-such-program", NULL };
  pid_t pid = -1;
  int status;

  /* valgrind runs glibc's CLONE_VFORK child as a fork: a failed exec is not
   * reported (wine-tests/valgrind.sh). */
  if (getenv("IPCX_TEST_VALGRIND") != NULL)
    return;
  ck_assert_int_eq(posix_spawn(&pid, "/nonexistent/ipcx-no-such-program", NULL, NULL, argv,
                               environ), ENOENT);
  ck_assert_int_eq(posix_spawnp(&pid, "ipcx-no-such-program", NULL, NULL, argv, environ),
                   ENOENT);
  ck_assert_int_eq(posix_spawn(&pid, ".", NULL, NULL, argv, environ), EACCES);  /* a directory */
  ck_assert_int_eq(posix_spawn(&pid, "", NULL, NULL, argv, environ), ENOENT);
  errno = 0;
  ck_assert_int_eq(waitpid(-1, &status, WNOHANG), -1);         /* no child was made */
  ck_assert_int_eq(errno, ECHILD);
}
END_TEST

/* posix_spawnp finds the runner through PATH by its bare name. */
START_TEST(spawn_path_search)
{
  static char newpath[4096], oldpath[4096];
  char dir[2048], name[2048], *slash, *argv[] = { name, "--helper", "exit", "5", NULL };
  const char *old = getenv("PATH");
  pid_t pid;
  int r;

  snprintf(dir, sizeof dir, "%s", test_self);
  slash = strrchr(dir, '/');
#ifdef _WIN32
  if (strrchr(dir, '\\') > slash)
    slash = strrchr(dir, '\\');
#endif
  if (slash == NULL) {
    snprintf(name, sizeof name, "%s", dir);
    snprintf(dir, sizeof dir, ".");
  } else {
    snprintf(name, sizeof name, "%s", slash + 1);
    *slash = 0;
  }
  snprintf(oldpath, sizeof oldpath, "PATH=%s", old != NULL ? old : "");
  snprintf(newpath, sizeof newpath, "PATH=/nonexistent-ipcx%c%s",
#ifdef _WIN32
           ';',                 /* Windows separates PATH with ';' */
#else
           ':',
#endif
           dir);
  putenv(newpath);
  r = posix_spawnp(&pid, name, NULL, NULL, argv, environ);
  if (r == 0)
    ck_assert_int_eq(WEXITSTATUS(wait_status(pid)), 5);
#ifdef _WIN32
  /* Windows programs end in .exe; posix_spawnp finds them with or without it. */
  if (r == 0) {
    size_t n = strlen(name);
    if (n > 4 && strcmp(name + n - 4, ".exe") == 0)
      name[n - 4] = 0;
    else
      strcat(name, ".exe");
    r = posix_spawnp(&pid, name, NULL, NULL, argv, environ);
    if (r == 0)
      ck_assert_int_eq(WEXITSTATUS(wait_status(pid)), 5);
  }
#endif
  putenv(oldpath);
  ck_assert_int_eq(r, 0);
}
END_TEST

START_TEST(spawn_plain_crt_child)
{
  posix_spawn_file_actions_t fa;
  char *argv[] = { (char *)test_self, "--helper", "spawn_crt", NULL };
  int in[2], out[2], f3[2];
  char buf[64];
  pid_t pid;

  ck_assert_int_eq(pipe2(in, O_CLOEXEC), 0);
  ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
  ck_assert_int_eq(pipe2(f3, O_CLOEXEC), 0);
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, f3[1], 3);
  ck_assert_int_eq(posix_spawn(&pid, test_self, &fa, NULL, argv, environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  close(out[1]);
  close(f3[1]);
  ck_assert_int_eq(write(in[1], "crt\n", 4), 4);
  ck_assert_int_eq(test_read_all(out[0], buf, 4), 4);
  ck_assert_int_eq(memcmp(buf, "crt\n", 4), 0);               /* no \r: binary mode */
  ck_assert_int_eq(test_read_all(f3[0], buf, 4), 4);
  ck_assert_int_eq(memcmp(buf, "crt\n", 4), 0);
  close(in[1]);
  ck_assert_int_eq(WEXITSTATUS(wait_status(pid)), 0);
  ck_assert_int_eq(read(out[0], buf, sizeof buf), 0);
  close(out[0]);
  close(f3[0]);
}
END_TEST

START_TEST(spawn_file_actions_open_close)
{
  posix_spawn_file_actions_t fa;
  char path[256], buf[64], *argv[] = { (char *)test_self, "--helper", "cat", NULL };
  int out[2], fd, status;
  pid_t pid;

  test_path(path, sizeof path, "spawn-in");
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(write(fd, "from a file", 11), 11);
  close(fd);
  ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
  posix_spawn_file_actions_init(&fa);
  ck_assert_int_eq(posix_spawn_file_actions_addopen(&fa, 0, path, O_RDONLY, 0), 0);
  ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, out[1], 1), 0);
  ck_assert_int_eq(posix_spawn_file_actions_addclose(&fa, out[1]), 0);
  ck_assert_int_eq(posix_spawn(&pid, test_self, &fa, NULL, argv, environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  close(out[1]);
  ck_assert_uint_eq(read_to_eof(out[0], buf, sizeof buf), 11);
  ck_assert_int_eq(memcmp(buf, "from a file", 11), 0);
  status = wait_status(pid);
  ck_assert_int_eq(WEXITSTATUS(status), 0);
  close(out[0]);

  /* A file action that fails fails the call (not reported under valgrind). */
  if (getenv("IPCX_TEST_VALGRIND") != NULL) {
    ck_assert_int_eq(unlink(path), 0);
    return;
  }
  posix_spawn_file_actions_init(&fa);
  ck_assert_int_eq(posix_spawn_file_actions_addopen(&fa, 0, "/nonexistent/ipcx-x", O_RDONLY, 0),
                   0);
  ck_assert_int_eq(posix_spawn(&pid, test_self, &fa, NULL, argv, environ), ENOENT);
  posix_spawn_file_actions_destroy(&fa);
  ck_assert_int_eq(unlink(path), 0);
}
END_TEST

/* addchdir_np: later actions and the child run in the new directory. */
START_TEST(spawn_file_actions_chdir)
{
  posix_spawn_file_actions_t fa;
  char dir[256], file[300], self[1024], cwd[700], buf[64];
  char *argv[] = { self, "--helper", "cat", NULL };
  int out[2], fd;
  pid_t pid;

  /* The program path must not depend on the directory the child starts in. */
  if (test_self[0] == '/' || (test_self[0] != 0 && test_self[1] == ':'))
    snprintf(self, sizeof self, "%s", test_self);
  else
    snprintf(self, sizeof self, "%s/%s", getcwd(cwd, sizeof cwd), test_self);
  test_path(dir, sizeof dir, "spawn-dir");
  ck_assert_int_eq(mkdir(dir, 0700), 0);
  snprintf(file, sizeof file, "%s/input", dir);
  fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(write(fd, "relative", 8), 8);
  close(fd);
  ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
  posix_spawn_file_actions_init(&fa);
  ck_assert_int_eq(posix_spawn_file_actions_addchdir_np(&fa, dir), 0);
  ck_assert_int_eq(posix_spawn_file_actions_addopen(&fa, 0, "input", O_RDONLY, 0), 0);
  ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, out[1], 1), 0);
  ck_assert_int_eq(posix_spawn(&pid, self, &fa, NULL, argv, environ), 0);
  close(out[1]);
  ck_assert_uint_eq(read_to_eof(out[0], buf, sizeof buf), 8);
  ck_assert_int_eq(memcmp(buf, "relative", 8), 0);
  ck_assert_int_eq(WEXITSTATUS(wait_status(pid)), 0);
  close(out[0]);
  posix_spawn_file_actions_destroy(&fa);

  /* A directory that does not exist fails the call (not reported under valgrind). */
  if (getenv("IPCX_TEST_VALGRIND") != NULL) {
    ck_assert_int_eq(unlink(file), 0);
    ck_assert_int_eq(rmdir(dir), 0);
    return;
  }
  posix_spawn_file_actions_init(&fa);
  ck_assert_int_eq(posix_spawn_file_actions_addchdir_np(&fa, "/nonexistent/ipcx-dir"), 0);
  ck_assert_int_eq(posix_spawn(&pid, self, &fa, NULL, argv, environ), ENOENT);
  posix_spawn_file_actions_destroy(&fa);
  ck_assert_int_eq(unlink(file), 0);
  ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* POSIX_SPAWN_SETPGROUP: waitpid(-pgid) and kill(-pgid) reach the child. */
START_TEST(spawn_process_group)
{
  posix_spawnattr_t at;
  char *argv[] = { (char *)test_self, "--helper", "cat", NULL };
  int in[2], status;
  pid_t pid;

  ck_assert_int_eq(pipe2(in, O_CLOEXEC), 0);
  posix_spawnattr_init(&at);
  ck_assert_int_eq(posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP), 0);
  ck_assert_int_eq(posix_spawnattr_setpgroup(&at, 0), 0);
  {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    ck_assert_int_eq(posix_spawn(&pid, test_self, &fa, &at, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
  }
  posix_spawnattr_destroy(&at);
  close(in[0]);
  ck_assert_int_eq(waitpid(-pid, &status, WNOHANG), 0);
  errno = 0;
  ck_assert_int_eq(waitpid(-(pid + 100000), &status, WNOHANG), -1);   /* no such group */
  ck_assert_int_eq(errno, ECHILD);
  ck_assert_int_eq(kill(-pid, SIGTERM), 0);
  ck_assert_int_eq(waitpid(-pid, &status, 0), pid);
  ck_assert(WIFSIGNALED(status));
  ck_assert_int_eq(WTERMSIG(status), SIGTERM);
  close(in[1]);
}
END_TEST

/* Signal masks and defaults: kept and read back (on Windows they have no
 * effect: there are no signals to hand down), and the child still runs. */
START_TEST(spawn_attr_signals)
{
  posix_spawnattr_t at;
  sigset_t set, got;
  pid_t pid;
  char *argv[] = { (char *)test_self, "--helper", "exit", "3", NULL };

  ck_assert_int_eq(posix_spawnattr_init(&at), 0);
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  ck_assert_int_eq(posix_spawnattr_setsigmask(&at, &set), 0);
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  ck_assert_int_eq(posix_spawnattr_setsigdefault(&at, &set), 0);
  ck_assert_int_eq(posix_spawnattr_getsigmask(&at, &got), 0);
  ck_assert(sigismember(&got, SIGUSR1));
  ck_assert(!sigismember(&got, SIGTERM));
  ck_assert_int_eq(posix_spawnattr_getsigdefault(&at, &got), 0);
  ck_assert(sigismember(&got, SIGTERM));
  ck_assert_int_eq(posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF),
                   0);
  ck_assert_int_eq(posix_spawn(&pid, test_self, NULL, &at, argv, environ), 0);
  ck_assert_int_eq(WEXITSTATUS(wait_status(pid)), 3);
  posix_spawnattr_destroy(&at);
}
END_TEST

START_TEST(spawn_bad_arguments)
{
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  short flags = -1;
  pid_t pg = -1;

  ck_assert_int_eq(posix_spawn_file_actions_init(&fa), 0);
  ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, -1, 1), EBADF);
  ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, 1, -1), EBADF);
  ck_assert_int_eq(posix_spawn_file_actions_addclose(&fa, -1), EBADF);
  ck_assert_int_eq(posix_spawn_file_actions_addopen(&fa, -1, "x", O_RDONLY, 0), EBADF);
  ck_assert_int_eq(posix_spawn_file_actions_destroy(&fa), 0);
  ck_assert_int_eq(posix_spawnattr_init(&at), 0);
  ck_assert_int_eq(posix_spawnattr_getflags(&at, &flags), 0);
  ck_assert_int_eq(flags, 0);
  ck_assert_int_eq(posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP), 0);
  ck_assert_int_eq(posix_spawnattr_getflags(&at, &flags), 0);
  ck_assert_int_eq(flags, POSIX_SPAWN_SETPGROUP);
  ck_assert_int_eq(posix_spawnattr_setflags(&at, 0x4000), EINVAL);
  ck_assert_int_eq(posix_spawnattr_setpgroup(&at, 0), 0);
  ck_assert_int_eq(posix_spawnattr_getpgroup(&at, &pg), 0);
  ck_assert_int_eq(pg, 0);
  ck_assert_int_eq(posix_spawnattr_destroy(&at), 0);
}
END_TEST

/* Four threads spawn 20 children each at once; each child must get exactly
 * its own pipes: once all 80 run, closing one child's stdin must give EOF
 * on its stdout while every other child still runs (a leaked copy of a pipe
 * end in any sibling would hold it open). */
#define THREADS 4
#define PER_THREAD 20

struct batch {
  int index;
  int in[PER_THREAD], out[PER_THREAD];
  pid_t pid[PER_THREAD];
  pthread_barrier_t *start;
};

static void *spawn_batch(void *arg)
{
  struct batch *b = arg;
  int i;

  pthread_barrier_wait(b->start);
  for (i = 0; i < PER_THREAD; i++)
    b->pid[i] = spawn_helper("cat", NULL, &b->in[i], &b->out[i]);
  return NULL;
}

/* Read to EOF within about 20 s without blocking; -1 if EOF never came. */
static int eof_soon(int fd, char *buf, size_t size)
{
  size_t got = 0;
  ssize_t n;
  int i;

  fcntl(fd, F_SETFL, O_NONBLOCK);
  for (i = 0; i < 2000; i++) {
    n = read(fd, buf + got, size - got);
    if (n == 0)
      return (int)got;
    if (n > 0)
      got += (size_t)n;
    else if (errno == EAGAIN)
      test_sleep_ms(10);
    else
      return -1;
  }
  return -1;
}

START_TEST(spawn_concurrent_no_leaks)
{
  static struct batch b[THREADS];
  pthread_barrier_t start;
  pthread_t t[THREADS];
  char msg[32], buf[64];
  int i, j, n;

  pthread_barrier_init(&start, NULL, THREADS);
  for (i = 0; i < THREADS; i++) {
    b[i].index = i;
    b[i].start = &start;
    ck_assert_int_eq(pthread_create(&t[i], NULL, spawn_batch, &b[i]), 0);
  }
  for (i = 0; i < THREADS; i++)
    pthread_join(t[i], NULL);
  pthread_barrier_destroy(&start);
  for (i = 0; i < THREADS; i++)
    for (j = 0; j < PER_THREAD; j++) {
      n = snprintf(msg, sizeof msg, "child %d.%d", i, j);
      ck_assert_int_eq(write(b[i].in[j], msg, (size_t)n), n);
      close(b[i].in[j]);
      ck_assert_int_eq(eof_soon(b[i].out[j], buf, sizeof buf - 1), n);
      buf[n] = 0;
      ck_assert_str_eq(buf, msg);
      close(b[i].out[j]);
      ck_assert_int_eq(WEXITSTATUS(wait_status(b[i].pid[j])), 0);
    }
}
END_TEST

/* system() and pclose() return a wait status (WEXITSTATUS is the command's
 * exit code), not the bare exit code the C runtime's give. */
START_TEST(spawn_system_pclose_status)
{
  char cmd[1024], buf[16];
  FILE *fp;
  int st;

  ck_assert_int_ne(system(NULL), 0);
  snprintf(cmd, sizeof cmd, "\"%s\" --helper exit 7", test_self);
  st = system(cmd);
  ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 7, "system: status %#x", st);
  snprintf(cmd, sizeof cmd, "\"%s\" --helper exit 0", test_self);
  st = system(cmd);
  ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "system: status %#x", st);
  snprintf(cmd, sizeof cmd, "\"%s\" --helper exit 5", test_self);
  fp = popen(cmd, "r");
  ck_assert_ptr_nonnull(fp);
  ck_assert_ptr_null(fgets(buf, sizeof buf, fp));
  st = pclose(fp);
  ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 5, "pclose: status %#x", st);
}
END_TEST

Suite *suite_spawn(void)
{
  Suite *s = suite_create("spawn");
  TCase *tc = test_tcase("spawn");

  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, spawn_roundtrip);
  tcase_add_test(tc, spawn_pipe_directions);
  tcase_add_test(tc, spawn_child_polls_inherited_pipes);
  tcase_add_test(tc, spawn_crash_is_sigsegv);
  tcase_add_test(tc, spawn_one_mib_both_ways);
  tcase_add_test(tc, spawn_argv_round_trip);
  tcase_add_test(tc, spawn_environment);
  tcase_add_test(tc, spawn_fd3_fd4);
  tcase_add_test(tc, spawn_cloexec_pipe_sees_eof);
  tcase_add_test(tc, spawn_inherited_pipe_stays_open);
  tcase_add_test(tc, spawn_inherits_fd_at_same_number);
  tcase_add_test(tc, spawn_exit_statuses);
  tcase_add_test(tc, spawn_waitpid_nohang);
  tcase_add_test(tc, spawn_waitpid_any);
  tcase_add_test(tc, spawn_waitpid_not_a_child);
  tcase_add_test(tc, spawn_kill_sigterm);
  tcase_add_test(tc, spawn_kill_sigkill);
  tcase_add_test(tc, spawn_epipe_after_child_exits);
  tcase_add_test(tc, spawn_missing_program);
  tcase_add_test(tc, spawn_path_search);
  tcase_add_test(tc, spawn_plain_crt_child);
  tcase_add_test(tc, spawn_file_actions_open_close);
  tcase_add_test(tc, spawn_file_actions_chdir);
  tcase_add_test(tc, spawn_process_group);
  tcase_add_test(tc, spawn_attr_signals);
  tcase_add_test(tc, spawn_bad_arguments);
  tcase_add_test(tc, spawn_concurrent_no_leaks);
  tcase_add_test(tc, spawn_system_pclose_status);
  tcase_add_test(tc, spawn_inherits_append);
  suite_add_tcase(s, tc);
  return s;
}
