/* Unit tests of the modelled time of a plan (write --dry-run) and of the datasheet bound:
 * the flash part from typical F4 numbers (RM0090/DS8626: 16 KiB sector 250 ms, 64 KiB
 * 550 ms, 128 KiB 1 s at x32; 16 us per word), the link part's shape (overlap with the
 * loader, serial without it, left out for an unknown link). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stprog/plan.h"

#define KB   1024u
#define BASE 0x08000000u

static size_t f4_regions(stp_flash_region *r)
{
    uint32_t a = BASE;
    for (int i = 0; i < 12; i++) {
        uint32_t sz = i < 4 ? 16 * KB : (i == 4 ? 64 * KB : 128 * KB);
        r[i] = (stp_flash_region){.addr = a, .size = sz, .number = (uint16_t)i};
        a += sz;
    }
    return 12;
}

/* The ST-Link driver's link models (probe/stlink.c): full speed V2, high speed V3. */
static const stp_link_model link_v2 = {"ST-Link V2", 0.0005, 1e-6, 48.0, 1024.0, 4.0, 4.0};
static const stp_link_model link_v3 = {"ST-Link V3", 0.000125, 1.0 / 30e6, 48.0, 1024.0, 4.0, 4.0};

static stp_plan_cost_model f4_model(unsigned version, unsigned khz, bool loader)
{
    stp_plan_cost_model m = {
        .program_op_bytes = 4,
        .program_op_ns = 16000,
        .erase = {{16 * KB, 250000}, {64 * KB, 550000}, {128 * KB, 1000000}},
        .erase_count = 3,
        .core_hz = 16000000,
        .link_known = version != 0,
        .link = version >= 3 ? link_v3 : link_v2,
        .swd_khz = khz,
        .loader = loader,
        .direct_chunk = 64,
        .verify = true,
    };
    return m;
}

/* A plan for `kib` KiB of 0x5A from the flash base; with same, the current contents are
 * that image already (every sector skipped). */
static stp_plan *plan_for(uint32_t kib, bool same)
{
    static stp_flash_region regs[12];
    size_t nr = f4_regions(regs);
    uint8_t *img = malloc(kib * KB);
    assert_non_null(img);
    memset(img, 0x5A, kib * KB);
    stp_segment seg = {BASE, kib * KB, img};
    const uint8_t *cur[12] = {0};
    for (size_t i = 0; same && i < nr; i++)
        if (regs[i].addr - BASE < kib * KB)
            cur[i] = img + (regs[i].addr - BASE);
    stp_plan_input in = {.segments = &seg,
                         .segment_count = 1,
                         .regions = regs,
                         .region_count = nr,
                         .current = same ? cur : NULL,
                         .program_unit = 4,
                         .erased_byte = 0xFF};
    stp_plan *p = NULL;
    assert_int_equal(stp_plan_build(&in, &p, NULL), STP_OK);
    free(img);
    return p;
}

/* Fresh 1 MiB on an F407: 4x250 ms + 550 ms + 7x1 s of erase, 262144 words x 16 us. */
static void test_f4_1mib_fresh_flash_part(void **state)
{
    (void)state;
    stp_plan *p = plan_for(1024, false);
    stp_plan_cost_model m = f4_model(2, 4000, true);
    stp_plan_estimate e;
    stp_plan_estimate_time(p, &m, &e);
    assert_true(fabs(e.erase_s - 8.55) < 1e-9);
    assert_true(fabs(e.program_s - 4.194304) < 1e-9);
    assert_true(fabs(stp_plan_flash_bound_s(p, &m) - 12.744304) < 1e-9);
    assert_true(e.link_modelled);
    /* V2 at 4 MHz: 1 MiB over full-speed USB (about 1 s) plus 262144 SWD words of 48
     * cycles (3.1 s) plus exchange latency (1 KiB pieces of four USB transfers and about one
     * more per KiB for the ring: 2.6 s): more than the flash needs to program it. */
    assert_true(e.transfer_s > 6.4 && e.transfer_s < 7.2);
    assert_true(e.verify_s > 0.0 && e.verify_s < 0.2);
    /* With the loader the link streams while the flash erases and programs: the phase is
     * the slower of the two, here the flash. */
    assert_true(e.transfer_s < e.erase_s + e.program_s);
    /* ... plus the loader's own cycles (20 per word at 16 MHz: 0.33 s) and one 8 KiB
     * buffer of the link's time to fill the ring (0.05 s). */
    double extra = e.total_s - (e.overhead_s + e.erase_s + e.program_s + e.verify_s);
    assert_true(extra > 0.3 && extra < 0.45);
    /* A link slower than the flash sets the pace instead (V2 at 480 kHz). */
    stp_plan_cost_model slow = f4_model(2, 480, true);
    stp_plan_estimate es;
    stp_plan_estimate_time(p, &slow, &es);
    assert_true(es.transfer_s > es.erase_s + es.program_s);
    /* plus one buffer of flash time for the ring to drain */
    double drain = es.total_s - (es.overhead_s + es.transfer_s + es.verify_s);
    assert_true(drain > 0.0 && drain < 0.2);
    stp_plan_free(p);
}

/* V3 at 24 MHz: the link is faster than the flash, which then sets the pace. */
static void test_v3_hides_transfer(void **state)
{
    (void)state;
    stp_plan *p = plan_for(1024, false);
    stp_plan_cost_model m = f4_model(3, 24000, true);
    stp_plan_estimate e;
    stp_plan_estimate_time(p, &m, &e);
    assert_true(e.transfer_s < e.program_s);
    double extra = e.total_s - (e.overhead_s + e.erase_s + e.program_s + e.verify_s);
    assert_true(extra > 0.3 && extra < 0.45);
    assert_true(e.total_s < 1.05 * stp_plan_flash_bound_s(p, &m));
    stp_plan_free(p);
}

/* Without the loader link and flash add up and verify reads every byte back. */
static void test_direct_writes_add_up(void **state)
{
    (void)state;
    stp_plan *p = plan_for(512, false);
    stp_plan_cost_model ml = f4_model(2, 4000, true), md = f4_model(2, 4000, false);
    stp_plan_estimate el, ed;
    stp_plan_estimate_time(p, &ml, &el);
    stp_plan_estimate_time(p, &md, &ed);
    assert_true(fabs(ed.total_s - (ed.overhead_s + ed.erase_s + ed.program_s + ed.transfer_s +
                                   ed.verify_s)) < 1e-9);
    assert_true(ed.verify_s > 10 * el.verify_s);
    assert_true(ed.total_s > el.total_s + 2.0);
    stp_plan_free(p);
}

/* F1 medium density, the whole 64 KiB: 64 pages of 1 KiB erase in 20 ms each, or with one
 * 20 ms mass erase where the engine prefers it; the bound stays per page. */
static void test_mass_erase_when_whole_flash(void **state)
{
    (void)state;
    stp_flash_region regs[64];
    for (int i = 0; i < 64; i++)
        regs[i] =
            (stp_flash_region){.addr = BASE + (uint32_t)i * KB, .size = KB, .number = (uint16_t)i};
    uint8_t *img = malloc(64 * KB);
    assert_non_null(img);
    memset(img, 0x5A, 64 * KB);
    stp_segment seg = {BASE, 64 * KB, img};
    stp_plan_input in = {.segments = &seg,
                         .segment_count = 1,
                         .regions = regs,
                         .region_count = 64,
                         .program_unit = 2,
                         .erased_byte = 0xFF};
    stp_plan *p = NULL;
    assert_int_equal(stp_plan_build(&in, &p, NULL), STP_OK);
    stp_plan_cost_model m = {.program_op_bytes = 2,
                             .program_op_ns = 52500,
                             .erase = {{KB, 20000}},
                             .erase_count = 1,
                             .sector_total = 64};
    stp_plan_estimate e;
    stp_plan_estimate_time(p, &m, &e);
    assert_true(fabs(e.erase_s - 1.28) < 1e-9);
    m.mass_erase_us = 20000;
    stp_plan_estimate_time(p, &m, &e);
    assert_true(fabs(e.erase_s - 0.02) < 1e-9);
    assert_true(fabs(e.program_s - 32768 * 52.5e-6) < 1e-9);
    assert_true(fabs(stp_plan_flash_bound_s(p, &m) - (1.28 + 32768 * 52.5e-6)) < 1e-9);
    /* Not every page erased: page by page. */
    m.sector_total = 128;
    stp_plan_estimate_time(p, &m, &e);
    assert_true(fabs(e.erase_s - 1.28) < 1e-9);
    stp_plan_free(p);
    free(img);
}

/* Re-writing what the flash holds: nothing to erase or program, only the CRC pass. */
static void test_identical_image_costs_the_crc_pass(void **state)
{
    (void)state;
    stp_plan *p = plan_for(1024, true);
    assert_int_equal(p->skip_count, 12);
    stp_plan_cost_model m = f4_model(2, 4000, true);
    stp_plan_estimate e;
    stp_plan_estimate_time(p, &m, &e);
    assert_true(e.erase_s == 0.0 && e.program_s == 0.0 && e.transfer_s == 0.0);
    assert_true(e.total_s > 0.0 && e.total_s < 0.5);
    assert_true(stp_plan_flash_bound_s(p, &m) == 0.0);
    stp_plan_free(p);
}

/* A link the model does not know (ROM bootloader): flash time only, and said so. */
static void test_unknown_link_is_flash_only(void **state)
{
    (void)state;
    stp_plan *p = plan_for(128, false);
    stp_plan_cost_model m = f4_model(0, 0, false);
    stp_plan_estimate e;
    stp_plan_estimate_time(p, &m, &e);
    assert_false(e.link_modelled);
    /* 128 KiB = sectors 0..4: 4x250 ms + 550 ms of erase, 32768 words x 16 us. */
    assert_true(fabs(e.erase_s - 1.55) < 1e-9);
    assert_true(fabs(e.total_s - (1.55 + 32768 * 16e-6)) < 1e-9);
    stp_plan_free(p);
}

/* L1: half-page operations of 128 B at 3.28 ms; a missing size class costs nothing. */
static void test_half_page_units(void **state)
{
    (void)state;
    stp_plan *p = plan_for(16, false);
    stp_plan_cost_model m = f4_model(0, 0, false);
    m.program_op_bytes = 128;
    m.program_op_ns = 3280000;
    m.erase_count = 0;
    stp_plan_estimate e;
    stp_plan_estimate_time(p, &m, &e);
    assert_true(fabs(e.program_s - 128 * 3.28e-3) < 1e-9);
    assert_true(e.erase_s == 0.0);
    stp_plan_estimate_time(NULL, &m, &e);
    assert_true(e.total_s == 0.0);
    stp_plan_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f4_1mib_fresh_flash_part),
        cmocka_unit_test(test_v3_hides_transfer),
        cmocka_unit_test(test_direct_writes_add_up),
        cmocka_unit_test(test_identical_image_costs_the_crc_pass),
        cmocka_unit_test(test_mass_erase_when_whole_flash),
        cmocka_unit_test(test_unknown_link_is_flash_only),
        cmocka_unit_test(test_half_page_units),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
