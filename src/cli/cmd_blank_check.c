/* stprog blank-check: is the whole flash erased? */
#include "cli/cli_target.h"

static stp_status run(cli_ctx *ctx)
{
    cli_session s;
    stp_status st = cli_session_open(ctx, 0, &s);
    if (st != STP_OK)
        return st;
    stp_blank_result r = {0};
    st = stp_blank_check(s.target, &ctx->env, &r, &ctx->findings);
    if (st == STP_OK && !r.blank) {
        stp_finding *f = stp_finding_add(&ctx->findings, "flash.not-blank", STP_SEV_ERROR,
                                         "the flash is not blank: %llu byte(s) differ from "
                                         "0x%02X, the first at 0x%08X",
                                         (unsigned long long)r.non_blank, (unsigned)r.erased_value,
                                         (unsigned)r.first_non_blank);
        stp_finding_evidence(f, "first_address", "0x%08X", (unsigned)r.first_non_blank);
        stp_finding_evidence(f, "non_blank_bytes", "%llu", (unsigned long long)r.non_blank);
        st = STP_ERR_VERIFY;
    }
    if (ctx->g.json) {
        cli_json_kv_bool(&ctx->json, "blank", r.blank);
        cli_json_kv_u64(&ctx->json, "checked", r.checked);
        cli_json_kv_u64(&ctx->json, "non_blank", r.non_blank);
        if (!r.blank && r.non_blank)
            cli_json_kv_u64(&ctx->json, "first_non_blank", r.first_non_blank);
    } else if (st == STP_OK) {
        cli_printf(ctx, "blank: all %llu bytes are 0x%02X\n", (unsigned long long)r.checked,
                   (unsigned)r.erased_value);
    }
    cli_session_close(&s);
    return st;
}

const cli_command cli_cmd_blank_check = {
    .name = "blank-check",
    .summary = "check that the whole flash is erased",
    .usage = "",
    .description = "Reads the whole flash and checks every byte holds the erased value (0xFF; "
                   "0x00 on STM32L1). Not blank is exit code 5 with the first non-blank "
                   "address and the count (finding flash.not-blank).",
    .options = NULL,
    .min_args = 0,
    .max_args = 0,
    .run = run,
};
