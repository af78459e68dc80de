/*
 * env.c: setenv() and unsetenv() over the CRT's _putenv_s, which changes both
 * the CRT's environ (what getenv() reads) and the process environment that
 * children inherit.  Windows cannot hold an empty value: setting "" removes
 * the variable.  Library functions rather than header inlines, so that the
 * POSIX names exist at link level (configure's AC_CHECK_FUNCS([setenv])).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static int bad_name(const char *name)
{
  return name == NULL || *name == 0 || strchr(name, '=') != NULL;
}

int ipcx_setenv(const char *name, const char *value, int overwrite)
{
  if (bad_name(name) || value == NULL)
    return ipcx__fail(EINVAL);
  if (!overwrite && getenv(name) != NULL)
    return 0;
  if (_putenv_s(name, value) != 0)
    return ipcx__fail(ENOMEM);
  return 0;
}

int ipcx_unsetenv(const char *name)
{
  if (bad_name(name))
    return ipcx__fail(EINVAL);
  return _putenv_s(name, "") == 0 ? 0 : ipcx__fail(EINVAL);
}
