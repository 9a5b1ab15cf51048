/* stprog CLI — probe + target session for the target commands, image loading, plan output. */
#include "cli/cli_target.h"

#include <string.h>

#include "chipdb/chipdb.h"
#include "sim/board.h"
#include "stprog/doctor.h"
#include "stprog/journal.h"

stp_reset_mode cli_reset_mode_of(const cli_ctx *ctx)
{
    switch (ctx->g.reset) {
    case CLI_RESET_SW:
        return STP_RESET_SW;
    case CLI_RESET_CORE:
        return STP_RESET_CORE;
    default:
        return STP_RESET_HW;
    }
}

static stp_target_connect connect_of(const cli_ctx *ctx)
{
    switch (ctx->g.connect) {
    case CLI_CONNECT_UNDER_RESET:
        return STP_TARGET_CONNECT_UNDER_RESET;
    case CLI_CONNECT_HOT_PLUG:
        return STP_TARGET_CONNECT_HOT_PLUG;
    default:
        return STP_TARGET_CONNECT_NORMAL;
    }
}

static uint64_t probe_now_ns(void *probe)
{
    return stp_probe_now_ns(probe);
}

stp_status cli_session_open(cli_ctx *ctx, unsigned psize_bits, cli_session *s)
{
    memset(s, 0, sizeof(*s));
    const char *spec = ctx->g.probe != NULL ? ctx->g.probe : "stlink";
    stp_status st = stp_probe_open(spec, &ctx->env, &s->probe, &ctx->findings);
    unsigned actual = 0;
    if (st == STP_OK && ctx->g.freq_khz != 0)
        st = stp_probe_set_clock(s->probe, ctx->g.freq_khz, &actual, &ctx->findings);
    if (st == STP_OK && ctx->g.freq_khz != 0 && actual != 0 && actual != ctx->g.freq_khz)
        cli_note(ctx, CLI_PROGRAM ": --freq %u: using %u kHz, %s\n", (unsigned)ctx->g.freq_khz,
                 actual,
                 actual > ctx->g.freq_khz ? "the slowest SWD clock this probe offers"
                                          : "the fastest this probe offers at or below it");
    if (st == STP_OK) {
        stp_target_options opt = {.connect = connect_of(ctx), .psize_bits = psize_bits};
        st = stp_target_attach(s->probe, &opt, &s->target, &ctx->findings);
    }
    if (st != STP_OK && s->probe != NULL) {
        stp_explain_context why = {.operation = ctx->cmd != NULL ? ctx->cmd->name : NULL};
        if (stp_explain_failure(s->probe, NULL, st, &why, &ctx->findings) == STP_ERR_POWER)
            ctx->cause_status = STP_ERR_POWER;
    }
    if (st != STP_OK)
        cli_session_close(s);
    s->ctx = ctx;
    s->findings_at_open = ctx->findings.count;
    s->debug_enabled = st == STP_OK && stp_explain_debug_enabled(s->probe);
    if (st == STP_OK && ctx->env.journal_dir != NULL &&
        stp_journal_path_for(ctx->env.journal_dir, s->target, ctx->journal_path,
                             sizeof(ctx->journal_path)) != STP_OK)
        ctx->journal_path[0] = '\0';
    if (st == STP_OK) { /* progress and summary times on the probe's clock from here on */
        s->clock.now_ns = probe_now_ns;
        s->clock.user = s->probe;
        s->clock.is_virtual = stp_probe_clock_is_virtual(s->probe);
        ctx->env.clock = &s->clock;
        s->started_ns = stp_probe_now_ns(s->probe);
    }
    return st;
}

cli_took cli_session_took(const cli_session *s)
{
    cli_took t = {0};
    if (s->probe == NULL)
        return t;
    uint64_t now = stp_probe_now_ns(s->probe);
    t.valid = true;
    t.is_virtual = s->clock.is_virtual;
    t.seconds = now > s->started_ns ? (double)(now - s->started_ns) / 1e9 : 0.0;
    return t;
}

char *cli_format_took(const cli_took *t, char *buf, size_t cap)
{
    if (!t->valid)
        snprintf(buf, cap, "%s", "");
    else
        snprintf(buf, cap, "in %.2f s%s", t->seconds, t->is_virtual ? " (virtual board time)" : "");
    return buf;
}

void cli_json_took(cli_ctx *ctx, const cli_took *t)
{
    if (!t->valid)
        return;
    cli_json_kv_double(&ctx->json, "elapsed_seconds", t->seconds);
    cli_json_kv_string(&ctx->json, "clock", t->is_virtual ? "virtual-board" : "probe");
}

/* Option-byte loading may reset the debug logic on some families (L1 OBL_LAUNCH). */
static bool reloads_options(const cli_ctx *ctx)
{
    return ctx->cmd != NULL && strcmp(ctx->cmd->name, "option-bytes") == 0;
}

void cli_session_close(cli_session *s)
{
    cli_ctx *ctx = s->ctx;
    bool failed = false;
    for (size_t i = s->findings_at_open; ctx != NULL && i < ctx->findings.count; i++)
        failed = failed || ctx->findings.items[i].severity == STP_SEV_ERROR;
    if (!failed && ctx != NULL && s->target != NULL && s->debug_enabled && !reloads_options(ctx) &&
        stp_explain_power_lost(s->probe)) {
        failed = true; /* the command saw success, but the chip lost power under it */
        ctx->late_status = STP_ERR_POWER;
    }
    if (failed && s->probe != NULL) {
        stp_explain_context why = {.operation = ctx->cmd != NULL ? ctx->cmd->name : NULL,
                                   .attached = s->target != NULL && s->debug_enabled};
        if (stp_explain_failure(s->probe, s->target, STP_OK, &why, &ctx->findings) == STP_ERR_POWER)
            ctx->cause_status = STP_ERR_POWER;
    }
    if (ctx != NULL && ctx->env.clock == &s->clock)
        ctx->env.clock = NULL; /* the probe is going away */
    stp_target_detach(s->target);
    stp_probe_close(s->probe);
    memset(s, 0, sizeof(*s));
}

void cli_check_sim_state(cli_ctx *ctx)
{
    char why[512];
    if (!sim_state_error(why, sizeof why))
        return;
    for (size_t i = 0; i < ctx->findings.count; i++)
        if (strcmp(ctx->findings.items[i].id, "sim.state-not-saved") == 0)
            return;
    stp_finding *f =
        stp_finding_add(&ctx->findings, "sim.state-not-saved", STP_SEV_ERROR, "%s", why);
    stp_finding_advice(f, "the board's earlier state is still in the file; free space or fix "
                          "the permissions of its directory, then run the command again");
    if (ctx->late_status == STP_OK)
        ctx->late_status = STP_ERR_IO;
}

/* A file named on the command line that cannot be opened or read (missing, a directory, no
 * permission) is bad input like a malformed one: exit code 2, not "the operation failed". */
stp_status cli_input_status(stp_status st)
{
    return st == STP_ERR_IO || st == STP_ERR_PERMISSION ? STP_ERR_INVALID_ARG : st;
}

/* Firmware files are at most as large as the largest flash of any chip stprog knows: a
 * larger one (a 3 GiB file, /dev/zero) is refused before it is read whole. */
static uint64_t firmware_limit(void)
{
    uint64_t kb = 0;
    for (size_t i = 0; i < stp_chip_count(); i++) {
        uint32_t k = stp_chip_max_flash_kb(stp_chip_at(i));
        if (k > kb)
            kb = k;
    }
    return kb * 1024u;
}

stp_status cli_load_firmware(cli_ctx *ctx, const char *path, stp_format fmt, uint32_t base,
                             stp_image **out)
{
    *out = NULL;
    stp_image *img = NULL;
    stp_status st = stp_image_create(&img);
    if (st != STP_OK)
        return st;
    stp_image_set_max_bytes(img, firmware_limit(), "the largest flash of any supported chip");
    st = stp_image_load_file_into(img, path, fmt, base, &ctx->findings);
    if (st != STP_OK) {
        stp_image_destroy(img);
        return cli_input_status(st);
    }
    *out = img;
    return STP_OK;
}

stp_status cli_load_image(cli_ctx *ctx, const char *path, stp_image **out)
{
    uint32_t base = STP_DEFAULT_BIN_BASE;
    stp_status st = cli_opt_u32(ctx, "addr", CLI_NUM_PLAIN, &base);
    if (st != STP_OK)
        return st;
    const char *given = cli_opt(ctx, "addr") != NULL ? "--addr" : NULL;
    if (ctx->args.argc > 1) { /* FILE ADDR, st-flash's habit: the same as --addr ADDR */
        uint32_t pos = 0;
        st = cli_arg_u32(ctx, 1, "ADDR", CLI_NUM_PLAIN, &pos);
        if (st != STP_OK)
            return st;
        if (given != NULL && pos != base)
            return cli_usage_error(ctx, "--addr 0x%08X and the address argument 0x%08X disagree",
                                   (unsigned)base, (unsigned)pos);
        base = pos;
        given = "the address argument";
    }
    st = cli_load_firmware(ctx, path, STP_FORMAT_AUTO, base, out);
    if (st != STP_OK)
        return st;
    stp_format fmt = stp_image_source_format(*out);
    if (given != NULL && fmt != STP_FORMAT_BIN) {
        stp_image_destroy(*out);
        *out = NULL;
        return cli_usage_error(ctx,
                               "%s is %s, which carries its own addresses: %s applies to raw "
                               "binaries only",
                               path,
                               fmt == STP_FORMAT_IHEX   ? "Intel HEX"
                               : fmt == STP_FORMAT_SREC ? "a Motorola S-record file"
                                                        : "an ELF file",
                               given);
    }
    return STP_OK;
}

bool cli_flash_span(const cli_session *s, uint32_t *lo, uint64_t *hi)
{
    size_t n = stp_target_region_count(s->target);
    const stp_flash_region *r = stp_target_regions(s->target);
    if (n == 0 || r == NULL)
        return false;
    *lo = r[0].addr;
    *hi = (uint64_t)r[n - 1].addr + r[n - 1].size;
    return true;
}

void cli_format_size(uint64_t bytes, char *buf, size_t cap)
{
    if (bytes >= 1024u * 1024u && bytes % (1024u * 1024u) == 0)
        snprintf(buf, cap, "%llu MiB", (unsigned long long)(bytes >> 20));
    else if (bytes >= 1024u && bytes % 1024u == 0)
        snprintf(buf, cap, "%llu KiB", (unsigned long long)(bytes >> 10));
    else if (bytes >= 10240u)
        snprintf(buf, cap, "%.1f KiB", (double)bytes / 1024.0);
    else
        snprintf(buf, cap, "%llu B", (unsigned long long)bytes);
}

void cli_print_plan(cli_ctx *ctx, const stp_plan *plan, bool detailed)
{
    char a[32], b[32], c[32];
    if (detailed) {
        cli_printf(ctx, "%-6s  %-10s  %-9s  %-7s  %-9s  %-9s  %s\n", "SECTOR", "ADDRESS", "SIZE",
                   "ACTION", "IMAGE", "KEPT", "PROGRAMMED");
        for (size_t i = 0; i < plan->sector_count; i++) {
            const stp_plan_sector *s = &plan->sectors[i];
            cli_format_size(s->size, a, sizeof(a));
            cli_printf(ctx, "%-6u  0x%08X  %-9s  %-7s  %-9u  %-9u  %u\n", (unsigned)s->number,
                       (unsigned)s->addr, a, stp_plan_action_name(s->action),
                       (unsigned)s->image_bytes, (unsigned)s->restore_bytes,
                       (unsigned)s->program_bytes);
        }
    }
    cli_format_size(plan->erase_bytes, a, sizeof(a));
    cli_format_size(plan->program_bytes, b, sizeof(b));
    cli_format_size(plan->restore_bytes, c, sizeof(c));
    cli_printf(ctx,
               "plan: %u sector(s) to erase (%s), %u programmed without erase, %u unchanged "
               "and skipped; %s to program, %s of existing data kept\n",
               (unsigned)plan->erase_count, a, (unsigned)plan->program_only_count,
               (unsigned)plan->skip_count, b, c);
}

void cli_json_plan(cli_ctx *ctx, const stp_plan *plan)
{
    cli_json *j = &ctx->json;
    cli_json_key(j, "plan");
    cli_json_object_begin(j);
    cli_json_key(j, "sectors");
    cli_json_array_begin(j);
    for (size_t i = 0; i < plan->sector_count; i++) {
        const stp_plan_sector *s = &plan->sectors[i];
        cli_json_object_begin(j);
        cli_json_kv_u64(j, "number", s->number);
        cli_json_kv_u64(j, "bank", s->bank);
        cli_json_kv_u64(j, "address", s->addr);
        cli_json_kv_u64(j, "size", s->size);
        cli_json_kv_string(j, "action", stp_plan_action_name(s->action));
        cli_json_kv_u64(j, "image_bytes", s->image_bytes);
        cli_json_kv_u64(j, "restore_bytes", s->restore_bytes);
        cli_json_kv_u64(j, "program_bytes", s->program_bytes);
        cli_json_object_end(j);
    }
    cli_json_array_end(j);
    cli_json_kv_u64(j, "image_bytes", plan->image_bytes);
    cli_json_kv_u64(j, "erase_count", plan->erase_count);
    cli_json_kv_u64(j, "erase_bytes", plan->erase_bytes);
    cli_json_kv_u64(j, "program_only_count", plan->program_only_count);
    cli_json_kv_u64(j, "skip_count", plan->skip_count);
    cli_json_kv_u64(j, "program_bytes", plan->program_bytes);
    cli_json_kv_u64(j, "restore_bytes", plan->restore_bytes);
    cli_json_kv_u64(j, "program_unit", plan->program_unit);
    cli_json_object_end(j);
}
