/*
 * Raw Windows named pipes reached with POSIX calls (win32/unix_raw.c): the
 * pipes Windows services speak (ssh-agent's \\.\pipe\openssh-ssh-agent,
 * Docker's \\.\pipe\docker_engine), against a raw Win32 server or client in
 * a thread of this test (CreateNamedPipe / CreateFile / ReadFile /
 * WriteFile, nothing of ipcx): open() of the path, connect() of an AF_UNIX
 * stream socket to it, bind()+listen() serving a Win32 client.  The bytes
 * each side sees are exactly the bytes the other wrote: no framing, no hello.
 *
 * Natively only the absent-pipe case runs: on Linux "\\.\pipe\NAME" is a
 * relative file name that does not exist, and both targets say ENOENT.
 */
#ifdef _WIN32
# include <winsock2.h>          /* before <windows.h>, and both before compat/'s renames */
# include <windows.h>
#endif
#include "ipcx_test.h"
#include <poll.h>
#include <spawn.h>

static int counter;

/* A fresh pipe path, "\\.\pipe\ipcx-test-raw-<pid>-<n>". */
static char *raw_path(char *buf, size_t size)
{
  snprintf(buf, size, "\\\\.\\pipe\\ipcx-test-raw-%ld-%d", (long)getpid(), ++counter);
  return buf;
}

static socklen_t raw_addr(struct sockaddr_un *a, const char *path)
{
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  ck_assert_uint_lt(strlen(path), sizeof a->sun_path);
  memcpy(a->sun_path, path, strlen(path) + 1);
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(a->sun_path) + 1);
}

START_TEST(raw_absent)
{
  char path[128];
  struct sockaddr_un a;
  socklen_t len;
  int fd;

  raw_path(path, sizeof path);
  errno = 0;
  ck_assert_int_eq(open(path, O_RDWR), -1);
  ck_assert_int_eq(errno, ENOENT);
  fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ck_assert_int_ge(fd, 0);
  len = raw_addr(&a, path);
  errno = 0;
  ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, len), -1);
  ck_assert_int_eq(errno, ENOENT);
  close(fd);
}
END_TEST

/* Windows only by nature: a named pipe of Win32's own, with no ipcx on the
 * other side (issue 13: "named-pipe interop under Wine only"). */
#ifdef _WIN32

/* --- a raw Win32 server: one instance, reads `want` bytes, writes a reply, closes */

struct server {
  HANDLE h;
  char got[64];
  DWORD want, ngot;
  const char *reply;
  int ok;
};

static DWORD WINAPI server_main(void *arg)
{
  struct server *sv = arg;
  DWORD n;

  if (!ConnectNamedPipe(sv->h, NULL) && GetLastError() != ERROR_PIPE_CONNECTED)
    return 1;
  while (sv->ngot < sv->want && ReadFile(sv->h, sv->got + sv->ngot, sv->want - sv->ngot, &n, NULL))
    sv->ngot += n;
  /* One byte more must not come: the client wrote exactly `want` (no framing).
   * PeekNamedPipe shows what is queued without waiting. */
  n = 1;
  PeekNamedPipe(sv->h, NULL, 0, NULL, &n, NULL);
  sv->ok = sv->ngot == sv->want && n == 0;
  WriteFile(sv->h, sv->reply, (DWORD)strlen(sv->reply), &n, NULL);
  FlushFileBuffers(sv->h);      /* until the client has read it */
  CloseHandle(sv->h);
  return 0;
}

static HANDLE start_server(struct server *sv, const char *path, DWORD want, const char *reply)
{
  HANDLE t;

  memset(sv, 0, sizeof *sv);
  sv->want = want;
  sv->reply = reply;
  sv->h = CreateNamedPipeA(path, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT,
                           1, 4096, 4096, 0, NULL);
  ck_assert_ptr_ne(sv->h, INVALID_HANDLE_VALUE);
  t = CreateThread(NULL, 0, server_main, sv, 0, NULL);
  ck_assert_ptr_ne(t, NULL);
  return t;
}

static void join(HANDLE t)
{
  ck_assert_int_eq(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
  CloseHandle(t);
}

START_TEST(raw_open_rw)
{
  char path[128], buf[64];
  struct server sv;
  struct pollfd p;
  struct stat st;
  HANDLE t;
  int fd;

  t = start_server(&sv, raw_path(path, sizeof path), 5, "world!");
  fd = open(path, O_RDWR);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(fstat(fd, &st), 0);
  ck_assert(S_ISFIFO(st.st_mode));
  ck_assert_int_eq(write(fd, "hel", 3), 3);
  ck_assert_int_eq(write(fd, "lo", 2), 2);
  p.fd = fd;
  p.events = POLLIN;
  p.revents = 0;
  ck_assert_int_eq(poll(&p, 1, 10000), 1);
  ck_assert(p.revents & POLLIN);
  ck_assert_int_eq(test_read_all(fd, buf, 6), 6);
  ck_assert(memcmp(buf, "world!", 6) == 0);
  ck_assert_int_eq(read(fd, buf, sizeof buf), 0);      /* the server closed: EOF */
  ck_assert_int_eq(close(fd), 0);
  join(t);
  ck_assert(memcmp(sv.got, "hello", 5) == 0);
  ck_assert_int_eq(sv.ok, 1);
}
END_TEST

/* A write-only open and a read-only one: the access asked for. */
START_TEST(raw_open_directions)
{
  char path[128], buf[8];
  struct server sv;
  HANDLE t;
  int fd;

  t = start_server(&sv, raw_path(path, sizeof path), 3, "");
  fd = open(path, O_WRONLY);
  ck_assert_int_ge(fd, 0);
  errno = 0;
  ck_assert_int_eq(read(fd, buf, 1), -1);
  ck_assert_int_eq(errno, EBADF);
  ck_assert_int_eq(write(fd, "abc", 3), 3);
  join(t);
  ck_assert_int_eq(sv.ok, 1);
  errno = 0;
  ck_assert_int_eq(write(fd, "x", 1), -1);              /* the server has gone */
  ck_assert_int_eq(errno, EPIPE);
  close(fd);

  t = start_server(&sv, raw_path(path, sizeof path), 0, "ro");
  fd = open(path, O_RDONLY);
  ck_assert_int_ge(fd, 0);
  errno = 0;
  ck_assert_int_eq(write(fd, "x", 1), -1);
  ck_assert_int_eq(errno, EBADF);
  ck_assert_int_eq(test_read_all(fd, buf, 2), 2);
  ck_assert(memcmp(buf, "ro", 2) == 0);
  close(fd);
  join(t);
}
END_TEST

START_TEST(raw_connect_stream)
{
  char path[128], buf[64];
  struct sockaddr_un a, peer;
  socklen_t len, plen = sizeof peer;
  struct server sv;
  HANDLE t;
  int fd, type;
  socklen_t tlen = sizeof type;

  t = start_server(&sv, raw_path(path, sizeof path), 4, "pong");
  fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ck_assert_int_ge(fd, 0);
  len = raw_addr(&a, path);
  ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, len), 0);
  ck_assert_int_eq(getpeername(fd, (struct sockaddr *)&peer, &plen), 0);
  ck_assert_str_eq(peer.sun_path, path);
  ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen), 0);
  ck_assert_int_eq(type, SOCK_STREAM);
  ck_assert_int_eq(send(fd, "pi", 2, 0), 2);
  ck_assert_int_eq(write(fd, "ng", 2), 2);
  ck_assert_int_eq(recv(fd, buf, 1, MSG_PEEK), 1);     /* waits for the reply */
  ck_assert_int_eq(buf[0], 'p');
  ck_assert_int_eq(recv(fd, buf, 4, MSG_WAITALL), 4);
  ck_assert(memcmp(buf, "pong", 4) == 0);
  ck_assert_int_eq(recv(fd, buf, sizeof buf, 0), 0);   /* EOF */
  close(fd);
  join(t);
  ck_assert(memcmp(sv.got, "ping", 4) == 0);   /* exactly the bytes: no hello, no frame */
  ck_assert_int_eq(sv.ok, 1);
}
END_TEST

/* A raw server that speaks first: writes "hello", expects it back, closes. */
static DWORD WINAPI echo_check_main(void *arg)
{
  struct server *sv = arg;
  DWORD n;

  if (!ConnectNamedPipe(sv->h, NULL) && GetLastError() != ERROR_PIPE_CONNECTED)
    return 1;
  WriteFile(sv->h, "hello", 5, &n, NULL);
  while (sv->ngot < 5 && ReadFile(sv->h, sv->got + sv->ngot, 5 - sv->ngot, &n, NULL))
    sv->ngot += n;
  sv->ok = sv->ngot == 5 && memcmp(sv->got, "hello", 5) == 0;
  CloseHandle(sv->h);
  return 0;
}

/* A raw connection handed to a child (as its stdin and stdout): the child
 * (the cat helper) echoes the server's bytes until the server closes. */
START_TEST(raw_socket_to_child)
{
  char path[128];
  char *argv[] = { (char *)test_self, "--helper", "cat", NULL };
  posix_spawn_file_actions_t fa;
  struct sockaddr_un a;
  struct server sv;
  HANDLE t;
  pid_t pid;
  int fd;

  memset(&sv, 0, sizeof sv);
  sv.h = CreateNamedPipeA(raw_path(path, sizeof path), PIPE_ACCESS_DUPLEX,
                          PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT, 1, 4096, 4096, 0, NULL);
  ck_assert_ptr_ne(sv.h, INVALID_HANDLE_VALUE);
  t = CreateThread(NULL, 0, echo_check_main, &sv, 0, NULL);
  ck_assert_ptr_ne(t, NULL);
  fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, raw_addr(&a, path)), 0);
  ck_assert_int_eq(posix_spawn_file_actions_init(&fa), 0);
  ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, fd, 0), 0);
  ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, fd, 1), 0);
  ck_assert_int_eq(posix_spawn(&pid, test_self, &fa, NULL, argv, NULL), 0);
  posix_spawn_file_actions_destroy(&fa);
  ck_assert_int_eq(close(fd), 0);
  test_wait_ok(pid);
  join(t);
  ck_assert_int_eq(sv.ok, 1);
}
END_TEST

/* --- a raw Win32 client of an ipcx listener ---------------------------------- */

struct client {
  const char *path;
  const char *msg;
  char got[64];
  DWORD ngot;
  int ok;
};

static DWORD WINAPI client_main(void *arg)
{
  struct client *c = arg;
  HANDLE h = INVALID_HANDLE_VALUE;
  DWORD n;
  int i;

  for (i = 0; i < 200 && h == INVALID_HANDLE_VALUE; i++) {
    h = CreateFileA(c->path, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE && !WaitNamedPipeA(c->path, 50))
      Sleep(10);                /* not made yet: the test has not listened */
  }
  if (h == INVALID_HANDLE_VALUE)
    return 1;
  c->ok = WriteFile(h, c->msg, (DWORD)strlen(c->msg), &n, NULL) && n == strlen(c->msg);
  while (ReadFile(h, c->got + c->ngot, sizeof c->got - 1 - c->ngot, &n, NULL) && n > 0)
    c->ngot += n;               /* until the server closes */
  CloseHandle(h);
  return 0;
}

START_TEST(raw_listen_serves_win32_client)
{
  char path[128], buf[64];
  struct sockaddr_un a;
  struct client c;
  struct pollfd p;
  socklen_t len;
  HANDLE t;
  int lfd, fd, other;
  ssize_t r, got = 0;

  raw_path(path, sizeof path);
  lfd = socket(AF_UNIX, SOCK_STREAM, 0);
  ck_assert_int_ge(lfd, 0);
  len = raw_addr(&a, path);
  ck_assert_int_eq(bind(lfd, (struct sockaddr *)&a, len), 0);
  ck_assert_int_eq(listen(lfd, 4), 0);
  other = socket(AF_UNIX, SOCK_STREAM, 0);
  errno = 0;
  ck_assert_int_eq(bind(other, (struct sockaddr *)&a, len), -1);   /* served already */
  ck_assert_int_eq(errno, EADDRINUSE);
  close(other);

  memset(&c, 0, sizeof c);
  c.path = path;
  c.msg = "hi from win32";
  t = CreateThread(NULL, 0, client_main, &c, 0, NULL);
  ck_assert_ptr_ne(t, NULL);
  p.fd = lfd;
  p.events = POLLIN;
  p.revents = 0;
  ck_assert_int_eq(poll(&p, 1, 10000), 1);
  ck_assert(p.revents & POLLIN);
  fd = accept(lfd, NULL, NULL);
  ck_assert_int_ge(fd, 0);
  while (got < 13 && (r = read(fd, buf + got, sizeof buf - (size_t)got)) > 0)
    got += r;
  ck_assert_int_eq(got, 13);
  ck_assert(memcmp(buf, "hi from win32", 13) == 0);     /* exactly its bytes */
  ck_assert_int_eq(write(fd, "re", 2), 2);
  ck_assert_int_eq(write(fd, "ply", 3), 3);
  ck_assert_int_eq(close(fd), 0);
  join(t);
  ck_assert_int_eq(c.ok, 1);
  ck_assert_int_eq(c.ngot, 5);
  ck_assert(memcmp(c.got, "reply", 5) == 0);                /* a byte stream */
  ck_assert_int_eq(close(lfd), 0);
}
END_TEST

#endif /* _WIN32 */

Suite *suite_rawpipe(void)
{
  Suite *s = suite_create("rawpipe");
  TCase *tc = test_tcase("rawpipe");

  tcase_add_test(tc, raw_absent);
#ifdef _WIN32
  tcase_add_test(tc, raw_open_rw);
  tcase_add_test(tc, raw_open_directions);
  tcase_add_test(tc, raw_connect_stream);
  tcase_add_test(tc, raw_socket_to_child);
  tcase_add_test(tc, raw_listen_serves_win32_client);
#endif
  suite_add_tcase(s, tc);
  return s;
}
