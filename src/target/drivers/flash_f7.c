/* Flash driver: STM32F7 (RM0385 F75x/F74x, RM0410 F76x/F77x section 3 "Embedded Flash
 * memory"). F4-like sectors and PSIZE, with ERSERR instead of PGSERR, MER1/MER2 for the two
 * banks of F76x/F77x in dual-bank mode (nDBANK = 0), and boot addresses in OPTCR1. */
#include "target/flash.h"

#include <stdio.h>
#include <string.h>

/* Register offsets from FLASH_R_BASE (0x40023C00). */
#define F7_KEYR    0x04u
#define F7_OPTKEYR 0x08u
#define F7_SR      0x0Cu
#define F7_CR      0x10u
#define F7_OPTCR   0x14u
#define F7_OPTCR1  0x18u

#define F7_OPTKEY1 0x08192A3Bu
#define F7_OPTKEY2 0x4C5D6E7Fu

#define F7_SR_EOP    (1u << 0)
#define F7_SR_OPERR  (1u << 1)
#define F7_SR_WRPERR (1u << 4)
#define F7_SR_PGAERR (1u << 5)
#define F7_SR_PGPERR (1u << 6)
#define F7_SR_ERSERR (1u << 7)
#define F7_SR_BSY    (1u << 16)

#define F7_CR_PG          (1u << 0)
#define F7_CR_SER         (1u << 1)
#define F7_CR_MER1        (1u << 2)
#define F7_CR_SNB_SHIFT   3
#define F7_CR_SNB_MASK    (0x1Fu << 3)
#define F7_CR_PSIZE_SHIFT 8
#define F7_CR_MER2        (1u << 15)
#define F7_CR_STRT        (1u << 16)
#define F7_CR_LOCK        (1u << 31)

#define F7_OPTCR_OPTLOCK    (1u << 0)
#define F7_OPTCR_OPTSTRT    (1u << 1)
#define F7_OPTCR_BOR_SHIFT  2
#define F7_OPTCR_BOR_MASK   (3u << 2)
#define F7_OPTCR_USER_MASK  0xF00000F0u /* WWDG_SW..nRST_STDBY, nDBOOT..IWDG_STOP */
#define F7_OPTCR_NDBANK     (1u << 29)
#define F7_OPTCR_RDP_SHIFT  8
#define F7_OPTCR_RDP_MASK   (0xFFu << 8)
#define F7_OPTCR_NWRP_SHIFT 16
#define F7_OPTCR_NWRP_MASK  (0xFFFu << 16)

static const stp_flash_error_bit f7_errors[] = {
    {F7_SR_WRPERR, "WRPERR", "flash.wrp-error", "the address is in a write-protected sector",
     "clear the sector's write protection (stprog option-bytes set wrp-=N)", STP_ERR_PROTECTED},
    {F7_SR_PGAERR, "PGAERR", "flash.alignment-error",
     "the write was not aligned to the program width", NULL, STP_ERR_FLASH},
    {F7_SR_PGPERR, "PGPERR", "flash.parallelism-error", "the access width did not match PSIZE",
     "the probe wrote with a different width than PSIZE; try --psize 8", STP_ERR_FLASH},
    {F7_SR_ERSERR, "ERSERR", "flash.erase-sequence-error",
     "the controller saw a write outside an erase/program sequence",
     "another master (running firmware, DMA) may be touching the flash: connect under reset",
     STP_ERR_FLASH},
    {F7_SR_OPERR, "OPERR", "flash.operation-error", "the operation failed inside the flash",
     "repeated operation errors on one sector point at worn flash", STP_ERR_FLASH},
};

static uint32_t f7_unit(const stp_flash *f)
{
    return 1u << f->psize;
}

static uint32_t f7_psize_bits(const stp_flash *f)
{
    return (uint32_t)f->psize << F7_CR_PSIZE_SHIFT;
}

static stp_status f7_unlock(stp_flash *f)
{
    return stp_flash_unlock_keys(f, F7_CR, F7_CR_LOCK, F7_KEYR, F7_SR,
                                 F7_SR_EOP | F7_SR_OPERR | F7_SR_WRPERR | F7_SR_PGAERR |
                                     F7_SR_PGPERR | F7_SR_ERSERR);
}

static stp_status f7_lock(stp_flash *f)
{
    return stp_flash_reg_write(f, F7_CR, F7_CR_LOCK);
}

static stp_status f7_start(stp_flash *f, uint32_t cr)
{
    stp_status st = stp_flash_reg_write(f, F7_CR, cr);
    if (st == STP_OK)
        st = stp_flash_reg_write(f, F7_CR, cr | F7_CR_STRT);
    return st;
}

static stp_status f7_erase_start(stp_flash *f, const stp_sector *s)
{
    uint32_t snb = ((uint32_t)s->number << F7_CR_SNB_SHIFT) & F7_CR_SNB_MASK;
    return f7_start(f, F7_CR_SER | snb | f7_psize_bits(f));
}

static stp_status f7_mass_erase_start(stp_flash *f, int bank)
{
    uint32_t cr = f7_psize_bits(f);
    if (bank <= 0)
        cr |= F7_CR_MER1;
    if ((bank < 0 || bank == 1) && f->dual_bank)
        cr |= F7_CR_MER2;
    return f7_start(f, cr);
}

static stp_status f7_clear_cr(stp_flash *f)
{
    return stp_flash_reg_write(f, F7_CR, 0);
}

static stp_status f7_program_begin(stp_flash *f)
{
    return stp_flash_reg_write(f, F7_CR, F7_CR_PG | f7_psize_bits(f));
}

static stp_status f7_program_chunk(stp_flash *f, uint32_t addr, const uint8_t *data, uint32_t len)
{
    return stp_flash_write_psize(f, addr, data, len);
}

/* --- option bytes ---------------------------------------------------------------------- */

static uint32_t f7_wrp_bits(const stp_flash *f)
{
    size_t n = stp_chip_sectors(f->chip, f->flash_kb, f->dual_bank, NULL, 0);
    if (f->dual_bank)
        n = (n + 1) / 2; /* dual-bank mode: one nWRP bit per pair of sectors */
    return n > 12 ? 12 : (uint32_t)n;
}

static stp_status f7_detect_dual_bank(stp_flash *f, bool *dual)
{
    *dual = false;
    if (f->chip->layout_dual.bank_count < 2)
        return STP_OK;
    uint32_t optcr = 0;
    stp_status st = stp_flash_reg_read(f, F7_OPTCR, &optcr);
    if (st == STP_OK)
        *dual = (optcr & F7_OPTCR_NDBANK) == 0;
    return st;
}

static stp_status f7_read_options(stp_flash *f, stp_option_bytes *ob)
{
    uint32_t optcr = 0, optcr1 = 0;
    stp_status st = stp_flash_reg_read(f, F7_OPTCR, &optcr);
    if (st == STP_OK)
        st = stp_flash_reg_read(f, F7_OPTCR1, &optcr1);
    if (st != STP_OK)
        return st;
    ob->raw[0] = optcr;
    ob->raw[1] = optcr1;
    ob->raw_count = 2;
    ob->rdp_raw = (uint8_t)((optcr & F7_OPTCR_RDP_MASK) >> F7_OPTCR_RDP_SHIFT);
    ob->rdp_level = stp_flash_rdp_level(ob->rdp_raw);
    ob->wrp_bits = f7_wrp_bits(f);
    ob->wrp_granule = 0;
    ob->wrp_sectors_per_bit = f->dual_bank ? 2 : 1;
    for (uint32_t i = 0; i < ob->wrp_bits; i++) {
        bool nwrp = (optcr >> (F7_OPTCR_NWRP_SHIFT + i)) & 1u;
        stp_option_wrp_set(ob, i, !nwrp); /* nWRP: 0 = protected */
    }
    static const int bor[4] = {3, 2, 1, 0}; /* BOR_LEV 00 = level 3 ... 11 = off */
    ob->bor_level = bor[(optcr & F7_OPTCR_BOR_MASK) >> F7_OPTCR_BOR_SHIFT];
    ob->user = optcr & F7_OPTCR_USER_MASK;
    ob->has_boot_addr = true;
    ob->boot_add0 = (uint16_t)(optcr1 & 0xFFFFu);
    ob->boot_add1 = (uint16_t)(optcr1 >> 16);
    ob->has_dual_bank = f->chip->layout_dual.bank_count >= 2;
    ob->dual_bank = ob->has_dual_bank && (optcr & F7_OPTCR_NDBANK) == 0;
    return STP_OK;
}

static stp_status f7_write_options(stp_flash *f, const stp_option_bytes *ob)
{
    uint32_t optcr = 0;
    stp_status st = stp_flash_reg_read(f, F7_OPTCR, &optcr);
    if (st == STP_OK && (optcr & F7_OPTCR_OPTLOCK)) {
        st = stp_flash_reg_write(f, F7_OPTKEYR, F7_OPTKEY1);
        if (st == STP_OK)
            st = stp_flash_reg_write(f, F7_OPTKEYR, F7_OPTKEY2);
    }
    if (st == STP_OK)
        st = stp_flash_wait(f, stp_flash_program_deadline_ms(f, 1), "option-byte unlock");
    if (st != STP_OK)
        return st;
    static const uint32_t bor_field[4] = {3, 2, 1, 0};
    uint32_t v = optcr & ~(F7_OPTCR_OPTLOCK | F7_OPTCR_OPTSTRT | F7_OPTCR_RDP_MASK |
                           F7_OPTCR_NWRP_MASK | F7_OPTCR_BOR_MASK | F7_OPTCR_USER_MASK);
    v |= (uint32_t)stp_flash_rdp_raw(ob->rdp_level, ob->rdp_raw) << F7_OPTCR_RDP_SHIFT;
    uint32_t bor = (ob->bor_level >= 0 && ob->bor_level <= 3) ? (uint32_t)ob->bor_level : 0;
    v |= bor_field[bor] << F7_OPTCR_BOR_SHIFT;
    uint32_t user = ob->user & F7_OPTCR_USER_MASK & ~F7_OPTCR_NDBANK;
    if (ob->has_dual_bank && !ob->dual_bank)
        user |= F7_OPTCR_NDBANK;
    else if (!ob->has_dual_bank)
        user |= optcr & F7_OPTCR_NDBANK;
    v |= user;
    uint32_t nwrp = 0xFFFu;
    for (uint32_t i = 0; i < ob->wrp_bits && i < 12; i++) {
        if (stp_option_wrp_get(ob, i))
            nwrp &= ~(1u << i);
    }
    v |= nwrp << F7_OPTCR_NWRP_SHIFT;
    st = stp_flash_reg_write(f, F7_OPTCR1,
                             (uint32_t)ob->boot_add0 | ((uint32_t)ob->boot_add1 << 16));
    if (st == STP_OK)
        st = stp_flash_reg_write(f, F7_OPTCR, v);
    if (st == STP_OK)
        st = stp_flash_reg_write(f, F7_OPTCR, v | F7_OPTCR_OPTSTRT);
    if (st == STP_OK)
        st = stp_flash_wait(f, stp_flash_mass_erase_deadline_ms(f), "option-byte write");
    stp_status ls = stp_flash_reg_write(f, F7_OPTCR, v | F7_OPTCR_OPTLOCK);
    return st != STP_OK ? st : ls;
}

static size_t f7_option_fields(const stp_flash *f, const stp_option_bytes *ob,
                               stp_option_field *out, size_t max)
{
    return stp_option_boot_fields(ob, 14, out, stp_option_user_fields(f, ob, out, max), max);
}

static stp_status f7_option_set(const stp_flash *f, stp_option_bytes *ob, const char *key,
                                const char *value, stp_findings *findings)
{
    stp_status st;
    if (stp_option_set_common(f, ob, key, value, findings, &st))
        return st;
    uint32_t v = 0;
    bool ok = stp_parse_u32(value, &v);
    if (stp_option_set_user(f, ob, key, value)) {
        if (strcmp(key, "ndbank") == 0)
            ob->dual_bank = (v == 0);
        return STP_OK;
    }
    if (ok && strcmp(key, "bor") == 0 && v <= 3) {
        ob->bor_level = (int)v;
        return STP_OK;
    }
    if (stp_option_set_boot(ob, key, value))
        return STP_OK;
    return stp_option_unknown_key(f, key, value, "bor=0..3, boot_add0, boot_add1", findings);
}

/* The option bytes as mapped at 0x1FFF0000 (RM0410 3.4): OPTCR bits 15:0 and 31:16 as
 * half-words, each followed by its complement. */
static void f7_decode_mapped(const stp_flash *f, const uint8_t *b, const uint8_t *b2,
                             stp_option_bytes *ob)
{
    (void)b2;
    static const int bor[4] = {3, 2, 1, 0};
    uint16_t w0 = (uint16_t)(b[0] | b[1] << 8), nwrp = (uint16_t)(b[8] | b[9] << 8);
    ob->rdp_raw = (uint8_t)(w0 >> 8);
    ob->rdp_level = stp_flash_rdp_level(ob->rdp_raw);
    ob->bor_level = bor[(w0 >> 2) & 3u];
    size_t n = stp_chip_sectors(f->chip, f->flash_kb, f->dual_bank, NULL, 0);
    ob->user = (w0 & 0xF0u) | (uint32_t)(nwrp & 0xF000u) << 16;
    ob->wrp_bits = n > 12 ? 12 : (uint32_t)n;
    ob->wrp_granule = 0;
    for (uint32_t i = 0; i < ob->wrp_bits; i++)
        stp_option_wrp_set(ob, i, ((nwrp >> i) & 1u) == 0);
}

const stp_flash_driver stp_flash_f7 = {
    .kind = STP_FLASH_F7,
    .name = "F7",
    .erased_byte = 0xFF,
    .sr_offset = F7_SR,
    .busy_mask = F7_SR_BSY,
    .eop_mask = F7_SR_EOP,
    .errors = f7_errors,
    .error_count = sizeof(f7_errors) / sizeof(f7_errors[0]),
    .has_psize = true,
    /* at most; fewer at fast SWD clocks (stp_flash_units_per_transfer) */
    .chunk_max = 64,
    .stalls_per_unit = true,
    .chunks_per_check = 16,
    .program_unit = f7_unit,
    .unlock = f7_unlock,
    .lock = f7_lock,
    .erase_start = f7_erase_start,
    .mass_erase_start = f7_mass_erase_start,
    .erase_end = f7_clear_cr,
    .program_begin = f7_program_begin,
    .program_end = f7_clear_cr,
    .program_chunk = f7_program_chunk,
    .read_options = f7_read_options,
    .write_options = f7_write_options,
    .detect_dual_bank = f7_detect_dual_bank,
    .option_fields = f7_option_fields,
    .option_set = f7_option_set,
    .decode_mapped_options = f7_decode_mapped,
};
