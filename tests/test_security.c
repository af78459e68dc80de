/*
 * Security of local sockets: who may connect, who may read where a listener
 * lives, who may take its name, where clients may come from, and what a
 * server may do with a client's identity.
 *
 * "Another user" is a helper process that makes itself one before it acts:
 *   Linux    setuid(nobody) (the test runs as root, as CI does; as any other
 *            user the kernel's check is shown with the socket's mode instead);
 *   Windows  this user's token with the user's SID made deny-only
 *            (CreateRestrictedToken), set on the helper's thread: to an
 *            access check it is nobody the DACLs name.
 * Wine runs every process as one user and does not check DACLs against a
 * restricted token, nor honour SECURITY_IDENTIFICATION, nor have remote pipes
 * (all measured with a probe, see README): under Wine the test says so and
 * checks what Windows enforces instead, the DACLs ipcx puts on the pipe and
 * on the socket file.
 */
#ifdef _WIN32
# include <winsock2.h>          /* before <windows.h>, and both before compat/'s renames */
# include <windows.h>
# include <aclapi.h>
#endif
#include "ipcx_test.h"
#include <spawn.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#ifndef _WIN32
# include <grp.h>
#endif

/* A helper's exit code when it could not become another user. */
#define NOT_OTHER 100

/* --- the platform's part --------------------------------------------------- */

#ifdef _WIN32
# include <io.h>

static int under_wine(void)
{
  HMODULE nt = GetModuleHandleA("ntdll.dll");

  return nt != NULL && GetProcAddress(nt, "wine_get_version") != NULL;
}

/* This user's SID, in buf. */
static PSID user_sid(char *buf, DWORD size)
{
  HANDLE t;
  DWORD n;
  PSID sid = NULL;

  if (OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &t)) {
    if (GetTokenInformation(t, TokenUser, buf, size, &n))
      sid = ((TOKEN_USER *)buf)->User.Sid;
    CloseHandle(t);
  }
  return sid;
}

static int become_other_user(void)
{
  HANDLE proc, restricted = NULL, imp = NULL;
  char buf[256];
  SID_AND_ATTRIBUTES deny;
  int ok;

  deny.Sid = user_sid(buf, sizeof buf);
  deny.Attributes = 0;
  if (deny.Sid == NULL ||
      !OpenProcessToken(GetCurrentProcess(), TOKEN_DUPLICATE | TOKEN_QUERY, &proc))
    return -1;
  ok = CreateRestrictedToken(proc, 0, 1, &deny, 0, NULL, 0, NULL, &restricted) &&
       DuplicateToken(restricted, SecurityImpersonation, &imp) && SetThreadToken(NULL, imp);
  CloseHandle(proc);
  if (restricted != NULL)
    CloseHandle(restricted);
  if (imp != NULL)
    CloseHandle(imp);
  return ok ? 0 : -1;
}

/* 1 if dacl allows exactly two SIDs, this user and SYSTEM, and nothing else. */
static int owner_only(PACL dacl)
{
  ACL_SIZE_INFORMATION info;
  char buf[256];
  PSID me = user_sid(buf, sizeof buf);
  int user = 0, system = 0;

  if (dacl == NULL || me == NULL ||
      !GetAclInformation(dacl, &info, sizeof info, AclSizeInformation) || info.AceCount != 2)
    return 0;
  for (DWORD k = 0; k < info.AceCount; k++) {
    ACCESS_ALLOWED_ACE *ace;
    if (!GetAce(dacl, k, (void **)&ace) || ace->Header.AceType != ACCESS_ALLOWED_ACE_TYPE)
      return 0;
    if (EqualSid((PSID)&ace->SidStart, me))
      user = 1;
    else if (IsWellKnownSid((PSID)&ace->SidStart, WinLocalSystemSid))
      system = 1;
  }
  return user && system;
}

/* What Windows enforces: the socket file and the pipe behind fd (a
 * connection to the listener) admit only this user and SYSTEM. */
static void assert_owner_only(const char *path, int fd)
{
  PSECURITY_DESCRIPTOR sd = NULL;
  PACL dacl = NULL;

  ck_assert_int_eq(GetNamedSecurityInfoA(path, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, NULL,
                                         NULL, &dacl, NULL, &sd), ERROR_SUCCESS);
  ck_assert_msg(owner_only(dacl), "the socket file's DACL admits others");
  LocalFree(sd);
  sd = NULL;
  ck_assert_int_eq(GetSecurityInfo((HANDLE)ipcx_get_osfhandle(fd), SE_KERNEL_OBJECT,
                                   DACL_SECURITY_INFORMATION, NULL, NULL, &dacl, NULL, &sd),
                   ERROR_SUCCESS);
  ck_assert_msg(owner_only(dacl), "the pipe's DACL admits others");
  LocalFree(sd);
}

/* Take a live listener's pipe name with another instance of it: 0 or errno. */
static int squat_pipe(const char *name)
{
  HANDLE h = CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE,
                              PIPE_UNLIMITED_INSTANCES, 4096, 4096, 0, NULL);

  if (h != INVALID_HANDLE_VALUE) {
    CloseHandle(h);
    return 0;
  }
  return GetLastError() == ERROR_ACCESS_DENIED ? EACCES : EIO;
}

/* The level at which the server end of fd may impersonate its client, or -1. */
static int impersonation_level(int fd)
{
  SECURITY_IMPERSONATION_LEVEL level;
  HANDLE t;
  DWORD n;
  int r = -1;

  if (!ImpersonateNamedPipeClient((HANDLE)ipcx_get_osfhandle(fd)))
    return -1;
  if (OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &t)) {
    if (GetTokenInformation(t, TokenImpersonationLevel, &level, sizeof level, &n))
      r = (int)level;
    CloseHandle(t);
  }
  RevertToSelf();
  return r;
}

/* Open the pipe of name over the network redirector (\\HOST\pipe\...): 0 or errno. */
static int remote_open(const char *name)
{
  char host[MAX_COMPUTERNAME_LENGTH + 1], remote[400];
  DWORD n = sizeof host;
  HANDLE h;

  ck_assert(GetComputerNameA(host, &n));
  ck_assert_int_eq(strncmp(name, "\\\\.\\pipe\\", 9), 0);
  snprintf(remote, sizeof remote, "\\\\%s\\pipe\\%s", host, name + 9);
  h = CreateFileA(remote, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                  SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, NULL);
  if (h != INVALID_HANDLE_VALUE) {
    CloseHandle(h);
    return 0;
  }
  return GetLastError() == ERROR_ACCESS_DENIED ? EACCES : EIO;
}

/* The pipe name in a socket file (this user may read it). */
static void pipe_name_of(const char *path, char *name, size_t size)
{
  char rec[512] = { 0 }, *p;
  FILE *f = fopen(path, "rb");

  ck_assert_ptr_nonnull(f);
  ck_assert_int_gt(fread(rec, 1, sizeof rec - 1, f), 0);
  fclose(f);
  p = strstr(rec, "pipe=");
  ck_assert_ptr_nonnull(p);
  p += 5;
  ck_assert_int_gt(strcspn(p, "\n"), 0);
  ck_assert_int_lt(strcspn(p, "\n"), size);
  snprintf(name, size, "%.*s", (int)strcspn(p, "\n"), p);
}
#else
static int under_wine(void)
{
  return 0;
}

static int become_other_user(void)
{
  if (geteuid() != 0)
    return -1;
  return setgroups(0, NULL) == 0 && setgid(65534) == 0 && setuid(65534) == 0 ? 0 : -1;
}
#endif

/* --- helpers ----------------------------------------------------------------- */


/*
 * as_other ACTION ARG: become another user, then try ACTION on ARG.  Exit 0
 * if it worked, else the errno it failed with (NOT_OTHER: could not become
 * another user).  ACTION: connect (a socket path), open (O_RDONLY), unlink,
 * bind (the path again), pipe (Windows: another instance of a pipe name).
 */
IPCX_TEST_HELPER(as_other)
{
  struct sockaddr_un a;
  int fd, r;

  if (argc < 2)
    return 2;
  if (become_other_user() != 0)
    return NOT_OTHER;
  test_addr(&a, argv[1]);
  errno = 0;
  if (strcmp(argv[0], "connect") == 0 || strcmp(argv[0], "bind") == 0) {
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0)
      return 3;
    r = argv[0][0] == 'c' ? connect(fd, (struct sockaddr *)&a, sizeof a)
                          : bind(fd, (struct sockaddr *)&a, sizeof a);
    return r == 0 ? 0 : errno;
  }
  if (strcmp(argv[0], "open") == 0)
    return open(argv[1], O_RDONLY) >= 0 ? 0 : errno;
  if (strcmp(argv[0], "unlink") == 0)
    return unlink(argv[1]) == 0 ? 0 : errno;
#ifdef _WIN32
  if (strcmp(argv[0], "pipe") == 0)
    return squat_pipe(argv[1]);
#endif
  return 2;
}

/* Run as_other ACTION ARG; its exit code. */
static int as_other(const char *action, const char *arg)
{
  pid_t pid = -1;
  int status = -1;

  ck_assert_int_eq(posix_spawn(&pid, test_self, NULL, NULL,
                               (char *[]){ (char *)test_self, "--helper", "as_other",
                                           (char *)action, (char *)arg, NULL }, NULL), 0);
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ck_assert(WIFEXITED(status));
  return WEXITSTATUS(status);
}

/* A listener at a fresh path, its file's mode set to mode. */
static int listener(char *path, size_t size, const char *tag, int mode)
{
  struct sockaddr_un a;
  int s = socket(AF_UNIX, SOCK_STREAM, 0);

  ck_assert_int_ge(s, 0);
  test_path(path, size, tag);
  ck_assert_int_eq(bind(s, (struct sockaddr *)&a, test_addr(&a, path)), 0);
  ck_assert_int_eq(chmod(path, mode), 0);
  ck_assert_int_eq(listen(s, 8), 0);
  return s;
}

static int connect_to(const char *path)
{
  int c = test_connect_to(path, SOCK_STREAM);

  ck_assert_int_ge(c, 0);
  return c;
}

/* Bytes go both ways between a fresh client and the listener's next accept. */
static void assert_serves(int s, const char *path)
{
  char buf[4] = { 0 };
  int c = connect_to(path), a = accept(s, NULL, NULL);

  ck_assert_int_ge(a, 0);
  ck_assert_int_eq(write(c, "abc", 3), 3);
  ck_assert_int_eq(test_read_all(a, buf, 3), 3);
  ck_assert_str_eq(buf, "abc");
  ck_assert_int_eq(write(a, "xyz", 3), 3);
  ck_assert_int_eq(test_read_all(c, buf, 3), 3);
  ck_assert_str_eq(buf, "xyz");
  close(a);
  close(c);
}

/*
 * Where Wine cannot show what Windows enforces: say so, and check the DACLs
 * Windows enforces it with (on the socket file, and on the pipe as a client
 * connected to the listener s sees it).
 */
static void wine_gap(int s, const char *path, const char *what)
{
  int c = connect_to(path), a = accept(s, NULL, NULL);

  printf("security: under Wine %s (measured); checked the DACLs Windows enforces instead\n", what);
  fflush(stdout);
  ck_assert_int_ge(a, 0);
#ifdef _WIN32
  assert_owner_only(path, c);
#endif
  close(a);
  close(c);
}

/* --- tests ------------------------------------------------------------------------ */

START_TEST(security_other_user_cannot_connect)
{
  char path[256];
  int s = listener(path, sizeof path, "sec-conn", 0600), code;

  if (under_wine()) {
    wine_gap(s, path, "a restricted token still connects: Wine checks no pipe DACL");
  } else {
    code = as_other("connect", path);
    if (code == NOT_OTHER) {
      /* Not root (Linux): the kernel's check, shown on ourselves. */
      printf("security: not root, so no other user; connect() to a mode-0000 socket instead\n");
      ck_assert_int_eq(chmod(path, 0), 0);
      {
        struct sockaddr_un a;
        int c = socket(AF_UNIX, SOCK_STREAM, 0);
        errno = 0;
        ck_assert_int_eq(connect(c, (struct sockaddr *)&a, test_addr(&a, path)), -1);
        code = errno;
        close(c);
      }
      ck_assert_int_eq(chmod(path, 0600), 0);
    }
    ck_assert_int_eq(code, EACCES);
  }
  /* The owner still gets in. */
  assert_serves(s, path);
  close(s);
  unlink(path);
}
END_TEST

START_TEST(security_other_user_cannot_read_the_socket_file)
{
  char path[256];
  int s = listener(path, sizeof path, "sec-read", 0600), code;

  /* Nobody reads a socket file, not even its owner: Linux says ENXIO. */
  errno = 0;
  ck_assert_int_eq(open(path, O_RDONLY), -1);
  ck_assert_int_eq(errno, ENXIO);
  if (under_wine()) {
    wine_gap(s, path, "a restricted token may read the socket file (one Unix user owns all)");
  } else {
    /* Another user is refused before the kind of file matters. */
    code = as_other("open", path);
    if (code != NOT_OTHER)
      ck_assert_int_eq(code, EACCES);
  }
  assert_serves(s, path);
  close(s);
  unlink(path);
}
END_TEST

START_TEST(security_live_listener_name_cannot_be_taken)
{
  char path[256];
  struct sockaddr_un a;
  socklen_t alen;
  int s = listener(path, sizeof path, "sec-squat", 0600), t, code;

  /* The same user, another socket: the path is in use (the abstract name too). */
  t = socket(AF_UNIX, SOCK_STREAM, 0);
  errno = 0;
  ck_assert_int_eq(bind(t, (struct sockaddr *)&a, test_addr(&a, path)), -1);
  ck_assert_int_eq(errno, EADDRINUSE);
  close(t);
  {
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
                       (size_t)snprintf(a.sun_path + 1, sizeof a.sun_path - 1, "ipcx-sec-%d",
                                        (int)getpid()));
    ck_assert_int_eq(bind(l, (struct sockaddr *)&a, alen), 0);
    t = socket(AF_UNIX, SOCK_STREAM, 0);
    errno = 0;
    ck_assert_int_eq(bind(t, (struct sockaddr *)&a, alen), -1);
    ck_assert_int_eq(errno, EADDRINUSE);
    close(t);
    close(l);
  }
  if (under_wine()) {
    wine_gap(s, path, "a restricted token may add an instance to the listener's pipe");
  } else {
    /* Another user can neither remove the file nor bind over it ... */
    code = as_other("unlink", path);
    if (code != NOT_OTHER) {
      ck_assert_msg(code == EACCES || code == EPERM, "unlink as another user: %d", code);
      code = as_other("bind", path);
      ck_assert_msg(code == EADDRINUSE || code == EACCES, "bind as another user: %d", code);
    }
#ifdef _WIN32
    {
      /* ... nor serve the pipe's name (were it known) with an instance of its own. */
      char name[256];
      pipe_name_of(path, name, sizeof name);
      ck_assert_int_eq(as_other("pipe", name), EACCES);
    }
#endif
  }
  /* Clients still reach the listener, and only it. */
  assert_serves(s, path);
  close(s);
  unlink(path);
}
END_TEST

#ifdef _WIN32
/* Linux has no remote AF_UNIX client at all; Windows pipes have a network
 * form (\\HOST\pipe\NAME) that ipcx refuses with PIPE_REJECT_REMOTE_CLIENTS. */
START_TEST(security_remote_client_rejected)
{
  char path[256], name[256];
  int s = listener(path, sizeof path, "sec-remote", 0600);

  pipe_name_of(path, name, sizeof name);
  if (under_wine())
    printf("security: under Wine no remote pipe exists (\\\\HOST\\pipe\\ is path-not-found, "
           "measured); on Windows PIPE_REJECT_REMOTE_CLIENTS refuses it\n");
  ck_assert_int_ne(remote_open(name), 0);
  assert_serves(s, path);
  close(s);
  unlink(path);
}
END_TEST
#endif

/* client_hello PATH: connect, send one byte, wait for one back. */
IPCX_TEST_HELPER(client_hello)
{
  struct sockaddr_un a;
  char b;
  int c;

  if (argc < 1)
    return 2;
  c = socket(AF_UNIX, SOCK_STREAM, 0);
  if (c < 0 || connect(c, (struct sockaddr *)&a, test_addr(&a, argv[0])) != 0)
    return 3;
  if (write(c, "h", 1) != 1 || read(c, &b, 1) != 1)
    return 4;
  close(c);
  return 0;
}

START_TEST(security_server_identifies_but_cannot_impersonate)
{
  char path[256], b = 0;
  struct ucred cred;
  socklen_t len = sizeof cred;
  pid_t pid;
  int s = listener(path, sizeof path, "sec-ident", 0600), a;

  pid = test_spawn_helper((char *[]){ (char *)test_self, "--helper", "client_hello", path, NULL });
  a = accept(s, NULL, NULL);
  ck_assert_int_ge(a, 0);
  ck_assert_int_eq(read(a, &b, 1), 1);
  /* Identification: the server learns who the client is ... */
  ck_assert_int_eq(getsockopt(a, SOL_SOCKET, SO_PEERCRED, &cred, &len), 0);
  ck_assert_int_eq(cred.pid, pid);
  ck_assert_int_eq(cred.uid, getuid());
#ifdef _WIN32
  /* ... and can act as the client at identification level at most: the
   * client opened the pipe with SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION.
   * (Linux has no way for a server to act as its client at all.) */
  {
    int level = impersonation_level(a);
    ck_assert_int_ge(level, SecurityAnonymous);
    if (under_wine())
      printf("security: under Wine the server gets level %d: Wine ignores the client's "
             "SECURITY_IDENTIFICATION (measured); Windows gives %d\n",
             level, (int)SecurityIdentification);
    else
      ck_assert_int_le(level, SecurityIdentification);
  }
#endif
  ck_assert_int_eq(write(a, "b", 1), 1);
  test_wait_ok(pid);
  close(a);
  close(s);
  unlink(path);
}
END_TEST

Suite *suite_security(void)
{
  Suite *s = suite_create("security");
  TCase *tc = test_tcase("security");

  tcase_add_test(tc, security_other_user_cannot_connect);
  tcase_add_test(tc, security_other_user_cannot_read_the_socket_file);
  tcase_add_test(tc, security_live_listener_name_cannot_be_taken);
#ifdef _WIN32
  tcase_add_test(tc, security_remote_client_rejected);
#endif
  tcase_add_test(tc, security_server_identifies_but_cannot_impersonate);
  suite_add_tcase(s, tc);
  return s;
}
