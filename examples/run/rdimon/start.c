/* Vector table and reset for a newlib rdimon program on an STM32: .data copied from flash
 * (newlib's crt0 expects a debugger to have loaded it), then newlib's _start (crt0: .bss,
 * the heap and stack through SYS_HEAPINFO, argv through SYS_GET_CMDLINE, main, exit). */
#include <stdint.h>

extern uint32_t _estack, _sidata, _sdata, _edata;
void _start(void);
void Reset_Handler(void);
void Default_Handler(void);

void Default_Handler(void)
{
    for (;;) {
    }
}

void Reset_Handler(void)
{
    const uint32_t *src = &_sidata;
    for (uint32_t *dst = &_sdata; dst < &_edata;)
        *dst++ = *src++;
    _start();
}

__attribute__((section(".isr_vector"), used)) void (*const vector_table[16])(void) = {
    (void (*)(void))(uintptr_t)&_estack,
    Reset_Handler,
    Default_Handler, /* NMI */
    Default_Handler, /* HardFault */
    Default_Handler, /* MemManage */
    Default_Handler, /* BusFault */
    Default_Handler, /* UsageFault */
    0,
    0,
    0,
    0,
    Default_Handler, /* SVCall */
    Default_Handler, /* DebugMonitor */
    0,
    Default_Handler, /* PendSV */
    Default_Handler, /* SysTick */
};
