/* Internal seams of src/formats: where bytes came from (origins), the error helper every
 * reader uses, the growable output buffer and the per-format readers and writers. */
#ifndef STP_FORMATS_IMAGE_INTERNAL_H
#define STP_FORMATS_IMAGE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stprog/image.h"

/* How an origin number is meant: "fw.hex:12", "fw.elf program header 2", "fw.bin offset 0x10". */
typedef enum stp_origin_kind {
    STP_ORIGIN_NONE = 0, /* just the name */
    STP_ORIGIN_LINE,
    STP_ORIGIN_PHDR,
    STP_ORIGIN_OFFSET,
} stp_origin_kind;

/* stp_image_add with a structured origin (cheap: formatted only when an error needs it). */
stp_status stp_image_add_from(stp_image *img, uint64_t addr, const void *data, size_t len,
                              const char *name, stp_origin_kind kind, uint32_t n,
                              stp_findings *findings);

/* What the readers use: like stp_image_add_from, but a piece that does not come after all
 * earlier data is queued and merged by stp_image_settle in one sorted pass (so files in any
 * record order load in O(n log n)); overlaps among queued pieces are reported there. */
stp_status stp_image_add_piece(stp_image *img, uint64_t addr, const void *data, size_t len,
                               const char *name, stp_origin_kind kind, uint32_t n,
                               stp_findings *findings);
/* Whether len bytes at addr may be added (address space, the image's byte limit) before
 * they are read; the finding names the origin when not. */
stp_status stp_image_check_room(const stp_image *img, uint64_t addr, size_t len, const char *name,
                                stp_origin_kind kind, uint32_t n, stp_findings *findings);
/* Advice of file.too-large for an input over the image's limit (the table's is for output). */
#define STP_TOO_LARGE_INPUT_ADVICE                                                                 \
    "Check that this is the firmware file meant: it holds more data than the flash can take."
/* "the largest flash of any supported chip (2 MiB)": the limit as findings name it. */
const char *stp_image_max_what(const stp_image *img);
/* Merges queued pieces into the segments. On failure (STP_ERR_OVERLAP naming both origins,
 * STP_ERR_NOMEM) the queued pieces are dropped and the segments are as before. */
stp_status stp_image_settle(stp_image *img, stp_findings *findings);
/* Drops queued pieces (after a reader failed). */
void stp_image_settle_discard(stp_image *img);

/* Formats an origin ("fw.hex:12") into buf. */
void stp_origin_format(char *buf, size_t cap, const char *name, stp_origin_kind kind, uint64_t n);

/* Adds an error finding "<origin>: <message>" with evidence file/line|offset|record and the
 * advice that belongs to id; returns st. */
stp_status stp_file_fail(stp_findings *findings, stp_status st, const char *id, const char *name,
                         stp_origin_kind kind, uint64_t n, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
/* The same, returning the finding (NULL when findings is NULL) for more evidence. */
stp_finding *stp_file_error(stp_findings *findings, const char *id, const char *name,
                            stp_origin_kind kind, uint64_t n, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Writes data to path through a temporary file in the same directory that replaces path only
 * when all was written (an existing file keeps its permissions; on failure it is unchanged
 * and no partial file is left). Non-regular paths (/dev/stdout, FIFOs) are written directly.
 * Failures: finding file.write-failed. */
stp_status stp_file_write_atomic(const char *path, const uint8_t *data, size_t len,
                                 stp_findings *findings);
/* The same, and on disk before it returns: the data and the directory entry are synced
 * (fsync), so a crash or power cut right after leaves either the old file or the new one. */
stp_status stp_file_write_durable(const char *path, const uint8_t *data, size_t len,
                                  stp_findings *findings);

/* Growable byte buffer for the writers. A failed allocation sets failed and drops output. */
typedef struct stp_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
    bool failed;
} stp_buf;

bool stp_buf_reserve(stp_buf *b, size_t extra);
void stp_buf_put(stp_buf *b, const void *data, size_t len);
void stp_buf_free(stp_buf *b);

/* One text line: leading and trailing blanks (and CR) stripped. last: nothing follows it. */
typedef struct stp_line {
    const uint8_t *p;
    size_t len;
    uint32_t number; /* 1-based */
    bool last;
} stp_line;

/* Next line from data at *pos; false at the end of the data. */
bool stp_next_line(const uint8_t *data, size_t len, size_t *pos, uint32_t *number, stp_line *out);
/* True when the first non-empty line of data satisfies is_record (format sniffing). */
bool stp_first_line_is(const uint8_t *data, size_t len, bool (*is_record)(const stp_line *ln));
/* Names a byte for an error message: 'x' when printable, else "byte 0xNN". */
void stp_describe_char(char *buf, size_t cap, uint8_t c);

/* Decodes ndigits (even) hex digits into out. Returns the index of the first bad character,
 * or (size_t)-1 when all are hex digits. */
size_t stp_hex_decode(const uint8_t *p, size_t ndigits, uint8_t *out);

/* Hex digit value for a character, or -1. */
extern const signed char stp_hex_value[256];
extern const char stp_hex_upper[16];

/* Readers: add the file's bytes into img. name is used in findings. */
stp_status stp_bin_parse(stp_image *img, const uint8_t *data, size_t len, const char *name,
                         uint32_t base, stp_findings *findings);
stp_status stp_ihex_parse(stp_image *img, const uint8_t *data, size_t len, const char *name,
                          stp_findings *findings);
stp_status stp_srec_parse(stp_image *img, const uint8_t *data, size_t len, const char *name,
                          stp_findings *findings);
stp_status stp_elf_parse(stp_image *img, const uint8_t *data, size_t len, const char *name,
                         stp_findings *findings);
/* The same, reading the file at fd (len bytes) with pread: headers, then each segment. */
stp_status stp_elf_parse_fd(stp_image *img, int fd, uint64_t len, const char *name,
                            stp_findings *findings);

/* Content sniffers used by stp_format_detect. */
bool stp_ihex_sniff(const uint8_t *data, size_t len);
bool stp_srec_sniff(const uint8_t *data, size_t len);

/* Writers: append the serialized image to out. */
stp_status stp_bin_write(const stp_image *img, stp_buf *out, stp_findings *findings);
stp_status stp_ihex_write(const stp_image *img, stp_buf *out, stp_findings *findings);
stp_status stp_srec_write(const stp_image *img, stp_buf *out, stp_findings *findings);

/* Largest span (first to last byte) a binary output may cover; beyond it gaps would be
 * gigabytes of 0xFF. */
#define STP_BIN_MAX_SPAN (256u * 1024u * 1024u)

#endif
