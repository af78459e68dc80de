/*
 * path.c: exact paths.  Every file ipcx creates or opens by a POSIX path
 * (open, stat, unlink, mkdir, chdir, a socket's rendezvous file, a FIFO's
 * marker) goes through ipcx__path_exact(), so a name means what it means on
 * Linux.
 *
 * Win32's ordinary path parsing rewrites names: it strips trailing dots and
 * spaces ("t." and "t" are one file, "t.." reaches it too), turns device
 * names into devices in any directory ("CON", "NUL", "aux.sock"), and stops
 * at 260 characters (MAX_PATH).  The "\\?\" form turns all of that off: the
 * name after it goes to the file system as it is.  It must be absolute and
 * use '\', and "." and ".." are not resolved, so ipcx__path_exact() does
 * what the parser would have done and nothing else:
 *
 *   UTF-8 -> UTF-16 (the ANSI code page if the bytes are not UTF-8),
 *   relative -> absolute against the process's current directory (the one
 *   the C runtime uses; "/x" is on the current drive, "C:x" in C:'s current
 *   directory), '/' -> '\', "" and "." components dropped, ".." removes the
 *   one before (never the drive or the \\server\share), "\\?\" in front
 *   (UNC: "\\?\UNC\server\share\...").
 *
 * A path that already starts with "\\?\" or "\\.\" is used as given.
 * Letter case stays the volume's business: NTFS is case-insensitive unless a
 * directory is marked otherwise (README, differences).  ".." is resolved by
 * name, where Linux follows the directory the name leads to (they differ
 * only through symbolic links, and Linux also fails "missing/.." where this
 * does not).
 *
 * The ipcx__path_* wrappers take the arguments of the Win32 "A" calls they
 * replace, so a call site changes only the name; on a path that cannot be
 * converted they fail with GetLastError() ERROR_NOT_ENOUGH_MEMORY,
 * ERROR_FILENAME_EXCED_RANGE (over 32,767 characters) or ERROR_PATH_NOT_FOUND
 * (the empty path).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define EXACT_MAX 32767

static int is_sep(wchar_t c)
{
  return c == L'\\' || c == L'/';
}

static wchar_t *widen(const char *s)
{
  UINT cp = CP_UTF8;
  int n = MultiByteToWideChar(cp, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
  wchar_t *w;

  if (n <= 0) {
    cp = CP_ACP;
    n = MultiByteToWideChar(cp, 0, s, -1, NULL, 0);
  }
  if (n <= 0 || (w = malloc((size_t)n * sizeof *w)) == NULL)
    return NULL;
  MultiByteToWideChar(cp, cp == CP_UTF8 ? MB_ERR_INVALID_CHARS : 0, s, -1, w, n);
  return w;
}

/* The current directory (GetCurrentDirectoryW: no 260 limit), malloc'd. */
static wchar_t *current_dir(void)
{
  DWORD n = GetCurrentDirectoryW(0, NULL), m;
  wchar_t *w;

  for (;;) {
    if (n == 0 || (w = malloc((size_t)n * sizeof *w)) == NULL)
      return NULL;
    m = GetCurrentDirectoryW(n, w);
    if (m > 0 && m < n)
      return w;
    free(w);
    if (m == 0)
      return NULL;
    n = m;
  }
}

/* The current directory of drive d ("C:x" is relative to it), malloc'd. */
static wchar_t *drive_dir(wchar_t d)
{
  wchar_t drive[3] = { d, L':', 0 }, *w;
  DWORD n = GetFullPathNameW(drive, 0, NULL, NULL);

  if (n == 0 || (w = malloc((size_t)n * sizeof *w)) == NULL)
    return NULL;
  if (GetFullPathNameW(drive, n, w, NULL) == 0) {
    free(w);
    return NULL;
  }
  return w;
}

static int has_drive(const wchar_t *p)
{
  return ((p[0] >= L'A' && p[0] <= L'Z') || (p[0] >= L'a' && p[0] <= L'z')) && p[1] == L':';
}

/* base and rel joined with '\' (rel may be empty), malloc'd. */
static wchar_t *join(const wchar_t *base, const wchar_t *rel)
{
  size_t a = wcslen(base), b = wcslen(rel);
  wchar_t *w = malloc((a + b + 2) * sizeof *w);

  if (w == NULL)
    return NULL;
  memcpy(w, base, a * sizeof *w);
  w[a] = L'\\';
  memcpy(w + a + 1, rel, (b + 1) * sizeof *w);
  return w;
}

/* The absolute form of w (consumed), still with '/', '.' and '..'. */
static wchar_t *absolute(wchar_t *w)
{
  wchar_t *base, *r;

  if ((is_sep(w[0]) && is_sep(w[1])) || (has_drive(w) && is_sep(w[2])))
    return w;                                   /* \\server\share\x, C:\x */
  if (has_drive(w)) {
    base = drive_dir(w[0]);                     /* C:x */
    r = base != NULL ? join(base, w + 2) : NULL;
  } else {
    base = current_dir();
    if (base != NULL && is_sep(w[0]) && has_drive(base))
      base[2] = 0;                              /* \x: the current drive's root */
    else if (base != NULL && is_sep(w[0]) && wcsncmp(base, L"\\\\?\\", 4) == 0 &&
             has_drive(base + 4))
      base[6] = 0;                              /* the same from "\\?\C:\..." */
    /* (under a UNC current directory, \x is taken from it whole) */
    r = base != NULL ? join(base, w + is_sep(w[0])) : NULL;
  }
  free(base);
  free(w);
  return r;
}

wchar_t *ipcx__path_exact(const char *path)
{
  wchar_t *w, *abs, *out, *root_end, *p, *o;
  size_t n, skip;

  if (path == NULL || *path == 0) {
    SetLastError(ERROR_PATH_NOT_FOUND);
    return NULL;
  }
  w = widen(path);
  if (w == NULL) {
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return NULL;
  }
  if (is_sep(w[0]) && is_sep(w[1]) && (w[2] == L'?' || w[2] == L'.') && is_sep(w[3]))
    return w;                                   /* \\?\... or \\.\...: as given */
  abs = absolute(w);
  if (abs == NULL) {
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return NULL;
  }
  n = wcslen(abs);
  out = malloc((n + 16) * sizeof *out);
  if (out == NULL) {
    free(abs);
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return NULL;
  }
  /* A current directory set in the long form ("\\?\C:\..." or
   * "\\?\UNC\server\...") makes a relative path long already. */
  p = abs;
  if (is_sep(p[0]) && is_sep(p[1]) && p[2] == L'?' && is_sep(p[3]))
    p += has_drive(p + 4) ? 4 : 6;              /* UNC: at "C\server", as at "\\server" */
  if (has_drive(p)) {
    wcscpy(out, L"\\\\?\\");
    out[4] = p[0];
    out[5] = L':';
    o = out + 6;
    p += 2;
  } else {
    /* \\server\share: both names stay, ".." never climbs above them. */
    wcscpy(out, L"\\\\?\\UNC");
    o = out + 7;
    p += 2;
    for (skip = 0; skip < 2 && *p; skip++) {
      *o++ = L'\\';
      while (*p && !is_sep(*p))
        *o++ = *p++;
      while (is_sep(*p))
        p++;
    }
  }
  root_end = o;
  while (*p) {
    wchar_t *start;
    size_t len;

    while (is_sep(*p))
      p++;
    start = p;
    while (*p && !is_sep(*p))
      p++;
    len = (size_t)(p - start);
    if (len == 0 || (len == 1 && start[0] == L'.'))
      continue;
    if (len == 2 && start[0] == L'.' && start[1] == L'.') {
      while (o > root_end && o[-1] != L'\\')
        o--;
      if (o > root_end)
        o--;                                    /* the '\' before it */
      continue;
    }
    *o++ = L'\\';
    memcpy(o, start, len * sizeof *o);
    o += len;
  }
  if (o == root_end)
    *o++ = L'\\';                               /* the root itself: "\\?\C:\" */
  *o = 0;
  free(abs);
  if (wcslen(out) > EXACT_MAX) {
    free(out);
    SetLastError(ERROR_FILENAME_EXCED_RANGE);
    return NULL;
  }
  return out;
}

HANDLE ipcx__path_create_file(const char *path, DWORD access, DWORD share, SECURITY_ATTRIBUTES *sa,
                              DWORD disposition, DWORD flags, HANDLE tmpl)
{
  wchar_t *w = ipcx__path_exact(path);
  HANDLE h;

  if (w == NULL)
    return INVALID_HANDLE_VALUE;
  h = CreateFileW(w, access, share, sa, disposition, flags, tmpl);
  free(w);
  return h;
}

DWORD ipcx__path_get_attributes(const char *path)
{
  wchar_t *w = ipcx__path_exact(path);
  DWORD a;

  if (w == NULL)
    return INVALID_FILE_ATTRIBUTES;
  a = GetFileAttributesW(w);
  free(w);
  return a;
}

BOOL ipcx__path_get_attributes_ex(const char *path, GET_FILEEX_INFO_LEVELS level, void *info)
{
  wchar_t *w = ipcx__path_exact(path);
  BOOL ok;

  if (w == NULL)
    return FALSE;
  ok = GetFileAttributesExW(w, level, info);
  free(w);
  return ok;
}

BOOL ipcx__path_delete_file(const char *path)
{
  wchar_t *w = ipcx__path_exact(path);
  BOOL ok;

  if (w == NULL)
    return FALSE;
  ok = DeleteFileW(w);
  free(w);
  return ok;
}

BOOL ipcx__path_move_file_ex(const char *from, const char *to, DWORD flags)
{
  wchar_t *a = ipcx__path_exact(from), *b = a != NULL ? ipcx__path_exact(to) : NULL;
  BOOL ok = a != NULL && b != NULL && MoveFileExW(a, b, flags);
  DWORD err = GetLastError();

  free(a);
  free(b);
  SetLastError(err);
  return ok;
}
