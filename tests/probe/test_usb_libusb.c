/* The libusb transport against a scripted libusb: which probe is chosen, and the findings a
 * user sees for no probe, several probes, no permission, a busy probe, an ST-Link V1, and a
 * probe unplugged in the middle of transfers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libusb.h>
#include <string.h>

#include "core/alloc.h"
#include "fake_libusb.h"
#include "stprog/probe.h"
#include "probe/stlink.h"
#include "transport/transport.h"

static const uint16_t serial_a[] = {'0', '6', '6', 'D', 'F', 'F', '4', '8'};
static const uint16_t serial_b[] = {'0', '6', '7', '0', 'F', 'F', '1', '2'};
/* ST-Link V2: 12 binary bytes. */
static const uint16_t serial_v2[12] = {0x55, 0xFF, 0x6B, 0x06, 0x49, 0x77,
                                       0x50, 0x54, 0x26, 0x31, 0x12, 0x87};

#define DEV(pid_, ser_, bus_, addr_)                                                               \
    {                                                                                              \
        .vid = 0x0483, .pid = (pid_), .serial = (ser_),                                            \
        .serial_len = sizeof(ser_) / sizeof((ser_)[0]), .transfers_before_unplug = -1,             \
        .bus = (bus_), .address = (addr_)                                                          \
    }

/* Every init has its exit, every open its close, every claim its release. */
static void assert_balanced(void)
{
    const fake_libusb_stats *s = fake_libusb_stats_get();
    assert_int_equal(s->inits, s->exits);
    assert_int_equal(s->opens, s->closes);
    assert_int_equal(s->claims, s->releases);
}

static void test_no_probe(void **state)
{
    (void)state;
    const fake_usb_dev other = {.vid = 0x1366, .pid = 0x0105, .transfers_before_unplug = -1};
    fake_libusb_set(&other, 1);
    stp_findings f = {0};
    stp_usb *usb = NULL;
    assert_int_equal(stp_usb_libusb_open(&stp_stlink_usb_filter, NULL, NULL, &usb, &f),
                     STP_ERR_NO_PROBE);
    assert_null(usb);
    const stp_finding *fi = stp_findings_find(&f, "probe.not-found");
    assert_non_null(fi);
    assert_string_equal(fi->message, "no ST-Link found on USB");
    assert_balanced();
    stp_findings_free(&f);
}

static void test_only_probe_is_taken_and_v2_serial_is_hex(void **state)
{
    (void)state;
    const fake_usb_dev devs[] = {DEV(0x3748, serial_v2, 1, 7)};
    fake_libusb_set(devs, 1);
    stp_findings f = {0};
    stp_usb *usb = NULL;
    assert_int_equal(stp_usb_libusb_open(&stp_stlink_usb_filter, NULL, NULL, &usb, &f), STP_OK);
    assert_string_equal(usb->info.serial, "55FF6B064977505426311287");
    assert_int_equal(usb->info.pid, 0x3748);
    assert_int_equal(usb->info.ep_out, 0x02);
    assert_int_equal(usb->info.ep_in, 0x81);
    usb->ops->close(usb);
    assert_balanced();
    /* The serial as printed selects it (any case). */
    usb = NULL;
    assert_int_equal(
        stp_usb_libusb_open(&stp_stlink_usb_filter, "55ff6b064977505426311287", NULL, &usb, &f),
        STP_OK);
    usb->ops->close(usb);
    assert_int_equal(f.count, 0);
    assert_balanced();
    stp_findings_free(&f);
}

static void test_several_probes_need_a_serial(void **state)
{
    (void)state;
    const fake_usb_dev devs[] = {DEV(0x374B, serial_a, 1, 4), DEV(0x374F, serial_b, 2, 9)};
    fake_libusb_set(devs, 2);
    stp_findings f = {0};
    stp_usb *usb = NULL;
    assert_int_equal(stp_usb_libusb_open(&stp_stlink_usb_filter, NULL, NULL, &usb, &f),
                     STP_ERR_PROBE_AMBIGUOUS);
    const stp_finding *fi = stp_findings_find(&f, "probe.ambiguous");
    assert_non_null(fi);
    assert_int_equal(fi->evidence_count, 2);
    assert_string_equal(fi->evidence[0].value, "stlink-v2-1 serial 066DFF48 (bus 1 address 4)");
    assert_string_equal(fi->evidence[1].value, "stlink-v3 serial 0670FF12 (bus 2 address 9)");
    assert_non_null(strstr(fi->advice, "--probe stlink:SERIAL"));
    assert_balanced();
    /* With a serial: that one. */
    assert_int_equal(stp_usb_libusb_open(&stp_stlink_usb_filter, "0670FF12", NULL, &usb, &f),
                     STP_OK);
    assert_int_equal(usb->info.pid, 0x374F);
    assert_int_equal(usb->info.ep_out, 0x01);
    usb->ops->close(usb);
    /* A serial nobody has: not found, listing the ones present. */
    stp_findings_clear(&f);
    assert_int_equal(stp_usb_libusb_open(&stp_stlink_usb_filter, "DEADBEEF", NULL, &usb, &f),
                     STP_ERR_NO_PROBE);
    fi = stp_findings_find(&f, "probe.not-found");
    assert_non_null(fi);
    assert_string_equal(fi->evidence[0].value, "DEADBEEF");
    assert_int_equal(fi->evidence_count, 3);
    assert_balanced();
    stp_findings_free(&f);
}

static void test_permission_denied_points_to_udev_rule(void **state)
{
    (void)state;
    fake_usb_dev dev = DEV(0x374B, serial_a, 3, 12);
    dev.open_rc = LIBUSB_ERROR_ACCESS;
    fake_libusb_set(&dev, 1);
    stp_findings f = {0};
    stp_usb *usb = NULL;
    assert_int_equal(stp_usb_libusb_open(&stp_stlink_usb_filter, NULL, NULL, &usb, &f),
                     STP_ERR_PERMISSION);
    const stp_finding *fi = stp_findings_find(&f, "probe.permission-denied");
    assert_non_null(fi);
    assert_string_equal(fi->evidence[0].value, "/dev/bus/usb/003/012");
    assert_non_null(strstr(fi->advice, "contrib/60-stprog.rules"));
    assert_balanced();
    /* Asked by serial, the unreadable probe cannot match: the advice still names the rule. */
    stp_findings_clear(&f);
    assert_int_equal(stp_usb_libusb_open(&stp_stlink_usb_filter, "066DFF48", NULL, &usb, &f),
                     STP_ERR_NO_PROBE);
    fi = stp_findings_find(&f, "probe.not-found");
    assert_non_null(fi);
    assert_non_null(strstr(fi->advice, "contrib/60-stprog.rules"));
    assert_balanced();
    stp_findings_free(&f);
}

static void test_probe_in_use(void **state)
{
    (void)state;
    fake_usb_dev dev = DEV(0x374B, serial_a, 1, 4);
    dev.claim_rc = LIBUSB_ERROR_BUSY;
    fake_libusb_set(&dev, 1);
    stp_findings f = {0};
    stp_usb *usb = NULL;
    assert_int_equal(stp_usb_libusb_open(&stp_stlink_usb_filter, NULL, NULL, &usb, &f),
                     STP_ERR_PROBE_BUSY);
    const stp_finding *fi = stp_findings_find(&f, "probe.busy");
    assert_non_null(fi);
    assert_non_null(strstr(fi->message, "066DFF48"));
    assert_non_null(strstr(fi->advice, "OpenOCD"));
    assert_balanced();
    stp_findings_free(&f);
}

static void test_stlink_v1_refused(void **state)
{
    (void)state;
    const fake_usb_dev dev = DEV(0x3744, serial_a, 1, 2);
    fake_libusb_set(&dev, 1);
    stp_findings f = {0};
    stp_usb *usb = NULL;
    assert_int_equal(stp_usb_libusb_open(&stp_stlink_usb_filter, NULL, NULL, &usb, &f),
                     STP_ERR_UNSUPPORTED);
    assert_non_null(stp_findings_find(&f, "probe.unsupported"));
    assert_balanced();
    stp_findings_free(&f);
}

static void test_unplug_mid_transfer_fails_cleanly(void **state)
{
    (void)state;
    fake_usb_dev dev = DEV(0x374B, serial_a, 1, 4);
    dev.transfers_before_unplug = 2;
    fake_libusb_set(&dev, 1);
    stp_findings f = {0};
    stp_usb *usb = NULL;
    assert_int_equal(stp_usb_libusb_open(&stp_stlink_usb_filter, NULL, NULL, &usb, &f), STP_OK);
    uint8_t cmd[16] = {0xF1, 0x80}, reply[6];
    size_t got = 0;
    assert_int_equal(usb->ops->bulk_out(usb, usb->info.ep_out, cmd, 16, 1000), STP_OK);
    assert_int_equal(usb->ops->bulk_in(usb, usb->info.ep_in, reply, 6, &got, 1000), STP_OK);
    assert_int_equal(got, 6);
    assert_int_equal(usb->ops->bulk_out(usb, usb->info.ep_out, cmd, 16, 1000), STP_ERR_USB);
    assert_string_equal(usb->error, "device unplugged");
    assert_int_equal(usb->ops->bulk_in(usb, usb->info.ep_in, reply, 6, &got, 1000), STP_ERR_USB);
    assert_int_equal(got, 0);
    /* Every transfer carried a timeout. */
    assert_int_equal(fake_libusb_stats_get()->last_timeout_ms, 1000);
    usb->ops->close(usb);
    assert_balanced();
    stp_findings_free(&f);
}

static void test_list(void **state)
{
    (void)state;
    fake_usb_dev devs[] = {DEV(0x374B, serial_a, 1, 4), DEV(0x3748, serial_v2, 1, 5),
                           DEV(0x3744, serial_b, 2, 1), DEV(0x374F, serial_b, 2, 3)};
    devs[1].open_rc = LIBUSB_ERROR_ACCESS;
    fake_libusb_set(devs, 4);
    stp_findings f = {0};
    stp_usb_device *list = NULL;
    size_t n = 0;
    assert_int_equal(stp_usb_libusb_list(&stp_stlink_usb_filter, &list, &n, &f), STP_OK);
    assert_int_equal(n, 4);
    assert_int_equal(list[0].kind, STP_STLINK_HW_V2_1);
    assert_string_equal(list[0].info.serial, "066DFF48");
    assert_true(list[0].accessible);
    assert_false(list[1].accessible);
    assert_string_equal(list[1].info.serial, "");
    assert_int_equal(list[2].kind, STP_STLINK_HW_V1);
    assert_int_equal(list[3].kind, STP_STLINK_HW_V3);
    stp_free(list);
    assert_balanced();
    stp_findings_free(&f);
}

/* What `stprog probes` gets: each probe with the reason it cannot be used. */
static void test_probe_list_entries(void **state)
{
    (void)state;
    fake_usb_dev devs[] = {DEV(0x374B, serial_a, 1, 4), DEV(0x374F, serial_b, 1, 5),
                           DEV(0x3748, serial_v2, 2, 1), DEV(0x3744, serial_v2, 2, 2)};
    devs[1].claim_rc = LIBUSB_ERROR_BUSY;
    devs[2].open_rc = LIBUSB_ERROR_ACCESS;
    fake_libusb_set(devs, 4);
    stp_findings f = {0};
    stp_probe_entry *list = NULL;
    size_t n = 0;
    assert_int_equal(stp_probe_list(NULL, &list, &n, &f), STP_OK);
    assert_int_equal(n, 4);
    assert_string_equal(list[0].spec, "stlink:066DFF48");
    assert_true(list[0].usable);
    assert_false(list[1].usable);
    assert_string_equal(list[1].problem, "in use by another program");
    assert_false(list[2].usable);
    assert_non_null(strstr(list[2].problem, "contrib/60-stprog.rules"));
    assert_false(list[3].usable);
    assert_string_equal(list[3].kind, "stlink-v1");
    stp_probe_list_free(list);
    assert_balanced();
    stp_findings_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_probe),
        cmocka_unit_test(test_only_probe_is_taken_and_v2_serial_is_hex),
        cmocka_unit_test(test_several_probes_need_a_serial),
        cmocka_unit_test(test_permission_denied_points_to_udev_rule),
        cmocka_unit_test(test_probe_in_use),
        cmocka_unit_test(test_stlink_v1_refused),
        cmocka_unit_test(test_unplug_mid_transfer_fails_cleanly),
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_probe_list_entries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
