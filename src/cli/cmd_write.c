/* stprog write FILE: plan (which sectors to erase, program, skip; which bytes to keep),
 * erase, program, verify, optionally reset. --dry-run prints the plan and touches nothing. */
#include "cli/cli_target.h"

static const cli_option write_options[] = {
    {"addr", 'a', "ADDR", "load address of a raw binary (default 0x08000000; or FILE ADDR)"},
    {"verify", 0, NULL, "read back every touched sector afterwards (the default)"},
    {"no-verify", 0, NULL, "skip the read-back"},
    {"reset", 0, NULL, "reset the chip afterwards so the new firmware runs"},
    {"dry-run", 'n', NULL, "print the plan and touch nothing"},
    {"psize", 0, "N", "force the program width 8, 16 or 32 (F2/F4/F7; 64 needs VPP)"},
    {"force", 0, NULL, "erase and program touched sectors even when they hold the image"},
    {"no-loader", 0, NULL, "program by direct register writes, without the SRAM flash loader"},
    {0},
};

/* --dry-run: the modelled time of the plan (stp_plan_estimate_time states the model). */
static bool modelled(cli_session *s, const stp_program_options *opt, const stp_plan *plan,
                     stp_plan_estimate *est, stp_plan_cost_model *m)
{
    if (plan == NULL ||
        stp_plan_cost_model_for(s->target, !opt->no_loader, opt->verify, m) != STP_OK)
        return false;
    stp_plan_estimate_time(plan, m, est);
    return true;
}

static void print_modelled(cli_ctx *ctx, const stp_plan_estimate *e, const stp_plan_cost_model *m)
{
    if (!e->link_modelled) {
        cli_printf(ctx,
                   "modelled time: %.2f s of flash time (erase %.2f s, program %.2f s; the "
                   "link's time is not modelled for this probe)\n",
                   e->total_s, e->erase_s, e->program_s);
        return;
    }
    cli_printf(
        ctx,
        "modelled time: %.2f s (set-up and commands %.2f s, erase %.2f s, program %.2f s, transfer "
        "%.2f s%s, verify %.2f s; %s at %u kHz, %s)\n",
        e->total_s, e->overhead_s, e->erase_s, e->program_s, e->transfer_s,
        m->loader ? " overlapped with programming" : "", e->verify_s, m->link.name, m->swd_khz,
        m->loader ? "SRAM loader" : "direct register writes");
}

static void json_modelled(cli_ctx *ctx, const stp_plan_estimate *e, const stp_plan_cost_model *m)
{
    cli_json *j = &ctx->json;
    cli_json_kv_double(j, "modelled_seconds", e->total_s);
    cli_json_key(j, "modelled");
    cli_json_object_begin(j);
    cli_json_kv_double(j, "overhead_seconds", e->overhead_s);
    cli_json_kv_double(j, "erase_seconds", e->erase_s);
    cli_json_kv_double(j, "program_seconds", e->program_s);
    cli_json_kv_double(j, "transfer_seconds", e->transfer_s);
    cli_json_kv_double(j, "verify_seconds", e->verify_s);
    cli_json_kv_bool(j, "link_modelled", e->link_modelled);
    cli_json_kv_bool(j, "loader", m->loader);
    cli_json_kv_string(j, "link", m->link_known ? m->link.name : NULL);
    cli_json_kv_u64(j, "swd_khz", m->swd_khz);
    cli_json_object_end(j);
}

/* The plan as soon as it is made, before the work and its progress lines (text only). */
typedef struct plan_show {
    cli_ctx *ctx;
    bool dry_run;
    bool shown;
} plan_show;

static void show_plan(const stp_plan *plan, void *user)
{
    plan_show *ps = user;
    cli_print_plan(ps->ctx, plan, ps->dry_run);
    fflush(ps->ctx->out);
    ps->shown = true;
}

static stp_status run(cli_ctx *ctx)
{
    if (cli_flag(ctx, "verify") && cli_flag(ctx, "no-verify"))
        return cli_usage_error(ctx, "--verify and --no-verify contradict each other");
    uint32_t psize = 0;
    stp_status st = cli_opt_u32(ctx, "psize", CLI_NUM_PLAIN, &psize);
    if (st != STP_OK)
        return st;
    if (psize != 0 && psize != 8 && psize != 16 && psize != 32 && psize != 64)
        return cli_usage_error(ctx, "--psize must be 8, 16, 32 or 64 (got %u)", psize);
    stp_image *img = NULL;
    st = cli_load_image(ctx, ctx->args.argv[0], &img);
    if (st != STP_OK)
        return st;
    cli_session s;
    st = cli_session_open(ctx, psize, &s);
    if (st == STP_OK && psize != 0 && stp_target_get_info(s.target)->psize_bits != psize) {
        const stp_target_info *info = stp_target_get_info(s.target);
        st = cli_usage_error(ctx,
                             "--psize %u: the program width is chosen on F2/F4/F7 only; the "
                             "%s flash of this %s programs %u bits at a time",
                             psize, info->family, info->name, info->psize_bits);
        cli_session_close(&s);
    }
    if (st != STP_OK) {
        stp_image_destroy(img);
        return st;
    }
    stp_program_options opt = {
        .verify = !cli_flag(ctx, "no-verify"),
        .dry_run = cli_flag(ctx, "dry-run"),
        .force = cli_flag(ctx, "force"),
        .no_loader = cli_flag(ctx, "no-loader"),
    };
    plan_show ps = {.ctx = ctx, .dry_run = opt.dry_run};
    if (!ctx->g.json) {
        opt.on_plan = show_plan;
        opt.on_plan_user = &ps;
    }
    stp_plan *plan = NULL;
    stp_verify_result vr = {0};
    /* stp_program refuses an image outside the flash or in write-protected sectors before
     * any sector is read (plan.outside-flash, plan.write-protected). */
    st = stp_program(s.target, img, &opt, &ctx->env, &plan, &vr, &ctx->findings);
    stp_plan_estimate est;
    stp_plan_cost_model model;
    bool have_est = st == STP_OK && opt.dry_run && modelled(&s, &opt, plan, &est, &model);
    bool reset = false;
    if (st == STP_OK && !opt.dry_run && cli_flag(ctx, "reset")) {
        st = stp_target_reset(s.target, cli_reset_mode_of(ctx), false, &ctx->findings);
        reset = (st == STP_OK);
    }
    cli_took took = cli_session_took(&s);
    char tk[64];
    cli_format_took(&took, tk, sizeof(tk));
    if (ctx->g.json) {
        cli_json_kv_string(&ctx->json, "file", ctx->args.argv[0]);
        cli_json_kv_u64(&ctx->json, "image_bytes", stp_image_total_bytes(img));
        cli_json_kv_bool(&ctx->json, "dry_run", opt.dry_run);
        if (plan != NULL)
            cli_json_plan(ctx, plan);
        if (have_est)
            json_modelled(ctx, &est, &model);
        cli_json_kv_bool(&ctx->json, "programmed", st == STP_OK && !opt.dry_run);
        cli_json_kv_bool(&ctx->json, "verified",
                         st == STP_OK && !opt.dry_run && opt.verify && vr.match);
        if (vr.mismatches != 0) {
            cli_json_kv_u64(&ctx->json, "first_mismatch", vr.first_address);
            cli_json_kv_u64(&ctx->json, "mismatches", vr.mismatches);
        }
        cli_json_kv_bool(&ctx->json, "reset", reset);
        if (!opt.dry_run)
            cli_json_took(ctx, &took);
    } else {
        if (plan != NULL && !ps.shown)
            cli_print_plan(ctx, plan, opt.dry_run);
        if (have_est)
            print_modelled(ctx, &est, &model);
        char size[32];
        cli_format_size(stp_image_total_bytes(img), size, sizeof(size));
        if (st == STP_OK && opt.dry_run)
            cli_printf(ctx, "dry run: nothing was erased or written\n");
        else if (st == STP_OK && plan != NULL && plan->program_count == 0)
            cli_printf(ctx, "the flash already holds %s: nothing written%s, %s\n",
                       ctx->args.argv[0], reset ? ", chip reset" : "", tk);
        else if (st == STP_OK)
            cli_printf(ctx, "wrote %s from %s%s%s, %s\n", size, ctx->args.argv[0],
                       opt.verify ? ", verified" : " (not verified)", reset ? ", chip reset" : "",
                       tk);
    }
    stp_plan_free(plan);
    cli_session_close(&s);
    stp_image_destroy(img);
    return st;
}

const cli_command cli_cmd_write = {
    .name = "write",
    .summary = "program a firmware file (bin, hex, srec, elf) into flash",
    .usage = "FILE [ADDR] [--no-verify] [--reset] [--dry-run]",
    .description =
        "Plans first: which sectors the image touches, which of them already hold the image "
        "(skipped), which are blank under it (programmed without erase), and which must be "
        "erased; bytes of a touched sector that the image does not cover are read first, saved "
        "in the journal of kept bytes (`stprog help recover`) and written back. Addresses outside "
        "the flash and write-protected sectors are refused "
        "before anything is erased. Then erases, programs and reads every touched sector back "
        "(--no-verify skips that). A verify mismatch names the first differing address and how "
        "many bytes differ (exit code 5). --dry-run prints the plan and changes nothing, with the "
        "modelled time (typical "
        "datasheet erase and program times plus the probe's transfer time). On "
        "F2/F4/F7 the program width follows the measured target voltage; --psize forces it "
        "and is refused when the voltage is too low for it. A raw binary loads at --addr "
        "(default 0x08000000), also given as the second argument as st-flash takes it "
        "(write fw.bin 0x08004000); Intel HEX, S-record and ELF files carry their addresses "
        "and an address given with them is refused.",
    .options = write_options,
    .min_args = 1,
    .max_args = 2,
    .run = run,
};
