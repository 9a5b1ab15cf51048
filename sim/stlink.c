/* The ST-Link probe model: USB identity, bulk framing (16-byte command packet, optional
 * OUT data phase, reply on the IN endpoint) and the top-level commands (version, mode,
 * DFU exit, target voltage). DEBUG_COMMAND sub-commands live in stlink_debug.c. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stlink_internal.h"

#define DEFAULT_SERIAL "0670FF484849785087085530"

sim_stlink *sim_stlink_create(sim_board *board)
{
    const sim_spec *spec = sim_board_spec(board);
    if (spec->probe != SIM_PROBE_V2 && spec->probe != SIM_PROBE_V2_1 && spec->probe != SIM_PROBE_V3)
        return NULL; /* not an ST-Link */
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
    s->misc = calloc(1, 8u * STL_MISC_MAX_V3);
    if (!s->misc) {
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
        s->power_khz = 1800;
        break;
    case SIM_PROBE_V2_1:
        u->pid = 0x374B;
        u->ep_out = 0x01;
        u->ep_trace = 0x82;
        u->max_packet = 64;
        snprintf(s->product, sizeof(s->product), "STM32 STLink");
        s->power_mode = STL_MODE_MASS;
        s->power_khz = 1800;
        break;
    case SIM_PROBE_V3:
        u->pid = 0x374F;
        u->ep_out = 0x01;
        u->ep_trace = 0x82;
        u->max_packet = 512;
        snprintf(s->product, sizeof(s->product), "STLINK-V3");
        s->power_mode = STL_MODE_MASS;
        s->power_khz = 1000;
        break;
    default:
        break;
    }
    s->mode = s->power_mode;
    sim_dap_init(&s->dap, board, s->power_khz, STL_WAIT_RETRIES);
    /* Test hook: the host process dies (SIGKILL) the K-th time it leaves the probe with a
     * write waiting for its data phase (data:K) or with a reply not yet read (reply:K). */
    const char *kill_at = getenv("STPROG_SIM_KILL");
    if (kill_at != NULL) {
        unsigned k = 0;
        if (sscanf(kill_at, "data:%u", &k) == 1)
            s->kill_data_at = k;
        else if (sscanf(kill_at, "reply:%u", &k) == 1)
            s->kill_reply_at = k;
    }
    s->rw_status = STL_OK;
    if (stl_persist_attach(s) != 0) {
        free(s->misc);
        free(s);
        return NULL;
    }
    return s;
}

void sim_stlink_destroy(sim_stlink *s)
{
    if (!s)
        return;
    stl_persist_detach(s);
    stl_swo_free(s);
    free(s->misc);
    free(s);
}

void sim_stlink_usb_reset(sim_stlink *s)
{
    /* A USB bus reset restarts the probe's firmware: nothing pending, the power-up mode
     * (OpenOCD resets the device when GET_VERSION fails, then tries again). */
    stl_trace(s, "USB reset: the probe restarts");
    stl_swo_stop(s);
    s->mode = s->power_mode;
    s->swd = false;
    s->hung = false;
    s->out_pending = false;
    s->reply = NULL;
    s->reply_len = s->reply_pos = 0;
    s->held_len = 0;
    s->wait_fault = false;
    s->rw_status = STL_OK;
    sim_dap_init(&s->dap, s->board, s->power_khz, STL_WAIT_RETRIES);
    stl_persist_save(s);
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
    return s->dap.swd_khz;
}

void sim_stlink_set_trace(sim_stlink *s, void (*fn)(void *user, const char *line), void *user)
{
    s->trace = fn;
    s->trace_user = user;
    if (s->restored[0])
        stl_trace(s, "%s", s->restored);
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
    if (len > STL_REPLY_MAX)
        len = STL_REPLY_MAX;
    memcpy(s->small, bytes, len);
    s->reply = s->small;
    s->reply_len = len;
    s->reply_pos = 0;
}

void stl_reply_status(sim_stlink *s, uint8_t status, size_t len)
{
    if (len > STL_REPLY_MAX)
        len = STL_REPLY_MAX;
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

/* In DFU mode (a V2 after power-up) the firmware takes only the version, mode and DFU
 * commands: every host leaves DFU first (OpenOCD, stlink-org, pyOCD, probe-rs), and
 * OpenOCD notes that GET_TARGET_VOLTAGE is "supported in all modes except DFU". The model
 * answers nothing else there (ENTER included), so a host that skips DFU_EXIT times out. */
static bool dfu_takes(uint8_t cmd)
{
    return cmd == STL_GET_VERSION || cmd == STL_GET_VERSION_EX || cmd == STL_GET_CURRENT_MODE ||
           cmd == STL_DFU_COMMAND;
}

static void dispatch(sim_stlink *s, const uint8_t *cmd, size_t len)
{
    if (s->mode == STL_MODE_DFU && !dfu_takes(cmd[0])) {
        stl_trace(s, "command %02X %02X in DFU mode: no reply", cmd[0], len > 1 ? cmd[1] : 0);
        return;
    }
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

/* A command packet: its reply (if any) is what the IN endpoint sends next. */
static void run_command(sim_stlink *s, const uint8_t *data, size_t len)
{
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
}

static bool reply_waiting(const sim_stlink *s)
{
    return s->reply != NULL && s->reply_pos < s->reply_len;
}

static int bulk_out(sim_stlink *s, uint8_t ep, const uint8_t *data, size_t len)
{
    stl_charge_usb(s, len, true);
    if (ep != s->usb.ep_out)
        return SIM_STLINK_STALL;
    if (s->hung)
        return SIM_STLINK_TIMEOUT; /* the firmware no longer takes packets */

    int rc = SIM_STLINK_OK;
    if (s->out_pending) {
        /* Whatever comes is the data the write waits for, a new command included (a host
         * that died in a data phase leaves the probe like this: the next host's command is
         * taken as data and never answered). */
        size_t room = s->out_len - s->out_got;
        size_t n = len < room ? len : room;
        memcpy(s->data + s->out_got, data, n);
        corrupt(s, s->data + s->out_got, len > room ? room : len);
        s->out_got += (uint32_t)n;
        if (s->out_got == s->out_len) {
            s->out_pending = false;
            stl_debug_data_out(s);
        }
    } else if (len == 0) {
        /* a zero-length packet: nothing to do */
    } else if (reply_waiting(s)) {
        /* The firmware answers in order: a new command waits in the OUT endpoint's buffer
         * until the reply before it has been read; the buffer holds one packet, a second
         * one is NAKed. A reply is never dropped by a new command. */
        if (s->held_len != 0) {
            rc = SIM_STLINK_TIMEOUT;
        } else {
            s->held_len = len < sizeof(s->held) ? len : sizeof(s->held);
            memcpy(s->held, data, s->held_len);
            stl_trace(s, "cmd %02X %02X waits: %zu bytes of the last reply not read", data[0],
                      len > 1 ? data[1] : 0, s->reply_len - s->reply_pos);
        }
    } else {
        run_command(s, data, len);
        if (s->out_pending && s->kill_data_at != 0 && ++s->kill_count == s->kill_data_at)
            s->kill_now = true;
        if (reply_waiting(s) && s->kill_reply_at != 0 && ++s->kill_count == s->kill_reply_at)
            s->kill_now = true;
    }
    stl_persist_save(s);
    if (s->kill_now) {
        stl_trace(s, "STPROG_SIM_KILL: the host process dies here");
        raise(SIGKILL);
    }
    return rc;
}

/* One IN transfer as a USB host controller completes it: the reply goes out in packets of
 * max_packet bytes; the transfer ends at a short packet, when the host's buffer is full or
 * when the reply is all sent. A packet larger than the room left in the host's buffer is
 * an overflow (babble): libusb reports LIBUSB_ERROR_OVERFLOW and the packet is lost. */
static int bulk_in(sim_stlink *s, uint8_t ep, uint8_t *buf, size_t maxlen, size_t *actual)
{
    *actual = 0;
    if (ep == s->usb.ep_trace)
        return stl_swo_bulk_in(s, buf, maxlen, actual); /* SWO capture: stlink_swo.c */
    if (ep != s->usb.ep_in)
        return SIM_STLINK_STALL;
    if (s->hung || !reply_waiting(s))
        return SIM_STLINK_TIMEOUT;
    size_t got = 0;
    int rc = SIM_STLINK_OK;
    while (reply_waiting(s) && got < maxlen) {
        size_t left = s->reply_len - s->reply_pos;
        size_t packet = left < s->usb.max_packet ? left : s->usb.max_packet;
        size_t room = maxlen - got;
        size_t n = packet < room ? packet : room;
        memcpy(buf + got, s->reply + s->reply_pos, n);
        got += n;
        s->reply_pos += packet;
        if (packet > room) {
            stl_trace(s, "IN overflow: a %zu-byte packet into %zu bytes of buffer", packet, room);
            rc = SIM_STLINK_OVERFLOW;
            break;
        }
        if (packet < s->usb.max_packet)
            break; /* short packet: the transfer ends */
    }
    *actual = got;
    stl_charge_usb(s, got, false);
    if (!reply_waiting(s)) {
        s->reply = NULL;
        s->reply_len = s->reply_pos = 0;
        if (s->held_len != 0) {
            /* The command that waited behind the reply runs now. */
            uint8_t cmd[STL_CMD_MAX];
            size_t clen = s->held_len;
            memcpy(cmd, s->held, clen);
            s->held_len = 0;
            run_command(s, cmd, clen);
        }
    }
    stl_persist_save(s);
    return rc;
}
