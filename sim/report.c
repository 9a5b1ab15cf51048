/* STPROG_SIM_REPORT=FILE: what the virtual board counted, as one JSON object. The busy
 * times split a tool's virtual time the same way for every tool (bench/speed.sh):
 *   flash_erase_seconds    sum of the virtual time erase operations kept the flash busy
 *   flash_program_seconds  sum of the virtual time program operations kept it busy
 *   after_last_flash_op_seconds  from the end of the last erase/program operation to the
 *                          report (verify, read-back, teardown); 0 when none ran
 *   model_cpu_seconds      host CPU time the model itself used (not the tool's). */
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
    uint64_t tail = 0;
    if (s->flash_ops_ended && b->now_ns > s->last_flash_end_ns)
        tail = b->now_ns - s->last_flash_end_ns;
    fprintf(f,
            "{\"part\":\"%s\",\"virtual_seconds\":%.9f,\"usb_transfers\":%llu,"
            "\"bytes_out\":%llu,\"bytes_in\":%llu,\"flash_erases\":%llu,"
            "\"mass_erases\":%llu,\"flash_programs\":%llu,\"swd_transfers\":%llu,"
            "\"core_instructions\":%llu,\"brownouts\":%u,"
            "\"flash_erase_seconds\":%.9f,\"flash_program_seconds\":%.9f,"
            "\"flash_ops_ended\":%llu,\"after_last_flash_op_seconds\":%.9f,"
            "\"model_cpu_seconds\":%.6f,\"iwdg_resets\":%llu,\"iwdg_refreshes\":%llu,"
            "\"iwdg_counting_seconds\":%.9f,\"iwdg_period_seconds\":%.9f}\n",
            b->part->name, (double)b->now_ns / 1e9, (unsigned long long)s->usb_transfers,
            (unsigned long long)s->bytes_out, (unsigned long long)s->bytes_in,
            (unsigned long long)s->flash_erases, (unsigned long long)s->mass_erases,
            (unsigned long long)s->flash_programs, (unsigned long long)s->swd_transfers,
            (unsigned long long)s->core_instructions, b->brownouts, (double)s->erase_busy_ns / 1e9,
            (double)s->program_busy_ns / 1e9, (unsigned long long)s->flash_ops_ended,
            (double)tail / 1e9, (double)s->model_cpu_ns / 1e9, (unsigned long long)s->iwdg_resets,
            (unsigned long long)s->iwdg_refreshes, (double)s->iwdg_counting_ns / 1e9,
            (double)s->iwdg_period_ns / 1e9);
    return fclose(f) == 0 ? 0 : -1;
}
