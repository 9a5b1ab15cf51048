/* Chip identification: CPUID, DBGMCU_IDCODE at the core's address, the chip database row
 * (with the F4 rev-A erratum), the flash-size register checked for plausibility, and the
 * unique ID. */
#ifndef STP_TARGET_IDENTIFY_H
#define STP_TARGET_IDENTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "probe/debug.h"
#include "chipdb/chipdb.h"

typedef struct stp_identity {
    uint32_t cpuid;
    stp_core_kind core;
    uint32_t idcode_addr;
    uint32_t idcode;
    uint16_t dev_id;
    uint16_t rev_id;
    const stp_chip *chip;
    uint32_t flash_kb;
    bool flash_size_read; /* false: assumed from the table (finding added) */
    uint32_t fsize_addr;
    uint32_t fsize_raw;
    bool uid_valid;
    uint8_t uid[12];
} stp_identity;

/* DBGMCU_IDCODE address for a core (ARMv6-M parts keep DBGMCU on the APB). */
uint32_t stp_idcode_addr_for_core(stp_core_kind core);

/* Reads CPUID and IDCODE, finds the chip (STP_ERR_UNKNOWN_CHIP with finding
 * target.unknown-chip otherwise), reads and checks the flash size (findings
 * flash.size-unreadable / flash.size-implausible, size then assumed from the table). */
stp_status stp_identify(stp_debug *d, stp_identity *out, stp_findings *findings);

#endif
