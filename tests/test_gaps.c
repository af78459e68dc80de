/*
 * What Windows does not have yet.  Each test states the Linux behaviour and,
 * under one #ifdef, that the Windows build still answers ENOSYS, so the gap
 * stays visible (README's feature table lists it) until the feature lands
 * and the #ifdef goes.
 */
#include "ipcx_test.h"
#include <poll.h>
#include <spawn.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

IPCX_TEST_HELPER(exit_with)
{
  return argc > 0 ? atoi(argv[0]) : 0;
}

Suite *suite_gaps(void)
{
  Suite *s = suite_create("gaps");
  TCase *tc = test_tcase("gaps");

  /* No gaps left: local sockets (tests/test_socket.c) were the last. */
  suite_add_tcase(s, tc);
  return s;
}
