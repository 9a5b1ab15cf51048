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

/* Copies the image's bytes that fall in [addr, addr+len) over buf. */
void stp_ops_overlay(const stp_segment *segs, size_t nsegs, uint32_t addr, uint8_t *buf,
                     uint32_t len);

/* Adds a verify.mismatch finding from a result. */
void stp_ops_mismatch_finding(const stp_verify_result *r, stp_findings *findings);

#endif
