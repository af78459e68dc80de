/*
 * wait.c: the one wait.  Every blocking wait of the Windows layer ends here
 * (STYLE.md 13, after Cygwin's cygwait()): the handles, the timeout, and,
 * when the caller can be interrupted, the calling thread's signal event, so
 * that EINTR, timeouts and close-wakes are decided in one place.
 *
 *   ipcx__wait(n, h, ms, 0)               WaitForMultipleObjects(n, h, FALSE, ms)
 *   ipcx__wait(n, h, ms, IPCX__WAIT_INTR) the same, plus this thread's signal
 *                                         event: IPCX__WAIT_INTERRUPTED when a
 *                                         signal is to be handled (EINTR)
 *
 * Until signals are delivered on Windows, IPCX__WAIT_INTR adds nothing.
 */
#include "internal.h"

DWORD ipcx__wait(DWORD n, const HANDLE *h, DWORD ms, unsigned flags)
{
  (void)flags;
  if (n == 1)
    return WaitForSingleObject(h[0], ms);
  return WaitForMultipleObjects(n, h, FALSE, ms);
}

DWORD ipcx__wait1(HANDLE h, DWORD ms, unsigned flags)
{
  return ipcx__wait(1, &h, ms, flags);
}

int ipcx__wait_restart(void)
{
  return 0;
}
