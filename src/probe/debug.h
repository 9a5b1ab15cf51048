/* Seam 2: debug access to a target. Implemented by the ST-Link driver (probe/stlink*.c),
 * the CMSIS-DAP driver (probe/cmsis_dap*.c) and the ROM bootloader (probe/an3155_probe.c,
 * with a memory backend); the probe registry (probe/registry.h) opens them. Cortex-M
 * control (halt, run, step, reset with vector catch) is built on top of this in
 * target/cortexm.c. What a probe can and cannot do is in stp_debug.caps; nothing above
 * this seam asks which kind of probe it is. */
#ifndef STP_PROBE_DEBUG_H
#define STP_PROBE_DEBUG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stprog/env.h"
#include "stprog/finding.h"
#include "stprog/probe.h"
#include "stprog/status.h"

typedef struct stp_debug stp_debug;

typedef enum stp_connect_mode {
    STP_CONNECT_NORMAL = 0,  /* attach, halt */
    STP_CONNECT_UNDER_RESET, /* hold NRST, attach, set vector catch, release */
    STP_CONNECT_HOT_PLUG,    /* attach without halting or resetting */
} stp_connect_mode;

/* stp_probe_info (kind, firmware, serial, vid/pid, SWD clock) is public: stprog/probe.h. */

typedef struct stp_debug_ops {
    /* Memory access of any length and alignment; the driver splits at firmware limits and
     * picks access widths. Failures add findings (may be NULL). */
    stp_status (*read_mem)(stp_debug *d, uint32_t addr, void *buf, size_t len,
                           stp_findings *findings);
    stp_status (*write_mem)(stp_debug *d, uint32_t addr, const void *buf, size_t len,
                            stp_findings *findings);
    /* Single aligned 32-bit accesses (registers). */
    stp_status (*read_u32)(stp_debug *d, uint32_t addr, uint32_t *val, stp_findings *findings);
    stp_status (*write_u32)(stp_debug *d, uint32_t addr, uint32_t val, stp_findings *findings);
    /* Single aligned 16-bit write (F1 half-word programming) and 8-bit access. */
    stp_status (*write_u16)(stp_debug *d, uint32_t addr, uint16_t val, stp_findings *findings);
    /* Core registers (regno as DCRSR REGSEL); the core must be halted. */
    stp_status (*read_reg)(stp_debug *d, unsigned regno, uint32_t *val, stp_findings *findings);
    stp_status (*write_reg)(stp_debug *d, unsigned regno, uint32_t val, stp_findings *findings);
    /* Drive NRST (true = low). */
    stp_status (*set_nrst)(stp_debug *d, bool asserted, stp_findings *findings);
    /* Target voltage measured by the probe (volts). Probes without STP_PROBE_CAP_VOLTAGE
     * answer STP_ERR_UNSUPPORTED (finding probe.no-voltage-sense). */
    stp_status (*target_voltage)(stp_debug *d, double *volts, stp_findings *findings);
    /* SWD clock: request khz, get what the probe really uses. */
    stp_status (*set_swd_khz)(stp_debug *d, unsigned khz, unsigned *actual, stp_findings *findings);
    /* (Re)attach to the target's debug port; returns the DP IDCODE. */
    stp_status (*attach)(stp_debug *d, uint32_t *dp_idcode, stp_findings *findings);
    /* Sleep for ms milliseconds of target time (real time on hardware, virtual on the
     * simulator, so deadlines work in both). */
    void (*delay_ms)(stp_debug *d, unsigned ms);
    /* Monotonic milliseconds on the same clock as delay_ms (for poll deadlines). */
    uint64_t (*now_ms)(stp_debug *d);
    void (*close)(stp_debug *d);
    /* Half-word writes of len bytes (addr and len even), split at the probe's limits: the
     * fast path for F1/L1-style half-word flash programming. Probes without 16-bit access
     * answer STP_ERR_FIRMWARE_OLD with finding probe.firmware-old. */
    stp_status (*write_mem16)(stp_debug *d, uint32_t addr, const void *buf, size_t len,
                              stp_findings *findings);
    /* Caps every memory transfer at max_bytes (rounded down to a multiple of 4, at least 4;
     * 0 = the probe's own limits) and returns the cap in effect. A workaround for probes
     * (clones) that corrupt long transfers. */
    size_t (*set_transfer_limit)(stp_debug *d, size_t max_bytes);
    /* Probes that reach the flash through the chip's ROM bootloader instead of a debug
     * port (uart:) name their backend here (probe/mem_backend.h); NULL for debug probes. */
    const struct stp_mem_backend *mem_backend;
    /* Optional: now_ms's clock in nanoseconds (progress timing); NULL = now_ms * 10^6. */
    uint64_t (*now_ns)(stp_debug *d);
    /* Optional (NULL: the probe has no SWO input): SWO capture. trace_start makes the probe
     * listen on the target's SWO pin at baud Hz (*actual: the rate it uses; findings
     * probe.firmware-old, swo.baud-unsupported); trace_read returns what it received since
     * (up to cap bytes, *got = 0 when nothing); trace_stop ends the capture. */
    stp_status (*trace_start)(stp_debug *d, uint32_t baud, uint32_t *actual,
                              stp_findings *findings);
    stp_status (*trace_read)(stp_debug *d, void *buf, size_t cap, size_t *got,
                             stp_findings *findings);
    stp_status (*trace_stop)(stp_debug *d, stp_findings *findings);
    /* Optional (doctor): the driver's knowledge of its probe's firmware: adds findings
     * (probe.firmware-old) for a release that lacks features or has known bugs, and writes
     * a short note for the doctor's probe line ("old: lacks 16-bit memory access"). Returns
     * the worst severity added, or -1 when there is nothing to say. */
    int (*firmware_check)(stp_debug *d, stp_findings *findings, char *note, size_t note_len);
} stp_debug_ops;

/* Every implementation starts with this header. */
struct stp_debug {
    const stp_debug_ops *ops;
    const stp_env *env;
    stp_probe_info info;
    bool virtual_clock; /* now_ms/delay_ms are the virtual board's time (set by stp_probe_open) */
    unsigned caps;      /* STP_PROBE_CAP_* (stprog/probe.h), set by the driver at open */
    /* The driver's transfer-time model (stprog/probe.h); NULL: not modelled. */
    const stp_link_model *link;
};

#endif
