/* stprog — opening debug probes by spec string, and listing the probes present.
 *   "stlink"             the only ST-Link present
 *   "stlink:SERIAL"      the ST-Link with that serial number
 *   "cmsis-dap[:SERIAL]" a CMSIS-DAP probe (v2 bulk or v1 HID)
 *   "sim:PART[,k=v]"     the in-process virtual board (docs/virtual-board.md)
 *   "uart:PORT[,k=v]"    the ROM bootloader on a serial port
 * stp_probe_kind_at lists the kinds this build has. The handle is opaque here; the
 * library's layers use its operations (probe/debug.h). */
#ifndef STPROG_PROBE_H
#define STPROG_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stprog/env.h"
#include "stprog/finding.h"
#include "stprog/status.h"

typedef struct stp_debug stp_debug;

/* What an open probe is. */
typedef struct stp_probe_info {
    char kind[16];     /* "stlink-v2", "stlink-v2-1", "stlink-v3", "cmsis-dap-v2", ... */
    char firmware[32]; /* "V2J45S7" */
    char serial[64];
    uint16_t vid;
    uint16_t pid;
    unsigned swd_khz; /* SWD clock in use */
} stp_probe_info;

/* Opens and connects to the probe (firmware version read, SWD entered, default clock set).
 * Errors: STP_ERR_INVALID_ARG for a bad spec (finding probe.spec-invalid listing the
 * accepted forms), STP_ERR_NO_PROBE, STP_ERR_PROBE_AMBIGUOUS, STP_ERR_PERMISSION,
 * STP_ERR_PROBE_BUSY, STP_ERR_FIRMWARE_OLD, STP_ERR_USB ... each with a finding. */
stp_status stp_probe_open(const char *spec, const stp_env *env, stp_debug **out,
                          stp_findings *findings);
/* Leaves debug mode and releases the probe. NULL is ignored. */
void stp_probe_close(stp_debug *probe);

/* Kind, firmware, serial and clock of an open probe. */
const stp_probe_info *stp_probe_get_info(const stp_debug *probe);
/* Target voltage as the probe measures it on its VREF pin. */
stp_status stp_probe_target_voltage(stp_debug *probe, double *volts, stp_findings *findings);
/* Sets the SWD clock: the fastest the probe offers at or below khz (0 = the probe's
 * default); *actual (may be NULL) gets what is used. */
stp_status stp_probe_set_clock(stp_debug *probe, unsigned khz, unsigned *actual,
                               stp_findings *findings);

/* Nanoseconds on the probe's clock, the one its deadlines run on: monotonic time with real
 * hardware, the virtual board's clock with sim:. Time operations with it. */
uint64_t stp_probe_now_ns(stp_debug *probe);
/* True when that clock is the virtual board's time, not real time. */
bool stp_probe_clock_is_virtual(const stp_debug *probe);

/* A kind of probe (a row of the probe registry). */
typedef struct stp_probe_kind {
    const char *prefix;      /* spec prefix: "stlink", "cmsis-dap", "sim", "uart" */
    const char *name;        /* "ST-Link (V2, V2-1, V3)" */
    const char *forms;       /* the spec forms: "stlink, stlink:SERIAL" */
    const char *description; /* one line for people */
    bool on_usb;             /* its probes are found on USB (stp_probe_list lists them) */
} stp_probe_kind;

/* Kind i of this build (0, 1, ...), NULL past the last. */
const stp_probe_kind *stp_probe_kind_at(size_t i);

/* How long the probe takes to move data: the link half of the plan's time estimate
 * (`write --dry-run`, stp_plan_cost_model), given by the probe's driver as a model of its
 * USB and SWD (each driver documents where its numbers come from). */
typedef struct stp_link_model {
    char name[24];              /* "ST-Link V2", "CMSIS-DAP v2": in the estimate's text */
    double exchange_s;          /* fixed cost of one USB transfer not hidden by overlap */
    double s_per_byte;          /* USB time per payload byte */
    double swd_cycles_per_word; /* SWD clock cycles per 32-bit word on the wire */
    double piece_bytes;         /* memory transfers are split into pieces of this size */
    double write_exchanges;     /* USB transfers one piece of a memory write costs */
    double read_exchanges;      /* the same for a read */
} stp_link_model;

/* Probe capabilities (stp_probe_get_caps). */
#define STP_PROBE_CAP_VOLTAGE (1u << 0) /* measures the target voltage on a VREF pin */
#define STP_PROBE_CAP_TRACE   (1u << 1) /* captures SWO trace into a buffer the host reads */
#define STP_PROBE_CAP_NRST    (1u << 2) /* drives the target's NRST pin */
/* What the open probe can do (STP_PROBE_CAP_*). */
unsigned stp_probe_get_caps(const stp_debug *probe);
/* The probe's transfer-time model, NULL for a link the estimate does not model (the ROM
 * bootloader over a UART). */
const stp_link_model *stp_probe_link_model(const stp_debug *probe);

/* What `stprog probes` shows for one probe. */
typedef struct stp_probe_entry {
    char kind[16];     /* "stlink-v2", "stlink-v2-1", "stlink-v3", "stlink-v1", "cmsis-dap-v2" */
    char serial[64];   /* "" when it could not be read */
    char firmware[32]; /* "V2J45S7"; "" when it could not be read */
    char spec[96];     /* what to pass to --probe: "stlink:SERIAL", "cmsis-dap:SERIAL" */
    uint16_t vid;
    uint16_t pid;
    uint8_t bus;
    uint8_t address;
    bool usable;      /* false: no permission, in use, or unsupported */
    char problem[96]; /* why not usable ("no permission: install contrib/60-stprog.rules") */
} stp_probe_entry;

/* Lists the probes on USB, every kind. *out (may be NULL when *count is 0) is freed with
 * stp_probe_list_free. Probes that cannot be opened are listed with usable=false. */
stp_status stp_probe_list(const stp_env *env, stp_probe_entry **out, size_t *count,
                          stp_findings *findings);
void stp_probe_list_free(stp_probe_entry *list);

#endif
