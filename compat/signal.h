/*
 * Drop-in <signal.h> for MinGW: the MinGW header, then Linux's signal numbers,
 * siginfo_t, struct sigaction and the signal calls, all served by libipcx
 * (win32/signal.c; docs/signals.md).  kill() is ipcx_kill (ipcx_compat.h).
 */
#pragma GCC system_header
#include_next <signal.h>
#include <sys/types.h>
#include <ipcx_compat.h>
#ifndef IPCX_COMPAT_SIGNAL_H
#define IPCX_COMPAT_SIGNAL_H
#define kill ipcx_kill

#ifndef _POSIX
typedef _sigset_t sigset_t;     /* MinGW defines it only under _POSIX */
#endif
/* winpthreads' pthread_sigmask is a macro that does nothing (pthread_signal.h,
 * which MinGW's <signal.h> has just included). */
#undef pthread_sigmask
#define pthread_sigmask ipcx_pthread_sigmask
#define sigaction ipcx_sigaction
#define siginfo_t ipcx_siginfo_t
#define sigval ipcx_sigval
#define sighandler_t ipcx_sighandler_t
#define signal ipcx_signal
#define raise ipcx_raise
#define sigemptyset ipcx_sigemptyset
#define sigfillset ipcx_sigfillset
#define sigaddset ipcx_sigaddset
#define sigdelset ipcx_sigdelset
#define sigismember ipcx_sigismember
#define sigprocmask ipcx_sigprocmask
#define sigpending ipcx_sigpending
#define sigsuspend ipcx_sigsuspend
#define sigwait ipcx_sigwait
#define sigtimedwait ipcx_sigtimedwait
#define sigwaitinfo ipcx_sigwaitinfo
#define psignal ipcx_psignal
#endif
