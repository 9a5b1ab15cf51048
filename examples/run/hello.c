/* hello: the `stprog run` example. Prints numbered lines through RTT (blocking up-buffer:
 * nothing is lost however slowly the host reads) and a greeting through semihosting on
 * stdout and stderr, then exits with EXIT_STATUS (default 0) through SYS_EXIT_EXTENDED.
 *
 *   $ stprog run build/examples/hello_f407.elf
 *   hello from STM32F4DISCOVERY (Cortex-M4) through semihosting
 *   RTT line 1 of 5 from STM32F4DISCOVERY
 *   ...
 *   stprog: the firmware exited with status 0 after 0.012 s */
#include <stdint.h>

#include "board.h"
#include "rtt.h"
#include "semihost.h"
#include "text.h"

#ifndef EXIT_STATUS
#define EXIT_STATUS 0
#endif
#ifndef LINES
#define LINES 5
#endif

#if defined(__ARM_ARCH_6M__)
#define CORE_NAME "Cortex-M0+"
#elif defined(__ARM_ARCH_7EM__) && defined(BOARD_F767)
#define CORE_NAME "Cortex-M7"
#elif defined(__ARM_ARCH_7EM__)
#define CORE_NAME "Cortex-M4"
#else
#define CORE_NAME "Cortex-M3"
#endif

int main(void)
{
    rtt_init(RTT_MODE_BLOCK);
    sh_write0("hello from " BOARD_NAME " (" CORE_NAME ") through semihosting\n");
    for (uint32_t i = 1; i <= LINES; i++) {
        char line[96];
        unsigned n = text_str(line, "RTT line ");
        n += text_u32(line + n, i);
        n += text_str(line + n, " of ");
        n += text_u32(line + n, LINES);
        n += text_str(line + n, " from " BOARD_NAME "\n");
        rtt_write(line, n);
    }
    static const char err[] = "this line goes to stderr\n";
    sh_write(2, err, sizeof(err) - 1);
    rtt_puts("done\n");
    sh_exit(EXIT_STATUS);
}
