/*
 * Drop-in <sys/stat.h> for MinGW: the MinGW header (and <direct.h>, the
 * other one that declares mkdir), then ipcx's renames.  stat and fstat are
 * function-like so that `struct stat` keeps its name.
 */
#pragma GCC system_header
#include_next <sys/stat.h>
#include <direct.h>
#include <ipcx_compat.h>
#ifndef IPCX_COMPAT_SYS_STAT_H
#define IPCX_COMPAT_SYS_STAT_H
/* mkdir() takes a mode in POSIX; Windows directories have none to set. */
static __inline int ipcx_compat_mkdir(const char *path, mode_t mode)
{
  return ipcx_mkdir(path, mode);        /* by exact path (win32/file.c) */
}
#define mkdir(path, mode) ipcx_compat_mkdir(path, mode)
#define mkfifo ipcx_mkfifo
#define stat(path, st) ipcx_stat(path, st)
#define fstat(fd, st) ipcx_fstat(fd, st)
#endif
