/* The program planner: image + flash geometry (+ current contents) -> which sectors to
 * erase, program without erasing, or skip, which bytes to program and which to restore.
 * Pure: no probe, no I/O; every decision is visible in the returned plan. */
#include "stprog/plan.h"

#include <string.h>

#include "core/alloc.h"

/* A piece of the image that falls inside one region. */
typedef struct piece {
    size_t region;
    uint32_t addr;
    uint32_t len;
    const uint8_t *data;
} piece;

typedef struct range_list {
    stp_plan_range *items;
    size_t count;
    size_t cap;
} range_list;

static bool range_push(range_list *l, uint32_t addr, uint32_t len)
{
    if (len == 0)
        return true;
    if (l->count > 0) {
        stp_plan_range *last = &l->items[l->count - 1];
        if (addr <= last->addr + last->len) { /* sorted input: merge touching ranges */
            uint32_t end = addr + len;
            if (end > last->addr + last->len)
                last->len = end - last->addr;
            return true;
        }
    }
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        stp_plan_range *items = stp_realloc_array(l->items, cap, sizeof(*items));
        if (items == NULL)
            return false;
        l->items = items;
        l->cap = cap;
    }
    l->items[l->count].addr = addr;
    l->items[l->count].len = len;
    l->count++;
    return true;
}

const char *stp_plan_action_name(stp_plan_action action)
{
    switch (action) {
    case STP_PLAN_ERASE:
        return "erase";
    case STP_PLAN_PROGRAM_ONLY:
        return "program";
    case STP_PLAN_SKIP:
        return "skip";
    }
    return "?";
}

void stp_plan_free(stp_plan *plan)
{
    if (plan == NULL)
        return;
    stp_free(plan->sectors);
    stp_free(plan->program);
    stp_free(plan->restore);
    stp_free(plan);
}

size_t stp_plan_region_index(const stp_flash_region *regions, size_t count, uint32_t addr)
{
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const stp_flash_region *r = &regions[mid];
        if (addr < r->addr)
            hi = mid;
        else if (addr - r->addr >= r->size)
            lo = mid + 1;
        else
            return mid;
    }
    return count;
}

/* Index of the region containing addr, or region_count. */
static size_t find_region(const stp_plan_input *in, uint32_t addr)
{
    return stp_plan_region_index(in->regions, in->region_count, addr);
}

/* First region starting above addr (to measure how far an uncovered gap reaches). */
static uint32_t next_region_start(const stp_plan_input *in, uint32_t addr, uint32_t end)
{
    for (size_t i = 0; i < in->region_count; i++) {
        if (in->regions[i].addr > addr && in->regions[i].addr < end)
            return in->regions[i].addr;
    }
    return end;
}

/* Splits the image into per-region pieces; counts bytes outside every region. */
static stp_status split_pieces(const stp_plan_input *in, piece **out, size_t *count,
                               stp_findings *findings)
{
    size_t cap = 16, n = 0;
    piece *p = stp_malloc(cap * sizeof(*p));
    if (p == NULL)
        return STP_ERR_NOMEM;
    uint64_t outside = 0;
    uint32_t first_outside = 0;
    for (size_t s = 0; s < in->segment_count; s++) {
        uint64_t pos = in->segments[s].addr;
        uint64_t end = pos + in->segments[s].size;
        while (pos < end) {
            size_t r = find_region(in, (uint32_t)pos);
            if (r == in->region_count) {
                uint32_t stop = next_region_start(in, (uint32_t)pos, (uint32_t)(end - 1));
                uint64_t gap_end = stop > pos ? stop : end;
                if (outside == 0)
                    first_outside = (uint32_t)pos;
                outside += gap_end - pos;
                pos = gap_end;
                continue;
            }
            const stp_flash_region *reg = &in->regions[r];
            uint64_t reg_end = (uint64_t)reg->addr + reg->size;
            uint64_t stop = end < reg_end ? end : reg_end;
            if (n == cap) {
                cap *= 2;
                piece *np = stp_realloc_array(p, cap, sizeof(*p));
                if (np == NULL) {
                    stp_free(p);
                    return STP_ERR_NOMEM;
                }
                p = np;
            }
            p[n].region = r;
            p[n].addr = (uint32_t)pos;
            p[n].len = (uint32_t)(stop - pos);
            p[n].data = in->segments[s].data + (pos - in->segments[s].addr);
            n++;
            pos = stop;
        }
    }
    if (outside > 0) {
        uint32_t lo = in->region_count ? in->regions[0].addr : 0;
        const stp_flash_region *last = in->region_count ? &in->regions[in->region_count - 1] : NULL;
        uint64_t hi = last ? (uint64_t)last->addr + last->size : 0;
        stp_finding *f =
            stp_finding_add(findings, "plan.outside-flash", STP_SEV_ERROR,
                            "the image has %llu byte(s) outside the flash, starting at 0x%08X",
                            (unsigned long long)outside, (unsigned)first_outside);
        stp_finding_evidence(f, "first_address", "0x%08X", (unsigned)first_outside);
        stp_finding_evidence(f, "bytes_outside", "%llu", (unsigned long long)outside);
        stp_finding_evidence(f, "flash", "0x%08X-0x%08llX", (unsigned)lo,
                             (unsigned long long)(hi ? hi - 1 : 0));
        stp_finding_advice(f, "check the image's load address (--addr for raw binaries) and "
                              "that the chip has as much flash as the image needs; nothing was "
                              "read or changed");
        stp_free(p);
        return STP_ERR_RANGE;
    }
    *out = p;
    *count = n;
    return STP_OK;
}

static bool units_blank(const uint8_t *cur, uint32_t from, uint32_t to, uint8_t erased)
{
    for (uint32_t i = from; i < to; i++) {
        if (cur[i] != erased)
            return false;
    }
    return true;
}

/* Decides one touched region. pieces[first..last) lie in it. */
static bool plan_region(const stp_plan_input *in, size_t r, const piece *pcs, size_t npcs,
                        stp_plan *plan, range_list *prog, range_list *rest)
{
    const stp_flash_region *reg = &in->regions[r];
    const uint8_t *cur = (in->current != NULL) ? in->current[r] : NULL;
    const uint32_t unit = in->program_unit;
    const uint8_t erased = in->erased_byte;
    stp_plan_sector *ps = &plan->sectors[plan->sector_count++];
    memset(ps, 0, sizeof(*ps));
    ps->addr = reg->addr;
    ps->size = reg->size;
    ps->number = reg->number;
    ps->bank = reg->bank;

    uint32_t image_bytes = 0;
    bool changed = (cur == NULL);
    bool blank_under = (cur != NULL);
    for (size_t k = 0; k < npcs; k++) {
        image_bytes += pcs[k].len;
        if (cur == NULL)
            continue;
        uint32_t off = pcs[k].addr - reg->addr;
        if (memcmp(pcs[k].data, cur + off, pcs[k].len) != 0)
            changed = true;
        uint32_t from = off & ~(unit - 1);
        uint32_t to = (off + pcs[k].len + unit - 1) & ~(unit - 1);
        if (to > reg->size)
            to = reg->size;
        if (!units_blank(cur, from, to, erased))
            blank_under = false;
    }
    ps->image_bytes = image_bytes;

    /* Without contents, a CRC of the region can still prove a fully covered one unchanged. */
    if (cur == NULL && image_bytes == reg->size && in->current_crc != NULL &&
        in->current_crc[r].valid) {
        uint32_t crc = 0;
        for (size_t k = 0; k < npcs; k++)
            crc = stp_crc32(crc, pcs[k].data, pcs[k].len);
        if (crc == in->current_crc[r].crc32)
            changed = false;
    }

    if (!changed) {
        ps->action = STP_PLAN_SKIP;
        plan->skip_count++;
        plan->skip_bytes += reg->size;
        return true;
    }

    if (blank_under) {
        ps->action = STP_PLAN_PROGRAM_ONLY;
        plan->program_only_count++;
    } else {
        ps->action = STP_PLAN_ERASE;
        plan->erase_count++;
        plan->erase_bytes += reg->size;
    }

    /* Program list for this sector: pieces plus (when erasing) restored spans, widened to
     * the program unit. Built in address order, merged as it goes. */
    range_list local = {0};
    uint32_t pos = reg->addr;
    for (size_t k = 0; k <= npcs; k++) {
        uint32_t gap_end = (k < npcs) ? pcs[k].addr : reg->addr + reg->size;
        if (ps->action == STP_PLAN_ERASE && gap_end > pos) {
            uint32_t a = pos, b = gap_end; /* uncovered span [a, b) */
            if (cur != NULL) {
                while (a < b && cur[a - reg->addr] == erased)
                    a++;
                while (b > a && cur[b - 1 - reg->addr] == erased)
                    b--;
            }
            if (b > a) {
                if (!range_push(rest, a, b - a) || !range_push(&local, a, b - a)) {
                    stp_free(local.items);
                    return false;
                }
                ps->restore_bytes += b - a;
            }
        }
        if (k < npcs) {
            if (!range_push(&local, pcs[k].addr, pcs[k].len)) {
                stp_free(local.items);
                return false;
            }
            pos = pcs[k].addr + pcs[k].len;
        }
    }
    for (size_t k = 0; k < local.count; k++) {
        uint32_t a = local.items[k].addr - reg->addr;
        uint32_t b = a + local.items[k].len;
        a &= ~(unit - 1);
        b = (b + unit - 1) & ~(unit - 1);
        if (b > reg->size)
            b = reg->size;
        if (k + 1 < local.count) {
            /* widening may reach into the next range: clip so bytes count once */
            uint32_t next = (local.items[k + 1].addr - reg->addr) & ~(unit - 1);
            if (b > next)
                b = next;
        }
        if (b <= a)
            continue;
        ps->program_bytes += b - a;
        if (!range_push(prog, reg->addr + a, b - a)) {
            stp_free(local.items);
            return false;
        }
    }
    stp_free(local.items);
    plan->restore_bytes += ps->restore_bytes;
    plan->program_bytes += ps->program_bytes;
    if (cur == NULL && ps->restore_bytes > 0)
        plan->restore_needs_read = true;
    return true;
}

stp_status stp_plan_build(const stp_plan_input *in, stp_plan **out, stp_findings *findings)
{
    if (in == NULL || out == NULL || in->program_unit == 0 ||
        (in->program_unit & (in->program_unit - 1)) != 0 ||
        (in->segment_count > 0 && in->segments == NULL) ||
        (in->region_count > 0 && in->regions == NULL))
        return STP_ERR_INVALID_ARG;
    *out = NULL;
    piece *pcs = NULL;
    size_t npcs = 0;
    stp_status st = split_pieces(in, &pcs, &npcs, findings);
    if (st != STP_OK)
        return st;

    /* Refuse write-protected sectors before anything else is decided. */
    size_t touched = 0;
    bool refused = false;
    for (size_t k = 0; k < npcs; k++) {
        if (k > 0 && pcs[k].region == pcs[k - 1].region)
            continue;
        touched++;
        const stp_flash_region *reg = &in->regions[pcs[k].region];
        if (reg->protected_) {
            stp_finding *f = stp_finding_add(
                findings, "plan.write-protected", STP_SEV_ERROR,
                "sector %u (0x%08X, %u KiB) is write-protected and the image writes into it",
                (unsigned)reg->number, (unsigned)reg->addr, (unsigned)(reg->size / 1024));
            stp_finding_evidence(f, "sector", "%u", (unsigned)reg->number);
            stp_finding_evidence(f, "bank", "%u", (unsigned)reg->bank + 1);
            stp_finding_evidence(f, "address", "0x%08X", (unsigned)reg->addr);
            stp_finding_advice(f, "remove the write protection first "
                                  "(stprog option-bytes set wrp=...), or leave that sector "
                                  "out of the image");
            refused = true;
        }
    }
    if (refused) {
        stp_free(pcs);
        return STP_ERR_PROTECTED;
    }

    stp_plan *plan = stp_calloc(1, sizeof(*plan));
    if (plan == NULL) {
        stp_free(pcs);
        return STP_ERR_NOMEM;
    }
    plan->program_unit = in->program_unit;
    plan->erased_byte = in->erased_byte;
    if (touched > 0) {
        plan->sectors = stp_calloc(touched, sizeof(*plan->sectors));
        if (plan->sectors == NULL) {
            stp_free(pcs);
            stp_plan_free(plan);
            return STP_ERR_NOMEM;
        }
    }
    range_list prog = {0}, rest = {0};
    for (size_t k = 0; k < npcs;) {
        size_t e = k;
        while (e < npcs && pcs[e].region == pcs[k].region) {
            plan->image_bytes += pcs[e].len;
            e++;
        }
        if (!plan_region(in, pcs[k].region, pcs + k, e - k, plan, &prog, &rest)) {
            stp_free(pcs);
            stp_free(prog.items);
            stp_free(rest.items);
            stp_plan_free(plan);
            return STP_ERR_NOMEM;
        }
        k = e;
    }
    stp_free(pcs);
    plan->program = prog.items;
    plan->program_count = prog.count;
    plan->restore = rest.items;
    plan->restore_count = rest.count;
    *out = plan;
    return STP_OK;
}

stp_status stp_plan_check(const stp_plan_input *in, stp_findings *findings)
{
    if (in == NULL)
        return STP_ERR_INVALID_ARG;
    stp_plan_input geometry = *in;
    geometry.current = NULL;
    geometry.current_crc = NULL;
    stp_plan *plan = NULL;
    stp_status st = stp_plan_build(&geometry, &plan, findings);
    stp_plan_free(plan);
    return st;
}
