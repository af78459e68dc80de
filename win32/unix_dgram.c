/*
 * unix_dgram.c: AF_UNIX SOCK_DGRAM sockets from socket(): a bound socket is a
 * mailbox (a pipe any number of senders connect to, one instance each, and a
 * relay thread moving each datagram, sender's address first, whole, into a
 * private message pipe the socket reads through unix_conn.c's record path);
 * sendto() opens the destination's mailbox pipe (kept open for the next
 * datagram to the same place); connect() sets the default destination.
 */
#define _CRT_RAND_S
#include "unix_internal.h"

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
    if (mailbox_busy(m) && ipcx__wait1(m->stop, 0, 0) != WAIT_OBJECT_0)
      continue;
    hs[0] = m->stop;
    hs[1] = m->ev;
    hs[2] = m->lov.hEvent;
    w = ipcx__wait(m->listener != NULL ? 3 : 2, hs, INFINITE, 0);
    if (w == WAIT_OBJECT_0 || w == WAIT_FAILED)
      break;
  }
  return 0;
}

void ipcx__unix_mailbox_stop(struct mailbox *m)
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
    ipcx__unix_mailbox_stop(m);
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
  if (err == IPCX__WAIT_INTERRUPTED)
    return ipcx__fail(EINTR);   /* a handler without SA_RESTART (io.c restarts the others) */
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
int ipcx__unix_dgram_connect(struct ipcx__file *f, const struct sockaddr *addr, socklen_t len)
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
  return ipcx__unix_copy_addr(&s->from, s->from_len, addr, len);
}

int ipcx__unix_is_dgram(struct ipcx__file *f)
{
  return dgram(us(f));
}
