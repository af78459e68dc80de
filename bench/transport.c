/*
 * transport.c: the benchmark's IPC operations in plain POSIX C.
 *
 * Compiled once per variant, with BV naming it:
 *   BV=ipcx  Linux: bench/ipcx_names.h is forced in first, so every call
 *            below is an ipcx_* pass-through; Windows: compat/ comes first on
 *            the include path, so every call is libipcx's.
 *   BV=raw   Linux only: the same source straight on the system calls.
 * The loops live here, not in the driver, so that an instruction count of
 * a loop is the count of the variant's own calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include "bench.h"

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define FN(x) CAT(CAT(BV, _), x)
#define STR2(x) #x
#define STR(x) STR2(x)

static char *buffer(size_t n)
{
  char *b = malloc(n ? n : 1);

  if (b == NULL) {
    fprintf(stderr, "bench: out of memory\n");
    exit(2);
  }
  memset(b, 'x', n);
  return b;
}

static int fail(const char *what)
{
  fprintf(stderr, "bench(%s): %s: %s\n", STR(BV), what, strerror(errno));
  return -1;
}

static int write_all(int fd, const char *p, size_t n)
{
  while (n > 0) {
    ssize_t r = write(fd, p, n);
    if (r < 0) {
      if (errno == EINTR)
        continue;
      return fail("write");
    }
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

static int read_all(int fd, char *p, size_t n)
{
  while (n > 0) {
    ssize_t r = read(fd, p, n);
    if (r < 0) {
      if (errno == EINTR)
        continue;
      return fail("read");
    }
    if (r == 0) {
      errno = EPIPE;
      return fail("read: early EOF");
    }
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

/* --- making connections -------------------------------------------------- */

struct ctx {
  char path[2][128];
  int listener;                 /* named(T_UNIX), or -1 */
};

static struct ctx *new_ctx(void)
{
  static unsigned counter;
  struct ctx *c = calloc(1, sizeof *c);
  const char *tmp = getenv("TMPDIR");
  int i;

  if (c == NULL)
    return NULL;
  c->listener = -1;
  if (tmp == NULL || strlen(tmp) > 60)
    tmp = "/tmp";
#ifdef _WIN32
  if (getenv("TEMP") != NULL && strlen(getenv("TEMP")) < 60)
    tmp = getenv("TEMP");
#endif
  for (i = 0; i < 2; i++)
    snprintf(c->path[i], sizeof c->path[i], "%s/ipcxb-%s-%ld-%lx-%u-%d", tmp, STR(BV),
             (long)getpid(), (unsigned long)time(NULL), counter, i);
  counter++;
  return c;
}

static int unix_listener(const char *path)
{
  struct sockaddr_un sa;
  int l = socket(AF_UNIX, SOCK_STREAM, 0);

  if (l < 0)
    return -1;
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  strncpy(sa.sun_path, path, sizeof sa.sun_path - 1);
  if (bind(l, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(l, 16) < 0) {
    int e = errno;
    close(l);
    errno = e;
    return -1;
  }
  return l;
}

static int unix_connect(const char *path)
{
  struct sockaddr_un sa;
  int c = socket(AF_UNIX, SOCK_STREAM, 0);

  if (c < 0)
    return -1;
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  strncpy(sa.sun_path, path, sizeof sa.sun_path - 1);
  if (connect(c, (struct sockaddr *)&sa, sizeof sa) < 0) {
    int e = errno;
    close(c);
    errno = e;
    return -1;
  }
  return c;
}

static int tcp_listener(struct sockaddr_in *sa)
{
  socklen_t len = sizeof *sa;
  int one = 1;
  int l = socket(AF_INET, SOCK_STREAM, 0);

  if (l < 0)
    return -1;
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, (const void *)&one, sizeof one);
  memset(sa, 0, sizeof *sa);
  sa->sin_family = AF_INET;
  sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(l, (struct sockaddr *)sa, sizeof *sa) < 0 || listen(l, 16) < 0 ||
      getsockname(l, (struct sockaddr *)sa, &len) < 0) {
    int e = errno;
    close(l);
    errno = e;
    return -1;
  }
  return l;
}

static int tcp_connect(const struct sockaddr_in *sa)
{
  int one = 1;
  int c = socket(AF_INET, SOCK_STREAM, 0);

  if (c < 0)
    return -1;
  if (connect(c, (const struct sockaddr *)sa, sizeof *sa) < 0) {
    int e = errno;
    close(c);
    errno = e;
    return -1;
  }
  setsockopt(c, IPPROTO_TCP, TCP_NODELAY, (const void *)&one, sizeof one);
  return c;
}

/* Open a FIFO's two ends without a second thread: reader nonblocking first. */
static int fifo_open(const char *path, int *rd, int *wr)
{
  int fl;

  *rd = open(path, O_RDONLY | O_NONBLOCK);
  if (*rd < 0)
    return -1;
  *wr = open(path, O_WRONLY);
  fl = fcntl(*rd, F_GETFL);
  if (*wr < 0 || fl < 0 || fcntl(*rd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
    int e = errno;
    close(*rd);
    if (*wr >= 0)
      close(*wr);
    errno = e;
    return -1;
  }
  return 0;
}

static int make_pair(int t, struct bench_end *a, struct bench_end *b, void **ctxp)
{
  struct ctx *c = NULL;
  int p1[2], p2[2], sv[2], l, x, y, one = 1;
  struct sockaddr_in sa;

  *ctxp = NULL;
  switch (t) {
  case T_PIPE:
    if (pipe(p1) < 0)
      return -1;
    if (pipe(p2) < 0) {
      int e = errno;
      close(p1[0]);
      close(p1[1]);
      errno = e;
      return -1;
    }
    a->wr = p1[1], b->rd = p1[0];
    b->wr = p2[1], a->rd = p2[0];
    return 0;
  case T_SOCKETPAIR:
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
      return -1;
    a->rd = a->wr = sv[0];
    b->rd = b->wr = sv[1];
    return 0;
  case T_UNIX:
    c = new_ctx();
    if (c == NULL)
      return -1;
    l = unix_listener(c->path[0]);
    if (l < 0) {
      free(c);
      return -1;
    }
    x = unix_connect(c->path[0]);
    y = x < 0 ? -1 : accept(l, NULL, NULL);
    if (y < 0) {
      int e = errno;
      if (x >= 0)
        close(x);
      close(l);
      unlink(c->path[0]);
      free(c);
      errno = e;
      return -1;
    }
    close(l);
    unlink(c->path[0]);
    free(c);
    a->rd = a->wr = x;
    b->rd = b->wr = y;
    return 0;
  case T_FIFO:
    c = new_ctx();
    if (c == NULL)
      return -1;
    if (mkfifo(c->path[0], 0600) < 0) {
      free(c);
      return -1;
    }
    if (mkfifo(c->path[1], 0600) < 0 || fifo_open(c->path[0], &p1[0], &p1[1]) < 0) {
      int e = errno;
      unlink(c->path[0]);
      unlink(c->path[1]);
      free(c);
      errno = e;
      return -1;
    }
    if (fifo_open(c->path[1], &p2[0], &p2[1]) < 0) {
      int e = errno;
      close(p1[0]);
      close(p1[1]);
      unlink(c->path[0]);
      unlink(c->path[1]);
      free(c);
      errno = e;
      return -1;
    }
    a->wr = p1[1], b->rd = p1[0];
    b->wr = p2[1], a->rd = p2[0];
    *ctxp = c;                  /* the names go at cleanup */
    return 0;
  case T_TCP:
    l = tcp_listener(&sa);
    if (l < 0)
      return -1;
    x = tcp_connect(&sa);
    y = x < 0 ? -1 : accept(l, NULL, NULL);
    if (y < 0) {
      int e = errno;
      if (x >= 0)
        close(x);
      close(l);
      errno = e;
      return -1;
    }
    setsockopt(y, IPPROTO_TCP, TCP_NODELAY, (const void *)&one, sizeof one);
    close(l);
    a->rd = a->wr = x;
    b->rd = b->wr = y;
    return 0;
  }
  errno = EINVAL;
  return -1;
}

static void close_end(struct bench_end *e)
{
  if (e->rd >= 0)
    close((int)e->rd);
  if (e->wr != e->rd && e->wr >= 0)
    close((int)e->wr);
  e->rd = e->wr = -1;
}

static void cleanup(void *p)
{
  struct ctx *c = p;

  if (c == NULL)
    return;
  if (c->listener >= 0)
    close(c->listener);
  unlink(c->path[0]);
  unlink(c->path[1]);
  free(c);
}

/* --- the loops ---------------------------------------------------------- */

static int pingpong(struct bench_end *e, size_t size, long iters)
{
  char *b = buffer(size);
  int r = 0;
  long i;

  for (i = 0; i < iters && r == 0; i++)
    r = write_all((int)e->wr, b, size) < 0 || read_all((int)e->rd, b, size) < 0 ? -1 : 0;
  free(b);
  return r;
}

static int echo(struct bench_end *e, size_t size, long iters)
{
  char *b = buffer(size);
  int r = 0;
  long i;

  for (i = 0; i < iters && r == 0; i++)
    r = read_all((int)e->rd, b, size) < 0 || write_all((int)e->wr, b, size) < 0 ? -1 : 0;
  free(b);
  return r;
}

static int source(struct bench_end *e, size_t chunk, long long total)
{
  char *b = buffer(chunk);
  int r = 0;

  while (total > 0 && r == 0) {
    size_t n = (long long)chunk < total ? chunk : (size_t)total;
    r = write_all((int)e->wr, b, n);
    total -= (long long)n;
  }
  if (r == 0)
    r = read_all((int)e->rd, b, 1);
  free(b);
  return r;
}

static int sink(struct bench_end *e, size_t chunk, long long total)
{
  char *b = buffer(chunk);
  int r = 0;

  while (total > 0) {
    ssize_t n = read((int)e->rd, b, chunk);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      r = n < 0 ? fail("read") : -1;
      break;
    }
    total -= n;
  }
  if (r == 0)
    r = write_all((int)e->wr, b, 1);
  free(b);
  return r;
}

static int floor_loop(struct bench_end *a, struct bench_end *b, size_t size, long iters)
{
  char *buf = buffer(size);
  int wfd = (int)a->wr, rfd = (int)b->rd;
  long i;

  for (i = 0; i < iters; i++) {
    if (write(wfd, buf, size) != (ssize_t)size || read(rfd, buf, size) != (ssize_t)size) {
      free(buf);
      return fail("floor");
    }
  }
  free(buf);
  return 0;
}

static int connects(int t, long iters)
{
  struct sockaddr_in sa;
  struct ctx *c = NULL;
  int l, x, y, r = 0;
  long i;

  if (t == T_UNIX) {
    c = new_ctx();
    if (c == NULL)
      return -1;
    l = unix_listener(c->path[0]);
  } else {
    l = tcp_listener(&sa);
  }
  if (l < 0) {
    free(c);
    return -1;
  }
  for (i = 0; i < iters && r == 0; i++) {
    x = t == T_UNIX ? unix_connect(c->path[0]) : tcp_connect(&sa);
    if (x < 0) {
      r = fail("connect");
      break;
    }
    y = accept(l, NULL, NULL);
    if (y < 0)
      r = fail("accept");
    else
      close(y);
    close(x);
  }
  close(l);
  if (c != NULL)
    unlink(c->path[0]);
  free(c);
  return r;
}

static int idle(long ms)
{
  struct pollfd pfd;
  int p[2], r;

  if (pipe(p) < 0)
    return fail("pipe");
  pfd.fd = p[0];
  pfd.events = POLLIN;
  pfd.revents = 0;
  r = poll(&pfd, 1, (int)ms);
  close(p[0]);
  close(p[1]);
  return r == 0 ? 0 : fail("poll");
}

/* --- two processes ------------------------------------------------------ */

static int spawn(const char *self, struct bench_end *b, char *const argv[], intptr_t *proc)
{
  pid_t pid;
  int r;

  (void)b;                      /* inherited with the same numbers */
  r = posix_spawn(&pid, self, NULL, NULL, argv, NULL);
  if (r != 0) {
    errno = r;
    return -1;
  }
  *proc = pid;
  return 0;
}

static int wait_child(intptr_t proc)
{
  int st;

  if (waitpid((pid_t)proc, &st, 0) < 0)
    return fail("waitpid");
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* Parent: writes FIFO 0, reads FIFO 1; the child the other way round. */
static int named(int t, void **ctxp, char *p0, char *p1, size_t size)
{
  struct ctx *c;
  int tries;

  if (t == T_UNIX) {
    c = new_ctx();
    if (c == NULL)
      return -1;
    c->listener = unix_listener(c->path[0]);
    if (c->listener < 0) {
      free(c);
      return -1;
    }
    snprintf(p0, size, "%s", c->path[0]);
    snprintf(p1, size, "-");
    *ctxp = c;
    return 0;
  }
  for (tries = 0; tries < 8; tries++) {
    c = new_ctx();
    if (c == NULL)
      return -1;
    if (mkfifo(c->path[0], 0600) == 0) {
      if (mkfifo(c->path[1], 0600) == 0)
        break;
      unlink(c->path[0]);
    }
    free(c);
    c = NULL;
    if (errno != EEXIST)
      return -1;
  }
  if (c == NULL)
    return -1;
  snprintf(p0, size, "%s", c->path[0]);
  snprintf(p1, size, "%s", c->path[1]);
  *ctxp = c;
  return 0;
}

static int open_named(void *ctx, const char *p0, const char *p1, struct bench_end *e)
{
  struct ctx *c = ctx;

  if (c->listener >= 0) {
    e->rd = e->wr = accept(c->listener, NULL, NULL);
    return e->rd < 0 ? fail("accept") : 0;
  }
  e->wr = open(p0, O_WRONLY);
  if (e->wr < 0)
    return fail("open FIFO for writing");
  e->rd = open(p1, O_RDONLY);
  if (e->rd < 0) {
    close((int)e->wr);
    return fail("open FIFO for reading");
  }
  return 0;
}

static int adopt(const char *rd, const char *wr, struct bench_end *e)
{
  if (rd[0] == '%') {
    e->rd = e->wr = unix_connect(rd + 1);
    return e->rd < 0 ? fail("connect") : 0;
  }
  if (rd[0] == '@') {
    e->rd = open(rd + 1, O_RDONLY);
    if (e->rd < 0)
      return fail("open FIFO for reading");
    e->wr = open(wr, O_WRONLY);
    if (e->wr < 0)
      return fail("open FIFO for writing");
    return 0;
  }
  e->rd = atoi(rd);
  e->wr = atoi(wr);
  return 0;
}

const struct bench_variant CAT(bench_, BV) = {
  .name = STR(BV),
  .by_name = 1 << T_FIFO | 1 << T_UNIX,
  .pair = make_pair,
  .close_end = close_end,
  .cleanup = cleanup,
  .pingpong = pingpong,
  .echo = echo,
  .source = source,
  .sink = sink,
  .floor = floor_loop,
  .connects = connects,
  .idle = idle,
  .spawn = spawn,
  .wait = wait_child,
  .adopt = adopt,
  .named = named,
  .open_named = open_named,
};
