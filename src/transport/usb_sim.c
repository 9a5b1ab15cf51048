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

static stp_status sim_result(stp_usb *usb, int rc, const char *dir)
{
    if (rc == 0)
        return STP_OK;
    snprintf(usb->error, sizeof(usb->error), "%s %s", dir,
             rc == -2 ? "timed out (the probe had nothing to send)" : "stalled");
    return STP_ERR_USB;
}

static stp_status us_bulk_out(stp_usb *usb, uint8_t ep, const void *data, size_t len,
                              unsigned timeout_ms)
{
    usb_sim *u = (usb_sim *)usb;
    (void)timeout_ms;
    return sim_result(usb, sim_stlink_bulk_out(u->stlink, ep, data, len), "OUT transfer");
}

static stp_status us_bulk_in(stp_usb *usb, uint8_t ep, void *data, size_t len, size_t *actual,
                             unsigned timeout_ms)
{
    usb_sim *u = (usb_sim *)usb;
    (void)timeout_ms;
    *actual = 0;
    return sim_result(usb, sim_stlink_bulk_in(u->stlink, ep, data, len, actual), "IN transfer");
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
        stp_usb_format_serial(units, n, ui->pid, u->base.info.serial, sizeof(u->base.info.serial));
    }
    snprintf(u->base.info.description, sizeof(u->base.info.description), "%s",
             ui->product != NULL ? ui->product : "virtual ST-Link");
    stp_log(env, STP_LOG_DEBUG, "usb: virtual %s %04x:%04x serial %s",
            stp_stlink_hw_name(stp_stlink_hw_from_pid(ui->vid, ui->pid)), ui->vid, ui->pid,
            u->base.info.serial);
    *out = &u->base;
    return STP_OK;
}

struct sim_board *stp_usb_sim_board(stp_usb *usb)
{
    if (usb == NULL || usb->ops != &us_ops)
        return NULL;
    return ((usb_sim *)usb)->board;
}
