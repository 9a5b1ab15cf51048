/* stp_program (the library entry the GDB server's `load` uses) refuses an image that
 * reaches into a write-protected sector or past the end of the flash before it reads or
 * erases anything: the virtual board's counters and the debug accesses to flash show no
 * sector read, erased or programmed, and the findings are the planner's (the CLI's). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../target/sim_debug.h"
#include "stprog/ops.h"
#include "stprog/target.h"

#define FLASH_BASE 0x08000000u
#define FLASH_END  0x08100000u /* STM32F407VG: 1 MiB */

typedef struct fx {
    sim_debug *sd;
    stp_debug_ops ops; /* the adapter's ops with counting reads */
    const stp_debug_ops *orig;
    stp_target *t;
    unsigned flash_reads; /* debug reads that reached the flash array */
    unsigned accesses;    /* every debug access, counted from the mark */
} fx;

static fx *current; /* the counting wrappers find their fixture here (test-only) */

static bool in_flash(uint32_t addr, size_t len)
{
    return addr < FLASH_END && (uint64_t)addr + len > FLASH_BASE;
}

static stp_status counting_read_mem(stp_debug *d, uint32_t addr, void *buf, size_t len,
                                    stp_findings *f)
{
    current->accesses++;
    if (in_flash(addr, len))
        current->flash_reads++;
    return current->orig->read_mem(d, addr, buf, len, f);
}

static stp_status counting_read_u32(stp_debug *d, uint32_t addr, uint32_t *val, stp_findings *f)
{
    current->accesses++;
    if (in_flash(addr, 4))
        current->flash_reads++;
    return current->orig->read_u32(d, addr, val, f);
}

static stp_status counting_write_u32(stp_debug *d, uint32_t addr, uint32_t val, stp_findings *f)
{
    current->accesses++;
    return current->orig->write_u32(d, addr, val, f);
}

static stp_status counting_write_mem(stp_debug *d, uint32_t addr, const void *buf, size_t len,
                                     stp_findings *f)
{
    current->accesses++;
    return current->orig->write_mem(d, addr, buf, len, f);
}

static fx *open_board(const char *spec)
{
    fx *x = calloc(1, sizeof(*x));
    assert_non_null(x);
    x->sd = sim_debug_open(spec);
    assert_non_null(x->sd);
    x->orig = x->sd->base.ops;
    x->ops = *x->orig;
    x->ops.read_mem = counting_read_mem;
    x->ops.read_u32 = counting_read_u32;
    x->ops.write_mem = counting_write_mem;
    x->ops.write_u32 = counting_write_u32;
    x->sd->base.ops = &x->ops;
    current = x;
    stp_findings f = {0};
    stp_target_options opt = {.connect = STP_TARGET_CONNECT_NORMAL};
    assert_int_equal(stp_target_attach(&x->sd->base, &opt, &x->t, &f), STP_OK);
    stp_findings_free(&f);
    x->flash_reads = 0;
    x->accesses = 0;
    return x;
}

static void close_board(fx *x)
{
    stp_target_detach(x->t);
    x->sd->base.ops = x->orig;
    sim_debug_close(x->sd);
    free(x);
    current = NULL;
}

static stp_image *image_at(uint32_t addr, size_t len, uint8_t fill)
{
    uint8_t *data = malloc(len);
    assert_non_null(data);
    memset(data, fill, len);
    stp_image *img = NULL;
    stp_findings f = {0};
    assert_int_equal(stp_image_create(&img), STP_OK);
    assert_int_equal(stp_image_add(img, addr, data, len, "test", &f), STP_OK);
    stp_findings_free(&f);
    free(data);
    return img;
}

static const char *evidence(const stp_finding *f, const char *key)
{
    for (size_t i = 0; f != NULL && i < f->evidence_count; i++)
        if (strcmp(f->evidence[i].key, key) == 0)
            return f->evidence[i].value;
    return NULL;
}

/* The board's flash counters as they stand. */
static void counters(const fx *x, uint64_t *erases, uint64_t *programs, uint64_t *insns)
{
    const sim_stats *s = sim_board_stats(x->sd->board);
    *erases = s->flash_erases + s->mass_erases;
    *programs = s->flash_programs;
    *insns = s->core_instructions;
}

/* Sector 1 (0x08004000, 16 KiB) is write-protected (spec wrp=0x2). An image of 4 KiB in
 * it (with 4 KiB in unprotected sector 0 before it) is refused with plan.write-protected
 * naming sector 1; no flash byte was read (no CRC routine ran either), nothing erased or
 * programmed. Then an image that stays out of sector 1 is programmed: the same counters
 * move, so they would have shown a read or an erase. */
static void test_refuses_protected_sector_before_reading(void **state)
{
    (void)state;
    fx *x = open_board("sim:stm32f407vg,wrp=0x2");
    uint64_t e0, p0, i0, e1, p1, i1;
    counters(x, &e0, &p0, &i0);
    stp_image *img = image_at(0x08003000u, 0x2000, 0x5A);
    stp_findings f = {0};
    stp_plan *plan = (stp_plan *)&f; /* must come back NULL */
    stp_program_options opt = {.verify = true};
    assert_int_equal(stp_program(x->t, img, &opt, NULL, &plan, NULL, &f), STP_ERR_PROTECTED);
    assert_null(plan);
    const stp_finding *fd = stp_findings_find(&f, "plan.write-protected");
    assert_non_null(fd);
    assert_int_equal(fd->severity, STP_SEV_ERROR);
    assert_string_equal(evidence(fd, "sector"), "1");
    assert_string_equal(evidence(fd, "address"), "0x08004000");
    assert_non_null(strstr(fd->advice, "remove the write protection first"));
    assert_int_equal(f.count, 1); /* sector 0 is not protected: not named */
    assert_int_equal(x->flash_reads, 0);
    counters(x, &e1, &p1, &i1);
    assert_int_equal(e1 - e0, 0);
    assert_int_equal(p1 - p0, 0);
    assert_int_equal(i1 - i0, 0); /* no CRC routine ran over the sectors either */
    stp_findings_free(&f);
    stp_image_destroy(img);

    /* Control: the same-size image one sector further on (sector 2, unprotected, holding
     * other bytes it keeps) is read, erased and programmed. */
    img = image_at(0x08009000u, 0x2000, 0x5A);
    assert_int_equal(stp_program(x->t, img, &opt, NULL, NULL, NULL, &f), STP_OK);
    assert_int_equal(f.count, 0);
    counters(x, &e1, &p1, &i1);
    assert_true(x->flash_reads > 0 || i1 > i0);
    assert_true(p1 > p0);
    stp_findings_free(&f);
    stp_image_destroy(img);
    close_board(x);
}

/* An image whose last 4 KiB lie past the end of the 1 MiB flash is refused with
 * plan.outside-flash (first address, byte count, the flash span, the advice the CLI
 * gives) without a single debug access: no sector read, the core not even halted. */
static void test_refuses_past_end_before_touching(void **state)
{
    (void)state;
    fx *x = open_board("sim:stm32f407vg");
    uint64_t e0, p0, i0, e1, p1, i1;
    counters(x, &e0, &p0, &i0);
    stp_image *img = image_at(FLASH_END - 0x1000u, 0x2000, 0xA5);
    stp_findings f = {0};
    stp_program_options opt = {.verify = true};
    assert_int_equal(stp_program(x->t, img, &opt, NULL, NULL, NULL, &f), STP_ERR_RANGE);
    const stp_finding *fd = stp_findings_find(&f, "plan.outside-flash");
    assert_non_null(fd);
    assert_int_equal(fd->severity, STP_SEV_ERROR);
    assert_string_equal(evidence(fd, "first_address"), "0x08100000");
    assert_string_equal(evidence(fd, "bytes_outside"), "4096");
    assert_string_equal(evidence(fd, "flash"), "0x08000000-0x080FFFFF");
    assert_non_null(strstr(fd->advice, "nothing was read or changed"));
    assert_int_equal(x->flash_reads, 0);
    assert_int_equal(x->accesses, 0);
    counters(x, &e1, &p1, &i1);
    assert_int_equal(e1 - e0, 0);
    assert_int_equal(p1 - p0, 0);
    assert_int_equal(i1 - i0, 0);
    stp_findings_free(&f);
    stp_image_destroy(img);

    /* A dry run of the same image is refused the same way. */
    opt.dry_run = true;
    img = image_at(FLASH_END - 0x1000u, 0x2000, 0xA5);
    assert_int_equal(stp_program(x->t, img, &opt, NULL, NULL, NULL, &f), STP_ERR_RANGE);
    assert_non_null(stp_findings_find(&f, "plan.outside-flash"));
    assert_int_equal(x->accesses, 0);
    stp_findings_free(&f);
    stp_image_destroy(img);
    close_board(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refuses_protected_sector_before_reading),
        cmocka_unit_test(test_refuses_past_end_before_touching),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
