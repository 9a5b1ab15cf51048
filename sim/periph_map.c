/* Which family has its RCC, GPIO and CRC where, and the peripheral dispatch. Sources:
 * RM0008 rev 21 (F1) sections 7.3 (RCC), 9.2 (GPIO), 4 (CRC); RM0090 rev 19 (F2/F4)
 * 7.3, 8.4, 4; RM0410 rev 4 (F7) 5.3, 6.4, 7; RM0038 rev 17 (L1) 6.3, 7.4, 4. */
#include "periph.h"

#define NOT_READY SIM_RDY_END

static const sim_periph_map map_f1 = {
    .rcc_base = 0x40021000,
    .rcc_cr_reset = 0x00000083, /* HSION, HSIRDY, HSITRIM=16 */
    .rcc_cfgr_off = 0x04,
    .rcc_csr_off = 0x24,
    .rcc_csr_por_flags = 0x0C000000, /* PORRSTF, PINRSTF */
    .rcc_gpio_en_off = 0x18,         /* APB2ENR: IOPAEN is bit 2 */
    .rcc_gpio_en_bit0 = 2,
    .rcc_crc_en_off = 0x14, /* AHBENR: CRCEN bit 6 */
    .rcc_crc_en_bit = 6,
    .rcc_resets = {{0x14, 0x00000014}}, /* AHBENR: SRAMEN, FLITFEN */
    .rdy_pairs = {0, 16, 24, 26, 28, NOT_READY},
    .gpio_base = 0x40010800,
    .gpio_stride = 0x400,
    .gpio_ports = 7,
    .gpio_f1 = true,
    .afio_mapr = 0x40010004,
    .crc_base = 0x40023000,
};

static const sim_periph_map map_f4 = {
    .rcc_base = 0x40023800,
    .rcc_cr_reset = 0x00000083,
    .rcc_cfgr_off = 0x08,
    .rcc_csr_off = 0x74,
    .rcc_csr_por_flags = 0x0E000000, /* BORRSTF, PINRSTF, PORRSTF */
    .rcc_borrstf = 1u << 25,
    .rcc_gpio_en_off = 0x30, /* AHB1ENR: GPIOAEN bit 0 */
    .rcc_gpio_en_bit0 = 0,
    .rcc_crc_en_off = 0x30, /* AHB1ENR: CRCEN bit 12 */
    .rcc_crc_en_bit = 12,
    .rcc_resets = {{0x04, 0x24003010}, {0x30, 0x00100000}}, /* PLLCFGR, AHB1ENR CCMDATARAMEN */
    .rdy_pairs = {0, 16, 24, 26, 28, NOT_READY},
    .gpio_base = 0x40020000,
    .gpio_stride = 0x400,
    .gpio_ports = 11,
    .crc_base = 0x40023000,
};

static const sim_periph_map map_f7 = {
    .rcc_base = 0x40023800,
    .rcc_cr_reset = 0x00000083,
    .rcc_cfgr_off = 0x08,
    .rcc_csr_off = 0x74,
    .rcc_csr_por_flags = 0x0E000000,
    .rcc_borrstf = 1u << 25,
    .rcc_gpio_en_off = 0x30,
    .rcc_gpio_en_bit0 = 0,
    .rcc_crc_en_off = 0x30,
    .rcc_crc_en_bit = 12,
    .rcc_resets = {{0x04, 0x24003010}, {0x30, 0x00100000}},
    .rdy_pairs = {0, 16, 24, 26, 28, NOT_READY},
    .gpio_base = 0x40020000,
    .gpio_stride = 0x400,
    .gpio_ports = 11,
    .crc_base = 0x40023000,
    .crc_programmable = true,
};

static const sim_periph_map map_l1 = {
    .rcc_base = 0x40023800,
    .rcc_cr_reset = 0x00000300, /* MSION, MSIRDY */
    .rcc_cfgr_off = 0x08,
    .rcc_csr_off = 0x34,
    .rcc_csr_por_flags = 0x0C000000,
    .rcc_oblrstf = 1u << 25,
    .rcc_gpio_en_off = 0x1C, /* AHBENR: GPIOAEN bit 0 */
    .rcc_gpio_en_bit0 = 0,
    .rcc_crc_en_off = 0x1C, /* AHBENR: CRCEN bit 12 */
    .rcc_crc_en_bit = 12,
    .rcc_resets = {{0x04, 0x0000B000}}, /* ICSCR: MSIRANGE 5 (2.097 MHz) */
    .rdy_pairs = {0, 8, 16, 24, NOT_READY},
    .gpio_base = 0x40020000,
    .gpio_stride = 0x400,
    .gpio_ports = 8,
    .crc_base = 0x40023000,
};

/* L4: RM0351 rev 9 6.4 (RCC), 8.4 (GPIO); G4: RM0440 rev 7 7.4, 9.4; G0: RM0444 rev 5 5.4,
 * 7.4. RCC at 0x40021000, CRC at 0x40023000 on all three. RCC_CR: MSION/MSIRDY (L4), HSION
 * bit 8 with HSIRDY bit 10 (not ON+1: left out of rdy_pairs). */
static const sim_periph_map map_l4 = {
    .rcc_base = 0x40021000,
    .rcc_cr_reset = 0x00000063, /* MSION, MSIRDY, MSIRANGE 6 (4 MHz) */
    .rcc_cfgr_off = 0x08,
    .rcc_csr_off = 0x94,
    .rcc_csr_por_flags = 0x0C000000, /* BORRSTF (bit 27), PINRSTF */
    .rcc_oblrstf = 1u << 25,
    .rcc_rmvf = 1u << 23,
    .rcc_gpio_en_off = 0x4C, /* AHB2ENR: GPIOAEN bit 0 */
    .rcc_gpio_en_bit0 = 0,
    .rcc_crc_en_off = 0x48, /* AHB1ENR: CRCEN bit 12 */
    .rcc_crc_en_bit = 12,
    .rdy_pairs = {0, 16, 24, 26, 28, NOT_READY},
    .gpio_base = 0x48000000,
    .gpio_stride = 0x400,
    .gpio_ports = 8,
    .crc_base = 0x40023000,
};

static const sim_periph_map map_g4 = {
    .rcc_base = 0x40021000,
    .rcc_cr_reset = 0x00000500, /* HSION, HSIRDY */
    .rcc_cfgr_off = 0x08,
    .rcc_csr_off = 0x94,
    .rcc_csr_por_flags = 0x0C000000,
    .rcc_oblrstf = 1u << 25,
    .rcc_rmvf = 1u << 23,
    .rcc_gpio_en_off = 0x4C,
    .rcc_gpio_en_bit0 = 0,
    .rcc_crc_en_off = 0x48,
    .rcc_crc_en_bit = 12,
    .rdy_pairs = {16, 24, NOT_READY},
    .gpio_base = 0x48000000,
    .gpio_stride = 0x400,
    .gpio_ports = 7,
    .crc_base = 0x40023000,
};

static const sim_periph_map map_g0 = {
    .rcc_base = 0x40021000,
    .rcc_cr_reset = 0x00000500, /* HSION, HSIRDY */
    .rcc_cfgr_off = 0x08,
    .rcc_csr_off = 0x60,
    .rcc_csr_por_flags = 0x0C000000, /* PWRRSTF (bit 27), PINRSTF */
    .rcc_oblrstf = 1u << 25,
    .rcc_rmvf = 1u << 23,
    .rcc_gpio_en_off = 0x34, /* IOPENR: GPIOAEN bit 0 */
    .rcc_gpio_en_bit0 = 0,
    .rcc_crc_en_off = 0x38, /* AHBENR: CRCEN bit 12 */
    .rcc_crc_en_bit = 12,
    .rdy_pairs = {16, 24, NOT_READY},
    .gpio_base = 0x50000000,
    .gpio_stride = 0x400,
    .gpio_ports = 6,
    .crc_base = 0x40023000,
};

const sim_periph_map *sim_periph_map_for(const sim_board *b)
{
    switch (b->chip->flash_kind) {
    case STP_FLASH_L4:
        if (b->chip->family[0] == 'G')
            return b->chip->family[1] == '0' ? &map_g0 : &map_g4;
        return &map_l4;
    case STP_FLASH_F1:
        return &map_f1;
    case STP_FLASH_F7:
        return &map_f7;
    case STP_FLASH_L1:
        return &map_l1;
    case STP_FLASH_F2F4:
    default:
        return &map_f4;
    }
}

bool sim_periph_read(sim_board *b, uint32_t addr, uint32_t *val)
{
    return sim_rcc_read(b, addr, val) || sim_gpio_read(b, addr, val) ||
           sim_crc_read(b, addr, val) || sim_iwdg_read(b, addr, val);
}

bool sim_periph_write(sim_board *b, uint32_t addr, uint32_t val, uint32_t mask)
{
    return sim_rcc_write(b, addr, val, mask) || sim_gpio_write(b, addr, val, mask) ||
           sim_crc_write(b, addr, val, mask) || sim_iwdg_write(b, addr, val, mask);
}

void sim_periph_reset(sim_board *b, bool por)
{
    const sim_periph_map *m = sim_periph_map_for(b);
    for (size_t i = 0; i < sizeof b->rcc / sizeof b->rcc[0]; i++)
        b->rcc[i] = 0;
    b->rcc[0] = m->rcc_cr_reset;
    for (size_t i = 0; i < 8 && m->rcc_resets[i][0]; i++)
        b->rcc[m->rcc_resets[i][0] / 4] = m->rcc_resets[i][1];
    for (unsigned p = 0; p < 11; p++) {
        for (unsigned r = 0; r < 16; r++)
            b->gpio[p][r] = 0;
    }
    if (m->gpio_f1) {
        for (unsigned p = 0; p < 11; p++)
            b->gpio[p][0] = b->gpio[p][1] = 0x44444444u; /* floating inputs */
    } else {
        /* PA13/PA14 (and PA15, PB3, PB4 for JTAG) start in their debug alternate function. */
        b->gpio[0][0] = 0xA8000000u;
        b->gpio[0][2] = 0x0C000000u;
        b->gpio[0][3] = 0x64000000u;
        b->gpio[1][0] = 0x00000280u;
        b->gpio[1][2] = 0x000000C0u;
        b->gpio[1][3] = 0x00000100u;
    }
    b->afio_mapr = 0;
    sim_crc_reset(b);
    (void)por;
}
