/*
 * Drop-in <stdlib.h> for MinGW: POSIX setenv() and unsetenv() (over the
 * CRT's _putenv_s: Windows cannot hold an empty value, setting "" removes
 * the variable), random() and srandom(), abort() that ends the process
 * by SIGABRT (the CRT's exits with status 3; win32/signal.c), and system()
 * returning a wait status (the CRT's returns the exit code; process.c).
 */
#pragma GCC system_header
#include_next <stdlib.h>
#ifndef IPCX_COMPAT_STDLIB_H
#define IPCX_COMPAT_STDLIB_H
/* setenv() and unsetenv() are libipcx's (win32/env.c), so that they also
 * exist at link level for configure's checks. */
#ifdef __cplusplus
extern "C" {
#endif
int ipcx_setenv(const char *name, const char *value, int overwrite);
int ipcx_unsetenv(const char *name);
/* random() and srandom() with glibc's generator (win32/random.c). */
long ipcx_random(void);
void ipcx_srandom(unsigned int seed);
#ifdef __cplusplus
}
#endif
#define random ipcx_random
#define srandom ipcx_srandom
#define setenv ipcx_setenv
#define unsetenv ipcx_unsetenv
#define abort ipcx_abort
#define system ipcx_system
#endif
