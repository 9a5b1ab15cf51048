/* The ST-Link's side of the wires: firmware version strings, SWD clock tables, the virtual
 * cost of USB transfers, and its memory accesses through the debug port model (sim/dap.h:
 * SWD timing and the noisy-wiring fault swd-max-khz=N live there). */
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
    default:
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

uint8_t stl_ack_status(sim_dap_ack ack, bool dp)
{
    switch (ack) {
    case SIM_DAP_OK:
        return STL_OK;
    case SIM_DAP_WAIT:
        return dp ? STL_SWD_DP_WAIT : STL_SWD_AP_WAIT;
    case SIM_DAP_FAULT:
        return dp ? STL_SWD_DP_FAULT : STL_SWD_AP_FAULT;
    case SIM_DAP_PARITY:
        return dp ? STL_SWD_DP_PARITY_ERROR : STL_SWD_AP_PARITY_ERROR;
    case SIM_DAP_ERROR:
        return dp ? STL_SWD_DP_ERROR : STL_SWD_AP_ERROR;
    case SIM_DAP_NO_ACK:
    default:
        return STL_SWD_DP_ERROR;
    }
}

static uint8_t mem_status(sim_stlink *s, sim_dap_ack ack)
{
    if (ack != SIM_DAP_OK)
        s->rw_fault_addr = s->dap.fault_addr;
    return stl_ack_status(ack, false);
}

uint8_t stl_mem_read(sim_stlink *s, uint32_t addr, uint8_t *buf, uint32_t len, unsigned width,
                     uint32_t *done)
{
    return mem_status(s, sim_dap_mem_read(&s->dap, addr, buf, len, width, done));
}

uint8_t stl_mem_write(sim_stlink *s, uint32_t addr, const uint8_t *buf, uint32_t len,
                      unsigned width, uint32_t *done)
{
    return mem_status(s, sim_dap_mem_write(&s->dap, addr, buf, len, width, done));
}

uint8_t stl_read32(sim_stlink *s, uint32_t addr, uint32_t *value)
{
    return mem_status(s, sim_dap_read32(&s->dap, addr, value));
}

uint8_t stl_write32(sim_stlink *s, uint32_t addr, uint32_t value)
{
    return mem_status(s, sim_dap_write32(&s->dap, addr, value));
}

uint8_t stl_dp_idcode(sim_stlink *s, uint32_t *idcode)
{
    sim_dap_ack ack = sim_dap_read_dpidr(&s->dap, idcode);
    if (ack == SIM_DAP_NO_ACK)
        return STL_JTAG_GET_IDCODE_ERR;
    return stl_ack_status(ack, false);
}
