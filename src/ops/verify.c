/* Verify an image against the target's memory, and plain reads. */
#include <string.h>

#include "core/alloc.h"
#include "ops/crc_ops.h"
#include "ops/ops_internal.h"

/* Reads [addr, addr+len) back and compares it with want, counting into res. */
static stp_status compare_by_reading(stp_target *t, uint32_t addr, const uint8_t *want,
                                     uint32_t len, uint8_t *buf, const stp_env *env, uint64_t *done,
                                     uint64_t total, stp_verify_result *res, stp_findings *findings)
{
    stp_status st = STP_OK;
    for (uint32_t off = 0; st == STP_OK && off < len; off += 4096) {
        uint32_t n = len - off < 4096 ? len - off : 4096;
        st = stp_ops_read(t, addr + off, n, buf, env, "verify", done, total, findings);
        for (uint32_t k = 0; st == STP_OK && k < n; k++) {
            if (buf[k] == want[off + k])
                continue;
            if (res->mismatches == 0) {
                res->first_address = addr + off + k;
                res->expected = want[off + k];
                res->actual = buf[k];
            }
            res->mismatches++;
            res->erased_reads += buf[k] == t->id.chip->erased_value;
        }
        if (st == STP_OK)
            res->compared += n;
    }
    return st;
}

#define CRC_CHUNK 16384u

/* The word-aligned part of a flash segment by CRC on the target (the SRAM loader), chunk by
 * chunk; only chunks whose CRC differs are read back, to name the bytes. Not on a target
 * that was running when we attached: the loader would overwrite the SRAM of the program
 * that `verify` lets run on afterwards. *crc_len is what was covered (0: nothing, read it). */
static stp_status verify_by_crc(stp_target *t, stp_segment s, uint8_t *buf, const stp_env *env,
                                uint64_t *done, uint64_t total, stp_verify_result *res,
                                uint32_t *crc_len, bool *crc_usable, stp_findings *findings)
{
    *crc_len = 0;
    uint64_t base = t->info.flash_base, end = base + (uint64_t)t->info.flash_kb * 1024u;
    uint32_t len = s.size & ~3u;
    if (!*crc_usable || t->was_running || s.addr % 4 != 0 || len == 0 || s.addr < base ||
        s.addr + (uint64_t)len > end)
        return STP_OK;
    size_t n = (len + CRC_CHUNK - 1) / CRC_CHUNK;
    uint32_t *addr = stp_calloc(n, sizeof(uint32_t)), *clen = stp_calloc(n, sizeof(uint32_t));
    const uint8_t **want = stp_calloc(n, sizeof(*want));
    bool *ok = stp_calloc(n, sizeof(bool));
    stp_status st = STP_OK;
    if (addr == NULL || clen == NULL || want == NULL || ok == NULL)
        st = STP_ERR_NOMEM;
    for (size_t i = 0; st == STP_OK && i < n; i++) {
        uint32_t off = (uint32_t)i * CRC_CHUNK;
        addr[i] = s.addr + off;
        clen[i] = len - off < CRC_CHUNK ? len - off : CRC_CHUNK;
        want[i] = s.data + off;
    }
    bool used = false;
    if (st == STP_OK)
        st = stp_ops_crc_verify(t, addr, clen, want, n, ok, &used, findings);
    if (st == STP_OK && !used)
        *crc_usable = false;
    for (size_t i = 0; st == STP_OK && used && i < n; i++) {
        if (ok[i]) {
            res->compared += clen[i];
            *done += clen[i];
            stp_progress_emit(env, STP_PROGRESS_ADVANCE, "verify", *done, total);
        } else {
            st = compare_by_reading(t, addr[i], want[i], clen[i], buf, env, done, total, res,
                                    findings);
        }
    }
    if (st == STP_OK && used)
        *crc_len = len;
    stp_free(addr);
    stp_free(clen);
    stp_free(want);
    stp_free(ok);
    return st;
}

/* The initial stack pointer and reset vector at the start of the flash, when the image
 * has them. */
static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool image_vectors(const stp_target *t, const stp_image *img, uint8_t v[8])
{
    for (size_t i = 0; i < stp_image_segment_count(img); i++) {
        stp_segment s = stp_image_segment(img, i);
        if (s.addr == t->info.flash_base && s.size >= 8) {
            memcpy(v, s.data, 8);
            return true;
        }
    }
    return false;
}

/* Most bytes differ, the vector table too (when the image has one), and what differs is
 * not erased flash: the chip holds another program, not a damaged copy of this one (worn
 * cells lose a bit here and there, a noisy link flips a few bits, an interrupted write
 * leaves erased bytes). */
static bool different_image(stp_target *t, const stp_image *img, const stp_verify_result *res,
                            stp_findings *findings)
{
    if (res->mismatches * 2 <= res->compared || res->erased_reads * 2 > res->mismatches)
        return false;
    uint8_t want[8] = {0}, have[8] = {0};
    bool vectors = image_vectors(t, img, want);
    stp_findings scratch = {0};
    if (vectors &&
        (t->dbg->ops->read_mem(t->dbg, t->info.flash_base, have, 8, &scratch) != STP_OK ||
         memcmp(want, have, 8) == 0)) {
        stp_findings_free(&scratch);
        return false; /* same vector table: the same program, damaged */
    }
    stp_findings_free(&scratch);
    stp_finding *f =
        stp_finding_add(findings, "verify.different-image", STP_SEV_ERROR,
                        "the chip holds another program: %llu of %llu bytes differ%s",
                        (unsigned long long)res->mismatches, (unsigned long long)res->compared,
                        vectors ? ", the vector table too" : "");
    stp_finding_evidence(f, "first_address", "0x%08X", (unsigned)res->first_address);
    stp_finding_evidence(f, "mismatches", "%llu", (unsigned long long)res->mismatches);
    stp_finding_evidence(f, "compared", "%llu", (unsigned long long)res->compared);
    stp_finding_evidence(f, "erased_bytes", "%llu of the differing bytes read as erased",
                         (unsigned long long)res->erased_reads);
    if (vectors)
        stp_finding_evidence(f, "vector_table",
                             "image SP 0x%08X reset 0x%08X; chip SP 0x%08X reset 0x%08X",
                             (unsigned)le32(want), (unsigned)le32(want + 4), (unsigned)le32(have),
                             (unsigned)le32(have + 4));
    stp_finding_advice(f, "the flash holds a different firmware (another build or another "
                          "project): `stprog write` this image to replace it; nothing points at "
                          "the flash, the supply or the wiring");
    return true;
}

stp_status stp_verify(stp_target *t, const stp_image *img, const stp_env *env,
                      stp_verify_result *res, stp_findings *findings)
{
    memset(res, 0, sizeof(*res));
    size_t n = stp_image_segment_count(img);
    uint64_t total = stp_image_total_bytes(img), done = 0;
    stp_status st = stp_ops_prepare(t, findings);
    stp_progress_emit(env, STP_PROGRESS_START, "verify", 0, total);
    uint8_t *buf = stp_malloc(4096);
    if (buf == NULL)
        st = STP_ERR_NOMEM;
    bool crc_usable = true;
    if (st == STP_OK)
        stp_ops_ecc_forget(t);
    for (size_t i = 0; st == STP_OK && i < n; i++) {
        stp_segment s = stp_image_segment(img, i);
        uint32_t covered = 0;
        st = verify_by_crc(t, s, buf, env, &done, total, res, &covered, &crc_usable, findings);
        if (st == STP_OK && covered < s.size)
            st = compare_by_reading(t, s.addr + covered, s.data + covered, s.size - covered, buf,
                                    env, &done, total, res, findings);
    }
    stp_free(buf);
    stp_progress_emit(env, STP_PROGRESS_END, "verify", done, total);
    /* Words with an uncorrectable ECC error: named instead of a mismatch they caused. */
    unsigned ecc_bad = st == STP_OK ? stp_ops_ecc_check(t, "verify", findings) : 0;
    res->match = (st == STP_OK && res->mismatches == 0 && ecc_bad == 0);
    if (st == STP_OK && ecc_bad != 0) {
        st = STP_ERR_FLASH; /* as when the chip answers those reads with a bus error (H7) */
    } else if (st == STP_OK && res->mismatches != 0) {
        if (!different_image(t, img, res, findings))
            stp_ops_mismatch_finding(res, findings);
        st = STP_ERR_VERIFY;
    }
    return st;
}

stp_status stp_read(stp_target *t, uint32_t addr, uint32_t len, uint8_t *buf, const stp_env *env,
                    stp_findings *findings)
{
    uint64_t done = 0;
    bool in_flash = addr >= t->info.flash_base &&
                    addr - t->info.flash_base < (uint64_t)t->info.flash_kb * 1024u;
    stp_status st = STP_OK;
    if (in_flash)
        st = stp_ops_prepare(t, findings); /* names RDP instead of a bare fault */
    if (st != STP_OK)
        return st;
    if (in_flash)
        stp_ops_ecc_forget(t);
    stp_progress_emit(env, STP_PROGRESS_START, "read", 0, len);
    st = stp_ops_read(t, addr, len, buf, env, "read", &done, len, findings);
    stp_progress_emit(env, STP_PROGRESS_END, "read", done, len);
    if (st == STP_OK && in_flash && stp_ops_ecc_check(t, "read", findings) > 0)
        st = STP_ERR_FLASH; /* the dump holds the wrong bits of those words */
    return st;
}
