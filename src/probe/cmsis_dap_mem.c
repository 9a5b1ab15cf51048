/* CMSIS-DAP memory access through the MEM-AP (ADIv5 C2), and the core registers through
 * DCRSR/DCRDR (ARMv7-M C1.6).
 *
 * A memory access is cut into pieces of one DAP_Transfer each: [CSW when it changes], TAR,
 * then DRW reads or writes with the address auto-increment, never across a 1 KiB boundary
 * (the increment is only guaranteed within 10 bits of TAR, ADIv5 C2.2.2). Every piece sets
 * TAR itself, so pieces are independent: up to DAP_PACKET_COUNT of them are in flight at
 * once (the probe works on one while the next arrives), and when one stops on WAIT the
 * ones behind it still land where they belong. A stopped piece is finished afterwards from
 * the unit where it stopped (a WAIT-ed access was not accepted, ADIv5 B4.2.1), so no unit
 * is written twice; a FAULT clears the sticky flags and fails the access.
 *
 * Units narrower than a word travel on their byte lanes of DRW (ADIv5 C2.2.6). */
#include <string.h>

#include "core/alloc.h"
#include "probe/cmsis_dap.h"

#define TAR_BLOCK 1024u

#define DHCSR        0xE000EDF0u
#define DCRSR        0xE000EDF4u
#define DCRDR        0xE000EDF8u
#define DHCSR_REGRDY (1u << 16)
#define DCRSR_REGWNR (1u << 16)

typedef struct piece {
    cdap_batch b;
    uint32_t raw[CDAP_REQ_MAX]; /* DRW values read */
    uint32_t addr;              /* of the first unit */
    unsigned units;
    unsigned first; /* index in b of the first DRW request */
    size_t off;     /* of the first unit in the caller's buffer */
    unsigned sent;  /* requests in the command sent */
    bool failed;
} piece;

typedef struct mem_job {
    bool write;
    unsigned width;
    uint32_t addr;
    uint8_t *rbuf;
    const uint8_t *wbuf;
    size_t len;
} mem_job;

static uint32_t csw_for(unsigned width, bool increment)
{
    uint32_t size = width == 4 ? 2u : width == 2 ? 1u : 0u;
    return (CDAP_CSW_BASE & ~0x30u) | (increment ? 0x10u : 0u) | size;
}

/* The largest number of units one DAP_Transfer piece can carry (CSW and TAR writes
 * included): reads return 4 bytes each, writes send 5. */
static unsigned max_units(const stp_cmsis_dap *c, bool write)
{
    size_t p = c->packet_size;
    size_t n = write ? (p - 3 - 10) / 5 : (p - 3) / 4;
    if (n > CDAP_REQ_MAX - 2)
        n = CDAP_REQ_MAX - 2;
    if (!write && n > p - 3 - 10)
        n = p - 3 - 10;
    return (unsigned)n;
}

static void add_csw(stp_cmsis_dap *c, cdap_batch *b, uint32_t csw, bool always)
{
    if (always || !c->csw_valid || c->csw != csw)
        cdap_add(b, CDAP_REQ_AP | CDAP_AP_CSW, csw, NULL);
    c->csw = csw;
    c->csw_valid = true;
}

static uint32_t lane_value(const uint8_t *src, uint32_t addr, unsigned width)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < width; i++)
        v |= (uint32_t)src[i] << (8 * i);
    return v << (8 * (addr & 3u) & 31u);
}

static void lane_bytes(uint8_t *dst, uint32_t raw, uint32_t addr, unsigned width)
{
    raw >>= 8 * (addr & 3u) & 31u;
    for (unsigned i = 0; i < width; i++)
        dst[i] = (uint8_t)(raw >> (8 * i));
}

/* Builds the requests of units [from, p->units) of piece p (the retry of a stopped piece
 * starts at from > 0 and always sets CSW, which a failure leaves unknown). */
static void build(stp_cmsis_dap *c, const mem_job *j, piece *p, unsigned from, bool csw_always)
{
    cdap_batch_init(&p->b);
    add_csw(c, &p->b, csw_for(j->width, true), csw_always);
    uint32_t a = p->addr + from * j->width;
    cdap_add(&p->b, CDAP_REQ_AP | CDAP_AP_TAR, a, NULL);
    p->first = p->b.count;
    for (unsigned u = from; u < p->units; u++, a += j->width) {
        size_t off = p->off + (size_t)u * j->width;
        if (j->write)
            cdap_add(&p->b, CDAP_REQ_AP | CDAP_AP_DRW, lane_value(j->wbuf + off, a, j->width),
                     NULL);
        else
            cdap_add(&p->b, CDAP_REQ_AP | CDAP_REQ_READ | CDAP_AP_DRW, 0, &p->raw[u]);
    }
}

/* The next piece from *off on. */
static void next_piece(stp_cmsis_dap *c, const mem_job *j, piece *p, size_t *off)
{
    uint32_t a = j->addr + (uint32_t)*off;
    size_t bytes = j->len - *off;
    size_t block = TAR_BLOCK - (a % TAR_BLOCK);
    if (bytes > block)
        bytes = block;
    if (c->user_limit != 0 && bytes > c->user_limit)
        bytes = c->user_limit;
    size_t units = bytes / j->width;
    if (units > max_units(c, j->write))
        units = max_units(c, j->write);
    if (units == 0)
        units = 1;
    p->addr = a;
    p->units = (unsigned)units;
    p->off = *off;
    p->failed = false;
    build(c, j, p, 0, false);
    *off += units * j->width;
}

static void take_reads(const mem_job *j, const piece *p)
{
    if (j->write)
        return;
    for (unsigned u = 0; u < p->units; u++)
        lane_bytes(j->rbuf + p->off + (size_t)u * j->width, p->raw[u], p->addr + u * j->width,
                   j->width);
}

/* Finishes a piece that stopped: from the unit where it stopped, one command at a time. */
static stp_status finish_piece(stp_cmsis_dap *c, const mem_job *j, piece *p, stp_findings *f)
{
    const char *what = j->write ? "memory write" : "memory read";
    unsigned done_units = p->b.done > p->first ? p->b.done - p->first : 0;
    uint32_t at = p->addr + done_units * j->width;
    if (!cdap_is_wait(p->b.ack) && p->b.ack != CDAP_ACK_OK) /* OK: the packet was short */
        return cdap_failure(c, p->b.ack, what, true, at, f);
    build(c, j, p, done_units, true);
    stp_status st = cdap_run(c, &p->b, what, true, at, f);
    if (st == STP_OK)
        take_reads(j, p);
    return st;
}

/* Sends piece p (built) without waiting for its response. */
static stp_status send_piece(stp_cmsis_dap *c, piece *p, stp_findings *f)
{
    uint8_t cmd[CDAP_PACKET_MAX];
    size_t len = 0;
    p->sent = cdap_encode(&p->b, 0, cmd, c->packet_size, &len);
    return cdap_send(c, "DAP_Transfer", cmd, len, f);
}

/* The response of piece p (the oldest in flight). */
static stp_status recv_piece(stp_cmsis_dap *c, piece *p, stp_findings *f)
{
    size_t rlen = 0;
    stp_status st = cdap_recv(c, "DAP_Transfer", CDAP_TRANSFER, 3, &rlen, f);
    if (st == STP_OK)
        st = cdap_decode(c, &p->b, 0, p->sent, rlen, f);
    p->failed = st == STP_OK && (p->b.done < p->b.count || p->b.ack != CDAP_ACK_OK);
    return st;
}

/* Pieces live in a ring from slot base on: used of them sent, the first recvd of those
 * answered. While nothing stopped, answered pieces leave the ring in order; once one
 * stopped, nothing more is sent, the rest are answered, and then all are finished in order. */
static stp_status run_job(stp_cmsis_dap *c, const mem_job *j, stp_findings *f)
{
    stp_status st = cdap_ensure_attached(c, f);
    if (st != STP_OK || j->len == 0)
        return st;
    unsigned depth = c->packet_count;
    if (depth > CDAP_INFLIGHT)
        depth = CDAP_INFLIGHT;
    if (depth == 0)
        depth = 1;
    piece *ring = stp_malloc(depth * sizeof(*ring));
    if (ring == NULL)
        return STP_ERR_NOMEM;
    size_t off = 0;
    unsigned base = 0, used = 0, recvd = 0;
    bool stopped = false;
    while (st == STP_OK && (off < j->len || used > 0)) {
        while (!stopped && used < depth && off < j->len && st == STP_OK) {
            piece *p = &ring[(base + used) % depth];
            next_piece(c, j, p, &off);
            st = send_piece(c, p, f);
            if (st == STP_OK)
                used++;
        }
        if (st != STP_OK)
            break;
        if (recvd < used) {
            piece *p = &ring[(base + recvd) % depth];
            st = recv_piece(c, p, f);
            recvd++;
            if (st == STP_OK && p->failed)
                stopped = true;
        }
        if (st != STP_OK)
            break;
        if (!stopped) {
            while (recvd > 0) {
                take_reads(j, &ring[base]);
                base = (base + 1) % depth;
                used--;
                recvd--;
            }
        } else if (recvd == used) {
            for (unsigned i = 0; i < used && st == STP_OK; i++) {
                piece *p = &ring[(base + i) % depth];
                if (p->failed)
                    st = finish_piece(c, j, p, f);
                else
                    take_reads(j, p);
            }
            base = 0;
            used = recvd = 0;
            stopped = false;
        }
    }
    /* A USB failure mid-way leaves responses in the probe: read them before the next use. */
    if (st != STP_OK && used > recvd)
        cdap_flush(c);
    stp_free(ring);
    return st;
}

static stp_status access(stp_debug *d, bool write, uint32_t addr, uint8_t *rbuf,
                         const uint8_t *wbuf, size_t len, unsigned width, stp_findings *f)
{
    mem_job j = {write, width, addr, rbuf, wbuf, len};
    return run_job((stp_cmsis_dap *)d, &j, f);
}

/* Unaligned heads and tails byte by byte, the middle in words. */
static stp_status split(stp_debug *d, bool write, uint32_t addr, uint8_t *rbuf, const uint8_t *wbuf,
                        size_t len, stp_findings *f)
{
    size_t head = (4u - (addr & 3u)) & 3u;
    if (head > len)
        head = len;
    size_t body = (len - head) & ~(size_t)3;
    size_t tail = len - head - body;
    stp_status st = STP_OK;
    if (head)
        st = access(d, write, addr, rbuf, wbuf, head, 1, f);
    if (st == STP_OK && body)
        st = access(d, write, addr + (uint32_t)head, rbuf ? rbuf + head : NULL,
                    wbuf ? wbuf + head : NULL, body, 4, f);
    if (st == STP_OK && tail)
        st = access(d, write, addr + (uint32_t)(head + body), rbuf ? rbuf + head + body : NULL,
                    wbuf ? wbuf + head + body : NULL, tail, 1, f);
    return st;
}

stp_status cdap_read_mem(stp_debug *d, uint32_t addr, void *buf, size_t len, stp_findings *f)
{
    return split(d, false, addr, buf, NULL, len, f);
}

stp_status cdap_write_mem(stp_debug *d, uint32_t addr, const void *buf, size_t len, stp_findings *f)
{
    return split(d, true, addr, NULL, buf, len, f);
}

stp_status cdap_write_mem16(stp_debug *d, uint32_t addr, const void *buf, size_t len,
                            stp_findings *f)
{
    if ((addr & 1u) || (len & 1u))
        return STP_ERR_INVALID_ARG;
    return access(d, true, addr, NULL, buf, len, 2, f);
}

stp_status cdap_read_u32(stp_debug *d, uint32_t addr, uint32_t *val, stp_findings *f)
{
    uint8_t b[4];
    stp_status st = access(d, false, addr, b, NULL, 4, 4, f);
    if (st == STP_OK)
        *val = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return st;
}

stp_status cdap_write_u32(stp_debug *d, uint32_t addr, uint32_t val, stp_findings *f)
{
    uint8_t b[4] = {(uint8_t)val, (uint8_t)(val >> 8), (uint8_t)(val >> 16), (uint8_t)(val >> 24)};
    return access(d, true, addr, NULL, b, 4, 4, f);
}

stp_status cdap_write_u16(stp_debug *d, uint32_t addr, uint16_t val, stp_findings *f)
{
    uint8_t b[2] = {(uint8_t)val, (uint8_t)(val >> 8)};
    return access(d, true, addr, NULL, b, 2, 2, f);
}

/* Core registers: DCRSR selects, DHCSR.S_REGRDY (a value-match read, no address
 * increment so the retries read DHCSR again) says the transfer is done, DCRDR holds the
 * value. One DAP_Transfer each way. */
/* A register access list: attached, CSW without address increment. */
static stp_status reg_batch(stp_cmsis_dap *c, unsigned regno, cdap_batch *b, stp_findings *f)
{
    if (regno > 0x7F)
        return STP_ERR_INVALID_ARG;
    stp_status st = cdap_ensure_attached(c, f);
    cdap_batch_init(b);
    if (st == STP_OK)
        add_csw(c, b, csw_for(4, false), false);
    return st;
}

static void add_word(cdap_batch *b, uint32_t addr, uint32_t value)
{
    cdap_add(b, CDAP_REQ_AP | CDAP_AP_TAR, addr, NULL);
    cdap_add(b, CDAP_REQ_AP | CDAP_AP_DRW, value, NULL);
}

/* DHCSR read until S_REGRDY (the probe's value match). */
static void add_regrdy_wait(cdap_batch *b)
{
    cdap_add(b, CDAP_REQ_AP | CDAP_AP_TAR, DHCSR, NULL);
    cdap_add(b, CDAP_REQ_MATCH_MASK, DHCSR_REGRDY, NULL);
    cdap_add(b, CDAP_REQ_AP | CDAP_REQ_READ | CDAP_REQ_MATCH_VAL | CDAP_AP_DRW, DHCSR_REGRDY, NULL);
}

stp_status cdap_read_reg(stp_debug *d, unsigned regno, uint32_t *val, stp_findings *f)
{
    stp_cmsis_dap *c = (stp_cmsis_dap *)d;
    cdap_batch b;
    stp_status st = reg_batch(c, regno, &b, f);
    if (st != STP_OK)
        return st;
    add_word(&b, DCRSR, regno);
    add_regrdy_wait(&b);
    cdap_add(&b, CDAP_REQ_AP | CDAP_AP_TAR, DCRDR, NULL);
    cdap_add(&b, CDAP_REQ_AP | CDAP_REQ_READ | CDAP_AP_DRW, 0, val);
    return cdap_run(c, &b, "core register read", true, DCRSR, f);
}

stp_status cdap_write_reg(stp_debug *d, unsigned regno, uint32_t val, stp_findings *f)
{
    stp_cmsis_dap *c = (stp_cmsis_dap *)d;
    cdap_batch b;
    stp_status st = reg_batch(c, regno, &b, f);
    if (st != STP_OK)
        return st;
    add_word(&b, DCRDR, val);
    add_word(&b, DCRSR, regno | DCRSR_REGWNR);
    add_regrdy_wait(&b);
    return cdap_run(c, &b, "core register write", true, DCRSR, f);
}

size_t cdap_set_transfer_limit(stp_debug *d, size_t max_bytes)
{
    stp_cmsis_dap *c = (stp_cmsis_dap *)d;
    c->user_limit = max_bytes == 0 ? 0 : (max_bytes < 4 ? 4 : max_bytes & ~(size_t)3);
    return c->user_limit != 0 && c->user_limit < TAR_BLOCK ? c->user_limit : TAR_BLOCK;
}
