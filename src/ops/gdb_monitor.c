/* gdb's `monitor` commands: reset [halt], halt, erase, info, doctor, rtt (gdb_rtt.c),
 * semihosting on|off, help. Output goes to
 * the gdb console; a failed command prints its findings and answers E01, which gdb shows
 * as an error (and which stops a batch script). */
#include <stdio.h>
#include <string.h>

#include "ops/gdb_internal.h"
#include "stprog/doctor.h"

static const char help_text[] = "stprog monitor commands:\n"
                                "  reset [halt]  reset the chip (and stop at the reset vector)\n"
                                "  halt          stop the core\n"
                                "  erase         erase the whole flash\n"
                                "  info          the chip, its flash and the probe\n"
                                "  doctor        diagnose the board\n"
                                "  rtt setup ADDR SIZE | start | stop | channels |\n"
                                "      server start PORT CHANNEL | server stop PORT\n"
                                "                RTT channels on TCP ports (as OpenOCD)\n"
                                "  semihosting on|off  serve BKPT 0xAB calls (on)\n";

static void finish(gdb_session *s, stp_status st, stp_findings *f)
{
    if (st != STP_OK) {
        gdb_report_findings(s, f, true);
        gdb_send_str(s, "E01");
    } else {
        gdb_send_str(s, "OK");
    }
}

/* The diagnosis that works on the attached target through the open probe (the evidence
 * stprog gathers after a failure: voltage, power and reset state, flash controller status,
 * protection). The full ordered checks of `stprog doctor` open the probe themselves, which
 * the server holds. */
static void doctor(gdb_session *s)
{
    stp_findings f = {0};
    double volts = 0;
    bool measured = stp_probe_target_voltage(s->dbg, &volts, NULL) == STP_OK && volts > 0;
    stp_explain_context ctx = {.operation = "gdbserver", .attached = true};
    (void)stp_explain_failure(s->dbg, s->t, STP_OK, &ctx, &f);
    if (measured)
        gdb_console(s, "target voltage: %.2f V\n", volts);
    else
        gdb_console(s, "target voltage: not measured by this probe\n");
    if (f.count == 0)
        gdb_console(s, "no problem found in power, reset state, flash controller status and "
                       "protection\n");
    else
        gdb_report_findings(s, &f, true);
    gdb_console(s, "(all checks, including the link and clock: stop the server, run `stprog "
                   "doctor`)\n");
    stp_findings_free(&f);
}

static void info(gdb_session *s)
{
    const stp_target_info *i = stp_target_get_info(s->t);
    const stp_probe_info *p = stp_probe_get_info(s->dbg);
    size_t cl = i->core != NULL ? strlen(i->core) : 0;
    bool named = cl > 0 && i->core[cl - 1] == 'F'; /* "Cortex-M4F" says it already */
    gdb_console(s, "chip:  %s (device 0x%03X rev 0x%04X), %s%s\n", i->name, i->dev_id, i->rev_id,
                i->core, s->hw.fpu && !named ? " with FPU" : "");
    gdb_console(s, "flash: %u KiB at 0x%08X in %zu erase units; SRAM %u KiB at 0x%08X\n",
                (unsigned)i->flash_kb, (unsigned)i->flash_base, stp_target_region_count(s->t),
                (unsigned)i->sram_kb, (unsigned)i->sram_base);
    gdb_console(s, "debug: %u FPB breakpoints, %u DWT watchpoints\n", s->hw.fpb_count,
                s->hw.dwt_count);
    gdb_console(s, "probe: %s %s serial %s, SWD %u kHz\n", p->kind, p->firmware, p->serial,
                p->swd_khz);
}

void gdb_monitor(gdb_session *s, const char *text)
{
    char cmd[64] = "", arg[64] = "", extra[8] = "";
    int n = sscanf(text, "%63s %63s %7s", cmd, arg, extra);
    stp_findings f = {0};
    stp_status st = STP_OK;
    if (n <= 0 || strcmp(cmd, "help") == 0) {
        gdb_console(s, "%s", help_text);
    } else if (strcmp(cmd, "reset") == 0 && (n == 1 || (n == 2 && strcmp(arg, "halt") == 0))) {
        bool halt = n == 2;
        st = stp_target_reset(s->t, s->opt->reset, halt, &f);
        if (st == STP_OK && !halt)
            st = stp_target_run(s->t, &f);
        if (st == STP_OK)
            gdb_console(s, halt ? "reset, halted at the reset vector\n" : "reset, running\n");
        s->last_signal = 5;
        s->last_watch[0] = '\0';
    } else if (strcmp(cmd, "halt") == 0 && n == 1) {
        st = stp_target_halt(s->t, &f);
        if (st == STP_OK)
            gdb_console(s, "halted\n");
    } else if (strcmp(cmd, "erase") == 0 && n == 1) {
        gdb_break_clear_all(s);
        st = stp_erase_all(s->t, s->env, &f);
        if (st == STP_OK)
            gdb_console(s, "flash erased\n");
    } else if (strcmp(cmd, "info") == 0 && n == 1) {
        info(s);
    } else if (strcmp(cmd, "doctor") == 0 && n == 1) {
        doctor(s);
    } else if (strcmp(cmd, "rtt") == 0) {
        st = gdb_rtt_monitor(s, text, &f);
    } else if (strcmp(cmd, "semihosting") == 0 && n == 2 &&
               (strcmp(arg, "on") == 0 || strcmp(arg, "off") == 0)) {
        s->semihosting_off = strcmp(arg, "off") == 0;
        gdb_console(s, "semihosting %s\n", s->semihosting_off ? "off" : "on");
    } else {
        gdb_console(s, "unknown monitor command '%s'\n%s", text, help_text);
        st = STP_ERR_INVALID_ARG;
    }
    finish(s, st, &f);
    stp_findings_free(&f);
}
