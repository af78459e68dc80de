/*
 * internal.h: what the win32/ files share.
 *
 * The fd model (README, "fd model"): every ipcx fd is a real CRT fd.  The CRT
 * slot holds a handle to the object (so fd numbers never clash with open(),
 * fopen() or _pipe(), and a child can inherit the slot through the CRT's
 * lpReserved2 table), and a side table indexed by fd number points at the
 * ipcx__file that does the work.  An ipcx__file is POSIX's "open file
 * description": dup() and dup2() share it (and its O_NONBLOCK), it holds its
 * own private handle, and it lives until the last fd and the last call in
 * flight let go of it (a reference count).  FD_CLOEXEC is per fd: it is the
 * inherit flag of the CRT slot's handle.
 *
 * A CRT fd that ipcx did not make (a file from open(), an inherited stdin) has
 * no entry until it needs one: pipes are adopted on first use, files are
 * served by the CRT.
 *
 * Names: ipcx__module_verb across files, bare names for statics.
 */
#ifndef IPCX_WIN32_INTERNAL_H
#define IPCX_WIN32_INTERNAL_H

#ifndef WIN32_LEAN_AND_MEAN
# define WIN32_LEAN_AND_MEAN
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <errno.h>
#include <io.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ipcx.h"

/* Kinds of open file description. */
enum ipcx__kind {
  IPCX__KIND_CRT = 1,      /* a file or device served by the CRT */
  IPCX__KIND_PIPE,         /* a pipe end (pipe(), pipe2(), adopted pipes) */
  IPCX__KIND_FIFO,         /* a FIFO end (mkfifo() + open()) */
  IPCX__KIND_SOCKET,       /* a local (AF_UNIX) stream socket */
  IPCX__KIND_WINSOCK,      /* an AF_INET/AF_INET6 Winsock socket */
  IPCX__KIND_MQUEUE        /* a POSIX message queue (mq_open) */
};

struct ipcx__file;
struct ipcx__scm_out;

/*
 * What a kind of socket does (socket.c has checked the fd is a socket and
 * the arguments every kind checks alike).  sendto/recvfrom take addr NULL
 * for send()/recv().  from: the sender of the last datagram received (0), or
 * -1 when the kind names none (recvmsg's msg_name).  record: recvmsg asks
 * for a record's real length (MSG_TRUNC).
 */
struct ipcx__sock_ops {
  int (*bind)(struct ipcx__file *f, const struct sockaddr *addr, socklen_t len);
  int (*listen)(struct ipcx__file *f, int backlog);
  int (*accept)(struct ipcx__file *f, struct sockaddr *addr, socklen_t *len, int flags);
  /* fd: the socket's fd (its CRT slot keeps socket()'s placeholder). */
  int (*connect)(struct ipcx__file *f, int fd, const struct sockaddr *addr, socklen_t len);
  int (*shutdown)(struct ipcx__file *f, int how);
  int (*name)(struct ipcx__file *f, struct sockaddr *addr, socklen_t *len, int peer);
  int (*getsockopt)(struct ipcx__file *f, int level, int name, void *val, socklen_t *len);
  int (*setsockopt)(struct ipcx__file *f, int level, int name, const void *val, socklen_t len);
  ssize_t (*sendto)(struct ipcx__file *f, const void *buf, size_t n, int flags,
                    const struct sockaddr *addr, socklen_t alen);
  ssize_t (*recvfrom)(struct ipcx__file *f, void *buf, size_t n, int flags,
                      struct sockaddr *addr, socklen_t *alen);
  int (*from)(struct ipcx__file *f, struct sockaddr *addr, socklen_t *len);
  /* sendmsg() with ancillary data (scm.h, already checked; addr NULL: no
   * msg_name); NULL: EINVAL, as Linux answers SCM_RIGHTS on a socket that is
   * not AF_UNIX. */
  ssize_t (*sendscm)(struct ipcx__file *f, const struct ipcx__scm_out *scm, const void *buf,
                     size_t n, int flags, const struct sockaddr *addr, socklen_t alen);
  int record;
};

/*
 * What a kind of object does.  Any member may be NULL: the caller then gives
 * the errno POSIX gives for that operation on the wrong kind of fd.
 * read/write take the fd (for CRT-served files) and return bytes or -1 with
 * errno set.  nonblock is the effective O_NONBLOCK for this call.
 */
struct ipcx__ops {
  enum ipcx__kind kind;
  ssize_t (*read)(struct ipcx__file *f, int fd, void *buf, size_t n, int nonblock);
  ssize_t (*write)(struct ipcx__file *f, int fd, const void *buf, size_t n, int nonblock);
  /*
   * The last reference is gone: release everything, f itself included
   * (ipcx__file_free), without losing data already reported as written.
   */
  void (*destroy)(struct ipcx__file *f);
  /* fstat() on this kind of object. */
  int (*fstat)(struct ipcx__file *f, int fd, struct stat *st);
  /* Called when F_SETFL changes O_NONBLOCK (may be NULL). */
  int (*set_nonblock)(struct ipcx__file *f, int on);
  /*
   * Readiness, for poll() and select() (poll.c).  Returns the IPCX_POLL*
   * bits that hold now among `events` (POLLHUP/POLLERR/POLLNVAL always
   * count), without waiting.  When it returns 0 it must also arm a wait:
   * store in wait[0..*nwait-1] (at most 2) handles that become signalled
   * when the answer may have changed (e.g. the event of a zero-byte
   * overlapped read it keeps pending in the file).  NULL: always ready for
   * what was asked (regular files).
   * poll() passes POLLRDNORM/POLLWRNORM as POLLIN/POLLOUT and maps them back;
   * it holds a reference on f while it waits, and calls this with no lock
   * held.  A kind that cannot arm any handle returns 0 with *nwait = 0:
   * poll() then checks it again every 10 ms (a synchronous adopted pipe).
   */
  short (*poll)(struct ipcx__file *f, short events, HANDLE wait[2], int *nwait);
  /* ioctl(FIONREAD): the bytes a read would find now, in *n; 0 or -1/errno.
   * NULL: ENOTTY. */
  int (*nread)(struct ipcx__file *f, int *n);
  /* The socket calls; NULL for what is not a socket (ENOTSOCK). */
  const struct ipcx__sock_ops *sock;
  /*
   * Export and import of a description to and from another process (the
   * shape of libuv's uv__tcp_xfer_export/import): posix_spawn inheritance
   * now, SCM_RIGHTS next.
   * export: *h, a private duplicate of f->h, is about to go to another
   * process.  The kind prepares f for sharing (a socket cancels its
   * read-ahead, so that the other process reads the next bytes) and may
   * replace *h (closing the old one) with what the other side should hold
   * (a pipe end's narrowed access).  0 or an errno value.  NULL: *h goes as
   * it is.
   * import: h (owned by the caller) came from another process (inherited):
   * 1 and a new description in *out that owns h if it is this kind's, 0 if
   * it is not, -1/errno.  fd.c asks the importing kinds in turn (fd.c's
   * importers[]).  NULL: this kind is never imported.
   */
  int (*export_to)(struct ipcx__file *f, HANDLE *h);
  int (*import)(HANDLE h, struct ipcx__file **out);
  /*
   * posix_spawn, after export_to: the kinds whose object must live from the
   * child's creation on, also when this process closes its fd at once (a
   * shared listener: its "alive" event), give in *keep an inheritable
   * handle the child holds until its start-up code has imported the fd
   * (fd.c's start-up import, told by IPCX__IMPORT); NULL: none needed.
   * 0 or an errno value.  NULL: the kind is imported at first use.
   */
  int (*export_keep)(struct ipcx__file *f, HANDLE *keep);
};

/* A pending write that write() already reported as done (nonblocking mode). */
struct ipcx__pending_write {
  OVERLAPPED ov;
  char *buf;
  DWORD len;
  int active;
};

/*
 * A zero-byte overlapped read kept pending on a pipe handle (zero_read.c):
 * it completes, consuming nothing, when data arrives or the peer goes.
 * f->zr is poll()'s on f->h: any kind whose f->h is a pipe handle may use it
 * (ipcx__pipe_zero_read); the destroy path (ipcx__io_close_now, or
 * ipcx__zero_read_release) cancels it.
 */
struct ipcx__zero_read {
  OVERLAPPED ov;                /* ov.hEvent made on first use */
  int active;                   /* a read is pending in ov */
  int gone;                     /* the peer has gone (sticky) */
  DWORD tid;                    /* the thread that issued it (its completion runs there) */
};

struct ipcx__file {
  const struct ipcx__ops *ops;
  volatile LONG refs;
  volatile LONG flags;          /* O_ACCMODE | O_NONBLOCK | O_APPEND: the file status flags */
  HANDLE h;                     /* the object's own handle (not the CRT slot's) */
  CRITICAL_SECTION lock;        /* guards the kind's mutable state */
  struct ipcx__pending_write pw;
  void *impl;                   /* the kind's own state */
  struct ipcx__zero_read zr;    /* poll()'s watch on f->h (guarded by lock) */
};

/* --- fd table (fd.c) -------------------------------------------------- */

/* A new file description for handle h (owned from now on), one reference. */
struct ipcx__file *ipcx__file_new(const struct ipcx__ops *ops, HANDLE h, int flags);
/* Free f's memory (for destroy). */
void ipcx__file_free(struct ipcx__file *f);
/* Take/drop a reference. */
void ipcx__file_ref(struct ipcx__file *f);
void ipcx__file_unref(struct ipcx__file *f);
/*
 * Give f a new fd (consumes the caller's reference on success).  The CRT slot
 * gets a duplicate of f->h, inheritable unless cloexec.  Returns the fd or -1.
 */
int ipcx__fd_install(struct ipcx__file *f, int cloexec);
/* The same with slot (owned from now on, closed on failure) in the CRT slot
 * instead of a duplicate of f->h: a socket keeps socket()'s placeholder
 * there for its whole life, and export_to hands children its pipe. */
int ipcx__fd_install_slot(struct ipcx__file *f, HANDLE slot, int cloexec);
/*
 * The pool of closed sockets' placeholder slots (fd.c): f in the lowest
 * pooled slot when no lower number is free, as ipcx__fd_install_slot with a
 * placeholder would give it, or -1 (errno untouched) when none fits.
 */
int ipcx__fd_install_pooled(struct ipcx__file *f, int cloexec);
/* Close the pooled slots: before the CRT hands out a number outside fd.c. */
void ipcx__fd_pool_drain(void);
/* 1 if n bytes at p can be copied into (into = 1) or out of; NULL and n = 0
 * say 1 (the callers' own cases). */
int ipcx__mem_ok(const void *p, size_t n, int into);
/* 1 if fd is a pooled slot, a closed fd (the table lock held: spawn.c). */
int ipcx__fd_pooled(int fd);
/*
 * The file behind fd, with a reference the caller must drop, or NULL with
 * errno EBADF.  A CRT fd ipcx did not make is adopted (pipes) or served by a
 * shared CRT description.
 */
struct ipcx__file *ipcx__fd_get(int fd);
/* The most fds a process can have: msvcrt's table (also _setmaxstdio's top). */
#define IPCX__FD_MAX 2048
/* RLIMIT_NOFILE's soft limit: new fds are below it (resource.c sets it). */
int ipcx__fd_limit(void);
void ipcx__fd_set_limit(int limit);
/* The same, but NULL without adopting anything for a plain CRT fd. */
struct ipcx__file *ipcx__fd_peek(int fd);
/*
 * Hold the fd table still (shared): no fd is closed or replaced meanwhile,
 * so its slot handle stays valid (spawn.c copies the table under it).  Make
 * no ipcx call that creates or closes an fd while holding it.
 */
void ipcx__fd_lock_shared(void);
void ipcx__fd_unlock_shared(void);
/* SCM_RIGHTS (scm.c): fd's description as a private handle for process to
 * (export_to applied; a Winsock socket as its WSADuplicateSocket instead)
 * and its status flags, 0 or errno; and a new fd for what came from another
 * process (h consumed), or -1/errno. */
int ipcx__fd_export(int fd, DWORD to, HANDLE *h, int *flags, WSAPROTOCOL_INFOW *ws);
int ipcx__fd_adopt(HANDLE h, const WSAPROTOCOL_INFOW *ws, int flags, int cloexec);
#define IPCX__FD_WINSOCK 0x10000000   /* in those flags: a Winsock socket */

/* --- the one wait (wait.c) -------------------------------------------- */

/* Also wake when a signal is to be handled on this thread (EINTR). */
#define IPCX__WAIT_INTR 1u
/* What ipcx__wait returns when IPCX__WAIT_INTR woke it (not a WAIT_* value). */
#define IPCX__WAIT_INTERRUPTED ((DWORD)0x1000)
/*
 * Wait for any of h[0..n-1] (n <= 64, 63 with IPCX__WAIT_INTR) for at most ms (INFINITE: no limit).
 * Returns WAIT_OBJECT_0 + i, WAIT_ABANDONED_0 + i, WAIT_TIMEOUT, WAIT_FAILED,
 * or IPCX__WAIT_INTERRUPTED.  Every blocking wait of win32/ goes through it.
 */
DWORD ipcx__wait(DWORD n, const HANDLE *h, DWORD ms, unsigned flags);
DWORD ipcx__wait1(HANDLE h, DWORD ms, unsigned flags);
/*
 * After IPCX__WAIT_INTERRUPTED: the caller has cancelled what it was doing.
 * Returns 1 if the call should wait again (the handler had SA_RESTART and the
 * call is one Linux restarts), 0 if it should fail with EINTR.
 */
int ipcx__wait_restart(void);

/* --- signals (signal.c) ----------------------------------------------- */

/*
 * The exit code of a process ended by signal sig: its own default action, or
 * kill() from outside (TerminateProcess).  waitpid() reports it as
 * WIFSIGNALED with WTERMSIG sig (process.c).
 */
#define IPCX__EXIT_SIGNALED(sig) (0xE5160000u | (unsigned)(sig))
#define IPCX__EXIT_SIGNAL_OF(code) (((code) & 0xFFFFFF00u) == 0xE5160000u ? (int)((code) & 0xff) : 0)

/* A thread's interruptible-wait state (the part wait.c uses). */
struct ipcx__sigthread;
/* This thread's state, made on first use; NULL while the process has never
 * used the signal API (then no wait is ever interrupted). */
struct ipcx__sigthread *ipcx__signal_self(void);
/* Around an interruptible wait: begin returns the thread's interrupt event
 * (manual-reset); end returns 1 if a handler interrupted the wait. */
HANDLE ipcx__signal_wait_begin(struct ipcx__sigthread *t);
int ipcx__signal_wait_end(struct ipcx__sigthread *t);
/* 1 if every handler that interrupted t's last wait had SA_RESTART. */
int ipcx__signal_restart(struct ipcx__sigthread *t);
/* 1 once the process serves signals (the signal thread runs). */
int ipcx__signal_active(void);
/* Queue a signal for this process (SIGCHLD, SIGALRM, console) and wake the
 * signal thread.  Standard signals coalesce while pending. */
void ipcx__signal_post(const ipcx_siginfo_t *si);
/*
 * kill() on one process: h is its handle when it is our child (or NULL).
 * Delivers through the target's signal box when it has one, else the
 * default action from outside (TerminateProcess(IPCX__EXIT_SIGNALED)).
 * 0, or -1 with errno (ESRCH, EPERM).
 */
int ipcx__signal_send(pid_t pid, HANDLE h, int sig);
/* kill(-1, sig): every other process of this user with a signal box; how
 * many (the first error in *err).  Processes without a box are not reached. */
int ipcx__signal_send_all(int sig, int *err);
/* 1 if process pid has a signal box (kill() reaches its handlers). */
int ipcx__signal_has_box(pid_t pid);
/* ppoll/pselect: this thread's mask is *mask until leave (the old one in
 * *saved).  enter returns 1 when a signal the mask unblocks was pending: its
 * handler has run and the call returns EINTR without waiting (leave done);
 * 0 to go on and wait; -1 with errno. */
int ipcx__signal_mask_enter(const ipcx_sigset_t *mask, ipcx_sigset_t *saved);
void ipcx__signal_mask_leave(const ipcx_sigset_t *saved);
/* The environment variable posix_spawn gives a child for its signal state
 * (ignored signals, the mask; signal.c reads it when the child starts). */
#define IPCX__SIGSTATE "IPCX_SIGSTATE"
/* The one posix_spawn gives a child that must import fds before main()
 * ("fd:keep-handle,...": ops' export_keep; fd.c reads it at start). */
#define IPCX__IMPORT "IPCX_IMPORT"
void ipcx__signal_spawn_env(const ipcx_posix_spawnattr_t *attr, char *buf, size_t size);
/* kill() of this process: queued, and delivered before kill() returns. */
int ipcx__signal_self_kill(int sig);
/* A write or send that failed with EPIPE raises SIGPIPE in this thread, as
 * Linux does (not with MSG_NOSIGNAL); returns r with errno kept. */
ssize_t ipcx__sigpipe(ssize_t r, int flags);
/* Owner-only security attributes for named objects (this user and SYSTEM). */
SECURITY_ATTRIBUTES *ipcx__owner_only(void);

/* --- errors (error.c) ------------------------------------------------- */

/* The errno for a Win32 or Winsock error code (the one table). */
int ipcx__errno_from_win32(DWORD err);
/* Per-operation overrides of the table. */
int ipcx__errno_read(DWORD err);
int ipcx__errno_write(DWORD err);
/* The funnels: set errno (and leave GetLastError() meaningful), return -1. */
int ipcx__fail(int err);
int ipcx__fail_win32(DWORD err);

/* --- overlapped I/O on handles (io.c) ---------------------------------- */

/* This thread's manual-reset event for overlapped calls (closed at thread exit). */
HANDLE ipcx__thread_event(void);
/*
 * Read up to n bytes from handle h with overlapped I/O.  timeout_ms: INFINITE
 * blocks, 0 is nonblocking (a read that would wait is cancelled), otherwise a
 * limit.  Returns ERROR_SUCCESS with *got set, or the Win32 error
 * (ERROR_OPERATION_ABORTED when a nonblocking read found nothing,
 * WAIT_TIMEOUT when the limit passed).
 */
/*
 * The one overlapped wait (io.c's reads and writes, unix_conn.c's): wait for
 * the pending call ov on h for at most timeout_ms, ending early when wake
 * (NULL: none) is signalled or, with flags IPCX__WAIT_INTR, when a handler
 * interrupts; the call is then cancelled and waited for.  Returns
 * ERROR_SUCCESS (it completed, maybe racing the cancel), ERROR_MORE_DATA,
 * WAIT_TIMEOUT, IPCX__WAIT_INTERRUPTED, ERROR_OPERATION_ABORTED (woken),
 * or the call's error; *n what it moved (also when cancelled).
 */
DWORD ipcx__io_wait(HANDLE h, OVERLAPPED *ov, HANDLE wake, DWORD timeout_ms, unsigned flags,
                    DWORD *n);
/* Cancel the overlapped call ov on h and wait until it has ended (its
 * buffer and OVERLAPPED are free again). */
void ipcx__io_cancel(HANDLE h, OVERLAPPED *ov);
DWORD ipcx__io_read(HANDLE h, void *buf, DWORD n, DWORD *got, DWORD timeout_ms);
/* Blocking overlapped write of all n bytes; ERROR_SUCCESS or the Win32 error.
 * Both, when blocking: IPCX__WAIT_INTERRUPTED when a signal handler
 * interrupted them (restarted inside when it had SA_RESTART and nothing had
 * moved yet); *put and *got then say what got through. */
DWORD ipcx__io_write(HANDLE h, const void *buf, DWORD n, DWORD *put, DWORD timeout_ms);
/*
 * Nonblocking write on f->h: writes what the pipe takes now; a write the pipe
 * must wait for stays pending in f->pw (a copy of at most max bytes) and
 * counts as written, as a kernel buffer would.  Returns bytes or -1/errno.
 */
ssize_t ipcx__io_write_nonblock(struct ipcx__file *f, const void *buf, size_t n, size_t max);
/* Wait for f's pending nonblocking write, if any; ERROR_SUCCESS or its error. */
DWORD ipcx__io_drain(struct ipcx__file *f);
/* The same for a blocking write(): the wait is interruptible (a full pipe);
 * IPCX__WAIT_INTERRUPTED when a handler without SA_RESTART ran, or any
 * handler during a wait bounded by timeout_ms (SO_SNDTIMEO), WAIT_TIMEOUT
 * after it (the pending write stays: it was already reported as written). */
DWORD ipcx__io_drain_intr(struct ipcx__file *f, DWORD timeout_ms);
/*
 * Close f->h and free f (ipcx__file_free).  With a pending write still in the
 * pipe, a small thread does it once the peer has taken the data or gone.
 */
void ipcx__io_close_lingering(struct ipcx__file *f);
/* Close f->h and free f now. */
void ipcx__io_close_now(struct ipcx__file *f);

/* --- pipes (pipe.c) --------------------------------------------------- */

extern const struct ipcx__ops ipcx__pipe_ops;
/*
 * A connected pair of pipe instances with a fresh unguessable name:
 * *server and *client, both overlapped, both duplex.  For pipe(), socketpair().
 * Returns ERROR_SUCCESS or the Win32 error.
 */
DWORD ipcx__pipe_pair(HANDLE *server, HANDLE *client, DWORD bufsize, DWORD type);
/* The same, with the client opened for client_access with client_flags
 * (0: synchronous, for the C runtime; stdio.c's bridges). */
DWORD ipcx__pipe_pair_open(HANDLE *server, HANDLE *client, DWORD bufsize, DWORD type,
                           DWORD client_access, DWORD client_flags, const char *tag);
/* A fresh unguessable pipe name: \\.\pipe\ipcx-<pid>-<random>. */
/* 32 random hex digits (rand_s) and a NUL. */
void ipcx__random_hex(char hex[33]);
void ipcx__pipe_name(char *name, size_t size, const char *tag);
/* A message-mode listening instance with ConnectNamedPipe pending (pipe.c). */
HANDLE ipcx__pipe_listen(const char *name, int first, DWORD outbuf, DWORD inbuf,
                         SECURITY_ATTRIBUTES *sa, OVERLAPPED *ov, int *connected, DWORD *err);

/* Export of a pipe end (pipe(), FIFOs): the child's handle gets only the
 * end's POSIX direction (read or write access). */
int ipcx__pipe_export(struct ipcx__file *f, HANDLE *h);
/* O_RDONLY, O_WRONLY or O_RDWR: what the handle was opened for. */
int ipcx__handle_access(HANDLE h);
/* 1 if err says the other end of a pipe has gone (ERROR_BROKEN_PIPE, ...). */
int ipcx__pipe_gone_error(DWORD err);
/* Bytes waiting in pipe h: 1 some (*hup: the peer has gone too), 0 none,
 * -1 the peer has gone (one request: FilePipeLocalInformation). */
int ipcx__pipe_bytes_waiting(HANDLE h, int *hup);

/* --- the zero-byte read watch (zero_read.c) ---------------------------- */

/*
 * Issue zr's zero-byte read on h, signalling ev (the caller's, which the
 * watch never closes: end it with close_event 0) or, ev NULL, the watch's
 * own event (made on first use).  ERROR_IO_PENDING: armed (zr->active);
 * ERROR_SUCCESS or ERROR_MORE_DATA: bytes wait; a peer-gone error sets
 * zr->gone; any other error: not armed.
 */
DWORD ipcx__zero_read_arm(struct ipcx__zero_read *zr, HANDLE h, HANDLE ev);
/* Collect zr's read without blocking: ERROR_IO_PENDING while it is in
 * flight, else its result (ERROR_SUCCESS if none was pending). */
DWORD ipcx__zero_read_finished(struct ipcx__zero_read *zr, HANDLE h);
/* Cancel a pending read on h and wait until it is over (before h changes or
 * zr's memory goes); close zr's own event when close_event. */
void ipcx__zero_read_end(struct ipcx__zero_read *zr, HANDLE h, int close_event);
/*
 * Readiness through zr on h, with the lock that guards zr held:
 * 1 bytes are waiting to be read (*hup set if the peer has gone too),
 * 0 nothing yet (a zero-byte read is pending: wait on zr->ov.hEvent),
 * -1 the peer has gone and nothing is left to read.
 */
int ipcx__zero_read_on(struct ipcx__zero_read *zr, HANDLE h, int *hup);
/* The same on f->zr and f->h, f->lock held (pipe ends, FIFO writers, raw pipes). */
int ipcx__pipe_zero_read(struct ipcx__file *f, int *hup);
/* FilePipeLocalInformation of pipe h: *avail, the bytes queued for h; 1 while
 * the other end is connected, 0 when it has gone, -1 if the query failed. */
int ipcx__pipe_queued(HANDLE h, DWORD *avail);
/* Cancel f->zr's pending read and close its event (destroy paths). */
void ipcx__zero_read_release(struct ipcx__file *f);

/* --- readiness (poll.c) ----------------------------------------------- */

/* fd has just been closed: wake the threads polling it (ipcx_close calls it). */
void ipcx__poll_fd_closed(int fd);
/* 1 if thread tid is waiting inside poll() or select() now. */
int ipcx__poll_thread_waiting(DWORD tid);
/*
 * poll() itself, for select() (select.c): timeout_ms < 0 waits forever;
 * select_mode counts an fd as ready only by select()'s rules (a closed fd
 * is then never ready).
 */
int ipcx__poll_core(struct ipcx_pollfd *fds, ipcx_nfds_t n, long long timeout_ms, int select_mode);

/* --- child processes (spawn.c, process.c) ---------------------------- */

/* A child posix_spawn made: waitpid() owns h from now on.  0 or ENOMEM. */
int ipcx__process_add(HANDLE h, pid_t pid, pid_t pgid);
/* Signals have just been switched on: watch every child for SIGCHLD. */
void ipcx__process_watch_all(void);

/* --- FIFOs (fifo.c) ---------------------------------------------------- */

/* 1 if path is a FIFO's marker file (mkfifo). */
int ipcx__fifo_is(const char *path);
/* open() on a FIFO: the POSIX open rules; an fd or -1/errno. */
int ipcx__fifo_open(const char *path, int flags);
/* After a successful stat(path): report a marker file as S_IFIFO. */
int ipcx__fifo_stat(const char *path, struct stat *st);

/* --- sockets (socket.c: the calls and Winsock; unix.c: AF_UNIX) ------ */

/* SCM_RIGHTS of a Winsock socket (a duplicated handle is no socket to
 * Winsock): its WSADuplicateSocket for process to (0 or errno), and an fd
 * for one made for this process (or -1/errno). */
int ipcx__ws_export(struct ipcx__file *f, DWORD to, WSAPROTOCOL_INFOW *ws);
int ipcx__ws_adopt(const WSAPROTOCOL_INFOW *ws, int flags, int cloexec);
/* A Winsock socket inherited in a CRT slot (h stays the slot's): 1 and a
 * description in *out, 0 if h is no socket, -1/errno. */
int ipcx__ws_import(HANDLE h, struct ipcx__file **out);
/* AF_UNIX SOCK_STREAM: a new fd (flags: SOCK_NONBLOCK | SOCK_CLOEXEC), or -1. */
/* type: SOCK_STREAM or SOCK_SEQPACKET; socketpair also SOCK_DGRAM. */
int ipcx__unix_socket(int type, int flags);
int ipcx__unix_socketpair(int type, int flags, int sv[2]);
/* Every other call on an AF_UNIX socket goes through its ops table (unix.c). */
/* After a successful stat(path): report a socket's rendezvous file as S_IFSOCK. */
int ipcx__unix_stat(const char *path, struct stat *st);
int ipcx__unix_is_socket(const char *path);
/* AF_UNIX sockets' ops (unix.c); fd.c asks its import first for an inherited pipe. */
extern const struct ipcx__ops ipcx__unix_ops;

/* --- raw Windows named pipes (unix_raw.c) ------------------------------ */

/* 1 if path is "\\.\pipe\NAME" (or with slashes): open() opens the pipe itself. */
int ipcx__raw_is_path(const char *path);
/* open() of such a path: a pipe fd on the named pipe, or -1/errno. */
int ipcx__raw_open(const char *path, int flags);

/* --- exact paths (path.c) --------------------------------------------- */

/*
 * path as Win32 takes it without rewriting it: UTF-16, absolute, "\\?\"
 * form (malloc'd), or NULL with GetLastError() set.
 */
wchar_t *ipcx__path_exact(const char *path);
/* The "A" calls, by exact path (same arguments). */
HANDLE ipcx__path_create_file(const char *path, DWORD access, DWORD share, SECURITY_ATTRIBUTES *sa,
                              DWORD disposition, DWORD flags, HANDLE tmpl);
DWORD ipcx__path_get_attributes(const char *path);
BOOL ipcx__path_get_attributes_ex(const char *path, GET_FILEEX_INFO_LEVELS level, void *info);
BOOL ipcx__path_delete_file(const char *path);
BOOL ipcx__path_move_file_ex(const char *from, const char *to, DWORD flags);

/* --- named POSIX objects: shm, semaphores, queues (shm.c) -------------- */

/* The backing file of object `name` (checked, leading '/' gone) of kind
 * "shm", "sem" or "mq", in the private folder.  0, or -1/errno. */
int ipcx__ipc_path(WCHAR *path, size_t size, const char *kind, const char *name);
/* CreateFileW on such a path: owner-only, shareable, deletable while open. */
HANDLE ipcx__ipc_open(const WCHAR *path, DWORD access, DWORD disposition);
/* Unlink: free the name now, remove the file with its last handle.  0 or -1/errno. */
int ipcx__ipc_remove(const WCHAR *path);

/* --- semaphores (semaphore.c), for mqueue.c ---------------------------- */

/* sem_timedwait with a relative limit in ms (INFINITE: none; 0: trywait). */
int ipcx__sem_wait_ms(ipcx_sem_t *s, DWORD ms, int intr);
/* A sem_t inside a mapped object: make it; hold / let go of this process's
 * wake handle (hold: 0 or -1/errno). */
void ipcx__sem_setup(ipcx_sem_t *s, unsigned value);
int ipcx__sem_hold(ipcx_sem_t *s);
void ipcx__sem_release(ipcx_sem_t *s);
/* Milliseconds from now until an absolute CLOCK_REALTIME time (0 if past);
 * -1/EINVAL for a bad timespec. */
long long ipcx__ms_until(const struct timespec *abstime);

/* --- CRT-served files (file.c) --------------------------------------- */

extern const struct ipcx__ops ipcx__crt_ops;

#endif
