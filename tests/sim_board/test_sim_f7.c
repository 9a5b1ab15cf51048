/* F7 flash controller model (RM0410): F4 registers with ERSERR and F7 option bytes. */
#include <unistd.h>

#include "sim_test.h"

#define FLASH   0x08000000u
#define KEYR    0x40023C04u
#define OPTKEYR 0x40023C08u
#define SR      0x40023C0Cu
#define CR      0x40023C10u
#define OPTCR   0x40023C14u
#define OPTCR1  0x40023C18u

#define SR_WRPERR (1u << 4)
#define SR_PGPERR (1u << 6)
#define SR_ERSERR (1u << 7)
#define SR_BSY    (1u << 16)
#define CR_PG     (1u << 0)
#define CR_SER    (1u << 1)
#define CR_STRT   (1u << 16)
#define CR_LOCK   (1u << 31)
#define PSIZE(x)  ((uint32_t)(x) << 8)
#define SNB(x)    ((uint32_t)(x) << 3)

static void unlock(sim_board *b)
{
    assert_int_equal(w32(b, KEYR, 0x45670123), SIM_ACC_OK);
    assert_int_equal(w32(b, KEYR, 0xCDEF89AB), SIM_ACC_OK);
}

static void test_ids_and_option_registers(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32f767zi");
    assert_int_equal(r32(b, 0xE0042000) & 0xFFF, 0x451);
    assert_int_equal(r32(b, 0x1FF0F440) >> 16, 2048);
    assert_int_equal(r32(b, CR), CR_LOCK);
    assert_int_equal(r32(b, OPTCR) & 0xFFFF, 0xAAFD);
    assert_int_equal((r32(b, OPTCR) >> 16) & 0xFFF, 0xFFF);
    assert_int_equal(r32(b, OPTCR1), 0x00400080);
    assert_int_equal(r32(b, 0x1FFF0000) & 0xFFFF, 0xAAFC); /* option bytes in memory */
    sim_board_close(b);
}

static void test_sector_erase_timings(void **state)
{
    (void)state;
    static const struct {
        unsigned sector;
        uint64_t ms;
    } cases[] = {{0, 250}, {4, 1000}, {5, 2000}, {11, 2000}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sim_board *b = open_board("sim:stm32f767zi");
        unlock(b);
        assert_int_equal(w32(b, CR, CR_SER | SNB(cases[i].sector) | PSIZE(2)), SIM_ACC_OK);
        assert_int_equal(w32(b, CR, CR_SER | SNB(cases[i].sector) | PSIZE(2) | CR_STRT),
                         SIM_ACC_OK);
        sim_clock_advance(b, MS(cases[i].ms) - 1);
        assert_true(r32(b, SR) & SR_BSY);
        sim_clock_advance(b, 1);
        assert_int_equal(r32(b, SR), 0);
        sim_board_close(b);
    }
}

static void test_erserr_pgperr_wrperr(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32f767zi,wrp=0x20");
    unlock(b);
    /* Program without PG: ERSERR (the F7 name of bit 7). */
    assert_int_equal(w32(b, CR, PSIZE(2)), SIM_ACC_OK);
    assert_int_equal(w32(b, FLASH, 0), SIM_ACC_OK);
    assert_int_equal(r32(b, SR), SR_ERSERR);
    assert_int_equal(w32(b, SR, SR_ERSERR), SIM_ACC_OK);
    /* Sector number that does not exist: ERSERR. */
    assert_int_equal(w32(b, CR, CR_SER | SNB(13) | PSIZE(2) | CR_STRT), SIM_ACC_OK);
    assert_int_equal(r32(b, SR), SR_ERSERR);
    assert_int_equal(w32(b, SR, 0xFF), SIM_ACC_OK);
    /* x8 parallelism with a word write: PGPERR. */
    assert_int_equal(w32(b, CR, CR_PG | PSIZE(0)), SIM_ACC_OK);
    assert_int_equal(w32(b, FLASH, 0), SIM_ACC_OK);
    assert_int_equal(r32(b, SR), SR_PGPERR);
    assert_int_equal(w32(b, SR, 0xFF), SIM_ACC_OK);
    /* Sector 5 is write protected. */
    assert_int_equal((r32(b, OPTCR) >> 16) & 0xFFF, 0xFDF);
    assert_int_equal(w32(b, CR, CR_SER | SNB(5) | PSIZE(2) | CR_STRT), SIM_ACC_OK);
    assert_int_equal(r32(b, SR), SR_WRPERR);
    sim_board_close(b);
}

static void test_option_change_wrp(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32f767zi");
    unlock(b);
    assert_int_equal(w32(b, OPTKEYR, 0x08192A3B), SIM_ACC_OK);
    assert_int_equal(w32(b, OPTKEYR, 0x4C5D6E7F), SIM_ACC_OK);
    uint32_t optcr = r32(b, OPTCR);
    optcr &= ~(1u << 16); /* protect sector 0 */
    assert_int_equal(w32(b, OPTCR, optcr | 2u), SIM_ACC_OK);
    assert_true(r32(b, SR) & SR_BSY);
    sim_clock_advance(b, MS(500));
    assert_int_equal(r32(b, SR) & SR_BSY, 0);
    assert_int_equal((r32(b, OPTCR) >> 16) & 1, 0);
    assert_int_equal(w32(b, CR, CR_SER | SNB(0) | PSIZE(2) | CR_STRT), SIM_ACC_OK);
    assert_int_equal(r32(b, SR), SR_WRPERR);
    /* Wrong option key: bus error, option register stays locked. */
    assert_int_equal(w32(b, OPTCR, r32(b, OPTCR) | 1u), SIM_ACC_OK);
    assert_int_equal(w32(b, OPTKEYR, 0x1), SIM_ACC_FAULT);
    assert_int_equal(w32(b, OPTKEYR, 0x08192A3B), SIM_ACC_FAULT);
    assert_int_equal(r32(b, OPTCR) & 1, 1);
    sim_board_close(b);
}

static void opt_write(sim_board *b, uint32_t optcr)
{
    if (r32(b, OPTCR) & 1u) {
        assert_int_equal(w32(b, OPTKEYR, 0x08192A3B), SIM_ACC_OK);
        assert_int_equal(w32(b, OPTKEYR, 0x4C5D6E7F), SIM_ACC_OK);
    }
    assert_int_equal(w32(b, OPTCR, (optcr & ~3u) | 2u), SIM_ACC_OK); /* OPTSTRT */
    sim_clock_advance(b, MS(500));
    assert_int_equal(r32(b, SR) & SR_BSY, 0);
}

static void program_word(sim_board *b, uint32_t addr, uint32_t v)
{
    assert_int_equal(w32(b, CR, CR_PG | PSIZE(2)), SIM_ACC_OK);
    assert_int_equal(w32(b, addr, v), SIM_ACC_OK);
    sim_clock_advance(b, US(20));
    assert_int_equal(r32(b, SR), 0);
    assert_int_equal(w32(b, CR, 0), SIM_ACC_OK);
}

/* Starts an erase (SER+SNB, or the mass-erase bits in `mer`) and waits `ms`; returns SR. */
static uint32_t erase(sim_board *b, uint32_t bits, uint64_t ms)
{
    assert_int_equal(w32(b, CR, bits | PSIZE(2)), SIM_ACC_OK);
    assert_int_equal(w32(b, CR, bits | PSIZE(2) | CR_STRT), SIM_ACC_OK);
    if (ms) {
        sim_clock_advance(b, MS(ms) - 1);
        assert_true(r32(b, SR) & SR_BSY);
        sim_clock_advance(b, 1);
    }
    uint32_t sr = r32(b, SR);
    assert_int_equal(w32(b, SR, 0xFF), SIM_ACC_OK);
    return sr;
}

/* RM0410 3.3.1/3.7.5/3.7.7: nDBANK = 0 gives two banks of 4x16K, 1x64K, 7x128K; bank-2
 * sectors 12-23 are SNB 0b10000-0b11011, MER2 erases bank 2 alone, one nWRP bit covers a
 * pair of sectors; nDBANK = 1 brings the single-bank numbering back. */
static void test_dual_bank_mode(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "/tmp/test_sim_f7_dual.%ld.state", (long)getpid());
    remove(path);
    char spec[128];
    snprintf(spec, sizeof spec, "sim:stm32f767zi,state=%s", path);
    sim_board *b = open_board(spec);
    unlock(b);
    assert_true(r32(b, OPTCR) & (1u << 29)); /* factory: single bank */
    assert_int_equal(erase(b, CR_SER | SNB(16), 0), SR_ERSERR);
    opt_write(b, r32(b, OPTCR) & ~(1u << 29));
    assert_int_equal(r32(b, OPTCR) & (1u << 29), 0);

    /* Sector 12 = SNB 16: the first 16 KiB of bank 2, 250 ms at x32. */
    program_word(b, 0x080FFFFCu, 0x11111111u);                  /* sector 11 (bank 1) */
    program_word(b, 0x08100000u, 0x22222222u);                  /* sector 12 */
    program_word(b, 0x08104000u, 0x33333333u);                  /* sector 13 */
    assert_int_equal(erase(b, CR_SER | SNB(12), 0), SR_ERSERR); /* no such SNB now */
    assert_int_equal(erase(b, CR_SER | SNB(16), 250), 0);
    assert_int_equal(r32(b, 0x08100000u), 0xFFFFFFFFu);
    assert_int_equal(r32(b, 0x08104000u), 0x33333333u);
    assert_int_equal(r32(b, 0x080FFFFCu), 0x11111111u);
    /* Sector 11: the last 128 KiB of bank 1, 1 s. */
    assert_int_equal(erase(b, CR_SER | SNB(11), 1000), 0);
    assert_int_equal(r32(b, 0x080FFFFCu), 0xFFFFFFFFu);
    assert_int_equal(r32(b, 0x080E0000u - 4), 0xFFFFFFFFu);

    /* nWRP bit 6 protects sectors 12 and 13, not 14. */
    opt_write(b, r32(b, OPTCR) & ~(1u << (16 + 6)));
    assert_int_equal(erase(b, CR_SER | SNB(16), 0), SR_WRPERR);
    assert_int_equal(erase(b, CR_SER | SNB(17), 0), SR_WRPERR);
    assert_int_equal(erase(b, CR_SER | SNB(18), 250), 0);
    opt_write(b, r32(b, OPTCR) | 1u << (16 + 6));

    /* MER2 (CR bit 15) erases bank 2 only. */
    program_word(b, 0x08000000u, 0x44444444u);
    assert_int_equal(erase(b, 1u << 15, 0), SR_BSY); /* started */
    sim_clock_advance(b, MS(20000));
    assert_int_equal(r32(b, SR) & SR_BSY, 0);
    assert_int_equal(r32(b, 0x08104000u), 0xFFFFFFFFu);
    assert_int_equal(r32(b, 0x08000000u), 0x44444444u);
    sim_board_close(b);

    /* The bank mode is in the option bytes: the saved board comes back in dual-bank mode. */
    b = open_board(spec);
    assert_int_equal(r32(b, OPTCR) & (1u << 29), 0);
    unlock(b);
    assert_int_equal(erase(b, CR_SER | SNB(27), 1000), 0); /* sector 23: last 128 KiB */
    opt_write(b, r32(b, OPTCR) | 1u << 29);
    assert_int_equal(erase(b, CR_SER | SNB(16), 0), SR_ERSERR);
    assert_int_equal(erase(b, CR_SER | SNB(11), 2000), 0); /* single bank: 256 KiB */
    sim_board_close(b);
    remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids_and_option_registers),
        cmocka_unit_test(test_sector_erase_timings),
        cmocka_unit_test(test_erserr_pgperr_wrperr),
        cmocka_unit_test(test_option_change_wrp),
        cmocka_unit_test(test_dual_bank_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
