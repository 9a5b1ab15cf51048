/* libFuzzer target: the ihex reader (and, on success, every writer round trip). */
#include "fuzz_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_one(data, size, "fuzz.hex", STP_FORMAT_IHEX);
    return 0;
}
