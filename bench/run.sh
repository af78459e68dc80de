#!/bin/sh
# run.sh NATIVE_BUILD WINDOWS_BUILD: what `make bench` runs after building.
#
#  1. the Linux benchmark natively, the Windows one under Wine (own prefix,
#     build/wine-bench), each ipcx | raw | libuv | TCP interleaved, median of
#     BENCH_ROUNDS (5) rounds (libuv when the programs were built with it);
#  2. counts that do not depend on a noisy machine: callgrind instructions per
#     write+read pair (natively, and inside the Windows program under Wine),
#     and wineserver requests per write+read pair, per round trip and per
#     connect+accept+close, for ipcx, raw and libuv (a wineserver started
#     with -d1 traces every request);
#  3. bench/poll_latency (poll wake-up and cost) on both targets, and bench/shm_ipc
#     (shm + semaphores, message queues) beside bench/shm_raw_win32 under Wine;
#  4. build/bench/: results.csv, counts.csv, results.md, chart.png (gnuplot),
#     and one table on stdout.
#
# Everything runs on CPU 0 (taskset, when present; BENCH_PIN=0 turns it off):
# on a small VM, cross-CPU wake-ups swing 2-3x between runs.
# Knobs: BENCH_ROUNDS, BENCH_MS_LINUX, BENCH_MS_WINE (milliseconds a sample),
# BENCH_COUNTS=0 skips step 2 (BENCH_CALLGRIND=0 its instruction counts only),
# BENCH_ONLY="rtt pipe ..." narrows step 1 ("none": no timings).
set -u
# Absolute: the shm programs run from inside $out (they make files there).
nb=$(cd "$1" && pwd) wb=$(cd "$2" && pwd)
mkdir -p build/bench
out=$(cd build/bench && pwd)
rounds=${BENCH_ROUNDS:-5}
lms=${BENCH_MS_LINUX:-60}
wms=${BENCH_MS_WINE:-150}
only=${BENCH_ONLY:-}
t_start=$(date +%s)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "${BENCH_PIN:-1}" = 1 ] && command -v taskset >/dev/null 2>&1; then
  taskset -pc 0 $$ >/dev/null 2>&1 && pinned="CPU 0 (taskset; wineserver too)"
fi
pinned=${pinned:-no}

log() { echo "bench: $* ($(( $(date +%s) - t_start )) s)" >&2; }

# --- the machine ---------------------------------------------------------------
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //') ($(nproc --all) CPUs, $(grep -c '^processor' /proc/cpuinfo) online)"
  echo "kernel: $(uname -sr)"
  echo "wine: $(wine --version 2>/dev/null | head -n 1)"
  echo "compilers: $(gcc -dumpfullversion 2>/dev/null) (native), $(x86_64-w64-mingw32-gcc -dumpfullversion 2>/dev/null) (mingw-w64)"
  echo "pinning: $pinned"
  echo "rounds: $rounds, sample: ${lms} ms (Linux), ${wms} ms (Wine)"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/machine.txt"

# --- 1. timings ---------------------------------------------------------------
log "Linux timings"
# shellcheck disable=SC2086
"$nb/bench/ipcx-bench" --rounds "$rounds" --ms "$lms" $only >"$out/linux.csv" 2>"$out/linux.log" ||
  echo "bench: the Linux run failed (see $out/linux.log)" >&2
if [ -x "$nb/bench/poll_latency" ]; then
  log "Linux poll_latency"
  "$nb/bench/poll_latency" >"$out/poll-linux.txt" 2>&1 || true
fi
if [ -x "$nb/bench/shm_ipc" ]; then
  log "Linux shm_ipc"
  (cd "$out" && "$nb/bench/shm_ipc" 20000) >"$out/shm-linux.txt" 2>&1 || true
fi

IPCX_WINEPREFIX=${IPCX_WINEPREFIX:-$(pwd)/build/wine-bench}
export IPCX_WINEPREFIX
. wine-tests/wine.sh
wexe="$wb/bench/ipcx-bench.exe"
log "Windows timings under Wine"
# shellcheck disable=SC2086
wine_run 900 "$out/windows.raw" "$wexe" --rounds "$rounds" --ms "$wms" $only ||
  echo "bench: the Windows run failed (see $out/windows.raw)" >&2
grep -v '^bench\|^  ' "$out/windows.raw" >"$out/windows.csv"
grep '^bench\|^  ' "$out/windows.raw" >"$out/windows.log"
if [ -f "$wb/bench/poll_latency.exe" ]; then
  log "Windows poll_latency"
  wine_run 300 "$out/poll-windows.txt" "$wb/bench/poll_latency.exe" || true
fi
if [ -f "$wb/bench/shm_ipc.exe" ]; then
  log "Windows shm_ipc and shm_raw_win32"
  (cd "$out" && wine_run 600 "$out/shm-windows.txt" "$wb/bench/shm_ipc.exe" 2000) || true
  wine_run 300 "$out/shm-raw.txt" "$wb/bench/shm_raw_win32.exe" 2000 || true
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"

# --- 2. counts ----------------------------------------------------------------
# Per operation = (count for 2N - count for N) / N: start-up cancels out.
N=500
echo "platform,transport,metric,ipcx,raw,ipcx-raw,ipcx/raw,libuv,libuv/ipcx" >"$out/counts.csv"

# ir_sum FILES...: callgrind's collected instructions, all processes.
ir_sum() { cat "$@" 2>/dev/null | awk '/^summary:/ { s += $2 } END { print s + 0 }'; }

# ir PLATFORM VARIANT TRANSPORT N: instructions collected around N write+read pairs.
ir() {
  rm -f "$tmp"/cg.*
  if [ "$1" = linux ]; then
    timeout 120 valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$tmp/cg.%p" \
      "$nb/bench/ipcx-bench" --count "$2" "$3" 64 "$4" >"$tmp/vg.log" 2>&1 || { echo n/a; return; }
  else
    timeout 300 valgrind --tool=callgrind --trace-children=yes --collect-atstart=no \
      --callgrind-out-file="$tmp/cg.%p" wine "$wexe" --count "$2" "$3" 64 "$4" >"$tmp/vg.log" 2>&1 ||
      { echo n/a; return; }
  fi
  ir_sum "$tmp"/cg.*
}

# srv MODE VARIANT TRANSPORT N: wineserver requests during one run, from the
# threads that made at least N/2 of them (the benchmark's own busy threads:
# Wine's background services make a few requests now and then).
srv() { traced "$wexe" "$1" "$2" "$3" 64 "$4"; }

# traced PROGRAM ARGS...: the requests a Windows program makes, counted as srv.
traced() {
  a=$(wc -l <"$tmp/trace")
  (cd "$out" && timeout 300 wine "$@") >"$tmp/srv.out" 2>&1 || { echo n/a; return; }
  sleep 0.3
  tail -n +"$((a + 1))" "$tmp/trace" | grep ') = ' | cut -d: -f1 | sort | uniq -c |
    awk -v m=$((N / 2)) '$1 >= m { s += $1 } END { print s + 0 }'
}

# per_op A B [N]: (B - A) / N, or n/a.
per_op() {
  case "$1$2" in *n/a*|"") echo n/a ;; *) awk -v a="$1" -v b="$2" -v n="${3:-$N}" 'BEGIN { printf "%.2f", (b - a) / n }' ;; esac
}

# row PLATFORM TRANSPORT METRIC IPCX RAW [LIBUV]
row() {
  awk -v p="$1" -v t="$2" -v m="$3" -v i="$4" -v r="$5" -v u="${6:-n/a}" 'BEGIN {
    d = (i == "n/a" || r == "n/a") ? "n/a" : sprintf("%.2f", i - r)
    q = (i == "n/a" || r == "n/a" || r == 0) ? "n/a" : sprintf("%.3f", i / r)
    l = (i == "n/a" || u == "n/a" || i == 0) ? "n/a" : sprintf("%.3f", u / i)
    print p "," t "," m "," i "," r "," d "," q "," u "," l }' >>"$out/counts.csv"
}

# The Windows program's variants; libuv has pipe (uv_pipe), AF_UNIX
# (uv_pipe_t) and TCP (uv_tcp_t).
wvariants=$(timeout 60 wine "$wexe" --variants 2>/dev/null | tr -d '\r')
wvariants=${wvariants:-ipcx raw}
variant_has() { case "$1 $2" in ipcx\ *|raw\ *|libuv\ pipe|libuv\ unix|libuv\ tcp) return 0 ;; esac; return 1; }

if [ "${BENCH_COUNTS:-1}" = 1 ] && [ "${BENCH_CALLGRIND:-1}" = 1 ] && command -v valgrind >/dev/null 2>&1; then
  for t in pipe socketpair unix fifo tcp; do
    log "instruction counts, $t"
    for v in ipcx raw; do
      eval "l_$v=\$(per_op \"\$(ir linux $v $t $N)\" \"\$(ir linux $v $t $((2 * N)))\")"
      eval "w_$v=\$(per_op \"\$(ir windows $v $t $N)\" \"\$(ir windows $v $t $((2 * N)))\")"
    done
    # shellcheck disable=SC2154
    row linux "$t" "instructions per write+read (64 B)" "$l_ipcx" "$l_raw"
    # shellcheck disable=SC2154
    row windows "$t" "instructions per write+read (64 B)" "$w_ipcx" "$w_raw"
  done
elif [ "${BENCH_COUNTS:-1}" = 1 ] && [ "${BENCH_CALLGRIND:-1}" = 1 ]; then
  echo "bench: valgrind is not installed: no instruction counts" >&2
fi
if [ "${BENCH_COUNTS:-1}" = 1 ]; then
  # A wineserver that traces every request (-d1), for the counts only.
  wineserver -k >/dev/null 2>&1 || true
  sleep 1
  wineserver -p -d1 2>"$tmp/trace"
  wine_run 60 "$tmp/warm.txt" "$wexe" --count raw pipe 64 1 || true
  sleep 2                       # let Wine's services settle
  wine_run 60 "$tmp/warm.txt" "$wexe" --count ipcx pipe 64 1 || true
  for t in pipe socketpair unix fifo tcp; do
    log "wineserver requests, $t"
    f_libuv=n/a r_libuv=n/a
    for v in $wvariants; do
      variant_has $v $t || continue
      eval "f_$v=\$(per_op \"\$(srv --count $v $t $N)\" \"\$(srv --count $v $t $((2 * N)))\")"
      eval "r_$v=\$(per_op \"\$(srv --count-rtt $v $t $N)\" \"\$(srv --count-rtt $v $t $((2 * N)))\")"
    done
    # shellcheck disable=SC2154
    row windows "$t" "wineserver requests per write+read (64 B)" "$f_ipcx" "$f_raw" "$f_libuv"
    # shellcheck disable=SC2154
    row windows "$t" "wineserver requests per round trip (64 B; 2 threads)" "$r_ipcx" "$r_raw" "$r_libuv"
  done
  for t in unix tcp; do
    log "wineserver requests, $t connect"
    c_libuv=n/a
    for v in $wvariants; do
      eval "c_$v=\$(per_op \"\$(srv --count-conn $v $t $((N / 10)))\" \"\$(srv --count-conn $v $t $((N / 5)))\" $((N / 10)))"
    done
    # shellcheck disable=SC2154
    row windows "$t" "wineserver requests per connect+accept+close" "$c_ipcx" "$c_raw" "$c_libuv"
  done
  if [ -f "$wb/bench/shm_ipc.exe" ] && [ -f "$wb/bench/shm_raw_win32.exe" ]; then
    # shm + 2 named semaphores: each program runs the ping-pong 5 times (its median).
    log "wineserver requests, shm"
    s_ipcx=$(per_op "$(traced "$wb/bench/shm_ipc.exe" "$N" shm_rtt_64)" \
                    "$(traced "$wb/bench/shm_ipc.exe" "$((2 * N))" shm_rtt_64)" "$((5 * N))")
    s_raw=$(per_op "$(traced "$wb/bench/shm_raw_win32.exe" "$N" shm_rtt_64)" \
                   "$(traced "$wb/bench/shm_raw_win32.exe" "$((2 * N))" shm_rtt_64)" "$((5 * N))")
    row windows shm "wineserver requests per round trip (64 B; 2 processes; 2 named semaphores)" "$s_ipcx" "$s_raw"
  fi
  wineserver -k >/dev/null 2>&1 || true
fi

# --- 4. tables, chart ---------------------------------------------------------
log "tables"
{ echo "platform,workload,transport,size,mode,unit,ipcx,raw,tcp,ipcx/raw,ipcx/tcp,note,libuv,libuv/ipcx"
  grep -h -v '^#\|^platform' "$out/linux.csv" "$out/windows.csv"; } >"$out/results.csv"

# The number formats shared by the table printers.
AWKLIB='
function num(v) {
  if (v == "n/a" || v == "") return "n/a"
  v += 0
  if (v >= 100) return sprintf("%.0f", v)
  if (v >= 10) return sprintf("%.1f", v)
  return sprintf("%.2f", v)
}
function rat(v) { return (v == "n/a" || v == "") ? "n/a" : sprintf("%.2f", v) }
function sz(s) {
  if (s == 0) return ""
  if (s >= 1048576) return (s / 1048576) " MiB"
  if (s >= 1024) return (s / 1024) " KiB"
  return s " B"
}
function label(w, t, s, m, u,   x) {
  x = (w == "rtt") ? "round trip" : (w == "tput") ? "throughput" : (w == "conn") ? "connect+accept+close" : "poll() idle"
  x = x " " (t == "unix" ? "AF_UNIX" : t)
  if (s != 0) x = x " " sz(s)
  if (w != "conn" && w != "idle") x = x ", " (m == "process" ? "2 processes" : "2 threads")
  return x " (" u ")"
}'

table_md() {
  awk -F, -v plat="$1" "$AWKLIB"'
    NR > 1 && $1 == plat {
      printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", label($2, $3, $4, $5, $6), num($7), num($8), num($13), num($9), rat($10), rat($14), rat($11)
    }' "$out/results.csv"
}

table_txt() {
  awk -F, -v plat="$1" "$AWKLIB"'
    NR > 1 && $1 == plat {
      printf "%-52s %9s %9s %9s %9s %8s %8s %8s\n", label($2, $3, $4, $5, $6), num($7), num($8), num($13), num($9), rat($10), rat($14), rat($11)
    }' "$out/results.csv"
}

counts_md() {
  awk -F, 'NR > 1 { printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, ($2 == "unix" ? "AF_UNIX" : $2), $3, $4, $5, $6, $7, $8, $9 }' "$out/counts.csv"
}

# get PLATFORM WORKLOAD TRANSPORT SIZE MODE FIELD(7..11)
get() {
  awk -F, -v p="$1" -v w="$2" -v t="$3" -v s="$4" -v m="$5" -v f="$6" \
    '$1 == p && $2 == w && $3 == t && $4 == s && $5 == m { print $f; exit }' "$out/results.csv"
}
cnt() {
  awk -F, -v p="$1" -v t="$2" -v m="$3" -v f="$4" \
    '$1 == p && $2 == t && index($3, m) == 1 { print $f; exit }' "$out/counts.csv"
}
# pollv FILE PATTERN: the median of a poll_latency line.
pollv() { [ -f "$1" ] && grep "$2" "$1" | head -n 1 | sed -E 's/.*median +([0-9.]+).*/\1/'; }
# verdict VALUE OP LIMIT
verdict() {
  case "$1" in n/a|"") echo "n/a"; return ;; esac
  awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
    ok = (op == "<=") ? (v <= l) : (op == ">=") ? (v >= l) : (v == l)
    print ok ? "met" : "**missed**" }'
}
ratio() {
  case "$1$2" in *n/a*) echo n/a; return ;; esac
  [ -z "$1" ] || [ -z "$2" ] && { echo n/a; return; }
  awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'
}

# shmv FILE NAME: a value from a shm_ipc / shm_raw_win32 output.
shmv() { [ -f "$1" ] && awk -v n="$2" '$1 == n { print $2; exit }' "$1"; }

# shm_md: shared memory + semaphores, message queues, and the figures beside them.
shm_md() {
  echo "| workload (2 processes) | unit | Linux | Windows ipcx | Windows raw Win32 | ipcx/raw |"
  echo "|---|---|---:|---:|---:|---:|"
  for w in "shm_rtt_64:us:shm + 2 named semaphores, 64 B round trip" \
           "shm_ring_mbs:MB/s:shm ring 16 x 64 KiB + 2 named semaphores, bulk" \
           "mq_rtt_64:us:mq_send + mq_receive each way, 64 B" \
           "seqpacket_rtt_64:us:AF_UNIX SOCK_SEQPACKET, 64 B round trip" \
           "pipe_rtt_64:us:two pipes, 64 B round trip"; do
    k=${w%%:*}; r=${w#*:}; u=${r%%:*}; d=${r#*:}
    raw=$(shmv "$out/shm-raw.txt" "$k")
    wi=$(shmv "$out/shm-windows.txt" "$k")
    echo "| $d | $u | $(shmv "$out/shm-linux.txt" "$k") | $wi | ${raw:--} | $( [ -n "$raw" ] && ratio "$wi" "$raw" || echo -) |"
  done
}

targets_md() {
  l_ir=$(cnt linux pipe instructions 7)
  w_rtt=$(get windows rtt pipe 64 thread 10)
  w_rttp=$(get windows rtt pipe 64 process 10)
  w_tp=$(get windows tput pipe 65536 thread 10)
  w_tpp=$(get windows tput pipe 65536 process 10)
  w_srv=$(cnt windows pipe "wineserver requests per write" 6)
  f_srv=$(cnt windows fifo "wineserver requests per write" 4)
  f_rtt=$(ratio "$(get windows rtt fifo 64 thread 7)" "$(get windows rtt pipe 64 thread 7)")
  f_rttp=$(ratio "$(get windows rtt fifo 64 process 7)" "$(get windows rtt pipe 64 process 7)")
  f_tp=$(ratio "$(get windows tput fifo 65536 thread 7)" "$(get windows tput pipe 65536 thread 7)")
  f_tpp=$(ratio "$(get windows tput fifo 65536 process 7)" "$(get windows tput pipe 65536 process 7)")
  t_srv=$(cnt windows tcp "wineserver requests per round trip" 4)
  t_raw=$(cnt windows tcp "wineserver requests per round trip" 5)
  t_rtt=$(get windows rtt tcp 64 thread 10)
  t_rttp=$(get windows rtt tcp 64 process 10)
  u_rtt=$(get windows rtt unix 64 process 10)
  u_lu=$(get windows rtt unix 64 process 14)
  u_tp=$(get windows tput unix 65536 process 14)
  u_tcp=$(get windows rtt tcp 64 process 14)
  u_pipe=$(get windows rtt pipe 64 thread 14)
  l_idle=$(get linux idle pipe 0 thread 7)
  w_idle=$(get windows idle pipe 0 thread 7)
  lp=$(pollv "$out/poll-linux.txt" '  1 fds'); lr=$(pollv "$out/poll-linux.txt" 'read()')
  wp=$(pollv "$out/poll-windows.txt" '  1 fds'); wr=$(pollv "$out/poll-windows.txt" 'read()')
  l_wake=$(ratio "$lp" "$lr")
  w_wake=$(ratio "$wp" "$wr")
  echo "| target | measured | verdict |"
  echo "|---|---|---|"
  echo "| Linux: ipcx/raw instructions per write+read = 1.00 | $l_ir (every transport: counts table) | $(verdict "$l_ir" = 1.000) |"
  echo "| Windows: ipcx/raw pipe round trip <= 1.10 (64 B, 2 threads) | $(rat1 "$w_rtt") (2 processes: $(rat1 "$w_rttp")) | $(verdict "$w_rtt" '<=' 1.10) |"
  echo "| Windows: ipcx/raw pipe throughput >= 0.95 (64 KiB writes, 2 threads) | $(rat1 "$w_tp") (2 processes: $(rat1 "$w_tpp")) | $(verdict "$w_tp" '>=' 0.95) |"
  echo "| Windows: no extra wineserver requests per read or write | ipcx - raw = $w_srv per write+read pair | $(verdict "$w_srv" '<=' 0.05) |"
  echo "| Windows: FIFO <= 5 wineserver requests per write+read | $f_srv | $(verdict "$f_srv" '<=' 5) |"
  echo "| Windows: FIFO round trip <= 1.15x ipcx pipe() (64 B, 2 threads) | $f_rtt (2 processes: $f_rttp) | $(verdict "$f_rtt" '<=' 1.15) |"
  echo "| Windows: FIFO throughput >= 0.9x ipcx pipe() (64 KiB writes, 2 threads) | $f_tp (2 processes: $f_tpp) | $(verdict "$f_tp" '>=' 0.9) |"
  echo "| Windows: TCP <= 16 wineserver requests per round trip (raw Winsock: $t_raw) | $t_srv | $(verdict "$t_srv" '<=' 16) |"
  echo "| Windows: ipcx/raw TCP round trip <= 1.10 (64 B, 2 threads) | $(rat1 "$t_rtt") (2 processes: $(rat1 "$t_rttp")) | $(verdict "$t_rtt" '<=' 1.10) |"
  echo "| Windows: ipcx/raw AF_UNIX round trip <= 1.10 (64 B, 2 processes; raw = a named pipe) | $(rat1 "$u_rtt") | $(verdict "$u_rtt" '<=' 1.10) |"
  echo "| Windows: ipcx no slower than libuv: libuv/ipcx round trip >= 1 (64 B; AF_UNIX vs uv_pipe_t, 2 processes) | $(rat1 "$u_lu") (TCP vs uv_tcp_t: $(rat1 "$u_tcp"); pipe vs uv_pipe, 2 threads: $(rat1 "$u_pipe"); throughput libuv/ipcx at 64 KiB, AF_UNIX: $(rat1 "$u_tp")) | $(verdict "$u_lu" '>=' 1) |"
  # Connections: wineserver requests, and connections per second (1e6 / the
  # microseconds of one connect+accept+close; the rate ratio is raw's time / ipcx's).
  c_srv=$(cnt windows unix "wineserver requests per connect+accept+close" 4)
  c_raw=$(cnt windows unix "wineserver requests per connect+accept+close" 5)
  c_lu=$(cnt windows unix "wineserver requests per connect+accept+close" 8)
  c_us=$(get windows conn unix 0 thread 7)
  c_rus=$(get windows conn unix 0 thread 8)
  c_lus=$(get windows conn unix 0 thread 13)
  c_rate=$(ratio "$c_rus" "$c_us")
  echo "| Windows: AF_UNIX connect+accept+close <= 16 wineserver requests (raw named pipe: $c_raw, libuv: $c_lu) | $c_srv | $(verdict "$c_srv" '<=' 16) |"
  echo "| Windows: AF_UNIX connections per second >= 0.8x raw named pipes' (1 thread) | ipcx $(cps "$c_us"), raw $(cps "$c_rus"), libuv $(cps "$c_lus") per s: $c_rate (libuv/raw: $(ratio "$c_rus" "$c_lus")) | $(verdict "$c_rate" '>=' 0.8) |"
  w_shm=$(ratio "$(shmv "$out/shm-windows.txt" shm_rtt_64)" "$(shmv "$out/shm-raw.txt" shm_rtt_64)")
  w_shmt=$(ratio "$(shmv "$out/shm-windows.txt" shm_ring_mbs)" "$(shmv "$out/shm-raw.txt" shm_ring_mbs)")
  echo "| Windows: shm + named semaphores round trip ipcx/raw Win32 <= 1.05 (64 B, 2 processes) | $w_shm | $(verdict "$w_shm" '<=' 1.05) |"
  echo "| Windows: shm ring throughput ipcx/raw Win32 >= 0.95 (2 processes) | $w_shmt | $(verdict "$w_shmt" '>=' 0.95) |"
  echo "| poll() idle CPU = 0 (a thread blocked 200 ms in poll(); verdict: <= 1 ms/s) | Linux $(num1 "$l_idle") ms/s, Windows $(num1 "$w_idle") ms/s | $(verdict "$w_idle" '<=' 1) |"
  echo "| poll() wake-up <= 1.2x read() wake-up (1 fd; verdict on Windows, Linux is the kernel's own) | Linux $lp / $lr us = $l_wake, Windows $wp / $wr us = $w_wake | $(verdict "$w_wake" '<=' 1.2) |"
}
rat1() { case "$1" in n/a|"") echo n/a ;; *) printf '%.2f' "$1" ;; esac; }
# cps US: connections per second for US microseconds each.
cps() { case "$1" in n/a|"") echo n/a ;; *) awk -v u="$1" 'BEGIN { if (u > 0) printf "%.0f", 1e6 / u; else print "n/a" }' ;; esac; }
num1() { case "$1" in n/a|"") echo n/a ;; *) printf '%.2f' "$1" ;; esac; }

{
  echo "# ipcx benchmarks"
  echo
  echo "Machine and run:"
  echo
  sed 's/^/    /' "$out/machine.txt"
  echo
  echo "Medians of $rounds interleaved rounds (ipcx, raw and TCP measured side by side in each round)."
  echo "Latency in microseconds per round trip (lower is better), throughput in MB/s (10^6 bytes;"
  echo "higher is better), connect+accept+close in microseconds."
  echo "Raw: the system calls on Linux; on Windows Win32 named pipes (overlapped, byte mode, 64 KiB"
  echo "buffers) for pipe, socketpair, AF_UNIX and FIFO, Winsock for TCP."
  echo "TCP column: raw TCP loopback (TCP_NODELAY) for the same workload: Winsock directly on Windows."
  echo "libuv: the same workload as a libuv program does it (bench/libuv.c): uv_pipe() between threads"
  echo "for pipe, a uv_pipe_t server and client for AF_UNIX, uv_tcp_t for tcp; libuv/ipcx above 1 for"
  echo "times (below 1 for throughput) means ipcx is faster."
  echo "The tcp rows compare ipcx's AF_INET sockets with the same raw TCP."
  echo
  echo "## Targets"
  echo
  targets_md
  echo
  for p in linux windows; do
    echo "## $p"
    echo
    echo "| workload | ipcx | raw | libuv | TCP | ipcx/raw | libuv/ipcx | ipcx/TCP |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    table_md $p
    echo
    n=$(awk -F, -v p=$p '$1 == p && $12 != "" { print $2, $3, $4, $5 ": " $12 }' "$out/results.csv" | sort -u | head -n 20)
    [ -n "$n" ] && { echo "Not measured:"; echo; echo "$n" | sed 's/^/    /'; echo; }
  done
  echo "## Counts (deterministic)"
  echo
  echo "Per operation = (count for $((2 * N)) - count for $N operations) / $N.  Instructions: callgrind,"
  echo "user space only, collected around the loop (client requests); under Wine this is the whole"
  echo "client side (the program, libipcx, ntdll, the Unix side of Wine), not wineserver."
  echo
  echo "| platform | transport | metric | ipcx | raw | ipcx-raw | ipcx/raw | libuv | libuv/ipcx |"
  echo "|---|---|---|---:|---:|---:|---:|---:|---:|"
  counts_md
  echo
  for p in linux windows; do
    if [ -f "$out/poll-$p.txt" ]; then
      echo "## poll() ($p, bench/poll_latency)"
      echo
      sed 's/^/    /' "$out/poll-$p.txt"
      echo
    fi
  done
  echo "## Shared memory, semaphores, message queues (bench/shm_ipc, bench/shm_raw_win32)"
  echo
  echo "Medians of 5 runs; Windows under Wine.  Raw Win32: CreateFileMapping + named semaphores."
  echo
  shm_md
  echo
  echo "![latency and throughput](chart.png)"
} >"$out/results.md"

# The chart: round trip by message size and throughput by write size under
# Wine (2 processes), wineserver requests per round trip, and the Linux round
# trip (2 threads).  One colour per transport, one line style per variant.
dat() { # PLATFORM WORKLOAD MODE > size, then ipcx raw libuv for pipe unix fifo tcp
  awk -F, -v p="$1" -v w="$2" -v m="$3" '
    function v(x) { return (x == "n/a" || x == "") ? "NaN" : x }
    $1 == p && $2 == w && $5 == m {
      s[$4] = 1; i[$4, $3] = v($7); r[$4, $3] = v($8); u[$4, $3] = v($13) }
    END { n = asort_keys(s, k)
      split("pipe unix fifo tcp", ts, " ")
      for (j = 1; j <= n; j++) { z = k[j]; line = z
        for (q = 1; q <= 4; q++) line = line " " v(i[z, ts[q]]) " " v(r[z, ts[q]]) " " v(u[z, ts[q]])
        print line } }
    function asort_keys(a, out,   x, m, y, tmpv) {
      m = 0; for (x in a) out[++m] = x + 0
      for (x = 1; x <= m; x++) for (y = x + 1; y <= m; y++) if (out[y] < out[x]) { tmpv = out[x]; out[x] = out[y]; out[y] = tmpv }
      return m }' "$out/results.csv"
}
bars() { # > transport ipcx raw libuv (wineserver requests per round trip)
  awk -F, 'function v(x) { return (x == "n/a" || x == "") ? "NaN" : x }
    $1 == "windows" && index($3, "wineserver requests per round trip") == 1 {
      print ($2 == "unix" ? "AF_UNIX" : $2 == "tcp" ? "TCP" : $2 == "fifo" ? "FIFO" : $2), v($4), v($5), v($8) }' "$out/counts.csv"
}
# plot_lines FILE: the plot command for a dat() file.  Columns: 1 size, then
# (ipcx, raw, libuv) x (pipe 2-4, AF_UNIX 5-7, FIFO 8-10, TCP 11-13).
plot_lines() {
  echo "plot \"$1\" u 1:2 w lp ls 1 t 'ipcx pipe()', '' u 1:3 w lp ls 11 t 'raw pipe', '' u 1:4 w lp ls 21 t 'libuv uv_pipe()', \\"
  echo "  '' u 1:5 w lp ls 2 t 'ipcx AF_UNIX', '' u 1:6 w lp ls 12 t 'raw AF_UNIX (Windows: a named pipe)', '' u 1:7 w lp ls 22 t 'libuv uv_pipe_t', \\"
  echo "  '' u 1:8 w lp ls 3 t 'ipcx FIFO', \\"
  echo "  '' u 1:11 w lp ls 4 t 'ipcx TCP', '' u 1:12 w lp ls 14 t 'raw TCP (Winsock, sockets)', '' u 1:13 w lp ls 24 t 'libuv uv_tcp_t'"
}
if ! command -v gnuplot >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  log "installing gnuplot-nox"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q gnuplot-nox >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q gnuplot-nox >/dev/null 2>&1; }
fi
if command -v gnuplot >/dev/null 2>&1; then
  dat windows rtt process >"$out/rtt-windows.dat"
  dat windows tput process >"$out/tput-windows.dat"
  dat linux rtt thread >"$out/rtt-linux.dat"
  bars >"$out/requests.dat"
  wv=$(wine --version 2>/dev/null | head -n 1)
  {
    cat <<GP
set terminal pngcairo size 1600,1200 font ",12" noenhanced
set output "$out/chart.png"
set multiplot layout 2,2 title "ipcx, the raw system calls, libuv and TCP loopback: $(date -u +%Y-%m-%d), medians of $rounds interleaved rounds, $wv" font ",14"
# colour = transport; line = variant: ipcx solid, raw dashed, libuv dotted
set style line 1 lc rgb '#1f77b4' lw 2.5 pt 7 ps 0.9
set style line 2 lc rgb '#d62728' lw 2.5 pt 5 ps 0.9
set style line 3 lc rgb '#2ca02c' lw 2.5 pt 9 ps 1.0
set style line 4 lc rgb '#ff7f0e' lw 2.5 pt 13 ps 1.0
set style line 11 lc rgb '#1f77b4' lw 1.5 dt 2 pt 6 ps 0.9
set style line 12 lc rgb '#d62728' lw 1.5 dt 2 pt 4 ps 0.9
set style line 14 lc rgb '#ff7f0e' lw 1.5 dt 2 pt 12 ps 1.0
set style line 21 lc rgb '#1f77b4' lw 2 dt 3 pt 1 ps 1.2
set style line 22 lc rgb '#d62728' lw 2 dt 3 pt 2 ps 1.2
set style line 24 lc rgb '#ff7f0e' lw 2 dt 3 pt 3 ps 1.2
set grid
set datafile missing "NaN"
set key top left box opaque font ",10"
set logscale x 2
set logscale y 10
set xtics ("1 B" 1, "64 B" 64, "1 KiB" 1024, "16 KiB" 16384, "64 KiB" 65536)
set xrange [0.7:90000]
set xlabel "message size"
set ylabel "round trip, microseconds (log scale; lower is better)"
set title "Windows (Wine): round trip, 2 processes" font ",13"
GP
    plot_lines "$out/rtt-windows.dat"
    cat <<GP
set xtics ("4 KiB" 4096, "64 KiB" 65536, "1 MiB" 1048576)
set xrange [3000:1500000]
set xlabel "write size"
set ylabel "throughput, MB/s (log scale; higher is better)"
set key bottom right
set title "Windows (Wine): one-way throughput, 2 processes" font ",13"
GP
    plot_lines "$out/tput-windows.dat"
    cat <<GP
unset logscale
unset xrange
set xtics auto
set logscale y 10
set yrange [1:300]
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key top left
set xlabel "transport (64 B ping-pong, 2 threads)"
set ylabel "wineserver requests per round trip (log scale)"
set title "Windows (Wine): wineserver requests per round trip (deterministic; about 12 us each)" font ",13"
plot "$out/requests.dat" u 2:xtic(1) t 'ipcx' lc rgb '#1f77b4', '' u 3 t 'raw Win32 / Winsock' lc rgb '#7f7f7f', '' u 4 t 'libuv' lc rgb '#9467bd', \\
  '' u (\$0 - 0.3):2:(sprintf("%.0f", \$2)) w labels offset 0,0.8 notitle, \\
  '' u (\$0):3:(sprintf("%.0f", \$3)) w labels offset 0,0.8 notitle, \\
  '' u (\$0 + 0.3):4:(sprintf("%.0f", \$4)) w labels offset 0,0.8 notitle
set style data linespoints
set style fill empty
unset yrange
set logscale x 2
set logscale y 10
set xtics ("1 B" 1, "64 B" 64, "1 KiB" 1024, "16 KiB" 16384, "64 KiB" 65536)
set xrange [0.7:90000]
set xlabel "message size"
set ylabel "round trip, microseconds (log scale; lower is better)"
set key top left
set title "Linux: round trip, 2 threads" font ",13"
GP
    plot_lines "$out/rtt-linux.dat"
    echo "unset multiplot"
  } >"$out/chart.gp"
  gnuplot "$out/chart.gp" 2>"$out/chart.log" || echo "bench: gnuplot failed (see $out/chart.log)" >&2
else
  echo "bench: no gnuplot (apt-get install gnuplot-nox): no chart" >&2
fi

# --- the table on stdout --------------------------------------------------------
for p in linux windows; do
  echo
  echo "== $p"
  printf "%-52s %9s %9s %9s %9s %8s %8s %8s\n" workload ipcx raw libuv TCP ipcx/raw libuv/ipcx ipcx/TCP
  table_txt $p
done
echo
echo "== counts"
awk -F, 'NR > 1 { printf "%-8s %-10s %-52s %8s %8s %8s %8s\n", $1, $2, $3, $4, $5, $8, $7 }' "$out/counts.csv"
echo
echo "== shared memory, semaphores, message queues"
shm_md | tail -n +3 | sed 's/^| //; s/ |$//; s/ | /  :  /g'
echo
echo "== targets"
targets_md | tail -n +3 | sed 's/^| //; s/ |$//; s/ | /  :  /g'
echo
t_all=$(( $(date +%s) - t_start ))
echo "bench: $out/results.md, results.csv, counts.csv, chart.png ($t_all s)"
echo "total: $t_all s" >>"$out/machine.txt"
