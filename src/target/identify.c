/* Chip identification. CPUID first (0xE000ED00, same on every Cortex-M), which says where
 * DBGMCU_IDCODE lives; the device ID picks the chip database row (stp_chip_identify applies
 * the F4 rev-A erratum); the flash-size register is decoded per the row and never
 * believed when the value is not one the device exists in. */
#include "target/identify.h"

#include <stdio.h>
#include <string.h>

#include "target/cortexm.h"

/* Where DBGMCU sits on a core with no row in the table: the Cortex-M0/M0+ parts keep it on
 * the APB (F0/L0/G0), the M33 ones at 0xE0044000 (L5/U5), the others at 0xE0042000. */
static uint32_t default_idcode_addr(stp_core_kind core)
{
    switch (core) {
    case STP_CORE_M0:
    case STP_CORE_M0P:
        return 0x40015800u;
    case STP_CORE_M33:
        return 0xE0044000u;
    default:
        return 0xE0042000u;
    }
}

uint32_t stp_idcode_addr_for_core(stp_core_kind core)
{
    uint32_t addr[4];
    return stp_idcode_addrs_for_core(core, addr, 4) ? addr[0] : default_idcode_addr(core);
}

/* DBGMCU_IDCODE of a core: the chip rows with that core say where it may be (a Cortex-M7
 * is an F7 at 0xE0042000 or an H7 at 0x5C001000); the first address that reads a device
 * ID of one of those rows wins. An address with nothing there (a bus fault) is no answer. */
static stp_status read_idcode(stp_debug *d, stp_identity *out, stp_findings *findings)
{
    uint32_t addr[5];
    size_t n = stp_idcode_addrs_for_core(out->core, addr, 4);
    if (n == 0)
        addr[n++] = default_idcode_addr(out->core);
    stp_status first = STP_OK;
    for (size_t i = 0; i < n; i++) {
        uint32_t v = 0;
        stp_findings scratch = {0};
        stp_status st = d->ops->read_u32(d, addr[i], &v, &scratch);
        if (st == STP_OK) {
            const stp_chip *c = stp_chip_identify((uint16_t)(v & 0xFFFu), out->cpuid);
            if (i == 0 || (c != NULL && c->idcode_addr == addr[i])) {
                out->idcode_addr = addr[i];
                out->idcode = v;
            }
            if (c != NULL && c->idcode_addr == addr[i]) {
                stp_findings_free(&scratch);
                return STP_OK;
            }
        } else if (i == 0) {
            first = st;
            stp_findings_append(findings, &scratch);
        }
        stp_findings_free(&scratch);
    }
    /* No row matched: the first address's answer stands (unknown chip, or its failure). */
    return out->idcode_addr != 0 ? STP_OK : first;
}

static void sizes_text(const stp_chip *chip, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < STP_MAX_FLASH_SIZES && chip->flash_sizes_kb[i] != 0; i++) {
        int n = snprintf(buf + used, cap - used, "%s%u", used ? ", " : "",
                         (unsigned)chip->flash_sizes_kb[i]);
        if (n < 0 || (size_t)n >= cap - used)
            break;
        used += (size_t)n;
    }
}

/* The register gave no size: the flash known to exist is the largest size of the device ID
 * (up to the database default) whose last word reads without a bus fault. A smaller part
 * read as the default would otherwise be programmed past its end, where every access
 * faults (issue 16: named as a loader fault before). Returns the size in KiB, or 0 when
 * even the smallest size's last word faults (then the default stands). */
static uint32_t probe_flash_kb(stp_debug *d, const stp_chip *chip)
{
    uint32_t best = 0;
    for (size_t i = 0; i < STP_MAX_FLASH_SIZES && chip->flash_sizes_kb[i] != 0; i++) {
        uint32_t kb = chip->flash_sizes_kb[i];
        if (kb > chip->flash_default_kb)
            break;
        uint32_t word = 0;
        stp_findings scratch = {0};
        stp_status st = d->ops->read_u32(d, chip->flash_base + kb * 1024u - 4u, &word, &scratch);
        stp_findings_free(&scratch);
        if (st != STP_OK)
            break;
        best = kb;
    }
    return best;
}

/* After an unusable register: the size to use (the probed one when the flash ends before
 * the database default), and its evidence on the finding f. */
static uint32_t probed_size(stp_debug *d, stp_identity *id)
{
    uint32_t kb = probe_flash_kb(d, id->chip);
    if (kb != 0 && kb < id->chip->flash_default_kb)
        id->flash_kb = kb;
    return id->flash_kb;
}

static void probed_evidence(const stp_identity *id, stp_finding *f)
{
    const stp_chip *chip = id->chip;
    if (id->flash_kb == chip->flash_default_kb)
        return;
    stp_finding_evidence(f, "probed_kb",
                         "%u (reads fault from 0x%08X: the flash ends there, not at the %u KB "
                         "of the database)",
                         (unsigned)id->flash_kb,
                         (unsigned)(chip->flash_base + id->flash_kb * 1024u),
                         (unsigned)chip->flash_default_kb);
}

static void read_flash_size(stp_debug *d, stp_identity *id, stp_findings *findings)
{
    const stp_chip *chip = id->chip;
    id->fsize_addr = chip->flash_size_reg;
    id->flash_kb = chip->flash_default_kb;
    id->flash_size_read = false;
    uint32_t word = 0;
    stp_findings scratch = {0};
    stp_status st = d->ops->read_u32(d, chip->flash_size_reg & ~3u, &word, &scratch);
    stp_findings_free(&scratch);
    char sizes[96];
    sizes_text(chip, sizes, sizeof(sizes));
    if (st != STP_OK) {
        uint32_t kb = probed_size(d, id);
        stp_finding *f = stp_finding_add(
            findings, "flash.size-unreadable", STP_SEV_WARNING,
            "the flash-size register at 0x%08X could not be read (%s); assuming %u KB (%s)",
            (unsigned)chip->flash_size_reg, stp_status_name(st), (unsigned)kb,
            kb == chip->flash_default_kb ? "the chip database's size"
                                         : "the flash that answers; the database allows more");
        stp_finding_evidence(f, "address", "0x%08X", (unsigned)chip->flash_size_reg);
        stp_finding_evidence(f, "status", "%s", stp_status_name(st));
        stp_finding_evidence(f, "assumed_kb", "%u", (unsigned)kb);
        stp_finding_evidence(f, "sizes_of_device", "%s KB", sizes);
        probed_evidence(id, f);
        stp_finding_advice(f,
                           "if the part has a different size, the flash beyond %u KB is "
                           "not used; check the marking on the chip",
                           (unsigned)kb);
        return;
    }
    uint32_t raw = (chip->flash_size_reg & 2u) ? (word >> 16) : (word & 0xFFFFu);
    id->fsize_raw = raw;
    uint32_t kb = 0;
    if (!stp_chip_decode_flash_size(chip, raw, &kb)) {
        uint32_t used_kb = probed_size(d, id);
        stp_finding *f = stp_finding_add(
            findings, "flash.size-implausible", STP_SEV_WARNING,
            "the flash-size register reads 0x%04X (%u KB), which no %s has; using %u KB (%s)",
            (unsigned)raw, (unsigned)raw, chip->name, (unsigned)used_kb,
            used_kb == chip->flash_default_kb ? "the chip database's size"
                                              : "the flash that answers");
        stp_finding_evidence(f, "raw", "0x%04X", (unsigned)raw);
        stp_finding_evidence(f, "address", "0x%08X", (unsigned)chip->flash_size_reg);
        stp_finding_evidence(f, "assumed_kb", "%u", (unsigned)used_kb);
        stp_finding_evidence(f, "sizes_of_device", "%s KB", sizes);
        probed_evidence(id, f);
        stp_finding_advice(f, "the register is known to hold garbage on some parts and "
                              "clones; the size that reads is used");
        return;
    }
    if (chip->fsize_decode == STP_FSIZE_L1_LOWBYTE && (raw >> 8) != 0) {
        /* Category 1/2 L1: the upper byte is not part of the value (RM0038 errata). */
        stp_finding *f = stp_finding_add(
            findings, "flash.size-implausible", STP_SEV_WARNING,
            "the flash-size register reads 0x%04X (%u KB as a 16-bit value); only its low "
            "byte is valid on %s: %u KB",
            (unsigned)raw, (unsigned)raw, chip->name, (unsigned)kb);
        stp_finding_evidence(f, "raw", "0x%04X", (unsigned)raw);
        stp_finding_evidence(f, "address", "0x%08X", (unsigned)chip->flash_size_reg);
        stp_finding_evidence(f, "decoded_kb", "%u", (unsigned)kb);
        stp_finding_advice(f,
                           "tools that read the whole half-word report %u KB; the real "
                           "size is %u KB",
                           (unsigned)raw, (unsigned)kb);
    }
    id->flash_kb = kb;
    id->flash_size_read = true;
}

static void read_uid(stp_debug *d, stp_identity *id)
{
    const stp_chip *chip = id->chip;
    id->uid_valid = false;
    if (chip->uid_addr == 0)
        return;
    /* L1 keeps the third word 0x14 bytes above the base (RM0038 "Unique device ID"). */
    const uint32_t off[3] = {0, 4, chip->uid_word2_offset ? chip->uid_word2_offset : 8u};
    stp_findings scratch = {0};
    for (int i = 0; i < 3; i++) {
        uint32_t w = 0;
        if (d->ops->read_u32(d, chip->uid_addr + off[i], &w, &scratch) != STP_OK) {
            stp_findings_free(&scratch);
            return;
        }
        for (int b = 0; b < 4; b++)
            id->uid[i * 4 + b] = (uint8_t)(w >> (8 * b));
    }
    stp_findings_free(&scratch);
    id->uid_valid = true;
}

stp_status stp_identify(stp_debug *d, stp_identity *out, stp_findings *findings)
{
    memset(out, 0, sizeof(*out));
    stp_status st = d->ops->read_u32(d, STP_CM_CPUID, &out->cpuid, findings);
    if (st != STP_OK)
        return st;
    if (!stp_cm_core_from_cpuid(out->cpuid, &out->core)) {
        stp_finding *f = stp_finding_add(findings, "target.unknown-core", STP_SEV_ERROR,
                                         "CPUID 0x%08X is not a Cortex-M core stprog knows",
                                         (unsigned)out->cpuid);
        stp_finding_evidence(f, "cpuid", "0x%08X", (unsigned)out->cpuid);
        stp_finding_advice(f, "a CPUID of 0 or 0xFFFFFFFF means the memory access port "
                              "does not reach the core: check power and wiring");
        return STP_ERR_UNKNOWN_CHIP;
    }
    st = read_idcode(d, out, findings);
    if (st != STP_OK)
        return st;
    out->dev_id = (uint16_t)(out->idcode & 0xFFFu);
    out->rev_id = (uint16_t)(out->idcode >> 16);
    out->chip = stp_chip_identify(out->dev_id, out->cpuid);
    if (out->chip == NULL) {
        stp_finding *f = stp_finding_add(findings, "target.unknown-chip", STP_SEV_ERROR,
                                         "device ID 0x%03X (%s) is not in the chip database",
                                         (unsigned)out->dev_id, stp_core_name(out->core));
        stp_finding_evidence(f, "idcode", "0x%08X", (unsigned)out->idcode);
        stp_finding_evidence(f, "idcode_address", "0x%08X", (unsigned)out->idcode_addr);
        stp_finding_evidence(f, "cpuid", "0x%08X", (unsigned)out->cpuid);
        stp_finding_advice(f, "stprog supports the families listed by `stprog chips`");
        return STP_ERR_UNKNOWN_CHIP;
    }
    out->dev_id = out->chip->dev_id; /* after the erratum */
    read_flash_size(d, out, findings);
    read_uid(d, out);
    return STP_OK;
}
