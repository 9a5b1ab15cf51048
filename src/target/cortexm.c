/* Cortex-M core control: halt/run/step through DHCSR, reset through NRST or AIRCR with
 * DEMCR.VC_CORERESET as vector catch. Every wait has a deadline on the probe's clock. */
#include "target/cortexm.h"

#define HALT_DEADLINE_MS  200
#define RESET_DEADLINE_MS 500
#define NRST_PULSE_MS     20

bool stp_cm_core_from_cpuid(uint32_t cpuid, stp_core_kind *core)
{
    if (((cpuid >> 24) & 0xFFu) != 0x41u) /* implementer: ARM */
        return false;
    switch ((cpuid >> 4) & 0xFFFu) {
    case 0xC20:
        *core = STP_CORE_M0;
        return true;
    case 0xC60:
        *core = STP_CORE_M0P;
        return true;
    case 0xC23:
        *core = STP_CORE_M3;
        return true;
    case 0xC24:
        *core = STP_CORE_M4;
        return true;
    case 0xC27:
        *core = STP_CORE_M7;
        return true;
    case 0xD21:
        *core = STP_CORE_M33;
        return true;
    }
    return false;
}

static stp_status dhcsr_read(stp_debug *d, uint32_t *v, stp_findings *findings)
{
    return d->ops->read_u32(d, STP_CM_DHCSR, v, findings);
}

static stp_status dhcsr_write(stp_debug *d, uint32_t ctrl, stp_findings *findings)
{
    return d->ops->write_u32(d, STP_CM_DHCSR, STP_CM_DHCSR_DBGKEY | ctrl, findings);
}

static stp_status wait_halted(stp_debug *d, uint32_t deadline_ms, const char *what,
                              stp_findings *findings)
{
    uint64_t start = d->ops->now_ms(d);
    for (uint32_t polls = 0;; polls++) {
        uint32_t v = 0;
        stp_status st = dhcsr_read(d, &v, findings);
        if (st != STP_OK)
            return st;
        if (v & STP_CM_DHCSR_S_HALT)
            return STP_OK;
        uint64_t waited = d->ops->now_ms(d) - start;
        if (waited > deadline_ms || polls > deadline_ms * 4 + 100) { /* or a stuck clock */
            stp_finding *f = stp_finding_add(findings, "core.halt-timeout", STP_SEV_ERROR,
                                             "the core did not halt within %u ms after %s",
                                             (unsigned)deadline_ms, what);
            stp_finding_evidence(f, "DHCSR", "0x%08X", (unsigned)v);
            stp_finding_evidence(f, "lockup", "%s", (v & STP_CM_DHCSR_S_LOCKUP) ? "yes" : "no");
            stp_finding_advice(f, "the firmware may sleep with the debug clock off or "
                                  "reconfigure the SWD pins: try --connect under-reset");
            return STP_ERR_TIMEOUT;
        }
        d->ops->delay_ms(d, 1);
    }
}

stp_status stp_cm_is_halted(stp_debug *d, bool *halted, stp_findings *findings)
{
    uint32_t v = 0;
    stp_status st = dhcsr_read(d, &v, findings);
    *halted = (st == STP_OK) && (v & STP_CM_DHCSR_S_HALT);
    return st;
}

stp_status stp_cm_halt(stp_debug *d, stp_findings *findings)
{
    stp_status st = dhcsr_write(d, STP_CM_DHCSR_C_DEBUGEN | STP_CM_DHCSR_C_HALT, findings);
    if (st == STP_OK)
        st = wait_halted(d, HALT_DEADLINE_MS, "a halt request", findings);
    return st;
}

stp_status stp_cm_run(stp_debug *d, stp_findings *findings)
{
    return dhcsr_write(d, STP_CM_DHCSR_C_DEBUGEN, findings);
}

stp_status stp_cm_step(stp_debug *d, stp_findings *findings)
{
    stp_status st = dhcsr_write(
        d, STP_CM_DHCSR_C_DEBUGEN | STP_CM_DHCSR_C_STEP | STP_CM_DHCSR_C_MASKINTS, findings);
    if (st == STP_OK)
        st = wait_halted(d, HALT_DEADLINE_MS, "a single step", findings);
    return st;
}

static stp_status demcr_catch(stp_debug *d, bool on, stp_findings *findings)
{
    uint32_t v = 0;
    stp_status st = d->ops->read_u32(d, STP_CM_DEMCR, &v, findings);
    if (st != STP_OK)
        return st;
    v = on ? (v | STP_CM_DEMCR_VC_CORERESET) : (v & ~STP_CM_DEMCR_VC_CORERESET);
    return d->ops->write_u32(d, STP_CM_DEMCR, v, findings);
}

static stp_status aircr_reset(stp_debug *d, stp_core_kind core, stp_reset_mode mode,
                              stp_findings *findings)
{
    uint32_t req = STP_CM_AIRCR_SYSRESETREQ;
    /* VECTRESET exists on ARMv7-M only (M3/M4/M7). */
    if (mode == STP_RESET_CORE &&
        (core == STP_CORE_M3 || core == STP_CORE_M4 || core == STP_CORE_M7))
        req = STP_CM_AIRCR_VECTRESET;
    /* The reset may cut the acknowledge of this very write: judge by DHCSR afterwards. */
    stp_findings scratch = {0};
    (void)d->ops->write_u32(d, STP_CM_AIRCR, STP_CM_AIRCR_VECTKEY | req, &scratch);
    stp_findings_free(&scratch);
    d->ops->delay_ms(d, 2);
    uint32_t v = 0;
    return dhcsr_read(d, &v, findings);
}

stp_status stp_cm_reset(stp_debug *d, stp_core_kind core, stp_reset_mode mode, bool halt,
                        stp_findings *findings)
{
    uint32_t v = 0;
    stp_status st =
        dhcsr_write(d, STP_CM_DHCSR_C_DEBUGEN | (halt ? STP_CM_DHCSR_C_HALT : 0), findings);
    if (st == STP_OK)
        st = demcr_catch(d, halt, findings);
    if (st == STP_OK)
        st = dhcsr_read(d, &v, findings); /* clears the sticky S_RESET_ST */
    if (st != STP_OK)
        return st;
    if (mode == STP_RESET_HW) {
        st = d->ops->set_nrst(d, true, findings);
        if (st == STP_OK) {
            d->ops->delay_ms(d, NRST_PULSE_MS);
            st = d->ops->set_nrst(d, false, findings);
        }
        d->ops->delay_ms(d, 2);
        if (st == STP_OK)
            st = dhcsr_read(d, &v, findings);
        if (st == STP_OK && !(v & STP_CM_DHCSR_S_RESET_ST)) {
            stp_finding *f = stp_finding_add(
                findings, "reset.nrst-no-effect", STP_SEV_WARNING,
                "pulsing NRST did not reset the chip; used a software reset instead");
            stp_finding_evidence(f, "DHCSR", "0x%08X", (unsigned)v);
            stp_finding_advice(f, "check that the probe's NRST pin is wired to the board's "
                                  "reset (or use --reset sw)");
            st = aircr_reset(d, core, STP_RESET_SW, findings);
        }
    } else {
        st = aircr_reset(d, core, mode, findings);
    }
    if (st == STP_OK && halt)
        st = wait_halted(d, RESET_DEADLINE_MS, "a reset with vector catch", findings);
    if (st == STP_OK && halt)
        st = demcr_catch(d, false, findings);
    if (st == STP_OK && !halt)
        st = dhcsr_write(d, STP_CM_DHCSR_C_DEBUGEN, findings);
    return st;
}
