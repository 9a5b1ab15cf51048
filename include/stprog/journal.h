/* stprog — the journal of kept bytes. A write (and `erase ADDR LEN`, and gdb's load) that
 * erases a sector it only partly rewrites first saves that sector's contents in a journal
 * file in env->journal_dir, named after the chip's unique ID. It is removed when the write
 * succeeds. After a failed or killed write, the next write or erase on the same chip writes
 * the saved bytes back (for those sectors the journal wins over what the flash holds now),
 * and stp_journal_recover does only that. A journal of another chip, or one whose checksum
 * does not match, is refused and never applied. */
#ifndef STPROG_JOURNAL_H
#define STPROG_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stprog/env.h"
#include "stprog/finding.h"
#include "stprog/status.h"
#include "stprog/target.h"

#define STP_JOURNAL_PATH_MAX 1024

typedef struct stp_journal_summary {
    char path[STP_JOURNAL_PATH_MAX];
    char chip[32];      /* the chip's name when the journal was written */
    char operation[24]; /* "write", "erase", "gdb load" */
    uint16_t dev_id;
    bool uid_valid;
    uint8_t uid[12];
    int64_t created; /* Unix seconds */
    size_t sector_count;
    char sectors[96]; /* their numbers as the reference manual counts them: "1-2, 5" */
    uint64_t bytes;
    uint32_t first_addr; /* lowest sector address (0 when empty) */
    uint32_t end_addr;   /* one past the highest sector's end */
} stp_journal_summary;

/* The journal file of the attached chip in dir: "<dir>/dev<ID>-<UID>.journal" (with
 * "no-uid" when the chip's unique ID could not be read). */
stp_status stp_journal_path_for(const char *dir, const stp_target *t, char *buf, size_t cap);

/* Checks a journal file whole (format, size, checksum) and describes it. A missing file is
 * STP_ERR_IO with finding journal.missing; a damaged one STP_ERR_FORMAT, journal.corrupt. */
stp_status stp_journal_describe(const char *path, stp_journal_summary *out, stp_findings *findings);

/* Writes a journal's bytes back into the chip they were taken from and removes the journal.
 * path NULL: the chip's own journal in env->journal_dir (nothing to do is STP_OK with
 * *found false). A journal of another chip is refused (journal.other-chip), a damaged one
 * too (journal.corrupt); neither is applied. */
stp_status stp_journal_recover(stp_target *t, const char *path, const stp_env *env, bool *found,
                               stp_journal_summary *summary, stp_findings *findings);

/* Deletes a journal file after checking that it is one (a damaged journal is deleted too: a
 * file that is not a journal at all is refused). */
stp_status stp_journal_discard(const char *path, stp_journal_summary *summary,
                               stp_findings *findings);

#endif
