/* The virtual Cortex-M core: reset, exception entry and return, faults, lockup, SysTick
 * and the pending-exception choice (ARMv7-M ARM B1.5, ARMv6-M ARM B1.5). Unicorn reports
 * exceptions without taking them (see the notes in cpu.c), so everything a real core does
 * on exception entry (stacking, EXC_RETURN, vector fetch) is done here. */
#include <stdint.h>

#include "cpu_internal.h"

/* QEMU's EXCP_* numbers as Unicorn 2.0.1 reports them to UC_HOOK_INTR. */
enum {
    QEXCP_UDEF = 1,
    QEXCP_SWI = 2,
    QEXCP_PREFETCH_ABORT = 3,
    QEXCP_DATA_ABORT = 4,
    QEXCP_BKPT = 7,
    QEXCP_EXCEPTION_EXIT = 8,
    QEXCP_NOCP = 17,
    QEXCP_INVSTATE = 18,
    QEXCP_STKOF = 19,
    QEXCP_UNALIGNED = 22,
    QEXCP_DIVBYZERO = 23,
};

#define CONTROL_NPRIV 1u
#define CONTROL_SPSEL 2u
#define CONTROL_FPCA  4u

static void set_pc(sim_cpu *cpu, uint32_t pc, bool thumb)
{
    cpu_reg_set(cpu, UC_ARM_REG_PC, pc & ~1u);
    cpu->thumb = thumb;
}

static void enter_lockup(sim_cpu *cpu)
{
    cpu->lockup = true;
    cpu->sleeping = false;
    set_pc(cpu, 0xFFFFFFFEu, false);
}

void cpu_do_reset(sim_cpu *cpu, bool por, uint32_t vtor_base, bool core_only)
{
    cpu->held = false;
    if (por) {
        cpu->dhcsr = 0;
        cpu->demcr = 0;
        cpu->dfsr = 0;
        cpu->dcrdr = 0;
        cpu->fp_ctrl &= ~1u;
        cpu->fp_remap = 0;
        for (unsigned i = 0; i < CPU_MAX_FPB; i++)
            cpu->fp_comp[i] = 0;
        cpu->dwt_ctrl &= ~1u;
        cpu->cyccnt = 0;
        cpu->cyccnt_mark = cpu->instructions;
        for (unsigned i = 0; i < CPU_MAX_DWT; i++)
            cpu->dwt[i].comp = cpu->dwt[i].mask = cpu->dwt[i].function = 0;
        cpu->itm_ter = cpu->itm_tpr = cpu->itm_tcr = 0;
        cpu_update_fpb(cpu);
        cpu_update_dwt(cpu);
    }
    if (!core_only)
        cpu->reset_vtor = vtor_base;
    cpu->vtor = cpu->reset_vtor;
    cpu->aircr = 0;
    cpu->scr = 0;
    cpu->ccr = cpu->v6m ? 0x208u : 0x200u; /* STKALIGN (and UNALIGN_TRP fixed on v6-M) */
    cpu->shpr[0] = cpu->shpr[1] = cpu->shpr[2] = 0;
    cpu->shcsr = cpu->cfsr = cpu->hfsr = cpu->mmfar = cpu->bfar = cpu->afsr = 0;
    cpu->cpacr = 0;
    cpu->fpccr = cpu->fpu ? 0xC0000000u : 0; /* ASPEN | LSPEN */
    cpu->fpcar = cpu->fpdscr = 0;
    cpu->pend_systick = cpu->pend_pendsv = cpu->pend_nmi = false;
    cpu->syst_csr = cpu->syst_rvr = cpu->syst_cvr = cpu->syst_frac = 0;
    for (unsigned i = 0; i < CPU_NVIC_WORDS; i++)
        cpu->nvic_iser[i] = cpu->nvic_ispr[i] = 0;
    for (unsigned i = 0; i < sizeof cpu->nvic_ipr; i++)
        cpu->nvic_ipr[i] = 0;

    cpu_reg_set(cpu, UC_ARM_REG_IPSR, 0);
    cpu_sysreg_set(cpu, UC_ARM_REG_CONTROL, 0);
    cpu_sysreg_set(cpu, UC_ARM_REG_PRIMASK, 0);
    if (!cpu->v6m) {
        cpu_sysreg_set(cpu, UC_ARM_REG_FAULTMASK, 0);
        cpu_sysreg_set(cpu, UC_ARM_REG_BASEPRI, 0);
    }
    if (cpu->fpu)
        cpu_reg_set(cpu, UC_ARM_REG_FPSCR, 0);
    for (int r = 0; r <= 12; r++)
        cpu_reg_set(cpu, UC_ARM_REG_R0 + r, 0);
    cpu_reg_set(cpu, UC_ARM_REG_APSR, 0);
    cpu_set_itstate(cpu, 0);
    cpu_reg_set(cpu, UC_ARM_REG_LR, 0xFFFFFFFFu);
    cpu_sysreg_set(cpu, UC_ARM_REG_PSP, 0);

    cpu->sleeping = false;
    cpu->lockup = false;
    cpu->halted = false;
    cpu->event = false;
    cpu->reset_st = true;
    uint32_t sp0 = 0, rv = 0;
    if (!cpu_read32(cpu, cpu->vtor, &sp0) || !cpu_read32(cpu, cpu->vtor + 4, &rv)) {
        enter_lockup(cpu);
    } else {
        cpu_sysreg_set(cpu, UC_ARM_REG_MSP, sp0 & ~3u);
        set_pc(cpu, rv, rv & 1);
    }
    if ((cpu->dhcsr & DHCSR_C_DEBUGEN) && !cpu->lockup) {
        if (cpu->demcr & DEMCR_VC_CORERESET)
            cpu_enter_halt(cpu, DFSR_VCATCH);
        else if (cpu->dhcsr & DHCSR_C_HALT)
            cpu_enter_halt(cpu, DFSR_HALTED);
    }
}

/* Priority of exception exc (lower = more urgent); 256 = thread mode. */
static int exc_priority(const sim_cpu *cpu, unsigned exc)
{
    if (exc == 0)
        return 256;
    if (exc == EXC_RESET)
        return -3;
    if (exc == EXC_NMI)
        return -2;
    if (exc == EXC_HARDFAULT)
        return -1;
    if (exc < 16) {
        unsigned idx = exc - 4;
        return (int)((cpu->shpr[idx / 4] >> (8 * (idx % 4))) & 0xFF);
    }
    unsigned irq = exc - 16;
    return irq < sizeof cpu->nvic_ipr ? cpu->nvic_ipr[irq] : 0;
}

static int exec_priority(sim_cpu *cpu)
{
    unsigned ipsr = cpu_reg_get(cpu, UC_ARM_REG_IPSR) & 0x1FF;
    int prio = exc_priority(cpu, ipsr);
    if (!cpu->v6m) {
        uint32_t basepri = cpu_sysreg_get(cpu, UC_ARM_REG_BASEPRI) & 0xFF;
        if (basepri && (int)basepri < prio)
            prio = (int)basepri;
        if (cpu_sysreg_get(cpu, UC_ARM_REG_FAULTMASK) & 1)
            prio = -1;
    }
    if ((cpu_sysreg_get(cpu, UC_ARM_REG_PRIMASK) & 1) && prio > 0)
        prio = 0;
    return prio;
}

/* Stacks the frame, switches to handler mode and fetches the vector. */
void cpu_take_exception(sim_cpu *cpu, unsigned exc)
{
    uint32_t ipsr = cpu_reg_get(cpu, UC_ARM_REG_IPSR) & 0x1FF;
    uint32_t control = cpu_sysreg_get(cpu, UC_ARM_REG_CONTROL);
    bool on_psp = ipsr == 0 && (control & CONTROL_SPSEL);
    bool fpframe = cpu->fpu && (control & CONTROL_FPCA);
    uint32_t sp = cpu_sysreg_get(cpu, on_psp ? UC_ARM_REG_PSP : UC_ARM_REG_MSP);
    uint32_t size = fpframe ? 0x68 : 0x20;
    bool realign = (sp & 4) != 0;
    uint32_t frame = (sp - size) & ~7u;
    uint32_t xpsr = cpu_reg_get(cpu, UC_ARM_REG_XPSR);
    xpsr =
        (xpsr & ~(1u << 9) & ~(1u << 24)) | (cpu->thumb ? 1u << 24 : 0) | (realign ? 1u << 9 : 0);
    uint32_t words[8] = {
        cpu_reg_get(cpu, UC_ARM_REG_R0),  cpu_reg_get(cpu, UC_ARM_REG_R1),
        cpu_reg_get(cpu, UC_ARM_REG_R2),  cpu_reg_get(cpu, UC_ARM_REG_R3),
        cpu_reg_get(cpu, UC_ARM_REG_R12), cpu_reg_get(cpu, UC_ARM_REG_LR),
        cpu_reg_get(cpu, UC_ARM_REG_PC),  xpsr,
    };
    bool ok = true;
    for (unsigned i = 0; i < 8 && ok; i++)
        ok = cpu_write32(cpu, frame + 4 * i, words[i]);
    if (ok && fpframe) {
        for (unsigned i = 0; i < 16 && ok; i++)
            ok = cpu_write32(cpu, frame + 0x20 + 4 * i, cpu_reg_get(cpu, UC_ARM_REG_S0 + (int)i));
        if (ok)
            ok = cpu_write32(cpu, frame + 0x60, cpu_reg_get(cpu, UC_ARM_REG_FPSCR));
    }
    uint32_t vector = 0;
    if (!ok || !cpu_read32(cpu, cpu->vtor + 4 * exc, &vector)) {
        enter_lockup(cpu);
        return;
    }
    sim_cpu_mem_changed(cpu, frame, size);
    /* The frame's SP, then CONTROL (SPSEL/FPCA cleared), then handler mode: Unicorn's IPSR
     * write banks R13 to MSP. */
    cpu_sysreg_set(cpu, on_psp ? UC_ARM_REG_PSP : UC_ARM_REG_MSP, frame);
    if (control & (CONTROL_SPSEL | CONTROL_FPCA))
        cpu_sysreg_set(cpu, UC_ARM_REG_CONTROL, control & ~(CONTROL_SPSEL | CONTROL_FPCA));
    cpu_reg_set(cpu, UC_ARM_REG_IPSR, exc);
    cpu_set_itstate(cpu, 0); /* the handler starts outside any IT block */
    uint32_t exc_return =
        0xFFFFFFE1u | (fpframe ? 0 : 0x10u) | (ipsr == 0 ? 0x8u : 0) | (on_psp ? 0x4u : 0);
    cpu_reg_set(cpu, UC_ARM_REG_LR, exc_return);
    set_pc(cpu, vector, vector & 1);
    cpu->sleeping = false;
    cpu->event = true;
}

/* The configurable fault a CFSR bit belongs to, its SHCSR enable and its vector catch. */
static unsigned fault_class(uint32_t cfsr_bits, uint32_t *shcsr_ena, uint32_t *vc)
{
    if (cfsr_bits & 0xFFu) {
        *shcsr_ena = 1u << 16;
        *vc = DEMCR_VC_MMERR;
        return EXC_MEMMANAGE;
    }
    if (cfsr_bits & 0xFF00u) {
        *shcsr_ena = 1u << 17;
        *vc = DEMCR_VC_BUSERR;
        return EXC_BUSFAULT;
    }
    *shcsr_ena = 1u << 18;
    *vc = (cfsr_bits & CFSR_NOCP)                       ? DEMCR_VC_NOCPERR
          : (cfsr_bits & (CFSR_UNALIGNED | (1u << 25))) ? DEMCR_VC_CHKERR
                                                        : DEMCR_VC_STATERR;
    return EXC_USAGE;
}

/* A synchronous fault: its own handler when SHCSR enables it and its priority allows,
 * else escalated to HardFault (FORCED); a fault in HardFault or NMI locks the core up.
 * ARMv6-M has only HardFault. DEMCR vector catch halts on the handler's first
 * instruction. */
void cpu_fault(sim_cpu *cpu, uint32_t cfsr_bits, uint32_t hfsr_bits)
{
    uint32_t ipsr = cpu_reg_get(cpu, UC_ARM_REG_IPSR) & 0x1FF;
    unsigned exc = EXC_HARDFAULT;
    uint32_t vc = DEMCR_VC_HARDERR;
    if (!cpu->v6m) {
        cpu->cfsr |= cfsr_bits;
        if (cfsr_bits & CFSR_BFARVALID)
            cpu->bfar = cpu->busfault_addr;
        if (cfsr_bits) {
            uint32_t ena, cvc;
            unsigned cls = fault_class(cfsr_bits, &ena, &cvc);
            if ((cpu->shcsr & ena) && exc_priority(cpu, cls) < exec_priority(cpu)) {
                exc = cls;
                vc = cvc;
            } else {
                hfsr_bits |= HFSR_FORCED;
                vc |= cvc; /* the fault's own catch applies when escalated too */
            }
        }
        cpu->hfsr |= hfsr_bits;
    }
    if (exc == EXC_HARDFAULT && (ipsr == EXC_HARDFAULT || ipsr == EXC_NMI)) {
        enter_lockup(cpu);
        return;
    }
    cpu_take_exception(cpu, exc);
    if (!cpu->lockup && (cpu->dhcsr & DHCSR_C_DEBUGEN) && (cpu->demcr & vc))
        cpu_enter_halt(cpu, DFSR_VCATCH);
}

void cpu_exception_return(sim_cpu *cpu, uint32_t exc_return)
{
    uint32_t ipsr = cpu_reg_get(cpu, UC_ARM_REG_IPSR) & 0x1FF;
    unsigned low = exc_return & 0xFF;
    bool valid = (low & 0x0F) == 0x1 || (low & 0x0F) == 0x9 || (low & 0x0F) == 0xD;
    if ((low & 0xE0) != 0xE0 || (!(low & 0x10) && !cpu->fpu))
        valid = false;
    if (ipsr == 0) { /* thread mode: an ordinary branch into the XN system region */
        cpu_fault(cpu, 1u << 0 /* IACCVIOL */, 0);
        return;
    }
    if (!valid) {
        cpu_fault(cpu, CFSR_INVPC, 0);
        return;
    }
    bool to_thread = (low & 0x8) != 0;
    bool use_psp = (low & 0x4) != 0;
    bool fpframe = !(low & 0x10);
    uint32_t frame = cpu_sysreg_get(cpu, use_psp ? UC_ARM_REG_PSP : UC_ARM_REG_MSP);
    uint32_t w[8];
    for (unsigned i = 0; i < 8; i++) {
        if (!cpu_read32(cpu, frame + 4 * i, &w[i])) {
            cpu_fault(cpu, CFSR_PRECISERR, 0);
            return;
        }
    }
    static const int regs[6] = {UC_ARM_REG_R0, UC_ARM_REG_R1,  UC_ARM_REG_R2,
                                UC_ARM_REG_R3, UC_ARM_REG_R12, UC_ARM_REG_LR};
    for (unsigned i = 0; i < 6; i++)
        cpu_reg_set(cpu, regs[i], w[i]);
    if (fpframe) {
        uint32_t v;
        for (unsigned i = 0; i < 16; i++)
            if (cpu_read32(cpu, frame + 0x20 + 4 * i, &v))
                cpu_reg_set(cpu, UC_ARM_REG_S0 + (int)i, v);
        if (cpu_read32(cpu, frame + 0x60, &v))
            cpu_reg_set(cpu, UC_ARM_REG_FPSCR, v);
    }
    uint32_t xpsr = w[7];
    uint32_t sp = frame + (fpframe ? 0x68 : 0x20) + ((xpsr & (1u << 9)) ? 4 : 0);
    uint32_t control = cpu_sysreg_get(cpu, UC_ARM_REG_CONTROL);
    cpu_sysreg_set(cpu, use_psp ? UC_ARM_REG_PSP : UC_ARM_REG_MSP, sp);
    cpu_reg_set(cpu, UC_ARM_REG_IPSR, to_thread ? 0 : (xpsr & 0x1FF));
    uint32_t ncontrol = (control & ~(CONTROL_SPSEL | CONTROL_FPCA)) |
                        (use_psp ? CONTROL_SPSEL : 0) | (fpframe ? CONTROL_FPCA : 0);
    if (ncontrol != control)
        cpu_sysreg_set(cpu, UC_ARM_REG_CONTROL, ncontrol);
    cpu_reg_set(cpu, UC_ARM_REG_APSR, xpsr & 0xF80F0000u);
    cpu_set_itstate(cpu, xpsr);
    set_pc(cpu, w[6], (xpsr >> 24) & 1);
    cpu->event = true;
    if (to_thread && (cpu->scr & (1u << 1))) /* SLEEPONEXIT */
        cpu->sleeping = true;
}

void cpu_handle_intr(sim_cpu *cpu, uint32_t intno)
{
    switch (intno) {
    case QEXCP_BKPT:
        if (cpu->dhcsr & DHCSR_C_DEBUGEN)
            cpu_enter_halt(cpu, DFSR_BKPT);
        else
            cpu_fault(cpu, 0, HFSR_DEBUGEVT);
        return;
    case QEXCP_EXCEPTION_EXIT:
        cpu_exception_return(cpu, cpu_reg_get(cpu, UC_ARM_REG_PC) | 1u);
        return;
    case QEXCP_SWI:
        if (exc_priority(cpu, EXC_SVCALL) < exec_priority(cpu))
            cpu_take_exception(cpu, EXC_SVCALL);
        else
            cpu_fault(cpu, 0, HFSR_FORCED);
        return;
    case QEXCP_PREFETCH_ABORT:
        /* With EPSR.T clear (BX/BLX to an even address) QEMU fetches A32 code and aborts
         * or stops there; the architecture faults on the state first (INVSTATE). */
        cpu_fault(cpu, cpu->thumb ? CFSR_IBUSERR : CFSR_INVSTATE, 0);
        return;
    case QEXCP_DATA_ABORT:
        cpu_fault(cpu, CFSR_PRECISERR, 0);
        return;
    case QEXCP_NOCP:
        cpu_fault(cpu, CFSR_NOCP, 0);
        return;
    case QEXCP_INVSTATE:
        cpu_fault(cpu, CFSR_INVSTATE, 0);
        return;
    case QEXCP_STKOF:
        cpu_fault(cpu, 1u << 20, 0);
        return;
    case QEXCP_UNALIGNED:
        cpu_fault(cpu, CFSR_UNALIGNED, 0);
        return;
    case QEXCP_DIVBYZERO:
        cpu_fault(cpu, 1u << 25, 0);
        return;
    default:
        cpu_fault(cpu, CFSR_UNDEFINSTR, 0);
        return;
    }
}

/* --- SysTick (ARMv7-M B3.3): 24-bit down counter, reload on the tick after 0 -------- */

static uint64_t systick_ticks(sim_cpu *cpu, uint64_t cycles)
{
    if (cpu->syst_csr & (1u << 2))
        return cycles;
    uint64_t t = cycles + cpu->syst_frac; /* reference clock = core clock / 8 */
    cpu->syst_frac = (uint32_t)(t % 8);
    return t / 8;
}

void cpu_systick_advance(sim_cpu *cpu, uint64_t cycles)
{
    if (!(cpu->syst_csr & 1) || cycles == 0)
        return;
    uint64_t ticks = systick_ticks(cpu, cycles);
    uint32_t rvr = cpu->syst_rvr & 0xFFFFFF;
    uint32_t cvr = cpu->syst_cvr & 0xFFFFFF;
    bool wrapped = false;
    if (ticks == 0)
        return;
    if (cvr == 0) {
        if (rvr == 0)
            return;
        cvr = rvr;
        ticks--;
    }
    if (ticks < cvr) {
        cvr -= (uint32_t)ticks;
    } else {
        ticks -= cvr;
        wrapped = true;
        if (rvr == 0) {
            cvr = 0;
        } else {
            ticks %= (uint64_t)rvr + 1;
            cvr = ticks == 0 ? 0 : rvr - (uint32_t)(ticks - 1);
        }
    }
    cpu->syst_cvr = cvr;
    if (wrapped) {
        cpu->syst_csr |= 1u << 16; /* COUNTFLAG */
        if (cpu->syst_csr & (1u << 1))
            cpu->pend_systick = true;
    }
}

uint64_t cpu_systick_cycles_to_fire(const sim_cpu *cpu)
{
    if ((cpu->syst_csr & 3) != 3)
        return UINT64_MAX;
    uint32_t rvr = cpu->syst_rvr & 0xFFFFFF;
    uint32_t cvr = cpu->syst_cvr & 0xFFFFFF;
    uint64_t ticks = cvr ? cvr : (rvr ? (uint64_t)rvr + 1 : 0);
    if (ticks == 0)
        return UINT64_MAX;
    if (cpu->syst_csr & (1u << 2))
        return ticks;
    uint64_t c = ticks * 8;
    return c > cpu->syst_frac ? c - cpu->syst_frac : 1;
}

/* --- pending exceptions -------------------------------------------------------------- */

/* Highest-priority pending exception allowed by masking, or 0. */
static unsigned best_pending(const sim_cpu *cpu, int *prio_out)
{
    unsigned best = 0;
    int bprio = 1000;
    bool masked =
        (cpu->dhcsr & (DHCSR_C_DEBUGEN | DHCSR_C_MASKINTS)) == (DHCSR_C_DEBUGEN | DHCSR_C_MASKINTS);
    if (cpu->pend_nmi) {
        *prio_out = -2;
        return EXC_NMI;
    }
    if (masked)
        return 0;
    if (cpu->pend_pendsv && exc_priority(cpu, EXC_PENDSV) < bprio) {
        best = EXC_PENDSV;
        bprio = exc_priority(cpu, EXC_PENDSV);
    }
    if (cpu->pend_systick && exc_priority(cpu, EXC_SYSTICK) < bprio) {
        best = EXC_SYSTICK;
        bprio = exc_priority(cpu, EXC_SYSTICK);
    }
    for (unsigned w = 0; w < CPU_NVIC_WORDS; w++) {
        uint32_t m = cpu->nvic_ispr[w] & cpu->nvic_iser[w];
        for (unsigned b = 0; m && b < 32; b++) {
            if (!(m & (1u << b)))
                continue;
            unsigned exc = 16 + w * 32 + b;
            if (exc_priority(cpu, exc) < bprio) {
                best = exc;
                bprio = exc_priority(cpu, exc);
            }
        }
    }
    *prio_out = bprio;
    return best;
}

bool cpu_interrupt_pending(const sim_cpu *cpu)
{
    int prio;
    return best_pending(cpu, &prio) != 0;
}

bool cpu_take_pending(sim_cpu *cpu)
{
    int prio;
    unsigned exc = best_pending(cpu, &prio);
    if (!exc || prio >= exec_priority(cpu))
        return false;
    if (exc == EXC_NMI)
        cpu->pend_nmi = false;
    else if (exc == EXC_PENDSV)
        cpu->pend_pendsv = false;
    else if (exc == EXC_SYSTICK)
        cpu->pend_systick = false;
    else
        cpu->nvic_ispr[(exc - 16) / 32] &= ~(1u << ((exc - 16) % 32));
    cpu->sleeping = false;
    cpu_take_exception(cpu, exc);
    return true;
}
