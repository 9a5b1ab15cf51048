/* stprog — what a user asks of a target: program (plan -> erase -> program -> verify),
 * verify, read, erase, blank-check. Progress goes to env->progress with phases "read",
 * "erase", "program", "verify" and totals known from the plan before each phase starts. */
#ifndef STPROG_OPS_H
#define STPROG_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stprog/env.h"
#include "stprog/finding.h"
#include "stprog/image.h"
#include "stprog/plan.h"
#include "stprog/status.h"
#include "stprog/target.h"

typedef struct stp_program_options {
    bool verify;    /* read back every touched sector afterwards */
    bool dry_run;   /* plan only: reads the current contents, erases and writes nothing */
    bool force;     /* erase and program touched sectors even when they hold the image */
    bool no_loader; /* program by direct register writes, without the SRAM flash loader */
    /* Called once with the plan, before anything is erased or written (may be NULL): a
     * caller shows the plan before the work instead of after it. */
    void (*on_plan)(const stp_plan *plan, void *user);
    void *on_plan_user;
} stp_program_options;

typedef struct stp_verify_result {
    bool match;
    uint64_t compared;   /* bytes compared */
    uint64_t mismatches; /* bytes that differ */
    uint32_t first_address;
    uint8_t expected, actual; /* at first_address */
    uint64_t erased_reads;    /* differing bytes that read as the erased value */
} stp_verify_result;

/* Programs an image. *plan_out (optional) receives the plan (free with stp_plan_free),
 * also on dry runs and on failures after planning. A verify mismatch is STP_ERR_VERIFY with
 * finding verify.mismatch naming the first differing address and the count. */
stp_status stp_program(stp_target *t, const stp_image *img, const stp_program_options *opt,
                       const stp_env *env, stp_plan **plan_out, stp_verify_result *verify,
                       stp_findings *findings);

/* Compares the target's memory with the image (every segment). */
stp_status stp_verify(stp_target *t, const stp_image *img, const stp_env *env,
                      stp_verify_result *result, stp_findings *findings);

/* Reads len bytes at addr (any memory) with progress phase "read". */
stp_status stp_read(stp_target *t, uint32_t addr, uint32_t len, uint8_t *buf, const stp_env *env,
                    stp_findings *findings);

/* Erases the whole flash. */
stp_status stp_erase_all(stp_target *t, const stp_env *env, stp_findings *findings);
/* Erases sectors first..last (indexes as `stprog info` lists them, inclusive). */
stp_status stp_erase_sectors(stp_target *t, unsigned first, unsigned last, const stp_env *env,
                             stp_findings *findings);
/* Erases exactly [addr, addr+len): whole sectors inside it are erased, the bytes of
 * partly covered sectors outside the range are kept (read, erase, written back). */
stp_status stp_erase_range(stp_target *t, uint32_t addr, uint32_t len, const stp_env *env,
                           stp_findings *findings);

typedef struct stp_blank_result {
    bool blank;
    uint64_t checked;
    uint64_t non_blank;       /* bytes that are not the erased value */
    uint32_t first_non_blank; /* address, when !blank */
    uint8_t erased_value;
} stp_blank_result;
/* Reads the whole flash and checks it holds the erased value (0xFF; 0x00 on L1). */
stp_status stp_blank_check(stp_target *t, const stp_env *env, stp_blank_result *result,
                           stp_findings *findings);

#endif
