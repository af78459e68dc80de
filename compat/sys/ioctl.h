/*
 * Drop-in <sys/ioctl.h> for MinGW, which has none: ioctl() on ipcx fds,
 * FIONREAD and FIONBIO with Winsock's values (_IOR('f', 127, u_long) and
 * _IOW('f', 126, u_long)).
 */
#pragma GCC system_header
#include <ipcx_compat.h>
#ifndef IPCX_COMPAT_SYS_IOCTL_H
#define IPCX_COMPAT_SYS_IOCTL_H
#undef FIONREAD
#undef FIONBIO
#define FIONREAD 0x4004667FL
#define FIONBIO 0x8004667EUL
#define ioctl ipcx_ioctl
#endif
