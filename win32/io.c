/*
 * io.c: overlapped I/O on pipe handles, the engine under read() and write().
 *
 * Every ipcx pipe handle is opened with FILE_FLAG_OVERLAPPED: synchronous I/O
 * on one Windows file object is serialised, so a thread blocked in read()
 * would block another thread's write() on the same socket (DESIGN.md, rule 5).
 * Each call waits on its thread's own event, made once per thread and closed
 * by the FLS callback when the thread ends: no allocation or handle per call.
 *
 *   blocking read/write  ReadFile/WriteFile; if pending, wait on the event.
 *   nonblocking read     ReadFile; if pending, CancelIoEx and collect the
 *                        result: data that raced the cancel is kept, a read
 *                        that found nothing is ERROR_OPERATION_ABORTED.
 *   nonblocking write    a pipe write cannot be cancelled without losing
 *                        track of how much went out, so a write that would
 *                        wait is left pending on a private copy of the data
 *                        (at most one, at most `max` bytes) and reported as
 *                        written, like bytes in a kernel buffer; the next
 *                        nonblocking write is EAGAIN until it completes.
 *                        close() never cancels it: the handle lingers until
 *                        the peer has taken the data or gone (nothing lost).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static volatile DWORD fls_index = FLS_OUT_OF_INDEXES;
static INIT_ONCE fls_once = INIT_ONCE_STATIC_INIT;

static void WINAPI close_thread_event(void *ev)
{
  if (ev != NULL)
    CloseHandle(ev);
}

static BOOL CALLBACK alloc_fls(INIT_ONCE *once, void *arg, void **ctx)
{
  (void)once, (void)arg, (void)ctx;
  fls_index = FlsAlloc(close_thread_event);
  return fls_index != FLS_OUT_OF_INDEXES;
}

HANDLE ipcx__thread_event(void)
{
  HANDLE ev;

  /* The index is written once; InitOnce only until then (it costs ~40
   * instructions a call under Wine, on every read and write). */
  if (fls_index == FLS_OUT_OF_INDEXES && !InitOnceExecuteOnce(&fls_once, alloc_fls, NULL, NULL))
    return NULL;
  ev = FlsGetValue(fls_index);
  if (ev == NULL) {
    ev = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (ev != NULL && !FlsSetValue(fls_index, ev)) {
      CloseHandle(ev);
      ev = NULL;
    }
  }
  return ev;
}

DWORD ipcx__io_wait(HANDLE h, OVERLAPPED *ov, HANDLE wake, DWORD timeout_ms, unsigned flags,
                    DWORD *n)
{
  HANDLE hs[2] = { ov->hEvent, wake };
  DWORD w = ipcx__wait(wake != NULL ? 2 : 1, hs, timeout_ms, flags), cause = 0;

  if (w != WAIT_OBJECT_0) {
    cause = w == WAIT_TIMEOUT || w == IPCX__WAIT_INTERRUPTED ? w : ERROR_OPERATION_ABORTED;
    CancelIoEx(h, ov);
  }
  *n = 0;
  if (GetOverlappedResult(h, ov, n, TRUE))
    return ERROR_SUCCESS;
  w = GetLastError();
  return w == ERROR_OPERATION_ABORTED && cause != 0 ? cause : w;
}

/*
 * Finish an overlapped call that returned ERROR_IO_PENDING.  A blocking call
 * waits on its event and this thread's interrupt event in one wait (the
 * same one request as GetOverlappedResult(TRUE)); a handler that interrupts
 * it cancels the call: IPCX__WAIT_INTERRUPTED, with *n what got through.
 * A nonblocking one (timeout 0) that found nothing: ERROR_OPERATION_ABORTED.
 */
static DWORD finish(HANDLE h, OVERLAPPED *ov, DWORD *n, DWORD timeout_ms)
{
  DWORD err = ipcx__io_wait(h, ov, NULL, timeout_ms, timeout_ms != 0 ? IPCX__WAIT_INTR : 0, n);

  return err == WAIT_TIMEOUT && timeout_ms == 0 ? ERROR_OPERATION_ABORTED : err;
}

void ipcx__io_cancel(HANDLE h, OVERLAPPED *ov)
{
  DWORD n;

  CancelIoEx(h, ov);
  GetOverlappedResult(h, ov, &n, TRUE);
}

/*
 * A blocking write (no timeout) that is pending: a handler with SA_RESTART
 * does not stop it, the wait goes on (Linux restarts a write that had moved
 * nothing and goes on with one that had).  Cancelling and writing again
 * would send twice what the reader had already taken: Wine reports a
 * cancelled pipe write as 0 bytes even when the reader took part of the
 * message (probed: 300 KiB of a 1 MiB message read, then 0, and the rest of
 * the message dropped), and FIFO writes are one message up to 1 GiB.
 */
static DWORD write_wait(HANDLE h, OVERLAPPED *ov, DWORD *done)
{
  DWORD w, err;

  while ((w = ipcx__wait1(ov->hEvent, INFINITE, IPCX__WAIT_INTR)) == IPCX__WAIT_INTERRUPTED &&
         ipcx__wait_restart())
    ;
  if (w != WAIT_OBJECT_0)
    CancelIoEx(h, ov);
  *done = 0;
  if (GetOverlappedResult(h, ov, done, TRUE))
    return ERROR_SUCCESS;
  err = GetLastError();
  return err == ERROR_OPERATION_ABORTED && w == IPCX__WAIT_INTERRUPTED ? w : err;
}

/* One overlapped ReadFile or WriteFile on h, restarted after a handler with
 * SA_RESTART when nothing had moved (Linux gives a short count otherwise)
 * and no timeout bounds it (Linux never restarts a socket call that has
 * SO_RCVTIMEO or SO_SNDTIMEO: signal(7)). */
static DWORD io_call(HANDLE h, void *buf, DWORD n, DWORD *done, DWORD timeout_ms, int writing)
{
  OVERLAPPED ov;
  DWORD err;
  BOOL ok;

  *done = 0;
  do {
    memset(&ov, 0, sizeof ov);
    ov.hEvent = ipcx__thread_event();
    if (ov.hEvent == NULL)
      return GetLastError();
    ok = writing ? WriteFile(h, buf, n, NULL, &ov) : ReadFile(h, buf, n, NULL, &ov);
    if (ok) {
      GetOverlappedResult(h, &ov, done, FALSE);
      return ERROR_SUCCESS;
    }
    err = GetLastError();
    if (err != ERROR_IO_PENDING)
      return err;
    if (writing && timeout_ms == INFINITE)
      return write_wait(h, &ov, done);
    err = finish(h, &ov, done, timeout_ms);
  } while (err == IPCX__WAIT_INTERRUPTED && *done == 0 && timeout_ms == INFINITE &&
           ipcx__wait_restart());
  if (err == IPCX__WAIT_INTERRUPTED && *done > 0 && !writing)
    err = ERROR_SUCCESS;        /* bytes that raced the cancel are data */
  return err;
}

DWORD ipcx__io_read(HANDLE h, void *buf, DWORD n, DWORD *got, DWORD timeout_ms)
{
  return io_call(h, buf, n, got, timeout_ms, 0);
}

DWORD ipcx__io_write(HANDLE h, const void *buf, DWORD n, DWORD *put, DWORD timeout_ms)
{
  return io_call(h, (void *)buf, n, put, timeout_ms, 1);
}

/* Collect a completed pending write; called with f->lock held. */
static DWORD reap(struct ipcx__file *f, BOOL wait)
{
  DWORD n;

  if (!f->pw.active)
    return ERROR_SUCCESS;
  if (!wait && !HasOverlappedIoCompleted(&f->pw.ov))
    return ERROR_IO_PENDING;
  f->pw.active = 0;
  if (!GetOverlappedResult(f->h, &f->pw.ov, &n, wait))
    return GetLastError();
  return ERROR_SUCCESS;
}

ssize_t ipcx__io_write_nonblock(struct ipcx__file *f, const void *buf, size_t n, size_t max)
{
  DWORD len = (DWORD)(n < max ? n : max);
  DWORD err, put;

  EnterCriticalSection(&f->lock);
  err = reap(f, FALSE);
  if (err == ERROR_IO_PENDING) {
    LeaveCriticalSection(&f->lock);
    return ipcx__fail(EAGAIN);
  }
  if (err != ERROR_SUCCESS) {
    LeaveCriticalSection(&f->lock);
    errno = ipcx__errno_write(err);
    return -1;
  }
  if (f->pw.buf == NULL) {
    f->pw.buf = malloc(max);
    f->pw.ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (f->pw.buf == NULL || f->pw.ov.hEvent == NULL) {
      free(f->pw.buf);
      f->pw.buf = NULL;
      if (f->pw.ov.hEvent != NULL)
        CloseHandle(f->pw.ov.hEvent);
      f->pw.ov.hEvent = NULL;
      LeaveCriticalSection(&f->lock);
      return ipcx__fail(ENOMEM);
    }
  }
  memcpy(f->pw.buf, buf, len);
  f->pw.ov.Internal = f->pw.ov.InternalHigh = 0;
  f->pw.ov.Offset = f->pw.ov.OffsetHigh = 0;
  f->pw.len = len;
  if (WriteFile(f->h, f->pw.buf, len, NULL, &f->pw.ov)) {
    GetOverlappedResult(f->h, &f->pw.ov, &put, FALSE);
    LeaveCriticalSection(&f->lock);
    return (ssize_t)put;
  }
  err = GetLastError();
  if (err == ERROR_IO_PENDING) {
    f->pw.active = 1;
    LeaveCriticalSection(&f->lock);
    return (ssize_t)len;
  }
  LeaveCriticalSection(&f->lock);
  errno = ipcx__errno_write(err);
  return -1;
}

DWORD ipcx__io_drain(struct ipcx__file *f)
{
  DWORD err;

  if (!f->pw.active)
    return ERROR_SUCCESS;
  EnterCriticalSection(&f->lock);
  err = reap(f, TRUE);
  LeaveCriticalSection(&f->lock);
  return err;
}

DWORD ipcx__io_drain_intr(struct ipcx__file *f, DWORD timeout_ms)
{
  DWORD w;

  while (f->pw.active &&
         (w = ipcx__wait1(f->pw.ov.hEvent, timeout_ms, IPCX__WAIT_INTR)) != WAIT_OBJECT_0) {
    if (w == WAIT_TIMEOUT)
      return WAIT_TIMEOUT;
    if (w != IPCX__WAIT_INTERRUPTED)
      break;
    if (timeout_ms != INFINITE || !ipcx__wait_restart())
      return IPCX__WAIT_INTERRUPTED;    /* a socket timeout: never restarted (signal(7)) */
  }
  return ipcx__io_drain(f);
}

static DWORD WINAPI linger_thread(void *arg)
{
  struct ipcx__file *f = arg;

  ipcx__io_drain(f);
  ipcx__io_close_now(f);
  return 0;
}

void ipcx__io_close_now(struct ipcx__file *f)
{
  ipcx__zero_read_release(f);   /* poll()'s pending zero-byte read, if any */
  if (f->h != NULL)
    CloseHandle(f->h);
  if (f->pw.ov.hEvent != NULL)
    CloseHandle(f->pw.ov.hEvent);
  free(f->pw.buf);
  ipcx__file_free(f);
}

void ipcx__io_close_lingering(struct ipcx__file *f)
{
  HANDLE t;

  if (f->pw.active && !HasOverlappedIoCompleted(&f->pw.ov)) {
    /* The kernel still owns f->pw: a small thread waits for the peer to take
     * the data (or go away), then closes the handle and frees f. */
    t = CreateThread(NULL, 64 * 1024, linger_thread, f, STACK_SIZE_PARAM_IS_A_RESERVATION, NULL);
    if (t != NULL) {
      CloseHandle(t);
      return;
    }
    ipcx__io_drain(f);
  }
  ipcx__io_close_now(f);
}
