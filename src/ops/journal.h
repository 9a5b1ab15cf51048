/* The journal of kept bytes (internal side; the public side is stprog/journal.h).
 *
 * Before a write erases a sector whose present contents it had to read (the image does not
 * cover all of it), the sector's contents go to a journal file named after the chip's
 * unique ID, on disk (fsync, atomic rename) before the first erase. A write that succeeds
 * removes it; one that fails or is killed leaves it, and the next write, erase or recover on
 * the same chip writes those bytes back: for the sectors it covers the journal wins over
 * what the flash holds now (a half-erased sector is not "kept").
 *
 * File layout (little endian), STP_JOURNAL_HDR bytes of header:
 *   "STPJRNL\n" | u32 version | u32 header bytes | u8 uid[12] | u16 dev_id | u8 flags
 *   (bit 0: uid valid) | u8 erased byte | u32 flash KiB | u32 sector count | u64 data bytes
 *   | i64 created (Unix seconds) | char chip[32] | char operation[24] | zeros to 128
 * then per sector {u32 addr, u32 size, u16 number, u8 bank, u8 0, u32 0}, then the sectors'
 * bytes in that order, then u32 CRC-32 (stp_crc32) of everything before it. */
#ifndef STP_OPS_JOURNAL_H
#define STP_OPS_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stprog/env.h"
#include "stprog/finding.h"
#include "stprog/journal.h"
#include "stprog/status.h"
#include "stprog/target.h"

#define STP_JOURNAL_HDR         128u
#define STP_JOURNAL_SECTOR_HDR  16u
#define STP_JOURNAL_MAX_SECTORS 4096u
#define STP_JOURNAL_MAX_DATA    (64u * 1024u * 1024u)

typedef struct stp_journal_sector {
    uint32_t addr;
    uint32_t size;
    uint16_t number;
    uint8_t bank;
    uint8_t *data; /* size bytes: the sector's contents before the erase */
} stp_journal_sector;

typedef struct stp_journal {
    uint8_t uid[12];
    bool uid_valid;
    uint16_t dev_id;
    uint8_t erased_byte;
    uint32_t flash_kb;
    int64_t created;
    char chip[32];
    char operation[24];
    stp_journal_sector *sectors; /* sorted by address, not overlapping */
    size_t count;
    size_t cap;
} stp_journal;

/* A new, empty journal for the attached chip. NULL when memory ran out. */
stp_journal *stp_journal_new(const stp_target *t, const char *operation);
void stp_journal_free(stp_journal *j);
/* Adds a copy of one sector's contents (kept in address order). A sector already in the
 * journal keeps its first contents: the bytes from before the first failed write win. */
stp_status stp_journal_add(stp_journal *j, uint32_t addr, uint32_t size, uint16_t number,
                           uint8_t bank, const uint8_t *data);
/* The journal's sector at addr, or NULL. */
const stp_journal_sector *stp_journal_find(const stp_journal *j, uint32_t addr);
/* Drops the sectors inside [addr, addr+len). */
void stp_journal_drop(stp_journal *j, uint32_t addr, uint64_t len);
uint64_t stp_journal_bytes(const stp_journal *j);

/* Pure: the file's bytes (free with stp_free) and back. decode refuses anything but a
 * whole, consistent journal whose checksum matches; why says what is wrong. */
stp_status stp_journal_encode(const stp_journal *j, uint8_t **out, size_t *len);
stp_status stp_journal_decode(const uint8_t *buf, size_t len, stp_journal **out, char *why,
                              size_t why_cap);

/* Files. load: STP_OK with *out NULL when there is no file at path; a file that is not a
 * whole journal is refused (finding journal.corrupt). save: created with its directory
 * (mode 0700), durable and atomic; failure is finding journal.write-failed. */
stp_status stp_journal_load(const char *path, stp_journal **out, stp_findings *findings);
stp_status stp_journal_save(const stp_journal *j, const char *path, stp_findings *findings);
/* Removes the file; a failure is a warning finding journal.remove-failed. */
stp_status stp_journal_remove(const char *path, stp_findings *findings);

/* "1-2, 5": the sectors' numbers (as the reference manual numbers them). */
void stp_journal_sector_list(const stp_journal *j, char *buf, size_t cap);
/* The summary of j as stprog/journal.h shows it. */
void stp_journal_summarize(const stp_journal *j, const char *path, stp_journal_summary *out);
/* Whether j was taken from the attached chip; when not, a finding journal.other-chip (error,
 * with both chips' IDs) and STP_ERR_STATE. A chip or journal without a unique ID matches
 * only when allow_no_uid (an explicit `recover FILE`) and the device IDs agree. */
stp_status stp_journal_check_chip(const stp_journal *j, const char *path, const stp_target *t,
                                  bool allow_no_uid, stp_findings *findings);

/* The journal of the attached chip in env->journal_dir: *out NULL when there is none (or no
 * directory is configured); a file there that is not a valid journal of this chip is
 * refused with its finding. path receives the file's name (empty without a directory). */
stp_status stp_journal_open_for(const stp_target *t, const stp_env *env, stp_journal **out,
                                char *path, size_t path_cap, stp_findings *findings);

/* --- The journal of one program operation (program.c) -------------------------------- */
struct stp_image;
struct stp_plan;

typedef struct stp_prog_journal {
    char path[STP_JOURNAL_PATH_MAX]; /* empty: no journal directory, nothing kept on disk */
    const char *operation;
    stp_journal *old;         /* left by an earlier failed write: applied by this one */
    stp_journal *next;        /* what this write saved before its first erase */
    bool saved;               /* the file at path holds next */
    struct stp_image *merged; /* the image with old's sectors merged in */
    uint32_t *kept;           /* per old sector: its saved bytes the image does not replace */
} stp_prog_journal;

/* Finds the chip's journal (refusing a damaged one or another chip's). */
stp_status stp_pj_open(stp_prog_journal *pj, const stp_target *t, const stp_env *env,
                       const char *operation, stp_findings *findings);
/* With an old journal: the segments become the image's segments with the old journal's sectors
 * merged in (their saved bytes where the image does not write): a new array the caller
 * frees (stp_free) after freeing its own; the bytes belong to pj. Unchanged without one. */
stp_status stp_pj_merge(stp_prog_journal *pj, stp_segment **segs, size_t *n,
                        stp_findings *findings);
/* The plan as the user should read it: an old journal's bytes that the image does not
 * replace count as kept bytes of their sectors, not as image bytes. */
void stp_pj_account(const stp_prog_journal *pj, struct stp_plan *plan);
/* Before the first erase: saves the old journal's sectors and the present contents (cur, per
 * region) of every sector the plan erases that the image does not cover entirely. */
stp_status stp_pj_save(stp_prog_journal *pj, const stp_target *t, const struct stp_plan *plan,
                       uint8_t *const *cur, stp_findings *findings);
/* After the operation: removes the journal when it succeeded (reporting what an old journal
 * put back), says where the kept bytes are when it failed after saving them, and frees pj.
 * touched: something may have been erased or written. */
void stp_pj_close(stp_prog_journal *pj, stp_status st, bool dry_run, bool touched,
                  const struct stp_plan *plan, stp_findings *findings);

#endif
