/* The board's bus: decodes an address into flash, its boot alias, SRAM, system memory,
 * the flash controller, the other peripherals and the PPB, for the debugger (MEM-AP) and
 * for the core. Addresses nothing answers produce a bus fault, like the AHB does. */
#include <string.h>

#include "coresight.h"
#include "sim_internal.h"
#include "swo_internal.h"

#define PPB_BASE        0xE0000000u
#define DCRSR           0xE000EDF4u
#define PPB_END         0xE0100000u
#define PERIPH_BASE     0x40000000u
#define PERIPH_END      0x60000000u
#define FLASH_REGS_SPAN 0x400u

static bool in_range(uint32_t addr, uint32_t base, uint32_t size)
{
    return addr >= base && addr - base < size;
}

uint8_t *sim_ram_ptr(sim_board *b, uint32_t addr, uint32_t len)
{
    for (size_t i = 0; i < b->ram_count; i++) {
        sim_area *a = &b->ram[i];
        if (addr >= a->base && addr - a->base < a->size && len <= a->size - (addr - a->base))
            return a->mem + (addr - a->base);
    }
    return NULL;
}

/* The boot alias at 0: main flash, or system memory with boot0=1; none where RAM sits at 0
 * (H7 ITCM). */
static bool alias_target(const sim_board *b, uint32_t addr, uint32_t *out)
{
    for (size_t i = 0; i < b->ram_count; i++) {
        if (b->ram[i].base == 0)
            return false;
    }
    if (b->spec.boot0) {
        uint32_t boot = b->chip->bootloader_addr;
        for (size_t i = 0; i < b->sys_count; i++) {
            const sim_area *a = &b->sys[i];
            if (in_range(boot, a->base, a->size) && addr < a->base + a->size - boot) {
                *out = boot + addr;
                return true;
            }
        }
        return false;
    }
    if (addr < b->flash_size) {
        *out = b->chip->flash_base + addr;
        return true;
    }
    return false;
}

static uint32_t load(const uint8_t *p, unsigned width)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < width; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static void store(uint8_t *p, uint32_t v, unsigned width)
{
    for (unsigned i = 0; i < width; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static bool in_ob_area(const sim_board *b, uint32_t addr)
{
    const stp_chip *c = b->chip;
    return (c->option_bytes_addr && in_range(addr, c->option_bytes_addr, c->option_bytes_size)) ||
           (c->option_bytes2_addr && in_range(addr, c->option_bytes2_addr, c->option_bytes2_size));
}

static bool is_dbgmcu(const sim_board *b, uint32_t addr)
{
    return in_range(addr, b->chip->idcode_addr, 0x10);
}

/* Peripheral registers: 32-bit registers; narrower accesses see their byte lanes. */
static sim_access periph_read(sim_board *b, uint32_t addr, uint32_t *val, unsigned width)
{
    uint32_t word = addr & ~3u, v = 0;
    unsigned shift = (addr & 3u) * 8u;
    if (in_range(word, b->chip->flash_regs, FLASH_REGS_SPAN)) {
        sim_access a = b->fm->reg_read(b, word - b->chip->flash_regs, &v);
        if (a != SIM_ACC_OK)
            return a;
    } else if (!sim_dbgmcu_read(b, word, &v) && !sim_periph_read(b, word, &v)) {
        v = 0; /* unmodelled peripheral: reads as zero, like one with its clock off */
    }
    *val = width == 4 ? v : (v >> shift) & ((1u << (8 * width)) - 1u);
    return SIM_ACC_OK;
}

static sim_access periph_write(sim_board *b, uint32_t addr, uint32_t val, unsigned width)
{
    uint32_t word = addr & ~3u;
    unsigned shift = (addr & 3u) * 8u;
    uint32_t mask = width == 4 ? 0xFFFFFFFFu : ((1u << (8 * width)) - 1u) << shift;
    uint32_t v = width == 4 ? val : val << shift;
    if (in_range(word, b->chip->flash_regs, FLASH_REGS_SPAN))
        return b->fm->reg_write(b, word - b->chip->flash_regs, v, mask);
    if (!sim_dbgmcu_write(b, word, v, mask))
        sim_periph_write(b, word, v, mask); /* unknown: ignored */
    return SIM_ACC_OK;
}

/* Whether a peripheral-space address lies in a block the family's parts decode (chip
 * database stp_family.periph_map, from the reference manuals' memory maps). Elsewhere the
 * bus bridge answers with an error: a bus fault, as on the chip (an L152RE accessed at the
 * L0's flash base 0x40022000 gives READDEBUGREG errors: stlink-org issue 1161). */
static bool periph_decoded(const sim_board *b, uint32_t addr)
{
    const stp_family *f = b->chip->fam;
    if (f == NULL || f->periph_map == NULL)
        return true;
    for (size_t i = 0; i < f->periph_map_count; i++) {
        if (addr >= f->periph_map[i].base && addr < f->periph_map[i].end)
            return true;
    }
    return false;
}

/* Cortex-M3/M4 bit-band alias of the first MiB of peripherals (ARMv7-M ARM B3.1.5 / the
 * cores' TRMs "bit-banding"): 0x42000000 + 32 x offset + 4 x bit. The debugger's accesses go
 * through the core's bus matrix, which does the translation; the M0+ and M7 have none. */
#define BITBAND_BASE 0x42000000u
#define BITBAND_END  0x44000000u

static bool bitband_target(const sim_board *b, uint32_t addr, uint32_t *word, unsigned *bit)
{
    if (addr < BITBAND_BASE || addr >= BITBAND_END ||
        (b->chip->core != STP_CORE_M3 && b->chip->core != STP_CORE_M4))
        return false;
    uint32_t off = addr - BITBAND_BASE;
    *word = PERIPH_BASE + ((off >> 5) & ~3u);
    *bit = (off >> 2) & 31u;
    return true;
}

static sim_access periph_access(sim_board *b, bool write, uint32_t addr, uint32_t *val,
                                unsigned width)
{
    uint32_t word;
    unsigned bit;
    if (bitband_target(b, addr, &word, &bit)) {
        if (!periph_decoded(b, word))
            return SIM_ACC_FAULT;
        uint32_t v = 0;
        sim_access a = periph_read(b, word, &v, 4);
        if (a != SIM_ACC_OK || !write) {
            *val = (v >> bit) & 1u;
            return a;
        }
        v = (v & ~(1u << bit)) | (*val & 1u) << bit;
        return periph_write(b, word, v, 4);
    }
    if (!periph_decoded(b, addr))
        return SIM_ACC_FAULT;
    return write ? periph_write(b, addr, *val, width) : periph_read(b, addr, val, width);
}

static sim_access ppb_read(sim_board *b, uint32_t addr, uint32_t *val, unsigned width,
                           sim_master who)
{
    if (is_dbgmcu(b, addr))
        return periph_read(b, addr, val, width);
    if (width == 4 && sim_tpiu_read(b, addr, val))
        return SIM_ACC_OK;
    if (who == SIM_MASTER_DEBUG && b->cpu)
        return sim_cpu_ppb_read(b->cpu, addr, val, width);
    *val = 0;
    return SIM_ACC_OK;
}

/* Whether the core executing at pc runs the program in flash: main flash, or its alias at
 * 0 when the chip boots from flash. */
static bool pc_in_flash_program(const sim_board *b, uint32_t pc)
{
    if (in_range(pc, b->chip->flash_base, b->flash_size))
        return true;
    uint32_t real;
    return !b->spec.boot0 && pc < b->flash_size && alias_target(b, pc, &real);
}

static sim_access ppb_write(sim_board *b, uint32_t addr, uint32_t val, unsigned width,
                            sim_master who)
{
    if (is_dbgmcu(b, addr))
        return periph_write(b, addr, val, width);
    if (width == 4 && sim_tpiu_write(b, addr, val))
        return SIM_ACC_OK;
    if (who != SIM_MASTER_DEBUG || !b->cpu)
        return SIM_ACC_OK;
    sim_access r = sim_cpu_ppb_write(b->cpu, addr, val, width);
    /* DCRSR with REGWnR (bit 16) and REGSEL 15 (ARMv7-M ARM C1.6.3): the debugger moved
     * the PC. Code it points to outside flash (a RAM loader) is not the firmware. */
    if (r == SIM_ACC_OK && addr == DCRSR && width == 4 && (val & 0x1007Fu) == 0x1000Fu)
        b->fw_in_control = pc_in_flash_program(b, sim_cpu_reg(b->cpu, 15));
    return r;
}

static bool fsize_fault(const sim_board *b, uint32_t addr, unsigned width)
{
    if (!b->spec.fsize_unreadable)
        return false;
    uint32_t word = b->chip->flash_size_reg & ~3u;
    return addr < word + 4 && addr + width > word;
}

sim_access sim_bus_read(sim_board *b, uint32_t addr, uint32_t *val, unsigned width, sim_master who)
{
    const stp_chip *c = b->chip;
    uint32_t real;
    *val = 0;
    if (addr < 0x10000000u && alias_target(b, addr, &real))
        addr = real;
    if (in_range(addr, c->flash_base, b->flash_size)) {
        if (who == SIM_MASTER_DEBUG && b->ob_active.rdp_level >= 1 && b->debugger_seen)
            return SIM_ACC_FAULT; /* RDP level 1: no flash access with a debugger */
        if (sim_flash_busy(b)) {
            if (who == SIM_MASTER_DEBUG)
                return SIM_ACC_WAIT; /* AHB stalled by the operation */
            sim_flash_finish_now(b);
        }
        *val = load(b->flash + (addr - c->flash_base), width);
        return b->ecc_count ? sim_ecc_read(b, addr, width, val, who) : SIM_ACC_OK;
    }
    if (in_range(addr, c->sram_base, b->sram_size)) {
        *val = load(b->sram + (addr - c->sram_base), width);
        return SIM_ACC_OK;
    }
    uint8_t *ram = sim_ram_ptr(b, addr, width);
    if (ram) {
        *val = load(ram, width);
        return SIM_ACC_OK;
    }
    uint8_t *sys = sim_sys_ptr(b, addr, width);
    if (sys) {
        if (fsize_fault(b, addr, width))
            return SIM_ACC_FAULT;
        *val = load(sys, width);
        return SIM_ACC_OK;
    }
    if (in_range(addr, PERIPH_BASE, PERIPH_END - PERIPH_BASE))
        return periph_access(b, false, addr, val, width);
    if (sim_coresight_read(b, addr, val, width))
        return SIM_ACC_OK; /* ROM tables, component ID registers */
    if (addr >= PPB_BASE && addr < PPB_END)
        return ppb_read(b, addr, val, width, who);
    return SIM_ACC_FAULT;
}

sim_access sim_bus_write(sim_board *b, uint32_t addr, uint32_t val, unsigned width, sim_master who)
{
    const stp_chip *c = b->chip;
    uint32_t real;
    if (addr < 0x10000000u && alias_target(b, addr, &real))
        addr = real;
    if (in_range(addr, c->flash_base, b->flash_size) || in_ob_area(b, addr)) {
        if (sim_flash_busy(b)) {
            if (who == SIM_MASTER_DEBUG)
                return SIM_ACC_WAIT;
            sim_flash_finish_now(b);
        }
        return b->fm->mem_write(b, addr, val, width, who);
    }
    if (in_range(addr, c->sram_base, b->sram_size)) {
        store(b->sram + (addr - c->sram_base), val, width);
        return SIM_ACC_OK;
    }
    uint8_t *ram = sim_ram_ptr(b, addr, width);
    if (ram) {
        store(ram, val, width);
        return SIM_ACC_OK;
    }
    if (sim_sys_ptr(b, addr, width))
        return SIM_ACC_FAULT; /* ROM, OTP lock area, UID: not writable this way */
    if (in_range(addr, PERIPH_BASE, PERIPH_END - PERIPH_BASE))
        return periph_access(b, true, addr, &val, width);
    if (sim_coresight_is_rom(b, addr))
        return SIM_ACC_OK; /* ROM table: read-only, writes ignored */
    if (addr >= PPB_BASE && addr < PPB_END)
        return ppb_write(b, addr, val, width, who);
    return SIM_ACC_FAULT;
}

/* ---- the debugger's view ----------------------------------------------------------- */

static sim_access check_request(uint32_t addr, uint32_t len, unsigned width)
{
    if ((width != 1 && width != 2 && width != 4) || len % width || addr % width)
        return SIM_ACC_FAULT;
    return SIM_ACC_OK;
}

sim_access sim_mem_read(sim_board *b, uint32_t addr, void *buf, uint32_t len, unsigned width,
                        uint32_t *done)
{
    uint8_t *out = buf;
    uint32_t pos = 0;
    sim_access a = check_request(addr, len, width);
    if (a == SIM_ACC_OK && sim_debug_port_dead(b))
        a = SIM_ACC_NO_TARGET;
    if (a == SIM_ACC_OK)
        b->debugger_seen = true;
    while (a == SIM_ACC_OK && pos < len) {
        uint32_t v = 0;
        uint32_t at = addr + pos;
        if (b->spec.supply != SIM_SUPPLY_DEAD_CORE || is_dbgmcu(b, at))
            a = sim_bus_read(b, at, &v, width, SIM_MASTER_DEBUG);
        /* else: the core domain is unpowered and the AHB returns zeros */
        if (a == SIM_ACC_OK) {
            store(out + pos, v, width);
            pos += width;
        }
    }
    if (done)
        *done = pos;
    return a;
}

sim_access sim_mem_write(sim_board *b, uint32_t addr, const void *buf, uint32_t len, unsigned width,
                         uint32_t *done)
{
    const uint8_t *in = buf;
    uint32_t pos = 0;
    sim_access a = check_request(addr, len, width);
    if (a == SIM_ACC_OK && sim_debug_port_dead(b))
        a = SIM_ACC_NO_TARGET;
    if (a == SIM_ACC_OK)
        b->debugger_seen = true;
    while (a == SIM_ACC_OK && pos < len) {
        uint32_t at = addr + pos;
        if (b->spec.supply != SIM_SUPPLY_DEAD_CORE || is_dbgmcu(b, at))
            a = sim_bus_write(b, at, load(in + pos, width), width, SIM_MASTER_DEBUG);
        if (a == SIM_ACC_OK)
            pos += width;
    }
    if (pos && (in_range(addr, b->chip->sram_base, b->sram_size) || sim_ram_ptr(b, addr, 1)))
        sim_board_mem_changed(b, addr, pos); /* the core sees the debugger's bytes */
    if (done)
        *done = pos;
    return a;
}

uint64_t sim_board_stall_ns(const sim_board *b, uint32_t addr)
{
    if (!sim_flash_busy(b))
        return 0;
    uint32_t real = addr;
    if (addr < 0x10000000u && alias_target(b, addr, &real))
        addr = real;
    real = addr;
    bool flash = in_range(real, b->chip->flash_base, b->flash_size) || in_ob_area(b, real);
    if (!flash)
        return 0;
    if (b->op.end_ns == SIM_NEVER)
        return UINT64_MAX;
    return b->op.end_ns > b->now_ns ? b->op.end_ns - b->now_ns : 0;
}
