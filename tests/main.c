/*
 * main.c: the one test runner.
 *
 *   ipcx-tests                     run every suite
 *   ipcx-tests SUITE...            run these suites
 *   ipcx-tests --list              name the suites
 *   ipcx-tests --helper NAME ARGS  run a helper (tests start it as a child)
 *
 * The suites and helpers come from build/<triplet>/tests/suites.h, which the
 * Makefile makes from tests/test_*.c.
 */
#include "ipcx_test.h"

#include <stddef.h>
#include <poll.h>
#include <spawn.h>
#include <stdint.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>

#define SUITE(n) Suite *suite_##n(void);
#define HELPER(n) int helper_##n(int argc, char **argv);
#include "suites.h"
#undef SUITE
#undef HELPER

static const struct {
  const char *name;
  Suite *(*make)(void);
} suites[] = {
#define SUITE(n) { #n, suite_##n },
#define HELPER(n)
#include "suites.h"
#undef SUITE
#undef HELPER
};

static const struct {
  const char *name;
  int (*run)(int argc, char **argv);
} helpers[] = {
#define SUITE(n)
#define HELPER(n) { #n, helper_##n },
#include "suites.h"
#undef SUITE
#undef HELPER
  { NULL, NULL }
};

const char *test_self;
static time_t start_time;

/* cat [CODE]: stdin to stdout, byte for byte, then exit with CODE (default 0;
 * 101 if a write failed, 102 if a read did). */
IPCX_TEST_HELPER(cat)
{
  char buf[8192];
  ssize_t n;

  while ((n = read(0, buf, sizeof buf)) > 0)
    if (test_write_all(1, buf, (size_t)n) < 0)
      return 101;
  if (n < 0)
    return 102;
  return argc > 0 ? atoi(argv[0]) : 0;
}

/* exit [CODE]: exit at once with CODE (default 0). */
IPCX_TEST_HELPER(exit)
{
  return argc > 0 ? atoi(argv[0]) : 0;
}

TCase *test_tcase(const char *name)
{
  TCase *tc = tcase_create(name);
  tcase_set_timeout(tc, 60);
  return tc;
}

char *test_path(char *buf, size_t size, const char *tag)
{
  static int counter;
  const char *dir = getenv("TMPDIR");

  if (dir == NULL || *dir == 0)
    dir = getenv("TEMP");
  if (dir == NULL || *dir == 0)
    dir = "/tmp";
  /* The start time keeps names unique across runs too (pids are reused and
   * a killed test can leave its socket file behind). */
  snprintf(buf, size, "%s/ipcx-%ld-%lx-%d-%s", dir, (long)getpid(), (unsigned long)start_time,
           ++counter, tag);
  return buf;
}

char *test_ipc_name(char *buf, size_t size, const char *tag)
{
  static int counter;

  snprintf(buf, size, "/ipcx-%ld-%lx-%d-%s", (long)getpid(), (unsigned long)start_time, ++counter, tag);
  return buf;
}

ssize_t test_write_all(int fd, const void *buf, size_t n)
{
  const char *p = buf;
  size_t done = 0;

  while (done < n) {
    ssize_t r = write(fd, p + done, n - done);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return -1;
    done += (size_t)r;
  }
  return (ssize_t)done;
}

ssize_t test_read_all(int fd, void *buf, size_t n)
{
  char *p = buf;
  size_t done = 0;

  while (done < n) {
    ssize_t r = read(fd, p + done, n - done);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return -1;
    done += (size_t)r;
  }
  return (ssize_t)done;
}

pid_t test_spawn_helper(char **argv)
{
  pid_t pid = -1;

  ck_assert_int_eq(posix_spawn(&pid, test_self, NULL, NULL, argv, NULL), 0);
  return pid;
}

void test_wait_ok(pid_t pid)
{
  int status = -1;

  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ck_assert(WIFEXITED(status));
  ck_assert_int_eq(WEXITSTATUS(status), 0);
}

socklen_t test_addr(struct sockaddr_un *a, const char *path)
{
  size_t n = strlen(path);

  if (n >= sizeof a->sun_path)
    n = sizeof a->sun_path - 1;
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  memcpy(a->sun_path, path, n);
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
}

void test_fill(unsigned char *buf, size_t n, unsigned seed)
{
  size_t i;

  for (i = 0; i < n; i++)
    buf[i] = (unsigned char)((i * 131 + seed * 7 + (i >> 9)) & 0xff);
}

unsigned long long test_checksum(const unsigned char *p, size_t n)
{
  unsigned long long h = 1469598103934665603ull;
  size_t i;

  for (i = 0; i < n; i++)
    h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

void test_sleep_ms(int ms)
{
  usleep((useconds_t)ms * 1000);
}

double test_now_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

int test_listen_at(char *path, size_t size, int type, int backlog)
{
  struct sockaddr_un a;
  int fd;

  test_path(path, size, "sock");
  unlink(path);                 /* a leftover of a crashed run whose pid we now have */
  fd = socket(AF_UNIX, type, 0);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, test_addr(&a, path)), 0);
  ck_assert_int_eq(listen(fd, backlog), 0);
  return fd;
}

int test_connect_to(const char *path, int type)
{
  struct sockaddr_un a;
  int fd = socket(AF_UNIX, type, 0), e;

  if (fd < 0)
    return -1;
  if (connect(fd, (struct sockaddr *)&a, test_addr(&a, path)) < 0) {
    e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

/* A loopback TCP listener (SO_REUSEADDR) in *lfd, a client connected to it
 * in *c, the accepted end in *s. */
void test_tcp_connected(int *lfd, int *c, int *s)
{
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  int one = 1;

  *lfd = socket(AF_INET, SOCK_STREAM, 0);
  ck_assert_int_ge(*lfd, 0);
  ck_assert_int_eq(setsockopt(*lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one), 0);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ck_assert_int_eq(bind(*lfd, (struct sockaddr *)&a, sizeof a), 0);
  ck_assert_int_eq(listen(*lfd, 4), 0);
  ck_assert_int_eq(getsockname(*lfd, (struct sockaddr *)&a, &len), 0);
  *c = socket(AF_INET, SOCK_STREAM, 0);
  ck_assert_int_ge(*c, 0);
  ck_assert_int_eq(connect(*c, (struct sockaddr *)&a, sizeof a), 0);
  *s = accept(*lfd, NULL, NULL);
  ck_assert_int_ge(*s, 0);
}

/* --- open handles, counted around each suite ------------------------------ */

#ifdef _WIN32
/* The one place the runner needs Win32: the process's handle count.  Declared
 * here rather than with <windows.h>, which clashes with compat/'s renames. */
__declspec(dllimport) void *__stdcall GetCurrentProcess(void);
__declspec(dllimport) int __stdcall GetProcessHandleCount(void *process, unsigned long *count);
__declspec(dllimport) int __stdcall GetHandleInformation(void *handle, unsigned long *flags);
__declspec(dllimport) void *__stdcall GetModuleHandleA(const char *name);
__declspec(dllimport) void *__stdcall GetProcAddress(void *module, const char *name);

/*
 * GetProcessHandleCount(), or, where it answers 0 (Wine 8: a stub), the
 * handles counted one by one: handle values are multiples of 4, given out
 * lowest first, so the scan stops after a long run of invalid ones.
 */
long test_open_count(void)
{
  unsigned long n = 0, flags;
  uintptr_t h;
  long gap = 0;
  int fd;

  /* Closed AF_UNIX sockets' CRT slots wait in a pool for the next socket
   * (docs/sockets.md, "Connection cost"); any other new fd, as this open(),
   * closes them first: they are no leak. */
  fd = open("/dev/null", O_RDONLY);
  if (fd >= 0)
    close(fd);
  if (GetProcessHandleCount(GetCurrentProcess(), &n) && n != 0)
    return (long)n;
  for (h = 4; gap < 4096; h += 4) {
    if (GetHandleInformation((void *)h, &flags)) {
      n++;
      gap = 0;
    } else {
      gap++;
    }
  }
  return (long)n;
}

/* "Event 9, File 6, ..." for the open handles (NtQueryObject's type names):
 * what a suite that left handles open left. */
static void open_kinds(char *buf, size_t size)
{
  typedef long(__stdcall * query_fn)(void *, int, void *, unsigned long, unsigned long *);
  struct kind { char name[32]; int n; } kinds[24];
  query_fn query = (query_fn)(uintptr_t)GetProcAddress(GetModuleHandleA("ntdll.dll"), "NtQueryObject");
  union { struct { unsigned short len, max; wchar_t *name; } type; char room[512]; } info;
  unsigned long flags, got;
  int i, k, nkinds = 0;
  size_t used = 0;
  uintptr_t h;
  long gap = 0;

  buf[0] = 0;
  if (query == NULL)
    return;
  for (h = 4; gap < 4096; h += 4) {
    char name[32] = "?";
    if (!GetHandleInformation((void *)h, &flags)) {
      gap++;
      continue;
    }
    gap = 0;
    if (query((void *)h, 2 /* ObjectTypeInformation */, &info, sizeof info, &got) >= 0)
      for (i = 0; i < info.type.len / 2 && i < (int)sizeof name - 1; i++)
        name[i] = (char)info.type.name[i], name[i + 1] = 0;
    for (k = 0; k < nkinds && strcmp(kinds[k].name, name) != 0; k++)
      ;
    if (k == nkinds && nkinds < 24)
      snprintf(kinds[nkinds++].name, sizeof kinds[0].name, "%s", name), kinds[k].n = 0;
    if (k < nkinds)
      kinds[k].n++;
  }
  for (k = 0; k < nkinds && used < size; k++)
    used += (size_t)snprintf(buf + used, size - used, "%s%s %d", k ? ", " : "", kinds[k].name,
                             kinds[k].n);
}
#else
# include <dirent.h>

static void open_kinds(char *buf, size_t size)
{
  (void)size;
  buf[0] = 0;                   /* /proc/self/fd tells more: ls -l it */
}

long test_open_count(void)
{
  DIR *d = opendir("/proc/self/fd");
  long n = 0;

  if (d == NULL)
    return -1;
  while (readdir(d) != NULL)
    n++;
  closedir(d);
  return n - 3;                 /* ".", ".." and the directory's own fd */
}
#endif

/* Wait (up to 15 s: under a load of 10 on two cores, threads take seconds to
 * end) for the count to come back to base + TEST_SLACK; return it. */
long test_settle_count(long base)
{
  long now = test_open_count();
  int i;

  for (i = 0; i < 300 && now > base + TEST_SLACK; i++) {
    test_sleep_ms(50);
    now = test_open_count();
  }
  return now;
}


/*
 * When the tests run in this process (Check's fork mode off: always under
 * Wine, and natively with CK_FORK=no as under valgrind), each suite ends
 * with one more test, which counts the process's open handles (fds) and
 * fails if the suite has left more than TEST_SLACK of them open.
 */
static long suite_base;
static char suite_kinds[512];
static const char *counted[64];
static int ncounted, nchecked;

START_TEST(handles_left_open)
{
  const char *name = counted[nchecked++];
  long before = suite_base, now = test_settle_count(before);
  char kinds[512];

  open_kinds(kinds, sizeof kinds);
  suite_base = now;
  printf("handles: suite %s: %ld open before, %ld after (%s)\n", name, before, now, kinds);
  ck_assert_msg(now <= before + TEST_SLACK,
                "suite %s left %ld handles open (%ld before: %s; %ld after: %s)", name,
                now - before, before, suite_kinds, now, kinds);
  memcpy(suite_kinds, kinds, sizeof kinds);
}
END_TEST

/*
 * Make what the library and the system make once per process, or once per
 * thread, on first use, so that the counts see only what a suite leaves:
 * Winsock's handles, the thread pool's wait thread (waitpid's watch on a
 * child), the named-object directory (a FIFO's event), this thread's I/O and
 * poll() events, the NUL handle AF_UNIX sockets' CRT slots are copies of.
 */
static void warm_up(void)
{
  char path[256], c = 0;
  struct pollfd q;
  pid_t pid = -1;
  int p[2], fd, status;

  fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd >= 0)
    close(fd);
  fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd >= 0)
    close(fd);
  if (pipe(p) == 0) {
    q.fd = p[0];
    q.events = POLLIN;
    if (poll(&q, 1, 1) == 0 && write(p[1], "w", 1) == 1 && poll(&q, 1, 1000) == 1)
      (void)!read(p[0], &c, 1);
    close(p[0]);
    close(p[1]);
  }
  test_path(path, sizeof path, "warm-up");
  if (mkfifo(path, 0600) == 0) {
    fd = open(path, O_RDONLY | O_NONBLOCK);
    if (fd >= 0)
      close(fd);
    unlink(path);
  }
  if (posix_spawn(&pid, test_self, NULL, NULL,
                  (char *[]){ (char *)test_self, "--helper", "exit", "0", NULL }, NULL) == 0)
    waitpid(pid, &status, 0);
}

static Suite *counted_suite(Suite *s, const char *name, int count)
{
  TCase *tc;

  if (count && ncounted < (int)(sizeof counted / sizeof counted[0])) {
    counted[ncounted++] = name;
    tc = test_tcase("handles");
    tcase_add_test(tc, handles_left_open);
    suite_add_tcase(s, tc);
  }
  return s;
}

/* A runner started under nohup, or as a background job of a script, inherits
 * SIG_IGN for SIGHUP, SIGINT or SIGQUIT, and passes it on to every child (as
 * POSIX says).  The signal tests expect the default actions: start from them. */
static void default_dispositions(void)
{
  static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM };
  struct sigaction old;
  size_t i;

  for (i = 0; i < sizeof sigs / sizeof *sigs; i++)
    if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
      signal(sigs[i], SIG_DFL);
}

int main(int argc, char **argv)
{
  SRunner *sr;
  size_t i;
  int j, failed, forking, nwanted;

  test_self = argv[0];
  start_time = time(NULL);
  signal(SIGPIPE, SIG_IGN);     /* writes to a closed pipe give EPIPE, not a signal (both targets) */

  /* Helpers keep stdout as a program gets it (tests look at its buffering). */
  if (argc >= 3 && strcmp(argv[1], "--helper") == 0) {
    for (i = 0; helpers[i].name != NULL; i++)
      if (strcmp(helpers[i].name, argv[2]) == 0)
        return helpers[i].run(argc - 3, argv + 3);
    fprintf(stderr, "no helper %s\n", argv[2]);
    return 127;
  }
  setvbuf(stdout, NULL, _IONBF, 0);
  default_dispositions();
  if (argc >= 2 && strcmp(argv[1], "--list") == 0) {
    for (i = 0; i < sizeof suites / sizeof suites[0]; i++)
      printf("%s\n", suites[i].name);
    return 0;
  }
  /* Check forks for each test natively unless CK_FORK=no; it cannot on Windows. */
  sr = srunner_create(NULL);
  forking = srunner_fork_status(sr) != CK_NOFORK;
  nwanted = 0;
  for (i = 0; i < sizeof suites / sizeof suites[0]; i++) {
    int wanted = argc < 2;
    for (j = 1; j < argc; j++)
      wanted |= strcmp(argv[j], suites[i].name) == 0;
    if (!wanted)
      continue;
    srunner_add_suite(sr, counted_suite(suites[i].make(), suites[i].name, !forking));
    nwanted++;
  }
  if (nwanted == 0) {
    fprintf(stderr, "no such suite\n");
    srunner_free(sr);
    return 2;
  }
  if (!forking) {
    warm_up();
    suite_base = test_open_count();
    open_kinds(suite_kinds, sizeof suite_kinds);
  }
  srunner_run_all(sr, CK_ENV);   /* CK_VERBOSITY=verbose names each test as it ends */
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? 0 : 1;
}
