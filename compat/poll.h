/* Drop-in <poll.h> for MinGW, which has none: Winsock and ipcx (ipcx_compat.h). */
#include <ipcx_compat.h>
#define ppoll ipcx_ppoll
