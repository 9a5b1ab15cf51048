/* Checks made right before the first erase, so that a write whose outcome is already known
 * to be bad erases nothing: the supply below what the flash needs at any program width, and
 * a probe that corrupts the transfers direct programming would send. */
#include <stdio.h>
#include <string.h>

#include "ops/doctor_internal.h"
#include "ops/ops_internal.h"

/* The lowest supply at which the flash can be written at all: the chip's minimum, or the
 * lowest program width's minimum where that is higher (F2/F4/F7 PSIZE table). */
static uint32_t flash_floor_mv(const stp_chip *chip)
{
    uint32_t floor = stp_dx_vdd_min_mv(chip), lowest = 0;
    for (int p = 0; p < STP_PSIZE_COUNT; p++) {
        uint32_t mv = chip->timing.psize_min_mv[p];
        if (mv != 0 && (lowest == 0 || mv < lowest))
            lowest = mv;
    }
    return lowest > floor ? lowest : floor;
}

stp_status stp_ops_check_supply(stp_target *t, stp_findings *findings)
{
    stp_debug *d = t->dbg;
    double volts = 0;
    if (d->ops->mem_backend != NULL || !stp_dx_voltage(d, &volts))
        return STP_OK; /* nothing measures the supply (a serial adapter, old firmware) */
    const stp_chip *chip = t->id.chip;
    uint32_t floor = flash_floor_mv(chip);
    if (volts * 1000.0 >= (double)floor)
        return STP_OK;
    stp_finding *f = stp_dx_voltage_low(findings, volts, chip);
    if (f != NULL && floor > stp_dx_vdd_min_mv(chip))
        stp_finding_evidence(f, "flash_minimum", "%.2f V (the lowest program width)",
                             floor / 1000.0);
    stp_finding_evidence(f, "refused", "before the first erase: nothing was erased or written");
    return STP_ERR_POWER;
}

/* The probe's error finding for the transfers it corrupts: the loader's warning of the same
 * cause, when there is one, becomes it. */
static stp_finding *corrupts_finding(stp_findings *findings)
{
    for (size_t i = 0; findings != NULL && i < findings->count; i++)
        if (strcmp(findings->items[i].id, "probe.corrupts-transfers") == 0) {
            findings->items[i].severity = STP_SEV_ERROR;
            return &findings->items[i];
        }
    return stp_finding_add(findings, "probe.corrupts-transfers", STP_SEV_ERROR, "%s", "");
}

stp_status stp_ops_check_link(stp_target *t, stp_findings *findings)
{
    stp_debug *d = t->dbg;
    const stp_chip *chip = t->id.chip;
    if (d->ops->mem_backend != NULL || chip->sram_size < 256)
        return STP_OK; /* the ROM bootloader checksums every block itself */
    uint32_t len = t->flash.drv->chunk_max;
    len = len < 16 ? 16 : len & ~3u;
    uint32_t tried[8], n = 0, clean = 0, bad = 0, first = 0;
    for (uint32_t size = len; size >= 16 && clean == 0 && n < 8; size /= 2) {
        d->ops->set_transfer_limit(d, size);
        uint32_t b = 0, f0 = 0;
        if (!stp_dx_sram_roundtrip(d, chip->sram_base, len, &b, &f0))
            b = 1; /* an access failed: not intact */
        tried[n++] = size;
        if (b == 0)
            clean = size;
        else if (n == 1) {
            bad = b;
            first = f0;
        }
    }
    d->ops->set_transfer_limit(d, clean == len ? 0 : clean);
    if (clean == len)
        return STP_OK;
    char sizes[64];
    size_t used = 0;
    for (uint32_t i = 0; i < n && used < sizeof(sizes); i++)
        used += (size_t)snprintf(sizes + used, sizeof(sizes) - used, "%s%u", i ? ", " : "",
                                 (unsigned)tried[i]);
    stp_finding *f = corrupts_finding(findings);
    if (clean != 0) {
        f->severity = STP_SEV_WARNING;
        snprintf(f->message, sizeof(f->message),
                 "the probe corrupts %u-byte memory writes; programming in transfers of %u "
                 "bytes, which came back intact",
                 (unsigned)len, (unsigned)clean);
        stp_finding_evidence(f, "longest_clean_transfer", "%u bytes", (unsigned)clean);
    } else {
        snprintf(f->message, sizeof(f->message),
                 "the probe corrupts memory writes of every length tried (%s bytes): refusing "
                 "to erase or program, nothing was changed",
                 sizes);
        stp_finding_evidence(f, "refused",
                             "before the first erase: nothing was erased or "
                             "written");
    }
    stp_finding_evidence(f, "lengths_tried", "%s bytes", sizes);
    stp_finding_evidence(f, "bad_bytes", "%u of %u at offset %u", (unsigned)bad, (unsigned)len,
                         (unsigned)first);
    stp_finding_advice(f, "a clone or faulty probe (or its firmware) garbles what it writes: use "
                          "a genuine ST-Link or update its firmware; `stprog doctor` measures "
                          "the longest transfer it gets right");
    return clean != 0 ? STP_OK : STP_ERR_PROTOCOL;
}
