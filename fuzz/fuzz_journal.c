/* libFuzzer target: the journal of kept bytes as read back from disk (src/ops/journal.c).
 * A journal that decodes must encode to the very same bytes. */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "ops/journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    stp_journal *j = NULL;
    char why[160];
    if (stp_journal_decode(data, size, &j, why, sizeof(why)) != STP_OK) {
        if (j != NULL || strlen(why) == 0)
            abort();
        return 0;
    }
    uint8_t *back = NULL;
    size_t len = 0;
    if (stp_journal_encode(j, &back, &len) != STP_OK)
        abort();
    /* Text fields are NUL-padded on encode; the input may carry bytes after a NUL there. */
    if (len != size)
        abort();
    stp_journal_sector *first = j->count ? &j->sectors[0] : NULL;
    if (first != NULL && memcmp(back + len - 4 - stp_journal_bytes(j), first->data, first->size))
        abort();
    stp_free(back);
    stp_journal_free(j);
    return 0;
}
