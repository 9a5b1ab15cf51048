/* The ST-Link's side of the wires: firmware version strings, SWD clock tables, the virtual
 * cost of USB transfers and SWD accesses, and the noisy-wiring fault (swd-max-khz=N). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stlink_internal.h"

/* --- Firmware version strings ------------------------------------------------------ */

int stl_fw_parse(const char *text, stl_fw *fw)
{
    memset(fw, 0, sizeof(*fw));
    const char *p = text;
    if (*p != 'V' && *p != 'v')
        return -1;
    bool seen_j = false;
    while (*p) {
        char letter = (char)toupper((unsigned char)*p++);
        if (!isdigit((unsigned char)*p))
            return -1;
        unsigned long v = strtoul(p, (char **)&p, 10);
        if (v > 63)
            return -1;
        switch (letter) {
        case 'V':
            if (fw->stlink || (v != 2 && v != 3))
                return -1;
            fw->stlink = (unsigned)v;
            break;
        case 'J':
            fw->jtag = (unsigned)v;
            seen_j = true;
            break;
        case 'S':
            fw->swim = (unsigned)v;
            break;
        case 'M':
            fw->msd = (unsigned)v;
            break;
        case 'B':
            fw->bridge = (unsigned)v;
            break;
        default:
            return -1;
        }
    }
    /* An SWD probe has a JTAG/SWD firmware part; V2 encodes S or M in 6 bits, not both. */
    if (!seen_j || fw->jtag == 0)
        return -1;
    if (fw->stlink == 2 && fw->swim && fw->msd)
        return -1;
    return 0;
}

int sim_stlink_fw_check(const char *fw, char *err, size_t errlen)
{
    stl_fw parsed;
    if (stl_fw_parse(fw, &parsed) == 0)
        return 0;
    if (err && errlen)
        snprintf(err, errlen,
                 "fw=%s: not an ST-Link firmware version; expected V2J<n>S<n>, V2J<n>M<n> or "
                 "V3J<n>[M<n>][B<n>][S<n>] (e.g. V2J45S7, V2J45M30, V3J16M8)",
                 fw);
    return -1;
}

void stl_fw_default(sim_probe_kind kind, stl_fw *fw)
{
    memset(fw, 0, sizeof(*fw));
    switch (kind) {
    case SIM_PROBE_V2:
        *fw = (stl_fw){.stlink = 2, .jtag = 45, .swim = 7};
        break;
    case SIM_PROBE_V2_1:
        *fw = (stl_fw){.stlink = 2, .jtag = 45, .msd = 30};
        break;
    case SIM_PROBE_V3:
        *fw = (stl_fw){.stlink = 3, .jtag = 16, .msd = 8};
        break;
    }
}

/* --- Clock tables ------------------------------------------------------------------ */

/* V2 firmware SWD_SET_FREQ divisors and the clocks they give (ST-Link/V2 user manual
 * values, also in OpenOCD's table). */
static const struct {
    uint16_t divisor;
    uint32_t khz;
} swd_divisors[] = {
    {0, 4000}, {1, 1800}, {2, 1200}, {3, 950},  {7, 480},  {15, 240},
    {31, 125}, {40, 100}, {79, 50},  {158, 25}, {265, 15}, {798, 5},
};

uint32_t stl_swd_khz_from_divisor(uint16_t divisor)
{
    /* Unlisted divisors give the next slower listed clock. */
    for (size_t i = 0; i < sizeof(swd_divisors) / sizeof(swd_divisors[0]); i++)
        if (divisor <= swd_divisors[i].divisor)
            return swd_divisors[i].khz;
    return 5;
}

/* STLINK-V3 SWD clocks (kHz), as its GET_COM_FREQ lists them. */
static const uint32_t v3_freqs[] = {24000, 8000, 3300, 1000, 200, 50, 5};

size_t stl_v3_freqs(const uint32_t **table)
{
    *table = v3_freqs;
    return sizeof(v3_freqs) / sizeof(v3_freqs[0]);
}

uint32_t stl_v3_pick_khz(uint32_t khz)
{
    for (size_t i = 0; i < sizeof(v3_freqs) / sizeof(v3_freqs[0]); i++)
        if (v3_freqs[i] <= khz)
            return v3_freqs[i];
    return v3_freqs[sizeof(v3_freqs) / sizeof(v3_freqs[0]) - 1];
}

/* --- Virtual time ------------------------------------------------------------------ */

#define USB_FS_LATENCY_NS     500000u /* V2, V2-1: full speed, 1 ms frames, ~0.5 ms per transfer */
#define USB_HS_LATENCY_NS     125000u /* V3: high speed micro-frames */
#define USB_FS_NS_PER_BYTE    1000u   /* 1.0 MB/s */
#define USB_HS_NS_PER_BYTE_X3 100u    /* 30 MB/s = 33.3 ns per byte (x3 fixed point) */
#define SWD_CYCLES_PER_XFER   48u
#define WAIT_RETRIES          64u

void stl_wait_ns(sim_stlink *s, uint64_t ns)
{
    if (ns)
        sim_clock_advance(s->board, ns);
}

void stl_charge_usb(sim_stlink *s, size_t bytes, bool out)
{
    sim_stats *st = sim_board_stats(s->board);
    st->usb_transfers++;
    if (out)
        st->bytes_out += bytes;
    else
        st->bytes_in += bytes;
    uint64_t ns;
    if (s->fw.stlink == 3)
        ns = USB_HS_LATENCY_NS + (uint64_t)bytes * USB_HS_NS_PER_BYTE_X3 / 3u;
    else
        ns = USB_FS_LATENCY_NS + (uint64_t)bytes * USB_FS_NS_PER_BYTE;
    stl_wait_ns(s, ns);
}

static void charge_swd(sim_stlink *s, uint64_t transfers)
{
    sim_board_stats(s->board)->swd_transfers += transfers;
    uint32_t khz = s->swd_khz ? s->swd_khz : 1800;
    /* ns = transfers * 48 cycles / (khz * 1000 Hz) * 1e9 */
    stl_wait_ns(s, transfers * SWD_CYCLES_PER_XFER * 1000000u / khz);
}

/* --- Noisy wiring ------------------------------------------------------------------ */

typedef enum noise { NOISE_NONE = 0, NOISE_WAIT, NOISE_FAULT, NOISE_PARITY, NOISE_FLIP } noise;

/* Above swd-max-khz each SWD transfer goes wrong with a probability that grows with the
 * overclock: 0.05 % times (clock / limit), at most 5 %. One event in four each: WAIT, FAULT,
 * parity error, or (reads only) a silently flipped data bit. */
static noise roll_noise(sim_stlink *s, bool is_read)
{
    /* swd-wait=N: the target's bus stays stalled past the firmware's WAIT retries on about
     * one transfer in N; the firmware gives up with SWD_AP_WAIT at that unit and records its
     * address for GETLASTRWSTATUS2, like any other failed unit. */
    uint32_t one_in = s->spec->swd_wait_one_in;
    if (one_in != 0 && sim_board_random(s->board) % one_in == 0)
        return NOISE_WAIT;
    uint32_t max = s->spec->swd_max_khz;
    if (max == 0 || s->swd_khz <= max)
        return NOISE_NONE;
    uint64_t ppm = 500ull * s->swd_khz / max;
    if (ppm > 50000)
        ppm = 50000;
    uint32_t r = sim_board_random(s->board);
    if ((uint64_t)(r % 1000000u) >= ppm)
        return NOISE_NONE;
    switch ((r >> 20) & 3u) {
    case 0:
        return NOISE_WAIT;
    case 1:
        return NOISE_FAULT;
    case 2:
        return NOISE_PARITY;
    default:
        return is_read ? NOISE_FLIP : NOISE_PARITY;
    }
}

static uint8_t noise_status(noise n)
{
    switch (n) {
    case NOISE_WAIT:
        return STL_SWD_AP_WAIT;
    case NOISE_FAULT:
        return STL_SWD_AP_FAULT;
    default:
        return STL_SWD_AP_PARITY_ERROR;
    }
}

static uint8_t access_status(sim_access a)
{
    switch (a) {
    case SIM_ACC_OK:
        return STL_OK;
    case SIM_ACC_FAULT:
        return STL_SWD_AP_FAULT;
    case SIM_ACC_WAIT:
        return STL_SWD_AP_WAIT;
    case SIM_ACC_NO_TARGET:
    default:
        return STL_SWD_DP_ERROR;
    }
}

/* One MEM-AP transfer sequence of len bytes in units of width. The noise decides up front
 * at which unit the transfer breaks; the board is accessed up to there. */
static uint8_t mem_access(sim_stlink *s, bool is_read, uint32_t addr, uint8_t *rbuf,
                          const uint8_t *wbuf, uint32_t len, unsigned width, uint32_t *done)
{
    uint32_t units = len / width;
    uint32_t stop = units;
    noise n = NOISE_NONE;
    uint32_t flip_unit = UINT32_MAX;
    uint32_t flip_mask = 0;
    for (uint32_t u = 0; u < units; u++) {
        noise e = roll_noise(s, is_read);
        if (e == NOISE_NONE)
            continue;
        if (e == NOISE_FLIP) {
            if (flip_unit == UINT32_MAX) {
                flip_unit = u;
                flip_mask = 1u << (sim_board_random(s->board) % (width * 8u));
            }
            continue;
        }
        n = e;
        stop = u;
        break;
    }

    uint32_t pos = 0;
    uint32_t retries = 0;
    uint8_t status = STL_OK;
    charge_swd(s, 1); /* TAR/CSW setup */
    while (pos < stop * width) {
        uint32_t got = 0;
        uint32_t want = stop * width - pos;
        sim_access a = is_read ? sim_mem_read(s->board, addr + pos, rbuf + pos, want, width, &got)
                               : sim_mem_write(s->board, addr + pos, wbuf + pos, want, width, &got);
        charge_swd(s, got / width + (a == SIM_ACC_OK ? 0 : 1));
        pos += got;
        if (a == SIM_ACC_OK)
            break;
        if (a == SIM_ACC_WAIT && retries++ < WAIT_RETRIES)
            continue; /* the firmware retries a WAIT acknowledge a bounded number of times */
        status = access_status(a);
        break;
    }
    if (status == STL_OK && n != NOISE_NONE) {
        status = noise_status(n);
        /* A WAIT acknowledge is retried by the firmware before it gives up. */
        charge_swd(s, n == NOISE_WAIT ? WAIT_RETRIES + 1u : 1u);
    }
    if (is_read && flip_unit != UINT32_MAX && flip_unit * width < pos) {
        uint8_t *p = rbuf + flip_unit * width;
        for (unsigned b = 0; b < width; b++)
            p[b] ^= (uint8_t)(flip_mask >> (8 * b));
    }
    if (done)
        *done = pos;
    if (status != STL_OK) {
        s->rw_fault_addr = addr + pos;
        if (is_read)
            memset(rbuf + pos, 0, len - pos);
    }
    return status;
}

uint8_t stl_mem_read(sim_stlink *s, uint32_t addr, uint8_t *buf, uint32_t len, unsigned width,
                     uint32_t *done)
{
    return mem_access(s, true, addr, buf, NULL, len, width, done);
}

uint8_t stl_mem_write(sim_stlink *s, uint32_t addr, const uint8_t *buf, uint32_t len,
                      unsigned width, uint32_t *done)
{
    return mem_access(s, false, addr, NULL, buf, len, width, done);
}

uint8_t stl_read32(sim_stlink *s, uint32_t addr, uint32_t *value)
{
    uint8_t b[4] = {0};
    uint8_t st = stl_mem_read(s, addr, b, 4, 4, NULL);
    *value = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return st;
}

uint8_t stl_write32(sim_stlink *s, uint32_t addr, uint32_t value)
{
    uint8_t b[4] = {(uint8_t)value, (uint8_t)(value >> 8), (uint8_t)(value >> 16),
                    (uint8_t)(value >> 24)};
    return stl_mem_write(s, addr, b, 4, 4, NULL);
}

uint8_t stl_dp_idcode(sim_stlink *s, uint32_t *idcode)
{
    /* Line reset (>= 50 cycles high, 2 idle) + IDCODE read: about 3 transfers of time. */
    charge_swd(s, 3);
    sim_access a = sim_dp_idcode(s->board, idcode);
    if (a == SIM_ACC_OK)
        return STL_OK;
    *idcode = 0;
    return a == SIM_ACC_NO_TARGET ? STL_JTAG_GET_IDCODE_ERR : access_status(a);
}
