#!/bin/sh
# install-test.sh: install both targets into a temporary prefix, build an
# unchanged Unix example against the installed files only (pkg-config), run
# it natively and under Wine, and compare the outputs; then uninstall.
set -eu
t=$(pwd)/build/install-test
rm -rf "$t"
mkdir -p "$t"
make -s install PREFIX="$t/linux" >/dev/null
make -s install CROSS=x86_64-w64-mingw32- PREFIX="$t/windows" >/dev/null

for ex in pipe_demo; do
  # shellcheck disable=SC2046
  gcc -o "$t/$ex" examples/$ex.c -pthread \
    $(PKG_CONFIG_PATH="$t/linux/lib/pkgconfig" pkg-config --cflags --libs ipcx)
  LD_LIBRARY_PATH="$t/linux/lib" "$t/$ex" >"$t/$ex.linux.txt"
  # shellcheck disable=SC2046
  x86_64-w64-mingw32-gcc -o "$t/$ex.exe" examples/$ex.c \
    $(PKG_CONFIG_PATH="$t/windows/lib/pkgconfig" pkg-config --cflags --libs ipcx)
  # shellcheck disable=SC2046
  x86_64-w64-mingw32-gcc -o "$t/$ex-static.exe" examples/$ex.c \
    $(PKG_CONFIG_PATH="$t/windows/lib/pkgconfig" pkg-config --static --cflags --libs ipcx)
  # Against ipcx.dll (ipcx-dll.pc): the DLL goes beside the program.
  # shellcheck disable=SC2046
  x86_64-w64-mingw32-gcc -o "$t/$ex-dll.exe" examples/$ex.c \
    $(PKG_CONFIG_PATH="$t/windows/lib/pkgconfig" pkg-config --cflags --libs ipcx-dll)
  cp "$t/windows/bin/ipcx.dll" "$t/"
done

. wine-tests/wine.sh
for ex in pipe_demo; do
  for exe in "$ex" "$ex-static" "$ex-dll"; do
    wine_run 120 "$t/$exe.windows.txt" "$t/$exe.exe"
    if ! cmp -s "$t/$ex.linux.txt" "$t/$exe.windows.txt"; then
      echo "install test: $exe prints differently under Wine:"
      diff "$t/$ex.linux.txt" "$t/$exe.windows.txt" || true
      exit 1
    fi
  done
done

make -s uninstall PREFIX="$t/linux"
make -s uninstall CROSS=x86_64-w64-mingw32- PREFIX="$t/windows"
if ! x86_64-w64-mingw32-objdump -p "$t/$ex-dll.exe" | grep -q "DLL Name: ipcx.dll"; then
  echo "install test: $ex-dll.exe does not use ipcx.dll"
  exit 1
fi
left=$(find "$t/linux" "$t/windows" -type f | wc -l)
if [ "$left" -ne 0 ]; then
  echo "install test: uninstall left files:"
  find "$t/linux" "$t/windows" -type f
  exit 1
fi
echo "install test: installed, built with pkg-config (static, --static and against ipcx.dll), same output natively and under Wine, uninstalled"
