/* Unit tests of the GDB packet layer: framing (checksums, escapes, Ctrl-C, oversize) and
 * request parsing (arguments decoded, malformed input refused), and reply building. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "ops/gdb_proto.h"

/* Feeds s; returns the last event that was not NONE. */
static stp_gdb_event feed(stp_gdb_rx *rx, const char *s, size_t n)
{
    stp_gdb_event last = STP_GDB_EV_NONE;
    for (size_t i = 0; i < n; i++) {
        stp_gdb_event e = stp_gdb_rx_byte(rx, (uint8_t)s[i]);
        if (e != STP_GDB_EV_NONE)
            last = e;
    }
    return last;
}

static void test_framing(void **state)
{
    (void)state;
    uint8_t buf[64];
    stp_gdb_rx rx;
    stp_gdb_rx_init(&rx, buf, sizeof(buf));
    assert_int_equal(feed(&rx, "$qC#b4", 6), STP_GDB_EV_PACKET);
    assert_int_equal(rx.len, 2);
    assert_memory_equal(buf, "qC", 2);
    assert_int_equal(feed(&rx, "$qC#b5", 6), STP_GDB_EV_BAD_CHECKSUM);
    assert_int_equal(feed(&rx, "$qC#z", 5), STP_GDB_EV_BAD_CHECKSUM);
    assert_int_equal(feed(&rx, "+", 1), STP_GDB_EV_ACK);
    assert_int_equal(feed(&rx, "-", 1), STP_GDB_EV_NAK);
    assert_int_equal(feed(&rx, "\x03", 1), STP_GDB_EV_INTERRUPT);
    assert_int_equal(feed(&rx, "x", 1), STP_GDB_EV_GARBAGE);
    /* An escaped '#' inside a packet does not end it. */
    char pkt[32];
    size_t n = stp_gdb_frame("X0,1:}\x03", 7, pkt, sizeof(pkt));
    assert_int_equal(n, 11);
    assert_int_equal(feed(&rx, pkt, n), STP_GDB_EV_PACKET);
    assert_int_equal(rx.len, 7);
}

static void test_oversize(void **state)
{
    (void)state;
    uint8_t buf[8];
    stp_gdb_rx rx;
    stp_gdb_rx_init(&rx, buf, sizeof(buf));
    assert_int_equal(feed(&rx, "$123456789", 10), STP_GDB_EV_OVERSIZE);
    /* The receiver starts over afterwards. */
    assert_int_equal(feed(&rx, "$?#3f", 5), STP_GDB_EV_PACKET);
}

static stp_gdb_req_kind parse(const char *s, stp_gdb_req *r)
{
    static uint8_t buf[256];
    size_t n = strlen(s);
    memcpy(buf, s, n);
    return stp_gdb_parse(buf, n, sizeof(buf), r);
}

static void test_parse_memory(void **state)
{
    (void)state;
    stp_gdb_req r;
    assert_int_equal(parse("m20000000,10", &r), STP_GDB_REQ_READ_MEM);
    assert_int_equal(r.addr, 0x20000000u);
    assert_int_equal(r.len, 16);
    assert_int_equal(parse("M20000000,2:beef", &r), STP_GDB_REQ_WRITE_MEM);
    assert_int_equal(r.data_len, 2);
    assert_int_equal(r.data[0], 0xbe);
    assert_int_equal(parse("X8,2:}]a", &r), STP_GDB_REQ_WRITE_MEM);
    assert_int_equal(r.data[0], '}');
    assert_int_equal(parse("m20000000", &r), STP_GDB_REQ_MALFORMED);
    assert_int_equal(parse("m1ffffffff,4", &r), STP_GDB_REQ_MALFORMED);
    assert_int_equal(parse("M0,2:bee", &r), STP_GDB_REQ_MALFORMED);
    assert_int_equal(parse("M0,2:beeg", &r), STP_GDB_REQ_MALFORMED);
    assert_int_equal(parse("X0,1:}", &r), STP_GDB_REQ_MALFORMED);
    assert_int_equal(parse("vFlashWrite:8000000:ab", &r), STP_GDB_REQ_FLASH_WRITE);
    assert_int_equal(r.addr, 0x08000000u);
    assert_int_equal(r.data_len, 2);
    assert_int_equal(parse("vFlashErase:8000000,4000", &r), STP_GDB_REQ_FLASH_ERASE);
    assert_int_equal(r.len, 0x4000u);
    assert_int_equal(parse("vFlashDone", &r), STP_GDB_REQ_FLASH_DONE);
}

static void test_parse_control(void **state)
{
    (void)state;
    stp_gdb_req r;
    assert_int_equal(parse("vCont;s:1;c", &r), STP_GDB_REQ_RESUME);
    assert_int_equal(r.resume, 's');
    assert_int_equal(parse("vCont;c", &r), STP_GDB_REQ_RESUME);
    assert_int_equal(r.resume, 'c');
    assert_int_equal(parse("vCont;x", &r), STP_GDB_REQ_MALFORMED);
    assert_int_equal(parse("vCont?", &r), STP_GDB_REQ_VCONT_QUERY);
    assert_int_equal(parse("c8000100", &r), STP_GDB_REQ_RESUME);
    assert_true(r.has_addr);
    assert_int_equal(parse("Z2,20000000,4", &r), STP_GDB_REQ_BREAK_INSERT);
    assert_int_equal(r.ztype, 2);
    assert_int_equal(r.zkind, 4);
    assert_int_equal(parse("Z5,0,2", &r), STP_GDB_REQ_MALFORMED);
    assert_int_equal(parse("P1f=00112233", &r), STP_GDB_REQ_WRITE_REG);
    assert_int_equal(r.regno, 0x1f);
    assert_int_equal(parse("qRcmd,7265736574", &r), STP_GDB_REQ_MONITOR);
    assert_string_equal((const char *)r.data, "reset");
    assert_int_equal(parse("qRcmd,0041", &r), STP_GDB_REQ_MALFORMED);
    assert_int_equal(parse("qXfer:features:read:target.xml:0,fff", &r), STP_GDB_REQ_XFER_FEATURES);
    assert_string_equal(r.annex, "target.xml");
    assert_int_equal(r.len, 0xfff);
    assert_int_equal(parse("qXfer:memory-map:read::10", &r), STP_GDB_REQ_MALFORMED);
    assert_int_equal(parse("qThisDoesNotExist", &r), STP_GDB_REQ_UNSUPPORTED);
}

static void test_replies(void **state)
{
    (void)state;
    char buf[16];
    stp_gdb_out o;
    stp_gdb_out_init(&o, buf, sizeof(buf));
    stp_gdb_xfer_reply(&o, "ab#cd", 5, 1, 100);
    assert_string_equal(buf, "lb}\x03"
                             "cd");
    stp_gdb_out_init(&o, buf, sizeof(buf));
    stp_gdb_xfer_reply(&o, "abcdef", 6, 0, 2);
    assert_string_equal(buf, "mab");
    stp_gdb_out_init(&o, buf, 4);
    stp_gdb_out_str(&o, "toolong");
    assert_true(o.overflow);
    assert_int_equal(o.len, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_framing),      cmocka_unit_test(test_oversize),
        cmocka_unit_test(test_parse_memory), cmocka_unit_test(test_parse_control),
        cmocka_unit_test(test_replies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
