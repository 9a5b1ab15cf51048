/* F1 flash controller model (RM0008 FPEC), driven like a debugger. */
#include "sim_test.h"

#define FLASH   0x08000000u
#define KEYR    0x40022004u
#define OPTKEYR 0x40022008u
#define SR      0x4002200Cu
#define CR      0x40022010u
#define AR      0x40022014u
#define OBR     0x4002201Cu
#define WRPR    0x40022020u
#define OB      0x1FFFF800u

#define SR_BSY      (1u << 0)
#define SR_PGERR    (1u << 2)
#define SR_WRPRTERR (1u << 4)
#define SR_EOP      (1u << 5)
#define CR_PG       (1u << 0)
#define CR_PER      (1u << 1)
#define CR_MER      (1u << 2)
#define CR_OPTPG    (1u << 4)
#define CR_OPTER    (1u << 5)
#define CR_STRT     (1u << 6)
#define CR_LOCK     (1u << 7)
#define CR_OPTWRE   (1u << 9)

static uint16_t r16(sim_board *b, uint32_t addr)
{
    uint16_t v = 0;
    assert_int_equal(sim_mem_read(b, addr, &v, 2, 2, NULL), SIM_ACC_OK);
    return v;
}

static void unlock(sim_board *b)
{
    assert_int_equal(w32(b, KEYR, 0x45670123), SIM_ACC_OK);
    assert_int_equal(w32(b, KEYR, 0xCDEF89AB), SIM_ACC_OK);
    assert_int_equal(r32(b, CR), 0);
}

static void test_reset_and_ids(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32f103c8");
    assert_int_equal(r32(b, CR), CR_LOCK);
    assert_int_equal(r32(b, SR), 0);
    assert_int_equal(r32(b, OBR) & 3, 0);
    assert_int_equal(r32(b, WRPR), 0xFFFFFFFF);
    assert_int_equal(r32(b, 0xE0042000), 0x20030410);
    assert_int_equal(r16(b, 0x1FFFF7E0), 64);
    assert_int_equal(r32(b, OB) & 0xFFFF, 0x5AA5);
    assert_int_equal(r32(b, 0x40021024) & 0xFF000000u, 0x0C000000u); /* PORRSTF|PINRSTF */
    sim_board_close(b);
}

static void test_unlock_and_wrong_key(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32f103c8");
    unlock(b);
    assert_int_equal(w32(b, CR, CR_LOCK), SIM_ACC_OK);
    assert_int_equal(r32(b, CR), CR_LOCK);
    assert_int_equal(w32(b, KEYR, 0x11111111), SIM_ACC_FAULT);
    assert_int_equal(w32(b, KEYR, 0x45670123), SIM_ACC_FAULT);
    assert_int_equal(r32(b, CR), CR_LOCK);
    sim_nrst_set(b, true);
    sim_nrst_set(b, false);
    assert_true(r32(b, 0x40021024) & (1u << 26)); /* PINRSTF */
    unlock(b);
    sim_board_close(b);
}

static void test_halfword_program(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32f103c8");
    unlock(b);
    assert_int_equal(w32(b, CR, CR_PG), SIM_ACC_OK);
    assert_int_equal(w32(b, FLASH, 0), SIM_ACC_FAULT); /* word access: bus error */
    uint64_t t0 = sim_clock_ns(b);
    assert_int_equal(w16(b, FLASH, 0x1234), SIM_ACC_OK);
    assert_true(r32(b, SR) & SR_BSY);
    sim_clock_advance(b, 52499);
    assert_true(r32(b, SR) & SR_BSY);
    sim_clock_advance(b, 1);
    assert_int_equal(r32(b, SR), SR_EOP);
    assert_int_equal(sim_clock_ns(b) - t0, 52500);
    assert_int_equal(r16(b, FLASH), 0x1234);
    /* Not erased: PGERR, unchanged... */
    assert_int_equal(w32(b, SR, SR_EOP), SIM_ACC_OK);
    assert_int_equal(w16(b, FLASH, 0x0034), SIM_ACC_OK);
    assert_int_equal(r32(b, SR), SR_PGERR);
    assert_int_equal(r16(b, FLASH), 0x1234);
    /* ...except writing 0x0000. */
    assert_int_equal(w32(b, SR, SR_PGERR), SIM_ACC_OK);
    assert_int_equal(w16(b, FLASH, 0x0000), SIM_ACC_OK);
    sim_clock_advance(b, US(60));
    assert_int_equal(r16(b, FLASH), 0);
    assert_int_equal(r32(b, SR), SR_EOP);
    sim_board_close(b);
}

static void test_page_and_mass_erase(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32f103ze");
    unlock(b);
    assert_int_equal(w32(b, CR, CR_PG), SIM_ACC_OK);
    assert_int_equal(w16(b, FLASH + 0x800, 0), SIM_ACC_OK);
    sim_clock_advance(b, US(60));
    assert_int_equal(w16(b, FLASH + 0x1000, 0), SIM_ACC_OK);
    sim_clock_advance(b, US(60));
    /* Page erase of the 2 KiB page at 0x800: 20 ms. */
    assert_int_equal(w32(b, CR, CR_PER), SIM_ACC_OK);
    assert_int_equal(w32(b, AR, FLASH + 0x900), SIM_ACC_OK);
    assert_int_equal(w32(b, CR, CR_PER | CR_STRT), SIM_ACC_OK);
    sim_clock_advance(b, MS(20) - 1);
    assert_true(r32(b, SR) & SR_BSY);
    sim_clock_advance(b, 1);
    assert_int_equal(r32(b, SR), SR_EOP);
    assert_int_equal(r16(b, FLASH + 0x800), 0xFFFF);
    assert_int_equal(r16(b, FLASH + 0x1000), 0); /* next page untouched */
    /* Mass erase: 20 ms. */
    assert_int_equal(w32(b, CR, CR_MER), SIM_ACC_OK);
    assert_int_equal(w32(b, CR, CR_MER | CR_STRT), SIM_ACC_OK);
    sim_clock_advance(b, MS(20));
    assert_int_equal(r32(b, SR) & SR_BSY, 0);
    assert_int_equal(r16(b, FLASH + 0x1000), 0xFFFF);
    assert_int_equal(sim_board_stats(b)->flash_erases, 1);
    assert_int_equal(sim_board_stats(b)->mass_erases, 1);
    sim_board_close(b);
}

static void test_wrp(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32f103c8,wrp=0x1");
    assert_int_equal(r32(b, WRPR), 0xFFFFFFFE);
    unlock(b);
    assert_int_equal(w32(b, CR, CR_PER), SIM_ACC_OK);
    assert_int_equal(w32(b, AR, FLASH + 0xC00), SIM_ACC_OK); /* page 3: first 4 KiB */
    assert_int_equal(w32(b, CR, CR_PER | CR_STRT), SIM_ACC_OK);
    assert_int_equal(r32(b, SR), SR_WRPRTERR);
    assert_int_equal(w32(b, SR, SR_WRPRTERR), SIM_ACC_OK);
    assert_int_equal(w32(b, CR, CR_PG), SIM_ACC_OK);
    assert_int_equal(w16(b, FLASH, 0), SIM_ACC_OK);
    assert_int_equal(r32(b, SR), SR_WRPRTERR);
    assert_int_equal(w16(b, FLASH + 0x1000, 0), SIM_ACC_OK); /* page 4 is free */
    sim_clock_advance(b, US(60));
    assert_int_equal(r16(b, FLASH + 0x1000), 0);
    sim_board_close(b);
}

static void test_rdp_unprotect_mass_erases(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32f103c8,rdp=1");
    uint32_t v;
    assert_int_equal(r32a(b, FLASH, &v), SIM_ACC_FAULT);
    assert_int_equal(r32(b, OBR) & 2, 2); /* RDPRT */
    unlock(b);
    assert_int_equal(w32(b, OPTKEYR, 0x45670123), SIM_ACC_OK);
    assert_int_equal(w32(b, OPTKEYR, 0xCDEF89AB), SIM_ACC_OK);
    assert_int_equal(r32(b, CR), CR_OPTWRE);
    assert_int_equal(w32(b, CR, CR_OPTWRE | CR_OPTER), SIM_ACC_OK);
    assert_int_equal(w32(b, CR, CR_OPTWRE | CR_OPTER | CR_STRT), SIM_ACC_OK);
    sim_clock_advance(b, MS(40));
    assert_int_equal(r32(b, SR), SR_EOP);
    assert_int_equal(r32(b, OB), 0xFFFFFFFF);
    assert_int_equal(w32(b, CR, CR_OPTWRE | CR_OPTPG), SIM_ACC_OK);
    assert_int_equal(w16(b, OB, 0x00A5), SIM_ACC_OK); /* the FPEC adds the complement */
    sim_clock_advance(b, US(60));
    assert_int_equal(r32(b, OB) & 0xFFFF, 0x5AA5);
    /* Programming it again (not erased): PGERR. */
    assert_int_equal(w32(b, SR, SR_EOP), SIM_ACC_OK);
    assert_int_equal(w16(b, OB, 0x00A5), SIM_ACC_OK);
    assert_int_equal(r32(b, SR), SR_PGERR);
    /* The new option bytes load at reset: unprotected, and the flash was mass-erased.
     * USER/DATA/WRP were left erased (0xFF with a 0xFF complement): OPTERR. */
    sim_nrst_set(b, true);
    sim_nrst_set(b, false);
    assert_int_equal(r32(b, OBR) & 3, 1);
    assert_int_equal(r32(b, WRPR), 0xFFFFFFFF);
    assert_int_equal(r32(b, FLASH), 0xFFFFFFFF);
    sim_board_close(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reset_and_ids),
        cmocka_unit_test(test_unlock_and_wrong_key),
        cmocka_unit_test(test_halfword_program),
        cmocka_unit_test(test_page_and_mass_erase),
        cmocka_unit_test(test_wrp),
        cmocka_unit_test(test_rdp_unprotect_mass_erases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
