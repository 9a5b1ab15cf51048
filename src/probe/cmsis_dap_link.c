/* CMSIS-DAP packets: one command per packet, one response per command, in order. A v2
 * probe takes bulk transfers of the command's length; a v1 probe takes whole HID reports
 * (the command padded with zeros to the packet size) and always answers a whole report.
 * Several commands may be in flight (up to DAP_PACKET_COUNT): the caller sends them and
 * collects the responses in the order sent. */
#include <string.h>

#include "probe/cmsis_dap.h"

#define CDAP_TIMEOUT_MS       5000u /* a DAP_Transfer of WAIT retries at a slow clock */
#define CDAP_FLUSH_TIMEOUT_MS 1u
#define CDAP_FLUSH_READS      8u

static stp_status usb_failure(stp_cmsis_dap *c, const char *what, const char *phase,
                              stp_findings *f)
{
    stp_finding *fi =
        stp_finding_add(f, "probe.usb-error", STP_SEV_ERROR,
                        "USB transfer to the CMSIS-DAP probe failed (%s, %s)", what, phase);
    stp_finding_evidence(fi, "command", "%s", what);
    stp_finding_evidence(fi, "phase", "%s", phase);
    stp_finding_evidence(fi, "usb_error", "%s", c->usb->error[0] ? c->usb->error : "unknown");
    stp_finding_advice(fi, "check the USB cable and hub; unplug and replug the probe");
    return STP_ERR_USB;
}

stp_status cdap_send(stp_cmsis_dap *c, const char *what, const uint8_t *cmd, size_t len,
                     stp_findings *f)
{
    const uint8_t *data = cmd;
    size_t n = len;
    uint8_t report[CDAP_PACKET_MAX];
    if (c->v1) {
        /* A HID output report is always whole. */
        memset(report, 0, c->packet_size);
        memcpy(report, cmd, len);
        data = report;
        n = c->packet_size;
    }
    stp_status st = c->usb->ops->bulk_out(c->usb, c->usb->info.ep_out, data, n, CDAP_TIMEOUT_MS);
    if (st != STP_OK)
        return usb_failure(c, what, "command", f);
    return STP_OK;
}

stp_status cdap_recv(stp_cmsis_dap *c, const char *what, uint8_t cmd_id, size_t min, size_t *len,
                     stp_findings *f)
{
    size_t got = 0;
    stp_status st = c->usb->ops->bulk_in(c->usb, c->usb->info.ep_in, c->buf, c->packet_size, &got,
                                         CDAP_TIMEOUT_MS);
    if (st != STP_OK)
        return usb_failure(c, what, "reply", f);
    if (got < min || got < 1 || c->buf[0] != cmd_id) {
        bool unknown = got >= 1 && c->buf[0] == 0xFF && cmd_id != 0xFF;
        stp_finding *fi =
            stp_finding_add(f, "probe.protocol-error", STP_SEV_ERROR,
                            unknown ? "the CMSIS-DAP probe does not implement %s"
                                    : "the CMSIS-DAP probe answered %s with a wrong response",
                            what);
        stp_finding_evidence(fi, "command", "%s", what);
        stp_finding_evidence(fi, "expected_bytes", "%zu", min);
        stp_finding_evidence(fi, "received_bytes", "%zu", got);
        stp_finding_advice(fi, "replug the probe; if it persists, update its firmware");
        return STP_ERR_PROTOCOL;
    }
    *len = got;
    return STP_OK;
}

stp_status cdap_cmd(stp_cmsis_dap *c, const char *what, const uint8_t *cmd, size_t len, size_t min,
                    size_t *rlen, stp_findings *f)
{
    stp_status st = cdap_send(c, what, cmd, len, f);
    if (st != STP_OK)
        return st;
    size_t got = 0;
    st = cdap_recv(c, what, cmd[0], min, &got, f);
    if (st == STP_OK && rlen != NULL)
        *rlen = got;
    return st;
}

void cdap_flush(stp_cmsis_dap *c)
{
    for (unsigned i = 0; i < CDAP_FLUSH_READS; i++) {
        size_t got = 0;
        if (c->usb->ops->bulk_in(c->usb, c->usb->info.ep_in, c->buf, c->packet_size, &got,
                                 CDAP_FLUSH_TIMEOUT_MS) != STP_OK)
            break;
        stp_log(c->base.env, STP_LOG_DEBUG,
                "cmsis-dap: discarded a %zu-byte response a previous session left", got);
    }
    c->usb->error[0] = '\0';
}
