/* The virtual board: builds the memory map of a part from the chip database, owns the
 * core, resets, power and pins. Bus decoding is in sim/bus.c, time in sim/clock.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_internal.h"
#include "swo_internal.h"

#define PAGE        4096u
#define ROUND_UP(x) (((x) + PAGE - 1u) & ~(PAGE - 1u))

/* ---- small accessors ------------------------------------------------------------- */

const sim_spec *sim_board_spec(const sim_board *b)
{
    return &b->spec;
}

const struct stp_chip *sim_board_chip(const sim_board *b)
{
    return b->chip;
}

const struct stp_part *sim_board_part(const sim_board *b)
{
    return b->part;
}

sim_stats *sim_board_stats(sim_board *b)
{
    return &b->stats;
}

/* xorshift64*: small, seeded, reproducible. */
uint32_t sim_board_random(sim_board *b)
{
    uint64_t x = b->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    b->rng = x;
    return (uint32_t)((x * 0x2545F4914F6CDD1Dull) >> 32);
}

double sim_target_voltage(const sim_board *b)
{
    return b->spec.vdd;
}

#define LIST_FLASH_MODEL(kind, name) &sim_flash_model_##name,
static const sim_flash_model *const flash_models[] = {STP_FLASH_KINDS(LIST_FLASH_MODEL)};

const sim_flash_model *sim_flash_model_for(stp_flash_kind kind)
{
    for (size_t i = 0; i < sizeof flash_models / sizeof flash_models[0]; i++)
        if (flash_models[i]->kind == kind)
            return flash_models[i];
    return NULL;
}

/* ---- system memory --------------------------------------------------------------- */

typedef struct span {
    uint32_t lo, hi;
} span;

static int span_cmp(const void *a, const void *b)
{
    const span *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Groups the ROM, unique ID, flash-size register and option bytes into 4 KiB-aligned
 * host-backed areas (pieces closer than 64 KiB share one area). */
static int build_sys_areas(sim_board *b)
{
    const stp_chip *c = b->chip;
    span s[5];
    size_t n = 0;
    s[n++] = (span){c->bootloader_addr, c->bootloader_addr + PAGE};
    s[n++] = (span){c->uid_addr, c->uid_addr + 12};
    s[n++] = (span){c->flash_size_reg & ~3u, (c->flash_size_reg & ~3u) + 4};
    if (c->option_bytes_addr) /* H7: not mapped, only the option registers show them */
        s[n++] = (span){c->option_bytes_addr, c->option_bytes_addr + c->option_bytes_size};
    if (c->option_bytes2_addr)
        s[n++] = (span){c->option_bytes2_addr, c->option_bytes2_addr + c->option_bytes2_size};
    qsort(s, n, sizeof s[0], span_cmp);
    b->sys_count = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t lo = s[i].lo & ~(PAGE - 1u);
        uint32_t hi = ROUND_UP(s[i].hi);
        if (b->sys_count &&
            lo <= b->sys[b->sys_count - 1].base + b->sys[b->sys_count - 1].size + 0x10000u) {
            sim_area *a = &b->sys[b->sys_count - 1];
            if (hi > a->base + a->size)
                a->size = hi - a->base;
            continue;
        }
        if (b->sys_count >= SIM_MAX_AREAS)
            return -1;
        b->sys[b->sys_count++] = (sim_area){lo, hi - lo, NULL, false};
    }
    for (size_t i = 0; i < b->sys_count; i++) {
        b->sys[i].mem = malloc(b->sys[i].size);
        if (!b->sys[i].mem)
            return -1;
        memset(b->sys[i].mem, 0xFF, b->sys[i].size);
    }
    return 0;
}

uint8_t *sim_sys_ptr(sim_board *b, uint32_t addr, uint32_t len)
{
    for (size_t i = 0; i < b->sys_count; i++) {
        sim_area *a = &b->sys[i];
        if (addr >= a->base && addr - a->base < a->size && len <= a->size - (addr - a->base))
            return a->mem + (addr - a->base);
    }
    return NULL;
}

/* Not ST's ROM: a vector table and a loop that waits (wfi; b .-2) stand in for the
 * bootloader the core runs with boot0=1. The AN3155 protocol is modelled elsewhere. */
static void write_rom_placeholder(sim_board *b)
{
    uint8_t *rom = sim_sys_ptr(b, b->chip->bootloader_addr, 0x44);
    if (!rom)
        return;
    uint32_t sp = b->chip->sram_base + b->sram_size;
    uint32_t loop = (b->chip->bootloader_addr + 0x40u) | 1u;
    sim_put_le32(rom, sp);
    for (uint32_t v = 1; v < 16; v++)
        sim_put_le32(rom + 4 * v, loop);
    rom[0x40] = 0x30; /* wfi */
    rom[0x41] = 0xBF;
    rom[0x42] = 0xFD; /* b 0x40 */
    rom[0x43] = 0xE7;
}

static void write_ids(sim_board *b)
{
    /* Unique ID: reproducible from the seed (wafer X/Y, lot number in real parts). */
    uint64_t saved = b->rng;
    b->rng = b->spec.seed * 0x9E3779B97F4A7C15ull + b->part->dev_id + 1;
    for (int i = 0; i < 3; i++)
        b->uid[i] = sim_board_random(b);
    b->rng = saved;
    uint8_t *u = sim_sys_ptr(b, b->chip->uid_addr, 12);
    if (u) {
        for (int i = 0; i < 3; i++)
            sim_put_le32(u + 4 * i, b->uid[i]);
    }
    uint32_t raw;
    if (b->spec.fsize_set && !b->spec.fsize_unreadable) {
        raw = b->spec.fsize_raw;
    } else {
        switch (b->chip->fsize_decode) {
        case STP_FSIZE_L1_CAT3:
            raw = b->part->flash_kb == 256 ? 1u : 0u;
            break;
        default:
            raw = b->part->flash_kb;
            break;
        }
    }
    uint8_t *f = sim_sys_ptr(b, b->chip->flash_size_reg, 2);
    if (f) {
        f[0] = (uint8_t)raw;
        f[1] = (uint8_t)(raw >> 8);
    }
}

void sim_board_ob_render(sim_board *b)
{
    const stp_chip *c = b->chip;
    uint8_t *p =
        c->option_bytes_addr ? sim_sys_ptr(b, c->option_bytes_addr, c->option_bytes_size) : NULL;
    if (p)
        memcpy(p, b->ob, c->option_bytes_size);
    if (p)
        sim_board_mem_changed(b, c->option_bytes_addr, c->option_bytes_size);
    if (c->option_bytes2_addr) {
        uint8_t *q = sim_sys_ptr(b, c->option_bytes2_addr, c->option_bytes2_size);
        if (q) {
            memcpy(q, b->ob + c->option_bytes_size, c->option_bytes2_size);
            sim_board_mem_changed(b, c->option_bytes2_addr, c->option_bytes2_size);
        }
    }
}

void sim_board_ob_reload(sim_board *b)
{
    memset(&b->ob_active, 0, sizeof b->ob_active);
    b->fm->ob_load(b, &b->ob_active);
    sim_board_ob_render(b);
}

/* ---- the core -------------------------------------------------------------------- */

void sim_board_mem_changed(sim_board *b, uint32_t addr, uint32_t len)
{
    if (b->cpu && !b->frozen)
        sim_cpu_mem_changed(b->cpu, addr, len);
}

static sim_access bus_read_cb(void *ctx, uint32_t addr, uint32_t *val, unsigned width)
{
    return sim_bus_read((sim_board *)ctx, addr, val, width, SIM_MASTER_CORE);
}

static sim_access bus_write_cb(void *ctx, uint32_t addr, uint32_t val, unsigned width)
{
    return sim_bus_write((sim_board *)ctx, addr, val, width, SIM_MASTER_CORE);
}

static void sysreset_cb(void *ctx)
{
    sim_board_reset((sim_board *)ctx, SIM_RESET_SOFT);
}

static void itm_write_cb(void *ctx, unsigned port, uint32_t val, unsigned width, uint32_t tcr)
{
    sim_itm_write((sim_board *)ctx, port, val, width, tcr);
}

static bool itm_ready_cb(void *ctx)
{
    return sim_itm_ready((sim_board *)ctx);
}

static uint32_t cpuid_for(const stp_chip *c)
{
    /* Implementer ARM (0x41), architecture 0xF, the variant/revision the family's parts carry
     * (the family row: M3 r1p1 on F1, r2p0 on F2/L1, M4 r0p1, M7 r1p0). */
    return 0x41000000u | (uint32_t)c->fam->cpuid_variant << 20 | 0xFu << 16 |
           (uint32_t)stp_core_cpuid_partno(c->core) << 4 | c->fam->cpuid_revision;
}

/* The RAM block at address 0 (H7 ITCM), which takes the boot alias's place, or NULL. */
static const sim_area *ram_at_zero(const sim_board *b)
{
    for (size_t i = 0; i < b->ram_count; i++) {
        if (b->ram[i].base == 0)
            return &b->ram[i];
    }
    return NULL;
}

static int create_core(sim_board *b, char *err, size_t errlen)
{
    const stp_chip *c = b->chip;
    sim_mem_region r[3 + SIM_MAX_AREAS + SIM_MAX_RAM];
    size_t n = 0;
    r[n++] = (sim_mem_region){c->flash_base, ROUND_UP(b->flash_size), b->flash, false};
    for (size_t i = 0; i < b->ram_count; i++)
        r[n++] = (sim_mem_region){b->ram[i].base, ROUND_UP(b->ram[i].size), b->ram[i].mem, true};
    if (ram_at_zero(b)) {
        /* no boot alias: the core fetches its vectors where the model says (boot_vtor) */
    } else if (b->spec.boot0) {
        uint32_t boot = c->bootloader_addr;
        uint8_t *rom = sim_sys_ptr(b, boot, PAGE);
        size_t avail = 0;
        for (size_t i = 0; i < b->sys_count; i++) {
            if (boot >= b->sys[i].base && boot - b->sys[i].base < b->sys[i].size)
                avail = b->sys[i].base + b->sys[i].size - boot;
        }
        r[n++] = (sim_mem_region){0, (uint32_t)avail & ~(PAGE - 1u), rom, false};
    } else {
        r[n++] = (sim_mem_region){0, ROUND_UP(b->flash_size), b->flash, false};
    }
    r[n++] = (sim_mem_region){c->sram_base, ROUND_UP(b->sram_size), b->sram, true};
    for (size_t i = 0; i < b->sys_count; i++)
        r[n++] = (sim_mem_region){b->sys[i].base, b->sys[i].size, b->sys[i].mem, false};
    sim_bus bus = {b, bus_read_cb, bus_write_cb, sysreset_cb, itm_write_cb, itm_ready_cb};
    b->cpu = sim_cpu_create(c->core, cpuid_for(c), &bus, r, n, err, errlen);
    b->core_flash[0][0] = c->flash_base;
    b->core_flash[0][1] = ROUND_UP(b->flash_size);
    b->core_flash_count = 1;
    sim_ecc_core_view(b);
    return b->cpu ? 0 : -1;
}

/* ---- bank mode -------------------------------------------------------------------- */

void sim_board_set_bank_mode(sim_board *b, bool dual)
{
    if (dual == b->dual_bank || !b->chip->layout_dual.bank_count)
        return;
    size_t n = stp_chip_sectors(b->chip, b->part->flash_kb, dual, NULL, 0);
    if (n == 0 || n > b->sector_cap)
        return;
    b->sector_count = stp_chip_sectors(b->chip, b->part->flash_kb, dual, b->sectors, n);
    b->dual_bank = dual;
}

/* Erase cycles are counted on the part's default layout (the state file's); a sector of
 * the other bank mode counts on the default sector that holds its first byte. */
size_t sim_wear_index(const sim_board *b, size_t sector)
{
    if (sector >= b->sector_count)
        return (size_t)-1;
    uint32_t addr = b->sectors[sector].addr;
    for (size_t i = 0; i < b->wear_count; i++) {
        const stp_sector *w = &b->wear_sectors[i];
        if (addr >= w->addr && addr - w->addr < w->size)
            return i;
    }
    return (size_t)-1;
}

/* ---- reset ----------------------------------------------------------------------- */

void sim_board_reset(sim_board *b, sim_reset_kind kind)
{
    bool power = kind == SIM_RESET_POR || kind == SIM_RESET_BOR;
    if (b->op.kind != SIM_OP_NONE)
        sim_flash_abort(b, b->now_ns);
    if (power) {
        b->debugger_seen = false;
        b->dbgmcu_cr = 0;
        b->dbgmcu_apb1fz = 0;
        b->dbgmcu_apb2fz = 0;
    }
    b->fm->reset(b);
    sim_board_ob_reload(b);
    sim_periph_reset(b, power);
    sim_iwdg_reset(b);
    sim_rcc_reset(b, kind);
    b->core_hz = b->chip->reset_clock_hz ? b->chip->reset_clock_hz : 8000000u;
    b->swd_dead = false;
    b->fw_run_ns = 0;
    b->fw_in_control = !b->spec.boot0; /* boot0=1: the core starts in system memory */
    b->core_stall_ns = 0;
    if (b->cpu)
        sim_cpu_reset(b->cpu, power, b->fm->boot_vtor ? b->fm->boot_vtor(b) : 0);
    b->supply_bo_ns = 0; /* the reset clock's current: drawn again */
    sim_supply_update(b, b->now_ns);
}

/* ---- open / close ---------------------------------------------------------------- */

static int fail(char *err, size_t errlen, const char *msg)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", msg);
    return -1;
}

static int build(sim_board *b, char *err, size_t errlen)
{
    const stp_chip *c = b->chip;
    b->fm = sim_flash_model_for(c->flash_kind);
    if (!b->fm)
        return fail(err, errlen, "sim: no flash-controller model for this part");
    b->flash_size = (uint32_t)b->part->flash_kb * 1024u;
    b->flash = malloc(ROUND_UP(b->flash_size));
    b->dual_bank = b->part->dual_bank;
    b->wear_count = stp_chip_sectors(c, b->part->flash_kb, b->dual_bank, NULL, 0);
    b->sector_count = b->wear_count;
    b->sector_cap = b->wear_count;
    if (c->layout_dual.bank_count) {
        size_t other = stp_chip_sectors(c, b->part->flash_kb, !b->dual_bank, NULL, 0);
        b->sector_cap = other > b->sector_cap ? other : b->sector_cap;
    }
    b->sectors = calloc(b->sector_cap ? b->sector_cap : 1, sizeof *b->sectors);
    b->wear_sectors = calloc(b->wear_count ? b->wear_count : 1, sizeof *b->wear_sectors);
    b->erase_counts = calloc(b->wear_count ? b->wear_count : 1, sizeof *b->erase_counts);
    /* the part's SRAM exactly (the debug bus faults past it); the core maps whole pages */
    b->sram_size = (uint32_t)b->part->sram_kb * 1024u;
    /* a page more: the core maps an aliased block (below) in whole pages */
    b->sram = calloc(1, (b->sram_size ? ROUND_UP(b->sram_size) : PAGE) + PAGE);
    b->ob_size = c->option_bytes_size + c->option_bytes2_size;
    b->ob = calloc(1, b->ob_size ? b->ob_size : 1);
    if (!b->flash || !b->sectors || !b->wear_sectors || !b->erase_counts || !b->sram || !b->ob)
        return fail(err, errlen, "sim: out of memory");
    for (size_t i = 0; i < c->ram_area_count && i < SIM_MAX_RAM; i++) {
        const stp_ram_area *ra = &c->ram_areas[i];
        sim_area *a = &b->ram[b->ram_count++];
        if (ra->alias >= c->sram_base && ra->alias - c->sram_base < b->sram_size &&
            ra->size <= b->sram_size - (ra->alias - c->sram_base)) {
            /* the same cells as the SRAM at alias: the debug bus ends where the block does */
            *a = (sim_area){ra->base, ra->size, b->sram + (ra->alias - c->sram_base), true};
            continue;
        }
        *a = (sim_area){ra->base, ROUND_UP(ra->size), NULL, false};
        a->mem = calloc(1, a->size);
        if (!a->mem)
            return fail(err, errlen, "sim: out of memory");
    }
    memset(b->flash, c->erased_value, ROUND_UP(b->flash_size));
    stp_chip_sectors(c, b->part->flash_kb, b->dual_bank, b->sectors, b->sector_count);
    memcpy(b->wear_sectors, b->sectors, b->wear_count * sizeof *b->sectors);
    if (build_sys_areas(b))
        return fail(err, errlen, "sim: cannot lay out system memory for this part");
    write_rom_placeholder(b);
    write_ids(b);
    if (b->fm->create(b))
        return fail(err, errlen, "sim: flash model setup failed");
    b->fm->ob_default(b);
    return 0;
}

sim_board *sim_board_open(const char *spec_text, char *err, size_t errlen)
{
    sim_board *b = calloc(1, sizeof *b);
    if (!b) {
        fail(err, errlen, "sim: out of memory");
        return NULL;
    }
    b->state_fd = -1;
    sim_stats_cpu_enter(&b->stats); /* opening (core, state file) is the model's work too */
    if (sim_spec_parse(spec_text, &b->spec, err, errlen)) {
        free(b);
        return NULL;
    }
    b->part = stp_part_by_name(b->spec.part);
    b->chip = stp_part_chip(b->part);
    b->rng = b->spec.seed ? b->spec.seed : 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < 4; i++)
        sim_board_random(b);
    if (build(b, err, errlen))
        goto bad;
    int fresh = b->spec.state_path[0] ? sim_state_open(b, err, errlen) : 1;
    if (fresh < 0)
        goto bad;
    if (fresh > 0)
        sim_ecc_apply_spec(b); /* a saved board keeps the words it has (or had erased) */
    if (b->spec.rdp >= 0 || b->spec.wrp_set)
        b->fm->ob_apply_spec(b, b->spec.rdp >= 0, b->spec.rdp, b->spec.wrp_set, b->spec.wrp_mask);
    sim_board_ob_render(b);
    if (create_core(b, err, errlen))
        goto bad;
    sim_board_reset(b, SIM_RESET_POR);
    sim_stats_cpu_leave(&b->stats);
    return b;
bad:
    sim_board_close(b);
    return NULL;
}

static void destroy(sim_board *b)
{
    if (b->cpu)
        sim_cpu_destroy(b->cpu);
    free(b->flash_ctx);
    sim_swo_free(b);
    for (size_t i = 0; i < b->sys_count; i++)
        free(b->sys[i].mem);
    for (size_t i = 0; i < b->ram_count; i++)
        if (!b->ram[i].alias)
            free(b->ram[i].mem);
    free(b->flash);
    free(b->sectors);
    free(b->wear_sectors);
    free(b->erase_counts);
    free(b->sram);
    free(b->ob);
    free(b);
}

void sim_board_close(sim_board *b)
{
    if (!b)
        return;
    if (b->state_fd >= 0) {
        if (b->op.kind != SIM_OP_NONE)
            sim_flash_abort(b, b->now_ns); /* power goes away mid-operation */
        sim_state_save(b);
        sim_state_close(b);
    }
    destroy(b);
}

int sim_board_sync(sim_board *b)
{
    return b->state_fd >= 0 ? sim_state_save(b) : 0;
}

/* ---- pins and the debug port ------------------------------------------------------- */

void sim_nrst_set(sim_board *b, bool asserted)
{
    if (b->spec.nrst_unconnected || asserted == b->nrst_held)
        return;
    b->nrst_held = asserted;
    /* Held low: everything but the debug logic is in reset. Released: the chip starts
     * (vector catch applies). Both edges leave PINRSTF. */
    sim_board_reset(b, SIM_RESET_PIN);
}

bool sim_nrst_held(const sim_board *b)
{
    return b->nrst_held;
}

/* SW-DP IDCODE (DPIDR) as the reference manuals' debug chapters give it. */
static uint32_t dpidr_for(const stp_chip *c)
{
    switch (c->core) {
    case STP_CORE_M0:
        return 0x0BB11477u;
    case STP_CORE_M0P:
        return 0x0BC11477u;
    case STP_CORE_M7:
        return 0x5BA02477u;
    case STP_CORE_M33:
        return 0x0BE12477u;
    case STP_CORE_M3:
        /* the F1's r1p1 M3 has the DPv0 SW-DP (RM0008 "ID codes"), r2p0 parts DPv1 */
        return c->fam->cpuid_variant == 1 ? 0x1BA01477u : 0x2BA01477u;
    default:
        return 0x2BA01477u; /* Cortex-M4 */
    }
}

sim_access sim_dp_idcode(sim_board *b, uint32_t *idcode)
{
    if (sim_debug_port_dead(b)) {
        if (idcode)
            *idcode = 0;
        return SIM_ACC_NO_TARGET;
    }
    b->debugger_seen = true;
    if (idcode)
        *idcode = dpidr_for(b->chip);
    return SIM_ACC_OK;
}

bool sim_debug_port_dead(const sim_board *b)
{
    return b->ob_active.rdp_level >= 2 || b->swd_dead;
}
