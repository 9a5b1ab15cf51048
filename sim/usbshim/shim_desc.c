/* USB descriptors of the simulated probe (device, one configuration with the probe's debug
 * interface and its endpoints, HID descriptors for a HID probe, strings) and the control
 * requests: the standard ones here, class requests (HID) to the probe model. The debug
 * interface is what the real probes present as interface 0; other interfaces (mass
 * storage, virtual COM port) are not modelled. */
#include <stdlib.h>
#include <string.h>

#include "shim.h"

#define STR_MANUFACTURER 1
#define STR_PRODUCT      2
#define STR_SERIAL       3
#define STR_INTERFACE    4
#define DT_HID           0x21 /* HID 1.11 7.1 */
#define DT_HID_REPORT    0x22
#define HID_DESC_SIZE    9

int shim_device_descriptor(const sim_probe_usb *u, struct libusb_device_descriptor *d)
{
    memset(d, 0, sizeof(*d));
    d->bLength = LIBUSB_DT_DEVICE_SIZE;
    d->bDescriptorType = LIBUSB_DT_DEVICE;
    d->bcdUSB = 0x0200;
    d->bDeviceClass = 0;
    d->bDeviceSubClass = 0;
    d->bDeviceProtocol = 0;
    d->bMaxPacketSize0 = 64;
    d->idVendor = u->vid;
    d->idProduct = u->pid;
    d->bcdDevice = u->bcd_device;
    d->iManufacturer = STR_MANUFACTURER;
    d->iProduct = STR_PRODUCT;
    d->iSerialNumber = STR_SERIAL;
    d->bNumConfigurations = 1;
    return LIBUSB_SUCCESS;
}

static const char *string_of(const sim_probe_usb *u, uint8_t index)
{
    switch (index) {
    case STR_MANUFACTURER:
        return u->manufacturer;
    case STR_PRODUCT:
        return u->product;
    case STR_SERIAL:
        return u->serial;
    case STR_INTERFACE:
        return u->iface_name;
    default:
        return NULL;
    }
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static bool is_hid(const sim_probe_usb *u)
{
    return u->iface_class == LIBUSB_CLASS_HID;
}

/* The HID class descriptor that follows a HID interface descriptor. */
static void hid_descriptor(const sim_probe_usb *u, uint8_t *p)
{
    p[0] = HID_DESC_SIZE;
    p[1] = DT_HID;
    put16(p + 2, 0x0111); /* HID 1.11 */
    p[4] = 0;             /* no country */
    p[5] = 1;             /* one class descriptor: */
    p[6] = DT_HID_REPORT; /* the report descriptor */
    put16(p + 7, u->hid_report_len);
}

static int config_total(const sim_probe_usb *u)
{
    return LIBUSB_DT_CONFIG_SIZE + LIBUSB_DT_INTERFACE_SIZE + (is_hid(u) ? HID_DESC_SIZE : 0) +
           (int)u->ep_count * LIBUSB_DT_ENDPOINT_SIZE;
}

/* Raw descriptor bytes as GET_DESCRIPTOR returns them. */
int shim_raw_descriptor(const sim_probe_usb *u, uint8_t type, uint8_t index, uint8_t *buf, int len)
{
    uint8_t d[256];
    int n = 0;
    switch (type) {
    case LIBUSB_DT_DEVICE: {
        struct libusb_device_descriptor dd;
        shim_device_descriptor(u, &dd);
        d[0] = LIBUSB_DT_DEVICE_SIZE;
        d[1] = LIBUSB_DT_DEVICE;
        put16(d + 2, dd.bcdUSB);
        d[4] = dd.bDeviceClass;
        d[5] = dd.bDeviceSubClass;
        d[6] = dd.bDeviceProtocol;
        d[7] = dd.bMaxPacketSize0;
        put16(d + 8, dd.idVendor);
        put16(d + 10, dd.idProduct);
        put16(d + 12, dd.bcdDevice);
        d[14] = dd.iManufacturer;
        d[15] = dd.iProduct;
        d[16] = dd.iSerialNumber;
        d[17] = dd.bNumConfigurations;
        n = LIBUSB_DT_DEVICE_SIZE;
        break;
    }
    case LIBUSB_DT_CONFIG: {
        if (index != 0)
            return LIBUSB_ERROR_PIPE;
        int total = config_total(u);
        uint8_t *p = d;
        p[0] = LIBUSB_DT_CONFIG_SIZE;
        p[1] = LIBUSB_DT_CONFIG;
        put16(p + 2, (uint16_t)total);
        p[4] = 1;    /* interfaces */
        p[5] = 1;    /* bConfigurationValue */
        p[6] = 0;    /* iConfiguration */
        p[7] = 0x80; /* bus powered */
        p[8] = 50;   /* 100 mA */
        p += LIBUSB_DT_CONFIG_SIZE;
        p[0] = LIBUSB_DT_INTERFACE_SIZE;
        p[1] = LIBUSB_DT_INTERFACE;
        p[2] = 0; /* interface 0 */
        p[3] = 0;
        p[4] = (uint8_t)u->ep_count;
        p[5] = u->iface_class;
        p[6] = u->iface_subclass;
        p[7] = u->iface_protocol;
        p[8] = STR_INTERFACE;
        p += LIBUSB_DT_INTERFACE_SIZE;
        if (is_hid(u)) {
            hid_descriptor(u, p);
            p += HID_DESC_SIZE;
        }
        for (unsigned i = 0; i < u->ep_count; i++) {
            p[0] = LIBUSB_DT_ENDPOINT_SIZE;
            p[1] = LIBUSB_DT_ENDPOINT;
            p[2] = u->eps[i].address;
            p[3] = u->eps[i].type;
            put16(p + 4, u->eps[i].max_packet);
            p[6] = u->eps[i].interval;
            p += LIBUSB_DT_ENDPOINT_SIZE;
        }
        n = total;
        break;
    }
    case LIBUSB_DT_STRING: {
        if (index == 0) {
            d[0] = 4;
            d[1] = LIBUSB_DT_STRING;
            put16(d + 2, 0x0409); /* English (US) */
            n = 4;
            break;
        }
        const char *s = string_of(u, index);
        if (!s)
            return LIBUSB_ERROR_PIPE;
        size_t l = strlen(s);
        if (l > 120)
            l = 120;
        d[0] = (uint8_t)(2 + 2 * l);
        d[1] = LIBUSB_DT_STRING;
        for (size_t i = 0; i < l; i++)
            put16(d + 2 + 2 * i, (uint8_t)s[i]);
        n = d[0];
        break;
    }
    case DT_HID:
        if (!is_hid(u))
            return LIBUSB_ERROR_PIPE;
        hid_descriptor(u, d);
        n = HID_DESC_SIZE;
        break;
    case DT_HID_REPORT:
        if (!is_hid(u) || u->hid_report_len > sizeof(d))
            return LIBUSB_ERROR_PIPE;
        memcpy(d, u->hid_report, u->hid_report_len);
        n = u->hid_report_len;
        break;
    default:
        return LIBUSB_ERROR_PIPE;
    }
    if (n > len)
        n = len;
    memcpy(buf, d, (size_t)n);
    return n;
}

int shim_config_descriptor(const sim_probe_usb *u, struct libusb_config_descriptor **out)
{
    struct libusb_config_descriptor *c = calloc(1, sizeof(*c));
    struct libusb_interface *itf = calloc(1, sizeof(*itf));
    struct libusb_interface_descriptor *alt = calloc(1, sizeof(*alt));
    struct libusb_endpoint_descriptor *eps = calloc(SIM_PROBE_MAX_EPS, sizeof(*eps));
    unsigned char *extra = is_hid(u) ? calloc(1, HID_DESC_SIZE) : NULL;
    if (!c || !itf || !alt || !eps || (is_hid(u) && !extra)) {
        free(c);
        free(itf);
        free(alt);
        free(eps);
        free(extra);
        return LIBUSB_ERROR_NO_MEM;
    }
    for (unsigned i = 0; i < u->ep_count; i++) {
        eps[i].bLength = LIBUSB_DT_ENDPOINT_SIZE;
        eps[i].bDescriptorType = LIBUSB_DT_ENDPOINT;
        eps[i].bEndpointAddress = u->eps[i].address;
        eps[i].bmAttributes = u->eps[i].type;
        eps[i].wMaxPacketSize = u->eps[i].max_packet;
        eps[i].bInterval = u->eps[i].interval;
    }
    alt->bLength = LIBUSB_DT_INTERFACE_SIZE;
    alt->bDescriptorType = LIBUSB_DT_INTERFACE;
    alt->bInterfaceNumber = 0;
    alt->bNumEndpoints = (uint8_t)u->ep_count;
    alt->bInterfaceClass = u->iface_class;
    alt->bInterfaceSubClass = u->iface_subclass;
    alt->bInterfaceProtocol = u->iface_protocol;
    alt->iInterface = STR_INTERFACE;
    alt->endpoint = eps;
    if (extra) {
        hid_descriptor(u, extra);
        alt->extra = extra;
        alt->extra_length = HID_DESC_SIZE;
    }
    itf->altsetting = alt;
    itf->num_altsetting = 1;
    c->bLength = LIBUSB_DT_CONFIG_SIZE;
    c->bDescriptorType = LIBUSB_DT_CONFIG;
    c->wTotalLength = (uint16_t)config_total(u);
    c->bNumInterfaces = 1;
    c->bConfigurationValue = 1;
    c->bmAttributes = 0x80;
    c->MaxPower = 50;
    c->interface = itf;
    *out = c;
    return LIBUSB_SUCCESS;
}

void shim_free_config(struct libusb_config_descriptor *c)
{
    if (!c)
        return;
    if (c->interface) {
        const struct libusb_interface_descriptor *alt = c->interface[0].altsetting;
        if (alt) {
            free((void *)alt->endpoint);
            free((void *)alt->extra);
            free((void *)alt);
        }
        free((void *)c->interface);
    }
    free(c);
}

int shim_control(sim_probe *p, uint8_t req_type, uint8_t req, uint16_t value, uint16_t index,
                 uint8_t *data, uint16_t len)
{
    const sim_probe_usb *u = sim_probe_usb_info(p);
    if ((req_type & 0x60) == LIBUSB_REQUEST_TYPE_CLASS &&
        (req_type & 0x1F) == LIBUSB_RECIPIENT_INTERFACE && index == 0) {
        shim_charge_ns(0);
        int n = sim_probe_class_request(p, req_type, req, value, index, data, len);
        return n < 0 ? LIBUSB_ERROR_PIPE : n;
    }
    if ((req_type & 0x60) != LIBUSB_REQUEST_TYPE_STANDARD)
        return LIBUSB_ERROR_PIPE; /* no vendor requests */
    bool in = (req_type & 0x80) != 0;
    switch (req) {
    case LIBUSB_REQUEST_GET_DESCRIPTOR:
        if (!in)
            return LIBUSB_ERROR_PIPE;
        return shim_raw_descriptor(u, (uint8_t)(value >> 8), (uint8_t)value, data, len);
    case LIBUSB_REQUEST_GET_STATUS:
        if (!in || len < 2)
            return LIBUSB_ERROR_PIPE;
        data[0] = data[1] = 0;
        return 2;
    case LIBUSB_REQUEST_GET_CONFIGURATION:
        if (!in || len < 1)
            return LIBUSB_ERROR_PIPE;
        data[0] = 1;
        return 1;
    case LIBUSB_REQUEST_SET_CONFIGURATION:
    case LIBUSB_REQUEST_SET_INTERFACE:
    case LIBUSB_REQUEST_CLEAR_FEATURE:
        return in ? LIBUSB_ERROR_PIPE : 0;
    default:
        return LIBUSB_ERROR_PIPE;
    }
}

SHIM_API int LIBUSB_CALL libusb_get_string_descriptor_ascii(libusb_device_handle *dev_handle,
                                                            uint8_t desc_index, unsigned char *data,
                                                            int length)
{
    (void)dev_handle;
    if (desc_index == 0)
        return LIBUSB_ERROR_INVALID_PARAM;
    sim_probe *p = shim_probe();
    if (!p)
        return LIBUSB_ERROR_NO_DEVICE;
    uint8_t raw[256];
    int n =
        shim_raw_descriptor(sim_probe_usb_info(p), LIBUSB_DT_STRING, desc_index, raw, sizeof(raw));
    if (n < 0)
        return n;
    if (n < 2 || raw[1] != LIBUSB_DT_STRING)
        return LIBUSB_ERROR_IO;
    int out = 0;
    for (int i = 2; i + 1 < n && out < length - 1; i += 2)
        data[out++] = (raw[i + 1] || raw[i] > 0x7F) ? '?' : raw[i];
    if (length > 0)
        data[out] = 0;
    return out;
}
