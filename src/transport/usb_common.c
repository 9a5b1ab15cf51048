/* Transport helpers shared by every implementation: the clock, ST-Link USB identities and
 * the serial-number formatting quirk of ST-Link V2. */
#include "transport/transport.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

uint64_t stp_usb_now_ns(stp_usb *usb)
{
    if (usb != NULL && usb->ops != NULL && usb->ops->now_ns != NULL)
        return usb->ops->now_ns(usb);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void stp_usb_sleep_ns(stp_usb *usb, uint64_t ns)
{
    if (usb != NULL && usb->ops != NULL && usb->ops->sleep_ns != NULL) {
        usb->ops->sleep_ns(usb, ns);
        return;
    }
    struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u),
                          .tv_nsec = (long)(ns % 1000000000u)};
    while (nanosleep(&ts, &ts) != 0) {
        /* interrupted by a signal: sleep the remainder */
    }
}

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

void stp_usb_format_serial(const uint16_t *units, size_t count, uint16_t pid, char *out,
                           size_t outlen)
{
    if (outlen == 0)
        return;
    out[0] = '\0';
    bool printable = true;
    for (size_t i = 0; i < count; i++)
        if (units[i] < 0x20 || units[i] > 0x7E)
            printable = false;
    /* ST-Link V2 firmware reports its 12-byte unique ID as 12 raw bytes, one per UTF-16
     * unit; tools print it as 24 hex digits. */
    bool binary = !printable || (pid == 0x3748 && count == 12);
    size_t pos = 0;
    for (size_t i = 0; i < count && pos + 3 <= outlen; i++) {
        if (binary)
            pos += (size_t)snprintf(out + pos, outlen - pos, "%02X", units[i] & 0xFFu);
        else
            out[pos++] = (char)units[i];
    }
    out[pos < outlen ? pos : outlen - 1] = '\0';
}
