#!/bin/sh
# deps.sh: install what `make check` and `make demo` need on Debian 12, when missing.
# As root it runs apt-get; with sudo it uses sudo; otherwise it prints the line to run.
set -eu

pkgs=""
command -v gcc >/dev/null 2>&1 || pkgs="$pkgs gcc"
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || pkgs="$pkgs gcc-mingw-w64-x86-64"
command -v wine >/dev/null 2>&1 || pkgs="$pkgs wine wine64"
command -v pkg-config >/dev/null 2>&1 || pkgs="$pkgs pkg-config"
pkg-config --exists check 2>/dev/null || pkgs="$pkgs check"
command -v dpkg-source >/dev/null 2>&1 || pkgs="$pkgs dpkg-dev"
# The header test compiles every drop-in header as C++17 too; the build-system
# test configures an autoconf and a CMake project; make win-clang links with lld.
command -v x86_64-w64-mingw32-g++ >/dev/null 2>&1 || pkgs="$pkgs g++-mingw-w64-x86-64"
command -v autoconf >/dev/null 2>&1 || pkgs="$pkgs autoconf"
command -v cmake >/dev/null 2>&1 || pkgs="$pkgs cmake"
command -v ld.lld >/dev/null 2>&1 || pkgs="$pkgs lld"
# make check's short fuzz run (wine-tests/fuzz.sh): clang with its libFuzzer runtime.
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return !d + (int)n; }\n' |
  clang -fsanitize=fuzzer -x c - -o /dev/null >/dev/null 2>&1 || pkgs="$pkgs clang libclang-rt-14-dev"

[ -z "$pkgs" ] && exit 0

line="apt-get install -y --no-install-recommends$pkgs"
if [ "$(id -u)" = 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo="sudo"
else
  echo "ipcx needs:$pkgs" >&2
  echo "run as root: apt-get update && $line" >&2
  exit 1
fi
echo "installing:$pkgs"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q >/dev/null
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $pkgs >/dev/null
