/* USB transport over libusb-1.0: finding the devices a probe driver's filter recognises,
 * choosing one by serial, claiming the interface the filter picked, and bulk or interrupt
 * transfers that always time out instead of hanging. */
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
    const stp_usb_filter *filter;
} usb_libusb;

/* Bulk or interrupt transfer, whichever the endpoints are. */
static int lu_transfer(usb_libusb *u, uint8_t ep, unsigned char *data, int len, int *done,
                       unsigned timeout_ms)
{
    if (u->base.info.interrupt)
        return libusb_interrupt_transfer(u->handle, ep, data, len, done, timeout_ms);
    return libusb_bulk_transfer(u->handle, ep, data, len, done, timeout_ms);
}

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
    int rc = lu_transfer(u, ep, (unsigned char *)(uintptr_t)data, (int)len, &done, timeout_ms);
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
    int rc = lu_transfer(u, ep, data, (int)len, &done, timeout_ms);
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
        (void)libusb_release_interface(u->handle, u->base.info.interface);
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

/* A string descriptor's UTF-16 units (raw, so ST-Link V2's binary serial survives); the
 * count, or 0 when unreadable. */
static size_t read_string_units(libusb_device_handle *h, uint8_t index, uint16_t *units, size_t max)
{
    if (index == 0)
        return 0;
    unsigned char raw[256];
    int n = libusb_get_string_descriptor(h, index, USB_LANG_EN_US, raw, sizeof(raw));
    if (n >= 2 && raw[1] == LIBUSB_DT_STRING && raw[0] <= n) {
        size_t count = 0;
        for (int i = 2; i + 1 < raw[0] && count < max; i += 2)
            units[count++] = (uint16_t)(raw[i] | raw[i + 1] << 8);
        return count;
    }
    unsigned char ascii[128];
    n = libusb_get_string_descriptor_ascii(h, index, ascii, sizeof(ascii));
    size_t count = 0;
    for (int i = 0; i < n && count < max; i++)
        units[count++] = ascii[i];
    return count;
}

static void read_text(libusb_device_handle *h, uint8_t index, char *out, size_t outlen)
{
    uint16_t units[127];
    size_t n = read_string_units(h, index, units, 127);
    size_t pos = 0;
    for (size_t i = 0; i < n && pos + 1 < outlen; i++)
        out[pos++] = units[i] >= 0x20 && units[i] < 0x7F ? (char)units[i] : '?';
    if (outlen > 0)
        out[pos] = '\0';
}

static void read_strings(libusb_device_handle *h, const struct libusb_device_descriptor *dd,
                         const uint8_t *iface_strings, const stp_usb_filter *filter,
                         stp_usb_device *d)
{
    uint16_t units[127];
    size_t n = read_string_units(h, dd->iSerialNumber, units, 127);
    if (filter->format_serial != NULL)
        filter->format_serial(units, n, dd->idProduct, d->info.serial, sizeof(d->info.serial));
    else
        stp_usb_format_serial(units, n, d->info.serial, sizeof(d->info.serial));
    read_text(h, dd->iProduct, d->info.description, sizeof(d->info.description));
    for (size_t i = 0; i < d->interface_count; i++)
        read_text(h, iface_strings[i], d->interfaces[i].name, sizeof(d->interfaces[i].name));
    d->strings_read = true;
}

/* Interfaces (first alternate setting) and their first OUT/IN data endpoints, from the
 * active configuration; the iInterface string indices go to iface_strings. */
static void read_interfaces(libusb_device *dev, stp_usb_device *d, uint8_t *iface_strings)
{
    struct libusb_config_descriptor *cfg = NULL;
    if (libusb_get_active_config_descriptor(dev, &cfg) != 0 &&
        libusb_get_config_descriptor(dev, 0, &cfg) != 0)
        return;
    for (int i = 0; i < cfg->bNumInterfaces && d->interface_count < STP_USB_MAX_INTERFACES; i++) {
        if (cfg->interface[i].num_altsetting < 1)
            continue;
        const struct libusb_interface_descriptor *alt = &cfg->interface[i].altsetting[0];
        stp_usb_interface *it = &d->interfaces[d->interface_count];
        memset(it, 0, sizeof(*it));
        it->number = alt->bInterfaceNumber;
        it->cls = alt->bInterfaceClass;
        it->subclass = alt->bInterfaceSubClass;
        it->protocol = alt->bInterfaceProtocol;
        iface_strings[d->interface_count] = alt->iInterface;
        for (int e = 0; e < alt->bNumEndpoints; e++) {
            const struct libusb_endpoint_descriptor *ep = &alt->endpoint[e];
            unsigned type = ep->bmAttributes & 3u;
            if (type != LIBUSB_TRANSFER_TYPE_BULK && type != LIBUSB_TRANSFER_TYPE_INTERRUPT)
                continue;
            bool in = (ep->bEndpointAddress & LIBUSB_ENDPOINT_IN) != 0;
            if ((in ? it->ep_in : it->ep_out) != 0)
                continue;
            if (in) {
                it->ep_in = ep->bEndpointAddress;
                it->max_packet = ep->wMaxPacketSize;
            } else {
                it->ep_out = ep->bEndpointAddress;
            }
            it->interrupt = type == LIBUSB_TRANSFER_TYPE_INTERRUPT;
        }
        d->interface_count++;
    }
    libusb_free_config_descriptor(cfg);
}

/* The chosen interface into d->info (endpoints, number, name). */
static void take_interface(stp_usb_device *d)
{
    if (d->chosen < 0 || (size_t)d->chosen >= d->interface_count)
        return;
    const stp_usb_interface *it = &d->interfaces[d->chosen];
    d->info.interface = it->number;
    d->info.interrupt = it->interrupt;
    d->info.max_packet = it->max_packet;
    if (it->ep_out != 0)
        d->info.ep_out = it->ep_out;
    if (it->ep_in != 0)
        d->info.ep_in = it->ep_in;
    snprintf(d->info.interface_name, sizeof(d->info.interface_name), "%s", it->name);
}

static stp_status usb_init_failed(int rc, stp_findings *f)
{
    stp_finding *fi = stp_finding_add(f, "probe.usb-unavailable", STP_SEV_ERROR,
                                      "cannot initialise USB access: %s", libusb_error_name(rc));
    stp_finding_advice(fi, "check that /dev/bus/usb exists (in a container, pass it through)");
    return STP_ERR_USB;
}

/* Whether the filter recognises dev; fills d. Opens the device to read its strings when
 * it can (a device without permission is judged by its descriptors alone). */
static bool recognise(libusb_device *dev, const struct libusb_device_descriptor *dd,
                      const stp_usb_filter *filter, stp_usb_device *d)
{
    memset(d, 0, sizeof(*d));
    d->info.vid = dd->idVendor;
    d->info.pid = dd->idProduct;
    d->chosen = -1;
    d->bus = libusb_get_bus_number(dev);
    d->address = libusb_get_device_address(dev);
    uint8_t iface_strings[STP_USB_MAX_INTERFACES] = {0};
    read_interfaces(dev, d, iface_strings);
    stp_usb_match m = filter->match(d);
    if (m == STP_USB_NOT_MINE)
        return false;
    libusb_device_handle *h = NULL;
    int rc = libusb_open(dev, &h);
    d->accessible = rc == 0;
    if (rc == 0) {
        read_strings(h, dd, iface_strings, filter, d);
        libusb_close(h);
        if (m == STP_USB_NEED_STRINGS)
            m = filter->match(d);
    }
    if (m != STP_USB_MINE)
        return false;
    take_interface(d);
    return true;
}

/* Enumerates the filter's devices into a growable array; keeps their libusb_device
 * references in devs (same order) when devs is not NULL. */
static stp_status enumerate(libusb_context *ctx, const stp_usb_filter *filter, stp_usb_device **out,
                            size_t *count, libusb_device ***devs_out)
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
        if (!recognise(all[i], &dd, filter, &list[n]))
            continue;
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

stp_status stp_usb_libusb_list(const stp_usb_filter *filter, stp_usb_device **out, size_t *count,
                               stp_findings *findings)
{
    libusb_context *ctx = NULL;
    int rc = libusb_init(&ctx);
    if (rc != 0)
        return usb_init_failed(rc, findings);
    stp_status st = enumerate(ctx, filter, out, count, NULL);
    libusb_exit(ctx);
    return st;
}

static void list_serials(stp_finding *fi, const stp_usb_device *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char key[32];
        snprintf(key, sizeof(key), "probe%zu", i + 1);
        stp_finding_evidence(fi, key, "%s serial %s (bus %u address %u)", list[i].kind_name,
                             list[i].info.serial[0] ? list[i].info.serial : "(unreadable)",
                             list[i].bus, list[i].address);
    }
}

/* Picks the device to open; index in *pick. Adds the finding on failure. */
static stp_status choose(const stp_usb_filter *flt, const stp_usb_device *list, size_t n,
                         const char *serial, size_t *pick, stp_findings *f)
{
    size_t found = n;
    size_t usable = 0;
    bool by_serial = serial != NULL && serial[0] != '\0';
    for (size_t i = 0; i < n; i++) {
        if (by_serial) {
            if (strcasecmp(list[i].info.serial, serial) == 0)
                found = i;
        } else if (list[i].unsupported == NULL) {
            usable++;
            found = found == n ? i : found;
        }
    }
    if (!by_serial) {
        if (usable > 1) {
            stp_finding *fi =
                stp_finding_add(f, "probe.ambiguous", STP_SEV_ERROR,
                                "%zu %ss are connected; choose one", usable, flt->noun);
            list_serials(fi, list, n);
            stp_finding_advice(fi,
                               "pass --probe %s:SERIAL with one of the serials listed "
                               "(`stprog probes` shows them)",
                               flt->spec_prefix);
            return STP_ERR_PROBE_AMBIGUOUS;
        }
        if (found == n && n > 0) {
            stp_finding *fi = stp_finding_add(f, "probe.unsupported", STP_SEV_ERROR,
                                              "only an unsupported %s is connected: %s", flt->noun,
                                              list[0].unsupported);
            list_serials(fi, list, n);
            stp_finding_advice(fi, "%s", flt->unsupported_advice);
            return STP_ERR_UNSUPPORTED;
        }
    }
    if (found == n) {
        stp_finding *fi;
        if (by_serial) {
            fi = stp_finding_add(f, "probe.not-found", STP_SEV_ERROR,
                                 "no %s with serial %s is connected", flt->noun, serial);
            stp_finding_evidence(fi, "serial", "%s", serial);
            list_serials(fi, list, n);
        } else {
            fi = stp_finding_add(f, "probe.not-found", STP_SEV_ERROR, "no %s found on USB",
                                 flt->noun);
        }
        bool unreadable = false;
        for (size_t i = 0; i < n; i++)
            unreadable = unreadable || !list[i].accessible;
        if (unreadable)
            stp_finding_advice(fi, "some %ss could not be opened: " RULES_ADVICE, flt->noun);
        else
            stp_finding_advice(fi, "plug in the probe (check the cable carries data), then run "
                                   "`stprog probes`");
        return STP_ERR_NO_PROBE;
    }
    if (list[found].unsupported != NULL) {
        stp_finding *fi =
            stp_finding_add(f, "probe.unsupported", STP_SEV_ERROR, "%s", list[found].unsupported);
        stp_finding_advice(fi, "%s", flt->unsupported_advice);
        return STP_ERR_UNSUPPORTED;
    }
    *pick = found;
    return STP_OK;
}

static stp_status open_failed(const stp_usb_filter *flt, int rc, const stp_usb_device *d,
                              const char *op, stp_findings *f)
{
    stp_finding *fi;
    if (rc == LIBUSB_ERROR_ACCESS) {
        fi = stp_finding_add(f, "probe.permission-denied", STP_SEV_ERROR,
                             "no permission to use the %s on USB bus %u address %u", flt->noun,
                             d->bus, d->address);
        stp_finding_evidence(fi, "device", "/dev/bus/usb/%03u/%03u", d->bus, d->address);
        stp_finding_advice(fi, RULES_ADVICE);
        return STP_ERR_PERMISSION;
    }
    if (rc == LIBUSB_ERROR_BUSY) {
        fi = stp_finding_add(f, "probe.busy", STP_SEV_ERROR,
                             "the %s %s is in use by another program", flt->noun, d->info.serial);
        stp_finding_evidence(fi, "serial", "%s", d->info.serial);
        stp_finding_advice(fi, "close other debug tools (OpenOCD, st-util, pyOCD, STM32CubeIDE, "
                               "a running stprog gdbserver) and retry");
        return STP_ERR_PROBE_BUSY;
    }
    fi = stp_finding_add(f, "probe.usb-error", STP_SEV_ERROR, "cannot %s the %s: %s", op, flt->noun,
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
    const stp_usb_filter *flt = u->filter;
    stp_status st = enumerate(u->ctx, flt, &list, &n, &devs);
    if (st == STP_OK)
        st = choose(flt, list, n, serial, &pick, findings);
    if (st == STP_OK) {
        const stp_usb_device *d = &list[pick];
        u->base.info = d->info;
        rc = libusb_open(devs[pick], &u->handle);
        if (rc != 0) {
            u->handle = NULL;
            st = open_failed(flt, rc, d, "open", findings);
        }
        if (st == STP_OK) {
            (void)libusb_set_auto_detach_kernel_driver(u->handle, 1);
            int config = 0;
            if (libusb_get_configuration(u->handle, &config) == 0 && config != 1)
                (void)libusb_set_configuration(u->handle, 1);
            rc = libusb_claim_interface(u->handle, d->info.interface);
            if (rc != 0) {
                libusb_close(u->handle);
                u->handle = NULL;
                st = open_failed(flt, rc, d, "claim", findings);
            }
        }
        if (st == STP_OK)
            stp_log(env, STP_LOG_DEBUG,
                    "usb: opened %s %04x:%04x serial %s interface %u (bus %u addr %u)",
                    d->kind_name, d->info.vid, d->info.pid, d->info.serial, d->info.interface,
                    d->bus, d->address);
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
    (void)libusb_release_interface(u->handle, u->base.info.interface);
    int rc = libusb_reset_device(u->handle);
    if (rc == 0) {
        rc = libusb_claim_interface(u->handle, u->base.info.interface);
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

stp_status stp_usb_libusb_open(const stp_usb_filter *filter, const char *serial, const stp_env *env,
                               stp_usb **out, stp_findings *findings)
{
    *out = NULL;
    usb_libusb *u = stp_calloc(1, sizeof(*u));
    if (u == NULL)
        return STP_ERR_NOMEM;
    u->base.ops = &lu_ops;
    u->filter = filter;
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
