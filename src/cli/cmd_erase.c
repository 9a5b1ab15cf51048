/* stprog erase --all | --sectors N-M | ADDR LEN. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli_target.h"

static const cli_option erase_options[] = {
    {"all", 0, NULL, "erase the whole flash"},
    {"sectors", 0, "N-M",
     "erase sectors N to M (the reference manual's numbers, as `write --dry-run` lists them)"},
    {0},
};

static bool parse_range(const char *text, unsigned *first, unsigned *last)
{
    char *end = NULL;
    unsigned long a = strtoul(text, &end, 0);
    if (end == text)
        return false;
    unsigned long b = a;
    if (*end == '-') {
        const char *s = end + 1;
        b = strtoul(s, &end, 0);
        if (end == s)
            return false;
    }
    if (*end != '\0' || a > b || b > 65535)
        return false;
    *first = (unsigned)a;
    *last = (unsigned)b;
    return true;
}

/* ADDR LEN: inside the flash (said in the words of an erase, before anything is read), and
 * which sectors it touches; when it does not cover them whole, says what happens to the rest. */
static stp_status check_range(cli_ctx *ctx, const cli_session *s, uint32_t addr, uint32_t len,
                              unsigned *first, unsigned *last)
{
    uint32_t lo = 0;
    uint64_t hi = 0, end = (uint64_t)addr + len;
    if (!cli_flash_span(s, &lo, &hi))
        return STP_OK; /* the library says what it can */
    if (addr < lo || end > hi) {
        stp_finding *f = stp_finding_add(&ctx->findings, "erase.outside-flash", STP_SEV_ERROR,
                                         "0x%08X-0x%08llX is not inside the flash "
                                         "(0x%08X-0x%08llX): nothing was erased",
                                         (unsigned)addr, (unsigned long long)(end - 1),
                                         (unsigned)lo, (unsigned long long)(hi - 1));
        stp_finding_evidence(f, "flash", "0x%08X-0x%08llX", (unsigned)lo,
                             (unsigned long long)(hi - 1));
        stp_finding_advice(f, "check ADDR and LEN against `stprog info`; `stprog erase --all` "
                              "erases the whole flash");
        return STP_ERR_RANGE;
    }
    const stp_flash_region *r = stp_target_regions(s->target);
    size_t n = stp_target_region_count(s->target);
    uint64_t covered = 0;
    size_t a = n, b = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t rs = r[i].addr, re = rs + r[i].size;
        if (re <= addr || rs >= end)
            continue;
        if (a == n)
            a = i;
        b = i;
        covered += r[i].size;
    }
    if (a == n)
        return STP_OK;
    *first = r[a].number;
    *last = r[b].number;
    if (covered != len) {
        char size[32], which[48];
        cli_format_size(covered - len, size, sizeof(size));
        if (a == b)
            snprintf(which, sizeof(which), "sector %u", *first);
        else
            snprintf(which, sizeof(which), "sectors %u-%u", *first, *last);
        cli_note(ctx,
                 "0x%08X-0x%08llX covers part of %s (0x%08X-0x%08llX): the %s of %s outside "
                 "the range are read first and written back after the erase\n",
                 (unsigned)addr, (unsigned long long)(end - 1), which, (unsigned)r[a].addr,
                 (unsigned long long)r[b].addr + r[b].size - 1, size, a == b ? "it" : "them");
    }
    return STP_OK;
}

static stp_status run(cli_ctx *ctx)
{
    bool all = cli_flag(ctx, "all");
    const char *sectors = cli_opt(ctx, "sectors");
    int modes = (all ? 1 : 0) + (sectors ? 1 : 0) + (ctx->args.argc > 0 ? 1 : 0);
    if (modes != 1)
        return cli_usage_error(ctx, "give exactly one of --all, --sectors N-M, or ADDR LEN");
    unsigned first = 0, last = 0;
    uint32_t addr = 0, len = 0;
    stp_status st = STP_OK;
    if (sectors != NULL && !parse_range(sectors, &first, &last))
        return cli_usage_error(ctx, "--sectors takes N or N-M with N <= M (got '%s')", sectors);
    if (ctx->args.argc > 0) {
        if (ctx->args.argc != 2)
            return cli_usage_error(ctx, "an address range is ADDR LEN");
        st = cli_arg_u32(ctx, 0, "ADDR", CLI_NUM_PLAIN, &addr);
        if (st == STP_OK)
            st = cli_arg_u32(ctx, 1, "LEN", CLI_NUM_SIZE, &len);
        if (st != STP_OK)
            return st;
        if (len == 0 || (uint64_t)addr + len > 0x100000000ull)
            return cli_usage_error(ctx, "LEN must be at least 1 and ADDR+LEN within 4 GiB");
    }
    cli_session s;
    st = cli_session_open(ctx, 0, &s);
    if (st != STP_OK)
        return st;
    unsigned touched_first = 0, touched_last = 0;
    if (ctx->args.argc > 0)
        st = check_range(ctx, &s, addr, len, &touched_first, &touched_last);
    if (st != STP_OK) {
        cli_session_close(&s);
        return st;
    }
    const char *what = "all";
    if (all) {
        st = stp_erase_all(s.target, &ctx->env, &ctx->findings);
    } else if (sectors != NULL) {
        what = "sectors";
        st = stp_erase_sectors(s.target, first, last, &ctx->env, &ctx->findings);
    } else {
        what = "range";
        st = stp_erase_range(s.target, addr, len, &ctx->env, &ctx->findings);
    }
    cli_took took = cli_session_took(&s);
    char tk[64];
    cli_format_took(&took, tk, sizeof(tk));
    if (ctx->g.json) {
        cli_json_kv_string(&ctx->json, "mode", what);
        if (sectors != NULL) {
            cli_json_kv_u64(&ctx->json, "first_sector", first);
            cli_json_kv_u64(&ctx->json, "last_sector", last);
        }
        if (ctx->args.argc > 0) {
            cli_json_kv_u64(&ctx->json, "address", addr);
            cli_json_kv_u64(&ctx->json, "length", len);
            cli_json_kv_u64(&ctx->json, "first_sector", touched_first);
            cli_json_kv_u64(&ctx->json, "last_sector", touched_last);
        }
        cli_json_kv_bool(&ctx->json, "erased", st == STP_OK);
        cli_json_took(ctx, &took);
    } else if (st == STP_OK) {
        if (all)
            cli_printf(ctx, "erased the whole flash %s\n", tk);
        else if (sectors != NULL)
            cli_printf(ctx, "erased sectors %u-%u %s\n", first, last, tk);
        else
            cli_printf(ctx, "erased 0x%08X-0x%08X (other bytes of those sectors kept) %s\n",
                       (unsigned)addr, (unsigned)(addr + len - 1), tk);
    }
    cli_session_close(&s);
    return st;
}

const cli_command cli_cmd_erase = {
    .name = "erase",
    .summary = "erase the flash, some sectors, or an address range",
    .usage = "--all | --sectors N-M | ADDR LEN",
    .description = "--all erases everything (mass erase where the chip has one). --sectors "
                   "erases whole sectors. ADDR LEN erases exactly that range: the other "
                   "bytes of the sectors it touches are read first and written back (said "
                   "on stderr when the range does not cover its sectors whole); a range "
                   "outside the flash is refused before anything is read. "
                   "Write-protected sectors are refused before anything is erased. The bytes "
                   "a failed write saved for this chip (`stprog help recover`) are written "
                   "back first, except those of the sectors this erase covers.",
    .options = erase_options,
    .min_args = 0,
    .max_args = 2,
    .run = run,
};
