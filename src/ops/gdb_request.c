/* GDB remote protocol requests parsed into stp_gdb_req: numbers, hex and escaped binary
 * data decoded in place, every bound checked against the packet's length. */
#include <string.h>

#include "ops/gdb_proto.h"

typedef struct cursor {
    uint8_t *p;
    uint8_t *end;
} cursor;

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* At least one hex digit; the value must fit in 32 bits. */
static bool hex_u32(cursor *c, uint32_t *out)
{
    uint64_t v = 0;
    size_t n = 0;
    while (c->p < c->end && hexval(*c->p) >= 0) {
        v = (v << 4) | (uint64_t)hexval(*c->p);
        if (v > 0xFFFFFFFFull)
            return false;
        c->p++;
        n++;
    }
    *out = (uint32_t)v;
    return n > 0;
}

static bool expect(cursor *c, char ch)
{
    if (c->p >= c->end || *c->p != (uint8_t)ch)
        return false;
    c->p++;
    return true;
}

static bool at_end(const cursor *c)
{
    return c->p == c->end;
}

static bool starts(const uint8_t *pkt, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(pkt, prefix, n) == 0;
}

static bool equals(const uint8_t *pkt, size_t len, const char *s)
{
    return len == strlen(s) && memcmp(pkt, s, len) == 0;
}

/* Decodes hex pairs from c->p to the end into c->p's own storage. */
static bool hex_data(cursor *c, stp_gdb_req *req)
{
    size_t n = (size_t)(c->end - c->p);
    if (n % 2 != 0)
        return false;
    uint8_t *dst = c->p;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval(c->p[2 * i]), lo = hexval(c->p[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        dst[i] = (uint8_t)(hi << 4 | lo);
    }
    req->data = dst;
    req->data_len = n / 2;
    c->p = c->end;
    return true;
}

/* Undoes '}' escapes from c->p to the end in place. */
static bool binary_data(cursor *c, stp_gdb_req *req)
{
    uint8_t *dst = c->p;
    size_t n = 0;
    while (c->p < c->end) {
        uint8_t b = *c->p++;
        if (b == '}') {
            if (c->p >= c->end)
                return false;
            b = *c->p++ ^ 0x20;
        }
        dst[n++] = b;
    }
    req->data = dst;
    req->data_len = n;
    return true;
}

static stp_gdb_req_kind addr_len(cursor *c, stp_gdb_req *req)
{
    if (!hex_u32(c, &req->addr) || !expect(c, ',') || !hex_u32(c, &req->len))
        return STP_GDB_REQ_MALFORMED;
    return STP_GDB_REQ_UNSUPPORTED; /* meaning: fine so far */
}

static stp_gdb_req_kind parse_mem(cursor *c, stp_gdb_req *req, char cmd)
{
    if (addr_len(c, req) == STP_GDB_REQ_MALFORMED)
        return STP_GDB_REQ_MALFORMED;
    if (cmd == 'm')
        return at_end(c) ? STP_GDB_REQ_READ_MEM : STP_GDB_REQ_MALFORMED;
    if (!expect(c, ':'))
        return STP_GDB_REQ_MALFORMED;
    bool ok = cmd == 'M' ? hex_data(c, req) : binary_data(c, req);
    if (!ok || req->data_len != req->len)
        return STP_GDB_REQ_MALFORMED;
    return STP_GDB_REQ_WRITE_MEM;
}

static stp_gdb_req_kind parse_z(cursor *c, stp_gdb_req *req, bool insert)
{
    uint32_t type = 0, kind = 0;
    if (!hex_u32(c, &type) || type > 4 || !expect(c, ',') || !hex_u32(c, &req->addr) ||
        !expect(c, ',') || !hex_u32(c, &kind))
        return STP_GDB_REQ_MALFORMED;
    /* Conditions and commands (";X...") may follow: evaluated by gdb, not here. */
    if (!at_end(c) && *c->p != ';')
        return STP_GDB_REQ_MALFORMED;
    req->ztype = type;
    req->zkind = kind;
    return insert ? STP_GDB_REQ_BREAK_INSERT : STP_GDB_REQ_BREAK_REMOVE;
}

/* vCont;action[:thread][;action[:thread]]... — the first step wins, then continue. */
static stp_gdb_req_kind parse_vcont(cursor *c, stp_gdb_req *req)
{
    char chosen = 0;
    while (!at_end(c)) {
        if (!expect(c, ';') || at_end(c))
            return STP_GDB_REQ_MALFORMED;
        char a = (char)*c->p++;
        if (a == 'C' || a == 'S') { /* signal number: ignored on bare metal */
            uint32_t sig;
            if (!hex_u32(c, &sig))
                return STP_GDB_REQ_MALFORMED;
            a = a == 'C' ? 'c' : 's';
        } else if (a != 'c' && a != 's' && a != 't') {
            return STP_GDB_REQ_MALFORMED;
        }
        if (!at_end(c) && *c->p == ':') { /* thread id: skip to the next action */
            while (!at_end(c) && *c->p != ';')
                c->p++;
        }
        if (chosen == 0 || a == 's')
            chosen = a;
    }
    if (chosen == 0)
        return STP_GDB_REQ_MALFORMED;
    req->resume = chosen;
    return STP_GDB_REQ_RESUME;
}

static stp_gdb_req_kind parse_resume(cursor *c, stp_gdb_req *req, char cmd)
{
    req->resume = (cmd == 'c' || cmd == 'C') ? 'c' : 's';
    if (cmd == 'C' || cmd == 'S') { /* Csig[;addr] */
        uint32_t sig;
        if (!hex_u32(c, &sig))
            return STP_GDB_REQ_MALFORMED;
        if (at_end(c))
            return STP_GDB_REQ_RESUME;
        if (!expect(c, ';'))
            return STP_GDB_REQ_MALFORMED;
    }
    if (at_end(c))
        return STP_GDB_REQ_RESUME;
    if (!hex_u32(c, &req->addr) || !at_end(c))
        return STP_GDB_REQ_MALFORMED;
    req->has_addr = true;
    return STP_GDB_REQ_RESUME;
}

static stp_gdb_req_kind parse_xfer(cursor *c, stp_gdb_req *req, stp_gdb_req_kind kind)
{
    size_t n = 0;
    while (!at_end(c) && *c->p != ':') {
        if (n + 1 >= sizeof(req->annex))
            return STP_GDB_REQ_MALFORMED;
        req->annex[n++] = (char)*c->p++;
    }
    req->annex[n] = '\0';
    if (!expect(c, ':') || !hex_u32(c, &req->offset) || !expect(c, ',') || !hex_u32(c, &req->len) ||
        !at_end(c))
        return STP_GDB_REQ_MALFORMED;
    return kind;
}

static stp_gdb_req_kind parse_monitor(cursor *c, stp_gdb_req *req, size_t slack)
{
    if (!hex_data(c, req) || slack < 1)
        return STP_GDB_REQ_MALFORMED;
    for (size_t i = 0; i < req->data_len; i++)
        if (req->data[i] == '\0')
            return STP_GDB_REQ_MALFORMED;
    req->data[req->data_len] = '\0';
    return STP_GDB_REQ_MONITOR;
}

static stp_gdb_req_kind parse_v(uint8_t *pkt, size_t len, cursor *c, stp_gdb_req *req)
{
    if (equals(pkt, len, "vCont?"))
        return STP_GDB_REQ_VCONT_QUERY;
    if (starts(pkt, len, "vCont")) {
        c->p = pkt + 5;
        return parse_vcont(c, req);
    }
    if (starts(pkt, len, "vFlashErase:")) {
        c->p = pkt + 12;
        if (addr_len(c, req) == STP_GDB_REQ_MALFORMED || !at_end(c))
            return STP_GDB_REQ_MALFORMED;
        return STP_GDB_REQ_FLASH_ERASE;
    }
    if (starts(pkt, len, "vFlashWrite:")) {
        c->p = pkt + 12;
        if (!hex_u32(c, &req->addr) || !expect(c, ':') || !binary_data(c, req))
            return STP_GDB_REQ_MALFORMED;
        return STP_GDB_REQ_FLASH_WRITE;
    }
    if (equals(pkt, len, "vFlashDone"))
        return STP_GDB_REQ_FLASH_DONE;
    if (starts(pkt, len, "vKill"))
        return STP_GDB_REQ_KILL;
    if (starts(pkt, len, "vRun"))
        return STP_GDB_REQ_RUN;
    if (starts(pkt, len, "vAttach;"))
        return STP_GDB_REQ_ATTACH;
    return STP_GDB_REQ_UNSUPPORTED;
}

static stp_gdb_req_kind parse_q(uint8_t *pkt, size_t len, size_t cap, cursor *c, stp_gdb_req *req)
{
    if (starts(pkt, len, "qSupported"))
        return STP_GDB_REQ_SUPPORTED;
    if (starts(pkt, len, "qXfer:features:read:")) {
        c->p = pkt + 20;
        return parse_xfer(c, req, STP_GDB_REQ_XFER_FEATURES);
    }
    if (starts(pkt, len, "qXfer:memory-map:read:")) {
        c->p = pkt + 22;
        return parse_xfer(c, req, STP_GDB_REQ_XFER_MEMMAP);
    }
    if (equals(pkt, len, "QStartNoAckMode"))
        return STP_GDB_REQ_NOACK;
    if (starts(pkt, len, "qRcmd,")) {
        c->p = pkt + 6;
        return parse_monitor(c, req, cap - len);
    }
    if (starts(pkt, len, "qAttached"))
        return STP_GDB_REQ_ATTACHED;
    if (equals(pkt, len, "qC"))
        return STP_GDB_REQ_CURRENT_THREAD;
    if (equals(pkt, len, "qfThreadInfo"))
        return STP_GDB_REQ_THREADS_FIRST;
    if (equals(pkt, len, "qsThreadInfo"))
        return STP_GDB_REQ_THREADS_NEXT;
    if (starts(pkt, len, "qSymbol") || equals(pkt, len, "QNonStop:0"))
        return STP_GDB_REQ_OK;
    return STP_GDB_REQ_UNSUPPORTED;
}

stp_gdb_req_kind stp_gdb_parse(uint8_t *pkt, size_t len, size_t cap, stp_gdb_req *req)
{
    memset(req, 0, sizeof(*req));
    if (len == 0 || cap <= len)
        return req->kind = STP_GDB_REQ_UNSUPPORTED;
    cursor c = {pkt + 1, pkt + len};
    stp_gdb_req_kind k = STP_GDB_REQ_UNSUPPORTED;
    switch (pkt[0]) {
    case '?':
        k = len == 1 ? STP_GDB_REQ_HALT_REASON : STP_GDB_REQ_MALFORMED;
        break;
    case 'g':
        k = len == 1 ? STP_GDB_REQ_READ_REGS : STP_GDB_REQ_MALFORMED;
        break;
    case 'G':
        k = hex_data(&c, req) ? STP_GDB_REQ_WRITE_REGS : STP_GDB_REQ_MALFORMED;
        break;
    case 'p': {
        uint32_t n = 0;
        k = hex_u32(&c, &n) && at_end(&c) ? STP_GDB_REQ_READ_REG : STP_GDB_REQ_MALFORMED;
        req->regno = n;
        break;
    }
    case 'P': {
        uint32_t n = 0;
        k = hex_u32(&c, &n) && expect(&c, '=') && hex_data(&c, req) ? STP_GDB_REQ_WRITE_REG
                                                                    : STP_GDB_REQ_MALFORMED;
        req->regno = n;
        break;
    }
    case 'm':
    case 'M':
    case 'X':
        k = parse_mem(&c, req, (char)pkt[0]);
        break;
    case 'c':
    case 's':
    case 'C':
    case 'S':
        k = parse_resume(&c, req, (char)pkt[0]);
        break;
    case 'Z':
    case 'z':
        k = parse_z(&c, req, pkt[0] == 'Z');
        break;
    case 'k':
        k = STP_GDB_REQ_KILL;
        break;
    case 'D':
        k = STP_GDB_REQ_DETACH;
        break;
    case '!':
        k = STP_GDB_REQ_EXTENDED;
        break;
    case 'R':
        k = STP_GDB_REQ_RESTART;
        break;
    case 'H':
    case 'T':
        k = STP_GDB_REQ_OK;
        break;
    case 'v':
        k = parse_v(pkt, len, &c, req);
        break;
    case 'q':
    case 'Q':
        k = parse_q(pkt, len, cap, &c, req);
        break;
    }
    return req->kind = k;
}
