/* The peripheral dispatch of the board: RCC, GPIO, CRC, IWDG. Where each sits and how it
 * resets is the chip database's family row (stp_family: RCC, GPIO and CRC addresses, reset
 * values), each fact with its manual section. */
#include "periph.h"

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
    const stp_family *m = b->chip->fam;
    for (size_t i = 0; i < sizeof b->rcc / sizeof b->rcc[0]; i++)
        b->rcc[i] = 0;
    b->rcc[0] = m->rcc_cr_reset;
    for (size_t i = 0; i < sizeof m->rcc_resets / sizeof m->rcc_resets[0] && m->rcc_resets[i][0];
         i++)
        b->rcc[m->rcc_resets[i][0] / 4] = m->rcc_resets[i][1];
    for (unsigned p = 0; p < 11; p++) {
        for (unsigned r = 0; r < 16; r++)
            b->gpio[p][r] = 0;
    }
    if (m->gpio_crl_crh) {
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
