/* Opening a probe by spec string and listing the probes present, through the probe
 * registry: the table below is the one place that names every probe kind. */
#include "stprog/probe.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "probe/debug.h"
#include "probe/registry.h"
#include "transport/transport.h"

/* One row per probe kind (probe/registry.h); `stprog probes` shows them in this order. */
static const stp_probe_driver *const drivers[] = {
    &stp_stlink_driver,
    &stp_cmsis_dap_driver,
    &stp_sim_driver,
    &stp_uart_driver,
};

#define DRIVER_COUNT (sizeof(drivers) / sizeof(drivers[0]))

const stp_probe_driver *stp_probe_driver_at(size_t i)
{
    return i < DRIVER_COUNT ? drivers[i] : NULL;
}

const stp_probe_kind *stp_probe_kind_at(size_t i)
{
    return i < DRIVER_COUNT ? &drivers[i]->kind : NULL;
}

const stp_probe_driver *stp_probe_driver_for_usb(stp_usb_device *d)
{
    for (size_t i = 0; i < DRIVER_COUNT; i++) {
        const stp_probe_driver *drv = drivers[i];
        if (drv->usb == NULL)
            continue;
        stp_usb_device copy = *d;
        if (drv->usb->match(&copy) == STP_USB_MINE) {
            *d = copy;
            return drv;
        }
    }
    return NULL;
}

static stp_status bad_spec(const char *spec, stp_findings *f)
{
    char forms[256] = "";
    size_t used = 0;
    for (size_t i = 0; i < DRIVER_COUNT && used < sizeof(forms); i++) {
        int k = snprintf(forms + used, sizeof(forms) - used, "%s%s", used ? ", " : "",
                         drivers[i]->kind.forms);
        if (k > 0)
            used += (size_t)k;
    }
    stp_finding *fi = stp_finding_add(f, "probe.spec-invalid", STP_SEV_ERROR,
                                      "unknown probe '%s'; accepted: %s", spec, forms);
    stp_finding_evidence(fi, "probe", "%s", spec);
    stp_finding_advice(fi, "run `stprog probes` to list connected probes and their serials");
    return STP_ERR_INVALID_ARG;
}

/* The row whose prefix the spec starts with ("stlink", "stlink:..."); *arg gets what
 * follows the colon (NULL without one). */
static const stp_probe_driver *driver_of(const char *spec, const char **arg)
{
    for (size_t i = 0; i < DRIVER_COUNT; i++) {
        const char *p = drivers[i]->kind.prefix;
        size_t n = strlen(p);
        if (strncmp(spec, p, n) != 0)
            continue;
        if (spec[n] == '\0') {
            *arg = NULL;
            return drivers[i];
        }
        if (spec[n] == ':') {
            *arg = spec + n + 1;
            return drivers[i];
        }
    }
    return NULL;
}

stp_status stp_probe_open(const char *spec, const stp_env *env, stp_debug **out,
                          stp_findings *findings)
{
    *out = NULL;
    if (spec == NULL || spec[0] == '\0')
        spec = "stlink";
    const char *arg = NULL;
    const stp_probe_driver *drv = driver_of(spec, &arg);
    /* "KIND:" with nothing after the colon is not a serial; sim: and uart: need their
     * argument. */
    if (drv == NULL || (arg != NULL && arg[0] == '\0') || (drv->open != NULL && arg == NULL))
        return bad_spec(spec, findings);
    if (drv->open != NULL)
        return drv->open(spec, env, out, findings);
    stp_usb *usb = NULL;
    stp_status st = stp_usb_libusb_open(drv->usb, arg, env, &usb, findings);
    if (st != STP_OK)
        return st;
    return drv->open_usb(usb, env, out, findings);
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

unsigned stp_probe_get_caps(const stp_debug *probe)
{
    return probe->caps;
}

const stp_link_model *stp_probe_link_model(const stp_debug *probe)
{
    return probe->link;
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

/* One USB device of a row as `stprog probes` shows it: its firmware read when the probe
 * can be opened, else why not. */
static void describe_entry(const stp_probe_driver *drv, const stp_usb_device *d, const stp_env *env,
                           stp_probe_entry *e)
{
    snprintf(e->kind, sizeof(e->kind), "%s", d->kind_name);
    snprintf(e->serial, sizeof(e->serial), "%s", d->info.serial);
    snprintf(e->spec, sizeof(e->spec), "%s:%s", drv->kind.prefix, d->info.serial);
    e->vid = d->info.vid;
    e->pid = d->info.pid;
    e->bus = d->bus;
    e->address = d->address;
    e->usable = d->accessible && d->unsupported == NULL;
    if (d->unsupported != NULL) {
        snprintf(e->problem, sizeof(e->problem), "%s", d->unsupported);
        return;
    }
    if (!d->accessible) {
        snprintf(e->problem, sizeof(e->problem), "no permission: install contrib/60-stprog.rules");
        return;
    }
    /* Read the firmware version; a probe in use by another program is shown as such. */
    stp_usb *usb = NULL;
    stp_findings tmp = {0};
    stp_status st =
        stp_usb_libusb_open(drv->usb, d->info.serial[0] ? d->info.serial : NULL, env, &usb, &tmp);
    if (st == STP_OK) {
        if (drv->read_firmware != NULL)
            (void)drv->read_firmware(usb, e->firmware, sizeof(e->firmware), &tmp);
        usb->ops->close(usb);
    } else {
        e->usable = false;
        snprintf(e->problem, sizeof(e->problem), "%s",
                 st == STP_ERR_PROBE_BUSY ? "in use by another program" : stp_status_describe(st));
    }
    stp_findings_free(&tmp);
}

stp_status stp_probe_list(const stp_env *env, stp_probe_entry **out, size_t *count,
                          stp_findings *findings)
{
    *out = NULL;
    *count = 0;
    stp_probe_entry *list = NULL;
    size_t total = 0;
    for (size_t k = 0; k < DRIVER_COUNT; k++) {
        const stp_probe_driver *drv = drivers[k];
        if (drv->usb == NULL)
            continue;
        stp_usb_device *devs = NULL;
        size_t n = 0;
        stp_status st = stp_usb_libusb_list(drv->usb, &devs, &n, findings);
        if (st != STP_OK) {
            stp_free(list);
            return st;
        }
        if (n > 0) {
            stp_probe_entry *grown = stp_realloc(list, (total + n) * sizeof(*list));
            if (grown == NULL) {
                stp_free(devs);
                stp_free(list);
                return STP_ERR_NOMEM;
            }
            list = grown;
            memset(list + total, 0, n * sizeof(*list));
            for (size_t i = 0; i < n; i++)
                describe_entry(drv, &devs[i], env, &list[total + i]);
            total += n;
        }
        stp_free(devs);
    }
    *out = list;
    *count = total;
    return STP_OK;
}

void stp_probe_list_free(stp_probe_entry *list)
{
    stp_free(list);
}
