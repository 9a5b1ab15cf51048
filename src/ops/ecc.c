/* Flash ECC errors named where a read meets them (finding flash.ecc-error). A word whose ECC
 * code disagrees with its cells in two bits is what a write cut short leaves (power lost
 * while a word was programmed): H7 answers a read of it with a bus error, L4/G0/G4 with
 * the wrong bits and an NMI; in one bit the chip corrects the data and says so. Either way
 * the controller latches the first such word (FLASH_SR + FLASH_ECC_FAR on H7, FLASH_ECCR
 * on L4/G0/G4) until its flags are cleared: the operations clear them before they read and
 * look at them after, so a read fault, a mismatch or a garbled dump is named for what it
 * is, with the sector to erase. */
#include "ops/ops_internal.h"

/* The address and region of an offset in a bank (NULL: no such region). */
static const stp_flash_region *locate(const stp_target *t, const stp_flash_ecc *e, uint32_t *addr)
{
    for (size_t i = 0; i < t->sector_count; i++) {
        if (t->regions[i].bank != e->bank)
            continue;
        *addr = t->regions[i].addr + e->offset;
        size_t r = stp_plan_region_index(t->regions, t->sector_count, *addr);
        return r < t->sector_count ? &t->regions[r] : NULL;
    }
    return NULL;
}

static void report(const stp_target *t, const stp_flash_ecc *e, const char *how,
                   stp_findings *findings)
{
    uint32_t addr = 0;
    const stp_flash_region *r = locate(t, e, &addr);
    uint32_t word = stp_chip_ecc_word(t->id.chip);
    stp_finding *f = stp_finding_add(
        findings, "flash.ecc-error", e->dbl ? STP_SEV_ERROR : STP_SEV_WARNING,
        e->dbl ? "the flash word at 0x%08X fails its ECC check: two bits are wrong and the chip "
                 "cannot correct them (%s)"
               : "the flash word at 0x%08X had one wrong bit, which the chip's ECC corrected (%s)",
        (unsigned)addr, how);
    stp_finding_evidence(f, "address", "0x%08X", (unsigned)addr);
    stp_finding_evidence(f, "ecc", "%s",
                         e->dbl ? "double (detected, not corrected)" : "single (corrected)");
    stp_finding_evidence(f, "bank", "%u", e->bank + 1u);
    stp_finding_evidence(f, "word_bytes", "%u", (unsigned)word);
    if (r)
        stp_finding_evidence(f, "sector", "%u", (unsigned)r->number);
    stp_finding_evidence(f, "found_by", "%s", how);
    if (r && e->dbl)
        stp_finding_advice(f,
                           "a write cut short (power lost while programming) leaves such words: "
                           "erase the sector and write it again (`stprog erase --sectors %u`, "
                           "then `stprog write`); if it comes back after a fresh erase and "
                           "write, this sector's flash is worn",
                           (unsigned)r->number);
    else if (r)
        stp_finding_advice(f,
                           "the data read was right; rewrite the sector before a second bit "
                           "fails (`stprog erase --sectors %u`, then `stprog write`); if it "
                           "comes back, this sector's flash is worn",
                           (unsigned)r->number);
}

void stp_ops_ecc_forget(stp_target *t)
{
    stp_flash_ecc e[STP_FLASH_ECC_MAX];
    size_t n = 0;
    if (t->flash.drv && t->flash.drv->ecc_take)
        (void)t->flash.drv->ecc_take(&t->flash, e, &n);
}

unsigned stp_ops_ecc_check(stp_target *t, const char *how, stp_findings *findings)
{
    stp_flash_ecc e[STP_FLASH_ECC_MAX];
    size_t n = 0;
    unsigned dbl = 0;
    if (!t->flash.drv || !t->flash.drv->ecc_take ||
        t->flash.drv->ecc_take(&t->flash, e, &n) != STP_OK)
        return 0;
    for (size_t i = 0; i < n; i++) {
        report(t, &e[i], how, findings);
        dbl += e[i].dbl;
    }
    return dbl;
}

stp_status stp_ops_ecc_explain(stp_target *t, stp_status st, const char *how, stp_findings *scratch,
                               stp_findings *findings)
{
    if (st != STP_OK && stp_ops_ecc_check(t, how, findings) > 0)
        st = STP_ERR_FLASH;
    else
        stp_findings_append(findings, scratch);
    stp_findings_free(scratch);
    return st;
}
