#!/bin/sh
# build-libuv.sh BUILD_DIR: libuv for make bench's libuv column.
#
#  - Windows: builds libuv as a static library for x86_64-w64-mingw32 from
#    Debian 12's libuv1 source package (fetched by wine-tests/debian-source.sh,
#    as Check is for the tests), with CMake and a toolchain file.  Result:
#    BUILD_DIR/include/uv.h (+ uv/), BUILD_DIR/lib/libuv.a, and the log
#    BUILD_DIR/build-libuv.log.  Nothing is committed; exits at once when
#    libuv.a is there, and moves it into place last, so an interrupted run is
#    redone next time.
#  - Linux: installs Debian's libuv1-dev when uv.h is missing (as root).
#
# Not part of make check.  Without cmake (or on failure) make bench goes on
# without the libuv column.
set -eu

HOST=x86_64-w64-mingw32
if [ $# -ne 1 ]; then
    echo "usage: $0 BUILD_DIR" >&2
    exit 2
fi
HERE=$(cd "$(dirname "$0")/.." && pwd)

# apt_install PACKAGE: as root, through apt-get (update once if need be).
apt_install() {
    [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || return 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1" >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null 2>&1 &&
          DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1" >/dev/null 2>&1; }
}

if [ ! -f /usr/include/uv.h ]; then
    echo "build-libuv: installing libuv1-dev (the native libuv column)"
    apt_install libuv1-dev || echo "build-libuv: no libuv1-dev: no native libuv column" >&2
fi

[ -f "$1/lib/libuv.a" ] && exit 0
command -v cmake >/dev/null 2>&1 || apt_install cmake || true
for tool in cmake "$HOST-gcc" apt-get; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "build-libuv: '$tool' not found: no libuv column under Wine" >&2
        exit 1
    }
done

mkdir -p "$1"
BUILD_DIR=$(cd "$1" && pwd)
find "$BUILD_DIR" -maxdepth 1 -name 'tmp.build-libuv.*' -mmin +60 -exec rm -rf {} + 2>/dev/null || true
TMP=$(mktemp -d "$BUILD_DIR/tmp.build-libuv.XXXXXX")
LOG=$BUILD_DIR/build-libuv.log
trap 'rm -rf "$TMP"' EXIT
: >"$LOG"

echo "build-libuv: fetching and building libuv for $HOST (log: $LOG)"
if ! sh "$HERE/wine-tests/debian-source.sh" libuv1 "$TMP/libuv" "$TMP/src" >>"$LOG" 2>&1; then
    echo "build-libuv: could not fetch libuv1's source (see $LOG)" >&2
    exit 1
fi
cat >"$TMP/toolchain.cmake" <<TC
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_C_COMPILER $HOST-gcc)
set(CMAKE_RC_COMPILER $HOST-windres)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
TC
if ! { cmake -S "$TMP/libuv" -B "$TMP/build" -DCMAKE_TOOLCHAIN_FILE="$TMP/toolchain.cmake" \
         -DCMAKE_BUILD_TYPE=Release -DLIBUV_BUILD_TESTS=OFF -DLIBUV_BUILD_BENCH=OFF &&
       make -C "$TMP/build" -j"$(nproc 2>/dev/null || echo 1)" uv_a; } >>"$LOG" 2>&1; then
    echo "build-libuv: the build failed (see $LOG)" >&2
    exit 1
fi
mkdir -p "$BUILD_DIR/lib"
rm -rf "$BUILD_DIR/include"
cp -r "$TMP/libuv/include" "$BUILD_DIR/include"
mv -f "$TMP/build/libuv_a.a" "$BUILD_DIR/lib/libuv.a"
echo "build-libuv: done: $BUILD_DIR/lib/libuv.a"
