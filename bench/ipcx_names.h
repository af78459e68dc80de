/*
 * ipcx_names.h: forced in first (-include) when transport.c is built as the
 * ipcx variant on Linux.  It does natively what compat/ does on Windows:
 * after ipcx.h has defined its pass-throughs, the POSIX names below become
 * the ipcx_* calls, so the benchmark's "ipcx" column really goes through
 * ipcx.h.  (The pass-throughs are always_inline: the instruction counts of
 * the two columns must come out equal.)
 */
#ifndef BENCH_IPCX_NAMES_H
#define BENCH_IPCX_NAMES_H
#include <ipcx.h>
#define read ipcx_read
#define write ipcx_write
#define close ipcx_close
#define pipe ipcx_pipe
#define socket ipcx_socket
#define socketpair ipcx_socketpair
#define bind ipcx_bind
#define listen ipcx_listen
#define accept ipcx_accept
#define connect ipcx_connect
#define setsockopt ipcx_setsockopt
#define getsockname ipcx_getsockname
#define mkfifo ipcx_mkfifo
#define unlink ipcx_unlink
#define posix_spawn ipcx_posix_spawn
#define waitpid ipcx_waitpid
#define poll ipcx_poll
#endif
