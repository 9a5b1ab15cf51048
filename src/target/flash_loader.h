/* The host side of the SRAM flash loader (loaders/loader.c): writes the loader and its
 * parameters into the target's SRAM, checks them, runs the core and streams the data
 * through a ring of buffers so the USB and SWD transfers of the next buffer overlap the
 * flash programming of the current one. */
#ifndef STP_TARGET_FLASH_LOADER_H
#define STP_TARGET_FLASH_LOADER_H

#include <stdbool.h>
#include <stdint.h>

#include "stprog/env.h"
#include "target/flash.h"

/* Smallest range worth loading the loader for (bytes). */
#define STP_FLASH_LOADER_MIN_BYTES 2048u

/* The loader image for the session's family, or NULL (*size = 0) when there is none. */
const uint8_t *stp_flash_loader_blob(const stp_flash *f, uint32_t *size);

/* Programs [addr, addr+len) through the loader. Called by the engine with the flash
 * unlocked and in programming mode (PG, PSIZE). *used tells whether the loader ran: when it
 * could not be set up (no loader for the family, SRAM too small, the loader read back wrong)
 * *used is false, the reason is a warning finding (target.sram-unusable,
 * probe.corrupts-transfers) and the caller programs by direct register writes. Once the
 * loader ran, its result is final: errors are decoded from the status register like on the
 * direct path, with the failing address as evidence. */
stp_status stp_flash_loader_program(stp_flash *f, uint32_t addr, const uint8_t *data, uint32_t len,
                                    const stp_env *env, uint64_t *progress_done,
                                    uint64_t progress_total, bool *used);

#endif
