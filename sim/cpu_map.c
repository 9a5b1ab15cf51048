/* The virtual Cortex-M core: its memory map in Unicorn. Direct regions are mapped from
 * host memory (writable ones from the board's bytes, read-only ones from a shadow copy:
 * see cpu.c for why), the PPB and every hole go to MMIO callbacks (sim_cpu_ppb_* and the
 * board's bus). Remapping touches only what changed: unmapping a large MMIO hole costs
 * ~0.35 ms per MiB in Unicorn 2.0.1 (1.4 s for the whole 4 GiB). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_internal.h"

#define UC_PAGE 1024u

cpu_region *cpu_region_of(sim_cpu *cpu, uint32_t addr)
{
    cpu_region *last = &cpu->regions[cpu->last_region];
    if (cpu->last_region < cpu->nregions && addr - last->r.base < last->r.size)
        return last;
    for (size_t i = 0; i < cpu->nregions; i++) {
        cpu_region *r = &cpu->regions[i];
        if (addr - r->r.base < r->r.size) {
            cpu->last_region = i;
            return r;
        }
    }
    return NULL;
}

bool cpu_read32(sim_cpu *cpu, uint32_t addr, uint32_t *val)
{
    cpu_region *r = cpu_region_of(cpu, addr);
    if (r && addr - r->r.base <= r->r.size - 4) {
        const uint8_t *p = r->r.host + (addr - r->r.base);
        *val = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        return true;
    }
    if (addr >= PPB_BASE && addr < PPB_EXTERNAL)
        return sim_cpu_ppb_read(cpu, addr, val, 4) == SIM_ACC_OK;
    return cpu->bus.read(cpu->bus.ctx, addr, val, 4) == SIM_ACC_OK;
}

bool cpu_write32(sim_cpu *cpu, uint32_t addr, uint32_t val)
{
    cpu_region *r = cpu_region_of(cpu, addr);
    if (r && r->r.writable && addr - r->r.base <= r->r.size - 4) {
        uint8_t *p = r->r.host + (addr - r->r.base);
        p[0] = (uint8_t)val;
        p[1] = (uint8_t)(val >> 8);
        p[2] = (uint8_t)(val >> 16);
        p[3] = (uint8_t)(val >> 24);
        return true;
    }
    if (addr >= PPB_BASE && addr < PPB_EXTERNAL)
        return cpu_ppb_write_core(cpu, addr, val, 4) == SIM_ACC_OK;
    return cpu->bus.write(cpu->bus.ctx, addr, val, 4) == SIM_ACC_OK;
}

/* Translated code for [lo, hi) is stale: drop it now, or after the run when inside one. */
void cpu_invalidate(sim_cpu *cpu, uint32_t lo, uint32_t hi)
{
    if (hi <= lo)
        return;
    if (cpu->in_run) {
        if (cpu->inval_hi <= cpu->inval_lo) {
            cpu->inval_lo = lo;
            cpu->inval_hi = hi;
        } else {
            if (lo < cpu->inval_lo)
                cpu->inval_lo = lo;
            if (hi > cpu->inval_hi)
                cpu->inval_hi = hi;
        }
        return;
    }
    uc_ctl_remove_cache(cpu->uc, lo, hi);
}

/* The board's bytes [host, host+len) changed: refresh every shadow and translation that
 * shows them (aliases included). */
static void sync_host_range(sim_cpu *cpu, const uint8_t *host, size_t len)
{
    for (size_t i = 0; i < cpu->nregions; i++) {
        cpu_region *r = &cpu->regions[i];
        const uint8_t *lo = host > r->r.host ? host : r->r.host;
        const uint8_t *hi = host + len < r->r.host + r->r.size ? host + len : r->r.host + r->r.size;
        if (lo >= hi)
            continue;
        size_t off = (size_t)(lo - r->r.host);
        if (r->map != r->r.host)
            memcpy(r->map + off, lo, (size_t)(hi - lo));
        uint32_t glo = r->r.base + (uint32_t)off;
        cpu_invalidate(cpu, glo, glo + (uint32_t)(hi - lo));
    }
}

void sim_cpu_mem_changed(sim_cpu *cpu, uint32_t addr, uint32_t len)
{
    cpu_region *r = cpu_region_of(cpu, addr);
    if (!r || len == 0)
        return;
    uint32_t off = addr - r->r.base;
    if (len > r->r.size - off)
        len = r->r.size - off;
    sync_host_range(cpu, r->r.host + off, len);
}

/* Safety net when the core resumes or resets: shadows that differ from the board's bytes
 * (a change nobody announced) are refreshed page by page. */
void cpu_resync_shadows(sim_cpu *cpu)
{
    for (size_t i = 0; i < cpu->nregions; i++) {
        cpu_region *r = &cpu->regions[i];
        if (!r->shadow)
            continue;
        for (size_t off = 0; off < r->r.size; off += UC_PAGE) {
            if (memcmp(r->shadow + off, r->r.host + off, UC_PAGE) != 0)
                sync_host_range(cpu, r->r.host + off, UC_PAGE);
        }
    }
}

/* Bit-band (M3/M4, ARMv7-M B3.1.4): each word of the alias regions 0x22000000 and
 * 0x42000000 is one bit of SRAM 0x20000000 / peripherals 0x40000000 (first MiB). The
 * access becomes a read or read-modify-write of the unit of the same size holding it. */
static bool bitband_target(const sim_cpu *cpu, uint32_t addr, unsigned width, uint32_t *unit,
                           unsigned *bitpos)
{
    uint32_t base;
    if (!cpu->bitband)
        return false;
    if (addr >= 0x22000000u && addr < 0x24000000u)
        base = 0x20000000u;
    else if (addr >= 0x42000000u && addr < 0x44000000u)
        base = 0x40000000u;
    else
        return false;
    uint32_t off = addr - (base + 0x02000000u);
    uint32_t byte = base + (off >> 5);
    *unit = byte & ~(uint32_t)(width - 1);
    *bitpos = (byte - *unit) * 8 + ((off >> 2) & 7);
    return true;
}

static sim_access unit_read(sim_cpu *cpu, uint32_t addr, uint32_t *val, unsigned width)
{
    cpu_region *r = cpu_region_of(cpu, addr);
    if (r && addr - r->r.base <= r->r.size - width) {
        const uint8_t *p = r->map + (addr - r->r.base);
        *val = 0;
        for (unsigned i = 0; i < width; i++)
            *val |= (uint32_t)p[i] << (8 * i);
        return SIM_ACC_OK;
    }
    return cpu->bus.read(cpu->bus.ctx, addr, val, width);
}

static sim_access unit_write(sim_cpu *cpu, uint32_t addr, uint32_t val, unsigned width)
{
    cpu_region *r = cpu_region_of(cpu, addr);
    if (r && r->r.writable && addr - r->r.base <= r->r.size - width) {
        uint8_t *p = r->map + (addr - r->r.base);
        for (unsigned i = 0; i < width; i++)
            p[i] = (uint8_t)(val >> (8 * i));
        cpu_invalidate(cpu, addr, addr + width);
        return SIM_ACC_OK;
    }
    return cpu->bus.write(cpu->bus.ctx, addr, val, width);
}

static uint64_t mmio_read(uc_engine *uc, uint64_t offset, unsigned size, void *user)
{
    cpu_mmio *m = user;
    sim_cpu *cpu = m->cpu;
    uint32_t addr = m->base + (uint32_t)offset;
    uint32_t val = 0, unit;
    unsigned bit;
    sim_access a;
    if (m->ppb)
        a = sim_cpu_ppb_read(cpu, addr, &val, size);
    else if (bitband_target(cpu, addr, size, &unit, &bit)) {
        a = unit_read(cpu, unit, &val, size);
        val = (val >> bit) & 1;
    } else
        a = cpu->bus.read(cpu->bus.ctx, addr, &val, size);
    if (a == SIM_ACC_FAULT || a == SIM_ACC_NO_TARGET) {
        cpu->busfault_cfsr |= CFSR_PRECISERR | CFSR_BFARVALID;
        cpu->busfault_addr = addr;
        cpu_request_stop(cpu, STOP_BUSFAULT);
        val = 0;
    }
    return val;
}

static void mmio_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value, void *user)
{
    cpu_mmio *m = user;
    sim_cpu *cpu = m->cpu;
    uint32_t addr = m->base + (uint32_t)offset;
    uint32_t unit, cur = 0;
    unsigned bit;
    sim_access a;
    if (m->ppb)
        a = cpu_ppb_write_core(cpu, addr, (uint32_t)value, size);
    else if (bitband_target(cpu, addr, size, &unit, &bit)) {
        a = unit_read(cpu, unit, &cur, size);
        if (a == SIM_ACC_OK)
            a = unit_write(cpu, unit, (cur & ~(1u << bit)) | (uint32_t)(value & 1) << bit, size);
    } else
        a = cpu->bus.write(cpu->bus.ctx, addr, (uint32_t)value, size);
    if (a == SIM_ACC_FAULT || a == SIM_ACC_NO_TARGET) {
        cpu->busfault_cfsr |= CFSR_IMPRECISERR;
        cpu_request_stop(cpu, STOP_BUSFAULT);
    }
}

static int cmp_region(const void *a, const void *b)
{
    const cpu_region *x = a, *y = b;
    return x->r.base < y->r.base ? -1 : x->r.base > y->r.base;
}

static bool check_regions(const cpu_region *r, size_t n, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t end = (uint64_t)r[i].r.base + r[i].r.size;
        if (r[i].r.size == 0 || (r[i].r.size % UC_PAGE) || (r[i].r.base % UC_PAGE) ||
            end > PPB_BASE || !r[i].r.host) {
            snprintf(err, errlen, "bad region 0x%08x+0x%x (1 KiB aligned, below 0xE0000000)",
                     r[i].r.base, r[i].r.size);
            return false;
        }
        if (i + 1 < n && end > r[i + 1].r.base) {
            snprintf(err, errlen, "regions 0x%08x and 0x%08x overlap", r[i].r.base,
                     r[i + 1].r.base);
            return false;
        }
    }
    return true;
}

/* Gives every new read-only region its view: an old shadow of the same bytes if there is
 * one, an alias of an earlier new one, or a fresh copy. */
static bool prepare_views(cpu_region *nr, size_t n, cpu_region *old, size_t nold)
{
    for (size_t i = 0; i < n; i++) {
        cpu_region *r = &nr[i];
        r->map = NULL;
        r->shadow = NULL;
        if (r->r.writable) {
            r->map = r->r.host;
            continue;
        }
        for (size_t j = 0; j < nold && !r->map; j++) {
            if (old[j].shadow && old[j].r.host == r->r.host && old[j].r.size == r->r.size) {
                r->map = r->shadow = old[j].shadow;
                old[j].shadow = NULL; /* ownership moves */
            }
        }
        for (size_t j = 0; j < i && !r->map; j++) {
            cpu_region *o = &nr[j];
            if (!o->r.writable && r->r.host >= o->r.host &&
                r->r.host + r->r.size <= o->r.host + o->r.size)
                r->map = o->map + (r->r.host - o->r.host);
        }
        if (!r->map) {
            void *p = NULL;
            if (posix_memalign(&p, 4096, r->r.size) != 0)
                return false;
            memcpy(p, r->r.host, r->r.size);
            r->map = r->shadow = p;
        }
    }
    return true;
}

static bool same_region(const cpu_region *a, const cpu_region *b)
{
    return a->r.base == b->r.base && a->r.size == b->r.size && a->map == b->map &&
           a->r.writable == b->r.writable;
}

typedef struct hole {
    uint64_t lo, hi;
    bool ppb;
} hole;

static size_t holes_of(const cpu_region *r, size_t n, hole *out)
{
    size_t k = 0;
    uint64_t at = 0;
    for (size_t i = 0; i < n; i++) {
        if (r[i].r.base > at)
            out[k++] = (hole){at, r[i].r.base, false};
        at = (uint64_t)r[i].r.base + r[i].r.size;
    }
    if (at < PPB_BASE)
        out[k++] = (hole){at, PPB_BASE, false};
    out[k++] = (hole){PPB_BASE, PPB_END, true};
    out[k++] = (hole){PPB_END, 0x100000000ull, false};
    return k;
}

/* Moves Unicorn's map from the current regions to nr (sorted, checked). */
static bool apply_map(sim_cpu *cpu, cpu_region *nr, size_t n, char *err, size_t errlen)
{
    cpu_region old[CPU_MAX_REGIONS];
    size_t nold = cpu->nregions;
    memcpy(old, cpu->regions, nold * sizeof old[0]);
    if (!prepare_views(nr, n, old, nold)) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    hole nh[CPU_MAX_REGIONS + 4];
    size_t nnh = holes_of(nr, n, nh);

    for (size_t j = 0; j < nold; j++) {
        bool kept = false;
        for (size_t i = 0; i < n && !kept; i++)
            kept = same_region(&old[j], &nr[i]);
        if (!kept) {
            uc_ctl_remove_cache(cpu->uc, old[j].r.base, (uint64_t)old[j].r.base + old[j].r.size);
            uc_mem_unmap(cpu->uc, old[j].r.base, old[j].r.size);
        }
    }
    size_t keep = 0;
    for (size_t j = 0; j < cpu->nmmio; j++) {
        cpu_mmio *m = cpu->mmio[j];
        bool kept = false;
        for (size_t i = 0; i < nnh && !kept; i++)
            kept = nh[i].lo == m->base && nh[i].hi - nh[i].lo == m->size && nh[i].ppb == m->ppb;
        if (kept) {
            cpu->mmio[keep++] = m;
        } else {
            uc_mem_unmap(cpu->uc, m->base, m->size);
            free(m);
        }
    }
    cpu->nmmio = keep;
    for (size_t i = 0; i < n; i++) {
        bool had = false;
        for (size_t j = 0; j < nold && !had; j++)
            had = same_region(&old[j], &nr[i]);
        if (had)
            continue;
        uint32_t perms = nr[i].r.writable ? UC_PROT_ALL : (UC_PROT_READ | UC_PROT_EXEC);
        uc_err e = uc_mem_map_ptr(cpu->uc, nr[i].r.base, nr[i].r.size, perms, nr[i].map);
        if (e != UC_ERR_OK) {
            snprintf(err, errlen, "cannot map 0x%08x: %s", nr[i].r.base, uc_strerror(e));
            return false;
        }
    }
    for (size_t i = 0; i < nnh; i++) {
        bool had = false;
        for (size_t j = 0; j < cpu->nmmio && !had; j++)
            had = cpu->mmio[j]->base == nh[i].lo && cpu->mmio[j]->size == nh[i].hi - nh[i].lo;
        if (had)
            continue;
        cpu_mmio *m = calloc(1, sizeof *m);
        if (!m || cpu->nmmio == CPU_MAX_MMIO) {
            free(m);
            snprintf(err, errlen, "too many memory map holes");
            return false;
        }
        *m = (cpu_mmio){cpu, (uint32_t)nh[i].lo, nh[i].hi - nh[i].lo, nh[i].ppb};
        uc_err e = uc_mmio_map(cpu->uc, m->base, (size_t)m->size, mmio_read, m, mmio_write, m);
        if (e != UC_ERR_OK) {
            free(m);
            snprintf(err, errlen, "cannot map the bus at 0x%08x: %s", (uint32_t)nh[i].lo,
                     uc_strerror(e));
            return false;
        }
        cpu->mmio[cpu->nmmio++] = m;
    }
    for (size_t j = 0; j < nold; j++)
        free(old[j].shadow); /* those not handed over to a new region */
    memcpy(cpu->regions, nr, n * sizeof nr[0]);
    cpu->nregions = n;
    cpu->last_region = 0;
    return true;
}

bool cpu_map_init(sim_cpu *cpu, const sim_mem_region *regions, size_t n, char *err, size_t errlen)
{
    cpu_region nr[CPU_MAX_REGIONS];
    memset(nr, 0, sizeof nr);
    for (size_t i = 0; i < n; i++)
        nr[i].r = regions[i];
    qsort(nr, n, sizeof nr[0], cmp_region);
    return check_regions(nr, n, err, errlen) && apply_map(cpu, nr, n, err, errlen);
}

void cpu_map_free(sim_cpu *cpu)
{
    for (size_t i = 0; i < cpu->nregions; i++)
        free(cpu->regions[i].shadow);
    for (size_t j = 0; j < cpu->nmmio; j++)
        free(cpu->mmio[j]);
    cpu->nregions = cpu->nmmio = 0;
}

int sim_cpu_remap(sim_cpu *cpu, const sim_mem_region *region)
{
    char err[128];
    if (cpu->in_run) { /* Unicorn's map cannot change under a running block */
        if (cpu->npending_remap == sizeof cpu->pending_remap / sizeof cpu->pending_remap[0])
            return -1;
        cpu->pending_remap[cpu->npending_remap++] = *region;
        cpu_request_stop(cpu, STOP_REMAP);
        return 0;
    }
    cpu_region nr[CPU_MAX_REGIONS];
    size_t n = 0;
    bool remove = region->size == 0 || region->host == NULL;
    bool found = false;
    for (size_t i = 0; i < cpu->nregions; i++) {
        if (cpu->regions[i].r.base == region->base) {
            found = true;
            if (remove)
                continue;
            memset(&nr[n], 0, sizeof nr[n]);
            nr[n++].r = *region;
        } else {
            memset(&nr[n], 0, sizeof nr[n]);
            nr[n++].r = cpu->regions[i].r;
        }
    }
    if (!found && !remove) {
        if (n == CPU_MAX_REGIONS)
            return -1;
        memset(&nr[n], 0, sizeof nr[n]);
        nr[n++].r = *region;
    }
    qsort(nr, n, sizeof nr[0], cmp_region);
    if (!check_regions(nr, n, err, sizeof err) || !apply_map(cpu, nr, n, err, sizeof err))
        return -1;
    return 0;
}
