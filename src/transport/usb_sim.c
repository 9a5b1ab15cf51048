/* In-process USB transport: the ST-Link model (sim/stlink.h) in front of a virtual board,
 * opened from a "sim:..." spec. Its clock is the board's virtual clock, so the driver's
 * WAIT backoff and poll deadlines run on simulated time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "transport/transport.h"

#include "sim/board.h"
#include "sim/stlink.h"

typedef struct usb_sim {
    stp_usb base;
    sim_board *board;
    sim_stlink *stlink;
    char *report_path;
} usb_sim;

/* A transfer the probe NAKs until the host gives up costs the host's timeout on the
 * virtual clock, as the libusb shim charges it (a real host waits that long). */
static stp_status sim_result(usb_sim *u, int rc, const char *dir, unsigned timeout_ms)
{
    stp_usb *usb = &u->base;
    switch (rc) {
    case SIM_STLINK_OK:
        return STP_OK;
    case SIM_STLINK_TIMEOUT:
        sim_clock_advance(u->board, (uint64_t)(timeout_ms ? timeout_ms : 1000u) * 1000000u);
        snprintf(usb->error, sizeof(usb->error), "%s: no answer within %u ms", dir, timeout_ms);
        return STP_ERR_USB;
    case SIM_STLINK_OVERFLOW:
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
    return sim_result(u, sim_stlink_bulk_out(u->stlink, ep, data, len), "OUT transfer", timeout_ms);
}

static stp_status us_bulk_in(stp_usb *usb, uint8_t ep, void *data, size_t len, size_t *actual,
                             unsigned timeout_ms)
{
    usb_sim *u = (usb_sim *)usb;
    *actual = 0;
    return sim_result(u, sim_stlink_bulk_in(u->stlink, ep, data, len, actual), "IN transfer",
                      timeout_ms);
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
    sim_stlink_usb_reset(u->stlink);
    sim_clock_advance(u->board, USB_RESET_NS);
    return STP_OK;
}

static void us_close(stp_usb *usb)
{
    usb_sim *u = (usb_sim *)usb;
    if (u == NULL)
        return;
    if (u->stlink != NULL)
        sim_stlink_destroy(u->stlink);
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
    return sim_clock_ns(((usb_sim *)usb)->board);
}

static void us_sleep_ns(stp_usb *usb, uint64_t ns)
{
    sim_clock_advance(((usb_sim *)usb)->board, ns);
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
    u->stlink = sim_stlink_create(u->board);
    if (u->stlink == NULL) {
        sim_board_close(u->board);
        stp_free(u);
        stp_finding *fi = stp_finding_add(findings, "sim.spec-invalid", STP_SEV_ERROR,
                                          "the virtual ST-Link of '%s' cannot be created "
                                          "(check fw=)",
                                          spec);
        stp_finding_advice(fi, "fw= takes a version like V2J45S7, V2J45M30 or V3J16M8");
        return STP_ERR_INVALID_ARG;
    }
    const char *trace = getenv("STPROG_SIM_TRACE");
    if (trace != NULL && trace[0] != '\0' && strcmp(trace, "0") != 0)
        sim_stlink_set_trace(u->stlink, trace_line, NULL);
    const char *report = getenv("STPROG_SIM_REPORT");
    if (report != NULL && report[0] != '\0')
        u->report_path = stp_strdup(report);
    const sim_stlink_usb *ui = sim_stlink_usb_info(u->stlink);
    u->base.info.vid = ui->vid;
    u->base.info.pid = ui->pid;
    u->base.info.ep_out = ui->ep_out;
    u->base.info.ep_in = ui->ep_in;
    if (ui->serial != NULL) {
        uint16_t units[64];
        size_t n = 0;
        while (n < 64 && ui->serial[n] != '\0') {
            units[n] = (uint8_t)ui->serial[n];
            n++;
        }
        stp_usb_format_serial(units, n, u->base.info.serial, sizeof(u->base.info.serial));
    }
    snprintf(u->base.info.description, sizeof(u->base.info.description), "%s",
             ui->product != NULL ? ui->product : "virtual ST-Link");
    u->base.info.max_packet = ui->max_packet;
    snprintf(u->base.info.interface_name, sizeof(u->base.info.interface_name), "ST-Link Debug");
    stp_log(env, STP_LOG_DEBUG, "usb: virtual %s %04x:%04x serial %s", u->base.info.description,
            ui->vid, ui->pid, u->base.info.serial);
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
    it->cls = 0xFF;
    it->subclass = 0xFF;
    it->protocol = 0xFF;
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
