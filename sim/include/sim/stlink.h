/* The ST-Link probe model, device side: the USB bulk protocol of ST-Link V2 (PID 0x3748),
 * V2-1 (0x374B) and V3 (0x374F) firmware, in front of a virtual board. Used by the
 * in-process transport (src/transport/usb_sim.c) and by the libusb shim (sim/usbshim). */
#ifndef SIM_STLINK_H
#define SIM_STLINK_H

#include <stddef.h>
#include <stdint.h>

#include "sim/board.h"

typedef struct sim_stlink sim_stlink;

typedef struct sim_stlink_usb {
    uint16_t vid; /* 0x0483 */
    uint16_t pid;
    uint16_t bcd_device;
    const char *serial; /* the string descriptor as the firmware reports it */
    const char *product;
    uint8_t ep_out;      /* command endpoint: 0x02 (V2) or 0x01 (V2-1, V3) */
    uint8_t ep_in;       /* reply endpoint: 0x81 */
    uint8_t ep_trace;    /* SWO trace endpoint: 0x83 (V2), 0x82 (V2-1, V3) */
    uint16_t max_packet; /* 64 full speed, 512 high speed (V3) */
} sim_stlink_usb;

/* Results of sim_stlink_bulk_out/in. */
#define SIM_STLINK_OK    0
#define SIM_STLINK_STALL (-1) /* endpoint halted / protocol error */
#define SIM_STLINK_TIMEOUT                                                                         \
    (-2) /* the endpoint NAKs: an IN with nothing to send, an OUT the                              \
          * firmware does not take yet; the host's transfer times out */
#define SIM_STLINK_OVERFLOW                                                                        \
    (-3) /* the probe sent a packet larger than the room left in the                               \
          * host's buffer (LIBUSB_ERROR_OVERFLOW); the packet is lost */

/* Probe kind, firmware version and serial come from the board's spec. Returns NULL when
 * the spec's fw= string is not a valid ST-Link firmware version (see sim_stlink_fw_check). */
sim_stlink *sim_stlink_create(sim_board *board);
/* Checks a firmware version string ("V2J45S7", "V2J45M30", "V3J16M8", "V3J7M3B5S1").
 * Returns 0, or -1 with a message in err. */
int sim_stlink_fw_check(const char *fw, char *err, size_t errlen);
void sim_stlink_destroy(sim_stlink *s);
const sim_stlink_usb *sim_stlink_usb_info(const sim_stlink *s);

/* One bulk transfer each; every transfer costs virtual time (USB latency + bytes at the bus
 * rate) and commands cost their SWD time. Return 0, or -1 for a stall / protocol error
 * (the endpoint then answers nothing until the host clears the halt). */
int sim_stlink_bulk_out(sim_stlink *s, uint8_t ep, const uint8_t *data, size_t len);
int sim_stlink_bulk_in(sim_stlink *s, uint8_t ep, uint8_t *buf, size_t maxlen, size_t *actual);
/* A USB bus reset (libusb_reset_device): the probe's firmware restarts as after power-up,
 * dropping whatever was pending; the board is not touched. */
void sim_stlink_usb_reset(sim_stlink *s);
/* The virtual board behind the probe. */
sim_board *sim_stlink_board(const sim_stlink *s);
/* Current SWD clock in kHz (as set by SWD_SET_FREQ / SET_COM_FREQ). */
uint32_t sim_stlink_swd_khz(const sim_stlink *s);
/* Optional protocol trace (one line per command, for debugging the model). */
void sim_stlink_set_trace(sim_stlink *s, void (*fn)(void *user, const char *line), void *user);

#endif
