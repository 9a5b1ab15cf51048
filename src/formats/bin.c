/* Raw binary: the file's bytes at a base address (reader); the span from the lowest to the
 * highest address with gaps filled with 0xFF (writer). */
#include <string.h>

#include "formats/image_internal.h"

stp_status stp_bin_parse(stp_image *img, const uint8_t *data, size_t len, const char *name,
                         uint32_t base, stp_findings *findings)
{
    if (len == 0)
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.empty", name, STP_ORIGIN_NONE, 0,
                             "empty file: nothing to program");
    return stp_image_add_piece(img, base, data, len, name, STP_ORIGIN_OFFSET, 0, findings);
}

stp_status stp_bin_write(const stp_image *img, stp_buf *out, stp_findings *findings)
{
    size_t nsegs = stp_image_segment_count(img);
    if (nsegs == 0)
        return STP_OK;
    stp_segment first = stp_image_segment(img, 0), last = stp_image_segment(img, nsegs - 1);
    uint64_t span = (uint64_t)last.addr + last.size - first.addr;
    if (span > STP_BIN_MAX_SPAN) {
        stp_finding *f = stp_finding_add(
            findings, "file.too-large", STP_SEV_ERROR,
            "data spans 0x%08X..0x%08llX (%llu MiB): a binary file would be mostly 0xFF filler",
            first.addr, (unsigned long long)(last.addr + (uint64_t)last.size - 1),
            (unsigned long long)(span >> 20));
        stp_finding_evidence(f, "span_bytes", "%llu", (unsigned long long)span);
        stp_finding_advice(f, "Write Intel HEX (.hex) or S-record (.srec) instead of binary.");
        return STP_ERR_RANGE;
    }
    if (!stp_buf_reserve(out, (size_t)span))
        return STP_ERR_NOMEM;
    uint8_t *base = out->data + out->len;
    memset(base, 0xFF, (size_t)span);
    for (size_t i = 0; i < nsegs; i++) {
        stp_segment s = stp_image_segment(img, i);
        memcpy(base + (s.addr - first.addr), s.data, s.size);
    }
    out->len += (size_t)span;
    return STP_OK;
}
