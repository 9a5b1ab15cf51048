/* stprog option-bytes [show | set KEY=VALUE...]: read/decode and change the option bytes. */
#include <string.h>

#include "cli/cli_target.h"

static const cli_option ob_options[] = {
    {"unlock", 0, NULL, "allow read protection 1 -> 0 (the chip erases its whole flash)"},
    {"permanent-lock-i-understand", 0, NULL, "allow read protection level 2 (irreversible)"},
    {0},
};

static void show(cli_ctx *ctx, stp_target *t, const stp_option_bytes *ob)
{
    stp_option_field fields[32];
    size_t n = stp_target_option_fields(t, ob, fields, 32);
    if (ctx->g.json) {
        cli_json *j = &ctx->json;
        cli_json_key(j, "option_bytes");
        cli_json_object_begin(j);
        cli_json_kv_i64(j, "rdp_level", ob->rdp_level);
        cli_json_kv_u64(j, "rdp_raw", ob->rdp_raw);
        cli_json_key(j, "wrp");
        cli_json_array_begin(j);
        for (uint32_t i = 0; i < ob->wrp_bits; i++)
            if (stp_option_bytes_wrp(ob, i))
                cli_json_u64(j, i);
        cli_json_array_end(j);
        cli_json_kv_u64(j, "wrp_units", ob->wrp_bits);
        cli_json_key(j, "fields");
        cli_json_object_begin(j);
        for (size_t i = 0; i < n; i++)
            cli_json_kv_string(j, fields[i].key, fields[i].value);
        cli_json_object_end(j);
        cli_json_key(j, "raw");
        cli_json_array_begin(j);
        for (size_t i = 0; i < ob->raw_count; i++)
            cli_json_u64(j, ob->raw[i]);
        cli_json_array_end(j);
        cli_json_object_end(j);
        return;
    }
    for (size_t i = 0; i < n; i++)
        cli_printf(ctx, "%-12s %-10s %s\n", fields[i].key, fields[i].value, fields[i].meaning);
}

/* set rdp=0 rdp=1: which one? A key assigned twice (=) with different values is refused, as
 * an option given twice is; wrp+= and wrp-= are steps and may repeat. */
static stp_status check_repeats(cli_ctx *ctx)
{
    for (int i = 1; i < ctx->args.argc; i++) {
        const char *a = ctx->args.argv[i], *eq = strchr(a, '=');
        if (eq == NULL || eq == a || eq[-1] == '+' || eq[-1] == '-')
            continue;
        for (int k = 1; k < i; k++) {
            const char *b = ctx->args.argv[k];
            size_t n = (size_t)(eq - a);
            if (strncmp(a, b, n) == 0 && b[n] == '=' && strcmp(a + n, b + n) != 0)
                return cli_usage_error(ctx, "%.*s given twice ('%s' and '%s'): give it once",
                                       (int)n, a, b, a);
        }
    }
    return STP_OK;
}

static stp_status run(cli_ctx *ctx)
{
    const char *verb = ctx->args.argc > 0 ? ctx->args.argv[0] : "show";
    bool set = strcmp(verb, "set") == 0;
    if (!set && strcmp(verb, "show") != 0)
        return cli_usage_error(ctx, "option-bytes takes 'show' or 'set KEY=VALUE...' (got '%s')",
                               verb);
    if (set && ctx->args.argc < 2)
        return cli_usage_error(ctx, "option-bytes set needs at least one KEY=VALUE");
    if (!set && ctx->args.argc > 1)
        return cli_usage_error(ctx, "option-bytes show takes no arguments");
    if (set && check_repeats(ctx) != STP_OK)
        return STP_ERR_INVALID_ARG;
    if (!set && (cli_flag(ctx, "unlock") || cli_flag(ctx, "permanent-lock-i-understand")))
        return cli_usage_error(ctx, "--%s only applies to 'option-bytes set'",
                               cli_flag(ctx, "unlock") ? "unlock" : "permanent-lock-i-understand");
    cli_session s;
    stp_status st = cli_session_open(ctx, 0, &s);
    if (st != STP_OK)
        return st;
    if (set) {
        stp_option_set_flags flags = {
            .unlock = cli_flag(ctx, "unlock"),
            .permanent = cli_flag(ctx, "permanent-lock-i-understand"),
        };
        st = stp_target_set_options(s.target, (const char *const *)ctx->args.argv + 1,
                                    (size_t)ctx->args.argc - 1, &flags, &ctx->findings);
    }
    stp_option_bytes ob;
    if (st == STP_OK)
        st = stp_target_read_options(s.target, &ob, &ctx->findings);
    if (st == STP_OK)
        show(ctx, s.target, &ob);
    if (st == STP_OK && set && !ctx->g.json)
        cli_printf(ctx, "option bytes written and read back\n");
    cli_session_close(&s);
    return st;
}

const cli_command cli_cmd_option_bytes = {
    .name = "option-bytes",
    .summary = "show or change the option bytes (read/write protection, user bits)",
    .usage = "[show | set KEY=VALUE... [--unlock]]",
    .description =
        "show decodes the option bytes: rdp (read protection level), wrp (write-protected "
        "sectors as a bit mask), bor and the family's user bits. set changes them with the "
        "family's sequence and reads them back: rdp=0|1|2, wrp=MASK|none|all, wrp+=N, wrp-=N, "
        "bor=N and the user bits by name. Going from read protection 1 to 0 erases the whole "
        "flash and needs --unlock. Level 2 is permanent and needs "
        "--permanent-lock-i-understand.",
    .options = ob_options,
    .min_args = 0,
    .max_args = -1,
    .run = run,
};
