/* The virtual Cortex-M core (sim/cpu*.c) against a fake board, execution side: stores to
 * read-only flash, RAM loaders, MMIO, bit-band, WFI/WFE, faults and lockup, SVC and
 * exception return, FP frames, SysTick, remap, the example firmware and speed.
 * Programs: progs.S (assembled at build time). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "fake_board.h"

/* CPU time of this process: the speed check measures the model, not how busy the machine is
 * (a loaded CI machine or a sanitizer build must not fail it by wall time alone). */
static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void test_store_to_flash_goes_to_bus(void **state)
{
    fake_board *b = fb_new(STP_CORE_M4);
    fb_start(b, fb_prog(b, P_FLASH_STORE));
    fb_run_until_halt(b, 10000);
    assert_true(sim_cpu_halted(b->cpu));
    assert_int_equal(b->nlog, 1);
    assert_int_equal(b->log[0].addr, 0x08008000u);
    assert_int_equal(b->log[0].val, 0x11223344u);
    assert_int_equal(b->log[0].width, 4);
    /* PG clear: the fake controller dropped it; flash and the core's view are unchanged */
    assert_int_equal(b->flash[0x8000], 0xFF);
    assert_int_equal(fb_reg(b, 2), 0xFFFFFFFFu);
    /* with PG set the controller programs (NOR AND) and the core reads the new bytes */
    b->flash_cr = 1;
    fb_start(b, fb_prog(b, P_FLASH_STORE));
    fb_run_until_halt(b, 10000);
    assert_int_equal(b->flash[0x8000], 0x44);
    assert_int_equal(fb_reg(b, 2), 0x11223344u);
    fb_free(b);
}

/* A RAM loader as st-flash/OpenOCD use: code written into SRAM by the debugger, data
 * buffer in SRAM, half-word stores to flash with busy polling, BKPT at the end. */
static void test_flash_loader_from_sram(void **state)
{
    fake_board *b = fb_new(STP_CORE_M4);
    uint32_t e = fb_prog(b, P_LOADER) & ~1u;
    fb_halt(b);
    memcpy(b->sram, b->flash + e, 64); /* the loader, as a debugger writes it */
    sim_cpu_mem_changed(b->cpu, FB_SRAM, 64);
    for (unsigned i = 0; i < 512; i++)
        b->sram[0x1000 + i] = (uint8_t)(i * 7 + 1);
    b->flash_cr = 1;
    fb_set_reg(b, 0, FB_SRAM + 0x1000);
    fb_set_reg(b, 1, FB_FLASH + 0x4000);
    fb_set_reg(b, 2, 256);
    fb_set_reg(b, 3, FB_FLASHCTL);
    fb_set_reg(b, 15, FB_SRAM);
    fb_set_reg(b, 16, 0x01000000u);
    fb_resume(b);
    fb_run_until_halt(b, 100000);
    assert_true(sim_cpu_halted(b->cpu));
    assert_true(fb_rd(b, DFSR) & 2);
    assert_int_equal(fb_reg(b, 2), 0);
    assert_memory_equal(b->flash + 0x4000, b->sram + 0x1000, 512);
    assert_int_equal(b->nlog, 256);
    assert_int_equal(b->log[0].width, 2);
    assert_int_equal(b->sr_reads, 256 * 3); /* two busy polls and one ready per half-word */
    /* the core sees the programmed bytes */
    fb_set_reg(b, 15, FB_SRAM);
    fb_free(b);
}

static void test_code_change_in_sram_is_seen(void **state)
{
    fake_board *b = fb_new(STP_CORE_M3);
    /* movs r0, #1 ; bkpt #0 */
    const uint8_t a[] = {0x01, 0x20, 0x00, 0xBE};
    const uint8_t c[] = {0x02, 0x20, 0x00, 0xBE};
    for (int round = 0; round < 2; round++) {
        fb_halt(b);
        memcpy(b->sram + 0x800, round ? c : a, 4);
        sim_cpu_mem_changed(b->cpu, FB_SRAM + 0x800, 4);
        fb_set_reg(b, 15, FB_SRAM + 0x800);
        fb_resume(b);
        fb_run_until_halt(b, 1000);
        assert_int_equal(fb_reg(b, 0), round ? 2 : 1);
    }
    fb_free(b);
}

static void test_mmio_reads_and_writes(void **state)
{
    fake_board *b = fb_new(STP_CORE_M3);
    b->periph[1] = 41;
    fb_start(b, fb_prog(b, P_MMIO));
    fb_run_until_halt(b, 10000);
    assert_true(sim_cpu_halted(b->cpu));
    assert_int_equal(b->periph[2], 42);
    assert_int_equal(b->periph[3] & 0xFF, 42);
    assert_int_equal(b->nlog, 2);
    assert_int_equal(b->log[1].addr, FB_PERIPH + 12);
    assert_int_equal(b->log[1].width, 1);
    fb_free(b);
}

static void test_wfi_sleeps_until_halt(void **state)
{
    fake_board *b = fb_new(STP_CORE_M4);
    uint32_t e = fb_prog(b, P_WFI) & ~1u;
    fb_start(b, e);
    sim_cpu_run(b->cpu, 1000);
    assert_true(sim_cpu_sleeping(b->cpu));
    assert_true(fb_rd(b, DHCSR) & S_SLEEP);
    assert_int_equal(sim_cpu_run(b->cpu, 1000), 0);
    fb_halt(b);
    uint32_t dhcsr = fb_rd(b, DHCSR);
    assert_true(dhcsr & S_HALT);
    assert_false(dhcsr & S_SLEEP);
    assert_int_equal(fb_reg(b, 15), e + 4);
    assert_int_equal(fb_reg(b, 0), 1);
    fb_resume(b);
    fb_run_until_halt(b, 1000);
    assert_int_equal(fb_reg(b, 0), 2);
    fb_free(b);
}

static void test_yield_runs_on_and_wfe_sleeps(void **state)
{
    fake_board *b = fb_new(STP_CORE_M3);
    uint32_t e = fb_prog(b, P_HINT) & ~1u;
    fb_start(b, e);
    sim_cpu_run(b->cpu, 1000);
    assert_true(sim_cpu_sleeping(b->cpu));
    assert_false(sim_cpu_lockup(b->cpu));
    fb_halt(b);
    assert_int_equal(fb_reg(b, 0), 1);
    assert_int_equal(fb_reg(b, 15), e + 6);
    assert_int_equal(fb_rd(b, CFSR), 0);
    fb_resume(b);
    fb_run_until_halt(b, 1000);
    assert_int_equal(fb_reg(b, 0), 2);
    assert_true(fb_rd(b, DFSR) & 2);
    fb_free(b);
}

/* How store_once_prog is driven: one long run, runs cut into small cycle budgets (the stop
 * falls on every block boundary), C_STEP through every instruction, or one long run with a
 * DWT watchpoint armed elsewhere (Unicorn then checks for a stop before each instruction). */
enum drive { DRIVE_RUN, DRIVE_BUDGETS, DRIVE_STEP, DRIVE_WATCH };

static void drive(fake_board *b, enum drive how)
{
    if (how == DRIVE_WATCH) {
        fb_wr(b, DEMCR, 1u << 24); /* TRCENA */
        fb_wr(b, DWT_COMP0, 0x20003000u);
        fb_wr(b, DWT_MASK0, 0);
        fb_wr(b, DWT_FUNC0, 6); /* write watchpoint, never hit */
    }
    if (how == DRIVE_STEP) {
        for (unsigned i = 0; i < 5000; i++) {
            fb_wr(b, DHCSR, 0xA05F0005u); /* C_DEBUGEN | C_STEP: one instruction */
            assert_true(fb_rd(b, DHCSR) & S_HALT);
            if (b->flash[(fb_reg(b, 15) & 0xFFFFu) + 1] == 0xBE)
                return; /* on the BKPT */
        }
        fail();
    }
    for (unsigned i = 0; i < 200000 && !sim_cpu_halted(b->cpu); i++)
        sim_cpu_run(b->cpu, how == DRIVE_BUDGETS ? 1 + i % 13 : 100000);
}

/* Every store of a block that also stores to registers (MMIO) and to flash (the write-protect
 * hook) reaches memory exactly once, in program order, however the run is cut. */
static void test_stores_happen_once(void **state)
{
    stp_core_kind cores[] = {STP_CORE_M3, STP_CORE_M4, STP_CORE_M7};
    for (size_t c = 0; c < 3; c++) {
        for (enum drive how = DRIVE_RUN; how <= DRIVE_WATCH; how++) {
            fake_board *b = fb_new(cores[c]);
            b->flash_cr = 1; /* PG */
            fb_start(b, fb_prog(b, P_STORE_ONCE));
            if (how == DRIVE_STEP)
                fb_halt(b);
            drive(b, how);
            assert_true(sim_cpu_halted(b->cpu));
            uint32_t ram0, ram1;
            memcpy(&ram0, b->sram + 0x400, 4);
            memcpy(&ram1, b->sram + 0x404, 4);
            if (ram0 != 50 || ram1 != 50 || b->nlog != 250)
                fprintf(stderr, "core %zu drive %d: RAM counters %u %u, %zu bus writes\n", c,
                        (int)how, ram0, ram1, b->nlog);
            assert_int_equal(ram0, 50);
            assert_int_equal(ram1, 50);
            assert_int_equal(b->nlog, 250);
            for (uint32_t i = 0; i < 50; i++) {
                const fb_write *w = &b->log[5 * i];
                fb_write want[5] = {{FB_PERIPH + 16, i, 4},
                                    {FB_PERIPH + 20, i, 4},
                                    {FB_PERIPH + 24, i, 1},
                                    {FB_FLASH + 0x8000 + 2 * i, i, 2},
                                    {FB_PERIPH + 28, i + 1, 4}};
                for (int k = 0; k < 5; k++) {
                    assert_int_equal(w[k].addr, want[k].addr);
                    assert_int_equal(w[k].val, want[k].val);
                    assert_int_equal(w[k].width, want[k].width);
                }
            }
            fb_free(b);
        }
    }
}

static void test_bitband_on_m3_m4(void **state)
{
    stp_core_kind cores[] = {STP_CORE_M3, STP_CORE_M4};
    for (size_t c = 0; c < 2; c++) {
        fake_board *b = fb_new(cores[c]);
        b->periph[8] = 0x101;
        fb_start(b, fb_prog(b, P_BITBAND));
        fb_run_until_halt(b, 1000);
        assert_true(sim_cpu_halted(b->cpu));
        assert_int_equal(b->sram[0x1000], 0x08);
        assert_int_equal(fb_reg(b, 2), 1);
        assert_int_equal(b->periph[8], 0x120); /* bit 5 set, bit 0 cleared, bit 8 kept */
        assert_int_equal(fb_reg(b, 3), 1);
        fb_free(b);
    }
    /* the M7 has no bit-band: the alias is ordinary (here: faulting) bus space */
    fake_board *b = fb_new(STP_CORE_M7);
    fb_start(b, fb_prog(b, P_BITBAND));
    fb_wr(b, DHCSR, 0xA05F0000u);
    sim_cpu_run(b->cpu, 1000);
    assert_int_equal(sim_cpu_reg(b->cpu, 7), 0xEE);
    assert_int_equal(b->sram[0x1000], 0);
    fb_free(b);
}

static uint32_t sram32(fake_board *b, uint32_t addr)
{
    const uint8_t *p = b->sram + (addr - FB_SRAM);
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void test_udf_enters_hardfault(void **state)
{
    fake_board *b = fb_new(STP_CORE_M4);
    uint32_t e = fb_prog(b, P_UDF) & ~1u;
    fb_start(b, e);
    fb_wr(b, DHCSR, 0xA05F0000u);
    sim_cpu_run(b->cpu, 1000);
    assert_int_equal(sim_cpu_reg(b->cpu, 7), 0xEE);
    assert_int_equal(sim_cpu_reg(b->cpu, 16) & 0x1FF, 3);
    assert_int_equal(sim_cpu_reg(b->cpu, 14), 0xFFFFFFF9u);
    assert_true(fb_rd(b, CFSR) & (1u << 16)); /* UNDEFINSTR */
    assert_true(fb_rd(b, HFSR) & (1u << 30)); /* FORCED */
    uint32_t sp = sim_cpu_reg(b->cpu, 13);
    assert_int_equal(sp, 0x20008000u - 32);
    assert_int_equal(sram32(b, sp + 24), e + 2);       /* stacked PC = the UDF */
    assert_int_equal(sram32(b, sp + 28) >> 24 & 1, 1); /* stacked xPSR.T */
    fb_free(b);
}

static void test_vc_harderr_and_lockup(void **state)
{
    fake_board *b = fb_new(STP_CORE_M4);
    fb_start(b, fb_prog(b, P_UDF));
    fb_wr(b, DEMCR, 1u << 10); /* VC_HARDERR */
    fb_run_until_halt(b, 1000);
    assert_true(sim_cpu_halted(b->cpu));
    assert_true(fb_rd(b, DFSR) & 8);
    assert_int_equal(fb_reg(b, 15), fb_prog(b, P_HARDFAULT) & ~1u);
    /* a fault inside HardFault locks the core up */
    fb_wr(b, DEMCR, 0);
    fb_set_reg(b, 15, fb_prog(b, P_UDF) & ~1u);
    fb_wr(b, DHCSR, 0xA05F0000u);
    sim_cpu_run(b->cpu, 1000);
    assert_true(sim_cpu_lockup(b->cpu));
    assert_true(fb_rd(b, DHCSR) & S_LOCKUP);
    assert_int_equal(sim_cpu_run(b->cpu, 1000), 0);
    /* a debug halt leaves lockup */
    fb_halt(b);
    assert_true(sim_cpu_halted(b->cpu));
    assert_false(fb_rd(b, DHCSR) & S_LOCKUP);
    fb_free(b);
}

/* SHCSR.USGFAULTENA routes the fault to the UsageFault handler (no escalation). */
static void test_usagefault_handler_when_enabled(void **state)
{
    fake_board *b = fb_new(STP_CORE_M4);
    fb_start(b, fb_prog(b, P_UDF));
    fb_wr(b, 0xE000ED24u, 1u << 18); /* SHCSR.USGFAULTENA */
    fb_wr(b, DHCSR, 0xA05F0000u);
    sim_cpu_run(b->cpu, 1000);
    assert_int_equal(sim_cpu_reg(b->cpu, 7), 0x66);
    assert_int_equal(sim_cpu_reg(b->cpu, 16) & 0x1FF, 6);
    assert_true(fb_rd(b, CFSR) & (1u << 16));
    assert_int_equal(fb_rd(b, HFSR), 0);
    fb_free(b);
}

/* VC_STATERR catches an undefined instruction even when it escalates to HardFault. */
static void test_vc_staterr_on_escalated_fault(void **state)
{
    fake_board *b = fb_new(STP_CORE_M3);
    fb_start(b, fb_prog(b, P_UDF));
    fb_wr(b, DEMCR, 1u << 7); /* VC_STATERR */
    fb_run_until_halt(b, 1000);
    assert_true(sim_cpu_halted(b->cpu));
    assert_true(fb_rd(b, DFSR) & 8);
    assert_int_equal(fb_reg(b, 15), fb_prog(b, P_HARDFAULT) & ~1u);
    assert_true(fb_rd(b, HFSR) & (1u << 30));
    fb_free(b);
}

/* No HardFault handler (vector 0, as in an erased or zeroed table): the fault escalates
 * into lockup, as the architecture says. */
static void test_fault_without_handler_locks_up(void **state)
{
    fake_board *b = fb_new(STP_CORE_M3);
    fb_start(b, fb_prog(b, P_UDF));
    fb_wr(b, 0xE000ED08u, FB_SRAM); /* VTOR: a table of zeros in SRAM */
    fb_wr(b, DHCSR, 0xA05F0000u);
    sim_cpu_run(b->cpu, 1000);
    assert_true(sim_cpu_lockup(b->cpu));
    assert_true(fb_rd(b, DHCSR) & S_LOCKUP);
    assert_int_equal(sim_cpu_reg(b->cpu, 15), 0xFFFFFFFEu);
    fb_free(b);
}

static void test_bus_fault_enters_hardfault(void **state)
{
    fake_board *b = fb_new(STP_CORE_M3);
    fb_start(b, fb_prog(b, P_BUSFAULT));
    fb_wr(b, DHCSR, 0xA05F0000u);
    sim_cpu_run(b->cpu, 1000);
    assert_int_equal(sim_cpu_reg(b->cpu, 7), 0xEE);
    assert_int_equal(fb_rd(b, CFSR) & ((1u << 9) | (1u << 15)), (1u << 9) | (1u << 15));
    assert_int_equal(fb_rd(b, BFAR), 0x50000000u);
    fb_free(b);
}

static void test_svc_and_exception_return(void **state)
{
    stp_core_kind cores[] = {STP_CORE_M0, STP_CORE_M3, STP_CORE_M4, STP_CORE_M7};
    for (size_t c = 0; c < 4; c++) {
        fake_board *b = fb_new(cores[c]);
        uint32_t e = fb_prog(b, P_SVC) & ~1u;
        fb_start(b, e);
        fb_run_until_halt(b, 1000);
        assert_true(sim_cpu_halted(b->cpu));
        assert_int_equal(fb_reg(b, 5), 2);
        assert_int_equal(fb_reg(b, 15), e + 6);
        assert_int_equal(fb_reg(b, 16) & 0x1FF, 0); /* back in thread mode */
        assert_int_equal(fb_reg(b, 13), 0x20008000u);
        assert_int_equal(fb_reg(b, 8), 0xFFFFFFF9u); /* EXC_RETURN: thread, MSP, basic frame */
        fb_free(b);
    }
}

static void test_fp_context_extended_frame(void **state)
{
    fake_board *b = fb_new(STP_CORE_M4);
    fb_start(b, fb_prog(b, P_FP_SVC));
    fb_run_until_halt(b, 1000);
    assert_true(sim_cpu_halted(b->cpu));
    assert_int_equal(fb_reg(b, 5), 1);
    assert_int_equal(fb_reg(b, 8), 0xFFFFFFE9u); /* EXC_RETURN: extended frame */
    assert_int_equal(fb_reg(b, 6), 0x40000000u); /* s1 = 2.0f survived */
    assert_int_equal(fb_reg(b, 13), 0x20008000u);
    assert_int_equal(fb_reg(b, 20) >> 24, 4); /* CONTROL.FPCA back on */
    /* the frame: 26 words below the initial SP, S1 at +0x24 */
    assert_int_equal(b->sram[0x8000 - 0x68 + 0x24 + 3], 0x40);
    fb_free(b);
}

static void test_systick_interrupts(void **state)
{
    stp_core_kind cores[] = {STP_CORE_M0, STP_CORE_M4};
    for (size_t c = 0; c < 2; c++) {
        fake_board *b = fb_new(cores[c]);
        fb_start(b, fb_prog(b, P_SYSTICK));
        uint64_t n = fb_run_until_halt(b, 100000);
        assert_true(sim_cpu_halted(b->cpu));
        assert_int_equal(fb_reg(b, 6), 5);
        assert_in_range(n, 500, 600); /* five periods of 100 cycles */
        fb_free(b);
    }
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* An asynchronous loader as OpenOCD's stm32f2x algorithm works: the core drains a ring
 * buffer in SRAM into flash while the debugger keeps filling it between core slices. */
static void test_ring_buffer_loader_runs_while_debugger_writes(void **state)
{
    fake_board *b = fb_new(STP_CORE_M4);
    const uint32_t ring = FB_SRAM + 0x2000, buf = ring + 8, end = buf + 64;
    uint8_t data[1024];
    for (unsigned i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 13 + 5);
    fb_halt(b);
    put32(b->sram + 0x2000, buf); /* wp */
    put32(b->sram + 0x2004, buf); /* rp */
    b->flash_cr = 1;
    fb_set_reg(b, 0, ring);
    fb_set_reg(b, 1, end);
    fb_set_reg(b, 2, FB_FLASH + 0x6000);
    fb_set_reg(b, 3, sizeof data / 2);
    fb_set_reg(b, 4, FB_FLASHCTL);
    fb_set_reg(b, 15, fb_prog(b, P_RING) & ~1u);
    fb_set_reg(b, 16, 0x01000000u);
    fb_resume(b);
    uint32_t wp = buf;
    size_t sent = 0;
    unsigned rounds = 0;
    while (!sim_cpu_halted(b->cpu) && rounds++ < 10000) {
        const uint8_t *q = b->sram + 0x2004;
        uint32_t rp =
            (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
        /* write as much as fits (one slot stays free), 2 bytes at a time */
        while (sent < sizeof data) {
            uint32_t next = wp + 2 == end ? buf : wp + 2;
            if (next == rp)
                break;
            memcpy(b->sram + (wp - FB_SRAM), data + sent, 2);
            sim_cpu_mem_changed(b->cpu, wp, 2);
            sent += 2;
            wp = next;
        }
        put32(b->sram + 0x2000, wp);
        sim_cpu_mem_changed(b->cpu, ring, 4);
        sim_cpu_run(b->cpu, 300); /* the core runs between probe accesses */
    }
    assert_true(sim_cpu_halted(b->cpu));
    assert_true(rounds > 10); /* the ring wrapped many times: the core did not wait for all */
    assert_int_equal(fb_reg(b, 3), 0);
    assert_memory_equal(b->flash + 0x6000, data, sizeof data);
    fb_free(b);
}

/* Boot alias switch as SYSCFG_MEMRMP does: address 0 shows SRAM instead of flash. */
static void test_remap_alias(void **state)
{
    fake_board *b = fb_new(STP_CORE_M4);
    /* a vector table in SRAM: SP, reset = the count loop in flash */
    put32(b->sram, 0x20004000u);
    put32(b->sram + 4, fb_prog(b, P_COUNT));
    sim_mem_region alias = {0, FB_SRAM_SZ, b->sram, true};
    double t0 = now();
    assert_int_equal(sim_cpu_remap(b->cpu, &alias), 0);
    double dt = now() - t0;
    assert_true(dt < 0.1);
    sim_cpu_reset(b->cpu, false, 0);
    assert_int_equal(sim_cpu_reg(b->cpu, 17), 0x20004000u);
    assert_int_equal(sim_cpu_reg(b->cpu, 15), fb_prog(b, P_COUNT) & ~1u);
    assert_int_equal(sim_cpu_run(b->cpu, 100), 100);
    /* a core store at 0 now lands in SRAM */
    fb_halt(b);
    put32(b->sram + 0x100, 0);
    /* str r1, [r0] ; bkpt #0 */
    const uint8_t code[] = {0x01, 0x60, 0x00, 0xBE};
    memcpy(b->sram + 0x800, code, sizeof code);
    sim_cpu_mem_changed(b->cpu, FB_SRAM + 0x800, sizeof code);
    fb_set_reg(b, 0, 0x100);
    fb_set_reg(b, 1, 0xCAFEF00Du);
    fb_set_reg(b, 15, 0x800);
    fb_resume(b);
    fb_run_until_halt(b, 100);
    assert_true(sim_cpu_halted(b->cpu));
    assert_int_equal(b->sram[0x100], 0x0D);
    assert_int_equal(b->nlog, 0);
    /* without the alias, address 0 is the bus (a fault here): reset locks up */
    sim_mem_region none = {0, 0, NULL, false};
    assert_int_equal(sim_cpu_remap(b->cpu, &none), 0);
    sim_cpu_reset(b->cpu, false, 0);
    assert_true(sim_cpu_lockup(b->cpu));
    fb_free(b);
}

/* The project's example firmware (examples/blinky): vector table, .data copy, .bss
 * clear, RCC clock enable, GPIO mode, then LED toggles through BSRR with a busy wait. */
static void run_blinky(const char *name, stp_core_kind core, uint32_t port, uint32_t bsrr,
                       const unsigned *pins, unsigned npins)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.bin", SIMCPU_EXAMPLES, name);
    fake_board *b = fb_new_image(core, path, 0x20000);
    if (!b) {
        print_message("%s not built, skipped\n", path);
        skip();
    }
    unsigned toggles = 0;
    uint64_t cycles = 0;
    size_t seen = 0;
    while (toggles < 4 && cycles < 40000000) {
        cycles += sim_cpu_run(b->cpu, 100000);
        for (; seen < b->nlog && toggles < 4; seen++) {
            if (b->log[seen].addr != port + bsrr)
                continue;
            /* LED 0 on, LED 0 off, LED 1 on, LED 1 off (set / reset halves of BSRR) */
            unsigned pin = pins[(toggles / 2) % npins];
            assert_int_equal(b->log[seen].val, toggles % 2 ? 1u << (pin + 16) : 1u << pin);
            toggles++;
        }
    }
    assert_int_equal(toggles, 4);
    assert_false(sim_cpu_lockup(b->cpu));
    /* .data was copied: blink_delay = 200000 is in SRAM */
    bool found = false;
    for (uint32_t off = 0; off + 4 <= 0x400 && !found; off += 4)
        found = b->sram[off] == 0x40 && b->sram[off + 1] == 0x0D && b->sram[off + 2] == 0x03 &&
                b->sram[off + 3] == 0;
    assert_true(found);
    print_message("%s: 4 LED writes in %llu cycles\n", name, (unsigned long long)cycles);
    fb_free(b);
}

static void test_example_blinky(void **state)
{
    static const unsigned f407[] = {12, 13, 14, 15}, f767[] = {0, 7, 14}, f103[] = {13},
                          l151[] = {6, 7};
    run_blinky("blinky_f407", STP_CORE_M4, 0x40020C00u, 0x18, f407, 4);
    run_blinky("blinky_f767", STP_CORE_M7, 0x40020400u, 0x18, f767, 3);
    run_blinky("blinky_f103", STP_CORE_M3, 0x40011000u, 0x10, f103, 1);
    run_blinky("blinky_l151", STP_CORE_M3, 0x40020400u, 0x18, l151, 2);
}

static void test_speed(void **state)
{
    fake_board *b = fb_new(STP_CORE_M4);
    fb_start(b, fb_prog(b, P_COUNTDOWN));
    fb_halt(b);
    fb_set_reg(b, 1, 10000000);
    fb_resume(b);
    double t0 = now();
    uint64_t total = 0;
    /* the board's pattern: slices of 1 ms at 16 MHz */
    while (!sim_cpu_halted(b->cpu) && total < 30000000)
        total += sim_cpu_run(b->cpu, 16000);
    double dt = now() - t0;
    assert_true(sim_cpu_halted(b->cpu));
    assert_in_range(total, 20000000, 20000002);
    printf("sim_cpu speed: %llu instructions in %.3f s = %.1f M instructions/s\n",
           (unsigned long long)total, dt, (double)total / dt / 1e6);
    assert_true(dt < 5.0);
    fb_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_to_flash_goes_to_bus),
        cmocka_unit_test(test_flash_loader_from_sram),
        cmocka_unit_test(test_code_change_in_sram_is_seen),
        cmocka_unit_test(test_mmio_reads_and_writes),
        cmocka_unit_test(test_wfi_sleeps_until_halt),
        cmocka_unit_test(test_yield_runs_on_and_wfe_sleeps),
        cmocka_unit_test(test_bitband_on_m3_m4),
        cmocka_unit_test(test_udf_enters_hardfault),
        cmocka_unit_test(test_vc_harderr_and_lockup),
        cmocka_unit_test(test_usagefault_handler_when_enabled),
        cmocka_unit_test(test_vc_staterr_on_escalated_fault),
        cmocka_unit_test(test_fault_without_handler_locks_up),
        cmocka_unit_test(test_bus_fault_enters_hardfault),
        cmocka_unit_test(test_svc_and_exception_return),
        cmocka_unit_test(test_fp_context_extended_frame),
        cmocka_unit_test(test_systick_interrupts),
        cmocka_unit_test(test_ring_buffer_loader_runs_while_debugger_writes),
        cmocka_unit_test(test_remap_alias),
        cmocka_unit_test(test_example_blinky),
        cmocka_unit_test(test_stores_happen_once),
        cmocka_unit_test(test_speed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
