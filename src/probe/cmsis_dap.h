/* CMSIS-DAP driver internals (probe/cmsis_dap*.c): the probe's packets (CMSIS-DAP 2.1
 * documentation, "Commands"), DAP_Transfer request lists with WAIT/FAULT handling, and the
 * MEM-AP memory access built on them. v2 probes move packets over bulk endpoints, v1 probes
 * over HID reports (interrupt endpoints, every report padded to the packet size). */
#ifndef STP_PROBE_CMSIS_DAP_H
#define STP_PROBE_CMSIS_DAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe/debug.h"
#include "transport/transport.h"

/* Command IDs. */
#define CDAP_INFO            0x00
#define CDAP_CONNECT         0x02
#define CDAP_DISCONNECT      0x03
#define CDAP_TRANSFER_CONFIG 0x04
#define CDAP_TRANSFER        0x05
#define CDAP_WRITE_ABORT     0x08
#define CDAP_RESET_TARGET    0x0A
#define CDAP_SWJ_PINS        0x10
#define CDAP_SWJ_CLOCK       0x11
#define CDAP_SWJ_SEQUENCE    0x12
#define CDAP_SWD_CONFIGURE   0x13

/* Transfer request bits (the request byte of DAP_Transfer) and response bits. */
#define CDAP_REQ_AP         (1u << 0)
#define CDAP_REQ_READ       (1u << 1)
#define CDAP_REQ_MATCH_VAL  (1u << 4)
#define CDAP_REQ_MATCH_MASK (1u << 5)
#define CDAP_ACK_MASK       7u
#define CDAP_ACK_OK         1u
#define CDAP_ACK_WAIT       2u
#define CDAP_ACK_FAULT      4u
#define CDAP_RESP_PARITY    (1u << 3)
#define CDAP_RESP_MISMATCH  (1u << 4)

/* ADIv5 DP and MEM-AP registers (A[3:2] << 2) and fields. */
#define CDAP_DP_DPIDR     0x0u /* read; write: ABORT */
#define CDAP_DP_CTRL_STAT 0x4u
#define CDAP_DP_SELECT    0x8u
#define CDAP_AP_CSW       0x0u
#define CDAP_AP_TAR       0x4u
#define CDAP_AP_DRW       0xCu
#define CDAP_ABORT_CLEAR  0x1Eu       /* ORUNERRCLR | WDERRCLR | STKERRCLR | STKCMPCLR */
#define CDAP_CTRL_PWRUP   0x50000000u /* CSYSPWRUPREQ | CDBGPWRUPREQ */
#define CDAP_CTRL_PWRACK  0xA0000000u
/* CSW: HPROT1 (data) and master type, auto-increment single, size in bits 2:0. */
#define CDAP_CSW_BASE 0x23000050u

#define CDAP_PACKET_MAX 1024u /* the largest packet handled (high-speed HID: 1024) */
#define CDAP_INFLIGHT   8u    /* commands kept in flight at most (probe's count caps it) */
#define CDAP_REQ_MAX    256u  /* requests of one DAP_Transfer (its count is a byte) */

typedef struct cdap_req {
    uint8_t req;    /* CDAP_REQ_* | A[3:2] */
    uint32_t value; /* written value, match value or mask */
    uint32_t *dst;  /* reads: where the value goes (may be NULL) */
} cdap_req;

/* One DAP_Transfer: its requests, and after it ran how many were done and the response. */
typedef struct cdap_batch {
    cdap_req reqs[CDAP_REQ_MAX];
    unsigned count;
    unsigned done; /* requests done */
    uint8_t ack;   /* response byte of the transfer */
} cdap_batch;

typedef struct stp_cmsis_dap {
    stp_debug base;
    stp_usb *usb;
    bool v1;
    uint16_t packet_size;
    uint8_t packet_count;
    uint8_t capabilities; /* DAP_Info 0xF0 */
    bool attached;        /* line reset, DP powered up, SELECT 0 */
    bool csw_valid;
    uint32_t csw;
    size_t user_limit; /* set_transfer_limit, 0: none */
    uint8_t buf[CDAP_PACKET_MAX];
} stp_cmsis_dap;

/* ---- cmsis_dap_link.c: packets ---- */
/* Sends one command (padded to a HID report on v1). */
stp_status cdap_send(stp_cmsis_dap *c, const char *what, const uint8_t *cmd, size_t len,
                     stp_findings *f);
/* Receives the response to the oldest command in flight into c->buf; checks that it
 * answers cmd_id and is at least min bytes; *len gets its length. */
stp_status cdap_recv(stp_cmsis_dap *c, const char *what, uint8_t cmd_id, size_t min, size_t *len,
                     stp_findings *f);
/* Send and receive (nothing else in flight). */
stp_status cdap_cmd(stp_cmsis_dap *c, const char *what, const uint8_t *cmd, size_t len, size_t min,
                    size_t *rlen, stp_findings *f);
/* Reads and drops what the probe still has to send (a killed process's responses). */
void cdap_flush(stp_cmsis_dap *c);

/* ---- cmsis_dap_xfer.c: DAP_Transfer request lists ---- */
void cdap_batch_init(cdap_batch *b);
void cdap_add(cdap_batch *b, uint8_t req, uint32_t value, uint32_t *dst);
/* Encodes requests [from, b->count) of b into out (at most cap bytes): how many fit,
 * *len the command's length. */
unsigned cdap_encode(const cdap_batch *b, unsigned from, uint8_t *out, size_t cap, size_t *len);
/* Decodes a DAP_Transfer response (c->buf, len bytes) for requests [from, from + sent):
 * b->done (counted from 0) and b->ack, read values stored. */
stp_status cdap_decode(stp_cmsis_dap *c, cdap_batch *b, unsigned from, unsigned sent, size_t len,
                       stp_findings *f);
/* Runs every request of b, WAIT retried from where it stopped (backoff, 1 s of target time);
 * FAULT clears the sticky flags and fails with a finding (addr: evidence when has_addr). */
stp_status cdap_run(stp_cmsis_dap *c, cdap_batch *b, const char *what, bool has_addr, uint32_t addr,
                    stp_findings *f);
/* Status and finding for a failed response byte (after FAULT the sticky flags cleared). */
stp_status cdap_failure(stp_cmsis_dap *c, uint8_t ack, const char *what, bool has_addr,
                        uint32_t addr, stp_findings *f);
bool cdap_is_wait(uint8_t ack);
/* Line reset, JTAG-to-SWD, DPIDR read, sticky flags cleared, debug power up, AP 0. */
stp_status cdap_attach_dp(stp_cmsis_dap *c, uint32_t *dpidr, stp_findings *f);
stp_status cdap_ensure_attached(stp_cmsis_dap *c, stp_findings *f);

/* ---- cmsis_dap_mem.c: the stp_debug memory and register operations ---- */
stp_status cdap_read_mem(stp_debug *d, uint32_t addr, void *buf, size_t len, stp_findings *f);
stp_status cdap_write_mem(stp_debug *d, uint32_t addr, const void *buf, size_t len,
                          stp_findings *f);
stp_status cdap_write_mem16(stp_debug *d, uint32_t addr, const void *buf, size_t len,
                            stp_findings *f);
stp_status cdap_read_u32(stp_debug *d, uint32_t addr, uint32_t *val, stp_findings *f);
stp_status cdap_write_u32(stp_debug *d, uint32_t addr, uint32_t val, stp_findings *f);
stp_status cdap_write_u16(stp_debug *d, uint32_t addr, uint16_t val, stp_findings *f);
stp_status cdap_read_reg(stp_debug *d, unsigned regno, uint32_t *val, stp_findings *f);
stp_status cdap_write_reg(stp_debug *d, unsigned regno, uint32_t val, stp_findings *f);
size_t cdap_set_transfer_limit(stp_debug *d, size_t max_bytes);

/* ---- cmsis_dap.c ---- */
stp_status cdap_open(stp_usb *usb, const stp_env *env, stp_debug **out, stp_findings *f);
stp_status cdap_read_firmware(stp_usb *usb, char *out, size_t len, stp_findings *f);

#endif
