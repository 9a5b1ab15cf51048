/* Doctor check "resets": does the chip reset by itself while its firmware RUNS? A reset
 * loop (a watchdog the firmware never feeds, a fault handler that resets, a supervisor on
 * NRST, a supply that sags when the firmware speeds the clock up) only happens while the
 * firmware runs, so the check starts the firmware from a reset of its own and lets it run
 * for the watch window (2.5 s, longer with --watch), with reset vector catch set: every
 * reset then stops the core at its first instruction, where a DHCSR poll sees it. That
 * counts each reset, however short the period (down to a few poll times, about 10 ms),
 * gives the time the firmware ran before it (the period), and reads the reset flags that
 * name its cause before clearing them for the next one. The sticky flags read at connect
 * are evidence too: a watchdog or software reset in them that does not recur in the
 * window is worth a warning. */
#include <stdio.h>
#include <string.h>

#include "ops/doctor_internal.h"
#include "target/cortexm.h"

#define WATCH_DEFAULT_MS 2500u
#define WATCH_POLL_MS    1u
#define WATCH_ENOUGH     12u /* resets: enough to know the period */
#define LINK_LOST_POLLS  5u  /* failed DHCSR reads in a row */
#define CM_DFSR          0xE000ED30u
#define DFSR_BKPT        (1u << 1)
#define DFSR_VCATCH      (1u << 3)
#define DFSR_ALL         0x1Fu

typedef struct watch {
    stp_dx_run *r;
    uint32_t csr_addr;
    unsigned resets, power, watchdog, software, pin, low_power, other;
    uint64_t min_ms, max_ms, sum_ms;
    unsigned intervals;
    uint32_t flags_seen; /* RCC_CSR flags of the resets seen, or'ed */
    uint32_t power_dhcsr, power_csr;
    bool link_lost, stopped_by_bkpt, lockup;
    unsigned polls;
    uint64_t watched_ms;
} watch;

static void clear_flags(watch *w)
{
    uint32_t csr = 0;
    if (w->csr_addr != 0 && stp_dx_read(w->r->dbg, w->csr_addr, &csr))
        stp_dx_write(w->r->dbg, w->csr_addr, (csr & 0x00FFFFFFu) | stp_dx_csr_rmvf(w->r->chip));
}

/* One reset seen after the firmware ran ran_ms: its cause from the reset flags. */
static void count_reset(watch *w, uint64_t ran_ms, bool debug_lost, uint32_t dhcsr)
{
    uint32_t csr = 0;
    if (w->csr_addr != 0)
        (void)stp_dx_read(w->r->dbg, w->csr_addr, &csr);
    clear_flags(w);
    w->flags_seen |= csr;
    stp_dx_flags fl = stp_dx_decode_flags(w->r->chip, csr);
    w->resets++;
    if (debug_lost || fl.power) {
        w->power++;
        if (w->power == 1) {
            w->power_dhcsr = dhcsr;
            w->power_csr = csr;
        }
    } else if (fl.watchdog) {
        w->watchdog++;
    } else if (fl.software) {
        w->software++;
    } else if (fl.low_power) {
        w->low_power++;
    } else if (fl.pin) {
        w->pin++;
    } else {
        w->other++;
    }
    if (debug_lost)
        return; /* the power reset's moment is not known: no interval */
    w->min_ms = w->intervals == 0 || ran_ms < w->min_ms ? ran_ms : w->min_ms;
    w->max_ms = ran_ms > w->max_ms ? ran_ms : w->max_ms;
    w->sum_ms += ran_ms;
    w->intervals++;
}

/* Lets the core run with reset vector catch set. */
static void let_run(stp_debug *d)
{
    uint32_t v = 0;
    stp_dx_write(d, STP_CM_DEMCR, STP_CM_DEMCR_VC_CORERESET);
    stp_dx_write(d, CM_DFSR, DFSR_ALL);
    (void)stp_dx_read(d, STP_CM_DHCSR, &v); /* clears S_RESET_ST */
    stp_dx_write(d, STP_CM_DHCSR, STP_CM_DHCSR_DBGKEY | STP_CM_DHCSR_C_DEBUGEN);
}

static void watch_run(watch *w, uint32_t window_ms)
{
    stp_debug *d = w->r->dbg;
    stp_findings scratch = {0};
    /* Start the firmware from a reset of our own, so that the first period is whole. */
    if (stp_cm_reset(d, w->r->id.core, STP_RESET_SW, true, &scratch) != STP_OK)
        (void)stp_cm_halt(d, &scratch);
    stp_findings_free(&scratch);
    clear_flags(w); /* our reset's SFT/PIN flags */
    const uint64_t start = d->ops->now_ms(d);
    unsigned failed = 0;
    let_run(d);
    /* The core runs from the end of let_run; a reset seen at a poll happened between the
     * previous poll and this one: its moment is taken as the middle. */
    uint64_t resumed = d->ops->now_ms(d), prev = resumed;
    while (d->ops->now_ms(d) - start < window_ms && w->resets < WATCH_ENOUGH) {
        d->ops->delay_ms(d, WATCH_POLL_MS);
        uint32_t v = 0;
        w->polls++;
        if (!stp_dx_read(d, STP_CM_DHCSR, &v)) {
            if (++failed >= LINK_LOST_POLLS) {
                w->link_lost = true;
                break;
            }
            continue;
        }
        failed = 0;
        uint64_t now = d->ops->now_ms(d), at = (prev + now) / 2;
        uint64_t ran = at > resumed ? at - resumed : 0;
        prev = now;
        if (!(v & STP_CM_DHCSR_C_DEBUGEN)) {
            /* Only a power-on/brown-out reset clears C_DEBUGEN. */
            count_reset(w, ran, true, v);
            let_run(d);
            resumed = prev = d->ops->now_ms(d);
            continue;
        }
        w->lockup = w->lockup || (v & STP_CM_DHCSR_S_LOCKUP);
        if (v & STP_CM_DHCSR_S_HALT) {
            uint32_t dfsr = 0;
            (void)stp_dx_read(d, CM_DFSR, &dfsr);
            if (!(dfsr & DFSR_VCATCH) && !(v & STP_CM_DHCSR_S_RESET_ST)) {
                w->stopped_by_bkpt = (dfsr & DFSR_BKPT) != 0;
                break; /* the firmware stopped itself (BKPT): nothing more to see */
            }
            count_reset(w, ran, false, v);
            let_run(d);
            resumed = prev = d->ops->now_ms(d);
        } else if (v & STP_CM_DHCSR_S_RESET_ST) {
            count_reset(w, ran, false, v); /* a reset the catch missed */
            resumed = at;
        }
    }
    w->watched_ms = d->ops->now_ms(d) - start;
    stp_findings scratch2 = {0};
    (void)stp_cm_halt(d, &scratch2);
    stp_findings_free(&scratch2);
    stp_dx_write(d, STP_CM_DEMCR, 0);
    stp_dx_write(d, CM_DFSR, DFSR_ALL);
}

static const char *cause_text(const watch *w)
{
    unsigned most = w->watchdog;
    const char *kind = "a watchdog (IWDG/WWDG)";
    if (w->software > most) {
        most = w->software;
        kind = "software (SYSRESETREQ from the firmware)";
    }
    if (w->low_power > most) {
        most = w->low_power;
        kind = "a low-power mode entry (LPWR: Standby/Stop with nRST_STDBY/nRST_STOP clear)";
    }
    if (w->pin > most) {
        most = w->pin;
        kind = "the NRST pin (reset circuit, supervisor, button)";
    }
    return most == 0 ? "an unknown source (no reset flag set)" : kind;
}

static void loop_advice(stp_finding *f, const watch *w, bool under_reset)
{
    if (w->watchdog >= w->software && w->watchdog >= w->pin && w->watchdog > 0) {
        if (under_reset)
            stp_finding_advice(
                f, "the watchdog runs although the firmware never ran (connected under "
                   "reset): the option bytes start it (hardware watchdog). stprog freezes it "
                   "while the core is halted and reloads it from its SRAM loader; to be sure, "
                   "set wdg_sw=1 (F1/F2/F4; iwdg_sw=1 on F7/L1/L4) with `stprog option-bytes "
                   "set`, program, then set it back");
        else
            stp_finding_advice(f, "the firmware does not feed its watchdog (or enables it and "
                                  "then hangs), or the option bytes start it (hardware "
                                  "watchdog: wdg_sw/iwdg_sw 0 in `stprog option-bytes show`): "
                                  "connect under reset (`--connect under-reset`) and erase or "
                                  "reprogram it; halted debugging needs DBG_IWDG_STOP in "
                                  "DBGMCU_APB1_FZ");
    } else if (w->software > 0 && w->software >= w->pin) {
        stp_finding_advice(f, "the firmware requests the resets (NVIC_SystemReset, often from "
                              "a fault handler or an assert): debug it halted, or connect "
                              "under reset (`--connect under-reset`) to reprogram it");
    } else if (w->low_power > 0) {
        stp_finding_advice(f, "the firmware enters Standby/Stop with the option bytes set to "
                              "reset on it (nRST_STDBY/nRST_STOP = 0): set them to 1 or change "
                              "the firmware; connect under reset to reprogram it");
    } else {
        stp_finding_advice(f, "measure NRST with a scope; check the reset circuit and "
                              "supervisor, and that nothing else drives NRST");
    }
}

static void report_power(stp_dx_run *r, stp_doctor_check *c, const watch *w, const char *before)
{
    stp_finding *f = stp_dx_brownout(r->findings, r->chip, w->power_dhcsr, w->power_csr, r->volts,
                                     "while the firmware ran");
    stp_finding_evidence(f, "flags_at_connect", "%s", before);
    char m[160];
    snprintf(m, sizeof(m),
             "%u power reset(s) in %llu ms of the firmware running, %.2f V between "
             "them",
             w->power, (unsigned long long)w->watched_ms, r->volts);
    stp_dx_unstable(r->findings, "the chip resets from its supply while its firmware runs", m);
    stp_dx_set(c, STP_CHECK_FAIL, "%u reset(s) in %llu ms of running, %u of them power resets",
               w->resets, (unsigned long long)w->watched_ms, w->power);
    stp_dx_block(r, c, STP_ERR_POWER);
}

static void report_loop(stp_dx_run *r, stp_doctor_check *c, const watch *w, const char *before)
{
    char seen[64], interval[96] = "";
    stp_dx_flags_text(r->chip, w->flags_seen, seen, sizeof(seen));
    if (w->intervals > 0 && w->min_ms + 2 >= w->max_ms)
        snprintf(interval, sizeof(interval), "every %llu ms",
                 (unsigned long long)(w->sum_ms / w->intervals));
    else if (w->intervals > 0)
        snprintf(interval, sizeof(interval), "every %llu-%llu ms (mean %llu)",
                 (unsigned long long)w->min_ms, (unsigned long long)w->max_ms,
                 (unsigned long long)(w->sum_ms / w->intervals));
    const char *kind = cause_text(w);
    stp_finding *f = stp_finding_add(
        r->findings, "target.reset-loop", STP_SEV_ERROR,
        "the chip resets by itself while its firmware runs: %u reset(s) in %llu ms%s%s, by %s",
        w->resets, (unsigned long long)w->watched_ms, interval[0] ? ", " : "", interval, kind);
    stp_finding_evidence(f, "resets_seen", "%u in %llu ms of the firmware running%s", w->resets,
                         (unsigned long long)w->watched_ms,
                         w->resets >= WATCH_ENOUGH ? " (watch ended early: enough seen)" : "");
    if (w->intervals > 0) {
        stp_finding_evidence(f, "interval_ms",
                             "%llu (min %llu, max %llu; the firmware's run "
                             "time from its start to the reset, +-%u ms)",
                             (unsigned long long)(w->sum_ms / w->intervals),
                             (unsigned long long)w->min_ms, (unsigned long long)w->max_ms,
                             2 * WATCH_POLL_MS);
    }
    stp_finding_evidence(f, "reset_flags",
                         "%s (at each reset: %u watchdog, %u software, %u pin, "
                         "%u low-power, %u without flag)",
                         seen, w->watchdog, w->software, w->pin, w->low_power, w->other);
    stp_finding_evidence(f, "flags_at_connect", "%s", before);
    loop_advice(f, w, r->under_reset);
    stp_dx_set(c, STP_CHECK_FAIL, "%u reset(s) in %llu ms of running%s%s, flags %s", w->resets,
               (unsigned long long)w->watched_ms, interval[0] ? ", " : "", interval, seen);
}

/* No reset while watching, but the flags at connect name a watchdog or software reset. */
static bool report_earlier(stp_dx_run *r, stp_doctor_check *c, const watch *w, uint32_t csr0,
                           const char *before)
{
    stp_dx_flags fl = stp_dx_decode_flags(r->chip, csr0);
    if (!fl.watchdog && !fl.software)
        return false;
    const char *what = fl.watchdog ? "a watchdog reset" : "a software reset";
    stp_finding *f = stp_finding_add(
        r->findings, "target.reset-earlier", STP_SEV_WARNING,
        "the reset flags read at connect show %s, but none recurred in %llu ms of the "
        "firmware running",
        what, (unsigned long long)w->watched_ms);
    stp_finding_evidence(f, "flags_at_connect", "%s (RCC_CSR 0x%08X)", before, (unsigned)csr0);
    stp_finding_evidence(f, "watched", "%llu ms, %u polls of DHCSR with reset vector catch",
                         (unsigned long long)w->watched_ms, w->polls);
    if (fl.watchdog)
        stp_finding_advice(f, "the watchdog reset the chip before stprog connected: the "
                              "firmware hangs or stops feeding it only in some state (or "
                              "with a period longer than the watch): watch longer with "
                              "`stprog doctor --watch 30`, and look at what the firmware was "
                              "doing");
    else
        stp_finding_advice(f, "the firmware (or a debugger: st-flash, OpenOCD and IDEs reset "
                              "this way) requested a reset before stprog connected; if it was "
                              "not a debugger, watch longer with `stprog doctor --watch 30`");
    stp_dx_set(c, STP_CHECK_WARN,
               "no reset in %llu ms of the firmware running (%u polls); "
               "flags at connect: %s",
               (unsigned long long)w->watched_ms, w->polls, before);
    return true;
}

void stp_dx_note_connect(stp_dx_run *r)
{
    uint32_t idcode = 0;
    r->connect_chip = stp_dx_dbgmcu_chip(r->dbg, &idcode);
    uint32_t addr = stp_dx_rcc_csr_addr(r->connect_chip);
    r->csr_at_connect_ok = addr != 0 && stp_dx_read(r->dbg, addr, &r->csr_at_connect);
    if (r->connect_chip != NULL)
        stp_iwdg_freeze_on(r->dbg, r->connect_chip, &r->freeze);
}

void stp_dx_thaw(stp_dx_run *r)
{
    stp_iwdg_thaw(r->dbg, &r->freeze);
    memset(&r->freeze, 0, sizeof(r->freeze));
}

void stp_dx_check_resets(stp_dx_run *r)
{
    stp_doctor_check *c = stp_dx_check(r, "resets", "Resets by themselves (firmware running)");
    watch w = {.r = r, .csr_addr = stp_dx_rcc_csr_addr(r->chip)};
    uint32_t csr0 = r->csr_at_connect;
    bool csr_ok = r->csr_at_connect_ok && r->connect_chip == r->chip;
    char before[64];
    if (csr_ok)
        stp_dx_flags_text(r->chip, csr0, before, sizeof(before));
    else
        snprintf(before, sizeof(before), "not readable");
    if (r->under_reset) {
        /* The firmware turns the debug port off: running it would cut the link. */
        stp_dx_set(c, STP_CHECK_INFO,
                   "not watched: the firmware turns the debug port off (connected under "
                   "reset); reset flags at connect: %s",
                   before);
        return;
    }
    uint32_t window = r->opt->watch_ms ? r->opt->watch_ms : WATCH_DEFAULT_MS;
    stp_log(r->env, STP_LOG_INFO, "doctor: letting the firmware run for %u ms", (unsigned)window);
    watch_run(&w, window);
    if (w.power > 0) {
        report_power(r, c, &w, before);
        return;
    }
    if (w.resets > 0) {
        report_loop(r, c, &w, before);
        return;
    }
    if (csr_ok && report_earlier(r, c, &w, csr0, before))
        return;
    const char *how = w.link_lost         ? "; then the link was lost (the firmware may turn "
                                            "the debug port off)"
                      : w.stopped_by_bkpt ? "; the firmware stopped at a BKPT instruction"
                      : w.lockup          ? "; the core is locked up (no valid program?)"
                                          : "";
    stp_dx_set(c, w.link_lost ? STP_CHECK_WARN : STP_CHECK_PASS,
               "no reset in %llu ms of the firmware running (%u polls of DHCSR, reset vector "
               "catch)%s; reset flags at connect: %s",
               (unsigned long long)w.watched_ms, w.polls, how, before);
}
