/* Unit tests of chip identification against a scripted debug port (a table of register
 * values; anything else is a bus fault): CPUID decides where DBGMCU_IDCODE is read, the F4
 * rev-A erratum, flash-size decoding with its plausibility check and fallbacks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "target/identify.h"

typedef struct reg {
    uint32_t addr, val;
} reg;

typedef struct fake {
    stp_debug base;
    const reg *regs;
    size_t n;
    uint32_t last_fault;
} fake;

static stp_status fake_read_u32(stp_debug *d, uint32_t addr, uint32_t *val, stp_findings *f)
{
    (void)f;
    fake *x = (fake *)d;
    for (size_t i = 0; i < x->n; i++) {
        if (x->regs[i].addr == addr) {
            *val = x->regs[i].val;
            return STP_OK;
        }
    }
    x->last_fault = addr;
    return STP_ERR_TARGET_FAULT;
}

static const stp_debug_ops fake_ops = {.read_u32 = fake_read_u32};

#define CPUID_M4 0x410FC241u
#define CPUID_M3 0x412FC231u
#define CPUID_M0 0x410CC200u
#define UID(base)                                                                                  \
    {base, 0x11111111u}, {base + 4, 0x22222222u},                                                  \
    {                                                                                              \
        base + 8, 0x33333333u                                                                      \
    }

static stp_status identify(const reg *regs, size_t n, stp_identity *id, stp_findings *f)
{
    fake x = {.base = {.ops = &fake_ops}, .regs = regs, .n = n};
    return stp_identify(&x.base, id, f);
}

/* An M4 reporting 0x411 is an F40x rev A, not an F2 (ES0182). */
static void test_f4_rev_a_erratum(void **state)
{
    (void)state;
    const reg regs[] = {{0xE000ED00u, CPUID_M4},
                        {0xE0042000u, 0x10000411u},
                        {0x1FFF7A20u, 0x04000000u},
                        UID(0x1FFF7A10u)};
    stp_identity id;
    stp_findings f = {0};
    assert_int_equal(identify(regs, sizeof(regs) / sizeof(regs[0]), &id, &f), STP_OK);
    assert_int_equal(id.core, STP_CORE_M4);
    assert_int_equal(id.dev_id, 0x413);
    assert_string_equal(id.chip->family, "F4");
    assert_int_equal(id.rev_id, 0x1000);
    assert_int_equal(id.flash_kb, 1024);
    assert_true(id.flash_size_read);
    assert_true(id.uid_valid);
    assert_int_equal(id.uid[0], 0x11);
    assert_int_equal(id.uid[11], 0x33);
    assert_int_equal(f.count, 0);
}

/* The same 0x411 behind a Cortex-M3 is an F2. */
static void test_f2_stays_f2(void **state)
{
    (void)state;
    const reg regs[] = {
        {0xE000ED00u, CPUID_M3}, {0xE0042000u, 0x20000411u}, {0x1FFF7A20u, 0x04000000u}};
    stp_identity id;
    assert_int_equal(identify(regs, sizeof(regs) / sizeof(regs[0]), &id, NULL), STP_OK);
    assert_int_equal(id.dev_id, 0x411);
    assert_string_equal(id.chip->family, "F2");
    assert_false(id.uid_valid); /* UID not readable here */
}

/* A Cortex-M0 keeps DBGMCU on the APB: IDCODE is read at 0x40015800, not 0xE0042000. */
static void test_m0_idcode_address(void **state)
{
    (void)state;
    const reg regs[] = {{0xE000ED00u, CPUID_M0}, {0x40015800u, 0x10000FFFu}};
    stp_identity id;
    stp_findings f = {0};
    assert_int_equal(identify(regs, sizeof(regs) / sizeof(regs[0]), &id, &f), STP_ERR_UNKNOWN_CHIP);
    assert_int_equal(id.idcode_addr, 0x40015800u);
    const stp_finding *fd = stp_findings_find(&f, "target.unknown-chip");
    assert_non_null(fd);
    assert_string_equal(fd->evidence[1].value, "0x40015800");
    stp_findings_free(&f);
}

/* L1 cat.2: 0x6B80 decodes to 128 KB (low byte); the garbage upper byte is reported. */
static void test_l1_cat2_fsize_garbage(void **state)
{
    (void)state;
    const reg regs[] = {
        {0xE000ED00u, CPUID_M3}, {0xE0042000u, 0x10180429u}, {0x1FF8004Cu, 0x00006B80u}};
    stp_identity id;
    stp_findings f = {0};
    assert_int_equal(identify(regs, sizeof(regs) / sizeof(regs[0]), &id, &f), STP_OK);
    assert_int_equal(id.flash_kb, 128);
    assert_true(id.flash_size_read);
    assert_int_equal(id.fsize_raw, 0x6B80);
    const stp_finding *fd = stp_findings_find(&f, "flash.size-implausible");
    assert_non_null(fd);
    assert_int_equal(fd->severity, STP_SEV_WARNING);
    assert_string_equal(fd->evidence[0].value, "0x6B80");
    stp_findings_free(&f);
}

/* A 16-bit register claiming 27520 KB on a part sold with at most 128 KB: not believed, the
 * database default is used. */
static void test_fsize_implausible_falls_back(void **state)
{
    (void)state;
    const reg regs[] = {
        {0xE000ED00u, CPUID_M3}, {0xE0042000u, 0x10000416u}, {0x1FF8004Cu, 0x00006B80u}};
    stp_identity id;
    stp_findings f = {0};
    assert_int_equal(identify(regs, sizeof(regs) / sizeof(regs[0]), &id, &f), STP_OK);
    assert_false(id.flash_size_read);
    assert_int_equal(id.flash_kb, id.chip->flash_default_kb);
    const stp_finding *fd = stp_findings_find(&f, "flash.size-implausible");
    assert_non_null(fd);
    assert_string_equal(fd->evidence[0].value, "0x6B80");
    assert_string_equal(fd->evidence[1].value, "0x1FF8004C");
    stp_findings_free(&f);
}

/* Register not readable (bus fault): flash.size-unreadable, database default. */
static void test_fsize_unreadable(void **state)
{
    (void)state;
    const reg regs[] = {{0xE000ED00u, CPUID_M4}, {0xE0042000u, 0x10070413u}};
    stp_identity id;
    stp_findings f = {0};
    assert_int_equal(identify(regs, sizeof(regs) / sizeof(regs[0]), &id, &f), STP_OK);
    assert_false(id.flash_size_read);
    assert_int_equal(id.flash_kb, id.chip->flash_default_kb);
    const stp_finding *fd = stp_findings_find(&f, "flash.size-unreadable");
    assert_non_null(fd);
    assert_string_equal(fd->evidence[0].value, "0x1FFF7A22");
    stp_findings_free(&f);
}

/* CPUID 0: the access port does not reach a core. */
static void test_unknown_core(void **state)
{
    (void)state;
    const reg regs[] = {{0xE000ED00u, 0}};
    stp_identity id;
    stp_findings f = {0};
    assert_int_equal(identify(regs, 1, &id, &f), STP_ERR_UNKNOWN_CHIP);
    assert_non_null(stp_findings_find(&f, "target.unknown-core"));
    stp_findings_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f4_rev_a_erratum),
        cmocka_unit_test(test_f2_stays_f2),
        cmocka_unit_test(test_m0_idcode_address),
        cmocka_unit_test(test_l1_cat2_fsize_garbage),
        cmocka_unit_test(test_fsize_implausible_falls_back),
        cmocka_unit_test(test_fsize_unreadable),
        cmocka_unit_test(test_unknown_core),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
