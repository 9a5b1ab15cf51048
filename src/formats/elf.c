/* ELF32 little-endian ARM executables: every PT_LOAD program header with file bytes is loaded
 * at its physical (load) address (the virtual one when every physical address is 0); empty
 * and NOBITS-only parts (.bss) are skipped; e_entry is the entry point. Every offset and size is
 * checked against the file before it is used. */
#include <string.h>

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

stp_status stp_elf_parse(stp_image *img, const uint8_t *data, size_t len, const char *name,
                         stp_findings *findings)
{
    stp_status st = check_header(data, len, name, findings);
    if (st != STP_OK)
        return st;
    uint32_t entry = le32(data + 24), phoff = le32(data + 28);
    unsigned phentsize = le16(data + 42), phnum = le16(data + 44);
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
    if (table_end > len)
        return stp_file_fail(findings, STP_ERR_FORMAT, "file.elf-corrupt", name, STP_ORIGIN_OFFSET,
                             28, "program headers at 0x%X..0x%llX lie outside the file (%zu bytes)",
                             phoff, (unsigned long long)table_end, len);
    /* Some toolchains leave every physical address 0: then the virtual ones are meant. */
    bool use_vaddr = true;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = data + phoff + (size_t)i * phentsize;
        if (le32(ph) == PT_LOAD && le32(ph + 16) != 0 && le32(ph + 12) != 0)
            use_vaddr = false;
    }
    uint64_t bytes = 0;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = data + phoff + (size_t)i * phentsize;
        uint32_t type = le32(ph), offset = le32(ph + 4);
        uint32_t paddr = use_vaddr ? le32(ph + 8) : le32(ph + 12);
        uint32_t filesz = le32(ph + 16), memsz = le32(ph + 20);
        if (type != PT_LOAD || filesz == 0)
            continue;
        if ((uint64_t)offset + filesz > len)
            return stp_file_fail(findings, STP_ERR_FORMAT, "file.elf-corrupt", name,
                                 STP_ORIGIN_PHDR, i,
                                 "data at offset 0x%X, size 0x%X lies outside the file (%zu "
                                 "bytes)",
                                 offset, filesz, len);
        if (filesz > memsz)
            return stp_file_fail(findings, STP_ERR_FORMAT, "file.elf-corrupt", name,
                                 STP_ORIGIN_PHDR, i,
                                 "file size 0x%X is larger than memory size 0x%X", filesz, memsz);
        st = stp_image_add_piece(img, paddr, data + offset, filesz, name, STP_ORIGIN_PHDR, i,
                                 findings);
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
