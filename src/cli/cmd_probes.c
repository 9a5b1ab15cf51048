/* stprog probes: the probes on USB of every kind the registry has (kind, serial, firmware,
 * what to pass to --probe) and the kinds themselves, or, with --probe SPEC, the probe that
 * spec opens (firmware, serial, SWD clock, capabilities, target voltage when it measures
 * one). */
#include "cli/cli.h"
#include "stprog/probe.h"

static void entry_json(cli_json *j, const stp_probe_entry *e)
{
    cli_json_object_begin(j);
    cli_json_kv_string(j, "kind", e->kind);
    cli_json_kv_string(j, "serial", e->serial[0] ? e->serial : NULL);
    cli_json_kv_string(j, "firmware", e->firmware[0] ? e->firmware : NULL);
    cli_json_kv_string(j, "spec", e->serial[0] ? e->spec : NULL);
    cli_json_kv_u64(j, "vid", e->vid);
    cli_json_kv_u64(j, "pid", e->pid);
    cli_json_kv_u64(j, "bus", e->bus);
    cli_json_kv_u64(j, "address", e->address);
    cli_json_kv_bool(j, "usable", e->usable);
    cli_json_kv_string(j, "problem", e->problem[0] ? e->problem : NULL);
    cli_json_object_end(j);
}

/* The kinds of probe this build has (the probe registry's rows). */
static void kinds_json(cli_json *j)
{
    cli_json_key(j, "kinds");
    cli_json_array_begin(j);
    for (size_t i = 0; stp_probe_kind_at(i) != NULL; i++) {
        const stp_probe_kind *k = stp_probe_kind_at(i);
        cli_json_object_begin(j);
        cli_json_kv_string(j, "prefix", k->prefix);
        cli_json_kv_string(j, "name", k->name);
        cli_json_kv_string(j, "forms", k->forms);
        cli_json_kv_string(j, "description", k->description);
        cli_json_kv_bool(j, "on_usb", k->on_usb);
        cli_json_object_end(j);
    }
    cli_json_array_end(j);
}

static void kinds_text(cli_ctx *ctx)
{
    cli_printf(ctx, "\nprobe kinds (--probe):\n");
    for (size_t i = 0; stp_probe_kind_at(i) != NULL; i++) {
        const stp_probe_kind *k = stp_probe_kind_at(i);
        cli_printf(ctx, "  %-29s  %s: %s\n", k->forms, k->name, k->description);
    }
}

static stp_status list_usb(cli_ctx *ctx)
{
    stp_probe_entry *list = NULL;
    size_t n = 0;
    stp_status st = stp_probe_list(&ctx->env, &list, &n, &ctx->findings);
    if (st != STP_OK)
        return st;
    if (ctx->g.json) {
        cli_json_key(&ctx->json, "probes");
        cli_json_array_begin(&ctx->json);
        for (size_t i = 0; i < n; i++)
            entry_json(&ctx->json, &list[i]);
        cli_json_array_end(&ctx->json);
        kinds_json(&ctx->json);
    } else if (n == 0) {
        cli_note(ctx, "no probe found on USB (a virtual board: --probe sim:PART)\n");
        kinds_text(ctx);
    } else {
        cli_printf(ctx, "%-12s  %-26s  %-11s  %-7s  %s\n", "KIND", "SERIAL", "FIRMWARE", "USB",
                   "USE WITH");
        for (size_t i = 0; i < n; i++) {
            const stp_probe_entry *e = &list[i];
            char usb[16];
            snprintf(usb, sizeof(usb), "%03u:%03u", e->bus, e->address);
            cli_printf(ctx, "%-12s  %-26s  %-11s  %-7s  %s\n", e->kind,
                       e->serial[0] ? e->serial : "?", e->firmware[0] ? e->firmware : "?", usb,
                       e->usable ? e->spec : e->problem);
        }
        kinds_text(ctx);
    }
    stp_probe_list_free(list);
    return STP_OK;
}

static stp_status show_one(cli_ctx *ctx)
{
    stp_debug *probe = NULL;
    stp_status st = stp_probe_open(ctx->g.probe, &ctx->env, &probe, &ctx->findings);
    if (st != STP_OK)
        return st;
    if (ctx->g.freq_khz != 0)
        st = stp_probe_set_clock(probe, ctx->g.freq_khz, NULL, &ctx->findings);
    double volts = -1;
    unsigned caps = stp_probe_get_caps(probe);
    bool measures = (caps & STP_PROBE_CAP_VOLTAGE) != 0;
    if (st == STP_OK && measures)
        st = stp_probe_target_voltage(probe, &volts, &ctx->findings);
    if (st == STP_OK) {
        const stp_probe_info *in = stp_probe_get_info(probe);
        if (ctx->g.json) {
            cli_json_key(&ctx->json, "probes");
            cli_json_array_begin(&ctx->json);
            cli_json_object_begin(&ctx->json);
            cli_json_kv_string(&ctx->json, "kind", in->kind);
            cli_json_kv_string(&ctx->json, "serial", in->serial);
            cli_json_kv_string(&ctx->json, "firmware", in->firmware);
            cli_json_kv_string(&ctx->json, "spec", ctx->g.probe);
            cli_json_kv_u64(&ctx->json, "vid", in->vid);
            cli_json_kv_u64(&ctx->json, "pid", in->pid);
            cli_json_kv_u64(&ctx->json, "swd_khz", in->swd_khz);
            if (measures)
                cli_json_kv_double(&ctx->json, "target_voltage", volts);
            else
                cli_json_kv_string(&ctx->json, "target_voltage", NULL);
            cli_json_key(&ctx->json, "capabilities");
            cli_json_array_begin(&ctx->json);
            if (caps & STP_PROBE_CAP_VOLTAGE)
                cli_json_string(&ctx->json, "target-voltage");
            if (caps & STP_PROBE_CAP_NRST)
                cli_json_string(&ctx->json, "nrst");
            if (caps & STP_PROBE_CAP_TRACE)
                cli_json_string(&ctx->json, "trace");
            cli_json_array_end(&ctx->json);
            cli_json_kv_bool(&ctx->json, "usable", true);
            cli_json_object_end(&ctx->json);
            cli_json_array_end(&ctx->json);
        } else {
            cli_printf(ctx, "probe:          %s\n", in->kind);
            cli_printf(ctx, "firmware:       %s\n", in->firmware);
            cli_printf(ctx, "serial:         %s\n", in->serial);
            cli_printf(ctx, "usb id:         %04x:%04x\n", in->vid, in->pid);
            cli_printf(ctx, "swd clock:      %u kHz\n", in->swd_khz);
            if (measures)
                cli_printf(ctx, "target voltage: %.2f V\n", volts);
            else
                cli_printf(ctx, "target voltage: not measured (the probe has no VREF sense)\n");
            cli_printf(ctx, "capabilities:   %s%s%s\n",
                       caps & STP_PROBE_CAP_VOLTAGE ? "target-voltage " : "",
                       caps & STP_PROBE_CAP_NRST ? "nrst " : "",
                       caps & STP_PROBE_CAP_TRACE ? "trace" : "");
        }
    }
    stp_probe_close(probe);
    return st;
}

static stp_status run(cli_ctx *ctx)
{
    return ctx->g.probe != NULL ? show_one(ctx) : list_usb(ctx);
}

const cli_command cli_cmd_probes = {
    .name = "probes",
    .summary = "list connected probes (ST-Link, CMSIS-DAP) and the probe kinds",
    .usage = "[--probe SPEC]",
    .description =
        "Lists the probes on USB, every kind stprog drives (ST-Link, CMSIS-DAP), with their "
        "kind, serial number, firmware and the --probe value that selects each, then the probe "
        "kinds --probe accepts. Probes that cannot be used are listed with the reason (no "
        "permission: install contrib/60-stprog.rules; in use by another program; ST-Link V1 "
        "unsupported). With --probe SPEC, opens that probe and shows its firmware, serial, SWD "
        "clock, what it can do (target voltage, NRST, trace) and the target voltage it "
        "measures (CMSIS-DAP probes measure none).",
    .options = NULL,
    .min_args = 0,
    .max_args = 0,
    .run = run,
};
