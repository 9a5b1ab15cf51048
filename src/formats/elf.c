/* ELF32 little-endian ARM executables: every PT_LOAD program header with file bytes is loaded
 * at its physical (load) address (the virtual one when every physical address is 0); empty
 * and NOBITS-only parts (.bss) are skipped; e_entry is the entry point. Every offset and size is
 * checked against the file before it is used. A file on disk is read piece by piece: the
 * headers, then each segment once the image has room for it. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "formats/image_internal.h"

#define EHDR_SIZE 52u
#define PHDR_SIZE 32u
#define EM_ARM    40u
#define PT_LOAD   1u
#define ET_REL    1u
#define ET_EXEC   2u

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static stp_status check_header(const uint8_t *data, size_t len, const char *name,
                               stp_findings *findings)
{
    if (len < 4 || memcmp(data,
                          "\x7F"
                          "ELF",
                          4) != 0) {
        stp_finding *f = stp_file_error(findings, "file.elf-corrupt", name, STP_ORIGIN_OFFSET, 0,
                                        "no ELF magic number: this is not an ELF file");
        stp_finding_advice(f, "Leave out --format elf: the format is told by the content.");
        return STP_ERR_FORMAT;
    }
    if (len < EHDR_SIZE)
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.truncated", name, STP_ORIGIN_OFFSET,
                             len, "file ends inside the ELF header (%zu of %u bytes)", len,
                             EHDR_SIZE);
    if (data[4] != 1)
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.elf-unsupported", name,
                             STP_ORIGIN_OFFSET, 4, "ELF class %u is not 32-bit", data[4]);
    if (data[5] != 1)
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.elf-unsupported", name,
                             STP_ORIGIN_OFFSET, 5, "ELF data encoding %u is not little-endian",
                             data[5]);
    unsigned type = le16(data + 16), machine = le16(data + 18);
    if (machine != EM_ARM)
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.elf-unsupported", name,
                             STP_ORIGIN_OFFSET, 18, "ELF machine %u is not ARM (40)", machine);
    if (type == ET_REL)
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.elf-unsupported", name,
                             STP_ORIGIN_OFFSET, 16,
                             "relocatable object file, not a linked program (link it first)");
    if (type != ET_EXEC && type != 3u /* ET_DYN: position independent */)
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.elf-unsupported", name,
                             STP_ORIGIN_OFFSET, 16, "ELF type %u is not an executable", type);
    return STP_OK;
}

/* Where the ELF bytes come from: a buffer, or a file read piece by piece (pread), so that a
 * file with megabytes of debug information costs only its loadable segments. */
typedef struct elf_src {
    const uint8_t *data; /* the whole file in memory, or NULL */
    int fd;              /* else: read from here */
    uint64_t len;
} elf_src;

/* n bytes at off into buf (false when the file cannot give them). */
static bool src_get(const elf_src *s, uint64_t off, void *buf, size_t n)
{
    if (off > s->len || n > s->len - off)
        return false;
    if (s->data != NULL) {
        memcpy(buf, s->data + off, n);
        return true;
    }
    uint8_t *p = buf;
    while (n > 0) {
        ssize_t got = pread(s->fd, p, n, (off_t)off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return false;
        p += got;
        off += (uint64_t)got;
        n -= (size_t)got;
    }
    return true;
}

/* A PT_LOAD segment's bytes into the image: read only once the image has room for them. */
static stp_status load_segment(stp_image *img, const elf_src *src, uint32_t paddr, uint32_t offset,
                               uint32_t filesz, const char *name, unsigned i,
                               stp_findings *findings)
{
    if (src->data != NULL)
        return stp_image_add_piece(img, paddr, src->data + offset, filesz, name, STP_ORIGIN_PHDR, i,
                                   findings);
    stp_status st = stp_image_check_room(img, paddr, filesz, name, STP_ORIGIN_PHDR, i, findings);
    if (st != STP_OK)
        return st;
    uint8_t *buf = stp_malloc(filesz);
    if (buf == NULL)
        return STP_ERR_NOMEM;
    errno = 0;
    if (!src_get(src, offset, buf, filesz))
        st = stp_file_fail(findings, STP_ERR_IO, "file.read-failed", name, STP_ORIGIN_PHDR, i,
                           "cannot read the segment at offset 0x%X: %s", offset,
                           errno ? strerror(errno) : "the file got shorter");
    else
        st = stp_image_add_piece(img, paddr, buf, filesz, name, STP_ORIGIN_PHDR, i, findings);
    stp_free(buf);
    return st;
}

static stp_status parse(stp_image *img, const elf_src *src, const char *name,
                        stp_findings *findings)
{
    uint8_t eh[EHDR_SIZE];
    size_t have = src->len < EHDR_SIZE ? (size_t)src->len : EHDR_SIZE;
    if (!src_get(src, 0, eh, have))
        return stp_file_fail(findings, STP_ERR_IO, "file.read-failed", name, STP_ORIGIN_OFFSET, 0,
                             "cannot read the ELF header");
    stp_status st = check_header(eh, have, name, findings);
    if (st != STP_OK)
        return st;
    uint32_t entry = le32(eh + 24), phoff = le32(eh + 28);
    unsigned phentsize = le16(eh + 42), phnum = le16(eh + 44);
    if (phnum == 0)
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.empty", name, STP_ORIGIN_NONE, 0,
                             "no program headers: nothing to load");
    if (phentsize < PHDR_SIZE)
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.elf-corrupt", name, STP_ORIGIN_OFFSET,
                             42, "program header size %u is below %u", phentsize, PHDR_SIZE);
    if (phnum == 0xFFFFu)
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.elf-unsupported", name,
                             STP_ORIGIN_OFFSET, 44, "more than 65534 program headers");
    uint64_t table_end = (uint64_t)phoff + (uint64_t)phentsize * phnum;
    if (table_end > src->len)
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.elf-corrupt", name, STP_ORIGIN_OFFSET,
                             28,
                             "program headers at 0x%X..0x%llX lie outside the file (%llu bytes)",
                             phoff, (unsigned long long)table_end, (unsigned long long)src->len);
    /* Some toolchains leave every physical address 0: then the virtual ones are meant. */
    bool use_vaddr = true;
    uint8_t ph[PHDR_SIZE];
    for (unsigned i = 0; i < phnum; i++) {
        if (!src_get(src, phoff + (uint64_t)i * phentsize, ph, PHDR_SIZE))
            return stp_file_fail(findings, STP_ERR_IO, "file.read-failed", name, STP_ORIGIN_PHDR, i,
                                 "cannot read the program header");
        if (le32(ph) == PT_LOAD && le32(ph + 16) != 0 && le32(ph + 12) != 0)
            use_vaddr = false;
    }
    uint64_t bytes = 0;
    for (unsigned i = 0; i < phnum; i++) {
        if (!src_get(src, phoff + (uint64_t)i * phentsize, ph, PHDR_SIZE))
            return stp_file_fail(findings, STP_ERR_IO, "file.read-failed", name, STP_ORIGIN_PHDR, i,
                                 "cannot read the program header");
        uint32_t type = le32(ph), offset = le32(ph + 4);
        uint32_t paddr = use_vaddr ? le32(ph + 8) : le32(ph + 12);
        uint32_t filesz = le32(ph + 16), memsz = le32(ph + 20);
        if (type != PT_LOAD || filesz == 0)
            continue;
        if ((uint64_t)offset + filesz > src->len)
            return stp_file_fail(findings, STP_ERR_FORMAT, "file.elf-corrupt", name,
                                 STP_ORIGIN_PHDR, i,
                                 "data at offset 0x%X, size 0x%X lies outside the file (%llu "
                                 "bytes)",
                                 offset, filesz, (unsigned long long)src->len);
        if (filesz > memsz)
            return stp_file_fail(findings, STP_ERR_FORMAT, "file.elf-corrupt", name,
                                 STP_ORIGIN_PHDR, i,
                                 "file size 0x%X is larger than memory size 0x%X", filesz, memsz);
        st = load_segment(img, src, paddr, offset, filesz, name, i, findings);
        if (st != STP_OK)
            return st;
        bytes += filesz;
    }
    if (bytes == 0)
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.empty", name, STP_ORIGIN_NONE, 0,
                             "no loadable program header carries data");
    stp_image_set_entry(img, entry);
    return STP_OK;
}

stp_status stp_elf_parse(stp_image *img, const uint8_t *data, size_t len, const char *name,
                         stp_findings *findings)
{
    elf_src src = {data, -1, len};
    return parse(img, &src, name, findings);
}

stp_status stp_elf_parse_fd(stp_image *img, int fd, uint64_t len, const char *name,
                            stp_findings *findings)
{
    elf_src src = {NULL, fd, len};
    return parse(img, &src, name, findings);
}
