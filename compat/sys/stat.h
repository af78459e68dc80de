/* Drop-in <sys/stat.h> for MinGW: the MinGW header, then ipcx's renames (ipcx_compat.h). */
#include_next <sys/stat.h>
#ifndef IPCX_COMPAT_SYS_STAT_H
#define IPCX_COMPAT_SYS_STAT_H
#include <ipcx_compat.h>
#endif
