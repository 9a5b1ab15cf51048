/* stprog — the program plan: which erase units a write touches, which it erases, which it
 * can skip, which bytes it keeps. Built by a pure function from the image, the flash
 * geometry and (optionally) the current flash contents, so it is testable without a probe
 * and printable by `write --dry-run` before anything is touched. */
#ifndef STPROG_PLAN_H
#define STPROG_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stprog/finding.h"
#include "stprog/image.h"
#include "stprog/probe.h"
#include "stprog/status.h"

/* One erase unit (sector or page) of the target's flash, as the planner sees it. */
typedef struct stp_flash_region {
    uint32_t addr;
    uint32_t size;
    uint16_t number; /* sector/page number as the reference manual numbers it (F42x/F76x
                      * bank-2 sectors: 12.., not their SNB encoding 16..) */
    uint8_t bank;    /* 0 or 1 */
    bool protected_; /* write-protected (WRP) at planning time */
} stp_flash_region;

/* Index of the region of regions[count] (sorted by address) holding addr, or count. */
size_t stp_plan_region_index(const stp_flash_region *regions, size_t count, uint32_t addr);

typedef enum stp_plan_action {
    STP_PLAN_ERASE = 0,    /* erase, then program image bytes and restore kept bytes */
    STP_PLAN_PROGRAM_ONLY, /* the bytes the image writes are blank already: no erase */
    STP_PLAN_SKIP,         /* the sector already holds the image's bytes: untouched */
} stp_plan_action;

typedef struct stp_plan_sector {
    uint32_t addr;
    uint32_t size;
    uint16_t number;
    uint8_t bank;
    stp_plan_action action;
    uint32_t image_bytes;   /* bytes of the sector the image covers */
    uint32_t restore_bytes; /* bytes the image does not cover that are written back */
    uint32_t program_bytes; /* bytes programmed (image + restore, widened to the unit) */
} stp_plan_sector;

typedef struct stp_plan_range {
    uint32_t addr;
    uint32_t len;
} stp_plan_range;

typedef struct stp_plan {
    stp_plan_sector *sectors; /* touched sectors, in address order */
    size_t sector_count;
    stp_plan_range *program; /* ranges programmed (merged, aligned to program_unit) */
    size_t program_count;
    stp_plan_range *restore; /* kept bytes: read before erase, written back after */
    size_t restore_count;
    bool restore_needs_read; /* current contents were not given: restore ranges are read
                                from the target before the first erase */
    uint32_t program_unit;   /* bytes per program operation the ranges are aligned to */
    uint8_t erased_byte;     /* value of an erased byte (0xFF; 0x00 on L1) */
    /* Totals, for progress and --dry-run. */
    uint64_t image_bytes;
    uint32_t erase_count;
    uint64_t erase_bytes;
    uint32_t program_only_count;
    uint32_t skip_count;
    uint64_t skip_bytes;
    uint64_t program_bytes;
    uint64_t restore_bytes;
} stp_plan;

/* What the planner needs. current[i] (may be NULL, or an entry NULL) holds regions[i].size
 * bytes of the sector's present contents; with it the planner skips unchanged sectors,
 * programs blank ones without erasing, and restores only non-blank kept bytes. */
/* CRC-32 (stp_crc32) of a region's present contents, when the target can compute it
 * faster than it can be read (a RAM routine, the CRC unit). */
typedef struct stp_region_crc {
    bool valid;
    uint32_t crc32;
} stp_region_crc;

typedef struct stp_plan_input {
    const stp_segment *segments; /* sorted, non-overlapping (as stp_image gives them) */
    size_t segment_count;
    const stp_flash_region *regions; /* sorted by address */
    size_t region_count;
    const uint8_t *const *current;
    /* Optional per-region CRCs (may be NULL): a region without current contents that the
     * image covers completely is skipped when the image's CRC over it matches. */
    const stp_region_crc *current_crc;
    uint32_t program_unit; /* power of two, >= 1 */
    uint8_t erased_byte;
} stp_plan_input;

/* Builds the plan. Refuses (before anything could be erased) bytes outside the flash
 * regions (STP_ERR_RANGE, finding "plan.outside-flash") and bytes in write-protected
 * regions (STP_ERR_PROTECTED, finding "plan.write-protected", one per sector). */
stp_status stp_plan_build(const stp_plan_input *in, stp_plan **out, stp_findings *findings);
/* The refusals of stp_plan_build alone (same findings and statuses), from the geometry and
 * the regions' protection: current and current_crc are not looked at. For checking an
 * image before anything is read from the target. */
stp_status stp_plan_check(const stp_plan_input *in, stp_findings *findings);
void stp_plan_free(stp_plan *plan);

const char *stp_plan_action_name(stp_plan_action action); /* "erase", "program", "skip" */

/* --- Modelled time (write --dry-run) ----------------------------------------------------
 * What carrying out a plan costs, from typical datasheet flash timings (the chip database)
 * and a model of the probe's link. The model is stated in src/ops/plan_time.c. */
#define STP_PLAN_ERASE_CLASSES 8

typedef struct stp_plan_erase_time {
    uint32_t sector_size;
    uint32_t typ_us; /* typical erase time of one sector/page of that size */
} stp_plan_erase_time;

typedef struct stp_plan_cost_model {
    /* Flash (typical, at the program width in use). */
    uint32_t program_op_bytes; /* bytes one program operation writes (L1: half-page) */
    uint32_t program_op_ns;    /* typical time of one program operation */
    stp_plan_erase_time erase[STP_PLAN_ERASE_CLASSES];
    size_t erase_count;
    /* A plan that erases all sector_total sectors is done with one mass erase of
     * mass_erase_us when that is non-zero (the engine's choice where it is much faster). */
    uint32_t mass_erase_us;
    size_t sector_total;
    uint32_t core_hz; /* core clock the SRAM loader runs at (the reset clock) */
    /* Link: the probe driver's transfer-time model (stprog/probe.h) when link_known (not
     * for the ROM bootloader over a UART: link time is then left out) and the SWD clock. */
    bool link_known;
    stp_link_model link;
    unsigned swd_khz;
    /* How stprog writes: the SRAM loader (host transfers overlap flash programming, CRC on
     * the target) or direct register writes (chunks of direct_chunk bytes, serial). */
    bool loader;
    uint32_t direct_chunk;
    bool verify;
} stp_plan_cost_model;

typedef struct stp_plan_estimate {
    double overhead_s; /* attach, loader set-up, the CRC pass that decides what to skip,
                          the commands that start each erase and poll for its end */
    double erase_s;    /* flash busy erasing the sectors the plan erases */
    double program_s;  /* flash busy programming the plan's bytes */
    double transfer_s; /* moving the bytes to the target (with the loader overlapped with
                          erase + program: the phase takes the larger of the two) */
    double verify_s;   /* CRC on the target, or reading back without the loader */
    double total_s;
    bool link_modelled; /* false: no link model, transfer and link overheads left out */
} stp_plan_estimate;

/* Pure: the modelled time of plan under m. */
void stp_plan_estimate_time(const stp_plan *plan, const stp_plan_cost_model *m,
                            stp_plan_estimate *out);

/* Datasheet-typical flash busy time of the plan alone: erase of the sectors it erases, one
 * by one, plus program of its bytes (issue 6's bound; where the plan erases the whole flash
 * a mass erase can be faster, which the estimate then uses). */
double stp_plan_flash_bound_s(const stp_plan *plan, const stp_plan_cost_model *m);

/* Fills m from an attached target (chip database timings at the program width in use) and
 * its probe; loader/verify as the write will run. */
struct stp_target;
stp_status stp_plan_cost_model_for(const struct stp_target *t, bool loader, bool verify,
                                   stp_plan_cost_model *m);
/* The flash part of m from a chip database row at program width psize (an stp_psize; the
 * family's native width when the row has no entry for it). The link fields stay zero. */
struct stp_chip;
stp_status stp_plan_cost_model_chip(const struct stp_chip *chip, int psize, stp_plan_cost_model *m);

#endif
