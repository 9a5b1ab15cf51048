/* The flash engine's entry points when the probe reaches the flash through a memory
 * backend (probe/mem_backend.h: the ROM bootloader) instead of the flash controller's
 * registers. flash_engine.c hands over to these; target_boot.c attaches such targets. */
#ifndef STP_TARGET_FLASH_BOOT_H
#define STP_TARGET_FLASH_BOOT_H

#include "probe/mem_backend.h"
#include "stprog/target.h"
#include "target/flash.h"

/* The backend of f's probe, or NULL for a debug probe. */
const stp_mem_backend *stp_flash_backend(const stp_flash *f);

stp_status stp_flash_boot_erase(stp_flash *f, const stp_sector *sectors, size_t count,
                                const stp_env *env, uint64_t *progress_done,
                                uint64_t progress_total, stp_findings *findings);
stp_status stp_flash_boot_erase_all(stp_flash *f, const stp_sector *sectors, size_t count,
                                    const stp_env *env, stp_findings *findings);
stp_status stp_flash_boot_program(stp_flash *f, uint32_t addr, const uint8_t *data, uint32_t len,
                                  const stp_env *env, uint64_t *progress_done,
                                  uint64_t progress_total, stp_findings *findings);
/* Option bytes as the ROM code sees them: the option-byte area read with Read Memory and
 * decoded per family (F0/F1/F3, F2/F4, F7). Under read protection the bootloader refuses
 * the read; the level is then reported as 1 (finding protect.rdp1, a warning). */
stp_status stp_flash_boot_read_options(stp_flash *f, stp_option_bytes *ob, stp_findings *findings);
/* Applies a change through Readout Unprotect, Write Unprotect / Write Protect and Readout
 * Protect, in that order. Other fields and RDP level 2 cannot be set this way
 * (STP_ERR_UNSUPPORTED, finding option.not-via-bootloader). */
stp_status stp_flash_boot_write_options(stp_flash *f, const stp_option_bytes *ob,
                                        stp_findings *findings);

/* Attaches to a chip behind a memory backend (called by stp_target_attach). */
stp_status stp_target_attach_boot(stp_debug *dbg, const stp_target_options *opt, stp_target **out,
                                  stp_findings *findings);

/* Reset of such a target: a pulse on the probe's NRST line (uart:...,reset=dtr); without
 * one, or with halt or a software/core reset, STP_ERR_UNSUPPORTED (finding
 * probe.unsupported pointing at `go`). */
stp_status stp_target_reset_boot(stp_target *t, stp_reset_mode mode, bool halt,
                                 stp_findings *findings);

#endif
