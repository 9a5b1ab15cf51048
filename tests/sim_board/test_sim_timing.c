/* Timing of flash operations the core starts (a RAM flash loader): an operation begins at
 * the store's instruction (1 instruction per cycle at the core clock), so a loop that
 * programs N units and polls BSY takes N program times plus its own instructions; a store
 * to a busy flash stalls the core until the operation ends (PM0075 2.3.3, RM0090 3.5), so
 * back-to-back stores without polling take N program times, program every unit and set
 * no error bit. The debugger's write to a busy flash still gets WAIT. */
#include <string.h>

#include "sim_test.h"

#define DHCSR  0xE000EDF0u
#define DCRSR  0xE000EDF4u
#define DCRDR  0xE000EDF8u
#define S_HALT (1u << 17)
#define DBGKEY 0xA05F0000u

/* Loops in SRAM at 0x20000000 (assembled with arm-none-eabi-as, Thumb). Registers set by
 * the debugger: r0 destination, r1 FLASH_SR, r2 count, r3 data, r5 BSY mask.
 * poll: 1: str r3,[r0] (strh for 16-bit); adds r0,#4 (#2); 2: ldr r4,[r1]; tst r4,r5;
 *       bne 2b; subs r2,#1; bne 1b; bkpt #0
 * b2b:  1: str r3,[r0]; adds r0,#4; subs r2,#1; bne 1b; 2: ldr r4,[r1]; tst r4,r5;
 *       bne 2b; bkpt #0 */
static const uint16_t poll32[] = {0x6003, 0x3004, 0x680c, 0x422c, 0xd1fc, 0x3a01, 0xd1f8, 0xbe00};
static const uint16_t poll16[] = {0x8003, 0x3002, 0x680c, 0x422c, 0xd1fc, 0x3a01, 0xd1f8, 0xbe00};
static const uint16_t b2b32[] = {0x6003, 0x3004, 0x3a01, 0xd1fb, 0x680c, 0x422c, 0xd1fc, 0xbe00};
static const uint16_t b2b16[] = {0x8003, 0x3002, 0x3a01, 0xd1fb, 0x680c, 0x422c, 0xd1fc, 0xbe00};

typedef struct chip {
    const char *spec;
    uint32_t keyr, sr, cr;
    uint32_t pg_cr;    /* CR value for programming */
    uint32_t bsy;      /* SR BSY bit */
    uint32_t errs;     /* SR error bits */
    uint32_t dst;      /* an erased flash address */
    unsigned unit;     /* bytes per store */
    uint64_t prog_ns;  /* program time of one unit (chip database, datasheet typical) */
    uint64_t cycle_ps; /* core clock period after reset */
} chip;

/* F407: PG | PSIZE x32, 16 us (DS8626 "Flash memory programming", tprog typ), HSI 16 MHz. */
static const chip F4 = {
    "sim:stm32f407vg", 0x40023C04u, 0x40023C0Cu, 0x40023C10u, 0x1u | 0x200u, 1u << 16, 0xF2u,
    0x08004000u,       4,           16000,       62500};
/* F103: PG, half-words, 52.5 us (DS5319 tprog typ), HSI 8 MHz. */
static const chip F1 = {
    "sim:stm32f103c8", 0x40022004u, 0x4002200Cu, 0x40022010u, 0x1u, 1u << 0, 0x14u,
    0x08002000u,       2,           52500,       125000};

static void write_core_reg(sim_board *b, unsigned reg, uint32_t v)
{
    assert_int_equal(w32(b, DCRDR, v), SIM_ACC_OK);
    assert_int_equal(w32(b, DCRSR, reg | 1u << 16), SIM_ACC_OK); /* REGWnR */
}

/* Halts the core, loads prog, unlocks the flash for programming, runs the program until
 * it halts and returns the virtual time from the resume to the end of the last operation. */
static uint64_t run_loop(sim_board *b, const chip *c, const uint16_t *prog, size_t words,
                         uint32_t n, uint32_t data)
{
    assert_int_equal(w32(b, DHCSR, DBGKEY | 3), SIM_ACC_OK);
    sim_clock_advance(b, US(10));
    assert_true(r32(b, DHCSR) & S_HALT);
    assert_int_equal(sim_mem_write(b, 0x20000000u, prog, (uint32_t)(words * 2), 2, NULL),
                     SIM_ACC_OK);
    assert_int_equal(w32(b, c->keyr, 0x45670123u), SIM_ACC_OK);
    assert_int_equal(w32(b, c->keyr, 0xCDEF89ABu), SIM_ACC_OK);
    assert_int_equal(w32(b, c->cr, c->pg_cr), SIM_ACC_OK);
    const uint32_t regs[][2] = {{0, c->dst}, {1, c->sr},  {2, n},
                                {3, data},   {5, c->bsy}, {15, 0x20000000u}};
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++)
        write_core_reg(b, regs[i][0], regs[i][1]);
    uint64_t t0 = sim_clock_ns(b);
    uint64_t ops0 = sim_board_stats(b)->flash_programs;
    assert_int_equal(w32(b, DHCSR, DBGKEY | 1), SIM_ACC_OK); /* run */
    for (int i = 0; i < 200 && !(r32(b, DHCSR) & S_HALT); i++)
        sim_clock_advance(b, US(500));
    assert_true(r32(b, DHCSR) & S_HALT);
    const sim_stats *s = sim_board_stats(b);
    assert_int_equal(s->flash_programs - ops0, n);
    assert_int_equal(r32(b, c->sr) & (c->errs | c->bsy), 0);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t v = r32(b, c->dst + (i * c->unit & ~3u));
        if (c->unit == 2)
            v = (i & 1) ? v >> 16 : v & 0xFFFFu;
        assert_int_equal(v, c->unit == 2 ? data & 0xFFFFu : data);
    }
    return s->last_flash_end_ns - t0;
}

#define N_UNITS 64u

/* Store, poll BSY, loop: after each operation's end the loop runs 6 to 8 instructions
 * (the poll's ldr/tst/bne that sees BSY clear, possibly the rest of the one that saw it
 * set, subs/bne and the store) before the next operation starts. */
static void poll_loop_takes_program_time_plus_loop(const chip *c, const uint16_t *prog)
{
    sim_board *b = open_board(c->spec);
    uint64_t t = run_loop(b, c, prog, 8, N_UNITS, 0x12345678u);
    uint64_t cyc = c->cycle_ps / 1000; /* ns, 62.5 rounds down: bounds below allow it */
    uint64_t lo = N_UNITS * c->prog_ns + (N_UNITS - 1) * 6 * cyc;
    uint64_t hi = N_UNITS * c->prog_ns + (N_UNITS - 1) * (8 * c->cycle_ps / 1000 + 2) + 4 * cyc;
    print_message("%s: %u units with BSY polling: %.3f us (bounds %.3f..%.3f)\n", c->spec, N_UNITS,
                  (double)t / 1e3, (double)lo / 1e3, (double)hi / 1e3);
    assert_true(t >= lo);
    assert_true(t <= hi);
    sim_board_close(b);
}

static void test_f4_poll_loop(void **state)
{
    (void)state;
    poll_loop_takes_program_time_plus_loop(&F4, poll32);
}

static void test_f1_poll_loop(void **state)
{
    (void)state;
    poll_loop_takes_program_time_plus_loop(&F1, poll16);
}

/* Stores without polling: each one waits for the operation before it (the bus stalls), so
 * the N operations run one after the other, all of them program, and no error bit is set. */
static void back_to_back_stores_stall(const chip *c, const uint16_t *prog)
{
    sim_board *b = open_board(c->spec);
    uint64_t t = run_loop(b, c, prog, 8, N_UNITS, 0x0F0F3C3Cu);
    uint64_t lo = N_UNITS * c->prog_ns;
    uint64_t hi = lo + 4 * c->cycle_ps / 1000 + N_UNITS * 2;
    print_message("%s: %u back-to-back stores: %.3f us (bounds %.3f..%.3f)\n", c->spec, N_UNITS,
                  (double)t / 1e3, (double)lo / 1e3, (double)hi / 1e3);
    assert_true(t >= lo);
    assert_true(t <= hi);
    sim_board_close(b);
}

static void test_f4_back_to_back(void **state)
{
    (void)state;
    back_to_back_stores_stall(&F4, b2b32);
}

static void test_f1_back_to_back(void **state)
{
    (void)state;
    back_to_back_stores_stall(&F1, b2b16);
}

/* The debugger's write to the flash while an operation runs: the AHB-AP transfer stalls
 * and the probe sees WAIT; after the operation the same write programs. */
static void test_debugger_write_while_busy_waits(void **state)
{
    (void)state;
    sim_board *b = open_board(F4.spec);
    assert_int_equal(w32(b, F4.keyr, 0x45670123u), SIM_ACC_OK);
    assert_int_equal(w32(b, F4.keyr, 0xCDEF89ABu), SIM_ACC_OK);
    assert_int_equal(w32(b, F4.cr, F4.pg_cr), SIM_ACC_OK);
    assert_int_equal(w32(b, F4.dst, 0x11223344u), SIM_ACC_OK);
    assert_int_equal(w32(b, F4.dst + 4, 0x55667788u), SIM_ACC_WAIT);
    sim_clock_advance(b, US(16));
    assert_int_equal(w32(b, F4.dst + 4, 0x55667788u), SIM_ACC_OK);
    sim_clock_advance(b, US(16));
    assert_int_equal(r32(b, F4.sr) & (F4.errs | F4.bsy), 0);
    assert_int_equal(r32(b, F4.dst), 0x11223344u);
    assert_int_equal(r32(b, F4.dst + 4), 0x55667788u);
    sim_board_close(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f4_poll_loop),
        cmocka_unit_test(test_f1_poll_loop),
        cmocka_unit_test(test_f4_back_to_back),
        cmocka_unit_test(test_f1_back_to_back),
        cmocka_unit_test(test_debugger_write_while_busy_waits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
