/* The virtual Cortex-M core (sim/cpu*.c) against a fake board: run/halt/step, register
 * transfer, reset and vector catch, BKPT, FPB, DWT, stores to read-only flash, MMIO, WFI,
 * exceptions, SysTick and speed. Programs: progs.S (assembled at build time). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "fake_board.h"

enum prog {
    P_COUNT = 0,
    P_BKPT,
    P_FLASH_STORE,
    P_MMIO,
    P_WFI,
    P_WATCH,
    P_STEP,
    P_UDF,
    P_RESET,
    P_SVC,
    P_COUNTDOWN,
    P_LOADER,
    P_SYSTICK,
    P_BUSFAULT,
    P_HARDFAULT,
    P_VECTRESET,
    P_RING,
    P_DEBUGEN,
    P_FP_SVC,
    P_HINT,
    P_BITBAND,
};

#define DHCSR      0xE000EDF0u
#define DEMCR      0xE000EDFCu
#define DFSR       0xE000ED30u
#define AIRCR      0xE000ED0Cu
#define CPUID      0xE000ED00u
#define CFSR       0xE000ED28u
#define HFSR       0xE000ED2Cu
#define BFAR       0xE000ED38u
#define FP_CTRL    0xE0002000u
#define FP_COMP0   0xE0002008u
#define DWT_CTRL   0xE0001000u
#define DWT_CYCCNT 0xE0001004u
#define DWT_COMP0  0xE0001020u
#define DWT_MASK0  0xE0001024u
#define DWT_FUNC0  0xE0001028u

#define S_REGRDY (1u << 16)
#define S_HALT   (1u << 17)
#define S_SLEEP  (1u << 18)
#define S_LOCKUP (1u << 19)
#define S_RETIRE (1u << 24)
#define S_RESET  (1u << 25)

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void test_reset_fetches_vectors(void **state)
{
    fake_board *b = fb_new(STP_CORE_M4);
    assert_int_equal(sim_cpu_reg(b->cpu, 15), 0x300);
    assert_int_equal(sim_cpu_reg(b->cpu, 17), 0x20008000u);
    assert_int_equal(sim_cpu_reg(b->cpu, 16) & (1u << 24), 1u << 24);
    assert_int_equal(fb_rd(b, CPUID), 0x410FC241u);
    /* S_RESET_ST is sticky until read */
    assert_true(fb_rd(b, DHCSR) & S_RESET);
    assert_false(fb_rd(b, DHCSR) & S_RESET);
    assert_int_equal(sim_cpu_run(b->cpu, 1000), 1000);
    assert_true(fb_rd(b, DHCSR) & S_RETIRE);
    /* the reset loop is movs + (adds, b): r0 counts loop iterations */
    uint32_t r0 = sim_cpu_reg(b->cpu, 0);
    assert_in_range(r0, 495, 500);
    fb_free(b);
}

static void test_halt_and_resume(void **state)
{
    fake_board *b = fb_new(STP_CORE_M4);
    sim_cpu_run(b->cpu, 100);
    /* DHCSR writes without DBGKEY are ignored */
    fb_wr(b, DHCSR, 0x00000003u);
    assert_false(fb_rd(b, DHCSR) & S_HALT);
    fb_halt(b);
    assert_true(sim_cpu_halted(b->cpu));
    uint32_t dhcsr = fb_rd(b, DHCSR);
    assert_true(dhcsr & S_HALT);
    assert_int_equal(dhcsr & 3, 3);
    assert_true(fb_rd(b, DFSR) & 1); /* HALTED */
    uint32_t r0 = fb_reg(b, 0);
    assert_int_equal(sim_cpu_run(b->cpu, 5000), 0);
    assert_int_equal(fb_reg(b, 0), r0);
    fb_wr(b, DFSR, 0x1F);
    assert_int_equal(fb_rd(b, DFSR), 0);
    fb_resume(b);
    assert_false(fb_rd(b, DHCSR) & S_HALT);
    assert_int_equal(sim_cpu_run(b->cpu, 5000), 5000);
    assert_true(sim_cpu_reg(b->cpu, 0) > r0);
    fb_free(b);
}

static void test_step_one_instruction(void **state)
{
    stp_core_kind cores[] = {STP_CORE_M0, STP_CORE_M3, STP_CORE_M4, STP_CORE_M7};
    for (size_t c = 0; c < 4; c++) {
        fake_board *b = fb_new(cores[c]);
        uint32_t e = fb_prog(b, P_STEP) & ~1u;
        fb_start(b, e);
        fb_halt(b);
        assert_int_equal(fb_reg(b, 15), e);
        uint32_t expect_pc[] = {e + 2, e + 4, e + 8, e + 10, e + 12};
        uint32_t expect_r0[] = {1, 2, 2, 3, 4};
        for (int i = 0; i < 5; i++) {
            fb_wr(b, DHCSR, 0xA05F0005u); /* C_DEBUGEN | C_STEP, C_HALT clear */
            uint32_t dhcsr = fb_rd(b, DHCSR);
            assert_true(dhcsr & S_HALT);
            assert_int_equal(fb_reg(b, 15), expect_pc[i]);
            assert_int_equal(fb_reg(b, 0), expect_r0[i]);
        }
        fb_free(b);
    }
}

static void test_register_transfer(void **state)
{
    fake_board *b = fb_new(STP_CORE_M4);
    fb_halt(b);
    for (unsigned r = 0; r <= 12; r++)
        fb_set_reg(b, r, 0x1000u * r + 7);
    fb_set_reg(b, 14, 0x08000123u);
    fb_set_reg(b, 15, 0x08000400u);
    for (unsigned r = 0; r <= 12; r++)
        assert_int_equal(fb_reg(b, r), 0x1000u * r + 7);
    assert_int_equal(fb_reg(b, 14), 0x08000123u);
    assert_int_equal(fb_reg(b, 15), 0x08000400u);
    fb_set_reg(b, 16, 0xF1000000u); /* NZCV + T */
    assert_int_equal(fb_reg(b, 16), 0xF1000000u);
    fb_set_reg(b, 17, 0x20004000u);
    fb_set_reg(b, 18, 0x20002000u);
    assert_int_equal(fb_reg(b, 17), 0x20004000u);
    assert_int_equal(fb_reg(b, 18), 0x20002000u);
    assert_int_equal(fb_reg(b, 13), 0x20004000u); /* SP = MSP in thread mode, SPSEL 0 */
    fb_set_reg(b, 20, 0x00012001u);               /* FAULTMASK 1, BASEPRI 0x20, PRIMASK 1 */
    assert_int_equal(fb_reg(b, 20), 0x00012001u);
    fb_set_reg(b, 20, 0);
    /* FPU registers on the M4F */
    for (unsigned s = 0; s < 32; s++)
        fb_set_reg(b, 0x40 + s, 0x3F800000u + s);
    for (unsigned s = 0; s < 32; s++)
        assert_int_equal(fb_reg(b, 0x40 + s), 0x3F800000u + s);
    fb_set_reg(b, 0x21, 0x03C00000u);
    assert_int_equal(fb_reg(b, 0x21), 0x03C00000u);
    /* no transfer while running: S_REGRDY stays clear */
    fb_resume(b);
    fb_wr(b, 0xE000EDF4u, 0);
    assert_false(fb_rd(b, DHCSR) & S_REGRDY);
    fb_free(b);
}

static void test_vector_catch_and_sysresetreq(void **state)
{
    fake_board *b = fb_new(STP_CORE_M4);
    sim_cpu_run(b->cpu, 1000);
    fb_wr(b, DHCSR, 0xA05F0001u);
    fb_wr(b, DEMCR, 1); /* VC_CORERESET */
    (void)fb_rd(b, DHCSR);
    fb_wr(b, AIRCR, 0x00000004u); /* no VECTKEY: ignored */
    assert_int_equal(b->resets, 0);
    fb_wr(b, AIRCR, 0x05FA0004u);
    assert_int_equal(b->resets, 1);
    uint32_t dhcsr = fb_rd(b, DHCSR);
    assert_true(dhcsr & S_HALT);
    assert_true(dhcsr & S_RESET);
    assert_true(fb_rd(b, DFSR) & 8); /* VCATCH */
    assert_int_equal(fb_reg(b, 15), 0x300);
    assert_int_equal(fb_reg(b, 0), 0);
    assert_int_equal(sim_cpu_run(b->cpu, 100), 0);
    fb_free(b);
}

static void test_sysresetreq_from_firmware(void **state)
{
    fake_board *b = fb_new(STP_CORE_M3);
    fb_start(b, fb_prog(b, P_RESET));
    fb_wr(b, DHCSR, 0xA05F0000u); /* debug off */
    (void)fb_rd(b, DHCSR);
    sim_cpu_run(b->cpu, 100);
    assert_int_equal(b->resets, 1);
    assert_true(fb_rd(b, DHCSR) & S_RESET);
    sim_cpu_run(b->cpu, 100);
    uint32_t pc = sim_cpu_reg(b->cpu, 15);
    assert_in_range(pc, 0x300, 0x306); /* back in the reset loop */
    fb_free(b);
}

static void test_vectreset_core_only(void **state)
{
    fake_board *b = fb_new(STP_CORE_M3);
    fb_start(b, fb_prog(b, P_VECTRESET));
    (void)fb_rd(b, DHCSR);
    sim_cpu_run(b->cpu, 100);
    assert_int_equal(b->resets, 0); /* the board was not asked */
    assert_true(fb_rd(b, DHCSR) & S_RESET);
    assert_in_range(sim_cpu_reg(b->cpu, 15), 0x300, 0x306);
    fb_free(b);
}

static void test_bkpt_halts_when_debug_enabled(void **state)
{
    fake_board *b = fb_new(STP_CORE_M0);
    uint32_t e = fb_prog(b, P_BKPT) & ~1u;
    fb_start(b, e);
    fb_run_until_halt(b, 10000);
    assert_true(sim_cpu_halted(b->cpu));
    assert_int_equal(fb_reg(b, 15), e + 2);
    assert_int_equal(fb_reg(b, 0), 42);
    assert_true(fb_rd(b, DFSR) & 2); /* BKPT */
    /* resuming on the BKPT halts again at once */
    fb_resume(b);
    sim_cpu_run(b->cpu, 100);
    assert_true(sim_cpu_halted(b->cpu));
    assert_int_equal(fb_reg(b, 15), e + 2);
    fb_free(b);
}

static void test_bkpt_without_debug_is_hardfault(void **state)
{
    fake_board *b = fb_new(STP_CORE_M4);
    fb_start(b, fb_prog(b, P_BKPT));
    fb_wr(b, DHCSR, 0xA05F0000u);
    sim_cpu_run(b->cpu, 1000);
    assert_false(sim_cpu_halted(b->cpu));
    assert_int_equal(sim_cpu_reg(b->cpu, 7), 0xEE); /* HardFault handler ran */
    assert_int_equal(sim_cpu_reg(b->cpu, 16) & 0x1FF, 3);
    assert_true(fb_rd(b, HFSR) & (1u << 31)); /* DEBUGEVT */
    fb_free(b);
}

static void test_fpb_breakpoint(void **state)
{
    stp_core_kind cores[] = {STP_CORE_M0, STP_CORE_M4, STP_CORE_M7};
    for (size_t c = 0; c < 3; c++) {
        fake_board *b = fb_new(cores[c]);
        uint32_t fpctrl = fb_rd(b, FP_CTRL);
        bool rev2 = (fpctrl >> 28) == 1;
        assert_int_equal(rev2, cores[c] == STP_CORE_M7);
        uint32_t ncode = ((fpctrl >> 8) & 0x70) | ((fpctrl >> 4) & 0xF);
        assert_int_equal(ncode, cores[c] == STP_CORE_M0 ? 4 : cores[c] == STP_CORE_M4 ? 6 : 8);
        uint32_t e = fb_prog(b, P_COUNT) & ~1u;
        uint32_t bp = e + 4; /* the "b 1b" of the loop: upper half-word of its word */
        fb_start(b, e);
        fb_wr(b, FP_CTRL, 3); /* KEY | ENABLE */
        uint32_t comp = rev2 ? (bp | 1) : ((bp & ~3u) | ((bp & 2) ? 0x80000000u : 0x40000000u) | 1);
        fb_wr(b, FP_COMP0 + 4, comp);
        assert_int_equal(fb_rd(b, FP_COMP0 + 4), comp);
        fb_run_until_halt(b, 10000);
        assert_true(sim_cpu_halted(b->cpu));
        assert_int_equal(fb_reg(b, 15), bp);
        assert_int_equal(fb_reg(b, 0), 1); /* stopped before the branch ran */
        assert_true(fb_rd(b, DFSR) & 2);
        /* disable the FPB: runs freely */
        fb_wr(b, FP_CTRL, 2);
        fb_resume(b);
        assert_int_equal(sim_cpu_run(b->cpu, 1000), 1000);
        assert_false(sim_cpu_halted(b->cpu));
        fb_free(b);
    }
}

static void test_dwt_watchpoint(void **state)
{
    fake_board *b = fb_new(STP_CORE_M4);
    uint32_t e = fb_prog(b, P_WATCH) & ~1u;
    fb_start(b, e);
    fb_halt(b);
    fb_wr(b, DEMCR, 1u << 24); /* TRCENA */
    assert_int_equal(fb_rd(b, DWT_CTRL) >> 28, 4);
    fb_wr(b, DWT_COMP0, 0x20001000u);
    fb_wr(b, DWT_MASK0, 0);
    fb_wr(b, DWT_FUNC0, 6); /* write */
    fb_resume(b);
    fb_run_until_halt(b, 10000);
    assert_true(sim_cpu_halted(b->cpu));
    assert_true(fb_rd(b, DFSR) & 4); /* DWTTRAP */
    /* ldr(2) movs(2) nop(2) str(2): halted right after the store */
    assert_int_equal(fb_reg(b, 15), e + 8);
    assert_int_equal(fb_reg(b, 2), 0);
    assert_true(fb_rd(b, DWT_FUNC0) & (1u << 24)); /* MATCHED, clears on read */
    assert_false(fb_rd(b, DWT_FUNC0) & (1u << 24));
    assert_int_equal(b->sram[0x1000], 5);
    fb_free(b);
}

static void test_cyccnt_counts_instructions(void **state)
{
    fake_board *b = fb_new(STP_CORE_M4);
    fb_wr(b, DEMCR, 1u << 24);
    fb_wr(b, DWT_CYCCNT, 0);
    fb_wr(b, DWT_CTRL, 1);
    assert_int_equal(sim_cpu_run(b->cpu, 12345), 12345);
    assert_int_equal(fb_rd(b, DWT_CYCCNT), 12345);
    fb_free(b);
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
    fake_board *b = fb_new(STP_CORE_M4);
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
    fake_board *b = fb_new(STP_CORE_M4);
    fb_start(b, fb_prog(b, P_SYSTICK));
    uint64_t n = fb_run_until_halt(b, 100000);
    assert_true(sim_cpu_halted(b->cpu));
    assert_int_equal(fb_reg(b, 6), 5);
    assert_in_range(n, 500, 600); /* five periods of 100 cycles */
    fb_free(b);
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

static void test_software_cannot_clear_debugen(void **state)
{
    fake_board *b = fb_new(STP_CORE_M3);
    fb_start(b, fb_prog(b, P_DEBUGEN));
    fb_run_until_halt(b, 1000);
    /* the first write cannot clear C_DEBUGEN, the second one halts the core (soon after
     * the store, like the imprecise halt of a real core) */
    assert_true(sim_cpu_halted(b->cpu));
    assert_in_range(fb_reg(b, 2), 1, 2);
    assert_true(fb_rd(b, DHCSR) & 1);
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
        cmocka_unit_test(test_reset_fetches_vectors),
        cmocka_unit_test(test_halt_and_resume),
        cmocka_unit_test(test_step_one_instruction),
        cmocka_unit_test(test_register_transfer),
        cmocka_unit_test(test_vector_catch_and_sysresetreq),
        cmocka_unit_test(test_sysresetreq_from_firmware),
        cmocka_unit_test(test_vectreset_core_only),
        cmocka_unit_test(test_bkpt_halts_when_debug_enabled),
        cmocka_unit_test(test_bkpt_without_debug_is_hardfault),
        cmocka_unit_test(test_fpb_breakpoint),
        cmocka_unit_test(test_dwt_watchpoint),
        cmocka_unit_test(test_cyccnt_counts_instructions),
        cmocka_unit_test(test_store_to_flash_goes_to_bus),
        cmocka_unit_test(test_flash_loader_from_sram),
        cmocka_unit_test(test_code_change_in_sram_is_seen),
        cmocka_unit_test(test_mmio_reads_and_writes),
        cmocka_unit_test(test_wfi_sleeps_until_halt),
        cmocka_unit_test(test_yield_runs_on_and_wfe_sleeps),
        cmocka_unit_test(test_bitband_on_m3_m4),
        cmocka_unit_test(test_udf_enters_hardfault),
        cmocka_unit_test(test_vc_harderr_and_lockup),
        cmocka_unit_test(test_fault_without_handler_locks_up),
        cmocka_unit_test(test_bus_fault_enters_hardfault),
        cmocka_unit_test(test_svc_and_exception_return),
        cmocka_unit_test(test_fp_context_extended_frame),
        cmocka_unit_test(test_systick_interrupts),
        cmocka_unit_test(test_ring_buffer_loader_runs_while_debugger_writes),
        cmocka_unit_test(test_software_cannot_clear_debugen),
        cmocka_unit_test(test_remap_alias),
        cmocka_unit_test(test_example_blinky),
        cmocka_unit_test(test_speed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
