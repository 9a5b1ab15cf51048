/* Unit tests: progress formatting (bytes, rates, lines, bars) and the event sequence in
 * lines and bar mode with a fake clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/progress.h"

static void test_bytes(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(cli_format_bytes(b, sizeof(b), 0), "0 B");
    assert_string_equal(cli_format_bytes(b, sizeof(b), 1023), "1023 B");
    assert_string_equal(cli_format_bytes(b, sizeof(b), 1024), "1 KiB");
    assert_string_equal(cli_format_bytes(b, sizeof(b), 1536), "1.5 KiB");
    assert_string_equal(cli_format_bytes(b, sizeof(b), 65536), "64 KiB");
    assert_string_equal(cli_format_bytes(b, sizeof(b), 1048576), "1 MiB");
    assert_string_equal(cli_format_bytes(b, sizeof(b), 1572864), "1.5 MiB");
    assert_string_equal(cli_format_bytes(b, sizeof(b), 2097152 + 104858), "2.1 MiB");
    assert_string_equal(cli_format_bytes(b, sizeof(b), 1073741824ull * 3), "3 GiB");
    assert_string_equal(cli_format_bytes(b, sizeof(b), 1099511627776ull * 2048), "2048 TiB");
}

static void test_rate(void **state)
{
    (void)state;
    char b[40];
    assert_string_equal(cli_format_rate(b, sizeof(b), 65536, 2.0), "32 KiB/s");
    assert_string_equal(cli_format_rate(b, sizeof(b), 1000, 1.0), "1000 B/s");
    assert_string_equal(cli_format_rate(b, sizeof(b), 65536, 0.0), "-");
    assert_string_equal(cli_format_rate(b, sizeof(b), 65536, -1.0), "-");
}

static void test_line_and_percent(void **state)
{
    (void)state;
    char b[128];
    assert_string_equal(cli_progress_format_line(b, sizeof(b), "program", 65536, 131072),
                        "program: 50% (64 KiB of 128 KiB)");
    assert_string_equal(cli_progress_format_line(b, sizeof(b), "erase", 0, 16384),
                        "erase: 0% (0 B of 16 KiB)");
    assert_string_equal(cli_progress_format_line(b, sizeof(b), "read", 65536, 0), "read: 64 KiB");
    assert_int_equal(cli_progress_percent(1, 3), 33);
    assert_int_equal(cli_progress_percent(2, 3), 66); /* never rounds up to a false 100 */
    assert_int_equal(cli_progress_percent(999, 1000), 99);
    assert_int_equal(cli_progress_percent(5, 4), 100);
    assert_int_equal(cli_progress_percent(0, 0), 100);
    assert_int_equal(cli_progress_percent(UINT64_MAX / 2, UINT64_MAX), 50);
}

static void test_bar_and_end(void **state)
{
    (void)state;
    char b[200];
    assert_string_equal(cli_progress_format_bar(b, sizeof(b), "program", 65536, 131072, 2.0, 10),
                        "program  [#####     ]  50%  64 KiB/128 KiB  32 KiB/s  ETA 2 s");
    assert_string_equal(cli_progress_format_bar(b, sizeof(b), "erase", 131072, 131072, 0.0, 4),
                        "erase    [####] 100%  128 KiB/128 KiB  -");
    assert_string_equal(cli_progress_format_bar(b, sizeof(b), "read", 2048, 0, 1.0, 10),
                        "read     2 KiB  2 KiB/s");
    assert_string_equal(
        cli_progress_format_end(b, sizeof(b), "program", 131072, 131072, 4.0, false),
        "program: done, 128 KiB in 4.00 s (32 KiB/s)");
    assert_string_equal(cli_progress_format_end(b, sizeof(b), "program", 131072, 131072, 4.0, true),
                        "program: done, 128 KiB in 4.00 s (32 KiB/s, virtual board time)");
    assert_string_equal(cli_progress_format_end(b, sizeof(b), "program", 52429, 131072, 4.0, true),
                        "program: stopped at 40% (51.2 KiB of 128 KiB)");
    assert_string_equal(cli_progress_format_step(b, sizeof(b), "program", 32768, 131072, 1.0),
                        "program: 25% (32 KiB of 128 KiB), 32 KiB/s, ETA 3 s");
    assert_string_equal(cli_progress_format_step(b, sizeof(b), "program", 32768, 131072, 0.0),
                        "program: 25% (32 KiB of 128 KiB)");
}

static void test_duration_and_eta(void **state)
{
    (void)state;
    char b[40];
    assert_string_equal(cli_format_duration(b, sizeof(b), 0.0), "0.00 s");
    assert_string_equal(cli_format_duration(b, sizeof(b), 1.954), "1.95 s");
    assert_string_equal(cli_format_duration(b, sizeof(b), 12.34), "12.3 s");
    assert_string_equal(cli_format_duration(b, sizeof(b), 185.2), "3m05s");
    assert_string_equal(cli_format_duration(b, sizeof(b), -1.0), "0.00 s");
    assert_string_equal(cli_format_eta(b, sizeof(b), 1, 4, 2.0), "ETA 6 s");
    assert_string_equal(cli_format_eta(b, sizeof(b), 99, 100, 2.0), "ETA <1 s");
    assert_string_equal(cli_format_eta(b, sizeof(b), 1, 100, 2.0), "ETA 3m18s");
    /* Nothing to tell: no total, nothing done, all done, no time passed. */
    assert_string_equal(cli_format_eta(b, sizeof(b), 1, 0, 2.0), "");
    assert_string_equal(cli_format_eta(b, sizeof(b), 0, 4, 2.0), "");
    assert_string_equal(cli_format_eta(b, sizeof(b), 4, 4, 2.0), "");
    assert_string_equal(cli_format_eta(b, sizeof(b), 1, 4, 0.0), "");
}

static double fake_time;
static double fake_now(void)
{
    return fake_time;
}

static void emit(cli_progress *p, stp_progress_kind kind, const char *phase, uint64_t done,
                 uint64_t total)
{
    stp_progress ev = {.kind = kind, .phase = phase, .done = done, .total = total};
    cli_progress_event(p, &ev);
}

static void test_lines_mode_sequence(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cli_progress p;
    cli_progress_init(&p, CLI_PROGRESS_LINES, f);
    p.now = fake_now;
    fake_time = 10.0;
    emit(&p, STP_PROGRESS_START, "program", 0, 131072);
    for (uint64_t done = 4096; done <= 131072; done += 4096) {
        fake_time += 0.125; /* 32 KiB per second */
        emit(&p, STP_PROGRESS_ADVANCE, "program", done, 131072);
    }
    emit(&p, STP_PROGRESS_END, "program", 131072, 131072);
    emit(&p, STP_PROGRESS_START, "verify", 0, 0);
    emit(&p, STP_PROGRESS_ADVANCE, "verify", 1024, 0);
    fake_time += 1.0;
    emit(&p, STP_PROGRESS_END, "verify", 2048, 0);
    emit(&p, STP_PROGRESS_START, "erase", 0, 65536);
    emit(&p, STP_PROGRESS_ADVANCE, "erase", 16384, 65536);
    emit(&p, STP_PROGRESS_END, "erase", 16384, 65536);
    fflush(f);
    /* Steps once a phase has run for a second (program reaches 25% at 1.0 s); a quick phase
     * only gets its END line. */
    assert_string_equal(buf, "program: 25% (32 KiB of 128 KiB), 32 KiB/s, ETA 3 s\n"
                             "program: 50% (64 KiB of 128 KiB), 32 KiB/s, ETA 2 s\n"
                             "program: 75% (96 KiB of 128 KiB), 32 KiB/s, ETA 1 s\n"
                             "program: done, 128 KiB in 4.00 s (32 KiB/s)\n"
                             "verify: done, 2 KiB in 1.00 s (2 KiB/s)\n"
                             "erase: stopped at 25% (16 KiB of 64 KiB)\n");
    fclose(f);
    free(buf);
}

static void test_bar_mode_sequence(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cli_progress p;
    cli_progress_init(&p, CLI_PROGRESS_BAR, f);
    p.now = fake_now;
    fake_time = 0.0;
    emit(&p, STP_PROGRESS_START, "erase", 0, 4);
    fake_time = 1.0;
    emit(&p, STP_PROGRESS_ADVANCE, "erase", 2, 4);
    emit(&p, STP_PROGRESS_ADVANCE, "erase", 2, 4); /* same percent, no time passed: no redraw */
    cli_progress_interrupt(&p);                    /* a log line is about to be printed */
    fake_time = 2.0;
    emit(&p, STP_PROGRESS_END, "erase", 4, 4);
    fflush(f);
    char expect[1024];
    snprintf(expect, sizeof(expect),
             "\r%-8s [%30s]   0%%  0 B/4 B  -\033[K"
             "\r%-8s [###############%15s]  50%%  2 B/4 B  2 B/s  ETA 1 s\033[K"
             "\r\033[K"
             "\r%-8s [##############################] 100%%  4 B/4 B  2 B/s\033[K\n",
             "erase", "", "erase", "", "erase");
    assert_string_equal(buf, expect);
    fclose(f);
    free(buf);
}

static void test_bar_fits_narrow_terminal(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cli_progress p;
    cli_progress_init(&p, CLI_PROGRESS_BAR, f);
    p.now = fake_now;
    p.columns = 60;
    fake_time = 0.0;
    emit(&p, STP_PROGRESS_START, "program", 0, 1048576);
    fake_time = 1.0;
    emit(&p, STP_PROGRESS_ADVANCE, "program", 524288, 1048576);
    fflush(f);
    /* Each drawn line is "\r" + text + "\033[K"; the text must stay under 60 columns. */
    const char *last = strrchr(buf, '\r');
    assert_non_null(last);
    size_t text = strlen(last + 1) - strlen("\033[K");
    assert_true(text < 60);
    assert_non_null(strstr(last, " 50%  512 KiB/1 MiB  512 KiB/s  ETA 1 s"));
    assert_non_null(strstr(last, "[#"));
    p.columns = 20; /* too narrow even for a short bar: the line is cut, never wrapped */
    fake_time = 2.0;
    emit(&p, STP_PROGRESS_ADVANCE, "program", 1048575, 1048576);
    fflush(f);
    last = strrchr(buf, '\r');
    assert_int_equal(strlen(last + 1) - strlen("\033[K"), 19);
    fclose(f);
    free(buf);
}

/* Events stamped by stp_progress_emit with the env's clock (the probe's) carry the phase's
 * elapsed time; the printer's rates, ETAs and durations come from it, not from its own
 * clock (here frozen: wall time has nothing to do with a virtual board's time). */
static uint64_t fake_clock_ns;
static uint64_t fake_clock_now(void *user)
{
    (void)user;
    return fake_clock_ns;
}

static void to_printer(void *user, const stp_progress *ev)
{
    cli_progress_event(user, ev);
}

static void test_timed_events_use_event_clock(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cli_progress p;
    cli_progress_init(&p, CLI_PROGRESS_LINES, f);
    p.now = fake_now;
    fake_time = 100.0; /* never moves */
    stp_clock clock = {.now_ns = fake_clock_now, .is_virtual = true};
    stp_env env = {.progress = to_printer, .user = &p, .clock = &clock};
    fake_clock_ns = 5000000000ull;
    stp_progress_emit(&env, STP_PROGRESS_START, "program", 0, 131072);
    for (uint64_t done = 4096; done <= 131072; done += 4096) {
        fake_clock_ns += 125000000u; /* 32 KiB per second */
        stp_progress_emit(&env, STP_PROGRESS_ADVANCE, "program", done, 131072);
    }
    stp_progress_emit(&env, STP_PROGRESS_END, "program", 131072, 131072);
    /* A phase without START starts at its first event. */
    fake_clock_ns += 7000000000ull;
    stp_progress_emit(&env, STP_PROGRESS_ADVANCE, "verify", 1024, 2048);
    fake_clock_ns += 500000000u;
    stp_progress_emit(&env, STP_PROGRESS_END, "verify", 2048, 2048);
    fflush(f);
    assert_string_equal(buf, "program: 25% (32 KiB of 128 KiB), 32 KiB/s, ETA 3 s\n"
                             "program: 50% (64 KiB of 128 KiB), 32 KiB/s, ETA 2 s\n"
                             "program: 75% (96 KiB of 128 KiB), 32 KiB/s, ETA 1 s\n"
                             "program: done, 128 KiB in 4.00 s (32 KiB/s, virtual board time)\n"
                             "verify: done, 2 KiB in 0.50 s (4 KiB/s, virtual board time)\n");
    fclose(f);
    free(buf);
}

/* What stp_progress_emit puts into the events. */
static stp_progress seen[8];
static size_t nseen;
static void catch_event(void *user, const stp_progress *ev)
{
    (void)user;
    if (nseen < 8)
        seen[nseen++] = *ev;
}

static void test_emit_stamps_elapsed(void **state)
{
    (void)state;
    nseen = 0;
    stp_env env = {.progress = catch_event};
    stp_progress_emit(&env, STP_PROGRESS_START, "erase", 0, 4);
    assert_false(seen[0].timed); /* no clock: no time */
    stp_clock clock = {.now_ns = fake_clock_now};
    env.clock = &clock;
    nseen = 0;
    fake_clock_ns = 1000;
    stp_progress_emit(&env, STP_PROGRESS_START, "erase", 0, 4);
    fake_clock_ns = 3000;
    stp_progress_emit(&env, STP_PROGRESS_ADVANCE, "erase", 1, 4);
    fake_clock_ns = 4000; /* an inner step of another name counts in the running phase */
    stp_progress_emit(&env, STP_PROGRESS_ADVANCE, "program", 1, 4);
    fake_clock_ns = 9000;
    stp_progress_emit(&env, STP_PROGRESS_END, "erase", 4, 4);
    fake_clock_ns = 10000;
    stp_progress_emit(&env, STP_PROGRESS_START, "verify", 0, 4);
    assert_int_equal(nseen, 5);
    assert_true(seen[0].timed);
    assert_false(seen[0].virtual_time);
    assert_int_equal(seen[0].elapsed_ns, 0);
    assert_int_equal(seen[0].clock_ns, 1000);
    assert_int_equal(seen[1].elapsed_ns, 2000);
    assert_int_equal(seen[2].elapsed_ns, 3000);
    assert_int_equal(seen[3].elapsed_ns, 8000);
    assert_int_equal(seen[4].elapsed_ns, 0);
    assert_int_equal(seen[4].clock_ns, 10000);
}

static void test_off_mode_prints_nothing(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cli_progress p;
    cli_progress_init(&p, CLI_PROGRESS_OFF, f);
    emit(&p, STP_PROGRESS_START, "program", 0, 100);
    emit(&p, STP_PROGRESS_ADVANCE, "program", 50, 100);
    emit(&p, STP_PROGRESS_END, "program", 100, 100);
    cli_progress_finish(&p);
    fflush(f);
    assert_int_equal(len, 0);
    fclose(f);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bytes),
        cmocka_unit_test(test_rate),
        cmocka_unit_test(test_line_and_percent),
        cmocka_unit_test(test_bar_and_end),
        cmocka_unit_test(test_duration_and_eta),
        cmocka_unit_test(test_lines_mode_sequence),
        cmocka_unit_test(test_bar_mode_sequence),
        cmocka_unit_test(test_bar_fits_narrow_terminal),
        cmocka_unit_test(test_timed_events_use_event_clock),
        cmocka_unit_test(test_emit_stamps_elapsed),
        cmocka_unit_test(test_off_mode_prints_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
