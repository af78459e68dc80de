/*
 * wait.c: the one wait.  Every blocking wait of the Windows layer ends here
 * (STYLE.md 13, after Cygwin's cygwait()): the handles, the timeout, and,
 * when the caller can be interrupted, the calling thread's interrupt event,
 * so that EINTR, timeouts and close-wakes are decided in one place.
 *
 *   ipcx__wait(n, h, ms, 0)               WaitForMultipleObjects(n, h, FALSE, ms)
 *   ipcx__wait(n, h, ms, IPCX__WAIT_INTR) the same plus this thread's
 *                                         interrupt event (signal.c):
 *                                         IPCX__WAIT_INTERRUPTED when a
 *                                         handler ran for this thread
 *
 * A process that never used the signal API waits exactly as without the
 * flag.  Otherwise the interrupt event is one more handle in the same wait:
 * one wineserver request either way, as the raw pipe round trip needs.
 * After IPCX__WAIT_INTERRUPTED the caller cancels what it was doing and asks
 * ipcx__wait_restart(): 1 when every handler that ran had SA_RESTART (the
 * caller restarts if Linux restarts that call), else it fails with EINTR.
 */
#include "internal.h"

#include <string.h>

DWORD ipcx__wait(DWORD n, const HANDLE *h, DWORD ms, unsigned flags)
{
  struct ipcx__sigthread *t;
  HANDLE hs[MAXIMUM_WAIT_OBJECTS];
  DWORD r;

  if (!(flags & IPCX__WAIT_INTR) || n >= MAXIMUM_WAIT_OBJECTS ||
      (t = ipcx__signal_self()) == NULL) {
    if (n == 0) {
      Sleep(ms);                /* a sleep with nothing to wait for */
      return WAIT_TIMEOUT;
    }
    if (n == 1)
      return WaitForSingleObject(h[0], ms);
    return WaitForMultipleObjects(n, h, FALSE, ms);
  }
  if (n > 0)
    memcpy(hs, h, n * sizeof *h);
  do {
    hs[n] = ipcx__signal_wait_begin(t);
    r = WaitForMultipleObjects(n + 1, hs, FALSE, ms);
    if (ipcx__signal_wait_end(t) && r == WAIT_OBJECT_0 + n)
      return IPCX__WAIT_INTERRUPTED;
  } while (r == WAIT_OBJECT_0 + n);   /* only a kick sets the event: not seen */
  return r;
}

DWORD ipcx__wait1(HANDLE h, DWORD ms, unsigned flags)
{
  return ipcx__wait(1, &h, ms, flags);
}

int ipcx__wait_restart(void)
{
  struct ipcx__sigthread *t = ipcx__signal_self();

  return t != NULL && ipcx__signal_restart(t);
}
