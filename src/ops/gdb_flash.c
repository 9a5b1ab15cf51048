/* gdb's flash protocol on top of the program planner: vFlashErase records the ranges gdb
 * wants erased, vFlashWrite collects the data into an image, vFlashDone programs the image
 * with stp_program (the planner erases the touched sectors, keeps and writes back the bytes
 * of those sectors the image does not cover, skips sectors that already hold the image, and
 * verifies) and then erases the requested sectors that received no data at all. */
#include "ops/gdb_internal.h"

void gdb_flash_discard(gdb_session *s)
{
    stp_image_destroy(s->flash_img);
    s->flash_img = NULL;
    s->erase_count = 0;
}

bool gdb_flash_erase(gdb_session *s, uint32_t addr, uint32_t len)
{
    if (len == 0 || (uint64_t)addr + len > 0x100000000ull || !gdb_addr_in_flash(s, addr, len))
        return false;
    /* A range that touches one already asked for grows it; others need a free slot (a
     * merge across a gap would erase sectors gdb did not ask for). */
    uint64_t end = (uint64_t)addr + len;
    for (size_t i = 0; i < s->erase_count; i++) {
        gdb_range *r = &s->erase[i];
        uint64_t r_end = (uint64_t)r->addr + r->len;
        if (addr > r_end || end < r->addr)
            continue;
        uint64_t start = addr < r->addr ? addr : r->addr;
        if (r_end > end)
            end = r_end;
        r->addr = (uint32_t)start;
        r->len = end - start > UINT32_MAX ? UINT32_MAX : (uint32_t)(end - start);
        return true;
    }
    if (s->erase_count >= GDB_MAX_ERASE)
        return false;
    s->erase[s->erase_count++] = (gdb_range){addr, len};
    return true;
}

bool gdb_flash_write(gdb_session *s, uint32_t addr, const uint8_t *data, size_t len)
{
    if (len == 0)
        return true;
    /* All of it in flash: the planner would refuse the rest anyway, after the erases. */
    if (len > UINT32_MAX || !gdb_range_in_flash(s, addr, (uint32_t)len))
        return false;
    if (s->flash_img == NULL && stp_image_create(&s->flash_img) != STP_OK)
        return false;
    stp_findings f = {0};
    stp_status st = stp_image_add(s->flash_img, addr, data, len, "gdb vFlashWrite", &f);
    if (st != STP_OK)
        gdb_report_findings(s, &f, false);
    stp_findings_free(&f);
    return st == STP_OK;
}

/* Whether any image byte falls in [addr, addr+len). */
static bool image_touches(const stp_image *img, uint32_t addr, uint32_t len)
{
    if (img == NULL)
        return false;
    size_t n = stp_image_segment_count(img);
    for (size_t i = 0; i < n; i++) {
        stp_segment seg = stp_image_segment(img, i);
        if ((uint64_t)seg.addr < (uint64_t)addr + len && (uint64_t)seg.addr + seg.size > addr)
            return true;
    }
    return false;
}

bool gdb_flash_done(gdb_session *s)
{
    stp_findings f = {0};
    stp_status st = STP_OK;
    if (s->flash_img != NULL && stp_image_segment_count(s->flash_img) > 0) {
        stp_program_options po = {.verify = true};
        stp_verify_result vr;
        stp_plan *plan = NULL;
        st = stp_ops_program(s->t, s->flash_img, &po, s->env, "gdb load", &plan, &vr, &f);
        if (st == STP_OK && plan != NULL)
            gdb_notify(s,
                       "loaded %llu bytes into flash: %u sector(s) erased, %u programmed "
                       "without erase, %u unchanged and skipped; %llu bytes of the touched "
                       "sectors kept",
                       (unsigned long long)stp_image_total_bytes(s->flash_img),
                       (unsigned)plan->erase_count, (unsigned)plan->program_only_count,
                       (unsigned)plan->skip_count, (unsigned long long)plan->restore_bytes);
        const stp_finding *applied = stp_findings_find(&f, "journal.applied");
        if (st == STP_OK && applied != NULL) /* a failed write's kept bytes are back */
            gdb_notify(s, "%s", applied->message);
        stp_plan_free(plan);
    }
    /* Erase requests for units that got no data: erase them as asked. */
    size_t n = stp_target_region_count(s->t);
    const stp_flash_region *r = stp_target_regions(s->t);
    for (size_t i = 0; st == STP_OK && i < n; i++) {
        bool requested = false;
        for (size_t k = 0; k < s->erase_count && !requested; k++)
            requested = s->erase[k].addr < (uint64_t)r[i].addr + r[i].size &&
                        (uint64_t)s->erase[k].addr + s->erase[k].len > r[i].addr;
        if (requested && !image_touches(s->flash_img, r[i].addr, r[i].size))
            st = stp_erase_range(s->t, r[i].addr, r[i].size, s->env, &f);
    }
    if (st != STP_OK)
        gdb_report_findings(s, &f, false);
    stp_findings_free(&f);
    gdb_flash_discard(s);
    /* The planner's reads and writes used the core's debug access only; breakpoints in
     * flash stay valid (FPB), RAM ones were untouched. */
    return st == STP_OK;
}
