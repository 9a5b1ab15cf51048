/* The trace path of the virtual board (sim/swo.c): ITM stimulus writes become ITM packets,
 * the TPIU sends them on the SWO pin as asynchronous NRZ (UART) bytes at TRACECLKIN /
 * (ACPR + 1), and a probe listening on the pin at some baud rate receives them. */
#ifndef SIM_SWO_INTERNAL_H
#define SIM_SWO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/swo.h"
#include "sim_internal.h"

#define SIM_TPIU_BASE 0xE0040000u

/* TPIU registers (0xE0040000-0xE0040FFF) for the core and the debugger: true when addr is
 * one (handled), false to let the caller answer. */
bool sim_tpiu_read(sim_board *b, uint32_t addr, uint32_t *val);
bool sim_tpiu_write(sim_board *b, uint32_t addr, uint32_t val);

/* From the core (sim_bus hooks): a stimulus write the ITM accepted (tcr = ITM_TCR), and
 * FIFOREADY of a stimulus port read. */
void sim_itm_write(sim_board *b, unsigned port, uint32_t val, unsigned width, uint32_t tcr);
bool sim_itm_ready(sim_board *b);

/* Frees the model's state (board close). */
void sim_swo_free(sim_board *b);

#endif
