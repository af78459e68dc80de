/*
 * fifo.c: FIFOs: mkfifo(), and open() on a FIFO file.
 *
 * A FIFO is a marker file plus a family of named-pipe instances.
 *
 *   marker file   what mkfifo() makes at the path: MARKER_SIZE bytes,
 *                 "ipcx-fifo 1 <32 hex digits> <mode>", written to a
 *                 temporary file in the same folder and renamed into place
 *                 (MoveFileEx without REPLACE_EXISTING: the path exists ->
 *                 EEXIST), so an opener never sees half a marker.  The hex
 *                 digits are random (rand_s), not derived from the path, and
 *                 name everything else.  stat() reports it as S_IFIFO with
 *                 the mode, unlink() removes it; open() on it comes here.
 *   pipe          \\.\pipe\ipcx-fifo-<hex>: message-type instances, created
 *                 by READERS (as in Cygwin's fhandler/fifo.cc), one per
 *                 writer.  A writer's open() is CreateFile on the name: it
 *                 gets an instance of its own, so each write() is one pipe
 *                 message and stays whole (PIPE_BUF atomicity, any number of
 *                 writers).  No instance at all (ERROR_FILE_NOT_FOUND) means
 *                 no reader: ENXIO for O_NONBLOCK, else wait.
 *   event         Local\ipcx-fifo-<hex>-r, manual-reset: "a reader has a
 *                 listening instance".  A waiting writer resets it, tries
 *                 CreateFile, and waits on it only if that failed; a writer
 *                 that got in sets it again (so resets never lose a wake-up);
 *                 readers set it whenever they arm a listening instance.
 *
 * A reader (a description opened O_RDONLY or O_RDWR) has one thread, the
 * relay, which
 *   - keeps one listening instance with a pending ConnectNamedPipe and, when
 *     a writer connects, adopts it and arms the next one at once (writers
 *     never wait for the reader to call read(), as on Linux);
 *   - keeps a zero-byte read watch (zero_read.c, the engine poll() uses)
 *     pending on every writer's instance (it consumes nothing and completes
 *     on data or EOF); all of them signal the relay's one manual-reset
 *     event, so the relay waits on 3 handles whatever the number of
 *     writers.  It resets the event once per wake-up and works until a full
 *     pass finds nothing: a completion is never lost, a stale event never
 *     spins;
 *   - takes the data with PeekNamedPipe + ReadFile (which then completes at
 *     once: no data read is ever left pending, so no bytes sit in a buffer
 *     another thread cannot see) and writes it, whole messages, several at
 *     a time, into the reader's STREAM: a private byte pipe
 *     (ipcx__pipe_pair).  Messages go round-robin between writers, but a
 *     message read in parts (ERROR_MORE_DATA) is finished before another
 *     writer's, so a PIPE_BUF write is never split.
 * The direct path.  While exactly one writer is connected, nothing of it is
 * in the relay and the stream is empty (bytes relayed = bytes read), read()
 * reads that writer's instance itself and poll() watches it (a zero-byte
 * read watch, zero_read.c): the cost of a pipe, 4 wineserver requests per
 * write+read, no thread hop, no copy, and the relay thread sleeps.  Reads
 * are in message mode there, so a read smaller than a message ends with
 * ERROR_MORE_DATA and the rest comes next.  A second writer ends it
 * (adopt_listener -> end_direct): a read() blocked on the instance is woken
 * through an auto-reset event and cancels its read, the rest of a message it
 * read part of is relayed before anything else, and the relay merges as
 * below; the direct path comes back once the stream is drained and one
 * writer is left.
 * O_RDWR readers, and read ends a child inherits (whose bytes must go where
 * the child reads: the stream), always relay.  The writer's end never
 * changes: writers cannot tell the two paths apart.
 *
 * read() and poll() run the same relay step themselves (adopting a writer
 * that has just connected, too) before they report "nothing yet", so what
 * write() has written is readable, and EOF visible, as soon as write() or
 * close() has returned, as on Linux, however late the relay thread runs.
 * The stream's read end is what read(), poll() and the CRT slot see: fread()
 * on an fdopen()ed FIFO works, and short reads come for free.
 *
 * EOF.  When the last writer has gone and everything has been relayed, the
 * relay closes the stream's write end: the reader drains it, then gets
 * ERROR_BROKEN_PIPE, which is EOF.  A writer that comes later opens a new
 * stream (an "epoch"); read() moves to it once the old one has given EOF, so
 * the reader sees data, EOF, data again, as on Linux.  Before any writer has
 * come, read() returns 0 without touching the stream (Linux: no writer, EOF).
 *
 * The writer holds the client end in f->h (opened for reading too, only so a
 * zero-byte read can tell poll() that the reader has gone).  Writes are
 * io.c's, one message each, a blocking write of any size too (up to 1 GiB a
 * message, as pipe.c): cut into 64 KiB messages, a 1 MiB write cost the
 * direct reader 16 reads and the writer 16 writes, each a wait and a thread
 * switch, where a raw named pipe moves it in one (0.38x raw's throughput).
 * A read smaller than the message takes part of it (ERROR_MORE_DATA), and
 * the relay finishes a message before another writer's.  A handler with
 * SA_RESTART does not stop the write (io.c); one without cancels it, and
 * Wine then reports 0 bytes even if the reader took part of the message
 * (probed), as when the reader closes half-way: EINTR / EPIPE where Linux
 * returns the short count.  A write after the reader has gone gets
 * ERROR_NO_DATA / ERROR_BROKEN_PIPE: EPIPE.
 * O_RDWR is a reader plus a writer connected to its own listening instance,
 * so it never blocks and never sees EOF, as on Linux.
 *
 * Wine 8 facts relied on (probed): PeekNamedPipe on an instance with no
 * client fails (ERROR_BAD_PIPE), with a client succeeds, and still succeeds
 * after the client closed with unread data; messages written before the
 * client closed are all read before ERROR_BROKEN_PIPE; a read smaller than
 * the message gives ERROR_MORE_DATA and the rest comes next; CreateFile on a
 * name whose every instance is taken gives ERROR_PIPE_BUSY; a connect is
 * complete (HasOverlappedIoCompleted) when the client's CreateFile returns.
 *
 * Differences from Linux (README): several readers of one FIFO at once each
 * get the writers that connected to them, not one shared stream; a blocking
 * O_RDONLY open waits for a writer to connect to IT; the C library's own
 * reads (stdio) on a FIFO fd see only the first epoch (data until the first
 * EOF), and before any writer they wait where Linux returns EOF; a child that
 * inherits a reader fd reads the first epoch too, and only while the parent
 * keeps its reader open (the relay lives in the process that opened the
 * FIFO).  A writer fd inherited by a child works fully (it is a plain client
 * end).  With several writers, each message costs the relay one copy and one
 * write into the stream.  ioctl(FIONREAD) on a read end adds up the stream,
 * the relay's buffers and each writer's instance.
 */
#include "internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "ipcx-fifo 1 "
#define MARKER_SIZE 64
#define HEX_LEN 32
#define FIFO_CAPACITY 65536     /* Linux's pipe capacity */
#define FIFO_WRITE_MAX 0x40000000  /* one blocking write's message at most (as pipe.c) */
#define INST_BUF 16384          /* one read from one writer's instance */

/* One writer's instance, at the reader. */
struct inst {
  HANDLE h;
  struct ipcx__zero_read zr;    /* the relay's watch: "data or EOF", signalling p->ev */
  int more;                     /* buf ends in part of a message (ERROR_MORE_DATA) */
  int gone;                     /* the writer has closed and nothing is left */
  DWORD len, off;               /* buffered message bytes [off, len) */
  DWORD wend;                   /* end of the bytes being written to the stream */
  char buf[INST_BUF];
};

struct fifo {
  char name[80];                /* \\.\pipe\ipcx-fifo-<hex> */
  HANDLE arrived;               /* the named "a reader is listening" event */
  mode_t mode;
  /* reader side (O_RDONLY, O_RDWR), guarded by f->lock */
  int reader;
  HANDLE thread, stop;          /* the relay thread */
  HANDLE joined;                /* set when the first writer connects */
  int seen_writer;
  HANDLE listener;              /* the instance waiting for a writer */
  OVERLAPPED lov;               /* its ConnectNamedPipe */
  int lconnected;               /* ConnectNamedPipe found a client at once */
  HANDLE ev;                    /* shared completion event of the instances */
  struct inst **inst;
  int ninst, cap, next;
  struct inst *current;         /* its message is part-way into the stream */
  struct inst *writing;         /* being written into the stream (wov) */
  OVERLAPPED wov;
  HANDLE out;                   /* write end of the open epoch, or NULL */
  HANDLE first;                 /* read end of epoch 1 (the CRT slot's) */
  HANDLE rh;                    /* read end of the reader's epoch */
  HANDLE *eps;                  /* read ends of later epochs, oldest first */
  int neps, capeps;
  struct ipcx__zero_read rz;    /* poll()'s watch on the reader's source (zero_read.c) */
  HANDLE rzh;                   /* the handle it watches: rh, or the direct instance's */
  int inflight;                 /* read() calls using rh unlocked */
  HANDLE dead[16];              /* old read ends to close when none is */
  int ndead;
  /* the direct path: one writer, read straight from its instance */
  int direct;                   /* reads and poll() go to dinst, the relay leaves it */
  struct inst *dinst;
  int dreading;                 /* a read() is reading dinst unlocked */
  HANDLE wake;                  /* auto-reset: that read must stop (a second writer came) */
  HANDLE moved;                 /* manual-reset: the direct path has ended (poll() waits on it) */
  int shared;                   /* O_RDWR, or the read end went to a child: always relay */
  unsigned long long relayed_n; /* bytes written into the stream, all epochs */
  unsigned long long consumed_n;/* bytes read() took from it */
};

/* --- the marker file ------------------------------------------------------ */

struct marker {
  char hex[HEX_LEN + 1];
  mode_t mode;
};

static int read_marker(const char *path, struct marker *m)
{
  WIN32_FILE_ATTRIBUTE_DATA a;
  char buf[MARKER_SIZE + 1];
  unsigned int mode = 0;
  HANDLE h;
  DWORD got = 0;
  int i;

  if (path == NULL || !ipcx__path_get_attributes_ex(path, GetFileExInfoStandard, &a))
    return 0;
  if ((a.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) || a.nFileSizeHigh != 0 ||
      a.nFileSizeLow != MARKER_SIZE)
    return 0;
  h = ipcx__path_create_file(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                             NULL, OPEN_EXISTING, 0, NULL);
  if (h == INVALID_HANDLE_VALUE)
    return 0;
  if (!ReadFile(h, buf, MARKER_SIZE, &got, NULL))
    got = 0;
  CloseHandle(h);
  if (got != MARKER_SIZE || memcmp(buf, MAGIC, sizeof MAGIC - 1) != 0)
    return 0;
  buf[MARKER_SIZE] = 0;
  for (i = 0; i < HEX_LEN; i++) {
    char c = buf[sizeof MAGIC - 1 + i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return 0;
    m->hex[i] = c;
  }
  m->hex[HEX_LEN] = 0;
  if (sscanf(buf + sizeof MAGIC - 1 + HEX_LEN, " %o", &mode) != 1)
    return 0;
  m->mode = (mode_t)(mode & 0777);
  return 1;
}

int ipcx__fifo_is(const char *path)
{
  struct marker m;
  return read_marker(path, &m);
}

int ipcx__fifo_stat(const char *path, struct stat *st)
{
  struct marker m;

  if ((st->st_mode & S_IFMT) == S_IFREG && st->st_size == MARKER_SIZE && read_marker(path, &m)) {
    st->st_mode = (unsigned short)(_S_IFIFO | m.mode);
    st->st_size = 0;
  }
  return 0;
}

int ipcx_mkfifo(const char *path, mode_t mode)
{
  char content[MARKER_SIZE + 1], hex[HEX_LEN + 1], tmp[MAX_PATH + 64];
  const char *slash = NULL, *p;
  size_t dirlen;
  HANDLE h;
  DWORD put, err;
  int n;

  if (path == NULL)
    return ipcx__fail(EFAULT);
  if (*path == 0)
    return ipcx__fail(ENOENT);
  if (ipcx__path_get_attributes(path) != INVALID_FILE_ATTRIBUTES)
    return ipcx__fail(EEXIST);
  for (p = path; *p; p++)
    if (*p == '/' || *p == '\\' || (*p == ':' && p == path + 1))
      slash = p;
  dirlen = slash != NULL ? (size_t)(slash - path) + 1 : 0;
  if (dirlen + 40 >= sizeof tmp || strlen(path) >= MAX_PATH)
    return ipcx__fail(ENAMETOOLONG);
  ipcx__random_hex(hex);
  memcpy(tmp, path, dirlen);
  snprintf(tmp + dirlen, sizeof tmp - dirlen, ".ipcx-fifo-%.16s.tmp", hex);
  n = snprintf(content, sizeof content, "%s%s %04o", MAGIC, hex, (unsigned int)(mode & 0777));
  memset(content + n, ' ', (size_t)(MARKER_SIZE - n));
  content[MARKER_SIZE - 1] = '\n';

  h = ipcx__path_create_file(tmp, GENERIC_WRITE, 0, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
  if (h == INVALID_HANDLE_VALUE)
    return ipcx__fail_win32(GetLastError());
  if (!WriteFile(h, content, MARKER_SIZE, &put, NULL) || put != MARKER_SIZE) {
    err = GetLastError();
    CloseHandle(h);
    ipcx__path_delete_file(tmp);
    return ipcx__fail_win32(err);
  }
  CloseHandle(h);
  /* Atomic: the marker appears whole or not at all; an existing path stays. */
  if (!ipcx__path_move_file_ex(tmp, path, 0)) {
    err = GetLastError();
    ipcx__path_delete_file(tmp);
    if (err == ERROR_ALREADY_EXISTS || err == ERROR_FILE_EXISTS ||
        ipcx__path_get_attributes(path) != INVALID_FILE_ATTRIBUTES)
      return ipcx__fail(EEXIST);
    return ipcx__fail_win32(err);
  }
  return 0;
}

/* --- the reader's instances ------------------------------------------------ */

static int drained(const struct inst *i)
{
  return i->off == i->len;
}

/*
 * Take what is waiting in i, if i's buffer is empty (f->lock held; any
 * thread): whole messages, as many as fit, so that one write into the stream
 * carries them all (Wine returns one message per ReadFile).  PeekNamedPipe
 * first, so that the ReadFiles find data and complete at once: no data read
 * is ever left pending, and what a writer has written is seen by the next
 * look, from whichever thread (poll() and read() look too, see help()).
 */
static void pull(struct inst *i)
{
  OVERLAPPED o;
  DWORD avail = 0, n, err;
  int k;

  if (!drained(i) || i->gone)
    return;
  if (!PeekNamedPipe(i->h, NULL, 0, NULL, &avail, NULL)) {
    i->gone = 1;                /* ERROR_BROKEN_PIPE: closed, and all read */
    return;
  }
  i->off = i->len = 0;
  i->more = 0;
  for (k = 0; k < 64 && avail > 0 && !i->more && INST_BUF - i->len >= 1024; k++) {
    memset(&o, 0, sizeof o);
    o.hEvent = ipcx__thread_event();
    n = 0;
    err = ERROR_SUCCESS;
    if (!ReadFile(i->h, i->buf + i->len, INST_BUF - i->len, NULL, &o)) {
      err = GetLastError();
      if (err == ERROR_IO_PENDING)
        err = GetOverlappedResult(i->h, &o, &n, TRUE) ? ERROR_SUCCESS : GetLastError();
      else if (err == ERROR_MORE_DATA)
        GetOverlappedResult(i->h, &o, &n, FALSE);
    } else {
      GetOverlappedResult(i->h, &o, &n, FALSE);
    }
    if (err == ERROR_MORE_DATA) {
      i->more = 1;              /* the rest of this message comes next */
    } else if (err != ERROR_SUCCESS) {
      i->gone = 1;
      break;
    }
    i->len += n;
    avail = n < avail ? avail - n : 0;
  }
}

/*
 * Watch an empty i for data or EOF with a zero-byte read (zero_read.c),
 * which consumes nothing; every instance's watch signals p->ev (relay thread
 * only, so that Wine completes it in a thread that waits).  Returns 1 if it
 * finished at once: look again now.
 */
static int arm(struct fifo *p, struct inst *i)
{
  if (i->zr.active || i->gone || !drained(i))
    return 0;
  /* Not pending: data, EOF or an error already; pull() tells which. */
  return ipcx__zero_read_arm(&i->zr, i->h, p->ev) != ERROR_IO_PENDING;
}

/* A writer has the FIFO open: an instance, or a client on the listener. */
static int has_writer(struct fifo *p)
{
  DWORD avail;
  int k;

  for (k = 0; k < p->ninst; k++)
    if (!p->inst[k]->gone || !drained(p->inst[k]))
      return 1;
  return p->listener != NULL && PeekNamedPipe(p->listener, NULL, 0, NULL, &avail, NULL);
}

/* The direct path has i (or a read() still reads it): the relay keeps off. */
static int held(const struct fifo *p, const struct inst *i)
{
  return i == p->dinst && (p->direct || p->dreading);
}

/* The instance whose bytes go into the stream next, or NULL. */
static struct inst *deliverable(struct fifo *p)
{
  int k;

  if (p->dreading)
    return NULL;                /* a direct read may end part-way into a message */
  if (p->current != NULL)
    return drained(p->current) || held(p, p->current) ? NULL : p->current;
  for (k = 0; k < p->ninst; k++) {
    struct inst *i = p->inst[(p->next + k) % p->ninst];
    if (!drained(i) && !held(p, i))
      return i;
  }
  return NULL;
}

static void free_inst(struct inst *i)
{
  ipcx__zero_read_end(&i->zr, i->h, 0);   /* its event is p->ev */
  CloseHandle(i->h);
  free(i);
}

/*
 * One pass over the instances (f->lock held): collect finished watches, take
 * waiting data, re-arm the watches (relay thread only), drop writers that
 * have gone and left nothing.
 */
static void pump(struct fifo *p, int relay_thread)
{
  int k, tries;

  for (k = 0; k < p->ninst; k++) {
    struct inst *i = p->inst[k];
    if (relay_thread)
      ipcx__zero_read_finished(&i->zr, i->h);   /* collect a finished watch */
    if (held(p, i))
      continue;
    pull(i);
    for (tries = 0; relay_thread && tries < 4 && arm(p, i); tries++)
      pull(i);
  }
  for (k = 0; k < p->ninst; k++) {
    struct inst *i = p->inst[k];
    if (i->gone && drained(i) && !held(p, i)) {
      if (p->current == i)
        p->current = NULL;      /* the writer died mid-message */
      if (p->dinst == i)
        p->dinst = NULL;
      if (p->rzh == i->h) {
        ipcx__zero_read_end(&p->rz, i->h, 0);   /* poll()'s watch was on it */
        p->rzh = NULL;
      }
      free_inst(i);
      p->inst[k--] = p->inst[--p->ninst];
    }
  }
  if (p->current != NULL && drained(p->current) && !p->current->more)
    p->current = NULL;
}

static int listener_ready(struct fifo *p);
static void adopt_listener(struct fifo *p);

/* --- the stream: epochs of an internal pipe ---------------------------------- */

/*
 * Open a new epoch if a writer is there and none is open (f->lock held): a
 * fresh byte pipe whose read end waits in p->eps for the reader to get there.
 */
static void ensure_epoch(struct fifo *p)
{
  HANDLE srv, cli, *t;

  if (p->out != NULL || !has_writer(p))
    return;
  if (p->neps == p->capeps) {
    t = realloc(p->eps, (size_t)(p->capeps ? 2 * p->capeps : 4) * sizeof *t);
    if (t == NULL)
      return;
    p->eps = t;
    p->capeps = p->capeps ? 2 * p->capeps : 4;
  }
  if (ipcx__pipe_pair(&srv, &cli, FIFO_CAPACITY, PIPE_TYPE_BYTE | PIPE_READMODE_BYTE) !=
      ERROR_SUCCESS)
    return;
  p->eps[p->neps++] = srv;
  p->out = cli;
}

/* The reader's epoch has ended (f->lock held): move on to the next, if any. */
static int next_epoch(struct fifo *p)
{
  ensure_epoch(p);
  if (p->neps == 0)
    return 0;
  if (p->rzh == p->rh) {
    ipcx__zero_read_end(&p->rz, p->rh, 0);
    p->rzh = NULL;
  }
  if (p->rh != p->first) {
    if (p->inflight == 0)
      CloseHandle(p->rh);
    else if (p->ndead < (int)(sizeof p->dead / sizeof p->dead[0]))
      p->dead[p->ndead++] = p->rh;  /* another read() may still use it */
    else
      CloseHandle(p->rh);
  }
  p->rh = p->eps[0];
  memmove(p->eps, p->eps + 1, (size_t)--p->neps * sizeof *p->eps);
  return 1;
}

/* The bytes of i up to wend have gone into the stream. */
static void relayed(struct fifo *p, struct inst *i)
{
  p->relayed_n += i->wend - i->off;
  i->off = i->wend;
  if (!drained(i) || i->more) {
    p->current = i;             /* the rest of a message comes next */
  } else {
    p->current = NULL;
    p->next = (p->next + 1) % (p->ninst ? p->ninst : 1);
  }
}

/*
 * Move whole messages from the instances into the open epoch, one write at a
 * time, and end the epoch once the last writer has gone and all is through
 * (f->lock held).  The relay thread calls it on every wake-up; read() and
 * poll() call it too (relay_thread 0) before they say "nothing yet", so that
 * bytes a writer has written are readable at once, as on Linux, and not only
 * once the relay thread has run.
 */
static void relay(struct fifo *p, int relay_thread)
{
  struct inst *i;
  DWORD n, err;
  int rounds;

  /*
   * The relay thread resets ev once, then works until a pass finds nothing:
   * a completion before that pass is seen by it, one after it sets ev again
   * (the zero-byte ReadFiles issued meanwhile reset ev too, which is why the
   * last pass comes after them).
   */
  if (relay_thread) {
    ResetEvent(p->ev);
  } else if (listener_ready(p)) {
    /* A writer has just connected and may have written already: adopt it
     * here rather than wait for the relay thread (which a loaded machine
     * may not have run yet), and wake that thread to watch the new writer. */
    adopt_listener(p);
    SetEvent(p->ev);
    SetEvent(p->arrived);
  }
  for (rounds = 0; rounds < 256; rounds++) {
    if (p->writing != NULL) {
      if (!HasOverlappedIoCompleted(&p->wov))
        return;
      GetOverlappedResult(p->out, &p->wov, &n, FALSE);
      i = p->writing;
      p->writing = NULL;
      relayed(p, i);
    }
    pump(p, relay_thread);
    i = deliverable(p);
    if (i == NULL) {
      if (p->out != NULL && p->seen_writer && !has_writer(p)) {
        CloseHandle(p->out);    /* EOF for the reader, after what was relayed */
        p->out = NULL;
      }
      return;
    }
    ensure_epoch(p);
    if (p->out == NULL)
      return;                   /* out of memory: try again on the next event */
    i->wend = i->len;
    if (WriteFile(p->out, i->buf + i->off, i->len - i->off, NULL, &p->wov)) {
      relayed(p, i);
      continue;
    }
    err = GetLastError();
    if (err != ERROR_IO_PENDING) {
      relayed(p, i);            /* the reader side is closing: drop it */
      continue;
    }
    p->writing = i;
    if (!relay_thread)
      SetEvent(p->ev);          /* the relay thread must now watch wov */
  }
  SetEvent(p->ev);              /* more to do: come back after a look at the others */
}

/* --- the reader's listening instance and its thread --------------------------- */

/* Arm a new listening instance (f->lock held, or before the thread runs). */
static DWORD arm_listener(struct fifo *p)
{
  DWORD err;

  p->listener = ipcx__pipe_listen(p->name, 0, 4096, FIFO_CAPACITY, NULL, &p->lov, &p->lconnected,
                                  &err);
  return err;
}

/* --- the direct path ----------------------------------------------------------- */

/*
 * One writer: read() and poll() may use that writer's instance directly,
 * Linux's pipe cost, no relay in between (f->lock held).  Not while a writer
 * is connecting or a read() is still on the old path; never for O_RDWR or a
 * read end a child has (shared: they read the stream).  From the moment the
 * path is direct the relay takes nothing more of the instance, but what it
 * has already put into the stream comes first (stream_empty()), then what it
 * has taken from the instance (i->buf, perhaps part of a message), then the
 * instance itself, which continues the same message.  So a steady writer that
 * the relay started on (it wrote before the first read()) moves to the direct
 * path as soon as the reader has caught up.
 */
static int try_direct(struct fifo *p)
{
  struct inst *i;

  if (p->direct)
    return 1;
  if (p->shared || p->ninst != 1 || p->dreading || listener_ready(p))
    return 0;
  i = p->inst[0];
  if (i->gone || (p->current != NULL && p->current != i))
    return 0;
  p->current = NULL;
  p->direct = 1;
  p->dinst = i;
  ResetEvent(p->moved);
  return 1;
}

/*
 * Everything the relay wrote into the stream has been read (f->lock held).
 * A write still in flight counts with its bytes: read() may already have
 * taken them all before Wine reports the write complete (to the relay
 * thread, which issued it), and then nothing more is coming into the stream.
 */
static int stream_empty(struct fifo *p)
{
  DWORD n;

  if (p->writing != NULL && HasOverlappedIoCompleted(&p->wov)) {
    GetOverlappedResult(p->out, &p->wov, &n, FALSE);
    relayed(p, p->writing);
    p->writing = NULL;
  }
  return p->relayed_n + (p->writing != NULL ? p->writing->wend - p->writing->off : 0) ==
         p->consumed_n;
}

/* Back to the relay (f->lock held): a second writer, or a child reading. */
static void end_direct(struct fifo *p)
{
  if (!p->direct)
    return;
  p->direct = 0;
  if (p->dinst->more || !drained(p->dinst))
    p->current = p->dinst;      /* the rest of its message before any other */
  SetEvent(p->moved);
  if (p->dreading)
    SetEvent(p->wake);          /* the read() on dinst stops, then reads the stream */
  SetEvent(p->ev);              /* the relay thread takes dinst over */
}

/*
 * read() on the direct instance h, unlocked: bytes, or a peer-gone error;
 * ERROR_RETRY when end_direct() stopped it, ERROR_OPERATION_ABORTED for
 * "nothing yet" when nonblocking.  *more: the message goes on.
 */
static DWORD direct_read(struct fifo *p, HANDLE h, void *buf, DWORD n, int nonblock,
                         DWORD *got, int *more)
{
  OVERLAPPED ov;
  HANDLE hs[2];
  DWORD err, w = WAIT_OBJECT_0;

  memset(&ov, 0, sizeof ov);
  ov.hEvent = ipcx__thread_event();
  *got = 0;
  *more = 0;
  if (ov.hEvent == NULL)
    return GetLastError();
  if (!ReadFile(h, buf, n, NULL, &ov)) {
    err = GetLastError();
    if (err == ERROR_MORE_DATA) {
      GetOverlappedResult(h, &ov, got, FALSE);
      *more = 1;
      return ERROR_SUCCESS;
    }
    if (err != ERROR_IO_PENDING)
      return err;
    if (nonblock) {
      w = WAIT_TIMEOUT;
    } else {
      hs[0] = ov.hEvent;
      hs[1] = p->wake;
      w = ipcx__wait(2, hs, INFINITE, IPCX__WAIT_INTR);
    }
    if (w != WAIT_OBJECT_0)
      CancelIoEx(h, &ov);
  }
  if (GetOverlappedResult(h, &ov, got, TRUE))
    return ERROR_SUCCESS;
  err = GetLastError();
  if (err == ERROR_MORE_DATA) {
    *more = 1;
    return ERROR_SUCCESS;
  }
  if (err != ERROR_OPERATION_ABORTED || w == WAIT_OBJECT_0)
    return err;
  if (w == IPCX__WAIT_INTERRUPTED && !ipcx__wait_restart())
    return ERROR_INVALID_AT_INTERRUPT_TIME;
  return nonblock ? ERROR_OPERATION_ABORTED : ERROR_RETRY;
}

/* A writer has connected to the listening instance (f->lock held). */
static int listener_ready(struct fifo *p)
{
  DWORD n;

  return p->listener != NULL &&
         (p->lconnected || GetOverlappedResult(p->listener, &p->lov, &n, FALSE) ||
          GetLastError() != ERROR_IO_INCOMPLETE);
}

/* The listener has a writer (f->lock held): make it an instance, re-arm. */
static void adopt_listener(struct fifo *p)
{
  struct inst *i, **t;
  DWORD n;
  int ok;

  ok = p->lconnected || GetOverlappedResult(p->listener, &p->lov, &n, FALSE) ||
       GetLastError() == ERROR_PIPE_CONNECTED || GetLastError() == ERROR_NO_DATA;
  i = ok ? calloc(1, sizeof *i) : NULL;
  if (i != NULL && p->ninst == p->cap) {
    t = realloc(p->inst, (size_t)(p->cap ? 2 * p->cap : 8) * sizeof *t);
    if (t == NULL) {
      free(i);
      i = NULL;
    } else {
      p->inst = t;
      p->cap = p->cap ? 2 * p->cap : 8;
    }
  }
  if (i == NULL) {
    CloseHandle(p->listener);   /* the writer sees EPIPE */
  } else {
    end_direct(p);              /* several writers: their messages merge in the stream */
    i->h = p->listener;
    p->inst[p->ninst++] = i;
    if (!p->seen_writer) {
      p->seen_writer = 1;
      SetEvent(p->joined);
    }
  }
  p->listener = NULL;
  ResetEvent(p->lov.hEvent);
  arm_listener(p);
}

/*
 * The reader's thread: adopts each writer as it connects (and arms the next
 * listening instance at once), and relays messages into the stream.
 */
static DWORD WINAPI relay_thread(void *arg)
{
  struct ipcx__file *f = arg;
  struct fifo *p = f->impl;
  HANDLE hs[3];
  DWORD w;
  int adopted, nh;

  for (;;) {
    EnterCriticalSection(&f->lock);
    adopted = 0;
    if (listener_ready(p)) {
      adopt_listener(p);
      adopted = 1;
    }
    relay(p, 1);
    nh = 0;
    hs[nh++] = p->stop;
    hs[nh++] = p->writing != NULL ? p->wov.hEvent : p->ev;
    if (p->listener != NULL)
      hs[nh++] = p->lov.hEvent;
    LeaveCriticalSection(&f->lock);
    if (adopted)
      SetEvent(p->arrived);     /* writers waiting for a free instance */
    w = ipcx__wait((DWORD)nh, hs, INFINITE, 0);
    if (w == WAIT_OBJECT_0 || w == WAIT_FAILED)
      break;
  }
  return 0;
}

static DWORD start_reader(struct ipcx__file *f)
{
  struct fifo *p = f->impl;
  DWORD err;

  p->reader = 1;
  p->ev = CreateEventW(NULL, TRUE, FALSE, NULL);
  p->lov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
  p->wov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
  p->wake = CreateEventW(NULL, FALSE, FALSE, NULL);
  p->moved = CreateEventW(NULL, TRUE, FALSE, NULL);
  p->stop = CreateEventW(NULL, TRUE, FALSE, NULL);
  p->joined = CreateEventW(NULL, TRUE, FALSE, NULL);
  if (p->ev == NULL || p->lov.hEvent == NULL || p->wov.hEvent == NULL || p->wake == NULL ||
      p->moved == NULL || p->stop == NULL || p->joined == NULL)
    return GetLastError();
  /* Epoch 1 is open from the start: its read end is f->h, the CRT slot's. */
  err = ipcx__pipe_pair(&p->first, &p->out, FIFO_CAPACITY, PIPE_TYPE_BYTE | PIPE_READMODE_BYTE);
  if (err != ERROR_SUCCESS) {
    p->first = p->out = NULL;
    return err;
  }
  f->h = p->rh = p->first;
  err = arm_listener(p);
  if (err != ERROR_SUCCESS)
    return err;
  p->thread = CreateThread(NULL, 64 * 1024, relay_thread, f, STACK_SIZE_PARAM_IS_A_RESERVATION,
                           NULL);
  if (p->thread == NULL)
    return GetLastError();
  SetEvent(p->arrived);
  return ERROR_SUCCESS;
}

static void stop_reader(struct ipcx__file *f)
{
  struct fifo *p = f->impl;
  int k;

  if (p->thread != NULL) {
    SetEvent(p->stop);
    ipcx__wait1(p->thread, INFINITE, 0);
    CloseHandle(p->thread);
  }
  if (p->rzh != NULL)
    ipcx__zero_read_end(&p->rz, p->rzh, 1);
  else if (p->rz.ov.hEvent != NULL)
    CloseHandle(p->rz.ov.hEvent);
  if (p->listener != NULL) {
    ipcx__io_cancel(p->listener, &p->lov);
    CloseHandle(p->listener);
  }
  for (k = 0; k < p->ninst; k++)
    free_inst(p->inst[k]);
  free(p->inst);
  if (p->writing != NULL) {
    ipcx__io_cancel(p->out, &p->wov);
  }
  if (p->out != NULL)
    CloseHandle(p->out);
  if (p->rh != NULL && p->rh != p->first)
    CloseHandle(p->rh);
  if (p->first != NULL && p->first != f->h)
    CloseHandle(p->first);      /* O_RDWR: f->h is the writer's end */
  for (k = 0; k < p->neps; k++)
    CloseHandle(p->eps[k]);
  free(p->eps);
  for (k = 0; k < p->ndead; k++)
    CloseHandle(p->dead[k]);
  if (p->ev != NULL)
    CloseHandle(p->ev);
  if (p->lov.hEvent != NULL)
    CloseHandle(p->lov.hEvent);
  if (p->wov.hEvent != NULL)
    CloseHandle(p->wov.hEvent);
  if (p->wake != NULL)
    CloseHandle(p->wake);
  if (p->moved != NULL)
    CloseHandle(p->moved);
  if (p->stop != NULL)
    CloseHandle(p->stop);
  if (p->joined != NULL)
    CloseHandle(p->joined);
}

/* --- read() -------------------------------------------------------------------- */

static ssize_t fifo_read(struct ipcx__file *f, int fd, void *buf, size_t n, int nonblock)
{
  struct fifo *p = f->impl;
  HANDLE h;
  DWORD got, err;
  int helped = 0;

  (void)fd;
  if (!p->reader)
    return ipcx__fail(EBADF);
  if (n == 0)
    return 0;
  if (buf == NULL)
    return ipcx__fail(EFAULT);
  if (n > 0x7ffff000)
    n = 0x7ffff000;
  for (;;) {
    EnterCriticalSection(&f->lock);
    if (!p->seen_writer && !has_writer(p)) {
      LeaveCriticalSection(&f->lock);
      return 0;                 /* no writer has come yet: EOF, as on Linux */
    }
    if (try_direct(p) && stream_empty(p)) {
      struct inst *i = p->dinst;
      int more;
      if (!drained(i) && p->writing == NULL) {  /* what the relay had taken comes first */
        got = i->len - i->off < n ? i->len - i->off : (DWORD)n;
        memcpy(buf, i->buf + i->off, got);
        i->off += got;
        LeaveCriticalSection(&f->lock);
        return (ssize_t)got;
      }
      p->dreading = 1;
      LeaveCriticalSection(&f->lock);
      err = direct_read(p, i->h, buf, (DWORD)n, nonblock, &got, &more);
      EnterCriticalSection(&f->lock);
      p->dreading = 0;
      if (err == ERROR_SUCCESS)
        i->more = more;
      if (err == ERROR_SUCCESS && got > 0) {
        if (!p->direct) {
          if (more)
            p->current = i;     /* the rest of this message before any other */
          SetEvent(p->ev);      /* the relay thread takes i over now */
        }
        LeaveCriticalSection(&f->lock);
        return (ssize_t)got;
      }
      if (err == ERROR_SUCCESS || err == ERROR_RETRY) {
        if (!p->direct)
          SetEvent(p->ev);
        LeaveCriticalSection(&f->lock);
        continue;               /* a zero-length message, or the direct path ended */
      }
      if (err == ERROR_BROKEN_PIPE || err == ERROR_PIPE_NOT_CONNECTED || err == ERROR_NO_DATA) {
        /* The writer has gone and all was read: back to the relay, which
         * drops i and, with no writer left, ends the epoch: EOF. */
        i->gone = 1;
        p->direct = 0;
        SetEvent(p->moved);
        relay(p, 0);
        LeaveCriticalSection(&f->lock);
        continue;
      }
      LeaveCriticalSection(&f->lock);
      if (err == ERROR_INVALID_AT_INTERRUPT_TIME)
        return ipcx__fail(EINTR);
      SetLastError(err);
      return ipcx__fail(ipcx__errno_read(err));
    }
    h = p->rh;
    p->inflight++;
    LeaveCriticalSection(&f->lock);
    err = ipcx__io_read(h, buf, (DWORD)n, &got, nonblock ? 0 : INFINITE);
    EnterCriticalSection(&f->lock);
    p->inflight--;
    if (p->inflight == 0)
      while (p->ndead > 0)
        CloseHandle(p->dead[--p->ndead]);
    if (err == ERROR_SUCCESS)
      p->consumed_n += got;
    if (err == ERROR_BROKEN_PIPE || err == ERROR_PIPE_NOT_CONNECTED) {
      /* This epoch has ended: every writer had gone.  A later writer opened
       * the next one; none: EOF. */
      if (h == p->rh && !next_epoch(p)) {
        LeaveCriticalSection(&f->lock);
        return 0;
      }
      LeaveCriticalSection(&f->lock);
      continue;
    }
    if (err == ERROR_OPERATION_ABORTED && !helped) {
      /* Nonblocking and nothing in the stream: what the writers have written
       * may not be relayed yet.  Relay it now, then look again. */
      helped = 1;
      relay(p, 0);
      LeaveCriticalSection(&f->lock);
      continue;
    }
    LeaveCriticalSection(&f->lock);
    if (err == ERROR_SUCCESS)
      return (ssize_t)got;
    SetLastError(err);
    return ipcx__fail(ipcx__errno_read(err));
  }
}

/* poll()'s watch moves to h (the stream's read end or the direct instance). */
static void watch_on(struct fifo *p, HANDLE h)
{
  if (p->rzh != h && p->rzh != NULL)
    ipcx__zero_read_end(&p->rz, p->rzh, 0);
  p->rzh = h;
}

/*
 * Reader readiness (f->lock held): POLLIN, POLLHUP, or 0 with wait[] armed
 * (the zero-byte read watch on the source; on the direct path also the event
 * that says it ended, since a second writer's bytes then go to the stream).
 */
static short reader_poll(struct ipcx__file *f, HANDLE wait[2], int *nwait)
{
  struct fifo *p = f->impl;
  int k, z, hup, helped = 0;

  for (k = 0; k < 8; k++) {
    if (try_direct(p) && stream_empty(p)) {
      if (!drained(p->dinst) && p->writing == NULL)
        return IPCX_POLLIN;     /* what the relay had taken */
      watch_on(p, p->dinst->h);
      z = ipcx__zero_read_on(&p->rz, p->rzh, &hup);
      if (z > 0)
        return IPCX_POLLIN;
      if (z == 0) {
        wait[(*nwait)++] = p->rz.ov.hEvent;
        wait[(*nwait)++] = p->moved;
        return 0;
      }
      /* The writer has gone and all was read: as read() does. */
      p->dinst->gone = 1;
      p->direct = 0;
      SetEvent(p->moved);
      relay(p, 0);
      continue;
    }
    watch_on(p, p->rh);
    z = ipcx__zero_read_on(&p->rz, p->rh, &hup);
    if (z > 0)
      return IPCX_POLLIN;
    if (z == 0) {
      if (!helped) {
        helped = 1;             /* written but not relayed yet?  (read() too) */
        relay(p, 0);
        continue;
      }
      /* Nothing yet (before any writer, too: Linux waits for one). */
      if (p->rz.active)
        wait[(*nwait)++] = p->rz.ov.hEvent;
      return 0;
    }
    /* This epoch has ended: the next one, or every writer has gone. */
    if (!next_epoch(p))
      return IPCX_POLLHUP;
  }
  wait[(*nwait)++] = p->ev;     /* (not reached in practice) */
  return 0;
}

/* --- the writer ------------------------------------------------------------ */

/*
 * Connect to a reader's listening instance.  No reader: ENXIO at once for
 * O_NONBLOCK, else wait on the named event until one arms an instance.
 */
static HANDLE open_writer(struct fifo *p, int nonblock, DWORD *errp)
{
  HANDLE h;
  DWORD err;

  for (;;) {
    ResetEvent(p->arrived);
    h = CreateFileA(p->name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                    FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, NULL);
    if (h != INVALID_HANDLE_VALUE) {
      SetEvent(p->arrived);     /* others reset it before trying: pass it on */
      return h;
    }
    err = GetLastError();
    if (err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND) {
      if (nonblock) {
        *errp = ERROR_FILE_NOT_FOUND;
        return NULL;
      }
      if (ipcx__wait1(p->arrived, INFINITE, IPCX__WAIT_INTR) == IPCX__WAIT_INTERRUPTED &&
          !ipcx__wait_restart()) {
        *errp = IPCX__WAIT_INTERRUPTED;   /* EINTR; open() is restarted under SA_RESTART */
        return NULL;
      }
    } else if (err == ERROR_PIPE_BUSY) {
      /* A reader is re-arming its listener: it sets the event when done.
       * The limit only matters if that reader closes meanwhile. */
      ipcx__wait1(p->arrived, nonblock ? 1000 : INFINITE, 0);
    } else {
      *errp = err;
      return NULL;
    }
  }
}

static ssize_t fifo_write(struct ipcx__file *f, int fd, const void *buf, size_t n, int nonblock)
{
  const char *b = buf;
  size_t done = 0;
  DWORD put, err;

  (void)fd;
  if ((f->flags & O_ACCMODE) == O_RDONLY)
    return ipcx__fail(EBADF);
  if (n == 0)
    return 0;
  if (buf == NULL)
    return ipcx__fail(EFAULT);
  if (nonblock)
    return ipcx__io_write_nonblock(f, buf, n, FIFO_CAPACITY);
  err = ipcx__io_drain(f);      /* keep the order of earlier nonblocking writes */
  while (err == ERROR_SUCCESS && done < n) {
    size_t chunk = n - done < FIFO_WRITE_MAX ? n - done : FIFO_WRITE_MAX;
    err = ipcx__io_write(f->h, b + done, (DWORD)chunk, &put, INFINITE);
    done += put;
  }
  if (done > 0)
    return (ssize_t)done;
  SetLastError(err);
  return ipcx__fail(ipcx__errno_write(err));
}

/* --- ioctl(FIONREAD), spawn ------------------------------------------------------ */

/*
 * Bytes a read end could read now: what the stream holds, what the relay
 * holds, and what waits in each writer's instance (the direct one too).
 * A write end: EINVAL here (Linux counts the pipe; a writer cannot see it).
 */
static int fifo_nread(struct ipcx__file *f, int *n)
{
  struct fifo *p = f->impl;
  unsigned long long total;
  DWORD avail;
  int k;

  if (!p->reader)
    return ipcx__fail(EINVAL);
  EnterCriticalSection(&f->lock);
  relay(p, 0);                  /* a writer that has just connected counts too */
  total = p->relayed_n - p->consumed_n;
  for (k = 0; k < p->ninst; k++) {
    struct inst *i = p->inst[k];
    total += i->len - i->off;
    if (!i->gone && PeekNamedPipe(i->h, NULL, 0, NULL, &avail, NULL))
      total += avail;
  }
  /* A writer on the listening instance that relay() could not adopt yet:
   * Wine reports its connect complete only once the thread that armed the
   * instance has waited (an APC), so GetOverlappedResult may still say
   * "incomplete" after the writer's write has returned.  Its bytes count. */
  if (p->listener != NULL && PeekNamedPipe(p->listener, NULL, 0, NULL, &avail, NULL))
    total += avail;
  LeaveCriticalSection(&f->lock);
  *n = total > INT_MAX ? INT_MAX : (int)total;
  return 0;
}

/*
 * Export (the ops table's): another process is getting this end.  A read
 * end's bytes must go where that process reads, so the relay serves the
 * stream from now on; the handle itself is narrowed as a pipe end's.
 */
static int fifo_export(struct ipcx__file *f, HANDLE *h)
{
  struct fifo *p = f->impl;

  EnterCriticalSection(&f->lock);
  if (p->reader && !p->shared) {
    p->shared = 1;
    end_direct(p);
  }
  LeaveCriticalSection(&f->lock);
  return ipcx__pipe_export(f, h);
}

/* --- the file description --------------------------------------------------- */

static short fifo_poll(struct ipcx__file *f, short events, HANDLE wait[2], int *nwait)
{
  struct fifo *p = f->impl;
  int acc = f->flags & O_ACCMODE;
  HANDLE rwait[2];
  int nr = 0, hup, k;
  short r = 0;

  *nwait = 0;
  EnterCriticalSection(&f->lock);
  if (p->reader)
    r |= reader_poll(f, rwait, &nr) & (events | IPCX_POLLHUP | IPCX_POLLERR);
  if (acc != O_RDONLY) {
    int busy = f->pw.active && !HasOverlappedIoCompleted(&f->pw.ov);
    /* A writer's zero-byte read on its end ends only when the reader goes. */
    if (acc == O_WRONLY && ipcx__pipe_zero_read(f, &hup) < 0)
      r |= IPCX_POLLERR;
    else if (!busy)
      r |= events & IPCX_POLLOUT;
    if (r == 0 && busy)
      wait[(*nwait)++] = f->pw.ov.hEvent;
    if (r == 0 && acc == O_WRONLY && f->zr.active)
      wait[(*nwait)++] = f->zr.ov.hEvent;
  }
  for (k = 0; r == 0 && k < nr && *nwait < 2; k++)
    wait[(*nwait)++] = rwait[k];
  LeaveCriticalSection(&f->lock);
  return r;
}

static void fifo_destroy(struct ipcx__file *f)
{
  struct fifo *p = f->impl;

  if (p->reader)
    stop_reader(f);
  if (p->arrived != NULL)
    CloseHandle(p->arrived);
  free(p);
  f->impl = NULL;
  ipcx__io_close_lingering(f);
}

static int fifo_fstat(struct ipcx__file *f, int fd, struct stat *st)
{
  struct fifo *p = f->impl;

  (void)fd;
  memset(st, 0, sizeof *st);
  st->st_mode = (unsigned short)(_S_IFIFO | p->mode);
  st->st_nlink = 1;
  st->st_ino = (_ino_t)(((uintptr_t)f >> 4) & 0xffff);
  return 0;
}

static const struct ipcx__ops fifo_ops = {
  .kind = IPCX__KIND_FIFO,
  .read = fifo_read,
  .write = fifo_write,
  .destroy = fifo_destroy,
  .fstat = fifo_fstat,
  .poll = fifo_poll,
  .nread = fifo_nread,
  .export_to = fifo_export,
};

/* --- open() ------------------------------------------------------------------ */

int ipcx__fifo_open(const char *path, int flags)
{
  struct ipcx__file *f;
  struct marker m;
  struct fifo *p;
  HANDLE h;
  DWORD err = ERROR_SUCCESS;
  int acc = flags & O_ACCMODE, nb = flags & O_NONBLOCK, fd;

  if (!read_marker(path, &m))
    return ipcx__fail(ENOENT);  /* unlinked meanwhile */
  if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
    return ipcx__fail(EEXIST);
  if (acc == O_ACCMODE)
    acc = O_RDWR;
  p = calloc(1, sizeof *p);
  if (p == NULL)
    return ipcx__fail(ENOMEM);
  p->mode = m.mode;
  snprintf(p->name, sizeof p->name, "\\\\.\\pipe\\ipcx-fifo-%s", m.hex);
  {
    char evname[80];
    snprintf(evname, sizeof evname, "Local\\ipcx-fifo-%s-r", m.hex);
    p->arrived = CreateEventA(NULL, TRUE, FALSE, evname);
  }
  if (p->arrived == NULL) {
    err = GetLastError();
    free(p);
    return ipcx__fail_win32(err);
  }
  f = ipcx__file_new(&fifo_ops, NULL, acc | nb);
  if (f == NULL) {
    CloseHandle(p->arrived);
    free(p);
    return ipcx__fail(ENOMEM);
  }
  f->impl = p;
  p->shared = acc == O_RDWR;    /* its own writer is always there: the relay merges */
  if (acc != O_WRONLY)
    err = start_reader(f);
  if (err == ERROR_SUCCESS && acc != O_RDONLY) {
    /* O_RDWR: our own listener is there, so this does not wait. */
    h = open_writer(p, acc == O_WRONLY ? nb : 0, &err);
    if (h != NULL)
      f->h = h;                 /* O_RDWR: epoch 1's read end stays in p->first */
  }
  if (err != ERROR_SUCCESS) {
    ipcx__file_unref(f);
    if (err == ERROR_FILE_NOT_FOUND && acc == O_WRONLY)
      return ipcx__fail(ENXIO);  /* O_NONBLOCK writer, no reader */
    return ipcx__fail_win32(err);
  }
  /* Linux: a reader waits for a writer (EINTR, or restarted under SA_RESTART). */
  while (acc == O_RDONLY && !nb &&
         ipcx__wait1(p->joined, INFINITE, IPCX__WAIT_INTR) == IPCX__WAIT_INTERRUPTED)
    if (!ipcx__wait_restart()) {
      ipcx__file_unref(f);
      return ipcx__fail(EINTR);
    }
  fd = ipcx__fd_install(f, (flags & O_CLOEXEC) != 0);
  if (fd < 0) {
    err = (DWORD)errno;
    ipcx__file_unref(f);
    return ipcx__fail((int)err);
  }
  return fd;
}
