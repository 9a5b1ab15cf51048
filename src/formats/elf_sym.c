/* Symbol lookup in an ELF32 little-endian file (ELF specification, "Sections" and "Symbol
 * Table"): the SHT_SYMTAB section, its linked string table, one pass over the symbols.
 * Every offset and size is checked against the file before it is used. */
#include <string.h>

#include "stprog/elf.h"

#define EHDR_SIZE     52u
#define SHDR_SIZE     40u
#define SYM_SIZE      16u
#define SHT_SYMTAB    2u
#define SHN_UNDEF     0u
#define SHN_LORESERVE 0xFF00u

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static bool in_file(size_t len, uint64_t off, uint64_t size)
{
    return off <= len && size <= len - off;
}

bool stp_elf_symbol(const uint8_t *data, size_t len, const char *name, uint32_t *value)
{
    if (data == NULL || name == NULL || len < EHDR_SIZE ||
        memcmp(data,
               "\x7F"
               "ELF",
               4) != 0 ||
        data[4] != 1 || data[5] != 1)
        return false;
    uint32_t shoff = rd32(data + 32);
    unsigned shentsize = (unsigned)(data[46] | data[47] << 8);
    unsigned shnum = (unsigned)(data[48] | data[49] << 8);
    if (shentsize < SHDR_SIZE || !in_file(len, shoff, (uint64_t)shentsize * shnum))
        return false;
    size_t name_len = strlen(name);
    for (unsigned i = 0; i < shnum; i++) {
        const uint8_t *sh = data + shoff + (size_t)i * shentsize;
        if (rd32(sh + 4) != SHT_SYMTAB)
            continue;
        uint32_t symoff = rd32(sh + 16), symsize = rd32(sh + 20), link = rd32(sh + 24);
        uint32_t entsize = rd32(sh + 36);
        if (entsize < SYM_SIZE || link >= shnum || !in_file(len, symoff, symsize))
            continue;
        const uint8_t *str = data + shoff + (size_t)link * shentsize;
        uint32_t stroff = rd32(str + 16), strsize = rd32(str + 20);
        if (!in_file(len, stroff, strsize))
            continue;
        for (uint64_t s = 0; s + entsize <= symsize; s += entsize) {
            const uint8_t *sym = data + symoff + s;
            uint32_t n = rd32(sym);
            unsigned shndx = (unsigned)(sym[14] | sym[15] << 8);
            if (shndx == SHN_UNDEF || n >= strsize || strsize - n <= name_len)
                continue;
            const char *sname = (const char *)data + stroff + n;
            if (memcmp(sname, name, name_len) == 0 && sname[name_len] == '\0' &&
                (shndx < SHN_LORESERVE || shndx == 0xFFF1u /* SHN_ABS */)) {
                *value = rd32(sym + 4);
                return true;
            }
        }
    }
    return false;
}
