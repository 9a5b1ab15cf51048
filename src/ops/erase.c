/* Erase operations: everything, a sector range, or an exact address range (bytes of
 * partly covered sectors outside the range are kept). */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "ops/crc_ops.h"
#include "ops/ops_internal.h"
#include "stprog/journal.h"

static stp_status refuse_protected(const stp_target *t, size_t first, size_t last,
                                   stp_findings *findings)
{
    bool refused = false;
    for (size_t i = first; i <= last && i < t->sector_count; i++) {
        const stp_flash_region *r = &t->regions[i];
        if (!r->protected_)
            continue;
        stp_finding *f =
            stp_finding_add(findings, "plan.write-protected", STP_SEV_ERROR,
                            "sector %u (0x%08X, %u KiB) is write-protected", (unsigned)r->number,
                            (unsigned)r->addr, (unsigned)(r->size / 1024));
        stp_finding_evidence(f, "sector", "%u", (unsigned)r->number);
        stp_finding_evidence(f, "address", "0x%08X", (unsigned)r->addr);
        stp_finding_advice(f, "remove the protection first (stprog option-bytes set wrp-=N)");
        refused = true;
    }
    return refused ? STP_ERR_PROTECTED : STP_OK;
}

enum { ERASE_CHECK_CHUNK = 16384 };

/* Blocks of at most ERASE_CHECK_CHUNK bytes over the runs of adjacent sectors from..to;
 * returns how many (only counts them when addr is NULL). */
static size_t erase_check_chunks(const stp_target *t, size_t from, size_t to, uint32_t *addr,
                                 uint32_t *len)
{
    size_t n = 0;
    for (size_t i = from; i <= to && i < t->sector_count;) {
        uint32_t start = t->sectors[i].addr;
        uint64_t end = (uint64_t)start + t->sectors[i].size;
        for (i++; i <= to && i < t->sector_count && t->sectors[i].addr == end; i++)
            end += t->sectors[i].size;
        for (uint64_t a = start; a < end; a += ERASE_CHECK_CHUNK, n++)
            if (addr != NULL) {
                addr[n] = (uint32_t)a;
                len[n] = (uint32_t)(end - a < ERASE_CHECK_CHUNK ? end - a : ERASE_CHECK_CHUNK);
            }
    }
    return n;
}

/* "sector N" or "sectors N-M": the sectors (the manual's numbers) a block lies in. */
static void describe_block_sectors(const stp_target *t, uint32_t addr, uint32_t len, char *buf,
                                   size_t cap)
{
    bool any = false;
    unsigned lo = 0, hi = 0;
    for (size_t i = 0; i < t->sector_count; i++) {
        const stp_flash_region *r = &t->regions[i];
        if ((uint64_t)r->addr + r->size <= addr || r->addr >= (uint64_t)addr + len)
            continue;
        if (!any)
            lo = r->number;
        hi = r->number;
        any = true;
    }
    if (lo == hi)
        snprintf(buf, cap, "sector %u", lo);
    else
        snprintf(buf, cap, "sectors %u-%u", lo, hi);
}

/* Reads blocks back over the probe where the on-target CRC cannot run: ok[i] whether
 * block i is blank. */
static stp_status read_blank(stp_target *t, const uint32_t *addr, const uint32_t *len, size_t n,
                             bool *ok, stp_findings *findings)
{
    uint8_t *buf = stp_malloc(ERASE_CHECK_CHUNK);
    if (buf == NULL)
        return STP_ERR_NOMEM;
    stp_status st = STP_OK;
    for (size_t i = 0; st == STP_OK && i < n; i++) {
        uint64_t done = 0;
        st = stp_ops_read(t, addr[i], len[i], buf, NULL, "read", &done, len[i], findings);
        ok[i] = true;
        for (uint32_t k = 0; st == STP_OK && k < len[i] && ok[i]; k++)
            ok[i] = buf[k] == t->flash.drv->erased_byte;
    }
    stp_free(buf);
    return st;
}

/* An erase that reported success must have left its sectors (positions from..to) blank: the
 * on-target CRC of each 16 KiB block against the erased value (worn sectors that no longer
 * erase fully, or a bank the command missed, would otherwise pass in silence). Costs one
 * loader run; without the loader the blocks are read back when read_back is set (a few
 * sectors), else not checked (a whole flash: reading it costs more than the erase). */
static stp_status check_erased(stp_target *t, size_t from, size_t to, bool read_back,
                               stp_findings *findings)
{
    size_t n = erase_check_chunks(t, from, to, NULL, NULL);
    uint32_t *addr = stp_calloc(n, sizeof(*addr)), *len = stp_calloc(n, sizeof(*len));
    const uint8_t **want = stp_calloc(n, sizeof(*want));
    bool *ok = stp_calloc(n, sizeof(*ok));
    uint8_t *blank = stp_malloc(ERASE_CHECK_CHUNK);
    stp_status st = STP_ERR_NOMEM;
    bool used = false;
    if (addr != NULL && len != NULL && want != NULL && ok != NULL && blank != NULL) {
        memset(blank, t->flash.drv->erased_byte, ERASE_CHECK_CHUNK);
        erase_check_chunks(t, from, to, addr, len);
        for (size_t i = 0; i < n; i++)
            want[i] = blank;
        st = stp_ops_crc_verify(t, addr, len, want, n, ok, &used, findings);
        if (st == STP_OK && !used && read_back) {
            st = read_blank(t, addr, len, n, ok, findings);
            used = true;
        }
    }
    size_t bad = 0, first = 0;
    for (size_t i = 0; st == STP_OK && used && i < n; i++)
        if (!ok[i] && bad++ == 0)
            first = i;
    if (bad > 0) {
        char sectors[48];
        describe_block_sectors(t, addr[first], len[first], sectors, sizeof(sectors));
        stp_finding *f = stp_finding_add(findings, "flash.erase-incomplete", STP_SEV_ERROR,
                                         "the erase reported success but %zu of %zu blocks "
                                         "(16 KiB or smaller) are not blank, the first at "
                                         "0x%08X (%s)",
                                         bad, n, (unsigned)addr[first], sectors);
        stp_finding_evidence(f, "first_block", "0x%08X (%u bytes)", (unsigned)addr[first],
                             (unsigned)len[first]);
        stp_finding_evidence(f, "sectors", "%s", sectors);
        stp_finding_evidence(f, "blocks_not_blank", "%zu of %zu", bad, n);
        stp_finding_evidence(f, "erased_value", "0x%02X", t->flash.drv->erased_byte);
        stp_finding_advice(f, "worn flash (a sector past its erase cycles) leaves bits "
                              "programmed without an error flag: `stprog blank-check` shows the "
                              "first byte left and `stprog doctor --flash-test` tests the "
                              "sectors; do not trust the sector with firmware");
        st = STP_ERR_FLASH;
    }
    stp_free(addr);
    stp_free(len);
    stp_free(want);
    stp_free(ok);
    stp_free(blank);
    return st;
}

stp_status stp_erase_all(stp_target *t, const stp_env *env, stp_findings *findings)
{
    char drop[STP_JOURNAL_PATH_MAX] = "";
    stp_status st = stp_ops_prepare(t, findings);
    if (st == STP_OK)
        st = refuse_protected(t, 0, t->sector_count - 1, findings);
    if (st == STP_OK)
        st = stp_ops_journal_before_erase(t, env, 0, UINT64_MAX, drop, sizeof(drop), findings);
    if (st == STP_OK)
        st = stp_ops_check_supply(t, findings);
    if (st == STP_OK) {
        stp_target_mark_changed(t);
        st = stp_flash_erase_all(&t->flash, t->sectors, t->sector_count, env, findings);
    }
    if (st == STP_OK)
        st = check_erased(t, 0, t->sector_count - 1, false, findings);
    stp_ops_journal_after_erase(drop, st, findings);
    return st;
}

/* Positions [*from, *to] of the sectors numbered first..last as the reference manual numbers
 * them (on dual-bank F42x/F76x parts bank 2 starts at 12 whatever the size of bank 1, so the
 * numbers can have a gap). Both ends must be numbers the device has. */
static bool sector_positions(const stp_target *t, unsigned first, unsigned last, size_t *from,
                             size_t *to)
{
    bool found_first = false, found_last = false;
    for (size_t i = 0; i < t->sector_count; i++) {
        if (t->regions[i].number == first) {
            *from = i;
            found_first = true;
        }
        if (t->regions[i].number == last) {
            *to = i;
            found_last = true;
        }
    }
    return first <= last && found_first && found_last;
}

/* "0-11" or, with a gap in the numbering, "0-7, 12-19". */
static void describe_numbers(const stp_target *t, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = 0;
    for (size_t i = 0; i < t->sector_count && len < cap; i++) {
        bool starts = i == 0 || t->regions[i].number != t->regions[i - 1].number + 1;
        bool ends =
            i + 1 == t->sector_count || t->regions[i + 1].number != t->regions[i].number + 1;
        int n = 0;
        if (starts)
            n = snprintf(buf + len, cap - len, "%s%u", i ? ", " : "",
                         (unsigned)t->regions[i].number);
        if (ends && !starts)
            n = snprintf(buf + len, cap - len, "-%u", (unsigned)t->regions[i].number);
        if (n > 0)
            len += (size_t)n;
    }
}

stp_status stp_erase_sectors(stp_target *t, unsigned first, unsigned last, const stp_env *env,
                             stp_findings *findings)
{
    size_t from = 0, to = 0;
    if (!sector_positions(t, first, last, &from, &to)) {
        char numbers[96];
        describe_numbers(t, numbers, sizeof(numbers));
        stp_finding *f =
            stp_finding_add(findings, "erase.bad-sector-range", STP_SEV_ERROR,
                            "sectors %u-%u: the device has sectors %s", first, last, numbers);
        stp_finding_evidence(f, "sector_count", "%zu", t->sector_count);
        stp_finding_evidence(f, "sector_numbers", "%s", numbers);
        stp_finding_advice(f, "sector numbers are the reference manual's, as `stprog write "
                              "--dry-run` lists them");
        return STP_ERR_RANGE;
    }
    char drop[STP_JOURNAL_PATH_MAX] = "";
    uint32_t lo = t->sectors[from].addr;
    uint64_t hi = (uint64_t)t->sectors[to].addr + t->sectors[to].size;
    stp_status st = stp_ops_prepare(t, findings);
    if (st == STP_OK)
        st = refuse_protected(t, from, to, findings);
    if (st == STP_OK)
        st = stp_ops_journal_before_erase(t, env, lo, hi - lo, drop, sizeof(drop), findings);
    if (st == STP_OK)
        st = stp_ops_check_supply(t, findings);
    if (st != STP_OK)
        return st;
    stp_target_mark_changed(t);
    uint64_t total = 0, done = 0;
    for (size_t i = from; i <= to; i++)
        total += t->sectors[i].size;
    stp_progress_emit(env, STP_PROGRESS_START, "erase", 0, total);
    st = stp_flash_erase(&t->flash, t->sectors + from, to - from + 1, env, &done, total, findings);
    stp_progress_emit(env, STP_PROGRESS_END, "erase", done, total);
    if (st == STP_OK)
        st = check_erased(t, from, to, true, findings);
    stp_ops_journal_after_erase(drop, st, findings);
    return st;
}

stp_status stp_erase_range(stp_target *t, uint32_t addr, uint32_t len, const stp_env *env,
                           stp_findings *findings)
{
    if (len == 0)
        return STP_OK;
    uint8_t *blank = stp_malloc(len);
    stp_image *img = NULL;
    if (blank == NULL)
        return STP_ERR_NOMEM;
    memset(blank, t->flash.drv->erased_byte, len);
    stp_status st = stp_image_create(&img);
    if (st == STP_OK)
        st = stp_image_add(img, addr, blank, len, "erase range", findings);
    stp_free(blank);
    if (st == STP_OK) {
        /* Writing erased bytes over the range is exactly an erase of it: the planner keeps
         * the other bytes of partly covered sectors and skips sectors already blank. */
        stp_program_options opt = {.verify = true};
        st = stp_ops_program(t, img, &opt, env, "erase", NULL, NULL, findings);
    }
    stp_image_destroy(img);
    return st;
}

stp_status stp_blank_check(stp_target *t, const stp_env *env, stp_blank_result *res,
                           stp_findings *findings)
{
    memset(res, 0, sizeof(*res));
    res->erased_value = t->flash.drv->erased_byte;
    stp_status st = stp_ops_prepare(t, findings);
    if (st != STP_OK)
        return st;
    uint64_t total = (uint64_t)t->info.flash_kb * 1024u, done = 0;
    uint8_t *buf = stp_malloc(16384);
    if (buf == NULL)
        return STP_ERR_NOMEM;
    stp_progress_emit(env, STP_PROGRESS_START, "read", 0, total);
    for (uint64_t off = 0; st == STP_OK && off < total; off += 16384) {
        uint32_t n = (uint32_t)(total - off < 16384 ? total - off : 16384);
        uint32_t a = t->info.flash_base + (uint32_t)off;
        st = stp_ops_read(t, a, n, buf, env, "read", &done, total, findings);
        for (uint32_t i = 0; st == STP_OK && i < n; i++) {
            if (buf[i] == res->erased_value)
                continue;
            if (res->non_blank == 0)
                res->first_non_blank = a + i;
            res->non_blank++;
        }
        if (st == STP_OK)
            res->checked += n;
    }
    stp_progress_emit(env, STP_PROGRESS_END, "read", done, total);
    stp_free(buf);
    res->blank = (st == STP_OK && res->non_blank == 0);
    return st;
}
