/* Writing an output file so that a failure never leaves a partial one: the bytes go to a
 * temporary file next to it, which replaces the target only when everything was written
 * and closed. Paths that are not regular files (/dev/stdout, a FIFO) are written directly. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "formats/image_internal.h"

static int write_all(int fd, const uint8_t *data, size_t len, size_t *put)
{
    *put = 0;
    while (*put < len) {
        ssize_t n = write(fd, data + *put, len - *put);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? errno : EIO;
        *put += (size_t)n;
    }
    return 0;
}

static stp_status create_failed(stp_findings *findings, const char *path, int err)
{
    return stp_file_fail(findings, err == EACCES ? STP_ERR_PERMISSION : STP_ERR_IO,
                         "file.write-failed", path, STP_ORIGIN_NONE, 0, "cannot create: %s",
                         strerror(err));
}

static stp_status write_failed(stp_findings *findings, const char *path, size_t put, int err)
{
    return stp_file_fail(findings, STP_ERR_IO, "file.write-failed", path, STP_ORIGIN_OFFSET, put,
                         "write error: %s (the file was not written)", strerror(err));
}

/* Not a regular file (or a directory, reported by open): written in place. */
static stp_status write_direct(const char *path, const uint8_t *data, size_t len,
                               stp_findings *findings)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0)
        return create_failed(findings, path, errno);
    size_t put = 0;
    int err = write_all(fd, data, len, &put);
    if (close(fd) != 0 && err == 0)
        err = errno;
    return err != 0 ? write_failed(findings, path, put, err) : STP_OK;
}

/* The directory holding path, synced so that a rename in it survives a power cut. */
static int sync_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (slash == NULL)
        snprintf(dir, sizeof(dir), ".");
    else if (slash == path)
        snprintf(dir, sizeof(dir), "/");
    else
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return errno;
    int err = fsync(fd) != 0 ? errno : 0;
    close(fd);
    return err == EINVAL ? 0 : err; /* some file systems cannot sync a directory */
}

static stp_status write_replacing(const char *path, const uint8_t *data, size_t len, bool durable,
                                  stp_findings *findings)
{
    struct stat sb;
    bool exists = stat(path, &sb) == 0;
    if (exists && !S_ISREG(sb.st_mode))
        return write_direct(path, data, len, findings);
    size_t plen = strlen(path);
    char *tmp = stp_malloc(plen + 32);
    if (tmp == NULL)
        return STP_ERR_NOMEM;
    int fd = -1;
    for (unsigned i = 0; fd < 0 && i < 100; i++) {
        snprintf(tmp, plen + 32, "%s.tmp%ld-%u", path, (long)getpid(), i);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0666); /* the umask applies */
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        stp_status st = create_failed(findings, path, errno);
        stp_free(tmp);
        return st;
    }
    if (exists)
        (void)fchmod(fd, sb.st_mode & 07777); /* replacing a file keeps its permissions */
    size_t put = 0;
    int err = write_all(fd, data, len, &put);
    if (durable && err == 0 && fsync(fd) != 0)
        err = errno;
    if (close(fd) != 0 && err == 0)
        err = errno;
    if (err == 0 && rename(tmp, path) != 0)
        err = errno;
    if (durable && err == 0)
        err = sync_parent(path);
    stp_status st = STP_OK;
    if (err != 0) {
        unlink(tmp);
        st = write_failed(findings, path, put, err);
    }
    stp_free(tmp);
    return st;
}

stp_status stp_file_write_atomic(const char *path, const uint8_t *data, size_t len,
                                 stp_findings *findings)
{
    return write_replacing(path, data, len, false, findings);
}

stp_status stp_file_write_durable(const char *path, const uint8_t *data, size_t len,
                                  stp_findings *findings)
{
    return write_replacing(path, data, len, true, findings);
}
