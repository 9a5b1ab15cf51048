/* The memory-backend seam: a probe that reaches the flash through the chip's own ROM code
 * (the bootloader over a UART, AN3155) instead of through a debug port and the flash
 * controller's registers. Such a probe's stp_debug_ops carry a non-NULL mem_backend; the
 * target (target/target_boot.c) then identifies the chip by the ID the ROM reports, and
 * the flash engine's erase/program/option-byte entry points hand the work to the backend,
 * so the operations (ops/: plan, erase, program, verify, read) are the same for both.
 * Memory reads stay stp_debug_ops.read_mem. */
#ifndef STP_PROBE_MEM_BACKEND_H
#define STP_PROBE_MEM_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stprog/finding.h"
#include "stprog/status.h"
#include "chipdb/chipdb.h"

struct stp_debug;

typedef struct stp_mem_backend {
    const char *name;      /* "ROM bootloader (AN3155)" */
    uint32_t program_unit; /* program ranges are aligned to this many bytes */
    /* The device ID the ROM code reports (AN3155 Get ID = DBGMCU_IDCODE[11:0]). */
    stp_status (*device_id)(struct stp_debug *d, uint16_t *dev_id, stp_findings *findings);
    /* Tells the backend which chip it talks to (datasheet deadlines). */
    void (*set_chip)(struct stp_debug *d, const stp_chip *chip, uint32_t flash_kb);
    /* Programs len bytes (addr and len multiples of program_unit) of erased flash. */
    stp_status (*program)(struct stp_debug *d, uint32_t addr, const uint8_t *data, uint32_t len,
                          stp_findings *findings);
    /* Erases the given erase units (index = position in the device). */
    stp_status (*erase)(struct stp_debug *d, const stp_sector *sectors, size_t count,
                        stp_findings *findings);
    stp_status (*mass_erase)(struct stp_debug *d, stp_findings *findings);
    /* Read protection on (level 1) / off (mass-erases the flash), write protection of
     * exactly the given units / of none. Each restarts the chip's ROM code. */
    stp_status (*readout_protect)(struct stp_debug *d, stp_findings *findings);
    stp_status (*readout_unprotect)(struct stp_debug *d, stp_findings *findings);
    stp_status (*write_protect)(struct stp_debug *d, const uint8_t *units, size_t count,
                                stp_findings *findings);
    stp_status (*write_unprotect)(struct stp_debug *d, stp_findings *findings);
    /* Starts the program whose vector table is at addr. */
    stp_status (*go)(struct stp_debug *d, uint32_t addr, stp_findings *findings);
    /* The link and what the ROM code said, in words, for diagnosis: line rate and framing,
     * protocol version, product ID, the commands it offers. */
    void (*describe)(struct stp_debug *d, char *buf, size_t cap);
} stp_mem_backend;

#endif
