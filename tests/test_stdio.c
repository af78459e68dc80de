/* stdio on pipes, FIFOs and sockets: fdopen(), fgets(), fprintf(), fflush(), fclose(). */
#include "ipcx_test.h"
#include <poll.h>

#include <spawn.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/wait.h>

/* Sleep, then write argv[1] to the inherited fd argv[0]. */
IPCX_TEST_HELPER(stdio_late_writer)
{
  size_t n;

  if (argc < 2)
    return 2;
  test_sleep_ms(200);
  n = strlen(argv[1]);
  return test_write_all(atoi(argv[0]), argv[1], n) == (ssize_t)n ? 0 : 1;
}

/* fgets() waits on a pipe whose read end a child holds too (it inherited both ends). */
START_TEST(stdio_pipe_fgets_while_child_holds_end)
{
  char rd[16], wr[16], line[64];
  FILE *in;
  pid_t pid;
  int p[2];

  ck_assert_int_eq(pipe(p), 0);
  snprintf(rd, sizeof rd, "%d", p[0]);
  snprintf(wr, sizeof wr, "%d", p[1]);
  pid = test_spawn_helper((char *[]){ (char *)test_self, "--helper", "stdio_late_writer", wr,
                                 "hello from the child\n", NULL });
  ck_assert_int_eq(close(p[1]), 0);
  in = fdopen(p[0], "r");
  ck_assert_ptr_nonnull(in);
  ck_assert_ptr_nonnull(fgets(line, sizeof line, in));
  ck_assert_str_eq(line, "hello from the child\n");
  ck_assert_ptr_null(fgets(line, sizeof line, in));     /* the child exited: EOF */
  ck_assert(feof(in));
  ck_assert(!ferror(in));
  test_wait_ok(pid);
  ck_assert_int_eq(fclose(in), 0);
}
END_TEST

/* fprintf() to a socket; the peer reads it with read(); fclose() is its EOF. */
START_TEST(stdio_fprintf_to_socket)
{
  char buf[32] = { 0 };
  FILE *out;
  int sv[2];

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  out = fdopen(sv[0], "w");
  ck_assert_ptr_nonnull(out);
  ck_assert_int_eq(fileno(out), sv[0]);
  ck_assert_int_eq(fprintf(out, "n=%d %s\n", 42, "ok"), 8);
  ck_assert_int_eq(fflush(out), 0);
  ck_assert_int_eq(test_read_all(sv[1], buf, 8), 8);
  ck_assert_str_eq(buf, "n=42 ok\n");
  ck_assert_int_ge(fputs("tail", out), 0);
  ck_assert_int_eq(fclose(out), 0);                     /* flushes "tail", closes sv[0] */
  memset(buf, 0, sizeof buf);
  ck_assert_int_eq(test_read_all(sv[1], buf, 4), 4);
  ck_assert_str_eq(buf, "tail");
  ck_assert_int_eq(read(sv[1], buf, sizeof buf), 0);
  ck_assert_int_eq(close(sv[1]), 0);
}
END_TEST

/* The server side of the "r+" test: answer a line with "re: line", then close. */
static void *reply_server(void *arg)
{
  int fd = *(int *)arg;
  char line[64], reply[80];
  size_t n = 0;

  while (n < sizeof line - 1 && read(fd, &line[n], 1) == 1 && line[n] != '\n')
    n++;
  line[n] = 0;
  snprintf(reply, sizeof reply, "re: %s\n", line);
  test_write_all(fd, reply, strlen(reply));
  close(fd);
  return NULL;
}

/*
 * "r+" on a socket: request, reply, EOF.  (One round: C says output may not
 * follow input without an fseek(), which a socket cannot do.)
 */
START_TEST(stdio_socket_rplus_request_reply)
{
  char line[64];
  pthread_t t;
  FILE *io;
  int sv[2];

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ck_assert_int_eq(pthread_create(&t, NULL, reply_server, &sv[1]), 0);
  io = fdopen(sv[0], "r+");
  ck_assert_ptr_nonnull(io);
  ck_assert_int_gt(fprintf(io, "ping\n"), 0);
  ck_assert_int_eq(fflush(io), 0);
  ck_assert_ptr_nonnull(fgets(line, sizeof line, io));
  ck_assert_str_eq(line, "re: ping\n");
  ck_assert_ptr_null(fgets(line, sizeof line, io));     /* the server closed */
  ck_assert(feof(io));
  ck_assert_int_eq(pthread_join(t, NULL), 0);
  fclose(io);
}
END_TEST

/* fprintf()/fgets() over TCP on the loopback. */
START_TEST(stdio_tcp_lines)
{
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  char line[64];
  FILE *out, *in;
  int l, c, s;

  l = socket(AF_INET, SOCK_STREAM, 0);
  ck_assert_int_ge(l, 0);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ck_assert_int_eq(bind(l, (struct sockaddr *)&a, sizeof a), 0);
  ck_assert_int_eq(listen(l, 1), 0);
  ck_assert_int_eq(getsockname(l, (struct sockaddr *)&a, &len), 0);
  c = socket(AF_INET, SOCK_STREAM, 0);
  ck_assert_int_ge(c, 0);
  ck_assert_int_eq(connect(c, (struct sockaddr *)&a, sizeof a), 0);
  s = accept(l, NULL, NULL);
  ck_assert_int_ge(s, 0);
  out = fdopen(c, "w");
  in = fdopen(s, "r");
  ck_assert_ptr_nonnull(out);
  ck_assert_ptr_nonnull(in);
  ck_assert_int_gt(fprintf(out, "GET / HTTP/1.0\r\n\r\n"), 0);
  ck_assert_int_eq(fclose(out), 0);
  ck_assert_ptr_nonnull(fgets(line, sizeof line, in));
  ck_assert_str_eq(line, "GET / HTTP/1.0\r\n");
  ck_assert_ptr_nonnull(fgets(line, sizeof line, in));
  ck_assert_str_eq(line, "\r\n");
  ck_assert_ptr_null(fgets(line, sizeof line, in));
  ck_assert_int_eq(fclose(in), 0);
  ck_assert_int_eq(close(l), 0);
}
END_TEST

/* fclose() closes the fd: the writing peer gets EPIPE, the reading peer EOF. */
START_TEST(stdio_fclose_closes_fd)
{
  char buf[16] = { 0 };
  FILE *r, *w;
  int p[2], q[2];

  ck_assert_int_eq(pipe(p), 0);
  r = fdopen(p[0], "r");
  ck_assert_ptr_nonnull(r);
  ck_assert_int_eq(fclose(r), 0);
  errno = 0;
  ck_assert_int_eq(write(p[1], "x", 1), -1);
  ck_assert_int_eq(errno, EPIPE);
  errno = 0;
  ck_assert_int_eq(fcntl(p[0], F_GETFD), -1);
  ck_assert_int_eq(errno, EBADF);
  ck_assert_int_eq(close(p[1]), 0);

  ck_assert_int_eq(pipe(q), 0);
  w = fdopen(q[1], "w");
  ck_assert_ptr_nonnull(w);
  ck_assert_int_ge(fputs("bye", w), 0);
  ck_assert_int_eq(fclose(w), 0);                       /* nothing lost */
  ck_assert_int_eq(test_read_all(q[0], buf, 3), 3);
  ck_assert_str_eq(buf, "bye");
  ck_assert_int_eq(read(q[0], buf, sizeof buf), 0);
  ck_assert_int_eq(close(q[0]), 0);
}
END_TEST

/* A FILE writing to a socket whose peer has gone: fflush() fails with EPIPE. */
START_TEST(stdio_fflush_epipe)
{
  FILE *w;
  int sv[2];

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ck_assert_int_eq(close(sv[1]), 0);
  w = fdopen(sv[0], "w");
  ck_assert_ptr_nonnull(w);
  ck_assert_int_ge(fputs("nobody listens\n", w), 0);
  errno = 0;
  ck_assert_int_eq(fflush(w), EOF);
  ck_assert_int_eq(errno, EPIPE);
  fclose(w);
}
END_TEST

/* fprintf() to an inherited pipe, then exit without fflush() or fclose(). */
IPCX_TEST_HELPER(stdio_exit_unflushed)
{
  FILE *out;

  if (argc < 1 || (out = fdopen(atoi(argv[0]), "w")) == NULL)
    return 2;
  fprintf(out, "flushed by exit\n");
  return 0;
}

/* exit() flushes the child's FILE: nothing is lost. */
START_TEST(stdio_exit_flushes)
{
  char wr[16], buf[64] = { 0 };
  pid_t pid;
  int p[2];

  ck_assert_int_eq(pipe(p), 0);
  snprintf(wr, sizeof wr, "%d", p[1]);
  pid = test_spawn_helper((char *[]){ (char *)test_self, "--helper", "stdio_exit_unflushed", wr, NULL });
  ck_assert_int_eq(close(p[1]), 0);
  ck_assert_int_eq(test_read_all(p[0], buf, 16), 16);
  ck_assert_str_eq(buf, "flushed by exit\n");
  ck_assert_int_eq(read(p[0], buf, sizeof buf), 0);
  test_wait_ok(pid);
  ck_assert_int_eq(close(p[0]), 0);
}
END_TEST

/* Open a FIFO for writing and write one line "client N\n". */
IPCX_TEST_HELPER(stdio_fifo_client)
{
  char line[32];
  int fd, n;

  if (argc < 2)
    return 2;
  fd = open(argv[0], O_WRONLY);
  if (fd < 0)
    return 1;
  n = snprintf(line, sizeof line, "client %s\n", argv[1]);
  if (test_write_all(fd, line, (size_t)n) != n)
    return 1;
  return close(fd) == 0 ? 0 : 1;
}

/* fifo_rpc's server: fgets() on a FIFO reader that spawned writers inherited. */
START_TEST(stdio_fifo_reader_spawned_writers)
{
  char path[256], ids[3][8], line[64];
  pid_t pids[3];
  int fd, keep, k, seen = 0;
  FILE *in;

  test_path(path, sizeof path, "stdio.fifo");
  ck_assert_int_eq(mkfifo(path, 0600), 0);
  fd = open(path, O_RDONLY | O_NONBLOCK);
  ck_assert_int_ge(fd, 0);
  keep = open(path, O_WRONLY);
  ck_assert_int_ge(keep, 0);
  ck_assert_int_eq(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK), 0);
  for (k = 0; k < 3; k++) {
    snprintf(ids[k], sizeof ids[k], "%d", k);
    pids[k] = test_spawn_helper((char *[]){ (char *)test_self, "--helper", "stdio_fifo_client", path,
                                       ids[k], NULL });
  }
  in = fdopen(fd, "r");
  ck_assert_ptr_nonnull(in);
  for (k = 0; k < 3; k++) {
    ck_assert_ptr_nonnull(fgets(line, sizeof line, in));
    ck_assert_int_eq(strncmp(line, "client ", 7), 0);
    ck_assert(line[7] >= '0' && line[7] <= '2' && line[8] == '\n');
    seen |= 1 << (line[7] - '0');
  }
  ck_assert_int_eq(seen, 7);
  for (k = 0; k < 3; k++)
    test_wait_ok(pids[k]);
  ck_assert_int_eq(close(keep), 0);
  ck_assert_ptr_null(fgets(line, sizeof line, in));     /* no writer left: EOF */
  ck_assert(feof(in));
  ck_assert_int_eq(fclose(in), 0);
  unlink(path);
}
END_TEST

static void *fifo_line_writer(void *arg)
{
  int fd = open((const char *)arg, O_WRONLY);   /* waits for the reader */

  if (fd >= 0) {
    (void)test_write_all(fd, "from writer\n", 12);
    close(fd);
  }
  return NULL;
}

/* fopen() on a FIFO opens it as open() does (a reader waits for a writer),
 * and "/dev/null" is the null device. */
START_TEST(stdio_fopen_fifo)
{
  char path[256], line[64];
  struct pollfd p;
  pthread_t t;
  FILE *fp;
  int fd;

  test_path(path, sizeof path, "fopen.fifo");
  ck_assert_int_eq(mkfifo(path, 0600), 0);
  ck_assert_int_eq(pthread_create(&t, NULL, fifo_line_writer, path), 0);
  fp = fopen(path, "r");
  ck_assert_ptr_nonnull(fp);
  ck_assert_ptr_nonnull(fgets(line, sizeof line, fp));
  ck_assert_str_eq(line, "from writer\n");
  ck_assert_ptr_null(fgets(line, sizeof line, fp));     /* the writer closed: EOF */
  ck_assert_int_eq(pthread_join(t, NULL), 0);
  ck_assert_int_eq(fclose(fp), 0);

  fd = open(path, O_RDONLY | O_NONBLOCK);
  ck_assert_int_ge(fd, 0);
  fp = fopen(path, "w");
  ck_assert_ptr_nonnull(fp);
  ck_assert_int_eq(fprintf(fp, "to reader %d\n", 7), 12);
  ck_assert_int_eq(fclose(fp), 0);
  p.fd = fd;
  p.events = POLLIN;
  ck_assert_int_eq(poll(&p, 1, 5000), 1);
  ck_assert_int_eq(read(fd, line, sizeof line), 12);
  ck_assert_int_eq(memcmp(line, "to reader 7\n", 12), 0);
  close(fd);
  unlink(path);

  fp = fopen("/dev/null", "r");
  ck_assert_ptr_nonnull(fp);
  ck_assert_int_eq(fgetc(fp), EOF);
  ck_assert_int_eq(fclose(fp), 0);
  fp = fopen("/dev/null", "w");
  ck_assert_ptr_nonnull(fp);
  ck_assert_int_eq(fputs("gone\n", fp) >= 0, 1);
  ck_assert_int_eq(fclose(fp), 0);
}
END_TEST

/* Bytes flushed through the FILE come before a later write() on its fd. */
START_TEST(stdio_fflush_orders_with_write)
{
  char buf[32] = { 0 };
  FILE *w;
  int p[2], k;

  ck_assert_int_eq(pipe(p), 0);
  w = fdopen(p[1], "w");
  ck_assert_ptr_nonnull(w);
  for (k = 0; k < 3; k++) {
    ck_assert_int_ge(fputs("ab", w), 0);
    ck_assert_int_eq(fflush(w), 0);
    ck_assert_int_eq(write(p[1], "C", 1), 1);
  }
  ck_assert_int_ge(fputs("end", w), 0);
  ck_assert_int_eq(fclose(w), 0);
  ck_assert_int_eq(test_read_all(p[0], buf, 12), 12);
  ck_assert_str_eq(buf, "abCabCabCend");
  ck_assert_int_eq(read(p[0], buf, sizeof buf), 0);
  ck_assert_int_eq(close(p[0]), 0);
}
END_TEST

#define LINES 2000

static void *line_writer(void *arg)
{
  FILE *w = arg;
  int k;

  for (k = 0; k < LINES; k++)
    fprintf(w, "line %d of the test\n", k);
  fclose(w);
  return NULL;
}

/* A FILE on each end of one pipe, more than a pipe buffer, then EOF. */
START_TEST(stdio_file_on_each_end)
{
  char line[64], want[64];
  pthread_t t;
  FILE *r, *w;
  int p[2], k;

  ck_assert_int_eq(pipe(p), 0);
  r = fdopen(p[0], "r");
  w = fdopen(p[1], "w");
  ck_assert_ptr_nonnull(r);
  ck_assert_ptr_nonnull(w);
  ck_assert_int_eq(pthread_create(&t, NULL, line_writer, w), 0);
  for (k = 0; k < LINES; k++) {
    snprintf(want, sizeof want, "line %d of the test\n", k);
    ck_assert_ptr_nonnull(fgets(line, sizeof line, r));
    ck_assert_str_eq(line, want);
  }
  ck_assert_ptr_null(fgets(line, sizeof line, r));
  ck_assert(feof(r));
  ck_assert_int_eq(pthread_join(t, NULL), 0);
  ck_assert_int_eq(fclose(r), 0);
}
END_TEST

/* fread() of a binary block (no newline translation, bytes 0..255). */
START_TEST(stdio_binary_bytes)
{
  unsigned char out[512], in[512];
  FILE *r;
  int sv[2], k;

  for (k = 0; k < (int)sizeof out; k++)
    out[k] = (unsigned char)(k * 7);
  out[10] = '\r';
  out[11] = '\n';
  out[12] = 0x1a;                                       /* ^Z: EOF in text mode */
  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  r = fdopen(sv[0], "r");
  ck_assert_ptr_nonnull(r);
  ck_assert_int_eq(test_write_all(sv[1], out, sizeof out), (ssize_t)sizeof out);
  ck_assert_int_eq(close(sv[1]), 0);
  ck_assert_int_eq(fread(in, 1, sizeof in, r), sizeof in);
  ck_assert_int_eq(memcmp(in, out, sizeof in), 0);
  ck_assert_int_eq(fgetc(r), EOF);
  ck_assert_int_eq(fclose(r), 0);
}
END_TEST

START_TEST(stdio_fdopen_errors)
{
  char path[256];
  FILE *f;
  int p[2], fd;

  errno = 0;
  ck_assert_ptr_null(fdopen(-1, "r"));
  ck_assert_int_eq(errno, EBADF);
  ck_assert_int_eq(pipe(p), 0);
  errno = 0;
  ck_assert_ptr_null(fdopen(p[0], "w"));                /* a read end */
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_ptr_null(fdopen(p[1], "r+"));               /* a write end */
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_ptr_null(fdopen(p[0], "q"));
  ck_assert_int_eq(errno, EINVAL);
  ck_assert_int_eq(close(p[0]), 0);
  ck_assert_int_eq(close(p[1]), 0);
  /* A regular file keeps the C library's own FILE. */
  fd = open(test_path(path, sizeof path, "stdio.txt"), O_RDWR | O_CREAT | O_TRUNC, 0600);
  ck_assert_int_ge(fd, 0);
  f = fdopen(fd, "w+");
  ck_assert_ptr_nonnull(f);
  ck_assert_int_eq(fileno(f), fd);
  ck_assert_int_ge(fputs("file", f), 0);
  ck_assert_int_eq(fflush(f), 0);
  ck_assert_int_eq(fclose(f), 0);
  errno = 0;
  ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
  ck_assert_int_eq(errno, EBADF);
  unlink(path);
}
END_TEST

Suite *suite_stdio(void)
{
  Suite *s = suite_create("stdio");
  TCase *tc = test_tcase("stdio");

  tcase_add_test(tc, stdio_pipe_fgets_while_child_holds_end);
  tcase_add_test(tc, stdio_fprintf_to_socket);
  tcase_add_test(tc, stdio_socket_rplus_request_reply);
  tcase_add_test(tc, stdio_tcp_lines);
  tcase_add_test(tc, stdio_fclose_closes_fd);
  tcase_add_test(tc, stdio_fflush_epipe);
  tcase_add_test(tc, stdio_exit_flushes);
  tcase_add_test(tc, stdio_fifo_reader_spawned_writers);
  tcase_add_test(tc, stdio_fflush_orders_with_write);
  tcase_add_test(tc, stdio_file_on_each_end);
  tcase_add_test(tc, stdio_binary_bytes);
  tcase_add_test(tc, stdio_fdopen_errors);
  tcase_add_test(tc, stdio_fopen_fifo);
  suite_add_tcase(s, tc);
  return s;
}
