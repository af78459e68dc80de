/* Drop-in <sys/uio.h> for MinGW, which has none: readv/writev on ipcx fds (struct iovec is ipcx.h's). */
#pragma GCC system_header
#include <ipcx_compat.h>
#ifndef IPCX_COMPAT_SYS_UIO_H
#define IPCX_COMPAT_SYS_UIO_H
#define readv ipcx_readv
#define writev ipcx_writev
#endif
