/* F7 flash interface (RM0385 3.7, RM0410 3.7): the F4 register model with SR bit 7 named
 * ERSERR (erase/program sequence error), MER2 at CR bit 15, OPTCR with nDBOOT (28),
 * nDBANK (29), IWDG_STDBY (30), IWDG_STOP (31) and nWRP[11:0] (bits 27:16; 7:0 used on
 * F74x), and OPTCR1 holding BOOT_ADD0 (15:0) and BOOT_ADD1 (31:16).
 *
 * Option bytes at 0x1FFF0000 (RM0410 table 8), each half-word with its complement in the
 * upper half: +0x00 USER/RDP, +0x08 nWRP/nDBOOT/nDBANK/IWDG_STDBY/IWDG_STOP,
 * +0x10 BOOT_ADD0, +0x18 BOOT_ADD1.
 *
 * Bank mode (F76x/F77x, RM0410 3.3.1 and 3.7.7): nDBANK = 1 is single-bank mode (2 MiB:
 * 4x32K, 1x128K, 7x256K, sectors 0-11); nDBANK = 0 is dual-bank mode, two banks of 4x16K,
 * 1x64K, 7x128K (1 MiB parts: 3x128K), bank 2 from the middle of the flash. Its sectors
 * 12-23 are SNB 0b10000-0b11011 (SNB bit 4 selects bank 2), MER erases bank 1 and MER2
 * bank 2, and each nWRP bit i protects the pair of sectors 2i and 2i+1. The layout follows
 * nDBANK whenever the option bytes load (reset, or OPTSTRT). */
#include <string.h>

#include "flash_f4x.h"

#define OPTCR_NDBANK (1u << 29)

static uint32_t f7_optcr_from_ob(const sim_board *b)
{
    uint16_t w0 = f4x_get_ob16(b->ob), w1 = f4x_get_ob16(b->ob + 8);
    return (uint32_t)w1 << 16 | (w0 & 0xFFFCu);
}

static uint32_t f7_optcr1_from_ob(const sim_board *b)
{
    if (b->ob_size < 0x1C)
        return 0;
    return (uint32_t)f4x_get_ob16(b->ob + 0x18) << 16 | f4x_get_ob16(b->ob + 0x10);
}

static void f7_ob_from_optcr(sim_board *b, uint32_t optcr, uint32_t optcr1)
{
    memset(b->ob, 0xFF, b->ob_size);
    f4x_put_ob16(b->ob, (uint16_t)(optcr & 0xFFFCu));
    f4x_put_ob16(b->ob + 8, (uint16_t)(optcr >> 16));
    if (b->ob_size >= 0x1C) {
        f4x_put_ob16(b->ob + 0x10, (uint16_t)optcr1);
        f4x_put_ob16(b->ob + 0x18, (uint16_t)(optcr1 >> 16));
    }
}

/* Factory values: RDP 0xAA, USER 0xFC (BOR off, software watchdogs, no reset on
 * Stop/Standby), all sectors unprotected, IWDG running in Stop/Standby, boot options set.
 * nDBANK follows the part's bank mode. */
static uint32_t f7_default_optcr(const sim_board *b)
{
    uint32_t nwrp = b->sector_count >= 12 ? 0xFFFu : (1u << b->sector_count) - 1u;
    uint32_t v = 0xC0000000u | nwrp << 16 | 0xAAFCu;
    if (b->chip->layout_dual.bank_count)
        v |= 1u << 28 | (b->part->dual_bank ? 0u : 1u << 29);
    return v;
}

static const f4x_variant f7_variant = {
    .name = "F7",
    .optcr_from_ob = f7_optcr_from_ob,
    .optcr1_from_ob = f7_optcr1_from_ob,
    .ob_from_optcr = f7_ob_from_optcr,
    .default_optcr = f7_default_optcr,
    .default_optcr1 = 0x00400080u, /* BOOT_ADD0 0x0080 (0x00200000), BOOT_ADD1 0x0040 */
    .has_optcr1 = true,
    .optcr1_wrp = false,
};

static void f7_ob_load(sim_board *b, sim_ob_active *out)
{
    uint32_t optcr = f7_optcr_from_ob(b);
    if (b->chip->layout_dual.bank_count)
        sim_board_set_bank_mode(b, !(optcr & OPTCR_NDBANK));
    f4x_ob_load(b, out);
}

static int f7_create(sim_board *b)
{
    return f4x_create(b, &f7_variant);
}

extern const struct sim_bl_family sim_bl_family_f4; /* families/bootloader_f4.c */

const sim_flash_model sim_flash_model_f7 = {
    .kind = STP_FLASH_F7,
    .rom = &sim_bl_family_f4,
    .create = f7_create,
    .reset = f4x_reset,
    .reg_read = f4x_reg_read,
    .reg_write = f4x_reg_write,
    .mem_write = f4x_mem_write,
    .ob_load = f7_ob_load,
    .ob_default = f4x_ob_default,
    .ob_apply_spec = f4x_ob_apply_spec,
};
