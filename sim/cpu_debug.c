/* The virtual Cortex-M core: the PPB as the debugger and the core see it, and its debug
 * components (ARMv7-M ARM C1, ARMv6-M ARM C1): DHCSR/DCRSR/DCRDR/DEMCR, DFSR, the FPB
 * (revision 1 on M3/M4, revision 2 on M7) or the v6-M BPU, the DWT (comparators, CYCCNT)
 * and a minimal ITM. SCB, SysTick and NVIC live in cpu_scs.c. */
#include "cpu_internal.h"

#define ITM_BASE 0xE0000000u
#define DWT_BASE 0xE0001000u
#define FPB_BASE 0xE0002000u
#define SCS_BASE 0xE000E000u
#define DHCSR    0xE000EDF0u
#define DCRSR    0xE000EDF4u
#define DCRDR    0xE000EDF8u
#define DEMCR    0xE000EDFCu
#define DFSR     0xE000ED30u

uint32_t cpu_cyccnt(const sim_cpu *cpu)
{
    bool on = (cpu->dwt_ctrl & 1) && (cpu->demcr & DEMCR_TRCENA) && !cpu->v6m;
    return cpu->cyccnt + (on ? (uint32_t)(cpu->instructions - cpu->cyccnt_mark) : 0);
}

static void cyccnt_snapshot(sim_cpu *cpu)
{
    cpu->cyccnt = cpu_cyccnt(cpu);
    cpu->cyccnt_mark = cpu->instructions;
}

static uint32_t dhcsr_read(sim_cpu *cpu, bool peek)
{
    uint32_t v = cpu->dhcsr & 0x2Fu;
    if (cpu->regrdy)
        v |= DHCSR_S_REGRDY;
    if (cpu->halted)
        v |= DHCSR_S_HALT;
    if (cpu->sleeping && !cpu->halted)
        v |= DHCSR_S_SLEEP;
    if (cpu->lockup)
        v |= DHCSR_S_LOCKUP;
    if (cpu->retire_st)
        v |= DHCSR_S_RETIRE_ST;
    if (cpu->reset_st)
        v |= DHCSR_S_RESET_ST;
    if (!peek)
        cpu->retire_st = cpu->reset_st = false;
    return v;
}

static void dhcsr_write(sim_cpu *cpu, uint32_t val, bool from_core)
{
    if ((val >> 16) != DHCSR_DBGKEY)
        return;
    uint32_t c = val & 0x2Fu;
    if (from_core) /* software cannot change C_DEBUGEN */
        c = (c & ~DHCSR_C_DEBUGEN) | (cpu->dhcsr & DHCSR_C_DEBUGEN);
    if (!(c & DHCSR_C_DEBUGEN)) {
        cpu->dhcsr = 0;
        cpu_leave_halt(cpu);
        return;
    }
    cpu->dhcsr = c;
    if (c & DHCSR_C_HALT) {
        if (!cpu->halted)
            cpu_enter_halt(cpu, DFSR_HALTED);
        return;
    }
    if (!cpu->halted)
        return;
    if (c & DHCSR_C_STEP) {
        cpu_step(cpu);
        return;
    }
    cpu_leave_halt(cpu);
}

static sim_access fpb_read(sim_cpu *cpu, uint32_t off, uint32_t *val)
{
    if (off == 0) {
        *val = cpu->fp_ctrl;
        return SIM_ACC_OK;
    }
    if (off == 4) {
        *val = cpu->v6m || (cpu->fp_ctrl >> 28) ? 0 : cpu->fp_remap;
        return SIM_ACC_OK;
    }
    unsigned i = (off - 8) / 4;
    unsigned total = cpu->fp_num_code + ((cpu->fp_ctrl >> 8) & 0xF);
    *val = i < total && i < CPU_MAX_FPB ? cpu->fp_comp[i] : 0;
    return off < 0x1000 ? SIM_ACC_OK : SIM_ACC_FAULT;
}

static void fpb_write(sim_cpu *cpu, uint32_t off, uint32_t val)
{
    if (off == 0) {
        if (val & 2) /* KEY */
            cpu->fp_ctrl = (cpu->fp_ctrl & ~1u) | (val & 1);
    } else if (off == 4) {
        cpu->fp_remap = val & 0x1FFFFFE0u;
    } else {
        unsigned i = (off - 8) / 4;
        unsigned total = cpu->fp_num_code + ((cpu->fp_ctrl >> 8) & 0xF);
        if (i >= total || i >= CPU_MAX_FPB)
            return;
        bool rev2 = (cpu->fp_ctrl >> 28) == 1;
        cpu->fp_comp[i] = rev2 ? val : (val & 0xDFFFFFFDu);
    }
    cpu_update_fpb(cpu);
}

static sim_access dwt_read(sim_cpu *cpu, uint32_t off, uint32_t *val, bool peek)
{
    *val = 0;
    if (off == 0) {
        *val = (uint32_t)cpu->dwt_num << 28 | (cpu->v6m ? 0 : cpu->dwt_ctrl) | (cpu->v6m ? 0 : 0);
        return SIM_ACC_OK;
    }
    if (off == 4) {
        *val = cpu->v6m ? 0 : cpu_cyccnt(cpu);
        return SIM_ACC_OK;
    }
    if (off == 0x1C) { /* PCSR */
        *val = cpu->halted ? 0xFFFFFFFFu : cpu_reg_get(cpu, UC_ARM_REG_PC);
        return SIM_ACC_OK;
    }
    if (off >= 0x20 && off < 0x20 + 16 * cpu->dwt_num) {
        cpu_dwt_comp *c = &cpu->dwt[(off - 0x20) / 16];
        switch ((off - 0x20) % 16) {
        case 0:
            *val = c->comp;
            break;
        case 4:
            *val = c->mask;
            break;
        case 8:
            *val = c->function;
            if (!peek)
                c->function &= ~(1u << 24); /* MATCHED clears on read */
            break;
        default:
            break;
        }
    }
    return SIM_ACC_OK;
}

static void dwt_write(sim_cpu *cpu, uint32_t off, uint32_t val)
{
    if (off == 0) {
        if (!cpu->v6m) {
            cyccnt_snapshot(cpu);
            cpu->dwt_ctrl = val & 0x007F1FFFu;
        }
        return;
    }
    if (off == 4) {
        cpu->cyccnt = val;
        cpu->cyccnt_mark = cpu->instructions;
        return;
    }
    if (off >= 0x20 && off < 0x20 + 16 * cpu->dwt_num) {
        cpu_dwt_comp *c = &cpu->dwt[(off - 0x20) / 16];
        switch ((off - 0x20) % 16) {
        case 0:
            c->comp = val;
            break;
        case 4:
            c->mask = val & 0x1F;
            break;
        case 8:
            c->function = (c->function & (1u << 24)) | (val & 0xFBFu);
            break;
        default:
            return;
        }
        cpu_update_dwt(cpu);
    }
}

sim_access cpu_debug_read(sim_cpu *cpu, uint32_t addr, uint32_t *val, bool peek)
{
    *val = 0;
    switch (addr) {
    case DHCSR:
        *val = dhcsr_read(cpu, peek);
        return SIM_ACC_OK;
    case DCRSR:
        return SIM_ACC_OK; /* write-only */
    case DCRDR:
        *val = cpu->dcrdr;
        return SIM_ACC_OK;
    case DEMCR:
        *val = cpu->demcr;
        return SIM_ACC_OK;
    case DFSR:
        *val = cpu->dfsr;
        return SIM_ACC_OK;
    default:
        break;
    }
    if (addr >= FPB_BASE && addr < FPB_BASE + 0x1000)
        return fpb_read(cpu, addr - FPB_BASE, val);
    if (addr >= DWT_BASE && addr < DWT_BASE + 0x1000)
        return dwt_read(cpu, addr - DWT_BASE, val, peek);
    if (addr >= ITM_BASE && addr < ITM_BASE + 0x1000 && !cpu->v6m) {
        uint32_t off = addr - ITM_BASE;
        if (off < 0x80)
            *val = (cpu->itm_tcr & 1) && /* stimulus port: FIFOREADY */
                   (!cpu->bus.itm_ready || cpu->bus.itm_ready(cpu->bus.ctx));
        else if (off == 0xE00)
            *val = cpu->itm_ter;
        else if (off == 0xE40)
            *val = cpu->itm_tpr;
        else if (off == 0xE80)
            *val = cpu->itm_tcr;
        return SIM_ACC_OK;
    }
    return SIM_ACC_FAULT;
}

sim_access cpu_debug_write(sim_cpu *cpu, uint32_t addr, uint32_t val, bool from_core)
{
    switch (addr) {
    case DHCSR:
        dhcsr_write(cpu, val, from_core);
        return SIM_ACC_OK;
    case DCRSR:
        if (from_core || !cpu->halted) {
            cpu->regrdy = false; /* no transfer outside Debug state */
            return SIM_ACC_OK;
        }
        if (val & (1u << 16))
            cpu_dcrsr_write(cpu, val & 0x7F, cpu->dcrdr);
        else if (!cpu_dcrsr_read(cpu, val & 0x7F, &cpu->dcrdr))
            cpu->dcrdr = 0;
        cpu->regrdy = true;
        return SIM_ACC_OK;
    case DCRDR:
        cpu->dcrdr = val;
        return SIM_ACC_OK;
    case DEMCR:
        cyccnt_snapshot(cpu);
        cpu->demcr =
            val & (cpu->v6m ? (DEMCR_VC_CORERESET | DEMCR_VC_HARDERR | DEMCR_TRCENA) : 0x010F07F1u);
        cpu_update_dwt(cpu);
        return SIM_ACC_OK;
    case DFSR:
        cpu->dfsr &= ~(val & 0x1F);
        return SIM_ACC_OK;
    default:
        break;
    }
    if (addr >= FPB_BASE && addr < FPB_BASE + 0x1000) {
        fpb_write(cpu, addr - FPB_BASE, val);
        return SIM_ACC_OK;
    }
    if (addr >= DWT_BASE && addr < DWT_BASE + 0x1000) {
        dwt_write(cpu, addr - DWT_BASE, val);
        return SIM_ACC_OK;
    }
    if (addr >= ITM_BASE && addr < ITM_BASE + 0x1000 && !cpu->v6m) {
        uint32_t off = addr - ITM_BASE;
        if (off == 0xE00)
            cpu->itm_ter = val;
        else if (off == 0xE40)
            cpu->itm_tpr = val & 0xF;
        else if (off == 0xE80)
            cpu->itm_tcr = val & 0x00FF3F1Fu;
        return SIM_ACC_OK; /* stimulus writes: ppb_write (they keep their width) */
    }
    return SIM_ACC_FAULT;
}

static bool is_debug_addr(uint32_t addr)
{
    return addr < SCS_BASE || addr == DFSR || (addr >= DHCSR && addr <= DEMCR);
}

static sim_access word_read(sim_cpu *cpu, uint32_t addr, uint32_t *val, bool peek)
{
    if (is_debug_addr(addr))
        return cpu_debug_read(cpu, addr, val, peek);
    if (addr >= SCS_BASE && addr < SCS_BASE + 0x1000)
        return cpu_scs_read(cpu, addr, val, peek);
    return SIM_ACC_FAULT;
}

static sim_access word_write(sim_cpu *cpu, uint32_t addr, uint32_t val, bool from_core)
{
    if (is_debug_addr(addr))
        return cpu_debug_write(cpu, addr, val, from_core);
    if (addr >= SCS_BASE && addr < SCS_BASE + 0x1000)
        return cpu_scs_write(cpu, addr, val, from_core);
    return SIM_ACC_FAULT;
}

static bool width_ok(uint32_t addr, unsigned width)
{
    return (width == 1 || width == 2 || width == 4) && (addr & (width - 1)) == 0;
}

sim_access sim_cpu_ppb_read(sim_cpu *cpu, uint32_t addr, uint32_t *val, unsigned width)
{
    if (!width_ok(addr, width))
        return SIM_ACC_FAULT;
    if (addr >= PPB_EXTERNAL) /* TPIU, ETM, DBGMCU, ROM table: the board's */
        return cpu->bus.read(cpu->bus.ctx, addr, val, width);
    uint32_t w = 0;
    sim_access a = word_read(cpu, addr & ~3u, &w, false);
    if (a != SIM_ACC_OK)
        return a;
    unsigned shift = 8 * (addr & 3);
    *val = width == 4 ? w : (w >> shift) & (width == 2 ? 0xFFFFu : 0xFFu);
    return SIM_ACC_OK;
}

static sim_access ppb_write(sim_cpu *cpu, uint32_t addr, uint32_t val, unsigned width,
                            bool from_core)
{
    if (!width_ok(addr, width))
        return SIM_ACC_FAULT;
    if (addr >= PPB_EXTERNAL)
        return cpu->bus.write(cpu->bus.ctx, addr, val, width);
    if (addr < ITM_BASE + 0x80u && !cpu->v6m) { /* a stimulus port: a packet of its width */
        unsigned port = (addr - ITM_BASE) / 4u;
        if ((cpu->demcr & DEMCR_TRCENA) && (cpu->itm_tcr & 1u) && (cpu->itm_ter & (1u << port)) &&
            cpu->bus.itm_write != NULL)
            cpu->bus.itm_write(cpu->bus.ctx, port, val, width, cpu->itm_tcr);
        return SIM_ACC_OK;
    }
    uint32_t word = addr & ~3u;
    if (width != 4) {
        uint32_t cur = 0;
        sim_access a = word_read(cpu, word, &cur, true);
        if (a != SIM_ACC_OK)
            return a;
        unsigned shift = 8 * (addr & 3);
        uint32_t mask = (width == 2 ? 0xFFFFu : 0xFFu) << shift;
        val = (cur & ~mask) | ((val << shift) & mask);
    }
    return word_write(cpu, word, val, from_core);
}

sim_access sim_cpu_ppb_write(sim_cpu *cpu, uint32_t addr, uint32_t val, unsigned width)
{
    return ppb_write(cpu, addr, val, width, false);
}

sim_access cpu_ppb_write_core(sim_cpu *cpu, uint32_t addr, uint32_t val, unsigned width)
{
    return ppb_write(cpu, addr, val, width, true);
}
