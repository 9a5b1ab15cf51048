/* libFuzzer target: ST-Link replies. The fuzz input is the probe's side of the
 * conversation: each IN transfer takes a length byte and that many bytes from the input
 * (fewer when the input runs out, which the transport reports as a failed transfer). The
 * driver connects and runs memory, register, clock and voltage operations on whatever comes
 * back; it must never crash, hang or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "probe/stlink.h"
#include "transport/transport.h"

typedef struct fuzz_usb {
    stp_usb base;
    const uint8_t *data;
    size_t size, pos;
    uint64_t now_ns;
} fuzz_usb;

static stp_status f_out(stp_usb *usb, uint8_t ep, const void *data, size_t len, unsigned tmo)
{
    (void)usb, (void)ep, (void)data, (void)len, (void)tmo;
    return STP_OK;
}

static stp_status f_in(stp_usb *usb, uint8_t ep, void *data, size_t len, size_t *actual,
                       unsigned tmo)
{
    fuzz_usb *u = (fuzz_usb *)usb;
    (void)ep, (void)tmo;
    *actual = 0;
    if (u->pos >= u->size)
        return STP_ERR_USB;
    size_t want = u->data[u->pos++];
    /* 0xFF: exactly what was asked for (keeps long reads reachable). */
    if (want == 0xFF)
        want = len;
    if (want > len)
        want = len;
    if (want > u->size - u->pos)
        want = u->size - u->pos;
    memcpy(data, u->data + u->pos, want);
    u->pos += want;
    *actual = want;
    return STP_OK;
}

static void f_close(stp_usb *usb)
{
    (void)usb;
}

static uint64_t f_now(stp_usb *usb)
{
    return ((fuzz_usb *)usb)->now_ns;
}

static void f_sleep(stp_usb *usb, uint64_t ns)
{
    ((fuzz_usb *)usb)->now_ns += ns;
}

static const stp_usb_ops fuzz_ops = {
    .bulk_out = f_out, .bulk_in = f_in, .close = f_close, .now_ns = f_now, .sleep_ns = f_sleep};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const uint16_t pids[4] = {0x3748, 0x374B, 0x374F, 0x3752};
    fuzz_usb u = {.data = data + 1, .size = size - 1};
    u.base.ops = &fuzz_ops;
    u.base.info.vid = 0x0483;
    u.base.info.pid = pids[data[0] & 3];
    stp_stlink_endpoints(stp_stlink_hw_from_pid(0x0483, u.base.info.pid), &u.base.info.ep_out,
                         &u.base.info.ep_in);

    stp_findings f = {0};
    stp_debug *d = NULL;
    if (stp_stlink_open(&u.base, NULL, &d, &f) == STP_OK) {
        static uint8_t buf[3000];
        uint32_t v = 0;
        double volts = 0;
        unsigned khz = 0;
        (void)d->ops->attach(d, &v, &f);
        (void)d->ops->target_voltage(d, &volts, &f);
        (void)d->ops->set_swd_khz(d, (data[0] >> 2) * 1000u, &khz, &f);
        (void)d->ops->read_mem(d, 0x200003FDu, buf, sizeof(buf), &f);
        (void)d->ops->write_mem(d, 0x20000001u, buf, 70, &f);
        (void)d->ops->read_u32(d, 0xE0042000u, &v, &f);
        (void)d->ops->write_u16(d, 0x08000000u, 0x1234, &f);
        (void)d->ops->read_reg(d, 15, &v, &f);
        (void)d->ops->set_nrst(d, true, &f);
        d->ops->close(d);
    }
    stp_findings_free(&f);
    return 0;
}
