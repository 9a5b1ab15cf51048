/* Unit tests: the reference manual's sector numbers (what stprog shows) next to the SNB
 * encoding the erase programs. RM0090 (F42x/F43x), RM0386 (F469) and RM0410 (F76x,
 * nDBANK=0) number bank-2 sectors from 12 while SNB encodes them from 16 (0b1xxxx), also
 * on the 1 MiB parts in dual-bank mode whose bank 1 ends at sector 7. Single-bank parts and
 * the L4 page numbers are unchanged. Also the F413/F423 nWRP count of the chip table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "chipdb/chipdb.h"

static stp_sector sec[4096];

static const stp_chip *chip(uint16_t id)
{
    const stp_chip *c = stp_chip_by_dev_id(id);
    assert_non_null(c);
    return c;
}

/* Sectors [from, from+count) of the list are manual numbers first.., SNB snb.., bank 1. */
static void expect_bank2(size_t from, size_t count, unsigned first, unsigned snb)
{
    for (size_t i = 0; i < count; i++) {
        assert_int_equal(sec[from + i].manual_number, first + i);
        assert_int_equal(sec[from + i].number, snb + i);
        assert_int_equal(sec[from + i].bank, 1);
    }
}

static void expect_same(size_t count)
{
    for (size_t i = 0; i < count; i++)
        assert_int_equal(sec[i].manual_number, sec[i].number);
}

static void test_f42x_f469(void **state)
{
    (void)state;
    const uint16_t ids[] = {0x419, 0x434};
    for (size_t k = 0; k < 2; k++) {
        const stp_chip *c = chip(ids[k]);
        /* 2 MiB: sectors 0-11 in bank 1, 12-23 (SNB 16-27) in bank 2 */
        assert_int_equal(stp_chip_sectors(c, 2048, false, sec, 4096), 24);
        expect_same(12);
        assert_int_equal(sec[12].addr, 0x08100000);
        expect_bank2(12, 12, 12, 16);
        /* 1 MiB with DB1M: sectors 0-7, then 12-19 (SNB 16-23) at 0x08080000 */
        assert_int_equal(stp_chip_sectors(c, 1024, true, sec, 4096), 16);
        expect_same(8);
        assert_int_equal(sec[8].addr, 0x08080000);
        expect_bank2(8, 8, 12, 16);
        /* 1 MiB single bank: 0-11, nothing renumbered */
        assert_int_equal(stp_chip_sectors(c, 1024, false, sec, 4096), 12);
        expect_same(12);
    }
}

static void test_f767(void **state)
{
    (void)state;
    const stp_chip *c = chip(0x451);
    assert_int_equal(stp_chip_sectors(c, 2048, true, sec, 4096), 24);
    expect_same(12);
    expect_bank2(12, 12, 12, 16);
    assert_int_equal(stp_chip_sectors(c, 1024, true, sec, 4096), 16);
    expect_bank2(8, 8, 12, 16);
    assert_int_equal(stp_chip_sectors(c, 2048, false, sec, 4096), 12);
    expect_same(12);
}

static void test_unchanged_elsewhere(void **state)
{
    (void)state;
    for (size_t i = 0; i < stp_chip_count(); i++) {
        const stp_chip *c = stp_chip_at(i);
        if (c->dev_id == 0x419 || c->dev_id == 0x434 || c->dev_id == 0x451)
            continue;
        for (size_t s = 0; s < STP_MAX_FLASH_SIZES && c->flash_sizes_kb[s]; s++) {
            size_t n = stp_chip_sectors(c, c->flash_sizes_kb[s], false, sec, 4096);
            assert_true(n > 0 && n <= 4096);
            expect_same(n);
        }
    }
}

static void test_f413_nwrp_bits(void **state)
{
    (void)state;
    /* RM0430: nWRP[14:0] in OPTCR[30:16] for 16 sectors; RM0090 parts have 12 (0 = 12) */
    assert_int_equal(chip(0x463)->optcr_nwrp_bits, 15);
    assert_int_equal(stp_chip_sectors(chip(0x463), 1536, false, sec, 4096), 16);
    assert_int_equal(chip(0x413)->optcr_nwrp_bits, 0);
    assert_int_equal(chip(0x419)->optcr_nwrp_bits, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f42x_f469),
        cmocka_unit_test(test_f767),
        cmocka_unit_test(test_unchanged_elsewhere),
        cmocka_unit_test(test_f413_nwrp_bits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
