/* Unit tests of the ST-Link protocol model (sim/stlink*.c) against a fake board: exact reply
 * bytes, firmware gates, status codes, virtual time and the wire faults. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake_board.h"
#include "sim/stlink.h"

typedef struct fixture {
    sim_board *b;
    sim_stlink *s;
    const sim_stlink_usb *u;
} fixture;

static fixture *open_probe(sim_probe_kind kind, const char *fw)
{
    static fixture f;
    f.b = fake_board_new(kind, fw);
    assert_non_null(f.b);
    f.s = sim_stlink_create(f.b);
    assert_non_null(f.s);
    f.u = sim_stlink_usb_info(f.s);
    return &f;
}

static void close_probe(fixture *f)
{
    sim_stlink_destroy(f->s);
    fake_board_free(f->b);
}

/* Sends a 16-byte command (+ optional data phase) and reads up to inlen reply bytes.
 * Returns the reply length, or -2 when the IN transfer times out. */
static int xfer(fixture *f, const uint8_t *cmd, size_t clen, const uint8_t *out, size_t olen,
                uint8_t *in, size_t inlen)
{
    uint8_t pkt[16] = {0};
    memcpy(pkt, cmd, clen);
    assert_int_equal(sim_stlink_bulk_out(f->s, f->u->ep_out, pkt, sizeof(pkt)), SIM_STLINK_OK);
    if (olen)
        assert_int_equal(sim_stlink_bulk_out(f->s, f->u->ep_out, out, olen), SIM_STLINK_OK);
    if (!inlen)
        return 0;
    size_t got = 0;
    int r = sim_stlink_bulk_in(f->s, f->u->ep_in, in, inlen, &got);
    if (r == SIM_STLINK_TIMEOUT)
        return -2;
    assert_int_equal(r, SIM_STLINK_OK);
    return (int)got;
}

static void enter_swd(fixture *f)
{
    uint8_t r[2];
    /* As every host does: leave DFU mode (a V2 after power-up) first. */
    assert_int_equal(xfer(f, (const uint8_t[]){0xF5}, 1, NULL, 0, r, 2), 2);
    if (r[0] == 0x00)
        assert_int_equal(xfer(f, (const uint8_t[]){0xF3, 0x07}, 2, NULL, 0, r, 0), 0);
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x30, 0xA3}, 3, NULL, 0, r, 2), 2);
    assert_int_equal(r[0], 0x80);
}

static uint8_t last_status(fixture *f, uint32_t *fault_addr)
{
    uint8_t r[12];
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x3E}, 2, NULL, 0, r, 12), 12);
    if (fault_addr)
        *fault_addr =
            (uint32_t)r[4] | (uint32_t)r[5] << 8 | (uint32_t)r[6] << 16 | (uint32_t)r[7] << 24;
    return r[0];
}

static void mem_cmd(uint8_t *c, uint8_t sub, uint32_t addr, uint16_t len)
{
    c[0] = 0xF2;
    c[1] = sub;
    for (int i = 0; i < 4; i++)
        c[2 + i] = (uint8_t)(addr >> (8 * i));
    c[6] = (uint8_t)len;
    c[7] = (uint8_t)(len >> 8);
}

static void test_version_v2(void **state)
{
    (void)state;
    fixture *f = open_probe(SIM_PROBE_V2, NULL);
    assert_int_equal(f->u->pid, 0x3748);
    assert_int_equal(f->u->ep_out, 0x02);
    uint8_t r[6];
    assert_int_equal(xfer(f, (const uint8_t[]){0xF1}, 1, NULL, 0, r, 6), 6);
    /* V2J45S7: 2<<12 | 45<<6 | 7 = 0x2B47, big endian; then VID, PID little endian */
    const uint8_t want[6] = {0x2B, 0x47, 0x83, 0x04, 0x48, 0x37};
    assert_memory_equal(r, want, 6);
    /* V2 has no GET_VERSION_EX: no answer */
    assert_int_equal(xfer(f, (const uint8_t[]){0xFB}, 1, NULL, 0, r, 6), -2);
    close_probe(f);
}

static void test_version_v21_and_v3(void **state)
{
    (void)state;
    fixture *f = open_probe(SIM_PROBE_V2_1, NULL);
    assert_int_equal(f->u->pid, 0x374B);
    assert_int_equal(f->u->ep_out, 0x01);
    uint8_t r[12];
    assert_int_equal(xfer(f, (const uint8_t[]){0xF1}, 1, NULL, 0, r, 6), 6);
    assert_int_equal(r[0], 0x2B); /* V2J45M30: M in the low 6 bits */
    assert_int_equal(r[1], 0x40 | 30);
    close_probe(f);

    f = open_probe(SIM_PROBE_V3, NULL);
    assert_int_equal(f->u->pid, 0x374F);
    assert_int_equal(f->u->max_packet, 512);
    assert_int_equal(xfer(f, (const uint8_t[]){0xF1}, 1, NULL, 0, r, 6), 6);
    assert_int_equal(r[0], 0x30);
    assert_int_equal(r[1], 0x00);
    assert_int_equal(xfer(f, (const uint8_t[]){0xFB}, 1, NULL, 0, r, 12), 12);
    const uint8_t want[12] = {3, 0, 16, 8, 0, 0, 0, 0, 0x83, 0x04, 0x4F, 0x37};
    assert_memory_equal(r, want, 12);
    close_probe(f);
}

static void test_fw_strings(void **state)
{
    (void)state;
    char err[200];
    assert_int_equal(sim_stlink_fw_check("V2J37S7", err, sizeof(err)), 0);
    assert_int_equal(sim_stlink_fw_check("V3J7M3B5S1", err, sizeof(err)), 0);
    assert_int_equal(sim_stlink_fw_check("V2S7", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "V2J45S7"));
    assert_int_equal(sim_stlink_fw_check("X2J3", err, sizeof(err)), -1);
    /* a V3 firmware string on a V2 probe is refused */
    sim_board *b = fake_board_new(SIM_PROBE_V2, "V3J16M8");
    assert_null(sim_stlink_create(b));
    fake_board_free(b);
}

static void test_modes_and_enter(void **state)
{
    (void)state;
    fixture *f = open_probe(SIM_PROBE_V2, NULL);
    uint8_t r[12];
    assert_int_equal(xfer(f, (const uint8_t[]){0xF5}, 1, NULL, 0, r, 2), 2);
    assert_int_equal(r[0], 0x00); /* DFU after power-up */
    assert_int_equal(xfer(f, (const uint8_t[]){0xF3, 0x07}, 2, NULL, 0, r, 0), 0);
    assert_int_equal(xfer(f, (const uint8_t[]){0xF5}, 1, NULL, 0, r, 2), 2);
    assert_int_equal(r[0], 0x01);
    enter_swd(f);
    assert_int_equal(xfer(f, (const uint8_t[]){0xF5}, 1, NULL, 0, r, 2), 2);
    assert_int_equal(r[0], 0x02);
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x31}, 2, NULL, 0, r, 12), 12);
    assert_int_equal(r[0], 0x80);
    assert_int_equal(r[4] | r[5] << 8 | r[6] << 16 | (uint32_t)r[7] << 24, 0x2BA01477u);
    /* exit debug: no reply, mode back to mass storage */
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x21}, 2, NULL, 0, r, 2), -2);
    assert_int_equal(xfer(f, (const uint8_t[]){0xF5}, 1, NULL, 0, r, 2), 2);
    assert_int_equal(r[0], 0x01);
    close_probe(f);
}

static void test_enter_without_target(void **state)
{
    (void)state;
    fixture *f = open_probe(SIM_PROBE_V2_1, NULL);
    f->b->no_target = true;
    uint8_t r[2];
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x30, 0xA3}, 3, NULL, 0, r, 2), 2);
    assert_int_equal(r[0], 0x09);
    close_probe(f);
}

static void test_mem32_roundtrip_and_rw_status(void **state)
{
    (void)state;
    fixture *f = open_probe(SIM_PROBE_V2_1, NULL);
    enter_swd(f);
    static uint8_t data[6144], back[6144];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 7 + 3);
    uint8_t c[16] = {0};
    mem_cmd(c, 0x08, 0x20000000, sizeof(data));
    assert_int_equal(xfer(f, c, 8, data, sizeof(data), NULL, 0), 0);
    assert_int_equal(last_status(f, NULL), 0x80);
    mem_cmd(c, 0x07, 0x20000000, sizeof(back));
    assert_int_equal(xfer(f, c, 8, NULL, 0, back, sizeof(back)), (int)sizeof(back));
    assert_memory_equal(data, back, sizeof(data));
    assert_memory_equal(f->b->sram, data, sizeof(data));

    /* writes stream: st-flash sends its flash loader buffers (8-32 KiB) in one command;
     * reads are limited by the firmware's 6 KiB buffer */
    static uint8_t big[32768];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 13 + 1);
    mem_cmd(c, 0x08, 0x20004000, sizeof(big));
    assert_int_equal(xfer(f, c, 8, big, sizeof(big), NULL, 0), 0);
    assert_int_equal(last_status(f, NULL), 0x80);
    assert_memory_equal(f->b->sram + 0x4000, big, sizeof(big));
    mem_cmd(c, 0x07, 0x20004000, 8192);
    xfer(f, c, 8, NULL, 0, big, sizeof(big));
    assert_int_not_equal(last_status(f, NULL), 0x80);

    /* a bus fault: reply still has the requested length, the status tells */
    uint32_t fault = 0;
    mem_cmd(c, 0x07, 0x40000000, 8);
    assert_int_equal(xfer(f, c, 8, NULL, 0, back, 8), 8);
    assert_int_equal(last_status(f, &fault), 0x11);
    assert_int_equal(fault, 0x40000000);
    /* the old 2-byte status command reports the same */
    uint8_t r[2];
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x3B}, 2, NULL, 0, r, 2), 2);
    assert_int_equal(r[0], 0x11);
    close_probe(f);
}

static void test_mem8_quirks_and_limits(void **state)
{
    (void)state;
    fixture *f = open_probe(SIM_PROBE_V2, NULL);
    enter_swd(f);
    f->b->sram[5] = 0xA5;
    uint8_t c[16] = {0}, r[128];
    mem_cmd(c, 0x0C, 0x20000005, 1);
    assert_int_equal(xfer(f, c, 8, NULL, 0, r, sizeof(r)), 2); /* one byte answers two */
    assert_int_equal(r[0], 0xA5);
    assert_int_equal(last_status(f, NULL), 0x80);
    /* 8-bit accesses are limited to one full-speed packet */
    mem_cmd(c, 0x0C, 0x20000000, 65);
    xfer(f, c, 8, NULL, 0, r, sizeof(r));
    assert_int_not_equal(last_status(f, NULL), 0x80);
    uint8_t w[64];
    memset(w, 0x5A, sizeof(w));
    mem_cmd(c, 0x0D, 0x20000101, 64);
    xfer(f, c, 8, w, sizeof(w), NULL, 0);
    assert_int_equal(last_status(f, NULL), 0x80);
    assert_memory_equal(f->b->sram + 0x101, w, 64);
    /* unaligned 32-bit access is refused */
    mem_cmd(c, 0x07, 0x20000002, 4);
    xfer(f, c, 8, NULL, 0, r, 4);
    assert_int_not_equal(last_status(f, NULL), 0x80);
    close_probe(f);
}

static void test_firmware_gates(void **state)
{
    (void)state;
    fixture *f = open_probe(SIM_PROBE_V2, "V2J25S7");
    enter_swd(f);
    uint8_t c[16] = {0}, r[16];
    mem_cmd(c, 0x47, 0x20000000, 4); /* 16-bit read from J26 */
    assert_int_equal(xfer(f, c, 8, NULL, 0, r, 4), -2);
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x4B, 0}, 3, NULL, 0, r, 2), -2);   /* J28 */
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x43, 7, 0}, 4, NULL, 0, r, 2), 2); /* J22 */
    close_probe(f);

    f = open_probe(SIM_PROBE_V2, "V2J14S0");
    enter_swd(f);
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x3E}, 2, NULL, 0, r, 12), -2); /* J15 */
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x43, 7, 0}, 4, NULL, 0, r, 2), -2);
    close_probe(f);

    f = open_probe(SIM_PROBE_V2, NULL);
    enter_swd(f);
    f->b->sram[0] = 0x34;
    f->b->sram[1] = 0x12;
    mem_cmd(c, 0x47, 0x20000000, 2);
    assert_int_equal(xfer(f, c, 8, NULL, 0, r, 2), 2);
    assert_int_equal(r[0] | r[1] << 8, 0x1234);
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x4B, 0}, 3, NULL, 0, r, 2), 2);
    assert_int_equal(r[0], 0x80);
    close_probe(f);

    /* V3 (J6 and later): 8-bit accesses up to one high-speed packet, SWD_SET_FREQ gone */
    f = open_probe(SIM_PROBE_V3, NULL);
    enter_swd(f);
    static uint8_t big[600];
    mem_cmd(c, 0x0C, 0x20000000, 512);
    assert_int_equal(xfer(f, c, 8, NULL, 0, big, sizeof(big)), 512);
    assert_int_equal(last_status(f, NULL), 0x80);
    mem_cmd(c, 0x0C, 0x20000000, 513);
    xfer(f, c, 8, NULL, 0, big, sizeof(big));
    assert_int_not_equal(last_status(f, NULL), 0x80);
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x43, 7, 0}, 4, NULL, 0, r, 2), -2);
    close_probe(f);
}

static void test_registers(void **state)
{
    (void)state;
    fixture *f = open_probe(SIM_PROBE_V2_1, NULL);
    enter_swd(f);
    uint8_t r[88];
    /* halt through FORCEDEBUG, then GETSTATUS says halted (0x81) */
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x02}, 2, NULL, 0, r, 2), 2);
    assert_int_equal(r[0], 0x80);
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x01}, 2, NULL, 0, r, 2), 2);
    assert_int_equal(r[0], 0x81);
    /* WRITEREG r15, READREG r15 */
    assert_int_equal(
        xfer(f, (const uint8_t[]){0xF2, 0x34, 15, 0x01, 0x02, 0x00, 0x08}, 7, NULL, 0, r, 2), 2);
    assert_int_equal(r[0], 0x80);
    assert_int_equal(f->b->regs[15], 0x08000201u);
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x33, 15}, 3, NULL, 0, r, 8), 8);
    assert_int_equal(r[0], 0x80);
    assert_int_equal(r[4] | r[5] << 8 | r[6] << 16 | (uint32_t)r[7] << 24, 0x08000201u);
    /* READALLREGS: status + 21 words */
    f->b->regs[16] = 0x01000000u;
    f->b->regs[20] = 0x00000001u;
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x3A}, 2, NULL, 0, r, 88), 88);
    assert_int_equal(r[0], 0x80);
    assert_int_equal(r[4 + 15 * 4], 0x01);
    assert_int_equal(r[4 + 16 * 4 + 3], 0x01);
    assert_int_equal(r[4 + 19 * 4], 0x01);
    /* debug register read/write */
    assert_int_equal(
        xfer(f, (const uint8_t[]){0xF2, 0x35, 0xF0, 0xED, 0x00, 0xE0, 0x01, 0x00, 0x5F, 0xA0}, 10,
             NULL, 0, r, 2),
        2);
    assert_int_equal(
        xfer(f, (const uint8_t[]){0xF2, 0x36, 0xF0, 0xED, 0x00, 0xE0}, 6, NULL, 0, r, 8), 8);
    assert_int_equal(r[0], 0x80);
    assert_int_equal(r[6] & 0x02, 0); /* S_HALT cleared by the run */
    /* RESETSYS writes AIRCR */
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x32}, 2, NULL, 0, r, 2), 2);
    assert_int_equal(f->b->aircr_writes, 1);
    close_probe(f);
}

static void test_voltage_nrst_and_clock(void **state)
{
    (void)state;
    fixture *f = open_probe(SIM_PROBE_V2, NULL);
    uint8_t r[52];
    f->b->vdd = 0.52;
    /* Not in DFU mode (a V2 after power-up): OpenOCD, "supported in all modes except DFU". */
    assert_int_equal(xfer(f, (const uint8_t[]){0xF7}, 1, NULL, 0, r, 8), -2);
    enter_swd(f);
    assert_int_equal(xfer(f, (const uint8_t[]){0xF7}, 1, NULL, 0, r, 8), 8);
    uint32_t a0 = r[0] | r[1] << 8, a1 = r[4] | r[5] << 8;
    double v = 2.0 * a1 * 1.2 / a0;
    assert_true(v > 0.50 && v < 0.54);
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x3C, 0}, 3, NULL, 0, r, 2), 2);
    assert_true(f->b->nrst);
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x3C, 1}, 3, NULL, 0, r, 2), 2);
    assert_false(f->b->nrst);
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x3C, 2}, 3, NULL, 0, r, 2), 2);
    assert_int_equal(f->b->nrst_edges, 4);
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x43, 7, 0}, 4, NULL, 0, r, 2), 2);
    assert_int_equal(sim_stlink_swd_khz(f->s), 480);
    close_probe(f);

    f = open_probe(SIM_PROBE_V3, NULL);
    enter_swd(f);
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x62, 0}, 3, NULL, 0, r, 52), 52);
    assert_int_equal(r[0], 0x80);
    assert_int_equal(r[8], 7);
    assert_int_equal(r[12] | r[13] << 8 | r[14] << 16, 24000);
    assert_int_equal(
        xfer(f, (const uint8_t[]){0xF2, 0x61, 0, 0, 0xA0, 0x0F, 0, 0}, 8, NULL, 0, r, 8), 8);
    assert_int_equal(r[4] | r[5] << 8, 3300); /* 4000 kHz asked: the next lower step */
    assert_int_equal(sim_stlink_swd_khz(f->s), 3300);
    close_probe(f);
}

static void test_virtual_time(void **state)
{
    (void)state;
    fixture *f = open_probe(SIM_PROBE_V2, NULL);
    enter_swd(f);
    uint8_t r[2];
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x43, 7, 0}, 4, NULL, 0, r, 2), 2);
    sim_stats before = f->b->stats;
    uint64_t t0 = f->b->now_ns;
    static uint8_t buf[4096];
    uint8_t c[16] = {0};
    mem_cmd(c, 0x07, 0x20000000, sizeof(buf));
    assert_int_equal(xfer(f, c, 8, NULL, 0, buf, sizeof(buf)), (int)sizeof(buf));
    uint64_t dt = f->b->now_ns - t0;
    /* USB: 2 transfers x 0.5 ms + 4112 bytes at 1 MB/s; SWD: 1025 x 48 cycles at 480 kHz */
    uint64_t want = 2 * 500000ull + 4112ull * 1000 + 1025ull * 48 * 1000000 / 480;
    assert_true(dt >= want - 1000 && dt <= want + 1000);
    assert_int_equal(f->b->stats.usb_transfers - before.usb_transfers, 2);
    assert_int_equal(f->b->stats.bytes_out - before.bytes_out, 16);
    assert_int_equal(f->b->stats.bytes_in - before.bytes_in, 4096);
    assert_int_equal(f->b->stats.swd_transfers - before.swd_transfers, 1025);
    close_probe(f);

    f = open_probe(SIM_PROBE_V3, NULL);
    t0 = f->b->now_ns;
    assert_int_equal(xfer(f, (const uint8_t[]){0xF5}, 1, NULL, 0, r, 2), 2);
    want = 2 * 125000ull + 18ull * 100 / 3;
    assert_true(f->b->now_ns - t0 >= want - 10 && f->b->now_ns - t0 <= want + 10);
    close_probe(f);
}

static void test_wait_is_retried(void **state)
{
    (void)state;
    fixture *f = open_probe(SIM_PROBE_V2_1, NULL);
    enter_swd(f);
    uint8_t c[16] = {0}, r[8];
    f->b->sram[0] = 0x77;
    f->b->wait_next = 3;
    mem_cmd(c, 0x07, 0x20000000, 4);
    assert_int_equal(xfer(f, c, 8, NULL, 0, r, 4), 4);
    assert_int_equal(last_status(f, NULL), 0x80);
    assert_int_equal(r[0], 0x77);
    f->b->wait_next = 1000; /* a bus that stays busy: the firmware gives up with AP WAIT */
    xfer(f, c, 8, NULL, 0, r, 4);
    assert_int_equal(last_status(f, NULL), 0x10);
    close_probe(f);
}

/* Reads 16 KiB at the given clock through a board limited to 500 kHz; counts failed reads
 * and reads whose data differ. */
static void noisy_reads(unsigned divisor, int *errors, int *wrong)
{
    fixture *f = open_probe(SIM_PROBE_V2, NULL);
    f->b->spec.swd_max_khz = 500;
    for (size_t i = 0; i < FAKE_SRAM_SIZE; i++)
        f->b->sram[i] = (uint8_t)(i ^ (i >> 8));
    enter_swd(f);
    uint8_t r[2];
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x43, (uint8_t)divisor, 0}, 4, NULL, 0, r, 2),
                     2);
    static uint8_t buf[1024];
    *errors = *wrong = 0;
    for (uint32_t off = 0; off < 16384; off += sizeof(buf)) {
        uint8_t c[16] = {0};
        mem_cmd(c, 0x07, 0x20000000 + off, sizeof(buf));
        xfer(f, c, 8, NULL, 0, buf, sizeof(buf));
        if (last_status(f, NULL) != 0x80)
            (*errors)++;
        else if (memcmp(buf, f->b->sram + off, sizeof(buf)) != 0)
            (*wrong)++;
    }
    close_probe(f);
}

static void test_noisy_wiring(void **state)
{
    (void)state;
    int errors, wrong;
    noisy_reads(0, &errors, &wrong); /* 4000 kHz */
    assert_true(errors + wrong > 0);
    noisy_reads(7, &errors, &wrong); /* 480 kHz: clean */
    assert_int_equal(errors, 0);
    assert_int_equal(wrong, 0);
}

static void test_corrupting_clone(void **state)
{
    (void)state;
    fixture *f = open_probe(SIM_PROBE_V2, NULL);
    f->b->spec.probe_corrupt_over = 256;
    enter_swd(f);
    static uint8_t data[1024];
    memset(data, 0x3C, sizeof(data));
    uint8_t c[16] = {0};
    mem_cmd(c, 0x08, 0x20000000, 256);
    xfer(f, c, 8, data, 256, NULL, 0);
    assert_memory_equal(f->b->sram, data, 256); /* short transfers are fine */
    mem_cmd(c, 0x08, 0x20001000, sizeof(data));
    xfer(f, c, 8, data, sizeof(data), NULL, 0);
    assert_int_equal(last_status(f, NULL), 0x80); /* the probe does not know */
    assert_memory_equal(f->b->sram + 0x1000, data, 256);
    assert_memory_not_equal(f->b->sram + 0x1000 + 256, data + 256, sizeof(data) - 256);
    close_probe(f);
}

static void test_unknown_and_stall(void **state)
{
    (void)state;
    fixture *f = open_probe(SIM_PROBE_V2_1, NULL);
    uint8_t r[4];
    assert_int_equal(xfer(f, (const uint8_t[]){0xE9}, 1, NULL, 0, r, 2), -2);
    uint8_t pkt[16] = {0xF1};
    assert_int_equal(sim_stlink_bulk_out(f->s, 0x02, pkt, 16), SIM_STLINK_STALL);
    size_t got;
    assert_int_equal(sim_stlink_bulk_in(f->s, 0x82, r, 4, &got), SIM_STLINK_TIMEOUT); /* SWO */
    close_probe(f);
}

/* USB strictness (issue 14): a reply goes out in packets of max_packet bytes; a packet
 * larger than the room left in the host's buffer is LIBUSB_ERROR_OVERFLOW and is lost. */
static void test_usb_overflow(void **state)
{
    (void)state;
    fixture *f = open_probe(SIM_PROBE_V2_1, NULL);
    enter_swd(f);
    uint8_t pkt[16] = {0xF2, 0x31}; /* READ_IDCODES: 12 bytes */
    uint8_t r[256];
    size_t got = 0;
    assert_int_equal(sim_stlink_bulk_out(f->s, f->u->ep_out, pkt, 16), SIM_STLINK_OK);
    assert_int_equal(sim_stlink_bulk_in(f->s, f->u->ep_in, r, 2, &got), SIM_STLINK_OVERFLOW);
    /* the packet is gone: nothing more to read */
    assert_int_equal(sim_stlink_bulk_in(f->s, f->u->ep_in, r, 12, &got), SIM_STLINK_TIMEOUT);
    /* A one-byte 8-bit read answers two bytes: a host reading one overflows. */
    uint8_t c[16];
    memset(c, 0, sizeof c);
    mem_cmd(c, 0x0C, FAKE_SRAM_BASE, 1);
    assert_int_equal(sim_stlink_bulk_out(f->s, f->u->ep_out, c, 16), SIM_STLINK_OK);
    assert_int_equal(sim_stlink_bulk_in(f->s, f->u->ep_in, r, 1, &got), SIM_STLINK_OVERFLOW);
    /* 256 bytes of READMEM_32BIT read 64 at a time: four full packets; 100 bytes at a time
     * overflows at the second packet. */
    mem_cmd(c, 0x07, FAKE_SRAM_BASE, 256);
    assert_int_equal(sim_stlink_bulk_out(f->s, f->u->ep_out, c, 16), SIM_STLINK_OK);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(sim_stlink_bulk_in(f->s, f->u->ep_in, r, 64, &got), SIM_STLINK_OK);
        assert_int_equal(got, 64);
    }
    assert_int_equal(sim_stlink_bulk_out(f->s, f->u->ep_out, c, 16), SIM_STLINK_OK);
    assert_int_equal(sim_stlink_bulk_in(f->s, f->u->ep_in, r, 100, &got), SIM_STLINK_OVERFLOW);
    assert_int_equal(got, 100);
    close_probe(f);
}

/* A command sent before the last reply was read waits behind it (the reply is not dropped);
 * a second one is NAKed. */
static void test_reply_not_dropped(void **state)
{
    (void)state;
    fixture *f = open_probe(SIM_PROBE_V2_1, NULL);
    uint8_t ver[16] = {0xF1, 0x80}, mode[16] = {0xF5};
    uint8_t r[64];
    size_t got = 0;
    assert_int_equal(sim_stlink_bulk_out(f->s, f->u->ep_out, ver, 16), SIM_STLINK_OK);
    assert_int_equal(sim_stlink_bulk_out(f->s, f->u->ep_out, mode, 16), SIM_STLINK_OK);
    assert_int_equal(sim_stlink_bulk_out(f->s, f->u->ep_out, mode, 16), SIM_STLINK_TIMEOUT);
    assert_int_equal(sim_stlink_bulk_in(f->s, f->u->ep_in, r, 64, &got), SIM_STLINK_OK);
    assert_int_equal(got, 6); /* the stale GET_VERSION reply first */
    assert_int_equal(sim_stlink_bulk_in(f->s, f->u->ep_in, r, 64, &got), SIM_STLINK_OK);
    assert_int_equal(got, 2); /* then GET_CURRENT_MODE's */
    assert_int_equal(r[0], 0x01);
    close_probe(f);
}

/* STLINK-V3: DEBUG_EXIT outside debug mode locks the firmware up until a USB reset
 * (stlink-org PR 1467); a failed ENTER leaves it outside debug mode. */
static void test_v3_exit_outside_debug_hangs(void **state)
{
    (void)state;
    fixture *f = open_probe(SIM_PROBE_V3, NULL);
    f->b->no_target = true;
    uint8_t r[2];
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x30, 0xA3}, 3, NULL, 0, r, 2), 2);
    assert_int_not_equal(r[0], 0x80);
    assert_int_equal(xfer(f, (const uint8_t[]){0xF5}, 1, NULL, 0, r, 2), 2);
    assert_int_equal(r[0], 0x01); /* not in debug mode */
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x21}, 2, NULL, 0, r, 0), 0);
    uint8_t pkt[16] = {0xF5};
    assert_int_equal(sim_stlink_bulk_out(f->s, f->u->ep_out, pkt, 16), SIM_STLINK_TIMEOUT);
    sim_stlink_usb_reset(f->s);
    f->b->no_target = false;
    enter_swd(f);
    close_probe(f);
}

/* The next process: a new probe model on the same board (and its FILE.probe). */
static void reopen(fixture *f)
{
    sim_stlink_destroy(f->s);
    f->s = sim_stlink_create(f->b);
    assert_non_null(f->s);
    f->u = sim_stlink_usb_info(f->s);
}

/* With the board persisted, what a process leaves pending is still pending for the next
 * one: a reply, a data phase, debug mode. A USB reset clears it. */
static void test_pending_across_processes(void **state)
{
    (void)state;
    char path[] = "/tmp/stlink-model-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char probe_file[64];
    snprintf(probe_file, sizeof probe_file, "%s.probe", path);
    fixture *f = open_probe(SIM_PROBE_V2_1, NULL);
    snprintf(f->b->state_file, sizeof f->b->state_file, "%s", path);
    reopen(f); /* now mapped to PATH.probe */
    enter_swd(f);
    uint8_t c[16] = {0};
    uint8_t r[64];
    size_t got = 0;
    /* a reply nobody reads */
    mem_cmd(c, 0x07, FAKE_SRAM_BASE, 8);
    assert_int_equal(sim_stlink_bulk_out(f->s, f->u->ep_out, c, 16), SIM_STLINK_OK);
    reopen(f);
    assert_int_equal(sim_stlink_bulk_in(f->s, f->u->ep_in, r, 64, &got), SIM_STLINK_OK);
    assert_int_equal(got, 8);
    assert_int_equal(xfer(f, (const uint8_t[]){0xF5}, 1, NULL, 0, r, 2), 2);
    assert_int_equal(r[0], 0x02); /* still in debug mode */
    /* a write waiting for its data: the next process's command is taken as data */
    mem_cmd(c, 0x08, FAKE_SRAM_BASE + 0x100, 16);
    assert_int_equal(sim_stlink_bulk_out(f->s, f->u->ep_out, c, 16), SIM_STLINK_OK);
    reopen(f);
    assert_int_equal(xfer(f, (const uint8_t[]){0xF1, 0x80}, 2, NULL, 0, r, 6), -2);
    assert_int_equal(f->b->sram[0x100], 0xF1); /* ... and written to the target */
    /* a USB reset: the power-up state */
    mem_cmd(c, 0x08, FAKE_SRAM_BASE + 0x200, 64);
    assert_int_equal(sim_stlink_bulk_out(f->s, f->u->ep_out, c, 16), SIM_STLINK_OK);
    sim_stlink_usb_reset(f->s);
    reopen(f);
    assert_int_equal(xfer(f, (const uint8_t[]){0xF5}, 1, NULL, 0, r, 2), 2);
    assert_int_equal(r[0], 0x01);
    close_probe(f);
    unlink(probe_file);
    unlink(path);
}

static uint32_t dap_read(fixture *f, uint16_t port, uint16_t reg, uint8_t *status)
{
    uint8_t c[6] = {
        0xF2, 0x45, (uint8_t)port, (uint8_t)(port >> 8), (uint8_t)reg, (uint8_t)(reg >> 8)};
    uint8_t r[8];
    assert_int_equal(xfer(f, c, sizeof(c), NULL, 0, r, 8), 8);
    *status = r[0];
    return r[4] | r[5] << 8 | r[6] << 16 | (uint32_t)r[7] << 24;
}

static uint8_t dap_write(fixture *f, uint16_t port, uint16_t reg, uint32_t v)
{
    uint8_t c[10] = {0xF2,
                     0x46,
                     (uint8_t)port,
                     (uint8_t)(port >> 8),
                     (uint8_t)reg,
                     (uint8_t)(reg >> 8),
                     (uint8_t)v,
                     (uint8_t)(v >> 8),
                     (uint8_t)(v >> 16),
                     (uint8_t)(v >> 24)};
    uint8_t r[2];
    assert_int_equal(xfer(f, c, sizeof(c), NULL, 0, r, 2), 2);
    return r[0];
}

static void test_dap_registers(void **state)
{
    (void)state;
    fixture *f = open_probe(SIM_PROBE_V2_1, NULL);
    enter_swd(f);
    uint8_t st;
    assert_int_equal(dap_read(f, 0xFFFF, 0, &st), 0x2BA01477u); /* DPIDR */
    assert_int_equal(st, 0x80);
    assert_int_equal(dap_write(f, 0xFFFF, 4, 0x50000000u), 0x80); /* power-up requests */
    assert_int_equal(dap_read(f, 0xFFFF, 4, &st) & 0xF0000000u, 0xF0000000u);
    assert_int_equal(dap_read(f, 0, 0xFC, &st), 0x24770011u); /* AHB-AP of a Cortex-M4 */
    /* 32-bit, auto-increment: two words through DRW */
    assert_int_equal(dap_write(f, 0, 0x00, 0x23000012u), 0x80);
    assert_int_equal(dap_write(f, 0, 0x04, 0x20000010u), 0x80);
    assert_int_equal(dap_write(f, 0, 0x0C, 0x11223344u), 0x80);
    assert_int_equal(dap_write(f, 0, 0x0C, 0x55667788u), 0x80);
    assert_int_equal(dap_read(f, 0, 0x04, &st), 0x20000018u);
    assert_int_equal(f->b->sram[0x10], 0x44);
    assert_int_equal(f->b->sram[0x17], 0x55);
    /* 8-bit read: data in the byte lane of the address */
    assert_int_equal(dap_write(f, 0, 0x00, 0x23000000u), 0x80);
    assert_int_equal(dap_write(f, 0, 0x04, 0x20000012u), 0x80);
    assert_int_equal(dap_read(f, 0, 0x0C, &st), 0x00220000u);
    /* a fault sets STICKYERR; ABORT clears it */
    assert_int_equal(dap_write(f, 0, 0x04, 0x40000000u), 0x80);
    dap_read(f, 0, 0x0C, &st);
    assert_int_equal(st, 0x11);
    assert_true(dap_read(f, 0xFFFF, 4, &st) & 0x20u);
    assert_int_equal(dap_write(f, 0xFFFF, 0, 0x4u), 0x80);
    assert_false(dap_read(f, 0xFFFF, 4, &st) & 0x20u);
    dap_read(f, 1, 0xFC, &st);
    assert_int_equal(st, 0x1D); /* only AP 0 */
    close_probe(f);

    f = open_probe(SIM_PROBE_V2, "V2J23S7"); /* DAP register commands from J24 */
    enter_swd(f);
    uint8_t c[6] = {0xF2, 0x45, 0xFF, 0xFF, 0, 0}, r[8];
    assert_int_equal(xfer(f, c, sizeof(c), NULL, 0, r, 8), -2);
    close_probe(f);
}

static void test_misc_and_noinc(void **state)
{
    (void)state;
    fixture *f = open_probe(SIM_PROBE_V2_1, NULL); /* V2J45: has RW_MISC (J32) */
    enter_swd(f);
    f->b->sram[0x20] = 0x11;
    f->b->sram[0x21] = 0x22;
    /* items: APNUM 0, READ 0x20000020, ADDRESS 0x20000040, WRITE 0xCAFEF00D */
    uint8_t c[16] = {0xF2, 0x51, 4, 0, 0, 0};
    uint8_t out[4 + 16] = {5, 3, 1, 2};
    const uint32_t vals[4] = {0, 0x20000020u, 0x20000040u, 0xCAFEF00Du};
    for (int i = 0; i < 4; i++)
        for (int b = 0; b < 4; b++)
            out[4 + 4 * i + b] = (uint8_t)(vals[i] >> (8 * b));
    assert_int_equal(xfer(f, c, 6, out, sizeof(out), NULL, 0), 0);
    uint8_t r[64];
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x52}, 2, NULL, 0, r, sizeof(r)), 32);
    assert_int_equal(r[4] | r[5] << 8, 0x2211); /* value of the READ item */
    for (int i = 0; i < 4; i++)
        assert_int_equal(r[16 + 4 * i], 0x80); /* status of each item */
    assert_int_equal(f->b->sram[0x40], 0x0D);
    assert_int_equal(f->b->sram[0x43], 0xCA);

    /* no address increment: four words to one address, the last one stays */
    uint8_t w[16] = {1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0};
    mem_cmd(c, 0x50, 0x20000080, sizeof(w));
    xfer(f, c, 8, w, sizeof(w), NULL, 0);
    assert_int_equal(last_status(f, NULL), 0x80);
    assert_int_equal(f->b->sram[0x80], 4);
    assert_int_equal(f->b->sram[0x84], 0);
    mem_cmd(c, 0x54, 0x20000080, 8);
    assert_int_equal(xfer(f, c, 8, NULL, 0, r, 8), 8);
    assert_int_equal(r[0], 4);
    assert_int_equal(r[4], 4);
    close_probe(f);

    f = open_probe(SIM_PROBE_V2, "V2J31S7"); /* before J32: no RW_MISC */
    enter_swd(f);
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x52}, 2, NULL, 0, r, sizeof(r)), -2);
    close_probe(f);
}

/* SWO capture: START_TRACE_RX sets the receiver's rate, GET_TRACE_NB counts what came, the
 * trace endpoint hands it out; a full buffer loses what comes next; STOP ends listening;
 * firmware before V2J13 has none of it. */
static void test_swo_capture(void **state)
{
    (void)state;
    fixture *f = open_probe(SIM_PROBE_V2, NULL);
    enter_swd(f);
    uint8_t r[64];
    /* 40 SIZE16=16 HZ32=2000000 */
    const uint8_t start[] = {0xF2, 0x40, 16, 0, 0x80, 0x84, 0x1E, 0x00};
    assert_int_equal(xfer(f, start, sizeof(start), NULL, 0, r, 2), 2);
    assert_int_equal(r[0], 0x80);
    assert_int_equal(f->b->swo_baud, 2000000);
    static const char sent[] = "\x01Hello, SWO world";
    memcpy(f->b->swo, sent, sizeof(sent) - 1); /* 17 bytes */
    f->b->swo_len = sizeof(sent) - 1;
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x42}, 2, NULL, 0, r, 2), 2);
    assert_int_equal(r[0] | r[1] << 8, 16); /* the buffer holds 16: 1 byte lost */
    size_t got = 0;
    assert_int_equal(sim_stlink_bulk_in(f->s, f->u->ep_trace, r, sizeof(r), &got), SIM_STLINK_OK);
    assert_int_equal(got, 16);
    assert_memory_equal(r, sent, 16);
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x42}, 2, NULL, 0, r, 2), 2);
    assert_int_equal(r[0] | r[1] << 8, 0);
    assert_int_equal(sim_stlink_bulk_in(f->s, f->u->ep_trace, r, sizeof(r), &got),
                     SIM_STLINK_TIMEOUT);
    assert_int_equal(xfer(f, (const uint8_t[]){0xF2, 0x41}, 2, NULL, 0, r, 2), 2);
    assert_int_equal(r[0], 0x80);
    assert_int_equal(f->b->swo_baud, 0);
    close_probe(f);

    f = open_probe(SIM_PROBE_V2, "V2J12S0");
    enter_swd(f);
    assert_int_equal(xfer(f, start, sizeof(start), NULL, 0, r, 2), -2);
    close_probe(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_v2),
        cmocka_unit_test(test_version_v21_and_v3),
        cmocka_unit_test(test_fw_strings),
        cmocka_unit_test(test_modes_and_enter),
        cmocka_unit_test(test_enter_without_target),
        cmocka_unit_test(test_mem32_roundtrip_and_rw_status),
        cmocka_unit_test(test_mem8_quirks_and_limits),
        cmocka_unit_test(test_firmware_gates),
        cmocka_unit_test(test_registers),
        cmocka_unit_test(test_voltage_nrst_and_clock),
        cmocka_unit_test(test_virtual_time),
        cmocka_unit_test(test_wait_is_retried),
        cmocka_unit_test(test_noisy_wiring),
        cmocka_unit_test(test_corrupting_clone),
        cmocka_unit_test(test_unknown_and_stall),
        cmocka_unit_test(test_dap_registers),
        cmocka_unit_test(test_misc_and_noinc),
        cmocka_unit_test(test_swo_capture),
        cmocka_unit_test(test_usb_overflow),
        cmocka_unit_test(test_reply_not_dropped),
        cmocka_unit_test(test_v3_exit_outside_debug_hangs),
        cmocka_unit_test(test_pending_across_processes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
