/* Component tests: the ST-Link driver through the in-process transport against the virtual
 * board (sim/): what `--probe sim:...` users get. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe/debug.h"
#include "stprog/probe.h"

static stp_debug *open_sim(const char *spec, stp_findings *f)
{
    stp_debug *d = NULL;
    stp_status st = stp_probe_open(spec, NULL, &d, f);
    if (st != STP_OK) {
        for (size_t i = 0; i < f->count; i++)
            fprintf(stderr, "%s: %s\n", f->items[i].id, f->items[i].message);
        fail_msg("cannot open %s: %s", spec, stp_status_name(st));
    }
    return d;
}

static void test_f407_identity_and_voltage(void **state)
{
    (void)state;
    stp_findings f = {0};
    stp_debug *d = open_sim("sim:stm32f407vg", &f);
    const stp_probe_info *in = stp_probe_get_info(d);
    assert_string_equal(in->kind, "stlink-v2-1");
    assert_string_equal(in->firmware, "V2J45M30");
    assert_string_equal(in->serial, "0670FF484849785087085530");
    assert_int_equal(in->swd_khz, 1800);
    uint32_t dp = 0;
    assert_int_equal(d->ops->attach(d, &dp, &f), STP_OK);
    assert_int_equal(dp, 0x2BA01477); /* Cortex-M4 SW-DP (RM0090 38.6.1) */
    uint32_t idcode = 0;
    assert_int_equal(d->ops->read_u32(d, 0xE0042000, &idcode, &f), STP_OK);
    assert_int_equal(idcode & 0xFFF, 0x413);
    uint8_t raw[4];
    assert_int_equal(d->ops->read_mem(d, 0xE0042000, raw, 4, &f), STP_OK);
    assert_int_equal(raw[0] | raw[1] << 8, idcode & 0xFFFF);
    double v = 0;
    assert_int_equal(stp_probe_target_voltage(d, &v, &f), STP_OK);
    assert_true(v > 3.25 && v < 3.35);
    assert_int_equal(f.count, 0);
    stp_probe_close(d);
    stp_findings_free(&f);
}

static void test_sram_round_trip(void **state)
{
    (void)state;
    stp_findings f = {0};
    stp_debug *d = open_sim("sim:stm32f407vg", &f);
    static uint8_t out[5000], back[5000];
    for (size_t i = 0; i < sizeof(out); i++)
        out[i] = (uint8_t)(i * 13 + 5);
    /* Unaligned start and end, across several 1 KiB boundaries. */
    assert_int_equal(d->ops->write_mem(d, 0x20000003, out, 4097, &f), STP_OK);
    assert_int_equal(d->ops->read_mem(d, 0x20000003, back, 4097, &f), STP_OK);
    assert_memory_equal(back, out, 4097);
    /* Byte-exact edges: the bytes around the written range keep their values. */
    uint8_t before = 0xA5;
    assert_int_equal(d->ops->write_mem(d, 0x20002000, &before, 1, &f), STP_OK);
    assert_int_equal(d->ops->write_mem(d, 0x20002001, out, 3, &f), STP_OK);
    uint8_t four[4];
    assert_int_equal(d->ops->read_mem(d, 0x20002000, four, 4, &f), STP_OK);
    assert_int_equal(four[0], 0xA5);
    assert_memory_equal(four + 1, out, 3);
    /* Half-word writes and single words. */
    assert_int_equal(d->ops->write_mem16(d, 0x20003000, out, 100, &f), STP_OK);
    assert_int_equal(d->ops->read_mem(d, 0x20003000, back, 100, &f), STP_OK);
    assert_memory_equal(back, out, 100);
    assert_int_equal(d->ops->write_u32(d, 0x20003100, 0xCAFEF00D, &f), STP_OK);
    uint32_t w = 0;
    assert_int_equal(d->ops->read_u32(d, 0x20003100, &w, &f), STP_OK);
    assert_int_equal(w, 0xCAFEF00D);
    assert_int_equal(f.count, 0);
    stp_probe_close(d);
    stp_findings_free(&f);
}

static void test_probe_kinds_and_clocks(void **state)
{
    (void)state;
    stp_findings f = {0};
    stp_debug *d = open_sim("sim:stm32f407vg,probe=v2", &f); /* starts in DFU mode */
    assert_string_equal(stp_probe_get_info(d)->firmware, "V2J45S7");
    assert_string_equal(stp_probe_get_info(d)->kind, "stlink-v2");
    unsigned khz = 0;
    assert_int_equal(stp_probe_set_clock(d, 1000, &khz, &f), STP_OK);
    assert_int_equal(khz, 950);
    uint32_t id = 0;
    assert_int_equal(d->ops->read_u32(d, 0xE0042000, &id, &f), STP_OK);
    assert_int_equal(id & 0xFFF, 0x413);
    stp_probe_close(d);

    d = open_sim("sim:stm32f407vg,probe=v3", &f);
    assert_string_equal(stp_probe_get_info(d)->firmware, "V3J16M8");
    assert_int_equal(stp_probe_get_info(d)->swd_khz, 24000);
    assert_int_equal(stp_probe_set_clock(d, 5000, &khz, &f), STP_OK);
    assert_int_equal(khz, 3300);
    assert_int_equal(d->ops->read_u32(d, 0xE0042000, &id, &f), STP_OK);
    assert_int_equal(id & 0xFFF, 0x413);
    stp_probe_close(d);
    assert_int_equal(f.count, 0);
    stp_findings_free(&f);
}

static void test_old_firmware_on_the_virtual_probe(void **state)
{
    (void)state;
    stp_findings f = {0};
    stp_debug *d = open_sim("sim:stm32f407vg,probe=v2,fw=V2J21S4", &f);
    assert_int_equal(stp_probe_get_info(d)->swd_khz, 1800);
    assert_int_equal(stp_probe_set_clock(d, 4000, NULL, &f), STP_ERR_FIRMWARE_OLD);
    assert_int_equal(d->ops->write_u16(d, 0x20000000, 1, &f), STP_ERR_FIRMWARE_OLD);
    const stp_finding *fi = stp_findings_find(&f, "probe.firmware-old");
    assert_non_null(fi);
    assert_non_null(strstr(fi->message, "V2J21S4"));
    /* What it has still works. */
    uint8_t b[8] = {1, 2, 3, 4, 5, 6, 7, 8}, r[8];
    assert_int_equal(d->ops->write_mem(d, 0x20000000, b, 8, &f), STP_OK);
    assert_int_equal(d->ops->read_mem(d, 0x20000000, r, 8, &f), STP_OK);
    assert_memory_equal(b, r, 8);
    stp_probe_close(d);
    stp_findings_free(&f);
}

static void test_low_voltage_and_faults(void **state)
{
    (void)state;
    stp_findings f = {0};
    stp_debug *d = open_sim("sim:stm32f407vg,vdd=2.0", &f);
    double v = 0;
    assert_int_equal(stp_probe_target_voltage(d, &v, &f), STP_OK);
    assert_true(v > 1.95 && v < 2.05);
    /* Reserved address space: a bus fault, reported once with its address. */
    uint32_t w;
    assert_int_equal(d->ops->read_u32(d, 0x60000000, &w, &f), STP_ERR_TARGET_FAULT);
    const stp_finding *fi = stp_findings_find(&f, "swd.ap-fault");
    assert_non_null(fi);
    assert_string_equal(fi->evidence[2].value, "0x60000000");
    stp_probe_close(d);
    stp_findings_free(&f);
}

/* Firmware that turns the SWD pins off: attach fails with swd.no-target; holding NRST (the
 * probe's DRIVE_NRST) lets the debugger in, as connect-under-reset does. */
static void test_swd_off_needs_reset(void **state)
{
    (void)state;
    stp_findings f = {0};
    stp_debug *d = open_sim("sim:stm32f407vg,firmware=swd-off", &f);
    d->ops->delay_ms(d, 50);
    uint32_t id = 0;
    assert_int_equal(d->ops->attach(d, &id, &f), STP_ERR_NO_TARGET);
    const stp_finding *fi = stp_findings_find(&f, "swd.no-target");
    assert_non_null(fi);
    assert_string_equal(fi->evidence[0].value, "0x09 (JTAG_GET_IDCODE_ERROR)");
    assert_int_equal(d->ops->set_nrst(d, true, &f), STP_OK);
    assert_int_equal(d->ops->attach(d, &id, &f), STP_OK);
    assert_int_equal(id, 0x2BA01477);
    assert_int_equal(d->ops->read_u32(d, 0xE0042000, &id, &f), STP_OK);
    assert_int_equal(id & 0xFFF, 0x413);
    stp_probe_close(d);
    stp_findings_free(&f);
}

/* A clone that garbles bulk writes longer than 512 bytes: long writes do not read back;
 * capping transfers at 512 bytes works around it. */
static void test_transfer_limit_works_around_bad_clone(void **state)
{
    (void)state;
    stp_findings f = {0};
    stp_debug *d = open_sim("sim:stm32f407vg,probe-bug=corrupt-over:512", &f);
    static uint8_t out[4096], back[4096];
    for (size_t i = 0; i < sizeof(out); i++)
        out[i] = (uint8_t)(i * 29 + 1);
    assert_int_equal(d->ops->write_mem(d, 0x20000000, out, sizeof(out), &f), STP_OK);
    assert_int_equal(d->ops->read_mem(d, 0x20000000, back, sizeof(back), &f), STP_OK);
    assert_memory_not_equal(out, back, sizeof(out));
    assert_int_equal(d->ops->set_transfer_limit(d, 512), 512);
    assert_int_equal(d->ops->write_mem(d, 0x20000000, out, sizeof(out), &f), STP_OK);
    assert_int_equal(d->ops->read_mem(d, 0x20000000, back, sizeof(back), &f), STP_OK);
    assert_memory_equal(out, back, sizeof(out));
    stp_probe_close(d);
    stp_findings_free(&f);
}

static void test_bad_sim_spec(void **state)
{
    (void)state;
    stp_findings f = {0};
    stp_debug *d = NULL;
    assert_int_equal(stp_probe_open("sim:stm32f999zz", NULL, &d, &f), STP_ERR_INVALID_ARG);
    assert_null(d);
    assert_non_null(stp_findings_find(&f, "sim.spec-invalid"));
    stp_findings_free(&f);
}

static void test_virtual_time_and_report(void **state)
{
    (void)state;
    char path[] = "/tmp/stprog-probe-report-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    setenv("STPROG_SIM_REPORT", path, 1);
    stp_findings f = {0};
    stp_debug *d = open_sim("sim:stm32f407vg", &f);
    unsetenv("STPROG_SIM_REPORT");
    uint64_t t0 = d->ops->now_ms(d);
    d->ops->delay_ms(d, 250);
    assert_true(d->ops->now_ms(d) - t0 >= 250);
    assert_true(d->ops->now_ms(d) - t0 < 260);
    static uint8_t buf[16384];
    uint64_t t1 = d->ops->now_ms(d);
    assert_int_equal(d->ops->read_mem(d, 0x20000000, buf, sizeof(buf), &f), STP_OK);
    assert_true(d->ops->now_ms(d) > t1); /* reading 16 KiB costs virtual time */
    stp_probe_close(d);
    FILE *rf = fopen(path, "r");
    assert_non_null(rf);
    char text[1024] = "";
    size_t n = fread(text, 1, sizeof(text) - 1, rf);
    fclose(rf);
    unlink(path);
    text[n] = '\0';
    assert_non_null(strstr(text, "\"part\":\"stm32f407vg\""));
    assert_non_null(strstr(text, "\"usb_transfers\":"));
    assert_null(strstr(text, "\"usb_transfers\":0,"));
    stp_findings_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f407_identity_and_voltage),
        cmocka_unit_test(test_sram_round_trip),
        cmocka_unit_test(test_probe_kinds_and_clocks),
        cmocka_unit_test(test_old_firmware_on_the_virtual_probe),
        cmocka_unit_test(test_low_voltage_and_faults),
        cmocka_unit_test(test_swd_off_needs_reset),
        cmocka_unit_test(test_transfer_limit_works_around_bad_clone),
        cmocka_unit_test(test_bad_sim_spec),
        cmocka_unit_test(test_virtual_time_and_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
