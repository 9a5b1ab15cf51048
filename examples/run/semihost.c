/* Semihosting calls (semihost.h). */
#include "semihost.h"

#include <stdint.h>

#define SYS_WRITE0                   0x04
#define SYS_WRITE                    0x05
#define SYS_READC                    0x07
#define SYS_CLOCK                    0x10
#define SYS_EXIT_EXTENDED            0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

static int call(int op, const void *arg)
{
    register int r0 __asm("r0") = op;
    register const void *r1 __asm("r1") = arg;
    __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void sh_write0(const char *s)
{
    call(SYS_WRITE0, s);
}

void sh_write(int fd, const void *p, size_t len)
{
    uint32_t block[3] = {(uint32_t)fd, (uint32_t)(uintptr_t)p, (uint32_t)len};
    call(SYS_WRITE, block);
}

int sh_readc(void)
{
    return call(SYS_READC, 0);
}

unsigned sh_clock(void)
{
    return (unsigned)call(SYS_CLOCK, 0);
}

void sh_exit(int status)
{
    uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status};
    call(SYS_EXIT_EXTENDED, block);
    for (;;) {
    }
}
