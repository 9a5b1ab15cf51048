/* The journal of one program operation: find the chip's journal, merge an old one into the
 * image (its bytes win over what the flash holds now), save the kept sectors before the
 * first erase, and remove or point at the journal afterwards. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "ops/journal.h"
#include "ops/ops_internal.h"

stp_status stp_pj_open(stp_prog_journal *pj, const stp_target *t, const stp_env *env,
                       const char *operation, stp_findings *findings)
{
    memset(pj, 0, sizeof(*pj));
    pj->operation = operation;
    return stp_journal_open_for(t, env, &pj->old, pj->path, sizeof(pj->path), findings);
}

/* Adds the parts of [addr, addr+len) of data that no sector of j covers. */
static stp_status add_outside(stp_image *m, const stp_journal *j, uint32_t addr, uint32_t len,
                              const uint8_t *data, stp_findings *findings)
{
    uint64_t pos = addr, end = (uint64_t)addr + len;
    stp_status st = STP_OK;
    for (size_t i = 0; st == STP_OK && pos < end; i++) {
        uint64_t s = i < j->count ? j->sectors[i].addr : end;
        uint64_t e = i < j->count ? s + j->sectors[i].size : end;
        if (e <= pos)
            continue;
        uint64_t stop = s < end ? s : end;
        if (stop > pos)
            st =
                stp_image_add(m, pos, data + (pos - addr), (size_t)(stop - pos), "image", findings);
        pos = e > pos ? e : pos;
    }
    return st;
}

/* Bytes of [addr, addr+len) the segments cover. */
static uint32_t covered_bytes(const stp_segment *segs, size_t n, uint32_t addr, uint32_t len)
{
    uint64_t have = 0, end = (uint64_t)addr + len;
    for (size_t i = 0; i < n; i++) {
        uint64_t a = segs[i].addr > addr ? segs[i].addr : addr;
        uint64_t e = (uint64_t)segs[i].addr + segs[i].size;
        e = e < end ? e : end;
        if (e > a)
            have += e - a;
    }
    return (uint32_t)have;
}

void stp_pj_account(const stp_prog_journal *pj, stp_plan *plan)
{
    for (size_t i = 0; pj->kept != NULL && plan != NULL && i < plan->sector_count; i++) {
        stp_plan_sector *ps = &plan->sectors[i];
        for (size_t k = 0; k < pj->old->count; k++) {
            if (pj->old->sectors[k].addr != ps->addr || pj->kept[k] > ps->image_bytes)
                continue;
            ps->image_bytes -= pj->kept[k];
            plan->image_bytes -= pj->kept[k];
            if (ps->action != STP_PLAN_SKIP) {
                ps->restore_bytes += pj->kept[k];
                plan->restore_bytes += pj->kept[k];
            }
        }
    }
}

stp_status stp_pj_merge(stp_prog_journal *pj, stp_segment **segs, size_t *n, stp_findings *findings)
{
    if (pj->old == NULL || pj->old->count == 0)
        return STP_OK;
    stp_image *m = NULL;
    stp_status st = stp_image_create(&m);
    pj->kept = stp_calloc(pj->old->count, sizeof(*pj->kept));
    if (st == STP_OK && pj->kept == NULL)
        st = STP_ERR_NOMEM;
    for (size_t i = 0; st == STP_OK && i < pj->old->count; i++) {
        const stp_journal_sector *s = &pj->old->sectors[i];
        uint8_t *buf = stp_malloc(s->size);
        if (buf == NULL) {
            st = STP_ERR_NOMEM;
            break;
        }
        memcpy(buf, s->data, s->size);
        stp_ops_overlay(*segs, *n, s->addr, buf, s->size);
        pj->kept[i] = s->size - covered_bytes(*segs, *n, s->addr, s->size);
        st = stp_image_add(m, s->addr, buf, s->size, "journal", findings);
        stp_free(buf);
    }
    for (size_t i = 0; st == STP_OK && i < *n; i++)
        st = add_outside(m, pj->old, (*segs)[i].addr, (*segs)[i].size, (*segs)[i].data, findings);
    stp_segment *out = NULL;
    size_t count = st == STP_OK ? stp_image_segment_count(m) : 0;
    if (st == STP_OK) {
        out = stp_calloc(count ? count : 1, sizeof(*out));
        if (out == NULL)
            st = STP_ERR_NOMEM;
    }
    if (st != STP_OK) {
        stp_image_destroy(m);
        return st;
    }
    for (size_t i = 0; i < count; i++)
        out[i] = stp_image_segment(m, i);
    pj->merged = m;
    *segs = out;
    *n = count;
    return STP_OK;
}

stp_status stp_pj_save(stp_prog_journal *pj, const stp_target *t, const stp_plan *plan,
                       uint8_t *const *cur, stp_findings *findings)
{
    if (pj->path[0] == '\0')
        return STP_OK;
    pj->next = stp_journal_new(t, pj->operation);
    if (pj->next == NULL)
        return STP_ERR_NOMEM;
    stp_status st = STP_OK;
    for (size_t i = 0; st == STP_OK && pj->old != NULL && i < pj->old->count; i++) {
        const stp_journal_sector *s = &pj->old->sectors[i];
        st = stp_journal_add(pj->next, s->addr, s->size, s->number, s->bank, s->data);
    }
    for (size_t i = 0; st == STP_OK && i < plan->sector_count; i++) {
        const stp_plan_sector *ps = &plan->sectors[i];
        if (ps->action != STP_PLAN_ERASE || ps->image_bytes == ps->size)
            continue; /* not erased, or holding nothing but image bytes */
        size_t r = stp_ops_region_of(t, ps->addr);
        if (r < t->sector_count && cur[r] != NULL)
            st = stp_journal_add(pj->next, ps->addr, ps->size, ps->number, ps->bank, cur[r]);
    }
    if (st == STP_OK && pj->next->count > 0) {
        if (pj->old != NULL)
            pj->next->created = pj->old->created; /* the bytes are from before that write */
        st = stp_journal_save(pj->next, pj->path, findings);
        pj->saved = st == STP_OK;
    }
    return st;
}

/* How many of the old journal's sectors the plan left alone (they held the bytes already). */
static size_t already_in_place(const stp_journal *old, const stp_plan *plan)
{
    size_t n = 0;
    for (size_t i = 0; plan != NULL && i < plan->sector_count; i++)
        if (plan->sectors[i].action == STP_PLAN_SKIP &&
            stp_journal_find(old, plan->sectors[i].addr) != NULL)
            n++;
    return n;
}

static void report_old(const stp_prog_journal *pj, const stp_plan *plan, bool dry_run,
                       stp_findings *findings)
{
    const stp_journal *old = pj->old;
    char sectors[96];
    stp_journal_sector_list(old, sectors, sizeof(sectors));
    size_t in_place = already_in_place(old, plan);
    uint64_t kept = 0;
    for (size_t i = 0; pj->kept != NULL && i < old->count; i++)
        kept += pj->kept[i];
    stp_finding *f;
    if (dry_run)
        f = stp_finding_add(findings, "journal.pending", STP_SEV_INFO,
                            "this %s would put back %llu saved bytes of sector(s) %s (those "
                            "the image does not replace) from the journal %s that a failed %s "
                            "left",
                            pj->operation, (unsigned long long)kept, sectors, pj->path,
                            old->operation);
    else
        f = stp_finding_add(findings, "journal.applied", STP_SEV_INFO,
                            "put back %llu saved bytes of sector(s) %s (those the image does "
                            "not replace) from the journal %s that a failed %s left%s; the "
                            "journal is removed",
                            (unsigned long long)kept, sectors, pj->path, old->operation,
                            in_place == old->count ? " (the flash held them already)" : "");
    stp_finding_evidence(f, "journal", "%s", pj->path);
    stp_finding_evidence(f, "sectors", "%s", sectors);
    stp_finding_evidence(f, "bytes_put_back", "%llu", (unsigned long long)kept);
    stp_finding_evidence(f, "bytes_saved", "%llu", (unsigned long long)stp_journal_bytes(old));
    stp_finding_evidence(f, "sectors_in_place", "%zu of %zu", in_place, old->count);
}

static void report_saved(const stp_prog_journal *pj, stp_findings *findings)
{
    const stp_journal *j = pj->next;
    char sectors[96];
    stp_journal_sector_list(j, sectors, sizeof(sectors));
    stp_finding *f =
        stp_finding_add(findings, "journal.kept-bytes-saved", STP_SEV_ERROR,
                        "the %s did not finish; the %llu bytes of sector(s) %s it "
                        "was to keep are safe in %s",
                        pj->operation, (unsigned long long)stp_journal_bytes(j), sectors, pj->path);
    stp_finding_evidence(f, "journal", "%s", pj->path);
    stp_finding_evidence(f, "sectors", "%s", sectors);
    stp_finding_evidence(f, "bytes", "%llu", (unsigned long long)stp_journal_bytes(j));
    stp_finding_advice(f, "fix the cause, then run the same command again (or any write or "
                          "erase, or `stprog recover`) on this chip: the saved bytes are "
                          "written back first. `stprog recover --discard` drops them");
}

void stp_pj_close(stp_prog_journal *pj, stp_status st, bool dry_run, bool touched,
                  const stp_plan *plan, stp_findings *findings)
{
    /* `recover` writes the journal itself as its image and says so itself. */
    bool recovering = pj->operation != NULL && strcmp(pj->operation, "recover") == 0;
    if (pj->old != NULL && pj->old->count > 0 && (dry_run || st == STP_OK) && !recovering)
        report_old(pj, plan, dry_run, findings);
    if (!dry_run && st == STP_OK && (pj->saved || pj->old != NULL))
        (void)stp_journal_remove(pj->path, findings);
    else if (!dry_run && st != STP_OK && pj->saved && !touched && pj->old == NULL)
        (void)stp_journal_remove(pj->path, findings); /* refused before any change */
    else if (!dry_run && st != STP_OK && pj->saved)
        report_saved(pj, findings);
    stp_journal_free(pj->old);
    stp_journal_free(pj->next);
    stp_image_destroy(pj->merged);
    stp_free(pj->kept);
    memset(pj, 0, sizeof(*pj));
}
