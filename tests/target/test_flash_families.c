/* Component tests of the F1, F7 and L1 drivers (and F4 again through the same path) on the
 * virtual board: erase one unit, program a pattern, read back, relocked afterwards; the
 * erased value of the family; mass erase (or page-by-page where there is none). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "sim_debug.h"
#include "target/flash.h"

typedef struct family_case {
    const char *spec;
    uint32_t flash_kb;
    uint32_t lock_reg; /* register holding the lock bit */
    uint32_t lock_mask;
    uint8_t erased;
    stp_psize psize;
} family_case;

static const family_case cases[] = {
    {"sim:stm32f103c8", 64, 0x40022010u, 1u << 7, 0xFF, STP_PSIZE_X16},    /* FLASH_CR.LOCK */
    {"sim:stm32f767zi", 2048, 0x40023C10u, 1u << 31, 0xFF, STP_PSIZE_X32}, /* FLASH_CR.LOCK */
    {"sim:stm32l151cb", 128, 0x40023C04u, 1u << 0, 0x00, STP_PSIZE_X32},   /* PECR.PELOCK */
    {"sim:stm32f411re", 512, 0x40023C10u, 1u << 31, 0xFF, STP_PSIZE_X32},
};

static void run_case(const family_case *c)
{
    sim_debug *sd = sim_debug_open(c->spec);
    assert_non_null(sd);
    stp_debug *d = &sd->base;
    const stp_chip *chip = sim_board_chip(sd->board);
    stp_flash f;
    assert_int_equal(stp_flash_init(&f, d, chip, c->flash_kb, false, c->psize), STP_OK);
    assert_int_equal(f.drv->erased_byte, c->erased);
    size_t n = stp_chip_sectors(chip, c->flash_kb, false, NULL, 0);
    stp_sector *secs = calloc(n, sizeof(*secs));
    assert_non_null(secs);
    assert_int_equal(stp_chip_sectors(chip, c->flash_kb, false, secs, n), n);
    stp_findings fi = {0};

    /* program a pattern (two program units short of the unit end) into unit 1 */
    const stp_sector *s = &secs[1];
    uint32_t len = s->size < 512 ? s->size : 512;
    uint8_t *buf = malloc(len), *back = malloc(s->size);
    assert_non_null(buf);
    assert_non_null(back);
    for (uint32_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(0x31 + i * 13);
    assert_int_equal(stp_flash_erase(&f, s, 1, NULL, NULL, 0, &fi), STP_OK);
    assert_int_equal(stp_flash_program(&f, s->addr, buf, len, NULL, NULL, 0, &fi), STP_OK);
    assert_int_equal(fi.count, 0);
    assert_int_equal(d->ops->read_mem(d, s->addr, back, s->size, NULL), STP_OK);
    assert_memory_equal(back, buf, len);
    for (uint32_t i = len; i < s->size; i++)
        assert_int_equal(back[i], c->erased);
    uint32_t lockreg = 0;
    assert_int_equal(d->ops->read_u32(d, c->lock_reg, &lockreg, NULL), STP_OK);
    assert_true(lockreg & c->lock_mask);

    /* erase it again: back to the erased value */
    assert_int_equal(stp_flash_erase(&f, s, 1, NULL, NULL, 0, &fi), STP_OK);
    assert_int_equal(d->ops->read_mem(d, s->addr, back, len, NULL), STP_OK);
    for (uint32_t i = 0; i < len; i++)
        assert_int_equal(back[i], c->erased);

    /* the whole device: program the first unit, erase everything */
    assert_int_equal(stp_flash_program(&f, secs[0].addr, buf, 64, NULL, NULL, 0, &fi), STP_OK);
    assert_int_equal(stp_flash_erase_all(&f, secs, n, NULL, &fi), STP_OK);
    assert_int_equal(d->ops->read_mem(d, secs[0].addr, back, 64, NULL), STP_OK);
    for (uint32_t i = 0; i < 64; i++)
        assert_int_equal(back[i], c->erased);
    assert_int_equal(fi.count, 0);

    /* option bytes decode: level 0, nothing protected */
    stp_option_bytes ob;
    assert_int_equal(stp_flash_read_options(&f, &ob, &fi), STP_OK);
    assert_int_equal(ob.rdp_level, 0);
    assert_true(ob.wrp_bits > 0);
    for (uint32_t i = 0; i < ob.wrp_bits; i++)
        assert_false(stp_option_wrp_get(&ob, i));
    stp_findings_free(&fi);
    free(buf);
    free(back);
    free(secs);
    sim_debug_close(sd);
}

static void test_f1(void **state)
{
    (void)state;
    run_case(&cases[0]);
}

static void test_f7(void **state)
{
    (void)state;
    run_case(&cases[1]);
}

static void test_l1(void **state)
{
    (void)state;
    run_case(&cases[2]);
}

static void test_f411(void **state)
{
    (void)state;
    run_case(&cases[3]);
}

/* F1 refuses to program over data that is not erased: PGERR becomes
 * flash.programming-error, and the engine relocks. */
static void test_f1_program_over_data(void **state)
{
    (void)state;
    sim_debug *sd = sim_debug_open("sim:stm32f103c8");
    assert_non_null(sd);
    stp_flash f;
    assert_int_equal(
        stp_flash_init(&f, &sd->base, sim_board_chip(sd->board), 64, false, STP_PSIZE_X16), STP_OK);
    uint8_t a[4] = {0x12, 0x34, 0x56, 0x78}, b[4] = {0x11, 0x11, 0x11, 0x11};
    stp_findings fi = {0};
    assert_int_equal(stp_flash_program(&f, 0x08000400u, a, 4, NULL, NULL, 0, &fi), STP_OK);
    assert_int_equal(stp_flash_program(&f, 0x08000400u, b, 4, NULL, NULL, 0, &fi), STP_ERR_FLASH);
    const stp_finding *fd = stp_findings_find(&fi, "flash.programming-error");
    assert_non_null(fd);
    assert_string_equal(fd->evidence[1].value, "PGERR");
    uint32_t cr = 0;
    assert_int_equal(sd->base.ops->read_u32(&sd->base, 0x40022010u, &cr, NULL), STP_OK);
    assert_true(cr & (1u << 7));
    stp_findings_free(&fi);
    sim_debug_close(sd);
}

/* L1 half-page programming: a 128-byte aligned chunk goes in one operation (3.28 ms), far
 * faster in virtual time than 32 word writes. */
static void test_l1_half_page_is_one_operation(void **state)
{
    (void)state;
    sim_debug *sd = sim_debug_open("sim:stm32l151cb");
    assert_non_null(sd);
    stp_flash f;
    assert_int_equal(
        stp_flash_init(&f, &sd->base, sim_board_chip(sd->board), 128, false, STP_PSIZE_X32),
        STP_OK);
    uint8_t buf[128];
    memset(buf, 0xA5, sizeof(buf));
    uint64_t before = sim_board_stats(sd->board)->flash_programs;
    uint64_t t0 = sim_clock_ns(sd->board);
    stp_findings fi = {0};
    assert_int_equal(stp_flash_program(&f, 0x08000080u, buf, 128, NULL, NULL, 0, &fi), STP_OK);
    assert_int_equal(sim_board_stats(sd->board)->flash_programs - before, 1);
    assert_true(sim_clock_ns(sd->board) - t0 < 20000000u); /* well under 32 x 3.28 ms */
    uint8_t back[128];
    assert_int_equal(sd->base.ops->read_mem(&sd->base, 0x08000080u, back, 128, NULL), STP_OK);
    assert_memory_equal(back, buf, 128);
    stp_findings_free(&fi);
    sim_debug_close(sd);
}

/* The flash route is chosen once: a session starts on the SRAM loader, --no-loader puts it
 * on register writes, a ROM-bootloader session keeps its route; the entry points follow the
 * route (stp_flash_write runs only where the loader does, and leaves the flash alone
 * elsewhere). */
static void test_route_chosen_once(void **state)
{
    (void)state;
    sim_debug *sd = sim_debug_open("sim:stm32f411re");
    assert_non_null(sd);
    const stp_chip *chip = sim_board_chip(sd->board);
    stp_flash f;
    assert_int_equal(stp_flash_init(&f, &sd->base, chip, 512, false, STP_PSIZE_X32), STP_OK);
    assert_ptr_equal(f.route, &stp_flash_route_loader);
    assert_true(f.route->runs_loader);

    static uint8_t data[4096];
    memset(data, 0x5A, sizeof(data));
    stp_sector secs[2];
    assert_int_equal(stp_chip_sectors(chip, 512, false, secs, 2) > 1, 1);
    stp_flash_piece piece = {.addr = secs[1].addr, .data = data, .len = sizeof(data)};
    stp_flash_write_req req = {
        .erase = &secs[1], .erase_count = 1, .pieces = &piece, .piece_count = 1, .phase = "write"};
    stp_findings fi = {0};
    bool used = true;

    stp_flash_use_loader(&f, false);
    assert_ptr_equal(f.route, &stp_flash_route_registers);
    assert_int_equal(stp_flash_write(&f, &req, NULL, &fi, &used), STP_OK);
    assert_false(used); /* no loader on this route: nothing touched */
    uint8_t back[16];
    assert_int_equal(sd->base.ops->read_mem(&sd->base, piece.addr, back, 16, NULL), STP_OK);
    for (size_t i = 0; i < sizeof(back); i++)
        assert_int_equal(back[i], 0xFF);

    stp_flash_use_loader(&f, true);
    assert_int_equal(stp_flash_write(&f, &req, NULL, &fi, &used), STP_OK);
    assert_true(used);
    assert_int_equal(sd->base.ops->read_mem(&sd->base, piece.addr, back, 16, NULL), STP_OK);
    assert_memory_equal(back, data, 16);

    stp_flash_loader_failed(&f); /* the loader could not be set up: registers for good */
    assert_ptr_equal(f.route, &stp_flash_route_registers);

    f.route = &stp_flash_route_bootloader; /* as target_boot.c attaches */
    stp_flash_use_loader(&f, true);
    stp_flash_loader_failed(&f);
    assert_ptr_equal(f.route, &stp_flash_route_bootloader);
    stp_findings_free(&fi);
    sim_debug_close(sd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f1),
        cmocka_unit_test(test_route_chosen_once),
        cmocka_unit_test(test_f7),
        cmocka_unit_test(test_l1),
        cmocka_unit_test(test_f411),
        cmocka_unit_test(test_f1_program_over_data),
        cmocka_unit_test(test_l1_half_page_is_one_operation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
