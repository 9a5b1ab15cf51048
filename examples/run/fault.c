/* fault: prints a line through RTT, then executes an undefined instruction (UDF #0). On
 * ARMv7-M that is a UsageFault (CFSR.UNDEFINSTR) escalated to HardFault (HFSR.FORCED); on
 * ARMv6-M a HardFault. `stprog run` catches it and exits with 139, naming the faulting PC
 * and the decoded fault status. */
#include "board.h"
#include "rtt.h"

__attribute__((noinline)) static void broken(void)
{
    __asm volatile(".short 0xDE00"); /* UDF #0 */
}

int main(void)
{
    rtt_init(RTT_MODE_BLOCK);
    rtt_puts("about to execute an undefined instruction on " BOARD_NAME "\n");
    broken();
    rtt_puts("not reached\n");
    for (;;) {
    }
}
