/* libFuzzer target: the ITM packet decoder (src/ops/itm.c) on SWO bytes from the probe, fed
 * in pieces whose sizes the input's first byte chooses. */
#include <stddef.h>
#include <stdint.h>

#include "ops/itm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sink(void *user, unsigned port, const uint8_t *payload, unsigned len)
{
    uint64_t *sum = user;
    *sum += port;
    for (unsigned i = 0; i < len; i++)
        *sum += payload[i];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t piece = 1 + data[0] % 17;
    stp_itm_decoder d;
    stp_itm_init(&d);
    uint64_t sum = 0;
    for (size_t i = 1; i < size; i += piece)
        stp_itm_feed(&d, data + i, size - i < piece ? size - i : piece, sink, &sum);
    return sum == 0xFFFFFFFFFFFFFFFFull; /* keep sum alive */
}
