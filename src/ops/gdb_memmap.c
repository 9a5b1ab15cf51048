/* The memory map gdb reads with qXfer:memory-map:read: the flash as runs of equal erase
 * units (their real sizes, from the target's regions) so that `load` erases and writes with
 * vFlashErase/vFlashWrite, and everything between and around as RAM so that peripherals,
 * SRAM and the system area stay readable. */
#include "core/alloc.h"
#include "ops/gdb_internal.h"

static void ram(stp_gdb_out *o, uint64_t start, uint64_t end)
{
    if (end > start)
        stp_gdb_out_fmt(o, "<memory type=\"ram\" start=\"0x%llx\" length=\"0x%llx\"/>\n",
                        (unsigned long long)start, (unsigned long long)(end - start));
}

stp_status gdb_build_memmap(gdb_session *s)
{
    size_t n = stp_target_region_count(s->t);
    const stp_flash_region *r = stp_target_regions(s->t);
    size_t cap = 1024 + n * 160;
    char *buf = stp_malloc(cap);
    if (buf == NULL)
        return STP_ERR_NOMEM;
    stp_gdb_out o;
    stp_gdb_out_init(&o, buf, cap);
    stp_gdb_out_str(&o, "<?xml version=\"1.0\"?>\n<!DOCTYPE memory-map PUBLIC \"+//IDN "
                        "gnu.org//DTD GDB Memory Map V1.0//EN\" "
                        "\"http://sourceware.org/gdb/gdb-memory-map.dtd\">\n<memory-map>\n");
    uint64_t cursor = 0;
    size_t i = 0;
    while (i < n) {
        size_t j = i + 1; /* a run of contiguous units of one size */
        while (j < n && r[j].size == r[i].size &&
               r[j].addr == r[j - 1].addr + (uint64_t)r[j - 1].size)
            j++;
        uint64_t start = r[i].addr, end = (uint64_t)r[j - 1].addr + r[j - 1].size;
        ram(&o, cursor, start);
        stp_gdb_out_fmt(&o,
                        "<memory type=\"flash\" start=\"0x%llx\" length=\"0x%llx\">"
                        "<property name=\"blocksize\">0x%x</property></memory>\n",
                        (unsigned long long)start, (unsigned long long)(end - start),
                        (unsigned)r[i].size);
        cursor = end;
        i = j;
    }
    ram(&o, cursor, 0x100000000ull);
    stp_gdb_out_str(&o, "</memory-map>\n");
    if (o.overflow) {
        stp_free(buf);
        return STP_ERR_INTERNAL;
    }
    s->memmap = buf;
    s->memmap_len = o.len;
    return STP_OK;
}

bool gdb_addr_in_flash(const gdb_session *s, uint32_t addr, uint32_t len)
{
    size_t n = stp_target_region_count(s->t);
    const stp_flash_region *r = stp_target_regions(s->t);
    uint64_t end = (uint64_t)addr + (len ? len : 1);
    for (size_t i = 0; i < n; i++)
        if (addr < (uint64_t)r[i].addr + r[i].size && end > r[i].addr)
            return true;
    return false;
}

bool gdb_range_in_flash(const gdb_session *s, uint32_t addr, uint32_t len)
{
    size_t n = stp_target_region_count(s->t);
    const stp_flash_region *r = stp_target_regions(s->t);
    uint64_t at = addr, end = (uint64_t)addr + len;
    for (size_t i = 0; i < n && at < end; i++) /* regions in address order */
        if (at >= r[i].addr && at < (uint64_t)r[i].addr + r[i].size)
            at = (uint64_t)r[i].addr + r[i].size;
    return len > 0 && at >= end;
}
