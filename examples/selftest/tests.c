/* The example on-chip test suite: pure code (CRC-32, division through libgcc on M0+),
 * the core the suite runs on (CPUID), and on the F407 the chip's CRC unit. Built and run by
 * the Makefile here (`make check`), on the virtual board or a real one. SELFTEST_BREAK makes
 * one test fail, to see the run fail. */
#include <stdint.h>

#include "board.h"
#include "ut.h"

#define REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

static uint32_t crc32_sw(const uint8_t *p, unsigned len)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (unsigned i = 0; i < len; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static void test_crc32(void)
{
    static const uint8_t check[] = "123456789";
    UT_CHECK(crc32_sw(check, 9) == 0xCBF43926u); /* the CRC-32 check value */
    UT_CHECK(crc32_sw(check, 0) == 0);
}

static volatile uint32_t dividend = 1000000007u, divisor = 97u;

static void test_division(void)
{
    uint32_t q = dividend / divisor, r = dividend % divisor;
    UT_CHECK(q == 10309278u);
    UT_CHECK(r == 41u);
    UT_CHECK(q * divisor + r == dividend);
}

static void test_core(void)
{
    uint32_t partno = (REG32(0xE000ED00u) >> 4) & 0xFFFu; /* SCB->CPUID */
#if defined(__ARM_ARCH_6M__)
    UT_CHECK(partno == 0xC60u); /* Cortex-M0+ */
#elif defined(BOARD_F767)
    UT_CHECK(partno == 0xC27u); /* Cortex-M7 */
#elif defined(__ARM_ARCH_7EM__)
    UT_CHECK(partno == 0xC24u); /* Cortex-M4 */
#else
    UT_CHECK(partno == 0xC23u); /* Cortex-M3 */
#endif
}

static void test_crc_unit(void)
{
#if defined(BOARD_F407)
    /* RM0090 "CRC calculation unit": AHB1ENR.CRCEN (bit 12), CR.RESET, DR; polynomial
     * 0x04C11DB7 over 32-bit words from 0xFFFFFFFF. */
    REG32(0x40023830u) |= 1u << 12;
    REG32(0x40023008u) = 1u;
    REG32(0x40023000u) = 0x12345678u;
    UT_CHECK(REG32(0x40023000u) == 0xDF8A8A2Bu);
#endif
}

static void test_broken(void)
{
#ifdef SELFTEST_BREAK
    UT_CHECK(1 + 1 == 3);
#endif
}

int main(void)
{
    static const ut_case cases[] = {
        {"crc32 check value", test_crc32},
        {"32-bit division", test_division},
        {"the core is " BOARD_NAME "'s", test_core},
        {"the chip's CRC unit", test_crc_unit},
        {"arithmetic", test_broken},
    };
    ut_run(cases, sizeof(cases) / sizeof(cases[0]));
}
