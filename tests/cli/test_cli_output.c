/* Unit tests: the JSON writer (escaping, UTF-8, nesting, commas, closing), findings for
 * people and as JSON, and confirmation prompts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/json.h"

typedef struct sink {
    char *buf;
    size_t len;
    FILE *f;
} sink;

static void sink_open(sink *s)
{
    s->buf = NULL;
    s->len = 0;
    s->f = open_memstream(&s->buf, &s->len);
    assert_non_null(s->f);
}

static const char *sink_text(sink *s)
{
    fflush(s->f);
    return s->buf;
}

static void sink_close(sink *s)
{
    fclose(s->f);
    free(s->buf);
}

static const char *escaped(sink *s, const char *text, size_t len)
{
    sink_open(s);
    cli_json_write_escaped(s->f, text, len);
    return sink_text(s);
}

static void test_escaping(void **state)
{
    (void)state;
    sink s;
    assert_string_equal(escaped(&s, "plain", 5), "\"plain\"");
    sink_close(&s);
    assert_string_equal(escaped(&s, "a\"b\\c/d", 7), "\"a\\\"b\\\\c/d\"");
    sink_close(&s);
    assert_string_equal(escaped(&s, "\n\r\t\b\f", 5), "\"\\n\\r\\t\\b\\f\"");
    sink_close(&s);
    assert_string_equal(escaped(&s, "\x01\x1f\x7f", 3), "\"\\u0001\\u001f\\u007f\"");
    sink_close(&s);
    /* A NUL inside a counted string is escaped, not a terminator. */
    assert_string_equal(escaped(&s, "a\0b", 3), "\"a\\u0000b\"");
    sink_close(&s);
}

static void test_utf8(void **state)
{
    (void)state;
    sink s;
    /* Valid UTF-8 passes through: é (2 bytes), € (3 bytes), U+1F600 (4 bytes). */
    const char *valid = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
    assert_string_equal(escaped(&s, valid, strlen(valid)),
                        "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
    sink_close(&s);
    /* Latin-1 byte, lone continuation, overlong '/', surrogate, truncated sequence. */
    assert_string_equal(escaped(&s, "caf\xe9", 4), "\"caf\\ufffd\"");
    sink_close(&s);
    assert_string_equal(escaped(&s, "\x80x", 2), "\"\\ufffdx\"");
    sink_close(&s);
    assert_string_equal(escaped(&s, "\xc0\xaf", 2), "\"\\ufffd\\ufffd\"");
    sink_close(&s);
    assert_string_equal(escaped(&s, "\xed\xa0\x80", 3), "\"\\ufffd\\ufffd\\ufffd\"");
    sink_close(&s);
    assert_string_equal(escaped(&s, "\xe2\x82", 2), "\"\\ufffd\\ufffd\"");
    sink_close(&s);
    assert_string_equal(escaped(&s, "\xf4\x90\x80\x80", 4),
                        "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* above U+10FFFF */
    sink_close(&s);
}

static void test_document(void **state)
{
    (void)state;
    sink s;
    sink_open(&s);
    cli_json j;
    cli_json_init(&j, s.f);
    cli_json_object_begin(&j);
    cli_json_kv_string(&j, "command", "image");
    cli_json_key(&j, "segments");
    cli_json_array_begin(&j);
    cli_json_object_begin(&j);
    cli_json_kv_u64(&j, "start", 134217728);
    cli_json_kv_u64(&j, "crc32", 4294967295u);
    cli_json_object_end(&j);
    cli_json_u64(&j, 7);
    cli_json_array_end(&j);
    cli_json_key(&j, "empty");
    cli_json_array_begin(&j);
    cli_json_array_end(&j);
    cli_json_kv_i64(&j, "neg", -5);
    cli_json_kv_bool(&j, "ok", true);
    cli_json_kv_string(&j, "none", NULL);
    cli_json_kv_double(&j, "half", 0.5);
    cli_json_kv_hex32(&j, "addr", 0x08000000);
    cli_json_object_end(&j);
    assert_false(j.error);
    assert_int_equal(j.depth, 0);
    assert_string_equal(sink_text(&s), "{\n"
                                       "  \"command\": \"image\",\n"
                                       "  \"segments\": [\n"
                                       "    {\n"
                                       "      \"start\": 134217728,\n"
                                       "      \"crc32\": 4294967295\n"
                                       "    },\n"
                                       "    7\n"
                                       "  ],\n"
                                       "  \"empty\": [],\n"
                                       "  \"neg\": -5,\n"
                                       "  \"ok\": true,\n"
                                       "  \"none\": null,\n"
                                       "  \"half\": 0.5,\n"
                                       "  \"addr\": \"0x08000000\"\n"
                                       "}\n");
    sink_close(&s);
}

static void test_close_to_and_misuse(void **state)
{
    (void)state;
    sink s;
    sink_open(&s);
    cli_json j;
    cli_json_init(&j, s.f);
    cli_json_object_begin(&j);
    cli_json_key(&j, "a");
    cli_json_array_begin(&j);
    cli_json_object_begin(&j);
    cli_json_key(&j, "dangling");
    cli_json_close_to(&j, 1); /* a command failed midway: the frame closes what it left open */
    cli_json_kv_string(&j, "status", "io");
    cli_json_close_to(&j, 0);
    assert_int_equal(j.depth, 0);
    assert_true(j.error); /* the dangling key was noticed ... */
    assert_string_equal(sink_text(&s), "{\n"
                                       "  \"a\": [\n"
                                       "    {\n"
                                       "      \"dangling\": null\n" /* ... and kept valid */
                                       "    }\n"
                                       "  ],\n"
                                       "  \"status\": \"io\"\n"
                                       "}\n");
    sink_close(&s);

    sink_open(&s);
    cli_json_init(&j, s.f);
    cli_json_object_begin(&j);
    cli_json_u64(&j, 1); /* value without a key */
    assert_true(j.error);
    sink_close(&s);
}

static void test_findings_json(void **state)
{
    (void)state;
    stp_findings list;
    stp_findings_init(&list);
    stp_finding *f =
        stp_finding_add(&list, "image.checksum", STP_SEV_ERROR, "fw.hex:3: bad \"checksum\"");
    stp_finding_evidence(f, "line", "3");
    stp_finding_evidence(f, "expected", "0x3c");
    stp_finding_advice(f, "rebuild the file");
    stp_finding_add(&list, "note.x", STP_SEV_INFO, "fine");
    sink s;
    sink_open(&s);
    cli_json j;
    cli_json_init(&j, s.f);
    cli_json_object_begin(&j);
    cli_json_findings(&j, &list);
    cli_json_object_end(&j);
    assert_false(j.error);
    assert_string_equal(sink_text(&s), "{\n"
                                       "  \"findings\": [\n"
                                       "    {\n"
                                       "      \"id\": \"image.checksum\",\n"
                                       "      \"severity\": \"error\",\n"
                                       "      \"message\": \"fw.hex:3: bad \\\"checksum\\\"\",\n"
                                       "      \"evidence\": {\n"
                                       "        \"line\": \"3\",\n"
                                       "        \"expected\": \"0x3c\"\n"
                                       "      },\n"
                                       "      \"advice\": \"rebuild the file\"\n"
                                       "    },\n"
                                       "    {\n"
                                       "      \"id\": \"note.x\",\n"
                                       "      \"severity\": \"info\",\n"
                                       "      \"message\": \"fine\",\n"
                                       "      \"evidence\": {},\n"
                                       "      \"advice\": null\n"
                                       "    }\n"
                                       "  ]\n"
                                       "}\n");
    sink_close(&s);

    sink_open(&s);
    cli_render_findings(s.f, &list, false, false);
    assert_string_equal(sink_text(&s), "error: fw.hex:3: bad \"checksum\" [image.checksum]\n"
                                       "    line: 3\n"
                                       "    expected: 0x3c\n"
                                       "  next step: rebuild the file\n"
                                       "info: fine [note.x]\n");
    sink_close(&s);
    sink_open(&s);
    cli_render_findings(s.f, &list, true, false); /* -q: errors only */
    assert_non_null(strstr(sink_text(&s), "[image.checksum]"));
    assert_null(strstr(sink_text(&s), "note.x"));
    sink_close(&s);
    stp_findings_free(&list);
}

static bool confirm_with(const char *input, bool interactive, bool json, char **prompt)
{
    static char *errbuf;
    size_t errlen = 0;
    cli_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    ctx.in = fmemopen((void *)input, strlen(input), "r");
    ctx.err = open_memstream(&errbuf, &errlen);
    ctx.interactive = interactive;
    ctx.g.json = json;
    bool yes = cli_confirm(&ctx, "Erase sector 11?");
    fclose(ctx.in);
    fclose(ctx.err);
    *prompt = errbuf;
    return yes;
}

static void test_confirm(void **state)
{
    (void)state;
    char *prompt;
    assert_true(confirm_with("y\n", true, false, &prompt));
    assert_string_equal(prompt, "Erase sector 11? [y/N] ");
    free(prompt);
    assert_true(confirm_with("yes\n", true, false, &prompt));
    free(prompt);
    assert_false(confirm_with("\n", true, false, &prompt)); /* the default is no */
    free(prompt);
    assert_false(confirm_with("yeah\n", true, false, &prompt));
    free(prompt);
    assert_false(confirm_with("", true, false, &prompt)); /* end of input */
    free(prompt);
    assert_false(confirm_with("y\n", false, false, &prompt)); /* not a terminal: never asks */
    assert_string_equal(prompt, "");
    free(prompt);
    assert_false(confirm_with("y\n", true, true, &prompt)); /* --json: never asks */
    assert_string_equal(prompt, "");
    free(prompt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escaping),      cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_document),      cmocka_unit_test(test_close_to_and_misuse),
        cmocka_unit_test(test_findings_json), cmocka_unit_test(test_confirm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
