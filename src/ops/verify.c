/* Verify an image against the target's memory, and plain reads. */
#include <string.h>

#include "core/alloc.h"
#include "ops/ops_internal.h"

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
    for (size_t i = 0; st == STP_OK && i < n; i++) {
        stp_segment s = stp_image_segment(img, i);
        for (uint32_t off = 0; st == STP_OK && off < s.size; off += 4096) {
            uint32_t len = s.size - off < 4096 ? s.size - off : 4096;
            st = stp_ops_read(t, s.addr + off, len, buf, env, "verify", &done, total, findings);
            for (uint32_t k = 0; st == STP_OK && k < len; k++) {
                if (buf[k] == s.data[off + k])
                    continue;
                if (res->mismatches == 0) {
                    res->first_address = s.addr + off + k;
                    res->expected = s.data[off + k];
                    res->actual = buf[k];
                }
                res->mismatches++;
            }
            if (st == STP_OK)
                res->compared += len;
        }
    }
    stp_free(buf);
    stp_progress_emit(env, STP_PROGRESS_END, "verify", done, total);
    res->match = (st == STP_OK && res->mismatches == 0);
    if (st == STP_OK && res->mismatches != 0) {
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
    stp_progress_emit(env, STP_PROGRESS_START, "read", 0, len);
    st = stp_ops_read(t, addr, len, buf, env, "read", &done, len, findings);
    stp_progress_emit(env, STP_PROGRESS_END, "read", done, len);
    return st;
}
