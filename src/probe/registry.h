/* The probe registry: one row per probe kind (spec prefix, name, how to open and list it).
 * stp_probe_open dispatches a spec through it and stp_probe_list asks every USB kind for
 * its devices; the rows live with their drivers and the table is in probe/probe.c.
 * A new probe kind = one driver + one row here + its virtual model (docs/architecture.md). */
#ifndef STP_PROBE_REGISTRY_H
#define STP_PROBE_REGISTRY_H

#include "probe/debug.h"
#include "transport/transport.h"

typedef struct stp_probe_driver {
    stp_probe_kind kind; /* prefix, name, forms: public through stp_probe_kind_at */
    /* USB probes: the filter that recognises their devices (identities live here, not in
     * the transport), the driver over an open transport (takes ownership of usb, closed on
     * failure too), and the firmware version for `stprog probes`. */
    const stp_usb_filter *usb;
    stp_status (*open_usb)(stp_usb *usb, const stp_env *env, stp_debug **out, stp_findings *f);
    stp_status (*read_firmware)(stp_usb *usb, char *out, size_t len, stp_findings *f);
    /* Other probes: opened from the whole spec ("sim:...", "uart:..."). */
    stp_status (*open)(const char *spec, const stp_env *env, stp_debug **out, stp_findings *f);
} stp_probe_driver;

/* The rows, in the order `stprog probes` shows them. */
extern const stp_probe_driver stp_stlink_driver;
extern const stp_probe_driver stp_cmsis_dap_driver;
extern const stp_probe_driver stp_sim_driver;
extern const stp_probe_driver stp_uart_driver;

/* Row i of the table, NULL past the end. */
const stp_probe_driver *stp_probe_driver_at(size_t i);
/* The USB driver whose filter recognises d (d->chosen etc. filled), or NULL. For the
 * in-process board, whose virtual probe presents itself like a USB device. */
const stp_probe_driver *stp_probe_driver_for_usb(stp_usb_device *d);

#endif
