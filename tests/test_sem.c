/*
 * test_sem.c: <semaphore.h>: unnamed semaphores (threads, and pshared ones
 * in shared memory between processes), named ones (sem_open), their errnos,
 * and a producer/consumer between two processes over shm and two named
 * semaphores.
 */
#include "ipcx_test.h"
#include <sys/mman.h>
#include <semaphore.h>
#include <time.h>

#ifdef _WIN32
/* compat/semaphore.h, not winpthreads' (whose sem_t is a pointer and whose
 * sem_open takes four fixed arguments): sem_t is ipcx's, even though
 * ipcx_test.h included <pthread.h> first. */
_Static_assert(sizeof(sem_t) == sizeof(ipcx_sem_t), "sem_t is ipcx's");
_Static_assert(sizeof(sem_t) > sizeof(void *), "not winpthreads' pointer");
#endif

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

START_TEST(sem_unnamed_calls)
{
  sem_t s;
  struct timespec t;
  int v = -1;

  errno = 0;
  ck_assert_int_eq(sem_init(&s, 0, (unsigned)SEM_VALUE_MAX + 1), -1);
  ck_assert_int_eq(errno, EINVAL);
  ck_assert_int_eq(sem_init(&s, 0, 0), 0);
  errno = 0;
  ck_assert_int_eq(sem_trywait(&s), -1);
  ck_assert_int_eq(errno, EAGAIN);
  ck_assert_int_eq(sem_post(&s), 0);
  ck_assert_int_eq(sem_post(&s), 0);
  ck_assert_int_eq(sem_getvalue(&s, &v), 0);
  ck_assert_int_eq(v, 2);
  ck_assert_int_eq(sem_wait(&s), 0);
  ck_assert_int_eq(sem_trywait(&s), 0);
  t = in_ms(-1000);                 /* in the past */
  errno = 0;
  ck_assert_int_eq(sem_timedwait(&s, &t), -1);
  ck_assert_int_eq(errno, ETIMEDOUT);
  t = in_ms(100);
  errno = 0;
  ck_assert_int_eq(sem_timedwait(&s, &t), -1);
  ck_assert_int_eq(errno, ETIMEDOUT);
  t.tv_nsec = 1000000000L;
  errno = 0;
  ck_assert_int_eq(sem_timedwait(&s, &t), -1);
  ck_assert_int_eq(errno, EINVAL);
  t.tv_nsec = -1;
  errno = 0;
  ck_assert_int_eq(sem_timedwait(&s, &t), -1);
  ck_assert_int_eq(errno, EINVAL);
  ck_assert_int_eq(sem_destroy(&s), 0);
  ck_assert_int_eq(sem_init(&s, 1, SEM_VALUE_MAX), 0);
  errno = 0;
  ck_assert_int_eq(sem_post(&s), -1);
  ck_assert_int_eq(errno, EOVERFLOW);
  ck_assert_int_eq(sem_getvalue(&s, &v), 0);
  ck_assert_int_eq(v, SEM_VALUE_MAX);
  ck_assert_int_eq(sem_destroy(&s), 0);
}
END_TEST

static sem_t ping, pong;

static void *ponger(void *arg)
{
  int i;

  (void)arg;
  for (i = 0; i < 1000; i++) {
    if (sem_wait(&ping) != 0)
      return (void *)1;
    sem_post(&pong);
  }
  return NULL;
}

START_TEST(sem_threads)
{
  pthread_t t;
  void *r = (void *)2;
  struct timespec ts;
  int i;

  ck_assert_int_eq(sem_init(&ping, 0, 0), 0);
  ck_assert_int_eq(sem_init(&pong, 0, 0), 0);
  ck_assert_int_eq(pthread_create(&t, NULL, ponger, NULL), 0);
  for (i = 0; i < 1000; i++) {
    ck_assert_int_eq(sem_post(&ping), 0);
    ts = in_ms(10000);
    ck_assert_int_eq(sem_timedwait(&pong, &ts), 0);
  }
  ck_assert_int_eq(pthread_join(t, &r), 0);
  ck_assert_ptr_null(r);
  ck_assert_int_eq(sem_destroy(&ping), 0);
  ck_assert_int_eq(sem_destroy(&pong), 0);
}
END_TEST

START_TEST(sem_named_calls)
{
  char name[128];
  sem_t *a, *b;
  int v = -1;

  test_ipc_name(name, sizeof name, "named");
  errno = 0;
  ck_assert_ptr_eq(sem_open(name, 0), SEM_FAILED);
  ck_assert_int_eq(errno, ENOENT);
  errno = 0;
  ck_assert_ptr_eq(sem_open(name, O_CREAT, 0600, (unsigned)SEM_VALUE_MAX + 1), SEM_FAILED);
  ck_assert_int_eq(errno, EINVAL);
  a = sem_open(name, O_CREAT | O_EXCL, 0600, 2);
  ck_assert_ptr_ne(a, SEM_FAILED);
  errno = 0;
  ck_assert_ptr_eq(sem_open(name, O_CREAT | O_EXCL, 0600, 0), SEM_FAILED);
  ck_assert_int_eq(errno, EEXIST);
  b = sem_open(name, 0);
  ck_assert_ptr_eq(b, a);         /* one process, one semaphore, as glibc */
  ck_assert_int_eq(sem_getvalue(b, &v), 0);
  ck_assert_int_eq(v, 2);
  ck_assert_int_eq(sem_wait(a), 0);
  ck_assert_int_eq(sem_close(b), 0);
  ck_assert_int_eq(sem_trywait(a), 0);
  errno = 0;
  ck_assert_int_eq(sem_trywait(a), -1);
  ck_assert_int_eq(errno, EAGAIN);
  ck_assert_int_eq(sem_post(a), 0);
  ck_assert_int_eq(sem_close(a), 0);
  /* Nobody holds it now: it keeps its value until sem_unlink. */
  a = sem_open(name, O_CREAT, 0600, 0);
  ck_assert_ptr_ne(a, SEM_FAILED);
  ck_assert_int_eq(sem_getvalue(a, &v), 0);
  ck_assert_int_eq(v, 1);
  ck_assert_int_eq(sem_unlink(name), 0);
  ck_assert_int_eq(sem_post(a), 0);   /* an unlinked semaphore still works */
  ck_assert_int_eq(sem_getvalue(a, &v), 0);
  ck_assert_int_eq(v, 2);
  ck_assert_int_eq(sem_close(a), 0);
  errno = 0;
  ck_assert_int_eq(sem_unlink(name), -1);
  ck_assert_int_eq(errno, ENOENT);
  errno = 0;
  ck_assert_ptr_eq(sem_open(name, 0), SEM_FAILED);
  ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(sem_bad_names)
{
  char name[400], big[300];
  size_t n;
  sem_t *s;

  errno = 0;
  ck_assert_ptr_eq(sem_open("", O_CREAT, 0600, 0), SEM_FAILED);
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_ptr_eq(sem_open("/", O_CREAT, 0600, 0), SEM_FAILED);
  ck_assert_int_eq(errno, EINVAL);
  test_ipc_name(name, sizeof name, "a/b");
  errno = 0;
  ck_assert_ptr_eq(sem_open(name, O_CREAT, 0600, 0), SEM_FAILED);
  ck_assert_int_eq(errno, EINVAL);
  memset(big, 'x', sizeof big - 1);
  big[0] = '/';
  big[sizeof big - 1] = 0;
  errno = 0;
  ck_assert_ptr_eq(sem_open(big, O_CREAT, 0600, 0), SEM_FAILED);
  ck_assert_int_eq(errno, EINVAL);
  /* "sem." + the name must fit NAME_MAX: 252 bytes is too long, 251 fits. */
  test_ipc_name(name, sizeof name, "long");
  n = strlen(name);
  memset(name + n, 'y', 253 - n);
  name[253] = 0;
  errno = 0;
  ck_assert_ptr_eq(sem_open(name, O_CREAT, 0600, 0), SEM_FAILED);
  ck_assert_int_eq(errno, ENAMETOOLONG);
  name[252] = 0;
  s = sem_open(name, O_CREAT | O_EXCL, 0600, 0);
  ck_assert_ptr_ne(s, SEM_FAILED);
  ck_assert_int_eq(sem_close(s), 0);
  ck_assert_int_eq(sem_unlink(name), 0);
  errno = 0;
  ck_assert_int_eq(sem_unlink(""), -1);
  ck_assert_int_eq(errno, ENOENT);
  /* No leading slash: glibc takes it. */
  test_ipc_name(name, sizeof name, "noslash");
  s = sem_open(name + 1, O_CREAT | O_EXCL, 0600, 0);
  ck_assert_ptr_ne(s, SEM_FAILED);
  ck_assert_int_eq(sem_close(s), 0);
  ck_assert_int_eq(sem_unlink(name), 0);
#ifdef _WIN32
  /* Linux's libc crashes on NULL; ipcx says EFAULT (and EINVAL for a sem_t that is not one). */
  errno = 0;
  ck_assert_ptr_eq(sem_open(NULL, O_CREAT, 0600, 0), SEM_FAILED);
  ck_assert_int_eq(errno, EFAULT);
  errno = 0;
  ck_assert_int_eq(sem_post(NULL), -1);
  ck_assert_int_eq(errno, EINVAL);
#endif
}
END_TEST

/* --- between processes --------------------------------------------------- */

#define RING 16
#define RECORDS 10000

struct record {
  unsigned seq;
  unsigned sum;
  unsigned char data[56];
};

struct ring {
  struct record r[RING];
};

static unsigned checksum(const struct record *r)
{
  unsigned s = r->seq * 2654435761u;
  size_t i;

  for (i = 0; i < sizeof r->data; i++)
    s = s * 31 + r->data[i];
  return s;
}

/* Producer: shm argv[0], semaphores "free slots" argv[1] and "records" argv[2]. */
IPCX_TEST_HELPER(sem_producer)
{
  struct ring *ring;
  sem_t *slots, *items;
  unsigned i, j;
  int fd;

  if (argc < 3)
    return 2;
  fd = shm_open(argv[0], O_RDWR, 0);
  slots = sem_open(argv[1], 0);
  items = sem_open(argv[2], 0);
  if (fd < 0 || slots == SEM_FAILED || items == SEM_FAILED)
    return 3;
  ring = mmap(NULL, sizeof *ring, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (ring == MAP_FAILED)
    return 4;
  for (i = 0; i < RECORDS; i++) {
    struct record *r = &ring->r[i % RING];
    if (sem_wait(slots) != 0)
      return 5;
    r->seq = i;
    for (j = 0; j < sizeof r->data; j++)
      r->data[j] = (unsigned char)(i * 7 + j);
    r->sum = checksum(r);
    if (sem_post(items) != 0)
      return 6;
  }
  munmap(ring, sizeof *ring);
  sem_close(slots);
  sem_close(items);
  return 0;
}

START_TEST(sem_producer_consumer_processes)
{
  char shm[128], sslots[128], sitems[128];
  struct ring *ring;
  sem_t *slots, *items;
  pid_t pid;
  unsigned i;
  int fd;

  test_ipc_name(shm, sizeof shm, "ring");
  test_ipc_name(sslots, sizeof sslots, "slots");
  test_ipc_name(sitems, sizeof sitems, "items");
  fd = shm_open(shm, O_RDWR | O_CREAT | O_EXCL, 0600);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(ftruncate(fd, sizeof *ring), 0);
  ring = mmap(NULL, sizeof *ring, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ck_assert_ptr_ne(ring, MAP_FAILED);
  close(fd);
  slots = sem_open(sslots, O_CREAT | O_EXCL, 0600, RING);
  items = sem_open(sitems, O_CREAT | O_EXCL, 0600, 0);
  ck_assert_ptr_ne(slots, SEM_FAILED);
  ck_assert_ptr_ne(items, SEM_FAILED);
  pid = test_spawn_helper((char *[]){ (char *)test_self, "--helper", "sem_producer", shm, sslots, sitems, NULL });
  for (i = 0; i < RECORDS; i++) {
    struct record r;
    struct timespec t = in_ms(30000);
    ck_assert_int_eq(sem_timedwait(items, &t), 0);
    r = ring->r[i % RING];
    ck_assert_int_eq(sem_post(slots), 0);
    ck_assert_uint_eq(r.seq, i);
    ck_assert_uint_eq(r.sum, checksum(&r));
  }
  test_wait_ok(pid);
  ck_assert_int_eq(munmap(ring, sizeof *ring), 0);
  ck_assert_int_eq(sem_close(slots), 0);
  ck_assert_int_eq(sem_close(items), 0);
  ck_assert_int_eq(sem_unlink(sslots), 0);
  ck_assert_int_eq(sem_unlink(sitems), 0);
  ck_assert_int_eq(shm_unlink(shm), 0);
}
END_TEST

struct pshared {
  sem_t ping, pong;
  int count;
};

/* Ping-pong on two unnamed pshared semaphores in shm argv[0]. */
IPCX_TEST_HELPER(sem_pshared_child)
{
  struct pshared *p;
  int fd, i;

  if (argc < 1)
    return 2;
  fd = shm_open(argv[0], O_RDWR, 0);
  if (fd < 0)
    return 3;
  p = mmap(NULL, sizeof *p, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (p == MAP_FAILED)
    return 4;
  for (i = 0; i < 1000; i++) {
    if (sem_wait(&p->ping) != 0)
      return 5;
    p->count++;
    if (sem_post(&p->pong) != 0)
      return 6;
  }
  munmap(p, sizeof *p);
  return 0;
}

START_TEST(sem_pshared_processes)
{
  char shm[128];
  struct pshared *p;
  pid_t pid;
  int fd, i, v = -1;

  test_ipc_name(shm, sizeof shm, "pshared");
  fd = shm_open(shm, O_RDWR | O_CREAT | O_EXCL, 0600);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(ftruncate(fd, sizeof *p), 0);
  p = mmap(NULL, sizeof *p, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ck_assert_ptr_ne(p, MAP_FAILED);
  close(fd);
  ck_assert_int_eq(sem_init(&p->ping, 1, 0), 0);
  ck_assert_int_eq(sem_init(&p->pong, 1, 0), 0);
  pid = test_spawn_helper((char *[]){ (char *)test_self, "--helper", "sem_pshared_child", shm, NULL });
  for (i = 0; i < 1000; i++) {
    struct timespec t = in_ms(30000);
    ck_assert_int_eq(sem_post(&p->ping), 0);
    ck_assert_int_eq(sem_timedwait(&p->pong, &t), 0);
    ck_assert_int_eq(p->count, i + 1);
  }
  test_wait_ok(pid);
  ck_assert_int_eq(sem_getvalue(&p->ping, &v), 0);
  ck_assert_int_eq(v, 0);
  ck_assert_int_eq(sem_destroy(&p->ping), 0);
  ck_assert_int_eq(sem_destroy(&p->pong), 0);
  ck_assert_int_eq(munmap(p, sizeof *p), 0);
  ck_assert_int_eq(shm_unlink(shm), 0);
}
END_TEST

START_TEST(sem_no_leaks)
{
  char name[128];
  long before, after;
  sem_t *s, u;
  int i;

  before = test_open_count();
  for (i = 0; i < 200; i++) {
    test_ipc_name(name, sizeof name, "leak");
    s = sem_open(name, O_CREAT | O_EXCL, 0600, 0);
    ck_assert_ptr_ne(s, SEM_FAILED);
    ck_assert_int_eq(sem_post(s), 0);
    ck_assert_int_eq(sem_wait(s), 0);
    ck_assert_int_eq(sem_close(s), 0);
    ck_assert_int_eq(sem_unlink(name), 0);
    ck_assert_int_eq(sem_init(&u, 1, 1), 0);
    ck_assert_int_eq(sem_wait(&u), 0);
    ck_assert_int_eq(sem_destroy(&u), 0);
  }
  after = test_settle_count(before);
  ck_assert_msg(after <= before + TEST_SLACK, "%ld handles before, %ld after", before, after);
}
END_TEST

Suite *suite_sem(void)
{
  Suite *s = suite_create("sem");
  TCase *tc = test_tcase("sem");
  TCase *procs = test_tcase("sem_processes");

  tcase_add_test(tc, sem_unnamed_calls);
  tcase_add_test(tc, sem_threads);
  tcase_add_test(tc, sem_named_calls);
  tcase_add_test(tc, sem_bad_names);
  tcase_add_test(tc, sem_no_leaks);
  tcase_add_test(procs, sem_producer_consumer_processes);
  tcase_add_test(procs, sem_pshared_processes);
  suite_add_tcase(s, tc);
  suite_add_tcase(s, procs);
  return s;
}
