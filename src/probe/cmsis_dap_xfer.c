/* DAP_Transfer request lists: encoding, decoding, and what a failed transfer means.
 *
 * A list runs in as many DAP_Transfer commands as its requests need. The response says
 * how many requests were done and how the last one was acknowledged:
 * - WAIT (after the probe's own retries, DAP_TransferConfigure): the request was not
 *   accepted (ADIv5 B4.2.1), so the list goes on from that request, after a backoff of
 *   1, 2, 4 ... 128 ms for at most 1 s of target time; then DAPABORT ends the transaction
 *   the target still holds, and the list fails (swd.wait-timeout);
 * - FAULT: a sticky error flag is set (a bus error, or one left by an earlier access): the
 *   flags are cleared with DAP_WriteABORT and the list fails (swd.ap-fault);
 * - no acknowledge: nothing answered (swd.no-response); the next access starts with a
 *   line reset;
 * - a parity error on read data: swd.parity-error;
 * - a value match that never matched: swd.match-timeout. */
#include <string.h>

#include "probe/cmsis_dap.h"

#define CDAP_WAIT_TIMEOUT_MS 1000u
#define CDAP_BACKOFF_MAX_MS  128u

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void cdap_batch_init(cdap_batch *b)
{
    b->count = 0;
    b->done = 0;
    b->ack = 0;
}

void cdap_add(cdap_batch *b, uint8_t req, uint32_t value, uint32_t *dst)
{
    if (b->count < CDAP_REQ_MAX)
        b->reqs[b->count++] = (cdap_req){req, value, dst};
}

/* A request that carries 4 bytes of data in the command (writes, match values). */
static bool has_data_out(uint8_t req)
{
    return !(req & CDAP_REQ_READ) || (req & CDAP_REQ_MATCH_VAL);
}

/* A request whose response carries its value. */
static bool has_data_in(uint8_t req)
{
    return (req & CDAP_REQ_READ) && !(req & CDAP_REQ_MATCH_VAL);
}

unsigned cdap_encode(const cdap_batch *b, unsigned from, uint8_t *out, size_t cap, size_t *len)
{
    out[0] = CDAP_TRANSFER;
    out[1] = 0; /* DAP index: SWD has one */
    size_t pos = 3, in = 3;
    unsigned n = 0;
    for (unsigned i = from; i < b->count && n < 255; i++) {
        uint8_t r = b->reqs[i].req;
        size_t need = has_data_out(r) ? 5 : 1;
        size_t back = has_data_in(r) ? 4 : 0;
        if (pos + need > cap || in + back > cap)
            break;
        out[pos++] = r;
        if (has_data_out(r)) {
            put32(out + pos, b->reqs[i].value);
            pos += 4;
        }
        in += back;
        n++;
    }
    out[2] = (uint8_t)n;
    *len = pos;
    return n;
}

stp_status cdap_decode(stp_cmsis_dap *c, cdap_batch *b, unsigned from, unsigned sent, size_t len,
                       stp_findings *f)
{
    unsigned done = c->buf[1];
    uint8_t ack = c->buf[2];
    size_t pos = 3;
    if (done > sent)
        done = sent;
    for (unsigned i = 0; i < done; i++) {
        cdap_req *r = &b->reqs[from + i];
        if (!has_data_in(r->req))
            continue;
        if (pos + 4 > len) {
            stp_finding *fi = stp_finding_add(f, "probe.protocol-error", STP_SEV_ERROR,
                                              "the CMSIS-DAP probe's DAP_Transfer response is "
                                              "short");
            stp_finding_evidence(fi, "command", "DAP_Transfer");
            stp_finding_evidence(fi, "expected_bytes", "%zu", pos + 4);
            stp_finding_evidence(fi, "received_bytes", "%zu", len);
            stp_finding_advice(fi, "replug the probe; if it persists, update its firmware");
            return STP_ERR_PROTOCOL;
        }
        if (r->dst != NULL)
            *r->dst = get32(c->buf + pos);
        pos += 4;
    }
    b->done = from + done;
    b->ack = ack;
    if ((ack & CDAP_ACK_MASK) == CDAP_ACK_OK && !(ack & (CDAP_RESP_PARITY | CDAP_RESP_MISMATCH)) &&
        done < sent) {
        stp_finding *fi = stp_finding_add(f, "probe.protocol-error", STP_SEV_ERROR,
                                          "the CMSIS-DAP probe did %u of %u transfers and "
                                          "reported no error",
                                          done, sent);
        stp_finding_evidence(fi, "command", "DAP_Transfer");
        stp_finding_advice(fi, "replug the probe; if it persists, update its firmware");
        return STP_ERR_PROTOCOL;
    }
    return STP_OK;
}

bool cdap_is_wait(uint8_t ack)
{
    return (ack & CDAP_ACK_MASK) == CDAP_ACK_WAIT && !(ack & CDAP_RESP_PARITY);
}

static bool is_ok(uint8_t ack)
{
    return ack == CDAP_ACK_OK;
}

/* DAP_WriteABORT: clear the sticky flags (and with DAPABORT, end a stuck transaction). */
static void write_abort(stp_cmsis_dap *c, uint32_t value)
{
    uint8_t cmd[6] = {CDAP_WRITE_ABORT, 0};
    put32(cmd + 2, value);
    stp_findings tmp = {0};
    (void)cdap_cmd(c, "DAP_WriteABORT", cmd, sizeof cmd, 2, NULL, &tmp);
    stp_findings_free(&tmp);
}

static stp_finding *fail(stp_findings *f, const char *id, const char *msg, const char *what,
                         const char *advice)
{
    stp_finding *fi = stp_finding_add(f, id, STP_SEV_ERROR, msg, what);
    stp_finding_evidence(fi, "command", "%s", what);
    stp_finding_advice(fi, "%s", advice);
    return fi;
}

#define ADVICE_WIRING                                                                              \
    "check SWDIO/SWCLK/GND wiring and target power; try a lower clock with --freq 480"
#define ADVICE_FAULT                                                                               \
    "the address may not exist on this chip or its bus is not clocked; if faults come at "         \
    "random addresses, the SWD link is unreliable: try a lower --freq"

stp_status cdap_failure(stp_cmsis_dap *c, uint8_t ack, const char *what, bool has_addr,
                        uint32_t addr, stp_findings *f)
{
    stp_finding *fi;
    stp_status st;
    c->csw_valid = false;
    if (ack & CDAP_RESP_PARITY) {
        fi = fail(f, "swd.parity-error", "SWD parity error during %s (corrupted bits on the wire)",
                  what, ADVICE_WIRING);
        st = STP_ERR_PROTOCOL;
        c->attached = false;
    } else if ((ack & CDAP_ACK_MASK) == CDAP_ACK_OK && (ack & CDAP_RESP_MISMATCH)) {
        fi = fail(f, "swd.match-timeout", "a register never showed the expected value during %s",
                  what,
                  "the core may be held in reset or in a low-power mode; retry, or connect "
                  "under reset (--connect under-reset)");
        st = STP_ERR_TIMEOUT;
    } else if ((ack & CDAP_ACK_MASK) == CDAP_ACK_WAIT) {
        write_abort(c, 0x1u | CDAP_ABORT_CLEAR); /* DAPABORT */
        fi = fail(f, "swd.wait-timeout", "the target kept answering WAIT to %s", what,
                  "the bus is busy (e.g. flash erase in progress, core in a low-power "
                  "mode); retry, or connect under reset (--connect under-reset)");
        st = STP_ERR_WAIT;
    } else if ((ack & CDAP_ACK_MASK) == CDAP_ACK_FAULT) {
        write_abort(c, CDAP_ABORT_CLEAR);
        fi = fail(f, "swd.ap-fault", "the target bus faulted on %s", what, ADVICE_FAULT);
        st = STP_ERR_TARGET_FAULT;
    } else {
        fi = fail(f, "swd.no-response", "the target's debug port did not respond to %s", what,
                  ADVICE_WIRING);
        st = STP_ERR_NO_TARGET;
        c->attached = false; /* start again with a line reset */
    }
    stp_finding_evidence(fi, "dap_response", "0x%02X", ack);
    if (has_addr)
        stp_finding_evidence(fi, "address", "0x%08X", (unsigned)addr);
    return st;
}

stp_status cdap_run(stp_cmsis_dap *c, cdap_batch *b, const char *what, bool has_addr, uint32_t addr,
                    stp_findings *f)
{
    uint64_t start = stp_usb_now_ns(c->usb);
    uint64_t delay = 1;
    unsigned attempts = 0;
    unsigned from = 0;
    b->done = 0;
    while (from < b->count) {
        uint8_t cmd[CDAP_PACKET_MAX];
        size_t len = 0;
        unsigned n = cdap_encode(b, from, cmd, c->packet_size, &len);
        size_t rlen = 0;
        attempts++;
        stp_status st = cdap_cmd(c, "DAP_Transfer", cmd, len, 3, &rlen, f);
        if (st == STP_OK)
            st = cdap_decode(c, b, from, n, rlen, f);
        if (st != STP_OK)
            return st;
        from = b->done;
        if (is_ok(b->ack))
            continue;
        uint64_t elapsed_ms = (stp_usb_now_ns(c->usb) - start) / 1000000u;
        if (!cdap_is_wait(b->ack) || elapsed_ms + delay > CDAP_WAIT_TIMEOUT_MS) {
            size_t before = f != NULL ? f->count : 0;
            st = cdap_failure(c, b->ack, what, has_addr, addr, f);
            if (f != NULL && f->count > before && cdap_is_wait(b->ack)) {
                stp_finding_evidence(&f->items[f->count - 1], "attempts", "%u", attempts);
                stp_finding_evidence(&f->items[f->count - 1], "elapsed_ms", "%llu",
                                     (unsigned long long)elapsed_ms);
            }
            return st;
        }
        stp_log(c->base.env, STP_LOG_DEBUG, "cmsis-dap: %s answered WAIT, retrying in %llu ms",
                what, (unsigned long long)delay);
        stp_usb_sleep_ns(c->usb, delay * 1000000u);
        delay = delay * 2 > CDAP_BACKOFF_MAX_MS ? CDAP_BACKOFF_MAX_MS : delay * 2;
    }
    return STP_OK;
}

/* Line reset (>= 50 ones), the JTAG-to-SWD sequence 0xE79E, another line reset and idle
 * cycles (ADIv5 B5.2.1, "JTAG to SWD switching"), in one DAP_SWJ_Sequence. */
static stp_status swj_to_swd(stp_cmsis_dap *c, stp_findings *f)
{
    uint8_t cmd[2 + 17] = {CDAP_SWJ_SEQUENCE, 136};
    memset(cmd + 2, 0xFF, 7);
    cmd[9] = 0x9E;
    cmd[10] = 0xE7;
    memset(cmd + 11, 0xFF, 7);
    cmd[18] = 0x00;
    size_t rlen = 0;
    stp_status st = cdap_cmd(c, "DAP_SWJ_Sequence", cmd, sizeof cmd, 2, &rlen, f);
    if (st == STP_OK && c->buf[1] != 0) {
        stp_finding *fi = stp_finding_add(f, "probe.protocol-error", STP_SEV_ERROR,
                                          "the CMSIS-DAP probe refused DAP_SWJ_Sequence");
        stp_finding_evidence(fi, "command", "DAP_SWJ_Sequence");
        stp_finding_advice(fi, "replug the probe; if it persists, update its firmware");
        return STP_ERR_PROTOCOL;
    }
    return st;
}

stp_status cdap_attach_dp(stp_cmsis_dap *c, uint32_t *dpidr, stp_findings *f)
{
    c->attached = false;
    c->csw_valid = false;
    stp_status st = swj_to_swd(c, f);
    if (st != STP_OK)
        return st;
    uint32_t id = 0;
    cdap_batch bb, *b = &bb;
    cdap_batch_init(b);
    cdap_add(b, CDAP_REQ_READ | CDAP_DP_DPIDR, 0, &id);
    stp_findings tmp = {0};
    st = cdap_run(c, b, "DPIDR read", false, 0, &tmp);
    stp_findings_free(&tmp);
    if (st != STP_OK || id == 0 || id == 0xFFFFFFFFu) {
        stp_finding *fi =
            stp_finding_add(f, "swd.no-target", STP_SEV_ERROR,
                            "no target answered on SWD (DP IDCODE 0x%08X)", (unsigned)id);
        stp_finding_evidence(fi, "dp_idcode", "0x%08X", (unsigned)id);
        stp_finding_advice(fi, "check target power, GND and SWDIO/SWCLK wiring");
        return st == STP_OK || st == STP_ERR_NO_TARGET ? STP_ERR_NO_TARGET : st;
    }
    cdap_batch_init(b);
    cdap_add(b, CDAP_DP_DPIDR, CDAP_ABORT_CLEAR, NULL); /* ABORT */
    cdap_add(b, CDAP_DP_SELECT, 0, NULL);               /* AP 0, bank 0 */
    cdap_add(b, CDAP_DP_CTRL_STAT, CDAP_CTRL_PWRUP, NULL);
    cdap_add(b, CDAP_REQ_MATCH_MASK, CDAP_CTRL_PWRACK, NULL);
    cdap_add(b, CDAP_REQ_READ | CDAP_REQ_MATCH_VAL | CDAP_DP_CTRL_STAT, CDAP_CTRL_PWRACK, NULL);
    st = cdap_run(c, b, "debug power-up", false, 0, f);
    if (st != STP_OK)
        return st;
    c->attached = true;
    if (dpidr != NULL)
        *dpidr = id;
    stp_log(c->base.env, STP_LOG_DEBUG, "cmsis-dap: DPIDR 0x%08X, debug powered up", (unsigned)id);
    return STP_OK;
}

stp_status cdap_ensure_attached(stp_cmsis_dap *c, stp_findings *f)
{
    return c->attached ? STP_OK : cdap_attach_dp(c, NULL, f);
}
