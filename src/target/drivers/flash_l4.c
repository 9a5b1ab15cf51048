/* Flash driver: the L4-style controller of STM32L4 (RM0351 rev 9 section 3), G0 (RM0444
 * rev 5 section 3) and G4 (RM0440 rev 7, "Embedded flash memory (FLASH)"). FLASH_CR
 * unlocked with KEYR; pages of 2 KiB erased with PER+PNB(+BKER on L4 bank 2) and STRT,
 * banks with MER1/MER2 and STRT; programming by 64-bit double words only (PG set, two word
 * writes back to back). Option bytes through OPTR and the WRP area registers: OPTKEYR, new
 * values, OPTSTRT, then OBL_LAUNCH to load them (a reset).
 * Register and bit positions as in sim/families/flash_l4.c (checked against libopencm3's
 * and OpenOCD's headers). Where L4, L4+ (RM0432), G0 and G4 differ (the OPTR user bits, the
 * width of the page-number fields, G0B1's bank-2 page numbers and BKER bit, the bank-mode bits
 * and page sizes, which WRP areas guard which bank) the chip database's family and chip rows
 * say; the page layout is the one the option bytes chose (f->dual_bank), so a G474 with
 * DBANK = 0 has 4 KiB pages. */
#include "target/flash.h"

#define L4_KEYR    0x08u
#define L4_OPTKEYR 0x0Cu
#define L4_SR      0x10u
#define L4_CR      0x14u
#define L4_ECCR    0x18u
#define L4_OPTR    0x20u
#define L4_WRP1AR  0x2Cu
#define L4_WRP1BR  0x30u
#define L4_WRP2AR  0x4Cu
#define L4_WRP2BR  0x50u

#define L4_OPTKEY1 0x08192A3Bu
#define L4_OPTKEY2 0x4C5D6E7Fu

#define L4_SR_EOP     (1u << 0)
#define L4_SR_OPERR   (1u << 1)
#define L4_SR_PROGERR (1u << 3)
#define L4_SR_WRPERR  (1u << 4)
#define L4_SR_PGAERR  (1u << 5)
#define L4_SR_SIZERR  (1u << 6)
#define L4_SR_PGSERR  (1u << 7)
#define L4_SR_MISERR  (1u << 8)
#define L4_SR_FASTERR (1u << 9)
#define L4_SR_RDERR   (1u << 14)
#define L4_SR_OPTVERR (1u << 15)
#define L4_SR_BSY     (1u << 16)
#define L4_SR_BSY2    (1u << 17) /* G0B1/G0C1 bank 2; reserved (0) elsewhere */
#define L4_SR_CFGBSY  (1u << 18) /* G0; reserved (0) on L4 */

#define L4_CR_PG         (1u << 0)
#define L4_CR_PER        (1u << 1)
#define L4_CR_MER1       (1u << 2)
#define L4_CR_PNB_SHIFT  3
#define L4_CR_BKER       (1u << 11) /* G0B1/G0C1: bit 13 (chip row bker_bit) */
#define L4_CR_MER2       (1u << 15)
#define L4_CR_STRT       (1u << 16)
#define L4_CR_OPTSTRT    (1u << 17)
#define L4_CR_OBL_LAUNCH (1u << 27)
#define L4_CR_OPTLOCK    (1u << 30)
#define L4_CR_LOCK       (1u << 31)

#define L4_PAGE 2048u

#define L4_ECCR_ECCIE (1u << 24)
#define L4_ECCR_FLAGS (0xFu << 28) /* ECCC2, ECCD2 (G4), ECCC, ECCD: write 1 to clear */
#define L4_ECCR_DBL   (0x5u << 29) /* ECCD2, ECCD */

static const stp_flash_error_bit l4_errors[] = {
    {L4_SR_WRPERR, "WRPERR", "flash.wrp-error",
     "the address is in a write-protected area (or the chip is read-protected)",
     "clear the area's write protection (stprog option-bytes set wrp-=N)", STP_ERR_PROTECTED},
    {L4_SR_PROGERR, "PROGERR", "flash.program-error",
     "the double word was not erased before programming", "erase the page first", STP_ERR_FLASH},
    {L4_SR_PGAERR, "PGAERR", "flash.alignment-error",
     "the two words of a double word were not written to one 8-byte aligned double word", NULL,
     STP_ERR_FLASH},
    {L4_SR_SIZERR, "SIZERR", "flash.size-error",
     "a byte or half-word was written (the flash takes 32-bit words, in pairs)", NULL,
     STP_ERR_FLASH},
    {L4_SR_PGSERR, "PGSERR", "flash.programming-sequence-error",
     "the controller saw a write outside a programming sequence, or an error flag was still "
     "set",
     "another master (running firmware, DMA) may be touching the flash: connect under reset",
     STP_ERR_FLASH},
    {L4_SR_MISERR, "MISERR", "flash.fast-program-error",
     "fast programming missed data (row not written in time)", NULL, STP_ERR_FLASH},
    {L4_SR_FASTERR, "FASTERR", "flash.fast-program-error", "fast programming was interrupted", NULL,
     STP_ERR_FLASH},
    {L4_SR_OPERR, "OPERR", "flash.operation-error", "the operation did not complete", NULL,
     STP_ERR_FLASH},
    {L4_SR_RDERR, "RDERR", "flash.read-protection-error", "a PCROP-protected area was read", NULL,
     STP_ERR_PROTECTED},
    {L4_SR_OPTVERR, "OPTVERR", "flash.option-validity-error",
     "the option bytes and their complements did not match at the last load",
     "rewrite the option bytes (stprog option-bytes set ...)", STP_ERR_FLASH},
};

/* PNB and WRP page fields: the chip row's page_number_bits (6 on G0, RM0444; 7 on G4 cat. 2
 * and 3, RM0440; 8 on L4/L4+ and G4 cat. 4, RM0351/RM0394/RM0432/RM0440). */
static uint32_t page_mask(const stp_chip *c)
{
    return (1u << c->page_number_bits) - 1u;
}

/* Bank-2 registers (MER2, WRP2AR/WRP2BR) exist: the row has bank-2 option bytes or a
 * dual-bank layout (G0B1/G0C1: bank-2 words in the one option area). */
static bool has_regs2(const stp_chip *c)
{
    return c->option_bytes2_size != 0 || c->layout_dual.bank_count > 1;
}

/* FLASH_CR.PNB and BKER of a page: the page number inside its bank (L4, G4), or the
 * device-wide number on the parts whose bank 2 pages are 256.. (G0B1/G0C1: pnb_bits). */
static uint32_t page_select(const stp_chip *c, const stp_flash_layout *lay, const stp_sector *s)
{
    uint32_t first = s->bank < lay->bank_count ? lay->banks[s->bank].first_sector_number : 0;
    uint32_t pnb = c->pnb_bits ? (uint32_t)s->number & ((1u << c->pnb_bits) - 1u)
                               : ((uint32_t)s->number - first) & page_mask(c);
    uint32_t cr = pnb << L4_CR_PNB_SHIFT;
    if (s->bank == 1)
        cr |= c->bker_bit ? 1u << c->bker_bit : L4_CR_BKER;
    return cr;
}

/* The active layout (the bank mode the option bytes chose at their last load, f->dual_bank):
 * its page size (2 KiB; G4 cat. 3 single bank 4 KiB; L4+ 4 or 8 KiB), the banks in use and
 * the pages of each. */
typedef struct l4_geom {
    uint32_t page;
    unsigned banks;
    uint32_t ppb;
} l4_geom;

static l4_geom geom(const stp_flash *f, bool dual)
{
    const stp_chip *c = f->chip;
    l4_geom g = {L4_PAGE, 1, 0};
    stp_sector s;
    if (stp_chip_sector_at(c, f->flash_kb, dual, c->flash_base, &s))
        g.page = s.size;
    if (stp_chip_sector_at(c, f->flash_kb, dual, c->flash_base + f->flash_kb * 1024u - 1u, &s))
        g.banks = s.bank + 1u;
    g.ppb = f->flash_kb * 1024u / g.page / g.banks;
    return g;
}

static uint32_t l4_unit(const stp_flash *f)
{
    (void)f;
    return 8;
}

static stp_status l4_unlock(stp_flash *f)
{
    uint32_t all = L4_SR_EOP;
    for (size_t i = 0; i < sizeof(l4_errors) / sizeof(l4_errors[0]); i++)
        all |= l4_errors[i].mask;
    return stp_flash_unlock_keys(f, L4_CR, L4_CR_LOCK, L4_KEYR, L4_SR, all);
}

static stp_status l4_lock(stp_flash *f)
{
    return stp_flash_reg_write(f, L4_CR, L4_CR_LOCK);
}

static stp_status l4_erase_start(stp_flash *f, const stp_sector *s)
{
    const stp_chip *c = f->chip;
    const stp_flash_layout *lay =
        f->dual_bank && c->layout_dual.bank_count ? &c->layout_dual : &c->layout;
    uint32_t cr = L4_CR_PER | page_select(c, lay, s);
    stp_status st = stp_flash_reg_write(f, L4_CR, cr);
    if (st == STP_OK)
        st = stp_flash_reg_write(f, L4_CR, cr | L4_CR_STRT);
    return st;
}

static stp_status l4_mass_erase_start(stp_flash *f, int bank)
{
    uint32_t cr = 0;
    if (bank < 0)
        cr = L4_CR_MER1 | (has_regs2(f->chip) ? L4_CR_MER2 : 0);
    else
        cr = bank == 1 ? L4_CR_MER2 : L4_CR_MER1;
    stp_status st = stp_flash_reg_write(f, L4_CR, cr);
    if (st == STP_OK)
        st = stp_flash_reg_write(f, L4_CR, cr | L4_CR_STRT);
    return st;
}

/* Clears PER/MER/PNB after an erase, and PG after programming (LOCK/OPTLOCK ignore 0). */
static stp_status l4_cr_idle(stp_flash *f)
{
    return stp_flash_reg_write(f, L4_CR, 0);
}

static stp_status l4_program_begin(stp_flash *f)
{
    return stp_flash_reg_write(f, L4_CR, L4_CR_PG);
}

/* Double words as word pairs in one transfer: the second word of each pair starts its
 * programming and stalls the bus until done, so the pairs need no polling in between. */
static stp_status l4_program_chunk(stp_flash *f, uint32_t addr, const uint8_t *data, uint32_t len)
{
    return f->dbg->ops->write_mem(f->dbg, addr, data, len, f->findings);
}

/* --- option bytes ---------------------------------------------------------------------- */

static const uint32_t wrp_regs[4] = {L4_WRP1AR, L4_WRP1BR, L4_WRP2AR, L4_WRP2BR};

static unsigned wrp_reg_count(const stp_chip *c)
{
    return has_regs2(c) ? 4u : 2u;
}

/* The bank whose pages WRP register r (WRP1AR, WRP1BR, WRP2AR, WRP2BR) guards, or -1 when
 * it guards nothing in this bank mode: WRP2x guard bank 2 in dual-bank mode; in single-bank
 * mode bank 1 where all four areas count there (chip row wrp_four_areas_single: RM0440
 * cat. 3, RM0432), else nothing (RM0351 256/512 KiB parts with DUALBANK = 0). */
static int wrp_reg_bank(const stp_flash *f, const l4_geom *g, unsigned r)
{
    if (r < 2)
        return 0;
    if (g->banks > 1)
        return 1;
    return f->chip->wrp_four_areas_single ? 0 : -1;
}

/* One WRP unit is one page of the active layout (the areas count pages: RM0351/RM0440/
 * RM0432 "Write protection (WRP)"): unit n = page n, bank-2 pages after bank 1's. */
static bool page_protected(const l4_geom *g, const stp_option_bytes *ob, unsigned bank, uint32_t p)
{
    return stp_option_wrp_get(ob, bank * g->ppb + p);
}

/* ob from OPTR and the WRP area registers (WRP1AR, WRP1BR and, where the chip has bank-2
 * option bytes, WRP2AR, WRP2BR), as the controller holds them or as the option area stores
 * them. The page layout is the one OPTR selects (it is the active one once loaded). */
static void l4_decode(const stp_flash *f, uint32_t optr, const uint32_t *wrp, stp_option_bytes *ob)
{
    const stp_chip *c = f->chip;
    bool dual = stp_chip_dual_bank_from_optr(c, f->flash_kb, optr);
    l4_geom g = geom(f, dual);
    uint32_t bits = g.ppb * g.banks;
    ob->wrp_bits = bits > STP_WRP_BITS ? STP_WRP_BITS : bits;
    ob->wrp_granule = g.page;
    ob->raw[0] = optr;
    ob->raw_count = 1;
    uint32_t m = page_mask(c);
    for (unsigned r = 0; r < wrp_reg_count(c); r++) {
        ob->raw[ob->raw_count++] = wrp[r];
        int bank = wrp_reg_bank(f, &g, r);
        uint32_t strt = wrp[r] & m, end = (wrp[r] >> 16) & m;
        for (uint32_t p = strt; bank >= 0 && p <= end && p < g.ppb; p++)
            stp_option_wrp_set(ob, (unsigned)bank * g.ppb + p, true);
    }
    ob->rdp_raw = (uint8_t)(optr & 0xFFu);
    ob->rdp_level = stp_flash_rdp_level(ob->rdp_raw);
    ob->bor_level = -1; /* BOR is always on here: BOR_LEV is shown as its own field */
    ob->user = optr;
    ob->has_dual_bank = c->layout_dual.bank_count != 0;
    ob->dual_bank = dual;
}

static stp_status l4_read_options(stp_flash *f, stp_option_bytes *ob)
{
    uint32_t optr = 0, wrp[4] = {0};
    stp_status st = stp_flash_reg_read(f, L4_OPTR, &optr);
    for (unsigned r = 0; r < wrp_reg_count(f->chip) && st == STP_OK; r++)
        st = stp_flash_reg_read(f, wrp_regs[r], &wrp[r]);
    if (st == STP_OK)
        l4_decode(f, optr, wrp, ob);
    return st;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The option area as mapped (RM0351 "Option bytes description"; RM0444/RM0440/RM0432 the
 * same layout): double words {value, complement}, OPTR at +0x00, WRP1AR at +0x18, WRP1BR at
 * +0x20; bank 2's block (b2) has WRP2AR/WRP2BR at the same offsets. */
static void l4_decode_mapped(const stp_flash *f, const uint8_t *b, const uint8_t *b2,
                             stp_option_bytes *ob)
{
    uint32_t wrp[4] = {le32(b + 0x18), le32(b + 0x20), 0, 0};
    if (b2 != NULL) {
        wrp[2] = le32(b2 + 0x18);
        wrp[3] = le32(b2 + 0x20);
    }
    l4_decode(f, le32(b), wrp, ob);
}

/* The protected pages of one bank as areas in the WRP registers that guard it (out[r] for
 * each r with wrp_reg_bank == bank, in register order). False when the pages need more runs
 * than the bank has areas; *slots says how many it has. */
static bool bank_areas(const stp_flash *f, const l4_geom *g, const stp_option_bytes *ob,
                       unsigned bank, uint32_t out[4], unsigned *slots)
{
    unsigned regs[4], n = 0, used = 0;
    for (unsigned r = 0; r < wrp_reg_count(f->chip); r++) {
        if (wrp_reg_bank(f, g, r) == (int)bank)
            regs[n++] = r;
    }
    *slots = n;
    for (uint32_t p = 0; p < g->ppb;) {
        if (!page_protected(g, ob, bank, p)) {
            p++;
            continue;
        }
        uint32_t s = p;
        while (p < g->ppb && page_protected(g, ob, bank, p))
            p++;
        if (used == n)
            return false;
        out[regs[used++]] = s | (p - 1) << 16;
    }
    return true;
}

static stp_status l4_write_options(stp_flash *f, const stp_option_bytes *ob)
{
    const stp_chip *c = f->chip;
    l4_geom g = geom(f, f->dual_bank);
    uint32_t areas[4];
    for (unsigned r = 0; r < 4; r++)
        areas[r] = page_mask(c); /* STRT > END: no area */
    for (unsigned bank = 0; bank < g.banks; bank++) {
        unsigned slots = 0;
        if (!bank_areas(f, &g, ob, bank, areas, &slots)) {
            stp_finding *fd = stp_finding_add(
                f->findings, "option.wrp-areas", STP_SEV_ERROR,
                "bank %u would need more than %u write-protected areas", bank + 1, slots);
            stp_finding_advice(fd,
                               "each bank has %u WRP areas of contiguous pages in this bank "
                               "mode: protect at most %u runs of units per bank",
                               slots, slots);
            return STP_ERR_INVALID_ARG;
        }
    }
    uint32_t optr = 0, old_rdp;
    stp_status st = stp_flash_reg_read(f, L4_OPTR, &optr);
    old_rdp = optr & 0xFFu;
    uint8_t rdp = ob->rdp_level == 0 ? 0xAA : (ob->rdp_level == 2 ? 0xCC : 0xBB);
    if (ob->rdp_level == 1 && ob->rdp_raw != 0xAA && ob->rdp_raw != 0xCC)
        rdp = ob->rdp_raw;
    optr = (ob->user & ~0xFFu) | rdp;
    if (st == STP_OK)
        st = stp_flash_reg_write(f, L4_OPTKEYR, L4_OPTKEY1);
    if (st == STP_OK)
        st = stp_flash_reg_write(f, L4_OPTKEYR, L4_OPTKEY2);
    if (st == STP_OK)
        st = stp_flash_reg_write(f, L4_OPTR, optr);
    for (unsigned r = 0; r < wrp_reg_count(c) && st == STP_OK; r++)
        st = stp_flash_reg_write(f, wrp_regs[r], areas[r]);
    if (st == STP_OK)
        st = stp_flash_reg_write(f, L4_CR, L4_CR_OPTSTRT);
    /* Leaving level 1 erases the whole main flash first. */
    uint32_t deadline = stp_flash_erase_deadline_ms(f, g.page);
    if (old_rdp != 0xAA && old_rdp != 0xCC && rdp == 0xAA)
        deadline += stp_flash_mass_erase_deadline_ms(f);
    if (st == STP_OK)
        st = stp_flash_wait(f, deadline, "option-byte write");
    if (st == STP_OK) {
        /* Load the new values: the chip resets, the debug port stays. The bank mode (and
         * with it the page layout) is the new one from here on. */
        (void)stp_flash_reg_write(f, L4_CR, L4_CR_OBL_LAUNCH);
        f->dbg->ops->delay_ms(f->dbg, 10);
        f->dual_bank = stp_chip_dual_bank_from_optr(c, f->flash_kb, optr);
    }
    return st;
}

static stp_status l4_detect_dual_bank(stp_flash *f, bool *dual)
{
    *dual = false;
    if (f->chip->layout_dual.bank_count == 0)
        return STP_OK;
    uint32_t optr = 0;
    stp_status st = stp_flash_reg_read(f, L4_OPTR, &optr);
    /* The row's dbank masks: RM0351 1 MiB always dual, else DUALBANK (OPTR[21]); RM0440
     * cat. 3 DBANK (OPTR[22]); RM0432 DBANK on the largest size, DB1M (OPTR[21]) else. */
    *dual = st == STP_OK && stp_chip_dual_bank_from_optr(f->chip, f->flash_kb, optr);
    return st;
}

static stp_status l4_option_set(const stp_flash *f, stp_option_bytes *ob, const char *key,
                                const char *value, stp_findings *findings)
{
    stp_status st;
    if (stp_option_set_common(f, ob, key, value, findings, &st))
        return st;
    if (stp_option_set_user(f, ob, key, value))
        return STP_OK;
    return stp_option_unknown_key(f, key, value, NULL, findings);
}

/* FLASH_ECCR: ECCC (one bit corrected) or ECCD (two detected) with the failing address
 * (bytes from the bank's start on L4/G4, double words on G0: the family row) and BK_ECC,
 * latched by the first error until the flags are cleared. */
static stp_status l4_ecc_take(stp_flash *f, stp_flash_ecc *out, size_t *n)
{
    const stp_family *fam = f->chip->fam;
    uint32_t eccr = 0;
    *n = 0;
    stp_status st = stp_flash_reg_read(f, L4_ECCR, &eccr);
    if (st != STP_OK || !(eccr & L4_ECCR_FLAGS))
        return st;
    uint32_t field = eccr & ((1u << fam->ecc_addr_bits) - 1u);
    out[0] = (stp_flash_ecc){
        .dbl = (eccr & L4_ECCR_DBL) != 0,
        .bank = fam->ecc_bank_bit ? (eccr >> fam->ecc_bank_bit) & 1u : 0u,
        .offset = fam->ecc_addr_words ? field * 8u : field,
    };
    *n = 1;
    return stp_flash_reg_write(f, L4_ECCR, eccr & (L4_ECCR_ECCIE | L4_ECCR_FLAGS));
}

const stp_flash_driver stp_flash_l4 = {
    .kind = STP_FLASH_L4,
    .name = "L4/G0/G4",
    .erased_byte = 0xFF,
    .sr_offset = L4_SR,
    .busy_mask = L4_SR_BSY | L4_SR_BSY2 | L4_SR_CFGBSY,
    .eop_mask = L4_SR_EOP,
    .errors = l4_errors,
    .error_count = sizeof(l4_errors) / sizeof(l4_errors[0]),
    .has_psize = false,
    .chunk_max = 64,
    .stalls_per_unit = true,
    .chunks_per_check = 16,
    .program_unit = l4_unit,
    .unlock = l4_unlock,
    .lock = l4_lock,
    .erase_start = l4_erase_start,
    .mass_erase_start = l4_mass_erase_start,
    .erase_end = l4_cr_idle,
    .program_begin = l4_program_begin,
    .program_end = l4_cr_idle,
    .program_chunk = l4_program_chunk,
    .loader_block_mode = NULL,
    .read_options = l4_read_options,
    .decode_mapped_options = l4_decode_mapped,
    .write_options = l4_write_options,
    .detect_dual_bank = l4_detect_dual_bank,
    .option_fields = stp_option_user_fields,
    .option_set = l4_option_set,
    .ecc_take = l4_ecc_take,
};
