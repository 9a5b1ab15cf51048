/* ARM semihosting calls (BKPT 0xAB with the operation in r0, the parameter in r1) for the
 * examples. Without a debugger that serves them the BKPT faults: run these under
 * `stprog run` (or a debugger with semihosting on). */
#ifndef EXAMPLE_SEMIHOST_H
#define EXAMPLE_SEMIHOST_H

#include <stddef.h>

void sh_write0(const char *s);                    /* SYS_WRITE0: to stdout */
void sh_write(int fd, const void *p, size_t len); /* SYS_WRITE: 1 stdout, 2 stderr */
int sh_readc(void);                               /* SYS_READC: one byte of stdin, -1 at its end */
unsigned sh_clock(void);                          /* SYS_CLOCK: centiseconds since the start */
__attribute__((noreturn)) void sh_exit(int status); /* SYS_EXIT_EXTENDED */

#endif
