/* Flash driver: STM32F1 and the F0/F3 controller of the same design (RM0091 3, RM0316 4:
 * the same registers and sequences; the option-byte layout comes from the family row). PM0075
 * "STM32F10xxx Flash memory microcontrollers": page erase (PER + AR), mass erase (MER), half-word
 * programming (PG), option bytes at 0x1FFFF800 erased with OPTER and written with OPTPG.
 * XL density (RM0008 3.3.3, 3.4): bank 2 (from 0x08080000) has its own FLASH_KEYR2, SR2, CR2
 * and AR2 at +0x40; the bank-1 registers do not reach it. Both banks are unlocked, put in
 * programming mode and locked together; an erase uses the registers of its unit's bank. */
#include "target/flash.h"

#include <stdio.h>
#include <string.h>

#define F1_KEYR    0x04u
#define F1_OPTKEYR 0x08u
#define F1_SR      0x0Cu
#define F1_CR      0x10u
#define F1_AR      0x14u
#define F1_OBR     0x1Cu
#define F1_WRPR    0x20u

#define F1_SR_BSY      (1u << 0)
#define F1_SR_PGERR    (1u << 2)
#define F1_SR_WRPRTERR (1u << 4)
#define F1_SR_EOP      (1u << 5)

#define F1_CR_PG     (1u << 0)
#define F1_CR_PER    (1u << 1)
#define F1_CR_MER    (1u << 2)
#define F1_CR_OPTPG  (1u << 4)
#define F1_CR_OPTER  (1u << 5)
#define F1_CR_STRT   (1u << 6)
#define F1_CR_LOCK   (1u << 7)
#define F1_CR_OPTWRE (1u << 9)

#define F1_OBR_RDPRT  (1u << 1)
#define F0_OBR_LEVEL2 (1u << 2) /* F0/F3: RDPRT[1:0] = 1x (RM0091 3.5.8, RM0316 4.5.8) */
#define RDP_LEVEL2    0xCCu

static const stp_flash_error_bit f1_errors[] = {
    {F1_SR_WRPRTERR, "WRPRTERR", "flash.wrp-error", "the address is in a write-protected page",
     "clear the page's write protection (stprog option-bytes set wrp-=N)", STP_ERR_PROTECTED},
    {F1_SR_PGERR, "PGERR", "flash.programming-error",
     "a half-word was programmed that was not erased",
     "the target area was not blank: erase it first (stprog write does this)", STP_ERR_FLASH},
};

static uint32_t f1_unit(const stp_flash *f)
{
    (void)f;
    return 2;
}

static stp_status f1_unlock(stp_flash *f)
{
    stp_status st = STP_OK;
    for (unsigned b = 0; st == STP_OK && b < stp_flash_reg_sets(f); b++) {
        const uint32_t r = stp_flash_bank_regs(f, b);
        st = stp_flash_unlock_keys(f, r + F1_CR, F1_CR_LOCK, r + F1_KEYR, r + F1_SR,
                                   F1_SR_EOP | F1_SR_PGERR | F1_SR_WRPRTERR);
    }
    return st;
}

/* Writes the same value to the control register of every bank. */
static stp_status f1_cr_all(stp_flash *f, uint32_t value)
{
    stp_status st = STP_OK;
    for (unsigned b = 0; b < stp_flash_reg_sets(f); b++) {
        stp_status s = stp_flash_reg_write(f, stp_flash_bank_regs(f, b) + F1_CR, value);
        if (st == STP_OK)
            st = s;
    }
    return st;
}

static stp_status f1_lock(stp_flash *f)
{
    return f1_cr_all(f, F1_CR_LOCK);
}

static stp_status f1_erase_start(stp_flash *f, const stp_sector *s)
{
    const uint32_t r = stp_flash_bank_regs(f, s->bank);
    stp_status st = stp_flash_reg_write(f, r + F1_CR, F1_CR_PER);
    if (st == STP_OK)
        st = stp_flash_reg_write(f, r + F1_AR, s->addr);
    if (st == STP_OK)
        st = stp_flash_reg_write(f, r + F1_CR, F1_CR_PER | F1_CR_STRT);
    return st;
}

static stp_status f1_mass_erase_one(stp_flash *f, unsigned bank)
{
    const uint32_t r = stp_flash_bank_regs(f, bank);
    stp_status st = stp_flash_reg_write(f, r + F1_CR, F1_CR_MER);
    if (st == STP_OK)
        st = stp_flash_reg_write(f, r + F1_CR, F1_CR_MER | F1_CR_STRT);
    return st;
}

/* MER erases the bank of the control register it is set in: with two banks (-1) bank 1 is
 * erased and waited for here, bank 2 started for the engine to wait on. */
static stp_status f1_mass_erase_start(stp_flash *f, int bank)
{
    if (bank >= 0 || stp_flash_reg_sets(f) == 1)
        return f1_mass_erase_one(f, bank > 0 ? (unsigned)bank : 0);
    stp_status st = f1_mass_erase_one(f, 0);
    if (st == STP_OK)
        st = stp_flash_wait(f, stp_flash_mass_erase_deadline_ms(f), "mass erase of bank 1");
    if (st == STP_OK)
        st = stp_flash_reg_write(f, F1_CR, 0);
    if (st == STP_OK)
        st = f1_mass_erase_one(f, 1);
    return st;
}

static stp_status f1_clear_cr(stp_flash *f)
{
    return f1_cr_all(f, 0);
}

static stp_status f1_program_begin(stp_flash *f)
{
    return f1_cr_all(f, F1_CR_PG);
}

static stp_status f1_program_chunk(stp_flash *f, uint32_t addr, const uint8_t *data, uint32_t len)
{
    /* The F1 controller takes half-words only; the bus stalls while one is programmed.
     * Probes with 16-bit transfers take the chunk in one exchange. */
    if (f->dbg->ops->write_mem16 != NULL) {
        stp_findings scratch = {0};
        stp_status st = f->dbg->ops->write_mem16(f->dbg, addr, data, len, &scratch);
        if (st != STP_ERR_FIRMWARE_OLD)
            stp_findings_append(f->findings, &scratch);
        stp_findings_free(&scratch);
        if (st != STP_ERR_FIRMWARE_OLD)
            return st;
    }
    for (uint32_t i = 0; i < len; i += 2) {
        uint16_t v = (uint16_t)(data[i] | (data[i + 1] << 8));
        stp_status st = f->dbg->ops->write_u16(f->dbg, addr + i, v, f->findings);
        if (st != STP_OK)
            return st;
    }
    return STP_OK;
}

/* --- option bytes ---------------------------------------------------------------------- */

/* The family's option-byte layout (stp_family.rdp_level0, .obr_user_shift): F1 keeps USER
 * in FLASH_OBR 9:2 with RDP 0xA5 for level 0; F0/F3 USER in 15:8, RDP 0xAA/0xCC. */
static uint8_t rdp_level0(const stp_flash *f)
{
    return f->chip->fam->rdp_level0;
}

static unsigned obr_user_shift(const stp_flash *f)
{
    return f->chip->fam->obr_user_shift;
}

/* The USER bits the family defines (its option table); the others are written as 1. */
static uint8_t user_mask(const stp_flash *f)
{
    uint8_t m = 0;
    for (size_t i = 0; i < f->chip->fam->user_option_count; i++)
        m |= (uint8_t)(1u << f->chip->fam->user_options[i].shift);
    return m;
}

static int rdp_level_of_byte(const stp_flash *f, uint8_t rdp, uint8_t nrdp)
{
    if ((uint8_t)(rdp ^ nrdp) != 0xFFu)
        return 1; /* a complement mismatch loads as level 1 */
    if (rdp == rdp_level0(f))
        return 0;
    return f->chip->fam->rdp_level2 && rdp == RDP_LEVEL2 ? 2 : 1;
}

static void wrp_from_bits(const stp_flash *f, uint32_t nwrp, stp_option_bytes *ob)
{
    uint32_t granule = f->chip->wrp_granule ? f->chip->wrp_granule : 4096;
    uint32_t bits = (f->flash_kb * 1024u + granule - 1) / granule;
    ob->wrp_bits = bits > 32 ? 32 : bits;
    ob->wrp_granule = granule;
    for (uint32_t i = 0; i < ob->wrp_bits; i++)
        stp_option_wrp_set(ob, i, ((nwrp >> i) & 1u) == 0); /* 0 = protected */
}

static stp_status f1_read_options(stp_flash *f, stp_option_bytes *ob)
{
    uint32_t obr = 0, wrpr = 0;
    stp_status st = stp_flash_reg_read(f, F1_OBR, &obr);
    if (st == STP_OK)
        st = stp_flash_reg_read(f, F1_WRPR, &wrpr);
    if (st != STP_OK)
        return st;
    ob->raw[0] = obr;
    ob->raw[1] = wrpr;
    ob->raw_count = 2;
    ob->rdp_level = (f->chip->fam->rdp_level2 && (obr & F0_OBR_LEVEL2)) ? 2
                    : (obr & F1_OBR_RDPRT)                              ? 1
                                                                        : 0;
    ob->rdp_raw = ob->rdp_level == 0 ? rdp_level0(f) : ob->rdp_level == 2 ? RDP_LEVEL2 : 0x00;
    wrp_from_bits(f, wrpr, ob);
    ob->user = (obr >> obr_user_shift(f)) & user_mask(f);
    ob->bor_level = -1;
    return STP_OK;
}

static stp_status f1_write_half(stp_flash *f, uint32_t addr, uint8_t value)
{
    stp_status st = f->dbg->ops->write_u16(f->dbg, addr, (uint16_t)(0xFF00u | value), f->findings);
    if (st == STP_OK)
        st = stp_flash_wait(f, stp_flash_program_deadline_ms(f, 1), "option-byte program");
    return st;
}

static stp_status f1_write_options(stp_flash *f, const stp_option_bytes *ob)
{
    const uint32_t base = f->chip->option_bytes_addr ? f->chip->option_bytes_addr : 0x1FFFF800u;
    uint32_t obr = 0;
    stp_status st = stp_flash_reg_read(f, F1_OBR, &obr);
    if (st == STP_OK)
        st = stp_flash_reg_write(f, F1_OPTKEYR, STP_FLASH_KEY1);
    if (st == STP_OK)
        st = stp_flash_reg_write(f, F1_OPTKEYR, STP_FLASH_KEY2);
    /* Erase the option bytes (RDP becomes "protected" until rewritten). */
    if (st == STP_OK)
        st = stp_flash_reg_write(f, F1_CR, F1_CR_OPTER | F1_CR_OPTWRE);
    if (st == STP_OK)
        st = stp_flash_reg_write(f, F1_CR, F1_CR_OPTER | F1_CR_OPTWRE | F1_CR_STRT);
    if (st == STP_OK)
        st = stp_flash_wait(f, stp_flash_mass_erase_deadline_ms(f), "option-byte erase");
    if (st == STP_OK)
        st = stp_flash_reg_write(f, F1_CR, F1_CR_OPTPG | F1_CR_OPTWRE);
    uint8_t rdp = ob->rdp_level == 0 ? rdp_level0(f) : ob->rdp_level == 2 ? RDP_LEVEL2 : 0x00;
    uint8_t user = (uint8_t)(~user_mask(f) | (ob->user & user_mask(f)));
    const unsigned data_shift = obr_user_shift(f) + 8;
    uint8_t data0 = (uint8_t)((obr >> data_shift) & 0xFFu);
    uint8_t data1 = (uint8_t)((obr >> (data_shift + 8)) & 0xFFu);
    uint8_t wrp[4] = {0xFF, 0xFF, 0xFF, 0xFF}; /* nWRP: 0 = protected */
    for (uint32_t i = 0; i < ob->wrp_bits && i < 32; i++) {
        if (stp_option_wrp_get(ob, i))
            wrp[i / 8] &= (uint8_t) ~(1u << (i % 8));
    }
    const uint8_t bytes[8] = {rdp, user, data0, data1, wrp[0], wrp[1], wrp[2], wrp[3]};
    for (unsigned i = 0; st == STP_OK && i < 8; i++) {
        if (bytes[i] == 0xFF && i != 0)
            continue; /* erased value already */
        st = f1_write_half(f, base + 2 * i, bytes[i]);
    }
    stp_status cs = stp_flash_reg_write(f, F1_CR, 0);
    return st != STP_OK ? st : cs;
}

static stp_status f1_option_set(const stp_flash *f, stp_option_bytes *ob, const char *key,
                                const char *value, stp_findings *findings)
{
    stp_status st;
    if (stp_option_set_common(f, ob, key, value, findings, &st))
        return st;
    if (stp_option_set_user(f, ob, key, value))
        return STP_OK;
    return stp_option_unknown_key(f, key, value, NULL, findings);
}

/* The option bytes as mapped at 0x1FFFF800 (RM0008 2.5, RM0091 4.1): each byte followed by
 * its complement; RDP rdp_level0 is level 0 (0xCC level 2 on F0/F3), WRP0..3 one bit per
 * wrp_granule bytes (0 = protected). */
static void f1_decode_mapped(const stp_flash *f, const uint8_t *b, const uint8_t *b2,
                             stp_option_bytes *ob)
{
    (void)b2;
    ob->rdp_raw = b[0];
    ob->rdp_level = rdp_level_of_byte(f, b[0], b[1]);
    ob->user = b[2] & user_mask(f);
    ob->bor_level = -1;
    uint32_t wrp =
        (uint32_t)b[8] | (uint32_t)b[10] << 8 | (uint32_t)b[12] << 16 | (uint32_t)b[14] << 24;
    wrp_from_bits(f, wrp, ob);
}

const stp_flash_driver stp_flash_f1 = {
    .kind = STP_FLASH_F1,
    .name = "F1",
    .erased_byte = 0xFF,
    .sr_offset = F1_SR,
    .busy_mask = F1_SR_BSY,
    .eop_mask = F1_SR_EOP,
    .errors = f1_errors,
    .error_count = sizeof(f1_errors) / sizeof(f1_errors[0]),
    .has_psize = false,
    /* at most; fewer at fast SWD clocks (stp_flash_units_per_transfer) */
    .chunk_max = 64,
    .stalls_per_unit = true,
    .chunks_per_check = 32,
    .program_unit = f1_unit,
    .unlock = f1_unlock,
    .lock = f1_lock,
    .erase_start = f1_erase_start,
    .mass_erase_start = f1_mass_erase_start,
    .erase_end = f1_clear_cr,
    .program_begin = f1_program_begin,
    .program_end = f1_clear_cr,
    .program_chunk = f1_program_chunk,
    .read_options = f1_read_options,
    .write_options = f1_write_options,
    .detect_dual_bank = NULL,
    .option_fields = stp_option_user_fields,
    .option_set = f1_option_set,
    .decode_mapped_options = f1_decode_mapped,
};
