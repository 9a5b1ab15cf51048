/* The diagnosis API without the CLI: stp_doctor_probe on a probe the caller keeps open (the
 * GDB server's `monitor doctor`), keep_halted, and stp_explain_failure on its own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "probe/debug.h"
#include "stprog/doctor.h"
#include "stprog/probe.h"
#include "target/cortexm.h"

static size_t problems(const stp_findings *fs)
{
    size_t n = 0;
    for (size_t i = 0; i < fs->count; i++)
        n += fs->items[i].severity != STP_SEV_INFO;
    return n;
}

static void open_probe(const char *spec, stp_debug **d)
{
    stp_findings fs = {0};
    assert_int_equal(stp_probe_open(spec, NULL, d, &fs), STP_OK);
    stp_findings_free(&fs);
}

static void doctor_on_open_probe_keeps_it_usable(void **state)
{
    (void)state;
    stp_debug *d = NULL;
    open_probe("sim:stm32f407vg", &d);
    stp_doctor_report rep;
    stp_findings fs = {0};
    stp_doctor_options opt = {.keep_halted = true};
    assert_int_equal(stp_doctor_probe(d, &opt, NULL, &rep, &fs), STP_OK);
    assert_int_equal(problems(&fs), 0);
    assert_true(rep.count >= 10);
    assert_string_equal(rep.blocked_at, "");
    assert_string_equal(rep.chip, "STM32F40x/F41x");
    assert_true(rep.virtual_ms < 6000);
    /* The probe is still open and the core stays halted for the debugger. */
    uint32_t dhcsr = 0;
    assert_int_equal(d->ops->read_u32(d, STP_CM_DHCSR, &dhcsr, &fs), STP_OK);
    assert_true(dhcsr & STP_CM_DHCSR_S_HALT);
    stp_findings_free(&fs);
    stp_probe_close(d);
}

static void doctor_without_keep_halted_resumes(void **state)
{
    (void)state;
    stp_debug *d = NULL;
    open_probe("sim:stm32f103c8", &d);
    stp_doctor_report rep;
    stp_findings fs = {0};
    assert_int_equal(stp_doctor_probe(d, NULL, NULL, &rep, &fs), STP_OK);
    uint32_t dhcsr = 0;
    assert_int_equal(d->ops->read_u32(d, STP_CM_DHCSR, &dhcsr, &fs), STP_OK);
    assert_false(dhcsr & STP_CM_DHCSR_S_HALT);
    stp_findings_free(&fs);
    stp_probe_close(d);
}

/* The reset flags the board holds when doctor connects are evidence: a watchdog or
 * software reset in them that does not recur while the firmware runs is a warning. */
static void earlier_reset_without_recurrence_is_a_warning(void **state)
{
    (void)state;
    static const char *const specs[] = {"sim:stm32f407vg,reset-loop=150", "sim:stm32g071rb",
                                        "sim:stm32l151cb,reset-loop=150", "sim:stm32f103c8"};
    for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
        stp_debug *d = NULL;
        open_probe(specs[i], &d);
        stp_findings fs = {0};
        if (strstr(specs[i], "reset-loop") != NULL) {
            d->ops->delay_ms(d, 200); /* the firmware runs: its watchdog resets the chip */
        } else {
            /* another debugger (or the firmware) requested a reset */
            assert_int_equal(d->ops->write_u32(d, STP_CM_AIRCR,
                                               STP_CM_AIRCR_VECTKEY | STP_CM_AIRCR_SYSRESETREQ,
                                               &fs),
                             STP_OK);
            d->ops->delay_ms(d, 5);
        }
        stp_doctor_report rep;
        stp_doctor_options opt = {.watch_ms = 60}; /* shorter than the 150 ms period */
        assert_int_equal(stp_doctor_probe(d, &opt, NULL, &rep, &fs), STP_OK);
        const stp_finding *f = stp_findings_find(&fs, "target.reset-earlier");
        assert_non_null(f);
        assert_int_equal(f->severity, STP_SEV_WARNING);
        assert_null(stp_findings_find(&fs, "target.reset-loop"));
        assert_non_null(
            strstr(f->message, strstr(specs[i], "reset-loop") ? "watchdog" : "software"));
        stp_findings_free(&fs);
        stp_probe_close(d);
    }
}

static void explain_names_dead_core_before_symptom(void **state)
{
    (void)state;
    stp_debug *d = NULL;
    open_probe("sim:stm32f411re,vdd=0.52,supply=dead-core", &d);
    stp_findings fs = {0};
    stp_finding_add(&fs, "core.halt-timeout", STP_SEV_ERROR, "symptom");
    stp_explain_context ctx = {.operation = "write"};
    stp_explain_failure(d, NULL, STP_ERR_TIMEOUT, &ctx, &fs);
    assert_true(fs.count >= 3);
    assert_string_equal(fs.items[0].id, "power.voltage-low");
    assert_string_equal(fs.items[1].id, "power.core-unpowered");
    assert_string_equal(fs.items[fs.count - 1].id, "core.halt-timeout");
    stp_findings_free(&fs);
    stp_probe_close(d);
}

static void explain_adds_nothing_on_a_healthy_board(void **state)
{
    (void)state;
    stp_debug *d = NULL;
    open_probe("sim:stm32l152re", &d);
    stp_findings fs = {0};
    stp_finding_add(&fs, "cli.something", STP_SEV_ERROR, "a failure that is not the board's");
    stp_explain_failure(d, NULL, STP_ERR_INVALID_ARG, NULL, &fs);
    assert_int_equal(fs.count, 1);
    stp_findings_free(&fs);
    stp_probe_close(d);
}

static void bad_arguments(void **state)
{
    (void)state;
    stp_doctor_report rep;
    assert_int_equal(stp_doctor(NULL, NULL, NULL, &rep, NULL), STP_ERR_INVALID_ARG);
    assert_int_equal(stp_doctor_probe(NULL, NULL, NULL, &rep, NULL), STP_ERR_INVALID_ARG);
    stp_explain_failure(NULL, NULL, STP_ERR_IO, NULL, NULL); /* no crash */
    assert_string_equal(stp_check_result_name(STP_CHECK_WARN), "warn");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(doctor_on_open_probe_keeps_it_usable),
        cmocka_unit_test(doctor_without_keep_halted_resumes),
        cmocka_unit_test(earlier_reset_without_recurrence_is_a_warning),
        cmocka_unit_test(explain_names_dead_core_before_symptom),
        cmocka_unit_test(explain_adds_nothing_on_a_healthy_board),
        cmocka_unit_test(bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
