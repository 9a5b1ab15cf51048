/* Probe specs, USB identities and serial-number formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "stprog/probe.h"
#include "probe/registry.h"
#include "probe/stlink.h"
#include "transport/transport.h"

static void test_bad_specs_list_accepted_forms(void **state)
{
    (void)state;
    const char *bad[] = {"jlink", "stlink:", "STLINK", "sim", "jlink:1234"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        stp_findings f = {0};
        stp_debug *d = (stp_debug *)&f; /* must be reset to NULL */
        assert_int_equal(stp_probe_open(bad[i], NULL, &d, &f), STP_ERR_INVALID_ARG);
        assert_null(d);
        const stp_finding *fi = stp_findings_find(&f, "probe.spec-invalid");
        assert_non_null(fi);
        assert_non_null(strstr(fi->message, "stlink:SERIAL"));
        assert_non_null(strstr(fi->message, "sim:PART"));
        assert_non_null(strstr(fi->message, "cmsis-dap:SERIAL"));
        assert_string_equal(fi->evidence[0].value, bad[i]);
        stp_findings_free(&f);
    }
    /* Every kind of the registry is listed with its forms. */
    bool stlink = false, sim = false, uart = false, dap = false;
    for (size_t i = 0; stp_probe_kind_at(i) != NULL; i++) {
        const stp_probe_kind *k = stp_probe_kind_at(i);
        assert_non_null(k->forms);
        assert_non_null(strstr(k->forms, k->prefix));
        stlink = stlink || strcmp(k->prefix, "stlink") == 0;
        sim = sim || strcmp(k->prefix, "sim") == 0;
        uart = uart || strcmp(k->prefix, "uart") == 0;
        dap = dap || (strcmp(k->prefix, "cmsis-dap") == 0 && k->on_usb);
    }
    assert_true(stlink && sim && uart && dap);
}

/* A device with one interface (class, endpoints, name) as the libusb transport sees it. */
static stp_usb_device dap_device(uint8_t cls, bool interrupt, const char *iface,
                                 const char *product, bool strings)
{
    stp_usb_device d;
    memset(&d, 0, sizeof d);
    d.info.vid = 0x2E8A;
    d.info.pid = 0x000C;
    d.chosen = -1;
    d.strings_read = strings;
    d.interface_count = 2;
    d.interfaces[0] = (stp_usb_interface){.number = 0, .cls = 0x02}; /* CDC: a VCP */
    d.interfaces[1] = (stp_usb_interface){
        .number = 1, .cls = cls, .ep_out = 0x04, .ep_in = 0x85, .interrupt = interrupt};
    snprintf(d.interfaces[1].name, sizeof d.interfaces[1].name, "%s", iface);
    snprintf(d.info.description, sizeof d.info.description, "%s", product);
    return d;
}

/* CMSIS-DAP probes are known by strings, not IDs: v2 by a vendor interface named
 * "CMSIS-DAP" with bulk endpoints, v1 by a HID interface of a "CMSIS-DAP" product. */
static void test_cmsis_dap_filter(void **state)
{
    (void)state;
    const stp_usb_filter *flt = stp_cmsis_dap_driver.usb;
    stp_usb_device d = dap_device(0xFF, false, "CMSIS-DAP v2 Interface", "Debugprobe", false);
    assert_int_equal(flt->match(&d), STP_USB_NEED_STRINGS);
    d.strings_read = true;
    assert_int_equal(flt->match(&d), STP_USB_MINE);
    assert_int_equal(d.chosen, 1);
    assert_string_equal(d.kind_name, "cmsis-dap-v2");
    d = dap_device(0x03, true, "", "DAPLink CMSIS-DAP", true);
    assert_int_equal(flt->match(&d), STP_USB_MINE);
    assert_string_equal(d.kind_name, "cmsis-dap-v1");
    d = dap_device(0xFF, false, "Vendor thing", "Some probe", true); /* not named */
    assert_int_equal(flt->match(&d), STP_USB_NOT_MINE);
    d = dap_device(0x03, true, "", "A keyboard", true);
    assert_int_equal(flt->match(&d), STP_USB_NOT_MINE);
    d = dap_device(0x02, false, "", "CMSIS-DAP", true); /* no HID or vendor interface */
    assert_int_equal(flt->match(&d), STP_USB_NOT_MINE);
}

static void test_pids(void **state)
{
    (void)state;
    assert_int_equal(stp_stlink_hw_from_pid(0x0483, 0x3744), STP_STLINK_HW_V1);
    assert_int_equal(stp_stlink_hw_from_pid(0x0483, 0x3748), STP_STLINK_HW_V2);
    assert_int_equal(stp_stlink_hw_from_pid(0x0483, 0x374B), STP_STLINK_HW_V2_1);
    assert_int_equal(stp_stlink_hw_from_pid(0x0483, 0x374A), STP_STLINK_HW_V2_1);
    assert_int_equal(stp_stlink_hw_from_pid(0x0483, 0x3752), STP_STLINK_HW_V2_1);
    const uint16_t v3[] = {0x374E, 0x374F, 0x3753, 0x3754};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(stp_stlink_hw_from_pid(0x0483, v3[i]), STP_STLINK_HW_V3);
    assert_int_equal(stp_stlink_hw_from_pid(0x0483, 0x5740), STP_STLINK_HW_UNKNOWN);
    assert_int_equal(stp_stlink_hw_from_pid(0x1366, 0x3748), STP_STLINK_HW_UNKNOWN);
    uint8_t out, in;
    stp_stlink_endpoints(STP_STLINK_HW_V2, &out, &in);
    assert_int_equal(out, 0x02);
    assert_int_equal(in, 0x81);
    stp_stlink_endpoints(STP_STLINK_HW_V3, &out, &in);
    assert_int_equal(out, 0x01);
}

static void test_serial_formatting(void **state)
{
    (void)state;
    char s[64];
    /* ST-Link V2: 12 raw bytes, printed as 24 hex digits. */
    const uint16_t bin[12] = {0x55, 0xFF, 0x6B, 0x06, 0x49, 0x77,
                              0x50, 0x54, 0x26, 0x31, 0x12, 0x87};
    stp_stlink_format_serial(bin, 12, 0x3748, s, sizeof(s));
    assert_string_equal(s, "55FF6B064977505426311287");
    /* V2-1 and V3 report a printable string. */
    const uint16_t txt[] = {'0', '6', '6', 'D', 'F', 'F', '4', '8'};
    stp_stlink_format_serial(txt, 8, 0x374B, s, sizeof(s));
    assert_string_equal(s, "066DFF48");
    /* Truncation keeps the string terminated. */
    char small[5];
    stp_stlink_format_serial(bin, 12, 0x3748, small, sizeof(small));
    assert_string_equal(small, "55FF");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_specs_list_accepted_forms),
        cmocka_unit_test(test_pids),
        cmocka_unit_test(test_cmsis_dap_filter),
        cmocka_unit_test(test_serial_formatting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
