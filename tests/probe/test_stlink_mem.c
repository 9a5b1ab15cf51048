/* ST-Link driver, memory and register access, against the scripted transport: splitting at
 * firmware limits and 1 KiB boundaries, unaligned heads/tails, GETLASTRWSTATUS(2), status
 * mapping, WAIT retry with backoff and its deadline, failures mid-operation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "mock_usb.h"
#include "probe/stlink.h"

typedef struct fixture {
    mock_usb *m;
    stp_debug *d;
    stp_findings f;
} fixture;

static fixture *fx_open(unsigned jtag)
{
    fixture *x = test_calloc(1, sizeof(*x));
    x->m = mock_usb_new(0x3748);
    mock_open_v2(x->m, jtag, 7);
    assert_int_equal(stp_stlink_open(&x->m->base, NULL, &x->d, &x->f), STP_OK);
    return x;
}

static void fx_close(fixture *x)
{
    mock_expect_cmd(x->m, CMD(0xF2, 0x21));
    x->d->ops->close(x->d);
    mock_assert_done(x->m);
    mock_usb_free(x->m);
    stp_findings_free(&x->f);
    test_free(x);
}

static void mem_cmd(uint8_t *c, uint8_t op, uint32_t addr, uint16_t len)
{
    c[0] = 0xF2;
    c[1] = op;
    stl_put_u32(&c[2], addr);
    stl_put_u16(&c[6], len);
}

/* Scripts one read of len bytes at addr with opcode op, answering pattern bytes. */
static void expect_read(mock_usb *m, uint8_t op, uint32_t addr, uint16_t len,
                        const uint8_t *pattern, size_t reply_len)
{
    uint8_t c[8];
    mem_cmd(c, op, addr, len);
    mock_expect_cmd(m, c, 8);
    mock_reply(m, pattern, reply_len);
    mock_rwstatus2(m, 0x80, 0);
}

static void expect_write(mock_usb *m, uint8_t op, uint32_t addr, const uint8_t *data, uint16_t len)
{
    uint8_t c[8];
    mem_cmd(c, op, addr, len);
    mock_expect_cmd(m, c, 8);
    mock_expect_data(m, data, len);
    mock_rwstatus2(m, 0x80, 0);
}

static uint8_t pat[8192];

static void fill_pattern(void)
{
    for (size_t i = 0; i < sizeof(pat); i++)
        pat[i] = (uint8_t)(i * 7 + 3);
}

static void test_read_splits_at_1k_boundaries(void **state)
{
    (void)state;
    fixture *x = fx_open(45);
    expect_read(x->m, 0x07, 0x20000000, 1024, pat, 1024);
    expect_read(x->m, 0x07, 0x20000400, 1024, pat + 1024, 1024);
    expect_read(x->m, 0x07, 0x20000800, 952, pat + 2048, 952);
    uint8_t buf[3000];
    assert_int_equal(x->d->ops->read_mem(x->d, 0x20000000, buf, sizeof(buf), &x->f), STP_OK);
    assert_memory_equal(buf, pat, sizeof(buf));
    /* A read that starts just below a boundary stops there. */
    expect_read(x->m, 0x07, 0x200003F0, 16, pat, 16);
    expect_read(x->m, 0x07, 0x20000400, 16, pat + 16, 16);
    assert_int_equal(x->d->ops->read_mem(x->d, 0x200003F0, buf, 32, &x->f), STP_OK);
    assert_memory_equal(buf, pat, 32);
    fx_close(x);
}

static void test_transfer_limit(void **state)
{
    (void)state;
    fixture *x = fx_open(45);
    assert_int_equal(x->d->ops->set_transfer_limit(x->d, 0), 1024);
    assert_int_equal(x->d->ops->set_transfer_limit(x->d, 258), 256);
    expect_write(x->m, 0x08, 0x20000000, pat, 256);
    expect_write(x->m, 0x08, 0x20000100, pat + 256, 256);
    expect_write(x->m, 0x08, 0x20000200, pat + 512, 88);
    assert_int_equal(x->d->ops->write_mem(x->d, 0x20000000, pat, 600, &x->f), STP_OK);
    assert_int_equal(x->d->ops->set_transfer_limit(x->d, 1), 4);
    assert_int_equal(x->d->ops->set_transfer_limit(x->d, 0), 1024);
    fx_close(x);
}

static void test_read_unaligned_head_and_tail(void **state)
{
    (void)state;
    fixture *x = fx_open(45);
    /* 0x20000003, 10 bytes: 1 byte (8-bit; the firmware answers two), 8 (32-bit), 1. */
    expect_read(x->m, 0x0C, 0x20000003, 1, pat, 2);
    expect_read(x->m, 0x07, 0x20000004, 8, pat + 1, 8);
    expect_read(x->m, 0x0C, 0x2000000C, 1, pat + 9, 2);
    uint8_t buf[16];
    assert_int_equal(x->d->ops->read_mem(x->d, 0x20000003, buf, 10, &x->f), STP_OK);
    assert_memory_equal(buf, pat, 10);
    /* Across a 1 KiB boundary with both ends unaligned. */
    expect_read(x->m, 0x0C, 0x200003FE, 2, pat, 2);
    expect_read(x->m, 0x07, 0x20000400, 4, pat + 2, 4);
    expect_read(x->m, 0x0C, 0x20000404, 2, pat + 6, 2);
    assert_int_equal(x->d->ops->read_mem(x->d, 0x200003FE, buf, 8, &x->f), STP_OK);
    assert_memory_equal(buf, pat, 8);
    fx_close(x);
}

static void test_write_splits_and_checks_status(void **state)
{
    (void)state;
    fixture *x = fx_open(45);
    expect_write(x->m, 0x0D, 0x20000001, pat, 3);
    expect_write(x->m, 0x08, 0x20000004, pat + 3, 64);
    expect_write(x->m, 0x0D, 0x20000044, pat + 67, 3);
    assert_int_equal(x->d->ops->write_mem(x->d, 0x20000001, pat, 70, &x->f), STP_OK);
    /* Long write: 1 KiB pieces. */
    expect_write(x->m, 0x08, 0x20000000, pat, 1024);
    expect_write(x->m, 0x08, 0x20000400, pat + 1024, 1024);
    expect_write(x->m, 0x08, 0x20000800, pat + 2048, 512);
    assert_int_equal(x->d->ops->write_mem(x->d, 0x20000000, pat, 2560, &x->f), STP_OK);
    assert_int_equal(x->f.count, 0);
    fx_close(x);
}

static void test_write_u16_and_mem16(void **state)
{
    (void)state;
    fixture *x = fx_open(26);
    expect_write(x->m, 0x48, 0x08000010, CMD(0x34, 0x12));
    assert_int_equal(x->d->ops->write_u16(x->d, 0x08000010, 0x1234, &x->f), STP_OK);
    expect_write(x->m, 0x48, 0x080003FC, pat, 4);
    expect_write(x->m, 0x48, 0x08000400, pat + 4, 6);
    assert_int_equal(x->d->ops->write_mem16(x->d, 0x080003FC, pat, 10, &x->f), STP_OK);
    assert_int_equal(x->d->ops->write_mem16(x->d, 0x08000001, pat, 2, &x->f), STP_ERR_INVALID_ARG);
    fx_close(x);
}

static void test_old_firmware_uses_getlastrwstatus(void **state)
{
    (void)state;
    fixture *x = fx_open(14);
    uint8_t c[8];
    mem_cmd(c, 0x08, 0x20000000, 4);
    mock_expect_cmd(x->m, c, 8);
    mock_expect_data(x->m, pat, 4);
    mock_cmd_status(x->m, CMD(0xF2, 0x3B), 0x80);
    assert_int_equal(x->d->ops->write_mem(x->d, 0x20000000, pat, 4, &x->f), STP_OK);
    fx_close(x);
}

static void test_registers_and_nrst(void **state)
{
    (void)state;
    fixture *x = fx_open(45);
    uint32_t v = 0;
    mock_expect_cmd(x->m, CMD(0xF2, 0x36, 0x00, 0x28, 0x04, 0xE0));
    mock_reply(x->m, CMD(0x80, 0, 0, 0, 0x13, 0x64, 0x00, 0x10));
    assert_int_equal(x->d->ops->read_u32(x->d, 0xE0042800, &v, &x->f), STP_OK);
    assert_int_equal(v, 0x10006413);
    mock_cmd_status(x->m, CMD(0xF2, 0x35, 0xF0, 0xED, 0x00, 0xE0, 0x03, 0x00, 0x5F, 0xA0), 0x80);
    assert_int_equal(x->d->ops->write_u32(x->d, 0xE000EDF0, 0xA05F0003, &x->f), STP_OK);
    mock_expect_cmd(x->m, CMD(0xF2, 0x33, 0x0F));
    mock_reply(x->m, CMD(0x80, 0, 0, 0, 0x01, 0x02, 0x00, 0x08));
    assert_int_equal(x->d->ops->read_reg(x->d, 15, &v, &x->f), STP_OK);
    assert_int_equal(v, 0x08000201);
    mock_cmd_status(x->m, CMD(0xF2, 0x34, 0x0D, 0x00, 0x00, 0x02, 0x20), 0x80);
    assert_int_equal(x->d->ops->write_reg(x->d, 13, 0x20020000, &x->f), STP_OK);
    mock_cmd_status(x->m, CMD(0xF2, 0x3C, 0x00), 0x80);
    assert_int_equal(x->d->ops->set_nrst(x->d, true, &x->f), STP_OK);
    mock_cmd_status(x->m, CMD(0xF2, 0x3C, 0x01), 0x80);
    assert_int_equal(x->d->ops->set_nrst(x->d, false, &x->f), STP_OK);
    assert_int_equal(x->d->ops->read_u32(x->d, 0xE0042802, &v, &x->f), STP_ERR_INVALID_ARG);
    fx_close(x);
}

/* Every status byte maps to one status and one finding id, with the raw code as evidence. */
static void test_status_mapping(void **state)
{
    (void)state;
    static const struct {
        uint8_t code;
        stp_status st;
        const char *id;
    } cases[] = {
        {0x81, STP_ERR_TARGET_FAULT, "swd.debug-fault"},
        {0x11, STP_ERR_TARGET_FAULT, "swd.ap-fault"},
        {0x15, STP_ERR_TARGET_FAULT, "swd.dp-fault"},
        {0x19, STP_ERR_TARGET_FAULT, "swd.ap-fault"},
        {0x12, STP_ERR_NO_TARGET, "swd.no-response"},
        {0x16, STP_ERR_NO_TARGET, "swd.no-response"},
        {0x09, STP_ERR_NO_TARGET, "swd.no-target"},
        {0x13, STP_ERR_PROTOCOL, "swd.parity-error"},
        {0x17, STP_ERR_PROTOCOL, "swd.parity-error"},
        {0x1D, STP_ERR_TARGET_FAULT, "swd.bad-ap"},
        {0x5A, STP_ERR_PROTOCOL, "probe.status-unknown"},
    };
    fixture *x = fx_open(45);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint32_t v;
        stp_findings_clear(&x->f);
        mock_expect_cmd(x->m, CMD(0xF2, 0x36, 0x00, 0x00, 0x00, 0x40));
        mock_reply(x->m, (uint8_t[]){cases[i].code, 0, 0, 0, 0, 0, 0, 0}, 8);
        assert_int_equal(x->d->ops->read_u32(x->d, 0x40000000, &v, &x->f), cases[i].st);
        assert_int_equal(x->f.count, 1);
        assert_string_equal(x->f.items[0].id, cases[i].id);
        char raw[8];
        snprintf(raw, sizeof(raw), "0x%02X", cases[i].code);
        assert_memory_equal(x->f.items[0].evidence[0].value, raw, 4);
        assert_string_equal(x->f.items[0].evidence[1].value, "READDEBUGREG");
        assert_string_equal(x->f.items[0].evidence[2].value, "0x40000000");
    }
    fx_close(x);
}

static void test_fault_in_read_names_fault_address(void **state)
{
    (void)state;
    fixture *x = fx_open(45);
    uint8_t c[8];
    mem_cmd(c, 0x07, 0x40026000, 64);
    mock_expect_cmd(x->m, c, 8);
    mock_reply(x->m, pat, 64);
    mock_rwstatus2(x->m, 0x11, 0x40026010);
    uint8_t buf[64];
    assert_int_equal(x->d->ops->read_mem(x->d, 0x40026000, buf, 64, &x->f), STP_ERR_TARGET_FAULT);
    const stp_finding *fi = stp_findings_find(&x->f, "swd.ap-fault");
    assert_non_null(fi);
    assert_string_equal(fi->evidence[0].value, "0x11 (SWD_AP_FAULT)");
    assert_string_equal(fi->evidence[1].value, "READMEM_32BIT");
    assert_string_equal(fi->evidence[2].value, "0x40026000");
    assert_string_equal(fi->evidence[3].key, "fault_address");
    assert_string_equal(fi->evidence[3].value, "0x40026010");
    fx_close(x);
}

static void test_wait_is_retried_with_backoff(void **state)
{
    (void)state;
    fixture *x = fx_open(45);
    /* A one-word write answered WAIT twice (the access was not accepted) is re-sent, after
     * 1 ms then 2 ms. */
    for (int i = 0; i < 3; i++) {
        uint8_t c[8];
        mem_cmd(c, 0x08, 0x20000100, 4);
        mock_expect_cmd(x->m, c, 8);
        mock_expect_data(x->m, pat, 4);
        mock_rwstatus2(x->m, i < 2 ? 0x10 : 0x80, 0x20000100);
    }
    assert_int_equal(x->d->ops->write_mem(x->d, 0x20000100, pat, 4, &x->f), STP_OK);
    assert_int_equal(x->m->nsleeps, 2);
    assert_int_equal(x->m->sleeps_ms[0], 1);
    assert_int_equal(x->m->sleeps_ms[1], 2);
    assert_int_equal(x->f.count, 0);
    fx_close(x);
}

/* A write the firmware gave up on with WAIT part-way is verified, not resumed at the address
 * GETLASTRWSTATUS2 names (that field has no documented meaning after a WAIT): the chunk is
 * read back and only the units that do not hold their data yet are written again. Here the
 * firmware names the start of the transfer although 11 half-words were written: resuming
 * there would program them twice (F1: PGERR). */
static void test_wait_mid_write_verifies_and_writes_the_rest(void **state)
{
    (void)state;
    fixture *x = fx_open(45);
    uint8_t c[8], back[64];
    memcpy(back, pat, 22);
    memset(back + 22, 0xFF, 42);
    mem_cmd(c, 0x48, 0x08000400, 64);
    mock_expect_cmd(x->m, c, 8);
    mock_expect_data(x->m, pat, 64);
    mock_rwstatus2(x->m, 0x10, 0x08000400);
    expect_read(x->m, 0x47, 0x08000400, 64, back, 64);
    expect_write(x->m, 0x48, 0x08000416, pat + 0x16, 42);
    assert_int_equal(x->d->ops->write_mem16(x->d, 0x08000400, pat, 64, &x->f), STP_OK);
    assert_int_equal(x->f.count, 0);
    fx_close(x);
}

/* Whatever the read-back shows, each run of units still missing is written once; units that
 * hold their data are never sent again. */
static void test_wait_mid_write_rewrites_only_missing_runs(void **state)
{
    (void)state;
    fixture *x = fx_open(45);
    uint8_t c[8], back[32];
    memcpy(back, pat, 32);
    memset(back + 4, 0, 8);  /* words 1-2 missing */
    memset(back + 24, 0, 8); /* words 6-7 missing */
    mem_cmd(c, 0x08, 0x20000000, 32);
    mock_expect_cmd(x->m, c, 8);
    mock_expect_data(x->m, pat, 32);
    mock_rwstatus2(x->m, 0x10, 0x20000040); /* an address outside the transfer */
    expect_read(x->m, 0x07, 0x20000000, 32, back, 32);
    expect_write(x->m, 0x08, 0x20000004, pat + 4, 8);
    expect_write(x->m, 0x08, 0x20000018, pat + 24, 8);
    assert_int_equal(x->d->ops->write_mem(x->d, 0x20000000, pat, 32, &x->f), STP_OK);
    assert_int_equal(x->f.count, 0);
    fx_close(x);
}

/* A read cut by WAIT is simply read again whole (harmless). */
static void test_wait_mid_read_reads_again(void **state)
{
    (void)state;
    fixture *x = fx_open(45);
    uint8_t c[8], first[64];
    memcpy(first, pat, 40);
    memset(first + 40, 0, 24);
    mem_cmd(c, 0x07, 0x20000000, 64);
    mock_expect_cmd(x->m, c, 8);
    mock_reply(x->m, first, 64);
    mock_rwstatus2(x->m, 0x10, 0x20000028);
    expect_read(x->m, 0x07, 0x20000000, 64, pat, 64);
    uint8_t buf[64];
    memset(buf, 0, sizeof(buf));
    assert_int_equal(x->d->ops->read_mem(x->d, 0x20000000, buf, 64, &x->f), STP_OK);
    assert_memory_equal(buf, pat, 64);
    assert_int_equal(x->f.count, 0);
    fx_close(x);
}

/* Firmware before V2J15 (no GETLASTRWSTATUS2) gets the same verify: no unit twice. */
static void test_wait_without_rwstatus2_verifies(void **state)
{
    (void)state;
    fixture *x = fx_open(14);
    uint8_t c[8], back[8];
    memcpy(back, pat, 4);
    memset(back + 4, 0, 4);
    mem_cmd(c, 0x08, 0x20000100, 8);
    mock_expect_cmd(x->m, c, 8);
    mock_expect_data(x->m, pat, 8);
    mock_cmd_status(x->m, CMD(0xF2, 0x3B), 0x10);
    mem_cmd(c, 0x07, 0x20000100, 8);
    mock_expect_cmd(x->m, c, 8);
    mock_reply(x->m, back, 8);
    mock_cmd_status(x->m, CMD(0xF2, 0x3B), 0x80);
    mem_cmd(c, 0x08, 0x20000104, 4);
    mock_expect_cmd(x->m, c, 8);
    mock_expect_data(x->m, pat + 4, 4);
    mock_cmd_status(x->m, CMD(0xF2, 0x3B), 0x80);
    assert_int_equal(x->d->ops->write_mem(x->d, 0x20000100, pat, 8, &x->f), STP_OK);
    assert_int_equal(x->f.count, 0);
    fx_close(x);
}

static void test_wait_storm_gives_up_at_deadline(void **state)
{
    (void)state;
    fixture *x = fx_open(45);
    /* Backoff 1,2,4,...,128,128...: 13 sleeps fit in the 1000 ms deadline (895 ms), so
     * the 14th WAIT ends the operation. */
    for (int i = 0; i < 14; i++) {
        mock_expect_cmd(x->m, CMD(0xF2, 0x36, 0x00, 0x38, 0x02, 0x40));
        mock_reply(x->m, CMD(0x14, 0, 0, 0, 0, 0, 0, 0));
    }
    uint32_t v;
    assert_int_equal(x->d->ops->read_u32(x->d, 0x40023800, &v, &x->f), STP_ERR_WAIT);
    assert_int_equal(x->m->nsleeps, 13);
    assert_int_equal(x->m->sleeps_ms[7], 128);
    assert_int_equal(x->m->sleeps_ms[12], 128);
    assert_int_equal(x->m->now_ns / 1000000u, 895);
    const stp_finding *fi = stp_findings_find(&x->f, "swd.wait-timeout");
    assert_non_null(fi);
    assert_string_equal(fi->evidence[0].value, "0x14 (SWD_DP_WAIT)");
    assert_string_equal(fi->evidence[3].key, "attempts");
    assert_string_equal(fi->evidence[3].value, "14");
    fx_close(x);
}

static void test_unplug_mid_read(void **state)
{
    (void)state;
    fixture *x = fx_open(45);
    expect_read(x->m, 0x07, 0x08000000, 1024, pat, 1024);
    uint8_t c[8];
    mem_cmd(c, 0x07, 0x08000400, 1024);
    mock_expect_cmd(x->m, c, 8);
    mock_fail(x->m, false);
    static uint8_t buf[4096];
    assert_int_equal(x->d->ops->read_mem(x->d, 0x08000000, buf, sizeof(buf), &x->f), STP_ERR_USB);
    const stp_finding *fi = stp_findings_find(&x->f, "probe.usb-error");
    assert_non_null(fi);
    assert_string_equal(fi->evidence[0].value, "READMEM_32BIT");
    assert_string_equal(fi->evidence[1].value, "reply");
    assert_string_equal(fi->evidence[2].value, "device unplugged");
    /* And mid-write, on the data phase. */
    mem_cmd(c, 0x08, 0x20000000, 1024);
    mock_expect_cmd(x->m, c, 8);
    mock_fail(x->m, true);
    stp_findings_clear(&x->f);
    assert_int_equal(x->d->ops->write_mem(x->d, 0x20000000, pat, 2048, &x->f), STP_ERR_USB);
    fi = stp_findings_find(&x->f, "probe.usb-error");
    assert_non_null(fi);
    assert_string_equal(fi->evidence[1].value, "data");
    fx_close(x);
}

static void test_short_read_reply(void **state)
{
    (void)state;
    fixture *x = fx_open(45);
    uint8_t c[8];
    mem_cmd(c, 0x07, 0x20000000, 64);
    mock_expect_cmd(x->m, c, 8);
    mock_reply(x->m, pat, 60);
    uint8_t buf[64];
    assert_int_equal(x->d->ops->read_mem(x->d, 0x20000000, buf, 64, &x->f), STP_ERR_PROTOCOL);
    const stp_finding *fi = stp_findings_find(&x->f, "probe.protocol-error");
    assert_non_null(fi);
    assert_string_equal(fi->evidence[1].value, "64");
    assert_string_equal(fi->evidence[2].value, "60");
    fx_close(x);
}

int main(void)
{
    fill_pattern();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_splits_at_1k_boundaries),
        cmocka_unit_test(test_transfer_limit),
        cmocka_unit_test(test_read_unaligned_head_and_tail),
        cmocka_unit_test(test_write_splits_and_checks_status),
        cmocka_unit_test(test_write_u16_and_mem16),
        cmocka_unit_test(test_old_firmware_uses_getlastrwstatus),
        cmocka_unit_test(test_registers_and_nrst),
        cmocka_unit_test(test_status_mapping),
        cmocka_unit_test(test_fault_in_read_names_fault_address),
        cmocka_unit_test(test_wait_is_retried_with_backoff),
        cmocka_unit_test(test_wait_mid_write_verifies_and_writes_the_rest),
        cmocka_unit_test(test_wait_mid_write_rewrites_only_missing_runs),
        cmocka_unit_test(test_wait_mid_read_reads_again),
        cmocka_unit_test(test_wait_without_rwstatus2_verifies),
        cmocka_unit_test(test_wait_storm_gives_up_at_deadline),
        cmocka_unit_test(test_unplug_mid_read),
        cmocka_unit_test(test_short_read_reply),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
