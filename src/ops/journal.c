/* The journal of kept bytes: the in-memory journal, its file format (see journal.h) and the
 * file's life (load, durable save, remove). */
#include "ops/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/dirs.h"
#include "formats/image_internal.h"
#include "stprog/image.h"
#include "target/target_internal.h"

#define MAGIC   "STPJRNL\n"
#define VERSION 1u

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

stp_journal *stp_journal_new(const stp_target *t, const char *operation)
{
    stp_journal *j = stp_calloc(1, sizeof(*j));
    if (j == NULL)
        return NULL;
    const stp_target_info *in = &t->info;
    j->uid_valid = in->uid_valid;
    memcpy(j->uid, in->uid, sizeof(j->uid));
    j->dev_id = in->dev_id;
    j->erased_byte = t->flash.drv->erased_byte;
    j->flash_kb = in->flash_kb;
    j->created = (int64_t)time(NULL);
    snprintf(j->chip, sizeof(j->chip), "%s", in->name != NULL ? in->name : "");
    snprintf(j->operation, sizeof(j->operation), "%s", operation != NULL ? operation : "");
    return j;
}

void stp_journal_free(stp_journal *j)
{
    if (j == NULL)
        return;
    for (size_t i = 0; i < j->count; i++)
        stp_free(j->sectors[i].data);
    stp_free(j->sectors);
    stp_free(j);
}

const stp_journal_sector *stp_journal_find(const stp_journal *j, uint32_t addr)
{
    for (size_t i = 0; j != NULL && i < j->count; i++)
        if (j->sectors[i].addr == addr)
            return &j->sectors[i];
    return NULL;
}

stp_status stp_journal_add(stp_journal *j, uint32_t addr, uint32_t size, uint16_t number,
                           uint8_t bank, const uint8_t *data)
{
    if (stp_journal_find(j, addr) != NULL)
        return STP_OK;
    if (size == 0 || stp_journal_bytes(j) + size > STP_JOURNAL_MAX_DATA ||
        j->count >= STP_JOURNAL_MAX_SECTORS)
        return STP_ERR_RANGE;
    if (j->count == j->cap) {
        size_t cap = j->cap ? 2 * j->cap : 8;
        stp_journal_sector *more = stp_realloc_array(j->sectors, cap, sizeof(*more));
        if (more == NULL)
            return STP_ERR_NOMEM;
        j->sectors = more;
        j->cap = cap;
    }
    uint8_t *copy = stp_malloc(size);
    if (copy == NULL)
        return STP_ERR_NOMEM;
    memcpy(copy, data, size);
    size_t at = j->count;
    while (at > 0 && j->sectors[at - 1].addr > addr)
        at--;
    memmove(&j->sectors[at + 1], &j->sectors[at], (j->count - at) * sizeof(*j->sectors));
    j->sectors[at] = (stp_journal_sector){addr, size, number, bank, copy};
    j->count++;
    return STP_OK;
}

void stp_journal_drop(stp_journal *j, uint32_t addr, uint64_t len)
{
    size_t k = 0;
    uint64_t end = (uint64_t)addr + (len > 0x100000000ull ? 0x100000000ull : len);
    for (size_t i = 0; i < j->count; i++) {
        const stp_journal_sector *s = &j->sectors[i];
        if (s->addr >= addr && (uint64_t)s->addr + s->size <= end) {
            stp_free(s->data);
            continue;
        }
        j->sectors[k++] = *s;
    }
    j->count = k;
}

uint64_t stp_journal_bytes(const stp_journal *j)
{
    uint64_t n = 0;
    for (size_t i = 0; j != NULL && i < j->count; i++)
        n += j->sectors[i].size;
    return n;
}

stp_status stp_journal_encode(const stp_journal *j, uint8_t **out, size_t *len)
{
    uint64_t data = stp_journal_bytes(j);
    size_t total = STP_JOURNAL_HDR + j->count * STP_JOURNAL_SECTOR_HDR + (size_t)data + 4;
    uint8_t *b = stp_calloc(1, total);
    if (b == NULL)
        return STP_ERR_NOMEM;
    memcpy(b, MAGIC, 8);
    put32(b + 8, VERSION);
    put32(b + 12, STP_JOURNAL_HDR);
    memcpy(b + 16, j->uid, 12);
    put16(b + 28, j->dev_id);
    b[30] = j->uid_valid ? 1 : 0;
    b[31] = j->erased_byte;
    put32(b + 32, j->flash_kb);
    put32(b + 36, (uint32_t)j->count);
    put64(b + 40, data);
    put64(b + 48, (uint64_t)j->created);
    memcpy(b + 56, j->chip, sizeof(j->chip) - 1);
    memcpy(b + 88, j->operation, sizeof(j->operation) - 1);
    uint8_t *p = b + STP_JOURNAL_HDR;
    for (size_t i = 0; i < j->count; i++, p += STP_JOURNAL_SECTOR_HDR) {
        put32(p, j->sectors[i].addr);
        put32(p + 4, j->sectors[i].size);
        put16(p + 8, j->sectors[i].number);
        p[10] = j->sectors[i].bank;
    }
    for (size_t i = 0; i < j->count; i++) {
        memcpy(p, j->sectors[i].data, j->sectors[i].size);
        p += j->sectors[i].size;
    }
    put32(p, stp_crc32(0, b, total - 4));
    *out = b;
    *len = total;
    return STP_OK;
}

static stp_status bad(char *why, size_t cap, const char *text)
{
    snprintf(why, cap, "%s", text);
    return STP_ERR_FORMAT;
}

/* Copies a fixed-size text field, always terminated. */
static void get_text(char *dst, size_t cap, const uint8_t *src)
{
    memcpy(dst, src, cap - 1);
    dst[cap - 1] = '\0';
}

stp_status stp_journal_decode(const uint8_t *buf, size_t len, stp_journal **out, char *why,
                              size_t why_cap)
{
    *out = NULL;
    if (len < STP_JOURNAL_HDR + 4 || memcmp(buf, MAGIC, 8) != 0)
        return bad(why, why_cap, "not a stprog journal (no STPJRNL header)");
    if (get32(buf + 8) != VERSION || get32(buf + 12) != STP_JOURNAL_HDR)
        return bad(why, why_cap, "a journal version this stprog does not read");
    uint32_t count = get32(buf + 36);
    uint64_t data = get64(buf + 40);
    if (count > STP_JOURNAL_MAX_SECTORS || data > STP_JOURNAL_MAX_DATA)
        return bad(why, why_cap, "implausible sector count or size in the header");
    uint64_t want = STP_JOURNAL_HDR + (uint64_t)count * STP_JOURNAL_SECTOR_HDR + data + 4;
    if (want != len)
        return bad(why, why_cap,
                   len < want ? "truncated (shorter than its header says)"
                              : "longer than its header says");
    if (stp_crc32(0, buf, len - 4) != get32(buf + len - 4))
        return bad(why, why_cap, "checksum mismatch (the file was changed or damaged)");
    stp_journal *j = stp_calloc(1, sizeof(*j));
    if (j == NULL)
        return STP_ERR_NOMEM;
    memcpy(j->uid, buf + 16, 12);
    j->dev_id = get16(buf + 28);
    j->uid_valid = (buf[30] & 1) != 0;
    j->erased_byte = buf[31];
    j->flash_kb = get32(buf + 32);
    j->created = (int64_t)get64(buf + 48);
    get_text(j->chip, sizeof(j->chip), buf + 56);
    get_text(j->operation, sizeof(j->operation), buf + 88);
    const uint8_t *hdr = buf + STP_JOURNAL_HDR;
    const uint8_t *p = hdr + (size_t)count * STP_JOURNAL_SECTOR_HDR;
    uint64_t sum = 0, end = 0;
    stp_status st = STP_OK;
    for (uint32_t i = 0; st == STP_OK && i < count; i++, hdr += STP_JOURNAL_SECTOR_HDR) {
        uint32_t addr = get32(hdr), size = get32(hdr + 4);
        sum += size;
        if (size == 0 || sum > data || (i > 0 && addr < end) ||
            (uint64_t)addr + size > 0x100000000ull || hdr[11] != 0 || get32(hdr + 12) != 0) {
            st = bad(why, why_cap, "its sector table is inconsistent");
            break;
        }
        end = (uint64_t)addr + size;
        st = stp_journal_add(j, addr, size, get16(hdr + 8), hdr[10], p);
        p += size;
    }
    if (st == STP_OK && sum != data)
        st = bad(why, why_cap, "its sector table is inconsistent");
    if (st != STP_OK) {
        stp_journal_free(j);
        return st;
    }
    *out = j;
    return STP_OK;
}

static stp_finding *corrupt(stp_findings *findings, const char *path, const char *why)
{
    stp_finding *f =
        stp_finding_add(findings, "journal.corrupt", STP_SEV_ERROR,
                        "the journal %s cannot be used: %s; it was not applied", path, why);
    stp_finding_evidence(f, "journal", "%s", path);
    stp_finding_evidence(f, "problem", "%s", why);
    stp_finding_advice(f,
                       "nothing was erased or written. If you do not need the bytes it held "
                       "(or restored them yourself), `stprog recover --discard %s` deletes "
                       "it; otherwise keep a copy and restore the bytes from a backup",
                       path);
    return f;
}

stp_status stp_journal_load(const char *path, stp_journal **out, stp_findings *findings)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_NOFOLLOW);
    if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
        return STP_OK; /* no journal (or not even its directory) */
    char why[160];
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        snprintf(why, sizeof(why), "cannot read it: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        corrupt(findings, path, why);
        return STP_ERR_IO;
    }
    uint64_t most = STP_JOURNAL_HDR + (uint64_t)STP_JOURNAL_MAX_SECTORS * STP_JOURNAL_SECTOR_HDR +
                    STP_JOURNAL_MAX_DATA + 4;
    if (!S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > most) {
        close(fd);
        corrupt(findings, path, !S_ISREG(sb.st_mode) ? "not a regular file" : "far too large");
        return STP_ERR_FORMAT;
    }
    size_t len = (size_t)sb.st_size;
    uint8_t *buf = stp_malloc(len ? len : 1);
    if (buf == NULL) {
        close(fd);
        return STP_ERR_NOMEM;
    }
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    stp_status st = stp_journal_decode(buf, got, out, why, sizeof(why));
    stp_free(buf);
    if (st == STP_ERR_FORMAT)
        corrupt(findings, path, why);
    return st;
}

stp_status stp_journal_save(const stp_journal *j, const char *path, stp_findings *findings)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    stp_status st = stp_journal_encode(j, &buf, &len);
    if (st != STP_OK)
        return st;
    int err = stp_make_parent_dirs(path);
    stp_findings scratch = {0};
    if (err == 0)
        st = stp_file_write_durable(path, buf, len, &scratch);
    stp_free(buf);
    if (err != 0 || st != STP_OK) {
        const stp_finding *why = stp_findings_find(&scratch, "file.write-failed");
        stp_finding *f = stp_finding_add(
            findings, "journal.write-failed", STP_SEV_ERROR,
            "cannot save the %llu bytes this %s keeps in %s (%s): nothing was erased",
            (unsigned long long)stp_journal_bytes(j), j->operation, path,
            err != 0      ? strerror(err)
            : why != NULL ? why->message
                          : "write error");
        stp_finding_evidence(f, "journal", "%s", path);
        stp_finding_evidence(f, "bytes", "%llu", (unsigned long long)stp_journal_bytes(j));
        stp_finding_advice(f, "free space there, or name a writable directory with --journal "
                              "DIR: the bytes of partly rewritten sectors are saved before "
                              "they are erased, so that a failed write cannot lose them");
        st = err != 0 ? STP_ERR_IO : st;
    }
    stp_findings_free(&scratch);
    return st;
}

stp_status stp_journal_remove(const char *path, stp_findings *findings)
{
    if (unlink(path) == 0 || errno == ENOENT)
        return STP_OK;
    stp_finding *f = stp_finding_add(findings, "journal.remove-failed", STP_SEV_WARNING,
                                     "the write succeeded but its journal %s could not be "
                                     "removed: %s",
                                     path, strerror(errno));
    stp_finding_evidence(f, "journal", "%s", path);
    stp_finding_advice(f,
                       "delete it (`stprog recover --discard %s`): applied again later it "
                       "would put back bytes this write replaced",
                       path);
    return STP_ERR_IO;
}

void stp_journal_sector_list(const stp_journal *j, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < j->count && len < cap; i++) {
        unsigned n = j->sectors[i].number;
        bool starts = i == 0 || j->sectors[i - 1].number + 1u != n;
        bool ends = i + 1 == j->count || j->sectors[i + 1].number != n + 1u;
        int w = 0;
        if (starts)
            w = snprintf(buf + len, cap - len, "%s%u", i ? ", " : "", n);
        if (ends && !starts)
            w = snprintf(buf + len, cap - len, "-%u", n);
        if (w > 0)
            len += (size_t)w;
    }
}

void stp_journal_summarize(const stp_journal *j, const char *path, stp_journal_summary *out)
{
    memset(out, 0, sizeof(*out));
    if (path != NULL)
        snprintf(out->path, sizeof(out->path), "%s", path);
    if (j == NULL)
        return;
    snprintf(out->chip, sizeof(out->chip), "%s", j->chip);
    snprintf(out->operation, sizeof(out->operation), "%s", j->operation);
    out->dev_id = j->dev_id;
    out->uid_valid = j->uid_valid;
    memcpy(out->uid, j->uid, sizeof(out->uid));
    out->created = j->created;
    out->sector_count = j->count;
    stp_journal_sector_list(j, out->sectors, sizeof(out->sectors));
    out->bytes = stp_journal_bytes(j);
    if (j->count > 0) {
        out->first_addr = j->sectors[0].addr;
        out->end_addr = j->sectors[j->count - 1].addr + j->sectors[j->count - 1].size;
    }
}

static void uid_text(const uint8_t *uid, bool valid, char *buf, size_t cap)
{
    if (!valid) {
        snprintf(buf, cap, "no-uid");
        return;
    }
    size_t n = 0;
    for (int i = 11; i >= 0 && n + 2 < cap; i--) /* as the manuals print it: word 2 first */
        n += (size_t)snprintf(buf + n, cap - n, "%02X", uid[i]);
}

stp_status stp_journal_path_for(const char *dir, const stp_target *t, char *buf, size_t cap)
{
    if (dir == NULL || dir[0] == '\0' || t == NULL)
        return STP_ERR_INVALID_ARG;
    char uid[32];
    uid_text(t->info.uid, t->info.uid_valid, uid, sizeof(uid));
    size_t dl = strlen(dir);
    int n = snprintf(buf, cap, "%s%sdev%03X-%s.journal", dir, dl && dir[dl - 1] == '/' ? "" : "/",
                     (unsigned)t->info.dev_id, uid);
    return n < 0 || (size_t)n >= cap ? STP_ERR_RANGE : STP_OK;
}

stp_status stp_journal_check_chip(const stp_journal *j, const char *path, const stp_target *t,
                                  bool allow_no_uid, stp_findings *findings)
{
    const stp_target_info *in = &t->info;
    bool same = j->dev_id == in->dev_id;
    if (same && j->uid_valid && in->uid_valid)
        same = memcmp(j->uid, in->uid, sizeof(j->uid)) == 0;
    else if (same)
        same = allow_no_uid && !j->uid_valid && !in->uid_valid;
    if (same)
        return STP_OK;
    char mine[32], theirs[32];
    uid_text(in->uid, in->uid_valid, mine, sizeof(mine));
    uid_text(j->uid, j->uid_valid, theirs, sizeof(theirs));
    bool unverified = j->dev_id == in->dev_id && (!j->uid_valid || !in->uid_valid);
    stp_finding *f = stp_finding_add(
        findings, "journal.other-chip", STP_SEV_ERROR,
        unverified ? "the journal %s cannot be matched to this chip (no unique ID to compare); "
                     "it was not applied"
                   : "the journal %s was taken from another chip; it was not applied",
        path);
    stp_finding_evidence(f, "journal", "%s", path);
    stp_finding_evidence(f, "journal_chip", "%s dev 0x%03X uid %s", j->chip, (unsigned)j->dev_id,
                         theirs);
    stp_finding_evidence(f, "this_chip", "%s dev 0x%03X uid %s", in->name ? in->name : "?",
                         (unsigned)in->dev_id, mine);
    if (unverified)
        stp_finding_advice(f,
                           "if this is the board the journal was written for, `stprog "
                           "recover %s` applies it; `stprog recover --discard %s` deletes it",
                           path, path);
    else
        stp_finding_advice(f,
                           "connect the chip it belongs to and run `stprog recover %s`, or "
                           "delete it with `stprog recover --discard %s`; nothing was "
                           "erased or written",
                           path, path);
    return STP_ERR_STATE;
}

stp_status stp_journal_open_for(const stp_target *t, const stp_env *env, stp_journal **out,
                                char *path, size_t path_cap, stp_findings *findings)
{
    *out = NULL;
    if (path_cap > 0)
        path[0] = '\0';
    if (env == NULL || env->journal_dir == NULL || env->journal_dir[0] == '\0')
        return STP_OK;
    stp_status st = stp_journal_path_for(env->journal_dir, t, path, path_cap);
    if (st != STP_OK)
        return st;
    st = stp_journal_load(path, out, findings);
    if (st == STP_ERR_FORMAT)
        st = STP_ERR_STATE; /* not the user's input: the chip has a journal that is unusable */
    if (st == STP_OK && *out != NULL) {
        st = stp_journal_check_chip(*out, path, t, false, findings);
        if (st != STP_OK) {
            stp_journal_free(*out);
            *out = NULL;
        }
    }
    return st;
}
