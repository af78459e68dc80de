/*
 * spawn.c: posix_spawn(), its file actions and attributes, waitpid(), kill().
 *
 * Not built yet (issue: child processes on Windows): every call fails with
 * ENOSYS (posix_spawn* return it, as they return every error), and
 * tests/test_gaps.c says so.
 */
#include "internal.h"

int ipcx_posix_spawn(pid_t *pid, const char *path, const ipcx_posix_spawn_file_actions_t *fa,
                     const ipcx_posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{ (void)pid, (void)path, (void)fa, (void)attr, (void)argv, (void)envp; return ENOSYS; }
int ipcx_posix_spawnp(pid_t *pid, const char *file, const ipcx_posix_spawn_file_actions_t *fa,
                      const ipcx_posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{ (void)pid, (void)file, (void)fa, (void)attr, (void)argv, (void)envp; return ENOSYS; }
int ipcx_posix_spawn_file_actions_init(ipcx_posix_spawn_file_actions_t *fa)
{ (void)fa; return ENOSYS; }
int ipcx_posix_spawn_file_actions_destroy(ipcx_posix_spawn_file_actions_t *fa)
{ (void)fa; return ENOSYS; }
int ipcx_posix_spawn_file_actions_adddup2(ipcx_posix_spawn_file_actions_t *fa, int fd, int newfd)
{ (void)fa, (void)fd, (void)newfd; return ENOSYS; }
int ipcx_posix_spawn_file_actions_addclose(ipcx_posix_spawn_file_actions_t *fa, int fd)
{ (void)fa, (void)fd; return ENOSYS; }
int ipcx_posix_spawn_file_actions_addopen(ipcx_posix_spawn_file_actions_t *fa, int fd, const char *path, int oflag, mode_t mode)
{ (void)fa, (void)fd, (void)path, (void)oflag, (void)mode; return ENOSYS; }
int ipcx_posix_spawnattr_init(ipcx_posix_spawnattr_t *a)
{ (void)a; return ENOSYS; }
int ipcx_posix_spawnattr_destroy(ipcx_posix_spawnattr_t *a)
{ (void)a; return ENOSYS; }
int ipcx_posix_spawnattr_setflags(ipcx_posix_spawnattr_t *a, short flags)
{ (void)a, (void)flags; return ENOSYS; }
int ipcx_posix_spawnattr_getflags(const ipcx_posix_spawnattr_t *a, short *flags)
{ (void)a, (void)flags; return ENOSYS; }
int ipcx_posix_spawnattr_setpgroup(ipcx_posix_spawnattr_t *a, pid_t pg)
{ (void)a, (void)pg; return ENOSYS; }
int ipcx_posix_spawnattr_getpgroup(const ipcx_posix_spawnattr_t *a, pid_t *pg)
{ (void)a, (void)pg; return ENOSYS; }
pid_t ipcx_waitpid(pid_t pid, int *status, int options)
{ (void)pid, (void)status, (void)options; return ipcx__fail(ENOSYS); }
int ipcx_kill(pid_t pid, int sig)
{ (void)pid, (void)sig; return ipcx__fail(ENOSYS); }
