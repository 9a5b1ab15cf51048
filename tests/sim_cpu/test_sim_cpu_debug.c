/* The virtual Cortex-M core (sim/cpu*.c) against a fake board, debug side: run/halt/step,
 * register transfer, reset and vector catch, SYSRESETREQ/VECTRESET, BKPT, FPB, DWT and
 * CYCCNT. Programs: progs.S (assembled at build time). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "fake_board.h"

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

/* Unicorn gates MSP/PSP/PRIMASK... on the current privilege; the debugger must not be. */
static void test_registers_of_unprivileged_thread_on_psp(void **state)
{
    fake_board *b = fb_new(STP_CORE_M4);
    fb_start(b, fb_prog(b, P_UNPRIV));
    fb_run_until_halt(b, 1000);
    assert_true(sim_cpu_halted(b->cpu));
    assert_int_equal(fb_reg(b, 5), 1);            /* the SVC handler ran */
    assert_int_equal(fb_reg(b, 8), 0xFFFFFFFDu);  /* EXC_RETURN: thread, PSP */
    assert_int_equal(fb_reg(b, 20) >> 24, 3);     /* back unprivileged on PSP */
    assert_int_equal(fb_reg(b, 18), 0x20006000u); /* PSP */
    assert_int_equal(fb_reg(b, 17), 0x20008000u); /* MSP */
    assert_int_equal(fb_reg(b, 13), 0x20006000u); /* SP = PSP */
    fb_set_reg(b, 17, 0x20007000u);
    assert_int_equal(fb_reg(b, 17), 0x20007000u);
    assert_int_equal(fb_reg(b, 13), 0x20006000u);
    fb_set_reg(b, 20, 0x00000001u | (3u << 24)); /* PRIMASK while unprivileged */
    assert_int_equal(fb_reg(b, 20), 0x03000001u);
    fb_set_reg(b, 20, 0); /* privileged, back on MSP */
    assert_int_equal(fb_reg(b, 13), 0x20007000u);
    assert_int_equal(fb_reg(b, 18), 0x20006000u);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reset_fetches_vectors),
        cmocka_unit_test(test_halt_and_resume),
        cmocka_unit_test(test_step_one_instruction),
        cmocka_unit_test(test_register_transfer),
        cmocka_unit_test(test_registers_of_unprivileged_thread_on_psp),
        cmocka_unit_test(test_vector_catch_and_sysresetreq),
        cmocka_unit_test(test_sysresetreq_from_firmware),
        cmocka_unit_test(test_vectreset_core_only),
        cmocka_unit_test(test_bkpt_halts_when_debug_enabled),
        cmocka_unit_test(test_bkpt_without_debug_is_hardfault),
        cmocka_unit_test(test_fpb_breakpoint),
        cmocka_unit_test(test_dwt_watchpoint),
        cmocka_unit_test(test_cyccnt_counts_instructions),
        cmocka_unit_test(test_software_cannot_clear_debugen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
