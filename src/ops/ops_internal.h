/* Shared by the operations in src/ops/. */
#ifndef STP_OPS_INTERNAL_H
#define STP_OPS_INTERNAL_H

#include "stprog/ops.h"
#include "target/target_internal.h"

/* Halts the core if it runs, reads the option bytes, marks protected regions, and refuses
 * (STP_ERR_PROTECTED, finding protect.rdp-active) when read protection is on. */
stp_status stp_ops_prepare(stp_target *t, stp_findings *findings);

/* Reads memory in chunks with progress on phase (done/total are updated). */
stp_status stp_ops_read(stp_target *t, uint32_t addr, uint32_t len, uint8_t *buf,
                        const stp_env *env, const char *phase, uint64_t *done, uint64_t total,
                        stp_findings *findings);

/* Flash ECC (src/ops/ecc.c): clears the errors the controller latched (before reading),
 * and names those latched since (finding flash.ecc-error; how: what read them), clearing
 * them. Returns the number of uncorrectable (double) ones. No-ops without flash ECC. */
void stp_ops_ecc_forget(stp_target *t);
unsigned stp_ops_ecc_check(stp_target *t, const char *how, stp_findings *findings);
/* After a read that went to scratch: a failure an uncorrectable ECC error explains becomes
 * STP_ERR_FLASH with flash.ecc-error (scratch dropped); else scratch joins findings. Frees
 * scratch; returns the status. */
stp_status stp_ops_ecc_explain(stp_target *t, stp_status st, const char *how, stp_findings *scratch,
                               stp_findings *findings);

/* Copies the image's bytes that fall in [addr, addr+len) over buf. */
void stp_ops_overlay(const stp_segment *segs, size_t nsegs, uint32_t addr, uint8_t *buf,
                     uint32_t len);

/* Index of the region (erase unit) holding addr, or t->sector_count. */
size_t stp_ops_region_of(const stp_target *t, uint32_t addr);

/* stp_program with the operation's name for its journal ("write", "erase", "gdb load"). */
stp_status stp_ops_program(stp_target *t, const stp_image *img, const stp_program_options *opt,
                           const stp_env *env, const char *operation, stp_plan **plan_out,
                           stp_verify_result *verify, stp_findings *findings);

/* Before the first erase: refuses (STP_ERR_POWER, finding power.voltage-low) when the probe
 * measures a supply below the chip's minimum for every program width. Probes that cannot
 * measure (the ROM bootloader over a UART) pass. */
stp_status stp_ops_check_supply(stp_target *t, stp_findings *findings);
/* Before direct register programming: an SRAM write/read-back at the transfer length the
 * flash driver uses, then shorter ones; the longest intact one caps the probe's transfers,
 * and a probe that corrupts every length tried is refused (STP_ERR_PROTOCOL, finding
 * probe.corrupts-transfers) before anything is erased. */
stp_status stp_ops_check_link(stp_target *t, stp_findings *findings);

/* Before erasing [addr, addr+len) as asked: the chip's journal loses the sectors inside the
 * range (their saved bytes are not wanted any more); the rest is written back first. When
 * nothing is left, drop_path names the journal to remove once the erase succeeded
 * (stp_ops_journal_after_erase). A damaged journal or another chip's is refused. */
stp_status stp_ops_journal_before_erase(stp_target *t, const stp_env *env, uint32_t addr,
                                        uint64_t len, char *drop_path, size_t cap,
                                        stp_findings *findings);
void stp_ops_journal_after_erase(const char *drop_path, stp_status st, stp_findings *findings);

/* Adds a verify.mismatch finding from a result. */
void stp_ops_mismatch_finding(const stp_verify_result *r, stp_findings *findings);

#endif
