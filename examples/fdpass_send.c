/*
 * fdpass_send PATH: the sending half of the classic SCM_RIGHTS pair.  It
 * opens two things the receiver cannot reach by itself (a file it writes and
 * rewinds, and a pipe with a line already in it), connects to fdpass_recv at
 * PATH, passes both fds with sendmsg(), closes its own copies and exits at
 * once: the fds stay valid in flight.  Plain Unix C with no ipcx names.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
  static const char text[] = "a line from the sender's file\n";
  static const char line[] = "a line from the sender's pipe\n";
  union {
    char buf[CMSG_SPACE(2 * sizeof(int))];
    struct cmsghdr align;
  } u;
  struct sockaddr_un addr;
  struct msghdr msg;
  struct iovec iov;
  struct cmsghdr *c;
  char file[512];
  int fd, f, p[2], fds[2], tries;

  if (argc < 2) {
    fprintf(stderr, "usage: fdpass_send PATH\n");
    return 2;
  }
  snprintf(file, sizeof file, "%s.file", argv[1]);
  f = open(file, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (f < 0 || write(f, text, strlen(text)) != (ssize_t)strlen(text) || lseek(f, 0, SEEK_SET) != 0) {
    perror("file");
    return 1;
  }
  unlink(file);                 /* only the fd reaches it now */
  if (pipe(p) < 0 || write(p[1], line, strlen(line)) != (ssize_t)strlen(line)) {
    perror("pipe");
    return 1;
  }
  close(p[1]);
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, argv[1], sizeof addr.sun_path - 1);
  for (tries = 0;; tries++) {          /* the receiver may still be starting */
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
  memset(&msg, 0, sizeof msg);
  iov.iov_base = "2";
  iov.iov_len = 1;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = u.buf;
  msg.msg_controllen = sizeof u.buf;
  c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof fds);
  fds[0] = f;
  fds[1] = p[0];
  memcpy(CMSG_DATA(c), fds, sizeof fds);
  if (sendmsg(fd, &msg, 0) != 1) {
    perror("sendmsg");
    return 1;
  }
  close(f);
  close(p[0]);
  close(fd);
  printf("sender: passed a file and a pipe\n");
  return 0;
}
