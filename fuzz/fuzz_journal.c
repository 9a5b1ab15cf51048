/* libFuzzer target: the journal of kept bytes as read back from disk (src/ops/journal.c).
 * Each input is tried as it is and with its last four bytes set to the CRC-32 of the rest
 * (else the checksum would stop nearly every input before the sector table is read). A
 * journal that decodes must encode to the very same bytes. */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "ops/journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(const uint8_t *data, size_t size)
{
    stp_journal *j = NULL;
    char why[160] = "";
    if (stp_journal_decode(data, size, &j, why, sizeof(why)) != STP_OK) {
        if (j != NULL || why[0] == '\0')
            abort();
        return;
    }
    uint8_t *back = NULL;
    size_t len = 0;
    if (stp_journal_encode(j, &back, &len) != STP_OK || len != size)
        abort();
    /* The sector table and the bytes come back unchanged (the text fields may differ after
     * a NUL, which the encoder pads). */
    if (memcmp(back + STP_JOURNAL_HDR, data + STP_JOURNAL_HDR, size - STP_JOURNAL_HDR - 4) != 0)
        abort();
    stp_free(back);
    stp_journal_free(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one(data, size);
    if (size < 4)
        return 0;
    uint8_t *fixed = malloc(size);
    if (fixed == NULL)
        return 0;
    memcpy(fixed, data, size);
    uint32_t crc = stp_crc32(0, fixed, size - 4);
    for (int i = 0; i < 4; i++)
        fixed[size - 4 + i] = (uint8_t)(crc >> (8 * i));
    one(fixed, size);
    free(fixed);
    return 0;
}
