/* USB transport over libusb-1.0: finding ST-Links, choosing one by serial, claiming its
 * debug interface, and bulk transfers that always time out instead of hanging. */
#include <libusb.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "transport/transport.h"

#define USB_LANG_EN_US 0x0409
#define RULES_ADVICE                                                                               \
    "install the udev rule: sudo cp contrib/60-stprog.rules /etc/udev/rules.d/ && "                \
    "sudo udevadm control --reload && sudo udevadm trigger, then replug the probe"

typedef struct usb_libusb {
    stp_usb base;
    libusb_context *ctx;
    libusb_device_handle *handle;
} usb_libusb;

static void describe(stp_usb *usb, int rc, unsigned timeout_ms)
{
    if (rc == LIBUSB_ERROR_NO_DEVICE)
        snprintf(usb->error, sizeof(usb->error), "device unplugged");
    else if (rc == LIBUSB_ERROR_TIMEOUT)
        snprintf(usb->error, sizeof(usb->error), "no answer within %u ms", timeout_ms);
    else if (rc == LIBUSB_ERROR_PIPE)
        snprintf(usb->error, sizeof(usb->error), "endpoint stalled");
    else
        snprintf(usb->error, sizeof(usb->error), "%s", libusb_error_name(rc));
}

static stp_status lu_bulk_out(stp_usb *usb, uint8_t ep, const void *data, size_t len,
                              unsigned timeout_ms)
{
    usb_libusb *u = (usb_libusb *)usb;
    int done = 0;
    int rc = libusb_bulk_transfer(u->handle, ep, (unsigned char *)(uintptr_t)data, (int)len, &done,
                                  timeout_ms);
    if (rc == LIBUSB_ERROR_PIPE)
        (void)libusb_clear_halt(u->handle, ep);
    if (rc != 0) {
        describe(usb, rc, timeout_ms);
        return STP_ERR_USB;
    }
    if ((size_t)done != len) {
        snprintf(usb->error, sizeof(usb->error), "sent %d of %zu bytes", done, len);
        return STP_ERR_USB;
    }
    return STP_OK;
}

static stp_status lu_bulk_in(stp_usb *usb, uint8_t ep, void *data, size_t len, size_t *actual,
                             unsigned timeout_ms)
{
    usb_libusb *u = (usb_libusb *)usb;
    int done = 0;
    int rc = libusb_bulk_transfer(u->handle, ep, data, (int)len, &done, timeout_ms);
    if (rc == LIBUSB_ERROR_PIPE)
        (void)libusb_clear_halt(u->handle, ep);
    *actual = rc == 0 ? (size_t)done : 0;
    if (rc != 0) {
        describe(usb, rc, timeout_ms);
        return STP_ERR_USB;
    }
    return STP_OK;
}

static void lu_close(stp_usb *usb)
{
    usb_libusb *u = (usb_libusb *)usb;
    if (u == NULL)
        return;
    if (u->handle != NULL) {
        (void)libusb_release_interface(u->handle, 0);
        libusb_close(u->handle);
    }
    if (u->ctx != NULL)
        libusb_exit(u->ctx);
    stp_free(u);
}

static stp_status lu_reset(stp_usb *usb);

static const stp_usb_ops lu_ops = {
    .bulk_out = lu_bulk_out,
    .bulk_in = lu_bulk_in,
    .close = lu_close,
    .reset = lu_reset,
};

/* Reads the serial string descriptor, raw (so V2's binary serial survives) with a fallback
 * to libusb's ASCII conversion. */
static void read_serial(libusb_device_handle *h, const struct libusb_device_descriptor *dd,
                        char *out, size_t outlen)
{
    out[0] = '\0';
    if (dd->iSerialNumber == 0)
        return;
    unsigned char raw[256];
    int n = libusb_get_string_descriptor(h, dd->iSerialNumber, USB_LANG_EN_US, raw, sizeof(raw));
    if (n >= 2 && raw[1] == LIBUSB_DT_STRING && raw[0] <= n) {
        uint16_t units[127];
        size_t count = 0;
        for (int i = 2; i + 1 < raw[0] && count < 127; i += 2)
            units[count++] = (uint16_t)(raw[i] | raw[i + 1] << 8);
        stp_usb_format_serial(units, count, dd->idProduct, out, outlen);
        return;
    }
    unsigned char ascii[128];
    n = libusb_get_string_descriptor_ascii(h, dd->iSerialNumber, ascii, sizeof(ascii));
    if (n > 0) {
        uint16_t units[128];
        for (int i = 0; i < n; i++)
            units[i] = ascii[i];
        stp_usb_format_serial(units, (size_t)n, dd->idProduct, out, outlen);
    }
}

static void fill_info(stp_usb_device *d, const struct libusb_device_descriptor *dd)
{
    memset(d, 0, sizeof(*d));
    d->hw = stp_stlink_hw_from_pid(dd->idVendor, dd->idProduct);
    d->info.vid = dd->idVendor;
    d->info.pid = dd->idProduct;
    stp_stlink_endpoints(d->hw, &d->info.ep_out, &d->info.ep_in);
    snprintf(d->info.description, sizeof(d->info.description), "ST-Link %s",
             stp_stlink_hw_name(d->hw));
}

static stp_status usb_init_failed(int rc, stp_findings *f)
{
    stp_finding *fi = stp_finding_add(f, "probe.usb-unavailable", STP_SEV_ERROR,
                                      "cannot initialise USB access: %s", libusb_error_name(rc));
    stp_finding_advice(fi, "check that /dev/bus/usb exists (in a container, pass it through)");
    return STP_ERR_USB;
}

/* Enumerates ST-Links into a growable array; keeps their libusb_device references in devs
 * (same order) when devs is not NULL. */
static stp_status enumerate(libusb_context *ctx, stp_usb_device **out, size_t *count,
                            libusb_device ***devs_out)
{
    libusb_device **all = NULL;
    ssize_t total = libusb_get_device_list(ctx, &all);
    *out = NULL;
    *count = 0;
    if (total < 0)
        return STP_ERR_USB;
    stp_usb_device *list = stp_calloc((size_t)total + 1, sizeof(*list));
    libusb_device **keep = stp_calloc((size_t)total + 1, sizeof(*keep));
    if (list == NULL || keep == NULL) {
        stp_free(list);
        stp_free(keep);
        libusb_free_device_list(all, 1);
        return STP_ERR_NOMEM;
    }
    size_t n = 0;
    for (ssize_t i = 0; i < total; i++) {
        struct libusb_device_descriptor dd;
        if (libusb_get_device_descriptor(all[i], &dd) != 0)
            continue;
        if (stp_stlink_hw_from_pid(dd.idVendor, dd.idProduct) == STP_STLINK_HW_UNKNOWN)
            continue;
        stp_usb_device *d = &list[n];
        fill_info(d, &dd);
        d->bus = libusb_get_bus_number(all[i]);
        d->address = libusb_get_device_address(all[i]);
        libusb_device_handle *h = NULL;
        int rc = libusb_open(all[i], &h);
        d->accessible = rc == 0;
        if (rc == 0) {
            read_serial(h, &dd, d->info.serial, sizeof(d->info.serial));
            libusb_close(h);
        }
        keep[n] = libusb_ref_device(all[i]);
        n++;
    }
    libusb_free_device_list(all, 1);
    *out = list;
    *count = n;
    if (devs_out != NULL) {
        *devs_out = keep;
    } else {
        for (size_t i = 0; i < n; i++)
            libusb_unref_device(keep[i]);
        stp_free(keep);
    }
    return STP_OK;
}

stp_status stp_usb_libusb_list(stp_usb_device **out, size_t *count, stp_findings *findings)
{
    libusb_context *ctx = NULL;
    int rc = libusb_init(&ctx);
    if (rc != 0)
        return usb_init_failed(rc, findings);
    stp_status st = enumerate(ctx, out, count, NULL);
    libusb_exit(ctx);
    return st;
}

static void list_serials(stp_finding *fi, const stp_usb_device *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char key[32];
        snprintf(key, sizeof(key), "probe%zu", i + 1);
        stp_finding_evidence(fi, key, "%s serial %s (bus %u address %u)",
                             stp_stlink_hw_name(list[i].hw),
                             list[i].info.serial[0] ? list[i].info.serial : "(unreadable)",
                             list[i].bus, list[i].address);
    }
}

/* Picks the device to open; index in *pick. Adds the finding on failure. */
static stp_status choose(const stp_usb_device *list, size_t n, const char *serial, size_t *pick,
                         stp_findings *f)
{
    size_t found = n;
    size_t usable = 0;
    for (size_t i = 0; i < n; i++) {
        if (serial != NULL && serial[0] != '\0') {
            if (strcasecmp(list[i].info.serial, serial) == 0)
                found = i;
        } else if (list[i].hw != STP_STLINK_HW_V1) {
            usable++;
            found = found == n ? i : found;
        }
    }
    if (serial == NULL || serial[0] == '\0') {
        if (usable > 1) {
            stp_finding *fi = stp_finding_add(f, "probe.ambiguous", STP_SEV_ERROR,
                                              "%zu ST-Links are connected; choose one", usable);
            list_serials(fi, list, n);
            stp_finding_advice(fi, "pass --probe stlink:SERIAL with one of the serials listed "
                                   "(`stprog probes` shows them)");
            return STP_ERR_PROBE_AMBIGUOUS;
        }
        if (found == n && n > 0) {
            stp_finding *fi = stp_finding_add(f, "probe.unsupported", STP_SEV_ERROR,
                                              "only an ST-Link V1 is connected; it is not "
                                              "supported");
            list_serials(fi, list, n);
            stp_finding_advice(fi, "use an ST-Link V2, V2-1 (Nucleo/Discovery) or V3");
            return STP_ERR_UNSUPPORTED;
        }
    }
    if (found == n) {
        stp_finding *fi;
        if (serial != NULL && serial[0] != '\0') {
            fi = stp_finding_add(f, "probe.not-found", STP_SEV_ERROR,
                                 "no ST-Link with serial %s is connected", serial);
            stp_finding_evidence(fi, "serial", "%s", serial);
            list_serials(fi, list, n);
        } else {
            fi = stp_finding_add(f, "probe.not-found", STP_SEV_ERROR, "no ST-Link found on USB");
        }
        bool unreadable = false;
        for (size_t i = 0; i < n; i++)
            unreadable = unreadable || !list[i].accessible;
        stp_finding_advice(fi, "%s",
                           unreadable ? "some ST-Links could not be opened: " RULES_ADVICE
                                      : "plug in the probe (check the cable carries data), "
                                        "then run `stprog probes`");
        return STP_ERR_NO_PROBE;
    }
    if (list[found].hw == STP_STLINK_HW_V1) {
        stp_finding *fi =
            stp_finding_add(f, "probe.unsupported", STP_SEV_ERROR, "ST-Link V1 is not supported");
        stp_finding_advice(fi, "use an ST-Link V2, V2-1 (Nucleo/Discovery) or V3");
        return STP_ERR_UNSUPPORTED;
    }
    *pick = found;
    return STP_OK;
}

static stp_status open_failed(int rc, const stp_usb_device *d, const char *op, stp_findings *f)
{
    stp_finding *fi;
    if (rc == LIBUSB_ERROR_ACCESS) {
        fi = stp_finding_add(f, "probe.permission-denied", STP_SEV_ERROR,
                             "no permission to use the ST-Link on USB bus %u address %u", d->bus,
                             d->address);
        stp_finding_evidence(fi, "device", "/dev/bus/usb/%03u/%03u", d->bus, d->address);
        stp_finding_advice(fi, RULES_ADVICE);
        return STP_ERR_PERMISSION;
    }
    if (rc == LIBUSB_ERROR_BUSY) {
        fi = stp_finding_add(f, "probe.busy", STP_SEV_ERROR,
                             "the ST-Link %s is in use by another program", d->info.serial);
        stp_finding_evidence(fi, "serial", "%s", d->info.serial);
        stp_finding_advice(fi, "close other debug tools (OpenOCD, st-util, STM32CubeIDE, a "
                               "running stprog gdbserver) and retry");
        return STP_ERR_PROBE_BUSY;
    }
    fi = stp_finding_add(f, "probe.usb-error", STP_SEV_ERROR, "cannot %s the ST-Link: %s", op,
                         libusb_error_name(rc));
    stp_finding_evidence(fi, "usb_error", "%s", libusb_error_name(rc));
    stp_finding_advice(fi, "replug the probe and retry");
    return rc == LIBUSB_ERROR_NO_DEVICE ? STP_ERR_NO_PROBE : STP_ERR_USB;
}

/* Finds the probe with this serial (NULL/"" = the only one) and opens and claims it into
 * u->handle. */
static stp_status open_into(usb_libusb *u, const char *serial, const stp_env *env,
                            stp_findings *findings)
{
    stp_usb_device *list = NULL;
    libusb_device **devs = NULL;
    size_t n = 0, pick = 0;
    int rc;
    stp_status st = enumerate(u->ctx, &list, &n, &devs);
    if (st == STP_OK)
        st = choose(list, n, serial, &pick, findings);
    if (st == STP_OK) {
        const stp_usb_device *d = &list[pick];
        u->base.info = d->info;
        rc = libusb_open(devs[pick], &u->handle);
        if (rc != 0) {
            u->handle = NULL;
            st = open_failed(rc, d, "open", findings);
        }
        if (st == STP_OK) {
            (void)libusb_set_auto_detach_kernel_driver(u->handle, 1);
            int config = 0;
            if (libusb_get_configuration(u->handle, &config) == 0 && config != 1)
                (void)libusb_set_configuration(u->handle, 1);
            rc = libusb_claim_interface(u->handle, 0);
            if (rc != 0) {
                libusb_close(u->handle);
                u->handle = NULL;
                st = open_failed(rc, d, "claim", findings);
            }
        }
        if (st == STP_OK)
            stp_log(env, STP_LOG_DEBUG, "usb: opened %s %04x:%04x serial %s (bus %u addr %u)",
                    stp_stlink_hw_name(d->hw), d->info.vid, d->info.pid, d->info.serial, d->bus,
                    d->address);
    }
    for (size_t i = 0; i < n; i++)
        libusb_unref_device(devs[i]);
    stp_free(devs);
    stp_free(list);
    return st;
}

/* libusb_reset_device: a bus reset that restarts the probe's firmware (OpenOCD does the same
 * when GET_VERSION fails on open). When the device comes back as a new one
 * (LIBUSB_ERROR_NOT_FOUND) it is opened again by its serial. */
static stp_status lu_reset(stp_usb *usb)
{
    usb_libusb *u = (usb_libusb *)usb;
    (void)libusb_release_interface(u->handle, 0);
    int rc = libusb_reset_device(u->handle);
    if (rc == 0) {
        rc = libusb_claim_interface(u->handle, 0);
        if (rc == 0)
            return STP_OK;
    }
    if (rc != LIBUSB_ERROR_NOT_FOUND && rc != LIBUSB_ERROR_NO_DEVICE) {
        describe(usb, rc, 0);
        return STP_ERR_USB;
    }
    libusb_close(u->handle);
    u->handle = NULL;
    char serial[sizeof u->base.info.serial];
    snprintf(serial, sizeof serial, "%s", u->base.info.serial);
    stp_findings tmp = {0};
    stp_status st = open_into(u, serial, NULL, &tmp);
    if (st != STP_OK)
        snprintf(usb->error, sizeof(usb->error), "the probe did not come back after a USB reset");
    stp_findings_free(&tmp);
    return st;
}

stp_status stp_usb_libusb_open(const char *serial, const stp_env *env, stp_usb **out,
                               stp_findings *findings)
{
    *out = NULL;
    usb_libusb *u = stp_calloc(1, sizeof(*u));
    if (u == NULL)
        return STP_ERR_NOMEM;
    u->base.ops = &lu_ops;
    int rc = libusb_init(&u->ctx);
    if (rc != 0) {
        u->ctx = NULL;
        lu_close(&u->base);
        return usb_init_failed(rc, findings);
    }
    stp_status st = open_into(u, serial, env, findings);
    if (st != STP_OK) {
        lu_close(&u->base);
        return st;
    }
    *out = &u->base;
    return STP_OK;
}
