/*
 * pipe_demo: plain Unix C (no ipcx names) that builds unchanged on Linux and,
 * through ipcx's drop-in headers, on Windows.
 *
 * A producer thread writes numbered lines into a pipe; the main thread reads
 * them, upper-cases them and prints them; then it shows the POSIX rules the
 * port must keep: EOF after the writer closes, EAGAIN on an empty
 * nonblocking pipe, EPIPE when the reader is gone, EBADF on a closed fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void *producer(void *arg)
{
  int fd = *(int *)arg;
  char line[64];
  int i;

  for (i = 1; i <= 5; i++) {
    int n = snprintf(line, sizeof line, "line %d from the producer\n", i);
    if (write(fd, line, (size_t)n) != n)
      perror("write");
  }
  close(fd);
  return NULL;
}

int main(void)
{
  char buf[256];
  pthread_t t;
  ssize_t n;
  size_t total = 0;
  int p[2], q[2], i;

  signal(SIGPIPE, SIG_IGN);
  if (pipe(p) < 0) {
    perror("pipe");
    return 1;
  }
  pthread_create(&t, NULL, producer, &p[1]);
  while ((n = read(p[0], buf, sizeof buf)) > 0) {
    for (i = 0; i < n; i++)
      if (buf[i] >= 'a' && buf[i] <= 'z')
        buf[i] = (char)(buf[i] - 'a' + 'A');
    fwrite(buf, 1, (size_t)n, stdout);
    total += (size_t)n;
  }
  pthread_join(t, NULL);
  printf("read %zu bytes, then read() returned %zd (EOF)\n", total, n);
  close(p[0]);

  if (pipe(q) < 0) {
    perror("pipe");
    return 1;
  }
  fcntl(q[0], F_SETFL, fcntl(q[0], F_GETFL) | O_NONBLOCK);
  n = read(q[0], buf, sizeof buf);
  printf("empty nonblocking pipe: read() = %zd, errno %s\n", n,
         errno == EAGAIN ? "EAGAIN" : strerror(errno));
  close(q[0]);
  n = write(q[1], "x", 1);
  printf("reader gone: write() = %zd, errno %s\n", n, errno == EPIPE ? "EPIPE" : strerror(errno));
  close(q[1]);
  n = write(q[1], "x", 1);
  printf("closed fd: write() = %zd, errno %s\n", n, errno == EBADF ? "EBADF" : strerror(errno));
  return 0;
}
