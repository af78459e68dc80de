/*
 * sort: a tiny sort(1) for the sort_pipe example on Windows, which has no
 * Unix sort.  Reads lines from stdin, writes them to stdout in byte order
 * (what `LC_ALL=C sort` prints).  Plain C; builds on both targets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compare(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
  size_t len = 0, cap = 4096, nlines = 0, i;
  char *text = malloc(cap), **lines, *p;
  size_t n;

  if (text == NULL)
    return 2;
  while ((n = fread(text + len, 1, cap - len - 1, stdin)) > 0) {
    len += n;
    if (cap - len < 2) {
      char *t = realloc(text, cap * 2);
      if (t == NULL)
        return 2;
      text = t;
      cap *= 2;
    }
  }
  if (len > 0 && text[len - 1] != '\n')
    text[len++] = '\n';         /* a last line without a newline still counts */
  text[len] = 0;
  for (p = text; p < text + len; p++)
    nlines += *p == '\n';
  lines = malloc((nlines + 1) * sizeof *lines);
  if (lines == NULL)
    return 2;
  for (i = 0, p = text; i < nlines; i++) {
    lines[i] = p;
    p = strchr(p, '\n');
    *p++ = 0;
  }
  qsort(lines, nlines, sizeof *lines, compare);
  for (i = 0; i < nlines; i++)
    if (fputs(lines[i], stdout) == EOF || putchar('\n') == EOF)
      return 1;
  return fflush(stdout) == 0 ? 0 : 1;
}
