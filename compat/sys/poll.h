/* Drop-in <sys/poll.h> for MinGW, which has none: <poll.h>. */
#pragma GCC system_header
#include <poll.h>
