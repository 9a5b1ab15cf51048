/* stprog — facts from an ELF file besides its loadable bytes (stprog/image.h loads those). */
#ifndef STPROG_ELF_H
#define STPROG_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Looks up a defined symbol's value in an ELF32 little-endian file's symbol table (e.g.
 * "_SEGGER_RTT"). False when data is not such a file, has no symbol table, or lacks the
 * name. */
bool stp_elf_symbol(const uint8_t *data, size_t len, const char *name, uint32_t *value);

#endif
