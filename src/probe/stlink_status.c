/* The one place where ST-Link status bytes become stp_status codes and findings. */
#include <stdio.h>

#include "probe/stlink.h"

typedef struct stl_status_desc {
    uint8_t code;
    const char *name;
    stp_status status;
    const char *finding;
    const char *message;
    const char *advice;
} stl_status_desc;

#define ADVICE_WIRING                                                                              \
    "check SWDIO/SWCLK/GND wiring and target power; try a lower clock with --freq 480"
#define ADVICE_FAULT                                                                               \
    "the address may not exist on this chip or its bus is not clocked; if faults come at "         \
    "random addresses, the SWD link is unreliable: try a lower --freq"

static const stl_status_desc stl_statuses[] = {
    {STL_OK, "DEBUG_OK", STP_OK, NULL, NULL, NULL},
    {STL_FAULT, "DEBUG_FAULT", STP_ERR_TARGET_FAULT, "swd.debug-fault",
     "the ST-Link reported a fault executing %s", ADVICE_FAULT},
    {0x04, "JTAG_UNKNOWN_JTAG_CHAIN", STP_ERR_NO_TARGET, "swd.no-target", "no target answered %s",
     ADVICE_WIRING},
    {0x05, "NO_DEVICE_CONNECTED", STP_ERR_NO_TARGET, "swd.no-target", "no target answered %s",
     ADVICE_WIRING},
    {0x08, "COM_FREQ_TOO_LOW", STP_ERR_INVALID_ARG, "swd.clock-rejected",
     "the ST-Link rejected the clock for %s", "choose another --freq"},
    {0x09, "JTAG_GET_IDCODE_ERROR", STP_ERR_NO_TARGET, "swd.no-target",
     "no target answered %s (IDCODE read failed)", ADVICE_WIRING},
    {0x0C, "JTAG_WRITE_ERROR", STP_ERR_TARGET_FAULT, "swd.write-error",
     "the target rejected a write during %s", ADVICE_FAULT},
    /* Reported for writes that were done: OpenOCD ("Write verify error, ignoring") and Black
     * Magic Probe treat it as success. */
    {0x0D, "JTAG_WRITE_VERIF_ERROR", STP_OK, NULL, NULL, NULL},
    {STL_SWD_AP_WAIT, "SWD_AP_WAIT", STP_ERR_WAIT, "swd.wait-timeout",
     "the target kept answering WAIT to %s",
     "the bus is busy (e.g. flash erase in progress, core in a low-power mode); retry, or "
     "connect under reset (--connect under-reset)"},
    {STL_SWD_AP_FAULT, "SWD_AP_FAULT", STP_ERR_TARGET_FAULT, "swd.ap-fault",
     "the target bus faulted on %s", ADVICE_FAULT},
    {STL_SWD_AP_ERROR, "SWD_AP_ERROR", STP_ERR_NO_TARGET, "swd.no-response",
     "the target's access port did not respond to %s", ADVICE_WIRING},
    {STL_SWD_AP_PARITY_ERROR, "SWD_AP_PARITY_ERROR", STP_ERR_PROTOCOL, "swd.parity-error",
     "SWD parity error during %s (corrupted bits on the wire)", ADVICE_WIRING},
    {STL_SWD_DP_WAIT, "SWD_DP_WAIT", STP_ERR_WAIT, "swd.wait-timeout",
     "the target's debug port kept answering WAIT to %s",
     "retry, or connect under reset (--connect under-reset)"},
    {STL_SWD_DP_FAULT, "SWD_DP_FAULT", STP_ERR_TARGET_FAULT, "swd.dp-fault",
     "the target's debug port faulted on %s", ADVICE_FAULT},
    {STL_SWD_DP_ERROR, "SWD_DP_ERROR", STP_ERR_NO_TARGET, "swd.no-response",
     "the target's debug port did not respond to %s", ADVICE_WIRING},
    {STL_SWD_DP_PARITY_ERROR, "SWD_DP_PARITY_ERROR", STP_ERR_PROTOCOL, "swd.parity-error",
     "SWD parity error during %s (corrupted bits on the wire)", ADVICE_WIRING},
    {STL_SWD_AP_WDATA_ERROR, "SWD_AP_WDATA_ERROR", STP_ERR_PROTOCOL, "swd.parity-error",
     "write data was corrupted on the wire during %s", ADVICE_WIRING},
    {STL_SWD_AP_STICKY_ERROR, "SWD_AP_STICKY_ERROR", STP_ERR_TARGET_FAULT, "swd.ap-fault",
     "the target bus reported an error (STICKYERR) on %s", ADVICE_FAULT},
    {STL_SWD_AP_STICKYORUN_ERROR, "SWD_AP_STICKYORUN_ERROR", STP_ERR_TARGET_FAULT, "swd.ap-overrun",
     "the target's access port overran during %s", ADVICE_WIRING},
    {STL_BAD_AP_ERROR, "BAD_AP_ERROR", STP_ERR_TARGET_FAULT, "swd.bad-ap",
     "the access port used for %s does not exist", "this chip may need another AP number"},
};

static const stl_status_desc *lookup(uint8_t code)
{
    for (size_t i = 0; i < sizeof(stl_statuses) / sizeof(stl_statuses[0]); i++)
        if (stl_statuses[i].code == code)
            return &stl_statuses[i];
    return NULL;
}

bool stl_status_is_wait(uint8_t code)
{
    return code == STL_SWD_AP_WAIT || code == STL_SWD_DP_WAIT;
}

const char *stl_status_name(uint8_t code)
{
    const stl_status_desc *d = lookup(code);
    return d != NULL ? d->name : "UNKNOWN";
}

stp_status stl_status_report(uint8_t code, const char *what, bool has_addr, uint32_t addr,
                             stp_findings *f)
{
    const stl_status_desc *d = lookup(code);
    stp_finding *fi;
    if (d == NULL) {
        fi = stp_finding_add(f, "probe.status-unknown", STP_SEV_ERROR,
                             "the ST-Link answered %s with unknown status 0x%02X", what, code);
        stp_finding_advice(fi, "update the probe firmware; report this to stprog if it "
                               "persists");
        stp_finding_evidence(fi, "stlink_status", "0x%02X", code);
        stp_finding_evidence(fi, "command", "%s", what);
        if (has_addr)
            stp_finding_evidence(fi, "address", "0x%08X", (unsigned)addr);
        return STP_ERR_PROTOCOL;
    }
    if (d->status == STP_OK)
        return STP_OK;
    char msg[STP_FINDING_TEXT_MAX];
    /* The table's messages take exactly one %s: the command. */
    snprintf(msg, sizeof(msg), d->message, what);
    fi = stp_finding_add(f, d->finding, STP_SEV_ERROR, "%s", msg);
    stp_finding_evidence(fi, "stlink_status", "0x%02X (%s)", code, d->name);
    stp_finding_evidence(fi, "command", "%s", what);
    if (has_addr)
        stp_finding_evidence(fi, "address", "0x%08X", (unsigned)addr);
    stp_finding_advice(fi, "%s", d->advice);
    return d->status;
}
