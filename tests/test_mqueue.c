/*
 * test_mqueue.c: <mqueue.h>: queues with priorities, attributes, the
 * errnos, queues between processes, mq_notify with SIGEV_THREAD and, between
 * two processes, SIGEV_SIGNAL.
 */
#include "ipcx_test.h"
#include <mqueue.h>
#include <poll.h>
#include <sys/select.h>
#include <semaphore.h>
#include <time.h>
#include <spawn.h>
#include <sys/wait.h>

static struct timespec in_ms(long ms)
{
  struct timespec t;

  clock_gettime(CLOCK_REALTIME, &t);
  t.tv_sec += ms / 1000;
  t.tv_nsec += (ms % 1000) * 1000000L;
  if (t.tv_nsec >= 1000000000L) {
    t.tv_sec++;
    t.tv_nsec -= 1000000000L;
  }
  return t;
}

static mqd_t queue(char *name, size_t size, const char *tag, long maxmsg, long msgsize)
{
  struct mq_attr a;
  mqd_t q;

  memset(&a, 0, sizeof a);
  a.mq_maxmsg = maxmsg;
  a.mq_msgsize = msgsize;
  test_ipc_name(name, size, tag);
  q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, maxmsg ? &a : NULL);
  ck_assert_int_ne(q, (mqd_t)-1);
  return q;
}

START_TEST(mq_priorities)
{
  char name[128], buf[8192];
  unsigned prio = 99;
  struct mq_attr a;
  mqd_t q;

  q = queue(name, sizeof name, "prio", 0, 0);
  ck_assert_int_eq(mq_getattr(q, &a), 0);
  ck_assert_int_eq(a.mq_maxmsg, 10);      /* Linux's defaults */
  ck_assert_int_eq(a.mq_msgsize, 8192);
  ck_assert_int_eq(a.mq_curmsgs, 0);
  ck_assert_int_eq(a.mq_flags, 0);
  ck_assert_int_eq(mq_send(q, "low1", 4, 1), 0);
  ck_assert_int_eq(mq_send(q, "high1", 5, 30), 0);
  ck_assert_int_eq(mq_send(q, "low2", 4, 1), 0);
  ck_assert_int_eq(mq_send(q, "high2", 5, 30), 0);
  ck_assert_int_eq(mq_send(q, "", 0, 0), 0);
  ck_assert_int_eq(mq_send(q, "max", 3, MQ_PRIO_MAX - 1), 0);
  ck_assert_int_eq(mq_getattr(q, &a), 0);
  ck_assert_int_eq(a.mq_curmsgs, 6);
  ck_assert_int_eq(mq_receive(q, buf, sizeof buf, &prio), 3);
  ck_assert_uint_eq(prio, MQ_PRIO_MAX - 1);
  ck_assert_int_eq(mq_receive(q, buf, sizeof buf, &prio), 5);
  ck_assert(memcmp(buf, "high1", 5) == 0);
  ck_assert_uint_eq(prio, 30);
  ck_assert_int_eq(mq_receive(q, buf, sizeof buf, NULL), 5);
  ck_assert(memcmp(buf, "high2", 5) == 0);
  ck_assert_int_eq(mq_receive(q, buf, sizeof buf, &prio), 4);
  ck_assert(memcmp(buf, "low1", 4) == 0);
  ck_assert_int_eq(mq_receive(q, buf, sizeof buf, &prio), 4);
  ck_assert(memcmp(buf, "low2", 4) == 0);
  ck_assert_int_eq(mq_receive(q, buf, sizeof buf, &prio), 0);
  ck_assert_uint_eq(prio, 0);
  ck_assert_int_eq(mq_close(q), 0);
  ck_assert_int_eq(mq_unlink(name), 0);
}
END_TEST

START_TEST(mq_errors)
{
  char name[128], buf[9000];
  struct mq_attr a, old;
  struct timespec t;
  mqd_t q, r, w;

  q = queue(name, sizeof name, "errors", 2, 64);
  errno = 0;
  ck_assert_int_eq(mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, NULL), (mqd_t)-1);
  ck_assert_int_eq(errno, EEXIST);
  errno = 0;
  ck_assert_int_eq(mq_send(q, buf, 65, 0), -1);
  ck_assert_int_eq(errno, EMSGSIZE);
  errno = 0;
  ck_assert_int_eq(mq_send(q, buf, 1, MQ_PRIO_MAX), -1);
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_int_eq(mq_receive(q, buf, 63, NULL), -1);
  ck_assert_int_eq(errno, EMSGSIZE);
  t = in_ms(50);
  errno = 0;
  ck_assert_int_eq(mq_timedreceive(q, buf, sizeof buf, NULL, &t), -1);
  ck_assert_int_eq(errno, ETIMEDOUT);
  t.tv_nsec = 1000000000L;
  errno = 0;
  ck_assert_int_eq(mq_timedsend(q, buf, 1, 0, &t), -1);
  ck_assert_int_eq(errno, EINVAL);
  ck_assert_int_eq(mq_send(q, "a", 1, 0), 0);
  ck_assert_int_eq(mq_send(q, "b", 1, 0), 0);
  t = in_ms(50);
  errno = 0;
  ck_assert_int_eq(mq_timedsend(q, "c", 1, 0, &t), -1);   /* full */
  ck_assert_int_eq(errno, ETIMEDOUT);
  memset(&a, 0, sizeof a);
  a.mq_flags = O_NONBLOCK;
  ck_assert_int_eq(mq_setattr(q, &a, &old), 0);
  ck_assert_int_eq(old.mq_flags, 0);
  ck_assert_int_eq(old.mq_curmsgs, 2);
  errno = 0;
  ck_assert_int_eq(mq_send(q, "c", 1, 0), -1);
  ck_assert_int_eq(errno, EAGAIN);
  ck_assert_int_eq(mq_receive(q, buf, sizeof buf, NULL), 1);
  ck_assert_int_eq(mq_receive(q, buf, sizeof buf, NULL), 1);
  errno = 0;
  ck_assert_int_eq(mq_receive(q, buf, sizeof buf, NULL), -1);
  ck_assert_int_eq(errno, EAGAIN);
  ck_assert_int_eq(mq_getattr(q, &a), 0);
  ck_assert_int_eq(a.mq_flags, O_NONBLOCK);
  r = mq_open(name, O_RDONLY);
  w = mq_open(name, O_WRONLY);
  ck_assert_int_ne(r, (mqd_t)-1);
  ck_assert_int_ne(w, (mqd_t)-1);
  errno = 0;
  ck_assert_int_eq(mq_send(r, "x", 1, 0), -1);
  ck_assert_int_eq(errno, EBADF);
  errno = 0;
  ck_assert_int_eq(mq_receive(w, buf, sizeof buf, NULL), -1);
  ck_assert_int_eq(errno, EBADF);
  ck_assert_int_eq(mq_getattr(r, &a), 0);
  ck_assert_int_eq(a.mq_flags, 0);       /* O_NONBLOCK belongs to each descriptor */
  ck_assert_int_eq(mq_close(r), 0);
  ck_assert_int_eq(mq_close(w), 0);
  ck_assert_int_eq(mq_close(q), 0);
  errno = 0;
  ck_assert_int_eq(mq_send(q, "x", 1, 0), -1);
  ck_assert_int_eq(errno, EBADF);
  errno = 0;
  ck_assert_int_eq(mq_close(q), -1);
  ck_assert_int_eq(errno, EBADF);
  errno = 0;
  ck_assert_int_eq(mq_getattr((mqd_t)-1, &a), -1);
  ck_assert_int_eq(errno, EBADF);
  ck_assert_int_eq(mq_unlink(name), 0);
  errno = 0;
  ck_assert_int_eq(mq_unlink(name), -1);
  ck_assert_int_eq(errno, ENOENT);
  errno = 0;
  ck_assert_int_eq(mq_open(name, O_RDWR), (mqd_t)-1);
  ck_assert_int_eq(errno, ENOENT);
  /* Attributes out of range. */
  a.mq_maxmsg = 0;
  a.mq_msgsize = 16;
  errno = 0;
  ck_assert_int_eq(mq_open(name, O_RDWR | O_CREAT, 0600, &a), (mqd_t)-1);
  ck_assert_int_eq(errno, EINVAL);
  a.mq_maxmsg = 4;
  a.mq_msgsize = 0;
  errno = 0;
  ck_assert_int_eq(mq_open(name, O_RDWR | O_CREAT, 0600, &a), (mqd_t)-1);
  ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(mq_bad_names)
{
  char name[128], big[300];

  errno = 0;
  ck_assert_int_eq(mq_open("", O_RDWR | O_CREAT, 0600, NULL), (mqd_t)-1);
  ck_assert_int_eq(errno, EINVAL);
  test_ipc_name(name, sizeof name, "noslash");
  errno = 0;
  ck_assert_int_eq(mq_open(name + 1, O_RDWR | O_CREAT, 0600, NULL), (mqd_t)-1);
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_int_eq(mq_open("/", O_RDWR | O_CREAT, 0600, NULL), (mqd_t)-1);
  ck_assert_int_eq(errno, ENOENT);
  test_ipc_name(name, sizeof name, "a/b");
  errno = 0;
  ck_assert_int_eq(mq_open(name, O_RDWR | O_CREAT, 0600, NULL), (mqd_t)-1);
  ck_assert_int_eq(errno, EACCES);
  memset(big, 'x', sizeof big - 1);
  big[0] = '/';
  big[sizeof big - 1] = 0;
  errno = 0;
  ck_assert_int_eq(mq_open(big, O_RDWR | O_CREAT, 0600, NULL), (mqd_t)-1);
  ck_assert_int_eq(errno, ENAMETOOLONG);
  errno = 0;
  ck_assert_int_eq(mq_unlink(""), -1);
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_int_eq(mq_unlink("noslash"), -1);
  ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(mq_outlives_close)
{
  char name[128], buf[8192];
  unsigned prio = 0;
  mqd_t q;

  q = queue(name, sizeof name, "persist", 0, 0);
  ck_assert_int_eq(mq_send(q, "kept", 4, 7), 0);
  ck_assert_int_eq(mq_close(q), 0);
  q = mq_open(name, O_RDONLY);
  ck_assert_int_ne(q, (mqd_t)-1);
  ck_assert_int_eq(mq_receive(q, buf, sizeof buf, &prio), 4);
  ck_assert(memcmp(buf, "kept", 4) == 0);
  ck_assert_uint_eq(prio, 7);
  ck_assert_int_eq(mq_close(q), 0);
  ck_assert_int_eq(mq_unlink(name), 0);
}
END_TEST

static sem_t notified;
static int notified_value;

static void on_message(union sigval v)
{
  notified_value = v.sival_int;
  sem_post(&notified);
}

START_TEST(mq_notify_thread)
{
  char name[128], buf[8192];
  struct sigevent ev;
  struct timespec t;
  mqd_t q, q2;

  ck_assert_int_eq(sem_init(&notified, 0, 0), 0);
  q = queue(name, sizeof name, "notify", 0, 0);
  q2 = mq_open(name, O_RDWR);
  ck_assert_int_ne(q2, (mqd_t)-1);
  memset(&ev, 0, sizeof ev);
  ev.sigev_notify = SIGEV_THREAD;
  ev.sigev_notify_function = on_message;
  ev.sigev_value.sival_int = 42;
  ck_assert_int_eq(mq_notify(q, &ev), 0);
  errno = 0;
  ck_assert_int_eq(mq_notify(q2, &ev), -1);   /* one registration per queue */
  ck_assert_int_eq(errno, EBUSY);
  ck_assert_int_eq(mq_send(q2, "n", 1, 0), 0);
  t = in_ms(10000);
  ck_assert_int_eq(sem_timedwait(&notified, &t), 0);
  ck_assert_int_eq(notified_value, 42);
  /* One notification per registration: register again, unregister, nothing comes. */
  ck_assert_int_eq(mq_receive(q, buf, sizeof buf, NULL), 1);
  ck_assert_int_eq(mq_notify(q, &ev), 0);
  ck_assert_int_eq(mq_notify(q, NULL), 0);
  ck_assert_int_eq(mq_send(q2, "m", 1, 0), 0);
  t = in_ms(200);
  errno = 0;
  ck_assert_int_eq(sem_timedwait(&notified, &t), -1);
  ck_assert_int_eq(errno, ETIMEDOUT);
  errno = 0;
  ck_assert_int_eq(mq_notify((mqd_t)-1, NULL), -1);
  ck_assert_int_eq(errno, EBADF);
  ck_assert_int_eq(mq_close(q2), 0);
  ck_assert_int_eq(mq_close(q), 0);
  ck_assert_int_eq(mq_unlink(name), 0);
  ck_assert_int_eq(sem_destroy(&notified), 0);
}
END_TEST

static void *send_later(void *arg)
{
  mqd_t q = *(mqd_t *)arg;

  test_sleep_ms(100);
  return mq_send(q, "late", 4, 0) == 0 ? NULL : (void *)1;
}

/* An mqd_t is an fd: close-on-exec, O_NONBLOCK through fcntl, and poll()
 * and select() wait on it (POLLIN: a message is queued; POLLOUT: a slot is free). */
START_TEST(mq_is_a_pollable_fd)
{
  char name[128], buf[64];
  struct pollfd p[2];
  struct mq_attr a;
  fd_set rs;
  struct timeval tv;
  pthread_t t;
  void *r = (void *)2;
  mqd_t q, w;

  q = queue(name, sizeof name, "poll", 2, 64);
  w = mq_open(name, O_WRONLY);
  ck_assert_int_ne(w, (mqd_t)-1);
  ck_assert_int_eq(fcntl(q, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
  ck_assert_int_eq(fcntl(q, F_SETFL, O_NONBLOCK), 0);
  ck_assert_int_eq(mq_getattr(q, &a), 0);
  ck_assert_int_eq(a.mq_flags, O_NONBLOCK);
  ck_assert_int_eq(fcntl(q, F_SETFL, 0), 0);
  p[0].fd = q;
  p[0].events = POLLIN | POLLOUT;
  ck_assert_int_eq(poll(p, 1, 0), 1);
  ck_assert_int_eq(p[0].revents, POLLOUT);     /* empty: writable, not readable */
  p[0].events = POLLIN;
  ck_assert_int_eq(poll(p, 1, 50), 0);
  /* A blocked poll() wakes when another descriptor sends. */
  ck_assert_int_eq(pthread_create(&t, NULL, send_later, &w), 0);
  ck_assert_int_eq(poll(p, 1, 10000), 1);
  ck_assert_int_eq(p[0].revents, POLLIN);
  ck_assert_int_eq(pthread_join(t, &r), 0);
  ck_assert_ptr_null(r);
  FD_ZERO(&rs);
  FD_SET(q, &rs);
  tv.tv_sec = 1;
  tv.tv_usec = 0;
  ck_assert_int_eq(select(q + 1, &rs, NULL, NULL, &tv), 1);
  ck_assert(FD_ISSET(q, &rs));
  ck_assert_int_eq(mq_send(w, "x", 1, 0), 0);  /* full now */
  p[0].fd = w;
  p[0].events = POLLOUT;
  ck_assert_int_eq(poll(p, 1, 0), 0);
  p[1].fd = q;
  p[1].events = POLLIN | POLLOUT;
  ck_assert_int_eq(poll(p, 2, 0), 1);
  ck_assert_int_eq(p[1].revents, POLLIN);
  ck_assert_int_eq(mq_receive(q, buf, sizeof buf, NULL), 4);
  ck_assert_int_eq(poll(p, 1, 1000), 1);           /* room again */
  ck_assert_int_eq(p[0].revents, POLLOUT);
  ck_assert_int_eq(mq_receive(q, buf, sizeof buf, NULL), 1);
  p[1].events = POLLIN;
  ck_assert_int_eq(poll(&p[1], 1, 0), 0);          /* empty again */
  ck_assert_int_eq(mq_close(w), 0);
  ck_assert_int_eq(mq_close(q), 0);
  ck_assert_int_eq(mq_unlink(name), 0);
}
END_TEST

/* Sender: queue argv[0]; first 8 messages with mixed priorities, then (after
 * the parent's "go" on queue argv[1]) 1,000 numbered ones at priority 0. */
IPCX_TEST_HELPER(mq_sender)
{
  char buf[64];
  mqd_t q, back;
  unsigned i;

  if (argc < 2)
    return 2;
  q = mq_open(argv[0], O_WRONLY);
  back = mq_open(argv[1], O_RDONLY);
  if (q == (mqd_t)-1 || back == (mqd_t)-1)
    return 3;
  for (i = 0; i < 8; i++) {
    snprintf(buf, sizeof buf, "p%u-%u", i % 4, i);
    if (mq_send(q, buf, strlen(buf), i % 4) != 0)
      return 4;
  }
  if (mq_receive(back, buf, sizeof buf, NULL) != 2)
    return 5;
  for (i = 0; i < 1000; i++) {
    snprintf(buf, sizeof buf, "%u", i);
    if (mq_send(q, buf, strlen(buf) + 1, 0) != 0)
      return 6;
  }
  mq_close(back);
  mq_close(q);
  return 0;
}

START_TEST(mq_between_processes)
{
  char name[128], back[128], buf[64], want[16];
  static const char *order[8] = { "p3-3", "p3-7", "p2-2", "p2-6", "p1-1", "p1-5", "p0-0", "p0-4" };
  struct mq_attr a;
  unsigned prio;
  mqd_t q, b;
  pid_t pid;
  int i;
  ssize_t n;

  q = queue(name, sizeof name, "procs", 8, 64);
  b = queue(back, sizeof back, "back", 1, 64);
  pid = test_spawn_helper((char *[]){ (char *)test_self, "--helper", "mq_sender", name, back, NULL });
  /* Wait until all 8 are in, then read them: highest priority first. */
  for (i = 0; i < 1000; i++) {
    ck_assert_int_eq(mq_getattr(q, &a), 0);
    if (a.mq_curmsgs == 8)
      break;
    test_sleep_ms(10);
  }
  ck_assert_int_eq(a.mq_curmsgs, 8);
  for (i = 0; i < 8; i++) {
    n = mq_receive(q, buf, sizeof buf, &prio);
    ck_assert_int_eq(n, (ssize_t)strlen(order[i]));
    buf[n] = 0;
    ck_assert_str_eq(buf, order[i]);
    ck_assert_uint_eq(prio, (unsigned)(order[i][1] - '0'));
  }
  ck_assert_int_eq(mq_send(b, "go", 2, 0), 0);
  for (i = 0; i < 1000; i++) {        /* the sender blocks on the full queue in between */
    struct timespec t = in_ms(30000);
    n = mq_timedreceive(q, buf, sizeof buf, NULL, &t);
    ck_assert_int_gt(n, 0);
    snprintf(want, sizeof want, "%d", i);
    ck_assert_str_eq(buf, want);
  }
  test_wait_ok(pid);
  ck_assert_int_eq(mq_close(q), 0);
  ck_assert_int_eq(mq_close(b), 0);
  ck_assert_int_eq(mq_unlink(name), 0);
  ck_assert_int_eq(mq_unlink(back), 0);
}
END_TEST

/* mq_notify_peer NAME MODE: "send" one message; "busy": register and
 * expect EBUSY; "register": register (its exit removes the registration). */
IPCX_TEST_HELPER(mq_notify_peer)
{
  struct sigevent ev;
  mqd_t q;
  int r;

  if (argc < 2)
    return 2;
  q = mq_open(argv[0], O_RDWR);
  if (q == (mqd_t)-1)
    return 3;
  memset(&ev, 0, sizeof ev);
  ev.sigev_notify = SIGEV_SIGNAL;
  ev.sigev_signo = SIGUSR2;
  if (strcmp(argv[1], "send") == 0)
    r = mq_send(q, "s", 1, 0) == 0 ? 0 : 4;
  else if (strcmp(argv[1], "busy") == 0)
    r = mq_notify(q, &ev) == -1 && errno == EBUSY ? 0 : 5;
  else
    r = mq_notify(q, &ev) == 0 ? 0 : 6;
  mq_close(q);
  return r;
}

static volatile sig_atomic_t mq_sigs, mq_code, mq_value, mq_pid, mq_signo;

static void on_mq_signal(int sig, siginfo_t *si, void *ctx)
{
  (void)ctx;
  mq_signo = sig;
  mq_code = si->si_code;
  mq_value = si->si_value.sival_int;
  mq_pid = si->si_pid;
  mq_sigs++;
}

static void peer(const char *name, const char *mode, pid_t *pid)
{
  pid_t p = test_spawn_helper((char *[]){ (char *)test_self, "--helper", "mq_notify_peer", (char *)name,
                                          (char *)mode, NULL });
  if (pid != NULL)
    *pid = p;
  test_wait_ok(p);
}

/* SIGEV_SIGNAL: the registering process gets the signal with SI_MESGQ, its
 * si_value and the sender's pid when a message reaches the empty queue; a
 * second process gets EBUSY; one notification per registration. */
START_TEST(mq_notify_signal)
{
  char name[128], buf[8192];
  struct sigaction sa, old;
  struct sigevent ev;
  pid_t sender = -1;
  mqd_t q;
  int i;

  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_mq_signal;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  ck_assert_int_eq(sigaction(SIGUSR1, &sa, &old), 0);
  mq_sigs = 0;
  q = queue(name, sizeof name, "notsig", 0, 0);
  memset(&ev, 0, sizeof ev);
  ev.sigev_notify = SIGEV_SIGNAL;
  ev.sigev_signo = 65;
  errno = 0;
  ck_assert_int_eq(mq_notify(q, &ev), -1);
  ck_assert_int_eq(errno, EINVAL);
  ev.sigev_signo = SIGUSR1;
  ev.sigev_value.sival_int = 77;
  ck_assert_int_eq(mq_notify(q, &ev), 0);
  peer(name, "busy", NULL);
  peer(name, "send", &sender);
  for (i = 0; i < 1000 && mq_sigs == 0; i++)
    test_sleep_ms(10);
  ck_assert_int_eq(mq_sigs, 1);
  ck_assert_int_eq(mq_signo, SIGUSR1);
  ck_assert_int_eq(mq_code, SI_MESGQ);
  ck_assert_int_eq(mq_value, 77);
  ck_assert_int_eq(mq_pid, (int)sender);
  /* The registration is gone: another process may register, and a message
   * to the empty queue signals nobody here. */
  ck_assert_int_eq(mq_receive(q, buf, sizeof buf, NULL), 1);
  peer(name, "register", NULL);
  peer(name, "send", NULL);
  test_sleep_ms(200);
  ck_assert_int_eq(mq_sigs, 1);
  ck_assert_int_eq(mq_receive(q, buf, sizeof buf, NULL), 1);
  /* Its exit took its registration: this one registers again. */
  ck_assert_int_eq(mq_notify(q, &ev), 0);
  ck_assert_int_eq(mq_notify(q, NULL), 0);
  ck_assert_int_eq(mq_close(q), 0);
  ck_assert_int_eq(mq_unlink(name), 0);
  ck_assert_int_eq(sigaction(SIGUSR1, &old, NULL), 0);
}
END_TEST

START_TEST(mq_no_leaks)
{
  char name[128], buf[8192];
  long before, after;
  mqd_t q;
  int i;

  before = test_open_count();
  for (i = 0; i < 200; i++) {
    q = queue(name, sizeof name, "leak", 0, 0);
    ck_assert_int_eq(mq_send(q, "x", 1, 0), 0);
    ck_assert_int_eq(mq_receive(q, buf, sizeof buf, NULL), 1);
    ck_assert_int_eq(mq_send(q, "left", 4, 0), 0);
    ck_assert_int_eq(mq_close(q), 0);
    ck_assert_int_eq(mq_unlink(name), 0);
  }
  after = test_settle_count(before);
  ck_assert_msg(after <= before + TEST_SLACK, "%ld handles before, %ld after", before, after);
}
END_TEST

Suite *suite_mqueue(void)
{
  Suite *s = suite_create("mqueue");
  TCase *tc = test_tcase("mqueue");
  TCase *procs = test_tcase("mqueue_processes");

  tcase_add_test(tc, mq_priorities);
  tcase_add_test(tc, mq_errors);
  tcase_add_test(tc, mq_bad_names);
  tcase_add_test(tc, mq_outlives_close);
  tcase_add_test(tc, mq_notify_thread);
  tcase_add_test(tc, mq_is_a_pollable_fd);
  tcase_add_test(tc, mq_no_leaks);
  tcase_add_test(procs, mq_between_processes);
  tcase_add_test(procs, mq_notify_signal);
  suite_add_tcase(s, tc);
  suite_add_tcase(s, procs);
  return s;
}
