/* stprog verify FILE: compare the chip's memory with a firmware file. */
#include "cli/cli_target.h"

static const cli_option verify_options[] = {
    {"addr", 'a', "ADDR", "load address of a raw binary (default 0x08000000; or FILE ADDR)"},
    {0},
};

static stp_status run(cli_ctx *ctx)
{
    stp_image *img = NULL;
    stp_status st = cli_load_image(ctx, ctx->args.argv[0], &img);
    if (st != STP_OK)
        return st;
    cli_session s;
    st = cli_session_open(ctx, 0, &s);
    if (st != STP_OK) {
        stp_image_destroy(img);
        return st;
    }
    stp_verify_result r = {0};
    st = stp_verify(s.target, img, &ctx->env, &r, &ctx->findings);
    cli_took took = cli_session_took(&s);
    char tk[64];
    cli_format_took(&took, tk, sizeof(tk));
    if (ctx->g.json) {
        cli_json_kv_string(&ctx->json, "file", ctx->args.argv[0]);
        cli_json_kv_bool(&ctx->json, "match", st == STP_OK && r.match);
        cli_json_kv_u64(&ctx->json, "compared", r.compared);
        cli_json_kv_u64(&ctx->json, "mismatches", r.mismatches);
        if (r.mismatches != 0)
            cli_json_kv_u64(&ctx->json, "first_mismatch", r.first_address);
        cli_json_took(ctx, &took);
    } else if (st == STP_OK) {
        cli_printf(ctx, "verified: %llu bytes of %s match, %s\n", (unsigned long long)r.compared,
                   ctx->args.argv[0], tk);
    } else if (r.mismatches != 0) {
        cli_printf(ctx, "mismatch: %llu of %llu bytes differ, first at 0x%08X\n",
                   (unsigned long long)r.mismatches, (unsigned long long)r.compared,
                   (unsigned)r.first_address);
    }
    cli_session_close(&s);
    stp_image_destroy(img);
    return st;
}

const cli_command cli_cmd_verify = {
    .name = "verify",
    .summary = "compare the chip's memory with a firmware file",
    .usage = "FILE [ADDR | --addr ADDR]",
    .description = "Reads back every byte the file holds and compares. A mismatch names the "
                   "first differing address and how many bytes differ (exit code 5). A raw binary "
                   "is compared at --addr (default 0x08000000) or at the second argument "
                   "(verify fw.bin 0x08004000).",
    .options = verify_options,
    .min_args = 1,
    .max_args = 2,
    .run = run,
};
