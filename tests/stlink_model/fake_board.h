/* A small stand-in for the virtual board (sim/include/sim/board.h) so the ST-Link protocol
 * model can be tested alone: plain memories, a Cortex-M register file behind DCRSR/DCRDR,
 * NRST and a clock, with knobs to inject WAIT and FAULT answers. Test code only. */
#ifndef FAKE_BOARD_H
#define FAKE_BOARD_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/board.h"

#define FAKE_FLASH_BASE 0x08000000u
#define FAKE_FLASH_SIZE 0x10000u
#define FAKE_SRAM_BASE  0x20000000u
#define FAKE_SRAM_SIZE  0x10000u

struct sim_board {
    sim_spec spec;
    sim_stats stats;
    uint64_t now_ns;
    uint64_t rng;
    double vdd;
    bool no_target;
    bool nrst;
    unsigned nrst_edges;
    unsigned wait_next; /* the next N accesses answer WAIT */
    uint32_t dhcsr;
    uint32_t dcrsr;
    uint32_t dcrdr;
    uint32_t aircr_writes;
    uint32_t regs[128];
    uint32_t ppb[1024]; /* other System Control Space words, plain storage */
    uint8_t flash[FAKE_FLASH_SIZE];
    uint8_t sram[FAKE_SRAM_SIZE];
    char state_file[256]; /* "" = not persisted (sim_board_state_file) */
    /* The SWO pin (sim/include/sim/swo.h): what a listening receiver gets next. */
    uint32_t swo_baud;
    uint8_t swo[8192];
    size_t swo_len;
};

/* A board with spec defaults (probe v2-1, 3.3 V, seed 1); tweak fields before use. */
sim_board *fake_board_new(sim_probe_kind probe, const char *fw);
void fake_board_free(sim_board *b);

#endif
