/*
 * error.c: Win32 and Winsock error codes to errno.
 *
 * One table (IPCX__ERRORS) gives the errno for every code ipcx can meet; the
 * per-operation functions below it override the few codes whose meaning
 * depends on the call: a broken pipe is EOF to a reader and EPIPE to a
 * writer, ERROR_NO_DATA is "nothing yet" to a nonblocking reader and "the
 * reader is gone" to a writer.  A code the table does not know becomes EIO,
 * never the CRT's catch-all EINVAL.  errno is set through ipcx__fail() and
 * ipcx__fail_win32(), which also leave GetLastError() meaningful.
 */
#include "internal.h"

#define IPCX__ERRORS(X)                                     \
  X(ERROR_FILE_NOT_FOUND, ENOENT)                           \
  X(ERROR_PATH_NOT_FOUND, ENOENT)                           \
  X(ERROR_INVALID_NAME, ENOENT)                             \
  X(ERROR_BAD_PATHNAME, ENOENT)                             \
  X(ERROR_INVALID_DRIVE, ENOENT)                            \
  X(ERROR_TOO_MANY_OPEN_FILES, EMFILE)                      \
  X(ERROR_ACCESS_DENIED, EACCES)                            \
  X(ERROR_SHARING_VIOLATION, EACCES)                        \
  X(ERROR_LOCK_VIOLATION, EACCES)                           \
  X(ERROR_CANNOT_MAKE, EACCES)                              \
  X(ERROR_PRIVILEGE_NOT_HELD, EPERM)                        \
  X(ERROR_INVALID_HANDLE, EBADF)                            \
  X(ERROR_INVALID_TARGET_HANDLE, EBADF)                     \
  X(ERROR_DIRECT_ACCESS_HANDLE, EBADF)                      \
  X(ERROR_NOT_ENOUGH_MEMORY, ENOMEM)                        \
  X(ERROR_OUTOFMEMORY, ENOMEM)                              \
  X(ERROR_NOT_ENOUGH_QUOTA, ENOMEM)                         \
  X(ERROR_COMMITMENT_LIMIT, ENOMEM)                         \
  X(ERROR_INVALID_PARAMETER, EINVAL)                        \
  X(ERROR_INVALID_FUNCTION, EINVAL)                         \
  X(ERROR_INVALID_FLAGS, EINVAL)                            \
  X(ERROR_NEGATIVE_SEEK, EINVAL)                            \
  X(ERROR_NOACCESS, EFAULT)                                 \
  X(ERROR_FILE_EXISTS, EEXIST)                              \
  X(ERROR_ALREADY_EXISTS, EEXIST)                           \
  X(ERROR_DIRECTORY, ENOTDIR)                               \
  X(ERROR_DIR_NOT_EMPTY, ENOTEMPTY)                         \
  X(ERROR_FILENAME_EXCED_RANGE, ENAMETOOLONG)               \
  X(ERROR_BUFFER_OVERFLOW, ENAMETOOLONG)                    \
  X(ERROR_NOT_SAME_DEVICE, EXDEV)                           \
  X(ERROR_DISK_FULL, ENOSPC)                                \
  X(ERROR_HANDLE_DISK_FULL, ENOSPC)                         \
  X(ERROR_WRITE_PROTECT, EROFS)                             \
  X(ERROR_BROKEN_PIPE, EPIPE)                               \
  X(ERROR_NO_DATA, EPIPE)                                   \
  X(ERROR_PIPE_NOT_CONNECTED, EPIPE)                        \
  X(ERROR_PIPE_BUSY, EAGAIN)                                \
  X(ERROR_PIPE_LISTENING, EAGAIN)                           \
  X(ERROR_IO_PENDING, EAGAIN)                               \
  X(ERROR_OPERATION_ABORTED, EINTR)                         \
  X(ERROR_SEM_TIMEOUT, ETIMEDOUT)                           \
  X(ERROR_TIMEOUT, ETIMEDOUT)                               \
  X(WAIT_TIMEOUT, ETIMEDOUT)                                \
  X(IPCX__WAIT_INTERRUPTED, EINTR)                          \
  X(ERROR_BAD_EXE_FORMAT, ENOEXEC)                          \
  X(ERROR_EXE_MACHINE_TYPE_MISMATCH, ENOEXEC)               \
  X(ERROR_BAD_FORMAT, ENOEXEC)                              \
  X(ERROR_WAIT_NO_CHILDREN, ECHILD)                         \
  X(ERROR_CHILD_NOT_COMPLETE, ECHILD)                       \
  X(ERROR_NOT_SUPPORTED, EOPNOTSUPP)                        \
  X(ERROR_CALL_NOT_IMPLEMENTED, ENOSYS)                     \
  X(ERROR_NETNAME_DELETED, ECONNRESET)                      \
  X(ERROR_CONNECTION_REFUSED, ECONNREFUSED)                 \
  X(ERROR_CONNECTION_ABORTED, ECONNABORTED)                 \
  X(ERROR_MORE_DATA, EMSGSIZE)                              \
  X(ERROR_ARITHMETIC_OVERFLOW, ERANGE)                      \
  X(WSAEINTR, EINTR)                                        \
  X(WSAEBADF, EBADF)                                        \
  X(WSAEACCES, EACCES)                                      \
  X(WSAEFAULT, EFAULT)                                      \
  X(WSAEINVAL, EINVAL)                                      \
  X(WSAEMFILE, EMFILE)                                      \
  X(WSAEWOULDBLOCK, EAGAIN)                                 \
  X(WSAEINPROGRESS, EINPROGRESS)                            \
  X(WSAEALREADY, EALREADY)                                  \
  X(WSAENOTSOCK, ENOTSOCK)                                  \
  X(WSAEDESTADDRREQ, EDESTADDRREQ)                          \
  X(WSAEMSGSIZE, EMSGSIZE)                                  \
  X(WSAEPROTOTYPE, EPROTOTYPE)                              \
  X(WSAENOPROTOOPT, ENOPROTOOPT)                            \
  X(WSAEPROTONOSUPPORT, EPROTONOSUPPORT)                    \
  X(WSAESOCKTNOSUPPORT, EPROTONOSUPPORT)                    \
  X(WSAEOPNOTSUPP, EOPNOTSUPP)                              \
  X(WSAEPFNOSUPPORT, EAFNOSUPPORT)                          \
  X(WSAEAFNOSUPPORT, EAFNOSUPPORT)                          \
  X(WSAEADDRINUSE, EADDRINUSE)                              \
  X(WSAEADDRNOTAVAIL, EADDRNOTAVAIL)                        \
  X(WSAENETDOWN, ENETDOWN)                                  \
  X(WSAENETUNREACH, ENETUNREACH)                            \
  X(WSAENETRESET, ENETRESET)                                \
  X(WSAECONNABORTED, ECONNABORTED)                          \
  X(WSAECONNRESET, ECONNRESET)                              \
  X(WSAENOBUFS, ENOBUFS)                                    \
  X(WSAEISCONN, EISCONN)                                    \
  X(WSAENOTCONN, ENOTCONN)                                  \
  X(WSAESHUTDOWN, EPIPE)                                    \
  X(WSAETIMEDOUT, ETIMEDOUT)                                \
  X(WSAECONNREFUSED, ECONNREFUSED)                          \
  X(WSAENAMETOOLONG, ENAMETOOLONG)                          \
  X(WSAEHOSTDOWN, 152)              /* EHOSTDOWN */          \
  X(WSAETOOMANYREFS, 151)           /* ETOOMANYREFS */       \
  X(WSAEHOSTUNREACH, EHOSTUNREACH)                          \
  X(WSAENOTEMPTY, ENOTEMPTY)                                \
  X(WSAEDISCON, EPIPE)                                      \
  X(WSANOTINITIALISED, ENETDOWN)

int ipcx__errno_from_win32(DWORD err)
{
  switch (err) {
#define X(code, e) case code: return e;
    IPCX__ERRORS(X)
#undef X
  case ERROR_SUCCESS:
    return 0;
  default:
    return EIO;
  }
}

int ipcx__errno_read(DWORD err)
{
  switch (err) {
  case ERROR_NO_DATA:            /* PIPE_NOWAIT: nothing to read yet */
  case ERROR_OPERATION_ABORTED:  /* a nonblocking read cancelled for want of data */
    return EAGAIN;
  case ERROR_ACCESS_DENIED:      /* the handle is not open for reading */
    return EBADF;
  default:
    return ipcx__errno_from_win32(err);
  }
}

int ipcx__errno_write(DWORD err)
{
  switch (err) {
  case ERROR_BROKEN_PIPE:
  case ERROR_NO_DATA:            /* the reading end has closed */
  case ERROR_PIPE_NOT_CONNECTED:
    return EPIPE;
  case ERROR_ACCESS_DENIED:      /* the handle is not open for writing */
    return EBADF;
  default:
    return ipcx__errno_from_win32(err);
  }
}

int ipcx__fail(int err)
{
  errno = err;
  return -1;
}

int ipcx__fail_win32(DWORD err)
{
  SetLastError(err);
  errno = ipcx__errno_from_win32(err);
  return -1;
}
