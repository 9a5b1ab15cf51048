/* stprog read ADDR LEN -o FILE: read memory into a file (bin, hex or srec by extension). */
#include <stdlib.h>

#include "cli/cli_target.h"

static const cli_option read_options[] = {
    {"output", 'o', "FILE", "where to write (.bin, .hex or .srec)"},
    {0},
};

/* A read that starts in the flash and runs past its end would fault there after reading the
 * first part: refused before reading, with the length that fits. */
static stp_status check_flash_end(cli_ctx *ctx, const cli_session *s, uint32_t addr, uint32_t len)
{
    uint32_t lo = 0;
    uint64_t hi = 0, end = (uint64_t)addr + len;
    if (!cli_flash_span(s, &lo, &hi) || addr < lo || addr >= hi || end <= hi)
        return STP_OK;
    stp_finding *f = stp_finding_add(&ctx->findings, "read.outside-flash", STP_SEV_ERROR,
                                     "0x%08X-0x%08llX runs past the end of the flash at "
                                     "0x%08llX: nothing was read",
                                     (unsigned)addr, (unsigned long long)(end - 1),
                                     (unsigned long long)(hi - 1));
    stp_finding_evidence(f, "flash", "0x%08X-0x%08llX", (unsigned)lo, (unsigned long long)(hi - 1));
    stp_finding_evidence(f, "bytes_past_end", "%llu", (unsigned long long)(end - hi));
    stp_finding_advice(f, "read at most %llu bytes from 0x%08X (stprog read 0x%08X 0x%llX -o ...)",
                       (unsigned long long)(hi - addr), (unsigned)addr, (unsigned)addr,
                       (unsigned long long)(hi - addr));
    return STP_ERR_RANGE;
}

static stp_status run(cli_ctx *ctx)
{
    uint32_t addr = 0, len = 0;
    const char *path = cli_opt(ctx, "output");
    stp_status st = cli_arg_u32(ctx, 0, "ADDR", CLI_NUM_PLAIN, &addr);
    if (st == STP_OK)
        st = cli_arg_u32(ctx, 1, "LEN", CLI_NUM_SIZE, &len);
    if (st != STP_OK)
        return st;
    if (path == NULL)
        return cli_usage_error(ctx, "read needs -o FILE");
    stp_format ofmt = stp_format_from_extension(path);
    if (ofmt == STP_FORMAT_AUTO || ofmt == STP_FORMAT_ELF)
        return cli_usage_error(ctx,
                               "cannot tell the output format from '%s': name it .bin, .hex "
                               "or .srec",
                               path);
    if (len == 0 || (uint64_t)addr + len > 0x100000000ull)
        return cli_usage_error(ctx, "LEN must be at least 1 and ADDR+LEN within 4 GiB");
    st = cli_check_output(ctx, path);
    if (st != STP_OK)
        return st;
    uint8_t *buf = malloc(len);
    if (buf == NULL)
        return STP_ERR_NOMEM;
    cli_session s;
    cli_took took = {0};
    st = cli_session_open(ctx, 0, &s);
    if (st == STP_OK)
        st = check_flash_end(ctx, &s, addr, len);
    if (st != STP_OK && s.probe != NULL)
        cli_session_close(&s);
    if (st == STP_OK) {
        st = stp_read(s.target, addr, len, buf, &ctx->env, &ctx->findings);
        took = cli_session_took(&s);
        cli_session_close(&s);
    }
    stp_image *img = NULL;
    if (st == STP_OK)
        st = stp_image_create(&img);
    if (st == STP_OK)
        st = stp_image_add(img, addr, buf, len, "read", &ctx->findings);
    if (st == STP_OK)
        st = stp_image_save_file(img, path, STP_FORMAT_AUTO, &ctx->findings);
    if (ctx->g.json) {
        cli_json_kv_u64(&ctx->json, "address", addr);
        cli_json_kv_u64(&ctx->json, "length", len);
        cli_json_kv_string(&ctx->json, "file", path);
        cli_json_kv_string(&ctx->json, "format", stp_format_name(stp_format_from_extension(path)));
        cli_json_kv_u64(&ctx->json, "crc32", st == STP_OK ? stp_crc32(0, buf, len) : 0);
        cli_json_took(ctx, &took);
    } else if (st == STP_OK) {
        char tk[64];
        cli_printf(ctx, "read %u bytes at 0x%08X into %s (CRC-32 0x%08X) %s\n", (unsigned)len,
                   (unsigned)addr, path, (unsigned)stp_crc32(0, buf, len),
                   cli_format_took(&took, tk, sizeof(tk)));
    }
    stp_image_destroy(img);
    free(buf);
    return st;
}

const cli_command cli_cmd_read = {
    .name = "read",
    .summary = "read memory into a file",
    .usage = "ADDR LEN -o FILE",
    .description = "Reads LEN bytes (K/M suffixes accepted) at ADDR and writes them to FILE in "
                   "the format its extension names (.bin, .hex, .srec). The output path is "
                   "checked before the chip is touched; FILE is replaced only when everything "
                   "was read and written (no partial file). A range that starts in the flash "
                   "and runs past its end is refused before reading.",
    .options = read_options,
    .min_args = 2,
    .max_args = 2,
    .run = run,
};
