/* Shared by the diagnosis code (src/ops/doctor*.c, src/ops/explain*.c): the state of one
 * doctor run, and the evidence helpers both the doctor and the failure explanation use
 * (reset flags, power and protection findings with their advice). */
#ifndef STP_OPS_DOCTOR_INTERNAL_H
#define STP_OPS_DOCTOR_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "probe/debug.h"
#include "stprog/doctor.h"
#include "stprog/target.h"
#include "chipdb/chipdb.h"
#include "target/identify.h"
#include "target/iwdg.h"

/* ---- evidence helpers (explain_evidence.c) ------------------------------------------ */

/* One 32-bit read whose failure is evidence, not an error to report. */
bool stp_dx_read(stp_debug *d, uint32_t addr, uint32_t *val);
bool stp_dx_write(stp_debug *d, uint32_t addr, uint32_t val);
/* Target voltage in volts; false when the probe cannot measure it. */
bool stp_dx_voltage(stp_debug *d, double *volts);

/* RCC_CSR (reset flags) of the chip's family, 0 when unknown. */
uint32_t stp_dx_rcc_csr_addr(const stp_chip *chip);
/* RCC_CSR.RMVF (clears the reset flags): bit 24, but bit 23 on L4/G0/G4 (RM0351, RM0444,
 * RM0440), where bit 24 is the read-only FWRSTF. */
uint32_t stp_dx_csr_rmvf(const stp_chip *chip);
#define STP_DX_CSR_RMVF (1u << 24)
typedef struct stp_dx_flags {
    bool power;    /* POR/PDR or BOR: the supply went below the reset threshold */
    bool bor;      /* BORRSTF (F2/F4/F7) */
    bool pin;      /* NRST pin */
    bool software; /* SYSRESETREQ */
    bool watchdog; /* IWDG or WWDG */
    bool low_power;
} stp_dx_flags;
stp_dx_flags stp_dx_decode_flags(const stp_chip *chip, uint32_t csr);
/* "POR BOR PIN" (names of the set flags), "none" when none. */
void stp_dx_flags_text(const stp_chip *chip, uint32_t csr, char *buf, size_t cap);

/* The SW-DP IDCODE (DPIDR) values of the core; count written (at most 2). */
size_t stp_dx_expected_dpidr(stp_core_kind core, uint32_t out[2]);
/* Reads DBGMCU_IDCODE at the M3/M4/M7 address, then at the M0 address; the chip row when
 * the device ID is known. */
const stp_chip *stp_dx_dbgmcu_chip(stp_debug *d, uint32_t *idcode);

/* Findings with their advice. chip may be NULL (then the generic 1.65 V floor). */
uint32_t stp_dx_vdd_min_mv(const stp_chip *chip);
stp_finding *stp_dx_voltage_low(stp_findings *fs, double volts, const stp_chip *chip);
stp_finding *stp_dx_core_unpowered(stp_findings *fs, double volts, const stp_chip *chip,
                                   uint32_t cpuid, uint32_t dbgmcu_idcode);
stp_finding *stp_dx_brownout(stp_findings *fs, const stp_chip *chip, uint32_t dhcsr, uint32_t csr,
                             double volts, const char *when);
stp_finding *stp_dx_unstable(stp_findings *fs, const char *what, const char *measured);
stp_finding *stp_dx_rdp(stp_findings *fs, int level, unsigned raw);
stp_finding *stp_dx_rdp2_possible(stp_findings *fs, double volts);
stp_finding *stp_dx_wrp(stp_findings *fs, const stp_option_bytes *ob, size_t sector_count);
stp_finding *stp_dx_debug_disabled(stp_findings *fs, const char *how);
stp_finding *stp_dx_no_target(stp_findings *fs, double volts, bool volts_known, const char *tried);

/* Writes a pattern of len bytes (at most 4096) to SRAM at base in one transfer, reads it
 * back and restores what was there. *bad = differing bytes, *first = first differing
 * offset. False when an access failed or memory ran out. */
bool stp_dx_sram_roundtrip(stp_debug *d, uint32_t base, uint32_t len, uint32_t *bad,
                           uint32_t *first);

/* Sampled look at the flash for sectors an interrupted erase left half done: both erased
 * and non-erased bytes, finely interleaved. Adds flash.erase-incomplete per such sector
 * (at most a few) and returns how many were found. */
size_t stp_dx_scan_partial_erase(stp_target *t, stp_findings *fs);

/* ---- one doctor run (doctor*.c) ----------------------------------------------------- */
typedef struct stp_dx_run {
    const stp_doctor_options *opt;
    const stp_env *env;
    stp_doctor_report *rep;
    stp_findings *findings;
    stp_debug *dbg;
    stp_target *t; /* full target handle once identified and attached */
    stp_identity id;
    const stp_chip *chip;
    double volts;
    bool volts_known;
    bool volts_low;      /* below any STM32's floor */
    bool volts_reported; /* power.voltage-low added */
    uint32_t dp_idcode;
    unsigned khz;
    bool connected;
    bool under_reset; /* only connecting under reset worked */
    bool halted;
    int rdp_level;
    stp_status blocking; /* first blocking problem, STP_OK while none */
    uint64_t t0;
    const stp_chip *connect_chip; /* from DBGMCU right after connecting, NULL if unknown */
    uint32_t csr_at_connect;      /* RCC_CSR reset flags as found at connect */
    bool csr_at_connect_ok;
    stp_iwdg_freeze freeze; /* DBG_IWDG_STOP set at connect, put back at the end */
    bool core_changed;      /* the checks ran code on the core: reset it at the end */
    bool boot;              /* the probe is the ROM bootloader (uart:): doctor_boot.c */
} stp_dx_run;

stp_doctor_check *stp_dx_check(stp_dx_run *r, const char *name, const char *title);
void stp_dx_set(stp_doctor_check *c, stp_check_result res, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Appends printf-style text to the string in buf. */
void stp_dx_cat(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Marks the run blocked at check c with status st (the first one wins). */
void stp_dx_block(stp_dx_run *r, stp_doctor_check *c, stp_status st);

/* Adds power.voltage-low once (with the chip's range when chip is known). */
void stp_dx_report_low(stp_dx_run *r, const stp_chip *chip);

/* The checks, in order (doctor_link.c, doctor_chip.c, doctor_memory.c, doctor_flash.c). */
void stp_dx_check_probe(stp_dx_run *r, const char *spec);
void stp_dx_use_probe(stp_dx_run *r, stp_debug *dbg); /* an already open probe */
void stp_dx_check_voltage(stp_dx_run *r);
void stp_dx_check_link(stp_dx_run *r);
void stp_dx_check_identity(stp_dx_run *r);
void stp_dx_check_supply_range(stp_dx_run *r);
void stp_dx_check_resets(stp_dx_run *r);
/* Right after connecting, before halting: the reset flags as the board left them, and the
 * watchdog frozen while the core is halted (a firmware that feeds its watchdog would
 * otherwise be reset by the doctor's own halt); stp_dx_thaw puts the freeze bit back. */
void stp_dx_note_connect(stp_dx_run *r);
void stp_dx_thaw(stp_dx_run *r);
void stp_dx_check_nrst(stp_dx_run *r);
void stp_dx_check_protection(stp_dx_run *r);
void stp_dx_check_sram(stp_dx_run *r);
void stp_dx_check_flash(stp_dx_run *r);
void stp_dx_check_load(stp_dx_run *r);
void stp_dx_flash_test(stp_dx_run *r);
/* Everything after the probe check over the ROM bootloader (doctor_boot.c). */
void stp_dx_run_boot(stp_dx_run *r);

#endif
