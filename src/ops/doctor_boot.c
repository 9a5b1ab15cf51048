/* Doctor over the ROM bootloader (`--probe uart:`): what the bootloader allows. The link
 * (the 0x7F sync at the line rate, the protocol version and the commands Get lists), the
 * chip ID (Get ID) with the flash size read through Read Memory, read protection from a
 * read attempt (the ROM NACKs Read Memory while RDP is active), the option bytes where they
 * read, and the flash readable/blank summary. The debug port's checks (voltage at VREF,
 * link quality, resets, NRST, SRAM, the load test) need SWD: listed as not possible. */
#include <stdio.h>
#include <string.h>

#include "ops/doctor_internal.h"
#include "probe/mem_backend.h"
#include "target/target_internal.h"

static void not_over_uart(stp_dx_run *r, const char *name, const char *title)
{
    stp_doctor_check *c = stp_dx_check(r, name, title);
    stp_dx_set(c, STP_CHECK_SKIP, "not possible over the ROM bootloader (needs SWD)");
}

static void boot_link(stp_dx_run *r)
{
    stp_doctor_check *c = stp_dx_check(r, "link", "Bootloader link (AN3155 sync, Get)");
    const stp_mem_backend *be = r->dbg->ops->mem_backend;
    char text[STP_DOCTOR_MEASURED_MAX - 48] = "";
    if (be->describe != NULL)
        be->describe(r->dbg, text, sizeof(text));
    stp_dx_set(c, STP_CHECK_PASS, "0x7F answered with ACK: %s", text);
    r->connected = true;
}

static void boot_chip(stp_dx_run *r)
{
    stp_doctor_check *c = stp_dx_check(r, "chip", "Chip identity (Get ID, flash size)");
    stp_target_options o = {.connect = STP_TARGET_CONNECT_NORMAL};
    stp_status st = stp_target_attach(r->dbg, &o, &r->t, r->findings);
    if (st != STP_OK) {
        r->t = NULL;
        stp_dx_set(c, STP_CHECK_FAIL, "not identified (%s)", stp_status_describe(st));
        stp_dx_block(r, c, st);
        return;
    }
    r->id = r->t->id;
    r->chip = r->t->id.chip;
    snprintf(r->rep->chip, sizeof(r->rep->chip), "%s", r->chip->name);
    stp_dx_set(c, STP_CHECK_PASS, "%s (device ID 0x%03X from Get ID), %s; flash %u KiB %s",
               r->chip->name, (unsigned)r->id.dev_id, stp_core_name(r->chip->core),
               (unsigned)r->id.flash_kb,
               r->id.flash_size_read ? "(size register read through Read Memory)"
                                     : "(assumed: the size register did not read)");
}

static void boot_protection(stp_dx_run *r)
{
    stp_doctor_check *c = stp_dx_check(r, "protection", "Read and write protection");
    uint8_t word[4];
    stp_findings scratch = {0};
    stp_status st = r->dbg->ops->read_mem(r->dbg, r->chip->flash_base, word, 4, &scratch);
    stp_findings_free(&scratch);
    if (st != STP_OK) {
        r->rdp_level = 1;
        stp_finding *f = stp_finding_add(r->findings, "protect.rdp1", STP_SEV_ERROR,
                                         "read protection is active: the bootloader refuses to "
                                         "read the flash");
        stp_finding_evidence(f, "read_memory", "refused at 0x%08X (%s)",
                             (unsigned)r->chip->flash_base, stp_status_describe(st));
        stp_finding_advice(f, "`stprog --probe uart:... option-bytes set rdp=0 --unlock` "
                              "(Readout Unprotect) removes it: the chip erases its whole "
                              "flash first");
        stp_dx_set(c, STP_CHECK_FAIL, "Read Memory of the flash refused: read protection active");
        stp_dx_block(r, c, STP_ERR_PROTECTED);
        return;
    }
    stp_option_bytes ob;
    stp_findings s2 = {0};
    st = stp_target_read_options(r->t, &ob, &s2);
    stp_findings_free(&s2);
    r->rdp_level = 0;
    if (st != STP_OK) {
        stp_dx_set(c, STP_CHECK_INFO,
                   "flash reads (no read protection); option bytes not "
                   "readable through the bootloader (%s)",
                   stp_status_describe(st));
        return;
    }
    if (stp_dx_wrp(r->findings, &ob, r->t->sector_count) != NULL) {
        stp_dx_set(c, STP_CHECK_WARN,
                   "flash reads, RDP level 0; some sectors write-protected "
                   "(see findings)");
        return;
    }
    stp_dx_set(c, STP_CHECK_PASS, "flash reads, RDP level 0 (raw 0x%02X), no write protection",
               (unsigned)ob.rdp_raw);
}

void stp_dx_run_boot(stp_dx_run *r)
{
    stp_doctor_check *v = stp_dx_check(r, "voltage", "Target voltage (probe VREF)");
    stp_dx_set(v, STP_CHECK_INFO, "not measured: a serial port has no VREF");
    boot_link(r);
    boot_chip(r);
    if (r->blocking == STP_OK)
        boot_protection(r);
    if (r->blocking == STP_OK) {
        stp_dx_check_flash(r);
    } else {
        stp_doctor_check *c = stp_dx_check(r, "flash", "Flash readable, blank-check summary");
        stp_dx_set(c, STP_CHECK_SKIP, "not run: stopped at '%s'", r->rep->blocked_at);
    }
    not_over_uart(r, "supply", "Supply against the chip's operating range");
    not_over_uart(r, "resets", "Resets by themselves (firmware running)");
    not_over_uart(r, "nrst", "NRST wired to the probe");
    not_over_uart(r, "sram", "SRAM write/read-back (long transfers)");
    not_over_uart(r, "load", "Supply under load (erasing blank sectors)");
}
