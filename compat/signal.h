/*
 * Drop-in <signal.h> for MinGW: the signal numbers Windows lacks, and a
 * signal() that accepts them (it does nothing for them: there is no SIGPIPE
 * on Windows, ipcx writes give EPIPE).  kill() is ipcx_kill.
 */
#pragma GCC system_header
#include_next <signal.h>
#include <errno.h>
#include <stddef.h>
#include <sys/types.h>
#include <ipcx_compat.h>
#ifndef IPCX_COMPAT_SIGNAL_H
#define IPCX_COMPAT_SIGNAL_H
#define kill ipcx_kill
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

/*
 * sigaction() and the signal-set calls, for code that ignores SIGPIPE the
 * POSIX way.  A handler is installed with the CRT's signal() for the signals
 * it knows; for the others the call succeeds and does nothing.  Masks do not
 * exist on Windows: sigprocmask() accepts and ignores them.
 */
#ifndef SA_RESTART
# define SA_NOCLDSTOP 0x00000001
# define SA_SIGINFO 0x00000004
# define SA_RESTART 0x10000000
# define SA_NODEFER 0x40000000
# define SA_RESETHAND 0x80000000
#endif
#ifndef SIG_BLOCK
# define SIG_BLOCK 0
# define SIG_UNBLOCK 1
# define SIG_SETMASK 2
#endif
#ifndef _POSIX
typedef _sigset_t sigset_t;     /* MinGW defines it only under _POSIX */
#endif
#define sigaction ipcx_sigaction
struct ipcx_sigaction {
  __p_sig_fn_t sa_handler;
  sigset_t sa_mask;
  int sa_flags;
};
static __inline int ipcx_sigaction(int sig, const struct ipcx_sigaction *act, struct ipcx_sigaction *old)
{
  __p_sig_fn_t prev = SIG_DFL;

  if (sig <= 0 || sig >= 64) {
    errno = EINVAL;
    return -1;
  }
  if (act != NULL && (prev = ipcx_compat_signal(sig, act->sa_handler)) == SIG_ERR)
    return -1;
  if (old != NULL) {
    old->sa_handler = prev;
    old->sa_mask = 0;
    old->sa_flags = 0;
  }
  return 0;
}
static __inline int ipcx_sigemptyset(sigset_t *s) { *s = 0; return 0; }
static __inline int ipcx_sigfillset(sigset_t *s) { *s = (sigset_t)~(sigset_t)0; return 0; }
static __inline int ipcx_sigaddset(sigset_t *s, int sig)
{
  if (sig <= 0 || sig >= (int)(8 * sizeof *s)) { errno = EINVAL; return -1; }
  *s |= (sigset_t)1 << sig;
  return 0;
}
static __inline int ipcx_sigdelset(sigset_t *s, int sig)
{
  if (sig <= 0 || sig >= (int)(8 * sizeof *s)) { errno = EINVAL; return -1; }
  *s &= ~((sigset_t)1 << sig);
  return 0;
}
static __inline int ipcx_sigismember(const sigset_t *s, int sig)
{
  if (sig <= 0 || sig >= (int)(8 * sizeof *s)) { errno = EINVAL; return -1; }
  return (int)((*s >> sig) & 1);
}
static __inline int ipcx_sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
  (void)set;
  if (how < SIG_BLOCK || how > SIG_SETMASK) { errno = EINVAL; return -1; }
  if (old != NULL) *old = 0;
  return 0;
}
#define sigemptyset ipcx_sigemptyset
#define sigfillset ipcx_sigfillset
#define sigaddset ipcx_sigaddset
#define sigdelset ipcx_sigdelset
#define sigismember ipcx_sigismember
#define sigprocmask ipcx_sigprocmask
#endif
