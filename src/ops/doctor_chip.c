/* Doctor checks of the chip behind a working link: identity (CPUID, DBGMCU, DP IDCODE,
 * flash-size register), supply against the chip's range, NRST wiring, read/write protection
 * (resets by themselves: doctor_resets.c). */
#include <stdio.h>
#include <string.h>

#include "ops/doctor_internal.h"
#include "target/cortexm.h"
#include "target/target_internal.h"

void stp_dx_report_low(stp_dx_run *r, const stp_chip *chip)
{
    if (r->volts_reported)
        return;
    r->volts_reported = true;
    stp_dx_voltage_low(r->findings, r->volts, chip);
}

void stp_dx_check_identity(stp_dx_run *r)
{
    stp_doctor_check *c = stp_dx_check(r, "chip", "Chip identity (DP IDCODE, DBGMCU, flash size)");
    uint32_t cpuid = 0;
    bool ok = stp_dx_read(r->dbg, STP_CM_CPUID, &cpuid);
    if (ok && (cpuid == 0 || cpuid == 0xFFFFFFFFu)) {
        uint32_t idcode = 0;
        const stp_chip *chip = stp_dx_dbgmcu_chip(r->dbg, &idcode);
        if (r->volts_low)
            stp_dx_report_low(r, chip);
        stp_dx_core_unpowered(r->findings, r->volts, chip, cpuid, idcode);
        if (chip != NULL)
            snprintf(r->rep->chip, sizeof(r->rep->chip), "%s", chip->name);
        stp_dx_set(c, STP_CHECK_FAIL, "CPUID 0x%08X (core unreachable); DBGMCU_IDCODE 0x%08X%s%s",
                   (unsigned)cpuid, (unsigned)idcode, chip ? ": " : "", chip ? chip->name : "");
        stp_dx_block(r, c, STP_ERR_POWER);
        return;
    }
    size_t before = r->findings->count;
    stp_status st = stp_identify(r->dbg, &r->id, r->findings);
    if (st != STP_OK) {
        stp_dx_set(c, STP_CHECK_FAIL, "CPUID 0x%08X; chip not identified (%s)", (unsigned)cpuid,
                   stp_status_describe(st));
        stp_dx_block(r, c, st);
        return;
    }
    r->chip = r->id.chip;
    snprintf(r->rep->chip, sizeof(r->rep->chip), "%s", r->chip->name);
    uint32_t want[2] = {0, 0};
    size_t n = stp_dx_expected_dpidr(r->id.core, want);
    bool dp_ok = false;
    for (size_t i = 0; i < n; i++)
        dp_ok = dp_ok || want[i] == r->dp_idcode;
    if (!dp_ok) {
        stp_finding *f = stp_finding_add(
            r->findings, "target.dp-idcode-unexpected", STP_SEV_WARNING,
            "the debug port's IDCODE 0x%08X is not the one a %s has: a clone or remarked chip",
            (unsigned)r->dp_idcode, stp_core_name(r->id.core));
        stp_finding_evidence(f, "dp_idcode", "0x%08X", (unsigned)r->dp_idcode);
        stp_finding_evidence(f, "expected", "0x%08X", (unsigned)want[0]);
        stp_finding_advice(f, "clones (GD32, CKS32, APM32) differ in flash timing and "
                              "protection: results of other checks may not apply");
    }
    bool size_finding = r->findings->count > before;
    stp_dx_set(
        c, size_finding || !dp_ok ? STP_CHECK_WARN : STP_CHECK_PASS,
        "%s rev 0x%04X (DBGMCU_IDCODE 0x%08X), %s; DP IDCODE 0x%08X%s; flash %u KiB %s",
        r->chip->name, (unsigned)r->id.rev_id, (unsigned)r->id.idcode, stp_core_name(r->id.core),
        (unsigned)r->dp_idcode, dp_ok ? " as expected" : "", (unsigned)r->id.flash_kb,
        r->id.flash_size_read
            ? (size_finding ? "(register decoded, see findings)" : "(size register plausible)")
            : "(assumed: register unusable)");
    if (r->volts_low) { /* measured by the voltage check; now the chip is known */
        stp_dx_report_low(r, r->chip);
        c->result = STP_CHECK_FAIL;
        stp_dx_block(r, c, STP_ERR_POWER);
    }
}

void stp_dx_check_supply_range(stp_dx_run *r)
{
    stp_doctor_check *c = stp_dx_check(r, "supply", "Supply against the chip's operating range");
    if (!r->volts_known) {
        stp_dx_set(c, STP_CHECK_SKIP, "not possible: the target voltage was not measured");
        return;
    }
    double min = r->chip->vdd_min_mv / 1000.0, max = r->chip->vdd_max_mv / 1000.0;
    uint32_t mv = (uint32_t)(r->volts * 1000.0 + 0.5);
    if (mv < r->chip->vdd_min_mv) {
        stp_dx_report_low(r, r->chip);
        stp_dx_set(c, STP_CHECK_FAIL, "%.2f V, range %.2f-%.2f V", r->volts, min, max);
        stp_dx_block(r, c, STP_ERR_POWER);
        return;
    }
    if (r->chip->fam->psize_by_vdd) {
        stp_psize ps = stp_chip_psize_for_mv(r->chip, mv);
        if (ps < STP_PSIZE_X32) {
            stp_finding *f = stp_finding_add(
                r->findings, "flash.psize-voltage", STP_SEV_WARNING,
                "at %.2f V the flash programs %s only (x32 needs %.1f V): erase and "
                "programming take up to twice as long",
                r->volts, stp_psize_name(ps), r->chip->timing.psize_min_mv[STP_PSIZE_X32] / 1000.0);
            stp_finding_evidence(f, "voltage", "%.2f V", r->volts);
            stp_finding_evidence(f, "psize", "%s", stp_psize_name(ps));
            stp_finding_advice(f, "nothing to fix if the board is meant to run at this "
                                  "voltage; stprog picks the width itself");
            stp_dx_set(c, STP_CHECK_WARN, "%.2f V, range %.2f-%.2f V; program width %s", r->volts,
                       min, max, stp_psize_name(ps));
            return;
        }
    }
    stp_dx_set(c, STP_CHECK_PASS, "%.2f V, within %.2f-%.2f V", r->volts, min, max);
}

void stp_dx_check_nrst(stp_dx_run *r)
{
    stp_doctor_check *c = stp_dx_check(r, "nrst", "NRST wired to the probe");
    stp_debug *d = r->dbg;
    if (r->under_reset) {
        stp_dx_set(c, STP_CHECK_PASS, "wired (connecting under reset worked)");
        return;
    }
    uint32_t demcr = 0, v = 0;
    stp_findings scratch = {0};
    (void)stp_dx_read(d, STP_CM_DEMCR, &demcr);
    stp_dx_write(d, STP_CM_DEMCR, demcr | STP_CM_DEMCR_VC_CORERESET);
    (void)stp_dx_read(d, STP_CM_DHCSR, &v);
    bool ok = d->ops->set_nrst(d, true, &scratch) == STP_OK;
    d->ops->delay_ms(d, 20);
    ok = d->ops->set_nrst(d, false, &scratch) == STP_OK && ok;
    d->ops->delay_ms(d, 5);
    bool reset = stp_dx_read(d, STP_CM_DHCSR, &v) && (v & STP_CM_DHCSR_S_RESET_ST);
    (void)stp_cm_halt(d, &scratch);
    stp_dx_write(d, STP_CM_DEMCR, demcr & ~STP_CM_DEMCR_VC_CORERESET);
    stp_findings_free(&scratch);
    if (reset) {
        stp_dx_set(c, STP_CHECK_PASS, "wired: a 20 ms NRST pulse reset the core");
        return;
    }
    stp_finding *f = stp_finding_add(r->findings, "link.nrst-unconnected", STP_SEV_WARNING,
                                     "pulsing the probe's NRST did not reset the chip: NRST is "
                                     "not wired");
    stp_finding_evidence(f, "DHCSR_after_pulse", "0x%08X (no S_RESET_ST)", (unsigned)v);
    stp_finding_evidence(f, "pulse", "20 ms%s", ok ? "" : " (the probe refused the command)");
    stp_finding_advice(f, "wire the board's NRST to the probe's RST pin (pin 15 of the 20-pin "
                          "header, T_NRST on STLINK-V3); until then hardware resets and "
                          "`--connect under-reset` cannot work (use `--reset sw`)");
    stp_dx_set(c, STP_CHECK_WARN, "not wired: a 20 ms NRST pulse left DHCSR 0x%08X", (unsigned)v);
}

void stp_dx_check_protection(stp_dx_run *r)
{
    stp_doctor_check *c = stp_dx_check(r, "protection", "Read and write protection");
    stp_findings scratch = {0};
    stp_target_options o = {.connect = STP_TARGET_CONNECT_HOT_PLUG};
    stp_status st = stp_target_attach(r->dbg, &o, &r->t, &scratch);
    stp_option_bytes ob;
    if (st == STP_OK)
        st = stp_target_read_options(r->t, &ob, &scratch);
    stp_findings_free(&scratch);
    if (st != STP_OK) {
        stp_dx_set(c, STP_CHECK_WARN, "option bytes not readable (%s)", stp_status_describe(st));
        return;
    }
    r->rdp_level = ob.rdp_level;
    if (ob.rdp_level >= 1) {
        stp_dx_rdp(r->findings, ob.rdp_level, ob.rdp_raw);
        stp_dx_set(c, STP_CHECK_FAIL, "RDP level %d (raw 0x%02X): flash closed to the debugger",
                   ob.rdp_level, (unsigned)ob.rdp_raw);
        stp_dx_block(r, c, STP_ERR_PROTECTED);
        return;
    }
    if (stp_dx_wrp(r->findings, &ob, r->t->sector_count) != NULL) {
        stp_dx_set(c, STP_CHECK_WARN, "RDP level 0; some sectors write-protected (see findings)");
        return;
    }
    stp_dx_set(c, STP_CHECK_PASS, "RDP level 0 (raw 0x%02X), no write protection",
               (unsigned)ob.rdp_raw);
}
