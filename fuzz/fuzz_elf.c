/* libFuzzer target: the elf reader (and, on success, every writer round trip). */
#include "fuzz_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_one(data, size, "fuzz.elf", STP_FORMAT_ELF);
    return 0;
}
