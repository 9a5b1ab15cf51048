/* Shared checks for the file-format fuzz targets: a parsed image must be internally
 * consistent and survive a round trip through a writer and the matching reader unchanged. */
#ifndef STP_FUZZ_IMAGE_H
#define STP_FUZZ_IMAGE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stprog/image.h"

static inline void fuzz_check(int ok)
{
    if (!ok)
        abort();
}

/* Segments sorted, not touching, sizes summing to the total; read() agrees with them. */
static inline void fuzz_check_image(const stp_image *img)
{
    uint64_t sum = 0, prev_end = 0;
    for (size_t i = 0; i < stp_image_segment_count(img); i++) {
        stp_segment s = stp_image_segment(img, i);
        fuzz_check(s.size > 0 && s.data != NULL);
        fuzz_check(i == 0 || s.addr > prev_end);
        prev_end = (uint64_t)s.addr + s.size;
        fuzz_check(prev_end <= (UINT64_C(1) << 32));
        sum += s.size;
        uint8_t b[2];
        size_t got = stp_image_read(img, s.addr, b, 1, 0);
        fuzz_check(got == 1 && b[0] == s.data[0]);
    }
    fuzz_check(sum == stp_image_total_bytes(img));
}

static inline void fuzz_round_trip(const stp_image *img, stp_format fmt)
{
    size_t nsegs = stp_image_segment_count(img);
    if (fmt == STP_FORMAT_BIN && nsegs > 0) { /* keep runs fast: at most 64 KiB of output */
        stp_segment first = stp_image_segment(img, 0), last = stp_image_segment(img, nsegs - 1);
        if ((uint64_t)last.addr + last.size - first.addr > (UINT64_C(1) << 16))
            return;
    }
    uint8_t *text = NULL;
    size_t len = 0;
    stp_status st = stp_image_serialize(img, fmt, &text, &len, NULL);
    if (st == STP_ERR_RANGE) /* binary spanning too much */
        return;
    fuzz_check(st == STP_OK);
    stp_image *back = NULL;
    uint32_t base = stp_image_segment_count(img) ? stp_image_segment(img, 0).addr : 0;
    st = stp_image_parse(text, len, "roundtrip", fmt, base, &back, NULL);
    fuzz_check(st == STP_OK);
    size_t n = stp_image_segment_count(img);
    if (fmt == STP_FORMAT_BIN) { /* gaps became 0xFF: compare through read() */
        for (size_t i = 0; i < n; i++) {
            stp_segment s = stp_image_segment(img, i);
            uint8_t *buf = malloc(s.size);
            fuzz_check(buf != NULL);
            fuzz_check(stp_image_read(back, s.addr, buf, s.size, 0) == s.size);
            fuzz_check(memcmp(buf, s.data, s.size) == 0);
            free(buf);
        }
    } else {
        fuzz_check(stp_image_segment_count(back) == n);
        for (size_t i = 0; i < n; i++) {
            stp_segment a = stp_image_segment(img, i), b = stp_image_segment(back, i);
            fuzz_check(a.addr == b.addr && a.size == b.size);
            fuzz_check(memcmp(a.data, b.data, a.size) == 0);
        }
        fuzz_check(stp_image_has_entry(back) == stp_image_has_entry(img) || fmt == STP_FORMAT_SREC);
        fuzz_check(stp_image_entry(back) == stp_image_entry(img));
    }
    stp_image_destroy(back);
    stp_image_buffer_free(text);
}

/* Parses data as fmt; on success checks the image and round-trips it through writers. */
static inline void fuzz_one(const uint8_t *data, size_t size, const char *name, stp_format fmt)
{
    stp_findings findings;
    stp_findings_init(&findings);
    stp_image *img = NULL;
    stp_status st = stp_image_parse(data, size, name, fmt, STP_DEFAULT_BIN_BASE, &img, &findings);
    if (st == STP_OK) {
        fuzz_check(img != NULL);
        fuzz_check_image(img);
        fuzz_round_trip(img, STP_FORMAT_IHEX);
        fuzz_round_trip(img, STP_FORMAT_SREC);
        fuzz_round_trip(img, STP_FORMAT_BIN);
        stp_image_destroy(img);
    } else {
        /* every failure other than memory exhaustion explains itself */
        fuzz_check(img == NULL);
        fuzz_check(st == STP_ERR_NOMEM || findings.count > 0);
    }
    stp_findings_free(&findings);
}

#endif
