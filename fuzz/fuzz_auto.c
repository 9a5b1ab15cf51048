/* libFuzzer target: format detection by content plus the raw binary reader (the first byte
 * picks the name's extension, the rest is the file). */
#include "fuzz_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"fuzz", "fuzz.bin", "fuzz.hex", "fuzz.srec", "fuzz.elf"};
    if (size == 0)
        return 0;
    const char *name = names[data[0] % 5];
    stp_format fmt = stp_format_detect(data + 1, size - 1, name);
    fuzz_check(fmt != STP_FORMAT_AUTO);
    fuzz_one(data + 1, size - 1, name, STP_FORMAT_AUTO);
    if (data[0] & 0x80) /* the same bytes as a raw binary at a base from the input */
        fuzz_one(data + 1, size - 1, name, STP_FORMAT_BIN);
    return 0;
}
