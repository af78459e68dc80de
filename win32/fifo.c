/*
 * fifo.c: FIFOs (mkfifo() and open() on a FIFO file).
 *
 * Not built yet (issue: FIFOs on Windows): mkfifo fails with ENOSYS, and
 * tests/test_gaps.c says so.
 */
#include "internal.h"

int ipcx_mkfifo(const char *path, mode_t mode)
{ (void)path, (void)mode; return ipcx__fail(ENOSYS); }
