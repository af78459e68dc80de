/*
 * Drop-in <stdio.h> for MinGW: perror() with Linux's messages
 * (win32/strerror.c); fdopen() on ipcx pipes, FIFOs and sockets through a
 * synchronous bridge the CRT can use, with fclose() closing the ipcx fd,
 * fflush() pushing the bytes into the fd and fileno() naming it
 * (win32/stdio.c), fopen() of a FIFO through ipcx; pclose() with a wait status, as POSIX's (win32/process.c).
 *
 * Buffering as on Linux.  A stream to a pipe or file is fully buffered on
 * Linux: a parent's printf() lines come out when it flushes or exits, after
 * those of a child that exited first.  The C runtime buffers fwrite() and
 * fputs() the same way, but under Wine its fputc() flushes at every '\n',
 * and MinGW's printf() writes through it (measured), so every line went out
 * at once.  Here the printf family formats with the program's own
 * vsnprintf() (same engine, same output) and hands the text to fwrite(), and
 * putc/putchar/fputc go through fwrite() too.  setvbuf(_IOLBF), which the
 * CRT takes for full buffering, is made unbuffered: each printf() is one
 * write, as a line-buffered stream gives for whole lines.  stderr is
 * unbuffered, as on Linux (win32/stdio.c).  Function-like
 * macros, so format(printf, ...) attributes and &printf still name the CRT's.
 */
#pragma GCC system_header
#include_next <stdio.h>
#ifndef IPCX_COMPAT_STDIO_H
#define IPCX_COMPAT_STDIO_H
#include <stdarg.h>
#include <stdlib.h>
#include <ipcx_compat.h>
#define perror ipcx_perror
/* Links win32/stdio.c, whose constructor makes stderr unbuffered (Linux). */
__attribute__((__used__)) static int (*const ipcx__stdio_link)(FILE *) = ipcx_fflush;
#define fdopen ipcx_fdopen
#define fopen ipcx_fopen
#define fclose ipcx_fclose
#define fflush ipcx_fflush
#define fileno ipcx_fileno
#define pclose ipcx_pclose

#ifndef __cplusplus
__attribute__((__format__(__MINGW_PRINTF_FORMAT, 2, 0))) static __inline__ int
ipcx__vfprintf(FILE *fp, const char *fmt, va_list ap)
{
  char small[512], *p = small;
  va_list aq;
  int n;

  va_copy(aq, ap);
  n = vsnprintf(small, sizeof small, fmt, ap);
  if (n >= (int)sizeof small) {
    p = (char *)malloc((size_t)n + 1);
    if (p != NULL)
      vsnprintf(p, (size_t)n + 1, fmt, aq);
  }
  va_end(aq);
  if (n < 0 || p == NULL)
    return -1;
  if (fwrite(p, 1, (size_t)n, fp) != (size_t)n)
    n = -1;
  if (p != small)
    free(p);
  return n;
}

__attribute__((__format__(__MINGW_PRINTF_FORMAT, 2, 3))) static __inline__ int
ipcx__fprintf(FILE *fp, const char *fmt, ...)
{
  va_list ap;
  int n;

  va_start(ap, fmt);
  n = ipcx__vfprintf(fp, fmt, ap);
  va_end(ap);
  return n;
}

__attribute__((__format__(__MINGW_PRINTF_FORMAT, 1, 2))) static __inline__ int
ipcx__printf(const char *fmt, ...)
{
  va_list ap;
  int n;

  va_start(ap, fmt);
  n = ipcx__vfprintf(stdout, fmt, ap);
  va_end(ap);
  return n;
}

static __inline__ int ipcx__putc(int c, FILE *fp)
{
  unsigned char ch = (unsigned char)c;

  return fwrite(&ch, 1, 1, fp) == 1 ? ch : EOF;
}

static __inline__ int ipcx__setvbuf(FILE *fp, char *buf, int mode, size_t size)
{
  if (mode == _IOLBF)
    return setvbuf(fp, NULL, _IONBF, 0);
  if (mode == _IOFBF && buf == NULL && size < 2)
    size = BUFSIZ;              /* Linux picks a size; the CRT wants one */
  return setvbuf(fp, buf, mode, size);
}

#undef printf
#undef fprintf
#undef vprintf
#undef vfprintf
#undef putc
#undef putchar
#undef fputc
#undef setvbuf
#define printf(...) ipcx__printf(__VA_ARGS__)
#define fprintf(...) ipcx__fprintf(__VA_ARGS__)
#define vprintf(fmt, ap) ipcx__vfprintf(stdout, fmt, ap)
#define vfprintf(fp, fmt, ap) ipcx__vfprintf(fp, fmt, ap)
#define putc(c, fp) ipcx__putc(c, fp)
#define putchar(c) ipcx__putc(c, stdout)
#define fputc(c, fp) ipcx__putc(c, fp)
#define setvbuf(fp, buf, mode, size) ipcx__setvbuf(fp, buf, mode, size)
/* POSIX stream locks: the CRT's own; the _unlocked calls lock (same results). */
#define flockfile(fp) _lock_file(fp)
#define funlockfile(fp) _unlock_file(fp)
#define getc_unlocked(fp) getc(fp)
#define getchar_unlocked() getchar()
#define putc_unlocked(c, fp) ipcx__putc(c, fp)
#define putchar_unlocked(c) ipcx__putc(c, stdout)
#endif
#endif
