/*
 * sigterm_server: a server that starts workers with posix_spawn, reaps them
 * on SIGCHLD and shuts down gracefully on SIGTERM (plain Unix C).
 *
 * The handlers only write a byte to a self-pipe; the main loop poll()s it
 * and does the work: waitpid(-1, WNOHANG) on 'C' (SIGCHLDs coalesce, so it
 * reaps everything that ended), and on 'T' sends SIGTERM to its workers,
 * which leave their blocking read() with EINTR and exit cleanly.  The
 * SIGTERM comes from another process: a child that kill()s its parent.
 *
 *   sigterm_server                 the server
 *   sigterm_server worker          blocks in read() until SIGTERM
 *   sigterm_server job N           exits with 10 + N
 *   sigterm_server stopper         kill(getppid(), SIGTERM)
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORKERS 2
#define JOBS 3

static int self_pipe[2];
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
  char c = sig == SIGTERM ? 'T' : 'C';
  int e = errno;

  if (write(self_pipe[1], &c, 1) < 0) {
    /* nothing to do: the loop will see the next one */
  }
  errno = e;
}

static void on_term_worker(int sig)
{
  (void)sig;
  stop = 1;
}

static void catch(int sig, void (*fn)(int), int flags)
{
  struct sigaction sa;

  memset(&sa, 0, sizeof sa);
  sa.sa_handler = fn;
  sa.sa_flags = flags;
  sigemptyset(&sa.sa_mask);
  if (sigaction(sig, &sa, NULL) < 0) {
    perror("sigaction");
    exit(1);
  }
}

static pid_t start(const char *self, const char *what, const char *arg, int in)
{
  posix_spawn_file_actions_t fa;
  char *argv[] = { (char *)self, (char *)what, (char *)arg, NULL };
  pid_t pid;

  posix_spawn_file_actions_init(&fa);
  if (in >= 0)
    posix_spawn_file_actions_adddup2(&fa, in, 0);
  if (posix_spawn(&pid, self, &fa, NULL, argv, NULL) != 0) {
    perror("posix_spawn");
    exit(1);
  }
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

static int worker(void)
{
  char c;
  ssize_t n;

  catch(SIGTERM, on_term_worker, 0);   /* no SA_RESTART: read() returns EINTR */
  n = read(0, &c, 1);
  if (n < 0 && errno == EINTR && stop)
    return 0;                   /* graceful: flush, close, say goodbye */
  return 3;
}

int main(int argc, char **argv)
{
  pid_t workers[WORKERS], jobs[JOBS], stopper = -1;
  int job_status[JOBS], worker_status[WORKERS], feed[2];
  int left, jobs_left = JOBS, stopping = 0, i;

  if (argc > 1 && strcmp(argv[1], "worker") == 0)
    return worker();
  if (argc > 2 && strcmp(argv[1], "job") == 0)
    return 10 + atoi(argv[2]);
  if (argc > 1 && strcmp(argv[1], "stopper") == 0)
    return kill(getppid(), SIGTERM) == 0 ? 0 : 1;

  setvbuf(stdout, NULL, _IONBF, 0);
  if (pipe(self_pipe) < 0 || pipe(feed) < 0) {
    perror("pipe");
    return 1;
  }
  fcntl(self_pipe[0], F_SETFD, FD_CLOEXEC);
  fcntl(self_pipe[1], F_SETFD, FD_CLOEXEC);
  fcntl(feed[1], F_SETFD, FD_CLOEXEC);
  catch(SIGCHLD, on_signal, SA_RESTART | SA_NOCLDSTOP);
  catch(SIGTERM, on_signal, SA_RESTART);

  for (i = 0; i < WORKERS; i++)
    workers[i] = start(argv[0], "worker", NULL, feed[0]);
  for (i = 0; i < JOBS; i++) {
    char n[8];
    snprintf(n, sizeof n, "%d", i + 1);
    jobs[i] = start(argv[0], "job", n, -1);
  }
  close(feed[0]);
  printf("server: started %d workers and %d jobs\n", WORKERS, JOBS);

  left = WORKERS + JOBS;
  while (left > 0) {
    struct pollfd p = { self_pipe[0], POLLIN, 0 };
    char c;
    pid_t pid;
    int status;

    if (poll(&p, 1, -1) < 0) {
      if (errno == EINTR)
        continue;               /* a handler ran: its byte is in the pipe */
      perror("poll");
      return 1;
    }
    if (read(self_pipe[0], &c, 1) != 1)
      continue;
    if (c == 'T' && !stopping) {
      stopping = 1;
      printf("server: SIGTERM received, stopping the workers\n");
      for (i = 0; i < WORKERS; i++)
        kill(workers[i], SIGTERM);
    }
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      if (pid == stopper)
        continue;
      for (i = 0; i < JOBS; i++)
        if (jobs[i] == pid) {
          job_status[i] = status;
          left--;
          if (--jobs_left == 0) {
            for (i = 0; i < JOBS; i++)
              printf("server: job %d exited with %d\n", i + 1, WEXITSTATUS(job_status[i]));
            printf("server: all jobs done; a child sends SIGTERM\n");
            stopper = start(argv[0], "stopper", NULL, -1);
          }
          break;
        }
      for (i = 0; i < WORKERS; i++)
        if (workers[i] == pid) {
          worker_status[i] = status;
          left--;
        }
    }
  }
  for (i = 0; i < WORKERS; i++)
    printf("server: worker %d %s %d\n", i + 1,
           WIFEXITED(worker_status[i]) ? "exited with" : "was killed by",
           WIFEXITED(worker_status[i]) ? WEXITSTATUS(worker_status[i]) : WTERMSIG(worker_status[i]));
  if (stopper > 0)
    waitpid(stopper, NULL, 0);
  printf("server: every child reaped, exiting\n");
  return 0;
}
