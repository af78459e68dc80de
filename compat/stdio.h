/*
 * Drop-in <stdio.h> for MinGW: perror() with Linux's messages
 * (win32/strerror.c); fdopen() on ipcx pipes, FIFOs and sockets through a
 * synchronous bridge the CRT can use, with fclose() closing the ipcx fd,
 * fflush() pushing the bytes into the fd and fileno() naming it
 * (win32/stdio.c).
 */
#include_next <stdio.h>
#ifndef IPCX_COMPAT_STDIO_H
#define IPCX_COMPAT_STDIO_H
void ipcx_perror(const char *s);
#define perror ipcx_perror
FILE *ipcx_fdopen(int fd, const char *mode);
int ipcx_fclose(FILE *fp);
int ipcx_fflush(FILE *fp);
int ipcx_fileno(FILE *fp);
#define fdopen ipcx_fdopen
#define fclose ipcx_fclose
#define fflush ipcx_fflush
#define fileno ipcx_fileno
#endif
