/* A fake board for the core tests (see fake_board.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_board.h"

#define DHCSR 0xE000EDF0u
#define DCRSR 0xE000EDF4u
#define DCRDR 0xE000EDF8u

static bool in_flash(uint32_t addr)
{
    return (addr >= FB_FLASH && addr - FB_FLASH < FB_FLASH_SZ) || addr < FB_FLASH_SZ;
}

static bool permissive_read(fake_board *b, uint32_t addr, uint32_t *val, unsigned width)
{
    if (!b->permissive || addr < 0x40000000u || addr >= 0x60000000u)
        return false;
    *val = 0;
    for (size_t i = b->nlog; i-- > 0;) {
        if (b->log[i].addr == addr && b->log[i].width == width) {
            *val = b->log[i].val;
            break;
        }
    }
    return true;
}

static sim_access fb_bus_read(void *ctx, uint32_t addr, uint32_t *val, unsigned width)
{
    fake_board *b = ctx;
    if (permissive_read(b, addr, val, width))
        return SIM_ACC_OK;
    if (addr >= FB_PERIPH && addr < FB_PERIPH + sizeof b->periph) {
        uint32_t w = b->periph[(addr - FB_PERIPH) / 4];
        *val = width == 4 ? w : (w >> (8 * (addr & 3))) & (width == 2 ? 0xFFFFu : 0xFFu);
        return SIM_ACC_OK;
    }
    if (addr == FB_FLASHCTL + 0x0C) {
        b->sr_reads++;
        *val = b->flash_busy ? (1u << 16) : 0;
        if (b->flash_busy)
            b->flash_busy--;
        return SIM_ACC_OK;
    }
    if (addr == FB_FLASHCTL + 0x10) {
        *val = b->flash_cr;
        return SIM_ACC_OK;
    }
    return SIM_ACC_FAULT;
}

static sim_access fb_bus_write(void *ctx, uint32_t addr, uint32_t val, unsigned width)
{
    fake_board *b = ctx;
    if (b->nlog < FB_MAX_LOG)
        b->log[b->nlog++] = (fb_write){addr, val, width};
    if (in_flash(addr)) {
        if (!(b->flash_cr & 1))
            return SIM_ACC_OK; /* a real controller would flag an error; the data is lost */
        uint32_t off = addr >= FB_FLASH ? addr - FB_FLASH : addr;
        for (unsigned i = 0; i < width; i++)
            b->flash[off + i] &= (uint8_t)(val >> (8 * i)); /* NOR: clears bits only */
        sim_cpu_mem_changed(b->cpu, FB_FLASH + off, width);
        b->flash_busy = 2;
        return SIM_ACC_OK;
    }
    if (addr >= FB_PERIPH && addr < FB_PERIPH + sizeof b->periph) {
        uint32_t *w = &b->periph[(addr - FB_PERIPH) / 4];
        if (width == 4) {
            *w = val;
        } else {
            unsigned sh = 8 * (addr & 3);
            uint32_t m = (width == 2 ? 0xFFFFu : 0xFFu) << sh;
            *w = (*w & ~m) | ((val << sh) & m);
        }
        return SIM_ACC_OK;
    }
    if (addr == FB_FLASHCTL + 0x10) {
        b->flash_cr = val;
        return SIM_ACC_OK;
    }
    if (b->permissive && addr >= 0x40000000u && addr < 0x60000000u)
        return SIM_ACC_OK;
    return SIM_ACC_FAULT;
}

static void fb_free_mem(fake_board *b)
{
    free(b->flash);
    free(b->sram);
    free(b);
}

static void fb_reset_req(void *ctx)
{
    fake_board *b = ctx;
    b->resets++;
    sim_cpu_reset(b->cpu, false, 0);
}

uint32_t fb_cpuid(stp_core_kind core)
{
    switch (core) {
    case STP_CORE_M0:
    case STP_CORE_M0P:
        return 0x410CC200u;
    case STP_CORE_M3:
        return 0x412FC231u;
    case STP_CORE_M7:
        return 0x411FC270u;
    default:
        return 0x410FC241u;
    }
}

static fake_board *fb_create(stp_core_kind core, const char *path, uint32_t sram_size,
                             bool permissive)
{
    fake_board *b = calloc(1, sizeof *b);
    void *f = NULL, *s = NULL;
    if (!b || posix_memalign(&f, 4096, FB_FLASH_SZ) || posix_memalign(&s, 4096, sram_size))
        abort();
    b->flash = f;
    b->sram = s;
    b->sram_size = sram_size;
    b->permissive = permissive;
    memset(b->flash, 0xFF, FB_FLASH_SZ);
    memset(b->sram, 0, sram_size);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fb_free_mem(b);
        return NULL;
    }
    size_t n = fread(b->flash, 1, FB_FLASH_SZ, fp);
    fclose(fp);
    if (n < 64)
        abort();
    sim_mem_region regions[3] = {
        {FB_FLASH, FB_FLASH_SZ, b->flash, false},
        {0, FB_FLASH_SZ, b->flash, false},
        {FB_SRAM, sram_size, b->sram, true},
    };
    sim_bus bus = {b, fb_bus_read, fb_bus_write, fb_reset_req, NULL, NULL};
    char err[128];
    b->cpu = sim_cpu_create(core, fb_cpuid(core), &bus, regions, 3, err, sizeof err);
    if (!b->cpu) {
        fprintf(stderr, "sim_cpu_create: %s\n", err);
        abort();
    }
    sim_cpu_reset(b->cpu, true, 0);
    return b;
}

fake_board *fb_new(stp_core_kind core)
{
    fake_board *b = fb_create(core, SIMCPU_PROGS, FB_SRAM_SZ, false);
    if (!b)
        abort();
    return b;
}

fake_board *fb_new_image(stp_core_kind core, const char *path, uint32_t sram_size)
{
    return fb_create(core, path, sram_size, true);
}

void fb_free(fake_board *b)
{
    sim_cpu_destroy(b->cpu);
    fb_free_mem(b);
}

uint32_t fb_rd(fake_board *b, uint32_t addr)
{
    uint32_t v = 0xDEADBEEF;
    if (sim_cpu_ppb_read(b->cpu, addr, &v, 4) != SIM_ACC_OK)
        abort();
    return v;
}

void fb_wr(fake_board *b, uint32_t addr, uint32_t val)
{
    if (sim_cpu_ppb_write(b->cpu, addr, val, 4) != SIM_ACC_OK)
        abort();
}

void fb_halt(fake_board *b)
{
    fb_wr(b, DHCSR, 0xA05F0003u);
}

void fb_resume(fake_board *b)
{
    fb_wr(b, DHCSR, 0xA05F0001u);
}

uint32_t fb_reg(fake_board *b, unsigned regsel)
{
    fb_wr(b, DCRSR, regsel);
    if (!(fb_rd(b, DHCSR) & (1u << 16)))
        abort(); /* S_REGRDY */
    return fb_rd(b, DCRDR);
}

void fb_set_reg(fake_board *b, unsigned regsel, uint32_t val)
{
    fb_wr(b, DCRDR, val);
    fb_wr(b, DCRSR, regsel | (1u << 16));
}

uint32_t fb_prog(fake_board *b, unsigned n)
{
    const uint8_t *p = b->flash + 0x200 + 4 * n;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void fb_start(fake_board *b, uint32_t entry)
{
    fb_halt(b);
    fb_set_reg(b, 15, entry & ~1u);
    fb_set_reg(b, 16, 0x01000000u);
    fb_set_reg(b, 17, 0x20008000u);
    fb_resume(b);
}

uint64_t fb_run_until_halt(fake_board *b, uint64_t max)
{
    uint64_t total = 0;
    while (total < max && !sim_cpu_halted(b->cpu)) {
        uint64_t n = sim_cpu_run(b->cpu, 1000);
        total += n;
        if (n == 0)
            break;
    }
    return total;
}
