/* In-process USB transport: the virtual probe the spec names (sim/probe.h: the ST-Link or
 * the CMSIS-DAP model) in front of a virtual board, opened from a "sim:..." spec. Its clock
 * is the host's side of the virtual clock, so the driver's WAIT backoff and poll deadlines
 * run on simulated time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "transport/transport.h"

#include "sim/board.h"
#include "sim/probe.h"

typedef struct usb_sim {
    stp_usb base;
    sim_board *board;
    sim_probe *probe;
    char *report_path;
    uint8_t iface_class;
} usb_sim;

/* A transfer the probe NAKs until the host gives up costs the host's timeout on the
 * virtual clock, as the libusb shim charges it (a real host waits that long). */
static stp_status sim_result(usb_sim *u, int rc, const char *dir, unsigned timeout_ms)
{
    stp_usb *usb = &u->base;
    switch (rc) {
    case SIM_PROBE_OK:
        return STP_OK;
    case SIM_PROBE_TIMEOUT:
        sim_probe_host_wait(u->probe, (uint64_t)(timeout_ms ? timeout_ms : 1000u) * 1000000u);
        snprintf(usb->error, sizeof(usb->error), "%s: no answer within %u ms", dir, timeout_ms);
        return STP_ERR_USB;
    case SIM_PROBE_OVERFLOW:
        snprintf(usb->error, sizeof(usb->error),
                 "%s overflow (LIBUSB_ERROR_OVERFLOW): the probe sent more than was asked for",
                 dir);
        return STP_ERR_USB;
    default:
        snprintf(usb->error, sizeof(usb->error), "%s stalled", dir);
        return STP_ERR_USB;
    }
}

static stp_status us_bulk_out(stp_usb *usb, uint8_t ep, const void *data, size_t len,
                              unsigned timeout_ms)
{
    usb_sim *u = (usb_sim *)usb;
    return sim_result(u, sim_probe_out(u->probe, ep, data, len), "OUT transfer", timeout_ms);
}

static stp_status us_bulk_in(stp_usb *usb, uint8_t ep, void *data, size_t len, size_t *actual,
                             unsigned timeout_ms)
{
    usb_sim *u = (usb_sim *)usb;
    *actual = 0;
    return sim_result(u, sim_probe_in(u->probe, ep, data, len, actual), "IN transfer", timeout_ms);
}

/* STPROG_SIM_TRACE=1: the model's protocol trace on stderr, as the libusb shim prints it. */
static void trace_line(void *user, const char *line)
{
    (void)user;
    fprintf(stderr, "stprog-sim: %s\n", line);
}

/* USB 2.0 7.1.7.5: the hub drives reset for at least 10 ms (TDRST), then the device has
 * 10 ms to recover (TRSTRCY) before it must answer. */
#define USB_RESET_NS 20000000ull

static stp_status us_reset(stp_usb *usb)
{
    usb_sim *u = (usb_sim *)usb;
    sim_probe_usb_reset(u->probe);
    sim_probe_host_wait(u->probe, USB_RESET_NS);
    return STP_OK;
}

static void us_close(stp_usb *usb)
{
    usb_sim *u = (usb_sim *)usb;
    if (u == NULL)
        return;
    if (u->probe != NULL) {
        sim_probe_sync(u->probe); /* the board's clock up to the host's */
        sim_probe_close(u->probe);
    }
    if (u->board != NULL) {
        if (u->report_path != NULL)
            (void)sim_board_write_report(u->board, u->report_path);
        sim_board_close(u->board);
    }
    stp_free(u->report_path);
    stp_free(u);
}

static uint64_t us_now_ns(stp_usb *usb)
{
    return sim_probe_host_ns(((usb_sim *)usb)->probe);
}

static void us_sleep_ns(stp_usb *usb, uint64_t ns)
{
    sim_probe_host_wait(((usb_sim *)usb)->probe, ns);
}

static const stp_usb_ops us_ops = {
    .bulk_out = us_bulk_out,
    .bulk_in = us_bulk_in,
    .close = us_close,
    .now_ns = us_now_ns,
    .sleep_ns = us_sleep_ns,
    .reset = us_reset,
};

stp_status stp_usb_sim_open(const char *spec, const stp_env *env, stp_usb **out,
                            stp_findings *findings)
{
    *out = NULL;
    usb_sim *u = stp_calloc(1, sizeof(*u));
    if (u == NULL)
        return STP_ERR_NOMEM;
    u->base.ops = &us_ops;
    char err[512] = "";
    u->board = sim_board_open(spec, err, sizeof(err));
    if (u->board == NULL) {
        stp_free(u);
        stp_finding *fi = stp_finding_add(findings, "sim.spec-invalid", STP_SEV_ERROR,
                                          "cannot open virtual board '%s'", spec);
        stp_finding_evidence(fi, "reason", "%.120s", err);
        stp_finding_advice(fi, "see docs/virtual-board.md for parts and keys");
        return STP_ERR_INVALID_ARG;
    }
    u->probe = sim_probe_open(u->board, err, sizeof(err));
    if (u->probe == NULL) {
        sim_board_close(u->board);
        stp_free(u);
        stp_finding *fi = stp_finding_add(findings, "sim.spec-invalid", STP_SEV_ERROR,
                                          "the virtual probe of '%s' cannot be created", spec);
        stp_finding_evidence(fi, "reason", "%.120s", err);
        stp_finding_advice(fi, "fw= takes an ST-Link version like V2J45S7, V2J45M30 or V3J16M8");
        return STP_ERR_INVALID_ARG;
    }
    const char *trace = getenv("STPROG_SIM_TRACE");
    if (trace != NULL && trace[0] != '\0' && strcmp(trace, "0") != 0)
        sim_probe_set_trace(u->probe, trace_line, NULL);
    const char *report = getenv("STPROG_SIM_REPORT");
    if (report != NULL && report[0] != '\0')
        u->report_path = stp_strdup(report);
    const sim_probe_usb *ui = sim_probe_usb_info(u->probe);
    stp_usb_info *in = &u->base.info;
    in->vid = ui->vid;
    in->pid = ui->pid;
    in->ep_out = ui->ep_out;
    in->ep_in = ui->ep_in;
    in->interface = 0;
    for (unsigned i = 0; i < ui->ep_count; i++)
        if (ui->eps[i].address == ui->ep_in) {
            in->max_packet = ui->eps[i].max_packet;
            in->interrupt = ui->eps[i].type == SIM_USB_INTERRUPT;
        }
    if (ui->serial != NULL) {
        uint16_t units[64];
        size_t n = 0;
        while (n < 64 && ui->serial[n] != '\0') {
            units[n] = (uint8_t)ui->serial[n];
            n++;
        }
        stp_usb_format_serial(units, n, in->serial, sizeof(in->serial));
    }
    snprintf(in->description, sizeof(in->description), "%s",
             ui->product != NULL ? ui->product : "virtual probe");
    snprintf(in->interface_name, sizeof(in->interface_name), "%s",
             ui->iface_name != NULL ? ui->iface_name : "");
    u->iface_class = ui->iface_class;
    stp_log(env, STP_LOG_DEBUG, "usb: virtual %s %04x:%04x serial %s", in->description, ui->vid,
            ui->pid, in->serial);
    *out = &u->base;
    return STP_OK;
}

void stp_usb_sim_describe(stp_usb *usb, stp_usb_device *d)
{
    memset(d, 0, sizeof(*d));
    d->info = usb->info;
    d->accessible = true;
    d->strings_read = true;
    d->chosen = 0;
    d->interface_count = 1;
    stp_usb_interface *it = &d->interfaces[0];
    it->number = usb->info.interface;
    it->cls = usb->ops == &us_ops ? ((usb_sim *)usb)->iface_class : 0xFF;
    it->ep_out = usb->info.ep_out;
    it->ep_in = usb->info.ep_in;
    it->max_packet = usb->info.max_packet;
    it->interrupt = usb->info.interrupt;
    snprintf(it->name, sizeof(it->name), "%s", usb->info.interface_name);
}

struct sim_board *stp_usb_sim_board(stp_usb *usb)
{
    if (usb == NULL || usb->ops != &us_ops)
        return NULL;
    return ((usb_sim *)usb)->board;
}
