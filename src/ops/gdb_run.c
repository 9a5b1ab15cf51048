/* Running and stepping for gdb: resume, then poll DHCSR on the probe's clock (virtual on
 * the simulator) until the core halts, gdb sends Ctrl-C, the client leaves, the server is
 * told to stop, or the target stops answering or resets under us; each ends in a stop
 * reply (a lost or reset target also in a console message with the finding). */
#include <stdio.h>
#include <string.h>

#include "ops/gdb_internal.h"
#include "target/cortexm.h"

#define GDB_SIGINT  2
#define GDB_SIGTRAP 5
#define GDB_SIGSEGV 11
#define GDB_SIGLOST 29

void gdb_stop_reply(gdb_session *s)
{
    char buf[80];
    if (s->last_signal == GDB_SIGTRAP && s->last_watch[0] != '\0')
        snprintf(buf, sizeof(buf), "T%02x%s", s->last_signal, s->last_watch);
    else
        snprintf(buf, sizeof(buf), "T%02x", s->last_signal & 0xFF);
    gdb_send_str(s, buf);
}

static void target_lost(gdb_session *s, stp_findings *f)
{
    gdb_console(s, "stprog: the target stopped answering while it ran\n");
    gdb_report_findings(s, f, true);
    gdb_notify(s, "the target stopped answering while it ran");
    gdb_report_findings(s, f, false);
    s->last_signal = GDB_SIGLOST;
    s->last_watch[0] = '\0';
    gdb_stop_reply(s);
}

/* A fault in the fault handler (or an unusable vector table) stops the core for good:
 * report it as a segmentation fault instead of waiting for a halt that never comes. */
static void locked_up(gdb_session *s, uint32_t dhcsr)
{
    stp_findings f = {0};
    (void)stp_target_halt(s->t, &f);
    stp_findings_clear(&f);
    stp_finding *x = stp_finding_add(&f, "gdb.core-lockup", STP_SEV_ERROR,
                                     "the core locked up (a fault while handling a fault, or "
                                     "a vector table it cannot use)");
    stp_finding_evidence(x, "DHCSR", "0x%08X", (unsigned)dhcsr);
    stp_finding_advice(x, "check the vector table (initial SP inside SRAM, reset vector odd) "
                          "and the fault handlers; `monitor reset halt` starts over");
    gdb_report_findings(s, &f, true);
    gdb_notify(s, "the core locked up while it ran");
    stp_findings_free(&f);
    s->last_signal = GDB_SIGSEGV;
    s->last_watch[0] = '\0';
    gdb_stop_reply(s);
}

/* Looks at bytes gdb sent while the target runs: Ctrl-C is taken out, packets stay. */
static bool take_interrupt(gdb_session *s)
{
    for (size_t i = s->in_pos; i < s->in_len; i++) {
        if (s->inbuf[i] == 0x03) {
            memmove(s->inbuf + i, s->inbuf + i + 1, s->in_len - i - 1);
            s->in_len--;
            return true;
        }
    }
    return false;
}

void gdb_continue(gdb_session *s)
{
    stp_debug *d = s->dbg;
    stp_findings f = {0};
    uint32_t dhcsr = 0;
    (void)d->ops->read_u32(d, STP_CM_DHCSR, &dhcsr, NULL); /* clears the sticky S_RESET_ST */
    uint32_t dfsr = 0;
    if (d->ops->read_u32(d, 0xE000ED30u, &dfsr, NULL) == STP_OK)
        (void)d->ops->write_u32(d, 0xE000ED30u, dfsr, NULL);
    if (stp_target_run(s->t, &f) != STP_OK) {
        target_lost(s, &f);
        stp_findings_free(&f);
        return;
    }
    unsigned polls = 0;
    bool rtt_moved = false;
    for (;;) {
        /* Fast polls first (a breakpoint just ahead), then every 10 ms of target time; at
         * once while RTT data flows (gdb_rtt.c). */
        if (!rtt_moved)
            d->ops->delay_ms(d, polls < 20 ? 1 : 10);
        polls++;
        rtt_moved = gdb_rtt_poll(s);
        if (gdb_fill_input(s, 0) < 0 || s->closed)
            break; /* the client left: the target keeps running */
        bool interrupt = take_interrupt(s);
        if (d->ops->read_u32(d, STP_CM_DHCSR, &dhcsr, &f) != STP_OK) {
            target_lost(s, &f);
            break;
        }
        if (dhcsr & STP_CM_DHCSR_S_RESET_ST) {
            stp_findings_clear(&f);
            (void)stp_target_halt(s->t, &f);
            stp_finding *x = stp_finding_add(&f, "gdb.target-reset", STP_SEV_WARNING,
                                             "the target reset while it ran (DHCSR.S_RESET_ST)");
            stp_finding_evidence(x, "DHCSR", "0x%08X", (unsigned)dhcsr);
            stp_finding_advice(x, "a watchdog, a brown-out or the reset pin: `monitor doctor` "
                                  "or `stprog doctor` tells which");
            gdb_report_findings(s, &f, true);
            gdb_notify(s, "the target reset while it ran");
            s->last_signal = GDB_SIGTRAP;
            s->last_watch[0] = '\0';
            gdb_stop_reply(s);
            break;
        }
        if ((dhcsr & STP_CM_DHCSR_S_LOCKUP) && !(dhcsr & STP_CM_DHCSR_S_HALT)) {
            locked_up(s, dhcsr);
            break;
        }
        if (dhcsr & STP_CM_DHCSR_S_HALT) {
            int sh = gdb_semihost_halt(s); /* a semihosting call: served, runs on */
            if (sh == 1) {
                rtt_moved = true;
                continue;
            }
            if (sh == 2)
                break;
            gdb_halt_reason(s);
            s->last_signal = GDB_SIGTRAP;
            gdb_stop_reply(s);
            break;
        }
        if (interrupt || (s->opt->stop != NULL && *s->opt->stop)) {
            if (stp_target_halt(s->t, &f) != STP_OK) {
                target_lost(s, &f);
                break;
            }
            gdb_halt_reason(s);
            s->last_signal = GDB_SIGINT;
            s->last_watch[0] = '\0';
            gdb_stop_reply(s);
            break;
        }
    }
    stp_findings_free(&f);
}

void gdb_step(gdb_session *s)
{
    stp_findings f = {0};
    if (stp_target_step(s->t, &f) != STP_OK) {
        target_lost(s, &f);
    } else {
        gdb_halt_reason(s);
        s->last_signal = GDB_SIGTRAP;
        gdb_stop_reply(s);
    }
    stp_findings_free(&f);
}
