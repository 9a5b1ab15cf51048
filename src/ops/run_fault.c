/* What a run that ended in a fault, a lockup or a stray breakpoint leaves for the person:
 * the registers of the code that faulted (the exception frame the core pushed), CFSR and
 * HFSR decoded bit by bit (ARMv7-M Architecture Reference Manual B3.2.15 "Configurable Fault
 * Status Register", B3.2.16 "HardFault Status Register"), MMFAR/BFAR when they are valid. */
#include <stdio.h>
#include <string.h>

#include "ops/run_internal.h"

#define SCB_CFSR  0xE000ED28u
#define SCB_HFSR  0xE000ED2Cu
#define SCB_MMFAR 0xE000ED34u
#define SCB_BFAR  0xE000ED38u
#define REG_MSP   17u
#define REG_PSP   18u

typedef struct fsr_bit {
    uint8_t bit;
    const char *name;
    const char *meaning;
} fsr_bit;

static const fsr_bit cfsr_bits[] = {
    {0, "IACCVIOL", "instruction fetch from a location the MPU or XN forbids"},
    {1, "DACCVIOL", "data access the MPU forbids"},
    {3, "MUNSTKERR", "MemManage fault on exception return (unstacking)"},
    {4, "MSTKERR", "MemManage fault on exception entry (stacking)"},
    {5, "MLSPERR", "MemManage fault in lazy FP state preservation"},
    {7, "MMARVALID", "MMFAR holds the faulting address"},
    {8, "IBUSERR", "bus error on an instruction fetch"},
    {9, "PRECISERR", "precise data bus error (BFAR holds the address when valid)"},
    {10, "IMPRECISERR", "imprecise data bus error (a buffered write failed)"},
    {11, "UNSTKERR", "bus error on exception return (unstacking)"},
    {12, "STKERR", "bus error on exception entry (stacking): the stack is bad"},
    {13, "LSPERR", "bus error in lazy FP state preservation"},
    {15, "BFARVALID", "BFAR holds the faulting address"},
    {16, "UNDEFINSTR", "undefined instruction"},
    {17, "INVSTATE", "invalid state: a branch to an even address (Thumb bit clear)"},
    {18, "INVPC", "invalid EXC_RETURN on exception return"},
    {19, "NOCP", "coprocessor (FPU) used while disabled"},
    {24, "UNALIGNED", "unaligned access with CCR.UNALIGN_TRP set"},
    {25, "DIVBYZERO", "division by zero with CCR.DIV_0_TRP set"},
};

static const fsr_bit hfsr_bits[] = {
    {1, "VECTTBL", "bus error reading the vector table"},
    {30, "FORCED", "a configurable fault escalated to HardFault"},
    {31, "DEBUGEVT", "a debug event (BKPT) with no debugger attached"},
};

/* "NAME (meaning), NAME (meaning)" for the bits set in v; "none" when none is. */
static void decode(const fsr_bit *bits, size_t n, uint32_t v, char *out, size_t cap, bool meaning)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (!(v & (1u << bits[i].bit)))
            continue;
        int w = meaning ? snprintf(out + len, cap - len, "%s%s (%s)", len ? ", " : "", bits[i].name,
                                   bits[i].meaning)
                        : snprintf(out + len, cap - len, "%s%s", len ? " " : "", bits[i].name);
        if (w < 0 || (size_t)w >= cap - len)
            break;
        len += (size_t)w;
    }
    if (len == 0)
        snprintf(out, cap, "none");
}

/* The cause people look for first: the CFSR bits that say what happened (not the
 * ...VALID markers), else the HFSR's. */
static void first_cause(const stp_run_fault *f, char *out, size_t cap)
{
    uint32_t cause = f->cfsr & ~((1u << 7) | (1u << 15));
    if (cause != 0) {
        decode(cfsr_bits, sizeof(cfsr_bits) / sizeof(cfsr_bits[0]), cause, out, cap, true);
        return;
    }
    if (f->hfsr != 0) {
        decode(hfsr_bits, sizeof(hfsr_bits) / sizeof(hfsr_bits[0]), f->hfsr, out, cap, true);
        return;
    }
    snprintf(out, cap, "no fault status bits set");
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* Registers at the halt, the fault status registers and (in a handler) the frame. */
static void gather(run_session *s, stp_run_fault *f)
{
    stp_debug *d = s->d;
    stp_findings scratch = {0};
    (void)d->ops->read_reg(d, RUN_REG_PC, &f->pc, &scratch);
    (void)d->ops->read_reg(d, RUN_REG_SP, &f->sp, &scratch);
    (void)d->ops->read_reg(d, RUN_REG_LR, &f->lr, &scratch);
    (void)d->ops->read_reg(d, RUN_REG_XPSR, &f->xpsr, &scratch);
    f->has_fsr = !s->v6m;
    if (f->has_fsr) {
        uint8_t b[16];
        if (d->ops->read_mem(d, SCB_CFSR, b, 8, &scratch) == STP_OK) {
            f->cfsr = rd32(b);
            f->hfsr = rd32(b + 4);
        }
        if (d->ops->read_mem(d, SCB_MMFAR, b, 8, &scratch) == STP_OK) {
            f->mmfar = rd32(b);
            f->bfar = rd32(b + 4);
        }
    }
    /* In a handler with LR = EXC_RETURN: the frame is on the stack LR bit 2 names. */
    if ((f->xpsr & 0x1FFu) != 0 && (f->lr & 0xFFFFFF00u) == 0xFFFFFF00u) {
        uint32_t sp = f->sp;
        if (f->lr & 4u)
            (void)d->ops->read_reg(d, REG_PSP, &sp, &scratch);
        else
            (void)d->ops->read_reg(d, REG_MSP, &sp, &scratch);
        uint8_t b[32];
        if (d->ops->read_mem(d, sp, b, sizeof(b), &scratch) == STP_OK) {
            for (unsigned i = 0; i < 8; i++)
                f->frame[i] = rd32(b + 4 * i);
            f->frame_valid = true;
            /* The faulting code's SP: above the frame (basic or with FP state, EXC_RETURN
             * bit 4 clear) and the alignment word stacked when xPSR bit 9 says so. */
            f->sp = sp + ((f->lr & 0x10u) ? 0x20u : 0x68u) + ((f->frame[7] & 0x200u) ? 4u : 0u);
        }
    }
    stp_findings_free(&scratch);
}

static void frame_evidence(stp_finding *x, const stp_run_fault *f)
{
    if (f->frame_valid) { /* the faulting code's registers, as the core stacked them */
        stp_finding_evidence(x, "pc", "0x%08X", (unsigned)f->frame[6]);
        stp_finding_evidence(x, "lr", "0x%08X", (unsigned)f->frame[5]);
        stp_finding_evidence(x, "xpsr", "0x%08X", (unsigned)f->frame[7]);
        stp_finding_evidence(x, "registers", "r0=0x%08X r1=0x%08X r2=0x%08X r3=0x%08X r12=0x%08X",
                             (unsigned)f->frame[0], (unsigned)f->frame[1], (unsigned)f->frame[2],
                             (unsigned)f->frame[3], (unsigned)f->frame[4]);
        stp_finding_evidence(x, "exc_return", "0x%08X", (unsigned)f->lr);
    } else {
        stp_finding_evidence(x, "pc", "0x%08X", (unsigned)f->pc);
        stp_finding_evidence(x, "lr", "0x%08X", (unsigned)f->lr);
        stp_finding_evidence(x, "xpsr", "0x%08X", (unsigned)f->xpsr);
    }
    stp_finding_evidence(x, "sp", "0x%08X", (unsigned)f->sp);
    if (!f->has_fsr)
        return;
    char buf[400];
    decode(cfsr_bits, sizeof(cfsr_bits) / sizeof(cfsr_bits[0]), f->cfsr, buf, sizeof(buf), false);
    stp_finding_evidence(x, "CFSR", "0x%08X (%s)", (unsigned)f->cfsr, buf);
    decode(hfsr_bits, sizeof(hfsr_bits) / sizeof(hfsr_bits[0]), f->hfsr, buf, sizeof(buf), false);
    stp_finding_evidence(x, "HFSR", "0x%08X (%s)", (unsigned)f->hfsr, buf);
    if (f->cfsr & (1u << 7))
        stp_finding_evidence(x, "MMFAR", "0x%08X", (unsigned)f->mmfar);
    if (f->cfsr & (1u << 15))
        stp_finding_evidence(x, "BFAR", "0x%08X", (unsigned)f->bfar);
}

static void report_hardfault(run_session *s, stp_run_fault *f)
{
    char cause[512];
    if (f->has_fsr)
        first_cause(f, cause, sizeof(cause));
    else
        snprintf(cause, sizeof(cause), "ARMv6-M keeps no fault status registers");
    uint32_t at = f->frame_valid ? f->frame[6] : f->pc;
    stp_finding *x =
        stp_finding_add(s->findings, "run.hardfault", STP_SEV_ERROR,
                        "the firmware crashed: HardFault at 0x%08X: %s", (unsigned)at, cause);
    frame_evidence(x, f);
    stp_finding_advice(x,
                       "find the faulting code with `arm-none-eabi-addr2line -e FILE.elf "
                       "0x%08X` (pc is the instruction that faulted, lr the caller)",
                       (unsigned)at);
}

void stp_run_report_fault(run_session *s)
{
    stp_run_fault *f = &s->res->fault;
    memset(f, 0, sizeof(*f));
    f->bkpt_imm = 0xFFFFu;
    if (s->res->end == STP_RUN_END_LOCKUP) {
        stp_findings scratch = {0};
        (void)stp_target_halt(s->t, &scratch);
        stp_findings_free(&scratch);
    }
    gather(s, f);
    if (s->res->end == STP_RUN_END_FAULT) {
        report_hardfault(s, f);
        return;
    }
    if (s->res->end == STP_RUN_END_LOCKUP) {
        char cause[512];
        first_cause(f, cause, sizeof(cause));
        stp_finding *x = stp_finding_add(s->findings, "run.lockup", STP_SEV_ERROR,
                                         "the firmware crashed: the core locked up (a fault "
                                         "while handling a fault, or a vector table it cannot "
                                         "use)%s%s",
                                         f->has_fsr ? ": " : "", f->has_fsr ? cause : "");
        frame_evidence(x, f);
        stp_finding_advice(x, "check the vector table (initial SP inside SRAM, reset vector "
                              "odd) and the HardFault handler");
        return;
    }
    uint8_t ins[2];
    stp_findings scratch = {0};
    if (s->d->ops->read_mem(s->d, f->pc & ~1u, ins, 2, &scratch) == STP_OK && ins[1] == 0xBE)
        f->bkpt_imm = ins[0];
    stp_findings_free(&scratch);
    stp_finding *x;
    if (f->bkpt_imm != 0xFFFFu)
        x = stp_finding_add(s->findings, "run.breakpoint", STP_SEV_ERROR,
                            "the firmware stopped at BKPT 0x%02X at 0x%08X (not a semihosting "
                            "call: an assert or a debug break in the code)",
                            (unsigned)f->bkpt_imm, (unsigned)f->pc);
    else
        x = stp_finding_add(s->findings, "run.breakpoint", STP_SEV_ERROR,
                            "the core halted at 0x%08X for a debug event stprog did not set "
                            "(a watchpoint or a breakpoint left by another debugger)",
                            (unsigned)f->pc);
    frame_evidence(x, f);
    stp_finding_advice(x,
                       "look at the code at pc with `arm-none-eabi-addr2line -e FILE.elf "
                       "0x%08X`, or debug it with `stprog gdbserver`",
                       (unsigned)f->pc);
}
