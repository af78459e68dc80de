/*
 * fuzz_addr.c: the AF_UNIX address handling of bind(), connect(),
 * getsockname(), getpeername() and accept(), fed sockaddr_un of every length
 * and content: path names with odd bytes, abstract names (sun_path[0] == 0),
 * unterminated paths, lengths shorter or longer than the structure, other
 * families.
 *
 * Built two ways from this one file:
 *   - natively with clang -fsanitize=fuzzer,address,undefined (make fuzz):
 *     libFuzzer calls fuzz_one() with generated inputs; a broken property
 *     calls abort(), which libFuzzer reports with the input that did it.
 *   - as a replay program, -DFUZZ_REPLAY (natively, and for Windows with
 *     compat/ first): `fuzz_addr-replay FILE...` runs each input once and
 *     prints one line of results per input, so that the Linux and the Windows
 *     answers for the same corpus can be compared line by line
 *     (wine-tests/fuzz.sh).
 *
 * Input: byte 0 chooses the operation, byte 1 is the address length passed
 * (0..255, so also longer than the bytes given), the rest are the address's
 * bytes (family first).  Path names are kept inside the working directory:
 * a '/' in a path becomes '_' (so nothing is created outside the sandbox the
 * program runs in).
 */
#ifndef _WIN32
# define _GNU_SOURCE
#endif
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

/* Room for any length the input can claim. */
union addr {
  struct sockaddr sa;
  struct sockaddr_un un;
  unsigned char raw[256 + 16];
};

static FILE *report;            /* replay: where the result lines go */

/* errno by name: the numbers differ between Linux and MinGW. */
static const char *errno_name(int e)
{
  static char other[16];

  switch (e) {
  case 0: return "ok";
  case EINVAL: return "EINVAL";
  case EAFNOSUPPORT: return "EAFNOSUPPORT";
  case ENOENT: return "ENOENT";
  case ENOTDIR: return "ENOTDIR";
  case ECONNREFUSED: return "ECONNREFUSED";
  case EADDRINUSE: return "EADDRINUSE";
  case EACCES: return "EACCES";
  case ENAMETOOLONG: return "ENAMETOOLONG";
  case ELOOP: return "ELOOP";
  case EPROTOTYPE: return "EPROTOTYPE";
  case EISDIR: return "EISDIR";
  case EROFS: return "EROFS";
  case EPERM: return "EPERM";
  case EEXIST: return "EEXIST";
  default:
    snprintf(other, sizeof other, "errno%d", e);
    return other;
  }
}

static void note(const char *what, long r, int err)
{
  if (report != NULL)
    fprintf(report, " %s=%s", what, r < 0 ? errno_name(err) : "ok");
}

static void note_name(const char *what, const union addr *a, socklen_t n)
{
  socklen_t i;

  if (report == NULL)
    return;
  fprintf(report, " %s[%d]=", what, (int)n);
  for (i = 2; i < n && i < (socklen_t)sizeof a->un; i++)
    fprintf(report, "%02x", a->raw[i]);
}

/* A broken property: libFuzzer gets a crash; a replay notes it and goes on. */
#ifndef FUZZ_REPLAY
# define CHECK(cond)                                                           \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_addr: %s:%d: %s\n", __FILE__, __LINE__, #cond);    \
      abort();                                                                 \
    }                                                                          \
  } while (0)
#else
# define CHECK(cond)                                                           \
  do {                                                                         \
    if (!(cond))                                                               \
      fprintf(report, " broken@%d", __LINE__);                                 \
  } while (0)
#endif

/* An errno bind/connect may give for a bad address, and nothing else. */
static int address_errno(int e)
{
  switch (e) {
  case EINVAL: case EAFNOSUPPORT: case ENOENT: case ENOTDIR: case ECONNREFUSED:
  case EADDRINUSE: case EACCES: case ENAMETOOLONG: case ELOOP: case EPROTOTYPE:
  case EISDIR: case EROFS: case EPERM: case EEXIST:
    return 1;
  default:
    return 0;
  }
}

/* The bytes of a path name that count: up to the first NUL or the end. */
static size_t path_len(const union addr *a, socklen_t n)
{
  size_t max = n > offsetof(struct sockaddr_un, sun_path) ? n - offsetof(struct sockaddr_un, sun_path) : 0;
  size_t i;

  if (max > sizeof a->un.sun_path)
    max = sizeof a->un.sun_path;
  for (i = 0; i < max && a->un.sun_path[i] != 0; i++)
    ;
  return i;
}

static void unlink_path(const union addr *a, socklen_t n)
{
  char p[sizeof a->un.sun_path + 1];
  size_t k = path_len(a, n);

  if (a->un.sun_family != AF_UNIX || k == 0)
    return;
  memcpy(p, a->un.sun_path, k);
  p[k] = 0;
  unlink(p);
}

/* bind, then check what getsockname says and that a client can reach it. */
static void try_bind(const union addr *a, socklen_t n)
{
  union addr got, peer;
  socklen_t gn, pn;
  int s, c, t, r;

  s = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK(s >= 0);
  errno = 0;
  r = bind(s, &a->sa, n);
  note("bind", r, errno);
  if (r < 0) {
    CHECK(address_errno(errno));
    close(s);
    return;
  }
  memset(&got, 0xa5, sizeof got);
  gn = sizeof got.un;
  CHECK(getsockname(s, &got.sa, &gn) == 0);
  CHECK(got.un.sun_family == AF_UNIX);
  /* Linux: a 108-byte path (no room for its NUL) is reported as 111 bytes,
   * one more than the structure (unix(7)); never more than that. */
  CHECK(gn >= offsetof(struct sockaddr_un, sun_path) && gn <= sizeof got.un + 1);
  if (n > offsetof(struct sockaddr_un, sun_path))
    note_name("name", &got, gn);  /* (an autobound name is random) */
  if (a->un.sun_path[0] != 0 || n <= offsetof(struct sockaddr_un, sun_path)) {
    /* A path name (or autobind): the path part up to its NUL comes back. */
    size_t k = path_len(a, n);
    if (k > 0)
      CHECK(memcmp(got.un.sun_path, a->un.sun_path, k) == 0);
  } else {
    /* An abstract name comes back byte for byte, its length included. */
    CHECK(gn == n && memcmp(got.un.sun_path, a->un.sun_path, n - offsetof(struct sockaddr_un, sun_path)) == 0);
  }
  /* Short buffers: the call still succeeds and reports the full length. */
  pn = 3;
  CHECK(getsockname(s, &peer.sa, &pn) == 0 && pn == gn);
  CHECK(listen(s, 2) == 0);
  c = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK(c >= 0);
  errno = 0;
  r = connect(c, &got.sa, gn);  /* by the name the socket reports */
  note("connect", r, errno);
  if (r == 0) {
    t = accept(s, NULL, NULL);
    CHECK(t >= 0);
    pn = sizeof peer.un;
    CHECK(getpeername(c, &peer.sa, &pn) == 0 && pn == gn);
    CHECK(write(c, "z", 1) == 1);
    CHECK(read(t, &peer, 1) == 1 && peer.raw[0] == 'z');
    close(t);
  } else {
    CHECK(address_errno(errno));
  }
  close(c);
  close(s);
  unlink_path(a, n);
}

/* connect with (almost surely) nobody there: a clear errno, never a crash.
 * (An abstract name may happen to be some live program's.) */
static void try_connect(const union addr *a, socklen_t n)
{
  int s = socket(AF_UNIX, SOCK_STREAM, 0), r;

  CHECK(s >= 0);
  errno = 0;
  r = connect(s, &a->sa, n);
  note("connect", r, errno);
  CHECK(r == 0 || address_errno(errno));
  close(s);
}

static int fuzz_one(const uint8_t *data, size_t size)
{
  union addr a;
  socklen_t n;
  size_t k, i;
  int op;

  if (size < 2)
    return 0;
  op = data[0] & 3;
  n = data[1];
  memset(&a, 0, sizeof a);
  k = size - 2 < sizeof a ? size - 2 : sizeof a;
  memcpy(a.raw, data + 2, k);
  /* Mostly AF_UNIX (a raw family byte would rarely be it). */
  if (!(data[0] & 4))
    a.un.sun_family = AF_UNIX;
  if (a.un.sun_path[0] != 0)    /* a path: keep it in the working directory */
    for (i = 0; i < sizeof a.un.sun_path; i++)
      if (a.un.sun_path[i] == '/')
        a.un.sun_path[i] = '_';
  if (op == 0 || op == 1)
    try_bind(&a, n);
  else
    try_connect(&a, n);
  return 0;
}

#ifndef FUZZ_REPLAY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  return fuzz_one(data, size);
}
#else
int main(int argc, char **argv)
{
  static uint8_t buf[4096];
  int i;

  report = stdout;
  for (i = 1; i < argc; i++) {
    FILE *f = fopen(argv[i], "rb");
    size_t n;
    const char *base = strrchr(argv[i], '/');

    if (f == NULL) {
      perror(argv[i]);
      return 2;
    }
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    printf("%s:", base != NULL ? base + 1 : argv[i]);
    fuzz_one(buf, n);
    printf("\n");
  }
  return 0;
}
#endif
