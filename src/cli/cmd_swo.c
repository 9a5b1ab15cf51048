/* stprog swo: capture SWO and print the ITM stimulus ports, attached to the running
 * firmware (or, with --reset, from a reset), as `rtt` does for RTT. */
#include "cli/cli_target.h"
#include "cli/run_io.h"

static const cli_option swo_options[] = {
    {"restart", 0, NULL, "reset the chip (--reset says how) and capture from its start"},
    {"rtt", 0, NULL, "also print RTT (the control block found as `rtt` finds it)"},
    {"elf", 'e', "FILE", "the firmware's ELF (its _SEGGER_RTT, with --rtt)"},
    CLI_RUN_COMMON_OPTIONS,
    CLI_RUN_SWO_OPTIONS,
    {0},
};

static stp_status run(cli_ctx *ctx)
{
    stp_run_options o = {
        .swo = true, .reset = cli_flag(ctx, "restart"), .reset_mode = cli_reset_mode_of(ctx)};
    stp_status st = cli_run_parse_options(ctx, &o);
    if (st != STP_OK)
        return st;
    o.rtt = cli_flag(ctx, "rtt") || cli_opt(ctx, "rtt-address") != NULL;
    return cli_run_attach(ctx, &o);
}

const cli_command cli_cmd_swo = {
    .name = "swo",
    .summary = "capture SWO and print the firmware's ITM output",
    .usage = "[--swo-baud HZ] [--swo-clock HZ] [--itm-ports MASK] [OPTIONS]",
    .description =
        "Sets up the trace path from the host (DEMCR.TRCENA, DBGMCU_CR.TRACE_IOEN, the TPIU "
        "in NRZ mode at the core clock divided to --swo-baud with its formatter off, the ITM "
        "with the ports of --itm-ports), starts the ST-Link's SWO capture at the same rate "
        "and prints the payload of those stimulus ports on stdout, attached to the running "
        "firmware (hot-plug) until Ctrl-C or --timeout; --restart resets the chip first. "
        "--swo-clock must be the clock the core runs at (after the firmware's own clock "
        "set-up). Semihosting calls are served meanwhile; --rtt prints RTT too. Exit codes "
        "as for `rtt` (docs/run.md).",
    .options = swo_options,
    .min_args = 0,
    .max_args = 0,
    .run = run,
};
