/* The target's debug port as every probe model sees it: an ADIv5 SW-DP with one AHB-AP
 * (MEM-AP) in front of the virtual board (ARM IHI 0031, "ADIv5"). Shared by the ST-Link
 * model (its firmware-level memory commands and the DAP-direct register commands) and the
 * CMSIS-DAP model (DAP_Transfer of single DP/AP registers): one copy of the DP and AP
 * registers, the MEM-AP's address auto-increment, sticky errors, the wire's timing and its
 * noise. The probe models add their own protocol and map the acknowledges to their status
 * codes. */
#ifndef SIM_DAP_H
#define SIM_DAP_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/board.h"

/* What one SWD transfer (or a sequence of them) ended with, as a probe sees it. */
typedef enum sim_dap_ack {
    SIM_DAP_OK = 0,
    SIM_DAP_WAIT,   /* WAIT after the probe's retries */
    SIM_DAP_FAULT,  /* FAULT: a bus error (STICKYERR set) or a sticky flag still set */
    SIM_DAP_PARITY, /* the probe saw a parity error on read data */
    SIM_DAP_NO_ACK, /* nothing answered (no target, debug port off, a garbled request) */
    SIM_DAP_ERROR,  /* a request the AP cannot do (a transfer size it lacks) */
} sim_dap_ack;

/* The wire protocol state of the SWJ-DP (ADIv5 B4.3, and the SWJ-DP's JTAG-to-SWD switch). */
typedef enum sim_dap_line {
    SIM_DAP_LINE_JTAG = 0, /* after power-up: the SWJ-DP listens for JTAG */
    SIM_DAP_LINE_RESET,    /* SWD, after a line reset: only a read of DPIDR is answered */
    SIM_DAP_LINE_READY,    /* SWD, DPIDR read */
} sim_dap_line;

/* DP registers (A[3:2] << 2) and fields. */
#define SIM_DP_DPIDR             0x0u /* read; write: ABORT */
#define SIM_DP_CTRL_STAT         0x4u
#define SIM_DP_SELECT            0x8u /* write; read: RESEND */
#define SIM_DP_RDBUFF            0xCu
#define SIM_DP_ABORT_STKERRCLR   (1u << 2)
#define SIM_DP_ABORT_STKCMPCLR   (1u << 1)
#define SIM_DP_ABORT_WDERRCLR    (1u << 3)
#define SIM_DP_ABORT_ORUNCLR     (1u << 4)
#define SIM_DP_CTRL_STICKYORUN   (1u << 1)
#define SIM_DP_CTRL_STICKYCMP    (1u << 4)
#define SIM_DP_CTRL_STICKYERR    (1u << 5)
#define SIM_DP_CTRL_WDATAERR     (1u << 7)
#define SIM_DP_CTRL_CDBGPWRUPREQ (1u << 28)
#define SIM_DP_CTRL_CSYSPWRUPREQ (1u << 30)
/* MEM-AP registers (bank << 4 | A[3:2] << 2). */
#define SIM_AP_CSW  0x00u
#define SIM_AP_TAR  0x04u
#define SIM_AP_DRW  0x0Cu
#define SIM_AP_BD0  0x10u
#define SIM_AP_CFG  0xF4u
#define SIM_AP_BASE 0xF8u
#define SIM_AP_IDR  0xFCu
/* The MEM-AP increments TAR only within a block (ADIv5 C2.2.2: "automatic address
 * increment is only guaranteed to operate on the bottom 10 bits"): 1 KiB on the AHB-AP of a
 * Cortex-M0/M0+/M7, 4 KiB (12 bits) on that of a Cortex-M3/M4 (the block OpenOCD's
 * cortex_m.c and pyOCD use for those cores). sim_dap_tar_wrap gives the board's. */
#define SIM_DAP_TAR_WRAP    0x400u
#define SIM_DAP_TAR_WRAP_M4 0x1000u

typedef struct sim_dap {
    sim_board *board;
    const sim_spec *spec;
    uint32_t swd_khz;      /* SWCLK the probe drives */
    uint32_t wait_retries; /* times the probe's firmware repeats a transfer answered WAIT */
    sim_dap_line line;
    uint32_t ones;        /* SWDIO-high clocks in a row (a line reset is >= 50) */
    uint32_t after_reset; /* bits seen since the last >= 50 ones (JTAG-to-SWD detector) */
    uint32_t shift;       /* those bits, LSB first */
    uint32_t ctrl, select, rdbuff, csw, tar;
    uint32_t fault_addr; /* where the last failed memory sequence stopped */
    uint32_t tar_wrap;   /* TAR auto-increment block of the board's AP (0: not known yet) */
} sim_dap;

/* The debug port after power-up (JTAG selected), for a probe that starts at khz and
 * repeats WAIT-ed transfers wait_retries times. */
void sim_dap_init(sim_dap *d, sim_board *board, uint32_t khz, uint32_t wait_retries);
/* The state a probe's firmware sets up when it connects by itself (the ST-Link's ENTER):
 * JTAG-to-SWD, line reset, DPIDR read (charged: about 3 transfers), AP registers reset.
 * Returns the DPIDR read's result. */
sim_dap_ack sim_dap_connect(sim_dap *d, uint32_t *dpidr);
/* The TAR auto-increment block of the board's AHB-AP (by its core). */
uint32_t sim_dap_tar_wrap(sim_dap *d);
/* Charges the SWD time of n transfers at the current clock (48 clock cycles each). */
void sim_dap_charge(sim_dap *d, uint64_t transfers);
/* Clocks bits out on SWDIO (LSB first, one per SWCLK), as DAP_SWJ_Sequence does: line
 * resets (>= 50 ones) and the JTAG-to-SWD sequence 0xE79E are recognised. Charged. */
void sim_dap_swj_sequence(sim_dap *d, const uint8_t *bits, uint32_t count);
/* Idle clocks (SWDIO low) after a sequence; charged. */
void sim_dap_idle(sim_dap *d, uint32_t cycles);

/* One SWD transfer of a DP (ap false) or AP register: addr is A[3:2] << 2 (the AP bank
 * comes from SELECT). Costs one transfer (plus one per WAIT retry); reads give the value
 * the transfer reads (the probe's firmware hides the AP's posted read; it charges the extra
 * RDBUFF read with sim_dap_charge). */
sim_dap_ack sim_dap_transfer(sim_dap *d, bool ap, bool read, uint8_t addr, uint32_t *value);

/* A probe firmware's own memory sequence (TAR/CSW set up, then len / width data transfers;
 * no sticky state left behind): the ST-Link's READMEM/WRITEMEM. The noise of the wire
 * decides up front where the sequence breaks; d->fault_addr gets where it stopped and *done
 * (may be NULL) the bytes transferred before. */
sim_dap_ack sim_dap_mem_read(sim_dap *d, uint32_t addr, uint8_t *buf, uint32_t len, unsigned width,
                             uint32_t *done);
sim_dap_ack sim_dap_mem_write(sim_dap *d, uint32_t addr, const uint8_t *buf, uint32_t len,
                              unsigned width, uint32_t *done);
sim_dap_ack sim_dap_read32(sim_dap *d, uint32_t addr, uint32_t *value);
sim_dap_ack sim_dap_write32(sim_dap *d, uint32_t addr, uint32_t value);
/* Line reset and DPIDR read as a probe's firmware does it (3 transfers of time). NO_ACK
 * when nothing answers. */
sim_dap_ack sim_dap_read_dpidr(sim_dap *d, uint32_t *idcode);

#endif
