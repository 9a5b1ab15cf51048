/* Host side of the SRAM flash loader: set-up with a read-back check (and a diagnosis when it
 * fails), the waits on the loader (with the reset check), and the CRC run. The stream of
 * erases and data is in flash_loader_stream.c; the SRAM layout in flash_loader_internal.h. */
#include "target/flash_loader.h"

#include <string.h>

#include "core/alloc.h"
#include "target/cortexm.h"
#include "target/flash_loader_internal.h"
#include "target/loaders/armv6m_loader_blob.h"
#include "target/loaders/armv7em_loader_blob.h"
#include "target/loaders/armv7m_loader_blob.h"
#include "target/loaders/m7_loader_blob.h"

/* One build per instruction set, chosen by the chip's core (an F0 has the F1's flash
 * controller on a Cortex-M0: the ARMv6-M build). What the loader does with the flash comes
 * from the driver, in the parameter block and the recorded register sequences. */
static const struct {
    const uint8_t *code;
    uint32_t size;
} blobs[] = {
    [STP_ISA_ARMV6M] = {stp_loader_armv6m, sizeof(stp_loader_armv6m)},
    [STP_ISA_ARMV7M] = {stp_loader_armv7m, sizeof(stp_loader_armv7m)},
    [STP_ISA_ARMV7EM] = {stp_loader_armv7em, sizeof(stp_loader_armv7em)},
    [STP_ISA_ARMV7EM_M7] = {stp_loader_m7, sizeof(stp_loader_m7)},
};

/* A loader that outgrew its slot would silently leave every write to the direct path. */
_Static_assert(sizeof(stp_loader_armv6m) <= CODE_MAX && sizeof(stp_loader_armv7m) <= CODE_MAX &&
                   sizeof(stp_loader_armv7em) <= CODE_MAX && sizeof(stp_loader_m7) <= CODE_MAX,
               "a flash loader is larger than its SRAM slot (CODE_MAX)");

const uint8_t *stp_flash_loader_blob(const stp_flash *f, uint32_t *size)
{
    stp_isa isa = stp_core_isa(f->chip->core);
    if ((size_t)isa >= sizeof(blobs) / sizeof(blobs[0]) || blobs[isa].code == NULL) {
        *size = 0;
        return NULL;
    }
    *size = blobs[isa].size;
    return blobs[isa].code;
}

uint32_t stp_ldr_block_bytes(const stp_flash *f)
{
    return f->drv->loader_block_mode != NULL ? f->chip->timing.block_program_bytes : 0;
}

/* The loader and parameter block as they must appear in SRAM (CODE_MAX + params). */
static void image_of(const ldr_session *s, const uint8_t *blob, uint32_t blob_size, uint8_t *img)
{
    stp_flash *f = s->f;
    memset(img, 0, CODE_MAX + PARAM_WORDS * 4);
    memcpy(img, blob, blob_size);
    uint32_t errs = 0;
    for (size_t i = 0; i < f->drv->error_count; i++)
        errs |= f->drv->errors[i].mask;
    /* Units wider than a word (L4/G0/G4 double words, H7 flash words of 32 bytes): word
     * stores back to back, then one wait. */
    const uint32_t unit = f->drv->program_unit(f);
    const bool wide = unit > 4;
    const uint32_t kr = stp_iwdg_reload_addr(s->d, f->chip);
    f->iwdg_window = kr == 0;
    uint32_t w[PARAM_WORDS] = {
        [P_SR] = f->regs + stp_flash_bank_regs(f, f->pass_bank) + f->drv->sr_offset,
        [P_BUSY] = f->drv->busy_mask,
        [P_ERRS] = errs,
        [P_UNIT] = wide ? 4 : unit,
        [P_BUFS] = s->bufs,
        [P_STRIDE] = s->stride,
        [P_NBUF] = s->nbuf,
        [P_RESULT] = RES_RUNNING,
        [P_OP] = s->op,
        [P_CRC] = f->chip->fam->crc_base,
        [P_BURST] = wide                          ? unit / 4
                    : stp_ldr_block_bytes(f) != 0 ? stp_ldr_block_bytes(f) / unit
                                                  : 1,
        [P_IWDG] = kr != 0 ? kr : s->params + 4 * P_SCRATCH,
    };
    for (uint32_t i = 0; i < PARAM_WORDS; i++)
        put32(img + PARAMS_OFF + 4 * i, w[i]);
}

/* After a read-back mismatch: the same bytes written and read one word at a time tell a
 * probe that garbles long transfers from SRAM that does not keep what is written. */
static void diagnose(ldr_session *s, const uint8_t *img, uint32_t n, uint32_t bad_off, uint8_t got)
{
    stp_debug *d = s->d;
    stp_findings *fl = s->f->findings;
    bool words_ok = true;
    uint32_t word_bad = 0;
    for (uint32_t off = 0; off + 4 <= n && words_ok; off += 4) {
        uint32_t back = 0;
        if (d->ops->write_u32(d, s->base + off, get32(img + off), NULL) != STP_OK ||
            d->ops->read_u32(d, s->base + off, &back, NULL) != STP_OK || back != get32(img + off)) {
            words_ok = false;
            word_bad = off;
        }
    }
    stp_finding *fd;
    if (words_ok) {
        fd = stp_finding_add(fl, "probe.corrupts-transfers", STP_SEV_WARNING,
                             "the probe garbled a %u-byte write to SRAM that single-word writes "
                             "store correctly; programming by direct register writes instead of "
                             "the SRAM flash loader",
                             (unsigned)n);
        stp_finding_evidence(fd, "transfer_bytes", "%u", (unsigned)n);
        stp_finding_evidence(fd, "first_bad_address", "0x%08X", (unsigned)(s->base + bad_off));
        stp_finding_evidence(fd, "expected", "0x%02X", img[bad_off]);
        stp_finding_evidence(fd, "read_back", "0x%02X", got);
        stp_finding_advice(fd, "a probe (often a clone) that corrupts long USB/SWD transfers "
                               "also corrupts flash data: use a genuine ST-Link, or run "
                               "`stprog doctor` to find the longest transfer it gets right");
    } else {
        fd = stp_finding_add(fl, "target.sram-unusable", STP_SEV_WARNING,
                             "SRAM at 0x%08X does not keep what is written to it; programming by "
                             "direct register writes instead of the SRAM flash loader",
                             (unsigned)(s->base + word_bad));
        stp_finding_evidence(fd, "address", "0x%08X", (unsigned)(s->base + word_bad));
        stp_finding_evidence(fd, "sram_base", "0x%08X", (unsigned)s->base);
        stp_finding_advice(fd, "SRAM that loses writes points at a supply problem or a damaged "
                               "chip: run `stprog doctor`");
    }
}

/* Writes and checks the loader (core halted). *ok false: not usable (finding added), the
 * caller goes the direct way. */
static stp_status load(ldr_session *s, bool *ok)
{
    stp_flash *f = s->f;
    stp_debug *d = s->d;
    *ok = false;
    uint32_t blob_size = 0;
    const uint8_t *blob = stp_flash_loader_blob(f, &blob_size);
    if (blob == NULL || blob_size > CODE_MAX)
        return STP_OK; /* no loader for this family: the direct path, nothing to report */
    uint32_t sram = f->chip->sram_size;
    /* A part whose SRAM cannot hold the loader and two buffers (the L011's 2 KiB) is a fact
     * of the chip, not a fault: the direct path, nothing to report (a warning on every write
     * to a healthy board would be a false alarm). */
    if (sram < BUFS_OFF + NBUF_MIN * (HDR_BYTES + BUF_MIN))
        return STP_OK;
    /* Buffers of up to BUF_MAX, at least four of them, as many as the SRAM holds. */
    uint32_t avail = sram - BUFS_OFF;
    uint32_t buf = avail / 4 > HDR_BYTES + BUF_MIN ? avail / 4 - HDR_BYTES : BUF_MIN;
    buf = buf > BUF_MAX ? BUF_MAX : buf - buf % BUF_MIN;
    s->buf_size = buf;
    s->stride = buf + HDR_BYTES;
    s->nbuf = avail / s->stride > NBUF_MAX ? NBUF_MAX : avail / s->stride;
    s->bufs = s->base + BUFS_OFF;
    if (s->ring_erases != 0 || s->ring_pieces != 0) {
        /* one buffer per entry at most, one more for the END */
        uint64_t entries = s->ring_erases + s->ring_pieces + s->ring_bytes / buf + 1;
        if (entries < NBUF_MIN)
            entries = NBUF_MIN;
        if (entries < s->nbuf)
            s->nbuf = (uint32_t)entries;
    }
    const uint32_t marked = s->op == OP_CRC ? 0 : s->nbuf; /* the CRC uses no ring */

    stp_status st = stp_cm_halt(d, f->findings);
    if (st != STP_OK)
        return st;
    f->debug_on = true; /* the halt enabled debug: a power reset would clear it */
    uint8_t img[CODE_MAX + PARAM_WORDS * 4], back[sizeof(img)];
    image_of(s, blob, blob_size, img);
    const bool resident = f->keep_loader && f->loader_resident;
    f->loader_resident = false; /* until this run ends well */
    if (resident) {             /* the code is there: the parameters only */
        st = d->ops->write_mem(d, s->params, img + PARAMS_OFF, PARAM_WORDS * 4, f->findings);
    } else {
        st = d->ops->write_mem(d, s->base, img, sizeof(img), f->findings);
        if (st == STP_OK)
            st = d->ops->read_mem(d, s->base, back, sizeof(back), f->findings);
        for (uint32_t i = 0; st == STP_OK && i < sizeof(img); i++) {
            if (img[i] != back[i]) {
                diagnose(s, img, sizeof(img), i, back[i]);
                return STP_OK;
            }
        }
    }
    if (st != STP_OK)
        return st;
    for (uint32_t b = 0; st == STP_OK && b < marked; b++)
        st = d->ops->write_u32(d, s->bufs + b * s->stride, ST_EMPTY, f->findings);
    *ok = (st == STP_OK);
    return st;
}

/* While the loader runs, a reset (watchdog, NRST) or a HardFault halts the core by vector
 * catch instead of starting the program in flash: the firmware never runs in the middle of
 * programming (it may turn the debug port off: connect under reset), and the host sees the
 * stop at once (stp_flash_check_reset, loader_halted) instead of waiting for a deadline.
 * The independent watchdog is frozen while the core is halted between runs (DBG_IWDG_STOP)
 * and reloaded by the loader while it runs. */
static stp_status guard(ldr_session *s)
{
    if (s->guarded)
        return STP_OK;
    stp_debug *d = s->d;
    stp_iwdg_freeze_on(d, s->f->chip, &s->fz);
    s->f->iwdg_flag_before = stp_iwdg_flag(d, s->f->chip);
    stp_status st = d->ops->read_u32(d, STP_CM_DEMCR, &s->demcr, s->f->findings);
    if (st == STP_OK)
        st = d->ops->write_u32(d, STP_CM_DEMCR,
                               s->demcr | STP_CM_DEMCR_VC_CORERESET | STP_CM_DEMCR_VC_HARDERR,
                               s->f->findings);
    s->guarded = (st == STP_OK);
    return st;
}

void stp_ldr_unguard(ldr_session *s)
{
    stp_iwdg_thaw(s->d, &s->fz);
    if (!s->guarded)
        return;
    stp_findings scratch = {0};
    (void)s->d->ops->write_u32(s->d, STP_CM_DEMCR, s->demcr, &scratch);
    stp_findings_free(&scratch);
    s->guarded = false;
}

/* Points the core at the loader and runs it. */
static stp_status start(ldr_session *s)
{
    stp_debug *d = s->d;
    stp_flash *f = s->f;
    stp_status st = guard(s);
    const uint32_t regs[][2] = {{REG_R0, s->params},
                                {REG_SP, s->base + STACK_TOP},
                                {REG_LR, s->base | 1u},
                                {REG_PC, s->base},
                                {REG_XPSR, 0x01000000u /* Thumb */}};
    for (size_t i = 0; st == STP_OK && i < sizeof(regs) / sizeof(regs[0]); i++)
        st = d->ops->write_reg(d, regs[i][0], regs[i][1], f->findings);
    if (st == STP_OK)
        st = stp_cm_run(d, f->findings);
    return st;
}

stp_status stp_ldr_setup(ldr_session *s, bool *ok)
{
    stp_status st = load(s, ok);
    if (st == STP_OK && *ok)
        st = start(s);
    if (st != STP_OK)
        *ok = false;
    return st;
}

/* The loader stopped answering. DHCSR is not touched here: its reset flags are read once,
 * by `explain`, which names a brown-out or watchdog reset as the cause. */
stp_status stp_ldr_stalled(ldr_session *s, const char *waiting_for, uint32_t deadline_ms)
{
    uint32_t done = 0;
    (void)s->d->ops->read_u32(s->d, s->params + 4 * P_DONE, &done, NULL);
    stp_finding *fd =
        stp_finding_add(s->f->findings, "flash.timeout", STP_SEV_ERROR,
                        "the SRAM flash loader stopped making progress (%s)", waiting_for);
    stp_finding_evidence(fd, "operation", "program (SRAM loader)");
    stp_finding_evidence(fd, "bytes_programmed", "%u", (unsigned)done);
    stp_finding_evidence(fd, "deadline_ms", "%u", (unsigned)deadline_ms);
    stp_finding_advice(fd, "a reset in the middle of programming (brown-out, watchdog) stops the "
                           "loader: run `stprog doctor`; --no-loader programs without it");
    return STP_ERR_TIMEOUT;
}

/* Waits for the loader's result word, then for the core to halt on its BKPT. */
stp_status stp_ldr_wait_done(ldr_session *s, uint32_t deadline_ms, uint32_t *result)
{
    stp_status st = stp_ldr_wait_word(s, s->params + 4 * P_RESULT, RES_RUNNING, result, deadline_ms,
                                      "waiting for the loader to finish");
    bool halted = false;
    for (int k = 0; k < 100 && st == STP_OK && !halted; k++)
        st = stp_cm_is_halted(s->d, &halted, s->f->findings);
    if (st == STP_OK && !halted)
        st = stp_cm_halt(s->d, s->f->findings);
    return st;
}

/* The core halted before the loader finished: a HardFault caught by vector catch (the
 * loader's code or buffers were overwritten, or it touched a bad address). */
static stp_status loader_halted(ldr_session *s, const char *what)
{
    stp_debug *d = s->d;
    uint32_t dhcsr = 0, pc = 0, done = 0;
    stp_status st = d->ops->read_u32(d, STP_CM_DHCSR, &dhcsr, s->f->findings);
    if (st != STP_OK || !(dhcsr & STP_CM_DHCSR_S_HALT))
        return st;
    uint32_t result = RES_RUNNING;
    (void)d->ops->read_u32(d, s->params + 4 * P_RESULT, &result, NULL);
    if (result != RES_RUNNING)
        return STP_OK; /* it finished between the two reads */
    (void)d->ops->read_reg(d, REG_PC, &pc, NULL);
    (void)d->ops->read_u32(d, s->params + 4 * P_DONE, &done, NULL);
    stp_finding *fd = stp_finding_add(s->f->findings, "flash.loader-fault", STP_SEV_ERROR,
                                      "the SRAM flash loader stopped on a fault (%s)", what);
    stp_finding_evidence(fd, "pc", "0x%08X", (unsigned)pc);
    stp_finding_evidence(fd, "DHCSR", "0x%08X", (unsigned)dhcsr);
    stp_finding_evidence(fd, "bytes_programmed", "%u", (unsigned)done);
    stp_finding_advice(fd, "the loader's SRAM was changed while it ran (a DMA still active, "
                           "another debugger) or the SRAM is faulty: run `stprog doctor`; "
                           "--no-loader programs without it");
    return STP_ERR_FLASH;
}

/* Polls a word in SRAM until it differs from `busy_value`. The deadline is on the probe's
 * clock; every poll is one exchange, so when the clock does not move the count ends it.
 * Every few polls DHCSR tells whether a reset (a brown-out during an erase) stopped the
 * loader: that is reported at once, as the failure it is, instead of a timeout. */
stp_status stp_ldr_wait_word(ldr_session *s, uint32_t addr, uint32_t busy_value, uint32_t *out,
                             uint32_t deadline_ms, const char *what)
{
    stp_debug *d = s->d;
    uint64_t start = d->ops->now_ms(d);
    uint64_t max_polls = (uint64_t)deadline_ms * 64 + 1000;
    for (uint64_t polls = 0;; polls++) {
        uint32_t v = 0;
        stp_status st = d->ops->read_u32(d, addr, &v, s->f->findings);
        if (st != STP_OK)
            return st;
        if (v != busy_value) {
            *out = v;
            return STP_OK;
        }
        uint64_t waited = d->ops->now_ms(d) - start;
        if (polls % 8 == 7 || waited > deadline_ms) {
            st = stp_flash_check_reset(s->f, s->doing != NULL ? s->doing : what);
            if (st == STP_OK)
                st = loader_halted(s, what);
            if (st != STP_OK)
                return st;
        }
        if ((waited > deadline_ms && polls >= deadline_ms) || polls > max_polls)
            return stp_ldr_stalled(s, what, deadline_ms);
        if (polls % 8 == 7)
            d->ops->delay_ms(d, 1);
    }
}

stp_status stp_flash_loader_crc(stp_flash *f, const uint32_t *addr, const uint32_t *len, size_t n,
                                uint32_t *crc, stp_findings *findings, bool *used)
{
    *used = false;
    if (!f->route->runs_loader || n == 0)
        return STP_OK;
    for (size_t i = 0; i < n; i++)
        if (len[i] % 4 != 0 || addr[i] % 4 != 0)
            return STP_OK;
    uint32_t blob_size = 0;
    if (stp_flash_loader_blob(f, &blob_size) == NULL)
        return STP_OK;
    stp_findings *keep = f->findings;
    f->findings = findings;
    ldr_session s = {.f = f, .d = f->dbg, .base = f->chip->sram_base, .op = OP_CRC};
    s.params = s.base + PARAMS_OFF;
    stp_debug *d = s.d;
    bool ok = false;
    stp_status st = load(&s, &ok);
    if (st != STP_OK || !ok) {
        if (!ok)
            stp_flash_loader_failed(f);
        f->findings = keep;
        return st;
    }
    uint32_t per_batch = (s.buf_size - HDR_BYTES) / 8;
    /* The CRC unit's clock enable: the family row's RCC register and bit. */
    const stp_family *fam = f->chip->fam;
    uint32_t rcc = fam->rcc_base + fam->crc_en_off, bit = 1u << fam->crc_en_bit, v = 0;
    st = d->ops->read_u32(d, rcc, &v, findings);
    if (st == STP_OK && !(v & bit))
        st = d->ops->write_u32(d, rcc, v | bit, findings);
    uint8_t *io = stp_malloc(HDR_BYTES + per_batch * 8);
    if (io == NULL)
        st = STP_ERR_NOMEM;
    for (size_t first = 0; st == STP_OK && first < n; first += per_batch) {
        uint32_t m = (uint32_t)(n - first < per_batch ? n - first : per_batch);
        uint64_t bytes = 0;
        memset(io, 0, HDR_BYTES);
        put32(io + 8, m);
        for (uint32_t i = 0; i < m; i++) {
            put32(io + HDR_BYTES + 8 * i, addr[first + i]);
            put32(io + HDR_BYTES + 8 * i + 4, len[first + i]);
            bytes += len[first + i];
        }
        uint32_t deadline = (uint32_t)(bytes / 256 + 1000);
        st = d->ops->write_mem(d, s.bufs, io, HDR_BYTES + 8 * m, findings);
        if (st == STP_OK)
            st = d->ops->write_u32(d, s.params + 4 * P_RESULT, RES_RUNNING, findings);
        if (st == STP_OK)
            st = start(&s);
        uint32_t result = RES_RUNNING;
        if (st == STP_OK)
            st = stp_ldr_wait_done(&s, deadline, &result);
        if (st == STP_OK && result != RES_OK)
            st = stp_ldr_stalled(&s, "CRC", deadline);
        if (st == STP_OK)
            st = d->ops->read_mem(d, s.bufs + HDR_BYTES, io + HDR_BYTES, 8 * m, findings);
        for (uint32_t i = 0; st == STP_OK && i < m; i++)
            crc[first + i] = get32(io + HDR_BYTES + 8 * i + 4);
    }
    stp_free(io);
    stp_ldr_unguard(&s);
    if (st == STP_OK && (v & bit) == 0)
        st = d->ops->write_u32(d, rcc, v, findings); /* the CRC clock as it was */
    f->findings = keep;
    *used = (st == STP_OK);
    f->loader_resident = f->keep_loader && st == STP_OK;
    return st;
}
