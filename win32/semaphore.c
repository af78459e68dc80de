/*
 * semaphore.c: <semaphore.h>, unnamed (sem_init) and named (sem_open).
 *
 * An ipcx_sem_t holds the semaphore itself, so it means the same thing in
 * every process that maps it (pshared=1 in shared memory):
 *
 *   value     the count, changed only with interlocked operations
 *   waiters   how many threads, in any process, are in a blocking wait
 *   id        32 random hex digits naming a Win32 semaphore,
 *             Local\ipcx-sem-<id>, on which waiters sleep
 *
 * sem_trywait and an uncontended sem_wait/sem_post touch only `value` (no
 * system call).  A waiter counts itself in `waiters`, looks at `value` once
 * more, then sleeps on the Win32 semaphore; sem_post raises `value`, and if
 * anyone is waiting releases the Win32 semaphore once.  Both steps are full
 * barriers, so either the poster sees the waiter or the waiter sees the
 * count: no wake-up is lost.  A release that finds its waiter already gone
 * leaves a spare token: some later waiter wakes, finds nothing, and sleeps
 * again (never a spin: each token wakes one wait once).
 *
 * The Win32 semaphore is only the place where waiters sleep, never the
 * count: it may die when no process holds it (its tokens with it) and is
 * made again by CreateSemaphore on the next wait.  Each process keeps its
 * handle per id in a small table (one per semaphore it has used), released
 * by sem_destroy or sem_close.
 *
 * sem_getvalue reads `value` (0 while there are waiters, as on Linux).
 *
 * Named semaphores are files in the private folder (shm.c) holding one
 * ipcx_sem_t, mapped: the object lives until sem_unlink as on Linux.
 * sem_open makes a new one complete in a temporary file and renames it into
 * place (glibc does the same with link()), so no process ever sees one
 * half-made.  Opening the same semaphore twice in a process gives the same
 * pointer, counted, as glibc does.
 */
#include "internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SEM_MAGIC 0x4d455358u   /* "XSEM" */

/* --- this process's wake handles, by id ---------------------------------- */

struct wake {
  struct wake *next;
  char id[32];
  HANDLE h;
  long refs;
};

static SRWLOCK wake_lock = SRWLOCK_INIT;
static struct wake *wakes;

static struct wake *wake_find(const char *id)
{
  struct wake *w;

  for (w = wakes; w != NULL; w = w->next)
    if (memcmp(w->id, id, 32) == 0)
      return w;
  return NULL;
}

/* The Win32 semaphore of s, opened (or made) on first use; refs counts the
 * sem_init/sem_open that hold it (0: held only for waits, until exit). */
static HANDLE wake_handle(ipcx_sem_t *s, int ref)
{
  struct wake *w;
  char name[64];
  HANDLE h;

  AcquireSRWLockShared(&wake_lock);
  w = wake_find(s->id);
  h = w != NULL ? w->h : NULL;
  ReleaseSRWLockShared(&wake_lock);
  if (h != NULL && !ref)
    return h;
  AcquireSRWLockExclusive(&wake_lock);
  w = wake_find(s->id);
  if (w == NULL) {
    memcpy(name, "Local\\ipcx-sem-", 15);
    memcpy(name + 15, s->id, 32);
    name[47] = 0;
    h = CreateSemaphoreA(ipcx__owner_only(), 0, 0x7fffffff, name);
    w = h != NULL ? calloc(1, sizeof *w) : NULL;
    if (w == NULL) {
      if (h != NULL)
        CloseHandle(h);
      ReleaseSRWLockExclusive(&wake_lock);
      return NULL;
    }
    memcpy(w->id, s->id, 32);
    w->h = h;
    w->next = wakes;
    wakes = w;
  }
  if (ref)
    w->refs++;
  h = w->h;
  ReleaseSRWLockExclusive(&wake_lock);
  return h;
}

int ipcx__sem_hold(ipcx_sem_t *s)
{
  return wake_handle(s, 1) != NULL ? 0 : ipcx__fail_win32(GetLastError());
}

void ipcx__sem_release(ipcx_sem_t *s)
{
  struct wake **p, *w;

  AcquireSRWLockExclusive(&wake_lock);
  for (p = &wakes; (w = *p) != NULL; p = &w->next) {
    if (memcmp(w->id, s->id, 32) == 0) {
      if (--w->refs <= 0) {
        *p = w->next;
        CloseHandle(w->h);
        free(w);
      }
      break;
    }
  }
  ReleaseSRWLockExclusive(&wake_lock);
}

void ipcx__sem_setup(ipcx_sem_t *s, unsigned value)
{
  char hex[33];

  ipcx__random_hex(hex);
  memcpy(s->id, hex, 32);
  s->waiters = 0;
  s->value = (long)value;
  s->pshared = 1;
  s->reserved[0] = s->reserved[1] = 0;
  MemoryBarrier();
  s->magic = SEM_MAGIC;
}

static int valid(ipcx_sem_t *s)
{
  return s != NULL && s->magic == SEM_MAGIC;
}

/* --- the count ----------------------------------------------------------- */

static int try_take(ipcx_sem_t *s)
{
  long v = s->value;

  while (v > 0) {
    long seen = InterlockedCompareExchange(&s->value, v - 1, v);
    if (seen == v)
      return 1;
    v = seen;
  }
  return 0;
}

long long ipcx__ms_until(const struct timespec *t)
{
  FILETIME ft;
  long long now100, ms;

  if (t == NULL)
    return ipcx__fail(EFAULT);
  if (t->tv_nsec < 0 || t->tv_nsec >= 1000000000L)
    return ipcx__fail(EINVAL);
  GetSystemTimeAsFileTime(&ft);  /* 100 ns since 1601 */
  now100 = (long long)(((unsigned long long)ft.dwHighDateTime << 32 | ft.dwLowDateTime) - 116444736000000000ULL);
  ms = ((long long)t->tv_sec * 10000000 + t->tv_nsec / 100 - now100 + 9999) / 10000;
  return ms < 0 ? 0 : ms;
}

int ipcx__sem_wait_ms(ipcx_sem_t *s, DWORD ms, int intr)
{
  ULONGLONG end = ms == INFINITE ? 0 : GetTickCount64() + ms;
  DWORD left = ms, r;
  HANDLE h;

  for (;;) {
    if (try_take(s))
      return 0;
    if (left == 0)
      return ipcx__fail(ms == 0 ? EAGAIN : ETIMEDOUT);
    h = wake_handle(s, 0);
    if (h == NULL)
      return ipcx__fail_win32(GetLastError());
    InterlockedIncrement(&s->waiters);
    if (try_take(s)) {
      InterlockedDecrement(&s->waiters);
      return 0;
    }
    r = ipcx__wait1(h, left, intr ? IPCX__WAIT_INTR : 0);
    InterlockedDecrement(&s->waiters);
    if (r == IPCX__WAIT_INTERRUPTED && !ipcx__wait_restart())
      return ipcx__fail(EINTR);
    if (r == WAIT_FAILED)
      return ipcx__fail_win32(GetLastError());
    if (ms != INFINITE) {
      ULONGLONG now = GetTickCount64();
      left = now >= end ? 0 : (DWORD)(end - now);
    }
  }
}

/* --- unnamed ------------------------------------------------------------- */

int ipcx_sem_init(ipcx_sem_t *s, int pshared, unsigned int value)
{
  if (s == NULL)
    return ipcx__fail(EFAULT);
  if (value > IPCX_SEM_VALUE_MAX)
    return ipcx__fail(EINVAL);
  ipcx__sem_setup(s, value);
  s->pshared = pshared != 0;
  if (wake_handle(s, 1) == NULL) {
    s->magic = 0;
    return ipcx__fail_win32(GetLastError());
  }
  return 0;
}

int ipcx_sem_destroy(ipcx_sem_t *s)
{
  if (!valid(s))
    return ipcx__fail(EINVAL);
  ipcx__sem_release(s);
  s->magic = 0;
  return 0;
}

int ipcx_sem_wait(ipcx_sem_t *s)
{
  if (!valid(s))
    return ipcx__fail(EINVAL);
  return ipcx__sem_wait_ms(s, INFINITE, 1);
}

int ipcx_sem_trywait(ipcx_sem_t *s)
{
  if (!valid(s))
    return ipcx__fail(EINVAL);
  return try_take(s) ? 0 : ipcx__fail(EAGAIN);
}

int ipcx_sem_timedwait(ipcx_sem_t *s, const struct timespec *abstime)
{
  long long ms;

  if (!valid(s))
    return ipcx__fail(EINVAL);
  ms = ipcx__ms_until(abstime);
  if (ms < 0)
    return -1;
  if (try_take(s))
    return 0;
  return ipcx__sem_wait_ms(s, ms == 0 ? 1 : ms >= INFINITE ? INFINITE - 1 : (DWORD)ms, 1);
}

int ipcx_sem_post(ipcx_sem_t *s)
{
  long v;
  HANDLE h;

  if (!valid(s))
    return ipcx__fail(EINVAL);
  v = s->value;
  for (;;) {
    long seen;
    if (v >= IPCX_SEM_VALUE_MAX)
      return ipcx__fail(EOVERFLOW);
    seen = InterlockedCompareExchange(&s->value, v + 1, v);
    if (seen == v)
      break;
    v = seen;
  }
  if (InterlockedCompareExchange(&s->waiters, 0, 0) > 0) {
    h = wake_handle(s, 0);
    if (h != NULL)
      ReleaseSemaphore(h, 1, NULL);
  }
  return 0;
}

int ipcx_sem_getvalue(ipcx_sem_t *s, int *value)
{
  if (!valid(s))
    return ipcx__fail(EINVAL);
  if (value == NULL)
    return ipcx__fail(EFAULT);
  *value = (int)s->value;
  return 0;
}

/* --- named --------------------------------------------------------------- */

/* This process's open named semaphores: one view per file, counted. */
struct named {
  struct named *next;
  ipcx_sem_t *view;
  DWORD volume, index_hi, index_lo;
  long refs;
};

static SRWLOCK named_lock = SRWLOCK_INIT;
static struct named *nameds;

/* glibc's rules for "sem." + name: leading slashes skipped, 1 to 255 bytes
 * without '/' (else EINVAL), and "sem.<name>" must fit a file name
 * (else ENAMETOOLONG).  The name after the slashes, or NULL with errno. */
static const char *sem_name(const char *name)
{
  size_t n;

  if (name == NULL) {
    errno = EFAULT;
    return NULL;
  }
  while (*name == '/')
    name++;
  n = strlen(name);
  if (n == 0 || n > 255 || strchr(name, '/') != NULL) {
    errno = EINVAL;
    return NULL;
  }
  if (n + 4 > 255) {
    errno = ENAMETOOLONG;
    return NULL;
  }
  return name;
}

/* Make a new semaphore file at path: complete in a temporary file, then
 * renamed into place.  0, or the Win32 error (ERROR_ALREADY_EXISTS). */
static DWORD create_file(const WCHAR *path, unsigned value)
{
  WCHAR tmp[1024];
  char hex[33];
  ipcx_sem_t s;
  DWORD put, err = 0;
  HANDLE h;

  ipcx__random_hex(hex);
  _snwprintf(tmp, 1024, L"%ls.%hs", path, hex);
  tmp[1023] = 0;
  h = ipcx__ipc_open(tmp, GENERIC_WRITE, CREATE_NEW);
  if (h == INVALID_HANDLE_VALUE)
    return GetLastError();
  memset(&s, 0, sizeof s);
  ipcx__sem_setup(&s, value);
  if (!WriteFile(h, &s, sizeof s, &put, NULL) || put != sizeof s)
    err = GetLastError() ? GetLastError() : ERROR_WRITE_FAULT;
  CloseHandle(h);
  if (err == 0 && !MoveFileExW(tmp, path, 0))
    err = GetLastError();
  if (err != 0)
    DeleteFileW(tmp);
  return err;
}

/* Map the semaphore file h (closed here); the shared view, or NULL/errno. */
static ipcx_sem_t *map_file(HANDLE h)
{
  BY_HANDLE_FILE_INFORMATION info;
  struct named *n;
  HANDLE m;
  ipcx_sem_t *view;

  if (!GetFileInformationByHandle(h, &info)) {
    ipcx__fail_win32(GetLastError());
    CloseHandle(h);
    return NULL;
  }
  AcquireSRWLockExclusive(&named_lock);
  for (n = nameds; n != NULL; n = n->next) {
    if (n->volume == info.dwVolumeSerialNumber && n->index_hi == info.nFileIndexHigh &&
        n->index_lo == info.nFileIndexLow) {
      n->refs++;
      ReleaseSRWLockExclusive(&named_lock);
      CloseHandle(h);
      return n->view;
    }
  }
  view = NULL;
  n = calloc(1, sizeof *n);
  m = n != NULL ? CreateFileMappingW(h, NULL, PAGE_READWRITE, 0, 0, NULL) : NULL;
  if (m != NULL) {
    view = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, sizeof *view);
    CloseHandle(m);
  }
  CloseHandle(h);
  if (view == NULL || !valid(view) || wake_handle(view, 1) == NULL) {
    if (view != NULL)
      UnmapViewOfFile(view);
    ReleaseSRWLockExclusive(&named_lock);
    ipcx__fail(n == NULL ? ENOMEM : EINVAL);
    free(n);
    return NULL;
  }
  n->view = view;
  n->volume = info.dwVolumeSerialNumber;
  n->index_hi = info.nFileIndexHigh;
  n->index_lo = info.nFileIndexLow;
  n->refs = 1;
  n->next = nameds;
  nameds = n;
  ReleaseSRWLockExclusive(&named_lock);
  return view;
}

ipcx_sem_t *ipcx_sem_open(const char *name, int oflag, ...)
{
  WCHAR path[1024];
  unsigned value = 0;
  int mode;
  HANDLE h;
  DWORD err;
  va_list ap;

  if (oflag & O_CREAT) {
    va_start(ap, oflag);
    mode = va_arg(ap, int);
    value = va_arg(ap, unsigned);
    va_end(ap);
    (void)mode;                 /* owner-only whatever the mode (docs/shm.md) */
  }
  name = sem_name(name);
  if (name == NULL)
    return IPCX_SEM_FAILED;
  if ((oflag & O_CREAT) && value > IPCX_SEM_VALUE_MAX) {
    errno = EINVAL;
    return IPCX_SEM_FAILED;
  }
  if (ipcx__ipc_path(path, 1024, "sem", name) < 0)
    return IPCX_SEM_FAILED;
  for (;;) {
    if ((oflag & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL)) {
      h = ipcx__ipc_open(path, GENERIC_READ | GENERIC_WRITE, OPEN_EXISTING);
      if (h != INVALID_HANDLE_VALUE)
        return map_file(h);
      err = GetLastError();
      if (err != ERROR_FILE_NOT_FOUND || !(oflag & O_CREAT)) {
        ipcx__fail_win32(err);
        return IPCX_SEM_FAILED;
      }
    }
    err = create_file(path, value);
    if (err == ERROR_ALREADY_EXISTS || err == ERROR_FILE_EXISTS) {
      if (oflag & O_EXCL) {
        errno = EEXIST;
        return IPCX_SEM_FAILED;
      }
      continue;                 /* made by someone else meanwhile: open theirs */
    }
    if (err != 0) {
      ipcx__fail_win32(err);
      return IPCX_SEM_FAILED;
    }
    oflag &= ~O_EXCL;           /* ours is in place: open it */
  }
}

int ipcx_sem_close(ipcx_sem_t *s)
{
  struct named **p, *n;

  AcquireSRWLockExclusive(&named_lock);
  for (p = &nameds; (n = *p) != NULL; p = &n->next) {
    if (n->view == s) {
      if (--n->refs == 0) {
        *p = n->next;
        ipcx__sem_release(s);
        UnmapViewOfFile(s);
        free(n);
      }
      ReleaseSRWLockExclusive(&named_lock);
      return 0;
    }
  }
  ReleaseSRWLockExclusive(&named_lock);
  return ipcx__fail(EINVAL);
}

int ipcx_sem_unlink(const char *name)
{
  WCHAR path[1024];

  name = sem_name(name);
  if (name == NULL) {
    if (errno == EINVAL)
      errno = ENOENT;           /* glibc: a name that cannot exist is not there */
    return -1;
  }
  if (ipcx__ipc_path(path, 1024, "sem", name) < 0)
    return -1;
  return ipcx__ipc_remove(path);
}
