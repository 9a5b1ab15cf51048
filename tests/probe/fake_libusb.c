/* Scripted libusb-1.0 (see fake_libusb.h). Only what the transport uses. */
#include "fake_libusb.h"

#include <libusb.h>
#include <stdlib.h>
#include <string.h>

#define FAKE_MAX 8

struct libusb_device {
    int index;
    int refs;
};

struct libusb_device_handle {
    int index;
};

struct libusb_context {
    int dummy;
};

static fake_usb_dev g_devs[FAKE_MAX];
static struct libusb_device g_dev_objs[FAKE_MAX];
static size_t g_count;
static fake_libusb_stats g_stats;

void fake_libusb_set(const fake_usb_dev *devs, size_t count)
{
    memset(&g_stats, 0, sizeof(g_stats));
    g_count = count < FAKE_MAX ? count : FAKE_MAX;
    for (size_t i = 0; i < g_count; i++) {
        g_devs[i] = devs[i];
        g_dev_objs[i].index = (int)i;
        g_dev_objs[i].refs = 0;
    }
}

const fake_libusb_stats *fake_libusb_stats_get(void)
{
    return &g_stats;
}

int LIBUSB_CALL libusb_init(libusb_context **ctx)
{
    static struct libusb_context c;
    g_stats.inits++;
    if (ctx != NULL)
        *ctx = &c;
    return 0;
}

void LIBUSB_CALL libusb_exit(libusb_context *ctx)
{
    (void)ctx;
    g_stats.exits++;
}

ssize_t LIBUSB_CALL libusb_get_device_list(libusb_context *ctx, libusb_device ***list)
{
    (void)ctx;
    libusb_device **l = calloc(g_count + 1, sizeof(*l));
    if (l == NULL)
        return LIBUSB_ERROR_NO_MEM;
    for (size_t i = 0; i < g_count; i++) {
        l[i] = &g_dev_objs[i];
        g_dev_objs[i].refs++;
    }
    *list = l;
    return (ssize_t)g_count;
}

void LIBUSB_CALL libusb_free_device_list(libusb_device **list, int unref_devices)
{
    if (list == NULL)
        return;
    for (size_t i = 0; unref_devices && list[i] != NULL; i++)
        list[i]->refs--;
    free(list);
}

libusb_device *LIBUSB_CALL libusb_ref_device(libusb_device *dev)
{
    dev->refs++;
    return dev;
}

void LIBUSB_CALL libusb_unref_device(libusb_device *dev)
{
    dev->refs--;
}

int LIBUSB_CALL libusb_get_device_descriptor(libusb_device *dev,
                                             struct libusb_device_descriptor *desc)
{
    memset(desc, 0, sizeof(*desc));
    desc->bLength = LIBUSB_DT_DEVICE_SIZE;
    desc->bDescriptorType = LIBUSB_DT_DEVICE;
    desc->idVendor = g_devs[dev->index].vid;
    desc->idProduct = g_devs[dev->index].pid;
    desc->iSerialNumber = g_devs[dev->index].serial != NULL ? 3 : 0;
    return 0;
}

uint8_t LIBUSB_CALL libusb_get_bus_number(libusb_device *dev)
{
    return g_devs[dev->index].bus;
}

uint8_t LIBUSB_CALL libusb_get_device_address(libusb_device *dev)
{
    return g_devs[dev->index].address;
}

int LIBUSB_CALL libusb_open(libusb_device *dev, libusb_device_handle **handle)
{
    if (g_devs[dev->index].open_rc != 0)
        return g_devs[dev->index].open_rc;
    libusb_device_handle *h = calloc(1, sizeof(*h));
    if (h == NULL)
        return LIBUSB_ERROR_NO_MEM;
    h->index = dev->index;
    *handle = h;
    g_stats.opens++;
    return 0;
}

void LIBUSB_CALL libusb_close(libusb_device_handle *handle)
{
    g_stats.closes++;
    free(handle);
}

int LIBUSB_CALL libusb_control_transfer(libusb_device_handle *h, uint8_t request_type,
                                        uint8_t request, uint16_t value, uint16_t index,
                                        unsigned char *data, uint16_t length, unsigned int tmo)
{
    (void)index, (void)tmo;
    const fake_usb_dev *d = &g_devs[h->index];
    if (request_type != LIBUSB_ENDPOINT_IN || request != LIBUSB_REQUEST_GET_DESCRIPTOR ||
        (value >> 8) != LIBUSB_DT_STRING || (value & 0xFF) != 3 || d->serial == NULL)
        return LIBUSB_ERROR_PIPE;
    size_t n = 2 + 2 * d->serial_len;
    if (n > length)
        n = length;
    unsigned char buf[256];
    buf[0] = (unsigned char)(2 + 2 * d->serial_len);
    buf[1] = LIBUSB_DT_STRING;
    for (size_t i = 0; i < d->serial_len; i++) {
        buf[2 + 2 * i] = (unsigned char)d->serial[i];
        buf[3 + 2 * i] = (unsigned char)(d->serial[i] >> 8);
    }
    memcpy(data, buf, n);
    return (int)n;
}

int LIBUSB_CALL libusb_get_string_descriptor_ascii(libusb_device_handle *h, uint8_t idx,
                                                   unsigned char *data, int length)
{
    (void)h, (void)idx, (void)data, (void)length;
    return LIBUSB_ERROR_PIPE;
}

int LIBUSB_CALL libusb_set_auto_detach_kernel_driver(libusb_device_handle *h, int enable)
{
    (void)h, (void)enable;
    return 0;
}

int LIBUSB_CALL libusb_get_configuration(libusb_device_handle *h, int *config)
{
    (void)h;
    *config = 1;
    return 0;
}

int LIBUSB_CALL libusb_set_configuration(libusb_device_handle *h, int config)
{
    (void)h, (void)config;
    return 0;
}

int LIBUSB_CALL libusb_claim_interface(libusb_device_handle *h, int iface)
{
    (void)iface;
    if (g_devs[h->index].claim_rc != 0)
        return g_devs[h->index].claim_rc;
    g_stats.claims++;
    return 0;
}

int LIBUSB_CALL libusb_release_interface(libusb_device_handle *h, int iface)
{
    (void)h, (void)iface;
    g_stats.releases++;
    return 0;
}

int LIBUSB_CALL libusb_reset_device(libusb_device_handle *h)
{
    (void)h;
    g_stats.resets++;
    return 0;
}

int LIBUSB_CALL libusb_clear_halt(libusb_device_handle *h, unsigned char ep)
{
    (void)h, (void)ep;
    return 0;
}

int LIBUSB_CALL libusb_bulk_transfer(libusb_device_handle *h, unsigned char ep, unsigned char *data,
                                     int length, int *transferred, unsigned int timeout)
{
    fake_usb_dev *d = &g_devs[h->index];
    g_stats.transfers++;
    g_stats.last_timeout_ms = timeout;
    *transferred = 0;
    if (d->transfers_before_unplug == 0)
        return LIBUSB_ERROR_NO_DEVICE;
    if (d->transfers_before_unplug > 0)
        d->transfers_before_unplug--;
    if ((ep & LIBUSB_ENDPOINT_IN) && timeout <= 1)
        return LIBUSB_ERROR_TIMEOUT; /* the driver empties the endpoint: nothing left */
    if (ep & LIBUSB_ENDPOINT_IN)
        memset(data, 0, (size_t)length);
    *transferred = length;
    return 0;
}

const char *LIBUSB_CALL libusb_error_name(int code)
{
    switch (code) {
    case LIBUSB_ERROR_ACCESS:
        return "LIBUSB_ERROR_ACCESS";
    case LIBUSB_ERROR_BUSY:
        return "LIBUSB_ERROR_BUSY";
    case LIBUSB_ERROR_NO_DEVICE:
        return "LIBUSB_ERROR_NO_DEVICE";
    default:
        return "LIBUSB_ERROR_OTHER";
    }
}

/* No configuration descriptors: the ST-Link filter goes by product ID alone. */
int LIBUSB_CALL libusb_get_active_config_descriptor(libusb_device *dev,
                                                    struct libusb_config_descriptor **config)
{
    (void)dev, (void)config;
    return LIBUSB_ERROR_NOT_FOUND;
}

int LIBUSB_CALL libusb_get_config_descriptor(libusb_device *dev, uint8_t index,
                                             struct libusb_config_descriptor **config)
{
    (void)dev, (void)index, (void)config;
    return LIBUSB_ERROR_NOT_FOUND;
}

void LIBUSB_CALL libusb_free_config_descriptor(struct libusb_config_descriptor *config)
{
    (void)config;
}

int LIBUSB_CALL libusb_interrupt_transfer(libusb_device_handle *h, unsigned char ep,
                                          unsigned char *data, int length, int *transferred,
                                          unsigned int timeout)
{
    return libusb_bulk_transfer(h, ep, data, length, transferred, timeout);
}
