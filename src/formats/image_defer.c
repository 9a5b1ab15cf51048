/* Out-of-order pieces: queued in an arena while a file is read, then sorted and merged with
 * the segments in one pass, which is also where overlaps among them are found. Keeps files
 * whose records come in any order at O(n log n) instead of one segment-array insert each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "formats/image_priv.h"

stp_status stp_image_defer(stp_image *img, uint64_t addr, const void *data, size_t len,
                           const char *name, stp_origin_kind kind, uint32_t n)
{
    if (!stp_grow_array((void **)&img->pend, &img->cappend, img->npend + 1, sizeof(stp_piece)))
        return STP_ERR_NOMEM;
    if (len > img->arena_cap - img->arena_len) {
        size_t cap = img->arena_cap ? img->arena_cap : 4096;
        while (cap - img->arena_len < len) {
            if (cap > SIZE_MAX / 2)
                return STP_ERR_NOMEM;
            cap *= 2;
        }
        uint8_t *p = stp_realloc(img->arena, cap);
        if (p == NULL)
            return STP_ERR_NOMEM;
        img->arena = p;
        img->arena_cap = cap;
    }
    size_t run = stp_image_log_run(img, addr, len, name, kind, n, true);
    if (run == (size_t)-1)
        return STP_ERR_NOMEM;
    stp_piece *p = &img->pend[img->npend++];
    p->addr = addr;
    p->off = img->arena_len;
    p->len = (uint32_t)len;
    p->run = (uint32_t)run;
    memcpy(img->arena + img->arena_len, data, len);
    img->arena_len += len;
    return STP_OK;
}

void stp_image_discard_pending(stp_image *img)
{
    img->npend = 0;
    img->arena_len = 0; /* their runs stay flagged deferred: never named as owners */
}

static int piece_cmp(const void *a, const void *b)
{
    const stp_piece *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    return x->run < y->run ? -1 : x->run > y->run;
}

/* One item of the merge: an existing segment or a queued piece. */
typedef struct item {
    uint64_t addr, end;
    bool is_seg;
    size_t index;
} item;

/* A run of touching items that becomes one segment. */
typedef struct group {
    uint64_t addr, end;
    size_t seg_lo, seg_hi; /* segments [seg_lo, seg_hi) */
    size_t pend_lo, pend_hi;
} group;

static void item_origin(const stp_image *img, const item *it, uint64_t addr, size_t *run, char *buf,
                        size_t cap)
{
    if (it->is_seg) {
        *run = 0;
        /* the most recent committed run covering addr, and its index for ordering */
        for (size_t i = img->nruns; i-- > 0;) {
            const stp_run *r = &img->runs[i];
            if ((r->name_kind & RUN_DEFERRED) == 0 && addr >= r->addr &&
                addr < (uint64_t)r->addr + r->len) {
                *run = i;
                break;
            }
        }
        stp_image_describe_owner(img, (uint32_t)addr, buf, cap);
    } else {
        *run = img->pend[it->index].run;
        stp_image_describe_run(img, *run, buf, cap);
    }
}

static stp_status report_overlap(const stp_image *img, const item *prev, const item *cur,
                                 stp_findings *findings)
{
    uint64_t lo = cur->addr, hi = (prev->end < cur->end ? prev->end : cur->end) - 1;
    char a[160], b[160];
    size_t ra, rb;
    item_origin(img, prev, lo, &ra, a, sizeof(a));
    item_origin(img, cur, lo, &rb, b, sizeof(b));
    const char *earlier = rb > ra ? a : b;
    const stp_run *r = &img->runs[rb > ra ? rb : ra];
    stp_finding *f =
        stp_file_error(findings, "file.overlap", img->names[r->name_kind & RUN_NAME_MASK],
                       (stp_origin_kind)(r->name_kind >> RUN_KIND_SHIFT), r->n,
                       "data at 0x%08llX..0x%08llX overlaps data from %s", (unsigned long long)lo,
                       (unsigned long long)hi, earlier);
    stp_finding_evidence(f, "earlier", "%s", earlier);
    stp_finding_evidence(f, "range", "0x%08llX..0x%08llX", (unsigned long long)lo,
                         (unsigned long long)hi);
    return STP_ERR_OVERLAP;
}

/* Pass 1: walks segments and sorted pieces in address order, forming groups of touching
 * items; fails on the first overlap. */
static stp_status plan_groups(const stp_image *img, group *groups, size_t *ngroups,
                              stp_findings *findings)
{
    size_t i = 0, j = 0, ng = 0;
    item prev = {0, 0, false, 0};
    bool open = false;
    while (i < img->nsegs || j < img->npend) {
        item it;
        bool take_seg =
            j >= img->npend || (i < img->nsegs && (uint64_t)img->segs[i].addr <= img->pend[j].addr);
        if (take_seg) {
            it =
                (item){img->segs[i].addr, (uint64_t)img->segs[i].addr + img->segs[i].size, true, i};
            i++;
        } else {
            it = (item){img->pend[j].addr, img->pend[j].addr + img->pend[j].len, false, j};
            j++;
        }
        if (open && it.addr < groups[ng - 1].end)
            return report_overlap(img, &prev, &it, findings);
        if (!open || it.addr > groups[ng - 1].end) {
            groups[ng++] = (group){it.addr,
                                   it.end,
                                   take_seg ? it.index : i,
                                   take_seg ? it.index : i,
                                   take_seg ? j : it.index,
                                   take_seg ? j : it.index};
            open = true;
        }
        group *g = &groups[ng - 1];
        g->end = it.end;
        if (take_seg)
            g->seg_hi = it.index + 1;
        else
            g->pend_hi = it.index + 1;
        prev = it;
    }
    *ngroups = ng;
    return STP_OK;
}

stp_status stp_image_settle(stp_image *img, stp_findings *findings)
{
    if (img == NULL || img->npend == 0)
        return STP_OK;
    qsort(img->pend, img->npend, sizeof(stp_piece), piece_cmp);
    size_t max_groups = img->nsegs + img->npend, ngroups = 0;
    group *groups = stp_calloc(max_groups, sizeof(group));
    stp_seg *segs = stp_calloc(max_groups, sizeof(stp_seg));
    stp_status st = groups != NULL && segs != NULL ? STP_OK : STP_ERR_NOMEM;
    if (st == STP_OK)
        st = plan_groups(img, groups, &ngroups, findings);
    /* Pass 2: a group that is one untouched segment keeps its buffer; others get a new one. */
    size_t built = 0;
    for (; st == STP_OK && built < ngroups; built++) {
        const group *g = &groups[built];
        stp_seg *s = &segs[built];
        if (g->pend_lo == g->pend_hi && g->seg_hi - g->seg_lo == 1) {
            *s = img->segs[g->seg_lo];
            continue;
        }
        size_t size = (size_t)(g->end - g->addr);
        *s = (stp_seg){(uint32_t)g->addr, (uint32_t)size, 0, size, stp_malloc(size)};
        if (s->buf == NULL) {
            st = STP_ERR_NOMEM;
            break;
        }
        for (size_t k = g->seg_lo; k < g->seg_hi; k++)
            memcpy(s->buf + (img->segs[k].addr - g->addr), stp_seg_data(&img->segs[k]),
                   img->segs[k].size);
        for (size_t k = g->pend_lo; k < g->pend_hi; k++)
            memcpy(s->buf + (img->pend[k].addr - g->addr), img->arena + img->pend[k].off,
                   img->pend[k].len);
    }
    if (st != STP_OK) {
        for (size_t k = 0; segs != NULL && k < built; k++) {
            const group *g = &groups[k];
            if (!(g->pend_lo == g->pend_hi && g->seg_hi - g->seg_lo == 1))
                stp_free(segs[k].buf);
        }
        stp_free(groups);
        stp_free(segs);
        stp_image_discard_pending(img);
        return st;
    }
    /* Commit: free the buffers of merged segments, take the new array. */
    for (size_t k = 0; k < ngroups; k++) {
        const group *g = &groups[k];
        if (g->pend_lo == g->pend_hi && g->seg_hi - g->seg_lo == 1)
            continue;
        for (size_t m = g->seg_lo; m < g->seg_hi; m++)
            stp_free(img->segs[m].buf);
    }
    for (size_t k = 0; k < img->npend; k++) {
        img->runs[img->pend[k].run].name_kind &= ~RUN_DEFERRED;
        img->total += img->pend[k].len;
    }
    stp_free(img->segs);
    stp_free(groups);
    img->segs = segs;
    img->nsegs = ngroups;
    img->capsegs = max_groups;
    stp_free(img->arena);
    img->arena = NULL;
    img->arena_len = img->arena_cap = 0;
    img->npend = 0;
    return STP_OK;
}

void stp_image_settle_discard(stp_image *img)
{
    if (img != NULL)
        stp_image_discard_pending(img);
}
