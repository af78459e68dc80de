/*
 * zero_read.c: the zero-byte read watch, the one engine that tells that a
 * pipe handle has something to read, or that its peer has gone, without
 * taking anything from it.
 *
 * Win32 cannot wait on a pipe handle for readability.  An overlapped
 * ReadFile of 0 bytes can: it stays pending while the pipe is empty and
 * completes, consuming nothing, when bytes arrive (at once if they are there
 * already; on a message-type pipe with ERROR_MORE_DATA when a message waits)
 * or when the peer goes and nothing is left (ERROR_BROKEN_PIPE,
 * ERROR_PIPE_NOT_CONNECTED).  Its OVERLAPPED's event is then the handle a
 * thread sleeps on.  struct ipcx__zero_read (internal.h) is one such watch.
 *
 * Two layers:
 *   arm, finished, end   the read itself.  arm issues it, signalling the
 *                        watch's own event (made on first use) or one the
 *                        caller gives (the FIFO relay: every writer's
 *                        instance signals the relay's one event, so it waits
 *                        on 3 handles whatever the number of writers);
 *                        finished collects a completed read without
 *                        blocking; end cancels a pending one and waits until
 *                        it is over, before its OVERLAPPED is freed or the
 *                        handle changes (closing the handle alone would not
 *                        end it while a duplicate of the handle lives).
 *   on                   readiness for poll() and for waits built like it:
 *                        1 bytes wait, 0 nothing yet (wait on ov.hEvent),
 *                        -1 the peer has gone and nothing is left.
 *
 * Users: poll() on a pipe() end, a FIFO writer and a raw named-pipe socket
 * (f->zr on f->h: ipcx__pipe_zero_read, ended by ipcx__zero_read_release on
 * close); a FIFO reader's poll() (its own watch on its current source, the
 * stream or the direct instance: ipcx__zero_read_on); the FIFO relay thread
 * (one watch per writer's instance: arm, finished, end); the write relay of
 * an fdopen() bridge (stdio.c: arm, wait beside its stop event, finished);
 * a detached datagram mailbox's relay (unix_dgram.c: the watch on its
 * private pipe's write end tells when the last reader has gone).
 *
 * Wine runs the completion of an overlapped read as an APC in the thread
 * that issued it, when that thread next waits or calls the server; a watch
 * issued by another thread can therefore look pending after the bytes are
 * there.  on() handles that (see below); the relay arms and collects its
 * watches in its own thread only.
 *
 * Costs under Wine (one request each): arming is the ReadFile alone;
 * collecting a completion costs nothing (the OVERLAPPED says it); on() asks
 * the pipe how much waits and whether the peer has gone in one
 * FilePipeLocalInformation query, only after a completion.
 */
#include "internal.h"

DWORD ipcx__zero_read_arm(struct ipcx__zero_read *zr, HANDLE h, HANDLE ev)
{
  static char dummy;
  DWORD err;

  if (ev != NULL)
    zr->ov.hEvent = ev;
  else if (zr->ov.hEvent == NULL && (zr->ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL)) == NULL)
    return GetLastError();
  zr->ov.Internal = zr->ov.InternalHigh = 0;
  zr->ov.Offset = zr->ov.OffsetHigh = 0;
  if (ReadFile(h, &dummy, 0, NULL, &zr->ov))
    return ERROR_SUCCESS;       /* bytes wait (it consumed nothing) */
  err = GetLastError();
  if (err == ERROR_IO_PENDING) {
    zr->active = 1;
    zr->tid = GetCurrentThreadId();
  } else if (ipcx__pipe_gone_error(err)) {
    zr->gone = 1;
  }
  return err;
}

DWORD ipcx__zero_read_finished(struct ipcx__zero_read *zr, HANDLE h)
{
  DWORD n, err;

  if (!zr->active)
    return ERROR_SUCCESS;
  if (!HasOverlappedIoCompleted(&zr->ov))
    return ERROR_IO_PENDING;
  zr->active = 0;
  if (GetOverlappedResult(h, &zr->ov, &n, FALSE))
    return ERROR_SUCCESS;
  err = GetLastError();
  if (ipcx__pipe_gone_error(err))
    zr->gone = 1;
  return err;
}

void ipcx__zero_read_end(struct ipcx__zero_read *zr, HANDLE h, int close_event)
{
  if (zr->active) {
    ipcx__io_cancel(h, &zr->ov);
    zr->active = 0;
  }
  zr->gone = 0;
  if (close_event && zr->ov.hEvent != NULL) {
    CloseHandle(zr->ov.hEvent);
    zr->ov.hEvent = NULL;
  }
}

int ipcx__zero_read_on(struct ipcx__zero_read *zr, HANDLE h, int *hup)
{
  int look = 0, tries, r;
  DWORD err, n;

  *hup = 0;
  if (zr->active) {
    err = ipcx__zero_read_finished(zr, h);
    if (err == ERROR_IO_PENDING) {
      if (zr->tid == GetCurrentThreadId())
        return 0;               /* still nothing: no request to wineserver */
      /*
       * Another thread issued the watch, and its completion is run by that
       * thread (an APC): a write() that has returned may not show here yet.
       * If that thread is polling too, ask the pipe (one request; taking
       * turns at the watch would wake each other for ever).  Otherwise take
       * the watch over: cancel it (waiting for that thread to finish it) and
       * issue it again from here, so that this thread polls for free.
       */
      if (ipcx__poll_thread_waiting(zr->tid)) {
        r = ipcx__pipe_bytes_waiting(h, hup);
        if (r < 0)
          zr->gone = 1;
        return r < 0 ? -1 : r;
      }
      CancelIoEx(h, &zr->ov);
      zr->active = 0;
      if (GetOverlappedResult(h, &zr->ov, &n, TRUE))
        err = ERROR_SUCCESS;
      else if (ipcx__pipe_gone_error(err = GetLastError()))
        zr->gone = 1;
    }
    look = err == ERROR_SUCCESS;  /* data came: look how much, and whether the peer left */
  }
  /*
   * A fresh completion is answered by FilePipeLocalInformation alone,
   * re-arming by the zero-byte ReadFile alone (it succeeds at once when
   * bytes wait, and fails once the peer has gone and nothing is left).
   */
  for (tries = 0; tries < 3; tries++) {
    if (look || zr->gone) {
      r = ipcx__pipe_bytes_waiting(h, hup);
      if (r < 0 || zr->gone) {
        zr->gone = 1;
        *hup = 1;
        return r > 0 ? 1 : -1;
      }
      if (r > 0)
        return 1;
    }
    err = ipcx__zero_read_arm(zr, h, NULL);
    if (err == ERROR_IO_PENDING)
      return 0;
    if (err == ERROR_MORE_DATA)
      return 1;                 /* a message waits (message-type pipes: FIFO instances) */
    if (err != ERROR_SUCCESS && !zr->gone)
      return 0;                 /* no event, or an odd error: poll() checks again later */
    look = 1;                   /* completed at once: bytes wait, or the peer has gone */
  }
  return 0;
}

int ipcx__pipe_zero_read(struct ipcx__file *f, int *hup)
{
  return ipcx__zero_read_on(&f->zr, f->h, hup);
}

void ipcx__zero_read_release(struct ipcx__file *f)
{
  ipcx__zero_read_end(&f->zr, f->h, 1);
}
