/* The few peripherals the board models (RCC, GPIO, CRC): their addresses and reset values
 * are the chip database's family row (chip->fam), each value with its manual. */
#ifndef SIM_PERIPH_H
#define SIM_PERIPH_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_internal.h"

/* Recomputes the core clock from the RCC registers (HSE taken as 8 MHz). */
void sim_rcc_update_clock(sim_board *b);

#endif
