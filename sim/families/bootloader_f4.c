/* The bootloader's flash sequences on the F2/F4/F7 controller (RM0090 3.5-3.7, RM0410
 * 3.3-3.7): KEYR unlock, PG with PSIZE for programming, SER/SNB or MER/MER1 with STRT for
 * erasing, OPTKEYR and OPTCR/OPTCR1 with OPTSTRT for the option bytes. The program width
 * follows the supply like the ROM code's (x32 from 2.7 V, x16 from 2.1 V, else x8). */
#include "bootloader_internal.h"
#include "flash_f4x.h"

#define REG_KEYR    0x04
#define REG_OPTKEYR 0x08
#define REG_SR      0x0C
#define REG_CR      0x10
#define REG_OPTCR   0x14
#define REG_OPTCR1  0x18

#define SR_BSY    (1u << 16)
#define SR_ERRORS 0x1F2u /* OPERR WRPERR PGAERR PGPERR PGSERR/ERSERR RDERR */
#define CR_PG     (1u << 0)
#define CR_SER    (1u << 1)
#define CR_MER    (1u << 2)
#define CR_MER1   (1u << 15)
#define CR_STRT   (1u << 16)
#define CR_LOCK   (1u << 31)
#define OPT_LOCK  (1u << 0)
#define OPT_STRT  (1u << 1)

static unsigned psize(const sim_board *b)
{
    stp_psize p = stp_chip_psize_for_mv(b->chip, (uint32_t)(b->spec.vdd * 1000.0 + 0.5));
    if (p == STP_PSIZE_COUNT)
        p = STP_PSIZE_X8;
    return p > STP_PSIZE_X32 ? STP_PSIZE_X32 : (unsigned)p;
}

static bool unlock(sim_board *b)
{
    if (!(sim_bl_reg_read(b, REG_CR) & CR_LOCK))
        return true;
    return sim_bl_reg_write(b, REG_KEYR, 0x45670123u) && sim_bl_reg_write(b, REG_KEYR, 0xCDEF89ABu);
}

/* Waits, then reports whether the operation left an error (and clears it). */
static bool done(sim_board *b, uint64_t typ_ns)
{
    bool ok = sim_bl_wait(b, REG_SR, SR_BSY, sim_bl_limit_ns(typ_ns));
    uint32_t sr = sim_bl_reg_read(b, REG_SR);
    if (sr & SR_ERRORS) {
        sim_bl_reg_write(b, REG_SR, sr & SR_ERRORS);
        ok = false;
    }
    return ok;
}

static void lock(sim_board *b)
{
    sim_bl_reg_write(b, REG_CR, CR_LOCK);
}

static bool f4_program(sim_board *b, uint32_t addr, const uint8_t *data, uint32_t len)
{
    unsigned ps = psize(b), width = 1u << ps;
    bool ok = unlock(b) && sim_bl_reg_write(b, REG_CR, CR_PG | ps << 8);
    for (uint32_t off = 0; ok && off < len; off += width) {
        uint32_t v = 0;
        for (unsigned i = 0; i < width; i++)
            v |= (uint32_t)data[off + i] << (8 * i);
        ok = sim_bus_write(b, addr + off, v, width, SIM_MASTER_CORE) == SIM_ACC_OK &&
             done(b, sim_timing_program_ns(b, (int)ps));
    }
    lock(b);
    return ok;
}

static bool f4_erase(sim_board *b, size_t index)
{
    unsigned ps = psize(b);
    uint32_t cr = CR_SER | (uint32_t)b->sectors[index].number << 3 | ps << 8;
    bool ok = unlock(b) && sim_bl_reg_write(b, REG_CR, cr) &&
              sim_bl_reg_write(b, REG_CR, cr | CR_STRT) &&
              done(b, sim_timing_erase_ns(b, b->sectors[index].size, (int)ps));
    lock(b);
    return ok;
}

static bool f4_mass_erase(sim_board *b, int bank)
{
    unsigned ps = psize(b);
    bool two = false;
    for (size_t i = 0; i < b->sector_count; i++)
        two = two || b->sectors[i].bank == 1;
    uint32_t cr = ps << 8;
    if (bank <= 0)
        cr |= CR_MER;
    if (two && bank != 0)
        cr |= CR_MER1;
    bool ok = unlock(b) && sim_bl_reg_write(b, REG_CR, cr) &&
              sim_bl_reg_write(b, REG_CR, cr | CR_STRT) && done(b, sim_timing_mass_ns(b, (int)ps));
    lock(b);
    return ok;
}

static bool f4_write_protection(sim_board *b, int rdp_level, const sim_ob_active *wrp)
{
    bool ok = unlock(b);
    if (ok && (sim_bl_reg_read(b, REG_OPTCR) & OPT_LOCK))
        ok = sim_bl_reg_write(b, REG_OPTKEYR, 0x08192A3Bu) &&
             sim_bl_reg_write(b, REG_OPTKEYR, 0x4C5D6E7Fu);
    uint32_t optcr = sim_bl_reg_read(b, REG_OPTCR) & ~(OPT_LOCK | OPT_STRT);
    uint32_t optcr1 = sim_bl_reg_read(b, REG_OPTCR1);
    optcr = (optcr & ~0xFF00u) | (rdp_level == 0 ? 0xAAu : 0x55u) << 8;
    /* Bank-2 nWRP in OPTCR1 where the chip has bank-2 option bytes (F42x/F43x, F469): F7's
     * OPTCR1 holds the boot addresses, F413 has no OPTCR1 (RM0430). */
    bool has_wrp1 = b->chip->option_bytes2_addr != 0;
    for (int pass = 0; pass < 2; pass++) { /* all nWRP bits to 1, then the asked ones to 0 */
        for (size_t u = 0; u < b->sector_count; u++) {
            bool in1;
            unsigned bit;
            if (!f4x_nwrp_bit(b, u, &in1, &bit) || (in1 && !has_wrp1))
                continue;
            uint32_t *reg = in1 ? &optcr1 : &optcr;
            if (pass == 0)
                *reg |= 1u << bit;
            else if (sim_wrp_get(wrp, b->sectors[u].index))
                *reg &= ~(1u << bit); /* nWRP: 0 = protected */
        }
    }
    if (ok && has_wrp1)
        ok = sim_bl_reg_write(b, REG_OPTCR1, optcr1);
    ok = ok && sim_bl_reg_write(b, REG_OPTCR, optcr) &&
         sim_bl_reg_write(b, REG_OPTCR, optcr | OPT_STRT);
    /* An RDP regression mass-erases first: allow for it. */
    ok = ok && done(b, sim_timing_mass_ns(b, (int)psize(b)) +
                           sim_timing_erase_ns(b, b->sectors[0].size, (int)psize(b)));
    sim_bl_reg_write(b, REG_OPTCR, OPT_LOCK);
    lock(b);
    return ok;
}

const sim_bl_family sim_bl_family_f4 = {
    .program = f4_program,
    .erase = f4_erase,
    .mass_erase = f4_mass_erase,
    .write_protection = f4_write_protection,
};
