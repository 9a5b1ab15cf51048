/* ST-Link driver: connection (version, feature gates, mode handling, entering SWD),
 * probe-level commands (clock, voltage) and the stp_debug operations table. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "probe/stlink.h"

#define STL_WAIT_TIMEOUT_MS 1000u
/* Default SWD clock of a V2/V2-1: 1800 kHz, the firmware's own default and what OpenOCD
 * and stlink-org start at (4000 kHz fails on long or flying wires); --freq 4000 is faster
 * where the wiring is good. docs/architecture.md says why there is no automatic step-up. */
#define STL_V2_DEFAULT_KHZ 1800u
#define STL_V2_FW_KHZ      1800u /* what V2 firmware without SWD_SET_FREQ runs at */
#define STL_V3_DEFAULT_KHZ 24000u

static void stl_delay_ms(stp_debug *d, unsigned ms)
{
    stp_stlink *s = (stp_stlink *)d;
    stp_usb_sleep_ns(s->usb, (uint64_t)ms * 1000000u);
}

static uint64_t stl_op_now_ms(stp_debug *d)
{
    return stl_now_ms((stp_stlink *)d);
}

static uint64_t stl_op_now_ns(stp_debug *d)
{
    return stp_usb_now_ns(((stp_stlink *)d)->usb);
}

static void stl_close(stp_debug *d)
{
    stp_stlink *s = (stp_stlink *)d;
    if (s == NULL)
        return;
    if (s->in_debug) {
        /* Leave debug mode so the next tool finds the probe idle; failures do not matter. */
        uint8_t cmd[] = {STL_DEBUG_COMMAND, STL_DEBUG_EXIT};
        (void)stl_xfer(s, "DEBUG_EXIT", cmd, sizeof(cmd), NULL, 0, NULL);
    }
    if (s->usb != NULL)
        s->usb->ops->close(s->usb);
    stp_free(s);
}

static const stp_debug_ops stl_ops = {
    .read_mem = stl_read_mem,
    .write_mem = stl_write_mem,
    .read_u32 = stl_read_u32,
    .write_u32 = stl_write_u32,
    .write_u16 = stl_write_u16,
    .read_reg = stl_read_reg,
    .write_reg = stl_write_reg,
    .set_nrst = stl_set_nrst,
    .target_voltage = stl_target_voltage,
    .set_swd_khz = stl_set_swd_khz,
    .attach = stl_attach,
    .delay_ms = stl_delay_ms,
    .now_ms = stl_op_now_ms,
    .close = stl_close,
    .write_mem16 = stl_write_mem16,
    .set_transfer_limit = stl_set_transfer_limit,
    .now_ns = stl_op_now_ns,
    .trace_start = stl_trace_start, /* stlink_trace.c */
    .trace_read = stl_trace_read,
    .trace_stop = stl_trace_stop,
    .firmware_check = stl_firmware_check,
};

/* The ST-Link's transfer-time model (the plan's estimate, stprog/probe.h): every USB
 * transfer costs a fixed latency, 0.5 ms on the full-speed V2/V2-1 (1 ms frames), 0.125 ms
 * on the high-speed V3 (micro-frames); payload bytes cost 1 us each on full speed (about
 * 1 MB/s), 33 ns on high speed; every 32-bit word costs one SWD transfer of about 48 clock
 * cycles. The driver splits memory transfers at the 1 KiB boundaries where the MEM-AP
 * address auto-increment wraps, and each piece is four USB transfers (command, data, and
 * GETLASTRWSTATUS2 out and in); reads the same. */
static const stp_link_model stl_link_fs = {
    .name = "ST-Link V2",
    .exchange_s = 0.0005,
    .s_per_byte = 1e-6,
    .swd_cycles_per_word = 48.0,
    .piece_bytes = 1024.0,
    .write_exchanges = 4.0,
    .read_exchanges = 4.0,
};

static const stp_link_model stl_link_hs = {
    .name = "ST-Link V3",
    .exchange_s = 0.000125,
    .s_per_byte = 1.0 / 30e6,
    .swd_cycles_per_word = 48.0,
    .piece_bytes = 1024.0,
    .write_exchanges = 4.0,
    .read_exchanges = 4.0,
};

/* What this firmware can do (the debug seam's capabilities) and how fast it moves data. */
static void set_caps(stp_stlink *s)
{
    s->base.caps = STP_PROBE_CAP_NRST;
    if (s->features & STL_F_TARGET_VOLTAGE)
        s->base.caps |= STP_PROBE_CAP_VOLTAGE;
    if (s->ver_stlink >= 3 || s->ver_jtag >= 13) /* START/STOP_TRACE_RX, GET_TRACE_NB */
        s->base.caps |= STP_PROBE_CAP_TRACE;
    s->base.link = s->ver_stlink >= 3 ? &stl_link_hs : &stl_link_fs;
}

static stp_status protocol_error(stp_findings *f, const char *what, const char *detail)
{
    stp_finding *fi = stp_finding_add(f, "probe.protocol-error", STP_SEV_ERROR,
                                      "the ST-Link answered %s with %s", what, detail);
    stp_finding_evidence(fi, "command", "%s", what);
    stp_finding_advice(fi, "replug the probe; if it persists, update its firmware with ST's "
                           "ST-LinkUpgrade tool");
    return STP_ERR_PROTOCOL;
}

static bool is_v2_1_pid(uint16_t pid)
{
    return pid == 0x374B || pid == 0x374A || pid == 0x3752;
}

stp_status stl_parse_version(stp_stlink *s, const uint8_t *v1, size_t v1len, const uint8_t *vex,
                             size_t vexlen, stp_findings *f)
{
    if (v1 == NULL || v1len < 6)
        return protocol_error(f, "GET_VERSION", "a short reply");
    unsigned ver = (v1[0] >> 4) & 0x0Fu;
    unsigned jtag = ((v1[0] & 0x0Fu) << 2) | (v1[1] >> 6);
    unsigned x = v1[1] & 0x3Fu;
    uint16_t pid = (uint16_t)(v1[4] | v1[5] << 8);
    if (s->hw == STP_STLINK_HW_UNKNOWN)
        s->hw = stp_stlink_hw_from_pid((uint16_t)(v1[2] | v1[3] << 8), pid);
    s->ver_swim = s->ver_msd = s->ver_bridge = 0;
    s->features = 0;
    char *fw = s->base.info.firmware;
    size_t fwlen = sizeof(s->base.info.firmware);
    if (ver == 3 || ver == 4) {
        /* STLINK-V3 and STLINK-V3PWR (PID 0x3757, hardware version 4 in some firmware):
         * the same API, versions from GET_VERSION_EX (OpenOCD, stlink-org, probe-rs). */
        if (vex == NULL || vexlen < 12)
            return protocol_error(f, "GET_VERSION_EX", "a short reply");
        s->ver_stlink = vex[0];
        s->ver_swim = vex[1];
        s->ver_jtag = vex[2];
        s->ver_msd = vex[3];
        s->ver_bridge = vex[4];
        if (s->ver_stlink != 3 && s->ver_stlink != 4)
            return protocol_error(f, "GET_VERSION_EX", "an inconsistent probe version");
        if (s->hw != STP_STLINK_HW_V3PWR)
            s->hw = STP_STLINK_HW_V3;
        int n = snprintf(fw, fwlen, "V%uJ%uM%u", s->ver_stlink, s->ver_jtag, s->ver_msd);
        if (s->ver_bridge != 0 && n > 0 && (size_t)n < fwlen)
            n += snprintf(fw + n, fwlen - (size_t)n, "B%u", s->ver_bridge);
        if (s->ver_swim != 0 && n > 0 && (size_t)n < fwlen)
            snprintf(fw + n, fwlen - (size_t)n, "S%u", s->ver_swim);
        s->features = STL_F_TARGET_VOLTAGE | STL_F_RW_STATUS2 | STL_F_MEM_16BIT | STL_F_COM_FREQ |
                      STL_F_INIT_AP | STL_F_FPU_REGS;
        s->max_rw8 = s->ver_jtag >= 6 ? 512 : 64; /* 512-byte 8-bit transfers from V3J6 */
        s->max_rw32 = 6144;
    } else if (ver == 2) {
        s->ver_stlink = 2;
        s->ver_jtag = jtag;
        if (s->hw == STP_STLINK_HW_V2_1 || is_v2_1_pid(pid)) {
            /* V2-1 has no SWIM; the field is the mass-storage firmware version. */
            s->hw = STP_STLINK_HW_V2_1;
            s->ver_msd = x;
            snprintf(fw, fwlen, "V2J%uM%u", jtag, x);
        } else {
            s->hw = STP_STLINK_HW_V2;
            s->ver_swim = x;
            snprintf(fw, fwlen, "V2J%uS%u", jtag, x);
        }
        if (jtag >= 13)
            s->features |= STL_F_TARGET_VOLTAGE;
        if (jtag >= 15)
            s->features |= STL_F_RW_STATUS2 | STL_F_FPU_REGS;
        if (jtag >= 28)
            s->features |= STL_F_INIT_AP;
        if (jtag >= 22)
            s->features |= STL_F_SWD_SET_FREQ;
        if (jtag >= 26)
            s->features |= STL_F_MEM_16BIT;
        s->max_rw8 = 64;
        s->max_rw32 = 6144;
    } else if (ver == 1) {
        s->ver_stlink = 1;
        snprintf(fw, fwlen, "V1J%uS%u", jtag, x);
        stp_finding *fi = stp_finding_add(f, "probe.unsupported", STP_SEV_ERROR,
                                          "ST-Link V1 (firmware %s) is not supported", fw);
        stp_finding_evidence(fi, "firmware", "%s", fw);
        stp_finding_advice(fi, "use an ST-Link V2, V2-1 (Nucleo/Discovery) or V3");
        return STP_ERR_UNSUPPORTED;
    } else {
        return protocol_error(f, "GET_VERSION", "an unknown probe version");
    }
    snprintf(s->base.info.kind, sizeof(s->base.info.kind), "%s", stp_stlink_hw_name(s->hw));
    if (s->ver_stlink == 2 && s->ver_jtag == 0) {
        /* No JTAG/SWD part at all: STM8-only (SWIM) firmware, e.g. on STM8 Nucleo and
         * Discovery boards. */
        stp_finding *fi = stp_finding_add(f, "probe.unsupported", STP_SEV_ERROR,
                                          "ST-Link firmware %s is for STM8 (SWIM) only: it has "
                                          "no SWD",
                                          fw);
        stp_finding_evidence(fi, "firmware", "%s", fw);
        stp_finding_advice(fi, "load STM32 firmware with ST's ST-LinkUpgrade (STSW-LINK007), "
                               "which offers the STM32 or STM8 variant");
        return STP_ERR_UNSUPPORTED;
    }
    if (s->ver_stlink == 2 && s->ver_jtag < STL_MIN_JTAG_APIV2) {
        stp_finding *fi = stp_finding_add(f, "probe.firmware-old", STP_SEV_ERROR,
                                          "ST-Link firmware %s lacks the SWD debug API v2 "
                                          "(needs V2J%u or later)",
                                          fw, STL_MIN_JTAG_APIV2);
        stp_finding_evidence(fi, "firmware", "%s", fw);
        stp_finding_evidence(fi, "feature", "SWD debug API v2");
        stp_finding_evidence(fi, "minimum_firmware", "V2J%u", STL_MIN_JTAG_APIV2);
        stp_finding_advice(fi, "update the probe firmware with ST's ST-LinkUpgrade "
                               "(STSW-LINK007) and retry");
        return STP_ERR_FIRMWARE_OLD;
    }
    set_caps(s);
    return STP_OK;
}

static stp_status read_version(stp_stlink *s, stp_findings *f)
{
    uint8_t cmd[] = {STL_GET_VERSION, 0x80};
    uint8_t v1[6];
    stp_status st = stl_xfer(s, "GET_VERSION", cmd, sizeof(cmd), v1, sizeof(v1), f);
    if (st != STP_OK)
        return st;
    uint8_t vex[12];
    size_t vexlen = 0;
    if (((v1[0] >> 4) & 0x0Fu) == 3 || ((v1[0] >> 4) & 0x0Fu) == 4) {
        uint8_t cmdx[] = {STL_APIV3_GET_VERSION_EX, 0x80};
        st = stl_xfer(s, "GET_VERSION_EX", cmdx, sizeof(cmdx), vex, sizeof(vex), f);
        if (st != STP_OK)
            return st;
        vexlen = sizeof(vex);
    }
    return stl_parse_version(s, v1, sizeof(v1), vexlen ? vex : NULL, vexlen, f);
}

/* Reads whatever the IN endpoint still holds (a reply a killed process did not collect)
 * until it has nothing: pyOCD does the same on open (1 ms reads until a timeout). The
 * buffer is a multiple of every ST-Link's packet size and larger than any reply, so no
 * read overflows. Bounded: a probe that never stops sending is left to the version check. */
#define STL_FLUSH_TIMEOUT_MS 1u
#define STL_FLUSH_READS      8u
#define STL_FLUSH_BUF        16384u

static void flush_in(stp_stlink *s)
{
    static uint8_t sink[STL_FLUSH_BUF];
    for (unsigned i = 0; i < STL_FLUSH_READS; i++) {
        size_t got = 0;
        if (s->usb->ops->bulk_in(s->usb, s->usb->info.ep_in, sink, sizeof sink, &got,
                                 STL_FLUSH_TIMEOUT_MS) != STP_OK)
            break;
        stp_log(s->base.env, STP_LOG_DEBUG,
                "stlink: discarded %zu bytes a previous session "
                "left in the probe",
                got);
    }
    s->usb->error[0] = '\0';
}

/* Opening a probe that a killed process left mid-transfer: what it still had to send is
 * read and dropped; if GET_VERSION still fails (the probe takes our command as the data of
 * a write it waits for, or its firmware hangs), the USB device is reset, which restarts the
 * firmware, and the version read once more: OpenOCD's recovery (it resets the device when
 * the version read fails and tries again). No replug needed. */
static stp_status read_version_recovering(stp_stlink *s, stp_findings *f)
{
    flush_in(s);
    stp_findings tmp = {0};
    stp_status st = read_version(s, &tmp);
    bool transfer_failed = st == STP_ERR_USB || st == STP_ERR_PROTOCOL;
    if (!transfer_failed || s->usb->ops->reset == NULL) {
        stp_findings_append(f, &tmp);
        stp_findings_free(&tmp);
        return st;
    }
    stp_log(s->base.env, STP_LOG_INFO,
            "ST-Link did not answer GET_VERSION (%s): resetting its USB device",
            s->usb->error[0] ? s->usb->error : "bad reply");
    stp_findings_free(&tmp);
    st = s->usb->ops->reset(s->usb);
    if (st != STP_OK) {
        stp_finding *fi = stp_finding_add(f, "probe.usb-error", STP_SEV_ERROR,
                                          "the ST-Link does not answer, and a USB reset failed");
        stp_finding_evidence(fi, "usb_error", "%s", s->usb->error[0] ? s->usb->error : "unknown");
        stp_finding_advice(fi, "unplug and replug the probe, then retry");
        return st;
    }
    flush_in(s);
    return read_version(s, f);
}

static stp_status leave_current_mode(stp_stlink *s, stp_findings *f)
{
    uint8_t cmd[] = {STL_GET_CURRENT_MODE};
    uint8_t mode[2];
    stp_status st = stl_xfer(s, "GET_CURRENT_MODE", cmd, sizeof(cmd), mode, sizeof(mode), f);
    if (st != STP_OK)
        return st;
    stp_log(s->base.env, STP_LOG_DEBUG, "stlink: current mode %u", mode[0]);
    switch (mode[0]) {
    case STL_MODE_DFU: {
        uint8_t c[] = {STL_DFU_COMMAND, STL_DFU_EXIT};
        return stl_xfer(s, "DFU_EXIT", c, sizeof(c), NULL, 0, f);
    }
    case STL_MODE_DEBUG: {
        /* A previous session left the probe in debug mode: start from a clean state. */
        uint8_t c[] = {STL_DEBUG_COMMAND, STL_DEBUG_EXIT};
        return stl_xfer(s, "DEBUG_EXIT", c, sizeof(c), NULL, 0, f);
    }
    case STL_MODE_SWIM: {
        uint8_t c[] = {STL_SWIM_COMMAND, STL_SWIM_EXIT};
        return stl_xfer(s, "SWIM_EXIT", c, sizeof(c), NULL, 0, f);
    }
    case STL_MODE_MASS:
    case STL_MODE_BOOTLOADER:
        /* Entering SWD leaves mass-storage mode; nothing to send. */
        return STP_OK;
    default:
        return protocol_error(f, "GET_CURRENT_MODE", "an unknown mode");
    }
}

stp_status stl_enter_swd(stp_stlink *s, stp_findings *f)
{
    if (s->enter_sent) {
        /* A failed ENTER can leave the firmware in debug mode: leave it before entering
         * again, as probe-rs and pyOCD do (e.g. connect under reset after a failed normal
         * connect). Only when the probe says it is in debug mode: an STLINK-V3 locks up on
         * DEBUG_EXIT outside it, which is where a failed ENTER leaves it (stlink-org PR
         * 1467, issue 1399). */
        stp_status st = leave_current_mode(s, f);
        if (st != STP_OK)
            return st;
    }
    uint8_t cmd[] = {STL_DEBUG_COMMAND, STL_DEBUG_APIV2_ENTER, STL_DEBUG_ENTER_SWD};
    uint8_t reply[2];
    s->enter_sent = true;
    stp_status st = stl_simple(s, "ENTER_SWD", cmd, sizeof(cmd), reply, sizeof(reply), f);
    if (st == STP_OK && (s->features & STL_F_INIT_AP)) {
        /* V2J28+ and V3: open AP 0 before using it (OpenOCD: "required" from J28). */
        uint8_t ap[] = {STL_DEBUG_COMMAND, STL_DEBUG_APIV2_INIT_AP, 0x00};
        st = stl_simple(s, "INIT_AP", ap, sizeof(ap), reply, sizeof(reply), f);
    }
    s->in_debug = st == STP_OK;
    return st;
}

static stp_status v3_read_freqs(stp_stlink *s, stp_findings *f)
{
    uint8_t cmd[] = {STL_DEBUG_COMMAND, STL_APIV3_GET_COM_FREQ, 0x00 /* SWD */};
    uint8_t reply[52];
    stp_status st = stl_simple(s, "GET_COM_FREQ", cmd, sizeof(cmd), reply, sizeof(reply), f);
    if (st != STP_OK)
        return st;
    unsigned n = reply[8];
    if (n == 0)
        return protocol_error(f, "GET_COM_FREQ", "an empty frequency list");
    if (n > STL_V3_MAX_FREQS)
        n = STL_V3_MAX_FREQS;
    for (unsigned i = 0; i < n; i++)
        s->v3_freqs[i] = stl_get_u32(&reply[12 + 4 * i]);
    s->v3_freq_count = n;
    return STP_OK;
}

/* V2 SWD clock table: kHz and the firmware divisor (ST-Link firmware's fixed settings). */
static const struct {
    unsigned khz;
    uint16_t divisor;
} v2_swd_clocks[] = {
    {4000, 0}, {1800, 1}, {1200, 2}, {950, 3},  {480, 7},  {240, 15},
    {125, 31}, {100, 40}, {50, 79},  {25, 158}, {15, 265}, {5, 798},
};

unsigned stl_v2_khz_pick(unsigned khz, uint16_t *divisor)
{
    size_t n = sizeof(v2_swd_clocks) / sizeof(v2_swd_clocks[0]);
    for (size_t i = 0; i < n; i++) {
        if (v2_swd_clocks[i].khz <= khz) {
            *divisor = v2_swd_clocks[i].divisor;
            return v2_swd_clocks[i].khz;
        }
    }
    *divisor = v2_swd_clocks[n - 1].divisor;
    return v2_swd_clocks[n - 1].khz;
}

uint32_t stl_v3_khz_pick(const uint32_t *list, unsigned count, unsigned khz)
{
    uint32_t best = 0, lowest = 0;
    for (unsigned i = 0; i < count; i++) {
        if (list[i] == 0)
            continue;
        if (list[i] <= khz && list[i] > best)
            best = list[i];
        if (lowest == 0 || list[i] < lowest)
            lowest = list[i];
    }
    return best != 0 ? best : lowest;
}

stp_status stl_set_swd_khz(stp_debug *d, unsigned khz, unsigned *actual, stp_findings *f)
{
    stp_stlink *s = (stp_stlink *)d;
    if (khz == 0)
        khz = (s->features & STL_F_COM_FREQ) ? STL_V3_DEFAULT_KHZ : STL_V2_DEFAULT_KHZ;
    if (s->features & STL_F_COM_FREQ) {
        if (s->v3_freq_count == 0) {
            stp_status st = v3_read_freqs(s, f);
            if (st != STP_OK)
                return st;
        }
        uint32_t pick = stl_v3_khz_pick(s->v3_freqs, s->v3_freq_count, khz);
        uint8_t cmd[8] = {STL_DEBUG_COMMAND, STL_APIV3_SET_COM_FREQ, 0x00 /* SWD */, 0x00};
        stl_put_u32(&cmd[4], pick);
        uint8_t reply[8];
        stp_status st = stl_simple(s, "SET_COM_FREQ", cmd, sizeof(cmd), reply, sizeof(reply), f);
        if (st != STP_OK)
            return st;
        uint32_t used = stl_get_u32(&reply[4]);
        s->base.info.swd_khz = used != 0 ? used : pick;
    } else {
        stp_status st = stl_need(s, STL_F_SWD_SET_FREQ, "setting the SWD clock", "V2J22", f);
        if (st != STP_OK)
            return st;
        uint16_t div = 0;
        unsigned pick = stl_v2_khz_pick(khz, &div);
        uint8_t cmd[4] = {STL_DEBUG_COMMAND, STL_DEBUG_APIV2_SWD_SET_FREQ};
        stl_put_u16(&cmd[2], div);
        uint8_t reply[2];
        st = stl_simple(s, "SWD_SET_FREQ", cmd, sizeof(cmd), reply, sizeof(reply), f);
        if (st != STP_OK)
            return st;
        s->base.info.swd_khz = pick;
    }
    if (actual != NULL)
        *actual = s->base.info.swd_khz;
    stp_log(s->base.env, STP_LOG_DEBUG, "stlink: SWD clock %u kHz (asked %u)", s->base.info.swd_khz,
            khz);
    return STP_OK;
}

stp_status stl_parse_voltage(const uint8_t *reply, size_t len, double *volts, stp_findings *f)
{
    if (len < 8)
        return protocol_error(f, "GET_TARGET_VOLTAGE", "a short reply");
    uint32_t ref = stl_get_u32(reply);
    uint32_t target = stl_get_u32(reply + 4);
    if (ref == 0)
        return protocol_error(f, "GET_TARGET_VOLTAGE", "a zero reference reading");
    /* The probe measures VREF through a divider by two against its 1.2 V reference. */
    *volts = 2.0 * (double)target * 1.2 / (double)ref;
    return STP_OK;
}

stp_status stl_target_voltage(stp_debug *d, double *volts, stp_findings *f)
{
    stp_stlink *s = (stp_stlink *)d;
    stp_status st = stl_need(s, STL_F_TARGET_VOLTAGE, "target voltage measurement", "V2J13", f);
    if (st != STP_OK)
        return st;
    uint8_t cmd[] = {STL_GET_TARGET_VOLTAGE};
    uint8_t reply[8];
    st = stl_xfer(s, "GET_TARGET_VOLTAGE", cmd, sizeof(cmd), reply, sizeof(reply), f);
    if (st != STP_OK)
        return st;
    return stl_parse_voltage(reply, sizeof(reply), volts, f);
}

static stp_stlink *stl_alloc(stp_usb *usb, const stp_env *env)
{
    stp_stlink *s = stp_calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->base.ops = &stl_ops;
    s->base.env = env;
    s->usb = usb;
    s->hw = stp_stlink_hw_from_pid(usb->info.vid, usb->info.pid);
    s->wait_timeout_ms = STL_WAIT_TIMEOUT_MS;
    s->base.info.vid = usb->info.vid;
    s->base.info.pid = usb->info.pid;
    snprintf(s->base.info.serial, sizeof(s->base.info.serial), "%s", usb->info.serial);
    snprintf(s->base.info.kind, sizeof(s->base.info.kind), "%s", stp_stlink_hw_name(s->hw));
    return s;
}

stp_status stp_stlink_read_version(stp_usb *usb, stp_probe_info *info, stp_findings *f)
{
    stp_stlink *s = stl_alloc(usb, NULL);
    if (s == NULL)
        return STP_ERR_NOMEM;
    stp_status st = read_version_recovering(s, f);
    *info = s->base.info;
    stp_free(s);
    return st;
}

stp_status stp_stlink_open(stp_usb *usb, const stp_env *env, stp_debug **out, stp_findings *f)
{
    *out = NULL;
    stp_stlink *s = stl_alloc(usb, env);
    if (s == NULL) {
        usb->ops->close(usb);
        return STP_ERR_NOMEM;
    }
    stp_status st = read_version_recovering(s, f);
    if (st == STP_OK)
        st = leave_current_mode(s, f);
    if (st == STP_OK && (s->features & STL_F_COM_FREQ))
        st = stl_set_swd_khz(&s->base, STL_V3_DEFAULT_KHZ, NULL, f);
    if (st == STP_OK) {
        /* A target that does not answer yet is not an error of the probe: attach() retries
         * and reports it. Transport and protocol failures are. */
        stp_findings tmp = {0};
        st = stl_enter_swd(s, &tmp);
        if (st == STP_ERR_USB || st == STP_ERR_PROTOCOL || st == STP_ERR_NOMEM)
            stp_findings_append(f, &tmp);
        else
            st = STP_OK;
        stp_findings_free(&tmp);
    }
    if (st == STP_OK && !(s->features & STL_F_COM_FREQ)) {
        if (s->features & STL_F_SWD_SET_FREQ)
            st = stl_set_swd_khz(&s->base, STL_V2_DEFAULT_KHZ, NULL, f);
        else
            s->base.info.swd_khz = STL_V2_FW_KHZ;
    }
    if (st != STP_OK) {
        stl_close(&s->base);
        return st;
    }
    stp_log(env, STP_LOG_INFO, "ST-Link %s firmware %s serial %s, SWD %u kHz", s->base.info.kind,
            s->base.info.firmware, s->base.info.serial, s->base.info.swd_khz);
    *out = &s->base;
    return STP_OK;
}
