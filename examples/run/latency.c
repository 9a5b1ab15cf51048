/* latency: measures, on the core's own clock, how long an RTT line waits in the up-buffer
 * before the host has read it. It starts when one byte came on the down-buffer (the host
 * is there and reading). For each of LAT_LINES lines: note DWT_CYCCNT, write the
 * line, spin until the host's read offset has passed its end (the host moves RdOff right
 * after it read the bytes), note CYCCNT again; then idle for a pseudo-random 0-200 ms, so
 * that writes fall at every phase of the host's polling. At the end one line
 * "LATENCY lines=N max_us=X mean_us=Y" (cycles at the reset clock, 16 MHz HSI on the
 * STM32F4 (RM0090 "Clocks"), converted) and SYS_EXIT_EXTENDED 0. Works with any RTT host
 * (stprog run, OpenOCD's rtt server). ARMv7-M only (DWT cycle counter). */
#include <stdint.h>

#include "board.h"
#include "rtt.h"
#include "semihost.h"
#include "text.h"

#ifndef LAT_LINES
#define LAT_LINES 100u
#endif
#ifndef CORE_HZ
#define CORE_HZ 16000000u
#endif

#define DEMCR      (*(volatile uint32_t *)0xE000EDFCu)
#define DWT_CTRL   (*(volatile uint32_t *)0xE0001000u)
#define DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)

extern struct {
    char id[16];
    int max_up, max_down;
    struct {
        const char *name;
        char *buf;
        unsigned size;
        volatile unsigned wr, rd;
        unsigned flags;
    } up[1];
} _SEGGER_RTT;

static void idle_cycles(uint32_t n)
{
    uint32_t start = DWT_CYCCNT;
    while (DWT_CYCCNT - start < n) {
    }
}

int main(void)
{
    rtt_init(RTT_MODE_BLOCK);
    char go;
    while (rtt_read(&go, 1) == 0) {
    }
    DEMCR |= 1u << 24; /* TRCENA */
    DWT_CYCCNT = 0;
    DWT_CTRL |= 1u; /* CYCCNTENA */
    uint32_t seed = 12345u;
    uint64_t sum = 0;
    uint32_t max = 0;
    for (uint32_t i = 0; i < LAT_LINES; i++) {
        char line[32];
        unsigned n = text_str(line, "line ");
        n += text_u32(line + n, i);
        line[n++] = '\n';
        uint32_t t0 = DWT_CYCCNT;
        rtt_write(line, n);
        unsigned end = _SEGGER_RTT.up[0].wr;
        while (_SEGGER_RTT.up[0].rd != end) {
        }
        uint32_t dt = DWT_CYCCNT - t0;
        sum += dt;
        if (dt > max)
            max = dt;
        seed = seed * 1103515245u + 12345u;
        idle_cycles((seed >> 8) % (CORE_HZ / 5u)); /* 0-200 ms: every phase of a poll */
    }
    char out[96];
    unsigned n = text_str(out, "LATENCY lines=");
    n += text_u32(out + n, LAT_LINES);
    n += text_str(out + n, " max_us=");
    n += text_u32(out + n, (uint32_t)((uint64_t)max * 1000000u / CORE_HZ));
    n += text_str(out + n, " mean_us=");
    n += text_u32(out + n, (uint32_t)(sum * 1000000u / LAT_LINES / CORE_HZ));
    out[n++] = '\n';
    rtt_write(out, n);
    sh_exit(0);
}
