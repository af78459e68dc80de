/* Drop-in <time.h> for MinGW: the MinGW header, then nanosleep() (win32/sleep.c),
 * which a signal interrupts (EINTR) as on Linux. */
#pragma GCC system_header
#include_next <time.h>
#include <ipcx_compat.h>
#ifndef IPCX_COMPAT_TIME_H
#define IPCX_COMPAT_TIME_H
#define nanosleep ipcx_nanosleep
#endif
