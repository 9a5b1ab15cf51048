/* ST-Link driver, connection and probe-level commands, against the scripted transport:
 * exact command bytes for version, mode exits, entering SWD, clock and voltage; firmware
 * feature gates; malformed replies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "mock_usb.h"
#include "probe/stlink.h"

static stp_debug *open_ok(mock_usb *m, stp_findings *f)
{
    stp_debug *d = NULL;
    assert_int_equal(stp_stlink_open(&m->base, NULL, &d, f), STP_OK);
    assert_non_null(d);
    return d;
}

static void close_v2(stp_debug *d, mock_usb *m)
{
    mock_expect_cmd(m, CMD(0xF2, 0x21));
    d->ops->close(d);
    mock_assert_done(m);
    assert_true(m->closed);
    mock_usb_free(m);
}

static void test_open_v2_mass_storage(void **state)
{
    (void)state;
    mock_usb *m = mock_usb_new(0x3748);
    stp_findings f = {0};
    mock_open_v2(m, 45, 7);
    stp_debug *d = open_ok(m, &f);
    assert_string_equal(d->info.firmware, "V2J45S7");
    assert_string_equal(d->info.kind, "stlink-v2");
    assert_string_equal(d->info.serial, "MOCK0001");
    assert_int_equal(d->info.swd_khz, 1800); /* the safe default, OpenOCD's and stlink-org's */
    assert_int_equal(f.count, 0);
    close_v2(d, m);
    stp_findings_free(&f);
}

static void test_open_leaves_dfu_mode(void **state)
{
    (void)state;
    mock_usb *m = mock_usb_new(0x374B);
    stp_findings f = {0};
    mock_version_v2(m, 0x374B, 37, 26);
    mock_expect_cmd(m, CMD(0xF5));
    mock_reply(m, CMD(0x00, 0x00)); /* DFU */
    mock_expect_cmd(m, CMD(0xF3, 0x07));
    mock_cmd_status(m, CMD(0xF2, 0x30, 0xA3), 0x80);
    mock_cmd_status(m, CMD(0xF2, 0x4B, 0x00), 0x80); /* INIT_AP: V2J28+ */
    mock_cmd_status(m, CMD(0xF2, 0x43, 0x01, 0x00), 0x80);
    stp_debug *d = open_ok(m, &f);
    assert_string_equal(d->info.firmware, "V2J37M26");
    assert_string_equal(d->info.kind, "stlink-v2-1");
    close_v2(d, m);
    stp_findings_free(&f);
}

/* A probe a killed process left mid-transfer (issue 14). A reply it did not read is emptied
 * from the IN endpoint before GET_VERSION (pyOCD's flush); a probe that still does not
 * answer GET_VERSION (it took the command as data of a cut write) is reset over USB and
 * asked again (OpenOCD's recovery). */
static void test_open_recovers_probe_left_mid_transfer(void **state)
{
    (void)state;
    mock_usb *m = mock_usb_new(0x374B);
    stp_findings f = {0};
    mock_reply(m, CMD(0x80, 0x00, 0x00, 0x00, 0x12, 0x34, 0x56, 0x78)); /* stale reply */
    mock_expect_cmd(m, CMD(0xF1, 0x80));
    mock_fail(m, false); /* no answer: the probe waits for the rest of a data phase */
    mock_open_v2(m, 40, 27);
    stp_debug *d = open_ok(m, &f);
    assert_int_equal(m->resets, 1);
    assert_true(m->flushes >= 2);
    assert_int_equal(f.count, 0);
    assert_string_equal(d->info.firmware, "V2J40M27");
    close_v2(d, m);
    stp_findings_free(&f);

    /* Still silent after the reset: the open fails with the USB error, no second reset. */
    m = mock_usb_new(0x374B);
    mock_expect_cmd(m, CMD(0xF1, 0x80));
    mock_fail(m, false);
    mock_expect_cmd(m, CMD(0xF1, 0x80));
    mock_fail(m, false);
    d = NULL;
    assert_int_equal(stp_stlink_open(&m->base, NULL, &d, &f), STP_ERR_USB);
    assert_null(d);
    assert_int_equal(m->resets, 1);
    assert_non_null(stp_findings_find(&f, "probe.usb-error"));
    mock_assert_done(m);
    mock_usb_free(m);
    stp_findings_free(&f);
}

static void test_open_leaves_previous_debug_session(void **state)
{
    (void)state;
    mock_usb *m = mock_usb_new(0x374B);
    stp_findings f = {0};
    mock_version_v2(m, 0x374B, 40, 27);
    mock_expect_cmd(m, CMD(0xF5));
    mock_reply(m, CMD(0x02, 0x00)); /* debug mode left by another tool */
    mock_expect_cmd(m, CMD(0xF2, 0x21));
    mock_cmd_status(m, CMD(0xF2, 0x30, 0xA3), 0x80);
    mock_cmd_status(m, CMD(0xF2, 0x4B, 0x00), 0x80);
    mock_cmd_status(m, CMD(0xF2, 0x43, 0x01, 0x00), 0x80);
    stp_debug *d = open_ok(m, &f);
    close_v2(d, m);
    stp_findings_free(&f);
}

static void test_open_v3(void **state)
{
    (void)state;
    mock_usb *m = mock_usb_new(0x374F);
    stp_findings f = {0};
    mock_expect_cmd(m, CMD(0xF1, 0x80));
    mock_reply(m, CMD(0x30, 0x00, 0x83, 0x04, 0x4F, 0x37));
    mock_expect_cmd(m, CMD(0xFB, 0x80));
    mock_reply(m, CMD(3, 0, 16, 8, 0, 0, 0, 0, 0x83, 0x04, 0x4F, 0x37));
    mock_expect_cmd(m, CMD(0xF5));
    mock_reply(m, CMD(0x01, 0x00));
    mock_expect_cmd(m, CMD(0xF2, 0x62, 0x00));
    uint8_t freqs[52] = {0x80};
    const uint32_t list[] = {24000, 8000, 3300, 1000, 200, 50};
    freqs[8] = 6;
    for (int i = 0; i < 6; i++)
        stl_put_u32(&freqs[12 + 4 * i], list[i]);
    mock_reply(m, freqs, sizeof(freqs));
    mock_expect_cmd(m, CMD(0xF2, 0x61, 0x00, 0x00, 0xC0, 0x5D, 0x00, 0x00)); /* 24000 */
    mock_reply(m, CMD(0x80, 0, 0, 0, 0xC0, 0x5D, 0, 0));
    mock_cmd_status(m, CMD(0xF2, 0x30, 0xA3), 0x80);
    mock_cmd_status(m, CMD(0xF2, 0x4B, 0x00), 0x80); /* INIT_AP on every V3 */
    stp_debug *d = open_ok(m, &f);
    assert_string_equal(d->info.firmware, "V3J16M8");
    assert_string_equal(d->info.kind, "stlink-v3");
    assert_int_equal(d->info.swd_khz, 24000);

    /* --freq 5000 on V3: the highest offered clock not above it. */
    unsigned actual = 0;
    mock_expect_cmd(m, CMD(0xF2, 0x61, 0x00, 0x00, 0xE4, 0x0C, 0x00, 0x00)); /* 3300 */
    mock_reply(m, CMD(0x80, 0, 0, 0, 0xE4, 0x0C, 0, 0));
    assert_int_equal(d->ops->set_swd_khz(d, 5000, &actual, &f), STP_OK);
    assert_int_equal(actual, 3300);
    close_v2(d, m);
    stp_findings_free(&f);
}

static void test_firmware_without_apiv2_refused(void **state)
{
    (void)state;
    mock_usb *m = mock_usb_new(0x3748);
    stp_findings f = {0};
    stp_debug *d = NULL;
    mock_version_v2(m, 0x3748, 10, 4);
    assert_int_equal(stp_stlink_open(&m->base, NULL, &d, &f), STP_ERR_FIRMWARE_OLD);
    assert_null(d);
    const stp_finding *fi = stp_findings_find(&f, "probe.firmware-old");
    assert_non_null(fi);
    assert_non_null(strstr(fi->message, "V2J10S4"));
    assert_non_null(strstr(fi->message, "V2J11"));
    mock_assert_done(m);
    assert_true(m->closed);
    mock_usb_free(m);
    stp_findings_free(&f);
}

static void test_v1_refused(void **state)
{
    (void)state;
    mock_usb *m = mock_usb_new(0x3748);
    stp_findings f = {0};
    stp_debug *d = NULL;
    mock_expect_cmd(m, CMD(0xF1, 0x80));
    mock_reply(m, CMD(0x11, 0x00, 0x83, 0x04, 0x44, 0x37));
    assert_int_equal(stp_stlink_open(&m->base, NULL, &d, &f), STP_ERR_UNSUPPORTED);
    assert_non_null(stp_findings_find(&f, "probe.unsupported"));
    mock_usb_free(m);
    stp_findings_free(&f);
}

static void test_old_firmware_gates(void **state)
{
    (void)state;
    /* V2J21: no SWD_SET_FREQ (firmware clock 1800 kHz), no 16-bit access. */
    mock_usb *m = mock_usb_new(0x3748);
    stp_findings f = {0};
    mock_open_v2(m, 21, 4);
    stp_debug *d = open_ok(m, &f);
    assert_int_equal(d->info.swd_khz, 1800);
    unsigned actual = 0;
    assert_int_equal(d->ops->set_swd_khz(d, 1000, &actual, &f), STP_ERR_FIRMWARE_OLD);
    const stp_finding *fi = stp_findings_find(&f, "probe.firmware-old");
    assert_non_null(fi);
    assert_non_null(strstr(fi->message, "V2J22"));
    stp_findings_clear(&f);
    assert_int_equal(d->ops->write_u16(d, 0x08000000, 0x1234, &f), STP_ERR_FIRMWARE_OLD);
    fi = stp_findings_find(&f, "probe.firmware-old");
    assert_non_null(fi);
    assert_string_equal(fi->evidence[1].value, "16-bit memory access");
    assert_string_equal(fi->evidence[2].value, "V2J26");
    close_v2(d, m);
    stp_findings_free(&f);
}

static void test_voltage_formula(void **state)
{
    (void)state;
    mock_usb *m = mock_usb_new(0x3748);
    stp_findings f = {0};
    mock_open_v2(m, 45, 7);
    stp_debug *d = open_ok(m, &f);
    mock_expect_cmd(m, CMD(0xF7));
    mock_reply(m, CMD(0x40, 0x06, 0, 0, 0x98, 0x08, 0, 0)); /* ref 1600, target 2200 */
    double v = 0;
    assert_int_equal(d->ops->target_voltage(d, &v, &f), STP_OK);
    assert_true(v > 3.2999 && v < 3.3001);
    /* A zero reference reading cannot be turned into volts. */
    mock_expect_cmd(m, CMD(0xF7));
    mock_reply(m, CMD(0, 0, 0, 0, 0x98, 0x08, 0, 0));
    assert_int_equal(d->ops->target_voltage(d, &v, &f), STP_ERR_PROTOCOL);
    assert_non_null(stp_findings_find(&f, "probe.protocol-error"));
    close_v2(d, m);
    stp_findings_free(&f);
}

static void test_v2_clock_table(void **state)
{
    (void)state;
    uint16_t div = 0xFFFF;
    assert_int_equal(stl_v2_khz_pick(4000, &div), 4000);
    assert_int_equal(div, 0);
    assert_int_equal(stl_v2_khz_pick(24000, &div), 4000);
    assert_int_equal(stl_v2_khz_pick(1000, &div), 950);
    assert_int_equal(div, 3);
    assert_int_equal(stl_v2_khz_pick(480, &div), 480);
    assert_int_equal(div, 7);
    assert_int_equal(stl_v2_khz_pick(1, &div), 5);
    assert_int_equal(div, 798);
    const uint32_t list[] = {24000, 8000, 3300, 1000, 200, 50};
    assert_int_equal(stl_v3_khz_pick(list, 6, 100000), 24000);
    assert_int_equal(stl_v3_khz_pick(list, 6, 4000), 3300);
    assert_int_equal(stl_v3_khz_pick(list, 6, 10), 50);

    mock_usb *m = mock_usb_new(0x3748);
    stp_findings f = {0};
    mock_open_v2(m, 45, 7);
    stp_debug *d = open_ok(m, &f);
    mock_cmd_status(m, CMD(0xF2, 0x43, 0x1E, 0x03), 0x80); /* 798 = 0x031E: 5 kHz */
    unsigned actual = 0;
    assert_int_equal(d->ops->set_swd_khz(d, 7, &actual, &f), STP_OK);
    assert_int_equal(actual, 5);
    assert_int_equal(d->info.swd_khz, 5);
    close_v2(d, m);
    stp_findings_free(&f);
}

static void test_short_and_garbled_replies(void **state)
{
    (void)state;
    stp_findings f = {0};
    stp_debug *d = NULL;
    /* Short version reply, also after the USB reset it leads to. */
    mock_usb *m = mock_usb_new(0x3748);
    mock_expect_cmd(m, CMD(0xF1, 0x80));
    mock_reply(m, CMD(0x2B, 0x47, 0x83, 0x04));
    mock_expect_cmd(m, CMD(0xF1, 0x80));
    mock_reply(m, CMD(0x2B, 0x47, 0x83, 0x04));
    assert_int_equal(stp_stlink_open(&m->base, NULL, &d, &f), STP_ERR_PROTOCOL);
    const stp_finding *fi = stp_findings_find(&f, "probe.protocol-error");
    assert_non_null(fi);
    assert_string_equal(fi->evidence[0].value, "GET_VERSION");
    mock_usb_free(m);
    stp_findings_clear(&f);
    /* Unknown probe version nibble. */
    m = mock_usb_new(0x3748);
    mock_expect_cmd(m, CMD(0xF1, 0x80));
    mock_reply(m, CMD(0x7B, 0x47, 0x83, 0x04, 0x48, 0x37));
    mock_expect_cmd(m, CMD(0xF1, 0x80));
    mock_reply(m, CMD(0x7B, 0x47, 0x83, 0x04, 0x48, 0x37));
    assert_int_equal(stp_stlink_open(&m->base, NULL, &d, &f), STP_ERR_PROTOCOL);
    mock_usb_free(m);
    stp_findings_clear(&f);
    /* Unknown mode. */
    m = mock_usb_new(0x3748);
    mock_version_v2(m, 0x3748, 45, 7);
    mock_expect_cmd(m, CMD(0xF5));
    mock_reply(m, CMD(0x09, 0x00));
    assert_int_equal(stp_stlink_open(&m->base, NULL, &d, &f), STP_ERR_PROTOCOL);
    assert_non_null(stp_findings_find(&f, "probe.protocol-error"));
    mock_assert_done(m);
    mock_usb_free(m);
    stp_findings_free(&f);
}

static void test_unplugged_during_open(void **state)
{
    (void)state;
    stp_findings f = {0};
    stp_debug *d = NULL;
    mock_usb *m = mock_usb_new(0x374B);
    mock_version_v2(m, 0x374B, 37, 26);
    mock_expect_cmd(m, CMD(0xF5));
    mock_fail(m, false);
    assert_int_equal(stp_stlink_open(&m->base, NULL, &d, &f), STP_ERR_USB);
    const stp_finding *fi = stp_findings_find(&f, "probe.usb-error");
    assert_non_null(fi);
    assert_string_equal(fi->evidence[2].value, "device unplugged");
    assert_true(m->closed);
    mock_usb_free(m);
    stp_findings_free(&f);
}

static void test_no_target_at_open_is_reported_at_attach(void **state)
{
    (void)state;
    mock_usb *m = mock_usb_new(0x3748);
    stp_findings f = {0};
    mock_version_v2(m, 0x3748, 45, 7);
    mock_expect_cmd(m, CMD(0xF5));
    mock_reply(m, CMD(0x01, 0x00));
    mock_cmd_status(m, CMD(0xF2, 0x30, 0xA3), 0x16); /* SWD_DP_ERROR: nobody answers */
    mock_cmd_status(m, CMD(0xF2, 0x43, 0x01, 0x00), 0x80);
    stp_debug *d = open_ok(m, &f);
    assert_int_equal(f.count, 0);
    /* attach enters SWD again, after leaving the debug mode the failed ENTER may have left
     * (probe-rs, pyOCD), and reports the dead target. */
    mock_expect_cmd(m, CMD(0xF5));
    mock_reply(m, CMD(0x02, 0x00));
    mock_expect_cmd(m, CMD(0xF2, 0x21));
    mock_cmd_status(m, CMD(0xF2, 0x30, 0xA3), 0x16);
    uint32_t id = 0;
    assert_int_equal(d->ops->attach(d, &id, &f), STP_ERR_NO_TARGET);
    const stp_finding *fi = stp_findings_find(&f, "swd.no-response");
    assert_non_null(fi);
    assert_string_equal(fi->evidence[0].value, "0x16 (SWD_DP_ERROR)");
    /* Now the target answers. The probe says it is not in debug mode (an STLINK-V3 after a
     * failed ENTER): no DEBUG_EXIT, which would lock a V3 up (stlink-org PR 1467). */
    mock_expect_cmd(m, CMD(0xF5));
    mock_reply(m, CMD(0x01, 0x00));
    mock_cmd_status(m, CMD(0xF2, 0x30, 0xA3), 0x80);
    mock_cmd_status(m, CMD(0xF2, 0x4B, 0x00), 0x80);
    mock_expect_cmd(m, CMD(0xF2, 0x31));
    mock_reply(m, CMD(0x80, 0, 0, 0, 0x77, 0x14, 0xA0, 0x2B, 0, 0, 0, 0));
    assert_int_equal(d->ops->attach(d, &id, &f), STP_OK);
    assert_int_equal(id, 0x2BA01477);
    close_v2(d, m);
    stp_findings_free(&f);
}

/* STLINK-V3PWR (PID 0x3757, hardware version 4 in GET_VERSION/GET_VERSION_EX) opens as a V3. */
static void test_open_v3pwr(void **state)
{
    (void)state;
    mock_usb *m = mock_usb_new(0x3757);
    stp_findings f = {0};
    mock_expect_cmd(m, CMD(0xF1, 0x80));
    mock_reply(m, CMD(0x40, 0x00, 0x83, 0x04, 0x57, 0x37));
    mock_expect_cmd(m, CMD(0xFB, 0x80));
    mock_reply(m, CMD(4, 0, 3, 2, 1, 0, 0, 0, 0x83, 0x04, 0x57, 0x37));
    mock_expect_cmd(m, CMD(0xF5));
    mock_reply(m, CMD(0x01, 0x00));
    mock_expect_cmd(m, CMD(0xF2, 0x62, 0x00));
    uint8_t freqs[52] = {0x80};
    freqs[8] = 1;
    stl_put_u32(&freqs[12], 24000);
    mock_reply(m, freqs, sizeof(freqs));
    mock_expect_cmd(m, CMD(0xF2, 0x61, 0x00, 0x00, 0xC0, 0x5D, 0x00, 0x00));
    mock_reply(m, CMD(0x80, 0, 0, 0, 0xC0, 0x5D, 0, 0));
    mock_cmd_status(m, CMD(0xF2, 0x30, 0xA3), 0x80);
    mock_cmd_status(m, CMD(0xF2, 0x4B, 0x00), 0x80);
    stp_debug *d = open_ok(m, &f);
    assert_string_equal(d->info.kind, "stlink-v3pwr");
    assert_string_equal(d->info.firmware, "V4J3M2B1");
    assert_int_equal(stp_stlink_hw_from_pid(0x0483, 0x3757), STP_STLINK_HW_V3PWR);
    close_v2(d, m);
    stp_findings_free(&f);
}

/* V2-1 firmware without a JTAG/SWD part (STM8 boards) is named as such, not "too old". */
static void test_stm8_only_firmware_refused(void **state)
{
    (void)state;
    mock_usb *m = mock_usb_new(0x374B);
    stp_findings f = {0};
    stp_debug *d = NULL;
    mock_version_v2(m, 0x374B, 0, 30);
    assert_int_equal(stp_stlink_open(&m->base, NULL, &d, &f), STP_ERR_UNSUPPORTED);
    const stp_finding *fi = stp_findings_find(&f, "probe.unsupported");
    assert_non_null(fi);
    assert_non_null(strstr(fi->message, "STM8"));
    assert_null(stp_findings_find(&f, "probe.firmware-old"));
    mock_assert_done(m);
    mock_usb_free(m);
    stp_findings_free(&f);
}

/* FPU registers through READREG need V2J15: refused before a command is sent. */
static void test_fpu_registers_need_j15(void **state)
{
    (void)state;
    mock_usb *m = mock_usb_new(0x3748);
    stp_findings f = {0};
    mock_open_v2(m, 14, 4);
    stp_debug *d = open_ok(m, &f);
    uint32_t v = 0;
    assert_int_equal(d->ops->read_reg(d, 0x21, &v, &f), STP_ERR_FIRMWARE_OLD);
    assert_int_equal(d->ops->write_reg(d, 0x40, 0, &f), STP_ERR_FIRMWARE_OLD);
    assert_non_null(stp_findings_find(&f, "probe.firmware-old"));
    mock_expect_cmd(m, CMD(0xF2, 0x33, 0x0F)); /* PC still works */
    mock_reply(m, CMD(0x80, 0, 0, 0, 0x01, 0x02, 0x00, 0x08));
    assert_int_equal(d->ops->read_reg(d, 15, &v, &f), STP_OK);
    assert_int_equal(v, 0x08000201);
    close_v2(d, m);
    stp_findings_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_v2_mass_storage),
        cmocka_unit_test(test_open_leaves_dfu_mode),
        cmocka_unit_test(test_open_leaves_previous_debug_session),
        cmocka_unit_test(test_open_v3),
        cmocka_unit_test(test_firmware_without_apiv2_refused),
        cmocka_unit_test(test_v1_refused),
        cmocka_unit_test(test_old_firmware_gates),
        cmocka_unit_test(test_voltage_formula),
        cmocka_unit_test(test_v2_clock_table),
        cmocka_unit_test(test_short_and_garbled_replies),
        cmocka_unit_test(test_unplugged_during_open),
        cmocka_unit_test(test_no_target_at_open_is_reported_at_attach),
        cmocka_unit_test(test_open_v3pwr),
        cmocka_unit_test(test_open_recovers_probe_left_mid_transfer),
        cmocka_unit_test(test_stm8_only_firmware_refused),
        cmocka_unit_test(test_fpu_registers_need_j15),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
