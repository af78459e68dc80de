/*
 * shm.c: shm_open() and shm_unlink(), and the private folder in which every
 * named POSIX object of ipcx lives (shared memory, named semaphores, message
 * queues).
 *
 * On Linux these objects live until they are unlinked, even when no process
 * holds them; a Win32 section, semaphore or event dies with its last handle.
 * So, as glibc does with /dev/shm and Cygwin with its posix_ipc.cc, each
 * object is a file:
 *
 *   %TEMP%\ipcx-ipc\shm\<hash>    a shared memory object: its bytes
 *   %TEMP%\ipcx-ipc\sem\<hash>    a named semaphore: one ipcx_sem_t (semaphore.c)
 *   %TEMP%\ipcx-ipc\mq\<hash>     a message queue: header and slots (mqueue.c)
 *
 * <hash> is 128 bits of the POSIX name in hex: names are case-sensitive and
 * may hold any byte but '/', which Windows file names cannot.  %TEMP% is the
 * user's own; the folders and files get the owner-only DACL of sockets.
 * Files are opened FILE_SHARE_DELETE and FILE_ATTRIBUTE_TEMPORARY (the cache
 * keeps them in memory).
 *
 * A shm fd is a plain CRT fd of the file (_open_osfhandle), served like any
 * file (file.c): ftruncate, fstat, dup, fcntl, close and posix_spawn
 * inheritance are the CRT's, mmap maps the file (mman.c).  As on Linux the
 * fd is close-on-exec.
 *
 * Unlink: the file is first renamed to a random name in ...\trash, then
 * deleted: the POSIX name is free at once (a new object can be made under
 * it) while open handles and mappings of the old one live on; the file goes
 * with its last handle.  Windows (not Wine) refuses to delete a file that is
 * mapped: such files stay in trash until an unlink finds them unmapped.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "\\?\" + %TEMP% + ipcx-ipc\kind\ + 32 hex digits: well under 1024. */
#define IPC_PATH 1024

static INIT_ONCE root_once = INIT_ONCE_STATIC_INIT;
static WCHAR root[IPC_PATH];    /* \\?\C:\...\Temp\ipcx-ipc, or empty */

static BOOL CALLBACK make_root(INIT_ONCE *once, void *arg, void **ctx)
{
  WCHAR tmp[MAX_PATH + 1];
  DWORD n;
  static const WCHAR *const kinds[] = { L"shm", L"sem", L"mq", L"trash" };
  WCHAR sub[IPC_PATH];
  size_t i;

  (void)once, (void)arg, (void)ctx;
  n = GetTempPathW(MAX_PATH + 1, tmp);
  if (n == 0 || n > MAX_PATH)
    return TRUE;
  if (tmp[0] == L'\\' && tmp[1] == L'\\')
    _snwprintf(root, IPC_PATH, L"%lsipcx-ipc", tmp);       /* already \\?\ or UNC */
  else
    _snwprintf(root, IPC_PATH, L"\\\\?\\%lsipcx-ipc", tmp);
  root[IPC_PATH - 1] = 0;
  CreateDirectoryW(root, ipcx__owner_only());
  for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    _snwprintf(sub, IPC_PATH, L"%ls\\%ls", root, kinds[i]);
    sub[IPC_PATH - 1] = 0;
    CreateDirectoryW(sub, ipcx__owner_only());
  }
  return TRUE;
}

/* FNV-1a, 64 bits, from two starting points: 128 bits of name. */
static unsigned long long fnv(const char *s, unsigned long long h)
{
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 0x100000001b3ULL;
  }
  return h;
}

int ipcx__ipc_path(WCHAR *path, size_t size, const char *kind, const char *name)
{
  InitOnceExecuteOnce(&root_once, make_root, NULL, NULL);
  if (root[0] == 0)
    return ipcx__fail(ENOENT);
  _snwprintf(path, size, L"%ls\\%hs\\%016llx%016llx", root, kind, fnv(name, 0xcbf29ce484222325ULL),
             fnv(name, 0x84222325cbf29ce4ULL));
  path[size - 1] = 0;
  return 0;
}

HANDLE ipcx__ipc_open(const WCHAR *path, DWORD access, DWORD disposition)
{
  return CreateFileW(path, access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                     ipcx__owner_only(), disposition,
                     FILE_ATTRIBUTE_TEMPORARY | FILE_ATTRIBUTE_NOT_CONTENT_INDEXED, NULL);
}

/* Delete what is left in trash: files whose delete failed because they
 * were still mapped (Windows refuses to delete a mapped file, where Wine
 * marks it delete-on-close); once unmapped they go here, at a later unlink. */
static void sweep_trash(void)
{
  WIN32_FIND_DATAW fd;
  WCHAR pat[IPC_PATH], one[IPC_PATH];
  HANDLE h;

  _snwprintf(pat, IPC_PATH, L"%ls\\trash\\*", root);
  pat[IPC_PATH - 1] = 0;
  h = FindFirstFileW(pat, &fd);
  if (h == INVALID_HANDLE_VALUE)
    return;
  do {
    if (!(fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)) {
      _snwprintf(one, IPC_PATH, L"%ls\\trash\\%ls", root, fd.cFileName);
      one[IPC_PATH - 1] = 0;
      DeleteFileW(one);
    }
  } while (FindNextFileW(h, &fd));
  FindClose(h);
}

int ipcx__ipc_remove(const WCHAR *path)
{
  WCHAR trash[IPC_PATH];
  char hex[33];
  DWORD err;

  ipcx__random_hex(hex);
  _snwprintf(trash, IPC_PATH, L"%ls\\trash\\%hs", root, hex);
  trash[IPC_PATH - 1] = 0;
  if (!MoveFileExW(path, trash, 0)) {
    err = GetLastError();
    if (err == ERROR_PATH_NOT_FOUND)
      err = ERROR_FILE_NOT_FOUND;
    /* Not movable (some other program holds it without FILE_SHARE_DELETE):
     * delete in place, the name frees when that program lets go. */
    if (err == ERROR_FILE_NOT_FOUND || !DeleteFileW(path))
      return ipcx__fail_win32(err);
    return 0;
  }
  if (!DeleteFileW(trash))      /* (Wine and unmapped files: gone with the last handle) */
    sweep_trash();              /* mapped on Windows: left for a later unlink */
  return 0;
}

/* The shm name rules of glibc: leading slashes skipped, then 1 to NAME_MAX
 * bytes without '/'.  Returns the name after the slashes, or NULL. */
static const char *shm_name(const char *name)
{
  size_t n;

  while (*name == '/')
    name++;
  n = strlen(name);
  if (n == 0 || n > 255 || strchr(name, '/') != NULL)
    return NULL;
  return name;
}

int ipcx_shm_open(const char *name, int oflag, mode_t mode)
{
  WCHAR path[IPC_PATH];
  DWORD access, disp;
  HANDLE h;
  int fd, acc = oflag & O_ACCMODE, crt;

  (void)mode;                   /* the file's DACL is owner-only whatever the mode (docs/shm.md) */
  if (name == NULL)
    return ipcx__fail(EFAULT);
  name = shm_name(name);
  if (name == NULL)
    return ipcx__fail(EINVAL);
  if (ipcx__ipc_path(path, IPC_PATH, "shm", name) < 0)
    return -1;
  access = acc == O_RDONLY ? GENERIC_READ : acc == O_WRONLY ? GENERIC_WRITE : GENERIC_READ | GENERIC_WRITE;
  if ((oflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
    disp = CREATE_NEW;
  else if (oflag & O_CREAT)
    disp = OPEN_ALWAYS;
  else
    disp = OPEN_EXISTING;
  h = ipcx__ipc_open(path, access, disp);
  if (h == INVALID_HANDLE_VALUE)
    return ipcx__fail_win32(GetLastError());
  if ((oflag & O_TRUNC) && acc != O_RDONLY && !SetEndOfFile(h)) {
    DWORD err = GetLastError();
    CloseHandle(h);
    return ipcx__fail_win32(err);
  }
  crt = (acc == O_RDONLY ? _O_RDONLY : acc == O_WRONLY ? _O_WRONLY : _O_RDWR) | _O_BINARY | _O_NOINHERIT;
  ipcx__fd_pool_drain();               /* the lowest free number, as Linux (fd.c) */
  fd = _open_osfhandle((intptr_t)h, crt);
  if (fd < 0) {
    CloseHandle(h);
    return ipcx__fail(EMFILE);
  }
  return fd;
}

int ipcx_shm_unlink(const char *name)
{
  WCHAR path[IPC_PATH];

  if (name == NULL)
    return ipcx__fail(EFAULT);
  name = shm_name(name);
  if (name == NULL)
    return ipcx__fail(ENOENT);  /* glibc: a name that cannot exist is not there */
  if (ipcx__ipc_path(path, IPC_PATH, "shm", name) < 0)
    return -1;
  return ipcx__ipc_remove(path);
}
