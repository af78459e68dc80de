/* <ws2ipdef.h> for a program built with compat/: MinGW's, with compat/'s
 * renames set aside while it is read (ipcx_winsock.h). */
#pragma GCC system_header
#define IPCX__WS_PUSH
#include <ipcx_winsock.h>
#include_next <ws2ipdef.h>
#include <ipcx_winsock.h>
