/* Drop-in <netdb.h> for MinGW, which has none: Winsock and ipcx (ipcx_compat.h). */
#include <ipcx_compat.h>
