/* Drop-in <limits.h> for MinGW: Linux's PIPE_BUF (atomic pipe writes) and IOV_MAX. */
#pragma GCC system_header
#include_next <limits.h>
#ifndef IPCX_COMPAT_LIMITS_H
#define IPCX_COMPAT_LIMITS_H
#undef PIPE_BUF
#define PIPE_BUF 4096
#ifndef IOV_MAX
# define IOV_MAX 1024
#endif
#endif
