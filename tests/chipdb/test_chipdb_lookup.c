/* Unit tests: flash-size decoding and plausibility, identification (F4 rev-A erratum),
 * sector lists of known devices, the figures the virtual board relies on, and parts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "chipdb/chipdb.h"

static stp_sector sec[4096];

static const stp_chip *chip(uint16_t id)
{
    const stp_chip *c = stp_chip_by_dev_id(id);
    assert_non_null(c);
    return c;
}

static void test_lookup(void **state)
{
    (void)state;
    assert_string_equal(chip(0x413)->family, "F4");
    assert_string_equal(chip(0x410)->family, "F1");
    assert_string_equal(chip(0x411)->family, "F2");
    assert_string_equal(chip(0x451)->family, "F7");
    assert_string_equal(chip(0x437)->family, "L1");
    assert_null(stp_chip_by_dev_id(0x000));
    assert_null(stp_chip_by_dev_id(0x999));
    /* every family the issue lists is present */
    static const uint16_t ids[] = {0x410, 0x412, 0x414, 0x418, 0x420, 0x428, 0x430, 0x411, 0x413,
                                   0x419, 0x421, 0x423, 0x431, 0x433, 0x434, 0x441, 0x458, 0x463,
                                   0x449, 0x451, 0x452, 0x416, 0x429, 0x427, 0x436, 0x437};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        assert_non_null(stp_chip_by_dev_id(ids[i]));
    assert_true(stp_chip_count() >= sizeof ids / sizeof ids[0]);
}

static void test_identify_rev_a_erratum(void **state)
{
    (void)state;
    const uint32_t cpuid_m4 = 0x410FC241; /* Cortex-M4 r0p1 */
    const uint32_t cpuid_m3 = 0x412FC231; /* Cortex-M3 r2p1 */
    assert_int_equal(stp_chip_identify(0x411, cpuid_m4)->dev_id, 0x413);
    assert_int_equal(stp_chip_identify(0x411, cpuid_m3)->dev_id, 0x411);
    assert_int_equal(stp_chip_identify(0x413, cpuid_m4)->dev_id, 0x413);
    assert_int_equal(stp_chip_identify(0x410, cpuid_m3)->dev_id, 0x410);
    assert_int_equal(stp_chip_identify(0x411, 0)->dev_id, 0x411); /* CPUID unreadable */
    assert_null(stp_chip_identify(0x123, cpuid_m4));
    assert_int_equal(stp_core_cpuid_partno(STP_CORE_M4), 0xC24);
    assert_int_equal(stp_core_cpuid_partno(STP_CORE_M7), 0xC27);
}

static void expect_size(uint16_t id, uint32_t raw, uint32_t kb)
{
    uint32_t got = 0xDEAD;
    assert_true(stp_chip_decode_flash_size(chip(id), raw, &got));
    assert_int_equal(got, kb);
}

static void expect_implausible(uint16_t id, uint32_t raw)
{
    uint32_t got = 0xDEAD;
    assert_false(stp_chip_decode_flash_size(chip(id), raw, &got));
    assert_int_equal(got, 0xDEAD); /* untouched */
}

static void test_decode_flash_size(void **state)
{
    (void)state;
    /* seed 004: an L151CB-A (0x429) whose register reads 0x6B80. Only bits 7:0 hold the
     * size: 128 KiB. Read as 16 bits it would be 27520 KiB, which must never come out. */
    expect_size(0x429, 0x6B80, 128);
    expect_size(0x429, 0x0080, 128);
    expect_size(0x429, 0x0040, 64);
    expect_implausible(0x429, 0x00FF); /* 255 KiB is no cat.2 size */
    expect_implausible(0x429, 0x0000);
    /* the same raw value on a 16-bit row is garbage */
    expect_implausible(0x410, 0x6B80);
    expect_implausible(0x416, 0x6B80);
    expect_size(0x416, 0x0080, 128);
    /* 0x436 encodes the size as 0 (384 KiB) or 1 (256 KiB) */
    expect_size(0x436, 0, 384);
    expect_size(0x436, 1, 256);
    expect_implausible(0x436, 0x0180);
    expect_implausible(0x436, 2);
    /* 16-bit KiB rows */
    expect_size(0x410, 0x0040, 64);
    expect_size(0x410, 0x0080, 128);
    expect_implausible(0x410, 0xFFFF); /* erased / unprogrammed */
    expect_implausible(0x410, 0x0000);
    expect_implausible(0x410, 0x0100); /* 256 KiB is a high-density size, not 0x410's */
    expect_size(0x413, 0x0400, 1024);
    expect_implausible(0x413, 0x0800);
    expect_size(0x419, 0x0800, 2048);
    expect_size(0x451, 0xFFFF0800, 2048); /* upper half-word of a 32-bit read ignored */
    expect_size(0x463, 0x0600, 1536);
    expect_size(0x437, 0x0200, 512);
    assert_int_equal(stp_chip_fsize_ignored_bits(chip(0x429), 0x6B80), 0x6B00);
    assert_int_equal(stp_chip_fsize_ignored_bits(chip(0x429), 0x0080), 0);
    assert_int_equal(stp_chip_fsize_ignored_bits(chip(0x410), 0x6B80), 0);
    assert_int_equal(stp_chip_fsize_ignored_bits(NULL, 0x6B80), 0);
    assert_false(stp_chip_decode_flash_size(NULL, 0x80, NULL));
    assert_true(stp_chip_decode_flash_size(chip(0x410), 0x80, NULL));
}

static void test_sectors_f407(void **state)
{
    (void)state;
    const stp_chip *c = chip(0x413);
    assert_int_equal(stp_chip_sectors(c, 1024, false, NULL, 0), 12);
    assert_int_equal(stp_chip_sectors(c, 1024, false, sec, 4096), 12);
    assert_int_equal(sec[3].addr, 0x0800C000);
    assert_int_equal(sec[3].size, 16384);
    assert_int_equal(sec[4].addr, 0x08010000);
    assert_int_equal(sec[4].size, 65536);
    assert_int_equal(sec[5].addr, 0x08020000);
    assert_int_equal(sec[11].addr, 0x080E0000);
    assert_int_equal(sec[11].size, 131072);
    assert_int_equal(sec[11].number, 11);
    /* 512 KiB part: the first 8 sectors */
    assert_int_equal(stp_chip_sectors(c, 512, false, sec, 4096), 8);
    assert_int_equal(sec[7].addr, 0x08060000);
    /* no dual-bank mode on 0x413: the request is ignored */
    assert_int_equal(stp_chip_sectors(c, 1024, true, NULL, 0), 12);
    /* max limits what is written, not what is counted without out */
    assert_int_equal(stp_chip_sectors(c, 1024, false, sec, 3), 3);
    assert_int_equal(stp_chip_sectors(c, 0, false, sec, 4096), 0);
    assert_int_equal(stp_chip_sectors(NULL, 1024, false, sec, 4096), 0);
}

static void test_sectors_f429_banks(void **state)
{
    (void)state;
    const stp_chip *c = chip(0x419);
    assert_int_equal(stp_chip_sectors(c, 2048, false, sec, 4096), 24);
    assert_int_equal(sec[12].addr, 0x08100000);
    assert_int_equal(sec[12].number, 16); /* SNB of sector 12 */
    assert_int_equal(sec[12].bank, 1);
    assert_int_equal(sec[12].index, 12);
    assert_int_equal(sec[23].number, 27);
    /* 1 MiB single bank: sectors 0..11 */
    assert_int_equal(stp_chip_sectors(c, 1024, false, sec, 4096), 12);
    assert_int_equal(sec[11].bank, 0);
    /* 1 MiB with DB1M: two banks of 512 KiB */
    assert_int_equal(stp_chip_sectors(c, 1024, true, sec, 4096), 16);
    assert_int_equal(sec[7].addr, 0x08060000);
    assert_int_equal(sec[8].addr, 0x08080000);
    assert_int_equal(sec[8].number, 16);
    assert_int_equal(sec[8].bank, 1);
    assert_int_equal(sec[15].addr, 0x080E0000);
    /* 2 MiB devices are always dual bank: DB1M changes nothing */
    assert_int_equal(stp_chip_sectors(c, 2048, true, sec, 4096), 24);
    assert_int_equal(sec[12].addr, 0x08100000);
}

static void test_sectors_f767_modes(void **state)
{
    (void)state;
    const stp_chip *c = chip(0x451);
    assert_int_equal(stp_chip_sectors(c, 2048, false, sec, 4096), 12);
    assert_int_equal(sec[0].size, 32768);
    assert_int_equal(sec[4].addr, 0x08020000);
    assert_int_equal(sec[4].size, 131072);
    assert_int_equal(sec[5].addr, 0x08040000);
    assert_int_equal(sec[5].size, 262144);
    assert_int_equal(sec[11].addr, 0x081C0000);
    assert_int_equal(stp_chip_sectors(c, 2048, true, sec, 4096), 24);
    assert_int_equal(sec[0].size, 16384);
    assert_int_equal(sec[12].addr, 0x08100000);
    assert_int_equal(sec[12].number, 16);
    assert_int_equal(stp_chip_sectors(c, 1024, true, sec, 4096), 16);
    assert_int_equal(sec[8].addr, 0x08080000);
    assert_int_equal(stp_chip_sectors(c, 1024, false, sec, 4096), 8);
    assert_int_equal(sec[7].addr, 0x080C0000);
}

static void test_sectors_f1_and_l1(void **state)
{
    (void)state;
    assert_int_equal(stp_chip_sectors(chip(0x410), 64, false, sec, 4096), 64);
    assert_int_equal(sec[63].addr, 0x0800FC00);
    assert_int_equal(sec[63].size, 1024);
    assert_int_equal(stp_chip_sectors(chip(0x414), 512, false, sec, 4096), 256);
    assert_int_equal(sec[255].addr, 0x0807F800);
    /* XL density: bank 1 is 512 KiB, bank 2 holds the rest */
    assert_int_equal(stp_chip_sectors(chip(0x430), 768, false, sec, 4096), 384);
    assert_int_equal(sec[256].addr, 0x08080000);
    assert_int_equal(sec[256].bank, 1);
    assert_int_equal(sec[256].number, 256);
    assert_int_equal(chip(0x430)->flash_regs2, 0x40022040);
    /* L1: 256-byte pages */
    assert_int_equal(stp_chip_sectors(chip(0x429), 128, false, sec, 4096), 512);
    assert_int_equal(sec[511].addr, 0x0801FF00);
    assert_int_equal(stp_chip_sectors(chip(0x437), 512, false, NULL, 0), 2048);
    /* a size above the row's largest is clipped to it */
    assert_int_equal(stp_chip_sectors(chip(0x429), 4096, false, NULL, 0), 512);
}

/* The figures issue 3 makes the virtual board use. */
static void test_timings_for_virtual_board(void **state)
{
    (void)state;
    const stp_flash_timing *f4 = &chip(0x413)->timing;
    for (int p = 0; p < STP_PSIZE_COUNT; p++)
        assert_int_equal(f4->program_typ_ns[p], 16000);
    const stp_erase_timing *e16 = stp_chip_erase_timing(chip(0x413), 16384);
    const stp_erase_timing *e64 = stp_chip_erase_timing(chip(0x413), 65536);
    const stp_erase_timing *e128 = stp_chip_erase_timing(chip(0x413), 131072);
    assert_non_null(e16);
    assert_non_null(e64);
    assert_non_null(e128);
    assert_int_equal(e16->typ_ms[STP_PSIZE_X32], 250);
    assert_int_equal(e64->typ_ms[STP_PSIZE_X32], 550);
    assert_int_equal(e128->typ_ms[STP_PSIZE_X32], 1000);
    assert_int_equal(e16->typ_ms[STP_PSIZE_X16], 300);
    assert_int_equal(e64->typ_ms[STP_PSIZE_X16], 700);
    assert_int_equal(e128->typ_ms[STP_PSIZE_X16], 1300);
    assert_int_equal(e16->typ_ms[STP_PSIZE_X8], 400);
    assert_int_equal(e64->typ_ms[STP_PSIZE_X8], 1200);
    assert_int_equal(e128->typ_ms[STP_PSIZE_X8], 2000);
    assert_int_equal(f4->mass_erase_typ_ms[STP_PSIZE_X32], 8000);
    assert_int_equal(f4->mass_erase_typ_ms[STP_PSIZE_X16], 11000);
    assert_int_equal(f4->mass_erase_typ_ms[STP_PSIZE_X8], 16000);
    assert_int_equal(f4->psize_min_mv[STP_PSIZE_X8], 1700);
    assert_int_equal(chip(0x411)->timing.psize_min_mv[STP_PSIZE_X8], 1800);

    const stp_flash_timing *f1 = &chip(0x410)->timing;
    assert_int_equal(f1->program_typ_ns[STP_PSIZE_X16], 52500);
    assert_int_equal(stp_chip_erase_timing(chip(0x410), 1024)->typ_ms[STP_PSIZE_X16], 20);
    assert_int_equal(f1->mass_erase_typ_ms[STP_PSIZE_X16], 20);

    const stp_flash_timing *l1 = &chip(0x429)->timing;
    assert_int_equal(l1->program_typ_ns[STP_PSIZE_X32], 3280000);
    assert_int_equal(l1->block_program_typ_ns, 3280000);
    assert_int_equal(stp_chip_erase_timing(chip(0x429), 256)->typ_us[STP_PSIZE_X32], 3280);

    const stp_chip *f7 = chip(0x451);
    assert_int_equal(stp_chip_erase_timing(f7, 32768)->typ_ms[STP_PSIZE_X32], 250);
    assert_int_equal(stp_chip_erase_timing(f7, 131072)->typ_ms[STP_PSIZE_X32], 1000);
    assert_int_equal(stp_chip_erase_timing(f7, 262144)->typ_ms[STP_PSIZE_X32], 2000);
    assert_null(stp_chip_erase_timing(f7, 4096));
    assert_int_equal(chip(0x413)->reset_clock_hz, 16000000);
    assert_int_equal(chip(0x410)->reset_clock_hz, 8000000);
    assert_int_equal(chip(0x429)->reset_clock_hz, 2097000);
}

static void test_sector_at_and_psize(void **state)
{
    (void)state;
    stp_sector s;
    assert_true(stp_chip_sector_at(chip(0x413), 1024, false, 0x08012345, &s));
    assert_int_equal(s.index, 4);
    assert_int_equal(s.addr, 0x08010000);
    assert_int_equal(s.size, 65536);
    assert_false(stp_chip_sector_at(chip(0x413), 512, false, 0x08080000, &s));
    assert_true(stp_chip_sector_at(chip(0x413), 1024, false, 0x080FFFFF, &s));
    assert_int_equal(s.index, 11);
    assert_true(stp_chip_sector_at(chip(0x419), 1024, true, 0x08080000, &s));
    assert_int_equal(s.number, 16);
    assert_int_equal(s.bank, 1);
    assert_false(stp_chip_sector_at(chip(0x413), 1024, false, 0x1FFF0000, &s));
    assert_false(stp_chip_sector_at(NULL, 1024, false, 0x08000000, &s));

    const stp_chip *f4 = chip(0x413);
    assert_int_equal(stp_chip_psize_for_mv(f4, 3300), STP_PSIZE_X32);
    assert_int_equal(stp_chip_psize_for_mv(f4, 2700), STP_PSIZE_X32);
    assert_int_equal(stp_chip_psize_for_mv(f4, 2600), STP_PSIZE_X16);
    assert_int_equal(stp_chip_psize_for_mv(f4, 2100), STP_PSIZE_X16);
    assert_int_equal(stp_chip_psize_for_mv(f4, 1800), STP_PSIZE_X8);
    assert_int_equal(stp_chip_psize_for_mv(f4, 520), STP_PSIZE_COUNT); /* seed 002 */
    assert_int_equal(stp_chip_psize_for_mv(chip(0x411), 1750), STP_PSIZE_COUNT);
    assert_int_equal(stp_chip_psize_for_mv(chip(0x410), 3300), STP_PSIZE_X16);
    assert_int_equal(stp_chip_psize_for_mv(chip(0x429), 3300), STP_PSIZE_X32);
}

static void test_parts(void **state)
{
    (void)state;
    static const char *const required[] = {
        "stm32f103c8", "stm32f103ze", "stm32f407vg", "stm32f411re", "stm32f429zi",
        "stm32f767zi", "stm32l151cb", "stm32l152re", "stm32f103rb", "stm32f401re",
        "stm32f446re", "stm32f746zg", "stm32f405rg", "stm32l152rb"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        assert_non_null(stp_part_by_name(required[i]));
    assert_int_equal(stp_part_by_name("stm32l151cb")->dev_id, 0x429);
    assert_int_equal(stp_part_by_name("stm32l151cb")->flash_kb, 128);
    assert_int_equal(stp_part_by_name("stm32l152re")->dev_id, 0x437);
    assert_int_equal(stp_part_by_name("stm32l152re")->flash_kb, 512);
    assert_int_equal(stp_part_by_name("STM32F407VG")->dev_id, 0x413);
    assert_null(stp_part_by_name("stm32f407"));
    assert_null(stp_part_by_name("stm32f407vgx"));
    assert_null(stp_part_by_name(""));
    assert_null(stp_part_by_name(NULL));
    assert_null(stp_part_at(stp_part_count()));

    for (size_t i = 0; i < stp_part_count(); i++) {
        const stp_part *p = stp_part_at(i);
        const stp_chip *c = stp_part_chip(p);
        assert_non_null(c);
        assert_true(strncmp(p->name, "stm32", 5) == 0);
        for (const char *s = p->name; *s; s++)
            assert_false(*s >= 'A' && *s <= 'Z');
        assert_true(stp_chip_size_allowed(c, p->flash_kb));
        assert_true((uint32_t)p->sram_kb * 1024u >= c->sram_size);
        assert_true(p->rev_id != 0);
        if (p->dual_bank)
            assert_true(c->layout_dual.bank_count > 0);
        for (size_t j = i + 1; j < stp_part_count(); j++)
            assert_string_not_equal(p->name, stp_part_at(j)->name);
    }
}

static void test_layout_format(void **state)
{
    (void)state;
    char buf[128];
    assert_int_equal(stp_layout_format(&chip(0x413)->layout, buf, sizeof buf), 18);
    assert_string_equal(buf, "4x16K,1x64K,7x128K");
    stp_layout_format(&chip(0x451)->layout_dual, buf, sizeof buf);
    assert_string_equal(buf, "4x16K,1x64K,7x128K | 4x16K,1x64K,7x128K");
    stp_layout_format(&chip(0x429)->layout, buf, sizeof buf);
    assert_string_equal(buf, "512x256");
    /* truncation keeps the string terminated and reports the full length */
    char small[6];
    assert_int_equal(stp_layout_format(&chip(0x413)->layout, small, sizeof small), 18);
    assert_string_equal(small, "4x16K");
    assert_int_equal(stp_layout_format(&chip(0x413)->layout, NULL, 0), 18);
    assert_int_equal(stp_layout_format(&chip(0x413)->layout_dual, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(stp_core_name(STP_CORE_M4), "Cortex-M4F");
    assert_string_equal(stp_core_name(STP_CORE_M3), "Cortex-M3");
    assert_string_equal(stp_core_name((stp_core_kind)99), "unknown");
    assert_string_equal(stp_flash_kind_name(STP_FLASH_F2F4), "f2f4");
    assert_string_equal(stp_flash_kind_name((stp_flash_kind)99), "unknown");
    assert_string_equal(stp_psize_name(STP_PSIZE_X64), "x64");
    assert_string_equal(stp_psize_name(STP_PSIZE_COUNT), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_identify_rev_a_erratum),
        cmocka_unit_test(test_decode_flash_size),
        cmocka_unit_test(test_sectors_f407),
        cmocka_unit_test(test_sectors_f429_banks),
        cmocka_unit_test(test_sectors_f767_modes),
        cmocka_unit_test(test_sectors_f1_and_l1),
        cmocka_unit_test(test_timings_for_virtual_board),
        cmocka_unit_test(test_sector_at_and_psize),
        cmocka_unit_test(test_parts),
        cmocka_unit_test(test_layout_format),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
