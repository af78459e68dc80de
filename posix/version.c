#include "ipcx.h"

const char *ipcx_version(void)
{
  return "0.1.0";
}
