/* The ST-Link probe model: USB identity, bulk framing (16-byte command packet, optional
 * OUT data phase, reply on the IN endpoint) and the top-level commands (version, mode,
 * DFU exit, target voltage). DEBUG_COMMAND sub-commands live in stlink_debug.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stlink_internal.h"

#define DEFAULT_SERIAL "0670FF484849785087085530"

sim_stlink *sim_stlink_create(sim_board *board)
{
    const sim_spec *spec = sim_board_spec(board);
    stl_fw fw;
    if (spec->fw[0]) {
        if (stl_fw_parse(spec->fw, &fw) != 0)
            return NULL;
        /* The firmware string must belong to the probe kind it runs on. */
        if ((spec->probe == SIM_PROBE_V3) != (fw.stlink == 3))
            return NULL;
    } else {
        stl_fw_default(spec->probe, &fw);
    }

    sim_stlink *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->data_max = fw.stlink == 3 ? STL_DATA_MAX_V3 : STL_DATA_MAX_V2;
    s->data = calloc(1, STL_WRITE_MAX + 16);
    s->misc = calloc(1, 8u * STL_MISC_MAX_V3);
    if (!s->data || !s->misc) {
        free(s->data);
        free(s->misc);
        free(s);
        return NULL;
    }
    s->board = board;
    s->spec = spec;
    s->fw = fw;
    s->rw8_max = (fw.stlink == 3 && fw.jtag >= 6) ? STL_RW8_MAX_V3 : STL_RW8_MAX_V2;
    snprintf(s->serial, sizeof(s->serial), "%s", spec->serial[0] ? spec->serial : DEFAULT_SERIAL);

    sim_stlink_usb *u = &s->usb;
    u->vid = 0x0483;
    u->bcd_device = 0x0100;
    u->ep_in = 0x81;
    u->serial = s->serial;
    u->product = s->product;
    switch (spec->probe) {
    case SIM_PROBE_V2:
        u->pid = 0x3748;
        u->ep_out = 0x02;
        u->ep_trace = 0x83;
        u->max_packet = 64;
        snprintf(s->product, sizeof(s->product), "STM32 STLink");
        s->power_mode = STL_MODE_DFU;
        s->swd_khz = 1800;
        break;
    case SIM_PROBE_V2_1:
        u->pid = 0x374B;
        u->ep_out = 0x01;
        u->ep_trace = 0x82;
        u->max_packet = 64;
        snprintf(s->product, sizeof(s->product), "STM32 STLink");
        s->power_mode = STL_MODE_MASS;
        s->swd_khz = 1800;
        break;
    case SIM_PROBE_V3:
        u->pid = 0x374F;
        u->ep_out = 0x01;
        u->ep_trace = 0x82;
        u->max_packet = 512;
        snprintf(s->product, sizeof(s->product), "STLINK-V3");
        s->power_mode = STL_MODE_MASS;
        s->swd_khz = 1000;
        break;
    }
    s->mode = s->power_mode;
    s->rw_status = STL_OK;
    return s;
}

void sim_stlink_destroy(sim_stlink *s)
{
    if (!s)
        return;
    free(s->data);
    free(s->misc);
    free(s);
}

const sim_stlink_usb *sim_stlink_usb_info(const sim_stlink *s)
{
    return &s->usb;
}

sim_board *sim_stlink_board(const sim_stlink *s)
{
    return s->board;
}

uint32_t sim_stlink_swd_khz(const sim_stlink *s)
{
    return s->swd_khz;
}

void sim_stlink_set_trace(sim_stlink *s, void (*fn)(void *user, const char *line), void *user)
{
    s->trace = fn;
    s->trace_user = user;
}

void stl_trace(sim_stlink *s, const char *fmt, ...)
{
    if (!s->trace)
        return;
    char line[256];
    int n = snprintf(line, sizeof(line), "%12.6f ", (double)sim_clock_ns(s->board) / 1e9);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    s->trace(s->trace_user, line);
}

/* --- Replies ----------------------------------------------------------------------- */

void stl_reply(sim_stlink *s, const uint8_t *bytes, size_t len)
{
    if (len > sizeof(s->small))
        len = sizeof(s->small);
    memcpy(s->small, bytes, len);
    s->reply = s->small;
    s->reply_len = len;
    s->reply_pos = 0;
}

void stl_reply_status(sim_stlink *s, uint8_t status, size_t len)
{
    if (len > sizeof(s->small))
        len = sizeof(s->small);
    memset(s->small, 0, len);
    s->small[0] = status;
    s->reply = s->small;
    s->reply_len = len;
    s->reply_pos = 0;
}

void stl_reply_data(sim_stlink *s, size_t len)
{
    s->reply = s->data;
    s->reply_len = len;
    s->reply_pos = 0;
}

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* --- Top-level commands ------------------------------------------------------------ */

static void cmd_get_version(sim_stlink *s)
{
    uint8_t r[6];
    unsigned x = 0, y = 0;
    if (s->fw.stlink == 2) {
        x = s->fw.jtag;
        y = s->usb.pid == 0x374B ? s->fw.msd : s->fw.swim;
    }
    /* V3 answers the legacy command with zero JTAG/SWIM fields: the host must ask
     * GET_VERSION_EX. */
    uint16_t v = (uint16_t)((s->fw.stlink & 0xF) << 12 | (x & 0x3F) << 6 | (y & 0x3F));
    r[0] = (uint8_t)(v >> 8);
    r[1] = (uint8_t)v;
    put_le16(r + 2, s->usb.vid);
    put_le16(r + 4, s->usb.pid);
    stl_reply(s, r, sizeof(r));
}

static void cmd_get_version_ex(sim_stlink *s)
{
    uint8_t r[12] = {0};
    r[0] = (uint8_t)s->fw.stlink;
    r[1] = (uint8_t)s->fw.swim;
    r[2] = (uint8_t)s->fw.jtag;
    r[3] = (uint8_t)s->fw.msd;
    r[4] = (uint8_t)s->fw.bridge;
    put_le16(r + 8, s->usb.vid);
    put_le16(r + 10, s->usb.pid);
    stl_reply(s, r, sizeof(r));
}

static void cmd_target_voltage(sim_stlink *s)
{
    /* Two ADC readings: the probe's internal reference (1.2 V) and half the target VREF.
     * Host computes V = 2 * adc[1] * 1.2 / adc[0]. */
    const uint32_t vrefint = 1489; /* 1.2 V on a 12-bit ADC at 3.3 V */
    double v = sim_target_voltage(s->board);
    if (v < 0)
        v = 0;
    uint32_t adc = (uint32_t)(v * vrefint / 2.4 + 0.5);
    if (adc > 4095)
        adc = 4095;
    uint8_t r[8];
    put_le32(r, vrefint);
    put_le32(r + 4, adc);
    stl_reply(s, r, sizeof(r));
}

static void dispatch(sim_stlink *s, const uint8_t *cmd, size_t len)
{
    switch (cmd[0]) {
    case STL_GET_VERSION:
        cmd_get_version(s);
        return;
    case STL_GET_VERSION_EX:
        if (s->fw.stlink == 3) {
            cmd_get_version_ex(s);
            return;
        }
        break;
    case STL_GET_CURRENT_MODE: {
        uint8_t r[2] = {s->mode, 0};
        stl_reply(s, r, sizeof(r));
        return;
    }
    case STL_DFU_COMMAND:
        if (len > 1 && cmd[1] == STL_DFU_EXIT) {
            if (s->mode == STL_MODE_DFU)
                s->mode = STL_MODE_MASS;
            return; /* no reply */
        }
        break;
    case STL_SWIM_COMMAND:
        if (len > 1 && cmd[1] == STL_SWIM_EXIT)
            return; /* not in SWIM mode: nothing to leave, no reply */
        break;
    case STL_GET_TARGET_VOLTAGE:
        /* From V2J13 (and every V3). */
        if (s->fw.stlink == 3 || s->fw.jtag >= 13) {
            cmd_target_voltage(s);
            return;
        }
        break;
    case STL_DEBUG_COMMAND:
        if (len > 1) {
            stl_debug_command(s, cmd, len);
            return;
        }
        break;
    default:
        break;
    }
    stl_trace(s, "unsupported command %02X %02X: no reply", cmd[0], len > 1 ? cmd[1] : 0);
}

/* --- Bulk endpoints ---------------------------------------------------------------- */

static void corrupt(sim_stlink *s, uint8_t *data, size_t len)
{
    /* probe-bug=corrupt-over:N: a bad clone garbles long bulk writes past byte N. */
    uint32_t n = s->spec->probe_corrupt_over;
    if (n == 0 || len <= n)
        return;
    for (size_t i = n; i < len; i += 61) {
        uint8_t x = (uint8_t)(sim_board_random(s->board) | 1u);
        data[i] ^= x;
    }
}

static int bulk_out(sim_stlink *s, uint8_t ep, const uint8_t *data, size_t len);
static int bulk_in(sim_stlink *s, uint8_t ep, uint8_t *buf, size_t maxlen, size_t *actual);

/* The model's host CPU time is counted around each transfer (STPROG_SIM_REPORT). */
int sim_stlink_bulk_out(sim_stlink *s, uint8_t ep, const uint8_t *data, size_t len)
{
    sim_stats *st = sim_board_stats(s->board);
    sim_stats_cpu_enter(st);
    int rc = bulk_out(s, ep, data, len);
    sim_stats_cpu_leave(st);
    return rc;
}

int sim_stlink_bulk_in(sim_stlink *s, uint8_t ep, uint8_t *buf, size_t maxlen, size_t *actual)
{
    sim_stats *st = sim_board_stats(s->board);
    sim_stats_cpu_enter(st);
    int rc = bulk_in(s, ep, buf, maxlen, actual);
    sim_stats_cpu_leave(st);
    return rc;
}

static int bulk_out(sim_stlink *s, uint8_t ep, const uint8_t *data, size_t len)
{
    stl_charge_usb(s, len, true);
    if (ep != s->usb.ep_out)
        return SIM_STLINK_STALL;

    if (s->out_pending) {
        size_t room = s->out_len - s->out_got;
        size_t n = len < room ? len : room;
        memcpy(s->data + s->out_got, data, n);
        corrupt(s, s->data + s->out_got, len > room ? room : len);
        s->out_got += (uint32_t)n;
        if (s->out_got == s->out_len) {
            s->out_pending = false;
            stl_debug_data_out(s);
        }
        return SIM_STLINK_OK;
    }

    if (len == 0)
        return SIM_STLINK_OK;
    /* A new command drops any reply the host did not collect. */
    s->reply = NULL;
    s->reply_len = s->reply_pos = 0;
    uint8_t cmd[STL_CMD_MAX] = {0};
    size_t clen = len < sizeof(cmd) ? len : sizeof(cmd);
    memcpy(cmd, data, clen);
    stl_trace(s, "cmd %02X %02X %02X %02X %02X %02X %02X %02X (%zu bytes)", cmd[0], cmd[1], cmd[2],
              cmd[3], cmd[4], cmd[5], cmd[6], cmd[7], len);
    dispatch(s, cmd, clen);
    if (s->reply)
        stl_trace(s, "  reply %zu bytes: %02X %02X %02X %02X %02X %02X %02X %02X", s->reply_len,
                  s->reply[0], s->reply_len > 1 ? s->reply[1] : 0,
                  s->reply_len > 2 ? s->reply[2] : 0, s->reply_len > 3 ? s->reply[3] : 0,
                  s->reply_len > 4 ? s->reply[4] : 0, s->reply_len > 5 ? s->reply[5] : 0,
                  s->reply_len > 6 ? s->reply[6] : 0, s->reply_len > 7 ? s->reply[7] : 0);
    return SIM_STLINK_OK;
}

static int bulk_in(sim_stlink *s, uint8_t ep, uint8_t *buf, size_t maxlen, size_t *actual)
{
    *actual = 0;
    if (ep == s->usb.ep_trace)
        return SIM_STLINK_TIMEOUT; /* no SWO trace captured */
    if (ep != s->usb.ep_in)
        return SIM_STLINK_STALL;
    if (!s->reply || s->reply_pos >= s->reply_len)
        return SIM_STLINK_TIMEOUT;
    size_t n = s->reply_len - s->reply_pos;
    if (n > maxlen)
        n = maxlen;
    memcpy(buf, s->reply + s->reply_pos, n);
    s->reply_pos += n;
    if (s->reply_pos >= s->reply_len) {
        s->reply = NULL;
        s->reply_len = s->reply_pos = 0;
    }
    *actual = n;
    stl_charge_usb(s, n, false);
    return SIM_STLINK_OK;
}
