/* F2/F4 flash interface (RM0033 2.4/2.9, RM0090 3.5-3.9, RM0383 3.5-3.8) and the engine the
 * F7 model reuses (RM0410 3.3-3.7).
 *
 * Registers (offsets from FLASH_ACR): ACR 0x00, KEYR 0x04, OPTKEYR 0x08, SR 0x0C, CR 0x10,
 * OPTCR 0x14, OPTCR1 0x18.
 * SR: EOP 0, OPERR 1, WRPERR 4, PGAERR 5, PGPERR 6, PGSERR 7 (F7: ERSERR), BSY 16.
 * CR: PG 0, SER 1, MER 2, SNB 7:3, PSIZE 9:8, MER1 15 (F7: MER2), STRT 16, EOPIE 24,
 *     ERRIE 25, LOCK 31.
 * KEYR: 0x45670123 then 0xCDEF89AB; OPTKEYR: 0x08192A3B then 0x4C5D6E7F. A wrong sequence
 * returns a bus error and keeps the register locked until the next reset. */
#include <stdlib.h>
#include <string.h>

#include "flash_f4x.h"

#define REG_ACR     0x00
#define REG_KEYR    0x04
#define REG_OPTKEYR 0x08
#define REG_SR      0x0C
#define REG_CR      0x10
#define REG_OPTCR   0x14
#define REG_OPTCR1  0x18

#define SR_EOP    (1u << 0)
#define SR_OPERR  (1u << 1)
#define SR_WRPERR (1u << 4)
#define SR_PGAERR (1u << 5)
#define SR_PGPERR (1u << 6)
#define SR_SEQERR (1u << 7) /* PGSERR (F2/F4) / ERSERR (F7) */
#define SR_RDERR  (1u << 8)
#define SR_BSY    (1u << 16)
#define SR_W1C    (SR_EOP | SR_OPERR | SR_WRPERR | SR_PGAERR | SR_PGPERR | SR_SEQERR | SR_RDERR)

#define CR_PG    (1u << 0)
#define CR_SER   (1u << 1)
#define CR_MER   (1u << 2)
#define CR_MER1  (1u << 15)
#define CR_STRT  (1u << 16)
#define CR_EOPIE (1u << 24)
#define CR_ERRIE (1u << 25)
#define CR_LOCK  (1u << 31)
#define CR_RW    (0x0300FBFFu & ~CR_STRT) /* PG SER MER SNB PSIZE MER1 EOPIE ERRIE */

#define OPTCR_OPTLOCK (1u << 0)
#define OPTCR_OPTSTRT (1u << 1)

#define KEY1    0x45670123u
#define KEY2    0xCDEF89ABu
#define OPTKEY1 0x08192A3Bu
#define OPTKEY2 0x4C5D6E7Fu

typedef struct f4x_state {
    const f4x_variant *v;
    uint32_t acr, sr, cr, optcr, optcr1;
    int key_stage, optkey_stage;
    bool key_lockout, optkey_lockout;
    bool regression; /* the pending option update lowers RDP 1 -> 0 */
} f4x_state;

static f4x_state *st(const sim_board *b)
{
    return b->flash_ctx;
}

/* OPTCR1 exists on F42x/F43x (bank-2 nWRP) and on every F7 (boot addresses). */
static bool has_optcr1(const sim_board *b)
{
    const f4x_variant *v = st(b)->v;
    return v->has_optcr1 && (!v->optcr1_wrp || b->chip->option_bytes2_addr);
}

int f4x_rdp_level(uint8_t rdp)
{
    return rdp == 0xAA ? 0 : rdp == 0xCC ? 2 : 1;
}

void f4x_put_ob16(uint8_t *p, uint16_t v)
{
    sim_put_le32(p, (uint32_t)v | (uint32_t)(uint16_t)~v << 16);
}

uint16_t f4x_get_ob16(const uint8_t *p)
{
    return (uint16_t)sim_le32(p);
}

/* ---- option bytes ----------------------------------------------------------------- */

/* F413/F423 (RM0430 3.7.7): one bank of 16 sectors and no OPTCR1; nWRP[14:0] fill
 * OPTCR[30:16], and nWRP14 protects sectors 14 and 15 together. */
static bool nwrp_in_optcr_top(const sim_board *b)
{
    return b->chip->flash_kind == STP_FLASH_F2F4 && !b->chip->option_bytes2_addr &&
           b->sector_count > 12;
}

bool f4x_nwrp_bit(const sim_board *b, size_t sector, bool *in_optcr1, unsigned *bit)
{
    *in_optcr1 = false;
    if (sector >= b->sector_count)
        return false;
    if (b->chip->flash_kind == STP_FLASH_F7) {
        size_t i = b->dual_bank ? sector / 2 : sector; /* RM0410 3.7.7: pairs when dual */
        *bit = 16u + (unsigned)i;
        return i < 12;
    }
    /* By the manual's sector number: with DB1M=1 (1 MB F42x/F43x) bank 2 is sectors 12-19,
     * the 9th to 16th sectors of the device, protected by OPTCR1 nWRP0-7. */
    size_t num = b->sectors[sector].manual_number;
    if (num < 12) {
        *bit = 16u + (unsigned)num; /* RM0090 3.9.10 */
        return true;
    }
    if (b->chip->option_bytes2_addr) { /* RM0090 3.9.11: bank 2 in OPTCR1 */
        *in_optcr1 = true;
        *bit = 16u + (unsigned)(num - 12);
        return num < 24;
    }
    *bit = 16u + (unsigned)(num < 14 ? num : 14);
    return nwrp_in_optcr_top(b) && num < 16;
}

void f4x_ob_load(sim_board *b, sim_ob_active *out)
{
    const f4x_variant *v = st(b)->v;
    uint32_t optcr = v->optcr_from_ob(b);
    uint32_t optcr1 = has_optcr1(b) ? v->optcr1_from_ob(b) : 0;
    out->rdp_level = f4x_rdp_level((uint8_t)(optcr >> 8));
    out->iwdg_hw = !(optcr & (1u << 5)); /* WDG_SW (F2/F4), IWDG_SW (F7) */
    for (size_t k = 0; k < b->sector_count; k++) {
        bool in1;
        unsigned bit;
        if (f4x_nwrp_bit(b, k, &in1, &bit))
            sim_wrp_set(out, b->sectors[k].index, !(((in1 ? optcr1 : optcr) >> bit) & 1u));
    }
}

void f4x_ob_default(sim_board *b)
{
    const f4x_variant *v = st(b)->v;
    v->ob_from_optcr(b, v->default_optcr(b), v->default_optcr1);
}

void f4x_ob_apply_spec(sim_board *b, bool set_rdp, int rdp, bool set_wrp, uint64_t wrp)
{
    const f4x_variant *v = st(b)->v;
    uint32_t optcr = v->optcr_from_ob(b);
    uint32_t optcr1 = has_optcr1(b) ? v->optcr1_from_ob(b) : 0;
    if (set_rdp) {
        uint8_t byte = rdp == 0 ? 0xAA : rdp == 2 ? 0xCC : 0x55;
        optcr = (optcr & ~0xFF00u) | (uint32_t)byte << 8;
    }
    if (set_wrp) { /* bit k of wrp = sector k: all nWRP bits to 1, then the asked ones to 0 */
        for (int pass = 0; pass < 2; pass++) {
            for (size_t k = 0; k < b->sector_count && k < 64; k++) {
                bool in1;
                unsigned bit;
                if (!f4x_nwrp_bit(b, k, &in1, &bit) || (in1 && !has_optcr1(b)))
                    continue;
                uint32_t *reg = in1 ? &optcr1 : &optcr;
                if (pass == 0)
                    *reg |= 1u << bit;
                else if ((wrp >> k) & 1u)
                    *reg &= ~(1u << bit);
            }
        }
    }
    v->ob_from_optcr(b, optcr, optcr1);
}

/* ---- operations ----------------------------------------------------------------- */

static int psize_of(uint32_t cr)
{
    return (int)((cr >> 8) & 3u);
}

static void finish(sim_board *b, bool complete)
{
    f4x_state *s = st(b);
    if (complete && (s->cr & CR_EOPIE))
        s->sr |= SR_EOP; /* EOP is only set with EOPIE (RM0090 3.9.4) */
}

/* Main flash is closed to every master once a debugger was seen under RDP level 1. */
static bool rdp_blocks(const sim_board *b)
{
    return b->ob_active.rdp_level >= 1 && b->debugger_seen;
}

static void error(sim_board *b, uint32_t bit)
{
    f4x_state *s = st(b);
    s->sr |= bit;
    if (s->cr & CR_ERRIE)
        s->sr |= SR_OPERR;
}

static void start_erase(sim_board *b)
{
    f4x_state *s = st(b);
    uint32_t cr = s->cr;
    int psize = psize_of(cr);
    if ((cr & CR_PG) || ((cr & CR_SER) && (cr & (CR_MER | CR_MER1)))) {
        error(b, SR_SEQERR);
        return;
    }
    sim_flash_op op = {0};
    op.psize = psize;
    op.finish = finish;
    if (cr & CR_SER) {
        unsigned snb = (cr >> 3) & 0x1Fu;
        size_t idx = (size_t)-1;
        for (size_t i = 0; i < b->sector_count; i++) {
            if (b->sectors[i].number == snb)
                idx = i;
        }
        if (idx == (size_t)-1) {
            error(b, SR_SEQERR); /* no such sector */
            return;
        }
        if (sim_flash_sector_protected(b, idx) || rdp_blocks(b)) {
            error(b, SR_WRPERR);
            return;
        }
        op.kind = SIM_OP_ERASE;
        op.sector = idx;
        sim_flash_start(b, &op, sim_timing_erase_ns(b, b->sectors[idx].size, psize));
        return;
    }
    /* Mass erase: MER = bank 1, MER1/MER2 = bank 2, both = everything. */
    bool bank1 = cr & CR_MER, bank2 = cr & CR_MER1;
    size_t first = SIZE_MAX, last = 0;
    for (size_t i = 0; i < b->sector_count; i++) {
        bool in = b->sectors[i].bank == 0 ? bank1 : bank2;
        if (!in)
            continue;
        if (sim_flash_sector_protected(b, i) || rdp_blocks(b)) {
            error(b, SR_WRPERR);
            return;
        }
        first = i < first ? i : first;
        last = i + 1;
    }
    if (first == SIZE_MAX)
        return;
    op.kind = SIM_OP_MASS;
    op.sector = first;
    op.sector_end = last;
    sim_flash_start(b, &op, sim_timing_mass_ns(b, psize));
}

static void finish_option(sim_board *b, bool complete)
{
    f4x_state *s = st(b);
    if (!complete)
        return; /* interrupted: the stored option bytes keep their old values */
    if (s->regression)
        sim_flash_mass_erase_now(b);
    s->regression = false;
    s->v->ob_from_optcr(b, s->optcr & ~3u, s->optcr1);
    sim_board_ob_reload(b);
    s->optcr = (s->v->optcr_from_ob(b) & ~3u) | (s->optcr & OPTCR_OPTLOCK);
    if (has_optcr1(b))
        s->optcr1 = s->v->optcr1_from_ob(b);
    finish(b, true);
}

static void start_option(sim_board *b)
{
    f4x_state *s = st(b);
    int new_level = f4x_rdp_level((uint8_t)(s->optcr >> 8));
    s->regression = b->ob_active.rdp_level == 1 && new_level == 0;
    sim_flash_op op = {0};
    op.kind = SIM_OP_OPTION;
    op.finish = finish_option;
    op.psize = psize_of(s->cr);
    /* Option update = erase + program of the option sector (the time of the smallest
     * sector erase); with RDP regression the mass erase of the whole flash first. */
    uint64_t ns = sim_timing_erase_ns(b, b->sectors[0].size, op.psize);
    if (s->regression)
        ns += sim_timing_mass_ns(b, op.psize);
    sim_flash_start(b, &op, ns);
}

sim_access f4x_mem_write(sim_board *b, uint32_t addr, uint32_t val, unsigned width, sim_master who)
{
    f4x_state *s = st(b);
    (void)who;
    if (!sim_flash_in_main(b, addr, width))
        return SIM_ACC_FAULT; /* option bytes are written through OPTCR only */
    /* Only PG matters here: st-flash programs with SER/SNB still set from its erase. */
    if (!(s->cr & CR_PG) || (s->cr & CR_LOCK)) {
        error(b, SR_SEQERR);
        return SIM_ACC_OK;
    }
    int psize = psize_of(s->cr);
    if (width != (1u << psize)) {
        error(b, SR_PGPERR);
        return SIM_ACC_OK;
    }
    if ((addr & 15u) + width > 16u) {
        error(b, SR_PGAERR);
        return SIM_ACC_OK;
    }
    if (sim_flash_sector_protected(b, sim_flash_sector_of(b, addr)) || rdp_blocks(b)) {
        error(b, SR_WRPERR);
        return SIM_ACC_OK;
    }
    sim_flash_op op = {0};
    op.kind = SIM_OP_PROGRAM;
    op.addr = addr;
    op.len = width;
    for (unsigned i = 0; i < width; i++)
        op.data[i] = (uint8_t)(val >> (8 * i));
    op.psize = psize;
    op.finish = finish;
    sim_flash_start(b, &op, sim_timing_program_ns(b, psize));
    return SIM_ACC_OK;
}

/* ---- registers -------------------------------------------------------------------- */

sim_access f4x_reg_read(sim_board *b, uint32_t off, uint32_t *val)
{
    f4x_state *s = st(b);
    switch (off) {
    case REG_ACR:
        *val = s->acr;
        break;
    case REG_SR:
        *val = s->sr | (sim_flash_busy(b) ? SR_BSY : 0);
        break;
    case REG_CR:
        *val = s->cr;
        break;
    case REG_OPTCR:
        *val = s->optcr | (b->op.kind == SIM_OP_OPTION ? OPTCR_OPTSTRT : 0);
        break;
    case REG_OPTCR1:
        *val = has_optcr1(b) ? s->optcr1 : 0;
        break;
    default:
        *val = 0; /* KEYR, OPTKEYR are write-only */
        break;
    }
    return SIM_ACC_OK;
}

sim_access f4x_reg_write(sim_board *b, uint32_t off, uint32_t val, uint32_t mask)
{
    f4x_state *s = st(b);
    bool unlock;
    sim_access a = SIM_ACC_OK;
    switch (off) {
    case REG_ACR:
        s->acr = sim_masked(s->acr, val, mask) & 0x1F0Fu;
        break;
    case REG_KEYR:
        a = sim_flash_key_write(val, mask, KEY1, KEY2, &s->key_stage, &s->key_lockout,
                                s->cr & CR_LOCK, &unlock);
        if (unlock)
            s->cr &= ~CR_LOCK;
        break;
    case REG_OPTKEYR:
        a = sim_flash_key_write(val, mask, OPTKEY1, OPTKEY2, &s->optkey_stage, &s->optkey_lockout,
                                s->optcr & OPTCR_OPTLOCK, &unlock);
        if (unlock)
            s->optcr &= ~OPTCR_OPTLOCK;
        break;
    case REG_SR:
        s->sr &= ~(val & mask & SR_W1C);
        break;
    case REG_CR: {
        if (s->cr & CR_LOCK)
            break; /* locked: writes are ignored */
        uint32_t v = sim_masked(s->cr, val, mask);
        if (v & CR_LOCK) {
            s->cr |= CR_LOCK;
            s->key_stage = 0;
            break;
        }
        if (!sim_flash_busy(b))
            s->cr = v & CR_RW;
        if ((val & mask & CR_STRT) && !sim_flash_busy(b) && (s->cr & (CR_SER | CR_MER | CR_MER1)))
            start_erase(b);
        break;
    }
    case REG_OPTCR: {
        if (s->optcr & OPTCR_OPTLOCK)
            break;
        uint32_t v = sim_masked(s->optcr, val, mask);
        if (v & OPTCR_OPTLOCK) {
            s->optcr |= OPTCR_OPTLOCK;
            s->optkey_stage = 0;
            break;
        }
        if (sim_flash_busy(b))
            break;
        s->optcr = v & ~OPTCR_OPTSTRT;
        if (v & OPTCR_OPTSTRT)
            start_option(b);
        break;
    }
    case REG_OPTCR1:
        if (has_optcr1(b) && !(s->optcr & OPTCR_OPTLOCK) && !sim_flash_busy(b))
            s->optcr1 = sim_masked(s->optcr1, val, mask);
        break;
    default:
        break;
    }
    return a;
}

void f4x_reset(sim_board *b)
{
    f4x_state *s = st(b);
    s->acr = 0;
    s->sr = 0;
    s->cr = CR_LOCK;
    s->key_stage = s->optkey_stage = 0;
    s->key_lockout = s->optkey_lockout = false;
    s->regression = false;
    s->optcr = (s->v->optcr_from_ob(b) & ~3u) | OPTCR_OPTLOCK;
    s->optcr1 = has_optcr1(b) ? s->v->optcr1_from_ob(b) : 0;
}

int f4x_create(sim_board *b, const f4x_variant *v)
{
    if (sim_flash_ctx_new(b, sizeof(f4x_state)))
        return -1;
    st(b)->v = v;
    st(b)->cr = CR_LOCK;
    return 0;
}

/* ---- the F2/F4 variant -------------------------------------------------------------- */
/* Option bytes at 0x1FFFC000 (RM0090 table 16): +0 USER[7:0] RDP[15:8], +8 nWRP[11:0]
 * with SPRMOD (bit 15) and DB1M (bit 14) on F42x; bank 2 at 0x1FFEC000 +8 nWRP[11:0].
 * Each half-word is stored with its complement in the upper half. */

/* The option half-word at +8 maps onto OPTCR[31:16]: nWRP[11:0], then DB1M (14) and SPRMOD
 * (15) on F42x/F43x; on F413/F423 nWRP[14:0] and SPRMOD (RM0430 3.5). */
static uint16_t f4_ob8_bits(const sim_board *b)
{
    return nwrp_in_optcr_top(b) ? 0xFFFFu : 0xCFFFu;
}

static uint32_t f4_optcr_from_ob(const sim_board *b)
{
    uint16_t w0 = f4x_get_ob16(b->ob), w2 = f4x_get_ob16(b->ob + 8);
    return (uint32_t)(w2 & f4_ob8_bits(b)) << 16 | (w0 & 0xFFFCu);
}

static uint32_t f4_optcr1_from_ob(const sim_board *b)
{
    if (b->ob_size < 32)
        return 0x0FFF0000u;
    return (uint32_t)(f4x_get_ob16(b->ob + 16 + 8) & 0x0FFFu) << 16;
}

static void f4_ob_from_optcr(sim_board *b, uint32_t optcr, uint32_t optcr1)
{
    memset(b->ob, 0xFF, b->ob_size);
    f4x_put_ob16(b->ob, (uint16_t)(optcr & 0xFFFCu));
    f4x_put_ob16(b->ob + 8, (uint16_t)((optcr >> 16) & f4_ob8_bits(b)));
    if (b->ob_size >= 32)
        f4x_put_ob16(b->ob + 16 + 8, (uint16_t)((optcr1 >> 16) & 0x0FFFu));
}

/* DB1M (OPTCR bit 30) selects the two-bank layout of 1 MB F42x/F43x (RM0090 3.9.10). */
#define F4_OPTCR_DB1M (1u << 30)

static bool f4_db1m_capable(const sim_board *b)
{
    return b->chip->layout_dual.bank_count >= 2 && b->part->flash_kb == 1024;
}

static uint32_t f4_default_optcr(const sim_board *b)
{
    if (nwrp_in_optcr_top(b))
        return 0x7FFFAAECu; /* RM0430 OPTCR reset value 0x7FFFAAED without OPTLOCK */
    /* RM0090 OPTCR reset value 0x0FFFAAED without OPTLOCK; DB1M as the part is sold */
    return 0x0FFFAAECu | (f4_db1m_capable(b) && b->part->dual_bank ? F4_OPTCR_DB1M : 0u);
}

/* The flash organisation follows DB1M as the option bytes were loaded at reset: a DB1M
 * written through OPTCR takes effect at the next reset, the protection bits at once. */
static void f4_reset(sim_board *b)
{
    if (f4_db1m_capable(b))
        sim_board_set_bank_mode(b, (f4_optcr_from_ob(b) & F4_OPTCR_DB1M) != 0);
    f4x_reset(b);
}

static const f4x_variant f4_variant = {
    .name = "F2/F4",
    .optcr_from_ob = f4_optcr_from_ob,
    .optcr1_from_ob = f4_optcr1_from_ob,
    .ob_from_optcr = f4_ob_from_optcr,
    .default_optcr = f4_default_optcr,
    .default_optcr1 = 0x0FFF0000u,
    .has_optcr1 = true,
    .optcr1_wrp = true,
};

static int f4_create(sim_board *b)
{
    return f4x_create(b, &f4_variant);
}

extern const struct sim_bl_family sim_bl_family_f4; /* families/bootloader_f4.c */

const sim_flash_model sim_flash_model_f4 = {
    .kind = STP_FLASH_F2F4,
    .rom = &sim_bl_family_f4,
    .create = f4_create,
    .reset = f4_reset,
    .reg_read = f4x_reg_read,
    .reg_write = f4x_reg_write,
    .mem_write = f4x_mem_write,
    .ob_load = f4x_ob_load,
    .ob_default = f4x_ob_default,
    .ob_apply_spec = f4x_ob_apply_spec,
};
