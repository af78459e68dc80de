/*
 * Drop-in <spawn.h> for MinGW, which has none: Winsock and ipcx
 * (ipcx_compat.h).  The signal mask and the signals to reset
 * (POSIX_SPAWN_SETSIGMASK, SETSIGDEF) reach the child (docs/signals.md);
 * the scheduler settings mean nothing on Windows: they are kept in the
 * attributes object, read back by the get calls, and have no effect.
 */
#pragma GCC system_header
#include <ipcx_compat.h>
#ifndef IPCX_COMPAT_SPAWN_H
#define IPCX_COMPAT_SPAWN_H
#include <errno.h>
#include <signal.h>             /* compat/signal.h: sigset_t */
#include <sched.h>              /* struct sched_param (winpthreads) */

#define posix_spawn ipcx_posix_spawn
#define posix_spawnp ipcx_posix_spawnp
#define posix_spawn_file_actions_t ipcx_posix_spawn_file_actions_t
#define posix_spawnattr_t ipcx_posix_spawnattr_t
#define posix_spawn_file_actions_init ipcx_posix_spawn_file_actions_init
#define posix_spawn_file_actions_destroy ipcx_posix_spawn_file_actions_destroy
#define posix_spawn_file_actions_adddup2 ipcx_posix_spawn_file_actions_adddup2
#define posix_spawn_file_actions_addclose ipcx_posix_spawn_file_actions_addclose
#define posix_spawn_file_actions_addopen ipcx_posix_spawn_file_actions_addopen
#define posix_spawn_file_actions_addchdir_np ipcx_posix_spawn_file_actions_addchdir_np
#define posix_spawnattr_init ipcx_posix_spawnattr_init
#define posix_spawnattr_destroy ipcx_posix_spawnattr_destroy
#define posix_spawnattr_setflags ipcx_posix_spawnattr_setflags
#define posix_spawnattr_getflags ipcx_posix_spawnattr_getflags
#define posix_spawnattr_setpgroup ipcx_posix_spawnattr_setpgroup
#define posix_spawnattr_getpgroup ipcx_posix_spawnattr_getpgroup

/* Where they live in ipcx_posix_spawnattr_t's reserved ints. */
#define IPCX__SA_POLICY 0
#define IPCX__SA_PRIO 1

static __inline int ipcx_compat_spawnattr_setschedpolicy(posix_spawnattr_t *a, int policy)
{
  if (a == NULL)
    return EINVAL;
  a->reserved[IPCX__SA_POLICY] = policy;
  return 0;
}
static __inline int ipcx_compat_spawnattr_getschedpolicy(const posix_spawnattr_t *a, int *policy)
{
  if (a == NULL || policy == NULL)
    return EINVAL;
  *policy = a->reserved[IPCX__SA_POLICY];
  return 0;
}
static __inline int ipcx_compat_spawnattr_setschedparam(posix_spawnattr_t *a,
                                                         const struct sched_param *p)
{
  if (a == NULL || p == NULL)
    return EINVAL;
  a->reserved[IPCX__SA_PRIO] = p->sched_priority;
  return 0;
}
static __inline int ipcx_compat_spawnattr_getschedparam(const posix_spawnattr_t *a,
                                                         struct sched_param *p)
{
  if (a == NULL || p == NULL)
    return EINVAL;
  p->sched_priority = a->reserved[IPCX__SA_PRIO];
  return 0;
}
#define posix_spawn_file_actions_addchdir ipcx_posix_spawn_file_actions_addchdir
#define posix_spawnattr_setsigmask ipcx_posix_spawnattr_setsigmask
#define posix_spawnattr_getsigmask ipcx_posix_spawnattr_getsigmask
#define posix_spawnattr_setsigdefault ipcx_posix_spawnattr_setsigdefault
#define posix_spawnattr_getsigdefault ipcx_posix_spawnattr_getsigdefault
#define posix_spawnattr_setschedpolicy ipcx_compat_spawnattr_setschedpolicy
#define posix_spawnattr_getschedpolicy ipcx_compat_spawnattr_getschedpolicy
#define posix_spawnattr_setschedparam ipcx_compat_spawnattr_setschedparam
#define posix_spawnattr_getschedparam ipcx_compat_spawnattr_getschedparam
#endif
