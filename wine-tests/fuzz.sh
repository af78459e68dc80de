#!/bin/sh
# fuzz.sh [SECONDS]: fuzz the AF_UNIX address handling (fuzz/fuzz_addr.c)
# natively with libFuzzer, clang's AddressSanitizer and UBSan, for SECONDS
# (default 60), in a scratch directory under build/fuzz.  The corpus grows
# in build/fuzz/corpus, from seeds made here.  Fails on any crash or broken
# property; the input that did it is left in build/fuzz/.
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

cd "$out/sandbox"
ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ../fuzz_addr -max_total_time="$secs" -max_len=300 -timeout=10 -print_final_stats=1 \
  -artifact_prefix="$top/$out/" ../corpus >../fuzz.log 2>&1 || { tail -n 40 ../fuzz.log; exit 1; }
grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^Done' ../fuzz.log || true
echo "fuzz: $(ls ../corpus | wc -l) inputs in the corpus, no finding"
