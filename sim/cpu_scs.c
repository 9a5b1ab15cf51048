/* The virtual Cortex-M core: System Control Space registers other than debug — SCB
 * (CPUID, ICSR, VTOR, AIRCR, SCR, CCR, SHPR, SHCSR, fault status), SysTick, NVIC, and
 * the FPU/cache identification registers tools probe (ARMv7-M ARM B3.2-B3.4). */
#include "cpu_internal.h"

#define AIRCR_VECTKEY 0x05FAu

/* Identification values tools compare against (OpenOCD's FPU detection uses MVFR0/1). */
#define MVFR0_FPV4_SP 0x10110021u
#define MVFR1_FPV4_SP 0x11000011u
#define MVFR0_FPV5_DP 0x10110221u
#define MVFR1_FPV5_DP 0x12000011u

static uint8_t prio_mask(const sim_cpu *cpu)
{
    return cpu->v6m ? 0xC0 : 0xF0; /* STM32: 2 priority bits on M0, 4 elsewhere */
}

static bool has_vtor(const sim_cpu *cpu)
{
    return cpu->core != STP_CORE_M0;
}

static uint32_t icsr_read(sim_cpu *cpu)
{
    uint32_t ipsr = cpu_reg_get(cpu, UC_ARM_REG_IPSR) & 0x1FF;
    uint32_t v = ipsr;
    unsigned pending = 0;
    if (cpu->pend_nmi)
        v |= 1u << 31;
    if (cpu->pend_pendsv) {
        v |= 1u << 28;
        pending = EXC_PENDSV;
    }
    if (cpu->pend_systick) {
        v |= 1u << 26;
        pending = EXC_SYSTICK;
    }
    for (unsigned w = 0; w < CPU_NVIC_WORDS; w++) {
        if (cpu->nvic_ispr[w] & cpu->nvic_iser[w]) {
            v |= 1u << 22; /* ISRPENDING */
            if (!pending)
                pending =
                    16 + w * 32 + (unsigned)__builtin_ctz(cpu->nvic_ispr[w] & cpu->nvic_iser[w]);
        }
    }
    v |= (pending & 0x1FF) << 12;
    return v;
}

static void icsr_write(sim_cpu *cpu, uint32_t val)
{
    if (val & (1u << 31))
        cpu->pend_nmi = true;
    if (val & (1u << 28))
        cpu->pend_pendsv = true;
    if (val & (1u << 27))
        cpu->pend_pendsv = false;
    if (val & (1u << 26))
        cpu->pend_systick = true;
    if (val & (1u << 25))
        cpu->pend_systick = false;
    if (val & ((1u << 31) | (1u << 28) | (1u << 26)))
        cpu_request_stop(cpu, STOP_BUDGET); /* take it at the next instruction boundary */
}

static void aircr_write(sim_cpu *cpu, uint32_t val)
{
    if ((val >> 16) != AIRCR_VECTKEY)
        return;
    if (!cpu->v6m)
        cpu->aircr = val & 0x700u; /* PRIGROUP */
    if (!cpu->v6m && (val & 2))    /* VECTCLRACTIVE */
        cpu_reg_set(cpu, UC_ARM_REG_IPSR, 0);
    if (val & 4) { /* SYSRESETREQ: the board resets the system, then calls sim_cpu_reset */
        if (cpu->bus.system_reset_request)
            cpu->bus.system_reset_request(cpu->bus.ctx);
        else
            sim_cpu_reset(cpu, false, cpu->reset_vtor); /* a board without peripherals */
        return;
    }
    if (!cpu->v6m && (val & 1)) { /* VECTRESET: the core only */
        if (cpu->in_run) {
            cpu->pending_reset_por = false;
            cpu->pending_reset_core = true;
            cpu->pending_reset_vtor = cpu->reset_vtor;
            cpu_request_stop(cpu, STOP_RESET);
        } else {
            cpu_do_reset(cpu, false, cpu->reset_vtor, true);
        }
    }
}

static sim_access nvic_read(sim_cpu *cpu, uint32_t off, uint32_t *val)
{
    unsigned w = (off & 0x7F) / 4;
    if (off >= 0x100 && off < 0x100 + 4 * CPU_NVIC_WORDS)
        *val = cpu->nvic_iser[w];
    else if (off >= 0x180 && off < 0x180 + 4 * CPU_NVIC_WORDS)
        *val = cpu->nvic_iser[w];
    else if (off >= 0x200 && off < 0x200 + 4 * CPU_NVIC_WORDS)
        *val = cpu->nvic_ispr[w];
    else if (off >= 0x280 && off < 0x280 + 4 * CPU_NVIC_WORDS)
        *val = cpu->nvic_ispr[w];
    else if (off >= 0x400 && off < 0x400 + sizeof cpu->nvic_ipr) {
        const uint8_t *p = &cpu->nvic_ipr[off - 0x400];
        *val = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    } else
        *val = 0; /* IABR and reserved words read as zero */
    return SIM_ACC_OK;
}

static void nvic_write(sim_cpu *cpu, uint32_t off, uint32_t val)
{
    unsigned w = (off & 0x7F) / 4;
    if (off >= 0x100 && off < 0x100 + 4 * CPU_NVIC_WORDS)
        cpu->nvic_iser[w] |= val;
    else if (off >= 0x180 && off < 0x180 + 4 * CPU_NVIC_WORDS)
        cpu->nvic_iser[w] &= ~val;
    else if (off >= 0x200 && off < 0x200 + 4 * CPU_NVIC_WORDS) {
        cpu->nvic_ispr[w] |= val;
        cpu_request_stop(cpu, STOP_BUDGET);
    } else if (off >= 0x280 && off < 0x280 + 4 * CPU_NVIC_WORDS)
        cpu->nvic_ispr[w] &= ~val;
    else if (off >= 0x400 && off < 0x400 + sizeof cpu->nvic_ipr) {
        uint8_t *p = &cpu->nvic_ipr[off - 0x400];
        for (unsigned i = 0; i < 4; i++)
            p[i] = (uint8_t)(val >> (8 * i)) & prio_mask(cpu);
    }
}

sim_access cpu_scs_read(sim_cpu *cpu, uint32_t addr, uint32_t *val, bool peek)
{
    uint32_t off = addr - 0xE000E000u;
    *val = 0;
    if (off >= 0x100 && off < 0x500)
        return nvic_read(cpu, off, val);
    switch (off) {
    case 0x004: /* ICTR */
        *val = cpu->v6m ? 0 : CPU_NVIC_WORDS - 1;
        break;
    case 0x008:
        *val = cpu->actlr;
        break;
    case 0x010:
        *val = cpu->syst_csr;
        if (!peek)
            cpu->syst_csr &= ~(1u << 16); /* COUNTFLAG clears on read */
        break;
    case 0x014:
        *val = cpu->syst_rvr;
        break;
    case 0x018:
        *val = cpu->syst_cvr;
        break;
    case 0x01C: /* CALIB: no exact 10 ms value */
        *val = 1u << 30;
        break;
    case 0xD00:
        *val = cpu->cpuid;
        break;
    case 0xD04:
        *val = icsr_read(cpu);
        break;
    case 0xD08:
        *val = has_vtor(cpu) ? cpu->vtor : 0;
        break;
    case 0xD0C:
        *val = 0xFA050000u | cpu->aircr;
        break;
    case 0xD10:
        *val = cpu->scr;
        break;
    case 0xD14:
        *val = cpu->ccr;
        break;
    case 0xD18:
    case 0xD1C:
    case 0xD20:
        *val = cpu->shpr[(off - 0xD18) / 4];
        break;
    case 0xD24:
        *val = cpu->shcsr;
        break;
    case 0xD28:
        *val = cpu->cfsr;
        break;
    case 0xD2C:
        *val = cpu->hfsr;
        break;
    case 0xD34:
        *val = cpu->mmfar;
        break;
    case 0xD38:
        *val = cpu->bfar;
        break;
    case 0xD3C:
        *val = cpu->afsr;
        break;
    case 0xD78: /* CLIDR: L1 I+D caches on the M7 */
        *val = cpu->core == STP_CORE_M7 ? 0x09000003u : 0;
        break;
    case 0xD7C: /* CTR */
        *val = cpu->core == STP_CORE_M7 ? 0x8303C003u : 0;
        break;
    case 0xD80: /* CCSIDR: 16 KiB, 32-byte lines; D: 4-way, I: 2-way */
        if (cpu->core == STP_CORE_M7)
            *val = (cpu->csselr & 1) ? 0xF01FE009u : 0xF00FE019u;
        break;
    case 0xD84:
        *val = cpu->csselr;
        break;
    case 0xD88:
        *val = cpu->fpu ? cpu->cpacr : 0;
        break;
    case 0xF34:
        *val = cpu->fpu ? cpu->fpccr : 0;
        break;
    case 0xF38:
        *val = cpu->fpu ? cpu->fpcar : 0;
        break;
    case 0xF3C:
        *val = cpu->fpu ? cpu->fpdscr : 0;
        break;
    case 0xF40:
        *val = !cpu->fpu ? 0 : cpu->core == STP_CORE_M7 ? MVFR0_FPV5_DP : MVFR0_FPV4_SP;
        break;
    case 0xF44:
        *val = !cpu->fpu ? 0 : cpu->core == STP_CORE_M7 ? MVFR1_FPV5_DP : MVFR1_FPV4_SP;
        break;
    case 0xF48:
        *val = cpu->core == STP_CORE_M7 ? 0x00000040u : 0;
        break;
    default:
        break; /* other SCS words (MPU, feature IDs, CoreSight IDs) read as zero */
    }
    return SIM_ACC_OK;
}

sim_access cpu_scs_write(sim_cpu *cpu, uint32_t addr, uint32_t val, bool from_core)
{
    uint32_t off = addr - 0xE000E000u;
    if (off >= 0x100 && off < 0x500) {
        nvic_write(cpu, off, val);
        return SIM_ACC_OK;
    }
    switch (off) {
    case 0x008:
        cpu->actlr = val;
        break;
    case 0x010:
        cpu->syst_csr = (cpu->syst_csr & (1u << 16)) | (val & 7u);
        if (cpu->in_run)
            cpu_request_stop(cpu, STOP_BUDGET); /* re-slice the run at the next tick */
        break;
    case 0x014:
        cpu->syst_rvr = val & 0xFFFFFFu;
        break;
    case 0x018:
        cpu->syst_cvr = 0;
        cpu->syst_csr &= ~(1u << 16);
        break;
    case 0xD04:
        icsr_write(cpu, val);
        break;
    case 0xD08:
        if (has_vtor(cpu))
            cpu->vtor = val & 0xFFFFFF80u;
        break;
    case 0xD0C:
        aircr_write(cpu, val);
        break;
    case 0xD10:
        cpu->scr = val & 0x16u;
        break;
    case 0xD14:
        if (!cpu->v6m)
            cpu->ccr = val & (cpu->core == STP_CORE_M7 ? 0x7031Bu : 0x31Bu);
        break;
    case 0xD18:
    case 0xD1C:
    case 0xD20: {
        uint32_t m = (uint32_t)prio_mask(cpu) * 0x01010101u;
        if (cpu->v6m)
            m &= off == 0xD1C ? 0xFF000000u : off == 0xD20 ? 0xFFFF0000u : 0;
        cpu->shpr[(off - 0xD18) / 4] = val & m;
        break;
    }
    case 0xD24:
        if (!cpu->v6m)
            cpu->shcsr = val & 0x7FFFFu;
        break;
    case 0xD28:
        cpu->cfsr &= ~val;
        break;
    case 0xD2C:
        cpu->hfsr &= ~val;
        break;
    case 0xD34:
        cpu->mmfar = val;
        break;
    case 0xD38:
        cpu->bfar = val;
        break;
    case 0xD84:
        cpu->csselr = val & 0xF;
        break;
    case 0xD88:
        if (cpu->fpu)
            cpu->cpacr = val & 0x00F00000u;
        break;
    case 0xF00: /* STIR */
        if (!cpu->v6m && (val & 0x1FF) < 32 * CPU_NVIC_WORDS) {
            cpu->nvic_ispr[(val & 0x1FF) / 32] |= 1u << (val % 32);
            cpu_request_stop(cpu, STOP_BUDGET);
        }
        break;
    case 0xF34:
        cpu->fpccr = val & 0xC00001FBu;
        break;
    case 0xF38:
        cpu->fpcar = val & ~7u;
        break;
    case 0xF3C:
        cpu->fpdscr = val & 0x07C00000u;
        break;
    default:
        break; /* read-only or unmodelled SCS words ignore writes (cache maintenance too) */
    }
    return SIM_ACC_OK;
}
