/* flood: writes FLOOD_LINES numbered lines of 64 bytes through RTT as fast as it can (a
 * blocking up-buffer: the speed is the host's), then exits with 0. For the throughput
 * benchmark and the "never lose or repeat a byte" test: every line is "NNNNNNNN " and 54
 * letters of a pattern that depends on the number, so a reader can check each one. */
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

int main(void)
{
    rtt_init(FLOOD_MODE);
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
    sh_exit(0);
}
