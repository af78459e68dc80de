/*
 * pipe.c: pipe() and pipe2() over named pipes.
 *
 * A pipe is one named-pipe instance and its client, both overlapped, so that
 * reads and writes can wait, time out, be cancelled and (for poll()) be
 * watched with zero-byte reads, which anonymous pipes cannot do.
 *
 *   read end   the server instance, created with a fresh unguessable name
 *              (\\.\pipe\ipcx-<pid>-<random>), one instance only: a squatter
 *              that grabs the name first makes our CreateFile fail with
 *              ERROR_PIPE_BUSY, and we try another name.  Wine 8 ignores
 *              FILE_FLAG_FIRST_PIPE_INSTANCE, so nMaxInstances=1 is the guard.
 *   write end  the client, opened with SECURITY_IDENTIFICATION so the server
 *              side could not impersonate us.
 *
 * Both ends are duplex at the Win32 level (a writer may post a zero-byte read
 * to learn that the reader has gone); POSIX direction is enforced by the file
 * status flags: write() on the read end is EBADF, as on Linux.  The buffer is
 * 64 KiB, Linux's pipe capacity.
 *
 * Win32 codes: a read after the writer closed gets ERROR_BROKEN_PIPE (EOF);
 * a write after the reader closed gets ERROR_NO_DATA or ERROR_BROKEN_PIPE
 * (EPIPE).  There is no SIGPIPE on Windows.
 */
#define _CRT_RAND_S
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

#define PIPE_CAPACITY 65536

void ipcx__random_hex(char hex[33])
{
  unsigned int r;
  int i;

  for (i = 0; i < 4; i++) {
    if (rand_s(&r) != 0)
      r = (unsigned int)GetTickCount() * 2654435761u ^ (unsigned int)GetCurrentProcessId() ^
          (unsigned int)i;
    snprintf(hex + 8 * i, 9, "%08x", r);
  }
}

void ipcx__pipe_name(char *name, size_t size, const char *tag)
{
  char hex[33];

  ipcx__random_hex(hex);
  snprintf(name, size, "\\\\.\\pipe\\ipcx-%s-%lu-%s", tag, (unsigned long)GetCurrentProcessId(),
           hex);
}

/*
 * A listening message-mode instance of name, with ConnectNamedPipe pending on
 * ov (the caller's hEvent is kept; the rest is reset).  *connected is 1 when
 * a client came before the call: ov then says nothing (Wine leaves it
 * pending), so the caller must go by the flag; ov's event is set for it.
 * Returns the handle, or NULL with the Win32 error in *err.
 */
HANDLE ipcx__pipe_listen(const char *name, int first, DWORD outbuf, DWORD inbuf,
                         SECURITY_ATTRIBUTES *sa, OVERLAPPED *ov, int *connected, DWORD *err)
{
  HANDLE h = CreateNamedPipeA(name,
                              PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED |
                                (first ? FILE_FLAG_FIRST_PIPE_INSTANCE : 0),
                              PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT |
                                PIPE_REJECT_REMOTE_CLIENTS,
                              PIPE_UNLIMITED_INSTANCES, outbuf, inbuf, 0, sa);

  *connected = 0;
  if (h == INVALID_HANDLE_VALUE) {
    *err = GetLastError();
    return NULL;
  }
  ov->Internal = ov->InternalHigh = 0;
  ov->Offset = ov->OffsetHigh = 0;
  if (ConnectNamedPipe(h, ov)) {
    *connected = 1;
  } else {
    *err = GetLastError();
    if (*err == ERROR_PIPE_CONNECTED || *err == ERROR_NO_DATA) {
      *connected = 1;           /* came before we asked (and maybe went: data stays) */
    } else if (*err != ERROR_IO_PENDING) {
      CloseHandle(h);
      return NULL;
    }
  }
  if (*connected)
    SetEvent(ov->hEvent);
  *err = ERROR_SUCCESS;
  return h;
}

DWORD ipcx__pipe_pair(HANDLE *server, HANDLE *client, DWORD bufsize, DWORD type)
{
  return ipcx__pipe_pair_open(server, client, bufsize, type, GENERIC_READ | GENERIC_WRITE,
                              FILE_FLAG_OVERLAPPED, "p");
}

DWORD ipcx__pipe_pair_open(HANDLE *server, HANDLE *client, DWORD bufsize, DWORD type,
                           DWORD client_access, DWORD client_flags, const char *tag)
{
  char name[128];
  HANDLE s, c;
  OVERLAPPED ov;
  DWORD err, n;
  int tries;

  for (tries = 0; tries < 16; tries++) {
    ipcx__pipe_name(name, sizeof name, tag);
    s = CreateNamedPipeA(name,
                         PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
                         type | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
                         1, bufsize, bufsize, 0, NULL);
    if (s == INVALID_HANDLE_VALUE) {
      err = GetLastError();
      if (err == ERROR_ACCESS_DENIED || err == ERROR_PIPE_BUSY)
        continue;               /* the name is taken: draw another */
      return err;
    }
    c = CreateFileA(name, client_access, 0, NULL, OPEN_EXISTING,
                    client_flags | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, NULL);
    if (c == INVALID_HANDLE_VALUE) {
      err = GetLastError();
      CloseHandle(s);
      if (err == ERROR_PIPE_BUSY)
        continue;               /* somebody else connected first */
      return err;
    }
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ipcx__thread_event();
    if (!ConnectNamedPipe(s, &ov)) {
      err = GetLastError();
      if (err == ERROR_IO_PENDING && !GetOverlappedResult(s, &ov, &n, TRUE))
        err = GetLastError();
      if (err != ERROR_PIPE_CONNECTED && err != ERROR_IO_PENDING) {
        CloseHandle(c);
        CloseHandle(s);
        return err;
      }
    }
    *server = s;
    *client = c;
    return ERROR_SUCCESS;
  }
  return ERROR_PIPE_BUSY;
}

/*
 * What the two ends of one pipe() share in this process, for FIONREAD on the
 * write end: Linux counts the bytes queued in the pipe, and a Windows pipe
 * end sees only its own inbound queue (WriteQuotaAvailable, which would tell,
 * is always 0 under Wine).  The write end asks the read end, while that is
 * alive in this process; its destroy unlinks it before closing the handle.
 * Ends inherited from elsewhere have no link (docs/porting-gaps.md).
 */
struct link {
  SRWLOCK lock;
  volatile LONG refs;
  struct ipcx__file *reader;    /* guarded by lock; NULL once it is gone */
};

#define SYNC_MARK ((void *)1)   /* f->impl of an adopted synchronous handle */

static struct link *link_of(struct ipcx__file *f)
{
  return f->impl != NULL && f->impl != SYNC_MARK ? f->impl : NULL;
}

static void link_drop(struct ipcx__file *f)
{
  struct link *l = link_of(f);

  if (l == NULL)
    return;
  AcquireSRWLockExclusive(&l->lock);
  if (l->reader == f)
    l->reader = NULL;
  ReleaseSRWLockExclusive(&l->lock);
  if (InterlockedDecrement(&l->refs) == 0)
    free(l);
  f->impl = NULL;
}

/* FIONREAD: the bytes queued; on a write end, those its reader (in this
 * process) has not taken yet. */
static int pipe_nread(struct ipcx__file *f, int *n)
{
  struct link *l = link_of(f);
  HANDLE h = f->h;
  DWORD avail;
  int r;

  if (l != NULL)
    AcquireSRWLockShared(&l->lock);
  if (l != NULL && (f->flags & O_ACCMODE) == O_WRONLY && l->reader != NULL)
    h = l->reader->h;
  if (PeekNamedPipe(h, NULL, 0, NULL, &avail, NULL))
    r = (*n = (int)avail, 0);
  else if (GetLastError() == ERROR_BROKEN_PIPE)
    r = (*n = 0, 0);
  else
    r = ipcx__fail(EINVAL);
  if (l != NULL)
    ReleaseSRWLockShared(&l->lock);
  return r;
}

/* Make the two ends as file descriptions; on failure nothing is left behind. */
static int make_pair(int fds[2], int flags)
{
  struct ipcx__file *r, *w;
  HANDLE s, c;
  DWORD err;
  int nb = flags & O_NONBLOCK;
  int cloexec = (flags & O_CLOEXEC) != 0;

  err = ipcx__pipe_pair(&s, &c, PIPE_CAPACITY, PIPE_TYPE_BYTE | PIPE_READMODE_BYTE);
  if (err != ERROR_SUCCESS)
    return ipcx__fail_win32(err);
  struct link *l = calloc(1, sizeof *l);

  r = ipcx__file_new(&ipcx__pipe_ops, s, O_RDONLY | nb);
  w = ipcx__file_new(&ipcx__pipe_ops, c, O_WRONLY | nb);
  if (l != NULL && r != NULL && w != NULL) {
    InitializeSRWLock(&l->lock);
    l->refs = 2;
    l->reader = r;
    r->impl = w->impl = l;
  }
  if (r == NULL || w == NULL || l == NULL) {
    free(l);
    if (r != NULL)
      ipcx__file_unref(r);
    else
      CloseHandle(s);
    if (w != NULL)
      ipcx__file_unref(w);
    else
      CloseHandle(c);
    return ipcx__fail(ENOMEM);
  }
  fds[0] = ipcx__fd_install(r, cloexec);
  if (fds[0] < 0) {
    ipcx__file_unref(r);
    ipcx__file_unref(w);
    return -1;
  }
  fds[1] = ipcx__fd_install(w, cloexec);
  if (fds[1] < 0) {
    int e = errno;
    ipcx_close(fds[0]);
    ipcx__file_unref(w);
    return ipcx__fail(e);
  }
  return 0;
}

int ipcx_pipe2(int fds[2], int flags)
{
  if (fds == NULL)
    return ipcx__fail(EFAULT);
  if (flags & ~(O_CLOEXEC | O_NONBLOCK))
    return ipcx__fail(EINVAL);
  return make_pair(fds, flags);
}

int ipcx_pipe(int fds[2])
{
  return ipcx_pipe2(fds, 0);
}

/* --- the pipe end as a file description -------------------------------- */

/* Handles adopted from elsewhere may be synchronous: no cancel, peek instead. */
static int is_synchronous(struct ipcx__file *f)
{
  return f->impl == SYNC_MARK;
}

static ssize_t pipe_read(struct ipcx__file *f, int fd, void *buf, size_t n, int nonblock)
{
  DWORD got, avail, err;

  (void)fd;
  if ((f->flags & O_ACCMODE) == O_WRONLY)
    return ipcx__fail(EBADF);
  if (n == 0)
    return 0;                   /* a zero-byte ReadFile would wait for data */
  if (buf == NULL)
    return ipcx__fail(EFAULT);
  if (n > 0x7ffff000)
    n = 0x7ffff000;
  if (nonblock && is_synchronous(f)) {
    if (!PeekNamedPipe(f->h, NULL, 0, NULL, &avail, NULL)) {
      err = GetLastError();
      if (err == ERROR_BROKEN_PIPE || err == ERROR_PIPE_NOT_CONNECTED)
        return 0;
      return ipcx__fail(ipcx__errno_read(err));
    }
    if (avail == 0)
      return ipcx__fail(EAGAIN);
    if (n > avail)
      n = avail;
  }
  err = ipcx__io_read(f->h, buf, (DWORD)n, &got, nonblock ? 0 : INFINITE);
  if (err == ERROR_SUCCESS)
    return (ssize_t)got;
  if (err == ERROR_BROKEN_PIPE || err == ERROR_PIPE_NOT_CONNECTED || err == ERROR_HANDLE_EOF)
    return 0;                   /* every writer has gone: EOF */
  SetLastError(err);
  return ipcx__fail(ipcx__errno_read(err));
}

static ssize_t pipe_write(struct ipcx__file *f, int fd, const void *buf, size_t n, int nonblock)
{
  const char *p = buf;
  size_t done = 0;
  DWORD put, err;

  (void)fd;
  if ((f->flags & O_ACCMODE) == O_RDONLY)
    return ipcx__fail(EBADF);
  if (n == 0)
    return 0;
  if (buf == NULL)
    return ipcx__fail(EFAULT);
  if (nonblock && !is_synchronous(f))
    return ipcx__io_write_nonblock(f, buf, n, PIPE_CAPACITY);
  /* Keep the order of earlier nonblocking writes: wait for the pending one
   * (interruptible: the pipe is full), then collect it. */
  while (f->pw.active &&
         ipcx__wait1(f->pw.ov.hEvent, INFINITE, IPCX__WAIT_INTR) == IPCX__WAIT_INTERRUPTED)
    if (!ipcx__wait_restart())
      return ipcx__fail(EINTR);
  err = ipcx__io_drain(f);
  while (err == ERROR_SUCCESS && done < n) {
    size_t chunk = n - done;
    if (chunk > 0x40000000)
      chunk = 0x40000000;
    err = ipcx__io_write(f->h, p + done, (DWORD)chunk, &put, INFINITE);
    done += put;
  }
  if (done > 0)
    return (ssize_t)done;
  SetLastError(err);
  return ipcx__fail(ipcx__errno_write(err));
}

static void pipe_destroy(struct ipcx__file *f)
{
  link_drop(f);
  ipcx__io_close_lingering(f);
}

/* --- readiness (poll.c) --------------------------------------------------- */

/* FilePipeLocalInformation: bytes waiting and whether the peer has gone, in one request. */
typedef struct {
  ULONG NamedPipeType, NamedPipeConfiguration, MaximumInstances, CurrentInstances;
  ULONG InboundQuota, ReadDataAvailable, OutboundQuota, WriteQuotaAvailable;
  ULONG NamedPipeState, NamedPipeEnd;
} PIPE_LOCAL_INFO;

#define FILE_PIPE_LOCAL_INFORMATION 24
#define FILE_PIPE_CONNECTED_STATE 3
#define FILE_PIPE_CLOSING_STATE 4

int ipcx__pipe_gone_error(DWORD err)
{
  return err == ERROR_BROKEN_PIPE || err == ERROR_PIPE_NOT_CONNECTED || err == ERROR_NO_DATA ||
         err == ERROR_HANDLE_EOF;
}

static int query_info_ok(HANDLE h, PIPE_LOCAL_INFO *pi);

int ipcx__pipe_queued(HANDLE h, DWORD *avail)
{
  PIPE_LOCAL_INFO pi;

  if (!query_info_ok(h, &pi))
    return -1;
  *avail = pi.ReadDataAvailable;
  return pi.NamedPipeState == FILE_PIPE_CONNECTED_STATE;
}

/* Bytes waiting in h: 1 some (hup: the peer has gone too), 0 none, -1 peer gone. */
int ipcx__pipe_bytes_waiting(HANDLE h, int *hup)
{
  PIPE_LOCAL_INFO pi;
  DWORD avail;

  if (query_info_ok(h, &pi)) {
    *hup = pi.NamedPipeState == FILE_PIPE_CLOSING_STATE;
    if (pi.ReadDataAvailable > 0)
      return 1;
    return *hup ? -1 : 0;
  }
  if (!PeekNamedPipe(h, NULL, 0, NULL, &avail, NULL))
    return ipcx__pipe_gone_error(GetLastError()) ? -1 : 0;
  return avail > 0;
}

/* A synchronous adopted handle cannot keep a read pending: peek only. */
static short sync_poll(struct ipcx__file *f, short events, int *nwait)
{
  int acc = f->flags & O_ACCMODE, hup = 0;
  int r = ipcx__pipe_bytes_waiting(f->h, &hup);
  short rev = 0;

  if (acc != O_WRONLY) {
    rev |= r > 0 ? IPCX_POLLIN : 0;
    rev |= r < 0 || hup ? IPCX_POLLHUP : 0;
  }
  if (acc != O_RDONLY)
    rev |= r < 0 ? IPCX_POLLERR : IPCX_POLLOUT;
  rev &= (short)(events | IPCX_POLLHUP | IPCX_POLLERR);
  *nwait = 0;
  return rev;
}

/*
 * Read end: POLLIN when bytes wait, POLLHUP once every writer has gone (with
 * POLLIN while bytes remain), as Linux.  Write end: POLLOUT when no
 * nonblocking write is still pending (WriteQuotaAvailable is useless: always
 * 0 on Wine), POLLERR once the reader has gone, which the write end learns
 * from its own pending zero-byte read failing with ERROR_BROKEN_PIPE.
 */
static short pipe_poll(struct ipcx__file *f, short events, HANDLE wait[2], int *nwait)
{
  int acc = f->flags & O_ACCMODE, hup = 0, z;
  short rev = 0;

  *nwait = 0;
  if (is_synchronous(f))
    return sync_poll(f, events, nwait);
  EnterCriticalSection(&f->lock);
  z = ipcx__pipe_zero_read(f, &hup);
  if (acc != O_WRONLY) {
    rev |= z > 0 ? IPCX_POLLIN : 0;
    rev |= hup ? IPCX_POLLHUP : 0;
  }
  if (acc != O_RDONLY) {
    if (acc == O_WRONLY && hup)
      rev |= IPCX_POLLERR;
    if (acc == O_WRONLY && hup && f->pw.active)
      ;                         /* Linux: the reader left a full pipe: POLLERR alone */
    else if (!f->pw.active || HasOverlappedIoCompleted(&f->pw.ov))
      rev |= IPCX_POLLOUT;
    else if (f->pw.ov.hEvent != NULL)
      wait[(*nwait)++] = f->pw.ov.hEvent;
  }
  if (f->zr.active)
    wait[(*nwait)++] = f->zr.ov.hEvent;
  LeaveCriticalSection(&f->lock);
  rev &= (short)(events | IPCX_POLLHUP | IPCX_POLLERR);
  if (rev != 0)
    *nwait = 0;
  return rev;
}

static int pipe_fstat(struct ipcx__file *f, int fd, struct stat *st)
{
  (void)fd;
  memset(st, 0, sizeof *st);
  st->st_mode = _S_IFIFO | 0600;
  st->st_nlink = 1;
  st->st_ino = (_ino_t)(((uintptr_t)f >> 4) & 0xffff);
  return 0;
}


static int pipe_import(HANDLE h, struct ipcx__file **out);

const struct ipcx__ops ipcx__pipe_ops = {
  .kind = IPCX__KIND_PIPE,
  .read = pipe_read,
  .write = pipe_write,
  .destroy = pipe_destroy,
  .fstat = pipe_fstat,
  .poll = pipe_poll,
  .nread = pipe_nread,
  .export_to = ipcx__pipe_export,
  .import = pipe_import,
};

/* --- pipes ipcx did not make (an inherited stdin, _pipe()) --------------- */

typedef struct {
  ULONG AccessFlags;
} ACCESS_INFO;

typedef struct {
  ULONG Mode;
} MODE_INFO;

typedef struct {
  LONG Status;
  ULONG_PTR Information;
} IO_STATUS;

typedef LONG (NTAPI *query_info_fn)(HANDLE, IO_STATUS *, void *, ULONG, int);

#define FILE_ACCESS_INFORMATION 8
#define FILE_MODE_INFORMATION 16
#ifndef FILE_SYNCHRONOUS_IO_ALERT
# define FILE_SYNCHRONOUS_IO_ALERT 0x10
# define FILE_SYNCHRONOUS_IO_NONALERT 0x20
#endif

static query_info_fn query_info(void)
{
  static query_info_fn fn;

  if (fn == NULL)
    fn = (query_info_fn)(void (*)(void))GetProcAddress(GetModuleHandleA("ntdll.dll"),
                                                        "NtQueryInformationFile");
  return fn;
}

static int query_info_ok(HANDLE h, PIPE_LOCAL_INFO *pi)
{
  query_info_fn q = query_info();
  IO_STATUS io;

  return q != NULL && q(h, &io, pi, sizeof *pi, FILE_PIPE_LOCAL_INFORMATION) >= 0;
}

int ipcx__handle_access(HANDLE h)
{
  query_info_fn q = query_info();
  ACCESS_INFO ai;
  IO_STATUS io;
  int rd, wr;

  if (q == NULL || q(h, &io, &ai, sizeof ai, FILE_ACCESS_INFORMATION) < 0)
    return O_RDWR;
  rd = (ai.AccessFlags & (FILE_READ_DATA | GENERIC_READ)) != 0;
  wr = (ai.AccessFlags & (FILE_WRITE_DATA | FILE_APPEND_DATA | GENERIC_WRITE)) != 0;
  return rd && wr ? O_RDWR : wr ? O_WRONLY : O_RDONLY;
}

/*
 * Import (the ops table's, asked last by fd.c): any pipe handle from
 * elsewhere is a pipe end, with the direction its access gives.
 */
static int pipe_import(HANDLE h, struct ipcx__file **out)
{
  query_info_fn q = query_info();
  struct ipcx__file *f;
  MODE_INFO mi;
  IO_STATUS io;
  int sync = 1;

  if (q != NULL && q(h, &io, &mi, sizeof mi, FILE_MODE_INFORMATION) >= 0)
    sync = (mi.Mode & (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT)) != 0;
  f = ipcx__file_new(&ipcx__pipe_ops, h, ipcx__handle_access(h));
  if (f == NULL)
    return ipcx__fail(ENOMEM);
  f->impl = sync ? SYNC_MARK : NULL;
  *out = f;
  return 1;
}

/*
 * Export (the ops table's): our pipe handles are duplex at the Win32 level;
 * the other process's copy of a read end gets read access only and a write
 * end write access only, so that it (learning an fd's direction from its
 * handle's access, ipcx__handle_access) sees O_RDONLY and O_WRONLY as a
 * Linux child would.
 */
int ipcx__pipe_export(struct ipcx__file *f, HANDLE *h)
{
  DWORD access;
  HANDLE n;

  switch (f->flags & O_ACCMODE) {
  case O_RDONLY:
    access = FILE_GENERIC_READ | FILE_WRITE_ATTRIBUTES;
    break;
  case O_WRONLY:
    access = FILE_GENERIC_WRITE | FILE_READ_ATTRIBUTES;
    break;
  default:
    return 0;
  }
  if (!DuplicateHandle(GetCurrentProcess(), *h, GetCurrentProcess(), &n, access, TRUE, 0))
    return ipcx__errno_from_win32(GetLastError());
  CloseHandle(*h);
  *h = n;
  return 0;
}
