/* The target handle: attach in the requested connect mode, identify, set up the flash
 * session (PSIZE from the measured voltage, bank mode), core control and option bytes. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "target/cortexm.h"
#include "target/flash_boot.h"
#include "target/target_internal.h"

static stp_status build_geometry(stp_target *t)
{
    size_t n = stp_chip_sectors(t->id.chip, t->id.flash_kb, t->info.dual_bank, NULL, 0);
    if (n == 0)
        return STP_ERR_INTERNAL;
    t->sectors = stp_calloc(n, sizeof(*t->sectors));
    t->regions = stp_calloc(n, sizeof(*t->regions));
    if (t->sectors == NULL || t->regions == NULL)
        return STP_ERR_NOMEM;
    t->sector_count =
        stp_chip_sectors(t->id.chip, t->id.flash_kb, t->info.dual_bank, t->sectors, n);
    for (size_t i = 0; i < t->sector_count; i++) {
        t->regions[i].addr = t->sectors[i].addr;
        t->regions[i].size = t->sectors[i].size;
        t->regions[i].number = t->sectors[i].manual_number;
        t->regions[i].bank = t->sectors[i].bank;
    }
    return STP_OK;
}

/* Connect under reset whose NRST pulse left no trace (DHCSR.S_RESET_ST clear after the
 * release): the pin is not wired to the chip's reset, so the firmware kept running while
 * "held". Said, and the reset it asked for done another way: a system reset with vector
 * catch stops the core at the reset vector before the firmware's first instruction. */
static stp_status nrst_had_no_effect(stp_debug *d, uint32_t dhcsr, stp_findings *findings)
{
    stp_finding *f = stp_finding_add(findings, "connect.nrst-no-effect", STP_SEV_WARNING,
                                     "--connect under-reset: NRST had no effect, the chip was "
                                     "not held in reset (its firmware ran until the halt); "
                                     "used a system reset with vector catch instead");
    stp_finding_evidence(f, "DHCSR", "0x%08X (S_RESET_ST clear after NRST was released)",
                         (unsigned)dhcsr);
    stp_finding_advice(f, "wire the probe's NRST (RST) pin to the board's reset: firmware "
                          "that turns SWD off or sleeps right after start can only be "
                          "reached under a working NRST");
    /* The core kind matters only for a core reset (VECTRESET): any kind does here. */
    return stp_cm_reset(d, STP_CORE_M0P, STP_RESET_SW, true, findings);
}

/* A halt that timed out although the chip was reset under NRST: the advice to connect
 * under reset (cortexm.c) was followed already. */
static void halt_failed_under_reset(stp_findings *findings, size_t from)
{
    for (size_t i = from; findings != NULL && i < findings->count; i++) {
        stp_finding *f = &findings->items[i];
        if (strcmp(f->id, "core.halt-timeout") == 0)
            stp_finding_advice(f, "already connected under reset: a core that does not halt "
                                  "out of reset does not run at all (no supply to the core, "
                                  "no clock): `stprog doctor` checks the supply and the reset");
    }
}

static stp_status connect(stp_debug *d, stp_target_connect mode, bool *was_running,
                          stp_findings *findings)
{
    uint32_t dp = 0;
    stp_status st;
    *was_running = false;
    if (mode == STP_TARGET_CONNECT_UNDER_RESET) {
        st = d->ops->set_nrst(d, true, findings);
        if (st == STP_OK)
            st = d->ops->attach(d, &dp, findings);
        if (st == STP_OK)
            st = d->ops->write_u32(
                d, STP_CM_DHCSR, STP_CM_DHCSR_DBGKEY | STP_CM_DHCSR_C_DEBUGEN | STP_CM_DHCSR_C_HALT,
                findings);
        if (st == STP_OK)
            st = d->ops->write_u32(d, STP_CM_DEMCR, STP_CM_DEMCR_VC_CORERESET, findings);
        uint32_t dhcsr = 0;
        if (st == STP_OK) /* clears the sticky S_RESET_ST: the release sets it again */
            st = d->ops->read_u32(d, STP_CM_DHCSR, &dhcsr, findings);
        stp_status rs = d->ops->set_nrst(d, false, findings);
        if (st == STP_OK)
            st = rs;
        d->ops->delay_ms(d, 5);
        if (st == STP_OK)
            st = d->ops->read_u32(d, STP_CM_DHCSR, &dhcsr, findings);
        /* C_DEBUGEN as written: the core's debug logic answers (a core without supply reads
         * all zeros and proves nothing about NRST). */
        if (st == STP_OK && (dhcsr & STP_CM_DHCSR_C_DEBUGEN) && !(dhcsr & STP_CM_DHCSR_S_RESET_ST))
            st = nrst_had_no_effect(d, dhcsr, findings);
        if (st == STP_OK) {
            size_t before = findings != NULL ? findings->count : 0;
            st = stp_cm_halt(d, findings);
            if (st != STP_OK)
                halt_failed_under_reset(findings, before);
        }
        if (st == STP_OK)
            st = d->ops->write_u32(d, STP_CM_DEMCR, 0, findings);
        return st;
    }
    st = d->ops->attach(d, &dp, findings);
    bool halted = true;
    if (st == STP_OK && mode == STP_TARGET_CONNECT_NORMAL) {
        stp_findings scratch = {0};
        if (stp_cm_is_halted(d, &halted, &scratch) != STP_OK)
            halted = true; /* unknown: do not resume anything later */
        stp_findings_free(&scratch);
        st = stp_cm_halt(d, findings);
    }
    *was_running = !halted;
    return st;
}

stp_status stp_target_attach(stp_debug *dbg, const stp_target_options *opt, stp_target **out,
                             stp_findings *findings)
{
    if (dbg == NULL || out == NULL)
        return STP_ERR_INVALID_ARG;
    *out = NULL;
    if (dbg->ops->mem_backend != NULL) /* ROM bootloader: no debug port */
        return stp_target_attach_boot(dbg, opt, out, findings);
    stp_target_options defaults = {0};
    if (opt == NULL)
        opt = &defaults;
    stp_target *t = stp_calloc(1, sizeof(*t));
    if (t == NULL)
        return STP_ERR_NOMEM;
    t->dbg = dbg;
    double volts = 0;
    stp_findings scratch = {0};
    /* -1: the probe has no VREF input, nothing was measured (0: it read about 0 V). */
    if (!(dbg->caps & STP_PROBE_CAP_VOLTAGE))
        volts = -1;
    else if (dbg->ops->target_voltage(dbg, &volts, &scratch) != STP_OK)
        volts = 0;
    stp_findings_free(&scratch);
    stp_status st = connect(dbg, opt->connect, &t->was_running, findings);
    if (st == STP_OK)
        st = stp_identify(dbg, &t->id, findings);
    stp_psize psize = STP_PSIZE_X8;
    if (st == STP_OK)
        st = stp_flash_choose_psize(t->id.chip, volts, opt->psize_bits, &psize, findings);
    if (st == STP_OK)
        st = stp_flash_init(&t->flash, dbg, t->id.chip, t->id.flash_kb, false, psize);
    t->flash.under_reset = opt->connect == STP_TARGET_CONNECT_UNDER_RESET;
    /* Firmware that needs connect under reset turns the debug port off once it runs. The
     * SRAM loader still serves: it runs with reset and HardFault vector catch on
     * (flash_loader.c), so a watchdog reset or a fault halts the core instead of starting
     * the firmware in the middle of programming. */
    bool dual = false;
    if (st == STP_OK && t->flash.drv->detect_dual_bank != NULL) {
        t->flash.findings = findings;
        st = t->flash.drv->detect_dual_bank(&t->flash, &dual);
        t->flash.findings = NULL;
        t->flash.dual_bank = dual;
    }
    if (st != STP_OK) {
        stp_target_detach(t);
        return st;
    }
    stp_target_info *in = &t->info;
    const stp_chip *c = t->id.chip;
    in->cpuid = t->id.cpuid;
    in->core = stp_core_name(t->id.core);
    in->idcode = t->id.idcode;
    in->dev_id = t->id.dev_id;
    in->rev_id = t->id.rev_id;
    in->name = c->name;
    in->family = c->family;
    in->flash_kind = t->flash.drv->name;
    in->reference_manual = c->reference_manual;
    in->flash_base = c->flash_base;
    in->flash_kb = t->id.flash_kb;
    in->flash_size_read = t->id.flash_size_read;
    in->flash_size_raw = t->id.fsize_raw;
    in->flash_size_addr = t->id.fsize_addr;
    in->dual_bank = dual;
    in->sram_base = c->sram_base;
    in->sram_kb = c->sram_size / 1024;
    in->uid_valid = t->id.uid_valid;
    memcpy(in->uid, t->id.uid, sizeof(in->uid));
    in->voltage = volts;
    in->psize_bits = 8u << psize;
    st = build_geometry(t);
    if (st != STP_OK) {
        stp_target_detach(t);
        return st;
    }
    *out = t;
    return STP_OK;
}

void stp_target_mark_changed(stp_target *t)
{
    t->changed = true;
}

void stp_target_detach(stp_target *t)
{
    if (t == NULL)
        return;
    if (t->was_running && !t->changed) {
        /* only looked (info, read, verify...): let the program run on */
        stp_findings scratch = {0};
        (void)stp_cm_run(t->dbg, &scratch);
        stp_findings_free(&scratch);
    }
    stp_free(t->sectors);
    stp_free(t->regions);
    stp_free(t);
}

const stp_target_info *stp_target_get_info(const stp_target *t)
{
    return &t->info;
}

size_t stp_target_region_count(const stp_target *t)
{
    return t->sector_count;
}

const stp_flash_region *stp_target_regions(const stp_target *t)
{
    return t->regions;
}

void stp_target_apply_protection(stp_target *t, const stp_option_bytes *ob)
{
    uint32_t per = ob->wrp_sectors_per_bit ? ob->wrp_sectors_per_bit : 1;
    for (size_t i = 0; i < t->sector_count; i++) {
        uint32_t bit;
        if (ob->wrp_granule != 0)
            bit = (t->regions[i].addr - t->info.flash_base) / ob->wrp_granule;
        else if (ob->wrp_by_number)
            bit = t->regions[i].number;
        else
            bit = (uint32_t)i / per;
        t->regions[i].protected_ = bit < ob->wrp_bits && stp_option_wrp_get(ob, bit);
    }
    t->protection_known = true;
}

bool stp_option_bytes_wrp(const stp_option_bytes *ob, uint32_t unit)
{
    return stp_option_wrp_get(ob, unit);
}

stp_status stp_target_read_options(stp_target *t, stp_option_bytes *ob, stp_findings *findings)
{
    return stp_flash_read_options(&t->flash, ob, findings);
}

stp_status stp_target_refresh_protection(stp_target *t, stp_findings *findings)
{
    stp_option_bytes ob;
    stp_status st = stp_target_read_options(t, &ob, findings);
    if (st == STP_OK)
        stp_target_apply_protection(t, &ob);
    return st;
}

size_t stp_target_option_fields(const stp_target *t, const stp_option_bytes *ob,
                                stp_option_field *out, size_t max)
{
    size_t n = 0;
    if (n < max) {
        memset(&out[n], 0, sizeof(out[n]));
        snprintf(out[n].key, sizeof(out[n].key), "rdp");
        snprintf(out[n].value, sizeof(out[n].value), "%d", ob->rdp_level);
        snprintf(out[n].meaning, sizeof(out[n].meaning), "read protection level (raw 0x%02X): %s",
                 (unsigned)ob->rdp_raw,
                 ob->rdp_level == 0   ? "none"
                 : ob->rdp_level == 1 ? "debug cannot read flash"
                                      : "debug disabled for ever");
        n++;
    }
    if (n < max) {
        memset(&out[n], 0, sizeof(out[n]));
        snprintf(out[n].key, sizeof(out[n].key), "wrp");
        unsigned long long mask = 0;
        bool above64 = false;
        for (uint32_t i = 0; i < ob->wrp_bits; i++)
            if (stp_option_wrp_get(ob, i)) {
                if (i < 64)
                    mask |= 1ull << i;
                else
                    above64 = true;
            }
        snprintf(out[n].value, sizeof(out[n].value), "0x%llX", mask);
        /* Units past 64 (the L476's 512 pages): the list of protected units instead. */
        for (uint32_t i = 0, used = 0; above64 && i < ob->wrp_bits; i++) {
            if (!stp_option_wrp_get(ob, i))
                continue;
            int k = snprintf(out[n].value + used, sizeof(out[n].value) - used, "%s%u",
                             used ? "," : "", (unsigned)i);
            if (k < 0 || (size_t)k >= sizeof(out[n].value) - used) {
                snprintf(out[n].value + sizeof(out[n].value) - 4, 4, "...");
                break;
            }
            used += (uint32_t)k;
        }
        if (ob->wrp_granule)
            snprintf(out[n].meaning, sizeof(out[n].meaning),
                     "write-protected units (bit n = %u KB block n), %u bits",
                     (unsigned)(ob->wrp_granule / 1024), (unsigned)ob->wrp_bits);
        else
            snprintf(out[n].meaning, sizeof(out[n].meaning),
                     "write-protected sectors (bit n = %s n), %u bits",
                     ob->wrp_sectors_per_bit > 1 ? "sector pair" : "sector",
                     (unsigned)ob->wrp_bits);
        n++;
    }
    if (ob->bor_level >= 0 && n < max) {
        memset(&out[n], 0, sizeof(out[n]));
        snprintf(out[n].key, sizeof(out[n].key), "bor");
        snprintf(out[n].value, sizeof(out[n].value), "%d", ob->bor_level);
        snprintf(out[n].meaning, sizeof(out[n].meaning), "brown-out reset level (0 = off)");
        n++;
    }
    if (t->flash.drv->option_fields != NULL && n < max)
        n += t->flash.drv->option_fields(&t->flash, ob, out + n, max - n);
    return n;
}

static stp_status refuse(stp_findings *findings, const char *id, const char *msg,
                         const char *advice)
{
    stp_finding *f = stp_finding_add(findings, id, STP_SEV_ERROR, "%s", msg);
    stp_finding_advice(f, "%s", advice);
    return STP_ERR_INVALID_ARG;
}

stp_status stp_target_set_options(stp_target *t, const char *const *assignments, size_t count,
                                  const stp_option_set_flags *flags, stp_findings *findings)
{
    stp_option_set_flags none = {0};
    if (flags == NULL)
        flags = &none;
    stp_option_bytes cur, want;
    stp_status st = stp_target_read_options(t, &cur, findings);
    if (st != STP_OK)
        return st;
    want = cur;
    for (size_t i = 0; i < count; i++) {
        char key[32];
        const char *eq = strchr(assignments[i], '=');
        size_t kl = eq ? (size_t)(eq - assignments[i]) : 0;
        if (eq == NULL || kl == 0 || kl >= sizeof(key)) {
            stp_finding *f = stp_finding_add(findings, "option.bad-assignment", STP_SEV_ERROR,
                                             "'%s' is not KEY=VALUE", assignments[i]);
            stp_finding_advice(f, "example: stprog option-bytes set rdp=1 wrp+=3");
            return STP_ERR_INVALID_ARG;
        }
        memcpy(key, assignments[i], kl);
        key[kl] = '\0';
        st = t->flash.drv->option_set(&t->flash, &want, key, eq + 1, findings);
        if (st != STP_OK)
            return st;
    }
    if (want.rdp_level == 2 && cur.rdp_level != 2 && !flags->permanent)
        return refuse(findings, "option.rdp2-needs-confirmation",
                      "read protection level 2 is permanent: the debug port is disabled for "
                      "ever and the option bytes can never be changed again",
                      "if that is really wanted, add --permanent-lock-i-understand");
    if (want.rdp_level == 0 && cur.rdp_level == 1) {
        if (!flags->unlock)
            return refuse(findings, "option.rdp-regression-needs-unlock",
                          "going from read protection level 1 to 0 mass-erases the whole "
                          "flash",
                          "add --unlock to remove the protection and erase the flash");
        stp_finding *f =
            stp_finding_add(findings, "option.rdp-regression-mass-erase", STP_SEV_WARNING,
                            "removing read protection: the chip erases its "
                            "whole flash");
        stp_finding_evidence(f, "rdp", "1 -> 0");
    }
    t->changed = true;
    st = stp_flash_write_options(&t->flash, &want, findings);
    if (st != STP_OK)
        return st;
    /* New values are loaded at reset on some families: reset, halt, read back. */
    stp_findings scratch = {0};
    (void)stp_cm_reset(t->dbg, t->id.core, STP_RESET_SW, true, &scratch);
    stp_findings_free(&scratch);
    stp_option_bytes now;
    st = stp_target_read_options(t, &now, findings);
    if (st != STP_OK)
        return st;
    /* wrp_bits 0: the protection could not be read back (the ROM bootloader under RDP 1). */
    bool wrp_ok = now.wrp_bits == 0 || memcmp(now.wrp, want.wrp, sizeof(now.wrp)) == 0;
    if (now.rdp_level != want.rdp_level || !wrp_ok) {
        stp_finding *f = stp_finding_add(findings, "option.not-applied", STP_SEV_ERROR,
                                         "the option bytes read back differ from what was "
                                         "written");
        stp_finding_evidence(f, "rdp_wanted", "%d", want.rdp_level);
        stp_finding_evidence(f, "rdp_read", "%d", now.rdp_level);
        stp_finding_evidence(f, "wrp_matches", "%s", wrp_ok ? "yes" : "no");
        stp_finding_advice(f, "power-cycle the board so the option bytes reload, then check "
                              "again with `stprog option-bytes show`");
        return STP_ERR_FLASH;
    }
    stp_target_apply_protection(t, &now);
    return STP_OK;
}

/* --- core control ----------------------------------------------------------------------- */

stp_status stp_target_halt(stp_target *t, stp_findings *findings)
{
    t->changed = true;
    return stp_cm_halt(t->dbg, findings);
}

stp_status stp_target_run(stp_target *t, stp_findings *findings)
{
    t->changed = true;
    return stp_cm_run(t->dbg, findings);
}

stp_status stp_target_step(stp_target *t, stp_findings *findings)
{
    t->changed = true;
    return stp_cm_step(t->dbg, findings);
}

stp_status stp_target_reset(stp_target *t, stp_reset_mode mode, bool halt, stp_findings *findings)
{
    t->changed = true;
    if (t->dbg->ops->mem_backend != NULL) /* ROM bootloader: NRST line or nothing */
        return stp_target_reset_boot(t, mode, halt, findings);
    return stp_cm_reset(t->dbg, t->id.core, mode, halt, findings);
}

stp_status stp_target_read_reg(stp_target *t, unsigned regno, uint32_t *val, stp_findings *findings)
{
    return t->dbg->ops->read_reg(t->dbg, regno, val, findings);
}

stp_status stp_target_write_reg(stp_target *t, unsigned regno, uint32_t val, stp_findings *findings)
{
    return t->dbg->ops->write_reg(t->dbg, regno, val, findings);
}

stp_status stp_target_read_mem(stp_target *t, uint32_t addr, void *buf, size_t len,
                               stp_findings *findings)
{
    return t->dbg->ops->read_mem(t->dbg, addr, buf, len, findings);
}
