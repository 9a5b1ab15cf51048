/* stprog reset: reset the chip and let it run (--reset hw|sw|core picks how). */
#include "cli/cli_target.h"

#include <string.h>

static const cli_option reset_options[] = {
    {"halt", 0, NULL, "stop at the first instruction instead of running"},
    {0},
};

static const char *mode_name(stp_reset_mode m)
{
    return m == STP_RESET_SW ? "sw" : m == STP_RESET_CORE ? "core" : "hw";
}

static stp_status run(cli_ctx *ctx)
{
    cli_session s;
    stp_status st = cli_session_open(ctx, 0, &s);
    if (st != STP_OK)
        return st;
    stp_reset_mode mode = cli_reset_mode_of(ctx);
    bool halt = cli_flag(ctx, "halt");
    size_t before = ctx->findings.count;
    st = stp_target_reset(s.target, mode, halt, &ctx->findings);
    /* A NRST pulse without effect was followed by a software reset (reset.nrst-no-effect):
     * say which reset happened, not the one asked for. */
    bool nrst_failed = false;
    for (size_t i = before; i < ctx->findings.count; i++)
        nrst_failed = nrst_failed || strcmp(ctx->findings.items[i].id, "reset.nrst-no-effect") == 0;
    stp_reset_mode done = nrst_failed ? STP_RESET_SW : mode;
    if (ctx->g.json) {
        cli_json_kv_string(&ctx->json, "mode", mode_name(done));
        cli_json_kv_string(&ctx->json, "requested_mode", mode_name(mode));
        cli_json_kv_bool(&ctx->json, "halted", st == STP_OK && halt);
    } else if (st == STP_OK) {
        cli_printf(ctx, "reset (%s)%s%s\n", mode_name(done),
                   nrst_failed ? ": NRST had no effect, no hardware reset was done" : "",
                   halt ? ", halted at the reset vector" : ", running");
    }
    cli_session_close(&s);
    return st;
}

const cli_command cli_cmd_reset = {
    .name = "reset",
    .summary = "reset the chip",
    .usage = "[--halt]",
    .description = "Resets the chip through NRST (default, or --reset hw), AIRCR.SYSRESETREQ "
                   "(--reset sw) or the core only (--reset core) and lets it run; --halt "
                   "stops it at the first instruction. A NRST pulse that does not reset the "
                   "chip is reported (finding reset.nrst-no-effect) and a software reset used "
                   "instead.",
    .options = reset_options,
    .min_args = 0,
    .max_args = 0,
    .run = run,
};
