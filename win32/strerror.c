/*
 * strerror.c: strerror() and perror() with Linux's messages, strsignal() and
 * psignal() with Linux's signal texts.
 *
 * MinGW's C runtime knows messages for errno values up to about 42 only;
 * ECONNREFUSED and the other socket errors print "Unknown error".  A ported
 * program that prints perror("connect") must print what it prints on Linux,
 * so compat/string.h and compat/stdio.h rename strerror and perror to these,
 * which use glibc's texts.  MinGW has no strsignal() or psignal() at all;
 * these give glibc's texts for ipcx's signal numbers (Linux's, but SIGABRT
 * is 22 as in MinGW), "Real-time signal N" from 34 (glibc's SIGRTMIN) to 64.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#define IPCX__MESSAGES(X)                                          \
  X(EPERM, "Operation not permitted")                              \
  X(ENOENT, "No such file or directory")                           \
  X(ESRCH, "No such process")                                      \
  X(EINTR, "Interrupted system call")                              \
  X(EIO, "Input/output error")                                     \
  X(ENXIO, "No such device or address")                            \
  X(E2BIG, "Argument list too long")                               \
  X(ENOEXEC, "Exec format error")                                  \
  X(EBADF, "Bad file descriptor")                                  \
  X(ECHILD, "No child processes")                                  \
  X(EAGAIN, "Resource temporarily unavailable")                    \
  X(ENOMEM, "Cannot allocate memory")                              \
  X(EACCES, "Permission denied")                                   \
  X(EFAULT, "Bad address")                                         \
  X(EBUSY, "Device or resource busy")                              \
  X(EEXIST, "File exists")                                         \
  X(EXDEV, "Invalid cross-device link")                            \
  X(ENODEV, "No such device")                                      \
  X(ENOTDIR, "Not a directory")                                    \
  X(EISDIR, "Is a directory")                                      \
  X(EINVAL, "Invalid argument")                                    \
  X(ENFILE, "Too many open files in system")                       \
  X(EMFILE, "Too many open files")                                 \
  X(ENOTTY, "Inappropriate ioctl for device")                      \
  X(EFBIG, "File too large")                                       \
  X(ENOSPC, "No space left on device")                             \
  X(ESPIPE, "Illegal seek")                                        \
  X(EROFS, "Read-only file system")                                \
  X(EMLINK, "Too many links")                                      \
  X(EPIPE, "Broken pipe")                                          \
  X(EDOM, "Numerical argument out of domain")                      \
  X(ERANGE, "Numerical result out of range")                       \
  X(EDEADLK, "Resource deadlock avoided")                          \
  X(ENAMETOOLONG, "File name too long")                            \
  X(ENOLCK, "No locks available")                                  \
  X(ENOSYS, "Function not implemented")                            \
  X(ENOTEMPTY, "Directory not empty")                              \
  X(EILSEQ, "Invalid or incomplete multibyte or wide character")   \
  X(EADDRINUSE, "Address already in use")                          \
  X(EADDRNOTAVAIL, "Cannot assign requested address")              \
  X(EAFNOSUPPORT, "Address family not supported by protocol")      \
  X(EALREADY, "Operation already in progress")                     \
  X(EBADMSG, "Bad message")                                        \
  X(ECANCELED, "Operation canceled")                               \
  X(ECONNABORTED, "Software caused connection abort")              \
  X(ECONNREFUSED, "Connection refused")                            \
  X(ECONNRESET, "Connection reset by peer")                        \
  X(EDESTADDRREQ, "Destination address required")                  \
  X(EHOSTUNREACH, "No route to host")                              \
  X(EIDRM, "Identifier removed")                                   \
  X(EINPROGRESS, "Operation now in progress")                      \
  X(EISCONN, "Transport endpoint is already connected")            \
  X(ELOOP, "Too many levels of symbolic links")                    \
  X(EMSGSIZE, "Message too long")                                  \
  X(ENETDOWN, "Network is down")                                   \
  X(ENETRESET, "Network dropped connection on reset")              \
  X(ENETUNREACH, "Network is unreachable")                         \
  X(ENOBUFS, "No buffer space available")                          \
  X(ENODATA, "No data available")                                  \
  X(ENOLINK, "Link has been severed")                              \
  X(ENOMSG, "No message of desired type")                          \
  X(ENOPROTOOPT, "Protocol not available")                         \
  X(ENOSR, "Out of streams resources")                             \
  X(ENOSTR, "Device not a stream")                                 \
  X(ENOTCONN, "Transport endpoint is not connected")               \
  X(ENOTRECOVERABLE, "State not recoverable")                      \
  X(ENOTSOCK, "Socket operation on non-socket")                    \
  X(ENOTSUP, "Operation not supported")                            \
  X(EOPNOTSUPP, "Operation not supported")                         \
  X(EOVERFLOW, "Value too large for defined data type")            \
  X(EOWNERDEAD, "Owner died")                                      \
  X(EPROTO, "Protocol error")                                      \
  X(EPROTONOSUPPORT, "Protocol not supported")                     \
  X(EPROTOTYPE, "Protocol wrong type for socket")                  \
  X(ETIME, "Timer expired")                                        \
  X(ETIMEDOUT, "Connection timed out")                             \
  X(ETXTBSY, "Text file busy")                                     \
  X(94, "Socket type not supported")       /* ESOCKTNOSUPPORT (compat/errno.h) */ \
  X(96, "Protocol family not supported")   /* EPFNOSUPPORT */                     \
  X(150, "Cannot send after transport endpoint shutdown") /* ESHUTDOWN */         \
  X(151, "Too many references: cannot splice")            /* ETOOMANYREFS */      \
  X(152, "Host is down")                   /* EHOSTDOWN */                        \
  X(153, "Disk quota exceeded")            /* EDQUOT */                           \
  X(154, "Stale file handle")              /* ESTALE */                           \
  X(87, "Too many users")                  /* EUSERS */                           \
  X(66, "Object is remote")                /* EREMOTE */                          \
  X(15, "Block device required")           /* ENOTBLK */

char *ipcx_strerror(int err)
{
  static __thread char unknown[32];

  switch (err) {
  case 0:
    return (char *)"Success";
#define X(e, text) case e: return (char *)text;
    IPCX__MESSAGES(X)
#undef X
  default:
    snprintf(unknown, sizeof unknown, "Unknown error %d", err);
    return unknown;
  }
}

void ipcx_perror(const char *s)
{
  const char *msg = ipcx_strerror(errno);

  if (s != NULL && *s != 0)
    fprintf(stderr, "%s: %s\n", s, msg);
  else
    fprintf(stderr, "%s\n", msg);
}

static const char *const signal_texts[32] = {
  NULL, "Hangup", "Interrupt", "Quit", "Illegal instruction", "Trace/breakpoint trap",
  "Aborted", "Bus error", "Floating point exception", "Killed", "User defined signal 1",
  "Segmentation fault", "User defined signal 2", "Broken pipe", "Alarm clock", "Terminated",
  "Stack fault", "Child exited", "Continued", "Stopped (signal)", "Stopped",
  "Stopped (tty input)", "Aborted" /* SIGABRT is MinGW's 22, Linux's SIGTTOU */,
  "Urgent I/O condition",
  "CPU time limit exceeded", "File size limit exceeded", "Virtual timer expired",
  "Profiling timer expired", "Window changed", "I/O possible", "Power failure",
  "Bad system call",
};

char *ipcx_strsignal(int sig)
{
  static __thread char other[40];

  if (sig >= 1 && sig < 32)
    return (char *)signal_texts[sig];
  if (sig >= 34 && sig <= 64)
    snprintf(other, sizeof other, "Real-time signal %d", sig - 34);
  else
    snprintf(other, sizeof other, "Unknown signal %d", sig);
  return other;
}

void ipcx_psignal(int sig, const char *s)
{
  const char *msg = ipcx_strsignal(sig);

  if (s != NULL && *s != 0)
    fprintf(stderr, "%s: %s\n", s, msg);
  else
    fprintf(stderr, "%s\n", msg);
}
