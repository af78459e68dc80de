/* <winsock.h> for a program built with compat/: MinGW's, with compat/'s
 * renames set aside while it is read (ipcx_winsock.h). */
#pragma GCC system_header
/* After compat's socket names, Winsock 2 (a superset) instead. */
#if defined(IPCX__COMPAT_NET) && !defined(_WINSOCKAPI_)
#include <winsock2.h>
#endif
#define IPCX__WS_PUSH
#include <ipcx_winsock.h>
#include_next <winsock.h>
#include <ipcx_winsock.h>
