/* Internal seam of the virtual board: the Cortex-M core (Unicorn) and its System Control
 * Space (debug registers, SCB, FPB, DWT, SysTick/NVIC basics) on one side; the board's bus
 * (flash, SRAM, system memory, peripherals) on the other. sim/board.c owns the bus and
 * calls the core; sim/cpu*.c own everything at 0xE0000000-0xE003FFFF.
 *
 * Modelled: M0/M0+ (as M0), M3, M4F, M7 (FPv5-D16) instruction sets; halting debug
 * (DHCSR, DCRSR/DCRDR, DEMCR vector catch, DFSR, C_STEP, C_MASKINTS), FPB rev 1/rev 2 and
 * the v6-M BPU, DWT comparators (address/PC match) and CYCCNT, reset/VECTRESET/SYSRESETREQ,
 * exception entry and return (basic and FP frames, MSP/PSP), HardFault and the configurable
 * faults with CFSR/HFSR/BFAR, lockup, WFI/WFE sleep, SysTick, NVIC pending/enable/priority
 * (software-pended only), bit-band on M3/M4.
 * Not modelled (known differences): MPU; FPB literal remap; ETM output (ITM stimulus
 * writes go to the board's trace path, sim/swo.c); the
 * DebugMonitor exception; interrupt sources outside the core; SEV (WFE after SEV sleeps);
 * CYCCNT counts executed instructions (not sleep cycles); CCR.UNALIGN_TRP/DIV_0_TRP and
 * CPACR are stored but do not reach Unicorn (its FPU stays enabled, division by zero
 * gives 0). */
#ifndef SIM_CPU_H
#define SIM_CPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/board.h"
#include "chipdb/chipdb.h"

typedef struct sim_cpu sim_cpu;

/* A plain memory region the core may map directly (fast path). Writes by the core to a
 * region with writable=false go through bus->write (e.g. flash programming). */
typedef struct sim_mem_region {
    uint32_t base;
    uint32_t size; /* multiple of 4 KiB */
    uint8_t *host; /* backing bytes, owned by the board */
    bool writable; /* core stores go straight to host memory */
} sim_mem_region;

/* The board's side, called by the core for everything outside the PPB and outside the
 * direct regions, and for stores to read-only regions. For core accesses FAULT and
 * NO_TARGET become a BusFault (HardFault); WAIT cannot be retried by the core and counts
 * as success with *val as read. system_reset_request may be NULL (the core then resets
 * itself only). */
typedef struct sim_bus {
    void *ctx;
    sim_access (*read)(void *ctx, uint32_t addr, uint32_t *val, unsigned width);
    sim_access (*write)(void *ctx, uint32_t addr, uint32_t val, unsigned width);
    /* SYSRESETREQ from AIRCR: the board resets its peripherals, then calls
     * sim_cpu_reset(). */
    void (*system_reset_request)(void *ctx);
    /* Optional (NULL: stimulus writes go nowhere, ports always ready): an ITM stimulus
     * write the ITM accepted (DEMCR.TRCENA, ITM_TCR.ITMENA, the port's ITM_TER bit; tcr
     * = ITM_TCR), and FIFOREADY for a stimulus port read. */
    void (*itm_write)(void *ctx, unsigned port, uint32_t val, unsigned width, uint32_t tcr);
    bool (*itm_ready)(void *ctx);
} sim_bus;

/* Creates the core. regions are mapped at their bases (aliases allowed: the same host
 * bytes at two bases, e.g. boot alias at 0). */
sim_cpu *sim_cpu_create(stp_core_kind core, uint32_t cpuid, const sim_bus *bus,
                        const sim_mem_region *regions, size_t region_count, char *err,
                        size_t errlen);
void sim_cpu_destroy(sim_cpu *cpu);

/* Core reset (power-on when por): SP/PC from the vector table at vtor_base (also the
 * VTOR value after reset); debug registers (DHCSR, DEMCR, FPB, DWT) survive a system
 * reset but not power-on; S_RESET_ST becomes set; with C_DEBUGEN, DEMCR VC_CORERESET (or
 * a C_HALT left set) halts the core on the first instruction. May be called from inside
 * bus->system_reset_request (the reset then happens when the current block ends). */
void sim_cpu_reset(sim_cpu *cpu, bool por, uint32_t vtor_base);

/* Runs up to max_cycles (1 cycle per instruction) unless halted, sleeping (WFI/WFE) or
 * locked up. Returns the instructions executed (0 while halted/sleeping; never more than
 * max_cycles: a basic block that runs past the budget is charged to the next call).
 * Halts on BKPT when C_DEBUGEN, on FPB match, on DWT match, on C_STEP. SysTick counts
 * these cycles and, while sleeping, the whole max_cycles. Before the first sim_cpu_reset
 * the core is held in reset and does not run. */
uint64_t sim_cpu_run(sim_cpu *cpu, uint64_t max_cycles);
bool sim_cpu_halted(const sim_cpu *cpu);
bool sim_cpu_sleeping(const sim_cpu *cpu);
/* Lockup (a fault in HardFault, an unreadable vector): the core stops until reset or a
 * debug halt. DHCSR.S_LOCKUP shows it. */
bool sim_cpu_lockup(const sim_cpu *cpu);
/* Instructions executed since creation (for statistics). */
uint64_t sim_cpu_instructions(const sim_cpu *cpu);

/* Timing of the core's bus accesses inside sim_cpu_run (for the board's clock), from a
 * bus callback: the cycles of the current sim_cpu_run call up to and including the
 * instruction that makes the access (instructions carried over from the last call and
 * sleep count). Exact to the instruction once the block has been seen making such an
 * access (the block is then timed per instruction); the first time the middle of the
 * block. Outside a run: the cycles the last run covered. */
uint64_t sim_cpu_run_cycles(sim_cpu *cpu);
/* From a bus callback: the current sim_cpu_run returns at the end of this block (the
 * board re-plans its clock: the core started a flash operation or stalled). */
void sim_cpu_end_run(sim_cpu *cpu);
/* Whether the last sim_cpu_run returned early through sim_cpu_end_run, and the cycles it
 * covered then (instructions and sleep; less than max_cycles). */
bool sim_cpu_run_ended_early(const sim_cpu *cpu, uint64_t *cycles);

/* The board changed bytes of a direct region behind the core's back (debugger writes to
 * SRAM or flash, flash programming/erase by the flash model, option bytes): the core
 * refreshes its view (read-only regions are mapped through a private copy, because
 * Unicorn cannot abort a store to read-only memory) and drops translated code there.
 * Call it after every such change; addr may be any alias. Cheap when nothing changed. */
void sim_cpu_mem_changed(sim_cpu *cpu, uint32_t addr, uint32_t len);

/* Accesses to the PPB (0xE0000000-0xE00FFFFF) from the debugger or the core. DHCSR
 * writes need DBGKEY; DCRSR/DCRDR move core registers while halted. 0xE0040000 and up
 * (TPIU, ETM, DBGMCU, ROM table) is forwarded to bus->read/write, which must answer it
 * without calling back here. A DHCSR write with C_STEP runs the step at once. */
sim_access sim_cpu_ppb_read(sim_cpu *cpu, uint32_t addr, uint32_t *val, unsigned width);
sim_access sim_cpu_ppb_write(sim_cpu *cpu, uint32_t addr, uint32_t val, unsigned width);

/* Direct register access for the board (e.g. state inspection in tests).
 * regno as DCRSR REGSEL: 0-12 r0-r12, 13 sp, 14 lr, 15 pc, 16 xPSR, 17 MSP, 18 PSP. */
uint32_t sim_cpu_reg(const sim_cpu *cpu, unsigned regno);
/* The same numbering for writes (20 = CONTROL/FAULTMASK/BASEPRI/PRIMASK, 33 = FPSCR,
 * 64-95 = S0-S31 on FPU cores). False for a register the core does not have. */
bool sim_cpu_set_reg(sim_cpu *cpu, unsigned regno, uint32_t val);

/* Map/unmap changes after creation (boot alias switch, RDP): replaces the region at
 * region->base, adds it if new, removes it when size is 0 or host is NULL (the range then
 * goes to the bus). 0 on success. */
int sim_cpu_remap(sim_cpu *cpu, const sim_mem_region *region);

#endif
