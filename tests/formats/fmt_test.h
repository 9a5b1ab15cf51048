/* Helpers shared by the format tests: build records with correct checksums (independently of
 * the writers under test) and parse text, asserting the finding a user would see. */
#ifndef STP_TESTS_FMT_TEST_H
#define STP_TESTS_FMT_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "stprog/image.h"

/* Appends an Intel HEX record line to text. */
static inline void ihex_rec(char *text, unsigned type, unsigned offset, const uint8_t *d,
                            unsigned n)
{
    char *p = text + strlen(text);
    unsigned sum = n + (offset >> 8) + (offset & 0xFF) + type;
    p += sprintf(p, ":%02X%04X%02X", n, offset & 0xFFFF, type);
    for (unsigned i = 0; i < n; i++) {
        sum += d[i];
        p += sprintf(p, "%02X", d[i]);
    }
    sprintf(p, "%02X\n", (0x100 - (sum & 0xFF)) & 0xFF);
}

/* Appends an S-record line: type 0-9, address of the type's width. */
static inline void srec_rec(char *text, unsigned type, uint32_t addr, const uint8_t *d, unsigned n)
{
    static const unsigned ab[10] = {2, 2, 3, 4, 2, 2, 3, 4, 3, 2};
    char *p = text + strlen(text);
    unsigned count = ab[type] + n + 1, sum = count;
    p += sprintf(p, "S%u%02X", type, count);
    for (unsigned i = 0; i < ab[type]; i++) {
        unsigned b = (addr >> (8 * (ab[type] - 1 - i))) & 0xFF;
        sum += b;
        p += sprintf(p, "%02X", b);
    }
    for (unsigned i = 0; i < n; i++) {
        sum += d[i];
        p += sprintf(p, "%02X", d[i]);
    }
    sprintf(p, "%02X\n", ~sum & 0xFF);
}

static inline stp_status parse_text(const char *text, const char *name, stp_format fmt,
                                    stp_image **img, stp_findings *f)
{
    return stp_image_parse((const uint8_t *)text, strlen(text), name, fmt, STP_DEFAULT_BIN_BASE,
                           img, f);
}

/* Parsing data must fail with status st and a finding id whose message contains where. */
static inline void expect_bad(const uint8_t *data, size_t len, const char *name, stp_format fmt,
                              stp_status st, const char *id, const char *where)
{
    stp_findings f;
    stp_findings_init(&f);
    stp_image *img = (stp_image *)1;
    stp_status got = stp_image_parse(data, len, name, fmt, STP_DEFAULT_BIN_BASE, &img, &f);
    if (got != st || stp_findings_find(&f, id) == NULL) {
        for (size_t i = 0; i < f.count; i++)
            print_error("finding %s: %s\n", f.items[i].id, f.items[i].message);
        fail_msg("expected %s/%s, got %s", stp_status_name(st), id, stp_status_name(got));
    }
    assert_null(img);
    const stp_finding *fi = stp_findings_find(&f, id);
    if (where != NULL && strstr(fi->message, where) == NULL)
        fail_msg("message '%s' lacks '%s'", fi->message, where);
    assert_true(fi->advice[0] != '\0');
    stp_findings_free(&f);
}

static inline void expect_bad_text(const char *text, const char *name, stp_format fmt,
                                   stp_status st, const char *id, const char *where)
{
    expect_bad((const uint8_t *)text, strlen(text), name, fmt, st, id, where);
}

#endif
