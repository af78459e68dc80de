/*
 * mqueue.c: <mqueue.h>, POSIX message queues.
 *
 * A queue is a file in the private folder (shm.c), so it lives until
 * mq_unlink as on Linux, mapped whole by every process that opens it:
 *
 *   struct head   sizes, the message count, a sequence counter, who asked
 *                 for mq_notify, and three ipcx_sem_t (semaphore.c) that
 *                 work across processes:
 *                   lock    1: guards the slots
 *                   items   messages not yet claimed by a receiver
 *                   slots   free slots not yet claimed by a sender
 *   struct slot   mq_maxmsg of them: used, priority, sequence, length, bytes
 *
 * mq_send claims a slot (waits on `slots`: O_NONBLOCK is a trywait, EAGAIN;
 * mq_timedsend a timed wait, ETIMEDOUT), fills a free slot under `lock` with
 * the next sequence number, and posts `items`.  mq_receive claims a message
 * on `items` and takes, under `lock`, the used slot of highest priority and
 * lowest sequence: the highest priority first, FIFO within a priority.  An
 * uncontended send or receive makes no system call.
 *
 * An mqd_t is an fd, as on Linux: a file description of kind
 * IPCX__KIND_MQUEUE (close-on-exec, O_NONBLOCK in its flags, so fcntl and
 * mq_setattr change the same bit) holding the queue file's handle and the
 * mapping.  poll() and select() wait on it: POLLIN while a message is
 * queued, POLLOUT while a slot is free.  The first poll() of a queue that
 * must wait sets `polled` in the head and two named manual-reset events,
 * Local\ipcx-mq[rw]-<id> ("not empty", "not full"); from then on every
 * sender and receiver keeps them true, under the lock, at each empty/full
 * transition.  A queue nobody polls costs no event calls.
 *
 * mq_notify: the registering process names an event,
 * Local\ipcx-mqn-<random>, in the head and starts a thread waiting on it;
 * the sender that puts a message into an empty queue with nobody blocked in
 * mq_receive clears the registration, writes its pid in the head and sets
 * the event; the thread then calls the function (SIGEV_THREAD), or queues
 * the signal for this process (SIGEV_SIGNAL: si_code SI_MESGQ, si_value,
 * si_pid the sender, through signal.c as SIGCHLD is), or does nothing
 * (SIGEV_NONE).
 */
#include "internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MQ_MAGIC 0x3258504du     /* "MPX2": the head with notify_from (an older queue file is EINVAL) */
#define DEF_MAXMSG 10           /* Linux: /proc/sys/fs/mqueue/msg_default, msg_max */
#define DEF_MSGSIZE 8192        /* msgsize_default, msgsize_max */
#define PATH_SIZE 1024

struct head {
  unsigned magic;
  unsigned slot_size;
  long maxmsg, msgsize;
  ipcx_sem_t lock, items, slots;
  volatile long count;
  unsigned long long seq;
  volatile long notify_pid;     /* 0: nobody registered */
  char notify_id[32];
  long polled;                  /* someone has polled: keep the events true */
  char poll_id[32];             /* names the two events */
  volatile long notify_from;    /* the sender that fired the registration */
};

struct slot {
  unsigned long long seq;
  unsigned prio;
  unsigned len;
  long used;
  long pad;
  /* the bytes follow */
};

struct notifier {
  volatile LONG refs;           /* the mqd's and the thread's */
  HANDLE event, cancel;
  const struct head *view;      /* SIGEV_SIGNAL: its own view, for notify_from */
  char id[32];
  struct ipcx_sigevent sev;
};

/* The description's own state (f->impl); f->h is the queue file. */
struct mqd {
  struct head *h;
  struct notifier *n;           /* the last registration made through it (guarded by the queue lock) */
  HANDLE ev[2];                 /* "not empty", "not full": opened when the queue is polled */
};

static const struct ipcx__ops mq_ops;

static struct slot *slot_at(struct head *h, long i)
{
  return (struct slot *)((char *)(h + 1) + (size_t)i * h->slot_size);
}

static size_t file_size(long maxmsg, long msgsize, unsigned *slot_size)
{
  *slot_size = (unsigned)((sizeof(struct slot) + (size_t)msgsize + 7) & ~(size_t)7);
  return sizeof(struct head) + (size_t)maxmsg * *slot_size;
}

/* Linux (the kernel's rules): '/' first (EINVAL); then not empty (ENOENT),
 * no other '/' (EACCES), at most NAME_MAX (ENAMETOOLONG). */
static const char *mq_name(const char *name, int unlink)
{
  size_t n;

  (void)unlink;
  if (name == NULL) {
    errno = EFAULT;
    return NULL;
  }
  if (name[0] != '/') {
    errno = EINVAL;
    return NULL;
  }
  name++;
  n = strlen(name);
  errno = n == 0 ? ENOENT : strchr(name, '/') != NULL ? EACCES : n > 255 ? ENAMETOOLONG : 0;
  return errno ? NULL : name;
}

/* A new queue at path, made whole in a temporary file and renamed into
 * place.  0 or the Win32 error. */
static DWORD create_file(const WCHAR *path, long maxmsg, long msgsize)
{
  WCHAR tmp[PATH_SIZE];
  char hex[33];
  unsigned ss;
  size_t size = file_size(maxmsg, msgsize, &ss);
  HANDLE f, m;
  struct head *h = NULL;
  DWORD err = 0;

  ipcx__random_hex(hex);
  _snwprintf(tmp, PATH_SIZE, L"%ls.%hs", path, hex);
  tmp[PATH_SIZE - 1] = 0;
  f = ipcx__ipc_open(tmp, GENERIC_READ | GENERIC_WRITE, CREATE_NEW);
  if (f == INVALID_HANDLE_VALUE)
    return GetLastError();
  m = CreateFileMappingW(f, NULL, PAGE_READWRITE, (DWORD)((unsigned long long)size >> 32), (DWORD)size, NULL);
  if (m != NULL) {
    h = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    CloseHandle(m);
  }
  if (h == NULL) {
    err = GetLastError();
  } else {
    ipcx__random_hex(hex);
    memcpy(h->poll_id, hex, 32);
    h->slot_size = ss;
    h->maxmsg = maxmsg;
    h->msgsize = msgsize;
    ipcx__sem_setup(&h->lock, 1);
    ipcx__sem_setup(&h->items, 0);
    ipcx__sem_setup(&h->slots, (unsigned)maxmsg);
    MemoryBarrier();
    h->magic = MQ_MAGIC;
    UnmapViewOfFile(h);
  }
  CloseHandle(f);
  if (err == 0 && !MoveFileExW(tmp, path, 0))
    err = GetLastError();
  if (err != 0)
    DeleteFileW(tmp);
  return err;
}

static struct head *map_file(HANDLE f)
{
  HANDLE m = CreateFileMappingW(f, NULL, PAGE_READWRITE, 0, 0, NULL);
  struct head *h = NULL;

  if (m != NULL) {
    h = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, 0);
    CloseHandle(m);
  }
  if (h == NULL) {
    ipcx__fail_win32(GetLastError());
    return NULL;
  }
  if (h->magic != MQ_MAGIC) {
    UnmapViewOfFile(h);
    ipcx__fail(EINVAL);
    return NULL;
  }
  if (ipcx__sem_hold(&h->lock) < 0 || ipcx__sem_hold(&h->items) < 0 || ipcx__sem_hold(&h->slots) < 0) {
    ipcx__sem_release(&h->lock);  /* (release of one not held is a no-op) */
    ipcx__sem_release(&h->items);
    ipcx__sem_release(&h->slots);
    UnmapViewOfFile(h);
    return NULL;
  }
  return h;
}

static void unmap(struct head *h)
{
  ipcx__sem_release(&h->lock);
  ipcx__sem_release(&h->items);
  ipcx__sem_release(&h->slots);
  UnmapViewOfFile(h);
}

ipcx_mqd_t ipcx_mq_open(const char *name, int oflag, ...)
{
  struct ipcx_mq_attr *attr = NULL;
  WCHAR path[PATH_SIZE];
  long maxmsg = DEF_MAXMSG, msgsize = DEF_MSGSIZE;
  struct ipcx__file *d;
  struct head *h;
  struct mqd *m;
  ipcx_mqd_t q;
  HANDLE f;
  DWORD err;
  va_list ap;

  if (oflag & O_CREAT) {
    va_start(ap, oflag);
    (void)va_arg(ap, int);      /* mode: owner-only whatever it says (docs/shm.md) */
    attr = va_arg(ap, struct ipcx_mq_attr *);
    va_end(ap);
  }
  name = mq_name(name, 0);
  if (name == NULL)
    return -1;
  if (attr != NULL) {
    if (attr->mq_maxmsg <= 0 || attr->mq_msgsize <= 0 || attr->mq_maxmsg > DEF_MAXMSG ||
        attr->mq_msgsize > DEF_MSGSIZE)
      return ipcx__fail(EINVAL);
    maxmsg = attr->mq_maxmsg;
    msgsize = attr->mq_msgsize;
  }
  if (ipcx__ipc_path(path, PATH_SIZE, "mq", name) < 0)
    return -1;
  for (;;) {
    if ((oflag & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL)) {
      f = ipcx__ipc_open(path, GENERIC_READ | GENERIC_WRITE, OPEN_EXISTING);
      if (f != INVALID_HANDLE_VALUE)
        break;
      err = GetLastError();
      if (err != ERROR_FILE_NOT_FOUND || !(oflag & O_CREAT))
        return ipcx__fail_win32(err);
    }
    err = create_file(path, maxmsg, msgsize);
    if (err == ERROR_ALREADY_EXISTS || err == ERROR_FILE_EXISTS) {
      if (oflag & O_EXCL)
        return ipcx__fail(EEXIST);
      continue;
    }
    if (err != 0)
      return ipcx__fail_win32(err);
    oflag &= ~O_EXCL;
  }
  h = map_file(f);
  m = h != NULL ? calloc(1, sizeof *m) : NULL;
  d = m != NULL ? ipcx__file_new(&mq_ops, f, oflag & (O_ACCMODE | O_NONBLOCK)) : NULL;
  if (d == NULL) {
    if (h != NULL)
      unmap(h);
    free(m);
    CloseHandle(f);
    return h == NULL ? -1 : ipcx__fail(ENOMEM);
  }
  m->h = h;
  d->impl = m;
  q = ipcx__fd_install(d, 1);   /* close-on-exec, as Linux's mq fds */
  if (q < 0)
    ipcx__file_unref(d);
  return q;
}

/* The description of queue q, with a reference, or NULL/EBADF. */
static struct ipcx__file *get(ipcx_mqd_t q)
{
  struct ipcx__file *f = ipcx__fd_get(q);

  if (f != NULL && f->ops != &mq_ops) {
    ipcx__file_unref(f);
    f = NULL;
  }
  if (f == NULL)
    errno = EBADF;
  return f;
}

static struct mqd *mqd_of(struct ipcx__file *f)
{
  return f->impl;
}

static void notifier_unref(struct notifier *n)
{
  if (n != NULL && InterlockedDecrement(&n->refs) == 0) {
    if (n->view != NULL)
      UnmapViewOfFile(n->view);
    CloseHandle(n->event);
    CloseHandle(n->cancel);
    free(n);
  }
}

/* Drop q's registration, if it is still the queue's (queue lock held). */
static void unregister(struct head *h, struct mqd *e)
{
  struct notifier *n = e->n;

  if (n == NULL)
    return;
  if (h->notify_pid == (long)GetCurrentProcessId() && memcmp(h->notify_id, n->id, 32) == 0)
    h->notify_pid = 0;
  SetEvent(n->cancel);
  e->n = NULL;
  notifier_unref(n);
}

static void lock(struct head *h)
{
  ipcx__sem_wait_ms(&h->lock, INFINITE, 0);
}

static void unlock(struct head *h)
{
  ipcx_sem_post(&h->lock);
}

static void mq_destroy(struct ipcx__file *f)
{
  struct mqd *m = mqd_of(f);

  if (m->n != NULL) {
    lock(m->h);
    unregister(m->h, m);
    unlock(m->h);
  }
  if (m->ev[0] != NULL)
    CloseHandle(m->ev[0]);
  if (m->ev[1] != NULL)
    CloseHandle(m->ev[1]);
  unmap(m->h);
  free(m);
  CloseHandle(f->h);
  ipcx__file_free(f);
}

int ipcx_mq_close(ipcx_mqd_t q)
{
  struct ipcx__file *f = get(q);
  struct mqd *m;

  if (f == NULL)
    return -1;
  m = mqd_of(f);
  if (m->n != NULL) {           /* the registration goes with the descriptor */
    lock(m->h);
    unregister(m->h, m);
    unlock(m->h);
  }
  ipcx__file_unref(f);
  return ipcx_close(q);
}

int ipcx_mq_unlink(const char *name)
{
  WCHAR path[PATH_SIZE];

  name = mq_name(name, 1);
  if (name == NULL)
    return -1;
  if (ipcx__ipc_path(path, PATH_SIZE, "mq", name) < 0)
    return -1;
  return ipcx__ipc_remove(path);
}

/* How long a call may wait: 0 (O_NONBLOCK), the time to abstime, or INFINITE. */
static int limit(int flags, const struct timespec *abstime, int timed, DWORD *ms)
{
  long long t;

  if (timed && abstime != NULL) {
    t = ipcx__ms_until(abstime);
    if (t < 0)
      return -1;
  }
  if (flags & O_NONBLOCK)
    *ms = 0;
  else if (timed && abstime != NULL)
    *ms = t == 0 ? 1 : t >= INFINITE ? INFINITE - 1 : (DWORD)t;  /* 1: ETIMEDOUT, not EAGAIN */
  else
    *ms = INFINITE;
  return 0;
}

/* The registered process's event, set (queue lock held; a message has just
 * made an empty queue non-empty and nobody is blocked in mq_receive). */
static void fire(struct head *h)
{
  char name[64];
  HANDLE ev;

  memcpy(name, "Local\\ipcx-mqn-", 15);
  memcpy(name + 15, h->notify_id, 32);
  name[47] = 0;
  h->notify_pid = 0;            /* one notification per registration */
  h->notify_from = (long)GetCurrentProcessId();
  ev = OpenEventA(EVENT_MODIFY_STATE, FALSE, name);
  if (ev != NULL) {
    SetEvent(ev);
    CloseHandle(ev);
  }
}

/* The two poll events of m's queue, opened on first use; 0 or -1. */
static int events(struct mqd *m)
{
  char name[64];
  int i;

  for (i = 0; i < 2; i++) {
    if (m->ev[i] != NULL)
      continue;
    memcpy(name, i == 0 ? "Local\\ipcx-mqr-" : "Local\\ipcx-mqw-", 15);
    memcpy(name + 15, m->h->poll_id, 32);
    name[47] = 0;
    m->ev[i] = CreateEventA(ipcx__owner_only(), TRUE, FALSE, name);
    if (m->ev[i] == NULL)
      return -1;
  }
  return 0;
}

/* Make the poll events say what the count says (queue lock held, polled). */
static void events_update(struct mqd *m)
{
  struct head *h = m->h;

  if (events(m) < 0)
    return;
  (h->count > 0 ? SetEvent : ResetEvent)(m->ev[0]);
  (h->count < h->maxmsg ? SetEvent : ResetEvent)(m->ev[1]);
}

static short mq_poll(struct ipcx__file *f, short want, HANDLE wait[2], int *nwait)
{
  struct mqd *m = mqd_of(f);
  struct head *h = m->h;
  short got = 0;

  *nwait = 0;
  lock(h);
  if ((want & IPCX_POLLIN) && h->count > 0)
    got |= IPCX_POLLIN;
  if ((want & IPCX_POLLOUT) && h->count < h->maxmsg)
    got |= IPCX_POLLOUT;
  if (got == 0 && events(m) == 0) {
    h->polled = 1;              /* from now on senders and receivers keep the events true */
    events_update(m);
    if (want & IPCX_POLLIN)
      wait[(*nwait)++] = m->ev[0];
    if (want & IPCX_POLLOUT)
      wait[(*nwait)++] = m->ev[1];
  }
  unlock(h);
  return got;
}

static int send_msg(ipcx_mqd_t q, const char *msg, size_t len, unsigned prio,
                    const struct timespec *abstime, int timed)
{
  struct ipcx__file *f = get(q);
  struct mqd *m;
  struct head *h;
  struct slot *s = NULL;
  DWORD ms;
  long i;
  int r = -1;

  if (f == NULL)
    return -1;
  m = mqd_of(f);
  h = m->h;
  if ((f->flags & O_ACCMODE) == O_RDONLY)
    ipcx__fail(EBADF);
  else if (limit(f->flags, abstime, timed, &ms) < 0)
    ;
  else if (len > (size_t)h->msgsize)
    ipcx__fail(EMSGSIZE);
  else if (prio >= IPCX_MQ_PRIO_MAX)
    ipcx__fail(EINVAL);
  else if (msg == NULL && len > 0)
    ipcx__fail(EFAULT);
  else if (ipcx__sem_wait_ms(&h->slots, ms, 1) == 0) {
    lock(h);
    for (i = 0; i < h->maxmsg; i++) {
      s = slot_at(h, i);
      if (!s->used)
        break;
    }
    s->seq = h->seq++;
    s->prio = prio;
    s->len = (unsigned)len;
    memcpy(s + 1, msg, len);
    s->used = 1;
    h->count++;
    if (h->polled && (h->count == 1 || h->count == h->maxmsg))
      events_update(m);
    if (h->count == 1 && h->notify_pid != 0 && h->items.waiters == 0)
      fire(h);
    unlock(h);
    ipcx_sem_post(&h->items);
    r = 0;
  }
  ipcx__file_unref(f);
  return r;
}

static ssize_t receive_msg(ipcx_mqd_t q, char *msg, size_t len, unsigned *prio,
                           const struct timespec *abstime, int timed)
{
  struct ipcx__file *f = get(q);
  struct mqd *m;
  struct head *h;
  struct slot *s, *best = NULL;
  ssize_t r = -1;
  DWORD ms;
  long i;

  if (f == NULL)
    return -1;
  m = mqd_of(f);
  h = m->h;
  if ((f->flags & O_ACCMODE) == O_WRONLY)
    ipcx__fail(EBADF);
  else if (limit(f->flags, abstime, timed, &ms) < 0)
    ;
  else if (len < (size_t)h->msgsize)
    ipcx__fail(EMSGSIZE);
  else if (msg == NULL)
    ipcx__fail(EFAULT);
  else if (ipcx__sem_wait_ms(&h->items, ms, 1) == 0) {
    lock(h);
    for (i = 0; i < h->maxmsg; i++) {
      s = slot_at(h, i);
      if (s->used && (best == NULL || s->prio > best->prio || (s->prio == best->prio && s->seq < best->seq)))
        best = s;
    }
    r = (ssize_t)best->len;
    memcpy(msg, best + 1, best->len);
    if (prio != NULL)
      *prio = best->prio;
    best->used = 0;
    h->count--;
    if (h->polled && (h->count == 0 || h->count == h->maxmsg - 1))
      events_update(m);
    unlock(h);
    ipcx_sem_post(&h->slots);
  }
  ipcx__file_unref(f);
  return r;
}

int ipcx_mq_send(ipcx_mqd_t q, const char *msg, size_t len, unsigned int prio)
{
  return send_msg(q, msg, len, prio, NULL, 0);
}

int ipcx_mq_timedsend(ipcx_mqd_t q, const char *msg, size_t len, unsigned int prio,
                      const struct timespec *abstime)
{
  return send_msg(q, msg, len, prio, abstime, 1);
}

ssize_t ipcx_mq_receive(ipcx_mqd_t q, char *msg, size_t len, unsigned int *prio)
{
  return receive_msg(q, msg, len, prio, NULL, 0);
}

ssize_t ipcx_mq_timedreceive(ipcx_mqd_t q, char *msg, size_t len, unsigned int *prio,
                             const struct timespec *abstime)
{
  return receive_msg(q, msg, len, prio, abstime, 1);
}

int ipcx_mq_getattr(ipcx_mqd_t q, struct ipcx_mq_attr *attr)
{
  struct ipcx__file *f = get(q);
  struct head *h;

  if (f == NULL)
    return -1;
  if (attr == NULL) {
    ipcx__file_unref(f);
    return ipcx__fail(EFAULT);
  }
  h = mqd_of(f)->h;
  attr->mq_flags = f->flags & O_NONBLOCK;
  attr->mq_maxmsg = h->maxmsg;
  attr->mq_msgsize = h->msgsize;
  attr->mq_curmsgs = h->count;
  ipcx__file_unref(f);
  return 0;
}

int ipcx_mq_setattr(ipcx_mqd_t q, const struct ipcx_mq_attr *attr, struct ipcx_mq_attr *old)
{
  struct ipcx_mq_attr was;

  if (attr == NULL)
    return ipcx__fail(EFAULT);
  if (ipcx_mq_getattr(q, &was) < 0)
    return -1;
  if (attr->mq_flags & ~(long)O_NONBLOCK)
    return ipcx__fail(EINVAL);
  /* O_NONBLOCK is the description's status flag: fcntl(F_SETFL) sets the same bit. */
  if (ipcx_fcntl(q, F_SETFL, (int)(attr->mq_flags & O_NONBLOCK)) < 0)
    return -1;
  if (old != NULL)
    *old = was;
  return 0;
}

static DWORD WINAPI notify_thread(void *arg)
{
  struct notifier *n = arg;
  HANDLE hs[2] = { n->event, n->cancel };
  ipcx_siginfo_t si;

  if (ipcx__wait(2, hs, INFINITE, 0) != WAIT_OBJECT_0) {
    /* cancelled */
  } else if (n->sev.sigev_notify == IPCX_SIGEV_THREAD && n->sev.sigev_notify_function != NULL) {
    n->sev.sigev_notify_function(n->sev.sigev_value);
  } else if (n->sev.sigev_notify == IPCX_SIGEV_SIGNAL && n->sev.sigev_signo != 0) {
    memset(&si, 0, sizeof si);
    si.si_signo = n->sev.sigev_signo;
    si.si_code = SI_MESGQ;
    si.si_pid = (pid_t)n->view->notify_from;
    si.si_uid = (uid_t)-1;
    si.si_value = n->sev.sigev_value;
    ipcx__signal_post(&si);     /* process-directed, as Linux's */
  }
  notifier_unref(n);
  return 0;
}

/* A read-only view of the queue's head, for the notifier (NULL on failure). */
static const struct head *head_view(HANDLE file)
{
  HANDLE m = CreateFileMappingW(file, NULL, PAGE_READONLY, 0, 0, NULL);
  const struct head *v = NULL;

  if (m != NULL) {
    v = MapViewOfFile(m, FILE_MAP_READ, 0, 0, sizeof(struct head));
    CloseHandle(m);
  }
  return v;
}

/* 1 if process pid is still running. */
static int alive(long pid)
{
  HANDLE p = OpenProcess(SYNCHRONIZE, FALSE, (DWORD)pid);
  int r;

  if (p == NULL)
    return GetLastError() == ERROR_ACCESS_DENIED;
  r = WaitForSingleObject(p, 0) == WAIT_TIMEOUT;
  CloseHandle(p);
  return r;
}

int ipcx_mq_notify(ipcx_mqd_t q, const struct ipcx_sigevent *sev)
{
  struct ipcx__file *f;
  struct notifier *n;
  struct mqd *e;
  struct head *h;
  char hex[33], name[64];
  HANDLE t;
  int r = 0;

  f = get(q);
  if (f == NULL)
    return -1;
  if (sev != NULL && (sev->sigev_notify == IPCX_SIGEV_SIGNAL ?
                      sev->sigev_signo < 0 || sev->sigev_signo > 64 :
                      sev->sigev_notify != IPCX_SIGEV_THREAD && sev->sigev_notify != IPCX_SIGEV_NONE)) {
    ipcx__file_unref(f);
    return ipcx__fail(EINVAL);
  }
  if (sev != NULL && sev->sigev_notify == IPCX_SIGEV_SIGNAL && !ipcx__signal_active()) {
    ipcx_sigset_t none;           /* the signal must reach this process's handler */
    if (ipcx_sigprocmask(SIG_BLOCK, NULL, &none) < 0) {
      ipcx__file_unref(f);
      return -1;
    }
  }
  e = mqd_of(f);
  h = e->h;
  lock(h);
  if (sev == NULL) {
    unregister(h, e);
    goto out;
  }
  if (h->notify_pid != 0 && alive(h->notify_pid)) {
    r = ipcx__fail(EBUSY);
    goto out;
  }
  unregister(h, e);             /* a registration of ours that has fired */
  n = calloc(1, sizeof *n);
  if (n == NULL) {
    r = ipcx__fail(ENOMEM);
    goto out;
  }
  ipcx__random_hex(hex);
  memcpy(n->id, hex, 32);
  memcpy(name, "Local\\ipcx-mqn-", 15);
  memcpy(name + 15, hex, 32);
  name[47] = 0;
  n->refs = 2;
  n->sev = *sev;
  n->event = CreateEventA(ipcx__owner_only(), FALSE, FALSE, name);
  n->cancel = CreateEventA(NULL, TRUE, FALSE, NULL);
  if (sev->sigev_notify == IPCX_SIGEV_SIGNAL && (n->view = head_view(f->h)) == NULL)
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
  t = n->event != NULL && n->cancel != NULL && (n->view != NULL || sev->sigev_notify != IPCX_SIGEV_SIGNAL) ?
      CreateThread(NULL, 0, notify_thread, n, 0, NULL) : NULL;
  if (t == NULL) {
    r = ipcx__fail_win32(GetLastError());
    n->refs = 1;
    notifier_unref(n);
    goto out;
  }
  CloseHandle(t);
  e->n = n;
  memcpy(h->notify_id, hex, 32);
  h->notify_pid = (long)GetCurrentProcessId();
out:
  unlock(h);
  ipcx__file_unref(f);
  return r;
}

static const struct ipcx__ops mq_ops = {
  .kind = IPCX__KIND_MQUEUE,
  .destroy = mq_destroy,
  .poll = mq_poll,
};
