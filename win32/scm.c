/*
 * scm.c: ancillary data on AF_UNIX sockets: SCM_RIGHTS (passing fds) and
 * SCM_CREDENTIALS, for sendmsg() and recvmsg().  docs/fdpass.md has the
 * whole design and what a receiver can be sure of.
 *
 * The Win32 mapping:
 *   an fd        travels as a handle to its object.  The sender takes a
 *                private duplicate of the fd's handle and lets the kind
 *                prepare it (the ops table's export_to, as posix_spawn does:
 *                a pipe end is narrowed to its direction, a socket gives up
 *                its read-ahead, a FIFO end goes back to its relay); regular
 *                files and plain CRT fds go as they are, so the file offset
 *                stays shared with the sender's fd, as on Linux.
 *   where it is  the sender places that handle, not inheritable, in the
 *                process that holds the other end of this connection by the
 *                pipe's own account (GetNamedPipeClientProcessId or
 *                GetNamedPipeServerProcessId, never a pid the peer claims),
 *                with DuplicateHandle into that process.  When that is this
 *                process (socketpair(), or no answer) it stays here.  So
 *                the sender may close its fd, or exit, right after sendmsg().
 *                A TCP or UDP socket goes as a WSADuplicateSocket for that
 *                process instead (a duplicated socket handle is no socket to
 *                Winsock under Wine: probed).
 *   the record   one pipe message behind the escape of the frame format
 *                (unix_conn.c): struct ctl (kind CTL_SCM, size = the record's
 *                size), struct head (fd count, credentials), one struct
 *                wire_fd per fd (the process that holds the handle, the
 *                handle value, the description's status flags), the
 *                WSAPROTOCOL_INFOWs, then the data of the sendmsg() (a
 *                stream's first CTL_DATA bytes; a record's tag and bytes), so
 *                fds and data come in one message and cannot be split by
 *                another writer's message.  A datagram to a bound socket
 *                (unix_dgram.c) carries the record behind its address.
 *   recvmsg()    takes a batch when its read reaches the first byte the
 *                batch came with (a stream read then ends with that write,
 *                as Linux's).  Only then are the handles made fds: a handle
 *                held by another process (the end was inherited or passed
 *                on, so the holder is not the process the sender saw) is
 *                pulled from it with DUPLICATE_CLOSE_SOURCE.  An fd is a CRT
 *                slot for the handle (fd.c's ipcx__fd_adopt); the kind's
 *                import makes its description on first use.
 *   discarded    fds that do not fit the control buffer (MSG_CTRUNC), that
 *                a read() or recv() took (no control buffer), or that are
 *                still queued when the receiver closes its socket, are closed
 *                where they are.  A receiver that dies takes them with it.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "scm.h"

/* The layout of Linux's struct cmsghdr (compat/sys/socket.h's). */
struct cmsg {
  size_t len;
  int level;
  int type;
};
#define CM_ALIGN(n) (((n) + sizeof(size_t) - 1) & ~(sizeof(size_t) - 1))
#define CM_HDR CM_ALIGN(sizeof(struct cmsg))
#define CM_LEN(n) (CM_HDR + (n))
#define CM_SPACE(n) (CM_HDR + CM_ALIGN(n))
#ifndef SCM_RIGHTS
# define SCM_RIGHTS 1
# define SCM_CREDENTIALS 2
#endif

struct head {
  DWORD nfds;
  DWORD has_cred;
  LONG pid, uid, gid;
  DWORD reserved;
};

struct wire_fd {
  DWORD pid;                    /* the process whose table holds the handle */
  DWORD flags;                  /* the description's O_ACCMODE | O_NONBLOCK | O_APPEND */
  unsigned long long handle;    /* a Winsock socket: where its WSAPROTOCOL_INFOW is in the record */
};

/* The record is at most this big (a Winsock socket takes 628 bytes more). */
#define REC_MAX 32768

struct ipcx__scm_batch {
  struct ipcx__scm_batch *next;
  DWORD pos, len;               /* where its data starts in the reader's read-ahead, how much */
  DWORD size;                   /* the record's */
  struct head h;
  unsigned char rec[];          /* the record as it came */
};

static struct wire_fd wire_at(const void *rec, DWORD i)
{
  struct wire_fd w;

  memcpy(&w, (const char *)rec + sizeof(struct head) + (size_t)i * sizeof w, sizeof w);
  return w;
}

/* The recvmsg() in progress on this thread: the batch its read took. */
static __thread struct ipcx__scm_batch **rx_slot;

/* --- sending ------------------------------------------------------------ */

/* Linux's SCM_CREDENTIALS check: only what the sender is (no privilege on Windows). */
static int cred_ok(const struct ucred *c)
{
  return c->pid == (pid_t)GetCurrentProcessId() && c->uid == (uid_t)-1 && c->gid == (gid_t)-1;
}

int ipcx__scm_parse(const struct msghdr *msg, struct ipcx__scm_out *out)
{
  const unsigned char *p = msg->msg_control, *end;
  struct cmsg c;

  memset(out, 0, sizeof *out);
  if (msg->msg_controllen == 0)
    return 0;
  if (p == NULL)
    return ipcx__fail(EFAULT);
  end = p + msg->msg_controllen;
  while ((size_t)(end - p) >= sizeof c) {
    memcpy(&c, p, sizeof c);
    if (c.len < sizeof c || c.len > (size_t)(end - p))
      return ipcx__fail(EINVAL);
    if (c.level == SOL_SOCKET) {
      size_t n = c.len - CM_HDR;
      if (c.len < CM_HDR)
        return ipcx__fail(EINVAL);
      if (c.type == SCM_RIGHTS) {
        size_t k = n / sizeof(int), i;
        if (out->nfds + k > IPCX__SCM_MAX_FD)
          return ipcx__fail(EINVAL);
        for (i = 0; i < k; i++) {
          int fd;
          memcpy(&fd, p + CM_HDR + i * sizeof fd, sizeof fd);
          if (fd < 0 || _get_osfhandle(fd) == (intptr_t)INVALID_HANDLE_VALUE)
            return ipcx__fail(EBADF);
          out->fds[out->nfds++] = fd;
        }
      } else if (c.type == SCM_CREDENTIALS) {
        if (c.len != CM_LEN(sizeof(struct ucred)))
          return ipcx__fail(EINVAL);
        memcpy(&out->cred, p + CM_HDR, sizeof out->cred);
        if (!cred_ok(&out->cred))
          return ipcx__fail(EPERM);
        out->has_cred = 1;
      } else {
        return ipcx__fail(EINVAL);
      }
    }
    if (CM_ALIGN(c.len) >= (size_t)(end - p))
      break;
    p += CM_ALIGN(c.len);
  }
  return 0;
}

/* The process at the other end of pipe handle h by the pipe's account, or 0. */
static DWORD peer_of(HANDLE h)
{
  DWORD flags = 0;
  ULONG pid = 0;

  if (!GetNamedPipeInfo(h, &flags, NULL, NULL, NULL))
    return 0;
  if (flags & PIPE_SERVER_END) {
    if (!GetNamedPipeClientProcessId(h, &pid))
      return 0;
  } else if (!GetNamedPipeServerProcessId(h, &pid)) {
    return 0;
  }
  return pid;
}

/* Close handle v held by process pid (this one, or another). */
static void close_remote(DWORD pid, unsigned long long v)
{
  HANDLE proc;

  if (pid == GetCurrentProcessId()) {
    CloseHandle((HANDLE)(uintptr_t)v);
    return;
  }
  proc = OpenProcess(PROCESS_DUP_HANDLE, FALSE, pid);
  if (proc == NULL)
    return;                     /* gone: its handles went with it */
  DuplicateHandle(proc, (HANDLE)(uintptr_t)v, NULL, NULL, 0, FALSE, DUPLICATE_CLOSE_SOURCE);
  CloseHandle(proc);
}

char *ipcx__scm_pack(const struct ipcx__scm_out *out, HANDLE pipe, size_t before, size_t after,
                     size_t *size)
{
  struct head h;
  struct wire_fd w;
  WSAPROTOCOL_INFOW ws;
  DWORD self = GetCurrentProcessId(), peer = peer_of(pipe);
  HANDLE proc = NULL, mine;
  size_t len = sizeof h + (size_t)out->nfds * sizeof w;
  char *buf, *rec;
  int i, err = 0, flags;

  buf = malloc(before + REC_MAX + after);
  if (buf == NULL) {
    errno = ENOMEM;
    return NULL;
  }
  rec = buf + before;
  if (out->nfds > 0 && peer != 0 && peer != self &&
      (proc = OpenProcess(PROCESS_DUP_HANDLE, FALSE, peer)) == NULL)
    peer = self;                /* cannot reach it: keep the handles here, the reader pulls */
  if (peer == 0)
    peer = self;
  memset(&h, 0, sizeof h);
  h.has_cred = out->has_cred;
  h.pid = out->cred.pid;
  h.uid = out->cred.uid;
  h.gid = out->cred.gid;
  for (i = 0; i < out->nfds && err == 0; i++) {
    err = ipcx__fd_export(out->fds[i], peer, &mine, &flags, &ws);
    if (err != 0)
      break;
    memset(&w, 0, sizeof w);
    w.flags = (DWORD)flags;
    w.pid = self;
    if (mine == NULL) {
      /* A Winsock socket: its WSADuplicateSocket for the peer, in the record. */
      if (len + sizeof ws > REC_MAX) {
        err = EINVAL;           /* as Linux for more than it takes in one message */
        break;
      }
      w.pid = peer;
      w.handle = len;
      memcpy(rec + len, &ws, sizeof ws);
      len += sizeof ws;
    } else {
      w.handle = (uintptr_t)mine;
      if (proc != NULL) {
        HANDLE there;
        if (DuplicateHandle(GetCurrentProcess(), mine, proc, &there, 0, FALSE,
                            DUPLICATE_SAME_ACCESS)) {
          CloseHandle(mine);
          w.pid = peer;
          w.handle = (uintptr_t)there;
        }
      }
    }
    memcpy(rec + sizeof h + (size_t)i * sizeof w, &w, sizeof w);
    h.nfds = (DWORD)i + 1;
  }
  memcpy(rec, &h, sizeof h);
  if (proc != NULL)
    CloseHandle(proc);
  if (err != 0) {
    ipcx__scm_unpack(rec);
    free(buf);
    errno = err;
    return NULL;
  }
  *size = len;
  return buf;
}

void ipcx__scm_unpack(const void *rec)
{
  struct head h;
  DWORD i;

  memcpy(&h, rec, sizeof h);
  for (i = 0; i < h.nfds; i++) {
    struct wire_fd w = wire_at(rec, i);
    if (!(w.flags & IPCX__FD_WINSOCK))
      close_remote(w.pid, w.handle);
  }
}

/* --- receiving ---------------------------------------------------------- */

/* A batch holding a copy of record rec (len bytes), or NULL (malformed; or
 * no memory: *nomem set). */
static struct ipcx__scm_batch *batch_new(const void *rec, size_t len, int *nomem)
{
  struct ipcx__scm_batch *b;
  struct head h;
  DWORD i;

  if (len < sizeof h)
    return NULL;
  memcpy(&h, rec, sizeof h);
  if (h.nfds > IPCX__SCM_MAX_FD || len < sizeof h + h.nfds * sizeof(struct wire_fd))
    return NULL;
  for (i = 0; i < h.nfds; i++) {
    struct wire_fd w = wire_at(rec, i);
    if ((w.flags & IPCX__FD_WINSOCK) && (w.handle < sizeof h || w.handle > len ||
                                         len - w.handle < sizeof(WSAPROTOCOL_INFOW)))
      return NULL;
  }
  b = calloc(1, sizeof *b + len);
  *nomem = b == NULL;
  if (b == NULL)
    return NULL;
  b->h = h;
  b->size = (DWORD)len;
  memcpy(b->rec, rec, len);
  return b;
}

struct ipcx__scm_batch *ipcx__scm_take(const void *rec, size_t len)
{
  int nomem = 0;
  struct ipcx__scm_batch *b = batch_new(rec, len, &nomem);

  if (nomem)
    ipcx__scm_unpack(rec);      /* cannot keep them: close them where they are */
  return b;
}

void ipcx__scm_set_place(struct ipcx__scm_batch *b, DWORD pos, DWORD len)
{
  b->pos = pos;
  b->len = len;
}

DWORD ipcx__scm_pos(const struct ipcx__scm_batch *b)
{
  return b->pos;
}

DWORD ipcx__scm_end(const struct ipcx__scm_batch *b)
{
  return b->pos + b->len;
}

struct ipcx__scm_batch **ipcx__scm_next(struct ipcx__scm_batch *b)
{
  return &b->next;
}

void ipcx__scm_discard(struct ipcx__scm_batch *b)
{
  if (b == NULL)
    return;
  ipcx__scm_unpack(b->rec);
  free(b);
}

void ipcx__scm_discard_all(struct ipcx__scm_batch **q)
{
  struct ipcx__scm_batch *b;

  while ((b = *q) != NULL) {
    *q = b->next;
    ipcx__scm_discard(b);
  }
}

void ipcx__scm_deliver(struct ipcx__scm_batch *b)
{
  b->next = NULL;
  if (rx_slot != NULL && *rx_slot == NULL)
    *rx_slot = b;               /* a recvmsg() is reading: it takes them */
  else
    ipcx__scm_discard(b);       /* read() or recv(): Linux closes them */
}

/*
 * Linux's MSG_PEEK reports the fds too, as new fds, and leaves them queued
 * for the read that takes the data: the recvmsg() in progress gets a copy of
 * the record whose handles are duplicates in this process.  A Winsock
 * socket's WSAPROTOCOL_INFOW serves once: it is made a socket here, and
 * that socket's WSADuplicateSocket for this process goes into both records.
 */
static int peek_winsock(unsigned char *queued, unsigned char *copy, const struct wire_fd *w)
{
  WSAPROTOCOL_INFOW ws;
  HANDLE none;
  int fd, flags, ok;

  if (w->pid != GetCurrentProcessId())
    return 0;                   /* made for another process: left out */
  fd = ipcx__fd_adopt(NULL, (const WSAPROTOCOL_INFOW *)(queued + w->handle), (int)w->flags, 1);
  if (fd < 0)
    return 0;
  ok = ipcx__fd_export(fd, w->pid, &none, &flags, &ws) == 0;
  if (ok)
    memcpy(copy + w->handle, &ws, sizeof ws);
  if (ok && ipcx__fd_export(fd, w->pid, &none, &flags, &ws) == 0)
    memcpy(queued + w->handle, &ws, sizeof ws);
  ipcx_close(fd);
  return ok;
}

void ipcx__scm_deliver_peek(void *rec, size_t len)
{
  struct ipcx__scm_batch *b;
  DWORD i, self = GetCurrentProcessId();
  int nomem = 0;

  if (rx_slot == NULL || *rx_slot != NULL)
    return;                     /* recv(MSG_PEEK): no control buffer, nothing to make */
  b = batch_new(rec, len, &nomem);
  if (b == NULL)
    return;
  for (i = 0; i < b->h.nfds; i++) {
    struct wire_fd w = wire_at(b->rec, i);
    HANDLE proc = NULL, h = NULL;
    if (w.flags & IPCX__FD_WINSOCK) {
      if (peek_winsock(rec, b->rec, &w))
        continue;
    } else {
      proc = w.pid == self ? GetCurrentProcess() : OpenProcess(PROCESS_DUP_HANDLE, FALSE, w.pid);
    }
    if (proc != NULL &&
        !DuplicateHandle(proc, (HANDLE)(uintptr_t)w.handle, GetCurrentProcess(), &h, 0, FALSE,
                         DUPLICATE_SAME_ACCESS))
      h = NULL;
    if (proc != NULL && w.pid != self)
      CloseHandle(proc);
    /* No duplicate: an entry that rx_end cannot pull (left out, MSG_CTRUNC). */
    w.flags &= ~(DWORD)IPCX__FD_WINSOCK;
    w.pid = h != NULL ? self : 0;
    w.handle = (uintptr_t)h;
    memcpy(b->rec + sizeof(struct head) + (size_t)i * sizeof w, &w, sizeof w);
  }
  *rx_slot = b;
}

void *ipcx__scm_record(struct ipcx__scm_batch *b, size_t *len)
{
  *len = b->size;
  return b->rec;
}

void ipcx__scm_rx_begin(struct ipcx__scm_batch **slot)
{
  *slot = NULL;
  rx_slot = slot;
}

/* The handle of wire entry w in this process (pulled if another holds it), or NULL. */
static HANDLE pull(const struct wire_fd *w)
{
  if (w->flags & IPCX__FD_WINSOCK)
    return INVALID_HANDLE_VALUE;  /* made for this process (or none): ipcx__fd_adopt */
  HANDLE proc, h = NULL;

  if (w->pid == GetCurrentProcessId())
    return (HANDLE)(uintptr_t)w->handle;
  proc = OpenProcess(PROCESS_DUP_HANDLE, FALSE, w->pid);
  if (proc == NULL)
    return NULL;
  if (!DuplicateHandle(proc, (HANDLE)(uintptr_t)w->handle, GetCurrentProcess(), &h, 0, FALSE,
                       DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE))
    h = NULL;
  CloseHandle(proc);
  return h;
}

/* Linux's put_cmsg: a cmsg cut to what fits sets MSG_CTRUNC. */
static void put_cmsg(struct msghdr *msg, size_t *used, int type, const void *data, size_t n)
{
  struct cmsg c;
  size_t room = msg->msg_controllen - *used, len = CM_LEN(n), step;
  unsigned char *at = (unsigned char *)msg->msg_control + *used;

  if (msg->msg_control == NULL || room < sizeof c) {
    msg->msg_flags |= MSG_CTRUNC;
    return;
  }
  if (room < len) {
    msg->msg_flags |= MSG_CTRUNC;
    len = room;
  }
  c.len = CM_LEN(n);
  c.level = SOL_SOCKET;
  c.type = type;
  memcpy(at, &c, sizeof c);
  if (len > CM_HDR)
    memcpy(at + CM_HDR, data, len - CM_HDR);
  step = CM_SPACE(n) < room ? CM_SPACE(n) : room;
  *used += step;
}

void ipcx__scm_rx_end(struct ipcx__scm_batch **slot, struct msghdr *msg, int flags,
                      const struct ucred *cred)
{
  struct ipcx__scm_batch *b = *slot;
  size_t used = 0, room, fit, i;
  int fds[IPCX__SCM_MAX_FD], n = 0, full = 0;

  rx_slot = NULL;
  *slot = NULL;
  if (cred != NULL) {
    struct ucred c = *cred;
    if (b != NULL && b->h.has_cred) {
      c.pid = b->h.pid;
      c.uid = b->h.uid;
      c.gid = b->h.gid;
    }
    put_cmsg(msg, &used, SCM_CREDENTIALS, &c, sizeof c);
  }
  if (b != NULL && b->h.nfds > 0) {
    /* Linux's scm_detach_fds: as many as the buffer holds; the rest closed. */
    room = msg->msg_control != NULL ? msg->msg_controllen - used : 0;
    fit = room > CM_HDR ? (room - CM_HDR) / sizeof(int) : 0;
    for (i = 0; i < b->h.nfds; i++) {
      struct wire_fd wire = wire_at(b->rec, (DWORD)i), *w = &wire;
      const WSAPROTOCOL_INFOW *ws;
      HANDLE h;
      int fd;
      if (full || (size_t)n >= fit) {
        if (!(w->flags & IPCX__FD_WINSOCK))
          close_remote(w->pid, w->handle);
        continue;
      }
      h = pull(w);
      if (h == NULL)
        continue;               /* its holder has gone: left out, MSG_CTRUNC (docs/fdpass.md) */
      ws = (w->flags & IPCX__FD_WINSOCK) ? (const WSAPROTOCOL_INFOW *)(b->rec + w->handle) : NULL;
      fd = ipcx__fd_adopt(h, ws, (int)w->flags, (flags & MSG_CMSG_CLOEXEC) != 0);
      if (fd >= 0)
        fds[n++] = fd;
      else if (errno == EMFILE)
        full = 1;               /* Linux stops here and closes the rest */
    }
    if ((size_t)n < b->h.nfds)
      msg->msg_flags |= MSG_CTRUNC;
    if (n > 0) {
      struct cmsg c;
      unsigned char *at = (unsigned char *)msg->msg_control + used;
      size_t step;
      c.len = CM_LEN((size_t)n * sizeof(int));
      c.level = SOL_SOCKET;
      c.type = SCM_RIGHTS;
      memcpy(at, &c, sizeof c);
      memcpy(at + CM_HDR, fds, (size_t)n * sizeof(int));
      step = CM_SPACE((size_t)n * sizeof(int));
      used += step < room ? step : room;
    }
  }
  if (b != NULL)
    free(b);
  msg->msg_controllen = used;
}
