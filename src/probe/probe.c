/* Opening a probe by spec string, and listing the probes present. */
#include "stprog/probe.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "probe/an3155_probe.h"
#include "probe/debug.h"
#include "probe/stlink.h"
#include "transport/transport.h"

const char *stp_probe_spec_help(void)
{
    return "stlink            the only ST-Link connected\n"
           "stlink:SERIAL     the ST-Link with this serial number (see `stprog probes`)\n"
           "sim:PART[,k=v...] the in-process virtual board, e.g. sim:stm32f407vg,vdd=3.3\n"
           "uart:PORT[,k=v...] the ROM bootloader on a serial port, e.g. "
           "uart:/dev/ttyUSB0,baud=115200\n";
}

static stp_status bad_spec(const char *spec, stp_findings *f)
{
    stp_finding *fi = stp_finding_add(f, "probe.spec-invalid", STP_SEV_ERROR,
                                      "unknown probe '%s'; accepted: stlink, stlink:SERIAL, "
                                      "sim:PART[,key=value...], uart:PORT[,key=value...]",
                                      spec);
    stp_finding_evidence(fi, "probe", "%s", spec);
    stp_finding_advice(fi, "run `stprog probes` to list connected probes and their serials");
    return STP_ERR_INVALID_ARG;
}

stp_status stp_probe_open(const char *spec, const stp_env *env, stp_debug **out,
                          stp_findings *findings)
{
    *out = NULL;
    if (spec == NULL || spec[0] == '\0')
        spec = "stlink";
    stp_usb *usb = NULL;
    stp_status st;
    if (strcmp(spec, "stlink") == 0) {
        st = stp_usb_libusb_open(NULL, env, &usb, findings);
    } else if (strncmp(spec, "stlink:", 7) == 0) {
        if (spec[7] == '\0')
            return bad_spec(spec, findings);
        st = stp_usb_libusb_open(spec + 7, env, &usb, findings);
    } else if (strncmp(spec, "sim:", 4) == 0) {
        st = stp_usb_sim_open(spec, env, &usb, findings);
    } else if (strncmp(spec, "uart:", 5) == 0) {
        return stp_an3155_probe_open(spec, env, out, findings);
    } else {
        return bad_spec(spec, findings);
    }
    if (st != STP_OK)
        return st;
    st = stp_stlink_open(usb, env, out, findings);
    if (st == STP_OK && strncmp(spec, "sim:", 4) == 0)
        (*out)->virtual_clock = true; /* the in-process board's transport runs on its clock */
    return st;
}

uint64_t stp_probe_now_ns(stp_debug *probe)
{
    if (probe->ops->now_ns != NULL)
        return probe->ops->now_ns(probe);
    return probe->ops->now_ms(probe) * 1000000u;
}

bool stp_probe_clock_is_virtual(const stp_debug *probe)
{
    return probe->virtual_clock;
}

void stp_probe_close(stp_debug *probe)
{
    if (probe != NULL)
        probe->ops->close(probe);
}

const stp_probe_info *stp_probe_get_info(const stp_debug *probe)
{
    return &probe->info;
}

stp_status stp_probe_target_voltage(stp_debug *probe, double *volts, stp_findings *findings)
{
    return probe->ops->target_voltage(probe, volts, findings);
}

stp_status stp_probe_set_clock(stp_debug *probe, unsigned khz, unsigned *actual,
                               stp_findings *findings)
{
    return probe->ops->set_swd_khz(probe, khz, actual, findings);
}

stp_status stp_probe_list(const stp_env *env, stp_probe_entry **out, size_t *count,
                          stp_findings *findings)
{
    *out = NULL;
    *count = 0;
    stp_usb_device *devs = NULL;
    size_t n = 0;
    stp_status st = stp_usb_libusb_list(&devs, &n, findings);
    if (st != STP_OK)
        return st;
    if (n == 0) {
        stp_free(devs);
        return STP_OK;
    }
    stp_probe_entry *list = stp_calloc(n, sizeof(*list));
    if (list == NULL) {
        stp_free(devs);
        return STP_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        stp_probe_entry *e = &list[i];
        const stp_usb_device *d = &devs[i];
        snprintf(e->kind, sizeof(e->kind), "%s", stp_stlink_hw_name(d->hw));
        snprintf(e->serial, sizeof(e->serial), "%s", d->info.serial);
        snprintf(e->spec, sizeof(e->spec), "stlink:%s", d->info.serial);
        e->vid = d->info.vid;
        e->pid = d->info.pid;
        e->bus = d->bus;
        e->address = d->address;
        e->usable = d->accessible && d->hw != STP_STLINK_HW_V1;
        if (d->hw == STP_STLINK_HW_V1) {
            snprintf(e->problem, sizeof(e->problem), "ST-Link V1 is not supported");
            continue;
        }
        if (!d->accessible) {
            snprintf(e->problem, sizeof(e->problem),
                     "no permission: install contrib/60-stprog.rules");
            continue;
        }
        /* Read the firmware version; a probe in use by another program is shown as such. */
        stp_usb *usb = NULL;
        stp_findings tmp = {0};
        st = stp_usb_libusb_open(d->info.serial[0] ? d->info.serial : NULL, env, &usb, &tmp);
        if (st == STP_OK) {
            stp_probe_info info;
            if (stp_stlink_read_version(usb, &info, &tmp) == STP_OK)
                snprintf(e->firmware, sizeof(e->firmware), "%s", info.firmware);
            usb->ops->close(usb);
        } else {
            e->usable = false;
            snprintf(e->problem, sizeof(e->problem), "%s",
                     st == STP_ERR_PROBE_BUSY ? "in use by another program"
                                              : stp_status_describe(st));
        }
        stp_findings_free(&tmp);
    }
    stp_free(devs);
    *out = list;
    *count = n;
    return STP_OK;
}

void stp_probe_list_free(stp_probe_entry *list)
{
    stp_free(list);
}
