#!/bin/sh
# sanitize.sh [BUILD [SUITE...]]: build the native test runner a second time
# with AddressSanitizer and UndefinedBehaviorSanitizer (in BUILD, default
# build/asan) and run the suites with it.  A finding stops the process that
# made it (halt_on_error): Check counts the test as an error, and any
# sanitizer report in the output (a helper child's too) fails this script.
# LeakSanitizer is on: a test that leaks fails.  Check's fork mode and ASan
# get along: each test is a forked child.
set -u
build=${1:-build/asan}
[ $# -gt 0 ] && shift
# nonnull-attribute is left out: the bad-input tests pass NULL to calls that
# glibc declares nonnull, on purpose, to see the kernel's EFAULT.
san="-fsanitize=address,undefined -fno-sanitize=nonnull-attribute -fno-sanitize-recover=undefined -fno-omit-frame-pointer"

echo "building with $san in $build"
# Warnings are the normal builds' business (-O1 with sanitizers adds some).
make --no-print-directory BUILD="$build" CFLAGS="-O1 -g $san" LDFLAGS="$san" WARN="-Wall -Wextra" lib tests >"$build.log" 2>&1 ||
  { cat "$build.log"; exit 1; }
bin="$build/$(gcc -dumpmachine)/tests/ipcx-tests"

ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS UBSAN_OPTIONS
out="$build.out"
status=0
"$bin" "$@" >"$out" 2>&1 || status=$?
cat "$out"
if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$out"; then
  echo "sanitizer findings above"
  status=1
fi
exit $status
