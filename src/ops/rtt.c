/* SEGGER RTT control block: find, check, read up-buffers, write down-buffers (rtt.h).
 * Layout (SEGGER's RTT documentation, "Internal structures"): char acID[16]; int
 * MaxNumUpBuffers; int MaxNumDownBuffers; then the up descriptors, then the down ones, each
 * { const char *sName; char *pBuffer; unsigned SizeOfBuffer; unsigned WrOff; unsigned
 * RdOff; unsigned Flags; }. */
#include "ops/rtt.h"

#include <string.h>

#include "core/alloc.h"

static const char rtt_id[] = "SEGGER RTT"; /* followed by NULs in the 16-byte field */
#define ID_MATCH     11u                   /* the ten characters and the first NUL */
#define MAX_DECLARED 255u                  /* more buffers than this is not a control block */
#define SCAN_CHUNK   4096u

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void wr32(uint8_t *p, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void stp_rtt_init(stp_rtt *r, stp_debug *d, uint32_t ram_lo, uint64_t ram_hi)
{
    memset(r, 0, sizeof(*r));
    r->d = d;
    r->ram_lo = ram_lo;
    r->ram_hi = ram_hi;
}

const char *stp_rtt_mode_name(uint32_t flags)
{
    static const char *const names[4] = {"skip", "trim", "block", "mode 3"};
    return names[flags & 3u];
}

static bool in_ram(const stp_rtt *r, uint32_t addr, uint32_t len)
{
    return addr >= r->ram_lo && (uint64_t)addr + len <= r->ram_hi;
}

static stp_status bad_block(stp_rtt *r, uint32_t addr, const char *what, uint32_t value,
                            stp_findings *findings)
{
    r->found = false;
    stp_finding *f =
        stp_finding_add(findings, "rtt.bad-control-block", STP_SEV_ERROR,
                        "the RTT control block at 0x%08X is not usable: %s", (unsigned)addr, what);
    stp_finding_evidence(f, "address", "0x%08X", (unsigned)addr);
    stp_finding_evidence(f, "value", "0x%08X", (unsigned)value);
    stp_finding_advice(f, "check that the firmware initialises RTT before writing to it and "
                          "that --rtt-address (or the ELF's _SEGGER_RTT) is the block's address");
    return STP_ERR_PROTOCOL;
}

/* Reads a channel's name (best effort: a name outside RAM/flash is left empty). */
static void read_name(stp_rtt *r, uint32_t ptr, char *name, size_t cap)
{
    name[0] = '\0';
    if (ptr == 0)
        return;
    char buf[32];
    size_t n = cap < sizeof(buf) ? cap : sizeof(buf);
    stp_findings scratch = {0};
    if (r->d->ops->read_mem(r->d, ptr, buf, n, &scratch) == STP_OK) {
        size_t i = 0;
        for (; i + 1 < n && buf[i] >= 0x20 && buf[i] < 0x7F; i++)
            name[i] = buf[i];
        name[i] = '\0';
    }
    stp_findings_free(&scratch);
}

/* Checks one descriptor (raw 24 bytes at desc) and keeps it. */
static stp_status take_desc(stp_rtt *r, stp_rtt_channel *c, bool up, uint32_t desc,
                            const uint8_t *raw, stp_findings *findings)
{
    c->desc = desc;
    c->buf = rd32(raw + 4);
    c->size = rd32(raw + 8);
    c->flags = rd32(raw + 20);
    uint32_t wr = rd32(raw + 12), rdo = rd32(raw + 16);
    c->host_off = up ? rdo : wr;
    if (c->size == 0)
        return STP_OK; /* declared but not set up */
    if (!in_ram(r, c->buf, c->size))
        return bad_block(r, desc, "a buffer lies outside the chip's RAM", c->buf, findings);
    if (wr >= c->size || rdo >= c->size)
        return bad_block(r, desc, "a buffer's offset is past its end", wr >= c->size ? wr : rdo,
                         findings);
    read_name(r, rd32(raw), c->name, sizeof(c->name));
    return STP_OK;
}

stp_status stp_rtt_attach(stp_rtt *r, uint32_t addr, stp_findings *findings)
{
    r->found = false;
    uint8_t head[STP_RTT_CB_SIZE_MIN];
    stp_status st = r->d->ops->read_mem(r->d, addr, head, sizeof(head), findings);
    if (st != STP_OK || memcmp(head, rtt_id, ID_MATCH) != 0)
        return st;
    uint32_t up = rd32(head + 16), down = rd32(head + 20);
    if (up == 0 || up > MAX_DECLARED || down > MAX_DECLARED)
        return bad_block(r, addr, "implausible numbers of buffers", up > MAX_DECLARED ? up : down,
                         findings);
    r->cb = addr;
    r->up_count = up;
    r->down_count = down;
    unsigned nup = up < STP_RTT_MAX_CHANNELS ? up : STP_RTT_MAX_CHANNELS;
    unsigned ndown = down < STP_RTT_MAX_CHANNELS ? down : STP_RTT_MAX_CHANNELS;
    uint8_t desc[2 * STP_RTT_MAX_CHANNELS * STP_RTT_DESC_SIZE];
    uint32_t up0 = addr + STP_RTT_CB_SIZE_MIN;
    uint32_t down0 = up0 + up * STP_RTT_DESC_SIZE;
    /* One read for the up descriptors, one for the down ones. */
    st = r->d->ops->read_mem(r->d, up0, desc, nup * STP_RTT_DESC_SIZE, findings);
    for (unsigned i = 0; st == STP_OK && i < nup; i++)
        st = take_desc(r, &r->up[i], true, up0 + i * STP_RTT_DESC_SIZE,
                       desc + i * STP_RTT_DESC_SIZE, findings);
    if (st == STP_OK && ndown > 0)
        st = r->d->ops->read_mem(r->d, down0, desc, ndown * STP_RTT_DESC_SIZE, findings);
    for (unsigned i = 0; st == STP_OK && i < ndown; i++)
        st = take_desc(r, &r->down[i], false, down0 + i * STP_RTT_DESC_SIZE,
                       desc + i * STP_RTT_DESC_SIZE, findings);
    r->found = st == STP_OK;
    return st;
}

stp_status stp_rtt_scan(stp_rtt *r, uint32_t lo, uint32_t len, uint32_t *addr, bool *hit,
                        stp_findings *findings)
{
    *hit = false;
    uint8_t buf[SCAN_CHUNK + ID_MATCH];
    size_t carry = 0; /* bytes of the last chunk's end kept for a match across chunks */
    for (uint32_t off = 0; off < len;) {
        uint32_t n = len - off < SCAN_CHUNK ? len - off : SCAN_CHUNK;
        stp_status st = r->d->ops->read_mem(r->d, lo + off, buf + carry, n, findings);
        if (st != STP_OK)
            return st;
        size_t have = carry + n;
        for (size_t i = 0; i + ID_MATCH <= have; i++) {
            if (buf[i] == 'S' && memcmp(buf + i, rtt_id, ID_MATCH) == 0) {
                *addr = lo + off - (uint32_t)carry + (uint32_t)i;
                *hit = true;
                return STP_OK;
            }
        }
        carry = have < ID_MATCH - 1 ? have : ID_MATCH - 1;
        memmove(buf, buf + have - carry, carry);
        off += n;
    }
    return STP_OK;
}

stp_status stp_rtt_wipe_id(stp_debug *d, uint32_t addr, stp_findings *findings)
{
    static const uint8_t zero[ID_MATCH + 1] = {0};
    return d->ops->write_mem(d, addr, zero, sizeof(zero), findings);
}

/* One word of target memory: a single debug-register exchange when aligned. */
static stp_status read_word(stp_rtt *r, uint32_t addr, uint32_t *v, stp_findings *findings)
{
    if (addr % 4 == 0)
        return r->d->ops->read_u32(r->d, addr, v, findings);
    uint8_t b[4];
    stp_status st = r->d->ops->read_mem(r->d, addr, b, 4, findings);
    *v = rd32(b);
    return st;
}

static stp_status write_word(stp_rtt *r, uint32_t addr, uint32_t v, stp_findings *findings)
{
    if (addr % 4 == 0)
        return r->d->ops->write_u32(r->d, addr, v, findings);
    uint8_t b[4];
    wr32(b, v);
    return r->d->ops->write_mem(r->d, addr, b, 4, findings);
}

/* The offset the firmware owns (WrOff of an up-buffer at +12, RdOff of a down-buffer at
 * +16), checked against the buffer's size. */
static stp_status target_offset(stp_rtt *r, const stp_rtt_channel *c, uint32_t off_at,
                                uint32_t *off, stp_findings *findings)
{
    stp_status st = read_word(r, c->desc + off_at, off, findings);
    if (st == STP_OK && *off >= c->size)
        return bad_block(r, c->desc, "a buffer's offset is past its end", *off, findings);
    return st;
}

/* Bytes [from, to) of the buffer into out, read as whole words when the buffer is word
 * aligned (no byte-wise head and tail transfers); scratch holds the words. */
static stp_status read_span(stp_rtt *r, const stp_rtt_channel *c, uint32_t from, uint32_t to,
                            uint8_t *out, uint8_t *scratch, stp_findings *findings)
{
    if (c->buf % 4 != 0 || c->size % 4 != 0)
        return r->d->ops->read_mem(r->d, c->buf + from, out, to - from, findings);
    uint32_t lo = from & ~3u, hi = (to + 3u) & ~3u;
    stp_status st = r->d->ops->read_mem(r->d, c->buf + lo, scratch, hi - lo, findings);
    if (st == STP_OK)
        memcpy(out, scratch + (from - lo), to - from);
    return st;
}

stp_status stp_rtt_read(stp_rtt *r, unsigned ch, uint8_t *buf, size_t cap, size_t *got,
                        stp_findings *findings)
{
    *got = 0;
    if (!r->found || ch >= STP_RTT_MAX_CHANNELS || ch >= r->up_count || r->up[ch].size == 0)
        return STP_OK;
    stp_rtt_channel *c = &r->up[ch];
    uint32_t wr, rdo = c->host_off;
    stp_status st = target_offset(r, c, 12, &wr, findings);
    if (st != STP_OK || wr == rdo)
        return st;
    uint32_t avail = wr > rdo ? wr - rdo : c->size - rdo + wr;
    uint32_t n = avail < cap ? avail : (uint32_t)cap;
    uint32_t first = c->size - rdo < n ? c->size - rdo : n; /* up to the buffer's end */
    uint8_t *scratch = stp_malloc(c->size + 8);
    if (scratch == NULL)
        return STP_ERR_NOMEM;
    if (first < n && c->buf % 4 == 0 && c->size % 4 == 0 && c->size - n <= c->size / 8) {
        /* Wrapped, and most of the buffer is new: the whole buffer in one read. */
        st = r->d->ops->read_mem(r->d, c->buf, scratch, c->size, findings);
        if (st == STP_OK) {
            memcpy(buf, scratch + rdo, first);
            memcpy(buf + first, scratch, n - first);
        }
    } else {
        st = read_span(r, c, rdo, rdo + first, buf, scratch, findings);
        if (st == STP_OK && first < n)
            st = read_span(r, c, 0, n - first, buf + first, scratch, findings);
    }
    stp_free(scratch);
    uint32_t pos = (rdo + n) % c->size;
    if (st == STP_OK)
        st = write_word(r, c->desc + 16, pos, findings);
    if (st == STP_OK) {
        c->host_off = pos;
        *got = n;
    }
    return st;
}

stp_status stp_rtt_write(stp_rtt *r, unsigned ch, const uint8_t *data, size_t len, size_t *put,
                         stp_findings *findings)
{
    *put = 0;
    if (!r->found || ch >= STP_RTT_MAX_CHANNELS || ch >= r->down_count || r->down[ch].size == 0 ||
        len == 0)
        return STP_OK;
    stp_rtt_channel *c = &r->down[ch];
    uint32_t wr = c->host_off, rdo;
    stp_status st = target_offset(r, c, 16, &rdo, findings);
    if (st != STP_OK)
        return st;
    /* One slot always stays free: WrOff == RdOff means empty. */
    size_t room = rdo > wr ? rdo - wr - 1 : c->size - wr + rdo - 1;
    size_t total = len < room ? len : room;
    size_t done = 0;
    uint32_t pos = wr;
    while (done < total) {
        size_t n = c->size - pos;
        if (n > total - done)
            n = total - done;
        st = r->d->ops->write_mem(r->d, c->buf + pos, data + done, n, findings);
        if (st != STP_OK)
            return st;
        done += n;
        pos = (uint32_t)((pos + n) % c->size);
    }
    if (done == 0)
        return STP_OK;
    st = write_word(r, c->desc + 12, pos, findings);
    if (st == STP_OK) {
        c->host_off = pos;
        *put = done;
    }
    return st;
}
