/* The CMSIS-DAP commands of the probe model (CMSIS-DAP 2.1 documentation, "Commands"):
 * DAP_Info, DAP_HostStatus, DAP_Connect/Disconnect, DAP_TransferConfigure, DAP_Transfer,
 * DAP_TransferBlock, DAP_TransferAbort, DAP_WriteABORT, DAP_Delay, DAP_ResetTarget,
 * DAP_SWJ_Pins/Clock/Sequence and DAP_SWD_Configure, over the shared debug port
 * (sim/dap.h). SWD only: the JTAG and SWO commands answer 0xFF (not implemented), as the
 * firmware built without them does; so do DAP_QueueCommands/ExecuteCommands (the "atomic
 * commands" capability is not offered). */
#include <string.h>

#include "cmsis_dap_internal.h"

#define DEFAULT_KHZ     1000u  /* DAP_DEFAULT_SWJ_CLOCK of CMSIS-DAP's DAP_config.h */
#define MAX_KHZ         10000u /* the fastest SWCLK the modelled probe's port I/O makes */
#define DEFAULT_RETRIES 100u   /* DAP.c: transfer.retry_count after reset */
#define RESET_PULSE_NS  2000000u

static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void dap_defaults(sim_cmsis_dap *d)
{
    d->dap.swd_khz = DEFAULT_KHZ;
    d->dap.wait_retries = DEFAULT_RETRIES;
    d->idle_cycles = 0;
    d->match_retry = 0;
    d->match_mask = 0;
    d->port = 0;
    d->nreset_low = false;
}

/* --- DAP_Info --------------------------------------------------------------------------- */

static size_t info_string(uint8_t *resp, const char *s)
{
    size_t n = strlen(s) + 1; /* with the terminating zero */
    resp[1] = (uint8_t)n;
    memcpy(resp + 2, s, n);
    return 2 + n;
}

static size_t cmd_info(sim_cmsis_dap *d, uint8_t id, uint8_t *resp)
{
    resp[1] = 0;
    switch (id) {
    case 0x01: /* vendor name */
        return info_string(resp, "stprog");
    case 0x02: /* product name */
        return info_string(resp, d->usb.product);
    case 0x03: /* serial number */
        return info_string(resp, d->serial);
    case 0x04: /* CMSIS-DAP protocol version */
        return info_string(resp, "2.1.1");
    case 0x09: /* product firmware version */
        return info_string(resp, "1.0.0");
    case 0xF0: /* capabilities: SWD only (no JTAG, SWO, UART, timer, atomic commands) */
        resp[1] = 1;
        resp[2] = 0x01;
        return 3;
    case 0xFE: /* packet count */
        resp[1] = 1;
        resp[2] = d->packet_count;
        return 3;
    case 0xFF: /* packet size */
        resp[1] = 2;
        put16(resp + 2, d->packet_size);
        return 4;
    default: /* target device/board names, timer, UART, SWO buffer: none */
        return 2;
    }
}

/* --- Transfers ---------------------------------------------------------------------------- */

static uint8_t ack_byte(sim_dap_ack ack)
{
    switch (ack) {
    case SIM_DAP_OK:
        return DAP_ACK_OK;
    case SIM_DAP_WAIT:
        return DAP_ACK_WAIT;
    case SIM_DAP_FAULT:
    case SIM_DAP_ERROR:
        return DAP_ACK_FAULT;
    case SIM_DAP_PARITY:
        return DAP_RESP_ERROR;
    case SIM_DAP_NO_ACK:
    default:
        return DAP_ACK_NONE;
    }
}

/* One register transfer of a request byte, with the firmware's own WAIT retries (done by
 * the debug port model) and the idle cycles after it. */
static sim_dap_ack transfer(sim_cmsis_dap *d, uint8_t req, uint32_t *value)
{
    sim_dap_ack ack = sim_dap_transfer(&d->dap, (req & DAP_REQ_APNDP) != 0,
                                       (req & DAP_REQ_RNW) != 0, req & DAP_REQ_A32, value);
    if (d->idle_cycles)
        sim_dap_idle(&d->dap, d->idle_cycles);
    return ack;
}

static bool is_ap_read(uint8_t req)
{
    return (req & (DAP_REQ_APNDP | DAP_REQ_RNW)) == (DAP_REQ_APNDP | DAP_REQ_RNW);
}

/* DAP_Transfer: [index, count, {request, [data]}...] -> [count done, response, {data}...].
 * AP reads are posted on the wire: the firmware reads each one's data with the next AP
 * read or, at the end of a run of them, with a read of RDBUFF (one more transfer). */
static size_t cmd_transfer(sim_cmsis_dap *d, const uint8_t *cmd, size_t len, uint8_t *resp)
{
    if (len < 3)
        return 0;
    unsigned count = cmd[2];
    size_t pos = 3, out = 3;
    unsigned done = 0;
    uint8_t response = DAP_ACK_OK;
    bool posted = false;
    const size_t cap = d->packet_size;
    for (unsigned i = 0; i < count; i++) {
        if (pos >= len)
            break;
        uint8_t req = cmd[pos++];
        bool read = (req & DAP_REQ_RNW) != 0;
        uint32_t data = 0;
        if (posted && !is_ap_read(req)) {
            sim_dap_charge(&d->dap, 1); /* RDBUFF for the last posted AP read */
            posted = false;
        }
        if (read && (req & DAP_REQ_MATCH_VAL)) {
            if (pos + 4 > len)
                break;
            uint32_t match = le32(cmd + pos);
            pos += 4;
            sim_dap_ack ack;
            unsigned tries = 0;
            do {
                ack = transfer(d, req & ~DAP_REQ_MATCH_VAL, &data);
                if (ack == SIM_DAP_OK && (req & DAP_REQ_APNDP))
                    sim_dap_charge(&d->dap, 1); /* RDBUFF */
            } while (ack == SIM_DAP_OK && (data & d->match_mask) != match &&
                     tries++ < d->match_retry);
            response = ack_byte(ack);
            if (ack != SIM_DAP_OK)
                break;
            if ((data & d->match_mask) != match) {
                response = DAP_ACK_OK | DAP_RESP_MISMATCH;
                break;
            }
            done++;
            continue;
        }
        if (!read) {
            if (pos + 4 > len)
                break;
            data = le32(cmd + pos);
            pos += 4;
            if (req & DAP_REQ_MATCH_MASK) {
                d->match_mask = data; /* no transfer on the wire */
                done++;
                continue;
            }
        }
        sim_dap_ack ack = transfer(d, req, &data);
        response = ack_byte(ack);
        if (ack != SIM_DAP_OK)
            break;
        if (read) {
            if (out + 4 > cap)
                break;
            put32(resp + out, data);
            out += 4;
            posted = is_ap_read(req);
        }
        done++;
    }
    if (posted)
        sim_dap_charge(&d->dap, 1); /* RDBUFF for the last posted AP read */
    resp[1] = (uint8_t)done;
    resp[2] = response;
    return out;
}

/* DAP_TransferBlock: [index, count u16, request, {data}...] -> [count u16, response,
 * {data}...]: count transfers of one register (DRW with TAR auto-increment). */
static size_t cmd_transfer_block(sim_cmsis_dap *d, const uint8_t *cmd, size_t len, uint8_t *resp)
{
    if (len < 5)
        return 0;
    unsigned count = le16(cmd + 2);
    uint8_t req = cmd[4];
    bool read = (req & DAP_REQ_RNW) != 0;
    size_t pos = 5, out = 4;
    unsigned done = 0;
    uint8_t response = DAP_ACK_OK;
    const size_t cap = d->packet_size;
    for (unsigned i = 0; i < count; i++) {
        uint32_t data = 0;
        if (!read) {
            if (pos + 4 > len)
                break;
            data = le32(cmd + pos);
            pos += 4;
        } else if (out + 4 > cap) {
            break;
        }
        sim_dap_ack ack = transfer(d, req & (DAP_REQ_APNDP | DAP_REQ_RNW | DAP_REQ_A32), &data);
        response = ack_byte(ack);
        if (ack != SIM_DAP_OK)
            break;
        if (read) {
            put32(resp + out, data);
            out += 4;
        }
        done++;
    }
    if (read && (req & DAP_REQ_APNDP) && done > 0)
        sim_dap_charge(&d->dap, 1); /* RDBUFF for the posted last read */
    put16(resp + 1, done);
    resp[3] = response;
    return out;
}

/* --- Pins, clock, sequences ------------------------------------------------------------- */

static void drive_nreset(sim_cmsis_dap *d, bool low)
{
    if (low != d->nreset_low)
        sim_nrst_set(d->board, low);
    d->nreset_low = low;
}

/* DAP_SWJ_Pins: [output, select, wait us u32] -> [pin input]. Only nRESET reaches the
 * board; SWCLK and SWDIO are driven by the sequences. */
static size_t cmd_swj_pins(sim_cmsis_dap *d, const uint8_t *cmd, size_t len, uint8_t *resp)
{
    if (len < 7)
        return 0;
    uint8_t value = cmd[1], select = cmd[2];
    uint32_t wait_us = le32(cmd + 3);
    if (select & DAP_PIN_NRESET)
        drive_nreset(d, (value & DAP_PIN_NRESET) == 0);
    if (wait_us > 3000000u)
        wait_us = 3000000u; /* the firmware's limit */
    if (wait_us && (select & DAP_PIN_NRESET))
        sim_clock_advance(d->board, (uint64_t)wait_us * 1000u); /* waits for the pin */
    /* Input: nRESET as the probe reads its own open-drain line; SWCLK/SWDIO idle high. */
    resp[1] = (uint8_t)(DAP_PIN_SWCLK | DAP_PIN_SWDIO | (d->nreset_low ? 0 : DAP_PIN_NRESET));
    return 2;
}

static size_t cmd_swj_clock(sim_cmsis_dap *d, const uint8_t *cmd, size_t len, uint8_t *resp)
{
    if (len < 5)
        return 0;
    uint32_t hz = le32(cmd + 1);
    if (hz == 0) {
        resp[1] = 0xFF;
        return 2;
    }
    uint32_t khz = hz / 1000u;
    if (khz == 0)
        khz = 1;
    if (khz > MAX_KHZ)
        khz = MAX_KHZ;
    d->dap.swd_khz = khz;
    resp[1] = 0;
    return 2;
}

static size_t cmd_swj_sequence(sim_cmsis_dap *d, const uint8_t *cmd, size_t len, uint8_t *resp)
{
    if (len < 2)
        return 0;
    uint32_t bits = cmd[1] ? cmd[1] : 256u;
    if (len < 2 + (bits + 7) / 8) {
        resp[1] = 0xFF;
        return 2;
    }
    sim_dap_swj_sequence(&d->dap, cmd + 2, bits);
    resp[1] = 0;
    return 2;
}

/* DAP_ResetTarget: the device-specific reset of a probe that has one; this one pulses
 * nRESET (2 ms low, 2 ms to come back), as DAPLink's hardware reset does, and says it
 * executed. */
static size_t cmd_reset_target(sim_cmsis_dap *d, uint8_t *resp)
{
    bool was = d->nreset_low;
    drive_nreset(d, true);
    sim_clock_advance(d->board, RESET_PULSE_NS);
    drive_nreset(d, was);
    sim_clock_advance(d->board, RESET_PULSE_NS);
    resp[1] = 0;
    resp[2] = 1;
    return 3;
}

/* --- Dispatch ------------------------------------------------------------------------------ */

static size_t execute_one(sim_cmsis_dap *d, const uint8_t *cmd, size_t len, uint8_t *resp)
{
    resp[0] = cmd[0];
    switch (cmd[0]) {
    case DAP_INFO:
        return len >= 2 ? cmd_info(d, cmd[1], resp) : 0;
    case DAP_HOST_STATUS:
        resp[1] = 0;
        return 2;
    case DAP_CONNECT: {
        uint8_t port = len >= 2 ? cmd[1] : 0;
        d->port = port == 0 || port == 1 ? 1 : 0; /* default = SWD; no JTAG */
        resp[1] = d->port;
        return 2;
    }
    case DAP_DISCONNECT:
        d->port = 0;
        resp[1] = 0;
        return 2;
    case DAP_TRANSFER_CONFIG:
        if (len < 6)
            return 0;
        d->idle_cycles = cmd[1];
        d->dap.wait_retries = le16(cmd + 2);
        d->match_retry = (uint16_t)le16(cmd + 4);
        resp[1] = 0;
        return 2;
    case DAP_TRANSFER:
        if (d->port != 1) {
            resp[1] = 0;
            resp[2] = 0; /* not connected: nothing done */
            return 3;
        }
        return cmd_transfer(d, cmd, len, resp);
    case DAP_TRANSFER_BLOCK:
        if (d->port != 1) {
            put16(resp + 1, 0);
            resp[3] = 0;
            return 4;
        }
        return cmd_transfer_block(d, cmd, len, resp);
    case DAP_TRANSFER_ABORT:
        return 0; /* aborts a transfer in progress; no response */
    case DAP_WRITE_ABORT: {
        if (len < 6)
            return 0;
        uint32_t v = le32(cmd + 2);
        sim_dap_ack ack = sim_dap_transfer(&d->dap, false, false, SIM_DP_DPIDR, &v);
        resp[1] = ack == SIM_DAP_OK ? 0 : 0xFF;
        return 2;
    }
    case DAP_DELAY:
        if (len < 3)
            return 0;
        sim_clock_advance(d->board, (uint64_t)le16(cmd + 1) * 1000u);
        resp[1] = 0;
        return 2;
    case DAP_RESET_TARGET:
        return cmd_reset_target(d, resp);
    case DAP_SWJ_PINS:
        return cmd_swj_pins(d, cmd, len, resp);
    case DAP_SWJ_CLOCK:
        return cmd_swj_clock(d, cmd, len, resp);
    case DAP_SWJ_SEQUENCE:
        return cmd_swj_sequence(d, cmd, len, resp);
    case DAP_SWD_CONFIGURE:
        resp[1] = len >= 2 && cmd[1] == 0 ? 0 : 0xFF; /* one turnaround clock, no data phase */
        return 2;
    default:
        resp[0] = DAP_INVALID;
        return 1;
    }
}

size_t dap_execute(sim_cmsis_dap *d, const uint8_t *cmd, size_t len, uint8_t *resp)
{
    size_t n = execute_one(d, cmd, len, resp);
    if (d->trace != NULL) {
        dap_trace(d, "cmd %02X %02X %02X %02X %02X (%zu bytes) -> %02X %02X %02X %02X (%zu bytes)",
                  cmd[0], len > 1 ? cmd[1] : 0, len > 2 ? cmd[2] : 0, len > 3 ? cmd[3] : 0,
                  len > 4 ? cmd[4] : 0, len, resp[0], resp[1], resp[2], resp[3], n);
    }
    return n;
}
