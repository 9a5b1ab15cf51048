/* The SRAM flash loader against the virtual STM32F407VG (core on Unicorn, flash timed on the
 * virtual clock): it programs what the direct path programs, near the flash's own time;
 * a write-protected sector fails with the direct path's finding plus the failing address,
 * for programming and for an erase the loader runs; a brown-out in the middle of a loader
 * run, or of a direct erase, is a power failure, never a success; SRAM that does not keep
 * writes, or a probe that garbles long writes, is reported and the engine programs by
 * direct register writes instead. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../target/sim_debug.h"
#include "target/cortexm.h"
#include "target/flash.h"

#define SECTOR1 0x08004000u
#define SECTOR4 0x08010000u

typedef struct fx {
    sim_debug *sd;
    stp_debug_ops ops; /* copy of the adapter's ops, with faults patched in */
    const stp_debug_ops *orig;
    int fault; /* 0 none, 1 SRAM loses every write, 2 SRAM writes > 64 bytes garbled */
    stp_flash flash;
    stp_sector sectors[24];
} fx;

static fx *current; /* the fault wrappers find their fixture here (test-only) */

static bool in_sram(uint32_t addr)
{
    return addr >= 0x20000000u && addr < 0x20020000u;
}

static stp_status faulty_write_mem(stp_debug *d, uint32_t addr, const void *buf, size_t len,
                                   stp_findings *f)
{
    if (current->fault != 0 && in_sram(addr) && (current->fault == 1 || len > 64)) {
        uint8_t *copy = malloc(len);
        memcpy(copy, buf, len);
        for (size_t i = 0; i < len; i += 8)
            copy[i] ^= 0x5A;
        stp_status st = current->orig->write_mem(d, addr, copy, len, f);
        free(copy);
        return st;
    }
    return current->orig->write_mem(d, addr, buf, len, f);
}

static stp_status faulty_write_u32(stp_debug *d, uint32_t addr, uint32_t val, stp_findings *f)
{
    if (current->fault == 1 && in_sram(addr))
        val ^= 0x5A;
    return current->orig->write_u32(d, addr, val, f);
}

static fx *open_f4(const char *spec)
{
    fx *x = calloc(1, sizeof(*x));
    assert_non_null(x);
    x->sd = sim_debug_open(spec);
    assert_non_null(x->sd);
    x->orig = x->sd->base.ops;
    x->ops = *x->orig;
    x->ops.write_mem = faulty_write_mem;
    x->ops.write_u32 = faulty_write_u32;
    x->sd->base.ops = &x->ops;
    current = x;
    const stp_chip *chip = sim_board_chip(x->sd->board);
    assert_int_equal(stp_flash_init(&x->flash, &x->sd->base, chip, 1024, false, STP_PSIZE_X32),
                     STP_OK);
    assert_int_equal(stp_chip_sectors(chip, 1024, false, x->sectors, 24), 12);
    return x;
}

static void close_fx(fx *x)
{
    x->sd->base.ops = x->orig;
    sim_debug_close(x->sd);
    free(x);
    current = NULL;
}

static void random_bytes(uint8_t *b, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        b[i] = (uint8_t)(seed >> 16);
    }
}

static const char *evidence(const stp_finding *f, const char *key)
{
    for (size_t i = 0; f != NULL && i < f->evidence_count; i++)
        if (strcmp(f->evidence[i].key, key) == 0)
            return f->evidence[i].value;
    return NULL;
}

/* Erases sector 4 (64 KiB), programs it with the loader or without, reads it back; returns
 * the virtual milliseconds the programming took. */
static unsigned program_sector4(bool use_loader, stp_findings *f, stp_status *st)
{
    fx *x = open_f4("sim:stm32f407vg,vdd=3.3");
    stp_flash_use_loader(&x->flash, use_loader);
    enum { N = 65536 };
    uint8_t *img = malloc(N), *back = malloc(N);
    random_bytes(img, N, 7);
    assert_int_equal(stp_flash_erase(&x->flash, &x->sectors[4], 1, NULL, NULL, 0, f), STP_OK);
    uint64_t before = x->sd->base.ops->now_ms(&x->sd->base);
    *st = stp_flash_program(&x->flash, SECTOR4, img, N, NULL, NULL, 0, f);
    unsigned used = (unsigned)(x->sd->base.ops->now_ms(&x->sd->base) - before);
    assert_int_equal(x->orig->read_mem(&x->sd->base, SECTOR4, back, N, NULL), STP_OK);
    assert_memory_equal(img, back, N);
    free(img);
    free(back);
    close_fx(x);
    return used;
}

static void loader_programs_like_direct_near_flash_bound(void **state)
{
    (void)state;
    stp_findings f = {0};
    stp_status st;
    unsigned direct = program_sector4(false, &f, &st);
    assert_int_equal(st, STP_OK);
    unsigned loader = program_sector4(true, &f, &st);
    assert_int_equal(st, STP_OK);
    assert_int_equal(f.count, 0);
    /* 16 K words at 16 us each: 262 ms of flash time. This adapter has no USB cost, so the
     * direct path is near that bound too; the loader must stay near it (its gain over a real
     * probe is measured through the ST-Link model in tests/speed). */
    print_message("64 KiB: direct %u ms, loader %u ms (virtual)\n", direct, loader);
    assert_true(loader >= 262);
    assert_true(loader * 10 < 262 * 12);
    assert_true(direct >= 262);
    stp_findings_free(&f);
}

static void wrp_sector_reports_bit_and_address(void **state)
{
    (void)state;
    fx *x = open_f4("sim:stm32f407vg,vdd=3.3,wrp=0x2");
    uint8_t img[4096];
    random_bytes(img, sizeof(img), 3);
    stp_findings f = {0};
    assert_int_equal(stp_flash_program(&x->flash, SECTOR1, img, sizeof(img), NULL, NULL, 0, &f),
                     STP_ERR_PROTECTED);
    const stp_finding *w = stp_findings_find(&f, "flash.wrp-error");
    assert_non_null(w);
    assert_string_equal(evidence(w, "address"), "0x08004000");
    assert_string_equal(evidence(w, "bit"), "WRPERR");
    assert_non_null(evidence(w, "via"));
    /* the flash is locked again and its status register clean for the next operation */
    uint32_t cr = 0, sr = 0;
    assert_int_equal(x->orig->read_u32(&x->sd->base, 0x40023C10u, &cr, NULL), STP_OK);
    assert_int_equal(x->orig->read_u32(&x->sd->base, 0x40023C0Cu, &sr, NULL), STP_OK);
    assert_true(cr & (1u << 31));
    assert_int_equal(sr & 0xF2u, 0);
    stp_findings_free(&f);
    close_fx(x);
}

/* fault 1: SRAM loses writes; fault 2: long writes garbled. Either way one warning naming
 * the cause, and the data is programmed correctly by direct writes. */
static void fallback(int fault, const char *want, const char *not_want)
{
    fx *x = open_f4("sim:stm32f407vg,vdd=3.3");
    x->fault = fault;
    enum { N = 8192 };
    uint8_t img[N], back[N];
    random_bytes(img, N, 11);
    stp_findings f = {0};
    assert_int_equal(stp_flash_erase(&x->flash, &x->sectors[1], 1, NULL, NULL, 0, &f), STP_OK);
    assert_int_equal(stp_flash_program(&x->flash, SECTOR1, img, N, NULL, NULL, 0, &f), STP_OK);
    assert_int_equal(f.count, 1);
    assert_non_null(stp_findings_find(&f, want));
    assert_null(stp_findings_find(&f, not_want));
    assert_int_equal(f.items[0].severity, STP_SEV_WARNING);
    assert_int_equal(x->orig->read_mem(&x->sd->base, SECTOR1, back, N, NULL), STP_OK);
    assert_memory_equal(img, back, N);
    /* the session does not try again (one warning, not one per range) */
    assert_ptr_equal(x->flash.route, &stp_flash_route_registers);
    stp_findings_free(&f);
    close_fx(x);
}

static void sram_unusable_falls_back(void **state)
{
    (void)state;
    fallback(1, "target.sram-unusable", "probe.corrupts-transfers");
}

static void corrupting_probe_falls_back(void **state)
{
    (void)state;
    fallback(2, "probe.corrupts-transfers", "target.sram-unusable");
}

/* stp_flash_write of sectors first..last with random data (erases through the loader). */
static stp_status write_sectors(fx *x, unsigned first, unsigned last, stp_findings *f,
                                uint8_t **img_out, uint32_t *len_out, bool *used)
{
    uint32_t addr = x->sectors[first].addr, len = 0;
    for (unsigned i = first; i <= last; i++)
        len += x->sectors[i].size;
    uint8_t *img = malloc(len);
    random_bytes(img, len, 5);
    stp_flash_piece piece = {.addr = addr, .data = img, .len = len};
    uint64_t done = 0;
    stp_flash_write_req req = {.erase = &x->sectors[first],
                               .erase_count = last - first + 1,
                               .pieces = &piece,
                               .piece_count = 1,
                               .phase = "write",
                               .progress_done = &done,
                               .count_erased = true,
                               .progress_total = 2ull * len};
    stp_status st = stp_flash_write(&x->flash, &req, NULL, f, used);
    if (st == STP_OK)
        assert_int_equal(done, 2ull * len); /* every erase and every byte credited */
    if (st == STP_OK && len <= 65536) {     /* without count_erased: the programmed bytes */
        done = 0;
        req.count_erased = false;
        req.progress_total = len;
        random_bytes(img, len, 6);
        assert_int_equal(stp_flash_write(&x->flash, &req, NULL, f, used), STP_OK);
        assert_int_equal(done, len);
    }
    *img_out = img;
    *len_out = len;
    return st;
}

static void loader_erases_and_programs(void **state)
{
    (void)state;
    fx *x = open_f4("sim:stm32f407vg,vdd=3.3");
    stp_findings f = {0};
    uint8_t *img = NULL;
    uint32_t len = 0;
    bool used = false;
    /* the sectors hold other data first: the loader must erase them */
    assert_int_equal(write_sectors(x, 0, 1, &f, &img, &len, &used), STP_OK);
    free(img);
    uint64_t before = x->sd->base.ops->now_ms(&x->sd->base);
    unsigned erases_before = sim_board_stats(x->sd->board)->flash_erases;
    uint8_t *img2 = malloc(len), *back = malloc(len);
    random_bytes(img2, len, 9);
    stp_flash_piece piece = {.addr = x->sectors[0].addr, .data = img2, .len = len};
    stp_flash_write_req req = {.erase = &x->sectors[0],
                               .erase_count = 2,
                               .pieces = &piece,
                               .piece_count = 1,
                               .phase = "write"};
    assert_int_equal(stp_flash_write(&x->flash, &req, NULL, &f, &used), STP_OK);
    assert_true(used);
    assert_int_equal(f.count, 0);
    unsigned ms = (unsigned)(x->sd->base.ops->now_ms(&x->sd->base) - before);
    assert_int_equal(sim_board_stats(x->sd->board)->flash_erases - erases_before, 2);
    assert_int_equal(x->orig->read_mem(&x->sd->base, x->sectors[0].addr, back, len, NULL), STP_OK);
    assert_memory_equal(img2, back, len);
    /* two 16 KiB sectors at 250 ms typical + 8 K words at 16 us: 631 ms of flash time */
    print_message("32 KiB erase+program through the loader: %u ms (virtual)\n", ms);
    assert_true(ms >= 631 && ms * 10 < 631 * 11);
    uint32_t cr = 0;
    assert_int_equal(x->orig->read_u32(&x->sd->base, 0x40023C10u, &cr, NULL), STP_OK);
    assert_true(cr & (1u << 31)); /* locked again */
    free(img2);
    free(back);
    stp_findings_free(&f);
    close_fx(x);
}

static void loader_erase_of_wrp_sector_fails_with_address(void **state)
{
    (void)state;
    fx *x = open_f4("sim:stm32f407vg,vdd=3.3,wrp=0x2");
    stp_findings f = {0};
    uint8_t *img = NULL;
    uint32_t len = 0;
    bool used = false;
    assert_int_equal(write_sectors(x, 0, 1, &f, &img, &len, &used), STP_ERR_PROTECTED);
    assert_true(used);
    const stp_finding *w = stp_findings_find(&f, "flash.wrp-error");
    assert_non_null(w);
    assert_string_equal(evidence(w, "address"), "0x08004000");
    assert_string_equal(evidence(w, "bit"), "WRPERR");
    assert_string_equal(evidence(w, "operation"), "erase of sector 1");
    assert_non_null(evidence(w, "via"));
    uint32_t cr = 0, sr = 0;
    assert_int_equal(x->orig->read_u32(&x->sd->base, 0x40023C10u, &cr, NULL), STP_OK);
    assert_int_equal(x->orig->read_u32(&x->sd->base, 0x40023C0Cu, &sr, NULL), STP_OK);
    assert_true(cr & (1u << 31));
    assert_int_equal(sr & 0xF2u, 0);
    free(img);
    stp_findings_free(&f);
    close_fx(x);
}

/* supply=unstable: about 2.8 brown-outs per second of flash work. Whichever operation it hits, the
 * result is a power failure naming the brown-out, never success. */
static void brownout_during_loader_run_is_a_power_failure(void **state)
{
    (void)state;
    fx *x = open_f4("sim:stm32f407vg,vdd=3.3,supply=unstable,seed=3");
    stp_findings f = {0};
    uint8_t *img = NULL;
    uint32_t len = 0;
    bool used = false;
    assert_int_equal(write_sectors(x, 0, 4, &f, &img, &len, &used), STP_ERR_POWER);
    assert_true(used);
    const stp_finding *b = stp_findings_find(&f, "power.brownout-reset");
    assert_non_null(b);
    assert_non_null(strstr(evidence(b, "operation"), "SRAM loader"));
    assert_non_null(strstr(evidence(b, "DHCSR"), "debug enable lost"));
    assert_null(stp_findings_find(&f, "flash.timeout"));
    free(img);
    stp_findings_free(&f);
    close_fx(x);
}

static void brownout_during_direct_erase_is_a_power_failure(void **state)
{
    (void)state;
    /* Four 16 KiB sectors erase for 1 s: a brown-out in 94 % of seeds; seed 1 is one. */
    fx *x = open_f4("sim:stm32f407vg,vdd=3.3,supply=unstable,seed=1");
    stp_findings f = {0};
    /* as a session does on attach: debug enabled, core halted */
    assert_int_equal(stp_cm_halt(&x->sd->base, &f), STP_OK);
    assert_int_equal(stp_flash_erase(&x->flash, x->sectors, 4, NULL, NULL, 0, &f), STP_ERR_POWER);
    const stp_finding *b = stp_findings_find(&f, "power.brownout-reset");
    assert_non_null(b);
    assert_non_null(strstr(evidence(b, "operation"), "erase of sector"));
    stp_findings_free(&f);
    close_fx(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loader_programs_like_direct_near_flash_bound),
        cmocka_unit_test(wrp_sector_reports_bit_and_address),
        cmocka_unit_test(sram_unusable_falls_back),
        cmocka_unit_test(corrupting_probe_falls_back),
        cmocka_unit_test(loader_erases_and_programs),
        cmocka_unit_test(loader_erase_of_wrp_sector_fails_with_address),
        cmocka_unit_test(brownout_during_loader_run_is_a_power_failure),
        cmocka_unit_test(brownout_during_direct_erase_is_a_power_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
