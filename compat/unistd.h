/* Drop-in <unistd.h> for MinGW: the MinGW header, then ipcx's renames (ipcx_compat.h). */
#include_next <unistd.h>
#ifndef IPCX_COMPAT_UNISTD_H
#define IPCX_COMPAT_UNISTD_H
#include <ipcx_compat.h>
#define chdir ipcx_chdir
#define rmdir ipcx_rmdir
#define dup3 ipcx_dup3
#define pread ipcx_pread
#define pwrite ipcx_pwrite
#define sysconf ipcx_sysconf
#define getdtablesize ipcx_getdtablesize
#define getpagesize ipcx_getpagesize
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
