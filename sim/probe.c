/* The virtual probe of a board (sim/probe.h): the model the spec's probe= names, behind one
 * interface for the in-process transport and the libusb shim. */
#include "sim/probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmsis_dap.h"
#include "sim/stlink.h"

typedef struct probe_ops {
    int (*out)(void *m, uint8_t ep, const uint8_t *data, size_t len);
    int (*in)(void *m, uint8_t ep, uint8_t *buf, size_t maxlen, size_t *actual, uint64_t since);
    int (*class_request)(void *m, uint8_t req_type, uint8_t req, uint16_t value, uint16_t index,
                         uint8_t *data, uint16_t len);
    void (*usb_reset)(void *m);
    void (*set_trace)(void *m, void (*fn)(void *user, const char *line), void *user);
    uint64_t (*host_ns)(const void *m);
    void (*host_wait)(void *m, uint64_t ns);
    void (*sync)(void *m);
    void (*destroy)(void *m);
} probe_ops;

struct sim_probe {
    const probe_ops *ops;
    void *model;
    sim_board *board;
    sim_probe_usb usb;
    bool is_stlink;
};

/* --- The ST-Link model ---------------------------------------------------------------- */

static int stl_out(void *m, uint8_t ep, const uint8_t *data, size_t len)
{
    return sim_stlink_bulk_out(m, ep, data, len);
}

static int stl_in(void *m, uint8_t ep, uint8_t *buf, size_t maxlen, size_t *actual, uint64_t since)
{
    (void)since; /* the reply is there when the command's transfer ends */
    return sim_stlink_bulk_in(m, ep, buf, maxlen, actual);
}

static int stl_class_request(void *m, uint8_t req_type, uint8_t req, uint16_t value, uint16_t index,
                             uint8_t *data, uint16_t len)
{
    (void)m, (void)req_type, (void)req, (void)value, (void)index, (void)data, (void)len;
    return -1; /* the debug interface has no class or vendor requests */
}

static void stl_usb_reset(void *m)
{
    sim_stlink_usb_reset(m);
}

static void stl_set_trace(void *m, void (*fn)(void *user, const char *line), void *user)
{
    sim_stlink_set_trace(m, fn, user);
}

/* The ST-Link answers each exchange before the host sends the next: one clock. */
static uint64_t stl_host_ns(const void *m)
{
    return sim_clock_ns(sim_stlink_board(m));
}

static void stl_host_wait(void *m, uint64_t ns)
{
    if (ns)
        sim_clock_advance(sim_stlink_board(m), ns);
}

static void stl_sync(void *m)
{
    (void)m;
}

static void stl_destroy(void *m)
{
    sim_stlink_destroy(m);
}

static const probe_ops stlink_ops = {
    .out = stl_out,
    .in = stl_in,
    .class_request = stl_class_request,
    .usb_reset = stl_usb_reset,
    .set_trace = stl_set_trace,
    .host_ns = stl_host_ns,
    .host_wait = stl_host_wait,
    .sync = stl_sync,
    .destroy = stl_destroy,
};

/* The debug interface as the ST-Link presents it: vendor class, IN, OUT, trace IN. */
static void stlink_usb(sim_probe *p, const sim_stlink_usb *u)
{
    sim_probe_usb *d = &p->usb;
    d->vid = u->vid;
    d->pid = u->pid;
    d->bcd_device = u->bcd_device;
    d->manufacturer = "STMicroelectronics";
    d->product = u->product;
    d->serial = u->serial;
    d->iface_class = d->iface_subclass = d->iface_protocol = 0xFF;
    d->iface_name = "ST-Link Debug";
    d->eps[0] = (sim_usb_endpoint){u->ep_in, SIM_USB_BULK, u->max_packet, 0};
    d->eps[1] = (sim_usb_endpoint){u->ep_out, SIM_USB_BULK, u->max_packet, 0};
    d->eps[2] = (sim_usb_endpoint){u->ep_trace, SIM_USB_BULK, u->max_packet, 0};
    d->ep_count = 3;
    d->ep_out = u->ep_out;
    d->ep_in = u->ep_in;
    d->high_speed = u->max_packet >= 512;
}

/* --- The CMSIS-DAP model ---------------------------------------------------------------- */

static int dap_out(void *m, uint8_t ep, const uint8_t *data, size_t len)
{
    return sim_cmsis_dap_out(m, ep, data, len);
}

static int dap_in(void *m, uint8_t ep, uint8_t *buf, size_t maxlen, size_t *actual, uint64_t since)
{
    return sim_cmsis_dap_in(m, ep, buf, maxlen, actual, since);
}

static int dap_class_request(void *m, uint8_t req_type, uint8_t req, uint16_t value, uint16_t index,
                             uint8_t *data, uint16_t len)
{
    return sim_cmsis_dap_class_request(m, req_type, req, value, index, data, len);
}

static void dap_usb_reset(void *m)
{
    sim_cmsis_dap_usb_reset(m);
}

static void dap_set_trace(void *m, void (*fn)(void *user, const char *line), void *user)
{
    sim_cmsis_dap_set_trace(m, fn, user);
}

static uint64_t dap_host_ns(const void *m)
{
    return sim_cmsis_dap_host_ns(m);
}

static void dap_host_wait(void *m, uint64_t ns)
{
    sim_cmsis_dap_host_wait(m, ns);
}

static void dap_sync(void *m)
{
    sim_cmsis_dap_sync(m);
}

static void dap_destroy(void *m)
{
    sim_cmsis_dap_destroy(m);
}

static const probe_ops cmsis_dap_ops = {
    .out = dap_out,
    .in = dap_in,
    .class_request = dap_class_request,
    .usb_reset = dap_usb_reset,
    .set_trace = dap_set_trace,
    .host_ns = dap_host_ns,
    .host_wait = dap_host_wait,
    .sync = dap_sync,
    .destroy = dap_destroy,
};

/* --- The interface -------------------------------------------------------------------- */

sim_probe *sim_probe_open(sim_board *board, char *err, size_t errlen)
{
    const sim_spec *spec = sim_board_spec(board);
    sim_probe *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    p->board = board;
    if (spec->probe == SIM_PROBE_CMSIS_DAP || spec->probe == SIM_PROBE_CMSIS_DAP_V1) {
        sim_cmsis_dap *d = sim_cmsis_dap_create(board, spec->probe == SIM_PROBE_CMSIS_DAP_V1);
        if (d == NULL) {
            snprintf(err, errlen, "the virtual CMSIS-DAP probe cannot be created (out of memory)");
            free(p);
            return NULL;
        }
        p->ops = &cmsis_dap_ops;
        p->model = d;
        p->usb = *sim_cmsis_dap_usb(d);
        return p;
    }
    sim_stlink *s = sim_stlink_create(board);
    if (s == NULL) {
        if (sim_stlink_fw_check(spec->fw, err, errlen) == 0)
            snprintf(err, errlen, "fw=%s does not match the probe kind", spec->fw);
        free(p);
        return NULL;
    }
    p->ops = &stlink_ops;
    p->model = s;
    p->is_stlink = true;
    stlink_usb(p, sim_stlink_usb_info(s));
    return p;
}

void sim_probe_close(sim_probe *p)
{
    if (p == NULL)
        return;
    p->ops->destroy(p->model);
    free(p);
}

const sim_probe_usb *sim_probe_usb_info(const sim_probe *p)
{
    return &p->usb;
}

sim_board *sim_probe_board(const sim_probe *p)
{
    return p->board;
}

int sim_probe_out(sim_probe *p, uint8_t ep, const uint8_t *data, size_t len)
{
    return p->ops->out(p->model, ep, data, len);
}

int sim_probe_in(sim_probe *p, uint8_t ep, uint8_t *buf, size_t maxlen, size_t *actual)
{
    return p->ops->in(p->model, ep, buf, maxlen, actual, sim_probe_host_ns(p));
}

int sim_probe_in_since(sim_probe *p, uint8_t ep, uint8_t *buf, size_t maxlen, size_t *actual,
                       uint64_t since_ns)
{
    uint64_t now = sim_probe_host_ns(p);
    return p->ops->in(p->model, ep, buf, maxlen, actual, since_ns < now ? since_ns : now);
}

int sim_probe_class_request(sim_probe *p, uint8_t req_type, uint8_t req, uint16_t value,
                            uint16_t index, uint8_t *data, uint16_t len)
{
    return p->ops->class_request(p->model, req_type, req, value, index, data, len);
}

void sim_probe_usb_reset(sim_probe *p)
{
    p->ops->usb_reset(p->model);
}

void sim_probe_set_trace(sim_probe *p, void (*fn)(void *user, const char *line), void *user)
{
    p->ops->set_trace(p->model, fn, user);
}

uint64_t sim_probe_host_ns(const sim_probe *p)
{
    return p->ops->host_ns(p->model);
}

void sim_probe_host_wait(sim_probe *p, uint64_t ns)
{
    p->ops->host_wait(p->model, ns);
}

void sim_probe_sync(sim_probe *p)
{
    p->ops->sync(p->model);
}

struct sim_stlink *sim_probe_stlink(sim_probe *p)
{
    return p->is_stlink ? p->model : NULL;
}
