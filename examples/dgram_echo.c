/*
 * dgram_echo: an AF_UNIX datagram server that upper-cases what its clients
 * send and replies to the address each datagram came from (the shape of
 * TLPI's ud_ucase), with three clients run as child processes.  Plain POSIX:
 * nothing in it knows about Windows.
 *
 *   dgram_echo              the server, which spawns the clients one by one
 *   dgram_echo client N     a client: binds its own name, sends, prints the reply
 */
#include <ctype.h>
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define SERVER "dgram_echo.sock"

extern char **environ;

static socklen_t address(struct sockaddr_un *a, const char *path)
{
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  strncpy(a->sun_path, path, sizeof a->sun_path - 1);
  return sizeof *a;
}

static int client(const char *id)
{
  static const char *words[] = { "hello", "datagram world", "bye" };
  struct sockaddr_un me, server, from;
  socklen_t flen = sizeof from;
  char path[64], reply[64];
  ssize_t n;
  int s = socket(AF_UNIX, SOCK_DGRAM, 0);

  snprintf(path, sizeof path, "dgram_echo.client%s", id);
  unlink(path);
  if (s < 0 || bind(s, (struct sockaddr *)&me, address(&me, path)) != 0) {
    perror("client bind");
    return 1;
  }
  const char *word = words[atoi(id) % 3];
  if (sendto(s, word, strlen(word), 0, (struct sockaddr *)&server, address(&server, SERVER)) < 0) {
    perror("sendto");
    return 1;
  }
  n = recvfrom(s, reply, sizeof reply - 1, 0, (struct sockaddr *)&from, &flen);
  if (n < 0) {
    perror("recvfrom");
    return 1;
  }
  reply[n] = 0;
  printf("client %s: sent \"%s\", got \"%s\" from %s\n", id, word, reply, from.sun_path);
  close(s);
  unlink(path);
  return 0;
}

int main(int argc, char **argv)
{
  struct sockaddr_un a, from;
  char buf[64], id[8];
  int s, k, status;
  pid_t pid;

  if (argc > 2 && strcmp(argv[1], "client") == 0)
    return client(argv[2]);
  unlink(SERVER);
  s = socket(AF_UNIX, SOCK_DGRAM, 0);
  if (s < 0 || bind(s, (struct sockaddr *)&a, address(&a, SERVER)) != 0) {
    perror("server bind");
    return 1;
  }
  for (k = 0; k < 3; k++) {
    char *args[] = { argv[0], "client", id, NULL };
    socklen_t flen = sizeof from;
    ssize_t n;

    snprintf(id, sizeof id, "%d", k);
    if ((errno = posix_spawn(&pid, argv[0], NULL, NULL, args, environ)) != 0) {
      perror("posix_spawn");
      return 1;
    }
    n = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
    if (n < 0) {
      perror("recvfrom");
      return 1;
    }
    printf("server: %zd bytes from %s\n", n, from.sun_path);
    for (ssize_t i = 0; i < n; i++)
      buf[i] = (char)toupper((unsigned char)buf[i]);
    if (sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&from, flen) != n)
      perror("sendto");
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
      printf("server: client %d failed\n", k);
  }
  close(s);
  unlink(SERVER);
  printf("server: done\n");
  return 0;
}
