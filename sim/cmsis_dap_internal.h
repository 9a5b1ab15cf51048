/* Internals of the CMSIS-DAP probe model, shared by sim/cmsis_dap.c (USB: identity,
 * packets, the queue of commands in flight, timing) and sim/cmsis_dap_cmd.c (the
 * commands). Command IDs, request and response layouts are those of the CMSIS-DAP 2.1
 * documentation. */
#ifndef SIM_CMSIS_DAP_INTERNAL_H
#define SIM_CMSIS_DAP_INTERNAL_H

#include "cmsis_dap.h"
#include "dap.h"

/* Command IDs. */
#define DAP_INFO            0x00
#define DAP_HOST_STATUS     0x01
#define DAP_CONNECT         0x02
#define DAP_DISCONNECT      0x03
#define DAP_TRANSFER_CONFIG 0x04
#define DAP_TRANSFER        0x05
#define DAP_TRANSFER_BLOCK  0x06
#define DAP_TRANSFER_ABORT  0x07
#define DAP_WRITE_ABORT     0x08
#define DAP_DELAY           0x09
#define DAP_RESET_TARGET    0x0A
#define DAP_SWJ_PINS        0x10
#define DAP_SWJ_CLOCK       0x11
#define DAP_SWJ_SEQUENCE    0x12
#define DAP_SWD_CONFIGURE   0x13
#define DAP_INVALID         0xFF /* the answer to a command the firmware does not have */

/* Transfer request bits and response values. */
#define DAP_REQ_APNDP      (1u << 0)
#define DAP_REQ_RNW        (1u << 1)
#define DAP_REQ_A32        0x0Cu
#define DAP_REQ_MATCH_VAL  (1u << 4)
#define DAP_REQ_MATCH_MASK (1u << 5)
#define DAP_REQ_TIMESTAMP  (1u << 7)
#define DAP_ACK_OK         1u
#define DAP_ACK_WAIT       2u
#define DAP_ACK_FAULT      4u
#define DAP_ACK_NONE       7u
#define DAP_RESP_ERROR     (1u << 3) /* protocol (parity) error */
#define DAP_RESP_MISMATCH  (1u << 4)

/* DAP_SWJ_Pins bits. */
#define DAP_PIN_SWCLK  (1u << 0)
#define DAP_PIN_SWDIO  (1u << 1)
#define DAP_PIN_NRESET (1u << 7)

#define DAP_PACKET_MAX 512u /* the largest packet of either kind */
#define DAP_COUNT_MAX  4u

typedef struct dap_response {
    uint8_t data[DAP_PACKET_MAX];
    uint16_t len;
    uint64_t ready_ns; /* when the probe has it ready (board time) */
} dap_response;

struct sim_cmsis_dap {
    sim_board *board;
    const sim_spec *spec;
    sim_dap dap; /* the target's debug port, and the probe's SWCLK and WAIT retry count */
    bool v1;
    sim_probe_usb usb;
    char serial[40];
    uint16_t packet_size;
    uint8_t packet_count;
    /* DAP_TransferConfigure */
    uint8_t idle_cycles;
    uint16_t match_retry;
    uint32_t match_mask;
    uint8_t port;    /* DAP_Connect: 0 none, 1 SWD */
    bool nreset_low; /* the probe drives nRESET low */
    /* Commands answered, their responses not yet read by the host (in order). */
    dap_response queue[DAP_COUNT_MAX];
    unsigned head, pending;
    uint64_t host_ns;  /* the host's clock (sim/probe.h) */
    uint64_t out_free; /* when the OUT pipe can carry the next transfer */
    uint64_t in_free;  /* the IN pipe */
    void (*trace)(void *user, const char *line);
    void *trace_user;
};

/* cmsis_dap_cmd.c: runs one command of len bytes; writes the response into resp (at most
 * packet_size bytes) and returns its length, 0 for a command without a response
 * (DAP_TransferAbort). */
size_t dap_execute(sim_cmsis_dap *d, const uint8_t *cmd, size_t len, uint8_t *resp);
/* The probe's defaults after power-up or a USB reset (clock, retries, not connected). */
void dap_defaults(sim_cmsis_dap *d);
void dap_trace(sim_cmsis_dap *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
