/* Drop-in <sys/select.h> for MinGW, which has none: Winsock and ipcx (ipcx_compat.h). */
#include <ipcx_compat.h>
#define pselect ipcx_pselect
