/* `stprog doctor`: the ordered checks, the report lines, and where the run stops. Each
 * check measures first and only then judges; a check that cannot run because an earlier
 * one blocked is listed as skipped, so the report always shows how far it got. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ops/doctor_internal.h"
#include "stprog/probe.h"
#include "target/cortexm.h"

const char *stp_check_result_name(stp_check_result r)
{
    switch (r) {
    case STP_CHECK_PASS:
        return "pass";
    case STP_CHECK_INFO:
        return "info";
    case STP_CHECK_WARN:
        return "warn";
    case STP_CHECK_FAIL:
        return "fail";
    case STP_CHECK_SKIP:
        return "skip";
    }
    return "?";
}

stp_doctor_check *stp_dx_check(stp_dx_run *r, const char *name, const char *title)
{
    stp_doctor_report *rep = r->rep;
    if (rep->count >= STP_DOCTOR_MAX_CHECKS) /* the list is sized for every check */
        rep->count = STP_DOCTOR_MAX_CHECKS - 1;
    stp_doctor_check *c = &rep->checks[rep->count++];
    memset(c, 0, sizeof(*c));
    snprintf(c->name, sizeof(c->name), "%s", name);
    snprintf(c->title, sizeof(c->title), "%s", title);
    c->result = STP_CHECK_SKIP;
    return c;
}

void stp_dx_set(stp_doctor_check *c, stp_check_result res, const char *fmt, ...)
{
    c->result = res;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->measured, sizeof(c->measured), fmt, ap);
    va_end(ap);
}

void stp_dx_cat(char *buf, size_t cap, const char *fmt, ...)
{
    size_t used = strnlen(buf, cap);
    if (used + 1 >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, cap - used, fmt, ap);
    va_end(ap);
}

void stp_dx_block(stp_dx_run *r, stp_doctor_check *c, stp_status st)
{
    if (r->blocking != STP_OK)
        return;
    r->blocking = st;
    snprintf(r->rep->blocked_at, sizeof(r->rep->blocked_at), "%s", c->name);
}

static void skipped(stp_dx_run *r, const char *name, const char *title)
{
    stp_doctor_check *c = stp_dx_check(r, name, title);
    stp_dx_set(c, STP_CHECK_SKIP, "not run: stopped at '%s'", r->rep->blocked_at);
}

typedef struct step {
    const char *name;
    const char *title;
    void (*run)(stp_dx_run *r);
} step;

/* After the probe and its voltage: the order a person debugging a board would follow. */
static const step steps[] = {
    {"link", "SWD connection and link quality", stp_dx_check_link},
    {"chip", "Chip identity (DP IDCODE, DBGMCU, flash size)", stp_dx_check_identity},
    {"supply", "Supply against the chip's operating range", stp_dx_check_supply_range},
    {"resets", "Resets by themselves (firmware running)", stp_dx_check_resets},
    {"nrst", "NRST wired to the probe", stp_dx_check_nrst},
    {"protection", "Read and write protection", stp_dx_check_protection},
    {"sram", "SRAM write/read-back (long transfers)", stp_dx_check_sram},
    {"flash", "Flash readable, blank-check summary", stp_dx_check_flash},
    {"load", "Supply under load (erasing blank sectors)", stp_dx_check_load},
};

/* The status of the first error finding when none blocked the run. */
static stp_status first_error_status(const stp_findings *fs, stp_status fallback)
{
    static const struct {
        const char *prefix;
        stp_status st;
    } map[] = {
        {"power.", STP_ERR_POWER},    {"link.", STP_ERR_NO_TARGET}, {"protect.", STP_ERR_PROTECTED},
        {"probe.", STP_ERR_PROTOCOL}, {"target.", STP_ERR_STATE},   {"flash.", STP_ERR_FLASH},
    };
    if (fallback != STP_OK)
        return fallback;
    for (size_t i = 0; i < fs->count; i++) {
        if (fs->items[i].severity != STP_SEV_ERROR)
            continue;
        for (size_t k = 0; k < sizeof(map) / sizeof(map[0]); k++)
            if (strncmp(fs->items[i].id, map[k].prefix, strlen(map[k].prefix)) == 0)
                return map[k].st;
        return STP_ERR_FLASH;
    }
    return STP_OK;
}

/* Leaves the core running, as a board normally is (halted with keep_halted). When the
 * checks ran code of their own on the core (the SRAM loader of the load test), the program
 * is started afresh by a reset: resuming would run the loader's last instruction. */
static void finish_core(stp_dx_run *r)
{
    stp_findings scratch = {0};
    stp_dx_write(r->dbg, STP_CM_DEMCR, 0);
    if (r->core_changed)
        (void)stp_cm_reset(r->dbg, r->id.core, STP_RESET_SW, r->opt->keep_halted, &scratch);
    else if (!r->opt->keep_halted)
        (void)stp_cm_run(r->dbg, &scratch);
    stp_findings_free(&scratch);
}

static void init_run(stp_dx_run *r, const stp_doctor_options *opt,
                     const stp_doctor_options *defaults, const stp_env *env,
                     stp_doctor_report *report, stp_findings *findings)
{
    memset(report, 0, sizeof(*report));
    report->voltage = -1.0;
    memset(r, 0, sizeof(*r));
    r->opt = opt != NULL ? opt : defaults;
    r->env = env;
    r->rep = report;
    r->findings = findings;
    r->rdp_level = -1;
    r->volts = -1.0;
}

/* Everything after the probe check; leaves the probe open. */
static stp_status run_checks(stp_dx_run *r)
{
    r->t0 = r->dbg->ops->now_ms(r->dbg);
    if (r->boot) {
        stp_dx_run_boot(r);
        if (r->opt->flash_test) {
            stp_doctor_check *c =
                stp_dx_check(r, "flash-test", "Flash test (erase, program, timing per sector)");
            stp_dx_set(c, STP_CHECK_SKIP,
                       "not possible over the ROM bootloader (it times "
                       "the flash through the debug port)");
        }
        r->rep->virtual_ms = r->dbg->ops->now_ms(r->dbg) - r->t0;
        r->rep->virtual_clock = stp_probe_clock_is_virtual(r->dbg);
        if (r->t != NULL) {
            stp_target_detach(r->t);
            r->t = NULL;
        }
        return first_error_status(r->findings, r->blocking);
    }
    if (r->blocking == STP_OK)
        stp_dx_check_voltage(r);
    else
        skipped(r, "voltage", "Target voltage (probe VREF)");
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        if (r->blocking != STP_OK) {
            skipped(r, steps[i].name, steps[i].title);
            continue;
        }
        stp_log(r->env, STP_LOG_INFO, "doctor: %s", steps[i].title);
        steps[i].run(r);
    }
    if (r->opt->flash_test) {
        if (r->blocking != STP_OK)
            skipped(r, "flash-test", "Flash test (erase, program, timing per sector)");
        else
            stp_dx_flash_test(r);
    }
    r->rep->virtual_ms = r->dbg->ops->now_ms(r->dbg) - r->t0;
    r->rep->virtual_clock = stp_probe_clock_is_virtual(r->dbg);
    if (r->connected)
        stp_dx_thaw(r);
    if (r->connected && r->halted)
        finish_core(r);
    r->rep->voltage = r->volts;
    if (r->t != NULL) {
        stp_target_detach(r->t);
        r->t = NULL;
    }
    return first_error_status(r->findings, r->blocking);
}

stp_status stp_doctor(const char *spec, const stp_doctor_options *opt, const stp_env *env,
                      stp_doctor_report *report, stp_findings *findings)
{
    if (spec == NULL || report == NULL)
        return STP_ERR_INVALID_ARG;
    stp_doctor_options defaults = {0};
    stp_dx_run r;
    init_run(&r, opt, &defaults, env, report, findings);
    stp_dx_check_probe(&r, spec);
    if (r.dbg == NULL) {
        skipped(&r, "voltage", "Target voltage");
        for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
            skipped(&r, steps[i].name, steps[i].title);
        return r.blocking != STP_OK ? r.blocking : STP_ERR_NO_PROBE;
    }
    stp_status st = run_checks(&r);
    stp_probe_close(r.dbg);
    return st;
}

stp_status stp_doctor_probe(stp_debug *dbg, const stp_doctor_options *opt, const stp_env *env,
                            stp_doctor_report *report, stp_findings *findings)
{
    if (dbg == NULL || report == NULL)
        return STP_ERR_INVALID_ARG;
    stp_doctor_options defaults = {0};
    stp_dx_run r;
    init_run(&r, opt, &defaults, env, report, findings);
    stp_dx_use_probe(&r, dbg);
    return run_checks(&r);
}
