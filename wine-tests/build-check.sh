#!/bin/sh
# build-check.sh BUILD_DIR
#
# Builds the Check unit-test library (libcheck) as a static library for
# x86_64-w64-mingw32, from Debian 12 (bookworm)'s `check` source package, so
# the Windows unit tests (run under Wine) can link against it.  No copy of
# Check is kept in the repository.
#
# Result:
#   BUILD_DIR/include/check.h, BUILD_DIR/include/check_stdint.h
#   BUILD_DIR/lib/libcheck.a        (static, x86_64-w64-mingw32)
#   BUILD_DIR/lib/check-libs.txt    (one line: the extra link flags a test
#                                    program needs after libcheck.a)
#   BUILD_DIR/build-check.log       (log of the last build)
#
# Idempotent: exits 0 at once if BUILD_DIR/lib/libcheck.a exists.  The build
# happens in a temp dir under BUILD_DIR and libcheck.a is moved into place
# last, so an interrupted run is simply redone next time.
#
# The source is fetched by debian-source.sh (apt-get with a private sources
# list, lists dir and cache under the temp dir; the machine's apt
# configuration is untouched).
#
# Notes on the configuration:
#  - Check has no fork() on Windows, so it runs tests in no-fork mode; tests
#    are not isolated and Check's per-test timeouts do not apply.
#  - LIBS=-lwinpthread lets configure find mingw-w64's clock_gettime.  Without
#    it Check's libcompat puts its own clock_gettime (which always returns 0)
#    into libcheck.a, where it would silently replace the real one in any test
#    program linked with libcheck.
#  - -D__USE_MINGW_ANSI_STDIO=1 makes libcheck's printf family mingw-w64's C99
#    one (%jd, %lld, %zu all work), and the hw_cv_* answers tell configure so;
#    otherwise, being unable to run a test when cross-compiling, it would put
#    in Check's own snprintf replacement, whose %lld support is commented out
#    (ck_assert_msg(x, "%lld", v) would print "d").
#  - The installed check.h is patched to declare gnu_printf format attributes
#    (see below), so tests built with -Wall -Wformat see no false warnings.
#
# Needs: x86_64-w64-mingw32-gcc, make, apt-get, tar (dpkg-source is used if
# present).  Run as root (apt-get update into the private lists dir).
set -eu

HOST=x86_64-w64-mingw32
CC=${CC_MINGW:-$HOST-gcc}

if [ $# -ne 1 ]; then
    echo "usage: $0 BUILD_DIR" >&2
    exit 2
fi
if [ -f "$1/lib/libcheck.a" ]; then
    exit 0
fi

for tool in "$CC" make apt-get tar; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "build-check: '$tool' not found" >&2
        exit 1
    }
done

mkdir -p "$1"
BUILD_DIR=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
LOG_NAME=build-check.log

# Leftovers of runs that were killed outright (a trap cleans up otherwise).
find "$BUILD_DIR" -maxdepth 1 -name 'tmp.build-check.*' -mmin +60 \
    -exec rm -rf {} + 2>/dev/null || true

TMP=$(mktemp -d "$BUILD_DIR/tmp.build-check.XXXXXX")
chmod 755 "$TMP" # apt's unprivileged download user must reach its files
LOG=$TMP/$LOG_NAME
: >"$LOG"

cleanup() {
    status=$?
    trap - EXIT
    cp "$LOG" "$BUILD_DIR/$LOG_NAME" 2>/dev/null || true
    if [ "$status" -ne 0 ]; then
        echo "build-check: FAILED (exit $status); last lines of $BUILD_DIR/$LOG_NAME:" >&2
        tail -n 40 "$LOG" >&2 || true
    fi
    rm -rf "$TMP"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Run a command with its output going to the log.
run() {
    echo "+ $*" >>"$LOG"
    "$@" >>"$LOG" 2>&1
}

# --- fetch and unpack the source package (debian-source.sh) ------------------
SRC=$TMP/check
echo "build-check: fetching Check source (bookworm)"
# Debian's patches only touch tests, docs, checkmk and the .pc file, none of
# which is built here, so the upstream tarball alone would do as well.
run sh "$HERE/debian-source.sh" check "$SRC" "$TMP/src"

# --- configure and build just the library ------------------------------------
echo "build-check: building libcheck for $HOST (log: $BUILD_DIR/$LOG_NAME)"
cd "$SRC"
if ! run ./configure --host="$HOST" --prefix="$TMP/inst" \
    --disable-shared --enable-static \
    --disable-subunit --disable-fork --disable-timeout-tests \
    --disable-build-docs --disable-dependency-tracking --enable-silent-rules \
    CC="$CC" CFLAGS="-O2 -D__USE_MINGW_ANSI_STDIO=1" LIBS=-lwinpthread \
    ac_cv_func_malloc_0_nonnull=yes ac_cv_func_realloc_0_nonnull=yes \
    hw_cv_func_vsnprintf_c99=yes hw_cv_func_snprintf_c99=yes; then
    tail -n 30 config.log >>"$LOG"
    exit 1
fi
JOBS=$(nproc 2>/dev/null || echo 1)
run make -j"$JOBS" -C lib
run make -j"$JOBS" -C src

OUT=$TMP/out
mkdir -p "$OUT/include" "$OUT/lib"
cp src/check.h check_stdint.h "$OUT/include/"
# check.h marks its assertion functions as format(printf, ...), which mingw
# GCC takes as the msvcrt dialect and so warns (-Wformat) on the %jd that the
# ck_assert_int_* macros use.  libcheck formats those messages with mingw-w64's
# C99 vsnprintf (__USE_MINGW_ANSI_STDIO=1), so gnu_printf is the right archetype.
sed -i 's/CK_ATTRIBUTE_FORMAT(printf, /CK_ATTRIBUTE_FORMAT(gnu_printf, /' \
    "$OUT/include/check.h"
if grep -q 'CK_ATTRIBUTE_FORMAT(printf' "$OUT/include/check.h"; then
    echo "build-check: check.h format attributes not patched" >>"$LOG"
    exit 1
fi
cp src/.libs/libcheck.a "$OUT/lib/"

# --- find the link flags a test program needs --------------------------------
# Link a probe with the whole archive so every dependency of libcheck shows.
cat >"$TMP/probe.c" <<'EOF'
#include <check.h>
int main(void)
{
    SRunner *sr = srunner_create(suite_create("probe"));
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_SILENT);
    srunner_free(sr);
    return 0;
}
EOF
LIBS_FOUND=
for flags in "" "-lwinpthread" "-pthread" "-lwinpthread -lm"; do
    # shellcheck disable=SC2086 # $flags is a word list
    if run "$CC" -static -I"$OUT/include" "$TMP/probe.c" \
        -Wl,--whole-archive "$OUT/lib/libcheck.a" -Wl,--no-whole-archive \
        $flags -o "$TMP/probe.exe"; then
        LIBS_FOUND=yes
        break
    fi
done
if [ -z "$LIBS_FOUND" ]; then
    echo "build-check: could not link a test program against libcheck.a" >>"$LOG"
    exit 1
fi
echo "$flags" >"$OUT/lib/check-libs.txt"

# --- install: headers, flags, then libcheck.a last ----------------------------
mkdir -p "$BUILD_DIR/include" "$BUILD_DIR/lib"
mv -f "$OUT/include/check.h" "$OUT/include/check_stdint.h" "$BUILD_DIR/include/"
mv -f "$OUT/lib/check-libs.txt" "$BUILD_DIR/lib/"
mv -f "$OUT/lib/libcheck.a" "$BUILD_DIR/lib/libcheck.a"

echo "build-check: done: $BUILD_DIR/lib/libcheck.a (link with: libcheck.a $flags)"
