#!/bin/sh
# buildsys-test.sh NATIVE_BUILD WINDOWS_BUILD: an unchanged Unix project's
# build system against ipcx's Windows install (issue 16).  ipcx is installed
# for Windows (and natively) into build/buildsys-test/, then:
#   - a small autoconf project is configured with --host=x86_64-w64-mingw32
#     and pkg-config's flags: AC_CHECK_FUNCS must find every POSIX name
#     ipcx exports (posix-names.txt, which must hold the core list below)
#     and must not find fork;
#   - a small CMake project (find_package(ipcx), the toolchain file in cmake/)
#     must see the core names with check_function_exists, and not fork, build one program
#     against ipcx::ipcx and one against ipcx::ipcx_shared, and both must
#     print under Wine what the native build prints;
#   - the same program through pkg_check_modules(ipcx) and (ipcx-dll);
#   - the same CMake project natively against the native install.
set -eu
nb=$1 wb=$2
top=$(pwd)
t=$top/build/buildsys-test
rm -rf "$t"
mkdir -p "$t/autoconf" "$t/cmake"
make -s install CROSS=x86_64-w64-mingw32- PREFIX="$t/windows" >/dev/null
make -s install PREFIX="$t/linux" >/dev/null
fail=0
bad() { echo "build systems test: $*"; fail=1; }

core="socketpair pipe pipe2 mkfifo poll posix_spawn posix_spawnp waitpid kill fcntl accept4 mmap setenv unsetenv getuid strsignal"
names=$(cat "$wb/posix-names.txt")
for f in $core; do
  echo "$names" | grep -qx "$f" || bad "$f is not among the POSIX names libipcx exports"
done
upper() { echo "$1" | tr 'a-z' 'A-Z'; }

# libipcx.a and ipcx.dll define no other POSIX name, so a program that does
# not use the headers keeps the CRT's and Winsock's read, socket, select ...
x86_64-w64-mingw32-nm -g --defined-only "$wb/libipcx.a" | awk 'NF >= 3 { print $3 }' \
  | grep -v '^ipcx_' | grep -v '^\.refptr\.' | sort -u >"$t/lib-names.txt"
x86_64-w64-mingw32-objdump -p "$wb/ipcx.dll" | sed -n '/Ordinal\/Name Pointer/,/^$/p' \
  | awk '$1 == "[" || $1 ~ /^\[[0-9]/ { print $NF }' | grep -v '^ipcx_' | sort -u >"$t/dll-names.txt"
sort -u "$wb/posix-names.txt" >"$t/posix-names.txt"
cmp -s "$t/lib-names.txt" "$t/posix-names.txt" || { bad "libipcx.a defines other names than posix-names.txt:"; diff "$t/posix-names.txt" "$t/lib-names.txt" || true; }
cmp -s "$t/dll-names.txt" "$t/posix-names.txt" || { bad "ipcx.dll exports other names than posix-names.txt:"; diff "$t/posix-names.txt" "$t/dll-names.txt" || true; }
for f in read write close open socket send recv accept connect select dup dup2 stat fstat lseek isatty strerror; do
  grep -qx "$f" "$t/lib-names.txt" && bad "libipcx.a defines $f, which MinGW has"
done
echo "build systems test: libipcx.a and ipcx.dll carry $(wc -l <"$t/posix-names.txt") POSIX names, none MinGW has (not read, socket, select, strerror ...)"

# The program both projects build: plain POSIX C.
cat >"$t/ported.c" <<'C'
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void)
{
  int sv[2];
  char buf[8] = "";
  struct pollfd p;
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0 || write(sv[0], "ported", 6) != 6)
    return 1;
  p.fd = sv[1];
  p.events = POLLIN;
  if (poll(&p, 1, 5000) != 1 || read(sv[1], buf, sizeof buf - 1) != 6)
    return 2;
  printf("%s: socketpair, write, poll, read (%d)\n", buf, (int)strlen(buf));
  return close(sv[0]) | close(sv[1]);
}
C

# --- autoconf -----------------------------------------------------------------
cd "$t/autoconf"
{
  echo 'AC_INIT([ported], [1.0])'
  echo 'AC_CONFIG_HEADERS([config.h])'
  echo 'AC_PROG_CC'
  echo 'AC_CHECK_HEADERS([sys/socket.h sys/un.h poll.h spawn.h sys/wait.h])'
  echo "AC_CHECK_FUNCS([$(echo $names) fork])"
  # uid_t and gid_t are looked for in <sys/types.h> alone; a "#define uid_t
  # int" would break ipcx.h's typedef and every check after it.
  echo 'AC_TYPE_PID_T'
  echo 'AC_TYPE_SSIZE_T'
  echo 'AC_TYPE_MODE_T'
  echo 'AC_TYPE_UID_T'
  echo 'AC_CHECK_TYPES([socklen_t, struct sockaddr_un, nfds_t], [], [], [[#include <sys/socket.h>'
  echo '#include <sys/un.h>'
  echo '#include <poll.h>]])'
  echo 'AC_OUTPUT'
} >configure.ac
autoheader && autoconf
pc="env PKG_CONFIG_PATH=$t/windows/lib/pkgconfig pkg-config"
if ./configure --host=x86_64-w64-mingw32 CPPFLAGS="$($pc --cflags ipcx)" LIBS="$($pc --libs ipcx)" \
     >configure.out 2>&1; then
  for f in $names; do
    grep -q "^#define HAVE_$(upper "$f") 1" config.h || bad "autoconf: AC_CHECK_FUNCS does not find $f"
  done
  for h in SYS_SOCKET_H SYS_UN_H POLL_H SPAWN_H SYS_WAIT_H; do
    grep -q "^#define HAVE_$h 1" config.h || bad "autoconf: AC_CHECK_HEADERS does not find $h"
  done
  grep -q "^#define HAVE_FORK 1" config.h && bad "autoconf finds fork, which ipcx does not provide"
  for ty in pid_t ssize_t mode_t uid_t gid_t; do
    grep -q "^#define $ty " config.h && bad "autoconf: AC_TYPE_* does not find $ty (config.h defines it)"
  done
  for ty in SOCKLEN_T STRUCT_SOCKADDR_UN NFDS_T; do
    grep -q "^#define HAVE_$ty 1" config.h || bad "autoconf: AC_CHECK_TYPES does not find $ty"
  done
  echo "build systems test: autoconf --host=x86_64-w64-mingw32 finds $(echo $names | wc -w) POSIX functions ($(echo $core | tr ' ' ,) ...), the headers and types (AC_TYPE_UID_T, socklen_t ...); not fork"
else
  tail -n 30 config.log
  bad "autoconf: configure --host=x86_64-w64-mingw32 fails"
fi
cd "$top"

# --- CMake --------------------------------------------------------------------
cmake_project() {
  dir=$1
  mkdir -p "$dir"
  cp "$t/ported.c" "$dir/"
  {
    echo 'cmake_minimum_required(VERSION 3.13)'
    echo 'project(ported C)'
    echo 'find_package(ipcx 0.1 REQUIRED)'
    echo 'include(CheckFunctionExists)'
    echo 'set(CMAKE_REQUIRED_LIBRARIES ipcx::ipcx)'
    echo 'set(found "")'
    echo "foreach(f IN ITEMS $2)"
    echo '  check_function_exists(${f} HAVE_${f})'
    echo '  if(HAVE_${f})'
    echo '    list(APPEND found ${f})'
    echo '  endif()'
    echo 'endforeach()'
    echo 'file(WRITE ${CMAKE_BINARY_DIR}/found.txt "${found}")'
    echo 'add_executable(ported ported.c)'
    echo 'target_link_libraries(ported ipcx::ipcx)'
    echo 'add_executable(ported_shared ported.c)'
    echo 'target_link_libraries(ported_shared ipcx::ipcx_shared)'
  } >"$dir/CMakeLists.txt"
}

cmake_project "$t/cmake/win" "$core fork"
if cmake -S "$t/cmake/win" -B "$t/cmake/win/b" -DCMAKE_TOOLCHAIN_FILE="$top/cmake/mingw-w64-x86_64.cmake" \
     -DCMAKE_PREFIX_PATH="$t/windows" >"$t/cmake/win.out" 2>&1 \
   && cmake --build "$t/cmake/win/b" >>"$t/cmake/win.out" 2>&1; then
  found=$(tr ';' '\n' <"$t/cmake/win/b/found.txt")
  for f in $core; do
    echo "$found" | grep -qx "$f" || bad "CMake: check_function_exists does not find $f"
  done
  echo "$found" | grep -qx fork && bad "CMake finds fork, which ipcx does not provide"
  echo "build systems test: CMake (find_package(ipcx), toolchain file) finds $(echo $core | tr ' ' ,); not fork"
else
  tail -n 30 "$t/cmake/win.out"
  bad "CMake: the Windows project does not configure or build"
fi

# The same program through pkg-config: pkg_check_modules(... IMPORTED_TARGET ipcx)
# and ipcx-dll, cross-built with the toolchain file (CMake moves a bare library
# path into link options, before the objects, and finds no -L library outside
# the find root: ipcx.pc must survive both).
for m in ipcx ipcx-dll; do
  d="$t/cmake/pc-$m"
  mkdir -p "$d"
  cp "$t/ported.c" "$d/"
  {
    echo 'cmake_minimum_required(VERSION 3.13)'
    echo 'project(ported C)'
    echo 'find_package(PkgConfig REQUIRED)'
    echo "pkg_check_modules(IPCX REQUIRED IMPORTED_TARGET $m)"
    echo 'include(CheckFunctionExists)'
    echo 'set(CMAKE_REQUIRED_LIBRARIES PkgConfig::IPCX)'
    echo 'check_function_exists(socketpair HAVE_SOCKETPAIR)'
    echo 'if(NOT HAVE_SOCKETPAIR)'
    echo '  message(FATAL_ERROR "check_function_exists(socketpair) fails")'
    echo 'endif()'
    echo 'add_executable(ported ported.c)'
    echo 'target_link_libraries(ported PkgConfig::IPCX)'
  } >"$d/CMakeLists.txt"
  if PKG_CONFIG_LIBDIR="$t/windows/lib/pkgconfig" cmake -S "$d" -B "$d/b" \
       -DCMAKE_TOOLCHAIN_FILE="$top/cmake/mingw-w64-x86_64.cmake" >"$d.out" 2>&1 \
     && cmake --build "$d/b" >>"$d.out" 2>&1; then
    dlls=$(x86_64-w64-mingw32-objdump -p "$d/b/ported.exe" | sed -n 's/.*DLL Name: //p' | tr 'A-Z\n' 'a-z ')
    case "$m:$dlls" in
      ipcx:*ipcx.dll*|ipcx:*winpthread*) bad "pkg_check_modules(ipcx) links a DLL: $dlls" ;;
      ipcx-dll:*ipcx.dll*) cp "$t/windows/bin/ipcx.dll" "$d/b/" ;;
      ipcx-dll:*) bad "pkg_check_modules(ipcx-dll) does not link ipcx.dll: $dlls" ;;
    esac
  else
    tail -n 30 "$d.out"
    bad "CMake: pkg_check_modules($m) project does not configure or build"
  fi
done
echo "build systems test: CMake pkg_check_modules(ipcx) and (ipcx-dll) find socketpair and link"

cmake_project "$t/cmake/linux" "socketpair poll fork"
if cmake -S "$t/cmake/linux" -B "$t/cmake/linux/b" -DCMAKE_PREFIX_PATH="$t/linux" >"$t/cmake/linux.out" 2>&1 \
   && cmake --build "$t/cmake/linux/b" >>"$t/cmake/linux.out" 2>&1; then
  "$t/cmake/linux/b/ported" >"$t/linux.txt" || bad "the native CMake-built program fails"
  LD_LIBRARY_PATH="$t/linux/lib" "$t/cmake/linux/b/ported_shared" >"$t/linux-shared.txt" \
    || bad "the native CMake-built program against libipcx.so fails"
  cmp -s "$t/linux.txt" "$t/linux-shared.txt" || bad "the native programs print differently"
else
  tail -n 30 "$t/cmake/linux.out"
  bad "CMake: the native project does not configure or build"
fi

if [ -f "$t/cmake/win/b/ported.exe" ] && [ -f "$t/cmake/win/b/ported_shared.exe" ]; then
  cp "$t/windows/bin/ipcx.dll" "$t/cmake/win/b/"
  x86_64-w64-mingw32-objdump -p "$t/cmake/win/b/ported_shared.exe" | grep -q "DLL Name: ipcx.dll" \
    || bad "ported_shared.exe (ipcx::ipcx_shared) does not use ipcx.dll"
  x86_64-w64-mingw32-objdump -p "$t/cmake/win/b/ported.exe" | grep -q "DLL Name: ipcx.dll" \
    && bad "ported.exe (ipcx::ipcx) uses ipcx.dll"
  . wine-tests/wine.sh
  for exe in ported ported_shared; do
    wine_run 120 "$t/$exe.txt" "$t/cmake/win/b/$exe.exe" || bad "$exe.exe fails under Wine"
    cmp -s "$t/linux.txt" "$t/$exe.txt" || { bad "$exe.exe prints differently under Wine:"; diff "$t/linux.txt" "$t/$exe.txt" || true; }
  done
  for m in ipcx ipcx-dll; do
    [ -f "$t/cmake/pc-$m/b/ported.exe" ] || continue
    wine_run 120 "$t/pc-$m.txt" "$t/cmake/pc-$m/b/ported.exe" || bad "pkg_check_modules($m) program fails under Wine"
    cmp -s "$t/linux.txt" "$t/pc-$m.txt" || bad "pkg_check_modules($m) program prints differently under Wine"
  done
  echo "build systems test: ipcx::ipcx and ipcx::ipcx_shared programs print under Wine what the native ones print: $(cat "$t/linux.txt")"
fi

[ $fail -eq 0 ] || exit 1
echo "build systems test: passed"
