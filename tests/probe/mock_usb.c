/* Scripted USB transport for protocol tests (see mock_usb.h). */
#include "mock_usb.h"
#include "probe/stlink.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

enum mock_kind { MOCK_OUT, MOCK_IN, MOCK_FAIL_OUT, MOCK_FAIL_IN };

struct mock_step {
    enum mock_kind kind;
    uint8_t *data;
    size_t len;
};

static void hexdump(const char *label, const uint8_t *p, size_t n)
{
    fprintf(stderr, "%s (%zu):", label, n);
    for (size_t i = 0; i < n && i < 64; i++)
        fprintf(stderr, " %02X", p[i]);
    fprintf(stderr, "%s\n", n > 64 ? " ..." : "");
}

static stp_status m_out(stp_usb *usb, uint8_t ep, const void *data, size_t len, unsigned tmo)
{
    mock_usb *m = (mock_usb *)usb;
    assert_true(tmo > 0);
    assert_int_equal(ep, usb->info.ep_out);
    if (m->pos >= m->count) {
        hexdump("unexpected OUT", data, len);
        fail_msg("script exhausted at OUT transfer %zu", m->pos);
    }
    mock_step *s = &m->steps[m->pos++];
    if (s->kind == MOCK_FAIL_OUT) {
        snprintf(usb->error, sizeof(usb->error), "device unplugged");
        return STP_ERR_USB;
    }
    if (s->kind != MOCK_OUT || s->len != len || memcmp(s->data, data, len) != 0) {
        hexdump("expected", s->data, s->len);
        hexdump("got OUT ", data, len);
        fail_msg("OUT transfer %zu differs from the script", m->pos - 1);
    }
    return STP_OK;
}

static stp_status m_in(stp_usb *usb, uint8_t ep, void *data, size_t len, size_t *actual,
                       unsigned tmo)
{
    mock_usb *m = (mock_usb *)usb;
    assert_true(tmo > 0);
    assert_int_equal(ep, usb->info.ep_in);
    if (tmo <= MOCK_FLUSH_MS && (m->pos >= m->count || m->steps[m->pos].kind != MOCK_IN)) {
        /* A flush read (the driver empties the IN endpoint on open): nothing to send. */
        m->flushes++;
        snprintf(usb->error, sizeof(usb->error), "no answer within %u ms", tmo);
        *actual = 0;
        return STP_ERR_USB;
    }
    if (m->pos >= m->count)
        fail_msg("script exhausted at IN transfer %zu", m->pos);
    mock_step *s = &m->steps[m->pos++];
    if (s->kind == MOCK_FAIL_IN) {
        snprintf(usb->error, sizeof(usb->error), "device unplugged");
        *actual = 0;
        return STP_ERR_USB;
    }
    if (s->kind != MOCK_IN)
        fail_msg("step %zu: the driver read a reply where the script expects an OUT transfer",
                 m->pos - 1);
    size_t n = s->len < len ? s->len : len;
    memcpy(data, s->data, n);
    *actual = n;
    return STP_OK;
}

static void m_close(stp_usb *usb)
{
    ((mock_usb *)usb)->closed = true;
}

static uint64_t m_now(stp_usb *usb)
{
    return ((mock_usb *)usb)->now_ns;
}

static void m_sleep(stp_usb *usb, uint64_t ns)
{
    mock_usb *m = (mock_usb *)usb;
    m->now_ns += ns;
    if (m->nsleeps < MOCK_MAX_SLEEPS)
        m->sleeps_ms[m->nsleeps++] = ns / 1000000u;
}

static stp_status m_reset(stp_usb *usb)
{
    ((mock_usb *)usb)->resets++;
    return STP_OK;
}

static const stp_usb_ops mock_ops = {
    .bulk_out = m_out,
    .bulk_in = m_in,
    .close = m_close,
    .now_ns = m_now,
    .sleep_ns = m_sleep,
    .reset = m_reset,
};

mock_usb *mock_usb_new(uint16_t pid)
{
    mock_usb *m = calloc(1, sizeof(*m));
    assert_non_null(m);
    m->base.ops = &mock_ops;
    m->base.info.vid = 0x0483;
    m->base.info.pid = pid;
    stp_stlink_endpoints(stp_stlink_hw_from_pid(0x0483, pid), &m->base.info.ep_out,
                         &m->base.info.ep_in);
    snprintf(m->base.info.serial, sizeof(m->base.info.serial), "MOCK0001");
    return m;
}

void mock_usb_free(mock_usb *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->count; i++)
        free(m->steps[i].data);
    free(m->steps);
    free(m);
}

static void add(mock_usb *m, enum mock_kind kind, const uint8_t *data, size_t len, size_t pad)
{
    if (m->count == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 64;
        m->steps = realloc(m->steps, m->cap * sizeof(*m->steps));
        assert_non_null(m->steps);
    }
    size_t n = len > pad ? len : pad;
    mock_step *s = &m->steps[m->count++];
    s->kind = kind;
    s->data = calloc(1, n ? n : 1);
    assert_non_null(s->data);
    if (len)
        memcpy(s->data, data, len);
    s->len = n;
}

void mock_expect_cmd(mock_usb *m, const uint8_t *cmd, size_t len)
{
    add(m, MOCK_OUT, cmd, len, 16);
}

void mock_expect_data(mock_usb *m, const uint8_t *data, size_t len)
{
    add(m, MOCK_OUT, data, len, 0);
}

void mock_reply(mock_usb *m, const uint8_t *data, size_t len)
{
    add(m, MOCK_IN, data, len, 0);
}

void mock_fail(mock_usb *m, bool out)
{
    add(m, out ? MOCK_FAIL_OUT : MOCK_FAIL_IN, NULL, 0, 0);
}

void mock_assert_done(const mock_usb *m)
{
    if (m->pos != m->count)
        fail_msg("script not consumed: %zu of %zu steps done", m->pos, m->count);
}

void mock_cmd_status(mock_usb *m, const uint8_t *cmd, size_t len, uint8_t status)
{
    mock_expect_cmd(m, cmd, len);
    uint8_t r[2] = {status, 0};
    mock_reply(m, r, 2);
}

void mock_rwstatus2(mock_usb *m, uint8_t status, uint32_t fault_addr)
{
    mock_expect_cmd(m, CMD(0xF2, 0x3E));
    uint8_t r[12] = {status};
    if (status != 0x80) {
        r[4] = (uint8_t)fault_addr;
        r[5] = (uint8_t)(fault_addr >> 8);
        r[6] = (uint8_t)(fault_addr >> 16);
        r[7] = (uint8_t)(fault_addr >> 24);
    }
    mock_reply(m, r, 12);
}

void mock_version_v2(mock_usb *m, uint16_t pid, unsigned jtag, unsigned x)
{
    mock_expect_cmd(m, CMD(0xF1, 0x80));
    uint8_t r[6] = {(uint8_t)(0x20 | (jtag >> 2)),
                    (uint8_t)(((jtag & 3u) << 6) | x),
                    0x83,
                    0x04,
                    (uint8_t)pid,
                    (uint8_t)(pid >> 8)};
    mock_reply(m, r, 6);
}

void mock_open_v2(mock_usb *m, unsigned jtag, unsigned x)
{
    mock_version_v2(m, m->base.info.pid, jtag, x);
    mock_expect_cmd(m, CMD(0xF5));
    mock_reply(m, CMD(0x01, 0x00));
    mock_cmd_status(m, CMD(0xF2, 0x30, 0xA3), 0x80);
    if (jtag >= 28)
        mock_cmd_status(m, CMD(0xF2, 0x4B, 0x00), 0x80); /* INIT_AP 0 */
    if (jtag >= 22)
        mock_cmd_status(m, CMD(0xF2, 0x43, 0x01, 0x00), 0x80); /* 1800 kHz */
}
