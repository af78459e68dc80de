/*
 * echo_client PATH LINE...: connects to an echo_server at PATH, sends each
 * LINE, shuts down its sending side (a half-close), then prints everything
 * the server sends back until EOF (plain Unix C).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
  struct sockaddr_un addr;
  char buf[4096];
  ssize_t n;
  int fd, i, tries;

  if (argc < 2) {
    fprintf(stderr, "usage: echo_client PATH LINE...\n");
    return 2;
  }
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, argv[1], sizeof addr.sun_path - 1);
  for (tries = 0;; tries++) {          /* the server may still be starting */
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) {
      perror("socket");
      return 1;
    }
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0)
      break;
    if ((errno != ENOENT && errno != ECONNREFUSED) || tries == 200) {
      perror("connect");
      return 1;
    }
    close(fd);
    usleep(50000);
  }
  for (i = 2; i < argc; i++) {
    size_t len = strlen(argv[i]);
    if (write(fd, argv[i], len) != (ssize_t)len || write(fd, "\n", 1) != 1) {
      perror("write");
      return 1;
    }
  }
  shutdown(fd, SHUT_WR);
  while ((n = read(fd, buf, sizeof buf)) > 0)
    fwrite(buf, 1, (size_t)n, stdout);
  if (n < 0)
    perror("read");
  close(fd);
  return n < 0;
}
