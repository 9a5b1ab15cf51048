/* Writers: exact record text, round trips through the readers, binary gap fill, errors. */
#include "fmt_test.h"

#include <stdlib.h>
#include <unistd.h>

#include "core/alloc.h"

/* Two segments: 40 bytes crossing the 64 KiB boundary at 0x0800FFF0, and 3 bytes in RAM. */
static stp_image *sample(void)
{
    stp_image *img = NULL;
    assert_int_equal(stp_image_create(&img), STP_OK);
    uint8_t d[40];
    for (unsigned i = 0; i < sizeof(d); i++)
        d[i] = (uint8_t)(i * 3);
    assert_int_equal(stp_image_add(img, 0x0800FFF0u, d, sizeof(d), "t", NULL), STP_OK);
    assert_int_equal(stp_image_add(img, 0x20000000u, "\x01\x02\x03", 3, "t", NULL), STP_OK);
    stp_image_set_entry(img, 0x080001A5u);
    return img;
}

static void assert_same_image(const stp_image *a, const stp_image *b)
{
    assert_int_equal(stp_image_segment_count(a), stp_image_segment_count(b));
    for (size_t i = 0; i < stp_image_segment_count(a); i++) {
        stp_segment x = stp_image_segment(a, i), y = stp_image_segment(b, i);
        assert_int_equal(x.addr, y.addr);
        assert_int_equal(x.size, y.size);
        assert_memory_equal(x.data, y.data, x.size);
    }
}

static char *serialize(const stp_image *img, stp_format fmt, size_t *len)
{
    uint8_t *out = NULL;
    assert_int_equal(stp_image_serialize(img, fmt, &out, len, NULL), STP_OK);
    char *text = malloc(*len + 1);
    memcpy(text, out, *len);
    text[*len] = 0;
    stp_image_buffer_free(out);
    return text;
}

static void test_ihex_text_and_round_trip(void **state)
{
    (void)state;
    stp_image *img = sample(), *back = NULL;
    size_t len;
    char *t = serialize(img, STP_FORMAT_IHEX, &len);
    assert_true(strncmp(t, ":020000040800F2\n:10FFF000", 25) == 0);
    assert_non_null(strstr(t, ":020000040801F1\n:1000000030")); /* boundary: new 04 record */
    assert_non_null(strstr(t, ":020000042000DA\n:03000000010203F7\n"));
    assert_non_null(strstr(t, ":04000005080001A549\n:00000001FF\n"));
    assert_int_equal(parse_text(t, "rt.hex", STP_FORMAT_AUTO, &back, NULL), STP_OK);
    assert_same_image(img, back);
    assert_int_equal(stp_image_entry(back), 0x080001A5u);
    stp_image_destroy(back);
    stp_image_destroy(img);
    free(t);
}

static void test_srec_text_and_round_trip(void **state)
{
    (void)state;
    stp_image *img = sample(), *back = NULL;
    size_t len;
    char *t = serialize(img, STP_FORMAT_SREC, &len);
    assert_true(strncmp(t, "S009000073747072", 16) == 0);
    assert_non_null(strstr(t, "S3150800FFF0"));
    assert_non_null(strstr(t, "S5030004F8\nS705080001A54C\n"));
    assert_int_equal(parse_text(t, "rt.srec", STP_FORMAT_AUTO, &back, NULL), STP_OK);
    assert_same_image(img, back);
    assert_int_equal(stp_image_entry(back), 0x080001A5u);
    stp_image_destroy(back);
    stp_image_destroy(img);
    free(t);
    /* small addresses use S1/S9 */
    assert_int_equal(stp_image_create(&img), STP_OK);
    assert_int_equal(stp_image_add(img, 0x100, "\xAA", 1, "t", NULL), STP_OK);
    t = serialize(img, STP_FORMAT_SREC, &len);
    assert_non_null(strstr(t, "S1040100AA50\n"));
    assert_non_null(strstr(t, "S9030000FC\n"));
    /* an entry point at exactly 0x10000 does not fit in S9's 16 bits: S2/S8 (fuzz find) */
    stp_image_set_entry(img, 0x10000u);
    free(t);
    t = serialize(img, STP_FORMAT_SREC, &len);
    assert_non_null(strstr(t, "S205000100AA4F\n"));
    assert_non_null(strstr(t, "S804010000FA\n"));
    assert_int_equal(parse_text(t, "rt.srec", STP_FORMAT_AUTO, &back, NULL), STP_OK);
    assert_int_equal(stp_image_entry(back), 0x10000u);
    stp_image_destroy(back);
    stp_image_destroy(img);
    free(t);
}

static void test_bin_fills_gaps(void **state)
{
    (void)state;
    stp_image *img = NULL;
    assert_int_equal(stp_image_create(&img), STP_OK);
    assert_int_equal(stp_image_add(img, 0x08000000u, "\x01\x02", 2, "t", NULL), STP_OK);
    assert_int_equal(stp_image_add(img, 0x08000005u, "\x03", 1, "t", NULL), STP_OK);
    uint8_t *out = NULL;
    size_t len = 0;
    assert_int_equal(stp_image_serialize(img, STP_FORMAT_BIN, &out, &len, NULL), STP_OK);
    assert_int_equal(len, 6);
    assert_memory_equal(out, "\x01\x02\xFF\xFF\xFF\x03", 6);
    stp_image_buffer_free(out);
    /* 0x08000000 and 0x20000000 are 384 MiB apart: refuse a binary */
    assert_int_equal(stp_image_add(img, 0x20000000u, "\x04", 1, "t", NULL), STP_OK);
    stp_findings f;
    stp_findings_init(&f);
    assert_int_equal(stp_image_serialize(img, STP_FORMAT_BIN, &out, &len, &f), STP_ERR_RANGE);
    assert_non_null(stp_findings_find(&f, "file.too-large"));
    stp_findings_free(&f);
    stp_image_destroy(img);
}

static void test_save_file_and_errors(void **state)
{
    (void)state;
    stp_image *img = sample(), *back = NULL;
    char dir[] = "/tmp/stp-writers-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof(path), "%s/out.s37", dir);
    assert_int_equal(stp_image_save_file(img, path, STP_FORMAT_AUTO, NULL), STP_OK);
    assert_int_equal(stp_image_load_file(path, STP_FORMAT_AUTO, 0, &back, NULL), STP_OK);
    assert_same_image(img, back);
    stp_image_destroy(back);
    unlink(path);
    stp_findings f;
    stp_findings_init(&f);
    snprintf(path, sizeof(path), "%s/out.txt", dir);
    assert_int_equal(stp_image_save_file(img, path, STP_FORMAT_AUTO, &f), STP_ERR_INVALID_ARG);
    assert_non_null(stp_findings_find(&f, "file.unknown-format"));
    snprintf(path, sizeof(path), "%s/missing/out.hex", dir);
    assert_int_equal(stp_image_save_file(img, path, STP_FORMAT_AUTO, &f), STP_ERR_IO);
    assert_non_null(stp_findings_find(&f, "file.write-failed"));
    if (access("/dev/full", W_OK) == 0) {
        assert_int_equal(stp_image_save_file(img, "/dev/full", STP_FORMAT_IHEX, &f), STP_ERR_IO);
    }
    stp_findings_free(&f);
    rmdir(dir);
    stp_image_destroy(img);
}

static void test_serialize_allocation_failure(void **state)
{
    (void)state;
    stp_image *img = sample(), *small = NULL;
    assert_int_equal(stp_image_create(&small), STP_OK);
    assert_int_equal(stp_image_add(small, 0x08000000u, "\x01\x02", 2, "t", NULL), STP_OK);
    for (stp_format fmt = STP_FORMAT_BIN; fmt <= STP_FORMAT_SREC; fmt++) {
        uint8_t *out = (uint8_t *)1;
        size_t len = 0;
        stp_alloc_fail_after(1);
        stp_status st =
            stp_image_serialize(fmt == STP_FORMAT_BIN ? small : img, fmt, &out, &len, NULL);
        stp_alloc_fail_after(0);
        assert_int_equal(st, STP_ERR_NOMEM);
        assert_null(out);
    }
    stp_image_destroy(small);
    stp_image_destroy(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ihex_text_and_round_trip),
        cmocka_unit_test(test_srec_text_and_round_trip),
        cmocka_unit_test(test_bin_fills_gaps),
        cmocka_unit_test(test_save_file_and_errors),
        cmocka_unit_test(test_serialize_allocation_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
