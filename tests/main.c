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
#include <time.h>

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

void test_sleep_ms(int ms)
{
  usleep((useconds_t)ms * 1000);
}

int main(int argc, char **argv)
{
  SRunner *sr = NULL;
  size_t i;
  int j, failed;

  test_self = argv[0];
  start_time = time(NULL);
  signal(SIGPIPE, SIG_IGN);     /* writes to a closed pipe give EPIPE, as on Windows */
  setvbuf(stdout, NULL, _IONBF, 0);

  if (argc >= 3 && strcmp(argv[1], "--helper") == 0) {
    for (i = 0; helpers[i].name != NULL; i++)
      if (strcmp(helpers[i].name, argv[2]) == 0)
        return helpers[i].run(argc - 3, argv + 3);
    fprintf(stderr, "no helper %s\n", argv[2]);
    return 127;
  }
  if (argc >= 2 && strcmp(argv[1], "--list") == 0) {
    for (i = 0; i < sizeof suites / sizeof suites[0]; i++)
      printf("%s\n", suites[i].name);
    return 0;
  }
  for (i = 0; i < sizeof suites / sizeof suites[0]; i++) {
    int wanted = argc < 2;
    for (j = 1; j < argc; j++)
      wanted |= strcmp(argv[j], suites[i].name) == 0;
    if (!wanted)
      continue;
    if (sr == NULL)
      sr = srunner_create(suites[i].make());
    else
      srunner_add_suite(sr, suites[i].make());
  }
  if (sr == NULL) {
    fprintf(stderr, "no such suite\n");
    return 2;
  }
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? 0 : 1;
}
