/* Board-level behaviour: reset flags, pins, faults that live outside the flash controller,
 * the peripherals a tool or a blinky touches, the boot alias. */
#include <string.h>

#include "sim_test.h"

#define F4_RCC_CSR     0x40023874u
#define F4_RCC_AHB1ENR 0x40023830u
#define CSR_BORRSTF    (1u << 25)
#define CSR_PINRSTF    (1u << 26)
#define CSR_PORRSTF    (1u << 27)
#define CSR_IWDGRSTF   (1u << 29)
#define CSR_RMVF       (1u << 24)

static void test_reset_flags(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32f407vg");
    assert_int_equal(r32(b, F4_RCC_CSR) & 0xFF000000u, CSR_BORRSTF | CSR_PINRSTF | CSR_PORRSTF);
    assert_int_equal(w32(b, F4_RCC_CSR, CSR_RMVF), SIM_ACC_OK);
    assert_int_equal(r32(b, F4_RCC_CSR) & 0xFF000000u, 0);
    sim_nrst_set(b, true);
    assert_true(sim_nrst_held(b));
    sim_nrst_set(b, false);
    assert_int_equal(r32(b, F4_RCC_CSR) & 0xFF000000u, CSR_PINRSTF);
    sim_board_close(b);

    /* NRST not wired: the pin does nothing. */
    b = open_board("sim:stm32f407vg,nrst=unconnected");
    assert_int_equal(w32(b, F4_RCC_CSR, CSR_RMVF), SIM_ACC_OK);
    sim_nrst_set(b, true);
    assert_false(sim_nrst_held(b));
    sim_nrst_set(b, false);
    assert_int_equal(r32(b, F4_RCC_CSR) & 0xFF000000u, 0);
    sim_board_close(b);
}

static void test_reset_loop(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32f407vg,reset-loop=10");
    assert_int_equal(w32(b, F4_RCC_CSR, CSR_RMVF), SIM_ACC_OK);
    sim_clock_advance(b, MS(9));
    assert_int_equal(r32(b, F4_RCC_CSR) & CSR_IWDGRSTF, 0);
    sim_clock_advance(b, MS(1));
    assert_int_equal(r32(b, F4_RCC_CSR) & 0xFF000000u, CSR_IWDGRSTF | CSR_PINRSTF);
    /* A flash operation in progress is cut by the next reset. */
    assert_int_equal(w32(b, 0x40023C04, 0x45670123), SIM_ACC_OK);
    assert_int_equal(w32(b, 0x40023C04, 0xCDEF89AB), SIM_ACC_OK);
    assert_int_equal(w32(b, 0x40023C10, 0x0001020Au), SIM_ACC_OK); /* SER sector 1 STRT */
    assert_true(r32(b, 0x40023C0C) & (1u << 16));
    sim_clock_advance(b, MS(10));
    assert_int_equal(r32(b, 0x40023C0C) & (1u << 16), 0);
    assert_int_equal(r32(b, 0x40023C10), 1u << 31);
    sim_board_close(b);
}

static void test_firmware_swd_off(void **state)
{
    (void)state;
    /* The firmware takes the SWD pins shortly after reset. */
    sim_board *b = open_board("sim:stm32f407vg,firmware=swd-off");
    uint32_t id;
    sim_clock_advance(b, MS(1));
    assert_int_equal(sim_dp_idcode(b, &id), SIM_ACC_NO_TARGET);
    uint32_t v;
    assert_int_equal(r32a(b, 0xE0042000, &v), SIM_ACC_NO_TARGET);
    /* Connect under reset: with NRST held the debug port answers. */
    sim_nrst_set(b, true);
    assert_int_equal(sim_dp_idcode(b, &id), SIM_ACC_OK);
    assert_int_equal(id, 0x2BA01477u); /* Cortex-M4 SW-DP */
    assert_int_equal(r32(b, 0xE0042000) & 0xFFF, 0x413);
    sim_clock_advance(b, MS(5));
    assert_int_equal(sim_dp_idcode(b, &id), SIM_ACC_OK);
    sim_board_close(b);

    /* firmware=sleep keeps the port when DBGMCU_CR DBG_STOP|DBG_STANDBY are set first. */
    b = open_board("sim:stm32f407vg,firmware=sleep");
    assert_int_equal(w32(b, 0xE0042004, 0x6), SIM_ACC_OK);
    sim_clock_advance(b, MS(1));
    assert_int_equal(sim_dp_idcode(b, &id), SIM_ACC_OK);
    sim_board_close(b);
}

static void test_boot0_alias(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32f407vg,boot0=1");
    /* Address 0 shows system memory: its vector table, not erased flash. */
    assert_int_equal(r32(b, 0x00000000), r32(b, 0x1FFF0000));
    assert_int_equal(r32(b, 0x00000004), r32(b, 0x1FFF0004));
    assert_int_not_equal(r32(b, 0x00000000), 0xFFFFFFFF);
    sim_board_close(b);
    b = open_board("sim:stm32f407vg");
    assert_int_equal(r32(b, 0x00000000), 0xFFFFFFFF);
    sim_board_close(b);
}

static void test_crc_unit_and_clock_gating(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32f407vg");
    /* Clock off: reads 0, writes ignored. */
    assert_int_equal(r32(b, 0x40023000), 0);
    assert_int_equal(w32(b, F4_RCC_AHB1ENR, r32(b, F4_RCC_AHB1ENR) | 1u << 12), SIM_ACC_OK);
    assert_int_equal(r32(b, 0x40023000), 0xFFFFFFFF);
    assert_int_equal(w32(b, 0x40023000, 0x12345678), SIM_ACC_OK);
    assert_int_equal(r32(b, 0x40023000), 0xDF8A8A2B);
    assert_int_equal(w32(b, 0x40023000, 0xAABBCCDD), SIM_ACC_OK);
    assert_int_equal(r32(b, 0x40023000), 0x7C9FBAF3);
    assert_int_equal(w32(b, 0x40023008, 1), SIM_ACC_OK); /* RESET */
    assert_int_equal(r32(b, 0x40023000), 0xFFFFFFFF);
    sim_board_close(b);
}

static void test_gpio_blinky_registers(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32f407vg");
    uint32_t gpiod = 0x40020C00;
    assert_int_equal(w32(b, gpiod + 0x00, 0x55000000), SIM_ACC_OK);
    assert_int_equal(r32(b, gpiod + 0x00), 0); /* clock off */
    assert_int_equal(w32(b, F4_RCC_AHB1ENR, r32(b, F4_RCC_AHB1ENR) | 1u << 3), SIM_ACC_OK);
    assert_int_equal(w32(b, gpiod + 0x00, 0x55000000), SIM_ACC_OK);
    assert_int_equal(w32(b, gpiod + 0x18, 1u << 12), SIM_ACC_OK); /* BSRR set PD12 */
    assert_int_equal(r32(b, gpiod + 0x14), 1u << 12);
    assert_int_equal(r32(b, gpiod + 0x10) & (1u << 12), 1u << 12);
    assert_int_equal(w32(b, gpiod + 0x18, 1u << 28), SIM_ACC_OK); /* BSRR reset PD12 */
    assert_int_equal(r32(b, gpiod + 0x14), 0);
    /* RCC: HSE/PLL ready flags follow their enables. */
    assert_int_equal(w32(b, 0x40023800, r32(b, 0x40023800) | 1u << 16 | 1u << 24), SIM_ACC_OK);
    assert_int_equal(r32(b, 0x40023800) & (1u << 17 | 1u << 25), 1u << 17 | 1u << 25);
    sim_board_close(b);
}

static void test_random_is_seeded(void **state)
{
    (void)state;
    sim_board *a = open_board("sim:stm32f407vg,seed=5");
    sim_board *c = open_board("sim:stm32f407vg,seed=5");
    sim_board *d = open_board("sim:stm32f407vg,seed=6");
    uint32_t x = sim_board_random(a);
    assert_int_equal(x, sim_board_random(c));
    assert_int_not_equal(x, sim_board_random(d));
    /* The unique ID follows the seed too. */
    assert_int_equal(r32(a, 0x1FFF7A10), r32(c, 0x1FFF7A10));
    assert_int_not_equal(r32(a, 0x1FFF7A10), r32(d, 0x1FFF7A10));
    sim_board_close(a);
    sim_board_close(c);
    sim_board_close(d);
}

static void test_l1_and_f1_unreadable_fsize(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32l151cb,fsize=27520");
    assert_int_equal(r32(b, 0x1FF8004C) & 0xFFFF, 27520);
    sim_board_close(b);
    b = open_board("sim:stm32f103c8,fsize=unreadable");
    uint32_t v;
    assert_int_equal(r32a(b, 0x1FFFF7E0, &v), SIM_ACC_FAULT);
    sim_board_close(b);
}

/* Issue 13: a RAM block with its own address that is also aliased into the contiguous SRAM
 * is one set of cells: L476 SRAM2 at 0x10000000 = 0x20018000 (RM0351 2.3), G431 CCM SRAM at
 * 0x10000000 = 0x20005800 (RM0440 2.4); the SRAM then ends at 128 / 32 KiB and the block's
 * own range ends with it (32 / 10 KiB). */
static void test_sram_alias(void **state)
{
    (void)state;
    const struct {
        const char *spec;
        uint32_t alias, size, end;
    } parts[] = {{"sim:stm32l476rg", 0x20018000u, 32768u, 0x20020000u},
                 {"sim:stm32g431rb", 0x20005800u, 10240u, 0x20008000u}};
    for (size_t i = 0; i < 2; i++) {
        sim_board *b = open_board(parts[i].spec);
        uint32_t v;
        assert_int_equal(w32(b, 0x10000000u, 0x11223344u), SIM_ACC_OK);
        assert_int_equal(r32(b, parts[i].alias), 0x11223344u);
        assert_int_equal(w32(b, parts[i].alias + parts[i].size - 4, 0xA5A5F00Du), SIM_ACC_OK);
        assert_int_equal(r32(b, 0x10000000u + parts[i].size - 4), 0xA5A5F00Du);
        assert_int_equal(r32a(b, parts[i].end - 4, &v), SIM_ACC_OK);
        assert_int_equal(r32a(b, parts[i].end, &v), SIM_ACC_FAULT);
        assert_int_equal(r32a(b, 0x10000000u + parts[i].size, &v), SIM_ACC_FAULT);
        sim_board_close(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reset_flags),
        cmocka_unit_test(test_reset_loop),
        cmocka_unit_test(test_firmware_swd_off),
        cmocka_unit_test(test_boot0_alias),
        cmocka_unit_test(test_crc_unit_and_clock_gating),
        cmocka_unit_test(test_gpio_blinky_registers),
        cmocka_unit_test(test_random_is_seeded),
        cmocka_unit_test(test_l1_and_f1_unreadable_fsize),
        cmocka_unit_test(test_sram_alias),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
