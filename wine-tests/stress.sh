#!/bin/sh
# stress.sh STRESS NATIVE_BUILD WINDOWS_BUILD: the stress, faults and leaks
# suites natively and under Wine, the stress suite's loads multiplied by
# STRESS (make stress: 100, minutes; make check runs them at 1; faults and
# leaks run as they are, with room for the slower machine).  Prints how long
# each side took.
set -u
k=$1 nb=$2 wb=$3
out=build/stress
mkdir -p "$out"
status=0
export STRESS="$k"
echo "== native, STRESS=$k"
t0=$(date +%s)
"$nb/tests/ipcx-tests" stress faults leaks >"$out/native.txt" 2>&1 || status=1
cat "$out/native.txt"
echo "   $(( $(date +%s) - t0 )) s"
echo "== Windows under Wine, STRESS=$k"
. wine-tests/wine.sh
for s in stress faults leaks; do
  t0=$(date +%s)
  wine_run $((600 * k)) "$out/wine-$s.txt" "$wb/tests/ipcx-tests.exe" "$s" || status=1
  grep -E '^[0-9]+%: Checks|:[FE]:' "$out/wine-$s.txt" | sed "s/^/  $s: /"
  grep -qE '^100%: Checks' "$out/wine-$s.txt" || status=1
  echo "   $s: $(( $(date +%s) - t0 )) s"
done
exit $status
