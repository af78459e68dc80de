/*
 * process.c: waitpid() and kill() for children made by posix_spawn(); getppid().
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
 * WEXITSTATUS n & 0xff.  A child ended by kill() is WIFSIGNALED with that
 * signal: kill() ends it with TerminateProcess(128 + sig), the shell's
 * convention, and remembers it did.  A child that died of an unhandled
 * exception is WIFSIGNALED too: access violation -> SIGSEGV, illegal
 * instruction -> SIGILL, arithmetic -> SIGFPE, fail-fast (abort() in the
 * UCRT) -> SIGABRT, Ctrl-C -> SIGINT.
 *
 * kill(): signal 0 tests that the process exists; signals whose default
 * action is to ignore (SIGCHLD, SIGCONT, SIGURG, SIGWINCH) do nothing; any
 * other signal ends the process (there is no way to deliver a signal to a
 * Windows process).  Stop signals and kill(0 or -1, ...) are ENOSYS.
 * Processes that are not our children can be ended too (OpenProcess):
 * ESRCH when there is no such process, EPERM when access is denied.
 */
#include "internal.h"

#include <stdlib.h>
#include <signal.h>

struct child {
  struct child *next;
  pid_t pid;
  pid_t pgid;
  HANDLE h;
  HANDLE wait;                  /* registered wait, or NULL */
  int refs;                     /* the list's and each waiting thread's */
  int listed;
  int killed;                   /* the signal kill() ended it with, or 0 */
};

static SRWLOCK lock = SRWLOCK_INIT;
static CONDITION_VARIABLE changed = CONDITION_VARIABLE_INIT;
static struct child *children;

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
  WakeAllConditionVariable(&changed);   /* a waitpid(-1) must watch it too */
  ReleaseSRWLockExclusive(&lock);
  return 0;
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
  WakeAllConditionVariable(&changed);   /* a waitpid(-1) may now have none */
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

static int status_of(const struct child *c)
{
  DWORD code = 0;
  int sig;

  GetExitCodeProcess(c->h, &code);
  if (c->killed != 0 && code == 128u + (unsigned)c->killed)
    return c->killed;
  sig = signal_of(code);
  if (sig != 0)
    return sig;
  return (int)((code & 0xff) << 8);
}

static void CALLBACK child_exited(void *arg, BOOLEAN timed_out)
{
  (void)arg, (void)timed_out;
  AcquireSRWLockExclusive(&lock);
  WakeAllConditionVariable(&changed);
  ReleaseSRWLockExclusive(&lock);
}

pid_t ipcx_waitpid(pid_t pid, int *status, int options)
{
  struct child *c, *found, *gone = NULL;
  pid_t r;
  int n;

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
      ipcx__wait1(c->h, INFINITE, 0);
      AcquireSRWLockExclusive(&lock);
      gone = unref(c);
      if (gone != NULL)
        break;                  /* reaped by another thread meanwhile */
      continue;
    }
    for (c = children; c != NULL; c = c->next)
      if (matches(c, pid) && c->wait == NULL &&
          !RegisterWaitForSingleObject(&c->wait, c->h, child_exited, NULL, INFINITE,
                                       WT_EXECUTEONLYONCE))
        c->wait = NULL;
    SleepConditionVariableSRW(&changed, &lock, INFINITE, 0);
  }
  if (found == NULL) {
    ReleaseSRWLockExclusive(&lock);
    child_free(gone);
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

static int end_process(HANDLE h, int sig)
{
  if (TerminateProcess(h, 128u + (unsigned)sig))
    return 1;
  /* Already gone (a zombie still "exists" for kill()). */
  if (ipcx__wait1(h, 0, 0) == WAIT_OBJECT_0)
    return 0;
  return -1;
}

static int kill_group(pid_t pgid, int sig)
{
  struct child *c;
  int n = 0;

  AcquireSRWLockExclusive(&lock);
  for (c = children; c != NULL; c = c->next)
    if (c->pgid == pgid) {
      n++;
      if (sig != 0 && end_process(c->h, sig) == 1)
        c->killed = sig;
    }
  ReleaseSRWLockExclusive(&lock);
  return n > 0 ? 0 : ipcx__fail(ESRCH);
}

static int kill_other(pid_t pid, int sig)
{
  HANDLE h = OpenProcess(PROCESS_TERMINATE | SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION,
                         FALSE, (DWORD)pid);
  int r = 0;

  if (h == NULL)
    return ipcx__fail(GetLastError() == ERROR_ACCESS_DENIED ? EPERM : ESRCH);
  if (ipcx__wait1(h, 0, 0) == WAIT_OBJECT_0)
    r = ipcx__fail(ESRCH);     /* not our child: no zombie to see */
  else if (sig != 0 && end_process(h, sig) < 0)
    r = ipcx__fail(EPERM);
  CloseHandle(h);
  return r;
}

int ipcx_kill(pid_t pid, int sig)
{
  struct child *c;
  int r = 0;

  if (sig < 0 || sig > 64)
    return ipcx__fail(EINVAL);
  if (sig == 19 || sig == 20)   /* SIGSTOP, SIGTSTP: no stopped processes here */
    return ipcx__fail(ENOSYS);
  if (sig == 17 || sig == 18 || sig == 23 || sig == 28)
    sig = 0;                    /* SIGCHLD, SIGCONT, SIGURG, SIGWINCH: ignored by default */
  if (pid == 0 && sig == 0)
    return 0;                   /* our own process group exists */
  if (pid == 0 || pid == -1)
    return ipcx__fail(ENOSYS);
  if (pid < 0)
    return kill_group(-pid, sig);
  AcquireSRWLockExclusive(&lock);
  for (c = children; c != NULL && c->pid != pid; c = c->next)
    ;
  if (c != NULL) {
    if (sig != 0) {
      int e = end_process(c->h, sig);
      if (e == 1)
        c->killed = sig;
      else if (e < 0)
        r = ipcx__fail(EPERM);
    }
    ReleaseSRWLockExclusive(&lock);
    return r;
  }
  ReleaseSRWLockExclusive(&lock);
  return kill_other(pid, sig);
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
