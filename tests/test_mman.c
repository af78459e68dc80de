/*
 * test_mman.c: <sys/mman.h> and shm_open/shm_unlink: mappings of files, of
 * shared memory objects and anonymous ones, their errnos, and sharing with
 * child processes.
 */
#include "ipcx_test.h"
#include <sys/mman.h>
#include <spawn.h>
#include <sys/wait.h>

#define PG 4096

/* pread/pwrite, which MinGW lacks: lseek, then read or write. */
static ssize_t read_at(int fd, void *buf, size_t n, off_t off)
{
  return lseek(fd, off, SEEK_SET) == off ? read(fd, buf, n) : -1;
}

static ssize_t write_at(int fd, const void *buf, size_t n, off_t off)
{
  return lseek(fd, off, SEEK_SET) == off ? write(fd, buf, n) : -1;
}

static int shm_new(char *name, size_t size, const char *tag, off_t len)
{
  int fd;

  test_ipc_name(name, size, tag);
  fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
  ck_assert_int_ge(fd, 0);
  if (len > 0)
    ck_assert_int_eq(ftruncate(fd, len), 0);
  return fd;
}

START_TEST(mman_shm_create_map_unlink)
{
  char name[128], buf[16];
  struct stat st;
  char *p;
  int fd, ro;

  fd = shm_new(name, sizeof name, "basic", 10000);
  ck_assert_int_eq(fstat(fd, &st), 0);
  ck_assert(S_ISREG(st.st_mode));
  ck_assert_int_eq(st.st_size, 10000);
  p = mmap(NULL, 10000, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ck_assert_ptr_ne(p, MAP_FAILED);
  ck_assert_int_eq(p[9999], 0);
  ck_assert_int_eq(close(fd), 0);
  memcpy(p, "hello", 5);          /* a mapping outlives close(fd) */
  memcpy(p + 8000, "world", 5);
  ro = shm_open(name, O_RDONLY, 0);
  ck_assert_int_ge(ro, 0);
  ck_assert_int_eq(read(ro, buf, 5), 5);
  ck_assert(memcmp(buf, "hello", 5) == 0);
  ck_assert_int_eq(lseek(ro, 8000, SEEK_SET), 8000);
  ck_assert_int_eq(read(ro, buf, 5), 5);
  ck_assert(memcmp(buf, "world", 5) == 0);
  ck_assert_int_eq(close(ro), 0);
  ck_assert_int_eq(munmap(p, 10000), 0);
  ck_assert_int_eq(shm_unlink(name), 0);
  errno = 0;
  ck_assert_int_eq(shm_open(name, O_RDWR, 0), -1);
  ck_assert_int_eq(errno, ENOENT);
  errno = 0;
  ck_assert_int_eq(shm_unlink(name), -1);
  ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(mman_shm_flags)
{
  char name[128];
  struct stat st;
  int fd, fd2, d;

  fd = shm_new(name, sizeof name, "flags", 5000);
  errno = 0;
  ck_assert_int_eq(shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600), -1);
  ck_assert_int_eq(errno, EEXIST);
  ck_assert_int_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);   /* shm_open sets it */
  ck_assert_int_eq(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
  d = dup(fd);
  ck_assert_int_ge(d, 0);
  ck_assert_int_eq(fstat(d, &st), 0);
  ck_assert_int_eq(st.st_size, 5000);
  ck_assert_int_eq(ftruncate(d, 100), 0);       /* shrink */
  ck_assert_int_eq(fstat(fd, &st), 0);
  ck_assert_int_eq(st.st_size, 100);
  ck_assert_int_eq(ftruncate(fd, 70000), 0);    /* grow */
  ck_assert_int_eq(fstat(d, &st), 0);
  ck_assert_int_eq(st.st_size, 70000);
  ck_assert_int_eq(close(d), 0);
  fd2 = shm_open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);   /* O_CREAT without O_EXCL opens it */
  ck_assert_int_ge(fd2, 0);
  ck_assert_int_eq(fstat(fd2, &st), 0);
  ck_assert_int_eq(st.st_size, 0);
  ck_assert_int_eq(close(fd2), 0);
  ck_assert_int_eq(close(fd), 0);
  ck_assert_int_eq(shm_unlink(name), 0);
}
END_TEST

START_TEST(mman_shm_bad_names)
{
  char name[400], big[300];
  size_t n;
  int fd;

  errno = 0;
  ck_assert_int_eq(shm_open("", O_RDWR | O_CREAT, 0600), -1);
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_int_eq(shm_open("/", O_RDWR | O_CREAT, 0600), -1);
  ck_assert_int_eq(errno, EINVAL);
  test_ipc_name(name, sizeof name, "a/b");     /* a second slash */
  errno = 0;
  ck_assert_int_eq(shm_open(name, O_RDWR | O_CREAT, 0600), -1);
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_int_eq(shm_unlink(name), -1);
  ck_assert_int_eq(errno, ENOENT);
  memset(big, 'x', sizeof big - 1);             /* over NAME_MAX */
  big[0] = '/';
  big[sizeof big - 1] = 0;
  errno = 0;
  ck_assert_int_eq(shm_open(big, O_RDWR | O_CREAT, 0600), -1);
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_int_eq(shm_unlink(""), -1);
  ck_assert_int_eq(errno, ENOENT);
  /* NAME_MAX bytes after the slash is fine. */
  test_ipc_name(name, sizeof name, "long");
  n = strlen(name);
  memset(name + n, 'y', 256 - n);
  name[256] = 0;
  fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(close(fd), 0);
  ck_assert_int_eq(shm_unlink(name), 0);
  /* glibc takes a name without the leading slash as the same object. */
  test_ipc_name(name, sizeof name, "noslash");
  fd = shm_open(name + 1, O_RDWR | O_CREAT | O_EXCL, 0600);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(close(fd), 0);
  ck_assert_int_eq(shm_unlink(name), 0);
#ifdef _WIN32
  /* Linux's libc crashes on NULL names; ipcx says EFAULT. */
  errno = 0;
  ck_assert_int_eq(shm_open(NULL, O_RDWR, 0), -1);
  ck_assert_int_eq(errno, EFAULT);
  errno = 0;
  ck_assert_int_eq(shm_unlink(NULL), -1);
  ck_assert_int_eq(errno, EFAULT);
#endif
}
END_TEST

START_TEST(mman_shm_unlink_while_mapped)
{
  char name[128];
  char *p;
  struct stat st;
  int fd, fd2;

  fd = shm_new(name, sizeof name, "unlinked", PG);
  p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ck_assert_ptr_ne(p, MAP_FAILED);
  strcpy(p, "still here");
  ck_assert_int_eq(shm_unlink(name), 0);
  ck_assert_str_eq(p, "still here");
  fd2 = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);   /* the name is free again */
  ck_assert_int_ge(fd2, 0);
  ck_assert_int_eq(fstat(fd2, &st), 0);
  ck_assert_int_eq(st.st_size, 0);
  ck_assert_int_eq(ftruncate(fd, 2 * PG), 0);    /* the old object still works */
  ck_assert_int_eq(fstat(fd, &st), 0);
  ck_assert_int_eq(st.st_size, 2 * PG);
  ck_assert_int_eq(munmap(p, PG), 0);
  ck_assert_int_eq(close(fd), 0);
  ck_assert_int_eq(close(fd2), 0);
  ck_assert_int_eq(shm_unlink(name), 0);
}
END_TEST

START_TEST(mman_errors)
{
  char path[256], name[128];
  int fd, ro, wo, p[2], s;
  char *m;

  fd = shm_new(name, sizeof name, "errors", 4 * PG);
  errno = 0;
  ck_assert_ptr_eq(mmap(NULL, 0, PROT_READ, MAP_SHARED, fd, 0), MAP_FAILED);
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_ptr_eq(mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 100), MAP_FAILED);
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_ptr_eq(mmap(NULL, PG, PROT_READ, 0, fd, 0), MAP_FAILED);
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_ptr_eq(mmap(NULL, PG, PROT_READ, MAP_SHARED, 999, 0), MAP_FAILED);
  ck_assert_int_eq(errno, EBADF);
  ck_assert_int_eq(pipe(p), 0);
  errno = 0;
  ck_assert_ptr_eq(mmap(NULL, PG, PROT_READ, MAP_SHARED, p[0], 0), MAP_FAILED);
  ck_assert_int_eq(errno, ENODEV);
  close(p[0]);
  close(p[1]);
  s = socket(AF_UNIX, SOCK_STREAM, 0);
  ck_assert_int_ge(s, 0);
  errno = 0;
  ck_assert_ptr_eq(mmap(NULL, PG, PROT_READ, MAP_SHARED, s, 0), MAP_FAILED);
  ck_assert_int_eq(errno, ENODEV);
  close(s);
  ro = shm_open(name, O_RDONLY, 0);
  ck_assert_int_ge(ro, 0);
  errno = 0;
  ck_assert_ptr_eq(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), MAP_FAILED);
  ck_assert_int_eq(errno, EACCES);
  m = mmap(NULL, PG, PROT_READ, MAP_SHARED, ro, 0);
  ck_assert_ptr_ne(m, MAP_FAILED);
  errno = 0;
  ck_assert_int_eq(mprotect(m, PG, PROT_READ | PROT_WRITE), -1);
  ck_assert_int_eq(errno, EACCES);
  ck_assert_int_eq(munmap(m, PG), 0);
  close(ro);
  test_path(path, sizeof path, "wronly");
  wo = open(path, O_WRONLY | O_CREAT, 0600);
  ck_assert_int_ge(wo, 0);
  ck_assert_int_eq(ftruncate(wo, PG), 0);
  errno = 0;
  ck_assert_ptr_eq(mmap(NULL, PG, PROT_READ, MAP_SHARED, wo, 0), MAP_FAILED);
  ck_assert_int_eq(errno, EACCES);
  close(wo);
  unlink(path);

  m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ck_assert_ptr_ne(m, MAP_FAILED);
  errno = 0;
  ck_assert_int_eq(munmap(m + 1, PG), -1);
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_int_eq(munmap(m, 0), -1);
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_int_eq(msync(m + 1, PG, MS_SYNC), -1);
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_int_eq(msync(m, PG, MS_SYNC | MS_ASYNC), -1);
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_int_eq(mprotect(m + 1, PG, PROT_READ), -1);
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_int_eq(madvise(m, PG, 12345), -1);
  ck_assert_int_eq(errno, EINVAL);
  ck_assert_int_eq(posix_madvise(m, PG, 12345), EINVAL);
  ck_assert_int_eq(madvise(m, PG, MADV_WILLNEED), 0);
  ck_assert_int_eq(posix_madvise(m, PG, POSIX_MADV_SEQUENTIAL), 0);
  ck_assert_int_eq(msync(m, 2 * PG, MS_SYNC), 0);
  ck_assert_int_eq(munmap(m, 2 * PG), 0);
  /* The range is gone now: msync, mprotect and madvise say ENOMEM, munmap is fine. */
  errno = 0;
  ck_assert_int_eq(msync(m, PG, MS_SYNC), -1);
  ck_assert_int_eq(errno, ENOMEM);
  errno = 0;
  ck_assert_int_eq(mprotect(m, PG, PROT_READ), -1);
  ck_assert_int_eq(errno, ENOMEM);
  ck_assert_int_eq(munmap(m, PG), 0);
  close(fd);
  shm_unlink(name);
}
END_TEST

START_TEST(mman_file_shared_and_private)
{
  char path[256], buf[3 * PG], got[16];
  char *sh, *pv;
  int fd, i;

  for (i = 0; i < 3 * PG; i++)
    buf[i] = (char)('a' + i % 26);
  test_path(path, sizeof path, "mapfile");
  fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(test_write_all(fd, buf, sizeof buf), (ssize_t)sizeof buf);
  /* An offset that is a page but not a 64 KiB multiple. */
  sh = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, PG);
  ck_assert_ptr_ne(sh, MAP_FAILED);
  ck_assert(memcmp(sh, buf + PG, 2 * PG) == 0);
  pv = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  ck_assert_ptr_ne(pv, MAP_FAILED);
  memcpy(sh + 10, "SHARED", 6);
  ck_assert_int_eq(msync(sh, PG, MS_SYNC), 0);
  ck_assert_int_eq(read_at(fd, got, 6, PG + 10), 6);
  ck_assert(memcmp(got, "SHARED", 6) == 0);
  memcpy(pv + 20, "PRIVATE", 7);           /* a private copy: the file keeps its bytes */
  ck_assert_int_eq(read_at(fd, got, 7, 20), 7);
  ck_assert(memcmp(got, buf + 20, 7) == 0);
  ck_assert(memcmp(pv + PG + 10, "SHARED", 6) == 0 || memcmp(pv + PG + 10, buf + PG + 10, 6) == 0);
  /* Writes by write() show in a shared mapping. */
  ck_assert_int_eq(write_at(fd, "WRITTEN", 7, PG + 100), 7);
  ck_assert(memcmp(sh + 100, "WRITTEN", 7) == 0);
  ck_assert_int_eq(mprotect(sh, PG, PROT_READ), 0);
  ck_assert_int_eq(mprotect(sh, PG, PROT_READ | PROT_WRITE), 0);
  sh[0] = 'Z';
  ck_assert_int_eq(munmap(sh, 2 * PG), 0);
  ck_assert_int_eq(munmap(pv, 3 * PG), 0);
  ck_assert_int_eq(read_at(fd, got, 1, PG), 1);
  ck_assert_int_eq(got[0], 'Z');
  close(fd);
  unlink(path);
}
END_TEST

START_TEST(mman_anonymous)
{
  char *p, *q;
  size_t i;

  p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ck_assert_ptr_ne(p, MAP_FAILED);
  for (i = 0; i < (1 << 20); i += 4096)
    ck_assert_int_eq(p[i], 0);
  memset(p, 7, 1 << 20);
  /* Unmap a page in the middle, then the rest. */
  ck_assert_int_eq(munmap(p + 5 * PG, PG), 0);
  ck_assert_int_eq(p[6 * PG], 7);
  ck_assert_int_eq(munmap(p, 5 * PG), 0);
  ck_assert_int_eq(munmap(p + 6 * PG, (1 << 20) - 6 * PG), 0);
  q = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  ck_assert_ptr_ne(q, MAP_FAILED);
  q[3 * PG - 1] = 1;
  /* MAP_FIXED over a whole mapping of ours, at its own address (Windows
   * cannot replace part of a view: docs/shm.md). */
  p = mmap(q, 3 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  ck_assert_ptr_eq(p, q);
  ck_assert_int_eq(p[0], 0);
  ck_assert_int_eq(munmap(q, 3 * PG), 0);
  errno = 0;
  ck_assert_ptr_eq(mmap((char *)q + 1, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
                   MAP_FAILED);
  ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* The child side: map the file at argv[0], check the parent's bytes, write its own. */
IPCX_TEST_HELPER(mman_child)
{
  int fd = open(argv[0], O_RDWR);
  char *p;

  if (argc < 1 || fd < 0)
    return 2;
  p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (p == MAP_FAILED || strcmp(p, "from parent") != 0)
    return 3;
  strcpy(p + PG, "from child");
  return munmap(p, 2 * PG) == 0 ? 0 : 4;
}

START_TEST(mman_file_shared_with_child)
{
  char path[256];
  char *p;
  int fd;

  test_path(path, sizeof path, "childmap");
  fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(ftruncate(fd, 2 * PG), 0);
  p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ck_assert_ptr_ne(p, MAP_FAILED);
  strcpy(p, "from parent");
  test_wait_ok(test_spawn_helper((char *[]){ (char *)test_self, "--helper", "mman_child", path, NULL }));
  ck_assert_str_eq(p + PG, "from child");
  ck_assert_int_eq(munmap(p, 2 * PG), 0);
  close(fd);
  unlink(path);
}
END_TEST

/* Create and fill shm object argv[0], or (argv[1] "fd") write through the inherited fd argv[2]. */
IPCX_TEST_HELPER(shm_fill)
{
  int fd;
  char *p;

  if (argc < 2)
    return 2;
  if (strcmp(argv[1], "fd") == 0) {
    fd = atoi(argv[2]);
  } else {
    fd = shm_open(argv[0], O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || ftruncate(fd, 3 * PG) < 0)
      return 3;
  }
  p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED)
    return 4;
  strcpy(p + 2 * PG, argv[1]);
  munmap(p, 3 * PG);
  close(fd);
  return 0;                     /* and exit: nobody holds the object now */
}

START_TEST(mman_shm_outlives_its_maker)
{
  char name[128], *p;
  int fd;

  test_ipc_name(name, sizeof name, "outlives");
  test_wait_ok(test_spawn_helper((char *[]){ (char *)test_self, "--helper", "shm_fill", name, "filled", NULL }));
  fd = shm_open(name, O_RDONLY, 0);
  ck_assert_int_ge(fd, 0);
  p = mmap(NULL, 3 * PG, PROT_READ, MAP_SHARED, fd, 0);
  ck_assert_ptr_ne(p, MAP_FAILED);
  ck_assert_str_eq(p + 2 * PG, "filled");
  ck_assert_int_eq(munmap(p, 3 * PG), 0);
  close(fd);
  ck_assert_int_eq(shm_unlink(name), 0);
}
END_TEST

START_TEST(mman_shm_fd_inherited)
{
  char name[128], num[16], *p;
  int fd;

  fd = shm_new(name, sizeof name, "inherit", 3 * PG);
  ck_assert_int_eq(fcntl(fd, F_SETFD, 0), 0);
  snprintf(num, sizeof num, "%d", fd);
  test_wait_ok(test_spawn_helper((char *[]){ (char *)test_self, "--helper", "shm_fill", name, "fd", num, NULL }));
  p = mmap(NULL, 3 * PG, PROT_READ, MAP_SHARED, fd, 0);
  ck_assert_ptr_ne(p, MAP_FAILED);
  ck_assert_str_eq(p + 2 * PG, "fd");
  ck_assert_int_eq(munmap(p, 3 * PG), 0);
  close(fd);
  ck_assert_int_eq(shm_unlink(name), 0);
}
END_TEST

START_TEST(mman_no_leaks)
{
  char name[128], *p;
  long before, after;
  int i, fd;

  before = test_open_count();
  for (i = 0; i < 200; i++) {
    fd = shm_new(name, sizeof name, "leak", PG);
    p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ck_assert_ptr_ne(p, MAP_FAILED);
    p[0] = 1;
    ck_assert_int_eq(close(fd), 0);
    ck_assert_int_eq(shm_unlink(name), 0);
    ck_assert_int_eq(munmap(p, PG), 0);
  }
  after = test_settle_count(before);
  ck_assert_msg(after <= before + TEST_SLACK, "%ld handles before, %ld after", before, after);
}
END_TEST

/* mmap under its POSIX name at link level, no header macro: what configure's
 * AC_CHECK_FUNCS([mmap]) links (on Windows, ipcx_mmap is a static inline, so
 * the library carries the name as a thunk to ipcx_mmap64). */
void *test_link_mmap(void *addr, size_t len, int prot, int flags, int fd, long long off) __asm__("mmap");

START_TEST(mman_link_level_name)
{
  char *p = test_link_mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

  ck_assert_ptr_ne(p, MAP_FAILED);
  p[PG - 1] = 7;
  ck_assert_int_eq(p[PG - 1], 7);
  ck_assert_int_eq(munmap(p, PG), 0);
  errno = 0;
  ck_assert_ptr_eq(test_link_mmap(NULL, PG, PROT_READ, MAP_SHARED, 9999, 0), MAP_FAILED);
  ck_assert_int_eq(errno, EBADF);
}
END_TEST

Suite *suite_mman(void)
{
  Suite *s = suite_create("mman");
  TCase *tc = test_tcase("mman");
  TCase *procs = test_tcase("mman_processes");

  tcase_add_test(tc, mman_shm_create_map_unlink);
  tcase_add_test(tc, mman_shm_flags);
  tcase_add_test(tc, mman_shm_bad_names);
  tcase_add_test(tc, mman_shm_unlink_while_mapped);
  tcase_add_test(tc, mman_errors);
  tcase_add_test(tc, mman_file_shared_and_private);
  tcase_add_test(tc, mman_anonymous);
  tcase_add_test(tc, mman_no_leaks);
  tcase_add_test(tc, mman_link_level_name);
  tcase_add_test(procs, mman_file_shared_with_child);
  tcase_add_test(procs, mman_shm_outlives_its_maker);
  tcase_add_test(procs, mman_shm_fd_inherited);
  suite_add_tcase(s, tc);
  suite_add_tcase(s, procs);
  return s;
}
