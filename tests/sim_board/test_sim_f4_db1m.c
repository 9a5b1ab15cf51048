/* DB1M on the 1 MiB STM32F42x/F43x model (RM0090 3.9.10 FLASH_OPTCR bit 30, 3.9.11
 * FLASH_OPTCR1): written through OPTCR with OPTSTRT it is stored in the option bytes
 * (half-word at 0x1FFFC008, bit 14) and the flash becomes two banks of 512 KiB at the next
 * reset: sectors 0-7 at 0x08000000 and 12-19 (SNB 16-23) at 0x08080000. Sectors 12-19 are
 * protected by OPTCR1 nWRP0-7. Driven like a debugger. */
#include <stdlib.h>
#include <string.h>

#include "sim_test.h"

#define KEYR    0x40023C04u
#define OPTKEYR 0x40023C08u
#define SR      0x40023C0Cu
#define CR      0x40023C10u
#define OPTCR   0x40023C14u
#define OPTCR1  0x40023C18u

#define SR_WRPERR (1u << 4)
#define SR_PGSERR (1u << 7)
#define SR_BSY    (1u << 16)
#define CR_PG     (1u << 0)
#define CR_SER    (1u << 1)
#define CR_STRT   (1u << 16)
#define DB1M      (1u << 30)
#define PSIZE2    (2u << 8)
#define SNB(x)    ((uint32_t)(x) << 3)

static void wait_not_busy(sim_board *b)
{
    uint64_t t0 = sim_clock_ns(b);
    while (r32(b, SR) & SR_BSY) {
        assert_true(sim_clock_ns(b) - t0 < MS(5000));
        sim_clock_advance(b, US(100));
    }
}

static void unlock(sim_board *b)
{
    assert_int_equal(w32(b, KEYR, 0x45670123), SIM_ACC_OK);
    assert_int_equal(w32(b, KEYR, 0xCDEF89AB), SIM_ACC_OK);
}

static void write_optcr(sim_board *b, uint32_t optcr, uint32_t optcr1)
{
    assert_int_equal(w32(b, OPTKEYR, 0x08192A3B), SIM_ACC_OK);
    assert_int_equal(w32(b, OPTKEYR, 0x4C5D6E7F), SIM_ACC_OK);
    assert_int_equal(w32(b, OPTCR1, optcr1), SIM_ACC_OK);
    assert_int_equal(w32(b, OPTCR, optcr), SIM_ACC_OK);
    assert_int_equal(w32(b, OPTCR, optcr | 2u), SIM_ACC_OK); /* OPTSTRT */
    wait_not_busy(b);
}

/* SER with SNB n: returns SR after the erase finished (0 or an error bit). */
static uint32_t erase(sim_board *b, unsigned snb)
{
    assert_int_equal(w32(b, CR, CR_SER | SNB(snb) | PSIZE2), SIM_ACC_OK);
    assert_int_equal(w32(b, CR, CR_SER | SNB(snb) | PSIZE2 | CR_STRT), SIM_ACC_OK);
    wait_not_busy(b);
    uint32_t sr = r32(b, SR);
    assert_int_equal(w32(b, SR, sr), SIM_ACC_OK);
    return sr;
}

static uint32_t program(sim_board *b, uint32_t addr, uint32_t v)
{
    assert_int_equal(w32(b, CR, CR_PG | PSIZE2), SIM_ACC_OK);
    assert_int_equal(w32(b, addr, v), SIM_ACC_OK);
    wait_not_busy(b);
    uint32_t sr = r32(b, SR);
    assert_int_equal(w32(b, SR, sr), SIM_ACC_OK);
    return sr;
}

static void system_reset(sim_board *b)
{
    assert_int_equal(w32(b, 0xE000ED0Cu, 0x05FA0004u), SIM_ACC_OK); /* AIRCR SYSRESETREQ */
    sim_clock_advance(b, MS(1));
}

static void test_db1m_via_optcr(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32f429zg");
    assert_int_equal(r32(b, OPTCR), 0x0FFFAAEDu); /* RM0090 reset value: DB1M = 0 */
    unlock(b);
    /* Single bank: SNB 16 (bank-2 sector 12) does not exist; 0x08080000 is sector 8. */
    assert_int_equal(erase(b, 16), SR_PGSERR);
    assert_int_equal(erase(b, 8), 0);

    write_optcr(b, 0x0FFFAAECu | DB1M, 0x0FFD0000u); /* DB1M, OPTCR1 nWRP1 (sector 13) */
    assert_int_equal(r32(b, OPTCR) & DB1M, DB1M);
    assert_int_equal(r32(b, 0x1FFFC008) & 0xFFFF, 0x4FFFu); /* stored with bit 14 */
    assert_int_equal(r32(b, 0x1FFEC008) & 0xFFFF, 0x0FFDu);
    /* Not before the next reset: still one bank. */
    assert_int_equal(erase(b, 16), SR_PGSERR);

    system_reset(b);
    assert_int_equal(r32(b, OPTCR), 0x4FFFAAEDu);
    assert_int_equal(r32(b, OPTCR1), 0x0FFD0000u);
    unlock(b);
    assert_int_equal(erase(b, 8), SR_PGSERR); /* no sector 8 any more */
    /* Sector 12 = SNB 16 at 0x08080000, 16 KiB. */
    assert_int_equal(program(b, 0x08080000u, 0x12345678u), 0);
    assert_int_equal(program(b, 0x08084000u - 4u, 0xA5A5A5A5u), 0);
    assert_int_equal(r32(b, 0x08080000u), 0x12345678u);
    assert_int_equal(erase(b, 16), 0);
    assert_int_equal(r32(b, 0x08080000u), 0xFFFFFFFFu);
    assert_int_equal(r32(b, 0x08084000u - 4u), 0xFFFFFFFFu);
    /* Sector 13 (SNB 17, 0x08084000) protected by OPTCR1 nWRP1; OPTCR nWRP9 is not it. */
    assert_int_equal(erase(b, 17), SR_WRPERR);
    assert_int_equal(program(b, 0x08084000u, 0), SR_WRPERR);
    assert_int_equal(program(b, 0x08088000u, 0), 0); /* sector 14 */
    assert_int_equal(erase(b, 23), 0);               /* sector 19, last 128 KiB */
    assert_int_equal(erase(b, 24), SR_PGSERR);       /* no sector 20 */

    /* Back to one bank at the next reset. */
    write_optcr(b, 0x0FFFAAECu, 0x0FFF0000u);
    system_reset(b);
    unlock(b);
    assert_int_equal(erase(b, 16), SR_PGSERR);
    assert_int_equal(erase(b, 8), 0);
    sim_board_close(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_db1m_via_optcr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
