/* The virtual board: an STM32 chip model behind a debug port, with a virtual clock and
 * fault injection. This is the API the probe models (sim/stlink*) and in-process users
 * see; it is what an SWD wire would carry: DP/AP memory accesses, NRST, target voltage.
 * Everything here is device side; it includes nothing from src/ except chip data. */
#ifndef SIM_BOARD_H
#define SIM_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sim/spec.h"

typedef struct sim_board sim_board;
struct stp_chip;
struct stp_part;

/* Result of one debug access, as the SWD/AP layer reports it. */
typedef enum sim_access {
    SIM_ACC_OK = 0,
    SIM_ACC_FAULT,     /* bus error on the AP access (STICKYERR) */
    SIM_ACC_WAIT,      /* target answered WAIT (busy bus, e.g. flash mid-erase) */
    SIM_ACC_NO_TARGET, /* nothing answers on the wire (unpowered, debug disabled, RDP2) */
} sim_access;

/* Counters reported by STPROG_SIM_REPORT (see docs/virtual-board.md). */
typedef struct sim_stats {
    uint64_t usb_transfers;
    uint64_t bytes_out;
    uint64_t bytes_in;
    uint64_t flash_erases; /* sector/page erase operations started */
    uint64_t mass_erases;
    uint64_t flash_programs; /* program operations (one per unit written) */
    uint64_t swd_transfers;
    uint64_t core_instructions;
    /* Added for the speed benchmark (bench/speed.sh); additive, they change no timing. */
    uint64_t erase_busy_ns;     /* virtual time the flash spent erasing (sector, page, mass) */
    uint64_t program_busy_ns;   /* virtual time the flash spent programming */
    uint64_t last_flash_end_ns; /* virtual time the last erase/program operation ended */
    uint64_t flash_ops_ended;   /* erase/program operations that ended (completed or cut) */
    uint64_t model_cpu_ns;      /* host CPU time (this thread) spent inside the model */
    /* The independent watchdog (sim/iwdg.c). */
    uint64_t iwdg_resets;       /* resets it caused */
    uint64_t iwdg_refreshes;    /* 0xAAAA written while it ran */
    uint64_t iwdg_counting_ns;  /* virtual time it counted (started, not frozen) */
    uint64_t iwdg_period_ns;    /* its period at the last reload */
    uint32_t model_cpu_depth;   /* nesting of sim_stats_cpu_enter (internal) */
    uint64_t model_cpu_mark_ns; /* thread CPU time at the outermost enter (internal) */
} sim_stats;

/* Host CPU accounting of the model: the entry points (USB transfers into the probe model,
 * clock advances) bracket their work with enter/leave; nested brackets count once. Header
 * inline so that every board (and the test's fake board) shares it. */
static inline uint64_t sim_stats_thread_cpu_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline void sim_stats_cpu_enter(sim_stats *st)
{
    if (st->model_cpu_depth++ == 0)
        st->model_cpu_mark_ns = sim_stats_thread_cpu_ns();
    __atomic_signal_fence(__ATOMIC_SEQ_CST); /* a signal handler sees the model busy first */
}

static inline void sim_stats_cpu_leave(sim_stats *st)
{
    if (st->model_cpu_depth == 0)
        return;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    if (--st->model_cpu_depth == 0) {
        uint64_t now = sim_stats_thread_cpu_ns();
        if (now > st->model_cpu_mark_ns)
            st->model_cpu_ns += now - st->model_cpu_mark_ns;
    }
}

/* Opens a board from a spec string ("sim:stm32f407vg,vdd=3.3"; the "sim:" prefix is
 * optional). On failure returns NULL and writes a message listing what is accepted. */
sim_board *sim_board_open(const char *spec_text, char *err, size_t errlen);
/* Saves the state file (if any), releases its lock, frees everything. */
void sim_board_close(sim_board *b);

const sim_spec *sim_board_spec(const sim_board *b);
const struct stp_chip *sim_board_chip(const sim_board *b);
const struct stp_part *sim_board_part(const sim_board *b);
sim_stats *sim_board_stats(sim_board *b);

/* Virtual clock, nanoseconds since the board was opened. */
uint64_t sim_clock_ns(const sim_board *b);
/* Lets virtual time pass: the core runs and flash operations progress for ns. Every probe
 * action charges its cost through this, so core and probe share one timeline. */
void sim_clock_advance(sim_board *b, uint64_t ns);

/* Seeded pseudo-random numbers (spec seed=N), for fault models on either side. */
uint32_t sim_board_random(sim_board *b);

/* --- The wire: what an SWD probe can do ------------------------------------------- */
double sim_target_voltage(const sim_board *b); /* volts the probe's VREF pin measures */
/* DP IDCODE read (line reset + read). NO_TARGET when the debug port does not answer. */
sim_access sim_dp_idcode(sim_board *b, uint32_t *idcode);
/* MEM-AP accesses. width is 1, 2 or 4; len a multiple of width; addr aligned to width.
 * A failing access stops at the first failing unit; *done (may be NULL) gets the bytes
 * transferred before it. Costs no virtual time itself: the probe model charges SWD time. */
sim_access sim_mem_read(sim_board *b, uint32_t addr, void *buf, uint32_t len, unsigned width,
                        uint32_t *done);
sim_access sim_mem_write(sim_board *b, uint32_t addr, const void *buf, uint32_t len, unsigned width,
                         uint32_t *done);
/* NRST pin driven by the probe (true = held low). No effect with nrst=unconnected. */
void sim_nrst_set(sim_board *b, bool asserted);
/* Writes the JSON report to path (used for STPROG_SIM_REPORT). 0 on success. */
int sim_board_write_report(const sim_board *b, const char *path);

/* --- Added by the board (additive) ------------------------------------------------- */
/* Virtual ns until an access to addr would stop answering WAIT (the bus is stalled by a
 * flash operation): 0 = no stall, UINT64_MAX = never (the operation never completes). */
uint64_t sim_board_stall_ns(const sim_board *b, uint32_t addr);
/* Writes the state file now (flash, option bytes, erase counters). 0 on success. */
int sim_board_sync(sim_board *b);
/* For a process that ends on SIGINT/SIGTERM: saves every open board's state file from the
 * signal handler (async-signal-safe: nothing allocated, no locks), the flash as the
 * interrupted program left it (an operation in flight between two host requests is cut as
 * at close). The boards must not be used afterwards: call it right before the process dies.
 * 0 when every save succeeded. */
int sim_boards_save_on_signal(void);
/* A state-file save in this process failed (at close, sync or on a signal): true, and why
 * names the file and the error. */
bool sim_state_error(char *why, size_t len);
/* The state file the board is persisted in (state=, a symbolic link followed), or NULL.
 * The probe model keeps its own USB-side state beside it (FILE.probe). */
const char *sim_board_state_file(const sim_board *b);
/* True while NRST is held low by the probe. */
bool sim_nrst_held(const sim_board *b);
/* The AHB-AP's BASE register: the chip's first CoreSight ROM table (sim/coresight.c). */
uint32_t sim_board_ap_base(const sim_board *b);

#endif
