/* Intel HEX: reader (record types 00-05, extended segment and linear addresses, checksums,
 * start addresses as the entry point) and writer (16 data bytes per record, type 04 for the
 * upper address half, type 05 for the entry point). */
#include <stdio.h>
#include <string.h>

#include "formats/image_internal.h"

#define MAX_RECORD (5 + 255)

static bool line_is_record(const stp_line *ln)
{
    if (ln->len < 11 || ln->p[0] != ':' || (ln->len - 1) % 2 != 0)
        return false;
    for (size_t i = 1; i < ln->len; i++) {
        if (stp_hex_value[ln->p[i]] < 0)
            return false;
    }
    return true;
}

bool stp_ihex_sniff(const uint8_t *data, size_t len)
{
    return stp_first_line_is(data, len, line_is_record);
}

/* Parses one non-empty line into rec; returns its length in bytes or fails. */
static stp_status decode_record(const stp_line *ln, const char *name, uint8_t *rec, size_t *nbytes,
                                stp_findings *findings)
{
    char what[24];
    if (ln->p[0] != ':') {
        stp_describe_char(what, sizeof(what), ln->p[0]);
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.bad-record", name, STP_ORIGIN_LINE,
                             ln->number, "expected a record starting with ':', found %s", what);
    }
    size_t nd = ln->len - 1;
    if (nd > 2 * MAX_RECORD)
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.bad-record", name, STP_ORIGIN_LINE,
                             ln->number, "record of %zu hex digits is longer than any record", nd);
    size_t bad = stp_hex_decode(ln->p + 1, nd & ~(size_t)1, rec);
    if (bad == (size_t)-1 && nd % 2 != 0 && stp_hex_value[ln->p[nd]] < 0)
        bad = nd - 1;
    if (bad != (size_t)-1) {
        stp_describe_char(what, sizeof(what), ln->p[1 + bad]);
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.bad-record", name, STP_ORIGIN_LINE,
                             ln->number, "%s at column %zu is not a hex digit", what, bad + 2);
    }
    size_t n = nd / 2;
    size_t want = n >= 1 ? (size_t)rec[0] + 5 : 5;
    if (n < want && ln->last)
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.truncated", name, STP_ORIGIN_LINE,
                             ln->number, "file ends inside a record (%zu of %zu bytes)", n, want);
    if (nd % 2 != 0)
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.odd-digits", name, STP_ORIGIN_LINE,
                             ln->number, "odd number of hex digits (%zu)", nd);
    if (n != want)
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.bad-record", name, STP_ORIGIN_LINE,
                             ln->number, "record holds %zu bytes but its length says %zu", n, want);
    unsigned sum = 0;
    for (size_t i = 0; i + 1 < n; i++)
        sum += rec[i];
    uint8_t expect = (uint8_t)(0x100u - (sum & 0xFFu));
    if (expect != rec[n - 1])
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.bad-checksum", name, STP_ORIGIN_LINE,
                             ln->number, "bad checksum 0x%02X (the record's bytes give 0x%02X)",
                             rec[n - 1], expect);
    *nbytes = n;
    return STP_OK;
}

static stp_status bad_length(const char *name, uint32_t line, unsigned type, unsigned count,
                             unsigned want, stp_findings *findings)
{
    return stp_file_fail(findings, STP_ERR_FORMAT, "file.bad-record", name, STP_ORIGIN_LINE, line,
                         "record type %02X must carry %u data bytes, not %u", type, want, count);
}

stp_status stp_ihex_parse(stp_image *img, const uint8_t *data, size_t len, const char *name,
                          stp_findings *findings)
{
    size_t pos = 0;
    uint32_t number = 0, eof_line = 0, records = 0;
    uint64_t base = 0, bytes = 0;
    bool segmented = false, ended = false;
    uint8_t rec[MAX_RECORD];
    stp_line ln;
    while (stp_next_line(data, len, &pos, &number, &ln)) {
        if (ln.len == 0 || (ended && ln.len == 1 && ln.p[0] == 0x1A)) /* ^Z: DOS end of file */
            continue;
        if (ended)
            return stp_file_fail(findings, STP_ERR_FORMAT, "file.data-after-end", name,
                                 STP_ORIGIN_LINE, ln.number,
                                 "record after the end-of-file record on line %u", eof_line);
        size_t n = 0;
        stp_status st = decode_record(&ln, name, rec, &n, findings);
        if (st != STP_OK)
            return st;
        records++;
        unsigned count = rec[0], offset = ((unsigned)rec[1] << 8) | rec[2], type = rec[3];
        const uint8_t *d = rec + 4;
        switch (type) {
        case 0x00:
            if (segmented && offset + count > 0x10000u) { /* wraps inside the 64 KiB segment */
                size_t first = 0x10000u - offset;
                st = stp_image_add_piece(img, base + offset, d, first, name, STP_ORIGIN_LINE,
                                         ln.number, findings);
                if (st == STP_OK)
                    st = stp_image_add_piece(img, base, d + first, count - first, name,
                                             STP_ORIGIN_LINE, ln.number, findings);
            } else {
                st = stp_image_add_piece(img, base + offset, d, count, name, STP_ORIGIN_LINE,
                                         ln.number, findings);
            }
            if (st != STP_OK)
                return st;
            bytes += count;
            break;
        case 0x01:
            if (count != 0)
                return bad_length(name, ln.number, type, count, 0, findings);
            ended = true;
            eof_line = ln.number;
            break;
        case 0x02:
        case 0x04:
            if (count != 2)
                return bad_length(name, ln.number, type, count, 2, findings);
            segmented = type == 0x02;
            base = (uint64_t)(((unsigned)d[0] << 8) | d[1]) << (segmented ? 4 : 16);
            break;
        case 0x03:
        case 0x05: {
            if (count != 4)
                return bad_length(name, ln.number, type, count, 4, findings);
            uint32_t hi = ((uint32_t)d[0] << 8) | d[1], lo = ((uint32_t)d[2] << 8) | d[3];
            stp_image_set_entry(img, type == 0x05 ? (hi << 16) | lo : (hi << 4) + lo);
            break;
        }
        default:
            return stp_file_fail(findings, STP_ERR_FORMAT, "file.bad-record-type", name,
                                 STP_ORIGIN_LINE, ln.number,
                                 "unknown record type %02X (Intel HEX defines 00-05)", type);
        }
    }
    if (records == 0)
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.empty", name, STP_ORIGIN_NONE, 0,
                             "no Intel HEX records (empty file)");
    if (!ended)
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.truncated", name, STP_ORIGIN_LINE,
                             number, "no end-of-file record (type 01): the file is cut off");
    if (bytes == 0)
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.empty", name, STP_ORIGIN_NONE, 0,
                             "no data records");
    return STP_OK;
}

/* Appends ":" count address type data checksum "\n". */
static void put_record(stp_buf *out, unsigned type, unsigned offset, const uint8_t *d, size_t count)
{
    if (!stp_buf_reserve(out, 12 + 2 * count))
        return;
    char *p = (char *)out->data + out->len;
    unsigned sum = (unsigned)count + (offset >> 8) + (offset & 0xFFu) + type;
    uint8_t head[4] = {(uint8_t)count, (uint8_t)(offset >> 8), (uint8_t)offset, (uint8_t)type};
    *p++ = ':';
    for (size_t i = 0; i < 4; i++) {
        *p++ = stp_hex_upper[head[i] >> 4];
        *p++ = stp_hex_upper[head[i] & 0xF];
    }
    for (size_t i = 0; i < count; i++) {
        sum += d[i];
        *p++ = stp_hex_upper[d[i] >> 4];
        *p++ = stp_hex_upper[d[i] & 0xF];
    }
    uint8_t cs = (uint8_t)(0x100u - (sum & 0xFFu));
    *p++ = stp_hex_upper[cs >> 4];
    *p++ = stp_hex_upper[cs & 0xF];
    *p++ = '\n';
    out->len = (size_t)((uint8_t *)p - out->data);
}

stp_status stp_ihex_write(const stp_image *img, stp_buf *out, stp_findings *findings)
{
    uint32_t upper = 0;
    for (size_t i = 0; i < stp_image_segment_count(img); i++) {
        stp_segment s = stp_image_segment(img, i);
        uint64_t addr = s.addr;
        size_t done = 0;
        while (done < s.size) {
            if ((uint32_t)(addr >> 16) != upper) {
                upper = (uint32_t)(addr >> 16);
                uint8_t ext[2] = {(uint8_t)(upper >> 8), (uint8_t)upper};
                put_record(out, 0x04, 0, ext, 2);
            }
            size_t n = s.size - done;
            size_t room = 0x10000u - (size_t)(addr & 0xFFFFu);
            if (n > 16)
                n = 16;
            if (n > room)
                n = room;
            put_record(out, 0x00, (unsigned)(addr & 0xFFFFu), s.data + done, n);
            done += n;
            addr += n;
        }
    }
    if (stp_image_has_entry(img)) {
        uint32_t e = stp_image_entry(img);
        uint8_t d[4] = {(uint8_t)(e >> 24), (uint8_t)(e >> 16), (uint8_t)(e >> 8), (uint8_t)e};
        put_record(out, 0x05, 0, d, 4);
    }
    put_record(out, 0x01, 0, NULL, 0);
    return out->failed ? STP_ERR_NOMEM : STP_OK;
}
