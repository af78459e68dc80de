#!/bin/sh
# headers-test.sh WINDOWS_BUILD: the drop-in headers of compat/ declare what
# POSIX declares and little else (issue 16).  For every header of compat/:
#   - it compiles alone, without a warning, under -Wall -Wextra -pedantic with
#     -std=c99, c11, c17 and gnu11, and with g++ -std=c++17;
#   - it does not bring <windows.h> or <winsock2.h>, nor define min, max,
#     near, far, interface, ERROR, IN, OUT, OPTIONAL, DELETE, CONST or VOID;
# after each of the headers issue 16 names, the macro count stays within
# twice glibc's (measured here with the native gcc); a program that uses the
# identifiers <windows.h> would take builds and links; a program that
# includes <windows.h>, <winsock2.h> and <ws2tcpip.h> itself, before or after
# ours, builds, its POSIX calls go to ipcx_* and its Winsock calls to Winsock.
# CC picks the compiler (default x86_64-w64-mingw32-gcc); CXX the C++ one.
set -eu
wb=$1
CC=${CC:-x86_64-w64-mingw32-gcc}
CXX=${CXX:-x86_64-w64-mingw32-g++}
NM=${NM:-x86_64-w64-mingw32-nm}
t=build/headers-test
rm -rf "$t"
mkdir -p "$t"
fail=0
bad() { echo "headers test: $*"; fail=1; }
inc="-Icompat -Iinclude"
warn="-Wall -Wextra -pedantic -Werror"

# Every drop-in header, whoever added it; the Windows wrappers and compat's
# own helpers are not POSIX headers.
wrappers="windows.h winsock.h winsock2.h ws2ipdef.h ws2tcpip.h"
headers=$(cd compat && find . -name '*.h' ! -name 'ipcx_*' | sed 's|^\./||' | sort)
for w in $wrappers; do headers=$(echo "$headers" | grep -vx "$w"); done
stolen="min max near far interface ERROR IN OUT OPTIONAL DELETE CONST VOID"

# Each header alone in C99 and C++17; all of them together in the other modes.
n=0
: >"$t/all.c"
for h in $headers; do
  n=$((n + 1))
  printf '#include <%s>\n' "$h" >>"$t/all.c"
  printf '#include <%s>\nint ipcx_headers_test_%d;\n' "$h" "$n" >"$t/one.c"
  $CC $inc -std=c99 $warn -c -o "$t/one.o" "$t/one.c" >"$t/one.txt" 2>&1 \
    || { bad "<$h> with -std=c99:"; cat "$t/one.txt"; }
  cp "$t/one.c" "$t/one.cc"
  $CXX $inc -std=c++17 $warn -c -o "$t/one.o" "$t/one.cc" >"$t/one.txt" 2>&1 \
    || { bad "<$h> with $CXX -std=c++17:"; cat "$t/one.txt"; }
  $CC $inc -dM -E "$t/one.c" >"$t/macros.txt"
  for w in _INC_WINDOWS _WINSOCKAPI_ _WINSOCK2API_ $stolen; do
    grep -Eq "^#define $w[ (]" "$t/macros.txt" && bad "<$h> defines $w"
  done
done
printf 'int ipcx_headers_test;\n' >>"$t/all.c"
for std in c11 c17 gnu11; do
  $CC $inc -std=$std $warn -c -o "$t/all.o" "$t/all.c" || bad "the headers together warn with -std=$std"
done
# ... and with the feature macros portable code sets.
for d in _POSIX_SOURCE _POSIX_C_SOURCE=200809L _XOPEN_SOURCE=700 _GNU_SOURCE; do
  $CC $inc -D$d -std=c99 $warn -c -o "$t/all.o" "$t/all.c" || bad "the headers together warn with -D$d"
done
echo "headers test: $n headers, alone, -std=c99/c11/c17/gnu11 -pedantic, with _POSIX_SOURCE, _POSIX_C_SOURCE, _XOPEN_SOURCE, _GNU_SOURCE, and C++17"

# ipcx.h alone, too: new portable code includes only it.
printf '#include <ipcx.h>\n' >"$t/ipcx.c"
$CC -Iinclude -std=c99 $warn -c -o "$t/ipcx.o" "$t/ipcx.c" || bad "<ipcx.h> alone warns"
printf '#include <unistd.h>\n#include <ws2tcpip.h>\n#include <ipcx.h>\n' >"$t/ipcx-after.c"
$CC -Iinclude -D_POSIX_SOURCE -std=c99 $warn -c -o "$t/ipcx.o" "$t/ipcx-after.c" || bad "<ipcx.h> after MinGW's headers warns"
$CC -Iinclude -dM -E "$t/ipcx.c" >"$t/macros.txt"
for w in _INC_WINDOWS _WINSOCKAPI_ _WINSOCK2API_ $stolen; do
  grep -Eq "^#define $w[ (]" "$t/macros.txt" && bad "<ipcx.h> defines $w"
done

# Macro counts against glibc's.
for h in unistd.h sys/socket.h poll.h fcntl.h spawn.h sys/wait.h signal.h; do
  g=$(printf '#include <%s>\n' "$h" | gcc -dM -E -xc - | wc -l)
  c=$(printf '#include <%s>\n' "$h" | $CC $inc -dM -E -xc - | wc -l)
  printf '  %-14s %5d macros (glibc %d)\n' "<$h>" "$c" "$g"
  [ "$c" -le $((2 * g)) ] || bad "<$h> defines $c macros, over twice glibc's $g"
done

# The identifiers <windows.h> would steal, in a program that uses them all.
# (Every drop-in header: the ones added later are covered too.)
{ for h in $headers; do echo "#include <$h>"; done; cat <<'C'
struct link { int interface; int near, far; };
enum state { OK, ERROR, DELETE };
static int min(int a, int b) { return a < b ? a : b; }
static int max(int a, int b) { return a > b ? a : b; }
int main(void)
{
  struct link l = { 1, 2, 3 };
  enum state s = ERROR;
  int IN = 1, OUT = 2, OPTIONAL = 3, CONST = 4, VOID = 5;
  int sv[2];
  struct pollfd p;
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
    return 1;
  p.fd = sv[0];
  p.events = POLLOUT;
  if (poll(&p, 1, 0) != 1 || write(sv[0], "x", 1) != 1)
    return 2;
  close(sv[0]);
  close(sv[1]);
  printf("%d\n", min(l.interface, l.near) + max(l.far, (int)s) + IN + OUT + OPTIONAL + CONST + VOID + (int)DELETE);
  return 0;
}
C
} >"$t/stolen.c"
for std in c99 c11 c17 gnu11; do
  $CC $inc -std=$std $warn -o "$t/stolen.exe" "$t/stolen.c" "$wb/libipcx.a" -lws2_32 -ladvapi32 \
    || bad "the program using <windows.h>'s identifiers does not build with -std=$std"
done
echo "headers test: a program using min, max, near, far, interface, ERROR, IN, OUT, OPTIONAL, DELETE, CONST, VOID builds"

# <windows.h>, <winsock2.h> and <ws2tcpip.h> before and after ours.
posix=$(for h in $headers; do echo "#include <$h>"; done)
body='int main(void)
{
  int sv[2];
  struct pollfd p;
  fd_set r;
  struct sockaddr_storage ss;
  struct sockaddr_in6 s6;
  WSADATA d;
  if (WSAStartup(MAKEWORD(2, 2), &d) != 0 || GetCurrentProcessId() == 0)
    return 1;
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
    return 2;
  p.fd = sv[0];
  p.events = POLLIN;
  FD_ZERO(&r);
  FD_SET(sv[0], &r);
  memset(&ss, 0, sizeof ss);
  memset(&s6, 0, sizeof s6);
  if (write(sv[1], "x", 1) != 1 || poll(&p, 1, 1000) != 1 || select(sv[0] + 1, &r, NULL, NULL, NULL) != 1)
    return 3;
  printf("%d %d %d\n", (int)sizeof ss, (int)sizeof s6, (int)WSAGetLastError());
  close(sv[0]);
  close(sv[1]);
  return 0;
}'
for order in windows-first winsock-first windows-after winsock-after; do
  case $order in
    windows-first) pre='#include <windows.h>'; post='' ;;
    winsock-first) pre='#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>'; post='' ;;
    windows-after) pre=''; post='#include <windows.h>' ;;
    winsock-after) pre=''; post='#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>' ;;
  esac
  printf '%s\n%s\n%s\n#include <string.h>\n%s\n' "$pre" "$posix" "$post" "$body" >"$t/$order.c"
  cp "$t/$order.c" "$t/$order.cc"
  for std in c99 gnu11; do
    $CC $inc -std=$std $warn -c -o "$t/$order.o" "$t/$order.c" || { bad "$order does not build with -std=$std"; continue; }
  done
  $CXX $inc -std=c++17 $warn -c -o "$t/$order-cc.o" "$t/$order.cc" || bad "$order does not build with C++17"
  [ -f "$t/$order.o" ] || continue
  $CC -o "$t/$order.exe" "$t/$order.o" "$wb/libipcx.a" -lws2_32 -ladvapi32 || bad "$order does not link"
  $NM "$t/$order.o" >"$t/$order.nm"
  for f in socketpair poll select write close; do
    grep -q " U ipcx_$f\$" "$t/$order.nm" || bad "$order: $f() does not go to ipcx_$f"
    grep -Eq " U (__imp_)?$f\$" "$t/$order.nm" && bad "$order: $f() goes to the system's $f"
  done
  grep -Eq ' U (__imp_)?WSAStartup$' "$t/$order.nm" || bad "$order: WSAStartup() does not go to Winsock"
done
echo "headers test: <windows.h>, <winsock2.h> and <ws2tcpip.h> before and after the POSIX headers build (C99, GNU11, C++17); POSIX calls go to ipcx_*, WSAStartup to Winsock"

# Compat's socket types and constants against Winsock's (static asserts), and
# a Winsock program that has compat/ on its include path but includes no
# drop-in header: it keeps Winsock's names.
$CC $inc -std=c11 $warn -c -o "$t/layout.o" wine-tests/compat-layout.c \
  || bad "compat's socket types or constants differ from Winsock's"
cat >"$t/winsock-only.c" <<'C'
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
int main(void)
{
  SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  fd_set r;
  WSAPOLLFD p;
  struct addrinfo *ai = NULL;
  FD_ZERO(&r);
  FD_SET(s, &r);
  p.fd = s;
  p.events = POLLRDNORM;
  if (getaddrinfo("localhost", NULL, NULL, &ai) == 0)
    freeaddrinfo(ai);
  return select(0, &r, NULL, NULL, NULL) + WSAPoll(&p, 1, 0) + (int)CMSG_DATA + EAI_NONAME;
}
C
$CC $inc -std=c11 $warn -c -o "$t/winsock-only.o" "$t/winsock-only.c" \
  || bad "a Winsock program with compat/ on its include path does not build"
$NM "$t/winsock-only.o" | grep -Eq ' U (__imp_)?socket$' || bad "a Winsock program's socket() does not go to Winsock"
echo "headers test: compat's socket types and constants match Winsock's; a Winsock-only program keeps Winsock's names"

# The second compiler (make win-clang): the headers together and the four
# orders, in C.
if command -v clang >/dev/null 2>&1; then
  clang="clang --target=x86_64-w64-mingw32"
  for std in c99 c11; do
    $clang $inc -std=$std $warn -c -o "$t/all-clang.o" "$t/all.c" || bad "the headers warn under clang -std=$std"
  done
  for order in windows-first winsock-first windows-after winsock-after; do
    $clang $inc -std=c99 $warn -c -o "$t/$order-clang.o" "$t/$order.c" || bad "$order does not build with clang"
  done
  echo "headers test: the same with clang --target=x86_64-w64-mingw32"
fi

[ $fail -eq 0 ] || exit 1
echo "headers test: passed"
