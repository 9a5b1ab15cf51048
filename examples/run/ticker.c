/* ticker: runs forever, writing "tick N" through RTT (skip mode: the firmware never waits
 * for a host, as a product's log would) every TICK_LOOPS delay iterations, and answering
 * each line it reads on the down-buffer with "got: LINE". Uses no semihosting, so it runs
 * with no debugger attached: the firmware `stprog rtt` attaches to. */
#include <stdint.h>

#include "board.h"
#include "rtt.h"
#include "text.h"

#ifndef TICK_LOOPS
#define TICK_LOOPS 20000u
#endif

volatile uint32_t tick_count;

static void delay(uint32_t n)
{
    for (volatile uint32_t i = 0; i < n; i++) {
    }
}

int main(void)
{
    rtt_init(RTT_MODE_SKIP);
    char in[64];
    unsigned in_len = 0;
    for (;;) {
        char line[32];
        unsigned n = text_str(line, "tick ");
        n += text_u32(line + n, tick_count++);
        line[n++] = '\n';
        rtt_write(line, n);
        char c;
        while (rtt_read(&c, 1) == 1) {
            if (in_len < sizeof(in))
                in[in_len++] = c;
            if (c == '\n') {
                rtt_puts("got: ");
                rtt_write(in, in_len);
                in_len = 0;
            }
        }
        delay(TICK_LOOPS);
    }
}
