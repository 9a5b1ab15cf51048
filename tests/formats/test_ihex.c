/* Intel HEX reader: every record type, addressing modes, and each class of bad input. */
#include "fmt_test.h"

#include "core/alloc.h"

static const uint8_t seq[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
static const uint8_t ext0800[2] = {0x08, 0x00};

/* ext 0x0800, 16 bytes at 0, 16 bytes at 0x10, entry, eof. */
static void good_file(char *t)
{
    t[0] = 0;
    ihex_rec(t, 4, 0, ext0800, 2);
    ihex_rec(t, 0, 0x0000, seq, 16);
    ihex_rec(t, 0, 0x0010, seq, 16);
    ihex_rec(t, 5, 0, (const uint8_t[]){0x08, 0x00, 0x01, 0xA5}, 4);
    ihex_rec(t, 1, 0, NULL, 0);
}

static void test_linear_addresses_and_entry(void **state)
{
    (void)state;
    char t[1024];
    good_file(t);
    stp_image *img = NULL;
    stp_findings f;
    stp_findings_init(&f);
    assert_int_equal(stp_format_detect((const uint8_t *)t, strlen(t), "x.bin"), STP_FORMAT_IHEX);
    assert_int_equal(parse_text(t, "fw.hex", STP_FORMAT_AUTO, &img, &f), STP_OK);
    assert_int_equal(stp_image_segment_count(img), 1);
    stp_segment s = stp_image_segment(img, 0);
    assert_int_equal(s.addr, 0x08000000u);
    assert_int_equal(s.size, 32);
    assert_memory_equal(s.data + 16, seq, 16);
    assert_true(stp_image_has_entry(img));
    assert_int_equal(stp_image_entry(img), 0x080001A5u);
    stp_image_destroy(img);
    stp_findings_free(&f);
}

static void test_segment_addresses_wrap_and_start_segment(void **state)
{
    (void)state;
    char t[1024] = "";
    ihex_rec(t, 2, 0, (const uint8_t[]){0x10, 0x00}, 2); /* base 0x10000 */
    ihex_rec(t, 0, 0xFFF8, seq, 16);                     /* wraps to 0x10000 */
    ihex_rec(t, 3, 0, (const uint8_t[]){0x12, 0x34, 0x00, 0x10}, 4);
    ihex_rec(t, 1, 0, NULL, 0);
    stp_image *img = NULL;
    assert_int_equal(parse_text(t, "seg.hex", STP_FORMAT_IHEX, &img, NULL), STP_OK);
    assert_int_equal(stp_image_segment_count(img), 2);
    assert_int_equal(stp_image_segment(img, 0).addr, 0x10000);
    assert_int_equal(stp_image_segment(img, 0).data[0], 8);
    assert_int_equal(stp_image_segment(img, 1).addr, 0x1FFF8);
    assert_int_equal(stp_image_segment(img, 1).size, 8);
    assert_int_equal(stp_image_entry(img), 0x12340u + 0x10u);
    stp_image_destroy(img);
}

static void test_crlf_blank_lines_lower_case(void **state)
{
    (void)state;
    const char *t = "\r\n:0400000001020304f2\r\n\r\n  :00000001FF  \r\n\x1a";
    stp_image *img = NULL;
    assert_int_equal(parse_text(t, "dos.hex", STP_FORMAT_AUTO, &img, NULL), STP_OK);
    assert_int_equal(stp_image_segment(img, 0).addr, 0);
    assert_int_equal(stp_image_segment(img, 0).data[3], 4);
    assert_false(stp_image_has_entry(img));
    stp_image_destroy(img);
}

/* Saved by a Windows editor: a UTF-8 byte order mark before the first record. */
static void test_byte_order_mark(void **state)
{
    (void)state;
    const char *t = "\xEF\xBB\xBF:0400000001020304F2\r\n:00000001FF\r\n";
    stp_image *img = NULL;
    assert_int_equal(parse_text(t, "bom.hex", STP_FORMAT_AUTO, &img, NULL), STP_OK);
    assert_int_equal(stp_image_source_format(img), STP_FORMAT_IHEX);
    assert_int_equal(stp_image_total_bytes(img), 4);
    assert_int_equal(stp_image_segment(img, 0).data[3], 4);
    stp_image_destroy(img);
    /* Binary data that starts with those bytes but is no text stays binary. */
    const char *b = "\xEF\xBB\xBF\x01\x02";
    assert_int_equal(parse_text(b, "odd.bin", STP_FORMAT_AUTO, &img, NULL), STP_OK);
    assert_int_equal(stp_image_source_format(img), STP_FORMAT_BIN);
    assert_int_equal(stp_image_total_bytes(img), 5);
    stp_image_destroy(img);
}

static void test_bad_checksum(void **state)
{
    (void)state;
    char t[1024];
    good_file(t);
    char *line2 = strchr(t, '\n') + 1;
    char *end = strchr(line2, '\n');
    end[-1] = end[-1] == '0' ? '1' : '0';
    expect_bad_text(t, "fw.hex", STP_FORMAT_IHEX, STP_ERR_FORMAT, "file.bad-checksum", "fw.hex:2");
}

static void test_truncated_inside_record_and_no_eof(void **state)
{
    (void)state;
    char t[1024];
    good_file(t);
    char *line3 = strchr(strchr(t, '\n') + 1, '\n') + 1;
    line3[20] = 0;
    expect_bad_text(t, "fw.hex", STP_FORMAT_IHEX, STP_ERR_FORMAT, "file.truncated", "fw.hex:3");
    good_file(t);
    *strstr(t, ":00000001FF") = 0;
    expect_bad_text(t, "fw.hex", STP_FORMAT_IHEX, STP_ERR_FORMAT, "file.truncated",
                    "no end-of-file record");
}

static void test_bad_record_type(void **state)
{
    (void)state;
    char t[1024] = "";
    ihex_rec(t, 0, 0, seq, 4);
    ihex_rec(t, 6, 0, seq, 2);
    ihex_rec(t, 1, 0, NULL, 0);
    expect_bad_text(t, "fw.hex", STP_FORMAT_IHEX, STP_ERR_FORMAT, "file.bad-record-type",
                    "fw.hex:2: unknown record type 06");
}

static void test_odd_digits_and_bad_characters(void **state)
{
    (void)state;
    expect_bad_text(":0400000001020304F\n:00000001FF\n", "odd.hex", STP_FORMAT_IHEX, STP_ERR_FORMAT,
                    "file.odd-digits", "odd.hex:1");
    expect_bad_text(":04000000010G0304F2\n:00000001FF\n", "chr.hex", STP_FORMAT_IHEX,
                    STP_ERR_FORMAT, "file.bad-record", "chr.hex:1: 'G' at column 13");
    expect_bad_text(":00000001FF\nhello\n", "x.hex", STP_FORMAT_IHEX, STP_ERR_FORMAT,
                    "file.data-after-end", "x.hex:2");
    expect_bad_text("garbage\n", "g.hex", STP_FORMAT_AUTO, STP_ERR_FORMAT, "file.bad-record",
                    "g.hex:1: expected a record starting with ':'");
    /* length byte disagrees with the line (not at the end of the file) */
    expect_bad_text(":0500000001020304F2\n:00000001FF\n", "len.hex", STP_FORMAT_IHEX,
                    STP_ERR_FORMAT, "file.bad-record", "len.hex:1");
    /* type 04 with 3 bytes */
    char t[256] = "";
    ihex_rec(t, 4, 0, seq, 3);
    expect_bad_text(t, "ext.hex", STP_FORMAT_IHEX, STP_ERR_FORMAT, "file.bad-record",
                    "must carry 2 data bytes");
}

static void test_past_4gib(void **state)
{
    (void)state;
    char t[1024] = "";
    ihex_rec(t, 4, 0, (const uint8_t[]){0xFF, 0xFF}, 2);
    ihex_rec(t, 0, 0xFFF8, seq, 16);
    ihex_rec(t, 1, 0, NULL, 0);
    expect_bad_text(t, "hi.hex", STP_FORMAT_IHEX, STP_ERR_RANGE, "file.address-range", "hi.hex:2");
}

static void test_overlap_names_both_lines(void **state)
{
    (void)state;
    char t[1024] = "";
    ihex_rec(t, 4, 0, ext0800, 2);
    ihex_rec(t, 0, 0x0000, seq, 16);
    ihex_rec(t, 0, 0x0008, seq, 4);
    ihex_rec(t, 1, 0, NULL, 0);
    expect_bad_text(t, "fw.hex", STP_FORMAT_IHEX, STP_ERR_OVERLAP, "file.overlap",
                    "fw.hex:3: data at 0x08000008..0x0800000B overlaps data from fw.hex:2");
}

static void test_empty(void **state)
{
    (void)state;
    expect_bad_text("", "e.hex", STP_FORMAT_AUTO, STP_ERR_FORMAT, "file.empty", "e.hex");
    expect_bad_text("\n\n", "e.hex", STP_FORMAT_AUTO, STP_ERR_FORMAT, "file.empty", "e.hex");
    expect_bad_text(":00000001FF\n", "e.hex", STP_FORMAT_AUTO, STP_ERR_FORMAT, "file.empty",
                    "no data records");
}

static void test_allocation_failure(void **state)
{
    (void)state;
    char t[4096] = "";
    ihex_rec(t, 4, 0, ext0800, 2);
    for (unsigned i = 0; i < 40; i++)
        ihex_rec(t, 0, (i * 7919u * 16u) & 0xFFF0u, seq, 16);
    ihex_rec(t, 1, 0, NULL, 0);
    for (unsigned long n = 1; n < 500; n++) {
        stp_image *img = NULL;
        stp_findings f;
        stp_findings_init(&f);
        stp_alloc_fail_after(n);
        stp_status st = parse_text(t, "a.hex", STP_FORMAT_IHEX, &img, &f);
        stp_alloc_fail_after(0);
        stp_findings_free(&f);
        if (st == STP_OK) {
            assert_int_equal(stp_image_total_bytes(img), 640);
            stp_image_destroy(img);
            return;
        }
        assert_int_equal(st, STP_ERR_NOMEM);
        assert_null(img);
    }
    fail_msg("parse never succeeded");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linear_addresses_and_entry),
        cmocka_unit_test(test_segment_addresses_wrap_and_start_segment),
        cmocka_unit_test(test_crlf_blank_lines_lower_case),
        cmocka_unit_test(test_bad_checksum),
        cmocka_unit_test(test_truncated_inside_record_and_no_eof),
        cmocka_unit_test(test_bad_record_type),
        cmocka_unit_test(test_odd_digits_and_bad_characters),
        cmocka_unit_test(test_past_4gib),
        cmocka_unit_test(test_overlap_names_both_lines),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_byte_order_mark),
        cmocka_unit_test(test_allocation_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
