/* Unit tests of the program planner: each test asserts a whole plan (sectors with their
 * actions and byte counts, program ranges, restore ranges, totals) or a refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "stprog/plan.h"

#define KB   1024u
#define BASE 0x08000000u

/* F4 (RM0090) 1 MiB layout: 4x16K, 1x64K, 7x128K. */
static size_t f4_regions(stp_flash_region *r)
{
    size_t n = 0;
    uint32_t a = BASE;
    for (int i = 0; i < 12; i++) {
        uint32_t sz = i < 4 ? 16 * KB : (i == 4 ? 64 * KB : 128 * KB);
        r[n] = (stp_flash_region){.addr = a, .size = sz, .number = (uint16_t)i};
        a += sz;
        n++;
    }
    return n;
}

/* F1 medium density: 64 pages of 1 KiB. */
static size_t f1_regions(stp_flash_region *r)
{
    for (int i = 0; i < 64; i++)
        r[i] =
            (stp_flash_region){.addr = BASE + (uint32_t)i * KB, .size = KB, .number = (uint16_t)i};
    return 64;
}

typedef struct want_sector {
    uint16_t number;
    stp_plan_action action;
    uint32_t image, restore, program;
} want_sector;

static void assert_plan(const stp_plan *p, const want_sector *ws, size_t nws,
                        const stp_plan_range *prog, size_t nprog, const stp_plan_range *rest,
                        size_t nrest)
{
    assert_int_equal(p->sector_count, nws);
    for (size_t i = 0; i < nws; i++) {
        assert_int_equal(p->sectors[i].number, ws[i].number);
        assert_int_equal(p->sectors[i].action, ws[i].action);
        assert_int_equal(p->sectors[i].image_bytes, ws[i].image);
        assert_int_equal(p->sectors[i].restore_bytes, ws[i].restore);
        assert_int_equal(p->sectors[i].program_bytes, ws[i].program);
    }
    assert_int_equal(p->program_count, nprog);
    for (size_t i = 0; i < nprog; i++) {
        assert_int_equal(p->program[i].addr, prog[i].addr);
        assert_int_equal(p->program[i].len, prog[i].len);
    }
    assert_int_equal(p->restore_count, nrest);
    for (size_t i = 0; i < nrest; i++) {
        assert_int_equal(p->restore[i].addr, rest[i].addr);
        assert_int_equal(p->restore[i].len, rest[i].len);
    }
}

static uint8_t *filled(size_t n, uint8_t v)
{
    uint8_t *b = malloc(n);
    assert_non_null(b);
    memset(b, v, n);
    return b;
}

/* F4: an image over sector 0, part of sector 1 and a little of sector 5; current contents
 * unknown, so every uncovered byte of a touched sector is read back and restored. */
static void test_f4_mixed_sectors_unknown_contents(void **state)
{
    (void)state;
    stp_flash_region regs[12];
    size_t nr = f4_regions(regs);
    uint8_t *a = filled(20000, 0x11), *b = filled(100, 0x22);
    stp_segment segs[2] = {{BASE, 20000, a}, {BASE + 0x20000, 100, b}};
    stp_plan_input in = {.segments = segs,
                         .segment_count = 2,
                         .regions = regs,
                         .region_count = nr,
                         .program_unit = 4,
                         .erased_byte = 0xFF};
    stp_plan *p = NULL;
    stp_findings f = {0};
    assert_int_equal(stp_plan_build(&in, &p, &f), STP_OK);
    assert_int_equal(f.count, 0);
    const want_sector ws[] = {
        {0, STP_PLAN_ERASE, 16384, 0, 16384},
        {1, STP_PLAN_ERASE, 3616, 12768, 16384},
        {5, STP_PLAN_ERASE, 100, 131072 - 100, 131072},
    };
    const stp_plan_range prog[] = {{BASE, 32768}, {BASE + 0x20000, 131072}};
    const stp_plan_range rest[] = {{BASE + 20000, 12768}, {BASE + 0x20000 + 100, 131072 - 100}};
    assert_plan(p, ws, 3, prog, 2, rest, 2);
    assert_true(p->restore_needs_read);
    assert_int_equal(p->erase_count, 3);
    assert_int_equal(p->erase_bytes, 2 * 16384 + 131072);
    assert_int_equal(p->image_bytes, 20100);
    assert_int_equal(p->restore_bytes, 12768 + 131072 - 100);
    assert_int_equal(p->program_bytes, 32768 + 131072);
    assert_int_equal(p->skip_count, 0);
    stp_plan_free(p);
    free(a);
    free(b);
}

/* F4 with current contents: sector 0 already holds the image (skipped), sector 1 is
 * blank under the image (programmed without erase), sector 2 differs and has old data
 * around the image that must survive: erased, and only the non-blank old bytes restored. */
static void test_f4_skip_program_only_and_restore(void **state)
{
    (void)state;
    stp_flash_region regs[12];
    size_t nr = f4_regions(regs);
    uint8_t *img = filled(3 * 16384, 0xA5);
    /* image covers all of sector 0, all of 1, and [0x100, 0x200) of sector 2 */
    stp_segment segs[2] = {{BASE, 2 * 16384, img}, {BASE + 0x8000 + 0x100, 0x100, img}};
    const uint8_t *cur[12] = {0};
    uint8_t *s0 = filled(16384, 0xA5);
    uint8_t *s1 = filled(16384, 0xFF);
    uint8_t *s2 = filled(16384, 0xFF);
    memset(s2 + 0x40, 0x00, 0x10);  /* old data before the image */
    memset(s2 + 0x180, 0x33, 0x10); /* old data under the image */
    memset(s2 + 0x3000, 0x44, 0x2); /* old data after the image */
    cur[0] = s0;
    cur[1] = s1;
    cur[2] = s2;
    stp_plan_input in = {.segments = segs,
                         .segment_count = 2,
                         .regions = regs,
                         .region_count = nr,
                         .current = cur,
                         .program_unit = 4,
                         .erased_byte = 0xFF};
    stp_plan *p = NULL;
    assert_int_equal(stp_plan_build(&in, &p, NULL), STP_OK);
    const want_sector ws[] = {
        {0, STP_PLAN_SKIP, 16384, 0, 0},
        {1, STP_PLAN_PROGRAM_ONLY, 16384, 0, 16384},
        {2, STP_PLAN_ERASE, 0x100, 0x10 + 0x2, 0x10 + 0x100 + 0x4},
    };
    /* sector 2 programs the kept old bytes at 0x40, the image at 0x100 and the kept
     * half-word at 0x3000 widened to a word */
    const stp_plan_range prog[] = {{BASE + 0x4000, 16384},
                                   {BASE + 0x8000 + 0x40, 0x10},
                                   {BASE + 0x8000 + 0x100, 0x100},
                                   {BASE + 0x8000 + 0x3000, 4}};
    const stp_plan_range rest[] = {{BASE + 0x8000 + 0x40, 0x10}, {BASE + 0x8000 + 0x3000, 2}};
    assert_plan(p, ws, 3, prog, 4, rest, 2);
    assert_false(p->restore_needs_read);
    assert_int_equal(p->skip_count, 1);
    assert_int_equal(p->skip_bytes, 16384);
    assert_int_equal(p->program_only_count, 1);
    assert_int_equal(p->erase_count, 1);
    assert_int_equal(p->erase_bytes, 16384);
    stp_plan_free(p);
    free(img);
    free(s0);
    free(s1);
    free(s2);
}

/* F1 pages with half-word programming: an odd-aligned 3-byte write onto blank flash is
 * widened to two half-words and needs no erase; onto old data it erases the one page and
 * keeps the page's other bytes. */
static void test_f1_pages_partial_write(void **state)
{
    (void)state;
    stp_flash_region regs[64];
    size_t nr = f1_regions(regs);
    const uint8_t data[3] = {1, 2, 3};
    stp_segment seg = {BASE + 0x401, 3, data};
    const uint8_t *cur[64] = {0};
    uint8_t *page = filled(KB, 0xFF);
    cur[1] = page;
    stp_plan_input in = {.segments = &seg,
                         .segment_count = 1,
                         .regions = regs,
                         .region_count = nr,
                         .current = cur,
                         .program_unit = 2,
                         .erased_byte = 0xFF};
    stp_plan *p = NULL;
    assert_int_equal(stp_plan_build(&in, &p, NULL), STP_OK);
    const want_sector ws1[] = {{1, STP_PLAN_PROGRAM_ONLY, 3, 0, 4}};
    assert_plan(p, ws1, 1, (const stp_plan_range[]){{BASE + 0x400, 4}}, 1, NULL, 0);
    stp_plan_free(p);

    /* Old firmware in the page: bytes 0x000..0x0FF and 0x300 must be kept. The kept span
     * after the image runs from 0x404 to the last non-blank byte (0x300) inclusive. */
    memset(page, 0x5A, 0x100);
    page[0x300] = 0x00;
    assert_int_equal(stp_plan_build(&in, &p, NULL), STP_OK);
    const want_sector ws2[] = {{1, STP_PLAN_ERASE, 3, 1 + 0x2FD, 0x302}};
    assert_plan(p, ws2, 1, (const stp_plan_range[]){{BASE + 0x400, 0x302}}, 1,
                (const stp_plan_range[]){{BASE + 0x400, 1}, {BASE + 0x404, 0x2FD}}, 2);
    stp_plan_free(p);
    free(page);
}

/* L1 erases to 0x00: blank detection must use the family's erased value. */
static void test_l1_erased_zero(void **state)
{
    (void)state;
    stp_flash_region regs[4];
    for (int i = 0; i < 4; i++)
        regs[i] = (stp_flash_region){
            .addr = BASE + (uint32_t)i * 256, .size = 256, .number = (uint16_t)i};
    uint8_t img[300];
    memset(img, 0x77, sizeof(img));
    stp_segment seg = {BASE, sizeof(img), img};
    uint8_t *zero = filled(256, 0x00), *ff = filled(256, 0xFF);
    const uint8_t *cur[4] = {zero, ff, NULL, NULL};
    stp_plan_input in = {.segments = &seg,
                         .segment_count = 1,
                         .regions = regs,
                         .region_count = 4,
                         .current = cur,
                         .program_unit = 4,
                         .erased_byte = 0x00};
    stp_plan *p = NULL;
    assert_int_equal(stp_plan_build(&in, &p, NULL), STP_OK);
    /* page 0 blank (0x00): program only; page 1 holds 0xFF (not blank on L1): erase, and
     * its 212 uncovered 0xFF bytes are kept */
    const want_sector ws[] = {{0, STP_PLAN_PROGRAM_ONLY, 256, 0, 256},
                              {1, STP_PLAN_ERASE, 44, 212, 256}};
    assert_plan(p, ws, 2, (const stp_plan_range[]){{BASE, 512}}, 1,
                (const stp_plan_range[]){{BASE + 256 + 44, 212}}, 1);
    stp_plan_free(p);
    free(zero);
    free(ff);
}

/* Bytes beyond the end of flash: refused, nothing planned, the finding names the first
 * address outside and how many bytes are outside. */
static void test_refuse_outside_flash(void **state)
{
    (void)state;
    stp_flash_region regs[64];
    size_t nr = f1_regions(regs); /* 64 KiB: ends at 0x08010000 */
    uint8_t *img = filled(0x200, 0);
    stp_segment segs[2] = {{BASE, 0x10, img}, {BASE + 0x10000 - 0x100, 0x200, img}};
    stp_plan_input in = {.segments = segs,
                         .segment_count = 2,
                         .regions = regs,
                         .region_count = nr,
                         .program_unit = 2,
                         .erased_byte = 0xFF};
    stp_plan *p = (stp_plan *)&in; /* must be reset to NULL */
    stp_findings f = {0};
    assert_int_equal(stp_plan_build(&in, &p, &f), STP_ERR_RANGE);
    assert_null(p);
    const stp_finding *fd = stp_findings_find(&f, "plan.outside-flash");
    assert_non_null(fd);
    assert_int_equal(fd->severity, STP_SEV_ERROR);
    assert_string_equal(fd->evidence[0].value, "0x08010000");
    assert_string_equal(fd->evidence[1].value, "256");
    assert_string_equal(fd->evidence[2].value, "0x08000000-0x0800FFFF");
    stp_findings_free(&f);

    /* Entirely below flash (SRAM address) */
    stp_segment ram = {0x20000000, 4, img};
    in.segments = &ram;
    in.segment_count = 1;
    assert_int_equal(stp_plan_build(&in, &p, &f), STP_ERR_RANGE);
    assert_string_equal(f.items[0].evidence[0].value, "0x20000000");
    stp_findings_free(&f);
    free(img);
}

/* A write touching a write-protected sector is refused as a whole, naming that sector
 * (and only that one). */
static void test_refuse_write_protected(void **state)
{
    (void)state;
    stp_flash_region regs[12];
    size_t nr = f4_regions(regs);
    regs[2].protected_ = true;
    regs[7].protected_ = true; /* not touched: must not be reported */
    uint8_t *img = filled(0x9000, 0x12);
    stp_segment seg = {BASE + 0x4000, 0x9000, img}; /* sectors 1, 2, 3 */
    stp_plan_input in = {.segments = &seg,
                         .segment_count = 1,
                         .regions = regs,
                         .region_count = nr,
                         .program_unit = 4,
                         .erased_byte = 0xFF};
    stp_plan *p = NULL;
    stp_findings f = {0};
    assert_int_equal(stp_plan_build(&in, &p, &f), STP_ERR_PROTECTED);
    assert_null(p);
    assert_int_equal(f.count, 1);
    assert_string_equal(f.items[0].id, "plan.write-protected");
    assert_string_equal(f.items[0].evidence[0].value, "2");
    assert_string_equal(f.items[0].evidence[2].value, "0x08008000");
    stp_findings_free(&f);
    free(img);
}

/* CRCs instead of contents: a fully covered sector whose CRC matches is skipped; one whose
 * CRC differs, or that the image covers only in part, is erased (and its other bytes read
 * back first). */
static void test_skip_by_crc(void **state)
{
    (void)state;
    stp_flash_region regs[12];
    size_t nr = f4_regions(regs);
    uint8_t *img = filled(3 * 16384, 0x5C);
    stp_segment seg = {BASE, 2 * 16384 + 100, img};
    stp_region_crc crcs[12] = {{0}};
    crcs[0] = (stp_region_crc){true, stp_crc32(0, img, 16384)};
    crcs[1] = (stp_region_crc){true, stp_crc32(0, img, 16384) ^ 1u};
    crcs[2] = (stp_region_crc){true, stp_crc32(0, img, 16384)};
    stp_plan_input in = {.segments = &seg,
                         .segment_count = 1,
                         .regions = regs,
                         .region_count = nr,
                         .current_crc = crcs,
                         .program_unit = 4,
                         .erased_byte = 0xFF};
    stp_plan *p = NULL;
    assert_int_equal(stp_plan_build(&in, &p, NULL), STP_OK);
    const want_sector ws[] = {
        {0, STP_PLAN_SKIP, 16384, 0, 0},
        {1, STP_PLAN_ERASE, 16384, 0, 16384},
        {2, STP_PLAN_ERASE, 100, 16384 - 100, 16384},
    };
    assert_plan(p, ws, 3, (const stp_plan_range[]){{BASE + 16384, 2 * 16384}}, 1,
                (const stp_plan_range[]){{BASE + 2 * 16384 + 100, 16384 - 100}}, 1);
    assert_true(p->restore_needs_read);
    assert_int_equal(p->skip_count, 1);
    stp_plan_free(p);
    free(img);
}

/* An empty image plans nothing; a bad program unit is an invalid argument. */
static void test_empty_and_bad_args(void **state)
{
    (void)state;
    stp_flash_region regs[12];
    size_t nr = f4_regions(regs);
    stp_plan_input in = {
        .regions = regs, .region_count = nr, .program_unit = 4, .erased_byte = 0xFF};
    stp_plan *p = NULL;
    assert_int_equal(stp_plan_build(&in, &p, NULL), STP_OK);
    assert_int_equal(p->sector_count, 0);
    assert_int_equal(p->program_count, 0);
    assert_int_equal(p->erase_count, 0);
    stp_plan_free(p);
    in.program_unit = 3;
    assert_int_equal(stp_plan_build(&in, &p, NULL), STP_ERR_INVALID_ARG);
    assert_string_equal(stp_plan_action_name(STP_PLAN_SKIP), "skip");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f4_mixed_sectors_unknown_contents),
        cmocka_unit_test(test_f4_skip_program_only_and_restore),
        cmocka_unit_test(test_f1_pages_partial_write),
        cmocka_unit_test(test_l1_erased_zero),
        cmocka_unit_test(test_refuse_outside_flash),
        cmocka_unit_test(test_refuse_write_protected),
        cmocka_unit_test(test_skip_by_crc),
        cmocka_unit_test(test_empty_and_bad_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
