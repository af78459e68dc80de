/*
 * Drop-in <unistd.h> for MinGW: the MinGW header (which brings <io.h>, where
 * read, write and lseek are declared with the CRT's types), then ipcx's
 * renames.
 */
#pragma GCC system_header
#include_next <unistd.h>
#include <ipcx_compat.h>
#ifndef IPCX_COMPAT_UNISTD_H
#define IPCX_COMPAT_UNISTD_H
#define read ipcx_read
#define write ipcx_write
#define close ipcx_close
#define dup ipcx_dup
#define dup2 ipcx_dup2
#define pipe ipcx_pipe
#define pipe2 ipcx_pipe2
#define unlink ipcx_unlink
#undef lseek
#define lseek ipcx_lseek
#define isatty ipcx_isatty
#define getppid ipcx_getppid

/* Windows has no uids: these match what SO_PEERCRED reports, (uid_t)-1. */
#define getuid ipcx_getuid
#define geteuid ipcx_geteuid
#define getgid ipcx_getgid
#define getegid ipcx_getegid
#define chdir ipcx_chdir
#define rmdir ipcx_rmdir
#define dup3 ipcx_dup3
#define pread ipcx_pread
#define pwrite ipcx_pwrite
#define sysconf ipcx_sysconf
#define getdtablesize ipcx_getdtablesize
#define getpagesize ipcx_getpagesize
#define pause ipcx_pause
#define alarm ipcx_alarm
#define sleep ipcx_sleep
#define usleep ipcx_usleep
#define _SC_ARG_MAX IPCX_SC_ARG_MAX
#define _SC_CHILD_MAX IPCX_SC_CHILD_MAX
#define _SC_CLK_TCK IPCX_SC_CLK_TCK
#define _SC_OPEN_MAX IPCX_SC_OPEN_MAX
#define _SC_PAGESIZE IPCX_SC_PAGESIZE
#define _SC_PAGE_SIZE IPCX_SC_PAGESIZE
#define _SC_IOV_MAX IPCX_SC_IOV_MAX
#define _SC_NPROCESSORS_CONF IPCX_SC_NPROCESSORS_CONF
#define _SC_NPROCESSORS_ONLN IPCX_SC_NPROCESSORS_ONLN
#endif
