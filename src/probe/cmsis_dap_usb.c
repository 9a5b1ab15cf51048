/* How a CMSIS-DAP probe is recognised on USB, and its row of the probe registry. The
 * CMSIS-DAP documentation ("Firmware: USB configuration") names the probe by strings, not
 * IDs: a v2 probe has a vendor-class interface whose name contains "CMSIS-DAP" with bulk
 * endpoints; a v1 probe is a HID device whose product string contains "CMSIS-DAP" (tools
 * also accept the HID interface's name). A probe offering both is driven through v2. */
#include <stdio.h>
#include <string.h>

#include "probe/cmsis_dap.h"
#include "probe/registry.h"

#define CLASS_HID    0x03
#define CLASS_VENDOR 0xFF

static bool names_dap(const char *s)
{
    return strstr(s, "CMSIS-DAP") != NULL;
}

static bool is_v2(const stp_usb_interface *it)
{
    return it->cls == CLASS_VENDOR && !it->interrupt && it->ep_in && it->ep_out &&
           names_dap(it->name);
}

static bool is_v1(const stp_usb_device *d, const stp_usb_interface *it)
{
    return it->cls == CLASS_HID && it->interrupt && it->ep_in && it->ep_out &&
           (names_dap(it->name) || names_dap(d->info.description));
}

static stp_usb_match match(stp_usb_device *d)
{
    bool candidate = false;
    for (size_t i = 0; i < d->interface_count; i++)
        if (d->interfaces[i].cls == CLASS_VENDOR || d->interfaces[i].cls == CLASS_HID)
            candidate = true;
    if (!candidate)
        return STP_USB_NOT_MINE;
    if (!d->strings_read)
        return STP_USB_NEED_STRINGS;
    int v2 = -1, v1 = -1;
    for (size_t i = 0; i < d->interface_count; i++) {
        if (v2 < 0 && is_v2(&d->interfaces[i]))
            v2 = (int)i;
        if (v1 < 0 && is_v1(d, &d->interfaces[i]))
            v1 = (int)i;
    }
    if (v2 < 0 && v1 < 0)
        return STP_USB_NOT_MINE;
    d->chosen = v2 >= 0 ? v2 : v1;
    d->kind = v2 >= 0 ? 2 : 1;
    snprintf(d->kind_name, sizeof(d->kind_name), "%s", v2 >= 0 ? "cmsis-dap-v2" : "cmsis-dap-v1");
    d->unsupported = NULL;
    return STP_USB_MINE;
}

static const stp_usb_filter cmsis_dap_filter = {
    .noun = "CMSIS-DAP probe",
    .spec_prefix = "cmsis-dap",
    .unsupported_advice = "use a CMSIS-DAP probe with SWD",
    .match = match,
};

const stp_probe_driver stp_cmsis_dap_driver = {
    .kind =
        {
            .prefix = "cmsis-dap",
            .name = "CMSIS-DAP (v2 bulk, v1 HID)",
            .forms = "cmsis-dap, cmsis-dap:SERIAL",
            .description = "ARM's debug probe protocol: DAPLink, Raspberry Pi Debug Probe, "
                           "picoprobe and others; no target voltage reading",
            .on_usb = true,
        },
    .usb = &cmsis_dap_filter,
    .open_usb = cdap_open,
    .read_firmware = cdap_read_firmware,
};
