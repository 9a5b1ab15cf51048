/* Test-only tool over the image library (the real CLI is `stprog image`):
 *   imgtool info FILE [--addr A] [--format F]   segments "start end size crc32", entry
 *   imgtool convert IN OUT [--addr A]           rewrite IN in the format named by OUT's extension
 *   imgtool time FILE                           parse FILE, print seconds taken (bench)
 * Exit 0 on success, 2 on a bad file (findings printed to stderr as "id: message"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stprog/image.h"

static void print_findings(const stp_findings *f)
{
    for (size_t i = 0; i < f->count; i++)
        fprintf(stderr, "%s: %s\n", f->items[i].id, f->items[i].message);
}

static stp_format parse_format(const char *s)
{
    if (strcmp(s, "bin") == 0)
        return STP_FORMAT_BIN;
    if (strcmp(s, "ihex") == 0)
        return STP_FORMAT_IHEX;
    if (strcmp(s, "srec") == 0)
        return STP_FORMAT_SREC;
    if (strcmp(s, "elf") == 0)
        return STP_FORMAT_ELF;
    return STP_FORMAT_AUTO;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: imgtool info|convert|time FILE [OUT] [--addr A] [--format F]\n");
        return 2;
    }
    const char *cmd = argv[1], *in = argv[2], *out = NULL;
    uint32_t base = STP_DEFAULT_BIN_BASE;
    stp_format fmt = STP_FORMAT_AUTO;
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--addr") == 0 && i + 1 < argc)
            base = (uint32_t)strtoul(argv[++i], NULL, 0);
        else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc)
            fmt = parse_format(argv[++i]);
        else
            out = argv[i];
    }
    stp_findings findings;
    stp_findings_init(&findings);
    stp_image *img = NULL;
    double t0 = now();
    stp_status st = stp_image_load_file(in, fmt, base, &img, &findings);
    double t1 = now();
    if (st != STP_OK) {
        print_findings(&findings);
        fprintf(stderr, "imgtool: %s\n", stp_status_name(st));
        stp_findings_free(&findings);
        return 2;
    }
    int rc = 0;
    if (strcmp(cmd, "info") == 0) {
        for (size_t i = 0; i < stp_image_segment_count(img); i++) {
            stp_segment s = stp_image_segment(img, i);
            printf("0x%08X 0x%08X %u 0x%08X\n", s.addr, s.addr + s.size - 1, s.size,
                   stp_crc32(0, s.data, s.size));
        }
        if (stp_image_has_entry(img))
            printf("entry 0x%08X\n", stp_image_entry(img));
    } else if (strcmp(cmd, "convert") == 0 && out != NULL) {
        st = stp_image_save_file(img, out, STP_FORMAT_AUTO, &findings);
        if (st != STP_OK) {
            print_findings(&findings);
            rc = 2;
        }
    } else if (strcmp(cmd, "time") == 0) {
        printf("%.6f %llu\n", t1 - t0, (unsigned long long)stp_image_total_bytes(img));
    } else {
        fprintf(stderr, "imgtool: unknown command %s\n", cmd);
        rc = 2;
    }
    stp_image_destroy(img);
    stp_findings_free(&findings);
    return rc;
}
