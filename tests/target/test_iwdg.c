/* Component tests of the flash code's watchdog handling (src/target/iwdg.c, the loader's
 * reloads) on the virtual board: a started IWDG with a 32 ms period survives a write that
 * takes many periods (the loader reloads it, DBG_IWDG_STOP freezes it while the core is
 * halted, all along on the direct path) and the DBGMCU register is put back as it was, F4
 * (APB1_FZ) and F1 (DBGMCU_CR);
 * with a window set (F7) the loader leaves it alone and the reset it causes is reported as
 * the watchdog's, with the window named and under-reset advice. */
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

#define IWDG_KR   0x40003000u
#define IWDG_PR   0x40003004u
#define IWDG_RLR  0x40003008u
#define IWDG_WINR 0x40003010u

typedef struct fx {
    sim_debug *sd;
    stp_flash flash;
    stp_findings fi;
    uint8_t *img;
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

/* Opens the board, halts the core, starts the watchdog (PR, RLR, WINR) and fills an image. */
static void open_fx(fx *x, const char *spec, uint32_t kb, stp_psize ps, uint32_t rlr, uint32_t winr,
                    uint32_t bytes)
{
    memset(x, 0, sizeof *x);
    x->sd = sim_debug_open(spec);
    assert_non_null(x->sd);
    const stp_chip *chip = sim_board_chip(x->sd->board);
    assert_int_equal(stp_cm_halt(&x->sd->base, NULL), STP_OK);
    wr(x, IWDG_KR, 0x5555);
    wr(x, IWDG_PR, 0);
    wr(x, IWDG_RLR, rlr);
    if (winr != 0xFFF)
        wr(x, IWDG_WINR, winr);
    wr(x, IWDG_KR, 0xCCCC);
    assert_int_equal(stp_flash_init(&x->flash, &x->sd->base, chip, kb, false, ps), STP_OK);
    x->img = malloc(bytes);
    assert_non_null(x->img);
    for (uint32_t i = 0; i < bytes; i++)
        x->img[i] = (uint8_t)(i * 13u + (i >> 9));
}

static void close_fx(fx *x)
{
    stp_findings_free(&x->fi);
    free(x->img);
    sim_debug_close(x->sd);
}

static const stp_finding *find(const fx *x, const char *id)
{
    for (size_t i = 0; i < x->fi.count; i++)
        if (strcmp(x->fi.items[i].id, id) == 0)
            return &x->fi.items[i];
    return NULL;
}

static const char *evidence(const stp_finding *fd, const char *key)
{
    static const char missing[] = "(no such evidence)";
    for (size_t i = 0; i < fd->evidence_count; i++)
        if (strcmp(fd->evidence[i].key, key) == 0)
            return fd->evidence[i].value;
    return missing;
}

static void survives(const char *spec, uint32_t kb, stp_psize ps, uint32_t freeze_reg,
                     uint32_t other_bit, uint32_t bytes)
{
    fx x;
    open_fx(&x, spec, kb, ps, 0xFF, 0xFFF, bytes); /* 256 ticks of LSI/4: 32 ms (F1 25.6 ms) */
    wr(&x, freeze_reg, other_bit); /* a freeze bit of another peripheral, to be kept */
    const sim_stats *st = sim_board_stats(x.sd->board);
    assert_int_equal(stp_flash_program(&x.flash, 0x08000000u, x.img, bytes, NULL, NULL, 0, &x.fi),
                     STP_OK);
    assert_int_equal(x.fi.count, 0);
    assert_int_equal(st->iwdg_resets, 0);
    assert_true(st->iwdg_refreshes > 0);
    assert_true(st->iwdg_counting_ns > 5 * st->iwdg_period_ns); /* would have fired 5 times */
    assert_int_equal(rd(&x, freeze_reg), other_bit);            /* put back */
    uint8_t *back = malloc(bytes);
    assert_non_null(back);
    assert_int_equal(x.sd->base.ops->read_mem(&x.sd->base, 0x08000000u, back, bytes, NULL), STP_OK);
    assert_memory_equal(back, x.img, bytes);
    free(back);
    close_fx(&x);
}

static void test_f4_survives(void **state)
{
    (void)state;
    survives("sim:stm32f407vg", 1024, STP_PSIZE_X32, 0xE0042008u, 1u << 0, 65536);
}

static void test_f1_survives(void **state)
{
    (void)state;
    survives("sim:stm32f103c8", 64, STP_PSIZE_X16, 0xE0042004u, 1u << 11, 16384);
}

/* By direct register writes the core stays halted all along: only the freeze keeps it quiet,
 * and DBGMCU is put back after. */
static void test_direct_path_frozen(void **state)
{
    (void)state;
    fx x;
    open_fx(&x, "sim:stm32f407vg", 1024, STP_PSIZE_X32, 0xFF, 0xFFF, 131072);
    stp_flash_use_loader(&x.flash, false);
    const sim_stats *st = sim_board_stats(x.sd->board);
    const uint64_t t0 = sim_clock_ns(x.sd->board), c0 = st->iwdg_counting_ns;
    assert_int_equal(stp_flash_program(&x.flash, 0x08000000u, x.img, 131072, NULL, NULL, 0, &x.fi),
                     STP_OK);
    assert_int_equal(st->iwdg_resets, 0);
    assert_true(sim_clock_ns(x.sd->board) - t0 > 5 * st->iwdg_period_ns);
    assert_true(st->iwdg_counting_ns - c0 < st->iwdg_period_ns / 4);
    assert_int_equal(rd(&x, 0xE0042008u), 0);
    close_fx(&x);
}

static void test_window_is_left_alone(void **state)
{
    (void)state;
    fx x;
    open_fx(&x, "sim:stm32f767zi", 2048, STP_PSIZE_X32, 0xFFF, 0x100, 524288);
    assert_int_equal(stp_flash_program(&x.flash, 0x08000000u, x.img, 524288, NULL, NULL, 0, &x.fi),
                     STP_ERR_FLASH);
    assert_int_equal(sim_board_stats(x.sd->board)->iwdg_refreshes, 0);
    assert_int_equal(sim_board_stats(x.sd->board)->iwdg_resets, 1);
    const stp_finding *fd = find(&x, "flash.interrupted-by-reset");
    assert_non_null(fd);
    if (fd == NULL) /* unreachable; gcc -O2 cannot see that assert_non_null ends the test */
        return;
    assert_non_null(strstr(fd->message, "independent watchdog"));
    assert_non_null(strstr(evidence(fd, "loader_reloads"), "IWDG_WINR"));
    assert_non_null(strstr(fd->advice, "window"));
    assert_non_null(strstr(fd->advice, "--connect under-reset"));
    close_fx(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f4_survives),
        cmocka_unit_test(test_f1_survives),
        cmocka_unit_test(test_direct_path_frozen),
        cmocka_unit_test(test_window_is_left_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
