/* The sparse memory image: sorted, merged segments, each owning its bytes, plus a compact
 * log of where every added piece came from (so an overlap can name both places). Pieces that
 * arrive out of order are handled in image_defer.c. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "formats/image_priv.h"

typedef stp_seg seg;
typedef stp_run run;

stp_status stp_image_create(stp_image **out)
{
    if (out == NULL)
        return STP_ERR_INVALID_ARG;
    *out = stp_calloc(1, sizeof(stp_image));
    return *out != NULL ? STP_OK : STP_ERR_NOMEM;
}

void stp_image_destroy(stp_image *img)
{
    if (img == NULL)
        return;
    for (size_t i = 0; i < img->nsegs; i++)
        stp_free(img->segs[i].buf);
    for (size_t i = 0; i < img->nnames; i++)
        stp_free(img->names[i]);
    stp_free(img->segs);
    stp_free(img->runs);
    stp_free(img->pend);
    stp_free(img->arena);
    stp_free(img->names);
    stp_free(img);
}

bool stp_grow_array(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need)
        ncap *= 2;
    void *p = stp_realloc_array(*arr, ncap, elem);
    if (p == NULL)
        return false;
    *arr = p;
    *cap = ncap;
    return true;
}

/* Room for need bytes of data (from head on). */
static bool seg_reserve(seg *s, uint64_t need)
{
    if (s->head + need <= s->cap)
        return true;
    uint64_t ncap = s->cap ? (uint64_t)s->cap * 2 : 256;
    if (ncap < s->head + need)
        ncap = s->head + need;
    if (ncap > SIZE_MAX)
        return false;
    uint8_t *p = stp_realloc(s->buf, (size_t)ncap);
    if (p == NULL)
        return false;
    s->buf = p;
    s->cap = (size_t)ncap;
    return true;
}

/* Puts len bytes in front of the segment's data. */
static bool seg_prepend(seg *s, const void *data, size_t len)
{
    if (s->head < len) {
        uint64_t room = (uint64_t)len > s->size ? len : s->size; /* doubles as it grows */
        uint64_t tail = s->cap - s->head - s->size;
        uint64_t ncap = room + s->size + tail;
        if (ncap > SIZE_MAX)
            return false;
        uint8_t *p = stp_malloc((size_t)ncap);
        if (p == NULL)
            return false;
        memcpy(p + room, stp_seg_data(s), s->size);
        stp_free(s->buf);
        s->buf = p;
        s->head = (size_t)room;
        s->cap = (size_t)ncap;
    }
    s->head -= len;
    memcpy(stp_seg_data(s), data, len);
    return true;
}

void stp_origin_format(char *buf, size_t cap, const char *name, stp_origin_kind kind, uint64_t n)
{
    const char *nm = name != NULL && name[0] != '\0' ? name : "<input>";
    switch (kind) {
    case STP_ORIGIN_LINE:
        snprintf(buf, cap, "%s:%llu", nm, (unsigned long long)n);
        break;
    case STP_ORIGIN_PHDR:
        snprintf(buf, cap, "%s program header %llu", nm, (unsigned long long)n);
        break;
    case STP_ORIGIN_OFFSET:
        snprintf(buf, cap, "%s offset 0x%llX", nm, (unsigned long long)n);
        break;
    case STP_ORIGIN_NONE:
    default:
        snprintf(buf, cap, "%s", nm);
        break;
    }
}

/* Index of name in the name table, adding it when it differs from the last one. Returns
 * false on allocation failure. */
static bool intern_name(stp_image *img, const char *name, uint32_t *index)
{
    const char *nm = name != NULL ? name : "";
    if (img->nnames > 0 && strcmp(img->names[img->nnames - 1], nm) == 0) {
        *index = (uint32_t)(img->nnames - 1);
        return true;
    }
    for (size_t i = 0; i + 1 < img->nnames && i < 8; i++) {
        if (strcmp(img->names[i], nm) == 0) {
            *index = (uint32_t)i;
            return true;
        }
    }
    if (img->nnames >= RUN_NAME_MASK)
        return false;
    if (!stp_grow_array((void **)&img->names, &img->capnames, img->nnames + 1, sizeof(char *)))
        return false;
    char *copy = stp_strdup(nm);
    if (copy == NULL)
        return false;
    img->names[img->nnames] = copy;
    *index = (uint32_t)img->nnames++;
    return true;
}

void stp_image_describe_run(const stp_image *img, size_t index, char *buf, size_t cap)
{
    const run *r = &img->runs[index];
    stp_origin_format(buf, cap, img->names[r->name_kind & RUN_NAME_MASK],
                      (stp_origin_kind)(r->name_kind >> RUN_KIND_SHIFT), r->n);
}

void stp_image_describe_owner(const stp_image *img, uint32_t addr, char *buf, size_t cap)
{
    for (size_t i = img->nruns; i-- > 0;) {
        const run *r = &img->runs[i];
        if ((r->name_kind & RUN_DEFERRED) == 0 && addr >= r->addr &&
            (uint64_t)addr < (uint64_t)r->addr + r->len) {
            stp_image_describe_run(img, i, buf, cap);
            return;
        }
    }
    snprintf(buf, cap, "earlier data");
}

size_t stp_image_log_run(stp_image *img, uint64_t addr, size_t len, const char *name,
                         stp_origin_kind kind, uint32_t n, bool deferred)
{
    uint32_t name_index;
    if (!intern_name(img, name, &name_index) ||
        !stp_grow_array((void **)&img->runs, &img->capruns, img->nruns + 1, sizeof(run)))
        return (size_t)-1;
    run *r = &img->runs[img->nruns];
    r->addr = (uint32_t)addr;
    r->len = (uint32_t)len;
    r->name_kind = name_index | ((uint32_t)kind << RUN_KIND_SHIFT) | (deferred ? RUN_DEFERRED : 0);
    r->n = n;
    return img->nruns++;
}

static stp_status overlap_error(const stp_image *img, const seg *s, uint64_t addr, size_t len,
                                const char *name, stp_origin_kind kind, uint32_t n,
                                stp_findings *findings)
{
    uint64_t lo = addr > s->addr ? addr : s->addr;
    uint64_t end = addr + len, send = (uint64_t)s->addr + s->size;
    uint64_t hi = (end < send ? end : send) - 1;
    char earlier[160];
    stp_image_describe_owner(img, (uint32_t)lo, earlier, sizeof(earlier));
    stp_finding *f = stp_file_error(findings, "file.overlap", name, kind, n,
                                    "data at 0x%08llX..0x%08llX overlaps data from %s",
                                    (unsigned long long)lo, (unsigned long long)hi, earlier);
    stp_finding_evidence(f, "earlier", "%s", earlier);
    stp_finding_evidence(f, "range", "0x%08llX..0x%08llX", (unsigned long long)lo,
                         (unsigned long long)hi);
    return STP_ERR_OVERLAP;
}

/* Number of segments whose start address is <= addr. */
static size_t upper_bound(const stp_image *img, uint64_t addr)
{
    size_t lo = 0, hi = img->nsegs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (img->segs[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void size_text(char *buf, size_t cap, uint64_t bytes)
{
    if (bytes >= (1ull << 30) && bytes % (1ull << 30) == 0)
        snprintf(buf, cap, "%llu GiB", (unsigned long long)(bytes >> 30));
    else if (bytes >= (1ull << 20) && bytes % (1ull << 20) == 0)
        snprintf(buf, cap, "%llu MiB", (unsigned long long)(bytes >> 20));
    else if (bytes >= (1ull << 20))
        snprintf(buf, cap, "%.1f MiB", (double)bytes / (double)(1ull << 20));
    else if (bytes >= 1024u && bytes % 1024u == 0)
        snprintf(buf, cap, "%llu KiB", (unsigned long long)(bytes >> 10));
    else
        snprintf(buf, cap, "%llu bytes", (unsigned long long)bytes);
}

void stp_image_set_max_bytes(stp_image *img, uint64_t max_bytes, const char *what)
{
    if (img == NULL)
        return;
    img->max_bytes = max_bytes;
    char size[32];
    size_text(size, sizeof(size), max_bytes);
    if (what != NULL && what[0] != '\0')
        snprintf(img->max_what, sizeof(img->max_what), "%s (%s)", what, size);
    else
        snprintf(img->max_what, sizeof(img->max_what), "%s", size);
}

uint64_t stp_image_max_bytes(const stp_image *img)
{
    return img != NULL ? img->max_bytes : 0;
}

const char *stp_image_max_what(const stp_image *img)
{
    return img != NULL ? img->max_what : "";
}

stp_status stp_image_check_room(const stp_image *img, uint64_t addr, size_t len, const char *name,
                                stp_origin_kind kind, uint32_t n, stp_findings *findings)
{
    if (addr >= STP_ADDR_SPACE || (uint64_t)len > STP_ADDR_SPACE - addr)
        return stp_file_fail(findings, STP_ERR_RANGE, "file.address-range", name, kind, n,
                             "data at 0x%llX..0x%llX lies past the 4 GiB address space",
                             (unsigned long long)addr,
                             (unsigned long long)(addr + (uint64_t)len - 1));
    if (img->total + img->arena_len + len >= STP_ADDR_SPACE)
        return stp_file_fail(findings, STP_ERR_RANGE, "file.address-range", name, kind, n,
                             "image would cover the whole 4 GiB address space");
    uint64_t would = img->total + img->arena_len + len;
    if (img->max_bytes != 0 && would > img->max_bytes) {
        char size[32];
        size_text(size, sizeof(size), would);
        stp_finding *f =
            stp_file_error(findings, "file.too-large", name, kind, n,
                           "data at 0x%08llX..0x%08llX brings the image to %s, more than %s",
                           (unsigned long long)addr, (unsigned long long)(addr + (uint64_t)len - 1),
                           size, img->max_what);
        stp_finding_evidence(f, "image_bytes", "%llu", (unsigned long long)would);
        stp_finding_evidence(f, "limit_bytes", "%llu", (unsigned long long)img->max_bytes);
        stp_finding_advice(f, "%s", STP_TOO_LARGE_INPUT_ADVICE);
        return STP_ERR_RANGE;
    }
    return STP_OK;
}

stp_status stp_image_add_from(stp_image *img, uint64_t addr, const void *data, size_t len,
                              const char *name, stp_origin_kind kind, uint32_t n,
                              stp_findings *findings)
{
    if (img == NULL || (data == NULL && len > 0))
        return STP_ERR_INVALID_ARG;
    if (len == 0)
        return STP_OK;
    stp_status st = stp_image_check_room(img, addr, len, name, kind, n, findings);
    if (st != STP_OK)
        return st;

    size_t idx = img->nsegs; /* in-order fast path: after the last segment */
    if (img->nsegs > 0 &&
        addr < (uint64_t)img->segs[img->nsegs - 1].addr + img->segs[img->nsegs - 1].size)
        idx = upper_bound(img, addr);
    seg *prev = idx > 0 ? &img->segs[idx - 1] : NULL;
    seg *next = idx < img->nsegs ? &img->segs[idx] : NULL;
    uint64_t end = addr + len;
    if (prev != NULL && (uint64_t)prev->addr + prev->size > addr)
        return overlap_error(img, prev, addr, len, name, kind, n, findings);
    if (next != NULL && end > next->addr)
        return overlap_error(img, next, addr, len, name, kind, n, findings);

    /* Everything that can fail is allocated before the image changes. */
    uint32_t name_index;
    if (!intern_name(img, name, &name_index) ||
        !stp_grow_array((void **)&img->runs, &img->capruns, img->nruns + 1, sizeof(run)))
        return STP_ERR_NOMEM;
    (void)name_index;
    bool join_prev = prev != NULL && (uint64_t)prev->addr + prev->size == addr;
    bool join_next = next != NULL && end == next->addr;

    if (join_prev) {
        uint64_t need = (uint64_t)prev->size + len + (join_next ? next->size : 0);
        if (!seg_reserve(prev, need))
            return STP_ERR_NOMEM;
        memcpy(stp_seg_data(prev) + prev->size, data, len);
        prev->size += (uint32_t)len;
        if (join_next) {
            memcpy(stp_seg_data(prev) + prev->size, stp_seg_data(next), next->size);
            prev->size += next->size;
            stp_free(next->buf);
            memmove(next, next + 1, (img->nsegs - idx - 1) * sizeof(seg));
            img->nsegs--;
        }
    } else if (join_next) {
        if (!seg_prepend(next, data, len))
            return STP_ERR_NOMEM;
        next->addr = (uint32_t)addr;
        next->size += (uint32_t)len;
    } else {
        if (!stp_grow_array((void **)&img->segs, &img->capsegs, img->nsegs + 1, sizeof(seg)))
            return STP_ERR_NOMEM;
        seg s = {(uint32_t)addr, 0, 0, 0, NULL};
        if (!seg_reserve(&s, len))
            return STP_ERR_NOMEM;
        memcpy(stp_seg_data(&s), data, len);
        s.size = (uint32_t)len;
        memmove(&img->segs[idx + 1], &img->segs[idx], (img->nsegs - idx) * sizeof(seg));
        img->segs[idx] = s;
        img->nsegs++;
    }
    /* cannot fail: the name is interned and the run array has room */
    (void)stp_image_log_run(img, addr, len, name, kind, n, false);
    img->total += len;
    return STP_OK;
}

stp_status stp_image_add_piece(stp_image *img, uint64_t addr, const void *data, size_t len,
                               const char *name, stp_origin_kind kind, uint32_t n,
                               stp_findings *findings)
{
    if (img == NULL || (data == NULL && len > 0))
        return STP_ERR_INVALID_ARG;
    if (len == 0)
        return STP_OK;
    bool in_order =
        img->npend == 0 && (img->nsegs == 0 || addr >= (uint64_t)img->segs[img->nsegs - 1].addr +
                                                           img->segs[img->nsegs - 1].size);
    if (in_order)
        return stp_image_add_from(img, addr, data, len, name, kind, n, findings);
    stp_status st = stp_image_check_room(img, addr, len, name, kind, n, findings);
    if (st != STP_OK)
        return st;
    return stp_image_defer(img, addr, data, len, name, kind, n);
}

stp_status stp_image_add(stp_image *img, uint64_t addr, const void *data, size_t len,
                         const char *origin, stp_findings *findings)
{
    return stp_image_add_from(img, addr, data, len, origin, STP_ORIGIN_NONE, 0, findings);
}

size_t stp_image_segment_count(const stp_image *img)
{
    return img != NULL ? img->nsegs : 0;
}

stp_segment stp_image_segment(const stp_image *img, size_t index)
{
    stp_segment s = {0, 0, NULL};
    if (img != NULL && index < img->nsegs) {
        s.addr = img->segs[index].addr;
        s.size = img->segs[index].size;
        s.data = stp_seg_data(&img->segs[index]);
    }
    return s;
}

uint64_t stp_image_total_bytes(const stp_image *img)
{
    return img != NULL ? img->total : 0;
}

bool stp_image_has_entry(const stp_image *img)
{
    return img != NULL && img->has_entry;
}

uint32_t stp_image_entry(const stp_image *img)
{
    return img != NULL ? img->entry : 0;
}

stp_format stp_image_source_format(const stp_image *img)
{
    return img != NULL ? img->source_format : STP_FORMAT_AUTO;
}

void stp_image_set_entry(stp_image *img, uint32_t entry)
{
    if (img == NULL)
        return;
    img->entry = entry;
    img->has_entry = true;
}

size_t stp_image_read(const stp_image *img, uint32_t addr, void *buf, size_t len, uint8_t fill)
{
    if (buf == NULL || len == 0)
        return 0;
    memset(buf, fill, len);
    if (img == NULL || img->nsegs == 0)
        return 0;
    uint64_t end = (uint64_t)addr + len;
    size_t i = upper_bound(img, addr);
    if (i > 0)
        i--; /* the segment starting at or before addr may cover it */
    size_t covered = 0;
    for (; i < img->nsegs && img->segs[i].addr < end; i++) {
        const seg *s = &img->segs[i];
        uint64_t send = (uint64_t)s->addr + s->size;
        uint64_t lo = s->addr > addr ? s->addr : addr;
        uint64_t hi = send < end ? send : end;
        if (lo >= hi)
            continue;
        memcpy((uint8_t *)buf + (lo - addr), stp_seg_data(s) + (lo - s->addr), (size_t)(hi - lo));
        covered += (size_t)(hi - lo);
    }
    return covered;
}
