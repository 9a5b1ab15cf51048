/* Transfers through the shim: synchronous control/bulk/interrupt transfers, and the
 * asynchronous API (alloc/submit/cancel, completion callbacks delivered by
 * libusb_handle_events*). The device sees transfers in submission order, as a real host
 * controller would deliver them; an IN transfer waits until the probe has something to send
 * and times out at the next event handling when it has not. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shim.h"

int shim_bulk(unsigned char ep, unsigned char *data, int len, int *actual)
{
    sim_probe *p = shim_probe();
    if (actual)
        *actual = 0;
    if (!p)
        return LIBUSB_ERROR_NO_DEVICE;
    if (len < 0)
        return LIBUSB_ERROR_INVALID_PARAM;
    shim_lock();
    shim_charge_ns(0); /* deferred host time first */
    int r;
    if (ep & LIBUSB_ENDPOINT_IN) {
        size_t got = 0;
        r = sim_probe_in(p, ep, data, (size_t)len, &got);
        if (r == SIM_PROBE_OK && actual)
            *actual = (int)got;
    } else {
        r = sim_probe_out(p, ep, data, (size_t)len);
        if (r == SIM_PROBE_OK && actual)
            *actual = len;
    }
    shim_unlock();
    if (r == SIM_PROBE_OK)
        return LIBUSB_SUCCESS;
    if (r == SIM_PROBE_TIMEOUT)
        return LIBUSB_ERROR_TIMEOUT;
    if (r == SIM_PROBE_OVERFLOW)
        return LIBUSB_ERROR_OVERFLOW;
    return LIBUSB_ERROR_PIPE;
}

static enum libusb_transfer_status transfer_status(int r)
{
    switch (r) {
    case LIBUSB_SUCCESS:
        return LIBUSB_TRANSFER_COMPLETED;
    case LIBUSB_ERROR_TIMEOUT:
        return LIBUSB_TRANSFER_TIMED_OUT;
    case LIBUSB_ERROR_OVERFLOW:
        return LIBUSB_TRANSFER_OVERFLOW;
    case LIBUSB_ERROR_NO_DEVICE:
        return LIBUSB_TRANSFER_NO_DEVICE;
    default:
        return LIBUSB_TRANSFER_STALL;
    }
}

/* A blocking IN transfer on a thread of its own (pyOCD's CMSIS-DAP reader keeps one
 * pending while the main thread sends commands): it waits in real time, up to its timeout,
 * for the probe to have something to send, and costs no virtual time while nothing is in
 * flight (the host thread's transfers charge the board). */
#define READER_POLL_NS 100000L

static int reader_in(unsigned char ep, unsigned char *data, int length, int *actual,
                     unsigned int timeout)
{
    struct timespec poll_gap = {0, READER_POLL_NS};
    long waited_ns = 0, limit_ns = (long)(timeout ? timeout : 60000u) * 1000000L;
    int r;
    while ((r = shim_bulk(ep, data, length, actual)) == LIBUSB_ERROR_TIMEOUT &&
           waited_ns < limit_ns) {
        nanosleep(&poll_gap, NULL);
        waited_ns += READER_POLL_NS;
    }
    return r;
}

static int sync_bulk(unsigned char ep, unsigned char *data, int length, int *transferred,
                     unsigned int timeout)
{
    int actual = 0;
    if ((ep & LIBUSB_ENDPOINT_IN) && shim_other_thread()) {
        int r = reader_in(ep, data, length, &actual, timeout);
        if (transferred)
            *transferred = actual;
        return r;
    }
    int r = shim_bulk(ep, data, length, &actual);
    if (transferred)
        *transferred = actual;
    if (r == LIBUSB_ERROR_TIMEOUT) {
        shim_lock();
        shim_charge_timeout(timeout);
        shim_unlock();
    }
    return r;
}

SHIM_API int LIBUSB_CALL libusb_bulk_transfer(libusb_device_handle *dev_handle,
                                              unsigned char endpoint, unsigned char *data,
                                              int length, int *actual_length, unsigned int timeout)
{
    (void)dev_handle;
    return sync_bulk(endpoint, data, length, actual_length, timeout);
}

SHIM_API int LIBUSB_CALL libusb_interrupt_transfer(libusb_device_handle *dev_handle,
                                                   unsigned char endpoint, unsigned char *data,
                                                   int length, int *actual_length,
                                                   unsigned int timeout)
{
    (void)dev_handle;
    return sync_bulk(endpoint, data, length, actual_length, timeout);
}

SHIM_API int LIBUSB_CALL libusb_control_transfer(libusb_device_handle *dev_handle,
                                                 uint8_t request_type, uint8_t bRequest,
                                                 uint16_t wValue, uint16_t wIndex,
                                                 unsigned char *data, uint16_t wLength,
                                                 unsigned int timeout)
{
    (void)dev_handle;
    (void)timeout;
    sim_probe *p = shim_probe();
    if (!p)
        return LIBUSB_ERROR_NO_DEVICE;
    return shim_control(p, request_type, bRequest, wValue, wIndex, data, wLength);
}

/* --- Asynchronous transfers ---------------------------------------------------------- */

enum { XS_IDLE = 0, XS_WAITING, XS_DONE };

typedef struct xfer_hdr {
    struct xfer_hdr *next;
    int state;
} xfer_hdr;

#define HDR_SIZE ((sizeof(xfer_hdr) + 15u) & ~(size_t)15u)

static xfer_hdr *g_waiting; /* IN transfers waiting for data, FIFO */
static xfer_hdr *g_done;    /* completed, callback not yet delivered, FIFO */

static struct libusb_transfer *xfer_of(xfer_hdr *h)
{
    return (struct libusb_transfer *)((char *)h + HDR_SIZE);
}

static xfer_hdr *hdr_of(struct libusb_transfer *t)
{
    return (xfer_hdr *)((char *)t - HDR_SIZE);
}

static void append(xfer_hdr **list, xfer_hdr *h)
{
    h->next = NULL;
    while (*list)
        list = &(*list)->next;
    *list = h;
}

static bool unlink_from(xfer_hdr **list, xfer_hdr *h)
{
    for (; *list; list = &(*list)->next) {
        if (*list == h) {
            *list = h->next;
            h->next = NULL;
            return true;
        }
    }
    return false;
}

static void finish(xfer_hdr *h, enum libusb_transfer_status status, int actual)
{
    struct libusb_transfer *t = xfer_of(h);
    t->status = status;
    t->actual_length = actual;
    if (status == LIBUSB_TRANSFER_COMPLETED && (t->endpoint & LIBUSB_ENDPOINT_IN) &&
        (t->flags & LIBUSB_TRANSFER_SHORT_NOT_OK) && actual < t->length)
        t->status = LIBUSB_TRANSFER_ERROR;
    h->state = XS_DONE;
    append(&g_done, h);
}

/* Tries to complete an IN transfer; false if the probe has nothing to send yet. */
static bool try_in(xfer_hdr *h)
{
    struct libusb_transfer *t = xfer_of(h);
    int actual = 0;
    int r = shim_bulk(t->endpoint, t->buffer, t->length, &actual);
    if (r == LIBUSB_ERROR_TIMEOUT)
        return false;
    finish(h, transfer_status(r), actual);
    return true;
}

static void retry_waiting(void)
{
    while (g_waiting) {
        xfer_hdr *h = g_waiting;
        g_waiting = h->next;
        h->next = NULL;
        if (!try_in(h)) {
            /* keep order: put it back in front and stop */
            h->next = g_waiting;
            g_waiting = h;
            return;
        }
    }
}

SHIM_API struct libusb_transfer *LIBUSB_CALL libusb_alloc_transfer(int iso_packets)
{
    if (iso_packets < 0)
        return NULL;
    size_t size = HDR_SIZE + sizeof(struct libusb_transfer) +
                  (size_t)iso_packets * sizeof(struct libusb_iso_packet_descriptor);
    char *mem = calloc(1, size);
    if (!mem)
        return NULL;
    struct libusb_transfer *t = (struct libusb_transfer *)(mem + HDR_SIZE);
    t->num_iso_packets = iso_packets;
    return t;
}

SHIM_API void LIBUSB_CALL libusb_free_transfer(struct libusb_transfer *transfer)
{
    if (!transfer)
        return;
    if (transfer->flags & LIBUSB_TRANSFER_FREE_BUFFER)
        free(transfer->buffer);
    free(hdr_of(transfer));
}

SHIM_API int LIBUSB_CALL libusb_submit_transfer(struct libusb_transfer *transfer)
{
    struct libusb_transfer *t = transfer;
    xfer_hdr *h = hdr_of(t);
    if (!shim_probe())
        return LIBUSB_ERROR_NO_DEVICE;
    shim_lock();
    if (h->state != XS_IDLE) {
        shim_unlock();
        return LIBUSB_ERROR_BUSY;
    }
    int r = LIBUSB_SUCCESS;
    switch (t->type) {
    case LIBUSB_TRANSFER_TYPE_CONTROL: {
        if (t->length < (int)LIBUSB_CONTROL_SETUP_SIZE) {
            r = LIBUSB_ERROR_INVALID_PARAM;
            break;
        }
        const unsigned char *s = t->buffer;
        uint16_t value = (uint16_t)(s[2] | s[3] << 8);
        uint16_t index = (uint16_t)(s[4] | s[5] << 8);
        uint16_t len = (uint16_t)(s[6] | s[7] << 8);
        int n = shim_control(shim_probe(), s[0], s[1], value, index,
                             t->buffer + LIBUSB_CONTROL_SETUP_SIZE, len);
        if (n < 0)
            finish(h, LIBUSB_TRANSFER_STALL, 0);
        else
            finish(h, LIBUSB_TRANSFER_COMPLETED, n);
        break;
    }
    case LIBUSB_TRANSFER_TYPE_BULK:
    case LIBUSB_TRANSFER_TYPE_INTERRUPT:
        if (t->endpoint & LIBUSB_ENDPOINT_IN) {
            h->state = XS_WAITING;
            if (g_waiting || !try_in(h))
                append(&g_waiting, h);
        } else {
            int actual = 0;
            int br = shim_bulk(t->endpoint, t->buffer, t->length, &actual);
            if (br == LIBUSB_ERROR_TIMEOUT)
                shim_charge_timeout(t->timeout); /* NAKed until the host gave up */
            finish(h, transfer_status(br), actual);
            retry_waiting();
        }
        break;
    default:
        r = LIBUSB_ERROR_NOT_SUPPORTED;
        break;
    }
    shim_unlock();
    return r;
}

SHIM_API int LIBUSB_CALL libusb_cancel_transfer(struct libusb_transfer *transfer)
{
    xfer_hdr *h = hdr_of(transfer);
    shim_lock();
    int r = LIBUSB_ERROR_NOT_FOUND;
    if (h->state == XS_WAITING && unlink_from(&g_waiting, h)) {
        finish(h, LIBUSB_TRANSFER_CANCELLED, 0);
        r = LIBUSB_SUCCESS;
    }
    shim_unlock();
    return r;
}

/* Completes what can complete: IN transfers still without data time out (the host waited
 * their timeout), then every completed transfer's callback runs, in completion order. */
static int handle_events(void)
{
    shim_lock();
    retry_waiting();
    while (g_waiting) {
        xfer_hdr *h = g_waiting;
        g_waiting = h->next;
        shim_charge_timeout(xfer_of(h)->timeout);
        finish(h, LIBUSB_TRANSFER_TIMED_OUT, 0);
    }
    while (g_done) {
        xfer_hdr *h = g_done;
        g_done = h->next;
        h->next = NULL;
        h->state = XS_IDLE;
        struct libusb_transfer *t = xfer_of(h);
        bool free_it = (t->flags & LIBUSB_TRANSFER_FREE_TRANSFER) != 0;
        shim_unlock();
        if (t->callback)
            t->callback(t);
        if (free_it)
            libusb_free_transfer(t);
        shim_lock();
    }
    shim_unlock();
    return LIBUSB_SUCCESS;
}

SHIM_API int LIBUSB_CALL libusb_handle_events(libusb_context *ctx)
{
    (void)ctx;
    return handle_events();
}

SHIM_API int LIBUSB_CALL libusb_handle_events_completed(libusb_context *ctx, int *completed)
{
    (void)ctx;
    (void)completed;
    return handle_events();
}

SHIM_API int LIBUSB_CALL libusb_handle_events_timeout(libusb_context *ctx, struct timeval *tv)
{
    (void)ctx;
    (void)tv;
    return handle_events();
}

SHIM_API int LIBUSB_CALL libusb_handle_events_timeout_completed(libusb_context *ctx,
                                                                struct timeval *tv, int *completed)
{
    (void)ctx;
    (void)tv;
    (void)completed;
    return handle_events();
}

SHIM_API int LIBUSB_CALL libusb_handle_events_locked(libusb_context *ctx, struct timeval *tv)
{
    (void)ctx;
    (void)tv;
    return handle_events();
}

SHIM_API void LIBUSB_CALL libusb_interrupt_event_handler(libusb_context *ctx)
{
    (void)ctx;
}

SHIM_API int LIBUSB_CALL libusb_try_lock_events(libusb_context *ctx)
{
    (void)ctx;
    return 0;
}

SHIM_API void LIBUSB_CALL libusb_lock_events(libusb_context *ctx)
{
    (void)ctx;
}

SHIM_API void LIBUSB_CALL libusb_unlock_events(libusb_context *ctx)
{
    (void)ctx;
}

SHIM_API int LIBUSB_CALL libusb_event_handling_ok(libusb_context *ctx)
{
    (void)ctx;
    return 1;
}

SHIM_API int LIBUSB_CALL libusb_event_handler_active(libusb_context *ctx)
{
    (void)ctx;
    return 0;
}

SHIM_API void LIBUSB_CALL libusb_lock_event_waiters(libusb_context *ctx)
{
    (void)ctx;
}

SHIM_API void LIBUSB_CALL libusb_unlock_event_waiters(libusb_context *ctx)
{
    (void)ctx;
}

SHIM_API int LIBUSB_CALL libusb_wait_for_event(libusb_context *ctx, struct timeval *tv)
{
    (void)ctx;
    (void)tv;
    return 0;
}

SHIM_API int LIBUSB_CALL libusb_pollfds_handle_timeouts(libusb_context *ctx)
{
    (void)ctx;
    return 1;
}

SHIM_API int LIBUSB_CALL libusb_get_next_timeout(libusb_context *ctx, struct timeval *tv)
{
    (void)ctx;
    shim_lock();
    bool pending = g_waiting || g_done;
    shim_unlock();
    if (!pending)
        return 0;
    tv->tv_sec = 0;
    tv->tv_usec = 0; /* handle events now */
    return 1;
}

SHIM_API const struct libusb_pollfd **LIBUSB_CALL libusb_get_pollfds(libusb_context *ctx)
{
    (void)ctx;
    /* No file descriptors: completions are delivered by libusb_handle_events*. */
    return calloc(1, sizeof(struct libusb_pollfd *));
}

SHIM_API void LIBUSB_CALL libusb_free_pollfds(const struct libusb_pollfd **pollfds)
{
    free((void *)pollfds);
}

SHIM_API void LIBUSB_CALL libusb_set_pollfd_notifiers(libusb_context *ctx,
                                                      libusb_pollfd_added_cb added_cb,
                                                      libusb_pollfd_removed_cb removed_cb,
                                                      void *user_data)
{
    (void)ctx;
    (void)added_cb;
    (void)removed_cb;
    (void)user_data;
}
