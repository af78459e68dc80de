/*
 * What ported Unix code uses beside the IPC calls: it must compile unchanged
 * and mean the same on both targets.
 */
#include "ipcx_test.h"
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netdb.h>
#include <spawn.h>
#include <arpa/inet.h>
#include <netinet/in.h>

START_TEST(compat_errno_values)
{
  ck_assert_int_eq(EWOULDBLOCK, EAGAIN);
  ck_assert_int_ne(EPIPE, EAGAIN);
  ck_assert_int_ne(ECONNREFUSED, ENOENT);
  ck_assert_int_ne(EADDRINUSE, EACCES);
}
END_TEST

START_TEST(compat_strerror_is_linux_text)
{
  char buf[64];

  ck_assert_str_eq(strerror(ECONNREFUSED), "Connection refused");
  ck_assert_str_eq(strerror(EPIPE), "Broken pipe");
  ck_assert_str_eq(strerror(EAGAIN), "Resource temporarily unavailable");
  ck_assert_str_eq(strerror(EADDRINUSE), "Address already in use");
  ck_assert_str_eq(strerror(ENOENT), "No such file or directory");
  ck_assert_str_eq(strerror(ENOTSOCK), "Socket operation on non-socket");
  snprintf(buf, sizeof buf, "%s", strerror(EBADF));
  ck_assert_str_eq(buf, "Bad file descriptor");
}
END_TEST

START_TEST(compat_sockaddr_un)
{
  struct sockaddr_un a;

  ck_assert_uint_eq(sizeof a.sun_path, 108);
  a.sun_family = AF_UNIX;
  ck_assert_int_eq(a.sun_family, AF_UNIX);
  ck_assert_int_eq(AF_UNIX, AF_LOCAL);
  ck_assert_uint_ge(sizeof(struct sockaddr_storage), sizeof a);
  ck_assert_int_eq(SHUT_RD, 0);
  ck_assert_int_eq(SHUT_WR, 1);
  ck_assert_int_eq(SHUT_RDWR, 2);
}
END_TEST

START_TEST(compat_flags_are_distinct)
{
  int flags[] = { MSG_PEEK, MSG_DONTWAIT, MSG_NOSIGNAL, MSG_WAITALL, MSG_OOB };
  int pf[] = { POLLIN, POLLPRI, POLLOUT, POLLERR, POLLHUP, POLLNVAL };
  int i, j;

  for (i = 0; i < 5; i++)
    for (j = i + 1; j < 5; j++)
      ck_assert_int_eq(flags[i] & flags[j], 0);
  for (i = 0; i < 6; i++)
    for (j = i + 1; j < 6; j++)
      ck_assert_int_eq(pf[i] & pf[j], 0);
  ck_assert_int_eq(SOCK_NONBLOCK & SOCK_CLOEXEC, 0);
  ck_assert_int_eq((SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC) & ~(SOCK_NONBLOCK | SOCK_CLOEXEC), SOCK_STREAM);
  ck_assert_int_eq(O_NONBLOCK & (O_RDONLY | O_WRONLY | O_RDWR | O_CREAT | O_EXCL | O_TRUNC | O_APPEND), 0);
}
END_TEST

START_TEST(compat_stat_macros)
{
  struct stat st;
  int p[2];

  ck_assert(S_ISSOCK(S_IFSOCK));
  ck_assert(!S_ISSOCK(S_IFREG));
  ck_assert(S_ISFIFO(S_IFIFO));
  ck_assert(!S_ISFIFO(S_IFSOCK));
  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(fstat(p[0], &st), 0);
  ck_assert(S_ISFIFO(st.st_mode));
  ck_assert(!S_ISSOCK(st.st_mode));
  close(p[0]);
  close(p[1]);
}
END_TEST

START_TEST(compat_sigpipe_ignore)
{
  int p[2];

  ck_assert(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
  ck_assert_int_eq(pipe(p), 0);
  close(p[0]);
  errno = 0;
  ck_assert_int_eq(write(p[1], "x", 1), -1);   /* no signal: EPIPE */
  ck_assert_int_eq(errno, EPIPE);
  close(p[1]);
}
END_TEST

START_TEST(compat_wait_status_macros)
{
  int exited7 = 7 << 8, killed9 = 9;

  ck_assert(WIFEXITED(exited7));
  ck_assert_int_eq(WEXITSTATUS(exited7), 7);
  ck_assert(!WIFSIGNALED(exited7));
  ck_assert(WIFSIGNALED(killed9));
  ck_assert_int_eq(WTERMSIG(killed9), 9);
  ck_assert(!WIFEXITED(killed9));
  ck_assert_int_ne(WNOHANG, 0);
}
END_TEST

START_TEST(compat_pipe_buf_and_fd_set)
{
  fd_set s;

  ck_assert_int_ge(PIPE_BUF, 4096);
  ck_assert_int_ge(FD_SETSIZE, 1024);
  FD_ZERO(&s);
  FD_SET(1000, &s);
  ck_assert(FD_ISSET(1000, &s));
  ck_assert(!FD_ISSET(999, &s));
  ck_assert_uint_eq(sizeof(FD_ISSET(1000, &s)), sizeof(int));   /* printf("%d", FD_ISSET(..)) */
  FD_CLR(1000, &s);
  ck_assert(!FD_ISSET(1000, &s));
}
END_TEST

START_TEST(compat_sigaction_ignores_sigpipe)
{
  struct sigaction sa, old;
  sigset_t set;

  memset(&sa, 0, sizeof sa);
  sa.sa_handler = SIG_IGN;
  ck_assert_int_eq(sigemptyset(&sa.sa_mask), 0);
  sa.sa_flags = SA_RESTART;
  ck_assert_int_eq(sigaction(SIGPIPE, &sa, &old), 0);
  ck_assert_int_eq(sigemptyset(&set), 0);
  ck_assert_int_eq(sigaddset(&set, SIGPIPE), 0);
  ck_assert_int_eq(sigismember(&set, SIGPIPE), 1);
  ck_assert_int_eq(sigismember(&set, SIGTERM), 0);
  ck_assert_int_eq(sigprocmask(SIG_BLOCK, &set, NULL), 0);
  ck_assert_int_eq(sigprocmask(SIG_UNBLOCK, &set, NULL), 0);
  errno = 0;
  ck_assert_int_eq(sigaction(0, &sa, NULL), -1);
  ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(compat_setenv_mkdir)
{
  char dir[256];
  struct stat st;

  ck_assert_int_eq(setenv("IPCX_COMPAT_TEST", "one", 1), 0);
  ck_assert_str_eq(getenv("IPCX_COMPAT_TEST"), "one");
  ck_assert_int_eq(setenv("IPCX_COMPAT_TEST", "two", 0), 0);
  ck_assert_str_eq(getenv("IPCX_COMPAT_TEST"), "one");
  ck_assert_int_eq(unsetenv("IPCX_COMPAT_TEST"), 0);
  ck_assert_ptr_null(getenv("IPCX_COMPAT_TEST"));
  errno = 0;
  ck_assert_int_eq(setenv("A=B", "x", 1), -1);
  ck_assert_int_eq(errno, EINVAL);
  test_path(dir, sizeof dir, "dir");
  ck_assert_int_eq(mkdir(dir, 0700), 0);
  ck_assert_int_eq(stat(dir, &st), 0);
  ck_assert(S_ISDIR(st.st_mode));
  errno = 0;
  ck_assert_int_eq(mkdir(dir, 0700), -1);
  ck_assert_int_eq(errno, EEXIST);
  ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* setenv, unsetenv and the uid calls under their POSIX names at link level,
 * no header macro: what configure's AC_CHECK_FUNCS links.  On Windows they
 * were header inlines, so configure found none and a program's own
 * replacement (under #ifndef HAVE_SETENV) collided with the inline. */
int test_link_setenv(const char *name, const char *value, int overwrite) __asm__("setenv");
int test_link_unsetenv(const char *name) __asm__("unsetenv");
uid_t test_link_getuid(void) __asm__("getuid");
uid_t test_link_geteuid(void) __asm__("geteuid");
gid_t test_link_getgid(void) __asm__("getgid");
gid_t test_link_getegid(void) __asm__("getegid");

START_TEST(compat_link_level_names)
{
  ck_assert_int_eq(test_link_setenv("IPCX_LINK_TEST", "one", 1), 0);
  ck_assert_str_eq(getenv("IPCX_LINK_TEST"), "one");
  ck_assert_int_eq(test_link_setenv("IPCX_LINK_TEST", "two", 0), 0);
  ck_assert_str_eq(getenv("IPCX_LINK_TEST"), "one");
  ck_assert_int_eq(test_link_unsetenv("IPCX_LINK_TEST"), 0);
  ck_assert_ptr_null(getenv("IPCX_LINK_TEST"));
  errno = 0;
  ck_assert_int_eq(test_link_unsetenv(""), -1);
  ck_assert_int_eq(errno, EINVAL);
  ck_assert(test_link_getuid() == getuid() && test_link_geteuid() == geteuid());
  ck_assert(test_link_getgid() == getgid() && test_link_getegid() == getegid());
}
END_TEST

/* A fresh process whose first network call is getaddrinfo(), before any socket(). */
IPCX_TEST_HELPER(resolve_first)
{
  struct addrinfo hints, *res = NULL;
  char text[INET_ADDRSTRLEN] = "";
  int r;

  (void)argc, (void)argv;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  r = getaddrinfo("127.0.0.1", "8080", &hints, &res);
  if (r != 0 || res == NULL)
    return 1;
  inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, text, sizeof text);
  r = strcmp(text, "127.0.0.1") == 0 && ntohs(((struct sockaddr_in *)res->ai_addr)->sin_port) == 8080;
  freeaddrinfo(res);
  return r ? 0 : 2;
}

START_TEST(compat_resolver_works_before_any_socket)
{
  char *argv[] = { (char *)test_self, "--helper", "resolve_first", NULL };
  pid_t pid;
  int status = -1;

  ck_assert_int_eq(posix_spawn(&pid, test_self, NULL, NULL, argv, NULL), 0);
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ck_assert(WIFEXITED(status));
  ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

START_TEST(compat_udp_sendto_recvfrom)
{
  struct sockaddr_in a, from;
  socklen_t alen = sizeof a, flen = sizeof from;
  char buf[32] = { 0 };
  int r = socket(AF_INET, SOCK_DGRAM, 0), w = socket(AF_INET, SOCK_DGRAM, 0);

  ck_assert_int_ge(r, 0);
  ck_assert_int_ge(w, 0);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ck_assert_int_eq(bind(r, (struct sockaddr *)&a, sizeof a), 0);
  ck_assert_int_eq(getsockname(r, (struct sockaddr *)&a, &alen), 0);
  ck_assert_int_ne(a.sin_port, 0);
  ck_assert_int_eq(sendto(w, "datagram", 8, 0, (struct sockaddr *)&a, sizeof a), 8);
  ck_assert_int_eq(recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen), 8);
  ck_assert_str_eq(buf, "datagram");
  ck_assert_int_eq(from.sin_family, AF_INET);
  ck_assert_uint_eq(ntohl(from.sin_addr.s_addr), INADDR_LOOPBACK);
  close(r);
  close(w);
}
END_TEST

START_TEST(compat_stream_sendto_recvfrom)
{
  int sv[2];
  char buf[8] = { 0 };
  struct sockaddr_un peer;
  socklen_t plen = sizeof peer;

  memset(&peer, 0, sizeof peer);
  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ck_assert_int_eq(sendto(sv[0], "hi", 2, 0, NULL, 0), 2);
  ck_assert_int_eq(recvfrom(sv[1], buf, sizeof buf, 0, (struct sockaddr *)&peer, &plen), 2);
  ck_assert_str_eq(buf, "hi");
  ck_assert_int_eq(plen, 0);                    /* the peer of a socketpair has no name */
  ck_assert_int_eq(recvfrom(sv[1], buf, 1, MSG_DONTWAIT, NULL, NULL), -1);
  ck_assert_int_eq(errno, EAGAIN);
  errno = 0;
  ck_assert_int_eq(sendto(sv[0], "x", 1, 0, (struct sockaddr *)&peer, sizeof peer), -1);
  ck_assert_int_eq(errno, EISCONN);
  close(sv[0]);
  close(sv[1]);
}
END_TEST

START_TEST(compat_peercred_matches_getuid)
{
  struct ucred cred;
  socklen_t len = sizeof cred;
  int sv[2];

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ck_assert_int_eq(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cred, &len), 0);
  ck_assert_int_eq(cred.pid, getpid());
  ck_assert(cred.uid == getuid() && cred.uid == geteuid());
  ck_assert(cred.gid == getgid() && cred.gid == getegid());
  close(sv[0]);
  close(sv[1]);
}
END_TEST

START_TEST(compat_cmsg_macros)
{
  union {
    char buf[64];
    struct cmsghdr align;
  } u;
  struct msghdr m;
  struct cmsghdr *c;
  int fds[2] = { 3, 4 };

  memset(&m, 0, sizeof m);
  m.msg_control = u.buf;
  m.msg_controllen = CMSG_SPACE(sizeof fds);
  c = CMSG_FIRSTHDR(&m);
  ck_assert_ptr_nonnull(c);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof fds);
  memcpy(CMSG_DATA(c), fds, sizeof fds);
  ck_assert_uint_ge(CMSG_SPACE(sizeof fds), CMSG_LEN(sizeof fds));
  ck_assert_ptr_eq((void *)CMSG_DATA(c), (void *)(u.buf + CMSG_LEN(0)));
  ck_assert_ptr_null(CMSG_NXTHDR(&m, c));
}
END_TEST

/* lseek() and isatty() on pipes, FIFOs and sockets: ESPIPE and 0/ENOTTY;
 * a regular file seeks. */
START_TEST(compat_lseek_isatty_on_streams)
{
  char path[256];
  int p[2], sv[2], fds[5], k, f;

  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  fds[0] = p[0];
  fds[1] = p[1];
  fds[2] = sv[0];
  fds[3] = socket(AF_UNIX, SOCK_STREAM, 0);   /* unbound */
  fds[4] = socket(AF_UNIX, SOCK_STREAM, 0);
  ck_assert_int_ge(fds[3], 0);
  ck_assert_int_ge(fds[4], 0);
  {
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    test_path(path, sizeof path, "lseek-sock");
    memcpy(a.sun_path, path, strlen(path));
    ck_assert_int_eq(bind(fds[4], (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(fds[4], 1), 0);
  }
  for (k = 0; k < 5; k++) {
    errno = 0;
    ck_assert_int_eq(lseek(fds[k], 0, SEEK_CUR), -1);
    ck_assert_int_eq(errno, ESPIPE);
    errno = 0;
    ck_assert_int_eq(isatty(fds[k]), 0);
    ck_assert_int_eq(errno, ENOTTY);
  }
  errno = 0;
  ck_assert_int_eq(lseek(-1, 0, SEEK_CUR), -1);
  ck_assert_int_eq(errno, EBADF);
  unlink(path);
  f = open(test_path(path, sizeof path, "lseek.txt"), O_RDWR | O_CREAT | O_TRUNC, 0600);
  ck_assert_int_ge(f, 0);
  ck_assert_int_eq(write(f, "0123456789", 10), 10);
  ck_assert_int_eq(lseek(f, 0, SEEK_CUR), 10);
  ck_assert_int_eq(lseek(f, 3, SEEK_SET), 3);
  ck_assert_int_eq(lseek(f, -2, SEEK_END), 8);
  errno = 0;
  ck_assert_int_eq(lseek(f, 0, 99), -1);
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_int_eq(isatty(f), 0);
  ck_assert_int_eq(errno, ENOTTY);
  close(f);
  unlink(path);
  for (k = 0; k < 5; k++)
    close(fds[k]);
  close(sv[1]);
}
END_TEST

/* ppid_is PID: exit 0 if getppid() is PID. */
IPCX_TEST_HELPER(ppid_is)
{
  return argc > 0 && (long long)getppid() == atoll(argv[0]) ? 0 : 1;
}

START_TEST(compat_getppid)
{
  char me[32];
  pid_t pid = -1;
  int status = -1;

  snprintf(me, sizeof me, "%lld", (long long)getpid());
  ck_assert_int_eq(posix_spawn(&pid, test_self, NULL, NULL,
                               (char *[]){ (char *)test_self, "--helper", "ppid_is", me, NULL },
                               NULL), 0);
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ck_assert(WIFEXITED(status));
  ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

/* posix_spawnp() with PATH in Unix form, "dir:dir". */
START_TEST(compat_spawnp_unix_path)
{
  char dir[512], path[1100], *old, *saved = NULL, *slash, *base;
  pid_t pid = -1;
  int status = -1, r;

  snprintf(dir, sizeof dir, "%s", test_self);
  slash = strrchr(dir, '/');
#ifdef _WIN32
  if (strrchr(dir, '\\') > slash)   /* Windows paths may use either separator */
    slash = strrchr(dir, '\\');
#endif
  ck_assert_ptr_nonnull(slash);
  *slash = 0;
  base = slash + 1;
  old = getenv("PATH");
  if (old != NULL)
    saved = strdup(old);
  snprintf(path, sizeof path, "/ipcx-no-such-dir:%s", dir);
  ck_assert_int_eq(setenv("PATH", path, 1), 0);
  r = posix_spawnp(&pid, base, NULL, NULL,
                   (char *[]){ base, "--helper", "exit", "7", NULL }, NULL);
  if (saved != NULL)
    setenv("PATH", saved, 1);
  free(saved);
  ck_assert_int_eq(r, 0);
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ck_assert(WIFEXITED(status));
  ck_assert_int_eq(WEXITSTATUS(status), 7);
}
END_TEST

/* POLLRDHUP: the peer's SHUT_WR, then its close. */
START_TEST(compat_pollrdhup)
{
  struct pollfd p;
  int sv[2];

  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  p.fd = sv[0];
  p.events = POLLIN | POLLRDHUP;
  p.revents = 0;
  ck_assert_int_eq(poll(&p, 1, 0), 0);
  ck_assert_int_eq(shutdown(sv[1], SHUT_WR), 0);
  ck_assert_int_eq(poll(&p, 1, 1000), 1);
  ck_assert_int_eq(p.revents & (POLLIN | POLLRDHUP), POLLIN | POLLRDHUP);
  p.events = POLLRDHUP;
  ck_assert_int_eq(poll(&p, 1, 0), 1);
  ck_assert_int_eq(p.revents, POLLRDHUP);
  close(sv[1]);
  p.events = POLLIN | POLLRDHUP;
  ck_assert_int_eq(poll(&p, 1, 1000), 1);
  ck_assert_int_eq(p.revents & (POLLIN | POLLRDHUP | POLLHUP), POLLIN | POLLRDHUP | POLLHUP);
  close(sv[0]);
}
END_TEST

/* Names ported code uses that MinGW lacks: they compile and mean the same. */
START_TEST(compat_more_names)
{
  int sv[2], v = -1, status;
  socklen_t len = sizeof v;

  ck_assert_int_ne(MSG_TRUNC, 0);
  ck_assert_int_ne(MSG_CTRUNC, 0);
  ck_assert_int_ne(MSG_TRUNC, MSG_CTRUNC);
  ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ck_assert_int_eq(getsockopt(sv[0], SOL_SOCKET, SO_PROTOCOL, &v, &len), 0);
  ck_assert_int_eq(v, 0);
  close(sv[0]);
  close(sv[1]);
  status = 0x0700;              /* exit(7) */
  ck_assert(!WCOREDUMP(status));
  {
    char path[256];
    FILE *f = fopen(test_path(path, sizeof path, "locked.txt"), "w+");
    ck_assert_ptr_nonnull(f);
    flockfile(f);
    ck_assert_int_eq(putc_unlocked('x', f), 'x');
    funlockfile(f);
    rewind(f);
    flockfile(f);
    ck_assert_int_eq(getc_unlocked(f), 'x');
    funlockfile(f);
    fclose(f);
    unlink(path);
  }
}
END_TEST

/*
 * stdout_order MODE: with stdout a pipe, print "a" with printf(), then write
 * "b" with write(2), then "c" with putchar() and "d" with fprintf().  MODE
 * "default" leaves stdout as the program got it, "line" asks for line
 * buffering, "none" for none; "stderr" writes a, b, c, d to stderr instead.
 */
IPCX_TEST_HELPER(stdout_order)
{
  if (argc < 1)
    return 2;
  if (strcmp(argv[0], "stderr") == 0) {
    /* stderr is unbuffered: each piece comes out in the order it is written. */
    fprintf(stderr, "a\n");
    if (write(2, "b\n", 2) != 2)
      return 3;
    fputs("c\n", stderr);
    fwrite("d\n", 1, 2, stderr);
    return 0;
  }
  if (strcmp(argv[0], "line") == 0)
    setvbuf(stdout, NULL, _IOLBF, 0);
  else if (strcmp(argv[0], "none") == 0)
    setvbuf(stdout, NULL, _IONBF, 0);
  printf("a\n");
  if (write(1, "b\n", 2) != 2)
    return 3;
  putchar('c');
  putchar('\n');
  fprintf(stdout, "%s\n", "d");
  return 0;
}

/* What a child run with stdout_order MODE prints, in the order it arrives. */
static void stdout_order(const char *mode, const char *want)
{
  posix_spawn_file_actions_t fa;
  char buf[64] = { 0 };
  pid_t pid = -1;
  int p[2], status = -1;
  size_t got = 0, i, j;
  ssize_t n;

  ck_assert_int_eq(pipe(p), 0);
  ck_assert_int_eq(posix_spawn_file_actions_init(&fa), 0);
  ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, p[1], 1), 0);
  ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, p[1], 2), 0);
  ck_assert_int_eq(posix_spawn_file_actions_addclose(&fa, p[0]), 0);
  ck_assert_int_eq(posix_spawn(&pid, test_self, &fa, NULL,
                               (char *[]){ (char *)test_self, "--helper", "stdout_order",
                                           (char *)mode, NULL }, NULL), 0);
  posix_spawn_file_actions_destroy(&fa);
  close(p[1]);
  while (got < sizeof buf - 1 && (n = read(p[0], buf + got, sizeof buf - 1 - got)) > 0)
    got += (size_t)n;
  close(p[0]);
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  /* The C runtime's text mode writes "\r\n" for "\n"; what matters is the order. */
  for (i = j = 0; i <= got; i++)
    if (buf[i] != '\r')
      buf[j++] = buf[i];
  ck_assert_str_eq(buf, want);
}

/* stdout to a pipe is fully buffered: printf() output comes at exit, after
 * the write() made later (a parent's lines come after its children's). */
START_TEST(compat_stdout_to_a_pipe_is_fully_buffered)
{
  stdout_order("default", "b\na\nc\nd\n");
}
END_TEST

/* ... unless the program asks for line buffering, or none; stderr is unbuffered. */
START_TEST(compat_stdout_line_buffered_or_unbuffered)
{
  stdout_order("line", "a\nb\nc\nd\n");
  stdout_order("none", "a\nb\nc\nd\n");
  stdout_order("stderr", "a\nb\nc\nd\n");
}
END_TEST

Suite *suite_compat(void)
{
  Suite *s = suite_create("compat");
  TCase *tc = test_tcase("compat");

  tcase_add_test(tc, compat_errno_values);
  tcase_add_test(tc, compat_strerror_is_linux_text);
  tcase_add_test(tc, compat_sockaddr_un);
  tcase_add_test(tc, compat_flags_are_distinct);
  tcase_add_test(tc, compat_stat_macros);
  tcase_add_test(tc, compat_sigpipe_ignore);
  tcase_add_test(tc, compat_wait_status_macros);
  tcase_add_test(tc, compat_pipe_buf_and_fd_set);
  tcase_add_test(tc, compat_sigaction_ignores_sigpipe);
  tcase_add_test(tc, compat_setenv_mkdir);
  tcase_add_test(tc, compat_link_level_names);
  tcase_add_test(tc, compat_resolver_works_before_any_socket);
  tcase_add_test(tc, compat_udp_sendto_recvfrom);
  tcase_add_test(tc, compat_stream_sendto_recvfrom);
  tcase_add_test(tc, compat_peercred_matches_getuid);
  tcase_add_test(tc, compat_cmsg_macros);
  tcase_add_test(tc, compat_lseek_isatty_on_streams);
  tcase_add_test(tc, compat_getppid);
  tcase_add_test(tc, compat_spawnp_unix_path);
  tcase_add_test(tc, compat_pollrdhup);
  tcase_add_test(tc, compat_more_names);
  tcase_add_test(tc, compat_stdout_to_a_pipe_is_fully_buffered);
  tcase_add_test(tc, compat_stdout_line_buffered_or_unbuffered);
  suite_add_tcase(s, tc);
  return s;
}
