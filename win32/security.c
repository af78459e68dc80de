/*
 * security.c: the owner-only DACL that ipcx's named objects carry (pipes,
 * socket files, abstract-name mappings, signal boxes): this user and SYSTEM
 * may open them, nobody else (DESIGN.md, "Security").
 */
#include "internal.h"

#include <sddl.h>
#include <stdio.h>

static INIT_ONCE sa_once = INIT_ONCE_STATIC_INIT;
static SECURITY_ATTRIBUTES owner_sa;

static BOOL CALLBACK make_sa(INIT_ONCE *once, void *arg, void **ctx)
{
  HANDLE token;
  char buf[256], sddl[512];
  TOKEN_USER *tu = (TOKEN_USER *)buf;
  DWORD n;
  char *sid = NULL;
  PSECURITY_DESCRIPTOR sd = NULL;

  (void)once, (void)arg, (void)ctx;
  if (OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) {
    if (GetTokenInformation(token, TokenUser, tu, sizeof buf, &n))
      ConvertSidToStringSidA(tu->User.Sid, &sid);
    CloseHandle(token);
  }
  snprintf(sddl, sizeof sddl, "D:P(A;;GA;;;%s)(A;;GA;;;SY)", sid != NULL ? sid : "OW");
  if (sid != NULL)
    LocalFree(sid);
  if (ConvertStringSecurityDescriptorToSecurityDescriptorA(sddl, SDDL_REVISION_1, &sd, NULL)) {
    owner_sa.nLength = sizeof owner_sa;
    owner_sa.lpSecurityDescriptor = sd;
    owner_sa.bInheritHandle = FALSE;
  }
  return TRUE;
}

SECURITY_ATTRIBUTES *ipcx__owner_only(void)
{
  InitOnceExecuteOnce(&sa_once, make_sa, NULL, NULL);
  return owner_sa.lpSecurityDescriptor != NULL ? &owner_sa : NULL;
}
