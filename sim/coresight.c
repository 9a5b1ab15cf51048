/* CoreSight discovery on the virtual chip: what a debugger walks from the AHB-AP's BASE
 * register (ARM IHI 0031 ADIv5, "ROM tables" and "Component and Peripheral ID registers";
 * ARM IHI 0029 CoreSight architecture, component classes).
 *
 * Sources, per core:
 * - ST's ROM table (every STM32): the reference manuals' debug chapter, "ROM table" /
 *   "MCU ROM table": designer JEP106 0x20 (STMicroelectronics, bank 0), part number = the
 *   device ID (DBGMCU_IDCODE DEV_ID), MEMTYPE = system memory present. RM0008 (F1),
 *   RM0033 (F2), RM0090 (F4), RM0385/RM0410 (F7), RM0038 (L1), RM0351 (L4), RM0440 (G4),
 *   RM0444 (G0).
 * - Cortex-M3 TRM (ARM DDI 0337) "ROM table" and the ID values of SCS, DWT, FPB, ITM, TPIU,
 *   ETM; Cortex-M4 TRM (ARM DDI 0439) the same; Cortex-M0+ TRM (ARM DDI 0484): its own ROM
 *   table (part 0x4C0) with SCS, DWT, BPU, behind ST's table at 0xF0000000 (MEM-AP BASE
 *   0xF0000003 on STM32 G0/L0); Cortex-M7 TRM (ARM DDI 0489): ST's table at 0xE00FD000, the
 *   M7 PPB ROM table (0x4C8) at 0xE00FE000, the processor ROM table (0x4C7) at 0xE00FF000.
 * - The ETM entry is marked present only on F2/F4/F7 (their datasheets list the ETM); on the
 *   others the entry says "not present" (bit 0 clear), a simplification where unchecked.
 *
 * Only ROM table words and the identification block (0xFBC-0xFFC) of each component are
 * answered here; the components' other registers are the core model's (sim/cpu_*.c). */
#include "coresight.h"

#include <stddef.h>

#define ST_JEP106 0x20u
#define ARM_PID(cont, rev, part)                                                                   \
    ((uint64_t)(cont) << 32 | (uint64_t)(rev) << 20 | 1ull << 19 | (uint64_t)0x3Bu << 12 | (part))
#define ARM_CONT   4u /* ARM Ltd: JEP106 bank 5 (continuation code 4), ID 0x3B */
#define CLS_ROM    0x1u
#define CLS_CS     0x9u /* CoreSight component (TPIU, ETM) */
#define CLS_GENIP  0xEu /* generic IP (SCS, DWT, FPB, ITM of ARMv6-M/ARMv7-M) */
#define ID_START   0xFBCu
#define ROM_ST     0u /* pid 0: ST's table, part number from the device ID */
#define MAX_ENTRY  8
#define ENTRY_HERE 3u /* present, 32-bit format */
#define ENTRY_GONE 2u /* not present, 32-bit format */

typedef struct cs_rom {
    uint32_t base;
    uint64_t pid;                /* ROM_ST: ST's */
    uint32_t entries[MAX_ENTRY]; /* ending with 0 */
} cs_rom;

typedef struct cs_comp {
    uint32_t base;
    uint64_t pid;
    uint8_t cls;
    uint8_t devtype; /* DEVTYPE of CoreSight-class components */
} cs_comp;

typedef struct cs_layout {
    uint32_t ap_base;
    cs_rom roms[3];
    size_t rom_count;
    cs_comp comps[6];
    size_t comp_count;
} cs_layout;

/* Entry offsets from a table at 0xE00FF000: SCS 0xE000E000, DWT 0xE0001000, FPB
 * 0xE0002000, ITM 0xE0000000, TPIU 0xE0040000, ETM 0xE0041000. */
#define E_SCS  0xFFF0F000u
#define E_DWT  0xFFF02000u
#define E_FPB  0xFFF03000u
#define E_ITM  0xFFF01000u
#define E_TPIU 0xFFF41000u
#define E_ETM  0xFFF42000u

static const cs_layout layout_m3 = {
    .ap_base = 0xE00FF003u,
    .roms = {{0xE00FF000u,
              ROM_ST,
              {E_SCS | ENTRY_HERE, E_DWT | ENTRY_HERE, E_FPB | ENTRY_HERE, E_ITM | ENTRY_HERE,
               E_TPIU | ENTRY_HERE, E_ETM | ENTRY_GONE, 0}}},
    .rom_count = 1,
    .comps = {{0xE000E000u, ARM_PID(ARM_CONT, 0, 0x000), CLS_GENIP, 0},
              {0xE0001000u, ARM_PID(ARM_CONT, 3, 0x002), CLS_GENIP, 0},
              {0xE0002000u, ARM_PID(ARM_CONT, 2, 0x003), CLS_GENIP, 0},
              {0xE0000000u, ARM_PID(ARM_CONT, 3, 0x001), CLS_GENIP, 0},
              {0xE0040000u, ARM_PID(ARM_CONT, 1, 0x923), CLS_CS, 0x11},
              {0xE0041000u, ARM_PID(ARM_CONT, 1, 0x924), CLS_CS, 0x13}},
    .comp_count = 6,
};

static const cs_layout layout_m4 = {
    .ap_base = 0xE00FF003u,
    .roms = {{0xE00FF000u,
              ROM_ST,
              {E_SCS | ENTRY_HERE, E_DWT | ENTRY_HERE, E_FPB | ENTRY_HERE, E_ITM | ENTRY_HERE,
               E_TPIU | ENTRY_HERE, E_ETM | ENTRY_GONE, 0}}},
    .rom_count = 1,
    .comps = {{0xE000E000u, ARM_PID(ARM_CONT, 0, 0x00C), CLS_GENIP, 0},
              {0xE0001000u, ARM_PID(ARM_CONT, 3, 0x002), CLS_GENIP, 0},
              {0xE0002000u, ARM_PID(ARM_CONT, 2, 0x003), CLS_GENIP, 0},
              {0xE0000000u, ARM_PID(ARM_CONT, 3, 0x001), CLS_GENIP, 0},
              {0xE0040000u, ARM_PID(ARM_CONT, 0, 0x9A1), CLS_CS, 0x11},
              {0xE0041000u, ARM_PID(ARM_CONT, 0, 0x925), CLS_CS, 0x13}},
    .comp_count = 6,
};

/* ST table 0xF0000000 -> M0+ ROM table 0xE00FF000 (entry 0xF00FF000 wraps to it). */
static const cs_layout layout_m0p = {
    .ap_base = 0xF0000003u,
    .roms = {{0xF0000000u, ROM_ST, {0xF00FF000u | ENTRY_HERE, 0}},
             {0xE00FF000u,
              ARM_PID(ARM_CONT, 0, 0x4C0),
              {E_SCS | ENTRY_HERE, E_DWT | ENTRY_HERE, E_FPB | ENTRY_HERE, 0}}},
    .rom_count = 2,
    .comps = {{0xE000E000u, ARM_PID(ARM_CONT, 0, 0x008), CLS_GENIP, 0},
              {0xE0001000u, ARM_PID(ARM_CONT, 0, 0x00A), CLS_GENIP, 0},
              {0xE0002000u, ARM_PID(ARM_CONT, 0, 0x00B), CLS_GENIP, 0}},
    .comp_count = 3,
};

/* ST table 0xE00FD000 -> M7 PPB ROM table 0xE00FE000 -> processor ROM table 0xE00FF000
 * (SCS, DWT, FPB, ITM); the PPB table also lists the TPIU and the ETM. */
static const cs_layout layout_m7 = {
    .ap_base = 0xE00FD003u,
    .roms = {{0xE00FD000u, ROM_ST, {0x00001000u | ENTRY_HERE, 0}},
             {0xE00FE000u,
              ARM_PID(ARM_CONT, 0, 0x4C8),
              {0x00001000u | ENTRY_HERE, 0xFFF42000u | ENTRY_HERE, 0xFFF43000u | ENTRY_GONE, 0}},
             {0xE00FF000u,
              ARM_PID(ARM_CONT, 0, 0x4C7),
              {E_SCS | ENTRY_HERE, E_DWT | ENTRY_HERE, E_FPB | ENTRY_HERE, E_ITM | ENTRY_HERE, 0}}},
    .rom_count = 3,
    .comps = {{0xE000E000u, ARM_PID(ARM_CONT, 0, 0x00C), CLS_GENIP, 0},
              {0xE0001000u, ARM_PID(ARM_CONT, 0, 0x002), CLS_GENIP, 0},
              {0xE0002000u, ARM_PID(ARM_CONT, 0, 0x00E), CLS_GENIP, 0},
              {0xE0000000u, ARM_PID(ARM_CONT, 0, 0x001), CLS_GENIP, 0},
              {0xE0040000u, ARM_PID(ARM_CONT, 0, 0x9A9), CLS_CS, 0x11},
              {0xE0041000u, ARM_PID(ARM_CONT, 0, 0x975), CLS_CS, 0x13}},
    .comp_count = 6,
};

static const cs_layout *layout_of(const sim_board *b)
{
    switch (b->chip->core) {
    case STP_CORE_M0:
    case STP_CORE_M0P:
        return &layout_m0p;
    case STP_CORE_M3:
        return &layout_m3;
    case STP_CORE_M4:
        return &layout_m4;
    case STP_CORE_M7:
        return &layout_m7;
    default:
        return NULL; /* M33 (ARMv8-M, DEVARCH-based): not modelled */
    }
}

/* F2/F4/F7 list an ETM (the family row's etm). */
static bool has_etm(const sim_board *b)
{
    return b->chip->fam->etm;
}

static uint64_t st_rom_pid(const sim_board *b)
{
    /* PIDR0-2: part number (DEV_ID), JEP106 ID 0x20 with the "JEDEC" bit; PIDR4 = 0: bank 0. */
    return (uint64_t)(ST_JEP106 & 0x7Fu) << 12 | 1ull << 19 | (b->chip->dev_id & 0xFFFu);
}

/* The ID block's word at off (0xFBC-0xFFC). */
static uint32_t id_word(uint32_t off, uint64_t pid, unsigned cls, uint32_t devtype)
{
    switch (off) {
    case 0xFCC:
        return devtype; /* DEVTYPE, or MEMTYPE of a ROM table */
    case 0xFD0:
        return (uint32_t)(pid >> 32) & 0xFFu;
    case 0xFE0:
    case 0xFE4:
    case 0xFE8:
    case 0xFEC:
        return (uint32_t)(pid >> (8 * ((off - 0xFE0) / 4))) & 0xFFu;
    case 0xFF0:
        return 0x0D;
    case 0xFF4:
        return (cls & 0xFu) << 4;
    case 0xFF8:
        return 0x05;
    case 0xFFC:
        return 0xB1;
    default:
        return 0; /* DEVARCH, DEVID, PIDR5-7: RAZ */
    }
}

static uint32_t rom_word(const sim_board *b, const cs_rom *r, uint32_t off)
{
    if (off >= ID_START)
        return id_word(off, r->pid == ROM_ST ? st_rom_pid(b) : r->pid, CLS_ROM, 1 /* SYSMEM */);
    if (off / 4 >= MAX_ENTRY)
        return 0;
    uint32_t e = r->entries[off / 4];
    if (has_etm(b) && e == (E_ETM | ENTRY_GONE) && r->base == 0xE00FF000u)
        e = E_ETM | ENTRY_HERE;
    if (has_etm(b) && e == (0xFFF43000u | ENTRY_GONE))
        e = 0xFFF43000u | ENTRY_HERE;
    return e;
}

uint32_t sim_board_ap_base(const sim_board *b)
{
    return sim_coresight_ap_base(b);
}

uint32_t sim_coresight_ap_base(const sim_board *b)
{
    const cs_layout *l = layout_of(b);
    return l != NULL ? l->ap_base : 0xE00FF003u;
}

bool sim_coresight_is_rom(const sim_board *b, uint32_t addr)
{
    const cs_layout *l = layout_of(b);
    for (size_t i = 0; l != NULL && i < l->rom_count; i++)
        if ((addr & ~0xFFFu) == l->roms[i].base)
            return true;
    return false;
}

bool sim_coresight_read(const sim_board *b, uint32_t addr, uint32_t *val, unsigned width)
{
    const cs_layout *l = layout_of(b);
    if (l == NULL || addr < 0xE0000000u)
        return false;
    uint32_t block = addr & ~0xFFFu, off = addr & 0xFFCu;
    bool found = false;
    uint32_t w = 0;
    for (size_t i = 0; !found && i < l->rom_count; i++) {
        if (l->roms[i].base == block) {
            w = rom_word(b, &l->roms[i], off);
            found = true;
        }
    }
    for (size_t i = 0; !found && off >= ID_START && i < l->comp_count; i++) {
        const cs_comp *c = &l->comps[i];
        if (c->base == block) {
            w = id_word(off, c->pid, c->cls, c->devtype);
            found = true;
        }
    }
    if (!found)
        return false;
    unsigned shift = (addr & 3u) * 8u;
    *val = width == 4 ? w : (w >> shift) & ((1u << (8 * width)) - 1u);
    return true;
}
