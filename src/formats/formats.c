/* Format detection (content first, then the name's extension), parsing dispatch and the file
 * level load/save entry points. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "formats/image_priv.h"

typedef struct ext_row {
    const char *ext;
    stp_format fmt;
} ext_row;

static const ext_row ext_table[] = {
    {".bin", STP_FORMAT_BIN},   {".raw", STP_FORMAT_BIN},  {".hex", STP_FORMAT_IHEX},
    {".ihex", STP_FORMAT_IHEX}, {".ihx", STP_FORMAT_IHEX}, {".h86", STP_FORMAT_IHEX},
    {".srec", STP_FORMAT_SREC}, {".s19", STP_FORMAT_SREC}, {".s28", STP_FORMAT_SREC},
    {".s37", STP_FORMAT_SREC},  {".mot", STP_FORMAT_SREC}, {".mhx", STP_FORMAT_SREC},
    {".elf", STP_FORMAT_ELF},   {".axf", STP_FORMAT_ELF},  {".out", STP_FORMAT_ELF},
};

stp_format stp_format_from_extension(const char *name)
{
    if (name == NULL)
        return STP_FORMAT_AUTO;
    const char *slash = strrchr(name, '/');
    const char *dot = strrchr(slash != NULL ? slash : name, '.');
    if (dot == NULL)
        return STP_FORMAT_AUTO;
    for (size_t i = 0; i < sizeof(ext_table) / sizeof(ext_table[0]); i++) {
        if (strcasecmp(dot, ext_table[i].ext) == 0)
            return ext_table[i].fmt;
    }
    return STP_FORMAT_AUTO;
}

stp_format stp_format_detect(const uint8_t *data, size_t len, const char *name)
{
    if (data != NULL && len >= 4 &&
        memcmp(data,
               "\x7F"
               "ELF",
               4) == 0)
        return STP_FORMAT_ELF;
    if (data != NULL && stp_ihex_sniff(data, len))
        return STP_FORMAT_IHEX;
    if (data != NULL && stp_srec_sniff(data, len))
        return STP_FORMAT_SREC;
    stp_format by_name = stp_format_from_extension(name);
    return by_name != STP_FORMAT_AUTO ? by_name : STP_FORMAT_BIN;
}

const char *stp_format_name(stp_format fmt)
{
    switch (fmt) {
    case STP_FORMAT_AUTO:
        return "auto";
    case STP_FORMAT_BIN:
        return "binary";
    case STP_FORMAT_IHEX:
        return "ihex";
    case STP_FORMAT_SREC:
        return "srec";
    case STP_FORMAT_ELF:
        return "elf";
    }
    return "unknown";
}

stp_status stp_image_parse_into(stp_image *img, const uint8_t *data, size_t len, const char *name,
                                stp_format fmt, uint32_t bin_base, stp_findings *findings)
{
    if (img == NULL || (data == NULL && len > 0))
        return STP_ERR_INVALID_ARG;
    static const uint8_t nothing[1] = {0};
    if (data == NULL)
        data = nothing;
    /* A UTF-8 byte order mark, as Windows editors save text: skipped when text records
     * follow it (a binary that happens to start with those bytes stays a binary). */
    if (len > 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 &&
        (fmt == STP_FORMAT_AUTO || fmt == STP_FORMAT_IHEX || fmt == STP_FORMAT_SREC) &&
        (stp_ihex_sniff(data + 3, len - 3) || stp_srec_sniff(data + 3, len - 3))) {
        data += 3;
        len -= 3;
    }
    if (fmt == STP_FORMAT_AUTO)
        fmt = stp_format_detect(data, len, name);
    if (len == 0)
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.empty", name, STP_ORIGIN_NONE, 0,
                             "empty file: nothing to program");
    stp_status st = STP_ERR_INVALID_ARG;
    switch (fmt) {
    case STP_FORMAT_BIN:
        st = stp_bin_parse(img, data, len, name, bin_base, findings);
        break;
    case STP_FORMAT_IHEX:
        st = stp_ihex_parse(img, data, len, name, findings);
        break;
    case STP_FORMAT_SREC:
        st = stp_srec_parse(img, data, len, name, findings);
        break;
    case STP_FORMAT_ELF:
        st = stp_elf_parse(img, data, len, name, findings);
        break;
    case STP_FORMAT_AUTO:
        break;
    }
    if (st == STP_OK) {
        st = stp_image_settle(img, findings);
        if (st == STP_OK)
            img->source_format = fmt;
        return st;
    }
    stp_image_settle_discard(img);
    return st;
}

stp_status stp_image_parse(const uint8_t *data, size_t len, const char *name, stp_format fmt,
                           uint32_t bin_base, stp_image **out, stp_findings *findings)
{
    if (out == NULL)
        return STP_ERR_INVALID_ARG;
    *out = NULL;
    stp_image *img = NULL;
    stp_status st = stp_image_create(&img);
    if (st != STP_OK)
        return st;
    st = stp_image_parse_into(img, data, len, name, fmt, bin_base, findings);
    if (st != STP_OK) {
        stp_image_destroy(img);
        return st;
    }
    *out = img;
    return STP_OK;
}

#define HEAD_BYTES (64u * 1024u) /* read first to tell the format */

/* The format the content (or name) says, looking past a UTF-8 byte order mark as
 * stp_image_parse_into does. */
static stp_format detect_head(const uint8_t *head, size_t n, const char *name, stp_format fmt)
{
    if (fmt != STP_FORMAT_AUTO)
        return fmt;
    if (n > 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0 &&
        (stp_ihex_sniff(head + 3, n - 3) || stp_srec_sniff(head + 3, n - 3)))
        return stp_format_detect(head + 3, n - 3, name);
    return stp_format_detect(head, n, name);
}

/* How many file bytes a format may take for the image's limit (0: no limit). */
static uint64_t file_cap(const stp_image *img, stp_format fmt)
{
    uint64_t max = stp_image_max_bytes(img);
    if (max == 0)
        return 0;
    switch (fmt) {
    case STP_FORMAT_BIN:
        return max;
    case STP_FORMAT_ELF:
        return UINT64_MAX; /* read segment by segment: the image limit applies */
    default:
        return max > UINT64_MAX / STP_TEXT_BYTES_PER_BYTE ? UINT64_MAX
                                                          : max * STP_TEXT_BYTES_PER_BYTE;
    }
}

static stp_status too_large(const stp_image *img, const char *path, stp_format fmt, uint64_t size,
                            uint64_t cap, bool stream, stp_findings *findings)
{
    const char *kind = fmt == STP_FORMAT_BIN    ? "a raw binary"
                       : fmt == STP_FORMAT_IHEX ? "Intel HEX text"
                       : fmt == STP_FORMAT_SREC ? "S-record text"
                                                : "an ELF file";
    stp_finding *f =
        stream ? stp_file_error(findings, "file.too-large", path, STP_ORIGIN_NONE, 0,
                                "gives more than %llu bytes (%s; refused after reading that "
                                "much): more than %s can take",
                                (unsigned long long)cap, kind, stp_image_max_what(img))
               : stp_file_error(findings, "file.too-large", path, STP_ORIGIN_NONE, 0,
                                "%llu bytes of %s: more than %s can take (refused unread)",
                                (unsigned long long)size, kind, stp_image_max_what(img));
    stp_finding_evidence(f, "file_bytes", "%llu", (unsigned long long)size);
    stp_finding_evidence(f, "limit_bytes", "%llu", (unsigned long long)cap);
    stp_finding_advice(f, "%s", STP_TOO_LARGE_INPUT_ADVICE);
    return STP_ERR_RANGE;
}

static stp_status read_fail(const char *path, uint64_t at, stp_findings *findings)
{
    return stp_file_fail(findings, STP_ERR_IO, "file.read-failed", path, STP_ORIGIN_OFFSET, at,
                         "read error: %s", strerror(errno));
}

/* Reads up to cap bytes of fd from its current position into buf (grown as needed).
 * *more is set when the input had more than cap bytes. */
static stp_status read_capped(int fd, const char *path, uint8_t **buf, size_t *len, size_t *capb,
                              uint64_t cap, bool *more, stp_findings *findings)
{
    *more = false;
    for (;;) {
        if (*len == *capb) {
            if ((uint64_t)*len > cap) {
                *more = true;
                return STP_OK;
            }
            size_t ncap = *capb ? *capb * 2 : HEAD_BYTES;
            if ((uint64_t)ncap > cap + 1)
                ncap = (size_t)(cap + 1) > *len ? (size_t)(cap + 1) : *len + 1;
            uint8_t *p = stp_realloc(*buf, ncap);
            if (p == NULL)
                return stp_file_fail(findings, STP_ERR_NOMEM, "file.read-failed", path,
                                     STP_ORIGIN_OFFSET, *len,
                                     "out of memory after %zu bytes of input", *len);
            *buf = p;
            *capb = ncap;
        }
        ssize_t got = read(fd, *buf + *len, *capb - *len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return read_fail(path, *len, findings);
        if (got == 0)
            return STP_OK;
        *len += (size_t)got;
        if ((uint64_t)*len > cap) {
            *more = true;
            return STP_OK;
        }
    }
}

/* A pipe, a character device or standard input: read with the cap of the format its first
 * bytes show, so /dev/zero or an endless pipe ends in file.too-large, not out of memory. */
static stp_status load_stream(stp_image *img, int fd, const char *path, stp_format fmt,
                              uint32_t bin_base, stp_findings *findings)
{
    uint8_t *buf = NULL;
    size_t len = 0, capb = 0;
    bool more = false;
    uint64_t head_cap = file_cap(img, STP_FORMAT_BIN);
    if (head_cap == 0 || head_cap > HEAD_BYTES)
        head_cap = HEAD_BYTES;
    stp_status st = read_capped(fd, path, &buf, &len, &capb, head_cap, &more, findings);
    uint64_t cap = 0;
    if (st == STP_OK) {
        stp_format f = detect_head(buf, len, path, fmt);
        cap = file_cap(img, f);
        if (cap == UINT64_MAX) /* ELF from a pipe: read whole, as text is */
            cap = file_cap(img, STP_FORMAT_IHEX);
        if (cap == 0)
            cap = SIZE_MAX - 1;
        if (more && (uint64_t)len <= cap)
            st = read_capped(fd, path, &buf, &len, &capb, cap, &more, findings);
        if (st == STP_OK && more)
            st = too_large(img, path, f, len, cap, true, findings);
    }
    if (st == STP_OK)
        st = stp_image_parse_into(img, buf, len, path, fmt, bin_base, findings);
    stp_free(buf);
    return st;
}

/* A regular file: its size is checked against the format's cap before it is read; an ELF
 * is read piece by piece. */
static stp_status load_regular(stp_image *img, int fd, uint64_t size, const char *path,
                               stp_format fmt, uint32_t bin_base, stp_findings *findings)
{
    uint8_t head[HEAD_BYTES];
    size_t n = size < sizeof(head) ? (size_t)size : sizeof(head), got = 0;
    while (got < n) {
        ssize_t r = pread(fd, head + got, n - got, (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return read_fail(path, got, findings);
        if (r == 0)
            break;
        got += (size_t)r;
    }
    stp_format f = detect_head(head, got, path, fmt);
    if (f == STP_FORMAT_ELF && size > 0) {
        stp_status st = stp_elf_parse_fd(img, fd, size, path, findings);
        if (st == STP_OK) {
            st = stp_image_settle(img, findings);
            if (st == STP_OK)
                img->source_format = STP_FORMAT_ELF;
        } else {
            stp_image_settle_discard(img);
        }
        return st;
    }
    uint64_t cap = file_cap(img, f);
    if (cap != 0 && size > cap)
        return too_large(img, path, f, size, cap, false, findings);
    if (size >= SIZE_MAX)
        return too_large(img, path, f, size, SIZE_MAX - 1, false, findings);
    uint8_t *buf = stp_malloc(size > 0 ? (size_t)size : 1);
    if (buf == NULL)
        return stp_file_fail(findings, STP_ERR_NOMEM, "file.read-failed", path, STP_ORIGIN_NONE, 0,
                             "out of memory for its %llu bytes", (unsigned long long)size);
    size_t len = 0;
    stp_status st = STP_OK;
    while (len < size) {
        ssize_t r = pread(fd, buf + len, (size_t)size - len, (off_t)len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            st = read_fail(path, len, findings);
            break;
        }
        if (r == 0)
            break; /* it got shorter meanwhile: parse what there is */
        len += (size_t)r;
    }
    if (st == STP_OK)
        st = stp_image_parse_into(img, buf, len, path, fmt, bin_base, findings);
    stp_free(buf);
    return st;
}

stp_status stp_image_load_file_into(stp_image *img, const char *path, stp_format fmt,
                                    uint32_t bin_base, stp_findings *findings)
{
    if (img == NULL || path == NULL)
        return STP_ERR_INVALID_ARG;
    bool is_stdin = strcmp(path, "-") == 0; /* "-": standard input, as a pipe */
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return stp_file_fail(findings, errno == EACCES ? STP_ERR_PERMISSION : STP_ERR_IO,
                             "file.open-failed", path, STP_ORIGIN_NONE, 0, "cannot open: %s",
                             strerror(errno));
    struct stat sb;
    stp_status st;
    if (fstat(fd, &sb) != 0)
        st = read_fail(path, 0, findings);
    else if (S_ISDIR(sb.st_mode))
        st = stp_file_fail(findings, STP_ERR_IO, "file.read-failed", path, STP_ORIGIN_NONE, 0,
                           "is a directory");
    else if (S_ISREG(sb.st_mode) && !is_stdin)
        st = load_regular(img, fd, (uint64_t)sb.st_size, path, fmt, bin_base, findings);
    else
        st = load_stream(img, fd, path, fmt, bin_base, findings);
    if (!is_stdin)
        close(fd);
    return st;
}

stp_status stp_image_load_file(const char *path, stp_format fmt, uint32_t bin_base, stp_image **out,
                               stp_findings *findings)
{
    if (out == NULL || path == NULL)
        return STP_ERR_INVALID_ARG;
    *out = NULL;
    stp_image *img = NULL;
    stp_status st = stp_image_create(&img);
    if (st != STP_OK)
        return st;
    stp_image_set_max_bytes(img, STP_IMAGE_DEFAULT_MAX_BYTES, "the image limit");
    st = stp_image_load_file_into(img, path, fmt, bin_base, findings);
    if (st != STP_OK) {
        stp_image_destroy(img);
        return st;
    }
    *out = img;
    return STP_OK;
}

stp_status stp_image_serialize(const stp_image *img, stp_format fmt, uint8_t **out, size_t *len,
                               stp_findings *findings)
{
    if (img == NULL || out == NULL || len == NULL)
        return STP_ERR_INVALID_ARG;
    *out = NULL;
    *len = 0;
    stp_buf b = {NULL, 0, 0, false};
    stp_status st;
    switch (fmt) {
    case STP_FORMAT_BIN:
        st = stp_bin_write(img, &b, findings);
        break;
    case STP_FORMAT_IHEX:
        st = stp_ihex_write(img, &b, findings);
        break;
    case STP_FORMAT_SREC:
        st = stp_srec_write(img, &b, findings);
        break;
    default: {
        stp_finding *f = stp_finding_add(findings, "file.unknown-format", STP_SEV_ERROR,
                                         "cannot write %s files", stp_format_name(fmt));
        stp_finding_advice(f, "Write .bin, .hex or .srec.");
        return STP_ERR_UNSUPPORTED;
    }
    }
    if (st == STP_OK && b.failed)
        st = STP_ERR_NOMEM;
    if (st != STP_OK) {
        stp_buf_free(&b);
        return st;
    }
    *out = b.data;
    *len = b.len;
    return STP_OK;
}

void stp_image_buffer_free(void *buf)
{
    stp_free(buf);
}

stp_status stp_image_save_file(const stp_image *img, const char *path, stp_format fmt,
                               stp_findings *findings)
{
    if (img == NULL || path == NULL)
        return STP_ERR_INVALID_ARG;
    if (fmt == STP_FORMAT_AUTO)
        fmt = stp_format_from_extension(path);
    if (fmt == STP_FORMAT_AUTO || fmt == STP_FORMAT_ELF) {
        stp_finding *f = stp_finding_add(findings, "file.unknown-format", STP_SEV_ERROR,
                                         "%s: cannot tell the output format from the name", path);
        if (fmt == STP_FORMAT_ELF && f != NULL)
            snprintf(f->message, sizeof(f->message), "%s: stprog does not write ELF files", path);
        stp_finding_evidence(f, "file", "%s", path);
        stp_finding_advice(f, "Name the output .bin, .hex or .srec.");
        return STP_ERR_INVALID_ARG;
    }
    uint8_t *data = NULL;
    size_t len = 0;
    stp_status st = stp_image_serialize(img, fmt, &data, &len, findings);
    if (st != STP_OK)
        return st;
    st = stp_file_write_atomic(path, data, len, findings);
    stp_free(data);
    return st;
}
