/* libFuzzer target: the ELF symbol lookup (src/formats/elf_sym.c) that `stprog run` uses
 * to find _SEGGER_RTT. */
#include <stddef.h>
#include <stdint.h>

#include "stprog/elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t v = 0;
    (void)stp_elf_symbol(data, size, "_SEGGER_RTT", &v);
    (void)stp_elf_symbol(data, size, "", &v);
    return 0;
}
