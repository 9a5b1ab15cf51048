/* Test-only debug access straight onto the virtual board (no ST-Link layer): memory
 * accesses go to sim_mem_*, WAIT is retried after letting virtual time pass, delay_ms
 * advances the virtual clock. Each access charges a small fixed virtual cost, as a probe
 * would. */
#ifndef TEST_SIM_DEBUG_H
#define TEST_SIM_DEBUG_H

#include "probe/debug.h"
#include "sim/board.h"

typedef struct sim_debug {
    stp_debug base;
    sim_board *board;
    unsigned accesses; /* counted, for tests that look at traffic */
    /* Fault injection for tests: 32-bit reads of stuck_addr have stuck_bits set (a status
     * register whose BSY never clears); freeze_clock makes delay_ms pass no time. */
    uint32_t stuck_addr;
    uint32_t stuck_bits;
    bool freeze_clock;
} sim_debug;

/* Opens a board from spec and wraps it; NULL (with a message on stderr) on failure. */
sim_debug *sim_debug_open(const char *spec);
void sim_debug_close(sim_debug *d);

#endif
