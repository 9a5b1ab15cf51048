/* supply=unstable: a weak supply whose brown-out odds rise with the current the chip draws
 * (docs/virtual-board.md "Supply"). At rest it almost never browns out; an erase (the
 * flash's extra current) browns out at about 2.8/s; a core clocked far above the reset
 * clock collapses it at once. Counted over many seeds, as the rates are odds. */
#include <stdlib.h>
#include <string.h>

#include "sim_test.h"

#define F4_RCC_CR      0x40023800u
#define F4_RCC_PLLCFGR 0x40023804u
#define F4_RCC_CFGR    0x40023808u
#define F4_RCC_CSR     0x40023874u
#define F4_KEYR        0x40023C04u
#define F4_SR          0x40023C0Cu
#define F4_CR          0x40023C10u
#define DHCSR          0xE000EDF0u
#define CSR_PORRSTF    (1u << 27)
#define SEEDS          24

static bool browned_out(sim_board *b)
{
    return (r32(b, F4_RCC_CSR) & CSR_PORRSTF) != 0;
}

static sim_board *open_seed(const char *spec, unsigned seed)
{
    char buf[128];
    snprintf(buf, sizeof(buf), "%s,seed=%u", spec, seed);
    sim_board *b = open_board(buf);
    /* halt the core (it would fetch from blank flash), clear the power-on flags */
    assert_int_equal(w32(b, DHCSR, 0xA05F0003u), SIM_ACC_OK);
    assert_int_equal(w32(b, F4_RCC_CSR, 1u << 24), SIM_ACC_OK);
    return b;
}

/* At rest (reset clock, no flash operation): about one brown-out in 20 minutes. */
static void test_rest_rarely_browns_out(void **state)
{
    (void)state;
    unsigned n = 0;
    for (unsigned seed = 1; seed <= SEEDS; seed++) {
        sim_board *b = open_seed("sim:stm32f407vg,supply=unstable", seed);
        sim_clock_advance(b, MS(2000));
        n += browned_out(b);
        sim_board_close(b);
    }
    assert_true(n <= 1); /* 48 s in all: 0.05 expected */
}

/* A 128 KiB sector erase at x32 (1 s of the erase current): 1 - e^-2.77 = 94 %. */
static void test_erase_browns_out_most_of_the_time(void **state)
{
    (void)state;
    unsigned n = 0;
    for (unsigned seed = 1; seed <= SEEDS; seed++) {
        sim_board *b = open_seed("sim:stm32f407vg,supply=unstable", seed);
        assert_int_equal(w32(b, F4_KEYR, 0x45670123), SIM_ACC_OK);
        assert_int_equal(w32(b, F4_KEYR, 0xCDEF89AB), SIM_ACC_OK);
        uint32_t cr = 0x2u | (5u << 3) | (2u << 8); /* SER, sector 5 (128 KiB), x32 */
        assert_int_equal(w32(b, F4_CR, cr), SIM_ACC_OK);
        assert_int_equal(w32(b, F4_CR, cr | 0x10000u), SIM_ACC_OK);
        sim_clock_advance(b, MS(1100));
        n += browned_out(b);
        sim_board_close(b);
    }
    assert_true(n >= SEEDS * 80 / 100);
    assert_true(n < SEEDS); /* odds, not certainty */
}

/* The core at 168 MHz (HSI / 16 x 336 / 2) draws about three erase currents more: the
 * supply collapses within milliseconds. */
static void test_fast_clock_collapses_the_supply(void **state)
{
    (void)state;
    unsigned n = 0;
    for (unsigned seed = 1; seed <= SEEDS; seed++) {
        sim_board *b = open_seed("sim:stm32f407vg,supply=unstable", seed);
        assert_int_equal(w32(b, F4_RCC_PLLCFGR, 16u | (336u << 6)), SIM_ACC_OK);
        assert_int_equal(w32(b, F4_RCC_CR, r32(b, F4_RCC_CR) | (1u << 24)), SIM_ACC_OK);
        assert_int_equal(w32(b, F4_RCC_CFGR, 2u), SIM_ACC_OK);
        sim_clock_advance(b, MS(20));
        n += browned_out(b);
        sim_board_close(b);
    }
    assert_int_equal(n, SEEDS);
}

/* A good supply never browns out, whatever the load. */
static void test_good_supply_never(void **state)
{
    (void)state;
    sim_board *b = open_seed("sim:stm32f407vg", 1);
    assert_int_equal(w32(b, F4_RCC_PLLCFGR, 16u | (336u << 6)), SIM_ACC_OK);
    assert_int_equal(w32(b, F4_RCC_CR, r32(b, F4_RCC_CR) | (1u << 24)), SIM_ACC_OK);
    assert_int_equal(w32(b, F4_RCC_CFGR, 2u), SIM_ACC_OK);
    sim_clock_advance(b, MS(5000));
    assert_false(browned_out(b));
    sim_board_close(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rest_rarely_browns_out),
        cmocka_unit_test(test_erase_browns_out_most_of_the_time),
        cmocka_unit_test(test_fast_clock_collapses_the_supply),
        cmocka_unit_test(test_good_supply_never),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
