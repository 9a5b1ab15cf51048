/* stprog chips: the supported device IDs, families, names, flash sizes, and the part numbers
 * the virtual board knows, from the chip database (chipdb/chipdb.h). */
#include <strings.h>

#include "cli/cli.h"
#include "chipdb/chipdb.h"

static const cli_option chips_options[] = {
    {"family", 0, "FAMILY", "only this family (F1, F2, F4, F7, L1, ...)"},
    {0},
};

static bool wanted(const char *family, const stp_chip *chip)
{
    return family == NULL || (chip != NULL && strcasecmp(family, chip->family) == 0);
}

static void sizes_text(char *buf, size_t cap, const stp_chip *chip, const char *sep)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < STP_MAX_FLASH_SIZES && chip->flash_sizes_kb[i] != 0; i++) {
        int n = snprintf(buf + used, cap - used, "%s%u", i > 0 ? sep : "",
                         (unsigned)chip->flash_sizes_kb[i]);
        if (n < 0 || (size_t)n >= cap - used)
            break;
        used += (size_t)n;
    }
}

static void chip_json(cli_json *j, const stp_chip *c)
{
    char hex[8];
    snprintf(hex, sizeof(hex), "0x%03x", (unsigned)c->dev_id);
    cli_json_object_begin(j);
    cli_json_kv_u64(j, "dev_id", c->dev_id);
    cli_json_kv_string(j, "dev_id_hex", hex);
    cli_json_kv_string(j, "name", c->name);
    cli_json_kv_string(j, "family", c->family);
    cli_json_kv_string(j, "core", stp_core_name(c->core));
    cli_json_kv_string(j, "flash_kind", stp_flash_kind_name(c->flash_kind));
    cli_json_kv_u64(j, "flash_base", c->flash_base);
    cli_json_key(j, "flash_sizes_kb");
    cli_json_array_begin(j);
    for (int i = 0; i < STP_MAX_FLASH_SIZES && c->flash_sizes_kb[i] != 0; i++)
        cli_json_u64(j, c->flash_sizes_kb[i]);
    cli_json_array_end(j);
    cli_json_kv_u64(j, "flash_default_kb", c->flash_default_kb);
    cli_json_kv_bool(j, "dual_bank", c->layout_dual.bank_count > 0);
    cli_json_kv_u64(j, "sram_base", c->sram_base);
    cli_json_kv_u64(j, "sram_size", c->sram_size);
    cli_json_kv_string(j, "reference_manual", c->reference_manual);
    cli_json_kv_string(j, "datasheet", c->datasheet);
    cli_json_object_end(j);
}

static void part_json(cli_json *j, const stp_part *p, const stp_chip *c)
{
    char hex[8];
    snprintf(hex, sizeof(hex), "0x%03x", (unsigned)p->dev_id);
    cli_json_object_begin(j);
    cli_json_kv_string(j, "name", p->name);
    cli_json_kv_u64(j, "dev_id", p->dev_id);
    cli_json_kv_string(j, "dev_id_hex", hex);
    cli_json_kv_string(j, "family", c != NULL ? c->family : NULL);
    cli_json_kv_u64(j, "flash_kb", p->flash_kb);
    cli_json_kv_u64(j, "sram_kb", p->sram_kb);
    cli_json_kv_bool(j, "dual_bank", p->dual_bank);
    cli_json_object_end(j);
}

/* --- one chip in detail: stprog chips ID|PART --- */

static void detail_json(cli_json *j, const stp_chip *c)
{
    char layout[160];
    cli_json_key(j, "chip");
    cli_json_object_begin(j);
    cli_json_kv_u64(j, "dev_id", c->dev_id);
    cli_json_kv_string(j, "name", c->name);
    cli_json_kv_string(j, "family", c->family);
    cli_json_kv_string(j, "core", stp_core_name(c->core));
    cli_json_kv_string(j, "flash_kind", stp_flash_kind_name(c->flash_kind));
    cli_json_kv_u64(j, "flash_base", c->flash_base);
    cli_json_key(j, "flash_sizes_kb");
    cli_json_array_begin(j);
    for (int i = 0; i < STP_MAX_FLASH_SIZES && c->flash_sizes_kb[i] != 0; i++)
        cli_json_u64(j, c->flash_sizes_kb[i]);
    cli_json_array_end(j);
    cli_json_kv_u64(j, "flash_default_kb", c->flash_default_kb);
    cli_json_kv_u64(j, "flash_size_reg", c->flash_size_reg);
    stp_layout_format(&c->layout, layout, sizeof(layout));
    cli_json_kv_string(j, "layout", layout);
    stp_layout_format(&c->layout_dual, layout, sizeof(layout));
    cli_json_kv_string(j, "layout_dual_bank", c->layout_dual.bank_count > 0 ? layout : NULL);
    cli_json_kv_u64(j, "sram_base", c->sram_base);
    cli_json_kv_u64(j, "sram_size", c->sram_size);
    cli_json_kv_u64(j, "option_bytes_addr", c->option_bytes_addr);
    cli_json_kv_u64(j, "option_bytes_size", c->option_bytes_size);
    cli_json_kv_u64(j, "uid_addr", c->uid_addr);
    cli_json_kv_u64(j, "bootloader_addr", c->bootloader_addr);
    cli_json_kv_u64(j, "bootloader_version", c->bootloader_version);
    cli_json_kv_string(j, "bootloader_usart", c->bootloader_usart);
    cli_json_kv_u64(j, "vdd_min_mv", c->vdd_min_mv);
    cli_json_kv_u64(j, "vdd_max_mv", c->vdd_max_mv);
    cli_json_kv_string(j, "reference_manual", c->reference_manual);
    cli_json_kv_string(j, "datasheet", c->datasheet);
    cli_json_object_end(j);
}

static void detail_text(cli_ctx *ctx, const stp_chip *c)
{
    char sizes[96], layout[160];
    sizes_text(sizes, sizeof(sizes), c, "/");
    cli_printf(ctx, "0x%03x %s (%s, %s, flash controller %s)\n", (unsigned)c->dev_id, c->name,
               c->family, stp_core_name(c->core), stp_flash_kind_name(c->flash_kind));
    cli_printf(ctx, "  %-18s 0x%08x, %s KiB (default %u KiB)\n", "flash:", (unsigned)c->flash_base,
               sizes, (unsigned)c->flash_default_kb);
    cli_printf(ctx, "  %-18s 0x%08x\n", "flash size reg:", (unsigned)c->flash_size_reg);
    stp_layout_format(&c->layout, layout, sizeof(layout));
    cli_printf(ctx, "  %-18s %s\n", "sectors:", layout);
    if (c->layout_dual.bank_count > 0) {
        stp_layout_format(&c->layout_dual, layout, sizeof(layout));
        cli_printf(ctx, "  %-18s %s\n", "sectors dual bank:", layout);
    }
    cli_printf(ctx, "  %-18s 0x%08x, %u KiB usable by flash loaders\n",
               "SRAM:", (unsigned)c->sram_base, (unsigned)(c->sram_size / 1024));
    cli_printf(ctx, "  %-18s 0x%08x (%u bytes)\n", "option bytes:", (unsigned)c->option_bytes_addr,
               (unsigned)c->option_bytes_size);
    cli_printf(ctx, "  %-18s 0x%08x\n", "unique ID:", (unsigned)c->uid_addr);
    cli_printf(ctx, "  %-18s 0x%08x, protocol 0x%02x, %s\n",
               "ROM bootloader:", (unsigned)c->bootloader_addr, (unsigned)c->bootloader_version,
               c->bootloader_usart != NULL ? c->bootloader_usart : "-");
    cli_printf(ctx, "  %-18s %.2f .. %.2f V\n", "supply:", c->vdd_min_mv / 1000.0,
               c->vdd_max_mv / 1000.0);
    cli_printf(ctx, "  %-18s %s\n", "reference manual:", c->reference_manual);
    cli_printf(ctx, "  %-18s %s\n", "datasheet:", c->datasheet);
}

/* stprog chips 0x413 | stm32f407vg */
static stp_status run_one(cli_ctx *ctx, const char *what)
{
    const stp_part *part = stp_part_by_name(what);
    const stp_chip *chip = part != NULL ? stp_part_chip(part) : NULL;
    uint32_t id = 0;
    char why[96];
    if (part == NULL && cli_parse_u32(what, CLI_NUM_PLAIN, &id, why, sizeof(why)) && id <= 0xFFF)
        chip = stp_chip_by_dev_id((uint16_t)id);
    if (chip == NULL)
        return cli_usage_error(ctx,
                               "'%s' is neither a supported device ID (0x413) nor a part number "
                               "(stm32f407vg); '" CLI_PROGRAM " chips' lists them",
                               what);
    if (ctx->g.json) {
        detail_json(&ctx->json, chip);
        cli_json_key(&ctx->json, "parts");
        cli_json_array_begin(&ctx->json);
    } else {
        detail_text(ctx, chip);
    }
    bool first = true;
    for (size_t i = 0; i < stp_part_count(); i++) {
        const stp_part *p = stp_part_at(i);
        if (p->dev_id != chip->dev_id || (part != NULL && p != part))
            continue;
        if (ctx->g.json)
            part_json(&ctx->json, p, chip);
        else
            cli_printf(ctx, "  %-18s %-14s %5u KiB flash, %u KiB SRAM%s\n", first ? "parts:" : "",
                       p->name, (unsigned)p->flash_kb, (unsigned)p->sram_kb,
                       p->dual_bank ? ", dual bank" : "");
        first = false;
    }
    if (ctx->g.json)
        cli_json_array_end(&ctx->json);
    return STP_OK;
}

static stp_status run(cli_ctx *ctx)
{
    if (ctx->args.argc == 1)
        return run_one(ctx, ctx->args.argv[0]);
    const char *family = cli_opt(ctx, "family");
    size_t shown = 0;
    for (size_t i = 0; i < stp_chip_count(); i++)
        shown += wanted(family, stp_chip_at(i)) ? 1 : 0;
    if (family != NULL && shown == 0) {
        char families[128] = "";
        size_t used = 0;
        for (size_t i = 0; i < stp_chip_count(); i++) {
            const char *f = stp_chip_at(i)->family;
            bool seen = false;
            for (size_t k = 0; k < i; k++)
                seen = seen || strcasecmp(stp_chip_at(k)->family, f) == 0;
            int n = seen ? 0
                         : snprintf(families + used, sizeof(families) - used, "%s%s",
                                    used > 0 ? ", " : "", f);
            if (n > 0 && (size_t)n < sizeof(families) - used)
                used += (size_t)n;
        }
        return cli_usage_error(ctx, "no chips of family '%s' (families: %s)", family, families);
    }

    if (ctx->g.json) {
        cli_json *j = &ctx->json;
        cli_json_key(j, "chips");
        cli_json_array_begin(j);
        for (size_t i = 0; i < stp_chip_count(); i++) {
            if (wanted(family, stp_chip_at(i)))
                chip_json(j, stp_chip_at(i));
        }
        cli_json_array_end(j);
        cli_json_key(j, "parts");
        cli_json_array_begin(j);
        for (size_t i = 0; i < stp_part_count(); i++) {
            const stp_part *p = stp_part_at(i);
            const stp_chip *c = stp_chip_by_dev_id(p->dev_id);
            if (wanted(family, c))
                part_json(j, p, c);
        }
        cli_json_array_end(j);
        return STP_OK;
    }

    cli_printf(ctx, "%-6s  %-6s  %-10s  %-5s  %-24s  %s\n", "DEV ID", "FAMILY", "CORE", "FLASH",
               "FLASH SIZES (KiB)", "NAME");
    for (size_t i = 0; i < stp_chip_count(); i++) {
        const stp_chip *c = stp_chip_at(i);
        if (!wanted(family, c))
            continue;
        char sizes[96];
        sizes_text(sizes, sizeof(sizes), c, " ");
        cli_printf(ctx, "0x%03x   %-6s  %-10s  %-5s  %-24s  %s\n", (unsigned)c->dev_id, c->family,
                   stp_core_name(c->core), stp_flash_kind_name(c->flash_kind), sizes, c->name);
    }
    cli_printf(ctx, "\nPart numbers (the virtual board takes them: --probe sim:PART):\n");
    for (size_t i = 0; i < stp_part_count(); i++) {
        const stp_part *p = stp_part_at(i);
        const stp_chip *c = stp_chip_by_dev_id(p->dev_id);
        if (!wanted(family, c))
            continue;
        cli_printf(ctx, "  %-14s 0x%03x  %-3s %5u KiB flash %4u KiB SRAM%s\n", p->name,
                   (unsigned)p->dev_id, c != NULL ? c->family : "?", (unsigned)p->flash_kb,
                   (unsigned)p->sram_kb, p->dual_bank ? "  dual bank" : "");
    }
    return STP_OK;
}

const cli_command cli_cmd_chips = {
    .name = "chips",
    .summary = "list the supported device IDs, families and part numbers",
    .usage = "[--family FAMILY] [DEV_ID | PART]",
    .description = "One line per device ID of the chip database: ID, family, core, flash "
                   "controller kind, the flash sizes the ID exists in, and its name; then the "
                   "part numbers the virtual board accepts.\nWith a device ID (0x413) or a part "
                   "number (stm32f407vg): what stprog knows about that chip (flash and sector "
                   "layout, SRAM, option bytes, unique ID, ROM bootloader, supply range, the "
                   "manuals the facts come from).",
    .options = chips_options,
    .min_args = 0,
    .max_args = 1,
    .run = run,
};
