/* The host side of the SRAM flash loader (loaders/loader.c): writes the loader and its
 * parameters into the target's SRAM, checks them, runs the core and streams the data
 * through a ring of buffers so the USB and SWD transfers of the next buffers overlap the
 * flash erasing and programming of the current one. */
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
 * *used is false, the reason is a warning finding where it is a fault (target.sram-unusable,
 * probe.corrupts-transfers; none for a family without a loader or a part whose SRAM is too
 * small by design) and the caller programs by direct register writes. Once the
 * loader ran, its result is final: errors are decoded from the status register like on the
 * direct path, with the failing address as evidence. */
stp_status stp_flash_loader_program(stp_flash *f, uint32_t addr, const uint8_t *data, uint32_t len,
                                    const stp_env *env, uint64_t *progress_done,
                                    uint64_t progress_total, bool *used);

/* Erases and programs req's units and pieces in one loader run (stp_flash_write; the same
 * contract as stp_flash_loader_program for *used and errors). Erase failures are decoded
 * like program failures, with the sector and its address; a reset during the run (a
 * brown-out) is reported by stp_flash_check_reset as soon as it is seen. */
stp_status stp_flash_loader_write(stp_flash *f, const stp_flash_write_req *req, const stp_env *env,
                                  bool *used);

/* The SRAM loader route's stp_flash_write (flash_write.c): *used false when the pieces are
 * too short to pay for the loader's upload or it could not be set up (the session then
 * continues on register writes: stp_flash_loader_failed). */
stp_status stp_flash_loader_route_write(stp_flash *f, const stp_flash_write_req *req,
                                        const stp_env *env, stp_findings *findings, bool *used);

/* CRC-32 as the STM32 CRC unit computes it (polynomial 0x04C11DB7, initial 0xFFFFFFFF, each
 * little-endian 32-bit word fed MSB first, no final XOR) of n ranges in target memory, on the
 * target by the loader: crc[i] for [addr[i], addr[i]+len[i]). Addresses and lengths must be
 * multiples of 4. *used false: not computed (no loader, SRAM unusable: finding added, or the
 * session has --no-loader); the caller reads the memory back instead. */
stp_status stp_flash_loader_crc(stp_flash *f, const uint32_t *addr, const uint32_t *len, size_t n,
                                uint32_t *crc, stp_findings *findings, bool *used);
/* The same CRC over host bytes (len a multiple of 4). */
uint32_t stp_crc32_stm32(const uint8_t *data, size_t len);

#endif
