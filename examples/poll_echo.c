/*
 * poll_echo: a poll()-driven AF_UNIX echo server with its clients in one
 * program (plain Unix C).  The server loop uses nothing but poll(),
 * nonblocking accept() and nonblocking read()/write(); four client threads
 * each send a few messages and check the echoes.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define CLIENTS 4
#define MESSAGES 25

static struct sockaddr_un addr;
static int results[CLIENTS];

static void *client(void *arg)
{
  int id = (int)(intptr_t)arg, fd, i, ok = 0;
  char msg[64], back[64];

  fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    perror("client connect");
    return NULL;
  }
  for (i = 0; i < MESSAGES; i++) {
    int n = snprintf(msg, sizeof msg, "client %d message %02d", id, i), got = 0;
    if (write(fd, msg, (size_t)n) != n)
      break;
    while (got < n) {
      ssize_t r = read(fd, back + got, (size_t)(n - got));
      if (r <= 0)
        break;
      got += (int)r;
    }
    ok += got == n && memcmp(msg, back, (size_t)n) == 0;
  }
  close(fd);
  results[id] = ok;
  return NULL;
}

int main(void)
{
  struct pollfd fds[1 + CLIENTS];
  pthread_t t[CLIENTS];
  int nfds = 1, closed = 0, i, lfd;
  char path[64];

  signal(SIGPIPE, SIG_IGN);
  snprintf(path, sizeof path, "poll_echo.%ld.sock", (long)getpid());
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  strcpy(addr.sun_path, path);
  lfd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 8) < 0) {
    perror("listen");
    return 1;
  }
  fcntl(lfd, F_SETFL, O_NONBLOCK);
  fds[0].fd = lfd;
  fds[0].events = POLLIN;
  for (i = 0; i < CLIENTS; i++)
    pthread_create(&t[i], NULL, client, (void *)(intptr_t)i);

  while (closed < CLIENTS) {
    if (poll(fds, (nfds_t)nfds, 10000) <= 0) {
      perror("poll");
      return 1;
    }
    if (fds[0].revents & POLLIN) {
      int c = accept(lfd, NULL, NULL);
      if (c >= 0) {
        fcntl(c, F_SETFL, O_NONBLOCK);
        fds[nfds].fd = c;
        fds[nfds].events = POLLIN;
        nfds++;
      } else if (errno != EAGAIN) {
        perror("accept");
        return 1;
      }
    }
    for (i = 1; i < nfds; i++) {
      char buf[512];
      ssize_t n;
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        if (write(fds[i].fd, buf, (size_t)n) != n)
          perror("write");
      } else if (n == 0 || errno != EAGAIN) {
        close(fds[i].fd);
        fds[i].fd = -1;          /* poll() ignores negative fds */
        closed++;
      }
    }
  }
  for (i = 0; i < CLIENTS; i++) {
    pthread_join(t[i], NULL);
    printf("client %d: %d of %d echoes correct\n", i, results[i], MESSAGES);
  }
  close(lfd);
  unlink(path);
  return 0;
}
