/* ST-Link exchanges: command blocks, replies, data phases, and the WAIT retry loop. */
#include <stdio.h>
#include <string.h>

#include "probe/stlink.h"

#define STL_BASE_TIMEOUT_MS 1000u
#define STL_BACKOFF_MAX_MS  128u

void stl_put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

void stl_put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

uint32_t stl_get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t stl_now_ms(stp_stlink *s)
{
    return stp_usb_now_ns(s->usb) / 1000000u;
}

/* Transfer timeout: a base for USB latency plus the SWD time of len bytes at the current
 * clock (about 40 bit times per byte including protocol overhead). */
static unsigned xfer_timeout(const stp_stlink *s, size_t len)
{
    unsigned khz = s->base.info.swd_khz ? s->base.info.swd_khz : 100;
    return STL_BASE_TIMEOUT_MS + (unsigned)(len * 40u / khz);
}

static stp_status usb_failure(stp_stlink *s, stp_status st, const char *what, const char *phase,
                              stp_findings *f)
{
    stp_finding *fi = stp_finding_add(f, "probe.usb-error", STP_SEV_ERROR,
                                      "USB transfer to the ST-Link failed during %s", what);
    stp_finding_evidence(fi, "command", "%s", what);
    stp_finding_evidence(fi, "phase", "%s", phase);
    stp_finding_evidence(fi, "usb_error", "%s", s->usb->error[0] ? s->usb->error : "unknown");
    stp_finding_advice(fi, "check the USB cable and that the probe is still plugged in; "
                           "unplug and replug it, then retry");
    return st == STP_ERR_TIMEOUT ? STP_ERR_USB : st;
}

static stp_status send_cmd(stp_stlink *s, const char *what, const uint8_t *cmd, size_t cmdlen,
                           stp_findings *f)
{
    uint8_t block[STL_CMD_SIZE] = {0};
    if (cmdlen > STL_CMD_SIZE)
        return STP_ERR_INTERNAL;
    memcpy(block, cmd, cmdlen);
    s->usb->error[0] = '\0';
    stp_status st = s->usb->ops->bulk_out(s->usb, s->usb->info.ep_out, block, sizeof(block),
                                          STL_BASE_TIMEOUT_MS);
    if (st != STP_OK)
        return usb_failure(s, st, what, "command", f);
    return STP_OK;
}

stp_status stl_xfer_min(stp_stlink *s, const char *what, const uint8_t *cmd, size_t cmdlen,
                        uint8_t *reply, size_t replylen, size_t minlen, size_t *got,
                        stp_findings *f)
{
    stp_status st = send_cmd(s, what, cmd, cmdlen, f);
    if (st != STP_OK || replylen == 0)
        return st;
    size_t actual = 0;
    st = s->usb->ops->bulk_in(s->usb, s->usb->info.ep_in, reply, replylen, &actual,
                              xfer_timeout(s, replylen));
    if (st != STP_OK)
        return usb_failure(s, st, what, "reply", f);
    if (actual < minlen || actual > replylen) {
        stp_finding *fi = stp_finding_add(f, "probe.protocol-error", STP_SEV_ERROR,
                                          "the ST-Link answered %s with %zu bytes, expected %zu",
                                          what, actual, minlen);
        stp_finding_evidence(fi, "command", "%s", what);
        stp_finding_evidence(fi, "expected_bytes", "%zu", minlen);
        stp_finding_evidence(fi, "received_bytes", "%zu", actual);
        stp_finding_advice(fi, "replug the probe; if it persists, update its firmware with "
                               "ST's ST-LinkUpgrade tool");
        return STP_ERR_PROTOCOL;
    }
    if (got != NULL)
        *got = actual;
    return STP_OK;
}

stp_status stl_xfer(stp_stlink *s, const char *what, const uint8_t *cmd, size_t cmdlen,
                    uint8_t *reply, size_t replylen, stp_findings *f)
{
    return stl_xfer_min(s, what, cmd, cmdlen, reply, replylen, replylen, NULL, f);
}

stp_status stl_xfer_out(stp_stlink *s, const char *what, const uint8_t *cmd, size_t cmdlen,
                        const uint8_t *data, size_t datalen, stp_findings *f)
{
    stp_status st = send_cmd(s, what, cmd, cmdlen, f);
    if (st != STP_OK || datalen == 0)
        return st;
    st =
        s->usb->ops->bulk_out(s->usb, s->usb->info.ep_out, data, datalen, xfer_timeout(s, datalen));
    if (st != STP_OK)
        return usb_failure(s, st, what, "data", f);
    return STP_OK;
}

stp_status stl_run(stp_stlink *s, const char *what, bool has_addr, uint32_t addr,
                   stl_attempt_fn attempt, void *ctx, stp_findings *f)
{
    uint64_t start = stl_now_ms(s);
    uint64_t delay = 1;
    unsigned attempts = 0;
    for (;;) {
        uint8_t code = 0;
        attempts++;
        s->fault_addr_valid = false;
        stp_status st = attempt(s, ctx, &code, f);
        if (st != STP_OK)
            return st;
        if (code == STL_OK || stl_status_report(code, what, false, 0, NULL) == STP_OK) {
            s->after_wait = false;
            return STP_OK; /* OK, or a status the proven hosts take as done (0x0D) */
        }
        /* STLINK-V3 can answer one access WAIT, then AP_FAULT, then OK: an AP_FAULT right
         * after a WAIT is retried once (OpenOCD retries it too). */
        bool fault_after_wait = code == STL_SWD_AP_FAULT && s->after_wait;
        s->after_wait = stl_status_is_wait(code);
        if (fault_after_wait) {
            stp_log(s->base.env, STP_LOG_DEBUG,
                    "stlink: %s answered SWD_AP_FAULT after a WAIT, "
                    "retrying once",
                    what);
            continue;
        }
        uint64_t elapsed = stl_now_ms(s) - start;
        if (!stl_status_is_wait(code) || elapsed + delay > s->wait_timeout_ms) {
            size_t before = f != NULL ? f->count : 0;
            st = stl_status_report(code, what, has_addr, addr, f);
            if (f != NULL && f->count > before) {
                stp_finding *fi = &f->items[f->count - 1];
                if (s->fault_addr_valid)
                    stp_finding_evidence(fi, "fault_address", "0x%08X", (unsigned)s->fault_addr);
                if (stl_status_is_wait(code)) {
                    stp_finding_evidence(fi, "attempts", "%u", attempts);
                    stp_finding_evidence(fi, "elapsed_ms", "%llu", (unsigned long long)elapsed);
                }
            }
            return st;
        }
        stp_log(s->base.env, STP_LOG_DEBUG, "stlink: %s answered %s, retrying in %llu ms", what,
                stl_status_name(code), (unsigned long long)delay);
        stp_usb_sleep_ns(s->usb, delay * 1000000u);
        delay = delay * 2 > STL_BACKOFF_MAX_MS ? STL_BACKOFF_MAX_MS : delay * 2;
    }
}

struct simple_ctx {
    const char *what;
    const uint8_t *cmd;
    size_t cmdlen;
    uint8_t *reply;
    size_t replylen;
};

static stp_status simple_attempt(stp_stlink *s, void *vctx, uint8_t *code, stp_findings *f)
{
    struct simple_ctx *c = vctx;
    stp_status st = stl_xfer(s, c->what, c->cmd, c->cmdlen, c->reply, c->replylen, f);
    if (st == STP_OK)
        *code = c->reply[0];
    return st;
}

stp_status stl_simple(stp_stlink *s, const char *what, const uint8_t *cmd, size_t cmdlen,
                      uint8_t *reply, size_t replylen, stp_findings *f)
{
    struct simple_ctx c = {what, cmd, cmdlen, reply, replylen};
    return stl_run(s, what, false, 0, simple_attempt, &c, f);
}

stp_status stl_need(stp_stlink *s, uint32_t feature, const char *feature_name, const char *min_fw,
                    stp_findings *f)
{
    if ((s->features & feature) != 0)
        return STP_OK;
    stp_finding *fi = stp_finding_add(f, "probe.firmware-old", STP_SEV_ERROR,
                                      "ST-Link firmware %s lacks %s (needs %s or later)",
                                      s->base.info.firmware, feature_name, min_fw);
    stp_finding_evidence(fi, "firmware", "%s", s->base.info.firmware);
    stp_finding_evidence(fi, "feature", "%s", feature_name);
    stp_finding_evidence(fi, "minimum_firmware", "%s", min_fw);
    stp_finding_advice(fi, "update the probe firmware with ST's ST-LinkUpgrade "
                           "(STSW-LINK007) and retry");
    return STP_ERR_FIRMWARE_OLD;
}
