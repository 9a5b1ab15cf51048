/* Doctor check "load": the supply under the load programming puts on it, without changing a
 * byte. A weak supply holds while the chip idles and sags when the flash draws its
 * program/erase current (seed 000: every tool failed to erase, the board otherwise ran), so
 * an idle board says nothing about it. The check erases sectors that the on-target CRC
 * (the SRAM loader's, or a read-back without it) has first proven blank: an erase of a blank
 * sector draws the erase current for the datasheet erase time and leaves the sector as it
 * was, even when a brown-out cuts it. It erases until the typical erase time adds up to
 * LOAD_TARGET_MS (largest sectors first, each at most LOAD_MAX_PER_SECTOR times: one erase
 * cycle each of the rated 10 000) and watches for a power-on reset (DHCSR C_DEBUGEN lost,
 * RCC POR/BOR): power.brownout-reset and power.unstable with the load as evidence. Without a
 * blank sector nothing is loaded: power.load-untested says how to test it. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "ops/doctor_internal.h"
#include "target/cortexm.h"
#include "target/flash_loader.h"
#include "target/target_internal.h"

#define LOAD_TARGET_MS      1500u
#define LOAD_MAX_ERASES     400u
#define LOAD_MAX_PER_SECTOR 4u
#define READBACK_MAX        (64u * 1024u) /* bytes read over the probe without the loader */

typedef struct load_plan {
    stp_sector *list; /* erases in order (a sector may repeat) */
    size_t count;
    size_t sectors; /* distinct sectors */
    uint64_t typ_us;
    size_t blank, checked; /* sectors proven blank / checked */
    bool by_crc;
} load_plan;

static uint32_t erase_typ_us(const stp_dx_run *r, uint32_t size)
{
    const stp_erase_timing *tm = stp_chip_erase_timing(r->chip, size);
    if (tm == NULL)
        return 0;
    uint32_t us = tm->typ_us[r->t->flash.psize];
    for (int i = 0; us == 0 && i < STP_PSIZE_COUNT; i++)
        us = tm->typ_us[i]; /* families with one native width fill one index */
    return us;
}

/* blank[i]: sector i holds only the erased value, by the on-target CRC (or a read-back of
 * the smaller sectors when the loader cannot run). */
static bool find_blank(stp_dx_run *r, bool *blank, load_plan *p)
{
    stp_target *t = r->t;
    size_t n = t->sector_count;
    uint32_t biggest = 0;
    for (size_t i = 0; i < n; i++)
        biggest = t->sectors[i].size > biggest ? t->sectors[i].size : biggest;
    uint32_t *addr = stp_calloc(n, sizeof(*addr)), *len = stp_calloc(n, sizeof(*len));
    uint32_t *crc = stp_calloc(n, sizeof(*crc));
    uint8_t *erased = stp_malloc(biggest);
    bool ok = addr != NULL && len != NULL && crc != NULL && erased != NULL;
    if (ok) {
        memset(erased, r->chip->erased_value, biggest);
        for (size_t i = 0; i < n; i++) {
            addr[i] = t->sectors[i].addr;
            len[i] = t->sectors[i].size;
        }
        stp_findings scratch = {0};
        bool used = false;
        stp_status st = stp_flash_loader_crc(&t->flash, addr, len, n, crc, &scratch, &used);
        stp_findings_free(&scratch);
        p->by_crc = st == STP_OK && used;
        for (size_t i = 0; p->by_crc && i < n; i++) {
            blank[i] = crc[i] == stp_crc32_stm32(erased, len[i]);
            p->checked++;
        }
        /* Without the loader: read back the smallest sectors, up to READBACK_MAX bytes. */
        uint32_t read = 0;
        for (size_t i = 0; !p->by_crc && i < n; i++) {
            if (read + len[i] > READBACK_MAX)
                continue;
            stp_findings s2 = {0};
            stp_status rs = r->dbg->ops->read_mem(r->dbg, addr[i], erased, len[i], &s2);
            stp_findings_free(&s2);
            read += len[i];
            p->checked++;
            blank[i] = rs == STP_OK;
            for (uint32_t k = 0; blank[i] && k < len[i]; k++)
                blank[i] = erased[k] == r->chip->erased_value;
        }
    }
    stp_free(addr);
    stp_free(len);
    stp_free(crc);
    stp_free(erased);
    return ok;
}

/* Largest (longest-erasing) blank sectors first, round after round, until the typical
 * erase time reaches the target. */
static bool plan_erases(stp_dx_run *r, const bool *blank, load_plan *p)
{
    stp_target *t = r->t;
    size_t n = t->sector_count;
    p->list = stp_calloc(LOAD_MAX_ERASES, sizeof(*p->list));
    size_t *order = stp_calloc(n, sizeof(*order));
    if (p->list == NULL || order == NULL) {
        stp_free(order);
        return false;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!blank[i] || (t->protection_known && t->regions[i].protected_))
            continue;
        size_t k = m++;
        while (k > 0 && t->sectors[order[k - 1]].size < t->sectors[i].size) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = i;
    }
    p->blank = m;
    for (unsigned round = 0; round < LOAD_MAX_PER_SECTOR; round++) {
        for (size_t k = 0; k < m; k++) {
            if (p->typ_us >= LOAD_TARGET_MS * 1000ull || p->count >= LOAD_MAX_ERASES)
                break;
            const stp_sector *s = &t->sectors[order[k]];
            p->list[p->count++] = *s;
            p->typ_us += erase_typ_us(r, s->size);
            if (round == 0)
                p->sectors++;
        }
    }
    stp_free(order);
    return true;
}

static void untested(stp_dx_run *r, stp_doctor_check *c, const load_plan *p)
{
    stp_finding *f = stp_finding_add(
        r->findings, "power.load-untested", STP_SEV_WARNING,
        "the supply was not tested under load: no sector of the flash is blank, and the "
        "doctor changes no data");
    stp_finding_evidence(f, "sectors_checked", "%zu of %zu (%s), none blank", p->checked,
                         r->t->sector_count,
                         p->by_crc ? "on-target CRC" : "read back without the loader");
    stp_finding_advice(f, "on a board you may erase, `stprog doctor --flash-test --yes` loads "
                          "the supply with every sector (and tests them); a brown-out "
                          "shows as power.brownout-reset");
    stp_dx_set(c, STP_CHECK_WARN, "not loaded: none of the %zu sectors checked is blank (%s)",
               p->checked, p->by_crc ? "on-target CRC" : "read back");
}

static void browned_out(stp_dx_run *r, stp_doctor_check *c, const load_plan *p, uint64_t ms)
{
    uint32_t dh = 0, csr = 0;
    (void)stp_dx_read(r->dbg, STP_CM_DHCSR, &dh);
    (void)stp_dx_read(r->dbg, stp_dx_rcc_csr_addr(r->chip), &csr);
    stp_finding *f = stp_dx_brownout(r->findings, r->chip, dh, csr, r->volts,
                                     "while the doctor erased flash sectors proven blank");
    stp_finding_evidence(f, "load",
                         "%llu ms into %zu erases of %zu blank sectors (%.2f s of "
                         "erase current, %.1f mA, planned)",
                         (unsigned long long)ms, p->count, p->sectors, p->typ_us / 1e6,
                         r->chip->flash_op_ua / 1000.0);
    char m[200];
    snprintf(m, sizeof(m),
             "a power-on reset %llu ms into erasing blank sectors, %.2f V at idle "
             "before; no reset while the firmware ran",
             (unsigned long long)ms, r->volts);
    stp_dx_unstable(r->findings, "it browns out when the flash draws its erase current", m);
    stp_dx_set(c, STP_CHECK_FAIL,
               "brown-out %llu ms into erasing blank sectors (no data changed: they were blank)",
               (unsigned long long)ms);
    stp_dx_block(r, c, STP_ERR_POWER);
}

void stp_dx_check_load(stp_dx_run *r)
{
    stp_doctor_check *c = stp_dx_check(r, "load", "Supply under load (erasing blank sectors)");
    stp_target *t = r->t;
    if (r->opt->no_load_test) {
        stp_dx_set(c, STP_CHECK_INFO,
                   "not run (--no-load-test): the supply was not tested "
                   "under the flash's load");
        return;
    }
    if (t == NULL || r->rdp_level != 0) {
        stp_dx_set(c, STP_CHECK_SKIP, "not run: %s", t == NULL ? "not attached" : "protected");
        return;
    }
    if (r->opt->flash_test) {
        stp_dx_set(c, STP_CHECK_INFO,
                   "not run here: the flash test loads the supply with "
                   "every sector");
        return;
    }
    stp_findings scratch = {0};
    (void)stp_target_refresh_protection(t, &scratch);
    stp_findings_free(&scratch);
    load_plan p = {0};
    r->core_changed = true; /* the SRAM loader computes the CRCs */
    bool *blank = stp_calloc(t->sector_count, sizeof(*blank));
    if (blank == NULL || !find_blank(r, blank, &p) || !plan_erases(r, blank, &p)) {
        stp_dx_set(c, STP_CHECK_SKIP, "not run: out of memory");
        goto out;
    }
    if (p.count == 0) {
        untested(r, c, &p);
        goto out;
    }
    stp_log(r->env, STP_LOG_INFO, "doctor: loading the supply: %zu erases of blank sectors",
            p.count);
    stp_findings ops = {0};
    stp_debug *d = r->dbg;
    uint64_t t0 = d->ops->now_ms(d);
    stp_status st = stp_flash_erase(&t->flash, p.list, p.count, NULL, NULL, 0, &ops);
    uint64_t ms = d->ops->now_ms(d) - t0;
    if (st == STP_ERR_POWER || stp_explain_power_lost(d)) {
        stp_findings_free(&ops);
        browned_out(r, c, &p, ms);
        goto out;
    }
    if (st != STP_OK) {
        stp_findings_append(r->findings, &ops);
        stp_findings_free(&ops);
        stp_dx_set(c, STP_CHECK_WARN,
                   "the erase of a blank sector failed (%s): see the "
                   "findings; the supply's behaviour under load is unknown",
                   stp_status_describe(st));
        goto out;
    }
    stp_findings_free(&ops);
    stp_dx_set(c, STP_CHECK_PASS,
               "%zu erases of %zu sectors proven blank (%s) in %.2f s: %.2f s of erase current "
               "(datasheet typical, about %.1f mA more), no brown-out; each cost one of the "
               "sector's 10 000 erase cycles",
               p.count, p.sectors, p.by_crc ? "on-target CRC" : "read back", ms / 1000.0,
               p.typ_us / 1e6, r->chip->flash_op_ua / 1000.0);
out:
    stp_free(p.list);
    stp_free(blank);
}
