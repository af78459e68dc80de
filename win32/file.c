/*
 * file.c: regular files and devices, served by the C runtime.
 *
 * open() makes a CRT fd in binary mode (Unix has no text mode); such fds get
 * a description of their own only when they need state (O_NONBLOCK, which
 * Linux accepts and ignores on regular files).  stat() and unlink() are the
 * CRT's, with errno as the CRT sets it for files.
 */
#include "internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void crt_destroy(struct ipcx__file *f)
{
  ipcx__file_free(f);
}

const struct ipcx__ops ipcx__crt_ops = {
  .kind = IPCX__KIND_CRT,
  .destroy = crt_destroy,
};

/* The CRT flags a POSIX open() can mean; other bits (e.g. _O_TEMPORARY) are dropped,
 * as Linux ignores flags it does not know. */
#define CRT_FLAGS (O_CREAT | O_EXCL | O_TRUNC | O_APPEND | O_CLOEXEC | _O_BINARY | _O_TEXT)

int ipcx_open(const char *path, int flags, ...)
{
  int mode = 0, fd, crtflags;
  va_list ap;

  if (flags & O_CREAT) {
    va_start(ap, flags);
    mode = va_arg(ap, int);
    va_end(ap);
  }
  if (path == NULL)
    return ipcx__fail(EFAULT);
  if (strcmp(path, "/dev/null") == 0)
    path = "NUL";                       /* what Unix programs open to discard or read nothing */
  if (ipcx__fifo_is(path))
    return ipcx__fifo_open(path, flags);  /* a FIFO (fifo.c) */
  if ((flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL) && ipcx__unix_is_socket(path))
    return ipcx__fail(ENXIO);           /* a socket file: Linux will not open it either */
  /* O_ACCMODE itself (3) is Linux's "neither read nor write": open for both. */
  crtflags = (flags & CRT_FLAGS) | ((flags & O_ACCMODE) == O_ACCMODE ? O_RDWR : flags & O_ACCMODE);
  if (!(crtflags & _O_TEXT))
    crtflags |= _O_BINARY;
  fd = _open(path, crtflags, mode & (_S_IREAD | _S_IWRITE));
  if (fd < 0)
    return errno == ENFILE ? ipcx__fail(EMFILE) : -1;  /* the CRT's table is this process's */
  if (fd >= ipcx__fd_limit()) {
    _close(fd);
    return ipcx__fail(EMFILE);          /* RLIMIT_NOFILE (resource.c) */
  }
  if ((flags & O_NONBLOCK) && ipcx_fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
    _close(fd);
    return -1;
  }
  return fd;
}

int ipcx_unlink(const char *path)
{
  if (path == NULL)
    return ipcx__fail(EFAULT);
  return _unlink(path);
}

int ipcx_stat(const char *path, struct stat *st)
{
  if (path == NULL || st == NULL)
    return ipcx__fail(EFAULT);
  if (stat(path, st) < 0)
    return -1;
  if (ipcx__fifo_stat(path, st) < 0)  /* a FIFO's marker file is S_IFIFO */
    return -1;
  return ipcx__unix_stat(path, st);   /* a socket's rendezvous file is S_IFSOCK (unix.c) */
}

const char *ipcx_version(void)
{
  return "0.1.0";
}
