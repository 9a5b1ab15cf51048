/* stprog — the sparse memory image: sorted, merged segments of bytes. Produced by every
 * format reader, consumed by the planner, verify and the GDB server. */
#ifndef STPROG_IMAGE_H
#define STPROG_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stprog/finding.h"
#include "stprog/status.h"

typedef struct stp_image stp_image;

typedef struct stp_segment {
    uint32_t addr;
    uint32_t size;
    const uint8_t *data; /* valid until the image is changed or destroyed */
} stp_segment;

typedef enum stp_format {
    STP_FORMAT_AUTO = 0, /* detect from content (then extension) */
    STP_FORMAT_BIN,
    STP_FORMAT_IHEX,
    STP_FORMAT_SREC,
    STP_FORMAT_ELF,
} stp_format;

#define STP_DEFAULT_BIN_BASE 0x08000000u

stp_status stp_image_create(stp_image **out);
void stp_image_destroy(stp_image *img);

/* Adds bytes at addr. origin ("fw.hex:12") names where they came from; data overlapping
 * earlier data is an error (STP_ERR_OVERLAP) whose finding names both origins. addr+len
 * beyond 4 GiB is STP_ERR_RANGE. */
stp_status stp_image_add(stp_image *img, uint64_t addr, const void *data, size_t len,
                         const char *origin, stp_findings *findings);

/* Most data bytes the image may hold (0: no limit; stp_image_load_file uses
 * STP_IMAGE_DEFAULT_MAX_BYTES). Data beyond it is refused at the record that brings it
 * (finding file.too-large, STP_ERR_RANGE), and reading a file into the image checks it
 * before it reads: a raw binary larger than the limit, a text file larger than
 * STP_TEXT_BYTES_PER_BYTE times it, or a pipe or device that gives more is refused unread;
 * an ELF file is read segment by segment. what names the limit in the finding ("the
 * largest flash of any supported chip"). */
void stp_image_set_max_bytes(stp_image *img, uint64_t max_bytes, const char *what);
uint64_t stp_image_max_bytes(const stp_image *img);
#define STP_IMAGE_DEFAULT_MAX_BYTES (256u * 1024u * 1024u)
/* Text bytes (Intel HEX, S-record) allowed per data byte: records of one byte take 15 (Intel
 * HEX) to 18 (S3 with CR LF). */
#define STP_TEXT_BYTES_PER_BYTE 20u

size_t stp_image_segment_count(const stp_image *img);
/* Segments are sorted by address and merged when adjacent. */
stp_segment stp_image_segment(const stp_image *img, size_t index);
uint64_t stp_image_total_bytes(const stp_image *img);

bool stp_image_has_entry(const stp_image *img);
uint32_t stp_image_entry(const stp_image *img);
void stp_image_set_entry(stp_image *img, uint32_t entry);
/* The format the image's data was last parsed from (as detected when loaded with
 * STP_FORMAT_AUTO); STP_FORMAT_AUTO when built by stp_image_add only. */
stp_format stp_image_source_format(const stp_image *img);

/* Copies [addr, addr+len) into buf; bytes not covered by the image are set to fill.
 * Returns the number of covered bytes. */
size_t stp_image_read(const stp_image *img, uint32_t addr, void *buf, size_t len, uint8_t fill);

/* CRC-32 (IEEE 802.3, as zlib) of a buffer; crc starts at 0. */
uint32_t stp_crc32(uint32_t crc, const void *data, size_t len);

/* Format detection: by content first, then by the name's extension. */
stp_format stp_format_detect(const uint8_t *data, size_t len, const char *name);
/* Output format from a file name's extension (.bin .hex/.ihex .srec/.s19/.s28/.s37/.mot). */
stp_format stp_format_from_extension(const char *name);
const char *stp_format_name(stp_format fmt);

/* Parses a buffer. name is used in error messages ("fw.hex:12: bad checksum"). bin_base is
 * the load address for raw binaries. */
stp_status stp_image_parse(const uint8_t *data, size_t len, const char *name, stp_format fmt,
                           uint32_t bin_base, stp_image **out, stp_findings *findings);
stp_status stp_image_load_file(const char *path, stp_format fmt, uint32_t bin_base, stp_image **out,
                               stp_findings *findings);
/* The same, adding into an existing image (several files into one image; overlaps between
 * them are errors naming both files). On failure img may hold part of the file. */
stp_status stp_image_parse_into(stp_image *img, const uint8_t *data, size_t len, const char *name,
                                stp_format fmt, uint32_t bin_base, stp_findings *findings);
stp_status stp_image_load_file_into(stp_image *img, const char *path, stp_format fmt,
                                    uint32_t bin_base, stp_findings *findings);

/* Writes an image; STP_FORMAT_AUTO picks by the path's extension. Binary output of a sparse
 * image fills gaps with 0xFF. */
stp_status stp_image_save_file(const stp_image *img, const char *path, stp_format fmt,
                               stp_findings *findings);
/* Serializes an image into a new buffer (BIN, IHEX or SREC); free it with
 * stp_image_buffer_free. */
stp_status stp_image_serialize(const stp_image *img, stp_format fmt, uint8_t **out, size_t *len,
                               stp_findings *findings);
void stp_image_buffer_free(void *buf);

#endif
