/* Helpers shared by the operations: preparing the target, chunked reads with progress,
 * overlaying image bytes, the verify mismatch finding. */
#include "ops/ops_internal.h"

#include <string.h>

#include "target/cortexm.h"

#define READ_CHUNK 4096u

stp_status stp_ops_prepare(stp_target *t, stp_findings *findings)
{
    bool halted = false;
    bool core = t->dbg->ops->mem_backend == NULL; /* the ROM bootloader has no core access */
    stp_status st = core ? stp_cm_is_halted(t->dbg, &halted, findings) : STP_OK;
    if (st == STP_OK && core && !halted)
        st = stp_cm_halt(t->dbg, findings);
    stp_option_bytes ob;
    if (st == STP_OK)
        st = stp_target_read_options(t, &ob, findings);
    if (st != STP_OK)
        return st;
    stp_target_apply_protection(t, &ob);
    if (ob.rdp_level != 0) {
        stp_finding *f = stp_finding_add(findings, "protect.rdp-active", STP_SEV_ERROR,
                                         "the flash is read-protected (RDP level %d): the "
                                         "debug port cannot read or program it",
                                         ob.rdp_level);
        stp_finding_evidence(f, "rdp_level", "%d", ob.rdp_level);
        stp_finding_evidence(f, "rdp_raw", "0x%02X", (unsigned)ob.rdp_raw);
        if (ob.rdp_level == 1)
            stp_finding_advice(f, "`stprog option-bytes set rdp=0 --unlock` removes the "
                                  "protection and erases the whole flash");
        else
            stp_finding_advice(f, "level 2 is permanent; the chip cannot be reprogrammed "
                                  "through the debug port");
        return STP_ERR_PROTECTED;
    }
    return STP_OK;
}

size_t stp_ops_region_of(const stp_target *t, uint32_t addr)
{
    return stp_plan_region_index(t->regions, t->sector_count, addr);
}

stp_status stp_ops_read(stp_target *t, uint32_t addr, uint32_t len, uint8_t *buf,
                        const stp_env *env, const char *phase, uint64_t *done, uint64_t total,
                        stp_findings *findings)
{
    uint32_t off = 0;
    uint64_t fb = t->info.flash_base, fe = fb + (uint64_t)t->info.flash_kb * 1024u;
    bool ecc = t->flash.drv && t->flash.drv->ecc_take && addr < fe && addr + (uint64_t)len > fb;
    while (off < len) {
        uint32_t n = len - off < READ_CHUNK ? len - off : READ_CHUNK;
        stp_findings scratch = {0};
        stp_status st =
            t->dbg->ops->read_mem(t->dbg, addr + off, buf + off, n, ecc ? &scratch : findings);
        if (ecc) /* H7 answers a word with an uncorrectable ECC error with a bus error */
            st = stp_ops_ecc_explain(t, st, phase, &scratch, findings);
        if (st != STP_OK)
            return st;
        off += n;
        *done += n;
        stp_progress_emit(env, STP_PROGRESS_ADVANCE, phase, *done, total);
    }
    return STP_OK;
}

void stp_ops_overlay(const stp_segment *segs, size_t nsegs, uint32_t addr, uint8_t *buf,
                     uint32_t len)
{
    uint64_t end = (uint64_t)addr + len;
    for (size_t i = 0; i < nsegs; i++) {
        uint64_t s = segs[i].addr, e = s + segs[i].size;
        if (e <= addr || s >= end)
            continue;
        uint64_t a = s > addr ? s : addr;
        uint64_t b = e < end ? e : end;
        memcpy(buf + (a - addr), segs[i].data + (a - s), (size_t)(b - a));
    }
}

void stp_ops_mismatch_finding(const stp_verify_result *r, stp_findings *findings)
{
    stp_finding *f =
        stp_finding_add(findings, "verify.mismatch", STP_SEV_ERROR,
                        "verify failed: %llu of %llu bytes differ, the first at "
                        "0x%08X (expected 0x%02X, read 0x%02X)",
                        (unsigned long long)r->mismatches, (unsigned long long)r->compared,
                        (unsigned)r->first_address, (unsigned)r->expected, (unsigned)r->actual);
    stp_finding_evidence(f, "first_address", "0x%08X", (unsigned)r->first_address);
    stp_finding_evidence(f, "mismatches", "%llu", (unsigned long long)r->mismatches);
    stp_finding_evidence(f, "compared", "%llu", (unsigned long long)r->compared);
    stp_finding_evidence(f, "expected", "0x%02X", (unsigned)r->expected);
    stp_finding_evidence(f, "actual", "0x%02X", (unsigned)r->actual);
    stp_finding_advice(f, "bits that stay 0 after an erase point at worn sectors; random "
                          "differences at a high SWD clock point at the wiring (--freq)");
}
