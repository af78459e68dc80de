/*
 * mman.c: <sys/mman.h> (mmap, munmap, mprotect, msync, madvise,
 * posix_madvise) on CreateFileMapping + MapViewOfFile.
 *
 *   file, MAP_SHARED     a section of the file (PAGE_READWRITE, or
 *                        PAGE_READONLY for a read-only fd), view FILE_MAP_WRITE/READ
 *   file, MAP_PRIVATE    PAGE_WRITECOPY section, FILE_MAP_COPY view
 *   MAP_ANONYMOUS        a section of the paging file (shared or private:
 *                        without fork() nobody else can map it)
 *
 * Views start on the 64 KiB allocation granularity while mmap offsets need
 * only page (4 KiB) alignment: the view starts at the granule below the
 * offset and mmap returns the address inside it.  The section handle is
 * closed at once: the view holds the section (and the file), so a mapping
 * outlives close(fd) as on Linux.  Each mapping is recorded (start, pages,
 * view base) so that munmap finds the view from any address inside it.
 * Windows cannot unmap part of a view: munmap of some pages of a mapping
 * makes them inaccessible (PAGE_NOACCESS) and the view goes when its last
 * page is unmapped.
 *
 * A file view covers what the file holds: Windows would grow the file to a
 * longer view, Linux does not (pages past the end fault).  A mapping that
 * starts at or past the end of the file reserves address space only.
 *
 * MAP_FIXED works where Windows can place the view: the address minus the
 * offset's distance from its granule must be 64 KiB aligned (EINVAL
 * otherwise, docs/shm.md); an ipcx mapping it replaces wholly is unmapped
 * first.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define PAGE 4096u
#define GRANULE 65536u

struct mapping {
  char *start;                  /* what mmap returned */
  size_t pages;
  size_t left;                  /* pages not yet unmapped */
  char *base;                   /* the view (or reservation) */
  int reserved;                 /* VirtualAlloc'd, not a view */
  int copy;                     /* MAP_PRIVATE of a file: write means copy */
  int file;                     /* a view of a file (msync flushes it) */
  unsigned char *gone;          /* a bit per page munmap has taken */
};

static SRWLOCK lock = SRWLOCK_INIT;
static struct mapping *maps;
static size_t nmaps, cap;

/* The mapping holding p, or NULL; called with lock held. */
static struct mapping *find(const char *p)
{
  size_t i;

  for (i = 0; i < nmaps; i++)
    if (p >= maps[i].start && p < maps[i].start + maps[i].pages * PAGE)
      return &maps[i];
  return NULL;
}

static DWORD win_prot(int prot, int copy)
{
  int w = (prot & PROT_WRITE) != 0, r = (prot & (PROT_READ | PROT_WRITE)) != 0;

  if (prot & PROT_EXEC)
    return w ? (copy ? PAGE_EXECUTE_WRITECOPY : PAGE_EXECUTE_READWRITE) : r ? PAGE_EXECUTE_READ : PAGE_EXECUTE;
  return w ? (copy ? PAGE_WRITECOPY : PAGE_READWRITE) : r ? PAGE_READONLY : PAGE_NOACCESS;
}

static int aligned(const void *p)
{
  return ((uintptr_t)p & (PAGE - 1)) == 0;
}

static void drop(struct mapping *m)
{
  if (m->reserved)
    VirtualFree(m->base, 0, MEM_RELEASE);
  else
    UnmapViewOfFile(m->base);
  free(m->gone);
  *m = maps[--nmaps];
}

static int record(const struct mapping *m)
{
  if (nmaps == cap) {
    size_t n = cap ? cap * 2 : 16;
    struct mapping *t = realloc(maps, n * sizeof *t);
    if (t == NULL)
      return -1;
    maps = t;
    cap = n;
  }
  maps[nmaps++] = *m;
  return 0;
}

/* Unmap ipcx mappings lying wholly inside [p, p+len) (MAP_FIXED's replace);
 * 0 if nothing else is in the way, -1 if a mapping reaches outside. */
static int clear_range(char *p, size_t len)
{
  size_t i = 0;

  while (i < nmaps) {
    struct mapping *m = &maps[i];
    char *end = m->start + m->pages * PAGE;
    if (end <= p || m->start >= p + len) {
      i++;
      continue;
    }
    if (m->start < p || end > p + len)
      return -1;
    drop(m);
  }
  return 0;
}

void *ipcx_mmap64(void *addr, size_t len, int prot, int flags, int fd, long long off)
{
  struct mapping m;
  size_t pages, delta;
  long long goff, fsize = 0;
  HANDLE fh = NULL, sec;
  DWORD sprot, vaccess;
  int type = flags & MAP_TYPE, shared, anon = (flags & MAP_ANONYMOUS) != 0;
  char *want = NULL;
  size_t vlen = 0;

  if (len == 0 || off < 0 || (off & (PAGE - 1)) || (type != MAP_SHARED && type != MAP_PRIVATE &&
                                                      type != MAP_SHARED_VALIDATE)) {
    errno = EINVAL;
    return MAP_FAILED;
  }
  if ((flags & MAP_FIXED) && !aligned(addr)) {
    errno = EINVAL;
    return MAP_FAILED;
  }
  if (len > ((size_t)1 << 47)) {
    errno = ENOMEM;
    return MAP_FAILED;
  }
  shared = type != MAP_PRIVATE;
  pages = (len + PAGE - 1) / PAGE;
  memset(&m, 0, sizeof m);
  if (anon) {
    off = 0;
    sprot = PAGE_READWRITE;
    vaccess = FILE_MAP_WRITE;
    fsize = (long long)pages * PAGE;
  } else {
    struct ipcx__file *f = NULL;
    LARGE_INTEGER sz;
    int acc, kind;

    if (fd < 0 || (f = ipcx__fd_get(fd)) == NULL ||
        (fh = (HANDLE)_get_osfhandle(fd)) == INVALID_HANDLE_VALUE || fh == NULL) {
      if (f != NULL)
        ipcx__file_unref(f);
      errno = EBADF;            /* a closed fd (a pooled socket slot too: fd.c) */
      return MAP_FAILED;
    }
    kind = f->ops->kind;
    ipcx__file_unref(f);
    if (kind != IPCX__KIND_CRT) {
      errno = ENODEV;           /* pipes, FIFOs, sockets */
      return MAP_FAILED;
    }
    if (GetFileType(fh) != FILE_TYPE_DISK) {
      errno = ENODEV;
      return MAP_FAILED;
    }
    acc = ipcx__handle_access(fh);
    if (acc == O_WRONLY || (shared && (prot & PROT_WRITE) && acc != O_RDWR)) {
      errno = EACCES;
      return MAP_FAILED;
    }
    if (!GetFileSizeEx(fh, &sz)) {
      ipcx__fail_win32(GetLastError());
      return MAP_FAILED;
    }
    fsize = sz.QuadPart;
    if (!shared) {
      sprot = PAGE_WRITECOPY;
      vaccess = FILE_MAP_COPY;
      m.copy = 1;
    } else if (acc == O_RDWR) {
      sprot = PAGE_READWRITE;
      vaccess = FILE_MAP_WRITE;
    } else {
      sprot = PAGE_READONLY;
      vaccess = FILE_MAP_READ;
    }
    m.file = shared;
  }
  goff = off & ~(long long)(GRANULE - 1);
  delta = (size_t)(off - goff);
  if (flags & MAP_FIXED) {
    want = (char *)addr - delta;
    if ((uintptr_t)want & (GRANULE - 1)) {
      errno = EINVAL;           /* Windows places views on 64 KiB only (docs/shm.md) */
      return MAP_FAILED;
    }
  }
  AcquireSRWLockExclusive(&lock);
  if (want != NULL && clear_range(addr, pages * PAGE) < 0) {
    ReleaseSRWLockExclusive(&lock);
    errno = EINVAL;
    return MAP_FAILED;
  }
  if (off >= fsize) {
    /* Nothing of the file there: address space only (access faults). */
    m.base = VirtualAlloc(want, delta + pages * PAGE, MEM_RESERVE, PAGE_NOACCESS);
    m.reserved = 1;
  } else {
    vlen = delta + pages * PAGE;
    if ((long long)vlen > fsize - goff)
      vlen = (size_t)(fsize - goff);
    sec = CreateFileMappingW(anon ? INVALID_HANDLE_VALUE : fh, NULL, sprot,
                             anon ? (DWORD)((unsigned long long)fsize >> 32) : 0,
                             anon ? (DWORD)fsize : 0, NULL);
    if (sec == NULL) {
      DWORD err = GetLastError();
      ReleaseSRWLockExclusive(&lock);
      ipcx__fail(err == ERROR_NOT_ENOUGH_MEMORY || err == ERROR_COMMITMENT_LIMIT ? ENOMEM
                 : ipcx__errno_from_win32(err));
      return MAP_FAILED;
    }
    m.base = MapViewOfFileEx(sec, vaccess, (DWORD)((unsigned long long)goff >> 32), (DWORD)goff, vlen, want);
    CloseHandle(sec);
  }
  if (m.base == NULL) {
    DWORD err = GetLastError();
    ReleaseSRWLockExclusive(&lock);
    ipcx__fail(want != NULL ? EINVAL : err == ERROR_NOT_ENOUGH_MEMORY ? ENOMEM : ipcx__errno_from_win32(err));
    return MAP_FAILED;
  }
  m.start = m.base + delta;
  m.pages = m.left = pages;
  m.gone = calloc((pages + 7) / 8, 1);
  if (m.gone == NULL || record(&m) < 0) {
    if (m.reserved)
      VirtualFree(m.base, 0, MEM_RELEASE);
    else
      UnmapViewOfFile(m.base);
    free(m.gone);
    ReleaseSRWLockExclusive(&lock);
    errno = ENOMEM;
    return MAP_FAILED;
  }
  ReleaseSRWLockExclusive(&lock);
  if (!m.reserved) {
    DWORD old, natural = sprot == PAGE_WRITECOPY ? PAGE_WRITECOPY : sprot;
    DWORD wanted = win_prot(prot, m.copy);
    size_t mapped = vlen - delta < pages * PAGE ? vlen - delta : pages * PAGE;
    if (wanted != natural && !VirtualProtect(m.start, mapped, wanted, &old)) {
      ipcx_munmap(m.start, pages * PAGE);
      errno = EACCES;
      return MAP_FAILED;
    }
  }
  return m.start;
}

int ipcx_munmap(void *addr, size_t len)
{
  char *p = addr, *end;
  size_t i;

  if (len == 0 || !aligned(addr))
    return ipcx__fail(EINVAL);
  len = (len + PAGE - 1) & ~(size_t)(PAGE - 1);
  end = p + len;
  AcquireSRWLockExclusive(&lock);
  i = 0;
  while (i < nmaps) {
    struct mapping *m = &maps[i];
    char *mend = m->start + m->pages * PAGE, *a, *b;
    size_t pg;
    DWORD old;
    if (mend <= p || m->start >= end) {
      i++;
      continue;
    }
    a = p > m->start ? p : m->start;
    b = end < mend ? end : mend;
    for (pg = (size_t)(a - m->start) / PAGE; pg < (size_t)(b - m->start) / PAGE; pg++) {
      if (!(m->gone[pg / 8] & (1u << (pg % 8)))) {
        m->gone[pg / 8] |= (unsigned char)(1u << (pg % 8));
        m->left--;
      }
    }
    if (m->left == 0) {
      drop(m);
      continue;
    }
    if (!m->reserved)
      VirtualProtect(a, (size_t)(b - a), PAGE_NOACCESS, &old);
    i++;
  }
  ReleaseSRWLockExclusive(&lock);
  return 0;                     /* Linux: unmapping nothing is no error */
}

/* Every page of [p, p+len) in an ipcx mapping (and not unmapped), or any
 * committed memory for what ipcx did not map; *copy set for a private file
 * mapping.  Called with lock held. */
static int all_mapped(char *p, size_t len, int *copy)
{
  char *end = p + len;

  *copy = 0;
  while (p < end) {
    struct mapping *m = find(p);
    MEMORY_BASIC_INFORMATION mi;
    if (m != NULL) {
      size_t pg = (size_t)(p - m->start) / PAGE;
      if (m->reserved || (m->gone[pg / 8] & (1u << (pg % 8))))
        return 0;
      *copy |= m->copy;
      p += PAGE;
      continue;
    }
    if (VirtualQuery(p, &mi, sizeof mi) == 0 || mi.State != MEM_COMMIT)
      return 0;
    p = (char *)mi.BaseAddress + mi.RegionSize;
  }
  return 1;
}

static int check_range(void *addr, size_t len, int *copy)
{
  int ok;

  if (!aligned(addr))
    return ipcx__fail(EINVAL);
  if (len == 0)
    return 0;
  AcquireSRWLockShared(&lock);
  ok = all_mapped(addr, (len + PAGE - 1) & ~(size_t)(PAGE - 1), copy);
  ReleaseSRWLockShared(&lock);
  return ok ? 0 : ipcx__fail(ENOMEM);
}

int ipcx_mprotect(void *addr, size_t len, int prot)
{
  int copy;
  DWORD old;

  if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) != 0)
    return ipcx__fail(EINVAL);
  if (check_range(addr, len, &copy) < 0)
    return -1;
  if (len == 0)
    return 0;
  len = (len + PAGE - 1) & ~(size_t)(PAGE - 1);
  if (!VirtualProtect(addr, len, win_prot(prot, copy), &old))
    return ipcx__fail(EACCES);  /* e.g. write on a view of a read-only file */
  return 0;
}

int ipcx_msync(void *addr, size_t len, int flags)
{
  int copy;

  if ((flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE)) || (flags & (MS_ASYNC | MS_SYNC)) == (MS_ASYNC | MS_SYNC))
    return ipcx__fail(EINVAL);
  if (check_range(addr, len, &copy) < 0)
    return -1;
  if (len != 0 && !FlushViewOfFile(addr, len))
    return 0;                   /* memory that is not a file's has nothing to write */
  return 0;
}

int ipcx_posix_madvise(void *addr, size_t len, int advice)
{
  int copy, saved = errno, r;

  if (advice < POSIX_MADV_NORMAL || advice > POSIX_MADV_DONTNEED)
    return EINVAL;
  r = check_range(addr, len, &copy) < 0 ? errno : 0;
  errno = saved;
  return r;
}

int ipcx_madvise(void *addr, size_t len, int advice)
{
  int copy;

  if (advice < MADV_NORMAL || advice > MADV_DONTNEED)
    return ipcx__fail(EINVAL);
  return check_range(addr, len, &copy);
}
