/* The board with its Cortex-M core: the example blinky runs from flash and drives its
 * LEDs, boot0=1 runs system memory, and a brown-out shows in DHCSR.S_RESET_ST. */
#include <stdlib.h>
#include <string.h>

#include "sim_test.h"

#define DHCSR      0xE000EDF0u
#define DCRSR      0xE000EDF4u
#define DCRDR      0xE000EDF8u
#define DEMCR      0xE000EDFCu
#define S_RESET_ST (1u << 25)
#define S_HALT     (1u << 17)
#define DBGKEY     0xA05F0000u
#define F4_KEYR    0x40023C04u
#define F4_SR      0x40023C0Cu
#define F4_CR      0x40023C10u
#define F4_RCC_CSR 0x40023874u

static uint8_t *load_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = calloc(1, (size_t)n + 4);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static uint32_t read_core_reg(sim_board *b, unsigned reg)
{
    assert_int_equal(w32(b, DCRSR, reg), SIM_ACC_OK);
    sim_clock_advance(b, 1000);
    return r32(b, DCRDR);
}

/* Programs the image through the F4 flash controller, as a debugger without loader would. */
static void program_f4(sim_board *b, const uint8_t *img, size_t len)
{
    assert_int_equal(w32(b, F4_KEYR, 0x45670123), SIM_ACC_OK);
    assert_int_equal(w32(b, F4_KEYR, 0xCDEF89AB), SIM_ACC_OK);
    assert_int_equal(w32(b, F4_CR, 0x2 | 0x200), SIM_ACC_OK); /* SER sector 0, x32 */
    assert_int_equal(w32(b, F4_CR, 0x2 | 0x200 | 0x10000), SIM_ACC_OK);
    sim_clock_advance(b, MS(250));
    assert_int_equal(w32(b, F4_CR, 0x1 | 0x200), SIM_ACC_OK); /* PG, x32 */
    for (size_t off = 0; off < len; off += 4) {
        uint32_t w;
        memcpy(&w, img + off, 4);
        assert_int_equal(w32(b, 0x08000000u + (uint32_t)off, w), SIM_ACC_OK);
        sim_clock_advance(b, US(16));
    }
    assert_int_equal(r32(b, F4_SR), 0);
    assert_int_equal(w32(b, F4_CR, 1u << 31), SIM_ACC_OK);
}

static void test_blinky_runs_from_flash(void **state)
{
    (void)state;
    const char *dir = getenv("STPROG_BUILD");
    char path[1024];
    snprintf(path, sizeof path, "%s/examples/blinky_f407.bin", dir ? dir : ".");
    size_t len = 0;
    uint8_t *img = load_file(path, &len);
    if (!img)
        skip(); /* examples not built (no arm-none-eabi-gcc) */
    sim_board *b = open_board("sim:stm32f407vg");
    assert_int_equal(w32(b, DHCSR, DBGKEY | 3), SIM_ACC_OK); /* halt while programming */
    sim_clock_advance(b, US(10));
    program_f4(b, img, len);
    assert_int_equal(w32(b, DHCSR, DBGKEY | 0), SIM_ACC_OK); /* debug off: run freely */
    sim_nrst_set(b, true);
    sim_nrst_set(b, false);
    unsigned on = 0, off = 0, leds = 0;
    for (int i = 0; i < 100; i++) {
        sim_clock_advance(b, MS(10));
        uint32_t odr = r32(b, 0x40020C14) & 0xF000u; /* GPIOD ODR, LEDs PD12..PD15 */
        if (odr) {
            on++;
            leds |= odr;
        } else {
            off++;
        }
    }
    assert_true(r32(b, 0x40023830) & (1u << 3));                     /* GPIODEN */
    assert_int_equal(r32(b, 0x40020C00) & 0xFF000000u, 0x55000000u); /* outputs */
    (void)off;
    assert_true(on > 0);
    assert_true(__builtin_popcount(leds) >= 2); /* more than one LED took its turn */
    /* 1 s at the 16 MHz reset clock, one instruction per cycle. */
    uint64_t n = sim_board_stats(b)->core_instructions;
    assert_true(n > 15000000 && n < 17000000);
    /* Switch SYSCLK to the PLL at 64 MHz (HSI / 16 * 256 / 4): four times the instructions. */
    assert_int_equal(w32(b, 0x40023804, 0x00014010u), SIM_ACC_OK); /* PLLCFGR */
    assert_int_equal(w32(b, 0x40023800, r32(b, 0x40023800) | 1u << 24), SIM_ACC_OK);
    assert_true(r32(b, 0x40023800) & (1u << 25));         /* PLLRDY */
    assert_int_equal(w32(b, 0x40023808, 2u), SIM_ACC_OK); /* SW = PLL */
    assert_int_equal(r32(b, 0x40023808) & 0xCu, 0x8u);    /* SWS = PLL */
    sim_clock_advance(b, MS(1000));
    uint64_t m = sim_board_stats(b)->core_instructions - n;
    assert_true(m > 62000000 && m < 66000000);
    free(img);
    sim_board_close(b);
}

static void test_boot0_runs_system_memory(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32f407vg,boot0=1");
    sim_clock_advance(b, MS(1));
    assert_int_equal(w32(b, DHCSR, DBGKEY | 3), SIM_ACC_OK);
    sim_clock_advance(b, US(10));
    assert_true(r32(b, DHCSR) & S_HALT);
    uint32_t pc = read_core_reg(b, 15);
    assert_true(pc >= 0x1FFF0000u && pc < 0x1FFF8000u);
    sim_board_close(b);
}

static void write_core_reg(sim_board *b, unsigned reg, uint32_t v)
{
    assert_int_equal(w32(b, DCRDR, v), SIM_ACC_OK);
    assert_int_equal(w32(b, DCRSR, reg | 1u << 16), SIM_ACC_OK); /* REGWnR */
    sim_clock_advance(b, 1000);
}

/* firmware=swd-off after connect under reset: a program the debugger starts in SRAM (a
 * flash loader) is not the firmware, so the debug port stays; pointing the core back into
 * flash starts the firmware, which takes the pins 50 us later. */
static void test_ram_program_is_not_firmware(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32f407vg,firmware=swd-off");
    uint32_t id;
    sim_nrst_set(b, true);
    assert_int_equal(w32(b, DHCSR, DBGKEY | 3), SIM_ACC_OK);
    assert_int_equal(w32(b, DEMCR, 1u), SIM_ACC_OK); /* VC_CORERESET */
    sim_nrst_set(b, false);
    sim_clock_advance(b, US(10));
    assert_true(r32(b, DHCSR) & S_HALT);
    /* 0x20000000: ldr r0,=0x20000100; 1: ldr r1,[r0]; adds r1,#1; str r1,[r0]; b 1b */
    static const uint32_t prog[] = {0x68014802u, 0x60013101u, 0xBF00E7FBu, 0x20000100u};
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(w32(b, 0x20000000u + 4 * i, prog[i]), SIM_ACC_OK);
    assert_int_equal(w32(b, 0x20000100u, 0), SIM_ACC_OK);
    write_core_reg(b, 15, 0x20000000u);
    write_core_reg(b, 13, 0x20001000u);
    assert_int_equal(w32(b, DHCSR, DBGKEY | 1), SIM_ACC_OK); /* run */
    sim_clock_advance(b, MS(5));
    assert_int_equal(sim_dp_idcode(b, &id), SIM_ACC_OK);
    assert_true(r32(b, 0x20000100u) > 10000u); /* the program ran all along */
    assert_int_equal(w32(b, DHCSR, DBGKEY | 3), SIM_ACC_OK);
    sim_clock_advance(b, US(10));
    assert_true(r32(b, DHCSR) & S_HALT);
    /* Back to the program in flash (its reset handler's address). */
    write_core_reg(b, 15, 0x08000000u);
    assert_int_equal(w32(b, DHCSR, DBGKEY | 1), SIM_ACC_OK);
    sim_clock_advance(b, US(40));
    assert_int_equal(sim_dp_idcode(b, &id), SIM_ACC_OK);
    sim_clock_advance(b, US(20));
    assert_int_equal(sim_dp_idcode(b, &id), SIM_ACC_NO_TARGET);
    sim_board_close(b);
}

/* STM32 CRC unit (RM0090 4.3): CRC-32 polynomial 0x04C11DB7, initial 0xFFFFFFFF, words. */
static uint32_t crc_words(const uint32_t *w, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        crc ^= w[i];
        for (int k = 0; k < 32; k++)
            crc = crc & 0x80000000u ? crc << 1 ^ 0x04C11DB7u : crc << 1;
    }
    return crc;
}

/* A program in SRAM feeds the CRC unit (every store counts in its result), increments a
 * RAM counter and writes a GPIO register, in one loop: each store happens exactly once
 * however the board cuts the core's run into slices. */
static void test_core_stores_to_registers_happen_once(void **state)
{
    (void)state;
    /* ldr r0,=CRC_DR; ldr r1,=0x20000400; ldr r2,=GPIOD_ODR; movs r3,#0
     * 1: str r3,[r0]; ldr r4,[r1]; adds r4,#1; str r4,[r1]; str r3,[r2]; str r4,[r0]
     *    adds r3,#1; cmp r3,#100; bne 1b; bkpt #1 */
    static const uint32_t prog[] = {0x49074806u, 0x23004A07u, 0x680C6003u, 0x600C3401u,
                                    0x60046013u, 0x2B643301u, 0xBE01D1F6u, 0x40023000u,
                                    0x20000400u, 0x40020C14u};
    uint32_t fed[200];
    for (uint32_t i = 0; i < 100; i++) {
        fed[2 * i] = i;
        fed[2 * i + 1] = i + 1;
    }
    const uint64_t steps_ns[] = {100, 300, 1000, 7000, 1000000};
    for (size_t s = 0; s < sizeof steps_ns / sizeof steps_ns[0]; s++) {
        sim_board *b = open_board("sim:stm32f407vg");
        assert_int_equal(w32(b, DHCSR, DBGKEY | 3), SIM_ACC_OK);
        sim_clock_advance(b, US(10));
        assert_int_equal(w32(b, 0x40023830u, (1u << 12) | (1u << 3)), SIM_ACC_OK); /* CRC, GPIOD */
        assert_int_equal(w32(b, 0x40023008u, 1u), SIM_ACC_OK); /* CRC_CR RESET */
        for (unsigned i = 0; i < sizeof prog / 4; i++)
            assert_int_equal(w32(b, 0x20000000u + 4 * i, prog[i]), SIM_ACC_OK);
        assert_int_equal(w32(b, 0x20000400u, 0), SIM_ACC_OK);
        write_core_reg(b, 15, 0x20000000u);
        assert_int_equal(w32(b, DHCSR, DBGKEY | 1), SIM_ACC_OK);
        for (int i = 0; i < 100000 && !(r32(b, DHCSR) & S_HALT); i++)
            sim_clock_advance(b, steps_ns[s]);
        assert_true(r32(b, DHCSR) & S_HALT);
        assert_int_equal(r32(b, 0x20000400u), 100);
        assert_int_equal(r32(b, 0x40020C14u), 99);
        assert_int_equal(r32(b, 0x40023000u), crc_words(fed, 200));
        sim_board_close(b);
    }
}

static void test_brownout_sets_s_reset_st(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32f407vg,supply=unstable,seed=3");
    bool seen = false;
    for (int i = 0; i < 16 && !seen; i++) {
        (void)r32(b, DHCSR); /* reading clears S_RESET_ST */
        assert_int_equal(r32(b, DHCSR) & S_RESET_ST, 0);
        assert_int_equal(w32(b, F4_RCC_CSR, 1u << 24), SIM_ACC_OK);
        assert_int_equal(w32(b, F4_KEYR, 0x45670123), SIM_ACC_OK);
        assert_int_equal(w32(b, F4_KEYR, 0xCDEF89AB), SIM_ACC_OK);
        assert_int_equal(w32(b, F4_CR, 0x2 | (1u << 3) | 0x200 | 0x10000), SIM_ACC_OK);
        sim_clock_advance(b, MS(300));
        if (r32(b, F4_RCC_CSR) & (1u << 25)) {
            seen = true;
            assert_true(r32(b, DHCSR) & S_RESET_ST);
        } else {
            assert_int_equal(w32(b, F4_CR, 1u << 31), SIM_ACC_OK);
        }
    }
    assert_true(seen);
    sim_board_close(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blinky_runs_from_flash),
        cmocka_unit_test(test_boot0_runs_system_memory),
        cmocka_unit_test(test_brownout_sets_s_reset_st),
        cmocka_unit_test(test_ram_program_is_not_firmware),
        cmocka_unit_test(test_core_stores_to_registers_happen_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
