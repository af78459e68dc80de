#!/bin/sh
# demo.sh NATIVE_BUILD WINDOWS_BUILD: run the demo example natively and under
# Wine and show the two outputs side by side.
set -eu
nb=$1 wb=$2
mkdir -p build/demo
"$nb/examples/pipe_demo" >build/demo/linux.txt 2>&1
. wine-tests/wine.sh
wine_run 120 build/demo/windows.txt "$wb/examples/pipe_demo.exe"
printf '%-56s | %s\n' "Linux ($nb)" "Windows under Wine ($wb)"
printf '%-56s-+-%s\n' "--------------------------------------------------------" "--------------------------------------------------------"
awk 'NR == FNR { a[FNR] = $0; n = FNR; next }
     { b[FNR] = $0; if (FNR > n) n = FNR }
     END { for (i = 1; i <= n; i++) printf "%-56s | %s\n", a[i], b[i] }' \
  build/demo/linux.txt build/demo/windows.txt
if cmp -s build/demo/linux.txt build/demo/windows.txt; then
  echo "=> identical output on both"
else
  echo "=> outputs differ"
  exit 1
fi
