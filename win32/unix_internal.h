/*
 * unix_internal.h: what the AF_UNIX files share (unix.c: descriptions,
 * addresses, the rendezvous record, names and options, the ops tables;
 * unix_listener.c: bind, listen, accept, connect; unix_conn.c: the frame
 * format, reading, writing, shutdown, readiness of a connection;
 * unix_dgram.c: datagram sockets from socket()).  Only these four include it.
 */
#ifndef IPCX_WIN32_UNIX_INTERNAL_H
#define IPCX_WIN32_UNIX_INTERNAL_H

#include "internal.h"

#include <afunix.h>

#ifndef ESOCKTNOSUPPORT
# define ESOCKTNOSUPPORT 94
#endif

#define PIPE_CAPACITY 65536
#define RA_SIZE 65536
/* A record socket's read-ahead keeps records behind a length (REC_HDR), and
 * room for one more of the largest, so that it can look behind the first. */
#define REC_HDR ((DWORD)sizeof(DWORD))
#define RA_CAP(s) ((s)->type == SOCK_STREAM ? RA_SIZE : 2 * RA_SIZE + 2 * REC_HDR)
#define MAX_BACKLOG 63
#define RECORD_MAGIC "!<ipcx-socket>\n"
#define SUN_OFF ((socklen_t)offsetof(struct sockaddr_un, sun_path))

enum { ST_NEW, ST_BOUND, ST_LISTEN, ST_CONNECTED };
enum { EOF_NONE, EOF_MARK, EOF_CLOSED };

struct instance {
  HANDLE h;
  OVERLAPPED ov;                /* ConnectNamedPipe; hEvent is the shared one */
  int ready;                    /* connected synchronously */
};

struct usock {
  int type;                     /* SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM (pairs only) */
  int state;
  int bound;
  struct sockaddr_un local;
  socklen_t local_len;          /* 0: unbound */
  struct sockaddr_un peer;
  socklen_t peer_len;
  char pipe_name[128];
  HANDLE guard;                 /* abstract names: the named mapping */
  /* listener */
  SRWLOCK llock;
  struct instance *inst;
  int ninst;
  HANDLE accept_ev;             /* named: the listener is alive (connect's test) */
  HANDLE back[MAX_BACKLOG];     /* connections an accept() could not install, first out first */
  int nback;
  int lshared;                  /* handed to another process: instances only while accepting */
  HANDLE anchor;                /* shared: the instance that keeps the name (unix_listener.c) */
  HANDLE live;                  /* an imported listener's hold on the "alive" event */
  /* connection */
  CRITICAL_SECTION rd_lock;     /* one reader at a time, as Linux's iolock */
  HANDLE rd_wake;               /* set when reads must end: EOF or SHUT_RD */
  HANDLE rd_done;               /* set when a reader leaves, if poll_waits (for poll) */
  volatile LONG poll_waits;
  volatile LONG eof;
  volatile LONG shut_rd, shut_wr;
  volatile LONG peer_rd;        /* the peer's SHUT_RD (or reset): our writes are EPIPE */
  volatile LONG err;            /* a pending error (ECONNRESET), taken by a read */
  int esc;                      /* an escape came: the next message is a control record */
  int shared;                   /* handed to a child: its close resets no one */
  int watched;                  /* a write has posted its one read-ahead (peer_refuses) */
  int byte_mode;                /* connect()ed, not yet read: set message mode first */
  int io_done;                  /* f->h has read or written: Wine has its Unix fd cached */
  DWORD peer_pid;               /* 0: not known yet (ask the pipe) */
  char *ra_buf;
  DWORD ra_len, ra_off;
  int ra_pending;
  OVERLAPPED ra_ov;
  /* options */
  DWORD rcvtimeo, sndtimeo;     /* ms, 0 = none */
  int rcvbuf, sndbuf;
  int opts[7];                  /* remembered options (remembered()) */
  struct linger linger;
  /* datagram sockets from socket() (see "datagrams") */
  struct mailbox *mb;           /* bound: the mailbox */
  int dconnected;               /* connect()ed: peer and peer_pipe hold the default */
  char peer_pipe[128];
  HANDLE dest;                  /* the last destination's pipe, kept open */
  char dest_name[128];
  struct sockaddr_un from;      /* the sender of the last datagram received */
  socklen_t from_len;
  /* ancillary data (scm.c) */
  struct ipcx__scm_batch *scm_q;  /* received fds, in the order of their data in the read-ahead */
  int scm_stop;                 /* this read has reached a batch: it ends with its data */
  int passcred;                 /* SO_PASSCRED */
  /* the datagram rules (unix_dgram.c, "flow"): ours as a receiver, the
   * last destination's as a sender */
  HANDLE flow_map, dest_flow_map;
  struct dgflow *flow, *dest_flow;
};

struct mailbox;

static inline int dgram(const struct usock *s)
{
  return s->type == SOCK_DGRAM && s->state != ST_CONNECTED;   /* not a socketpair() end */
}

static inline struct usock *us(struct ipcx__file *f)
{
  return f->impl;
}

/* --- unix.c: descriptions, security, addresses, the rendezvous record */

/* The manual-reset event in *slot, made now if it is the first use; NULL if none can be made. */
HANDLE ipcx__unix_lazy_event(HANDLE *slot);
void ipcx__unix_close_handle(HANDLE h);
void ipcx__unix_wake(HANDLE ev);
void ipcx__unix_close_listener(struct usock *s);
int ipcx__unix_type_of_tag(const char *tag);
struct ipcx__file *ipcx__unix_connected_file(HANDLE h, int nonblock, DWORD peer_pid);
/* f as a new fd whose CRT slot holds a placeholder (the NUL device), not
 * the pipe; f is consumed on failure too.  The fd, or -1/errno. */
int ipcx__unix_install(struct ipcx__file *f, int cloexec);
int ipcx__unix_set_message_mode(HANDLE h);
int ipcx__unix_parse_addr(const struct sockaddr *addr, socklen_t len, struct sockaddr_un *out,
                      socklen_t *outlen);
void ipcx__unix_addr_path(const struct sockaddr_un *a, char *path);
void ipcx__unix_abstract_name(const struct sockaddr_un *a, socklen_t len, char *name, size_t size);
int ipcx__unix_copy_addr(const struct sockaddr_un *a, socklen_t alen, struct sockaddr *addr,
                     socklen_t *len);
int ipcx__unix_format_record(char *buf, size_t size, const char *pipe_name);
int ipcx__unix_read_record_file(const char *path, char *pipe_name, size_t size, DWORD *pid);
/* The record of the socket file at path, from the cache when the file is
 * unchanged (*cached 1) unless fresh; 0 or -1/errno as connect() gives it. */
int ipcx__unix_lookup_record(const char *path, char *pipe_name, size_t size, DWORD *pid,
                             int fresh, int *cached);
int ipcx__unix_read_record_abstract(const struct sockaddr_un *a, socklen_t len, char *pipe_name,
                                size_t size, DWORD *pid);

/* --- unix_listener.c: bind, listen, accept, connect */

int ipcx__unix_bind(struct ipcx__file *f, const struct sockaddr *addr, socklen_t len);
int ipcx__unix_any_ready(struct usock *s);
int ipcx__unix_listen(struct ipcx__file *f, int backlog);
int ipcx__unix_accept(struct ipcx__file *f, struct sockaddr *addr, socklen_t *len, int flags);
HANDLE ipcx__unix_accept_handle(struct ipcx__file *f, struct sockaddr *addr, socklen_t *len,
                                int flags);
void ipcx__unix_give_back(struct usock *s, HANDLE h);
/* A listener handed to another process (posix_spawn, SCM_RIGHTS): the record
 * its anchor instance holds, export, import, and arming an instance (llock
 * held) when this process wants a connection. */
struct lrec {
  char magic[8];                /* LREC_MAGIC */
  DWORD type;
  int local_len;
  struct sockaddr_un local;
  char pipe_name[128];
};
#define LREC_MAGIC "XLSNipcx"
int ipcx__unix_listener_export(struct ipcx__file *f, HANDLE *h);
int ipcx__unix_listener_keep(struct ipcx__file *f, HANDLE *keep);
int ipcx__unix_anchor_record(HANDLE h, struct lrec *r);
int ipcx__unix_listener_adopt(struct ipcx__file *f, HANDLE anchor, const struct lrec *r);
void ipcx__unix_listener_arm(struct usock *s);
int ipcx__unix_connect(struct ipcx__file *f, const struct sockaddr *addr, socklen_t len);

/* --- unix_conn.c: a connection's frames, reads, writes, shutdown, readiness */

int ipcx__unix_interrupted(void);
int ipcx__unix_ra_post(struct ipcx__file *f);
int ipcx__unix_ra_collect(struct ipcx__file *f, DWORD timeout_ms);
int ipcx__unix_rd_closed(struct usock *s);
int ipcx__unix_export(struct ipcx__file *f, HANDLE *h);
ssize_t ipcx__unix_recv_record(struct ipcx__file *f, char *buf, size_t n, int flags, int nonblock);
ssize_t ipcx__unix_recv(struct ipcx__file *f, void *buf, size_t n, int flags);
ssize_t ipcx__unix_send(struct ipcx__file *f, const void *buf, size_t n, int flags);
ssize_t ipcx__unix_send_bytes(struct ipcx__file *f, const void *buf, size_t n, int flags);
ssize_t ipcx__unix_read(struct ipcx__file *f, int fd, void *buf, size_t n, int nonblock);
ssize_t ipcx__unix_write(struct ipcx__file *f, int fd, const void *buf, size_t n, int nonblock);
int ipcx__unix_shutdown(struct ipcx__file *f, int how);
void ipcx__unix_reset_peer(struct ipcx__file *f);
int ipcx__unix_nread(struct ipcx__file *f, int *n);
short ipcx__unix_poll(struct ipcx__file *f, short events, HANDLE wait[2], int *nwait);
ssize_t ipcx__unix_sendscm(struct ipcx__file *f, const struct ipcx__scm_out *scm, const void *buf,
                           size_t n, int flags, const struct sockaddr *addr, socklen_t alen);
void ipcx__unix_scm_release(struct ipcx__file *f);

/* --- unix_raw.c: sockets on raw Windows named pipes (\\.\pipe\NAME paths) */

/* 1 if addr names a raw Windows named pipe (sun_path "\\.\pipe\NAME"). */
int ipcx__unix_raw_addr(const struct sockaddr *addr, socklen_t len);
int ipcx__unix_raw_bind(struct ipcx__file *f, const struct sockaddr *addr, socklen_t len);
int ipcx__unix_raw_connect(struct ipcx__file *f, int fd, const struct sockaddr *addr, socklen_t len);

/* --- unix_dgram.c: datagram sockets and their mailboxes */

void ipcx__unix_mailbox_stop(struct mailbox *m);
/* The socket is closed here but read elsewhere: the relay goes on until the
 * last reader of its private pipe has gone, then frees m itself. */
void ipcx__unix_mailbox_detach(struct mailbox *m);
int ipcx__unix_dgram_export(struct ipcx__file *f, HANDLE *h);
/* recv() took a datagram of rec bytes (as sent, header included). */
void ipcx__unix_dgram_taken(struct usock *s, DWORD rec);
/* destroy: let go of the flow records. */
void ipcx__unix_dgram_release(struct usock *s);
void ipcx__unix_dgram_adopt(struct ipcx__file *f);
int ipcx__unix_mailbox_start(struct ipcx__file *f);
ssize_t ipcx__unix_dgram_send(struct ipcx__file *f, const void *buf, size_t n, int flags,
                              const struct sockaddr *addr, socklen_t len);
int ipcx__unix_dgram_connect(struct ipcx__file *f, const struct sockaddr *addr, socklen_t len);
int ipcx__unix_dgram_from(struct ipcx__file *f, struct sockaddr *addr, socklen_t *len);
int ipcx__unix_is_dgram(struct ipcx__file *f);
ssize_t ipcx__unix_dgram_sendscm(struct ipcx__file *f, const struct ipcx__scm_out *scm,
                                 const void *buf, size_t n, const struct sockaddr *addr,
                                 socklen_t len);

#endif
