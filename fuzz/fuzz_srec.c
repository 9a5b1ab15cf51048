/* libFuzzer target: the srec reader (and, on success, every writer round trip). */
#include "fuzz_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_one(data, size, "fuzz.srec", STP_FORMAT_SREC);
    return 0;
}
