/* The bootloader's flash sequences on the L0/L1 program-memory interface (RM0038 3, PM0062,
 * RM0377 3): PEKEYR then PRGKEYR unlock, half-page programming (FPRG+PROG, the words of one
 * half page, 128 bytes on the L1, 64 on the L0: AN2606 "Flash memory write operations are
 * performed through a program memory half page write operation", word writes where a
 * half-page is not whole), page erase (ERASE+PROG and a word written into the page), option
 * words through OPTKEYR (each a half-word and its complement: RDP, USER, WRP1..WRP4). There is
 * no mass erase: AN2606 ("important considerations" of the L1 bootloader): "Mass erase
 * command is not supported ... erase all sectors one by one using the Erase command" (or RDP
 * 1 then 0). */
#include "bootloader_internal.h"

#define REG_PECR    0x04
#define REG_PEKEYR  0x0C
#define REG_PRGKEYR 0x10
#define REG_OPTKEYR 0x14
#define REG_SR      0x18

#define PECR_PELOCK  (1u << 0)
#define PECR_PRGLOCK (1u << 1)
#define PECR_OPTLOCK (1u << 2)
#define PECR_PROG    (1u << 3)
#define PECR_ERASE   (1u << 9)
#define PECR_FPRG    (1u << 10)
#define SR_BSY       (1u << 0)
#define SR_EOP       (1u << 1)
/* WRPERR PGAERR SIZERR OPTVERR; L0 NOTZEROERR FWWERR */
#define SR_ERRORS ((0xFu << 8) | (3u << 16))

static bool unlock(sim_board *b, bool options)
{
    bool ok = true;
    if (sim_bl_reg_read(b, REG_PECR) & PECR_PELOCK)
        ok = sim_bl_reg_write(b, REG_PEKEYR, 0x89ABCDEFu) &&
             sim_bl_reg_write(b, REG_PEKEYR, 0x02030405u);
    if (ok && !options && (sim_bl_reg_read(b, REG_PECR) & PECR_PRGLOCK))
        ok = sim_bl_reg_write(b, REG_PRGKEYR, 0x8C9DAEBFu) &&
             sim_bl_reg_write(b, REG_PRGKEYR, 0x13141516u);
    if (ok && options && (sim_bl_reg_read(b, REG_PECR) & PECR_OPTLOCK))
        ok = sim_bl_reg_write(b, REG_OPTKEYR, 0xFBEAD9C8u) &&
             sim_bl_reg_write(b, REG_OPTKEYR, 0x24252627u);
    return ok;
}

static void lock(sim_board *b)
{
    sim_bl_reg_write(b, REG_PECR, PECR_PELOCK | PECR_PRGLOCK | PECR_OPTLOCK);
}

static bool done(sim_board *b, uint64_t typ_ns)
{
    bool ok = sim_bl_wait(b, REG_SR, SR_BSY, sim_bl_limit_ns(typ_ns));
    uint32_t sr = sim_bl_reg_read(b, REG_SR);
    if (sr & SR_ERRORS)
        ok = false;
    sim_bl_reg_write(b, REG_SR, sr & (SR_ERRORS | SR_EOP));
    return ok;
}

static uint32_t word_at(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool l1_program(sim_board *b, uint32_t addr, const uint8_t *data, uint32_t len)
{
    uint64_t tprog = sim_timing_program_ns(b, STP_PSIZE_X32);
    const uint32_t half = b->chip->timing.block_program_bytes; /* L1 128, L0 64 */
    bool ok = unlock(b, false);
    for (uint32_t off = 0; ok && off < len;) {
        uint32_t at = addr + off;
        if (at % half == 0 && len - off >= half) {
            ok = sim_bl_reg_write(b, REG_PECR, PECR_FPRG | PECR_PROG);
            for (uint32_t w = 0; ok && w < half; w += 4)
                ok = sim_bus_write(b, at + w, word_at(data + off + w), 4, SIM_MASTER_CORE) ==
                     SIM_ACC_OK;
            ok = ok && done(b, tprog);
            sim_bl_reg_write(b, REG_PECR, 0);
            off += half;
        } else {
            ok = sim_bus_write(b, at, word_at(data + off), 4, SIM_MASTER_CORE) == SIM_ACC_OK &&
                 done(b, tprog);
            off += 4;
        }
    }
    lock(b);
    return ok;
}

static bool l1_erase(sim_board *b, size_t index)
{
    const stp_sector *s = &b->sectors[index];
    bool ok = unlock(b, false) && sim_bl_reg_write(b, REG_PECR, PECR_ERASE | PECR_PROG) &&
              sim_bus_write(b, s->addr, 0, 4, SIM_MASTER_CORE) == SIM_ACC_OK &&
              done(b, sim_timing_erase_ns(b, s->size, STP_PSIZE_X32));
    sim_bl_reg_write(b, REG_PECR, 0);
    lock(b);
    return ok;
}

/* One option half-word with its complement, written as the 32-bit option word. */
static bool put_option(sim_board *b, uint32_t addr, uint16_t v, uint64_t ns)
{
    uint32_t word = (uint32_t)v | (uint32_t)(uint16_t)~v << 16;
    return sim_bus_write(b, addr, word, 4, SIM_MASTER_CORE) == SIM_ACC_OK && done(b, ns);
}

static bool l1_write_protection(sim_board *b, int rdp_level, const sim_ob_active *wrp)
{
    const stp_chip *c = b->chip;
    uint64_t tprog = sim_timing_program_ns(b, STP_PSIZE_X32);
    uint16_t rdp_half = (uint16_t)(sim_le32(b->ob) & 0xFF00u) | (rdp_level == 0 ? 0xAAu : 0x55u);
    uint16_t wrp_half[4] = {0};
    for (size_t u = 0; u < sim_wrp_units(b) && u < 64; u++) {
        if (sim_wrp_get(wrp, u))
            wrp_half[u / 16] |= (uint16_t)(1u << (u % 16)); /* WRP bits active high */
    }
    bool ok = unlock(b, true);
    for (unsigned i = 0; ok && i < 4; i++) {
        uint32_t addr = i < 2 ? c->option_bytes_addr + 8u + 4u * i
                              : (c->option_bytes2_addr ? c->option_bytes2_addr + 4u * (i - 2) : 0);
        if (addr != 0)
            ok = put_option(b, addr, wrp_half[i], tprog);
    }
    /* RDP last: a regression to level 0 erases the program memory first. */
    ok = ok && put_option(b, c->option_bytes_addr, rdp_half,
                          tprog + sim_timing_mass_ns(b, STP_PSIZE_X32));
    lock(b);
    return ok;
}

const sim_bl_family sim_bl_family_l1 = {
    .unprotect_clears_wrp = false,
    .program = l1_program,
    .erase = l1_erase,
    .mass_erase = NULL, /* not supported: the Erase commands' mass-erase codes are NACKed */
    .write_protection = l1_write_protection,
};
