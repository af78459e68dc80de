/* Drop-in <unistd.h> for MinGW: the MinGW header, then ipcx's renames (ipcx_compat.h). */
#include_next <unistd.h>
#ifndef IPCX_COMPAT_UNISTD_H
#define IPCX_COMPAT_UNISTD_H
#include <ipcx_compat.h>
#endif
