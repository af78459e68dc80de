/*
 * Drop-in <signal.h> for MinGW: the signal numbers Windows lacks, and a
 * signal() that accepts them (it does nothing for them: there is no SIGPIPE
 * on Windows, ipcx writes give EPIPE).  kill() is ipcx_kill (ipcx_compat.h).
 */
#include_next <signal.h>
#ifndef IPCX_COMPAT_SIGNAL_H
#define IPCX_COMPAT_SIGNAL_H
#ifndef SIGHUP
# define SIGHUP 1
#endif
#ifndef SIGQUIT
# define SIGQUIT 3
#endif
#ifndef SIGKILL
# define SIGKILL 9
#endif
#ifndef SIGUSR1
# define SIGUSR1 10
#endif
#ifndef SIGUSR2
# define SIGUSR2 12
#endif
#ifndef SIGPIPE
# define SIGPIPE 13
#endif
#ifndef SIGALRM
# define SIGALRM 14
#endif
#ifndef SIGCHLD
# define SIGCHLD 17
#endif
static __inline __p_sig_fn_t ipcx_compat_signal(int sig, __p_sig_fn_t fn)
{
  switch (sig) {
  case SIGINT: case SIGILL: case SIGFPE: case SIGSEGV: case SIGTERM: case SIGBREAK: case SIGABRT:
    return signal(sig, fn);
  default:
    return SIG_DFL;
  }
}
#define signal ipcx_compat_signal
#endif
