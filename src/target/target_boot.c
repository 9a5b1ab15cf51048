/* Attaching to a chip behind a memory backend (the ROM bootloader over a UART): the chip
 * is named by the ID the ROM code reports, the flash size is read from the flash-size
 * register with Read Memory (assumed from the table under read protection, when the ROM
 * code refuses reads), and the flash session uses the family's driver for everything that
 * is pure data (option fields, KEY=VALUE parsing, erased value) while the flash engine
 * hands the operations to the backend (target/flash_boot.c). There is no core control. */
#include <stddef.h>
#include <string.h>

#include "core/alloc.h"
#include "target/flash_boot.h"
#include "target/target_internal.h"

/* The target and the family driver with the program unit over the backend, in one
 * allocation (stp_target_detach frees it through the target, its first member). */
typedef struct boot_target {
    stp_target t;
    stp_flash_driver drv;
    uint32_t unit;
} boot_target;

/* The wider of the backend's unit (Write Memory takes words) and the family's: the ROM
 * code programs the flash through the same controller, so an L4-type flash still takes
 * whole double words (a half-written one cannot be completed later). */
static uint32_t backend_unit(const stp_flash *f)
{
    const boot_target *bt =
        (const boot_target *)(const void *)((const char *)f - offsetof(boot_target, t.flash));
    return bt->unit;
}

static void read_flash_size(stp_target *t, stp_findings *findings)
{
    const stp_chip *c = t->id.chip;
    uint8_t raw[2];
    uint32_t kb = 0;
    stp_findings scratch = {0};
    t->id.flash_kb = c->flash_default_kb;
    t->id.fsize_addr = c->flash_size_reg;
    t->id.flash_size_read = false;
    stp_status st = t->dbg->ops->read_mem(t->dbg, c->flash_size_reg, raw, 2, &scratch);
    stp_findings_free(&scratch);
    if (st == STP_OK) {
        t->id.fsize_raw = (uint32_t)raw[0] | (uint32_t)raw[1] << 8;
        if (stp_chip_decode_flash_size(c, t->id.fsize_raw, &kb)) {
            t->id.flash_kb = kb;
            t->id.flash_size_read = true;
            return;
        }
    }
    stp_finding *f = stp_finding_add(findings, "flash.size-assumed", STP_SEV_INFO,
                                     "flash size taken from the chip table (%u KiB): the "
                                     "bootloader %s the flash-size register",
                                     (unsigned)c->flash_default_kb,
                                     st == STP_OK ? "returned an implausible value from"
                                                  : "did not let stprog read");
    stp_finding_evidence(f, "address", "0x%08X", (unsigned)c->flash_size_reg);
    stp_finding_evidence(f, "assumed_kb", "%u", (unsigned)c->flash_default_kb);
}

static void read_uid(stp_target *t)
{
    const stp_chip *c = t->id.chip;
    stp_findings scratch = {0};
    const uint32_t off[3] = {0, 4, c->uid_word2_offset ? c->uid_word2_offset : 8u};
    t->id.uid_valid = c->uid_addr != 0;
    for (unsigned i = 0; t->id.uid_valid && i < 3; i++)
        t->id.uid_valid = t->dbg->ops->read_mem(t->dbg, c->uid_addr + off[i], t->id.uid + 4 * i, 4,
                                                &scratch) == STP_OK;
    stp_findings_free(&scratch);
}

static stp_status build_geometry(stp_target *t)
{
    size_t n = stp_chip_sectors(t->id.chip, t->id.flash_kb, false, NULL, 0);
    if (n == 0)
        return STP_ERR_INTERNAL;
    t->sectors = stp_calloc(n, sizeof(*t->sectors));
    t->regions = stp_calloc(n, sizeof(*t->regions));
    if (t->sectors == NULL || t->regions == NULL)
        return STP_ERR_NOMEM;
    t->sector_count = stp_chip_sectors(t->id.chip, t->id.flash_kb, false, t->sectors, n);
    for (size_t i = 0; i < t->sector_count; i++) {
        t->regions[i].addr = t->sectors[i].addr;
        t->regions[i].size = t->sectors[i].size;
        t->regions[i].number = t->sectors[i].manual_number;
        t->regions[i].bank = t->sectors[i].bank;
    }
    return STP_OK;
}

static void fill_info(stp_target *t)
{
    stp_target_info *in = &t->info;
    const stp_chip *c = t->id.chip;
    in->core = stp_core_name(c->core);
    in->idcode = t->id.dev_id; /* what the ROM reports: the device ID, no revision */
    in->dev_id = t->id.dev_id;
    in->name = c->name;
    in->family = c->family;
    in->flash_kind = t->flash.drv->name;
    in->reference_manual = c->reference_manual;
    in->flash_base = c->flash_base;
    in->flash_kb = t->id.flash_kb;
    in->flash_size_read = t->id.flash_size_read;
    in->flash_size_raw = t->id.fsize_raw;
    in->flash_size_addr = t->id.fsize_addr;
    in->sram_base = c->sram_base;
    in->sram_kb = c->sram_size / 1024;
    in->uid_valid = t->id.uid_valid;
    memcpy(in->uid, t->id.uid, sizeof(in->uid));
    in->voltage = 0; /* not measured over a UART */
    in->psize_bits = 8u * t->flash.drv->program_unit(&t->flash);
}

stp_status stp_target_attach_boot(stp_debug *dbg, const stp_target_options *opt, stp_target **out,
                                  stp_findings *findings)
{
    (void)opt; /* connect modes and PSIZE are the ROM code's business */
    const stp_mem_backend *be = dbg->ops->mem_backend;
    boot_target *bt = stp_calloc(1, sizeof(*bt));
    if (bt == NULL)
        return STP_ERR_NOMEM;
    stp_target *t = &bt->t;
    t->dbg = dbg;
    stp_status st = be->device_id(dbg, &t->id.dev_id, findings);
    if (st == STP_OK) {
        t->id.chip = stp_chip_by_dev_id(t->id.dev_id);
        if (t->id.chip == NULL) {
            stp_finding *f = stp_finding_add(findings, "target.unknown-chip", STP_SEV_ERROR,
                                             "the bootloader reports device ID 0x%03X, which "
                                             "is not in the chip table",
                                             (unsigned)t->id.dev_id);
            stp_finding_evidence(f, "dev_id", "0x%03X", (unsigned)t->id.dev_id);
            stp_finding_advice(f, "`stprog chips` lists the supported device IDs");
            st = STP_ERR_UNKNOWN_CHIP;
        }
    }
    if (st == STP_OK) {
        t->id.core = t->id.chip->core;
        read_flash_size(t, findings);
        read_uid(t);
        stp_psize ps = stp_chip_psize_for_mv(t->id.chip, t->id.chip->vdd_max_mv);
        st = stp_flash_init(&t->flash, dbg, t->id.chip, t->id.flash_kb, false,
                            ps == STP_PSIZE_COUNT ? STP_PSIZE_X8 : ps);
    }
    if (st == STP_OK) {
        t->flash.route = &stp_flash_route_bootloader;
        bt->drv = *t->flash.drv;
        uint32_t family_unit = t->flash.drv->program_unit(&t->flash);
        bt->unit = be->program_unit > family_unit ? be->program_unit : family_unit;
        bt->drv.program_unit = backend_unit;
        t->flash.drv = &bt->drv;
        be->set_chip(dbg, t->id.chip, t->id.flash_kb);
        fill_info(t);
        st = build_geometry(t);
    }
    if (st != STP_OK) {
        stp_target_detach(t);
        return st;
    }
    *out = t;
    return STP_OK;
}

stp_status stp_target_reset_boot(stp_target *t, stp_reset_mode mode, bool halt,
                                 stp_findings *findings)
{
    if (halt || mode != STP_RESET_HW) {
        stp_finding *f = stp_finding_add(findings, "probe.unsupported", STP_SEV_ERROR,
                                         "over the ROM bootloader there is no %s",
                                         halt ? "halt after reset" : "software or core reset");
        stp_finding_advice(f, "`stprog go 0x08000000` starts the program in flash");
        return STP_ERR_UNSUPPORTED;
    }
    stp_findings scratch = {0};
    stp_status st = t->dbg->ops->set_nrst(t->dbg, true, &scratch);
    if (st == STP_OK) {
        t->dbg->ops->delay_ms(t->dbg, 20);
        st = t->dbg->ops->set_nrst(t->dbg, false, &scratch);
    }
    stp_findings_free(&scratch);
    if (st != STP_OK) {
        stp_finding *f = stp_finding_add(findings, "probe.unsupported", STP_SEV_ERROR,
                                         "no NRST line: the uart: spec has no reset=dtr|rts, "
                                         "or the port has no modem-control lines");
        stp_finding_advice(f, "`stprog go 0x08000000` starts the program in flash without a "
                              "reset; or wire DTR to NRST and add ,reset=dtr");
        return STP_ERR_UNSUPPORTED;
    }
    return STP_OK;
}
