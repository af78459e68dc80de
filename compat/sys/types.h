/*
 * Drop-in <sys/types.h> for MinGW: MinGW's, plus uid_t and gid_t, which
 * POSIX puts here and MinGW lacks.  configure's AC_TYPE_UID_T looks for
 * them in this header alone and otherwise defines them as macros, which
 * then break ipcx.h's typedefs (and every later configure check).  Nothing
 * is renamed: a program that includes only this header keeps its names.
 */
#pragma GCC system_header
#include_next <sys/types.h>
#ifndef IPCX__ID_TYPES          /* the same as ipcx.h's */
#define IPCX__ID_TYPES
typedef int uid_t;
typedef int gid_t;
#endif
