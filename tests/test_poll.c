/*
 * Readiness: O_NONBLOCK and its EAGAIN rules, FIONREAD, poll() and select()
 * over pipes and regular files with Linux's revents rules, timeouts (never
 * early), 1024 fds in one call, no CPU used while idle, wake-ups from other
 * threads (a write, a close), and an echo server driven by poll() alone.
 */
#include "ipcx_test.h"
#include <poll.h>
#include <spawn.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/time.h>
#include <time.h>
#ifdef _WIN32
# include <windows.h>
#else
# include <sys/resource.h>
#endif

/*
 * The one #ifdef of this file.  cpu_ms(): the CPU time this process has used,
 * in ms: Windows has no getrusage(); GetProcessTimes gives the same figure.
 * fd_room(): make room for n more fds: Linux's soft RLIMIT_NOFILE is often
 * 1024; Windows has no rlimit (the C runtime allows 2048 fds).
 */
#ifdef _WIN32
static void fd_room(int n)
{
  (void)n;
}

static double cpu_ms(void)
{
  FILETIME c, e, k, u;
  ULARGE_INTEGER kk, uu;

  GetProcessTimes(GetCurrentProcess(), &c, &e, &k, &u);
  kk.LowPart = k.dwLowDateTime;
  kk.HighPart = k.dwHighDateTime;
  uu.LowPart = u.dwLowDateTime;
  uu.HighPart = u.dwHighDateTime;
  return (double)(kk.QuadPart + uu.QuadPart) / 10000.0;
}
#else
static void fd_room(int n)
{
  struct rlimit rl;

  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)n + 64 &&
      rl.rlim_max >= (rlim_t)n + 64) {
    rl.rlim_cur = (rlim_t)n + 64;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

static double cpu_ms(void)
{
  struct rusage ru;

  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec * 1000.0 + ru.ru_utime.tv_usec / 1000.0 +
         ru.ru_stime.tv_sec * 1000.0 + ru.ru_stime.tv_usec / 1000.0;
}
#endif

static short poll1(int fd, short events, int timeout)
{
  struct pollfd p;

  p.fd = fd;
  p.events = events;
  p.revents = 0x7ff;
  ck_assert_int_ge(poll(&p, 1, timeout), 0);
  return p.revents;
}

static void set_nonblock(int fd, int on)
{
  int fl = fcntl(fd, F_GETFL);

  ck_assert_int_ge(fl, 0);
  ck_assert_int_eq(fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK), 0);
}

/* Fill a nonblocking write end until EAGAIN; every write takes > 0 bytes. */
static size_t fill_pipe(int fd)
{
  static char chunk[4096];
  size_t total = 0;
  ssize_t r;

  for (;;) {
    r = write(fd, chunk, sizeof chunk);
    if (r < 0)
      break;
    ck_assert_int_gt(r, 0);
    total += (size_t)r;
    ck_assert_uint_lt(total, 64u << 20);
  }
  ck_assert_int_eq(errno, EAGAIN);
  return total;
}

/* Read a nonblocking read end until EAGAIN (or EOF). */
static size_t drain_pipe(int fd)
{
  static char buf[65536];
  size_t total = 0;
  ssize_t r;

  while ((r = read(fd, buf, sizeof buf)) > 0)
    total += (size_t)r;
  return total;
}

/* --- O_NONBLOCK, FIONBIO, FIONREAD --------------------------------------- */

START_TEST(nonblock_fcntl_read_eagain)
{
  int p[2];
  char c;

  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);
  set_nonblock(p[0], 1);
  ck_assert(fcntl(p[0], F_GETFL) & O_NONBLOCK);
  errno = 0;
  ck_assert_int_eq(read(p[0], &c, 1), -1);
  ck_assert_int_eq(errno, EAGAIN);
  ck_assert_int_eq(write(p[1], "a", 1), 1);
  ck_assert_int_eq(read(p[0], &c, 1), 1);
  ck_assert_int_eq(c, 'a');
  errno = 0;
  ck_assert_int_eq(read(p[0], &c, 1), -1);
  ck_assert_int_eq(errno, EAGAIN);
  set_nonblock(p[0], 0);
  ck_assert_int_eq(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);
  ck_assert_int_eq(write(p[1], "b", 1), 1);
  ck_assert_int_eq(read(p[0], &c, 1), 1);
  close(p[0]);
  close(p[1]);
}
END_TEST

START_TEST(nonblock_fionbio)
{
  int p[2], on = 1, off = 0;
  char c;

  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(ioctl(p[0], FIONBIO, &on), 0);
  ck_assert(fcntl(p[0], F_GETFL) & O_NONBLOCK);
  errno = 0;
  ck_assert_int_eq(read(p[0], &c, 1), -1);
  ck_assert_int_eq(errno, EAGAIN);
  ck_assert_int_eq(ioctl(p[0], FIONBIO, &off), 0);
  ck_assert_int_eq(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);
  close(p[0]);
  close(p[1]);
}
END_TEST

/* O_NONBLOCK belongs to the open file description: a dup shares it. */
START_TEST(nonblock_shared_by_dup)
{
  int p[2], d;
  char c;

  ck_assert_int_eq(pipe(p), 0);
  d = dup(p[0]);
  ck_assert_int_ge(d, 0);
  set_nonblock(p[0], 1);
  ck_assert(fcntl(d, F_GETFL) & O_NONBLOCK);
  errno = 0;
  ck_assert_int_eq(read(d, &c, 1), -1);
  ck_assert_int_eq(errno, EAGAIN);
  close(d);
  close(p[0]);
  close(p[1]);
}
END_TEST

/* A full pipe: EAGAIN or a partial write, never "success, 0 bytes"; all delivered. */
START_TEST(nonblock_full_pipe_write_rules)
{
  static char big[200000];
  int p[2];
  size_t put, got;
  ssize_t r;

  ck_assert_int_eq(pipe2(p, O_NONBLOCK), 0);
  put = fill_pipe(p[1]);
  ck_assert_uint_ge(put, 4096);
  errno = 0;
  r = write(p[1], "x", 1);
  ck_assert_int_eq(r, -1);
  ck_assert_int_eq(errno, EAGAIN);
  errno = 0;
  r = write(p[1], big, sizeof big);
  ck_assert_int_eq(r, -1);
  ck_assert_int_eq(errno, EAGAIN);
  got = drain_pipe(p[0]);
  ck_assert_int_eq(errno, EAGAIN);
  ck_assert_uint_eq(got, put);
  /* Empty again: a write larger than the pipe is partial, not 0. */
  r = write(p[1], big, sizeof big);
  ck_assert_int_gt(r, 0);
  ck_assert_int_lt(r, (ssize_t)sizeof big);
  ck_assert_uint_eq(drain_pipe(p[0]), (size_t)r);
  close(p[0]);
  close(p[1]);
}
END_TEST

START_TEST(fionread_counts_bytes)
{
  int p[2], n = -1;
  char buf[8];

  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(ioctl(p[0], FIONREAD, &n), 0);
  ck_assert_int_eq(n, 0);
  ck_assert_int_eq(write(p[1], "hello", 5), 5);
  ck_assert_int_eq(ioctl(p[0], FIONREAD, &n), 0);
  ck_assert_int_eq(n, 5);
  ck_assert_int_eq(read(p[0], buf, 2), 2);
  ck_assert_int_eq(ioctl(p[0], FIONREAD, &n), 0);
  ck_assert_int_eq(n, 3);
  close(p[0]);
  close(p[1]);
}
END_TEST

/* --- poll(): revents rules ------------------------------------------------- */

START_TEST(poll_pipe_readable_after_write)
{
  int p[2];
  char c;

  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(poll1(p[0], POLLIN, 0), 0);
  ck_assert_int_eq(write(p[1], "x", 1), 1);
  ck_assert_int_eq(poll1(p[0], POLLIN, 0), POLLIN);
  ck_assert_int_eq(poll1(p[0], POLLIN, 0), POLLIN);     /* level-triggered */
  ck_assert_int_eq(read(p[0], &c, 1), 1);
  ck_assert_int_eq(poll1(p[0], POLLIN, 0), 0);
  ck_assert_int_eq(poll1(p[1], POLLOUT, 0), POLLOUT);
  ck_assert_int_eq(poll1(p[1], POLLIN, 0), 0);          /* the write end never reads */
  ck_assert_int_eq(poll1(p[0], POLLOUT, 0), 0);         /* nor the read end writes */
  close(p[0]);
  close(p[1]);
}
END_TEST

START_TEST(poll_rdnorm_wrnorm)
{
  int p[2];

  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(write(p[1], "x", 1), 1);
  ck_assert_int_eq(poll1(p[0], POLLRDNORM, 0), POLLRDNORM);
  ck_assert_int_eq(poll1(p[0], POLLIN | POLLRDNORM, 0), POLLIN | POLLRDNORM);
  ck_assert_int_eq(poll1(p[1], POLLWRNORM, 0), POLLWRNORM);
  ck_assert_int_eq(poll1(p[0], POLLPRI, 0), 0);         /* pipes have no urgent data */
  close(p[0]);
  close(p[1]);
}
END_TEST

/* Writer gone: POLLHUP (asked for or not), with POLLIN while bytes remain. */
START_TEST(poll_hup_after_writer_closes)
{
  int p[2];
  char buf[4];

  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(write(p[1], "ab", 2), 2);
  ck_assert_int_eq(close(p[1]), 0);
  ck_assert_int_eq(poll1(p[0], POLLIN, 0), POLLIN | POLLHUP);
  ck_assert_int_eq(read(p[0], buf, sizeof buf), 2);
  ck_assert_int_eq(poll1(p[0], POLLIN, 0), POLLHUP);
  ck_assert_int_eq(poll1(p[0], 0, 0), POLLHUP);
  ck_assert_int_eq(poll1(p[0], POLLOUT, 0), POLLHUP);
  ck_assert_int_eq(read(p[0], buf, sizeof buf), 0);
  close(p[0]);
}
END_TEST

/* Reader gone: the write end shows POLLERR (POLLOUT too unless the pipe is full). */
START_TEST(poll_err_after_reader_closes)
{
  int p[2];

  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(close(p[0]), 0);
  ck_assert_int_eq(poll1(p[1], POLLOUT, 0), POLLOUT | POLLERR);
  ck_assert_int_eq(poll1(p[1], 0, 0), POLLERR);
  close(p[1]);
  ck_assert_int_eq(pipe2(p, O_NONBLOCK), 0);
  fill_pipe(p[1]);
  ck_assert_int_eq(poll1(p[1], POLLOUT, 0), 0);
  ck_assert_int_eq(close(p[0]), 0);
  ck_assert_int_eq(poll1(p[1], POLLOUT, 0), POLLERR);
  errno = 0;
  ck_assert_int_eq(write(p[1], "x", 1), -1);
  ck_assert_int_eq(errno, EPIPE);
  close(p[1]);
}
END_TEST

START_TEST(poll_nval_for_closed_fd)
{
  struct pollfd pfd[2];
  int p[2];

  ck_assert_int_eq(pipe(p), 0);
  close(p[0]);
  close(p[1]);
  pfd[0].fd = p[0];
  pfd[0].events = POLLIN;
  pfd[0].revents = 0;
  pfd[1].fd = p[1];
  pfd[1].events = 0;
  pfd[1].revents = 0;
  ck_assert_int_eq(poll(pfd, 2, 1000), 2);              /* counted, and no wait */
  ck_assert_int_eq(pfd[0].revents, POLLNVAL);
  ck_assert_int_eq(pfd[1].revents, POLLNVAL);
  ck_assert_int_eq(poll1(4000, POLLIN, 0), POLLNVAL);
}
END_TEST

START_TEST(poll_negative_fd_ignored_revents_cleared)
{
  struct pollfd pfd[3];
  int p[2];

  ck_assert_int_eq(pipe(p), 0);
  pfd[0].fd = -1;
  pfd[0].events = POLLIN | POLLOUT;
  pfd[0].revents = POLLIN;
  pfd[1].fd = p[0];
  pfd[1].events = POLLIN;
  pfd[1].revents = POLLIN | POLLERR;
  pfd[2].fd = -5;
  pfd[2].events = POLLIN;
  pfd[2].revents = -1;
  ck_assert_int_eq(poll(pfd, 3, 0), 0);
  ck_assert_int_eq(pfd[0].revents, 0);
  ck_assert_int_eq(pfd[1].revents, 0);
  ck_assert_int_eq(pfd[2].revents, 0);
  ck_assert_int_eq(write(p[1], "x", 1), 1);
  ck_assert_int_eq(poll(pfd, 3, 0), 1);
  ck_assert_int_eq(pfd[0].revents, 0);
  ck_assert_int_eq(pfd[1].revents, POLLIN);
  ck_assert_int_eq(pfd[2].revents, 0);
  close(p[0]);
  close(p[1]);
}
END_TEST

START_TEST(poll_regular_file_always_ready)
{
  char path[256];
  int fd;

  test_path(path, sizeof path, "pollfile");
  fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(poll1(fd, POLLIN | POLLOUT, -1), POLLIN | POLLOUT);
  ck_assert_int_eq(poll1(fd, POLLIN, 0), POLLIN);
  ck_assert_int_eq(poll1(fd, POLLOUT, 0), POLLOUT);
  ck_assert_int_eq(poll1(fd, POLLPRI, 0), 0);
  close(fd);
  unlink(path);
}
END_TEST

/* A file, a readable pipe, an idle pipe and a closed fd in one call. */
START_TEST(poll_mixed_kinds)
{
  struct pollfd pfd[4];
  char path[256];
  int a[2], b[2], fd;

  test_path(path, sizeof path, "pollmix");
  fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(pipe(a), 0);
  ck_assert_int_eq(pipe(b), 0);
  ck_assert_int_eq(write(a[1], "x", 1), 1);
  close(b[1]);
  pfd[0].fd = fd;
  pfd[0].events = POLLIN;
  pfd[1].fd = a[0];
  pfd[1].events = POLLIN;
  pfd[2].fd = b[0];
  pfd[2].events = POLLIN;
  pfd[3].fd = b[1];
  pfd[3].events = POLLIN;
  ck_assert_int_eq(poll(pfd, 4, 0), 4);
  ck_assert_int_eq(pfd[0].revents, POLLIN);
  ck_assert_int_eq(pfd[1].revents, POLLIN);
  ck_assert_int_eq(pfd[2].revents, POLLHUP);
  ck_assert_int_eq(pfd[3].revents, POLLNVAL);
  close(fd);
  unlink(path);
  close(a[0]);
  close(a[1]);
  close(b[0]);
}
END_TEST

/* A pipe, a FIFO (both ends) and a file in one call. */
START_TEST(poll_mixed_with_fifo)
{
  struct pollfd pfd[4];
  char path[256], fpath[256], buf[8];
  int p[2], rd, wr, fd;

  test_path(path, sizeof path, "pollfifo");
  test_path(fpath, sizeof fpath, "pollfile2");
  ck_assert_int_eq(mkfifo(path, 0600), 0);
  rd = open(path, O_RDONLY | O_NONBLOCK);
  ck_assert_int_ge(rd, 0);
  wr = open(path, O_WRONLY);
  ck_assert_int_ge(wr, 0);
  fd = open(fpath, O_RDWR | O_CREAT | O_TRUNC, 0600);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(pipe(p), 0);
  pfd[0].fd = rd;
  pfd[0].events = POLLIN;
  pfd[1].fd = wr;
  pfd[1].events = POLLOUT;
  pfd[2].fd = p[0];
  pfd[2].events = POLLIN;
  pfd[3].fd = fd;
  pfd[3].events = POLLOUT;
  ck_assert_int_eq(poll(pfd, 4, 0), 2);
  ck_assert_int_eq(pfd[0].revents, 0);
  ck_assert_int_eq(pfd[1].revents, POLLOUT);
  ck_assert_int_eq(pfd[2].revents, 0);
  ck_assert_int_eq(pfd[3].revents, POLLOUT);
  ck_assert_int_eq(write(wr, "fifo", 4), 4);
  ck_assert_int_eq(write(p[1], "pipe", 4), 4);
  ck_assert_int_eq(poll(pfd, 1, 5000), 1);               /* the FIFO's bytes are there */
  ck_assert_int_eq(poll(pfd, 3, 5000), 3);
  ck_assert_int_eq(pfd[0].revents, POLLIN);
  ck_assert_int_eq(pfd[2].revents, POLLIN);
  ck_assert_int_eq(read(rd, buf, sizeof buf), 4);
  ck_assert_int_eq(read(p[0], buf, sizeof buf), 4);
  ck_assert_int_eq(close(wr), 0);
  ck_assert_int_eq(poll(pfd, 1, 5000), 1);               /* the last writer left */
  ck_assert_int_eq(pfd[0].revents, POLLHUP);
  close(rd);
  close(fd);
  close(p[0]);
  close(p[1]);
  unlink(path);
  unlink(fpath);
}
END_TEST

START_TEST(poll_bad_arguments)
{
  struct pollfd pfd;
  struct pollfd *volatile nul = NULL, *volatile one = &pfd;   /* volatile: no compile-time size check */
  volatile nfds_t huge = (nfds_t)1 << 30;
  double t0;

  errno = 0;
  ck_assert_int_eq(poll(nul, 1, 0), -1);
  ck_assert_int_eq(errno, EFAULT);
  pfd.fd = 0;
  pfd.events = POLLIN;
#ifndef __SANITIZE_ADDRESS__   /* ASan's poll() reads all 2^30 entries before the kernel says EINVAL */
  if (getenv("IPCX_TEST_VALGRIND") == NULL) {   /* and so does valgrind (wine-tests/valgrind.sh) */
    errno = 0;
    ck_assert_int_eq(poll(one, huge, 0), -1);
    ck_assert_int_eq(errno, EINVAL);
  }
#endif
  t0 = test_now_ms();
  ck_assert_int_eq(poll(nul, 0, 30), 0);                /* no fds: a sleep */
  ck_assert_double_ge(test_now_ms() - t0, 30.0);
}
END_TEST

/* --- poll(): timeouts -------------------------------------------------------- */

START_TEST(poll_timeouts_never_early)
{
  static const int ms[] = { 1, 5, 20, 100, 250 };
  int p[2], i;
  double t0, dt;

  ck_assert_int_eq(pipe(p), 0);
  for (i = 0; i < (int)(sizeof ms / sizeof ms[0]); i++) {
    t0 = test_now_ms();
    ck_assert_int_eq(poll1(p[0], POLLIN, ms[i]), 0);
    dt = test_now_ms() - t0;
    ck_assert_double_ge(dt, ms[i]);
    ck_assert_double_lt(dt, ms[i] + 200.0);             /* generous: a loaded machine */
  }
  t0 = test_now_ms();
  ck_assert_int_eq(poll1(p[0], POLLIN, 0), 0);
  ck_assert_double_lt(test_now_ms() - t0, 200.0);
  close(p[0]);
  close(p[1]);
}
END_TEST

struct delayed {
  int fd;
  int ms;
  int action;                   /* 0 write a byte, 1 close, 2 drain */
};

static void *delayed_action(void *arg)
{
  struct delayed *d = arg;

  test_sleep_ms(d->ms);
  if (d->action == 0)
    (void)!write(d->fd, "w", 1);
  else if (d->action == 1)
    close(d->fd);
  else
    drain_pipe(d->fd);
  return NULL;
}

START_TEST(poll_infinite_woken_by_thread_write)
{
  struct delayed d;
  pthread_t t;
  int p[2];
  double t0;

  ck_assert_int_eq(pipe(p), 0);
  d.fd = p[1];
  d.ms = 100;
  d.action = 0;
  t0 = test_now_ms();
  ck_assert_int_eq(pthread_create(&t, NULL, delayed_action, &d), 0);
  ck_assert_int_eq(poll1(p[0], POLLIN, -1), POLLIN);
  ck_assert_double_ge(test_now_ms() - t0, 90.0);
  pthread_join(t, NULL);
  close(p[0]);
  close(p[1]);
}
END_TEST

START_TEST(poll_woken_by_writer_close)
{
  struct delayed d;
  pthread_t t;
  int p[2];

  ck_assert_int_eq(pipe(p), 0);
  d.fd = p[1];
  d.ms = 100;
  d.action = 1;
  ck_assert_int_eq(pthread_create(&t, NULL, delayed_action, &d), 0);
  ck_assert_int_eq(poll1(p[0], POLLIN, 10000), POLLHUP);
  pthread_join(t, NULL);
  close(p[0]);
}
END_TEST

/* Another process writes: the parent, blocked in poll(-1), wakes. */
IPCX_TEST_HELPER(poll_late_writer)
{
  int ok;

  test_sleep_ms(argc > 0 ? atoi(argv[0]) : 100);
  ok = write(1, "p", 1) == 1;
  test_sleep_ms(200);           /* still there when the parent wakes */
  return ok ? 0 : 1;
}

START_TEST(poll_woken_by_other_process)
{
  char *argv[] = { (char *)test_self, "--helper", "poll_late_writer", "150", NULL };
  posix_spawn_file_actions_t fa;
  pid_t pid;
  int p[2], status = -1;
  char c;

  ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
  ck_assert_int_eq(posix_spawn_file_actions_init(&fa), 0);
  ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, p[1], 1), 0);
  ck_assert_int_eq(posix_spawn(&pid, test_self, &fa, NULL, argv, NULL), 0);
  posix_spawn_file_actions_destroy(&fa);
  close(p[1]);
  ck_assert_int_eq(poll1(p[0], POLLIN, 20000), POLLIN);
  ck_assert_int_eq(read(p[0], &c, 1), 1);
  ck_assert_int_eq(c, 'p');
  ck_assert_int_eq(poll1(p[0], POLLIN, 20000), POLLHUP);  /* the child exited */
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ck_assert(WIFEXITED(status));
  ck_assert_int_eq(WEXITSTATUS(status), 0);
  close(p[0]);
}
END_TEST

/* A writer blocked on a full pipe wakes when the reader drains it. */
START_TEST(poll_pollout_after_reader_drains)
{
  struct delayed d;
  pthread_t t;
  int p[2];

  ck_assert_int_eq(pipe2(p, O_NONBLOCK), 0);
  fill_pipe(p[1]);
  ck_assert_int_eq(poll1(p[1], POLLOUT, 0), 0);
  d.fd = p[0];
  d.ms = 100;
  d.action = 2;
  ck_assert_int_eq(pthread_create(&t, NULL, delayed_action, &d), 0);
  ck_assert_int_eq(poll1(p[1], POLLOUT, 10000), POLLOUT);
  pthread_join(t, NULL);
  ck_assert_int_gt(write(p[1], "more", 4), 0);
  close(p[0]);
  close(p[1]);
}
END_TEST

/* The reader leaves while the writer waits on a full pipe: POLLERR wakes it. */
START_TEST(poll_pollerr_wakes_blocked_writer)
{
  struct delayed d;
  pthread_t t;
  int p[2];
  short rev;

  ck_assert_int_eq(pipe2(p, O_NONBLOCK), 0);
  fill_pipe(p[1]);
  d.fd = p[0];
  d.ms = 100;
  d.action = 1;
  ck_assert_int_eq(pthread_create(&t, NULL, delayed_action, &d), 0);
  rev = poll1(p[1], POLLOUT, 10000);
  ck_assert(rev & POLLERR);
  pthread_join(t, NULL);
  close(p[1]);
}
END_TEST

/* Another thread closes the fd being polled: no hang, POLLNVAL on the next call. */
struct poller {
  int fd;
  int timeout;
  int r;
  short revents;
  double ms;
};

static void *poll_thread(void *arg)
{
  struct poller *pt = arg;
  struct pollfd p;
  double t0 = test_now_ms();

  p.fd = pt->fd;
  p.events = POLLIN;
  p.revents = 0;
  pt->r = poll(&p, 1, pt->timeout);
  pt->revents = p.revents;
  pt->ms = test_now_ms() - t0;
  return NULL;
}

START_TEST(poll_close_while_polling)
{
  struct poller pt;
  pthread_t t;
  int p[2];

  ck_assert_int_eq(pipe(p), 0);
  pt.fd = p[0];
  pt.timeout = 1500;
  ck_assert_int_eq(pthread_create(&t, NULL, poll_thread, &pt), 0);
  test_sleep_ms(100);
  ck_assert_int_eq(close(p[0]), 0);
  pthread_join(t, NULL);
  /* Linux sleeps on (the file stays alive inside poll); ipcx on Windows wakes
   * at once with POLLNVAL.  Either way: no hang, and nothing else reported. */
  ck_assert(pt.r == 0 || (pt.r == 1 && pt.revents == POLLNVAL));
  ck_assert_int_eq(poll1(p[0], POLLIN, 0), POLLNVAL);
  close(p[1]);
}
END_TEST

/* Two threads poll the same fd: one write wakes both. */
START_TEST(poll_two_threads_same_fd)
{
  struct poller a, b;
  pthread_t ta, tb;
  int p[2];
  char c;

  ck_assert_int_eq(pipe(p), 0);
  a.fd = b.fd = p[0];
  a.timeout = b.timeout = 10000;
  ck_assert_int_eq(pthread_create(&ta, NULL, poll_thread, &a), 0);
  ck_assert_int_eq(pthread_create(&tb, NULL, poll_thread, &b), 0);
  test_sleep_ms(100);
  ck_assert_int_eq(write(p[1], "x", 1), 1);
  pthread_join(ta, NULL);
  pthread_join(tb, NULL);
  ck_assert_int_eq(a.r, 1);
  ck_assert_int_eq(a.revents, POLLIN);
  ck_assert_int_eq(b.r, 1);
  ck_assert_int_eq(b.revents, POLLIN);
  ck_assert_double_lt(a.ms, 5000.0);
  ck_assert_int_eq(read(p[0], &c, 1), 1);
  close(p[0]);
  close(p[1]);
}
END_TEST

/* The thread whose poll() armed the watches has exited: another thread's poll still wakes. */
START_TEST(poll_after_arming_thread_exits)
{
  struct poller pt;
  struct delayed d;
  pthread_t t;
  int p[2];

  ck_assert_int_eq(pipe(p), 0);
  pt.fd = p[0];
  pt.timeout = 10;
  ck_assert_int_eq(pthread_create(&t, NULL, poll_thread, &pt), 0);
  pthread_join(t, NULL);
  ck_assert_int_eq(pt.r, 0);
  d.fd = p[1];
  d.ms = 100;
  d.action = 0;
  ck_assert_int_eq(pthread_create(&t, NULL, delayed_action, &d), 0);
  ck_assert_int_eq(poll1(p[0], POLLIN, 10000), POLLIN);
  pthread_join(t, NULL);
  close(p[0]);
  close(p[1]);
}
END_TEST

/*
 * poll(0) right after write() returns shows POLLIN, even when another thread
 * (still alive, blocked elsewhere) was the last to poll the fd.
 */
struct armer {
  int fd, block;
};

static void *arm_then_block(void *arg)
{
  struct armer *a = arg;
  struct pollfd p;
  char c;

  p.fd = a->fd;
  p.events = POLLIN;
  (void)!poll(&p, 1, 10);
  (void)!read(a->block, &c, 1);
  return NULL;
}

START_TEST(poll_zero_right_after_write)
{
  struct armer a;
  pthread_t t;
  int p[2], b[2], i, ok = 0;
  char c;

  for (i = 0; i < 30; i++) {
    ck_assert_int_eq(pipe(p), 0);
    ck_assert_int_eq(pipe(b), 0);
    a.fd = p[0];
    a.block = b[0];
    ck_assert_int_eq(pthread_create(&t, NULL, arm_then_block, &a), 0);
    test_sleep_ms(20);
    ck_assert_int_eq(write(p[1], "x", 1), 1);
    ok += poll1(p[0], POLLIN, 0) == POLLIN;
    ck_assert_int_eq(write(b[1], "x", 1), 1);
    pthread_join(t, NULL);
    ck_assert_int_eq(read(p[0], &c, 1), 1);
    close(p[0]);
    close(p[1]);
    close(b[0]);
    close(b[1]);
  }
  ck_assert_int_eq(ok, 30);
}
END_TEST

/* A zero-byte watch left pending by poll() breaks neither read() nor close(). */
START_TEST(poll_then_read_and_close_still_work)
{
  struct delayed d;
  pthread_t t;
  char buf[8] = { 0 };
  int p[2], i;

  ck_assert_int_eq(pipe(p), 0);
  for (i = 0; i < 3; i++)
    ck_assert_int_eq(poll1(p[0], POLLIN, 10), 0);
  set_nonblock(p[0], 1);
  errno = 0;
  ck_assert_int_eq(read(p[0], buf, 1), -1);
  ck_assert_int_eq(errno, EAGAIN);
  set_nonblock(p[0], 0);
  d.fd = p[1];
  d.ms = 50;
  d.action = 0;
  ck_assert_int_eq(pthread_create(&t, NULL, delayed_action, &d), 0);
  ck_assert_int_eq(read(p[0], buf, sizeof buf), 1);     /* blocking read behind the watch */
  ck_assert_int_eq(buf[0], 'w');
  pthread_join(t, NULL);
  ck_assert_int_eq(poll1(p[1], POLLOUT, 0), POLLOUT);   /* the write end arms its watch */
  ck_assert_int_eq(write(p[1], "abc", 3), 3);
  ck_assert_int_eq(read(p[0], buf, sizeof buf), 3);
  ck_assert_int_eq(poll1(p[0], POLLIN, 0), 0);
  ck_assert_int_eq(close(p[1]), 0);
  ck_assert_int_eq(read(p[0], buf, sizeof buf), 0);
  ck_assert_int_eq(close(p[0]), 0);
}
END_TEST

/* --- scale and CPU -------------------------------------------------------- */

#define NPIPES 512

START_TEST(poll_1024_fds)
{
  static int p[NPIPES][2];
  static struct pollfd pfd[2 * NPIPES];
  struct delayed d;
  pthread_t t;
  char c;
  int i, r;

  fd_room(2 * NPIPES);
  for (i = 0; i < NPIPES; i++)
    ck_assert_int_eq(pipe(p[i]), 0);
  for (i = 0; i < NPIPES; i++) {
    pfd[i].fd = p[i][0];
    pfd[i].events = POLLIN;
    pfd[NPIPES + i].fd = p[i][1];
    pfd[NPIPES + i].events = 0;                         /* only POLLERR can come */
  }
  ck_assert_int_eq(poll(pfd, 2 * NPIPES, 0), 0);
  ck_assert_int_eq(poll(pfd, 2 * NPIPES, 20), 0);
  /* A write into the last pipe (far past the first 64 handles) wakes poll(-1). */
  d.fd = p[NPIPES - 1][1];
  d.ms = 100;
  d.action = 0;
  ck_assert_int_eq(pthread_create(&t, NULL, delayed_action, &d), 0);
  ck_assert_int_eq(poll(pfd, 2 * NPIPES, -1), 1);
  pthread_join(t, NULL);
  ck_assert_int_eq(pfd[NPIPES - 1].revents, POLLIN);
  ck_assert_int_eq(read(p[NPIPES - 1][0], &c, 1), 1);
  /* Three at once, in different batches. */
  ck_assert_int_eq(write(p[0][1], "a", 1), 1);
  ck_assert_int_eq(write(p[300][1], "b", 1), 1);
  ck_assert_int_eq(close(p[450][0]), 0);
  r = poll(pfd, 2 * NPIPES, -1);
  ck_assert_int_eq(r, 4);                               /* p[450][0] is now POLLNVAL */
  ck_assert_int_eq(pfd[0].revents, POLLIN);
  ck_assert_int_eq(pfd[300].revents, POLLIN);
  ck_assert_int_eq(pfd[450].revents, POLLNVAL);
  ck_assert_int_eq(pfd[NPIPES + 450].revents, POLLERR);
  for (i = 0; i < NPIPES; i++) {
    if (i != 450)
      close(p[i][0]);
    close(p[i][1]);
  }
}
END_TEST

/* Idle in poll() for 2 s over 200 fds: (almost) no CPU. */
START_TEST(poll_idle_uses_no_cpu)
{
  static int p[100][2];
  static struct pollfd pfd[200];
  double c0, t0, used;
  int i;

  for (i = 0; i < 100; i++) {
    ck_assert_int_eq(pipe(p[i]), 0);
    pfd[2 * i].fd = p[i][0];
    pfd[2 * i].events = POLLIN;
    pfd[2 * i + 1].fd = p[i][1];
    pfd[2 * i + 1].events = 0;
  }
  ck_assert_int_eq(poll(pfd, 200, 0), 0);               /* arm the watches first */
  c0 = cpu_ms();
  t0 = test_now_ms();
  ck_assert_int_eq(poll(pfd, 200, 2000), 0);
  used = cpu_ms() - c0;
  ck_assert_double_ge(test_now_ms() - t0, 2000.0);
  ck_assert_double_lt(used, 50.0);
  for (i = 0; i < 100; i++) {
    close(p[i][0]);
    close(p[i][1]);
  }
}
END_TEST

/* --- an event loop: one thread serves 200 clients with poll() alone -------- */

#define NCLIENTS 200
#define ROUNDS 10

struct server {
  int in[NCLIENTS];             /* requests from client i (read ends, nonblocking) */
  int out[NCLIENTS];            /* replies to client i (write ends) */
  int served;                   /* messages echoed */
  int failed;
};

static void *echo_server(void *arg)
{
  struct server *s = arg;
  struct pollfd pfd[NCLIENTS];
  int open_count = NCLIENTS, i, n;
  char buf[512];
  ssize_t r;

  for (;;) {
    for (i = 0, n = 0; i < NCLIENTS; i++) {
      pfd[i].fd = s->in[i];
      pfd[i].events = POLLIN;
    }
    if (open_count == 0)
      break;
    n = poll(pfd, NCLIENTS, 10000);
    if (n <= 0) {
      s->failed = 1;
      break;
    }
    for (i = 0; i < NCLIENTS; i++) {
      if (pfd[i].revents == 0)
        continue;
      if (pfd[i].revents & POLLNVAL) {
        s->failed = 1;
        return NULL;
      }
      r = read(s->in[i], buf, sizeof buf);
      if (r > 0) {
        if (test_write_all(s->out[i], buf, (size_t)r) != r)
          s->failed = 1;
        s->served++;
      } else if (r == 0) {
        close(s->in[i]);
        if (s->out[i] != s->in[i])
          close(s->out[i]);
        s->in[i] = -1;                                  /* ignored from now on */
        open_count--;
      } else if (errno != EAGAIN) {
        s->failed = 1;
      }
    }
  }
  return NULL;
}

/*
 * The clients' side: ROUNDS rounds of one message from every client, then
 * every reply read back (in reverse order, so the server's replies queue up).
 * to[i]/from[i]: the client's ends; sockets use one fd for both.
 */
static void run_echo(int use_sockets)
{
  static struct server s;
  static int to[NCLIENTS], from[NCLIENTS];
  int i, round, n, pair[2], back_pair[2];
  char msg[64], back[64];
  pthread_t t;

  memset(&s, 0, sizeof s);
  fd_room(4 * NCLIENTS);
  for (i = 0; i < NCLIENTS; i++) {
    if (use_sockets) {
      ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
      set_nonblock(pair[1], 1);
      to[i] = from[i] = pair[0];
      s.in[i] = s.out[i] = pair[1];
    } else {
      ck_assert_int_eq(pipe2(pair, O_NONBLOCK), 0);
      ck_assert_int_eq(pipe(back_pair), 0);
      set_nonblock(pair[1], 0);
      to[i] = pair[1];
      from[i] = back_pair[0];
      s.in[i] = pair[0];
      s.out[i] = back_pair[1];
    }
  }
  ck_assert_int_eq(pthread_create(&t, NULL, echo_server, &s), 0);
  for (round = 0; round < ROUNDS; round++) {
    for (i = 0; i < NCLIENTS; i++) {
      n = snprintf(msg, sizeof msg, "client %d round %d", i, round);
      ck_assert_int_eq(write(to[i], msg, (size_t)n), n);
    }
    for (i = NCLIENTS - 1; i >= 0; i--) {
      n = snprintf(msg, sizeof msg, "client %d round %d", i, round);
      ck_assert_int_eq(test_read_all(from[i], back, (size_t)n), n);
      ck_assert_int_eq(memcmp(msg, back, (size_t)n), 0);
    }
  }
  for (i = 0; i < NCLIENTS; i++) {
    if (use_sockets)
      ck_assert_int_eq(shutdown(to[i], SHUT_WR), 0);
    else
      close(to[i]);
  }
  for (i = 0; i < NCLIENTS; i++)
    ck_assert_int_eq(read(from[i], back, sizeof back), 0);      /* server closed it */
  pthread_join(t, NULL);
  ck_assert_int_eq(s.failed, 0);
  ck_assert_int_eq(s.served, NCLIENTS * ROUNDS);
  for (i = 0; i < NCLIENTS; i++)
    close(from[i]);
}

START_TEST(poll_echo_server_200_pipe_clients)
{
  run_echo(0);
}
END_TEST

START_TEST(poll_echo_server_200_socketpair_clients)
{
  run_echo(1);
}
END_TEST

/* --- sockets: listeners, peers, TCP, all in one poll() ---------------------- */

/* A listener is POLLIN while a client waits; accept() without one is EAGAIN. */
START_TEST(poll_unix_listener_and_peer)
{
  struct sockaddr_un sa;
  struct pollfd pfd;
  char path[256], buf[8];
  int l, c, a;

  test_path(path, sizeof path, "pollsock");
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  ck_assert_uint_lt(strlen(path), sizeof sa.sun_path);
  memcpy(sa.sun_path, path, strlen(path));
  l = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
  ck_assert_int_ge(l, 0);
  ck_assert_int_eq(bind(l, (struct sockaddr *)&sa, sizeof sa), 0);
  ck_assert_int_eq(listen(l, 4), 0);
  ck_assert_int_eq(poll1(l, POLLIN, 0), 0);
  errno = 0;
  ck_assert_int_eq(accept(l, NULL, NULL), -1);
  ck_assert_int_eq(errno, EAGAIN);
  c = socket(AF_UNIX, SOCK_STREAM, 0);
  ck_assert_int_ge(c, 0);
  ck_assert_int_eq(connect(c, (struct sockaddr *)&sa, sizeof sa), 0);
  ck_assert_int_eq(poll1(l, POLLIN, 5000), POLLIN);
  a = accept4(l, NULL, NULL, SOCK_NONBLOCK);
  ck_assert_int_ge(a, 0);
  ck_assert_int_eq(poll1(l, POLLIN, 0), 0);
  ck_assert_int_eq(poll1(a, POLLIN, 0), 0);
  ck_assert_int_eq(poll1(a, POLLOUT, 0), POLLOUT);
  errno = 0;
  ck_assert_int_eq(read(a, buf, sizeof buf), -1);
  ck_assert_int_eq(errno, EAGAIN);
  ck_assert_int_eq(write(c, "sock", 4), 4);
  ck_assert_int_eq(poll1(a, POLLIN, 5000), POLLIN);
  ck_assert_int_eq(read(a, buf, sizeof buf), 4);
  ck_assert_int_eq(close(c), 0);
  pfd.fd = a;
  pfd.events = POLLIN;
  ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
  ck_assert(pfd.revents & POLLHUP);                     /* the peer closed */
  ck_assert(pfd.revents & POLLIN);                      /* read() returns EOF */
  ck_assert_int_eq(read(a, buf, sizeof buf), 0);
  close(a);
  close(l);
  unlink(path);
}
END_TEST

/* TCP (Winsock on Windows), a local socket and a pipe in one poll(). */
START_TEST(poll_tcp_unix_and_pipe_together)
{
  struct sockaddr_in in;
  socklen_t len = sizeof in;
  struct pollfd pfd[4];
  int tl, tc, ta, sv[2], p[2];
  char buf[8];

  tl = socket(AF_INET, SOCK_STREAM, 0);
  ck_assert_int_ge(tl, 0);
  memset(&in, 0, sizeof in);
  in.sin_family = AF_INET;
  in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ck_assert_int_eq(bind(tl, (struct sockaddr *)&in, sizeof in), 0);
  ck_assert_int_eq(listen(tl, 4), 0);
  ck_assert_int_eq(getsockname(tl, (struct sockaddr *)&in, &len), 0);
  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ck_assert_int_eq(pipe(p), 0);
  pfd[0].fd = tl;
  pfd[0].events = POLLIN;
  pfd[1].fd = sv[0];
  pfd[1].events = POLLIN;
  pfd[2].fd = p[0];
  pfd[2].events = POLLIN;
  ck_assert_int_eq(poll(pfd, 3, 0), 0);
  tc = socket(AF_INET, SOCK_STREAM, 0);
  ck_assert_int_ge(tc, 0);
  ck_assert_int_eq(connect(tc, (struct sockaddr *)&in, sizeof in), 0);
  ck_assert_int_eq(poll(pfd, 3, 5000), 1);
  ck_assert_int_eq(pfd[0].revents, POLLIN);             /* a client waits */
  ta = accept(tl, NULL, NULL);
  ck_assert_int_ge(ta, 0);
  pfd[0].fd = ta;
  pfd[3].fd = tc;
  pfd[3].events = POLLOUT;
  ck_assert_int_eq(poll(pfd, 4, 0), 1);
  ck_assert_int_eq(pfd[3].revents, POLLOUT);
  ck_assert_int_eq(write(tc, "tcp", 3), 3);
  ck_assert_int_eq(write(sv[1], "unix", 4), 4);
  ck_assert_int_eq(write(p[1], "pipe", 4), 4);
  pfd[3].events = 0;
  ck_assert_int_eq(poll(pfd, 4, 5000), 3);              /* all three, level-triggered */
  ck_assert_int_eq(pfd[0].revents, POLLIN);
  ck_assert_int_eq(pfd[1].revents, POLLIN);
  ck_assert_int_eq(pfd[2].revents, POLLIN);
  ck_assert_int_eq(pfd[3].revents, 0);
  ck_assert_int_eq(read(ta, buf, sizeof buf), 3);
  ck_assert_int_eq(read(sv[0], buf, sizeof buf), 4);
  ck_assert_int_eq(read(p[0], buf, sizeof buf), 4);
  ck_assert_int_eq(poll(pfd, 4, 0), 0);
  close(tc);
  ck_assert_int_eq(poll(pfd, 1, 5000), 1);              /* TCP peer gone: EOF readable */
  ck_assert_int_eq(pfd[0].revents, POLLIN);
  ck_assert_int_eq(read(ta, buf, sizeof buf), 0);
  close(ta);
  close(tl);
  close(sv[0]);
  close(sv[1]);
  close(p[0]);
  close(p[1]);
}
END_TEST

/* --- select() ---------------------------------------------------------------- */

START_TEST(select_pipe_read_write)
{
  struct timeval tv = { 0, 0 };
  fd_set r, w;
  int p[2], nfds;
  char c;

  ck_assert_int_eq(pipe(p), 0);
  nfds = (p[0] > p[1] ? p[0] : p[1]) + 1;
  FD_ZERO(&r);
  FD_ZERO(&w);
  FD_SET(p[0], &r);
  FD_SET(p[1], &w);
  ck_assert_int_eq(select(nfds, &r, &w, NULL, &tv), 1);
  ck_assert(!FD_ISSET(p[0], &r));
  ck_assert(FD_ISSET(p[1], &w));
  ck_assert_int_eq(write(p[1], "x", 1), 1);
  FD_ZERO(&r);
  FD_ZERO(&w);
  FD_SET(p[0], &r);
  FD_SET(p[1], &w);
  tv.tv_sec = 1;
  tv.tv_usec = 0;
  ck_assert_int_eq(select(nfds, &r, &w, NULL, &tv), 2);
  ck_assert(FD_ISSET(p[0], &r));
  ck_assert(FD_ISSET(p[1], &w));
  ck_assert_int_eq(read(p[0], &c, 1), 1);
  /* Writer gone: readable (read returns EOF). */
  close(p[1]);
  FD_ZERO(&r);
  FD_SET(p[0], &r);
  tv.tv_sec = 1;
  ck_assert_int_eq(select(p[0] + 1, &r, NULL, NULL, &tv), 1);
  ck_assert(FD_ISSET(p[0], &r));
  close(p[0]);
}
END_TEST

START_TEST(select_timeout_and_errors)
{
  struct timeval tv;
  fd_set r;
  int p[2];
  double t0, dt;

  ck_assert_int_eq(pipe(p), 0);
  FD_ZERO(&r);
  FD_SET(p[0], &r);
  tv.tv_sec = 0;
  tv.tv_usec = 50000;
  t0 = test_now_ms();
  ck_assert_int_eq(select(p[0] + 1, &r, NULL, NULL, &tv), 0);
  dt = test_now_ms() - t0;
  ck_assert_double_ge(dt, 50.0);
  ck_assert_double_lt(dt, 250.0);
  ck_assert(!FD_ISSET(p[0], &r));
  ck_assert_int_eq(tv.tv_sec, 0);                       /* Linux: the time left */
  ck_assert_int_eq(tv.tv_usec, 0);
  /* Exceptional conditions: none on a pipe. */
  ck_assert_int_eq(write(p[1], "x", 1), 1);
  FD_ZERO(&r);
  FD_SET(p[0], &r);
  tv.tv_sec = 0;
  tv.tv_usec = 0;
  ck_assert_int_eq(select(p[0] + 1, NULL, NULL, &r, &tv), 0);
  errno = 0;
  tv.tv_sec = -1;
  ck_assert_int_eq(select(p[0] + 1, &r, NULL, NULL, &tv), -1);
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  tv.tv_sec = 0;
  ck_assert_int_eq(select(-1, &r, NULL, NULL, &tv), -1);
  ck_assert_int_eq(errno, EINVAL);
  close(p[1]);
  FD_ZERO(&r);
  FD_SET(p[1], &r);
  errno = 0;
  ck_assert_int_eq(select(p[1] + 1, &r, NULL, NULL, &tv), -1);
  ck_assert_int_eq(errno, EBADF);
  close(p[0]);
}
END_TEST

static void *select_thread(void *arg)
{
  struct poller *pt = arg;
  fd_set r;

  FD_ZERO(&r);
  FD_SET(pt->fd, &r);
  pt->r = select(pt->fd + 1, &r, NULL, NULL, NULL);
  pt->revents = (short)(pt->r == 1 && FD_ISSET(pt->fd, &r));
  return NULL;
}

START_TEST(select_woken_by_thread_write)
{
  struct poller pt;
  pthread_t t;
  int p[2];

  ck_assert_int_eq(pipe(p), 0);
  pt.fd = p[0];
  ck_assert_int_eq(pthread_create(&t, NULL, select_thread, &pt), 0);
  test_sleep_ms(100);
  ck_assert_int_eq(write(p[1], "x", 1), 1);
  pthread_join(t, NULL);
  ck_assert_int_eq(pt.r, 1);
  ck_assert_int_eq(pt.revents, 1);
  close(p[0]);
  close(p[1]);
}
END_TEST

/* 300 pipes (600 fds) in one select(), past the 64-handle limit. */
START_TEST(select_many_fds)
{
  static int p[300][2];
  struct timeval tv = { 0, 0 };
  fd_set r, w;
  int i, maxfd = 0;

  for (i = 0; i < 300; i++) {
    ck_assert_int_eq(pipe(p[i]), 0);
    maxfd = p[i][0] > maxfd ? p[i][0] : maxfd;
    maxfd = p[i][1] > maxfd ? p[i][1] : maxfd;
  }
  ck_assert_int_lt(maxfd, FD_SETSIZE);
  ck_assert_int_eq(write(p[299][1], "z", 1), 1);
  ck_assert_int_eq(write(p[7][1], "z", 1), 1);
  FD_ZERO(&r);
  FD_ZERO(&w);
  for (i = 0; i < 300; i++)
    FD_SET(p[i][0], &r);
  FD_SET(p[150][1], &w);
  tv.tv_sec = 5;
  ck_assert_int_eq(select(maxfd + 1, &r, &w, NULL, &tv), 3);
  for (i = 0; i < 300; i++)
    ck_assert_int_eq(FD_ISSET(p[i][0], &r) != 0, i == 7 || i == 299);
  ck_assert(FD_ISSET(p[150][1], &w));
  for (i = 0; i < 300; i++) {
    close(p[i][0]);
    close(p[i][1]);
  }
}
END_TEST

Suite *suite_poll(void)
{
  Suite *s = suite_create("poll");
  TCase *tc = test_tcase("nonblock");

  tcase_add_test(tc, nonblock_fcntl_read_eagain);
  tcase_add_test(tc, nonblock_fionbio);
  tcase_add_test(tc, nonblock_shared_by_dup);
  tcase_add_test(tc, nonblock_full_pipe_write_rules);
  tcase_add_test(tc, fionread_counts_bytes);
  suite_add_tcase(s, tc);

  tc = test_tcase("poll");
  tcase_add_test(tc, poll_pipe_readable_after_write);
  tcase_add_test(tc, poll_rdnorm_wrnorm);
  tcase_add_test(tc, poll_hup_after_writer_closes);
  tcase_add_test(tc, poll_err_after_reader_closes);
  tcase_add_test(tc, poll_nval_for_closed_fd);
  tcase_add_test(tc, poll_negative_fd_ignored_revents_cleared);
  tcase_add_test(tc, poll_regular_file_always_ready);
  tcase_add_test(tc, poll_mixed_kinds);
  tcase_add_test(tc, poll_mixed_with_fifo);
  tcase_add_test(tc, poll_bad_arguments);
  tcase_add_test(tc, poll_timeouts_never_early);
  tcase_add_test(tc, poll_infinite_woken_by_thread_write);
  tcase_add_test(tc, poll_woken_by_writer_close);
  tcase_add_test(tc, poll_woken_by_other_process);
  tcase_add_test(tc, poll_pollout_after_reader_drains);
  tcase_add_test(tc, poll_pollerr_wakes_blocked_writer);
  tcase_add_test(tc, poll_close_while_polling);
  tcase_add_test(tc, poll_two_threads_same_fd);
  tcase_add_test(tc, poll_after_arming_thread_exits);
  tcase_add_test(tc, poll_zero_right_after_write);
  tcase_add_test(tc, poll_then_read_and_close_still_work);
  tcase_add_test(tc, poll_1024_fds);
  tcase_add_test(tc, poll_idle_uses_no_cpu);
  tcase_add_test(tc, poll_echo_server_200_pipe_clients);
  tcase_add_test(tc, poll_echo_server_200_socketpair_clients);
  tcase_add_test(tc, poll_unix_listener_and_peer);
  tcase_add_test(tc, poll_tcp_unix_and_pipe_together);
  suite_add_tcase(s, tc);

  tc = test_tcase("select");
  tcase_add_test(tc, select_pipe_read_write);
  tcase_add_test(tc, select_timeout_and_errors);
  tcase_add_test(tc, select_woken_by_thread_write);
  tcase_add_test(tc, select_many_fds);
  suite_add_tcase(s, tc);
  return s;
}
