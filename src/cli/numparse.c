/* stprog CLI — number parsing for options and arguments. */
#include "cli/numparse.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int digit_value(char c, unsigned base)
{
    int v;
    if (c >= '0' && c <= '9')
        v = c - '0';
    else if (c >= 'a' && c <= 'f')
        v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
        v = c - 'A' + 10;
    else
        return -1;
    return (unsigned)v < base ? v : -1;
}

/* Multiplier for a suffix of that kind; 0 when the suffix is not accepted. */
static uint64_t suffix_multiplier(const char *s, cli_num_kind kind)
{
    if (*s == '\0')
        return 1;
    char c = *s;
    const char *rest = s + 1;
    if (kind == CLI_NUM_SIZE) {
        uint64_t m;
        if (c == 'k' || c == 'K')
            m = 1024;
        else if (c == 'm' || c == 'M')
            m = 1024 * 1024;
        else if (c == 'g' || c == 'G')
            m = 1024ull * 1024 * 1024; /* 4G is a number, only too large for 32 bits */
        else
            return 0;
        if (*rest == '\0' || strcmp(rest, "iB") == 0 || strcmp(rest, "B") == 0)
            return m;
        return 0;
    }
    if (kind == CLI_NUM_FREQ_KHZ) {
        uint64_t m;
        if (c == 'k' || c == 'K')
            m = 1;
        else if (c == 'm' || c == 'M')
            m = 1000;
        else
            return 0;
        if (*rest == '\0' || strcmp(rest, "Hz") == 0 || strcmp(rest, "hz") == 0)
            return m;
        return 0;
    }
    return 0;
}

bool cli_parse_number(const char *text, cli_num_kind kind, uint64_t max, uint64_t *out, char *why,
                      size_t whylen)
{
    const char *s = text;
    unsigned base = 10;
    if (s == NULL || *s == '\0') {
        snprintf(why, whylen, "empty value");
        return false;
    }
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (digit_value(*s, base) < 0) {
        snprintf(why, whylen, "not a number");
        return false;
    }
    uint64_t v = 0;
    bool overflow = false;
    while (digit_value(*s, base) >= 0) {
        unsigned d = (unsigned)digit_value(*s, base);
        if (v > (UINT64_MAX - d) / base)
            overflow = true;
        else
            v = v * base + d;
        s++;
    }
    uint64_t mult = suffix_multiplier(s, kind);
    if (mult == 0) {
        if (kind == CLI_NUM_SIZE)
            snprintf(why, whylen, "not a number (suffixes: K, M, G)");
        else if (kind == CLI_NUM_FREQ_KHZ)
            snprintf(why, whylen, "not a frequency in kHz (suffixes: k, M)");
        else
            snprintf(why, whylen, "not a number");
        return false;
    }
    if (!overflow && v > UINT64_MAX / mult)
        overflow = true;
    if (overflow || v * mult > max) {
        if (kind == CLI_NUM_SIZE && max == UINT32_MAX)
            snprintf(why, whylen,
                     "too large: the address space is 4 GiB (32 bits), the largest "
                     "value is 0xFFFFFFFF");
        else
            snprintf(why, whylen, "too large (max %" PRIu64 ")", max);
        return false;
    }
    *out = v * mult;
    return true;
}

bool cli_parse_u32(const char *text, cli_num_kind kind, uint32_t *out, char *why, size_t whylen)
{
    uint64_t v;
    if (!cli_parse_number(text, kind, UINT32_MAX, &v, why, whylen))
        return false;
    *out = (uint32_t)v;
    return true;
}
