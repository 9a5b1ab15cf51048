/* The program operation: refuse an image outside the flash or in protected sectors, read
 * the touched sectors, plan (pure), save the kept bytes in the journal, refuse what cannot
 * end well (supply, link), erase what the plan says, program image bytes and kept bytes,
 * verify every sector it touched. An earlier failed write's journal is merged into the
 * image first: for its sectors its bytes win over what the flash holds now. */
#include <string.h>

#include "core/alloc.h"
#include "ops/crc_ops.h"
#include "ops/journal.h"
#include "ops/ops_internal.h"

typedef struct prog_ctx {
    stp_target *t;
    const stp_env *env;
    stp_findings *findings;
    stp_segment *segs;
    size_t nsegs;
    uint8_t **cur; /* per region: present contents, NULL when untouched */
    bool *owns;    /* per region: cur[r] is the start of an allocation */
} prog_ctx;

static size_t region_of(const stp_target *t, uint32_t addr)
{
    return stp_ops_region_of(t, addr);
}

/* Reads the present contents of every region the image touches (runs of neighbouring
 * regions in one read). Regions outside flash are left to the planner to refuse. */
static stp_status read_touched(prog_ctx *c)
{
    stp_target *t = c->t;
    bool *touched = stp_calloc(t->sector_count ? t->sector_count : 1, sizeof(bool));
    if (touched == NULL)
        return STP_ERR_NOMEM;
    for (size_t s = 0; s < c->nsegs; s++) {
        uint64_t end = (uint64_t)c->segs[s].addr + c->segs[s].size;
        for (size_t r = 0; r < t->sector_count; r++) {
            uint64_t ra = t->regions[r].addr, re = ra + t->regions[r].size;
            if (ra < end && re > c->segs[s].addr)
                touched[r] = true;
        }
    }
    /* Regions the image covers entirely: compared by CRC on the target, not read. */
    stp_ops_ecc_forget(t);
    stp_status st =
        stp_ops_crc_touched(t, c->segs, c->nsegs, touched, c->cur, c->owns, c->findings);
    uint64_t total = 0, done = 0;
    for (size_t r = 0; r < t->sector_count; r++)
        if (touched[r])
            total += t->regions[r].size;
    if (st == STP_OK && total != 0)
        stp_progress_emit(c->env, STP_PROGRESS_START, "read", 0, total);
    for (size_t r = 0; st == STP_OK && r < t->sector_count;) {
        if (!touched[r]) {
            r++;
            continue;
        }
        size_t e = r;
        uint32_t len = 0;
        while (e < t->sector_count && touched[e] &&
               (e == r || t->regions[e].addr == t->regions[e - 1].addr + t->regions[e - 1].size))
            len += t->regions[e++].size;
        uint8_t *buf = stp_malloc(len);
        if (buf == NULL) {
            st = STP_ERR_NOMEM;
            break;
        }
        st = stp_ops_read(t, t->regions[r].addr, len, buf, c->env, "read", &done, total,
                          c->findings);
        /* One allocation per run; each region points into it, the first owns it. */
        for (size_t k = r; k < e; k++)
            c->cur[k] = buf + (t->regions[k].addr - t->regions[r].addr);
        c->owns[r] = true;
        r = e;
    }
    if (total != 0)
        stp_progress_emit(c->env, STP_PROGRESS_END, "read", done, total);
    stp_free(touched);
    /* A word the chip cannot read right: nothing is erased until the user chose to. */
    if (st == STP_OK &&
        stp_ops_ecc_check(t, "reading the sectors the image touches", c->findings) > 0)
        st = STP_ERR_FLASH;
    return st;
}

/* Refuses an image that reaches outside the flash or into a write-protected region (the
 * planner's findings plan.outside-flash, plan.write-protected) from the geometry alone. */
static stp_status check_image(const prog_ctx *c)
{
    stp_plan_input in = {
        .segments = c->segs,
        .segment_count = c->nsegs,
        .regions = c->t->regions,
        .region_count = c->t->sector_count,
        .program_unit = c->t->flash.drv->program_unit(&c->t->flash),
        .erased_byte = c->t->flash.drv->erased_byte,
    };
    return stp_plan_check(&in, c->findings);
}

static void free_touched(prog_ctx *c)
{
    if (c->cur == NULL) {
        stp_free(c->owns);
        return;
    }
    for (size_t r = 0; r < c->t->sector_count; r++) {
        if (c->owns != NULL && c->owns[r])
            stp_free(c->cur[r]);
    }
    stp_free(c->cur);
    stp_free(c->owns);
    c->cur = NULL;
    c->owns = NULL;
}

/* Expected contents of [addr, addr+len): present bytes with the image over them. */
static void compose(prog_ctx *c, uint32_t addr, uint8_t *buf, uint32_t len)
{
    const stp_target *t = c->t;
    uint32_t off = 0;
    while (off < len) {
        size_t r = region_of(t, addr + off);
        const stp_flash_region *reg = &t->regions[r];
        uint32_t in = addr + off - reg->addr;
        uint32_t n = reg->size - in;
        if (n > len - off)
            n = len - off;
        memcpy(buf + off, c->cur[r] + in, n);
        off += n;
    }
    stp_ops_overlay(c->segs, c->nsegs, addr, buf, len);
}

/* The units the plan erases (*list, *n; NULL when none) and whether one mass erase should
 * replace them: every unit of the flash, and the family's mass erase clearly faster. */
static stp_status erase_list(prog_ctx *c, const stp_plan *plan, stp_sector **list, size_t *n,
                             bool *mass)
{
    stp_target *t = c->t;
    *n = 0;
    *mass = false;
    *list = stp_calloc(plan->erase_count ? plan->erase_count : 1, sizeof(**list));
    if (*list == NULL)
        return STP_ERR_NOMEM;
    for (size_t i = 0; i < plan->sector_count; i++) {
        if (plan->sectors[i].action == STP_PLAN_ERASE)
            (*list)[(*n)++] = t->sectors[region_of(t, plan->sectors[i].addr)];
    }
    *mass = *n == t->sector_count && stp_flash_prefers_mass_erase(&t->flash, *list, *n);
    return STP_OK;
}

static stp_status erase_phase(prog_ctx *c, const stp_plan *plan)
{
    stp_target *t = c->t;
    stp_sector *list = NULL;
    size_t n = 0;
    bool mass = false;
    stp_status st = erase_list(c, plan, &list, &n, &mass);
    uint64_t done = 0;
    if (st != STP_OK || n == 0) {
        stp_free(list);
        return st;
    }
    if (mass) { /* stp_flash_erase_all reports its own erase phase */
        st = stp_flash_erase_all(&t->flash, list, n, c->env, c->findings);
        stp_free(list);
        return st;
    }
    stp_progress_emit(c->env, STP_PROGRESS_START, "erase", 0, plan->erase_bytes);
    st = stp_flash_erase(&t->flash, list, n, c->env, &done, plan->erase_bytes, c->findings);
    stp_progress_emit(c->env, STP_PROGRESS_END, "erase", done, plan->erase_bytes);
    stp_free(list);
    return st;
}

static bool unit_blank(const uint8_t *p, uint32_t unit, uint8_t erased)
{
    for (uint32_t i = 0; i < unit; i++)
        if (p[i] != erased)
            return false;
    return true;
}

static stp_status program_phase(prog_ctx *c, const stp_plan *plan)
{
    stp_target *t = c->t;
    const uint32_t unit = plan->program_unit;
    const uint8_t erased = plan->erased_byte;
    uint64_t done = 0;
    stp_status st = STP_OK;
    if (plan->program_count == 0)
        return STP_OK;
    stp_progress_emit(c->env, STP_PROGRESS_START, "program", 0, plan->program_bytes);
    for (size_t i = 0; st == STP_OK && i < plan->program_count; i++) {
        const stp_plan_range *r = &plan->program[i];
        uint8_t *buf = stp_malloc(r->len);
        if (buf == NULL) {
            st = STP_ERR_NOMEM;
            break;
        }
        compose(c, r->addr, buf, r->len);
        /* Units that hold the erased value are already right on blank flash. */
        uint32_t off = 0;
        while (st == STP_OK && off < r->len) {
            if (unit_blank(buf + off, unit, erased)) {
                off += unit;
                done += unit;
                continue;
            }
            uint32_t e = off;
            while (e < r->len && !unit_blank(buf + e, unit, erased))
                e += unit;
            st = stp_flash_program(&t->flash, r->addr + off, buf + off, e - off, c->env, &done,
                                   plan->program_bytes, c->findings);
            off = e;
        }
        stp_free(buf);
    }
    stp_progress_emit(c->env, STP_PROGRESS_END, "program", done, plan->program_bytes);
    return st;
}

/* Erase and program in one run of the SRAM loader (stp_flash_write: the data streams while
 * the sectors erase), one progress phase "write". *used false: nothing was touched, the
 * caller erases and programs phase by phase. */
static stp_status write_overlapped(prog_ctx *c, const stp_plan *plan, bool *used)
{
    stp_target *t = c->t;
    const uint32_t unit = plan->program_unit;
    const uint8_t erased = plan->erased_byte;
    *used = false;
    stp_sector *list = NULL;
    size_t n = 0, npieces = 0, cap = 16;
    bool mass = false;
    stp_status st = erase_list(c, plan, &list, &n, &mass);
    uint8_t **bufs = stp_calloc(plan->program_count ? plan->program_count : 1, sizeof(*bufs));
    stp_flash_piece *pieces = stp_calloc(cap, sizeof(*pieces));
    if (st == STP_OK && (bufs == NULL || pieces == NULL))
        st = STP_ERR_NOMEM;
    /* Progress counts the bytes programmed (a user's image size), the erased ones only when
     * nothing is programmed (erasing a range). */
    uint64_t total = 0, done = 0;
    /* Units that hold the erased value are already right on blank flash: left out. */
    for (size_t i = 0; st == STP_OK && i < plan->program_count; i++) {
        const stp_plan_range *r = &plan->program[i];
        bufs[i] = stp_malloc(r->len);
        if (bufs[i] == NULL) {
            st = STP_ERR_NOMEM;
            break;
        }
        compose(c, r->addr, bufs[i], r->len);
        for (uint32_t off = 0; st == STP_OK && off < r->len;) {
            if (unit_blank(bufs[i] + off, unit, erased)) {
                off += unit;
                continue;
            }
            uint32_t e = off;
            while (e < r->len && !unit_blank(bufs[i] + e, unit, erased))
                e += unit;
            if (npieces == cap) {
                stp_flash_piece *more = stp_realloc(pieces, 2 * cap * sizeof(*pieces));
                if (more == NULL) {
                    st = STP_ERR_NOMEM;
                    break;
                }
                pieces = more;
                cap *= 2;
            }
            pieces[npieces++] = (stp_flash_piece){r->addr + off, bufs[i] + off, e - off};
            total += e - off;
            off = e;
        }
    }
    const bool count_erased = total == 0;
    if (count_erased)
        total = plan->erase_bytes;
    if (st == STP_OK) {
        stp_flash_write_req req = {.erase = list,
                                   .erase_count = n,
                                   .mass = mass,
                                   .pieces = pieces,
                                   .piece_count = npieces,
                                   .phase = "write",
                                   .count_erased = count_erased,
                                   .start_phase = true,
                                   .progress_done = &done,
                                   .progress_total = total};
        st = stp_flash_write(&t->flash, &req, c->env, c->findings, used);
        if (*used)
            stp_progress_emit(c->env, STP_PROGRESS_END, "write", done, total);
    }
    for (size_t i = 0; bufs != NULL && i < plan->program_count; i++)
        stp_free(bufs[i]);
    stp_free(bufs);
    stp_free(pieces);
    stp_free(list);
    return st;
}

/* CRC of every sector the plan touched, on the target: ok[i] for the sectors that match
 * (the others, or all when the loader cannot run, are read back). */
static stp_status crc_verify(prog_ctx *c, const stp_plan *plan, bool *ok)
{
    size_t n = 0, k = 0;
    for (size_t i = 0; i < plan->sector_count; i++)
        n += plan->sectors[i].action != STP_PLAN_SKIP;
    if (n == 0)
        return STP_OK;
    uint32_t *addr = stp_calloc(n, sizeof(uint32_t)), *len = stp_calloc(n, sizeof(uint32_t));
    uint8_t **want = stp_calloc(n, sizeof(uint8_t *));
    bool *match = stp_calloc(n, sizeof(bool));
    stp_status st = (addr && len && want && match) ? STP_OK : STP_ERR_NOMEM;
    for (size_t i = 0; st == STP_OK && i < plan->sector_count; i++) {
        const stp_plan_sector *ps = &plan->sectors[i];
        if (ps->action == STP_PLAN_SKIP)
            continue;
        addr[k] = ps->addr;
        len[k] = ps->size;
        want[k] = stp_malloc(ps->size);
        if (want[k] == NULL) {
            st = STP_ERR_NOMEM;
            break;
        }
        compose(c, ps->addr, want[k], ps->size);
        k++;
    }
    bool used = false;
    if (st == STP_OK)
        st = stp_ops_crc_verify(c->t, addr, len, (const uint8_t *const *)want, n, match, &used,
                                c->findings);
    for (size_t i = 0, j = 0; st == STP_OK && used && i < plan->sector_count; i++)
        if (plan->sectors[i].action != STP_PLAN_SKIP)
            ok[i] = match[j++];
    for (size_t i = 0; want != NULL && i < n; i++)
        stp_free(want[i]);
    stp_free(addr);
    stp_free(len);
    stp_free(want);
    stp_free(match);
    return st;
}

static stp_status verify_phase(prog_ctx *c, const stp_plan *plan, stp_verify_result *res)
{
    uint64_t total = 0, done = 0;
    for (size_t i = 0; i < plan->sector_count; i++)
        if (plan->sectors[i].action != STP_PLAN_SKIP)
            total += plan->sectors[i].size;
    memset(res, 0, sizeof(*res));
    stp_status st = STP_OK;
    if (total == 0) {
        res->match = true;
        return STP_OK;
    }
    stp_progress_emit(c->env, STP_PROGRESS_START, "verify", 0, total);
    bool *crc_ok = stp_calloc(plan->sector_count ? plan->sector_count : 1, sizeof(bool));
    if (crc_ok == NULL)
        st = STP_ERR_NOMEM;
    if (st == STP_OK)
        st = crc_verify(c, plan, crc_ok);
    for (size_t i = 0; st == STP_OK && i < plan->sector_count; i++) {
        const stp_plan_sector *ps = &plan->sectors[i];
        if (ps->action == STP_PLAN_SKIP)
            continue;
        if (crc_ok[i]) { /* the CRC on the target matched: nothing to read back */
            res->compared += ps->size;
            done += ps->size;
            stp_progress_emit(c->env, STP_PROGRESS_ADVANCE, "verify", done, total);
            continue;
        }
        uint8_t *want = stp_malloc(ps->size), *got = stp_malloc(ps->size);
        if (want == NULL || got == NULL) {
            stp_free(want);
            stp_free(got);
            st = STP_ERR_NOMEM;
            break;
        }
        compose(c, ps->addr, want, ps->size);
        st = stp_ops_read(c->t, ps->addr, ps->size, got, c->env, "verify", &done, total,
                          c->findings);
        for (uint32_t k = 0; st == STP_OK && k < ps->size; k++) {
            if (want[k] == got[k])
                continue;
            if (res->mismatches == 0) {
                res->first_address = ps->addr + k;
                res->expected = want[k];
                res->actual = got[k];
            }
            res->mismatches++;
        }
        if (st == STP_OK)
            res->compared += ps->size;
        stp_free(want);
        stp_free(got);
    }
    stp_free(crc_ok);
    stp_progress_emit(c->env, STP_PROGRESS_END, "verify", done, total);
    res->match = (st == STP_OK && res->mismatches == 0);
    if (st == STP_OK && res->mismatches != 0) {
        stp_ops_mismatch_finding(res, c->findings);
        st = STP_ERR_VERIFY;
    }
    return st;
}

/* Erase and program as planned: the SRAM loader streaming both, or (when it cannot run)
 * phase by phase by direct register writes, each after the checks that refuse what is known
 * to fail. *touched: the flash may have changed. */
static stp_status execute(prog_ctx *c, const stp_plan *plan, bool *touched)
{
    *touched = false;
    if (plan->erase_count == 0 && plan->program_count == 0)
        return STP_OK;
    stp_status st = stp_ops_check_supply(c->t, c->findings);
    if (st != STP_OK)
        return st;
    stp_target_mark_changed(c->t);
    bool used = false;
    st = write_overlapped(c, plan, &used);
    *touched = used;
    if (st != STP_OK || used)
        return st;
    st = stp_ops_check_link(c->t, c->findings);
    *touched = st == STP_OK;
    if (st == STP_OK)
        st = erase_phase(c, plan);
    if (st == STP_OK)
        st = program_phase(c, plan);
    return st;
}

stp_status stp_ops_program(stp_target *t, const stp_image *img, const stp_program_options *opt,
                           const stp_env *env, const char *operation, stp_plan **plan_out,
                           stp_verify_result *verify, stp_findings *findings)
{
    stp_program_options defaults = {.verify = true};
    if (opt == NULL)
        opt = &defaults;
    if (plan_out != NULL)
        *plan_out = NULL;
    if (t == NULL || img == NULL)
        return STP_ERR_INVALID_ARG;
    prog_ctx c = {.t = t, .env = env, .findings = findings};
    stp_prog_journal pj;
    memset(&pj, 0, sizeof(pj));
    c.nsegs = stp_image_segment_count(img);
    c.segs = stp_calloc(c.nsegs ? c.nsegs : 1, sizeof(*c.segs));
    c.cur = stp_calloc(t->sector_count ? t->sector_count : 1, sizeof(*c.cur));
    c.owns = stp_calloc(t->sector_count ? t->sector_count : 1, sizeof(*c.owns));
    stp_plan *plan = NULL;
    stp_status st = (c.segs == NULL || c.cur == NULL || c.owns == NULL) ? STP_ERR_NOMEM : STP_OK;
    for (size_t i = 0; st == STP_OK && i < c.nsegs; i++)
        c.segs[i] = stp_image_segment(img, i);
    stp_flash_use_loader(&t->flash, !opt->no_loader);
    stp_flash_keep_loader(&t->flash, true); /* only the loader runs until the end */
    /* Refused before the target is touched (protection as last read, if it was), and again
     * with the option bytes just read, before any sector is read or erased. */
    if (st == STP_OK)
        st = check_image(&c);
    if (st == STP_OK)
        st = stp_ops_prepare(t, findings);
    /* An earlier failed write's journal: refused when damaged or another chip's, else its
     * sectors join the image. */
    if (st == STP_OK)
        st = stp_pj_open(&pj, t, env, operation, findings);
    if (st == STP_OK) {
        stp_segment *mine = c.segs;
        st = stp_pj_merge(&pj, &c.segs, &c.nsegs, findings);
        if (c.segs != mine)
            stp_free(mine);
    }
    if (st == STP_OK)
        st = check_image(&c);
    if (st == STP_OK)
        st = read_touched(&c);
    if (st == STP_OK) {
        stp_plan_input in = {
            .segments = c.segs,
            .segment_count = c.nsegs,
            .regions = t->regions,
            .region_count = t->sector_count,
            .current = opt->force ? NULL : (const uint8_t *const *)c.cur,
            .program_unit = t->flash.drv->program_unit(&t->flash),
            .erased_byte = t->flash.drv->erased_byte,
        };
        st = stp_plan_build(&in, &plan, findings);
    }
    if (st == STP_OK)
        stp_pj_account(&pj, plan);
    if (st == STP_OK && opt->on_plan != NULL)
        opt->on_plan(plan, opt->on_plan_user);
    bool touched = false;
    if (st == STP_OK && !opt->dry_run)
        st = stp_pj_save(&pj, t, plan, c.cur, findings);
    if (st == STP_OK && !opt->dry_run) {
        st = execute(&c, plan, &touched);
        if (st == STP_OK && opt->verify) {
            stp_verify_result local;
            st = verify_phase(&c, plan, verify ? verify : &local);
        }
    }
    stp_flash_keep_loader(&t->flash, false);
    stp_pj_close(&pj, st, opt->dry_run, touched, plan, findings);
    free_touched(&c);
    stp_free(c.segs);
    if (plan_out != NULL)
        *plan_out = plan;
    else
        stp_plan_free(plan);
    return st;
}

stp_status stp_program(stp_target *t, const stp_image *img, const stp_program_options *opt,
                       const stp_env *env, stp_plan **plan_out, stp_verify_result *verify,
                       stp_findings *findings)
{
    return stp_ops_program(t, img, opt, env, "write", plan_out, verify, findings);
}
