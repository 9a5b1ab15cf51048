/* The writers' growable output buffer and the hex digit tables shared by the text formats. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "formats/image_internal.h"

const signed char stp_hex_value[256] = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  -1, -1, -1, -1, -1, -1, -1, 10, 11, 12, 13, 14, 15, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

const char stp_hex_upper[16] = {'0', '1', '2', '3', '4', '5', '6', '7',
                                '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'};

bool stp_buf_reserve(stp_buf *b, size_t extra)
{
    if (b->failed)
        return false;
    if (extra <= b->cap - b->len)
        return true;
    if (extra > SIZE_MAX / 2 - b->len) {
        b->failed = true;
        return false;
    }
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->len < extra)
        cap *= 2;
    uint8_t *p = stp_realloc(b->data, cap);
    if (p == NULL) {
        b->failed = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void stp_buf_put(stp_buf *b, const void *data, size_t len)
{
    if (len == 0 || !stp_buf_reserve(b, len))
        return;
    memcpy(b->data + b->len, data, len);
    b->len += len;
}

void stp_buf_free(stp_buf *b)
{
    stp_free(b->data);
    memset(b, 0, sizeof(*b));
}

static bool is_blank(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

bool stp_next_line(const uint8_t *data, size_t len, size_t *pos, uint32_t *number, stp_line *out)
{
    size_t start = *pos;
    if (start >= len)
        return false;
    const uint8_t *nl = memchr(data + start, '\n', len - start);
    size_t end = nl != NULL ? (size_t)(nl - data) : len;
    *pos = nl != NULL ? end + 1 : len;
    if (*number < UINT32_MAX)
        (*number)++;
    while (start < end && is_blank(data[start]))
        start++;
    while (end > start && is_blank(data[end - 1]))
        end--;
    out->p = data + start;
    out->len = end - start;
    out->number = *number;
    out->last = *pos >= len;
    return true;
}

size_t stp_hex_decode(const uint8_t *p, size_t ndigits, uint8_t *out)
{
    for (size_t i = 0; i + 1 < ndigits; i += 2) {
        int hi = stp_hex_value[p[i]], lo = stp_hex_value[p[i + 1]];
        if ((hi | lo) < 0)
            return hi < 0 ? i : i + 1;
        out[i / 2] = (uint8_t)((hi << 4) | lo);
    }
    return (size_t)-1;
}

bool stp_first_line_is(const uint8_t *data, size_t len, bool (*is_record)(const stp_line *ln))
{
    size_t pos = 0;
    uint32_t number = 0;
    stp_line ln;
    while (stp_next_line(data, len, &pos, &number, &ln)) {
        if (ln.len > 0)
            return is_record(&ln);
    }
    return false;
}

void stp_describe_char(char *buf, size_t cap, uint8_t c)
{
    if (c >= 0x20 && c < 0x7F)
        snprintf(buf, cap, "'%c'", c);
    else
        snprintf(buf, cap, "byte 0x%02X", c);
}
