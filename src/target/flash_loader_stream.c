/* The SRAM loader's stream: erases and data through the ring of buffers, in the order that
 * lets the host fill free buffers while a sector erases, progress as the loader frees them,
 * and the loader's failure decoded into the direct path's findings. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "target/flash_loader.h"
#include "target/flash_loader_internal.h"

enum { SLOT_FREE, SLOT_DATA, SLOT_ERASE };

typedef struct ldr_slot {
    int kind;
    uint32_t bytes;       /* progress credited when the loader is done with it */
    uint32_t deadline_ms; /* for the loader to finish it once it is the oldest */
    uint32_t addr;
    const stp_sector *sector; /* SLOT_ERASE: the first unit, NULL for a mass erase */
    size_t units;             /* SLOT_ERASE: units from `sector` on */
} ldr_slot;

typedef struct ldr_stream {
    ldr_session s;
    const stp_flash_write_req *req;
    const stp_env *env;
    ldr_slot *slot;
    uint8_t *io; /* header words 1..3 and the payload of one buffer */
    uint32_t next;
    int failed_slot; /* the buffer the loader marked FAIL, or -1 */
    char what[64];
} ldr_stream;

static void describe(const ldr_slot *sl, char *buf, size_t cap)
{
    if (sl->kind == SLOT_ERASE && sl->sector == NULL)
        snprintf(buf, cap, "mass erase (SRAM loader)");
    else if (sl->kind == SLOT_ERASE && sl->units > 1)
        snprintf(buf, cap, "erase of sectors %u-%u (SRAM loader)",
                 (unsigned)sl->sector->manual_number,
                 (unsigned)sl->sector[sl->units - 1].manual_number);
    else if (sl->kind == SLOT_ERASE)
        snprintf(buf, cap, "erase of sector %u (SRAM loader)", (unsigned)sl->sector->manual_number);
    else
        snprintf(buf, cap, "program (SRAM loader)");
}

/* Waits until buffer `next` is free again (the loader is done with what it held), credits
 * its progress. A buffer the loader marked FAIL stops the stream (failed_slot). */
static stp_status acquire(ldr_stream *x)
{
    ldr_slot *sl = &x->slot[x->next];
    if (sl->kind == SLOT_FREE)
        return STP_OK;
    uint32_t state = 0;
    describe(sl, x->what, sizeof(x->what));
    x->s.doing = x->what;
    stp_status st = stp_ldr_wait_word(&x->s, x->s.bufs + x->next * x->s.stride, ST_FULL, &state,
                                      sl->deadline_ms, "waiting for a free buffer");
    x->s.doing = NULL;
    if (st != STP_OK)
        return st;
    if (state != ST_EMPTY) {
        x->failed_slot = (int)x->next;
        return STP_OK;
    }
    if (x->req->progress_done != NULL) {
        *x->req->progress_done += sl->bytes;
        stp_progress_emit(x->env, STP_PROGRESS_ADVANCE, x->req->phase, *x->req->progress_done,
                          x->req->progress_total);
    }
    sl->kind = SLOT_FREE;
    return STP_OK;
}

/* Puts one entry in the next free buffer: header {FULL, addr, count, cmd} and payload. */
static stp_status submit(ldr_stream *x, const ldr_slot *info, uint32_t cmd, uint32_t count,
                         const uint8_t *payload, uint32_t bytes)
{
    stp_status st = acquire(x);
    if (st != STP_OK || x->failed_slot >= 0)
        return st;
    stp_debug *d = x->s.d;
    uint32_t hdr = x->s.bufs + x->next * x->s.stride;
    put32(x->io, info->addr);
    put32(x->io + 4, count);
    put32(x->io + 8, cmd);
    memcpy(x->io + 12, payload, bytes);
    st = d->ops->write_mem(d, hdr + 4, x->io, 12 + bytes, x->s.f->findings);
    if (st == STP_OK)
        st = d->ops->write_u32(d, hdr, ST_FULL, x->s.f->findings);
    x->slot[x->next] = *info;
    x->next = (x->next + 1) % x->s.nbuf;
    return st;
}

/* One erase entry: the mass erase, or the units from req->erase[*e] on that start below `end`
 * and fit in one entry (*e moves past them). */
static stp_status submit_erase(ldr_stream *x, size_t *e, uint64_t end)
{
    stp_flash *f = x->s.f;
    const stp_flash_write_req *req = x->req;
    uint32_t pairs[2 * ERASE_BATCH_PAIRS], one[2 * ERASE_PAIRS];
    uint8_t payload[sizeof(pairs)];
    size_t n = 0;
    ldr_slot info = {.kind = SLOT_ERASE};
    if (req->mass) {
        n = stp_flash_erase_ops(f, NULL, pairs, ERASE_PAIRS);
        for (size_t i = 0; req->count_erased && i < req->erase_count; i++)
            info.bytes += req->erase[i].size;
        info.addr = req->erase_count ? req->erase[0].addr : 0;
        info.deadline_ms = stp_flash_mass_erase_deadline_ms(f) + 1000;
        *e = req->erase_count;
    } else {
        info.sector = &req->erase[*e];
        info.addr = info.sector->addr;
        info.deadline_ms = 1000;
        while (*e < req->erase_count && (info.units == 0 || req->erase[*e].addr < end)) {
            const stp_sector *s = &req->erase[*e];
            size_t k = stp_flash_erase_ops(f, s, one, ERASE_PAIRS);
            if (k == 0 || n + k > ERASE_BATCH_PAIRS)
                break;
            memcpy(pairs + 2 * n, one, 8 * k);
            n += k;
            info.units++;
            info.bytes += req->count_erased ? s->size : 0;
            info.deadline_ms += stp_flash_erase_deadline_ms(f, s->size);
            (*e)++;
        }
    }
    if (n == 0)
        return STP_ERR_INTERNAL;
    for (size_t i = 0; i < 2 * n; i++)
        put32(payload + 4 * i, pairs[i]);
    return submit(x, &info, CMD_REGS, (uint32_t)n, payload, (uint32_t)(8 * n));
}

/* The loader marked a buffer FAIL: the error bits it saw, decoded with the driver's table
 * into the same findings as the direct path, plus the failing address; then the status
 * register is cleared the engine's way. */
static stp_status failed(ldr_stream *x)
{
    ldr_session *s = &x->s;
    stp_flash *f = s->f;
    const stp_flash_driver *drv = f->drv;
    uint32_t fail_addr = 0, fail_sr = 0;
    (void)s->d->ops->read_u32(s->d, s->params + 4 * P_FAIL_ADDR, &fail_addr, f->findings);
    (void)s->d->ops->read_u32(s->d, s->params + 4 * P_FAIL_SR, &fail_sr, f->findings);
    const ldr_slot *sl = x->failed_slot >= 0 ? &x->slot[x->failed_slot] : NULL;
    const stp_sector *unit = sl != NULL && sl->kind == SLOT_ERASE ? sl->sector : NULL;
    for (size_t i = 1; unit != NULL && i < sl->units; i++)
        if (sl->sector[i].addr <= fail_addr)
            unit = &sl->sector[i]; /* the entry's units are in address order */
    const uint32_t bb = stp_ldr_block_bytes(f);
    if (bb != 0 && (sl == NULL || sl->kind == SLOT_DATA))
        fail_addr -= fail_addr % bb; /* the loader names the block's last unit */
    char op[48] = "program";
    if (sl != NULL && sl->kind == SLOT_ERASE && sl->sector == NULL)
        snprintf(op, sizeof(op), "mass erase");
    else if (unit != NULL)
        snprintf(op, sizeof(op), "erase of sector %u", (unsigned)unit->manual_number);
    stp_status result = STP_OK;
    for (size_t i = 0; i < drv->error_count; i++) {
        const stp_flash_error_bit *e = &drv->errors[i];
        if ((fail_sr & e->mask) == 0)
            continue;
        stp_finding *fd =
            stp_finding_add(f->findings, e->id, STP_SEV_ERROR, "%s failed at 0x%08X: %s (%s)", op,
                            (unsigned)fail_addr, e->meaning, e->bit);
        stp_finding_evidence(fd, "status_register", "0x%08X", (unsigned)fail_sr);
        stp_finding_evidence(fd, "bit", "%s", e->bit);
        stp_finding_evidence(fd, "operation", "%s", op);
        stp_finding_evidence(fd, "address", "0x%08X", (unsigned)fail_addr);
        stp_finding_evidence(fd, "via", "SRAM flash loader");
        if (e->advice != NULL)
            stp_finding_advice(fd, "%s", e->advice);
        if (result == STP_OK)
            result = e->status;
    }
    /* Clear the bits the engine's way, without its findings a second time. */
    stp_findings scratch = {0}, *keep = f->findings;
    f->findings = &scratch;
    (void)stp_flash_wait(f, stp_flash_program_deadline_ms(f, 1), "program");
    f->findings = keep;
    stp_findings_free(&scratch);
    return result != STP_OK ? result : STP_ERR_FLASH;
}

/* Every erase goes in just before the first data of its unit (and of any later unit the
 * data reaches), so the host fills the ring while the unit erases. */
static stp_status stream(ldr_stream *x)
{
    const stp_flash_write_req *req = x->req;
    stp_flash *f = x->s.f;
    const uint32_t unit = f->drv->program_unit(f);
    size_t e = 0;
    stp_status st = STP_OK;
    if (req->mass)
        st = submit_erase(x, &e, 0);
    for (size_t p = 0; st == STP_OK && x->failed_slot < 0 && p < req->piece_count; p++) {
        const stp_flash_piece *pc = &req->pieces[p];
        for (uint32_t off = 0; st == STP_OK && x->failed_slot < 0 && off < pc->len;) {
            uint32_t n = pc->len - off < x->s.buf_size ? pc->len - off : x->s.buf_size;
            uint64_t end = (uint64_t)pc->addr + off + n;
            while (st == STP_OK && x->failed_slot < 0 && e < req->erase_count &&
                   req->erase[e].addr < end)
                st = submit_erase(x, &e, end);
            if (st != STP_OK || x->failed_slot >= 0)
                break;
            ldr_slot info = {.kind = SLOT_DATA,
                             .bytes = n,
                             .addr = pc->addr + off,
                             .deadline_ms = stp_flash_program_deadline_ms(f, n / unit) + 1000};
            st = submit(x, &info, CMD_PROGRAM, n, pc->data + off, n);
            off += n;
        }
    }
    while (st == STP_OK && x->failed_slot < 0 && e < req->erase_count)
        st = submit_erase(x, &e, UINT64_MAX);
    /* Drain: every buffer free again, then an END in the next one. */
    for (uint32_t k = 0; st == STP_OK && x->failed_slot < 0 && k < x->s.nbuf; k++) {
        st = acquire(x);
        if (x->failed_slot < 0)
            x->next = (x->next + 1) % x->s.nbuf;
    }
    if (st == STP_OK && x->failed_slot < 0)
        st = x->s.d->ops->write_u32(x->s.d, x->s.bufs + x->next * x->s.stride, ST_END, f->findings);
    return st;
}

static stp_status loader_pass(stp_flash *f, const stp_flash_write_req *req, const stp_env *env,
                              bool *used)
{
    *used = false;
    ldr_stream x = {.s = {.f = f, .d = f->dbg, .base = f->chip->sram_base},
                    .req = req,
                    .env = env,
                    .failed_slot = -1};
    x.s.params = x.s.base + PARAMS_OFF;
    x.s.ring_erases = (uint32_t)req->erase_count + (req->mass ? 1u : 0u);
    x.s.ring_pieces = (uint32_t)req->piece_count;
    for (size_t i = 0; i < req->piece_count; i++)
        x.s.ring_bytes += req->pieces[i].len;
    bool ok = false;
    stp_status st = stp_ldr_setup(&x.s, &ok);
    if (st != STP_OK || !ok)
        return st;
    *used = true;
    if (req->start_phase && req->progress_done != NULL)
        stp_progress_emit(env, STP_PROGRESS_START, req->phase, *req->progress_done,
                          req->progress_total);
    x.slot = stp_calloc(x.s.nbuf, sizeof(*x.slot));
    x.io = stp_malloc(
        12 + (x.s.buf_size > 8 * ERASE_BATCH_PAIRS ? x.s.buf_size : 8 * ERASE_BATCH_PAIRS));
    if (x.slot == NULL || x.io == NULL)
        st = STP_ERR_NOMEM;
    if (st == STP_OK)
        st = stream(&x);
    uint32_t result = RES_RUNNING;
    if (st == STP_OK)
        st = stp_ldr_wait_done(&x.s, 1000, &result);
    if (st == STP_OK && result == RES_FAILED)
        st = failed(&x);
    else if (st == STP_OK && result != RES_OK)
        st = stp_ldr_stalled(&x.s, "an unknown loader result", 1000);
    f->loader_resident = f->keep_loader && st == STP_OK && result == RES_OK;
    stp_ldr_unguard(&x.s);
    stp_free(x.slot);
    stp_free(x.io);
    return st;
}

/* One register set per bank (F1 XL): the loader waits on one status register, so each bank
 * gets a pass of its own, with its erases (or its mass erase) and the data that falls in it
 * (a piece across the boundary is split). */
static stp_status loader_banks(stp_flash *f, const stp_flash_write_req *req, const stp_env *env,
                               bool *used)
{
    const uint32_t base2 = stp_flash_bank2_base(f);
    stp_flash_piece *pieces = stp_calloc(req->piece_count + 1, sizeof(*pieces));
    if (pieces == NULL)
        return STP_ERR_NOMEM;
    stp_status st = STP_OK;
    size_t e = 0, p = 0, split = 0;
    while (e < req->erase_count && req->erase[e].addr < base2)
        e++;
    for (size_t i = 0; i < req->piece_count; i++) {
        const stp_flash_piece *pc = &req->pieces[i];
        if (pc->addr < base2 && (uint64_t)pc->addr + pc->len > base2) {
            const uint32_t head = base2 - pc->addr;
            pieces[p++] = (stp_flash_piece){pc->addr, pc->data, head};
            split = p;
            pieces[p++] = (stp_flash_piece){base2, pc->data + head, pc->len - head};
        } else {
            pieces[p++] = *pc;
            if (pc->addr < base2)
                split = p;
        }
    }
    stp_flash_write_req part[2] = {*req, *req};
    part[0].erase_count = e;
    part[0].pieces = pieces;
    part[0].piece_count = split;
    part[1].erase = req->erase != NULL ? req->erase + e : NULL; /* no erases: NULL, no offset */
    part[1].erase_count = req->erase_count - e;
    part[1].pieces = pieces + split;
    part[1].piece_count = p - split;
    bool started = false;
    *used = false;
    for (unsigned b = 0; st == STP_OK && b < 2; b++) {
        if (part[b].erase_count == 0 && part[b].piece_count == 0)
            continue;
        part[b].start_phase = req->start_phase && !started;
        f->pass_bank = b;
        bool pass_used = false;
        st = loader_pass(f, &part[b], env, &pass_used);
        if (st == STP_OK && !pass_used && started) {
            /* bank 1 went through the loader, bank 2 could not: nothing to fall back to */
            stp_finding *fd = stp_finding_add(f->findings, "flash.loader-fault", STP_SEV_ERROR,
                                              "the SRAM flash loader could not be set up again "
                                              "for bank 2");
            stp_finding_advice(fd, "--no-loader programs without it");
            st = STP_ERR_FLASH;
        }
        started = started || pass_used;
        if (!pass_used)
            break;
    }
    *used = started;
    f->pass_bank = 0;
    stp_free(pieces);
    return st;
}

stp_status stp_flash_loader_write(stp_flash *f, const stp_flash_write_req *req, const stp_env *env,
                                  bool *used)
{
    if (stp_flash_reg_sets(f) > 1)
        return loader_banks(f, req, env, used);
    return loader_pass(f, req, env, used);
}

static stp_status stream_one(stp_flash *f, uint32_t addr, const uint8_t *data, uint32_t len,
                             const stp_env *env, uint64_t *progress_done, uint64_t progress_total,
                             bool *used)
{
    stp_flash_piece piece = {.addr = addr, .data = data, .len = len};
    stp_flash_write_req req = {.pieces = &piece,
                               .piece_count = 1,
                               .phase = "program",
                               .progress_done = progress_done,
                               .progress_total = progress_total};
    return stp_flash_loader_write(f, &req, env, used);
}

stp_status stp_flash_loader_program(stp_flash *f, uint32_t addr, const uint8_t *data, uint32_t len,
                                    const stp_env *env, uint64_t *progress_done,
                                    uint64_t progress_total, bool *used)
{
    const uint32_t bb = stp_ldr_block_bytes(f);
    if (bb == 0)
        return stream_one(f, addr, data, len, env, progress_done, progress_total, used);
    /* Block programming (L1): whole blocks through the loader, then the partial blocks at
     * both ends the direct way (a chunk shorter than a block goes unit by unit). */
    *used = false;
    uint32_t head = (bb - addr % bb) % bb;
    head = head > len ? len : head;
    const uint32_t tail = (len - head) % bb, mid = len - head - tail;
    if (mid == 0)
        return STP_OK;
    stp_status st = f->drv->loader_block_mode(f, true);
    if (st == STP_OK)
        st = stream_one(f, addr + head, data + head, mid, env, progress_done, progress_total, used);
    stp_status ms = f->drv->loader_block_mode(f, false);
    st = st != STP_OK ? st : ms;
    const uint32_t ends[2][2] = {{0, head}, {head + mid, tail}};
    for (int e = 0; e < 2 && st == STP_OK && *used; e++) {
        if (ends[e][1] == 0)
            continue;
        st = f->drv->program_chunk(f, addr + ends[e][0], data + ends[e][0], ends[e][1]);
        if (st == STP_OK)
            st = stp_flash_wait(
                f, stp_flash_program_deadline_ms(f, ends[e][1] / f->drv->program_unit(f)),
                "program");
        if (st == STP_OK && progress_done != NULL) {
            *progress_done += ends[e][1];
            stp_progress_emit(env, STP_PROGRESS_ADVANCE, "program", *progress_done, progress_total);
        }
    }
    return st;
}
