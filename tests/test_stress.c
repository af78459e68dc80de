/*
 * Stress: many objects, many bytes, many processes; every byte checked:
 * nothing lost, duplicated or reordered within a stream.
 *
 * Short by default (seconds, in `make check`); the STRESS environment
 * variable multiplies the counts (`make stress` sets STRESS=100: minutes):
 * 100,000 pipes and 100,000 socketpairs opened and closed, 400 MiB through
 * one pipe, 64 client processes x 10,000 messages through one listener, 16
 * writer processes x 20,000 records into one FIFO, 110 children spawned with
 * pipes.
 */
#include "ipcx_test.h"
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

/* The STRESS multiplier (1 when unset). */
static int scale(void)
{
  const char *s = getenv("STRESS");
  int k = s != NULL ? atoi(s) : 1;

  return k < 1 ? 1 : k > 10000 ? 10000 : k;
}

static unsigned char stream_byte(unsigned long long i, unsigned seed)
{
  return (unsigned char)((i * 7 + (i >> 8) * 13 + (i >> 16) + seed * 101) & 0xff);
}

/* --- pipes and socketpairs opened and closed ---------------------------- */

/* Open, use and close n pairs made by make(); every byte is checked. */
static void churn(int (*make)(int fds[2]), int n, int bidirectional)
{
  unsigned char out[64], in[64];
  int fds[2], i, k, len;

  for (i = 0; i < n; i++) {
    ck_assert_int_eq(make(fds), 0);
    len = 1 + i % (int)sizeof out;
    for (k = 0; k < len; k++)
      out[k] = stream_byte((unsigned long long)k, (unsigned)i);
    ck_assert_int_eq(write(fds[1], out, (size_t)len), len);
    ck_assert_int_eq(test_read_all(fds[0], in, (size_t)len), len);
    ck_assert_int_eq(memcmp(in, out, (size_t)len), 0);
    if (bidirectional) {
      ck_assert_int_eq(write(fds[0], out, 1), 1);
      ck_assert_int_eq(read(fds[1], in, 1), 1);
      ck_assert_int_eq(in[0], out[0]);
    }
    ck_assert_int_eq(close(fds[i & 1]), 0);   /* either end first */
    if (i & 1)
      ck_assert_int_eq(read(fds[0], in, 1), 0);
    ck_assert_int_eq(close(fds[!(i & 1)]), 0);
  }
}

static int make_pipe(int fds[2]) { return pipe(fds); }
static int make_socketpair(int fds[2]) { return socketpair(AF_UNIX, SOCK_STREAM, 0, fds); }

START_TEST(stress_pipes_open_close)
{
  churn(make_pipe, 1000 * scale(), 0);
}
END_TEST

START_TEST(stress_socketpairs_open_close)
{
  churn(make_socketpair, 1000 * scale(), 1);
}
END_TEST

/* --- one stream, odd chunk sizes, two threads ---------------------------- */

struct writer {
  int fd;
  unsigned long long n;
  unsigned seed;
};

static void *stream_writer(void *arg)
{
  struct writer *w = arg;
  unsigned char *buf = malloc(70000);
  unsigned long long pos = 0;
  size_t chunk = 1, k, i;

  if (buf == NULL)
    return (void *)1;
  while (pos < w->n) {
    k = chunk < w->n - pos ? chunk : (size_t)(w->n - pos);
    for (i = 0; i < k; i++)
      buf[i] = stream_byte(pos + i, w->seed);
    if (test_write_all(w->fd, buf, k) != (ssize_t)k)
      break;
    pos += k;
    chunk = (chunk * 5 + 3) % 70000 + 1;
  }
  free(buf);
  return pos == w->n ? NULL : (void *)1;
}

START_TEST(stress_pipe_stream)
{
  static unsigned char buf[65536];
  struct writer w;
  unsigned long long pos = 0;
  pthread_t t;
  void *r;
  int p[2];
  ssize_t n, i;

  ck_assert_int_eq(pipe(p), 0);
  w.fd = p[1];
  w.n = (unsigned long long)scale() << 22;      /* 4 MiB per STRESS */
  w.seed = 3;
  ck_assert_int_eq(pthread_create(&t, NULL, stream_writer, &w), 0);
  while (pos < w.n) {
    n = read(p[0], buf, (size_t)(1 + pos % sizeof buf));
    ck_assert_int_gt(n, 0);
    for (i = 0; i < n; i++)
      if (buf[i] != stream_byte(pos + (unsigned long long)i, 3))
        ck_abort_msg("byte %llu is wrong", pos + (unsigned long long)i);
    pos += (unsigned long long)n;
  }
  ck_assert_int_eq(pthread_join(t, &r), 0);
  ck_assert_ptr_null(r);
  close(p[1]);
  ck_assert_int_eq(read(p[0], buf, 1), 0);
  close(p[0]);
}
END_TEST

/* --- records from many writers into one pipe or FIFO -------------------- */

/* A record: writer id, sequence number, then a body made of both. */
#define REC 128

static void rec_make(unsigned char *rec, unsigned id, unsigned seq)
{
  int i;

  memcpy(rec, &id, 4);
  memcpy(rec + 4, &seq, 4);
  for (i = 8; i < REC; i++)
    rec[i] = (unsigned char)(id * 31 + seq * 7 + (unsigned)i);
}

/* Checks one record and that each writer's records come in order. */
static void rec_check(const unsigned char *rec, unsigned *next, unsigned writers)
{
  unsigned id, seq;
  unsigned char want[REC];

  memcpy(&id, rec, 4);
  memcpy(&seq, rec + 4, 4);
  ck_assert_uint_lt(id, writers);
  ck_assert_uint_eq(seq, next[id]);
  rec_make(want, id, seq);
  ck_assert_int_eq(memcmp(rec, want, REC), 0);
  next[id]++;
}

/* Write argv[1] records as writer argv[0] to fd 1 (or to FIFO argv[2]). */
IPCX_TEST_HELPER(stress_rec_writer)
{
  unsigned char rec[REC];
  unsigned id, n, i;
  int fd = 1;

  if (argc < 2)
    return 2;
  id = (unsigned)atoi(argv[0]);
  n = (unsigned)atoi(argv[1]);
  if (argc > 2 && (fd = open(argv[2], O_WRONLY)) < 0)
    return 3;
  for (i = 0; i < n; i++) {
    rec_make(rec, id, i);
    if (write(fd, rec, REC) != REC)     /* at most PIPE_BUF: atomic */
      return 4;
  }
  return 0;
}

/* 16 writer processes into one FIFO: every record whole, each writer's in order. */
START_TEST(stress_fifo_writers)
{
  enum { WRITERS = 16 };
  unsigned next[WRITERS] = { 0 }, per = 200u * (unsigned)scale(), total = 0, i;
  unsigned char rec[REC];
  char path[256], id[16], count[16];
  pid_t pid[WRITERS];
  int fd, keep, status;

  test_path(path, sizeof path, "stress-fifo");
  ck_assert_int_eq(mkfifo(path, 0600), 0);
  fd = open(path, O_RDONLY | O_NONBLOCK);       /* no writer yet: does not wait */
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(fcntl(fd, F_SETFL, 0), 0);
  /* Our own writer keeps the FIFO from EOF between one child and the next. */
  keep = open(path, O_WRONLY);
  ck_assert_int_ge(keep, 0);
  snprintf(count, sizeof count, "%u", per);
  for (i = 0; i < WRITERS; i++) {
    char *argv[] = { (char *)test_self, "--helper", "stress_rec_writer", id, count, path, NULL };
    snprintf(id, sizeof id, "%u", i);
    ck_assert_int_eq(posix_spawn(&pid[i], test_self, NULL, NULL, argv, NULL), 0);
  }
  while (total < per * WRITERS) {
    ck_assert_int_eq(test_read_all(fd, rec, REC), REC);
    rec_check(rec, next, WRITERS);
    total++;
  }
  for (i = 0; i < WRITERS; i++) {
    ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    ck_assert_uint_eq(next[i], per);
  }
  close(keep);
  ck_assert_int_eq(read(fd, rec, 1), 0);        /* every writer gone: EOF */
  close(fd);
  unlink(path);
}
END_TEST

/* --- children spawned with pipes ----------------------------------------- */

/* Batches of 10 children at once, each given 64 KiB through a pipe and
 * giving it back through another. */
START_TEST(stress_spawn_children)
{
  enum { BATCH = 10, BYTES = 65536 };
  char *argv[] = { (char *)test_self, "--helper", "cat", NULL };
  static unsigned char out[BYTES], in[BYTES];
  int to[BATCH], from[BATCH], b, i, status, batches = 1 + scale() / 10;
  pid_t pid[BATCH];

  for (b = 0; b < batches; b++) {
    for (i = 0; i < BATCH; i++) {
      posix_spawn_file_actions_t fa;
      int a[2], z[2];
      ck_assert_int_eq(pipe2(a, O_CLOEXEC), 0);
      ck_assert_int_eq(pipe2(z, O_CLOEXEC), 0);
      ck_assert_int_eq(posix_spawn_file_actions_init(&fa), 0);
      ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, a[0], 0), 0);
      ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, z[1], 1), 0);
      ck_assert_int_eq(posix_spawn(&pid[i], test_self, &fa, NULL, argv, NULL), 0);
      posix_spawn_file_actions_destroy(&fa);
      close(a[0]);
      close(z[1]);
      to[i] = a[1];
      from[i] = z[0];
    }
    for (i = 0; i < BATCH; i++) {
      size_t k;
      for (k = 0; k < BYTES; k++)
        out[k] = stream_byte(k, (unsigned)(b * BATCH + i));
      /* In halves: the child echoes as it reads, and half of it fits in
       * each pipe, so one thread can do both sides without a deadlock. */
      ck_assert_int_eq(test_write_all(to[i], out, BYTES / 2), BYTES / 2);
      ck_assert_int_eq(test_read_all(from[i], in, BYTES / 2), BYTES / 2);
      ck_assert_int_eq(test_write_all(to[i], out + BYTES / 2, BYTES / 2), BYTES / 2);
      close(to[i]);
      ck_assert_int_eq(test_read_all(from[i], in + BYTES / 2, BYTES / 2), BYTES / 2);
      ck_assert_int_eq(memcmp(in, out, BYTES), 0);
      ck_assert_int_eq(read(from[i], in, 1), 0);
      close(from[i]);
    }
    for (i = 0; i < BATCH; i++) {
      ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
      ck_assert(WIFEXITED(status));
      ck_assert_int_eq(WEXITSTATUS(status), 0);
    }
  }
}
END_TEST

/* --- many clients through one listener ---------------------------------- */

/* Connect to argv[0]; send argv[1] messages of 64 bytes as client argv[2],
 * read each one back (echoed), check it, and exit 0. */
IPCX_TEST_HELPER(stress_client)
{
  struct sockaddr_un a;
  unsigned char msg[64], back[64];
  unsigned id, n, i;
  int fd, k;

  if (argc < 3)
    return 2;
  n = (unsigned)atoi(argv[1]);
  id = (unsigned)atoi(argv[2]);
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  snprintf(a.sun_path, sizeof a.sun_path, "%s", argv[0]);
  fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
    return 3;
  for (i = 0; i < n; i++) {
    for (k = 0; k < 64; k++)
      msg[k] = (unsigned char)(id * 13 + i * 7 + (unsigned)k);
    if (test_write_all(fd, msg, 64) != 64 || test_read_all(fd, back, 64) != 64)
      return 4;
    if (memcmp(msg, back, 64) != 0)
      return 5;
  }
  close(fd);
  return 0;
}

struct echo_conn {
  int fd;
};

static void *echo_conn(void *arg)
{
  struct echo_conn *e = arg;
  char buf[4096];
  ssize_t n;

  while ((n = read(e->fd, buf, sizeof buf)) > 0)
    if (test_write_all(e->fd, buf, (size_t)n) < 0)
      break;
  close(e->fd);
  return NULL;
}

/* 64 client processes x N echoed messages through one listener, a thread
 * per connection on the server side. */
START_TEST(stress_listener_clients)
{
  enum { CLIENTS = 64 };
  static struct echo_conn conn[CLIENTS];
  pthread_t t[CLIENTS];
  struct sockaddr_un a;
  char path[108], count[16], id[CLIENTS][8];
  pid_t pid[CLIENTS];
  int lsn, i, status;

  test_path(path, sizeof path, "stress-lsn");
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
  lsn = socket(AF_UNIX, SOCK_STREAM, 0);
  ck_assert_int_ge(lsn, 0);
  ck_assert_int_eq(bind(lsn, (struct sockaddr *)&a, sizeof a), 0);
  ck_assert_int_eq(listen(lsn, CLIENTS), 0);
  snprintf(count, sizeof count, "%d", 100 * scale());
  for (i = 0; i < CLIENTS; i++) {
    char *argv[] = { (char *)test_self, "--helper", "stress_client", path, count, id[i], NULL };
    snprintf(id[i], sizeof id[i], "%d", i);
    ck_assert_int_eq(posix_spawn(&pid[i], test_self, NULL, NULL, argv, NULL), 0);
  }
  for (i = 0; i < CLIENTS; i++) {
    conn[i].fd = accept(lsn, NULL, NULL);
    ck_assert_int_ge(conn[i].fd, 0);
    ck_assert_int_eq(pthread_create(&t[i], NULL, echo_conn, &conn[i]), 0);
  }
  for (i = 0; i < CLIENTS; i++) {
    ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
  }
  for (i = 0; i < CLIENTS; i++)
    pthread_join(t[i], NULL);
  close(lsn);
  unlink(path);
}
END_TEST

/* One test case per test, so that CK_RUN_CASE=name runs one of them. */
static void add(Suite *s, const char *name, const TTest *t)
{
  TCase *tc = test_tcase(name);

  tcase_set_timeout(tc, 60 * scale());
  tcase_add_test(tc, t);
  suite_add_tcase(s, tc);
}

Suite *suite_stress(void)
{
  Suite *s = suite_create("stress");

  add(s, "pipes_open_close", stress_pipes_open_close);
  add(s, "socketpairs_open_close", stress_socketpairs_open_close);
  add(s, "pipe_stream", stress_pipe_stream);
  add(s, "fifo_writers", stress_fifo_writers);
  add(s, "spawn_children", stress_spawn_children);
  add(s, "listener_clients", stress_listener_clients);
  return s;
}
