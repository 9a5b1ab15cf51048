/* Doctor checks up to a working SWD link: the probe and its firmware, the target voltage,
 * connecting at the requested clock and lower ones, a repeated-read stability test per
 * clock, and connecting under reset when the normal connect gets no answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "ops/doctor_internal.h"
#include "stprog/probe.h"
#include "target/cortexm.h"

/* What the driver knows about its firmware (stp_debug_ops.firmware_check): findings and a
 * note for the probe line. */
static void firmware_findings(stp_dx_run *r, const stp_probe_info *pi, stp_doctor_check *c)
{
    if (r->dbg->ops->firmware_check == NULL)
        return;
    char note[200] = "";
    int sev = r->dbg->ops->firmware_check(r->dbg, r->findings, note, sizeof(note));
    if (sev < 0)
        return;
    stp_dx_set(c, sev >= STP_SEV_WARNING ? STP_CHECK_WARN : STP_CHECK_INFO, "%s, firmware %s (%s)",
               pi->kind, pi->firmware, note);
}

static void judge_probe(stp_dx_run *r, stp_doctor_check *c, const char *spec)
{
    const stp_probe_info *pi = stp_probe_get_info(r->dbg);
    if (r->dbg->ops->mem_backend != NULL) {
        r->boot = true; /* the checks the bootloader allows: doctor_boot.c */
        stp_dx_set(c, STP_CHECK_PASS, "ROM bootloader on the serial port %s (%s)", pi->serial,
                   pi->firmware);
        (void)spec;
        return;
    }
    r->rep->requested_khz = r->opt->freq_khz ? r->opt->freq_khz : pi->swd_khz;
    stp_dx_set(c, STP_CHECK_PASS, "%s, firmware %s, serial %s", pi->kind, pi->firmware,
               pi->serial[0] ? pi->serial : "?");
    firmware_findings(r, pi, c);
}

void stp_dx_check_probe(stp_dx_run *r, const char *spec)
{
    stp_doctor_check *c = stp_dx_check(r, "probe", "Probe and its firmware");
    stp_status st = stp_probe_open(spec, r->env, &r->dbg, r->findings);
    if (st != STP_OK) {
        r->dbg = NULL;
        stp_dx_set(c, STP_CHECK_FAIL, "no usable probe for '%s' (%s)", spec,
                   stp_status_describe(st));
        stp_dx_block(r, c, st);
        return;
    }
    judge_probe(r, c, spec);
}

void stp_dx_use_probe(stp_dx_run *r, stp_debug *dbg)
{
    stp_doctor_check *c = stp_dx_check(r, "probe", "Probe and its firmware");
    r->dbg = dbg;
    judge_probe(r, c, "the open probe");
}

void stp_dx_check_voltage(stp_dx_run *r)
{
    stp_doctor_check *c = stp_dx_check(r, "voltage", "Target voltage (probe VREF)");
    r->volts_known = stp_dx_voltage(r->dbg, &r->volts);
    r->rep->voltage = r->volts;
    if (!r->volts_known) {
        if (!(stp_probe_get_caps(r->dbg) & STP_PROBE_CAP_VOLTAGE))
            stp_dx_set(c, STP_CHECK_INFO,
                       "not measured: a %s probe has no target-voltage input, so the supply "
                       "range check and the flash program width by VDD cannot be done; power "
                       "is judged from the debug port (reads of zeros), the reset flags and "
                       "the supply under load instead",
                       stp_probe_get_info(r->dbg)->kind);
        else
            stp_dx_set(c, STP_CHECK_INFO, "not measured (the probe's firmware cannot)");
        return;
    }
    if (r->volts * 1000.0 < stp_dx_vdd_min_mv(NULL)) {
        r->volts_low = true; /* reported once the chip is known (or the link failed) */
        stp_dx_set(c, STP_CHECK_FAIL, "%.2f V: no STM32 runs below 1.65 V", r->volts);
        return; /* connecting still tells whether the core is dead: block after that */
    }
    stp_dx_set(c, STP_CHECK_PASS, "%.2f V", r->volts);
}

/* ---- link -------------------------------------------------------------------------- */

static const unsigned clock_steps[] = {24000, 8000, 4000, 1800, 950, 480, 240, 100};

#define STAB_BLOCK  2048u
#define STAB_ROUNDS 16u
#define STAB_ADDR   0x20000000u /* SRAM: at this address on every STM32 */

static bool try_connect(stp_dx_run *r, uint32_t *cpuid)
{
    stp_findings scratch = {0};
    uint32_t dp = 0;
    bool ok = r->dbg->ops->attach(r->dbg, &dp, &scratch) == STP_OK && dp != 0;
    stp_findings_free(&scratch);
    if (ok)
        ok = stp_dx_read(r->dbg, STP_CM_CPUID, cpuid);
    if (ok)
        r->dp_idcode = dp;
    return ok;
}

static bool connect_under_reset(stp_dx_run *r, uint32_t *cpuid)
{
    stp_debug *d = r->dbg;
    stp_findings scratch = {0};
    uint32_t dp = 0;
    bool ok = d->ops->set_nrst(d, true, &scratch) == STP_OK;
    if (ok)
        ok = d->ops->attach(d, &dp, &scratch) == STP_OK && dp != 0;
    if (ok) {
        stp_dx_write(d, STP_CM_DHCSR,
                     STP_CM_DHCSR_DBGKEY | STP_CM_DHCSR_C_DEBUGEN | STP_CM_DHCSR_C_HALT);
        stp_dx_write(d, STP_CM_DEMCR, STP_CM_DEMCR_VC_CORERESET);
    }
    (void)d->ops->set_nrst(d, false, &scratch);
    d->ops->delay_ms(d, 5);
    if (ok)
        ok = stp_cm_halt(d, &scratch) == STP_OK && stp_dx_read(d, STP_CM_CPUID, cpuid);
    stp_dx_write(d, STP_CM_DEMCR, 0);
    stp_findings_free(&scratch);
    if (ok)
        r->dp_idcode = dp;
    return ok;
}

/* Reads the same SRAM block STAB_ROUNDS times: transfer errors, and (core halted) reads
 * that differ from the first. */
static void stability(stp_dx_run *r, uint8_t *ref, uint8_t *buf, unsigned *errors, unsigned *differ)
{
    *errors = *differ = 0;
    bool have_ref = false;
    for (unsigned i = 0; i < STAB_ROUNDS + 1; i++) {
        stp_findings scratch = {0};
        stp_status st =
            r->dbg->ops->read_mem(r->dbg, STAB_ADDR, have_ref ? buf : ref, STAB_BLOCK, &scratch);
        stp_findings_free(&scratch);
        if (st != STP_OK) {
            (*errors)++;
            continue;
        }
        if (!have_ref) {
            have_ref = true;
            continue;
        }
        if (!r->halted || memcmp(ref, buf, STAB_BLOCK) == 0)
            continue;
        /* A glitch on the wire flips a bit or two; memory that a DMA keeps writing while the
         * core is halted changes more: take it as the new reference, not as noise. */
        unsigned bits = 0;
        for (size_t k = 0; k < STAB_BLOCK && bits <= 2; k++)
            bits += (unsigned)__builtin_popcount((unsigned)(ref[k] ^ buf[k]));
        if (bits <= 2)
            (*differ)++;
        else
            memcpy(ref, buf, STAB_BLOCK);
    }
}

static unsigned set_clock(stp_dx_run *r, unsigned khz)
{
    unsigned actual = khz;
    stp_findings scratch = {0};
    if (r->dbg->ops->set_swd_khz(r->dbg, khz, &actual, &scratch) != STP_OK)
        actual = r->dbg->info.swd_khz;
    stp_findings_free(&scratch);
    return actual;
}

static void link_quality(stp_dx_run *r, stp_doctor_check *c, const char *connect_note)
{
    uint8_t *ref = stp_malloc(STAB_BLOCK), *buf = stp_malloc(STAB_BLOCK);
    if (ref == NULL || buf == NULL) {
        stp_free(ref);
        stp_free(buf);
        stp_dx_set(c, STP_CHECK_PASS, "%s (stability test skipped: out of memory)", connect_note);
        return;
    }
    char per[192] = "";
    unsigned khz = r->khz, clean = 0, noisy_khz = 0, noisy_errors = 0;
    bool stuck = false;
    for (;;) {
        unsigned errors = 0, differ = 0;
        stability(r, ref, buf, &errors, &differ);
        stp_dx_cat(per, sizeof(per), "%s%u kHz: %u bad of %u reads", per[0] ? "; " : "", khz,
                   errors + differ, STAB_ROUNDS + 1);
        if (errors + differ == 0) {
            clean = khz;
            break;
        }
        if (noisy_khz == 0) {
            noisy_khz = khz;
            noisy_errors = errors + differ;
        }
        unsigned next = 0;
        for (size_t i = 0; i < sizeof(clock_steps) / sizeof(clock_steps[0]); i++)
            if (clock_steps[i] < khz) {
                next = clock_steps[i];
                break;
            }
        if (next == 0)
            break;
        unsigned got = set_clock(r, next);
        if (got >= khz) {
            stuck = true; /* the probe cannot run slower */
            break;
        }
        khz = got;
    }
    stp_free(ref);
    stp_free(buf);
    r->rep->clean_khz = clean;
    if (noisy_khz == 0) {
        stp_dx_set(c, STP_CHECK_PASS, "%s; %u reads of %u bytes at %u kHz all identical",
                   connect_note, STAB_ROUNDS + 1, STAB_BLOCK, clean);
        return;
    }
    stp_finding *f;
    if (clean != 0) {
        r->khz = clean;
        f = stp_finding_add(r->findings, "link.noisy", STP_SEV_WARNING,
                            "the SWD link corrupts transfers at %u kHz; %u kHz is clean", noisy_khz,
                            clean);
        stp_finding_evidence(f, "highest_clean_khz", "%u", clean);
        stp_finding_advice(f,
                           "use `--freq %u` (the remaining checks run at that clock); for "
                           "speed, shorten the SWD wires, add a GND wire next to SWDIO/SWCLK, "
                           "avoid clone probes with weak drivers",
                           clean);
        stp_dx_set(c, STP_CHECK_WARN, "%s; noisy above %u kHz", connect_note, clean);
    } else {
        if (stuck) {
            f = stp_finding_add(r->findings, "link.noisy", STP_SEV_ERROR,
                                "the SWD link corrupts transfers at %u kHz and the probe "
                                "cannot run slower",
                                khz);
            stp_finding_advice(f, "update the probe's firmware (SWD clock selection came with "
                                  "V2J22) and retry with a lower --freq; meanwhile shorten the "
                                  "wires and add GND next to SWDIO/SWCLK");
        } else {
            f = stp_finding_add(r->findings, "link.noisy", STP_SEV_ERROR,
                                "the SWD link corrupts transfers at every clock down to %u kHz",
                                khz);
            stp_finding_advice(f, "check the wiring: GND between probe and board, SWDIO/SWCLK "
                                  "wires under 20 cm, no other driver on those pins");
        }
        stp_dx_set(c, STP_CHECK_FAIL, "%s; no clean clock", connect_note);
        stp_dx_block(r, c, STP_ERR_PROTOCOL);
    }
    stp_finding_evidence(f, "noisy_khz", "%u", noisy_khz);
    stp_finding_evidence(f, "errors_at_noisy_khz", "%u of %u reads of %u bytes", noisy_errors,
                         STAB_ROUNDS + 1, STAB_BLOCK);
    stp_finding_evidence(f, "per_clock", "%s", per);
}

void stp_dx_check_link(stp_dx_run *r)
{
    stp_doctor_check *c = stp_dx_check(r, "link", "SWD connection and link quality");
    unsigned khz = r->opt->freq_khz ? set_clock(r, r->opt->freq_khz) : r->dbg->info.swd_khz;
    uint32_t cpuid = 0;
    char tried[160] = "";
    unsigned first_failed = 0;
    bool ok = false;
    for (;;) {
        r->khz = khz;
        if (try_connect(r, &cpuid)) {
            ok = true;
            break;
        }
        if (first_failed == 0)
            first_failed = khz;
        stp_dx_cat(tried, sizeof(tried), "%u kHz: no answer; ", khz);
        unsigned next = 0;
        for (size_t i = 0; i < sizeof(clock_steps) / sizeof(clock_steps[0]); i++)
            if (clock_steps[i] < khz) {
                next = clock_steps[i];
                break;
            }
        if (next == 0 || next < 950)
            break; /* a target that answers nowhere down to 950 kHz is not a clock problem */
        unsigned got = set_clock(r, next);
        if (got >= khz)
            break;
        khz = got;
    }
    if (!ok && !r->volts_low) {
        khz = set_clock(r, r->rep->requested_khz);
        r->khz = khz;
        if (connect_under_reset(r, &cpuid)) {
            ok = true;
            r->under_reset = true;
            stp_finding *f = stp_dx_debug_disabled(r->findings, "answers and halts at the reset "
                                                                "vector");
            stp_finding_evidence(f, "dp_idcode", "0x%08X", (unsigned)r->dp_idcode);
        }
    }
    if (!ok) {
        stp_dx_cat(tried, sizeof(tried), "under reset: no answer");
        if (r->volts_low)
            stp_dx_report_low(r, NULL);
        stp_dx_no_target(r->findings, r->volts, r->volts_known, tried);
        if (!r->volts_low && r->volts_known)
            stp_dx_rdp2_possible(r->findings, r->volts);
        stp_dx_set(c, STP_CHECK_FAIL, "no answer on SWD (%s)", tried);
        stp_dx_block(r, c, r->volts_low ? STP_ERR_POWER : STP_ERR_NO_TARGET);
        return;
    }
    r->connected = true;
    stp_dx_note_connect(r); /* reset flags as found, watchdog frozen while halted */
    stp_findings scratch = {0};
    r->halted = r->under_reset || stp_cm_halt(r->dbg, &scratch) == STP_OK;
    stp_findings_free(&scratch);
    char note[160];
    snprintf(note, sizeof(note), "connected at %u kHz%s (DP IDCODE 0x%08X, CPUID 0x%08X)", khz,
             r->under_reset ? " under reset only" : "", (unsigned)r->dp_idcode, (unsigned)cpuid);
    if (cpuid == 0 || cpuid == 0xFFFFFFFFu) {
        /* Identical reads of a memory that answers nothing but zeros prove nothing about
         * the wire: the chip check names what is wrong with the core. */
        stp_dx_set(c, STP_CHECK_FAIL,
                   "%s: the debug port answers, but the core's registers and memory read as "
                   "0x%08X (no stability test possible)",
                   note, (unsigned)cpuid);
        return;
    }
    link_quality(r, c, note);
    if (r->under_reset && c->result == STP_CHECK_PASS)
        c->result = STP_CHECK_FAIL;
}
