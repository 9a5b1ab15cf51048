/* stprog run FILE: write (unchanged sectors skipped), reset, then serve the firmware's
 * semihosting calls and print its RTT output until it exits; the exit code is the
 * firmware's status (docs/run.md). */
#include "cli/cli_target.h"
#include "cli/run_io.h"

static const cli_option run_options[] = {
    {"addr", 'a', "ADDR", "load address of a raw binary (default 0x08000000)"},
    {"no-verify", 0, NULL, "skip the read-back after writing"},
    {"force", 0, NULL, "erase and program touched sectors even when they hold the image"},
    {"no-loader", 0, NULL, "program by direct register writes, without the SRAM flash loader"},
    CLI_RUN_COMMON_OPTIONS,
    CLI_RUN_SWO_OPTIONS,
    {0},
};

static stp_status write_image(cli_ctx *ctx, cli_session *s, const stp_image *img, const char *path)
{
    stp_program_options popt = {
        .verify = !cli_flag(ctx, "no-verify"),
        .force = cli_flag(ctx, "force"),
        .no_loader = cli_flag(ctx, "no-loader"),
    };
    stp_plan *plan = NULL;
    stp_verify_result vr = {0};
    stp_status st = stp_program(s->target, img, &popt, &ctx->env, &plan, &vr, &ctx->findings);
    if (ctx->g.json) {
        if (plan != NULL)
            cli_json_plan(ctx, plan);
        cli_json_kv_bool(&ctx->json, "programmed", st == STP_OK);
    } else if (st == STP_OK) {
        char size[32];
        cli_format_size(stp_image_total_bytes(img), size, sizeof(size));
        if (plan != NULL && plan->program_count == 0)
            cli_note(ctx, CLI_PROGRAM ": the flash already holds %s\n", path);
        else
            cli_note(ctx, CLI_PROGRAM ": wrote %s from %s%s\n", size, path,
                     popt.verify ? ", verified" : "");
    }
    stp_plan_free(plan);
    return st;
}

static stp_status run(cli_ctx *ctx)
{
    const char *path = ctx->args.argv[0];
    stp_run_options o = {.reset = true, .reset_mode = cli_reset_mode_of(ctx), .catch_faults = true};
    stp_status st = cli_run_parse_options(ctx, &o);
    if (st != STP_OK)
        return st;
    stp_image *img = NULL;
    st = cli_load_image(ctx, path, &img);
    if (st != STP_OK)
        return st;
    cli_run_rtt_from_elf(ctx, path, &o);
    if (ctx->g.json)
        cli_json_kv_string(&ctx->json, "file", path);
    cli_session s;
    st = cli_session_open(ctx, 0, &s);
    if (st != STP_OK) {
        stp_image_destroy(img);
        return st;
    }
    st = write_image(ctx, &s, img, path);
    stp_image_destroy(img);
    if (st != STP_OK) {
        cli_session_close(&s);
        return st;
    }
    st = cli_run_serve(ctx, s.target, &o);
    cli_session_close(&s);
    return st;
}

const cli_command cli_cmd_run = {
    .name = "run",
    .summary = "write, reset and run firmware; print its output; exit with its status",
    .usage = "FILE [--timeout SECONDS] [--rtt-address ADDR] [OPTIONS]",
    .description =
        "Writes FILE like `write` (unchanged sectors skipped), resets the chip and runs the "
        "firmware: its semihosting output (BKPT 0xAB: SYS_WRITE0, SYS_WRITE, ...) and its RTT "
        "up-channel 0 go to stdout (semihosting writes to stderr to stderr), stdin goes to RTT "
        "down-channel 0 or to semihosting reads. The run ends when the firmware exits "
        "(SYS_EXIT, SYS_EXIT_EXTENDED; newlib's exit(n) with rdimon), crashes, or --timeout "
        "passes. Exit code: the firmware's status (0-255); 139 when it crashed (HardFault with "
        "registers and CFSR decoded, lockup, a stray BKPT, a reset by itself); 124 after "
        "--timeout; 130 on Ctrl-C; 1-5 as for every command when stprog itself failed "
        "(writing, no probe). The RTT control block is the ELF's _SEGGER_RTT, --rtt-address, "
        "or found by scanning SRAM. See docs/run.md.",
    .options = run_options,
    .min_args = 1,
    .max_args = 1,
    .run = run,
};
