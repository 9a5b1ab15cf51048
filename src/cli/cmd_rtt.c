/* stprog rtt: attach to the running firmware (no reset, no write) and print its RTT
 * up-channel; stdin goes to down-channel 0; semihosting calls are served too. */
#include "cli/cli_target.h"
#include "cli/run_io.h"

static const cli_option rtt_options[] = {
    {"elf", 'e', "FILE", "the running firmware's ELF: its _SEGGER_RTT is the control block"},
    {"catch-faults", 0, NULL, "halt on HardFault and report it (changes what the firmware does)"},
    CLI_RUN_COMMON_OPTIONS,
    CLI_RUN_SWO_OPTIONS,
    {0},
};

static stp_status run(cli_ctx *ctx)
{
    stp_run_options o = {.reset = false, .catch_faults = cli_flag(ctx, "catch-faults")};
    stp_status st = cli_run_parse_options(ctx, &o);
    if (st != STP_OK)
        return st;
    if (cli_flag(ctx, "no-rtt") && !o.semihosting)
        return cli_usage_error(ctx, "--no-rtt with --no-semihosting leaves nothing to do");
    return cli_run_attach(ctx, &o);
}

const cli_command cli_cmd_rtt = {
    .name = "rtt",
    .summary = "attach to running firmware and print its RTT output",
    .usage = "[--elf FILE] [--timeout SECONDS] [OPTIONS]",
    .description =
        "Attaches to the target without reset or write (connect hot-plug unless --connect "
        "says otherwise) and prints RTT up-channel 0 (--rtt-channel N) on stdout until "
        "Ctrl-C, --timeout, or the firmware exits through semihosting; stdin goes to "
        "down-channel 0. The control block is --elf FILE's _SEGGER_RTT symbol, --rtt-address, "
        "or found by scanning SRAM for its ID. Exit codes as for `run` (docs/run.md).",
    .options = rtt_options,
    .min_args = 0,
    .max_args = 0,
    .run = run,
};
