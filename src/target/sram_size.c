/* The SRAM size of the attached chip, measured: parts that share a device ID differ in SRAM
 * (0x410: 10 or 20 KiB, 0x429: 16 or 32 KiB, ...) and no register holds it, while reading
 * past the end of the SRAM is a bus error (RM0008 3.1, RM0090 2.3: reserved addresses). The
 * chip table's sram_size (what the flash loader relies on) is the lower bound. */
#include "target/target_internal.h"

#define SRAM_MAX_KB 1024u /* beyond every STM32 SRAM at 0x20000000 we support (F7: 512) */

/* Whether the last word of the first kb KiB reads; *other when it failed otherwise than by
 * a bus fault (the measurement is then not to be trusted). */
static bool readable(stp_target *t, uint32_t kb, bool *other)
{
    stp_findings scratch = {0};
    uint32_t v = 0;
    stp_status st =
        t->dbg->ops->read_u32(t->dbg, t->info.sram_base + kb * 1024u - 4u, &v, &scratch);
    stp_findings_free(&scratch);
    if (st != STP_OK && st != STP_ERR_TARGET_FAULT)
        *other = true;
    return st == STP_OK;
}

stp_status stp_target_measure_sram(stp_target *t)
{
    const uint32_t table_kb = t->id.chip->sram_size / 1024u;
    if (t->dbg->ops->mem_backend != NULL || table_kb == 0)
        return STP_OK; /* the ROM bootloader answers for its own RAM use: keep the table's */
    bool other = false;
    if (!readable(t, table_kb, &other))
        return STP_OK;
    /* readable up to lo KiB, not at hi: halve the gap (SRAM is contiguous from its base) */
    uint32_t lo = table_kb, hi = SRAM_MAX_KB + 1;
    while (hi - lo > 1 && !other) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (readable(t, mid, &other))
            lo = mid;
        else
            hi = mid;
    }
    if (other)
        return STP_OK;
    t->info.sram_kb = lo;
    t->info.sram_measured = true;
    return STP_OK;
}
