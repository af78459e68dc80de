/*
 * poll_latency: what poll() costs, in plain POSIX C (built natively, and for
 * Windows with compat/ first on the include path, like the tests).
 *
 *   wake-up latency  a thread blocked in poll(-1) over N pipe read ends; the
 *                    main thread writes one byte into the last of them and
 *                    the time from just before write() to poll()'s return is
 *                    measured (median and 99th percentile over many rounds).
 *   idle cost        poll(fds, N, 0) with nothing ready: time per call.
 *   ready cost       poll(fds, N, 0) with the last fd readable: time per call.
 *
 * N = 1, 64 and 1024 fds.  N = 1 is one pipe's read end; otherwise N/2 pipes,
 * both ends polled (read ends for POLLIN, write ends with events 0, which
 * can only report POLLERR), as an event loop with many peers does; and it
 * keeps 1024 fds inside the C runtime's 2048-fd limit on Windows.  For
 * scale, "read() wake-up" is the same measure for a thread blocked in read().
 *
 *   poll_latency [rounds]      (default 300 wake-ups per N)
 */
#ifndef _WIN32
# define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void sleep_us(long us)
{
  struct timespec ts;

  ts.tv_sec = us / 1000000;
  ts.tv_nsec = (us % 1000000) * 1000;
  nanosleep(&ts, NULL);
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

struct set {
  int n;
  int (*p)[2];
  struct pollfd *pfd;
  int ack[2];                   /* the poller tells the writer it saw the byte */
  double woke;                  /* when poll() returned */
  int rounds;
  int last;                     /* the pipe whose read end is pfd[n - 1] */
  int use_read;                 /* block in read() instead of poll() */
};

static void *poller(void *arg)
{
  struct set *s = arg;
  char c;
  int i;

  for (i = 0; i < s->rounds; i++) {
    if (s->use_read) {
      if (read(s->p[s->last][0], &c, 1) != 1) {
        perror("read");
        exit(1);
      }
      s->woke = now_us();
      if (write(s->ack[1], "a", 1) != 1) {
        perror("poller");
        exit(1);
      }
      continue;
    }
    if (poll(s->pfd, (nfds_t)s->n, -1) != 1 || !(s->pfd[s->n - 1].revents & POLLIN)) {
      fprintf(stderr, "poll: unexpected result\n");
      exit(1);
    }
    s->woke = now_us();
    if (read(s->p[s->last][0], &c, 1) != 1 || write(s->ack[1], "a", 1) != 1) {
      perror("poller");
      exit(1);
    }
  }
  return NULL;
}

static void measure(int n, int rounds, int use_read)
{
  struct set s;
  pthread_t t;
  double *lat = malloc((size_t)rounds * sizeof *lat), t0, idle, ready;
  int i, calls;
  char c;

  memset(&s, 0, sizeof s);
  s.n = n;
  s.rounds = rounds;
  s.use_read = use_read;
  s.p = malloc((size_t)n * sizeof *s.p);
  s.pfd = malloc((size_t)n * sizeof *s.pfd);
  if (lat == NULL || s.p == NULL || s.pfd == NULL || pipe(s.ack) < 0) {
    perror("setup");
    exit(1);
  }
  for (i = 0; i < (n + 1) / 2; i++) {
    if (pipe(s.p[i]) < 0) {
      perror("pipe");
      exit(1);
    }
  }
  /* The read end of the last pipe goes last: it is the one that wakes poll(). */
  for (i = 0; i < n / 2; i++) {
    s.pfd[i].fd = s.p[i][1];
    s.pfd[i].events = 0;
  }
  for (i = 0; i < (n + 1) / 2; i++) {
    s.pfd[n / 2 + i].fd = s.p[i][0];
    s.pfd[n / 2 + i].events = POLLIN;
  }
  s.last = (n + 1) / 2 - 1;

  /* Idle cost: nothing ready. */
  poll(s.pfd, (nfds_t)n, 0);
  calls = n >= 1024 ? 200 : 2000;
  t0 = now_us();
  for (i = 0; i < calls; i++)
    poll(s.pfd, (nfds_t)n, 0);
  idle = (now_us() - t0) / calls;

  /* Ready cost: the last fd readable. */
  if (write(s.p[s.last][1], "r", 1) != 1) {
    perror("write");
    exit(1);
  }
  t0 = now_us();
  for (i = 0; i < calls; i++)
    poll(s.pfd, (nfds_t)n, 0);
  ready = (now_us() - t0) / calls;
  if (read(s.p[s.last][0], &c, 1) != 1) {
    perror("read");
    exit(1);
  }

  /* Wake-up latency of a thread blocked in poll(-1). */
  if (pthread_create(&t, NULL, poller, &s) != 0) {
    perror("pthread_create");
    exit(1);
  }
  for (i = 0; i < rounds; i++) {
    sleep_us(2000);             /* let the poller block */
    t0 = now_us();
    if (write(s.p[s.last][1], "w", 1) != 1 || read(s.ack[0], &c, 1) != 1) {
      perror("writer");
      exit(1);
    }
    lat[i] = s.woke - t0;
  }
  pthread_join(t, NULL);
  qsort(lat, (size_t)rounds, sizeof *lat, cmp_double);
  if (use_read)
    printf("read() wake-up     median %8.1f us  p99 %8.1f us\n", lat[rounds / 2],
           lat[rounds * 99 / 100]);
  else
    printf("%4d fds  wake-up median %8.1f us  p99 %8.1f us   poll(0) idle %8.1f us  ready %8.1f us\n",
           n, lat[rounds / 2], lat[rounds * 99 / 100], idle, ready);
  fflush(stdout);
  for (i = 0; i < (n + 1) / 2; i++) {
    close(s.p[i][0]);
    close(s.p[i][1]);
  }
  close(s.ack[0]);
  close(s.ack[1]);
  free(s.p);
  free(s.pfd);
  free(lat);
}

int main(int argc, char **argv)
{
  int rounds = argc > 1 ? atoi(argv[1]) : 300;

  if (rounds < 10)
    rounds = 10;
  measure(1, rounds, 1);
  measure(1, rounds, 0);
  measure(64, rounds, 0);
  measure(1024, rounds, 0);
  return 0;
}
