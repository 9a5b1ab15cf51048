/* The virtual Cortex-M core: Unicorn setup, memory map, run loop and hooks.
 *
 * What Unicorn 2.0.1 (Debian libunicorn2 2.0.1.post1) really does, found by experiment and
 * relied on below (tests/sim_cpu exercise each point):
 *
 * - Mode UC_MODE_THUMB | UC_MODE_MCLASS, model chosen with uc_ctl_set_cpu_model() before
 *   the first memory map. There is no M0+ model: M0+ runs as M0.
 * - The BXNS/BLXNS encodings switch the core to a Non-secure state it never leaves (every
 *   fetch then aborts), even on models without the Security Extension: Unicorn's runs
 *   end before them and we run them (cpu_bxns.c).
 * - uc_emu_start(begin): bit 0 of begin sets the Thumb state; so does bit 0 of a PC written
 *   with uc_reg_write(). We keep EPSR.T ourselves (cpu->thumb) and start at pc|thumb; a core
 *   with T=0 is not started: run_once raises INVSTATE like the hardware. A BX/BLX to an
 *   even address inside a run leaves QEMU's T clear and reports a prefetch abort (3) at
 *   the target: that is INVSTATE too. Reading UC_ARM_REG_XPSR returns
 *   APSR|IPSR|EPSR with T in bit 24. UC_ARM_REG_IPSR can be written directly and banks the
 *   stack pointers like the hardware (entering handler mode makes R13 the MSP, returning to
 *   thread mode selects the stack CONTROL.SPSEL names); a CONTROL write in thread mode
 *   swaps R13 on an SPSEL change, in handler mode it does not.
 * - UC_ARM_REG_MSP/PSP/PRIMASK/BASEPRI/FAULTMASK go through QEMU's MRS/MSR helpers and
 *   obey the core's current privilege: in unprivileged thread mode they read 0 and ignore
 *   writes. cpu_sysreg_get/set (cpu_regs.c) briefly enter handler mode to reach them.
 * - Exceptions are NOT taken by Unicorn: cc->do_interrupt is never called. Every exception
 *   (BKPT = 7, SVC = 2, fetch from MMIO = 3, EXC_RETURN branch = 8, NOCP = 17,
 *   INVSTATE = 18, UNALIGNED = 22 ...) is reported to UC_HOOK_INTR with the QEMU EXCP_*
 *   number; the PC is precise (BKPT: the instruction, SVC: the next one, exception
 *   return: the EXC_RETURN value with bit 0 cleared, also in thread mode). UDF and other
 *   undefined encodings do not call the hook: uc_emu_start returns UC_ERR_INSN_INVALID with
 *   the PC on the instruction. So cpu_exc.c implements exception entry (stacking,
 *   EXC_RETURN, vector fetch) and return itself.
 * - A store to memory mapped without UC_PROT_WRITE calls UC_HOOK_MEM_WRITE_PROT. If the hook
 *   returns true the store STILL lands in the mapped bytes; if it returns false emulation
 *   stops with UC_ERR_WRITE_PROT and a PC that is the start of the translation block, not
 *   the store (earlier instructions of the block already ran). Neither gives a clean abort.
 *   Hence read-only regions are mapped from a shadow copy owned by the core: the hook
 *   forwards the store to bus->write (in program order, before later MMIO accesses) and
 *   stops at the end of the block, where the shadow is refreshed from the board's bytes.
 *   Until then, reads of that very address in the same block see the raw stored value.
 * - Bytes changed behind Unicorn's back (board writes to flash/SRAM) leave stale translated
 *   code: uc_ctl_remove_cache(lo, hi) invalidates a range (~4 us per page set, 80 us per MiB).
 *   uc_ctl_flush_tlb() (a full TB flush) costs ~16 ms and is avoided.
 * - A code hook added after code was translated is not called from the cached blocks: add
 *   hooks, then remove_cache the range. Memory hooks work without invalidation.
 * - Stopping from a block hook is precise (the block does not run), but the PC is then
 *   where a code hook last wrote it when the block was entered through a chained jump from
 *   a block with code hooks (the branch before it, not the block): we set it to the block.
 *   Stopping from a code hook is precise too (the instruction does not run). uc_emu_stop() from a
 * memory hook, the write-protect hook or an MMIO callback abandons the current instruction
 * half-done (the store made, base write-back and PC not updated; PC = block start, or the
 * instruction when a code hook synced it). So those callbacks only flag the stop (cpu_request_stop)
 * and the next block hook (or code hook, while one is armed) performs it cleanly.
 * - uc_emu_start's count argument installs a per-instruction hook that is never removed, so
 *   we never use it: cycles are counted per block (block hook + Thumb length decoding) and
 *   C_STEP uses a temporary code hook.
 * - Inside a block the PC stays at the block start for memory and MMIO callbacks, unless a
 *   code hook covers the instruction (Unicorn then writes the PC before each one). A code
 *   hook over a range costs nothing outside it; one over all code makes execution about 7
 *   times slower. So blocks whose bus accesses need timing get a ranged hook
 *   (sim_cpu_run_cycles).
 * - WFI stops emulation with UC_ERR_OK, WFE and YIELD with UC_ERR_INSN_INVALID (like an
 *   undefined instruction, but with the PC after them); SEV is a NOP. We look at the
 *   opcode before the PC and model sleep and the WFE event register ourselves (the event
 *   is set by exception entry/return; SEV is not seen, so WFE after SEV sleeps).
 * - MMIO regions (uc_mmio_map) cover the bus and the PPB; executing from them raises
 *   exception 3 (no crash). Page size is 1 KiB.
 */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "cpu_internal.h"

/* ---------------------------------------------------------------- registers ---------- */

uint32_t cpu_reg_get(const sim_cpu *cpu, int ucreg)
{
    uint32_t v = 0;
    uc_reg_read(cpu->uc, ucreg, &v);
    return v;
}

void cpu_reg_set(sim_cpu *cpu, int ucreg, uint32_t val)
{
    uc_reg_write(cpu->uc, ucreg, &val);
}

/* Stops the run at the next clean point: the start of the next translation block, or the
 * next instruction while a code hook is armed. Never uc_emu_stop() from a memory or MMIO
 * callback: Unicorn then abandons the current instruction half-done (store made, base
 * write-back not) with a stale PC, and re-running it would repeat the bus access. */
void cpu_request_stop(sim_cpu *cpu, unsigned why)
{
    cpu->stop |= why;
    if (cpu->in_run)
        cpu->stop_pending = true;
}

/* From a block or code hook (or the interrupt hook): stopping there is precise. */
static void stop_now(sim_cpu *cpu, unsigned why)
{
    cpu->stop |= why;
    if (cpu->in_run)
        uc_emu_stop(cpu->uc);
}

/* ---------------------------------------------------------------- hooks -------------- */

/* Number of Thumb instructions starting in [addr, addr+size) (32-bit ones start with
 * 0b11101, 0b11110 or 0b11111). */
static unsigned insns_in(sim_cpu *cpu, uint32_t addr, uint32_t size, uint32_t *bxns)
{
    cpu_region *r = cpu_region_of(cpu, addr);
    if (!r || size > r->r.size - (addr - r->r.base))
        return size / 2;
    const uint8_t *p = r->map + (addr - r->r.base);
    unsigned n = 0;
    uint32_t last = 0;
    for (uint32_t off = 0; off + 1 < size; n++) {
        unsigned top = p[off + 1] >> 3;
        last = off;
        off += (top == 0x1D || top == 0x1E || top == 0x1F) ? 4 : 2;
    }
    if (bxns && n && last + 2 == size && cpu_is_bxns((uint16_t)(p[last] | p[last + 1] << 8)))
        *bxns = addr + last;
    return n;
}

/* A block counts at least one instruction. *bxns: where a BXNS/BLXNS ends it, if one does. */
static unsigned count_insns(sim_cpu *cpu, uint32_t addr, uint32_t size, uint32_t *bxns)
{
    unsigned n = insns_in(cpu, addr, size, bxns);
    return n ? n : 1;
}

static bool range_is_hot(const sim_cpu *cpu, uint32_t addr, uint32_t size)
{
    for (unsigned i = 0; i < cpu->nhot; i++) {
        if (addr >= cpu->hot_lo[i] && addr + size <= cpu->hot_hi[i])
            return true;
    }
    return false;
}

/* Stops before the block at addr runs. Unicorn then leaves the PC where a code hook last
 * wrote it (the branch ending the previous block, when that one had a code hook), not at
 * this block: run_once puts it here. */
static void stop_block(sim_cpu *cpu, unsigned why, uint32_t addr)
{
    cpu->block_stop = true;
    cpu->block_stop_pc = addr;
    stop_now(cpu, why);
}

static void hook_block(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    sim_cpu *cpu = user;
    if (cpu->stop_pending) {
        stop_block(cpu, 0, (uint32_t)address);
        return;
    }
    if (cpu->stepping && cpu->step_count >= 1) {
        stop_block(cpu, STOP_HALT, (uint32_t)address);
        return;
    }
    if (!cpu->stepping && cpu->done >= cpu->budget) {
        stop_block(cpu, STOP_BUDGET, (uint32_t)address);
        return;
    }
    uint32_t bxns = 0;
    unsigned n = count_insns(cpu, (uint32_t)address, size, &bxns);
    if (bxns) { /* see cpu_bxns.c */
        cpu->nsbranch_pc = bxns;
        stop_block(cpu, bxns == (uint32_t)address ? STOP_NSBRANCH : STOP_NSTRAP, (uint32_t)address);
        return;
    }
    if (cpu->stepping)
        return;
    cpu->blk_addr = (uint32_t)address;
    cpu->blk_size = size;
    cpu->blk_before = cpu->done;
    cpu->done += n;
}

/* Present on the blocks that made timed bus accesses (sim_cpu_run_cycles): a code hook
 * makes Unicorn write the PC before each instruction of its range, so the access's
 * instruction is known. It does nothing else (a ranged code hook costs nothing outside
 * its range; one over all code makes every instruction ~7 times slower). */
static void hook_hot(uc_engine *uc, uint64_t address, uint32_t size, void *user) {}

static void hook_step(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    sim_cpu *cpu = user;
    if (cpu->stop_pending || cpu->step_count >= 1)
        stop_now(cpu, STOP_HALT);
    else
        cpu->step_count++;
}

/* Present while data watchpoints are armed: its mere presence makes Unicorn check for a
 * stop request before every instruction, so a watchpoint halts right after the access. */
static void hook_precise(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    sim_cpu *cpu = user;
    if (cpu->stop_pending)
        stop_now(cpu, 0);
}

static void hook_intr(uc_engine *uc, uint32_t intno, void *user)
{
    sim_cpu *cpu = user;
    cpu->intr_no = intno;
    stop_now(cpu, STOP_INTR);
}

static bool hook_wprot(uc_engine *uc, uc_mem_type type, uint64_t address, int size, int64_t value,
                       void *user)
{
    sim_cpu *cpu = user;
    uint32_t addr = (uint32_t)address;
    sim_access a = cpu->bus.write(cpu->bus.ctx, addr, (uint32_t)value, (unsigned)size);
    if (a == SIM_ACC_FAULT || a == SIM_ACC_NO_TARGET)
        cpu->busfault_cfsr |= CFSR_IMPRECISERR;
    if (cpu->sync_hi <= cpu->sync_lo) {
        cpu->sync_lo = addr;
        cpu->sync_hi = addr + (uint32_t)size;
    } else {
        if (addr < cpu->sync_lo)
            cpu->sync_lo = addr;
        if (addr + (uint32_t)size > cpu->sync_hi)
            cpu->sync_hi = addr + (uint32_t)size;
    }
    cpu_request_stop(cpu, STOP_SYNC | (cpu->busfault_cfsr ? STOP_BUSFAULT : 0));
    return true; /* Unicorn then writes the shadow; the stop refreshes it from the board */
}

static void hook_fpb(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    sim_cpu *cpu = user;
    if (!(cpu->dhcsr & DHCSR_C_DEBUGEN))
        return;
    cpu->halt_reason |= DFSR_BKPT;
    stop_now(cpu, STOP_HALT);
}

static void dwt_hit(sim_cpu *cpu, cpu_dwt_comp *c, bool pc_match)
{
    c->function |= 1u << 24; /* MATCHED */
    if (cpu->dhcsr & DHCSR_C_DEBUGEN) {
        cpu->halt_reason |= DFSR_DWTTRAP;
        if (pc_match)
            stop_now(cpu, STOP_HALT);
        else
            cpu_request_stop(cpu, STOP_HALT);
    }
}

static void hook_dwt_mem(uc_engine *uc, uc_mem_type type, uint64_t address, int size, int64_t value,
                         void *user)
{
    cpu_dwt_comp *c = user;
    uint32_t span = 1u << (c->mask & 31);
    uint32_t lo = c->comp & ~(span - 1);
    uint32_t a = (uint32_t)address;
    if ((uint64_t)a + (uint32_t)size <= lo || a > lo + (span - 1))
        return; /* the hook range is widened by 7 bytes to catch unaligned overlaps */
    dwt_hit(c->cpu, c, false);
}

static void hook_dwt_pc(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    cpu_dwt_comp *c = user;
    dwt_hit(c->cpu, c, true);
}

static void del_hook(sim_cpu *cpu, uc_hook *h)
{
    if (*h) {
        uc_hook_del(cpu->uc, *h);
        *h = 0;
    }
}

/* Re-arms the FPB/BPU hooks after FP_CTRL/FP_COMP changed (only while halted or from the
 * debugger between runs). One ranged code hook per enabled comparator half-word. */
void cpu_update_fpb(sim_cpu *cpu)
{
    for (unsigned i = 0; i < CPU_MAX_FPB; i++) {
        for (unsigned k = 0; k < 2; k++)
            del_hook(cpu, &cpu->fp_hook[i][k]);
    }
    if (!(cpu->fp_ctrl & 1))
        return;
    bool rev2 = (cpu->fp_ctrl >> 28) == 1;
    for (unsigned i = 0; i < cpu->fp_num_code; i++) {
        uint32_t c = cpu->fp_comp[i];
        uint32_t addrs[2];
        unsigned n = 0;
        if (rev2) {
            if (c & 1)
                addrs[n++] = c & ~1u;
        } else if (c & 1) {
            uint32_t word = c & 0x1FFFFFFCu;
            unsigned replace = c >> 30;
            if (replace == 1 || replace == 3)
                addrs[n++] = word;
            if (replace == 2 || replace == 3)
                addrs[n++] = word + 2;
        }
        for (unsigned k = 0; k < n; k++) {
            uc_hook_add(cpu->uc, &cpu->fp_hook[i][k], UC_HOOK_CODE, hook_fpb, cpu, addrs[k],
                        addrs[k]);
            cpu_invalidate(cpu, addrs[k] & ~1023u, addrs[k] + 4);
        }
    }
}

static bool code_hook_all(sim_cpu *cpu, uc_hook *h, void *cb)
{
    if (uc_hook_add(cpu->uc, h, UC_HOOK_CODE, cb, cpu, 1, 0) != UC_ERR_OK)
        return false;
    for (size_t i = 0; i < cpu->nregions; i++)
        cpu_invalidate(cpu, cpu->regions[i].r.base,
                       cpu->regions[i].r.base + cpu->regions[i].r.size);
    return true;
}

/* Re-arms the DWT comparator hooks (data address and PC match) after a register change. */
void cpu_update_dwt(sim_cpu *cpu)
{
    bool data = false;
    for (unsigned i = 0; i < cpu->dwt_num; i++) {
        cpu_dwt_comp *c = &cpu->dwt[i];
        del_hook(cpu, &c->hook_r);
        del_hook(cpu, &c->hook_w);
        del_hook(cpu, &c->hook_pc);
        unsigned fn = c->function & 0xF;
        if (!(cpu->demcr & DEMCR_TRCENA))
            continue;
        uint32_t span = 1u << (c->mask & 31);
        uint32_t lo = c->comp & ~(span - 1);
        uint64_t hlo = lo >= 7 ? lo - 7 : 0;
        uint64_t hhi = (uint64_t)lo + span - 1;
        c->cpu = cpu;
        if (fn == 4) {
            uc_hook_add(cpu->uc, &c->hook_pc, UC_HOOK_CODE, hook_dwt_pc, c, lo, hhi);
            cpu_invalidate(cpu, lo & ~1023u, (uint32_t)(hhi + 4));
        }
        if (fn == 5 || fn == 7) {
            uc_hook_add(cpu->uc, &c->hook_r, UC_HOOK_MEM_READ, hook_dwt_mem, c, hlo, hhi);
            data = true;
        }
        if (fn == 6 || fn == 7) {
            uc_hook_add(cpu->uc, &c->hook_w, UC_HOOK_MEM_WRITE, hook_dwt_mem, c, hlo, hhi);
            data = true;
        }
    }
    if (data && !cpu->h_precise)
        code_hook_all(cpu, &cpu->h_precise, hook_precise);
    else if (!data && cpu->h_precise)
        del_hook(cpu, &cpu->h_precise);
    cpu->dwt_data_active = data;
}

/* ---------------------------------------------------------------- creation ----------- */

static int uc_model(stp_core_kind k)
{
    switch (k) {
    case STP_CORE_M0:
    case STP_CORE_M0P:
        return UC_CPU_ARM_CORTEX_M0;
    case STP_CORE_M3:
        return UC_CPU_ARM_CORTEX_M3;
    case STP_CORE_M4:
        return UC_CPU_ARM_CORTEX_M4;
    case STP_CORE_M7:
        return UC_CPU_ARM_CORTEX_M7;
    case STP_CORE_M33:
        return UC_CPU_ARM_CORTEX_M33;
    }
    return UC_CPU_ARM_CORTEX_M4;
}

sim_cpu *sim_cpu_create(stp_core_kind core, uint32_t cpuid, const sim_bus *bus,
                        const sim_mem_region *regions, size_t region_count, char *err,
                        size_t errlen)
{
    if (region_count > CPU_MAX_REGIONS || !bus || !bus->read || !bus->write) {
        snprintf(err, errlen, "bad core configuration (at most %d regions, bus read/write)",
                 CPU_MAX_REGIONS);
        return NULL;
    }
    sim_cpu *cpu = calloc(1, sizeof *cpu);
    if (!cpu) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    cpu->core = core;
    cpu->cpuid = cpuid;
    cpu->bus = *bus;
    cpu->v6m = core == STP_CORE_M0 || core == STP_CORE_M0P;
    cpu->fpu = core == STP_CORE_M4 || core == STP_CORE_M7 || core == STP_CORE_M33;
    cpu->bitband = core == STP_CORE_M3 || core == STP_CORE_M4;
    uc_err e = uc_open(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS, &cpu->uc);
    if (e == UC_ERR_OK)
        e = uc_ctl_set_cpu_model(cpu->uc, uc_model(core));
    if (e != UC_ERR_OK) {
        snprintf(err, errlen, "unicorn: %s", uc_strerror(e));
        if (cpu->uc)
            uc_close(cpu->uc);
        free(cpu);
        return NULL;
    }
    if (!cpu_map_init(cpu, regions, region_count, err, errlen)) {
        sim_cpu_destroy(cpu);
        return NULL;
    }
    uc_hook_add(cpu->uc, &cpu->h_block, UC_HOOK_BLOCK, hook_block, cpu, 1, 0);
    uc_hook_add(cpu->uc, &cpu->h_intr, UC_HOOK_INTR, hook_intr, cpu, 1, 0);
    uc_hook_add(cpu->uc, &cpu->h_wprot, UC_HOOK_MEM_WRITE_PROT, hook_wprot, cpu, 1, 0);
    /* FPB revision 1 (M3/M4: 6 code + 2 literal comparators), revision 2 (M7: 8 code),
     * the v6-M BPU (M0: 4 comparators); DWT: 4 comparators, 2 on v6-M. */
    if (cpu->v6m) {
        cpu->fp_num_code = 4;
        cpu->fp_ctrl = 4u << 4;
        cpu->dwt_num = 2;
    } else if (core == STP_CORE_M7 || core == STP_CORE_M33) {
        cpu->fp_num_code = 8;
        cpu->fp_ctrl = (1u << 28) | (8u << 4);
        cpu->dwt_num = 4;
    } else {
        cpu->fp_num_code = 6;
        cpu->fp_ctrl = (2u << 8) | (6u << 4);
        cpu->dwt_num = 4;
    }
    for (unsigned i = 0; i < CPU_MAX_DWT; i++)
        cpu->dwt[i].cpu = cpu;
    cpu->held = true; /* in reset until the board's first sim_cpu_reset */
    return cpu;
}

void sim_cpu_destroy(sim_cpu *cpu)
{
    if (!cpu)
        return;
    uc_close(cpu->uc); /* frees the map; uc_mem_unmap of the MMIO holes would take ~1 s */
    cpu_map_free(cpu);
    free(cpu);
}

void sim_cpu_reset(sim_cpu *cpu, bool por, uint32_t vtor_base)
{
    if (cpu->in_run) {
        cpu->pending_reset_por = por;
        cpu->pending_reset_vtor = vtor_base;
        cpu_request_stop(cpu, STOP_RESET);
        return;
    }
    cpu_resync_shadows(cpu);
    cpu_do_reset(cpu, por, vtor_base, false);
}

bool sim_cpu_halted(const sim_cpu *cpu)
{
    return cpu->halted;
}

bool sim_cpu_sleeping(const sim_cpu *cpu)
{
    return cpu->sleeping && !cpu->halted;
}

bool sim_cpu_lockup(const sim_cpu *cpu)
{
    return cpu->lockup;
}

uint64_t sim_cpu_instructions(const sim_cpu *cpu)
{
    return cpu->instructions;
}

static bool block_is_hot(const sim_cpu *cpu)
{
    return range_is_hot(cpu, cpu->blk_addr, cpu->blk_size);
}

/* Times the current block per instruction from now on: a ranged code hook over it, and its
 * translation dropped (a hook added later is not seen by code translated before). */
static void make_hot(sim_cpu *cpu)
{
    if (cpu->nhot >= CPU_MAX_HOT || !cpu->blk_size)
        return;
    uint32_t lo = cpu->blk_addr, hi = cpu->blk_addr + cpu->blk_size;
    if (uc_hook_add(cpu->uc, &cpu->hot_hook[cpu->nhot], UC_HOOK_CODE, hook_hot, cpu, lo, hi - 1) !=
        UC_ERR_OK)
        return;
    cpu->hot_lo[cpu->nhot] = lo;
    cpu->hot_hi[cpu->nhot] = hi;
    cpu->nhot++;
    cpu_invalidate(cpu, lo, hi);
}

uint64_t sim_cpu_run_cycles(sim_cpu *cpu)
{
    if (!cpu->in_run)
        return cpu->run_elapsed;
    if (cpu->stepping)
        return cpu->run_elapsed + 1;
    unsigned n = count_insns(cpu, cpu->blk_addr, cpu->blk_size, NULL);
    uint64_t at;
    if (block_is_hot(cpu) || cpu->h_precise) {
        /* The PC is the accessing instruction's: the instructions before it, plus itself. */
        uint32_t pc = cpu_reg_get(cpu, UC_ARM_REG_PC) & ~1u;
        if (pc >= cpu->blk_addr && pc - cpu->blk_addr < cpu->blk_size)
            at = insns_in(cpu, cpu->blk_addr, pc - cpu->blk_addr, NULL) + 1;
        else
            at = n;
    } else {
        /* Unicorn keeps the PC at the block start until the block ends: this first time
         * the middle of the block, every later time to the instruction. */
        at = (n + 1) / 2;
        make_hot(cpu);
    }
    return cpu->run_elapsed + cpu->blk_before + at;
}

void sim_cpu_end_run(sim_cpu *cpu)
{
    if (!cpu->in_run)
        return;
    cpu->cut = true;
    cpu_request_stop(cpu, 0);
}

bool sim_cpu_run_ended_early(const sim_cpu *cpu, uint64_t *cycles)
{
    if (cycles)
        *cycles = cpu->cut_elapsed;
    return cpu->was_cut;
}

/* Enters Debug state (from outside a run: immediately; inside: at the stop). */
void cpu_enter_halt(sim_cpu *cpu, uint32_t dfsr_bits)
{
    if (cpu->in_run) {
        cpu->halt_reason |= dfsr_bits;
        cpu_request_stop(cpu, STOP_HALT);
        return;
    }
    cpu->halted = true;
    cpu->sleeping = false;
    cpu->lockup = false; /* entering Debug state leaves lockup */
    cpu->dhcsr |= DHCSR_C_HALT;
    cpu->dfsr |= dfsr_bits;
}

void cpu_leave_halt(sim_cpu *cpu)
{
    if (!cpu->halted)
        return;
    cpu->halted = false;
    cpu_resync_shadows(cpu);
}

enum hint { HINT_NONE, HINT_WFI, HINT_WFE, HINT_YIELD };

/* The hint instruction that ends just before pc (16-bit or 32-bit encoding), if any. */
static enum hint hint_before(sim_cpu *cpu, uint32_t pc)
{
    cpu_region *r = cpu_region_of(cpu, pc - 2);
    if (!r || pc - 2 < r->r.base)
        return HINT_NONE;
    const uint8_t *p = r->map + (pc - 2 - r->r.base);
    uint16_t h = (uint16_t)(p[0] | p[1] << 8);
    if (pc - 4 >= r->r.base && (uint16_t)(p[-2] | p[-1] << 8) == 0xF3AF && (h & 0xFF00) == 0x8000)
        h = (uint16_t)(0xBF00 | (h & 0xFF) << 4); /* WFI.W/WFE.W/YIELD.W as the 16-bit form */
    switch (h) {
    case 0xBF30:
        return HINT_WFI;
    case 0xBF20:
        return HINT_WFE;
    case 0xBF10:
        return HINT_YIELD;
    default:
        return HINT_NONE;
    }
}

/* One uc_emu_start and everything its stop asks for. Returns instructions executed. */
static uint64_t run_once(sim_cpu *cpu, uint64_t budget)
{
    cpu->budget = budget;
    cpu->done = 0;
    cpu->stop = 0;
    cpu->stop_pending = false;
    cpu->halt_reason = 0;
    cpu->busfault_cfsr = 0;
    cpu->sync_lo = cpu->sync_hi = 0;
    cpu->inval_lo = cpu->inval_hi = 0;
    cpu->block_stop = false;
    if (!cpu->thumb) {
        /* EPSR.T = 0 (BX/BLX to an even address, an xPSR written so): the instruction
         * faults with INVSTATE before it runs. Unicorn would run it as A32 code or report
         * a prefetch abort, depending on the address. */
        cpu->stop = STOP_INTR;
        cpu_fault(cpu, CFSR_INVSTATE, 0);
        return 0;
    }
    uint32_t pc = cpu_reg_get(cpu, UC_ARM_REG_PC);
    cpu->in_run = true;
    uint32_t until = cpu->run_until;
    cpu->run_until = 0;
    uc_err e = uc_emu_start(cpu->uc, pc | (cpu->thumb ? 1u : 0u), until, 0, 0);
    cpu->in_run = false;
    if (cpu->block_stop && e == UC_ERR_OK)
        cpu_reg_set(cpu, UC_ARM_REG_PC,
                    cpu->block_stop_pc | ((cpu_reg_get(cpu, UC_ARM_REG_XPSR) >> 24) & 1u));
    /* Stopped right before BXNS/BLXNS, which runs below: counted with its block already,
     * or as the step. */
    if (cpu->stepping && (cpu->stop & STOP_NSBRANCH) && !(cpu->stop & STOP_HALT))
        cpu->step_count = 1;
    uint64_t done = cpu->stepping ? cpu->step_count : cpu->done;
    cpu->thumb = (cpu_reg_get(cpu, UC_ARM_REG_XPSR) >> 24) & 1;
    pc = cpu_reg_get(cpu, UC_ARM_REG_PC);
    if (done)
        cpu->retire_st = true;
    cpu->instructions += done;

    if (cpu->sync_hi > cpu->sync_lo)
        sim_cpu_mem_changed(cpu, cpu->sync_lo, cpu->sync_hi - cpu->sync_lo);
    if (cpu->inval_hi > cpu->inval_lo)
        uc_ctl_remove_cache(cpu->uc, cpu->inval_lo, cpu->inval_hi);
    cpu->inval_lo = cpu->inval_hi = 0;

    for (size_t i = 0; i < cpu->npending_remap; i++)
        sim_cpu_remap(cpu, &cpu->pending_remap[i]);
    cpu->npending_remap = 0;
    if (cpu->stop & STOP_RESET) {
        cpu_resync_shadows(cpu);
        cpu_do_reset(cpu, cpu->pending_reset_por, cpu->pending_reset_vtor, cpu->pending_reset_core);
        cpu->pending_reset_core = false;
        return done;
    }
    if (cpu->stop & STOP_NSTRAP) {
        /* Unicorn ends a block at the exit address it is started with, also inside an IT
         * block (a code hook's stop there is not precise): the next run stops right before
         * the BXNS/BLXNS, and a block starting with it comes back as STOP_NSBRANCH. */
        cpu->run_until = cpu->nsbranch_pc;
        uc_ctl_remove_cache(cpu->uc, cpu->nsbranch_pc, cpu->nsbranch_pc + 2);
    }
    if ((cpu->stop & STOP_NSBRANCH) && !(cpu->stop & STOP_HALT))
        cpu_nsbranch_run(cpu, cpu->nsbranch_pc);
    if (cpu->stop & STOP_INTR)
        cpu_handle_intr(cpu, cpu->intr_no);
    else if (cpu->stop & STOP_BUSFAULT)
        cpu_fault(cpu, cpu->busfault_cfsr, 0);
    else if (e == UC_ERR_INSN_INVALID && !cpu->thumb)
        cpu_fault(cpu, CFSR_INVSTATE, 0); /* BX/BLX to an even address: QEMU tried A32 */
    else if (e == UC_ERR_INSN_INVALID) {
        /* UDF and undefined encodings (PC on them), but also WFE and YIELD (PC after). */
        enum hint h = hint_before(cpu, pc);
        if (h == HINT_WFE && !cpu->event)
            cpu->sleeping = true;
        else if (h == HINT_WFE || h == HINT_YIELD)
            cpu->event = false;
        else
            cpu_fault(cpu, CFSR_UNDEFINSTR, 0);
    } else if (e == UC_ERR_FETCH_UNMAPPED || e == UC_ERR_FETCH_PROT)
        cpu_fault(cpu, CFSR_IBUSERR, 0);
    else if (e != UC_ERR_OK)
        cpu_fault(cpu, CFSR_PRECISERR, 0);
    if (cpu->stop & STOP_HALT)
        cpu_enter_halt(cpu, cpu->halt_reason ? cpu->halt_reason : DFSR_HALTED);
    if (!cpu->stop && e == UC_ERR_OK && hint_before(cpu, pc) == HINT_WFI)
        cpu->sleeping = true;
    return done;
}

void cpu_step(sim_cpu *cpu)
{
    if (cpu->lockup)
        return;
    cpu->stepping = true;
    cpu->step_count = 0;
    cpu->sleeping = false;
    /* The block at PC is translated again with the hook; a branch out of it ends the step
     * in the block hook, so cached blocks elsewhere need no hook. */
    uc_hook_add(cpu->uc, &cpu->h_step, UC_HOOK_CODE, hook_step, cpu, 1, 0);
    uint32_t pc = cpu_reg_get(cpu, UC_ARM_REG_PC);
    uc_ctl_remove_cache(cpu->uc, pc, pc + 4);
    cpu->halted = false;
    run_once(cpu, 1);
    if ((cpu->stop & STOP_NSTRAP) && !cpu->step_count)
        run_once(cpu, 1); /* stopped before a block ending in BXNS/BLXNS: run up to it */
    del_hook(cpu, &cpu->h_step);
    cpu->stepping = false;
    if (!cpu->lockup && !(cpu->dhcsr & DHCSR_C_MASKINTS))
        cpu_take_pending(cpu);
    cpu->halted = true;
    cpu->sleeping = false;
    cpu->dfsr |= DFSR_HALTED;
}

uint64_t sim_cpu_run(sim_cpu *cpu, uint64_t max_cycles)
{
    if (cpu->in_run || max_cycles == 0)
        return 0;
    uint64_t total = 0;
    cpu->cut = cpu->was_cut = false;
    cpu->cut_elapsed = 0;
    cpu->run_elapsed = 0;
    if (cpu->held || cpu->halted || cpu->lockup)
        cpu->debt = 0; /* the overshoot belonged to a run that has ended */
    if (cpu->held)
        return 0;
    if (cpu->debt >= max_cycles) { /* instructions already run (and counted) last time */
        cpu->debt -= max_cycles;
        return max_cycles;
    }
    uint64_t budget = max_cycles - cpu->debt;
    unsigned idle = 0;
    total = cpu->debt;
    cpu->debt = 0;
    while (budget > 0) {
        if (cpu->halted || cpu->lockup)
            break;
        if (cpu->sleeping) {
            uint64_t fire = cpu_systick_cycles_to_fire(cpu);
            if (fire > budget) {
                cpu_systick_advance(cpu, budget);
                break;
            }
            cpu_systick_advance(cpu, fire);
            budget -= fire;
            if (!cpu_interrupt_pending(cpu))
                continue;
            cpu->sleeping = false;
        }
        cpu_take_pending(cpu);
        if (cpu->halted || cpu->lockup)
            break;
        uint64_t slice = budget;
        uint64_t fire = cpu_systick_cycles_to_fire(cpu);
        if (fire && fire < slice)
            slice = fire;
        cpu->run_elapsed = max_cycles - budget;
        uint64_t done = run_once(cpu, slice);
        cpu_systick_advance(cpu, done);
        total += done;
        /* Unicorn returning at once without a reason would spin here: give up this call */
        if (done == 0 && !cpu->stop && ++idle > 2)
            break;
        if (done >= budget) {
            cpu->debt = done - budget;
            budget = 0;
        } else {
            budget -= done;
        }
        cpu->run_elapsed = max_cycles - budget;
        if (cpu->cut) {
            cpu->cut = false;
            cpu->was_cut = true;
            cpu->cut_elapsed = max_cycles - budget;
            break;
        }
    }
    return total > max_cycles ? max_cycles : total;
}
