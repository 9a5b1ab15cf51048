/* The generic flash engine: runs a family driver's callbacks with alignment checks,
 * chunking, busy polling under deadlines taken from the chip table (with margin), status
 * decoding into findings, and one exit path that always relocks the flash. */
#include "target/flash.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target/cortexm.h"
#include "target/flash_loader.h"
#include "target/iwdg.h"

#define LIST_DRIVER(kind, name) &stp_flash_##name,
static const stp_flash_driver *const drivers[] = {STP_FLASH_KINDS(LIST_DRIVER)};

const stp_flash_driver *stp_flash_driver_for(stp_flash_kind kind)
{
    for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
        if (drivers[i]->kind == kind)
            return drivers[i];
    return NULL;
}

stp_status stp_flash_init(stp_flash *f, stp_debug *dbg, const stp_chip *chip, uint32_t flash_kb,
                          bool dual_bank, stp_psize psize)
{
    memset(f, 0, sizeof(*f));
    if (dbg == NULL || chip == NULL)
        return STP_ERR_INVALID_ARG;
    f->drv = stp_flash_driver_for(chip->flash_kind);
    if (f->drv == NULL)
        return STP_ERR_UNSUPPORTED;
    f->dbg = dbg;
    f->chip = chip;
    f->regs = chip->flash_regs;
    f->flash_kb = flash_kb;
    f->dual_bank = dual_bank;
    f->psize = psize;
    f->route = &stp_flash_route_loader;
    return STP_OK;
}

void stp_flash_use_loader(stp_flash *f, bool on)
{
    if (f->route != &stp_flash_route_bootloader)
        f->route = on ? &stp_flash_route_loader : &stp_flash_route_registers;
}

void stp_flash_keep_loader(stp_flash *f, bool on)
{
    f->keep_loader = on;
    f->loader_resident = false;
}

void stp_flash_loader_failed(stp_flash *f)
{
    if (f->route == &stp_flash_route_loader)
        f->route = &stp_flash_route_registers;
}

stp_status stp_flash_reg_read(stp_flash *f, uint32_t offset, uint32_t *val)
{
    return f->dbg->ops->read_u32(f->dbg, f->regs + offset, val, f->findings);
}

stp_status stp_flash_reg_write(stp_flash *f, uint32_t offset, uint32_t val)
{
    if (f->record != NULL) {
        if (f->record_count + 1 > f->record_max)
            return STP_ERR_INTERNAL;
        f->record[2 * f->record_count] = f->regs + offset;
        f->record[2 * f->record_count + 1] = val;
        f->record_count++;
        return STP_OK;
    }
    return f->dbg->ops->write_u32(f->dbg, f->regs + offset, val, f->findings);
}

unsigned stp_flash_reg_sets(const stp_flash *f)
{
    return f->chip->flash_regs2 != 0 && f->chip->layout.bank_count > 1 ? 2u : 1u;
}

uint32_t stp_flash_bank_regs(const stp_flash *f, unsigned bank)
{
    return bank > 0 && stp_flash_reg_sets(f) > 1 ? f->chip->flash_regs2 - f->chip->flash_regs : 0;
}

uint32_t stp_flash_bank2_base(const stp_flash *f)
{
    return stp_flash_reg_sets(f) > 1 ? f->chip->layout.banks[1].base : 0;
}

/* --- deadlines from the chip table --------------------------------------------------- */

static uint32_t pick(const uint32_t *by_psize, stp_psize p)
{
    if (by_psize[p] != 0)
        return by_psize[p];
    for (int i = 0; i < STP_PSIZE_COUNT; i++) {
        if (by_psize[i] != 0)
            return by_psize[i]; /* families without PSIZE fill only their native width */
    }
    return 0;
}

static uint32_t with_margin_ms(uint64_t max_ms)
{
    return (uint32_t)(max_ms * 2 + 50); /* twice the datasheet maximum, plus USB slack */
}

uint32_t stp_flash_erase_deadline_ms(const stp_flash *f, uint32_t size)
{
    const stp_flash_timing *t = &f->chip->timing;
    uint32_t worst = 0;
    for (int i = 0; i < STP_MAX_ERASE_CLASSES; i++) {
        uint32_t m = pick(t->erase[i].max_ms, f->psize);
        if (t->erase[i].sector_size == size && m != 0)
            return with_margin_ms(m);
        if (m > worst)
            worst = m;
    }
    /* No row for this size: scale the largest known maximum, or assume 4 s per unit. */
    return with_margin_ms(worst ? worst : 4000);
}

uint32_t stp_flash_mass_erase_deadline_ms(const stp_flash *f)
{
    uint32_t m = pick(f->chip->timing.mass_erase_max_ms, f->psize);
    if (m == 0)
        m = 32000;
    return with_margin_ms(m);
}

uint32_t stp_flash_program_deadline_ms(const stp_flash *f, uint32_t units)
{
    uint64_t ns = pick(f->chip->timing.program_max_ns, f->psize);
    if (ns == 0)
        ns = 1000000;
    return with_margin_ms((ns * units + 999999) / 1000000);
}

#define WAIT_RETRIES_PER_TRANSFER 64u
#define SWD_CYCLES_PER_RETRY      48u

uint32_t stp_flash_units_per_transfer(const stp_flash *f)
{
    unsigned khz = f->dbg->info.swd_khz ? f->dbg->info.swd_khz : 4000;
    uint64_t ride_ns = (uint64_t)WAIT_RETRIES_PER_TRANSFER * SWD_CYCLES_PER_RETRY * 1000000u / khz;
    uint64_t unit_ns = pick(f->chip->timing.program_max_ns, f->psize);
    if (unit_ns == 0)
        return 1;
    uint64_t n = ride_ns / unit_ns;
    return n == 0 ? 1 : (uint32_t)(n > 1024 ? 1024 : n);
}

/* --- status polling -------------------------------------------------------------------- */

/* A mass erase gives no sign of how far it is: its progress is the time spent against the
 * datasheet's typical time, held at 99 % of its share until the controller says done. */
static void wait_progress(stp_flash *f, uint64_t waited_ms)
{
    uint64_t part = f->wait_span * waited_ms / f->wait_typ_ms;
    uint64_t cap = f->wait_span - f->wait_span / 100;
    stp_progress_emit(f->wait_env, STP_PROGRESS_ADVANCE, "erase",
                      f->wait_base + (part < cap ? part : cap), f->wait_total);
}

stp_status stp_flash_unlock_keys(stp_flash *f, uint32_t cr, uint32_t lock_bit, uint32_t keyr,
                                 uint32_t sr, uint32_t sr_clear)
{
    uint32_t v = 0;
    stp_status st = stp_flash_reg_read(f, cr, &v);
    if (st == STP_OK && (v & lock_bit)) {
        st = stp_flash_reg_write(f, keyr, STP_FLASH_KEY1);
        if (st == STP_OK)
            st = stp_flash_reg_write(f, keyr, STP_FLASH_KEY2);
        if (st == STP_OK)
            st = stp_flash_reg_read(f, cr, &v);
        if (st == STP_OK && (v & lock_bit)) {
            stp_finding *fd = stp_finding_add(f->findings, "flash.unlock-failed", STP_SEV_ERROR,
                                              "the flash stayed locked after the unlock keys");
            stp_finding_evidence(fd, "FLASH_CR", "0x%08X", (unsigned)v);
            stp_finding_advice(fd, "a wrong key sequence locks the flash until reset: "
                                   "reset the target and retry");
            return STP_ERR_FLASH;
        }
    }
    return st == STP_OK ? stp_flash_reg_write(f, sr, sr_clear) : st;
}

/* Decodes the error bits of one status register into findings and clears them (with the
 * end-of-operation flag); returns the first failure. */
static stp_status decode_status(stp_flash *f, uint32_t sr_off, uint32_t sr, const char *what,
                                int bank)
{
    const stp_flash_driver *drv = f->drv;
    stp_status result = STP_OK;
    uint32_t clear = drv->eop_mask & sr;
    for (size_t i = 0; i < drv->error_count; i++) {
        const stp_flash_error_bit *e = &drv->errors[i];
        if ((sr & e->mask) == 0)
            continue;
        clear |= e->mask;
        stp_finding *fd = stp_finding_add(f->findings, e->id, STP_SEV_ERROR, "%s failed: %s (%s)",
                                          what, e->meaning, e->bit);
        stp_finding_evidence(fd, "status_register", "0x%08X", (unsigned)sr);
        stp_finding_evidence(fd, "bit", "%s", e->bit);
        stp_finding_evidence(fd, "operation", "%s", what);
        if (bank >= 0)
            stp_finding_evidence(fd, "bank", "%d", bank + 1);
        if (e->advice != NULL)
            stp_finding_advice(fd, "%s", e->advice);
        if (result == STP_OK)
            result = e->status;
    }
    if (clear != 0) {
        /* write-1-to-clear, in the status register or the driver's clear register */
        uint32_t at =
            drv->sr_clear_offset ? sr_off - drv->sr_offset + drv->sr_clear_offset : sr_off;
        stp_status st = stp_flash_reg_write(f, at, clear);
        if (result == STP_OK)
            result = st;
    }
    return result;
}

stp_status stp_flash_wait(stp_flash *f, uint32_t deadline_ms, const char *what)
{
    stp_debug *d = f->dbg;
    const stp_flash_driver *drv = f->drv;
    uint64_t start = d->ops->now_ms(d);
    const unsigned sets = stp_flash_reg_sets(f);
    uint32_t sr[2] = {0, 0};
    /* The deadline is on the probe's clock, and also needs as many status reads as it has
     * milliseconds: a host that was descheduled (load, a VM pause, a board model that only
     * advances with the exchanges) must not time out an operation it did not watch. Far more
     * polls than that ends the wait even when the clock does not move. */
    uint64_t max_polls = (uint64_t)deadline_ms * 4 + 100;
    for (uint64_t polls = 0;; polls++) {
        bool busy = false;
        for (unsigned b = 0; b < sets; b++) {
            stp_status st =
                stp_flash_reg_read(f, stp_flash_bank_regs(f, b) + drv->sr_offset, &sr[b]);
            if (st != STP_OK)
                return st;
            busy = busy || (sr[b] & drv->busy_mask) != 0;
        }
        if (!busy)
            break;
        uint64_t waited = d->ops->now_ms(d) - start;
        if ((waited > deadline_ms && polls >= deadline_ms) || polls > max_polls) {
            stp_finding *fd = stp_finding_add(
                f->findings, "flash.timeout", STP_SEV_ERROR,
                "the flash controller was still busy %llu ms into the %s (allowed %u ms)",
                (unsigned long long)waited, what, (unsigned)deadline_ms);
            stp_finding_evidence(fd, "operation", "%s", what);
            stp_finding_evidence(fd, "status_register", "0x%08X", (unsigned)sr[0]);
            if (sets > 1)
                stp_finding_evidence(fd, "status_register_bank2", "0x%08X", (unsigned)sr[1]);
            stp_finding_evidence(fd, "deadline_ms", "%u", (unsigned)deadline_ms);
            stp_finding_advice(fd, "a flash operation far beyond the datasheet maximum points "
                                   "at the supply (brown-out during erase) or worn flash; "
                                   "run `stprog doctor`");
            return STP_ERR_TIMEOUT;
        }
        if (f->wait_env != NULL && f->wait_typ_ms > 0 && polls % 64 == 63)
            wait_progress(f, waited);
        d->ops->delay_ms(d, 1);
    }
    stp_status result = STP_OK;
    for (unsigned b = 0; b < sets; b++) {
        stp_status st = decode_status(f, stp_flash_bank_regs(f, b) + drv->sr_offset, sr[b], what,
                                      sets > 1 ? (int)b : -1);
        if (result == STP_OK)
            result = st;
    }
    return result;
}

/* --- operations: each has one exit path that relocks ------------------------------------ */

stp_status stp_flash_op_begin(stp_flash *f, stp_findings *findings)
{
    f->findings = findings;
    /* Reading DHCSR clears a stale S_RESET_ST, so stp_flash_check_reset sees only resets
     * during this operation. */
    uint32_t dhcsr = 0;
    stp_status st = f->dbg->ops->read_u32(f->dbg, STP_CM_DHCSR, &dhcsr, findings);
    f->debug_on = (dhcsr & STP_CM_DHCSR_C_DEBUGEN) != 0;
    /* The independent watchdog must not count while the core sits halted during the
     * operation (a hardware-started one would reset the chip part way). */
    stp_iwdg_freeze fz = {0};
    if (st == STP_OK) {
        stp_iwdg_freeze_on(f->dbg, f->chip, &fz);
        f->iwdg_flag_before = stp_iwdg_flag(f->dbg, f->chip);
    }
    f->wdg_freeze_addr = fz.addr;
    f->wdg_freeze_saved = fz.saved;
    f->wdg_clk_addr = fz.clk_addr;
    f->wdg_clk_bit = fz.clk_bit;
    if (st == STP_OK)
        st = f->drv->unlock(f);
    if (st == STP_OK)
        f->unlocked = true;
    return st;
}

stp_status stp_flash_op_end(stp_flash *f, stp_status st)
{
    /* Relock even after a failure; the first failure is what the caller sees. */
    stp_status ls = f->drv->lock(f);
    stp_iwdg_freeze fz = {.addr = f->wdg_freeze_addr,
                          .saved = f->wdg_freeze_saved,
                          .clk_addr = f->wdg_clk_addr,
                          .clk_bit = f->wdg_clk_bit};
    stp_iwdg_thaw(f->dbg, &fz);
    f->wdg_freeze_addr = 0;
    f->wdg_clk_addr = 0;
    f->unlocked = false;
    f->findings = NULL;
    return st != STP_OK ? st : ls;
}

static stp_status registers_erase(stp_flash *f, const stp_sector *sectors, size_t count,
                                  const stp_env *env, uint64_t *progress_done,
                                  uint64_t progress_total, stp_findings *findings)
{
    stp_status st = stp_flash_op_begin(f, findings);
    for (size_t i = 0; st == STP_OK && i < count; i++) {
        char what[48];
        snprintf(what, sizeof(what), "erase of sector %u", (unsigned)sectors[i].manual_number);
        st = f->drv->erase_start(f, &sectors[i]);
        if (st == STP_OK)
            st = stp_flash_wait(f, stp_flash_erase_deadline_ms(f, sectors[i].size), what);
        if (st == STP_OK)
            st = stp_flash_check_reset(f, what);
        if (f->drv->erase_end != NULL) {
            stp_status es = f->drv->erase_end(f);
            if (st == STP_OK)
                st = es;
        }
        if (st == STP_OK && progress_done != NULL) {
            *progress_done += sectors[i].size;
            stp_progress_emit(env, STP_PROGRESS_ADVANCE, "erase", *progress_done, progress_total);
        }
    }
    return stp_flash_op_end(f, st);
}

static stp_status registers_erase_all(stp_flash *f, const stp_sector *sectors, size_t count,
                                      const stp_env *env, stp_findings *findings)
{
    uint64_t total = 0, done = 0;
    for (size_t i = 0; i < count; i++)
        total += sectors[i].size;
    stp_progress_emit(env, STP_PROGRESS_START, "erase", 0, total);
    stp_status st;
    if (f->drv->mass_erase_start == NULL) {
        st = registers_erase(f, sectors, count, env, &done, total, findings);
    } else {
        st = stp_flash_op_begin(f, findings);
        if (st == STP_OK)
            st = f->drv->mass_erase_start(f, -1);
        f->wait_env = env;
        f->wait_typ_ms = pick(f->chip->timing.mass_erase_typ_ms, f->psize);
        f->wait_base = 0;
        f->wait_span = f->wait_total = total;
        if (st == STP_OK)
            st = stp_flash_wait(f, stp_flash_mass_erase_deadline_ms(f), "mass erase");
        f->wait_env = NULL;
        if (st == STP_OK)
            st = stp_flash_check_reset(f, "mass erase");
        if (f->drv->erase_end != NULL) {
            stp_status es = f->drv->erase_end(f);
            if (st == STP_OK)
                st = es;
        }
        st = stp_flash_op_end(f, st);
        if (st == STP_OK)
            done = total;
    }
    stp_progress_emit(env, STP_PROGRESS_END, "erase", done, total);
    return st;
}

/* Programs addr..addr+len: with the SRAM loader when use_loader (and the range is long
 * enough to pay for its upload), else chunk by chunk through the controller's registers. */
static stp_status program_range(stp_flash *f, uint32_t addr, const uint8_t *data, uint32_t len,
                                const stp_env *env, uint64_t *progress_done,
                                uint64_t progress_total, stp_findings *findings, bool use_loader)
{
    uint32_t unit = f->drv->program_unit(f);
    if (unit == 0 || addr % unit != 0 || len % unit != 0) {
        stp_finding *fd = stp_finding_add(findings, "flash.alignment-error", STP_SEV_ERROR,
                                          "program range 0x%08X+%u is not aligned to the "
                                          "%u-byte program unit",
                                          (unsigned)addr, (unsigned)len, (unsigned)unit);
        stp_finding_evidence(fd, "address", "0x%08X", (unsigned)addr);
        stp_finding_evidence(fd, "length", "%u", (unsigned)len);
        return STP_ERR_INTERNAL;
    }
    uint32_t chunk = f->drv->chunk_max;
    if (f->drv->stalls_per_unit && chunk / unit > stp_flash_units_per_transfer(f))
        chunk = stp_flash_units_per_transfer(f) * unit;
    if (chunk < unit)
        chunk = unit;
    chunk -= chunk % unit;
    stp_status st = stp_flash_op_begin(f, findings);
    bool programming = false;
    if (st == STP_OK) {
        st = f->drv->program_begin(f);
        programming = (st == STP_OK);
    }
    uint32_t per_check = f->drv->chunks_per_check ? f->drv->chunks_per_check : 1;
    uint32_t off = 0, pending = 0, chunks = 0;
    /* Fast path: the SRAM loader (flash_loader.c); when it cannot be set up it says why in a
     * finding and the chunks below program by direct register writes. */
    if (st == STP_OK && use_loader && len >= STP_FLASH_LOADER_MIN_BYTES) {
        bool used = false;
        st =
            stp_flash_loader_program(f, addr, data, len, env, progress_done, progress_total, &used);
        if (used)
            off = len;
        else
            stp_flash_loader_failed(f);
    }
    while (st == STP_OK && off < len) {
        uint32_t n = len - off < chunk ? len - off : chunk;
        st = f->drv->program_chunk(f, addr + off, data + off, n);
        if (st != STP_OK)
            break;
        off += n;
        pending += n;
        if (++chunks % per_check == 0 || off == len) {
            st = stp_flash_wait(f, stp_flash_program_deadline_ms(f, pending / unit), "program");
            if (st == STP_OK && progress_done != NULL) {
                *progress_done += pending;
                stp_progress_emit(env, STP_PROGRESS_ADVANCE, "program", *progress_done,
                                  progress_total);
            }
            pending = 0;
        }
    }
    if (st == STP_OK)
        st = stp_flash_check_reset(f, "program");
    if (programming) {
        stp_status es = f->drv->program_end(f);
        if (st == STP_OK)
            st = es;
    }
    return stp_flash_op_end(f, st);
}

static stp_status registers_program(stp_flash *f, uint32_t addr, const uint8_t *data, uint32_t len,
                                    const stp_env *env, uint64_t *progress_done,
                                    uint64_t progress_total, stp_findings *findings)
{
    return program_range(f, addr, data, len, env, progress_done, progress_total, findings, false);
}

static stp_status loader_program(stp_flash *f, uint32_t addr, const uint8_t *data, uint32_t len,
                                 const stp_env *env, uint64_t *progress_done,
                                 uint64_t progress_total, stp_findings *findings)
{
    return program_range(f, addr, data, len, env, progress_done, progress_total, findings, true);
}

static stp_status registers_read_options(stp_flash *f, stp_option_bytes *ob, stp_findings *findings)
{
    memset(ob, 0, sizeof(*ob));
    ob->bor_level = -1;
    f->findings = findings;
    stp_status st = f->drv->read_options(f, ob);
    f->findings = NULL;
    return st;
}

static stp_status registers_write_options(stp_flash *f, const stp_option_bytes *ob,
                                          stp_findings *findings)
{
    stp_status st = stp_flash_op_begin(f, findings);
    if (st == STP_OK)
        st = f->drv->write_options(f, ob);
    return stp_flash_op_end(f, st);
}

const stp_flash_route stp_flash_route_registers = {
    .name = "registers",
    .erase = registers_erase,
    .erase_all = registers_erase_all,
    .program = registers_program,
    .write = NULL,
    .read_options = registers_read_options,
    .write_options = registers_write_options,
    .runs_loader = false,
};

/* Erases run as register writes here; stp_flash_write (the erases inside the loader's
 * stream) is the loader's way to erase. */
const stp_flash_route stp_flash_route_loader = {
    .name = "sram-loader",
    .erase = registers_erase,
    .erase_all = registers_erase_all,
    .program = loader_program,
    .write = stp_flash_loader_route_write,
    .read_options = registers_read_options,
    .write_options = registers_write_options,
    .runs_loader = true,
};

/* --- the entry points: the session's route ----------------------------------------------- */

stp_status stp_flash_erase(stp_flash *f, const stp_sector *sectors, size_t count,
                           const stp_env *env, uint64_t *progress_done, uint64_t progress_total,
                           stp_findings *findings)
{
    return f->route->erase(f, sectors, count, env, progress_done, progress_total, findings);
}

stp_status stp_flash_erase_all(stp_flash *f, const stp_sector *sectors, size_t count,
                               const stp_env *env, stp_findings *findings)
{
    return f->route->erase_all(f, sectors, count, env, findings);
}

stp_status stp_flash_program(stp_flash *f, uint32_t addr, const uint8_t *data, uint32_t len,
                             const stp_env *env, uint64_t *progress_done, uint64_t progress_total,
                             stp_findings *findings)
{
    return f->route->program(f, addr, data, len, env, progress_done, progress_total, findings);
}

stp_status stp_flash_write(stp_flash *f, const stp_flash_write_req *req, const stp_env *env,
                           stp_findings *findings, bool *used)
{
    *used = false;
    return f->route->write != NULL ? f->route->write(f, req, env, findings, used) : STP_OK;
}

stp_status stp_flash_read_options(stp_flash *f, stp_option_bytes *ob, stp_findings *findings)
{
    return f->route->read_options(f, ob, findings);
}

stp_status stp_flash_write_options(stp_flash *f, const stp_option_bytes *ob, stp_findings *findings)
{
    return f->route->write_options(f, ob, findings);
}

/* --- PSIZE from voltage ---------------------------------------------------------------- */

static const unsigned psize_bits[STP_PSIZE_COUNT] = {8, 16, 32, 64};

stp_status stp_flash_choose_psize(const stp_chip *chip, double volts, unsigned forced_bits,
                                  stp_psize *out, stp_findings *findings)
{
    if (!chip->fam->psize_by_vdd) { /* one native width (F1 x16, L1 x32, L4 x64) */
        *out = chip->fam->program_width;
        return STP_OK;
    }
    const uint16_t *min = chip->timing.psize_min_mv;
    unsigned mv = volts > 0 ? (unsigned)(volts * 1000.0 + 0.5) : 0;
    bool measured = volts >= 1.0; /* probes without VREF sensing report ~0 V */
    char table[128];
    int used = 0;
    for (int p = 0; p < STP_PSIZE_COUNT; p++) {
        if (min[p] == 0)
            continue;
        used += snprintf(table + used, sizeof(table) - (size_t)used, "%sx%u from %u.%02u V%s",
                         used ? ", " : "", psize_bits[p], min[p] / 1000, (min[p] % 1000) / 10,
                         p == STP_PSIZE_X64 ? " with VPP" : "");
        if (used >= (int)sizeof(table))
            break;
    }
    if (used == 0)
        snprintf(table, sizeof(table), "(no table)");

    if (forced_bits != 0) {
        int p = -1;
        for (int i = 0; i < STP_PSIZE_COUNT; i++)
            if (psize_bits[i] == forced_bits)
                p = i;
        if (p < 0) {
            stp_finding *fd = stp_finding_add(findings, "flash.psize-invalid", STP_SEV_ERROR,
                                              "--psize %u: the program width must be 8, 16, "
                                              "32 or 64",
                                              forced_bits);
            stp_finding_evidence(fd, "psize", "%u", forced_bits);
            return STP_ERR_INVALID_ARG;
        }
        if (p == STP_PSIZE_X64) {
            stp_finding *fd = stp_finding_add(
                findings, "flash.psize-unsupported", STP_SEV_ERROR,
                "x64 programming needs an external VPP supply (8-9 V on the VPP pin) and "
                "64-bit writes, which stprog does not drive through the debug port");
            stp_finding_evidence(fd, "psize", "x64");
            stp_finding_evidence(fd, "voltage_table", "%s", table);
            stp_finding_advice(fd, "use --psize 32 (the fastest width from VDD alone)");
            return STP_ERR_UNSUPPORTED;
        }
        if (measured && min[p] != 0 && mv < min[p]) {
            stp_finding *fd = stp_finding_add(
                findings, "flash.psize-voltage", STP_SEV_ERROR,
                "refusing x%u programming at %.2f V: the datasheet requires at least %u.%02u V "
                "for that width",
                forced_bits, volts, min[p] / 1000, (min[p] % 1000) / 10);
            stp_finding_evidence(fd, "voltage", "%.2f V", volts);
            stp_finding_evidence(fd, "psize", "x%u", forced_bits);
            stp_finding_evidence(fd, "voltage_table", "%s", table);
            stp_finding_advice(fd, "leave --psize out to use the widest width the supply "
                                   "allows, or raise the target supply");
            return STP_ERR_POWER;
        }
        if (!measured) {
            stp_finding *fd = stp_finding_add(
                findings, "flash.psize-voltage-unknown", STP_SEV_WARNING,
                "the probe does not measure the target voltage; programming at the forced "
                "width x%u without a check",
                forced_bits);
            stp_finding_evidence(fd, "voltage_table", "%s", table);
        }
        *out = (stp_psize)p;
        return STP_OK;
    }
    stp_psize best = STP_PSIZE_X8;
    if (!measured) {
        stp_finding *fd;
        if (volts < 0) { /* a probe without a VREF input (CMSIS-DAP) */
            fd = stp_finding_add(findings, "flash.psize-voltage-unknown", STP_SEV_WARNING,
                                 "the probe does not measure the target voltage; programming "
                                 "at x8, the width every supply allows");
            stp_finding_evidence(fd, "voltage", "not measured");
        } else {
            fd = stp_finding_add(findings, "flash.psize-voltage-unknown", STP_SEV_WARNING,
                                 "the probe reports %.2f V for the target; programming at x8, "
                                 "the width every supply allows",
                                 volts);
            stp_finding_evidence(fd, "voltage", "%.2f V", volts);
        }
        stp_finding_evidence(fd, "voltage_table", "%s", table);
        stp_finding_advice(fd, "if the board runs at 3.3 V, --psize 32 programs four times "
                               "faster");
    } else {
        for (int p = STP_PSIZE_X8; p <= STP_PSIZE_X32; p++) {
            if (min[p] != 0 && mv >= min[p])
                best = (stp_psize)p;
        }
    }
    *out = best;
    return STP_OK;
}

stp_status stp_flash_write_psize(stp_flash *f, uint32_t addr, const uint8_t *data, uint32_t len)
{
    stp_debug *d = f->dbg;
    switch (f->psize) {
    case STP_PSIZE_X8:
        for (uint32_t i = 0; i < len; i++) {
            stp_status st = d->ops->write_mem(d, addr + i, data + i, 1, f->findings);
            if (st != STP_OK)
                return st;
        }
        return STP_OK;
    case STP_PSIZE_X16:
        for (uint32_t i = 0; i < len; i += 2) {
            uint16_t v = (uint16_t)(data[i] | (data[i + 1] << 8));
            stp_status st = d->ops->write_u16(d, addr + i, v, f->findings);
            if (st != STP_OK)
                return st;
        }
        return STP_OK;
    default:
        return d->ops->write_mem(d, addr, data, len, f->findings);
    }
}

int stp_flash_rdp_level(uint8_t raw)
{
    return raw == 0xAA ? 0 : (raw == 0xCC ? 2 : 1);
}

uint8_t stp_flash_rdp_raw(int level, uint8_t current)
{
    if (level == 0)
        return 0xAA;
    if (level == 2)
        return 0xCC;
    return stp_flash_rdp_level(current) == 1 ? current : 0x55;
}
