/* `stprog doctor --flash-test` (destructive): every sector is erased, checked blank,
 * programmed with a pattern, read back and erased again, each step timed on the probe's
 * clock and compared with the datasheet times in the chip database. Sectors that do not
 * erase fully, lose programmed bits, or take longer than the datasheet maximum are worn.
 * Progress (phase "flash-test", in bytes of flash) and the test's duration are on the
 * probe's clock too, as for the other commands: virtual board time with sim:. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "stprog/probe.h"
#include "ops/doctor_internal.h"
#include "target/cortexm.h"
#include "target/target_internal.h"

#define MAX_WORN_REPORTED 8u
/* The measured time includes the probe's polling (USB round trips): a sector is slow only
 * well past the datasheet maximum. */
#define SLOW_MARGIN_MS 10u

typedef struct sector_result {
    uint32_t erase_ms;
    uint32_t not_erased; /* bytes not at the erased value after the erase */
    uint32_t wrong;      /* bytes that differ from the pattern after programming */
    stp_status st;
} sector_result;

static void fill(uint8_t *p, uint32_t addr, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) {
        uint32_t a = addr + i;
        p[i] = (uint8_t)((a >> 2) * 0x9Du ^ (a & 3u) * 0x55u);
    }
}

static bool power_lost(stp_debug *d)
{
    uint32_t v = 0;
    return stp_dx_read(d, STP_CM_DHCSR, &v) && !(v & STP_CM_DHCSR_C_DEBUGEN);
}

static uint32_t count_not(const uint8_t *p, uint32_t len, uint8_t value)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < len; i++)
        n += p[i] != value;
    return n;
}

static void test_sector(stp_dx_run *r, const stp_sector *s, uint8_t *pat, uint8_t *back,
                        sector_result *out, stp_findings *ops)
{
    stp_target *t = r->t;
    stp_debug *d = r->dbg;
    memset(out, 0, sizeof(*out));
    uint64_t t0 = d->ops->now_ms(d);
    out->st = stp_flash_erase(&t->flash, s, 1, r->env, NULL, 0, ops);
    out->erase_ms = (uint32_t)(d->ops->now_ms(d) - t0);
    if (out->st != STP_OK)
        return;
    out->st = d->ops->read_mem(d, s->addr, back, s->size, ops);
    if (out->st != STP_OK)
        return;
    out->not_erased = count_not(back, s->size, r->chip->erased_value);
    fill(pat, s->addr, s->size);
    out->st = stp_flash_program(&t->flash, s->addr, pat, s->size, r->env, NULL, 0, ops);
    if (out->st == STP_OK)
        out->st = d->ops->read_mem(d, s->addr, back, s->size, ops);
    if (out->st == STP_OK)
        for (uint32_t i = 0; i < s->size; i++)
            out->wrong += back[i] != pat[i];
    if (out->st == STP_OK) /* leave the sector erased */
        out->st = stp_flash_erase(&t->flash, s, 1, r->env, NULL, 0, ops);
}

static void worn_finding(stp_dx_run *r, const stp_sector *s, const sector_result *res,
                         const stp_erase_timing *tm)
{
    stp_finding *f =
        stp_finding_add(r->findings, "flash.sector-worn", STP_SEV_ERROR,
                        "sector %u at 0x%08X is worn: %s", (unsigned)s->index, (unsigned)s->addr,
                        res->not_erased ? "it no longer erases fully"
                        : res->wrong    ? "programmed bits do not hold"
                                        : "its erase takes longer than the "
                                          "datasheet maximum");
    stp_finding_evidence(f, "sector", "%u", (unsigned)s->index);
    stp_finding_evidence(f, "address", "0x%08X", (unsigned)s->addr);
    stp_finding_evidence(f, "size", "%u", (unsigned)s->size);
    stp_finding_evidence(f, "bytes_not_erased", "%u", (unsigned)res->not_erased);
    stp_finding_evidence(f, "bytes_wrong_after_program", "%u", (unsigned)res->wrong);
    stp_finding_evidence(f, "erase_ms", "%u", (unsigned)res->erase_ms);
    if (res->st != STP_OK)
        stp_finding_evidence(f, "program",
                             "failed (%s): the controller refused to program "
                             "over bits the erase left",
                             stp_status_name(res->st));
    if (tm != NULL)
        stp_finding_evidence(f, "datasheet_erase_ms", "typ %u, max %u",
                             (unsigned)tm->typ_ms[r->t->flash.psize],
                             (unsigned)tm->max_ms[r->t->flash.psize]);
    stp_finding_advice(f, "flash is rated for 10 000 erase cycles per sector: keep data that "
                          "changes often out of this sector (or use another chip); the other "
                          "sectors passed");
}

/* Erase times against the datasheet. The measured time includes the probe's polling, so
 * the fastest sector of each size sets the overhead; a sector is slow (worn) when, without
 * it, it takes well past the datasheet maximum. times[i] is erase ms + 1, 0 = skip. */
static size_t judge_times(stp_dx_run *r, const uint32_t *times, char *list, size_t cap,
                          size_t reported)
{
    stp_target *t = r->t;
    size_t slow = 0;
    for (size_t i = 0; i < t->sector_count; i++) {
        const stp_sector *s = &t->sectors[i];
        const stp_erase_timing *tm = stp_chip_erase_timing(r->chip, s->size);
        if (times[i] == 0 || tm == NULL || tm->max_ms[t->flash.psize] == 0)
            continue;
        uint32_t base = UINT32_MAX;
        for (size_t k = 0; k < t->sector_count; k++)
            if (times[k] != 0 && t->sectors[k].size == s->size && times[k] - 1u < base)
                base = times[k] - 1u;
        uint32_t typ = tm->typ_ms[t->flash.psize];
        uint32_t overhead = base > typ ? base - typ : 0;
        uint32_t ms = times[i] - 1u;
        if (ms - overhead <= tm->max_ms[t->flash.psize] * 3u / 2u + SLOW_MARGIN_MS)
            continue;
        sector_result res = {.erase_ms = ms};
        if (reported + slow++ < MAX_WORN_REPORTED) {
            worn_finding(r, s, &res, tm);
            stp_dx_cat(list, cap, "%s%u", list[0] ? "," : "", (unsigned)s->index);
        }
    }
    return slow;
}

static uint64_t probe_now_ns(void *probe)
{
    return stp_probe_now_ns(probe);
}

void stp_dx_flash_test(stp_dx_run *r)
{
    stp_doctor_check *c =
        stp_dx_check(r, "flash-test", "Flash test (erase, program, timing per sector)");
    stp_target *t = r->t;
    if (t == NULL || r->rdp_level != 0) {
        stp_dx_set(c, STP_CHECK_SKIP, "not run: %s", t == NULL ? "not attached" : "protected");
        return;
    }
    uint32_t biggest = 0;
    for (size_t i = 0; i < t->sector_count; i++)
        biggest = t->sectors[i].size > biggest ? t->sectors[i].size : biggest;
    uint8_t *pat = stp_malloc(biggest), *back = stp_malloc(biggest);
    uint32_t *times = stp_calloc(t->sector_count, sizeof(*times));
    if (pat == NULL || back == NULL || times == NULL) {
        stp_free(pat);
        stp_free(back);
        stp_free(times);
        stp_dx_set(c, STP_CHECK_SKIP, "not run: out of memory");
        return;
    }
    stp_findings scratch = {0};
    bool wrp_known = stp_target_refresh_protection(t, &scratch) == STP_OK;
    stp_findings_free(&scratch);
    size_t worn = 0, tested = 0, skipped_wrp = 0;
    uint32_t min_ms = UINT32_MAX, max_ms = 0;
    char worn_list[96] = "";
    /* Progress on the probe's clock unless the caller gave one (the CLI's doctor has no
     * session of its own). */
    stp_clock clock = {
        .now_ns = probe_now_ns, .user = r->dbg, .is_virtual = stp_probe_clock_is_virtual(r->dbg)};
    stp_env env = {0};
    if (r->env != NULL)
        env = *r->env;
    if (env.clock == NULL)
        env.clock = &clock;
    const stp_env *saved_env = r->env;
    r->env = r->env != NULL ? &env : NULL;
    uint64_t bytes = 0, done = 0;
    for (size_t i = 0; i < t->sector_count; i++)
        bytes += t->sectors[i].size;
    const uint64_t t0 = stp_probe_now_ns(r->dbg);
    stp_progress_emit(r->env, STP_PROGRESS_START, "flash-test", 0, bytes);
    for (size_t i = 0; i < t->sector_count; i++) {
        const stp_sector *s = &t->sectors[i];
        if (wrp_known && t->regions[i].protected_) {
            skipped_wrp++; /* reported by the protection check; erasing it would fail */
            done += s->size;
            continue;
        }
        stp_findings ops = {0};
        sector_result res;
        test_sector(r, s, pat, back, &res, &ops);
        if (power_lost(r->dbg)) {
            uint32_t dh = 0, csr = 0;
            (void)stp_dx_read(r->dbg, STP_CM_DHCSR, &dh);
            (void)stp_dx_read(r->dbg, stp_dx_rcc_csr_addr(r->chip), &csr);
            stp_dx_brownout(r->findings, r->chip, dh, csr, r->volts, "during the flash test");
            stp_dx_unstable(r->findings, "the chip lost power while the flash was busy",
                            "a power-on reset during an erase or program of the flash test");
            stp_dx_scan_partial_erase(t, r->findings);
            stp_findings_free(&ops);
            stp_dx_set(c, STP_CHECK_FAIL, "stopped at sector %u: the chip lost power",
                       (unsigned)s->index);
            stp_dx_block(r, c, STP_ERR_POWER);
            break;
        }
        bool damaged = res.not_erased != 0 || res.wrong != 0;
        if (res.st != STP_OK &&
            !(damaged && (res.st == STP_ERR_FLASH || res.st == STP_ERR_VERIFY))) {
            stp_finding *f = stp_finding_add(r->findings, "flash.program-error", STP_SEV_ERROR,
                                             "the flash test failed on sector %u (%s)",
                                             (unsigned)s->index, stp_status_describe(res.st));
            stp_finding_evidence(f, "sector", "%u", (unsigned)s->index);
            if (ops.count > 0)
                stp_finding_evidence(f, "controller", "%s: %s", ops.items[0].id,
                                     ops.items[0].message);
            stp_finding_advice(f, "see the controller finding; repeated errors on one sector "
                                  "mean worn flash");
            stp_findings_free(&ops);
            stp_dx_set(c, STP_CHECK_FAIL, "failed at sector %u", (unsigned)s->index);
            stp_dx_block(r, c, res.st);
            break;
        }
        stp_findings_free(&ops);
        tested++;
        const stp_erase_timing *tm = stp_chip_erase_timing(r->chip, s->size);
        min_ms = res.erase_ms < min_ms ? res.erase_ms : min_ms;
        max_ms = res.erase_ms > max_ms ? res.erase_ms : max_ms;
        times[i] = damaged ? 0 : res.erase_ms + 1u; /* 0: judged already (or not tested) */
        if (damaged) {
            if (worn++ < MAX_WORN_REPORTED) {
                worn_finding(r, s, &res, tm);
                stp_dx_cat(worn_list, sizeof(worn_list), "%s%u", worn_list[0] ? "," : "",
                           (unsigned)s->index);
            }
        }
        done += s->size;
        stp_progress_emit(r->env, STP_PROGRESS_ADVANCE, "flash-test", done, bytes);
    }
    /* A phase that stopped part way ends below its total ("stopped at N%"). */
    stp_progress_emit(r->env, STP_PROGRESS_END, "flash-test", done, bytes);
    const uint64_t t1 = stp_probe_now_ns(r->dbg);
    r->env = saved_env;
    worn += judge_times(r, times, worn_list, sizeof(worn_list), worn);
    stp_free(pat);
    stp_free(back);
    stp_free(times);
    if (c->result == STP_CHECK_FAIL)
        return;
    if (min_ms == UINT32_MAX)
        min_ms = 0;
    stp_dx_set(c, worn ? STP_CHECK_FAIL : STP_CHECK_PASS,
               "%zu sectors erased, programmed, verified and erased again in %.2f s%s; erase "
               "%u-%u ms (%s x%u); %zu worn%s%s%s",
               tested, t1 > t0 ? (double)(t1 - t0) / 1e9 : 0.0,
               clock.is_virtual ? " (virtual board time)" : "", (unsigned)min_ms, (unsigned)max_ms,
               "datasheet timing, program width", 8u << t->flash.psize, worn,
               worn ? ": sectors " : "", worn_list,
               skipped_wrp ? "; write-protected sectors skipped" : "");
}
