/* Doctor checks of memory access: an SRAM write/read-back of one long transfer (saved and
 * restored; a probe that corrupts long transfers is found and the longest clean transfer
 * measured), then whether the flash reads, with a sampled blank-check summary. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "ops/doctor_internal.h"
#include "ops/ops_internal.h"
#include "target/target_internal.h"

#define SRAM_TEST_MAX 4096u

static void pattern(uint8_t *p, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++)
        p[i] = (uint8_t)((i * 7u + 0x5Au) ^ (i >> 8));
}

/* Writes pat and reads it back; returns the number of differing bytes (len + 1 when an
 * access failed) and the first differing offset. */
static uint32_t roundtrip(stp_debug *d, uint32_t addr, const uint8_t *pat, uint8_t *back,
                          uint32_t len, uint32_t *first)
{
    stp_findings scratch = {0};
    stp_status st = d->ops->write_mem(d, addr, pat, len, &scratch);
    if (st == STP_OK)
        st = d->ops->read_mem(d, addr, back, len, &scratch);
    stp_findings_free(&scratch);
    if (st != STP_OK)
        return len + 1;
    uint32_t bad = 0;
    *first = len;
    for (uint32_t i = 0; i < len; i++) {
        if (pat[i] != back[i]) {
            if (bad++ == 0)
                *first = i;
        }
    }
    return bad;
}

void stp_dx_check_sram(stp_dx_run *r)
{
    stp_doctor_check *c = stp_dx_check(r, "sram", "SRAM write/read-back (long transfers)");
    stp_debug *d = r->dbg;
    uint32_t base = r->chip->sram_base;
    uint32_t len = r->chip->sram_size / 2 < SRAM_TEST_MAX ? r->chip->sram_size / 2 : SRAM_TEST_MAX;
    len &= ~3u;
    uint8_t *saved = stp_malloc(len), *pat = stp_malloc(len), *back = stp_malloc(len);
    stp_findings scratch = {0};
    if (!r->halted) { /* the firmware could use the bytes while they hold the pattern */
        stp_dx_set(c, STP_CHECK_SKIP, "not run: the core could not be halted");
        goto out;
    }
    if (saved == NULL || pat == NULL || back == NULL || len == 0) {
        stp_dx_set(c, STP_CHECK_SKIP, "not run (out of memory)");
        goto out;
    }
    if (d->ops->read_mem(d, base, saved, len, &scratch) != STP_OK) {
        stp_dx_set(c, STP_CHECK_FAIL, "SRAM at 0x%08X not readable", (unsigned)base);
        goto out;
    }
    pattern(pat, len);
    uint32_t first = 0;
    uint32_t bad = roundtrip(d, base, pat, back, len, &first);
    if (bad == 0) {
        (void)d->ops->write_mem(d, base, saved, len, &scratch);
        stp_dx_set(c, STP_CHECK_PASS,
                   "%u bytes written and read back in one transfer at 0x%08X "
                   "(contents restored)",
                   (unsigned)len, (unsigned)base);
        goto out;
    }
    /* Find the longest transfer that comes through intact. */
    static const uint32_t limits[] = {2048, 1024, 512, 256, 128, 64, 16, 4};
    uint32_t clean = 0, first_bad = first;
    for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]) && clean == 0; i++) {
        if (limits[i] >= len)
            continue;
        d->ops->set_transfer_limit(d, limits[i]);
        uint32_t f2 = 0;
        if (roundtrip(d, base, pat, back, len, &f2) == 0)
            clean = limits[i];
    }
    if (clean == 0)
        d->ops->set_transfer_limit(d, 4);
    (void)d->ops->write_mem(d, base, saved, len, &scratch);
    stp_finding *f = stp_finding_add(
        r->findings, "probe.corrupts-transfers", clean ? STP_SEV_WARNING : STP_SEV_ERROR,
        "the probe corrupts long memory writes: %u of %u bytes came back wrong%s",
        bad > len ? len : bad, (unsigned)len,
        clean ? "; shorter transfers are intact" : ", even short transfers fail");
    stp_finding_evidence(f, "transfer_bytes", "%u", (unsigned)len);
    stp_finding_evidence(f, "first_bad_offset", "%u", (unsigned)first_bad);
    if (clean)
        stp_finding_evidence(f, "longest_clean_transfer", "%u bytes", (unsigned)clean);
    stp_finding_advice(f, "a clone or faulty probe (or its firmware): use a genuine ST-Link "
                          "or update its firmware. RAM flash loaders need intact long "
                          "transfers; stprog's direct programming writes short ones");
    stp_dx_set(c, clean ? STP_CHECK_WARN : STP_CHECK_FAIL,
               "%u-byte transfer: %u bytes wrong from offset %u; %s", (unsigned)len,
               bad > len ? len : bad, (unsigned)first_bad,
               clean ? "intact at the shorter length in the findings" : "no length is intact");
    if (clean == 0)
        stp_dx_block(r, c, STP_ERR_PROTOCOL);
out:
    stp_findings_free(&scratch);
    stp_free(saved);
    stp_free(pat);
    stp_free(back);
}

#define BLANK_SAMPLE      256u
#define BLANK_MAX_SAMPLES 64u

void stp_dx_check_flash(stp_dx_run *r)
{
    stp_doctor_check *c = stp_dx_check(r, "flash", "Flash readable, blank-check summary");
    stp_target *t = r->t;
    if (t == NULL) {
        stp_dx_set(c, STP_CHECK_SKIP, "not attached");
        return;
    }
    uint8_t buf[BLANK_SAMPLE];
    const uint8_t ev = r->chip->erased_value;
    size_t n = t->sector_count,
           step = n > BLANK_MAX_SAMPLES ? (n + BLANK_MAX_SAMPLES - 1) / BLANK_MAX_SAMPLES : 1;
    size_t sampled = 0, with_data = 0, first_data = (size_t)-1, last_data = 0;
    /* Flash ECC errors the firmware met before we halted it (the flags stay latched). */
    unsigned ecc =
        stp_ops_ecc_check(t, "latched when doctor attached: the firmware read it", r->findings);
    for (size_t i = 0; i < n; i += step) {
        const stp_sector *s = &t->sectors[i];
        uint32_t len = s->size < BLANK_SAMPLE ? s->size : BLANK_SAMPLE;
        stp_findings scratch = {0};
        stp_status st = r->dbg->ops->read_mem(r->dbg, s->addr, buf, len, &scratch);
        stp_findings_free(&scratch);
        if (st != STP_OK && stp_ops_ecc_check(t, "doctor's sampled read", r->findings) > 0) {
            ecc++; /* the bus error of an uncorrectable ECC word (H7): named, go on */
            continue;
        }
        if (st != STP_OK && !r->id.flash_size_read && sampled > 0) {
            /* The size was assumed: the real flash ends earlier. */
            stp_dx_set(c, STP_CHECK_WARN,
                       "readable up to 0x%08X, bus fault at 0x%08X: the chip has less flash "
                       "than the %u KiB assumed (flash-size register unusable)",
                       (unsigned)(s->addr - 1), (unsigned)s->addr, (unsigned)r->id.flash_kb);
            return;
        }
        if (st != STP_OK) {
            stp_finding *f = stp_finding_add(r->findings, "flash.unreadable", STP_SEV_ERROR,
                                             "reading the flash at 0x%08X failed (%s)",
                                             (unsigned)s->addr, stp_status_describe(st));
            stp_finding_evidence(f, "address", "0x%08X", (unsigned)s->addr);
            stp_finding_evidence(f, "status", "%s", stp_status_name(st));
            stp_finding_advice(f, "with RDP level 0 and a clean link this points at the chip: "
                                  "run `stprog doctor --flash-test`");
            stp_dx_set(c, STP_CHECK_FAIL, "read failed at 0x%08X", (unsigned)s->addr);
            stp_dx_block(r, c, st);
            return;
        }
        sampled++;
        bool blank = true;
        for (uint32_t k = 0; k < len && blank; k++)
            blank = buf[k] == ev;
        if (!blank) {
            with_data++;
            if (first_data == (size_t)-1)
                first_data = s->index;
            last_data = s->index;
        }
    }
    ecc += stp_ops_ecc_check(t, "doctor's sampled read", r->findings);
    if (ecc != 0)
        stp_dx_set(c, STP_CHECK_FAIL,
                   "%u flash word(s) with an uncorrectable ECC error (flash.ecc-error: erase "
                   "and rewrite their sectors)",
                   ecc);
    else if (with_data == 0)
        stp_dx_set(c, STP_CHECK_PASS,
                   "%u KiB in %zu sectors readable; the %zu sampled look "
                   "blank (first %u bytes of each)",
                   (unsigned)r->id.flash_kb, n, sampled, BLANK_SAMPLE);
    else
        stp_dx_set(c, STP_CHECK_PASS,
                   "%u KiB in %zu sectors readable; %zu of %zu sampled hold data (sectors "
                   "%zu-%zu), the rest look blank",
                   (unsigned)r->id.flash_kb, n, with_data, sampled, first_data, last_data);
}
