/* F7 flash controller model (RM0410): F4 registers with ERSERR and F7 option bytes. */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids_and_option_registers),
        cmocka_unit_test(test_sector_erase_timings),
        cmocka_unit_test(test_erserr_pgperr_wrperr),
        cmocka_unit_test(test_option_change_wrp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
