/* CMSIS-DAP driver: opening a probe (DAP_Info: packet size and count, capabilities,
 * firmware; DAP_Connect in SWD mode; DAP_TransferConfigure), the probe-level commands
 * (DAP_SWJ_Clock, DAP_SWJ_Pins for nRESET) and the stp_debug operations table. The
 * commands and their layouts are those of the CMSIS-DAP 2.1 documentation ("Commands"). */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "probe/cmsis_dap.h"

#define CDAP_DEFAULT_KHZ 1800u /* as the ST-Link V2: safe on flying wires (--freq for more) */
#define CDAP_WAIT_RETRY  100u  /* WAIT retries in the probe per transfer (DAP.c's default) */
#define CDAP_MATCH_RETRY 100u  /* value-match retries (S_REGRDY, power-up acknowledges) */
#define CDAP_PIN_NRESET  0x80u

#define INFO_FIRMWARE     0x09
#define INFO_PROTOCOL     0x04
#define INFO_CAPABILITIES 0xF0
#define INFO_PACKET_COUNT 0xFE
#define INFO_PACKET_SIZE  0xFF
#define CAP_SWD           0x01u

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* DAP_Info id: the response's value bytes into c->buf + 2, their count into *n. */
static stp_status info(stp_cmsis_dap *c, uint8_t id, size_t *n, stp_findings *f)
{
    uint8_t cmd[2] = {CDAP_INFO, id};
    size_t rlen = 0;
    stp_status st = cdap_cmd(c, "DAP_Info", cmd, sizeof cmd, 2, &rlen, f);
    if (st != STP_OK)
        return st;
    *n = c->buf[1];
    if (*n + 2 > rlen)
        *n = rlen - 2;
    return STP_OK;
}

static void info_string(stp_cmsis_dap *c, uint8_t id, char *out, size_t len)
{
    size_t n = 0;
    stp_findings tmp = {0};
    out[0] = '\0';
    if (info(c, id, &n, &tmp) == STP_OK && n > 0) {
        if (n >= len)
            n = len - 1;
        memcpy(out, c->buf + 2, n);
        out[n] = '\0';
    }
    stp_findings_free(&tmp);
}

static void firmware_string(stp_cmsis_dap *c, char *out, size_t len)
{
    info_string(c, INFO_FIRMWARE, out, len);
    if (out[0] == '\0') { /* CMSIS-DAP before 2.1: the protocol version only */
        char proto[24];
        info_string(c, INFO_PROTOCOL, proto, sizeof proto);
        if (proto[0] != '\0')
            snprintf(out, len, "CMSIS-DAP %s", proto);
    }
}

static stp_status simple(stp_cmsis_dap *c, const char *what, const uint8_t *cmd, size_t len,
                         stp_findings *f)
{
    size_t rlen = 0;
    stp_status st = cdap_cmd(c, what, cmd, len, 2, &rlen, f);
    if (st == STP_OK && c->buf[1] != 0) {
        stp_finding *fi = stp_finding_add(f, "probe.protocol-error", STP_SEV_ERROR,
                                          "the CMSIS-DAP probe refused %s", what);
        stp_finding_evidence(fi, "command", "%s", what);
        stp_finding_evidence(fi, "status", "0x%02X", c->buf[1]);
        stp_finding_advice(fi, "replug the probe; if it persists, update its firmware");
        return STP_ERR_PROTOCOL;
    }
    return st;
}

static stp_status cdap_set_swd_khz(stp_debug *d, unsigned khz, unsigned *actual, stp_findings *f)
{
    stp_cmsis_dap *c = (stp_cmsis_dap *)d;
    if (khz == 0)
        khz = CDAP_DEFAULT_KHZ;
    uint8_t cmd[5] = {CDAP_SWJ_CLOCK};
    put32(cmd + 1, khz * 1000u);
    stp_status st = simple(c, "DAP_SWJ_Clock", cmd, sizeof cmd, f);
    if (st != STP_OK)
        return st;
    /* The protocol does not say which clock the probe makes of it: the one asked for. */
    c->base.info.swd_khz = khz;
    if (actual != NULL)
        *actual = khz;
    return STP_OK;
}

static stp_status cdap_set_nrst(stp_debug *d, bool asserted, stp_findings *f)
{
    stp_cmsis_dap *c = (stp_cmsis_dap *)d;
    uint8_t cmd[7] = {CDAP_SWJ_PINS, asserted ? 0 : CDAP_PIN_NRESET, CDAP_PIN_NRESET};
    return cdap_cmd(c, "DAP_SWJ_Pins", cmd, sizeof cmd, 2, NULL, f);
}

static stp_status cdap_target_voltage(stp_debug *d, double *volts, stp_findings *f)
{
    (void)d;
    *volts = 0;
    stp_finding *fi = stp_finding_add(f, "probe.no-voltage-sense", STP_SEV_INFO,
                                      "a CMSIS-DAP probe does not report the target voltage");
    stp_finding_advice(fi, "measure VDD with a meter if power is in doubt");
    return STP_ERR_UNSUPPORTED;
}

static stp_status cdap_attach(stp_debug *d, uint32_t *dp_idcode, stp_findings *f)
{
    return cdap_attach_dp((stp_cmsis_dap *)d, dp_idcode, f);
}

static void cdap_delay_ms(stp_debug *d, unsigned ms)
{
    stp_usb_sleep_ns(((stp_cmsis_dap *)d)->usb, (uint64_t)ms * 1000000u);
}

static uint64_t cdap_now_ms(stp_debug *d)
{
    return stp_usb_now_ns(((stp_cmsis_dap *)d)->usb) / 1000000u;
}

static uint64_t cdap_now_ns(stp_debug *d)
{
    return stp_usb_now_ns(((stp_cmsis_dap *)d)->usb);
}

static void cdap_close(stp_debug *d)
{
    stp_cmsis_dap *c = (stp_cmsis_dap *)d;
    if (c == NULL)
        return;
    if (c->usb != NULL) {
        uint8_t cmd[1] = {CDAP_DISCONNECT};
        stp_findings tmp = {0};
        (void)cdap_cmd(c, "DAP_Disconnect", cmd, sizeof cmd, 2, NULL, &tmp);
        stp_findings_free(&tmp);
        c->usb->ops->close(c->usb);
    }
    stp_free(c);
}

static const stp_debug_ops cdap_ops = {
    .read_mem = cdap_read_mem,
    .write_mem = cdap_write_mem,
    .read_u32 = cdap_read_u32,
    .write_u32 = cdap_write_u32,
    .write_u16 = cdap_write_u16,
    .read_reg = cdap_read_reg,
    .write_reg = cdap_write_reg,
    .set_nrst = cdap_set_nrst,
    .target_voltage = cdap_target_voltage,
    .set_swd_khz = cdap_set_swd_khz,
    .attach = cdap_attach,
    .delay_ms = cdap_delay_ms,
    .now_ms = cdap_now_ms,
    .close = cdap_close,
    .write_mem16 = cdap_write_mem16,
    .set_transfer_limit = cdap_set_transfer_limit,
    .now_ns = cdap_now_ns,
};

/* The transfer-time model (stprog/probe.h). Memory moves in pieces of one DAP_Transfer:
 * a 512-byte v2 packet carries 99 words written (5 bytes each: request and data) or 127
 * read; up to DAP_PACKET_COUNT pieces are in flight, so the probe clocks one piece out on
 * SWD while the next crosses USB and the 125 us of a high-speed bulk transfer mostly
 * hide behind the wire (about one in four shows). Every word is one SWD transfer of about
 * 48 clock cycles, plus the TAR write of each piece. A v1 probe moves one 64-byte HID
 * report per 1 ms frame each way (10 words written per piece); the two pipes overlap. */
static const stp_link_model cdap_link_v2 = {
    .name = "CMSIS-DAP v2",
    .exchange_s = 0.000125,
    .s_per_byte = 1.25 / 30e6,
    .swd_cycles_per_word = 48.0 * 100.0 / 99.0,
    .piece_bytes = 396.0,
    .write_exchanges = 0.25,
    .read_exchanges = 0.25,
};

static const stp_link_model cdap_link_v1 = {
    .name = "CMSIS-DAP v1",
    .exchange_s = 0.001,
    .s_per_byte = 1.25e-6,
    .swd_cycles_per_word = 48.0 * 11.0 / 10.0,
    .piece_bytes = 40.0,
    .write_exchanges = 1.0,
    .read_exchanges = 1.0,
};

static stp_status unsupported(stp_findings *f, const char *why)
{
    stp_finding *fi =
        stp_finding_add(f, "probe.unsupported", STP_SEV_ERROR, "this CMSIS-DAP probe %s", why);
    stp_finding_advice(fi, "use a CMSIS-DAP probe with SWD (DAPLink, Raspberry Pi Debug Probe) "
                           "or an ST-Link");
    return STP_ERR_UNSUPPORTED;
}

/* DAP_Info's packet size and count, capabilities and firmware version. */
static stp_status read_info(stp_cmsis_dap *c, stp_findings *f)
{
    size_t n = 0;
    stp_status st = info(c, INFO_PACKET_SIZE, &n, f);
    if (st != STP_OK)
        return st;
    if (n >= 2) {
        unsigned size = (unsigned)c->buf[2] | (unsigned)c->buf[3] << 8;
        if (size >= 64 && size <= CDAP_PACKET_MAX)
            c->packet_size = (uint16_t)size;
    }
    st = info(c, INFO_PACKET_COUNT, &n, f);
    if (st != STP_OK)
        return st;
    c->packet_count = n >= 1 && c->buf[2] != 0 ? c->buf[2] : 1;
    st = info(c, INFO_CAPABILITIES, &n, f);
    if (st != STP_OK)
        return st;
    c->capabilities = n >= 1 ? c->buf[2] : 0;
    firmware_string(c, c->base.info.firmware, sizeof(c->base.info.firmware));
    stp_log(c->base.env, STP_LOG_DEBUG,
            "cmsis-dap: packet size %u, count %u, capabilities 0x%02X, firmware '%s'",
            c->packet_size, c->packet_count, c->capabilities, c->base.info.firmware);
    return STP_OK;
}

/* SWD mode, the probe's transfer retries, one turnaround clock, the default clock. */
static stp_status connect_swd(stp_cmsis_dap *c, stp_findings *f)
{
    if (!(c->capabilities & CAP_SWD))
        return unsupported(f, "has no SWD (JTAG only)");
    uint8_t conn[2] = {CDAP_CONNECT, 1};
    size_t rlen = 0;
    stp_status st = cdap_cmd(c, "DAP_Connect", conn, sizeof conn, 2, &rlen, f);
    if (st != STP_OK)
        return st;
    if (c->buf[1] != 1)
        return unsupported(f, "refused to connect in SWD mode");
    uint8_t cfg[6] = {CDAP_TRANSFER_CONFIG,    0,
                      CDAP_WAIT_RETRY & 0xFF,  CDAP_WAIT_RETRY >> 8,
                      CDAP_MATCH_RETRY & 0xFF, CDAP_MATCH_RETRY >> 8};
    st = simple(c, "DAP_TransferConfigure", cfg, sizeof cfg, f);
    if (st != STP_OK)
        return st;
    uint8_t swd[2] = {CDAP_SWD_CONFIGURE, 0};
    st = simple(c, "DAP_SWD_Configure", swd, sizeof swd, f);
    if (st != STP_OK)
        return st;
    return cdap_set_swd_khz(&c->base, 0, NULL, f);
}

static stp_cmsis_dap *create(stp_usb *usb, const stp_env *env)
{
    stp_cmsis_dap *c = stp_calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->base.ops = &cdap_ops;
    c->base.env = env;
    c->usb = usb;
    c->v1 = usb->info.interrupt;
    /* Until DAP_Info says: a HID report is the endpoint's size, a bulk packet 512. */
    c->packet_size = c->v1 ? (usb->info.max_packet ? usb->info.max_packet : 64) : 512;
    if (c->packet_size > CDAP_PACKET_MAX)
        c->packet_size = CDAP_PACKET_MAX;
    c->packet_count = 1;
    return c;
}

stp_status cdap_open(stp_usb *usb, const stp_env *env, stp_debug **out, stp_findings *f)
{
    *out = NULL;
    stp_cmsis_dap *c = create(usb, env);
    if (c == NULL) {
        usb->ops->close(usb);
        return STP_ERR_NOMEM;
    }
    cdap_flush(c);
    stp_status st = read_info(c, f);
    if (st == STP_OK)
        st = connect_swd(c, f);
    if (st != STP_OK) {
        cdap_close(&c->base);
        return st;
    }
    stp_probe_info *in = &c->base.info;
    snprintf(in->kind, sizeof(in->kind), "%s", c->v1 ? "cmsis-dap-v1" : "cmsis-dap-v2");
    snprintf(in->serial, sizeof(in->serial), "%s", usb->info.serial);
    in->vid = usb->info.vid;
    in->pid = usb->info.pid;
    c->base.caps = STP_PROBE_CAP_NRST;
    c->base.link = c->v1 ? &cdap_link_v1 : &cdap_link_v2;
    *out = &c->base;
    return STP_OK;
}

stp_status cdap_read_firmware(stp_usb *usb, char *out, size_t len, stp_findings *f)
{
    (void)f;
    stp_cmsis_dap *c = create(usb, NULL);
    if (c == NULL)
        return STP_ERR_NOMEM;
    firmware_string(c, out, len);
    stp_free(c);
    return STP_OK;
}
