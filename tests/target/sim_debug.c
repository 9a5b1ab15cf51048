/* Test-only stp_debug over the virtual board (see sim_debug.h). */
#include "sim_debug.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACCESS_COST_NS 20000u /* one probe round trip, roughly */
#define WAIT_RETRIES   100000

static sim_debug *sd(stp_debug *d)
{
    return (sim_debug *)d;
}

static stp_status map(sim_access a)
{
    switch (a) {
    case SIM_ACC_OK:
        return STP_OK;
    case SIM_ACC_FAULT:
        return STP_ERR_TARGET_FAULT;
    case SIM_ACC_WAIT:
        return STP_ERR_WAIT;
    case SIM_ACC_NO_TARGET:
        return STP_ERR_NO_TARGET;
    }
    return STP_ERR_INTERNAL;
}

/* One access of a single width, retrying WAIT after the stall passes. */
static stp_status access(sim_debug *s, bool write, uint32_t addr, void *buf, uint32_t len,
                         unsigned width)
{
    uint8_t *p = buf;
    uint32_t pos = 0;
    s->accesses++;
    if (!s->freeze_clock)
        sim_clock_advance(s->board, ACCESS_COST_NS);
    for (int tries = 0; pos < len; tries++) {
        uint32_t done = 0;
        sim_access a = write ? sim_mem_write(s->board, addr + pos, p + pos, len - pos, width, &done)
                             : sim_mem_read(s->board, addr + pos, p + pos, len - pos, width, &done);
        pos += done;
        if (a == SIM_ACC_OK)
            return STP_OK;
        if (a != SIM_ACC_WAIT || tries >= WAIT_RETRIES)
            return map(a);
        uint64_t stall = sim_board_stall_ns(s->board, addr + pos);
        if (stall == UINT64_MAX)
            return STP_ERR_WAIT;
        sim_clock_advance(s->board, stall ? stall : 1000);
    }
    return STP_OK;
}

/* Splits an arbitrary range into aligned pieces of the widest width. */
static stp_status mem(stp_debug *d, bool write, uint32_t addr, uint8_t *buf, size_t len)
{
    size_t off = 0;
    while (off < len) {
        uint32_t a = addr + (uint32_t)off;
        size_t left = len - off;
        unsigned w = (a % 4 == 0 && left >= 4) ? 4 : (a % 2 == 0 && left >= 2) ? 2 : 1;
        size_t n = w == 4 ? (left & ~(size_t)3) : w;
        stp_status st = access(sd(d), write, a, buf + off, (uint32_t)n, w);
        if (st != STP_OK)
            return st;
        off += n;
    }
    return STP_OK;
}

static stp_status read_mem(stp_debug *d, uint32_t addr, void *buf, size_t len, stp_findings *f)
{
    (void)f;
    return mem(d, false, addr, buf, len);
}

static stp_status write_mem(stp_debug *d, uint32_t addr, const void *buf, size_t len,
                            stp_findings *f)
{
    (void)f;
    return mem(d, true, addr, (uint8_t *)(uintptr_t)buf, len);
}

static stp_status read_u32(stp_debug *d, uint32_t addr, uint32_t *val, stp_findings *f)
{
    (void)f;
    uint8_t b[4];
    stp_status st = access(sd(d), false, addr, b, 4, 4);
    *val = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    if (sd(d)->stuck_bits != 0 && addr == sd(d)->stuck_addr)
        *val |= sd(d)->stuck_bits;
    return st;
}

static stp_status write_u32(stp_debug *d, uint32_t addr, uint32_t val, stp_findings *f)
{
    (void)f;
    uint8_t b[4] = {(uint8_t)val, (uint8_t)(val >> 8), (uint8_t)(val >> 16), (uint8_t)(val >> 24)};
    return access(sd(d), true, addr, b, 4, 4);
}

static stp_status write_u16(stp_debug *d, uint32_t addr, uint16_t val, stp_findings *f)
{
    (void)f;
    uint8_t b[2] = {(uint8_t)val, (uint8_t)(val >> 8)};
    return access(sd(d), true, addr, b, 2, 2);
}

static stp_status read_reg(stp_debug *d, unsigned regno, uint32_t *val, stp_findings *f)
{
    stp_status st = write_u32(d, 0xE000EDF4u, regno & 0x7Fu, f);
    if (st == STP_OK)
        st = read_u32(d, 0xE000EDF8u, val, f);
    return st;
}

static stp_status write_reg(stp_debug *d, unsigned regno, uint32_t val, stp_findings *f)
{
    stp_status st = write_u32(d, 0xE000EDF8u, val, f);
    if (st == STP_OK)
        st = write_u32(d, 0xE000EDF4u, (regno & 0x7Fu) | (1u << 16), f);
    return st;
}

static stp_status set_nrst(stp_debug *d, bool asserted, stp_findings *f)
{
    (void)f;
    sim_nrst_set(sd(d)->board, asserted);
    return STP_OK;
}

static stp_status target_voltage(stp_debug *d, double *volts, stp_findings *f)
{
    (void)f;
    *volts = sim_target_voltage(sd(d)->board);
    return STP_OK;
}

static stp_status set_swd_khz(stp_debug *d, unsigned khz, unsigned *actual, stp_findings *f)
{
    (void)d;
    (void)f;
    if (actual)
        *actual = khz;
    return STP_OK;
}

static stp_status attach(stp_debug *d, uint32_t *dp_idcode, stp_findings *f)
{
    (void)f;
    return map(sim_dp_idcode(sd(d)->board, dp_idcode));
}

static void delay_ms(stp_debug *d, unsigned ms)
{
    if (!sd(d)->freeze_clock)
        sim_clock_advance(sd(d)->board, (uint64_t)ms * 1000000u);
}

static uint64_t now_ms(stp_debug *d)
{
    return sim_clock_ns(sd(d)->board) / 1000000u;
}

static void close_dbg(stp_debug *d)
{
    sim_debug_close(sd(d));
}

static const stp_debug_ops sim_debug_ops = {
    .read_mem = read_mem,
    .write_mem = write_mem,
    .read_u32 = read_u32,
    .write_u32 = write_u32,
    .write_u16 = write_u16,
    .read_reg = read_reg,
    .write_reg = write_reg,
    .set_nrst = set_nrst,
    .target_voltage = target_voltage,
    .set_swd_khz = set_swd_khz,
    .attach = attach,
    .delay_ms = delay_ms,
    .now_ms = now_ms,
    .close = close_dbg,
};

sim_debug *sim_debug_open(const char *spec)
{
    char err[512];
    sim_board *b = sim_board_open(spec, err, sizeof(err));
    if (b == NULL) {
        fprintf(stderr, "sim_board_open(%s): %s\n", spec, err);
        return NULL;
    }
    sim_debug *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        sim_board_close(b);
        return NULL;
    }
    s->base.ops = &sim_debug_ops;
    snprintf(s->base.info.kind, sizeof(s->base.info.kind), "sim-direct");
    s->board = b;
    return s;
}

void sim_debug_close(sim_debug *s)
{
    if (s == NULL)
        return;
    sim_board_close(s->board);
    free(s);
}
