/*
 * signal.c: POSIX signals between Windows processes linked with ipcx
 * (docs/signals.md has the whole story).
 *
 *   The box.  The first call of the signal API (sigaction, signal,
 *   sigprocmask, raise, pause, alarm, ...) switches signals on: it creates
 *   a named, owner-only page "Local\ipcx-sig-<pid>" (a pending mask, one word
 *   of sender pid per signal) and an auto-reset event "Local\ipcx-sigev-<pid>",
 *   and starts the signal thread, which waits on the event.  kill() in
 *   another ipcx process opens the page, claims the signal's sender word
 *   (only if it is free: the first sender of a pending signal is the one
 *   si_pid names), sets the bit and the event.  The signal thread swaps the
 *   mask to 0 and queues each signal; a bit whose sender word is already
 *   taken back is a duplicate of one just taken: dropped (standard signals
 *   coalesce while pending, as on Linux).
 *
 *   A process that never touched the signal API has no box: kill() then
 *   applies the default action from outside (TerminateProcess with the
 *   signal in the exit code, or nothing for SIGCHLD, SIGCONT, SIGURG,
 *   SIGWINCH), which is exactly what the process would have done itself.
 *   A process not linked with ipcx is treated the same way.
 *
 *   Where a handler runs.  On the signal thread, never on an interrupted
 *   thread (Cygwin rewrites thread contexts for that; it is the fragile
 *   part).  raise(), kill(getpid()) and a sigprocmask/sigsuspend that
 *   unblocks a pending signal run it on the calling thread before they
 *   return, as Linux does.  Then the thread the signal is "for" (the first
 *   thread, in the order threads met the signal API, that does not block
 *   it) is interrupted if it is blocked in an interruptible wait: its
 *   call returns EINTR, or goes on with SA_RESTART (wait.c).  The handler
 *   has finished before that thread wakes, so a flag it sets or a byte it
 *   writes to a self-pipe is there when the call returns.
 *
 *   Masks.  Each thread that met the signal API has a mask (a new one starts
 *   with the first such thread's mask: threads usually come from the main
 *   one).  A process-directed signal is delivered when some thread does not
 *   block it, else it stays pending; raise() is thread-directed.  sigwait()
 *   takes a pending signal in its set before any handler sees it.
 *
 *   Around that: ppoll/pselect swap in their mask and mark the thread as
 *   waiting under the lock (ipcx__signal_mask_enter), so nothing slips in
 *   before their wait; posix_spawn hands SIG_IGN and the mask to a child
 *   in IPCX_SIGSTATE, read by a constructor here before main(); kill(-1)
 *   opens the box of every process of the user (a Toolhelp snapshot).
 *
 *   abort() (compat/stdlib.h) and a failed assert() (compat/assert.h) are
 *   glibc's: SIGABRT raised here, then its default action whatever the
 *   handler did, so the process ends as WIFSIGNALED/SIGABRT.
 *
 *   Threads: the signal thread, for the process's life.  Handles: the page,
 *   the event, the thread, and one interrupt event per thread that waits
 *   interruptibly (closed when the thread ends).  Nothing per signal.
 */
#include "internal.h"

#include <tlhelp32.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>

#define NSIGS 64
#define BIT(sig) ((ipcx_sigset_t)1 << ((sig) - 1))
#define UNBLOCKABLE (BIT(SIGKILL) | BIT(SIGSTOP))
#define IGNORED_BY_DEFAULT (BIT(SIGCHLD) | BIT(SIGCONT) | BIT(SIGURG) | BIT(SIGWINCH))
#define STOP_BY_DEFAULT (BIT(SIGSTOP) | BIT(SIGTSTP))
/* The faults the C runtime raises itself: a handler is also given to it. */
#define CRT_SIGNALS (BIT(SIGSEGV) | BIT(SIGILL) | BIT(SIGFPE) | BIT(SIGABRT))

struct box {
  volatile LONG64 mask;         /* bit sig - 1: sent, not yet taken */
  volatile LONG sender[NSIGS];  /* the first sender's pid, 0 once taken */
};

struct ipcx__sigthread {
  struct ipcx__sigthread *next;
  DWORD tid;
  HANDLE intr;                  /* manual-reset: set to interrupt a wait */
  int waiting;                  /* in an interruptible wait (under lock) */
  int kicked;                   /* intr set for this wait */
  int restart;                  /* every handler of the kick had SA_RESTART */
  ipcx_sigset_t mask;           /* blocked */
  ipcx_sigset_t waitset;        /* sigwait()'s set while it waits */
  ipcx_sigset_t pending;        /* thread-directed (raise) */
  ipcx_siginfo_t info[NSIGS];
};

static SRWLOCK lock = SRWLOCK_INIT;
static struct ipcx_sigaction actions[NSIGS + 1];
static ipcx_sigset_t pending;   /* process-directed */
static ipcx_siginfo_t pinfo[NSIGS];
static struct ipcx__sigthread *threads;   /* in the order they met the API */
static struct ipcx__sigthread sigthr;     /* the signal thread's own state */
static volatile LONG active;
static INIT_ONCE once = INIT_ONCE_STATIC_INIT;
static DWORD fls = FLS_OUT_OF_INDEXES;
static struct box *box;
static HANDLE box_ev;           /* wakes the signal thread */
static HANDLE idle_ev;          /* manual-reset: set after each dispatch round */
static ipcx_sigset_t inherited_ign, inherited_mask;   /* from IPCX_SIGSTATE */

typedef LONG(WINAPI *nt_fn)(HANDLE);

static void box_name(char *buf, size_t size, const char *what, DWORD pid)
{
  snprintf(buf, size, "Local\\ipcx-%s-%lu", what, (unsigned long)pid);
}

/* --- threads ---------------------------------------------------------------- */

static void WINAPI thread_gone(void *p)
{
  struct ipcx__sigthread *t = p, **pp;

  if (t == NULL)
    return;
  AcquireSRWLockExclusive(&lock);
  for (pp = &threads; *pp != NULL; pp = &(*pp)->next)
    if (*pp == t) {
      *pp = t->next;
      break;
    }
  ReleaseSRWLockExclusive(&lock);
  CloseHandle(t->intr);
  free(t);
}

static struct ipcx__sigthread *find_thread(DWORD tid)
{
  struct ipcx__sigthread *t;

  for (t = threads; t != NULL && t->tid != tid; t = t->next)
    ;
  return t;
}

/* This thread's state, made and listed if missing (signals must be on). */
static struct ipcx__sigthread *self_make(void)
{
  struct ipcx__sigthread *t = FlsGetValue(fls), **pp;

  if (t != NULL)
    return t;
  if (GetCurrentThreadId() == sigthr.tid)
    return &sigthr;
  t = calloc(1, sizeof *t);
  if (t == NULL)
    return NULL;
  t->tid = GetCurrentThreadId();
  t->intr = CreateEventW(NULL, TRUE, FALSE, NULL);
  if (t->intr == NULL || !FlsSetValue(fls, t)) {
    if (t->intr != NULL)
      CloseHandle(t->intr);
    free(t);
    return NULL;
  }
  AcquireSRWLockExclusive(&lock);
  t->mask = threads != NULL ? threads->mask : inherited_mask;
  for (pp = &threads; *pp != NULL; pp = &(*pp)->next)
    ;
  *pp = t;
  ReleaseSRWLockExclusive(&lock);
  return t;
}

/* --- switching signals on ------------------------------------------------- */

static void take_box(void);
static int deliver(struct ipcx__sigthread *runner, int held);
static BOOL WINAPI console_ctrl(DWORD type);

static DWORD WINAPI signal_main(void *arg)
{
  (void)arg;
  for (;;) {
    ipcx__wait1(box_ev, INFINITE, 0);
    ResetEvent(idle_ev);
    take_box();
    deliver(&sigthr, 0);
    SetEvent(idle_ev);
  }
  return 0;
}

static BOOL CALLBACK start(INIT_ONCE *o, void *arg, void **ctx)
{
  DWORD pid = GetCurrentProcessId();
  char name[64];
  HANDLE map, t;
  int sig;

  (void)o, (void)arg, (void)ctx;
  fls = FlsAlloc(thread_gone);
  if (fls == FLS_OUT_OF_INDEXES)
    return FALSE;
  idle_ev = CreateEventW(NULL, TRUE, TRUE, NULL);
  box_name(name, sizeof name, "sigev", pid);
  box_ev = CreateEventA(ipcx__owner_only(), FALSE, FALSE, name);
  if (box_ev != NULL && GetLastError() == ERROR_ALREADY_EXISTS) {
    /* Someone made our name first: serve this process only, no box. */
    CloseHandle(box_ev);
    box_ev = CreateEventW(NULL, FALSE, FALSE, NULL);
  } else if (box_ev != NULL) {
    box_name(name, sizeof name, "sig", pid);
    map = CreateFileMappingA(INVALID_HANDLE_VALUE, ipcx__owner_only(), PAGE_READWRITE, 0,
                             sizeof(struct box), name);
    if (map != NULL && GetLastError() != ERROR_ALREADY_EXISTS)
      box = MapViewOfFile(map, FILE_MAP_WRITE, 0, 0, sizeof(struct box));
    /* The view keeps the mapping; the handle keeps the name: both for life. */
    (void)map;
  }
  if (box_ev == NULL || idle_ev == NULL)
    return FALSE;
  /* What the parent ignored stays ignored: before any signal is taken. */
  for (sig = 1; sig <= NSIGS; sig++)
    if (inherited_ign & BIT(sig)) {
      actions[sig].sa_handler = SIG_IGN;
      if (CRT_SIGNALS & BIT(sig))
        signal(sig, SIG_IGN);
    }
  t = CreateThread(NULL, 256 * 1024, signal_main, NULL, STACK_SIZE_PARAM_IS_A_RESERVATION,
                   &sigthr.tid);
  if (t == NULL)
    return FALSE;
  CloseHandle(t);
  SetConsoleCtrlHandler(console_ctrl, TRUE);
  InterlockedExchange(&active, 1);
  return TRUE;
}

/* Switch signals on (once); this thread's state, or NULL with errno. */
static struct ipcx__sigthread *on(void)
{
  struct ipcx__sigthread *t;
  int was = active;

  if (!InitOnceExecuteOnce(&once, start, NULL, NULL)) {
    errno = ENOMEM;
    return NULL;
  }
  t = self_make();
  if (t == NULL)
    errno = ENOMEM;
  if (!was)
    ipcx__process_watch_all();
  return t;
}

int ipcx__signal_active(void)
{
  return active;
}

/* --- the interruptible wait (wait.c) -------------------------------------- */

struct ipcx__sigthread *ipcx__signal_self(void)
{
  struct ipcx__sigthread *t;

  if (!active)
    return NULL;
  t = self_make();
  return t == &sigthr ? NULL : t;   /* handlers are never interrupted */
}

HANDLE ipcx__signal_wait_begin(struct ipcx__sigthread *t)
{
  AcquireSRWLockExclusive(&lock);
  t->waiting = 1;
  ReleaseSRWLockExclusive(&lock);
  return t->intr;
}

int ipcx__signal_wait_end(struct ipcx__sigthread *t)
{
  int kicked;

  AcquireSRWLockExclusive(&lock);
  t->waiting = 0;
  kicked = t->kicked;
  t->kicked = 0;
  if (kicked)
    ResetEvent(t->intr);
  ReleaseSRWLockExclusive(&lock);
  return kicked;
}

int ipcx__signal_restart(struct ipcx__sigthread *t)
{
  return t->restart;
}

/* Interrupt thread tid's wait, if it is in one (lock held). */
static void kick(DWORD tid, int restart)
{
  struct ipcx__sigthread *t = find_thread(tid);

  if (t == NULL || !t->waiting)
    return;
  t->restart = t->kicked ? t->restart && restart : restart;
  if (!t->kicked) {
    t->kicked = 1;
    SetEvent(t->intr);
  }
}

/* --- queueing and delivery ------------------------------------------------- */

static void post_locked(struct ipcx__sigthread *to, const ipcx_siginfo_t *si)
{
  ipcx_sigset_t *set = to != NULL ? &to->pending : &pending;
  ipcx_siginfo_t *info = to != NULL ? to->info : pinfo;
  int sig = si->si_signo;

  if (*set & BIT(sig))
    return;                     /* already pending: standard signals coalesce */
  *set |= BIT(sig);
  info[sig - 1] = *si;
}

void ipcx__signal_post(const ipcx_siginfo_t *si)
{
  if (!active || si->si_signo < 1 || si->si_signo > NSIGS)
    return;
  AcquireSRWLockExclusive(&lock);
  post_locked(NULL, si);
  ReleaseSRWLockExclusive(&lock);
  SetEvent(box_ev);
}

static void take_box(void)
{
  LONG64 m;
  ipcx_siginfo_t si;
  int sig;

  if (box == NULL)
    return;
  m = InterlockedExchange64(&box->mask, 0);
  for (sig = 1; m != 0 && sig <= NSIGS; sig++) {
    LONG from;
    if (!(m & (LONG64)BIT(sig)))
      continue;
    m &= ~(LONG64)BIT(sig);
    from = InterlockedExchange(&box->sender[sig - 1], 0);
    if (from == 0)
      continue;                 /* sent while the previous one was still pending */
    memset(&si, 0, sizeof si);
    si.si_signo = sig;
    si.si_code = SI_USER;
    si.si_pid = (pid_t)from;
    si.si_uid = (uid_t)-1;
    AcquireSRWLockExclusive(&lock);
    post_locked(NULL, &si);
    ReleaseSRWLockExclusive(&lock);
  }
}

static int is_ignored(int sig, const struct ipcx_sigaction *a)
{
  return a->sa_handler == SIG_IGN || (a->sa_handler == SIG_DFL && (IGNORED_BY_DEFAULT & BIT(sig)));
}

/* The first thread that does not block sig, or NULL (lock held). */
static struct ipcx__sigthread *taker(int sig)
{
  struct ipcx__sigthread *t;

  for (t = threads; t != NULL; t = t->next)
    if (!(t->mask & BIT(sig)))
      return t;
  return NULL;
}

/* A thread in sigwait() for sig, or NULL (lock held). */
static struct ipcx__sigthread *waiter(int sig)
{
  struct ipcx__sigthread *t;

  for (t = threads; t != NULL; t = t->next)
    if (t->waitset & BIT(sig))
      return t;
  return NULL;
}

static void stop_process(HANDLE h, int resume)
{
  static nt_fn suspend, cont;

  if (suspend == NULL) {
    HMODULE nt = GetModuleHandleA("ntdll.dll");
    cont = (nt_fn)(void (*)(void))GetProcAddress(nt, "NtResumeProcess");
    suspend = (nt_fn)(void (*)(void))GetProcAddress(nt, "NtSuspendProcess");
  }
  if (resume ? cont != NULL : suspend != NULL)
    (resume ? cont : suspend)(h);
}

/*
 * Pick one signal runner may take now, with its action and the thread to
 * interrupt after it (lock held).  0 when there is none.
 */
static int pick(struct ipcx__sigthread *runner, struct ipcx_sigaction *act, ipcx_siginfo_t *si,
                DWORD *target)
{
  int sig;

  for (sig = 1; sig <= NSIGS; sig++) {
    ipcx_sigset_t b = BIT(sig);
    struct ipcx__sigthread *t;
    if (runner->mask & b)
      continue;
    if (runner->pending & b) {
      runner->pending &= ~b;
      *si = runner->info[sig - 1];
      *target = runner->tid;
    } else if (pending & b) {
      if ((t = waiter(sig)) != NULL) {
        kick(t->tid, 0);          /* sigwait() takes it */
        continue;
      }
      t = runner == &sigthr ? taker(sig) : runner;
      if (t == NULL)
        continue;                 /* blocked by every thread: stays pending */
      pending &= ~b;
      *si = pinfo[sig - 1];
      *target = t->tid;
    } else {
      continue;
    }
    *act = actions[sig];
    if ((act->sa_flags & SA_RESETHAND) && !is_ignored(sig, act) && act->sa_handler != SIG_DFL) {
      actions[sig].sa_handler = SIG_DFL;
      actions[sig].sa_flags &= ~SA_SIGINFO;
    }
    return sig;
  }
  return 0;
}

static void die(int sig)
{
  TerminateProcess(GetCurrentProcess(), IPCX__EXIT_SIGNALED(sig));
}

/*
 * Run every signal runner can take now; how many handlers ran.  held: the
 * caller holds the lock (it has just posted or unblocked: no other thread
 * may take the signal first).
 */
static int deliver(struct ipcx__sigthread *runner, int held)
{
  struct ipcx_sigaction act;
  ipcx_siginfo_t si;
  DWORD target;
  int sig, ran = 0;

  for (;;) {
    ipcx_sigset_t saved;
    if (!held)
      AcquireSRWLockExclusive(&lock);
    held = 0;
    sig = pick(runner, &act, &si, &target);
    if (sig == 0) {
      ReleaseSRWLockExclusive(&lock);
      return ran;
    }
    saved = runner->mask;
    runner->mask |= act.sa_mask | ((act.sa_flags & SA_NODEFER) ? 0 : BIT(sig));
    runner->mask &= ~UNBLOCKABLE;
    ReleaseSRWLockExclusive(&lock);
    if (act.sa_handler == SIG_DFL) {
      if (STOP_BY_DEFAULT & BIT(sig))
        stop_process(GetCurrentProcess(), 0);
      else if (!(IGNORED_BY_DEFAULT & BIT(sig)))
        die(sig);
    } else if (act.sa_handler != SIG_IGN) {
      if (act.sa_flags & SA_SIGINFO)
        act.sa_sigaction(sig, &si, NULL);
      else
        act.sa_handler(sig);
      ran++;
    }
    AcquireSRWLockExclusive(&lock);
    runner->mask = saved;
    if (act.sa_handler != SIG_DFL && act.sa_handler != SIG_IGN && target != runner->tid)
      kick(target, (act.sa_flags & SA_RESTART) != 0);
    ReleaseSRWLockExclusive(&lock);
  }
}

/* Deliver what this thread may take (lock held), and let the signal thread see the rest. */
static int deliver_here(struct ipcx__sigthread *t)
{
  int ran = deliver(t, 1);

  SetEvent(box_ev);
  return ran;
}

/* --- the console: Ctrl-C SIGINT, Ctrl-Break SIGQUIT, close SIGHUP ------------ */

static BOOL WINAPI console_ctrl(DWORD type)
{
  ipcx_siginfo_t si;

  memset(&si, 0, sizeof si);
  si.si_code = SI_KERNEL;
  si.si_signo = type == CTRL_C_EVENT ? SIGINT : type == CTRL_BREAK_EVENT ? SIGQUIT :
                type == CTRL_CLOSE_EVENT ? SIGHUP : SIGTERM;
  ResetEvent(idle_ev);
  ipcx__signal_post(&si);
  if (type == CTRL_CLOSE_EVENT || type == CTRL_LOGOFF_EVENT || type == CTRL_SHUTDOWN_EVENT)
    WaitForSingleObject(idle_ev, 4500);   /* Windows ends the process when we return */
  return TRUE;
}

/* --- kill() --------------------------------------------------------------- */

/* Post sig into process pid's box: 1 done, 0 no box, -1 errno. */
static int box_send(pid_t pid, int sig)
{
  char name[64];
  HANDLE map, ev;
  struct box *b;
  int r = 1;

  box_name(name, sizeof name, "sig", (DWORD)pid);
  map = OpenFileMappingA(FILE_MAP_WRITE, FALSE, name);
  if (map == NULL)
    return GetLastError() == ERROR_ACCESS_DENIED ? ipcx__fail(EPERM) : 0;
  if (sig != 0) {
    box_name(name, sizeof name, "sigev", (DWORD)pid);
    b = MapViewOfFile(map, FILE_MAP_WRITE, 0, 0, sizeof *b);
    ev = OpenEventA(EVENT_MODIFY_STATE, FALSE, name);
    if (b != NULL && ev != NULL) {
      InterlockedCompareExchange(&b->sender[sig - 1], (LONG)GetCurrentProcessId(), 0);
      InterlockedOr64(&b->mask, (LONG64)BIT(sig));
      SetEvent(ev);
    } else {
      r = ipcx__fail(EPERM);
    }
    if (b != NULL)
      UnmapViewOfFile(b);
    if (ev != NULL)
      CloseHandle(ev);
  }
  CloseHandle(map);
  return r;
}

int ipcx__signal_send(pid_t pid, HANDLE h, int sig)
{
  HANDLE mine = NULL;
  int r = 0, boxed = 0;

  if (sig != SIGKILL && sig != SIGSTOP) {
    boxed = box_send(pid, sig == SIGCONT ? 0 : sig);
    if (boxed < 0)
      return -1;
    if (boxed && sig != SIGCONT)
      return 0;
  }
  if (h == NULL) {
    mine = OpenProcess(PROCESS_TERMINATE | PROCESS_SUSPEND_RESUME | SYNCHRONIZE |
                       PROCESS_QUERY_LIMITED_INFORMATION, FALSE, (DWORD)pid);
    if (mine == NULL)
      return ipcx__fail(GetLastError() == ERROR_ACCESS_DENIED ? EPERM : ESRCH);
    h = mine;
    if (ipcx__wait1(h, 0, 0) == WAIT_OBJECT_0) {
      CloseHandle(mine);
      return ipcx__fail(ESRCH);   /* not our child: no zombie to see */
    }
  }
  if (sig == 0 || ipcx__wait1(h, 0, 0) == WAIT_OBJECT_0) {
    /* exists (a zombie too): nothing to do */
  } else if (sig == SIGSTOP || (sig == SIGTSTP && !boxed)) {
    stop_process(h, 0);
  } else if (sig == SIGCONT) {
    stop_process(h, 1);
    if (boxed)
      box_send(pid, SIGCONT);
  } else if (!(IGNORED_BY_DEFAULT & BIT(sig)) && !TerminateProcess(h, IPCX__EXIT_SIGNALED(sig)) &&
             ipcx__wait1(h, 0, 0) != WAIT_OBJECT_0) {
    r = ipcx__fail(EPERM);
  }
  if (mine != NULL)
    CloseHandle(mine);
  return r;
}

/*
 * A signal this process sends itself: kill(getpid()) is process-directed
 * (SI_USER), raise() is for the calling thread (SI_TKILL).  Either runs its
 * handler here before returning, unless blocked.
 */
static int send_self(int sig, int raised)
{
  struct ipcx__sigthread *t;
  ipcx_siginfo_t si;

  if (sig == SIGKILL)
    die(sig);
  if ((t = on()) == NULL)
    return -1;
  memset(&si, 0, sizeof si);
  si.si_signo = sig;
  si.si_code = raised ? SI_TKILL : SI_USER;
  si.si_pid = (pid_t)GetCurrentProcessId();
  si.si_uid = (uid_t)-1;
  AcquireSRWLockExclusive(&lock);
  post_locked(raised ? t : NULL, &si);
  deliver_here(t);
  return 0;
}

int ipcx__signal_self_kill(int sig)
{
  return sig == 0 ? 0 : send_self(sig, 0);
}

ssize_t ipcx__sigpipe(ssize_t r, int flags)
{
  /* Every write and send passes here: errno is looked at only on failure. */
  if (r >= 0 || errno != EPIPE || (flags & MSG_NOSIGNAL))
    return r;
  send_self(SIGPIPE, 1);        /* the default action ends the process, as on Linux */
  errno = EPIPE;
  return r;
}

int ipcx__signal_has_box(pid_t pid)
{
  return box_send(pid, 0) > 0;
}

/*
 * kill(-1, sig): every other process of this user that has a box (kill()
 * of a process without one, including every program not linked with ipcx,
 * is not attempted: only children get the default action from outside,
 * process.c).  How many boxes there were; the first error in *err.
 */
int ipcx__signal_send_all(int sig, int *err)
{
  PROCESSENTRY32W pe;
  HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
  DWORD self = GetCurrentProcessId();
  int n = 0, r, outside = sig == SIGKILL || sig == SIGSTOP || sig == SIGCONT;

  *err = 0;
  if (snap == INVALID_HANDLE_VALUE)
    return 0;
  pe.dwSize = sizeof pe;
  for (r = Process32FirstW(snap, &pe); r; r = Process32NextW(snap, &pe)) {
    if (pe.th32ProcessID == self || pe.th32ProcessID == 0)
      continue;
    r = box_send((pid_t)pe.th32ProcessID, outside ? 0 : sig);
    if (r == 0 || (r < 0 && errno == EPERM))
      continue;                 /* no box; another user's (Linux skips those too) */
    if (r > 0 && outside)
      r = ipcx__signal_send((pid_t)pe.th32ProcessID, NULL, sig);
    if (r < 0 && *err == 0)
      *err = errno;
    n += r >= 0;
  }
  CloseHandle(snap);
  return n;
}

/* --- ppoll, pselect: the call's mask for the length of the wait ------------- */

int ipcx__signal_mask_enter(const ipcx_sigset_t *mask, ipcx_sigset_t *saved)
{
  struct ipcx__sigthread *t = on();

  if (t == NULL)
    return -1;
  AcquireSRWLockExclusive(&lock);
  *saved = t->mask;
  if (t == &sigthr) {
    ReleaseSRWLockExclusive(&lock);
    return 0;                   /* in a handler: its waits are never interrupted */
  }
  t->mask = *mask & ~UNBLOCKABLE;
  /* From here a signal the new mask lets through kicks this thread, so the
   * wait that follows returns at once: no signal slips in between. */
  t->waiting = 1;
  if (deliver_here(t) > 0) {
    ipcx__signal_mask_leave(saved);
    return 1;
  }
  return 0;
}

void ipcx__signal_mask_leave(const ipcx_sigset_t *saved)
{
  struct ipcx__sigthread *t = self_make();

  if (t == NULL)
    return;
  AcquireSRWLockExclusive(&lock);
  t->waiting = 0;
  if (t->kicked)
    ResetEvent(t->intr);
  t->kicked = 0;
  ReleaseSRWLockExclusive(&lock);
  ipcx_pthread_sigmask(SIG_SETMASK, saved, NULL);   /* runs what it unblocks */
}

/* --- posix_spawn: what a child inherits, as across Linux's execve ----------- */

/*
 * The variable that carries the signal state to a child: ignored signals
 * stay ignored (handled ones go back to SIG_DFL, which a new process has
 * anyway), the mask is inherited; POSIX_SPAWN_SETSIGDEF and SETSIGMASK
 * change both.  Written to buf ("" when the child starts as any process
 * does: nothing ignored, nothing blocked).
 */
void ipcx__signal_spawn_env(const ipcx_posix_spawnattr_t *attr, char *buf, size_t size)
{
  ipcx_sigset_t ign = 0, mask = 0;
  int sig;

  if (active) {
    struct ipcx__sigthread *t = self_make();
    AcquireSRWLockExclusive(&lock);
    for (sig = 1; sig <= NSIGS; sig++)
      if (actions[sig].sa_handler == SIG_IGN)
        ign |= BIT(sig);
    if (t != NULL)
      mask = t->mask;
    ReleaseSRWLockExclusive(&lock);
  }
  if (attr != NULL && (attr->flags & POSIX_SPAWN_SETSIGDEF))
    ign &= ~attr->sigdefault;
  if (attr != NULL && (attr->flags & POSIX_SPAWN_SETSIGMASK))
    mask = attr->sigmask & ~UNBLOCKABLE;
  buf[0] = 0;
  if (ign != 0 || mask != 0)
    snprintf(buf, size, "%s=%llx:%llx", IPCX__SIGSTATE, (unsigned long long)ign,
             (unsigned long long)mask);
}

/* At start: the state a parent's posix_spawn handed over (start() applies
 * it before the signal thread runs), and the variable taken out. */
static void __attribute__((constructor)) inherit(void)
{
  const char *v = getenv(IPCX__SIGSTATE);
  unsigned long long ign = 0, mask = 0;

  if (v == NULL || sscanf(v, "%llx:%llx", &ign, &mask) != 2)
    return;
  _putenv(IPCX__SIGSTATE "=");
  inherited_ign = (ipcx_sigset_t)ign & ~UNBLOCKABLE;
  inherited_mask = (ipcx_sigset_t)mask & ~UNBLOCKABLE;
  on();
}

/* --- the calls -------------------------------------------------------------- */

static int bad_signal(int sig)
{
  return sig < 1 || sig > NSIGS;
}

int ipcx_sigaction(int sig, const struct ipcx_sigaction *act, struct ipcx_sigaction *old)
{
  struct ipcx__sigthread *t;
  ipcx_sigset_t b;

  if (bad_signal(sig) || (act != NULL && (BIT(sig) & UNBLOCKABLE)))
    return ipcx__fail(EINVAL);
  if (on() == NULL)
    return -1;
  b = BIT(sig);
  AcquireSRWLockExclusive(&lock);
  if (old != NULL)
    *old = actions[sig];
  if (act != NULL) {
    actions[sig] = *act;
    actions[sig].sa_mask &= ~UNBLOCKABLE;
    if (is_ignored(sig, act)) {
      /* Linux discards a pending signal whose action becomes "ignore". */
      pending &= ~b;
      for (t = threads; t != NULL; t = t->next)
        t->pending &= ~b;
    }
  }
  ReleaseSRWLockExclusive(&lock);
  if (act != NULL && (CRT_SIGNALS & b) && !(act->sa_flags & SA_SIGINFO))
    signal(sig, act->sa_handler);   /* the C runtime raises these on faults and abort() */
  return 0;
}

ipcx_sighandler_t ipcx_signal(int sig, ipcx_sighandler_t fn)
{
  struct ipcx_sigaction sa, old;

  memset(&sa, 0, sizeof sa);
  sa.sa_handler = fn;
  sa.sa_flags = SA_RESTART;     /* glibc's signal() is BSD's: restarting */
  if (ipcx_sigaction(sig, &sa, &old) < 0)
    return SIG_ERR;
  return old.sa_handler;
}

int ipcx_raise(int sig)
{
  if (bad_signal(sig))
    return ipcx__fail(EINVAL);
  return send_self(sig, 1);
}

/*
 * abort() as glibc's: SIGABRT unblocked and raised (its handler runs here);
 * if that returns, or SIGABRT is ignored, the default action: the process
 * ends with SIGABRT in its exit code, which waitpid() reports as
 * WIFSIGNALED/SIGABRT.  The C runtime's abort() exits with status 3.
 */
void ipcx_abort(void)
{
  ipcx_sigset_t set = BIT(SIGABRT);
  struct ipcx_sigaction dfl;

  ipcx_sigprocmask(SIG_UNBLOCK, &set, NULL);
  ipcx_raise(SIGABRT);
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  ipcx_sigaction(SIGABRT, &dfl, NULL);
  for (;;)
    die(SIGABRT);
}

/* assert()'s failure (compat/assert.h), as glibc's: "prog: file:line: func:
 * Assertion `expr' failed." with prog argv[0]'s base name (".exe" left
 * out, as Linux's has none), then abort(). */
void ipcx___assert_fail(const char *expr, const char *file, unsigned line, const char *func)
{
  const char *prog = __argv != NULL && __argv[0] != NULL ? __argv[0] : "", *p;
  size_t n;

  for (p = prog; *p != 0; p++)
    if (*p == '/' || *p == '\\')
      prog = p + 1;
  n = strlen(prog);
  if (n > 4 && _stricmp(prog + n - 4, ".exe") == 0)
    n -= 4;
  fprintf(stderr, "%.*s%s%s:%u: %s%sAssertion `%s' failed.\n", (int)n, prog, n ? ": " : "", file,
          line, func ? func : "", func ? ": " : "", expr);
  fflush(stderr);
  ipcx_abort();
}

int ipcx_sigemptyset(ipcx_sigset_t *s)
{
  if (s == NULL)
    return ipcx__fail(EFAULT);
  *s = 0;
  return 0;
}

int ipcx_sigfillset(ipcx_sigset_t *s)
{
  if (s == NULL)
    return ipcx__fail(EFAULT);
  *s = ~(ipcx_sigset_t)0;
  return 0;
}

/* The arguments of sigaddset, sigdelset, sigismember: 0, or -1/errno. */
static int set_args(const ipcx_sigset_t *s, int sig)
{
  if (s == NULL)
    return ipcx__fail(EFAULT);
  return bad_signal(sig) ? ipcx__fail(EINVAL) : 0;
}

int ipcx_sigaddset(ipcx_sigset_t *s, int sig)
{
  if (set_args(s, sig) < 0)
    return -1;
  *s |= BIT(sig);
  return 0;
}

int ipcx_sigdelset(ipcx_sigset_t *s, int sig)
{
  if (set_args(s, sig) < 0)
    return -1;
  *s &= ~BIT(sig);
  return 0;
}

int ipcx_sigismember(const ipcx_sigset_t *s, int sig)
{
  if (set_args(s, sig) < 0)
    return -1;
  return (*s & BIT(sig)) != 0;
}

int ipcx_pthread_sigmask(int how, const ipcx_sigset_t *set, ipcx_sigset_t *old)
{
  struct ipcx__sigthread *t;
  ipcx_sigset_t was;

  if (set != NULL && how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
    return EINVAL;
  if ((t = on()) == NULL)
    return ENOMEM;
  AcquireSRWLockExclusive(&lock);
  was = t->mask;
  if (set != NULL) {
    if (how == SIG_BLOCK)
      t->mask |= *set;
    else if (how == SIG_UNBLOCK)
      t->mask &= ~*set;
    else
      t->mask = *set;
    t->mask &= ~UNBLOCKABLE;
  }
  if (old != NULL)
    *old = was;
  if (was & ~t->mask)
    deliver_here(t);            /* what it unblocked runs before the call returns */
  else
    ReleaseSRWLockExclusive(&lock);
  return 0;
}

int ipcx_sigprocmask(int how, const ipcx_sigset_t *set, ipcx_sigset_t *old)
{
  int err = ipcx_pthread_sigmask(how, set, old);

  return err != 0 ? ipcx__fail(err) : 0;
}

int ipcx_sigpending(ipcx_sigset_t *s)
{
  struct ipcx__sigthread *t;

  if (s == NULL)
    return ipcx__fail(EFAULT);
  if ((t = on()) == NULL)
    return -1;
  take_box();
  AcquireSRWLockExclusive(&lock);
  *s = (pending | t->pending) & t->mask;
  ReleaseSRWLockExclusive(&lock);
  return 0;
}

/*
 * Wait, with mask as this thread's mask, until a handler has run for this
 * thread (pause, sigsuspend).  Always -1 with EINTR.
 */
static int suspend(const ipcx_sigset_t *mask)
{
  struct ipcx__sigthread *t = on();
  ipcx_sigset_t saved;

  if (t == NULL)
    return -1;
  if (t == &sigthr)
    return ipcx__fail(EINTR);   /* a handler that waits for a handler */
  AcquireSRWLockExclusive(&lock);
  saved = t->mask;
  if (mask != NULL)
    t->mask = *mask & ~UNBLOCKABLE;
  t->waiting = 1;               /* from here a kick sets t->intr */
  if (deliver_here(t) == 0)
    ipcx__wait1(t->intr, INFINITE, 0);
  AcquireSRWLockExclusive(&lock);
  t->waiting = 0;
  if (t->kicked)
    ResetEvent(t->intr);
  t->kicked = 0;
  t->mask = saved;
  ReleaseSRWLockExclusive(&lock);
  return ipcx__fail(EINTR);
}

int ipcx_pause(void)
{
  return suspend(NULL);
}

int ipcx_sigsuspend(const ipcx_sigset_t *mask)
{
  if (mask == NULL)
    return ipcx__fail(EFAULT);
  return suspend(mask);
}

/* sigwait() and sigtimedwait(): a signal of set taken, or 0 after timeout_ms; -errno. */
static int take_from(const ipcx_sigset_t *set, DWORD timeout_ms)
{
  struct ipcx__sigthread *t;
  ULONGLONG until = GetTickCount64() + timeout_ms, now;
  int s;

  if ((t = on()) == NULL)
    return -ENOMEM;
  if (t == &sigthr)
    return -EINVAL;             /* not from a handler */
  for (;;) {
    take_box();
    AcquireSRWLockExclusive(&lock);
    for (s = 1; s <= NSIGS; s++)
      if ((*set & BIT(s)) && ((t->pending | pending) & BIT(s)))
        break;
    if (s <= NSIGS) {
      if (t->pending & BIT(s))
        t->pending &= ~BIT(s);
      else
        pending &= ~BIT(s);
      t->waitset = 0;
      t->waiting = 0;
      if (t->kicked)
        ResetEvent(t->intr);
      t->kicked = 0;
      ReleaseSRWLockExclusive(&lock);
      return s;
    }
    now = GetTickCount64();
    if (timeout_ms != INFINITE && now >= until) {
      t->waitset = 0;
      t->waiting = 0;
      ReleaseSRWLockExclusive(&lock);
      return 0;
    }
    t->waitset = *set & ~UNBLOCKABLE;
    t->waiting = 1;
    if (t->kicked)
      ResetEvent(t->intr);
    t->kicked = 0;
    ReleaseSRWLockExclusive(&lock);
    ipcx__wait1(t->intr, timeout_ms == INFINITE ? INFINITE : (DWORD)(until - now), 0);
  }
}

int ipcx_sigwait(const ipcx_sigset_t *set, int *sig)
{
  int s;

  if (set == NULL || sig == NULL)
    return EFAULT;
  s = take_from(set, INFINITE);
  if (s < 0)
    return -s;
  *sig = s;
  return 0;
}

/* No sender is recorded for a pending signal: si_pid 0, si_code SI_USER. */
int ipcx_sigtimedwait(const ipcx_sigset_t *set, ipcx_siginfo_t *info, const struct timespec *ts)
{
  DWORD ms = INFINITE;
  int s;

  if (set == NULL)
    return ipcx__fail(EFAULT);
  if (ts != NULL) {
    if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L)
      return ipcx__fail(EINVAL);
    ms = ts->tv_sec >= 0x7fffffff / 1000 ? 0x7ffffffe
                                         : (DWORD)(ts->tv_sec * 1000 + (ts->tv_nsec + 999999) / 1000000);
  }
  s = take_from(set, ms);
  if (s < 0)
    return ipcx__fail(-s);
  if (s == 0)
    return ipcx__fail(EAGAIN);
  if (info != NULL) {
    memset(info, 0, sizeof *info);
    info->si_signo = s;
    info->si_code = SI_USER;
    info->si_uid = (uid_t)-1;
  }
  return s;
}

int ipcx_sigwaitinfo(const ipcx_sigset_t *set, ipcx_siginfo_t *info)
{
  return ipcx_sigtimedwait(set, info, NULL);
}
