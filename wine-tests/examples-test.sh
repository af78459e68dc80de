#!/bin/sh
# examples-test.sh NATIVE_BUILD WINDOWS_BUILD EXAMPLE...: run each example
# natively and under Wine (from a scratch folder) and require the same output.
# Examples: pipe_demo, echo (echo_server + two echo_clients), fdpass (fdpass_recv +
# fdpass_send), poll_echo, dgram_echo, shm_prodcons,
# sigterm_server,
# fifo_rpc, sort_pipe.  Output whose order depends on scheduling is sorted.
set -eu
nb=$(cd "$1" && pwd) wb=$(cd "$2" && pwd)
shift 2
t=$(pwd)/build/examples-test
rm -rf "$t"
mkdir -p "$t/linux" "$t/windows"
. wine-tests/wine.sh

# run_one TARGET NAME: run example NAME for TARGET (linux|windows) in $t/TARGET.
run_one() {
  target=$1 name=$2
  if [ "$target" = linux ]; then run="" dir=$nb ext=""; else run="timeout 120 wine" dir=$wb ext=".exe"; fi
  cd "$t/$target"
  case $name in
    echo)
      $run "$dir/examples/echo_server$ext" echo.sock 2 >server.out 2>&1 &
      spid=$!
      $run "$dir/examples/echo_client$ext" echo.sock hello world >client1.out 2>&1 || true
      $run "$dir/examples/echo_client$ext" echo.sock again >client2.out 2>&1 || true
      wait $spid || true
      cat client1.out client2.out server.out ;;
    fdpass)
      $run "$dir/examples/fdpass_recv$ext" fdpass.sock >recv.out 2>&1 &
      rpid=$!
      $run "$dir/examples/fdpass_send$ext" fdpass.sock >send.out 2>&1 || true
      wait $rpid || true
      cat send.out recv.out ;;
    fifo_rpc)
      $run "$dir/examples/fifo_rpc$ext" 2>&1 | sort ;;
    sort_pipe)
      # Windows has no Unix sort: the project's sort.exe goes first on PATH.
      WINEPATH="Z:$(echo "$dir/examples" | tr / '\\')" $run "$dir/examples/sort_pipe$ext" 2>&1 ;;
    *)
      $run "$dir/examples/$name$ext" 2>&1 ;;
  esac | tr -d '\r' >"$name.out"
  cd - >/dev/null
}

status=0
for ex in "$@"; do
  run_one linux "$ex"
  run_one windows "$ex"
  if cmp -s "$t/linux/$ex.out" "$t/windows/$ex.out"; then
    echo "example $ex: same output natively and under Wine ($(wc -l <"$t/linux/$ex.out") lines)"
  else
    echo "example $ex: outputs differ"
    diff "$t/linux/$ex.out" "$t/windows/$ex.out" || true
    status=1
  fi
done
exit $status
