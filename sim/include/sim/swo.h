/* The virtual board's SWO pin as a probe sees it (sim/swo.c): the TPIU sends the ITM's
 * packets as asynchronous NRZ bytes at TRACECLKIN / (ACPR + 1); a receiver listening at
 * another rate (more than 3 % off) gets framing garbage, and nothing comes out while the
 * pin is not driven (DBGMCU_CR.TRACE_IOEN clear, a synchronous TRACE_MODE). */
#ifndef SIM_SWO_H
#define SIM_SWO_H

#include <stddef.h>
#include <stdint.h>

#include "sim/board.h"

/* The probe's SWO receiver listens from now on at baud (0 = stops listening): what left the
 * pin before is not received. */
void sim_swo_listen(sim_board *b, uint32_t baud);
/* Bytes received by now (as the receiver decodes them at its baud rate), at most cap; the
 * rest stays for the next call. */
size_t sim_swo_take(sim_board *b, uint8_t *out, size_t cap);

#endif
