/*
 * Drop-in <sys/mman.h> for MinGW, which has none: mmap and its family, and
 * shm_open/shm_unlink, renamed to libipcx's (docs/shm.md).  It declares only
 * what POSIX declares: no <windows.h>.
 */
#ifndef IPCX_COMPAT_SYS_MMAN_H
#define IPCX_COMPAT_SYS_MMAN_H
#pragma GCC system_header
#include <sys/types.h>
#include <ipcx.h>

#define mmap ipcx_mmap
#define munmap ipcx_munmap
#define mprotect ipcx_mprotect
#define msync ipcx_msync
#define madvise ipcx_madvise
#define posix_madvise ipcx_posix_madvise
#define shm_open ipcx_shm_open
#define shm_unlink ipcx_shm_unlink

#endif
