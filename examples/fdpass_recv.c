/*
 * fdpass_recv PATH: the receiving half of the classic SCM_RIGHTS pair.  It
 * listens at PATH, accepts one fdpass_send, takes the fds that came with
 * its message (recvmsg, SCM_RIGHTS) and reads each to its end: a file the
 * sender opened and unlinked, and a pipe whose writer has gone.  Plain Unix
 * C with no ipcx names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
  union {
    char buf[CMSG_SPACE(8 * sizeof(int))];
    struct cmsghdr align;
  } u;
  struct sockaddr_un addr;
  struct msghdr msg;
  struct iovec iov;
  struct cmsghdr *c;
  char data[8], buf[256];
  int l, s, i, n, fds[8], nfds = 0;
  ssize_t r;

  if (argc < 2) {
    fprintf(stderr, "usage: fdpass_recv PATH\n");
    return 2;
  }
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, argv[1], sizeof addr.sun_path - 1);
  unlink(argv[1]);
  l = socket(AF_UNIX, SOCK_STREAM, 0);
  if (l < 0 || bind(l, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(l, 1) < 0) {
    perror("listen");
    return 1;
  }
  s = accept(l, NULL, NULL);
  if (s < 0) {
    perror("accept");
    return 1;
  }
  memset(&msg, 0, sizeof msg);
  iov.iov_base = data;
  iov.iov_len = sizeof data;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = u.buf;
  msg.msg_controllen = sizeof u.buf;
  r = recvmsg(s, &msg, 0);
  if (r < 0) {
    perror("recvmsg");
    return 1;
  }
  for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
      memcpy(fds + nfds, CMSG_DATA(c), (size_t)n * sizeof(int));
      nfds += n;
    }
  printf("receiver: %d byte(s), %d fd(s)%s\n", (int)r, nfds,
         (msg.msg_flags & MSG_CTRUNC) ? ", truncated" : "");
  for (i = 0; i < nfds; i++) {
    while ((r = read(fds[i], buf, sizeof buf)) > 0)
      printf("receiver: fd %d: %.*s", i + 1, (int)r, buf);
    close(fds[i]);
  }
  close(s);
  close(l);
  unlink(argv[1]);
  return 0;
}
