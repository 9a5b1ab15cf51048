/* The CMSIS-DAP probe model (sim/cmsis_dap*.c), device side: the commands of the CMSIS-DAP
 * protocol (ARM CMSIS-DAP 2.1 documentation, "Commands") in front of the shared debug-port
 * model (sim/dap.h), over USB as a v2 probe (bulk endpoints, high speed) or a v1 probe (HID
 * reports, full speed). Reached through sim/probe.h; timing in docs/virtual-board.md. */
#ifndef SIM_CMSIS_DAP_H
#define SIM_CMSIS_DAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/board.h"
#include "sim/probe.h"

typedef struct sim_cmsis_dap sim_cmsis_dap;

/* A v2 (bulk) or v1 (HID) probe; NULL when out of memory. */
sim_cmsis_dap *sim_cmsis_dap_create(sim_board *board, bool v1);
void sim_cmsis_dap_destroy(sim_cmsis_dap *d);
const sim_probe_usb *sim_cmsis_dap_usb(const sim_cmsis_dap *d);
int sim_cmsis_dap_out(sim_cmsis_dap *d, uint8_t ep, const uint8_t *data, size_t len);
int sim_cmsis_dap_in(sim_cmsis_dap *d, uint8_t ep, uint8_t *buf, size_t maxlen, size_t *actual,
                     uint64_t since_ns);
int sim_cmsis_dap_class_request(sim_cmsis_dap *d, uint8_t req_type, uint8_t req, uint16_t value,
                                uint16_t index, uint8_t *data, uint16_t len);
void sim_cmsis_dap_usb_reset(sim_cmsis_dap *d);
void sim_cmsis_dap_set_trace(sim_cmsis_dap *d, void (*fn)(void *user, const char *line),
                             void *user);
uint64_t sim_cmsis_dap_host_ns(const sim_cmsis_dap *d);
void sim_cmsis_dap_host_wait(sim_cmsis_dap *d, uint64_t ns);
void sim_cmsis_dap_sync(sim_cmsis_dap *d);

#endif
