/* On-target CRC for the program operation: the pre-read that decides which sectors to skip,
 * and the verify, both without reading the flash back over the probe (target/flash_loader.c
 * runs the CRC on the chip). Where the loader cannot run they report "not used" and the
 * caller reads back as before. */
#ifndef STP_OPS_CRC_OPS_H
#define STP_OPS_CRC_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ops/ops_internal.h"

/* For each touched[r] region the image covers entirely, compares the on-target CRC with the
 * image's and with blank flash: cur[r] becomes the image (identical: the plan skips it), the
 * erased value (blank: programmed without erase) or the complement of the image (differs:
 * erased and programmed), owned by the caller (owns[r] = true), and touched[r] is cleared so
 * the caller does not read it. Regions it cannot decide stay touched. */
stp_status stp_ops_crc_touched(stp_target *t, const stp_segment *segs, size_t nsegs, bool *touched,
                               uint8_t **cur, bool *owns, stp_findings *findings);

/* Verifies n ranges against the expected bytes by CRC on the target: ok[i] true when range i
 * matches. *used false: no CRC (read back instead). */
stp_status stp_ops_crc_verify(stp_target *t, const uint32_t *addr, const uint32_t *len,
                              const uint8_t *const *want, size_t n, bool *ok, bool *used,
                              stp_findings *findings);

#endif
