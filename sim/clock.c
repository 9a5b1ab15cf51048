/* The virtual clock: one timeline for the probe, the core and the flash. Time only moves
 * in sim_clock_advance; within it the core runs (1 cycle per instruction at the current
 * core clock) in slices that end at the next event (flash operation done, brown-out,
 * reset-loop reset, the firmware taking the debug pins). */
#include "sim_internal.h"

/* While the core runs, it is interrupted at least this often so that operations it
 * starts are timed to within one slice. */
#define CORE_SLICE_NS 200000ull
/* Around flash operations (one pending, or one ended less than FINE_WINDOW_NS ago) the
 * slices are short, so that a loader's program/poll/program rhythm is timed to within a
 * few microseconds; an operation the core starts is stamped at the middle of its slice. */
#define FINE_SLICE_NS  4000ull
#define FINE_WINDOW_NS 200000ull
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
    if (b->op.kind != SIM_OP_NONE) {
        if (b->op.brownout_ns < next)
            next = b->op.brownout_ns;
        if (b->op.end_ns < next)
            next = b->op.end_ns;
    }
    if (b->spec.reset_loop_ms && b->next_reset_loop_ns < next)
        next = b->next_reset_loop_ns;
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
        if (b->op.kind != SIM_OP_NONE && b->op.brownout_ns <= b->now_ns) {
            sim_flash_abort(b, b->op.brownout_ns);
            b->brownouts++;
            sim_board_reset(b, SIM_RESET_BOR);
            any = true;
        }
        if (b->op.kind != SIM_OP_NONE && b->op.end_ns <= b->now_ns) {
            sim_flash_complete(b);
            any = true;
        }
        if (b->spec.reset_loop_ms && b->next_reset_loop_ns <= b->now_ns) {
            b->next_reset_loop_ns += (uint64_t)b->spec.reset_loop_ms * 1000000ull;
            if (!b->nrst_held)
                sim_board_reset(b, SIM_RESET_IWDG);
            any = true;
        }
        if (b->spec.firmware != SIM_FW_NORMAL && !b->swd_dead && !b->nrst_held &&
            b->fw_run_ns >= FW_DEBUG_OFF_NS && !debug_kept_in_stop(b)) {
            b->swd_dead = true;
            any = true;
        }
        if (!any)
            return;
    }
}

static void run_core(sim_board *b, uint64_t ns)
{
    if (!core_runnable(b))
        return;
    if (b->fw_in_control)
        b->fw_run_ns += ns;
    if (b->core_stall_ns) {
        uint64_t s = b->core_stall_ns < ns ? b->core_stall_ns : ns;
        b->core_stall_ns -= s;
        ns -= s;
    }
    if (!ns || !b->cpu)
        return;
    uint64_t total = ns * b->core_hz + b->cycle_rem;
    uint64_t cycles = total / SIM_NS_PER_S;
    b->cycle_rem = total % SIM_NS_PER_S;
    if (cycles)
        b->stats.core_instructions += sim_cpu_run(b->cpu, cycles);
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
        if (b->cpu && core_runnable(b)) {
            bool fine = b->op.kind != SIM_OP_NONE || b->now_ns - b->last_op_ns < FINE_WINDOW_NS;
            uint64_t cap = fine ? FINE_SLICE_NS : CORE_SLICE_NS;
            slice = slice > cap ? cap : slice;
        }
        b->slice_end_ns = b->now_ns + slice;
        b->in_core_run = true;
        run_core(b, slice);
        b->in_core_run = false;
        b->now_ns += slice;
        sim_clock_events(b);
    }
    sim_stats_cpu_leave(&b->stats);
}
