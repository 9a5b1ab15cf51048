/* L4-style flash interface: STM32L4 (RM0351 rev 9 section 3), G0 (RM0444 rev 5 section 3,
 * "FLASH functional description" 3.3), G4 (RM0440 rev 7, chapter "Embedded flash memory
 * (FLASH)"). One model, the differences taken from the chip row's family. Register
 * offsets and bit positions below were checked against libopencm3's l4/g0/g4 flash.h and
 * OpenOCD's stm32l4x.h (both taken from these manuals); the G0 PNB/WRP fields are 6 bits,
 * G4 7, L4 8 (libopencm3 masks 0x3F, 0x7F, 0xFF).
 *
 * Registers (offsets from 0x40022000): ACR 0x00, PDKEYR 0x04, KEYR 0x08, OPTKEYR 0x0C,
 * SR 0x10, CR 0x14, ECCR 0x18, OPTR 0x20, PCROP1(A)SR 0x24, PCROP1(A)ER 0x28, WRP1AR 0x2C,
 * WRP1BR 0x30; L4 bank 2: PCROP2SR 0x44, PCROP2ER 0x48, WRP2AR 0x4C, WRP2BR 0x50.
 * SR: EOP 0, OPERR 1, PROGERR 3, WRPERR 4, PGAERR 5, SIZERR 6, PGSERR 7, MISERR 8,
 *     FASTERR 9, RDERR 14, OPTVERR 15, BSY 16 (G0: BSY1), CFGBSY 18 (G0).
 * CR: PG 0, PER 1, MER1 2, PNB from bit 3 (L4 8 bits, G4 7, G0 6), BKER 11 (L4), MER2 15,
 *     STRT 16, OPTSTRT 17, FSTPG 18, EOPIE 24, ERRIE 25, RDERRIE 26, OBL_LAUNCH 27,
 *     OPTLOCK 30, LOCK 31.
 * Keys: KEYR 0x45670123 then 0xCDEF89AB clears LOCK; OPTKEYR 0x08192A3B then 0x4C5D6E7F
 * clears OPTLOCK (only with LOCK clear). A wrong key: bus error, locked until reset.
 *
 * Programming is by double word only: with PG set, two 32-bit writes, the first at an
 * 8-byte aligned address, the second at +4; the operation starts on the second (tprog).
 * A byte or half-word write is SIZERR; a second word in another double word is PGAERR; a
 * flash write without PG is PGSERR, as is starting anything while a programming error
 * flag is still set; programming a double word that is not erased, with data that is not
 * all zeros, is PROGERR; a write-protected page (or RDP level 1 with a debugger) is WRPERR.
 * Page erase: PER, PNB (and BKER) then STRT; mass erase: MER1 (and MER2) then STRT (not
 * done, WRPERR, when a WRP area lies in the bank). Option bytes: OPTR and the WRP area
 * registers take new values while OPTLOCK is clear, OPTSTRT writes them to the option
 * area (0x1FFF7800, each word followed by its complement), OBL_LAUNCH reloads them (a
 * reset). RDP 0xAA level 0, 0xCC level 2, anything else level 1; leaving level 1 erases
 * the main flash. WRP area x: pages STRT..END (END included) of its bank protected when
 * STRT <= END, page granularity (2 KiB) on all three (RM0351 "Write protection (WRP)":
 * two areas per bank). The active protection is kept per WRP unit (chip row wrp_granule:
 * 2 KiB, on the L4+ 4 KiB; L476 bank 2 = units 256..511).
 * Bank mode (the row's dbank masks, stp_chip_dual_bank_from_optr): the layout follows the
 * OPTR bits when the option bytes load: G4 cat. 3 DBANK (RM0440: two banks of 2 KiB pages or
 * one of 4 KiB), L4+ DBANK/DB1M (RM0432: 4 or 8 KiB pages), L47x/L49x DUALBANK (RM0351). In
 * single-bank mode the bank-2 WRP areas guard bank 1 where the row says so
 * (wrp_four_areas_single), and MER1 erases the one bank. */
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

#define REG_ACR     0x00
#define REG_PDKEYR  0x04
#define REG_KEYR    0x08
#define REG_OPTKEYR 0x0C
#define REG_SR      0x10
#define REG_CR      0x14
#define REG_ECCR    0x18
#define REG_OPTR    0x20
#define REG_PCROP1S 0x24
#define REG_PCROP1E 0x28
#define REG_WRP1AR  0x2C
#define REG_WRP1BR  0x30
#define REG_PCROP2S 0x44
#define REG_PCROP2E 0x48
#define REG_WRP2AR  0x4C
#define REG_WRP2BR  0x50

#define SR_EOP     (1u << 0)
#define SR_OPERR   (1u << 1)
#define SR_PROGERR (1u << 3)
#define SR_WRPERR  (1u << 4)
#define SR_PGAERR  (1u << 5)
#define SR_SIZERR  (1u << 6)
#define SR_PGSERR  (1u << 7)
#define SR_MISERR  (1u << 8)
#define SR_FASTERR (1u << 9)
#define SR_RDERR   (1u << 14)
#define SR_OPTVERR (1u << 15)
#define SR_BSY     (1u << 16)
#define SR_CFGBSY  (1u << 18)
#define SR_W1C                                                                                     \
    (SR_EOP | SR_OPERR | SR_PROGERR | SR_WRPERR | SR_PGAERR | SR_SIZERR | SR_PGSERR | SR_MISERR |  \
     SR_FASTERR | SR_RDERR | SR_OPTVERR)
/* Flags that block the next programming or erase until cleared (PGSERR otherwise). */
#define SR_PROG_ERRS                                                                               \
    (SR_PROGERR | SR_WRPERR | SR_PGAERR | SR_SIZERR | SR_PGSERR | SR_MISERR | SR_FASTERR)

#define ECCR_ECCIE (1u << 24)
#define ECCR_FLAGS (0xFu << 28) /* ECCC2, ECCD2 (G4 dual bank), ECCC, ECCD: 1 clears */
#define ECCR_ECCC  (1u << 30)
#define ECCR_ECCD  (1u << 31)

#define CR_PG         (1u << 0)
#define CR_PER        (1u << 1)
#define CR_MER1       (1u << 2)
#define CR_PNB_SHIFT  3
#define CR_BKER       (1u << 11)
#define CR_MER2       (1u << 15)
#define CR_STRT       (1u << 16)
#define CR_OPTSTRT    (1u << 17)
#define CR_FSTPG      (1u << 18)
#define CR_OBL_LAUNCH (1u << 27)
#define CR_OPTLOCK    (1u << 30)
#define CR_LOCK       (1u << 31)
#define CR_RW         (0x0700FFFFu | CR_FSTPG) /* PG..MER2, FSTPG, interrupt enables */

#define KEY1    0x45670123u
#define KEY2    0xCDEF89ABu
#define OPTKEY1 0x08192A3Bu
#define OPTKEY2 0x4C5D6E7Fu

#define PAGE 2048u

/* Option area offsets (value word; its complement follows at +4). */
#define OB_OPTR   0x00u
#define OB_PCROPS 0x08u
#define OB_PCROPE 0x10u
#define OB_WRPA   0x18u
#define OB_WRPB   0x20u

typedef struct l4_state {
    uint32_t acr, sr, cr;
    uint32_t eccr;
    uint32_t optr;
    uint32_t wrp[4]; /* WRP1AR, WRP1BR, WRP2AR, WRP2BR as the registers hold them */
    int key_stage, optkey_stage;
    bool lockout;
    bool dw_pending; /* first word of a double word written */
    uint32_t dw_addr;
    uint32_t dw_lo;
    bool ob_regress;
} l4_state;

static l4_state *st(const sim_board *b)
{
    return b->flash_ctx;
}

/* Width of the PNB and WRP page fields (the chip row's page_number_bits): RM0444 6 bits,
 * RM0440 (cat. 2) 7 bits, RM0351 8. */
static uint32_t page_field_mask(const sim_board *b)
{
    return (1u << b->chip->page_number_bits) - 1u;
}

/* Bank-2 option bytes and registers (MER2, WRP2AR/WRP2BR, PCROP2) exist on the row: bank-2
 * option bytes of their own, or a dual-bank layout (G0B1/G0C1: in the one option area). */
static bool has_regs2(const sim_board *b)
{
    return b->chip->option_bytes2_size != 0 || b->chip->layout_dual.bank_count > 1;
}

/* Banks of the active layout (the bank mode the option bytes chose at their last load). */
static unsigned bank_count(const sim_board *b)
{
    return b->sector_count ? b->sectors[b->sector_count - 1].bank + 1u : 1u;
}

/* Page size of the active layout: 2 KiB; G4 cat. 3 single bank 4 KiB; L4+ 4 or 8 KiB. */
static uint32_t page_size(const sim_board *b)
{
    return b->sector_count ? b->sectors[0].size : PAGE;
}

/* FLASH_CR.BKER: bit 11, or the chip row's bker_bit (G0B1/G0C1 bit 13, RM0444). */
static uint32_t cr_bker(const sim_board *b)
{
    return b->chip->bker_bit ? 1u << b->chip->bker_bit : CR_BKER;
}

/* The page FLASH_CR selects, counted inside its bank: PNB's low page_number_bits bits, with
 * BKER choosing the bank. On the G0B1/G0C1 RM0444 numbers bank 2's pages 256..383 (PNB
 * 10 bits); Black Magic Probe and Zephyr (ST's driver) send 256 + page with BKER, OpenOCD
 * 0.12 the page inside the bank (0..127) with BKER, and embassy (tested on a G0B1RC) the page
 * inside the bank: all of them erase bank-2 pages on silicon only if the controller takes
 * the page from PNB's low 7 bits, which the model does (an inference from the tools, not a
 * sentence of the manual). */
static uint32_t cr_page(const sim_board *b, uint32_t cr)
{
    return (cr >> CR_PNB_SHIFT) & page_field_mask(b);
}

static uint32_t pages_per_bank(const sim_board *b)
{
    return b->flash_size / page_size(b) / bank_count(b);
}

/* The bank WRP register r (WRP1AR, WRP1BR, WRP2AR, WRP2BR) guards, or -1: WRP2x guard bank 2
 * in dual-bank mode, bank 1 in single-bank mode where the row says all four areas count
 * there (RM0440 cat. 3, RM0432), else nothing. */
static int wrp_reg_bank(const sim_board *b, unsigned r)
{
    if (r < 2)
        return 0;
    if (!has_regs2(b))
        return -1;
    if (bank_count(b) > 1)
        return 1;
    return b->chip->wrp_four_areas_single ? 0 : -1;
}

static uint32_t wrp_gran(const sim_board *b)
{
    return b->chip->wrp_granule ? b->chip->wrp_granule : PAGE;
}

/* WRP units of page p of bank: [*first, *first + count). */
static uint32_t page_units(const sim_board *b, unsigned bank, uint32_t p, uint32_t *first)
{
    uint32_t g = wrp_gran(b), page = page_size(b);
    *first = (bank * pages_per_bank(b) + p) * page / g;
    return page > g ? page / g : 1u;
}

static int rdp_level(uint8_t rdp)
{
    return rdp == 0xAA ? 0 : rdp == 0xCC ? 2 : 1;
}

static bool rdp_blocks(const sim_board *b)
{
    return b->ob_active.rdp_level >= 1 && b->debugger_seen;
}

/* ---- option bytes ------------------------------------------------------------------ */

/* Offset in b->ob of an option word of bank (0/1): bank 2's words in their own area after
 * bank 1's (L4: 0x1FFFF800), or in the one area 0x40 after bank 1's (G0B1/G0C1: the area
 * holds each register's word at 2 x (register offset - 0x20), WRP2AR 0x4C -> 0x58). */
static uint32_t ob_off(const sim_board *b, unsigned bank, uint32_t off)
{
    if (!bank)
        return off;
    return b->chip->option_bytes2_size ? b->chip->option_bytes_size + off : off + 0x40u;
}

static uint32_t ob_word(const sim_board *b, uint32_t off, bool *bad)
{
    if (off + 8 > b->ob_size)
        return 0;
    uint32_t v = sim_le32(b->ob + off);
    if (sim_le32(b->ob + off + 4) != ~v)
        *bad = true;
    return v;
}

static void put_word(sim_board *b, uint32_t off, uint32_t v)
{
    if (off + 8 <= b->ob_size) {
        sim_put_le32(b->ob + off, v);
        sim_put_le32(b->ob + off + 4, ~v);
    }
}

static void wrp_area_to_units(const sim_board *b, sim_ob_active *out, unsigned r, uint32_t reg)
{
    int bank = wrp_reg_bank(b, r);
    uint32_t m = page_field_mask(b);
    uint32_t strt = reg & m, end = (reg >> 16) & m;
    for (uint32_t p = strt; bank >= 0 && p <= end && p < pages_per_bank(b); p++) {
        uint32_t u0, n = page_units(b, (unsigned)bank, p, &u0);
        for (uint32_t k = 0; k < n; k++)
            sim_wrp_set(out, u0 + k, true);
    }
}

static const uint32_t ob_wrp_off[2] = {OB_WRPA, OB_WRPB};

/* Loads the option bytes: the bank mode (and with it the page layout) follows OPTR's bank
 * bits (the row's dbank masks: DUALBANK, DBANK, DB1M), then the WRP areas are read against
 * that layout. */
static void l4_ob_load(sim_board *b, sim_ob_active *out)
{
    bool bad = false;
    uint32_t optr = ob_word(b, OB_OPTR, &bad);
    memset(out, 0, sizeof *out);
    if (b->chip->layout_dual.bank_count)
        sim_board_set_bank_mode(b, stp_chip_dual_bank_from_optr(b->chip, b->part->flash_kb, optr));
    for (unsigned r = 0; r < (has_regs2(b) ? 4u : 2u); r++)
        wrp_area_to_units(b, out, r, ob_word(b, ob_off(b, r / 2, ob_wrp_off[r % 2]), &bad));
    /* A complement mismatch loads the safe values: RDP level 1 (OPTVERR). */
    out->rdp_level = bad ? 1 : rdp_level((uint8_t)optr);
    out->iwdg_hw = !(optr & (1u << 16)); /* OPTR.IWDG_SW */
    out->error = bad;
}

/* Factory OPTR (the family row's optr_factory: RM0351/RM0440 0xFFEFF8AA, RM0444 0xFFFFFEAA,
 * RDP 0xAA = level 0) and the WRP area registers with STRT > END (none: wrp_area_none, on
 * the L4 0xFF00FFFF, on G0/G4 STRT = the field mask, END 0). PCROP end 0 (none). */
static uint32_t wrp_none(const sim_board *b)
{
    return b->chip->fam->wrp_area_none;
}

static void l4_ob_default(sim_board *b)
{
    memset(b->ob, 0xFF, b->ob_size);
    put_word(b, OB_OPTR, b->chip->fam->optr_factory);
    for (unsigned bank = 0; bank < (has_regs2(b) ? 2u : 1u); bank++) {
        if (bank && b->chip->option_bytes2_size)
            put_word(b, ob_off(b, 1, OB_OPTR), 0xFFFFFFFFu);
        put_word(b, ob_off(b, bank, OB_PCROPS), 0xFFFFFFFFu);
        put_word(b, ob_off(b, bank, OB_PCROPE), 0x00000000u);
        put_word(b, ob_off(b, bank, OB_WRPA), wrp_none(b));
        put_word(b, ob_off(b, bank, OB_WRPB), wrp_none(b));
    }
}

/* A run of protected pages of one bank as a WRP area register value. */
static uint32_t area(uint32_t strt, uint32_t end)
{
    return strt | end << 16;
}

static bool spec_page_protected(const sim_board *b, uint64_t wrp, unsigned bank, uint32_t p)
{
    uint32_t u0, n = page_units(b, bank, p, &u0);
    for (uint32_t k = 0; k < n; k++) {
        if (u0 + k < 64 && ((wrp >> (u0 + k)) & 1u))
            return true;
    }
    return false;
}

/* Spec wrp= (a mask of the first 64 WRP units): each bank's runs of protected pages become
 * the areas of the WRP registers that guard it, in register order. */
static void l4_ob_apply_spec(sim_board *b, bool set_rdp, int rdp, bool set_wrp, uint64_t wrp)
{
    if (set_rdp) {
        bool bad = false;
        uint32_t optr = ob_word(b, OB_OPTR, &bad);
        uint8_t v = rdp == 0 ? 0xAA : rdp == 2 ? 0xCC : 0x55;
        put_word(b, OB_OPTR, (optr & ~0xFFu) | v);
    }
    if (!set_wrp)
        return;
    uint32_t ppb = pages_per_bank(b);
    unsigned nregs = has_regs2(b) ? 4u : 2u;
    for (unsigned r = 0; r < nregs; r++)
        put_word(b, ob_off(b, r / 2, ob_wrp_off[r % 2]), wrp_none(b));
    for (unsigned bank = 0; bank < bank_count(b); bank++) {
        unsigned r = 0;
        for (uint32_t p = 0; p < ppb;) {
            if (!spec_page_protected(b, wrp, bank, p)) {
                p++;
                continue;
            }
            uint32_t s = p;
            while (p < ppb && spec_page_protected(b, wrp, bank, p))
                p++;
            while (r < nregs && wrp_reg_bank(b, r) != (int)bank)
                r++;
            if (r == nregs)
                break;
            put_word(b, ob_off(b, r / 2, ob_wrp_off[r % 2]), area(s, p - 1));
            r++;
        }
    }
}

/* ---- operations --------------------------------------------------------------------- */

static void error(sim_board *b, uint32_t bit)
{
    st(b)->sr |= bit;
}

static void finish(sim_board *b, bool complete)
{
    if (complete)
        st(b)->sr |= SR_EOP;
}

static void finish_ob(sim_board *b, bool complete)
{
    l4_state *s = st(b);
    if (complete && s->ob_regress)
        sim_flash_mass_erase_now(b);
    s->ob_regress = false;
    finish(b, complete);
}

/* Sector index of page pnb of bank, or (size_t)-1. */
static size_t page_sector(const sim_board *b, unsigned bank, uint32_t pnb)
{
    uint32_t k = 0;
    for (size_t i = 0; i < b->sector_count; i++) {
        if (b->sectors[i].bank != bank)
            continue;
        if (k++ == pnb)
            return i;
    }
    return (size_t)-1;
}

static bool bank_protected(const sim_board *b, unsigned bank)
{
    for (size_t i = 0; i < b->sector_count; i++) {
        if (b->sectors[i].bank == bank && sim_flash_sector_protected(b, i))
            return true;
    }
    return false;
}

static void start_erase(sim_board *b)
{
    l4_state *s = st(b);
    uint32_t cr = s->cr;
    bool mass = cr & (CR_MER1 | CR_MER2);
    if ((s->sr & SR_PROG_ERRS) || (cr & CR_PG) || (mass && (cr & CR_PER))) {
        error(b, SR_PGSERR);
        return;
    }
    if (!mass && !(cr & CR_PER))
        return; /* STRT with nothing selected: nothing happens */
    if (rdp_blocks(b)) {
        error(b, SR_WRPERR);
        return;
    }
    sim_flash_op op = {0};
    op.psize = STP_PSIZE_X64;
    op.finish = finish;
    if (cr & CR_PER) {
        unsigned bank = bank_count(b) > 1 && (cr & cr_bker(b)) ? 1u : 0u;
        size_t sec = page_sector(b, bank, cr_page(b, cr));
        if (sec == (size_t)-1) {
            s->sr |= SR_EOP; /* a page this part does not have: nothing to erase */
            return;
        }
        if (sim_flash_sector_protected(b, sec)) {
            error(b, SR_WRPERR);
            return;
        }
        op.kind = SIM_OP_ERASE;
        op.sector = sec;
        sim_flash_start(b, &op, sim_timing_erase_ns(b, b->sectors[sec].size, STP_PSIZE_X64));
        return;
    }
    /* Mass erase: MER1 bank 1, MER2 bank 2 (single-bank parts: MER1 is the whole flash). */
    bool e1 = cr & CR_MER1, e2 = bank_count(b) > 1 && (cr & CR_MER2);
    if ((e1 && bank_protected(b, 0)) || (e2 && bank_protected(b, 1))) {
        error(b, SR_WRPERR);
        return;
    }
    size_t lo = b->sector_count, hi = 0;
    for (size_t i = 0; i < b->sector_count; i++) {
        unsigned bk = b->sectors[i].bank;
        if ((bk == 0 && e1) || (bk == 1 && e2)) {
            lo = i < lo ? i : lo;
            hi = i + 1;
        }
    }
    if (lo >= hi)
        return;
    op.kind = SIM_OP_MASS;
    op.sector = lo;
    op.sector_end = hi;
    sim_flash_start(b, &op, sim_timing_mass_ns(b, STP_PSIZE_X64));
}

static void start_option(sim_board *b)
{
    l4_state *s = st(b);
    if (b->ob_active.rdp_level == 2)
        return; /* level 2: option bytes are frozen */
    s->ob_regress = b->ob_active.rdp_level == 1 && (uint8_t)s->optr == 0xAA;
    put_word(b, OB_OPTR, s->optr);
    for (unsigned bank = 0; bank < (has_regs2(b) ? 2u : 1u); bank++) {
        put_word(b, ob_off(b, bank, OB_WRPA), s->wrp[2 * bank]);
        put_word(b, ob_off(b, bank, OB_WRPB), s->wrp[2 * bank + 1]);
    }
    sim_board_ob_render(b);
    sim_flash_op op = {0};
    op.kind = SIM_OP_OPTION;
    op.finish = finish_ob;
    op.psize = STP_PSIZE_X64;
    uint64_t ns = sim_timing_erase_ns(b, page_size(b), STP_PSIZE_X64);
    if (s->ob_regress)
        ns += sim_timing_mass_ns(b, STP_PSIZE_X64);
    sim_flash_start(b, &op, ns);
}

static bool dw_erased(const sim_board *b, uint32_t addr)
{
    const uint8_t *p = b->flash + (addr - b->chip->flash_base);
    for (unsigned i = 0; i < 8; i++) {
        if (p[i] != 0xFF)
            return false;
    }
    return true;
}

static sim_access l4_mem_write(sim_board *b, uint32_t addr, uint32_t val, unsigned width,
                               sim_master who)
{
    l4_state *s = st(b);
    (void)who;
    if (!sim_flash_in_main(b, addr, width))
        return SIM_ACC_FAULT; /* the option area is written through OPTR/WRPxR + OPTSTRT */
    if (!(s->cr & CR_PG) || (s->cr & (CR_PER | CR_MER1 | CR_MER2)) ||
        (!s->dw_pending && (s->sr & SR_PROG_ERRS))) {
        s->dw_pending = false;
        error(b, SR_PGSERR);
        return SIM_ACC_OK;
    }
    if (width != 4) {
        s->dw_pending = false;
        error(b, SR_SIZERR);
        return SIM_ACC_OK;
    }
    if (!s->dw_pending) {
        if (addr % 8 != 0) {
            error(b, SR_PGAERR);
            return SIM_ACC_OK;
        }
        if (sim_flash_sector_protected(b, sim_flash_sector_of(b, addr)) || rdp_blocks(b)) {
            error(b, SR_WRPERR);
            return SIM_ACC_OK;
        }
        s->dw_pending = true;
        s->dw_addr = addr;
        s->dw_lo = val;
        return SIM_ACC_OK;
    }
    s->dw_pending = false;
    if (addr != s->dw_addr + 4) {
        error(b, SR_PGAERR);
        return SIM_ACC_OK;
    }
    if (!dw_erased(b, s->dw_addr) && (s->dw_lo != 0 || val != 0)) {
        error(b, SR_PROGERR);
        return SIM_ACC_OK;
    }
    sim_flash_op op = {0};
    op.kind = SIM_OP_PROGRAM;
    op.psize = STP_PSIZE_X64;
    op.finish = finish;
    op.addr = s->dw_addr;
    op.len = 8;
    sim_put_le32(op.data, s->dw_lo);
    sim_put_le32(op.data + 4, val);
    sim_flash_start(b, &op, sim_timing_program_ns(b, STP_PSIZE_X64));
    return SIM_ACC_OK;
}

/* ---- registers -------------------------------------------------------------------- */

static sim_access l4_reg_read(sim_board *b, uint32_t off, uint32_t *val)
{
    l4_state *s = st(b);
    bool bad = false;
    switch (off) {
    case REG_ACR:
        *val = s->acr;
        break;
    case REG_SR:
        *val = s->sr;
        if (sim_flash_busy(b))
            *val |= SR_BSY | (b->chip->fam->sr_cfgbsy ? SR_CFGBSY : 0);
        break;
    case REG_CR:
        *val = s->cr;
        break;
    case REG_ECCR:
        *val = s->eccr;
        break;
    case REG_OPTR:
        *val = s->optr;
        break;
    case REG_PCROP1S:
        *val = ob_word(b, OB_PCROPS, &bad);
        break;
    case REG_PCROP1E:
        *val = ob_word(b, OB_PCROPE, &bad);
        break;
    case REG_WRP1AR:
        *val = s->wrp[0];
        break;
    case REG_WRP1BR:
        *val = s->wrp[1];
        break;
    case REG_PCROP2S:
        *val = has_regs2(b) ? ob_word(b, ob_off(b, 1, OB_PCROPS), &bad) : 0;
        break;
    case REG_PCROP2E:
        *val = has_regs2(b) ? ob_word(b, ob_off(b, 1, OB_PCROPE), &bad) : 0;
        break;
    case REG_WRP2AR:
        *val = has_regs2(b) ? s->wrp[2] : 0;
        break;
    case REG_WRP2BR:
        *val = has_regs2(b) ? s->wrp[3] : 0;
        break;
    default:
        *val = 0;
        break;
    }
    return SIM_ACC_OK;
}

static void write_cr(sim_board *b, uint32_t val, uint32_t mask)
{
    l4_state *s = st(b);
    if (s->cr & CR_LOCK)
        return; /* locked: writes are ignored */
    uint32_t v = sim_masked(s->cr, val, mask);
    if (v & CR_LOCK) {
        /* the other bits of the same write still land (PG cleared with the lock) */
        s->cr = (sim_flash_busy(b) ? s->cr & CR_RW : v & CR_RW) | CR_LOCK | CR_OPTLOCK;
        s->key_stage = s->optkey_stage = 0;
        s->dw_pending = false;
        return;
    }
    if (sim_flash_busy(b))
        return;
    s->cr = (v & CR_RW) | (s->cr & CR_OPTLOCK) | (v & CR_OPTLOCK);
    if (!(s->cr & CR_PG))
        s->dw_pending = false;
    if (val & mask & CR_STRT)
        start_erase(b);
    else if ((val & mask & CR_OPTSTRT) && !(s->cr & CR_OPTLOCK))
        start_option(b);
    if ((val & mask & CR_OBL_LAUNCH) && !(s->cr & CR_OPTLOCK))
        sim_board_reset(b, SIM_RESET_OBL);
}

static void write_opt(sim_board *b, uint32_t *reg, uint32_t val, uint32_t mask)
{
    l4_state *s = st(b);
    if (!(s->cr & CR_OPTLOCK) && !sim_flash_busy(b))
        *reg = sim_masked(*reg, val, mask);
}

static sim_access l4_reg_write(sim_board *b, uint32_t off, uint32_t val, uint32_t mask)
{
    l4_state *s = st(b);
    bool done;
    sim_access a = SIM_ACC_OK;
    switch (off) {
    case REG_ACR:
        s->acr = sim_masked(s->acr, val, mask);
        break;
    case REG_KEYR:
        a = sim_flash_key_write(val, mask, KEY1, KEY2, &s->key_stage, &s->lockout, s->cr & CR_LOCK,
                                &done);
        if (done)
            s->cr &= ~CR_LOCK;
        break;
    case REG_OPTKEYR:
        a = sim_flash_key_write(val, mask, OPTKEY1, OPTKEY2, &s->optkey_stage, &s->lockout,
                                !(s->cr & CR_LOCK) && (s->cr & CR_OPTLOCK), &done);
        if (done)
            s->cr &= ~CR_OPTLOCK;
        break;
    case REG_PDKEYR:
        break; /* power-down keys: RUN_PD is not modelled */
    case REG_SR:
        s->sr &= ~(val & mask & SR_W1C);
        break;
    case REG_CR:
        write_cr(b, val, mask);
        break;
    case REG_ECCR:
        s->eccr &= ~(val & mask & ECCR_FLAGS);
        s->eccr = (s->eccr & ~ECCR_ECCIE) | (val & mask & ECCR_ECCIE);
        if (!(s->eccr & ECCR_FLAGS))
            s->eccr &= ECCR_ECCIE; /* the address goes with the last flag */
        break;
    case REG_OPTR:
        write_opt(b, &s->optr, val, mask);
        break;
    case REG_WRP1AR:
        write_opt(b, &s->wrp[0], val, mask);
        break;
    case REG_WRP1BR:
        write_opt(b, &s->wrp[1], val, mask);
        break;
    case REG_WRP2AR:
        if (has_regs2(b))
            write_opt(b, &s->wrp[2], val, mask);
        break;
    case REG_WRP2BR:
        if (has_regs2(b))
            write_opt(b, &s->wrp[3], val, mask);
        break;
    default:
        break;
    }
    return a;
}

/* A read of a flash double word whose ECC disagrees with its cells (RM0351 3.3.3, RM0440
 * and RM0444 "Error code correction (ECC)"): ECCC (one bit, the data corrected) or ECCD
 * (two bits, the data as the cells hold it) in FLASH_ECCR with the failing address and
 * bank, latched by the first error until both flags are cleared. A detected error raises
 * an NMI in the core; the bus answers normally (the NMI itself is not modelled). */
static sim_access l4_ecc_read(sim_board *b, uint32_t word, bool dbl, uint32_t *val, sim_master who)
{
    (void)val;
    (void)who;
    l4_state *s = st(b);
    const stp_family *f = b->chip->fam;
    if (!(s->eccr & ECCR_FLAGS)) {
        uint32_t off = word - b->chip->flash_base;
        uint32_t per_bank = b->flash_size / bank_count(b);
        unsigned bank = off / per_bank;
        off %= per_bank;
        uint32_t addr = f->ecc_addr_words ? off / 8u : off;
        s->eccr |= addr & ((1u << f->ecc_addr_bits) - 1u);
        if (bank && f->ecc_bank_bit)
            s->eccr |= 1u << f->ecc_bank_bit;
    }
    s->eccr |= dbl ? ECCR_ECCD : ECCR_ECCC;
    return SIM_ACC_OK;
}

/* Reset: locked, status clear, option registers loaded from the option area. */
static void l4_reset(sim_board *b)
{
    l4_state *s = st(b);
    memset(s, 0, sizeof *s);
    s->cr = CR_LOCK | CR_OPTLOCK;
    bool bad = false;
    s->optr = ob_word(b, OB_OPTR, &bad);
    for (unsigned bank = 0; bank < (has_regs2(b) ? 2u : 1u); bank++) {
        s->wrp[2 * bank] = ob_word(b, ob_off(b, bank, OB_WRPA), &bad);
        s->wrp[2 * bank + 1] = ob_word(b, ob_off(b, bank, OB_WRPB), &bad);
    }
}

static void l4_ob_load_and_flag(sim_board *b, sim_ob_active *out)
{
    l4_ob_load(b, out);
    if (b->flash_ctx && out->error)
        st(b)->sr |= SR_OPTVERR;
}

static int l4_create(sim_board *b)
{
    return sim_flash_ctx_new(b, sizeof(l4_state));
}

extern const struct sim_bl_family sim_bl_family_l4; /* families/bootloader_l4.c */

const sim_flash_model sim_flash_model_l4 = {
    .kind = STP_FLASH_L4,
    .rom = &sim_bl_family_l4,
    .create = l4_create,
    .reset = l4_reset,
    .reg_read = l4_reg_read,
    .reg_write = l4_reg_write,
    .mem_write = l4_mem_write,
    .ob_load = l4_ob_load_and_flag,
    .ob_default = l4_ob_default,
    .ob_apply_spec = l4_ob_apply_spec,
    .ecc_read = l4_ecc_read,
};
