/* S-record reader: S0-S3, S5-S9, counts, checksums and each class of bad input. */
#include "fmt_test.h"

#include "core/alloc.h"

static const uint8_t seq[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

static void good_file(char *t)
{
    t[0] = 0;
    srec_rec(t, 0, 0, (const uint8_t *)"fw", 2);
    srec_rec(t, 3, 0x08000000u, seq, 16);
    srec_rec(t, 3, 0x08000010u, seq, 16);
    srec_rec(t, 5, 2, NULL, 0);
    srec_rec(t, 7, 0x080001A5u, NULL, 0);
}

static void test_s3_records_count_and_entry(void **state)
{
    (void)state;
    char t[1024];
    good_file(t);
    stp_image *img = NULL;
    assert_int_equal(stp_format_detect((const uint8_t *)t, strlen(t), NULL), STP_FORMAT_SREC);
    assert_int_equal(parse_text(t, "fw.srec", STP_FORMAT_AUTO, &img, NULL), STP_OK);
    assert_int_equal(stp_image_segment_count(img), 1);
    assert_int_equal(stp_image_segment(img, 0).addr, 0x08000000u);
    assert_int_equal(stp_image_segment(img, 0).size, 32);
    assert_int_equal(stp_image_entry(img), 0x080001A5u);
    stp_image_destroy(img);
}

static void test_s1_s2_s6_s8_s9(void **state)
{
    (void)state;
    char t[1024] = "";
    srec_rec(t, 1, 0x1234, seq, 4);
    srec_rec(t, 2, 0x123456, seq, 4);
    srec_rec(t, 6, 2, NULL, 0);
    srec_rec(t, 8, 0x123456, NULL, 0);
    stp_image *img = NULL;
    assert_int_equal(parse_text(t, "a.s28", STP_FORMAT_SREC, &img, NULL), STP_OK);
    assert_int_equal(stp_image_segment_count(img), 2);
    assert_int_equal(stp_image_segment(img, 0).addr, 0x1234);
    assert_int_equal(stp_image_segment(img, 1).addr, 0x123456);
    assert_int_equal(stp_image_entry(img), 0x123456);
    stp_image_destroy(img);
    t[0] = 0;
    srec_rec(t, 1, 0x0, seq, 16);
    srec_rec(t, 9, 0x0, NULL, 0);
    assert_int_equal(parse_text(t, "a.s19", STP_FORMAT_AUTO, &img, NULL), STP_OK);
    assert_int_equal(stp_image_total_bytes(img), 16);
    assert_false(stp_image_has_entry(img)); /* S9 0000: no start address */
    stp_image_destroy(img);
}

static void test_bad_checksum(void **state)
{
    (void)state;
    char t[1024];
    good_file(t);
    char *line3 = strchr(strchr(t, '\n') + 1, '\n') + 1;
    char *end = strchr(line3, '\n');
    end[-2] = end[-2] == 'A' ? 'B' : 'A';
    expect_bad_text(t, "fw.srec", STP_FORMAT_SREC, STP_ERR_FORMAT, "file.bad-checksum",
                    "fw.srec:3");
}

static void test_bad_count(void **state)
{
    (void)state;
    char t[1024] = "";
    srec_rec(t, 3, 0x08000000u, seq, 16);
    srec_rec(t, 5, 3, NULL, 0);
    srec_rec(t, 7, 0, NULL, 0);
    expect_bad_text(t, "c.srec", STP_FORMAT_SREC, STP_ERR_FORMAT, "file.bad-count",
                    "c.srec:2: count record says 3 data records, the file has 1");
}

static void test_truncated(void **state)
{
    (void)state;
    char t[1024];
    good_file(t);
    *strstr(t, "S70") = 0; /* termination record lost */
    expect_bad_text(t, "fw.srec", STP_FORMAT_SREC, STP_ERR_FORMAT, "file.truncated",
                    "no termination record");
    good_file(t);
    char *line2 = strchr(t, '\n') + 1;
    line2[30] = 0; /* cut in the middle of the second line */
    expect_bad_text(t, "fw.srec", STP_FORMAT_SREC, STP_ERR_FORMAT, "file.truncated", "fw.srec:2");
}

static void test_bad_record_type_and_digits(void **state)
{
    (void)state;
    char t[1024] = "";
    srec_rec(t, 3, 0x0, seq, 4);
    strcat(t, "S4050000000000FA\n");
    expect_bad_text(t, "t.srec", STP_FORMAT_SREC, STP_ERR_FORMAT, "file.bad-record-type",
                    "t.srec:2: unknown record type S4");
    expect_bad_text("S1070000010203F\nS9030000FC\n", "o.srec", STP_FORMAT_SREC, STP_ERR_FORMAT,
                    "file.odd-digits", "o.srec:1");
    expect_bad_text("S107000001x203F2\nS9030000FC\n", "x.srec", STP_FORMAT_SREC, STP_ERR_FORMAT,
                    "file.bad-record", "x.srec:1: 'x' at column 11");
    expect_bad_text("S9030000FC\nS9030000FC\n", "d.srec", STP_FORMAT_SREC, STP_ERR_FORMAT,
                    "file.data-after-end", "d.srec:2");
    /* count byte too small for the address of an S3 record */
    expect_bad_text("S303000000FC\nS9030000FC\n", "s.srec", STP_FORMAT_SREC, STP_ERR_FORMAT,
                    "file.bad-record", "s.srec:1");
}

static void test_past_4gib_and_overlap(void **state)
{
    (void)state;
    char t[1024] = "";
    srec_rec(t, 3, 0xFFFFFFF8u, seq, 16);
    srec_rec(t, 7, 0, NULL, 0);
    expect_bad_text(t, "hi.srec", STP_FORMAT_SREC, STP_ERR_RANGE, "file.address-range",
                    "hi.srec:1");
    t[0] = 0;
    srec_rec(t, 3, 0x08000000u, seq, 16);
    srec_rec(t, 3, 0x20000000u, seq, 16);
    srec_rec(t, 3, 0x0800000Fu, seq, 2);
    srec_rec(t, 7, 0, NULL, 0);
    expect_bad_text(t, "ov.srec", STP_FORMAT_SREC, STP_ERR_OVERLAP, "file.overlap",
                    "ov.srec:3: data at 0x0800000F..0x0800000F overlaps data from ov.srec:1");
}

static void test_empty(void **state)
{
    (void)state;
    expect_bad_text("", "e.srec", STP_FORMAT_AUTO, STP_ERR_FORMAT, "file.empty", "e.srec");
    expect_bad_text("S0030000FC\nS9030000FC\n", "e.srec", STP_FORMAT_AUTO, STP_ERR_FORMAT,
                    "file.empty", "no data records");
}

static void test_allocation_failure(void **state)
{
    (void)state;
    char t[4096] = "";
    for (unsigned i = 0; i < 30; i++)
        srec_rec(t, 3, 0x08000000u + ((i * 7919u * 16u) & 0xFFFF0u), seq, 16);
    srec_rec(t, 7, 0, NULL, 0);
    for (unsigned long n = 1; n < 500; n++) {
        stp_image *img = NULL;
        stp_alloc_fail_after(n);
        stp_status st = parse_text(t, "a.srec", STP_FORMAT_SREC, &img, NULL);
        stp_alloc_fail_after(0);
        if (st == STP_OK) {
            assert_int_equal(stp_image_total_bytes(img), 480);
            stp_image_destroy(img);
            return;
        }
        assert_int_equal(st, STP_ERR_NOMEM);
    }
    fail_msg("parse never succeeded");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_s3_records_count_and_entry),
        cmocka_unit_test(test_s1_s2_s6_s8_s9),
        cmocka_unit_test(test_bad_checksum),
        cmocka_unit_test(test_bad_count),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_bad_record_type_and_digits),
        cmocka_unit_test(test_past_4gib_and_overlap),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_allocation_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
