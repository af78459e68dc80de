/*
 * unix_listener.c: AF_UNIX bind(), listen(), accept() and connect() (stream
 * and record sockets; a datagram socket's bind and connect go on to
 * unix_dgram.c).
 *
 *   bind         a rendezvous file made with CREATE_NEW (an existing or stale
 *                path is EADDRINUSE) holding a marker, our pid and a random
 *                pipe name; abstract names keep the record in a named file
 *                mapping, also their in-use guard; autobind draws five hex
 *                digits.
 *   listen       1..63 message-mode instances with ConnectNamedPipe pending
 *                on one shared manual-reset event, which is also named
 *                (Local\ipcx-live-<pipe>): while it exists the listener lives.
 *   accept       takes a connected instance, makes its replacement first;
 *                one it cannot install (EMFILE) goes back to the front.
 *   connect      reads the record (no file ENOENT, no pipe ECONNREFUSED);
 *                ERROR_PIPE_BUSY with the live event: the backlog is full,
 *                wait (EAGAIN nonblocking); without it: ECONNREFUSED.
 */
#define _CRT_RAND_S
#include "unix_internal.h"

#include <sddl.h>
#include <stddef.h>
#include <winioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- bind, listen, accept, connect --------------------------------------- */

static int bind_path(struct usock *s, const char *path)
{
  char rec[256];
  DWORD n, err, attrs;
  HANDLE h;
  int len;

  h = ipcx__path_create_file(path, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_DELETE, ipcx__owner_only(),
                             CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
  if (h == INVALID_HANDLE_VALUE) {
    err = GetLastError();
    if (err == ERROR_FILE_EXISTS || err == ERROR_ALREADY_EXISTS)
      return ipcx__fail(EADDRINUSE);
    attrs = ipcx__path_get_attributes(path);
    if (err == ERROR_ACCESS_DENIED && attrs != INVALID_FILE_ATTRIBUTES)
      return ipcx__fail(EADDRINUSE);   /* a directory or a file we may not touch */
    return ipcx__fail_win32(err);
  }
  len = ipcx__unix_format_record(rec, sizeof rec, s->pipe_name);
  if (!WriteFile(h, rec, (DWORD)len, &n, NULL) || n != (DWORD)len) {
    err = GetLastError();
    CloseHandle(h);
    ipcx__path_delete_file(path);
    return ipcx__fail_win32(err);
  }
  CloseHandle(h);
  return 0;
}

static int bind_abstract(struct usock *s, const struct sockaddr_un *a, socklen_t len)
{
  char name[300], rec[256];
  void *view;
  HANDLE m;

  ipcx__unix_abstract_name(a, len, name, sizeof name);
  m = CreateFileMappingA(INVALID_HANDLE_VALUE, ipcx__owner_only(), PAGE_READWRITE, 0, 4096, name);
  if (m == NULL)
    return ipcx__fail_win32(GetLastError());
  if (GetLastError() == ERROR_ALREADY_EXISTS) {
    CloseHandle(m);
    return ipcx__fail(EADDRINUSE);
  }
  view = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
  if (view == NULL) {
    CloseHandle(m);
    return ipcx__fail(ENOMEM);
  }
  ipcx__unix_format_record(rec, sizeof rec, s->pipe_name);
  memcpy(view, rec, strlen(rec) + 1);
  UnmapViewOfFile(view);
  s->guard = m;
  return 0;
}

/* Linux's autobind: an abstract name of five hex digits. */
static int autobind(struct usock *s)
{
  struct sockaddr_un a;
  unsigned int r;
  int tries;

  for (tries = 0; tries < 64; tries++) {
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    if (rand_s(&r) != 0)
      r = GetTickCount() + (unsigned)tries;
    snprintf(a.sun_path + 1, sizeof a.sun_path - 1, "%05x", r & 0xfffff);
    if (bind_abstract(s, &a, SUN_OFF + 6) == 0) {
      s->local = a;
      s->local_len = SUN_OFF + 6;
      return 0;
    }
    if (errno != EADDRINUSE)
      return -1;
  }
  return ipcx__fail(EADDRINUSE);
}

int ipcx__unix_bind(struct ipcx__file *f, const struct sockaddr *addr, socklen_t len)
{
  struct usock *s = us(f);
  struct sockaddr_un a;
  char path[sizeof a.sun_path + 1];
  socklen_t alen;
  int kind, r;

  if (addr == NULL)
    return ipcx__fail(EFAULT);
  if (len >= (socklen_t)sizeof(ADDRESS_FAMILY) && len <= SUN_OFF && addr->sa_family == AF_UNIX) {
    kind = 3;                   /* autobind */
  } else {
    kind = ipcx__unix_parse_addr(addr, len, &a, &alen);
    if (kind < 0)
      return -1;
  }
  AcquireSRWLockExclusive(&s->llock);
  if (s->bound || s->state == ST_LISTEN) {
    ReleaseSRWLockExclusive(&s->llock);
    /* Linux makes the file before it checks: an existing path is EADDRINUSE. */
    if (kind == 1) {
      ipcx__unix_addr_path(&a, path);
      if (ipcx__path_get_attributes(path) != INVALID_FILE_ATTRIBUTES)
        return ipcx__fail(EADDRINUSE);
    }
    return ipcx__fail(EINVAL);
  }
  ipcx__pipe_name(s->pipe_name, sizeof s->pipe_name,
                  s->type == SOCK_STREAM ? "s" : s->type == SOCK_SEQPACKET ? "t" : "g");
  if (kind == 3) {
    r = autobind(s);
  } else if (kind == 1) {
    ipcx__unix_addr_path(&a, path);
    r = bind_path(s, path);
  } else {
    r = bind_abstract(s, &a, alen);
  }
  if (r == 0 && kind != 3) {
    s->local = a;
    s->local_len = alen;
  }
  if (r == 0 && dgram(s) && ipcx__unix_mailbox_start(f) < 0) {
    int e = errno;
    if (s->guard != NULL) {
      CloseHandle(s->guard);    /* the name goes again */
      s->guard = NULL;
    } else if (kind == 1) {
      ipcx__path_delete_file(path);
    }
    r = ipcx__fail(e);
  }
  if (r == 0) {
    s->bound = 1;
    if (s->state == ST_NEW)
      s->state = ST_BOUND;
  }
  ReleaseSRWLockExclusive(&s->llock);
  return r;
}

/*
 * The name of a listener's "alive" event: the listener holds it (its accept
 * event) while it listens.  A closed listener whose accepted connections
 * live on leaves its pipe name busy (ERROR_PIPE_BUSY, no instance waiting):
 * connect() then finds no event and says ECONNREFUSED, as Linux does,
 * instead of waiting for room that never comes.
 */
static void live_name(const char *pipe_name, char *name, size_t size)
{
  const char *p = strrchr(pipe_name, '\\');

  snprintf(name, size, "Local\\ipcx-live-%s", p != NULL ? p + 1 : pipe_name);
}

static int listener_alive(const char *pipe_name)
{
  char name[200];
  HANDLE ev;

  live_name(pipe_name, name, sizeof name);
  ev = OpenEventA(SYNCHRONIZE, FALSE, name);
  if (ev == NULL)
    return GetLastError() != ERROR_FILE_NOT_FOUND;
  CloseHandle(ev);
  return 1;
}

/* 1 if a connection waits to be accepted (llock held; no wineserver request). */
int ipcx__unix_any_ready(struct usock *s)
{
  int i;

  if (s->nback > 0)
    return 1;
  for (i = 0; i < s->ninst; i++)
    if (s->inst[i].h != NULL && (s->inst[i].ready || HasOverlappedIoCompleted(&s->inst[i].ov)))
      return 1;
  return 0;
}

/* Make instance i and start waiting for a client on it; 0 or a Win32 error. */
static DWORD make_instance(struct usock *s, int i, int first)
{
  struct instance *in = &s->inst[i];
  DWORD err;

  in->ov.hEvent = s->accept_ev;
  in->h = ipcx__pipe_listen(s->pipe_name, first, PIPE_CAPACITY, PIPE_CAPACITY, ipcx__owner_only(),
                            &in->ov, &in->ready, &err);
  if (in->h == NULL)
    return err;
  /* Starting an overlapped call resets the shared event: announce again
   * what is waiting (this instance too, when its client was early). */
  if (ipcx__unix_any_ready(s))
    SetEvent(s->accept_ev);
  return ERROR_SUCCESS;
}

int ipcx__unix_listen(struct ipcx__file *f, int backlog)
{
  struct usock *s = us(f);
  struct instance *inst;
  DWORD err = ERROR_SUCCESS;
  int n, i;

  if (s->type == SOCK_DGRAM)
    return ipcx__fail(EOPNOTSUPP);
  n = backlog < 1 ? 1 : backlog > MAX_BACKLOG ? MAX_BACKLOG : backlog;
  AcquireSRWLockExclusive(&s->llock);
  if (s->state == ST_LISTEN) {
    ReleaseSRWLockExclusive(&s->llock);
    return 0;                   /* Linux: only the backlog changes */
  }
  if (s->state != ST_BOUND) {
    ReleaseSRWLockExclusive(&s->llock);
    return ipcx__fail(EINVAL);
  }
  inst = calloc((size_t)n, sizeof *inst);
  if (s->accept_ev == NULL) {
    char name[200];
    live_name(s->pipe_name, name, sizeof name);
    s->accept_ev = CreateEventA(ipcx__owner_only(), TRUE, FALSE, name);
  }
  if (inst == NULL || s->accept_ev == NULL) {
    free(inst);
    ReleaseSRWLockExclusive(&s->llock);
    return ipcx__fail(ENOMEM);
  }
  s->inst = inst;
  s->ninst = n;
  for (i = 0; i < n && err == ERROR_SUCCESS; i++)
    err = make_instance(s, i, i == 0);
  if (err != ERROR_SUCCESS && s->inst[0].h == NULL) {
    ipcx__unix_close_listener(s);
    ReleaseSRWLockExclusive(&s->llock);
    return ipcx__fail_win32(err);
  }
  s->state = ST_LISTEN;
  ReleaseSRWLockExclusive(&s->llock);
  return 0;
}

/* A connected instance taken from the listener, or NULL; called with llock held. */
static HANDLE take_instance(struct usock *s)
{
  DWORD n;
  HANDLE h;
  int i;

  if (s->nback > 0) {
    h = s->back[0];             /* one an accept() gave back: it comes first */
    memmove(s->back, s->back + 1, (size_t)--s->nback * sizeof s->back[0]);
    return h;
  }
  for (i = 0; i < s->ninst; i++) {
    struct instance *in = &s->inst[i];
    if (in->h == NULL) {
      if (!s->lshared)
        make_instance(s, i, 0); /* an earlier replacement failed: try again */
      continue;
    }
    if (!in->ready && !HasOverlappedIoCompleted(&in->ov))
      continue;
    h = in->h;
    if (!in->ready && !GetOverlappedResult(h, &in->ov, &n, FALSE) &&
        GetLastError() != ERROR_PIPE_CONNECTED && GetLastError() != ERROR_NO_DATA) {
      CloseHandle(h);           /* a failed instance: replace it and look on */
      make_instance(s, i, 0);
      continue;
    }
    in->h = NULL;
    in->ready = 0;
    if (!s->lshared)
      make_instance(s, i, 0);   /* the replacement, before handing this one out */
    return h;
  }
  return NULL;
}

/* A connection accept() took but could not hand out goes back to the front. */
void ipcx__unix_give_back(struct usock *s, HANDLE h)
{
  AcquireSRWLockExclusive(&s->llock);
  if (s->nback < MAX_BACKLOG && s->state == ST_LISTEN) {
    memmove(s->back + 1, s->back, (size_t)s->nback * sizeof s->back[0]);
    s->back[0] = h;
    s->nback++;
    SetEvent(s->accept_ev);
    h = NULL;
  }
  ReleaseSRWLockExclusive(&s->llock);
  if (h != NULL)
    CloseHandle(h);
}


/*
 * accept()'s checks and wait: a connected instance taken from the listener,
 * or NULL/errno.  A raw listener (unix_raw.c) makes its own kind of
 * connection of it.
 */
HANDLE ipcx__unix_accept_handle(struct ipcx__file *f, struct sockaddr *addr, socklen_t *len,
                                int flags)
{
  struct usock *s = us(f);
  HANDLE h;
  DWORD w;

  if (s->type == SOCK_DGRAM)
    return ipcx__fail(EOPNOTSUPP), NULL;
  if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
    return ipcx__fail(EINVAL), NULL;
  if (addr != NULL && len == NULL)
    return ipcx__fail(EFAULT), NULL;
  if (len != NULL && *len < 0)
    return ipcx__fail(EINVAL), NULL;
  for (;;) {
    AcquireSRWLockExclusive(&s->llock);
    if (s->state != ST_LISTEN || s->shut_rd) {
      ReleaseSRWLockExclusive(&s->llock);
      return ipcx__fail(EINVAL), NULL;   /* Linux: also after shutdown(SHUT_RD) of the listener */
    }
    if (s->lshared)
      ipcx__unix_listener_arm(s);       /* shared: an instance only while we accept */
    h = take_instance(s);
    if (h == NULL) {
      ResetEvent(s->accept_ev); /* then look again: a connection after the reset sets it */
      h = take_instance(s);
    }
    ReleaseSRWLockExclusive(&s->llock);
    if (h != NULL)
      return h;
    if (f->flags & O_NONBLOCK)
      return ipcx__fail(EAGAIN), NULL;
    w = ipcx__wait1(s->accept_ev, s->rcvtimeo ? s->rcvtimeo : INFINITE, IPCX__WAIT_INTR);
    if (w == IPCX__WAIT_INTERRUPTED) {
      if (ipcx__unix_interrupted() < 0)
        return NULL;
      continue;
    }
    if (w == WAIT_TIMEOUT)
      return ipcx__fail(EAGAIN), NULL;
    if (w != WAIT_OBJECT_0)
      return ipcx__fail_win32(GetLastError()), NULL;
  }
}

int ipcx__unix_accept(struct ipcx__file *f, struct sockaddr *addr, socklen_t *len, int flags)
{
  struct usock *s = us(f);
  struct ipcx__file *c;
  HANDLE h = ipcx__unix_accept_handle(f, addr, len, flags);
  int fd;

  if (h == NULL)
    return -1;
  c = ipcx__unix_connected_file(h, (flags & SOCK_NONBLOCK) != 0, 0);
  if (c == NULL) {
    ipcx__unix_give_back(s, h);
    return ipcx__fail(ENOMEM);
  }
  us(c)->type = s->type;
  us(c)->local = s->local;
  us(c)->local_len = s->local_len;
  us(c)->peer.sun_family = AF_UNIX;
  us(c)->peer_len = sizeof(ADDRESS_FAMILY);
  ipcx__file_ref(c);            /* kept for a failed install */
  fd = ipcx__unix_install(c, (flags & SOCK_CLOEXEC) != 0);
  if (fd < 0) {
    /* EMFILE and friends: the connection stays queued for the next accept()
     * (Linux keeps it), its data unread. */
    int e = errno;
    ipcx__unix_give_back(s, c->h);
    c->h = NULL;
    us(c)->state = ST_NEW;      /* no reset: the connection lives on */
    ipcx__file_unref(c);
    return ipcx__fail(e);
  }
  ipcx__file_unref(c);
  if (addr != NULL)
    ipcx__unix_copy_addr(&us(c)->peer, us(c)->peer_len, addr, len);
  return fd;
}

/*
 * The pipe name behind a parsed address (a path's record may come from the
 * cache: *cached); 0 or -1/errno.  A listener of another type is EPROTOTYPE,
 * as Linux says.
 */
static int resolve(struct usock *s, const struct sockaddr_un *a, socklen_t alen, int kind,
                   char *name, size_t size, DWORD *pid, int fresh, int *cached)
{
  char path[sizeof a->sun_path + 1];

  *cached = 0;
  if (kind == 1) {
    ipcx__unix_addr_path(a, path);
    if (ipcx__unix_lookup_record(path, name, size, pid, fresh, cached) < 0)
      return -1;
  } else if (ipcx__unix_read_record_abstract(a, alen, name, size, pid) < 0) {
    return -1;
  }
  if (strncmp(name, "\\\\.\\pipe\\ipcx-", 14) == 0 && ipcx__unix_type_of_tag(name + 14) != 0 &&
      ipcx__unix_type_of_tag(name + 14) != s->type)
    return ipcx__fail(EPROTOTYPE);
  return 0;
}

#ifndef FSCTL_PIPE_WAIT
# define FSCTL_PIPE_WAIT CTL_CODE(FILE_DEVICE_NAMED_PIPE, 6, METHOD_BUFFERED, FILE_ANY_ACCESS)
#endif

/*
 * A blocking connect() to a full backlog waits for a free instance of pipe
 * name: WaitNamedPipe, but overlapped (FSCTL_PIPE_WAIT on the pipe device)
 * so that the wait goes through the wait funnel and a signal handler can
 * interrupt it.  At most a second at a time: the caller looks again whether
 * the listener still lives.  0 (look again), or -1/EINTR.
 */
static int wait_for_room(const char *name)
{
  struct {
    LARGE_INTEGER timeout;
    ULONG len;
    BOOLEAN timed;
    WCHAR name[128];
  } w;
  const char *leaf = name + 9;  /* after \\.\pipe\ */
  OVERLAPPED ov;
  HANDLE dev;
  DWORD n, r;
  size_t i;

  memset(&w, 0, sizeof w);
  for (i = 0; leaf[i] != 0 && i < sizeof w.name / sizeof w.name[0]; i++)
    w.name[i] = (WCHAR)(unsigned char)leaf[i];
  w.len = (ULONG)(i * sizeof(WCHAR));
  w.timed = TRUE;
  w.timeout.QuadPart = -10000LL * 1000;        /* relative, 1 s */
  dev = CreateFileW(L"\\\\.\\pipe\\", FILE_READ_ATTRIBUTES | SYNCHRONIZE,
                    FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, FILE_FLAG_OVERLAPPED,
                    NULL);
  if (strncmp(name, "\\\\.\\pipe\\", 9) != 0 || dev == INVALID_HANDLE_VALUE) {
    if (dev != INVALID_HANDLE_VALUE)
      CloseHandle(dev);
    WaitNamedPipeA(name, 1000);
    return 0;
  }
  memset(&ov, 0, sizeof ov);
  ov.hEvent = ipcx__thread_event();
  if (DeviceIoControl(dev, FSCTL_PIPE_WAIT, &w, (DWORD)(offsetof(__typeof__(w), name) + w.len),
                      NULL, 0, NULL, &ov) || GetLastError() != ERROR_IO_PENDING) {
    CloseHandle(dev);
    return 0;
  }
  r = ipcx__wait1(ov.hEvent, INFINITE, IPCX__WAIT_INTR);
  if (r != WAIT_OBJECT_0)
    CancelIoEx(dev, &ov);
  GetOverlappedResult(dev, &ov, &n, TRUE);
  CloseHandle(dev);
  if (r == IPCX__WAIT_INTERRUPTED && !ipcx__wait_restart())
    return ipcx__fail(EINTR);
  return 0;
}

/*
 * Open the client end of pipe name: the handle, or INVALID_HANDLE_VALUE
 * with errno (ECONNREFUSED: nobody listens, or the listener has closed
 * while its accepted connections live on; EAGAIN: a nonblocking connect to
 * a full backlog).  A blocking connect to a full backlog waits for room.
 */
static HANDLE open_pipe(struct ipcx__file *f, const char *name)
{
  HANDLE h;
  DWORD err;

  for (;;) {
    h = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                    FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, NULL);
    if (h != INVALID_HANDLE_VALUE)
      return h;
    err = GetLastError();
    if (err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND || err == ERROR_BAD_PATHNAME) {
      ipcx__fail(ECONNREFUSED);         /* a stale file: nobody listens */
      return h;
    }
    if (err != ERROR_PIPE_BUSY) {
      ipcx__fail_win32(err);
      return h;
    }
    if (!listener_alive(name)) {
      ipcx__fail(ECONNREFUSED);         /* closed, its connections live on */
      return h;
    }
    /* The backlog is full: Linux makes a blocking connect wait for room. */
    if (f->flags & O_NONBLOCK) {
      ipcx__fail(EAGAIN);
      return h;
    }
    if (wait_for_room(name) < 0)
      return INVALID_HANDLE_VALUE;
  }
}

int ipcx__unix_connect(struct ipcx__file *f, const struct sockaddr *addr, socklen_t len)
{
  struct usock *s = us(f);
  struct sockaddr_un a;
  char name[256];
  socklen_t alen;
  DWORD pid = 0;
  HANDLE h, old;
  int kind, cached;

  if (dgram(s))
    return ipcx__unix_dgram_connect(f, addr, len);
  kind = ipcx__unix_parse_addr(addr, len, &a, &alen);
  if (kind < 0)
    return -1;
  if (s->state == ST_CONNECTED)
    return ipcx__fail(EISCONN);
  if (s->state == ST_LISTEN)
    return ipcx__fail(EINVAL);
  h = INVALID_HANDLE_VALUE;
  if (resolve(s, &a, alen, kind, name, sizeof name, &pid, 0, &cached) == 0)
    h = open_pipe(f, name);
  if (h == INVALID_HANDLE_VALUE && cached && (errno == ECONNREFUSED || errno == EPROTOTYPE)) {
    /* The record came from the cache: the file may be another's now. */
    if (resolve(s, &a, alen, kind, name, sizeof name, &pid, 1, &cached) == 0)
      h = open_pipe(f, name);
  }
  if (h == INVALID_HANDLE_VALUE)
    return -1;
  EnterCriticalSection(&f->lock);
  old = f->h;
  f->h = h;
  s->state = ST_CONNECTED;
  s->byte_mode = 1;             /* message read mode before the first read */
  s->peer_pid = pid;
  s->peer = a;
  s->peer_len = alen;
  if (s->local_len == 0) {
    s->local.sun_family = AF_UNIX;
    s->local_len = sizeof(ADDRESS_FAMILY);
  }
  LeaveCriticalSection(&f->lock);
  ipcx__unix_close_handle(old); /* NULL: socket() gave it no handle */
  return 0;
}

/* --- a listener shared with other processes ------------------------------- */

/*
 * A listener handed to a child (posix_spawn) or sent with SCM_RIGHTS: the
 * pre-spawned worker pattern, where several processes accept() on one
 * listening socket and each connection goes to exactly one of them.
 *
 * Every process that holds the listener makes instances of its pipe name,
 * but only while it wants a connection: accept() (and poll()) arm one
 * instance, and a taken instance is not replaced.  A client's CreateFile
 * lands on an instance of a process that is accepting, so no connection
 * waits in a process that never accepts (a parent that only spawns its
 * workers).  When nobody is accepting, the name is kept by the anchor: one
 * instance the exporting process connected to itself at the first export,
 * its client closed behind a record (struct lrec: the type, the address,
 * the pipe name).  Every holder keeps a handle to it, so the name lives
 * while the listener does: a client finds every instance busy
 * (ERROR_PIPE_BUSY), sees the "alive" event, and waits in WaitNamedPipe
 * until an instance is armed (a kernel wait, no polling; probed on Wine 8:
 * it wakes when a new instance is made).  The anchor is also what goes to
 * the other process: its import (unix.c) peeks the record.
 *
 * The exporting process first closes its instances still waiting (a
 * connection that raced in stays queued for its own accept()).  Each
 * importer waits on its own private accept event (the named "alive" event
 * is only held, so that connect() knows the listener lives).
 */

/* Shared mode: make instance 0 if it is not there (llock held). */
void ipcx__unix_listener_arm(struct usock *s)
{
  if (s->lshared && s->ninst > 0 && s->inst[0].h == NULL)
    make_instance(s, 0, 0);
}

/* Stop keeping instances waiting here; connected ones queue for our accept() (llock held). */
static void disarm(struct usock *s)
{
  DWORD n, err;
  int i, connected;

  for (i = 0; i < s->ninst; i++) {
    struct instance *in = &s->inst[i];
    if (in->h == NULL)
      continue;
    connected = in->ready;
    if (!connected) {
      ipcx__io_cancel(in->h, &in->ov);
      connected = GetOverlappedResult(in->h, &in->ov, &n, FALSE) ||
                  (err = GetLastError()) == ERROR_PIPE_CONNECTED || err == ERROR_NO_DATA;
    }
    if (connected && s->nback < MAX_BACKLOG) {
      s->back[s->nback++] = in->h;
      SetEvent(s->accept_ev);
    } else {
      CloseHandle(in->h);
    }
    in->h = NULL;
    in->ready = 0;
  }
}

/*
 * The anchor: an instance connected to a client of our own that wrote the
 * record and closed (llock held, this process the only holder so far, its
 * instances closed: our client can only land on it).  A real client that
 * took it first is a connection: it queues for accept(), and we try again.
 */
static HANDLE make_anchor(struct usock *s, DWORD *err)
{
  struct lrec r;
  HANDLE srv, c;
  DWORD n;
  int tries;

  memset(&r, 0, sizeof r);
  memcpy(r.magic, LREC_MAGIC, sizeof r.magic);
  r.type = (DWORD)s->type;
  r.local_len = s->local_len;
  r.local = s->local;
  snprintf(r.pipe_name, sizeof r.pipe_name, "%s", s->pipe_name);
  for (tries = 0; tries < 8; tries++) {
    srv = CreateNamedPipeA(s->pipe_name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
                           PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT |
                             PIPE_REJECT_REMOTE_CLIENTS,
                           PIPE_UNLIMITED_INSTANCES, PIPE_CAPACITY, PIPE_CAPACITY, 0,
                           ipcx__owner_only());
    if (srv == INVALID_HANDLE_VALUE) {
      *err = GetLastError();
      return NULL;
    }
    c = CreateFileA(s->pipe_name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                    SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, NULL);
    if (c != INVALID_HANDLE_VALUE) {
      int ok = WriteFile(c, &r, sizeof r, &n, NULL) && n == sizeof r;
      *err = GetLastError();
      CloseHandle(c);
      if (ok)
        return srv;
      CloseHandle(srv);
      return NULL;
    }
    if (s->nback < MAX_BACKLOG) {
      s->back[s->nback++] = srv;        /* someone else's connect() got it */
      SetEvent(s->accept_ev);
    } else {
      CloseHandle(srv);
    }
  }
  *err = ERROR_PIPE_BUSY;
  return NULL;
}

/* Export (unix.c's table sends a listener here): *h becomes the anchor. */
int ipcx__unix_listener_export(struct ipcx__file *f, HANDLE *h)
{
  struct usock *s = us(f);
  DWORD err = ERROR_SUCCESS;
  HANDLE a, n;

  AcquireSRWLockExclusive(&s->llock);
  if (!s->lshared) {
    disarm(s);
    s->lshared = 1;
    SetEvent(s->accept_ev);     /* an accept() or poll() waiting here arms again */
  }
  if (s->anchor == NULL)
    s->anchor = make_anchor(s, &err);
  a = s->anchor;
  ReleaseSRWLockExclusive(&s->llock);
  if (a == NULL)
    return ipcx__errno_from_win32(err);
  if (!DuplicateHandle(GetCurrentProcess(), a, GetCurrentProcess(), &n, 0, TRUE,
                       DUPLICATE_SAME_ACCESS))
    return ipcx__errno_from_win32(GetLastError());
  CloseHandle(*h);
  *h = n;
  return 0;
}

/*
 * posix_spawn (after the export): an inheritable duplicate of the "alive"
 * event (a listener that bound holds it as its accept event, one that
 * imported as `live`) in *keep.  The child holds it from its creation and
 * fd.c's start-up code imports the listener and closes it before main(), so
 * a parent may close its own copy as soon as posix_spawn returns: connect()
 * sees the listener alive and waits for a worker's accept().
 */
int ipcx__unix_listener_keep(struct ipcx__file *f, HANDLE *keep)
{
  struct usock *s = us(f);
  DWORD err = ERROR_SUCCESS;
  HANDLE live;

  AcquireSRWLockExclusive(&s->llock);
  live = s->live != NULL ? s->live : s->accept_ev;
  if (!DuplicateHandle(GetCurrentProcess(), live, GetCurrentProcess(), keep, 0, TRUE,
                       DUPLICATE_SAME_ACCESS)) {
    err = GetLastError();
    *keep = NULL;
  }
  ReleaseSRWLockExclusive(&s->llock);
  return *keep == NULL ? ipcx__errno_from_win32(err) : 0;
}

/* 1 and the record if h is a shared listener's anchor (a server end whose
 * queued message is a record), else 0.  One PeekNamedPipe. */
int ipcx__unix_anchor_record(HANDLE h, struct lrec *r)
{
  DWORD flags = 0, got = 0;

  if (!GetNamedPipeInfo(h, &flags, NULL, NULL, NULL) || !(flags & PIPE_SERVER_END))
    return 0;
  if (!PeekNamedPipe(h, r, sizeof *r, &got, NULL, NULL) || got != sizeof *r ||
      memcmp(r->magic, LREC_MAGIC, sizeof r->magic) != 0)
    return 0;
  r->pipe_name[sizeof r->pipe_name - 1] = 0;
  return r->type == SOCK_STREAM || r->type == SOCK_SEQPACKET;
}

/* Import: f (new, its handle a placeholder) becomes the listener whose anchor
 * is `anchor` (owned from now on).  0, or -1/errno. */
int ipcx__unix_listener_adopt(struct ipcx__file *f, HANDLE anchor, const struct lrec *r)
{
  struct usock *s = us(f);
  char name[300];

  s->type = (int)r->type;
  s->local = r->local;
  s->local_len = r->local_len < 0 || r->local_len > (int)sizeof r->local ? 0 : r->local_len;
  snprintf(s->pipe_name, sizeof s->pipe_name, "%s", r->pipe_name);
  s->anchor = anchor;
  s->inst = calloc(1, sizeof *s->inst);
  s->accept_ev = CreateEventW(NULL, TRUE, FALSE, NULL);
  live_name(s->pipe_name, name, sizeof name);
  s->live = CreateEventA(ipcx__owner_only(), TRUE, FALSE, name);
  if (s->local_len > SUN_OFF && s->local.sun_path[0] == 0) {
    /* An abstract name: hold its mapping too, so the name outlives the parent. */
    ipcx__unix_abstract_name(&s->local, s->local_len, name, sizeof name);
    s->guard = OpenFileMappingA(FILE_MAP_READ, FALSE, name);
  }
  if (s->inst == NULL || s->accept_ev == NULL || s->live == NULL)
    return ipcx__fail(ENOMEM);
  s->ninst = 1;
  s->bound = 1;
  s->lshared = 1;
  s->state = ST_LISTEN;
  return 0;
}
