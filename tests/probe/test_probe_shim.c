/* Component test through the real libusb code path: run with
 * LD_PRELOAD=libstprog-usbsim.so and STPROG_SIM=sim:stm32f407vg, so libusb sees the virtual
 * ST-Link (V2-1, default serial) with an F407 behind it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "probe/debug.h"
#include "stprog/probe.h"

#define SIM_SERIAL "0670FF484849785087085530"

static void test_list_shows_the_virtual_probe(void **state)
{
    (void)state;
    stp_findings f = {0};
    stp_probe_entry *list = NULL;
    size_t n = 0;
    assert_int_equal(stp_probe_list(NULL, &list, &n, &f), STP_OK);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].kind, "stlink-v2-1");
    assert_string_equal(list[0].serial, SIM_SERIAL);
    assert_string_equal(list[0].firmware, "V2J45M30");
    assert_string_equal(list[0].spec, "stlink:" SIM_SERIAL);
    assert_true(list[0].usable);
    assert_int_equal(list[0].pid, 0x374B);
    stp_probe_list_free(list);
    stp_findings_free(&f);
}

static void test_open_read_write(void **state)
{
    (void)state;
    stp_findings f = {0};
    stp_debug *d = NULL;
    stp_status st = stp_probe_open("stlink", NULL, &d, &f);
    for (size_t i = 0; i < f.count; i++)
        fprintf(stderr, "%s: %s\n", f.items[i].id, f.items[i].message);
    assert_int_equal(st, STP_OK);
    assert_string_equal(stp_probe_get_info(d)->firmware, "V2J45M30");
    assert_string_equal(stp_probe_get_info(d)->serial, SIM_SERIAL);
    uint32_t id = 0;
    assert_int_equal(d->ops->read_u32(d, 0xE0042000, &id, &f), STP_OK);
    assert_int_equal(id & 0xFFF, 0x413);
    double v = 0;
    assert_int_equal(stp_probe_target_voltage(d, &v, &f), STP_OK);
    assert_true(v > 3.25 && v < 3.35);
    static uint8_t out[3000], back[3000];
    for (size_t i = 0; i < sizeof(out); i++)
        out[i] = (uint8_t)(i ^ 0x5A);
    assert_int_equal(d->ops->write_mem(d, 0x20000001, out, sizeof(out), &f), STP_OK);
    assert_int_equal(d->ops->read_mem(d, 0x20000001, back, sizeof(back), &f), STP_OK);
    assert_memory_equal(out, back, sizeof(out));
    stp_probe_close(d);
    assert_int_equal(f.count, 0);
    stp_findings_free(&f);
}

static void test_choose_by_serial(void **state)
{
    (void)state;
    stp_findings f = {0};
    stp_debug *d = NULL;
    assert_int_equal(stp_probe_open("stlink:0670ff484849785087085530", NULL, &d, &f), STP_OK);
    stp_probe_close(d);
    d = NULL;
    assert_int_equal(stp_probe_open("stlink:123456", NULL, &d, &f), STP_ERR_NO_PROBE);
    assert_null(d);
    const stp_finding *fi = stp_findings_find(&f, "probe.not-found");
    assert_non_null(fi);
    assert_non_null(strstr(fi->evidence[1].value, SIM_SERIAL));
    stp_findings_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_shows_the_virtual_probe),
        cmocka_unit_test(test_open_read_write),
        cmocka_unit_test(test_choose_by_serial),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
