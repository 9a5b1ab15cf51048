/* The virtual Cortex-M core: core register transfer through DCRSR/DCRDR, in the DCRSR
 * REGSEL numbering (ARMv7-M ARM C1.6.3): 0-12 r0-r12, 13 SP, 14 LR, 15 DebugReturnAddress,
 * 16 xPSR, 17 MSP, 18 PSP, 20 CONTROL/FAULTMASK/BASEPRI/PRIMASK, 33 FPSCR, 64-95 S0-S31. */
#include "cpu_internal.h"

#define REGSEL_XPSR    16
#define REGSEL_MSP     17
#define REGSEL_PSP     18
#define REGSEL_SPECIAL 20
#define REGSEL_FPSCR   33
#define REGSEL_S0      64

static int gpr(unsigned regsel)
{
    static const int map[16] = {
        UC_ARM_REG_R0,  UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3, UC_ARM_REG_R4,  UC_ARM_REG_R5,
        UC_ARM_REG_R6,  UC_ARM_REG_R7, UC_ARM_REG_R8, UC_ARM_REG_R9, UC_ARM_REG_R10, UC_ARM_REG_R11,
        UC_ARM_REG_R12, UC_ARM_REG_SP, UC_ARM_REG_LR, UC_ARM_REG_PC,
    };
    return map[regsel];
}

bool cpu_dcrsr_read(sim_cpu *cpu, unsigned regsel, uint32_t *val)
{
    if (regsel <= 15) {
        *val = cpu_reg_get(cpu, gpr(regsel));
        if (regsel == 15)
            *val &= ~1u;
        return true;
    }
    switch (regsel) {
    case REGSEL_XPSR:
        *val = (cpu_reg_get(cpu, UC_ARM_REG_XPSR) & ~(1u << 24)) | (cpu->thumb ? 1u << 24 : 0);
        return true;
    case REGSEL_MSP:
        *val = cpu_sysreg_get(cpu, UC_ARM_REG_MSP);
        return true;
    case REGSEL_PSP:
        *val = cpu_sysreg_get(cpu, UC_ARM_REG_PSP);
        return true;
    case REGSEL_SPECIAL:
        *val = (cpu_sysreg_get(cpu, UC_ARM_REG_CONTROL) & (cpu->fpu ? 7u : 3u)) << 24 |
               (cpu_sysreg_get(cpu, UC_ARM_REG_PRIMASK) & 1);
        if (!cpu->v6m)
            *val |= (cpu_sysreg_get(cpu, UC_ARM_REG_FAULTMASK) & 1) << 16 |
                    (cpu_sysreg_get(cpu, UC_ARM_REG_BASEPRI) & 0xFF) << 8;
        return true;
    case REGSEL_FPSCR:
        if (!cpu->fpu)
            return false;
        *val = cpu_reg_get(cpu, UC_ARM_REG_FPSCR);
        return true;
    default:
        if (cpu->fpu && regsel >= REGSEL_S0 && regsel < REGSEL_S0 + 32) {
            *val = cpu_reg_get(cpu, UC_ARM_REG_S0 + (int)(regsel - REGSEL_S0));
            return true;
        }
        return false;
    }
}

bool cpu_dcrsr_write(sim_cpu *cpu, unsigned regsel, uint32_t val)
{
    if (regsel <= 15) {
        if (regsel == 15)
            val &= ~1u; /* the Thumb bit lives in xPSR.T (cpu->thumb), not in the PC */
        cpu_reg_set(cpu, gpr(regsel), val);
        return true;
    }
    switch (regsel) {
    case REGSEL_XPSR:
        cpu_reg_set(cpu, UC_ARM_REG_APSR, val & 0xF80F0000u);
        cpu_reg_set(cpu, UC_ARM_REG_IPSR, val & 0x1FF);
        cpu_set_itstate(cpu, val);
        cpu->thumb = (val >> 24) & 1;
        return true;
    case REGSEL_MSP:
        cpu_sysreg_set(cpu, UC_ARM_REG_MSP, val & ~3u);
        return true;
    case REGSEL_PSP:
        cpu_sysreg_set(cpu, UC_ARM_REG_PSP, val & ~3u);
        return true;
    case REGSEL_SPECIAL:
        cpu_sysreg_set(cpu, UC_ARM_REG_PRIMASK, val & 1);
        cpu_sysreg_set(cpu, UC_ARM_REG_CONTROL, (val >> 24) & (cpu->fpu ? 7u : 3u));
        if (!cpu->v6m) {
            cpu_sysreg_set(cpu, UC_ARM_REG_FAULTMASK, (val >> 16) & 1);
            cpu_sysreg_set(cpu, UC_ARM_REG_BASEPRI, (val >> 8) & 0xFF);
        }
        return true;
    case REGSEL_FPSCR:
        if (!cpu->fpu)
            return false;
        cpu_reg_set(cpu, UC_ARM_REG_FPSCR, val);
        return true;
    default:
        if (cpu->fpu && regsel >= REGSEL_S0 && regsel < REGSEL_S0 + 32) {
            cpu_reg_set(cpu, UC_ARM_REG_S0 + (int)(regsel - REGSEL_S0), val);
            return true;
        }
        return false;
    }
}

uint32_t sim_cpu_reg(const sim_cpu *cpu, unsigned regno)
{
    uint32_t v = 0;
    cpu_dcrsr_read((sim_cpu *)cpu, regno, &v);
    return v;
}

bool sim_cpu_set_reg(sim_cpu *cpu, unsigned regno, uint32_t val)
{
    return cpu_dcrsr_write(cpu, regno, val);
}

/* --- banked and special registers ---------------------------------------------------
 * Unicorn reads and writes MSP, PSP, PRIMASK, BASEPRI, FAULTMASK and CONTROL through
 * QEMU's MRS/MSR helpers, which obey the current privilege: in unprivileged thread mode
 * (CONTROL.nPRIV) reads give 0 and writes are ignored. The debugger and exception entry
 * must reach them anyway, so in thread mode these accesses run with IPSR briefly
 * non-zero: handler mode is privileged, and Unicorn's IPSR write banks the stack pointers
 * (R13 becomes MSP, and back to the SPSEL choice when IPSR returns to 0), so MSP and PSP
 * read and write their true values there, and a CONTROL.SPSEL change takes effect on the
 * way back. */

uint32_t cpu_sysreg_get(sim_cpu *cpu, int ucreg)
{
    uint32_t ipsr = cpu_reg_get(cpu, UC_ARM_REG_IPSR) & 0x1FF;
    if (ipsr == 0)
        cpu_reg_set(cpu, UC_ARM_REG_IPSR, EXC_HARDFAULT);
    uint32_t v = cpu_reg_get(cpu, ucreg);
    if (ipsr == 0)
        cpu_reg_set(cpu, UC_ARM_REG_IPSR, 0);
    return v;
}

void cpu_sysreg_set(sim_cpu *cpu, int ucreg, uint32_t val)
{
    uint32_t ipsr = cpu_reg_get(cpu, UC_ARM_REG_IPSR) & 0x1FF;
    if (ipsr == 0)
        cpu_reg_set(cpu, UC_ARM_REG_IPSR, EXC_HARDFAULT);
    cpu_reg_set(cpu, ucreg, val);
    if (ipsr == 0)
        cpu_reg_set(cpu, UC_ARM_REG_IPSR, 0);
}

void cpu_set_itstate(sim_cpu *cpu, uint32_t xpsr)
{
    uint32_t cur = cpu_reg_get(cpu, UC_ARM_REG_XPSR);
    if ((cur ^ xpsr) & XPSR_IT_MASK) /* a full xPSR write, IPSR unchanged: no stack banking */
        cpu_reg_set(cpu, UC_ARM_REG_XPSR, (cur & ~XPSR_IT_MASK) | (xpsr & XPSR_IT_MASK));
}
