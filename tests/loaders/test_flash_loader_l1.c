/* The SRAM flash loader on the virtual STM32L151CB (core on Unicorn, flash timed on the
 * virtual clock): whole half-pages go through the loader in FPRG+PROG bursts (one 3.28 ms
 * operation per 128 bytes), the partial half-pages at both ends of a range by word writes;
 * page erases go through the loader's ring too, many pages to one entry; a write-protected
 * sector fails with the direct path's finding plus the failing address. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../target/sim_debug.h"
#include "target/flash.h"

#define L1_PECR      0x40023C04u
#define L1_SR        0x40023C18u
#define L1_SR_ERRORS 0x3F00u
#define HALF_PAGE_NS 3280000ull /* DS6876 / chipdb: half-page program time, typical */

typedef struct l1fx {
    sim_debug *sd;
    stp_flash flash;
    stp_sector pages[512];
} l1fx;

static void open_l1(l1fx *x, const char *spec)
{
    x->sd = sim_debug_open(spec);
    assert_non_null(x->sd);
    assert_int_equal(stp_flash_init(&x->flash, &x->sd->base, sim_board_chip(x->sd->board), 128,
                                    false, STP_PSIZE_X32),
                     STP_OK);
    assert_int_equal(stp_chip_sectors(sim_board_chip(x->sd->board), 128, false, x->pages, 512),
                     512);
}

static void fill(uint8_t *b, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        b[i] = (uint8_t)(seed >> 16) | 1u; /* no all-zero (blank) word */
    }
}

static const char *evidence(const stp_finding *f, const char *key)
{
    for (size_t i = 0; f != NULL && i < f->evidence_count; i++)
        if (strcmp(f->evidence[i].key, key) == 0)
            return f->evidence[i].value;
    return NULL;
}

/* 16 KiB, half-page aligned: 128 half-page operations by the loader, no word writes, within
 * 15% of 128 x 3.28 ms (this adapter has no USB cost; tests/e2e_write/test_l1_halfpage.sh
 * measures through the ST-Link model). */
static void l1_loader_programs_half_pages(void **state)
{
    (void)state;
    l1fx x;
    open_l1(&x, "sim:stm32l151cb");
    enum { N = 16384 };
    uint8_t *img = malloc(N), *back = malloc(N);
    fill(img, N, 5);
    sim_stats *s = sim_board_stats(x.sd->board);
    uint64_t programs = s->flash_programs, instr = s->core_instructions;
    uint64_t t0 = sim_clock_ns(x.sd->board);
    stp_findings f = {0};
    assert_int_equal(stp_flash_program(&x.flash, 0x08004000u, img, N, NULL, NULL, 0, &f), STP_OK);
    uint64_t ns = sim_clock_ns(x.sd->board) - t0;
    assert_int_equal(f.count, 0);
    assert_int_equal(s->flash_programs - programs, N / 128);
    assert_true(s->core_instructions > instr); /* the loader ran */
    print_message("16 KiB: %llu us, bound %llu us\n", (unsigned long long)(ns / 1000),
                  (unsigned long long)(N / 128 * HALF_PAGE_NS / 1000));
    assert_true(ns >= N / 128 * HALF_PAGE_NS);
    assert_true(ns * 100 < N / 128 * HALF_PAGE_NS * 115);
    assert_int_equal(x.sd->base.ops->read_mem(&x.sd->base, 0x08004000u, back, N, NULL), STP_OK);
    assert_memory_equal(img, back, N);
    /* programming mode left: no FPRG/PROG/ERASE behind */
    uint32_t pecr = 0;
    assert_int_equal(x.sd->base.ops->read_u32(&x.sd->base, L1_PECR, &pecr, NULL), STP_OK);
    assert_int_equal(pecr & ((1u << 3) | (1u << 9) | (1u << 10)), 0);
    stp_findings_free(&f);
    free(img);
    free(back);
    sim_debug_close(x.sd);
}

/* 5000 bytes at 0x08000104: 31 words up to the first half-page boundary, 38 half-pages, 3
 * words after the last; the bytes around the range stay erased (0x00). */
static void l1_loader_unaligned_ends_by_words(void **state)
{
    (void)state;
    l1fx x;
    open_l1(&x, "sim:stm32l151cb");
    enum { START = 0x104, N = 5000, SPAN = 0x2000 };
    uint8_t want[SPAN], back[SPAN];
    memset(want, 0, sizeof(want));
    fill(want + START, N, 9);
    sim_stats *s = sim_board_stats(x.sd->board);
    uint64_t programs = s->flash_programs, instr = s->core_instructions;
    stp_findings f = {0};
    assert_int_equal(
        stp_flash_program(&x.flash, 0x08000000u + START, want + START, N, NULL, NULL, 0, &f),
        STP_OK);
    assert_int_equal(f.count, 0);
    assert_true(s->core_instructions > instr);
    assert_int_equal(s->flash_programs - programs, 31 + 38 + 3);
    assert_int_equal(x.sd->base.ops->read_mem(&x.sd->base, 0x08000000u, back, SPAN, NULL), STP_OK);
    assert_memory_equal(want, back, SPAN);
    stp_findings_free(&f);
    sim_debug_close(x.sd);
}

/* WRP bit 1 protects 0x08001000-0x08001FFF: an 8 KiB range from 0x08000000 programs the
 * first 4 KiB, then fails with WRPERR naming the first half-page of the protected sector. */
static void l1_wrp_sector_reports_address_via_loader(void **state)
{
    (void)state;
    l1fx x;
    open_l1(&x, "sim:stm32l151cb,wrp=0x2");
    enum { N = 8192 };
    uint8_t img[N], back[N / 2];
    fill(img, N, 3);
    sim_stats *s = sim_board_stats(x.sd->board);
    uint64_t instr = s->core_instructions;
    stp_findings f = {0};
    assert_int_equal(stp_flash_program(&x.flash, 0x08000000u, img, N, NULL, NULL, 0, &f),
                     STP_ERR_PROTECTED);
    assert_true(s->core_instructions > instr);
    const stp_finding *w = stp_findings_find(&f, "flash.wrp-error");
    assert_non_null(w);
    assert_string_equal(evidence(w, "address"), "0x08001000");
    assert_string_equal(evidence(w, "bit"), "WRPERR");
    assert_non_null(evidence(w, "via"));
    assert_int_equal(x.sd->base.ops->read_mem(&x.sd->base, 0x08000000u, back, N / 2, NULL), STP_OK);
    assert_memory_equal(img, back, N / 2);
    /* locked again, status register clean for the next operation */
    uint32_t pecr = 0, sr = 0;
    assert_int_equal(x.sd->base.ops->read_u32(&x.sd->base, L1_PECR, &pecr, NULL), STP_OK);
    assert_int_equal(x.sd->base.ops->read_u32(&x.sd->base, L1_SR, &sr, NULL), STP_OK);
    assert_true(pecr & 1u);
    assert_int_equal(sr & L1_SR_ERRORS, 0);
    stp_findings_free(&f);
    sim_debug_close(x.sd);
}

/* stp_flash_write: erase pages first..first+count-1 and program them with img. */
static stp_status write_pages(l1fx *x, unsigned first, unsigned count, const uint8_t *img,
                              stp_findings *f, bool *used)
{
    stp_flash_piece piece = {.addr = x->pages[first].addr, .data = img, .len = 256u * count};
    stp_flash_write_req req = {.erase = &x->pages[first],
                               .erase_count = count,
                               .pieces = &piece,
                               .piece_count = 1,
                               .phase = "write"};
    return stp_flash_write(&x->flash, &req, NULL, f, used);
}

/* 16 KiB over other data: 64 page erases and 128 half-pages in one loader run, within 15% of
 * (64 + 128) x 3.28 ms: the host does not start the erases one by one. */
static void l1_loader_erases_and_programs(void **state)
{
    (void)state;
    l1fx x;
    open_l1(&x, "sim:stm32l151cb");
    enum { N = 16384 };
    uint8_t *old = malloc(N), *img = malloc(N), *back = malloc(N);
    fill(old, N, 21);
    fill(img, N, 22);
    stp_findings f = {0};
    assert_int_equal(stp_flash_program(&x.flash, 0x08000000u, old, N, NULL, NULL, 0, &f), STP_OK);
    sim_stats *s = sim_board_stats(x.sd->board);
    uint64_t erases = s->flash_erases, programs = s->flash_programs;
    uint64_t t0 = sim_clock_ns(x.sd->board);
    bool used = false;
    assert_int_equal(write_pages(&x, 0, N / 256, img, &f, &used), STP_OK);
    uint64_t ns = sim_clock_ns(x.sd->board) - t0;
    assert_true(used);
    assert_int_equal(f.count, 0);
    assert_int_equal(s->flash_erases - erases, N / 256);
    assert_int_equal(s->flash_programs - programs, N / 128);
    const uint64_t bound = (N / 256 + N / 128) * HALF_PAGE_NS;
    print_message("16 KiB erase+program: %llu us, bound %llu us\n", (unsigned long long)(ns / 1000),
                  (unsigned long long)(bound / 1000));
    assert_true(ns >= bound && ns * 100 < bound * 115);
    assert_int_equal(x.sd->base.ops->read_mem(&x.sd->base, 0x08000000u, back, N, NULL), STP_OK);
    assert_memory_equal(img, back, N);
    stp_findings_free(&f);
    free(old);
    free(img);
    free(back);
    sim_debug_close(x.sd);
}

/* Pages 0-31 in one erase entry, WRP on 0x08001000-0x08001FFF: the erase of page 16 fails,
 * and the finding names that page, not the entry's first. */
static void l1_loader_erase_of_wrp_page_names_it(void **state)
{
    (void)state;
    l1fx x;
    open_l1(&x, "sim:stm32l151cb,wrp=0x2");
    enum { N = 8192 };
    uint8_t img[N];
    fill(img, N, 23);
    stp_findings f = {0};
    bool used = false;
    assert_int_equal(write_pages(&x, 0, N / 256, img, &f, &used), STP_ERR_PROTECTED);
    assert_true(used);
    const stp_finding *w = stp_findings_find(&f, "flash.wrp-error");
    assert_non_null(w);
    assert_string_equal(evidence(w, "address"), "0x08001000");
    assert_string_equal(evidence(w, "operation"), "erase of sector 16");
    assert_non_null(evidence(w, "via"));
    uint32_t pecr = 0, sr = 0;
    assert_int_equal(x.sd->base.ops->read_u32(&x.sd->base, L1_PECR, &pecr, NULL), STP_OK);
    assert_int_equal(x.sd->base.ops->read_u32(&x.sd->base, L1_SR, &sr, NULL), STP_OK);
    assert_true(pecr & 1u);
    assert_int_equal(sr & L1_SR_ERRORS, 0);
    stp_findings_free(&f);
    sim_debug_close(x.sd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(l1_loader_programs_half_pages),
        cmocka_unit_test(l1_loader_unaligned_ends_by_words),
        cmocka_unit_test(l1_wrp_sector_reports_address_via_loader),
        cmocka_unit_test(l1_loader_erases_and_programs),
        cmocka_unit_test(l1_loader_erase_of_wrp_page_names_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
