/* The explanation of a failed command: after write/erase/read/info/... failed, measure what
 * is still cheap to measure (target voltage, DHCSR, CPUID/DBGMCU, RCC reset flags, the
 * flash status register, option bytes, a sampled read-back of the flash, the link errors
 * the command met) and put the causes in front of the symptoms. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "ops/doctor_internal.h"
#include "target/cortexm.h"
#include "target/target_internal.h"

typedef struct explain {
    stp_debug *dbg;
    stp_target *t;
    const stp_chip *chip;
    const stp_findings *seen; /* what the command reported */
    stp_findings causes;
    double volts;
    bool volts_known;
    bool dp_alive;
    bool power_cause;      /* a power finding explains the failure */
    const char *operation; /* the failing command (stp_explain_context.operation) */
} explain;

/* Did the failing command program the flash itself? Only then do the controller's error
 * bits (cleared when it unlocked) and a read-back mismatch tell about that programming: a
 * standalone verify or read finds bits the firmware left (a store into locked flash sets
 * WRPERR on L1) and content that is merely different. */
static bool programmed(const explain *x, bool erase_counts)
{
    const char *op = x->operation;
    if (op == NULL)
        return false;
    if (strcmp(op, "write") == 0 || strcmp(op, "gdbserver") == 0)
        return true;
    return erase_counts && (strcmp(op, "erase") == 0 || strcmp(op, "option-bytes") == 0);
}

static bool seen_id(const explain *x, const char *id)
{
    return stp_findings_find(x->seen, id) != NULL || stp_findings_find(&x->causes, id) != NULL;
}

static size_t seen_prefix(const explain *x, const char *prefix)
{
    size_t n = 0, len = strlen(prefix);
    for (size_t i = 0; i < x->seen->count; i++)
        if (strncmp(x->seen->items[i].id, prefix, len) == 0)
            n++;
    return n;
}

/* The debug port dead: does it answer while NRST holds the chip? */
static void explain_no_answer(explain *x)
{
    stp_findings scratch = {0};
    uint32_t dp = 0;
    bool answered = false;
    if (x->dbg->ops->set_nrst(x->dbg, true, &scratch) == STP_OK) {
        answered = x->dbg->ops->attach(x->dbg, &dp, &scratch) == STP_OK && dp != 0;
        if (answered) { /* keep the core from running the firmware again */
            stp_dx_write(x->dbg, STP_CM_DHCSR,
                         STP_CM_DHCSR_DBGKEY | STP_CM_DHCSR_C_DEBUGEN | STP_CM_DHCSR_C_HALT);
            stp_dx_write(x->dbg, STP_CM_DEMCR, STP_CM_DEMCR_VC_CORERESET);
        }
        (void)x->dbg->ops->set_nrst(x->dbg, false, &scratch);
    }
    stp_findings_free(&scratch);
    if (answered) {
        stp_finding *f = stp_dx_debug_disabled(&x->causes, "answers (DP IDCODE read)");
        stp_finding_evidence(f, "dp_idcode", "0x%08X", (unsigned)dp);
        return;
    }
    stp_dx_no_target(&x->causes, x->volts, x->volts_known, "normal connect and under reset");
    if (x->volts_known && x->volts * 1000.0 >= stp_dx_vdd_min_mv(NULL))
        stp_dx_rdp2_possible(&x->causes, x->volts);
}

static void explain_power(explain *x, uint32_t dhcsr, bool attached)
{
    if (x->volts_known && x->volts * 1000.0 < stp_dx_vdd_min_mv(x->chip)) {
        stp_dx_voltage_low(&x->causes, x->volts, x->chip);
        x->power_cause = true;
    }
    uint32_t cpuid = 0;
    if (stp_dx_read(x->dbg, STP_CM_CPUID, &cpuid) && (cpuid == 0 || cpuid == 0xFFFFFFFFu)) {
        uint32_t idcode = 0;
        const stp_chip *c = stp_dx_dbgmcu_chip(x->dbg, &idcode);
        if (x->chip == NULL)
            x->chip = c;
        stp_dx_core_unpowered(&x->causes, x->volts, x->chip, cpuid, idcode);
        x->power_cause = true;
        return;
    }
    uint32_t csr_addr = stp_dx_rcc_csr_addr(x->chip), csr = 0;
    bool csr_ok = csr_addr != 0 && stp_dx_read(x->dbg, csr_addr, &csr);
    if (attached && !(dhcsr & STP_CM_DHCSR_C_DEBUGEN)) {
        /* The command had enabled debug and halted the core; only a power-on or brown-out
         * reset clears C_DEBUGEN. */
        stp_dx_brownout(&x->causes, x->chip, dhcsr, csr_ok ? csr : 0, x->volts,
                        "while the command ran");
        if (x->volts_known && x->volts * 1000.0 >= stp_dx_vdd_min_mv(x->chip)) {
            char m[96];
            snprintf(m, sizeof(m), "%.2f V now, yet the chip lost power during the command",
                     x->volts);
            stp_dx_unstable(&x->causes, "it recovered after dropping below the reset level", m);
        }
        x->power_cause = true;
        return;
    }
    /* The flash engine reads DHCSR after its operations (clearing S_RESET_ST) and reports a
     * reset it saw as flash.interrupted-by-reset. */
    bool engine_saw = seen_id(x, "flash.interrupted-by-reset");
    if (csr_ok && ((dhcsr & STP_CM_DHCSR_S_RESET_ST) || engine_saw)) {
        stp_dx_flags fl = stp_dx_decode_flags(x->chip, csr);
        if (fl.watchdog) {
            char flags[64];
            stp_dx_flags_text(x->chip, csr, flags, sizeof(flags));
            stp_finding *f = stp_finding_add(&x->causes, "target.reset-loop", STP_SEV_ERROR,
                                             "a watchdog reset the chip during the command");
            stp_finding_evidence(f, "DHCSR", "0x%08X (%s)", (unsigned)dhcsr,
                                 (dhcsr & STP_CM_DHCSR_S_RESET_ST)
                                     ? "S_RESET_ST"
                                     : "S_RESET_ST seen by the flash operation");
            stp_finding_evidence(f, "reset_flags", "%s", flags);
            if (x->t != NULL && x->t->flash.under_reset) /* the firmware never ran */
                stp_finding_advice(f, "connected under reset, so the hardware-watchdog option "
                                      "(wdg_sw/iwdg_sw = 0) started it: set it to 1 with "
                                      "`stprog option-bytes` to program, then back; `stprog "
                                      "doctor` measures the reset interval");
            else
                stp_finding_advice(f, "the firmware lets its watchdog expire: connect under "
                                      "reset (`--connect under-reset`) so it does not run, and "
                                      "erase it; `stprog doctor` measures the reset interval");
        }
    }
}

static void explain_flash_status(explain *x)
{
    const stp_flash_driver *drv = x->t->flash.drv;
    uint32_t sr = 0;
    if (!programmed(x, true))
        return;
    if (drv == NULL || !stp_dx_read(x->dbg, x->t->flash.regs + drv->sr_offset, &sr))
        return;
    for (size_t i = 0; i < drv->error_count; i++) {
        const stp_flash_error_bit *b = &drv->errors[i];
        if (!(sr & b->mask) || seen_id(x, b->id))
            continue;
        stp_finding *f =
            stp_finding_add(&x->causes, "flash.program-error", STP_SEV_ERROR,
                            "the flash controller still shows %s: %s", b->bit, b->meaning);
        stp_finding_evidence(f, "status_register", "0x%08X", (unsigned)sr);
        stp_finding_evidence(f, "bit", "%s", b->bit);
        if (b->advice != NULL)
            stp_finding_advice(f, "%s", b->advice);
    }
}

/* Read-back differs although nothing else is wrong: the cells do not hold what was
 * programmed (worn sectors, or an erase that left bits behind). */
static void explain_verify(explain *x)
{
    const stp_finding *m = stp_findings_find(x->seen, "verify.mismatch");
    if (m == NULL || seen_id(x, "flash.program-error") || !programmed(x, false))
        return;
    /* A probe that garbles long transfers gives the same symptom: test it first. */
    uint32_t bad = 0, first = 0, len = 1024;
    if (x->chip != NULL && x->chip->sram_size / 2 < len)
        len = x->chip->sram_size / 2;
    if (x->chip != NULL && stp_dx_sram_roundtrip(x->dbg, x->chip->sram_base, len, &bad, &first) &&
        bad > 0) {
        stp_finding *f = stp_finding_add(&x->causes, "probe.corrupts-transfers", STP_SEV_ERROR,
                                         "the probe corrupts memory transfers: %u of %u bytes "
                                         "written to SRAM came back wrong",
                                         (unsigned)bad, (unsigned)len);
        stp_finding_evidence(f, "transfer_bytes", "%u", (unsigned)len);
        stp_finding_evidence(f, "first_bad_offset", "%u", (unsigned)first);
        stp_finding_advice(f, "`stprog doctor` measures the longest intact transfer; use a "
                              "genuine ST-Link or update its firmware");
        return;
    }
    stp_finding *f = stp_finding_add(&x->causes, "flash.program-error", STP_SEV_ERROR,
                                     "the flash does not hold what was programmed although the "
                                     "supply, the link and the controller reported no error");
    for (size_t i = 0; i < m->evidence_count; i++)
        if (strcmp(m->evidence[i].key, "first_address") == 0 ||
            strcmp(m->evidence[i].key, "mismatches") == 0)
            stp_finding_evidence(f, m->evidence[i].key, "%s", m->evidence[i].value);
    if (x->volts_known)
        stp_finding_evidence(f, "target_voltage", "%.2f V", x->volts);
    stp_finding_advice(f, "worn or weak sectors lose bits: `stprog doctor --flash-test` "
                          "erases and programs every sector and names the worn ones");
}

static void explain_protection(explain *x, stp_status st)
{
    bool relevant = st == STP_ERR_PROTECTED || seen_id(x, "protect.rdp-active") ||
                    seen_id(x, "flash.wrp-error") || seen_id(x, "plan.write-protected") ||
                    seen_id(x, "flash.read-protection-error") || seen_prefix(x, "swd.ap-fault");
    if (!relevant)
        return;
    stp_findings scratch = {0};
    stp_option_bytes ob;
    stp_status s = stp_target_read_options(x->t, &ob, &scratch);
    stp_findings_free(&scratch);
    if (s != STP_OK)
        return;
    if (ob.rdp_level >= 1)
        stp_dx_rdp(&x->causes, ob.rdp_level, ob.rdp_raw);
    else
        stp_dx_wrp(&x->causes, &ob, x->t->sector_count);
}

static void explain_link(explain *x)
{
    size_t parity = seen_prefix(x, "swd.parity-error") + seen_prefix(x, "swd.wait-timeout") +
                    seen_prefix(x, "swd.dp-fault");
    if (parity == 0 || x->power_cause)
        return;
    const stp_probe_info *pi = &x->dbg->info;
    stp_finding *f = stp_finding_add(&x->causes, "link.noisy", STP_SEV_ERROR,
                                     "the SWD link corrupted transfers at %u kHz", pi->swd_khz);
    stp_finding_evidence(f, "link_errors", "%zu", parity);
    stp_finding_evidence(f, "swd_khz", "%u", pi->swd_khz);
    stp_finding_advice(f,
                       "retry with a lower clock (`--freq %u`); `stprog doctor` measures "
                       "the highest clean clock. Shorten the wires, connect GND next to "
                       "SWDIO/SWCLK; clone probes are often marginal",
                       pi->swd_khz > 200 ? pi->swd_khz / 4 : 100);
}

static void append_one(stp_findings *list, const stp_finding *f)
{
    stp_findings one = {.items = (stp_finding *)f, .count = 1, .capacity = 1};
    stp_findings_append(list, &one);
}

/* The command's finding a cause repeats (the flash engine's power.brownout-reset naming the
 * operation, explain's with the reset flags), or NULL. */
static const stp_finding *repeated(const stp_findings *findings, const stp_finding *cause)
{
    return stp_findings_find(findings, cause->id);
}

/* Causes first, then the command's findings. A cause the command already reported is one
 * finding, in front: the command's message and evidence (it names what was interrupted),
 * the explanation's evidence added, its advice. */
static void merge(stp_findings *findings, stp_findings *causes)
{
    if (causes->count == 0)
        return;
    stp_findings merged = {0};
    size_t joined = 0;
    for (size_t i = 0; i < causes->count; i++) {
        const stp_finding *c = &causes->items[i];
        const stp_finding *same = repeated(findings, c);
        if (same == NULL) {
            append_one(&merged, c);
            continue;
        }
        stp_finding one = *same;
        stp_finding_join_evidence(&one, c);
        if (c->advice[0] != '\0')
            memcpy(one.advice, c->advice, sizeof(one.advice));
        if (c->severity > one.severity)
            one.severity = c->severity;
        append_one(&merged, &one);
        joined++;
    }
    for (size_t i = 0; i < findings->count; i++) {
        const stp_finding *f = &findings->items[i];
        bool folded = false;
        for (size_t k = 0; k < causes->count && !folded; k++)
            folded = repeated(findings, &causes->items[k]) == f;
        if (!folded)
            append_one(&merged, f);
    }
    if (merged.count < causes->count + findings->count - joined) { /* out of memory */
        stp_findings_free(&merged);
        stp_findings_append(findings, causes);
        return;
    }
    merged.dropped += findings->dropped;
    stp_findings_free(findings);
    *findings = merged;
}

/* The command's findings about reaching the core, the link or the flash are symptoms of a
 * power cause: their own advice (another connect mode, a lower clock, a rewiring of the
 * SWD pins) contradicts the cause's "probe settings will not fix this". */
static bool symptom_of_power(const stp_finding *f)
{
    static const char *const prefixes[] = {"core.",   "swd.",   "link.",
                                           "target.", "flash.", "verify."};
    if (f->severity != STP_SEV_ERROR)
        return false;
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strncmp(f->id, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    return false;
}

static void defer_to_power(stp_findings *findings, const stp_findings *causes)
{
    const char *cause = NULL;
    for (size_t i = 0; i < causes->count && cause == NULL; i++)
        if (strncmp(causes->items[i].id, "power.", 6) == 0)
            cause = causes->items[i].id;
    for (size_t i = 0; cause != NULL && i < findings->count; i++) {
        stp_finding *f = &findings->items[i];
        if (symptom_of_power(f))
            stp_finding_advice(f,
                               "a consequence of the power problem above (%s): fix the supply "
                               "first; connect modes and probe settings will not help",
                               cause);
    }
}

stp_status stp_explain_failure(stp_debug *dbg, stp_target *t, stp_status st,
                               const stp_explain_context *ctx, stp_findings *findings)
{
    if (dbg == NULL || findings == NULL)
        return st;
    if (strcmp(dbg->info.kind, "uart") == 0)
        return st; /* the evidence is read through SWD; a ROM bootloader cannot give it */
    stp_explain_context none = {0};
    if (ctx == NULL)
        ctx = &none;
    explain x = {.dbg = dbg, .t = t, .seen = findings, .operation = ctx->operation};
    x.chip = t != NULL ? t->id.chip : NULL;
    x.volts_known = stp_dx_voltage(dbg, &x.volts);
    uint32_t dhcsr = 0;
    bool dh = stp_dx_read(dbg, STP_CM_DHCSR, &dhcsr);
    if (!dh) { /* the read may have failed on a transient: re-attach once */
        stp_findings scratch = {0};
        uint32_t dp = 0;
        if (dbg->ops->attach(dbg, &dp, &scratch) == STP_OK)
            dh = stp_dx_read(dbg, STP_CM_DHCSR, &dhcsr);
        stp_findings_free(&scratch);
    }
    if (!dh) {
        if (x.volts_known && x.volts * 1000.0 < stp_dx_vdd_min_mv(x.chip)) {
            stp_dx_voltage_low(&x.causes, x.volts, x.chip);
            stp_dx_no_target(&x.causes, x.volts, true, "normal connect");
        } else {
            explain_no_answer(&x);
        }
    } else {
        if (x.chip == NULL) {
            uint32_t idcode = 0;
            x.chip = stp_dx_dbgmcu_chip(dbg, &idcode);
        }
        explain_power(&x, dhcsr, ctx->attached && t != NULL);
        if (t != NULL && !x.power_cause) {
            explain_flash_status(&x);
            explain_protection(&x, st);
            explain_verify(&x);
        }
        if (t != NULL && x.power_cause &&
            (st == STP_ERR_FLASH || st == STP_ERR_TIMEOUT || st == STP_ERR_VERIFY || st == STP_OK))
            stp_dx_scan_partial_erase(t, &x.causes);
        explain_link(&x);
    }
    if (x.power_cause)
        defer_to_power(findings, &x.causes);
    merge(findings, &x.causes);
    stp_findings_free(&x.causes);
    return x.power_cause ? STP_ERR_POWER : st;
}

bool stp_explain_debug_enabled(stp_debug *dbg)
{
    uint32_t v = 0;
    if (dbg == NULL || strcmp(dbg->info.kind, "uart") == 0)
        return false;
    return stp_dx_read(dbg, STP_CM_DHCSR, &v) && (v & STP_CM_DHCSR_C_DEBUGEN);
}

bool stp_explain_power_lost(stp_debug *dbg)
{
    uint32_t v = 0;
    if (dbg == NULL || strcmp(dbg->info.kind, "uart") == 0)
        return false;
    return stp_dx_read(dbg, STP_CM_DHCSR, &v) && !(v & STP_CM_DHCSR_C_DEBUGEN);
}

/* ---- sampled read-back for half-erased sectors ------------------------------------- */

#define SCAN_SAMPLE 1024u

/* An erase cut short leaves each cell erased or not by chance: erased bytes finely mixed
 * with old ones (many changes), and erased neighbours about as often as chance gives
 * (erased * p pairs for a fraction p). Code and data with a blank tail give long runs;
 * Thumb-2 code rich in single 0xFF bytes (branch encodings) has almost no erased pairs. */
static bool mixed_by_chance(uint32_t erased, uint32_t changes, uint32_t pairs, uint32_t len)
{
    if (erased * 20u < len || erased * 100u >= len * 95u || changes * 100u < len * 12u)
        return false;
    uint64_t expected = (uint64_t)erased * erased / len; /* pairs for independent cells */
    return (uint64_t)pairs * 2u >= expected && pairs >= 2u;
}
#define SCAN_MAX_SECTORS 64u
#define SCAN_MAX_REPORT  4u

size_t stp_dx_scan_partial_erase(stp_target *t, stp_findings *fs)
{
    uint8_t *buf = stp_malloc(SCAN_SAMPLE);
    if (buf == NULL)
        return 0;
    const uint8_t ev = t->id.chip->erased_value;
    size_t found = 0;
    size_t n = t->sector_count < SCAN_MAX_SECTORS ? t->sector_count : SCAN_MAX_SECTORS;
    for (size_t i = 0; i < n && found < SCAN_MAX_REPORT; i++) {
        const stp_sector *s = &t->sectors[i];
        uint32_t len = s->size < SCAN_SAMPLE ? s->size : SCAN_SAMPLE;
        stp_findings scratch = {0};
        stp_status st = t->dbg->ops->read_mem(t->dbg, s->addr, buf, len, &scratch);
        stp_findings_free(&scratch);
        if (st != STP_OK)
            break;
        uint32_t erased = 0, changes = 0, pairs = 0;
        for (uint32_t k = 0; k < len; k++) {
            erased += buf[k] == ev;
            if (k > 0 && (buf[k] == ev) != (buf[k - 1] == ev))
                changes++;
            if (k > 0 && buf[k] == ev && buf[k - 1] == ev)
                pairs++;
        }
        /* An erase cut short leaves erased and old bytes finely mixed (each cell erased or
         * not by chance); code and data with a blank tail give long runs, and even code
         * rich in 0xFF (Thumb-2 branches) stays far below these fractions. */
        if (!mixed_by_chance(erased, changes, pairs, len))
            continue;
        stp_finding *f = stp_finding_add(fs, "flash.erase-incomplete", STP_SEV_ERROR,
                                         "sector %u at 0x%08X is only partly erased",
                                         (unsigned)s->index, (unsigned)s->addr);
        stp_finding_evidence(f, "sector", "%u", (unsigned)s->index);
        stp_finding_evidence(f, "address", "0x%08X", (unsigned)s->addr);
        stp_finding_evidence(f, "erased_bytes", "%u of %u sampled (%u%%)", (unsigned)erased,
                             (unsigned)len, (unsigned)(erased * 100u / len));
        stp_finding_evidence(f, "erased_runs", "%u changes between erased and old bytes",
                             (unsigned)changes);
        stp_finding_advice(f,
                           "an erase stopped part way (power lost or a reset during it): "
                           "fix that cause, then erase again (`stprog erase --sectors %u`) "
                           "before programming; `stprog doctor --flash-test` loads the "
                           "supply the way an erase does",
                           (unsigned)s->index);
        found++;
    }
    stp_free(buf);
    return found;
}
