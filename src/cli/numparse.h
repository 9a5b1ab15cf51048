/* stprog CLI — numbers on the command line: decimal or 0x hex; sizes also take K/M suffixes
 * (KiB/MiB); frequencies are kHz and take k/M suffixes (4M = 4000 kHz). */
#ifndef STP_CLI_NUMPARSE_H
#define STP_CLI_NUMPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum cli_num_kind {
    CLI_NUM_PLAIN = 0, /* 123, 0x7b; no suffix (addresses, counts) */
    CLI_NUM_SIZE,      /* also 64K = 65536, 1M = 1048576 (case-insensitive; KiB/MiB) */
    CLI_NUM_FREQ_KHZ,  /* kHz; also 4000k = 4000, 4M = 4000 */
} cli_num_kind;

/* Parses text as a number of that kind no larger than max. On failure returns false and
 * writes a short reason ("not a number", "too large (max 4294967295)") to why. */
bool cli_parse_number(const char *text, cli_num_kind kind, uint64_t max, uint64_t *out, char *why,
                      size_t whylen);

/* Same with max = UINT32_MAX. */
bool cli_parse_u32(const char *text, cli_num_kind kind, uint32_t *out, char *why, size_t whylen);

#endif
