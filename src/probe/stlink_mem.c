/* ST-Link memory access: transfers split at the firmware limits (8-bit <= 64 B, or 512 B on
 * V3; 32-bit <= 6144 B), never across a 1 KiB boundary (the MEM-AP address auto-increment
 * wraps there), unaligned heads and tails with 8-bit access, every transfer checked with
 * GETLASTRWSTATUS(2) and retried on WAIT. A transfer that the firmware gave up on with WAIT
 * part-way continues at the unit GETLASTRWSTATUS2 names (the units before it were done): a
 * write is never sent twice to the same address, which flash that refuses reprogramming
 * (F1 PGERR) depends on. */
#include <string.h>

#include "probe/stlink.h"

#define STL_TAR_BLOCK 1024u

typedef struct mem_op {
    uint8_t opcode; /* READMEM_8BIT/16BIT/32BIT or WRITEMEM_* */
    const char *what;
    uint32_t addr;       /* advanced past the done units when a WAIT cut the transfer */
    uint8_t *rbuf;       /* reads */
    const uint8_t *wbuf; /* writes */
    size_t len;
    unsigned width;
    bool warned; /* the "cannot resume" warning was given for this transfer */
} mem_op;

stp_status stl_ensure_debug(stp_stlink *s, stp_findings *f)
{
    return s->in_debug ? STP_OK : stl_enter_swd(s, f);
}

static stp_status rw_status(stp_stlink *s, const char *what, uint8_t *code, stp_findings *f)
{
    uint8_t reply[12];
    if (s->features & STL_F_RW_STATUS2) {
        uint8_t cmd[] = {STL_DEBUG_COMMAND, STL_DEBUG_APIV2_GETLASTRWSTATUS2};
        stp_status st = stl_xfer(s, "GETLASTRWSTATUS2", cmd, sizeof(cmd), reply, 12, f);
        if (st != STP_OK)
            return st;
        *code = reply[0];
        if (reply[0] != STL_OK) { /* WAIT too: where the firmware gave up */
            s->fault_addr = stl_get_u32(&reply[4]);
            s->fault_addr_valid = true;
        }
        return STP_OK;
    }
    uint8_t cmd[] = {STL_DEBUG_COMMAND, STL_DEBUG_APIV2_GETLASTRWSTATUS};
    stp_status st = stl_xfer(s, "GETLASTRWSTATUS", cmd, sizeof(cmd), reply, 2, f);
    if (st == STP_OK)
        *code = reply[0];
    (void)what;
    return st;
}

static void mem_cmd(uint8_t cmd[8], uint8_t opcode, uint32_t addr, size_t len)
{
    cmd[0] = STL_DEBUG_COMMAND;
    cmd[1] = opcode;
    stl_put_u32(&cmd[2], addr);
    stl_put_u16(&cmd[6], (uint16_t)len);
}

bool stl_wait_resume_offset(uint32_t addr, size_t len, unsigned width, bool fault_valid,
                            uint32_t fault_addr, size_t *offset)
{
    *offset = 0;
    if (!fault_valid || width == 0 || fault_addr < addr)
        return false;
    uint64_t off = (uint64_t)fault_addr - addr;
    if (off >= len || off % width != 0)
        return false;
    *offset = (size_t)off;
    return true;
}

/* After a WAIT: continue at the unit the firmware stopped at. When it cannot say, a read
 * is repeated whole (harmless); a write is too, but not silently: a repeated write to flash
 * programs half-words twice. */
static void after_wait(stp_stlink *s, mem_op *op, uint8_t code, stp_findings *f)
{
    size_t off = 0;
    if (stl_wait_resume_offset(op->addr, op->len, op->width, s->fault_addr_valid, s->fault_addr,
                               &off)) {
        if (off == 0)
            return;
        stp_log(s->base.env, STP_LOG_DEBUG,
                "stlink: %s at 0x%08X answered %s after %zu of %zu bytes; continuing at 0x%08X",
                op->what, (unsigned)op->addr, stl_status_name(code), off, op->len,
                (unsigned)(op->addr + off));
        op->addr += (uint32_t)off;
        op->len -= off;
        if (op->rbuf != NULL)
            op->rbuf += off;
        else
            op->wbuf += off;
        s->attempt_progressed = true;
        return;
    }
    if (op->wbuf == NULL || op->warned)
        return;
    op->warned = true;
    stp_finding *fi = stp_finding_add(
        f, "probe.wait-resend", STP_SEV_WARNING,
        "the ST-Link gave up on %s at 0x%08X with %s and cannot say how far it got: the "
        "write is sent again from its start, so units already written are written twice",
        op->what, (unsigned)op->addr, stl_status_name(code));
    stp_finding_evidence(fi, "address", "0x%08X", (unsigned)op->addr);
    stp_finding_evidence(fi, "length", "%zu", op->len);
    if (s->fault_addr_valid)
        stp_finding_evidence(fi, "fault_address", "0x%08X", (unsigned)s->fault_addr);
    else
        stp_finding_evidence(fi, "firmware", "%s", s->base.info.firmware);
    stp_finding_advice(fi, "flash that refuses reprogramming (STM32F1: PGERR) fails this write; "
                           "update the probe firmware (V2J15 or later reports where a transfer "
                           "stopped) or lower the SWD clock (--freq)");
}

static stp_status read_attempt(stp_stlink *s, void *ctx, uint8_t *code, stp_findings *f)
{
    mem_op *op = ctx;
    uint8_t cmd[8];
    mem_cmd(cmd, op->opcode, op->addr, op->len);
    stp_status st;
    if (op->len == 1) {
        /* The firmware answers a one-byte read with two bytes. */
        uint8_t two[2];
        st = stl_xfer_min(s, op->what, cmd, sizeof(cmd), two, sizeof(two), 1, NULL, f);
        if (st == STP_OK)
            op->rbuf[0] = two[0];
    } else {
        st = stl_xfer(s, op->what, cmd, sizeof(cmd), op->rbuf, op->len, f);
    }
    if (st == STP_OK)
        st = rw_status(s, op->what, code, f);
    if (st == STP_OK && stl_status_is_wait(*code))
        after_wait(s, op, *code, f);
    return st;
}

static stp_status write_attempt(stp_stlink *s, void *ctx, uint8_t *code, stp_findings *f)
{
    mem_op *op = ctx;
    uint8_t cmd[8];
    mem_cmd(cmd, op->opcode, op->addr, op->len);
    stp_status st = stl_xfer_out(s, op->what, cmd, sizeof(cmd), op->wbuf, op->len, f);
    if (st == STP_OK)
        st = rw_status(s, op->what, code, f);
    if (st == STP_OK && stl_status_is_wait(*code))
        after_wait(s, op, *code, f);
    return st;
}

/* Bytes to the next 1 KiB boundary. */
static size_t to_block_end(uint32_t addr)
{
    return STL_TAR_BLOCK - (addr % STL_TAR_BLOCK);
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* Chooses the next piece of an access: width (1, 2 or 4) and length. width_pref is 4 for
 * normal accesses and 2 for half-word writes. */
static size_t next_piece(const stp_stlink *s, uint32_t addr, size_t remaining, unsigned width_pref,
                         unsigned *width)
{
    size_t n;
    if (width_pref == 2) {
        *width = 2;
        n = remaining & ~(size_t)1;
        n = min_size(n, s->max_rw32);
    } else if ((addr & 3u) != 0 || remaining < 4) {
        *width = 1;
        n = (addr & 3u) != 0 ? min_size(remaining, 4u - (addr & 3u)) : remaining;
        n = min_size(n, s->max_rw8);
    } else {
        *width = 4;
        n = min_size(remaining & ~(size_t)3, s->max_rw32);
    }
    if (s->user_limit != 0)
        n = min_size(n, s->user_limit);
    return min_size(n, to_block_end(addr));
}

size_t stl_set_transfer_limit(stp_debug *d, size_t max_bytes)
{
    stp_stlink *s = (stp_stlink *)d;
    s->user_limit = max_bytes == 0 ? 0 : (max_bytes < 4 ? 4 : max_bytes & ~(size_t)3);
    size_t probe = s->max_rw32 < STL_TAR_BLOCK ? s->max_rw32 : STL_TAR_BLOCK;
    return s->user_limit != 0 && s->user_limit < probe ? s->user_limit : probe;
}

static stp_status mem_access(stp_stlink *s, uint32_t addr, uint8_t *rbuf, const uint8_t *wbuf,
                             size_t len, unsigned width_pref, stp_findings *f)
{
    if (len == 0)
        return STP_OK;
    if ((uint64_t)addr + len > 0x100000000ull)
        return STP_ERR_RANGE;
    stp_status st = stl_ensure_debug(s, f);
    size_t done = 0;
    while (st == STP_OK && done < len) {
        unsigned width = 4;
        uint32_t a = addr + (uint32_t)done;
        size_t n = next_piece(s, a, len - done, width_pref, &width);
        mem_op op = {.addr = a, .len = n, .width = width};
        if (rbuf != NULL) {
            op.rbuf = rbuf + done;
            op.opcode = width == 4   ? STL_DEBUG_READMEM_32BIT
                        : width == 2 ? STL_DEBUG_APIV2_READMEM_16BIT
                                     : STL_DEBUG_READMEM_8BIT;
            op.what = width == 4 ? "READMEM_32BIT" : width == 2 ? "READMEM_16BIT" : "READMEM_8BIT";
            st = stl_run(s, op.what, true, a, read_attempt, &op, f);
        } else {
            op.wbuf = wbuf + done;
            op.opcode = width == 4   ? STL_DEBUG_WRITEMEM_32BIT
                        : width == 2 ? STL_DEBUG_APIV2_WRITEMEM_16BIT
                                     : STL_DEBUG_WRITEMEM_8BIT;
            op.what = width == 4   ? "WRITEMEM_32BIT"
                      : width == 2 ? "WRITEMEM_16BIT"
                                   : "WRITEMEM_8BIT";
            st = stl_run(s, op.what, true, a, write_attempt, &op, f);
        }
        done += n;
    }
    return st;
}

stp_status stl_read_mem(stp_debug *d, uint32_t addr, void *buf, size_t len, stp_findings *f)
{
    return mem_access((stp_stlink *)d, addr, buf, NULL, len, 4, f);
}

stp_status stl_write_mem(stp_debug *d, uint32_t addr, const void *buf, size_t len, stp_findings *f)
{
    return mem_access((stp_stlink *)d, addr, NULL, buf, len, 4, f);
}

stp_status stl_write_mem16(stp_debug *d, uint32_t addr, const void *buf, size_t len,
                           stp_findings *f)
{
    stp_stlink *s = (stp_stlink *)d;
    if ((addr & 1u) != 0 || (len & 1u) != 0)
        return STP_ERR_INVALID_ARG;
    stp_status st = stl_need(s, STL_F_MEM_16BIT, "16-bit memory access", "V2J26", f);
    if (st != STP_OK)
        return st;
    return mem_access(s, addr, NULL, buf, len, 2, f);
}

stp_status stl_write_u16(stp_debug *d, uint32_t addr, uint16_t val, stp_findings *f)
{
    uint8_t b[2] = {(uint8_t)val, (uint8_t)(val >> 8)};
    return stl_write_mem16(d, addr, b, sizeof(b), f);
}

struct reg32_ctx {
    uint32_t addr;
    uint32_t val;
    bool write;
};

static stp_status reg32_attempt(stp_stlink *s, void *vctx, uint8_t *code, stp_findings *f)
{
    struct reg32_ctx *c = vctx;
    uint8_t cmd[10] = {STL_DEBUG_COMMAND};
    uint8_t reply[8];
    stl_put_u32(&cmd[2], c->addr);
    stp_status st;
    if (c->write) {
        cmd[1] = STL_DEBUG_APIV2_WRITEDEBUGREG;
        stl_put_u32(&cmd[6], c->val);
        st = stl_xfer(s, "WRITEDEBUGREG", cmd, sizeof(cmd), reply, 2, f);
    } else {
        cmd[1] = STL_DEBUG_APIV2_READDEBUGREG;
        st = stl_xfer(s, "READDEBUGREG", cmd, 6, reply, 8, f);
        if (st == STP_OK)
            c->val = stl_get_u32(&reply[4]);
    }
    if (st == STP_OK)
        *code = reply[0];
    return st;
}

stp_status stl_read_u32(stp_debug *d, uint32_t addr, uint32_t *val, stp_findings *f)
{
    stp_stlink *s = (stp_stlink *)d;
    if ((addr & 3u) != 0)
        return STP_ERR_INVALID_ARG;
    stp_status st = stl_ensure_debug(s, f);
    if (st != STP_OK)
        return st;
    struct reg32_ctx c = {.addr = addr};
    st = stl_run(s, "READDEBUGREG", true, addr, reg32_attempt, &c, f);
    if (st == STP_OK)
        *val = c.val;
    return st;
}

stp_status stl_write_u32(stp_debug *d, uint32_t addr, uint32_t val, stp_findings *f)
{
    stp_stlink *s = (stp_stlink *)d;
    if ((addr & 3u) != 0)
        return STP_ERR_INVALID_ARG;
    stp_status st = stl_ensure_debug(s, f);
    if (st != STP_OK)
        return st;
    struct reg32_ctx c = {.addr = addr, .val = val, .write = true};
    return stl_run(s, "WRITEDEBUGREG", true, addr, reg32_attempt, &c, f);
}
