/*
 * spawn.c: posix_spawn() and posix_spawnp(), their file actions and
 * attributes, over CreateProcess.  waitpid() and kill() are in process.c.
 *
 * The child's fds.  The parent's fds are CRT fds (internal.h): each slot
 * holds a handle.  posix_spawn copies the table (a private duplicate of every
 * slot's handle, taken under the fd table lock so a close() in another
 * thread cannot pull a handle away mid-copy), applies the file actions to the
 * copy in order (addopen opens in the parent, then hands over the handle;
 * adddup2 duplicates the handle again, so two child fds never share one
 * handle value and closing one cannot close the other), drops what is
 * close-on-exec (FD_CLOEXEC is a non-inheritable slot handle, fd.c), and
 * hands what is left to the child in two ways:
 *   - STARTUPINFO.lpReserved2, the CRT's own inheritance format:
 *       int count; unsigned char flags[count]; HANDLE handles[count];
 *     (packed, no padding).  Each flag byte needs FOPEN plus the file type,
 *     FPIPE or FDEV (Wine's msvcrt drops an entry without them), and FAPPEND
 *     for O_APPEND files; never FTEXT: Unix has no text mode.  Any CRT
 *     program (msvcrt or UCRT) starts with these fds at these numbers.
 *   - hStdInput/hStdOutput/hStdError, for programs that use GetStdHandle.
 * The copies are inheritable, and PROC_THREAD_ATTRIBUTE_HANDLE_LIST names
 * exactly them: nothing else the parent holds reaches the child, so two
 * threads spawning at once never leak handles into each other's children,
 * and no lock is held across CreateProcess.  The copies are closed right
 * after CreateProcess.  (A CreateProcess elsewhere in the program that
 * inherits every inheritable handle, such as the CRT's system(), can still
 * catch copies in flight, as it catches every fd not marked FD_CLOEXEC.)
 * The child's copy of a pipe end made by pipe() carries only its POSIX
 * direction (read or write access), so the child sees O_RDONLY/O_WRONLY.
 * Console handles in the handle list need Windows 8 or later (Windows 7's
 * console pseudo-handles are refused there).
 *
 * A kind whose object must live from the child's creation on (a shared
 * listener, whose parent may close its copy at once) gives handles to keep
 * (the ops table's export_keep): they go in the handle list too, and the
 * child's environment gets IPCX_IMPORT=fd:handle,..., so that fd.c's
 * start-up code imports those fds and closes the handles before main().
 *
 * Pipes made by pipe() are overlapped named-pipe instances.  A child that
 * uses ipcx imports an inherited pipe handle on first use (fd.c asks the ops
 * tables' import: a socket's pipe in unix.c, any other pipe in pipe.c) and
 * does overlapped I/O on it.  A plain CRT child calls ReadFile/WriteFile with
 * no OVERLAPPED: kernel32 then waits on the file handle itself, which works
 * (probed under Wine 8: _read/_write on fds 0, 1 and 3) as long as only one
 * thread of the child uses that fd at a time.
 *
 * The command line is quoted by the MSVCRT rules, so that argv reaches the
 * child's main() unchanged: an argument with a space, tab, newline or quote,
 * or an empty one, goes in double quotes; a quote is escaped with a
 * backslash, and backslashes are doubled where they precede a quote
 * (including the closing one).  argv[0] is parsed by different rules (no
 * escapes), so a quote inside argv[0] cannot round-trip.
 *
 * envp NULL means the parent's environment (Linux would give an empty one;
 * a Windows process without SYSTEMROOT cannot even start Winsock).  A given
 * envp is passed exactly, plus SYSTEMROOT from the parent if envp lacks it.
 * Either gets IPCX_SIGSTATE when the child must start with signals ignored
 * or blocked (as across Linux's execve; signal.c makes it and takes it out
 * of the child's environment before main()).  A kill() that comes
 * before the child's start-up code ran (its first milliseconds) finds no
 * signal box yet and applies the default action (docs/signals.md).
 *
 * The program: the path as given, or with ".exe" added when the path does
 * not exist and does not end in .exe.  posix_spawnp searches PATH (';'
 * separated, or ':' as a Unix PATH has it, a drive letter's colon aside;
 * from the parent's environment as glibc does) for names without a slash.  Errors are returned by the call, as glibc does: ENOENT for no
 * such program, EACCES for a directory, ENOEXEC for a file that is not a
 * Windows program, E2BIG for a command line over 32767 characters.
 *
 * Attributes: POSIX_SPAWN_SETPGROUP records the child's process group for
 * waitpid(0 or -pgid) and kill(-pgid) (Windows has no process groups:
 * nothing else changes).  SETSIGMASK and SETSIGDEF set the child's mask and
 * the signals it starts with at SIG_DFL (signal.c).  RESETIDS,
 * SETSCHEDPARAM, SETSCHEDULER and SETSID are accepted and have no effect.
 */
#include "internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>

#define CHILD_FDS 2048          /* the most fds msvcrt accepts from lpReserved2 */
#define CMDLINE_MAX 32767

/* CRT ioinfo flag bits, as in lpReserved2. */
#define FOPEN 0x01
#define FPIPE 0x08
#define FAPPEND 0x20
#define FDEV 0x40

enum { ACT_CLOSE, ACT_DUP2, ACT_OPEN, ACT_CHDIR };

struct action {
  int type;
  int fd;
  int newfd;
  int oflag;
  mode_t mode;
  char *path;
};

/* One fd of the child-to-be. */
struct slot {
  HANDLE h;                     /* our private duplicate, or NULL: closed */
  HANDLE keep;                  /* the kind's export_keep: inherited, named in IPCX_IMPORT */
  unsigned char flags;          /* CRT flags */
  int cloexec;
};

/* --- file actions ------------------------------------------------------ */

int ipcx_posix_spawn_file_actions_init(ipcx_posix_spawn_file_actions_t *fa)
{
  if (fa == NULL)
    return EINVAL;
  memset(fa, 0, sizeof *fa);
  return 0;
}

int ipcx_posix_spawn_file_actions_destroy(ipcx_posix_spawn_file_actions_t *fa)
{
  struct action *a;
  int i;

  if (fa == NULL)
    return EINVAL;
  a = fa->actions;
  for (i = 0; i < fa->count; i++)
    free(a[i].path);
  free(a);
  memset(fa, 0, sizeof *fa);
  return 0;
}

/* A new action at the end of the list, or NULL (ENOMEM). */
static struct action *add(ipcx_posix_spawn_file_actions_t *fa, int type)
{
  struct action *a = fa->actions;

  if (fa->count == fa->capacity) {
    int cap = fa->capacity ? fa->capacity * 2 : 8;
    a = realloc(a, (size_t)cap * sizeof *a);
    if (a == NULL)
      return NULL;
    fa->actions = a;
    fa->capacity = cap;
  }
  a += fa->count++;
  memset(a, 0, sizeof *a);
  a->type = type;
  return a;
}

static int bad_fd(int fd)
{
  return fd < 0 || fd >= CHILD_FDS;
}

int ipcx_posix_spawn_file_actions_adddup2(ipcx_posix_spawn_file_actions_t *fa, int fd, int newfd)
{
  struct action *a;

  if (fa == NULL)
    return EINVAL;
  if (bad_fd(fd) || bad_fd(newfd))
    return EBADF;
  a = add(fa, ACT_DUP2);
  if (a == NULL)
    return ENOMEM;
  a->fd = fd;
  a->newfd = newfd;
  return 0;
}

int ipcx_posix_spawn_file_actions_addclose(ipcx_posix_spawn_file_actions_t *fa, int fd)
{
  struct action *a;

  if (fa == NULL)
    return EINVAL;
  if (bad_fd(fd))
    return EBADF;
  a = add(fa, ACT_CLOSE);
  if (a == NULL)
    return ENOMEM;
  a->fd = fd;
  return 0;
}

static int add_path(ipcx_posix_spawn_file_actions_t *fa, int type, const char *path,
                    struct action **out)
{
  char *copy;

  if (path == NULL)
    return EFAULT;
  copy = strdup(path);
  if (copy == NULL)
    return ENOMEM;
  *out = add(fa, type);
  if (*out == NULL) {
    free(copy);
    return ENOMEM;
  }
  (*out)->path = copy;
  return 0;
}

int ipcx_posix_spawn_file_actions_addopen(ipcx_posix_spawn_file_actions_t *fa, int fd,
                                          const char *path, int oflag, mode_t mode)
{
  struct action *a;
  int err;

  if (fa == NULL)
    return EINVAL;
  if (bad_fd(fd))
    return EBADF;
  err = add_path(fa, ACT_OPEN, path, &a);
  if (err != 0)
    return err;
  a->fd = fd;
  a->oflag = oflag;
  a->mode = mode;
  return 0;
}

int ipcx_posix_spawn_file_actions_addchdir_np(ipcx_posix_spawn_file_actions_t *fa,
                                              const char *path)
{
  struct action *a;

  if (fa == NULL)
    return EINVAL;
  return add_path(fa, ACT_CHDIR, path, &a);
}

int ipcx_posix_spawn_file_actions_addchdir(ipcx_posix_spawn_file_actions_t *fa, const char *path)
{
  return ipcx_posix_spawn_file_actions_addchdir_np(fa, path);
}

/* --- attributes -------------------------------------------------------- */

#define ALL_FLAGS (POSIX_SPAWN_RESETIDS | POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | \
                   POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSCHEDPARAM |                   \
                   POSIX_SPAWN_SETSCHEDULER | POSIX_SPAWN_SETSID)

int ipcx_posix_spawnattr_init(ipcx_posix_spawnattr_t *a)
{
  if (a == NULL)
    return EINVAL;
  memset(a, 0, sizeof *a);
  return 0;
}

int ipcx_posix_spawnattr_destroy(ipcx_posix_spawnattr_t *a)
{
  return a == NULL ? EINVAL : 0;
}

int ipcx_posix_spawnattr_setflags(ipcx_posix_spawnattr_t *a, short flags)
{
  if (a == NULL || (flags & ~ALL_FLAGS) != 0)
    return EINVAL;
  a->flags = flags;
  return 0;
}

int ipcx_posix_spawnattr_getflags(const ipcx_posix_spawnattr_t *a, short *flags)
{
  if (a == NULL || flags == NULL)
    return EINVAL;
  *flags = a->flags;
  return 0;
}

int ipcx_posix_spawnattr_setpgroup(ipcx_posix_spawnattr_t *a, pid_t pg)
{
  if (a == NULL)
    return EINVAL;
  a->pgroup = pg;
  return 0;
}

int ipcx_posix_spawnattr_getpgroup(const ipcx_posix_spawnattr_t *a, pid_t *pg)
{
  if (a == NULL || pg == NULL)
    return EINVAL;
  *pg = a->pgroup;
  return 0;
}

int ipcx_posix_spawnattr_setsigmask(ipcx_posix_spawnattr_t *a, const ipcx_sigset_t *s)
{
  if (a == NULL || s == NULL)
    return EINVAL;
  a->sigmask = *s;
  return 0;
}

int ipcx_posix_spawnattr_getsigmask(const ipcx_posix_spawnattr_t *a, ipcx_sigset_t *s)
{
  if (a == NULL || s == NULL)
    return EINVAL;
  *s = a->sigmask;
  return 0;
}

int ipcx_posix_spawnattr_setsigdefault(ipcx_posix_spawnattr_t *a, const ipcx_sigset_t *s)
{
  if (a == NULL || s == NULL)
    return EINVAL;
  a->sigdefault = *s;
  return 0;
}

int ipcx_posix_spawnattr_getsigdefault(const ipcx_posix_spawnattr_t *a, ipcx_sigset_t *s)
{
  if (a == NULL || s == NULL)
    return EINVAL;
  *s = a->sigdefault;
  return 0;
}

/* --- the command line and the environment ------------------------------ */

/* A growing string; on overflow or ENOMEM `err` is set and appends stop. */
struct buf {
  char *p;
  size_t len, cap;
  int err;
};

static void put(struct buf *b, const char *s, size_t n)
{
  if (b->err)
    return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    char *p;
    while (cap < b->len + n + 1)
      cap *= 2;
    p = realloc(b->p, cap);
    if (p == NULL) {
      b->err = ENOMEM;
      return;
    }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = 0;
}

static void putc_n(struct buf *b, char c, size_t n)
{
  while (n-- > 0)
    put(b, &c, 1);
}

static void quote_arg(struct buf *b, const char *arg, int first)
{
  const char *p;
  size_t slashes;

  if (*arg != 0 && strpbrk(arg, " \t\n\v\"") == NULL) {
    put(b, arg, strlen(arg));
    return;
  }
  put(b, "\"", 1);
  if (first) {
    /* argv[0] knows no escapes: it ends at the next quote. */
    for (p = arg; *p; p++)
      if (*p != '"')
        put(b, p, 1);
    put(b, "\"", 1);
    return;
  }
  for (p = arg; ; p++) {
    for (slashes = 0; *p == '\\'; p++)
      slashes++;
    if (*p == 0) {
      putc_n(b, '\\', slashes * 2);       /* they precede the closing quote */
      break;
    }
    if (*p == '"') {
      putc_n(b, '\\', slashes * 2 + 1);
      put(b, "\"", 1);
    } else {
      putc_n(b, '\\', slashes);
      put(b, p, 1);
    }
  }
  put(b, "\"", 1);
}

static int command_line(struct buf *b, const char *path, char *const argv[])
{
  int i;

  quote_arg(b, argv[0] != NULL ? argv[0] : path, 1);
  for (i = 1; argv[0] != NULL && argv[i] != NULL; i++) {
    put(b, " ", 1);
    quote_arg(b, argv[i], 0);
  }
  if (b->err)
    return b->err;
  return b->len > CMDLINE_MAX ? E2BIG : 0;
}

static int is_var(const char *e, const char *name)
{
  size_t n = strlen(name);

  return _strnicmp(e, name, n) == 0 && e[n] == '=';
}

/* Ours: a parent's never reaches a child, the child gets its own. */
static int is_sigstate(const char *e)
{
  return is_var(e, IPCX__SIGSTATE) || is_var(e, IPCX__IMPORT);
}

/*
 * The child's environment block: envp (NULL: this process's own), plus
 * SYSTEMROOT if envp lacks it, plus `extra` (the signal state) and `import`
 * (the fds to import at start) if not "".
 */
static int environment(struct buf *b, char *const envp[], const char *extra, const char *import)
{
  int i, has_root = 0;

  if (envp == NULL) {
    char *all = GetEnvironmentStringsA(), *e;
    if (all == NULL)
      return ENOMEM;
    for (e = all; *e != 0; e += strlen(e) + 1)
      if (!is_sigstate(e))
        put(b, e, strlen(e) + 1);
    FreeEnvironmentStringsA(all);
    has_root = 1;               /* whatever this process has */
  }
  for (i = 0; envp != NULL && envp[i] != NULL; i++) {
    if (strchr(envp[i], '=') == NULL || envp[i][0] == '=' || is_sigstate(envp[i]))
      continue;                 /* Windows cannot carry these; Linux keeps them */
    if (_strnicmp(envp[i], "SYSTEMROOT=", 11) == 0)
      has_root = 1;
    put(b, envp[i], strlen(envp[i]) + 1);
  }
  if (!has_root && getenv("SYSTEMROOT") != NULL) {
    put(b, "SYSTEMROOT=", 11);
    put(b, getenv("SYSTEMROOT"), strlen(getenv("SYSTEMROOT")) + 1);
  }
  if (*extra != 0)
    put(b, extra, strlen(extra) + 1);
  if (*import != 0)
    put(b, import, strlen(import) + 1);
  put(b, "\0", 1);              /* the block ends with an empty string */
  if (b->len == 1)
    put(b, "\0", 1);
  return b->err;
}

/* --- finding the program ------------------------------------------------ */

static int is_sep(char c)
{
  return c == '/' || c == '\\';
}

static int is_absolute(const char *p)
{
  return is_sep(p[0]) || (p[0] != 0 && p[1] == ':');
}

static int ends_with_exe(const char *p)
{
  size_t n = strlen(p);
  return n >= 4 && _stricmp(p + n - 4, ".exe") == 0;
}

/* dir + "\" + name, or NULL.  dir NULL or "" is name alone. */
static char *join(const char *dir, const char *name)
{
  size_t d = dir != NULL ? strlen(dir) : 0, n = strlen(name);
  char *p = malloc(d + n + 6);          /* room for "\" and ".exe" */
  char *q;

  if (p == NULL)
    return NULL;
  memcpy(p, dir, d);
  if (d > 0 && !is_sep(dir[d - 1]))
    p[d++] = '\\';
  memcpy(p + d, name, n + 1);
  for (q = p; *q; q++)
    if (*q == '/')
      *q = '\\';
  return p;
}

/*
 * ENOEXEC unless file p starts as a Windows program does ("MZ").  Linux runs
 * a "#!" script; CreateProcess cannot, and Wine then started something whose
 * waitpid() never returned.  A file we cannot read is left to CreateProcess.
 */
static int windows_program(const char *p)
{
  HANDLE h = CreateFileA(p, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                         NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
  char magic[2] = { 0, 0 };
  DWORD got = 0;

  if (h == INVALID_HANDLE_VALUE)
    return 0;
  ReadFile(h, magic, sizeof magic, &got, NULL);
  CloseHandle(h);
  return got == 2 && magic[0] == 'M' && magic[1] == 'Z' ? 0 : ENOEXEC;
}

/* 0 if p (or p.exe, written into p, which has room) is a Windows program; else the errno. */
static int probe(char *p)
{
  DWORD a = GetFileAttributesA(p);

  /* "p" missing, or there but no Windows program (a script beside p.exe): p.exe. */
  if (!ends_with_exe(p) &&
      (a == INVALID_FILE_ATTRIBUTES ||
       (!(a & FILE_ATTRIBUTE_DIRECTORY) && windows_program(p) != 0))) {
    size_t n = strlen(p);
    memcpy(p + n, ".exe", 5);
    a = GetFileAttributesA(p);
    if (a == INVALID_FILE_ATTRIBUTES || (a & FILE_ATTRIBUTE_DIRECTORY)) {
      p[n] = 0;
      a = GetFileAttributesA(p);
    }
  }
  if (a == INVALID_FILE_ATTRIBUTES) {
    DWORD e = GetLastError();
    return e == ERROR_ACCESS_DENIED ? EACCES : ipcx__errno_from_win32(e) == ENOTDIR ? ENOTDIR
                                                                                  : ENOENT;
  }
  return (a & FILE_ATTRIBUTE_DIRECTORY) ? EACCES : windows_program(p);
}

/*
 * The program's path in *out (malloc'd).  cwd: the child's working directory
 * when an addchdir action set one (relative paths start there).
 */

/* The end of the PATH entry at p: the next ';', or a ':' as in a Unix PATH
 * (a ported program that set PATH=/a:/b), but not a drive letter's "C:". */
static const char *entry_end(const char *p)
{
  const char *q;

  for (q = p; *q != 0 && *q != ';'; q++)
    if (*q == ':' && !(q == p + 1 && isalpha((unsigned char)*p)))
      break;
  return q;
}
static int find_program(const char *file, int search, const char *cwd, char **out)
{
  const char *path, *p, *end;
  int err, saw_eacces = 0;
  char *dir, *cand;

  if (*file == 0)
    return ENOENT;
  if (!search || strpbrk(file, "/\\") != NULL) {
    cand = join(is_absolute(file) ? NULL : cwd, file);
    if (cand == NULL)
      return ENOMEM;
    err = probe(cand);
    if (err != 0) {
      free(cand);
      return err;
    }
    *out = cand;
    return 0;
  }
  path = getenv("PATH");
  if (path == NULL)
    path = "";
  for (p = path; ; p = end + 1) {
    end = entry_end(p);
    dir = malloc((size_t)(end - p) + 1);
    if (dir == NULL)
      return ENOMEM;
    memcpy(dir, p, (size_t)(end - p));
    dir[end - p] = 0;
    cand = join(*dir ? dir : cwd, file);
    free(dir);
    if (cand == NULL)
      return ENOMEM;
    err = probe(cand);
    if (err == 0) {
      *out = cand;
      return 0;
    }
    free(cand);
    saw_eacces |= err == EACCES;
    if (*end == 0)
      break;
  }
  return saw_eacces ? EACCES : ENOENT;
}

/* --- the child's fd table ---------------------------------------------- */

static unsigned char type_flags(HANDLE h)
{
  switch (GetFileType(h)) {
  case FILE_TYPE_PIPE:
    return FOPEN | FPIPE;
  case FILE_TYPE_CHAR:
    return FOPEN | FDEV;
  default:
    return FOPEN;
  }
}

static HANDLE dup_inheritable(HANDLE h)
{
  HANDLE d;

  if (!DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &d, 0, TRUE,
                       DUPLICATE_SAME_ACCESS))
    return NULL;
  return d;
}

/* Is fd the source of a dup2 action (so a close-on-exec fd is needed)? */
static int dup2_source(const ipcx_posix_spawn_file_actions_t *fa, int fd)
{
  const struct action *a = fa != NULL ? fa->actions : NULL;
  int i;

  for (i = 0; fa != NULL && i < fa->count; i++)
    if (a[i].type == ACT_DUP2 && a[i].fd == fd)
      return 1;
  return 0;
}

/*
 * CreateProcess, tried again when the new process died before it ran any
 * of the program's code.  Wine 8 reports such a start as ERROR_INTERNAL_ERROR
 * (NtCreateUserProcess: the child ended before its first server request);
 * measured: 1 start in 4,800 with six processes spawning at once, none
 * without load.  Nothing of the child ran, so starting it again is what
 * fork+exec would have done.  Any other error is the caller's.
 */
static BOOL create_process(const char *prog, char *cmd, BOOL inherit, void *env, const char *cwd,
                           STARTUPINFOEXA *si, PROCESS_INFORMATION *pi)
{
  int tries = 0;

  while (!CreateProcessA(prog, cmd, NULL, NULL, inherit, EXTENDED_STARTUPINFO_PRESENT, env, cwd,
                         &si->StartupInfo, pi))
    if (GetLastError() != ERROR_INTERNAL_ERROR || ++tries == 3)
      return FALSE;
  return TRUE;
}

/* Copy the parent's fds into t (CHILD_FDS slots, zeroed). */
static int snapshot(struct slot *t, const ipcx_posix_spawn_file_actions_t *fa)
{
  DWORD info;
  HANDLE h;
  int fd, err = 0;

  ipcx__fd_lock_shared();
  for (fd = 0; fd < CHILD_FDS && err == 0; fd++) {
    h = (HANDLE)_get_osfhandle(fd);
    if (h == INVALID_HANDLE_VALUE || h == NULL || ipcx__fd_pooled(fd) ||
        !GetHandleInformation(h, &info))
      continue;                 /* closed (a pooled socket slot is closed: fd.c) */
    t[fd].cloexec = !(info & HANDLE_FLAG_INHERIT);
    if (t[fd].cloexec && !dup2_source(fa, fd))
      continue;
    t[fd].h = dup_inheritable(h);
    if (t[fd].h == NULL)
      err = ipcx__errno_from_win32(GetLastError());
    t[fd].flags = type_flags(h);
  }
  ipcx__fd_unlock_shared();
  /* Our own kinds export their descriptions (the ops table's export_to: a
   * socket's read-ahead is cancelled so the child gets the next bytes, a pipe
   * end's access is narrowed, a FIFO read end goes back to its relay). */
  for (fd = 0; fd < CHILD_FDS && err == 0; fd++) {
    struct ipcx__file *f;
    if (t[fd].h == NULL || (f = ipcx__fd_peek(fd)) == NULL)
      continue;
    if (f->flags & O_APPEND)
      t[fd].flags |= FAPPEND;   /* the child's CRT appends too (a shared log file) */
    if (f->ops->export_to != NULL) {
      HANDLE before = t[fd].h;
      err = f->ops->export_to(f, &t[fd].h);
      if (err == 0 && t[fd].h != before)
        t[fd].flags = type_flags(t[fd].h);    /* a socket's pipe, not its slot's placeholder */
    }
    if (err == 0 && f->ops->export_keep != NULL)
      err = f->ops->export_keep(f, &t[fd].keep);
    ipcx__file_unref(f);
  }
  return err;
}

static void slot_close(struct slot *s)
{
  if (s->h != NULL)
    CloseHandle(s->h);
  if (s->keep != NULL)
    CloseHandle(s->keep);
  s->h = s->keep = NULL;
}

/* addopen: open in the parent, keep a handle for the child. */
static int open_for_child(struct slot *s, const char *cwd, const struct action *a)
{
  char *path = join(is_absolute(a->path) ? NULL : cwd, a->path);
  HANDLE h;
  int fd, err = 0;

  if (path == NULL)
    return ENOMEM;
  fd = ipcx_open(path, a->oflag | O_CLOEXEC, a->mode);
  free(path);
  if (fd < 0)
    return errno;
  h = (HANDLE)_get_osfhandle(fd);
  slot_close(s);
  s->h = dup_inheritable(h);
  if (s->h == NULL)
    err = ipcx__errno_from_win32(GetLastError());
  s->flags = type_flags(h) | ((a->oflag & O_APPEND) ? FAPPEND : 0);
  s->cloexec = (a->oflag & O_CLOEXEC) != 0;
  ipcx_close(fd);
  return err;
}

/* chdir: the new directory, relative to the current one. */
static int change_dir(char **cwd, const char *path)
{
  char *rel = join(is_absolute(path) ? NULL : *cwd, path), *dir;
  DWORD attr, n;

  if (rel == NULL)
    return ENOMEM;
  n = GetFullPathNameA(rel, 0, NULL, NULL);     /* CreateProcess wants it absolute */
  dir = n > 0 ? malloc(n) : NULL;
  if (dir == NULL || GetFullPathNameA(rel, n, dir, NULL) == 0) {
    free(rel);
    free(dir);
    return n > 0 ? ENOMEM : ENOENT;
  }
  free(rel);
  attr = GetFileAttributesA(dir);
  if (attr == INVALID_FILE_ATTRIBUTES || !(attr & FILE_ATTRIBUTE_DIRECTORY)) {
    free(dir);
    return attr == INVALID_FILE_ATTRIBUTES ? ENOENT : ENOTDIR;
  }
  free(*cwd);
  *cwd = dir;
  return 0;
}

static int apply(struct slot *t, const ipcx_posix_spawn_file_actions_t *fa, char **cwd)
{
  const struct action *a = fa->actions;
  int i, err = 0;

  for (i = 0; i < fa->count && err == 0; i++) {
    struct slot *s = &t[a[i].fd];
    switch (a[i].type) {
    case ACT_CLOSE:
      /* glibc ignores closing what is not open */
      slot_close(s);
      break;
    case ACT_DUP2:
      if (s->h == NULL) {
        err = EBADF;
      } else if (a[i].newfd == a[i].fd) {
        s->cloexec = 0;           /* POSIX: dup2 onto itself clears FD_CLOEXEC */
      } else {
        struct slot *d = &t[a[i].newfd];
        HANDLE h = dup_inheritable(s->h);
        if (h == NULL) {
          err = ipcx__errno_from_win32(GetLastError());
          break;
        }
        slot_close(d);
        d->h = h;
        d->flags = s->flags;
        d->cloexec = 0;
        if (s->keep != NULL && (d->keep = dup_inheritable(s->keep)) == NULL)
          err = ipcx__errno_from_win32(GetLastError());
      }
      break;
    case ACT_OPEN:
      err = open_for_child(s, *cwd, &a[i]);
      break;
    case ACT_CHDIR:
      err = change_dir(cwd, a[i].path);
      break;
    }
  }
  return err;
}

/* The lpReserved2 block for the n first slots. */
static unsigned char *crt_block(const struct slot *t, int n)
{
  size_t bytes = sizeof(int) + (size_t)n * (1 + sizeof(HANDLE));
  unsigned char *p = calloc(1, bytes);
  int i;

  if (p == NULL)
    return NULL;
  memcpy(p, &n, sizeof n);
  for (i = 0; i < n; i++) {
    HANDLE h = t[i].h != NULL ? t[i].h : INVALID_HANDLE_VALUE;
    p[sizeof(int) + i] = t[i].h != NULL ? t[i].flags : 0;
    memcpy(p + sizeof(int) + n + (size_t)i * sizeof(HANDLE), &h, sizeof h);
  }
  return p;
}

/* --- posix_spawn ----------------------------------------------------------- */

static int spawn(pid_t *pid, const char *file, int search,
                 const ipcx_posix_spawn_file_actions_t *fa, const ipcx_posix_spawnattr_t *attr,
                 char *const argv[], char *const envp[])
{
  struct slot *t;
  struct buf cmd = { 0 }, env = { 0 }, import = { 0 };
  char *cwd = NULL, *prog = NULL, sigstate[64];
  unsigned char *block = NULL;
  HANDLE *list = NULL;
  LPPROC_THREAD_ATTRIBUTE_LIST al = NULL;
  SIZE_T alsize = 0;
  STARTUPINFOEXA si;
  PROCESS_INFORMATION pi;
  int i, n = 0, nlist = 0, err;
  pid_t pgroup = 0;

  if (file == NULL || argv == NULL)
    return EFAULT;
  t = calloc(CHILD_FDS, sizeof *t);
  if (t == NULL)
    return ENOMEM;
  err = snapshot(t, fa);
  if (err == 0 && fa != NULL)
    err = apply(t, fa, &cwd);
  if (err == 0)
    err = find_program(file, search, cwd, &prog);
  if (err == 0)
    err = command_line(&cmd, file, argv);
  if (err != 0)
    goto out;

  /* What the child keeps: everything open and not close-on-exec.  The fds
   * whose kind gave a handle to keep (export_keep) are imported by the
   * child before main(): IPCX_IMPORT=fd:handle,... (fd.c). */
  for (i = 0; i < CHILD_FDS; i++) {
    if (t[i].h != NULL && t[i].cloexec)
      slot_close(&t[i]);
    if (t[i].h != NULL)
      n = i + 1, nlist++;
    if (t[i].keep != NULL) {
      char item[48];
      snprintf(item, sizeof item, "%s%d:%llx", import.len == 0 ? IPCX__IMPORT "=" : ",", i,
               (unsigned long long)(uintptr_t)t[i].keep);
      put(&import, item, strlen(item));
      nlist++;
    }
  }
  ipcx__signal_spawn_env(attr, sigstate, sizeof sigstate);
  err = import.err;
  if (err == 0 && (envp != NULL || sigstate[0] != 0 || import.len > 0))
    err = environment(&env, envp, sigstate, import.len > 0 ? import.p : "");
  list = malloc(((size_t)nlist + 1) * sizeof *list);
  block = crt_block(t, n);
  if (err == 0 && (list == NULL || block == NULL))
    err = ENOMEM;
  if (err != 0)
    goto out;
  for (i = 0, nlist = 0; i < n; i++) {
    if (t[i].h != NULL)
      list[nlist++] = t[i].h;
    if (t[i].keep != NULL)
      list[nlist++] = t[i].keep;
  }

  memset(&si, 0, sizeof si);
  si.StartupInfo.cb = sizeof si;
  si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  si.StartupInfo.hStdInput = n > 0 && t[0].h ? t[0].h : INVALID_HANDLE_VALUE;
  si.StartupInfo.hStdOutput = n > 1 && t[1].h ? t[1].h : INVALID_HANDLE_VALUE;
  si.StartupInfo.hStdError = n > 2 && t[2].h ? t[2].h : INVALID_HANDLE_VALUE;
  si.StartupInfo.cbReserved2 = (WORD)(sizeof(int) + (size_t)n * (1 + sizeof(HANDLE)));
  si.StartupInfo.lpReserved2 = block;
  if (nlist > 0) {
    InitializeProcThreadAttributeList(NULL, 1, 0, &alsize);
    al = malloc(alsize);
    if (al == NULL) {
      err = ENOMEM;
      goto out;
    }
    if (!InitializeProcThreadAttributeList(al, 1, 0, &alsize)) {
      free(al);
      al = NULL;
      err = ipcx__errno_from_win32(GetLastError());
      goto out;
    }
    if (!UpdateProcThreadAttribute(al, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, list,
                                   (SIZE_T)nlist * sizeof *list, NULL, NULL)) {
      err = ipcx__errno_from_win32(GetLastError());
      goto out;
    }
    si.lpAttributeList = al;
  }
  if (!create_process(prog, cmd.p, nlist > 0, env.p, cwd, &si, &pi)) {
    err = ipcx__errno_from_win32(GetLastError());
    goto out;
  }
  CloseHandle(pi.hThread);
  if (attr != NULL && (attr->flags & POSIX_SPAWN_SETPGROUP))
    pgroup = attr->pgroup != 0 ? attr->pgroup : (pid_t)pi.dwProcessId;
  err = ipcx__process_add(pi.hProcess, (pid_t)pi.dwProcessId, pgroup);
  if (err != 0) {
    TerminateProcess(pi.hProcess, 127);
    CloseHandle(pi.hProcess);
    goto out;
  }
  if (pid != NULL)
    *pid = (pid_t)pi.dwProcessId;

out:
  if (al != NULL) {
    DeleteProcThreadAttributeList(al);
    free(al);
  }
  for (i = 0; i < CHILD_FDS; i++)
    slot_close(&t[i]);
  free(t);
  free(list);
  free(block);
  free(cmd.p);
  free(env.p);
  free(import.p);
  free(cwd);
  free(prog);
  return err;
}

int ipcx_posix_spawn(pid_t *pid, const char *path, const ipcx_posix_spawn_file_actions_t *fa,
                     const ipcx_posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
  return spawn(pid, path, 0, fa, attr, argv, envp);
}

int ipcx_posix_spawnp(pid_t *pid, const char *file, const ipcx_posix_spawn_file_actions_t *fa,
                      const ipcx_posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
  return spawn(pid, file, 1, fa, attr, argv, envp);
}
