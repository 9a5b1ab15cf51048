/* Private state of the virtual Cortex-M core, shared by sim/cpu*.c only.
 *   cpu.c        Unicorn setup and its quirks, run loop, hooks
 *   cpu_map.c    memory map: direct regions, read-only shadows, bus and PPB MMIO, remap
 *   cpu_exc.c    reset, exception entry/return, faults, lockup, sleep, SysTick
 *   cpu_debug.c  PPB register file: debug (DHCSR/DCRSR/DCRDR/DEMCR/DFSR), FPB, DWT, ITM
 *   cpu_scs.c    SCB, SysTick and NVIC registers
 *   cpu_regs.c   core register transfer (DCRSR REGSEL numbering)
 *   cpu_bxns.c   the BXNS/BLXNS encodings: trapped, run as BX/BLX (Unicorn would switch the
 *                core to Non-secure state) */
#ifndef SIM_CPU_INTERNAL_H
#define SIM_CPU_INTERNAL_H

#include <unicorn/unicorn.h>

#include "cpu.h"

#define CPU_MAX_REGIONS 16
#define CPU_MAX_MMIO    24
#define CPU_MAX_FPB     8
#define CPU_MAX_DWT     4
#define CPU_MAX_HOT     16 /* blocks timed per instruction (see sim_cpu_run_cycles) */
#define CPU_NVIC_WORDS  8  /* 256 external interrupts */

#define PPB_BASE     0xE0000000u
#define PPB_END      0xE0100000u /* exclusive */
#define PPB_EXTERNAL 0xE0040000u /* TPIU, ETM, vendor (DBGMCU): forwarded to the bus */

/* DHCSR */
#define DHCSR_C_DEBUGEN   (1u << 0)
#define DHCSR_C_HALT      (1u << 1)
#define DHCSR_C_STEP      (1u << 2)
#define DHCSR_C_MASKINTS  (1u << 3)
#define DHCSR_C_SNAPSTALL (1u << 5)
#define DHCSR_S_REGRDY    (1u << 16)
#define DHCSR_S_HALT      (1u << 17)
#define DHCSR_S_SLEEP     (1u << 18)
#define DHCSR_S_LOCKUP    (1u << 19)
#define DHCSR_S_RETIRE_ST (1u << 24)
#define DHCSR_S_RESET_ST  (1u << 25)
#define DHCSR_DBGKEY      0xA05Fu

/* DFSR */
#define DFSR_HALTED   (1u << 0)
#define DFSR_BKPT     (1u << 1)
#define DFSR_DWTTRAP  (1u << 2)
#define DFSR_VCATCH   (1u << 3)
#define DFSR_EXTERNAL (1u << 4)

/* DEMCR */
#define DEMCR_VC_CORERESET (1u << 0)
#define DEMCR_VC_MMERR     (1u << 4)
#define DEMCR_VC_NOCPERR   (1u << 5)
#define DEMCR_VC_CHKERR    (1u << 6)
#define DEMCR_VC_STATERR   (1u << 7)
#define DEMCR_VC_BUSERR    (1u << 8)
#define DEMCR_VC_INTERR    (1u << 9)
#define DEMCR_VC_HARDERR   (1u << 10)
#define DEMCR_MON_EN       (1u << 16)
#define DEMCR_TRCENA       (1u << 24)

/* Exception numbers */
#define EXC_RESET     1
#define EXC_NMI       2
#define EXC_HARDFAULT 3
#define EXC_MEMMANAGE 4
#define EXC_BUSFAULT  5
#define EXC_USAGE     6
#define EXC_SVCALL    11
#define EXC_DEBUGMON  12
#define EXC_PENDSV    14
#define EXC_SYSTICK   15

#define XPSR_IT_MASK 0x0600FC00u /* EPSR.IT: bits 26:25 and 15:10 */

/* CFSR / HFSR bits */
#define CFSR_IBUSERR     (1u << 8)
#define CFSR_PRECISERR   (1u << 9)
#define CFSR_IMPRECISERR (1u << 10)
#define CFSR_BFARVALID   (1u << 15)
#define CFSR_UNDEFINSTR  (1u << 16)
#define CFSR_INVSTATE    (1u << 17)
#define CFSR_INVPC       (1u << 18)
#define CFSR_NOCP        (1u << 19)
#define CFSR_UNALIGNED   (1u << 24)
#define HFSR_VECTTBL     (1u << 1)
#define HFSR_FORCED      (1u << 30)
#define HFSR_DEBUGEVT    (1u << 31)

/* Why the last uc_emu_start returned (bit set). */
enum cpu_stop {
    STOP_BUDGET = 1u << 0,   /* cycle budget used up */
    STOP_HALT = 1u << 1,     /* enter debug state (halt_reason tells why) */
    STOP_INTR = 1u << 2,     /* Unicorn reported an exception (intr_no) */
    STOP_BUSFAULT = 1u << 3, /* the bus answered a core access with a fault */
    STOP_SYNC = 1u << 4,     /* a store hit a read-only region: refresh its shadow */
    STOP_RESET = 1u << 5,    /* a reset was requested from inside the run */
    STOP_REMAP = 1u << 6,    /* the memory map changed from inside the run */
    STOP_NSTRAP = 1u << 7,   /* a block ends in BXNS/BLXNS: run again up to it */
    STOP_NSBRANCH = 1u << 8, /* a block starts with BXNS/BLXNS: run it as BX/BLX */
};

typedef struct cpu_region {
    sim_mem_region r;
    uint8_t *map;    /* bytes Unicorn maps: r.host when writable, else a shadow copy */
    uint8_t *shadow; /* owned shadow (NULL when writable or sharing another region's) */
} cpu_region;

typedef struct cpu_mmio {
    struct sim_cpu *cpu;
    uint32_t base;
    uint64_t size;
    bool ppb;
} cpu_mmio;

typedef struct cpu_dwt_comp {
    struct sim_cpu *cpu;
    uint32_t comp, mask, function;
    uc_hook hook_r, hook_w, hook_pc;
} cpu_dwt_comp;

struct sim_cpu {
    uc_engine *uc;
    stp_core_kind core;
    uint32_t cpuid;
    bool v6m;     /* ARMv6-M (M0/M0+): no VECTRESET, BPU instead of FPB, no CYCCNT */
    bool fpu;     /* M4F / M7 */
    bool bitband; /* M3/M4: bit-band aliases of SRAM and peripherals */
    sim_bus bus;

    cpu_region regions[CPU_MAX_REGIONS];
    size_t nregions;
    size_t last_region;           /* lookup cache */
    cpu_mmio *mmio[CPU_MAX_MMIO]; /* each one is the user data of its Unicorn mapping */
    size_t nmmio;
    sim_mem_region pending_remap[4]; /* sim_cpu_remap calls made during a run */
    size_t npending_remap;

    uc_hook h_block, h_intr, h_wprot, h_step, h_precise;

    /* run bookkeeping */
    bool in_run;
    uint64_t budget, done, debt;
    unsigned stop;
    bool stop_pending; /* stop requested from a memory/MMIO callback: at the next hook */
    uint32_t intr_no;
    uint32_t halt_reason; /* DFSR bits for a STOP_HALT */
    bool stepping;
    unsigned step_count;
    uint32_t busfault_cfsr, busfault_addr;
    uint32_t sync_lo, sync_hi;   /* guest range of shadow refresh after core stores */
    uint32_t inval_lo, inval_hi; /* deferred translation-cache invalidation (host changes) */
    bool pending_reset_por, pending_reset_core;
    uint32_t pending_reset_vtor;
    uint64_t instructions;
    /* Timing of bus accesses inside a run (sim_cpu_run_cycles): the block being run, the
     * cycles of the current sim_cpu_run before the current run_once, a cut request. */
    uint32_t blk_addr, blk_size;
    uint64_t blk_before; /* cpu->done before the block's instructions were added */
    uint64_t run_elapsed;
    bool cut, was_cut;
    uint64_t cut_elapsed;
    uc_hook hot_hook[CPU_MAX_HOT];
    uint32_t hot_lo[CPU_MAX_HOT], hot_hi[CPU_MAX_HOT]; /* [lo, hi) */
    unsigned nhot;
    bool block_stop; /* the run stopped in a block hook, before the block at block_stop_pc */
    /* BXNS/BLXNS (cpu_bxns.c): the next run ends before the one at run_until (0: none) */
    uint32_t run_until;
    uint32_t nsbranch_pc; /* STOP_NSTRAP/STOP_NSBRANCH: the BXNS/BLXNS */
    uint32_t block_stop_pc;

    /* execution state */
    bool held; /* created, not yet reset: does not run */
    bool halted, sleeping, lockup;
    bool event; /* WFE event register */
    bool thumb; /* EPSR.T as the debugger left it (false => INVSTATE on resume) */

    /* debug */
    uint32_t dhcsr; /* control bits C_* only */
    bool reset_st, retire_st;
    uint32_t dcrdr, demcr, dfsr;

    /* SCB */
    uint32_t reset_vtor; /* vector table base given by the board at the last reset */
    bool regrdy;
    uint32_t fpccr, fpcar, fpdscr, csselr;
    uint32_t vtor, aircr, scr, ccr, shpr[3], shcsr, cfsr, hfsr, mmfar, bfar, afsr, cpacr, actlr;
    bool pend_systick, pend_pendsv, pend_nmi;
    /* SysTick */
    uint32_t syst_csr, syst_rvr, syst_cvr;
    uint32_t syst_frac; /* processor cycles not yet counted with the /8 reference clock */
    /* NVIC */
    uint32_t nvic_iser[CPU_NVIC_WORDS], nvic_ispr[CPU_NVIC_WORDS];
    uint8_t nvic_ipr[CPU_NVIC_WORDS * 32];

    /* FPB / BPU */
    uint32_t fp_ctrl, fp_remap;
    uint32_t fp_comp[CPU_MAX_FPB];
    uc_hook fp_hook[CPU_MAX_FPB][2];
    unsigned fp_num_code;

    /* DWT */
    uint32_t dwt_ctrl;
    uint32_t cyccnt;      /* value at cyccnt_mark */
    uint64_t cyccnt_mark; /* cpu->instructions when cyccnt was last written/enabled */
    cpu_dwt_comp dwt[CPU_MAX_DWT];
    unsigned dwt_num;
    bool dwt_data_active;

    /* ITM */
    uint32_t itm_ter, itm_tpr, itm_tcr;
};

/* cpu_map.c */
bool cpu_map_init(sim_cpu *cpu, const sim_mem_region *regions, size_t n, char *err, size_t errlen);
void cpu_map_free(sim_cpu *cpu);
cpu_region *cpu_region_of(sim_cpu *cpu, uint32_t addr);
bool cpu_read32(sim_cpu *cpu, uint32_t addr, uint32_t *val);
bool cpu_write32(sim_cpu *cpu, uint32_t addr, uint32_t val);
void cpu_invalidate(sim_cpu *cpu, uint32_t lo, uint32_t hi);
void cpu_resync_shadows(sim_cpu *cpu);

/* cpu.c */
void cpu_request_stop(sim_cpu *cpu, unsigned why);
uint32_t cpu_reg_get(const sim_cpu *cpu, int ucreg);
void cpu_reg_set(sim_cpu *cpu, int ucreg, uint32_t val);
void cpu_enter_halt(sim_cpu *cpu, uint32_t dfsr_bits);
void cpu_leave_halt(sim_cpu *cpu);
void cpu_update_fpb(sim_cpu *cpu);
void cpu_update_dwt(sim_cpu *cpu);

/* cpu_regs.c: EPSR.IT set to the IT bits of xpsr (Unicorn's IPSR/APSR writes keep them) */
void cpu_set_itstate(sim_cpu *cpu, uint32_t xpsr);

/* cpu_bxns.c */
static inline bool cpu_is_bxns(uint16_t h)
{
    return (h & 0xFF07u) == 0x4704u; /* 0100 0111 L Rm 100 */
}
void cpu_nsbranch_run(sim_cpu *cpu, uint32_t insn);

/* cpu_exc.c */
void cpu_do_reset(sim_cpu *cpu, bool por, uint32_t vtor_base, bool core_only);
void cpu_take_exception(sim_cpu *cpu, unsigned exc);
void cpu_fault(sim_cpu *cpu, uint32_t cfsr_bits, uint32_t hfsr_bits);
void cpu_exception_return(sim_cpu *cpu, uint32_t exc_return);
void cpu_handle_intr(sim_cpu *cpu, uint32_t intno);
void cpu_systick_advance(sim_cpu *cpu, uint64_t cycles);
uint64_t cpu_systick_cycles_to_fire(const sim_cpu *cpu);
bool cpu_take_pending(sim_cpu *cpu);
bool cpu_interrupt_pending(const sim_cpu *cpu);

/* cpu_regs.c. cpu_sysreg_*: MSP, PSP, CONTROL, PRIMASK, BASEPRI, FAULTMASK at any
 * privilege (plain uc_reg_* calls obey the core's current privilege). */
uint32_t cpu_sysreg_get(sim_cpu *cpu, int ucreg);
void cpu_sysreg_set(sim_cpu *cpu, int ucreg, uint32_t val);
bool cpu_dcrsr_read(sim_cpu *cpu, unsigned regsel, uint32_t *val);
bool cpu_dcrsr_write(sim_cpu *cpu, unsigned regsel, uint32_t val);

/* cpu_debug.c: PPB dispatch. Word registers; peek reads have no side effects (used to
 * merge sub-word writes). NULL-result accesses are bus faults. */
sim_access cpu_ppb_write_core(sim_cpu *cpu, uint32_t addr, uint32_t val, unsigned width);
sim_access cpu_debug_read(sim_cpu *cpu, uint32_t addr, uint32_t *val, bool peek);
sim_access cpu_debug_write(sim_cpu *cpu, uint32_t addr, uint32_t val, bool from_core);
uint32_t cpu_cyccnt(const sim_cpu *cpu);
void cpu_step(sim_cpu *cpu);

/* cpu_scs.c */
sim_access cpu_scs_read(sim_cpu *cpu, uint32_t addr, uint32_t *val, bool peek);
sim_access cpu_scs_write(sim_cpu *cpu, uint32_t addr, uint32_t val, bool from_core);

#endif
