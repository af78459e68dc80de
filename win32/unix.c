/*
 * unix.c: AF_UNIX stream (and record) sockets over message-type named pipes.
 *
 *   connection   one named-pipe instance and its client, both overlapped and
 *                duplex, PIPE_TYPE_MESSAGE read in PIPE_READMODE_MESSAGE.
 *                Every write() is one message; a reader whose buffer is
 *                smaller than the message gets ERROR_MORE_DATA, which is a
 *                successful partial read (the rest of that message comes
 *                next), so the byte stream is exactly the bytes written.
 *   half-close   shutdown(SHUT_WR) writes a zero-length message: the peer's
 *                read completes with 0 bytes and success, which is the EOF
 *                mark (a closed peer is ERROR_BROKEN_PIPE instead).  The other
 *                direction lives on: late replies of any size are delivered.
 *                No timers (DESIGN.md "Half-close", option a).
 *   listener     bind(path) creates a rendezvous file with CREATE_NEW (so an
 *                existing or stale path is EADDRINUSE) holding a marker, the
 *                listener's pid and a random pipe name; the file is closed at
 *                once, so unlink() works while the listener lives.  Abstract
 *                names (sun_path[0] == 0) keep the same record in a named
 *                file mapping, which is also their in-use guard.  listen()
 *                keeps `backlog` instances (1..63) with ConnectNamedPipe
 *                pending on one shared event; accept() takes a connected
 *                instance and makes its replacement before returning.
 *   connect      reads the record: no file ENOENT, no pipe ECONNREFUSED, all
 *                instances busy (backlog full): WaitNamedPipe and retry, as
 *                Linux blocks (EAGAIN when nonblocking).  The client's first
 *                message is a hello carrying its pid (Wine 8's
 *                GetNamedPipeClientProcessId answers 0); the server reads it
 *                lazily before the first data.  The listener's pid comes from
 *                the record.
 *   readiness    a read-ahead: a real overlapped read into a buffer of the
 *                file (not a zero-byte read, which would swallow the EOF
 *                mark: probed on Wine 8).  poll(), MSG_PEEK and nonblocking
 *                reads use it; blocking reads go straight into the caller's
 *                buffer.  Writable: no nonblocking write still pending.
 *   security     PIPE_REJECT_REMOTE_CLIENTS; a DACL for the owner and SYSTEM
 *                only, on the pipe, the socket file and the abstract name's
 *                mapping (the pipe's name is readable only by whom the pipe
 *                admits); unguessable pipe names (128 random bits) that are
 *                not derived from the path; clients open with
 *                SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION.
 *   inheritance  an fd's CRT slot holds the pipe (connect() swaps the
 *                placeholder that socket() put there), so posix_spawn hands a
 *                connection to a child; the child adopts it as a socket again
 *                (pipe.c asks ipcx__unix_is_socket_handle: a message-type pipe
 *                named \ipcx-s-* or \ipcx-p-*).  Listeners are not inheritable.
 *   records      SOCK_SEQPACKET (any socket) and SOCK_DGRAM (socketpair only)
 *                use the same pipes: each send() is one pipe message, a tag
 *                byte and the bytes (so an empty record is not the EOF mark),
 *                and recv() takes one message from the read-ahead, whole
 *                (recv_record, send_message).  The type travels in the pipe
 *                name ("t"/"q"/"d" for "s"/"p"): connect() checks it
 *                (EPROTOTYPE) and a child adopting the handle learns it.
 *   datagrams    SOCK_DGRAM from socket(): a bound socket is a mailbox with a
 *                relay thread (see "datagrams" below).
 *   cost         one pipe message per write(): a reader behind many small
 *                writes needs one ReadFile per write (byte pipes coalesce).
 *
 * Win32 codes: ERROR_BROKEN_PIPE / ERROR_PIPE_NOT_CONNECTED on read = EOF,
 * ERROR_NO_DATA on write = EPIPE, ERROR_PIPE_BUSY on CreateFile = backlog
 * full.  Wine 8 answers 0 to GetNamedPipe{Client,Server}ProcessId.
 */
#define _CRT_RAND_S
#include "internal.h"

#include <afunix.h>
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef ESOCKTNOSUPPORT
# define ESOCKTNOSUPPORT 94
#endif

#define PIPE_CAPACITY 65536
#define RA_SIZE 65536
#define MAX_BACKLOG 63
#define HELLO_MAGIC 0x4b4f5358u   /* "XSOK" */
#define RECORD_MAGIC "!<ipcx-socket>\n"
#define SUN_OFF ((socklen_t)offsetof(struct sockaddr_un, sun_path))

enum { ST_NEW, ST_BOUND, ST_LISTEN, ST_CONNECTED };
enum { EOF_NONE, EOF_MARK, EOF_CLOSED };

struct hello {
  DWORD magic;
  DWORD pid;
};

struct instance {
  HANDLE h;
  OVERLAPPED ov;                /* ConnectNamedPipe; hEvent is the shared one */
  int ready;                    /* connected synchronously */
};

struct usock {
  int type;                     /* SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM (pairs only) */
  int state;
  int bound;
  struct sockaddr_un local;
  socklen_t local_len;          /* 0: unbound */
  struct sockaddr_un peer;
  socklen_t peer_len;
  char pipe_name[128];
  HANDLE guard;                 /* abstract names: the named mapping */
  /* listener */
  SRWLOCK llock;
  struct instance *inst;
  int ninst;
  HANDLE accept_ev;
  /* connection */
  CRITICAL_SECTION rd_lock;     /* one reader at a time, as Linux's iolock */
  HANDLE rd_wake;               /* set when reads must end: EOF or SHUT_RD */
  HANDLE rd_done;               /* set when a reader leaves, if poll_waits (for poll) */
  volatile LONG poll_waits;
  volatile LONG eof;
  volatile LONG shut_rd, shut_wr;
  int hello_pending;
  DWORD peer_pid;
  char *ra_buf;
  DWORD ra_len, ra_off;
  int ra_pending;
  OVERLAPPED ra_ov;
  /* options */
  DWORD rcvtimeo, sndtimeo;     /* ms, 0 = none */
  int rcvbuf, sndbuf;
  int opts[7];                  /* remembered options (remembered()) */
  struct linger linger;
  /* datagram sockets from socket() (see "datagrams") */
  struct mailbox *mb;           /* bound: the mailbox */
  int dconnected;               /* connect()ed: peer and peer_pipe hold the default */
  char peer_pipe[128];
  HANDLE dest;                  /* the last destination's pipe, kept open */
  char dest_name[128];
  struct sockaddr_un from;      /* the sender of the last datagram received */
  socklen_t from_len;
};

struct mailbox;
static int mailbox_start(struct ipcx__file *f);
static void mailbox_stop(struct mailbox *m);
static int dgram_connect(struct ipcx__file *f, const struct sockaddr *addr, socklen_t len);
static int dgram(const struct usock *s)
{
  return s->type == SOCK_DGRAM && s->state != ST_CONNECTED;   /* not a socketpair() end */
}

static struct usock *us(struct ipcx__file *f)
{
  return f->impl;
}

/* --- security ----------------------------------------------------------- */

/* Pipes, socket files (the pipe's name is in them) and abstract-name
 * mappings: this user and SYSTEM only (security.c). */
static SECURITY_ATTRIBUTES *owner_only(void)
{
  return ipcx__owner_sa();
}

/* --- descriptions ------------------------------------------------------- */

static const struct ipcx__ops unix_ops;

static void close_handle(HANDLE h)
{
  if (h != NULL)
    CloseHandle(h);
}

static struct ipcx__file *new_file(HANDLE h, int nonblock)
{
  struct ipcx__file *f;
  struct usock *s = calloc(1, sizeof *s);

  if (s == NULL)
    return NULL;
  s->rd_wake = CreateEventW(NULL, TRUE, FALSE, NULL);
  s->rd_done = CreateEventW(NULL, TRUE, FALSE, NULL);
  s->ra_ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
  if (s->rd_wake == NULL || s->rd_done == NULL || s->ra_ov.hEvent == NULL)
    goto fail;
  f = ipcx__file_new(&unix_ops, h, O_RDWR | (nonblock ? O_NONBLOCK : 0));
  if (f == NULL)
    goto fail;
  InitializeCriticalSection(&s->rd_lock);
  InitializeSRWLock(&s->llock);
  s->type = SOCK_STREAM;
  s->rcvbuf = s->sndbuf = 2 * PIPE_CAPACITY;
  s->opts[5] = s->opts[6] = 1;  /* SO_RCVLOWAT, SO_SNDLOWAT */
  f->impl = s;
  return f;
fail:
  close_handle(s->rd_wake);
  close_handle(s->rd_done);
  close_handle(s->ra_ov.hEvent);
  free(s);
  return NULL;
}

/* A placeholder for the CRT slot of a socket that has no pipe yet. */
static HANDLE placeholder(void)
{
  return CreateFileA("NUL", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                     NULL, OPEN_EXISTING, 0, NULL);
}

static void close_listener(struct usock *s)
{
  int i;

  for (i = 0; i < s->ninst; i++) {
    if (s->inst[i].h == NULL)
      continue;
    if (!s->inst[i].ready)
      ipcx__io_cancel(s->inst[i].h, &s->inst[i].ov);
    CloseHandle(s->inst[i].h);
  }
  free(s->inst);
  s->inst = NULL;
  s->ninst = 0;
}

static void unix_destroy(struct ipcx__file *f)
{
  struct usock *s = us(f);

  if (s->ra_pending)
    ipcx__io_cancel(f->h, &s->ra_ov);
  if (s->mb != NULL)
    mailbox_stop(s->mb);
  if (s->dest != NULL)
    CloseHandle(s->dest);
  close_listener(s);
  if (s->accept_ev != NULL)
    CloseHandle(s->accept_ev);
  if (s->guard != NULL)
    CloseHandle(s->guard);
  CloseHandle(s->rd_wake);
  CloseHandle(s->rd_done);
  CloseHandle(s->ra_ov.hEvent);
  DeleteCriticalSection(&s->rd_lock);
  free(s->ra_buf);
  free(s);
  f->impl = NULL;
  ipcx__io_close_lingering(f);  /* a nonblocking write still in the pipe is delivered */
}

static int unix_fstat(struct ipcx__file *f, int fd, struct stat *st)
{
  (void)fd;
  memset(st, 0, sizeof *st);
  st->st_mode = S_IFSOCK | 0777;
  st->st_nlink = 1;
  st->st_ino = (_ino_t)(((uintptr_t)f >> 4) & 0xffff);
  return 0;
}

static int unix_set_nonblock(struct ipcx__file *f, int on)
{
  (void)f, (void)on;
  return 0;
}

/* Install f as a new fd (consumes f on failure too). */
static int install(struct ipcx__file *f, int cloexec)
{
  int fd = ipcx__fd_install(f, cloexec);

  if (fd < 0) {
    int e = errno;
    ipcx__file_unref(f);
    errno = e;
  }
  return fd;
}

/*
 * Pipe name tags: "s" a listener's connections, "p" a socketpair (stream);
 * "t" and "q" the same for SOCK_SEQPACKET; "d" a SOCK_DGRAM socketpair, "g"
 * a bound datagram socket's mailbox.  The type of a name's socket, or 0.
 */
static int type_of_tag(const char *tag)
{
  if (tag[1] != '-')
    return 0;
  switch (tag[0]) {
  case 's':
  case 'p':
    return SOCK_STREAM;
  case 't':
  case 'q':
    return SOCK_SEQPACKET;
  case 'd':
  case 'g':
    return SOCK_DGRAM;
  default:
    return 0;
  }
}

int ipcx__unix_socket(int type, int flags)
{
  struct ipcx__file *f;
  HANDLE h = placeholder();

  if (h == INVALID_HANDLE_VALUE)
    return ipcx__fail_win32(GetLastError());
  f = new_file(h, (flags & SOCK_NONBLOCK) != 0);
  if (f == NULL) {
    CloseHandle(h);
    return ipcx__fail(ENOMEM);
  }
  us(f)->type = type;
  return install(f, (flags & SOCK_CLOEXEC) != 0);
}

/* A connected description for pipe handle h (message read mode already set). */
static struct ipcx__file *connected_file(HANDLE h, int nonblock, DWORD peer_pid)
{
  struct ipcx__file *f = new_file(h, nonblock);

  if (f == NULL)
    return NULL;
  us(f)->state = ST_CONNECTED;
  us(f)->peer_pid = peer_pid;
  return f;
}

static int set_message_mode(HANDLE h)
{
  DWORD mode = PIPE_READMODE_MESSAGE;

  return SetNamedPipeHandleState(h, &mode, NULL, NULL) ? 0 : -1;
}

int ipcx__unix_socketpair(int type, int flags, int sv[2])
{
  struct ipcx__file *a, *b;
  HANDLE s, c;
  DWORD err;
  int nb = (flags & SOCK_NONBLOCK) != 0, cloexec = (flags & SOCK_CLOEXEC) != 0;
  const char *tag = type == SOCK_STREAM ? "p" : type == SOCK_SEQPACKET ? "q" : "d";

  err = ipcx__pipe_pair_open(&s, &c, PIPE_CAPACITY, PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE,
                             GENERIC_READ | GENERIC_WRITE, FILE_FLAG_OVERLAPPED, tag);
  if (err != ERROR_SUCCESS)
    return ipcx__fail_win32(err);
  if (set_message_mode(c) < 0) {
    err = GetLastError();
    CloseHandle(s);
    CloseHandle(c);
    return ipcx__fail_win32(err);
  }
  a = connected_file(s, nb, GetCurrentProcessId());
  b = a != NULL ? connected_file(c, nb, GetCurrentProcessId()) : NULL;
  if (a == NULL || b == NULL) {
    if (a != NULL)
      ipcx__file_unref(a);
    else
      CloseHandle(s);
    CloseHandle(c);
    return ipcx__fail(ENOMEM);
  }
  us(a)->type = us(b)->type = type;
  us(a)->local.sun_family = us(b)->local.sun_family = AF_UNIX;
  us(a)->peer.sun_family = us(b)->peer.sun_family = AF_UNIX;
  us(a)->local_len = us(b)->local_len = sizeof(ADDRESS_FAMILY);
  us(a)->peer_len = us(b)->peer_len = sizeof(ADDRESS_FAMILY);
  sv[0] = install(a, cloexec);
  if (sv[0] < 0) {
    ipcx__file_unref(b);
    return -1;
  }
  sv[1] = install(b, cloexec);
  if (sv[1] < 0) {
    int e = errno;
    ipcx_close(sv[0]);
    return ipcx__fail(e);
  }
  return 0;
}

/*
 * 1 if h (a pipe handle from elsewhere, e.g. inherited through posix_spawn)
 * is an ipcx socket: a message-type pipe with one of our socket names.
 */
static int handle_type(HANDLE h)
{
  char buf[sizeof(FILE_NAME_INFO) + 64 * sizeof(WCHAR)], tag[2];
  FILE_NAME_INFO *fi = (FILE_NAME_INFO *)buf;
  DWORD flags = 0;

  if (!GetNamedPipeInfo(h, &flags, NULL, NULL, NULL) || !(flags & PIPE_TYPE_MESSAGE))
    return 0;
  if (!GetFileInformationByHandleEx(h, FileNameInfo, fi, sizeof buf) ||
      fi->FileNameLength < 8 * sizeof(WCHAR) || wcsncmp(fi->FileName, L"\\ipcx-", 6) != 0)
    return 0;
  tag[0] = (char)fi->FileName[6];
  tag[1] = (char)fi->FileName[7];
  return type_of_tag(tag);
}

int ipcx__unix_is_socket_handle(HANDLE h)
{
  return handle_type(h) != 0;
}

/* A connected socket for an inherited handle h (owned from now on). */
struct ipcx__file *ipcx__unix_adopt(HANDLE h)
{
  struct ipcx__file *f;
  int type = handle_type(h);

  set_message_mode(h);
  f = connected_file(h, 0, 0);
  if (f == NULL)
    return NULL;
  us(f)->type = type != 0 ? type : SOCK_STREAM;
  us(f)->hello_pending = 1;     /* taken only if the first message is one */
  us(f)->local.sun_family = us(f)->peer.sun_family = AF_UNIX;
  us(f)->local_len = us(f)->peer_len = sizeof(ADDRESS_FAMILY);
  return f;
}

/* --- addresses ---------------------------------------------------------- */

/*
 * Check a sockaddr_un as Linux does; copy it to *out (sun_path terminated,
 * as the kernel terminates it) and return 1 for a path, 2 for an abstract
 * name, or -1/errno.
 */
static int parse_addr(const struct sockaddr *addr, socklen_t len, struct sockaddr_un *out,
                      socklen_t *outlen)
{
  if (addr == NULL)
    return ipcx__fail(EFAULT);
  if (len <= SUN_OFF || len > (socklen_t)sizeof *out)
    return ipcx__fail(EINVAL);
  if (addr->sa_family != AF_UNIX)
    return ipcx__fail(EINVAL);
  memset(out, 0, sizeof *out);
  memcpy(out, addr, (size_t)len);
  if (out->sun_path[0] != 0) {
    char path[sizeof out->sun_path + 1];
    memcpy(path, out->sun_path, (size_t)(len - SUN_OFF));
    path[len - SUN_OFF] = 0;
    /* Linux counts the NUL even when all 108 bytes are path: its name is then
     * 111 bytes, one more than the structure (unix(7)). */
    *outlen = SUN_OFF + (socklen_t)strlen(path) + 1;
    return 1;
  }
  *outlen = len;
  return 2;
}

/* The path of a parsed address (sun_path may fill all 108 bytes). */
static void addr_path(const struct sockaddr_un *a, char *path)
{
  memcpy(path, a->sun_path, sizeof a->sun_path);
  path[sizeof a->sun_path] = 0;
}

/* The kernel-object name for an abstract address. */
static void abstract_name(const struct sockaddr_un *a, socklen_t len, char *name, size_t size)
{
  static const char hex[] = "0123456789abcdef";
  size_t i, n = (size_t)(len - SUN_OFF) - 1, k;

  k = (size_t)snprintf(name, size, "Local\\ipcx-unix-");
  for (i = 0; i < n && k + 2 < size; i++) {
    unsigned char c = (unsigned char)a->sun_path[1 + i];
    name[k++] = hex[c >> 4];
    name[k++] = hex[c & 15];
  }
  name[k] = 0;
}

static int copy_addr(const struct sockaddr_un *a, socklen_t alen, struct sockaddr *addr,
                     socklen_t *len)
{
  socklen_t n;

  if (addr == NULL || len == NULL)
    return ipcx__fail(EFAULT);
  if (*len < 0)
    return ipcx__fail(EINVAL);
  n = *len < alen ? *len : alen;
  if (n > (socklen_t)sizeof *a) {
    /* A 108-byte path: the NUL Linux counts lies past the structure. */
    memset((char *)addr + sizeof *a, 0, (size_t)n - sizeof *a);
    n = sizeof *a;
  }
  memcpy(addr, a, (size_t)n);
  *len = alen;
  return 0;
}

/* --- the rendezvous record ------------------------------------------------ */

static int format_record(char *buf, size_t size, const char *pipe_name)
{
  return snprintf(buf, size, "%spid=%lu\npipe=%s\n", RECORD_MAGIC,
                  (unsigned long)GetCurrentProcessId(), pipe_name);
}

/* Parse a record; 0 on success. */
static int parse_record(const char *buf, char *pipe_name, size_t size, DWORD *pid)
{
  const char *p, *q;
  size_t n;

  if (strncmp(buf, RECORD_MAGIC, strlen(RECORD_MAGIC)) != 0)
    return -1;
  p = strstr(buf, "pid=");
  if (p != NULL)
    *pid = strtoul(p + 4, NULL, 10);
  p = strstr(buf, "pipe=");
  if (p == NULL)
    return -1;
  p += 5;
  q = strchr(p, '\n');
  n = q != NULL ? (size_t)(q - p) : strlen(p);
  if (n == 0 || n >= size)
    return -1;
  memcpy(pipe_name, p, n);
  pipe_name[n] = 0;
  return 0;
}

/* Read the record of a socket file: 0, or -1/errno as connect() gives it. */
static int read_record_file(const char *path, char *pipe_name, size_t size, DWORD *pid)
{
  char buf[512];
  DWORD n = 0, attrs;
  HANDLE h;

  h = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                  NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
  if (h == INVALID_HANDLE_VALUE) {
    DWORD err = GetLastError();
    attrs = GetFileAttributesA(path);
    if (attrs != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_DIRECTORY))
      return ipcx__fail(ECONNREFUSED);
    return ipcx__fail_win32(err);
  }
  if (!ReadFile(h, buf, sizeof buf - 1, &n, NULL))
    n = 0;
  CloseHandle(h);
  buf[n] = 0;
  if (parse_record(buf, pipe_name, size, pid) < 0)
    return ipcx__fail(ECONNREFUSED);   /* not a socket: Linux says the same */
  return 0;
}

static int read_record_abstract(const struct sockaddr_un *a, socklen_t len, char *pipe_name,
                                size_t size, DWORD *pid)
{
  char name[300], buf[512];
  HANDLE m;
  void *view;

  abstract_name(a, len, name, sizeof name);
  m = OpenFileMappingA(FILE_MAP_READ, FALSE, name);
  if (m == NULL)
    return ipcx__fail(ECONNREFUSED);
  view = MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0);
  if (view == NULL) {
    CloseHandle(m);
    return ipcx__fail(ECONNREFUSED);
  }
  memcpy(buf, view, sizeof buf - 1);
  buf[sizeof buf - 1] = 0;
  UnmapViewOfFile(view);
  CloseHandle(m);
  if (parse_record(buf, pipe_name, size, pid) < 0)
    return ipcx__fail(ECONNREFUSED);
  return 0;
}

/* --- bind, listen, accept, connect --------------------------------------- */

static int bind_path(struct usock *s, const char *path)
{
  char rec[256];
  DWORD n, err, attrs;
  HANDLE h;
  int len;

  h = CreateFileA(path, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_DELETE, owner_only(),
                  CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
  if (h == INVALID_HANDLE_VALUE) {
    err = GetLastError();
    if (err == ERROR_FILE_EXISTS || err == ERROR_ALREADY_EXISTS)
      return ipcx__fail(EADDRINUSE);
    attrs = GetFileAttributesA(path);
    if (err == ERROR_ACCESS_DENIED && attrs != INVALID_FILE_ATTRIBUTES)
      return ipcx__fail(EADDRINUSE);   /* a directory or a file we may not touch */
    return ipcx__fail_win32(err);
  }
  len = format_record(rec, sizeof rec, s->pipe_name);
  if (!WriteFile(h, rec, (DWORD)len, &n, NULL) || n != (DWORD)len) {
    err = GetLastError();
    CloseHandle(h);
    DeleteFileA(path);
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

  abstract_name(a, len, name, sizeof name);
  m = CreateFileMappingA(INVALID_HANDLE_VALUE, owner_only(), PAGE_READWRITE, 0, 4096, name);
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
  format_record(rec, sizeof rec, s->pipe_name);
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
    kind = parse_addr(addr, len, &a, &alen);
    if (kind < 0)
      return -1;
  }
  AcquireSRWLockExclusive(&s->llock);
  if (s->bound || s->state == ST_LISTEN) {
    ReleaseSRWLockExclusive(&s->llock);
    /* Linux makes the file before it checks: an existing path is EADDRINUSE. */
    if (kind == 1) {
      addr_path(&a, path);
      if (GetFileAttributesA(path) != INVALID_FILE_ATTRIBUTES)
        return ipcx__fail(EADDRINUSE);
    }
    return ipcx__fail(EINVAL);
  }
  ipcx__pipe_name(s->pipe_name, sizeof s->pipe_name,
                  s->type == SOCK_STREAM ? "s" : s->type == SOCK_SEQPACKET ? "t" : "g");
  if (kind == 3) {
    r = autobind(s);
  } else if (kind == 1) {
    addr_path(&a, path);
    r = bind_path(s, path);
  } else {
    r = bind_abstract(s, &a, alen);
  }
  if (r == 0 && kind != 3) {
    s->local = a;
    s->local_len = alen;
  }
  if (r == 0 && dgram(s) && mailbox_start(f) < 0) {
    int e = errno;
    if (s->guard != NULL) {
      CloseHandle(s->guard);    /* the name goes again */
      s->guard = NULL;
    } else if (kind == 1) {
      DeleteFileA(path);
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

/* Make instance i and start waiting for a client on it; 0 or a Win32 error. */
static DWORD make_instance(struct usock *s, int i, int first)
{
  struct instance *in = &s->inst[i];
  DWORD err;

  in->ov.hEvent = s->accept_ev;
  in->h = ipcx__pipe_listen(s->pipe_name, first, PIPE_CAPACITY, PIPE_CAPACITY, owner_only(),
                            &in->ov, &in->ready, &err);
  if (in->h == NULL)
    return err;
  /* Starting an overlapped call resets the shared event: announce again. */
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
  if (s->accept_ev == NULL)
    s->accept_ev = CreateEventW(NULL, TRUE, FALSE, NULL);
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
    close_listener(s);
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

  for (i = 0; i < s->ninst; i++) {
    struct instance *in = &s->inst[i];
    if (in->h == NULL) {
      make_instance(s, i, 0);   /* an earlier replacement failed: try again */
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
    make_instance(s, i, 0);     /* the replacement, before handing this one out */
    return h;
  }
  return NULL;
}

int ipcx__unix_accept(struct ipcx__file *f, struct sockaddr *addr, socklen_t *len, int flags)
{
  struct usock *s = us(f);
  struct ipcx__file *c;
  HANDLE h;
  DWORD w;

  if (s->type == SOCK_DGRAM)
    return ipcx__fail(EOPNOTSUPP);
  if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
    return ipcx__fail(EINVAL);
  if (addr != NULL && len == NULL)
    return ipcx__fail(EFAULT);
  if (len != NULL && *len < 0)
    return ipcx__fail(EINVAL);
  for (;;) {
    AcquireSRWLockExclusive(&s->llock);
    if (s->state != ST_LISTEN || s->shut_rd) {
      ReleaseSRWLockExclusive(&s->llock);
      return ipcx__fail(EINVAL);   /* Linux: also after shutdown(SHUT_RD) of the listener */
    }
    ResetEvent(s->accept_ev);
    h = take_instance(s);
    ReleaseSRWLockExclusive(&s->llock);
    if (h != NULL)
      break;
    if (f->flags & O_NONBLOCK)
      return ipcx__fail(EAGAIN);
    w = ipcx__wait1(s->accept_ev, s->rcvtimeo ? s->rcvtimeo : INFINITE, IPCX__WAIT_INTR);
    if (w == IPCX__WAIT_INTERRUPTED && !s->rcvtimeo && ipcx__wait_restart())
      continue;                 /* SA_RESTART, and no SO_RCVTIMEO (signal(7)) */
    if (w == IPCX__WAIT_INTERRUPTED)
      return ipcx__fail(EINTR);
    if (w == WAIT_TIMEOUT)
      return ipcx__fail(EAGAIN);
    if (w != WAIT_OBJECT_0)
      return ipcx__fail_win32(GetLastError());
  }
  c = connected_file(h, (flags & SOCK_NONBLOCK) != 0, 0);
  if (c == NULL) {
    CloseHandle(h);
    return ipcx__fail(ENOMEM);
  }
  us(c)->hello_pending = 1;
  us(c)->type = s->type;
  us(c)->local = s->local;
  us(c)->local_len = s->local_len;
  us(c)->peer.sun_family = AF_UNIX;
  us(c)->peer_len = sizeof(ADDRESS_FAMILY);
  if (addr != NULL)
    copy_addr(&us(c)->peer, us(c)->peer_len, addr, len);
  return install(c, (flags & SOCK_CLOEXEC) != 0);
}

int ipcx__unix_connect(struct ipcx__file *f, const struct sockaddr *addr, socklen_t len)
{
  struct usock *s = us(f);
  struct sockaddr_un a;
  char path[sizeof a.sun_path + 1], name[256];
  struct hello hello;
  socklen_t alen;
  DWORD pid = 0, err, put;
  HANDLE h, old;
  int kind;

  if (dgram(s))
    return dgram_connect(f, addr, len);
  kind = parse_addr(addr, len, &a, &alen);
  if (kind < 0)
    return -1;
  if (s->state == ST_CONNECTED)
    return ipcx__fail(EISCONN);
  if (s->state == ST_LISTEN)
    return ipcx__fail(EINVAL);
  if (kind == 1) {
    addr_path(&a, path);
    if (read_record_file(path, name, sizeof name, &pid) < 0)
      return -1;
  } else if (read_record_abstract(&a, alen, name, sizeof name, &pid) < 0) {
    return -1;
  }
  if (strncmp(name, "\\\\.\\pipe\\ipcx-", 14) == 0 && type_of_tag(name + 14) != 0 &&
      type_of_tag(name + 14) != s->type)
    return ipcx__fail(EPROTOTYPE);      /* a listener of another type, as Linux says */
  for (;;) {
    h = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                    FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, NULL);
    if (h != INVALID_HANDLE_VALUE)
      break;
    err = GetLastError();
    if (err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND || err == ERROR_BAD_PATHNAME)
      return ipcx__fail(ECONNREFUSED);      /* a stale file: nobody listens */
    if (err != ERROR_PIPE_BUSY)
      return ipcx__fail_win32(err);
    /* The backlog is full: Linux makes a blocking connect wait for room. */
    if (f->flags & O_NONBLOCK)
      return ipcx__fail(EAGAIN);
    WaitNamedPipeA(name, 1000);
  }
  if (set_message_mode(h) < 0) {
    err = GetLastError();
    CloseHandle(h);
    return ipcx__fail_win32(err);
  }
  hello.magic = HELLO_MAGIC;
  hello.pid = GetCurrentProcessId();
  /* A server that accepted and closed already makes this fail: connect()
   * still succeeds, as on Linux, and the first read() is EOF. */
  ipcx__io_write(h, &hello, sizeof hello, &put, INFINITE);
  EnterCriticalSection(&f->lock);
  old = f->h;
  f->h = h;
  s->state = ST_CONNECTED;
  s->peer_pid = pid;
  s->peer = a;
  s->peer_len = alen;
  if (s->local_len == 0) {
    s->local.sun_family = AF_UNIX;
    s->local_len = sizeof(ADDRESS_FAMILY);
  }
  LeaveCriticalSection(&f->lock);
  CloseHandle(old);
  return 0;
}

/* --- reading ------------------------------------------------------------ */

/*
 * Wait for overlapped call ov on f->h: timeout_ms as for reads (INFINITE, or
 * a limit), ending early when wake is signalled (the call is then cancelled:
 * what it got before the cancel still counts).  Returns ERROR_SUCCESS,
 * ERROR_MORE_DATA, WAIT_TIMEOUT, ERROR_OPERATION_ABORTED (woken) or the error.
 */
static DWORD wait_io(HANDLE h, OVERLAPPED *ov, HANDLE wake, DWORD timeout_ms, DWORD *n)
{
  HANDLE hs[2] = { ov->hEvent, wake };
  DWORD w, cause = 0;

  w = ipcx__wait(wake != NULL ? 2 : 1, hs, timeout_ms, IPCX__WAIT_INTR);
  if (w != WAIT_OBJECT_0) {
    cause = w == WAIT_TIMEOUT || w == IPCX__WAIT_INTERRUPTED ? w : ERROR_OPERATION_ABORTED;
    CancelIoEx(h, ov);
  }
  if (GetOverlappedResult(h, ov, n, TRUE))
    return ERROR_SUCCESS;
  w = GetLastError();
  if (w == ERROR_OPERATION_ABORTED && cause != 0)
    return *n > 0 ? ERROR_SUCCESS : cause;
  return w;
}

static void set_eof(struct usock *s, LONG how)
{
  InterlockedCompareExchange(&s->eof, how, EOF_NONE);
  if (s->type != SOCK_DGRAM)
    SetEvent(s->rd_wake);       /* a datagram reader waits on: nothing ends its reads */
}

/* One read of the pipe into buf; handles the EOF mark and the close. */
static DWORD pipe_read(struct ipcx__file *f, HANDLE ev, void *buf, DWORD n, DWORD timeout_ms,
                       DWORD *got)
{
  struct usock *s = us(f);
  OVERLAPPED ov;
  DWORD err;

  memset(&ov, 0, sizeof ov);
  ov.hEvent = ev;
  *got = 0;
  if (ReadFile(f->h, buf, n, NULL, &ov)) {
    GetOverlappedResult(f->h, &ov, got, FALSE);
    err = ERROR_SUCCESS;
  } else {
    err = GetLastError();
    if (err == ERROR_MORE_DATA)
      GetOverlappedResult(f->h, &ov, got, FALSE);
    else if (err == ERROR_IO_PENDING)
      err = wait_io(f->h, &ov, s->rd_wake, timeout_ms, got);
  }
  return err;
}

/* Interpret a read's outcome: 1 data (*got), 0 EOF, -1 nothing (err kept). */
static int outcome(struct usock *s, DWORD err, DWORD got)
{
  if (err == ERROR_SUCCESS || err == ERROR_MORE_DATA) {
    if (got > 0 || err == ERROR_MORE_DATA)
      return 1;
    set_eof(s, EOF_MARK);       /* the zero-length message: the peer's SHUT_WR */
    return 0;
  }
  if (err == ERROR_BROKEN_PIPE || err == ERROR_PIPE_NOT_CONNECTED || err == ERROR_HANDLE_EOF ||
      err == ERROR_NO_DATA) {
    set_eof(s, EOF_CLOSED);
    return 0;
  }
  return -1;
}

/* Take the client's hello (first message on an accepted connection): 1 if it was one. */
static int take_hello(struct usock *s, const char *buf, DWORD got)
{
  struct hello h;

  if (got != sizeof h)
    return 0;
  memcpy(&h, buf, sizeof h);
  if (h.magic != HELLO_MAGIC)
    return 0;
  s->peer_pid = h.pid;
  return 1;
}

/* Post the read-ahead (rd_lock held); it may complete at once. */
static int ra_post(struct ipcx__file *f)
{
  struct usock *s = us(f);
  DWORD err;

  if (s->ra_buf == NULL && (s->ra_buf = malloc(RA_SIZE)) == NULL)
    return ipcx__fail(ENOMEM);
  s->ra_ov.Internal = s->ra_ov.InternalHigh = 0;
  s->ra_ov.Offset = s->ra_ov.OffsetHigh = 0;
  if (!ReadFile(f->h, s->ra_buf, s->hello_pending ? sizeof(struct hello) : RA_SIZE, NULL,
                &s->ra_ov)) {
    err = GetLastError();
    if (err != ERROR_IO_PENDING && err != ERROR_MORE_DATA) {
      if (outcome(s, err, 0) < 0)
        return ipcx__fail(ipcx__errno_read(err));
      return 0;
    }
  }
  s->ra_pending = 1;
  return 0;
}

/*
 * Collect the read-ahead (rd_lock held).  timeout_ms 0: only if it is done.
 * Returns 1 when there is something to look at again (data, EOF, a hello
 * taken), 0 when it is still pending, -1/errno.
 */
static int ra_collect(struct ipcx__file *f, DWORD timeout_ms)
{
  struct usock *s = us(f);
  DWORD err, got = 0;

  if (!s->ra_pending)
    return 1;
  if (timeout_ms == 0) {
    if (!HasOverlappedIoCompleted(&s->ra_ov))
      return 0;
    err = GetOverlappedResult(f->h, &s->ra_ov, &got, FALSE) ? ERROR_SUCCESS : GetLastError();
  } else {
    err = wait_io(f->h, &s->ra_ov, s->rd_wake, timeout_ms, &got);
    if (err == WAIT_TIMEOUT) {
      s->ra_pending = 0;
      return ipcx__fail(EAGAIN);
    }
    if (err == IPCX__WAIT_INTERRUPTED) {
      s->ra_pending = 0;
      return !s->rcvtimeo && ipcx__wait_restart() ? 1 : ipcx__fail(EINTR);
    }
  }
  s->ra_pending = 0;
  if (err == ERROR_OPERATION_ABORTED)
    return 1;                   /* woken: the caller looks at the flags again */
  if (s->hello_pending && err != ERROR_OPERATION_ABORTED) {
    s->hello_pending = 0;
    if (err == ERROR_SUCCESS && take_hello(s, s->ra_buf, got))
      return 1;
    /* Not a hello (an inherited socket whose hello was read before): data. */
  }
  switch (outcome(s, err, got)) {
  case 1:
    s->ra_len = got;
    s->ra_off = 0;
    return 1;
  case 0:
    return 1;
  default:
    return ipcx__fail(ipcx__errno_read(err));
  }
}

/*
 * Before a socket's handle goes to a child (spawn.c): a read-ahead still
 * pending here (left by poll(), MSG_PEEK or a nonblocking read) would take
 * the bytes the child is meant to read.  Cancel it.  Bytes that had already
 * arrived stay in this process's buffer (README, differences).
 */
void ipcx__unix_before_spawn(struct ipcx__file *f)
{
  struct usock *s = us(f);

  if (s == NULL || !s->ra_pending || !TryEnterCriticalSection(&s->rd_lock))
    return;                     /* nothing pending, or a reader is blocked in it */
  if (s->ra_pending) {
    ipcx__io_cancel(f->h, &s->ra_ov);
    ra_collect(f, 0);
  }
  LeaveCriticalSection(&s->rd_lock);
}

static int rd_closed(struct usock *s)
{
  return s->eof != EOF_NONE || s->shut_rd;
}

/* One recv: at most n bytes, or 0 at EOF, or -1/errno (rd_lock held). */
static ssize_t recv_once(struct ipcx__file *f, char *buf, size_t n, int peek, int nonblock)
{
  struct usock *s = us(f);
  DWORD timeout = nonblock ? 0 : s->rcvtimeo ? s->rcvtimeo : INFINITE;
  DWORD got, err;
  int r;

  for (;;) {
    if (s->ra_len > s->ra_off) {
      size_t k = s->ra_len - s->ra_off;
      if (k > n)
        k = n;
      memcpy(buf, s->ra_buf + s->ra_off, k);
      if (!peek)
        s->ra_off += (DWORD)k;
      return (ssize_t)k;
    }
    if (rd_closed(s) && !s->ra_pending)
      return 0;
    if (s->ra_pending || s->hello_pending || peek || nonblock) {
      if (!s->ra_pending && ra_post(f) < 0)
        return -1;
      if (!s->ra_pending)
        continue;               /* it failed at once: EOF, look again */
      r = ra_collect(f, timeout);
      if (r < 0)
        return -1;
      if (r == 0)
        return rd_closed(s) ? 0 : ipcx__fail(EAGAIN);
      if (s->shut_rd && s->ra_len == s->ra_off)
        return 0;
      continue;
    }
    err = pipe_read(f, ipcx__thread_event(), buf, n > 0x7ffff000 ? 0x7ffff000 : (DWORD)n,
                    timeout, &got);
    if (err == WAIT_TIMEOUT)
      return ipcx__fail(EAGAIN);
    if (err == ERROR_OPERATION_ABORTED ||
        (err == IPCX__WAIT_INTERRUPTED && !s->rcvtimeo && ipcx__wait_restart()))
      continue;                 /* woken by EOF or shutdown, or SA_RESTART: look again */
    r = outcome(s, err, got);
    if (r > 0)
      return (ssize_t)got;
    if (r == 0)
      return 0;
    return ipcx__fail(ipcx__errno_read(err));
  }
}

/*
 * SOCK_SEQPACKET and SOCK_DGRAM: each send() is one pipe message, a tag byte
 * and the bytes (so an empty record is not the EOF mark), at most MSG_MAX
 * bytes, which the read-ahead buffer always takes whole.  recv() gives one
 * record: what fits in n, the rest dropped (with MSG_TRUNC, the record's real
 * length is returned).  A datagram pair's reader never sees EOF: once the
 * peer has gone, recv() waits (or EAGAIN) as on Linux, and send() is
 * ECONNREFUSED.
 */
#define MSG_MAX (RA_SIZE - 1)

/* A datagram socket nothing can reach (unbound, or a pair whose peer has
 * gone): Linux waits on; 0 after our own shutdown(SHUT_RD), else EAGAIN. */
static ssize_t dgram_nothing(struct usock *s, int nonblock)
{
  if (!nonblock && !s->shut_rd)
    ipcx__wait1(s->rd_wake, s->rcvtimeo ? s->rcvtimeo : INFINITE, 0);
  return s->shut_rd ? 0 : ipcx__fail(EAGAIN);
}

/* recv() on a record socket (rd_lock held): one record, cut to n. */
static ssize_t recv_record(struct ipcx__file *f, char *buf, size_t n, int flags, int nonblock)
{
  struct usock *s = us(f);
  size_t head = 1, len;
  ssize_t r;
  char c;

  r = recv_once(f, &c, 1, 1, nonblock);   /* a whole record into the read-ahead, or EOF */
  if (r == 0 && s->type == SOCK_DGRAM)
    return dgram_nothing(s, nonblock);     /* a datagram pair's peer going is no EOF */
  if (r <= 0)
    return r;
  s->from_len = 0;
  if (s->ra_buf[s->ra_off] == 'G' && s->ra_len - s->ra_off >= 2) {
    /* From a datagram socket: the sender's address comes first. */
    size_t alen = (unsigned char)s->ra_buf[s->ra_off + 1];
    if (2 + alen <= s->ra_len - s->ra_off && alen <= sizeof s->from) {
      head = 2 + alen;
      memcpy(&s->from, s->ra_buf + s->ra_off + 2, alen);
      s->from_len = (socklen_t)alen;
    }
  }
  len = s->ra_len - s->ra_off - head;
  if (n > 0)
    memcpy(buf, s->ra_buf + s->ra_off + head, n < len ? n : len);
  if (!(flags & MSG_PEEK))
    s->ra_off = s->ra_len;
  return (flags & MSG_TRUNC) || len < n ? (ssize_t)len : (ssize_t)n;
}

static ssize_t send_message(struct ipcx__file *f, const void *buf, size_t n, int flags)
{
  struct usock *s = us(f);
  char stack[2048], *m;
  DWORD put, err;
  ssize_t r;

  if (n > 0 && buf == NULL)
    return ipcx__fail(EFAULT);
  if (n > MSG_MAX)
    return ipcx__fail(EMSGSIZE);
  m = n < sizeof stack ? stack : malloc(n + 1);
  if (m == NULL)
    return ipcx__fail(ENOMEM);
  m[0] = 'D';
  if (n > 0)
    memcpy(m + 1, buf, n);
  if ((f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT)) {
    r = ipcx__io_write_nonblock(f, m, n + 1, PIPE_CAPACITY);
    if (r > 0)
      r -= 1;
  } else {
    err = ipcx__io_drain(f);    /* keep the order of earlier nonblocking writes */
    if (err == ERROR_SUCCESS)
      err = ipcx__io_write(f->h, m, (DWORD)(n + 1), &put, s->sndtimeo ? s->sndtimeo : INFINITE);
    if (err == ERROR_SUCCESS) {
      r = (ssize_t)n;
    } else if (err == WAIT_TIMEOUT) {
      r = ipcx__fail(EAGAIN);
    } else {
      SetLastError(err);
      r = ipcx__fail(ipcx__errno_write(err));
    }
  }
  if (m != stack)
    free(m);
  if (r < 0 && errno == EPIPE && s->type == SOCK_DGRAM && !s->shut_wr)
    errno = ECONNREFUSED;       /* Linux: the datagram peer is not there */
  return r;
}

ssize_t ipcx__unix_recv(struct ipcx__file *f, void *buf, size_t n, int flags)
{
  struct usock *s = us(f);
  int nonblock = (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
  size_t done = 0;
  ssize_t r;

  if (dgram(s) && s->mb == NULL)
    return dgram_nothing(s, nonblock);     /* unbound: nobody can send to it */
  if (s->state != ST_CONNECTED && !dgram(s))
    return ipcx__fail(EINVAL);
  if (flags & MSG_OOB)
    return ipcx__fail(EOPNOTSUPP);
  if (n == 0 && s->type == SOCK_STREAM) {
    /* Linux: 0 once there is data or EOF; until then EAGAIN, or wait. */
    char c;
    r = ipcx__unix_recv(f, &c, 1, flags | MSG_PEEK);
    return r < 0 ? -1 : 0;
  }
  if (n > 0 && buf == NULL)
    return ipcx__fail(EFAULT);
  if (nonblock) {
    if (!TryEnterCriticalSection(&s->rd_lock))
      return ipcx__fail(EAGAIN);
  } else {
    EnterCriticalSection(&s->rd_lock);
  }
  if (s->type != SOCK_STREAM) {
    r = recv_record(f, buf, n, flags, nonblock);
  } else {
    do {
      r = recv_once(f, (char *)buf + done, n - done, (flags & MSG_PEEK) != 0, nonblock);
      if (r <= 0)
        break;
      done += (size_t)r;
    } while ((flags & MSG_WAITALL) && !(flags & MSG_PEEK) && !nonblock && done < n);
  }
  LeaveCriticalSection(&s->rd_lock);
  if (s->poll_waits && InterlockedExchange(&s->poll_waits, 0))
    SetEvent(s->rd_done);       /* a poll() found us reading: its turn now */
  if (done > 0)
    return (ssize_t)done;
  return r;
}

/* --- writing ------------------------------------------------------------ */

ssize_t ipcx__unix_send(struct ipcx__file *f, const void *buf, size_t n, int flags)
{
  struct usock *s = us(f);
  const char *p = buf;
  size_t done = 0;
  DWORD put, err = ERROR_SUCCESS;

  if (dgram(s))
    return ipcx__unix_dgram_send(f, buf, n, flags, NULL, 0);
  if (s->state != ST_CONNECTED)
    return ipcx__fail(ENOTCONN);
  if (flags & MSG_OOB)
    return ipcx__fail(EOPNOTSUPP);
  if (s->shut_wr)
    return ipcx__fail(EPIPE);
  if (s->type != SOCK_STREAM)
    return send_message(f, buf, n, flags);
  if (n == 0)
    return 0;                   /* never a zero-length message: that is the EOF mark */
  if (buf == NULL)
    return ipcx__fail(EFAULT);
  if ((f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT))
    return ipcx__io_write_nonblock(f, buf, n, PIPE_CAPACITY);
  err = ipcx__io_drain(f);      /* keep the order of earlier nonblocking writes */
  while (err == ERROR_SUCCESS && done < n) {
    size_t chunk = n - done;
    if (chunk > 0x40000000)
      chunk = 0x40000000;
    err = ipcx__io_write(f->h, p + done, (DWORD)chunk, &put,
                         s->sndtimeo ? s->sndtimeo : INFINITE);
    done += put;
  }
  if (done > 0)
    return (ssize_t)done;
  if (err == WAIT_TIMEOUT)
    return ipcx__fail(EAGAIN);
  SetLastError(err);
  return ipcx__fail(ipcx__errno_write(err));
}

static ssize_t unix_read(struct ipcx__file *f, int fd, void *buf, size_t n, int nonblock)
{
  (void)fd;
  if (n == 0)
    return 0;                   /* read() of nothing is 0 at once; recv() of nothing waits */
  return ipcx__unix_recv(f, buf, n, nonblock ? MSG_DONTWAIT : 0);
}

static ssize_t unix_write(struct ipcx__file *f, int fd, const void *buf, size_t n, int nonblock)
{
  (void)fd;
  return ipcx__unix_send(f, buf, n, nonblock ? MSG_DONTWAIT : 0);
}

int ipcx__unix_shutdown(struct ipcx__file *f, int how)
{
  struct usock *s = us(f);
  DWORD put, err;

  if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
    return ipcx__fail(EINVAL);
  /* Linux accepts shutdown() on any AF_UNIX socket, connected or not. */
  if ((how == SHUT_WR || how == SHUT_RDWR) && InterlockedExchange(&s->shut_wr, 1) == 0 &&
      s->state == ST_CONNECTED && s->type != SOCK_DGRAM) {   /* a datagram peer is not told */
    ipcx__io_drain(f);
    err = ipcx__io_write(f->h, "", 0, &put, INFINITE);   /* the EOF mark */
    (void)err;                  /* a peer already gone needs no mark */
  }
  if (how == SHUT_RD || how == SHUT_RDWR) {
    InterlockedExchange(&s->shut_rd, 1);
    SetEvent(s->rd_wake);       /* blocked readers return 0, as on Linux */
    if (s->accept_ev != NULL)
      SetEvent(s->accept_ev);   /* and blocked accept() calls EINVAL */
  }
  return 0;
}

int ipcx__unix_nread(struct ipcx__file *f, int *n)
{
  struct usock *s = us(f);
  DWORD avail = 0, ra;

  if (s->state == ST_LISTEN)
    return ipcx__fail(EINVAL);
  if (s->state != ST_CONNECTED && !(dgram(s) && s->mb != NULL)) {
    *n = 0;
    return 0;
  }
  EnterCriticalSection(&s->rd_lock);
  ra = s->ra_len - s->ra_off;
  if (s->type != SOCK_STREAM) {
    /* A record socket: the length of the next record (its tag byte aside). */
    DWORD left = 0;
    if (ra == 0 && !s->hello_pending && PeekNamedPipe(f->h, NULL, 0, NULL, &avail, &left) &&
        avail > 0)
      ra = left;
    avail = 0;
    ra = ra > 0 ? ra - 1 : 0;
  } else if (!PeekNamedPipe(f->h, NULL, 0, NULL, &avail, NULL)) {
    avail = 0;                  /* the peer has gone: only what we hold */
  }
  if (s->hello_pending && avail >= sizeof(struct hello))
    avail -= sizeof(struct hello);
  LeaveCriticalSection(&s->rd_lock);
  avail += ra;
  *n = avail > INT_MAX ? INT_MAX : (int)avail;
  return 0;
}

/* --- readiness ------------------------------------------------------------ */

static short unix_poll(struct ipcx__file *f, short events, HANDLE wait[2], int *nwait)
{
  struct usock *s = us(f);
  short rev = 0;
  int readable = 0, locked, writable, hup;

  *nwait = 0;
  if (s->state == ST_LISTEN) {
    int i;
    AcquireSRWLockExclusive(&s->llock);
    ResetEvent(s->accept_ev);
    for (i = 0; i < s->ninst; i++)
      if (s->inst[i].h != NULL && (s->inst[i].ready || HasOverlappedIoCompleted(&s->inst[i].ov)))
        readable = 1;
    if (readable)
      SetEvent(s->accept_ev);   /* keep the news for accept() */
    ReleaseSRWLockExclusive(&s->llock);
    if (readable && (events & IPCX_POLLIN))
      return IPCX_POLLIN;
    wait[(*nwait)++] = s->accept_ev;
    return 0;
  }
  if (dgram(s) && s->mb == NULL) {
    /* An unbound datagram socket: writable, never readable. */
    if (events & IPCX_POLLOUT)
      return IPCX_POLLOUT;
    if (events & IPCX_POLLIN)
      wait[(*nwait)++] = s->rd_wake;
    return 0;
  }
  if (s->state != ST_CONNECTED && !dgram(s)) {
    /* Linux: an unconnected stream socket reports POLLOUT | POLLHUP. */
    return (short)((events & IPCX_POLLOUT) | IPCX_POLLHUP);
  }
  locked = TryEnterCriticalSection(&s->rd_lock);
  if (!locked) {
    /* A reader is at work: ask it to signal rd_done when it leaves, then look again. */
    InterlockedExchange(&s->poll_waits, 1);
    ResetEvent(s->rd_done);
    locked = TryEnterCriticalSection(&s->rd_lock);
  }
  if (locked) {
    for (;;) {
      if (s->ra_pending && ra_collect(f, 0) < 0)
        break;
      if (s->ra_len > s->ra_off || rd_closed(s))
        break;
      if (s->ra_pending || !(events & (IPCX_POLLIN | IPCX_POLLRDHUP)))
        break;
      if (ra_post(f) < 0)
        break;
    }
    readable = s->ra_len > s->ra_off || rd_closed(s);
    LeaveCriticalSection(&s->rd_lock);
  }
  if (s->eof == EOF_MARK) {
    /* After the peer's SHUT_WR nothing more is read: ask the pipe whether it went. */
    DWORD avail;
    if (!PeekNamedPipe(f->h, NULL, 0, NULL, &avail, NULL) &&
        (GetLastError() == ERROR_BROKEN_PIPE || GetLastError() == ERROR_PIPE_NOT_CONNECTED))
      InterlockedExchange(&s->eof, EOF_CLOSED);
  }
  writable = !f->pw.active || HasOverlappedIoCompleted(&f->pw.ov);
  hup = s->eof == EOF_CLOSED || (s->eof != EOF_NONE && s->shut_wr) || (s->shut_rd && s->shut_wr);
  if (s->type == SOCK_DGRAM && !s->shut_rd) {
    /* A datagram pair: the peer's going is no EOF; POLLIN means a datagram. */
    readable = s->ra_len > s->ra_off;
    hup = s->shut_wr && s->shut_rd;
    if (!readable && rd_closed(s) && (events & IPCX_POLLIN) && !(writable && (events & IPCX_POLLOUT))) {
      wait[(*nwait)++] = s->rd_wake;  /* only our own shutdown(SHUT_RD) changes it now */
      return 0;
    }
  }
  if (readable && (events & IPCX_POLLIN))
    rev |= IPCX_POLLIN;
  if (writable && (events & IPCX_POLLOUT))
    rev |= IPCX_POLLOUT;
  if (hup)
    rev |= IPCX_POLLHUP;
  if ((events & IPCX_POLLRDHUP) && ((s->eof != EOF_NONE && s->type != SOCK_DGRAM) || s->shut_rd))
    rev |= IPCX_POLLRDHUP;      /* the peer's SHUT_WR or close, or our SHUT_RD */
  if (rev != 0)
    return rev;
  if (events & (IPCX_POLLIN | IPCX_POLLRDHUP))
    wait[(*nwait)++] = locked ? s->ra_ov.hEvent : s->rd_done;
  if ((events & IPCX_POLLOUT) && f->pw.active)
    wait[(*nwait)++] = f->pw.ov.hEvent;
  return 0;
}

static const struct ipcx__ops unix_ops = {
  .kind = IPCX__KIND_SOCKET,
  .read = unix_read,
  .write = unix_write,
  .destroy = unix_destroy,
  .fstat = unix_fstat,
  .set_nonblock = unix_set_nonblock,
  .poll = unix_poll,
};

/* --- names and options ---------------------------------------------------- */

int ipcx__unix_name(struct ipcx__file *f, struct sockaddr *addr, socklen_t *len, int peer)
{
  struct usock *s = us(f);
  struct sockaddr_un a;

  if (peer) {
    if (s->state != ST_CONNECTED && !(dgram(s) && s->dconnected))
      return ipcx__fail(ENOTCONN);
    return copy_addr(&s->peer, s->peer_len, addr, len);
  }
  if (s->local_len == 0) {
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    return copy_addr(&a, sizeof(ADDRESS_FAMILY), addr, len);
  }
  return copy_addr(&s->local, s->local_len, addr, len);
}

/* The peer's pid (reads the hello first on an accepted connection). */
static DWORD peer_pid(struct ipcx__file *f)
{
  struct usock *s = us(f);

  if (s->hello_pending) {
    EnterCriticalSection(&s->rd_lock);
    while (s->hello_pending && !rd_closed(s)) {
      if (!s->ra_pending && ra_post(f) < 0)
        break;
      if (s->ra_pending && ra_collect(f, 5000) <= 0)
        break;
    }
    LeaveCriticalSection(&s->rd_lock);
  }
  return s->peer_pid;
}

/* Linux copies at most *len bytes of an option (a short buffer truncates). */
static int put_opt(void *val, socklen_t *len, const void *v, socklen_t n)
{
  if (*len > n)
    *len = n;
  memcpy(val, v, (size_t)*len);
  return 0;
}

static int put_int(void *val, socklen_t *len, int v)
{
  return put_opt(val, len, &v, sizeof v);
}

static int put_timeval(void *val, socklen_t *len, DWORD ms)
{
  struct timeval tv;

  tv.tv_sec = (long)(ms / 1000);
  tv.tv_usec = (long)(ms % 1000) * 1000;
  return put_opt(val, len, &tv, sizeof tv);
}

/*
 * Options Linux keeps on a local stream and reports back, though they change
 * nothing there: the slot that remembers name, or NULL.
 */
static int *remembered(struct usock *s, int name)
{
  static const int names[] = { SO_REUSEADDR, SO_KEEPALIVE, SO_DONTROUTE, SO_BROADCAST,
                               SO_OOBINLINE, SO_RCVLOWAT, SO_SNDLOWAT };
  size_t k;

  for (k = 0; k < sizeof names / sizeof names[0]; k++)
    if (names[k] == name)
      return &s->opts[k];
  return NULL;
}

int ipcx__unix_getsockopt(struct ipcx__file *f, int level, int name, void *val, socklen_t *len)
{
  struct usock *s = us(f);
  struct ucred cred;

  if (val == NULL || len == NULL)
    return ipcx__fail(EFAULT);
  if (*len < 0)
    return ipcx__fail(EINVAL);
  if (level != SOL_SOCKET)
    return ipcx__fail(EOPNOTSUPP);
  switch (name) {
  case SO_TYPE:
    return put_int(val, len, s->type);
  case SO_DOMAIN:
    return put_int(val, len, AF_UNIX);
  case SO_PROTOCOL_IPCX:
    return put_int(val, len, 0);
  case SO_ERROR:
    return put_int(val, len, 0);
  case SO_ACCEPTCONN:
    return put_int(val, len, s->state == ST_LISTEN);
  case SO_RCVBUF:
    return put_int(val, len, s->rcvbuf);
  case SO_SNDBUF:
    return put_int(val, len, s->sndbuf);
  case SO_RCVTIMEO:
    return put_timeval(val, len, s->rcvtimeo);
  case SO_SNDTIMEO:
    return put_timeval(val, len, s->sndtimeo);
  case SO_PEERCRED:
    memset(&cred, 0, sizeof cred);
    cred.pid = s->state == ST_CONNECTED ? (pid_t)peer_pid(f)
             : s->state == ST_LISTEN ? (pid_t)GetCurrentProcessId() : 0;
    cred.uid = -1;              /* Windows has no uid/gid: (uid_t)-1, "unknown" */
    cred.gid = -1;
    return put_opt(val, len, &cred, sizeof cred);
  case SO_LINGER:
    return put_opt(val, len, &s->linger, sizeof s->linger);
  default:
    if (remembered(s, name) == NULL)
      return ipcx__fail(ENOPROTOOPT);
    return put_int(val, len, *remembered(s, name));
  }
}

static int get_timeval(const void *val, socklen_t len, DWORD *ms)
{
  struct timeval tv;
  unsigned long long t;

  if (len < (socklen_t)sizeof tv)
    return ipcx__fail(EINVAL);
  memcpy(&tv, val, sizeof tv);
  if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
    return ipcx__fail(EDOM);
  if (tv.tv_sec < 0) {
    *ms = 0;                    /* Linux: a negative time means none */
    return 0;
  }
  t = (unsigned long long)tv.tv_sec * 1000 + (unsigned long long)(tv.tv_usec + 999) / 1000;
  *ms = t >= INFINITE ? INFINITE - 1 : (DWORD)t;
  return 0;
}

int ipcx__unix_setsockopt(struct ipcx__file *f, int level, int name, const void *val,
                          socklen_t len)
{
  struct usock *s = us(f);
  int v;

  if (val == NULL)
    return ipcx__fail(EFAULT);
  if (level != SOL_SOCKET)
    return ipcx__fail(EOPNOTSUPP);
  switch (name) {
  case SO_RCVTIMEO:
    return get_timeval(val, len, &s->rcvtimeo);
  case SO_SNDTIMEO:
    return get_timeval(val, len, &s->sndtimeo);
  case SO_RCVBUF:
  case SO_SNDBUF:
    if (len < (socklen_t)sizeof(int))
      return ipcx__fail(EINVAL);
    memcpy(&v, val, sizeof v);
    /* Linux doubles the value for its bookkeeping; the pipe keeps its size. */
    v = v < 1152 ? 2304 : v > 212992 ? 425984 : 2 * v;
    if (name == SO_RCVBUF)
      s->rcvbuf = v;
    else
      s->sndbuf = v;
    return 0;
  case SO_TYPE:
  case SO_DOMAIN:
  case SO_PROTOCOL_IPCX:
  case SO_ERROR:
  case SO_ACCEPTCONN:
  case SO_PEERCRED:
    return ipcx__fail(ENOPROTOOPT);
  case SO_SNDLOWAT:
    return ipcx__fail(ENOPROTOOPT);   /* Linux cannot change it either */
  case SO_LINGER:
    if (len < (socklen_t)sizeof s->linger)
      return ipcx__fail(EINVAL);
    memcpy(&s->linger, val, sizeof s->linger);
    s->linger.l_onoff = s->linger.l_onoff != 0;
    return 0;                   /* kept and reported; close() delivers everything anyway */
  default:
    if (remembered(s, name) == NULL)
      return ipcx__fail(ENOPROTOOPT);
    if (len < (socklen_t)sizeof(int))
      return ipcx__fail(EINVAL);
    memcpy(&v, val, sizeof v);
    if (name == SO_RCVLOWAT)
      v = v > 0 ? v : 1;        /* Linux: 0 means 1; it is kept, reads wake at 1 here */
    else
      v = v != 0;
    *remembered(s, name) = v;
    return 0;
  }
}

/* --- datagrams: SOCK_DGRAM from socket() ---------------------------------- */

/*
 * A bound datagram socket is a mailbox: its pipe (tag "g", the name in the
 * socket file as for a listener) takes any number of senders, one instance
 * each.  A relay thread adopts each sender as it connects (and arms the next
 * instance at once) and moves every datagram, whole, into a private message
 * pipe whose read end becomes the socket's f->h, so recv() and poll() are
 * the record socket's (recv_record).  On the wire a datagram is "G", the
 * sender's address length (one byte, 0: unnamed) and address, then the
 * bytes.  sendto() opens the destination's pipe, keeps it open for the next
 * datagram to the same name, and writes one message; a send waits while the
 * receiver's queue is full, nonblocking or not (a pending pipe write cannot
 * be taken back).  A full relay waits too, so senders feel the receiver's
 * pace, as on Linux.
 */
#define DGRAM_MAX (RA_SIZE - 2 - (int)sizeof(struct sockaddr_un))

struct sender {
  HANDLE h;
  OVERLAPPED ov;                /* its read; ov.hEvent is the mailbox's ev */
  int pending;
  char buf[RA_SIZE];
};

struct mailbox {
  char name[128];
  HANDLE out;                   /* the private pipe's write end (the relay's) */
  HANDLE thread, stop, ev;      /* ev: manual-reset, every sender's reads */
  HANDLE listener;
  OVERLAPPED lov;
  int lconnected;               /* a sender came before ConnectNamedPipe (lov unused) */
  struct sender **snd;
  int n, cap;
};

/* A listening instance with ConnectNamedPipe pending; 0 or a Win32 error. */
static DWORD mailbox_arm(struct mailbox *m, int first)
{
  DWORD err;

  m->listener = ipcx__pipe_listen(m->name, first, PIPE_CAPACITY, PIPE_CAPACITY, owner_only(),
                                  &m->lov, &m->lconnected, &err);
  return err;
}

/* The listener has a sender (relay thread): make it a sender, arm the next. */
static void mailbox_adopt(struct mailbox *m)
{
  struct sender *x = calloc(1, sizeof *x), **t;

  if (x != NULL && m->n == m->cap) {
    t = realloc(m->snd, (size_t)(m->cap ? 2 * m->cap : 8) * sizeof *t);
    if (t == NULL) {
      free(x);
      x = NULL;
    } else {
      m->snd = t;
      m->cap = m->cap ? 2 * m->cap : 8;
    }
  }
  if (x == NULL) {
    CloseHandle(m->listener);   /* out of memory: that sender sees ECONNREFUSED */
  } else {
    x->h = m->listener;
    x->ov.hEvent = m->ev;
    m->snd[m->n++] = x;
  }
  m->listener = NULL;
  ResetEvent(m->lov.hEvent);
  mailbox_arm(m, 0);
}

/*
 * Read the senders' datagrams and pass them on (relay thread): at most 64
 * from each per pass, so that a busy sender starves nobody (ev is set again
 * to come back), and none once stop is set.
 */
static void mailbox_pump(struct mailbox *m)
{
  DWORD got, put, err;
  int k, taken;

  for (k = 0; k < m->n; k++) {
    struct sender *x = m->snd[k];
    for (taken = 0;; taken++) {
      if (ipcx__wait1(m->stop, 0, 0) == WAIT_OBJECT_0)
        return;
      if (taken == 64) {
        SetEvent(m->ev);        /* more may wait: another pass */
        break;
      }
      if (!x->pending) {
        x->ov.Internal = x->ov.InternalHigh = 0;
        if (!ReadFile(x->h, x->buf, sizeof x->buf, NULL, &x->ov) &&
            GetLastError() != ERROR_IO_PENDING) {
          err = GetLastError();
          if (err != ERROR_MORE_DATA)
            goto gone;
        }
        x->pending = 1;
      }
      if (!HasOverlappedIoCompleted(&x->ov))
        break;
      x->pending = 0;
      if (!GetOverlappedResult(x->h, &x->ov, &got, FALSE))
        goto gone;              /* the sender closed: ERROR_BROKEN_PIPE */
      if (got >= 2)
        ipcx__io_write(m->out, x->buf, got, &put, INFINITE);
    }
    continue;
  gone:
    CloseHandle(x->h);
    free(x);
    m->snd[k--] = m->snd[--m->n];
  }
}

static DWORD WINAPI mailbox_thread(void *arg)
{
  struct mailbox *m = arg;
  HANDLE hs[3];
  DWORD w;

  for (;;) {
    if (m->listener != NULL && (m->lconnected || HasOverlappedIoCompleted(&m->lov)))
      mailbox_adopt(m);
    ResetEvent(m->ev);
    mailbox_pump(m);
    hs[0] = m->stop;
    hs[1] = m->ev;
    hs[2] = m->lov.hEvent;
    w = ipcx__wait(m->listener != NULL ? 3 : 2, hs, INFINITE, 0);
    if (w == WAIT_OBJECT_0 || w == WAIT_FAILED)
      break;
  }
  return 0;
}

static void mailbox_stop(struct mailbox *m)
{
  int k;

  if (m == NULL)
    return;
  if (m->thread != NULL) {
    SetEvent(m->stop);
    /* A relay waiting on a full queue: cancel its write (again, should it
     * have been about to start one). */
    do
      CancelIoEx(m->out, NULL);
    while (ipcx__wait1(m->thread, 100, 0) == WAIT_TIMEOUT);
    CloseHandle(m->thread);
  }
  if (m->listener != NULL) {
    ipcx__io_cancel(m->listener, &m->lov);
    CloseHandle(m->listener);
  }
  for (k = 0; k < m->n; k++) {
    if (m->snd[k]->pending)
      ipcx__io_cancel(m->snd[k]->h, &m->snd[k]->ov);
    CloseHandle(m->snd[k]->h);
    free(m->snd[k]);
  }
  free(m->snd);
  close_handle(m->out);
  close_handle(m->stop);
  close_handle(m->ev);
  close_handle(m->lov.hEvent);
  free(m);
}

/* Open s's mailbox under s->pipe_name (bind(), llock held); 0 or -1/errno. */
static int mailbox_start(struct ipcx__file *f)
{
  struct usock *s = us(f);
  struct mailbox *m = calloc(1, sizeof *m);
  HANDLE rd = NULL, old;
  DWORD err;

  if (m == NULL)
    return ipcx__fail(ENOMEM);
  snprintf(m->name, sizeof m->name, "%s", s->pipe_name);
  m->stop = CreateEventW(NULL, TRUE, FALSE, NULL);
  m->ev = CreateEventW(NULL, TRUE, FALSE, NULL);
  m->lov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
  err = m->stop == NULL || m->ev == NULL || m->lov.hEvent == NULL ? GetLastError()
        : ipcx__pipe_pair_open(&rd, &m->out, PIPE_CAPACITY,
                               PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE,
                               GENERIC_READ | GENERIC_WRITE, FILE_FLAG_OVERLAPPED, "x");
  if (err == ERROR_SUCCESS)
    err = mailbox_arm(m, 1);
  if (err == ERROR_SUCCESS) {
    m->thread = CreateThread(NULL, 64 * 1024, mailbox_thread, m,
                             STACK_SIZE_PARAM_IS_A_RESERVATION, NULL);
    if (m->thread == NULL)
      err = GetLastError();
  }
  if (err != ERROR_SUCCESS) {
    if (rd != NULL)
      CloseHandle(rd);
    mailbox_stop(m);
    if (err == ERROR_ACCESS_DENIED || err == ERROR_PIPE_BUSY)
      return ipcx__fail(EADDRINUSE);
    return ipcx__fail_win32(err);
  }
  s->mb = m;
  old = f->h;
  f->h = rd;                    /* recv() and poll() read the private pipe */
  CloseHandle(old);
  return 0;
}

/* The pipe behind a datagram address: 0, or -1/errno as Linux's sendto(). */
static int dgram_resolve(const struct sockaddr *addr, socklen_t len, char *name, size_t size,
                         struct sockaddr_un *a, socklen_t *alen)
{
  char path[sizeof a->sun_path + 1];
  DWORD pid;
  int kind = parse_addr(addr, len, a, alen);

  if (kind < 0)
    return -1;
  if (kind == 1) {
    addr_path(a, path);
    if (read_record_file(path, name, size, &pid) < 0)
      return -1;
  } else if (read_record_abstract(a, *alen, name, size, &pid) < 0) {
    return -1;
  }
  if (strncmp(name, "\\\\.\\pipe\\ipcx-", 14) != 0 || type_of_tag(name + 14) != SOCK_DGRAM)
    return ipcx__fail(EPROTOTYPE);     /* a stream or seqpacket socket lives there */
  return 0;
}

/* Send one datagram to the mailbox called name (llock held). */
static ssize_t dgram_write(struct usock *s, const char *name, const void *buf, size_t n)
{
  char stack[2048], *m;
  size_t total;
  DWORD err = ERROR_SUCCESS, put;
  int tries;

  if (s->dest != NULL && strcmp(s->dest_name, name) != 0) {
    CloseHandle(s->dest);
    s->dest = NULL;
  }
  for (tries = 0; s->dest == NULL; tries++) {
    s->dest = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                          FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION,
                          NULL);
    if (s->dest != INVALID_HANDLE_VALUE) {
      snprintf(s->dest_name, sizeof s->dest_name, "%s", name);
      break;
    }
    s->dest = NULL;
    err = GetLastError();
    if (err != ERROR_PIPE_BUSY || tries >= 100)
      return ipcx__fail(err == ERROR_PIPE_BUSY ? EAGAIN : ECONNREFUSED);
    WaitNamedPipeA(name, 100);   /* the relay arms the next instance at once */
  }
  total = 2 + (size_t)(s->local_len > (socklen_t)sizeof(ADDRESS_FAMILY) ? s->local_len : 0) + n;
  m = total <= sizeof stack ? stack : malloc(total);
  if (m == NULL)
    return ipcx__fail(ENOMEM);
  m[0] = 'G';
  m[1] = (char)(total - 2 - n);
  memcpy(m + 2, &s->local, (size_t)(unsigned char)m[1]);
  if (n > 0)
    memcpy(m + total - n, buf, n);
  err = ipcx__io_write(s->dest, m, (DWORD)total, &put, s->sndtimeo ? s->sndtimeo : INFINITE);
  if (m != stack)
    free(m);
  if (err == ERROR_SUCCESS)
    return (ssize_t)n;
  if (err == WAIT_TIMEOUT)
    return ipcx__fail(EAGAIN);
  CloseHandle(s->dest);         /* the receiver has gone */
  s->dest = NULL;
  return ipcx__fail(ECONNREFUSED);
}

/* sendto() and send() on a datagram socket from socket(). */
ssize_t ipcx__unix_dgram_send(struct ipcx__file *f, const void *buf, size_t n, int flags,
                              const struct sockaddr *addr, socklen_t len)
{
  struct usock *s = us(f);
  struct sockaddr_un a;
  socklen_t alen;
  char name[256];
  ssize_t r;

  (void)flags;
  if (n > 0 && buf == NULL)
    return ipcx__fail(EFAULT);
  if (s->shut_wr)
    return ipcx__fail(EPIPE);
  if (n > (size_t)DGRAM_MAX)
    return ipcx__fail(EMSGSIZE);
  AcquireSRWLockExclusive(&s->llock);
  if (addr == NULL) {
    if (!s->dconnected) {
      ReleaseSRWLockExclusive(&s->llock);
      return ipcx__fail(ENOTCONN);
    }
    snprintf(name, sizeof name, "%s", s->peer_pipe);
  } else if (dgram_resolve(addr, len, name, sizeof name, &a, &alen) < 0) {
    ReleaseSRWLockExclusive(&s->llock);
    return -1;
  }
  r = dgram_write(s, name, buf, n);
  ReleaseSRWLockExclusive(&s->llock);
  return r;
}

/* connect() on a datagram socket: the default destination. */
static int dgram_connect(struct ipcx__file *f, const struct sockaddr *addr, socklen_t len)
{
  struct usock *s = us(f);
  struct sockaddr_un a;
  socklen_t alen;
  char name[256];

  if (addr != NULL && len >= (socklen_t)sizeof(ADDRESS_FAMILY) && addr->sa_family == AF_UNSPEC) {
    s->dconnected = 0;          /* Linux: AF_UNSPEC dissolves the association */
    return 0;
  }
  if (dgram_resolve(addr, len, name, sizeof name, &a, &alen) < 0)
    return -1;
  AcquireSRWLockExclusive(&s->llock);
  snprintf(s->peer_pipe, sizeof s->peer_pipe, "%s", name);
  s->peer = a;
  s->peer_len = alen;
  s->dconnected = 1;
  ReleaseSRWLockExclusive(&s->llock);
  return 0;
}

/* The sender of the last datagram recv() took, for recvfrom(). */
int ipcx__unix_dgram_from(struct ipcx__file *f, struct sockaddr *addr, socklen_t *len)
{
  struct usock *s = us(f);

  if (s->from_len == 0) {
    *len = 0;                   /* an unnamed sender: Linux gives length 0 */
    return 0;
  }
  return copy_addr(&s->from, s->from_len, addr, len);
}

int ipcx__unix_is_dgram(struct ipcx__file *f)
{
  return dgram(us(f));
}

/* --- stat() on a socket file ---------------------------------------------- */

/* 1 if path is a socket's rendezvous file (one this user may read). */
int ipcx__unix_is_socket(const char *path)
{
  WIN32_FILE_ATTRIBUTE_DATA a;
  char buf[sizeof RECORD_MAGIC];
  DWORD n = 0;
  HANDLE h;
  int yes;

  /* Only a small regular file can be one: open() asks of every path, and
   * opening anything else (a device, a pipe) to look inside would cost or block. */
  if (!GetFileAttributesExA(path, GetFileExInfoStandard, &a) ||
      (a.dwFileAttributes & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_DEVICE)) ||
      a.nFileSizeHigh != 0 || a.nFileSizeLow > 512 || a.nFileSizeLow < strlen(RECORD_MAGIC))
    return 0;
  h = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                  NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
  if (h == INVALID_HANDLE_VALUE)
    return 0;
  yes = ReadFile(h, buf, (DWORD)strlen(RECORD_MAGIC), &n, NULL) && n == strlen(RECORD_MAGIC) &&
        memcmp(buf, RECORD_MAGIC, n) == 0;
  CloseHandle(h);
  return yes;
}

int ipcx__unix_stat(const char *path, struct stat *st)
{
  if (S_ISREG(st->st_mode) && ipcx__unix_is_socket(path)) {
    st->st_mode = (unsigned short)((st->st_mode & ~S_IFMT) | S_IFSOCK);
    st->st_size = 0;
  }
  return 0;
}
