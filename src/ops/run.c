/* The run loop of `stprog run` and `stprog rtt` (stprog/run.h): start (reset with vector
 * catch, HardFault catch, stale RTT IDs wiped) or attach, then poll on the probe's clock:
 * DHCSR (one read: halted? locked up? reset?), then the RTT up-channel (one read of its
 * offsets when idle). A halt on BKPT 0xAB is a semihosting call, served at once; a catch of
 * HardFault, a lockup, another breakpoint or a reset ends the run with its report. While
 * data flows the next poll follows at once (a blocking RTT buffer stalls the firmware until
 * it is read); when idle it waits poll_ms. Before the run ends for any reason the up-channel
 * is drained, so nothing the firmware wrote is lost. */
#include <string.h>

#include "ops/ops_internal.h"
#include "ops/run_internal.h"
#include "target/cortexm.h"

#define DFSR_HALTED  (1u << 0)
#define DFSR_BKPT    (1u << 1)
#define DFSR_DWTTRAP (1u << 2)
#define DFSR_VCATCH  (1u << 3)

#define SEMIHOST_BKPT 0xBEABu
#define RAM_LO        0x10000000u /* RTT buffers must lie in RAM: CCM/DTCM and SRAM regions */
#define RAM_HI        0x40000000ull
#define RESCAN_MS     1000u /* between SRAM scans while no control block is found */
#define READ_CHUNK    4096u
#define DRAIN_HALTED  64 /* reads of a halted core's up-buffer: 64 x READ_CHUNK at most */

void run_output(run_session *s, stp_run_stream stream, const void *data, size_t len)
{
    if (len > 0 && s->io != NULL && s->io->output != NULL)
        s->io->output(s->io->user, stream, data, len);
}

void run_fill_input(run_session *s)
{
    if (s->input_eof || s->pending_len == sizeof(s->pending))
        return;
    if (s->io == NULL || s->io->input == NULL || s->opt->input == STP_RUN_INPUT_NONE) {
        s->input_eof = true;
        return;
    }
    long n =
        s->io->input(s->io->user, s->pending + s->pending_len, sizeof(s->pending) - s->pending_len);
    if (n < 0)
        s->input_eof = true;
    else
        s->pending_len += (size_t)n;
}

size_t run_take_input(run_session *s, uint8_t *buf, size_t cap)
{
    size_t n = s->pending_len < cap ? s->pending_len : cap;
    memcpy(buf, s->pending, n);
    memmove(s->pending, s->pending + n, s->pending_len - n);
    s->pending_len -= n;
    return n;
}

void run_end(run_session *s, stp_run_end end)
{
    if (s->ended)
        return;
    s->ended = true;
    s->res->end = end;
}

bool run_should_end(run_session *s)
{
    if (s->ended)
        return true;
    if (s->io != NULL && s->io->stop != NULL && *s->io->stop)
        run_end(s, STP_RUN_END_STOPPED);
    else if (s->deadline_ns != 0 && stp_probe_now_ns(s->d) >= s->deadline_ns)
        run_end(s, STP_RUN_END_TIMEOUT);
    return s->ended;
}

/* Looks for the control block: at the known address (cheap, every poll until found) or by
 * scanning the SRAM (about once a second). */
static stp_status find_rtt(run_session *s, uint64_t *next_scan_ms)
{
    stp_debug *d = s->d;
    if (s->opt->rtt_address_known)
        return stp_rtt_attach(&s->rtt, s->opt->rtt_address, s->findings);
    uint64_t now = d->ops->now_ms(d);
    if (now < *next_scan_ms)
        return STP_OK;
    const stp_target_info *info = stp_target_get_info(s->t);
    uint32_t at = 0;
    bool hit = false;
    stp_status st =
        stp_rtt_scan(&s->rtt, info->sram_base, info->sram_kb * 1024u, &at, &hit, s->findings);
    *next_scan_ms = d->ops->now_ms(d) + RESCAN_MS;
    if (st == STP_OK && hit)
        st = stp_rtt_attach(&s->rtt, at, s->findings);
    return st;
}

static void note_rtt_found(run_session *s)
{
    stp_run_result *r = s->res;
    if (r->rtt_found || !s->rtt.found)
        return;
    r->rtt_found = true;
    r->rtt_address = s->rtt.cb;
    r->rtt_up = s->rtt.up_count;
    r->rtt_down = s->rtt.down_count;
    const stp_rtt_channel *c =
        s->opt->rtt_channel < STP_RTT_MAX_CHANNELS ? &s->rtt.up[s->opt->rtt_channel] : NULL;
    if (c == NULL || s->opt->rtt_channel >= s->rtt.up_count || c->size == 0) {
        stp_log(s->env, STP_LOG_WARN,
                "RTT control block at 0x%08X has no up-channel %u set up (it declares %u)",
                (unsigned)s->rtt.cb, s->opt->rtt_channel, s->rtt.up_count);
        return;
    }
    stp_log(s->env, STP_LOG_INFO,
            "RTT control block at 0x%08X: up-channel %u \"%s\", %u bytes, mode %s",
            (unsigned)s->rtt.cb, s->opt->rtt_channel, c->name, (unsigned)c->size,
            stp_rtt_mode_name(c->flags));
}

/* One RTT round: find the block if need be, read the up-channel (*moved when it held data),
 * hand pending input to down-channel 0. */
static stp_status rtt_round(run_session *s, uint64_t *next_scan_ms, bool *moved)
{
    *moved = false;
    if (!s->opt->rtt)
        return STP_OK;
    stp_status st = STP_OK;
    if (!s->rtt.found) {
        st = find_rtt(s, next_scan_ms);
        note_rtt_found(s);
        if (st != STP_OK || !s->rtt.found)
            return st;
    }
    uint8_t buf[READ_CHUNK];
    size_t got = 0;
    st = stp_rtt_read(&s->rtt, s->opt->rtt_channel, buf, sizeof(buf), &got, s->findings);
    if (st != STP_OK)
        return st;
    if (got > 0) {
        run_output(s, STP_RUN_STDOUT, buf, got);
        s->res->rtt_bytes += got;
        *moved = true;
    }
    stp_run_input in = s->opt->input;
    bool to_rtt = in == STP_RUN_INPUT_RTT || (in == STP_RUN_INPUT_AUTO && !s->input_to_semihosting);
    if (!to_rtt || s->rtt.down_count == 0 || s->rtt.down[0].size == 0)
        return STP_OK;
    run_fill_input(s);
    if (s->pending_len == 0)
        return STP_OK;
    size_t put = 0;
    st = stp_rtt_write(&s->rtt, 0, s->pending, s->pending_len, &put, s->findings);
    if (st == STP_OK && put > 0) {
        uint8_t drop[sizeof(s->pending)];
        run_take_input(s, drop, put);
        s->res->rtt_bytes_down += put;
        *moved = true;
    }
    return st;
}

/* Everything the up-channel still holds (before the run ends or a semihosting call is
 * served, so output stays in the order the firmware wrote it). */
static stp_status rtt_drain(run_session *s, uint64_t *next_scan_ms, int max_rounds)
{
    bool moved = true;
    stp_status st = STP_OK;
    for (int i = 0; i < max_rounds && moved && st == STP_OK; i++)
        st = rtt_round(s, next_scan_ms, &moved);
    return st;
}

/* The core is halted: why, and what to do. */
static stp_status on_halt(run_session *s, uint64_t *next_scan_ms, bool *served)
{
    stp_debug *d = s->d;
    uint32_t dfsr = 0, pc = 0;
    stp_status st = d->ops->read_u32(d, RUN_DFSR, &dfsr, s->findings);
    if (st == STP_OK)
        st = d->ops->read_reg(d, RUN_REG_PC, &pc, s->findings);
    if (st != STP_OK)
        return st;
    if (dfsr & DFSR_VCATCH) {
        run_end(s, STP_RUN_END_FAULT);
        return STP_OK;
    }
    if (dfsr & DFSR_BKPT) {
        uint8_t ins[2];
        st = d->ops->read_mem(d, pc & ~1u, ins, 2, s->findings);
        if (st != STP_OK)
            return st;
        if (s->opt->semihosting && ((unsigned)ins[1] << 8 | ins[0]) == SEMIHOST_BKPT) {
            st = rtt_drain(s, next_scan_ms, DRAIN_HALTED);
            if (st == STP_OK)
                st = stp_semihost_serve(s, pc & ~1u);
            *served = true;
            return st;
        }
        run_end(s, STP_RUN_END_BREAKPOINT);
        return STP_OK;
    }
    if (dfsr & DFSR_DWTTRAP) {
        run_end(s, STP_RUN_END_BREAKPOINT);
        return STP_OK;
    }
    /* Halted on request (another debugger, a halt left from before): not ours to judge;
     * RTT goes on being read. */
    return STP_OK;
}

/* Reset with vector catch, HardFault catch on, stale RTT IDs wiped, then the core runs. */
static stp_status start(run_session *s)
{
    stp_debug *d = s->d;
    const stp_run_options *o = s->opt;
    stp_status st = STP_OK;
    if (o->reset)
        st = stp_target_reset(s->t, o->reset_mode, true, s->findings);
    uint32_t demcr = 0, dhcsr = 0;
    if (st == STP_OK && o->catch_faults)
        st = d->ops->read_u32(d, STP_CM_DEMCR, &demcr, s->findings);
    if (st == STP_OK && o->catch_faults)
        st = d->ops->write_u32(d, STP_CM_DEMCR, demcr | STP_CM_DEMCR_VC_HARDERR, s->findings);
    if (st == STP_OK && !o->reset) {
        /* Attached: a reset from before is not this run's (the read clears S_RESET_ST);
         * semihosting calls halt the core only with C_DEBUGEN (else they HardFault). */
        st = d->ops->read_u32(d, STP_CM_DHCSR, &dhcsr, s->findings);
        if (st == STP_OK && o->semihosting && !(dhcsr & STP_CM_DHCSR_C_DEBUGEN))
            st = stp_cm_run(d, s->findings);
    }
    if (st == STP_OK) /* the trace path survives a system reset: set up before the start */
        st = stp_swo_start(s);
    if (st != STP_OK || !o->reset)
        return st;
    if (o->rtt && o->rtt_address_known) {
        st = stp_rtt_wipe_id(d, o->rtt_address, s->findings);
    } else if (o->rtt) {
        /* Every ID a former program left in SRAM, until the scan finds no more. */
        const stp_target_info *info = stp_target_get_info(s->t);
        uint32_t lo = info->sram_base, end = info->sram_base + info->sram_kb * 1024u;
        for (int i = 0; i < 8 && st == STP_OK && lo < end; i++) {
            uint32_t at = 0;
            bool hit = false;
            st = stp_rtt_scan(&s->rtt, lo, end - lo, &at, &hit, s->findings);
            if (st != STP_OK || !hit)
                break;
            st = stp_rtt_wipe_id(d, at, s->findings);
            lo = at + 4;
        }
    }
    if (st == STP_OK) /* clears the sticky S_RESET_ST of our own reset */
        st = d->ops->read_u32(d, STP_CM_DHCSR, &dhcsr, s->findings);
    if (st == STP_OK)
        st = d->ops->write_u32(d, RUN_DFSR, 0x1Fu, s->findings);
    if (st == STP_OK)
        st = stp_target_run(s->t, s->findings);
    return st;
}

static stp_status poll_once(run_session *s, uint64_t *next_scan_ms, bool *moved)
{
    stp_debug *d = s->d;
    *moved = false;
    uint32_t dhcsr = 0;
    stp_status st = d->ops->read_u32(d, STP_CM_DHCSR, &dhcsr, s->findings);
    if (st != STP_OK)
        return st;
    if (dhcsr & STP_CM_DHCSR_S_RESET_ST) {
        run_end(s, STP_RUN_END_RESET);
        stp_finding *x = stp_finding_add(s->findings, "run.target-reset", STP_SEV_ERROR,
                                         "the chip reset while the firmware ran (not by "
                                         "stprog): a watchdog, a brown-out, the reset pin or "
                                         "the firmware's own reset request");
        stp_finding_evidence(x, "DHCSR", "0x%08X", (unsigned)dhcsr);
        stp_finding_advice(x, "`stprog doctor` reads the reset flags and names the cause");
        return STP_OK;
    }
    if (dhcsr & STP_CM_DHCSR_S_HALT) {
        st = on_halt(s, next_scan_ms, moved); /* a served call: the next poll at once */
        if (st != STP_OK || s->ended)
            return st;
    } else if (dhcsr & STP_CM_DHCSR_S_LOCKUP) {
        run_end(s, STP_RUN_END_LOCKUP);
        return STP_OK;
    }
    bool flowed = false, traced = false;
    st = rtt_round(s, next_scan_ms, &flowed);
    if (st == STP_OK)
        st = stp_swo_poll(s, &traced);
    *moved = *moved || flowed || traced;
    return st;
}

static stp_status finish(run_session *s, stp_status st, uint64_t *next_scan_ms)
{
    stp_run_result *r = s->res;
    if (st == STP_OK && r->end != STP_RUN_END_ERROR) {
        /* What the firmware wrote before it ended: nothing is lost. A program still
         * running (timeout, stop) gets one more read: it may never stop writing. */
        bool halted = r->end != STP_RUN_END_TIMEOUT && r->end != STP_RUN_END_STOPPED &&
                      r->end != STP_RUN_END_RESET;
        (void)rtt_drain(s, next_scan_ms, halted ? DRAIN_HALTED : 1);
        /* SWO: until two reads in a row bring nothing (the bytes still on the wire when
         * the core stopped arrive during the first). */
        for (int i = 0, empty = 0; s->swo_on && i < DRAIN_HALTED && empty < 2; i++) {
            bool traced = false;
            (void)stp_swo_poll(s, &traced);
            empty = traced ? 0 : empty + 1;
        }
    }
    stp_swo_stop(s);
    uint64_t now = stp_probe_now_ns(s->d);
    r->elapsed_ns = now > s->t0_ns ? now - s->t0_ns : 0;
    if (st != STP_OK) {
        r->end = STP_RUN_END_ERROR;
        s->ended = true;
        return st;
    }
    switch (r->end) {
    case STP_RUN_END_EXIT:
    case STP_RUN_END_STOPPED:
        return STP_OK;
    case STP_RUN_END_TIMEOUT: {
        if (r->attached)
            return STP_OK; /* `rtt --timeout`: watch for that long */
        stp_finding *x = stp_finding_add(
            s->findings, "run.timeout", STP_SEV_ERROR, "the firmware did not exit within %.3g s%s",
            s->opt->timeout_ms / 1000.0, r->virtual_clock ? " (virtual board time)" : "");
        stp_finding_evidence(x, "timeout_ms", "%u", (unsigned)s->opt->timeout_ms);
        stp_finding_advice(x, "end the test program with a semihosting exit (exit(status) "
                              "with newlib's rdimon, or SYS_EXIT_EXTENDED), or give a longer "
                              "--timeout");
        return STP_ERR_TIMEOUT;
    }
    case STP_RUN_END_FAULT:
    case STP_RUN_END_LOCKUP:
    case STP_RUN_END_BREAKPOINT:
        stp_run_report_fault(s);
        return STP_ERR_FIRMWARE_CRASHED;
    case STP_RUN_END_RESET:
        return STP_ERR_FIRMWARE_CRASHED;
    default:
        return STP_ERR_INTERNAL;
    }
}

stp_status stp_run(stp_target *t, const stp_run_options *opt, const stp_run_io *io,
                   const stp_env *env, stp_run_result *res, stp_findings *findings)
{
    memset(res, 0, sizeof(*res));
    stp_debug *d = t->dbg;
    if (d->ops->mem_backend != NULL) {
        stp_finding *x = stp_finding_add(findings, "run.no-debug-port", STP_SEV_ERROR,
                                         "running firmware with semihosting and RTT needs the "
                                         "core's debug port; this probe reaches the chip "
                                         "through its ROM bootloader");
        stp_finding_advice(x, "use an SWD probe (--probe stlink or sim:PART)");
        res->end = STP_RUN_END_ERROR;
        return STP_ERR_UNSUPPORTED;
    }
    run_session s = {
        .t = t,
        .d = d,
        .opt = opt,
        .io = io,
        .env = env,
        .res = res,
        .findings = findings,
        .v6m = t->id.core == STP_CORE_M0 || t->id.core == STP_CORE_M0P,
        .poll_ms = opt->poll_ms != 0 ? opt->poll_ms : STP_RUN_DEFAULT_POLL_MS,
        .epoch0 = time(NULL),
    };
    res->virtual_clock = d->virtual_clock;
    res->attached = !opt->reset;
    stp_rtt_init(&s.rtt, d, RAM_LO, RAM_HI);
    uint64_t next_scan_ms = 0;
    stp_status st = start(&s);
    s.t0_ns = stp_probe_now_ns(d);
    if (opt->timeout_ms != 0)
        s.deadline_ns = s.t0_ns + (uint64_t)opt->timeout_ms * 1000000u;
    while (st == STP_OK && !run_should_end(&s)) {
        bool moved = false;
        res->polls++;
        st = poll_once(&s, &next_scan_ms, &moved);
        if (st != STP_OK || s.ended)
            break;
        if (!moved)
            d->ops->delay_ms(d, s.poll_ms);
    }
    return finish(&s, st, &next_scan_ms);
}

int stp_run_exit_code(const stp_run_result *res)
{
    switch (res->end) {
    case STP_RUN_END_EXIT:
        return res->exit_code & 0xFF;
    case STP_RUN_END_FAULT:
    case STP_RUN_END_LOCKUP:
    case STP_RUN_END_BREAKPOINT:
    case STP_RUN_END_RESET:
        return STP_RUN_EXIT_FAULT;
    case STP_RUN_END_TIMEOUT:
        return res->attached ? 0 : STP_RUN_EXIT_TIMEOUT;
    default:
        return -1;
    }
}
