/* stprog CLI — streaming JSON writer. */
#include "cli/json.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

void cli_json_init(cli_json *j, FILE *out)
{
    *j = (cli_json){.out = out};
}

static void newline_indent(cli_json *j)
{
    fputc('\n', j->out);
    for (int i = 0; i < j->depth; i++)
        fputs("  ", j->out);
}

/* Everything that starts a value: comma and indentation inside arrays, nothing after a key. */
static void before_value(cli_json *j)
{
    if (j->after_key) {
        j->after_key = false;
        return;
    }
    if (j->depth == 0)
        return;
    if (j->is_object[j->depth - 1]) {
        j->error = true; /* a value inside an object needs a key */
    }
    if (j->has_items[j->depth - 1])
        fputc(',', j->out);
    j->has_items[j->depth - 1] = true;
    newline_indent(j);
}

static void open_container(cli_json *j, bool object)
{
    before_value(j);
    if (j->depth >= CLI_JSON_MAX_DEPTH) {
        j->error = true;
        return;
    }
    fputc(object ? '{' : '[', j->out);
    j->is_object[j->depth] = object;
    j->has_items[j->depth] = false;
    j->depth++;
}

static void close_container(cli_json *j)
{
    if (j->depth == 0) {
        j->error = true;
        return;
    }
    if (j->after_key) { /* a dangling key gets a null so the document stays valid */
        j->error = true;
        j->after_key = false;
        fputs("null", j->out);
    }
    bool object = j->is_object[j->depth - 1];
    bool items = j->has_items[j->depth - 1];
    j->depth--;
    if (items)
        newline_indent(j);
    fputc(object ? '}' : ']', j->out);
    if (j->depth == 0)
        fputc('\n', j->out);
}

void cli_json_object_begin(cli_json *j)
{
    open_container(j, true);
}

void cli_json_object_end(cli_json *j)
{
    close_container(j);
}

void cli_json_array_begin(cli_json *j)
{
    open_container(j, false);
}

void cli_json_array_end(cli_json *j)
{
    close_container(j);
}

void cli_json_close_to(cli_json *j, int depth)
{
    while (j->depth > depth && j->depth > 0)
        close_container(j);
}

void cli_json_key(cli_json *j, const char *key)
{
    if (j->depth == 0 || !j->is_object[j->depth - 1] || j->after_key) {
        j->error = true;
        return;
    }
    if (j->has_items[j->depth - 1])
        fputc(',', j->out);
    j->has_items[j->depth - 1] = true;
    newline_indent(j);
    cli_json_write_escaped(j->out, key, key != NULL ? strlen(key) : 0);
    fputs(": ", j->out);
    j->after_key = true;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is not valid. */
static size_t utf8_sequence(const unsigned char *s, size_t len)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0; /* overlong or beyond Unicode */
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return 0; /* surrogates are not characters */
    return n;
}

void cli_json_write_escaped(FILE *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', out);
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        switch (c) {
        case '"':
            fputs("\\\"", out);
            i++;
            continue;
        case '\\':
            fputs("\\\\", out);
            i++;
            continue;
        case '\b':
            fputs("\\b", out);
            i++;
            continue;
        case '\f':
            fputs("\\f", out);
            i++;
            continue;
        case '\n':
            fputs("\\n", out);
            i++;
            continue;
        case '\r':
            fputs("\\r", out);
            i++;
            continue;
        case '\t':
            fputs("\\t", out);
            i++;
            continue;
        default:
            break;
        }
        if (c < 0x20 || c == 0x7F) {
            fprintf(out, "\\u%04x", c);
            i++;
            continue;
        }
        size_t n = utf8_sequence(p + i, len - i);
        if (n == 0) {
            fputs("\\ufffd", out);
            i++;
            continue;
        }
        fwrite(p + i, 1, n, out);
        i += n;
    }
    fputc('"', out);
}

void cli_json_string_n(cli_json *j, const char *s, size_t len)
{
    before_value(j);
    if (s == NULL)
        fputs("null", j->out);
    else
        cli_json_write_escaped(j->out, s, len);
}

void cli_json_string(cli_json *j, const char *s)
{
    cli_json_string_n(j, s, s != NULL ? strlen(s) : 0);
}

void cli_json_u64(cli_json *j, uint64_t v)
{
    before_value(j);
    fprintf(j->out, "%" PRIu64, v);
}

void cli_json_i64(cli_json *j, int64_t v)
{
    before_value(j);
    fprintf(j->out, "%" PRId64, v);
}

void cli_json_double(cli_json *j, double v)
{
    before_value(j);
    if (!isfinite(v))
        fputs("null", j->out);
    else
        fprintf(j->out, "%.17g", v);
}

void cli_json_bool(cli_json *j, bool v)
{
    before_value(j);
    fputs(v ? "true" : "false", j->out);
}

void cli_json_null(cli_json *j)
{
    before_value(j);
    fputs("null", j->out);
}

void cli_json_kv_string(cli_json *j, const char *key, const char *s)
{
    cli_json_key(j, key);
    cli_json_string(j, s);
}

void cli_json_kv_u64(cli_json *j, const char *key, uint64_t v)
{
    cli_json_key(j, key);
    cli_json_u64(j, v);
}

void cli_json_kv_i64(cli_json *j, const char *key, int64_t v)
{
    cli_json_key(j, key);
    cli_json_i64(j, v);
}

void cli_json_kv_double(cli_json *j, const char *key, double v)
{
    cli_json_key(j, key);
    cli_json_double(j, v);
}

void cli_json_kv_bool(cli_json *j, const char *key, bool v)
{
    cli_json_key(j, key);
    cli_json_bool(j, v);
}

void cli_json_kv_hex32(cli_json *j, const char *key, uint32_t v)
{
    char buf[16];
    snprintf(buf, sizeof(buf), "0x%08" PRIx32, v);
    cli_json_kv_string(j, key, buf);
}
