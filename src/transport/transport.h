/* Seam 1: the USB transport. A USB probe driver sees only this: open through its filter
 * (VID/PID, interface string) and serial, bulk (or interrupt) out, in, close. Implemented by libusb
 * (transport/usb_libusb.c) and by the in-process virtual board (transport/usb_sim.c). */
#ifndef STP_TRANSPORT_H
#define STP_TRANSPORT_H

#include <stdbool.h>
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
    uint8_t ep_out;      /* bulk (or interrupt) OUT endpoint for commands */
    uint8_t ep_in;       /* bulk (or interrupt) IN endpoint for replies */
    uint8_t interface;   /* the claimed interface */
    bool interrupt;      /* the endpoints are interrupt endpoints (HID reports) */
    uint16_t max_packet; /* of ep_in: 64 full speed, 512 high speed */
    char interface_name[64];
} stp_usb_info;

typedef struct stp_usb_ops {
    /* Sends len bytes to ep. */
    stp_status (*bulk_out)(stp_usb *usb, uint8_t ep, const void *data, size_t len,
                           unsigned timeout_ms);
    /* Receives up to len bytes from ep; *actual gets the count. */
    stp_status (*bulk_in)(stp_usb *usb, uint8_t ep, void *data, size_t len, size_t *actual,
                          unsigned timeout_ms);
    void (*close)(stp_usb *usb);
    /* Optional (NULL = real time): the clock the target lives on. The in-process virtual
     * board implements these with its virtual clock so poll deadlines and WAIT backoff in
     * the driver run on simulated time. */
    uint64_t (*now_ns)(stp_usb *usb);
    void (*sleep_ns)(stp_usb *usb, uint64_t ns);
    /* Optional (NULL = cannot): a USB bus reset of the device, which restarts its firmware
     * (what a replug would do); the handle stays usable. For a probe left mid-transfer by
     * a killed process. */
    stp_status (*reset)(stp_usb *usb);
} stp_usb_ops;

/* Every transport starts with this header. */
struct stp_usb {
    const stp_usb_ops *ops;
    stp_usb_info info;
    /* Description of the last failed transfer ("device unplugged", "timeout after 1000 ms"),
     * filled by the transport so the driver can put it into a finding. */
    char error[96];
};

/* Monotonic time and sleeping on the transport's clock (real time when it has none). */
uint64_t stp_usb_now_ns(stp_usb *usb);
void stp_usb_sleep_ns(stp_usb *usb, uint64_t ns);

/* ---- Finding a probe on USB -------------------------------------------------------- */
/* Probe identities (vendor/product IDs, interface strings, serial quirks) belong to the
 * probe drivers (probe/stlink_usb.c, probe/cmsis_dap_usb.c): they hand the transport a
 * filter that recognises their devices and picks the interface to claim. */
#define STP_USB_MAX_INTERFACES 8

typedef struct stp_usb_interface {
    uint8_t number;
    uint8_t cls, subclass, protocol;
    char name[64];       /* iInterface string ("CMSIS-DAP v2"); "" when none or unreadable */
    uint8_t ep_out;      /* first bulk or interrupt OUT endpoint (0: none) */
    uint8_t ep_in;       /* first bulk or interrupt IN endpoint (0: none) */
    bool interrupt;      /* those endpoints are interrupt endpoints (HID) */
    uint16_t max_packet; /* of ep_in */
} stp_usb_interface;

typedef struct stp_usb_device {
    stp_usb_info info; /* vid, pid, serial (formatted by the filter), product in description */
    uint8_t bus;
    uint8_t address;
    bool accessible;   /* false: no permission to open (strings unknown) */
    bool strings_read; /* serial, product and interface names were read */
    stp_usb_interface interfaces[STP_USB_MAX_INTERFACES];
    size_t interface_count;
    int chosen;              /* index into interfaces of the one the driver uses */
    unsigned kind;           /* the filter's own classification (e.g. ST-Link generation) */
    char kind_name[16];      /* "stlink-v2", "cmsis-dap-v2" */
    const char *unsupported; /* non-NULL: recognised but not usable, and why */
} stp_usb_device;

/* What a filter's match answers. */
typedef enum stp_usb_match {
    STP_USB_NOT_MINE = 0,
    STP_USB_MINE,         /* d->chosen, kind and kind_name set */
    STP_USB_NEED_STRINGS, /* might be: ask again once the strings are read */
} stp_usb_match;

typedef struct stp_usb_filter {
    const char *noun;               /* "ST-Link", "CMSIS-DAP probe": in messages */
    const char *spec_prefix;        /* "stlink": advice says --probe stlink:SERIAL */
    const char *unsupported_advice; /* for a device match marked unsupported */
    /* Recognises a device (descriptors filled; strings when d->strings_read). */
    stp_usb_match (*match)(stp_usb_device *d);
    /* Optional: the serial number as tools print it, from the descriptor's UTF-16 units
     * (NULL: stp_usb_format_serial). */
    void (*format_serial)(const uint16_t *units, size_t count, uint16_t pid, char *out,
                          size_t outlen);
} stp_usb_filter;

/* Serial number as tools print it: a printable string descriptor as is, anything else as
 * upper-case hex of each UTF-16 unit's low byte. */
void stp_usb_format_serial(const uint16_t *units, size_t count, char *out, size_t outlen);

/* ---- libusb ------------------------------------------------------------------------- */
/* Every device the filter recognises. *out is stp_free'd by the caller. */
stp_status stp_usb_libusb_list(const stp_usb_filter *filter, stp_usb_device **out, size_t *count,
                               stp_findings *findings);
/* Opens the device the filter recognises with this serial (NULL or "" = the only one
 * present) and claims the interface it chose. Errors: STP_ERR_NO_PROBE (probe.not-found),
 * STP_ERR_PROBE_AMBIGUOUS (probe.ambiguous, serials as evidence), STP_ERR_PERMISSION
 * (probe.permission-denied, advice to install contrib/60-stprog.rules), STP_ERR_PROBE_BUSY
 * (probe.busy), STP_ERR_UNSUPPORTED (probe.unsupported for a device the filter marked). */
stp_status stp_usb_libusb_open(const stp_usb_filter *filter, const char *serial, const stp_env *env,
                               stp_usb **out, stp_findings *findings);

/* ---- In-process virtual board ---------------------------------------------------------- */
/* Opens the board described by spec ("sim:stm32f407vg,vdd=3.3") behind its probe model
 * (probe= of the spec: an ST-Link or a CMSIS-DAP probe).
 * Bad specs give STP_ERR_INVALID_ARG with finding sim.spec-invalid. When the environment
 * variable STPROG_SIM_REPORT names a file, the board's report is written there at close. */
stp_status stp_usb_sim_open(const char *spec, const stp_env *env, stp_usb **out,
                            stp_findings *findings);
/* The virtual probe as a USB device would present itself (identities, interface, strings
 * read), for the registry to pick the driver that recognises it. */
void stp_usb_sim_describe(stp_usb *usb, stp_usb_device *d);
/* The board behind an in-process transport (NULL for other transports). For tests. */
struct sim_board *stp_usb_sim_board(stp_usb *usb);

#endif
