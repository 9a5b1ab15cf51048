/* Evidence helpers shared by `stprog doctor` and the explanation of failed commands: quiet
 * register reads, RCC reset flags per family, the expected SW-DP IDCODE per core, and the
 * findings whose wording (evidence and advice) both must give the same way. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "ops/doctor_internal.h"
#include "target/cortexm.h"

bool stp_dx_read(stp_debug *d, uint32_t addr, uint32_t *val)
{
    stp_findings scratch = {0};
    *val = 0;
    stp_status st = d->ops->read_u32(d, addr, val, &scratch);
    stp_findings_free(&scratch);
    return st == STP_OK;
}

bool stp_dx_write(stp_debug *d, uint32_t addr, uint32_t val)
{
    stp_findings scratch = {0};
    stp_status st = d->ops->write_u32(d, addr, val, &scratch);
    stp_findings_free(&scratch);
    return st == STP_OK;
}

bool stp_dx_voltage(stp_debug *d, double *volts)
{
    stp_findings scratch = {0};
    *volts = -1.0;
    stp_status st = d->ops->target_voltage(d, volts, &scratch);
    stp_findings_free(&scratch);
    if (st != STP_OK)
        *volts = -1.0;
    return st == STP_OK;
}

/* RCC_CSR and its bits are the family row's columns (chipdb: rcc_base + rcc_csr_off,
 * csr_rmvf, csr_borrstf, csr_oblrstf, each with its manual section). */
uint32_t stp_dx_rcc_csr_addr(const stp_chip *chip)
{
    return stp_chip_rcc_csr(chip);
}

uint32_t stp_dx_csr_rmvf(const stp_chip *chip)
{
    return chip != NULL && chip->fam != NULL ? chip->fam->csr_rmvf : STP_DX_CSR_RMVF;
}

static uint32_t borrstf(const stp_chip *chip)
{
    return chip != NULL && chip->fam != NULL ? chip->fam->csr_borrstf : 0;
}

/* The family's reset-flag bits; without a chip the F1..G4 positions (bits 26..31). */
static const stp_family *flags_of(const stp_chip *chip)
{
    static const stp_family common = {.csr_pinrstf = 1u << 26,
                                      .csr_porrstf = 1u << 27,
                                      .csr_sftrstf = 1u << 28,
                                      .csr_iwdgrstf = 1u << 29,
                                      .csr_wwdgrstf = 1u << 30,
                                      .csr_lpwrrstf = 1u << 31};
    return chip != NULL && chip->fam != NULL ? chip->fam : &common;
}

stp_dx_flags stp_dx_decode_flags(const stp_chip *chip, uint32_t csr)
{
    stp_dx_flags f = {0};
    f.bor = (csr & borrstf(chip)) != 0;
    const stp_family *m = flags_of(chip);
    f.power = f.bor || (csr & m->csr_porrstf);
    f.pin = csr & m->csr_pinrstf;
    f.software = csr & m->csr_sftrstf;
    f.watchdog = csr & (m->csr_iwdgrstf | m->csr_wwdgrstf);
    f.low_power = csr & m->csr_lpwrrstf;
    return f;
}

void stp_dx_flags_text(const stp_chip *chip, uint32_t csr, char *buf, size_t cap)
{
    const stp_family *m = flags_of(chip);
    const struct {
        uint32_t bit;
        const char *name;
    } names[] = {
        {borrstf(chip), "BOR"},    {m->csr_oblrstf, "OBL"},   {m->csr_pinrstf, "PIN"},
        {m->csr_porrstf, "POR"},   {m->csr_sftrstf, "SFT"},   {m->csr_iwdgrstf, "IWDG"},
        {m->csr_wwdgrstf, "WWDG"}, {m->csr_lpwrrstf, "LPWR"},
    };
    size_t used = 0;
    buf[0] = '\0';
    uint32_t shown = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        uint32_t bit = names[i].bit;
        if (bit == 0 || !(csr & bit) || (shown & bit))
            continue;
        shown |= bit;
        int k = snprintf(buf + used, cap - used, "%s%s", used ? " " : "", names[i].name);
        if (k < 0 || (size_t)k >= cap - used)
            break;
        used += (size_t)k;
    }
    if (used == 0)
        snprintf(buf, cap, "none");
}

/* DPIDR per core (ARM CoreSight SW-DP: designer 0x23B; the Cortex-M TRMs and the STM32
 * reference manuals' debug chapters give these). */
size_t stp_dx_expected_dpidr(stp_core_kind core, uint32_t out[2])
{
    switch (core) {
    case STP_CORE_M0:
        out[0] = 0x0BB11477u;
        return 1;
    case STP_CORE_M0P:
        out[0] = 0x0BC11477u;
        return 1;
    case STP_CORE_M3:
        out[0] = 0x1BA01477u; /* r1p1 (early F1) */
        out[1] = 0x2BA01477u; /* r2p0/r2p1 */
        return 2;
    case STP_CORE_M4:
        out[0] = 0x2BA01477u;
        return 1;
    case STP_CORE_M7:
        out[0] = 0x5BA02477u;
        out[1] = 0x6BA02477u;
        return 2;
    case STP_CORE_M33:
        out[0] = 0x0BE12477u;
        return 1;
    }
    return 0;
}

const stp_chip *stp_dx_dbgmcu_chip(stp_debug *d, uint32_t *idcode)
{
    /* Every DBGMCU_IDCODE address of the chip table (F1..G4 0xE0042000, M0/M0+ 0x40015800,
     * H7 0x5C001000), the same lookups identification makes. */
    uint32_t addrs[8];
    size_t n = 0;
    const stp_core_kind cores[] = {STP_CORE_M3, STP_CORE_M0P, STP_CORE_M0,
                                   STP_CORE_M7, STP_CORE_M4,  STP_CORE_M33};
    for (size_t k = 0; k < sizeof cores / sizeof cores[0]; k++) {
        uint32_t a[4];
        size_t m = stp_idcode_addrs_for_core(cores[k], a, 4);
        for (size_t j = 0; j < m; j++) {
            bool seen = false;
            for (size_t i = 0; i < n && !seen; i++)
                seen = addrs[i] == a[j];
            if (!seen && n < sizeof addrs / sizeof addrs[0])
                addrs[n++] = a[j];
        }
    }
    *idcode = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t v = 0;
        if (!stp_dx_read(d, addrs[i], &v) || v == 0 || v == 0xFFFFFFFFu)
            continue;
        *idcode = v;
        const stp_chip *c = stp_chip_by_dev_id((uint16_t)(v & 0xFFFu));
        if (c != NULL && c->idcode_addr == addrs[i])
            return c;
    }
    return NULL;
}

uint32_t stp_dx_vdd_min_mv(const stp_chip *chip)
{
    return chip != NULL && chip->vdd_min_mv != 0 ? chip->vdd_min_mv : 1650u;
}

static bool has_vcap(const stp_chip *chip)
{
    return chip != NULL && chip->fam != NULL && chip->fam->has_vcap;
}

stp_finding *stp_dx_voltage_low(stp_findings *fs, double volts, const stp_chip *chip)
{
    uint32_t min = stp_dx_vdd_min_mv(chip);
    stp_finding *f =
        stp_finding_add(fs, "power.voltage-low", STP_SEV_ERROR,
                        "the target supply is %.2f V, below the %.2f V %s needs to run", volts,
                        min / 1000.0, chip != NULL ? chip->name : "any STM32");
    stp_finding_evidence(f, "target_voltage", "%.2f V", volts);
    stp_finding_evidence(f, "minimum", "%.2f V", min / 1000.0);
    if (chip != NULL)
        stp_finding_evidence(f, "range", "%.2f-%.2f V (%s)", min / 1000.0,
                             chip->vdd_max_mv / 1000.0,
                             chip->datasheet ? chip->datasheet : "datasheet");
    if (volts < 0.3)
        stp_finding_advice(f, "the board is not powered, or the probe's VREF pin (pin 1/2 of "
                              "the 20-pin header, T_VCC on STLINK-V3) is not connected to the "
                              "board's VDD: power the board and wire VREF");
    else
        stp_finding_advice(f, "measure VDD and VDDA against VSS/VSSA at the chip's pins; check "
                              "the regulator, the supply's current limit and every VDD/VSS pin. "
                              "The probe does not power the target and no probe setting fixes "
                              "this");
    return f;
}

stp_finding *stp_dx_core_unpowered(stp_findings *fs, double volts, const stp_chip *chip,
                                   uint32_t cpuid, uint32_t dbgmcu_idcode)
{
    uint32_t min = stp_dx_vdd_min_mv(chip);
    stp_finding *f = stp_finding_add(
        fs, "power.core-unpowered", STP_SEV_ERROR,
        "the debug port answers but the core does not run: CPUID and memory read as zeros%s",
        chip != NULL ? " while DBGMCU still identifies the chip" : "");
    stp_finding_evidence(f, "cpuid", "0x%08X", (unsigned)cpuid);
    if (dbgmcu_idcode != 0)
        stp_finding_evidence(f, "dbgmcu_idcode", "0x%08X", (unsigned)dbgmcu_idcode);
    if (chip != NULL)
        stp_finding_evidence(f, "chip", "%s", chip->name);
    if (volts >= 0)
        stp_finding_evidence(f, "target_voltage", "%.2f V", volts);
    stp_finding_advice(
        f,
        "the chip cannot run below %.2f V%s: measure VDD/VDDA against VSS/VSSA at the "
        "chip%s, check every VDD and VSS pin is soldered. Probe settings (clock, connect "
        "mode, another probe) will not fix this",
        min / 1000.0, has_vcap(chip) && min > 1700 ? " (1.7 V with the supply supervisor off)" : "",
        has_vcap(chip) ? " and VCAP (about 1.2 V with its capacitor to ground)" : "");
    return f;
}

stp_finding *stp_dx_brownout(stp_findings *fs, const stp_chip *chip, uint32_t dhcsr, uint32_t csr,
                             double volts, const char *when)
{
    char flags[64];
    stp_dx_flags_text(chip, csr, flags, sizeof(flags));
    stp_finding *f =
        stp_finding_add(fs, "power.brownout-reset", STP_SEV_ERROR,
                        "the chip went through a power-on/brown-out reset %s: its supply "
                        "dropped below the reset threshold",
                        when);
    stp_finding_evidence(f, "DHCSR", "0x%08X (debug enable lost: only a power reset clears it)",
                         (unsigned)dhcsr);
    stp_finding_evidence(f, "reset_flags", "%s (RCC_CSR 0x%08X)", flags, (unsigned)csr);
    if (volts >= 0)
        stp_finding_evidence(f, "target_voltage", "%.2f V (between drops)", volts);
    stp_finding_advice(f, "flash erase and programming draw more current than the running "
                          "chip: use a supply that holds its voltage under load (bench "
                          "supply or a better regulator, short thick ground), check the "
                          "decoupling capacitors, then run `stprog doctor --flash-test`");
    return f;
}

stp_finding *stp_dx_unstable(stp_findings *fs, const char *what, const char *measured)
{
    stp_finding *f = stp_finding_add(fs, "power.unstable", STP_SEV_ERROR,
                                     "the target supply is unstable: %s", what);
    stp_finding_evidence(f, "measured", "%s", measured);
    stp_finding_advice(f, "flash operations fail or stop half way on a sagging supply: power "
                          "the board from a stable source and keep the ground between probe "
                          "and board short; nothing erased or written can be trusted until "
                          "then");
    return f;
}

stp_finding *stp_dx_rdp(stp_findings *fs, int level, unsigned raw)
{
    stp_finding *f;
    if (level >= 2) {
        f = stp_finding_add(fs, "protect.rdp2", STP_SEV_ERROR,
                            "read protection level 2: the debug port is disabled for ever");
        stp_finding_evidence(f, "rdp_raw", "0x%02X", raw);
        stp_finding_advice(f, "level 2 cannot be undone; only the firmware itself (or its "
                              "own bootloader) can update the flash");
        return f;
    }
    f = stp_finding_add(fs, "protect.rdp1", STP_SEV_ERROR,
                        "read protection level 1: the debugger cannot read, erase or program "
                        "the flash");
    stp_finding_evidence(f, "rdp_level", "1");
    stp_finding_evidence(f, "rdp_raw", "0x%02X", raw);
    stp_finding_advice(f, "`stprog option-bytes set rdp=0 --unlock` removes the protection: "
                          "the chip then erases its whole flash (the firmware on it is lost), "
                          "and programming works again");
    return f;
}

stp_finding *stp_dx_rdp2_possible(stp_findings *fs, double volts)
{
    stp_finding *f = stp_finding_add(
        fs, "protect.rdp2", STP_SEV_WARNING,
        "the chip is powered but its debug port never answers, not even with NRST held low: "
        "if the SWD wiring and NRST are right, it is locked at read protection level 2");
    stp_finding_evidence(f, "target_voltage", "%.2f V", volts);
    stp_finding_advice(f, "check SWDIO, SWCLK and GND first, and that the probe's NRST pin "
                          "reaches the chip's reset: without it \"under reset\" holds nothing "
                          "and firmware that turns SWD off at start stays out of reach. A "
                          "level-2 chip cannot be unlocked (only its own firmware can update "
                          "it)");
    return f;
}

stp_finding *stp_dx_wrp(stp_findings *fs, const stp_option_bytes *ob, size_t sector_count)
{
    char list[160];
    size_t used = 0, n = 0;
    list[0] = '\0';
    for (uint32_t i = 0; i < ob->wrp_bits; i++) {
        if (!stp_option_bytes_wrp(ob, i))
            continue;
        n++;
        int k = snprintf(list + used, sizeof(list) - used, "%s%u", used ? "," : "", (unsigned)i);
        if (k > 0 && (size_t)k < sizeof(list) - used)
            used += (size_t)k;
    }
    if (n == 0)
        return NULL;
    stp_finding *f = stp_finding_add(fs, "protect.wrp", STP_SEV_WARNING,
                                     "%zu write-protection unit(s) are protected: erasing or "
                                     "programming them fails",
                                     n);
    stp_finding_evidence(f, "protected_units", "%s", list);
    stp_finding_evidence(f, "unit", "%s",
                         ob->wrp_granule               ? "block of the WRP granule"
                         : ob->wrp_sectors_per_bit > 1 ? "sector pair"
                                                       : "sector");
    stp_finding_evidence(f, "device_sector_count", "%zu (sectors 0-%zu)", sector_count,
                         sector_count ? sector_count - 1 : 0);
    stp_finding_advice(f, "`stprog option-bytes set wrp=0` removes the write protection "
                          "(`wrp-=N` for one unit)");
    return f;
}

stp_finding *stp_dx_debug_disabled(stp_findings *fs, const char *how)
{
    stp_finding *f =
        stp_finding_add(fs, "link.debug-disabled-by-firmware", STP_SEV_ERROR,
                        "the debug port answers only while NRST holds the chip in reset: the "
                        "firmware turns SWD off or sleeps with the debug clock off");
    stp_finding_evidence(f, "normal_connect", "no answer");
    stp_finding_evidence(f, "under_reset", "%s", how);
    stp_finding_advice(f, "use `--connect under-reset` (NRST must be wired); erase the flash "
                          "to get rid of that firmware, or keep PA13/PA14 as SWD and set "
                          "DBGMCU_CR DBG_STOP/DBG_STANDBY in it. Without NRST: BOOT0 high and "
                          "a power cycle starts the ROM bootloader instead");
    return f;
}

stp_finding *stp_dx_no_target(stp_findings *fs, double volts, bool volts_known, const char *tried)
{
    stp_finding *f = stp_finding_add(fs, "link.no-target", STP_SEV_ERROR,
                                     "the probe works but no target answers on SWD");
    if (volts_known)
        stp_finding_evidence(f, "target_voltage", "%.2f V", volts);
    stp_finding_evidence(f, "tried", "%s", tried);
    stp_finding_advice(f, "check SWDIO, SWCLK and GND between probe and board (and VREF), "
                          "that the board is powered, and that nothing else drives the SWD "
                          "pins; if the firmware disables them, wire NRST and use "
                          "`--connect under-reset`, or set BOOT0 high and power-cycle");
    return f;
}

bool stp_dx_sram_roundtrip(stp_debug *d, uint32_t base, uint32_t len, uint32_t *bad,
                           uint32_t *first)
{
    *bad = 0;
    *first = 0;
    len &= ~3u;
    if (len == 0 || len > 4096)
        return false;
    uint8_t *saved = stp_malloc(len), *pat = stp_malloc(len), *back = stp_malloc(len);
    stp_findings scratch = {0};
    bool ok = saved != NULL && pat != NULL && back != NULL &&
              d->ops->read_mem(d, base, saved, len, &scratch) == STP_OK;
    if (ok) {
        for (uint32_t i = 0; i < len; i++)
            pat[i] = (uint8_t)((i * 7u + 0x5Au) ^ (i >> 8));
        ok = d->ops->write_mem(d, base, pat, len, &scratch) == STP_OK &&
             d->ops->read_mem(d, base, back, len, &scratch) == STP_OK;
        for (uint32_t i = 0; ok && i < len; i++) {
            if (pat[i] != back[i] && (*bad)++ == 0)
                *first = i;
        }
        (void)d->ops->write_mem(d, base, saved, len, &scratch);
    }
    stp_findings_free(&scratch);
    stp_free(saved);
    stp_free(pat);
    stp_free(back);
    return ok;
}
