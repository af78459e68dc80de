/*
 * unix.c: AF_UNIX stream (and record) sockets over message-type named pipes.
 *
 * Files, by role (unix_internal.h is what they share):
 *   unix.c           descriptions, security, addresses, the rendezvous record,
 *                    names and options, socket()/socketpair(), the ops tables;
 *   unix_listener.c  bind, listen, accept, connect;
 *   unix_conn.c      a connection: frames, reads, writes, shutdown, readiness;
 *   unix_dgram.c     datagram sockets from socket() and their mailboxes.
 *
 * The decision (issue 12; measured under Wine 8, wineserver requests counted
 * with WINEDEBUG=+server, docs/sockets.md has the rest):
 *   frame        data messages stay untagged; a zero-length message escapes a
 *                control record behind it (SHUTDOWN how=WR|RD, RESET).  A
 *                64 B round trip stays at raw cost: 14.01 requests (raw
 *                13.82); a 64 B write+read 4.00 (raw 4.00).
 *   read         a stream read takes everything queued, across write
 *                boundaries (Linux's behaviour 7): after the first message a
 *                read gathers more only while PeekNamedPipe shows bytes, so
 *                no read is left pending that did not have to wait.  Found
 *                by measuring: a read that pends and completes later costs 4
 *                more requests (an APC and get_async_result) than one that
 *                finds its message, and a leftover pending read made every
 *                64 B write+read cost 6.95 requests instead of 4.
 *   connect      connect+accept+close: 9.5 requests (was 51, 35, then 16;
 *                raw named pipes 7, libuv 21): a socket's CRT slot is a NUL
 *                placeholder for its whole life (no second slot for the
 *                pipe), and close() leaves it in fd.c's pool for the next
 *                socket; a rendezvous record is read once per file, no hello
 *                (the peer's pid is the pipe's), message read mode is set at
 *                the first read.  docs/sockets.md has the table.
 *
 *   connection   one named-pipe instance and its client, both overlapped and
 *                duplex, PIPE_TYPE_MESSAGE read in PIPE_READMODE_MESSAGE.
 *                Every write() is one message; a reader whose buffer is
 *                smaller than the message gets ERROR_MORE_DATA, which is a
 *                successful partial read (the rest of that message comes
 *                next), so the byte stream is exactly the bytes written.
 *   half-close   shutdown(SHUT_WR) sends the control record SHUTDOWN how=WR:
 *                the peer reads EOF after the data before it (a closed peer
 *                is ERROR_BROKEN_PIPE instead).  The other direction lives
 *                on: late replies of any size are delivered.  No timers
 *                (DESIGN.md "Half-close", option a).  SHUT_RD sends how=RD:
 *                the peer's writes are EPIPE once it has seen it (in a read,
 *                a poll, or the read-ahead its first write posts).
 *   reset        close() with unread data (what the read-ahead holds, or a
 *                PeekNamedPipe) sends RESET: the peer reads its data, then
 *                ECONNRESET, then 0, and poll() shows POLLERR.  Not for a
 *                socket handed to a child (it may still be in use there).
 *   closed       a listener holds a named "alive" event; connect() that finds
 *                the pipe name busy but no event says ECONNREFUSED (the
 *                accepted connections of a closed listener keep the name).
 *   listener     bind(path) creates a rendezvous file with CREATE_NEW (so an
 *                existing or stale path is EADDRINUSE) holding a marker, the
 *                listener's pid and a random pipe name; the file is closed at
 *                once, so unlink() works while the listener lives.  Abstract
 *                names (sun_path[0] == 0) keep the same record in a named
 *                file mapping, which is also their in-use guard.  listen()
 *                keeps `backlog` instances (1..63) with ConnectNamedPipe
 *                pending on one shared event; accept() takes a connected
 *                instance and makes its replacement before returning.
 *   connect      reads the record (cached per path while the file's times
 *                and size stay; read again before a refusal): no file
 *                ENOENT, no pipe ECONNREFUSED, all instances busy (backlog
 *                full): wait for one (FSCTL_PIPE_WAIT, overlapped, through
 *                the wait funnel: EINTR) and retry, as Linux blocks (EAGAIN
 *                when nonblocking).  SO_PEERCRED: the listener's pid from the
 *                record; on an accepted or inherited end the pipe's other
 *                end (GetNamedPipeClient/ServerProcessId, asked once).
 *   readiness    a read-ahead: real overlapped reads into a buffer of the
 *                file (not a zero-byte read, which would swallow an escape:
 *                probed on Wine 8), gathering every queued message, so poll()
 *                sees a close or reset behind data (POLLHUP with POLLIN).
 *                poll(), MSG_PEEK and nonblocking reads use it; a blocking
 *                read with nothing gathered goes straight into the caller's
 *                buffer.  Writable: no nonblocking write still pending.
 *   security     PIPE_REJECT_REMOTE_CLIENTS; a DACL for the owner and SYSTEM
 *                only, on the pipe, the socket file and the abstract name's
 *                mapping (the pipe's name is readable only by whom the pipe
 *                admits); unguessable pipe names (128 random bits) that are
 *                not derived from the path; clients open with
 *                SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION.
 *   inheritance  an fd's CRT slot holds a placeholder (the NUL device);
 *                posix_spawn hands a child the connection's pipe through the
 *                ops table's export_to (which replaces the slot's handle and
 *                cancels the read-ahead); the child's fd.c asks import
 *                (unix_import: a message-type pipe named \ipcx-s-*, -p-*,
 *                -t-*, -q-*, -d-* or -r-*) before pipe.c's.  A listener
 *                travels as its anchor instance (unix_listener.c; a
 *                posix_spawn child imports it before main()), a bound
 *                datagram socket as its relay's private pipe (unix_dgram.c).
 *   raw pipes    an address "\\.\pipe\NAME" is a Windows named pipe itself,
 *                a byte stream with no framing (unix_raw.c).
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
 *                writes needs one ReadFile per write, but one read() call.
 *
 * Win32 codes: ERROR_BROKEN_PIPE / ERROR_PIPE_NOT_CONNECTED on read = EOF,
 * ERROR_NO_DATA on write = EPIPE, ERROR_PIPE_BUSY on CreateFile = backlog
 * full.  Wine 8 answers 0 to GetNamedPipe{Client,Server}ProcessId.
 */
#define _CRT_RAND_S
#include "unix_internal.h"

#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* --- descriptions ------------------------------------------------------- */


void ipcx__unix_close_handle(HANDLE h)
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
  /* Its events are made on first use (ipcx__unix_lazy_event): a connection that is
   * opened, used by blocking calls and closed never needs them, and each is
   * two wineserver requests. */
  f = ipcx__file_new(&ipcx__unix_ops, h, O_RDWR | (nonblock ? O_NONBLOCK : 0));
  if (f == NULL) {
    free(s);
    return NULL;
  }
  InitializeCriticalSection(&s->rd_lock);
  InitializeSRWLock(&s->llock);
  s->type = SOCK_STREAM;
  s->rcvbuf = s->sndbuf = 2 * PIPE_CAPACITY;
  s->opts[5] = s->opts[6] = 1;  /* SO_RCVLOWAT, SO_SNDLOWAT */
  f->impl = s;
  return f;
}

/* The manual-reset event in *slot, made now if it is the first use; NULL if none can be made. */
HANDLE ipcx__unix_lazy_event(HANDLE *slot)
{
  HANDLE ev = *slot, mine;

  if (ev != NULL)
    return ev;
  mine = CreateEventW(NULL, TRUE, FALSE, NULL);
  if (mine == NULL)
    return NULL;
  ev = InterlockedCompareExchangePointer(slot, mine, NULL);
  if (ev != NULL) {
    CloseHandle(mine);          /* another thread made it first */
    return ev;
  }
  return mine;
}

void ipcx__unix_wake(HANDLE ev)
{
  if (ev != NULL)
    SetEvent(ev);
}

/*
 * The CRT slot of every AF_UNIX socket: a handle to the NUL device, kept for
 * the socket's whole life (the pipe lives in f->h only: connect() needs no
 * second CRT slot, and a child gets the pipe through export_to).  A
 * duplicate of one NUL handle the process opens once: _open_osfhandle()'s
 * file-type query costs one wineserver request for it, three for a pipe.
 */
static HANDLE nul_handle;

static HANDLE placeholder(int cloexec)
{
  HANDLE t = nul_handle, h;

  if (t == NULL) {
    t = CreateFileA("NUL", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                    OPEN_EXISTING, 0, NULL);
    if (t == INVALID_HANDLE_VALUE)
      return t;
    if (InterlockedCompareExchangePointer(&nul_handle, t, NULL) != NULL) {
      CloseHandle(t);           /* another thread opened it first */
      t = nul_handle;
    }
  }
  if (!DuplicateHandle(GetCurrentProcess(), t, GetCurrentProcess(), &h, 0, !cloexec,
                       DUPLICATE_SAME_ACCESS))
    return INVALID_HANDLE_VALUE;
  return h;
}

void ipcx__unix_close_listener(struct usock *s)
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
  int i;

  ipcx__unix_reset_peer(f);
  ipcx__unix_scm_release(f);    /* fds in flight to us are closed */
  if (s->ra_pending)
    ipcx__io_cancel(f->h, &s->ra_ov);
  for (i = 0; i < s->nback; i++)
    CloseHandle(s->back[i]);
  if (s->mb != NULL && s->shared)
    ipcx__unix_mailbox_detach(s->mb);  /* another process reads it: the relay lives on */
  else if (s->mb != NULL)
    ipcx__unix_mailbox_stop(s->mb);
  if (s->dest != NULL)
    CloseHandle(s->dest);
  ipcx__unix_dgram_release(s);
  ipcx__unix_close_listener(s);
  if (s->accept_ev != NULL)
    CloseHandle(s->accept_ev);
  if (s->guard != NULL)
    CloseHandle(s->guard);
  ipcx__unix_close_handle(s->anchor);
  ipcx__unix_close_handle(s->live);
  ipcx__unix_close_handle(s->rd_wake);
  ipcx__unix_close_handle(s->rd_done);
  ipcx__unix_close_handle(s->ra_ov.hEvent);
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

int ipcx__unix_install(struct ipcx__file *f, int cloexec)
{
  HANDLE slot;
  int fd = ipcx__fd_install_pooled(f, cloexec);   /* a closed socket's slot */

  if (fd >= 0)
    return fd;
  slot = placeholder(cloexec);
  fd = slot == INVALID_HANDLE_VALUE ? ipcx__fail_win32(GetLastError())
                                    : ipcx__fd_install_slot(f, slot, cloexec);

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
 * a bound datagram socket's mailbox, "r" the private pipe its relay fills
 * (what a child of a bound datagram socket inherits).  The type of a name's socket, or 0.
 */
int ipcx__unix_type_of_tag(const char *tag)
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
  case 'r':
    return SOCK_DGRAM;
  default:
    return 0;
  }
}

int ipcx__unix_socket(int type, int flags)
{
  /* No pipe yet: f->h stays NULL until connect() (or a datagram bind). */
  struct ipcx__file *f = new_file(NULL, (flags & SOCK_NONBLOCK) != 0);

  if (f == NULL)
    return ipcx__fail(ENOMEM);
  us(f)->type = type;
  return ipcx__unix_install(f, (flags & SOCK_CLOEXEC) != 0);
}

/* A connected description for pipe handle h (message read mode already set). */
struct ipcx__file *ipcx__unix_connected_file(HANDLE h, int nonblock, DWORD peer_pid)
{
  struct ipcx__file *f = new_file(h, nonblock);

  if (f == NULL)
    return NULL;
  us(f)->state = ST_CONNECTED;
  us(f)->peer_pid = peer_pid;
  return f;
}

int ipcx__unix_set_message_mode(HANDLE h)
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
  if (ipcx__unix_set_message_mode(c) < 0) {
    err = GetLastError();
    CloseHandle(s);
    CloseHandle(c);
    return ipcx__fail_win32(err);
  }
  a = ipcx__unix_connected_file(s, nb, GetCurrentProcessId());
  b = a != NULL ? ipcx__unix_connected_file(c, nb, GetCurrentProcessId()) : NULL;
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
  sv[0] = ipcx__unix_install(a, cloexec);
  if (sv[0] < 0) {
    ipcx__file_unref(b);
    return -1;
  }
  sv[1] = ipcx__unix_install(b, cloexec);
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
static int handle_type(HANDLE h, char *tagc)
{
  char buf[sizeof(FILE_NAME_INFO) + 128 * sizeof(WCHAR)], tag[2];
  FILE_NAME_INFO *fi = (FILE_NAME_INFO *)buf;
  DWORD flags = 0;

  if (!GetNamedPipeInfo(h, &flags, NULL, NULL, NULL) || !(flags & PIPE_TYPE_MESSAGE))
    return 0;
  if (!GetFileInformationByHandleEx(h, FileNameInfo, fi, sizeof buf) ||
      fi->FileNameLength < 8 * sizeof(WCHAR) || wcsncmp(fi->FileName, L"\\ipcx-", 6) != 0)
    return 0;
  tag[0] = (char)fi->FileName[6];
  tag[1] = (char)fi->FileName[7];
  *tagc = tag[0];
  return ipcx__unix_type_of_tag(tag);
}

/*
 * Import (the ops table's): a connected socket for an inherited handle h
 * that is one of ours (owned by the new description); 0 if h is not.
 */
static int unix_import(HANDLE h, struct ipcx__file **out)
{
  struct ipcx__file *f;
  struct lrec rec;
  HANDLE ph;
  char tag = 0;
  int type = handle_type(h, &tag);

  if (type == 0)
    return 0;
  if (tag == 'r') {
    /* A bound datagram socket's private pipe (unix_dgram.c): that socket,
     * reading what the relay of the process that bound it passes on. */
    f = new_file(h, 0);
    if (f == NULL)
      return ipcx__fail(ENOMEM);
    ipcx__unix_dgram_adopt(f);
    *out = f;
    return 1;
  }
  if (ipcx__unix_anchor_record(h, &rec)) {
    /* A shared listener's anchor (unix_listener.c): the listener itself. */
    ph = placeholder(1);         /* the description's own, never inherited */
    f = ph != INVALID_HANDLE_VALUE ? new_file(ph, 0) : NULL;
    if (f == NULL) {
      if (ph != INVALID_HANDLE_VALUE)
        CloseHandle(ph);
      return ipcx__fail(ENOMEM);
    }
    if (ipcx__unix_listener_adopt(f, h, &rec) < 0) {
      us(f)->anchor = NULL;     /* the caller closes h */
      ipcx__file_unref(f);
      return ipcx__fail(ENOMEM);
    }
    *out = f;
    return 1;
  }
  ipcx__unix_set_message_mode(h);
  f = ipcx__unix_connected_file(h, 0, 0);
  if (f == NULL)
    return ipcx__fail(ENOMEM);
  us(f)->type = type != 0 ? type : SOCK_STREAM;
  us(f)->shared = 1;            /* the parent may hold it too */
  us(f)->local.sun_family = us(f)->peer.sun_family = AF_UNIX;
  us(f)->local_len = us(f)->peer_len = sizeof(ADDRESS_FAMILY);
  *out = f;
  return 1;
}

/* --- addresses ---------------------------------------------------------- */

/*
 * Check a sockaddr_un as Linux does; copy it to *out (sun_path terminated,
 * as the kernel terminates it) and return 1 for a path, 2 for an abstract
 * name, or -1/errno.
 */
int ipcx__unix_parse_addr(const struct sockaddr *addr, socklen_t len, struct sockaddr_un *out,
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
void ipcx__unix_addr_path(const struct sockaddr_un *a, char *path)
{
  memcpy(path, a->sun_path, sizeof a->sun_path);
  path[sizeof a->sun_path] = 0;
}

/* The kernel-object name for an abstract address. */
void ipcx__unix_abstract_name(const struct sockaddr_un *a, socklen_t len, char *name, size_t size)
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

int ipcx__unix_copy_addr(const struct sockaddr_un *a, socklen_t alen, struct sockaddr *addr,
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

int ipcx__unix_format_record(char *buf, size_t size, const char *pipe_name)
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
int ipcx__unix_read_record_file(const char *path, char *pipe_name, size_t size, DWORD *pid)
{
  char buf[512];
  DWORD n = 0, attrs;
  HANDLE h;

  h = ipcx__path_create_file(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                             NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
  if (h == INVALID_HANDLE_VALUE) {
    DWORD err = GetLastError();
    attrs = ipcx__path_get_attributes(path);
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

/*
 * The records connect() has read, by path.  A rendezvous file is read again
 * only when its attributes (times, size) differ from those it had then:
 * reading it costs three wineserver requests (open, fd, close), looking at
 * its attributes none (Wine answers NtQueryFullAttributesFile from stat()).
 * A record that has gone stale (the listener closed and its pipe gone) is
 * caught by connect(), which reads the file again before it fails.
 */
#define RECORD_CACHE 8

static struct cached_record {
  wchar_t *path;                /* ipcx__path_exact(), NULL: a free entry */
  WIN32_FILE_ATTRIBUTE_DATA attr;
  char pipe_name[128];
  DWORD pid;
} record_cache[RECORD_CACHE];
static SRWLOCK record_lock = SRWLOCK_INIT;
static unsigned record_next;

/* The same file as when it was read: everything but the access time. */
static int same_attributes(const WIN32_FILE_ATTRIBUTE_DATA *a, const WIN32_FILE_ATTRIBUTE_DATA *b)
{
  return a->dwFileAttributes == b->dwFileAttributes &&
         memcmp(&a->ftCreationTime, &b->ftCreationTime, sizeof a->ftCreationTime) == 0 &&
         memcmp(&a->ftLastWriteTime, &b->ftLastWriteTime, sizeof a->ftLastWriteTime) == 0 &&
         a->nFileSizeHigh == b->nFileSizeHigh && a->nFileSizeLow == b->nFileSizeLow;
}

int ipcx__unix_lookup_record(const char *path, char *pipe_name, size_t size, DWORD *pid,
                             int fresh, int *cached)
{
  WIN32_FILE_ATTRIBUTE_DATA attr;
  struct cached_record *c;
  wchar_t *key = ipcx__path_exact(path);
  unsigned i;
  int r;

  *cached = 0;
  if (key == NULL || !ipcx__path_get_attributes_ex(path, GetFileExInfoStandard, &attr)) {
    free(key);
    return ipcx__unix_read_record_file(path, pipe_name, size, pid);   /* its errno */
  }
  AcquireSRWLockShared(&record_lock);
  for (i = 0; i < RECORD_CACHE && !fresh; i++) {
    c = &record_cache[i];
    if (c->path != NULL && wcscmp(c->path, key) == 0 && same_attributes(&c->attr, &attr) &&
        strlen(c->pipe_name) < size) {
      strcpy(pipe_name, c->pipe_name);
      *pid = c->pid;
      *cached = 1;
      break;
    }
  }
  ReleaseSRWLockShared(&record_lock);
  if (*cached) {
    free(key);
    return 0;
  }
  r = ipcx__unix_read_record_file(path, pipe_name, size, pid);
  if (r < 0 || strlen(pipe_name) >= sizeof c->pipe_name) {
    free(key);
    return r;
  }
  AcquireSRWLockExclusive(&record_lock);
  for (i = 0; i < RECORD_CACHE; i++)
    if (record_cache[i].path != NULL && wcscmp(record_cache[i].path, key) == 0)
      break;
  c = &record_cache[i < RECORD_CACHE ? i : record_next++ % RECORD_CACHE];
  free(c->path);
  c->path = key;
  c->attr = attr;
  strcpy(c->pipe_name, pipe_name);
  c->pid = *pid;
  ReleaseSRWLockExclusive(&record_lock);
  return 0;
}

int ipcx__unix_read_record_abstract(const struct sockaddr_un *a, socklen_t len, char *pipe_name,
                                size_t size, DWORD *pid)
{
  char name[300], buf[512];
  HANDLE m;
  void *view;

  ipcx__unix_abstract_name(a, len, name, sizeof name);
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

/* --- names and options ---------------------------------------------------- */

static int ipcx__unix_name(struct ipcx__file *f, struct sockaddr *addr, socklen_t *len, int peer)
{
  struct usock *s = us(f);
  struct sockaddr_un a;

  if (peer) {
    if (s->state != ST_CONNECTED && !(dgram(s) && s->dconnected))
      return ipcx__fail(ENOTCONN);
    return ipcx__unix_copy_addr(&s->peer, s->peer_len, addr, len);
  }
  if (s->local_len == 0) {
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    return ipcx__unix_copy_addr(&a, sizeof(ADDRESS_FAMILY), addr, len);
  }
  return ipcx__unix_copy_addr(&s->local, s->local_len, addr, len);
}

/*
 * The peer's pid: the listener's from its record after connect(); else the
 * pipe's other end, asked once (an accepted or inherited connection).
 */
static DWORD peer_pid(struct ipcx__file *f)
{
  struct usock *s = us(f);
  DWORD flags = 0;
  ULONG pid = 0;

  if (s->peer_pid != 0 || f->h == NULL || !GetNamedPipeInfo(f->h, &flags, NULL, NULL, NULL))
    return s->peer_pid;
  if ((flags & PIPE_SERVER_END) ? GetNamedPipeClientProcessId(f->h, &pid)
                                : GetNamedPipeServerProcessId(f->h, &pid))
    s->peer_pid = pid;
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

static int ipcx__unix_getsockopt(struct ipcx__file *f, int level, int name, void *val, socklen_t *len)
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
  case SO_PASSCRED:
    return put_int(val, len, s->passcred);
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

static int ipcx__unix_setsockopt(struct ipcx__file *f, int level, int name, const void *val,
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
  case SO_PASSCRED:
    if (len < (socklen_t)sizeof(int))
      return ipcx__fail(EINVAL);
    memcpy(&v, val, sizeof v);
    s->passcred = v != 0;       /* recvmsg() adds SCM_CREDENTIALS (scm.c) */
    return 0;
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
      v = v > 0 ? v : 1;        /* Linux: 0 means 1; it is kept, reads ipcx__unix_wake at 1 here */
    else
      v = v != 0;
    *remembered(s, name) = v;
    return 0;
  }
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
  if (!ipcx__path_get_attributes_ex(path, GetFileExInfoStandard, &a) ||
      (a.dwFileAttributes & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_DEVICE)) ||
      a.nFileSizeHigh != 0 || a.nFileSizeLow > 512 || a.nFileSizeLow < strlen(RECORD_MAGIC))
    return 0;
  h = ipcx__path_create_file(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
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

/* --- the ops tables ---------------------------------------------------------- */

/* Export: a listener and a bound datagram socket have their own (unix_listener.c,
 * unix_dgram.c); a connection's is unix_conn.c's. */
static int unix_export(struct ipcx__file *f, HANDLE *h)
{
  struct usock *s = us(f);

  if (s != NULL && s->state == ST_LISTEN)
    return ipcx__unix_listener_export(f, h);
  if (s != NULL && dgram(s) && s->bound)
    return ipcx__unix_dgram_export(f, h);
  return ipcx__unix_export(f, h);
}

/* posix_spawn: a shared listener's child holds its "alive" event from its
 * creation until its start-up import (unix_listener.c). */
static int unix_export_keep(struct ipcx__file *f, HANDLE *keep)
{
  struct usock *s = us(f);

  *keep = NULL;
  if (s != NULL && s->state == ST_LISTEN && s->lshared)
    return ipcx__unix_listener_keep(f, keep);
  return 0;
}

/* A "\\.\pipe\NAME" address is a raw Windows named pipe (unix_raw.c). */
static int unix_bind(struct ipcx__file *f, const struct sockaddr *addr, socklen_t len)
{
  if (ipcx__unix_raw_addr(addr, len))
    return ipcx__unix_raw_bind(f, addr, len);
  return ipcx__unix_bind(f, addr, len);
}

/* The fd's CRT slot keeps socket()'s placeholder: spawn gives a child the
 * pipe through export_to (ipcx__unix_export).  A "\\.\pipe\NAME" address
 * is a raw Windows named pipe (unix_raw.c). */
static int unix_connect_fd(struct ipcx__file *f, int fd, const struct sockaddr *addr, socklen_t len)
{
  if (ipcx__unix_raw_addr(addr, len))
    return ipcx__unix_raw_connect(f, fd, addr, len);
  return ipcx__unix_connect(f, addr, len);
}

/*
 * sendto/send: a datagram socket takes the address; on a stream an address
 * is EISCONN when connected, EOPNOTSUPP when not, as on Linux.
 */
static ssize_t unix_sendto(struct ipcx__file *f, const void *buf, size_t n, int flags,
                           const struct sockaddr *addr, socklen_t alen)
{
  if (dgram(us(f)) && addr != NULL && ipcx__unix_raw_addr(addr, alen))
    return ipcx__fail(EPROTOTYPE);      /* a raw pipe is a byte stream */
  if (dgram(us(f)))
    return ipcx__unix_dgram_send(f, buf, n, flags, addr, alen);
  if (addr == NULL)
    return ipcx__unix_send(f, buf, n, flags);
  return ipcx__fail(us(f)->state == ST_CONNECTED ? EISCONN : EOPNOTSUPP);
}

/* recvfrom/recv: a datagram's sender; a stream's peer if it is bound (else length 0). */
static ssize_t unix_recvfrom(struct ipcx__file *f, void *buf, size_t n, int flags,
                             struct sockaddr *addr, socklen_t *alen)
{
  ssize_t r = ipcx__unix_recv(f, buf, n, flags);

  if (r < 0 || addr == NULL)
    return r;
  if (dgram(us(f)))
    ipcx__unix_dgram_from(f, addr, alen);
  else if (ipcx__unix_name(f, addr, alen, 1) < 0 || *alen <= (socklen_t)sizeof(ADDRESS_FAMILY))
    *alen = 0;
  return r;
}

static int unix_from(struct ipcx__file *f, struct sockaddr *addr, socklen_t *len)
{
  if (!ipcx__unix_is_dgram(f))
    return -1;
  return ipcx__unix_dgram_from(f, addr, len);
}

static const struct ipcx__sock_ops unix_sock_ops = {
  .bind = unix_bind,
  .listen = ipcx__unix_listen,
  .accept = ipcx__unix_accept,
  .connect = unix_connect_fd,
  .shutdown = ipcx__unix_shutdown,
  .name = ipcx__unix_name,
  .getsockopt = ipcx__unix_getsockopt,
  .setsockopt = ipcx__unix_setsockopt,
  .sendto = unix_sendto,
  .recvfrom = unix_recvfrom,
  .from = unix_from,
  .sendscm = ipcx__unix_sendscm,
  .record = 1,
};

const struct ipcx__ops ipcx__unix_ops = {
  .kind = IPCX__KIND_SOCKET,
  .read = ipcx__unix_read,
  .write = ipcx__unix_write,
  .destroy = unix_destroy,
  .fstat = unix_fstat,
  .set_nonblock = unix_set_nonblock,
  .poll = ipcx__unix_poll,
  .nread = ipcx__unix_nread,
  .sock = &unix_sock_ops,
  .export_to = unix_export,
  .import = unix_import,
  .export_keep = unix_export_keep,
};
