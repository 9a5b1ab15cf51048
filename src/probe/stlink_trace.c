/* SWO capture through the ST-Link (debug seam trace_start/trace_read/trace_stop): DEBUG
 * COMMAND START_TRACE_RX (0x40: buffer size u16, SWO rate in Hz u32; status reply),
 * GET_TRACE_NB (0x42: the bytes captured, u16), the bytes themselves from the trace
 * endpoint (0x83 on V2, 0x82 on V2-1 and V3), STOP_TRACE_RX (0x41). From V2 JTAG firmware
 * J13 and on every V3; the highest rate 2 MHz on V2 and 24 MHz on V3 (the limits OpenOCD's
 * and stlink-org's drivers apply). */
#include "probe/stlink.h"

#define STL_START_TRACE_RX 0x40
#define STL_STOP_TRACE_RX  0x41
#define STL_GET_TRACE_NB   0x42
#define STL_TRACE_BUF      4096u
#define STL_TRACE_MAX_V2   2000000u
#define STL_TRACE_MAX_V3   24000000u

static bool is_v3(const stp_stlink *s)
{
    return s->hw == STP_STLINK_HW_V3 || s->hw == STP_STLINK_HW_V3PWR;
}

static uint8_t trace_ep(const stp_stlink *s)
{
    return s->hw == STP_STLINK_HW_V2 ? 0x83 : 0x82;
}

stp_status stl_trace_start(stp_debug *d, uint32_t baud, uint32_t *actual, stp_findings *f)
{
    stp_stlink *s = (stp_stlink *)d;
    if (!is_v3(s) && s->ver_jtag < 13) {
        stp_finding *x = stp_finding_add(f, "probe.firmware-old", STP_SEV_ERROR,
                                         "ST-Link firmware %s cannot capture SWO (needs V2J13 "
                                         "or later)",
                                         s->base.info.firmware);
        stp_finding_evidence(x, "firmware", "%s", s->base.info.firmware);
        stp_finding_advice(x, "update the probe firmware with ST's ST-LinkUpgrade (STSW-LINK007)");
        return STP_ERR_FIRMWARE_OLD;
    }
    uint32_t max = is_v3(s) ? STL_TRACE_MAX_V3 : STL_TRACE_MAX_V2;
    if (baud == 0 || baud > max) {
        stp_finding *x = stp_finding_add(f, "swo.baud-unsupported", STP_SEV_ERROR,
                                         "this ST-Link captures SWO at up to %u Hz (asked %u)",
                                         (unsigned)max, (unsigned)baud);
        stp_finding_evidence(x, "max_hz", "%u", (unsigned)max);
        stp_finding_advice(x, "give a lower --baud (a divisor of the core clock)");
        return STP_ERR_INVALID_ARG;
    }
    stp_status st = stl_ensure_debug(s, f);
    if (st != STP_OK)
        return st;
    uint8_t cmd[8] = {STL_DEBUG_COMMAND, STL_START_TRACE_RX};
    stl_put_u16(cmd + 2, (uint16_t)STL_TRACE_BUF);
    stl_put_u32(cmd + 4, baud);
    uint8_t reply[2];
    st = stl_simple(s, "START_TRACE_RX", cmd, sizeof(cmd), reply, sizeof(reply), f);
    if (st == STP_OK && actual != NULL)
        *actual = baud; /* the probe's UART takes the rate as given */
    return st;
}

stp_status stl_trace_read(stp_debug *d, void *buf, size_t cap, size_t *got, stp_findings *f)
{
    stp_stlink *s = (stp_stlink *)d;
    *got = 0;
    uint8_t cmd[2] = {STL_DEBUG_COMMAND, STL_GET_TRACE_NB};
    uint8_t reply[2];
    stp_status st = stl_xfer(s, "GET_TRACE_NB", cmd, sizeof(cmd), reply, sizeof(reply), f);
    size_t avail = (size_t)reply[0] | (size_t)reply[1] << 8;
    if (st != STP_OK || avail == 0)
        return st;
    size_t want = avail < cap ? avail : cap;
    size_t actual = 0;
    st = s->usb->ops->bulk_in(s->usb, trace_ep(s), buf, want, &actual, 1000);
    if (st != STP_OK) {
        stp_finding *x = stp_finding_add(f, "probe.usb-error", STP_SEV_ERROR,
                                         "reading the SWO trace from the ST-Link failed: %s",
                                         s->usb->error[0] ? s->usb->error : "transfer failed");
        stp_finding_evidence(x, "endpoint", "0x%02X", trace_ep(s));
        return st;
    }
    *got = actual;
    return STP_OK;
}

stp_status stl_trace_stop(stp_debug *d, stp_findings *f)
{
    stp_stlink *s = (stp_stlink *)d;
    uint8_t cmd[2] = {STL_DEBUG_COMMAND, STL_STOP_TRACE_RX};
    uint8_t reply[2];
    return stl_simple(s, "STOP_TRACE_RX", cmd, sizeof(cmd), reply, sizeof(reply), f);
}
