#!/bin/sh
# fuzz.sh [SECONDS [WINDOWS_BUILD]]: fuzz the AF_UNIX address handling (fuzz/fuzz_addr.c)
# natively with libFuzzer, clang's AddressSanitizer and UBSan, for SECONDS
# (default 60; FUZZ_RUNS=N instead: N inputs, fixed seed), in a scratch
# directory under build/fuzz.  The corpus grows
# in build/fuzz/corpus, from seeds made here.  Fails on any crash or broken
# property; the input that did it is left in build/fuzz/.  With WINDOWS_BUILD
# (a folder holding the mingw libipcx.a) the corpus is then replayed through
# Linux and through Wine and the answers compared: every difference must be
# one Windows cannot avoid (a name no Windows file can have), or this fails.
set -eu
secs=${1:-60}
top=$(pwd)
out=build/fuzz
rm -rf "$out/sandbox"
mkdir -p "$out/corpus" "$out/sandbox"
command -v clang >/dev/null || { echo "fuzz: clang is needed (apt-get install clang)"; exit 1; }
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -Iinclude -o "$out/fuzz_addr" fuzz/fuzz_addr.c

# Seeds: op byte, length byte, then the address (family 1 = AF_UNIX, little-endian).
seed() { printf "$2" >"$out/corpus/seed-$1"; }
seed path      '\000\016\001\000sock-a\000'
seed path-full '\000\156\001\000'"$(printf '%0106d' 0 | tr 0 p)"
seed path-long '\000\157\001\000'"$(printf '%0108d' 0 | tr 0 q)"
seed abstract  '\000\012\001\000\000abstr'
seed abs-nul   '\000\012\001\000\000a\000b\000'
seed autobind  '\000\002\001\000'
seed short     '\000\001\001\000'
seed zero      '\000\000\001\000'
seed odd       '\000\020\001\000 \t\n\377*?"<>|:\\'
seed connect   '\002\016\001\000nobody-here\000'
seed family    '\004\016\002\000sock-b\000'
seed dir       '\000\016\001\000.\000'

# FUZZ_RUNS=N (make check): N inputs from a fixed seed instead of a time
# limit, so that the same build explores the same inputs every time.
if [ -n "${FUZZ_RUNS:-}" ]; then
  limit="-runs=$FUZZ_RUNS -seed=1"
else
  limit="-max_total_time=$secs"
fi
cd "$out/sandbox"
ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ../fuzz_addr $limit -max_len=300 -timeout=10 -print_final_stats=1 \
  -artifact_prefix="$top/$out/" ../corpus >../fuzz.log 2>&1 || { tail -n 40 ../fuzz.log; exit 1; }
grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^Done' ../fuzz.log || true
echo "fuzz: $(ls ../corpus | wc -l) inputs in the corpus, no finding"

# Replay: the corpus through the Linux kernel and through the Windows build
# under Wine, one result line per input; the lines that differ are listed.
cd "$top"
wb=${2:-}
[ -n "$wb" ] && [ -f "$wb/libipcx.a" ] || exit 0
gcc -O1 -g -DFUZZ_REPLAY -Iinclude -o "$out/replay" fuzz/fuzz_addr.c
x86_64-w64-mingw32-gcc -O1 -g -DFUZZ_REPLAY -Icompat -Iinclude -static -o "$out/replay.exe" \
  fuzz/fuzz_addr.c "$wb/libipcx.a" -lws2_32 -ladvapi32
rm -rf "$out/sandbox-linux" "$out/sandbox-wine"
mkdir -p "$out/sandbox-linux" "$out/sandbox-wine"
(cd "$out/sandbox-linux" && ../replay ../corpus/* >../replay-linux.txt 2>&1) || true
WINEPREFIX=${WINEPREFIX:-$top/build/wineprefix} WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
export WINEPREFIX WINEDEBUG WINEDLLOVERRIDES
mkdir -p "$WINEPREFIX"
(cd "$out/sandbox-wine" && timeout 600 wine ../replay.exe $(cd ../corpus && ls | sed 's|^|../corpus/|') \
  >../replay-wine.raw 2>&1) || true
tr -d '\r' <"$out/replay-wine.raw" | grep -v '^wine:' >"$out/replay-wine.txt"
total=$(wc -l <"$out/replay-linux.txt")
diff "$out/replay-linux.txt" "$out/replay-wine.txt" >"$out/replay.diff" || true
ndiff=$(grep -c '^<' "$out/replay.diff" || true)
# A difference is explained when the name Linux accepted is one Windows cannot
# give a file: a control character, one of "*/:<>?\|, or a trailing space or dot.
unexplained=$(grep '^<' "$out/replay.diff" | awk '
  { bad = 0
    if (match($0, /name\[[0-9]+\]=[0-9a-f]*/)) {
      h = substr($0, RSTART, RLENGTH); sub(/.*=/, "", h)
      n = length(h) / 2; last = ""
      for (i = 0; i < n; i++) {
        b = substr(h, 2 * i + 1, 2)
        if (b == "00") break
        if (b < "20" || b ~ /^(22|2a|2f|3a|3c|3e|3f|5c|7c)$/) bad = 1
        last = b
      }
      if (last == "20" || last == "2e") bad = 1
    }
    if (!bad) print }')
nun=$(printf '%s' "$unexplained" | grep -c . || true)
echo "replay: $total inputs through Linux and through Windows (Wine); $ndiff answered differently,"
echo "        $((ndiff - nun)) of them names Windows cannot give a file (control characters, \"*:<>?\\|)"
if [ "$nun" -gt 0 ]; then
  echo "unexplained differences (Linux's line; build/fuzz/replay.diff has both):"
  printf '%s\n' "$unexplained" | head -n 20
  exit 1
fi
