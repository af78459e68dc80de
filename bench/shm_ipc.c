/*
 * shm_ipc: shared memory, semaphores and message queues between two
 * processes, in plain POSIX C (built natively, and for Windows with compat/
 * first on the include path, like the tests).  bench/shm_raw_win32.c does the
 * shm workloads directly on Win32 (CreateFileMapping + named semaphores) for
 * comparison; pipe and SOCK_SEQPACKET rows give the figures beside them.
 *
 *   shm_rtt_64      64 B ping-pong through a shm object and two named
 *                   semaphores: the parent writes 64 B and posts, the child
 *                   copies them back and posts (us per round trip)
 *   shm_ring_mbs    bulk copy through a ring of 16 x 64 KiB slots in shm,
 *                   two named semaphores counting free and full slots (MB/s)
 *   mq_rtt_64       64 B mq_send + mq_receive each way, two queues (us)
 *   seqpacket_rtt_64  64 B write + read each way over an AF_UNIX SOCK_SEQPACKET
 *                   connection (us)
 *   pipe_rtt_64     64 B write + read each way over two pipes (us)
 *
 * Each line: "NAME VALUE" (the median of 5 runs).
 *   shm_ipc [iters [NAME]]   (default 20000 round trips; bulk 256 MiB; NAME: that line only)
 */
#ifndef _WIN32
# define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <semaphore.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#define SLOT (64 * 1024)
#define NSLOTS 16
#define RUNS 5

struct ring {
  char slot[NSLOTS][SLOT];
};

static const char *self;

static double now_us(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void die(const char *what)
{
  perror(what);
  exit(2);
}

static pid_t start(char **argv)
{
  pid_t pid;

  if (posix_spawn(&pid, self, NULL, NULL, argv, NULL) != 0)
    die("posix_spawn");
  return pid;
}

static void reap(pid_t pid)
{
  int st;

  if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
    die("peer");
}

static int cmp(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v)
{
  qsort(v, RUNS, sizeof *v, cmp);
  return v[RUNS / 2];
}

static void *map_shm(const char *name, size_t size, int create)
{
  int fd = shm_open(name, O_RDWR | (create ? O_CREAT | O_EXCL : 0), 0600);
  void *p;

  if (fd < 0 || (create && ftruncate(fd, (off_t)size) < 0))
    die("shm_open");
  p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED)
    die("mmap");
  close(fd);
  return p;
}

/* --- shm + semaphores ------------------------------------------------------ */

static int shm_peer(char **argv)
{
  long iters = atol(argv[5]);
  int bulk = strcmp(argv[1], "shm-bulk") == 0;
  size_t size = bulk ? sizeof(struct ring) : 128;
  char *p = map_shm(argv[2], size, 0);
  sem_t *a = sem_open(argv[3], 0), *b = sem_open(argv[4], 0);
  char sink[SLOT];
  long i;

  if (a == SEM_FAILED || b == SEM_FAILED)
    die("sem_open");
  for (i = 0; i < iters; i++) {
    if (sem_wait(a) != 0)
      die("sem_wait");
    if (bulk)
      memcpy(sink, p + (size_t)(i % NSLOTS) * SLOT, SLOT);
    else
      memcpy(p + 64, p, 64);
    sem_post(b);
  }
  munmap(p, size);
  sem_close(a);
  sem_close(b);
  return 0;
}

static double shm_run(int bulk, long iters)
{
  char shm[64], na[64], nb[64], num[32];
  size_t size = bulk ? sizeof(struct ring) : 128;
  static char src[SLOT];
  sem_t *a, *b;
  char *p;
  pid_t pid;
  double t0, t;
  long i;

  snprintf(shm, sizeof shm, "/bench-%ld-shm", (long)getpid());
  snprintf(na, sizeof na, "/bench-%ld-a", (long)getpid());
  snprintf(nb, sizeof nb, "/bench-%ld-b", (long)getpid());
  snprintf(num, sizeof num, "%ld", iters);
  p = map_shm(shm, size, 1);
  /* ping-pong: a = "your turn", b = "mine"; bulk: a = full slots, b = free slots */
  a = sem_open(na, O_CREAT | O_EXCL, 0600, 0);
  b = sem_open(nb, O_CREAT | O_EXCL, 0600, bulk ? NSLOTS : 0);
  if (a == SEM_FAILED || b == SEM_FAILED)
    die("sem_open");
  pid = start((char *[]){ (char *)self, bulk ? "shm-bulk" : "shm-pp", shm, na, nb, num, NULL });
  memset(src, 'x', sizeof src);
  t0 = now_us();
  for (i = 0; i < iters; i++) {
    if (bulk) {
      sem_wait(b);
      memcpy(p + (size_t)(i % NSLOTS) * SLOT, src, SLOT);
      sem_post(a);
    } else {
      memcpy(p, src, 64);
      sem_post(a);
      sem_wait(b);
    }
  }
  if (bulk)
    for (i = 0; i < NSLOTS; i++)
      sem_wait(b);               /* the peer has copied everything */
  t = now_us() - t0;
  reap(pid);
  munmap(p, size);
  sem_close(a);
  sem_close(b);
  sem_unlink(na);
  sem_unlink(nb);
  shm_unlink(shm);
  return bulk ? (double)iters * SLOT / t : t / iters;   /* MB/s = bytes/us */
}

/* --- message queues ------------------------------------------------------- */

static int mq_peer(char **argv)
{
  long iters = atol(argv[4]), i;
  mqd_t in = mq_open(argv[2], O_RDONLY), out = mq_open(argv[3], O_WRONLY);
  char buf[128];

  if (in == (mqd_t)-1 || out == (mqd_t)-1)
    die("mq_open");
  for (i = 0; i < iters; i++) {
    if (mq_receive(in, buf, sizeof buf, NULL) != 64 || mq_send(out, buf, 64, 0) != 0)
      die("mq peer");
  }
  mq_close(in);
  mq_close(out);
  return 0;
}

static double mq_run(long iters)
{
  char q1[64], q2[64], num[32], buf[128];
  struct mq_attr a;
  mqd_t to, from;
  pid_t pid;
  double t0, t;
  long i;

  memset(&a, 0, sizeof a);
  a.mq_maxmsg = 4;
  a.mq_msgsize = 128;
  snprintf(q1, sizeof q1, "/bench-%ld-q1", (long)getpid());
  snprintf(q2, sizeof q2, "/bench-%ld-q2", (long)getpid());
  snprintf(num, sizeof num, "%ld", iters);
  to = mq_open(q1, O_WRONLY | O_CREAT | O_EXCL, 0600, &a);
  from = mq_open(q2, O_RDONLY | O_CREAT | O_EXCL, 0600, &a);
  if (to == (mqd_t)-1 || from == (mqd_t)-1)
    die("mq_open");
  pid = start((char *[]){ (char *)self, "mq", q1, q2, num, NULL });
  memset(buf, 'x', sizeof buf);
  t0 = now_us();
  for (i = 0; i < iters; i++) {
    if (mq_send(to, buf, 64, 0) != 0 || mq_receive(from, buf, sizeof buf, NULL) != 64)
      die("mq");
  }
  t = now_us() - t0;
  reap(pid);
  mq_close(to);
  mq_close(from);
  mq_unlink(q1);
  mq_unlink(q2);
  return t / iters;
}

/* --- byte and record streams: the figures beside ------------------------- */

/* The peer: echo 64-byte messages; argv: rd wr iters, or "@PATH" "-" iters
 * to connect to the SOCK_SEQPACKET listener at PATH. */
static int echo_peer(char **argv)
{
  int rd, wr;
  long iters = atol(argv[4]), i;
  char buf[64];

  if (argv[2][0] == '@') {
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    strncpy(a.sun_path, argv[2] + 1, sizeof a.sun_path - 1);
    rd = wr = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    if (rd < 0 || connect(rd, (struct sockaddr *)&a, sizeof a) != 0)
      die("peer connect");
  } else {
    rd = atoi(argv[2]);
    wr = atoi(argv[3]);
  }
  for (i = 0; i < iters; i++) {
    size_t got = 0;
    while (got < 64) {
      ssize_t r = read(rd, buf + got, 64 - got);
      if (r <= 0)
        die("peer read");
      got += (size_t)r;
    }
    if (write(wr, buf, 64) != 64)
      die("peer write");
  }
  return 0;
}

/* 64 B round trips over two pipes, or over a SOCK_SEQPACKET connection the
 * child makes to our listener (by name, as programs meet). */
static double stream_run(int seqpacket, long iters)
{
  int a[2], b[2], me_rd, me_wr, peer_rd = -1, peer_wr = -1, lst = -1;
  char num[32], r1[160], r2[16], buf[64];
  struct sockaddr_un sa;
  pid_t pid;
  double t0, t;
  long i;

  snprintf(num, sizeof num, "%ld", iters);
  if (seqpacket) {
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    snprintf(sa.sun_path, sizeof sa.sun_path, "bench-%ld.sock", (long)getpid());
    unlink(sa.sun_path);
    lst = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    if (lst < 0 || bind(lst, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lst, 1) != 0)
      die("listen");
    snprintf(r1, sizeof r1, "@%s", sa.sun_path);
    pid = start((char *[]){ (char *)self, "echo", r1, "-", num, NULL });
    me_rd = me_wr = accept(lst, NULL, NULL);
    if (me_rd < 0)
      die("accept");
  } else {
    if (pipe(a) != 0 || pipe(b) != 0)
      die("pipe");
    me_wr = a[1];
    peer_rd = a[0];
    peer_wr = b[1];
    me_rd = b[0];
    snprintf(r1, sizeof r1, "%d", peer_rd);
    snprintf(r2, sizeof r2, "%d", peer_wr);
    pid = start((char *[]){ (char *)self, "echo", r1, r2, num, NULL });
    close(peer_rd);             /* the child has them */
    close(peer_wr);
  }
  memset(buf, 'x', sizeof buf);
  t0 = now_us();
  for (i = 0; i < iters; i++) {
    size_t got = 0;
    if (write(me_wr, buf, 64) != 64)
      die("write");
    while (got < 64) {
      ssize_t r = read(me_rd, buf + got, 64 - got);
      if (r <= 0)
        die("read");
      got += (size_t)r;
    }
  }
  t = now_us() - t0;
  reap(pid);
  close(me_rd);
  if (me_wr != me_rd)
    close(me_wr);
  if (lst >= 0) {
    close(lst);
    unlink(sa.sun_path);
  }
  return t / iters;
}

static const char *only;

static int want(const char *name)
{
  return only == NULL || strcmp(only, name) == 0;
}

int main(int argc, char **argv)
{
  long iters = argc > 1 && argv[1][0] != '-' && atol(argv[1]) > 0 ? atol(argv[1]) : 20000;
  double v[RUNS];
  int r;

  self = argv[0];
  if (argc >= 6 && strncmp(argv[1], "shm-", 4) == 0)
    return shm_peer(argv);
  if (argc >= 5 && strcmp(argv[1], "mq") == 0)
    return mq_peer(argv);
  if (argc >= 5 && strcmp(argv[1], "echo") == 0)
    return echo_peer(argv);
  only = argc > 2 ? argv[2] : NULL;
  setvbuf(stdout, NULL, _IONBF, 0);
  if (want("shm_rtt_64")) {
    for (r = 0; r < RUNS; r++)
      v[r] = shm_run(0, iters);
    printf("shm_rtt_64 %.2f\n", median(v));
  }
  if (want("shm_ring_mbs")) {
    for (r = 0; r < RUNS; r++)
      v[r] = shm_run(1, 4096);
    printf("shm_ring_mbs %.0f\n", median(v));
  }
  if (want("mq_rtt_64")) {
    for (r = 0; r < RUNS; r++)
      v[r] = mq_run(iters);
    printf("mq_rtt_64 %.2f\n", median(v));
  }
  if (want("seqpacket_rtt_64")) {
    for (r = 0; r < RUNS; r++)
      v[r] = stream_run(1, iters);
    printf("seqpacket_rtt_64 %.2f\n", median(v));
  }
  if (want("pipe_rtt_64")) {
    for (r = 0; r < RUNS; r++)
      v[r] = stream_run(0, iters);
    printf("pipe_rtt_64 %.2f\n", median(v));
  }
  return 0;
}
