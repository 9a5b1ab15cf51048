/* SWO for `run --swo` and `stprog swo`: the trace path set up from the host, as OpenOCD's
 * `tpiu config` and stlink-org's st-trace do it (ARMv7-M ARM C1.6 DEMCR.TRCENA; the
 * Cortex-M3/M4 TRMs' TPIU and ITM registers; the STM32 reference manuals' DBGMCU_CR with
 * TRACE_IOEN bit 5 and TRACE_MODE bits 7:6 = 00 for asynchronous SWO), the probe's capture
 * started at the same rate, and the stimulus packets decoded from what it captures. */
#include <stdarg.h>
#include <stdio.h>

#include "ops/ops_internal.h"
#include "ops/run_internal.h"
#include "target/cortexm.h"

#define ITM_TER    0xE0000E00u
#define ITM_TPR    0xE0000E40u
#define ITM_TCR    0xE0000E80u
#define ITM_LAR    0xE0000FB0u
#define TPIU_CSPSR 0xE0040004u
#define TPIU_ACPR  0xE0040010u
#define TPIU_SPPR  0xE00400F0u
#define TPIU_FFCR  0xE0040304u

#define ITM_UNLOCK     0xC5ACCE55u
#define TCR_ITMENA     (1u << 0)
#define TCR_BUSID_1    (1u << 16)
#define SPPR_NRZ       2u
#define FFCR_TRIGIN    0x100u /* formatter off (EnFCont clear), TrigIn as the TRMs' reset */
#define TRACE_IOEN     (1u << 5)
#define TRACE_MODE     (3u << 6)
#define DEFAULT_MAX_HZ 2000000u /* every ST-Link captures up to 2 MHz */
#define READ_CHUNK     4096u

static stp_finding *swo_refuse(run_session *s, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static stp_finding *swo_refuse(run_session *s, const char *id, const char *fmt, ...)
{
    char msg[STP_FINDING_TEXT_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return stp_finding_add(s->findings, id, STP_SEV_ERROR, "%s", msg);
}

stp_status stp_swo_start(run_session *s)
{
    const stp_run_options *o = s->opt;
    stp_debug *d = s->d;
    if (!o->swo)
        return STP_OK;
    if (s->v6m) {
        stp_finding_advice(swo_refuse(s, "swo.not-available",
                                      "this chip's %s has no ITM and no SWO pin",
                                      stp_target_get_info(s->t)->core),
                           "print through RTT or semihosting instead");
        return STP_ERR_UNSUPPORTED;
    }
    if (d->ops->trace_start == NULL) {
        stp_finding_advice(swo_refuse(s, "swo.not-available", "this probe has no SWO input"),
                           "use an ST-Link for SWO");
        return STP_ERR_UNSUPPORTED;
    }
    uint32_t hz = o->swo_core_hz ? o->swo_core_hz : s->t->id.chip->reset_clock_hz;
    uint32_t baud = o->swo_baud;
    if (baud == 0) /* the fastest rate up to 2 MHz the prescaler can make exactly */
        baud = hz / ((hz + DEFAULT_MAX_HZ - 1) / DEFAULT_MAX_HZ);
    if (baud == 0 || baud > hz) {
        stp_finding_advice(swo_refuse(s, "swo.baud-unsupported",
                                      "an SWO rate of %u Hz cannot be made from a %u Hz core "
                                      "clock",
                                      (unsigned)baud, (unsigned)hz),
                           "give --swo-baud at most the core clock (--swo-clock)");
        return STP_ERR_INVALID_ARG;
    }
    uint32_t div = (hz + baud / 2) / baud;
    uint32_t made = hz / div;
    if (made > baud + baud / 33 || made < baud - baud / 33) { /* 3 %: a UART's tolerance */
        stp_finding *x = swo_refuse(s, "swo.baud-unsupported",
                                    "the TPIU divides the %u Hz core clock: %u Hz is the "
                                    "nearest rate it makes to %u",
                                    (unsigned)hz, (unsigned)made, (unsigned)baud);
        stp_finding_advice(x, "give --swo-baud as the core clock divided by a whole number");
        return STP_ERR_INVALID_ARG;
    }
    s->res->swo_baud = baud;
    uint32_t demcr = 0, dbgmcu = 0;
    uint32_t dbgmcu_cr = s->t->id.idcode_addr + 4u;
    stp_status st = d->ops->read_u32(d, STP_CM_DEMCR, &demcr, s->findings);
    if (st == STP_OK)
        st = d->ops->write_u32(d, STP_CM_DEMCR, demcr | STP_CM_DEMCR_TRCENA, s->findings);
    if (st == STP_OK)
        st = d->ops->read_u32(d, dbgmcu_cr, &dbgmcu, s->findings);
    if (st == STP_OK)
        st = d->ops->write_u32(d, dbgmcu_cr, (dbgmcu & ~TRACE_MODE) | TRACE_IOEN, s->findings);
    const uint32_t regs[][2] = {
        {TPIU_CSPSR, 1u},      {TPIU_ACPR, div - 1u},
        {TPIU_SPPR, SPPR_NRZ}, {TPIU_FFCR, FFCR_TRIGIN},
        {ITM_LAR, ITM_UNLOCK}, {ITM_TCR, TCR_ITMENA | TCR_BUSID_1},
        {ITM_TPR, 0},          {ITM_TER, o->swo_ports ? o->swo_ports : 1u},
    };
    for (size_t i = 0; st == STP_OK && i < sizeof(regs) / sizeof(regs[0]); i++)
        st = d->ops->write_u32(d, regs[i][0], regs[i][1], s->findings);
    uint32_t actual = 0;
    if (st == STP_OK)
        st = d->ops->trace_start(d, baud, &actual, s->findings);
    if (st == STP_OK) {
        s->swo_on = true;
        stp_itm_init(&s->itm);
        stp_log(s->env, STP_LOG_INFO, "SWO at %u Hz (core clock %u Hz / %u)", (unsigned)baud,
                (unsigned)hz, (unsigned)div);
    }
    return st;
}

static void emit(void *user, unsigned port, const uint8_t *payload, unsigned len)
{
    run_session *s = user;
    uint32_t ports = s->opt->swo_ports ? s->opt->swo_ports : 1u;
    if (port < 32 && (ports & (1u << port)))
        run_output(s, STP_RUN_STDOUT, payload, len);
    else
        s->itm_unselected++;
}

stp_status stp_swo_poll(run_session *s, bool *moved)
{
    *moved = false;
    if (!s->swo_on)
        return STP_OK;
    uint8_t buf[READ_CHUNK];
    size_t got = 0;
    stp_status st = s->d->ops->trace_read(s->d, buf, sizeof(buf), &got, s->findings);
    if (st != STP_OK || got == 0)
        return st;
    *moved = true;
    s->res->swo_bytes += got;
    stp_itm_feed(&s->itm, buf, got, emit, s);
    s->res->itm_packets = s->itm.packets;
    if (s->itm.overflows > s->res->itm_overflows && s->res->itm_overflows == 0)
        stp_log(s->env, STP_LOG_WARN,
                "the ITM dropped writes (overflow packets): the firmware writes faster than "
                "SWO at %u Hz carries; check FIFOREADY before each write or raise the rate",
                (unsigned)s->res->swo_baud);
    s->res->itm_overflows = s->itm.overflows;
    return STP_OK;
}

void stp_swo_stop(run_session *s)
{
    if (!s->swo_on)
        return;
    /* What a receiver at another rate than the pin's decodes: bytes that fit no packet,
     * DWT packets nobody enabled, packets on ports stprog did not enable. */
    uint64_t suspect = s->itm.skipped + s->itm.hw_packets + s->itm_unselected;
    if (suspect > 8 && suspect * 10 > s->itm.packets + s->itm.skipped) {
        stp_finding *x =
            stp_finding_add(s->findings, "swo.garbled", STP_SEV_WARNING,
                            "the SWO bytes do not decode as the ITM's packets "
                            "(%llu of %llu do not fit): the probe and the chip do "
                            "not agree on the rate",
                            (unsigned long long)suspect, (unsigned long long)s->res->swo_bytes);
        stp_finding_evidence(x, "swo_baud", "%u", (unsigned)s->res->swo_baud);
        stp_finding_advice(x, "give --swo-clock the clock the core really runs at (the "
                              "firmware may have switched to a PLL)");
    }
    stp_findings scratch = {0};
    (void)s->d->ops->trace_stop(s->d, &scratch);
    stp_findings_free(&scratch);
    s->swo_on = false;
}
