/*
 * unix_conn.c: an AF_UNIX connection (socketpair() ends, accepted and
 * connected sockets, stream and record): the frame format on its pipe,
 * reading, writing, shutdown(), the reset at close, FIONREAD and poll().
 * The decision and its numbers are at the top of unix.c; docs/sockets.md
 * has the measurements.
 */
#define _CRT_RAND_S
#include "unix_internal.h"
#include "scm.h"

#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- the frame format ----------------------------------------------------- */

/*
 * What travels on a connection's pipe (one pipe message each):
 *
 *   data      stream: the bytes of one write(), never empty;
 *             records: a tag byte ('D', or 'G' + the sender's address) and
 *             the record.
 *   escape    a zero-length message: the next message is a control record.
 *   control   struct ctl: SHUTDOWN (how: the sender's SHUT_WR and/or
 *             SHUT_RD) or RESET (the sender closed with unread data), or
 *             SCM (fds and credentials, scm.c): the record (size bytes)
 *             and, in the same message, the data sent with it.
 *
 * No hello: the peer's pid (SO_PEERCRED) is the pipe's, asked when wanted.
 *
 * Data stays untagged, so a write is one WriteFile and a read one ReadFile,
 * as on a raw pipe.  A closed pipe (ERROR_BROKEN_PIPE) is the plain close.
 */
#define CTL_MAGIC 0x4c544358u   /* "XCTL" */
enum { CTL_SHUTDOWN = 1, CTL_RESET = 2, CTL_SCM = 3 };
/* A stream's SCM message carries at most CTL_DATA bytes of data (the rest
 * follows as plain data, as Linux attaches fds to the first buffer of a
 * write); a reader reads an SCM message only with CTL_ROOM free. */
#define CTL_DATA 16384
#define CTL_ROOM (CTL_DATA + 32768 + 64)
enum { HOW_WR = 1, HOW_RD = 2 };  /* the sender's shutdown: our EOF, our EPIPE */

struct ctl {
  DWORD magic;
  unsigned char kind, how;
  unsigned short size;          /* bytes of the record (room for what fd passing adds) */
};

/* Write an escape and a control record (blocking, at most timeout_ms each). */
static DWORD send_ctl(struct ipcx__file *f, int kind, int how, DWORD timeout_ms)
{
  struct ctl c;
  DWORD put, err;

  memset(&c, 0, sizeof c);
  c.magic = CTL_MAGIC;
  c.kind = (unsigned char)kind;
  c.how = (unsigned char)how;
  c.size = sizeof c;
  us(f)->io_done = 1;
  err = ipcx__io_drain(f);      /* after earlier nonblocking writes */
  if (err == ERROR_SUCCESS)
    err = ipcx__io_write(f->h, "", 0, &put, timeout_ms);
  if (err == ERROR_SUCCESS)
    err = ipcx__io_write(f->h, &c, sizeof c, &put, timeout_ms);
  return err;
}

/* --- reading ------------------------------------------------------------ */

/*
 * Wait for overlapped call ov on h (io.c's ipcx__io_wait): timeout_ms as
 * for reads (INFINITE, or a limit), ending early when wake is signalled or
 * a handler interrupts (the call is then cancelled: what it got before the
 * cancel still counts).  Returns ERROR_SUCCESS, ERROR_MORE_DATA,
 * WAIT_TIMEOUT, ERROR_OPERATION_ABORTED (woken or interrupted: *intr says
 * which) or the error.
 */
static DWORD wait_io(HANDLE h, OVERLAPPED *ov, HANDLE wake, DWORD timeout_ms, DWORD *n, int *intr)
{
  DWORD err = ipcx__io_wait(h, ov, wake, timeout_ms, IPCX__WAIT_INTR, n);

  *intr = err == IPCX__WAIT_INTERRUPTED;
  if (*intr)
    err = ERROR_OPERATION_ABORTED;
  if ((err == ERROR_OPERATION_ABORTED || err == WAIT_TIMEOUT) && *n > 0)
    return ERROR_SUCCESS;       /* what came before the cancel */
  return err;
}

/* After an ipcx__unix_interrupted wait: -1/EINTR, or 0 to wait again (SA_RESTART). */
int ipcx__unix_interrupted(void)
{
  return ipcx__wait_restart() ? 0 : ipcx__fail(EINTR);
}

/* The same for a wait of timeout_ms: one bounded by SO_RCVTIMEO is never
 * restarted (Linux's rule, signal(7)). */
static int interrupted(DWORD timeout_ms)
{
  return timeout_ms != INFINITE ? ipcx__fail(EINTR) : ipcx__unix_interrupted();
}

static void set_eof(struct usock *s, LONG how)
{
  InterlockedCompareExchange(&s->eof, how, EOF_NONE);
  if (s->type != SOCK_DGRAM)
    ipcx__unix_wake(s->rd_wake);           /* a datagram reader waits on: nothing ends its reads */
}

/*
 * rd_wake, made if need be, for a reader about to wait: set when reads must
 * end (EOF, our SHUT_RD).  A waker that came before it existed set the flag
 * first, so it is seen here (both sides use interlocked operations).
 */
static HANDLE rd_wake_event(struct usock *s)
{
  HANDLE ev = ipcx__unix_lazy_event(&s->rd_wake);

  MemoryBarrier();
  if (ev != NULL && (s->shut_rd || (s->eof != EOF_NONE && s->type != SOCK_DGRAM)))
    SetEvent(ev);
  return ev;
}

static int pipe_gone(DWORD err)
{
  return err == ERROR_BROKEN_PIPE || err == ERROR_PIPE_NOT_CONNECTED || err == ERROR_HANDLE_EOF ||
         err == ERROR_NO_DATA;
}

/*
 * A control record arrived (after an escape).  Returns the bytes of an SCM
 * record (the data sent with it follows them in the message), else -1.
 */
static int take_ctl(struct usock *s, const char *buf, DWORD got)
{
  struct ipcx__scm_batch *b, **q;
  struct ctl c;

  if (got < sizeof c)
    return -1;
  memcpy(&c, buf, sizeof c);
  if (c.magic != CTL_MAGIC)
    return -1;
  if (c.kind == CTL_SCM && c.size >= sizeof c && c.size <= got) {
    /* The fds belong to the data behind the record: where it will be in the read-ahead. */
    b = ipcx__scm_take(buf + sizeof c, c.size - sizeof c);
    if (b != NULL) {
      ipcx__scm_set_place(b, s->ra_len, got - c.size);
      for (q = &s->scm_q; *q != NULL; q = ipcx__scm_next(*q))
        ;
      *q = b;
    }
    return c.size;
  }
  if (c.kind == CTL_RESET) {
    if (s->type != SOCK_DGRAM)
      InterlockedExchange(&s->err, ECONNRESET);
    InterlockedExchange(&s->peer_rd, 1);
    set_eof(s, EOF_CLOSED);
  } else if (c.kind == CTL_SHUTDOWN) {
    if (c.how & HOW_RD)
      InterlockedExchange(&s->peer_rd, 1);
    if (c.how & HOW_WR)
      set_eof(s, EOF_MARK);
  }
  return -1;
}

/*
 * One message has arrived at s->ra_buf + s->ra_len (got bytes, err): take
 * it.  Returns 0, or -1/errno for a read error.
 */
static char *ra_at(struct usock *s)
{
  return s->ra_buf + s->ra_len + (s->type != SOCK_STREAM ? REC_HDR : 0);
}

static int ra_take(struct usock *s, DWORD err, DWORD got)
{
  char *at = ra_at(s);

  if (err == ERROR_SUCCESS || err == ERROR_MORE_DATA) {
    if (s->esc) {
      int skip;
      s->esc = 0;
      skip = take_ctl(s, at, got);
      if (skip < 0 || (DWORD)skip >= got)
        return 0;
      memmove(at, at + skip, got - (DWORD)skip);   /* the data sent with fds */
      got -= (DWORD)skip;
    } else if (got == 0 && err == ERROR_SUCCESS) {
      s->esc = 1;               /* the escape: a control record comes next */
      return 0;
    }
    if (s->type != SOCK_STREAM) {
      memcpy(s->ra_buf + s->ra_len, &got, REC_HDR);   /* the record's length */
      s->ra_len += REC_HDR;
    }
    s->ra_len += got;
    return 0;
  }
  if (pipe_gone(err)) {
    set_eof(s, EOF_CLOSED);
    return 0;
  }
  return ipcx__fail(ipcx__errno_read(err));
}

/* The room a read into the read-ahead gets (a record whole, a control record too). */
static DWORD ra_room(struct usock *s)
{
  if (s->type != SOCK_STREAM)
    return RA_CAP(s) - s->ra_len - REC_HDR >= RA_SIZE ? RA_SIZE : 0;
  return RA_SIZE - s->ra_len;
}

/* No room for more (a control record: room for an SCM message). */
static int ra_full(struct usock *s)
{
  return ra_room(s) < (s->esc ? CTL_ROOM : 1024);
}

/*
 * Before the first read of a connect()ed end (rd_lock held): its pipe reads
 * in message mode from now on.  connect() leaves it, so that a connection
 * that never reads saves the request.
 */
static int message_mode(struct ipcx__file *f)
{
  struct usock *s = us(f);

  s->io_done = 1;               /* a read follows */
  if (s->byte_mode) {
    if (ipcx__unix_set_message_mode(f->h) < 0 && !pipe_gone(GetLastError()))
      return ipcx__fail_win32(GetLastError());
    s->byte_mode = 0;
  }
  return 0;
}

/* Post a read at the end of the read-ahead (rd_lock held); it may complete at once. */
int ipcx__unix_ra_post(struct ipcx__file *f)
{
  struct usock *s = us(f);
  DWORD err;

  if (message_mode(f) < 0)
    return -1;
  if (s->ra_buf == NULL && (s->ra_buf = malloc(RA_CAP(s))) == NULL)
    return ipcx__fail(ENOMEM);
  if (s->ra_ov.hEvent == NULL && (s->ra_ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL)) == NULL)
    return ipcx__fail(ENOMEM);
  s->ra_ov.Internal = s->ra_ov.InternalHigh = 0;
  s->ra_ov.Offset = s->ra_ov.OffsetHigh = 0;
  if (!ReadFile(f->h, ra_at(s), ra_room(s), NULL, &s->ra_ov)) {
    err = GetLastError();
    if (err != ERROR_IO_PENDING && err != ERROR_MORE_DATA)
      return ra_take(s, err, 0);
  }
  s->ra_pending = 1;
  return 0;
}

/*
 * Collect the read-ahead (rd_lock held).  timeout_ms 0: only if it is done.
 * Returns 1 when it has ended (taken), 0 when it is still pending, -1/errno
 * (EAGAIN when the limit passed, EINTR).
 */
int ipcx__unix_ra_collect(struct ipcx__file *f, DWORD timeout_ms)
{
  struct usock *s = us(f);
  DWORD err, got = 0;
  int intr = 0;

  if (!s->ra_pending)
    return 1;
  if (timeout_ms == 0) {
    if (!HasOverlappedIoCompleted(&s->ra_ov))
      return 0;
    err = GetOverlappedResult(f->h, &s->ra_ov, &got, FALSE) ? ERROR_SUCCESS : GetLastError();
  } else {
    err = wait_io(f->h, &s->ra_ov, rd_wake_event(s), timeout_ms, &got, &intr);
  }
  s->ra_pending = 0;
  if (err == WAIT_TIMEOUT)
    return ipcx__fail(EAGAIN);
  if (err == ERROR_OPERATION_ABORTED)
    return intr && interrupted(timeout_ms) < 0 ? -1 : 1;   /* woken (or SA_RESTART): look again */
  return ra_take(s, err, got) < 0 ? -1 : 1;
}

/*
 * Leave rd_lock.  A poll() that found it held waits on rd_done instead of
 * the read-ahead (ipcx__unix_poll): whoever held it (a reader, a writer's
 * look for the peer's SHUT_RD, FIONREAD, another poll()) wakes it, or that
 * poll() sleeps through data that came meanwhile (the stdio suite's
 * "r+" hang: its read relay polled while its write relay looked).
 */
static void rd_leave(struct usock *s)
{
  LeaveCriticalSection(&s->rd_lock);
  if (s->poll_waits && InterlockedExchange(&s->poll_waits, 0))
    ipcx__unix_wake(s->rd_done);           /* a poll() found the lock held: its turn now */
}

/* Nothing more can come: the peer's EOF, close or reset. */
static int rd_ended(struct usock *s)
{
  return s->eof != EOF_NONE;
}

int ipcx__unix_rd_closed(struct usock *s)
{
  return s->eof != EOF_NONE || s->shut_rd;
}

static int ra_has(struct usock *s)
{
  return s->ra_len > s->ra_off;
}

/*
 * Would a read now complete at once?  A read that waits and completes later
 * costs Wine four more wineserver requests than one that finds its message
 * (an APC and get_async_result): one PeekNamedPipe is cheaper.  An escape
 * (no bytes) is always followed by its record, so bytes show it.
 */
static int ra_more(struct ipcx__file *f)
{
  DWORD avail = 0;

  if (PeekNamedPipe(f->h, NULL, 0, NULL, &avail, NULL))
    return avail > 0;
  if (pipe_gone(GetLastError()))
    set_eof(us(f), EOF_CLOSED); /* gone, and nothing is left */
  return 0;
}

/*
 * Bring what has arrived into the read-ahead (rd_lock held), message after
 * message: a stream's read-ahead gathers every queued write (and sees a
 * close or reset behind them), a record socket's takes records while there
 * is room for one more.  gather: only what is queued now (no read is left
 * pending).  Otherwise, with nothing to report, a read is posted and waited
 * for at most timeout_ms (0: left pending, for poll()).  Returns 1 data or
 * an end to report, 0 nothing yet, -1/errno.
 */
static int ra_fill(struct ipcx__file *f, DWORD timeout_ms, int gather)
{
  struct usock *s = us(f);
  int r;

  for (;;) {
    int have = ra_has(s) || rd_ended(s) || s->err != 0;
    if (!s->ra_pending) {
      if (rd_ended(s))
        return 1;
      if (!ra_has(s))
        s->ra_off = s->ra_len = 0;
      if ((have || gather) && (ra_full(s) || !ra_more(f)))
        return have || rd_ended(s) ? 1 : 0;   /* the buffer is full, or nothing more is here */
      if (ipcx__unix_ra_post(f) < 0)
        return -1;
      continue;
    }
    r = ipcx__unix_ra_collect(f, have || s->shut_rd ? 0 : timeout_ms);
    if (r < 0)
      return -1;
    if (r == 0)
      return have ? 1 : 0;
    if (s->shut_rd && !s->ra_pending && !ra_has(s) && !rd_ended(s) && !s->esc &&
        timeout_ms != 0)
      return 1;                 /* our SHUT_RD woke the wait */
  }
}

/*
 * Export (the ops table's): the socket's handle *h goes to another process
 * (spawn.c).  A read-ahead still pending here (left by poll(), MSG_PEEK or a
 * read) would take the bytes the other process is meant to read.  Cancel
 * it.  Bytes that had already arrived stay in this process's buffer (README,
 * differences).  The socket is shared from now on: its close no longer
 * tells the peer of a reset.  *h, the CRT slot's handle, is socket()'s
 * placeholder on a connected socket: the other process gets the pipe.
 */
int ipcx__unix_export(struct ipcx__file *f, HANDLE *h)
{
  struct usock *s = us(f);
  HANDLE pipe;

  if (s == NULL)
    return 0;
  if (s->state == ST_CONNECTED && f->h != NULL) {
    if (!DuplicateHandle(GetCurrentProcess(), f->h, GetCurrentProcess(), &pipe, 0, TRUE,
                         DUPLICATE_SAME_ACCESS))
      return ipcx__errno_from_win32(GetLastError());
    CloseHandle(*h);
    *h = pipe;
  }
  s->shared = 1;
  if (!s->ra_pending || !TryEnterCriticalSection(&s->rd_lock))
    return 0;                   /* nothing pending, or a reader is blocked in it */
  if (s->ra_pending) {
    ipcx__io_cancel(f->h, &s->ra_ov);
    ipcx__unix_ra_collect(f, 0);
  }
  rd_leave(s);
  return 0;
}

/*
 * Copy up to n bytes out of the read-ahead.  Linux's rule for fds on a
 * stream: the read that reaches the first byte sent with them takes them
 * and ends with that write's data (bytes before it may come in the same
 * read); scm_stop then tells the caller to gather no more.
 */
static size_t ra_copy(struct usock *s, char *buf, size_t n, int peek)
{
  size_t k = s->ra_len - s->ra_off;
  struct ipcx__scm_batch *b = s->scm_q;

  if (k > n)
    k = n;
  if (b != NULL && s->ra_off + k > ipcx__scm_pos(b)) {
    if (s->ra_off + k > ipcx__scm_end(b))
      k = ipcx__scm_end(b) - s->ra_off;
    s->scm_stop = 1;
    if (!peek) {
      s->scm_q = *ipcx__scm_next(b);
      ipcx__scm_deliver(b);
    } else {
      size_t len;
      void *rec = ipcx__scm_record(b, &len);
      ipcx__scm_deliver_peek(rec, len);
    }
  }
  memcpy(buf, s->ra_buf + s->ra_off, k);
  if (!peek)
    s->ra_off += (DWORD)k;
  return k;
}

/* The pending error (ECONNRESET), taken: -1/errno; 0 if none. */
static int take_err(struct usock *s, int peek)
{
  LONG e = peek ? s->err : InterlockedExchange(&s->err, 0);

  return e != 0 ? ipcx__fail((int)e) : 0;
}

/*
 * One stream recv (rd_lock held): everything queued up to n bytes, across
 * write boundaries as on Linux; 0 at EOF; -1/errno.  A blocking read with
 * nothing queued reads straight into buf (one ReadFile, as a raw pipe); when
 * room is left it looks, without waiting, for more behind what came.
 */
static ssize_t recv_stream(struct ipcx__file *f, char *buf, size_t n, int peek, int nonblock)
{
  struct usock *s = us(f);
  DWORD timeout = nonblock ? 0 : s->rcvtimeo ? s->rcvtimeo : INFINITE;
  OVERLAPPED ov;
  DWORD got, err;
  size_t done;
  int r, intr = 0;

  s->scm_stop = 0;
  for (;;) {
    if (ra_has(s)) {
      done = ra_copy(s, buf, n, peek);
      if (done < n && !peek && !s->scm_stop && !rd_ended(s) && ra_fill(f, 0, 1) >= 0 && ra_has(s))
        done += ra_copy(s, buf + done, n - done, 0);
      return (ssize_t)done;
    }
    if (s->err != 0)
      return take_err(s, peek);
    if (rd_ended(s))
      return 0;
    if (s->shut_rd) {
      /* Our SHUT_RD: what is queued already is still read, then 0. */
      r = ra_fill(f, 0, 1);
      if (r < 0)
        return -1;
      if (ra_has(s) || s->err != 0)
        continue;
      return 0;
    }
    if (s->ra_pending || s->esc || peek || nonblock) {
      r = ra_fill(f, timeout, nonblock);
      if (r < 0)
        return -1;
      if (r == 0)
        return ipcx__fail(EAGAIN);
      continue;
    }
    if (message_mode(f) < 0)
      return -1;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ipcx__thread_event();
    got = 0;
    if (ReadFile(f->h, buf, n > 0x7ffff000 ? 0x7ffff000 : (DWORD)n, NULL, &ov)) {
      GetOverlappedResult(f->h, &ov, &got, FALSE);
      err = ERROR_SUCCESS;
    } else {
      err = GetLastError();
      if (err == ERROR_MORE_DATA)
        GetOverlappedResult(f->h, &ov, &got, FALSE);
      else if (err == ERROR_IO_PENDING)
        err = wait_io(f->h, &ov, rd_wake_event(s), timeout, &got, &intr);
    }
    if (err == WAIT_TIMEOUT)
      return ipcx__fail(EAGAIN);
    if (err == ERROR_OPERATION_ABORTED) {
      if (intr && interrupted(timeout) < 0)
        return -1;
      continue;                 /* woken by EOF or shutdown: look again */
    }
    if (err == ERROR_SUCCESS && got == 0) {
      s->esc = 1;               /* an escape: the control record comes next */
      continue;
    }
    if (err == ERROR_SUCCESS || err == ERROR_MORE_DATA) {
      done = got;
      if (err == ERROR_SUCCESS && done < n && ra_fill(f, 0, 1) >= 0 && ra_has(s))
        done += ra_copy(s, buf + done, n - done, 0);
      return (ssize_t)done;
    }
    if (pipe_gone(err)) {
      set_eof(s, EOF_CLOSED);
      continue;
    }
    return ipcx__fail(ipcx__errno_read(err));
  }
}

/*
 * SOCK_SEQPACKET and SOCK_DGRAM: each send() is one pipe message, a tag byte
 * and the bytes (so an empty record is never an escape), at most MSG_MAX
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
  if (!nonblock && !s->shut_rd &&
      ipcx__wait1(rd_wake_event(s), s->rcvtimeo ? s->rcvtimeo : INFINITE, IPCX__WAIT_INTR) ==
          IPCX__WAIT_INTERRUPTED)
    return ipcx__fail(EINTR);
  return s->shut_rd ? 0 : ipcx__fail(EAGAIN);
}

/* recv() on a record socket (rd_lock held): one record, cut to n. */
ssize_t ipcx__unix_recv_record(struct ipcx__file *f, char *buf, size_t n, int flags, int nonblock)
{
  struct usock *s = us(f);
  DWORD timeout = nonblock ? 0 : s->rcvtimeo ? s->rcvtimeo : INFINITE;
  size_t head = 1, len;
  DWORD rec;
  char *p;
  int r;

  for (;;) {
    if (ra_has(s))
      break;
    if (s->err != 0 && s->type != SOCK_DGRAM)
      return take_err(s, (flags & MSG_PEEK) != 0);
    if (ipcx__unix_rd_closed(s)) {
      /* After our SHUT_RD what is queued already is still read. */
      if (!rd_ended(s) || s->ra_pending) {
        r = ra_fill(f, 0, 1);
        if (r < 0)
          return -1;
        if (ra_has(s) || (s->err != 0 && s->type != SOCK_DGRAM))
          continue;
      }
      if (s->type == SOCK_DGRAM)
        return dgram_nothing(s, nonblock);   /* a datagram pair's peer going is no EOF */
      return 0;
    }
    r = ra_fill(f, timeout, nonblock);
    if (r < 0)
      return -1;
    if (r == 0)
      return ipcx__fail(EAGAIN);
  }
  memcpy(&rec, s->ra_buf + s->ra_off, REC_HDR);
  p = s->ra_buf + s->ra_off + REC_HDR;
  s->from_len = 0;
  if (rec >= 2 && (p[0] == 'G' || p[0] == 'H')) {
    /* From a datagram socket: the sender's address comes first; after it,
     * for 'H', an SCM record (its length in two bytes) for this datagram. */
    size_t alen = (unsigned char)p[1];
    if (2 + alen <= rec && alen <= sizeof s->from) {
      head = 2 + alen;
      memcpy(&s->from, p + 2, alen);
      s->from_len = (socklen_t)alen;
    }
    if (p[0] == 'H' && head == 2 + alen && head + 2 <= rec) {
      unsigned short size;
      memcpy(&size, p + head, sizeof size);
      if (head + 2 + size <= rec) {
        if (!(flags & MSG_PEEK)) {
          struct ipcx__scm_batch *b = ipcx__scm_take(p + head + 2, size);
          if (b != NULL)
            ipcx__scm_deliver(b);
        } else {
          ipcx__scm_deliver_peek(p + head + 2, size);
        }
        head += 2 + size;
      }
    }
  }
  len = rec > head ? rec - head : 0;
  if (n > 0)
    memcpy(buf, p + head, n < len ? n : len);
  if (s->scm_q != NULL && ipcx__scm_pos(s->scm_q) == s->ra_off && !(flags & MSG_PEEK)) {
    struct ipcx__scm_batch *b = s->scm_q;
    s->scm_q = *ipcx__scm_next(b);
    ipcx__scm_deliver(b);       /* the fds sent with this record */
  } else if (s->scm_q != NULL && ipcx__scm_pos(s->scm_q) == s->ra_off) {
    size_t rlen;
    void *r = ipcx__scm_record(s->scm_q, &rlen);
    ipcx__scm_deliver_peek(r, rlen);
  }
  if (!(flags & MSG_PEEK))
    s->ra_off += REC_HDR + rec;
  if (!(flags & MSG_PEEK) && dgram(s))
    ipcx__unix_dgram_taken(s, rec);       /* room for the senders (unix_dgram.c) */
  return (flags & MSG_TRUNC) || len < n ? (ssize_t)len : (ssize_t)n;
}

/*
 * Before a write: has the peer said SHUT_RD or reset?  A look at a
 * read-ahead that has completed (no wineserver request); the first write of
 * a socket that has never read posts one (it serves the next read).  A
 * writer that never reads learns of a later SHUT_RD only from that read.
 * 1: writes fail.
 */
static int peer_refuses(struct ipcx__file *f)
{
  struct usock *s = us(f);

  if (!s->peer_rd && (!s->watched || (s->ra_pending && HasOverlappedIoCompleted(&s->ra_ov))) &&
      !ra_has(s) && !rd_ended(s) && TryEnterCriticalSection(&s->rd_lock)) {
    s->watched = 1;
    ra_fill(f, 0, 0);
    rd_leave(s);
  }
  return s->peer_rd != 0;
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
  if (s->type != SOCK_DGRAM && peer_refuses(f)) {
    if (s->err != 0)
      return take_err(s, 0);    /* Linux: a record socket's send takes the reset */
    return ipcx__fail(EPIPE);
  }
  m = n < sizeof stack ? stack : malloc(n + 1);
  if (m == NULL)
    return ipcx__fail(ENOMEM);
  m[0] = 'D';
  if (n > 0)
    memcpy(m + 1, buf, n);
  s->io_done = 1;
  if ((f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT)) {
    r = ipcx__io_write_nonblock(f, m, n + 1, PIPE_CAPACITY);
    if (r > 0)
      r -= 1;
  } else {
    err = ipcx__io_drain_intr(f, s->sndtimeo ? s->sndtimeo : INFINITE);  /* earlier writes first */
    if (err == ERROR_SUCCESS)
      err = ipcx__io_write(f->h, m, (DWORD)(n + 1), &put, s->sndtimeo ? s->sndtimeo : INFINITE);
    if (err == ERROR_SUCCESS) {
      r = (ssize_t)n;
    } else if (err == WAIT_TIMEOUT) {
      r = ipcx__fail(EAGAIN);
    } else if (err == IPCX__WAIT_INTERRUPTED) {
      r = ipcx__fail(EINTR);
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

  if (dgram(s) && !s->bound)
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
    r = ipcx__unix_recv_record(f, buf, n, flags, nonblock);
  } else {
    do {
      r = recv_stream(f, (char *)buf + done, n - done, (flags & MSG_PEEK) != 0, nonblock);
      if (r <= 0)
        break;
      done += (size_t)r;
    } while ((flags & MSG_WAITALL) && !(flags & MSG_PEEK) && !nonblock && done < n &&
             !s->scm_stop);     /* Linux: fds end even a MSG_WAITALL read */
  }
  rd_leave(s);
  if (done > 0)
    return (ssize_t)done;
  return r;
}

/* --- writing ------------------------------------------------------------ */

ssize_t ipcx__unix_send(struct ipcx__file *f, const void *buf, size_t n, int flags)
{
  struct usock *s = us(f);

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
    return 0;                   /* never a zero-length message: that is the escape */
  if (buf == NULL)
    return ipcx__fail(EFAULT);
  if (peer_refuses(f))
    return ipcx__fail(EPIPE);   /* the peer's SHUT_RD, close or reset */
  return ipcx__unix_send_bytes(f, buf, n, flags);
}

/* A stream's bytes onto f->h (n > 0): nonblocking, or all of them, in order
 * after an earlier nonblocking write (unix_raw.c's sockets too). */
ssize_t ipcx__unix_send_bytes(struct ipcx__file *f, const void *buf, size_t n, int flags)
{
  struct usock *s = us(f);
  const char *p = buf;
  size_t done = 0;
  DWORD put, err;

  s->io_done = 1;
  if ((f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT))
    return ipcx__io_write_nonblock(f, buf, n, PIPE_CAPACITY);
  err = ipcx__io_drain_intr(f, s->sndtimeo ? s->sndtimeo : INFINITE);  /* earlier writes first */
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
  if (err == IPCX__WAIT_INTERRUPTED)
    return ipcx__fail(EINTR);   /* io.c restarted it already if SA_RESTART said so */
  SetLastError(err);
  return ipcx__fail(ipcx__errno_write(err));
}

/*
 * sendmsg() with fds or credentials (scm.c packs them): an escape, then one
 * message with the SCM record and the data (a stream's first CTL_DATA
 * bytes, the rest as plain data behind it; a record whole).  Linux sends
 * nothing, fds included, for a stream sendmsg() of no bytes.
 */
ssize_t ipcx__unix_sendscm(struct ipcx__file *f, const struct ipcx__scm_out *scm, const void *buf,
                           size_t n, int flags, const struct sockaddr *addr, socklen_t alen)
{
  struct usock *s = us(f);
  size_t rec, head, tag = s->type != SOCK_STREAM, first;
  DWORD put, err, timeout = s->sndtimeo ? s->sndtimeo : INFINITE;
  int nonblock = (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
  struct ctl c;
  ssize_t r;
  char *m;

  if (dgram(s))
    return ipcx__unix_dgram_sendscm(f, scm, buf, n, addr, alen);
  if (s->state != ST_CONNECTED)
    return ipcx__fail(ENOTCONN);
  if (addr != NULL)
    return ipcx__fail(EISCONN);
  if (flags & MSG_OOB)
    return ipcx__fail(EOPNOTSUPP);
  if (s->shut_wr)
    return ipcx__fail(EPIPE);
  if (n > 0 && buf == NULL)
    return ipcx__fail(EFAULT);
  if (n == 0 && !tag)
    return 0;
  if (peer_refuses(f)) {
    if (tag && s->err != 0)
      return take_err(s, 0);
    return ipcx__fail(EPIPE);
  }
  if (nonblock && f->pw.active && !HasOverlappedIoCompleted(&f->pw.ov))
    return ipcx__fail(EAGAIN);  /* an earlier nonblocking write still waits for room */
  first = tag || n < CTL_DATA ? n : CTL_DATA;
  m = ipcx__scm_pack(scm, f->h, sizeof c, tag + first, &rec);
  if (m == NULL)
    return -1;
  head = sizeof c + rec;
  if (tag && head + 1 + n > RA_SIZE) {
    ipcx__scm_unpack(m + sizeof c);
    free(m);
    return ipcx__fail(EMSGSIZE);
  }
  memset(&c, 0, sizeof c);
  c.magic = CTL_MAGIC;
  c.kind = CTL_SCM;
  c.size = (unsigned short)head;
  memcpy(m, &c, sizeof c);
  if (tag)
    m[head] = 'D';
  if (first > 0)
    memcpy(m + head + tag, buf, first);
  err = ipcx__io_drain(f);      /* after earlier nonblocking writes (done, when nonblocking) */
  if (err == ERROR_SUCCESS)
    err = ipcx__io_write(f->h, "", 0, &put, timeout);   /* no bytes: never waits for room */
  if (err == ERROR_SUCCESS && nonblock) {
    /* Nonblocking: the record goes now or stays pending and counts as sent,
     * as a nonblocking write does (ipcx__io_write_nonblock). */
    if (ipcx__io_write_nonblock(f, m, head + tag + first, PIPE_CAPACITY) < 0)
      err = errno == EAGAIN ? WAIT_TIMEOUT : ERROR_BROKEN_PIPE;
  } else if (err == ERROR_SUCCESS) {
    err = ipcx__io_write(f->h, m, (DWORD)(head + tag + first), &put, timeout);
  }
  if (err != ERROR_SUCCESS) {
    ipcx__scm_unpack(m + sizeof c);   /* not sent: nothing stays placed */
    free(m);
    if (err == WAIT_TIMEOUT)
      return ipcx__fail(EAGAIN);
    SetLastError(err);
    r = ipcx__fail(ipcx__errno_write(err));
    if (errno == EPIPE && s->type == SOCK_DGRAM)
      errno = ECONNREFUSED;
    return r;
  }
  free(m);
  if (first == n)
    return (ssize_t)n;
  r = ipcx__unix_send(f, (const char *)buf + first, n - first, flags);
  return r < 0 ? (ssize_t)first : (ssize_t)first + r;
}

/*
 * At close: fds still in flight to this socket die with it, as on Linux.
 * Read what is queued (only when unread data was found at close already, so
 * a plain close costs nothing more) and close the fds met.  Not for a socket
 * that lives on in another process.
 */
void ipcx__unix_scm_release(struct ipcx__file *f)
{
  struct usock *s = us(f);
  int round;

  for (round = 0; round < 64 && !s->shared && s->state == ST_CONNECTED &&
                  (ra_has(s) || s->scm_q != NULL);
       round++) {
    ipcx__scm_discard_all(&s->scm_q);
    s->ra_off = s->ra_len;
    if (rd_ended(s) || ra_fill(f, 0, 1) <= 0)
      break;
  }
  ipcx__scm_discard_all(&s->scm_q);
}

ssize_t ipcx__unix_read(struct ipcx__file *f, int fd, void *buf, size_t n, int nonblock)
{
  (void)fd;
  if (n == 0)
    return 0;                   /* read() of nothing is 0 at once; recv() of nothing waits */
  return ipcx__unix_recv(f, buf, n, nonblock ? MSG_DONTWAIT : 0);
}

ssize_t ipcx__unix_write(struct ipcx__file *f, int fd, const void *buf, size_t n, int nonblock)
{
  (void)fd;
  return ipcx__unix_send(f, buf, n, nonblock ? MSG_DONTWAIT : 0);
}

int ipcx__unix_shutdown(struct ipcx__file *f, int how)
{
  struct usock *s = us(f);
  int tell = 0;

  if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
    return ipcx__fail(EINVAL);
  /* Linux accepts shutdown() on any AF_UNIX socket, connected or not. */
  if ((how == SHUT_WR || how == SHUT_RDWR) && InterlockedExchange(&s->shut_wr, 1) == 0)
    tell |= HOW_WR;
  if ((how == SHUT_RD || how == SHUT_RDWR) && InterlockedExchange(&s->shut_rd, 1) == 0)
    tell |= HOW_RD;
  /* The peer learns it in order, behind the data: its EOF, its writes' EPIPE.
   * A datagram peer is not told; a peer already gone needs no record. */
  if (tell != 0 && s->state == ST_CONNECTED && s->type != SOCK_DGRAM && s->eof != EOF_CLOSED)
    send_ctl(f, CTL_SHUTDOWN, tell, INFINITE);
  if (how == SHUT_RD || how == SHUT_RDWR) {
    ipcx__unix_wake(s->rd_wake);           /* blocked readers return 0, as on Linux */
    if (s->accept_ev != NULL)
      SetEvent(s->accept_ev);   /* and blocked accept() calls EINVAL */
  }
  return 0;
}

/*
 * Bytes queued for f (*avail) while the peer is connected: 1, else 0.  Once
 * f->h has read or written, Wine has its Unix fd cached and
 * FilePipeLocalInformation costs one wineserver request (get_file_info);
 * PeekNamedPipe costs two on a live pipe (an ioctl, then a wait for the
 * handle Wine hands back) and one on a broken one, and is asked before any
 * I/O, when the information query would cost get_handle_fd first.
 * (Measured under Wine 8: docs/sockets.md, "Connection cost".)
 */
static int queued(struct ipcx__file *f, DWORD *avail)
{
  int r = us(f)->io_done ? ipcx__pipe_queued(f->h, avail) : -1;

  return r >= 0 ? r : PeekNamedPipe(f->h, NULL, 0, NULL, avail, NULL);
}

/*
 * At close: does this end leave data unread?  Then Linux resets the peer
 * (ECONNRESET, POLLERR).  One look at the pipe when nothing was read ahead.
 */
static int unread_at_close(struct ipcx__file *f)
{
  struct usock *s = us(f);
  DWORD avail = 0;

  if (ra_has(s))
    return 1;
  if (s->ra_pending) {
    if (!HasOverlappedIoCompleted(&s->ra_ov))
      return 0;                 /* nothing has come since the read was posted */
    ipcx__unix_ra_collect(f, 0);
    if (ra_has(s))
      return 1;
  }
  if (rd_ended(s) || !queued(f, &avail) || avail == 0)
    return 0;
  ra_fill(f, 0, 1);             /* what is queued may be control records alone */
  return ra_has(s);
}

/* The last reference is going: a connection with unread data resets its peer. */
void ipcx__unix_reset_peer(struct ipcx__file *f)
{
  struct usock *s = us(f);

  if (s->state != ST_CONNECTED || s->type == SOCK_DGRAM || s->shared || rd_ended(s) ||
      (f->pw.active && !HasOverlappedIoCompleted(&f->pw.ov)))
    return;
  if (unread_at_close(f))
    send_ctl(f, CTL_RESET, 0, 100);
}

int ipcx__unix_nread(struct ipcx__file *f, int *n)
{
  struct usock *s = us(f);
  DWORD avail = 0, ra;

  if (s->state == ST_LISTEN)
    return ipcx__fail(EINVAL);
  if (s->state != ST_CONNECTED && !(dgram(s) && s->bound)) {
    *n = 0;
    return 0;
  }
  EnterCriticalSection(&s->rd_lock);
  if (message_mode(f) < 0) {
    rd_leave(s);
    return -1;
  }
  ra = 0;
  if (ra_has(s))
    memcpy(&ra, s->ra_buf + s->ra_off, REC_HDR);
  if (s->type != SOCK_STREAM) {
    /* A record socket: the length of the next record (its tag byte aside). */
    DWORD left = 0;
    if (ra == 0 && PeekNamedPipe(f->h, NULL, 0, NULL, &avail, &left) &&
        avail > 0)
      ra = left;
    avail = 0;
    ra = ra > 0 ? ra - 1 : 0;
  } else {
    /* A stream: gather what is queued (control records are no bytes). */
    if (!rd_ended(s))
      ra_fill(f, 0, 1);
    ra = s->ra_len - s->ra_off;
    if (!ra_full(s) || !PeekNamedPipe(f->h, NULL, 0, NULL, &avail, NULL))
      avail = 0;                /* all of it is here, or the peer has gone */
  }
  rd_leave(s);
  avail += ra;
  *n = avail > INT_MAX ? INT_MAX : (int)avail;
  return 0;
}

/* --- readiness ------------------------------------------------------------ */

short ipcx__unix_poll(struct ipcx__file *f, short events, HANDLE wait[2], int *nwait)
{
  struct usock *s = us(f);
  short rev = 0;
  int readable = 0, locked, writable, hup, rcv_shut, snd_shut;

  *nwait = 0;
  if (s->state == ST_LISTEN) {
    AcquireSRWLockExclusive(&s->llock);
    ipcx__unix_listener_arm(s);         /* a shared listener arms while polled */
    readable = ipcx__unix_any_ready(s);
    if (!readable) {
      ResetEvent(s->accept_ev); /* then look again: a connection after the reset sets it */
      readable = ipcx__unix_any_ready(s);
      if (readable)
        SetEvent(s->accept_ev); /* keep the news for accept() */
    }
    ReleaseSRWLockExclusive(&s->llock);
    if (readable && (events & IPCX_POLLIN))
      return IPCX_POLLIN;
    wait[(*nwait)++] = s->accept_ev;
    return 0;
  }
  if (dgram(s) && !s->bound) {
    /* An unbound datagram socket: writable, never readable. */
    if (events & IPCX_POLLOUT)
      return IPCX_POLLOUT;
    if (events & IPCX_POLLIN)
      wait[(*nwait)++] = rd_wake_event(s);
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
    ResetEvent(ipcx__unix_lazy_event(&s->rd_done));
    locked = TryEnterCriticalSection(&s->rd_lock);
  }
  if (locked) {
    /* Everything queued, and a close or reset behind it (Linux knows at once). */
    if (!rd_ended(s) && ((events & (IPCX_POLLIN | IPCX_POLLRDHUP)) || s->ra_pending))
      ra_fill(f, 0, 0);
    rd_leave(s);
  }
  if (s->eof == EOF_MARK) {
    /* After the peer's SHUT_WR nothing more is read: ask the pipe whether it went. */
    DWORD avail;
    if (!PeekNamedPipe(f->h, NULL, 0, NULL, &avail, NULL) &&
        (GetLastError() == ERROR_BROKEN_PIPE || GetLastError() == ERROR_PIPE_NOT_CONNECTED))
      InterlockedExchange(&s->eof, EOF_CLOSED);
  }
  /* Linux's sk_shutdown: our own shutdown() and what the peer's implies. */
  rcv_shut = ipcx__unix_rd_closed(s);
  snd_shut = s->shut_wr || s->peer_rd || s->eof == EOF_CLOSED;
  readable = ra_has(s) || rcv_shut || s->err != 0;
  writable = !f->pw.active || HasOverlappedIoCompleted(&f->pw.ov);
  hup = rcv_shut && snd_shut;
  if (s->type == SOCK_DGRAM && !s->shut_rd) {
    /* A datagram pair: the peer's going is no EOF; POLLIN means a datagram. */
    readable = ra_has(s);
    hup = s->shut_wr && s->shut_rd;
    if (!readable && ipcx__unix_rd_closed(s) && (events & IPCX_POLLIN) && !(writable && (events & IPCX_POLLOUT))) {
      wait[(*nwait)++] = rd_wake_event(s);  /* only our own shutdown(SHUT_RD) changes it now */
      return 0;
    }
  }
  if (readable && (events & IPCX_POLLIN))
    rev |= IPCX_POLLIN;
  if (writable && (events & IPCX_POLLOUT))
    rev |= IPCX_POLLOUT;
  if (hup)
    rev |= IPCX_POLLHUP;
  if (s->err != 0)
    rev |= IPCX_POLLERR;
  if ((events & IPCX_POLLRDHUP) && ((s->eof != EOF_NONE && s->type != SOCK_DGRAM) || s->shut_rd))
    rev |= IPCX_POLLRDHUP;      /* the peer's SHUT_WR or close, or our SHUT_RD */
  if (rev != 0)
    return rev;
  if ((events & (IPCX_POLLIN | IPCX_POLLRDHUP)) && (locked ? s->ra_ov.hEvent : s->rd_done) != NULL)
    wait[(*nwait)++] = locked ? s->ra_ov.hEvent : s->rd_done;
  if ((events & IPCX_POLLOUT) && f->pw.active)
    wait[(*nwait)++] = f->pw.ov.hEvent;
  return 0;
}
