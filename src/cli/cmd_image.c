/* stprog image FILE: what a firmware file contains (segments with CRC-32, entry point), and
 * conversion to another format chosen by the output file's extension. */
#include <string.h>
#include <strings.h>

#include "cli/cli_target.h"
#include "stprog/image.h"

static const cli_option image_options[] = {
    {"addr", 'a', "ADDR", "load address of a raw binary (default 0x08000000)"},
    {"format", 'f', "FORMAT", "input format: auto (default), bin, ihex, srec or elf"},
    {"output", 'o', "OUT", "write the image to OUT, format by extension (.bin .hex .srec)"},
    {0},
};

static const struct {
    const char *name;
    stp_format fmt;
} format_names[] = {
    {"auto", STP_FORMAT_AUTO}, {"bin", STP_FORMAT_BIN},  {"binary", STP_FORMAT_BIN},
    {"ihex", STP_FORMAT_IHEX}, {"hex", STP_FORMAT_IHEX}, {"srec", STP_FORMAT_SREC},
    {"s19", STP_FORMAT_SREC},  {"elf", STP_FORMAT_ELF},
};

/* Stable names for the JSON document. */
static const char *format_key(stp_format fmt)
{
    switch (fmt) {
    case STP_FORMAT_BIN:
        return "bin";
    case STP_FORMAT_IHEX:
        return "ihex";
    case STP_FORMAT_SREC:
        return "srec";
    case STP_FORMAT_ELF:
        return "elf";
    default:
        return "auto";
    }
}

/* Names for people. */
static const char *format_title(stp_format fmt)
{
    switch (fmt) {
    case STP_FORMAT_BIN:
        return "raw binary";
    case STP_FORMAT_IHEX:
        return "Intel HEX";
    case STP_FORMAT_SREC:
        return "Motorola S-record";
    case STP_FORMAT_ELF:
        return "ELF";
    default:
        return "unknown format";
    }
}

static stp_status parse_format(cli_ctx *ctx, stp_format *out)
{
    const char *text = cli_opt(ctx, "format");
    if (text == NULL)
        return STP_OK;
    for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++) {
        if (strcasecmp(text, format_names[i].name) == 0) {
            *out = format_names[i].fmt;
            return STP_OK;
        }
    }
    return cli_usage_error(ctx, "bad value for --format: '%s' (use auto, bin, ihex, srec or elf)",
                           text);
}

static void report_json(cli_ctx *ctx, const char *path, stp_format fmt, const stp_image *img)
{
    cli_json *j = &ctx->json;
    cli_json_kv_string(j, "file", path);
    cli_json_kv_string(j, "format", format_key(fmt));
    cli_json_key(j, "segments");
    cli_json_array_begin(j);
    for (size_t i = 0; i < stp_image_segment_count(img); i++) {
        stp_segment s = stp_image_segment(img, i);
        cli_json_object_begin(j);
        cli_json_kv_u64(j, "start", s.addr);
        cli_json_kv_u64(j, "end", (uint64_t)s.addr + s.size);
        cli_json_kv_u64(j, "size", s.size);
        cli_json_kv_u64(j, "crc32", stp_crc32(0, s.data, s.size));
        cli_json_object_end(j);
    }
    cli_json_array_end(j);
    cli_json_kv_u64(j, "total_bytes", stp_image_total_bytes(img));
    cli_json_key(j, "entry");
    if (stp_image_has_entry(img))
        cli_json_u64(j, stp_image_entry(img));
    else
        cli_json_null(j);
}

static void report_text(cli_ctx *ctx, const char *path, stp_format fmt, const stp_image *img)
{
    size_t count = stp_image_segment_count(img);
    char total[32];
    cli_format_bytes(total, sizeof(total), stp_image_total_bytes(img));
    cli_printf(ctx, "%s: %s, %zu segment%s, %s (%llu bytes)", path, format_title(fmt), count,
               count == 1 ? "" : "s", total, (unsigned long long)stp_image_total_bytes(img));
    if (stp_image_has_entry(img))
        cli_printf(ctx, ", entry 0x%08x\n", (unsigned)stp_image_entry(img));
    else
        cli_printf(ctx, ", no entry point\n");
    if (count == 0)
        return;
    cli_printf(ctx, "  %-10s  %-10s  %10s  %s\n", "start", "end", "size", "CRC-32");
    for (size_t i = 0; i < count; i++) {
        stp_segment s = stp_image_segment(img, i);
        cli_printf(ctx, "  0x%08x  0x%08llx  %10u  0x%08x\n", (unsigned)s.addr,
                   (unsigned long long)s.addr + s.size, (unsigned)s.size,
                   (unsigned)stp_crc32(0, s.data, s.size));
    }
}

static stp_status run(cli_ctx *ctx)
{
    const char *path = ctx->args.argv[0];
    const char *out_path = cli_opt(ctx, "output");
    uint32_t base = STP_DEFAULT_BIN_BASE;
    stp_format fmt = STP_FORMAT_AUTO;
    stp_format out_fmt = STP_FORMAT_AUTO;
    stp_status st = cli_opt_u32(ctx, "addr", CLI_NUM_PLAIN, &base);
    if (st == STP_OK)
        st = parse_format(ctx, &fmt);
    if (st != STP_OK)
        return st;
    if (out_path != NULL) {
        out_fmt = stp_format_from_extension(out_path);
        if (out_fmt != STP_FORMAT_BIN && out_fmt != STP_FORMAT_IHEX && out_fmt != STP_FORMAT_SREC)
            return cli_usage_error(ctx,
                                   "cannot tell the output format from '%s' (use a name ending "
                                   "in .bin, .hex or .srec)",
                                   out_path);
        st = cli_check_output(ctx, out_path);
        if (st != STP_OK)
            return st;
    }

    stp_image *img = NULL;
    st = cli_load_firmware(ctx, path, fmt, base, &img);
    if (st != STP_OK)
        return st;
    stp_format shown = stp_image_source_format(img);
    if (cli_opt(ctx, "addr") != NULL && shown != STP_FORMAT_BIN) {
        stp_image_destroy(img);
        return cli_usage_error(ctx,
                               "%s is %s, which carries its own addresses: --addr applies to "
                               "raw binaries only",
                               path, format_title(shown));
    }
    if (ctx->g.json)
        report_json(ctx, path, shown, img);
    else
        report_text(ctx, path, shown, img);

    if (out_path != NULL) {
        st = stp_image_save_file(img, out_path, out_fmt, &ctx->findings);
        if (ctx->g.json) {
            cli_json_key(&ctx->json, "output");
            cli_json_object_begin(&ctx->json);
            cli_json_kv_string(&ctx->json, "file", out_path);
            cli_json_kv_string(&ctx->json, "format", format_key(out_fmt));
            cli_json_kv_bool(&ctx->json, "written", st == STP_OK);
            cli_json_object_end(&ctx->json);
        }
        if (st == STP_OK)
            cli_printf(ctx, "wrote %s (%s)\n", out_path, format_title(out_fmt));
    }
    stp_image_destroy(img);
    return st;
}

const cli_command cli_cmd_image = {
    .name = "image",
    .summary = "show what a firmware file contains; convert between formats",
    .usage = "FILE [--addr ADDR] [--format FORMAT] [-o OUT]",
    .description =
        "Reads FILE (raw binary, Intel HEX, Motorola S-record or ELF; the format is told by "
        "content) and prints its segments (start, end, size, CRC-32; end is exclusive) and "
        "its entry point. With -o, writes the same bytes to OUT in the format its extension "
        "names; gaps in a binary output are filled with 0xFF. A malformed FILE is reported "
        "with its name and line (or offset), exit code 2.",
    .options = image_options,
    .min_args = 1,
    .max_args = 1,
    .run = run,
};
