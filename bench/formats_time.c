/* Timing tool for bench/formats.sh:
 *   bench_formats gen FILE [MIB]   write MIB (default 16) MiB of pseudo-random data at
 *                                  0x08000000 as Intel HEX
 *   bench_formats read FILE [N] [OUT]  load FILE N times (default 3) with the image reader,
 *                                  print the best wall-clock time in seconds and the bytes;
 *                                  OUT: also write the image there (format by extension) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stprog/image.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_findings(const stp_findings *f)
{
    for (size_t i = 0; i < f->count; i++)
        fprintf(stderr, "%s: %s\n", f->items[i].id, f->items[i].message);
}

static int gen(const char *path, unsigned mib)
{
    size_t len = (size_t)mib << 20;
    unsigned char *data = malloc(len);
    if (data == NULL)
        return 1;
    uint32_t x = 0x12345678u; /* xorshift32: firmware-like, incompressible bytes */
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        data[i] = (unsigned char)x;
    }
    stp_findings f;
    stp_findings_init(&f);
    stp_image *img = NULL;
    stp_status st = stp_image_create(&img);
    if (st == STP_OK)
        st = stp_image_add(img, STP_DEFAULT_BIN_BASE, data, len, "generated", &f);
    if (st == STP_OK) {
        stp_image_set_entry(img, STP_DEFAULT_BIN_BASE + 0x1C1u);
        st = stp_image_save_file(img, path, STP_FORMAT_IHEX, &f);
    }
    print_findings(&f);
    stp_findings_free(&f);
    stp_image_destroy(img);
    free(data);
    return st == STP_OK ? 0 : 1;
}

static int read_file(const char *path, int runs, const char *out)
{
    double best = -1;
    uint64_t bytes = 0;
    for (int i = 0; i < runs; i++) {
        stp_findings f;
        stp_findings_init(&f);
        stp_image *img = NULL;
        double t0 = now();
        stp_status st = stp_image_load_file(path, STP_FORMAT_AUTO, STP_DEFAULT_BIN_BASE, &img, &f);
        double t = now() - t0;
        if (st != STP_OK) {
            print_findings(&f);
            stp_findings_free(&f);
            return 1;
        }
        bytes = stp_image_total_bytes(img);
        if (out != NULL && i == 0 && stp_image_save_file(img, out, STP_FORMAT_AUTO, &f) != STP_OK) {
            print_findings(&f);
            stp_image_destroy(img);
            stp_findings_free(&f);
            return 1;
        }
        stp_image_destroy(img);
        stp_findings_free(&f);
        if (best < 0 || t < best)
            best = t;
    }
    printf("%.3f %llu\n", best, (unsigned long long)bytes);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "gen") == 0)
        return gen(argv[2], argc > 3 ? (unsigned)atoi(argv[3]) : 16);
    if (argc >= 3 && strcmp(argv[1], "read") == 0)
        return read_file(argv[2], argc > 3 ? atoi(argv[3]) : 3, argc > 4 ? argv[4] : NULL);
    fprintf(stderr, "usage: bench_formats gen FILE [MIB] | read FILE [RUNS] [OUT]\n");
    return 2;
}
