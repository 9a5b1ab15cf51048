/* Motorola S-record: reader (S0 header, S1-S3 data, S5/S6 counts, S7-S9 start address as the
 * entry point, checksums) and writer (the shortest of S1/S2/S3 that fits every address, a
 * count record and the matching termination record). */
#include <stdio.h>
#include <string.h>

#include "formats/image_internal.h"

#define MAX_RECORD 256

/* Address bytes per record type S0..S9; 0 = undefined (S4). */
static const uint8_t addr_bytes[10] = {2, 2, 3, 4, 0, 2, 3, 4, 3, 2};

static bool line_is_record(const stp_line *ln)
{
    if (ln->len < 10 || ln->p[0] != 'S' || ln->p[1] < '0' || ln->p[1] > '9' || ln->len % 2 != 0)
        return false;
    for (size_t i = 2; i < ln->len; i++) {
        if (stp_hex_value[ln->p[i]] < 0)
            return false;
    }
    return true;
}

bool stp_srec_sniff(const uint8_t *data, size_t len)
{
    return stp_first_line_is(data, len, line_is_record);
}

/* Checks the frame of one non-empty line and decodes its bytes (count .. checksum) into rec. */
static stp_status decode_record(const stp_line *ln, const char *name, uint8_t *rec, size_t *nbytes,
                                stp_findings *findings)
{
    char what[24];
    if (ln->p[0] != 'S' || ln->len < 2) {
        stp_describe_char(what, sizeof(what), ln->p[0]);
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.bad-record", name, STP_ORIGIN_LINE,
                             ln->number, "expected a record starting with 'S', found %s", what);
    }
    uint8_t t = ln->p[1];
    if (t < '0' || t > '9' || addr_bytes[t - '0'] == 0) {
        stp_describe_char(what, sizeof(what), t);
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.bad-record-type", name,
                             STP_ORIGIN_LINE, ln->number,
                             "unknown record type S%s (S-records define S0-S3, S5-S9)",
                             t >= 0x20 && t < 0x7F ? (char[2]){(char)t, 0} : "?");
    }
    size_t nd = ln->len - 2;
    if (nd > 2 * MAX_RECORD)
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.bad-record", name, STP_ORIGIN_LINE,
                             ln->number, "record of %zu hex digits is longer than any record", nd);
    size_t bad = stp_hex_decode(ln->p + 2, nd & ~(size_t)1, rec);
    if (bad == (size_t)-1 && nd % 2 != 0 && stp_hex_value[ln->p[ln->len - 1]] < 0)
        bad = nd - 1;
    if (bad != (size_t)-1) {
        stp_describe_char(what, sizeof(what), ln->p[2 + bad]);
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.bad-record", name, STP_ORIGIN_LINE,
                             ln->number, "%s at column %zu is not a hex digit", what, bad + 3);
    }
    size_t n = nd / 2;
    size_t want = n >= 1 ? (size_t)rec[0] + 1 : 2;
    size_t minimum = (size_t)addr_bytes[t - '0'] + 2; /* count, address, checksum */
    if (n < want && ln->last)
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.truncated", name, STP_ORIGIN_LINE,
                             ln->number, "file ends inside a record (%zu of %zu bytes)", n, want);
    if (nd % 2 != 0)
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.odd-digits", name, STP_ORIGIN_LINE,
                             ln->number, "odd number of hex digits (%zu)", nd);
    if (n != want || want < minimum)
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.bad-record", name, STP_ORIGIN_LINE,
                             ln->number, "record count %zu does not fit an S%c record", want - 1,
                             t);
    unsigned sum = 0;
    for (size_t i = 0; i + 1 < n; i++)
        sum += rec[i];
    uint8_t expect = (uint8_t)(~sum & 0xFFu);
    if (expect != rec[n - 1])
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.bad-checksum", name, STP_ORIGIN_LINE,
                             ln->number, "bad checksum 0x%02X (the record's bytes give 0x%02X)",
                             rec[n - 1], expect);
    *nbytes = n;
    return STP_OK;
}

stp_status stp_srec_parse(stp_image *img, const uint8_t *data, size_t len, const char *name,
                          stp_findings *findings)
{
    size_t pos = 0;
    uint32_t number = 0, end_line = 0, records = 0, data_records = 0;
    uint64_t bytes = 0;
    bool ended = false;
    uint8_t rec[MAX_RECORD];
    stp_line ln;
    while (stp_next_line(data, len, &pos, &number, &ln)) {
        if (ln.len == 0 || (ended && ln.len == 1 && ln.p[0] == 0x1A))
            continue;
        if (ended)
            return stp_file_fail(findings, STP_ERR_FORMAT, "file.data-after-end", name,
                                 STP_ORIGIN_LINE, ln.number,
                                 "record after the termination record on line %u", end_line);
        size_t n = 0;
        stp_status st = decode_record(&ln, name, rec, &n, findings);
        if (st != STP_OK)
            return st;
        records++;
        unsigned type = (unsigned)(ln.p[1] - '0');
        size_t ab = addr_bytes[type];
        uint32_t addr = 0;
        for (size_t i = 0; i < ab; i++)
            addr = (addr << 8) | rec[1 + i];
        const uint8_t *d = rec + 1 + ab;
        size_t count = n - 2 - ab;
        switch (type) {
        case 0: /* header: free text, nothing to load */
            break;
        case 1:
        case 2:
        case 3:
            st = stp_image_add_piece(img, addr, d, count, name, STP_ORIGIN_LINE, ln.number,
                                     findings);
            if (st != STP_OK)
                return st;
            bytes += count;
            data_records++;
            break;
        case 5:
        case 6:
            if (count != 0)
                return stp_file_fail(findings, STP_ERR_FORMAT, "file.bad-record", name,
                                     STP_ORIGIN_LINE, ln.number,
                                     "count record S%u carries %zu extra bytes", type, count);
            if (addr != data_records)
                return stp_file_fail(
                    findings, STP_ERR_FORMAT, "file.bad-count", name, STP_ORIGIN_LINE, ln.number,
                    "count record says %u data records, the file has %u", addr, data_records);
            break;
        default: /* 7, 8, 9: termination with the start address */
            if (count != 0)
                return stp_file_fail(findings, STP_ERR_FORMAT, "file.bad-record", name,
                                     STP_ORIGIN_LINE, ln.number,
                                     "termination record S%u carries %zu extra bytes", type, count);
            if (addr != 0) /* 0 is what writers put when there is no start address */
                stp_image_set_entry(img, addr);
            ended = true;
            end_line = ln.number;
            break;
        }
    }
    if (records == 0)
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.empty", name, STP_ORIGIN_NONE, 0,
                             "no S-records (empty file)");
    if (!ended)
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.truncated", name, STP_ORIGIN_LINE,
                             number, "no termination record (S7/S8/S9): the file is cut off");
    if (bytes == 0)
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.empty", name, STP_ORIGIN_NONE, 0,
                             "no data records");
    return STP_OK;
}

/* Appends "S<type>" count address data checksum "\n". */
static void put_record(stp_buf *out, unsigned type, uint32_t addr, const uint8_t *d, size_t count)
{
    size_t ab = addr_bytes[type];
    if (!stp_buf_reserve(out, 8 + 2 * (ab + count)))
        return;
    char *p = (char *)out->data + out->len;
    uint8_t head[5];
    head[0] = (uint8_t)(ab + count + 1);
    for (size_t i = 0; i < ab; i++)
        head[1 + i] = (uint8_t)(addr >> (8 * (ab - 1 - i)));
    unsigned sum = 0;
    *p++ = 'S';
    *p++ = (char)('0' + type);
    for (size_t i = 0; i < 1 + ab; i++) {
        sum += head[i];
        *p++ = stp_hex_upper[head[i] >> 4];
        *p++ = stp_hex_upper[head[i] & 0xF];
    }
    for (size_t i = 0; i < count; i++) {
        sum += d[i];
        *p++ = stp_hex_upper[d[i] >> 4];
        *p++ = stp_hex_upper[d[i] & 0xF];
    }
    uint8_t cs = (uint8_t)(~sum & 0xFFu);
    *p++ = stp_hex_upper[cs >> 4];
    *p++ = stp_hex_upper[cs & 0xF];
    *p++ = '\n';
    out->len = (size_t)((uint8_t *)p - out->data);
}

stp_status stp_srec_write(const stp_image *img, stp_buf *out, stp_findings *findings)
{
    uint64_t top = 0;
    size_t nsegs = stp_image_segment_count(img);
    if (nsegs > 0) {
        stp_segment last = stp_image_segment(img, nsegs - 1);
        top = (uint64_t)last.addr + last.size;
    }
    uint32_t entry = stp_image_entry(img);
    if ((uint64_t)entry + 1 > top) /* top is an end (exclusive); the entry is an address */
        top = (uint64_t)entry + 1;
    unsigned dtype = top <= 0x10000u ? 1 : top <= 0x1000000u ? 2 : 3;
    static const uint8_t header[] = {'s', 't', 'p', 'r', 'o', 'g'};
    put_record(out, 0, 0, header, sizeof(header));
    uint32_t records = 0;
    for (size_t i = 0; i < nsegs; i++) {
        stp_segment s = stp_image_segment(img, i);
        for (size_t done = 0; done < s.size; done += 16) {
            size_t n = s.size - done < 16 ? s.size - done : 16;
            put_record(out, dtype, s.addr + (uint32_t)done, s.data + done, n);
            records++;
        }
    }
    if (records <= 0xFFFFu)
        put_record(out, 5, records, NULL, 0);
    else if (records <= 0xFFFFFFu)
        put_record(out, 6, records, NULL, 0);
    put_record(out, 10 - dtype, entry, NULL, 0);
    return out->failed ? STP_ERR_NOMEM : STP_OK;
}
