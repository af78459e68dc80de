/*
 * unix_raw.c: raw Windows named pipes, reached with POSIX calls: the pipes
 * Windows services speak (ssh-agent's \\.\pipe\openssh-ssh-agent, Docker's
 * \\.\pipe\docker_engine), with no ipcx framing on them.
 *
 *   open()      of a "\\.\pipe\NAME" path: CreateFile on the pipe (overlapped,
 *               SECURITY_IDENTIFICATION), with the access O_ACCMODE asks
 *               for.  The fd is a pipe end (pipe.c's ops: read, write, poll,
 *               FIONREAD, close), read in byte mode.  No pipe: ENOENT; every
 *               instance busy: wait for one (WaitNamedPipe), EAGAIN with
 *               O_NONBLOCK.
 *   connect()   of an AF_UNIX SOCK_STREAM socket to sun_path "\\.\pipe\NAME":
 *               the same CreateFile; the socket switches to this file's ops
 *               table (raw_ops): a byte stream straight on the pipe, no hello,
 *               no escapes, no control records.  Errors as for a path: no pipe
 *               ENOENT, busy: wait (EAGAIN nonblocking).
 *   bind()      to such a path names the pipe (no rendezvous file): a pipe of
 *               that name already served (WaitNamedPipe finds it) is
 *               EADDRINUSE.  listen() and accept() are unix_listener.c's (the
 *               instances, the "alive" event, the accept wait); an accepted
 *               instance is switched to byte read mode and gets raw_ops.  So a
 *               plain Windows client that does CreateFile/WriteFile/ReadFile
 *               on the name talks to an ipcx server.  The instances are
 *               message-type pipes (what unix_listener.c makes): a client
 *               reading in byte mode (the default) sees a byte stream, one in
 *               message mode sees one message per write().
 *   ends        a closed peer is EOF (ERROR_BROKEN_PIPE) on read and EPIPE on
 *               write.  A byte pipe has no half-close: shutdown(SHUT_WR) ends
 *               our writes (EPIPE) but the peer learns nothing until close();
 *               SHUT_RD ends our reads (0).  No reset on close.
 *   children    a raw connection handed to a child (export_to gives it the
 *               pipe) arrives as a pipe end (its name is not one of ipcx's, so
 *               pipe.c imports it): read, write, poll and close work; socket
 *               calls are ENOTSOCK there.  A raw listener is not inherited.
 *
 * Win32 codes: ERROR_FILE_NOT_FOUND on CreateFile = no such pipe (ENOENT);
 * ERROR_PIPE_BUSY = every instance is taken; ERROR_BROKEN_PIPE /
 * ERROR_PIPE_NOT_CONNECTED on read = EOF; ERROR_NO_DATA on write = EPIPE.
 */
#include "unix_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct ipcx__ops raw_ops;

/* --- names ---------------------------------------------------------------- */

/* 1 if path names a pipe: "\\.\pipe\NAME" (Wine's \\.\ turns '/' into '\'). */
int ipcx__raw_is_path(const char *path)
{
  static const char prefix[] = "\\\\.\\pipe\\";
  size_t i;

  if (path == NULL)
    return 0;
  for (i = 0; i < sizeof prefix - 1; i++) {
    char c = path[i] == '/' ? '\\' : path[i];
    char p = prefix[i];
    if (c >= 'A' && c <= 'Z')
      c = (char)(c - 'A' + 'a');
    if (c != p)
      return 0;
  }
  return path[i] != 0;
}

/* The pipe's name as Win32 takes it (slashes made backslashes). */
static void pipe_name_of(const char *path, char *name, size_t size)
{
  size_t i;

  for (i = 0; path[i] != 0 && i + 1 < size; i++)
    name[i] = path[i] == '/' ? '\\' : path[i];
  name[i] = 0;
}

int ipcx__unix_raw_addr(const struct sockaddr *addr, socklen_t len)
{
  const struct sockaddr_un *a = (const struct sockaddr_un *)addr;
  char path[sizeof a->sun_path + 1];
  size_t n;

  if (addr == NULL || len <= SUN_OFF || len > (socklen_t)sizeof *a || addr->sa_family != AF_UNIX)
    return 0;
  n = (size_t)(len - SUN_OFF);
  memcpy(path, a->sun_path, n);
  path[n] = 0;
  return ipcx__raw_is_path(path);
}

/*
 * Open the pipe called name: the handle, or NULL/errno.  A busy pipe (every
 * instance connected) is waited for, as a blocking connect() waits for room.
 */
static HANDLE open_pipe(const char *name, DWORD access, int nonblock)
{
  HANDLE h;
  DWORD err;

  for (;;) {
    h = CreateFileA(name, access, 0, NULL, OPEN_EXISTING,
                    FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, NULL);
    if (h != INVALID_HANDLE_VALUE)
      return h;
    err = GetLastError();
    if (err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND || err == ERROR_BAD_PATHNAME)
      return ipcx__fail(ENOENT), NULL;
    if (err != ERROR_PIPE_BUSY)
      return ipcx__fail_win32(err), NULL;
    if (nonblock)
      return ipcx__fail(EAGAIN), NULL;
    /* Returns when an instance listens (or the pipe has gone: CreateFile says). */
    WaitNamedPipeA(name, 1000);
  }
}

/* --- open() ------------------------------------------------------------------ */

int ipcx__raw_open(const char *path, int flags)
{
  char name[300];
  struct ipcx__file *f;
  DWORD access;
  HANDLE h;
  int acc = flags & O_ACCMODE, fd;

  if (flags & (O_CREAT | O_EXCL)) {
    if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
      return ipcx__fail(EEXIST);        /* a pipe name is not a file to make */
  }
  access = acc == O_RDONLY ? GENERIC_READ | FILE_WRITE_ATTRIBUTES
         : acc == O_WRONLY ? GENERIC_WRITE | FILE_READ_ATTRIBUTES
         : GENERIC_READ | GENERIC_WRITE;
  if (acc == O_ACCMODE)
    acc = O_RDWR;
  pipe_name_of(path, name, sizeof name);
  h = open_pipe(name, access, (flags & O_NONBLOCK) != 0);
  if (h == NULL)
    return -1;
  f = ipcx__file_new(&ipcx__pipe_ops, h, acc | (flags & O_NONBLOCK));
  if (f == NULL) {
    CloseHandle(h);
    return ipcx__fail(ENOMEM);
  }
  fd = ipcx__fd_install(f, (flags & O_CLOEXEC) != 0);
  if (fd < 0) {
    int e = errno;
    ipcx__file_unref(f);
    return ipcx__fail(e);
  }
  return fd;
}

/* --- bind, connect, accept ------------------------------------------------------ */

/* Parse a raw address into s->local / s->peer form and the pipe's name. */
static int raw_parse(const struct sockaddr *addr, socklen_t len, struct sockaddr_un *a,
                     socklen_t *alen, char *name, size_t size)
{
  char path[sizeof a->sun_path + 1];

  if (ipcx__unix_parse_addr(addr, len, a, alen) < 0)
    return -1;
  ipcx__unix_addr_path(a, path);
  pipe_name_of(path, name, size);
  return 0;
}

int ipcx__unix_raw_bind(struct ipcx__file *f, const struct sockaddr *addr, socklen_t len)
{
  struct usock *s = us(f);
  struct sockaddr_un a;
  socklen_t alen;
  char name[sizeof s->pipe_name];

  if (raw_parse(addr, len, &a, &alen, name, sizeof name) < 0)
    return -1;
  if (s->type != SOCK_STREAM)
    return ipcx__fail(EINVAL);        /* a raw pipe is a byte stream */
  if (strlen(name) >= sizeof s->pipe_name - 1)
    return ipcx__fail(ENAMETOOLONG);
  /* A pipe of that name that someone serves: the address is in use.  (An
   * absent one answers ERROR_FILE_NOT_FOUND at once.) */
  if (WaitNamedPipeA(name, 1) || GetLastError() == ERROR_SEM_TIMEOUT)
    return ipcx__fail(EADDRINUSE);
  AcquireSRWLockExclusive(&s->llock);
  if (s->bound || s->state != ST_NEW) {
    ReleaseSRWLockExclusive(&s->llock);
    return ipcx__fail(EINVAL);
  }
  snprintf(s->pipe_name, sizeof s->pipe_name, "%s", name);
  s->local = a;
  s->local_len = alen;
  s->bound = 1;
  s->state = ST_BOUND;
  s->shared = 1;                /* no control records, ever */
  f->ops = &raw_ops;            /* listen() and accept() are the raw table's now */
  ReleaseSRWLockExclusive(&s->llock);
  return 0;
}

int ipcx__unix_raw_connect(struct ipcx__file *f, int fd, const struct sockaddr *addr, socklen_t len)
{
  struct usock *s = us(f);
  struct sockaddr_un a;
  socklen_t alen;
  char name[300];
  HANDLE h, old;

  if (raw_parse(addr, len, &a, &alen, name, sizeof name) < 0)
    return -1;
  if (s->state == ST_CONNECTED)
    return ipcx__fail(EISCONN);
  if (s->state == ST_LISTEN)
    return ipcx__fail(EINVAL);
  if (s->type != SOCK_STREAM)
    return ipcx__fail(EPROTOTYPE);    /* a raw pipe is a byte stream */
  h = open_pipe(name, GENERIC_READ | GENERIC_WRITE, (f->flags & O_NONBLOCK) != 0);
  if (h == NULL)
    return -1;
  EnterCriticalSection(&f->lock);
  old = f->h;
  f->h = h;
  s->state = ST_CONNECTED;
  s->shared = 1;                /* no reset record at close */
  s->peer = a;
  s->peer_len = alen;
  if (s->local_len == 0) {
    s->local.sun_family = AF_UNIX;
    s->local_len = sizeof(ADDRESS_FAMILY);
  }
  f->ops = &raw_ops;
  LeaveCriticalSection(&f->lock);
  CloseHandle(old);
  (void)fd;                     /* the CRT slot keeps socket()'s placeholder: raw_export */
  return 0;
}

static int raw_accept(struct ipcx__file *f, struct sockaddr *addr, socklen_t *len, int flags)
{
  struct usock *s = us(f), *cs;
  struct ipcx__file *c;
  DWORD mode = PIPE_READMODE_BYTE;
  HANDLE h = ipcx__unix_accept_handle(f, addr, len, flags);
  int fd;

  if (h == NULL)
    return -1;
  SetNamedPipeHandleState(h, &mode, NULL, NULL);
  c = ipcx__unix_connected_file(h, (flags & SOCK_NONBLOCK) != 0, 0);
  if (c == NULL) {
    ipcx__unix_give_back(s, h);
    return ipcx__fail(ENOMEM);
  }
  cs = us(c);
  c->ops = &raw_ops;
  cs->shared = 1;
  cs->local = s->local;
  cs->local_len = s->local_len;
  cs->peer.sun_family = AF_UNIX;
  cs->peer_len = sizeof(ADDRESS_FAMILY);   /* a Windows client has no address */
  fd = ipcx__fd_install(c, (flags & SOCK_CLOEXEC) != 0);
  if (fd < 0) {
    int e = errno;
    ipcx__unix_give_back(s, c->h);
    c->h = NULL;
    cs->state = ST_NEW;
    ipcx__file_unref(c);
    return ipcx__fail(e);
  }
  if (addr != NULL)
    ipcx__unix_copy_addr(&cs->peer, cs->peer_len, addr, len);
  return fd;
}

static int raw_bind_again(struct ipcx__file *f, const struct sockaddr *addr, socklen_t len)
{
  (void)f, (void)addr, (void)len;
  return ipcx__fail(EINVAL);    /* bound already */
}

static int raw_connect_again(struct ipcx__file *f, int fd, const struct sockaddr *addr,
                             socklen_t len)
{
  (void)fd, (void)addr, (void)len;
  return ipcx__fail(us(f)->state == ST_CONNECTED ? EISCONN : EINVAL);
}

/* --- reading and writing ------------------------------------------------------ */

static int rd_ended(struct usock *s)
{
  return s->shut_rd != 0;
}

/* Wait until bytes are waiting or the peer has gone; 0, or -1/errno. */
static int wait_readable(struct ipcx__file *f, DWORD ms)
{
  int hup = 0, z;
  DWORD w;

  for (;;) {
    EnterCriticalSection(&f->lock);
    z = ipcx__pipe_zero_read(f, &hup);
    LeaveCriticalSection(&f->lock);
    if (z != 0 || hup)
      return 0;
    w = ipcx__wait1(f->zr.ov.hEvent, ms, IPCX__WAIT_INTR);
    if (w == IPCX__WAIT_INTERRUPTED) {
      if (ipcx__unix_interrupted() < 0)
        return -1;
      continue;
    }
    if (w == WAIT_TIMEOUT)
      return ipcx__fail(EAGAIN);
    if (w != WAIT_OBJECT_0)
      return ipcx__fail_win32(GetLastError());
  }
}

static ssize_t raw_peek(struct ipcx__file *f, char *buf, size_t n, int nonblock)
{
  struct usock *s = us(f);
  DWORD got = 0, avail = 0, err;

  for (;;) {
    if (rd_ended(s))
      return 0;
    if (PeekNamedPipe(f->h, buf, (DWORD)(n > 0x7ffff000 ? 0x7ffff000 : n), &got, &avail, NULL)) {
      if (got > 0)
        return (ssize_t)got;
    } else {
      err = GetLastError();
      if (err == ERROR_BROKEN_PIPE || err == ERROR_PIPE_NOT_CONNECTED)
        return 0;
      return ipcx__fail(ipcx__errno_read(err));
    }
    if (nonblock)
      return ipcx__fail(EAGAIN);
    if (wait_readable(f, s->rcvtimeo ? s->rcvtimeo : INFINITE) < 0)
      return -1;
  }
}

static ssize_t raw_read_once(struct ipcx__file *f, char *buf, size_t n, int nonblock)
{
  struct usock *s = us(f);
  DWORD got = 0, err;

  if (rd_ended(s))
    return 0;
  if (n > 0x7ffff000)
    n = 0x7ffff000;
  err = ipcx__io_read(f->h, buf, (DWORD)n, &got, nonblock ? 0 : s->rcvtimeo ? s->rcvtimeo : INFINITE);
  if (err == ERROR_SUCCESS || err == ERROR_MORE_DATA)
    return (ssize_t)got;
  if (err == ERROR_BROKEN_PIPE || err == ERROR_PIPE_NOT_CONNECTED || err == ERROR_HANDLE_EOF)
    return 0;                   /* the peer has gone: EOF */
  if ((err == ERROR_OPERATION_ABORTED && nonblock) || err == WAIT_TIMEOUT)
    return ipcx__fail(EAGAIN);
  if (err == IPCX__WAIT_INTERRUPTED)
    return ipcx__fail(EINTR);   /* io.c restarted it already if SA_RESTART said so */
  SetLastError(err);
  return ipcx__fail(ipcx__errno_read(err));
}

static ssize_t raw_recv(struct ipcx__file *f, void *buf, size_t n, int flags)
{
  int nonblock = (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
  size_t done = 0;
  ssize_t r;

  if (us(f)->state != ST_CONNECTED)
    return ipcx__fail(us(f)->state == ST_LISTEN ? EINVAL : ENOTCONN);
  if (flags & MSG_OOB)
    return ipcx__fail(EOPNOTSUPP);
  if (n > 0 && buf == NULL)
    return ipcx__fail(EFAULT);
  if (n == 0 || (flags & MSG_PEEK)) {
    char c;
    r = raw_peek(f, n == 0 ? &c : buf, n == 0 ? 1 : n, nonblock);
    return r < 0 ? -1 : n == 0 ? 0 : r;
  }
  do {
    r = raw_read_once(f, (char *)buf + done, n - done, nonblock);
    if (r <= 0)
      break;
    done += (size_t)r;
  } while ((flags & MSG_WAITALL) && !nonblock && done < n);
  return done > 0 ? (ssize_t)done : r;
}

static ssize_t raw_send(struct ipcx__file *f, const void *buf, size_t n, int flags)
{
  struct usock *s = us(f);

  if (s->state != ST_CONNECTED)
    return ipcx__fail(ENOTCONN);
  if (flags & MSG_OOB)
    return ipcx__fail(EOPNOTSUPP);
  if (s->shut_wr)
    return ipcx__fail(EPIPE);
  if (n == 0)
    return 0;
  if (buf == NULL)
    return ipcx__fail(EFAULT);
  return ipcx__unix_send_bytes(f, buf, n, flags);
}

static ssize_t raw_read(struct ipcx__file *f, int fd, void *buf, size_t n, int nonblock)
{
  (void)fd;
  return raw_recv(f, buf, n, nonblock ? MSG_DONTWAIT : 0);
}

static ssize_t raw_write(struct ipcx__file *f, int fd, const void *buf, size_t n, int nonblock)
{
  (void)fd;
  return raw_send(f, buf, n, nonblock ? MSG_DONTWAIT : 0);
}

static ssize_t raw_sendto(struct ipcx__file *f, const void *buf, size_t n, int flags,
                          const struct sockaddr *addr, socklen_t alen)
{
  (void)alen;
  if (addr != NULL)
    return ipcx__fail(us(f)->state == ST_CONNECTED ? EISCONN : EOPNOTSUPP);
  return raw_send(f, buf, n, flags);
}

static ssize_t raw_recvfrom(struct ipcx__file *f, void *buf, size_t n, int flags,
                            struct sockaddr *addr, socklen_t *alen)
{
  ssize_t r = raw_recv(f, buf, n, flags);

  if (r >= 0 && addr != NULL && alen != NULL)
    *alen = 0;                  /* the peer has no address */
  return r;
}

/* A byte pipe has no half-close: our side of it ends here, the peer learns at close(). */
static int raw_shutdown(struct ipcx__file *f, int how)
{
  struct usock *s = us(f);

  if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
    return ipcx__fail(EINVAL);
  if (s->state != ST_CONNECTED)
    return ipcx__fail(ENOTCONN);
  if (how != SHUT_WR)
    InterlockedExchange(&s->shut_rd, 1);
  if (how != SHUT_RD)
    InterlockedExchange(&s->shut_wr, 1);
  return 0;
}

/* --- readiness, FIONREAD, the end ------------------------------------------- */

static short raw_poll(struct ipcx__file *f, short events, HANDLE wait[2], int *nwait)
{
  struct usock *s = us(f);
  short rev;

  if (s->state != ST_CONNECTED)
    return ipcx__unix_ops.poll(f, events, wait, nwait);   /* a listener, or bound */
  rev = ipcx__pipe_ops.poll(f, events, wait, nwait);       /* a byte pipe, read and written */
  if (s->shut_rd && (events & IPCX_POLLIN))
    rev |= IPCX_POLLIN | IPCX_POLLRDHUP;
  if (rev != 0)
    *nwait = 0;
  return rev;
}

static int raw_nread(struct ipcx__file *f, int *n)
{
  DWORD avail = 0;

  if (us(f)->state == ST_LISTEN)
    return ipcx__fail(EINVAL);
  if (us(f)->state != ST_CONNECTED || PeekNamedPipe(f->h, NULL, 0, NULL, &avail, NULL) ||
      GetLastError() == ERROR_BROKEN_PIPE) {
    *n = (int)avail;
    return 0;
  }
  return ipcx__fail(EINVAL);
}

/* Export: a connection's pipe goes to the other process (the CRT slot holds
 * socket()'s placeholder); it arrives there as a pipe end. */
static int raw_export(struct ipcx__file *f, HANDLE *h)
{
  HANDLE pipe;

  if (us(f)->state != ST_CONNECTED)
    return 0;
  if (!DuplicateHandle(GetCurrentProcess(), f->h, GetCurrentProcess(), &pipe, 0, TRUE,
                       DUPLICATE_SAME_ACCESS))
    return ipcx__errno_from_win32(GetLastError());
  CloseHandle(*h);
  *h = pipe;
  return 0;
}

static void raw_destroy(struct ipcx__file *f)
{
  ipcx__zero_read_release(f);
  ipcx__unix_ops.destroy(f);    /* the listener's instances, events, f itself (shared: no reset) */
}

static int raw_getsockopt(struct ipcx__file *f, int level, int name, void *val, socklen_t *len)
{
  return ipcx__unix_ops.sock->getsockopt(f, level, name, val, len);
}

static int raw_setsockopt(struct ipcx__file *f, int level, int name, const void *val,
                          socklen_t len)
{
  return ipcx__unix_ops.sock->setsockopt(f, level, name, val, len);
}

static int raw_name(struct ipcx__file *f, struct sockaddr *addr, socklen_t *len, int peer)
{
  return ipcx__unix_ops.sock->name(f, addr, len, peer);
}

static int raw_fstat(struct ipcx__file *f, int fd, struct stat *st)
{
  return ipcx__unix_ops.fstat(f, fd, st);
}

static const struct ipcx__sock_ops raw_sock_ops = {
  .bind = raw_bind_again,
  .listen = ipcx__unix_listen,
  .accept = raw_accept,
  .connect = raw_connect_again,
  .shutdown = raw_shutdown,
  .name = raw_name,
  .getsockopt = raw_getsockopt,
  .setsockopt = raw_setsockopt,
  .sendto = raw_sendto,
  .recvfrom = raw_recvfrom,
  .from = NULL,
  .record = 0,
};

static const struct ipcx__ops raw_ops = {
  .kind = IPCX__KIND_SOCKET,
  .read = raw_read,
  .write = raw_write,
  .destroy = raw_destroy,
  .fstat = raw_fstat,
  .poll = raw_poll,
  .nread = raw_nread,
  .sock = &raw_sock_ops,
  .export_to = raw_export,
};
