/* A test program written against the C library only: newlib's semihosting flavour (link
 * with --specs=rdimon.specs) turns printf, fgets(stdin), clock() and exit() into ARM
 * semihosting calls, which `stprog run` serves: the output on stdout/stderr, a line of
 * stdin, and exit(5) as the process's exit status (newlib reads ":semihosting-features" and
 * uses SYS_EXIT_EXTENDED when the host offers it). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(void)
{
    printf("newlib printf through semihosting: %d\n", 42);
    fprintf(stderr, "newlib stderr\n");
    char line[64];
    if (fgets(line, sizeof(line), stdin) != NULL)
        printf("read from stdin: %s", line);
    else
        printf("stdin: end of input\n");
    clock_t c = clock(); /* SYS_CLOCK: centiseconds since the start, (clock_t)-1 on failure */
    printf("clock() works: %s\n", c != (clock_t)-1 ? "yes" : "no");
    exit(5);
}
