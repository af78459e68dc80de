/* Plain files from open(): the same calls work on them as on pipes. */
#include "ipcx_test.h"

static const char bytes[] = "line\r\nnext\n\x1a\0end";   /* survives only in binary mode */

START_TEST(file_write_then_read_back_binary)
{
  char path[256], buf[64];
  int fd;

  test_path(path, sizeof path, "file");
  fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(write(fd, bytes, sizeof bytes), (ssize_t)sizeof bytes);
  ck_assert_int_eq(close(fd), 0);
  fd = open(path, O_RDONLY);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(read(fd, buf, sizeof buf), (ssize_t)sizeof bytes);
  ck_assert_int_eq(memcmp(buf, bytes, sizeof bytes), 0);
  ck_assert_int_eq(read(fd, buf, sizeof buf), 0);
  ck_assert_int_eq(close(fd), 0);
  ck_assert_int_eq(unlink(path), 0);
}
END_TEST

START_TEST(file_open_errors)
{
  char path[256];
  int fd;

  test_path(path, sizeof path, "missing");
  errno = 0;
  ck_assert_int_eq(open(path, O_RDONLY), -1);
  ck_assert_int_eq(errno, ENOENT);
  errno = 0;
  ck_assert_int_eq(unlink(path), -1);
  ck_assert_int_eq(errno, ENOENT);
  fd = open(path, O_CREAT | O_WRONLY, 0600);
  ck_assert_int_ge(fd, 0);
  close(fd);
  errno = 0;
  ck_assert_int_eq(open(path, O_CREAT | O_EXCL | O_WRONLY, 0600), -1);
  ck_assert_int_eq(errno, EEXIST);
  ck_assert_int_eq(unlink(path), 0);
}
END_TEST

START_TEST(file_fcntl_flags)
{
  char path[256];
  int fd, fl;

  test_path(path, sizeof path, "flags");
  fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(fcntl(fd, F_GETFL) & O_ACCMODE, O_WRONLY);
  ck_assert_int_eq(fcntl(fd, F_GETFD), FD_CLOEXEC);
  fl = fcntl(fd, F_GETFL);
  ck_assert_int_eq(fcntl(fd, F_SETFL, fl | O_NONBLOCK), 0);  /* accepted, no effect on files */
  ck_assert(fcntl(fd, F_GETFL) & O_NONBLOCK);
  ck_assert_int_eq(write(fd, "x", 1), 1);
  close(fd);
  fd = open(path, O_RDWR);
  ck_assert_int_eq(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
  ck_assert_int_eq(fcntl(fd, F_GETFD), 0);
  close(fd);
  ck_assert_int_eq(unlink(path), 0);
}
END_TEST

START_TEST(file_stat_and_fstat)
{
  char path[256];
  struct stat st;
  int fd;

  test_path(path, sizeof path, "stat");
  fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(write(fd, "12345678", 8), 8);
  ck_assert_int_eq(fstat(fd, &st), 0);
  ck_assert(S_ISREG(st.st_mode));
  ck_assert_int_eq(st.st_size, 8);
  close(fd);
  ck_assert_int_eq(stat(path, &st), 0);
  ck_assert(S_ISREG(st.st_mode));
  ck_assert_int_eq(st.st_size, 8);
  ck_assert_int_eq(unlink(path), 0);
  errno = 0;
  ck_assert_int_eq(stat(path, &st), -1);
  ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(file_dup2_redirects_a_pipe_fd)
{
  char path[256], buf[16] = { 0 };
  int p[2], fd;

  test_path(path, sizeof path, "redir");
  ck_assert_int_eq(pipe(p), 0);
  fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(dup2(fd, p[1]), p[1]);       /* p[1] is now the file */
  ck_assert_int_eq(write(p[1], "to file", 7), 7);
  ck_assert_int_eq(read(p[0], buf, sizeof buf), 0);  /* the pipe lost its writer */
  close(p[1]);
  close(fd);
  fd = open(path, O_RDONLY);
  ck_assert_int_eq(read(fd, buf, sizeof buf), 7);
  ck_assert_str_eq(buf, "to file");
  close(fd);
  close(p[0]);
  ck_assert_int_eq(unlink(path), 0);
}
END_TEST

START_TEST(file_readv_writev_append)
{
  char path[256], a[] = "one,", b[] = "two", buf[16] = { 0 };
  struct iovec iov[2];
  int fd;

  test_path(path, sizeof path, "vec");
  fd = open(path, O_CREAT | O_WRONLY | O_APPEND, 0600);
  ck_assert_int_ge(fd, 0);
  iov[0].iov_base = a;
  iov[0].iov_len = 4;
  iov[1].iov_base = b;
  iov[1].iov_len = 3;
  ck_assert_int_eq(writev(fd, iov, 2), 7);
  ck_assert_int_eq(write(fd, "!", 1), 1);
  close(fd);
  fd = open(path, O_RDONLY);
  iov[0].iov_base = buf;
  iov[0].iov_len = 3;
  iov[1].iov_base = buf + 3;
  iov[1].iov_len = 10;
  ck_assert_int_eq(readv(fd, iov, 2), 8);
  ck_assert_str_eq(buf, "one,two!");
  close(fd);
  ck_assert_int_eq(unlink(path), 0);
}
END_TEST

/* O_APPEND: F_GETFL reports it (on dups too), and F_SETFL adding it makes
 * later writes go to the end, whatever the offset. */
START_TEST(file_append_flag)
{
  char path[256], buf[16] = { 0 };
  int fd, d, w;

  test_path(path, sizeof path, "append");
  fd = open(path, O_CREAT | O_RDWR | O_APPEND, 0600);
  ck_assert_int_ge(fd, 0);
  ck_assert(fcntl(fd, F_GETFL) & O_APPEND);
  d = dup(fd);
  ck_assert(fcntl(d, F_GETFL) & O_APPEND);
  ck_assert_int_eq(write(fd, "abc", 3), 3);
  ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
  ck_assert_int_eq(write(d, "d", 1), 1);
  close(d);
  close(fd);
  w = open(path, O_WRONLY);
  ck_assert_int_ge(w, 0);
  ck_assert(!(fcntl(w, F_GETFL) & O_APPEND));
  ck_assert_int_eq(fcntl(w, F_SETFL, O_APPEND), 0);
  ck_assert(fcntl(w, F_GETFL) & O_APPEND);
  ck_assert_int_eq(write(w, "e", 1), 1);
  close(w);
  fd = open(path, O_RDONLY);
  ck_assert_int_eq(read(fd, buf, sizeof buf), 5);
  ck_assert_str_eq(buf, "abcde");
  close(fd);
  ck_assert_int_eq(unlink(path), 0);
}
END_TEST

START_TEST(file_null_arguments)
{
  const char *volatile nul = NULL;   /* volatile: no compile-time nonnull warning */
  struct stat st;

  errno = 0;
  ck_assert_int_eq(open(nul, O_RDONLY), -1);
  ck_assert_int_eq(errno, EFAULT);
  errno = 0;
  ck_assert_int_eq(stat(nul, &st), -1);
  ck_assert_int_eq(errno, EFAULT);
  errno = 0;
  ck_assert_int_eq(unlink(nul), -1);
  ck_assert_int_eq(errno, EFAULT);
}
END_TEST

Suite *suite_file(void)
{
  Suite *s = suite_create("file");
  TCase *tc = test_tcase("file");

  tcase_add_test(tc, file_write_then_read_back_binary);
  tcase_add_test(tc, file_open_errors);
  tcase_add_test(tc, file_fcntl_flags);
  tcase_add_test(tc, file_stat_and_fstat);
  tcase_add_test(tc, file_dup2_redirects_a_pipe_fd);
  tcase_add_test(tc, file_readv_writev_append);
  tcase_add_test(tc, file_append_flag);
  tcase_add_test(tc, file_null_arguments);
  suite_add_tcase(s, tc);
  return s;
}
