/* What a user does with a journal (stprog/journal.h): describe it, write its bytes back,
 * discard it; and what an erase does with the chip's journal before erasing. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "ops/journal.h"
#include "ops/ops_internal.h"

stp_status stp_journal_describe(const char *path, stp_journal_summary *out, stp_findings *findings)
{
    stp_journal *j = NULL;
    stp_journal_summarize(NULL, path, out);
    stp_status st = stp_journal_load(path, &j, findings);
    if (st == STP_OK && j == NULL) {
        stp_finding *f =
            stp_finding_add(findings, "journal.missing", STP_SEV_ERROR, "no journal at %s", path);
        stp_finding_evidence(f, "journal", "%s", path);
        return STP_ERR_IO;
    }
    if (st == STP_OK)
        stp_journal_summarize(j, path, out);
    stp_journal_free(j);
    return st;
}

/* Programs j's sectors (their saved bytes, nothing else): the write plans them like any
 * image, so sectors that hold the bytes already are skipped. */
static stp_status write_back(stp_target *t, const stp_journal *j, const stp_env *env,
                             const char *operation, stp_findings *findings)
{
    stp_image *img = NULL;
    stp_status st = stp_image_create(&img);
    for (size_t i = 0; st == STP_OK && i < j->count; i++)
        st = stp_image_add(img, j->sectors[i].addr, j->sectors[i].data, j->sectors[i].size,
                           "journal", findings);
    stp_program_options opt = {.verify = true};
    if (st == STP_OK)
        st = stp_ops_program(t, img, &opt, env, operation, NULL, NULL, findings);
    stp_image_destroy(img);
    return st;
}

stp_status stp_journal_recover(stp_target *t, const char *path, const stp_env *env, bool *found,
                               stp_journal_summary *summary, stp_findings *findings)
{
    *found = false;
    char own[STP_JOURNAL_PATH_MAX] = "";
    stp_journal *j = NULL;
    stp_status st;
    if (path == NULL) {
        st = stp_journal_open_for(t, env, &j, own, sizeof(own), findings);
        path = own;
    } else {
        st = stp_journal_load(path, &j, findings);
        if (st == STP_OK && j == NULL)
            return stp_journal_describe(path, summary, findings); /* journal.missing */
        if (st == STP_OK)
            st = stp_journal_check_chip(j, path, t, true, findings);
    }
    stp_journal_summarize(st == STP_OK ? j : NULL, path, summary);
    if (st != STP_OK || j == NULL) {
        stp_journal_free(j);
        return st;
    }
    *found = true;
    if (st == STP_OK)
        st = stp_ops_prepare(t, findings);
    /* The chip's own journal is merged by the write itself and removed when it succeeds;
     * a journal named by the user is written back and then removed here. */
    if (st == STP_OK)
        st = write_back(t, j, env, "recover", findings);
    if (st == STP_OK && strcmp(path, own) != 0)
        st = stp_journal_remove(path, findings);
    stp_journal_free(j);
    return st;
}

stp_status stp_journal_discard(const char *path, stp_journal_summary *summary,
                               stp_findings *findings)
{
    stp_journal_summarize(NULL, path, summary);
    stp_findings scratch = {0};
    stp_journal *j = NULL;
    stp_status st = stp_journal_load(path, &j, &scratch);
    stp_findings_free(&scratch);
    if (st == STP_OK && j == NULL)
        return stp_journal_describe(path, summary, findings); /* journal.missing */
    if (st == STP_OK) {
        stp_journal_summarize(j, path, summary);
        stp_journal_free(j);
    } else { /* damaged: still ours when it starts like a journal */
        char magic[8] = {0};
        int fd = open(path, O_RDONLY | O_NOFOLLOW);
        bool ours = fd >= 0 && read(fd, magic, sizeof(magic)) == (ssize_t)sizeof(magic) &&
                    memcmp(magic, "STPJRNL\n", 8) == 0;
        if (fd >= 0)
            close(fd);
        if (!ours) {
            stp_finding *f = stp_finding_add(findings, "journal.not-a-journal", STP_SEV_ERROR,
                                             "%s is not a stprog journal: not deleted", path);
            stp_finding_evidence(f, "file", "%s", path);
            return STP_ERR_FORMAT;
        }
    }
    if (unlink(path) != 0) {
        stp_finding *f = stp_finding_add(findings, "journal.remove-failed", STP_SEV_ERROR,
                                         "cannot delete the journal %s: %s", path, strerror(errno));
        stp_finding_evidence(f, "journal", "%s", path);
        return STP_ERR_IO;
    }
    return STP_OK;
}

stp_status stp_ops_journal_before_erase(stp_target *t, const stp_env *env, uint32_t addr,
                                        uint64_t len, char *drop_path, size_t cap,
                                        stp_findings *findings)
{
    stp_journal *j = NULL;
    char path[STP_JOURNAL_PATH_MAX];
    drop_path[0] = '\0';
    stp_status st = stp_journal_open_for(t, env, &j, path, sizeof(path), findings);
    if (st != STP_OK || j == NULL)
        return st;
    /* Sectors the user asks to erase: their saved bytes are not wanted any more. */
    size_t before = j->count;
    stp_journal_drop(j, addr, len);
    if (j->count == 0) {
        snprintf(drop_path, cap, "%s", path); /* removed once the erase succeeded */
    } else {
        if (j->count != before)
            st = stp_journal_save(j, path, findings);
        if (st == STP_OK)
            st = write_back(t, j, env, "erase", findings);
    }
    stp_journal_free(j);
    return st;
}

void stp_ops_journal_after_erase(const char *drop_path, stp_status st, stp_findings *findings)
{
    if (drop_path[0] == '\0' || st != STP_OK)
        return;
    if (stp_journal_remove(drop_path, findings) != STP_OK)
        return;
    stp_finding *f = stp_finding_add(findings, "journal.dropped", STP_SEV_INFO,
                                     "the bytes a failed write had saved in %s were all in the "
                                     "erased range; the journal is removed",
                                     drop_path);
    stp_finding_evidence(f, "journal", "%s", drop_path);
}
