/*
 * fifo_rpc: the classic FIFO request/reply pattern (plain Unix C).
 *
 *   fifo_rpc              make a well-known server FIFO, start 3 client
 *                         processes of this program with posix_spawn, answer
 *                         their requests, wait for them
 *   fifo_rpc client DIR N (started by the above) make a reply FIFO, send a
 *                         request "N <reply path>" to DIR/server.fifo, print
 *                         the reply
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CLIENTS 3

extern char **environ;

static int client(const char *dir, int n)
{
  char server[256], reply[256], req[600], buf[256];
  ssize_t r;
  int fd;

  snprintf(server, sizeof server, "%s/server.fifo", dir);
  snprintf(reply, sizeof reply, "%s/reply.%d.fifo", dir, n);
  if (mkfifo(reply, 0600) < 0) {
    perror("mkfifo reply");
    return 1;
  }
  fd = open(server, O_WRONLY);
  if (fd < 0) {
    perror("open server fifo");
    return 1;
  }
  r = snprintf(req, sizeof req, "%d %s\n", n, reply);
  if (write(fd, req, (size_t)r) != r)          /* one write under PIPE_BUF: atomic */
    perror("write");
  close(fd);
  fd = open(reply, O_RDONLY);
  r = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
  if (r > 0) {
    buf[r] = 0;
    printf("client %d got: %s", n, buf);
  }
  if (fd >= 0)
    close(fd);
  unlink(reply);
  return r > 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
  char dir[128], server[256], line[512], *p;
  pid_t pids[CLIENTS];
  FILE *in;
  int i, fd, keep, status, served = 0;

  signal(SIGPIPE, SIG_IGN);
  if (argc == 4 && strcmp(argv[1], "client") == 0)
    return client(argv[2], atoi(argv[3]));

  snprintf(dir, sizeof dir, "fifo_rpc.%ld", (long)getpid());
  if (mkdir(dir, 0700) < 0) {
    perror("mkdir");
    return 1;
  }
  snprintf(server, sizeof server, "%s/server.fifo", dir);
  if (mkfifo(server, 0600) < 0) {
    perror("mkfifo");
    return 1;
  }
  fd = open(server, O_RDONLY | O_NONBLOCK);     /* do not wait for a writer */
  keep = open(server, O_WRONLY);                /* no EOF between clients */
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  for (i = 0; i < CLIENTS; i++) {
    char num[16], *args[] = { argv[0], "client", dir, num, NULL };
    snprintf(num, sizeof num, "%d", i + 1);
    if ((errno = posix_spawn(&pids[i], argv[0], NULL, NULL, args, environ)) != 0) {
      perror("posix_spawn");
      return 1;
    }
  }
  in = fdopen(fd, "r");
  while (served < CLIENTS && fgets(line, sizeof line, in) != NULL) {
    int n = atoi(line), out;
    char reply[64];
    p = strchr(line, ' ');
    if (p == NULL)
      continue;
    p[strcspn(p, "\n")] = 0;
    out = open(p + 1, O_WRONLY);
    if (out < 0) {
      perror("open reply fifo");
      continue;
    }
    snprintf(reply, sizeof reply, "%d squared is %d\n", n, n * n);
    if (write(out, reply, strlen(reply)) < 0)
      perror("write reply");
    close(out);
    served++;
  }
  for (i = 0; i < CLIENTS; i++)
    waitpid(pids[i], &status, 0);
  fclose(in);
  close(keep);
  unlink(server);
  rmdir(dir);
  printf("server answered %d requests\n", served);
  return 0;
}
