/* The sim: row of the probe registry: the in-process virtual board. Its virtual probe
 * presents itself like a USB device (identities, interface), and the USB driver that
 * recognises it runs on top, exactly as on hardware; only the clock is the board's. */
#include <stdio.h>

#include "probe/registry.h"

static stp_status sim_open(const char *spec, const stp_env *env, stp_debug **out, stp_findings *f)
{
    stp_usb *usb = NULL;
    stp_status st = stp_usb_sim_open(spec, env, &usb, f);
    if (st != STP_OK)
        return st;
    stp_usb_device d;
    stp_usb_sim_describe(usb, &d);
    const stp_probe_driver *drv = stp_probe_driver_for_usb(&d);
    if (drv == NULL) {
        usb->ops->close(usb);
        stp_finding *fi = stp_finding_add(f, "sim.spec-invalid", STP_SEV_ERROR,
                                          "no driver for the virtual probe of '%s' (%04x:%04x)",
                                          spec, d.info.vid, d.info.pid);
        stp_finding_advice(fi, "see docs/virtual-board.md for the probe= values");
        return STP_ERR_INVALID_ARG;
    }
    st = drv->open_usb(usb, env, out, f);
    if (st == STP_OK)
        (*out)->virtual_clock = true; /* the in-process board's transport runs on its clock */
    return st;
}

const stp_probe_driver stp_sim_driver = {
    .kind =
        {
            .prefix = "sim",
            .name = "virtual board",
            .forms = "sim:PART[,key=value...]",
            .description = "a modelled probe and STM32 in-process, e.g. sim:stm32f407vg,vdd=3.3 "
                           "(docs/virtual-board.md)",
            .on_usb = false,
        },
    .open = sim_open,
};
