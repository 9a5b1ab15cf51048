/* Format detection (content first, then the name's extension), parsing dispatch and the file
 * level load/save entry points. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

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

/* Reads a whole file (regular file or pipe) into a new buffer. */
static stp_status read_all(const char *path, uint8_t **out, size_t *len, stp_findings *findings)
{
    *out = NULL;
    *len = 0;
    bool is_stdin = strcmp(path, "-") == 0; /* "-": standard input, as a pipe */
    FILE *fp = is_stdin ? stdin : fopen(path, "rb");
    if (fp == NULL)
        return stp_file_fail(findings, errno == EACCES ? STP_ERR_PERMISSION : STP_ERR_IO,
                             "file.open-failed", path, STP_ORIGIN_NONE, 0, "cannot open: %s",
                             strerror(errno));
    struct stat sb;
    size_t cap = 1 << 16;
    if (fstat(fileno(fp), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        if (!is_stdin)
            fclose(fp);
        return stp_file_fail(findings, STP_ERR_IO, "file.read-failed", path, STP_ORIGIN_NONE, 0,
                             "is a directory");
    }
    if (fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
        (uint64_t)sb.st_size < SIZE_MAX - 1)
        cap = (size_t)sb.st_size + 1;
    uint8_t *buf = stp_malloc(cap);
    size_t n = 0;
    stp_status st = buf != NULL ? STP_OK : STP_ERR_NOMEM;
    while (st == STP_OK) {
        if (n == cap) {
            uint8_t *p = cap < SIZE_MAX / 2 ? stp_realloc(buf, cap * 2) : NULL;
            if (p == NULL) {
                st = STP_ERR_NOMEM;
                break;
            }
            buf = p;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (got == 0) {
            if (ferror(fp))
                st = stp_file_fail(findings, STP_ERR_IO, "file.read-failed", path,
                                   STP_ORIGIN_OFFSET, n, "read error: %s", strerror(errno));
            break;
        }
    }
    if (!is_stdin)
        fclose(fp);
    if (st != STP_OK) {
        stp_free(buf);
        return st;
    }
    *out = buf;
    *len = n;
    return STP_OK;
}

stp_status stp_image_load_file_into(stp_image *img, const char *path, stp_format fmt,
                                    uint32_t bin_base, stp_findings *findings)
{
    if (img == NULL || path == NULL)
        return STP_ERR_INVALID_ARG;
    uint8_t *data = NULL;
    size_t len = 0;
    stp_status st = read_all(path, &data, &len, findings);
    if (st == STP_OK)
        st = stp_image_parse_into(img, data, len, path, fmt, bin_base, findings);
    stp_free(data);
    return st;
}

stp_status stp_image_load_file(const char *path, stp_format fmt, uint32_t bin_base, stp_image **out,
                               stp_findings *findings)
{
    if (out == NULL || path == NULL)
        return STP_ERR_INVALID_ARG;
    *out = NULL;
    uint8_t *data = NULL;
    size_t len = 0;
    stp_status st = read_all(path, &data, &len, findings);
    if (st == STP_OK)
        st = stp_image_parse(data, len, path, fmt, bin_base, out, findings);
    stp_free(data);
    return st;
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
