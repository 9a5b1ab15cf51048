/* stprog — diagnosis: `stprog doctor` (ordered, non-destructive checks of probe, wiring,
 * power, chip, protection and flash, stopping at the first blocking problem; optionally a
 * destructive flash test) and the explanation of a failed command (cheap evidence gathered
 * after the failure, turned into ranked findings). Finding ids: docs/findings.md. */
#ifndef STPROG_DOCTOR_H
#define STPROG_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stprog/env.h"
#include "stprog/finding.h"
#include "stprog/status.h"

typedef struct stp_debug stp_debug;
typedef struct stp_target stp_target;

typedef enum stp_check_result {
    STP_CHECK_PASS = 0, /* measured and fine */
    STP_CHECK_INFO,     /* measured; worth knowing, nothing wrong */
    STP_CHECK_WARN,     /* a problem that does not stop programming */
    STP_CHECK_FAIL,     /* a problem (blocking when it stopped the run) */
    STP_CHECK_SKIP,     /* not run: an earlier check blocked, or not applicable */
} stp_check_result;

#define STP_DOCTOR_NAME_MAX     24
#define STP_DOCTOR_TITLE_MAX    64
#define STP_DOCTOR_MEASURED_MAX 320
#define STP_DOCTOR_MAX_CHECKS   24

/* One line of the report: what was checked and what was measured. */
typedef struct stp_doctor_check {
    char name[STP_DOCTOR_NAME_MAX];   /* stable: "probe", "voltage", "link", ... */
    char title[STP_DOCTOR_TITLE_MAX]; /* "Probe and its firmware" */
    stp_check_result result;
    char measured[STP_DOCTOR_MEASURED_MAX];
} stp_doctor_check;

typedef struct stp_doctor_report {
    stp_doctor_check checks[STP_DOCTOR_MAX_CHECKS];
    size_t count;
    char blocked_at[STP_DOCTOR_NAME_MAX]; /* check that stopped the run; "" when none */
    char chip[48];                        /* "STM32F40x/F41x" once identified */
    double voltage;                       /* volts; < 0 when not measured */
    unsigned requested_khz;               /* SWD clock asked for (probe default if 0) */
    unsigned clean_khz;                   /* highest clock that passed the stability test */
    uint64_t virtual_ms;                  /* time taken on the probe's clock */
    bool virtual_clock;                   /* that clock is the virtual board's */
} stp_doctor_report;

typedef struct stp_doctor_options {
    unsigned freq_khz; /* SWD clock to try first; 0 = the probe's default */
    bool flash_test;   /* destructive: erase/program/time every sector (the caller confirms) */
    bool keep_halted;  /* leave the core halted at the end (a debugger session) */
    uint32_t watch_ms; /* how long the firmware runs while resets are counted; 0 = 2500 */
    bool no_load_test; /* skip loading the supply (erasing sectors proven blank) */
} stp_doctor_options;

/* Runs the checks against the probe named by spec (as stp_probe_open takes it). Fills
 * report and adds findings (warnings/errors only for problems: a healthy board gives none).
 * Returns STP_OK when no error finding was added, else the status of the first blocking
 * problem (STP_ERR_NO_PROBE, STP_ERR_POWER, STP_ERR_NO_TARGET, STP_ERR_PROTECTED ...). */
stp_status stp_doctor(const char *spec, const stp_doctor_options *opt, const stp_env *env,
                      stp_doctor_report *report, stp_findings *findings);

/* The same checks on a probe the caller already has open (the GDB server's `monitor
 * doctor`): the probe stays open; the caller's target handle must be re-read afterwards
 * (the checks halt, reset through NRST and re-attach the core). */
stp_status stp_doctor_probe(stp_debug *dbg, const stp_doctor_options *opt, const stp_env *env,
                            stp_doctor_report *report, stp_findings *findings);

const char *stp_check_result_name(stp_check_result r); /* "pass", "info", "warn", ... */

/* What the failed command was doing, when known (all fields optional). */
typedef struct stp_explain_context {
    const char *operation; /* "write", "erase", "read", "info" ... */
    bool attached;         /* the target was attached with halting debug enabled (C_DEBUGEN set, see
                            * stp_explain_debug_enabled): its loss then proves a power reset */
} stp_explain_context;

/* After a command failed with st: gathers cheap evidence through dbg (target voltage, DHCSR
 * reset/halt state, RCC reset flags, CPUID/DBGMCU reachability, flash status bits, RDP/WRP
 * and a sampled read-back of the flash when t is attached, the link errors already
 * reported) and puts the causes it can name, with their evidence and the next step, at the
 * front of findings (ranked: causes before the symptoms the command reported). t may be
 * NULL (attach failed). Never fails; adds nothing when nothing abnormal is measured.
 * Returns the status that describes the failure: STP_ERR_POWER when a power cause explains
 * it (the command's own status, a timeout or a fault, is then a symptom, and the command's
 * findings about the core, link and flash say so instead of advising probe settings),
 * st otherwise. */
stp_status stp_explain_failure(stp_debug *dbg, stp_target *t, stp_status st,
                               const stp_explain_context *ctx, stp_findings *findings);

/* True when DHCSR reads with C_DEBUGEN set: the debugger has enabled halting debug, so a
 * later DHCSR without it means a power reset (see stp_explain_power_lost). Read it right
 * after attaching; hot-plug attaches leave it clear. */
bool stp_explain_debug_enabled(stp_debug *dbg);

/* One DHCSR read after a command that believes it succeeded: true when the debug logic was
 * reset under it (C_DEBUGEN cleared, which only a power-on/brown-out reset does), i.e. the
 * chip lost power and the command's result cannot be trusted. False when unknown. */
bool stp_explain_power_lost(stp_debug *dbg);

#endif
