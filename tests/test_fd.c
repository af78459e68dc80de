/* The calls that work on any fd: close, dup, dup2, fcntl, and bad fds. */
#include "ipcx_test.h"

START_TEST(fd_bad_fds_are_ebadf)
{
  char c = 0;
  int p[2];

  errno = 0;
  ck_assert_int_eq(read(-1, &c, 1), -1);
  ck_assert_int_eq(errno, EBADF);
  errno = 0;
  ck_assert_int_eq(write(-1, &c, 1), -1);
  ck_assert_int_eq(errno, EBADF);
  errno = 0;
  ck_assert_int_eq(read(4000, &c, 1), -1);
  ck_assert_int_eq(errno, EBADF);
  errno = 0;
  ck_assert_int_eq(close(-1), -1);
  ck_assert_int_eq(errno, EBADF);
  errno = 0;
  ck_assert_int_eq(close(4000), -1);
  ck_assert_int_eq(errno, EBADF);
  errno = 0;
  ck_assert_int_eq(dup(-1), -1);
  ck_assert_int_eq(errno, EBADF);
  errno = 0;
  ck_assert_int_eq(fcntl(4000, F_GETFD), -1);
  ck_assert_int_eq(errno, EBADF);
  /* A closed fd is as bad as one never opened. */
  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(close(p[0]), 0);
  ck_assert_int_eq(close(p[1]), 0);
  errno = 0;
  ck_assert_int_eq(write(p[1], &c, 1), -1);
  ck_assert_int_eq(errno, EBADF);
  errno = 0;
  ck_assert_int_eq(read(p[0], &c, 1), -1);
  ck_assert_int_eq(errno, EBADF);
  errno = 0;
  ck_assert_int_eq(close(p[0]), -1);
  ck_assert_int_eq(errno, EBADF);
}
END_TEST

START_TEST(fd_dup_shares_the_pipe)
{
  int p[2], d;
  char buf[8] = { 0 };

  ck_assert_int_eq(pipe(p), 0);
  d = dup(p[1]);
  ck_assert_int_ge(d, 0);
  ck_assert_int_ne(d, p[1]);
  ck_assert_int_eq(close(p[1]), 0);
  ck_assert_int_eq(write(d, "dup", 3), 3);     /* the pipe is still open through d */
  ck_assert_int_eq(read(p[0], buf, sizeof buf), 3);
  ck_assert_str_eq(buf, "dup");
  ck_assert_int_eq(close(d), 0);
  ck_assert_int_eq(read(p[0], buf, sizeof buf), 0);   /* last writer gone: EOF */
  close(p[0]);
}
END_TEST

START_TEST(fd_dup_gives_lowest_free)
{
  int p[2], q[2], d;

  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(pipe(q), 0);
  ck_assert_int_eq(close(p[0]), 0);
  d = dup(q[1]);
  ck_assert_int_eq(d, p[0]);
  close(d);
  close(p[1]);
  close(q[0]);
  close(q[1]);
}
END_TEST

START_TEST(fd_dup2_replaces_an_open_fd)
{
  int a[2], b[2];
  char buf[8] = { 0 };

  ck_assert_int_eq(pipe(a), 0);
  ck_assert_int_eq(pipe(b), 0);
  /* b's only writer is closed by dup2; b[1] now writes into a. */
  ck_assert_int_eq(dup2(a[1], b[1]), b[1]);
  ck_assert_int_eq(read(b[0], buf, sizeof buf), 0);
  ck_assert_int_eq(write(b[1], "via", 3), 3);
  ck_assert_int_eq(read(a[0], buf, sizeof buf), 3);
  ck_assert_str_eq(buf, "via");
  close(a[0]);
  close(a[1]);
  close(b[0]);
  close(b[1]);
}
END_TEST

START_TEST(fd_dup2_edge_cases)
{
  int p[2], hi = 200;

  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(dup2(p[0], p[0]), p[0]);       /* same fd: nothing happens */
  errno = 0;
  ck_assert_int_eq(dup2(p[0], -1), -1);
  ck_assert_int_eq(errno, EBADF);
  errno = 0;
  ck_assert_int_eq(dup2(-1, p[0]), -1);
  ck_assert_int_eq(errno, EBADF);
  errno = 0;
  ck_assert_int_eq(dup2(4000, 4001), -1);
  ck_assert_int_eq(errno, EBADF);
  close(hi);
  ck_assert_int_eq(dup2(p[1], hi), hi);         /* onto a free, high number */
  ck_assert_int_eq(write(hi, "h", 1), 1);
  ck_assert_int_eq(close(hi), 0);
  close(p[0]);
  close(p[1]);
}
END_TEST

START_TEST(fd_cloexec_is_per_fd)
{
  int p[2], d;

  ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
  d = dup(p[0]);
  ck_assert_int_eq(fcntl(d, F_GETFD), 0);          /* dup clears FD_CLOEXEC */
  ck_assert_int_eq(fcntl(p[0], F_GETFD), FD_CLOEXEC);
  ck_assert_int_eq(fcntl(d, F_SETFD, FD_CLOEXEC), 0);
  ck_assert_int_eq(fcntl(d, F_GETFD), FD_CLOEXEC);
  ck_assert_int_eq(fcntl(p[0], F_SETFD, 0), 0);
  ck_assert_int_eq(fcntl(p[0], F_GETFD), 0);
  ck_assert_int_eq(fcntl(d, F_GETFD), FD_CLOEXEC);
  close(d);
  d = fcntl(p[1], F_DUPFD_CLOEXEC, 0);
  ck_assert_int_ge(d, 0);
  ck_assert_int_eq(fcntl(d, F_GETFD), FD_CLOEXEC);
  close(d);
  close(p[0]);
  close(p[1]);
}
END_TEST

START_TEST(fd_status_flags_are_shared_by_dups)
{
  int p[2], d;
  char c;

  ck_assert_int_eq(pipe(p), 0);
  d = dup(p[0]);
  ck_assert_int_eq(fcntl(p[0], F_GETFL) & O_ACCMODE, O_RDONLY);
  ck_assert_int_eq(fcntl(p[1], F_GETFL) & O_ACCMODE, O_WRONLY);
  ck_assert_int_eq(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);
  ck_assert_int_eq(fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK), 0);
  ck_assert(fcntl(d, F_GETFL) & O_NONBLOCK);        /* one open file description */
  errno = 0;
  ck_assert_int_eq(read(d, &c, 1), -1);
  ck_assert_int_eq(errno, EAGAIN);
  ck_assert_int_eq(fcntl(d, F_SETFL, 0), 0);
  ck_assert_int_eq(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);
  ck_assert_int_eq(fcntl(p[0], F_GETFL) & O_ACCMODE, O_RDONLY);  /* F_SETFL keeps the mode */
  close(d);
  close(p[0]);
  close(p[1]);
}
END_TEST

START_TEST(fd_fcntl_dupfd_minimum)
{
  int p[2], d;

  ck_assert_int_eq(pipe(p), 0);
  d = fcntl(p[1], F_DUPFD, 100);
  ck_assert_int_ge(d, 100);
  ck_assert_int_eq(fcntl(d, F_GETFD), 0);
  ck_assert_int_eq(write(d, "m", 1), 1);
  close(d);
  errno = 0;
  ck_assert_int_eq(fcntl(p[1], F_DUPFD, -1), -1);
  ck_assert_int_eq(errno, EINVAL);
  close(p[0]);
  close(p[1]);
}
END_TEST

START_TEST(fd_fcntl_unknown_command_einval)
{
  int p[2];

  ck_assert_int_eq(pipe(p), 0);
  errno = 0;
  ck_assert_int_eq(fcntl(p[0], 9999), -1);
  ck_assert_int_eq(errno, EINVAL);
  close(p[0]);
  close(p[1]);
}
END_TEST

START_TEST(fd_ioctl_unknown_request_enotty)
{
  int p[2], x = 0;

  ck_assert_int_eq(pipe(p), 0);
  errno = 0;
  ck_assert_int_eq(ioctl(p[0], 0x7fff1234, &x), -1);
  ck_assert(errno == ENOTTY || errno == EINVAL);
  close(p[0]);
  close(p[1]);
}
END_TEST

/* Closing in one thread while another thread reads a dup of the same pipe. */
static void *reader(void *arg)
{
  int fd = *(int *)arg;
  char buf[4];
  return (void *)(intptr_t)read(fd, buf, sizeof buf);
}

START_TEST(fd_close_other_fd_while_reading)
{
  int p[2], d;
  pthread_t t;
  void *r;

  ck_assert_int_eq(pipe(p), 0);
  d = dup(p[0]);
  ck_assert_int_eq(pthread_create(&t, NULL, reader, &d), 0);
  test_sleep_ms(50);
  ck_assert_int_eq(close(p[0]), 0);                /* d keeps the description */
  ck_assert_int_eq(write(p[1], "ok", 2), 2);
  pthread_join(t, &r);
  ck_assert_int_eq((intptr_t)r, 2);
  close(d);
  close(p[1]);
}
END_TEST

START_TEST(fd_numbers_are_reused_without_mixups)
{
  int i, p[2], q[2];
  char c;

  for (i = 0; i < 500; i++) {
    ck_assert_int_eq(pipe(p), 0);
    ck_assert_int_eq(pipe(q), 0);
    ck_assert_int_eq(write(p[1], "p", 1), 1);
    ck_assert_int_eq(write(q[1], "q", 1), 1);
    ck_assert_int_eq(read(q[0], &c, 1), 1);
    ck_assert_int_eq(c, 'q');
    ck_assert_int_eq(read(p[0], &c, 1), 1);
    ck_assert_int_eq(c, 'p');
    ck_assert_int_eq(close(p[0]) | close(p[1]) | close(q[0]) | close(q[1]), 0);
  }
}
END_TEST

Suite *suite_fd(void)
{
  Suite *s = suite_create("fd");
  TCase *tc = test_tcase("fd");

  tcase_add_test(tc, fd_bad_fds_are_ebadf);
  tcase_add_test(tc, fd_dup_shares_the_pipe);
  tcase_add_test(tc, fd_dup_gives_lowest_free);
  tcase_add_test(tc, fd_dup2_replaces_an_open_fd);
  tcase_add_test(tc, fd_dup2_edge_cases);
  tcase_add_test(tc, fd_cloexec_is_per_fd);
  tcase_add_test(tc, fd_status_flags_are_shared_by_dups);
  tcase_add_test(tc, fd_fcntl_dupfd_minimum);
  tcase_add_test(tc, fd_fcntl_unknown_command_einval);
  tcase_add_test(tc, fd_ioctl_unknown_request_enotty);
  tcase_add_test(tc, fd_close_other_fd_while_reading);
  tcase_add_test(tc, fd_numbers_are_reused_without_mixups);
  suite_add_tcase(s, tc);
  return s;
}
