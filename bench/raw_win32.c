/*
 * raw_win32.c: the "raw" variant on Windows: the benchmark's operations
 * written directly against Win32 named pipes and Winsock, as a careful
 * programmer would without ipcx.  It is the yardstick for libipcx.
 *
 *   pipe, FIFO          two named-pipe pairs (CreateNamedPipe + CreateFile),
 *                       each used one way, like ipcx's pipe()
 *   socketpair, AF_UNIX one duplex named-pipe pair (a local "connection")
 *   TCP                 Winsock on 127.0.0.1 with TCP_NODELAY (send/recv); a
 *                       child that inherited its socket writes with WriteFile:
 *                       under Wine 8 send() on an inherited socket fails with
 *                       WSAENOTSOCK while recv() and WriteFile work
 *
 * Every pipe handle is overlapped (FILE_FLAG_OVERLAPPED), byte mode, 64 KiB
 * buffers, PIPE_REJECT_REMOTE_CLIENTS: what ipcx does, so that the two
 * columns differ only by ipcx's own work.  A call is ReadFile/WriteFile with
 * the thread's event and GetOverlappedResult(wait).  Children are started with
 * CreateProcess and inherit the handles they need.
 */
#ifndef WIN32_LEAN_AND_MEAN
# define WIN32_LEAN_AND_MEAN
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define BUFSIZE 65536

static __thread HANDLE thread_event;

static HANDLE event(void)
{
  if (thread_event == NULL)
    thread_event = CreateEventW(NULL, TRUE, FALSE, NULL);
  return thread_event;
}

static int fail(const char *what)
{
  fprintf(stderr, "bench(raw): %s: Win32 error %lu\n", what, (unsigned long)GetLastError());
  errno = EIO;
  return -1;
}

static int wsa_started(void)
{
  static int done;
  WSADATA wd;

  if (!done && WSAStartup(MAKEWORD(2, 2), &wd) == 0)
    done = 1;
  return done;
}

/* --- I/O ---------------------------------------------------------------- */

static int io(HANDLE h, int writing, char *p, DWORD n, DWORD *done)
{
  OVERLAPPED ov;
  BOOL ok;

  memset(&ov, 0, sizeof ov);
  ov.hEvent = event();
  ok = writing ? WriteFile(h, p, n, NULL, &ov) : ReadFile(h, p, n, NULL, &ov);
  if (!ok && GetLastError() != ERROR_IO_PENDING)
    return -1;
  if (!GetOverlappedResult(h, &ov, done, TRUE))
    return -1;
  return 0;
}

static int write_all(struct bench_end *e, const char *p, size_t n)
{
  while (n > 0) {
    DWORD put;
    if (e->sock == 1) {
      int r = send((SOCKET)e->wr, p, (int)n, 0);
      if (r == SOCKET_ERROR)
        return fail("send");
      put = (DWORD)r;
    } else if (io((HANDLE)e->wr, 1, (char *)p, (DWORD)n, &put) < 0) {
      return fail("WriteFile");
    }
    p += put;
    n -= put;
  }
  return 0;
}

static int read_some(struct bench_end *e, char *p, size_t n, DWORD *got)
{
  if (e->sock) {
    int r = recv((SOCKET)e->rd, p, (int)n, 0);
    if (r == SOCKET_ERROR)
      return fail("recv");
    *got = (DWORD)r;
  } else if (io((HANDLE)e->rd, 0, p, (DWORD)n, got) < 0) {
    return fail("ReadFile");
  }
  if (*got == 0) {
    fprintf(stderr, "bench(raw): early EOF\n");
    return -1;
  }
  return 0;
}

static int read_all(struct bench_end *e, char *p, size_t n)
{
  while (n > 0) {
    DWORD got;
    if (read_some(e, p, n, &got) < 0)
      return -1;
    p += got;
    n -= got;
  }
  return 0;
}

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

/* --- connections ---------------------------------------------------------- */

static void pipe_name(char *name, size_t size)
{
  static volatile LONG counter;

  snprintf(name, size, "\\\\.\\pipe\\ipcxb-raw-%lu-%ld", (unsigned long)GetCurrentProcessId(),
           (long)InterlockedIncrement(&counter));
}

static HANDLE instance(const char *name)
{
  return CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
                          PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
                          1, BUFSIZE, BUFSIZE, 0, NULL);
}

static HANDLE open_client(const char *name)
{
  return CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                     FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, NULL);
}

/*
 * One connected named-pipe pair: server instance s, client c.  The client
 * opens first and ConnectNamedPipe then reports ERROR_PIPE_CONNECTED, as in
 * ipcx's pipe.c (a pending connect completes through a Wine APC, which also
 * trips callgrind under Wine).
 */
static int npipe_pair(HANDLE *s, HANDLE *c)
{
  char name[96];
  OVERLAPPED ov;
  DWORD n;

  pipe_name(name, sizeof name);
  *s = instance(name);
  if (*s == INVALID_HANDLE_VALUE)
    return fail("CreateNamedPipe");
  *c = open_client(name);
  if (*c == INVALID_HANDLE_VALUE) {
    CloseHandle(*s);
    return fail("CreateFile");
  }
  memset(&ov, 0, sizeof ov);
  ov.hEvent = event();
  if (!ConnectNamedPipe(*s, &ov)) {
    DWORD err = GetLastError();
    if (err == ERROR_IO_PENDING && GetOverlappedResult(*s, &ov, &n, TRUE))
      err = ERROR_PIPE_CONNECTED;
    if (err != ERROR_PIPE_CONNECTED) {
      CloseHandle(*c);
      CloseHandle(*s);
      SetLastError(err);
      return fail("ConnectNamedPipe");
    }
  }
  return 0;
}

static int tcp_pair(SOCKET *x, SOCKET *y)
{
  struct sockaddr_in sa;
  int len = sizeof sa;
  BOOL one = TRUE;
  SOCKET l;

  if (!wsa_started())
    return fail("WSAStartup");
  l = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  if (l == INVALID_SOCKET)
    return fail("socket");
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(l, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(l, 16) != 0 ||
      getsockname(l, (struct sockaddr *)&sa, &len) != 0) {
    closesocket(l);
    return fail("bind/listen");
  }
  *x = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  if (*x == INVALID_SOCKET || connect(*x, (struct sockaddr *)&sa, sizeof sa) != 0) {
    if (*x != INVALID_SOCKET)
      closesocket(*x);
    closesocket(l);
    return fail("connect");
  }
  *y = accept(l, NULL, NULL);
  closesocket(l);
  if (*y == INVALID_SOCKET) {
    closesocket(*x);
    return fail("accept");
  }
  setsockopt(*x, IPPROTO_TCP, TCP_NODELAY, (const char *)&one, sizeof one);
  setsockopt(*y, IPPROTO_TCP, TCP_NODELAY, (const char *)&one, sizeof one);
  return 0;
}

static int make_pair(int t, struct bench_end *a, struct bench_end *b, void **ctx)
{
  HANDLE s1, c1, s2, c2;
  SOCKET x, y;

  *ctx = NULL;
  a->sock = b->sock = 0;
  switch (t) {
  case T_PIPE:
  case T_FIFO:
    if (npipe_pair(&s1, &c1) < 0)
      return -1;
    if (npipe_pair(&s2, &c2) < 0) {
      CloseHandle(s1);
      CloseHandle(c1);
      return -1;
    }
    a->wr = (intptr_t)c1, b->rd = (intptr_t)s1;
    b->wr = (intptr_t)c2, a->rd = (intptr_t)s2;
    return 0;
  case T_SOCKETPAIR:
  case T_UNIX:
    if (npipe_pair(&s1, &c1) < 0)
      return -1;
    a->rd = a->wr = (intptr_t)c1;
    b->rd = b->wr = (intptr_t)s1;
    return 0;
  case T_TCP:
    if (tcp_pair(&x, &y) < 0)
      return -1;
    a->rd = a->wr = (intptr_t)x;
    b->rd = b->wr = (intptr_t)y;
    a->sock = b->sock = 1;
    return 0;
  }
  errno = EINVAL;
  return -1;
}

static void close_one(struct bench_end *e, intptr_t v)
{
  if (e->sock)
    closesocket((SOCKET)v);
  else
    CloseHandle((HANDLE)v);
}

static void close_end(struct bench_end *e)
{
  if (e->rd != -1)
    close_one(e, e->rd);
  if (e->wr != e->rd && e->wr != -1)
    close_one(e, e->wr);
  e->rd = e->wr = -1;
}

struct named_ctx;
static void cleanup_named(struct named_ctx *nc);

static void cleanup(void *ctx)
{
  if (ctx != NULL)
    cleanup_named(ctx);         /* the only context this variant makes */
}

/* --- the loops ---------------------------------------------------------- */

static int pingpong(struct bench_end *e, size_t size, long iters)
{
  char *b = buffer(size);
  int r = 0;
  long i;

  for (i = 0; i < iters && r == 0; i++)
    r = write_all(e, b, size) < 0 || read_all(e, b, size) < 0 ? -1 : 0;
  free(b);
  return r;
}

static int echo(struct bench_end *e, size_t size, long iters)
{
  char *b = buffer(size);
  int r = 0;
  long i;

  for (i = 0; i < iters && r == 0; i++)
    r = read_all(e, b, size) < 0 || write_all(e, b, size) < 0 ? -1 : 0;
  free(b);
  return r;
}

static int source(struct bench_end *e, size_t chunk, long long total)
{
  char *b = buffer(chunk);
  int r = 0;

  while (total > 0 && r == 0) {
    size_t n = (long long)chunk < total ? chunk : (size_t)total;
    r = write_all(e, b, n);
    total -= (long long)n;
  }
  if (r == 0)
    r = read_all(e, b, 1);
  free(b);
  return r;
}

static int sink(struct bench_end *e, size_t chunk, long long total)
{
  char *b = buffer(chunk);
  int r = 0;
  DWORD got;

  while (total > 0 && r == 0) {
    r = read_some(e, b, chunk, &got);
    total -= got;
  }
  if (r == 0)
    r = write_all(e, b, 1);
  free(b);
  return r;
}

static int floor_loop(struct bench_end *a, struct bench_end *b, size_t size, long iters)
{
  char *buf = buffer(size);
  long i;
  DWORD n;

  for (i = 0; i < iters; i++) {
    if (a->sock) {
      if (send((SOCKET)a->wr, buf, (int)size, 0) != (int)size ||
          recv((SOCKET)b->rd, buf, (int)size, 0) != (int)size)
        break;
    } else if (io((HANDLE)a->wr, 1, buf, (DWORD)size, &n) < 0 || n != size ||
               io((HANDLE)b->rd, 0, buf, (DWORD)size, &n) < 0 || n != size) {
      break;
    }
  }
  free(buf);
  return i == iters ? 0 : fail("floor");
}

static int connects(int t, long iters)
{
  char name[96];
  OVERLAPPED ov;
  HANDLE s, c;
  DWORD n;
  long i;

  if (t == T_TCP) {
    for (i = 0; i < iters; i++) {
      SOCKET x, y;
      if (tcp_pair(&x, &y) < 0)
        return -1;
      closesocket(x);
      closesocket(y);
    }
    return 0;
  }
  /* A listener's instance, the client's open, the connection, both closes. */
  pipe_name(name, sizeof name);
  memset(&ov, 0, sizeof ov);
  ov.hEvent = event();
  for (i = 0; i < iters; i++) {
    s = CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
                         PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
                         PIPE_UNLIMITED_INSTANCES, BUFSIZE, BUFSIZE, 0, NULL);
    if (s == INVALID_HANDLE_VALUE)
      return fail("CreateNamedPipe");
    if (!ConnectNamedPipe(s, &ov) && GetLastError() != ERROR_IO_PENDING &&
        GetLastError() != ERROR_PIPE_CONNECTED) {
      CloseHandle(s);
      return fail("ConnectNamedPipe");
    }
    c = open_client(name);
    if (c == INVALID_HANDLE_VALUE) {
      CloseHandle(s);
      return fail("CreateFile");
    }
    GetOverlappedResult(s, &ov, &n, TRUE);
    CloseHandle(c);
    CloseHandle(s);
  }
  return 0;
}

/* poll() on an empty pipe, raw: a pending zero-byte read and a wait. */
static int idle(long ms)
{
  HANDLE s, c;
  OVERLAPPED ov;
  DWORD n, w;
  char b;

  if (npipe_pair(&s, &c) < 0)
    return -1;
  memset(&ov, 0, sizeof ov);
  ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
  if (!ReadFile(s, &b, 0, NULL, &ov) && GetLastError() != ERROR_IO_PENDING) {
    CloseHandle(ov.hEvent);
    CloseHandle(s);
    CloseHandle(c);
    return fail("ReadFile(0)");
  }
  w = WaitForSingleObject(ov.hEvent, (DWORD)ms);
  CancelIoEx(s, &ov);
  GetOverlappedResult(s, &ov, &n, TRUE);
  CloseHandle(ov.hEvent);
  CloseHandle(s);
  CloseHandle(c);
  return w == WAIT_TIMEOUT ? 0 : fail("idle wait");
}

/* --- two processes ------------------------------------------------------ */

static void inheritable(struct bench_end *e, int on)
{
  DWORD f = on ? HANDLE_FLAG_INHERIT : 0;

  if (e->sock)
    return;                     /* Winsock sockets are inheritable already */
  SetHandleInformation((HANDLE)e->rd, HANDLE_FLAG_INHERIT, f);
  if (e->wr != e->rd)
    SetHandleInformation((HANDLE)e->wr, HANDLE_FLAG_INHERIT, f);
}

static int spawn(const char *self, struct bench_end *b, char *const argv[], intptr_t *proc)
{
  STARTUPINFOA si;
  PROCESS_INFORMATION pi;
  char cmd[1024];
  size_t len;
  int i;

  snprintf(cmd, sizeof cmd, "\"%s\"", self);
  for (i = 1; argv[i] != NULL; i++) {
    len = strlen(cmd);
    snprintf(cmd + len, sizeof cmd - len, " %s", argv[i]);
  }
  memset(&si, 0, sizeof si);
  si.cb = sizeof si;
  inheritable(b, 1);
  if (!CreateProcessA(self, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
    inheritable(b, 0);
    return fail("CreateProcess");
  }
  inheritable(b, 0);
  CloseHandle(pi.hThread);
  *proc = (intptr_t)pi.hProcess;
  return 0;
}

static int wait_child(intptr_t proc)
{
  DWORD code = 1;

  WaitForSingleObject((HANDLE)proc, INFINITE);
  GetExitCodeProcess((HANDLE)proc, &code);
  CloseHandle((HANDLE)proc);
  return code == 0 ? 0 : -1;
}

/* Two FIFOs between processes: two instances waiting for the child. */
struct named_ctx {
  int n;
  HANDLE s[2];
  OVERLAPPED ov[2];
  int pending[2];
};

static void cleanup_named(struct named_ctx *nc)
{
  int i;

  for (i = 0; i < 2; i++)
    if (nc->ov[i].hEvent != NULL)
      CloseHandle(nc->ov[i].hEvent);
  free(nc);
}

static int named(int t, void **ctx, char *p0, char *p1, size_t size)
{
  struct named_ctx *nc = calloc(1, sizeof *nc);
  char *p[2] = { p0, p1 };
  int i;

  if (nc == NULL)
    return -1;
  nc->n = t == T_UNIX ? 1 : 2;  /* a listener's instance, or two FIFOs */
  if (nc->n == 1)
    snprintf(p1, size, "-");
  for (i = 0; i < nc->n; i++) {
    pipe_name(p[i], size);
    nc->s[i] = instance(p[i]);
    nc->ov[i].hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (nc->s[i] == INVALID_HANDLE_VALUE || nc->ov[i].hEvent == NULL)
      break;
    if (!ConnectNamedPipe(nc->s[i], &nc->ov[i])) {
      if (GetLastError() == ERROR_IO_PENDING)
        nc->pending[i] = 1;
      else if (GetLastError() != ERROR_PIPE_CONNECTED)
        break;
    }
  }
  if (i < nc->n) {
    fail("named pipe instance");
    for (; i >= 0; i--)
      if (nc->s[i] != NULL && nc->s[i] != INVALID_HANDLE_VALUE)
        CloseHandle(nc->s[i]);
    cleanup_named(nc);
    return -1;
  }
  *ctx = nc;
  return 0;
}

static int open_named(void *ctx, const char *p0, const char *p1, struct bench_end *e)
{
  struct named_ctx *nc = ctx;
  DWORD n;
  int i;

  (void)p0, (void)p1;
  for (i = 0; i < nc->n; i++)
    if (nc->pending[i] && !GetOverlappedResult(nc->s[i], &nc->ov[i], &n, TRUE))
      return fail("ConnectNamedPipe");
  e->sock = 0;
  e->wr = (intptr_t)nc->s[0];
  e->rd = (intptr_t)nc->s[nc->n - 1];
  return 0;
}

static int adopt(const char *rd, const char *wr, struct bench_end *e)
{
  int s = rd[0] == 's';

  if (rd[0] == '%') {
    HANDLE c = open_client(rd + 1);
    if (c == INVALID_HANDLE_VALUE)
      return fail("CreateFile (connect)");
    e->sock = 0;
    e->rd = e->wr = (intptr_t)c;
    return 0;
  }
  if (rd[0] == '@') {
    HANDLE r = open_client(rd + 1), w = open_client(wr);
    if (r == INVALID_HANDLE_VALUE || w == INVALID_HANDLE_VALUE)
      return fail("CreateFile (FIFO)");
    e->sock = 0;
    e->rd = (intptr_t)r;
    e->wr = (intptr_t)w;
    return 0;
  }
  /* Wine 8: on a socket a child inherited, recv() works but send() fails
   * with WSAENOTSOCK; WriteFile works (sock = 2 writes with it). */
  e->sock = s ? 2 : 0;
  if (s && !wsa_started())
    return fail("WSAStartup");
  e->rd = (intptr_t)_strtoi64(rd + s, NULL, 10);
  e->wr = (intptr_t)_strtoi64(wr + s, NULL, 10);
  return 0;
}

const struct bench_variant bench_raw = {
  .name = "raw",
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

/* The path of this program, for CreateProcess and posix_spawn. */
const char *bench_self(void)
{
  static char path[MAX_PATH];

  if (path[0] == 0)
    GetModuleFileNameA(NULL, path, sizeof path);
  return path;
}
