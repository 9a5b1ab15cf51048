/* One gdb request to the target and its reply: registers, memory, resume, breakpoints,
 * flash, qSupported/qXfer, extended-remote restart/kill/detach. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "ops/gdb_internal.h"

/* Memory per m reply: hex doubles it, and the frame needs a little room. */
#define MEM_CHUNK ((STP_GDB_PACKET_MAX - 16) / 2)

static void reply_error(gdb_session *s, unsigned code)
{
    char buf[8];
    snprintf(buf, sizeof(buf), "E%02x", code & 0xFFu);
    gdb_send_str(s, buf);
}

static void reply_ok(gdb_session *s, bool ok)
{
    if (ok)
        gdb_send_str(s, "OK");
    else
        reply_error(s, 1);
}

static void read_regs(gdb_session *s)
{
    char buf[40 * 16 + 8];
    stp_gdb_out o;
    stp_gdb_out_init(&o, buf, sizeof(buf));
    for (unsigned n = 0; n < gdb_reg_count(s); n++) {
        uint8_t v[8];
        if (gdb_reg_read(s, n, v, NULL) != STP_OK) {
            reply_error(s, 1);
            return;
        }
        stp_gdb_out_hex(&o, v, gdb_reg_size(s, n));
    }
    gdb_send(s, o.buf, o.len);
}

static void write_regs(gdb_session *s, const stp_gdb_req *r)
{
    size_t off = 0;
    for (unsigned n = 0; n < gdb_reg_count(s) && off < r->data_len; n++) {
        unsigned size = gdb_reg_size(s, n);
        if (off + size > r->data_len || gdb_reg_write(s, n, r->data + off, NULL) != STP_OK) {
            reply_error(s, 1);
            return;
        }
        off += size;
    }
    gdb_send_str(s, "OK");
}

static void read_reg(gdb_session *s, unsigned n)
{
    uint8_t v[8];
    unsigned size = gdb_reg_size(s, n);
    if (size == 0 || gdb_reg_read(s, n, v, NULL) != STP_OK) {
        reply_error(s, 1);
        return;
    }
    char buf[20];
    stp_gdb_out o;
    stp_gdb_out_init(&o, buf, sizeof(buf));
    stp_gdb_out_hex(&o, v, size);
    gdb_send(s, o.buf, o.len);
}

static void write_reg(gdb_session *s, const stp_gdb_req *r)
{
    unsigned size = gdb_reg_size(s, r->regno);
    bool ok =
        size != 0 && r->data_len == size && gdb_reg_write(s, r->regno, r->data, NULL) == STP_OK;
    reply_ok(s, ok);
}

static void read_mem(gdb_session *s, const stp_gdb_req *r)
{
    uint32_t len = r->len > MEM_CHUNK ? MEM_CHUNK : r->len;
    if ((uint64_t)r->addr + len > 0x100000000ull)
        len = (uint32_t)(0x100000000ull - r->addr);
    uint8_t *data = stp_malloc(len + 1);
    char *hex = stp_malloc(2 * (size_t)len + 2);
    if (data == NULL || hex == NULL ||
        (len > 0 && stp_target_read_mem(s->t, r->addr, data, len, NULL) != STP_OK)) {
        reply_error(s, 1);
    } else {
        stp_gdb_out o;
        stp_gdb_out_init(&o, hex, 2 * (size_t)len + 2);
        stp_gdb_out_hex(&o, data, len);
        gdb_send(s, o.buf, o.len);
    }
    stp_free(data);
    stp_free(hex);
}

static void write_mem(gdb_session *s, const stp_gdb_req *r)
{
    if (r->data_len == 0) {
        gdb_send_str(s, "OK");
        return;
    }
    /* Flash is written through vFlashWrite (the planner), never byte by byte. */
    if ((uint64_t)r->addr + r->data_len > 0x100000000ull ||
        gdb_addr_in_flash(s, r->addr, (uint32_t)r->data_len)) {
        reply_error(s, 1);
        return;
    }
    reply_ok(s, s->dbg->ops->write_mem(s->dbg, r->addr, r->data, r->data_len, NULL) == STP_OK);
}

static void resume(gdb_session *s, const stp_gdb_req *r)
{
    if (r->has_addr && stp_target_write_reg(s->t, 15, r->addr, NULL) != STP_OK) {
        reply_error(s, 1);
        return;
    }
    if (r->resume == 's')
        gdb_step(s);
    else if (r->resume == 'c')
        gdb_continue(s);
    else { /* 't': stop */
        (void)stp_target_halt(s->t, NULL);
        s->last_signal = 2;
        gdb_stop_reply(s);
    }
}

static void supported(gdb_session *s)
{
    char buf[200];
    snprintf(buf, sizeof(buf),
             "PacketSize=%x;qXfer:features:read+;qXfer:memory-map:read+;QStartNoAckMode+;"
             "vContSupported+",
             STP_GDB_PACKET_MAX);
    gdb_send_str(s, buf);
}

static void xfer(gdb_session *s, const stp_gdb_req *r, const char *doc, size_t len)
{
    char *buf = stp_malloc(STP_GDB_PACKET_MAX);
    if (buf == NULL) {
        reply_error(s, 1);
        return;
    }
    stp_gdb_out o;
    stp_gdb_out_init(&o, buf, STP_GDB_PACKET_MAX);
    stp_gdb_xfer_reply(&o, doc, len, r->offset, r->len);
    gdb_send(s, o.buf, o.len);
    stp_free(buf);
}

/* Reset and halt at the reset vector (R, vRun, kill): the program starts over. */
static bool restart(gdb_session *s)
{
    stp_findings f = {0};
    stp_status st = stp_target_reset(s->t, s->opt->reset, true, &f);
    if (st != STP_OK)
        gdb_report_findings(s, &f, false);
    stp_findings_free(&f);
    s->last_signal = 5;
    s->last_watch[0] = '\0';
    return st == STP_OK;
}

static void detach(gdb_session *s)
{
    gdb_break_clear_all(s);
    bool ok = stp_target_run(s->t, NULL) == STP_OK;
    reply_ok(s, ok);
    s->detached = true;
    if (!s->extended)
        s->closed = true;
}

static void breakpoint(gdb_session *s, const stp_gdb_req *r)
{
    bool ok = r->kind == STP_GDB_REQ_BREAK_INSERT
                  ? gdb_break_insert(s, r->ztype, r->addr, r->zkind)
                  : gdb_break_remove(s, r->ztype, r->addr, r->zkind);
    reply_ok(s, ok);
}

static void flash(gdb_session *s, const stp_gdb_req *r)
{
    switch (r->kind) {
    case STP_GDB_REQ_FLASH_ERASE:
        reply_ok(s, gdb_flash_erase(s, r->addr, r->len));
        break;
    case STP_GDB_REQ_FLASH_WRITE:
        reply_ok(s, gdb_flash_write(s, r->addr, r->data, r->data_len));
        break;
    default:
        reply_ok(s, gdb_flash_done(s));
        break;
    }
}

void gdb_dispatch(gdb_session *s, uint8_t *pkt, size_t len, size_t cap)
{
    stp_gdb_req r;
    switch (stp_gdb_parse(pkt, len, cap, &r)) {
    case STP_GDB_REQ_UNSUPPORTED:
        gdb_send_str(s, "");
        break;
    case STP_GDB_REQ_MALFORMED:
        reply_error(s, 1);
        break;
    case STP_GDB_REQ_HALT_REASON:
        gdb_stop_reply(s);
        break;
    case STP_GDB_REQ_READ_REGS:
        read_regs(s);
        break;
    case STP_GDB_REQ_WRITE_REGS:
        write_regs(s, &r);
        break;
    case STP_GDB_REQ_READ_REG:
        read_reg(s, r.regno);
        break;
    case STP_GDB_REQ_WRITE_REG:
        write_reg(s, &r);
        break;
    case STP_GDB_REQ_READ_MEM:
        read_mem(s, &r);
        break;
    case STP_GDB_REQ_WRITE_MEM:
        write_mem(s, &r);
        break;
    case STP_GDB_REQ_RESUME:
        resume(s, &r);
        break;
    case STP_GDB_REQ_VCONT_QUERY:
        gdb_send_str(s, "vCont;c;C;s;S;t");
        break;
    case STP_GDB_REQ_BREAK_INSERT:
    case STP_GDB_REQ_BREAK_REMOVE:
        breakpoint(s, &r);
        break;
    case STP_GDB_REQ_KILL:
        /* The program "dies": start it over, halted at the reset vector. */
        gdb_break_clear_all(s);
        (void)restart(s);
        if (pkt[0] == 'v')
            gdb_send_str(s, "OK");
        if (!s->extended)
            s->closed = true;
        break;
    case STP_GDB_REQ_DETACH:
        detach(s);
        break;
    case STP_GDB_REQ_EXTENDED:
        s->extended = true;
        gdb_send_str(s, "OK");
        break;
    case STP_GDB_REQ_RESTART: /* no reply */
        (void)restart(s);
        break;
    case STP_GDB_REQ_RUN:
        if (restart(s))
            gdb_stop_reply(s);
        else
            reply_error(s, 1);
        break;
    case STP_GDB_REQ_ATTACH:
        (void)stp_target_halt(s->t, NULL);
        s->last_signal = 5;
        gdb_stop_reply(s);
        break;
    case STP_GDB_REQ_SUPPORTED:
        supported(s);
        break;
    case STP_GDB_REQ_XFER_FEATURES:
        if (strcmp(r.annex, "target.xml") != 0)
            reply_error(s, 0);
        else
            xfer(s, &r, s->tdesc, s->tdesc_len);
        break;
    case STP_GDB_REQ_XFER_MEMMAP:
        xfer(s, &r, s->memmap, s->memmap_len);
        break;
    case STP_GDB_REQ_NOACK:
        gdb_send_str(s, "OK");
        s->noack = true;
        break;
    case STP_GDB_REQ_MONITOR:
        gdb_monitor(s, (const char *)r.data);
        break;
    case STP_GDB_REQ_FLASH_ERASE:
    case STP_GDB_REQ_FLASH_WRITE:
    case STP_GDB_REQ_FLASH_DONE:
        flash(s, &r);
        break;
    case STP_GDB_REQ_OK:
        gdb_send_str(s, "OK");
        break;
    case STP_GDB_REQ_ATTACHED:
        gdb_send_str(s, "1");
        break;
    case STP_GDB_REQ_CURRENT_THREAD:
        gdb_send_str(s, "QC1");
        break;
    case STP_GDB_REQ_THREADS_FIRST:
        gdb_send_str(s, "m1");
        break;
    case STP_GDB_REQ_THREADS_NEXT:
        gdb_send_str(s, "l");
        break;
    }
}
