/* The virtual Cortex-M core (sim/cpu*.c) against a fake board: the Thumb state and the
 * interworking branches. A BX/BLX to an even address faults with INVSTATE on the next
 * instruction; the BXNS/BLXNS encodings (BLX r8 with bit 2 set, 0x47C4, as random bytes in
 * a corrupted image give) run as BX/BLX on v6-M/v7-M and no longer leave Unicorn in a
 * Non-secure state where every fetch aborted (a debugger could then not run a RAM loader:
 * the L152 e2e write failure). The programs are written into the fake board's flash and
 * SRAM by the tests themselves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fake_board.h"

#define CFSR_INVSTATE   (1u << 17)
#define CFSR_UNDEFINSTR (1u << 16)
#define HFSR_FORCED     (1u << 30)
#define DFSR_BKPT       (1u << 1)

#define RESET_HANDLER 0x300u  /* progs.S's reset handler, overwritten by the tests */
#define SRAM_CODE     0x1000u /* offset of the "RAM loader" in SRAM */

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static uint32_t sram32(fake_board *b, uint32_t addr)
{
    const uint8_t *p = b->sram + (addr - FB_SRAM);
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The reset handler of progs.S replaced by: movs r4, #0; strh r2, [r4, #24]; <branch>,
 * with r8 = 0 from reset (the bytes the L152 board ran). The "loader" in SRAM:
 * movs r1, #0x42; bkpt. Power-on reset with debug enabled, run. */
static fake_board *board_branching_to_zero(stp_core_kind core, uint16_t branch)
{
    fake_board *b = fb_new(core);
    put16(b->flash + RESET_HANDLER, 0x2400);
    put16(b->flash + RESET_HANDLER + 2, 0x8322);
    put16(b->flash + RESET_HANDLER + 4, branch);
    sim_cpu_mem_changed(b->cpu, FB_FLASH, 0x400);
    put16(b->sram + SRAM_CODE, 0x2142);
    put16(b->sram + SRAM_CODE + 2, 0xBE00);
    sim_cpu_mem_changed(b->cpu, FB_SRAM + SRAM_CODE, 4);
    sim_cpu_reset(b->cpu, true, 0);
    fb_wr(b, DHCSR, 0xA05F0001u);
    sim_cpu_run(b->cpu, 1000);
    return b;
}

/* What stprog does before its flash loader: halt, R0, SP, LR, PC, xPSR, resume. */
static void debugger_runs_sram_code(fake_board *b)
{
    fb_halt(b);
    assert_true(sim_cpu_halted(b->cpu));
    assert_false(fb_rd(b, DHCSR) & S_LOCKUP);
    fb_set_reg(b, 0, 0);
    fb_set_reg(b, 13, FB_SRAM + 0x400);
    fb_set_reg(b, 14, 0xFFFFFFFFu);
    fb_set_reg(b, 15, FB_SRAM + SRAM_CODE);
    fb_set_reg(b, 16, 0x01000000u);
    fb_resume(b);
    fb_run_until_halt(b, 10000);
    assert_true(sim_cpu_halted(b->cpu));
    assert_true(fb_rd(b, DFSR) & DFSR_BKPT);
    assert_int_equal(fb_reg(b, 15), FB_SRAM + SRAM_CODE + 2);
    assert_int_equal(fb_reg(b, 1), 0x42);
}

/* BLX r8 (0x47C0) and the BLXNS r8 encoding (0x47C4) to address 0 from the reset handler:
 * INVSTATE (escalated to HardFault on v7-M), the frame on the reset MSP with the branch
 * target as PC and T clear, the return address in the stacked LR; then the debugger runs
 * code in SRAM. Before the fix BLXNS left MSP reading 0, locked up, and every later fetch
 * (the SRAM code, the HardFault handler) aborted with IBUSERR. */
static void test_blx_to_zero_then_debugger_runs_sram(void **state)
{
    const stp_core_kind cores[] = {STP_CORE_M0, STP_CORE_M3, STP_CORE_M4, STP_CORE_M7};
    const uint16_t branches[] = {0x47C0, 0x47C4};
    for (size_t c = 0; c < 4; c++) {
        for (size_t k = 0; k < 2; k++) {
            fake_board *b = board_branching_to_zero(cores[c], branches[k]);
            assert_false(sim_cpu_lockup(b->cpu));
            assert_int_equal(sim_cpu_reg(b->cpu, 7), 0xEE); /* in progs.S's HardFault loop */
            assert_int_equal(sim_cpu_reg(b->cpu, 16) & 0x1FF, 3);
            if (cores[c] != STP_CORE_M0) {
                assert_int_equal(fb_rd(b, CFSR), CFSR_INVSTATE);
                assert_int_equal(fb_rd(b, HFSR), HFSR_FORCED);
            }
            uint32_t sp = sim_cpu_reg(b->cpu, 17);
            assert_int_equal(sp, 0x20008000u - 32);
            assert_int_equal(sram32(b, sp + 20), RESET_HANDLER + 6 + 1); /* LR: after the BLX */
            assert_int_equal(sram32(b, sp + 24), 0);                     /* PC: the target */
            assert_int_equal(sram32(b, sp + 28) & (1u << 24), 0);        /* xPSR.T clear */
            debugger_runs_sram_code(b);
            fb_free(b);
        }
    }
}

/* BX to an even address in SRAM (0x4720: bx r4) faults with INVSTATE too. */
static void test_bx_to_even_address_is_invstate(void **state)
{
    fake_board *b = fb_new(STP_CORE_M4);
    put16(b->sram + SRAM_CODE, 0x4720);
    sim_cpu_mem_changed(b->cpu, FB_SRAM + SRAM_CODE, 2);
    fb_start(b, FB_SRAM + SRAM_CODE);
    fb_halt(b);
    fb_set_reg(b, 4, FB_SRAM + 0x2000);
    fb_wr(b, DHCSR, 0xA05F0000u);
    sim_cpu_run(b->cpu, 1000);
    assert_int_equal(sim_cpu_reg(b->cpu, 7), 0xEE);
    assert_int_equal(fb_rd(b, CFSR), CFSR_INVSTATE);
    uint32_t sp = sim_cpu_reg(b->cpu, 17);
    assert_int_equal(sram32(b, sp + 24), FB_SRAM + 0x2000);
    assert_int_equal(sram32(b, sp + 28) & (1u << 24), 0);
    fb_free(b);
}

/* BXNS/BLXNS encodings to odd addresses branch like BX/BLX, single-stepped (first, before
 * the run saw them) and run, and nothing is pushed below SP (Unicorn's Secure-call
 * frame). */
static void test_bxns_encodings_branch_like_bx(void **state)
{
    fake_board *b = fb_new(STP_CORE_M3);
    uint8_t *p = b->sram + SRAM_CODE;
    put16(p, 0x47A4);         /* BLXNS r4 -> +0x100 */
    put16(p + 2, 0xBE01);     /* bkpt #1: not reached */
    put16(p + 0x100, 0x2142); /* movs r1, #0x42 */
    put16(p + 0x102, 0x4734); /* BXNS r6 -> +0x200 */
    put16(p + 0x200, 0x2243); /* movs r2, #0x43 */
    put16(p + 0x202, 0xBE00); /* bkpt */
    sim_cpu_mem_changed(b->cpu, FB_SRAM + SRAM_CODE, 0x204);
    memset(b->sram + 0x7F00, 0xA5, 0x100);
    fb_start(b, FB_SRAM + SRAM_CODE);
    fb_halt(b);
    fb_set_reg(b, 4, FB_SRAM + SRAM_CODE + 0x101);
    fb_set_reg(b, 6, FB_SRAM + SRAM_CODE + 0x201);
    uint32_t expect[] = {SRAM_CODE + 0x100, SRAM_CODE + 0x102, SRAM_CODE + 0x200};
    for (int i = 0; i < 3; i++) {
        fb_wr(b, DHCSR, 0xA05F0005u); /* C_DEBUGEN | C_STEP */
        assert_true(fb_rd(b, DHCSR) & S_HALT);
        assert_int_equal(fb_reg(b, 15), FB_SRAM + expect[i]);
        assert_int_equal(fb_reg(b, 16) & (1u << 24), 1u << 24);
    }
    assert_int_equal(fb_reg(b, 1), 0x42);
    assert_int_equal(fb_reg(b, 14), FB_SRAM + SRAM_CODE + 3);
    /* the same, run */
    fb_set_reg(b, 1, 0);
    fb_set_reg(b, 14, 0);
    fb_set_reg(b, 15, FB_SRAM + SRAM_CODE);
    fb_resume(b);
    fb_run_until_halt(b, 10000);
    assert_true(fb_rd(b, DFSR) & DFSR_BKPT);
    assert_int_equal(fb_reg(b, 15), FB_SRAM + SRAM_CODE + 0x202);
    assert_int_equal(fb_reg(b, 1), 0x42);
    assert_int_equal(fb_reg(b, 2), 0x43);
    assert_int_equal(fb_reg(b, 14), FB_SRAM + SRAM_CODE + 3);
    assert_int_equal(fb_reg(b, 13), 0x20008000u);
    for (unsigned i = 0x7F00; i < 0x8000; i++)
        assert_int_equal(b->sram[i], 0xA5);
    fb_free(b);
}

/* A BLXNS overwritten after it ran: the new instruction runs (no stale exit or branch). */
static void test_changed_code_after_a_blxns(void **state)
{
    fake_board *b = fb_new(STP_CORE_M4);
    uint8_t *p = b->sram + SRAM_CODE;
    put16(p, 0x47A4);     /* BLXNS r4 */
    put16(p + 2, 0xBE00); /* bkpt */
    sim_cpu_mem_changed(b->cpu, FB_SRAM + SRAM_CODE, 4);
    fb_start(b, FB_SRAM + SRAM_CODE);
    fb_halt(b);
    fb_set_reg(b, 4, FB_SRAM + SRAM_CODE + 3); /* the bkpt */
    fb_resume(b);
    fb_run_until_halt(b, 1000);
    assert_int_equal(fb_reg(b, 15), FB_SRAM + SRAM_CODE + 2);
    put16(p, 0x2177); /* movs r1, #0x77 */
    sim_cpu_mem_changed(b->cpu, FB_SRAM + SRAM_CODE, 2);
    fb_set_reg(b, 15, FB_SRAM + SRAM_CODE);
    fb_resume(b);
    fb_run_until_halt(b, 1000);
    assert_int_equal(fb_reg(b, 15), FB_SRAM + SRAM_CODE + 2);
    assert_int_equal(fb_reg(b, 1), 0x77);
    fb_free(b);
}

/* BXNS/BLXNS as the last instruction of an IT block: skipped when the condition fails,
 * taken when it passes (Unicorn does not stop at a code hook inside an IT block; the run
 * must end right before the instruction). A debugger's xPSR write sets EPSR.IT too. */
static void test_bxns_in_it_block(void **state)
{
    fake_board *b = fb_new(STP_CORE_M4);
    uint8_t *p = b->sram + SRAM_CODE;
    put16(p, 0x4280);         /* cmp r0, r0: Z set */
    put16(p + 2, 0xBF18);     /* it ne */
    put16(p + 4, 0x47A4);     /* BLXNS r4: skipped */
    put16(p + 6, 0xBF08);     /* it eq */
    put16(p + 8, 0x47A4);     /* BLXNS r4: taken */
    put16(p + 10, 0xBE01);    /* bkpt #1: not reached */
    put16(p + 0x100, 0x2142); /* movs r1, #0x42 */
    put16(p + 0x102, 0xBE00); /* bkpt */
    sim_cpu_mem_changed(b->cpu, FB_SRAM + SRAM_CODE, 0x104);
    fb_start(b, FB_SRAM + SRAM_CODE);
    fb_halt(b);
    fb_set_reg(b, 4, FB_SRAM + SRAM_CODE + 0x101);
    fb_resume(b);
    fb_run_until_halt(b, 10000);
    assert_true(fb_rd(b, DFSR) & DFSR_BKPT);
    assert_int_equal(fb_reg(b, 15), FB_SRAM + SRAM_CODE + 0x102);
    assert_int_equal(fb_reg(b, 1), 0x42);
    assert_int_equal(fb_reg(b, 14), FB_SRAM + SRAM_CODE + 11);
    assert_int_equal(fb_reg(b, 16) & 0x0600FC00u, 0);
    /* halted inside an IT block, the debugger's xPSR write leaves it */
    fb_set_reg(b, 15, FB_SRAM + SRAM_CODE + 4);
    fb_set_reg(b, 16, 0x01000000u | (0x1u << 10) | (0x1u << 12) | (0x1u << 11)); /* IT ne, last */
    assert_int_equal(fb_reg(b, 16) & 0x0600FC00u, 0x1C00u);
    fb_set_reg(b, 1, 0);
    fb_set_reg(b, 15, FB_SRAM + SRAM_CODE + 0x100);
    fb_set_reg(b, 16, 0x01000000u);
    assert_int_equal(fb_reg(b, 16) & 0x0600FC00u, 0);
    fb_resume(b);
    fb_run_until_halt(b, 10000);
    assert_int_equal(fb_reg(b, 1), 0x42);
    fb_free(b);
}

/* v8-M (M33, modelled without the Security Extension): BXNS/BLXNS are UNDEFINED. */
static void test_bxns_undefined_on_v8m(void **state)
{
    fake_board *b = fb_new(STP_CORE_M33);
    put16(b->sram + SRAM_CODE, 0x47A4); /* BLXNS r4 */
    sim_cpu_mem_changed(b->cpu, FB_SRAM + SRAM_CODE, 2);
    fb_start(b, FB_SRAM + SRAM_CODE);
    fb_halt(b);
    fb_set_reg(b, 4, FB_SRAM + 0x2001);
    fb_wr(b, DHCSR, 0xA05F0000u);
    sim_cpu_run(b->cpu, 1000);
    assert_int_equal(sim_cpu_reg(b->cpu, 7), 0xEE);
    assert_int_equal(fb_rd(b, CFSR), CFSR_UNDEFINSTR);
    uint32_t sp = sim_cpu_reg(b->cpu, 17);
    assert_int_equal(sram32(b, sp + 24), FB_SRAM + SRAM_CODE); /* PC: the BLXNS */
    assert_int_equal(sram32(b, sp + 20), 0xFFFFFFFFu);         /* LR: unchanged */
    fb_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blx_to_zero_then_debugger_runs_sram),
        cmocka_unit_test(test_bx_to_even_address_is_invstate),
        cmocka_unit_test(test_bxns_encodings_branch_like_bx),
        cmocka_unit_test(test_changed_code_after_a_blxns),
        cmocka_unit_test(test_bxns_in_it_block),
        cmocka_unit_test(test_bxns_undefined_on_v8m),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
