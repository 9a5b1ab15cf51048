/* The sparse memory image: merging, ordering, overlaps, range limits, reading with fill,
 * CRC-32 and allocation failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "formats/image_internal.h"
#include "stprog/image.h"

static stp_image *new_image(void)
{
    stp_image *img = NULL;
    assert_int_equal(stp_image_create(&img), STP_OK);
    return img;
}

static void test_in_order_records_merge_into_one_segment(void **state)
{
    (void)state;
    stp_image *img = new_image();
    uint8_t buf[16];
    for (unsigned i = 0; i < 4096; i++) {
        memset(buf, (int)i, sizeof(buf));
        assert_int_equal(stp_image_add(img, 0x08000000u + 16 * i, buf, 16, "a", NULL), STP_OK);
    }
    assert_int_equal(stp_image_segment_count(img), 1);
    stp_segment s = stp_image_segment(img, 0);
    assert_int_equal(s.addr, 0x08000000u);
    assert_int_equal(s.size, 65536);
    assert_int_equal(s.data[16 * 100], 100);
    assert_int_equal(stp_image_total_bytes(img), 65536);
    stp_image_destroy(img);
}

static void test_descending_records_merge(void **state)
{
    (void)state;
    /* 1 MiB in 16-byte pieces from the top down: prepending must stay cheap */
    stp_image *img = new_image();
    uint8_t buf[16];
    for (unsigned i = 65536; i-- > 0;) {
        memset(buf, (int)(i & 0xFF), sizeof(buf));
        assert_int_equal(stp_image_add(img, 0x08000000u + 16 * i, buf, 16, "d", NULL), STP_OK);
    }
    assert_int_equal(stp_image_segment_count(img), 1);
    stp_segment s = stp_image_segment(img, 0);
    assert_int_equal(s.addr, 0x08000000u);
    assert_int_equal(s.size, 1u << 20);
    for (unsigned i = 0; i < 65536; i += 997)
        assert_int_equal(s.data[16 * i + 15], i & 0xFF);
    stp_image_destroy(img);
}

static void test_shuffled_pieces_settle_into_one_segment(void **state)
{
    (void)state;
    stp_image *img = new_image();
    uint8_t buf[16];
    /* 4096 records in the order i * 1237 mod 4096 (a permutation: 1237 is odd) */
    for (unsigned k = 0; k < 4096; k++) {
        unsigned i = (k * 1237u) % 4096u;
        memset(buf, (int)(i & 0xFF), sizeof(buf));
        assert_int_equal(stp_image_add_piece(img, 0x08000000u + 16 * i, buf, 16, "s.hex",
                                             STP_ORIGIN_LINE, k + 1, NULL),
                         STP_OK);
    }
    assert_int_equal(stp_image_settle(img, NULL), STP_OK);
    assert_int_equal(stp_image_segment_count(img), 1);
    assert_int_equal(stp_image_total_bytes(img), 65536);
    stp_segment s = stp_image_segment(img, 0);
    for (unsigned i = 0; i < 4096; i++)
        assert_int_equal(s.data[16 * i], i & 0xFF);
    /* later direct adds still work and merge */
    assert_int_equal(stp_image_add(img, 0x08010000u, buf, 16, "tail", NULL), STP_OK);
    assert_int_equal(stp_image_segment_count(img), 1);
    stp_image_destroy(img);
}

static void test_deferred_overlap_names_both_origins(void **state)
{
    (void)state;
    stp_image *img = new_image();
    stp_findings f;
    stp_findings_init(&f);
    uint8_t d[16] = {0};
    assert_int_equal(stp_image_add_piece(img, 0x100, d, 16, "x.hex", STP_ORIGIN_LINE, 1, &f),
                     STP_OK);
    assert_int_equal(stp_image_add_piece(img, 0x50, d, 16, "x.hex", STP_ORIGIN_LINE, 2, &f),
                     STP_OK); /* queued */
    assert_int_equal(stp_image_add_piece(img, 0x200, d, 16, "x.hex", STP_ORIGIN_LINE, 3, &f),
                     STP_OK);
    assert_int_equal(stp_image_add_piece(img, 0x58, d, 4, "x.hex", STP_ORIGIN_LINE, 4, &f), STP_OK);
    assert_int_equal(stp_image_settle(img, &f), STP_ERR_OVERLAP);
    const stp_finding *fi = stp_findings_find(&f, "file.overlap");
    assert_non_null(fi);
    assert_string_equal(fi->message,
                        "x.hex:4: data at 0x00000058..0x0000005B overlaps data from x.hex:2");
    /* queued pieces are dropped, committed ones stay */
    assert_int_equal(stp_image_segment_count(img), 1);
    assert_int_equal(stp_image_total_bytes(img), 16);
    /* a queued piece overlapping committed data names the committed line */
    stp_findings_clear(&f);
    assert_int_equal(stp_image_add_piece(img, 0x0F8, d, 16, "y.hex", STP_ORIGIN_LINE, 9, &f),
                     STP_OK);
    assert_int_equal(stp_image_settle(img, &f), STP_ERR_OVERLAP);
    assert_string_equal(f.items[0].message,
                        "y.hex:9: data at 0x00000100..0x00000107 overlaps data from x.hex:1");
    stp_findings_free(&f);
    stp_image_destroy(img);
}

static void test_settle_allocation_failure(void **state)
{
    (void)state;
    uint8_t d[16];
    memset(d, 0x33, sizeof(d));
    for (unsigned long n = 1; n < 400; n++) {
        stp_image *img = NULL;
        stp_alloc_fail_after(n);
        stp_status st = stp_image_create(&img);
        for (unsigned k = 0; st == STP_OK && k < 64; k++)
            st = stp_image_add_piece(img, 0x1000u + 16 * ((k * 13u) % 64u), d, 16, "p",
                                     STP_ORIGIN_LINE, k, NULL);
        if (st == STP_OK)
            st = stp_image_settle(img, NULL);
        stp_alloc_fail_after(0);
        if (st == STP_OK) {
            assert_int_equal(stp_image_segment_count(img), 1);
            assert_int_equal(stp_image_total_bytes(img), 1024);
            stp_image_destroy(img);
            return;
        }
        assert_int_equal(st, STP_ERR_NOMEM);
        uint64_t sum = 0;
        for (size_t i = 0; i < stp_image_segment_count(img); i++)
            sum += stp_image_segment(img, i).size;
        assert_int_equal(sum, stp_image_total_bytes(img));
        stp_image_destroy(img);
    }
    fail_msg("allocation never succeeded");
}

static void test_out_of_order_pieces_sort_and_merge(void **state)
{
    (void)state;
    stp_image *img = new_image();
    const uint8_t a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8}, c[4] = {9, 10, 11, 12};
    assert_int_equal(stp_image_add(img, 0x2008, c, 4, "c", NULL), STP_OK);
    assert_int_equal(stp_image_add(img, 0x1000, a, 4, "a", NULL), STP_OK);
    assert_int_equal(stp_image_segment_count(img), 2);
    assert_int_equal(stp_image_segment(img, 0).addr, 0x1000);
    assert_int_equal(stp_image_segment(img, 1).addr, 0x2008);
    /* b joins c from below */
    assert_int_equal(stp_image_add(img, 0x2004, b, 4, "b", NULL), STP_OK);
    assert_int_equal(stp_image_segment_count(img), 2);
    stp_segment s = stp_image_segment(img, 1);
    assert_int_equal(s.addr, 0x2004);
    assert_int_equal(s.size, 8);
    assert_memory_equal(s.data, ((uint8_t[]){5, 6, 7, 8, 9, 10, 11, 12}), 8);
    /* filling the gap 0x1004..0x2003 joins all three */
    static uint8_t gap[0x1000];
    memset(gap, 0xAB, sizeof(gap));
    assert_int_equal(stp_image_add(img, 0x1004, gap, sizeof(gap), "gap", NULL), STP_OK);
    assert_int_equal(stp_image_segment_count(img), 1);
    s = stp_image_segment(img, 0);
    assert_int_equal(s.addr, 0x1000);
    assert_int_equal(s.size, 4 + 0x1000 + 8);
    assert_int_equal(s.data[3], 4);
    assert_int_equal(s.data[4], 0xAB);
    assert_int_equal(s.data[0x1004], 5);
    assert_int_equal(s.data[0x100B], 12);
    stp_image_destroy(img);
}

static void test_overlap_names_both_origins(void **state)
{
    (void)state;
    stp_image *img = new_image();
    stp_findings f;
    stp_findings_init(&f);
    uint8_t d[16] = {0};
    assert_int_equal(stp_image_add_from(img, 0x08000000, d, 16, "fw.hex", STP_ORIGIN_LINE, 3, &f),
                     STP_OK);
    assert_int_equal(stp_image_add_from(img, 0x08000010, d, 16, "fw.hex", STP_ORIGIN_LINE, 4, &f),
                     STP_OK);
    assert_int_equal(stp_image_add_from(img, 0x08000018, d, 4, "fw.hex", STP_ORIGIN_LINE, 20, &f),
                     STP_ERR_OVERLAP);
    const stp_finding *fi = stp_findings_find(&f, "file.overlap");
    assert_non_null(fi);
    assert_non_null(strstr(fi->message, "fw.hex:20"));
    assert_non_null(strstr(fi->message, "fw.hex:4"));
    assert_non_null(strstr(fi->message, "0x08000018..0x0800001B"));
    /* the image is unchanged by the failed add */
    assert_int_equal(stp_image_total_bytes(img), 32);
    /* an overlap from another file names that file */
    stp_findings_clear(&f);
    assert_int_equal(
        stp_image_add_from(img, 0x07FFFFFF, d, 2, "boot.bin", STP_ORIGIN_OFFSET, 0, &f),
        STP_ERR_OVERLAP);
    assert_non_null(strstr(f.items[0].message, "boot.bin offset 0x0"));
    assert_non_null(strstr(f.items[0].message, "from fw.hex:3"));
    stp_findings_free(&f);
    stp_image_destroy(img);
}

static void test_past_4gib_is_range_error(void **state)
{
    (void)state;
    stp_image *img = new_image();
    stp_findings f;
    stp_findings_init(&f);
    uint8_t d[16] = {0};
    assert_int_equal(stp_image_add(img, 0xFFFFFFF0u, d, 16, "top", &f), STP_OK);
    assert_int_equal(stp_image_add(img, 0xFFFFFFFFu, d, 2, "x", &f), STP_ERR_RANGE);
    assert_int_equal(stp_image_add(img, UINT64_C(0x100000000), d, 1, "y", &f), STP_ERR_RANGE);
    assert_non_null(stp_findings_find(&f, "file.address-range"));
    assert_int_equal(stp_image_segment_count(img), 1);
    stp_findings_free(&f);
    stp_image_destroy(img);
}

static void test_read_fills_gaps(void **state)
{
    (void)state;
    stp_image *img = new_image();
    const uint8_t a[2] = {0x11, 0x22}, b[2] = {0x33, 0x44};
    assert_int_equal(stp_image_add(img, 0x100, a, 2, "a", NULL), STP_OK);
    assert_int_equal(stp_image_add(img, 0x104, b, 2, "b", NULL), STP_OK);
    uint8_t out[8];
    assert_int_equal(stp_image_read(img, 0xFF, out, 8, 0xFF), 4);
    assert_memory_equal(out, ((uint8_t[]){0xFF, 0x11, 0x22, 0xFF, 0xFF, 0x33, 0x44, 0xFF}), 8);
    assert_int_equal(stp_image_read(img, 0x105, out, 1, 0), 1);
    assert_int_equal(out[0], 0x44);
    assert_int_equal(stp_image_read(img, 0x200, out, 4, 0xEE), 0);
    assert_int_equal(out[3], 0xEE);
    stp_image_destroy(img);
}

static void test_entry_point(void **state)
{
    (void)state;
    stp_image *img = new_image();
    assert_false(stp_image_has_entry(img));
    stp_image_set_entry(img, 0x080001A5u);
    assert_true(stp_image_has_entry(img));
    assert_int_equal(stp_image_entry(img), 0x080001A5u);
    stp_image_destroy(img);
}

static void test_crc32_known_values(void **state)
{
    (void)state;
    assert_int_equal(stp_crc32(0, "123456789", 9), 0xCBF43926u);
    assert_int_equal(stp_crc32(0, "", 0), 0);
    /* incremental equals one shot */
    uint32_t c = stp_crc32(0, "1234", 4);
    assert_int_equal(stp_crc32(c, "56789", 5), 0xCBF43926u);
}

static void test_allocation_failure_never_corrupts(void **state)
{
    (void)state;
    /* Let the n-th allocation fail for growing n until the whole sequence succeeds; every
     * failure must be STP_ERR_NOMEM and leave an image that can be destroyed. */
    uint8_t d[32];
    memset(d, 0x5A, sizeof(d));
    for (unsigned long n = 1; n < 200; n++) {
        stp_image *img = NULL;
        stp_alloc_fail_after(n);
        stp_status st = stp_image_create(&img);
        for (unsigned i = 0; st == STP_OK && i < 40; i++) {
            uint32_t addr = (i % 3 == 0) ? 0x1000u * (40 - i) : 0x08000000u + 32 * i;
            st = stp_image_add(img, addr, d, sizeof(d), i % 2 ? "odd" : "even", NULL);
        }
        stp_alloc_fail_after(0);
        if (st == STP_OK) {
            assert_int_equal(stp_image_total_bytes(img), 40 * 32);
            stp_image_destroy(img);
            return;
        }
        assert_int_equal(st, STP_ERR_NOMEM);
        /* what is in the image is consistent */
        uint64_t sum = 0;
        for (size_t i = 0; i < stp_image_segment_count(img); i++)
            sum += stp_image_segment(img, i).size;
        assert_int_equal(sum, stp_image_total_bytes(img));
        stp_image_destroy(img);
    }
    fail_msg("allocation never succeeded");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order_records_merge_into_one_segment),
        cmocka_unit_test(test_descending_records_merge),
        cmocka_unit_test(test_shuffled_pieces_settle_into_one_segment),
        cmocka_unit_test(test_deferred_overlap_names_both_origins),
        cmocka_unit_test(test_settle_allocation_failure),
        cmocka_unit_test(test_out_of_order_pieces_sort_and_merge),
        cmocka_unit_test(test_overlap_names_both_origins),
        cmocka_unit_test(test_past_4gib_is_range_error),
        cmocka_unit_test(test_read_fills_gaps),
        cmocka_unit_test(test_entry_point),
        cmocka_unit_test(test_crc32_known_values),
        cmocka_unit_test(test_allocation_failure_never_corrupts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
