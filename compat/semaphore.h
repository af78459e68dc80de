/*
 * Drop-in <semaphore.h> for MinGW: libipcx's semaphores (named ones with
 * sem_open, unnamed ones shared between processes), in place of winpthreads'
 * (whose sem_open fails with ENOSYS and whose sem_t cannot live in shared
 * memory).  docs/shm.md.
 *
 * winpthreads' header is kept out: its include guard is defined here, so a
 * later #include of it adds nothing.  If it came first (a program that names
 * its path), its declarations stay, but every later use of sem_t and sem_*
 * is renamed to ipcx's, so the program still gets one kind of semaphore.
 */
#ifndef IPCX_COMPAT_SEMAPHORE_H
#define IPCX_COMPAT_SEMAPHORE_H
#pragma GCC system_header
#ifndef WIN_PTHREADS_SEMAPHORE_H
# define WIN_PTHREADS_SEMAPHORE_H
#endif
#include <sys/types.h>
#include <time.h>
#include <ipcx.h>

#undef SEM_FAILED
#undef SEM_VALUE_MAX
#define SEM_FAILED IPCX_SEM_FAILED
#define SEM_VALUE_MAX IPCX_SEM_VALUE_MAX
#define sem_t ipcx_sem_t
#define sem_open ipcx_sem_open
#define sem_close ipcx_sem_close
#define sem_unlink ipcx_sem_unlink
#define sem_init ipcx_sem_init
#define sem_destroy ipcx_sem_destroy
#define sem_wait ipcx_sem_wait
#define sem_trywait ipcx_sem_trywait
#define sem_timedwait ipcx_sem_timedwait
#define sem_post ipcx_sem_post
#define sem_getvalue ipcx_sem_getvalue

#endif
