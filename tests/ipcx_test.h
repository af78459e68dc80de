/*
 * ipcx_test.h: what every suite shares.  Tests are plain POSIX C: natively
 * they run against the kernel; for Windows they are built with compat/ first
 * on the include path, so the same names reach libipcx.
 */
#ifndef IPCX_TEST_H
#define IPCX_TEST_H

#ifndef _WIN32
# define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <pthread.h>
#include <check.h>

/* A helper the runner can start as `ipcx-tests --helper NAME ARGS...`. */
#define IPCX_TEST_HELPER(name) int helper_##name(int argc, char **argv)

/* The runner's own path, for re-executing it as a helper. */
extern const char *test_self;

/* A test case with a timeout (honoured natively; under Wine the runner's timeout). */
TCase *test_tcase(const char *name);

/* A path unique to this process and call, in the temporary directory. */
char *test_path(char *buf, size_t size, const char *tag);

/* A POSIX IPC name ("/ipcx-...") unique to this process and call, for
 * shm_open, sem_open and mq_open. */
char *test_ipc_name(char *buf, size_t size, const char *tag);

/* Write all / read exactly n bytes, looping over short transfers; -1 on error or EOF. */
ssize_t test_write_all(int fd, const void *buf, size_t n);
ssize_t test_read_all(int fd, void *buf, size_t n);

/* Start this binary with argv (argv[0] test_self, then --helper NAME ...);
 * wait for a child and require exit status 0. */
pid_t test_spawn_helper(char **argv);
void test_wait_ok(pid_t pid);

/* An AF_UNIX address for path (cut to fit sun_path); its length as Linux counts it. */
socklen_t test_addr(struct sockaddr_un *a, const char *path);

/* Sleep for ms milliseconds. */
void test_sleep_ms(int ms);

/* Monotonic milliseconds (for deadlines, never for speed). */
double test_now_ms(void);

/* A reproducible byte pattern for seed, and a checksum (FNV-1a) of bytes. */
void test_fill(unsigned char *buf, size_t n, unsigned seed);
unsigned long long test_checksum(const unsigned char *p, size_t n);

/* A listening AF_UNIX socket of type at a fresh path (written to path). */
int test_listen_at(char *path, size_t size, int type, int backlog);
/* A socket of type connected to path, or -1/errno. */
int test_connect_to(const char *path, int type);
/* A loopback TCP listener (SO_REUSEADDR) in *lfd, a client connected to it
 * in *c, the accepted end in *s. */
void test_tcp_connected(int *lfd, int *c, int *s);

/* The process's open handles (Windows) or fds (Linux), and the growth a
 * count may show without a leak (lazily made per-process objects, a thread
 * still exiting).  test_settle_count waits up to 15 s for the count to come
 * back to base + TEST_SLACK and returns it. */
#define TEST_SLACK 8
long test_open_count(void);
long test_settle_count(long base);

#endif
