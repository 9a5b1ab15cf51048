/* The ST-Link's identities on USB (product IDs, endpoints, the V2 serial quirk), the filter
 * the libusb transport finds them with, and the ST-Link row of the probe registry. */
#include <stdio.h>
#include <string.h>

#include "probe/registry.h"
#include "probe/stlink.h"

/* Product IDs from ST's USB descriptors (the same list udev rules and other tools use). */
static const struct {
    uint16_t pid;
    stp_stlink_hw hw;
} stlink_pids[] = {
    {0x3744, STP_STLINK_HW_V1},    {0x3748, STP_STLINK_HW_V2},   {0x374B, STP_STLINK_HW_V2_1},
    {0x374A, STP_STLINK_HW_V2_1},  {0x3752, STP_STLINK_HW_V2_1}, {0x374E, STP_STLINK_HW_V3},
    {0x374F, STP_STLINK_HW_V3},    {0x3753, STP_STLINK_HW_V3},   {0x3754, STP_STLINK_HW_V3},
    {0x3757, STP_STLINK_HW_V3PWR}, /* STLINK-V3PWR (OpenOCD STLINK_V3P_PID) */
};

stp_stlink_hw stp_stlink_hw_from_pid(uint16_t vid, uint16_t pid)
{
    if (vid != STP_USB_VID_ST)
        return STP_STLINK_HW_UNKNOWN;
    for (size_t i = 0; i < sizeof(stlink_pids) / sizeof(stlink_pids[0]); i++)
        if (stlink_pids[i].pid == pid)
            return stlink_pids[i].hw;
    return STP_STLINK_HW_UNKNOWN;
}

const char *stp_stlink_hw_name(stp_stlink_hw hw)
{
    switch (hw) {
    case STP_STLINK_HW_V1:
        return "stlink-v1";
    case STP_STLINK_HW_V2:
        return "stlink-v2";
    case STP_STLINK_HW_V2_1:
        return "stlink-v2-1";
    case STP_STLINK_HW_V3:
        return "stlink-v3";
    case STP_STLINK_HW_V3PWR:
        return "stlink-v3pwr";
    case STP_STLINK_HW_UNKNOWN:
        break;
    }
    return "unknown";
}

void stp_stlink_endpoints(stp_stlink_hw hw, uint8_t *ep_out, uint8_t *ep_in)
{
    *ep_out = hw == STP_STLINK_HW_V2 || hw == STP_STLINK_HW_V1 ? 0x02 : 0x01;
    *ep_in = 0x81;
}

void stp_stlink_format_serial(const uint16_t *units, size_t count, uint16_t pid, char *out,
                              size_t outlen)
{
    if (pid != 0x3748 || count != 12) {
        stp_usb_format_serial(units, count, out, outlen);
        return;
    }
    uint16_t bytes[12];
    for (size_t i = 0; i < 12; i++)
        bytes[i] = (uint16_t)(units[i] | 0x100u); /* not printable: hex */
    stp_usb_format_serial(bytes, 12, out, outlen);
}

static void format_serial(const uint16_t *units, size_t count, uint16_t pid, char *out,
                          size_t outlen)
{
    stp_stlink_format_serial(units, count, pid, out, outlen);
}

/* An ST-Link is known by its product ID alone; its debug interface is interface 0. */
static stp_usb_match match(stp_usb_device *d)
{
    stp_stlink_hw hw = stp_stlink_hw_from_pid(d->info.vid, d->info.pid);
    if (hw == STP_STLINK_HW_UNKNOWN)
        return STP_USB_NOT_MINE;
    d->kind = hw;
    snprintf(d->kind_name, sizeof(d->kind_name), "%s", stp_stlink_hw_name(hw));
    stp_stlink_endpoints(hw, &d->info.ep_out, &d->info.ep_in);
    d->info.interface = 0;
    d->info.max_packet = hw == STP_STLINK_HW_V3 || hw == STP_STLINK_HW_V3PWR ? 512 : 64;
    d->chosen = -1; /* the endpoints above, whatever the descriptors list */
    for (size_t i = 0; i < d->interface_count; i++)
        if (d->interfaces[i].number == 0 && d->interfaces[i].ep_in == d->info.ep_in &&
            d->interfaces[i].ep_out == d->info.ep_out)
            d->chosen = (int)i;
    if (d->strings_read && d->info.description[0] == '\0')
        snprintf(d->info.description, sizeof(d->info.description), "ST-Link %s",
                 stp_stlink_hw_name(hw));
    d->unsupported = hw == STP_STLINK_HW_V1 ? "ST-Link V1 is not supported" : NULL;
    return STP_USB_MINE;
}

const stp_usb_filter stp_stlink_usb_filter = {
    .noun = "ST-Link",
    .spec_prefix = "stlink",
    .unsupported_advice = "use an ST-Link V2, V2-1 (Nucleo/Discovery) or V3",
    .match = match,
    .format_serial = format_serial,
};

static stp_status read_firmware(stp_usb *usb, char *out, size_t len, stp_findings *f)
{
    stp_probe_info info;
    stp_status st = stp_stlink_read_version(usb, &info, f);
    if (st == STP_OK)
        snprintf(out, len, "%s", info.firmware);
    return st;
}

const stp_probe_driver stp_stlink_driver = {
    .kind =
        {
            .prefix = "stlink",
            .name = "ST-Link (V2, V2-1, V3)",
            .forms = "stlink, stlink:SERIAL",
            .description = "ST's probe, on Nucleo and Discovery boards or stand-alone; "
                           "measures the target voltage",
            .on_usb = true,
        },
    .usb = &stp_stlink_usb_filter,
    .open_usb = stp_stlink_open,
    .read_firmware = read_firmware,
};
