/* pipe() and pipe2(): data, EOF, EPIPE, nonblocking rules, threads. */
#include "ipcx_test.h"

static void fill(unsigned char *buf, size_t n, unsigned seed)
{
  size_t i;
  for (i = 0; i < n; i++)
    buf[i] = (unsigned char)((i * 31 + seed) & 0xff);
}

START_TEST(pipe_roundtrip)
{
  int p[2];
  char buf[16] = { 0 };

  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_ne(p[0], p[1]);
  ck_assert_int_eq(write(p[1], "hello", 5), 5);
  ck_assert_int_eq(read(p[0], buf, sizeof buf), 5);
  ck_assert_str_eq(buf, "hello");
  ck_assert_int_eq(close(p[0]), 0);
  ck_assert_int_eq(close(p[1]), 0);
}
END_TEST

START_TEST(pipe_short_read_returns_what_is_there)
{
  int p[2];
  char buf[64];

  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(write(p[1], "abc", 3), 3);
  ck_assert_int_eq(write(p[1], "defg", 4), 4);
  ck_assert_int_eq(read(p[0], buf, 2), 2);
  ck_assert_int_eq(memcmp(buf, "ab", 2), 0);
  ck_assert_int_eq(read(p[0], buf, sizeof buf), 5);
  ck_assert_int_eq(memcmp(buf, "cdefg", 5), 0);
  close(p[0]);
  close(p[1]);
}
END_TEST

START_TEST(pipe_eof_after_data)
{
  int p[2];
  char buf[16];

  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(write(p[1], "bye", 3), 3);
  ck_assert_int_eq(close(p[1]), 0);
  ck_assert_int_eq(read(p[0], buf, sizeof buf), 3);
  ck_assert_int_eq(read(p[0], buf, sizeof buf), 0);
  ck_assert_int_eq(read(p[0], buf, sizeof buf), 0);
  close(p[0]);
}
END_TEST

START_TEST(pipe_epipe_after_reader_closes)
{
  int p[2];

  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(close(p[0]), 0);
  errno = 0;
  ck_assert_int_eq(write(p[1], "x", 1), -1);
  ck_assert_int_eq(errno, EPIPE);
  close(p[1]);
}
END_TEST

START_TEST(pipe_zero_length_io)
{
  int p[2];
  char c;

  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(read(p[0], &c, 0), 0);     /* no data, yet no wait */
  ck_assert_int_eq(write(p[1], &c, 0), 0);
  close(p[0]);
  close(p[1]);
}
END_TEST

START_TEST(pipe_wrong_direction_is_ebadf)
{
  int p[2];
  char c = 'x';

  ck_assert_int_eq(pipe(p), 0);
  errno = 0;
  ck_assert_int_eq(write(p[0], &c, 1), -1);
  ck_assert_int_eq(errno, EBADF);
  errno = 0;
  ck_assert_int_eq(read(p[1], &c, 1), -1);
  ck_assert_int_eq(errno, EBADF);
  close(p[0]);
  close(p[1]);
}
END_TEST

START_TEST(pipe_null_array_is_efault)
{
  int *volatile nul = NULL;          /* volatile: no compile-time nonnull warning */

  errno = 0;
  ck_assert_int_eq(pipe2(nul, 0), -1);
  ck_assert_int_eq(errno, EFAULT);
  errno = 0;
  ck_assert_int_eq(pipe(nul), -1);
  ck_assert_int_eq(errno, EFAULT);
}
END_TEST

START_TEST(pipe2_unknown_flags_einval)
{
  int p[2] = { -1, -1 };

  errno = 0;
  ck_assert_int_eq(pipe2(p, O_WRONLY), -1);
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_int_eq(pipe2(p, O_CREAT), -1);
  ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(pipe2_cloexec)
{
  int p[2], q[2];

  ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
  ck_assert_int_eq(fcntl(p[0], F_GETFD), FD_CLOEXEC);
  ck_assert_int_eq(fcntl(p[1], F_GETFD), FD_CLOEXEC);
  ck_assert_int_eq(pipe(q), 0);
  ck_assert_int_eq(fcntl(q[0], F_GETFD), 0);
  ck_assert_int_eq(fcntl(q[1], F_GETFD), 0);
  close(p[0]);
  close(p[1]);
  close(q[0]);
  close(q[1]);
}
END_TEST

START_TEST(pipe2_nonblock_read_eagain)
{
  int p[2];
  char c;

  ck_assert_int_eq(pipe2(p, O_NONBLOCK), 0);
  ck_assert(fcntl(p[0], F_GETFL) & O_NONBLOCK);
  ck_assert(fcntl(p[1], F_GETFL) & O_NONBLOCK);
  errno = 0;
  ck_assert_int_eq(read(p[0], &c, 1), -1);
  ck_assert_int_eq(errno, EAGAIN);
  ck_assert_int_eq(write(p[1], "z", 1), 1);
  ck_assert_int_eq(read(p[0], &c, 1), 1);
  ck_assert_int_eq(c, 'z');
  errno = 0;
  ck_assert_int_eq(read(p[0], &c, 1), -1);
  ck_assert_int_eq(errno, EAGAIN);
  close(p[1]);
  ck_assert_int_eq(read(p[0], &c, 1), 0);     /* EOF beats EAGAIN */
  close(p[0]);
}
END_TEST

/* Fill a nonblocking pipe until EAGAIN; every byte accepted must come out. */
START_TEST(pipe_nonblock_fill_then_drain)
{
  static unsigned char out[4096], in[8192];
  size_t total = 0, got = 0;
  unsigned char expect;
  int p[2], k = 0;
  ssize_t r;

  ck_assert_int_eq(pipe2(p, O_NONBLOCK), 0);
  for (;;) {
    fill(out, sizeof out, (unsigned)total);
    r = write(p[1], out, sizeof out);
    if (r < 0) {
      ck_assert_int_eq(errno, EAGAIN);
      break;
    }
    ck_assert_int_gt(r, 0);
    total += (size_t)r;
    ck_assert_uint_lt(total, 64u << 20);
  }
  ck_assert_uint_ge(total, 4096);
  while ((r = read(p[0], in, sizeof in)) > 0) {
    for (k = 0; k < r; k++) {
      size_t pos = got + (size_t)k;
      expect = (unsigned char)(((pos % 4096) * 31 + (pos / 4096) * 4096) & 0xff);
      ck_assert_uint_eq(in[k], expect);
    }
    got += (size_t)r;
  }
  ck_assert_int_eq(r, -1);
  ck_assert_int_eq(errno, EAGAIN);
  ck_assert_uint_eq(got, total);
  close(p[0]);
  close(p[1]);
}
END_TEST

/* A nonblocking write larger than the pipe: a partial write or EAGAIN, never 0. */
START_TEST(pipe_nonblock_big_write_is_partial)
{
  size_t n = 1 << 20, got = 0;
  char *big = malloc(n), buf[65536];
  int p[2];
  ssize_t r, w;

  ck_assert_ptr_nonnull(big);
  memset(big, 'q', n);
  ck_assert_int_eq(pipe2(p, O_NONBLOCK), 0);
  w = write(p[1], big, n);
  ck_assert_int_gt(w, 0);
  ck_assert_int_lt(w, (ssize_t)n);
  while ((r = read(p[0], buf, sizeof buf)) > 0)
    got += (size_t)r;
  ck_assert_uint_eq(got, (size_t)w);
  free(big);
  close(p[0]);
  close(p[1]);
}
END_TEST

/* Bytes accepted by a nonblocking write are delivered even if the writer closes at once. */
START_TEST(pipe_close_delivers_pending_data)
{
  static char out[4096], in[65536];
  size_t total = 0, got = 0;
  int p[2], fl;
  ssize_t r;

  ck_assert_int_eq(pipe2(p, O_NONBLOCK), 0);
  memset(out, 'd', sizeof out);
  while ((r = write(p[1], out, sizeof out)) > 0)
    total += (size_t)r;
  ck_assert_int_eq(errno, EAGAIN);
  ck_assert_int_eq(close(p[1]), 0);
  fl = fcntl(p[0], F_GETFL);
  ck_assert_int_eq(fcntl(p[0], F_SETFL, fl & ~O_NONBLOCK), 0);
  while ((r = read(p[0], in, sizeof in)) > 0)
    got += (size_t)r;
  ck_assert_int_eq(r, 0);
  ck_assert_uint_eq(got, total);
  close(p[0]);
}
END_TEST

struct xfer {
  int fd;
  size_t n;
  unsigned seed;
};

static void *writer_thread(void *arg)
{
  struct xfer *x = arg;
  unsigned char *buf = malloc(x->n);
  size_t done = 0, chunk = 1;

  fill(buf, x->n, x->seed);
  while (done < x->n) {
    size_t k = chunk < x->n - done ? chunk : x->n - done;
    if (test_write_all(x->fd, buf + done, k) != (ssize_t)k)
      break;
    done += k;
    chunk = chunk * 3 + 7;
    if (chunk > 100000)
      chunk = 1;
  }
  free(buf);
  close(x->fd);
  return (void *)done;
}

START_TEST(pipe_one_mib_through_thread)
{
  size_t n = 1 << 20, got = 0;
  unsigned char *expect = malloc(n), buf[30000];
  struct xfer x;
  pthread_t t;
  void *sent;
  int p[2];
  ssize_t r;

  ck_assert_int_eq(pipe(p), 0);
  fill(expect, n, 77);
  x.fd = p[1];
  x.n = n;
  x.seed = 77;
  ck_assert_int_eq(pthread_create(&t, NULL, writer_thread, &x), 0);
  while ((r = read(p[0], buf, sizeof buf)) > 0) {
    ck_assert_uint_le(got + (size_t)r, n);
    ck_assert_int_eq(memcmp(buf, expect + got, (size_t)r), 0);
    got += (size_t)r;
  }
  ck_assert_int_eq(r, 0);
  pthread_join(t, &sent);
  ck_assert_uint_eq((size_t)sent, n);
  ck_assert_uint_eq(got, n);
  free(expect);
  close(p[0]);
}
END_TEST

static void *late_writer(void *arg)
{
  int fd = *(int *)arg;
  test_sleep_ms(100);
  (void)!write(fd, "late", 4);
  return NULL;
}

START_TEST(pipe_blocked_reader_woken_by_other_thread)
{
  char buf[8] = { 0 };
  pthread_t t;
  int p[2];

  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(pthread_create(&t, NULL, late_writer, &p[1]), 0);
  ck_assert_int_eq(read(p[0], buf, sizeof buf), 4);
  ck_assert_str_eq(buf, "late");
  pthread_join(t, NULL);
  close(p[0]);
  close(p[1]);
}
END_TEST

struct echo {
  int in, out;
};

static void *echo_thread(void *arg)
{
  struct echo *e = arg;
  char buf[256];
  ssize_t r;

  while ((r = read(e->in, buf, sizeof buf)) > 0)
    if (test_write_all(e->out, buf, (size_t)r) != r)
      break;
  close(e->out);
  return NULL;
}

/* Two threads, each reading one pipe while writing another: 2000 round trips. */
START_TEST(pipe_ping_pong_threads)
{
  int a[2], b[2], i;
  struct echo e;
  pthread_t t;
  char msg[64], back[64];

  ck_assert_int_eq(pipe(a), 0);
  ck_assert_int_eq(pipe(b), 0);
  e.in = a[0];
  e.out = b[1];
  ck_assert_int_eq(pthread_create(&t, NULL, echo_thread, &e), 0);
  for (i = 0; i < 2000; i++) {
    int n = snprintf(msg, sizeof msg, "message %d", i);
    ck_assert_int_eq(write(a[1], msg, (size_t)n), n);
    ck_assert_int_eq(test_read_all(b[0], back, (size_t)n), n);
    ck_assert_int_eq(memcmp(msg, back, (size_t)n), 0);
  }
  close(a[1]);
  ck_assert_int_eq(read(b[0], back, sizeof back), 0);
  pthread_join(t, NULL);
  close(a[0]);
  close(b[0]);
}
END_TEST

/* Atomic writes: 4 threads write PIPE_BUF-sized records; none interleave. */
static void *record_writer(void *arg)
{
  struct xfer *x = arg;
  char rec[PIPE_BUF];
  int i;

  memset(rec, 'A' + (int)x->seed, sizeof rec);
  for (i = 0; i < (int)x->n; i++)
    if (write(x->fd, rec, sizeof rec) != (ssize_t)sizeof rec)
      return (void *)1;
  return NULL;
}

START_TEST(pipe_writes_up_to_pipe_buf_are_atomic)
{
  struct xfer x[4];
  pthread_t t[4];
  char rec[PIPE_BUF];
  int p[2], i, j, counts[4] = { 0 };

  ck_assert_int_eq(pipe(p), 0);
  for (i = 0; i < 4; i++) {
    x[i].fd = p[1];
    x[i].n = 50;
    x[i].seed = (unsigned)i;
    ck_assert_int_eq(pthread_create(&t[i], NULL, record_writer, &x[i]), 0);
  }
  for (i = 0; i < 200; i++) {
    ck_assert_int_eq(test_read_all(p[0], rec, sizeof rec), (ssize_t)sizeof rec);
    for (j = 1; j < PIPE_BUF; j++)
      ck_assert_int_eq(rec[j], rec[0]);
    ck_assert(rec[0] >= 'A' && rec[0] <= 'D');
    counts[rec[0] - 'A']++;
  }
  for (i = 0; i < 4; i++) {
    void *r;
    pthread_join(t[i], &r);
    ck_assert_ptr_null(r);
    ck_assert_int_eq(counts[i], 50);
  }
  close(p[0]);
  close(p[1]);
}
END_TEST

START_TEST(pipe_many_at_once)
{
  int p[300][2], i;
  char c;

  for (i = 0; i < 300; i++)
    ck_assert_int_eq(pipe(p[i]), 0);
  for (i = 0; i < 300; i++)
    ck_assert_int_eq(write(p[i][1], &"0123456789"[i % 10], 1), 1);
  for (i = 0; i < 300; i++) {
    ck_assert_int_eq(read(p[i][0], &c, 1), 1);
    ck_assert_int_eq(c, "0123456789"[i % 10]);
    ck_assert_int_eq(close(p[i][0]), 0);
    ck_assert_int_eq(close(p[i][1]), 0);
  }
}
END_TEST

START_TEST(pipe_fstat_is_fifo)
{
  struct stat st;
  int p[2];

  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(fstat(p[0], &st), 0);
  ck_assert(S_ISFIFO(st.st_mode));
  ck_assert_int_eq(fstat(p[1], &st), 0);
  ck_assert(S_ISFIFO(st.st_mode));
  close(p[0]);
  close(p[1]);
}
END_TEST

START_TEST(pipe_readv_writev)
{
  struct iovec w[3], r[2];
  char a[] = "abc", b[] = "", c[] = "defgh", x[4] = { 0 }, y[8] = { 0 };
  volatile int bad_count = -1, too_many = IOV_MAX + 1;   /* volatile: no compile-time warning */
  int p[2];

  ck_assert_int_eq(pipe(p), 0);
  w[0].iov_base = a;
  w[0].iov_len = 3;
  w[1].iov_base = b;
  w[1].iov_len = 0;
  w[2].iov_base = c;
  w[2].iov_len = 5;
  ck_assert_int_eq(writev(p[1], w, 3), 8);
  r[0].iov_base = x;
  r[0].iov_len = 2;
  r[1].iov_base = y;
  r[1].iov_len = 7;
  ck_assert_int_eq(readv(p[0], r, 2), 8);
  ck_assert_str_eq(x, "ab");
  ck_assert_str_eq(y, "cdefgh");
  ck_assert_int_eq(readv(p[0], r, 0), 0);
  errno = 0;
  ck_assert_int_eq(writev(p[1], w, bad_count), -1);
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_int_eq(writev(p[1], w, too_many), -1);
  ck_assert_int_eq(errno, EINVAL);
  close(p[0]);
  close(p[1]);
}
END_TEST

START_TEST(pipe_ioctl_fionread_fionbio)
{
  int p[2], n = -1, on = 1;
  char c;

  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(write(p[1], "12345", 5), 5);
  ck_assert_int_eq(ioctl(p[0], FIONREAD, &n), 0);
  ck_assert_int_eq(n, 5);
  ck_assert_int_eq(ioctl(p[0], FIONBIO, &on), 0);
  ck_assert(fcntl(p[0], F_GETFL) & O_NONBLOCK);
  ck_assert_int_eq(read(p[0], &c, 1), 1);
  ck_assert_int_eq(read(p[0], &c, 1), 1);
  ck_assert_int_eq(read(p[0], &c, 1), 1);
  ck_assert_int_eq(read(p[0], &c, 1), 1);
  ck_assert_int_eq(read(p[0], &c, 1), 1);
  errno = 0;
  ck_assert_int_eq(read(p[0], &c, 1), -1);
  ck_assert_int_eq(errno, EAGAIN);
  close(p[0]);
  close(p[1]);
}
END_TEST

Suite *suite_pipe(void)
{
  Suite *s = suite_create("pipe");
  TCase *tc = test_tcase("pipe");

  tcase_add_test(tc, pipe_roundtrip);
  tcase_add_test(tc, pipe_short_read_returns_what_is_there);
  tcase_add_test(tc, pipe_eof_after_data);
  tcase_add_test(tc, pipe_epipe_after_reader_closes);
  tcase_add_test(tc, pipe_zero_length_io);
  tcase_add_test(tc, pipe_wrong_direction_is_ebadf);
  tcase_add_test(tc, pipe_null_array_is_efault);
  tcase_add_test(tc, pipe2_unknown_flags_einval);
  tcase_add_test(tc, pipe2_cloexec);
  tcase_add_test(tc, pipe2_nonblock_read_eagain);
  tcase_add_test(tc, pipe_nonblock_fill_then_drain);
  tcase_add_test(tc, pipe_nonblock_big_write_is_partial);
  tcase_add_test(tc, pipe_close_delivers_pending_data);
  tcase_add_test(tc, pipe_one_mib_through_thread);
  tcase_add_test(tc, pipe_blocked_reader_woken_by_other_thread);
  tcase_add_test(tc, pipe_ping_pong_threads);
  tcase_add_test(tc, pipe_writes_up_to_pipe_buf_are_atomic);
  tcase_add_test(tc, pipe_many_at_once);
  tcase_add_test(tc, pipe_fstat_is_fifo);
  tcase_add_test(tc, pipe_readv_writev);
  tcase_add_test(tc, pipe_ioctl_fionread_fionbio);
  suite_add_tcase(s, tc);
  return s;
}
