/* The virtual Cortex-M core: the BXNS/BLXNS encodings (0100 0111 L Rm 100).
 *
 * In ARMv6-M and ARMv7-M these are BX/BLX (register) with the should-be-zero bits [2:0]
 * not zero (encoding T1 "010001111 Rm (0)(0)(0)" in the ARMv7-M ARM); ARMv8-M
 * gives bit 2 to BXNS/BLXNS, which are UNDEFINED without the Security Extension. The
 * cores we model have no Security Extension, yet Unicorn 2.0.1 runs them as Secure code
 * would: BLXNS to an even address pushes the return address and xPSR 8 bytes below SP,
 * sets LR to FNC_RETURN (0xFEFFFFFF), banks R13 to the Non-secure stack pointer (0) and
 * leaves the core in Non-secure state, where every instruction fetch afterwards raises a
 * prefetch abort (IBUSERR), also after a reset or a debugger's register writes: QEMU's
 * security state is not reachable through the Unicorn API. Random bytes in flash (a
 * partly programmed or corrupted image) meet these encodings easily (0x47C4: BLXNS r8).
 *
 * So Unicorn must never execute them. The block hook (cpu.c, while it counts a block's
 * instructions) looks at the last instruction of each block (a branch always ends one); a block
 * ending in one with no trap yet stops before it runs, a ranged code hook (the trap) is put on the
 * instruction, and from then on the trap stops the run right before it, and cpu_nsbranch_run does
 * what the core does: on v6-M and v7-M the branch BX/BLX (a target with bit 0 clear leaves EPSR.T =
 * 0, and the next instruction faults with INVSTATE); on v8-M (M33, modelled without the Security
 * Extension) an UNDEFINSTR UsageFault. A trap whose instruction changed lets it run. */
#include "cpu_internal.h"

/* The half-word at addr as the core sees it, false outside the direct regions. */
static bool half_at(sim_cpu *cpu, uint32_t addr, uint16_t *h)
{
    cpu_region *r = cpu_region_of(cpu, addr);
    if (!r || addr - r->r.base > r->r.size - 2)
        return false;
    const uint8_t *p = r->map + (addr - r->r.base);
    *h = (uint16_t)(p[0] | p[1] << 8);
    return true;
}

bool cpu_nstrap_armed(const sim_cpu *cpu, uint32_t insn)
{
    for (unsigned i = 0; i < cpu->nnstrap; i++) {
        if (cpu->nstrap_pc[i] == insn)
            return true;
    }
    return false;
}

static void hook_nstrap(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    sim_cpu *cpu = user;
    uint16_t h;
    if (!half_at(cpu, (uint32_t)address, &h) || !cpu_is_bxns(h))
        return; /* the code there changed: an ordinary instruction now */
    if (cpu->stop & STOP_HALT) {
        /* a breakpoint or the step's end stops before it (hooks run in any order) */
    } else if (cpu->stepping && cpu->step_count >= 1 && cpu->step_pc != (uint32_t)address) {
        cpu->stop |= STOP_HALT;      /* the step is over: this is the next instruction */
    } else if (!cpu->stop_pending) { /* else a halt or fault is due before it */
        cpu->nsbranch_pc = (uint32_t)address;
        cpu->stop |= STOP_NSBRANCH;
    }
    if (cpu->in_run)
        uc_emu_stop(cpu->uc); /* from a code hook: the instruction does not run */
}

/* Between runs: a trap on insn, and its translated block dropped so the hook is seen. */
void cpu_nstrap_arm(sim_cpu *cpu, uint32_t insn)
{
    if (cpu_nstrap_armed(cpu, insn))
        return;
    unsigned slot;
    if (cpu->nnstrap < CPU_MAX_NSTRAP) {
        slot = cpu->nnstrap++;
    } else {
        slot = cpu->nstrap_next;
        cpu->nstrap_next = (cpu->nstrap_next + 1) % CPU_MAX_NSTRAP;
        uc_hook_del(cpu->uc, cpu->nstrap_hook[slot]);
        uc_ctl_remove_cache(cpu->uc, cpu->nstrap_pc[slot], cpu->nstrap_pc[slot] + 2);
    }
    cpu->nstrap_pc[slot] = insn;
    cpu->nstrap_hook[slot] = 0;
    if (uc_hook_add(cpu->uc, &cpu->nstrap_hook[slot], UC_HOOK_CODE, hook_nstrap, cpu, insn, insn) !=
        UC_ERR_OK) {
        cpu->nstrap_pc[slot] = 0xFFFFFFFFu; /* unusable slot: never matches a Thumb address */
        return;
    }
    uc_ctl_remove_cache(cpu->uc, insn, insn + 2);
}

static int gpr(unsigned n)
{
    if (n <= 12)
        return UC_ARM_REG_R0 + (int)n;
    return n == 13 ? UC_ARM_REG_SP : UC_ARM_REG_LR;
}

/* The trapped instruction at insn, as this core runs it (see the top of the file). */
void cpu_nsbranch_run(sim_cpu *cpu, uint32_t insn)
{
    uint16_t h = 0;
    half_at(cpu, insn, &h);
    if (cpu->core == STP_CORE_M33) {
        cpu_fault(cpu, CFSR_UNDEFINSTR, 0);
        return;
    }
    unsigned rm = (h >> 3) & 15;
    uint32_t target = rm == 15 ? insn + 4 : cpu_reg_get(cpu, gpr(rm));
    if (h & 0x80)
        cpu_reg_set(cpu, UC_ARM_REG_LR, (insn + 2) | 1u);
    cpu_reg_set(cpu, UC_ARM_REG_PC, target & ~1u);
    cpu->thumb = target & 1;
}
