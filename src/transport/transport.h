/* Seam 1: the USB transport. The ST-Link driver sees only this: open by VID/PID/serial,
 * bulk out, bulk in, close. Implemented by libusb (transport/usb_libusb.c) and by the
 * in-process virtual board (transport/usb_sim.c). */
#ifndef STP_TRANSPORT_H
#define STP_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "stprog/env.h"
#include "stprog/finding.h"
#include "stprog/status.h"

typedef struct stp_usb stp_usb;

typedef struct stp_usb_info {
    uint16_t vid;
    uint16_t pid;
    char serial[64];
    char description[64];
    uint8_t ep_out; /* bulk OUT endpoint for commands */
    uint8_t ep_in;  /* bulk IN endpoint for replies */
} stp_usb_info;

typedef struct stp_usb_ops {
    /* Sends len bytes to ep. */
    stp_status (*bulk_out)(stp_usb *usb, uint8_t ep, const void *data, size_t len,
                           unsigned timeout_ms);
    /* Receives up to len bytes from ep; *actual gets the count. */
    stp_status (*bulk_in)(stp_usb *usb, uint8_t ep, void *data, size_t len, size_t *actual,
                          unsigned timeout_ms);
    void (*close)(stp_usb *usb);
} stp_usb_ops;

/* Every transport starts with this header. */
struct stp_usb {
    const stp_usb_ops *ops;
    stp_usb_info info;
};

#endif
