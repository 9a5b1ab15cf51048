/* The bootloader's flash sequences on the L4-type controller (L4 RM0351 3.3, G0 RM0444 3.3,
 * G4 RM0440 3.3; the same registers as sim/families/flash_l4.c): KEYR unlock, PG with
 * double-word programming (two 32-bit stores, the first at an 8-byte boundary: the only
 * programming the controller offers, RM0351 "Flash main memory programming sequence"),
 * PER/PNB/BKER page erase, MER1/MER2 mass erase, and the option bytes by OPTKEYR, the
 * OPTR and WRPxyR registers and OPTSTRT, loaded afterwards with OBL_LAUNCH (RM0351 "Option
 * bytes programming": the new values take effect after OBL_LAUNCH or a power reset; a
 * system reset does not load them on this controller).
 *
 * What the ROM code itself adds (AN2606, the STM32L4/G0/G4 bootloader chapters; AN3155):
 * - Write Memory to flash goes out as whole double words. Bytes of a double word the host
 *   did not send are written as the erased value 0xFF (a Write Memory of 4 bytes at an
 *   8-byte boundary programs that double word), so the rest of a double word cannot be
 *   written by a later command: the controller refuses to program a double word that is
 *   not erased (PROGERR), and the command is NACKed. Hosts send multiples of 8 (stprog's
 *   program unit on these families is the double word).
 * - Mass erase (Extended Erase 0xFFFF) erases every bank; 0xFFFE/0xFFFD erase bank 1/2 on
 *   a dual-bank part and are NACKed on a single-bank one. A WRP area in the bank makes
 *   the controller refuse (WRPERR): NACK.
 * - Write Protect takes page numbers (one WRP unit of the chip row = one 2 KiB page) and
 *   turns them into the two WRP areas each bank has; a set of pages that needs more than
 *   two runs per bank cannot be expressed and is NACKed. Write Unprotect writes both areas
 *   of each bank empty (STRT > END, the family's wrp_area_none).
 * - Readout Protect writes RDP 0xBB (level 1); Readout Unprotect writes 0xAA, the
 *   controller mass-erases the main flash on the regression and keeps the WRP areas.
 * Each option command ends with OBL_LAUNCH after the ACK (sim_bl_family.reload). */
#include "bootloader_internal.h"

#define REG_KEYR    0x08
#define REG_OPTKEYR 0x0C
#define REG_SR      0x10
#define REG_CR      0x14
#define REG_OPTR    0x20

#define SR_BSY (1u << 16)
#define SR_ALL_FLAGS                                                                               \
    0xC3FBu /* EOP OPERR PROGERR WRPERR PGAERR SIZERR PGSERR MISERR FASTERR RDERR OPTVERR */
#define SR_ERRORS     0x43FAu /* the same without EOP and OPTVERR (an option-load flag) */
#define CR_PG         (1u << 0)
#define CR_PER        (1u << 1)
#define CR_MER1       (1u << 2)
#define CR_PNB_SHIFT  3
#define CR_BKER       (1u << 11)
#define CR_MER2       (1u << 15)
#define CR_STRT       (1u << 16)
#define CR_OPTSTRT    (1u << 17)
#define CR_OBL_LAUNCH (1u << 27)
#define CR_OPTLOCK    (1u << 30)
#define CR_LOCK       (1u << 31)
#define DW            8u

/* WRP area registers: bank 1 A/B, bank 2 A/B (RM0351 FLASH_WRP1AR.. FLASH_WRP2BR). */
static const uint32_t wrp_reg[4] = {0x2C, 0x30, 0x4C, 0x50};

static unsigned banks(const sim_board *b)
{
    return b->chip->option_bytes2_size ? 2u : 1u;
}

static uint32_t pages_per_bank(const sim_board *b)
{
    return (uint32_t)b->sector_count / banks(b);
}

/* PNB of erase unit index: its position in its bank. */
static uint32_t page_in_bank(const sim_board *b, size_t index)
{
    uint32_t n = 0;
    for (size_t i = 0; i < index; i++)
        n += b->sectors[i].bank == b->sectors[index].bank;
    return n;
}

static bool unlock(sim_board *b, bool options)
{
    bool ok = true;
    if (sim_bl_reg_read(b, REG_CR) & CR_LOCK)
        ok = sim_bl_reg_write(b, REG_KEYR, 0x45670123u) &&
             sim_bl_reg_write(b, REG_KEYR, 0xCDEF89ABu);
    if (ok && options && (sim_bl_reg_read(b, REG_CR) & CR_OPTLOCK))
        ok = sim_bl_reg_write(b, REG_OPTKEYR, 0x08192A3Bu) &&
             sim_bl_reg_write(b, REG_OPTKEYR, 0x4C5D6E7Fu);
    /* Flags an earlier operation (or the option load) left would block the next one. */
    return ok && sim_bl_reg_write(b, REG_SR, SR_ALL_FLAGS);
}

static void lock(sim_board *b)
{
    sim_bl_reg_write(b, REG_CR, CR_LOCK | CR_OPTLOCK);
}

static bool done(sim_board *b, uint64_t typ_ns)
{
    bool ok = sim_bl_wait(b, REG_SR, SR_BSY, sim_bl_limit_ns(typ_ns));
    uint32_t sr = sim_bl_reg_read(b, REG_SR);
    if (sr & SR_ERRORS)
        ok = false;
    sim_bl_reg_write(b, REG_SR, sr & SR_ALL_FLAGS);
    return ok;
}

static uint32_t word_at(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool l4_program(sim_board *b, uint32_t addr, const uint8_t *data, uint32_t len)
{
    uint64_t tprog = sim_timing_program_ns(b, STP_PSIZE_X64);
    bool ok = unlock(b, false) && sim_bl_reg_write(b, REG_CR, CR_PG);
    uint32_t end = addr + len;
    for (uint32_t dw = addr & ~(DW - 1u); ok && dw < end; dw += DW) {
        uint8_t buf[DW];
        for (uint32_t i = 0; i < DW; i++)
            buf[i] = dw + i >= addr && dw + i < end ? data[dw + i - addr] : 0xFFu;
        ok = sim_bus_write(b, dw, word_at(buf), 4, SIM_MASTER_CORE) == SIM_ACC_OK &&
             sim_bus_write(b, dw + 4, word_at(buf + 4), 4, SIM_MASTER_CORE) == SIM_ACC_OK &&
             done(b, tprog);
    }
    sim_bl_reg_write(b, REG_CR, 0);
    lock(b);
    return ok;
}

static bool l4_erase(sim_board *b, size_t index)
{
    const stp_sector *s = &b->sectors[index];
    uint32_t page = page_in_bank(b, index);
    uint32_t cr = CR_PER | page << CR_PNB_SHIFT | (s->bank ? CR_BKER : 0);
    bool ok = unlock(b, false) && sim_bl_reg_write(b, REG_CR, cr) &&
              sim_bl_reg_write(b, REG_CR, cr | CR_STRT) &&
              done(b, sim_timing_erase_ns(b, s->size, STP_PSIZE_X64));
    sim_bl_reg_write(b, REG_CR, 0);
    lock(b);
    return ok;
}

static bool l4_mass_erase(sim_board *b, int bank)
{
    if (bank >= (int)banks(b))
        return false; /* no such bank */
    uint32_t cr = bank == 0 ? CR_MER1 : bank == 1 ? CR_MER2 : CR_MER1 | CR_MER2;
    if (banks(b) == 1)
        cr = CR_MER1;
    bool ok = unlock(b, false) && sim_bl_reg_write(b, REG_CR, cr) &&
              sim_bl_reg_write(b, REG_CR, cr | CR_STRT) &&
              done(b, sim_timing_mass_ns(b, STP_PSIZE_X64));
    sim_bl_reg_write(b, REG_CR, 0);
    lock(b);
    return ok;
}

/* The WRP units (pages) of wrp as at most two areas per bank; false when they need more. */
static bool wrp_areas(const sim_board *b, const sim_ob_active *wrp, uint32_t regs[4])
{
    uint32_t ppb = pages_per_bank(b), none = b->chip->fam->wrp_area_none;
    for (unsigned bank = 0; bank < banks(b); bank++) {
        unsigned n = 0;
        regs[2 * bank] = regs[2 * bank + 1] = none;
        for (uint32_t p = 0; p < ppb;) {
            if (!sim_wrp_get(wrp, bank * ppb + p)) {
                p++;
                continue;
            }
            uint32_t start = p;
            while (p < ppb && sim_wrp_get(wrp, bank * ppb + p))
                p++;
            if (n == 2)
                return false;
            regs[2 * bank + n++] = start | (p - 1) << 16;
        }
    }
    return true;
}

static bool l4_write_protection(sim_board *b, int rdp_level, const sim_ob_active *wrp)
{
    uint32_t regs[4];
    if (!wrp_areas(b, wrp, regs))
        return false;
    bool ok = unlock(b, true);
    uint32_t optr = sim_bl_reg_read(b, REG_OPTR);
    ok = ok && sim_bl_reg_write(b, REG_OPTR, (optr & ~0xFFu) | (rdp_level == 0 ? 0xAAu : 0xBBu));
    for (unsigned i = 0; ok && i < 2 * banks(b); i++)
        ok = sim_bl_reg_write(b, wrp_reg[i], regs[i]);
    /* The option area is written (and, on a regression to level 0, the flash mass-erased). */
    uint64_t ns = sim_timing_erase_ns(b, b->sectors[0].size, STP_PSIZE_X64) +
                  sim_timing_mass_ns(b, STP_PSIZE_X64);
    ok = ok && sim_bl_reg_write(b, REG_CR, CR_OPTSTRT) && done(b, ns);
    if (!ok)
        lock(b); /* on success the option registers stay open for OBL_LAUNCH */
    return ok;
}

/* OBL_LAUNCH: the option bytes are loaded and the chip resets (sim_board_reset OBL). */
static void l4_reload(sim_board *b)
{
    if (unlock(b, true))
        sim_bl_reg_write(b, REG_CR, CR_OBL_LAUNCH);
    lock(b); /* only if the launch did not happen: a reset locks the controller itself */
}

const sim_bl_family sim_bl_family_l4 = {
    .unprotect_clears_wrp = false,
    .program = l4_program,
    .erase = l4_erase,
    .mass_erase = l4_mass_erase,
    .write_protection = l4_write_protection,
    .reload = l4_reload,
};
