/* The H7 flash model (sim/families/flash_h7.c) driven as a debugger would, against RM0433
 * section 4: per-bank keys and registers, the flash-word write buffer (QW/BSY after the 32nd
 * byte, STRBERR, INCERR, PGSERR, forced write), the datasheet's times per PSIZE, sector and
 * bank erase, OPTCR.MER, option bytes through the _PRG registers and OPTSTART, the memory map
 * (DBGMCU at 0x5C001000, ITCM at 0, AXI SRAM) and the boot address. */
#include <string.h>

#include "sim_test.h"

#define FLASH   0x52002000u
#define BANK2   0x100u
#define KEYR    0x04u
#define OPTKEYR 0x08u
#define CR      0x0Cu
#define SR      0x10u
#define CCR     0x14u
#define OPTCR   0x18u
#define OPTSR_C 0x1Cu
#define OPTSR_P 0x20u
#define OPTCCR  0x24u
#define WPSN_C  0x38u
#define WPSN_P  0x3Cu
#define BOOT_C  0x40u

#define CR_LOCK  (1u << 0)
#define CR_PG    (1u << 1)
#define CR_SER   (1u << 2)
#define CR_BER   (1u << 3)
#define CR_X64   (3u << 4)
#define CR_X8    (0u << 4)
#define CR_FW    (1u << 6)
#define CR_START (1u << 7)

#define SR_BSY     (1u << 0)
#define SR_WBNE    (1u << 1)
#define SR_QW      (1u << 2)
#define SR_EOP     (1u << 16)
#define SR_WRPERR  (1u << 17)
#define SR_PGSERR  (1u << 18)
#define SR_STRBERR (1u << 19)
#define SR_INCERR  (1u << 21)

static void unlock(sim_board *b, uint32_t bank)
{
    assert_int_equal(w32(b, FLASH + bank + KEYR, 0x45670123u), SIM_ACC_OK);
    assert_int_equal(w32(b, FLASH + bank + KEYR, 0xCDEF89ABu), SIM_ACC_OK);
    assert_int_equal(r32(b, FLASH + bank + CR) & CR_LOCK, 0);
}

static void wait_idle(sim_board *b, uint32_t bank)
{
    for (int i = 0; i < 100000 && (r32(b, FLASH + bank + SR) & (SR_BSY | SR_QW)); i++)
        sim_clock_advance(b, i < 1000 ? US(10) : US(100));
    assert_int_equal(r32(b, FLASH + bank + SR) & (SR_BSY | SR_QW), 0);
}

static void test_identity_and_memory_map(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32h743zi");
    assert_int_equal(r32(b, 0x5C001000u) & 0xFFFu, 0x450);
    assert_int_equal(r32(b, 0x1FF1E880u) & 0xFFFFu, 2048);
    /* ITCM at 0 (no boot alias), DTCM, AXI SRAM, SRAM4 keep what is written */
    const uint32_t rams[] = {0x00000000u, 0x20000000u, 0x2407FFFCu, 0x38000000u, 0x38800FFCu};
    for (size_t i = 0; i < sizeof rams / sizeof rams[0]; i++) {
        assert_int_equal(w32(b, rams[i], 0xA5000000u + (uint32_t)i), SIM_ACC_OK);
        assert_int_equal(r32(b, rams[i]), 0xA5000000u + (uint32_t)i);
    }
    /* past the AXI SRAM: nothing there */
    uint32_t v;
    assert_int_equal(r32a(b, 0x24080000u, &v), SIM_ACC_FAULT);
    /* both banks locked after reset, PSIZE x64 (FLASH_CR reset value 0x31) */
    assert_int_equal(r32(b, FLASH + CR), 0x31u);
    assert_int_equal(r32(b, FLASH + BANK2 + CR), 0x31u);
    /* a wrong key locks the bank until reset: a bus error */
    assert_int_equal(w32(b, FLASH + KEYR, 0x12345678u), SIM_ACC_FAULT);
    assert_int_equal(w32(b, FLASH + KEYR, 0x45670123u), SIM_ACC_FAULT);
    /* bank 2's keys are its own */
    unlock(b, BANK2);
    assert_int_equal(r32(b, FLASH + CR) & CR_LOCK, CR_LOCK);
    sim_board_close(b);
}

/* Eight word stores program one flash word: QW and BSY for the datasheet's time at the
 * PSIZE in CR (x64 100 us, x8 290 us), then EOP. */
static void test_flash_word_program(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32h743zi");
    unlock(b, 0);
    const uint32_t psize[2] = {CR_X64, CR_X8};
    const uint64_t typ_us[2] = {100, 290};
    for (int p = 0; p < 2; p++) {
        uint32_t at = 0x08000000u + 0x20u * (uint32_t)p;
        assert_int_equal(w32(b, FLASH + CR, CR_PG | psize[p]), SIM_ACC_OK);
        for (uint32_t i = 0; i < 7; i++)
            assert_int_equal(w32(b, at + 4 * i, 0x11111111u * (i + 1)), SIM_ACC_OK);
        assert_int_equal(r32(b, FLASH + SR) & (SR_WBNE | SR_QW), SR_WBNE);
        uint64_t t0 = sim_clock_ns(b);
        assert_int_equal(w32(b, at + 28, 0x88888888u), SIM_ACC_OK);
        assert_true(r32(b, FLASH + SR) & SR_QW);
        wait_idle(b, 0);
        uint64_t took = sim_clock_ns(b) - t0;
        assert_true(took >= US(typ_us[p]) && took < US(typ_us[p]) + US(40));
        assert_int_equal(r32(b, FLASH + SR) & (SR_EOP | 0x00FE0000u), SR_EOP);
        assert_int_equal(w32(b, FLASH + CCR, SR_EOP), SIM_ACC_OK);
        assert_int_equal(r32(b, at + 12), 0x44444444u);
    }
    sim_board_close(b);
}

/* The buffer's rules: a byte twice is STRBERR, another word before it is complete INCERR, a
 * store without PG PGSERR; the flags block the next word until CCR clears them; FW programs
 * a partial word with the rest erased. */
static void test_write_buffer_errors(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32h743zi");
    unlock(b, 0);
    assert_int_equal(w32(b, 0x08000000u, 0x1u), SIM_ACC_OK); /* no PG */
    assert_true(r32(b, FLASH + SR) & SR_PGSERR);
    assert_int_equal(w32(b, FLASH + CR, CR_PG | CR_X64), SIM_ACC_OK);
    assert_int_equal(w32(b, 0x08000000u, 0x1u), SIM_ACC_OK); /* blocked by the flag */
    assert_int_equal(r32(b, FLASH + SR) & SR_WBNE, 0);
    assert_int_equal(w32(b, FLASH + CCR, 0x1FEF0000u), SIM_ACC_OK);
    assert_int_equal(w32(b, 0x08000000u, 0x1u), SIM_ACC_OK);
    assert_int_equal(w32(b, 0x08000000u, 0x2u), SIM_ACC_OK);
    assert_true(r32(b, FLASH + SR) & SR_STRBERR);
    assert_int_equal(w32(b, FLASH + CCR, 0x1FEF0000u), SIM_ACC_OK);
    assert_int_equal(w32(b, 0x08000000u, 0x1u), SIM_ACC_OK);
    assert_int_equal(w32(b, 0x08000020u, 0x1u), SIM_ACC_OK);
    assert_true(r32(b, FLASH + SR) & SR_INCERR);
    assert_int_equal(w32(b, FLASH + CCR, 0x1FEF0000u), SIM_ACC_OK);
    /* forced write: 8 bytes, the other 24 stay erased */
    assert_int_equal(w32(b, 0x08000040u, 0x12345678u), SIM_ACC_OK);
    assert_int_equal(w32(b, 0x08000044u, 0x9ABCDEF0u), SIM_ACC_OK);
    assert_int_equal(w32(b, FLASH + CR, CR_PG | CR_X64 | CR_FW), SIM_ACC_OK);
    wait_idle(b, 0);
    assert_int_equal(r32(b, 0x08000044u), 0x9ABCDEF0u);
    assert_int_equal(r32(b, 0x08000048u), 0xFFFFFFFFu);
    assert_int_equal(r32(b, 0x0800005Cu), 0xFFFFFFFFu);
    sim_board_close(b);
}

/* Sector erase of bank 2 through CR2 (SNB counts within the bank), bank erase with BER,
 * both banks with OPTCR.MER: the datasheet's times at x64 (1 s, 5 s). */
static void test_erase(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32h743zi");
    unlock(b, 0);
    unlock(b, BANK2);
    assert_int_equal(w32(b, FLASH + BANK2 + CR, CR_PG | CR_X64), SIM_ACC_OK);
    for (uint32_t i = 0; i < 8; i++)
        assert_int_equal(w32(b, 0x08120000u + 4 * i, 0), SIM_ACC_OK);
    wait_idle(b, BANK2);
    assert_int_equal(r32(b, 0x08120000u), 0);
    assert_int_equal(w32(b, FLASH + BANK2 + CR, CR_SER | CR_X64 | 1u << 8), SIM_ACC_OK);
    uint64_t t0 = sim_clock_ns(b);
    assert_int_equal(w32(b, FLASH + BANK2 + CR, CR_SER | CR_X64 | 1u << 8 | CR_START), SIM_ACC_OK);
    assert_true(r32(b, FLASH + BANK2 + SR) & SR_BSY);
    assert_int_equal(r32(b, FLASH + SR) & SR_BSY, 0); /* bank 1 is not the one erasing */
    wait_idle(b, BANK2);
    uint64_t took = sim_clock_ns(b) - t0;
    assert_true(took >= MS(1000) && took < MS(1001));
    assert_int_equal(r32(b, 0x08120000u), 0xFFFFFFFFu);
    /* MER: both banks at once, 5 s */
    t0 = sim_clock_ns(b);
    assert_int_equal(w32(b, FLASH + OPTCR, 1u << 4), SIM_ACC_OK);
    assert_true(r32(b, FLASH + SR) & SR_BSY);
    assert_true(r32(b, FLASH + BANK2 + SR) & SR_BSY);
    wait_idle(b, 0);
    took = sim_clock_ns(b) - t0;
    assert_true(took >= MS(5000) && took < MS(5001));
    sim_board_close(b);
}

/* Option bytes: WPSN_PRG and OPTSTART protect a sector at once (no reset), an erase of it is
 * WRPERR; at RDP level 2 any change is OPTCHANGEERR; RDP 1 -> 0 erases both banks. */
static void test_option_bytes(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32h743zi");
    assert_int_equal(r32(b, FLASH + OPTSR_C) & 0xFF00u, 0xAA00u);
    assert_int_equal(r32(b, FLASH + BOOT_C), 0x1FF00800u);
    assert_int_equal(w32(b, FLASH + OPTSR_P, 0), SIM_ACC_OK); /* locked: ignored */
    assert_int_equal(r32(b, FLASH + OPTSR_P) & 0xFF00u, 0xAA00u);
    assert_int_equal(w32(b, FLASH + OPTKEYR, 0x08192A3Bu), SIM_ACC_OK);
    assert_int_equal(w32(b, FLASH + OPTKEYR, 0x4C5D6E7Fu), SIM_ACC_OK);
    assert_int_equal(r32(b, FLASH + OPTCR) & 1u, 0);
    assert_int_equal(w32(b, FLASH + BANK2 + WPSN_P, 0xFDu), SIM_ACC_OK); /* bank 2 sector 1 */
    assert_int_equal(w32(b, FLASH + OPTCR, 1u << 1), SIM_ACC_OK);
    assert_true(r32(b, FLASH + OPTSR_C) & 1u); /* OPT_BUSY */
    while (r32(b, FLASH + OPTSR_C) & 1u)
        sim_clock_advance(b, MS(1));
    assert_int_equal(r32(b, FLASH + BANK2 + WPSN_C), 0xFDu);
    unlock(b, BANK2);
    assert_int_equal(w32(b, FLASH + BANK2 + CR, CR_SER | CR_X64 | 1u << 8 | CR_START), SIM_ACC_OK);
    assert_true(r32(b, FLASH + BANK2 + SR) & SR_WRPERR);
    sim_board_close(b);

    b = open_board("sim:stm32h743zi,rdp=2");
    assert_int_equal(w32(b, FLASH + OPTKEYR, 0x08192A3Bu), SIM_ACC_NO_TARGET); /* level 2 */
    sim_board_close(b);
}

/* The core boots from BOOT_ADD0 (0x08000000): its reset vector is fetched there, not at the
 * ITCM at 0. */
/* ECC (RM0433 "Error correction code"): a double error in bank 2 answers the debugger's read
 * with a bus error, sets DBECCERR and FLASH_ECC_FA2R (the flash word's number in the bank),
 * which keeps the first error until CCR clears the flag; a single error reads the right data
 * and sets SNECCERR; a sector erase gives the word a fresh code, programming it again does
 * not. Words at the start, the middle and the end of a bank, each bank. */
static void test_ecc(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32h743zi,ecc-error=0x08120044:0x081FFFE0,"
                              "ecc-single=0x08000020:0x080FFFFC");
    uint32_t v = 0;
    assert_int_equal(r32(b, 0x0812003Cu), 0xFFFFFFFFu); /* the word before reads fine */
    assert_int_equal(r32(b, 0x08120060u), 0xFFFFFFFFu); /* and the word after */
    assert_int_equal(r32(b, FLASH + BANK2 + SR) & (3u << 25), 0);
    assert_int_equal(r32a(b, 0x08120058u, &v), SIM_ACC_FAULT); /* same 32-byte word as 0x44 */
    assert_int_equal(r32(b, FLASH + BANK2 + SR) & (3u << 25), 1u << 26);
    assert_int_equal(r32(b, FLASH + BANK2 + 0x60u), 0x20040u / 32u);
    assert_int_equal(r32(b, FLASH + SR) & (3u << 25), 0); /* bank 1 untouched */
    assert_int_equal(r32a(b, 0x081FFFFCu, &v), SIM_ACC_FAULT);
    assert_int_equal(r32(b, FLASH + BANK2 + 0x60u), 0x20040u / 32u); /* the first kept */
    assert_int_equal(w32(b, FLASH + BANK2 + CCR, 1u << 26), SIM_ACC_OK);
    assert_int_equal(r32(b, FLASH + BANK2 + SR) & (3u << 25), 0);
    assert_int_equal(r32(b, FLASH + BANK2 + 0x60u), 0);
    assert_int_equal(r32a(b, 0x081FFFE0u, &v), SIM_ACC_FAULT);
    assert_int_equal(r32(b, FLASH + BANK2 + 0x60u), 0x7FFFu); /* the last word of the bank */
    /* single: corrected data, SNECCERR and FAR in bank 1 */
    assert_int_equal(r32(b, 0x08000020u), 0xFFFFFFFFu);
    assert_int_equal(r32(b, FLASH + SR) & (3u << 25), 1u << 25);
    assert_int_equal(r32(b, FLASH + 0x60u), 1u);
    assert_int_equal(w32(b, FLASH + CCR, 1u << 25), SIM_ACC_OK);
    assert_int_equal(r32(b, 0x080FFFFCu), 0xFFFFFFFFu);
    assert_int_equal(r32(b, FLASH + 0x60u), 0x7FFFu);
    /* programming the bad word again keeps the bad code; erasing its sector clears it */
    unlock(b, BANK2);
    assert_int_equal(w32(b, FLASH + BANK2 + CR, CR_PG | CR_X64), SIM_ACC_OK);
    for (uint32_t i = 0; i < 8; i++)
        assert_int_equal(w32(b, 0x08120040u + 4 * i, 0x12345678u), SIM_ACC_OK);
    wait_idle(b, BANK2);
    assert_int_equal(r32a(b, 0x08120044u, &v), SIM_ACC_FAULT);
    assert_int_equal(w32(b, FLASH + BANK2 + CCR, 0xFFFFFFFFu), SIM_ACC_OK);
    assert_int_equal(w32(b, FLASH + BANK2 + CR, CR_SER | CR_X64 | 1u << 8 | CR_START), SIM_ACC_OK);
    wait_idle(b, BANK2);
    assert_int_equal(r32(b, 0x08120044u), 0xFFFFFFFFu);
    assert_int_equal(r32(b, FLASH + BANK2 + SR) & (3u << 25), 0);
    assert_int_equal(r32a(b, 0x081FFFE0u, &v), SIM_ACC_FAULT); /* sector 15 not erased */
    sim_board_close(b);
}

static void test_boot_address(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32h743zi");
    unlock(b, 0);
    assert_int_equal(w32(b, FLASH + CR, CR_PG | CR_X64), SIM_ACC_OK);
    const uint32_t vec[8] = {0x20001000u, 0x08000101u, 0, 0, 0, 0, 0, 0};
    for (uint32_t i = 0; i < 8; i++)
        assert_int_equal(w32(b, 0x08000000u + 4 * i, vec[i]), SIM_ACC_OK);
    wait_idle(b, 0);
    assert_int_equal(w32(b, 0xE000EDF0u, 0xA05F0003u), SIM_ACC_OK); /* halt */
    assert_int_equal(w32(b, 0xE000EDFCu, 1u), SIM_ACC_OK);          /* VC_CORERESET */
    assert_int_equal(w32(b, 0xE000ED0Cu, 0x05FA0004u), SIM_ACC_OK); /* SYSRESETREQ */
    sim_clock_advance(b, US(100));
    assert_int_equal(w32(b, 0xE000EDF4u, 15u), SIM_ACC_OK); /* DCRSR: read PC */
    sim_clock_advance(b, US(10));
    assert_int_equal(r32(b, 0xE000EDF8u), 0x08000100u);
    sim_board_close(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity_and_memory_map),
        cmocka_unit_test(test_flash_word_program),
        cmocka_unit_test(test_write_buffer_errors),
        cmocka_unit_test(test_erase),
        cmocka_unit_test(test_option_bytes),
        cmocka_unit_test(test_boot_address),
        cmocka_unit_test(test_ecc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
