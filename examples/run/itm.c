/* itm: prints numbered lines through ITM stimulus port 0 (SWO), as CMSIS's ITM_SendChar
 * does: wait while the port is not ready, then a byte write; and every line's number as a
 * 32-bit word on port 1. It leaves the trace set-up (TPIU prescaler and protocol, ITM
 * enables, DBGMCU_CR.TRACE_IOEN) to the host tool (`stprog swo`, `stprog run --swo`,
 * st-trace, OpenOCD), and writes nothing while the ITM is off. Runs forever. */
#include <stdint.h>

#include "board.h"
#include "text.h"

#define ITM_PORT8(n)  (*(volatile uint8_t *)(0xE0000000u + 4u * (n)))
#define ITM_PORT32(n) (*(volatile uint32_t *)(0xE0000000u + 4u * (n)))
#define ITM_TER       (*(volatile uint32_t *)0xE0000E00u)
#define ITM_TCR       (*(volatile uint32_t *)0xE0000E80u)
#define DEMCR         (*(volatile uint32_t *)0xE000EDFCu)

static int itm_on(unsigned port)
{
    return (DEMCR & (1u << 24)) && (ITM_TCR & 1u) && (ITM_TER & (1u << port));
}

static void itm_putc(char c)
{
    if (!itm_on(0))
        return;
    while (ITM_PORT32(0) == 0) {
    }
    ITM_PORT8(0) = (uint8_t)c;
}

static void itm_puts(const char *s, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        itm_putc(s[i]);
}

static void delay(uint32_t n)
{
    for (volatile uint32_t i = 0; i < n; i++) {
    }
}

int main(void)
{
    for (uint32_t count = 0;; count++) {
        char line[48];
        unsigned n = text_str(line, "ITM line ");
        n += text_u32(line + n, count);
        n += text_str(line + n, " from " BOARD_NAME "\n");
        itm_puts(line, n);
        if (itm_on(1)) {
            while (ITM_PORT32(1) == 0) {
            }
            ITM_PORT32(1) = count;
        }
        delay(20000);
    }
}
