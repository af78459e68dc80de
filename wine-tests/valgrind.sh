#!/bin/sh
# valgrind.sh TEST_BIN [SUITE...]: run the native suites under valgrind
# (memcheck, full leak check), each suite in its own valgrind process with
# Check's fork mode off, so that valgrind sees the tests themselves.  Any
# memcheck error or definite/indirect leak fails the suite.
#
# wine-tests/valgrind.supp silences the calls the bad-input tests make with
# bad pointers on purpose (the kernel answers EFAULT: that is the test).
# IPCX_TEST_VALGRIND=1 tells the tests what valgrind cannot emulate (a
# posix_spawn() whose exec fails reports success under valgrind: its
# CLONE_VFORK child is run as a fork).
set -u
bin=$1
shift
suites=${*:-$("$bin" --list)}
out=build/valgrind
mkdir -p "$out"
failed=""
for s in $suites; do
  status=0
  CK_FORK=no IPCX_TEST_VALGRIND=1 valgrind -q --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
    --suppressions=wine-tests/valgrind.supp "$bin" "$s" >"$out/$s.txt" 2>&1 || status=$?
  summary=$(grep -E '^[0-9]+%: Checks' "$out/$s.txt" | tail -n 1)
  if [ $status -eq 0 ]; then
    echo "  $s: clean ($summary)"
  else
    echo "  $s: FAILED (status $status; $summary)"
    grep -E '^==[0-9]+== [A-Z]|:[FE]:' "$out/$s.txt" | head -n 20 | sed 's/^/    /'
    failed="$failed $s"
  fi
done
[ -z "$failed" ] || { echo "valgrind failed in:$failed (logs in $out/)"; exit 1; }
echo "valgrind: every suite clean"
