/*
 * shm_prodcons: plain POSIX C (no ipcx names) that builds unchanged on Linux
 * and, through ipcx's drop-in headers, on Windows.
 *
 * The classic shared-memory producer/consumer: a ring of slots in a POSIX
 * shared memory object, two named semaphores counting free and filled
 * slots.  The parent makes them and produces; a child started with
 * posix_spawn opens them by name and consumes, printing each record and a
 * checksum.  Then the parent shows that the object outlives everyone who
 * held it until shm_unlink, and the errors a second O_EXCL create and an
 * open after unlink give.
 */
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SLOTS 4
#define RECORDS 12

struct ring {
  char text[SLOTS][64];
  unsigned total;               /* the consumer's checksum, for the parent */
};

static void die(const char *what)
{
  perror(what);
  exit(1);
}

static int consume(const char *shm, const char *free_name, const char *full_name)
{
  sem_t *free_slots = sem_open(free_name, 0), *full = sem_open(full_name, 0);
  int fd = shm_open(shm, O_RDWR, 0);
  struct ring *r;
  unsigned sum = 0;
  int i;

  if (free_slots == SEM_FAILED || full == SEM_FAILED || fd < 0)
    die("consumer: open");
  r = mmap(NULL, sizeof *r, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (r == MAP_FAILED)
    die("consumer: mmap");
  close(fd);
  for (i = 0; i < RECORDS; i++) {
    const char *p;
    if (sem_wait(full) != 0)
      die("consumer: sem_wait");
    printf("consumer got: %s\n", r->text[i % SLOTS]);
    for (p = r->text[i % SLOTS]; *p; p++)
      sum = sum * 31 + (unsigned char)*p;
    sem_post(free_slots);
  }
  r->total = sum;
  printf("consumer checksum: %08x\n", sum);
  munmap(r, sizeof *r);
  sem_close(free_slots);
  sem_close(full);
  return 0;
}

int main(int argc, char **argv)
{
  char shm[64], free_name[64], full_name[64];
  sem_t *free_slots, *full;
  struct ring *r;
  struct stat st;
  pid_t pid;
  int fd, i, status;

  if (argc == 5 && strcmp(argv[1], "consumer") == 0)
    return consume(argv[2], argv[3], argv[4]);
  snprintf(shm, sizeof shm, "/shm_prodcons-%ld", (long)getpid());
  snprintf(free_name, sizeof free_name, "/shm_prodcons-%ld-free", (long)getpid());
  snprintf(full_name, sizeof full_name, "/shm_prodcons-%ld-full", (long)getpid());

  fd = shm_open(shm, O_RDWR | O_CREAT | O_EXCL, 0600);
  if (fd < 0 || ftruncate(fd, sizeof *r) < 0)
    die("shm_open");
  if (fstat(fd, &st) == 0)
    printf("shared memory object: %ld bytes\n", (long)st.st_size);
  r = mmap(NULL, sizeof *r, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (r == MAP_FAILED)
    die("mmap");
  close(fd);                    /* the mapping stays */
  free_slots = sem_open(free_name, O_CREAT | O_EXCL, 0600, SLOTS);
  full = sem_open(full_name, O_CREAT | O_EXCL, 0600, 0);
  if (free_slots == SEM_FAILED || full == SEM_FAILED)
    die("sem_open");

  {
    char *args[] = { argv[0], "consumer", shm, free_name, full_name, NULL };
    fflush(stdout);
    if (posix_spawn(&pid, argv[0], NULL, NULL, args, NULL) != 0)
      die("posix_spawn");
  }
  for (i = 0; i < RECORDS; i++) {
    if (sem_wait(free_slots) != 0)
      die("sem_wait");
    snprintf(r->text[i % SLOTS], sizeof r->text[0], "record %d of %d", i + 1, RECORDS);
    sem_post(full);
  }
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    die("consumer failed");
  printf("producer: the consumer's checksum in shared memory: %08x\n", r->total);
  munmap(r, sizeof *r);
  sem_close(free_slots);
  sem_close(full);

  /* Nobody holds the object now: it is still there until shm_unlink. */
  fd = shm_open(shm, O_RDONLY, 0);
  printf("reopen with no holder: %s\n", fd >= 0 ? "still there" : strerror(errno));
  if (fd >= 0)
    close(fd);
  if (shm_open(shm, O_RDWR | O_CREAT | O_EXCL, 0600) < 0)
    printf("second O_EXCL create: %s\n", errno == EEXIST ? "EEXIST" : strerror(errno));
  shm_unlink(shm);
  sem_unlink(free_name);
  sem_unlink(full_name);
  if (shm_open(shm, O_RDONLY, 0) < 0)
    printf("open after shm_unlink: %s\n", errno == ENOENT ? "ENOENT" : strerror(errno));
  return 0;
}
