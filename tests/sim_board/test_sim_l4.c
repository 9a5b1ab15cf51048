/* L4-style flash model (RM0351 L4, RM0444 G0, RM0440 G4): keys and lockout, double-word
 * programming and its errors (PGAERR, SIZERR, PGSERR, PROGERR, WRPERR), page and mass erase
 * on the virtual clock with the datasheet timings, WRP areas and RDP through OPTR/WRPxR,
 * OPTSTRT and OBL_LAUNCH, L476 bank 2 (BKER). */
#include <string.h>

#include "sim_test.h"

#define FLASH   0x08000000u
#define KEYR    0x40022008u
#define OPTKEYR 0x4002200Cu
#define SR      0x40022010u
#define CR      0x40022014u
#define OPTR    0x40022020u
#define WRP1AR  0x4002202Cu
#define WRP1BR  0x40022030u
#define WRP2AR  0x4002204Cu
#define OB      0x1FFF7800u

#define SR_EOP     (1u << 0)
#define SR_PROGERR (1u << 3)
#define SR_WRPERR  (1u << 4)
#define SR_PGAERR  (1u << 5)
#define SR_SIZERR  (1u << 6)
#define SR_PGSERR  (1u << 7)
#define SR_BSY     (1u << 16)
#define SR_CFGBSY  (1u << 18)
#define SR_ALL     0x0000C3FBu

#define CR_PG      (1u << 0)
#define CR_PER     (1u << 1)
#define CR_MER1    (1u << 2)
#define CR_BKER    (1u << 11)
#define CR_MER2    (1u << 15)
#define CR_STRT    (1u << 16)
#define CR_OPTSTRT (1u << 17)
#define CR_OBL     (1u << 27)
#define CR_OPTLOCK (1u << 30)
#define CR_LOCK    (1u << 31)

/* Datasheet timings in the chip rows: DS12232 (G071) tprog 85 us, page erase 22 ms, mass
 * erase 22 ms; DS10198 (L476) page erase 22.02 ms. */
#define G0_TPROG US(85)
#define G0_TPAGE MS(22)
#define G0_TMASS MS(22)

static void unlock(sim_board *b)
{
    assert_int_equal(w32(b, KEYR, 0x45670123), SIM_ACC_OK);
    assert_int_equal(w32(b, KEYR, 0xCDEF89AB), SIM_ACC_OK);
    assert_int_equal(r32(b, CR), CR_OPTLOCK);
}

static void unlock_opt(sim_board *b)
{
    unlock(b);
    assert_int_equal(w32(b, OPTKEYR, 0x08192A3B), SIM_ACC_OK);
    assert_int_equal(w32(b, OPTKEYR, 0x4C5D6E7F), SIM_ACC_OK);
    assert_int_equal(r32(b, CR), 0);
}

static void wait_idle(sim_board *b)
{
    for (int i = 0; i < 100000 && (r32(b, SR) & SR_BSY); i++)
        sim_clock_advance(b, US(100));
    assert_int_equal(r32(b, SR) & SR_BSY, 0);
}

static void program_dw(sim_board *b, uint32_t addr, uint32_t lo, uint32_t hi)
{
    assert_int_equal(w32(b, addr, lo), SIM_ACC_OK);
    assert_int_equal(w32(b, addr + 4, hi), SIM_ACC_OK);
    wait_idle(b);
}

static void test_reset_state(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32g071rb");
    assert_int_equal(r32(b, CR), CR_LOCK | CR_OPTLOCK);
    assert_int_equal(r32(b, SR), 0);
    assert_int_equal(r32(b, FLASH), 0xFFFFFFFFu);
    assert_int_equal(r32(b, OPTR), 0xFFFFFEAAu); /* RM0444 factory value */
    assert_int_equal(r32(b, OB), 0xFFFFFEAAu);
    assert_int_equal(r32(b, OB + 4), 0x00000155u); /* complement */
    assert_int_equal(r32(b, 0x1FFF75E0) & 0xFFFF, 128);
    assert_int_equal(r32(b, 0x40015800) & 0xFFF, 0x460); /* M0+: DBGMCU on the APB */
    sim_board_close(b);

    b = open_board("sim:stm32l476rg");
    assert_int_equal(r32(b, OPTR), 0xFFEFF8AAu); /* RM0351 factory value */
    assert_int_equal(r32(b, 0xE0042000) & 0xFFF, 0x415);
    assert_int_equal(r32(b, 0x1FFF75E0) & 0xFFFF, 1024);
    sim_board_close(b);
}

static void test_keys_and_lockout(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32g071rb");
    /* OPTKEYR while FLASH_CR is locked: a wrong sequence, locked until reset. */
    assert_int_equal(w32(b, OPTKEYR, 0x08192A3B), SIM_ACC_FAULT);
    assert_int_equal(w32(b, KEYR, 0x45670123), SIM_ACC_FAULT);
    assert_int_equal(r32(b, CR) & CR_LOCK, CR_LOCK);
    sim_nrst_set(b, true);
    sim_nrst_set(b, false);
    unlock_opt(b);
    assert_int_equal(w32(b, CR, CR_LOCK), SIM_ACC_OK);
    assert_int_equal(r32(b, CR), CR_LOCK | CR_OPTLOCK);
    /* locked: CR writes are ignored */
    assert_int_equal(w32(b, CR, CR_PG), SIM_ACC_OK);
    assert_int_equal(r32(b, CR), CR_LOCK | CR_OPTLOCK);
    sim_board_close(b);
}

static void test_double_word_program(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32g071rb");
    unlock(b);
    assert_int_equal(w32(b, CR, CR_PG), SIM_ACC_OK);
    assert_int_equal(w32(b, FLASH + 0x108, 0x11223344), SIM_ACC_OK);
    assert_int_equal(r32(b, SR), 0); /* the first word only latches */
    assert_int_equal(r32(b, FLASH + 0x108), 0xFFFFFFFFu);
    assert_int_equal(w32(b, FLASH + 0x10C, 0x55667788), SIM_ACC_OK);
    assert_int_equal(r32(b, SR) & (SR_BSY | SR_CFGBSY), SR_BSY | SR_CFGBSY);
    sim_clock_advance(b, G0_TPROG - 1);
    assert_true(r32(b, SR) & SR_BSY);
    sim_clock_advance(b, 1);
    assert_int_equal(r32(b, SR), SR_EOP);
    assert_int_equal(r32(b, FLASH + 0x108), 0x11223344u);
    assert_int_equal(r32(b, FLASH + 0x10C), 0x55667788u);
    /* the debugger's write while busy waits (the AHB is stalled) */
    assert_int_equal(w32(b, FLASH + 0x110, 1), SIM_ACC_OK);
    assert_int_equal(w32(b, FLASH + 0x114, 2), SIM_ACC_OK);
    assert_int_equal(w32(b, FLASH + 0x118, 3), SIM_ACC_WAIT);
    sim_board_close(b);
}

static void test_program_errors(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32g071rb");
    unlock(b);
    /* no PG: PGSERR */
    assert_int_equal(w32(b, FLASH, 0), SIM_ACC_OK);
    assert_int_equal(r32(b, SR), SR_PGSERR);
    /* with an error flag still set, programming does not start: PGSERR again */
    assert_int_equal(w32(b, CR, CR_PG), SIM_ACC_OK);
    assert_int_equal(w32(b, FLASH, 0x12345678), SIM_ACC_OK);
    assert_int_equal(w32(b, FLASH + 4, 0x12345678), SIM_ACC_OK);
    assert_int_equal(r32(b, FLASH), 0xFFFFFFFFu);
    assert_int_equal(w32(b, SR, SR_ALL), SIM_ACC_OK);
    assert_int_equal(r32(b, SR), 0);
    /* first word not on a double word: PGAERR */
    assert_int_equal(w32(b, FLASH + 4, 0), SIM_ACC_OK);
    assert_int_equal(r32(b, SR), SR_PGAERR);
    assert_int_equal(w32(b, SR, SR_ALL), SIM_ACC_OK);
    /* second word in another double word: PGAERR */
    assert_int_equal(w32(b, FLASH + 0x20, 0), SIM_ACC_OK);
    assert_int_equal(w32(b, FLASH + 0x2C, 0), SIM_ACC_OK);
    assert_int_equal(r32(b, SR), SR_PGAERR);
    assert_int_equal(r32(b, FLASH + 0x20), 0xFFFFFFFFu);
    assert_int_equal(w32(b, SR, SR_ALL), SIM_ACC_OK);
    /* half-word: SIZERR */
    assert_int_equal(w16(b, FLASH + 0x40, 0), SIM_ACC_OK);
    assert_int_equal(r32(b, SR), SR_SIZERR);
    assert_int_equal(w32(b, SR, SR_ALL), SIM_ACC_OK);
    /* a programmed double word: PROGERR, unless the new data is all zeros */
    program_dw(b, FLASH + 0x80, 0xA5A5A5A5, 0xFFFFFFFF);
    assert_int_equal(r32(b, SR), SR_EOP);
    assert_int_equal(w32(b, FLASH + 0x80, 0xA5A5A5A5), SIM_ACC_OK);
    assert_int_equal(w32(b, FLASH + 0x84, 0x00000000), SIM_ACC_OK);
    assert_int_equal(r32(b, SR), SR_EOP | SR_PROGERR);
    assert_int_equal(r32(b, FLASH + 0x84), 0xFFFFFFFFu);
    assert_int_equal(w32(b, SR, SR_ALL), SIM_ACC_OK);
    program_dw(b, FLASH + 0x80, 0, 0);
    assert_int_equal(r32(b, SR), SR_EOP);
    assert_int_equal(r32(b, FLASH + 0x80), 0);
    /* PG together with PER at STRT: PGSERR, nothing erased */
    assert_int_equal(w32(b, CR, CR_PG | CR_PER), SIM_ACC_OK);
    assert_int_equal(w32(b, CR, CR_PG | CR_PER | CR_STRT), SIM_ACC_OK);
    assert_true(r32(b, SR) & SR_PGSERR);
    assert_int_equal(r32(b, FLASH + 0x80), 0);
    sim_board_close(b);
}

static void test_page_and_mass_erase(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32g071rb");
    unlock(b);
    assert_int_equal(w32(b, CR, CR_PG), SIM_ACC_OK);
    program_dw(b, FLASH + 3 * 2048, 1, 2);
    program_dw(b, FLASH + 4 * 2048, 3, 4);
    assert_int_equal(w32(b, SR, SR_ALL), SIM_ACC_OK);
    uint32_t per = CR_PER | 3u << 3;
    assert_int_equal(w32(b, CR, per), SIM_ACC_OK);
    assert_int_equal(w32(b, CR, per | CR_STRT), SIM_ACC_OK);
    assert_true(r32(b, SR) & SR_BSY);
    assert_int_equal(r32(b, CR) & CR_STRT, 0);
    sim_clock_advance(b, G0_TPAGE - 1);
    assert_true(r32(b, SR) & SR_BSY);
    sim_clock_advance(b, 1);
    assert_int_equal(r32(b, SR), SR_EOP);
    assert_int_equal(r32(b, FLASH + 3 * 2048), 0xFFFFFFFFu);
    assert_int_equal(r32(b, FLASH + 4 * 2048), 3); /* the next page is untouched */

    assert_int_equal(w32(b, CR, CR_MER1), SIM_ACC_OK);
    assert_int_equal(w32(b, CR, CR_MER1 | CR_STRT), SIM_ACC_OK);
    sim_clock_advance(b, G0_TMASS - 1);
    assert_true(r32(b, SR) & SR_BSY);
    sim_clock_advance(b, 1);
    assert_int_equal(r32(b, FLASH + 4 * 2048), 0xFFFFFFFFu);
    sim_board_close(b);
}

/* OPTR/WRP registers, OPTSTRT, then OBL_LAUNCH: the new protection is active. */
static void write_options(sim_board *b, uint32_t optr, uint32_t wrp1a)
{
    unlock_opt(b);
    assert_int_equal(w32(b, OPTR, optr), SIM_ACC_OK);
    assert_int_equal(w32(b, WRP1AR, wrp1a), SIM_ACC_OK);
    assert_int_equal(w32(b, CR, CR_OPTSTRT), SIM_ACC_OK);
    assert_true(r32(b, SR) & SR_BSY);
    wait_idle(b);
    assert_int_equal(r32(b, SR), SR_EOP);
    assert_int_equal(w32(b, CR, CR_OBL), SIM_ACC_OK); /* reload: a reset */
    assert_true(r32(b, 0x40021060) & (1u << 25));     /* RCC_CSR.OBLRSTF (G0) */
    assert_int_equal(r32(b, CR), CR_LOCK | CR_OPTLOCK);
}

static void test_wrp_area(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32g071rb");
    write_options(b, 0xFFFFFEAA, 2u | 5u << 16); /* pages 2..5 */
    assert_int_equal(r32(b, WRP1AR), 0x00050002u);
    assert_int_equal(r32(b, OB + 0x18), 0x00050002u);
    assert_int_equal(r32(b, OB + 0x1C), ~0x00050002u);
    unlock(b);
    assert_int_equal(w32(b, CR, CR_PG), SIM_ACC_OK);
    assert_int_equal(w32(b, FLASH + 5 * 2048, 0), SIM_ACC_OK);
    assert_int_equal(r32(b, SR), SR_WRPERR);
    assert_int_equal(w32(b, SR, SR_ALL), SIM_ACC_OK);
    program_dw(b, FLASH + 6 * 2048, 0, 0); /* page 6 is not protected */
    assert_int_equal(r32(b, SR), SR_EOP);
    assert_int_equal(w32(b, CR, CR_PER | 2u << 3), SIM_ACC_OK);
    assert_int_equal(w32(b, CR, CR_PER | 2u << 3 | CR_STRT), SIM_ACC_OK);
    assert_true(r32(b, SR) & SR_WRPERR);
    assert_int_equal(w32(b, SR, SR_ALL), SIM_ACC_OK);
    /* a mass erase with a WRP area in the bank is not done */
    assert_int_equal(w32(b, CR, CR_MER1), SIM_ACC_OK);
    assert_int_equal(w32(b, CR, CR_MER1 | CR_STRT), SIM_ACC_OK);
    assert_int_equal(r32(b, SR), SR_WRPERR);
    assert_int_equal(r32(b, FLASH + 6 * 2048), 0);
    sim_board_close(b);
}

static void test_rdp_level1_and_regression(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32g071rb");
    unlock(b);
    assert_int_equal(w32(b, CR, CR_PG), SIM_ACC_OK);
    program_dw(b, FLASH + 0x800, 0x1234, 0x5678);
    assert_int_equal(w32(b, CR, CR_LOCK), SIM_ACC_OK);
    write_options(b, 0xFFFFFEBB, 0x3F);
    uint32_t v;
    assert_int_equal(r32a(b, FLASH + 0x800, &v), SIM_ACC_FAULT); /* no debugger reads */
    unlock(b);
    assert_int_equal(w32(b, CR, CR_PG), SIM_ACC_OK);
    assert_int_equal(w32(b, FLASH + 0x1000, 0), SIM_ACC_OK);
    assert_int_equal(r32(b, SR), SR_WRPERR);
    assert_int_equal(w32(b, SR, SR_ALL), SIM_ACC_OK);
    assert_int_equal(w32(b, CR, CR_LOCK), SIM_ACC_OK);
    /* back to level 0: the option write erases the main flash first (mass erase time) */
    unlock_opt(b);
    assert_int_equal(w32(b, OPTR, 0xFFFFFEAA), SIM_ACC_OK);
    assert_int_equal(w32(b, CR, CR_OPTSTRT), SIM_ACC_OK);
    sim_clock_advance(b, G0_TPAGE + G0_TMASS - 1);
    assert_true(r32(b, SR) & SR_BSY);
    sim_clock_advance(b, 1);
    assert_int_equal(r32(b, SR), SR_EOP);
    assert_int_equal(w32(b, CR, CR_OBL), SIM_ACC_OK);
    assert_int_equal(r32(b, FLASH + 0x800), 0xFFFFFFFFu);
    sim_board_close(b);
}

static void test_l476_bank2_and_g4_pages(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32l476rg");
    unlock(b);
    assert_int_equal(w32(b, CR, CR_PG), SIM_ACC_OK);
    program_dw(b, 0x08080000, 1, 2); /* bank 2, page 0 */
    program_dw(b, 0x08000000, 3, 4); /* bank 1, page 0 */
    uint32_t per = CR_PER | CR_BKER;
    assert_int_equal(w32(b, CR, per), SIM_ACC_OK);
    assert_int_equal(w32(b, CR, per | CR_STRT), SIM_ACC_OK);
    sim_clock_advance(b, US(22020) - 1);
    assert_true(r32(b, SR) & SR_BSY);
    assert_int_equal(r32(b, SR) & SR_CFGBSY, 0); /* L4 has no CFGBSY */
    sim_clock_advance(b, 1);
    assert_int_equal(r32(b, SR) & SR_BSY, 0);
    assert_int_equal(r32(b, 0x08080000), 0xFFFFFFFFu);
    assert_int_equal(r32(b, 0x08000000), 3);
    /* MER2 erases bank 2 only */
    assert_int_equal(w32(b, CR, CR_PG), SIM_ACC_OK);
    program_dw(b, 0x080FFFF8, 5, 6);
    assert_int_equal(w32(b, CR, CR_MER2), SIM_ACC_OK);
    assert_int_equal(w32(b, CR, CR_MER2 | CR_STRT), SIM_ACC_OK);
    wait_idle(b);
    assert_int_equal(r32(b, 0x080FFFF8), 0xFFFFFFFFu);
    assert_int_equal(r32(b, 0x08000000), 3);
    /* a WRP2A area protects bank-2 pages */
    assert_int_equal(w32(b, CR, 0), SIM_ACC_OK);
    assert_int_equal(w32(b, OPTKEYR, 0x08192A3B), SIM_ACC_OK);
    assert_int_equal(w32(b, OPTKEYR, 0x4C5D6E7F), SIM_ACC_OK);
    assert_int_equal(w32(b, WRP2AR, 0u | 0u << 16), SIM_ACC_OK);
    assert_int_equal(w32(b, CR, CR_OPTSTRT), SIM_ACC_OK);
    wait_idle(b);
    assert_int_equal(w32(b, CR, CR_OBL), SIM_ACC_OK);
    unlock(b);
    assert_int_equal(w32(b, CR, CR_PG), SIM_ACC_OK);
    assert_int_equal(w32(b, 0x08080000, 0), SIM_ACC_OK);
    assert_int_equal(r32(b, SR) & SR_WRPERR, SR_WRPERR);
    sim_board_close(b);

    /* G4 cat. 2: PNB is 7 bits; page 63 is the last of 128 KiB */
    b = open_board("sim:stm32g431rb");
    unlock(b);
    assert_int_equal(w32(b, CR, CR_PG), SIM_ACC_OK);
    program_dw(b, FLASH + 63 * 2048, 7, 8);
    assert_int_equal(w32(b, CR, CR_PER | 63u << 3), SIM_ACC_OK);
    assert_int_equal(w32(b, CR, CR_PER | 63u << 3 | CR_STRT), SIM_ACC_OK);
    wait_idle(b);
    assert_int_equal(r32(b, FLASH + 63 * 2048), 0xFFFFFFFFu);
    sim_board_close(b);
}

/* ECC (RM0351 3.3.3, RM0440, RM0444 "Error code correction"): a double error reads the cells
 * (two bits of the word's first byte wrong, no bus error) and sets ECCD with ADDR_ECC: bytes
 * from the bank's start and BK_ECC bit 19 on L4, bit 21 on G4, the double word's number on
 * G0; the first error stays until ECCD/ECCC are cleared (1s), which clears the address; a
 * single error reads the corrected data and sets ECCC; a page erase gives a fresh code. */
#define ECCR 0x40022018u
#define ECCC (1u << 30)
#define ECCD (1u << 31)
static void test_ecc(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32l476rg,ecc-error=0x08081008:0x08000000,"
                              "ecc-single=0x080FFFF8");
    assert_int_equal(r32(b, 0x08081010), 0xFFFFFFFFu); /* the next double word */
    assert_int_equal(r32(b, ECCR), 0);
    assert_int_equal(r32(b, 0x0808100C), 0xFFFFFFFFu); /* the bad word's second half */
    assert_int_equal(r32(b, ECCR), ECCD | 1u << 19 | 0x1008u);
    assert_int_equal(r32(b, 0x08000000), 0xFFFFFFFCu); /* kept: first error latched */
    assert_int_equal(r32(b, ECCR), ECCD | 1u << 19 | 0x1008u);
    assert_int_equal(w32(b, ECCR, ECCD), SIM_ACC_OK);
    assert_int_equal(r32(b, ECCR), 0);
    assert_int_equal(r32(b, 0x080FFFF8), 0xFFFFFFFFu);
    assert_int_equal(r32(b, ECCR), ECCC | 1u << 19 | 0x7FFF8u);
    assert_int_equal(w32(b, ECCR, ECCC), SIM_ACC_OK);
    unlock(b);
    assert_int_equal(w32(b, CR, CR_PER | CR_BKER | 2u << 3), SIM_ACC_OK);
    assert_int_equal(w32(b, CR, CR_PER | CR_BKER | 2u << 3 | CR_STRT), SIM_ACC_OK);
    wait_idle(b);
    assert_int_equal(r32(b, 0x08081008), 0xFFFFFFFFu);
    assert_int_equal(r32(b, ECCR), 0);
    assert_int_equal(r32(b, 0x08000000), 0xFFFFFFFCu); /* bank 1 page 0 not erased */
    assert_int_equal(r32(b, ECCR), ECCD);
    sim_board_close(b);

    b = open_board("sim:stm32g431rb,ecc-error=0x0801FFF8");
    assert_int_equal(r32(b, 0x0801FFF8), 0xFFFFFFFCu);
    assert_int_equal(r32(b, ECCR), ECCD | 0x1FFF8u);
    sim_board_close(b);
    b = open_board("sim:stm32g071rb,ecc-error=0x08010010");
    assert_int_equal(r32(b, 0x08010014), 0xFFFFFFFFu);
    assert_int_equal(r32(b, ECCR), ECCD | 0x10010u / 8u);
    sim_board_close(b);
}

/* ecc-error= and ecc-single= take flash addresses of a part with flash ECC. */
static void test_ecc_spec(void **state)
{
    (void)state;
    char err[512];
    assert_null(sim_board_open("sim:stm32f407vg,ecc-error=0x08000000", err, sizeof err));
    assert_non_null(strstr(err, "no flash ECC"));
    assert_null(sim_board_open("sim:stm32g071rb,ecc-error=0x08020000", err, sizeof err));
    assert_non_null(strstr(err, "not in stm32g071rb's flash"));
    assert_null(sim_board_open("sim:stm32g071rb,ecc-single=0x08000000:", err, sizeof err));
    assert_non_null(strstr(err, "bad value"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reset_state),
        cmocka_unit_test(test_keys_and_lockout),
        cmocka_unit_test(test_double_word_program),
        cmocka_unit_test(test_program_errors),
        cmocka_unit_test(test_page_and_mass_erase),
        cmocka_unit_test(test_wrp_area),
        cmocka_unit_test(test_rdp_level1_and_regression),
        cmocka_unit_test(test_l476_bank2_and_g4_pages),
        cmocka_unit_test(test_ecc),
        cmocka_unit_test(test_ecc_spec),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
