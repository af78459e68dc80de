# CMake toolchain file for building with mingw-w64 on Linux:
#   cmake -DCMAKE_TOOLCHAIN_FILE=<ipcx>/cmake/mingw-w64-x86_64.cmake \
#         -DCMAKE_PREFIX_PATH=<ipcx's Windows prefix> ...
# IPCX_MINGW_CC picks the compiler (default x86_64-w64-mingw32-gcc; clang
# works too: -DIPCX_MINGW_CC=clang, which gets --target).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
if(NOT IPCX_MINGW_CC)
  set(IPCX_MINGW_CC x86_64-w64-mingw32-gcc)
endif()
set(CMAKE_C_COMPILER ${IPCX_MINGW_CC})
if(IPCX_MINGW_CC MATCHES "clang")
  set(CMAKE_C_COMPILER_TARGET x86_64-w64-mingw32)
  set(CMAKE_EXE_LINKER_FLAGS_INIT "-fuse-ld=lld")
  set(CMAKE_SHARED_LINKER_FLAGS_INIT "-fuse-ld=lld")
endif()
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
