/* Findings for bad input files: "<file>:<line>: what is wrong", evidence and advice per id.
 * The ids are documented in docs/findings.md ("file.*"). */
#include <stdio.h>
#include <string.h>

#include "formats/image_internal.h"

typedef struct advice_row {
    const char *id;
    const char *advice;
} advice_row;

static const advice_row advice_table[] = {
    {"file.open-failed", "Check the path and that the file is readable."},
    {"file.read-failed", "Check that the path is a regular, readable file."},
    {"file.write-failed", "Check that the directory exists, is writable and has free space."},
    {"file.empty", "The file holds no data to program; rebuild it or pick the right file."},
    {"file.truncated",
     "The file is cut off (incomplete download or copy?); regenerate it from the build."},
    {"file.bad-checksum", "The record was altered after it was written; regenerate the file."},
    {"file.bad-record", "This is not a well-formed record; check the file's format."},
    {"file.bad-record-type", "The record type is not defined by the format; regenerate the file."},
    {"file.odd-digits", "Each byte takes two hex digits; the line was cut or edited."},
    {"file.bad-count", "The record count does not match the data records; the file was edited "
                       "or records were lost."},
    {"file.data-after-end",
     "Records follow the end record (two files concatenated?); remove them or merge the files "
     "with a tool such as srec_cat."},
    {"file.address-range", "Addresses must fit in 32 bits; check the extended address records "
                           "or the --addr base."},
    {"file.overlap", "Two parts of the input claim the same addresses; fix the linker script or "
                     "the extended address records."},
    {"file.elf-unsupported", "stprog loads 32-bit little-endian ARM executables (ELF32, EM_ARM)."},
    {"file.elf-corrupt",
     "The ELF headers point outside the file; the file is truncated or damaged."},
    {"file.too-large",
     "The data is spread over a huge range; write Intel HEX or S-record instead of binary."},
    {"file.unknown-format", "Name the output .bin, .hex or .srec (or give the format)."},
};

static const char *advice_for(const char *id)
{
    for (size_t i = 0; i < sizeof(advice_table) / sizeof(advice_table[0]); i++) {
        if (strcmp(advice_table[i].id, id) == 0)
            return advice_table[i].advice;
    }
    return NULL;
}

static stp_finding *vfile_error(stp_findings *findings, const char *id, const char *name,
                                stp_origin_kind kind, uint64_t n, const char *fmt, va_list ap)
{
    if (findings == NULL)
        return NULL;
    char where[200], what[STP_FINDING_TEXT_MAX];
    stp_origin_format(where, sizeof(where), name, kind, n);
    vsnprintf(what, sizeof(what), fmt, ap);
    stp_finding *f = stp_finding_add(findings, id, STP_SEV_ERROR, "%s: %s", where, what);
    stp_finding_evidence(f, "file", "%s", name != NULL ? name : "<input>");
    switch (kind) {
    case STP_ORIGIN_LINE:
        stp_finding_evidence(f, "line", "%llu", (unsigned long long)n);
        break;
    case STP_ORIGIN_PHDR:
        stp_finding_evidence(f, "program_header", "%llu", (unsigned long long)n);
        break;
    case STP_ORIGIN_OFFSET:
        stp_finding_evidence(f, "offset", "0x%llX", (unsigned long long)n);
        break;
    case STP_ORIGIN_NONE:
        break;
    }
    const char *advice = advice_for(id);
    if (advice != NULL)
        stp_finding_advice(f, "%s", advice);
    return f;
}

stp_finding *stp_file_error(stp_findings *findings, const char *id, const char *name,
                            stp_origin_kind kind, uint64_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    stp_finding *f = vfile_error(findings, id, name, kind, n, fmt, ap);
    va_end(ap);
    return f;
}

stp_status stp_file_fail(stp_findings *findings, stp_status st, const char *id, const char *name,
                         stp_origin_kind kind, uint64_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfile_error(findings, id, name, kind, n, fmt, ap);
    va_end(ap);
    return st;
}
