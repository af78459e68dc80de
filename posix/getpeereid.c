/* getpeereid() for Linux, which has SO_PEERCRED but not this BSD call. */
#define _GNU_SOURCE
#include "ipcx.h"

#if defined(__linux__)
int ipcx_getpeereid(int fd, uid_t *uid, gid_t *gid)
{
  struct ucred cred;
  socklen_t len = sizeof cred;

  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
    return -1;
  *uid = cred.uid;
  *gid = cred.gid;
  return 0;
}
#endif
