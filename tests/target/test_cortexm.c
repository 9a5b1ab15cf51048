/* Component tests of Cortex-M control on the virtual F407's core: halt, step, run, reset
 * with vector catch (hardware and software), and the NRST-not-wired diagnosis. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "sim_debug.h"
#include "target/cortexm.h"
#include "target/flash.h"
#include "stprog/target.h"

#define REG_PC   15
#define REG_XPSR 16

static uint32_t reg(stp_debug *d, unsigned n)
{
    uint32_t v = 0;
    assert_int_equal(d->ops->read_reg(d, n, &v, NULL), STP_OK);
    return v;
}

/* Vector table (SP, reset = 0x08000009) and at 0x08000008: nop; nop; b . */
static void program_vectors(sim_debug *sd)
{
    static const uint8_t img[16] = {0x00, 0x10, 0x00, 0x20, 0x09, 0x00, 0x00, 0x08,
                                    0x00, 0xBF, 0x00, 0xBF, 0xFE, 0xE7, 0x00, 0xBF};
    stp_flash f;
    assert_int_equal(
        stp_flash_init(&f, &sd->base, sim_board_chip(sd->board), 1024, false, STP_PSIZE_X32),
        STP_OK);
    assert_int_equal(stp_flash_program(&f, 0x08000000u, img, sizeof(img), NULL, NULL, 0, NULL),
                     STP_OK);
}

static void test_halt_step_run(void **state)
{
    (void)state;
    sim_debug *sd = sim_debug_open("sim:stm32f407vg");
    assert_non_null(sd);
    stp_debug *d = &sd->base;
    program_vectors(sd);
    stp_findings f = {0};
    assert_int_equal(stp_cm_reset(d, STP_CORE_M4, STP_RESET_SW, true, &f), STP_OK);
    bool halted = false;
    assert_int_equal(stp_cm_is_halted(d, &halted, &f), STP_OK);
    assert_true(halted);
    assert_int_equal(reg(d, REG_PC), 0x08000008u); /* caught at the reset vector */
    assert_int_equal(stp_cm_step(d, &f), STP_OK);
    assert_int_equal(reg(d, REG_PC), 0x0800000Au);
    assert_int_equal(stp_cm_step(d, &f), STP_OK);
    assert_int_equal(reg(d, REG_PC), 0x0800000Cu);
    assert_int_equal(stp_cm_run(d, &f), STP_OK);
    d->ops->delay_ms(d, 1);
    assert_int_equal(stp_cm_is_halted(d, &halted, &f), STP_OK);
    assert_false(halted);
    assert_int_equal(stp_cm_halt(d, &f), STP_OK);
    assert_int_equal(reg(d, REG_PC), 0x0800000Cu); /* spinning on b . */
    assert_int_equal(f.count, 0);
    stp_findings_free(&f);
    sim_debug_close(sd);
}

static void test_hw_reset_with_vector_catch(void **state)
{
    (void)state;
    sim_debug *sd = sim_debug_open("sim:stm32f407vg");
    assert_non_null(sd);
    stp_debug *d = &sd->base;
    program_vectors(sd);
    stp_findings f = {0};
    assert_int_equal(stp_cm_halt(d, &f), STP_OK);
    assert_int_equal(stp_cm_reset(d, STP_CORE_M4, STP_RESET_HW, true, &f), STP_OK);
    assert_int_equal(reg(d, REG_PC), 0x08000008u);
    assert_int_equal(f.count, 0);
    /* reset and run: the core is not halted afterwards */
    assert_int_equal(stp_cm_reset(d, STP_CORE_M4, STP_RESET_HW, false, &f), STP_OK);
    bool halted = true;
    assert_int_equal(stp_cm_is_halted(d, &halted, &f), STP_OK);
    assert_false(halted);
    stp_findings_free(&f);
    sim_debug_close(sd);
}

/* NRST not wired: the pulse leaves no reset; reported, and a software reset is used. */
static void test_nrst_unconnected(void **state)
{
    (void)state;
    sim_debug *sd = sim_debug_open("sim:stm32f407vg,nrst=unconnected");
    assert_non_null(sd);
    stp_debug *d = &sd->base;
    program_vectors(sd);
    stp_findings f = {0};
    assert_int_equal(stp_cm_halt(d, &f), STP_OK);
    assert_int_equal(d->ops->write_reg(d, REG_PC, 0x0800000Cu, &f), STP_OK);
    assert_int_equal(stp_cm_reset(d, STP_CORE_M4, STP_RESET_HW, true, &f), STP_OK);
    const stp_finding *fd = stp_findings_find(&f, "reset.nrst-no-effect");
    assert_non_null(fd);
    assert_int_equal(fd->severity, STP_SEV_WARNING);
    assert_int_equal(reg(d, REG_PC), 0x08000008u); /* the software reset did happen */
    stp_findings_free(&f);
    sim_debug_close(sd);
}

/* Attaching to look (info, read, verify) and detaching lets a running program run on;
 * after a reset with halt (or any change) the core is left as the operation left it. */
static void test_detach_resumes_only_untouched(void **state)
{
    (void)state;
    sim_debug *sd = sim_debug_open("sim:stm32f407vg");
    assert_non_null(sd);
    stp_debug *d = &sd->base;
    program_vectors(sd);
    stp_findings f = {0};
    assert_int_equal(stp_cm_reset(d, STP_CORE_M4, STP_RESET_SW, false, &f), STP_OK);
    stp_target *t = NULL;
    stp_target_options opt = {.connect = STP_TARGET_CONNECT_NORMAL};
    assert_int_equal(stp_target_attach(d, &opt, &t, &f), STP_OK);
    bool halted = false;
    assert_int_equal(stp_cm_is_halted(d, &halted, &f), STP_OK);
    assert_true(halted); /* normal connect halts */
    assert_string_equal(stp_target_get_info(t)->family, "F4");
    stp_target_detach(t);
    assert_int_equal(stp_cm_is_halted(d, &halted, &f), STP_OK);
    assert_false(halted); /* running again */

    assert_int_equal(stp_target_attach(d, &opt, &t, &f), STP_OK);
    assert_int_equal(stp_target_reset(t, STP_RESET_SW, true, &f), STP_OK);
    stp_target_detach(t);
    assert_int_equal(stp_cm_is_halted(d, &halted, &f), STP_OK);
    assert_true(halted); /* asked to stay halted at the reset vector */
    assert_int_equal(reg(d, REG_PC), 0x08000008u);
    stp_findings_free(&f);
    sim_debug_close(sd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_halt_step_run),
        cmocka_unit_test(test_hw_reset_with_vector_catch),
        cmocka_unit_test(test_nrst_unconnected),
        cmocka_unit_test(test_detach_resumes_only_untouched),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
