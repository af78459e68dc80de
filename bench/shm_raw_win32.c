/*
 * shm_raw_win32: bench/shm_ipc.c's shared-memory workloads written directly
 * on Win32, the yardstick for ipcx's: a named section of the paging file
 * (CreateFileMapping + MapViewOfFile) and two named semaphores
 * (CreateSemaphore, WaitForSingleObject, ReleaseSemaphore), the peer
 * started with CreateProcess.  Same lines as shm_ipc: "NAME VALUE".
 *
 *   shm_raw_win32 [iters [NAME]]
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOT (64 * 1024)
#define NSLOTS 16
#define RUNS 5

static double now_us(void)
{
  LARGE_INTEGER f, c;

  QueryPerformanceFrequency(&f);
  QueryPerformanceCounter(&c);
  return (double)c.QuadPart * 1e6 / (double)f.QuadPart;
}

static void die(const char *what)
{
  fprintf(stderr, "shm_raw_win32: %s: error %lu\n", what, GetLastError());
  exit(2);
}

static char *map(const char *name, size_t size, HANDLE *sec)
{
  char *p;

  *sec = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, (DWORD)size, name);
  if (*sec == NULL)
    die("CreateFileMapping");
  p = MapViewOfFile(*sec, FILE_MAP_WRITE, 0, 0, size);
  if (p == NULL)
    die("MapViewOfFile");
  return p;
}

static int peer(int bulk, const char *base, long iters)
{
  char n[128], sink[SLOT];
  size_t size = bulk ? (size_t)NSLOTS * SLOT : 128;
  HANDLE sec, a, b;
  char *p;
  long i;

  snprintf(n, sizeof n, "%s-shm", base);
  p = map(n, size, &sec);
  snprintf(n, sizeof n, "%s-a", base);
  a = OpenSemaphoreA(SEMAPHORE_ALL_ACCESS, FALSE, n);
  snprintf(n, sizeof n, "%s-b", base);
  b = OpenSemaphoreA(SEMAPHORE_ALL_ACCESS, FALSE, n);
  if (a == NULL || b == NULL)
    die("OpenSemaphore");
  for (i = 0; i < iters; i++) {
    WaitForSingleObject(a, INFINITE);
    if (bulk)
      memcpy(sink, p + (size_t)(i % NSLOTS) * SLOT, SLOT);
    else
      memcpy(p + 64, p, 64);
    ReleaseSemaphore(b, 1, NULL);
  }
  UnmapViewOfFile(p);
  CloseHandle(sec);
  CloseHandle(a);
  CloseHandle(b);
  return 0;
}

static double run(int bulk, long iters)
{
  static int seq;
  static char src[SLOT];
  char base[64], n[128], cmd[512], self[MAX_PATH];
  size_t size = bulk ? (size_t)NSLOTS * SLOT : 128;
  STARTUPINFOA si;
  PROCESS_INFORMATION pi;
  HANDLE sec, a, b;
  double t0, t;
  char *p;
  long i;

  snprintf(base, sizeof base, "Local\\bench-raw-%lu-%d", GetCurrentProcessId(), ++seq);
  snprintf(n, sizeof n, "%s-shm", base);
  p = map(n, size, &sec);
  snprintf(n, sizeof n, "%s-a", base);
  a = CreateSemaphoreA(NULL, 0, 0x7fffffff, n);
  snprintf(n, sizeof n, "%s-b", base);
  b = CreateSemaphoreA(NULL, bulk ? NSLOTS : 0, 0x7fffffff, n);
  if (a == NULL || b == NULL)
    die("CreateSemaphore");
  GetModuleFileNameA(NULL, self, sizeof self);
  snprintf(cmd, sizeof cmd, "\"%s\" %s %s %ld", self, bulk ? "shm-bulk" : "shm-pp", base, iters);
  memset(&si, 0, sizeof si);
  si.cb = sizeof si;
  if (!CreateProcessA(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
    die("CreateProcess");
  memset(src, 'x', sizeof src);
  t0 = now_us();
  for (i = 0; i < iters; i++) {
    if (bulk) {
      WaitForSingleObject(b, INFINITE);
      memcpy(p + (size_t)(i % NSLOTS) * SLOT, src, SLOT);
      ReleaseSemaphore(a, 1, NULL);
    } else {
      memcpy(p, src, 64);
      ReleaseSemaphore(a, 1, NULL);
      WaitForSingleObject(b, INFINITE);
    }
  }
  if (bulk)
    for (i = 0; i < NSLOTS; i++)
      WaitForSingleObject(b, INFINITE);
  t = now_us() - t0;
  WaitForSingleObject(pi.hProcess, INFINITE);
  CloseHandle(pi.hProcess);
  CloseHandle(pi.hThread);
  UnmapViewOfFile(p);
  CloseHandle(sec);
  CloseHandle(a);
  CloseHandle(b);
  return bulk ? (double)iters * SLOT / t : t / iters;
}

static int cmp(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
  long iters = argc > 1 && atol(argv[1]) > 0 ? atol(argv[1]) : 20000;
  double v[RUNS];
  int r;

  if (argc >= 4 && strncmp(argv[1], "shm-", 4) == 0)
    return peer(strcmp(argv[1], "shm-bulk") == 0, argv[2], atol(argv[3]));
  if (argc < 3 || strcmp(argv[2], "shm_rtt_64") == 0) {
    for (r = 0; r < RUNS; r++)
      v[r] = run(0, iters);
    qsort(v, RUNS, sizeof *v, cmp);
    printf("shm_rtt_64 %.2f\n", v[RUNS / 2]);
    fflush(stdout);
  }
  if (argc < 3 || strcmp(argv[2], "shm_ring_mbs") == 0) {
    for (r = 0; r < RUNS; r++)
      v[r] = run(1, 4096);
    qsort(v, RUNS, sizeof *v, cmp);
    printf("shm_ring_mbs %.0f\n", v[RUNS / 2]);
  }
  return 0;
}
