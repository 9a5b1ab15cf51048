/* The independent watchdog of the virtual board (sim/iwdg.c): started by 0xCCCC, period
 * (RLR + 1) * (4 << PR) / LSI, reloaded by 0xAAAA, stopped by the reset it causes (IWDGRSTF),
 * frozen only while the core is halted with DBG_IWDG_STOP, started at every reset by the
 * hardware-watchdog option bit, and a reload before the window opens (F7) resets the chip. */
#include "sim_test.h"

#define IWDG_KR      0x40003000u
#define IWDG_PR      0x40003004u
#define IWDG_RLR     0x40003008u
#define IWDG_WINR    0x40003010u
#define F4_RCC_CSR   0x40023874u
#define CSR_RMVF     (1u << 24)
#define CSR_IWDGRSTF (1u << 29)
#define DHCSR        0xE000EDF0u
#define APB1_FZ      0xE0042008u
#define F1_DBGMCU_CR 0xE0042004u

static void start(sim_board *b, uint32_t pr, uint32_t rlr)
{
    assert_int_equal(w32(b, IWDG_KR, 0x5555), SIM_ACC_OK);
    assert_int_equal(w32(b, IWDG_PR, pr), SIM_ACC_OK);
    assert_int_equal(w32(b, IWDG_RLR, rlr), SIM_ACC_OK);
    assert_int_equal(w32(b, IWDG_KR, 0xCCCC), SIM_ACC_OK);
}

static bool iwdg_reset_seen(sim_board *b, uint32_t csr)
{
    bool seen = (r32(b, csr) & CSR_IWDGRSTF) != 0;
    assert_int_equal(w32(b, csr, CSR_RMVF), SIM_ACC_OK);
    return seen;
}

static void test_period_reload_and_reset(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32f407vg");
    assert_int_equal(w32(b, F4_RCC_CSR, CSR_RMVF), SIM_ACC_OK);
    sim_clock_advance(b, MS(1000)); /* not started: nothing */
    assert_false(iwdg_reset_seen(b, F4_RCC_CSR));
    assert_int_equal(w32(b, IWDG_KR, 0xAAAA), SIM_ACC_OK); /* a reload of a stopped one */
    sim_clock_advance(b, MS(1000));
    assert_false(iwdg_reset_seen(b, F4_RCC_CSR));

    start(b, 0, 79); /* 80 ticks of 32 kHz / 4: 10 ms */
    assert_int_equal(r32(b, IWDG_RLR), 79);
    sim_clock_advance(b, US(9900));
    assert_false(iwdg_reset_seen(b, F4_RCC_CSR));
    sim_clock_advance(b, US(200));
    assert_true(iwdg_reset_seen(b, F4_RCC_CSR));
    assert_int_equal(sim_board_stats(b)->iwdg_resets, 1);
    assert_int_equal(r32(b, IWDG_RLR), 0xFFF); /* the reset put it back and stopped it */
    sim_clock_advance(b, MS(2000));
    assert_false(iwdg_reset_seen(b, F4_RCC_CSR));

    start(b, 1, 79); /* divider 8: 20 ms; reloads every 15 ms keep it quiet */
    for (int i = 0; i < 10; i++) {
        sim_clock_advance(b, MS(15));
        assert_int_equal(w32(b, IWDG_KR, 0xAAAA), SIM_ACC_OK);
    }
    assert_false(iwdg_reset_seen(b, F4_RCC_CSR));
    sim_clock_advance(b, MS(21));
    assert_true(iwdg_reset_seen(b, F4_RCC_CSR));
    assert_int_equal(sim_board_stats(b)->iwdg_refreshes, 10);
    sim_board_close(b);
}

static void test_freeze_needs_halt_and_bit(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32f407vg");
    assert_int_equal(w32(b, F4_RCC_CSR, CSR_RMVF), SIM_ACC_OK);
    assert_int_equal(w32(b, DHCSR, 0xA05F0003u), SIM_ACC_OK); /* C_DEBUGEN | C_HALT */
    start(b, 0, 79);
    sim_clock_advance(b, MS(11)); /* halted, DBG_IWDG_STOP clear: it counts */
    assert_true(iwdg_reset_seen(b, F4_RCC_CSR));
    assert_true(r32(b, DHCSR) & (1u << 17)); /* the core stays halted through the reset */

    assert_int_equal(w32(b, APB1_FZ, 1u << 12), SIM_ACC_OK);
    start(b, 0, 79);
    sim_clock_advance(b, MS(500)); /* halted and frozen */
    assert_false(iwdg_reset_seen(b, F4_RCC_CSR));
    assert_int_equal(w32(b, APB1_FZ, 0), SIM_ACC_OK);
    sim_clock_advance(b, MS(11));
    assert_true(iwdg_reset_seen(b, F4_RCC_CSR));
    sim_board_close(b);

    /* F1: the bit is DBGMCU_CR.DBG_IWDG_STOP (8); LSI 40 kHz: 100 ticks / 4 = 10 ms. */
    b = open_board("sim:stm32f103c8");
    assert_int_equal(w32(b, DHCSR, 0xA05F0003u), SIM_ACC_OK);
    assert_int_equal(w32(b, F1_DBGMCU_CR, 1u << 8), SIM_ACC_OK);
    assert_int_equal(w32(b, 0x40021024u, CSR_RMVF), SIM_ACC_OK);
    start(b, 0, 99);
    sim_clock_advance(b, MS(100));
    assert_false(iwdg_reset_seen(b, 0x40021024u));
    assert_int_equal(w32(b, F1_DBGMCU_CR, 0), SIM_ACC_OK);
    sim_clock_advance(b, US(9900));
    assert_false(iwdg_reset_seen(b, 0x40021024u));
    sim_clock_advance(b, US(200));
    assert_true(iwdg_reset_seen(b, 0x40021024u));
    sim_board_close(b);
}

static void test_hardware_option(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32f407vg");
    /* OPTCR.WDG_SW (bit 5) = 0 through the option-byte sequence, loaded by OPTSTRT. */
    assert_int_equal(w32(b, 0x40023C08u, 0x08192A3B), SIM_ACC_OK);
    assert_int_equal(w32(b, 0x40023C08u, 0x4C5D6E7F), SIM_ACC_OK);
    uint32_t optcr = r32(b, 0x40023C14u);
    assert_int_equal(w32(b, 0x40023C14u, optcr & ~0x20u), SIM_ACC_OK);
    assert_int_equal(w32(b, 0x40023C14u, (optcr & ~0x20u) | 2u), SIM_ACC_OK);
    sim_clock_advance(b, MS(2000));
    assert_int_equal(r32(b, 0x40023C14u) & 0x20u, 0);
    /* From the next reset on it runs with /4, RLR 0xFFF: 512 ms, even with the core halted. */
    assert_int_equal(w32(b, DHCSR, 0xA05F0003u), SIM_ACC_OK);
    sim_nrst_set(b, true);
    sim_clock_advance(b, MS(2000)); /* held in reset: it does not count */
    sim_nrst_set(b, false);
    assert_int_equal(w32(b, F4_RCC_CSR, CSR_RMVF), SIM_ACC_OK);
    sim_clock_advance(b, MS(511));
    assert_false(iwdg_reset_seen(b, F4_RCC_CSR));
    sim_clock_advance(b, MS(2));
    assert_true(iwdg_reset_seen(b, F4_RCC_CSR));
    sim_clock_advance(b, MS(512)); /* and again after its own reset */
    assert_true(iwdg_reset_seen(b, F4_RCC_CSR));
    sim_board_close(b);
}

static void test_window(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32f767zi");
    assert_int_equal(w32(b, F4_RCC_CSR, CSR_RMVF), SIM_ACC_OK);
    assert_int_equal(r32(b, IWDG_WINR), 0xFFF);
    start(b, 0, 799); /* 100 ms */
    assert_int_equal(w32(b, IWDG_KR, 0x5555), SIM_ACC_OK);
    assert_int_equal(w32(b, IWDG_WINR, 79), SIM_ACC_OK); /* reloads in the last 10 ms only */
    sim_clock_advance(b, MS(95));
    assert_int_equal(w32(b, IWDG_KR, 0xAAAA), SIM_ACC_OK); /* inside the window */
    assert_false(iwdg_reset_seen(b, F4_RCC_CSR));
    sim_clock_advance(b, MS(50));
    assert_int_equal(w32(b, IWDG_KR, 0xAAAA), SIM_ACC_OK); /* too early: reset */
    assert_true(iwdg_reset_seen(b, F4_RCC_CSR));
    sim_board_close(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_period_reload_and_reset),
        cmocka_unit_test(test_freeze_needs_halt_and_bit),
        cmocka_unit_test(test_hardware_option),
        cmocka_unit_test(test_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
