/* L1 program-memory model (RM0038): PECR keys, word/half-page program, page erase, cells
 * that erase to zero, WRP, RDP regression through the option bytes and OBL_LAUNCH. */
#include "sim_test.h"

#define FLASH   0x08000000u
#define PECR    0x40023C04u
#define PEKEYR  0x40023C0Cu
#define PRGKEYR 0x40023C10u
#define OPTKEYR 0x40023C14u
#define SR      0x40023C18u
#define OBR     0x40023C1Cu
#define WRPR1   0x40023C20u
#define OB      0x1FF80000u

#define PECR_PELOCK  (1u << 0)
#define PECR_PRGLOCK (1u << 1)
#define PECR_OPTLOCK (1u << 2)
#define PECR_PROG    (1u << 3)
#define PECR_ERASE   (1u << 9)
#define PECR_FPRG    (1u << 10)
#define PECR_OBL     (1u << 18)
#define SR_BSY       (1u << 0)
#define SR_EOP       (1u << 1)
#define SR_ENDHV     (1u << 2)
#define SR_READY     (1u << 3)
#define SR_WRPERR    (1u << 8)
#define SR_PGAERR    (1u << 9)
#define SR_SIZERR    (1u << 10)
#define TPROG        3280000ull

static void unlock_prg(sim_board *b)
{
    assert_int_equal(w32(b, PEKEYR, 0x89ABCDEF), SIM_ACC_OK);
    assert_int_equal(w32(b, PEKEYR, 0x02030405), SIM_ACC_OK);
    assert_int_equal(r32(b, PECR) & PECR_PELOCK, 0);
    assert_int_equal(w32(b, PRGKEYR, 0x8C9DAEBF), SIM_ACC_OK);
    assert_int_equal(w32(b, PRGKEYR, 0x13141516), SIM_ACC_OK);
    assert_int_equal(r32(b, PECR), PECR_OPTLOCK);
}

static void test_reset_state(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32l151cb");
    assert_int_equal(r32(b, PECR), PECR_PELOCK | PECR_PRGLOCK | PECR_OPTLOCK);
    assert_int_equal(r32(b, SR), SR_ENDHV | SR_READY);
    assert_int_equal(r32(b, FLASH), 0); /* L1 flash erases to zero */
    assert_int_equal(r32(b, OBR) & 0xFF, 0xAA);
    assert_int_equal(r32(b, 0x1FF8004C) & 0xFF, 128);
    assert_int_equal(r32(b, 0xE0042000) & 0xFFF, 0x429);
    sim_board_close(b);
}

static void test_keys_and_lockout(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32l151cb");
    /* PRGKEYR before PEKEYR: wrong sequence. */
    assert_int_equal(w32(b, PRGKEYR, 0x8C9DAEBF), SIM_ACC_FAULT);
    assert_int_equal(w32(b, PEKEYR, 0x89ABCDEF), SIM_ACC_FAULT);
    assert_int_equal(r32(b, PECR) & PECR_PELOCK, PECR_PELOCK);
    sim_nrst_set(b, true);
    sim_nrst_set(b, false);
    unlock_prg(b);
    assert_int_equal(w32(b, PECR, PECR_PELOCK), SIM_ACC_OK);
    assert_int_equal(r32(b, PECR), PECR_PELOCK | PECR_PRGLOCK | PECR_OPTLOCK);
    sim_board_close(b);
}

static void test_word_program_and_page_erase(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32l151cb");
    unlock_prg(b);
    uint64_t t0 = sim_clock_ns(b);
    assert_int_equal(w32(b, FLASH + 0x104, 0x00F0000F), SIM_ACC_OK);
    assert_int_equal(r32(b, SR) & (SR_BSY | SR_ENDHV), SR_BSY);
    sim_clock_advance(b, TPROG - 1);
    assert_true(r32(b, SR) & SR_BSY);
    sim_clock_advance(b, 1);
    assert_int_equal(r32(b, SR), SR_EOP | SR_ENDHV | SR_READY);
    assert_int_equal(sim_clock_ns(b) - t0, TPROG);
    assert_int_equal(r32(b, FLASH + 0x104), 0x00F0000F);
    /* Programming only sets bits on this flash. */
    assert_int_equal(w32(b, FLASH + 0x104, 0x0F000000), SIM_ACC_OK);
    sim_clock_advance(b, TPROG);
    assert_int_equal(r32(b, FLASH + 0x104), 0x0FF0000F);
    /* Half-word access: SIZERR. */
    assert_int_equal(w16(b, FLASH + 0x200, 0x1111), SIM_ACC_OK);
    assert_int_equal(r32(b, SR) & SR_SIZERR, SR_SIZERR);
    assert_int_equal(w32(b, SR, SR_SIZERR | SR_EOP), SIM_ACC_OK);
    /* Page erase: ERASE|PROG, then a word written into the page. */
    assert_int_equal(w32(b, PECR, PECR_ERASE | PECR_PROG), SIM_ACC_OK);
    assert_int_equal(w32(b, FLASH + 0x100, 0), SIM_ACC_OK);
    sim_clock_advance(b, TPROG);
    assert_int_equal(r32(b, FLASH + 0x104), 0);
    assert_int_equal(sim_board_stats(b)->flash_erases, 1);
    sim_board_close(b);
}

static void test_half_page(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32l152re");
    unlock_prg(b);
    assert_int_equal(w32(b, PECR, PECR_FPRG | PECR_PROG), SIM_ACC_OK);
    uint32_t words[32];
    for (int i = 0; i < 32; i++)
        words[i] = 0x01010101u * (uint32_t)(i + 1);
    assert_int_equal(sim_mem_write(b, FLASH + 0x80, words, 31 * 4, 4, NULL), SIM_ACC_OK);
    assert_int_equal(r32(b, SR) & SR_BSY, 0); /* nothing starts before the 32nd word */
    assert_int_equal(w32(b, FLASH + 0x80 + 31 * 4, words[31]), SIM_ACC_OK);
    assert_true(r32(b, SR) & SR_BSY);
    sim_clock_advance(b, TPROG);
    assert_int_equal(r32(b, FLASH + 0x80), 0x01010101u);
    assert_int_equal(r32(b, FLASH + 0xFC), 0x20202020u);
    assert_int_equal(sim_board_stats(b)->flash_programs, 1);
    /* A word outside the half-page being filled: PGAERR. */
    assert_int_equal(w32(b, FLASH + 0x100, 1), SIM_ACC_OK);
    assert_int_equal(w32(b, FLASH + 0x180, 1), SIM_ACC_OK);
    assert_true(r32(b, SR) & SR_PGAERR);
    sim_board_close(b);
}

static void test_wrp(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32l151cb,wrp=0x2");
    assert_int_equal(r32(b, WRPR1), 2);
    unlock_prg(b);
    assert_int_equal(w32(b, FLASH + 0x1000, 1), SIM_ACC_OK); /* 4 KiB sector 1 */
    assert_int_equal(r32(b, SR) & SR_WRPERR, SR_WRPERR);
    assert_int_equal(w32(b, FLASH + 0x2000, 1), SIM_ACC_OK);
    sim_clock_advance(b, TPROG);
    assert_int_equal(r32(b, FLASH + 0x2000), 1);
    assert_int_equal(r32(b, FLASH + 0x1000), 0);
    sim_board_close(b);
}

static void test_rdp_regression_and_obl_launch(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32l151cb,rdp=1");
    uint32_t v;
    assert_int_equal(r32a(b, FLASH, &v), SIM_ACC_FAULT);
    assert_int_equal(w32(b, PEKEYR, 0x89ABCDEF), SIM_ACC_OK);
    assert_int_equal(w32(b, PEKEYR, 0x02030405), SIM_ACC_OK);
    assert_int_equal(w32(b, OPTKEYR, 0xFBEAD9C8), SIM_ACC_OK);
    assert_int_equal(w32(b, OPTKEYR, 0x24252627), SIM_ACC_OK);
    assert_int_equal(r32(b, PECR) & PECR_OPTLOCK, 0);
    assert_int_equal(w32(b, OB, 0xFF5500AA), SIM_ACC_OK);
    sim_clock_advance(b, MS(2000));
    assert_int_equal(r32(b, SR) & SR_BSY, 0);
    assert_int_equal(w32(b, 0x40023834, 1u << 24), SIM_ACC_OK); /* RMVF */
    assert_int_equal(w32(b, PECR, PECR_OBL), SIM_ACC_OK);       /* reload + reset */
    assert_true(r32(b, 0x40023834) & (1u << 25));               /* OBLRSTF */
    assert_int_equal(r32(b, OBR) & 0xFF, 0xAA);
    assert_int_equal(r32(b, FLASH), 0);
    assert_int_equal(r32(b, PECR), PECR_PELOCK | PECR_PRGLOCK | PECR_OPTLOCK);
    sim_board_close(b);
}

static void test_option_word_without_complement(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32l151cb");
    assert_int_equal(w32(b, PEKEYR, 0x89ABCDEF), SIM_ACC_OK);
    assert_int_equal(w32(b, PEKEYR, 0x02030405), SIM_ACC_OK);
    assert_int_equal(w32(b, OPTKEYR, 0xFBEAD9C8), SIM_ACC_OK);
    assert_int_equal(w32(b, OPTKEYR, 0x24252627), SIM_ACC_OK);
    /* WRP1 word whose upper half is not the complement: OPTVERR after the reload. */
    assert_int_equal(w32(b, OB + 8, 0x00000001), SIM_ACC_OK);
    sim_clock_advance(b, MS(4));
    assert_int_equal(w32(b, PECR, PECR_OBL), SIM_ACC_OK);
    assert_true(r32(b, SR) & (1u << 11)); /* OPTVERR */
    assert_int_equal(w32(b, SR, 1u << 11), SIM_ACC_OK);
    assert_int_equal(r32(b, SR) & (1u << 11), 0);
    /* Option words are 32-bit only. */
    assert_int_equal(w32(b, PEKEYR, 0x89ABCDEF), SIM_ACC_OK);
    assert_int_equal(w32(b, PEKEYR, 0x02030405), SIM_ACC_OK);
    assert_int_equal(w32(b, OPTKEYR, 0xFBEAD9C8), SIM_ACC_OK);
    assert_int_equal(w32(b, OPTKEYR, 0x24252627), SIM_ACC_OK);
    assert_int_equal(w16(b, OB + 8, 0), SIM_ACC_OK);
    assert_true(r32(b, SR) & SR_SIZERR);
    sim_board_close(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reset_state),
        cmocka_unit_test(test_keys_and_lockout),
        cmocka_unit_test(test_word_program_and_page_erase),
        cmocka_unit_test(test_half_page),
        cmocka_unit_test(test_wrp),
        cmocka_unit_test(test_rdp_regression_and_obl_launch),
        cmocka_unit_test(test_option_word_without_complement),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
