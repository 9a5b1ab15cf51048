/* flood: writes FLOOD_LINES numbered lines of 64 bytes through RTT as fast as it can (a
 * blocking up-buffer: the speed is the host's), then exits with 0. For the throughput
 * benchmark and the "never lose or repeat a byte" test: every line is "NNNNNNNN " and 54
 * letters of a pattern that depends on the number, so a reader can check each one.
 * Built with FLOOD_BENCH (ARMv7-M): waits for one byte on the down-buffer first (the host
 * is ready), times the lines with the DWT cycle counter and ends them with
 * "FLOOD bytes=B cycles=C". */
#include <stdint.h>

#include "board.h"
#include "rtt.h"
#include "semihost.h"

#ifndef FLOOD_LINES
#define FLOOD_LINES 2048u
#endif
#ifndef FLOOD_MODE
#define FLOOD_MODE RTT_MODE_BLOCK
#endif

#ifdef FLOOD_BENCH
#define DEMCR      (*(volatile uint32_t *)0xE000EDFCu)
#define DWT_CTRL   (*(volatile uint32_t *)0xE0001000u)
#define DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)
#include "text.h"
#endif

int main(void)
{
    rtt_init(FLOOD_MODE);
#ifdef FLOOD_BENCH
    char go;
    while (rtt_read(&go, 1) == 0) {
    }
    DEMCR |= 1u << 24; /* TRCENA */
    DWT_CYCCNT = 0;
    DWT_CTRL |= 1u; /* CYCCNTENA */
#endif
    char line[64];
    for (uint32_t n = 0; n < FLOOD_LINES; n++) {
        uint32_t v = n;
        for (int i = 7; i >= 0; i--) {
            line[i] = (char)('0' + v % 10u);
            v /= 10u;
        }
        line[8] = ' ';
        for (unsigned i = 9; i < 63; i++)
            line[i] = (char)('a' + (n + i) % 26u);
        line[63] = '\n';
        rtt_write(line, sizeof(line));
    }
#ifdef FLOOD_BENCH
    uint32_t cycles = DWT_CYCCNT;
    char out[64];
    unsigned n = text_str(out, "FLOOD bytes=");
    n += text_u32(out + n, FLOOD_LINES * 64u);
    n += text_str(out + n, " cycles=");
    n += text_u32(out + n, cycles);
    out[n++] = '\n';
    rtt_write(out, n);
#endif
    sh_exit(0);
}
