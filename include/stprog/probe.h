/* stprog — opening debug probes by spec string, and listing the probes present.
 *   "stlink"          the only ST-Link present
 *   "stlink:SERIAL"   the ST-Link with that serial number
 *   "sim:PART[,k=v]"  the in-process virtual board (docs/virtual-board.md)
 * The handle is opaque here; the library's layers use its operations (probe/debug.h). */
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
    char kind[16];     /* "stlink-v2", "stlink-v2-1", "stlink-v3" */
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

/* The accepted spec forms, one per line, for error messages and --help. */
const char *stp_probe_spec_help(void);

/* What `stprog probes` shows for one probe. */
typedef struct stp_probe_entry {
    char kind[16];     /* "stlink-v2", "stlink-v2-1", "stlink-v3", "stlink-v1" */
    char serial[64];   /* "" when it could not be read */
    char firmware[32]; /* "V2J45S7"; "" when it could not be read */
    char spec[96];     /* what to pass to --probe: "stlink:SERIAL" */
    uint16_t vid;
    uint16_t pid;
    uint8_t bus;
    uint8_t address;
    bool usable;      /* false: no permission, in use, or unsupported */
    char problem[96]; /* why not usable ("no permission: install contrib/60-stprog.rules") */
} stp_probe_entry;

/* Lists the ST-Links on USB. *out (may be NULL when *count is 0) is freed with
 * stp_probe_list_free. Probes that cannot be opened are listed with usable=false. */
stp_status stp_probe_list(const stp_env *env, stp_probe_entry **out, size_t *count,
                          stp_findings *findings);
void stp_probe_list_free(stp_probe_entry *list);

#endif
