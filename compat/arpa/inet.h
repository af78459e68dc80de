/* Drop-in <arpa/inet.h> for MinGW, which has none: Winsock's calls, as Winsock declares them. */
#pragma GCC system_header
#include <netinet/in.h>
#ifndef IPCX_COMPAT_ARPA_INET_H
#define IPCX_COMPAT_ARPA_INET_H
#ifdef __cplusplus
extern "C" {
#endif
__declspec(dllimport) unsigned long inet_addr(const char *cp);
__declspec(dllimport) char *inet_ntoa(struct in_addr in);
__declspec(dllimport) int inet_pton(int family, const char *src, void *dst);
__declspec(dllimport) const char *inet_ntop(int family, const void *src, char *dst, size_t size);
#ifdef __cplusplus
}
#endif
#endif
