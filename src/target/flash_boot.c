/* Flash and option bytes through a memory backend (the ROM bootloader): erase, program and
 * option-byte changes are the backend's commands; progress is reported like the flash
 * engine's. Option bytes are decoded from the memory-mapped option-byte area (RM0008
 * 2.5 / RM0090 3.6 / RM0410 3.4: each value stored with its complement). */
#include "target/flash_boot.h"

#include <string.h>

#include "core/alloc.h"

#define PROGRAM_CHUNK 1024u
#define ERASE_BATCH   32u /* pages per Erase command when there is no mass erase */

const stp_mem_backend *stp_flash_backend(const stp_flash *f)
{
    return f->dbg != NULL ? f->dbg->ops->mem_backend : NULL;
}

stp_status stp_flash_boot_erase(stp_flash *f, const stp_sector *sectors, size_t count,
                                const stp_env *env, uint64_t *progress_done,
                                uint64_t progress_total, stp_findings *findings)
{
    const stp_mem_backend *be = stp_flash_backend(f);
    stp_status st = STP_OK;
    for (size_t i = 0; st == STP_OK && i < count; i++) {
        st = be->erase(f->dbg, &sectors[i], 1, findings);
        if (st == STP_OK && progress_done != NULL) {
            *progress_done += sectors[i].size;
            stp_progress_emit(env, STP_PROGRESS_ADVANCE, "erase", *progress_done, progress_total);
        }
    }
    return st;
}

stp_status stp_flash_boot_erase_all(stp_flash *f, const stp_sector *sectors, size_t count,
                                    const stp_env *env, stp_findings *findings)
{
    uint64_t total = 0;
    for (size_t i = 0; i < count; i++)
        total += sectors[i].size;
    stp_progress_emit(env, STP_PROGRESS_START, "erase", 0, total);
    stp_status st = STP_OK;
    if (f->chip->fam->bootloader_no_mass_erase) {
        /* L0/L1: the bootloader NACKs the mass-erase codes (AN2606); every page is erased
         * by number, a batch per command, as stm32flash does there. */
        uint64_t done = 0;
        for (size_t i = 0; st == STP_OK && i < count; i += ERASE_BATCH) {
            size_t n = count - i < ERASE_BATCH ? count - i : ERASE_BATCH;
            st = stp_flash_backend(f)->erase(f->dbg, &sectors[i], n, findings);
            for (size_t j = 0; st == STP_OK && j < n; j++)
                done += sectors[i + j].size;
            if (st == STP_OK)
                stp_progress_emit(env, STP_PROGRESS_ADVANCE, "erase", done, total);
        }
    } else {
        st = stp_flash_backend(f)->mass_erase(f->dbg, findings);
    }
    stp_progress_emit(env, STP_PROGRESS_END, "erase", st == STP_OK ? total : 0, total);
    return st;
}

stp_status stp_flash_boot_program(stp_flash *f, uint32_t addr, const uint8_t *data, uint32_t len,
                                  const stp_env *env, uint64_t *progress_done,
                                  uint64_t progress_total, stp_findings *findings)
{
    const stp_mem_backend *be = stp_flash_backend(f);
    if (addr % be->program_unit != 0 || len % be->program_unit != 0)
        return STP_ERR_INTERNAL; /* the planner aligns to program_unit */
    stp_status st = STP_OK;
    for (uint32_t off = 0; st == STP_OK && off < len; off += PROGRAM_CHUNK) {
        uint32_t n = len - off < PROGRAM_CHUNK ? len - off : PROGRAM_CHUNK;
        st = be->program(f->dbg, addr + off, data + off, n, findings);
        if (st == STP_OK && progress_done != NULL) {
            *progress_done += n;
            stp_progress_emit(env, STP_PROGRESS_ADVANCE, "program", *progress_done, progress_total);
        }
    }
    return st;
}

/* ---- option bytes -------------------------------------------------------------------------- */

/* How much of an option area is read for decode_mapped_options: the area as long as the
 * chip row says, 16 bytes where it says nothing, at most OB_MAPPED_MAX (the L4-type
 * area's WRP words end at +0x28). */
#define OB_MAPPED_MAX 48u

static uint32_t mapped_len(uint32_t size)
{
    return size == 0 ? 16u : size < OB_MAPPED_MAX ? size : OB_MAPPED_MAX;
}

stp_status stp_flash_boot_read_options(stp_flash *f, stp_option_bytes *ob, stp_findings *findings)
{
    const stp_chip *c = f->chip;
    uint8_t b[OB_MAPPED_MAX], b2[OB_MAPPED_MAX];
    memset(ob, 0, sizeof(*ob));
    memset(b, 0, sizeof(b));
    ob->bor_level = -1;
    if (f->drv->decode_mapped_options == NULL) {
        stp_finding *fd = stp_finding_add(findings, "option.not-via-bootloader", STP_SEV_ERROR,
                                          "stprog does not decode the %s option bytes over "
                                          "the bootloader yet",
                                          c->family);
        stp_finding_advice(fd, "use an SWD probe for option bytes on this family");
        return STP_ERR_UNSUPPORTED;
    }
    stp_findings scratch = {0};
    stp_status st = f->dbg->ops->read_mem(f->dbg, c->option_bytes_addr, b,
                                          mapped_len(c->option_bytes_size), &scratch);
    bool two = st == STP_OK && c->option_bytes2_addr != 0;
    /* the second block as long as it is (L1 cat.5: 8 bytes, WRP3/WRP4) */
    size_t len2 = mapped_len(c->option_bytes2_size);
    memset(b2, 0, sizeof(b2));
    if (two)
        st = f->dbg->ops->read_mem(f->dbg, c->option_bytes2_addr, b2, (uint32_t)len2, &scratch);
    if (st == STP_ERR_PROTECTED) {
        /* The ROM code refuses every read under read protection: level 1 (level 2 would
         * not have answered at all). */
        stp_findings_free(&scratch);
        stp_finding *fd = stp_finding_add(findings, "protect.rdp1", STP_SEV_WARNING,
                                          "the bootloader refuses to read memory: the flash "
                                          "is read-protected (RDP level 1)");
        stp_finding_evidence(fd, "reply", "NACK to Read Memory");
        stp_finding_advice(fd, "`stprog option-bytes set rdp=0 --unlock` sends Readout "
                               "Unprotect: the chip erases its flash and drops the protection");
        ob->rdp_level = 1;
        ob->rdp_raw = 0x55;
        ob->wrp_bits = 0;
        return STP_OK;
    }
    stp_findings_append(findings, &scratch);
    stp_findings_free(&scratch);
    if (st != STP_OK)
        return st;
    for (unsigned i = 0; i < 4; i++)
        ob->raw[i] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
                     (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
    ob->raw_count = 4;
    f->drv->decode_mapped_options(f, b, two ? b2 : NULL, ob);
    return STP_OK;
}

static stp_status not_via_bootloader(stp_findings *findings, const char *what)
{
    stp_finding *fd = stp_finding_add(findings, "option.not-via-bootloader", STP_SEV_ERROR,
                                      "the ROM bootloader cannot set %s", what);
    stp_finding_advice(fd, "the bootloader sets read protection level 0/1 and write "
                           "protection only; use an SWD probe for the other option bytes");
    return STP_ERR_UNSUPPORTED;
}

stp_status stp_flash_boot_write_options(stp_flash *f, const stp_option_bytes *want,
                                        stp_findings *findings)
{
    const stp_mem_backend *be = stp_flash_backend(f);
    stp_option_bytes cur;
    stp_findings scratch = {0};
    stp_status st = stp_flash_boot_read_options(f, &cur, &scratch);
    stp_findings_free(&scratch);
    if (st != STP_OK)
        return st;
    if (want->rdp_level == 2 && cur.rdp_level != 2)
        return not_via_bootloader(findings, "read protection level 2");
    if (cur.rdp_level == 1 && want->rdp_level == 1 &&
        memcmp(want->wrp, cur.wrp, sizeof(cur.wrp)) != 0) {
        /* Under read protection the bootloader refuses Write (Un)Protect. */
        stp_finding *fd = stp_finding_add(findings, "protect.rdp1", STP_SEV_ERROR,
                                          "the write protection cannot be changed while the "
                                          "flash is read-protected (RDP level 1)");
        stp_finding_advice(fd, "remove the read protection first: `stprog option-bytes set "
                               "rdp=0 --unlock` (erases the flash)");
        return STP_ERR_PROTECTED;
    }
    if (cur.rdp_level == 0 && (want->bor_level != cur.bor_level || want->user != cur.user))
        return not_via_bootloader(findings, "the user option bits or the BOR level");
    if (cur.rdp_level == 1 && want->rdp_level == 0) {
        st = be->readout_unprotect(f->dbg, findings);
        if (st == STP_OK)
            st = stp_flash_boot_read_options(f, &cur, findings);
        if (st != STP_OK)
            return st;
    }
    bool wrp_change = false, any = false;
    uint8_t units[STP_WRP_BITS];
    size_t n = 0;
    for (uint32_t i = 0; i < cur.wrp_bits; i++) {
        bool w = stp_option_wrp_get(want, i);
        wrp_change = wrp_change || w != stp_option_wrp_get(&cur, i);
        if (w && i > 255)
            return not_via_bootloader(findings, "write protection of units past 255 (Write "
                                                "Protect takes one byte per unit)");
        if (w) {
            units[n++] = (uint8_t)i;
            any = true;
        }
    }
    if (st == STP_OK && wrp_change)
        st = any ? be->write_protect(f->dbg, units, n, findings)
                 : be->write_unprotect(f->dbg, findings);
    if (st == STP_OK && want->rdp_level == 1 && cur.rdp_level == 0)
        st = be->readout_protect(f->dbg, findings);
    return st;
}

const stp_flash_route stp_flash_route_bootloader = {
    .name = "rom-bootloader",
    .erase = stp_flash_boot_erase,
    .erase_all = stp_flash_boot_erase_all,
    .program = stp_flash_boot_program,
    .write = NULL,
    .read_options = stp_flash_boot_read_options,
    .write_options = stp_flash_boot_write_options,
    .runs_loader = false,
};
