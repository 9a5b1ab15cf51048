/* Erase and program as one operation through the SRAM loader (erases overlapped with the
 * data stream), the driver's erase sequence recorded for the loader, the choice between a
 * mass erase and unit erases, and the check that no reset cut an operation short. */
#include <stdio.h>

#include "core/alloc.h"

#include "target/cortexm.h"
#include "target/flash.h"
#include "target/flash_loader.h"
#include "target/iwdg.h"

size_t stp_flash_erase_ops(stp_flash *f, const stp_sector *s, uint32_t *pairs, size_t max_pairs)
{
    const stp_flash_driver *drv = f->drv;
    if (s == NULL && drv->mass_erase_start == NULL)
        return 0;
    f->record = pairs;
    f->record_count = 0;
    f->record_max = max_pairs;
    /* one register set per bank: the loader pass erases its own bank */
    const int bank = stp_flash_reg_sets(f) > 1 ? (int)f->pass_bank : -1;
    stp_status st = s != NULL ? drv->erase_start(f, s) : drv->mass_erase_start(f, bank);
    if (st == STP_OK && f->record_count < max_pairs) { /* the wait, naming the unit */
        pairs[2 * f->record_count] = 0;
        pairs[2 * f->record_count + 1] = s != NULL ? s->addr : 0;
        f->record_count++;
    } else {
        st = STP_ERR_INTERNAL;
    }
    if (st == STP_OK && drv->erase_end != NULL)
        st = drv->erase_end(f);
    /* back to programming mode: block mode where the loader programs blocks (L1) */
    if (st == STP_OK)
        st = drv->loader_block_mode != NULL ? drv->loader_block_mode(f, true)
                                            : drv->program_begin(f);
    size_t n = f->record_count;
    f->record = NULL;
    f->record_count = f->record_max = 0;
    return st == STP_OK ? n : 0;
}

static uint32_t typ_ms(const uint32_t *by_psize, stp_psize p)
{
    if (by_psize[p] != 0)
        return by_psize[p];
    for (int i = 0; i < STP_PSIZE_COUNT; i++)
        if (by_psize[i] != 0)
            return by_psize[i]; /* families without PSIZE fill only their native width */
    return 0;
}

bool stp_flash_prefers_mass_erase(const stp_flash *f, const stp_sector *sectors, size_t count)
{
    const stp_flash_timing *t = &f->chip->timing;
    uint32_t mass = typ_ms(t->mass_erase_typ_ms, f->psize);
    if (f->drv->mass_erase_start == NULL || mass == 0 || count == 0)
        return false;
    uint64_t units = 0;
    for (size_t i = 0; i < count; i++) {
        uint32_t u = 0;
        for (int k = 0; k < STP_MAX_ERASE_CLASSES && u == 0; k++)
            if (t->erase[k].sector_size == sectors[i].size)
                u = typ_ms(t->erase[k].typ_ms, f->psize);
        if (u == 0)
            return false; /* a unit without a datasheet time: no basis for the choice */
        units += u;
    }
    /* one register set per bank (F1 XL): a mass erase per bank, one after the other */
    return (uint64_t)mass * stp_flash_reg_sets(f) * 2 <= units;
}

stp_status stp_flash_check_reset(stp_flash *f, const char *what)
{
    stp_debug *d = f->dbg;
    uint32_t dhcsr = 0, sr = 0;
    stp_status st = d->ops->read_u32(d, STP_CM_DHCSR, &dhcsr, f->findings);
    if (st != STP_OK)
        return st;
    bool power = f->debug_on && !(dhcsr & STP_CM_DHCSR_C_DEBUGEN);
    if (!power && !(dhcsr & STP_CM_DHCSR_S_RESET_ST))
        return STP_OK;
    (void)stp_flash_reg_read(f, f->drv->sr_offset, &sr);
    stp_finding *fd;
    if (power) {
        fd = stp_finding_add(f->findings, "power.brownout-reset", STP_SEV_ERROR,
                             "the chip went through a power-on/brown-out reset during the %s: "
                             "the flash holds neither the old nor the new contents there",
                             what);
        stp_finding_evidence(fd, "DHCSR",
                             "0x%08X (debug enable lost: only a power reset "
                             "clears it)",
                             (unsigned)dhcsr);
        stp_finding_advice(fd, "flash erase and programming draw more current than the running "
                               "chip: use a supply that holds its voltage under load, then "
                               "run `stprog doctor --flash-test`");
    } else if (!f->iwdg_flag_before && stp_iwdg_flag(d, f->chip)) {
        fd = stp_finding_add(f->findings, "flash.interrupted-by-reset", STP_SEV_ERROR,
                             "the independent watchdog (IWDG) reset the chip during the %s: "
                             "the operation stopped part way",
                             what);
        stp_finding_evidence(fd, "DHCSR", "0x%08X (S_RESET_ST)", (unsigned)dhcsr);
        stp_finding_evidence(fd, "reset_flags", "IWDGRSTF (RCC_CSR 0x%08X)",
                             (unsigned)stp_iwdg_rcc_csr_addr(f->chip));
        stp_finding_evidence(fd, "connect", "%s", f->under_reset ? "under reset" : "normal");
        stp_finding_evidence(fd, "loader_reloads",
                             f->iwdg_window ? "no: IWDG_WINR below IWDG_RLR (a reload outside "
                                              "the window resets the chip)"
                                            : "every <100 instructions, faster than the shortest "
                                              "IWDG period (one LSI/4 tick, 0.07-0.125 ms)");
        if (f->iwdg_window)
            stp_finding_advice(fd, "the firmware set a watchdog window, so it cannot be reloaded "
                                   "at the loader's pace: connect under reset (`--connect "
                                   "under-reset`) so the firmware never configures it");
        else if (f->under_reset)
            stp_finding_advice(fd, "the firmware never ran: the hardware-watchdog option "
                                   "(wdg_sw/iwdg_sw = 0) started it. stprog freezes it while the "
                                   "core is halted and reloads it from the loader, so the freeze "
                                   "did not take (G0: RCC_APBENR1.DBGEN); set wdg_sw/iwdg_sw=1 "
                                   "with `stprog option-bytes` to program, then back");
        else
            stp_finding_advice(fd, "the firmware started it: connect under reset (`--connect "
                                   "under-reset`) so it never runs; if the option bytes start it "
                                   "(wdg_sw/iwdg_sw = 0), set them to 1 with `stprog "
                                   "option-bytes` to program, then back");
    } else {
        fd = stp_finding_add(f->findings, "flash.interrupted-by-reset", STP_SEV_ERROR,
                             "the chip reset during the %s (watchdog, NRST or software "
                             "reset): the operation stopped part way",
                             what);
        stp_finding_evidence(fd, "DHCSR", "0x%08X (S_RESET_ST)", (unsigned)dhcsr);
        stp_finding_evidence(fd, "connect", "%s", f->under_reset ? "under reset" : "normal");
        stp_finding_advice(fd, "%s; `stprog doctor` tells which reset it was",
                           f->under_reset
                               ? "connected under reset, the firmware never ran: a watchdog "
                                 "started by its hardware option (wdg_sw/iwdg_sw/wwdg_sw = 0), "
                                 "or something pulling NRST (a supervisor, a button, noise): "
                                 "scope NRST"
                               : "firmware that resets the chip must not run while flashing: "
                                 "connect under reset (`--connect under-reset`)");
    }
    stp_finding_evidence(fd, "operation", "%s", what);
    stp_finding_evidence(fd, "flash_status_register", "0x%08X", (unsigned)sr);
    return power ? STP_ERR_POWER : STP_ERR_FLASH;
}

/* Block programming (L1 half-pages): the partial blocks at both ends of each piece, by
 * direct writes after the loader is done (a chunk shorter than a block goes unit by unit). */
static stp_status block_ends(stp_flash *f, const stp_flash_write_req *req, uint32_t bb,
                             const stp_env *env)
{
    stp_status st = STP_OK;
    for (size_t i = 0; st == STP_OK && i < req->piece_count; i++) {
        const stp_flash_piece *pc = &req->pieces[i];
        uint32_t head = (bb - pc->addr % bb) % bb;
        head = head > pc->len ? pc->len : head;
        const uint32_t tail = (pc->len - head) % bb;
        const uint32_t ends[2][2] = {{0, head}, {pc->len - tail, tail}};
        for (int e = 0; e < 2 && st == STP_OK; e++) {
            if (ends[e][1] == 0 || (e == 1 && head == pc->len))
                continue;
            st = f->drv->program_chunk(f, pc->addr + ends[e][0], pc->data + ends[e][0], ends[e][1]);
            if (st == STP_OK)
                st = stp_flash_wait(
                    f, stp_flash_program_deadline_ms(f, ends[e][1] / f->drv->program_unit(f)),
                    "program");
            if (st == STP_OK && req->progress_done != NULL) {
                *req->progress_done += ends[e][1];
                stp_progress_emit(env, STP_PROGRESS_ADVANCE, req->phase, *req->progress_done,
                                  req->progress_total);
            }
        }
    }
    return st;
}

stp_status stp_flash_loader_route_write(stp_flash *f, const stp_flash_write_req *req,
                                        const stp_env *env, stp_findings *findings, bool *used)
{
    *used = false;
    uint64_t bytes = 0;
    for (size_t i = 0; i < req->piece_count; i++)
        bytes += req->pieces[i].len;
    if (bytes < STP_FLASH_LOADER_MIN_BYTES)
        return STP_OK;
    const uint32_t unit = f->drv->program_unit(f);
    for (size_t i = 0; i < req->piece_count; i++)
        if (unit == 0 || req->pieces[i].addr % unit != 0 || req->pieces[i].len % unit != 0)
            return STP_OK; /* the direct path reports the alignment error */
    /* Block programming (L1 half-pages): the loader streams the whole blocks of each piece
     * in block mode (the recorded erases return to it), block_ends does the rest. */
    const uint32_t bb = f->drv->loader_block_mode != NULL ? f->chip->timing.block_program_bytes : 0;
    stp_flash_write_req mids = *req;
    stp_flash_piece *mid = NULL;
    if (bb != 0) {
        mid = stp_calloc(req->piece_count ? req->piece_count : 1, sizeof(*mid));
        if (mid == NULL)
            return STP_ERR_NOMEM;
        mids.pieces = mid;
        mids.piece_count = 0;
        for (size_t i = 0; i < req->piece_count; i++) {
            const stp_flash_piece *pc = &req->pieces[i];
            uint32_t head = (bb - pc->addr % bb) % bb;
            head = head > pc->len ? pc->len : head;
            uint32_t n = (pc->len - head) - (pc->len - head) % bb;
            if (n != 0)
                mid[mids.piece_count++] =
                    (stp_flash_piece){.addr = pc->addr + head, .data = pc->data + head, .len = n};
        }
    }
    stp_status st = stp_flash_op_begin(f, findings);
    bool programming = false;
    if (st == STP_OK) {
        st = f->drv->program_begin(f);
        programming = (st == STP_OK);
    }
    if (st == STP_OK && bb != 0)
        st = f->drv->loader_block_mode(f, true);
    if (st == STP_OK) {
        st = stp_flash_loader_write(f, &mids, env, used);
        if (!*used)
            stp_flash_loader_failed(f);
    }
    if (bb != 0) {
        stp_status ms = f->drv->loader_block_mode(f, false);
        if (st == STP_OK)
            st = ms;
        if (st == STP_OK && *used)
            st = block_ends(f, req, bb, env);
    }
    if (programming) {
        stp_status es = f->drv->program_end(f);
        if (st == STP_OK)
            st = es;
    }
    stp_free(mid);
    return stp_flash_op_end(f, st);
}
