/* The virtual Cortex-M core: the BXNS/BLXNS encodings (0100 0111 L Rm 100).
 *
 * In ARMv6-M and ARMv7-M these are BX/BLX (register) with the should-be-zero bits [2:0]
 * not zero (encoding T1 "010001111 Rm (0)(0)(0)" in the ARMv7-M ARM); ARMv8-M gives
 * bit 2 to BXNS/BLXNS, which are UNDEFINED without the Security Extension. The cores we
 * model have no Security Extension, yet Unicorn 2.0.1 runs them as Secure code would:
 * BLXNS to an even address pushes the return address and xPSR 8 bytes below SP, sets LR
 * to FNC_RETURN (0xFEFFFFFF), banks R13 to the Non-secure stack pointer (0) and leaves the
 * core in Non-secure state, where every instruction fetch afterwards raises a prefetch
 * abort (IBUSERR), also after a reset or a debugger's register writes: QEMU's security
 * state is not reachable through the Unicorn API. Random bytes in flash (a partly
 * programmed or corrupted image) meet these encodings easily (0x47C4: BLXNS r8).
 *
 * So Unicorn must never execute them. The block hook (cpu.c, while it counts a block's
 * instructions) looks at the last instruction of each block (a branch always ends one).
 * A block ending in one stops before it runs (STOP_NSTRAP) and the next run is started
 * with the instruction's address as Unicorn's exit address, so it ends right before it
 * (a code hook cannot do this: inside an IT block Unicorn does not stop at it); a block
 * starting with one stops before it runs (STOP_NSBRANCH) and cpu_nsbranch_run does what
 * the core does: on v6-M and v7-M the branch BX/BLX (if its IT condition passes; a target
 * with bit 0 clear leaves EPSR.T = 0 and the next instruction faults with INVSTATE); on
 * v8-M (M33, modelled without the Security Extension) an UNDEFINSTR UsageFault. */
#include "cpu_internal.h"

static int gpr(unsigned n)
{
    if (n <= 12)
        return UC_ARM_REG_R0 + (int)n;
    return n == 13 ? UC_ARM_REG_SP : UC_ARM_REG_LR;
}

/* ITSTATE from xPSR (IT[1:0] in bits 26:25, IT[7:2] in bits 15:10). */
static unsigned itstate(uint32_t xpsr)
{
    return ((xpsr >> 25) & 3u) | ((xpsr >> 8) & 0xFCu);
}

static bool cond_passed(unsigned cond, uint32_t apsr)
{
    bool n = apsr >> 31 & 1, z = apsr >> 30 & 1, c = apsr >> 29 & 1, v = apsr >> 28 & 1;
    bool r;
    switch (cond >> 1) {
    case 0:
        r = z;
        break;
    case 1:
        r = c;
        break;
    case 2:
        r = n;
        break;
    case 3:
        r = v;
        break;
    case 4:
        r = c && !z;
        break;
    case 5:
        r = n == v;
        break;
    case 6:
        r = n == v && !z;
        break;
    default:
        return true; /* AL (and 0b1111, which IT treats as AL) */
    }
    return (cond & 1) ? !r : r;
}

/* The BXNS/BLXNS at insn (a block starts with it), as this core runs it. */
void cpu_nsbranch_run(sim_cpu *cpu, uint32_t insn)
{
    cpu_region *r = cpu_region_of(cpu, insn);
    if (!r || insn - r->r.base > r->r.size - 2)
        return;
    const uint8_t *p = r->map + (insn - r->r.base);
    uint16_t h = (uint16_t)(p[0] | p[1] << 8);
    if (cpu->core == STP_CORE_M33) {
        cpu_fault(cpu, CFSR_UNDEFINSTR, 0);
        return;
    }
    uint32_t xpsr = cpu_reg_get(cpu, UC_ARM_REG_XPSR);
    unsigned it = itstate(xpsr);
    bool run = !(it & 0xF) || cond_passed(it >> 4, xpsr);
    if (it & 0xF) /* a branch in an IT block is its last instruction: the block ends */
        cpu_set_itstate(cpu, 0);
    if (!run) {
        cpu_reg_set(cpu, UC_ARM_REG_PC, insn + 2);
        return;
    }
    unsigned rm = (h >> 3) & 15;
    uint32_t target = rm == 15 ? insn + 4 : cpu_reg_get(cpu, gpr(rm));
    if (h & 0x80)
        cpu_reg_set(cpu, UC_ARM_REG_LR, (insn + 2) | 1u);
    cpu_reg_set(cpu, UC_ARM_REG_PC, target & ~1u);
    cpu->thumb = target & 1;
}
