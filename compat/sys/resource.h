/*
 * Drop-in <sys/resource.h> for MinGW, which has none: getrlimit() and
 * setrlimit() (win32/resource.c).  RLIMIT_NOFILE is the real fd limit; the
 * other resources report RLIM_INFINITY and accept any valid request.
 */
#include <ipcx_compat.h>
#ifndef IPCX_COMPAT_SYS_RESOURCE_H
#define IPCX_COMPAT_SYS_RESOURCE_H
typedef ipcx_rlim_t rlim_t;
#define rlimit ipcx_rlimit
#define RLIM_INFINITY IPCX_RLIM_INFINITY
#define RLIMIT_CPU IPCX_RLIMIT_CPU
#define RLIMIT_FSIZE IPCX_RLIMIT_FSIZE
#define RLIMIT_DATA IPCX_RLIMIT_DATA
#define RLIMIT_STACK IPCX_RLIMIT_STACK
#define RLIMIT_CORE IPCX_RLIMIT_CORE
#define RLIMIT_NOFILE IPCX_RLIMIT_NOFILE
#define RLIMIT_AS IPCX_RLIMIT_AS
#define RLIMIT_NLIMITS IPCX_RLIMIT_NLIMITS
#define getrlimit ipcx_getrlimit
#define setrlimit ipcx_setrlimit
#endif
