/* A virtual probe in front of a virtual board, whichever kind the board's spec names
 * (probe=v2|v2-1|v3: the ST-Link model, sim/stlink.h; probe=cmsis-dap|cmsis-dap-v1: the
 * CMSIS-DAP model, sim/cmsis_dap*.c). The in-process transport (src/transport/usb_sim.c)
 * and the libusb shim (sim/usbshim) see only this: the USB identity and descriptors, OUT
 * and IN transfers on its endpoints, class requests, a USB reset, and the host's clock. */
#ifndef SIM_PROBE_H
#define SIM_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/board.h"

typedef struct sim_probe sim_probe;
struct sim_stlink;

/* Results of sim_probe_out/in (the same values as SIM_STLINK_*). */
#define SIM_PROBE_OK       0
#define SIM_PROBE_STALL    (-1) /* endpoint halted / protocol error */
#define SIM_PROBE_TIMEOUT  (-2) /* the endpoint NAKs until the host's transfer times out */
#define SIM_PROBE_OVERFLOW (-3) /* a packet larger than the room left in the host's buffer */

#define SIM_USB_BULK      2 /* endpoint transfer types (bmAttributes) */
#define SIM_USB_INTERRUPT 3

typedef struct sim_usb_endpoint {
    uint8_t address; /* 0x81 = IN 1 */
    uint8_t type;    /* SIM_USB_BULK or SIM_USB_INTERRUPT */
    uint16_t max_packet;
    uint8_t interval; /* bInterval (interrupt: frames) */
} sim_usb_endpoint;

#define SIM_PROBE_MAX_EPS 3

typedef struct sim_probe_usb {
    uint16_t vid;
    uint16_t pid;
    uint16_t bcd_device;
    const char *manufacturer;
    const char *product;
    const char *serial; /* the string descriptor as the firmware reports it */
    /* The one interface presented (interface 0). */
    uint8_t iface_class, iface_subclass, iface_protocol;
    const char *iface_name; /* iInterface string */
    sim_usb_endpoint eps[SIM_PROBE_MAX_EPS];
    unsigned ep_count;
    uint8_t ep_out; /* command endpoint */
    uint8_t ep_in;  /* reply endpoint */
    bool high_speed;
    /* HID interfaces: the report descriptor (GET_DESCRIPTOR 0x22) and its length. */
    const uint8_t *hid_report;
    uint16_t hid_report_len;
} sim_probe_usb;

/* The probe the board's spec names. NULL with a reason in err when it cannot be made (an
 * ST-Link fw= that is not a firmware version of that probe, out of memory). */
sim_probe *sim_probe_open(sim_board *board, char *err, size_t errlen);
void sim_probe_close(sim_probe *p);
const sim_probe_usb *sim_probe_usb_info(const sim_probe *p);
sim_board *sim_probe_board(const sim_probe *p);
/* One transfer on an endpoint of the interface (bulk or interrupt alike); every transfer
 * costs the probe model's virtual time. */
int sim_probe_out(sim_probe *p, uint8_t ep, const uint8_t *data, size_t len);
int sim_probe_in(sim_probe *p, uint8_t ep, uint8_t *buf, size_t maxlen, size_t *actual);
/* The same for an IN transfer the host submitted at since_ns (<= its clock now): a host
 * that keeps IN transfers pending (libusb's asynchronous API) gets a response as soon as
 * the probe has it, not only after it asks. sim_probe_in is since = the host's clock. */
int sim_probe_in_since(sim_probe *p, uint8_t ep, uint8_t *buf, size_t maxlen, size_t *actual,
                       uint64_t since_ns);
/* A class request to the interface (HID SET_IDLE, SET_REPORT, GET_REPORT): the bytes of
 * the data stage, or -1 to stall. */
int sim_probe_class_request(sim_probe *p, uint8_t req_type, uint8_t req, uint16_t value,
                            uint16_t index, uint8_t *data, uint16_t len);
/* A USB bus reset: the probe's firmware restarts, nothing pending; the board is untouched. */
void sim_probe_usb_reset(sim_probe *p);
void sim_probe_set_trace(sim_probe *p, void (*fn)(void *user, const char *line), void *user);

/* The host's clock. A probe that queues commands (CMSIS-DAP with several packets in flight)
 * works on them while the host sends more, so the host's time and the board's may differ
 * while commands are in flight; for the ST-Link they are one. host_wait lets host time pass
 * (a sleep, a transfer that times out); the board is brought up to it. */
uint64_t sim_probe_host_ns(const sim_probe *p);
void sim_probe_host_wait(sim_probe *p, uint64_t ns);
/* Brings the board's clock up to the host's (before a report or a close). */
void sim_probe_sync(sim_probe *p);

/* The ST-Link model behind p, NULL for other kinds (its tests and trace hooks). */
struct sim_stlink *sim_probe_stlink(sim_probe *p);

#endif
