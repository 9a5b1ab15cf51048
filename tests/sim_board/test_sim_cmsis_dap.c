/* The CMSIS-DAP probe model (sim/cmsis_dap*.c) through sim/probe.h, as a host drives it:
 * identity and DAP_Info, the SWD line (JTAG-to-SWD, line reset, DPIDR first), transfers
 * and their acknowledges, sticky FAULT until ABORT, TAR auto-increment within 1 KiB (M0+)
 * or 4 KiB (M4), packed transfers,
 * DAP_TransferBlock, nRESET, the queue of DAP_PACKET_COUNT commands in flight and the
 * timing of v2 (high-speed bulk) and v1 (HID, 1 ms frames). */
#include <string.h>

#include "sim/probe.h"
#include "sim_test.h"

typedef struct host {
    sim_board *b;
    sim_probe *p;
    uint8_t resp[512];
    size_t got;
} host;

static void open_host(host *h, const char *spec)
{
    memset(h, 0, sizeof(*h));
    h->b = open_board(spec);
    char err[256];
    h->p = sim_probe_open(h->b, err, sizeof err);
    assert_non_null(h->p);
}

static void close_host(host *h)
{
    sim_probe_close(h->p);
    sim_board_close(h->b);
}

/* One command and its response. */
static const uint8_t *xfer(host *h, const uint8_t *cmd, size_t len)
{
    const sim_probe_usb *u = sim_probe_usb_info(h->p);
    assert_int_equal(sim_probe_out(h->p, u->ep_out, cmd, len), SIM_PROBE_OK);
    assert_int_equal(sim_probe_in(h->p, u->ep_in, h->resp, sizeof h->resp, &h->got), SIM_PROBE_OK);
    assert_int_equal(h->resp[0], cmd[0]);
    return h->resp;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* One DAP_Transfer of a single register: the response byte; *value for reads. */
static uint8_t reg(host *h, uint8_t req, uint32_t *value)
{
    uint8_t c[8] = {0x05, 0, 1, req};
    size_t n = 4;
    if (!(req & 2)) {
        put32(c + 4, *value);
        n = 8;
    }
    const uint8_t *r = xfer(h, c, n);
    if ((req & 2) && r[1] == 1)
        *value = get32(r + 3);
    return r[2];
}

#define DP_W(a) (uint8_t)((a))
#define DP_R(a) (uint8_t)(0x02 | (a))
#define AP_W(a) (uint8_t)(0x01 | (a))
#define AP_R(a) (uint8_t)(0x03 | (a))

/* JTAG-to-SWD and a line reset, as OpenOCD and pyOCD send them. */
static void swj_connect(host *h)
{
    const uint8_t connect[] = {0x02, 0x01};
    assert_int_equal(xfer(h, connect, 2)[1], 1); /* SWD */
    uint8_t seq[2 + 7] = {0x12, 56, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    assert_int_equal(xfer(h, seq, sizeof seq)[1], 0);
    uint8_t sw[2 + 2] = {0x12, 16, 0x9E, 0xE7};
    assert_int_equal(xfer(h, sw, sizeof sw)[1], 0);
    assert_int_equal(xfer(h, seq, sizeof seq)[1], 0);
    uint8_t idle[3] = {0x12, 8, 0x00};
    assert_int_equal(xfer(h, idle, sizeof idle)[1], 0);
}

static void power_up(host *h)
{
    uint32_t v = 0;
    assert_int_equal(reg(h, DP_R(0x0), &v), 1);
    v = 0x50000000u;
    assert_int_equal(reg(h, DP_W(0x4), &v), 1);
    v = 0;
    assert_int_equal(reg(h, DP_W(0x8), &v), 1); /* SELECT: AP 0, bank 0 */
}

static void test_identity_and_info(void **state)
{
    (void)state;
    host h;
    open_host(&h, "sim:stm32f407vg,probe=cmsis-dap,serial=DAP42");
    const sim_probe_usb *u = sim_probe_usb_info(h.p);
    assert_int_equal(u->iface_class, 0xFF);
    assert_string_equal(u->iface_name, "CMSIS-DAP v2");
    assert_non_null(strstr(u->product, "CMSIS-DAP"));
    assert_true(u->high_speed);
    assert_int_equal(u->eps[0].type, SIM_USB_BULK);
    assert_int_equal(u->eps[0].max_packet, 512);
    const uint8_t size[] = {0x00, 0xFF}, count[] = {0x00, 0xFE}, caps[] = {0x00, 0xF0},
                  serial[] = {0x00, 0x03}, bad[] = {0x14, 0x00};
    const uint8_t *r = xfer(&h, size, 2);
    assert_int_equal(r[1], 2);
    assert_int_equal(r[2] | r[3] << 8, 512);
    assert_int_equal(xfer(&h, count, 2)[2], 4);
    assert_int_equal(xfer(&h, caps, 2)[2], 0x01); /* SWD only */
    assert_string_equal((const char *)xfer(&h, serial, 2) + 2, "DAP42");
    /* A command the firmware lacks (JTAG_Sequence) answers 0xFF. */
    assert_int_equal(sim_probe_out(h.p, u->ep_out, bad, 2), SIM_PROBE_OK);
    assert_int_equal(sim_probe_in(h.p, u->ep_in, h.resp, sizeof h.resp, &h.got), SIM_PROBE_OK);
    assert_int_equal(h.resp[0], 0xFF);
    close_host(&h);

    open_host(&h, "sim:stm32f103c8,probe=cmsis-dap-v1");
    u = sim_probe_usb_info(h.p);
    assert_int_equal(u->iface_class, 3); /* HID */
    assert_false(u->high_speed);
    assert_int_equal(u->eps[0].type, SIM_USB_INTERRUPT);
    assert_int_equal(u->eps[0].interval, 1);
    assert_non_null(u->hid_report);
    r = xfer(&h, size, 2);
    assert_int_equal(r[2] | r[3] << 8, 64);
    assert_int_equal(h.got, 64); /* a whole report */
    close_host(&h);
}

static void test_line_and_sticky(void **state)
{
    (void)state;
    host h;
    open_host(&h, "sim:stm32f407vg,probe=cmsis-dap");
    const uint8_t connect[] = {0x02, 0x00};
    assert_int_equal(xfer(&h, connect, 2)[1], 1);
    uint32_t v = 0;
    /* Still JTAG: nothing answers SWD. */
    assert_int_equal(reg(&h, DP_R(0x0), &v), 7);
    swj_connect(&h);
    /* After a line reset only a DPIDR read is answered. */
    assert_int_equal(reg(&h, DP_R(0x4), &v), 7);
    assert_int_equal(reg(&h, DP_R(0x0), &v), 1);
    assert_int_equal(v, 0x2BA01477u);
    power_up(&h);
    assert_int_equal(reg(&h, DP_R(0x4), &v), 1);
    assert_int_equal(v & 0xF0000000u, 0xF0000000u);
    /* 32-bit, auto-increment; a word to SRAM and back. */
    v = 0x23000012u;
    assert_int_equal(reg(&h, AP_W(0x0), &v), 1);
    v = 0x20000100u;
    assert_int_equal(reg(&h, AP_W(0x4), &v), 1);
    v = 0xCAFEF00Du;
    assert_int_equal(reg(&h, AP_W(0xC), &v), 1);
    assert_int_equal(r32(h.b, 0x20000100u), 0xCAFEF00Du);
    assert_int_equal(reg(&h, AP_R(0x4), &v), 1);
    assert_int_equal(v, 0x20000104u);
    /* A bus fault (an address nothing decodes) sets STICKYERR: FAULT until ABORT. */
    v = 0xE0100000u;
    assert_int_equal(reg(&h, AP_W(0x4), &v), 1);
    assert_int_equal(reg(&h, AP_R(0xC), &v), 4);
    v = 0x20000100u;
    assert_int_equal(reg(&h, AP_W(0x4), &v), 4);
    assert_int_equal(reg(&h, DP_R(0x4), &v), 1);
    assert_true(v & 0x20u);
    uint8_t ab[6] = {0x08, 0, 0x04, 0, 0, 0};
    assert_int_equal(xfer(&h, ab, sizeof ab)[1], 0);
    v = 0x20000100u;
    assert_int_equal(reg(&h, AP_W(0x4), &v), 1);
    close_host(&h);
}

/* Four words from 2 words before a block boundary: the last two wrap to the block start. */
static void block_across(host *h, uint32_t at, uint32_t block)
{
    uint32_t v = 0x23000012u;
    assert_int_equal(reg(h, AP_W(0x0), &v), 1);
    v = at;
    assert_int_equal(reg(h, AP_W(0x4), &v), 1);
    uint8_t c[5 + 16] = {0x06, 0, 4, 0, AP_W(0xC)};
    for (int i = 0; i < 4; i++)
        put32(c + 5 + 4 * i, 0x11111111u * (uint32_t)(i + 1));
    const uint8_t *r = xfer(h, c, sizeof c);
    assert_int_equal(r[1] | r[2] << 8, 4);
    assert_int_equal(r[3], 1);
    assert_int_equal(r32(h->b, at), 0x11111111u);
    assert_int_equal(r32(h->b, at + 4), 0x22222222u);
    uint32_t start = (at + 8) - block;
    assert_int_equal(r32(h->b, start), 0x33333333u);
    assert_int_equal(r32(h->b, start + 4), 0x44444444u);
    assert_int_not_equal(r32(h->b, at + 8), 0x33333333u);
    /* Read them back in one block. */
    v = at;
    assert_int_equal(reg(h, AP_W(0x4), &v), 1);
    uint8_t rd[5] = {0x06, 0, 2, 0, AP_R(0xC)};
    r = xfer(h, rd, sizeof rd);
    assert_int_equal(r[1], 2);
    assert_int_equal(get32(r + 4), 0x11111111u);
    assert_int_equal(get32(r + 8), 0x22222222u);
}

/* TAR auto-increment: 4 KiB on a Cortex-M4's AHB-AP (it runs on across a 1 KiB boundary),
 * 1 KiB on a Cortex-M0+'s. */
static void test_block_and_tar_wrap(void **state)
{
    (void)state;
    host h;
    open_host(&h, "sim:stm32f407vg,probe=cmsis-dap");
    swj_connect(&h);
    power_up(&h);
    block_across(&h, 0x20000FF8u, 0x1000u);
    /* Across 1 KiB the M4's AP goes on. */
    uint32_t v = 0x200003F8u;
    assert_int_equal(reg(&h, AP_W(0x4), &v), 1);
    uint8_t c[5 + 16] = {0x06, 0, 4, 0, AP_W(0xC)};
    for (int i = 0; i < 4; i++)
        put32(c + 5 + 4 * i, 0x55555555u + (uint32_t)i);
    assert_int_equal(xfer(&h, c, sizeof c)[3], 1);
    assert_int_equal(r32(h.b, 0x20000400u), 0x55555557u);
    close_host(&h);
    open_host(&h, "sim:stm32g071rb,probe=cmsis-dap");
    swj_connect(&h);
    power_up(&h);
    block_across(&h, 0x200003F8u, 0x400u);
    close_host(&h);
}

/* Packed transfers (CSW.AddrInc 0b10, ADIv5 C2.2.7): one DRW access carries a word's
 * worth of bytes or half-words, each on its lane, and TAR moves past all of them; with
 * word size packed is the single increment (OpenOCD uses it for every size). */
static void test_packed(void **state)
{
    (void)state;
    host h;
    open_host(&h, "sim:stm32f407vg,probe=cmsis-dap");
    swj_connect(&h);
    power_up(&h);
    uint32_t v = 0x23000020u; /* 8-bit, packed */
    assert_int_equal(reg(&h, AP_W(0x0), &v), 1);
    v = 0;
    assert_int_equal(reg(&h, AP_R(0x0), &v), 1);
    assert_int_equal(v & 0x30u, 0x20u); /* packed is implemented: reads back */
    v = 0x20000100u;
    assert_int_equal(reg(&h, AP_W(0x4), &v), 1);
    v = 0x44332211u;
    assert_int_equal(reg(&h, AP_W(0xC), &v), 1);
    v = 0;
    assert_int_equal(reg(&h, AP_R(0x4), &v), 1);
    assert_int_equal(v, 0x20000104u);
    v = 0x23000021u; /* 16-bit, packed */
    assert_int_equal(reg(&h, AP_W(0x0), &v), 1);
    v = 0xBBBBAAAAu;
    assert_int_equal(reg(&h, AP_W(0xC), &v), 1);
    assert_int_equal(r32(h.b, 0x20000100u), 0x44332211u);
    assert_int_equal(r32(h.b, 0x20000104u), 0xBBBBAAAAu);
    v = 0x23000022u; /* 32-bit, packed = single */
    assert_int_equal(reg(&h, AP_W(0x0), &v), 1);
    v = 0x20000100u;
    assert_int_equal(reg(&h, AP_W(0x4), &v), 1);
    uint32_t a = 0, b = 0;
    assert_int_equal(reg(&h, AP_R(0xC), &a), 1);
    assert_int_equal(reg(&h, AP_R(0xC), &b), 1);
    assert_int_equal(a, 0x44332211u);
    assert_int_equal(b, 0xBBBBAAAAu);
    close_host(&h);
}

static void test_nreset(void **state)
{
    (void)state;
    host h;
    open_host(&h, "sim:stm32f407vg,probe=cmsis-dap");
    uint8_t low[7] = {0x10, 0x00, 0x80, 0, 0, 0, 0}, high[7] = {0x10, 0x80, 0x80, 0, 0, 0, 0};
    assert_int_equal(xfer(&h, low, sizeof low)[1] & 0x80, 0);
    assert_true(sim_nrst_held(h.b));
    assert_int_equal(xfer(&h, high, sizeof high)[1] & 0x80, 0x80);
    assert_false(sim_nrst_held(h.b));
    const uint8_t reset[] = {0x0A};
    const uint8_t *r = xfer(&h, reset, 1);
    assert_int_equal(r[1], 0);
    assert_int_equal(r[2], 1); /* executed */
    assert_false(sim_nrst_held(h.b));
    close_host(&h);
}

/* Time for n DAP_Info commands sent before their responses are read (in flight), or one
 * at a time. */
static uint64_t timed(host *h, unsigned n, bool pipelined)
{
    const sim_probe_usb *u = sim_probe_usb_info(h->p);
    const uint8_t cmd[] = {0x00, 0xFF};
    uint64_t t0 = sim_probe_host_ns(h->p);
    if (pipelined) {
        for (unsigned i = 0; i < n; i++)
            assert_int_equal(sim_probe_out(h->p, u->ep_out, cmd, 2), SIM_PROBE_OK);
        for (unsigned i = 0; i < n; i++)
            assert_int_equal(sim_probe_in(h->p, u->ep_in, h->resp, 512, &h->got), SIM_PROBE_OK);
    } else {
        for (unsigned i = 0; i < n; i++)
            xfer(h, cmd, 2);
    }
    return sim_probe_host_ns(h->p) - t0;
}

static void test_queue_and_timing(void **state)
{
    (void)state;
    host h;
    open_host(&h, "sim:stm32f407vg,probe=cmsis-dap");
    const sim_probe_usb *u = sim_probe_usb_info(h.p);
    /* v2: 125 us per bulk transfer (+ 33 ns per byte): 250 us an exchange. */
    uint64_t one = timed(&h, 1, false);
    assert_in_range(one, US(250), US(251));
    /* A fifth command with four unanswered: NAKed. */
    const uint8_t cmd[] = {0x00, 0xFF};
    for (int i = 0; i < 4; i++)
        assert_int_equal(sim_probe_out(h.p, u->ep_out, cmd, 2), SIM_PROBE_OK);
    assert_int_equal(sim_probe_out(h.p, u->ep_out, cmd, 2), SIM_PROBE_TIMEOUT);
    for (int i = 0; i < 4; i++)
        assert_int_equal(sim_probe_in(h.p, u->ep_in, h.resp, 512, &h.got), SIM_PROBE_OK);
    assert_int_equal(sim_probe_in(h.p, u->ep_in, h.resp, 512, &h.got), SIM_PROBE_TIMEOUT);
    close_host(&h);

    /* v1: every report waits for the next 1 ms frame. */
    open_host(&h, "sim:stm32f407vg,probe=cmsis-dap-v1");
    one = timed(&h, 4, false);
    assert_in_range(one, MS(7), MS(9));
    close_host(&h);
}

/* v1 with commands in flight and the IN transfers pending (an asynchronous host): a
 * command a frame instead of two (OUT and IN pipes each move one report per frame). */
static void test_pipelining_overlaps(void **state)
{
    (void)state;
    uint64_t t[2];
    for (int pipe = 0; pipe < 2; pipe++) {
        host h;
        open_host(&h, "sim:stm32f407vg,probe=cmsis-dap-v1");
        swj_connect(&h);
        power_up(&h);
        uint32_t v = 0x23000012u;
        reg(&h, AP_W(0x0), &v);
        v = 0x20000000u;
        reg(&h, AP_W(0x4), &v);
        const sim_probe_usb *u = sim_probe_usb_info(h.p);
        uint8_t rd[5] = {0x06, 0, 14, 0, AP_R(0xC)}; /* 14 words fill a 64-byte report */
        uint64_t t0 = sim_probe_host_ns(h.p);
        for (int k = 0; k < 4; k++) {
            if (pipe) {
                /* an asynchronous host: the IN transfers pending from the start */
                uint64_t since = sim_probe_host_ns(h.p);
                for (int i = 0; i < 4; i++)
                    sim_probe_out(h.p, u->ep_out, rd, sizeof rd);
                for (int i = 0; i < 4; i++)
                    sim_probe_in_since(h.p, u->ep_in, h.resp, 512, &h.got, since);
            } else {
                for (int i = 0; i < 4; i++)
                    xfer(&h, rd, sizeof rd);
            }
        }
        t[pipe] = sim_probe_host_ns(h.p) - t0;
        close_host(&h);
    }
    /* 16 exchanges one by one: 2 frames each; in flight: about one frame each. */
    assert_in_range(t[0], MS(31), MS(34));
    assert_in_range(t[1], MS(17), MS(22));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity_and_info),
        cmocka_unit_test(test_line_and_sticky),
        cmocka_unit_test(test_block_and_tar_wrap),
        cmocka_unit_test(test_packed),
        cmocka_unit_test(test_nreset),
        cmocka_unit_test(test_queue_and_timing),
        cmocka_unit_test(test_pipelining_overlaps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
