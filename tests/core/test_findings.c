/* Unit tests: findings list, status names and exit codes, allocation failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/alloc.h"
#include "stprog/finding.h"

static void test_add_and_find(void **state)
{
    (void)state;
    stp_findings list;
    stp_findings_init(&list);
    for (int i = 0; i < 20; i++) {
        stp_finding *f = stp_finding_add(&list, "power.voltage-low", STP_SEV_ERROR,
                                         "target voltage %.2f V", 0.52);
        assert_non_null(f);
        stp_finding_evidence(f, "vdd", "%.2f V", 0.52);
        stp_finding_advice(f, "check the supply");
    }
    stp_finding_add(&list, "protect.rdp1", STP_SEV_WARNING, "RDP level 1");
    assert_int_equal(list.count, 21);
    const stp_finding *f = stp_findings_find(&list, "power.voltage-low");
    assert_non_null(f);
    assert_string_equal(f->message, "target voltage 0.52 V");
    assert_string_equal(f->evidence[0].value, "0.52 V");
    assert_string_equal(f->advice, "check the supply");
    assert_null(stp_findings_find(&list, "flash.sector-worn"));
    assert_int_equal(stp_findings_worst(&list), STP_SEV_ERROR);
    stp_findings_free(&list);
    assert_int_equal(list.count, 0);
}

static void test_evidence_is_bounded(void **state)
{
    (void)state;
    stp_findings list = {0};
    stp_finding *f = stp_finding_add(&list, "x.y", STP_SEV_INFO, "m");
    for (int i = 0; i < STP_EVIDENCE_MAX + 5; i++)
        stp_finding_evidence(f, "k", "%d", i);
    assert_int_equal(f->evidence_count, STP_EVIDENCE_MAX);
    stp_findings_free(&list);
}

static void test_allocation_failure_is_counted(void **state)
{
    (void)state;
    stp_findings list = {0};
    stp_alloc_fail_after(1);
    assert_null(stp_finding_add(&list, "x.y", STP_SEV_ERROR, "lost"));
    stp_alloc_fail_after(0);
    assert_int_equal(list.dropped, 1);
    assert_non_null(stp_finding_add(&list, "x.y", STP_SEV_ERROR, "kept"));
    stp_findings_free(&list);
}

static void test_status_exit_codes(void **state)
{
    (void)state;
    assert_int_equal(stp_status_exit_code(STP_OK), 0);
    assert_int_equal(stp_status_exit_code(STP_ERR_FORMAT), STP_EXIT_USAGE);
    assert_int_equal(stp_status_exit_code(STP_ERR_NO_PROBE), STP_EXIT_NO_DEVICE);
    assert_int_equal(stp_status_exit_code(STP_ERR_PROTECTED), STP_EXIT_PROTECTED);
    assert_int_equal(stp_status_exit_code(STP_ERR_VERIFY), STP_EXIT_VERIFY);
    assert_int_equal(stp_status_exit_code(STP_ERR_FLASH), STP_EXIT_FAILED);
    for (int s = 0; s < STP_STATUS_COUNT; s++) {
        assert_string_not_equal(stp_status_name((stp_status)s), "unknown");
    }
    assert_string_equal(stp_status_name(STP_STATUS_COUNT), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_and_find),
        cmocka_unit_test(test_evidence_is_bounded),
        cmocka_unit_test(test_allocation_failure_is_counted),
        cmocka_unit_test(test_status_exit_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
