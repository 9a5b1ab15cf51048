/* On-target CRC for the program operation (see crc_ops.h). */
#include "ops/crc_ops.h"

#include <string.h>

#include "core/alloc.h"
#include "target/flash_loader.h"

/* Whether the segments cover [addr, addr+len) entirely (segments do not overlap). */
static bool covered(const stp_segment *segs, size_t nsegs, uint32_t addr, uint32_t len)
{
    uint64_t have = 0, end = (uint64_t)addr + len;
    for (size_t i = 0; i < nsegs; i++) {
        uint64_t a = segs[i].addr, e = a + segs[i].size;
        if (a < addr)
            a = addr;
        if (e > end)
            e = end;
        if (e > a)
            have += e - a;
    }
    return have == len;
}

static bool all_of(const uint8_t *p, uint32_t n, uint8_t v)
{
    for (uint32_t i = 0; i < n; i++)
        if (p[i] != v)
            return false;
    return true;
}

/* The loader's CRC pass; a fault it stopped on that a flash word's ECC error explains (H7
 * answers the core's read of it with a bus error) is named as that. */
static stp_status ecc_loader_crc(stp_target *t, const uint32_t *addr, const uint32_t *len, size_t n,
                                 uint32_t *crc, stp_findings *findings, bool *used)
{
    stp_findings scratch = {0};
    stp_status st = stp_flash_loader_crc(&t->flash, addr, len, n, crc, &scratch, used);
    return stp_ops_ecc_explain(t, st, "the CRC pass on the chip", &scratch, findings);
}

stp_status stp_ops_crc_touched(stp_target *t, const stp_segment *segs, size_t nsegs, bool *touched,
                               uint8_t **cur, bool *owns, stp_findings *findings)
{
    size_t n = t->sector_count;
    uint32_t *addr = stp_calloc(n ? n : 1, sizeof(uint32_t));
    uint32_t *len = stp_calloc(n ? n : 1, sizeof(uint32_t));
    uint32_t *crc = stp_calloc(n ? n : 1, sizeof(uint32_t));
    size_t *region = stp_calloc(n ? n : 1, sizeof(size_t));
    stp_status st = (addr && len && crc && region) ? STP_OK : STP_ERR_NOMEM;
    size_t m = 0;
    for (size_t r = 0; st == STP_OK && r < n; r++) {
        const stp_flash_region *reg = &t->regions[r];
        if (!touched[r] || reg->size % 4 != 0 || !covered(segs, nsegs, reg->addr, reg->size))
            continue;
        addr[m] = reg->addr;
        len[m] = reg->size;
        region[m++] = r;
    }
    bool used = false;
    if (st == STP_OK && m > 0)
        st = ecc_loader_crc(t, addr, len, m, crc, findings, &used);
    const uint8_t erased = t->flash.drv->erased_byte;
    for (size_t i = 0; st == STP_OK && used && i < m; i++) {
        size_t r = region[i];
        uint8_t *img = stp_malloc(len[i]);
        if (img == NULL) {
            st = STP_ERR_NOMEM;
            break;
        }
        memset(img, erased, len[i]);
        stp_ops_overlay(segs, nsegs, addr[i], img, len[i]);
        if (crc[i] == stp_crc32_stm32(img, len[i])) {
            /* identical: the plan leaves it alone */
        } else {
            uint8_t *blank = stp_malloc(len[i]);
            if (blank == NULL) {
                stp_free(img);
                st = STP_ERR_NOMEM;
                break;
            }
            memset(blank, erased, len[i]);
            bool is_blank = crc[i] == stp_crc32_stm32(blank, len[i]);
            stp_free(blank);
            if (is_blank) {
                memset(img, erased, len[i]);
            } else if (all_of(img, len[i], (uint8_t)~erased)) {
                stp_free(img); /* the complement would look programmable: read it */
                continue;
            } else {
                for (uint32_t k = 0; k < len[i]; k++)
                    img[k] = (uint8_t)~img[k]; /* differs everywhere: erase and program */
            }
        }
        cur[r] = img;
        owns[r] = true;
        touched[r] = false;
    }
    stp_free(addr);
    stp_free(len);
    stp_free(crc);
    stp_free(region);
    return st;
}

stp_status stp_ops_crc_verify(stp_target *t, const uint32_t *addr, const uint32_t *len,
                              const uint8_t *const *want, size_t n, bool *ok, bool *used,
                              stp_findings *findings)
{
    *used = false;
    for (size_t i = 0; i < n; i++)
        if (len[i] % 4 != 0 || addr[i] % 4 != 0)
            return STP_OK;
    uint32_t *crc = stp_calloc(n ? n : 1, sizeof(uint32_t));
    if (crc == NULL)
        return STP_ERR_NOMEM;
    stp_status st = ecc_loader_crc(t, addr, len, n, crc, findings, used);
    for (size_t i = 0; st == STP_OK && *used && i < n; i++)
        ok[i] = crc[i] == stp_crc32_stm32(want[i], len[i]);
    stp_free(crc);
    return st;
}
