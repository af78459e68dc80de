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
 * mqd_t is a number of libipcx's own (16384 + an index of this process's
 * table), not an fd: poll() and select() cannot wait on a queue on Windows
 * (docs/shm.md).  mq_getattr's mq_flags (O_NONBLOCK) belongs to the mqd_t.
 *
 * mq_notify (SIGEV_THREAD, SIGEV_NONE): the registering process names an
 * event, Local\ipcx-mqn-<random>, in the head and starts a thread waiting
 * on it; the sender that puts a message into an empty queue with nobody
 * blocked in mq_receive clears the registration and sets the event; the
 * thread then calls the function.  SIGEV_SIGNAL waits for signals (ENOSYS).
 */
#include "internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MQ_MAGIC 0x5158504du     /* "MPXQ" */
#define MQD_BASE 16384
#define MQD_MAX 1024
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
  char id[32];
  struct ipcx_sigevent sev;
};

struct mqd {
  struct head *h;
  int flags;                    /* O_ACCMODE | O_NONBLOCK */
  struct notifier *n;           /* the last registration made through this mqd */
};

static SRWLOCK table_lock = SRWLOCK_INIT;
static struct mqd table[MQD_MAX];

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
  CloseHandle(f);
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

static ipcx_mqd_t install(struct head *h, int flags)
{
  int i;

  AcquireSRWLockExclusive(&table_lock);
  for (i = 0; i < MQD_MAX; i++) {
    if (table[i].h == NULL) {
      table[i].h = h;
      table[i].flags = flags & (O_ACCMODE | O_NONBLOCK);
      table[i].n = NULL;
      ReleaseSRWLockExclusive(&table_lock);
      return MQD_BASE + i;
    }
  }
  ReleaseSRWLockExclusive(&table_lock);
  return -1;
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
  struct head *h;
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
  if (h == NULL)
    return -1;
  q = install(h, oflag);
  if (q < 0) {
    unmap(h);
    return ipcx__fail(EMFILE);
  }
  return q;
}

/* The entry of q (table lock held shared by the caller), or NULL/EBADF. */
static struct mqd *entry(ipcx_mqd_t q)
{
  if (q < MQD_BASE || q >= MQD_BASE + MQD_MAX || table[q - MQD_BASE].h == NULL) {
    errno = EBADF;
    return NULL;
  }
  return &table[q - MQD_BASE];
}

/* q's head and flags, or NULL/EBADF. */
static struct head *get(ipcx_mqd_t q, int *flags)
{
  struct mqd *e;
  struct head *h = NULL;

  AcquireSRWLockShared(&table_lock);
  e = entry(q);
  if (e != NULL) {
    h = e->h;
    *flags = e->flags;
  }
  ReleaseSRWLockShared(&table_lock);
  return h;
}

static void notifier_unref(struct notifier *n)
{
  if (n != NULL && InterlockedDecrement(&n->refs) == 0) {
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

int ipcx_mq_close(ipcx_mqd_t q)
{
  struct mqd *e;
  struct head *h;

  AcquireSRWLockExclusive(&table_lock);
  e = entry(q);
  if (e == NULL) {
    ReleaseSRWLockExclusive(&table_lock);
    return -1;
  }
  h = e->h;
  if (e->n != NULL) {
    ipcx__sem_wait_ms(&h->lock, INFINITE, 0);
    unregister(h, e);
    ipcx_sem_post(&h->lock);
  }
  e->h = NULL;
  ReleaseSRWLockExclusive(&table_lock);
  unmap(h);
  return 0;
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
  ev = OpenEventA(EVENT_MODIFY_STATE, FALSE, name);
  if (ev != NULL) {
    SetEvent(ev);
    CloseHandle(ev);
  }
}

static int send_msg(ipcx_mqd_t q, const char *msg, size_t len, unsigned prio,
                    const struct timespec *abstime, int timed)
{
  struct head *h;
  struct slot *s = NULL;
  int flags;
  DWORD ms;
  long i;

  h = get(q, &flags);
  if (h == NULL || (flags & O_ACCMODE) == O_RDONLY)
    return ipcx__fail(EBADF);
  if (limit(flags, abstime, timed, &ms) < 0)
    return -1;
  if (len > (size_t)h->msgsize)
    return ipcx__fail(EMSGSIZE);
  if (prio >= IPCX_MQ_PRIO_MAX)
    return ipcx__fail(EINVAL);
  if (msg == NULL && len > 0)
    return ipcx__fail(EFAULT);
  if (ipcx__sem_wait_ms(&h->slots, ms, 1) < 0)
    return -1;
  ipcx__sem_wait_ms(&h->lock, INFINITE, 0);
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
  if (++h->count == 1 && h->notify_pid != 0 && h->items.waiters == 0)
    fire(h);
  ipcx_sem_post(&h->lock);
  ipcx_sem_post(&h->items);
  return 0;
}

static ssize_t receive_msg(ipcx_mqd_t q, char *msg, size_t len, unsigned *prio,
                           const struct timespec *abstime, int timed)
{
  struct head *h;
  struct slot *s, *best = NULL;
  int flags;
  DWORD ms;
  long i;
  size_t n;

  h = get(q, &flags);
  if (h == NULL || (flags & O_ACCMODE) == O_WRONLY)
    return ipcx__fail(EBADF);
  if (limit(flags, abstime, timed, &ms) < 0)
    return -1;
  if (len < (size_t)h->msgsize)
    return ipcx__fail(EMSGSIZE);
  if (msg == NULL)
    return ipcx__fail(EFAULT);
  if (ipcx__sem_wait_ms(&h->items, ms, 1) < 0)
    return -1;
  ipcx__sem_wait_ms(&h->lock, INFINITE, 0);
  for (i = 0; i < h->maxmsg; i++) {
    s = slot_at(h, i);
    if (s->used && (best == NULL || s->prio > best->prio || (s->prio == best->prio && s->seq < best->seq)))
      best = s;
  }
  n = best->len;
  memcpy(msg, best + 1, n);
  if (prio != NULL)
    *prio = best->prio;
  best->used = 0;
  h->count--;
  ipcx_sem_post(&h->lock);
  ipcx_sem_post(&h->slots);
  return (ssize_t)n;
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
  struct head *h;
  int flags;

  h = get(q, &flags);
  if (h == NULL)
    return -1;
  if (attr == NULL)
    return ipcx__fail(EFAULT);
  attr->mq_flags = flags & O_NONBLOCK;
  attr->mq_maxmsg = h->maxmsg;
  attr->mq_msgsize = h->msgsize;
  attr->mq_curmsgs = h->count;
  return 0;
}

int ipcx_mq_setattr(ipcx_mqd_t q, const struct ipcx_mq_attr *attr, struct ipcx_mq_attr *old)
{
  struct mqd *e;
  struct ipcx_mq_attr was;

  if (attr == NULL)
    return ipcx__fail(EFAULT);
  if (ipcx_mq_getattr(q, &was) < 0)
    return -1;
  if (attr->mq_flags & ~(long)O_NONBLOCK)
    return ipcx__fail(EINVAL);
  AcquireSRWLockExclusive(&table_lock);
  e = entry(q);
  if (e != NULL)
    e->flags = (e->flags & ~O_NONBLOCK) | (int)(attr->mq_flags & O_NONBLOCK);
  ReleaseSRWLockExclusive(&table_lock);
  if (e == NULL)
    return -1;
  if (old != NULL)
    *old = was;
  return 0;
}

static DWORD WINAPI notify_thread(void *arg)
{
  struct notifier *n = arg;
  HANDLE hs[2] = { n->event, n->cancel };

  if (ipcx__wait(2, hs, INFINITE, 0) == WAIT_OBJECT_0 && n->sev.sigev_notify == IPCX_SIGEV_THREAD &&
      n->sev.sigev_notify_function != NULL)
    n->sev.sigev_notify_function(n->sev.sigev_value);
  notifier_unref(n);
  return 0;
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
  struct notifier *n;
  struct mqd *e;
  struct head *h;
  char hex[33], name[64];
  HANDLE t;
  int r = 0;

  if (sev != NULL && sev->sigev_notify != IPCX_SIGEV_THREAD && sev->sigev_notify != IPCX_SIGEV_NONE)
    return ipcx__fail(sev->sigev_notify == IPCX_SIGEV_SIGNAL ? ENOSYS : EINVAL);
  AcquireSRWLockExclusive(&table_lock);
  e = entry(q);
  if (e == NULL) {
    ReleaseSRWLockExclusive(&table_lock);
    return -1;
  }
  h = e->h;
  ipcx__sem_wait_ms(&h->lock, INFINITE, 0);
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
  t = n->event != NULL && n->cancel != NULL ? CreateThread(NULL, 0, notify_thread, n, 0, NULL) : NULL;
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
  ipcx_sem_post(&h->lock);
  ReleaseSRWLockExclusive(&table_lock);
  return r;
}
