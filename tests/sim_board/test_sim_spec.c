/* Board spec parsing: accepted keys, defaults, and errors that list what is accepted. */
#include <string.h>

#include "sim_test.h"

static void test_defaults_and_keys(void **state)
{
    (void)state;
    sim_spec s;
    char err[512];
    assert_int_equal(sim_spec_parse("sim:stm32f407vg", &s, err, sizeof err), 0);
    assert_string_equal(s.part, "stm32f407vg");
    assert_int_equal(s.probe, SIM_PROBE_V2_1);
    assert_true(s.vdd > 3.29 && s.vdd < 3.31);
    assert_int_equal(s.rdp, -1);
    assert_int_equal(s.seed, 1);

    assert_int_equal(sim_spec_parse("STM32F103C8,probe=v2,fw=V2J37S7,serial=ABC,vdd=2.5,"
                                    "swd-max-khz=500,supply=unstable,rdp=1,wrp=0x3,"
                                    "fsize=27520,worn=0:2,probe-bug=corrupt-over:64,"
                                    "nrst=unconnected,firmware=swd-off,reset-loop=50,boot0=1,"
                                    "state=/tmp/x.img,seed=42",
                                    &s, err, sizeof err),
                     0);
    assert_string_equal(s.part, "stm32f103c8");
    assert_int_equal(s.probe, SIM_PROBE_V2);
    assert_string_equal(s.fw, "V2J37S7");
    assert_string_equal(s.serial, "ABC");
    assert_int_equal(s.swd_max_khz, 500);
    assert_int_equal(s.supply, SIM_SUPPLY_UNSTABLE);
    assert_int_equal(s.rdp, 1);
    assert_true(s.wrp_set);
    assert_int_equal(s.wrp_mask, 3);
    assert_true(s.fsize_set);
    assert_int_equal(s.fsize_raw, 27520);
    assert_int_equal(s.worn_count, 2);
    assert_int_equal(s.worn[1], 2);
    assert_int_equal(s.probe_corrupt_over, 64);
    assert_true(s.nrst_unconnected);
    assert_int_equal(s.firmware, SIM_FW_SWD_OFF);
    assert_int_equal(s.reset_loop_ms, 50);
    assert_true(s.boot0);
    assert_string_equal(s.state_path, "/tmp/x.img");
    assert_int_equal(s.seed, 42);

    assert_int_equal(
        sim_spec_parse("sim:stm32f411re,fsize=unreadable,supply=dead-core", &s, err, sizeof err),
        0);
    assert_true(s.fsize_unreadable);
    assert_int_equal(s.supply, SIM_SUPPLY_DEAD_CORE);
}

static void expect_error(const char *spec, const char *needle)
{
    sim_spec s;
    char err[2048] = "";
    assert_int_equal(sim_spec_parse(spec, &s, err, sizeof err), -1);
    if (!strstr(err, needle))
        fail_msg("error for '%s' is '%s', expected it to mention '%s'", spec, err, needle);
}

static void test_errors_list_what_is_accepted(void **state)
{
    (void)state;
    expect_error("sim:stm32f999xx", "accepted parts: ");
    expect_error("sim:stm32f999xx", "stm32f407vg");
    expect_error("sim:stm32f407vg,colour=red", "unknown key 'colour'");
    expect_error("sim:stm32f407vg,colour=red", "swd-max-khz");
    expect_error("sim:stm32f407vg,supply=flaky", "ok, unstable, dead-core");
    expect_error("sim:stm32f407vg,probe=v4", "v2, v2-1, v3");
    expect_error("sim:stm32f407vg,rdp=3", "0, 1, 2");
    expect_error("sim:stm32f407vg,vdd=abc", "volts");
    expect_error("sim:stm32f407vg,fsize=0x12345", "unreadable");
    expect_error("sim:stm32f407vg,worn=1::2", "worn");
    expect_error("sim:stm32f407vg,worn=12", "0..11");
    expect_error("sim:stm32f407vg,probe-bug=corrupt", "corrupt-over:N");
    expect_error("sim:stm32f407vg,boot0=2", "0, 1");
    expect_error("sim:stm32f103c8,rdp=2", "no level 2");
    expect_error("sim:stm32f407vg,seed=-1", "unsigned");
    expect_error("sim:stm32f407vg,nrst", "not key=value");
    expect_error("sim:", "missing part");
}

/* A key given twice is refused (it used to take the last silently). */
static void test_repeated_keys_refused(void **state)
{
    (void)state;
    expect_error("sim:stm32f407vg,vdd=3.3,vdd=1.6", "vdd= is given twice");
    expect_error("sim:stm32f407vg,state=/tmp/a,seed=2,state=/tmp/b", "state= is given twice");
    expect_error("sim:stm32f407vg,part=stm32f103c8", "part= is given twice");
    expect_error("sim:part=stm32f407vg,part=stm32f407vg", "part= is given twice");
    sim_spec s;
    char err[512];
    assert_int_equal(sim_spec_parse("sim:part=stm32f407vg,vdd=3.0,seed=3", &s, err, sizeof err), 0);
}

static void test_board_open_rejects_bad_spec(void **state)
{
    (void)state;
    char err[2048] = "";
    assert_null(sim_board_open("sim:stm32f407vg,bogus=1", err, sizeof err));
    assert_non_null(strstr(err, "accepted keys"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_keys),
        cmocka_unit_test(test_errors_list_what_is_accepted),
        cmocka_unit_test(test_board_open_rejects_bad_spec),
        cmocka_unit_test(test_repeated_keys_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
