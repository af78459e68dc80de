/*
 * libuv.c: the libuv variant, the peer a program would otherwise pick,
 * written as a libuv user writes it: one loop per thread, uv_write, and
 * uv_read_start with callbacks that count what came in.
 *
 *   pipe  uv_pipe() (two, one per direction) between two threads, each
 *         thread running its own loop on its ends (uv_pipe_open);
 *   unix  a uv_pipe_t server (uv_pipe_bind + uv_listen; a named pipe on
 *         Windows, an AF_UNIX socket on Linux) and a uv_pipe_connect
 *         client, between threads or processes;
 *   tcp   uv_tcp_t on 127.0.0.1 with uv_tcp_nodelay, the same way.
 * socketpair and FIFO have no libuv form: n/a.
 *
 * An end is a struct uvend (its address in bench_end.rd and .wr).  A
 * server's accepted connection lives on the server's loop, so an end points
 * at its loop and owns it only when it made it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "bench.h"

#ifdef _WIN32
# define PIPE_PREFIX "\\\\.\\pipe\\ipcxb-uv"
#else
# include <unistd.h>
# define PIPE_PREFIX "/tmp/ipcxb-uv"
#endif

#define RDBUF 65536

union uvstream {
  uv_stream_t s;
  uv_pipe_t p;
  uv_tcp_t t;
  uv_handle_t h;
};

struct uvend {
  uv_loop_t *loop;
  int owns;                     /* the loop is this end's to close */
  union uvstream h[2];          /* [0] read side; [1] write side when separate */
  int two;                      /* two handles (uv_pipe), or one duplex */
  /* The state of the loop running on this end. */
  char *out;                    /* what is written (contents do not matter) */
  size_t size;                  /* message or chunk size */
  long long todo;               /* messages to go, or bytes to go */
  size_t got;                   /* bytes of the current message so far */
  long long inflight;           /* writes not completed */
  int mode, err;
  char rdbuf[RDBUF];
};

enum { M_PINGPONG, M_ECHO, M_SOURCE, M_SEND, M_SINK, M_ACK, M_READ };

static int uvfail(const char *what, int r)
{
  fprintf(stderr, "bench(libuv): %s: %s\n", what, uv_strerror(r));
  errno = EIO;
  return -1;
}

static void pipe_name(char *name, size_t size)
{
  static unsigned counter;

  snprintf(name, size, "%s-%lu-%u", PIPE_PREFIX, (unsigned long)uv_os_getpid(), counter++);
#ifndef _WIN32
  unlink(name);
#endif
}

static uv_loop_t *new_loop(void)
{
  uv_loop_t *l = malloc(sizeof *l);

  if (l != NULL && uv_loop_init(l) != 0) {
    free(l);
    l = NULL;
  }
  return l;
}

static void free_loop(uv_loop_t *l)
{
  uv_run(l, UV_RUN_DEFAULT);    /* the close callbacks */
  uv_loop_close(l);
  free(l);
}

/* An end on loop, or on a loop of its own when loop is NULL. */
static struct uvend *new_end(uv_loop_t *loop)
{
  struct uvend *e = calloc(1, sizeof *e);

  if (e == NULL)
    return NULL;
  e->owns = loop == NULL;
  e->loop = loop != NULL ? loop : new_loop();
  if (e->loop == NULL) {
    free(e);
    return NULL;
  }
  return e;
}

static void set_end(struct bench_end *b, struct uvend *e)
{
  b->rd = b->wr = (intptr_t)e;
  b->sock = 0;
}

static struct uvend *end_of(struct bench_end *b)
{
  return (struct uvend *)b->rd;
}

static uv_stream_t *in(struct uvend *e)
{
  return &e->h[0].s;
}

static uv_stream_t *out(struct uvend *e)
{
  return &e->h[e->two].s;
}

static void on_close(uv_handle_t *h)
{
  (*(int *)h->data)--;
}

/* Close the end's handles; its loop may hold a listening server too. */
static void free_end(struct uvend *e)
{
  int i, open = 0;

  for (i = 0; i <= e->two; i++)
    if (e->h[i].h.loop != NULL && !uv_is_closing(&e->h[i].h)) {
      e->h[i].h.data = &open;
      open++;
      uv_close(&e->h[i].h, on_close);
    }
  while (open > 0)
    uv_run(e->loop, UV_RUN_ONCE);
  if (e->owns)
    free_loop(e->loop);
  free(e->out);
  free(e);
}

/* --- the callbacks ---------------------------------------------------------- */

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
  struct uvend *e = h->data;

  (void)hint;
  *buf = uv_buf_init(e->rdbuf, RDBUF);
}

static void on_write(uv_write_t *req, int status);
static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf);

static void send_bytes(struct uvend *e, size_t n)
{
  uv_write_t *req = malloc(sizeof *req);
  uv_buf_t buf = uv_buf_init(e->out, (unsigned)n);
  int r;

  if (req == NULL) {
    e->err = UV_ENOMEM;
    return;
  }
  req->data = e;
  e->inflight++;
  r = uv_write(req, out(e), &buf, 1, on_write);
  if (r != 0) {
    e->inflight--;
    e->err = r;
    free(req);
    uv_read_stop(in(e));
  }
}

static void pump(struct uvend *e)
{
  /* The source keeps two writes queued until the bytes are all queued. */
  int writing = e->mode == M_SOURCE || e->mode == M_SEND;

  while (writing && e->todo > 0 && e->inflight < 2 && e->err == 0) {
    size_t n = (long long)e->size < e->todo ? e->size : (size_t)e->todo;
    e->todo -= (long long)n;
    send_bytes(e, n);
  }
  if (e->mode == M_SOURCE && e->todo == 0 && e->inflight == 0) {
    e->mode = M_ACK;
    e->size = 1;
    e->todo = 1;
    e->got = 0;
    uv_read_start(in(e), on_alloc, on_read);
  }
}

static void on_write(uv_write_t *req, int status)
{
  struct uvend *e = req->data;

  free(req);
  e->inflight--;
  if (status != 0) {
    e->err = status;
    uv_read_stop(in(e));
    return;
  }
  pump(e);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
  struct uvend *e = s->data;

  (void)buf;
  if (n < 0) {
    e->err = (int)n;
    uv_read_stop(s);
    return;
  }
  if (e->mode == M_SINK) {
    e->todo -= n;
    if (e->todo <= 0) {
      uv_read_stop(s);
      send_bytes(e, 1);
    }
    return;
  }
  e->got += (size_t)n;
  while (e->got >= e->size && e->todo > 0) {
    e->got -= e->size;
    e->todo--;
    if (e->mode == M_ECHO || (e->mode == M_PINGPONG && e->todo > 0))
      send_bytes(e, e->size);
  }
  if (e->todo == 0)
    uv_read_stop(s);
}

/* Run mode m on end b until it is done; 0, or -1 on an error. */
static int run(struct bench_end *b, int m, size_t size, long long todo)
{
  struct uvend *e = end_of(b);

  free(e->out);
  e->out = malloc(size ? size : 1);
  if (e->out == NULL)
    return -1;
  memset(e->out, 'x', size);
  e->mode = m, e->size = size, e->todo = todo, e->got = 0, e->err = 0, e->inflight = 0;
  e->h[0].h.data = e;
  e->h[1].h.data = e;
  if (todo > 0) {
    if (m == M_SOURCE || m == M_SEND)
      pump(e);
    else
      uv_read_start(in(e), on_alloc, on_read);
    if (m == M_PINGPONG)
      send_bytes(e, size);
  } else if (m == M_SOURCE) {
    pump(e);
  }
  uv_run(e->loop, UV_RUN_DEFAULT);
  if (e->err != 0 || e->todo > 0)
    return uvfail("I/O", e->err != 0 ? e->err : UV_EOF);
  return 0;
}

static int pingpong(struct bench_end *b, size_t size, long iters)
{
  return run(b, M_PINGPONG, size, iters);
}

static int echo(struct bench_end *b, size_t size, long iters)
{
  return run(b, M_ECHO, size, iters);
}

static int source(struct bench_end *b, size_t chunk, long long total)
{
  return run(b, M_SOURCE, chunk, total);
}

static int sink(struct bench_end *b, size_t chunk, long long total)
{
  return run(b, M_SINK, chunk, total);
}

static int floor_loop(struct bench_end *a, struct bench_end *b, size_t size, long iters)
{
  long i;

  for (i = 0; i < iters; i++) {
    if (run(a, M_SEND, size, (long long)size) < 0)
      return -1;
    if (run(b, M_READ, size, 1) < 0)
      return -1;
  }
  return 0;
}

/* --- making connections --------------------------------------------------- */

struct server {
  union uvstream h;
  struct uvend *accepted;       /* the next connection, on the server's loop */
  uv_loop_t *loop;
  int t, err;
};

static void on_connection(uv_stream_t *s, int status)
{
  struct server *sv = s->data;
  struct uvend *e;
  int r;

  if (status != 0) {
    sv->err = status;
    return;
  }
  e = new_end(sv->loop);
  if (e == NULL) {
    sv->err = UV_ENOMEM;
    return;
  }
  r = sv->t == T_TCP ? uv_tcp_init(sv->loop, &e->h[0].t) : uv_pipe_init(sv->loop, &e->h[0].p, 0);
  if (r == 0)
    r = uv_accept(s, &e->h[0].s);
  if (r == 0 && sv->t == T_TCP)
    uv_tcp_nodelay(&e->h[0].t, 1);
  if (r != 0) {
    sv->err = r;
    free_end(e);
    return;
  }
  sv->accepted = e;
}

/* A server on loop for transport t: name gets the pipe name or the port. */
static int serve(struct server *sv, uv_loop_t *loop, int t, char *name, size_t size)
{
  int r;

  memset(sv, 0, sizeof *sv);
  sv->loop = loop, sv->t = t;
  if (t == T_TCP) {
    struct sockaddr_storage ss;
    struct sockaddr_in sa;
    int len = sizeof ss;
    uv_ip4_addr("127.0.0.1", 0, &sa);
    r = uv_tcp_init(loop, &sv->h.t);
    if (r == 0)
      r = uv_tcp_bind(&sv->h.t, (struct sockaddr *)&sa, 0);
    if (r == 0)
      r = uv_tcp_getsockname(&sv->h.t, (struct sockaddr *)&ss, &len);
    if (r == 0)
      snprintf(name, size, "%d", ntohs(((struct sockaddr_in *)&ss)->sin_port));
  } else {
    pipe_name(name, size);
    r = uv_pipe_init(loop, &sv->h.p, 0);
    if (r == 0)
      r = uv_pipe_bind(&sv->h.p, name);
  }
  sv->h.h.data = sv;
  if (r == 0)
    r = uv_listen(&sv->h.s, 16, on_connection);
  if (r != 0) {
    uv_close(&sv->h.h, NULL);
    uv_run(loop, UV_RUN_DEFAULT);
    return uvfail("listen", r);
  }
  return 0;
}

static void unserve(struct server *sv, const char *name)
{
  uv_close(&sv->h.h, NULL);
  uv_run(sv->loop, UV_RUN_DEFAULT);
#ifndef _WIN32
  if (sv->t != T_TCP)
    unlink(name);
#else
  (void)name;
#endif
}

/* The accepted connection: the server's loop runs until it comes. */
static struct uvend *accept_one(struct server *sv)
{
  struct uvend *e;

  while (sv->accepted == NULL && sv->err == 0)
    uv_run(sv->loop, UV_RUN_ONCE);
  e = sv->accepted;
  sv->accepted = NULL;
  if (e == NULL)
    uvfail("accept", sv->err);
  return e;
}

static void on_connect(uv_connect_t *req, int status)
{
  *(int *)req->data = status == 0 ? 1 : status;
}

/* A client end on its own loop, connected to name (a pipe, or a port). */
static struct uvend *dial(int t, const char *name)
{
  struct uvend *e = new_end(NULL);
  uv_connect_t req;
  int done = 0, r;

  if (e == NULL)
    return NULL;
  req.data = &done;
  if (t == T_TCP) {
    struct sockaddr_in sa;
    uv_ip4_addr("127.0.0.1", atoi(name), &sa);
    r = uv_tcp_init(e->loop, &e->h[0].t);
    if (r == 0)
      r = uv_tcp_connect(&req, &e->h[0].t, (struct sockaddr *)&sa, on_connect);
  } else {
    r = uv_pipe_init(e->loop, &e->h[0].p, 0);
    if (r == 0)
      uv_pipe_connect(&req, &e->h[0].p, name, on_connect);
  }
  if (r == 0)
    while (done == 0)
      uv_run(e->loop, UV_RUN_ONCE);
  if (r == 0 && done < 0)
    r = done;
  if (r == 0 && t == T_TCP)
    uv_tcp_nodelay(&e->h[0].t, 1);
  if (r != 0) {
    free_end(e);
    uvfail("connect", r);
    return NULL;
  }
  return e;
}

static int uv_pipe_pair(struct bench_end *a, struct bench_end *b)
{
  uv_file p[2][2];
  struct uvend *x = new_end(NULL), *y = new_end(NULL);
  int r;

  if (x == NULL || y == NULL)
    return -1;
  x->two = y->two = 1;
  r = uv_pipe(p[0], UV_NONBLOCK_PIPE, UV_NONBLOCK_PIPE);
  if (r == 0)
    r = uv_pipe(p[1], UV_NONBLOCK_PIPE, UV_NONBLOCK_PIPE);
  if (r != 0)
    return uvfail("uv_pipe", r);
  /* x writes pipe 0 and reads pipe 1; y the other way round. */
  uv_pipe_init(x->loop, &x->h[0].p, 0);
  uv_pipe_init(x->loop, &x->h[1].p, 0);
  uv_pipe_init(y->loop, &y->h[0].p, 0);
  uv_pipe_init(y->loop, &y->h[1].p, 0);
  if ((r = uv_pipe_open(&x->h[0].p, p[1][0])) != 0 || (r = uv_pipe_open(&x->h[1].p, p[0][1])) != 0 ||
      (r = uv_pipe_open(&y->h[0].p, p[0][0])) != 0 || (r = uv_pipe_open(&y->h[1].p, p[1][1])) != 0)
    return uvfail("uv_pipe_open", r);
  set_end(a, x);
  set_end(b, y);
  return 0;
}

static int make_pair(int t, struct bench_end *a, struct bench_end *b, void **ctx)
{
  struct server sv;
  struct uvend *y, *acc;
  uv_loop_t *loop;
  char name[128];

  *ctx = NULL;
  if (t == T_PIPE)
    return uv_pipe_pair(a, b);
  if (t != T_UNIX && t != T_TCP) {
    errno = ENOSYS;
    return -1;
  }
  loop = new_loop();
  if (loop == NULL || serve(&sv, loop, t, name, sizeof name) < 0)
    return -1;
  y = dial(t, name);
  acc = y != NULL ? accept_one(&sv) : NULL;
  unserve(&sv, name);
  if (acc == NULL)
    return -1;
  acc->owns = 1;                /* the server's loop is the accepted end's now */
  set_end(a, acc);
  set_end(b, y);
  return 0;
}

static void close_end(struct bench_end *b)
{
  if (b->rd != 0 && b->rd != -1)
    free_end(end_of(b));
  b->rd = b->wr = -1;
}

/* Between processes: the parent serves, the child dials. */
struct named_ctx {
  uv_loop_t *loop;
  struct server sv;
  int serving;
  char name[128];
};

static int named(int t, void **ctx, char *p0, char *p1, size_t size)
{
  struct named_ctx *nc = calloc(1, sizeof *nc);

  if (nc == NULL || (nc->loop = new_loop()) == NULL) {
    free(nc);
    return -1;
  }
  if (serve(&nc->sv, nc->loop, t, nc->name, sizeof nc->name) < 0) {
    free_loop(nc->loop);
    free(nc);
    return -1;
  }
  nc->serving = 1;
  snprintf(p0, size, "%s", nc->name);
  snprintf(p1, size, "%s", t == T_TCP ? "tcp" : "-");
  *ctx = nc;
  return 0;
}

static int open_named(void *ctx, const char *p0, const char *p1, struct bench_end *b)
{
  struct named_ctx *nc = ctx;
  struct uvend *e = accept_one(&nc->sv);

  (void)p0, (void)p1;
  unserve(&nc->sv, nc->name);   /* one connection a sample */
  nc->serving = 0;
  if (e == NULL)
    return -1;
  set_end(b, e);
  return 0;
}

static void cleanup(void *ctx)
{
  struct named_ctx *nc = ctx;

  if (nc == NULL)
    return;
  if (nc->serving)
    unserve(&nc->sv, nc->name);
  free_loop(nc->loop);
  free(nc);
}

static int adopt(const char *rd, const char *wr, struct bench_end *b)
{
  struct uvend *e;

  if (rd[0] != '%') {
    errno = ENOSYS;
    return -1;
  }
  e = dial(strcmp(wr, "tcp") == 0 ? T_TCP : T_UNIX, rd + 1);
  if (e == NULL)
    return -1;
  set_end(b, e);
  return 0;
}

/* The child is started as the raw variant starts it; only named ends cross. */
static int spawn(const char *self, struct bench_end *b, char *const argv[], intptr_t *proc)
{
  if (b->rd != -1) {
    errno = ENOSYS;             /* uv_pipe() ends are not passed to a child */
    return -1;
  }
  return bench_raw.spawn(self, b, argv, proc);
}

static int wait_child(intptr_t proc)
{
  return bench_raw.wait(proc);
}

/* connect + accept + close, each connection's ends closed before the next. */
static int connects(int t, long iters)
{
  struct named_ctx *nc;
  struct uvend *x, *y;
  char p0[128], p1[16];
  long i;
  int r = 0;

  if (t != T_UNIX && t != T_TCP) {
    errno = ENOSYS;
    return -1;
  }
  if (named(t, (void **)&nc, p0, p1, sizeof p0) < 0)
    return -1;
  for (i = 0; i < iters && r == 0; i++) {
    y = dial(t, p0);
    x = y != NULL ? accept_one(&nc->sv) : NULL;
    if (x == NULL)
      r = -1;
    if (y != NULL)
      free_end(y);
    if (x != NULL)
      free_end(x);
  }
  cleanup(nc);
  return r;
}

static int idle(long ms)
{
  (void)ms;
  errno = ENOSYS;
  return -1;
}

const struct bench_variant bench_libuv = {
  .name = "libuv",
  .by_name = 1 << T_UNIX | 1 << T_TCP,
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
