/* STPROG_SIM_REPORT=FILE: what the virtual board counted, as one JSON object. */
#include <stdio.h>

#include "sim_internal.h"

int sim_board_write_report(const sim_board *b, const char *path)
{
    if (!b || !path)
        return -1;
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    const sim_stats *s = &b->stats;
    fprintf(f,
            "{\"part\":\"%s\",\"virtual_seconds\":%.9f,\"usb_transfers\":%llu,"
            "\"bytes_out\":%llu,\"bytes_in\":%llu,\"flash_erases\":%llu,"
            "\"mass_erases\":%llu,\"flash_programs\":%llu,\"swd_transfers\":%llu,"
            "\"core_instructions\":%llu,\"brownouts\":%u}\n",
            b->part->name, (double)b->now_ns / 1e9, (unsigned long long)s->usb_transfers,
            (unsigned long long)s->bytes_out, (unsigned long long)s->bytes_in,
            (unsigned long long)s->flash_erases, (unsigned long long)s->mass_erases,
            (unsigned long long)s->flash_programs, (unsigned long long)s->swd_transfers,
            (unsigned long long)s->core_instructions, b->brownouts);
    return fclose(f) == 0 ? 0 : -1;
}
