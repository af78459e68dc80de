/*
 * fd.c: the fd table, and the calls that work on any fd: read, write, readv,
 * writev, close, dup, dup2, fcntl, fstat, ioctl.
 *
 * The model is described in internal.h and README ("fd model"): an ipcx fd
 * is a CRT fd whose number indexes `table`, which points at the shared file
 * description.  The table is guarded by an SRW lock: lookups share it (and
 * take a reference on the description, so a close() in another thread never
 * frees what a call is using), fd creation and close take it exclusively so
 * a number the CRT hands out is never seen half-made.
 *
 * FD_CLOEXEC lives in the CRT slot's handle: a handle that is not
 * inheritable is close-on-exec.  Two fds from dup() have two slot handles.
 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>

/* msvcrt's fd table holds 2048 fds (_NHANDLE_), and _setmaxstdio() takes no
 * more: the real fd limit, RLIMIT_NOFILE's hard limit (resource.c). */
#define MAX_FDS IPCX__FD_MAX
#define IOV_LIMIT 1024

static SRWLOCK table_lock = SRWLOCK_INIT;
static struct ipcx__file **table;
static unsigned char *bits;     /* per fd: BIT_PLACEHOLDER, BIT_NOINHERIT */
static int table_size;

/*
 * The pool of socket slots (docs/sockets.md, "Connection cost").  An AF_UNIX
 * socket's CRT slot holds a NUL placeholder (unix.c), which costs 2
 * wineserver requests to make (the duplicate and _open_osfhandle's file-type
 * query) and one to close.  close() of such an fd keeps the slot: its number
 * is marked pooled (table[fd] == &pooled, which every lookup treats as a
 * closed fd: EBADF, POLLNVAL) and the next socket(), accept() or
 * socketpair() takes the lowest pooled number when no lower number is free
 * in the CRT (POSIX's lowest free fd; _get_osfhandle asks no request).
 * Every other way to a new fd through the CRT (open, dup, F_DUPFD, pipe,
 * FIFOs, SCM_RIGHTS, shm_open) drains the pool first, so the CRT gives the
 * number Linux gives; posix_spawn skips pooled numbers (ipcx__fd_pooled).
 * BIT_PLACEHOLDER marks an fd whose slot is a placeholder made for it (only
 * those are pooled); BIT_NOINHERIT mirrors its slot's inherit flag, so a
 * reuse asks SetHandleInformation only when the new socket's differs.
 */
#define POOL_MAX 16
#define BIT_PLACEHOLDER 1
#define BIT_NOINHERIT 2

static void pooled_destroy(struct ipcx__file *f)
{
  (void)f;
}

static const struct ipcx__ops pooled_ops = {
  .kind = IPCX__KIND_CRT,
  .destroy = pooled_destroy,
};

static struct ipcx__file pooled = { .ops = &pooled_ops, .refs = 1 };
static int pool[POOL_MAX];
static volatile LONG npool;
/* RLIMIT_NOFILE's soft limit: no new fd at or above it (resource.c sets it). */
static volatile LONG fd_limit = MAX_FDS;

/*
 * At start-up of every program linked with ipcx (this file is in all of
 * them: every call that makes or uses an fd is here): fds 0, 1 and 2 and
 * _fmode are binary, as Unix has no text mode.  A parent that is not ipcx (a
 * shell, cmd.exe's redirection) hands msvcrt std fds in text mode, where
 * read() stops at 0x1A and turns CR LF into LF and write() turns LF into
 * CR LF.  And stdio streams up to the fd limit: msvcrt allows 512 FILEs
 * unless told otherwise (fdopen() after ~509 streams failed).
 */
__attribute__((constructor)) static void fd_startup(void)
{
  int fd;

  _fmode = _O_BINARY;
  for (fd = 0; fd <= 2; fd++)
    if ((HANDLE)_get_osfhandle(fd) != INVALID_HANDLE_VALUE)
      _setmode(fd, _O_BINARY);
  _setmaxstdio(MAX_FDS);
}

struct ipcx__file *ipcx__file_new(const struct ipcx__ops *ops, HANDLE h, int flags)
{
  struct ipcx__file *f = calloc(1, sizeof *f);

  if (f == NULL)
    return NULL;
  f->ops = ops;
  f->refs = 1;
  f->flags = flags;
  f->h = h;
  InitializeCriticalSection(&f->lock);
  return f;
}

void ipcx__file_free(struct ipcx__file *f)
{
  DeleteCriticalSection(&f->lock);
  free(f);
}

void ipcx__file_ref(struct ipcx__file *f)
{
  InterlockedIncrement(&f->refs);
}

void ipcx__file_unref(struct ipcx__file *f)
{
  if (InterlockedDecrement(&f->refs) == 0)
    f->ops->destroy(f);
}

/* Make room for fd; called with the table locked exclusively. */
static int grow(int fd)
{
  struct ipcx__file **t;
  unsigned char *b;
  int size;

  if (fd < table_size)
    return 0;
  size = table_size ? table_size : 64;
  while (size <= fd)
    size *= 2;
  t = realloc(table, (size_t)size * sizeof *t);
  if (t == NULL)
    return -1;
  table = t;
  b = realloc(bits, (size_t)size);
  if (b == NULL)
    return -1;                  /* table is bigger, table_size is not: fine */
  bits = b;
  memset(t + table_size, 0, (size_t)(size - table_size) * sizeof *t);
  memset(b + table_size, 0, (size_t)(size - table_size));
  table_size = size;
  return 0;
}

/* Forget what was known of fd's slot (a new or closed fd); table locked. */
static void bits_clear(int fd)
{
  if (fd >= 0 && fd < table_size)
    bits[fd] = 0;
}

/* 1 if fd is a pooled number (a closed fd); table locked. */
static int is_pooled(int fd)
{
  return fd >= 0 && fd < table_size && table[fd] == &pooled;
}

int ipcx__fd_pooled(int fd)
{
  return is_pooled(fd);
}

/* Take pooled number fd out of the pool; table locked. */
static void unpool(int fd)
{
  int i;

  for (i = 0; i < (int)npool; i++)
    if (pool[i] == fd) {
      pool[i] = pool[--npool];
      break;
    }
  table[fd] = NULL;
}

/* Close every pooled slot, so that the CRT's next fd is the lowest free
 * number; table locked. */
static void drain(void)
{
  while (npool > 0) {
    int fd = pool[--npool];
    table[fd] = NULL;
    bits[fd] = 0;
    _close(fd);
  }
}

void ipcx__fd_pool_drain(void)
{
  if (npool == 0)
    return;
  AcquireSRWLockExclusive(&table_lock);
  drain();
  ReleaseSRWLockExclusive(&table_lock);
}

static HANDLE slot_handle(int fd)
{
  return (HANDLE)_get_osfhandle(fd);
}

int ipcx__fd_limit(void)
{
  return (int)fd_limit;
}

void ipcx__fd_set_limit(int limit)
{
  InterlockedExchange(&fd_limit, limit);
}

/* A new fd at or above the soft limit is EMFILE, as on Linux: close it. */
static int over_limit(int fd)
{
  return fd >= (int)fd_limit;
}

/* f in a new CRT fd holding slot; placeholder: slot is a socket's NUL
 * placeholder (the pool may keep it at close), else the pool is drained
 * first. */
static int install(struct ipcx__file *f, HANDLE slot, int cloexec, int placeholder)
{
  int fd, oflags;

  oflags = _O_BINARY | (cloexec ? _O_NOINHERIT : 0);
  oflags |= (f->flags & O_ACCMODE) == O_RDONLY ? _O_RDONLY : 0;
  AcquireSRWLockExclusive(&table_lock);
  if (!placeholder)
    drain();
  fd = _open_osfhandle((intptr_t)slot, oflags);
  if (fd < 0) {
    ReleaseSRWLockExclusive(&table_lock);
    CloseHandle(slot);
    return ipcx__fail(EMFILE);
  }
  if (over_limit(fd)) {
    ReleaseSRWLockExclusive(&table_lock);
    _close(fd);
    return ipcx__fail(EMFILE);
  }
  if (grow(fd) < 0) {
    ReleaseSRWLockExclusive(&table_lock);
    _close(fd);
    return ipcx__fail(ENOMEM);
  }
  table[fd] = f;
  bits[fd] = placeholder ? BIT_PLACEHOLDER | (cloexec ? BIT_NOINHERIT : 0) : 0;
  ReleaseSRWLockExclusive(&table_lock);
  return fd;
}

int ipcx__fd_install(struct ipcx__file *f, int cloexec)
{
  HANDLE dup;

  if (!DuplicateHandle(GetCurrentProcess(), f->h, GetCurrentProcess(), &dup, 0, !cloexec,
                       DUPLICATE_SAME_ACCESS))
    return ipcx__fail_win32(GetLastError());
  return install(f, dup, cloexec, 0);
}

int ipcx__fd_install_slot(struct ipcx__file *f, HANDLE slot, int cloexec)
{
  return install(f, slot, cloexec, 1);
}

int ipcx__fd_install_pooled(struct ipcx__file *f, int cloexec)
{
  int i, best = -1, fd, differs;

  if (npool == 0)
    return -1;
  AcquireSRWLockExclusive(&table_lock);
  for (i = 0; i < (int)npool; i++)
    if (pool[i] < ipcx__fd_limit() && (best < 0 || pool[i] < pool[best]))
      best = i;
  fd = best < 0 ? -1 : pool[best];
  for (i = 0; i < fd; i++)
    if (slot_handle(i) == INVALID_HANDLE_VALUE)
      fd = -1;                  /* a lower number is free: the CRT gives it */
  if (fd < 0) {
    ReleaseSRWLockExclusive(&table_lock);
    return -1;
  }
  pool[best] = pool[--npool];
  table[fd] = f;
  differs = !(bits[fd] & BIT_NOINHERIT) != !cloexec;
  bits[fd] = BIT_PLACEHOLDER | (cloexec ? BIT_NOINHERIT : 0);
  ReleaseSRWLockExclusive(&table_lock);
  if (differs)
    SetHandleInformation(slot_handle(fd), HANDLE_FLAG_INHERIT, cloexec ? 0 : HANDLE_FLAG_INHERIT);
  return fd;
}

/* fd's description with a reference, or NULL; *closed: fd is pooled. */
static struct ipcx__file *peek(int fd, int *closed)
{
  struct ipcx__file *f = NULL;

  *closed = 0;
  AcquireSRWLockShared(&table_lock);
  if (fd >= 0 && fd < table_size && (f = table[fd]) != NULL) {
    if (f == &pooled) {
      *closed = 1;
      f = NULL;
    } else {
      ipcx__file_ref(f);
    }
  }
  ReleaseSRWLockShared(&table_lock);
  return f;
}

struct ipcx__file *ipcx__fd_peek(int fd)
{
  int closed;

  return peek(fd, &closed);
}

void ipcx__fd_lock_shared(void)
{
  AcquireSRWLockShared(&table_lock);
}

void ipcx__fd_unlock_shared(void)
{
  ReleaseSRWLockShared(&table_lock);
}

/* The description every plain CRT fd without an entry shares (never freed). */
static void crt_shared_destroy(struct ipcx__file *f)
{
  (void)f;
}

static const struct ipcx__ops crt_shared_ops = {
  .kind = IPCX__KIND_CRT,
  .destroy = crt_shared_destroy,
};

static struct ipcx__file crt_shared = { .ops = &crt_shared_ops, .refs = 1 };

/* What a CRT slot ipcx did not fill holds: a pipe (1), perhaps a socket (2), else 0. */
static int handle_kind(HANDLE h)
{
  DWORD flags;

  /* Winsock sockets are FILE_TYPE_PIPE too; only real pipes answer this. */
  if (GetFileType(h) != FILE_TYPE_PIPE)
    return 0;
  return GetNamedPipeInfo(h, &flags, NULL, NULL, NULL) ? 1 : 2;
}

/*
 * The kinds that import a handle from another process, asked in this order:
 * an AF_UNIX socket's pipe is recognised by its name; any other pipe is a
 * pipe end.
 */
static const struct ipcx__ops *const importers[] = { &ipcx__unix_ops, &ipcx__pipe_ops };

/* A description for the pipe in a CRT slot that ipcx did not make (crt_handle
 * stays the slot's), or NULL/errno. */
static struct ipcx__file *import(HANDLE crt_handle)
{
  struct ipcx__file *f = NULL;
  HANDLE h;
  size_t i;
  int r = 0;

  if (!DuplicateHandle(GetCurrentProcess(), crt_handle, GetCurrentProcess(), &h, 0, FALSE,
                       DUPLICATE_SAME_ACCESS)) {
    errno = ENOMEM;
    return NULL;
  }
  for (i = 0; i < sizeof importers / sizeof importers[0] && r == 0; i++)
    r = importers[i]->import(h, &f);
  if (r <= 0) {
    CloseHandle(h);
    if (r == 0)
      errno = EBADF;
    return NULL;
  }
  return f;
}

struct ipcx__file *ipcx__fd_get(int fd)
{
  struct ipcx__file *f = NULL;
  HANDLE h;
  int kind, closed;

  if (fd < 0 || fd >= MAX_FDS) {
    errno = EBADF;
    return NULL;
  }
  f = peek(fd, &closed);
  if (f != NULL)
    return f;
  h = closed ? INVALID_HANDLE_VALUE : slot_handle(fd);
  if (h == INVALID_HANDLE_VALUE || h == NULL) {
    errno = EBADF;
    return NULL;
  }
  kind = handle_kind(h);
  if (kind == 0 || (kind == 2 && ipcx__ws_import(h, &f) <= 0)) {
    ipcx__file_ref(&crt_shared);
    return &crt_shared;
  }
  /* A pipe ipcx did not make here (inherited): import it, so it reads and
   * writes like ours.  An inherited Winsock socket: socket.c's import. */
  if (kind == 1)
    f = import(h);
  if (f == NULL)
    return NULL;
  AcquireSRWLockExclusive(&table_lock);
  if (slot_handle(fd) != h || grow(fd) < 0 || table[fd] != NULL) {
    struct ipcx__file *other = fd < table_size ? table[fd] : NULL;
    if (other != NULL)
      ipcx__file_ref(other);
    ReleaseSRWLockExclusive(&table_lock);
    ipcx__file_unref(f);
    if (other == NULL)
      errno = EBADF;
    return other;
  }
  table[fd] = f;
  bits[fd] = 0;
  ipcx__file_ref(f);
  ReleaseSRWLockExclusive(&table_lock);
  return f;
}

/* --- read and write ------------------------------------------------------ */

static int nonblocking(struct ipcx__file *f)
{
  return (f->flags & O_NONBLOCK) != 0;
}

static ssize_t crt_read(int fd, void *buf, size_t n)
{
  int r;

  if (n > INT_MAX)
    n = INT_MAX;
  r = _read(fd, buf, (unsigned)n);
  return r;
}

static ssize_t crt_write(int fd, const void *buf, size_t n)
{
  int r;

  if (n > INT_MAX)
    n = INT_MAX;
  r = _write(fd, buf, (unsigned)n);
  return r;
}

/* pread/pwrite's seek-write-seek back, and an O_APPEND write's seek, are one step. */
static SRWLOCK offset_lock = SRWLOCK_INIT;

/* O_APPEND on a regular file: every write at the end, as Linux (the CRT
 * appends only for files it opened with _O_APPEND; F_SETFL may add it). */
static ssize_t crt_append(int fd, const void *buf, size_t n)
{
  ssize_t r;

  AcquireSRWLockExclusive(&offset_lock);
  _lseeki64(fd, 0, SEEK_END);   /* a device has no end: written as it is */
  r = crt_write(fd, buf, n);
  ReleaseSRWLockExclusive(&offset_lock);
  return r;
}

/*
 * Can ipcx copy n bytes into (into = 1) or out of p?  Linux answers EFAULT for
 * a buffer it cannot copy; ipcx copies some bytes itself (a socket's
 * read-ahead, a bounce buffer, a pending write), where a bad pointer would
 * end the process.  IsBadWritePtr/IsBadReadPtr touch one byte per page under
 * a fault handler: a few nanoseconds, no system call (VirtualQuery costs
 * about 2 us under Wine).  A NULL buffer is the callers' own case.
 */
int ipcx__mem_ok(const void *p, size_t n, int into)
{
  if (n == 0 || p == NULL)
    return 1;
  if ((uintptr_t)p + n < (uintptr_t)p)
    return 0;
  return into ? !IsBadWritePtr((void *)p, n) : !IsBadReadPtr(p, n);
}

/*
 * read() into NULL: Linux copies nothing until there is something to copy,
 * so an empty nonblocking pipe or socket is EAGAIN, not EFAULT.  (A blocking
 * one is EFAULT at once here, where Linux would wait for data first.)
 */
static int null_buffer_errno(int fd, struct ipcx__file *f)
{
  struct ipcx_pollfd p = { fd, IPCX_POLLIN, 0 };

  if (nonblocking(f) && f->ops->poll != NULL && ipcx_poll(&p, 1, 0) == 0)
    return EAGAIN;
  return EFAULT;
}

ssize_t ipcx_read(int fd, void *buf, size_t n)
{
  struct ipcx__file *f = ipcx__fd_get(fd);
  ssize_t r;

  if (f == NULL)
    return -1;
  if (n > 0 && f->ops->kind != IPCX__KIND_CRT && (buf == NULL || !ipcx__mem_ok(buf, n, 1)))
    r = ipcx__fail(null_buffer_errno(fd, f));
  else if (!ipcx__mem_ok(buf, n, 1))
    r = ipcx__fail(EFAULT);
  else if (f->ops->read != NULL)
    r = f->ops->read(f, fd, buf, n, nonblocking(f));
  else if (f->ops->kind == IPCX__KIND_CRT)
    r = crt_read(fd, buf, n);
  else
    r = ipcx__fail(EINVAL);     /* Linux: read() on a listening socket */
  ipcx__file_unref(f);
  return r;
}

ssize_t ipcx_write(int fd, const void *buf, size_t n)
{
  struct ipcx__file *f = ipcx__fd_get(fd);
  ssize_t r;

  if (f == NULL)
    return -1;
  if (!ipcx__mem_ok(buf, n, 0))
    r = ipcx__fail(EFAULT);
  else if (f->ops->write != NULL)
    r = f->ops->write(f, fd, buf, n, nonblocking(f));
  else if (f->ops->kind == IPCX__KIND_CRT && (f->flags & O_APPEND))
    r = crt_append(fd, buf, n);
  else if (f->ops->kind == IPCX__KIND_CRT)
    r = crt_write(fd, buf, n);
  else
    r = ipcx__fail(ENOTCONN);
  ipcx__file_unref(f);
  return ipcx__sigpipe(r, 0);
}

/* Total length of an iovec array, or -1 with errno as Linux gives it
 * (into: the pieces are written to, readv). */
static ssize_t iov_total(const struct iovec *iov, int n, int into)
{
  size_t total = 0;
  int i;

  if (n < 0 || n > IOV_LIMIT)
    return ipcx__fail(EINVAL);
  if (n > 0 && iov == NULL)
    return ipcx__fail(EFAULT);
  /* Linux: a piece over SSIZE_MAX is EINVAL; a total past it is cut to
   * MAX_RW_COUNT and the copy then runs off the buffers: EFAULT. */
  for (i = 0; i < n; i++) {
    if (iov[i].iov_len > (size_t)SSIZE_MAX)
      return ipcx__fail(EINVAL);
    if (iov[i].iov_len > (size_t)SSIZE_MAX - total)
      return ipcx__fail(EFAULT);
    if (!ipcx__mem_ok(iov[i].iov_base, iov[i].iov_len, into))   /* NULL: the callers' case */
      return ipcx__fail(EFAULT);
    total += iov[i].iov_len;
  }
  return (ssize_t)total;
}

/*
 * readv/writev are one read or write (atomic for a pipe write of at most
 * PIPE_BUF bytes), through a bounce buffer when there is more than one piece.
 */
ssize_t ipcx_readv(int fd, const struct iovec *iov, int n)
{
  char stackbuf[4096], *buf;
  ssize_t total = iov_total(iov, n, 1), r;
  size_t off;
  int i;

  if (total < 0)
    return -1;
  for (i = 0; i < n && iov[i].iov_len == 0; i++)
    ;
  if (i == n)
    return ipcx_read(fd, NULL, 0);
  if (iov[i].iov_len == (size_t)total)
    return ipcx_read(fd, iov[i].iov_base, (size_t)total);
  buf = (size_t)total <= sizeof stackbuf ? stackbuf : malloc((size_t)total);
  if (buf == NULL)
    return ipcx__fail(ENOMEM);
  r = ipcx_read(fd, buf, (size_t)total);
  for (i = 0, off = 0; r > 0 && i < n && off < (size_t)r; i++) {
    size_t k = iov[i].iov_len < (size_t)r - off ? iov[i].iov_len : (size_t)r - off;
    memcpy(iov[i].iov_base, buf + off, k);
    off += k;
  }
  if (buf != stackbuf)
    free(buf);
  return r;
}

ssize_t ipcx_writev(int fd, const struct iovec *iov, int n)
{
  char stackbuf[4096], *buf;
  ssize_t total = iov_total(iov, n, 0), r;
  size_t off;
  int i;

  if (total < 0)
    return -1;
  for (i = 0; i < n && iov[i].iov_len == 0; i++)
    ;
  if (i == n)
    return ipcx_write(fd, NULL, 0);
  if (iov[i].iov_len == (size_t)total)
    return ipcx_write(fd, iov[i].iov_base, (size_t)total);
  buf = (size_t)total <= sizeof stackbuf ? stackbuf : malloc((size_t)total);
  if (buf == NULL)
    return ipcx__fail(ENOMEM);
  for (i = 0, off = 0; i < n; i++) {
    if (iov[i].iov_len > 0)
      memcpy(buf + off, iov[i].iov_base, iov[i].iov_len);
    off += iov[i].iov_len;
  }
  r = ipcx_write(fd, buf, (size_t)total);
  if (buf != stackbuf)
    free(buf);
  return r;
}

/* --- close, dup, dup2 ---------------------------------------------------- */

int ipcx_close(int fd)
{
  struct ipcx__file *f = NULL;
  int r;

  if (fd < 0 || fd >= MAX_FDS)
    return ipcx__fail(EBADF);
  AcquireSRWLockExclusive(&table_lock);
  if (is_pooled(fd)) {
    ReleaseSRWLockExclusive(&table_lock);
    return ipcx__fail(EBADF);
  }
  if (fd < table_size) {
    f = table[fd];
    table[fd] = NULL;
  }
  if (f != NULL && (bits[fd] & BIT_PLACEHOLDER) && npool < POOL_MAX) {
    table[fd] = &pooled;        /* the slot stays for the next socket */
    pool[npool++] = fd;
    r = 0;
  } else {
    bits_clear(fd);
    /* _close() of a number that is not open calls the CRT's invalid-parameter
     * handler (a log line under msvcrt, the end of the process under the
     * UCRT): check the slot first. */
    r = slot_handle(fd) == INVALID_HANDLE_VALUE ? -1 : _close(fd);
  }
  ReleaseSRWLockExclusive(&table_lock);
  ipcx__poll_fd_closed(fd);     /* wake threads polling fd (POLLNVAL, no hang) */
  if (f != NULL) {
    ipcx__file_unref(f);
    r = 0;
  }
  return r < 0 ? ipcx__fail(EBADF) : 0;
}

/*
 * A new fd for the description behind fd: the lowest free number >= minfd,
 * with FD_CLOEXEC as asked.  _dup() already gives the lowest free number;
 * for a higher minimum the first free slot from minfd is filled with _dup2().
 */
static int dup_at_least(int fd, int minfd, int cloexec)
{
  struct ipcx__file *f;
  int newfd;

  AcquireSRWLockExclusive(&table_lock);
  drain();
  f = fd < table_size ? table[fd] : NULL;
  if (minfd == 0) {
    newfd = _dup(fd);
    if (newfd >= 0 && over_limit(newfd)) {
      _close(newfd);
      newfd = -1;
    }
  } else {
    for (newfd = minfd; newfd < ipcx__fd_limit() && slot_handle(newfd) != INVALID_HANDLE_VALUE;
         newfd++)
      ;
    if (newfd >= ipcx__fd_limit() || _dup2(fd, newfd) < 0)
      newfd = -1;
  }
  if (newfd < 0) {
    ReleaseSRWLockExclusive(&table_lock);
    return ipcx__fail(EMFILE);
  }
  bits_clear(newfd);
  if (f != NULL) {
    if (grow(newfd) < 0) {
      _close(newfd);
      ReleaseSRWLockExclusive(&table_lock);
      return ipcx__fail(ENOMEM);
    }
    table[newfd] = f;
    ipcx__file_ref(f);
  }
  ReleaseSRWLockExclusive(&table_lock);
  SetHandleInformation(slot_handle(newfd), HANDLE_FLAG_INHERIT, cloexec ? 0 : HANDLE_FLAG_INHERIT);
  return newfd;
}

/* fd is not open: no CRT slot, or a pooled one.  (The table lock is not
 * held: a close() in another thread at the same time may go either way.) */
static int bad_fd(int fd)
{
  int closed;

  if (fd < 0 || fd >= MAX_FDS || slot_handle(fd) == INVALID_HANDLE_VALUE)
    return 1;
  AcquireSRWLockShared(&table_lock);
  closed = is_pooled(fd);
  ReleaseSRWLockShared(&table_lock);
  return closed;
}

int ipcx_dup(int fd)
{
  if (bad_fd(fd))
    return ipcx__fail(EBADF);
  return dup_at_least(fd, 0, 0);
}

int ipcx_dup2(int fd, int fd2)
{
  struct ipcx__file *f, *old = NULL;

  if (bad_fd(fd))
    return ipcx__fail(EBADF);
  if (fd2 < 0 || fd2 >= ipcx__fd_limit())
    return ipcx__fail(EBADF);         /* Linux: at or above RLIMIT_NOFILE too */
  if (fd == fd2)
    return fd2;
  AcquireSRWLockExclusive(&table_lock);
  if (grow(fd2) < 0 || (fd < table_size ? 0 : grow(fd)) < 0) {
    ReleaseSRWLockExclusive(&table_lock);
    return ipcx__fail(ENOMEM);
  }
  f = table[fd];
  if (f == &pooled) {
    ReleaseSRWLockExclusive(&table_lock);
    return ipcx__fail(EBADF);   /* closed in another thread since */
  }
  if (_dup2(fd, fd2) < 0) {
    ReleaseSRWLockExclusive(&table_lock);
    return ipcx__fail(errno == EMFILE ? EMFILE : EBADF);
  }
  if (is_pooled(fd2))
    unpool(fd2);                /* _dup2 closed its placeholder */
  bits_clear(fd2);
  old = table[fd2];
  table[fd2] = f;
  if (f != NULL)
    ipcx__file_ref(f);
  ReleaseSRWLockExclusive(&table_lock);
  if (old != NULL)
    ipcx__file_unref(old);
  SetHandleInformation(slot_handle(fd2), HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
  return fd2;
}

int ipcx_dup3(int fd, int fd2, int flags)
{
  if (flags & ~O_CLOEXEC)
    return ipcx__fail(EINVAL);
  if (fd == fd2)
    return ipcx__fail(EINVAL);        /* Linux checks this first, even for a bad fd */
  if (ipcx_dup2(fd, fd2) < 0)
    return -1;
  if (flags & O_CLOEXEC)
    SetHandleInformation(slot_handle(fd2), HANDLE_FLAG_INHERIT, 0);
  return fd2;
}

/* --- fcntl ------------------------------------------------------------- */

/* A description of its own for a plain CRT fd, so it can hold O_NONBLOCK. */
static struct ipcx__file *own_description(int fd, struct ipcx__file *f)
{
  struct ipcx__file *mine;

  if (f != &crt_shared)
    return f;
  mine = ipcx__file_new(&ipcx__crt_ops, NULL, ipcx__handle_access(slot_handle(fd)));
  if (mine == NULL)
    return NULL;
  AcquireSRWLockExclusive(&table_lock);
  if (grow(fd) < 0 || table[fd] != NULL) {
    ReleaseSRWLockExclusive(&table_lock);
    ipcx__file_free(mine);
    return NULL;
  }
  table[fd] = mine;
  bits[fd] = 0;
  ipcx__file_ref(mine);
  ReleaseSRWLockExclusive(&table_lock);
  return mine;
}

static int getfl(int fd, struct ipcx__file *f)
{
  if (f == &crt_shared)
    return ipcx__handle_access(slot_handle(fd));
  return (int)f->flags;
}

static int setfl(int fd, struct ipcx__file *f, int flags)
{
  struct ipcx__file *mine = own_description(fd, f);
  LONG old, neu;

  if (mine == NULL)
    return ipcx__fail(ENOMEM);
  do {
    old = mine->flags;
    neu = (old & ~(O_NONBLOCK | O_APPEND)) | (flags & (O_NONBLOCK | O_APPEND));
  } while (InterlockedCompareExchange(&mine->flags, neu, old) != old);
  if (((old ^ neu) & O_NONBLOCK) && mine->ops->set_nonblock != NULL &&
      mine->ops->set_nonblock(mine, (neu & O_NONBLOCK) != 0) < 0)
    return -1;
  if (mine != f)
    ipcx__file_unref(mine);
  return 0;
}

int ipcx_fcntl(int fd, int cmd, ...)
{
  struct ipcx__file *f;
  DWORD info;
  va_list ap;
  intptr_t arg;
  int r;

  va_start(ap, cmd);
  arg = (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC || cmd == F_SETFD || cmd == F_SETFL)
          ? (intptr_t)va_arg(ap, int) : 0;
  va_end(ap);
  f = ipcx__fd_get(fd);
  if (f == NULL)
    return -1;
  switch (cmd) {
  case F_DUPFD:
  case F_DUPFD_CLOEXEC:
    r = arg < 0 || arg >= ipcx__fd_limit() ? ipcx__fail(EINVAL)
                                  : dup_at_least(fd, (int)arg, cmd == F_DUPFD_CLOEXEC);
    break;
  case F_GETFD:
    r = GetHandleInformation(slot_handle(fd), &info) ?
          ((info & HANDLE_FLAG_INHERIT) ? 0 : FD_CLOEXEC) : ipcx__fail(EBADF);
    break;
  case F_SETFD:
    AcquireSRWLockExclusive(&table_lock);
    r = SetHandleInformation(slot_handle(fd), HANDLE_FLAG_INHERIT,
                             (arg & FD_CLOEXEC) ? 0 : HANDLE_FLAG_INHERIT) ? 0 : ipcx__fail(EBADF);
    if (r == 0 && fd < table_size && (bits[fd] & BIT_PLACEHOLDER))
      bits[fd] = BIT_PLACEHOLDER | ((arg & FD_CLOEXEC) ? BIT_NOINHERIT : 0);
    ReleaseSRWLockExclusive(&table_lock);
    break;
  case F_GETFL:
    r = getfl(fd, f);
    break;
  case F_SETFL:
    r = setfl(fd, f, (int)arg);
    break;
  default:
    r = ipcx__fail(EINVAL);
    break;
  }
  ipcx__file_unref(f);
  return r;
}

/* --- pread, pwrite ------------------------------------------------------ */

/*
 * At an offset, leaving the file offset where it was.  The CRT has no
 * pread: the offset is saved, moved and put back around one _read/_write,
 * under a lock of its own, so concurrent pread/pwrite calls do not see each
 * other's moves (a plain read() on another thread could: docs/porting-gaps.md).
 * Pipes, FIFOs and sockets have no offset: ESPIPE, as on Linux.
 */
static ssize_t at_offset(int fd, void *buf, size_t n, long long off, int writing)
{
  struct stat st;
  long long pos;
  ssize_t r;

  if (ipcx_fstat(fd, &st) < 0)
    return -1;
  if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
    return ipcx__fail(ESPIPE);
  if (off < 0)
    return ipcx__fail(EINVAL);
  if (n > 0 && buf == NULL)
    return ipcx__fail(EFAULT);
  AcquireSRWLockExclusive(&offset_lock);
  pos = _lseeki64(fd, 0, SEEK_CUR);
  if (pos < 0 || _lseeki64(fd, off, SEEK_SET) < 0) {
    ReleaseSRWLockExclusive(&offset_lock);
    return ipcx__fail(ESPIPE);
  }
  r = writing ? crt_write(fd, buf, n) : crt_read(fd, buf, n);
  _lseeki64(fd, pos, SEEK_SET);
  ReleaseSRWLockExclusive(&offset_lock);
  return r;
}

ssize_t ipcx_pread(int fd, void *buf, size_t n, long long off)
{
  return at_offset(fd, buf, n, off, 0);
}

ssize_t ipcx_pwrite(int fd, const void *buf, size_t n, long long off)
{
  return at_offset(fd, (void *)buf, n, off, 1);
}

/* --- fstat, ioctl ------------------------------------------------------ */

int ipcx_fstat(int fd, struct stat *st)
{
  struct ipcx__file *f;
  int r;

  f = ipcx__fd_get(fd);
  if (f == NULL)
    return -1;                  /* EBADF before EFAULT, as Linux */
  if (st == NULL) {
    ipcx__file_unref(f);
    return ipcx__fail(EFAULT);
  }
  r = f->ops->fstat != NULL ? f->ops->fstat(f, fd, st) : fstat(fd, st);
  ipcx__file_unref(f);
  return r;
}

void *ipcx_get_osfhandle(int fd)
{
  struct ipcx__file *f = ipcx__fd_get(fd);
  HANDLE h;

  if (f == NULL)
    return INVALID_HANDLE_VALUE;
  h = f->h != NULL ? f->h : slot_handle(fd);
  ipcx__file_unref(f);
  return h;
}

/* lseek() and isatty() answer for pipes, FIFOs and sockets as Linux does (the
 * CRT would see a socket's placeholder slot, the NUL device, as a terminal). */
long long ipcx_lseek64(int fd, long long off, int whence)
{
  struct stat st;

  if (ipcx_fstat(fd, &st) < 0)
    return -1;
  if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
    return ipcx__fail(ESPIPE);
  if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END)
    return ipcx__fail(EINVAL);
  return _lseeki64(fd, off, whence);
}

/* A terminal is a console: the CRT's _isatty() says yes to every character
 * device, NUL included (Linux: isatty("/dev/null") is 0, ENOTTY). */
static int is_console(int fd)
{
  HANDLE h = slot_handle(fd);
  DWORD mode;

  return GetFileType(h) == FILE_TYPE_CHAR && GetConsoleMode(h, &mode);
}

int ipcx_isatty(int fd)
{
  struct stat st;

  if (ipcx_fstat(fd, &st) < 0)
    return 0;                   /* errno EBADF */
  if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || !is_console(fd)) {
    errno = ENOTTY;
    return 0;
  }
  return 1;
}

/* FIONREAD on a regular file, as Linux: the size minus the offset. */
static int file_nread(int fd, int *n)
{
  struct stat st;
  long long pos, size;

  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
    return ipcx__fail(ENOTTY);
  pos = _telli64(fd);
  size = _filelengthi64(fd);
  if (pos < 0 || size < 0)
    return ipcx__fail(EBADF);
  *n = (int)(size - pos);       /* Linux: negative past the end, as an int */
  return 0;
}

int ipcx_ioctl(int fd, unsigned long request, ...)
{
  struct ipcx__file *f;
  va_list ap;
  void *arg;
  int r;

  va_start(ap, request);
  arg = va_arg(ap, void *);
  va_end(ap);
  f = ipcx__fd_get(fd);
  if (f == NULL)
    return -1;
  if (request == (unsigned long)FIONBIO) {
    r = arg == NULL ? ipcx__fail(EFAULT) : setfl(fd, f, (getfl(fd, f) & ~O_NONBLOCK) |
                                                       (*(int *)arg ? O_NONBLOCK : 0));
  } else if (request == (unsigned long)FIONREAD && f->ops->nread != NULL) {
    r = arg == NULL ? ipcx__fail(EFAULT) : f->ops->nread(f, (int *)arg);
  } else if (request == (unsigned long)FIONREAD && f->ops->kind == IPCX__KIND_CRT) {
    r = arg == NULL ? ipcx__fail(EFAULT) : file_nread(fd, (int *)arg);
  } else {
    r = ipcx__fail(ENOTTY);
  }
  ipcx__file_unref(f);
  return r;
}

/*
 * SCM_RIGHTS (scm.c): fd's description for process `to`.  *h: a private
 * duplicate of its CRT slot's handle, prepared by the kind's export_to (as
 * posix_spawn does); *flags: its status flags.  A Winsock socket cannot
 * travel as a handle: *h is NULL, IPCX__FD_WINSOCK is in *flags and *ws
 * holds its WSADuplicateSocket for `to`.  0 or an errno value (EOPNOTSUPP
 * for a message queue).
 */
int ipcx__fd_export(int fd, DWORD to, HANDLE *h, int *flags, WSAPROTOCOL_INFOW *ws)
{
  struct ipcx__file *f = ipcx__fd_get(fd);
  int err = 0;

  if (f == NULL)
    return EBADF;
  *h = NULL;
  *flags = getfl(fd, f);
  if (f->ops->kind == IPCX__KIND_MQUEUE) {
    err = EOPNOTSUPP;
  } else if (f->ops->kind == IPCX__KIND_WINSOCK) {
    *flags |= IPCX__FD_WINSOCK;
    err = ipcx__ws_export(f, to, ws);
  } else if (!DuplicateHandle(GetCurrentProcess(), slot_handle(fd), GetCurrentProcess(), h, 0,
                              FALSE, DUPLICATE_SAME_ACCESS)) {
    err = ipcx__errno_from_win32(GetLastError());
  } else if (f->ops->export_to != NULL && (err = f->ops->export_to(f, h)) != 0) {
    CloseHandle(*h);
    *h = NULL;
  }
  ipcx__file_unref(f);
  return err;
}

/*
 * SCM_RIGHTS: a new fd for handle h from another process (consumed, even on
 * failure), or for the Winsock socket ws (IPCX__FD_WINSOCK in flags), with
 * the sender's status flags.  The kind's import makes the description on
 * first use, as for an inherited handle.  The fd or -1/errno (EMFILE).
 */
int ipcx__fd_adopt(HANDLE h, const WSAPROTOCOL_INFOW *ws, int flags, int cloexec)
{
  struct ipcx__file *f;
  int fd, oflags = _O_BINARY | (cloexec ? _O_NOINHERIT : 0);

  if (flags & IPCX__FD_WINSOCK)
    return ipcx__ws_adopt(ws, flags, cloexec);
  oflags |= (flags & O_ACCMODE) == O_RDONLY ? _O_RDONLY : 0;
  oflags |= (flags & O_APPEND) ? _O_APPEND : 0;
  SetHandleInformation(h, HANDLE_FLAG_INHERIT, cloexec ? 0 : HANDLE_FLAG_INHERIT);
  AcquireSRWLockExclusive(&table_lock);
  drain();
  fd = _open_osfhandle((intptr_t)h, oflags);
  if (fd < 0) {
    ReleaseSRWLockExclusive(&table_lock);
    CloseHandle(h);
    return ipcx__fail(EMFILE);
  }
  if (over_limit(fd)) {
    ReleaseSRWLockExclusive(&table_lock);
    _close(fd);
    return ipcx__fail(EMFILE);
  }
  bits_clear(fd);
  ReleaseSRWLockExclusive(&table_lock);
  /* The kind's import now, not at the fd's first use: a listener that
   * arrives must hold its "alive" event before anyone connects to it
   * (unix_listener.c; the sender may have closed its own copy already). */
  if ((f = ipcx__fd_get(fd)) != NULL)
    ipcx__file_unref(f);
  if ((flags & (O_NONBLOCK | O_APPEND)) != 0)
    ipcx_fcntl(fd, F_SETFL, flags & (O_NONBLOCK | O_APPEND));
  return fd;
}

/*
 * At start-up of a posix_spawn child whose fds include one that must be
 * imported before main() (spawn.c: IPCX_IMPORT=fd:handle,...; the kinds that
 * ask are those with an export_keep, a shared listener): each such fd is
 * imported now, then the handle the parent gave the child to keep the object
 * alive until then is closed.  Without the variable (every other program):
 * nothing, no request.  The variable is taken out, as IPCX_SIGSTATE is.
 */
__attribute__((constructor)) static void import_at_start(void)
{
  const char *v = getenv(IPCX__IMPORT);
  struct ipcx__file *f;
  char *list, *p, *end;
  unsigned long long keep;
  long fd;
  int pass;

  if (v == NULL || (list = _strdup(v)) == NULL)
    return;
  _putenv(IPCX__IMPORT "=");
  for (pass = 0; pass < 2; pass++) {
    for (p = list; *p != 0; p = *end == ',' ? end + 1 : end) {
      fd = strtol(p, &end, 10);
      if (end == p || *end != ':')
        break;
      p = end + 1;
      keep = strtoull(p, &end, 16);
      if (end == p || (*end != ',' && *end != 0))
        break;
      if (pass == 0 && fd >= 0 && fd < MAX_FDS && (f = ipcx__fd_get((int)fd)) != NULL)
        ipcx__file_unref(f);
      if (pass == 1)
        CloseHandle((HANDLE)(uintptr_t)keep);
    }
  }
  free(list);
}
