/* Helpers for the virtual-board tests: 32-bit debugger accesses and board opening. */
#ifndef SIM_TEST_H
#define SIM_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "sim/board.h"

#define MS(x) ((uint64_t)(x)*1000000ull)
#define US(x) ((uint64_t)(x)*1000ull)

static inline sim_board *open_board(const char *spec)
{
    char err[1024] = "";
    sim_board *b = sim_board_open(spec, err, sizeof err);
    if (!b)
        fprintf(stderr, "open %s: %s\n", spec, err);
    assert_non_null(b);
    return b;
}

static inline sim_access w32(sim_board *b, uint32_t addr, uint32_t v)
{
    return sim_mem_write(b, addr, &v, 4, 4, NULL);
}

static inline sim_access w16(sim_board *b, uint32_t addr, uint16_t v)
{
    return sim_mem_write(b, addr, &v, 2, 2, NULL);
}

static inline uint32_t r32(sim_board *b, uint32_t addr)
{
    uint32_t v = 0xDEADBEEF;
    assert_int_equal(sim_mem_read(b, addr, &v, 4, 4, NULL), SIM_ACC_OK);
    return v;
}

static inline sim_access r32a(sim_board *b, uint32_t addr, uint32_t *v)
{
    return sim_mem_read(b, addr, v, 4, 4, NULL);
}

#endif
