/* Drop-in <fcntl.h> for MinGW: the MinGW header, then ipcx's renames (O_* and F_* in ipcx.h). */
#pragma GCC system_header
#include_next <fcntl.h>
#include <ipcx_compat.h>
#ifndef IPCX_COMPAT_FCNTL_H
#define IPCX_COMPAT_FCNTL_H
#define open ipcx_open
#define fcntl ipcx_fcntl
#endif
