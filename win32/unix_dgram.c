/*
 * unix_dgram.c: AF_UNIX SOCK_DGRAM sockets from socket(): a bound socket is a
 * mailbox (a pipe any number of senders connect to, one instance each, and a
 * relay thread moving each datagram, sender's address first, whole, into a
 * private message pipe the socket reads through unix_conn.c's record path);
 * sendto() opens the destination's mailbox pipe (kept open for the next
 * datagram to the same place); connect() sets the default destination.
 * A flow record shared by name with the senders (see "flow") gives Linux's
 * two rules: a connect()ed socket takes datagrams only from its peer (EPERM
 * for others), and a nonblocking send to a full receiver is EAGAIN.
 */
#define _CRT_RAND_S
#include "unix_internal.h"
#include "scm.h"

#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- datagrams: SOCK_DGRAM from socket() ---------------------------------- */

/*
 * A bound datagram socket is a mailbox: its pipe (tag "g", the name in the
 * socket file as for a listener) takes any number of senders, one instance
 * each.  A relay thread adopts each sender as it connects (and arms the next
 * instance at once) and moves every datagram, whole, into a private message
 * pipe whose read end becomes the socket's f->h, so recv() and poll() are
 * the record socket's (ipcx__unix_recv_record).  On the wire a datagram is "G", the
 * sender's address length (one byte, 0: unnamed) and address, then the
 * bytes.  sendto() opens the destination's pipe, keeps it open for the next
 * datagram to the same name, and writes one message; a blocking send waits
 * while the receiver's pipes are full (a pending pipe write cannot be taken
 * back, so a nonblocking send is refused earlier, by the flow record: see
 * "flow").  A full relay waits too, so senders feel the receiver's pace, as
 * on Linux.
 */
#define DGRAM_MAX (RA_SIZE - 2 - (int)sizeof(struct sockaddr_un))

/* --- flow: the receiver's rules, shared with its senders ------------------ */

/*
 * A bound datagram socket keeps a small named mapping (owner-only,
 * Local\ipcx-dg-<the mailbox name's random hex>) that its senders map when
 * they open its mailbox (two requests per new destination; then plain
 * memory reads, no request per datagram):
 *   peer    the mailbox name of the socket it is connect()ed to, or empty.
 *           A sender that is not that socket gets EPERM, as on Linux
 *           (unix_may_send).  Written under a sequence count.
 *   count,  datagrams (and their bytes) sent and not yet taken by recv()
 *   bytes   (a receiver in a child decrements them too: the private pipe
 *           carries the same hex in its name).  A nonblocking send finds
 *           the receiver full (EAGAIN) past Linux's default
 *           net.unix.max_dgram_qlen (10, measured: the 11th datagram is
 *           taken, the 12th is EAGAIN) or past one pipe's worth of bytes,
 *           before any pipe can fill: so a nonblocking send never waits.
 *           A blocking one is written and waits on the pipe when it is full.
 */
#define DGRAM_QLEN 10

struct dgflow {
  volatile LONG seq;            /* odd while peer is being written */
  volatile LONG count;
  volatile LONG bytes;
  char peer[128];
  /* written once at bind, for a child of the socket: its name and address */
  char mailbox[128];
  int local_len;
  struct sockaddr_un local;
};

/* The flow record of the mailbox whose random hex is hex (32 digits). */
static struct dgflow *flow_open(const char *hex, int create, HANDLE *map)
{
  char name[80];
  struct dgflow *v;

  snprintf(name, sizeof name, "Local\\ipcx-dg-%.32s", hex);
  *map = create ? CreateFileMappingA(INVALID_HANDLE_VALUE, ipcx__owner_only(), PAGE_READWRITE, 0,
                                     sizeof(struct dgflow), name)
                : OpenFileMappingA(FILE_MAP_READ | FILE_MAP_WRITE, FALSE, name);
  if (*map == NULL)
    return NULL;
  v = MapViewOfFile(*map, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, sizeof *v);
  if (v == NULL) {
    CloseHandle(*map);
    *map = NULL;
  }
  return v;
}

static void flow_close(struct dgflow **v, HANDLE *map)
{
  if (*v != NULL)
    UnmapViewOfFile(*v);
  if (*map != NULL)
    CloseHandle(*map);
  *v = NULL;
  *map = NULL;
}

/* The random hex at the end of a mailbox name (\\.\pipe\ipcx-g-<pid>-<hex>). */
static const char *mailbox_hex(const char *name)
{
  size_t n = strlen(name);

  return n >= 32 ? name + n - 32 : name;
}

static void flow_set_peer(struct dgflow *v, const char *peer)
{
  if (v == NULL)
    return;
  InterlockedIncrement(&v->seq);
  snprintf(v->peer, sizeof v->peer, "%s", peer);
  InterlockedIncrement(&v->seq);
}

/*
 * 1 if the receiver is connected to a socket other than the one named me.
 * A copy taken while the receiver writes is taken again; a receiver that
 * died in the middle of a write (the count left odd) refuses no one.
 */
static int flow_refuses(struct dgflow *v, const char *me)
{
  char peer[sizeof v->peer];
  LONG a, b;
  int tries;

  for (tries = 0; tries < 1000; tries++) {
    a = v->seq;
    MemoryBarrier();
    memcpy(peer, v->peer, sizeof peer);
    MemoryBarrier();
    b = v->seq;
    if (a == b && !(a & 1)) {
      peer[sizeof peer - 1] = 0;
      return peer[0] != 0 && strcmp(peer, me) != 0;
    }
  }
  return 0;
}

void ipcx__unix_dgram_taken(struct usock *s, DWORD rec)
{
  if (s->flow == NULL)
    return;
  InterlockedDecrement(&s->flow->count);
  InterlockedExchangeAdd(&s->flow->bytes, -(LONG)rec);
}

void ipcx__unix_dgram_release(struct usock *s)
{
  flow_close(&s->flow, &s->flow_map);
  flow_close(&s->dest_flow, &s->dest_flow_map);
}

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
  /* detached: the socket was closed here while another process reads it
   * (ipcx__unix_mailbox_detach); a zero-byte read watch on out (zero_read.c)
   * tells the relay when the last reader has gone. */
  volatile LONG detached;
  struct ipcx__zero_read zw;
  HANDLE flow_map;              /* keeps the flow record for a child that opens it later */
};

static void mailbox_free(struct mailbox *m);

/* A listening instance with ConnectNamedPipe pending; 0 or a Win32 error. */
static DWORD mailbox_arm(struct mailbox *m, int first)
{
  DWORD err;

  m->listener = ipcx__pipe_listen(m->name, first, PIPE_CAPACITY, PIPE_CAPACITY, ipcx__owner_only(),
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
      if (taken == 64)
        break;                  /* more may wait: another pass (mailbox_busy) */
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

/*
 * After a pass: is a sender's read done, or none posted (a pass cut at 64)?
 * ev cannot say: every sender's read shares it, and ReadFile resets its event
 * as it starts, so a read that completed during the pass, before another
 * sender's read was posted, has lost its signal (the relay then slept with
 * a datagram in hand while the receiver waited for it: a hang seen under
 * load in dgram_many_senders).  A completion after this look sets ev, as no
 * read is posted before the next wait.
 */
static int mailbox_busy(struct mailbox *m)
{
  int k;

  for (k = 0; k < m->n; k++)
    if (!m->snd[k]->pending || HasOverlappedIoCompleted(&m->snd[k]->ov))
      return 1;
  return 0;
}

/*
 * Detached: 1 once no process reads the private pipe any more (its zero-byte
 * read on out ends with ERROR_BROKEN_PIPE), posting the read first.
 */
static int mailbox_orphaned(struct mailbox *m)
{
  if (!m->detached)
    return 0;
  if (ipcx__zero_read_finished(&m->zw, m->out) == ERROR_IO_PENDING)
    return 0;
  if (!m->zw.gone)
    ipcx__zero_read_arm(&m->zw, m->out, NULL);    /* no event: not orphaned, tried again */
  return m->zw.gone;            /* broken, now or at once: nobody reads */
}

static DWORD WINAPI mailbox_thread(void *arg)
{
  struct mailbox *m = arg;
  HANDLE hs[4];
  DWORD w, nh;

  for (;;) {
    if (mailbox_orphaned(m)) {
      CloseHandle(m->thread);   /* nobody joins a detached relay */
      m->thread = NULL;
      mailbox_free(m);
      return 0;
    }
    if (m->listener != NULL && (m->lconnected || HasOverlappedIoCompleted(&m->lov)))
      mailbox_adopt(m);
    ResetEvent(m->ev);
    mailbox_pump(m);
    if (mailbox_busy(m) && ipcx__wait1(m->stop, 0, 0) != WAIT_OBJECT_0)
      continue;
    nh = 0;
    hs[nh++] = m->stop;
    hs[nh++] = m->ev;
    if (m->zw.active)
      hs[nh++] = m->zw.ov.hEvent;
    if (m->listener != NULL)
      hs[nh++] = m->lov.hEvent;
    w = ipcx__wait(nh, hs, INFINITE, 0);
    if (w == WAIT_OBJECT_0 || w == WAIT_FAILED)
      break;
  }
  return 0;
}

void ipcx__unix_mailbox_stop(struct mailbox *m)
{
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
    m->thread = NULL;
  }
  mailbox_free(m);
}

void ipcx__unix_mailbox_detach(struct mailbox *m)
{
  InterlockedExchange(&m->detached, 1);
  SetEvent(m->ev);              /* the relay posts its watch on the readers */
}

/* Everything but the thread (stopped, or the caller). */
static void mailbox_free(struct mailbox *m)
{
  int k;

  ipcx__zero_read_end(&m->zw, m->out, 1);
  ipcx__unix_close_handle(m->flow_map);
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
  ipcx__unix_close_handle(m->out);
  ipcx__unix_close_handle(m->stop);
  ipcx__unix_close_handle(m->ev);
  ipcx__unix_close_handle(m->lov.hEvent);
  free(m);
}

/* Open s's mailbox under s->pipe_name (bind(), llock held); 0 or -1/errno. */
int ipcx__unix_mailbox_start(struct ipcx__file *f)
{
  struct usock *s = us(f);
  struct mailbox *m = calloc(1, sizeof *m);
  HANDLE rd = NULL, old;
  DWORD err;
  char tag[40];

  if (m == NULL)
    return ipcx__fail(ENOMEM);
  snprintf(m->name, sizeof m->name, "%s", s->pipe_name);
  snprintf(tag, sizeof tag, "r-%s", mailbox_hex(s->pipe_name));   /* the flow's name, for a child */
  m->stop = CreateEventW(NULL, TRUE, FALSE, NULL);
  m->ev = CreateEventW(NULL, TRUE, FALSE, NULL);
  m->lov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
  err = m->stop == NULL || m->ev == NULL || m->lov.hEvent == NULL ? GetLastError()
        : ipcx__pipe_pair_open(&rd, &m->out, PIPE_CAPACITY,
                               PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE,
                               GENERIC_READ | GENERIC_WRITE, FILE_FLAG_OVERLAPPED, tag);
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
    ipcx__unix_mailbox_stop(m);
    if (err == ERROR_ACCESS_DENIED || err == ERROR_PIPE_BUSY)
      return ipcx__fail(EADDRINUSE);
    return ipcx__fail_win32(err);
  }
  s->mb = m;
  s->flow = flow_open(mailbox_hex(s->pipe_name), 1, &s->flow_map);   /* none: no rules, as before */
  if (s->flow != NULL) {
    DuplicateHandle(GetCurrentProcess(), s->flow_map, GetCurrentProcess(), &m->flow_map, 0, FALSE,
                    DUPLICATE_SAME_ACCESS);
    snprintf(s->flow->mailbox, sizeof s->flow->mailbox, "%s", s->pipe_name);
    s->flow->local = s->local;
    s->flow->local_len = s->local_len;
  }
  if (s->dconnected)
    flow_set_peer(s->flow, s->peer_pipe);
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
  int kind = ipcx__unix_parse_addr(addr, len, a, alen);

  if (kind < 0)
    return -1;
  if (kind == 1) {
    ipcx__unix_addr_path(a, path);
    if (ipcx__unix_read_record_file(path, name, size, &pid) < 0)
      return -1;
  } else if (ipcx__unix_read_record_abstract(a, *alen, name, size, &pid) < 0) {
    return -1;
  }
  if (strncmp(name, "\\\\.\\pipe\\ipcx-", 14) != 0 || ipcx__unix_type_of_tag(name + 14) != SOCK_DGRAM)
    return ipcx__fail(EPROTOTYPE);     /* a stream or seqpacket socket lives there */
  return 0;
}

/* Open the mailbox called name as s->dest (kept for the next datagram; llock held),
 * with its flow record. */
static int dgram_open(struct usock *s, const char *name)
{
  DWORD err;
  int tries;

  if (s->dest != NULL && strcmp(s->dest_name, name) != 0) {
    CloseHandle(s->dest);
    s->dest = NULL;
    flow_close(&s->dest_flow, &s->dest_flow_map);
  }
  for (tries = 0; s->dest == NULL; tries++) {
    s->dest = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                          FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION,
                          NULL);
    if (s->dest != INVALID_HANDLE_VALUE) {
      snprintf(s->dest_name, sizeof s->dest_name, "%s", name);
      s->dest_flow = flow_open(mailbox_hex(name), 0, &s->dest_flow_map);
      break;
    }
    s->dest = NULL;
    err = GetLastError();
    if (err != ERROR_PIPE_BUSY || tries >= 100)
      return ipcx__fail(err == ERROR_PIPE_BUSY ? EAGAIN : ECONNREFUSED);
    WaitNamedPipeA(name, 100);   /* the relay arms the next instance at once */
  }
  return 0;
}

/* Send one datagram to the mailbox called name (llock held). */
/*
 * The destination's rules for a datagram of total bytes (after dgram_open):
 * 0, or -1 with EPERM (it is connect()ed to another socket) or EAGAIN
 * (nonblocking, and it is full).
 */
static int flow_admit(struct usock *s, size_t total, int nonblock)
{
  if (s->dest_flow == NULL)
    return 0;
  if (flow_refuses(s->dest_flow, s->bound ? s->pipe_name : ""))
    return ipcx__fail(EPERM);
  if (nonblock && (s->dest_flow->count > DGRAM_QLEN ||
                   s->dest_flow->bytes + (LONG)total > PIPE_CAPACITY))
    return ipcx__fail(EAGAIN);
  return 0;
}

/* A datagram of total bytes has gone to the destination: count it there. */
static void flow_sent(struct usock *s, size_t total)
{
  if (s->dest_flow != NULL) {
    InterlockedIncrement(&s->dest_flow->count);
    InterlockedExchangeAdd(&s->dest_flow->bytes, (LONG)total);
  }
}

static ssize_t dgram_write(struct usock *s, const char *name, const void *buf, size_t n,
                           int nonblock)
{
  char stack[2048], *m;
  size_t total;
  DWORD err = ERROR_SUCCESS, put;

  if (dgram_open(s, name) < 0)
    return -1;
  total = 2 + (size_t)(s->local_len > (socklen_t)sizeof(ADDRESS_FAMILY) ? s->local_len : 0) + n;
  if (flow_admit(s, total, nonblock) < 0)
    return -1;
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
  if (err == ERROR_SUCCESS) {
    flow_sent(s, total);
    return (ssize_t)n;
  }
  if (err == WAIT_TIMEOUT)
    return ipcx__fail(EAGAIN);
  if (err == IPCX__WAIT_INTERRUPTED)
    return ipcx__fail(EINTR);   /* a handler without SA_RESTART (io.c restarts the others) */
  CloseHandle(s->dest);         /* the receiver has gone */
  s->dest = NULL;
  flow_close(&s->dest_flow, &s->dest_flow_map);
  return ipcx__fail(ECONNREFUSED);
}

/*
 * The start of every send (sendto, send, sendmsg with fds): the checks, then
 * llock taken and the destination's mailbox name in name (the connected
 * peer's when addr is NULL).  0, or -1/errno with llock not held.
 */
static int dgram_dest(struct usock *s, const void *buf, size_t n, size_t max,
                      const struct sockaddr *addr, socklen_t len, char *name, size_t size)
{
  struct sockaddr_un a;
  socklen_t alen;

  if (n > 0 && buf == NULL)
    return ipcx__fail(EFAULT);
  if (s->shut_wr)
    return ipcx__fail(EPIPE);
  if (n > max)
    return ipcx__fail(EMSGSIZE);
  AcquireSRWLockExclusive(&s->llock);
  if (addr == NULL) {
    if (!s->dconnected) {
      ReleaseSRWLockExclusive(&s->llock);
      return ipcx__fail(ENOTCONN);
    }
    snprintf(name, size, "%s", s->peer_pipe);
  } else if (dgram_resolve(addr, len, name, size, &a, &alen) < 0) {
    ReleaseSRWLockExclusive(&s->llock);
    return -1;
  }
  return 0;
}

/* sendto() and send() on a datagram socket from socket(). */
ssize_t ipcx__unix_dgram_send(struct ipcx__file *f, const void *buf, size_t n, int flags,
                              const struct sockaddr *addr, socklen_t len)
{
  struct usock *s = us(f);
  char name[256];
  ssize_t r;

  if (dgram_dest(s, buf, n, (size_t)DGRAM_MAX, addr, len, name, sizeof name) < 0)
    return -1;
  r = dgram_write(s, name, buf, n, (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT));
  ReleaseSRWLockExclusive(&s->llock);
  return r;
}

/*
 * sendmsg() with fds or credentials on a datagram socket from socket(): the
 * datagram is tagged 'H' and carries, behind the sender's address, the SCM
 * record (scm.c; its length in two bytes), the handles placed in the process
 * that owns the destination's mailbox (the pipe's server).
 */
ssize_t ipcx__unix_dgram_sendscm(struct ipcx__file *f, const struct ipcx__scm_out *scm,
                                 const void *buf, size_t n, const struct sockaddr *addr,
                                 socklen_t len)
{
  struct usock *s = us(f);
  size_t al = (size_t)(s->local_len > (socklen_t)sizeof(ADDRESS_FAMILY) ? s->local_len : 0);
  size_t head = 2 + al + 2, rec;
  unsigned short size;
  char name[256], *m;
  DWORD err, put;

  if (dgram_dest(s, buf, n, (size_t)-1, addr, len, name, sizeof name) < 0)
    return -1;
  if (dgram_open(s, name) < 0 || (m = ipcx__scm_pack(scm, s->dest, head, n, &rec)) == NULL) {
    ReleaseSRWLockExclusive(&s->llock);
    return -1;
  }
  if (head + rec + n > RA_SIZE || flow_admit(s, head + rec + n, (f->flags & O_NONBLOCK) != 0) < 0) {
    int e = head + rec + n > RA_SIZE ? EMSGSIZE : errno;
    ipcx__scm_unpack(m + head);
    free(m);
    ReleaseSRWLockExclusive(&s->llock);
    return ipcx__fail(e);
  }
  m[0] = 'H';
  m[1] = (char)al;
  memcpy(m + 2, &s->local, al);
  size = (unsigned short)rec;
  memcpy(m + 2 + al, &size, sizeof size);
  if (n > 0)
    memcpy(m + head + rec, buf, n);
  err = ipcx__io_write(s->dest, m, (DWORD)(head + rec + n), &put,
                       s->sndtimeo ? s->sndtimeo : INFINITE);
  if (err == ERROR_SUCCESS) {
    flow_sent(s, head + rec + n);
  } else {
    ipcx__scm_unpack(m + head);
    CloseHandle(s->dest);
    s->dest = NULL;
    flow_close(&s->dest_flow, &s->dest_flow_map);
  }
  free(m);
  ReleaseSRWLockExclusive(&s->llock);
  if (err == ERROR_SUCCESS)
    return (ssize_t)n;
  return ipcx__fail(err == WAIT_TIMEOUT ? EAGAIN : ECONNREFUSED);
}

/* connect() on a datagram socket: the default destination. */
int ipcx__unix_dgram_connect(struct ipcx__file *f, const struct sockaddr *addr, socklen_t len)
{
  struct usock *s = us(f);
  struct sockaddr_un a;
  socklen_t alen;
  char name[256];

  if (addr != NULL && len >= (socklen_t)sizeof(ADDRESS_FAMILY) && addr->sa_family == AF_UNSPEC) {
    AcquireSRWLockExclusive(&s->llock);
    s->dconnected = 0;          /* Linux: AF_UNSPEC dissolves the association */
    flow_set_peer(s->flow, "");
    ReleaseSRWLockExclusive(&s->llock);
    return 0;
  }
  if (dgram_resolve(addr, len, name, sizeof name, &a, &alen) < 0)
    return -1;
  AcquireSRWLockExclusive(&s->llock);
  snprintf(s->peer_pipe, sizeof s->peer_pipe, "%s", name);
  s->peer = a;
  s->peer_len = alen;
  s->dconnected = 1;
  flow_set_peer(s->flow, name);         /* senders other than the peer: EPERM */
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
  return ipcx__unix_copy_addr(&s->from, s->from_len, addr, len);
}

int ipcx__unix_is_dgram(struct ipcx__file *f)
{
  return dgram(us(f));
}

/* --- a bound datagram socket in another process ---------------------------- */

/*
 * Export (posix_spawn, SCM_RIGHTS): the other process gets the private pipe
 * (tag "r"), whose messages it reads as this socket's datagrams: every
 * process holding the socket takes from the one queue, each datagram once,
 * as on Linux.  The relay stays in this process; once the socket is shared,
 * its close here detaches the relay instead of stopping it, and the relay
 * ends when the last reader has gone.  So a child receives while the process
 * that bound the socket lives (its exit ends the relay).
 */
int ipcx__unix_dgram_export(struct ipcx__file *f, HANDLE *h)
{
  HANDLE n;

  us(f)->shared = 1;            /* *h is socket()'s placeholder: f->h goes instead */
  if (!DuplicateHandle(GetCurrentProcess(), f->h, GetCurrentProcess(), &n, 0, TRUE,
                       DUPLICATE_SAME_ACCESS))
    return ipcx__errno_from_win32(GetLastError());
  CloseHandle(*h);
  *h = n;
  return 0;
}

/* Import: f (its handle the private pipe) is a bound datagram socket with
 * no relay here; its name and address come from the flow record. */
void ipcx__unix_dgram_adopt(struct ipcx__file *f)
{
  char buf[sizeof(FILE_NAME_INFO) + 128 * sizeof(WCHAR)], hex[33];
  FILE_NAME_INFO *fi = (FILE_NAME_INFO *)buf;
  struct usock *s = us(f);
  int i;

  s->type = SOCK_DGRAM;
  s->state = ST_BOUND;
  s->bound = 1;
  s->shared = 1;
  s->local.sun_family = AF_UNIX;
  s->local_len = sizeof(ADDRESS_FAMILY);
  /* Its name is \ipcx-r-<the mailbox's hex>-...: the flow record's. */
  if (GetFileInformationByHandleEx(f->h, FileNameInfo, fi, sizeof buf) &&
      fi->FileNameLength >= 40 * sizeof(WCHAR)) {
    for (i = 0; i < 32; i++)
      hex[i] = (char)fi->FileName[8 + i];
    hex[32] = 0;
    s->flow = flow_open(hex, 0, &s->flow_map);
  }
  if (s->flow != NULL && s->flow->local_len > 0 &&
      s->flow->local_len <= (int)sizeof s->local) {
    s->local = s->flow->local;
    s->local_len = s->flow->local_len;
    snprintf(s->pipe_name, sizeof s->pipe_name, "%.*s", (int)sizeof s->pipe_name - 1,
             s->flow->mailbox);
  }
}
