/* A scripted stand-in for libusb-1.0, linked into a test executable (whose definitions take
 * precedence over the shared libusb), to drive the libusb transport through the failures a
 * real bus produces: no device, several devices, no permission, interface busy, ST-Link V1,
 * unplug in the middle of transfers. */
#ifndef STP_TEST_FAKE_LIBUSB_H
#define STP_TEST_FAKE_LIBUSB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct fake_usb_dev {
    uint16_t vid;
    uint16_t pid;
    const uint16_t *serial; /* UTF-16 units of the serial string descriptor */
    size_t serial_len;
    int open_rc;                 /* libusb_open result (0 or LIBUSB_ERROR_ACCESS ...) */
    int claim_rc;                /* libusb_claim_interface result (0 or LIBUSB_ERROR_BUSY ...) */
    int transfers_before_unplug; /* -1: never unplugged */
    uint8_t bus, address;
} fake_usb_dev;

void fake_libusb_set(const fake_usb_dev *devs, size_t count);

typedef struct fake_libusb_stats {
    int inits, exits;
    int opens, closes;
    int claims, releases;
    int resets; /* libusb_reset_device calls */
    int transfers;
    unsigned last_timeout_ms;
} fake_libusb_stats;

const fake_libusb_stats *fake_libusb_stats_get(void);

#endif
