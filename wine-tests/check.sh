#!/bin/sh
# check.sh NATIVE_BUILD WINDOWS_BUILD [CLANG_BUILD]: run the test suites
# natively, then each suite in its own Wine process, then the install test,
# the header and build-system tests and some suites of the clang build;
# print one summary.  Exit status 0 only if everything passed.
set -u
nb=$1 wb=$2 cb=${3:-}
out=build/check
mkdir -p "$out"
passed=0 failed=0 bad=""

# count FILE LABEL: add a Check summary line ("N%: Checks: C, Failures: F, Errors: E") to the totals.
count() {
  line=$(grep -E '^[0-9]+%: Checks: [0-9]+' "$1" | tail -n 1)
  if [ -z "$line" ]; then
    echo "  $2: no Check summary (crash or timeout)"
    failed=$((failed + 1))
    bad="$bad $2"
    return
  fi
  c=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
  f=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
  e=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
  passed=$((passed + c - f - e))
  failed=$((failed + f + e))
  [ $((f + e)) -eq 0 ] || bad="$bad $2"
}

echo "== native ($nb)"
"$nb/tests/ipcx-tests" >"$out/native.txt" 2>&1
cat "$out/native.txt"
count "$out/native.txt" native
np=$passed nf=$failed

echo "== Windows under Wine ($wb)"
. wine-tests/wine.sh
wine_run 60 "$out/list.txt" "$wb/tests/ipcx-tests.exe" --list
for s in $(cat "$out/list.txt"); do
  wine_run 900 "$out/wine-$s.txt" "$wb/tests/ipcx-tests.exe" "$s"
  grep -E '^[0-9]+%: Checks|:[FE]:' "$out/wine-$s.txt" | sed "s/^/  $s: /"
  count "$out/wine-$s.txt" "wine-$s"
done
wp=$((passed - np)) wf=$((failed - nf))

# The examples whose features work on Windows (README's feature table).
examples="pipe_demo sort_pipe echo fdpass poll_echo fifo_rpc dgram_echo shm_prodcons sigterm_server"
echo "== examples"
# shellcheck disable=SC2086
if sh wine-tests/examples-test.sh "$nb" "$wb" $examples >"$out/examples.txt" 2>&1; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
  bad="$bad examples"
fi
cat "$out/examples.txt"

echo "== sanitizers (native suites with ASan + UBSan)"
if sh wine-tests/sanitize.sh "$(dirname "$nb")/asan" >"$out/sanitize.txt" 2>&1; then
  passed=$((passed + 1))
  grep -E '^[0-9]+%: Checks' "$out/sanitize.txt" | tail -n 1
else
  grep -vE '^(gcc|ar|rm|mkdir) ' "$out/sanitize.txt" | tail -n 80
  failed=$((failed + 1))
  bad="$bad sanitize"
fi

echo "== fuzz (sockaddr_un, 20000 inputs) and its corpus replayed through Wine"
if FUZZ_RUNS=20000 sh wine-tests/fuzz.sh 0 "$wb" >"$out/fuzz.txt" 2>&1; then
  passed=$((passed + 1))
  tail -n 3 "$out/fuzz.txt"
else
  tail -n 60 "$out/fuzz.txt"
  failed=$((failed + 1))
  bad="$bad fuzz"
fi

echo "== install test"
if sh wine-tests/install-test.sh "$nb" "$wb" >"$out/install.txt" 2>&1; then
  passed=$((passed + 1))
  tail -n 3 "$out/install.txt"
else
  cat "$out/install.txt"
  failed=$((failed + 1))
  bad="$bad install"
fi

echo "== drop-in headers (hygiene, macro counts, <windows.h> in both orders)"
if sh wine-tests/headers-test.sh "$wb" >"$out/headers.txt" 2>&1; then
  passed=$((passed + 1))
  grep -v '^  ' "$out/headers.txt"
else
  cat "$out/headers.txt"
  failed=$((failed + 1))
  bad="$bad headers"
fi

echo "== build systems (autoconf, CMake) against the Windows install"
if sh wine-tests/buildsys-test.sh "$nb" "$wb" >"$out/buildsys.txt" 2>&1; then
  passed=$((passed + 1))
  grep '^build systems test' "$out/buildsys.txt"
else
  cat "$out/buildsys.txt"
  failed=$((failed + 1))
  bad="$bad buildsys"
fi

# The second compiler: the library and tests built with clang and lld (make
# win-clang), a quick share of the suites under Wine (the whole list takes
# three minutes; these take about thirty seconds).
if [ -n "$cb" ]; then
  echo "== clang build ($cb)"
  for s in api badinput compat fd file pipe seqpacket stdio; do
    wine_run 300 "$out/clang-$s.txt" "$cb/tests/ipcx-tests.exe" "$s"
    grep -E '^[0-9]+%: Checks|:[FE]:' "$out/clang-$s.txt" | sed "s/^/  $s: /"
    count "$out/clang-$s.txt" "clang-$s"
  done
fi

echo
echo "native: $np passed, $nf failed"
echo "wine:   $wp passed, $wf failed"
if [ -n "$bad" ]; then
  echo "failed in:$bad (logs in $out/)"
  # The failing checks themselves, here at the end where a CI log's tail shows them.
  grep -hE ':[FE]:' "$out"/native.txt "$out"/wine-*.txt 2>/dev/null | head -n 20
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$np" -ge 30 ] && [ "$wp" -ge 30 ]
