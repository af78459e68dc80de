/* Drop-in <fcntl.h> for MinGW: the MinGW header, then ipcx's renames (ipcx_compat.h). */
#include_next <fcntl.h>
#ifndef IPCX_COMPAT_FCNTL_H
#define IPCX_COMPAT_FCNTL_H
#include <ipcx_compat.h>
#endif
