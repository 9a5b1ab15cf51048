/* Unit tests: numbers on the command line (hex, decimal, K/M suffixes, limits). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cli/numparse.h"

static uint64_t ok(const char *text, cli_num_kind kind)
{
    uint64_t v = 0;
    char why[96] = "";
    if (!cli_parse_number(text, kind, UINT32_MAX, &v, why, sizeof(why)))
        fail_msg("'%s' rejected: %s", text, why);
    return v;
}

static const char *bad(const char *text, cli_num_kind kind)
{
    static char why[96];
    uint64_t v = 12345;
    why[0] = '\0';
    if (cli_parse_number(text, kind, UINT32_MAX, &v, why, sizeof(why)))
        fail_msg("'%s' accepted as %llu", text, (unsigned long long)v);
    assert_int_equal(v, 12345); /* untouched on failure */
    return why;
}

static void test_plain(void **state)
{
    (void)state;
    assert_int_equal(ok("0", CLI_NUM_PLAIN), 0);
    assert_int_equal(ok("1234", CLI_NUM_PLAIN), 1234);
    assert_int_equal(ok("0x08000000", CLI_NUM_PLAIN), 0x08000000);
    assert_int_equal(ok("0X1fFf", CLI_NUM_PLAIN), 0x1fff);
    assert_int_equal(ok("4294967295", CLI_NUM_PLAIN), 4294967295u);
    assert_int_equal(ok("0xffffffff", CLI_NUM_PLAIN), 0xffffffffu);
    assert_string_equal(bad("", CLI_NUM_PLAIN), "empty value");
    assert_string_equal(bad("0x", CLI_NUM_PLAIN), "not a number");
    assert_string_equal(bad("-1", CLI_NUM_PLAIN), "not a number");
    assert_string_equal(bad("12abc", CLI_NUM_PLAIN), "not a number");
    assert_string_equal(bad("0x1g", CLI_NUM_PLAIN), "not a number");
    assert_string_equal(bad(" 1", CLI_NUM_PLAIN), "not a number");
    assert_string_equal(bad("64K", CLI_NUM_PLAIN), "not a number"); /* sizes only */
    assert_string_equal(bad("4294967296", CLI_NUM_PLAIN), "too large (max 4294967295)");
    assert_string_equal(bad("0x100000000", CLI_NUM_PLAIN), "too large (max 4294967295)");
    assert_string_equal(bad("99999999999999999999999", CLI_NUM_PLAIN),
                        "too large (max 4294967295)");
}

static void test_sizes(void **state)
{
    (void)state;
    assert_int_equal(ok("64K", CLI_NUM_SIZE), 65536);
    assert_int_equal(ok("64k", CLI_NUM_SIZE), 65536);
    assert_int_equal(ok("1M", CLI_NUM_SIZE), 1048576);
    assert_int_equal(ok("2MiB", CLI_NUM_SIZE), 2097152);
    assert_int_equal(ok("16KB", CLI_NUM_SIZE), 16384);
    assert_int_equal(ok("0x10K", CLI_NUM_SIZE), 16384);
    assert_int_equal(ok("4095M", CLI_NUM_SIZE), 4095ull * 1048576);
    assert_int_equal(ok("512", CLI_NUM_SIZE), 512);
    const char *big = "too large: the address space is 4 GiB (32 bits), the largest value is "
                      "0xFFFFFFFF";
    assert_string_equal(bad("4096M", CLI_NUM_SIZE), big);
    assert_int_equal(ok("1G", CLI_NUM_SIZE), 1073741824);
    assert_string_equal(bad("4G", CLI_NUM_SIZE), big);
    assert_string_equal(bad("1KK", CLI_NUM_SIZE), "not a number (suffixes: K, M, G)");
    assert_string_equal(bad("K", CLI_NUM_SIZE), "not a number");
}

static void test_freq(void **state)
{
    (void)state;
    assert_int_equal(ok("4000", CLI_NUM_FREQ_KHZ), 4000);
    assert_int_equal(ok("1800k", CLI_NUM_FREQ_KHZ), 1800);
    assert_int_equal(ok("4M", CLI_NUM_FREQ_KHZ), 4000);
    assert_int_equal(ok("24MHz", CLI_NUM_FREQ_KHZ), 24000);
    assert_int_equal(ok("950kHz", CLI_NUM_FREQ_KHZ), 950);
    assert_string_equal(bad("fast", CLI_NUM_FREQ_KHZ), "not a number");
    assert_string_equal(bad("4G", CLI_NUM_FREQ_KHZ), "not a frequency in kHz (suffixes: k, M)");
}

static void test_u32_and_max(void **state)
{
    (void)state;
    uint32_t v = 7;
    char why[96];
    assert_true(cli_parse_u32("0x20000000", CLI_NUM_PLAIN, &v, why, sizeof(why)));
    assert_int_equal(v, 0x20000000);
    uint64_t w = 0;
    assert_false(cli_parse_number("101", CLI_NUM_PLAIN, 100, &w, why, sizeof(why)));
    assert_string_equal(why, "too large (max 100)");
    assert_true(cli_parse_number("100", CLI_NUM_PLAIN, 100, &w, why, sizeof(why)));
    assert_int_equal(w, 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_freq),
        cmocka_unit_test(test_u32_and_max),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
