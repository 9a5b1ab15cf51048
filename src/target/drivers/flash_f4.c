/* Flash driver: STM32F2/F4 (RM0033, RM0090 section 3 "Embedded Flash memory interface").
 * Sectors erased one by one (SER+SNB) or all (MER/MER1), programmed with PG at the
 * parallelism PSIZE chosen from the supply voltage. Option bytes through OPTCR/OPTCR1. */
#include "target/flash.h"

#include <stdio.h>
#include <string.h>

/* Register offsets from FLASH_R_BASE (0x40023C00). */
#define F4_KEYR    0x04u
#define F4_OPTKEYR 0x08u
#define F4_SR      0x0Cu
#define F4_CR      0x10u
#define F4_OPTCR   0x14u
#define F4_OPTCR1  0x18u

#define F4_OPTKEY1 0x08192A3Bu
#define F4_OPTKEY2 0x4C5D6E7Fu

#define F4_SR_EOP    (1u << 0)
#define F4_SR_OPERR  (1u << 1)
#define F4_SR_WRPERR (1u << 4)
#define F4_SR_PGAERR (1u << 5)
#define F4_SR_PGPERR (1u << 6)
#define F4_SR_PGSERR (1u << 7)
#define F4_SR_RDERR  (1u << 8)
#define F4_SR_BSY    (1u << 16)

#define F4_CR_PG          (1u << 0)
#define F4_CR_SER         (1u << 1)
#define F4_CR_MER         (1u << 2)
#define F4_CR_SNB_SHIFT   3
#define F4_CR_SNB_MASK    (0x1Fu << 3)
#define F4_CR_PSIZE_SHIFT 8
#define F4_CR_MER1        (1u << 15)
#define F4_CR_STRT        (1u << 16)
#define F4_CR_LOCK        (1u << 31)

#define F4_OPTCR_OPTLOCK    (1u << 0)
#define F4_OPTCR_OPTSTRT    (1u << 1)
#define F4_OPTCR_BOR_SHIFT  2
#define F4_OPTCR_BOR_MASK   (3u << 2)
#define F4_OPTCR_USER_MASK  (7u << 5) /* WDG_SW, nRST_STOP, nRST_STDBY */
#define F4_OPTCR_RDP_SHIFT  8
#define F4_OPTCR_RDP_MASK   (0xFFu << 8)
#define F4_OPTCR_NWRP_SHIFT 16
#define F4_OPTCR_DB1M       (1u << 30) /* RM0090 3.9.10: dual bank on 1 MB F42x/F43x */
/* nWRP bits in OPTCR/OPTCR1 from bit 16: RM0090 has 12 per register; the chip table says
 * where a device has more (F413/F423: 15 in OPTCR). */
#define F4_NWRP_BITS_RM0090 12u

static const stp_flash_error_bit f4_errors[] = {
    {F4_SR_WRPERR, "WRPERR", "flash.wrp-error", "the address is in a write-protected sector",
     "clear the sector's write protection (stprog option-bytes set wrp-=N)", STP_ERR_PROTECTED},
    {F4_SR_PGAERR, "PGAERR", "flash.alignment-error",
     "the write was not aligned to the program width", NULL, STP_ERR_FLASH},
    {F4_SR_PGPERR, "PGPERR", "flash.parallelism-error", "the access width did not match PSIZE",
     "the probe wrote with a different width than PSIZE; try --psize 8", STP_ERR_FLASH},
    {F4_SR_PGSERR, "PGSERR", "flash.programming-sequence-error",
     "the controller saw a write outside a programming sequence",
     "another master (running firmware, DMA) may be touching the flash: connect under reset",
     STP_ERR_FLASH},
    {F4_SR_OPERR, "OPERR", "flash.operation-error", "the operation failed inside the flash",
     "repeated operation errors on one sector point at worn flash", STP_ERR_FLASH},
    {F4_SR_RDERR, "RDERR", "flash.read-protection-error",
     "a proprietary-code-protected sector was read", NULL, STP_ERR_PROTECTED},
};

static uint32_t f4_unit(const stp_flash *f)
{
    return 1u << f->psize;
}

static uint32_t f4_psize_bits(const stp_flash *f)
{
    return (uint32_t)f->psize << F4_CR_PSIZE_SHIFT;
}

/* F42x/F43x (0x419) and F469/F479 (0x434) have a second bank: MER1 and the bank-2 nWRP bits
 * in OPTCR1 (RM0090 3.9.11, RM0386 3.8.11). Other F4s have no OPTCR1: the F413/F423's
 * sectors 12-15 have their nWRP bits in OPTCR[30:28] (RM0430 3.7.7, optcr_nwrp_bits). */
static bool f4_has_bank2_options(const stp_flash *f)
{
    return f->chip->option_bytes2_addr != 0;
}

/* nWRP bits in OPTCR[16+n-1:16]. */
static uint32_t chip_nwrp_bits(const stp_chip *chip)
{
    return chip->optcr_nwrp_bits ? chip->optcr_nwrp_bits : F4_NWRP_BITS_RM0090;
}

static uint32_t f4_optcr_nwrp_bits(const stp_flash *f)
{
    return chip_nwrp_bits(f->chip);
}

static uint32_t f4_optcr_nwrp_mask(const stp_flash *f)
{
    return ((1u << f4_optcr_nwrp_bits(f)) - 1u) << F4_OPTCR_NWRP_SHIFT;
}

/* DB1M exists where the chip table has a dual layout for the 1 MB part (F42x/F43x, RM0090
 * 3.9.10; F469/F479, RM0386 3.8.10). */
static bool f4_db1m_capable(const stp_chip *chip, uint32_t flash_kb)
{
    return chip->flash_kind == STP_FLASH_F2F4 && chip->layout_dual.bank_count >= 2 &&
           flash_kb == 1024;
}

/* F2/F4 write protection, one unit per sector: how many units a device of flash_kb KiB has
 * (with the DB1M option of 1 MB F42x/F43x, db1m true counts the units of the dual-bank
 * layout: sectors 0-7 and 12-19, 20 units, 8-11 without a sector), and where sector `unit`'s
 * nWRP bit is: bit *bit of the nWRP field in OPTCR (false) or in OPTCR1 / the bank-2 option
 * bytes (true). Sectors past the last OPTCR bit of a single-bank device share it (F413/F423
 * nWRP14 = sectors 14 and 15; chip table optcr_nwrp_bits). */
static uint32_t f4_wrp_units_mode(const stp_chip *chip, uint32_t flash_kb, bool db1m)
{
    /* Unit n = the sector the manual numbers n. With DB1M=1 the sectors are 0-7 and 12-19:
     * 20 units, 8-11 (OPTCR nWRP8-11) protect nothing, 12-19 are OPTCR1 nWRP0-7 (RM0090
     * 3.9.11). */
    stp_sector s[64];
    size_t n = stp_chip_sectors(chip, flash_kb, db1m && f4_db1m_capable(chip, flash_kb), s, 64);
    uint32_t units = n ? (uint32_t)s[n - 1].manual_number + 1u : 0u;
    uint32_t max = chip->option_bytes2_addr ? 2 * F4_NWRP_BITS_RM0090
                   : chip->optcr_nwrp_bits  ? STP_WRP_BITS
                                            : F4_NWRP_BITS_RM0090;
    return units > max ? max : units;
}

static uint32_t f4_wrp_units(const stp_chip *chip, uint32_t flash_kb)
{
    return f4_wrp_units_mode(chip, flash_kb, false);
}

static bool f4_db1m_unit_unused(const stp_chip *chip, uint32_t flash_kb, bool db1m, uint32_t unit)
{
    if (!db1m || !f4_db1m_capable(chip, flash_kb))
        return false;
    stp_sector s[64];
    size_t n = stp_chip_sectors(chip, flash_kb, true, s, 64);
    for (size_t i = 0; i < n; i++)
        if (s[i].manual_number == unit)
            return false;
    return true;
}

static bool f4_nwrp_bit(const stp_chip *chip, uint32_t unit, uint32_t *bit)
{
    uint32_t nbits = chip_nwrp_bits(chip);
    if (chip->option_bytes2_addr && unit >= nbits) {
        *bit = unit - nbits;
        return true;
    }
    *bit = unit < nbits ? unit : nbits - 1;
    return false;
}

static stp_status f4_unlock(stp_flash *f)
{
    return stp_flash_unlock_keys(f, F4_CR, F4_CR_LOCK, F4_KEYR, F4_SR,
                                 F4_SR_EOP | F4_SR_OPERR | F4_SR_WRPERR | F4_SR_PGAERR |
                                     F4_SR_PGPERR | F4_SR_PGSERR | F4_SR_RDERR);
}

static stp_status f4_lock(stp_flash *f)
{
    return stp_flash_reg_write(f, F4_CR, F4_CR_LOCK);
}

static stp_status f4_start(stp_flash *f, uint32_t cr)
{
    stp_status st = stp_flash_reg_write(f, F4_CR, cr);
    if (st == STP_OK)
        st = stp_flash_reg_write(f, F4_CR, cr | F4_CR_STRT);
    return st;
}

static stp_status f4_erase_start(stp_flash *f, const stp_sector *s)
{
    uint32_t snb = ((uint32_t)s->number << F4_CR_SNB_SHIFT) & F4_CR_SNB_MASK;
    return f4_start(f, F4_CR_SER | snb | f4_psize_bits(f));
}

static stp_status f4_mass_erase_start(stp_flash *f, int bank)
{
    uint32_t cr = f4_psize_bits(f);
    if (bank <= 0)
        cr |= F4_CR_MER;
    if ((bank < 0 || bank == 1) && f4_has_bank2_options(f) && (f->flash_kb > 1024 || f->dual_bank))
        cr |= F4_CR_MER1;
    return f4_start(f, cr);
}

static stp_status f4_clear_cr(stp_flash *f)
{
    return stp_flash_reg_write(f, F4_CR, 0);
}

static stp_status f4_program_begin(stp_flash *f)
{
    return stp_flash_reg_write(f, F4_CR, F4_CR_PG | f4_psize_bits(f));
}

static stp_status f4_program_chunk(stp_flash *f, uint32_t addr, const uint8_t *data, uint32_t len)
{
    return stp_flash_write_psize(f, addr, data, len);
}

/* --- option bytes ---------------------------------------------------------------------- */

static bool f4_nwrp_of(const stp_flash *f, uint32_t i, uint32_t *bit)
{
    return f4_nwrp_bit(f->chip, i, bit);
}

static stp_status f4_detect_dual_bank(stp_flash *f, bool *dual)
{
    *dual = false;
    if (f->chip->layout_dual.bank_count < 2 || f->flash_kb != 1024)
        return STP_OK; /* DB1M only matters on 1 MB F42x/F43x */
    uint32_t optcr = 0;
    stp_status st = stp_flash_reg_read(f, F4_OPTCR, &optcr);
    if (st == STP_OK)
        *dual = (optcr & (1u << 30)) != 0;
    return st;
}

static stp_status f4_read_options(stp_flash *f, stp_option_bytes *ob)
{
    uint32_t optcr = 0, optcr1 = 0;
    stp_status st = stp_flash_reg_read(f, F4_OPTCR, &optcr);
    if (st != STP_OK)
        return st;
    bool two = f4_has_bank2_options(f);
    if (two && (st = stp_flash_reg_read(f, F4_OPTCR1, &optcr1)) != STP_OK)
        return st;
    ob->raw[0] = optcr;
    ob->raw[1] = optcr1;
    ob->raw_count = two ? 2 : 1;
    ob->rdp_raw = (uint8_t)((optcr & F4_OPTCR_RDP_MASK) >> F4_OPTCR_RDP_SHIFT);
    ob->rdp_level = stp_flash_rdp_level(ob->rdp_raw);
    ob->has_dual_bank = f4_db1m_capable(f->chip, f->flash_kb);
    ob->dual_bank = ob->has_dual_bank && (optcr & F4_OPTCR_DB1M) != 0;
    ob->wrp_bits = f4_wrp_units_mode(f->chip, f->flash_kb, ob->dual_bank);
    ob->wrp_granule = 0;
    ob->wrp_by_number = true;
    for (uint32_t i = 0; i < ob->wrp_bits; i++) {
        uint32_t bit = 0;
        uint32_t reg = f4_nwrp_of(f, i, &bit) ? optcr1 : optcr;
        bool nwrp = (reg >> (F4_OPTCR_NWRP_SHIFT + bit)) & 1u;
        stp_option_wrp_set(ob, i, !nwrp); /* nWRP: 0 = protected */
    }
    static const int bor[4] = {3, 2, 1, 0}; /* BOR_LEV 00 = level 3 ... 11 = off */
    ob->bor_level = bor[(optcr & F4_OPTCR_BOR_MASK) >> F4_OPTCR_BOR_SHIFT];
    ob->user = (optcr & F4_OPTCR_USER_MASK) >> 5;
    return STP_OK;
}

static stp_status f4_write_options(stp_flash *f, const stp_option_bytes *ob)
{
    uint32_t optcr = 0;
    stp_status st = stp_flash_reg_read(f, F4_OPTCR, &optcr);
    if (st == STP_OK && (optcr & F4_OPTCR_OPTLOCK)) {
        st = stp_flash_reg_write(f, F4_OPTKEYR, F4_OPTKEY1);
        if (st == STP_OK)
            st = stp_flash_reg_write(f, F4_OPTKEYR, F4_OPTKEY2);
    }
    if (st == STP_OK)
        st = stp_flash_wait(f, stp_flash_program_deadline_ms(f, 1), "option-byte unlock");
    if (st != STP_OK)
        return st;
    static const uint32_t bor_field[4] = {3, 2, 1, 0}; /* level 0(off),1,2,3 -> BOR_LEV */
    uint32_t nwrp_mask = f4_optcr_nwrp_mask(f);
    uint32_t v = optcr & ~(F4_OPTCR_OPTLOCK | F4_OPTCR_OPTSTRT | F4_OPTCR_RDP_MASK | nwrp_mask |
                           F4_OPTCR_BOR_MASK | F4_OPTCR_USER_MASK);
    v |= (uint32_t)stp_flash_rdp_raw(ob->rdp_level, ob->rdp_raw) << F4_OPTCR_RDP_SHIFT;
    uint32_t bor = (ob->bor_level >= 0 && ob->bor_level <= 3) ? (uint32_t)ob->bor_level : 0;
    v |= bor_field[bor] << F4_OPTCR_BOR_SHIFT;
    v |= (ob->user << 5) & F4_OPTCR_USER_MASK;
    if (ob->has_dual_bank) /* the new layout applies from the next reset (option load) */
        v = ob->dual_bank ? v | F4_OPTCR_DB1M : v & ~F4_OPTCR_DB1M;
    /* nWRP 1 = writable; a bit shared by several sectors protects them if any is asked. */
    uint32_t nwrp1 = nwrp_mask, nwrp2 = nwrp_mask;
    for (uint32_t i = 0; i < ob->wrp_bits; i++) {
        uint32_t bit = 0;
        if (!stp_option_wrp_get(ob, i))
            continue;
        if (f4_nwrp_of(f, i, &bit))
            nwrp2 &= ~(1u << (F4_OPTCR_NWRP_SHIFT + bit));
        else
            nwrp1 &= ~(1u << (F4_OPTCR_NWRP_SHIFT + bit));
    }
    v |= nwrp1;
    if (f4_has_bank2_options(f)) {
        uint32_t optcr1 = 0;
        st = stp_flash_reg_read(f, F4_OPTCR1, &optcr1);
        if (st == STP_OK)
            st = stp_flash_reg_write(f, F4_OPTCR1, (optcr1 & ~nwrp_mask) | nwrp2);
    }
    if (st == STP_OK)
        st = stp_flash_reg_write(f, F4_OPTCR, v);
    if (st == STP_OK)
        st = stp_flash_reg_write(f, F4_OPTCR, v | F4_OPTCR_OPTSTRT);
    if (st == STP_OK) /* RDP 1 -> 0 mass-erases: allow the mass-erase time */
        st = stp_flash_wait(f, stp_flash_mass_erase_deadline_ms(f), "option-byte write");
    stp_status ls = stp_flash_reg_write(f, F4_OPTCR, v | F4_OPTCR_OPTLOCK);
    return st != STP_OK ? st : ls;
}

static size_t f4_option_fields(const stp_flash *f, const stp_option_bytes *ob,
                               stp_option_field *out, size_t max)
{
    size_t n = 0;
    if (ob->has_dual_bank && n < max) {
        out[n] = (stp_option_field){"db1m", "",
                                    "1: two banks of 512 KB (sectors 0-7, 12-19), from reset"};
        snprintf(out[n].value, sizeof(out[n].value), "%u", ob->dual_bank ? 1u : 0u);
        n++;
    }
    return n + stp_option_user_fields(f, ob, out + n, max - n);
}

/* Sectors sharing one nWRP bit (F413/F423 14 and 15) can only be protected together: after
 * a wrp assignment left them different, wrp-=N unprotects them all and wrp/wrp+ protects
 * them all, and the user is told. */
static void f4_tie_shared_wrp(const stp_flash *f, stp_option_bytes *ob, bool clearing,
                              stp_findings *findings)
{
    if (f4_has_bank2_options(f) || ob->wrp_bits <= f4_optcr_nwrp_bits(f))
        return;
    uint32_t first = f4_optcr_nwrp_bits(f) - 1, last = ob->wrp_bits - 1, on = 0;
    for (uint32_t i = first; i <= last; i++)
        on += stp_option_wrp_get(ob, i) ? 1u : 0u;
    if (on == 0 || on == last - first + 1)
        return;
    for (uint32_t i = first; i <= last; i++)
        stp_option_wrp_set(ob, i, !clearing);
    stp_finding *fd = stp_finding_add(findings, "option.wrp-shared-bit", STP_SEV_INFO,
                                      "sectors %u-%u share one write-protection bit (nWRP%u): "
                                      "all of them are %s",
                                      (unsigned)first, (unsigned)last, (unsigned)first,
                                      clearing ? "unprotected" : "protected");
    stp_finding_evidence(fd, "reference", "%s", f->chip->reference_manual);
}

static stp_status f4_option_set(const stp_flash *f, stp_option_bytes *ob, const char *key,
                                const char *value, stp_findings *findings)
{
    stp_status st;
    uint32_t v = 0;
    if (strcmp(key, "wrp+") == 0 && stp_parse_u32(value, &v) &&
        f4_db1m_unit_unused(f->chip, f->flash_kb, ob->dual_bank, v)) {
        stp_finding *fd = stp_finding_add(findings, "option.wrp-no-such-sector", STP_SEV_ERROR,
                                          "there is no sector %u with DB1M=1: the sectors are "
                                          "0-7 (bank 1) and 12-19 (bank 2)",
                                          (unsigned)v);
        stp_finding_evidence(fd, "reference", "%s", f->chip->reference_manual);
        return STP_ERR_INVALID_ARG;
    }
    if (stp_option_set_common(f, ob, key, value, findings, &st)) {
        if (st == STP_OK && strncmp(key, "wrp", 3) == 0)
            f4_tie_shared_wrp(f, ob, key[3] == '-', findings);
        return st;
    }
    if (ob->has_dual_bank && strcmp(key, "db1m") == 0 && stp_parse_u32(value, &v) && v <= 1) {
        /* The protection units follow the new layout: bank-2 units (OPTCR1) do not exist
         * in the single-bank layout, where 0x08080000.. is sectors 8-11 (OPTCR). */
        ob->dual_bank = v == 1;
        ob->wrp_bits = f4_wrp_units_mode(f->chip, f->flash_kb, ob->dual_bank);
        for (uint32_t i = ob->wrp_bits; i < STP_WRP_BITS; i++)
            stp_option_wrp_set(ob, i, false);
        return STP_OK;
    }
    if (stp_option_set_user(f, ob, key, value))
        return STP_OK;
    if (strcmp(key, "bor") == 0 && stp_parse_u32(value, &v) && v <= 3) {
        ob->bor_level = (int)v;
        return STP_OK;
    }
    return stp_option_unknown_key(f, key, value,
                                  ob->has_dual_bank ? "bor=0..3, db1m=0|1" : "bor=0..3", findings);
}

/* The option bytes as mapped at 0x1FFFC000 (and 0x1FFEC000 for bank 2; RM0090 3.6): the
 * half-words of OPTCR bits 15:0 and 31:16 (nWRP), each followed by its complement. */
static void f4_decode_mapped(const stp_flash *f, const uint8_t *b, const uint8_t *bank2,
                             stp_option_bytes *ob)
{
    static const int bor[4] = {3, 2, 1, 0};
    uint16_t w0 = (uint16_t)(b[0] | b[1] << 8), nwrp = (uint16_t)(b[8] | b[9] << 8);
    ob->rdp_raw = (uint8_t)(w0 >> 8);
    ob->rdp_level = stp_flash_rdp_level(ob->rdp_raw);
    ob->bor_level = bor[(w0 >> 2) & 3u];
    ob->user = (w0 >> 5) & 0x7u;
    ob->wrp_bits = f4_wrp_units(f->chip, f->flash_kb);
    ob->wrp_granule = 0;
    uint16_t nwrp2 = bank2 ? (uint16_t)(bank2[8] | bank2[9] << 8) : 0x0FFF;
    for (uint32_t i = 0; i < ob->wrp_bits; i++) {
        uint32_t bit = i;
        uint16_t reg = nwrp;
        if (f4_nwrp_bit(f->chip, i, &bit))
            reg = nwrp2;
        stp_option_wrp_set(ob, i, ((reg >> bit) & 1u) == 0);
    }
}

const stp_flash_driver stp_flash_f4 = {
    .kind = STP_FLASH_F2F4,
    .name = "F2/F4",
    .erased_byte = 0xFF,
    .sr_offset = F4_SR,
    .busy_mask = F4_SR_BSY,
    .eop_mask = F4_SR_EOP,
    .errors = f4_errors,
    .error_count = sizeof(f4_errors) / sizeof(f4_errors[0]),
    .has_psize = true,
    /* at most; fewer at fast SWD clocks (stp_flash_units_per_transfer) */
    .chunk_max = 64,
    .stalls_per_unit = true,
    .chunks_per_check = 16,
    .program_unit = f4_unit,
    .unlock = f4_unlock,
    .lock = f4_lock,
    .erase_start = f4_erase_start,
    .mass_erase_start = f4_mass_erase_start,
    .erase_end = f4_clear_cr,
    .program_begin = f4_program_begin,
    .program_end = f4_clear_cr,
    .program_chunk = f4_program_chunk,
    .read_options = f4_read_options,
    .write_options = f4_write_options,
    .detect_dual_bank = f4_detect_dual_bank,
    .option_fields = f4_option_fields,
    .option_set = f4_option_set,
    .decode_mapped_options = f4_decode_mapped,
};
