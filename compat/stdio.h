/* Drop-in <stdio.h> for MinGW: perror() with Linux's messages (win32/strerror.c). */
#include_next <stdio.h>
#ifndef IPCX_COMPAT_STDIO_H
#define IPCX_COMPAT_STDIO_H
void ipcx_perror(const char *s);
#define perror ipcx_perror
#endif
