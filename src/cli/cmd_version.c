/* stprog version: the program's version. Also what `stprog --version` runs. */
#include "cli/cli.h"

#ifndef STP_VERSION
#define STP_VERSION "unknown"
#endif

static stp_status run(cli_ctx *ctx)
{
    if (ctx->g.json)
        cli_json_kv_string(&ctx->json, "version", STP_VERSION);
    cli_printf(ctx, CLI_PROGRAM " %s\n", STP_VERSION);
    return STP_OK;
}

const cli_command cli_cmd_version = {
    .name = "version",
    .summary = "show the version of stprog",
    .usage = "",
    .description = NULL,
    .options = NULL,
    .min_args = 0,
    .max_args = 0,
    .run = run,
};
