/* ST-Link memory access: transfers split at the firmware limits (8-bit <= 64 B, or 512 B on
 * V3; 32-bit <= 6144 B), never across a 1 KiB boundary (the MEM-AP address auto-increment
 * wraps there), unaligned heads and tails with 8-bit access, every transfer checked with
 * GETLASTRWSTATUS(2) and retried on WAIT.
 *
 * After a WAIT the firmware gave up on, where the transfer stopped is not known for sure:
 * GETLASTRWSTATUS2's address field has no documented meaning after a WAIT (OpenOCD and
 * probe-rs retry the whole chunk, pyOCD reads it for faults only), and real firmware may
 * name the failing unit, the next one, the start, or nothing. So the retry never depends on
 * it (the address is only evidence in findings):
 * - a read is sent again whole: reading twice is harmless;
 * - a write of one unit is sent again: a WAIT means the access was not accepted;
 * - a write of several units is verified: the chunk is read back, and only the runs of units
 *   that do not hold their data yet are written again, each checked the same way. No unit is
 *   skipped (every unit ends up read back equal to its data) and none is written twice (a
 *   unit that already holds its data is not sent again): flash that refuses reprogramming
 *   (F1 PGERR) is safe whatever the firmware meant. */
#include <string.h>

#include "core/alloc.h"
#include "probe/stlink.h"

#define STL_TAR_BLOCK     1024u
#define STL_REPAIR_ROUNDS 16u /* verify-and-rewrite rounds of one cut write */

typedef struct mem_op {
    uint8_t opcode; /* READMEM_8BIT/16BIT/32BIT or WRITEMEM_* */
    const char *what;
    uint32_t addr;
    uint8_t *rbuf;       /* reads */
    const uint8_t *wbuf; /* writes */
    size_t len;
    unsigned width;
    bool cut; /* a multi-unit write the firmware gave up on with WAIT: verify it */
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
        if (reply[0] != STL_OK) { /* evidence only: see the top of this file */
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
    if (st == STP_OK && stl_status_is_wait(*code) && op->len > op->width) {
        /* Part of it may be written: the caller verifies instead of sending it again. */
        stp_log(s->base.env, STP_LOG_DEBUG,
                "stlink: %s of %zu bytes at 0x%08X answered %s; verifying what was written",
                op->what, op->len, (unsigned)op->addr, stl_status_name(*code));
        op->cut = true;
        *code = STL_OK;
    }
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

static uint8_t read_opcode(unsigned width, const char **what)
{
    *what = width == 4 ? "READMEM_32BIT" : width == 2 ? "READMEM_16BIT" : "READMEM_8BIT";
    return width == 4   ? STL_DEBUG_READMEM_32BIT
           : width == 2 ? STL_DEBUG_APIV2_READMEM_16BIT
                        : STL_DEBUG_READMEM_8BIT;
}

static uint8_t write_opcode(unsigned width, const char **what)
{
    *what = width == 4 ? "WRITEMEM_32BIT" : width == 2 ? "WRITEMEM_16BIT" : "WRITEMEM_8BIT";
    return width == 4   ? STL_DEBUG_WRITEMEM_32BIT
           : width == 2 ? STL_DEBUG_APIV2_WRITEMEM_16BIT
                        : STL_DEBUG_WRITEMEM_8BIT;
}

static stp_status read_piece(stp_stlink *s, uint32_t a, uint8_t *buf, size_t n, unsigned width,
                             stp_findings *f)
{
    mem_op op = {.addr = a, .len = n, .width = width, .rbuf = buf};
    op.opcode = read_opcode(width, &op.what);
    /* 8-bit reads of 16/32-bit units would not be the same bus accesses: read as written. */
    return stl_run(s, op.what, true, a, read_attempt, &op, f);
}

/* One write transfer; after a WAIT cut, the verify-and-rewrite of the top of this file. */
static stp_status write_piece(stp_stlink *s, uint32_t a, const uint8_t *data, size_t n,
                              unsigned width, unsigned *rounds, stp_findings *f)
{
    mem_op op = {.addr = a, .len = n, .width = width, .wbuf = data};
    op.opcode = write_opcode(width, &op.what);
    stp_status st = stl_run(s, op.what, true, a, write_attempt, &op, f);
    if (st != STP_OK || !op.cut)
        return st;
    s->after_wait = true; /* the read-back may meet the V3's AP_FAULT after the WAIT */
    if (++*rounds > STL_REPAIR_ROUNDS)
        return stl_status_report(STL_SWD_AP_WAIT, op.what, true, a, f);
    uint8_t *back = stp_malloc(n);
    if (back == NULL)
        return STP_ERR_NOMEM;
    st = read_piece(s, a, back, n, width, f);
    for (size_t u = 0; st == STP_OK && u < n; u += width) {
        if (memcmp(back + u, data + u, width) == 0)
            continue; /* holds its data: never sent twice */
        size_t end = u;
        while (end < n && memcmp(back + end, data + end, width) != 0)
            end += width;
        st = write_piece(s, a + (uint32_t)u, data + u, end - u, width, rounds, f);
        u = end - width;
    }
    stp_free(back);
    return st;
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
        unsigned rounds = 0;
        if (rbuf != NULL)
            st = read_piece(s, a, rbuf + done, n, width, f);
        else
            st = write_piece(s, a, wbuf + done, n, width, &rounds, f);
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
