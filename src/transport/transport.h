/* Seam 1: the USB transport. The ST-Link driver sees only this: open by VID/PID/serial,
 * bulk out, bulk in, close. Implemented by libusb (transport/usb_libusb.c) and by the
 * in-process virtual board (transport/usb_sim.c). */
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

/* ---- ST-Link USB identities ---------------------------------------------------------- */
#define STP_USB_VID_ST 0x0483

typedef enum stp_stlink_hw {
    STP_STLINK_HW_UNKNOWN = 0,
    STP_STLINK_HW_V1, /* 0x3744: mass-storage protocol, not supported */
    STP_STLINK_HW_V2,
    STP_STLINK_HW_V2_1,
    STP_STLINK_HW_V3,
    STP_STLINK_HW_V3PWR, /* 0x3757: the V3 protocol (GET_VERSION_EX), hardware version 3 or 4 */
} stp_stlink_hw;

/* Kind of ST-Link behind a PID, or STP_STLINK_HW_UNKNOWN when it is not one. */
stp_stlink_hw stp_stlink_hw_from_pid(uint16_t vid, uint16_t pid);
/* "stlink-v2", "stlink-v2-1", "stlink-v3", "stlink-v3pwr", "stlink-v1", "unknown". */
const char *stp_stlink_hw_name(stp_stlink_hw hw);
/* The command endpoints of that kind: OUT 0x02 on V2, 0x01 on V2-1/V3; IN 0x81. */
void stp_stlink_endpoints(stp_stlink_hw hw, uint8_t *ep_out, uint8_t *ep_in);

/* Serial number as tools print it: a printable string descriptor as is; the binary serial
 * of ST-Link V2 firmware (each UTF-16 unit one byte) as upper-case hex. units/count are the
 * descriptor's UTF-16 code units. */
void stp_usb_format_serial(const uint16_t *units, size_t count, uint16_t pid, char *out,
                           size_t outlen);

/* ---- libusb ------------------------------------------------------------------------- */
typedef struct stp_usb_device {
    stp_usb_info info;
    stp_stlink_hw hw;
    uint8_t bus;
    uint8_t address;
    bool accessible; /* false: no permission to open (serial unknown) */
} stp_usb_device;

/* Every ST-Link on the bus (V1 included, marked by hw). *out is stp_free'd by the caller. */
stp_status stp_usb_libusb_list(stp_usb_device **out, size_t *count, stp_findings *findings);
/* Opens the ST-Link with this serial (NULL or "" = the only one present) and claims its
 * debug interface. Errors: STP_ERR_NO_PROBE (probe.not-found), STP_ERR_PROBE_AMBIGUOUS
 * (probe.ambiguous, serials as evidence), STP_ERR_PERMISSION (usb.permission-denied, advice
 * to install contrib/60-stprog.rules), STP_ERR_PROBE_BUSY (probe.busy), STP_ERR_UNSUPPORTED
 * (probe.unsupported for ST-Link V1). */
stp_status stp_usb_libusb_open(const char *serial, const stp_env *env, stp_usb **out,
                               stp_findings *findings);

/* ---- In-process virtual board ---------------------------------------------------------- */
/* Opens the board described by spec ("sim:stm32f407vg,vdd=3.3") behind the ST-Link model.
 * Bad specs give STP_ERR_INVALID_ARG with finding sim.spec-invalid. When the environment
 * variable STPROG_SIM_REPORT names a file, the board's report is written there at close. */
stp_status stp_usb_sim_open(const char *spec, const stp_env *env, stp_usb **out,
                            stp_findings *findings);
/* The board behind an in-process transport (NULL for other transports). For tests. */
struct sim_board *stp_usb_sim_board(stp_usb *usb);

#endif
