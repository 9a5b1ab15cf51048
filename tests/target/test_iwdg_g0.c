/* The G0's DBGMCU clock gate (RM0444: RCC_APBENR1.DBGEN) and the watchdog freeze, on the
 * virtual board: with the hardware-watchdog option (IWDG_SW = 0) and a 32 ms period, an
 * erase and program by direct register writes (--no-loader: the core stays halted, nothing
 * reloads the watchdog) takes many periods and survives only because stprog opens the gate
 * before setting DBG_IWDG_STOP. The same run with the gate left out of the chip row (the
 * host as it was before) is reset by the watchdog part way. RCC_APBENR1 and DBG_APB_FZ1 are
 * put back as they were. The board model: with DBGEN clear the freeze register reads 0 and
 * drops writes; the ID code reads either way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "sim_debug.h"
#include "target/cortexm.h"
#include "target/flash.h"

#define IWDG_KR     0x40003000u
#define IWDG_PR     0x40003004u
#define IWDG_RLR    0x40003008u
#define RCC_APBENR1 0x4002103Cu /* RM0444 */
#define DBGEN       (1u << 27)
#define PWREN       (1u << 28)
#define DBG_IDCODE  0x40015800u
#define DBG_APB_FZ1 0x40015808u
#define IWDG_STOP   (1u << 12)
#define WWDG_STOP   (1u << 11)
#define TEST_BYTES  32768u /* 16 pages of 2 KiB */
#define TEST_PAGES  (TEST_BYTES / 2048u)

typedef struct fx {
    sim_debug *sd;
    stp_chip chip;  /* a copy of the row, so a test can take the clock gate out of it */
    stp_family fam; /* a copy of its family row */
    stp_flash flash;
    stp_sector secs[64];
    stp_findings fi;
    uint8_t img[TEST_BYTES];
} fx;

static void wr(fx *x, uint32_t addr, uint32_t v)
{
    assert_int_equal(x->sd->base.ops->write_u32(&x->sd->base, addr, v, NULL), STP_OK);
}

static uint32_t rd(fx *x, uint32_t addr)
{
    uint32_t v = 0;
    assert_int_equal(x->sd->base.ops->read_u32(&x->sd->base, addr, &v, NULL), STP_OK);
    return v;
}

/* Opens a G071 whose option bytes have IWDG_SW = 0: the watchdog starts at every reset. */
static fx *open_hw_watchdog(void)
{
    fx *x = calloc(1, sizeof *x);
    assert_non_null(x);
    x->sd = sim_debug_open("sim:stm32g071rb");
    assert_non_null(x->sd);
    x->chip = *sim_board_chip(x->sd->board);
    x->fam = *x->chip.fam;
    x->chip.fam = &x->fam;
    assert_int_equal(stp_cm_halt(&x->sd->base, NULL), STP_OK);
    assert_int_equal(stp_flash_init(&x->flash, &x->sd->base, &x->chip, 128, false, STP_PSIZE_X64),
                     STP_OK);
    stp_option_bytes ob;
    memset(&ob, 0, sizeof ob);
    assert_int_equal(stp_flash_read_options(&x->flash, &ob, &x->fi), STP_OK);
    assert_int_equal(x->flash.drv->option_set(&x->flash, &ob, "iwdg_sw", "0", &x->fi), STP_OK);
    assert_int_equal(stp_flash_write_options(&x->flash, &ob, &x->fi), STP_OK);
    stp_findings_free(&x->fi);
    assert_int_equal(stp_cm_halt(&x->sd->base, NULL), STP_OK);
    assert_int_equal(stp_chip_sectors(&x->chip, 128, false, x->secs, 64), 64);
    for (uint32_t i = 0; i < TEST_BYTES; i++)
        x->img[i] = (uint8_t)(i * 29u + (i >> 8));
    return x;
}

static void close_fx(fx *x)
{
    stp_findings_free(&x->fi);
    sim_debug_close(x->sd);
    free(x);
}

/* The option loading reset started the watchdog (512 ms); make it 32 ms (PR /4, RLR 255). */
static void short_period(fx *x)
{
    wr(x, IWDG_KR, 0x5555);
    wr(x, IWDG_PR, 0);
    wr(x, IWDG_RLR, 0xFF);
    wr(x, IWDG_KR, 0xAAAA);
}

/* Erase 16 pages and program them by direct register writes. */
static stp_status erase_program(fx *x)
{
    stp_flash_use_loader(&x->flash, false);
    stp_status st = stp_flash_erase(&x->flash, x->secs, TEST_PAGES, NULL, NULL, 0, &x->fi);
    if (st == STP_OK)
        st = stp_flash_program(&x->flash, 0x08000000u, x->img, TEST_BYTES, NULL, NULL, 0, &x->fi);
    return st;
}

static void test_g0_direct_path_survives_with_dbgen(void **state)
{
    (void)state;
    fx *x = open_hw_watchdog();
    assert_int_equal(x->fam.dbgmcu_clk_reg, RCC_APBENR1);
    assert_int_equal(x->fam.dbgmcu_clk_bit, DBGEN);
    wr(x, RCC_APBENR1, PWREN); /* firmware's own clock enable, to be kept; DBGEN clear */
    short_period(x);
    const sim_stats *st = sim_board_stats(x->sd->board);
    const uint64_t t0 = sim_clock_ns(x->sd->board), c0 = st->iwdg_counting_ns;
    const uint64_t resets0 = st->iwdg_resets;
    assert_int_equal(erase_program(x), STP_OK);
    assert_int_equal(x->fi.count, 0);
    assert_int_equal(st->iwdg_resets, resets0);
    assert_int_equal(st->iwdg_period_ns, 32000000u);
    /* long enough for the watchdog to have fired many times over */
    assert_true(sim_clock_ns(x->sd->board) - t0 > 10 * st->iwdg_period_ns);
    assert_true(st->iwdg_counting_ns - c0 < st->iwdg_period_ns / 4);
    assert_int_equal(rd(x, RCC_APBENR1), PWREN); /* put back: DBGEN clear again */
    uint8_t *back = malloc(TEST_BYTES);
    assert_non_null(back);
    assert_int_equal(x->sd->base.ops->read_mem(&x->sd->base, 0x08000000u, back, TEST_BYTES, NULL),
                     STP_OK);
    assert_memory_equal(back, x->img, TEST_BYTES);
    free(back);
    wr(x, RCC_APBENR1, PWREN | DBGEN); /* look behind the gate: the freeze bit is clear again */
    assert_int_equal(rd(x, DBG_APB_FZ1), 0);
    close_fx(x);
}

/* The firmware had opened the gate and set another freeze bit: both are left as they were. */
static void test_g0_gate_already_open_is_kept(void **state)
{
    (void)state;
    fx *x = open_hw_watchdog();
    wr(x, RCC_APBENR1, DBGEN);
    wr(x, DBG_APB_FZ1, WWDG_STOP);
    short_period(x);
    const uint64_t resets0 = sim_board_stats(x->sd->board)->iwdg_resets;
    assert_int_equal(erase_program(x), STP_OK);
    assert_int_equal(sim_board_stats(x->sd->board)->iwdg_resets, resets0);
    assert_int_equal(rd(x, RCC_APBENR1), DBGEN);
    assert_int_equal(rd(x, DBG_APB_FZ1), WWDG_STOP);
    close_fx(x);
}

/* The host as it was before the fix (no clock gate in the chip row): the freeze write is
 * lost, the halted core's watchdog runs out and resets the chip during the erase. */
static void test_g0_without_dbgen_the_watchdog_fires(void **state)
{
    (void)state;
    fx *x = open_hw_watchdog();
    x->fam.dbgmcu_clk_reg = 0;
    x->fam.dbgmcu_clk_bit = 0;
    short_period(x);
    const uint64_t resets0 = sim_board_stats(x->sd->board)->iwdg_resets;
    assert_int_not_equal(erase_program(x), STP_OK);
    assert_true(sim_board_stats(x->sd->board)->iwdg_resets > resets0);
    const stp_finding *fd = stp_findings_find(&x->fi, "flash.interrupted-by-reset");
    assert_non_null(fd);
    if (fd == NULL) /* unreachable; gcc -O2 cannot see that assert_non_null ends the test */
        return;
    assert_non_null(strstr(fd->message, "independent watchdog"));
    assert_int_equal(rd(x, RCC_APBENR1), 0);
    close_fx(x);
}

/* The board model of the gate. */
static void test_g0_dbgmcu_gated_by_dbgen(void **state)
{
    (void)state;
    sim_debug *sd = sim_debug_open("sim:stm32g071rb");
    assert_non_null(sd);
    stp_debug *d = &sd->base;
    uint32_t v = 0;
    assert_int_equal(d->ops->read_u32(d, DBG_IDCODE, &v, NULL), STP_OK);
    assert_int_equal(v & 0xFFFu, 0x460); /* the ID code reads with the gate closed */
    assert_int_equal(d->ops->write_u32(d, DBG_APB_FZ1, IWDG_STOP, NULL), STP_OK);
    assert_int_equal(d->ops->read_u32(d, DBG_APB_FZ1, &v, NULL), STP_OK);
    assert_int_equal(v, 0);
    assert_int_equal(d->ops->write_u32(d, RCC_APBENR1, DBGEN, NULL), STP_OK);
    assert_int_equal(d->ops->read_u32(d, DBG_APB_FZ1, &v, NULL), STP_OK);
    assert_int_equal(v, 0); /* the write with the gate closed was lost */
    assert_int_equal(d->ops->write_u32(d, DBG_APB_FZ1, IWDG_STOP, NULL), STP_OK);
    assert_int_equal(d->ops->read_u32(d, DBG_APB_FZ1, &v, NULL), STP_OK);
    assert_int_equal(v, IWDG_STOP);
    assert_int_equal(d->ops->write_u32(d, RCC_APBENR1, 0, NULL), STP_OK);
    assert_int_equal(d->ops->read_u32(d, DBG_APB_FZ1, &v, NULL), STP_OK);
    assert_int_equal(v, 0); /* reads 0 behind the closed gate ... */
    assert_int_equal(d->ops->write_u32(d, RCC_APBENR1, DBGEN, NULL), STP_OK);
    assert_int_equal(d->ops->read_u32(d, DBG_APB_FZ1, &v, NULL), STP_OK);
    assert_int_equal(v, IWDG_STOP); /* ... and keeps its value */
    sim_debug_close(sd);

    sd = sim_debug_open("sim:stm32f407vg"); /* no gate elsewhere */
    assert_non_null(sd);
    d = &sd->base;
    assert_int_equal(d->ops->write_u32(d, 0xE0042008u, IWDG_STOP, NULL), STP_OK);
    assert_int_equal(d->ops->read_u32(d, 0xE0042008u, &v, NULL), STP_OK);
    assert_int_equal(v, IWDG_STOP);
    sim_debug_close(sd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_g0_dbgmcu_gated_by_dbgen),
        cmocka_unit_test(test_g0_direct_path_survives_with_dbgen),
        cmocka_unit_test(test_g0_gate_already_open_is_kept),
        cmocka_unit_test(test_g0_without_dbgen_the_watchdog_fires),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
