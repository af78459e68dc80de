/*
 * file.c: regular files and devices, served by the C runtime.
 *
 * open() makes a CRT fd in binary mode (Unix has no text mode); such fds get
 * a description of their own only when they need state (O_NONBLOCK, which
 * Linux accepts and ignores on regular files).  open, stat, unlink, mkdir,
 * rmdir and chdir take exact paths (path.c): "t." is not "t", "CON" is an
 * ordinary name, and a path may be longer than 260 characters.
 */
#include "internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

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
  wchar_t *wpath;
  va_list ap;

  if (flags & O_CREAT) {
    va_start(ap, flags);
    mode = va_arg(ap, int);
    va_end(ap);
  }
  if (path == NULL)
    return ipcx__fail(EFAULT);
  if (strcmp(path, "/dev/null") == 0)
    path = "\\\\.\\NUL";                 /* what Unix programs open to discard or read nothing */
  if (ipcx__raw_is_path(path))
    return ipcx__raw_open(path, flags);  /* a Windows named pipe (unix_raw.c) */
  if (ipcx__fifo_is(path))
    return ipcx__fifo_open(path, flags);  /* a FIFO (fifo.c) */
  if ((flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL) && ipcx__unix_is_socket(path))
    return ipcx__fail(ENXIO);           /* a socket file: Linux will not open it either */
  /* O_ACCMODE itself (3) is Linux's "neither read nor write": open for both. */
  crtflags = (flags & CRT_FLAGS) | ((flags & O_ACCMODE) == O_ACCMODE ? O_RDWR : flags & O_ACCMODE);
  if (!(crtflags & _O_TEXT))
    crtflags |= _O_BINARY;
  wpath = ipcx__path_exact(path);      /* "t." is not "t", "CON" is a file (path.c) */
  if (wpath == NULL)
    return ipcx__fail_win32(GetLastError());
  ipcx__fd_pool_drain();               /* the lowest free number, as Linux (fd.c) */
  fd = _wopen(wpath, crtflags, mode & (_S_IREAD | _S_IWRITE));
  free(wpath);
  if (fd < 0)
    return errno == ENFILE ? ipcx__fail(EMFILE) : -1;  /* the CRT's table is this process's */
  if (fd >= ipcx__fd_limit()) {
    _close(fd);
    return ipcx__fail(EMFILE);          /* RLIMIT_NOFILE (resource.c) */
  }
  /* A description of its own holds O_APPEND for F_GETFL (the CRT appends). */
  if ((flags & (O_NONBLOCK | O_APPEND)) &&
      ipcx_fcntl(fd, F_SETFL, flags & (O_NONBLOCK | O_APPEND)) < 0) {
    _close(fd);
    return -1;
  }
  return fd;
}

/* --- by path: exact paths (path.c), errno as Linux gives it ------------- */

/* A Win32 failure on a path as errno. */
static int path_fail(DWORD err)
{
  switch (err) {
  case ERROR_DIRECTORY:
    return ipcx__fail(ENOTDIR);
  case ERROR_FILENAME_EXCED_RANGE:
    return ipcx__fail(ENAMETOOLONG);
  default:
    return ipcx__fail_win32(err);
  }
}

int ipcx_unlink(const char *path)
{
  wchar_t *w;
  DWORD attrs, err = ERROR_SUCCESS;

  if (path == NULL)
    return ipcx__fail(EFAULT);
  if ((w = ipcx__path_exact(path)) == NULL)
    return path_fail(GetLastError());
  if (!DeleteFileW(w)) {
    err = GetLastError();
    attrs = GetFileAttributesW(w);
    if (err == ERROR_ACCESS_DENIED && attrs != INVALID_FILE_ATTRIBUTES) {
      if (attrs & FILE_ATTRIBUTE_DIRECTORY)
        err = ERROR_DIRECTORY;                  /* Linux: EISDIR */
      else if ((attrs & FILE_ATTRIBUTE_READONLY) &&   /* Linux asks the directory, not the file */
               SetFileAttributesW(w, attrs & ~FILE_ATTRIBUTE_READONLY))
        err = DeleteFileW(w) ? ERROR_SUCCESS : GetLastError();
    }
  }
  free(w);
  if (err == ERROR_DIRECTORY)
    return ipcx__fail(EISDIR);
  return err == ERROR_SUCCESS ? 0 : path_fail(err);
}

static time_t unix_time(FILETIME ft)
{
  ULARGE_INTEGER u;

  u.LowPart = ft.dwLowDateTime;
  u.HighPart = ft.dwHighDateTime;
  return (time_t)((long long)(u.QuadPart - 116444736000000000ULL) / 10000000LL);
}

static int has_suffix(const wchar_t *w, const wchar_t *ext)
{
  size_t n = wcslen(w), k = wcslen(ext);
  return n >= k && _wcsicmp(w + n - k, ext) == 0;
}

/*
 * stat() by exact path, filled as the C runtime fills it (its own stat()
 * cannot take a "\\?\" path: msvcrt under Wine calls such a directory a
 * regular file): user bits copied to group and other, read always, write
 * unless read-only, execute for directories and .exe/.com/.bat/.cmd,
 * st_dev the drive number, one link.
 */
int ipcx_stat(const char *path, struct stat *st)
{
  WIN32_FILE_ATTRIBUTE_DATA a;
  unsigned short mode;
  wchar_t *w;

  if (path == NULL || st == NULL)
    return ipcx__fail(EFAULT);
  if ((w = ipcx__path_exact(path)) == NULL)
    return path_fail(GetLastError());
  if (!GetFileAttributesExW(w, GetFileExInfoStandard, &a)) {
    DWORD err = GetLastError();
    free(w);
    return path_fail(err);
  }
  memset(st, 0, sizeof *st);
  mode = _S_IREAD;
  if (!(a.dwFileAttributes & FILE_ATTRIBUTE_READONLY))
    mode |= _S_IWRITE;
  if (a.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
    mode |= _S_IFDIR | _S_IEXEC;
  else
    mode |= _S_IFREG | (has_suffix(w, L".exe") || has_suffix(w, L".com") ||
                        has_suffix(w, L".bat") || has_suffix(w, L".cmd") ? _S_IEXEC : 0);
  mode |= (unsigned short)((mode & 0700) >> 3 | (mode & 0700) >> 6);
  st->st_mode = mode;
  st->st_nlink = 1;
  if (w[4] != 0 && w[5] == L':')
    st->st_dev = st->st_rdev = (_dev_t)(towupper(w[4]) - L'A');
  st->st_size = (_off_t)a.nFileSizeLow;
  st->st_atime = unix_time(a.ftLastAccessTime);
  st->st_mtime = unix_time(a.ftLastWriteTime);
  st->st_ctime = unix_time(a.ftCreationTime);
  free(w);
  if (ipcx__fifo_stat(path, st) < 0)  /* a FIFO's marker file is S_IFIFO */
    return -1;
  return ipcx__unix_stat(path, st);   /* a socket's rendezvous file is S_IFSOCK (unix.c) */
}

int ipcx_mkdir(const char *path, mode_t mode)
{
  wchar_t *w;
  BOOL ok;
  DWORD err;

  (void)mode;                           /* Windows directories have no mode to set */
  if (path == NULL)
    return ipcx__fail(EFAULT);
  if ((w = ipcx__path_exact(path)) == NULL)
    return path_fail(GetLastError());
  ok = CreateDirectoryW(w, NULL);
  err = GetLastError();
  free(w);
  return ok ? 0 : path_fail(err);
}

int ipcx_rmdir(const char *path)
{
  wchar_t *w;
  DWORD attrs, err = ERROR_SUCCESS;

  if (path == NULL)
    return ipcx__fail(EFAULT);
  if ((w = ipcx__path_exact(path)) == NULL)
    return path_fail(GetLastError());
  attrs = GetFileAttributesW(w);
  if (attrs != INVALID_FILE_ATTRIBUTES && !(attrs & FILE_ATTRIBUTE_DIRECTORY))
    err = ERROR_DIRECTORY;
  else if (!RemoveDirectoryW(w))
    err = GetLastError();
  free(w);
  return err == ERROR_SUCCESS ? 0 : path_fail(err);
}

/*
 * chdir(): the current directory, which relative paths here and the C
 * runtime's start from.  Without "\\?\" when the short form means the same
 * (under 260 characters, no name ending in '.' or ' '), so getcwd() reads as
 * before; with it otherwise (Wine takes it; Windows needs long paths enabled
 * past 260 characters).
 */
int ipcx_chdir(const char *path)
{
  wchar_t *w, *p;
  DWORD attrs, err = ERROR_SUCCESS;
  int plain;

  if (path == NULL)
    return ipcx__fail(EFAULT);
  if ((w = ipcx__path_exact(path)) == NULL)
    return path_fail(GetLastError());
  attrs = GetFileAttributesW(w);
  if (attrs == INVALID_FILE_ATTRIBUTES)
    err = GetLastError();
  else if (!(attrs & FILE_ATTRIBUTE_DIRECTORY))
    err = ERROR_DIRECTORY;
  if (err == ERROR_SUCCESS) {
    plain = wcsncmp(w, L"\\\\?\\", 4) == 0 && w[5] == L':' && wcslen(w + 4) < MAX_PATH - 1;
    for (p = w + 4; plain && *p; p++)
      if ((*p == L'.' || *p == L' ') && (p[1] == L'\\' || p[1] == 0))
        plain = 0;
    if (!SetCurrentDirectoryW(plain ? w + 4 : w))
      err = GetLastError();
  }
  free(w);
  return err == ERROR_SUCCESS ? 0 : path_fail(err);
}

const char *ipcx_version(void)
{
  return "0.1.0";
}
