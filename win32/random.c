/*
 * random.c: random() and srandom(), with glibc's generator, so a program
 * seeded the same way draws the same numbers on Linux and on Windows.
 *
 * glibc's default (TYPE_3) state: 31 words seeded by the Park-Miller
 * "minimal standard" generator (16807 * x mod 2^31 - 1), an additive
 * lagged-Fibonacci feedback r[i] = r[i-31] + r[i-3] (mod 2^32), the first
 * 310 outputs discarded, each result r[i] >> 1 (0 .. 2^31 - 1).  The
 * initial state is srandom(1)'s.  One lock guards the state, as in glibc.
 */
#include "internal.h"

#define DEG 31
#define SEP 3

static SRWLOCK lock = SRWLOCK_INIT;
static unsigned int state[DEG];
static int front, rear, seeded;

static unsigned int next_locked(void)
{
  unsigned int r;

  state[front] += state[rear];
  r = state[front] >> 1;
  front = (front + 1) % DEG;
  rear = (rear + 1) % DEG;
  return r;
}

static void seed_locked(unsigned int seed)
{
  int word;                     /* glibc's int32_t: a seed past INT_MAX is negative */
  int i;

  if (seed == 0)
    seed = 1;                   /* glibc: a zero seed is 1 */
  state[0] = seed;
  word = (int)seed;
  for (i = 1; i < DEG; i++) {
    /* 16807 * word % 2147483647 without overflow (Schrage), as glibc. */
    long long hi = word / 127773, lo = word % 127773;
    word = (int)(16807 * lo - 2836 * hi);
    if (word < 0)
      word += 2147483647;
    state[i] = (unsigned int)word;
  }
  front = SEP;
  rear = 0;
  for (i = 0; i < 10 * DEG; i++)
    next_locked();
  seeded = 1;
}

void ipcx_srandom(unsigned int seed)
{
  AcquireSRWLockExclusive(&lock);
  seed_locked(seed);
  ReleaseSRWLockExclusive(&lock);
}

long ipcx_random(void)
{
  unsigned int r;

  AcquireSRWLockExclusive(&lock);
  if (!seeded)
    seed_locked(1);
  r = next_locked();
  ReleaseSRWLockExclusive(&lock);
  return (long)r;
}
