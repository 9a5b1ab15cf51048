/* bench_bound PART KIB [OFFSET_KIB]: the datasheet bound of writing KIB KiB at flash offset
 * OFFSET_KIB (default 0) of PART over unknown contents, from the chip database: typical
 * erase of every sector/page the bytes touch plus the typical program time of those whole
 * sectors (bytes the image leaves out are kept, so they are programmed back) at the width
 * a 3.3 V board uses (x32 on F2/F4/F7, the half-word on F1, the half-page on L1).
 * Prints "BOUND_S ERASE_S PROGRAM_S SECTORS MASS_BOUND_S" on one line (bench/speed.sh reads
 * it); MASS_BOUND_S is the bound with one mass erase instead when the write erases every
 * sector of the flash, else 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stprog/plan.h"
#include "chipdb/chipdb.h"

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: bench_bound PART KIB [OFFSET_KIB]\n");
        return 2;
    }
    const stp_part *part = stp_part_by_name(argv[1]);
    const stp_chip *chip = part ? stp_part_chip(part) : NULL;
    uint32_t kib = (uint32_t)strtoul(argv[2], NULL, 0);
    uint32_t off = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 0) : 0;
    if (chip == NULL || kib == 0 || off + kib > part->flash_kb) {
        fprintf(stderr, "bench_bound: unknown part or range outside its flash\n");
        return 2;
    }
    size_t n = stp_chip_sectors(chip, part->flash_kb, part->dual_bank, NULL, 0);
    stp_sector *sec = calloc(n, sizeof(*sec));
    stp_flash_region *reg = calloc(n, sizeof(*reg));
    uint8_t *img = malloc((size_t)kib * 1024u);
    if (sec == NULL || reg == NULL || img == NULL)
        return 1;
    stp_chip_sectors(chip, part->flash_kb, part->dual_bank, sec, n);
    for (size_t i = 0; i < n; i++)
        reg[i] = (stp_flash_region){
            .addr = sec[i].addr, .size = sec[i].size, .number = sec[i].number, .bank = sec[i].bank};
    /* Not the erased value, so no unit is left out as blank. */
    memset(img, 0x5A, (size_t)kib * 1024u);
    stp_segment seg = {chip->flash_base + off * 1024u, kib * 1024u, img};
    stp_plan_cost_model m;
    stp_plan_cost_model_chip(chip, STP_PSIZE_X32, &m);
    stp_plan_input in = {.segments = &seg,
                         .segment_count = 1,
                         .regions = reg,
                         .region_count = n,
                         .program_unit = m.program_op_bytes,
                         .erased_byte = chip->erased_value};
    stp_plan *plan = NULL;
    if (stp_plan_build(&in, &plan, NULL) != STP_OK) {
        fprintf(stderr, "bench_bound: cannot plan\n");
        return 1;
    }
    stp_plan_estimate e;
    stp_plan_estimate_time(plan, &m, &e); /* link fields zero: flash time only */
    /* When every sector is erased, a mass erase may be quicker (F1: one 20 ms operation
     * instead of 20 ms per page): the bound with it, or 0 when it does not apply. */
    double mass = 0.0;
    const uint32_t *me = chip->timing.mass_erase_typ_ms;
    uint32_t ms = me[STP_PSIZE_X32];
    for (int k = STP_PSIZE_COUNT - 1; ms == 0 && k >= 0; k--)
        ms = me[k];
    if (plan->erase_count == n && ms != 0)
        mass = ms / 1e3 + e.program_s;
    printf("%.6f %.6f %.6f %u %.6f\n", stp_plan_flash_bound_s(plan, &m), e.erase_s, e.program_s,
           (unsigned)plan->erase_count, mass);
    stp_plan_free(plan);
    free(img);
    free(reg);
    free(sec);
    return 0;
}
