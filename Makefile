# ipcx: one GNU Makefile, two targets.
#
#   make                              native library (build/<triplet>/)
#   make CROSS=x86_64-w64-mingw32-    Windows library, DLL and import library
#   make check                        native tests, then Windows tests under Wine
#   make demo                         an example natively and under Wine, side by side
#
# The platform comes from $(CC) -dumpmachine, never from uname.

CROSS  ?=
CC     := $(CROSS)gcc
AR     := $(CROSS)ar
NM     := $(CROSS)nm
WINCROSS ?= x86_64-w64-mingw32-

TRIPLET := $(shell $(CC) -dumpmachine 2>/dev/null)
# mingw gcc says x86_64-w64-mingw32, clang --target=x86_64-w64-mingw32 says
# x86_64-w64-windows-gnu (so the clang build has its own folder).
ifneq (,$(findstring mingw,$(TRIPLET))$(findstring windows-gnu,$(TRIPLET)))
  OS   := win32
  EXE  := .exe
else
  OS   := posix
  EXE  :=
endif

BUILD    ?= build
B        := $(BUILD)/$(TRIPLET)
# The Windows build folder, for the targets that run both builds.  Expanded
# when used: on a fresh machine the cross compiler comes with `make deps`.
WB        = $(BUILD)/$(shell $(WINCROSS)gcc -dumpmachine 2>/dev/null)
CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra -Werror
CPPFLAGS += -Iinclude
DEPFLAGS  = -MMD -MP

-include config.mak

LIB_SRCS := $(wildcard $(OS)/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
TEST_SRCS := $(wildcard tests/*.c)
TEST_OBJS := $(TEST_SRCS:%.c=$(B)/%.o)
EXAMPLES := $(patsubst examples/%.c,%,$(wildcard examples/*.c))

ifeq ($(OS),win32)
  SYSLIBS    := -lws2_32 -ladvapi32
  LIB_CFLAGS := -D_WIN32_WINNT=0x0601
  LIBS_OUT   := $(B)/libipcx.a $(B)/ipcx.dll $(B)/libipcx.dll.a
  POSIX_OBJS  = $(B)/posix-names.stamp
  # The drop-in headers come first: tests and examples are plain Unix C.
  APP_CPPFLAGS := -Icompat -Iinclude
  CHECK_DIR  := build/check-mingw
  CHECK_CFLAGS := -isystem $(CHECK_DIR)/include
  CHECK_LIBS = $(CHECK_DIR)/lib/libcheck.a $(shell cat $(CHECK_DIR)/lib/check-libs.txt 2>/dev/null)
  APP_LDFLAGS := -static
  APP_LIBS   := $(B)/libipcx.a $(SYSLIBS) -lpthread
else
  SYSLIBS    :=
  LIB_CFLAGS := -fPIC -fvisibility=hidden
  SONAME     := libipcx.so.0
  LIBS_OUT   := $(B)/libipcx.a $(B)/libipcx.so
  APP_CPPFLAGS := -Iinclude
  CHECK_DIR  :=
  CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
  CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null)
  APP_LDFLAGS :=
  APP_LIBS   := -lpthread
endif

VERSION  := 0.1.0
PREFIX   ?= /usr/local
DESTDIR  ?=
D         = $(DESTDIR)$(PREFIX)

.PHONY: all lib tests examples check check-native check-wine demo clean deps win win-clang install uninstall
all: lib

lib: $(LIBS_OUT)

$(B)/posix $(B)/win32 $(B)/tests $(B)/examples:
	mkdir -p $@

$(B)/$(OS)/%.o: $(OS)/%.c | $(B)/$(OS)
	$(CC) $(CPPFLAGS) $(LIB_CFLAGS) $(CFLAGS) $(WARN) $(DEPFLAGS) -c -o $@ $<

$(B)/libipcx.a: $(LIB_OBJS) $(POSIX_OBJS)
	rm -f $@
	$(AR) rcs $@ $(LIB_OBJS) $(if $(POSIX_OBJS),$(B)/posix-names/*.o)

# --- install ----------------------------------------------------------------
# Native: lib/libipcx.{a,so*}, include/ipcx.h, lib/pkgconfig/ipcx.pc.
# Windows: lib/libipcx.a, bin/ipcx.dll, lib/libipcx.dll.a, include/ipcx.h, the
# drop-in headers in include/ipcx/compat/, lib/pkgconfig/ipcx.pc (static) and
# ipcx-dll.pc (the DLL).
# Both: lib/cmake/ipcx/ipcxConfig.cmake (targets ipcx::ipcx, the static
# library, and ipcx::ipcx_shared) and ipcxConfigVersion.cmake.

PC_FILES := $(wildcard $(OS)/*.pc.in)
INSTALLED_PC := $(patsubst $(OS)/%.pc.in,%.pc,$(PC_FILES))
VERSION_SED := -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' \
  -e 's|@VERSION_MAJOR@|$(word 1,$(subst ., ,$(VERSION)))|' -e 's|@VERSION_MINOR@|$(word 2,$(subst ., ,$(VERSION)))|'
COMPAT_HEADERS := $(shell cd compat && find . -name '*.h' | sed 's|^\./||')

install: lib
	mkdir -p $(D)/lib/pkgconfig $(D)/include
	cp include/ipcx.h $(D)/include/ipcx.h
	cp $(B)/libipcx.a $(D)/lib/libipcx.a
	for pc in $(INSTALLED_PC); do \
	  sed $(VERSION_SED) $(OS)/$$pc.in > $(D)/lib/pkgconfig/$$pc; done
	mkdir -p $(D)/lib/cmake/ipcx
	sed $(VERSION_SED) $(OS)/ipcxConfig.cmake.in > $(D)/lib/cmake/ipcx/ipcxConfig.cmake
	sed $(VERSION_SED) cmake/ipcxConfigVersion.cmake.in > $(D)/lib/cmake/ipcx/ipcxConfigVersion.cmake
ifeq ($(OS),win32)
	mkdir -p $(D)/bin
	cp $(B)/ipcx.dll $(D)/bin/ipcx.dll
	cp $(B)/libipcx.dll.a $(D)/lib/libipcx.dll.a
	for h in $(COMPAT_HEADERS); do mkdir -p $(D)/include/ipcx/compat/$$(dirname $$h); \
	  cp compat/$$h $(D)/include/ipcx/compat/$$h; done
else
	cp $(B)/libipcx.so $(D)/lib/libipcx.so.$(VERSION)
	ln -sf libipcx.so.$(VERSION) $(D)/lib/$(SONAME)
	ln -sf $(SONAME) $(D)/lib/libipcx.so
endif

uninstall:
	rm -f $(D)/include/ipcx.h $(D)/lib/libipcx.a $(INSTALLED_PC:%=$(D)/lib/pkgconfig/%)
	rm -rf $(D)/lib/cmake/ipcx
ifeq ($(OS),win32)
	rm -f $(D)/bin/ipcx.dll $(D)/lib/libipcx.dll.a
	rm -rf $(D)/include/ipcx
else
	rm -f $(D)/lib/libipcx.so.$(VERSION) $(D)/lib/$(SONAME) $(D)/lib/libipcx.so
endif

$(B)/libipcx.so: $(LIB_OBJS)
	$(CC) -shared -Wl,-soname,$(SONAME) $(LDFLAGS) -o $@ $^

# --- POSIX names at link level (Windows) ------------------------------------
# Every IPCX_EXTERN call of ipcx.h is also in libipcx.a and ipcx.dll under its
# POSIX name, when MinGW's own libraries lack that name: a one-jump thunk to
# ipcx_NAME, one object per name, so that autoconf's AC_CHECK_FUNCS, CMake's
# check_function_exists and Meson's has_function (which link `char NAME();`
# without headers) find socketpair, poll, posix_spawn ..., and a program's
# own definition of a name still wins.  The names MinGW defines (read,
# socket, strerror, stat ...) are left alone: a program that does not use
# compat/ keeps the CRT's and Winsock's.  Calls made through compat/ go to
# ipcx_* directly.  posix-names.txt is the list; ipcx_version has no POSIX name.
# A static inline ipcx_NAME over an exported ipcx_NAME64 (mmap: the caller's
# off_t width varies) gets the name too, its thunk jumping to ipcx_NAME64.
MINGW_LIBS := mingw32 mingwex msvcrt moldname kernel32 advapi32 ws2_32 pthread

$(B)/posix-names.txt: include/ipcx.h Makefile | $(B)/$(OS)
	for l in $(MINGW_LIBS); do f=$$($(CC) -print-file-name=lib$$l.a); \
	  if [ -f "$$f" ]; then $(NM) -g --defined-only "$$f" 2>/dev/null; fi; done \
	  | awk 'NF >= 3 { sub(/^__imp_/, "", $$3); print $$3 }' | sort -u > $@.mingw
	grep -E '^(IPCX_EXTERN|static inline)' $< | grep -o 'ipcx_[a-z0-9_]*(' | sed 's/^ipcx_//; s/($$//' | sort -u \
	  | grep -vx version | grep -vxF -f $@.mingw > $@.tmp || true
	rm -f $@.mingw
	mv $@.tmp $@

$(B)/posix-names.stamp: $(B)/posix-names.txt
	rm -rf $(B)/posix-names && mkdir -p $(B)/posix-names
	for n in $$(cat $<); do t=$$n; \
	  if grep -q "^IPCX_EXTERN.*[ *]ipcx_$${n}64(" include/ipcx.h; then t=$${n}64; fi; \
	  printf '\t.text\n\t.globl %s\n\t.def %s; .scl 2; .type 32; .endef\n%s:\n\tjmp ipcx_%s\n' $$n $$n $$n $$t \
	    | $(CC) -c -x assembler -o $(B)/posix-names/$$n.o - || exit 1; done
	touch $@

# The DLL exports the public calls (every IPCX_EXTERN function of ipcx.h) and
# their POSIX names from posix-names.txt.
$(B)/ipcx.def: include/ipcx.h $(B)/posix-names.txt | $(B)/$(OS)
	{ echo EXPORTS; grep '^IPCX_EXTERN' $< | grep -o 'ipcx_[a-z0-9_]*(' | tr -d '(' | sort -u; \
	  cat $(B)/posix-names.txt; } > $@

$(B)/ipcx.dll $(B)/libipcx.dll.a &: $(LIB_OBJS) $(B)/posix-names.stamp $(B)/ipcx.def
	$(CC) -shared -static-libgcc $(LDFLAGS) -o $(B)/ipcx.dll $(LIB_OBJS) $(B)/posix-names/*.o $(B)/ipcx.def -Wl,--out-implib,$(B)/libipcx.dll.a $(SYSLIBS)

# --- tests ---------------------------------------------------------------
# One runner: tests/main.c with the table of suites made from the file names
# (tests/test_NAME.c defines suite_NAME) and the helpers the tests declare
# with IPCX_TEST_HELPER(name).

TEST_BIN := $(B)/tests/ipcx-tests$(EXE)
TEST_SUITES := $(patsubst tests/test_%.c,%,$(wildcard tests/test_*.c))

$(B)/tests/suites.h: $(TEST_SRCS) Makefile | $(B)/tests
	{ for s in $(TEST_SUITES); do echo "SUITE($$s)"; done; \
	  grep -ho 'IPCX_TEST_HELPER([a-z0-9_]*)' $(TEST_SRCS) | sed 's/IPCX_TEST_HELPER(\(.*\))/HELPER(\1)/' | sort -u; \
	} > $@.tmp && mv $@.tmp $@

$(B)/tests/%.o: tests/%.c $(B)/tests/suites.h $(CHECK_DIR:%=%/lib/libcheck.a) | $(B)/tests
	$(CC) $(APP_CPPFLAGS) -I$(B)/tests $(CHECK_CFLAGS) $(CFLAGS) $(WARN) $(DEPFLAGS) -c -o $@ $<

$(TEST_BIN): $(TEST_OBJS) $(B)/libipcx.a
	$(CC) $(APP_LDFLAGS) $(LDFLAGS) -o $@ $(TEST_OBJS) $(CHECK_LIBS) $(APP_LIBS) $(B)/libipcx.a

tests: $(TEST_BIN)

build/check-mingw/lib/libcheck.a:
	sh wine-tests/build-check.sh build/check-mingw

# --- examples -------------------------------------------------------------

$(B)/examples/%$(EXE): examples/%.c $(B)/libipcx.a | $(B)/examples
	$(CC) $(APP_CPPFLAGS) $(CFLAGS) $(WARN) $(APP_LDFLAGS) $(LDFLAGS) -o $@ $< $(APP_LIBS) $(B)/libipcx.a $(APP_LIBS)

examples: $(EXAMPLES:%=$(B)/examples/%$(EXE))

# --- benchmarks (make bench; never part of make check) ---------------------
# $(B)/bench/ipcx-bench: bench/main.c + the ipcx variant (bench/transport.c
# through ipcx: natively with bench/ipcx_names.h forced in, on Windows with
# compat/) + the raw variant (transport.c on the system calls natively,
# bench/raw_win32.c on Windows).  bench/poll_latency.c, when present, is built
# beside it as plain POSIX C.  Callgrind client requests when valgrind's
# headers are installed.  The libuv variant (bench/libuv.c) when libuv is
# there: Debian's libuv1-dev natively, build/libuv-mingw (bench/build-libuv.sh,
# from Debian's source package) on Windows.

BENCH_VG := $(wildcard /usr/include/valgrind/callgrind.h)
BENCH_CPPFLAGS := $(if $(BENCH_VG),-DBENCH_CALLGRIND -I$(B)/bench/vg)
BENCH_OBJS := $(B)/bench/main.o $(B)/bench/transport-ipcx.o
ifeq ($(OS),win32)
  BENCH_OBJS += $(B)/bench/raw_win32.o
  BENCH_LIBS := $(B)/libipcx.a -lws2_32 -ladvapi32 -lpthread
else
  BENCH_OBJS += $(B)/bench/transport-raw.o
  BENCH_LIBS := -lpthread
endif
ifeq ($(OS),win32)
  BENCH_UV := $(wildcard build/libuv-mingw/lib/libuv.a)
  BENCH_UV_CFLAGS := -Ibuild/libuv-mingw/include
  BENCH_UV_LIBS := $(BENCH_UV) -liphlpapi -luserenv -lpsapi -ldbghelp -lole32 -luuid -lshell32 -luser32 -lws2_32
else
  BENCH_UV := $(wildcard /usr/include/uv.h)
  BENCH_UV_LIBS := -luv
endif
ifneq ($(BENCH_UV),)
  BENCH_CPPFLAGS += -DBENCH_LIBUV
  BENCH_OBJS += $(B)/bench/libuv.o
  BENCH_LIBS += $(BENCH_UV_LIBS)
endif
BENCH_EXTRA := $(patsubst bench/%.c,$(B)/bench/%$(EXE),$(wildcard bench/poll_latency.c bench/shm_ipc.c))
ifeq ($(OS),win32)
  BENCH_EXTRA += $(patsubst bench/%.c,$(B)/bench/%$(EXE),$(wildcard bench/shm_raw_win32.c))
endif

$(B)/bench:
	mkdir -p $@

$(B)/bench/vg/valgrind: | $(B)/bench
	mkdir -p $(B)/bench/vg && ln -sfn /usr/include/valgrind $@

$(B)/bench/main.o: bench/main.c bench/bench.h $(if $(BENCH_VG),$(B)/bench/vg/valgrind) | $(B)/bench
	$(CC) $(BENCH_CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

$(B)/bench/transport-ipcx.o: bench/transport.c bench/bench.h bench/ipcx_names.h include/ipcx.h | $(B)/bench
	$(CC) $(APP_CPPFLAGS) $(if $(filter win32,$(OS)),,-include bench/ipcx_names.h) -DBV=ipcx $(CFLAGS) $(WARN) -c -o $@ $<

$(B)/bench/transport-raw.o: bench/transport.c bench/bench.h | $(B)/bench
	$(CC) -DBV=raw $(CFLAGS) $(WARN) -c -o $@ $<

$(B)/bench/libuv.o: bench/libuv.c bench/bench.h | $(B)/bench
	$(CC) $(BENCH_UV_CFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

$(B)/bench/raw_win32.o: bench/raw_win32.c bench/bench.h | $(B)/bench
	$(CC) $(CFLAGS) $(WARN) -c -o $@ $<

$(B)/bench/ipcx-bench$(EXE): $(BENCH_OBJS) $(if $(filter win32,$(OS)),$(B)/libipcx.a)
	$(CC) $(APP_LDFLAGS) $(LDFLAGS) -o $@ $(BENCH_OBJS) $(BENCH_LIBS)

# shm_raw_win32: Win32 only, no ipcx (the yardstick for bench/shm_ipc.c).
$(B)/bench/shm_raw_win32$(EXE): bench/shm_raw_win32.c | $(B)/bench
	$(CC) $(CFLAGS) $(WARN) $(APP_LDFLAGS) $(LDFLAGS) -o $@ $<

$(B)/bench/%$(EXE): bench/%.c $(B)/libipcx.a | $(B)/bench
	$(CC) $(APP_CPPFLAGS) $(CFLAGS) $(WARN) $(APP_LDFLAGS) $(LDFLAGS) -o $@ $< $(APP_LIBS) $(B)/libipcx.a $(APP_LIBS)

bench-bin: $(B)/bench/ipcx-bench$(EXE) $(BENCH_EXTRA)

bench: deps
	sh bench/build-libuv.sh build/libuv-mingw || true
	$(MAKE) lib bench-bin
	$(MAKE) CROSS=$(WINCROSS) lib bench-bin
	sh bench/run.sh $(B) $(WB)

.PHONY: bench bench-bin

# --- the two targets together ---------------------------------------------

win:
	$(MAKE) CROSS=$(WINCROSS) lib tests examples

# The second compiler: the Windows library and tests with Debian's clang and
# lld (build/x86_64-w64-windows-gnu/).  clang finds MinGW's headers and
# import libraries itself; libgcc comes from the MinGW gcc's folder.
WINCLANG ?= clang --target=x86_64-w64-mingw32
WINCLANG_LDFLAGS = -fuse-ld=lld -L$(dir $(shell $(WINCROSS)gcc -print-libgcc-file-name))
win-clang:
	$(MAKE) CROSS=$(WINCROSS) CC="$(WINCLANG)" LDFLAGS="$(WINCLANG_LDFLAGS)" lib tests

deps:
	sh wine-tests/deps.sh

# The clang build's folder (make win-clang).
CB = $(BUILD)/$(shell $(WINCLANG) -dumpmachine 2>/dev/null)

check: deps
	$(MAKE) lib tests examples
	$(MAKE) win
	$(MAKE) win-clang
	sh wine-tests/check.sh $(B) $(WB) $(CB)

check-native: lib tests
	$(TEST_BIN)

demo: deps
	$(MAKE) lib examples
	$(MAKE) CROSS=$(WINCROSS) lib examples
	sh wine-tests/demo.sh $(B) $(WB)

clean:
	rm -rf $(BUILD)/$(TRIPLET) $(WB) $(CB)

# --- reliability: sanitizers, valgrind, stress, fuzzing ----------------------
#   make check-sanitize   native suites built with ASan + UBSan (make check runs it)
#   make check-valgrind   native suites under valgrind: no error, no leak
#   make stress           the stress suite natively and under Wine, STRESS=100 (minutes)
#   make fuzz             libFuzzer on the AF_UNIX address handling (FUZZ_SECONDS=60),
#                         then the corpus replayed through Linux and through Wine

STRESS ?= 100
FUZZ_SECONDS ?= 60

check-sanitize:
	sh wine-tests/sanitize.sh $(BUILD)/asan

check-valgrind: lib tests
	sh wine-tests/valgrind.sh $(TEST_BIN)

stress: deps
	$(MAKE) lib tests
	$(MAKE) CROSS=$(WINCROSS) lib tests
	sh wine-tests/stress.sh $(STRESS) $(B) $(WB)

fuzz: deps
	$(MAKE) CROSS=$(WINCROSS) lib
	sh wine-tests/fuzz.sh $(FUZZ_SECONDS) $(WB)

.PHONY: check-sanitize check-valgrind stress fuzz

-include $(LIB_OBJS:.o=.d) $(TEST_OBJS:.o=.d)
