/*
 * Drop-in <netdb.h> for MinGW, which has none: getaddrinfo() and the rest
 * are Winsock's, from <ws2tcpip.h>.  This is the one drop-in header that
 * still brings <winsock2.h> and <windows.h> (docs/porting.md).
 */
#pragma GCC system_header
#include <netinet/in.h>
#include <ws2tcpip.h>
