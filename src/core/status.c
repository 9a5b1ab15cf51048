/* Status names, descriptions and exit codes. */
#include "stprog/status.h"

#include <stddef.h>

static const struct {
    const char *name;
    const char *text;
} status_table[STP_STATUS_COUNT] = {
    [STP_OK] = {"ok", "success"},
    [STP_ERR_NOMEM] = {"no-memory", "out of memory"},
    [STP_ERR_INVALID_ARG] = {"invalid-argument", "invalid argument"},
    [STP_ERR_IO] = {"io", "input/output error"},
    [STP_ERR_FORMAT] = {"format", "malformed input"},
    [STP_ERR_RANGE] = {"range", "address or length out of range"},
    [STP_ERR_OVERLAP] = {"overlap", "overlapping data"},
    [STP_ERR_UNSUPPORTED] = {"unsupported", "not supported"},
    [STP_ERR_NO_PROBE] = {"no-probe", "no debug probe found"},
    [STP_ERR_PROBE_AMBIGUOUS] = {"probe-ambiguous", "several probes found; choose one"},
    [STP_ERR_PROBE_BUSY] = {"probe-busy", "probe in use by another program"},
    [STP_ERR_PERMISSION] = {"permission", "permission denied"},
    [STP_ERR_USB] = {"usb", "USB transfer failed"},
    [STP_ERR_PROTOCOL] = {"protocol", "unexpected reply from the peer"},
    [STP_ERR_TIMEOUT] = {"timeout", "timed out"},
    [STP_ERR_NO_TARGET] = {"no-target", "target does not answer"},
    [STP_ERR_TARGET_FAULT] = {"target-fault", "bus fault on a target access"},
    [STP_ERR_WAIT] = {"wait", "target kept answering WAIT"},
    [STP_ERR_FIRMWARE_OLD] = {"firmware-old", "probe firmware too old"},
    [STP_ERR_UNKNOWN_CHIP] = {"unknown-chip", "unknown chip"},
    [STP_ERR_PROTECTED] = {"protected", "blocked by read/write protection"},
    [STP_ERR_FLASH] = {"flash", "flash controller error"},
    [STP_ERR_VERIFY] = {"verify", "verify mismatch"},
    [STP_ERR_POWER] = {"power", "target power problem"},
    [STP_ERR_CANCELLED] = {"cancelled", "cancelled"},
    [STP_ERR_STATE] = {"state", "not allowed in the current state"},
    [STP_ERR_INTERNAL] = {"internal", "internal error"},
    [STP_ERR_FIRMWARE_CRASHED] = {"firmware-crashed", "the firmware crashed"},
};

const char *stp_status_name(stp_status st)
{
    if ((unsigned)st >= STP_STATUS_COUNT || status_table[st].name == NULL)
        return "unknown";
    return status_table[st].name;
}

const char *stp_status_describe(stp_status st)
{
    if ((unsigned)st >= STP_STATUS_COUNT || status_table[st].text == NULL)
        return "unknown status";
    return status_table[st].text;
}

int stp_status_exit_code(stp_status st)
{
    switch (st) {
    case STP_OK:
        return STP_EXIT_OK;
    case STP_ERR_INVALID_ARG:
    case STP_ERR_FORMAT:
    case STP_ERR_RANGE:
    case STP_ERR_OVERLAP:
        return STP_EXIT_USAGE;
    case STP_ERR_NO_PROBE:
    case STP_ERR_PROBE_AMBIGUOUS:
    case STP_ERR_NO_TARGET:
        return STP_EXIT_NO_DEVICE;
    case STP_ERR_PROTECTED:
        return STP_EXIT_PROTECTED;
    case STP_ERR_VERIFY:
        return STP_EXIT_VERIFY;
    default:
        return STP_EXIT_FAILED;
    }
}
