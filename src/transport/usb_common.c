/* Transport helpers shared by every implementation: the clock and serial-number text. */
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

void stp_usb_format_serial(const uint16_t *units, size_t count, char *out, size_t outlen)
{
    if (outlen == 0)
        return;
    out[0] = '\0';
    bool printable = true;
    for (size_t i = 0; i < count; i++)
        if (units[i] < 0x20 || units[i] > 0x7E)
            printable = false;
    bool binary = !printable;
    size_t pos = 0;
    for (size_t i = 0; i < count && pos + 3 <= outlen; i++) {
        if (binary)
            pos += (size_t)snprintf(out + pos, outlen - pos, "%02X", units[i] & 0xFFu);
        else
            out[pos++] = (char)units[i];
    }
    out[pos < outlen ? pos : outlen - 1] = '\0';
}
