/*
 * Drop-in <stdlib.h> for MinGW: POSIX setenv() and unsetenv(), over the
 * CRT's _putenv_s (which changes both environ and the process environment
 * that children inherit).  Windows cannot hold an empty value: setting ""
 * removes the variable.
 */
#pragma GCC system_header
#include_next <stdlib.h>
#ifndef IPCX_COMPAT_STDLIB_H
#define IPCX_COMPAT_STDLIB_H
#include <errno.h>
#include <string.h>
/* Declared here too: in C++ this file can be read from inside MinGW's
 * <stdlib.h> (through <cstdlib>) before it has declared _putenv_s. */
#ifdef __cplusplus
extern "C"
#endif
__declspec(dllimport) int __cdecl _putenv_s(const char *name, const char *value);
static __inline int ipcx_setenv(const char *name, const char *value, int overwrite)
{
  if (name == NULL || *name == 0 || strchr(name, '=') != NULL || value == NULL) {
    errno = EINVAL;
    return -1;
  }
  if (!overwrite && getenv(name) != NULL)
    return 0;
  if (_putenv_s(name, value) != 0) {
    errno = ENOMEM;
    return -1;
  }
  return 0;
}
static __inline int ipcx_unsetenv(const char *name)
{
  if (name == NULL || *name == 0 || strchr(name, '=') != NULL) {
    errno = EINVAL;
    return -1;
  }
  return _putenv_s(name, "") == 0 ? 0 : (errno = EINVAL, -1);
}
/* random() and srandom() with glibc's generator (win32/random.c). */
long ipcx_random(void);
void ipcx_srandom(unsigned int seed);
#define random ipcx_random
#define srandom ipcx_srandom
#define setenv ipcx_setenv
#define unsetenv ipcx_unsetenv
#endif
