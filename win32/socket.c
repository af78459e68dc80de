/*
 * socket.c: the socket calls, and AF_INET/AF_INET6 sockets over Winsock.
 *
 * Each call finds the description behind the fd and hands it to its kind:
 * AF_UNIX stream sockets live in unix.c (named pipes), Internet sockets here.
 * Any other fd is ENOTSOCK, as on Linux.
 *
 *   Winsock socket   a SOCKET made with WSASocketW (overlapped, not
 *                    inheritable) in the same fd table, so read(), write(),
 *                    close() and poll() work on it as on Unix.  The SOCKET is
 *                    always nonblocking inside Winsock; a blocking receive
 *                    is one overlapped WSARecv waited for in ipcx__wait()
 *                    (as many wineserver requests as Winsock's own blocking
 *                    recv), other blocking calls wait for readiness (in
 *                    a process that serves signals on the file's
 *                    WSAEventSelect event in ipcx__wait(), so signals
 *                    interrupt them; else in WSAPoll) and retry; SO_RCVTIMEO and
 *                    SO_SNDTIMEO (struct timeval, as on Linux) bound those waits.
 *                    poll() readiness: WSAPoll(0), else WSAEventSelect on an
 *                    event of the file.  WSAStartup runs once.
 *
 * Winsock surprises: accept() hands out a socket that inherits the
 * listener's WSAEventSelect (cleared here); WSAPoll uses its own POLL*
 * values (Linux's are IPCX_POLL*); Winsock's SO_RCVTIMEO takes a DWORD of
 * milliseconds where Linux takes a struct timeval.
 */
#include "internal.h"
#include "scm.h"

#include <afunix.h>
#include <stdlib.h>
#include <string.h>

#ifndef ESOCKTNOSUPPORT
# define ESOCKTNOSUPPORT 94
#endif

#define LINUX_SOCK_MAX 10

/* --- Winsock ---------------------------------------------------------------- */

struct wsock {
  int domain, type;
  DWORD rcvtimeo, sndtimeo;     /* ms, 0 = none */
  HANDLE ev;                    /* poll()'s WSAEventSelect event */
  int err_taken;                /* the Winsock SO_ERROR already reported (Linux clears it) */
  int connect_failed;           /* a blocking connect() failed: read() is ENOTCONN */
  int reset_taken;              /* a reset was reported: writes are EPIPE, reads EOF */
};

static INIT_ONCE wsa_once = INIT_ONCE_STATIC_INIT;
static int wsa_ok;

static BOOL CALLBACK wsa_start(INIT_ONCE *once, void *arg, void **ctx)
{
  WSADATA d;

  (void)once, (void)arg, (void)ctx;
  wsa_ok = WSAStartup(MAKEWORD(2, 2), &d) == 0;
  return TRUE;
}

/*
 * Ported code calls getaddrinfo(), gethostname() or inet_pton() before its
 * first socket(): Winsock must be up before main(), or those fail with
 * WSANOTINITIALISED.  Any program that uses sockets links this file.
 */
__attribute__((constructor)) static void wsa_start_early(void)
{
  InitOnceExecuteOnce(&wsa_once, wsa_start, NULL, NULL);
}

static int ws_fail(void)
{
  int err = WSAGetLastError();

  errno = ipcx__errno_from_win32((DWORD)err);
  return -1;
}

static SOCKET sock_of(struct ipcx__file *f)
{
  return (SOCKET)f->h;
}

static struct wsock *ws(struct ipcx__file *f)
{
  return f->impl;
}

static void ws_destroy(struct ipcx__file *f)
{
  struct wsock *w = ws(f);

  closesocket(sock_of(f));
  if (w->ev != NULL)
    CloseHandle(w->ev);
  free(w);
  ipcx__file_free(f);
}

static int ws_fstat(struct ipcx__file *f, int fd, struct stat *st)
{
  (void)fd;
  memset(st, 0, sizeof *st);
  st->st_mode = S_IFSOCK | 0777;
  st->st_nlink = 1;
  st->st_ino = (_ino_t)(((uintptr_t)f >> 4) & 0xffff);
  return 0;
}

#define WS_ALL_EVENTS (FD_READ | FD_WRITE | FD_ACCEPT | FD_CONNECT | FD_CLOSE | FD_OOB)

/*
 * Wait until the socket is ready for `what` (POLLRDNORM/POLLWRNORM): 1, 0
 * on timeout, -1 with errno.  In a process that serves signals the wait is
 * ipcx__wait() on the file's event (WSAEventSelect), so a signal interrupts
 * it: EINTR, or it waits again under SA_RESTART unless a timeout is set
 * (Linux's rule for send, connect, accept, recvfrom).  The event is armed
 * for every event first, as poll() arms it (a poll() in another thread on
 * the same socket keeps seeing its events); after a wake that did not make
 * `what` true, for `what`'s events only (no spinning on unread data while
 * waiting to write).  Otherwise WSAPoll() waits, as before signals.
 */
static int ws_wait(struct ipcx__file *f, short what, DWORD timeout_ms)
{
  struct wsock *w = ws(f);
  long net = what == POLLRDNORM ? FD_READ | FD_ACCEPT | FD_CLOSE | FD_OOB : FD_WRITE | FD_CONNECT | FD_CLOSE;
  ULONGLONG end = GetTickCount64() + timeout_ms;
  WSAPOLLFD p;
  DWORD ms, r;
  int n, pass, woke = 0;

  p.fd = sock_of(f);
  p.events = what;
  p.revents = 0;
  if (ipcx__signal_self() == NULL) {
    n = WSAPoll(&p, 1, timeout_ms ? (INT)timeout_ms : -1);
    return n < 0 ? ws_fail() : n;
  }
  for (;;) {
    for (pass = 0; pass < 2; pass++) {
      p.revents = 0;
      n = WSAPoll(&p, 1, 0);
      if (n != 0)
        return n < 0 ? ws_fail() : 1;
      if (pass == 1)
        break;
      /* Not ready: arm the event, then look again (it may have changed meanwhile). */
      if (w->ev == NULL && (w->ev = CreateEventW(NULL, TRUE, FALSE, NULL)) == NULL)
        return ipcx__fail(ENOMEM);
      ResetEvent(w->ev);
      if (WSAEventSelect(sock_of(f), w->ev, woke ? net : WS_ALL_EVENTS) != 0)
        return ws_fail();
    }
    ms = INFINITE;
    if (timeout_ms != 0) {
      ULONGLONG now = GetTickCount64();
      if (now >= end)
        return 0;
      ms = (DWORD)(end - now);
    }
    r = ipcx__wait1(w->ev, ms, IPCX__WAIT_INTR);
    if (r == WAIT_TIMEOUT)
      return 0;
    if (r == IPCX__WAIT_INTERRUPTED && (timeout_ms != 0 || !ipcx__wait_restart()))
      return ipcx__fail(EINTR);
    woke = 1;
  }
}

static int ws_nonblock(struct ipcx__file *f, int flags)
{
  return (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
}

/*
 * A Winsock call has failed: 1 to try again once the socket is ready for
 * `what` (it said WSAEWOULDBLOCK and the caller blocks), else -1/errno
 * (EAGAIN when nonblocking or after the timeout).
 */
static int ws_again(struct ipcx__file *f, int flags, short what, DWORD timeout_ms)
{
  int r;

  if (WSAGetLastError() != WSAEWOULDBLOCK || ws_nonblock(f, flags))
    return ws_fail();
  r = ws_wait(f, what, timeout_ms);
  return r > 0 ? 1 : r < 0 ? -1 : ipcx__fail(EAGAIN);
}

/*
 * A blocking receive or send: one overlapped WSARecv or WSASend (Winsock
 * ignores the nonblocking mode for overlapped calls), waited for in
 * ipcx__wait(): what a blocking recv() or send() costs inside Winsock itself,
 * where a nonblocking call + WSAPoll + the call again costs 1.7 times as many
 * wineserver requests, and a big send one such round per socket buffer's
 * worth.  A wait that a signal or SO_RCVTIMEO/SO_SNDTIMEO ends cancels the
 * call, and Wine then reports the bytes that went (probed: exactly what the
 * peer receives), Linux's partial count.  A call with a timeout is not
 * restarted after an SA_RESTART handler (signal(7)).  The bytes moved, or -1
 * with WSA's error set (WSAETIMEDOUT, WSAEINTR, or the call's own error).
 */
static int ws_overlapped(struct ipcx__file *f, char *buf, int n, int wflags, int sending)
{
  DWORD timeout = sending ? ws(f)->sndtimeo : ws(f)->rcvtimeo;
  WSAOVERLAPPED ov;
  WSABUF wb;
  DWORD moved = 0, fl = (DWORD)wflags, w;
  int again, r;

  do {
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ipcx__thread_event();
    wb.buf = buf;
    wb.len = (ULONG)n;
    if (ov.hEvent == NULL)
      return sending ? send(sock_of(f), buf, n, wflags) : recv(sock_of(f), buf, n, wflags);
    r = sending ? WSASend(sock_of(f), &wb, 1, &moved, fl, &ov, NULL)
                : WSARecv(sock_of(f), &wb, 1, &moved, &fl, &ov, NULL);
    if (r == 0)
      return (int)moved;
    if (WSAGetLastError() != WSA_IO_PENDING)
      return -1;
    w = ipcx__wait1(ov.hEvent, timeout ? timeout : INFINITE, IPCX__WAIT_INTR);
    if (w != WAIT_OBJECT_0)
      CancelIoEx((HANDLE)sock_of(f), &ov);
    if (WSAGetOverlappedResult(sock_of(f), &ov, &moved, TRUE, &fl))
      return (int)moved;        /* it completed before the cancel */
    if (w == WAIT_OBJECT_0 || WSAGetLastError() != WSA_OPERATION_ABORTED)
      return -1;
    if (moved > 0)
      return (int)moved;        /* cut short: what went is the count */
    again = w == IPCX__WAIT_INTERRUPTED && timeout == 0 && ipcx__wait_restart();
    if (!again)
      WSASetLastError(w == IPCX__WAIT_INTERRUPTED ? WSAEINTR : WSAETIMEDOUT);
  } while (again);
  return -1;
}

/*
 * After a failed connect, Linux reports the error once (SO_ERROR, or the
 * next read or write takes it), then a write is EPIPE and a read EOF;
 * Winsock's send says WSAECONNRESET every time.  (A blocking connect() that
 * failed leaves the socket unconnected: a read is ENOTCONN.)  -1 with errno
 * set when the socket holds a connect error (new: that error, once; else
 * EPIPE for a write, EOF or ENOTCONN for a read), else 1 (0: EOF).
 */
static int ws_connect_error(struct ipcx__file *f, int writing)
{
  struct wsock *w = ws(f);
  int e = 0, elen = sizeof e, last = WSAGetLastError();

  if (getsockopt(sock_of(f), SOL_SOCKET, SO_ERROR, (char *)&e, &elen) != 0 || e == 0) {
    WSASetLastError(last);      /* the caller's error, which getsockopt cleared */
    return 1;
  }
  if (e != w->err_taken) {
    w->err_taken = e;
    return ipcx__fail(ipcx__errno_from_win32((DWORD)e));
  }
  if (writing)
    return ipcx__fail(EPIPE);
  return w->connect_failed ? ipcx__fail(ENOTCONN) : 0;
}

/*
 * A TCP reset: Linux reports ECONNRESET once (to a read or a write), then
 * the connection is shut down both ways: writes are EPIPE, reads EOF.
 * Winsock keeps saying WSAECONNRESET.  Other failures: -1/errno as they are.
 */
static int ws_reset(struct ipcx__file *f, int writing)
{
  struct wsock *w = ws(f);

  if (WSAGetLastError() != WSAECONNRESET || w->type != SOCK_STREAM)
    return ws_fail();
  if (!w->reset_taken) {
    w->reset_taken = 1;
    return ipcx__fail(ECONNRESET);
  }
  return writing ? ipcx__fail(EPIPE) : 0;
}

static ssize_t ws_recv(struct ipcx__file *f, void *buf, size_t n, int flags)
{
  int wflags = flags & (MSG_PEEK | MSG_OOB);
  int waitall = (flags & MSG_WAITALL) && !(flags & MSG_PEEK);
  int blocking = !ws_nonblock(f, flags) && !(flags & MSG_OOB);
  size_t done = 0;
  int r;

  if (n > 0 && buf == NULL)
    return ipcx__fail(EFAULT);
  for (;;) {
    int k = n - done > INT_MAX ? INT_MAX : (int)(n - done);
    if (blocking) {
      r = ws_overlapped(f, (char *)buf + done, k, wflags, 0);
      if (r < 0 && WSAGetLastError() == WSAETIMEDOUT)
        return done > 0 ? (ssize_t)done : ipcx__fail(EAGAIN);
      if (r < 0)
        return done > 0 ? (ssize_t)done : ws_reset(f, 0);
    } else {
      r = recv(sock_of(f), (char *)buf + done, k, wflags);
    }
    if (r > 0) {
      done += (size_t)r;
      if (!waitall || done == n || ws_nonblock(f, flags))
        return (ssize_t)done;
      continue;
    }
    if (r == 0 && (done > 0 || ws(f)->type != SOCK_STREAM))
      return (ssize_t)done;
    if (r == 0)
      return ws_connect_error(f, 0) < 0 ? -1 : 0;
    if (done == 0 && WSAGetLastError() == WSAECONNRESET)
      return ws_reset(f, 0);
    if (ws_again(f, flags, POLLRDNORM, ws(f)->rcvtimeo) < 0)
      return done > 0 ? (ssize_t)done : -1;
  }
}

static ssize_t ws_send(struct ipcx__file *f, const void *buf, size_t n, int flags)
{
  int wflags = flags & MSG_OOB;
  int waited = 0;               /* the plain send did not take it all */
  size_t done = 0;
  int r;

  if (n > 0 && buf == NULL)
    return ipcx__fail(EFAULT);
  for (;;) {
    int k = n - done > INT_MAX ? INT_MAX : (int)(n - done);
    if (waited) {
      r = ws_overlapped(f, (char *)buf + done, k, wflags, 1);
      if (r < 0 && WSAGetLastError() == WSAETIMEDOUT)
        return done > 0 ? (ssize_t)done : ipcx__fail(EAGAIN);
      if (r < 0 && WSAGetLastError() == WSAEINTR)
        return done > 0 ? (ssize_t)done : ipcx__fail(EINTR);
    } else {
      r = send(sock_of(f), (const char *)buf + done, k, wflags);
      waited = !ws_nonblock(f, flags) &&
               (r >= 0 ? (size_t)r < n - done : WSAGetLastError() == WSAEWOULDBLOCK);
      if (r < 0 && waited)
        continue;
    }
    if (r >= 0) {
      done += (size_t)r;
      if (done == n || ws_nonblock(f, flags))
        return (ssize_t)done;
      continue;
    }
    if (WSAGetLastError() == WSAESHUTDOWN || WSAGetLastError() == WSAECONNABORTED)
      return done > 0 ? (ssize_t)done : ipcx__fail(EPIPE);
    if (done == 0 && WSAGetLastError() != WSAEWOULDBLOCK && ws(f)->type == SOCK_STREAM &&
        ws_connect_error(f, 1) < 0)
      return -1;
    if (done == 0 && WSAGetLastError() == WSAECONNRESET)
      return ws_reset(f, 1);
    if (ws_again(f, flags, POLLWRNORM, ws(f)->sndtimeo) < 0)
      return done > 0 ? (ssize_t)done : -1;
  }
}

static ssize_t ws_read(struct ipcx__file *f, int fd, void *buf, size_t n, int nonblock)
{
  (void)fd;
  return ws_recv(f, buf, n, nonblock ? MSG_DONTWAIT : 0);
}

static ssize_t ws_write(struct ipcx__file *f, int fd, const void *buf, size_t n, int nonblock)
{
  (void)fd;
  return ws_send(f, buf, n, nonblock ? MSG_DONTWAIT : 0);
}

static short ws_poll(struct ipcx__file *f, short events, HANDLE wait[2], int *nwait)
{
  struct wsock *w = ws(f);
  WSAPOLLFD p;
  short rev = 0;
  int pass;

  *nwait = 0;
  for (pass = 0; pass < 2; pass++) {
    p.fd = sock_of(f);
    p.events = (short)(((events & IPCX_POLLIN) ? POLLRDNORM : 0) |
                       ((events & IPCX_POLLOUT) ? POLLWRNORM : 0));
    p.revents = 0;
    if (WSAPoll(&p, 1, 0) > 0) {
      if (p.revents & (POLLRDNORM | POLLRDBAND))
        rev |= IPCX_POLLIN;
      if (p.revents & POLLWRNORM)
        rev |= IPCX_POLLOUT;
      /* Winsock's POLLHUP is the peer's FIN: Linux reports POLLIN (read()
       * returns 0) and keeps POLLHUP for a connection that is gone both
       * ways, as after a reset.  A TCP error (a reset, a refused connect:
       * Wine reports the latter as POLLERR alone) leaves Linux's socket
       * shut down both ways: POLLIN, POLLOUT (a connect() poller that
       * tests POLLOUT sees it end), POLLHUP. */
      if (p.revents & POLLHUP)
        rev |= IPCX_POLLIN;
      if ((p.revents & POLLERR) && w->type == SOCK_STREAM && w->err_taken != 0) {
        int e = 0, elen = sizeof e;   /* Linux's POLLERR ends once SO_ERROR is read */
        getsockopt(sock_of(f), SOL_SOCKET, SO_ERROR, (char *)&e, &elen);
        if (e == w->err_taken) {
          p.revents = (short)(p.revents & ~POLLERR);
          rev |= IPCX_POLLIN | IPCX_POLLOUT | IPCX_POLLHUP;
        }
      }
      if (p.revents & POLLERR)
        rev |= w->type == SOCK_STREAM ? IPCX_POLLERR | IPCX_POLLIN | IPCX_POLLOUT | IPCX_POLLHUP
                                      : IPCX_POLLERR;
      if (p.revents & POLLNVAL)
        rev |= IPCX_POLLNVAL;
    }
    rev &= (short)(events | IPCX_POLLHUP | IPCX_POLLERR | IPCX_POLLNVAL);
    if (rev != 0 || pass == 1)
      break;
    /* Not ready: arm the event, then look again (it may have changed meanwhile). */
    if (w->ev == NULL)
      w->ev = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (w->ev == NULL)
      break;
    ResetEvent(w->ev);
    WSAEventSelect(sock_of(f), w->ev, WS_ALL_EVENTS);
  }
  if (rev == 0 && w->ev != NULL)
    wait[(*nwait)++] = w->ev;
  return rev;
}

static int ws_nread(struct ipcx__file *f, int *n);
static const struct ipcx__sock_ops ws_sock_ops;

static const struct ipcx__ops ws_ops = {
  .kind = IPCX__KIND_WINSOCK,
  .read = ws_read,
  .write = ws_write,
  .destroy = ws_destroy,
  .fstat = ws_fstat,
  .poll = ws_poll,
  .nread = ws_nread,
  .sock = &ws_sock_ops,
};

/* A description for SOCKET s (made nonblocking inside Winsock); an fd or -1. */
/* A description that owns socket s (closed on failure), or NULL/errno. */
static struct ipcx__file *ws_describe(SOCKET s, int domain, int type, int flags)
{
  struct ipcx__file *f;
  struct wsock *w = calloc(1, sizeof *w);
  u_long on = 1;

  WSAEventSelect(s, NULL, 0);   /* accept() copies the listener's */
  if (w == NULL || ioctlsocket(s, FIONBIO, &on) != 0) {
    free(w);
    closesocket(s);
    errno = ENOMEM;
    return NULL;
  }
  w->domain = domain;
  w->type = type;
  f = ipcx__file_new(&ws_ops, (HANDLE)s, O_RDWR | ((flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0));
  if (f == NULL) {
    free(w);
    closesocket(s);
    errno = ENOMEM;
    return NULL;
  }
  f->impl = w;
  return f;
}

/*
 * Import (fd.c): a Winsock socket a parent handed down in a CRT slot (h
 * stays the slot's).  Wine's Winsock serves only the sockets this process
 * made or imported with WSASocket(FROM_PROTOCOL_INFO): an inherited socket
 * handle, or a DuplicateHandle() copy, is WSAENOTSOCK to every call
 * (probed).  WSADuplicateSocket to ourselves and WSASocket from its answer
 * give a socket of our own on both Windows and Wine; whether h was a socket
 * at all shows only then (SO_TYPE).  1 and the description in *out, 0 if h
 * is no socket, -1/errno.
 */
int ipcx__ws_import(HANDLE h, struct ipcx__file **out)
{
  WSAPROTOCOL_INFOW info;
  SOCKET s;
  int type;
  int len = sizeof type;

  InitOnceExecuteOnce(&wsa_once, wsa_start, NULL, NULL);
  if (!wsa_ok || WSADuplicateSocketW((SOCKET)h, GetCurrentProcessId(), &info) != 0)
    return 0;
  s = WSASocketW(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, &info, 0,
                 WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
  if (s == INVALID_SOCKET)
    return 0;
  if (getsockopt(s, SOL_SOCKET, SO_TYPE, (char *)&type, &len) != 0) {
    closesocket(s);
    return 0;
  }
  *out = ws_describe(s, info.iAddressFamily, type, 0);
  return *out != NULL ? 1 : -1;
}

static int ws_install(SOCKET s, int domain, int type, int flags)
{
  struct ipcx__file *f = ws_describe(s, domain, type, flags);
  int fd;

  if (f == NULL)
    return -1;
  fd = ipcx__fd_install(f, (flags & SOCK_CLOEXEC) != 0);
  if (fd < 0) {
    int e = errno;
    ipcx__file_unref(f);
    errno = e;
  }
  return fd;
}

static int ws_socket(int domain, int type, int protocol, int flags)
{
  SOCKET s;

  InitOnceExecuteOnce(&wsa_once, wsa_start, NULL, NULL);
  if (!wsa_ok)
    return ipcx__fail(ENETDOWN);
  s = WSASocketW(domain, type, protocol, NULL, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
  if (s == INVALID_SOCKET)
    return ws_fail();
  return ws_install(s, domain, type, flags);
}

int ipcx__ws_export(struct ipcx__file *f, DWORD to, WSAPROTOCOL_INFOW *ws)
{
  if (WSADuplicateSocketW(sock_of(f), to, ws) != 0)
    return ipcx__errno_from_win32((DWORD)WSAGetLastError());
  return 0;
}

int ipcx__ws_adopt(const WSAPROTOCOL_INFOW *ws, int flags, int cloexec)
{
  SOCKET s;

  InitOnceExecuteOnce(&wsa_once, wsa_start, NULL, NULL);
  if (!wsa_ok)
    return ipcx__fail(ENETDOWN);
  s = WSASocketW(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO,
                 (WSAPROTOCOL_INFOW *)ws, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
  if (s == INVALID_SOCKET)
    return ws_fail();
  return ws_install(s, ws->iAddressFamily, ws->iSocketType,
                    ((flags & O_NONBLOCK) ? SOCK_NONBLOCK : 0) | (cloexec ? SOCK_CLOEXEC : 0));
}

static int ws_accept(struct ipcx__file *f, struct sockaddr *addr, socklen_t *len, int flags)
{
  SOCKET s;
  int r;

  if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
    return ipcx__fail(EINVAL);
  for (;;) {
    s = accept(sock_of(f), addr, len);
    if (s != INVALID_SOCKET)
      break;
    if (WSAGetLastError() != WSAEWOULDBLOCK || (f->flags & O_NONBLOCK))
      return ws_fail();
    r = ws_wait(f, POLLRDNORM, ws(f)->rcvtimeo);
    if (r < 0)
      return -1;
    if (r == 0)
      return ipcx__fail(EAGAIN);
  }
  return ws_install(s, ws(f)->domain, ws(f)->type, flags);
}

static int ws_connect(struct ipcx__file *f, const struct sockaddr *addr, socklen_t len)
{
  int err = 0, elen = sizeof err;

  ws(f)->err_taken = 0;         /* a new attempt: its error is news */
  ws(f)->connect_failed = 0;
  if (connect(sock_of(f), addr, len) == 0)
    return 0;
  if (WSAGetLastError() != WSAEWOULDBLOCK)
    return ws_fail();
  if (f->flags & O_NONBLOCK)
    return ipcx__fail(EINPROGRESS);
  if (ws_wait(f, POLLWRNORM, ws(f)->sndtimeo) <= 0)
    return errno == 0 ? ipcx__fail(ETIMEDOUT) : -1;
  getsockopt(sock_of(f), SOL_SOCKET, SO_ERROR, (char *)&err, &elen);
  ws(f)->err_taken = err;
  ws(f)->connect_failed = err != 0;
  if (err != 0)
    return ipcx__fail(ipcx__errno_from_win32((DWORD)err));
  return 0;
}

static int ws_getsockopt(struct ipcx__file *f, int level, int name, void *val, socklen_t *len)
{
  struct wsock *w = ws(f);
  DWORD ms;
  int v;

  if (val == NULL || len == NULL)
    return ipcx__fail(EFAULT);
  if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO)) {
    struct timeval tv;
    if (*len < (socklen_t)sizeof tv)
      return ipcx__fail(EINVAL);
    ms = name == SO_RCVTIMEO ? w->rcvtimeo : w->sndtimeo;
    tv.tv_sec = (long)(ms / 1000);
    tv.tv_usec = (long)(ms % 1000) * 1000;
    memcpy(val, &tv, sizeof tv);
    *len = sizeof tv;
    return 0;
  }
  if (level == SOL_SOCKET && (name == SO_DOMAIN || name == SO_ERROR || name == SO_PROTOCOL_IPCX)) {
    if (*len < (socklen_t)sizeof(int))
      return ipcx__fail(EINVAL);
    if (name == SO_DOMAIN) {
      v = w->domain;
    } else if (name == SO_PROTOCOL_IPCX) {
      v = w->type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
    } else {
      /* Linux's SO_ERROR is read once, then 0; Winsock (Wine) keeps
       * reporting a failed connect's error: report each error once. */
      int e = 0, elen = sizeof e;
      getsockopt(sock_of(f), SOL_SOCKET, SO_ERROR, (char *)&e, &elen);
      v = e != 0 && e != w->err_taken ? ipcx__errno_from_win32((DWORD)e) : 0;
      if (e != 0)
        w->err_taken = e;
    }
    memcpy(val, &v, sizeof v);
    *len = sizeof v;
    return 0;
  }
  if (level == SOL_SOCKET && name == SO_PEERCRED)
    return ipcx__fail(ENOPROTOOPT);
  if (getsockopt(sock_of(f), level, name, val, len) != 0)
    return ws_fail();
  return 0;
}

static int ws_setsockopt(struct ipcx__file *f, int level, int name, const void *val, socklen_t len)
{
  struct wsock *w = ws(f);

  if (val == NULL)
    return ipcx__fail(EFAULT);
  if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO)) {
    struct timeval tv;
    unsigned long long t;
    if (len < (socklen_t)sizeof tv)
      return ipcx__fail(EINVAL);
    memcpy(&tv, val, sizeof tv);
    if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
      return ipcx__fail(EDOM);
    t = tv.tv_sec < 0 ? 0 : (unsigned long long)tv.tv_sec * 1000 + (unsigned long long)(tv.tv_usec + 999) / 1000;
    if (t > 0x7fffffff)
      t = 0x7fffffff;
    if (name == SO_RCVTIMEO)
      w->rcvtimeo = (DWORD)t;
    else
      w->sndtimeo = (DWORD)t;
    return 0;
  }
  if (setsockopt(sock_of(f), level, name, val, len) != 0)
    return ws_fail();
  return 0;
}

/* --- Winsock's socket calls --------------------------------------------------- */

static int ws_bind(struct ipcx__file *f, const struct sockaddr *addr, socklen_t len)
{
  if (addr == NULL)
    return ipcx__fail(EFAULT);
  return bind(sock_of(f), addr, len) == 0 ? 0 : ws_fail();
}

static int ws_listen(struct ipcx__file *f, int backlog)
{
  return listen(sock_of(f), backlog < 0 ? SOMAXCONN : backlog) == 0 ? 0 : ws_fail();
}

static int ws_connect_fd(struct ipcx__file *f, int fd, const struct sockaddr *addr, socklen_t len)
{
  (void)fd;
  if (addr == NULL)
    return ipcx__fail(EFAULT);
  return ws_connect(f, addr, len);
}

static int ws_shutdown(struct ipcx__file *f, int how)
{
  if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
    return ipcx__fail(EINVAL);
  return shutdown(sock_of(f), how) == 0 ? 0 : ws_fail();
}

static int ws_name(struct ipcx__file *f, struct sockaddr *addr, socklen_t *len, int peer)
{
  if (peer)
    return getpeername(sock_of(f), addr, len) == 0 ? 0 : ws_fail();
  return getsockname(sock_of(f), addr, len) == 0 ? 0 : ws_fail();
}

static ssize_t ws_sendto(struct ipcx__file *f, const void *buf, size_t n, int flags,
                         const struct sockaddr *addr, socklen_t alen)
{
  ssize_t r;

  if (addr == NULL)
    return ws_send(f, buf, n, flags);
  if (n > INT_MAX)
    return ipcx__fail(EMSGSIZE);
  if (n > 0 && buf == NULL)
    return ipcx__fail(EFAULT);
  for (;;) {
    r = sendto(sock_of(f), buf, (int)n, flags & MSG_OOB, addr, alen);
    if (r >= 0 || ws_again(f, flags, POLLWRNORM, ws(f)->sndtimeo) < 0)
      return r;
  }
}

static ssize_t ws_recvfrom(struct ipcx__file *f, void *buf, size_t n, int flags,
                           struct sockaddr *addr, socklen_t *alen)
{
  int k = n > INT_MAX ? INT_MAX : (int)n;

  if (addr == NULL)
    return ws_recv(f, buf, n, flags);
  if (n > 0 && buf == NULL)
    return ipcx__fail(EFAULT);
  for (;;) {
    socklen_t l = *alen;
    int got = recvfrom(sock_of(f), buf, k, flags & (MSG_PEEK | MSG_OOB), addr, &l);
    if (got >= 0 || WSAGetLastError() == WSAEMSGSIZE) {
      *alen = l;
      return got >= 0 ? got : k;     /* Linux: a datagram too big is cut to fit */
    }
    if (ws_again(f, flags, POLLRDNORM, ws(f)->rcvtimeo) < 0)
      return -1;
  }
}

static const struct ipcx__sock_ops ws_sock_ops = {
  .bind = ws_bind,
  .listen = ws_listen,
  .accept = ws_accept,
  .connect = ws_connect_fd,
  .shutdown = ws_shutdown,
  .name = ws_name,
  .getsockopt = ws_getsockopt,
  .setsockopt = ws_setsockopt,
  .sendto = ws_sendto,
  .recvfrom = ws_recvfrom,
};

/* --- the calls: check what every kind checks alike, then dispatch ------------ */

/* The socket behind fd with a reference, or NULL with EBADF/ENOTSOCK. */
static struct ipcx__file *sock_get(int fd)
{
  struct ipcx__file *f = ipcx__fd_get(fd);

  if (f == NULL)
    return NULL;
  if (f->ops->sock == NULL) {
    ipcx__file_unref(f);
    errno = ENOTSOCK;
    return NULL;
  }
  return f;
}

/*
 * The AF_UNIX type a socket of type base gets, or -1/errno, in Linux's order
 * (af_unix.c unix_create): the protocol first, then the type.  SOCK_RAW is
 * SOCK_DGRAM there, for old programs; SO_TYPE then says SOCK_DGRAM.
 */
static int unix_type(int base, int protocol)
{
  if (protocol != 0 && protocol != AF_UNIX)
    return ipcx__fail(EPROTONOSUPPORT);
  if (base == SOCK_RAW)
    return SOCK_DGRAM;
  if (base != SOCK_STREAM && base != SOCK_SEQPACKET && base != SOCK_DGRAM)
    return ipcx__fail(ESOCKTNOSUPPORT);
  return base;
}

int ipcx_socket(int domain, int type, int protocol)
{
  int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
  int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);

  if (base < 0 || base >= LINUX_SOCK_MAX)
    return ipcx__fail(EINVAL);
  if (domain == AF_UNIX) {
    if ((base = unix_type(base, protocol)) < 0)
      return -1;
    return ipcx__unix_socket(base, flags);
  }
  if (domain == AF_INET || domain == AF_INET6)
    return ws_socket(domain, base, protocol, flags);
  return ipcx__fail(EAFNOSUPPORT);
}

int ipcx_socketpair(int domain, int type, int protocol, int sv[2])
{
  int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
  int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);

  if (base < 0 || base >= LINUX_SOCK_MAX)
    return ipcx__fail(EINVAL);
  if (domain == AF_INET || domain == AF_INET6)
    return ipcx__fail(EOPNOTSUPP);
  if (domain != AF_UNIX)
    return ipcx__fail(EAFNOSUPPORT);
  if ((base = unix_type(base, protocol)) < 0)
    return -1;
  if (sv == NULL)
    return ipcx__fail(EFAULT);
  return ipcx__unix_socketpair(base, flags, sv);
}

/* CALL(fd, op, args...): sock_get, f->ops->sock->op(f, args...), unref. */
#define CALL(type, fd, op, ...)                                                                    \
  do {                                                                                             \
    struct ipcx__file *f_ = sock_get(fd);                                                          \
    type r_;                                                                                       \
    if (f_ == NULL)                                                                                \
      return -1;                                                                                   \
    r_ = f_->ops->sock->op(f_, __VA_ARGS__);                                                       \
    ipcx__file_unref(f_);                                                                          \
    return r_;                                                                                     \
  } while (0)

int ipcx_bind(int fd, const struct sockaddr *addr, socklen_t len)
{
  CALL(int, fd, bind, addr, len);
}

int ipcx_listen(int fd, int backlog)
{
  CALL(int, fd, listen, backlog);
}

int ipcx_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
  CALL(int, fd, accept, addr, len, flags);
}

int ipcx_accept(int fd, struct sockaddr *addr, socklen_t *len)
{
  return ipcx_accept4(fd, addr, len, 0);
}

int ipcx_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
  CALL(int, fd, connect, fd, addr, len);
}

int ipcx_shutdown(int fd, int how)
{
  CALL(int, fd, shutdown, how);
}

static int name_of(int fd, struct sockaddr *addr, socklen_t *len, int peer)
{
  if (addr == NULL || len == NULL) {
    struct ipcx__file *f = sock_get(fd);
    if (f == NULL)
      return -1;                /* EBADF and ENOTSOCK come first */
    ipcx__file_unref(f);
    return ipcx__fail(EFAULT);
  }
  CALL(int, fd, name, addr, len, peer);
}

int ipcx_getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
  return name_of(fd, addr, len, 0);
}

int ipcx_getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
  return name_of(fd, addr, len, 1);
}

int ipcx_getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
  CALL(int, fd, getsockopt, level, name, val, len);
}

int ipcx_setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
  CALL(int, fd, setsockopt, level, name, val, len);
}

static int ws_nread(struct ipcx__file *f, int *n)
{
  u_long avail = 0;

  if (ioctlsocket(sock_of(f), FIONREAD, &avail) != 0)
    return ws_fail();
  *n = avail > INT_MAX ? INT_MAX : (int)avail;
  return 0;
}

int ipcx_getpeereid(int fd, uid_t *uid, gid_t *gid)
{
  struct ucred cred;
  socklen_t len = sizeof cred;

  if (ipcx_getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
    return -1;
  if (uid == NULL || gid == NULL)
    return ipcx__fail(EFAULT);
  *uid = cred.uid;
  *gid = cred.gid;
  return 0;
}

ssize_t ipcx_send(int fd, const void *buf, size_t n, int flags)
{
  return ipcx_sendto(fd, buf, n, flags, NULL, 0);
}

/* A buffer ipcx could not copy (ipcx__mem_ok): EFAULT once fd is known to be
 * a socket (Linux checks the fd first); 0 if the buffer is fine. */
static int bad_buffer(int fd, const void *buf, size_t n, int into)
{
  struct ipcx__file *f;

  if (ipcx__mem_ok(buf, n, into))
    return 0;
  if ((f = sock_get(fd)) == NULL)
    return -1;
  ipcx__file_unref(f);
  return ipcx__fail(EFAULT);
}

ssize_t ipcx_recv(int fd, void *buf, size_t n, int flags)
{
  return ipcx_recvfrom(fd, buf, n, flags, NULL, NULL);
}

/* Total of msg's iovec as Linux checks it, or -1/errno (into: recvmsg). */
static ssize_t msg_total(const struct msghdr *msg, int into)
{
  size_t total = 0, i;

  if (msg == NULL)
    return ipcx__fail(EFAULT);
  if (msg->msg_iovlen > 1024)
    return ipcx__fail(EMSGSIZE);
  if (msg->msg_iovlen > 0 && msg->msg_iov == NULL)
    return ipcx__fail(EFAULT);
  for (i = 0; i < msg->msg_iovlen; i++) {
    if (msg->msg_iov[i].iov_len > (size_t)0x7fffffff - total)
      return ipcx__fail(EINVAL);
    if (!ipcx__mem_ok(msg->msg_iov[i].iov_base, msg->msg_iov[i].iov_len, into))
      return ipcx__fail(EFAULT);
    total += msg->msg_iov[i].iov_len;
  }
  return (ssize_t)total;
}

/* The one piece of msg's iovec that holds every byte, or NULL. */
static struct iovec *single_piece(const struct msghdr *msg, size_t total)
{
  size_t i;

  for (i = 0; i < msg->msg_iovlen; i++)
    if (msg->msg_iov[i].iov_len == total)
      return &msg->msg_iov[i];
  return NULL;
}

/* msg's iovec in one buffer (buf if it fits, else malloc'd), or NULL/ENOMEM. */
static char *gather(const struct msghdr *msg, size_t total, char *buf, size_t size)
{
  size_t off, i;

  if (total > size && (buf = malloc(total)) == NULL) {
    errno = ENOMEM;
    return NULL;
  }
  for (i = 0, off = 0; i < msg->msg_iovlen; i++) {
    if (msg->msg_iov[i].iov_len > 0)
      memcpy(buf + off, msg->msg_iov[i].iov_base, msg->msg_iov[i].iov_len);
    off += msg->msg_iov[i].iov_len;
  }
  return buf;
}

/* sendmsg() with ancillary data (SCM_RIGHTS, SCM_CREDENTIALS: scm.c). */
static ssize_t send_scm(int fd, const struct msghdr *msg, size_t total, int flags)
{
  struct ipcx__scm_out *out;
  struct ipcx__file *f;
  char stackbuf[4096], *buf = NULL;
  ssize_t r;

  if ((f = sock_get(fd)) == NULL)
    return -1;
  out = malloc(sizeof *out);
  if (out == NULL) {
    ipcx__file_unref(f);
    return ipcx__fail(ENOMEM);
  }
  if (ipcx__scm_parse(msg, out) < 0) {
    r = -1;
  } else if (out->nfds == 0 && !out->has_cred) {
    r = -2;                     /* nothing that travels: a plain send */
  } else if (f->ops->sock->sendscm == NULL) {
    r = ipcx__fail(EINVAL);     /* Linux: SCM_RIGHTS only on AF_UNIX */
  } else if ((buf = gather(msg, total, stackbuf, sizeof stackbuf)) == NULL) {
    r = -1;
  } else {
    r = ipcx__sigpipe(f->ops->sock->sendscm(f, out, buf, total, flags,
                                            msg->msg_namelen ? msg->msg_name : NULL,
                                            msg->msg_namelen),
                      flags);
  }
  if (buf != NULL && buf != stackbuf)
    free(buf);
  free(out);
  ipcx__file_unref(f);
  if (r == -2) {
    struct msghdr plain = *msg;
    plain.msg_control = NULL;
    plain.msg_controllen = 0;
    return ipcx_sendmsg(fd, &plain, flags);
  }
  return r;
}

ssize_t ipcx_sendmsg(int fd, const struct msghdr *msg, int flags)
{
  char stackbuf[4096], *buf;
  ssize_t total = msg_total(msg, 0), r;
  struct iovec *one;
  size_t off, i;

  if (total < 0)
    return -1;
  if (msg->msg_controllen > 0)
    return send_scm(fd, msg, (size_t)total, flags);
  if (total == 0 || (one = single_piece(msg, (size_t)total)) != NULL)
    return ipcx_sendto(fd, total == 0 ? "" : one->iov_base, (size_t)total, flags,
                       msg->msg_namelen ? (const struct sockaddr *)msg->msg_name : NULL,
                       msg->msg_namelen);
  buf = (size_t)total <= sizeof stackbuf ? stackbuf : malloc((size_t)total);
  if (buf == NULL)
    return ipcx__fail(ENOMEM);
  for (i = 0, off = 0; i < msg->msg_iovlen; i++) {
    if (msg->msg_iov[i].iov_len > 0)
      memcpy(buf + off, msg->msg_iov[i].iov_base, msg->msg_iov[i].iov_len);
    off += msg->msg_iov[i].iov_len;
  }
  r = ipcx_sendto(fd, buf, (size_t)total, flags,
                  msg->msg_namelen ? (const struct sockaddr *)msg->msg_name : NULL, msg->msg_namelen);
  if (buf != stackbuf)
    free(buf);
  return r;
}

/* 1 if fd is a socket whose recvmsg reports a record's real length. */
static int record_fd(int fd)
{
  struct ipcx__file *f = ipcx__fd_peek(fd);
  int yes = f != NULL && f->ops->sock != NULL && f->ops->sock->record;

  if (f != NULL)
    ipcx__file_unref(f);
  return yes;
}

/* With SO_PASSCRED on f (a kind that carries ancillary data): 1 and the
 * peer's credentials (what recvmsg() reports when the sender attached
 * none), else 0. */
static int passcred_of(struct ipcx__file *f, struct ucred *cred)
{
  socklen_t len = sizeof(int);
  int on = 0, e = errno;

  if (f == NULL || f->ops->sock == NULL || f->ops->sock->sendscm == NULL ||
      f->ops->sock->getsockopt(f, SOL_SOCKET, SO_PASSCRED, &on, &len) < 0 || !on) {
    errno = e;
    return 0;
  }
  len = sizeof *cred;
  if (f->ops->sock->getsockopt(f, SOL_SOCKET, SO_PEERCRED, cred, &len) < 0)
    memset(cred, 0, sizeof *cred);
  errno = e;
  return 1;
}

ssize_t ipcx_recvmsg(int fd, struct msghdr *msg, int flags)
{
  char stackbuf[4096], *buf;
  ssize_t total = msg_total(msg, 1), r;
  struct iovec *one;
  size_t off, i;
  int user_flags = flags;
  struct ipcx__scm_batch *batch;

  if (total < 0)
    return -1;
  /* MSG_TRUNC asks a record socket for the record's real length (a stream
   * socket ignores it): more than total means the record was cut. */
  flags |= record_fd(fd) ? MSG_TRUNC : 0;
  ipcx__scm_rx_begin(&batch);   /* the fds the read reaches come to us */
  if (total == 0 || (one = single_piece(msg, (size_t)total)) != NULL) {
    char dummy;
    r = ipcx_recv(fd, total == 0 ? &dummy : one->iov_base, (size_t)total, flags);
  } else {
    buf = (size_t)total <= sizeof stackbuf ? stackbuf : malloc((size_t)total);
    if (buf == NULL) {
      ipcx__scm_rx_end(&batch, msg, 0, NULL);
      return ipcx__fail(ENOMEM);
    }
    r = ipcx_recv(fd, buf, (size_t)total, flags);
    for (i = 0, off = 0; r > 0 && i < msg->msg_iovlen && off < (size_t)r && off < (size_t)total;
         i++) {
      size_t k = msg->msg_iov[i].iov_len < (size_t)r - off ? msg->msg_iov[i].iov_len : (size_t)r - off;
      memcpy(msg->msg_iov[i].iov_base, buf + off, k);
      off += k;
    }
    if (buf != stackbuf)
      free(buf);
  }
  if (r < 0) {
    int e = errno;
    ipcx__scm_rx_end(&batch, msg, 0, NULL);
    errno = e;
  }
  if (r >= 0) {
    struct ipcx__file *f = ipcx__fd_peek(fd);
    socklen_t namelen = msg->msg_namelen;
    struct ucred cred, *passcred = NULL;
    msg->msg_namelen = 0;
    if (f != NULL && msg->msg_name != NULL && f->ops->sock != NULL && f->ops->sock->from != NULL &&
        f->ops->sock->from(f, (struct sockaddr *)msg->msg_name, &namelen) == 0)
      msg->msg_namelen = namelen;  /* the datagram's sender */
    if (passcred_of(f, &cred))
      passcred = &cred;
    if (f != NULL)
      ipcx__file_unref(f);
    msg->msg_flags = r > total ? MSG_TRUNC : 0;
    ipcx__scm_rx_end(&batch, msg, user_flags, passcred);
    if (r > total && !(user_flags & MSG_TRUNC))
      r = total;
  }
  return r;
}

/* --- sendto, recvfrom ------------------------------------------------------- */

/*
 * On a stream socket these are send() and recv() (recvfrom() also names the
 * peer, as Linux does); an address given to a connected AF_UNIX stream is
 * EISCONN, to an unconnected one EOPNOTSUPP, as on Linux.  Winsock sockets
 * (UDP among them) get Winsock's sendto/recvfrom with ipcx's blocking rules.
 */
static ssize_t sendto_call(int fd, const void *buf, size_t n, int flags,
                           const struct sockaddr *addr, socklen_t alen)
{
  if (bad_buffer(fd, buf, n, 0) < 0)
    return -1;
  CALL(ssize_t, fd, sendto, buf, n, flags, addr, alen);
}

/* EPIPE raises SIGPIPE unless MSG_NOSIGNAL (send and sendmsg come here too). */
ssize_t ipcx_sendto(int fd, const void *buf, size_t n, int flags,
                    const struct sockaddr *addr, socklen_t alen)
{
  return ipcx__sigpipe(sendto_call(fd, buf, n, flags, addr, alen), flags);
}

ssize_t ipcx_recvfrom(int fd, void *buf, size_t n, int flags,
                      struct sockaddr *addr, socklen_t *alen)
{
  if (addr != NULL && alen == NULL) {
    struct ipcx__file *f = sock_get(fd);
    if (f == NULL)
      return -1;
    ipcx__file_unref(f);
    return ipcx__fail(EFAULT);
  }
  if (bad_buffer(fd, buf, n, 1) < 0)
    return -1;
  CALL(ssize_t, fd, recvfrom, buf, n, flags, addr, alen);
}
