/*
 * FIFOs: mkfifo(), stat(), unlink(), and the POSIX rules of open(), read()
 * and write() on a FIFO: the open rendezvous, the nonblocking opens, EOF and
 * reopen, EPIPE, atomic PIPE_BUF writes from many writers, poll(), and the
 * "server FIFO + one reply FIFO per client" pattern across processes.
 */
#include "ipcx_test.h"
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>

#define WRITERS 8
#define MESSAGES 1000
#define CLIENTS 10
#define RECORD 256

static void make_fifo(char *path, size_t size, const char *tag)
{
  test_path(path, size, tag);
  ck_assert_int_eq(mkfifo(path, 0600), 0);
}

/* Fill a PIPE_BUF message that says who wrote it: every byte depends on both. */
static void fill_message(unsigned char *m, int writer, int seq)
{
  size_t i;

  memcpy(m, &writer, sizeof writer);
  memcpy(m + sizeof writer, &seq, sizeof seq);
  for (i = 2 * sizeof(int); i < PIPE_BUF; i++)
    m[i] = (unsigned char)(i * 7 + (size_t)writer * 31 + (size_t)seq * 13);
}

/* Whole and in order for its writer; returns the writer, or -1. */
static int check_message(const unsigned char *m, int *next_seq, int writers)
{
  unsigned char want[PIPE_BUF];
  int writer, seq;

  memcpy(&writer, m, sizeof writer);
  memcpy(&seq, m + sizeof writer, sizeof seq);
  if (writer < 0 || writer >= writers || seq != next_seq[writer])
    return -1;
  fill_message(want, writer, seq);
  if (memcmp(want, m, PIPE_BUF) != 0)
    return -1;
  next_seq[writer]++;
  return writer;
}

/* --- names, stat, unlink ---------------------------------------------------- */

START_TEST(fifo_mkfifo_stat_unlink)
{
  char path[256];
  struct stat st;

  make_fifo(path, sizeof path, "stat");
  ck_assert_int_eq(stat(path, &st), 0);
  ck_assert(S_ISFIFO(st.st_mode));
  ck_assert(!S_ISREG(st.st_mode));
  ck_assert_int_eq(st.st_mode & 0700, 0600);
  ck_assert_int_eq(unlink(path), 0);
  errno = 0;
  ck_assert_int_eq(stat(path, &st), -1);
  ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(fifo_mkfifo_errors)
{
  char path[256], missing[300];
  int fd;

  make_fifo(path, sizeof path, "exist");
  errno = 0;
  ck_assert_int_eq(mkfifo(path, 0600), -1);
  ck_assert_int_eq(errno, EEXIST);
  /* A FIFO is not created over it by O_CREAT|O_EXCL either. */
  errno = 0;
  ck_assert_int_eq(open(path, O_RDWR | O_CREAT | O_EXCL, 0600), -1);
  ck_assert_int_eq(errno, EEXIST);
  ck_assert_int_eq(unlink(path), 0);

  /* An existing regular file. */
  test_path(path, sizeof path, "file");
  fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
  ck_assert_int_ge(fd, 0);
  close(fd);
  errno = 0;
  ck_assert_int_eq(mkfifo(path, 0600), -1);
  ck_assert_int_eq(errno, EEXIST);
  ck_assert_int_eq(unlink(path), 0);

  /* A missing folder. */
  test_path(path, sizeof path, "nodir");
  snprintf(missing, sizeof missing, "%s/fifo", path);
  errno = 0;
  ck_assert_int_eq(mkfifo(missing, 0600), -1);
  ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(fifo_regular_files_still_files)
{
  char path[256], buf[8];
  struct stat st;
  int fd;

  /* A regular file of the marker's size, opened and read as a file, in binary. */
  test_path(path, sizeof path, "plain");
  fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
  ck_assert_int_ge(fd, 0);
  memset(buf, '\n', sizeof buf);
  for (int i = 0; i < 8; i++)
    ck_assert_int_eq(write(fd, buf, sizeof buf), (ssize_t)sizeof buf);
  close(fd);
  ck_assert_int_eq(stat(path, &st), 0);
  ck_assert(S_ISREG(st.st_mode));
  ck_assert_int_eq(st.st_size, 64);
  fd = open(path, O_RDONLY);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(read(fd, buf, sizeof buf), (ssize_t)sizeof buf);
  ck_assert_int_eq(buf[0], '\n');
  ck_assert_int_eq(fstat(fd, &st), 0);
  ck_assert(S_ISREG(st.st_mode));
  close(fd);
  ck_assert_int_eq(unlink(path), 0);
}
END_TEST

/* --- the open rendezvous ---------------------------------------------------- */

struct opener {
  const char *path;
  int flags;
  volatile int done;
  int fd;
  int err;
};

static void *open_thread(void *arg)
{
  struct opener *o = arg;

  o->fd = open(o->path, o->flags);
  o->err = errno;
  o->done = 1;
  return NULL;
}

static void rendezvous(int first, int second)
{
  char path[256], buf[8] = { 0 };
  struct opener o;
  pthread_t t;
  int fd, rfd, wfd;

  make_fifo(path, sizeof path, "rdv");
  memset(&o, 0, sizeof o);
  o.path = path;
  o.flags = first;
  ck_assert_int_eq(pthread_create(&t, NULL, open_thread, &o), 0);
  test_sleep_ms(200);
  ck_assert_msg(!o.done, "open(%s) did not wait for the other end",
                first == O_RDONLY ? "O_RDONLY" : "O_WRONLY");
  fd = open(path, second);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(pthread_join(t, NULL), 0);
  ck_assert_int_ge(o.fd, 0);
  rfd = first == O_RDONLY ? o.fd : fd;
  wfd = first == O_RDONLY ? fd : o.fd;
  ck_assert_int_eq(write(wfd, "hello", 5), 5);
  ck_assert_int_eq(test_read_all(rfd, buf, 5), 5);
  ck_assert_str_eq(buf, "hello");
  /* The write end is a write end, the read end a read end. */
  errno = 0;
  ck_assert_int_eq(write(rfd, "x", 1), -1);
  ck_assert_int_eq(errno, EBADF);
  errno = 0;
  ck_assert_int_eq(read(wfd, buf, 1), -1);
  ck_assert_int_eq(errno, EBADF);
  close(wfd);
  ck_assert_int_eq(read(rfd, buf, sizeof buf), 0);
  close(rfd);
  unlink(path);
}

START_TEST(fifo_reader_waits_for_writer)
{
  rendezvous(O_RDONLY, O_WRONLY);
}
END_TEST

START_TEST(fifo_writer_waits_for_reader)
{
  rendezvous(O_WRONLY, O_RDONLY);
}
END_TEST

START_TEST(fifo_nonblocking_opens)
{
  char path[256], buf[8];
  struct stat st;
  int r, w;

  make_fifo(path, sizeof path, "nb");
  /* No reader: a nonblocking writer gets ENXIO at once. */
  errno = 0;
  ck_assert_int_eq(open(path, O_WRONLY | O_NONBLOCK), -1);
  ck_assert_int_eq(errno, ENXIO);
  /* A nonblocking reader opens at once; with no writer read() is EOF. */
  r = open(path, O_RDONLY | O_NONBLOCK);
  ck_assert_int_ge(r, 0);
  ck_assert_int_eq(read(r, buf, sizeof buf), 0);
  ck_assert_int_eq(fstat(r, &st), 0);
  ck_assert(S_ISFIFO(st.st_mode));
  /* Now there is a reader: the nonblocking writer opens. */
  w = open(path, O_WRONLY | O_NONBLOCK);
  ck_assert_int_ge(w, 0);
  ck_assert_int_eq(fstat(w, &st), 0);
  ck_assert(S_ISFIFO(st.st_mode));
  /* A writer but no data: EAGAIN, not EOF. */
  errno = 0;
  ck_assert_int_eq(read(r, buf, sizeof buf), -1);
  ck_assert_int_eq(errno, EAGAIN);
  /* What write() has written is readable at once, even without waiting. */
  ck_assert_int_eq(write(w, "abc", 3), 3);
  ck_assert_int_eq(read(r, buf, sizeof buf), 3);
  ck_assert_int_eq(memcmp(buf, "abc", 3), 0);
  errno = 0;
  ck_assert_int_eq(read(r, buf, sizeof buf), -1);
  ck_assert_int_eq(errno, EAGAIN);
  /* The last writer goes: EOF at once. */
  close(w);
  ck_assert_int_eq(read(r, buf, sizeof buf), 0);
  close(r);
  ck_assert_int_eq(unlink(path), 0);
}
END_TEST

START_TEST(fifo_rdwr_never_blocks)
{
  char path[256], buf[8] = { 0 };
  int fd, w;

  make_fifo(path, sizeof path, "rdwr");
  fd = open(path, O_RDWR);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(write(fd, "self", 4), 4);
  ck_assert_int_eq(test_read_all(fd, buf, 4), 4);
  ck_assert_str_eq(buf, "self");
  /* Another writer comes and goes: the O_RDWR end still holds a writer, no EOF. */
  w = open(path, O_WRONLY);
  ck_assert_int_ge(w, 0);
  ck_assert_int_eq(write(w, "more", 4), 4);
  close(w);
  ck_assert_int_eq(test_read_all(fd, buf, 4), 4);
  ck_assert_str_eq(buf, "more");
  ck_assert_int_eq(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
  errno = 0;
  ck_assert_int_eq(read(fd, buf, sizeof buf), -1);
  ck_assert_int_eq(errno, EAGAIN);
  close(fd);
  unlink(path);
}
END_TEST

/* ioctl(FIONREAD) on a FIFO's read end: the bytes queued, from every writer. */
START_TEST(fifo_fionread)
{
  char path[256], buf[16];
  int r, w1, w2, n = -1;

  make_fifo(path, sizeof path, "nread");
  r = open(path, O_RDONLY | O_NONBLOCK);
  ck_assert_int_ge(r, 0);
  ck_assert_int_eq(ioctl(r, FIONREAD, &n), 0);
  ck_assert_int_eq(n, 0);
  w1 = open(path, O_WRONLY);
  ck_assert_int_ge(w1, 0);
  w2 = open(path, O_WRONLY);
  ck_assert_int_ge(w2, 0);
  ck_assert_int_eq(write(w1, "seven..", 7), 7);
  ck_assert_int_eq(ioctl(r, FIONREAD, &n), 0);
  ck_assert_int_eq(n, 7);
  ck_assert_int_eq(write(w2, "abc", 3), 3);
  ck_assert_int_eq(ioctl(r, FIONREAD, &n), 0);
  ck_assert_int_eq(n, 10);
  ck_assert_int_eq(test_read_all(r, buf, 4), 4);
  ck_assert_int_eq(ioctl(r, FIONREAD, &n), 0);
  ck_assert_int_eq(n, 6);
  ck_assert_int_eq(test_read_all(r, buf, 6), 6);
  ck_assert_int_eq(ioctl(r, FIONREAD, &n), 0);
  ck_assert_int_eq(n, 0);
  close(w1);
  close(w2);
  close(r);
  unlink(path);
}
END_TEST

/* --- EOF, reopen, EPIPE ------------------------------------------------------ */

START_TEST(fifo_eof_and_reopen)
{
  char path[256], buf[16] = { 0 };
  int r, w;

  make_fifo(path, sizeof path, "eof");
  r = open(path, O_RDONLY | O_NONBLOCK);
  ck_assert_int_ge(r, 0);
  ck_assert_int_eq(fcntl(r, F_SETFL, 0), 0);
  w = open(path, O_WRONLY);
  ck_assert_int_ge(w, 0);
  ck_assert_int_eq(write(w, "first", 5), 5);
  ck_assert_int_eq(close(w), 0);
  /* Bytes written before close() arrive, then EOF, again and again. */
  ck_assert_int_eq(test_read_all(r, buf, 5), 5);
  ck_assert_str_eq(buf, "first");
  ck_assert_int_eq(read(r, buf, sizeof buf), 0);
  ck_assert_int_eq(read(r, buf, sizeof buf), 0);
  /* A new writer: data again. */
  w = open(path, O_WRONLY);
  ck_assert_int_ge(w, 0);
  ck_assert_int_eq(write(w, "second", 6), 6);
  memset(buf, 0, sizeof buf);
  ck_assert_int_eq(test_read_all(r, buf, 6), 6);
  ck_assert_str_eq(buf, "second");
  close(w);
  ck_assert_int_eq(read(r, buf, sizeof buf), 0);
  close(r);
  unlink(path);
}
END_TEST

struct late_writer {
  const char *path;
  int delay_ms;
};

static void *late_writer_thread(void *arg)
{
  struct late_writer *lw = arg;
  int w = open(lw->path, O_WRONLY);

  if (w >= 0) {
    test_sleep_ms(lw->delay_ms);
    (void)!write(w, "late", 4);
    test_sleep_ms(lw->delay_ms);
    close(w);
  }
  return NULL;
}

START_TEST(fifo_blocking_read_waits_then_eof)
{
  char path[256], buf[16] = { 0 };
  struct late_writer lw;
  pthread_t t;
  int r;

  make_fifo(path, sizeof path, "late");
  lw.path = path;
  lw.delay_ms = 150;
  ck_assert_int_eq(pthread_create(&t, NULL, late_writer_thread, &lw), 0);
  r = open(path, O_RDONLY);
  ck_assert_int_ge(r, 0);
  ck_assert_int_eq(read(r, buf, sizeof buf), 4);   /* blocks until the write */
  ck_assert_str_eq(buf, "late");
  ck_assert_int_eq(read(r, buf, sizeof buf), 0);   /* blocks until the close */
  ck_assert_int_eq(pthread_join(t, NULL), 0);
  close(r);
  unlink(path);
}
END_TEST

START_TEST(fifo_epipe_when_reader_closes)
{
  char path[256];
  int r, w;

  make_fifo(path, sizeof path, "epipe");
  r = open(path, O_RDONLY | O_NONBLOCK);
  ck_assert_int_ge(r, 0);
  w = open(path, O_WRONLY);
  ck_assert_int_ge(w, 0);
  ck_assert_int_eq(write(w, "x", 1), 1);
  ck_assert_int_eq(close(r), 0);
  errno = 0;
  ck_assert_int_eq(write(w, "y", 1), -1);
  ck_assert_int_eq(errno, EPIPE);
  /* Still no reader: a nonblocking writer open is ENXIO again. */
  errno = 0;
  ck_assert_int_eq(open(path, O_WRONLY | O_NONBLOCK), -1);
  ck_assert_int_eq(errno, ENXIO);
  close(w);
  unlink(path);
}
END_TEST

START_TEST(fifo_short_reads_keep_messages_whole)
{
  char path[256], a[PIPE_BUF], b[PIPE_BUF], buf[PIPE_BUF];
  int r, w1, w2;

  make_fifo(path, sizeof path, "short");
  r = open(path, O_RDONLY | O_NONBLOCK);
  ck_assert_int_ge(r, 0);
  ck_assert_int_eq(fcntl(r, F_SETFL, 0), 0);
  w1 = open(path, O_WRONLY);
  w2 = open(path, O_WRONLY);
  ck_assert_int_ge(w1, 0);
  ck_assert_int_ge(w2, 0);
  memset(a, 'a', sizeof a);
  memset(b, 'b', sizeof b);
  ck_assert_int_eq(write(w1, a, sizeof a), (ssize_t)sizeof a);
  ck_assert_int_eq(write(w2, b, sizeof b), (ssize_t)sizeof b);
  /* Read both messages in odd-sized pieces: each comes out whole, in one run. */
  for (int m = 0; m < 2; m++) {
    size_t got = 0;
    while (got < PIPE_BUF) {
      size_t want = PIPE_BUF - got < 1000 ? PIPE_BUF - got : 1000;
      ssize_t k = read(r, buf + got, want);
      ck_assert_int_gt(k, 0);
      got += (size_t)k;
    }
    ck_assert(buf[0] == 'a' || buf[0] == 'b');
    for (size_t i = 0; i < PIPE_BUF; i++)
      ck_assert_int_eq(buf[i], buf[0]);
  }
  close(w1);
  close(w2);
  ck_assert_int_eq(read(r, buf, sizeof buf), 0);
  close(r);
  unlink(path);
}
END_TEST

/* --- stdio on a FIFO --------------------------------------------------------- */

static void *line_writer_thread(void *arg)
{
  const char *path = arg;
  int w = open(path, O_WRONLY);

  if (w >= 0) {
    for (int k = 0; k < 3; k++) {
      char line[32];
      int n = snprintf(line, sizeof line, "line %d\n", k);
      test_sleep_ms(50);
      (void)!write(w, line, (size_t)n);
    }
    close(w);
  }
  return NULL;
}

START_TEST(fifo_stdio_reader)
{
  char path[256], line[64];
  pthread_t t;
  FILE *in;
  int r, k;

  make_fifo(path, sizeof path, "stdio");
  ck_assert_int_eq(pthread_create(&t, NULL, line_writer_thread, path), 0);
  r = open(path, O_RDONLY);     /* returns once the writer is there */
  ck_assert_int_ge(r, 0);
  /* fdopen() + fgets(): on Windows through win32/stdio.c's bridge. */
  in = fdopen(r, "r");
  ck_assert_ptr_nonnull(in);
  for (k = 0; k < 3; k++) {
    char want[32];
    snprintf(want, sizeof want, "line %d\n", k);
    ck_assert_ptr_nonnull(fgets(line, sizeof line, in));
    ck_assert_str_eq(line, want);
  }
  ck_assert_ptr_null(fgets(line, sizeof line, in));    /* the writer closed: EOF */
  ck_assert(feof(in));
  ck_assert_int_eq(pthread_join(t, NULL), 0);
  ck_assert_int_eq(fclose(in), 0);                      /* closes r too */
  unlink(path);
}
END_TEST

/* --- one steady writer --------------------------------------------------------- */

#define STEADY_CHUNK 65536
#define STEADY_CHUNKS 64

struct steady {
  int w;
  unsigned long long sum;
};

static void *steady_writer_thread(void *arg)
{
  struct steady *st = arg;
  unsigned char *b = malloc(STEADY_CHUNK);

  for (int k = 0; b != NULL && k < STEADY_CHUNKS; k++) {
    test_fill(b, STEADY_CHUNK, (unsigned)k);
    st->sum += test_checksum(b, STEADY_CHUNK);
    if (write(st->w, b, STEADY_CHUNK) != STEADY_CHUNK)
      break;
  }
  free(b);
  close(st->w);
  return NULL;
}

/*
 * A writer that keeps writing 64 KiB writes from before the reader's first
 * read() to the end: every byte arrives, in order, then EOF.  (On Windows
 * the relay takes the first bytes and the reader moves to reading the
 * writer's instance directly while bytes are still on their way through the
 * relay: the hand-over must lose, repeat and strand nothing.)
 */
START_TEST(fifo_steady_writer_every_byte)
{
  char path[256];
  unsigned char *b = malloc(STEADY_CHUNK), *chunk = malloc(STEADY_CHUNK);
  unsigned long long sum = 0;
  struct steady st = { -1, 0 };
  size_t have = 0, total = 0;
  pthread_t t;
  ssize_t n;
  int r, fl, k = 0;

  ck_assert_ptr_nonnull(b);
  ck_assert_ptr_nonnull(chunk);
  make_fifo(path, sizeof path, "steady");
  r = open(path, O_RDONLY | O_NONBLOCK);
  ck_assert_int_ge(r, 0);
  st.w = open(path, O_WRONLY);
  ck_assert_int_ge(st.w, 0);
  fl = fcntl(r, F_GETFL);
  ck_assert_int_eq(fcntl(r, F_SETFL, fl & ~O_NONBLOCK), 0);
  ck_assert_int_eq(pthread_create(&t, NULL, steady_writer_thread, &st), 0);
  test_sleep_ms(20);            /* the writer is ahead before the first read */
  /* Read in odd sizes; re-cut into the writer's 64 KiB chunks to checksum them. */
  while ((n = read(r, b, 4000 + (size_t)(k++ % 7) * 9000)) > 0) {
    size_t off = 0;
    while (off < (size_t)n) {
      size_t c = (size_t)n - off < STEADY_CHUNK - have ? (size_t)n - off : STEADY_CHUNK - have;
      memcpy(chunk + have, b + off, c);
      have += c, off += c;
      if (have == STEADY_CHUNK) {
        sum += test_checksum(chunk, STEADY_CHUNK);
        have = 0;
      }
    }
    total += (size_t)n;
  }
  ck_assert_int_eq(n, 0);       /* EOF once the writer closed */
  ck_assert_int_eq(pthread_join(t, NULL), 0);
  ck_assert_uint_eq(total, (size_t)STEADY_CHUNK * STEADY_CHUNKS);
  ck_assert_uint_eq(have, 0);
  ck_assert(sum == st.sum);
  close(r);
  unlink(path);
  free(b);
  free(chunk);
}
END_TEST

#define BIG_WRITE (1024 * 1024 + 1000)

struct big_writer {
  int fd;
  const unsigned char *buf;
  size_t len;
  ssize_t result;
};

static void *big_writer_thread(void *arg)
{
  struct big_writer *bw = arg;

  bw->result = write(bw->fd, bw->buf, bw->len);
  close(bw->fd);
  return NULL;
}

/*
 * One write() of more than 1 MiB, read in odd sizes, with a second writer's
 * PIPE_BUF message coming while it is half read: write() returns the whole
 * count, every byte of it arrives in order, the PIPE_BUF message stays
 * whole, then EOF.  (On Windows the big write is one message on the
 * writer's instance, read directly, then finished by the relay once the
 * second writer has come.)
 */
START_TEST(fifo_big_write_and_second_writer)
{
  unsigned char *big = malloc(BIG_WRITE), *got = malloc(BIG_WRITE + PIPE_BUF + 1);
  static unsigned char small[PIPE_BUF];
  struct big_writer a, b;
  pthread_t ta, tb;
  char path[256];
  size_t total = 0, i, at;
  ssize_t n;
  int r, k = 0, second = 0;

  ck_assert_ptr_nonnull(big);
  ck_assert_ptr_nonnull(got);
  for (i = 0; i < BIG_WRITE; i++)
    big[i] = (unsigned char)(i % 97);          /* never 0xbb */
  memset(small, 0xbb, sizeof small);
  make_fifo(path, sizeof path, "big");
  r = open(path, O_RDONLY | O_NONBLOCK);
  ck_assert_int_ge(r, 0);
  ck_assert_int_eq(fcntl(r, F_SETFL, 0), 0);
  a = (struct big_writer){ open(path, O_WRONLY), big, BIG_WRITE, 0 };
  ck_assert_int_ge(a.fd, 0);
  ck_assert_int_eq(pthread_create(&ta, NULL, big_writer_thread, &a), 0);
  while ((n = read(r, got + total, 5000 + (size_t)(k++ % 5) * 7000)) > 0) {
    total += (size_t)n;
    ck_assert_uint_le(total, BIG_WRITE + PIPE_BUF);
    if (!second && total >= 200 * 1000) {
      second = 1;
      b = (struct big_writer){ open(path, O_WRONLY), small, sizeof small, 0 };
      ck_assert_int_ge(b.fd, 0);
      ck_assert_int_eq(pthread_create(&tb, NULL, big_writer_thread, &b), 0);
    }
  }
  ck_assert_int_eq(n, 0);
  ck_assert_int_eq(pthread_join(ta, NULL), 0);
  ck_assert_int_eq(pthread_join(tb, NULL), 0);
  ck_assert_int_eq(a.result, BIG_WRITE);
  ck_assert_int_eq(b.result, PIPE_BUF);
  ck_assert_uint_eq(total, BIG_WRITE + PIPE_BUF);
  for (at = 0; at < total && got[at] != 0xbb; at++)
    ;
  ck_assert_uint_le(at + PIPE_BUF, total);
  ck_assert_int_eq(memcmp(got + at, small, PIPE_BUF), 0);      /* whole */
  memmove(got + at, got + at + PIPE_BUF, total - at - PIPE_BUF);
  ck_assert_int_eq(memcmp(got, big, BIG_WRITE), 0);            /* every byte, in order */
  close(r);
  unlink(path);
  free(big);
  free(got);
}
END_TEST

/* --- many writers ------------------------------------------------------------ */

struct writer_arg {
  const char *path;
  int id;
  int count;
  int failures;
};

static void *writer_thread(void *arg)
{
  struct writer_arg *wa = arg;
  unsigned char m[PIPE_BUF];
  int w = open(wa->path, O_WRONLY);

  if (w < 0) {
    wa->failures = 1;
    return NULL;
  }
  for (int s = 0; s < wa->count; s++) {
    fill_message(m, wa->id, s);
    if (write(w, m, sizeof m) != (ssize_t)sizeof m)
      wa->failures++;
  }
  close(w);
  return NULL;
}

/* Read until EOF; every message whole and in its writer's order. */
static void read_messages(int r, int writers, int count)
{
  static unsigned char m[PIPE_BUF];
  int next[WRITERS] = { 0 };
  int total = 0, k;

  for (;;) {
    ssize_t got = test_read_all(r, m, sizeof m);
    if (got < 0)
      break;
    ck_assert_msg(check_message(m, next, writers) >= 0, "message %d torn or out of order", total);
    total++;
  }
  ck_assert_int_eq(total, writers * count);
  for (k = 0; k < writers; k++)
    ck_assert_int_eq(next[k], count);
}

/* Joins the writer threads, then closes the test's own write end (EOF). */
struct joiner {
  pthread_t *t;
  int n, w;
};

static void *joiner_thread(void *arg)
{
  struct joiner *j = arg;
  int k;

  for (k = 0; k < j->n; k++)
    pthread_join(j->t[k], NULL);
  close(j->w);
  return NULL;
}

START_TEST(fifo_writer_threads_atomic)
{
  struct writer_arg wa[WRITERS];
  pthread_t t[WRITERS], jt;
  struct joiner j;
  char path[256];
  int r, k;

  make_fifo(path, sizeof path, "thr");
  /* The test holds a write end until every writer thread has ended: a loaded
   * machine may run one writer to its close() before another has opened,
   * which would otherwise be an EOF in between (Linux too). */
  r = open(path, O_RDONLY | O_NONBLOCK);
  ck_assert_msg(r >= 0, "open: %s", strerror(errno));
  ck_assert_int_eq(fcntl(r, F_SETFL, 0), 0);
  j.w = open(path, O_WRONLY);
  ck_assert_int_ge(j.w, 0);
  for (k = 0; k < WRITERS; k++) {
    wa[k].path = path;
    wa[k].id = k;
    wa[k].count = 200;
    wa[k].failures = 0;
    ck_assert_int_eq(pthread_create(&t[k], NULL, writer_thread, &wa[k]), 0);
  }
  j.t = t;
  j.n = WRITERS;
  ck_assert_int_eq(pthread_create(&jt, NULL, joiner_thread, &j), 0);
  read_messages(r, WRITERS, 200);
  ck_assert_int_eq(pthread_join(jt, NULL), 0);
  for (k = 0; k < WRITERS; k++)
    ck_assert_int_eq(wa[k].failures, 0);
  close(r);
  unlink(path);
}
END_TEST

/* --- two writers: only the reader's relay can wake it ---------------------------- */

/* After delay_ms: write "late" on fd (close_too 0), or close fd (1), saying so first. */
struct late_fd {
  int fd, delay_ms, close_too;
  volatile int done;
};

static void *late_fd_thread(void *arg)
{
  struct late_fd *lf = arg;

  test_sleep_ms(lf->delay_ms);
  lf->done = 1;
  if (lf->close_too)
    close(lf->fd);
  else
    (void)!write(lf->fd, "late", 4);
  return NULL;
}

/*
 * With two writers open, a blocked read() and a blocked poll() wake on a
 * write that comes later from either writer, and read() gives EOF when the
 * last of them closes, not before (on Windows every wake-up here comes from
 * the relay thread's watches on the writers' instances).
 */
START_TEST(fifo_two_writers_wake_reader)
{
  struct late_fd lf[2];
  struct pollfd p;
  pthread_t t[2];
  char path[256], buf[16];
  int r, w[2], k;

  make_fifo(path, sizeof path, "two");
  r = open(path, O_RDONLY | O_NONBLOCK);
  ck_assert_int_ge(r, 0);
  ck_assert_int_eq(fcntl(r, F_SETFL, 0), 0);
  w[0] = open(path, O_WRONLY);
  w[1] = open(path, O_WRONLY);
  ck_assert_int_ge(w[0], 0);
  ck_assert_int_ge(w[1], 0);
  for (k = 0; k < 2; k++) {
    lf[0] = (struct late_fd){ w[k], 100, 0, 0 };
    ck_assert_int_eq(pthread_create(&t[0], NULL, late_fd_thread, &lf[0]), 0);
    memset(buf, 0, sizeof buf);
    ck_assert_int_eq(read(r, buf, sizeof buf), 4);   /* blocks until the write */
    ck_assert_str_eq(buf, "late");
    ck_assert_int_eq(pthread_join(t[0], NULL), 0);
  }
  for (k = 0; k < 2; k++) {
    lf[0] = (struct late_fd){ w[1 - k], 100, 0, 0 };
    ck_assert_int_eq(pthread_create(&t[0], NULL, late_fd_thread, &lf[0]), 0);
    p.fd = r;
    p.events = POLLIN;
    p.revents = 0;
    ck_assert_int_eq(poll(&p, 1, 5000), 1);          /* blocks until the write */
    ck_assert_int_eq(p.revents, POLLIN);
    ck_assert_int_eq(test_read_all(r, buf, 4), 4);
    ck_assert_int_eq(memcmp(buf, "late", 4), 0);
    ck_assert_int_eq(pthread_join(t[0], NULL), 0);
  }
  /* One writer goes, then the other: EOF only after the second close. */
  lf[0] = (struct late_fd){ w[0], 100, 1, 0 };
  lf[1] = (struct late_fd){ w[1], 250, 1, 0 };
  for (k = 0; k < 2; k++)
    ck_assert_int_eq(pthread_create(&t[k], NULL, late_fd_thread, &lf[k]), 0);
  ck_assert_int_eq(read(r, buf, sizeof buf), 0);     /* blocks until the last close */
  ck_assert_msg(lf[1].done, "EOF before the last writer closed");
  for (k = 0; k < 2; k++)
    ck_assert_int_eq(pthread_join(t[k], NULL), 0);
  close(r);
  unlink(path);
}
END_TEST

/* --- poll() ------------------------------------------------------------------- */

START_TEST(fifo_poll)
{
  char path[256], buf[8];
  struct pollfd p[2];
  int r, w;

  make_fifo(path, sizeof path, "poll");
  r = open(path, O_RDONLY | O_NONBLOCK);
  ck_assert_int_ge(r, 0);
  w = open(path, O_WRONLY | O_NONBLOCK);
  ck_assert_int_ge(w, 0);
  p[0].fd = r;
  p[0].events = POLLIN;
  p[1].fd = w;
  p[1].events = POLLOUT;
  p[0].revents = p[1].revents = 0;
  /* Nothing to read; room to write. */
  ck_assert_int_eq(poll(p, 2, 0), 1);
  ck_assert_int_eq(p[0].revents, 0);
  ck_assert_int_eq(p[1].revents, POLLOUT);
  /* Readable once write() returns (Linux: at once; under a loaded Wine the
   * reader's relay thread may lag a moment, so allow up to 2 s). */
  ck_assert_int_eq(write(w, "x", 1), 1);
  ck_assert_int_eq(poll(p, 1, 2000), 1);
  ck_assert(p[0].revents & POLLIN);
  ck_assert_int_eq(read(r, buf, sizeof buf), 1);
  /* A blocked poll() is woken by a write. */
  {
    struct late_writer lw = { path, 100 };
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, late_writer_thread, &lw), 0);
    ck_assert_int_eq(poll(p, 1, 5000), 1);
    ck_assert(p[0].revents & POLLIN);
    ck_assert_int_eq(test_read_all(r, buf, 4), 4);
    ck_assert_int_eq(memcmp(buf, "late", 4), 0);
    ck_assert_int_eq(pthread_join(t, NULL), 0);
  }
  /* The writer goes: POLLHUP at once, and read() is EOF. */
  close(w);
  ck_assert_int_eq(poll(p, 1, 0), 1);
  ck_assert(p[0].revents & POLLHUP);
  ck_assert_int_eq(read(r, buf, sizeof buf), 0);
  /* A writer whose reader has gone: POLLERR. */
  w = open(path, O_WRONLY | O_NONBLOCK);
  ck_assert_int_ge(w, 0);
  close(r);
  p[1].revents = 0;
  ck_assert_int_eq(poll(&p[1], 1, 5000), 1);
  ck_assert(p[1].revents & POLLERR);
  close(w);
  unlink(path);
}
END_TEST

/* --- processes ------------------------------------------------------------------ */

/* fifo_writer PATH ID COUNT: COUNT PIPE_BUF messages into the FIFO. */
IPCX_TEST_HELPER(fifo_writer)
{
  struct writer_arg wa;

  if (argc < 3)
    return 2;
  wa.path = argv[0];
  wa.id = atoi(argv[1]);
  wa.count = atoi(argv[2]);
  wa.failures = 0;
  writer_thread(&wa);
  return wa.failures == 0 ? 0 : 1;
}

/* Waits for the writer processes, then closes the parent's own write end: EOF. */
struct reaper {
  pid_t *pids;
  int n, failed, w;
};

static void *reaper_thread(void *arg)
{
  struct reaper *rp = arg;
  int k, st;

  for (k = 0; k < rp->n; k++)
    if (waitpid(rp->pids[k], &st, 0) != rp->pids[k] || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
      rp->failed++;
  close(rp->w);
  return NULL;
}

START_TEST(fifo_writer_processes_atomic)
{
  char path[256], ids[WRITERS][8], count[16];
  pid_t pids[WRITERS];
  struct reaper rp;
  pthread_t t;
  int r, k;

  make_fifo(path, sizeof path, "procs");
  snprintf(count, sizeof count, "%d", MESSAGES);
  /* The parent holds a write end until every child has exited: a loaded
   * machine may start one child only after another has written and gone,
   * which would otherwise be an EOF in between (Linux too). */
  r = open(path, O_RDONLY | O_NONBLOCK);
  ck_assert_msg(r >= 0, "open: %s", strerror(errno));
  ck_assert_int_eq(fcntl(r, F_SETFL, 0), 0);
  rp.w = open(path, O_WRONLY);
  ck_assert_int_ge(rp.w, 0);
  for (k = 0; k < WRITERS; k++) {
    snprintf(ids[k], sizeof ids[k], "%d", k);
    pids[k] = test_spawn_helper((char *[]){ (char *)test_self, "--helper", "fifo_writer", path, ids[k],
                                       count, NULL });
  }
  rp.pids = pids;
  rp.n = WRITERS;
  rp.failed = 0;
  ck_assert_int_eq(pthread_create(&t, NULL, reaper_thread, &rp), 0);
  read_messages(r, WRITERS, MESSAGES);
  ck_assert_int_eq(pthread_join(t, NULL), 0);
  ck_assert_int_eq(rp.failed, 0);
  close(r);
  unlink(path);
}
END_TEST

/* fifo_echo TEXT: write TEXT to fd 1 (a FIFO's write end, given by adddup2). */
IPCX_TEST_HELPER(fifo_echo)
{
  size_t n;

  if (argc < 1)
    return 2;
  n = strlen(argv[0]);
  return test_write_all(1, argv[0], n) == (ssize_t)n ? 0 : 1;
}

START_TEST(fifo_inherited_writer)
{
  char path[256], buf[64] = { 0 };
  posix_spawn_file_actions_t fa;
  pid_t pid = -1;
  int r, w;

  make_fifo(path, sizeof path, "inherit");
  r = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  ck_assert_int_ge(r, 0);
  ck_assert_int_eq(fcntl(r, F_SETFL, 0), 0);
  w = open(path, O_WRONLY | O_CLOEXEC);
  ck_assert_int_ge(w, 0);
  /* The child's stdout is the FIFO's write end. */
  ck_assert_int_eq(posix_spawn_file_actions_init(&fa), 0);
  ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, w, 1), 0);
  ck_assert_int_eq(posix_spawn(&pid, test_self, &fa, NULL,
                               (char *[]){ (char *)test_self, "--helper", "fifo_echo",
                                           "hello from a child", NULL }, NULL), 0);
  posix_spawn_file_actions_destroy(&fa);
  close(w);
  /* The child's bytes, then EOF once the child (the last writer) has exited. */
  ck_assert_int_eq(test_read_all(r, buf, 18), 18);
  ck_assert_str_eq(buf, "hello from a child");
  ck_assert_int_eq(read(r, buf, sizeof buf), 0);
  test_wait_ok(pid);
  close(r);
  unlink(path);
}
END_TEST

/* fifo_cat TEXT: read len(TEXT) bytes from fd 0 (a FIFO's read end); they must be TEXT. */
IPCX_TEST_HELPER(fifo_cat)
{
  char buf[64] = { 0 };
  size_t n;

  if (argc < 1 || (n = strlen(argv[0])) >= sizeof buf)
    return 2;
  if (test_read_all(0, buf, n) != (ssize_t)n)
    return 3;
  return strcmp(buf, argv[0]) == 0 ? 0 : 4;
}

START_TEST(fifo_inherited_reader)
{
  posix_spawn_file_actions_t fa;
  char path[256];
  pid_t pid = -1;
  int r, w;

  make_fifo(path, sizeof path, "inheritr");
  r = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  ck_assert_int_ge(r, 0);
  ck_assert_int_eq(fcntl(r, F_SETFL, 0), 0);
  w = open(path, O_WRONLY | O_CLOEXEC);
  ck_assert_int_ge(w, 0);
  /* The child's stdin is the FIFO's read end. */
  ck_assert_int_eq(posix_spawn_file_actions_init(&fa), 0);
  ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, r, 0), 0);
  ck_assert_int_eq(posix_spawn(&pid, test_self, &fa, NULL,
                               (char *[]){ (char *)test_self, "--helper", "fifo_cat", "ping", NULL },
                               NULL), 0);
  posix_spawn_file_actions_destroy(&fa);
  ck_assert_int_eq(write(w, "ping", 4), 4);
  /* Windows: the parent keeps its read end open while the child reads (the
   * FIFO's relay lives in the process that opened it; README differences). */
  test_wait_ok(pid);
  close(r);
  close(w);
  unlink(path);
}
END_TEST

/*
 * fifo_client SERVER ID: make a reply FIFO, send "reply-path id" to the
 * server FIFO as one RECORD-byte write, read the answer from the reply FIFO.
 */
IPCX_TEST_HELPER(fifo_client)
{
  char rec[RECORD], reply[200], want[64], got[64] = { 0 };
  int s, r, id;

  if (argc < 2)
    return 2;
  id = atoi(argv[1]);
  test_path(reply, sizeof reply, "reply");
  if (mkfifo(reply, 0600) != 0)
    return 3;
  memset(rec, 0, sizeof rec);
  snprintf(rec, sizeof rec, "%s %d", reply, id);
  s = open(argv[0], O_WRONLY);
  if (s < 0 || write(s, rec, sizeof rec) != (ssize_t)sizeof rec)
    return 4;
  close(s);
  r = open(reply, O_RDONLY);
  if (r < 0)
    return 5;
  snprintf(want, sizeof want, "pong %d", id);
  if (test_read_all(r, got, strlen(want)) < 0 || strcmp(got, want) != 0)
    return 6;
  if (read(r, got, sizeof got) != 0)
    return 7;
  close(r);
  unlink(reply);
  return 0;
}

START_TEST(fifo_server_and_clients)
{
  char path[256], ids[CLIENTS][8], rec[RECORD], answer[64];
  pid_t pids[CLIENTS];
  int seen[CLIENTS] = { 0 };
  int s, k;

  make_fifo(path, sizeof path, "server");
  /* O_RDWR: the server never sees EOF between clients. */
  s = open(path, O_RDWR);
  ck_assert_int_ge(s, 0);
  for (k = 0; k < CLIENTS; k++) {
    snprintf(ids[k], sizeof ids[k], "%d", k);
    pids[k] = test_spawn_helper((char *[]){ (char *)test_self, "--helper", "fifo_client", path, ids[k],
                                       NULL });
  }
  for (k = 0; k < CLIENTS; k++) {
    char *space;
    int id, c;
    ck_assert_int_eq(test_read_all(s, rec, sizeof rec), (ssize_t)sizeof rec);
    rec[RECORD - 1] = 0;
    space = strrchr(rec, ' ');
    ck_assert_ptr_nonnull(space);
    *space = 0;
    id = atoi(space + 1);
    ck_assert(id >= 0 && id < CLIENTS && !seen[id]);
    seen[id] = 1;
    c = open(rec, O_WRONLY);
    ck_assert_int_ge(c, 0);
    snprintf(answer, sizeof answer, "pong %d", id);
    ck_assert_int_eq(write(c, answer, strlen(answer)), (ssize_t)strlen(answer));
    close(c);
  }
  for (k = 0; k < CLIENTS; k++)
    test_wait_ok(pids[k]);
  close(s);
  unlink(path);
}
END_TEST

Suite *suite_fifo(void)
{
  Suite *s = suite_create("fifo");
  TCase *tc = test_tcase("fifo");
  TCase *procs = test_tcase("fifo_processes");

  tcase_add_test(tc, fifo_mkfifo_stat_unlink);
  tcase_add_test(tc, fifo_mkfifo_errors);
  tcase_add_test(tc, fifo_fionread);
  tcase_add_test(tc, fifo_regular_files_still_files);
  tcase_add_test(tc, fifo_reader_waits_for_writer);
  tcase_add_test(tc, fifo_writer_waits_for_reader);
  tcase_add_test(tc, fifo_nonblocking_opens);
  tcase_add_test(tc, fifo_rdwr_never_blocks);
  tcase_add_test(tc, fifo_eof_and_reopen);
  tcase_add_test(tc, fifo_blocking_read_waits_then_eof);
  tcase_add_test(tc, fifo_epipe_when_reader_closes);
  tcase_add_test(tc, fifo_short_reads_keep_messages_whole);
  tcase_add_test(tc, fifo_stdio_reader);
  tcase_add_test(tc, fifo_writer_threads_atomic);
  tcase_add_test(tc, fifo_two_writers_wake_reader);
  tcase_add_test(tc, fifo_steady_writer_every_byte);
  tcase_add_test(tc, fifo_big_write_and_second_writer);
  tcase_add_test(tc, fifo_poll);
  suite_add_tcase(s, tc);
  tcase_add_test(procs, fifo_writer_processes_atomic);
  tcase_add_test(procs, fifo_server_and_clients);
  tcase_add_test(procs, fifo_inherited_writer);
  tcase_add_test(procs, fifo_inherited_reader);
  suite_add_tcase(s, procs);
  return s;
}
