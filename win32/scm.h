/*
 * scm.h: ancillary data (SCM_RIGHTS, SCM_CREDENTIALS) between socket.c, the
 * AF_UNIX connection (unix_conn.c) and scm.c, which does the work.  Include
 * after internal.h.
 */
#ifndef IPCX_WIN32_SCM_H
#define IPCX_WIN32_SCM_H

/* Linux's SCM_MAX_FD: the most fds one sendmsg() passes. */
#define IPCX__SCM_MAX_FD 253

/* What a sendmsg() asks to pass, checked as Linux checks it. */
struct ipcx__scm_out {
  int nfds;
  int fds[IPCX__SCM_MAX_FD];
  int has_cred;
  struct ucred cred;
};

/* A received record: fds (as handles) and credentials, and where its data is. */
struct ipcx__scm_batch;

/* msg's control data into *out: 0, or -1/errno (EINVAL a malformed or unknown
 * cmsg, EBADF a bad fd, EPERM credentials the sender may not claim). */
int ipcx__scm_parse(const struct msghdr *msg, struct ipcx__scm_out *out);
/* The record for *out, in a malloc'd buffer with `before` bytes free before
 * it and `after` bytes after it (its size in *size): each fd exported and
 * its handle placed in the process at the other end of the connection's
 * pipe (docs/fdpass.md).  NULL/errno (nothing is left placed). */
char *ipcx__scm_pack(const struct ipcx__scm_out *out, HANDLE pipe, size_t before, size_t after,
                     size_t *size);
/* A packed record that was not sent: close its handles where they are. */
void ipcx__scm_unpack(const void *rec);

/* A record read from the pipe (len bytes): a batch, or NULL (malformed;
 * out of memory, then its handles are closed). */
struct ipcx__scm_batch *ipcx__scm_take(const void *rec, size_t len);
/* The batch's data: len bytes at pos in the reader's read-ahead. */
void ipcx__scm_set_place(struct ipcx__scm_batch *b, DWORD pos, DWORD len);
DWORD ipcx__scm_pos(const struct ipcx__scm_batch *b);
DWORD ipcx__scm_end(const struct ipcx__scm_batch *b);
/* The batch's link, for the reader's queue. */
struct ipcx__scm_batch **ipcx__scm_next(struct ipcx__scm_batch *b);
/* A read has reached the batch's data: to the recvmsg() in progress on this
 * thread, or closed (read(), recv()). */
void ipcx__scm_deliver(struct ipcx__scm_batch *b);
/* MSG_PEEK has reached a record's data (rec, len bytes; a batch's from
 * ipcx__scm_record): the recvmsg() in progress gets new fds for its fds,
 * which stay queued. */
void ipcx__scm_deliver_peek(void *rec, size_t len);
void *ipcx__scm_record(struct ipcx__scm_batch *b, size_t *len);
/* Close the batch's handles where they are and free it; the same for a queue. */
void ipcx__scm_discard(struct ipcx__scm_batch *b);
void ipcx__scm_discard_all(struct ipcx__scm_batch **q);

/* recvmsg(): around its read, collect the batch the read reaches in *slot;
 * then build msg's control data from it (credentials first when cred is not
 * NULL, SO_PASSCRED; then the fds, MSG_CMSG_CLOEXEC from flags), setting
 * msg_controllen and MSG_CTRUNC as Linux does. */
void ipcx__scm_rx_begin(struct ipcx__scm_batch **slot);
void ipcx__scm_rx_end(struct ipcx__scm_batch **slot, struct msghdr *msg, int flags,
                      const struct ucred *cred);

#endif
