/*
 * sort_pipe: the classic parent and child over two pipes.  The parent starts
 * `sort` with posix_spawnp, its stdin and stdout on pipes, sends it lines,
 * closes the pipe (sort sees EOF), reads the sorted lines back and collects
 * the exit status with waitpid.  Plain Unix C with no ipcx names: it builds
 * unchanged on Linux and, through ipcx's drop-in headers, on Windows.
 *
 * On Windows there is no Unix sort: put this project's examples/sort.exe
 * first on PATH (Windows' own sort.exe sorts differently and writes CRLF).
 */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *words[] = {
  "pear", "apple", "fig", "cherry", "banana", "date", "elderberry", "grape", NULL
};

int main(void)
{
  posix_spawn_file_actions_t fa;
  char *argv[] = { "sort", NULL };
  int to[2], from[2], status, i, err;
  char buf[512];
  ssize_t n;
  pid_t pid;

  signal(SIGPIPE, SIG_IGN);     /* a sort that dies early gives EPIPE, not a signal */
  if (pipe(to) < 0 || pipe(from) < 0) {
    perror("pipe");
    return 1;
  }
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, to[0], 0);
  posix_spawn_file_actions_adddup2(&fa, from[1], 1);
  posix_spawn_file_actions_addclose(&fa, to[0]);
  posix_spawn_file_actions_addclose(&fa, to[1]);
  posix_spawn_file_actions_addclose(&fa, from[0]);
  posix_spawn_file_actions_addclose(&fa, from[1]);
  err = posix_spawnp(&pid, "sort", &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (err != 0) {
    fprintf(stderr, "posix_spawnp sort: %s\n", strerror(err));
    return 1;
  }
  close(to[0]);
  close(from[1]);

  for (i = 0; words[i] != NULL; i++) {
    size_t len = strlen(words[i]);
    if (write(to[1], words[i], len) != (ssize_t)len || write(to[1], "\n", 1) != 1) {
      perror("write");
      return 1;
    }
  }
  printf("sent %d lines to sort\n", i);
  close(to[1]);                 /* sort sorts once its input ends */

  printf("sort sent back:\n");
  fflush(stdout);
  while ((n = read(from[0], buf, sizeof buf)) > 0)
    fwrite(buf, 1, (size_t)n, stdout);
  if (n < 0)
    perror("read");
  close(from[0]);

  if (waitpid(pid, &status, 0) != pid) {
    perror("waitpid");
    return 1;
  }
  if (WIFEXITED(status))
    printf("sort exited with status %d\n", WEXITSTATUS(status));
  else
    printf("sort was ended by signal %d\n", WTERMSIG(status));

  /* The child is gone: a second waitpid has nobody to wait for. */
  if (waitpid(pid, &status, 0) < 0 && errno == ECHILD)
    printf("waitpid again: ECHILD\n");
  return 0;
}
