/* state=FILE: flash, option bytes and erase counters outlive the process, so one tool can
 * read what another wrote. The file is locked (flock) while a board uses it. A file that
 * is not ours, was written for another part, or fails its checksum is refused and left
 * untouched.
 *
 * Layout (little endian): "STPSIMST" | u32 version | u16 dev_id | u16 0 | u32 flash bytes |
 * u32 option-byte bytes | u32 sector count | char part[32] | flash | option bytes |
 * u32 erase count per sector | u64 FNV-1a of everything before. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim_internal.h"

#define MAGIC   "STPSIMST"
#define VERSION 1u
#define HDR     60u

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static size_t file_size(const sim_board *b)
{
    return HDR + b->flash_size + b->ob_size + 4u * b->wear_count + 8u;
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
    snprintf((char *)h + 28, 32, "%s", b->part->name);
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

static int load(sim_board *b, size_t size, char *err, size_t errlen)
{
    uint8_t *buf = malloc(size);
    if (!buf)
        return refuse(b, err, errlen, "out of memory");
    if (read_all(b->state_fd, buf, size)) {
        free(buf);
        return refuse(b, err, errlen, "cannot read it");
    }
    uint8_t want[HDR];
    put_header(b, want);
    int rc = 0;
    char why[160];
    if (size < HDR + 8 || memcmp(buf, MAGIC, 8)) {
        rc = refuse(b, err, errlen, "not a virtual-board state file");
    } else if (sim_le32(buf + 8) != VERSION) {
        rc = refuse(b, err, errlen, "written by another version of the virtual board");
    } else if (memcmp(buf + 12, want + 12, HDR - 12) || size != file_size(b)) {
        snprintf(why, sizeof why, "it belongs to a %.31s board, not %s", (const char *)buf + 28,
                 b->part->name);
        rc = refuse(b, err, errlen, why);
    } else {
        uint64_t sum = (uint64_t)sim_le32(buf + size - 8) | (uint64_t)sim_le32(buf + size - 4)
                                                                << 32;
        if (sum != fnv1a(buf, size - 8)) {
            rc = refuse(b, err, errlen, "checksum mismatch (corrupt)");
        } else {
            const uint8_t *p = buf + HDR;
            memcpy(b->flash, p, b->flash_size);
            p += b->flash_size;
            memcpy(b->ob, p, b->ob_size);
            p += b->ob_size;
            for (size_t i = 0; i < b->wear_count; i++, p += 4)
                b->erase_counts[i] = sim_le32(p);
        }
    }
    free(buf);
    return rc;
}

int sim_state_open(sim_board *b, char *err, size_t errlen)
{
    const char *path = b->spec.state_path;
    b->state_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (b->state_fd < 0) {
        snprintf(err, errlen, "sim: cannot open state file %s: %s", path, strerror(errno));
        return -1;
    }
    if (flock(b->state_fd, LOCK_EX | LOCK_NB)) {
        snprintf(err, errlen, "sim: state file %s is in use by another process", path);
        close(b->state_fd);
        b->state_fd = -1;
        return -1;
    }
    struct stat sb;
    if (fstat(b->state_fd, &sb))
        return refuse(b, err, errlen, "cannot stat it");
    if (sb.st_size == 0)
        return 1; /* new board: saved on close */
    return load(b, (size_t)sb.st_size, err, errlen);
}

int sim_state_save(sim_board *b)
{
    if (b->state_fd < 0)
        return -1;
    size_t size = file_size(b);
    uint8_t *buf = malloc(size);
    if (!buf)
        return -1;
    put_header(b, buf);
    uint8_t *p = buf + HDR;
    memcpy(p, b->flash, b->flash_size);
    p += b->flash_size;
    memcpy(p, b->ob, b->ob_size);
    p += b->ob_size;
    for (size_t i = 0; i < b->wear_count; i++, p += 4)
        sim_put_le32(p, b->erase_counts[i]);
    uint64_t sum = fnv1a(buf, size - 8);
    sim_put_le32(p, (uint32_t)sum);
    sim_put_le32(p + 4, (uint32_t)(sum >> 32));
    size_t put = 0;
    int rc = 0;
    while (put < size) {
        ssize_t n = pwrite(b->state_fd, buf + put, size - put, (off_t)put);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = -1;
            break;
        }
        put += (size_t)n;
    }
    if (rc == 0 && ftruncate(b->state_fd, (off_t)size))
        rc = -1;
    free(buf);
    return rc;
}

void sim_state_close(sim_board *b)
{
    if (b->state_fd >= 0) {
        flock(b->state_fd, LOCK_UN);
        close(b->state_fd);
        b->state_fd = -1;
    }
}
