/* L0 program-memory model (RM0377/RM0367: the L1's interface at 0x40022000): 128-byte pages,
 * 64-byte half pages, NOTZEROERR on a word that is not erased, the shipped option words
 * (nBOOT1 in FLASH_OPTR bit 31), WRP in 4 KiB sectors with cat. 5's WRPROT2 at 0x1FF80010,
 * DEV_ID at 0x40015800, flash size at 0x1FF8007C. */
#include "sim_test.h"

#define FLASH      0x08000000u
#define PECR       0x40022004u
#define PEKEYR     0x4002200Cu
#define PRGKEYR    0x40022010u
#define OPTKEYR    0x40022014u
#define SR         0x40022018u
#define OPTR       0x4002201Cu
#define WRPROT1    0x40022020u
#define WRPROT2    0x40022080u
#define OB         0x1FF80000u
#define PECR_PROG  (1u << 3)
#define PECR_ERASE (1u << 9)
#define PECR_FPRG  (1u << 10)
#define SR_BSY     (1u << 0)
#define SR_EOP     (1u << 1)
#define SR_WRPERR  (1u << 8)
#define SR_PGAERR  (1u << 9)
#define SR_NOTZERO (1u << 16)
#define TPROG      3200000ull

static void unlock_prg(sim_board *b)
{
    assert_int_equal(w32(b, PEKEYR, 0x89ABCDEF), SIM_ACC_OK);
    assert_int_equal(w32(b, PEKEYR, 0x02030405), SIM_ACC_OK);
    assert_int_equal(w32(b, PRGKEYR, 0x8C9DAEBF), SIM_ACC_OK);
    assert_int_equal(w32(b, PRGKEYR, 0x13141516), SIM_ACC_OK);
    assert_int_equal(r32(b, PECR) & 3u, 0);
}

static void test_identity_and_shipped_options(void **state)
{
    (void)state;
    static const struct {
        const char *spec;
        uint32_t dev_id, kb;
    } parts[] = {{"sim:stm32l011k4", 0x457, 16},
                 {"sim:stm32l031k6", 0x425, 32},
                 {"sim:stm32l053r8", 0x417, 64},
                 {"sim:stm32l073rz", 0x447, 192}};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        sim_board *b = open_board(parts[i].spec);
        assert_int_equal(r32(b, 0x40015800) & 0xFFF, parts[i].dev_id);
        assert_int_equal(r32(b, 0x1FF8007C) & 0xFFFF, parts[i].kb);
        assert_int_equal(r32(b, PECR), 7u); /* PELOCK, PRGLOCK, OPTLOCK */
        assert_int_equal(r32(b, FLASH), 0); /* erases to zero, as the L1 */
        /* RDP 0xAA; USER 0x8070: WDG_SW, nRST_STOP, nRST_STDBY, nBOOT1, BOR off */
        assert_int_equal(r32(b, OPTR), 0x807000AAu);
        assert_int_equal(r32(b, OB + 4), 0x7F8F8070u);
        sim_board_close(b);
    }
}

static void test_half_page_is_64_bytes(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32l053r8");
    unlock_prg(b);
    assert_int_equal(w32(b, PECR, PECR_FPRG | PECR_PROG), SIM_ACC_OK);
    uint32_t words[16];
    for (int i = 0; i < 16; i++)
        words[i] = 0x01010101u * (uint32_t)(i + 1);
    assert_int_equal(sim_mem_write(b, FLASH + 0x40, words, 15 * 4, 4, NULL), SIM_ACC_OK);
    assert_int_equal(r32(b, SR) & SR_BSY, 0); /* nothing before the 16th word */
    assert_int_equal(w32(b, FLASH + 0x40 + 15 * 4, words[15]), SIM_ACC_OK);
    assert_true(r32(b, SR) & SR_BSY);
    sim_clock_advance(b, TPROG);
    assert_int_equal(r32(b, SR) & (SR_BSY | SR_EOP), SR_EOP);
    assert_int_equal(r32(b, FLASH + 0x40), 0x01010101u);
    assert_int_equal(r32(b, FLASH + 0x7C), 0x10101010u);
    /* the next half page starts at 0x80: a word there after 0x40.. belongs to another one */
    assert_int_equal(w32(b, FLASH + 0x100, 1), SIM_ACC_OK);
    assert_int_equal(w32(b, FLASH + 0x140, 1), SIM_ACC_OK);
    assert_true(r32(b, SR) & SR_PGAERR);
    sim_board_close(b);
}

static void test_not_zero_and_page_erase(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32l031k6");
    unlock_prg(b);
    assert_int_equal(w32(b, FLASH + 0x84, 0x00F0000F), SIM_ACC_OK);
    sim_clock_advance(b, TPROG);
    assert_int_equal(r32(b, FLASH + 0x84), 0x00F0000F);
    /* a word that is not zero is not programmed again (the L1 would OR the bits in) */
    assert_int_equal(w32(b, SR, SR_EOP), SIM_ACC_OK);
    assert_int_equal(w32(b, FLASH + 0x84, 0x0F000000), SIM_ACC_OK);
    assert_int_equal(r32(b, SR) & (SR_NOTZERO | SR_BSY), SR_NOTZERO);
    sim_clock_advance(b, TPROG);
    assert_int_equal(r32(b, FLASH + 0x84), 0x00F0000F);
    assert_int_equal(w32(b, SR, SR_NOTZERO), SIM_ACC_OK);
    assert_int_equal(r32(b, SR) & SR_NOTZERO, 0);
    /* page erase covers 128 bytes: 0x80..0xFF, not 0x100 */
    assert_int_equal(w32(b, FLASH + 0x100, 0x5A5A5A5A), SIM_ACC_OK);
    sim_clock_advance(b, TPROG);
    assert_int_equal(w32(b, PECR, PECR_ERASE | PECR_PROG), SIM_ACC_OK);
    assert_int_equal(w32(b, FLASH + 0x80, 0), SIM_ACC_OK);
    sim_clock_advance(b, TPROG);
    assert_int_equal(r32(b, FLASH + 0x84), 0);
    assert_int_equal(r32(b, FLASH + 0x100), 0x5A5A5A5Au);
    sim_board_close(b);
}

static void test_wrp_sectors_cat5(void **state)
{
    (void)state;
    /* sector 40 (0x08028000, bank 2) is bit 8 of WRPROT2, held at 0x1FF80010 */
    sim_board *b = open_board("sim:stm32l073rz,wrp=0x10000000002");
    assert_int_equal(r32(b, WRPROT1), 2u);
    assert_int_equal(r32(b, WRPROT2), 1u << 8);
    assert_int_equal(r32(b, OB + 0x10), 0xFEFF0100u);
    unlock_prg(b);
    assert_int_equal(w32(b, FLASH + 0x1000, 1), SIM_ACC_OK);
    assert_true(r32(b, SR) & SR_WRPERR);
    assert_int_equal(w32(b, SR, SR_WRPERR), SIM_ACC_OK);
    assert_int_equal(w32(b, FLASH + 0x28000, 1), SIM_ACC_OK);
    assert_true(r32(b, SR) & SR_WRPERR);
    assert_int_equal(w32(b, SR, SR_WRPERR), SIM_ACC_OK);
    assert_int_equal(w32(b, FLASH + 0x29000, 1), SIM_ACC_OK);
    sim_clock_advance(b, TPROG);
    assert_int_equal(r32(b, FLASH + 0x29000), 1u);
    sim_board_close(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity_and_shipped_options),
        cmocka_unit_test(test_half_page_is_64_bytes),
        cmocka_unit_test(test_not_zero_and_page_erase),
        cmocka_unit_test(test_wrp_sectors_cat5),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
