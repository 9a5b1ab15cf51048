/* Unit tests: command-line parsing (global options anywhere, command options, errors). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cli/args.h"

static stp_status run_nothing(cli_ctx *ctx)
{
    (void)ctx;
    return STP_OK;
}

static const cli_option write_options[] = {
    {"addr", 'a', "ADDR", "address"},
    {"output", 'o', "OUT", "output"},
    {"dry-run", 'n', NULL, "plan only"},
    {"sector", 's', "N", "sector"},
    {"reset", 0, NULL, "a flag named like the global --reset MODE"},
    {0},
};

static const cli_command cmd_write = {"write", "w", "FILE", NULL, write_options, 1, 1, run_nothing};
static const cli_command cmd_chips = {"chips", "c", "", NULL, NULL, 0, 0, run_nothing};
static const cli_command cmd_info = {"info", "i", "", NULL, NULL, 0, 0, run_nothing};
static const cli_command *const table[] = {&cmd_write, &cmd_chips, &cmd_info};

/* parse(p, err, errlen, "arg1", "arg2", ..., NULL) */
static bool parse(cli_parsed *p, char *err, size_t errlen, ...)
{
    static char *argv[32];
    int argc = 1;
    va_list ap;
    va_start(ap, errlen);
    argv[0] = "stprog";
    for (char *a = va_arg(ap, char *); a != NULL && argc < 31; a = va_arg(ap, char *))
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    return cli_parse(argc, argv, table, 3, p, err, errlen);
}

static void test_globals_before_and_after(void **state)
{
    (void)state;
    cli_parsed p;
    char err[256];
    assert_true(parse(&p, err, sizeof(err), "--probe", "sim:stm32f407vg", "-v", "write", "fw.hex",
                      "--json", "--freq=1800", "-vq", "--connect=under-reset", NULL));
    assert_ptr_equal(p.cmd, &cmd_write);
    assert_string_equal(p.g.probe, "sim:stm32f407vg");
    assert_int_equal(p.g.verbose, 2);
    assert_true(p.g.quiet);
    assert_true(p.g.json);
    assert_int_equal(p.g.freq_khz, 1800);
    assert_int_equal(p.g.connect, CLI_CONNECT_UNDER_RESET);
    assert_int_equal(p.g.reset, CLI_RESET_DEFAULT);
    assert_int_equal(p.args.argc, 1);
    assert_string_equal(p.args.argv[0], "fw.hex");
    assert_int_equal(p.args.optc, 0);
    cli_parsed_free(&p);

    assert_true(parse(&p, err, sizeof(err), "info", "--reset", "core", "--freq", "4M", NULL));
    assert_int_equal(p.g.reset, CLI_RESET_CORE);
    assert_int_equal(p.g.freq_khz, 4000);
    assert_ptr_equal(p.cmd, &cmd_info);
    cli_parsed_free(&p);
}

static void test_command_options(void **state)
{
    (void)state;
    cli_parsed p;
    char err[256];
    assert_true(parse(&p, err, sizeof(err), "write", "-n", "--addr", "0x8004000", "-oout.hex",
                      "fw.bin", "-s", "3", "--sector=3", "-na", "0x8004000", NULL));
    assert_int_equal(p.args.argc, 1);
    assert_string_equal(p.args.argv[0], "fw.bin");
    assert_int_equal(p.args.optc, 7);
    assert_string_equal(p.args.optv[0].opt->name, "dry-run");
    assert_null(p.args.optv[0].value);
    assert_string_equal(p.args.optv[1].opt->name, "addr");
    assert_string_equal(p.args.optv[1].value, "0x8004000");
    assert_string_equal(p.args.optv[2].opt->name, "output");
    assert_string_equal(p.args.optv[2].value, "out.hex");
    assert_string_equal(p.args.optv[3].value, "3");
    assert_string_equal(p.args.optv[4].value, "3");           /* the same value twice is harmless */
    assert_string_equal(p.args.optv[5].opt->name, "dry-run"); /* -na ADDR: flag, then */
    assert_string_equal(p.args.optv[6].opt->name, "addr");    /* a valued option */
    assert_string_equal(p.args.optv[6].value, "0x8004000");
    cli_parsed_free(&p);
}

/* A valued option given twice with different values is refused: which one was meant? */
static void test_option_given_twice(void **state)
{
    (void)state;
    cli_parsed p;
    char err[256];
    assert_false(parse(&p, err, sizeof(err), "write", "--addr", "0x08000000", "fw.bin", "-a",
                       "0x08004000", NULL));
    assert_ptr_equal(p.cmd, &cmd_write);
    assert_string_equal(err, "--addr given twice ('0x08000000' and '0x08004000'): give it once");
    cli_parsed_free(&p);
    assert_false(parse(&p, err, sizeof(err), "--probe", "sim:stm32f407vg", "info", "--probe",
                       "sim:stm32f103c8", NULL));
    assert_non_null(strstr(err, "--probe given twice"));
    cli_parsed_free(&p);
    assert_false(parse(&p, err, sizeof(err), "info", "--freq", "4M", "--freq", "1800", NULL));
    assert_string_equal(err, "--freq given twice (4000 and 1800 kHz): give it once");
    cli_parsed_free(&p);
    assert_false(parse(&p, err, sizeof(err), "info", "--reset", "sw", "--reset=hw", NULL));
    assert_string_equal(err, "--reset given twice (sw and hw): give it once");
    cli_parsed_free(&p);
    assert_false(
        parse(&p, err, sizeof(err), "info", "--connect", "normal", "--connect", "hot-plug", NULL));
    assert_non_null(strstr(err, "--connect given twice"));
    cli_parsed_free(&p);
    /* The same value twice (a wrapper script and its user agreeing) is accepted. */
    assert_true(parse(&p, err, sizeof(err), "--freq", "4000", "info", "--freq", "4M", "--probe",
                      "sim:stm32f407vg", "--probe", "sim:stm32f407vg", NULL));
    assert_int_equal(p.g.freq_khz, 4000);
    cli_parsed_free(&p);
}

static void test_flag_shadowing_a_global(void **state)
{
    (void)state;
    cli_parsed p;
    char err[256];
    /* "--reset sw" after write: write's flag and the global mode. */
    assert_true(parse(&p, err, sizeof(err), "write", "fw.bin", "--reset", "sw", NULL));
    assert_int_equal(p.args.argc, 1);
    assert_int_equal(p.args.optc, 1);
    assert_string_equal(p.args.optv[0].opt->name, "reset");
    assert_int_equal(p.g.reset, CLI_RESET_SW);
    cli_parsed_free(&p);
    assert_true(parse(&p, err, sizeof(err), "write", "--reset=core", "fw.bin", NULL));
    assert_int_equal(p.args.optc, 1);
    assert_int_equal(p.g.reset, CLI_RESET_CORE);
    assert_int_equal(p.args.argc, 1);
    cli_parsed_free(&p);
    /* Not a mode: the flag alone, the word stays the file. */
    assert_true(parse(&p, err, sizeof(err), "write", "--reset", "hw.bin", NULL));
    assert_int_equal(p.args.optc, 1);
    assert_int_equal(p.g.reset, CLI_RESET_DEFAULT);
    assert_int_equal(p.args.argc, 1);
    assert_string_equal(p.args.argv[0], "hw.bin");
    cli_parsed_free(&p);
    assert_true(parse(&p, err, sizeof(err), "write", "fw.bin", "--reset", NULL));
    assert_int_equal(p.args.optc, 1);
    assert_int_equal(p.g.reset, CLI_RESET_DEFAULT);
    cli_parsed_free(&p);
    /* Before the command it is only the global option. */
    assert_true(parse(&p, err, sizeof(err), "--reset", "hw", "write", "fw.bin", NULL));
    assert_int_equal(p.args.optc, 0);
    assert_int_equal(p.g.reset, CLI_RESET_HW);
    cli_parsed_free(&p);
    /* A flag that shadows nothing still refuses a value. */
    assert_false(parse(&p, err, sizeof(err), "write", "--dry-run=yes", NULL));
    assert_string_equal(err, "option --dry-run takes no value");
    cli_parsed_free(&p);
}

static void test_double_dash_and_dash(void **state)
{
    (void)state;
    cli_parsed p;
    char err[256];
    assert_true(parse(&p, err, sizeof(err), "write", "--", "--json", "-", NULL));
    assert_false(p.g.json);
    assert_int_equal(p.args.argc, 2);
    assert_string_equal(p.args.argv[0], "--json");
    assert_string_equal(p.args.argv[1], "-");
    cli_parsed_free(&p);
}

static void test_help_and_version_flags(void **state)
{
    (void)state;
    cli_parsed p;
    char err[256];
    assert_true(parse(&p, err, sizeof(err), "write", "--help", NULL));
    assert_true(p.help);
    assert_ptr_equal(p.cmd, &cmd_write);
    cli_parsed_free(&p);
    assert_true(parse(&p, err, sizeof(err), "-V", NULL));
    assert_true(p.version);
    assert_null(p.cmd);
    cli_parsed_free(&p);
}

static void test_errors(void **state)
{
    (void)state;
    cli_parsed p;
    char err[256];
    assert_false(parse(&p, err, sizeof(err), "wirte", NULL));
    assert_string_equal(err, "unknown command 'wirte' (did you mean 'write'?)");
    cli_parsed_free(&p);

    assert_false(parse(&p, err, sizeof(err), "frobnicate", NULL));
    assert_string_equal(err, "unknown command 'frobnicate'");
    cli_parsed_free(&p);

    assert_false(parse(&p, err, sizeof(err), "chips", "--bogus", NULL));
    assert_string_equal(err, "unknown option '--bogus' for 'chips'");
    cli_parsed_free(&p);

    assert_false(parse(&p, err, sizeof(err), "write", "--adr", "0x08004000", NULL));
    assert_string_equal(err, "unknown option '--adr' for 'write' (did you mean '--addr'?)");
    cli_parsed_free(&p);

    assert_false(parse(&p, err, sizeof(err), "--jsn", "info", NULL));
    assert_string_equal(err, "unknown option '--jsn' (did you mean '--json'?)");
    cli_parsed_free(&p);

    assert_false(parse(&p, err, sizeof(err), "--addr", NULL));
    assert_string_equal(err, "unknown option '--addr'"); /* a write option, not a global one */
    cli_parsed_free(&p);

    assert_false(parse(&p, err, sizeof(err), "write", "-x", NULL));
    assert_string_equal(err, "unknown option '-x' for 'write'");
    cli_parsed_free(&p);

    assert_false(parse(&p, err, sizeof(err), "write", "--addr", NULL));
    assert_string_equal(err, "option --addr needs a value (ADDR)");
    cli_parsed_free(&p);

    assert_false(parse(&p, err, sizeof(err), "--json=yes", NULL));
    assert_string_equal(err, "option --json takes no value");
    cli_parsed_free(&p);

    assert_false(parse(&p, err, sizeof(err), "--freq", "fast", NULL));
    assert_string_equal(err, "bad value for --freq: 'fast': not a number");
    cli_parsed_free(&p);

    assert_false(parse(&p, err, sizeof(err), "--freq", "0", NULL));
    assert_string_equal(err, "bad value for --freq: '0': must be more than 0");
    cli_parsed_free(&p);

    assert_false(parse(&p, err, sizeof(err), "--connect", "sideways", NULL));
    assert_string_equal(
        err, "bad value for --connect: 'sideways' (use normal, under-reset or hot-plug)");
    cli_parsed_free(&p);

    assert_false(parse(&p, err, sizeof(err), "info", "--reset", "hard", NULL));
    assert_string_equal(err, "bad value for --reset: 'hard' (use hw, sw or core)");
    cli_parsed_free(&p);

    /* After an error the rest is not parsed, but --json and -q still choose where the
     * message goes. */
    assert_false(parse(&p, err, sizeof(err), "chips", "--bogus", "--json", "-q", NULL));
    assert_true(p.g.json);
    assert_true(p.g.quiet);
    assert_ptr_equal(p.cmd, &cmd_chips);
    cli_parsed_free(&p);
}

static void test_suggest(void **state)
{
    (void)state;
    assert_string_equal(cli_suggest_command("chip", table, 3), "chips");
    assert_string_equal(cli_suggest_command("inof", table, 3), "info");
    assert_string_equal(cli_suggest_command("wr", table, 3), "write");
    assert_null(cli_suggest_command("gdbserver", table, 3));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_globals_before_and_after),
        cmocka_unit_test(test_command_options),
        cmocka_unit_test(test_option_given_twice),
        cmocka_unit_test(test_flag_shadowing_a_global),
        cmocka_unit_test(test_double_dash_and_dash),
        cmocka_unit_test(test_help_and_version_flags),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_suggest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
