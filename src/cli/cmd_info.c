/* stprog info: the probe (kind, firmware, serial, target voltage) and the target (device,
 * revision, core, flash size read or assumed, SRAM, unique ID, read/write protection). */
#include <string.h>

#include "cli/cli_target.h"

static void uid_text(const stp_target_info *in, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (!in->uid_valid)
        return;
    size_t used = 0;
    for (int i = 11; i >= 0 && used + 3 <= cap; i--)
        used += (size_t)snprintf(buf + used, cap - used, "%02X", in->uid[i]);
}

static void wrp_text(const stp_option_bytes *ob, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (uint32_t i = 0; i < ob->wrp_bits; i++) {
        if (!stp_option_bytes_wrp(ob, i))
            continue;
        int n = snprintf(buf + used, cap - used, "%s%u", used ? "," : "", (unsigned)i);
        if (n < 0 || (size_t)n >= cap - used)
            break;
        used += (size_t)n;
    }
    if (used == 0)
        snprintf(buf, cap, "none");
}

static stp_status run(cli_ctx *ctx)
{
    cli_session s;
    stp_status st = cli_session_open(ctx, 0, &s);
    if (st != STP_OK)
        return st;
    const stp_probe_info *pi = stp_probe_get_info(s.probe);
    (void)stp_target_measure_sram(s.target);
    const stp_target_info *in = stp_target_get_info(s.target);
    stp_option_bytes ob;
    stp_status obst = stp_target_read_options(s.target, &ob, &ctx->findings);
    char uid[32], wrp[160], fsize[64], sram[48];
    uid_text(in, uid, sizeof(uid));
    if (obst == STP_OK)
        wrp_text(&ob, wrp, sizeof(wrp));
    if (in->flash_size_read)
        snprintf(fsize, sizeof(fsize), "%u KiB (read from 0x%08X)", (unsigned)in->flash_kb,
                 (unsigned)in->flash_size_addr);
    else
        snprintf(fsize, sizeof(fsize), "%u KiB (assumed: register unusable)",
                 (unsigned)in->flash_kb);
    snprintf(sram, sizeof(sram), "%s%u KiB at 0x%08X", in->sram_measured ? "" : "at least ",
             (unsigned)in->sram_kb, (unsigned)in->sram_base);
    size_t nsect = stp_target_region_count(s.target);
    if (ctx->g.json) {
        cli_json *j = &ctx->json;
        cli_json_key(j, "probe");
        cli_json_object_begin(j);
        cli_json_kv_string(j, "kind", pi->kind);
        cli_json_kv_string(j, "firmware", pi->firmware);
        cli_json_kv_string(j, "serial", pi->serial);
        cli_json_kv_u64(j, "swd_khz", pi->swd_khz);
        cli_json_kv_double(j, "target_voltage", in->voltage);
        cli_json_object_end(j);
        cli_json_key(j, "target");
        cli_json_object_begin(j);
        cli_json_kv_u64(j, "dev_id", in->dev_id);
        cli_json_kv_hex32(j, "dev_id_hex", in->dev_id);
        cli_json_kv_u64(j, "rev_id", in->rev_id);
        cli_json_kv_string(j, "name", in->name);
        cli_json_kv_string(j, "family", in->family);
        cli_json_kv_string(j, "core", in->core);
        cli_json_kv_hex32(j, "cpuid", in->cpuid);
        cli_json_kv_hex32(j, "idcode", in->idcode);
        cli_json_kv_string(j, "flash_controller", in->flash_kind);
        cli_json_kv_u64(j, "flash_base", in->flash_base);
        cli_json_kv_u64(j, "flash_kb", in->flash_kb);
        cli_json_kv_bool(j, "flash_size_read", in->flash_size_read);
        cli_json_kv_hex32(j, "flash_size_raw", in->flash_size_raw);
        cli_json_kv_u64(j, "sectors", nsect);
        cli_json_kv_bool(j, "dual_bank", in->dual_bank);
        cli_json_kv_u64(j, "sram_base", in->sram_base);
        cli_json_kv_u64(j, "sram_kb", in->sram_kb);
        cli_json_kv_bool(j, "sram_measured", in->sram_measured);
        cli_json_kv_string(j, "unique_id", in->uid_valid ? uid : NULL);
        cli_json_kv_u64(j, "psize_bits", in->psize_bits);
        if (obst == STP_OK) {
            cli_json_kv_i64(j, "rdp_level", ob.rdp_level);
            cli_json_key(j, "wrp");
            cli_json_array_begin(j);
            for (uint32_t i = 0; i < ob.wrp_bits; i++)
                if (stp_option_bytes_wrp(&ob, i))
                    cli_json_u64(j, i);
            cli_json_array_end(j);
        }
        cli_json_object_end(j);
    } else {
        cli_printf(ctx, "probe:          %s, firmware %s, serial %s\n", pi->kind, pi->firmware,
                   pi->serial[0] ? pi->serial : "?");
        /* 0 V / CPUID 0: not measured / not read (the ROM bootloader over a UART). */
        if (in->voltage > 0)
            cli_printf(ctx, "target voltage: %.2f V\n", in->voltage);
        else
            cli_printf(ctx, "target voltage: not measured\n");
        if (in->cpuid != 0) {
            cli_printf(ctx, "device:         %s (device ID 0x%03X, revision 0x%04X)\n", in->name,
                       (unsigned)in->dev_id, (unsigned)in->rev_id);
            cli_printf(ctx, "core:           %s (CPUID 0x%08X)\n", in->core, (unsigned)in->cpuid);
        } else {
            cli_printf(ctx, "device:         %s (device ID 0x%03X)\n", in->name,
                       (unsigned)in->dev_id);
            cli_printf(ctx, "core:           %s\n", in->core);
        }
        cli_printf(ctx, "flash:          %s, %zu sectors, %s controller%s\n", fsize, nsect,
                   in->flash_kind, in->dual_bank ? ", dual bank" : "");
        cli_printf(ctx, "sram:           %s\n", sram);
        cli_printf(ctx, "unique id:      %s\n", in->uid_valid ? uid : "(unreadable)");
        if (obst == STP_OK) {
            cli_printf(ctx, "read protection: level %d\n", ob.rdp_level);
            cli_printf(ctx, "write protection: %s\n", wrp);
        }
    }
    cli_session_close(&s);
    return obst;
}

const cli_command cli_cmd_info = {
    .name = "info",
    .summary = "show the probe and the connected chip",
    .usage = "",
    .description =
        "Connects and shows the probe (kind, firmware, serial, target voltage) and the chip: "
        "device ID and name, revision, core, flash size and whether it was read from the chip "
        "or assumed from the chip database (an unreadable or implausible flash-size register "
        "is reported as a finding), SRAM, unique ID, read-protection level and "
        "write-protected sectors.",
    .options = NULL,
    .min_args = 0,
    .max_args = 0,
    .run = run,
};
