/* stprog doctor [--flash-test [--yes]]: ordered checks of probe, wiring, power, chip,
 * protection and flash; a report for people (what was checked, what was measured) with the
 * findings (what is wrong, what to do) after it, or the same as JSON. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "stprog/doctor.h"

static const cli_option doctor_options[] = {
    {"flash-test", 0, NULL, "also erase, program and time every sector (destroys the flash)"},
    {"yes", 'y', NULL, "do not ask before --flash-test"},
    {"watch", 0, "SECONDS", "let the firmware run this long while counting resets (default 2.5)"},
    {"no-load-test", 0, NULL, "do not load the supply (by erasing flash sectors proven blank)"},
    {0},
};

static const char *mark(stp_check_result r)
{
    switch (r) {
    case STP_CHECK_PASS:
        return " ok ";
    case STP_CHECK_INFO:
        return "info";
    case STP_CHECK_WARN:
        return "warn";
    case STP_CHECK_FAIL:
        return "FAIL";
    default:
        return "skip";
    }
}

static size_t count_sev(const stp_findings *fs, stp_severity sev)
{
    size_t n = 0;
    for (size_t i = 0; i < fs->count; i++)
        n += fs->items[i].severity == sev;
    return n;
}

static void print_report(cli_ctx *ctx, const stp_doctor_report *rep, const char *spec)
{
    cli_printf(ctx, "stprog doctor: %s\n", spec);
    for (size_t i = 0; i < rep->count; i++) {
        const stp_doctor_check *c = &rep->checks[i];
        cli_printf(ctx, "[%s] %s\n       %s\n", mark(c->result), c->title, c->measured);
    }
    size_t errors = count_sev(&ctx->findings, STP_SEV_ERROR);
    size_t warnings = count_sev(&ctx->findings, STP_SEV_WARNING);
    if (errors == 0 && warnings == 0)
        cli_printf(ctx, "result: all clear, no problem found (%.2f s%s)\n",
                   rep->virtual_ms / 1000.0, rep->virtual_clock ? ", virtual board time" : "");
    else
        cli_printf(ctx,
                   "result: %zu problem(s), %zu warning(s)%s%s%s; what is wrong and what "
                   "to do follows\n",
                   errors, warnings, rep->blocked_at[0] ? "; stopped at '" : "", rep->blocked_at,
                   rep->blocked_at[0] ? "'" : "");
}

static void json_report(cli_ctx *ctx, const stp_doctor_report *rep)
{
    cli_json *j = &ctx->json;
    cli_json_key(j, "checks");
    cli_json_array_begin(j);
    for (size_t i = 0; i < rep->count; i++) {
        const stp_doctor_check *c = &rep->checks[i];
        cli_json_object_begin(j);
        cli_json_kv_string(j, "name", c->name);
        cli_json_kv_string(j, "title", c->title);
        cli_json_kv_string(j, "result", stp_check_result_name(c->result));
        cli_json_kv_string(j, "measured", c->measured);
        cli_json_object_end(j);
    }
    cli_json_array_end(j);
    cli_json_kv_string(j, "blocked_at", rep->blocked_at[0] ? rep->blocked_at : NULL);
    cli_json_kv_string(j, "chip", rep->chip[0] ? rep->chip : NULL);
    if (rep->voltage >= 0)
        cli_json_kv_double(j, "target_voltage", rep->voltage);
    else
        cli_json_kv_string(j, "target_voltage", NULL);
    cli_json_kv_u64(j, "requested_khz", rep->requested_khz);
    cli_json_kv_u64(j, "clean_khz", rep->clean_khz);
    cli_json_kv_u64(j, "virtual_ms", rep->virtual_ms); /* kept for scripts; = elapsed */
    cli_json_kv_double(j, "elapsed_seconds", rep->virtual_ms / 1000.0);
    cli_json_kv_string(j, "clock", rep->virtual_clock ? "virtual-board" : "probe");
    cli_json_kv_bool(j, "all_clear",
                     count_sev(&ctx->findings, STP_SEV_ERROR) == 0 &&
                         count_sev(&ctx->findings, STP_SEV_WARNING) == 0);
}

#define WATCH_MAX_S 3600.0

/* --watch SECONDS: decimal seconds ("30", "2.5"), 0.01 to an hour. */
static stp_status parse_watch(cli_ctx *ctx, uint32_t *ms)
{
    const char *text = cli_opt(ctx, "watch");
    if (text == NULL)
        return STP_OK;
    char *end = NULL;
    errno = 0;
    double s = strtod(text, &end);
    if (end == text || *end != '\0' || errno != 0 || !isfinite(s) || s < 0.01 || s > WATCH_MAX_S)
        return cli_usage_error(ctx, "--watch %s: expected seconds from 0.01 to %.0f", text,
                               WATCH_MAX_S);
    *ms = (uint32_t)(s * 1000.0 + 0.5);
    return STP_OK;
}

static stp_status run(cli_ctx *ctx)
{
    stp_doctor_options opt = {.freq_khz = ctx->g.freq_khz,
                              .flash_test = cli_flag(ctx, "flash-test"),
                              .no_load_test = cli_flag(ctx, "no-load-test")};
    stp_status pst = parse_watch(ctx, &opt.watch_ms);
    if (pst != STP_OK)
        return pst;
    if (opt.flash_test && !cli_flag(ctx, "yes")) {
        if (!ctx->interactive || ctx->g.json)
            return cli_usage_error(ctx, "--flash-test erases the whole flash: add --yes "
                                        "(no terminal to ask on)");
        if (!cli_confirm(ctx, "--flash-test erases and reprograms every sector: the flash "
                              "contents are lost. Continue?"))
            return STP_ERR_CANCELLED;
    }
    const char *spec = ctx->g.probe != NULL ? ctx->g.probe : "stlink";
    stp_doctor_report *rep = calloc(1, sizeof(*rep));
    if (rep == NULL)
        return STP_ERR_NOMEM;
    stp_status st = stp_doctor(spec, &opt, &ctx->env, rep, &ctx->findings);
    if (ctx->g.json)
        json_report(ctx, rep);
    else
        print_report(ctx, rep, spec);
    free(rep);
    return st;
}

const cli_command cli_cmd_doctor = {
    .name = "doctor",
    .summary = "diagnose probe, wiring, power, chip, protection and flash",
    .usage = "[--watch SECONDS] [--no-load-test] [--flash-test [--yes]]",
    .description =
        "Runs ordered, non-destructive checks and stops at the first blocking problem: the "
        "probe and its firmware; the target voltage against the chip's range; connecting at "
        "--freq (or the probe's default) and lower clocks, with a repeated-read stability test "
        "per clock; connecting under reset when the normal connect gets no answer; the DP "
        "IDCODE, DBGMCU ID and revision and the flash-size register; resets that happen by "
        "themselves while the firmware runs (started from a reset, it runs for 2.5 s or "
        "--watch SECONDS with reset vector catch: each reset is counted and timed, and its "
        "reset flags name the cause: brown-out, watchdog, software, low-power, pin; the flags "
        "found at connect are evidence too); "
        "whether NRST is wired; read and write protection; an SRAM write/read-back of a long "
        "transfer (saved and restored); whether the flash reads, with a sampled blank-check "
        "summary; the supply under the load programming puts on it, without changing a byte: "
        "sectors the on-target CRC proves blank are erased (about 1.5 s of erase current, one "
        "erase cycle of each such sector) while it watches for a brown-out (--no-load-test "
        "skips it; with no blank sector a warning says the supply was not tested). Each line says "
        "what was checked and what was measured; the findings after "
        "the report say what is wrong and what to do. A healthy board gives no warning.\n"
        "--flash-test also erases, programs, reads back and erases again every sector, timing "
        "each erase against the datasheet, to find worn sectors. It destroys the flash "
        "contents: it asks first, and needs --yes when there is no terminal to ask on.\n"
        "Exit status 0 when no error was found.",
    .options = doctor_options,
    .min_args = 0,
    .max_args = 0,
    .run = run,
};
