/*
 * echo_server PATH [CLIENTS]: an AF_UNIX stream echo server (plain Unix C).
 *
 * Binds PATH, serves CLIENTS connections one after another (default 1):
 * echoes every byte back until the client shuts down its side, then sends a
 * last line "bye after N bytes" and closes.  Prints one line per client.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
  struct sockaddr_un addr;
  int srv, clients = argc > 2 ? atoi(argv[2]) : 1, i;

  if (argc < 2) {
    fprintf(stderr, "usage: echo_server PATH [CLIENTS]\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  srv = socket(AF_UNIX, SOCK_STREAM, 0);
  if (srv < 0) {
    perror("socket");
    return 1;
  }
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, argv[1], sizeof addr.sun_path - 1);
  unlink(argv[1]);
  if (bind(srv, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(srv, 8) < 0) {
    perror("bind/listen");
    return 1;
  }
  for (i = 0; i < clients; i++) {
    char buf[4096], bye[64];
    size_t total = 0;
    ssize_t n;
    int c = accept(srv, NULL, NULL);

    if (c < 0) {
      perror("accept");
      return 1;
    }
    while ((n = read(c, buf, sizeof buf)) > 0) {
      if (write(c, buf, (size_t)n) != n) {
        perror("write");
        break;
      }
      total += (size_t)n;
    }
    n = snprintf(bye, sizeof bye, "bye after %zu bytes\n", total);
    if (write(c, bye, (size_t)n) != n)
      perror("write");
    close(c);
    printf("server: client %d sent %zu bytes\n", i + 1, total);
  }
  close(srv);
  unlink(argv[1]);
  return 0;
}
