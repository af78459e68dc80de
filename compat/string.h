/* Drop-in <string.h> for MinGW: strerror() and strsignal() with Linux's messages (win32/strerror.c). */
#pragma GCC system_header
#include_next <string.h>
#ifndef IPCX_COMPAT_STRING_H
#define IPCX_COMPAT_STRING_H
#include <ipcx_compat.h>
#define strerror ipcx_strerror
#define strsignal ipcx_strsignal
#endif
