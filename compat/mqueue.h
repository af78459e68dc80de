/*
 * Drop-in <mqueue.h> for MinGW, which has none: POSIX message queues,
 * renamed to libipcx's (docs/shm.md).  An mqd_t is an fd, as on Linux:
 * poll() and select() wait on it.  No <windows.h>.
 */
#ifndef IPCX_COMPAT_MQUEUE_H
#define IPCX_COMPAT_MQUEUE_H
#pragma GCC system_header
#include <sys/types.h>
#include <time.h>
#include <fcntl.h>
#include <ipcx.h>

#define mqd_t ipcx_mqd_t
#define mq_attr ipcx_mq_attr
#define MQ_PRIO_MAX IPCX_MQ_PRIO_MAX
#define mq_open ipcx_mq_open
#define mq_close ipcx_mq_close
#define mq_unlink ipcx_mq_unlink
#define mq_send ipcx_mq_send
#define mq_receive ipcx_mq_receive
#define mq_timedsend ipcx_mq_timedsend
#define mq_timedreceive ipcx_mq_timedreceive
#define mq_getattr ipcx_mq_getattr
#define mq_setattr ipcx_mq_setattr
#define mq_notify ipcx_mq_notify

/* struct sigevent for mq_notify, unless <signal.h> already gave one. */
#ifndef SIGEV_THREAD
# define sigevent ipcx_sigevent
# define sigval ipcx_sigval
# define SIGEV_SIGNAL IPCX_SIGEV_SIGNAL
# define SIGEV_NONE IPCX_SIGEV_NONE
# define SIGEV_THREAD IPCX_SIGEV_THREAD
#endif

#endif
