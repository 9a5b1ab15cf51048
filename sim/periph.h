/* Peripheral addresses per family, for the few peripherals the board models (RCC, GPIO,
 * CRC). The chip database has no rows for them; each value below cites its manual. */
#ifndef SIM_PERIPH_H
#define SIM_PERIPH_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_internal.h"

typedef struct sim_periph_map {
    uint32_t rcc_base;
    uint32_t rcc_cr_reset;
    uint32_t rcc_cfgr_off;
    uint32_t rcc_csr_off;
    uint32_t rcc_csr_por_flags; /* RCC_CSR[31:24] after power-on */
    uint32_t rcc_borrstf;       /* BORRSTF bit, 0 when the family has none */
    uint32_t rcc_oblrstf;       /* OBLRSTF bit (L1), else 0 */
    uint32_t rcc_rmvf;          /* RMVF bit when not bit 24 (L4/G0/G4: bit 23), else 0 */
    uint32_t rcc_gpio_en_off;   /* register with the GPIO clock enables */
    unsigned rcc_gpio_en_bit0;  /* bit of port A */
    uint32_t rcc_crc_en_off;
    unsigned rcc_crc_en_bit;
    uint32_t rcc_resets[8][2]; /* other non-zero reset values: {offset, value}, 0-ended */
    uint8_t rdy_pairs[6];      /* RCC_CR ON bits whose RDY bit (ON+1) follows, 0xFF-ended */
    uint32_t gpio_base;
    uint32_t gpio_stride;
    unsigned gpio_ports;
    bool gpio_f1;       /* F1 CRL/CRH layout with AFIO remap */
    uint32_t afio_mapr; /* F1 AFIO_MAPR address, else 0 */
    uint32_t crc_base;
    bool crc_programmable; /* F7: INIT, POL, POLYSIZE, REV_IN/OUT */
} sim_periph_map;

#define SIM_RDY_END 0xFFu

const sim_periph_map *sim_periph_map_for(const sim_board *b);

/* Recomputes the core clock from the RCC registers (HSE taken as 8 MHz). */
void sim_rcc_update_clock(sim_board *b);

#endif
