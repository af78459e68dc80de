/* Drop-in <sys/wait.h> for MinGW, which has none: waitpid() on ipcx children (W* macros in ipcx.h, Linux's encoding). */
#pragma GCC system_header
#include <ipcx_compat.h>
#ifndef IPCX_COMPAT_SYS_WAIT_H
#define IPCX_COMPAT_SYS_WAIT_H
#include <signal.h>
#define waitpid ipcx_waitpid
#endif
