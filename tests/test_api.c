/* The ipcx_* names themselves, as new portable code calls them (ipcx.h only). */
#include "ipcx_test.h"
#include <ipcx.h>

START_TEST(api_version)
{
  char want[32];

  snprintf(want, sizeof want, "%d.%d.%d", IPCX_VERSION_MAJOR, IPCX_VERSION_MINOR,
           IPCX_VERSION_PATCH);
  ck_assert_str_eq(ipcx_version(), want);
}
END_TEST

START_TEST(api_pipe_roundtrip)
{
  int p[2];
  char buf[8] = { 0 };

  ck_assert_int_eq(ipcx_pipe2(p, O_CLOEXEC), 0);
  ck_assert_int_eq(ipcx_fcntl(p[0], F_GETFD), FD_CLOEXEC);
  ck_assert_int_eq(ipcx_write(p[1], "ipcx", 4), 4);
  ck_assert_int_eq(ipcx_read(p[0], buf, sizeof buf), 4);
  ck_assert_str_eq(buf, "ipcx");
  ck_assert_int_eq(ipcx_close(p[1]), 0);
  ck_assert_int_eq(ipcx_read(p[0], buf, sizeof buf), 0);
  ck_assert_int_eq(ipcx_close(p[0]), 0);
}
END_TEST

START_TEST(api_dup2_and_fstat)
{
  struct stat st;
  int p[2], d;

  ck_assert_int_eq(ipcx_pipe(p), 0);
  d = ipcx_dup(p[1]);
  ck_assert_int_ge(d, 0);
  ck_assert_int_eq(ipcx_dup2(p[0], d), d);
  ck_assert_int_eq(ipcx_fstat(d, &st), 0);
  ck_assert(S_ISFIFO(st.st_mode));
  ck_assert_int_eq(ipcx_fcntl(d, F_GETFL) & O_ACCMODE, O_RDONLY);
  ipcx_close(d);
  ipcx_close(p[0]);
  ipcx_close(p[1]);
}
END_TEST

Suite *suite_api(void)
{
  Suite *s = suite_create("api");
  TCase *tc = test_tcase("api");

  tcase_add_test(tc, api_version);
  tcase_add_test(tc, api_pipe_roundtrip);
  tcase_add_test(tc, api_dup2_and_fstat);
  suite_add_tcase(s, tc);
  return s;
}
