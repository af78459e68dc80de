/*
 * bench.h: what the benchmark driver (main.c) and its variants share.
 *
 * A variant is one way of doing the same IPC operations:
 *   ipcx  transport.c, plain POSIX C: on Linux every call goes through the
 *         ipcx_* pass-throughs (bench/ipcx_names.h renames them), on Windows
 *         through compat/ and libipcx;
 *   raw   on Linux transport.c again without ipcx (the system calls), on
 *         Windows raw_win32.c (the same operations written against Win32
 *         named pipes and Winsock);
 *   libuv libuv.c, the same operations as a libuv program does them (when
 *         libuv is there: BENCH_LIBUV);
 * TCP loopback is a transport like the others (ipcx AF_INET vs raw sockets:
 * Winsock directly on Windows); its raw figure is also the TCP column of
 * every other row, the alternative a user would pick.
 *
 * An end of a connection is a pair of numbers (read side, write side): fds,
 * or Win32 handles cast to intptr_t.  Everything is bidirectional: pipes and
 * FIFOs use two, one per direction.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>
#include <stdint.h>

enum bench_transport { T_PIPE, T_SOCKETPAIR, T_UNIX, T_FIFO, T_TCP, T_COUNT };

struct bench_end {
  intptr_t rd, wr;
  int sock;                     /* raw Winsock sockets (raw_win32.c): 1 send/recv, 2 inherited */
};

struct bench_variant {
  const char *name;
  /* Transports (1 << t) whose ends meet by name between processes (named()). */
  int by_name;
  /*
   * A connected pair for transport t: a is ours, b the peer's.  0, or -1 with
   * errno (ENOSYS etc.: the transport is not available in this variant).
   * *ctx gets whatever cleanup needs (a path to unlink).
   */
  int (*pair)(int t, struct bench_end *a, struct bench_end *b, void **ctx);
  void (*close_end)(struct bench_end *e);
  void (*cleanup)(void *ctx);
  /* The loops: 0 or -1 on an I/O error (message printed). */
  int (*pingpong)(struct bench_end *e, size_t size, long iters);   /* client */
  int (*echo)(struct bench_end *e, size_t size, long iters);       /* peer */
  int (*source)(struct bench_end *e, size_t chunk, long long total); /* writes, reads 1-byte ack */
  int (*sink)(struct bench_end *e, size_t chunk, long long total);   /* reads, writes the ack */
  /* Single thread: iters x (write size on a, read size on b): never blocks. */
  int (*floor)(struct bench_end *a, struct bench_end *b, size_t size, long iters);
  /* iters x connect+accept+close on transport t (T_UNIX or T_TCP). */
  int (*connects)(int t, long iters);
  /* Block ms milliseconds waiting for a pipe that stays empty (poll()). */
  int (*idle)(long ms);
  /*
   * Start `self --peer ...` with end b inherited; the child's argv gets the
   * end's numbers through fmt_end.  Returns 0 with *proc set, or -1/errno.
   */
  int (*spawn)(const char *self, struct bench_end *b, char *const argv[], intptr_t *proc);
  int (*wait)(intptr_t proc);
  /*
   * Turn the end numbers given on the command line back into an end; "@PATH"
   * PATH2 instead opens the two FIFOs of named(), and "%PATH" connects to
   * the AF_UNIX listener of named(), as the client side.
   */
  int (*adopt)(const char *rd, const char *wr, struct bench_end *e);
  /*
   * Between processes, FIFOs and AF_UNIX sockets meet by name, as programs
   * use them: named() makes two FIFOs (T_FIFO) or a listener (T_UNIX; names
   * in p0, p1; *ctx for cleanup), the child opens them with adopt(), the
   * parent with open_named() (open, or accept).
   */
  int (*named)(int t, void **ctx, char *p0, char *p1, size_t size);
  int (*open_named)(void *ctx, const char *p0, const char *p1, struct bench_end *e);
};

extern const struct bench_variant bench_ipcx;
extern const struct bench_variant bench_raw;
extern const struct bench_variant bench_libuv;

#endif
