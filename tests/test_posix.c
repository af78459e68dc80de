/*
 * The POSIX pieces ports trip on (issue 16): binary std fds, the fd limit
 * and RLIMIT_NOFILE, dup3, pread/pwrite, ppoll/pselect, random, the errno
 * names, and the calls whose results differed from Linux.
 */
#include "ipcx_test.h"
#include <ipcx.h>
#include <poll.h>
#include <spawn.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/wait.h>

extern char **environ;

/* --- binary std fds -------------------------------------------------------- */

#define BINARY_SIZE 104000

static void make_binary(unsigned char *b, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    b[i] = (unsigned char)(i * 7 + i / 256);    /* every byte value, in changing order */
  memcpy(b, "\r\n\x1a\n\r\r\n\x1a\x1a", 9);   /* CR LF, Ctrl-Z (text mode's EOF) */
  b[n - 1] = '\n';
  b[n - 2] = '\r';
}

/* A ported filter (cat: read(0) -> write(1)) started by a parent that
 * is not ipcx: the shell's (cmd.exe's) redirection hands it std fds that a
 * C runtime would open in text mode.  Every byte must pass unchanged. */
START_TEST(posix_binary_std_fds)
{
  unsigned char *want = malloc(BINARY_SIZE), *got = malloc(BINARY_SIZE + 16);
  char in[256], out[256], cmd[2400], self[1024], cwd[700];
  ssize_t n;
  int fd;

  ck_assert_ptr_nonnull(want);
  ck_assert_ptr_nonnull(got);
  make_binary(want, BINARY_SIZE);
  test_path(in, sizeof in, "bin-in");
  test_path(out, sizeof out, "bin-out");
  fd = open(in, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(test_write_all(fd, want, BINARY_SIZE), BINARY_SIZE);
  close(fd);
  /* system(): /bin/sh natively, cmd.exe /c under Windows, neither of them
   * ipcx.  No quotes (cmd.exe strips the first and last of the line): the
   * paths must hold no spaces.  An absolute program path, as cmd.exe takes a
   * relative one with '/' for a switch. */
  if (test_self[0] == '/' || (test_self[0] != 0 && test_self[1] == ':'))
    snprintf(self, sizeof self, "%s", test_self);
  else
    snprintf(self, sizeof self, "%s/%s", getcwd(cwd, sizeof cwd), test_self);
  snprintf(cmd, sizeof cmd, "%s --helper cat < %s > %s", self, in, out);
  ck_assert_int_eq(system(cmd), 0);
  fd = open(out, O_RDONLY);
  ck_assert_int_ge(fd, 0);
  n = test_read_all(fd, got, BINARY_SIZE);
  ck_assert_int_eq(n, BINARY_SIZE);
  ck_assert_int_eq(read(fd, got, 16), 0);    /* nothing more (no CR added) */
  close(fd);
  ck_assert_int_eq(memcmp(got, want, BINARY_SIZE), 0);
  unlink(in);
  unlink(out);
  free(want);
  free(got);
}
END_TEST

/* fopen() makes binary streams too (_fmode): "\n" is one byte in the file. */
START_TEST(posix_binary_fopen)
{
  char path[256];
  struct stat st;
  FILE *f;

  test_path(path, sizeof path, "fmode");
  f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  ck_assert_int_ge(fputs("a\nb\n", f), 0);
  ck_assert_int_eq(fclose(f), 0);
  ck_assert_int_eq(stat(path, &st), 0);
  ck_assert_int_eq(st.st_size, 4);
  unlink(path);
}
END_TEST

/* --- the fd limit ---------------------------------------------------------- */

/* getrlimit, sysconf and getdtablesize agree; raising to the hard limit works;
 * past it is EPERM, soft above hard EINVAL. */
START_TEST(posix_rlimit_nofile)
{
  struct rlimit rl, saved, r, *volatile null_rl = NULL;

  ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &saved), 0);
  ck_assert(saved.rlim_cur <= saved.rlim_max);
  ck_assert_int_eq(sysconf(_SC_OPEN_MAX), (long)saved.rlim_cur);
  ck_assert_int_eq(getdtablesize(), (int)saved.rlim_cur);
  errno = 0;
  ck_assert_int_eq(fcntl(0, F_DUPFD, getdtablesize()), -1);   /* at the limit: EINVAL */
  ck_assert_int_eq(errno, EINVAL);
  rl = saved;
  rl.rlim_cur = rl.rlim_max;
  ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
  ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &r), 0);
  ck_assert(r.rlim_cur == saved.rlim_max && r.rlim_max == saved.rlim_max);
  ck_assert_int_eq(sysconf(_SC_OPEN_MAX), (long)saved.rlim_max);
  rl.rlim_cur = rl.rlim_max + 1;
  errno = 0;
  ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), -1);
  ck_assert_int_eq(errno, EINVAL);
  rl.rlim_cur = rl.rlim_max = RLIM_INFINITY;   /* past nr_open: EPERM even for root */
  errno = 0;
  ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), -1);
  ck_assert_int_eq(errno, EPERM);
  ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, null_rl), 0);    /* asks for nothing */
  errno = 0;
  ck_assert_int_eq(getrlimit(-1, &rl), -1);
  ck_assert_int_eq(errno, EINVAL);
  ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &saved), 0);
}
END_TEST

/* At a lowered soft limit: new fds EMFILE, F_DUPFD at the limit EINVAL, dup2 to it EBADF. */
START_TEST(posix_soft_limit_enforced)
{
  struct rlimit saved, rl;
  int fd, p[2], lim, e[8], i = 0;

  ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &saved), 0);
  fd = open("/dev/null", O_RDONLY);
  ck_assert_int_ge(fd, 0);
  lim = fd + 1;
  rl = saved;
  rl.rlim_cur = (rlim_t)lim;
  ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
  ck_assert_int_eq(getdtablesize(), lim);
  errno = 0;
  e[i++] = open("/dev/null", O_RDONLY) < 0 ? errno : 0;
  errno = 0;
  e[i++] = dup(fd) < 0 ? errno : 0;
  errno = 0;
  e[i++] = pipe(p) < 0 ? errno : 0;
  errno = 0;
  e[i++] = fcntl(fd, F_DUPFD, lim) < 0 ? errno : 0;
  errno = 0;
  e[i++] = dup2(fd, lim) < 0 ? errno : 0;
  ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &saved), 0);
  close(fd);
  ck_assert_int_eq(e[0], EMFILE);
  ck_assert_int_eq(e[1], EMFILE);
  ck_assert_int_eq(e[2], EMFILE);
  ck_assert_int_eq(e[3], EINVAL);
  ck_assert_int_eq(e[4], EBADF);
}
END_TEST

#define MANY 3000

/* Open files up to the real limit: the last fd is getdtablesize() - 1, the
 * next open() is EMFILE, and every fd up there takes a stdio stream (msvcrt
 * stopped at about 509 FILEs). */
START_TEST(posix_open_to_the_limit)
{
  struct rlimit saved, rl;
  static int fds[MANY];
  static FILE *fps[MANY];
  int n, i, err = 0, lim;

  ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &saved), 0);
  rl = saved;
  rl.rlim_cur = rl.rlim_max < MANY ? rl.rlim_max : MANY;
  ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
  lim = getdtablesize();
  for (n = 0; n < MANY; n++) {
    errno = 0;
    fds[n] = open("/dev/null", O_RDONLY);
    if (fds[n] < 0) {
      err = errno;
      break;
    }
    fps[n] = fdopen(fds[n], "r");
    if (fps[n] == NULL) {
      err = -errno;
      break;
    }
  }
  for (i = 0; i < n; i++)
    fclose(fps[i]);
  if (err < 0)
    close(fds[n]);
  ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &saved), 0);
  ck_assert_int_eq(err, EMFILE);
  ck_assert_int_lt(n, MANY);
  ck_assert_int_eq(fds[n - 1], lim - 1);
}
END_TEST

/* poll() takes 10,000 entries (fd -1 and duplicates are fine) when
 * RLIMIT_NOFILE allows it; past RLIMIT_NOFILE it is EINVAL. */
START_TEST(posix_poll_10000)
{
  struct rlimit saved, rl;
  struct pollfd *fds = calloc(10000, sizeof *fds), *volatile no_fds = NULL;
  int p[2], i, want = 0, r;

  ck_assert_ptr_nonnull(fds);
  ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &saved), 0);
  rl = saved;
  if (rl.rlim_cur < 10000)
    rl.rlim_cur = rl.rlim_max < 10000 ? rl.rlim_max : 10000;
  ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(write(p[1], "x", 1), 1);
  for (i = 0; i < 10000; i++) {
    fds[i].fd = i % 3 == 0 ? -1 : i % 3 == 1 ? p[0] : p[1];
    fds[i].events = i % 3 == 1 ? POLLIN : POLLOUT;
    want += i % 3 != 0;
  }
  r = poll(fds, 10000, 0);
  ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &saved), 0);
  ck_assert_int_eq(r, want);
  for (i = 0; i < 10000; i++)
    ck_assert_int_eq(fds[i].revents, i % 3 == 0 ? 0 : i % 3 == 1 ? POLLIN : POLLOUT);
  close(p[0]);
  close(p[1]);
  free(fds);
  errno = 0;
  ck_assert_int_eq(poll(no_fds, (nfds_t)1048577, 0), -1);    /* above any RLIMIT_NOFILE */
  ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* --- dup3, pread, pwrite --------------------------------------------------- */

START_TEST(posix_dup3)
{
  int p[2], d;

  ck_assert_int_eq(pipe(p), 0);
  d = dup3(p[1], 40, O_CLOEXEC);
  ck_assert_int_eq(d, 40);
  ck_assert_int_eq(fcntl(d, F_GETFD), FD_CLOEXEC);
  ck_assert_int_eq(dup3(p[1], 40, 0), 40);
  ck_assert_int_eq(fcntl(d, F_GETFD), 0);
  ck_assert_int_eq(write(d, "3", 1), 1);
  close(d);
  errno = 0;
  ck_assert_int_eq(dup3(p[1], p[1], 0), -1);
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_int_eq(dup3(77, 77, 0), -1);     /* Linux checks oldfd == newfd first */
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_int_eq(dup3(p[1], 41, 1), -1);
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_int_eq(dup3(77, 78, 0), -1);
  ck_assert_int_eq(errno, EBADF);
  close(p[0]);
  close(p[1]);
}
END_TEST

START_TEST(posix_pread_pwrite)
{
  char path[256], buf[16] = { 0 };
  int fd, p[2], sv[2];

  test_path(path, sizeof path, "pread");
  fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(write(fd, "0123456789", 10), 10);
  ck_assert_int_eq(lseek(fd, 2, SEEK_SET), 2);
  ck_assert_int_eq(pread(fd, buf, 3, 5), 3);
  ck_assert_int_eq(memcmp(buf, "567", 3), 0);
  ck_assert_int_eq(lseek(fd, 0, SEEK_CUR), 2);  /* the offset did not move */
  ck_assert_int_eq(pwrite(fd, "ab", 2, 8), 2);
  ck_assert_int_eq(lseek(fd, 0, SEEK_CUR), 2);
  ck_assert_int_eq(pread(fd, buf, 16, 7), 3);
  ck_assert_int_eq(memcmp(buf, "7ab", 3), 0);
  ck_assert_int_eq(pread(fd, buf, 4, 100), 0);  /* past the end: EOF */
  ck_assert_int_eq(read(fd, buf, 2), 2);
  ck_assert_int_eq(memcmp(buf, "23", 2), 0);
  errno = 0;
  ck_assert_int_eq(pread(fd, buf, 1, -1), -1);
  ck_assert_int_eq(errno, EINVAL);
  close(fd);
  unlink(path);

  /* No offset on pipes and sockets: ESPIPE. */
  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  errno = 0;
  ck_assert_int_eq(pread(p[0], buf, 1, 0), -1);
  ck_assert_int_eq(errno, ESPIPE);
  errno = 0;
  ck_assert_int_eq(pwrite(p[1], "x", 1, 0), -1);
  ck_assert_int_eq(errno, ESPIPE);
  errno = 0;
  ck_assert_int_eq(pread(sv[0], buf, 1, 0), -1);
  ck_assert_int_eq(errno, ESPIPE);
  errno = 0;
  ck_assert_int_eq(pwrite(sv[1], "x", 1, 0), -1);
  ck_assert_int_eq(errno, ESPIPE);
  close(p[0]);
  close(p[1]);
  close(sv[0]);
  close(sv[1]);
}
END_TEST

/* --- ppoll, pselect -------------------------------------------------------- */

START_TEST(posix_ppoll_pselect)
{
  struct timespec ts = { 0, 20 * 1000 * 1000 }, bad = { 0, 1000000000L };
  struct pollfd pfd;
  fd_set r;
  int p[2];

  ck_assert_int_eq(pipe(p), 0);
  pfd.fd = p[0];
  pfd.events = POLLIN;
  ck_assert_int_eq(ppoll(&pfd, 1, &ts, NULL), 0);          /* nothing yet: timeout */
  FD_ZERO(&r);
  FD_SET(p[0], &r);
  ck_assert_int_eq(pselect(p[0] + 1, &r, NULL, NULL, &ts, NULL), 0);
  ck_assert(ts.tv_sec == 0 && ts.tv_nsec == 20 * 1000 * 1000);  /* pselect leaves it */
  ck_assert_int_eq(write(p[1], "x", 1), 1);
  ck_assert_int_eq(ppoll(&pfd, 1, NULL, NULL), 1);
  ck_assert_int_eq(pfd.revents, POLLIN);
  FD_ZERO(&r);
  FD_SET(p[0], &r);
  ck_assert_int_eq(pselect(p[0] + 1, &r, NULL, NULL, NULL, NULL), 1);
  ck_assert(FD_ISSET(p[0], &r));
  errno = 0;
  ck_assert_int_eq(ppoll(&pfd, 1, &bad, NULL), -1);
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_int_eq(pselect(p[0] + 1, &r, NULL, NULL, &bad, NULL), -1);
  ck_assert_int_eq(errno, EINVAL);
  close(p[0]);
  close(p[1]);
}
END_TEST

/* --- the rest ------------------------------------------------------------- */

START_TEST(posix_random_is_glibcs)
{
  srandom(1);
  ck_assert_int_eq(random(), 1804289383L);
  ck_assert_int_eq(random(), 846930886L);
  srandom(12345);
  ck_assert_int_eq(random(), 383100999L);
  srandom(3000000000u);
  ck_assert_int_eq(random(), 2058147116L);
}
END_TEST

START_TEST(posix_errno_names)
{
  ck_assert_str_eq(strerror(ESHUTDOWN), "Cannot send after transport endpoint shutdown");
  ck_assert_str_eq(strerror(ETOOMANYREFS), "Too many references: cannot splice");
  ck_assert_str_eq(strerror(EHOSTDOWN), "Host is down");
  ck_assert_str_eq(strerror(EPFNOSUPPORT), "Protocol family not supported");
  ck_assert_str_eq(strerror(ESOCKTNOSUPPORT), "Socket type not supported");
  ck_assert_str_eq(strerror(EDQUOT), "Disk quota exceeded");
  ck_assert_str_eq(strerror(ESTALE), "Stale file handle");
  ck_assert_str_eq(strerror(EUSERS), "Too many users");
  ck_assert_str_eq(strerror(EREMOTE), "Object is remote");
  ck_assert_str_eq(strerror(ENOTBLK), "Block device required");
  ck_assert_int_ne(ESHUTDOWN, EPIPE);
  ck_assert_int_ne(EHOSTDOWN, EHOSTUNREACH);
}
END_TEST

/* strsignal() with glibc's texts; MinGW has none (configure's AC_CHECK_FUNCS
 * links it: libipcx carries the name). */
START_TEST(posix_strsignal)
{
  ck_assert_str_eq(strsignal(SIGHUP), "Hangup");
  ck_assert_str_eq(strsignal(SIGINT), "Interrupt");
  ck_assert_str_eq(strsignal(SIGABRT), "Aborted");
  ck_assert_str_eq(strsignal(SIGKILL), "Killed");
  ck_assert_str_eq(strsignal(SIGSEGV), "Segmentation fault");
  ck_assert_str_eq(strsignal(SIGPIPE), "Broken pipe");
  ck_assert_str_eq(strsignal(SIGALRM), "Alarm clock");
  ck_assert_str_eq(strsignal(SIGTERM), "Terminated");
  ck_assert_str_eq(strsignal(SIGCHLD), "Child exited");
  ck_assert_str_eq(strsignal(SIGUSR1), "User defined signal 1");
  ck_assert_str_eq(strsignal(SIGSYS), "Bad system call");
  ck_assert_str_eq(strsignal(0), "Unknown signal 0");
  ck_assert_str_eq(strsignal(32), "Unknown signal 32");
  ck_assert_str_eq(strsignal(34), "Real-time signal 0");
  ck_assert_str_eq(strsignal(64), "Real-time signal 30");
  ck_assert_str_eq(strsignal(65), "Unknown signal 65");
  ck_assert_str_eq(strsignal(-1), "Unknown signal -1");
}
END_TEST

START_TEST(posix_sysconf)
{
  ck_assert_int_gt(sysconf(_SC_PAGESIZE), 0);
  ck_assert_int_eq(sysconf(_SC_PAGESIZE), getpagesize());
  ck_assert_int_eq(sysconf(_SC_PAGE_SIZE), getpagesize());
  ck_assert_int_gt(sysconf(_SC_NPROCESSORS_ONLN), 0);
  ck_assert_int_eq(sysconf(_SC_IOV_MAX), IOV_MAX);
  ck_assert_int_eq(sysconf(_SC_CLK_TCK), 100);
  errno = 0;
  ck_assert_int_eq(sysconf(-1), -1);
  ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(posix_isatty_null_device)
{
  int fd = open("/dev/null", O_RDWR);

  ck_assert_int_ge(fd, 0);
  errno = 0;
  ck_assert_int_eq(isatty(fd), 0);
  ck_assert_int_eq(errno, ENOTTY);
  close(fd);
}
END_TEST

START_TEST(posix_fionread)
{
  char path[256];
  int p[2], fd, n = -1;

  /* A pipe's write end counts what is queued in the pipe. */
  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(write(p[1], "12345678", 8), 8);
  ck_assert_int_eq(ioctl(p[1], FIONREAD, &n), 0);
  ck_assert_int_eq(n, 8);
  n = -1;
  ck_assert_int_eq(ioctl(p[0], FIONREAD, &n), 0);
  ck_assert_int_eq(n, 8);
  close(p[0]);
  close(p[1]);
  /* A regular file: the bytes from the offset to the end. */
  test_path(path, sizeof path, "fionread");
  fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(write(fd, "0123456789", 10), 10);
  ck_assert_int_eq(lseek(fd, 3, SEEK_SET), 3);
  ck_assert_int_eq(ioctl(fd, FIONREAD, &n), 0);
  ck_assert_int_eq(n, 7);
  ck_assert_int_eq(lseek(fd, 20, SEEK_SET), 20);
  ck_assert_int_eq(ioctl(fd, FIONREAD, &n), 0);
  ck_assert_int_eq(n, -10);                     /* past the end: Linux's size - offset */
  close(fd);
  unlink(path);
  /* A device: ENOTTY. */
  fd = open("/dev/null", O_RDONLY);
  ck_assert_int_ge(fd, 0);
  errno = 0;
  ck_assert_int_eq(ioctl(fd, FIONREAD, &n), -1);
  ck_assert_int_eq(errno, ENOTTY);
  close(fd);
}
END_TEST

START_TEST(posix_kill_own_group)
{
  ck_assert_int_eq(kill(0, 0), 0);
}
END_TEST

/* read() into NULL copies nothing until there is something: EAGAIN while empty. */
START_TEST(posix_read_null_empty_nonblocking)
{
  char *volatile nothing = NULL;
  int p[2], sv[2];

  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ck_assert_int_eq(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
  errno = 0;
  ck_assert_int_eq(read(p[0], nothing, 10), -1);
  ck_assert_int_eq(errno, EAGAIN);
  errno = 0;
  ck_assert_int_eq(read(sv[0], nothing, 10), -1);
  ck_assert_int_eq(errno, EAGAIN);
  ck_assert_int_eq(write(p[1], "x", 1), 1);
  ck_assert_int_eq(write(sv[1], "x", 1), 1);
  test_sleep_ms(20);
  errno = 0;
  ck_assert_int_eq(read(p[0], nothing, 10), -1);
  ck_assert_int_eq(errno, EFAULT);
  errno = 0;
  ck_assert_int_eq(read(sv[0], nothing, 10), -1);
  ck_assert_int_eq(errno, EFAULT);
  close(p[0]);
  close(p[1]);
  close(sv[0]);
  close(sv[1]);
}
END_TEST

/* writev whose total passes SSIZE_MAX: Linux cuts it and faults (EFAULT);
 * one piece over SSIZE_MAX is EINVAL. */
START_TEST(posix_writev_overflow)
{
  char b[8] = "abcdefgh";
  struct iovec v[2] = { { b, 8 }, { b, (size_t)SSIZE_MAX } };
  int p[2];

  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
  errno = 0;
  ck_assert_int_eq(writev(p[1], v, 2), -1);
  ck_assert_int_eq(errno, EFAULT);
  v[0].iov_len = (size_t)SSIZE_MAX + 1;
  v[1].iov_len = 1;
  errno = 0;
  ck_assert_int_eq(writev(p[1], v, 2), -1);
  ck_assert_int_eq(errno, EINVAL);
  close(p[0]);
  close(p[1]);
}
END_TEST

/* A "#!" script: Linux runs it; Windows has no interpreter lines. */
START_TEST(posix_spawn_script)
{
  char path[256];
  char *argv[] = { path, NULL };
  pid_t pid = -1;
  int fd, r;

  test_path(path, sizeof path, "script.sh");
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0700);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(write(fd, "#!/bin/sh\nexit 3\n", 17), 17);
  close(fd);
  chmod(path, 0700);
  r = posix_spawn(&pid, path, NULL, NULL, argv, environ);
#ifdef _WIN32
  /* CreateProcess runs Windows programs only: ENOEXEC, never a child that
   * does not end (README, differences). */
  ck_assert_int_eq(r, ENOEXEC);
#else
  ck_assert_int_eq(r, 0);
  {
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 3);
  }
#endif
  unlink(path);
}
END_TEST

/* posix_spawn_file_actions_addchdir, POSIX 2024's name (glibc before 2.41
 * has only the _np one: called here by its ipcx_ name on both targets). */
START_TEST(posix_spawn_addchdir)
{
  posix_spawn_file_actions_t fa;
  char *argv[] = { (char *)test_self, "--helper", "exit", "0", NULL };
  pid_t pid;

  posix_spawn_file_actions_init(&fa);
  ck_assert_int_eq(ipcx_posix_spawn_file_actions_addchdir(&fa, "/nonexistent/ipcx-dir"), 0);
  ck_assert_int_eq(posix_spawn(&pid, test_self, &fa, NULL, argv, environ), ENOENT);
  posix_spawn_file_actions_destroy(&fa);
}
END_TEST

/* --- exact paths ----------------------------------------------------------- */

/* A listening AF_UNIX stream socket at path, or -1. */
static int listen_at(const char *path)
{
  struct sockaddr_un a;
  socklen_t n = test_addr(&a, path);
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);

  if (fd < 0)
    return -1;
  if (bind(fd, (struct sockaddr *)&a, n) < 0 || listen(fd, 4) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* connect() to path: the connected fd, or -1 with errno. */
static int connect_to(const char *path)
{
  struct sockaddr_un a;
  socklen_t n = test_addr(&a, path);
  int fd = socket(AF_UNIX, SOCK_STREAM, 0), e;

  if (fd < 0)
    return -1;
  if (connect(fd, (struct sockaddr *)&a, n) < 0) {
    e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

/* 1 if listening socket l has a connection waiting (it is accepted and closed). */
static int has_client(int l)
{
  struct pollfd p = { l, POLLIN, 0 };
  int c;

  if (poll(&p, 1, 2000) != 1)
    return 0;
  c = accept(l, NULL, NULL);
  if (c < 0)
    return 0;
  close(c);
  return 1;
}

/* "t." and "t" are two sockets; "t.." reaches neither (Windows would strip the dots). */
START_TEST(posix_exact_trailing_dots)
{
  char dir[256], dot[300], plain[300], dots[300], sp[300];
  struct stat st;
  int a, b, c;

  test_path(dir, sizeof dir, "exact");
  ck_assert_int_eq(mkdir(dir, 0700), 0);
  snprintf(dot, sizeof dot, "%s/t.", dir);
  snprintf(plain, sizeof plain, "%s/t", dir);
  snprintf(dots, sizeof dots, "%s/t..", dir);
  snprintf(sp, sizeof sp, "%s/t ", dir);
  a = listen_at(dot);
  ck_assert_int_ge(a, 0);
  b = listen_at(plain);
  ck_assert_int_ge(b, 0);                       /* not EADDRINUSE */
  c = connect_to(plain);
  ck_assert_int_ge(c, 0);
  ck_assert(has_client(b));
  close(c);
  c = connect_to(dot);
  ck_assert_int_ge(c, 0);
  ck_assert(has_client(a));
  close(c);
  errno = 0;
  ck_assert_int_eq(connect_to(dots), -1);       /* no such file */
  ck_assert_int_eq(errno, ENOENT);
  errno = 0;
  ck_assert_int_eq(connect_to(sp), -1);
  ck_assert_int_eq(errno, ENOENT);
  close(a);
  close(b);
  ck_assert_int_eq(unlink(dot), 0);
  ck_assert_int_eq(unlink(plain), 0);
  errno = 0;
  ck_assert_int_eq(unlink(dot), -1);
  ck_assert_int_eq(errno, ENOENT);
  /* FIFOs and files the same way. */
  ck_assert_int_eq(mkfifo(dot, 0600), 0);
  ck_assert_int_eq(mkfifo(plain, 0600), 0);
  ck_assert_int_eq(stat(dot, &st), 0);
  ck_assert(S_ISFIFO(st.st_mode));
  ck_assert_int_eq(unlink(dot), 0);
  ck_assert_int_eq(stat(plain, &st), 0);
  ck_assert(S_ISFIFO(st.st_mode));
  ck_assert_int_eq(unlink(plain), 0);
  a = open(sp, O_WRONLY | O_CREAT | O_EXCL, 0600);
  ck_assert_int_ge(a, 0);
  close(a);
  errno = 0;
  ck_assert_int_eq(stat(plain, &st), -1);      /* "t " is not "t" */
  ck_assert_int_eq(errno, ENOENT);
  ck_assert_int_eq(unlink(sp), 0);
  ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* Device names are ordinary names in a directory. */
START_TEST(posix_exact_device_names)
{
  static const char *names[] = { "CON", "NUL", "aux.sock", "com1", "PRN.txt" };
  char dir[256], path[300], c = 0;
  struct stat st;
  size_t i;
  int l, fd, s;

  test_path(dir, sizeof dir, "devnames");
  ck_assert_int_eq(mkdir(dir, 0700), 0);
  for (i = 0; i < sizeof names / sizeof *names; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    l = listen_at(path);
    ck_assert_msg(l >= 0, "bind(%s): errno %d", names[i], errno);
    s = connect_to(path);
    ck_assert_msg(s >= 0, "connect(%s): errno %d", names[i], errno);
    fd = accept(l, NULL, NULL);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(s, "d", 1), 1);
    ck_assert_int_eq(read(fd, &c, 1), 1);
    ck_assert_int_eq(c, 'd');
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert(S_ISSOCK(st.st_mode));
    close(fd);
    close(s);
    close(l);
    ck_assert_int_eq(unlink(path), 0);
    /* And as a regular file. */
    fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
    ck_assert_msg(fd >= 0, "open(%s): errno %d", names[i], errno);
    ck_assert_int_eq(write(fd, "12345", 5), 5);
    close(fd);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert(S_ISREG(st.st_mode));
    ck_assert_int_eq(st.st_size, 5);
    ck_assert_int_eq(unlink(path), 0);
  }
  ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

#define LONG_NAME "dddddddddddddddddddddddddddddddddddddddddddddddddd" \
                  "dddddddddddddddddddddddddddddddddddddddddddddddddd"

/* mkdir and chdir with relative paths over 260 characters, and files there. */
START_TEST(posix_exact_long_relative_paths)
{
  char dir[256], cwd[1024], rel[400], file[450];
  struct stat st;
  int fd;

  ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
  test_path(dir, sizeof dir, "long");
  ck_assert_int_eq(mkdir(dir, 0700), 0);
  ck_assert_int_eq(chdir(dir), 0);
  ck_assert_int_eq(mkdir(LONG_NAME, 0700), 0);
  ck_assert_int_eq(mkdir(LONG_NAME "/" LONG_NAME, 0700), 0);
  snprintf(rel, sizeof rel, "%s/%s/%s", LONG_NAME, LONG_NAME, LONG_NAME);
  ck_assert_int_gt(strlen(rel), 300);
  ck_assert_int_eq(mkdir(rel, 0700), 0);
  snprintf(file, sizeof file, "%s/f", rel);
  fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(write(fd, "deep", 4), 4);
  close(fd);
  ck_assert_int_eq(stat(file, &st), 0);
  ck_assert_int_eq(st.st_size, 4);
  ck_assert_int_eq(stat(rel, &st), 0);
  ck_assert(S_ISDIR(st.st_mode));
  ck_assert_int_eq(chdir(rel), 0);
  fd = open("f", O_RDONLY);                     /* relative to the deep directory */
  ck_assert_int_ge(fd, 0);
  close(fd);
  ck_assert_int_eq(unlink("f"), 0);
  ck_assert_int_eq(chdir(".."), 0);
  ck_assert_int_eq(rmdir(LONG_NAME), 0);
  ck_assert_int_eq(chdir("../.."), 0);
  ck_assert_int_eq(rmdir(LONG_NAME "/" LONG_NAME), 0);
  ck_assert_int_eq(rmdir(LONG_NAME), 0);
  ck_assert_int_eq(chdir(cwd), 0);
  ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* unlink and rmdir on the wrong kind, as Linux. */
START_TEST(posix_exact_unlink_rmdir_errors)
{
  char dir[256], file[300];
  int fd;

  test_path(dir, sizeof dir, "rmdir");
  ck_assert_int_eq(mkdir(dir, 0700), 0);
  errno = 0;
  ck_assert_int_eq(mkdir(dir, 0700), -1);
  ck_assert_int_eq(errno, EEXIST);
  snprintf(file, sizeof file, "%s/f", dir);
  fd = open(file, O_WRONLY | O_CREAT, 0400);    /* read-only: unlink still works */
  ck_assert_int_ge(fd, 0);
  close(fd);
  errno = 0;
  ck_assert_int_eq(rmdir(file), -1);
  ck_assert_int_eq(errno, ENOTDIR);
  errno = 0;
  ck_assert_int_eq(unlink(dir), -1);
  ck_assert_int_eq(errno, EISDIR);
  errno = 0;
  ck_assert_int_eq(rmdir(dir), -1);
  ck_assert_int_eq(errno, ENOTEMPTY);
  ck_assert_int_eq(unlink(file), 0);
  ck_assert_int_eq(rmdir(dir), 0);
  errno = 0;
  ck_assert_int_eq(rmdir(dir), -1);
  ck_assert_int_eq(errno, ENOENT);
}
END_TEST

Suite *suite_posix(void)
{
  Suite *s = suite_create("posix");
  TCase *tc = test_tcase("posix");

  tcase_add_test(tc, posix_binary_std_fds);
  tcase_add_test(tc, posix_binary_fopen);
  tcase_add_test(tc, posix_rlimit_nofile);
  tcase_add_test(tc, posix_soft_limit_enforced);
  tcase_add_test(tc, posix_open_to_the_limit);
  tcase_add_test(tc, posix_poll_10000);
  tcase_add_test(tc, posix_dup3);
  tcase_add_test(tc, posix_pread_pwrite);
  tcase_add_test(tc, posix_ppoll_pselect);
  tcase_add_test(tc, posix_random_is_glibcs);
  tcase_add_test(tc, posix_errno_names);
  tcase_add_test(tc, posix_sysconf);
  tcase_add_test(tc, posix_isatty_null_device);
  tcase_add_test(tc, posix_fionread);
  tcase_add_test(tc, posix_kill_own_group);
  tcase_add_test(tc, posix_read_null_empty_nonblocking);
  tcase_add_test(tc, posix_writev_overflow);
  tcase_add_test(tc, posix_spawn_script);
  tcase_add_test(tc, posix_spawn_addchdir);
  tcase_add_test(tc, posix_exact_trailing_dots);
  tcase_add_test(tc, posix_exact_device_names);
  tcase_add_test(tc, posix_exact_long_relative_paths);
  tcase_add_test(tc, posix_exact_unlink_rmdir_errors);
  tcase_add_test(tc, posix_strsignal);
  suite_add_tcase(s, tc);
  return s;
}
