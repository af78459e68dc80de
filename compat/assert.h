/*
 * Drop-in <assert.h> for MinGW: a failed assert() prints glibc's message
 * ("prog: file.c:12: main: Assertion `x' failed.") and ends the process by
 * SIGABRT through ipcx's abort() (win32/signal.c), so a parent's waitpid()
 * sees WIFSIGNALED/SIGABRT; MinGW's prints another text and exits with 3.
 * Like every <assert.h>, it may be included again after NDEBUG changes.
 */
#pragma GCC system_header
#include_next <assert.h>
#include <ipcx_compat.h>
#undef assert
#ifdef NDEBUG
# define assert(e) ((void)0)
#else
# define assert(e) ((e) ? (void)0 : ipcx___assert_fail(#e, __FILE__, __LINE__, __func__))
#endif
