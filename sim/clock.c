/* The virtual clock: one timeline for the probe, the core and the flash. Time only moves
 * in sim_clock_advance; within it the core runs (1 cycle per instruction at the current
 * core clock) in slices that end at the next event (flash operation done, brown-out of a
 * weak supply,
 * the independent watchdog reaching 0, the firmware taking the debug pins). */
#include "sim_internal.h"

/* The core runs in slices of at most this long between the board's events. Operations it
 * starts need no shorter slices: the store's moment is known to the instruction
 * (sim_clock_access_ns) and the run ends after the block that made it, so the next slice
 * ends at the operation's end. */
#define CORE_SLICE_NS 200000ull
/* firmware=swd-off|sleep: the program reconfigures the SWD pins / enters Stop mode this
 * long after it starts (a few hundred instructions of startup code). */
#define FW_DEBUG_OFF_NS 50000ull

uint64_t sim_clock_ns(const sim_board *b)
{
    return b->now_ns;
}

static bool core_runnable(const sim_board *b)
{
    if (b->nrst_held || b->spec.supply == SIM_SUPPLY_DEAD_CORE)
        return false;
    return b->cpu && !sim_cpu_halted(b->cpu);
}

/* firmware=sleep: Stop/Standby keep the debug port only with DBGMCU_CR DBG_STOP and
 * DBG_STANDBY set (bits 1 and 2) before the firmware goes to sleep. */
static bool debug_kept_in_stop(const sim_board *b)
{
    return b->spec.firmware == SIM_FW_SLEEP && (b->dbgmcu_cr & 0x6u) == 0x6u;
}

uint64_t sim_clock_next_event(const sim_board *b)
{
    uint64_t next = SIM_NEVER;
    if (b->op.kind != SIM_OP_NONE && b->op.end_ns < next)
        next = b->op.end_ns;
    uint64_t bo = sim_supply_next_event(b);
    if (bo < next)
        next = bo;
    uint64_t wdg = sim_iwdg_next_event(b);
    if (wdg < next)
        next = wdg;
    if (b->spec.firmware != SIM_FW_NORMAL && !b->swd_dead && core_runnable(b) && b->fw_in_control &&
        !debug_kept_in_stop(b)) {
        uint64_t left = b->fw_run_ns < FW_DEBUG_OFF_NS ? FW_DEBUG_OFF_NS - b->fw_run_ns : 0;
        if (b->now_ns + left < next)
            next = b->now_ns + left;
    }
    return next;
}

void sim_clock_events(sim_board *b)
{
    for (int guard = 0; guard < 16; guard++) {
        bool any = false;
        uint64_t bo = sim_supply_next_event(b);
        if (b->op.kind != SIM_OP_NONE && b->op.end_ns <= b->now_ns && b->op.end_ns < bo) {
            sim_flash_complete(b); /* ended before the next brown-out */
            any = true;
            bo = sim_supply_next_event(b);
        }
        if (bo <= b->now_ns) {
            sim_supply_brownout(b, bo);
            any = true;
        }
        if (sim_iwdg_events(b))
            any = true;
        if (b->spec.firmware != SIM_FW_NORMAL && !b->swd_dead && !b->nrst_held &&
            b->fw_run_ns >= FW_DEBUG_OFF_NS && !debug_kept_in_stop(b)) {
            b->swd_dead = true;
            any = true;
        }
        if (!any)
            return;
    }
}

uint64_t sim_clock_access_ns(sim_board *b)
{
    if (!b->in_core_run || !b->cpu || !b->core_run_hz)
        return b->now_ns;
    uint64_t units = sim_cpu_run_cycles(b->cpu) * SIM_NS_PER_S;
    units = units > b->core_rem0 ? units - b->core_rem0 : 0;
    return b->core_t0_ns + b->core_run_stall_ns + units / b->core_run_hz;
}

void sim_clock_replan(sim_board *b)
{
    if (b->in_core_run && b->cpu)
        sim_cpu_end_run(b->cpu);
}

void sim_clock_core_stall(sim_board *b, uint64_t ns)
{
    if (!b->in_core_run) {
        b->core_stall_ns += ns;
        return;
    }
    b->core_run_stall_ns += ns;
    sim_clock_replan(b);
}

/* Runs the core for up to ns (1 instruction per cycle at the core clock, docs/virtual-
 * board.md "Timing"). Returns the time the slice took: ns, or less when the core ended its
 * run early (it started a flash operation or stalled on one: the clock re-plans). */
static uint64_t run_core(sim_board *b, uint64_t ns)
{
    if (!core_runnable(b))
        return ns;
    uint64_t stalled = 0;
    if (b->core_stall_ns) {
        stalled = b->core_stall_ns < ns ? b->core_stall_ns : ns;
        b->core_stall_ns -= stalled;
    }
    uint64_t used = ns;
    if (stalled < ns && b->cpu) {
        uint64_t hz = b->core_hz;
        uint64_t rem0 = b->cycle_rem;
        uint64_t total = (ns - stalled) * hz + rem0;
        uint64_t cycles = total / SIM_NS_PER_S;
        b->cycle_rem = total % SIM_NS_PER_S;
        if (cycles) {
            b->core_t0_ns = b->now_ns + stalled;
            b->core_rem0 = rem0;
            b->core_run_hz = hz;
            b->core_run_stall_ns = 0;
            b->in_core_run = true;
            b->stats.core_instructions += sim_cpu_run(b->cpu, cycles);
            b->in_core_run = false;
            uint64_t c = 0;
            uint64_t core_ns = ns - stalled;
            if (sim_cpu_run_ended_early(b->cpu, &c) && c < cycles) {
                /* The slice ends with the run's last cycle (rounded up to the ns); the
                 * part of that ns beyond the cycle is carried like any fraction. */
                uint64_t units = c * SIM_NS_PER_S - (rem0 < c * SIM_NS_PER_S ? rem0 : 0);
                core_ns = (units + hz - 1) / hz;
                b->cycle_rem = core_ns * hz - units;
            }
            core_ns += b->core_run_stall_ns;
            used = stalled + core_ns;
            if (used > ns) { /* a stall past the slice: the core goes on waiting */
                b->core_stall_ns += used - ns;
                used = ns;
            }
        }
    }
    if (b->fw_in_control)
        b->fw_run_ns += used;
    return used;
}

void sim_clock_advance(sim_board *b, uint64_t ns)
{
    uint64_t target = b->now_ns + ns < b->now_ns ? SIM_NEVER - 1 : b->now_ns + ns;
    sim_stats_cpu_enter(&b->stats);
    sim_clock_events(b);
    while (b->now_ns < target) {
        uint64_t next = sim_clock_next_event(b);
        if (next > target)
            next = target;
        if (next <= b->now_ns)
            next = b->now_ns + 1;
        uint64_t slice = next - b->now_ns;
        if (b->cpu && core_runnable(b) && slice > CORE_SLICE_NS)
            slice = CORE_SLICE_NS;
        b->slice_end_ns = b->now_ns + slice;
        const bool wdg_counting = sim_iwdg_counting(b); /* a halt ends the slice */
        uint64_t used = run_core(b, slice);
        b->now_ns += used ? used : 1;
        sim_iwdg_elapse(b, b->now_ns, wdg_counting);
        sim_clock_events(b);
    }
    sim_stats_cpu_leave(&b->stats);
}
