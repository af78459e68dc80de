/*
 * process.c: waitpid() and kill() for children made by posix_spawn(); getppid(),
 * getuid() and friends.
 *
 * A child is its process handle, kept in a list from posix_spawn until
 * waitpid() reaps it (the handle keeps the exit code: a zombie).  The pid is
 * the real process id (GetProcessId), the number getpid() gives the child.
 * Only children spawned through ipcx are known: waitpid() for anything else
 * is ECHILD.
 *
 *   waitpid(pid)      waits on that child's handle.
 *   waitpid(-1 / 0 / -pgid)  waits for any matching child: each one gets a
 *                     thread-pool wait (RegisterWaitForSingleObject, made
 *                     only when such a waitpid has to block) that wakes the
 *                     condition variable `changed`; so does a new child and
 *                     a reaped one.  No 64-handle limit, no polling.
 *
 * Status, encoded as Linux does (ipcx.h macros): exit(n) is WIFEXITED with
 * WEXITSTATUS n & 0xff.  A process ended by a signal (its own default action,
 * or kill() from outside) has the exit code IPCX__EXIT_SIGNALED(sig): it is
 * WIFSIGNALED with that signal, whoever sent it.  A child that died of an
 * unhandled exception is WIFSIGNALED too: access violation -> SIGSEGV,
 * illegal instruction -> SIGILL, arithmetic -> SIGFPE, fail-fast (abort() in
 * the UCRT) -> SIGABRT, Ctrl-C -> SIGINT.
 *
 * SIGCHLD: once signals are on (signal.c), every child has a thread-pool wait
 * on its handle; when it ends, SIGCHLD is queued (CLD_EXITED or CLD_KILLED,
 * si_pid, si_status).  The same wait wakes waitpid(-1).
 *
 * system() and pclose(): the C runtime's return the command's exit code
 * (cmd.exe passes its command's on); POSIX's return a wait status.  Both
 * are the CRT's calls with the exit code encoded as waitpid() encodes it,
 * so WEXITSTATUS(system("prog")) is prog's exit status and a command ended
 * by a signal is WIFSIGNALED.
 *
 * kill() finds the targets (one pid, the children of a group, this process)
 * and hands each to ipcx__signal_send (signal.c), which delivers or applies
 * the default action from outside.  Blocking waitpid() is interruptible
 * (EINTR, or restarted with SA_RESTART).
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>

struct child {
  struct child *next;
  pid_t pid;
  pid_t pgid;
  HANDLE h;
  HANDLE wait;                  /* registered wait, or NULL */
  int refs;                     /* the list's and each waiting thread's */
  int listed;
  int chld_sent;                /* SIGCHLD queued (or not owed) */
};

/* A thread blocked in waitpid() for any of several children. */
struct waiter {
  struct waiter *next;
  HANDLE ev;
};

static SRWLOCK lock = SRWLOCK_INIT;
static struct child *children;
static struct waiter *waiters;

/* Something changed (a child ended, came or went): wake every waitpid(-1). */
static void wake_all(void)
{
  struct waiter *w;

  for (w = waiters; w != NULL; w = w->next)
    SetEvent(w->ev);
}

/* Drop a reference; called with the lock held.  Returns what to free. */
static struct child *unref(struct child *c)
{
  return --c->refs == 0 ? c : NULL;
}

/* Free a child that nobody references any more (lock not held). */
static void child_free(struct child *c)
{
  if (c == NULL)
    return;
  if (c->wait != NULL)
    UnregisterWaitEx(c->wait, INVALID_HANDLE_VALUE);   /* waits for the callback */
  CloseHandle(c->h);
  free(c);
}

static void watch(struct child *c);

int ipcx__process_add(HANDLE h, pid_t pid, pid_t pgid)
{
  struct child *c = calloc(1, sizeof *c);

  if (c == NULL)
    return ENOMEM;
  c->pid = pid;
  c->pgid = pgid != 0 ? pgid : (pid_t)GetCurrentProcessId();
  c->h = h;
  c->refs = 1;
  c->listed = 1;
  AcquireSRWLockExclusive(&lock);
  c->next = children;
  children = c;
  if (ipcx__signal_active())
    watch(c);
  wake_all();                   /* a waitpid(-1) must watch it too */
  ReleaseSRWLockExclusive(&lock);
  return 0;
}

void ipcx__process_watch_all(void)
{
  struct child *c;

  AcquireSRWLockExclusive(&lock);
  for (c = children; c != NULL; c = c->next) {
    if (ipcx__wait1(c->h, 0, 0) == WAIT_OBJECT_0)
      c->chld_sent = 1;         /* ended while nobody listened: no SIGCHLD */
    watch(c);
  }
  ReleaseSRWLockExclusive(&lock);
}

static int matches(const struct child *c, pid_t pid)
{
  if (pid > 0)
    return c->pid == pid;
  if (pid == -1)
    return 1;
  if (pid == 0)
    return c->pgid == (pid_t)GetCurrentProcessId();
  return c->pgid == -pid;
}

/* Take c off the list; called with the lock held. */
static struct child *unlist(struct child *c)
{
  struct child **pp;

  for (pp = &children; *pp != NULL; pp = &(*pp)->next)
    if (*pp == c) {
      *pp = c->next;
      break;
    }
  c->listed = 0;
  wake_all();                   /* a waitpid(-1) may now have none */
  return unref(c);
}

static int signal_of(DWORD code)
{
  switch (code) {
  case 0xC0000005:              /* STATUS_ACCESS_VIOLATION */
  case 0xC0000006:              /* STATUS_IN_PAGE_ERROR */
  case 0xC00000FD:              /* STATUS_STACK_OVERFLOW */
  case 0xC000008C:              /* STATUS_ARRAY_BOUNDS_EXCEEDED */
    return SIGSEGV;
  case 0xC000001D:              /* STATUS_ILLEGAL_INSTRUCTION */
  case 0xC0000096:              /* STATUS_PRIVILEGED_INSTRUCTION */
    return SIGILL;
  case 0xC000008D: case 0xC000008E: case 0xC000008F: case 0xC0000090:
  case 0xC0000091: case 0xC0000092: case 0xC0000093: /* STATUS_FLOAT_* */
  case 0xC0000094:              /* STATUS_INTEGER_DIVIDE_BY_ZERO */
  case 0xC0000095:              /* STATUS_INTEGER_OVERFLOW */
    return SIGFPE;
  case 0xC0000409:              /* STATUS_STACK_BUFFER_OVERRUN: __fastfail, UCRT abort() */
    return SIGABRT;
  case 0xC000013A:              /* STATUS_CONTROL_C_EXIT */
    return SIGINT;
  default:
    return 0;
  }
}

/* A wait status, as Linux encodes it, from a Windows exit code. */
static int status_of_code(DWORD code)
{
  int sig = IPCX__EXIT_SIGNAL_OF(code);

  if (sig == 0)
    sig = signal_of(code);
  if (sig != 0)
    return sig;
  return (int)((code & 0xff) << 8);
}

static int status_of(const struct child *c)
{
  DWORD code = 0;

  GetExitCodeProcess(c->h, &code);
  return status_of_code(code);
}

static void CALLBACK child_exited(void *arg, BOOLEAN timed_out)
{
  struct child *c = arg;        /* alive: child_free waits for this callback */
  ipcx_siginfo_t si;
  int send, status;

  (void)timed_out;
  AcquireSRWLockExclusive(&lock);
  wake_all();
  send = ipcx__signal_active() && !c->chld_sent;
  c->chld_sent = 1;
  ReleaseSRWLockExclusive(&lock);
  if (!send)
    return;
  status = status_of(c);
  memset(&si, 0, sizeof si);
  si.si_signo = SIGCHLD;
  si.si_pid = c->pid;
  si.si_uid = (uid_t)-1;
  si.si_code = WIFSIGNALED(status) ? CLD_KILLED : CLD_EXITED;
  si.si_status = WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status);
  ipcx__signal_post(&si);
}

/* Give c a thread-pool wait on its handle (lock held). */
static void watch(struct child *c)
{
  if (c->wait == NULL &&
      !RegisterWaitForSingleObject(&c->wait, c->h, child_exited, c, INFINITE, WT_EXECUTEONLYONCE))
    c->wait = NULL;
}

pid_t ipcx_waitpid(pid_t pid, int *status, int options)
{
  struct child *c, *found, *gone = NULL;
  struct waiter me;
  pid_t r;
  int n, intr = 0;
  DWORD w;

  if (options & ~(WNOHANG | WUNTRACED | WCONTINUED))
    return ipcx__fail(EINVAL);
  AcquireSRWLockExclusive(&lock);
  for (;;) {
    found = NULL;
    n = 0;
    for (c = children; c != NULL; c = c->next) {
      if (!matches(c, pid))
        continue;
      n++;
      if (ipcx__wait1(c->h, 0, 0) == WAIT_OBJECT_0) {
        found = c;
        break;
      }
    }
    if (found != NULL || n == 0 || (options & WNOHANG))
      break;
    if (pid > 0) {
      /* One child: wait on its handle, without the lock. */
      c = children;
      while (!matches(c, pid))
        c = c->next;
      c->refs++;
      ReleaseSRWLockExclusive(&lock);
      w = ipcx__wait1(c->h, INFINITE, IPCX__WAIT_INTR);
      AcquireSRWLockExclusive(&lock);
      gone = unref(c);
      if (gone != NULL)
        break;                  /* reaped by another thread meanwhile */
    } else {
      /* Several: each has a thread-pool wait that wakes every waiter. */
      for (c = children; c != NULL; c = c->next)
        if (matches(c, pid))
          watch(c);
      me.ev = ipcx__thread_event();
      if (me.ev == NULL) {
        ReleaseSRWLockExclusive(&lock);
        return ipcx__fail(ENOMEM);
      }
      ResetEvent(me.ev);
      me.next = waiters;
      waiters = &me;
      ReleaseSRWLockExclusive(&lock);
      w = ipcx__wait1(me.ev, INFINITE, IPCX__WAIT_INTR);
      AcquireSRWLockExclusive(&lock);
      for (struct waiter **pp = &waiters; *pp != NULL; pp = &(*pp)->next)
        if (*pp == &me) {
          *pp = me.next;
          break;
        }
    }
    if (w == IPCX__WAIT_INTERRUPTED && !ipcx__wait_restart()) {
      intr = 1;
      break;
    }
  }
  if (found == NULL) {
    ReleaseSRWLockExclusive(&lock);
    child_free(gone);
    if (intr)
      return ipcx__fail(EINTR);
    if (n == 0 || gone != NULL)
      return ipcx__fail(ECHILD);
    return 0;                   /* WNOHANG, nothing yet */
  }
  if (status != NULL)
    *status = status_of(found);
  r = found->pid;
  gone = unlist(found);
  ReleaseSRWLockExclusive(&lock);
  child_free(gone);
  return r;
}

/* --- kill -------------------------------------------------------------- */

/* Signal every child of group pgid (0: any child; -1: any child without a
 * signal box, kill(-1) has reached the others); how many there were. */
static int kill_children(pid_t pgid, int sig)
{
  struct child *c;
  int n = 0;

  AcquireSRWLockExclusive(&lock);
  for (c = children; c != NULL; c = c->next)
    if (pgid <= 0 ? pgid == 0 || !ipcx__signal_has_box(c->pid) : c->pgid == pgid) {
      n++;
      ipcx__signal_send(c->pid, c->h, sig);
    }
  ReleaseSRWLockExclusive(&lock);
  return n;
}

/*
 * kill(pid > 0): that process; kill(0): this process's group (its children
 * that stayed in it, then itself: this process is taken as its group's
 * leader); kill(-1): every other process of this user linked with ipcx
 * that serves signals (it has a signal box, signal.c), and every child
 * (Linux: every process the caller may signal but itself and init);
 * kill(-pgid): the children in that group, and this process when pgid is
 * its own.
 */
int ipcx_kill(pid_t pid, int sig)
{
  pid_t self = (pid_t)GetCurrentProcessId();
  struct child *c;
  int r, n;

  if (sig < 0 || sig > 64)
    return ipcx__fail(EINVAL);
  if (pid == self)
    return ipcx__signal_self_kill(sig);
  if (pid > 0) {
    AcquireSRWLockExclusive(&lock);
    for (c = children; c != NULL && c->pid != pid; c = c->next)
      ;
    r = ipcx__signal_send(pid, c != NULL ? c->h : NULL, sig);
    ReleaseSRWLockExclusive(&lock);
    return r;
  }
  if (pid == -1) {
    /* Every other process with a signal box, then the children without one. */
    int err, boxes = ipcx__signal_send_all(sig, &err);
    n = kill_children(-1, sig);
    if (boxes + n == 0)
      return ipcx__fail(err != 0 ? err : ESRCH);
    return 0;
  }
  if (pid == 0)
    pid = -self;
  n = kill_children(-pid, sig);
  if (-pid == self)
    return ipcx__signal_self_kill(sig);
  return n > 0 ? 0 : ipcx__fail(ESRCH);
}

/*
 * getppid(): the id of the process that created this one, from
 * NtQueryInformationProcess (ntdll, looked up once).  Windows keeps that id
 * after the parent has gone, where Linux would name the reaper; 1 if the
 * call is missing.
 */
typedef LONG(WINAPI *query_fn)(HANDLE, int, void *, ULONG, ULONG *);

pid_t ipcx_getppid(void)
{
  static query_fn query;
  struct {
    LONG_PTR exit_status;
    void *peb;
    ULONG_PTR affinity;
    LONG_PTR priority;
    ULONG_PTR pid;
    ULONG_PTR parent;
  } info;
  ULONG n;

  if (query == NULL)
    query = (query_fn)(void (*)(void))GetProcAddress(GetModuleHandleA("ntdll.dll"),
                                                     "NtQueryInformationProcess");
  if (query == NULL || query(GetCurrentProcess(), 0 /* ProcessBasicInformation */, &info,
                             sizeof info, &n) != 0)
    return 1;
  return (pid_t)info.parent;
}

/* Windows has no uids and gids (it has SIDs): -1, what SO_PEERCRED reports. */
uid_t ipcx_getuid(void)
{
  return (uid_t)-1;
}

uid_t ipcx_geteuid(void)
{
  return (uid_t)-1;
}

gid_t ipcx_getgid(void)
{
  return (gid_t)-1;
}

gid_t ipcx_getegid(void)
{
  return (gid_t)-1;
}

int ipcx_system(const char *cmd)
{
  int r;

  if (cmd == NULL)
    return system(NULL);        /* nonzero: a command processor exists */
  r = system(cmd);
  return r == -1 ? -1 : status_of_code((DWORD)r);
}

int ipcx_pclose(FILE *fp)
{
  int r;

  if (fp == NULL)
    return ipcx__fail(EINVAL);
  r = _pclose(fp);
  return r == -1 ? -1 : status_of_code((DWORD)r);
}
