/* The CMSIS-DAP probe model's USB side: its identity and descriptors, the packets, the
 * queue of commands in flight, and the timing (docs/virtual-board.md, "CMSIS-DAP"):
 *
 * - v2 (probe=cmsis-dap): a high-speed probe with a vendor-class interface named
 *   "CMSIS-DAP v2" and two bulk endpoints of 512 bytes; DAP_PACKET_SIZE 512 and
 *   DAP_PACKET_COUNT 4, the values CMSIS-DAP's DAP_config.h gives for high-speed USB
 *   ("512 for High-speed USB WinUSB", "Change setting to 4 for High-Speed USB"). Each bulk
 *   transfer costs 125 us (one USB 2.0 micro-frame, the same cost as the STLINK-V3 model) plus
 *   its bytes at 30 MB/s.
 * - v1 (probe=cmsis-dap-v1): a full-speed HID probe with interrupt endpoints of 64 bytes
 *   polled every frame (bInterval 1); DAP_PACKET_SIZE 64 and DAP_PACKET_COUNT 4 (as the
 *   Raspberry Pi Debug Probe's firmware). An interrupt endpoint moves at most one report per
 *   1 ms frame (USB 2.0 5.7.4): a report goes at the next frame boundary, plus its bytes at
 *   1 MB/s.
 *
 * OUT and IN are separate pipes: each carries its transfers one after the other, and a host
 * that keeps an IN transfer pending while it sends commands (libusb's asynchronous API)
 * gets each response in the first slot after the probe has it.
 *
 * The probe works through the commands in order while the host sends more: a command
 * starts when it has arrived and the one before it is done, and takes its SWD time on the
 * board's clock; its response is read by the host no earlier than it is ready. The host's
 * clock (host_ns) therefore runs apart from the board's while commands are in flight. A
 * host with more commands unanswered than DAP_PACKET_COUNT is NAKed (its OUT transfer times
 * out), as the firmware has no buffer for them. */
#include "cmsis_dap_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_SERIAL "0D28020400DAP0001"
#define HS_XFER_NS     125000u /* one micro-frame per bulk transfer */
#define HS_NS_PER_B_X3 100u    /* 30 MB/s = 33.3 ns per byte (x3 fixed point) */
#define FS_FRAME_NS    1000000u
#define FS_NS_PER_BYTE 1000u

/* The CMSIS-DAP HID report descriptor: vendor page 0xFF00, 64-byte input, output and
 * feature reports. */
static const uint8_t hid_report[] = {
    0x06, 0x00, 0xFF, /* Usage Page (vendor 0xFF00) */
    0x09, 0x01,       /* Usage 1 */
    0xA1, 0x01,       /* Collection (Application) */
    0x15, 0x00,       /* Logical Minimum 0 */
    0x26, 0xFF, 0x00, /* Logical Maximum 255 */
    0x75, 0x08,       /* Report Size 8 */
    0x95, 0x40,       /* Report Count 64 */
    0x09, 0x01,       /* Usage 1 */
    0x81, 0x02,       /* Input (Data, Variable, Absolute) */
    0x95, 0x40,       /* Report Count 64 */
    0x09, 0x01,       /* Usage 1 */
    0x91, 0x02,       /* Output (Data, Variable, Absolute) */
    0x95, 0x01,       /* Report Count 1 */
    0x09, 0x01,       /* Usage 1 */
    0xB1, 0x02,       /* Feature (Data, Variable, Absolute) */
    0xC0,             /* End Collection */
};

void dap_trace(sim_cmsis_dap *d, const char *fmt, ...)
{
    if (!d->trace)
        return;
    char line[256];
    int n = snprintf(line, sizeof(line), "%12.6f ", (double)sim_clock_ns(d->board) / 1e9);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    d->trace(d->trace_user, line);
}

sim_cmsis_dap *sim_cmsis_dap_create(sim_board *board, bool v1)
{
    sim_cmsis_dap *d = calloc(1, sizeof(*d));
    if (d == NULL)
        return NULL;
    d->board = board;
    d->spec = sim_board_spec(board);
    d->v1 = v1;
    d->packet_size = v1 ? 64 : 512;
    d->packet_count = 4;
    snprintf(d->serial, sizeof(d->serial), "%s",
             d->spec->serial[0] ? d->spec->serial : DEFAULT_SERIAL);
    sim_probe_usb *u = &d->usb;
    u->vid = 0x0D28; /* ARM's CMSIS-DAP / DAPLink IDs */
    u->pid = 0x0204;
    u->bcd_device = 0x0100;
    u->manufacturer = "stprog";
    u->serial = d->serial;
    u->ep_out = 0x01;
    u->ep_in = 0x81;
    if (v1) {
        u->product = "stprog virtual CMSIS-DAP v1";
        u->iface_class = 0x03; /* HID */
        u->iface_name = "CMSIS-DAP v1";
        u->eps[0] = (sim_usb_endpoint){0x81, SIM_USB_INTERRUPT, 64, 1};
        u->eps[1] = (sim_usb_endpoint){0x01, SIM_USB_INTERRUPT, 64, 1};
        u->hid_report = hid_report;
        u->hid_report_len = sizeof(hid_report);
    } else {
        u->product = "stprog virtual CMSIS-DAP";
        u->iface_class = 0xFF;
        u->iface_name = "CMSIS-DAP v2";
        u->eps[0] = (sim_usb_endpoint){0x01, SIM_USB_BULK, 512, 0};
        u->eps[1] = (sim_usb_endpoint){0x81, SIM_USB_BULK, 512, 0};
        u->high_speed = true;
    }
    u->ep_count = 2;
    dap_defaults(d);
    sim_dap_init(&d->dap, board, d->dap.swd_khz, d->dap.wait_retries);
    d->host_ns = sim_clock_ns(board);
    return d;
}

void sim_cmsis_dap_destroy(sim_cmsis_dap *d)
{
    if (d == NULL)
        return;
    if (d->nreset_low)
        sim_nrst_set(d->board, false); /* the probe lets go of the pin when it goes away */
    free(d);
}

const sim_probe_usb *sim_cmsis_dap_usb(const sim_cmsis_dap *d)
{
    return &d->usb;
}

void sim_cmsis_dap_set_trace(sim_cmsis_dap *d, void (*fn)(void *user, const char *line), void *user)
{
    d->trace = fn;
    d->trace_user = user;
}

uint64_t sim_cmsis_dap_host_ns(const sim_cmsis_dap *d)
{
    return d->host_ns;
}

/* Lets the board run up to t (no-op when it is already past). */
static void board_to(sim_cmsis_dap *d, uint64_t t)
{
    uint64_t now = sim_clock_ns(d->board);
    if (t > now)
        sim_clock_advance(d->board, t - now);
}

void sim_cmsis_dap_host_wait(sim_cmsis_dap *d, uint64_t ns)
{
    d->host_ns += ns;
    board_to(d, d->host_ns);
}

void sim_cmsis_dap_sync(sim_cmsis_dap *d)
{
    board_to(d, d->host_ns);
}

void sim_cmsis_dap_usb_reset(sim_cmsis_dap *d)
{
    /* The firmware restarts: nothing in flight, its defaults; the target is untouched. */
    dap_trace(d, "USB reset: the probe restarts");
    d->head = d->pending = 0;
    d->out_free = d->in_free = 0;
    if (d->nreset_low)
        sim_nrst_set(d->board, false);
    dap_defaults(d);
}

/* A transfer of len bytes on a pipe that is free from *pipe_free, asked for at t: when
 * it is done; the pipe is busy until then (v2), or until the next frame (v1). */
static uint64_t usb_done(const sim_cmsis_dap *d, uint64_t *pipe_free, uint64_t t, size_t len)
{
    if (t < *pipe_free)
        t = *pipe_free;
    if (!d->v1) {
        uint64_t done = t + HS_XFER_NS + (uint64_t)len * HS_NS_PER_B_X3 / 3u;
        *pipe_free = done;
        return done;
    }
    uint64_t slot = (t + FS_FRAME_NS - 1u) / FS_FRAME_NS * FS_FRAME_NS; /* the next frame start */
    *pipe_free = slot + FS_FRAME_NS;
    return slot + (uint64_t)len * FS_NS_PER_BYTE;
}

/* One command packet, arrived at the probe at time arrive. */
static int take_packet(sim_cmsis_dap *d, const uint8_t *data, size_t len)
{
    if (d->pending >= d->packet_count) {
        dap_trace(d, "command %02X NAKed: %u commands unanswered (DAP_PACKET_COUNT %u)", data[0],
                  d->pending, d->packet_count);
        return SIM_PROBE_TIMEOUT;
    }
    sim_stats *st = sim_board_stats(d->board);
    uint64_t arrive = usb_done(d, &d->out_free, d->host_ns, len);
    st->usb_transfers++;
    st->bytes_out += len;
    d->host_ns = arrive;
    board_to(d, arrive); /* the probe starts once the command is there and it is free */
    dap_response *r = &d->queue[(d->head + d->pending) % DAP_COUNT_MAX];
    memset(r->data, 0, sizeof(r->data));
    size_t n = dap_execute(d, data, len, r->data);
    if (n == 0)
        return SIM_PROBE_OK;                         /* no response */
    r->len = (uint16_t)(d->v1 ? d->packet_size : n); /* a HID report is always whole */
    r->ready_ns = sim_clock_ns(d->board);
    d->pending++;
    return SIM_PROBE_OK;
}

int sim_cmsis_dap_out(sim_cmsis_dap *d, uint8_t ep, const uint8_t *data, size_t len)
{
    if (ep != d->usb.ep_out)
        return SIM_PROBE_STALL;
    if (len == 0)
        return SIM_PROBE_OK;
    sim_stats *st = sim_board_stats(d->board);
    sim_stats_cpu_enter(st);
    int rc = SIM_PROBE_OK;
    /* The firmware takes one packet per command: a longer transfer is several packets, each
     * read as a command of its own. */
    for (size_t off = 0; off < len && rc == SIM_PROBE_OK; off += d->packet_size) {
        size_t n = len - off < d->packet_size ? len - off : d->packet_size;
        rc = take_packet(d, data + off, n);
    }
    sim_stats_cpu_leave(st);
    return rc;
}

int sim_cmsis_dap_in(sim_cmsis_dap *d, uint8_t ep, uint8_t *buf, size_t maxlen, size_t *actual,
                     uint64_t since_ns)
{
    *actual = 0;
    if (ep != d->usb.ep_in)
        return SIM_PROBE_STALL;
    if (d->pending == 0)
        return SIM_PROBE_TIMEOUT; /* nothing to send: the host's transfer times out */
    dap_response *r = &d->queue[d->head];
    uint64_t t = since_ns > r->ready_ns ? since_ns : r->ready_ns;
    size_t n = r->len;
    int rc = SIM_PROBE_OK;
    if (n > maxlen) {
        /* The packet does not fit the host's buffer: babble, the packet is lost. */
        dap_trace(d, "IN overflow: a %zu-byte response into %zu bytes of buffer", n, maxlen);
        n = maxlen;
        rc = SIM_PROBE_OVERFLOW;
    }
    memcpy(buf, r->data, n);
    *actual = n;
    uint64_t done = usb_done(d, &d->in_free, t, n);
    if (done > d->host_ns)
        d->host_ns = done;
    sim_stats *st = sim_board_stats(d->board);
    st->usb_transfers++;
    st->bytes_in += n;
    d->head = (d->head + 1) % DAP_COUNT_MAX;
    d->pending--;
    return rc;
}

/* HID class requests (HID 1.11 7.2): SET_IDLE is accepted, SET_REPORT carries an output
 * report (a command) when a host uses the control pipe instead of the OUT endpoint. */
int sim_cmsis_dap_class_request(sim_cmsis_dap *d, uint8_t req_type, uint8_t req, uint16_t value,
                                uint16_t index, uint8_t *data, uint16_t len)
{
    (void)index;
    if (!d->v1 || (req_type & 0x60) != 0x20)
        return -1;
    bool in = (req_type & 0x80) != 0;
    switch (req) {
    case 0x0A: /* SET_IDLE */
        return in ? -1 : 0;
    case 0x09: /* SET_REPORT */
        if (in || (value >> 8) != 2 || len == 0)
            return -1;
        return sim_cmsis_dap_out(d, d->usb.ep_out, data, len) == SIM_PROBE_OK ? len : -1;
    default:
        return -1;
    }
}
