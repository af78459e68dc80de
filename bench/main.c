/*
 * main.c: the benchmark driver (bench/README in the top README, "Performance").
 *
 *   ipcx-bench [--rounds N] [--ms M] [--only WORD]...   all workloads, CSV on stdout
 *   ipcx-bench --peer VARIANT echo|sink SIZE COUNT RD WR  the other process
 *   ipcx-bench --count VARIANT TRANSPORT SIZE N          N x (write+read), for callgrind
 *   ipcx-bench --count-rtt VARIANT TRANSPORT SIZE N      N round trips (2 threads)
 *   ipcx-bench --count-conn VARIANT unix|tcp 0 N         N connect+accept+close
 *   ipcx-bench --count-tput VARIANT TRANSPORT SIZE N     N writes of SIZE one way (2 threads)
 *   ipcx-bench --variants                                the variants built in
 *
 * Workloads, per transport (pipe, socketpair, AF_UNIX through a listener,
 * FIFO, TCP on 127.0.0.1) and per variant (ipcx, raw, and libuv when built
 * with BENCH_LIBUV); the TCP column of a row is the raw TCP figure of the
 * same workload (Winsock on Windows):
 *   rtt   ping-pong round trip, 1 B .. 64 KiB, two threads and two processes
 *   tput  one-way throughput with 4 KiB, 64 KiB and 1 MiB writes
 *   conn  connect + accept + close, one thread
 * Each cell is first calibrated (iterations for about --ms per sample), then
 * measured --rounds times; the rounds are interleaved: round r measures every
 * cell (the variants of a workload side by side, the first one measured
 * rotating from round to round) before round r+1 starts.  The result is
 * the median per cell and the ratios of medians.
 *
 * Plain C with pthreads; the IPC itself is in the variants (bench.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

#ifdef BENCH_CALLGRIND
# include <valgrind/callgrind.h>
#else
# define CALLGRIND_TOGGLE_COLLECT
#endif

#ifdef _WIN32
const char *bench_self(void);   /* raw_win32.c */
# define PLATFORM "windows"
#else
static const char *bench_self(void) { return "/proc/self/exe"; }
extern const struct bench_variant bench_raw;
# define PLATFORM "linux"
#endif

static const char *tname[T_COUNT] = { "pipe", "socketpair", "unix", "fifo", "tcp" };

enum { W_RTT, W_TPUT, W_CONN, W_IDLE };
static const char *wname[] = { "rtt", "tput", "conn", "idle" };
static const char *wunit[] = { "us", "MB/s", "us", "CPU ms/s" };

enum { V_IPCX, V_RAW, V_LIBUV, V_COUNT };
static const struct bench_variant *variants[V_COUNT];

#define MAX_ROUNDS 31

struct cell {
  int work, t, proc, v;
  size_t size;
  long long param;              /* iterations, or bytes for tput */
  int state;                    /* 0 to calibrate, 1 ready, -1 n/a */
  char why[64];
  int n;
  double sample[MAX_ROUNDS];
};

static double clock_s(clockid_t id)
{
  struct timespec ts;

  clock_gettime(id, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double now(void)
{
  return clock_s(CLOCK_MONOTONIC);
}

static const struct bench_variant *find_variant(const char *name)
{
  if (strcmp(name, "ipcx") == 0)
    return &bench_ipcx;
  if (strcmp(name, "raw") == 0)
    return &bench_raw;
#ifdef BENCH_LIBUV
  if (strcmp(name, "libuv") == 0)
    return &bench_libuv;
#endif
  return NULL;
}

/* --- one sample ------------------------------------------------------------ */

struct peer {
  const struct bench_variant *vt;
  struct bench_end *e;
  int work;
  size_t size;
  long long count;
  int result;
};

static void *peer_thread(void *arg)
{
  struct peer *p = arg;

  if (p->work == W_RTT)
    p->result = p->vt->echo(p->e, p->size, (long)p->count);
  else
    p->result = p->vt->sink(p->e, p->size, p->count);
  return NULL;
}

static void fmt_num(char *buf, size_t size, struct bench_end *e, intptr_t v)
{
  snprintf(buf, size, "%s%lld", e->sock ? "s" : "", (long long)v);
}

/*
 * Run one sample of cell c with c->param; return the elapsed seconds of the
 * timed part, or -1 (c->why says why when the transport is missing).
 */
static double run_sample(struct cell *c)
{
  const struct bench_variant *vt = variants[c->v];
  struct bench_end a, b;
  struct peer p;
  pthread_t th;
  intptr_t proc = 0;
  void *ctx = NULL;
  long warm = c->work == W_RTT ? (long)(c->param / 10 + 2) : 0;
  int named = c->proc && (vt->by_name >> c->t & 1);
  char p0[160], p1[160];
  double t0, t1;
  int r;

  if (c->work == W_IDLE) {
    /* The CPU this process uses while a thread sits in poll() for a while,
     * less what the same call costs with a 0 ms timeout (making the pipe). */
    double c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), c1, cpu;
    r = vt->idle(0);
    c1 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    t0 = now();
    if (r == 0)
      r = vt->idle((long)c->param);
    t1 = now();
    if (r < 0) {
      snprintf(c->why, sizeof c->why, "%s", strerror(errno));
      return -1;
    }
    cpu = (clock_s(CLOCK_PROCESS_CPUTIME_ID) - c1) - (c1 - c0);
    return (cpu > 0 ? cpu : 0) / (t1 - t0) * (double)c->param / 1e3;
  }
  if (c->work == W_CONN) {
    if (vt->connects(c->t, 20) < 0) {
      snprintf(c->why, sizeof c->why, "%s", strerror(errno));
      return -1;
    }
    t0 = now();
    r = vt->connects(c->t, (long)c->param);
    t1 = now();
    return r < 0 ? -1 : t1 - t0;
  }
  memset(&a, 0, sizeof a);
  memset(&b, 0, sizeof b);
  if (named) {
    /* FIFOs and AF_UNIX between processes: they meet by name. */
    a.rd = a.wr = b.rd = b.wr = -1;
    if (vt->named(c->t, &ctx, p0, p1, sizeof p0) < 0) {
      snprintf(c->why, sizeof c->why, "%s", strerror(errno));
      return -1;
    }
  } else if (vt->pair(c->t, &a, &b, &ctx) < 0) {
    snprintf(c->why, sizeof c->why, "%s", strerror(errno));
    return -1;
  }
  p.vt = vt;
  p.e = &b;
  p.work = c->work;
  p.size = c->size;
  p.count = c->work == W_RTT ? c->param + warm : c->param;
  p.result = 0;
  if (c->proc) {
    char sz[32], cnt[32], rd[168], wr[168];
    char *argv[] = { (char *)bench_self(), "--peer", (char *)vt->name,
                     c->work == W_RTT ? "echo" : "sink", sz, cnt, rd, wr, NULL };
    snprintf(sz, sizeof sz, "%lu", (unsigned long)c->size);
    snprintf(cnt, sizeof cnt, "%lld", p.count);
    if (named) {
      snprintf(rd, sizeof rd, "%s%s", c->t == T_FIFO ? "@" : "%", p0);
      snprintf(wr, sizeof wr, "%s", p1);
    } else {
      fmt_num(rd, sizeof rd, &b, b.rd);
      fmt_num(wr, sizeof wr, &b, b.wr);
    }
    if (vt->spawn(bench_self(), &b, argv, &proc) < 0) {
      snprintf(c->why, sizeof c->why, "spawn: %s", strerror(errno));
      vt->close_end(&a);
      vt->close_end(&b);
      vt->cleanup(ctx);
      return -1;
    }
    if (named && vt->open_named(ctx, p0, p1, &a) < 0) {
      fprintf(stderr, "bench: cannot open or accept what the child waits on\n");
      exit(2);                  /* the child would wait forever */
    }
    vt->close_end(&b);
  } else if (pthread_create(&th, NULL, peer_thread, &p) != 0) {
    fprintf(stderr, "bench: pthread_create failed\n");
    exit(2);
  }
  if (c->work == W_RTT) {
    r = vt->pingpong(&a, c->size, warm);
    t0 = now();
    if (r == 0)
      r = vt->pingpong(&a, c->size, (long)c->param);
    t1 = now();
  } else {
    t0 = now();
    r = vt->source(&a, c->size, c->param);
    t1 = now();
  }
  if (c->proc) {
    if (r < 0)
      vt->close_end(&a);        /* let a stuck child see EOF */
    if (vt->wait(proc) < 0)
      r = -1;
  } else {
    if (r < 0)
      vt->close_end(&a);
    pthread_join(th, NULL);
    if (p.result < 0)
      r = -1;
    vt->close_end(&b);
  }
  if (r == 0)
    vt->close_end(&a);
  vt->cleanup(ctx);
  if (r < 0) {
    snprintf(c->why, sizeof c->why, "I/O error");
    return -1;
  }
  return t1 - t0;
}

/* Choose c->param so that a sample takes about target seconds. */
static int calibrate(struct cell *c, double target)
{
  double el;
  int i;

  if (c->work == W_IDLE) {
    c->param = 200;             /* milliseconds, no calibration */
    return 0;
  }
  c->param = c->work == W_TPUT ? 4LL << 20 : c->work == W_CONN ? 50 : 50;
  if (c->work == W_TPUT && c->param < (long long)c->size * 4)
    c->param = (long long)c->size * 4;
  for (i = 0; i < 6; i++) {
    el = run_sample(c);
    if (el < 0)
      return -1;
    if (el < 1e-4)
      el = 1e-4;
    if (el >= target / 3 || i == 5) {
      c->param = (long long)((double)c->param * target / el);
      break;
    }
    c->param = (long long)((double)c->param * (target / el < 20 ? target / el : 20));
  }
  if (c->work == W_TPUT) {
    c->param = c->param / (long long)c->size * (long long)c->size;
    if (c->param < (long long)c->size * 4)
      c->param = (long long)c->size * 4;
  } else if (c->param < 20) {
    c->param = 20;
  }
  return 0;
}

static double value(const struct cell *c, double secs)
{
  if (c->work == W_TPUT)
    return (double)c->param / secs / 1e6;
  if (c->work == W_IDLE)
    return secs / (double)c->param * 1e6;    /* CPU ms per second blocked */
  return secs / (double)c->param * 1e6;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

static double median(const struct cell *c)
{
  double s[MAX_ROUNDS];

  if (c == NULL || c->state < 0 || c->n == 0)
    return -1;
  memcpy(s, c->sample, sizeof s);
  qsort(s, (size_t)c->n, sizeof s[0], cmp_double);
  return c->n % 2 ? s[c->n / 2] : (s[c->n / 2 - 1] + s[c->n / 2]) / 2;
}

/* --- the plan ------------------------------------------------------------ */

static struct cell cells[512];
static int ncells;

/*
 * The cells of one workload, one per variant, side by side.  libuv is
 * measured where a libuv program has the transport: uv_pipe() between
 * threads, uv_pipe_t server/client and uv_tcp_t everywhere.
 */
static void add(int work, int t, int proc, size_t size)
{
  int v;

  for (v = 0; v < V_COUNT; v++) {
    struct cell *c = &cells[ncells++];
    memset(c, 0, sizeof *c);
    c->work = work, c->t = t, c->proc = proc, c->size = size, c->v = v;
    if (variants[v] == NULL || (v == V_LIBUV && (work == W_IDLE || t == T_SOCKETPAIR ||
                                                 t == T_FIFO || (t == T_PIPE && proc)))) {
      c->state = -1;
      snprintf(c->why, sizeof c->why, "not measured");
    }
  }
}

static int wanted(int argc, char **only, const char *word)
{
  int i;

  if (argc == 0)
    return 1;
  for (i = 0; i < argc; i++)
    if (strcmp(only[i], word) == 0)
      return 1;
  return 0;
}

static void plan(int nonly, char **only)
{
  static const size_t rsz[] = { 1, 64, 1024, 16384, 65536 };
  static const size_t wsz[] = { 4096, 65536, 1 << 20 };
  int proc, t, i;

  for (proc = 0; proc < 2; proc++) {
    if (!wanted(nonly, only, "rtt") || !wanted(nonly, only, proc ? "proc" : "thread"))
      continue;
    for (i = 0; i < 5; i++)
      for (t = 0; t < T_COUNT; t++) {
        if (!wanted(nonly, only, tname[t]) && t != T_TCP)
          continue;
        add(W_RTT, t, proc, rsz[i]);
      }
  }
  for (proc = 0; proc < 2; proc++) {
    if (!wanted(nonly, only, "tput") || !wanted(nonly, only, proc ? "proc" : "thread"))
      continue;
    for (i = 0; i < 3; i++)
      for (t = 0; t < T_COUNT; t++) {
        if (!wanted(nonly, only, tname[t]) && t != T_TCP)
          continue;
        add(W_TPUT, t, proc, wsz[i]);
      }
  }
  if (wanted(nonly, only, "conn") && wanted(nonly, only, "thread")) {
    add(W_CONN, T_UNIX, 0, 0);
    add(W_CONN, T_TCP, 0, 0);
  }
  if (wanted(nonly, only, "idle") && wanted(nonly, only, "thread")) {
    add(W_IDLE, T_PIPE, 0, 0);
  }
}

static struct cell *lookup(int work, int t, int proc, size_t size, int v)
{
  int i;

  for (i = 0; i < ncells; i++)
    if (cells[i].work == work && cells[i].t == t && cells[i].proc == proc &&
        cells[i].size == size && cells[i].v == v)
      return &cells[i];
  return NULL;
}

static void put(double x)
{
  if (x < 0)
    printf(",n/a");
  else
    printf(",%.6g", x);
}

static void put_ratio(double x, double y)
{
  if (x < 0 || y <= 0)
    printf(",n/a");
  else
    printf(",%.3f", x / y);
}

static void report(void)
{
  int i;

  printf("platform,workload,transport,size,mode,unit,ipcx,raw,tcp,ipcx/raw,ipcx/tcp,note,libuv,libuv/ipcx\n");
  for (i = 0; i < ncells; i++) {
    struct cell *c = &cells[i], *r, *k, *u;
    double mi, mr, mt, mu;
    if (c->v != V_IPCX)
      continue;
    r = lookup(c->work, c->t, c->proc, c->size, V_RAW);
    k = lookup(c->work, T_TCP, c->proc, c->size, V_RAW);
    u = lookup(c->work, c->t, c->proc, c->size, V_LIBUV);
    mi = median(c), mr = median(r), mt = median(k), mu = median(u);
    printf("%s,%s,%s,%lu,%s,%s", PLATFORM, wname[c->work], tname[c->t], (unsigned long)c->size,
           c->proc ? "process" : "thread", wunit[c->work]);
    put(mi), put(mr), put(mt), put_ratio(mi, mr), put_ratio(mi, mt);
    printf(",%s%s%s%s%s", c->state < 0 ? "ipcx: " : "", c->state < 0 ? c->why : "",
           r != NULL && r->state < 0 ? " raw: " : "", r != NULL && r->state < 0 ? r->why : "",
           k != NULL && k->state < 0 ? " tcp: n/a" : "");
    put(mu), put_ratio(mu, mi);
    printf("\n");
  }
  fflush(stdout);
}

/* --- modes ------------------------------------------------------------------- */

static int run_all(int rounds, double target, int nonly, char **only)
{
  int i, r;
  double el, t0 = now();

  plan(nonly, only);
  fprintf(stderr, "bench(%s): %d cells, %d rounds, %.0f ms a sample\n", PLATFORM,
          ncells, rounds, target * 1e3);
  for (i = 0; i < ncells; i++) {
    struct cell *c = &cells[i];
    if (c->state < 0)
      continue;
    if (calibrate(c, target) < 0) {
      c->state = -1;
      fprintf(stderr, "  %s %s %s %lu %s: n/a (%s)\n", variants[c->v]->name, wname[c->work],
              tname[c->t], (unsigned long)c->size, c->proc ? "process" : "thread", c->why);
    } else {
      c->state = 1;
    }
  }
  fprintf(stderr, "  calibrated in %.1f s\n", now() - t0);
  for (r = 0; r < rounds; r++) {
    for (i = 0; i < ncells; i++) {
      /* Cells come in groups of V_COUNT: round r starts a group at r mod V_COUNT. */
      struct cell *c = &cells[i - i % V_COUNT + (i % V_COUNT + r) % V_COUNT];
      if (c->state < 0)
        continue;
      el = run_sample(c);
      if (el < 0) {
        c->state = -1;
        continue;
      }
      c->sample[c->n++] = value(c, el);
    }
    fprintf(stderr, "  round %d done at %.1f s\n", r + 1, now() - t0);
  }
  report();
  return 0;
}

static int run_peer(char **argv)
{
  const struct bench_variant *vt = find_variant(argv[0]);
  struct bench_end e;
  size_t size = (size_t)strtoul(argv[2], NULL, 10);
  long long count = strtoll(argv[3], NULL, 10);
  int r;

  if (vt == NULL || vt->adopt(argv[4], argv[5], &e) < 0)
    return 2;
  r = strcmp(argv[1], "echo") == 0 ? vt->echo(&e, size, (long)count) : vt->sink(&e, size, count);
  vt->close_end(&e);
  return r < 0 ? 1 : 0;
}

static int find_transport(const char *name)
{
  int t;

  for (t = 0; t < T_COUNT; t++)
    if (strcmp(tname[t], name) == 0)
      return t;
  return -1;
}

/* N operations with callgrind collecting only around them. */
static int run_count(char **argv, int rtt)
{
  if (rtt == 2) {               /* N x connect+accept+close */
    const struct bench_variant *cv = find_variant(argv[0]);
    int ct = find_transport(argv[1]), cr;
    if (cv == NULL || ct < 0 || cv->connects(ct, 16) < 0)
      return 2;
    CALLGRIND_TOGGLE_COLLECT;
    cr = cv->connects(ct, atol(argv[3]));
    CALLGRIND_TOGGLE_COLLECT;
    return cr < 0 ? 1 : 0;
  }
  const struct bench_variant *vt = find_variant(argv[0]);
  int t = find_transport(argv[1]);
  size_t size = (size_t)strtoul(argv[2], NULL, 10);
  long n = atol(argv[3]);
  struct bench_end a, b;
  struct peer p;
  pthread_t th;
  void *ctx;
  int r;

  memset(&a, 0, sizeof a);
  memset(&b, 0, sizeof b);
  if (vt == NULL || t < 0 || vt->pair(t, &a, &b, &ctx) < 0) {
    fprintf(stderr, "bench: --count: no such variant/transport, or %s\n", strerror(errno));
    return 2;
  }
  if (!rtt) {
    r = vt->floor(&a, &b, size, 16);
    CALLGRIND_TOGGLE_COLLECT;
    if (r == 0)
      r = vt->floor(&a, &b, size, n);
    CALLGRIND_TOGGLE_COLLECT;
  } else if (rtt == 3) {       /* throughput: the peer thread sinks */
    p.vt = vt, p.e = &b, p.work = W_TPUT, p.size = size, p.result = 0;
    p.count = (long long)size * n;
    pthread_create(&th, NULL, peer_thread, &p);
    CALLGRIND_TOGGLE_COLLECT;
    r = vt->source(&a, size, (long long)size * n);
    CALLGRIND_TOGGLE_COLLECT;
    pthread_join(th, NULL);
  } else {
    p.vt = vt, p.e = &b, p.work = W_RTT, p.size = size, p.count = n + 16, p.result = 0;
    pthread_create(&th, NULL, peer_thread, &p);
    r = vt->pingpong(&a, size, 16);
    CALLGRIND_TOGGLE_COLLECT;
    if (r == 0)
      r = vt->pingpong(&a, size, n);
    CALLGRIND_TOGGLE_COLLECT;
    pthread_join(th, NULL);
  }
  vt->close_end(&a);
  vt->close_end(&b);
  vt->cleanup(ctx);
  return r < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
  int rounds = 5, i;
  double ms = 100;

  setvbuf(stderr, NULL, _IONBF, 0);
  if (argc == 2 && strcmp(argv[1], "--variants") == 0) {
    printf("ipcx raw%s\n", find_variant("libuv") != NULL ? " libuv" : "");
    return 0;
  }
  if (argc >= 8 && strcmp(argv[1], "--peer") == 0)
    return run_peer(argv + 2);
  if (argc >= 6 && strcmp(argv[1], "--count") == 0)
    return run_count(argv + 2, 0);
  if (argc >= 6 && strcmp(argv[1], "--count-rtt") == 0)
    return run_count(argv + 2, 1);
  if (argc >= 6 && strcmp(argv[1], "--count-conn") == 0)
    return run_count(argv + 2, 2);
  if (argc >= 6 && strcmp(argv[1], "--count-tput") == 0)
    return run_count(argv + 2, 3);
  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
      rounds = atoi(argv[++i]);
    else if (strcmp(argv[i], "--ms") == 0 && i + 1 < argc)
      ms = atof(argv[++i]);
    else
      break;
  }
  if (rounds < 1 || rounds > MAX_ROUNDS || ms <= 0) {
    fprintf(stderr, "usage: %s [--rounds 1..%d] [--ms M] [WORD...]\n", argv[0], MAX_ROUNDS);
    return 2;
  }
  variants[V_IPCX] = &bench_ipcx;
  variants[V_RAW] = &bench_raw;
#ifdef BENCH_LIBUV
  variants[V_LIBUV] = &bench_libuv;
#endif
  return run_all(rounds, ms / 1e3, argc - i, argv + i);
}
