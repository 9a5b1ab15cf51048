/* Component tests of the flash engine with the F2/F4 driver against the virtual
 * STM32F407VG: erase, program at each PSIZE, read back, relock, WRP refusal decoded into a
 * finding, PSIZE choice from the measured voltage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "sim_debug.h"
#include "target/flash.h"

#define F4_CR 0x40023C10u
#define F4_SR 0x40023C0Cu

typedef struct fx {
    sim_debug *sd;
    stp_flash flash;
    stp_sector sectors[24];
    size_t nsectors;
} fx;

static fx *open_f4(const char *spec, stp_psize psize)
{
    fx *x = calloc(1, sizeof(*x));
    assert_non_null(x);
    x->sd = sim_debug_open(spec);
    assert_non_null(x->sd);
    const stp_chip *chip = sim_board_chip(x->sd->board);
    assert_non_null(chip);
    assert_int_equal(chip->flash_kind, STP_FLASH_F2F4);
    assert_int_equal(stp_flash_init(&x->flash, &x->sd->base, chip, 1024, false, psize), STP_OK);
    x->nsectors = stp_chip_sectors(chip, 1024, false, x->sectors, 24);
    assert_int_equal(x->nsectors, 12);
    return x;
}

static void close_fx(fx *x)
{
    sim_debug_close(x->sd);
    free(x);
}

static uint32_t rd32(fx *x, uint32_t addr)
{
    uint32_t v = 0;
    assert_int_equal(x->sd->base.ops->read_u32(&x->sd->base, addr, &v, NULL), STP_OK);
    return v;
}

static void pattern(uint8_t *b, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(i * 7u + seed);
}

/* Erase sector 1, program 2 KiB into it at the given width, read it back; the flash is
 * locked again afterwards and the status register is clean. */
static void erase_program_readback(stp_psize psize)
{
    fx *x = open_f4("sim:stm32f407vg,vdd=3.3", psize);
    stp_findings f = {0};
    uint64_t done = 0;
    assert_int_equal(stp_flash_erase(&x->flash, &x->sectors[1], 1, NULL, &done, 16384, &f), STP_OK);
    assert_int_equal(done, 16384);
    uint8_t buf[2048], back[2048];
    pattern(buf, sizeof(buf), (unsigned)psize);
    assert_int_equal(stp_flash_program(&x->flash, 0x08004000u, buf, sizeof(buf), NULL, NULL, 0, &f),
                     STP_OK);
    assert_int_equal(f.count, 0);
    assert_int_equal(x->sd->base.ops->read_mem(&x->sd->base, 0x08004000u, back, sizeof(back), NULL),
                     STP_OK);
    assert_memory_equal(buf, back, sizeof(buf));
    /* the rest of the sector is still blank */
    assert_int_equal(rd32(x, 0x08004000u + 2048), 0xFFFFFFFFu);
    assert_true(rd32(x, F4_CR) & (1u << 31)); /* LOCK */
    assert_int_equal(rd32(x, F4_SR) & 0xF3u, 0);
    stp_findings_free(&f);
    close_fx(x);
}

static void test_program_x32(void **state)
{
    (void)state;
    erase_program_readback(STP_PSIZE_X32);
}

static void test_program_x16(void **state)
{
    (void)state;
    erase_program_readback(STP_PSIZE_X16);
}

static void test_program_x8(void **state)
{
    (void)state;
    erase_program_readback(STP_PSIZE_X8);
}

/* Erasing a write-protected sector: WRPERR decoded into flash.wrp-error, the operation fails
 * with STP_ERR_PROTECTED, the data stays, and the flash is relocked on the error path. */
static void test_wrp_error_relocks(void **state)
{
    (void)state;
    fx *x = open_f4("sim:stm32f407vg,wrp=0x2", STP_PSIZE_X32);
    stp_findings f = {0};
    assert_int_equal(stp_flash_erase(&x->flash, &x->sectors[1], 1, NULL, NULL, 0, &f),
                     STP_ERR_PROTECTED);
    const stp_finding *fd = stp_findings_find(&f, "flash.wrp-error");
    assert_non_null(fd);
    assert_int_equal(fd->severity, STP_SEV_ERROR);
    assert_string_equal(fd->evidence[1].value, "WRPERR");
    assert_true(rd32(x, F4_CR) & (1u << 31));
    /* the error bit was cleared: the next operation on another sector works */
    stp_findings_clear(&f);
    assert_int_equal(stp_flash_erase(&x->flash, &x->sectors[2], 1, NULL, NULL, 0, &f), STP_OK);
    stp_findings_free(&f);
    close_fx(x);
}

/* Misaligned program requests never reach the controller. */
static void test_alignment_refused(void **state)
{
    (void)state;
    fx *x = open_f4("sim:stm32f407vg", STP_PSIZE_X32);
    stp_findings f = {0};
    uint8_t buf[6] = {0};
    assert_int_equal(stp_flash_program(&x->flash, 0x08004002u, buf, 6, NULL, NULL, 0, &f),
                     STP_ERR_INTERNAL);
    assert_non_null(stp_findings_find(&f, "flash.alignment-error"));
    stp_findings_free(&f);
    close_fx(x);
}

/* Mass erase leaves everything blank, with the datasheet's time passing on the clock. */
static void test_mass_erase(void **state)
{
    (void)state;
    fx *x = open_f4("sim:stm32f407vg", STP_PSIZE_X32);
    uint8_t buf[64];
    pattern(buf, sizeof(buf), 3);
    stp_findings f = {0};
    assert_int_equal(stp_flash_erase(&x->flash, &x->sectors[11], 1, NULL, NULL, 0, &f), STP_OK);
    assert_int_equal(stp_flash_program(&x->flash, 0x080E0000u, buf, sizeof(buf), NULL, NULL, 0, &f),
                     STP_OK);
    assert_int_not_equal(rd32(x, 0x080E0000u), 0xFFFFFFFFu);
    uint64_t t0 = sim_clock_ns(x->sd->board);
    assert_int_equal(stp_flash_erase_all(&x->flash, x->sectors, x->nsectors, NULL, &f), STP_OK);
    uint64_t ms = (sim_clock_ns(x->sd->board) - t0) / 1000000u;
    assert_true(ms >= 1000);  /* a mass erase takes seconds, not nothing */
    assert_true(ms <= 32050); /* and never more than the deadline */
    assert_int_equal(rd32(x, 0x080E0000u), 0xFFFFFFFFu);
    stp_findings_free(&f);
    close_fx(x);
}

/* PSIZE from voltage: x32 at 3.3 V, x16 at 2.0 V... forcing x32 at 2.0 V is refused with
 * the voltage table as evidence. */
static void test_psize_from_voltage(void **state)
{
    (void)state;
    const stp_chip *chip = stp_chip_by_dev_id(0x413);
    assert_non_null(chip);
    stp_psize p;
    stp_findings f = {0};
    assert_int_equal(stp_flash_choose_psize(chip, 3.3, 0, &p, &f), STP_OK);
    assert_int_equal(p, STP_PSIZE_X32);
    assert_int_equal(stp_flash_choose_psize(chip, 2.4, 0, &p, &f), STP_OK);
    assert_int_equal(p, STP_PSIZE_X16);
    assert_int_equal(stp_flash_choose_psize(chip, 1.9, 0, &p, &f), STP_OK);
    assert_int_equal(p, STP_PSIZE_X8);
    assert_int_equal(f.count, 0);
    assert_int_equal(stp_flash_choose_psize(chip, 2.0, 32, &p, &f), STP_ERR_POWER);
    const stp_finding *fd = stp_findings_find(&f, "flash.psize-voltage");
    assert_non_null(fd);
    assert_string_equal(fd->evidence[0].value, "2.00 V");
    assert_string_equal(
        fd->evidence[2].value,
        "x8 from 1.70 V, x16 from 2.10 V, x32 from 2.70 V, x64 from 2.70 V with VPP");
    stp_findings_clear(&f);
    assert_int_equal(stp_flash_choose_psize(chip, 2.0, 16, &p, &f), STP_ERR_POWER);
    assert_int_equal(stp_flash_choose_psize(chip, 2.2, 16, &p, &f), STP_OK - 0);
    assert_int_equal(p, STP_PSIZE_X16);
    stp_findings_clear(&f);
    /* x64 needs VPP: refused at any VDD */
    assert_int_equal(stp_flash_choose_psize(chip, 3.3, 64, &p, &f), STP_ERR_UNSUPPORTED);
    assert_non_null(stp_findings_find(&f, "flash.psize-unsupported"));
    stp_findings_clear(&f);
    /* a probe that cannot measure: x8 and a warning */
    assert_int_equal(stp_flash_choose_psize(chip, 0.0, 0, &p, &f), STP_OK);
    assert_int_equal(p, STP_PSIZE_X8);
    assert_non_null(stp_findings_find(&f, "flash.psize-voltage-unknown"));
    stp_findings_free(&f);
}

/* A status register whose BSY never clears: the erase fails with flash.timeout after the
 * deadline from the chip table (16 KiB sector at x32: 500 ms max -> 1050 ms), on the
 * virtual clock, and the flash is locked again. */
static void test_timeout_from_chip_table(void **state)
{
    (void)state;
    fx *x = open_f4("sim:stm32f407vg", STP_PSIZE_X32);
    x->sd->stuck_addr = F4_SR;
    x->sd->stuck_bits = 1u << 16;
    stp_findings f = {0};
    uint64_t t0 = sim_clock_ns(x->sd->board);
    assert_int_equal(stp_flash_erase(&x->flash, &x->sectors[1], 1, NULL, NULL, 0, &f),
                     STP_ERR_TIMEOUT);
    uint64_t ms = (sim_clock_ns(x->sd->board) - t0) / 1000000u;
    assert_true(ms >= 1050 && ms < 1200);
    const stp_finding *fd = stp_findings_find(&f, "flash.timeout");
    assert_non_null(fd);
    assert_string_equal(fd->evidence[0].value, "erase of sector 1");
    assert_string_equal(fd->evidence[2].value, "1050");
    assert_true(rd32(x, F4_CR) & (1u << 31));
    stp_findings_free(&f);

    /* and with a clock that does not move at all, the poll count still ends the wait */
    x->sd->freeze_clock = true;
    assert_int_equal(stp_flash_erase(&x->flash, &x->sectors[2], 1, NULL, NULL, 0, &f),
                     STP_ERR_TIMEOUT);
    assert_non_null(stp_findings_find(&f, "flash.timeout"));
    stp_findings_free(&f);
    close_fx(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_program_x32),        cmocka_unit_test(test_program_x16),
        cmocka_unit_test(test_program_x8),         cmocka_unit_test(test_wrp_error_relocks),
        cmocka_unit_test(test_alignment_refused),  cmocka_unit_test(test_mass_erase),
        cmocka_unit_test(test_psize_from_voltage), cmocka_unit_test(test_timeout_from_chip_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
