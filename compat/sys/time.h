/* Drop-in <sys/time.h> for MinGW: the MinGW header, then setitimer()/getitimer() (win32/timer.c). */
#pragma GCC system_header
#include_next <sys/time.h>
#ifndef IPCX_COMPAT_SYS_TIME_H
#define IPCX_COMPAT_SYS_TIME_H
#include <ipcx_compat.h>
#define itimerval ipcx_itimerval
#define setitimer ipcx_setitimer
#define getitimer ipcx_getitimer
#endif
