/* Internals of the libusb-1.0 shim (libstprog-usbsim.so): one virtual probe (sim/probe.h:
 * an ST-Link or a CMSIS-DAP probe) with the virtual board of $STPROG_SIM behind it, presented
 * through the libusb API so that unmodified tools see real hardware when run with LD_PRELOAD. */
#ifndef SIM_USBSHIM_SHIM_H
#define SIM_USBSHIM_SHIM_H

#include <libusb-1.0/libusb.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/board.h"
#include "sim/probe.h"

#define SHIM_API __attribute__((visibility("default")))

struct libusb_context {
    int refs;
};

struct libusb_device {
    int refs;
};

struct libusb_device_handle {
    struct libusb_device *dev;
    uint32_t claimed; /* bit per interface */
};

/* The shim's one probe; NULL when $STPROG_SIM is invalid (the message was printed). */
sim_probe *shim_probe(void);
void shim_lock(void);
void shim_unlock(void);
/* The probe was reset (libusb_reset_device): it comes back as after power-up. */
void shim_probe_reset(void);
struct libusb_device *shim_device(void);

/* Virtual time for a host transfer that times out after timeout_ms (0: 1 s). */
void shim_charge_timeout(unsigned int timeout_ms);
/* Lets ns (plus any deferred time) of virtual time pass: the board runs. No-op before the
 * board is open. Call with the lock held. */
void shim_charge_ns(uint64_t ns);
/* Adds ns to the virtual time without running the board now (charged by the next
 * shim_charge_ns). Call with the lock held. */
void shim_defer_ns(uint64_t ns);
/* True on the thread that opened the board, outside shim code: the tool itself. */
bool shim_host_context(void);
/* The caller is not the thread that opened the board (a tool's USB reader thread). */
bool shim_other_thread(void);
/* The board's virtual clock plus deferred time (0 before it is open). Lock held. */
uint64_t shim_virtual_ns(void);
/* The host clocks switch to virtual time from now on (shim_time.c). */
void shim_time_mark_open(void);
/* Whether the calling thread's clocks and waits are virtual (the tool's own thread, the
 * board open, STPROG_SIM_REALTIME unset). */
bool shim_time_virtual(void);
/* Lets ns of virtual time pass for the tool (the board runs); takes the lock. */
void shim_time_advance(uint64_t ns);

/* Descriptors (shim_desc.c). */
int shim_device_descriptor(const sim_probe_usb *u, struct libusb_device_descriptor *d);
int shim_raw_descriptor(const sim_probe_usb *u, uint8_t type, uint8_t index, uint8_t *buf, int len);
int shim_config_descriptor(const sim_probe_usb *u, struct libusb_config_descriptor **out);
void shim_free_config(struct libusb_config_descriptor *c);
/* Standard control requests (GET_DESCRIPTOR, GET_STATUS, SET_CONFIGURATION ...):
 * returns bytes transferred or a LIBUSB_ERROR. */
int shim_control(sim_probe *p, uint8_t req_type, uint8_t req, uint16_t value, uint16_t index,
                 uint8_t *data, uint16_t len);

/* One bulk/interrupt transfer on the probe (shim_xfer.c): LIBUSB_SUCCESS, or
 * LIBUSB_ERROR_TIMEOUT / LIBUSB_ERROR_PIPE. */
int shim_bulk(unsigned char ep, unsigned char *data, int len, int *actual);

#endif
