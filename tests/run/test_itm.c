/* The ITM packet decoder (src/ops/itm.c): stimulus packets of every size and port, with
 * local and global timestamps, synchronisation, overflow, extension and DWT packets in
 * between, fed whole and one byte at a time; garbage does not hide what follows it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ops/itm.h"

typedef struct sink {
    char text[256];
    size_t len;
    unsigned ports[64];
    unsigned count;
} sink;

static void collect(void *user, unsigned port, const uint8_t *payload, unsigned len)
{
    sink *k = user;
    memcpy(k->text + k->len, payload, len);
    k->len += len;
    k->ports[k->count++] = port;
}

static const uint8_t stream[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x80,       /* synchronisation */
    0x01, 'H',                                /* port 0, 1 byte */
    0xC0, 0x85, 0x03,                         /* local timestamp format 1, two bytes */
    0x0A, 'e',  'l',                          /* port 1, 2 bytes */
    0x20,                                     /* local timestamp format 2 */
    0x13, 'l',  'o',  ',',  ' ',              /* port 2, 4 bytes */
    0x70,                                     /* overflow */
    0x94, 0x81, 0x82, 0x03,                   /* global timestamp 1 */
    0x05, 0x12,                               /* hardware source (DWT event counter), 1 byte */
    0x08,                                     /* extension, no continuation */
    0xC8, 0x81, 0x01,                         /* extension with continuation bytes */
    0xF9, 'w',                                /* port 31, 1 byte */
    0xB4, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, /* global timestamp 2, six bytes */
    0x01, '!',
};

static void check(const sink *k, const stp_itm_decoder *d)
{
    assert_int_equal(k->len, 9);
    assert_memory_equal(k->text, "Hello, w!", 9);
    assert_int_equal(k->count, 5);
    assert_int_equal(k->ports[0], 0);
    assert_int_equal(k->ports[1], 1);
    assert_int_equal(k->ports[2], 2);
    assert_int_equal(k->ports[3], 31);
    assert_int_equal(k->ports[4], 0);
    assert_int_equal(d->packets, 5);
    assert_int_equal(d->overflows, 1);
    assert_int_equal(d->hw_packets, 1);
    assert_int_equal(d->skipped, 0);
}

static void test_whole_and_bytewise(void **state)
{
    (void)state;
    sink k = {0};
    stp_itm_decoder d;
    stp_itm_init(&d);
    stp_itm_feed(&d, stream, sizeof(stream), collect, &k);
    check(&k, &d);
    memset(&k, 0, sizeof(k));
    stp_itm_init(&d);
    for (size_t i = 0; i < sizeof(stream); i++)
        stp_itm_feed(&d, stream + i, 1, collect, &k);
    check(&k, &d);
}

static void test_resync_after_garbage(void **state)
{
    (void)state;
    /* reserved headers are skipped one by one; a packet right after them decodes */
    static const uint8_t bytes[] = {0x04, 0x24, 0x84, 0x01, 'x'};
    sink k = {0};
    stp_itm_decoder d;
    stp_itm_init(&d);
    stp_itm_feed(&d, bytes, sizeof(bytes), collect, &k);
    assert_int_equal(d.skipped, 3);
    assert_int_equal(k.len, 1);
    assert_int_equal(k.text[0], 'x');
    /* a timestamp cut short by a header-looking byte still ends after four more bytes */
    static const uint8_t ts[] = {0xC0, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 'y'};
    stp_itm_feed(&d, ts, sizeof(ts), collect, &k);
    assert_int_equal(k.len, 2);
    assert_int_equal(k.text[1], 'y');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_and_bytewise),
        cmocka_unit_test(test_resync_after_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
