/*
 * stdio.c: fdopen(), fclose(), fflush() and fileno() for ipcx fds.
 *
 * Backing: a FILE from fdopen() on an ipcx pipe, FIFO or socket reads and
 * writes a private "bridge": a named-pipe instance whose CRT side (the FILE's
 * own CRT fd) is opened WITHOUT FILE_FLAG_OVERLAPPED and whose relay side is
 * overlapped.  Relay threads move the bytes between the bridge and the ipcx
 * fd with ipcx_read()/ipcx_write():
 *   "r"          one thread: fd -> bridge (EOF from the fd closes the bridge:
 *                the FILE sees EOF)
 *   "w", "a"     one thread: bridge -> fd
 *   "r+", "w+"   both, over one duplex bridge
 * Regular files (and anything else the CRT serves) keep the CRT's fdopen().
 * fopen() of a FIFO or a \\.\pipe\ name is ipcx_open() + fdopen().
 *
 * Why not give the FILE the ipcx fd's own CRT slot: every ipcx handle is
 * overlapped (io.c), and msvcrt's _read/_write call ReadFile/WriteFile with
 * no OVERLAPPED.  kernel32 then waits on the file handle itself, which Wine 8
 * gets right only while no other handle to the same pipe end exists: with a
 * copy in another process (a posix_spawn child that inherited the fd) a read
 * that has to wait fails at once with ERROR_IO_PENDING (msvcrt: EINVAL), and
 * fgets() on a FIFO server or a child's output pipe breaks.  The overlapped
 * flag belongs to the file object, so no duplicate of the handle can be
 * synchronous, and reopening an existing pipe end is impossible; hence a
 * second, private, synchronous pipe and a relay.  The bridge's handles are
 * never inheritable: children get the ipcx fd, not the bridge.
 *
 * Ordering and loss: fflush() (renamed to ipcx_fflush by compat/stdio.h)
 * flushes the FILE and then drains the bridge into the fd itself, under the
 * lock the relay drains under, so bytes flushed are in the fd (in the peer's
 * pipe) when it returns, as on Linux; a later write() on the fd comes after
 * them.  The write relay waits for data with a zero-byte read watch
 * (zero_read.c), which consumes nothing, so it never holds bytes a flusher
 * could not see.
 * fclose() drains, closes the FILE, stops and joins the relays, then closes
 * the fd (the peer sees EOF or EPIPE).  exit() drains every bridge (atexit).
 * A write error on the fd (EPIPE) is sticky: later bytes are discarded and
 * fflush()/fclose() return EOF with that errno.
 *
 * Differences from Linux: the read relay reads ahead, so bytes it took from
 * the fd are only in the FILE (read() on fileno(fp) will not see them); in
 * "r+"/"w+" mode EOF from the peer ends the bridge in both directions (a
 * duplex pipe cannot be half-closed): write everything before reading to EOF.
 *
 * stderr is unbuffered on Linux; the CRT buffers it once it is not a console
 * (measured under Wine: fputs(stderr) came out after later write(2) calls),
 * so a constructor here makes it unbuffered.  compat/stdio.h takes the
 * address of ipcx_fflush, which links this file into every program built
 * with it (the library is static, or the DLL that holds it all).
 *
 * Not covered: a child built WITHOUT ipcx that reads an inherited ipcx pipe
 * with the CRT (_read, fgets on stdin) gets the same EINVAL
 * (ERROR_IO_PENDING) under Wine 8 once a third process holds that end too
 * (measured: two such children sharing a read end both fail; one child with
 * only the parent's copy works).  spawn.c cannot know what a child runs, so
 * it hands children the overlapped handles as they are.
 */
#include "internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ipcx.h declares the stdio calls on struct _iobuf so as not to include
 * <stdio.h>: that must be FILE. */
_Static_assert(__builtin_types_compatible_p(FILE, struct _iobuf), "FILE is not struct _iobuf");

#define BRIDGE_BUF 65536

struct bridge {
  struct bridge *next;
  FILE *fp;
  int fd;                       /* the ipcx fd (fileno() reports it) */
  int rd, wr;                   /* directions relayed */
  HANDLE h;                     /* relay side of the bridge, overlapped */
  int h_closed;                 /* guarded by lock */
  CRITICAL_SECTION lock;        /* serialises drains; guards h_closed */
  HANDLE stop;                  /* manual-reset: the write relay stops */
  int stopfd[2];                /* the read relay's stop pipe (poll()ed) */
  HANDLE trd, twr;              /* relay threads (NULL: none) */
  int werr;                     /* sticky errno of a failed write to fd */
  volatile LONG eof;            /* duplex: the read relay saw EOF */
  char *wbuf;                   /* drain buffer (guarded by lock) */
};

__attribute__((constructor)) static void stderr_unbuffered(void)
{
  setvbuf(stderr, NULL, _IONBF, 0);
}

static SRWLOCK list_lock = SRWLOCK_INIT;
static struct bridge *list;
static INIT_ONCE exit_once = INIT_ONCE_STATIC_INIT;

/* A private pipe: *relay overlapped duplex, *crt synchronous with `access`
 * (no FILE_FLAG_OVERLAPPED: the CRT's plain ReadFile/WriteFile wait there). */
static DWORD bridge_pipe(HANDLE *relay, HANDLE *crt, DWORD access)
{
  return ipcx__pipe_pair_open(relay, crt, BRIDGE_BUF, PIPE_TYPE_BYTE | PIPE_READMODE_BYTE,
                              access | FILE_READ_ATTRIBUTES, 0, "stdio");
}

/* Write all n bytes to the ipcx fd (waits out O_NONBLOCK); 0 or errno. */
static int put_all(int fd, const char *p, size_t n)
{
  struct ipcx_pollfd pfd;
  ssize_t k;

  while (n > 0) {
    k = ipcx_write(fd, p, n);
    if (k > 0) {
      p += k;
      n -= (size_t)k;
    } else if (k < 0 && errno == EAGAIN) {
      pfd.fd = fd;
      pfd.events = IPCX_POLLOUT;
      ipcx_poll(&pfd, 1, -1);
    } else if (k < 0 && errno != EINTR) {
      return errno;
    }
  }
  return 0;
}

/* Move what is in the bridge now to the fd; called with b->lock held. */
static void drain_locked(struct bridge *b)
{
  DWORD got, err;
  int e;

  while (!b->h_closed) {
    err = ipcx__io_read(b->h, b->wbuf, BRIDGE_BUF, &got, 0);
    if (err != ERROR_SUCCESS || got == 0)
      return;                   /* nothing waiting, or the FILE side closed */
    if (b->werr == 0 && (e = put_all(b->fd, b->wbuf, got)) != 0)
      b->werr = e;              /* sticky; later bytes are discarded */
  }
}

static void close_h(struct bridge *b)
{
  EnterCriticalSection(&b->lock);
  if (!b->h_closed) {
    CloseHandle(b->h);
    b->h_closed = 1;
  }
  LeaveCriticalSection(&b->lock);
}

/* bridge -> fd: wake on data (a zero-byte read watch, zero_read.c), drain. */
static DWORD WINAPI write_relay(void *arg)
{
  struct bridge *b = arg;
  struct ipcx__zero_read zr;
  HANDLE w[2];
  DWORD err;
  int stop = 0;

  memset(&zr, 0, sizeof zr);
  while (!stop) {
    err = ipcx__zero_read_arm(&zr, b->h, NULL);
    if (err == ERROR_IO_PENDING) {
      w[0] = zr.ov.hEvent;
      w[1] = b->stop;
      if (ipcx__wait(2, w, INFINITE, 0) == WAIT_OBJECT_0) {
        err = ipcx__zero_read_finished(&zr, b->h);
      } else {
        ipcx__zero_read_end(&zr, b->h, 0);
        stop = 1;
      }
    }
    if (err != ERROR_SUCCESS && err != ERROR_MORE_DATA)
      stop = 1;                 /* the FILE side is closed, no event, or we were told */
    EnterCriticalSection(&b->lock);
    drain_locked(b);
    LeaveCriticalSection(&b->lock);
  }
  ipcx__zero_read_end(&zr, b->h, 1);
  if (b->eof)
    close_h(b);                 /* duplex, EOF from the fd: now the FILE sees it */
  return 0;
}

/* fd -> bridge, until EOF, an error, the FILE closes or fclose() says stop. */
static DWORD WINAPI read_relay(void *arg)
{
  struct bridge *b = arg;
  struct ipcx_pollfd pfd[2];
  char *buf = malloc(BRIDGE_BUF);
  ssize_t k;
  DWORD put;

  while (buf != NULL) {
    pfd[0].fd = b->fd;
    pfd[0].events = IPCX_POLLIN;
    pfd[0].revents = 0;
    pfd[1].fd = b->stopfd[0];
    pfd[1].events = IPCX_POLLIN;
    pfd[1].revents = 0;
    if (ipcx_poll(pfd, 2, -1) < 0 && errno != EINTR)
      break;
    if (pfd[1].revents != 0)
      break;
    if (pfd[0].revents == 0)
      continue;
    k = ipcx_read(b->fd, buf, BRIDGE_BUF);
    if (k < 0 && (errno == EAGAIN || errno == EINTR))
      continue;
    if (k <= 0)
      break;                    /* EOF (or an error): the FILE sees EOF */
    if (ipcx__io_write(b->h, buf, (DWORD)k, &put, INFINITE) != ERROR_SUCCESS)
      break;                    /* the FILE side is closed */
  }
  free(buf);
  if (b->wr) {
    b->eof = 1;                 /* the write relay drains, then closes h */
    SetEvent(b->stop);
  }
  else
    close_h(b);
  return 0;
}

static void bridge_free(struct bridge *b)
{
  if (!b->h_closed && b->h != NULL)
    CloseHandle(b->h);
  if (b->stop != NULL)
    CloseHandle(b->stop);
  if (b->stopfd[0] >= 0)
    ipcx_close(b->stopfd[0]);
  if (b->stopfd[1] >= 0)
    ipcx_close(b->stopfd[1]);
  DeleteCriticalSection(&b->lock);
  free(b->wbuf);
  free(b);
}

/* Find (and with unlink, remove) fp's bridge. */
static struct bridge *bridge_find(FILE *fp, int unlink)
{
  struct bridge **pp, *b;

  AcquireSRWLockExclusive(&list_lock);
  for (pp = &list; (b = *pp) != NULL; pp = &b->next)
    if (b->fp == fp) {
      if (unlink)
        *pp = b->next;
      break;
    }
  ReleaseSRWLockExclusive(&list_lock);
  return b;
}

/* Flush the FILE and move its bytes into the fd; 0 or an errno. */
static int bridge_flush(struct bridge *b)
{
  int r = fflush(b->fp) == 0 ? 0 : errno;

  if (b->wr) {
    EnterCriticalSection(&b->lock);
    drain_locked(b);
    if (r == 0)
      r = b->werr;
    LeaveCriticalSection(&b->lock);
  }
  return r;
}

static void flush_all_at_exit(void)
{
  struct bridge *b;

  AcquireSRWLockShared(&list_lock);
  for (b = list; b != NULL; b = b->next)
    if (b->wr)
      bridge_flush(b);
  ReleaseSRWLockShared(&list_lock);
}

static BOOL CALLBACK register_exit(INIT_ONCE *once, void *arg, void **ctx)
{
  (void)once, (void)arg, (void)ctx;
  atexit(flush_all_at_exit);
  return TRUE;
}

/* O_RDONLY/O_WRONLY/O_RDWR for an fopen mode, or -1. */
static int mode_access(const char *mode)
{
  int acc;

  if (mode == NULL)
    return -1;
  switch (mode[0]) {
  case 'r': acc = O_RDONLY; break;
  case 'w': case 'a': acc = O_WRONLY; break;
  default: return -1;
  }
  return strchr(mode + 1, '+') != NULL ? O_RDWR : acc;
}

/*
 * fopen(): a FIFO (its marker file) or a Windows named pipe is opened with
 * ipcx_open() (the FIFO rendezvous: "r" waits for a writer) and given a
 * bridge by fdopen(); "/dev/null" is NUL.  Everything else is the CRT's,
 * after fd.c's pool of closed sockets' slots is drained.
 */
FILE *ipcx_fopen(const char *path, const char *mode)
{
  int acc = mode_access(mode), fd, err;
  FILE *fp;

  if (path == NULL || mode == NULL) {
    errno = EFAULT;
    return NULL;
  }
  if (strcmp(path, "/dev/null") == 0 || acc < 0 || !(ipcx__fifo_is(path) || ipcx__raw_is_path(path))) {
    ipcx__fd_pool_drain();      /* the CRT's fd: the number Linux gives (fd.c's pool) */
    return fopen(strcmp(path, "/dev/null") == 0 ? "NUL" : path, mode);
  }
  fd = ipcx_open(path, acc | (strchr(mode, 'e') != NULL ? O_CLOEXEC : 0));
  if (fd < 0)
    return NULL;
  fp = ipcx_fdopen(fd, mode);
  if (fp == NULL) {
    err = errno;
    ipcx_close(fd);
    errno = err;
  }
  return fp;
}

FILE *ipcx_fdopen(int fd, const char *mode)
{
  struct ipcx__file *f;
  struct bridge *b;
  HANDLE crt_h = NULL;
  DWORD err, access;
  int acc, have, crt, oflags;

  acc = mode_access(mode);
  f = ipcx__fd_get(fd);
  if (f == NULL)
    return NULL;                /* EBADF */
  if (acc < 0) {
    ipcx__file_unref(f);
    errno = EINVAL;
    return NULL;
  }
  if (f->ops->kind == IPCX__KIND_CRT) {
    FILE *fp;

    ipcx__file_unref(f);
    errno = 0;
    fp = _fdopen(fd, mode);
    if (fp == NULL && errno == 0)
      errno = EMFILE;           /* msvcrt's FILE table is full and it says nothing */
    return fp;
  }
  have = f->flags & O_ACCMODE;
  ipcx__file_unref(f);
  if ((acc == O_RDWR && have != O_RDWR) || (acc == O_RDONLY && have == O_WRONLY) ||
      (acc == O_WRONLY && have == O_RDONLY)) {
    errno = EINVAL;             /* the mode asks for more than the fd allows */
    return NULL;
  }
  b = calloc(1, sizeof *b);
  if (b == NULL || (b->wbuf = malloc(BRIDGE_BUF)) == NULL) {
    free(b);
    errno = ENOMEM;
    return NULL;
  }
  InitializeCriticalSection(&b->lock);
  b->fd = fd;
  b->rd = acc != O_WRONLY;
  b->wr = acc != O_RDONLY;
  b->stopfd[0] = b->stopfd[1] = -1;
  access = (b->rd ? GENERIC_READ : 0) | (b->wr ? GENERIC_WRITE : 0);
  err = bridge_pipe(&b->h, &crt_h, access);
  if (err != ERROR_SUCCESS) {
    b->h = NULL;
    bridge_free(b);
    ipcx__fail_win32(err);
    return NULL;
  }
  oflags = _O_BINARY | _O_NOINHERIT | (acc == O_RDONLY ? _O_RDONLY : acc == O_WRONLY ? _O_WRONLY : _O_RDWR);
  crt = _open_osfhandle((intptr_t)crt_h, oflags);
  if (crt < 0) {
    CloseHandle(crt_h);
    bridge_free(b);
    errno = EMFILE;
    return NULL;
  }
  b->fp = _fdopen(crt, mode);
  if (b->fp == NULL) {
    _close(crt);
    bridge_free(b);
    errno = EMFILE;
    return NULL;
  }
  if ((b->stop = CreateEventW(NULL, TRUE, FALSE, NULL)) == NULL ||
      (b->rd && ipcx_pipe2(b->stopfd, O_CLOEXEC) < 0) ||
      (b->wr && (b->twr = CreateThread(NULL, 0, write_relay, b, 0, NULL)) == NULL) ||
      (b->rd && (b->trd = CreateThread(NULL, 0, read_relay, b, 0, NULL)) == NULL)) {
    int e = errno == 0 ? ENOMEM : errno;
    fclose(b->fp);              /* the CRT side: relays already started end */
    SetEvent(b->stop);
    if (b->twr != NULL) {
      ipcx__wait1(b->twr, INFINITE, 0);
      CloseHandle(b->twr);
    }
    bridge_free(b);
    errno = e == EMFILE ? EMFILE : ENOMEM;
    return NULL;
  }
  InitOnceExecuteOnce(&exit_once, register_exit, NULL, NULL);
  AcquireSRWLockExclusive(&list_lock);
  b->next = list;
  list = b;
  ReleaseSRWLockExclusive(&list_lock);
  return b->fp;
}

int ipcx_fclose(FILE *fp)
{
  struct bridge *b;
  int err, r;

  if (fp == NULL || (b = bridge_find(fp, 1)) == NULL)
    return fclose(fp);
  err = bridge_flush(b);
  r = fclose(fp);               /* the CRT side: a blocked relay write ends */
  if (r != 0 && err == 0)
    err = errno;
  SetEvent(b->stop);
  if (b->stopfd[1] >= 0)
    ipcx_write(b->stopfd[1], "x", 1);
  if (b->twr != NULL) {
    ipcx__wait1(b->twr, INFINITE, 0);
    CloseHandle(b->twr);
  }
  if (b->trd != NULL) {
    ipcx__wait1(b->trd, INFINITE, 0);
    CloseHandle(b->trd);
  }
  if (err == 0)
    err = b->werr;
  if (ipcx_close(b->fd) < 0 && err == 0)
    err = errno;
  bridge_free(b);
  if (err != 0) {
    errno = err;
    return EOF;
  }
  return 0;
}

int ipcx_fflush(FILE *fp)
{
  struct bridge *b;
  int err = 0, e;

  if (fp != NULL) {
    if ((b = bridge_find(fp, 0)) == NULL)
      return fflush(fp);
    err = bridge_flush(b);
  } else {
    if (fflush(NULL) != 0)
      err = errno;
    AcquireSRWLockShared(&list_lock);
    for (b = list; b != NULL; b = b->next)
      if (b->wr && (e = bridge_flush(b)) != 0 && err == 0)
        err = e;
    ReleaseSRWLockShared(&list_lock);
  }
  if (err != 0) {
    errno = err;
    return EOF;
  }
  return 0;
}

int ipcx_fileno(FILE *fp)
{
  struct bridge *b = fp != NULL ? bridge_find(fp, 0) : NULL;

  return b != NULL ? b->fd : _fileno(fp);
}
