/* state=FILE: flash, option bytes and erase counters outlive the process, so one tool can
 * read what another wrote. The file is locked (flock) while a board uses it. A file that
 * is not ours, was written for another part, is truncated or fails its checksum is refused
 * and left untouched, with a message that says which.
 *
 * Saving never leaves an unreadable file: the board is written to FILE.saving beside it and
 * renamed over FILE (a process killed during the save leaves the old file whole). The save
 * allocates nothing and uses only async-signal-safe calls, so a process stopped by
 * SIGINT/SIGTERM saves from its signal handler (sim_boards_save_on_signal) the flash as the
 * interrupted program left it, as a real chip would keep it.
 *
 * Layout (little endian): "STPSIMST" | u32 version | u16 dev_id | u16 0 | u32 flash bytes |
 * u32 option-byte bytes | u32 sector count | char part[32] | flash | option bytes |
 * u32 erase count per sector | u32 count of flash words with a bad ECC | that many (u32 address,
 * u32 1 when detected/0 corrected), the rest of SIM_MAX_ECC_WORDS zero | u64 FNV-1a of
 * everything before. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim_internal.h"

#define MAGIC      "STPSIMST"
#define VERSION    2u
#define ECC_BYTES  (4u + 8u * SIM_MAX_ECC_WORDS)
#define HDR        60u
#define TMP_SUFFIX ".saving"
#define LOCK_TRIES 8
#define MAX_BOARDS 8
#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME  0x100000001b3ull

/* Boards with a state file, for the signal-time save; slots are claimed atomically. */
static sim_board *g_boards[MAX_BOARDS];
/* The first save that failed in this process (errno and the file), for sim_state_error. */
static volatile sig_atomic_t g_fail_errno;
static char g_fail_path[SIM_PATH_MAX];

static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= FNV_PRIME;
    }
    return h;
}

static size_t file_size(const sim_board *b)
{
    return HDR + b->flash_size + b->ob_size + 4u * b->wear_count + ECC_BYTES + 8u;
}

static void put_header(const sim_board *b, uint8_t *h)
{
    memset(h, 0, HDR);
    memcpy(h, MAGIC, 8);
    sim_put_le32(h + 8, VERSION);
    h[12] = (uint8_t)b->part->dev_id;
    h[13] = (uint8_t)(b->part->dev_id >> 8);
    sim_put_le32(h + 16, b->flash_size);
    sim_put_le32(h + 20, b->ob_size);
    sim_put_le32(h + 24, (uint32_t)b->wear_count);
    /* snprintf is not async-signal-safe: copy by hand (the area is zeroed). */
    const char *name = b->part->name;
    for (size_t i = 0; i < 31 && name[i]; i++)
        h[28 + i] = (uint8_t)name[i];
}

static int refuse(sim_board *b, char *err, size_t errlen, const char *why)
{
    snprintf(err, errlen, "sim: state file %s refused: %s (it was left unchanged)",
             b->spec.state_path, why);
    close(b->state_fd);
    b->state_fd = -1;
    return -1;
}

static int read_all(int fd, uint8_t *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = pread(fd, buf + got, len - got, (off_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    return 0;
}

static const char *kind_of(mode_t m)
{
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a regular file";
}

/* The header says what the file is; checked before anything else is read, so a huge or
 * foreign file is refused after 60 bytes. */
static int check_header(sim_board *b, const uint8_t *h, size_t have, uint64_t size, char *err,
                        size_t errlen)
{
    char why[256];
    size_t want = file_size(b);
    if (memcmp(h, MAGIC, have < 8 ? have : 8) != 0)
        return refuse(b, err, errlen, "not a virtual-board state file");
    if (have < HDR) {
        snprintf(why, sizeof why,
                 "truncated: %llu bytes, shorter than its own header (a %s board's file has "
                 "%zu bytes)",
                 (unsigned long long)size, b->part->name, want);
        return refuse(b, err, errlen, why);
    }
    if (sim_le32(h + 8) != VERSION) {
        snprintf(why, sizeof why,
                 "written by another version of the virtual board (format %u, "
                 "this one reads %u)",
                 (unsigned)sim_le32(h + 8), VERSION);
        return refuse(b, err, errlen, why);
    }
    uint8_t mine[HDR];
    put_header(b, mine);
    unsigned dev = (unsigned)h[12] | (unsigned)h[13] << 8;
    if (memcmp(h + 28, mine + 28, 32) != 0 || dev != b->part->dev_id) {
        snprintf(why, sizeof why,
                 "it belongs to another part: a %.31s board (device 0x%03x), "
                 "not %s (device 0x%03x)",
                 (const char *)h + 28, dev, b->part->name, (unsigned)b->part->dev_id);
        return refuse(b, err, errlen, why);
    }
    if (memcmp(h + 12, mine + 12, 16) != 0) {
        snprintf(why, sizeof why,
                 "same part, other layout: %u bytes of flash, %u of option bytes, %u sectors "
                 "(this %s board: %u, %u, %zu)",
                 (unsigned)sim_le32(h + 16), (unsigned)sim_le32(h + 20), (unsigned)sim_le32(h + 24),
                 b->part->name, (unsigned)b->flash_size, (unsigned)b->ob_size, b->wear_count);
        return refuse(b, err, errlen, why);
    }
    if (size < want) {
        snprintf(why, sizeof why, "truncated: %llu of its %zu bytes", (unsigned long long)size,
                 want);
        return refuse(b, err, errlen, why);
    }
    if (size > want) {
        snprintf(why, sizeof why,
                 "%llu bytes where a %s board's file has %zu (data after its "
                 "end)",
                 (unsigned long long)size, b->part->name, want);
        return refuse(b, err, errlen, why);
    }
    return 0;
}

static int load(sim_board *b, uint64_t size, char *err, size_t errlen)
{
    uint8_t h[HDR];
    size_t have = size < HDR ? (size_t)size : HDR;
    if (read_all(b->state_fd, h, have))
        return refuse(b, err, errlen, "cannot read it");
    if (check_header(b, h, have, size, err, errlen))
        return -1;
    size_t n = file_size(b); /* == size: a few MiB at most */
    uint8_t *buf = malloc(n);
    if (!buf)
        return refuse(b, err, errlen, "out of memory");
    if (read_all(b->state_fd, buf, n)) {
        free(buf);
        return refuse(b, err, errlen, "cannot read it");
    }
    uint64_t sum = (uint64_t)sim_le32(buf + n - 8) | (uint64_t)sim_le32(buf + n - 4) << 32;
    int rc = 0;
    if (sum != fnv1a(FNV_OFFSET, buf, n - 8)) {
        rc = refuse(b, err, errlen, "checksum mismatch: its contents are corrupt");
    } else {
        const uint8_t *p = buf + HDR;
        memcpy(b->flash, p, b->flash_size);
        p += b->flash_size;
        memcpy(b->ob, p, b->ob_size);
        p += b->ob_size;
        for (size_t i = 0; i < b->wear_count; i++, p += 4)
            b->erase_counts[i] = sim_le32(p);
        uint32_t n_ecc = sim_le32(p);
        b->ecc_count = 0;
        for (uint32_t i = 0; i < n_ecc && i < SIM_MAX_ECC_WORDS; i++) {
            b->ecc[i].addr = sim_le32(p + 4 + 8 * i);
            b->ecc[i].dbl = sim_le32(p + 8 + 8 * i) != 0;
            b->ecc_count++;
        }
    }
    free(buf);
    return rc;
}

/* The file the board lives in: FILE itself, or what a symbolic link FILE points to (the
 * save renames over it, which would otherwise replace the link). */
static int resolve(sim_board *b, char *err, size_t errlen)
{
    const char *path = b->spec.state_path;
    struct stat sb;
    if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode)) {
        char *resolved = realpath(path, NULL);
        if (resolved == NULL) {
            snprintf(err, errlen, "sim: state file %s: cannot follow the link: %s", path,
                     strerror(errno));
            return -1;
        }
        snprintf(b->state_file, sizeof b->state_file, "%s", resolved);
        free(resolved);
    } else {
        snprintf(b->state_file, sizeof b->state_file, "%s", path);
    }
    if (strlen(b->state_file) + sizeof TMP_SUFFIX > sizeof b->state_tmp) {
        snprintf(err, errlen, "sim: state file %s: path too long", path);
        return -1;
    }
    snprintf(b->state_tmp, sizeof b->state_tmp, "%s" TMP_SUFFIX, b->state_file);
    if (stat(b->state_file, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        snprintf(err, errlen,
                 "sim: state file %s is %s: state= needs a regular file (or a new path), "
                 "where the board can be saved",
                 path, kind_of(sb.st_mode));
        return -1;
    }
    return 0;
}

/* Opens and locks FILE; the lock holds on the inode that FILE names (a save by another
 * process between our open and our lock replaced it: open again). */
static int open_locked(sim_board *b, char *err, size_t errlen)
{
    const char *path = b->spec.state_path;
    for (int tries = 0; tries < LOCK_TRIES; tries++) {
        int fd = open(b->state_file, O_RDONLY | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0644);
        if (fd < 0) {
            snprintf(err, errlen, "sim: cannot open state file %s: %s", path, strerror(errno));
            return -1;
        }
        if (flock(fd, LOCK_EX | LOCK_NB)) {
            snprintf(err, errlen, "sim: state file %s is in use by another process", path);
            close(fd);
            return -1;
        }
        struct stat mine, now;
        if (fstat(fd, &mine) == 0 && stat(b->state_file, &now) == 0 && mine.st_dev == now.st_dev &&
            mine.st_ino == now.st_ino) {
            b->state_fd = fd;
            b->state_mode = mine.st_mode & 07777;
            return 0;
        }
        close(fd);
    }
    snprintf(err, errlen, "sim: state file %s keeps being replaced by another process", path);
    return -1;
}

static void registry_add(sim_board *b)
{
    for (int i = 0; i < MAX_BOARDS; i++) {
        sim_board *none = NULL;
        if (__atomic_compare_exchange_n(&g_boards[i], &none, b, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST))
            return;
    }
}

static void registry_remove(sim_board *b)
{
    for (int i = 0; i < MAX_BOARDS; i++) {
        sim_board *mine = b;
        __atomic_compare_exchange_n(&g_boards[i], &mine, NULL, false, __ATOMIC_SEQ_CST,
                                    __ATOMIC_SEQ_CST);
    }
}

int sim_state_open(sim_board *b, char *err, size_t errlen)
{
    if (resolve(b, err, errlen) || open_locked(b, err, errlen))
        return -1;
    struct stat sb;
    if (fstat(b->state_fd, &sb))
        return refuse(b, err, errlen, "cannot stat it");
    if (!S_ISREG(sb.st_mode))
        return refuse(b, err, errlen, "not a regular file");
    /* Saves go through FILE.saving: the directory must take new files. A stale one from a
     * killed save is ours to replace (we hold the lock). */
    int probe = open(b->state_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (probe < 0) {
        char why[SIM_PATH_MAX + 64];
        snprintf(why, sizeof why, "cannot create %s to save into: %s", b->state_tmp,
                 strerror(errno));
        return refuse(b, err, errlen, why);
    }
    close(probe);
    unlink(b->state_tmp);
    int rc = 1; /* new board: saved on close */
    if (sb.st_size > 0)
        rc = load(b, (uint64_t)sb.st_size, err, errlen);
    if (rc >= 0)
        registry_add(b);
    return rc;
}

/* write(2) until done; false on error (errno set). */
static bool put(int fd, const void *data, size_t len, uint64_t *sum)
{
    const uint8_t *p = data;
    if (sum)
        *sum = fnv1a(*sum, p, len);
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static bool write_board(const sim_board *b, int fd)
{
    uint8_t h[HDR];
    put_header(b, h);
    uint64_t sum = FNV_OFFSET;
    if (!put(fd, h, HDR, &sum) || !put(fd, b->flash, b->flash_size, &sum) ||
        !put(fd, b->ob, b->ob_size, &sum))
        return false;
    uint8_t chunk[256];
    size_t used = 0;
    for (size_t i = 0; i < b->wear_count; i++) {
        sim_put_le32(chunk + used, b->erase_counts[i]);
        used += 4;
        if (used == sizeof chunk || i + 1 == b->wear_count) {
            if (!put(fd, chunk, used, &sum))
                return false;
            used = 0;
        }
    }
    sim_put_le32(chunk, (uint32_t)b->ecc_count);
    if (!put(fd, chunk, 4, &sum))
        return false;
    for (size_t i = 0; i < SIM_MAX_ECC_WORDS; i++) {
        bool on = i < b->ecc_count;
        sim_put_le32(chunk, on ? b->ecc[i].addr : 0);
        sim_put_le32(chunk + 4, on && b->ecc[i].dbl ? 1u : 0u);
        if (!put(fd, chunk, 8, &sum))
            return false;
    }
    sim_put_le32(chunk, (uint32_t)sum);
    sim_put_le32(chunk + 4, (uint32_t)(sum >> 32));
    return put(fd, chunk, 8, NULL);
}

static void note_failure(sim_board *b, int e)
{
    if (g_fail_errno != 0)
        return;
    size_t n = 0;
    for (; n + 1 < sizeof g_fail_path && b->spec.state_path[n]; n++)
        g_fail_path[n] = b->spec.state_path[n];
    g_fail_path[n] = '\0';
    g_fail_errno = e ? e : EIO;
}

/* Async-signal-safe: open, write, fchmod, flock, rename, close. */
static int save_now(sim_board *b)
{
    if (b->state_fd < 0)
        return -1;
    int fd = open(b->state_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        note_failure(b, errno);
        return -1;
    }
    bool ok = write_board(b, fd) && fchmod(fd, b->state_mode) == 0 &&
              flock(fd, LOCK_EX | LOCK_NB) == 0 && rename(b->state_tmp, b->state_file) == 0;
    if (!ok) {
        int e = errno;
        close(fd);
        unlink(b->state_tmp);
        note_failure(b, e);
        return -1;
    }
    close(b->state_fd); /* the old inode and its lock: FILE is the new one, locked */
    b->state_fd = fd;
    return 0;
}

int sim_state_save(sim_board *b)
{
    /* A signal handler that saves too must not find the board half-written by us. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int rc = save_now(b);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

void sim_state_close(sim_board *b)
{
    registry_remove(b);
    if (b->state_fd >= 0) {
        flock(b->state_fd, LOCK_UN);
        close(b->state_fd);
        b->state_fd = -1;
    }
}

int sim_boards_save_on_signal(void)
{
    int rc = 0;
    for (int i = 0; i < MAX_BOARDS; i++) {
        sim_board *b = __atomic_load_n(&g_boards[i], __ATOMIC_SEQ_CST);
        if (b == NULL || b->state_fd < 0)
            continue;
        /* Between two host requests the model is idle: an operation in flight stops as at
         * close. Inside one (the signal cut a model step) its structures may be mid-change:
         * the flash is saved as it is. */
        if (b->stats.model_cpu_depth == 0 && b->op.kind != SIM_OP_NONE) {
            b->frozen = true; /* no core callbacks from here: the process is ending */
            sim_flash_abort(b, b->now_ns);
        }
        if (save_now(b) != 0)
            rc = -1;
    }
    return rc;
}

bool sim_state_error(char *why, size_t len)
{
    int e = g_fail_errno;
    if (e == 0)
        return false;
    snprintf(why, len, "the virtual board's state file %s was not saved: %s", g_fail_path,
             strerror(e));
    return true;
}

const char *sim_board_state_file(const sim_board *b)
{
    return b->state_fd >= 0 ? b->state_file : NULL;
}
