/* stprog go ADDR: start the program whose vector table is at ADDR (the ROM bootloader's Go
 * command over uart:, or MSP/PC loaded and run over SWD). */
#include "cli/cli_target.h"

static stp_status run(cli_ctx *ctx)
{
    uint32_t addr = 0;
    stp_status st = cli_arg_u32(ctx, 0, "ADDR", CLI_NUM_PLAIN, &addr);
    if (st != STP_OK)
        return st;
    if (addr % 4 != 0) /* a vector table: its stack pointer and reset vector are words */
        return cli_usage_error(ctx,
                               "ADDR 0x%08X is not the address of a vector table (those are "
                               "word-aligned; the start of the image, usually 0x08000000)",
                               (unsigned)addr);
    cli_session s;
    st = cli_session_open(ctx, 0, &s);
    if (st != STP_OK)
        return st;
    st = stp_target_go(s.target, addr, &ctx->findings);
    if (ctx->g.json)
        cli_json_kv_u64(&ctx->json, "address", addr);
    else if (st == STP_OK)
        cli_printf(ctx, "started the program at 0x%08X\n", (unsigned)addr);
    cli_session_close(&s);
    return st;
}

const cli_command cli_cmd_go = {
    .name = "go",
    .summary = "start the program at an address",
    .usage = "ADDR",
    .description = "Starts the program whose vector table is at ADDR (usually 0x08000000): "
                   "its stack pointer and reset handler are taken from the table. Over the ROM "
                   "bootloader (--probe uart:...) this is the bootloader's Go command, after "
                   "which the bootloader no longer answers until the chip is reset with BOOT0 "
                   "high; the Go is noted in the state directory ($XDG_STATE_HOME/stprog), so "
                   "that the next command on the port says so (bootloader.left).",
    .options = NULL,
    .min_args = 1,
    .max_args = 1,
    .run = run,
};
