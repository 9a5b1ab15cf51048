/* The bootloader's flash sequences on the F0/F1/F3 controller (RM0008 3.3, PM0075): KEYR
 * unlock, PG with half-word stores, PER+AR+STRT page erase, MER+STRT mass erase (bank 2 of
 * XL-density parts through its own registers at +0x40), and the option bytes by OPTKEYR,
 * OPTER (erase; with read protection active this mass-erases the main flash) and OPTPG
 * half-word stores: RDP, USER, DATA0, DATA1, WRP0..WRP3 (RDP of level 0 from the family row:
 * 0xA5 on F1, 0xAA on F0/F3). */
#include "bootloader_internal.h"

#define REG_KEYR    0x04
#define REG_OPTKEYR 0x08
#define REG_SR      0x0C
#define REG_CR      0x10
#define REG_AR      0x14
#define BANK2       0x40

#define SR_BSY      (1u << 0)
#define SR_ERRORS   ((1u << 2) | (1u << 4)) /* PGERR WRPRTERR */
#define SR_EOP      (1u << 5)
#define CR_PG       (1u << 0)
#define CR_PER      (1u << 1)
#define CR_MER      (1u << 2)
#define CR_OPTPG    (1u << 4)
#define CR_OPTER    (1u << 5)
#define CR_STRT     (1u << 6)
#define CR_LOCK     (1u << 7)
#define CR_OPTWRE   (1u << 9)
#define KEY1        0x45670123u
#define KEY2        0xCDEF89ABu
#define RDP_PROTECT 0x00u

static uint32_t bank_off(const sim_board *b, uint32_t addr)
{
    size_t s = sim_flash_sector_of(b, addr);
    return b->chip->flash_regs2 && s != (size_t)-1 && b->sectors[s].bank == 1 ? BANK2 : 0;
}

static bool unlock(sim_board *b, uint32_t bo)
{
    if (!(sim_bl_reg_read(b, bo + REG_CR) & CR_LOCK))
        return true;
    return sim_bl_reg_write(b, bo + REG_KEYR, KEY1) && sim_bl_reg_write(b, bo + REG_KEYR, KEY2);
}

static bool done(sim_board *b, uint32_t bo, uint64_t typ_ns)
{
    bool ok = sim_bl_wait(b, bo + REG_SR, SR_BSY, sim_bl_limit_ns(typ_ns));
    uint32_t sr = sim_bl_reg_read(b, bo + REG_SR);
    if (sr & SR_ERRORS)
        ok = false;
    sim_bl_reg_write(b, bo + REG_SR, sr & (SR_ERRORS | SR_EOP));
    return ok;
}

static void lock(sim_board *b, uint32_t bo)
{
    sim_bl_reg_write(b, bo + REG_CR, CR_LOCK);
}

static bool f1_program(sim_board *b, uint32_t addr, const uint8_t *data, uint32_t len)
{
    bool ok = true;
    for (uint32_t off = 0; ok && off < len; off += 2) {
        uint32_t bo = bank_off(b, addr + off);
        ok = unlock(b, bo) && sim_bl_reg_write(b, bo + REG_CR, CR_PG);
        uint32_t v = (uint32_t)data[off] | (uint32_t)data[off + 1] << 8;
        ok = ok && sim_bus_write(b, addr + off, v, 2, SIM_MASTER_CORE) == SIM_ACC_OK &&
             done(b, bo, sim_timing_program_ns(b, STP_PSIZE_X16));
        sim_bl_reg_write(b, bo + REG_CR, 0);
    }
    lock(b, 0);
    if (b->chip->flash_regs2)
        lock(b, BANK2);
    return ok;
}

static bool f1_erase(sim_board *b, size_t index)
{
    const stp_sector *s = &b->sectors[index];
    uint32_t bo = bank_off(b, s->addr);
    bool ok = unlock(b, bo) && sim_bl_reg_write(b, bo + REG_CR, CR_PER) &&
              sim_bl_reg_write(b, bo + REG_AR, s->addr) &&
              sim_bl_reg_write(b, bo + REG_CR, CR_PER | CR_STRT) &&
              done(b, bo, sim_timing_erase_ns(b, s->size, STP_PSIZE_X16));
    sim_bl_reg_write(b, bo + REG_CR, 0);
    lock(b, bo);
    return ok;
}

static bool f1_mass_erase(sim_board *b, int bank)
{
    bool ok = true;
    for (int k = 0; k < (b->chip->flash_regs2 ? 2 : 1); k++) {
        if (bank >= 0 && bank != k)
            continue;
        uint32_t bo = k ? BANK2 : 0;
        ok = ok && unlock(b, bo) && sim_bl_reg_write(b, bo + REG_CR, CR_MER) &&
             sim_bl_reg_write(b, bo + REG_CR, CR_MER | CR_STRT) &&
             done(b, bo, sim_timing_mass_ns(b, STP_PSIZE_X16));
        sim_bl_reg_write(b, bo + REG_CR, 0);
        lock(b, bo);
    }
    return ok;
}

static bool f1_write_protection(sim_board *b, int rdp_level, const sim_ob_active *wrp)
{
    /* The bytes to write back: USER, DATA0, DATA1 as stored, the new RDP and WRP. */
    uint8_t val[8];
    for (unsigned i = 0; i < 8; i++)
        val[i] = b->ob[2 * i];
    val[0] = rdp_level == 0 ? b->chip->fam->rdp_level0 : RDP_PROTECT; /* 0xA5 F1, 0xAA F0/F3 */
    uint32_t bits = 0xFFFFFFFFu;                                      /* WRPn bit = 0: protected */
    for (size_t u = 0; u < sim_wrp_units(b); u++) {
        if (sim_wrp_get(wrp, u))
            bits &= ~(1u << (u < 31 ? u : 31));
    }
    for (unsigned i = 0; i < 4; i++)
        val[4 + i] = (uint8_t)(bits >> (8 * i));
    uint64_t erase_ns = sim_timing_erase_ns(b, b->sectors[0].size, STP_PSIZE_X16) +
                        sim_timing_mass_ns(b, STP_PSIZE_X16);
    bool ok = unlock(b, 0) && sim_bl_reg_write(b, REG_OPTKEYR, KEY1) &&
              sim_bl_reg_write(b, REG_OPTKEYR, KEY2) &&
              sim_bl_reg_write(b, REG_CR, CR_OPTWRE | CR_OPTER) &&
              sim_bl_reg_write(b, REG_CR, CR_OPTWRE | CR_OPTER | CR_STRT) && done(b, 0, erase_ns) &&
              sim_bl_reg_write(b, REG_CR, CR_OPTWRE | CR_OPTPG);
    for (unsigned i = 0; ok && i < 8; i++) {
        ok = sim_bus_write(b, b->chip->option_bytes_addr + 2 * i, val[i], 2, SIM_MASTER_CORE) ==
                 SIM_ACC_OK &&
             done(b, 0, sim_timing_program_ns(b, STP_PSIZE_X16));
    }
    sim_bl_reg_write(b, REG_CR, 0);
    lock(b, 0);
    return ok;
}

const sim_bl_family sim_bl_family_f1 = {
    .unprotect_clears_wrp = true,
    .program = f1_program,
    .erase = f1_erase,
    .mass_erase = f1_mass_erase,
    .write_protection = f1_write_protection,
};
