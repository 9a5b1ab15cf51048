/* L1 program-memory interface, RM0038 rev 17 section 3 (NVM) and PM0062; the L0's is the
 * same at 0x40022000 (RM0377 rev 10 section 3) with 128-byte pages and 64-byte half pages
 * (the row's layout and timing.block_program_bytes), FLASH_SR.NOTZEROERR (the family's
 * sr_notzero_err: a program operation onto a word that is not zero sets it and writes
 * nothing; the PECR.NZDISABLE of later silicon is not modelled) and shipped option words
 * from the family's optr_factory.
 *
 * Registers (offsets from FLASH_ACR 0x40023C00): ACR 0x00, PECR 0x04, PDKEYR 0x08,
 * PEKEYR 0x0C, PRGKEYR 0x10, OPTKEYR 0x14, SR 0x18, OBR 0x1C, WRPR1 0x20, WRPR2 0x80,
 * WRPR3 0x84, WRPR4 0x88.
 * PECR: PELOCK 0, PRGLOCK 1, OPTLOCK 2, PROG 3, DATA 4, FTDW 8, ERASE 9, FPRG 10,
 *       EOPIE 16, ERRIE 17, OBL_LAUNCH 18.
 * SR: BSY 0, EOP 1, ENDHV 2, READY 3, WRPERR 8, PGAERR 9, SIZERR 10, OPTVERR 11,
 *     OPTVERRUSR 12, RDERR 13.
 * Keys: PEKEYR 0x89ABCDEF/0x02030405 (PELOCK), then PRGKEYR 0x8C9DAEBF/0x13141516 (PRGLOCK)
 * or OPTKEYR 0xFBEAD9C8/0x24252627 (OPTLOCK). A wrong key: bus error, locked until reset.
 *
 * The cells erase to 0 (not 0xFF): programming can only set bits. Word programming
 * (32-bit writes only, else SIZERR), half-page programming (FPRG+PROG: 32 words inside
 * one 128-byte half-page, else PGAERR) and page erase (ERASE+PROG, a word write into the
 * 256-byte page) each take one Tprog (3.28 ms). Option bytes at 0x1FF80000 are 32-bit
 * words holding a half-word and its complement: RDP|SPRMOD, USER, WRP1, WRP2 (+ WRP3/4 at
 * 0x1FF80080 on cat.5); WRP bits are active high. They load on OBL_LAUNCH or reset;
 * writing RDP back to 0xAA from level 1 erases the program memory. */
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

#define REG_ACR     0x00
#define REG_PECR    0x04
#define REG_PDKEYR  0x08
#define REG_PEKEYR  0x0C
#define REG_PRGKEYR 0x10
#define REG_OPTKEYR 0x14
#define REG_SR      0x18
#define REG_OBR     0x1C
#define REG_WRPR1   0x20
#define REG_WRPR2   0x80

#define PECR_PELOCK     (1u << 0)
#define PECR_PRGLOCK    (1u << 1)
#define PECR_OPTLOCK    (1u << 2)
#define PECR_PROG       (1u << 3)
#define PECR_DATA       (1u << 4)
#define PECR_FTDW       (1u << 8)
#define PECR_ERASE      (1u << 9)
#define PECR_FPRG       (1u << 10)
#define PECR_EOPIE      (1u << 16)
#define PECR_ERRIE      (1u << 17)
#define PECR_OBL_LAUNCH (1u << 18)
#define PECR_RW                                                                                    \
    (PECR_PROG | PECR_DATA | PECR_FTDW | PECR_ERASE | PECR_FPRG | PECR_EOPIE | PECR_ERRIE)

#define SR_BSY     (1u << 0)
#define SR_EOP     (1u << 1)
#define SR_ENDHV   (1u << 2)
#define SR_READY   (1u << 3)
#define SR_WRPERR  (1u << 8)
#define SR_PGAERR  (1u << 9)
#define SR_SIZERR  (1u << 10)
#define SR_OPTVERR (1u << 11)
#define SR_W1C                                                                                     \
    (SR_EOP | SR_WRPERR | SR_PGAERR | SR_SIZERR | SR_OPTVERR | (1u << 12) | (1u << 13) |           \
     (1u << 16) | (1u << 17))

#define PEKEY1  0x89ABCDEFu
#define PEKEY2  0x02030405u
#define PRGKEY1 0x8C9DAEBFu
#define PRGKEY2 0x13141516u
#define OPTKEY1 0xFBEAD9C8u
#define OPTKEY2 0x24252627u

#define HALF_PAGE 128u

typedef struct l1_state {
    uint32_t acr, pecr, sr;
    int pe_stage, prg_stage, opt_stage;
    bool lockout;
    /* half-page buffer */
    uint32_t hp_base;
    uint32_t hp_count;
    uint8_t hp_data[HALF_PAGE];
    bool ob_regress;
} l1_state;

static l1_state *st(const sim_board *b)
{
    return b->flash_ctx;
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

static uint16_t ob_half(const sim_board *b, uint32_t off, bool *bad)
{
    if (off + 4 > b->ob_size)
        return 0;
    uint32_t w = sim_le32(b->ob + off);
    if ((uint16_t)(w >> 16) != (uint16_t)~w) {
        *bad = true;
        return 0;
    }
    return (uint16_t)w;
}

/* Offsets of the WRP half-words in b->ob: WRP1, WRP2 in the first block, then the
 * second block (0x1FF80080) if the device has one. */
static uint32_t wrp_off(const sim_board *b, unsigned i)
{
    if (i < 2)
        return 8u + 4u * i;
    return b->chip->option_bytes_size + 4u * (i - 2);
}

static unsigned wrp_words(const sim_board *b)
{
    return 2u + b->chip->option_bytes2_size / 4u;
}

static void l1_ob_load(sim_board *b, sim_ob_active *out)
{
    bool bad = false;
    uint16_t rdp = ob_half(b, 0, &bad);
    out->rdp_level = bad ? 1 : rdp_level((uint8_t)rdp);
    bool user_bad = false;
    const uint16_t user = ob_half(b, 4, &user_bad);
    out->iwdg_hw = !user_bad && !(user & 0x10u); /* USER.IWDG_SW (OBR bit 20) */
    for (unsigned i = 0; i < wrp_words(b); i++) {
        uint16_t w = ob_half(b, wrp_off(b, i), &bad);
        for (unsigned bit = 0; bit < 16; bit++)
            sim_wrp_set(out, 16 * i + bit, (w >> bit) & 1u);
    }
    out->error = bad;
}

static void put_half(sim_board *b, uint32_t off, uint16_t v)
{
    if (off + 4 <= b->ob_size)
        sim_put_le32(b->ob + off, (uint32_t)v | (uint32_t)(uint16_t)~v << 16);
}

static void l1_ob_default(sim_board *b)
{
    const uint32_t optr = b->chip->fam->optr_factory;
    memset(b->ob, 0, b->ob_size);
    /* L1: RDP 0xAA, USER BOR_LEV 8, IWDG_SW, nRST_STOP, nRST_STDBY; L0: the family's */
    put_half(b, 0, optr != 0 ? (uint16_t)optr : 0x00AA);
    put_half(b, 4, optr != 0 ? (uint16_t)(optr >> 16) : 0x0078);
    for (unsigned i = 0; i < wrp_words(b); i++)
        put_half(b, wrp_off(b, i), 0);
}

static void l1_ob_apply_spec(sim_board *b, bool set_rdp, int rdp, bool set_wrp, uint64_t wrp)
{
    if (set_rdp)
        put_half(b, 0, rdp == 0 ? 0xAA : rdp == 2 ? 0xCC : 0x55);
    if (set_wrp) {
        for (unsigned i = 0; i < wrp_words(b) && i < 4; i++)
            put_half(b, wrp_off(b, i), (uint16_t)(wrp >> (16 * i)));
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
    l1_state *s = st(b);
    if (complete && s->ob_regress)
        sim_flash_mass_erase_now(b);
    s->ob_regress = false;
    finish(b, complete);
}

static sim_access ob_write(sim_board *b, uint32_t addr, uint32_t val, unsigned width)
{
    l1_state *s = st(b);
    const stp_chip *c = b->chip;
    uint32_t off =
        addr >= c->option_bytes_addr && addr - c->option_bytes_addr < c->option_bytes_size
            ? addr - c->option_bytes_addr
            : c->option_bytes_size + (addr - c->option_bytes2_addr);
    if (width != 4) {
        error(b, SR_SIZERR);
        return SIM_ACC_OK;
    }
    if (s->pecr & PECR_OPTLOCK) {
        error(b, SR_WRPERR);
        return SIM_ACC_OK;
    }
    if (b->ob_active.rdp_level == 2)
        return SIM_ACC_OK; /* level 2 is final */
    sim_flash_op op = {0};
    op.kind = SIM_OP_OPTION;
    op.finish = finish_ob;
    op.psize = STP_PSIZE_X32;
    /* Option words are erased and written in one go (no NOR rule for them). */
    s->ob_regress = off == 0 && b->ob_active.rdp_level == 1 && (uint8_t)val == 0xAA;
    sim_put_le32(b->ob + off, val);
    sim_board_ob_render(b);
    uint64_t ns = sim_timing_program_ns(b, STP_PSIZE_X32);
    if (s->ob_regress)
        ns += sim_timing_mass_ns(b, STP_PSIZE_X32);
    sim_flash_start(b, &op, ns);
    return SIM_ACC_OK;
}

/* L0: a program operation onto len bytes at addr that are not all zero fails with
 * NOTZEROERR and writes nothing (RM0377 "Flash status register (FLASH_SR)"). */
static bool not_zero_refused(sim_board *b, uint32_t addr, uint32_t len)
{
    const uint32_t bit = b->chip->fam->sr_notzero_err;
    if (bit == 0)
        return false;
    const uint8_t *cell = b->flash + (addr - b->chip->flash_base);
    for (uint32_t i = 0; i < len; i++) {
        if (cell[i] != 0) {
            error(b, bit);
            return true;
        }
    }
    return false;
}

static sim_access l1_mem_write(sim_board *b, uint32_t addr, uint32_t val, unsigned width,
                               sim_master who)
{
    l1_state *s = st(b);
    (void)who;
    if (!sim_flash_in_main(b, addr, width))
        return ob_write(b, addr, val, width);
    size_t sec = sim_flash_sector_of(b, addr);
    if ((s->pecr & PECR_PRGLOCK) || sim_flash_sector_protected(b, sec) || rdp_blocks(b)) {
        error(b, SR_WRPERR);
        return SIM_ACC_OK;
    }
    if (width != 4) {
        error(b, SR_SIZERR);
        return SIM_ACC_OK;
    }
    sim_flash_op op = {0};
    op.psize = STP_PSIZE_X32;
    op.finish = finish;
    uint32_t pe = s->pecr & (PECR_PROG | PECR_ERASE | PECR_FPRG);
    /* FPRG+PROG selects half-page programming even with ERASE still set (OpenOCD's
     * stm32lx driver leaves ERASE set from its page erases). */
    if ((pe & (PECR_PROG | PECR_FPRG)) == (PECR_PROG | PECR_FPRG))
        pe = PECR_PROG | PECR_FPRG;
    if (pe == (PECR_PROG | PECR_ERASE)) {
        op.kind = SIM_OP_ERASE;
        op.sector = sec;
        sim_flash_start(b, &op, sim_timing_erase_ns(b, b->sectors[sec].size, STP_PSIZE_X32));
        return SIM_ACC_OK;
    }
    if (pe == (PECR_PROG | PECR_FPRG)) {
        uint32_t hp =
            b->chip->timing.block_program_bytes ? b->chip->timing.block_program_bytes : HALF_PAGE;
        if (s->hp_count == 0)
            s->hp_base = addr & ~(hp - 1u);
        if ((addr & ~(hp - 1u)) != s->hp_base) {
            s->hp_count = 0;
            error(b, SR_PGAERR);
            return SIM_ACC_OK;
        }
        sim_put_le32(s->hp_data + (addr - s->hp_base), val);
        if (++s->hp_count < hp / 4)
            return SIM_ACC_OK;
        s->hp_count = 0;
        if (not_zero_refused(b, s->hp_base, hp))
            return SIM_ACC_OK;
        op.kind = SIM_OP_PROGRAM;
        op.addr = s->hp_base;
        op.len = hp;
        memcpy(op.data, s->hp_data, hp);
        uint64_t ns = b->chip->timing.block_program_typ_ns;
        sim_flash_start(b, &op, ns ? ns : sim_timing_program_ns(b, STP_PSIZE_X32));
        return SIM_ACC_OK;
    }
    /* Anything else is a word write (ERASE or FPRG without PROG select the data EEPROM's
     * operations; st-flash writes its last words with ERASE still set). */
    if (not_zero_refused(b, addr & ~3u, 4))
        return SIM_ACC_OK;
    op.kind = SIM_OP_PROGRAM;
    op.addr = addr;
    op.len = 4;
    sim_put_le32(op.data, val);
    sim_flash_start(b, &op, sim_timing_program_ns(b, STP_PSIZE_X32));
    return SIM_ACC_OK;
}

/* ---- registers -------------------------------------------------------------------- */

static sim_access l1_reg_read(sim_board *b, uint32_t off, uint32_t *val)
{
    l1_state *s = st(b);
    bool bad = false;
    switch (off) {
    case REG_ACR:
        *val = s->acr;
        break;
    case REG_PECR:
        *val = s->pecr;
        break;
    case REG_SR:
        *val = s->sr | SR_READY | (sim_flash_busy(b) ? SR_BSY : SR_ENDHV);
        break;
    case REG_OBR: {
        uint16_t rdp = ob_half(b, 0, &bad), user = ob_half(b, 4, &bad);
        *val = (uint32_t)user << 16 | (rdp & 0x1FFu);
        break;
    }
    case REG_WRPR1:
        *val = (uint32_t)ob_half(b, wrp_off(b, 1), &bad) << 16 | ob_half(b, wrp_off(b, 0), &bad);
        break;
    case REG_WRPR2:
        *val = wrp_words(b) > 2 ? (uint32_t)ob_half(b, wrp_off(b, 3), &bad) << 16 |
                                      ob_half(b, wrp_off(b, 2), &bad)
                                : 0;
        break;
    default:
        *val = 0;
        break;
    }
    return SIM_ACC_OK;
}

static sim_access l1_reg_write(sim_board *b, uint32_t off, uint32_t val, uint32_t mask)
{
    l1_state *s = st(b);
    bool done;
    sim_access a = SIM_ACC_OK;
    switch (off) {
    case REG_ACR:
        s->acr = sim_masked(s->acr, val, mask) & 0x1Fu;
        break;
    case REG_PEKEYR:
        a = sim_flash_key_write(val, mask, PEKEY1, PEKEY2, &s->pe_stage, &s->lockout,
                                s->pecr & PECR_PELOCK, &done);
        if (done)
            s->pecr &= ~PECR_PELOCK;
        break;
    case REG_PRGKEYR:
        a = sim_flash_key_write(val, mask, PRGKEY1, PRGKEY2, &s->prg_stage, &s->lockout,
                                !(s->pecr & PECR_PELOCK) && (s->pecr & PECR_PRGLOCK), &done);
        if (done)
            s->pecr &= ~PECR_PRGLOCK;
        break;
    case REG_OPTKEYR:
        a = sim_flash_key_write(val, mask, OPTKEY1, OPTKEY2, &s->opt_stage, &s->lockout,
                                !(s->pecr & PECR_PELOCK) && (s->pecr & PECR_OPTLOCK), &done);
        if (done)
            s->pecr &= ~PECR_OPTLOCK;
        break;
    case REG_PDKEYR:
        break; /* power-down keys: RUN_PD is not modelled */
    case REG_SR:
        s->sr &= ~(val & mask & SR_W1C);
        break;
    case REG_PECR: {
        if (s->pecr & PECR_PELOCK)
            break;
        uint32_t v = val & mask;
        if (v & PECR_PELOCK) {
            s->pecr |= PECR_PELOCK | PECR_PRGLOCK | PECR_OPTLOCK;
            break;
        }
        s->pecr |= v & (PECR_PRGLOCK | PECR_OPTLOCK);
        if (!sim_flash_busy(b)) {
            s->pecr = (s->pecr & ~PECR_RW) | (sim_masked(s->pecr, val, mask) & PECR_RW);
            s->hp_count = 0;
        }
        if ((v & PECR_OBL_LAUNCH) && !(s->pecr & PECR_OPTLOCK))
            sim_board_reset(b, SIM_RESET_OBL);
        break;
    }
    default:
        break;
    }
    return a;
}

static void l1_reset(sim_board *b)
{
    l1_state *s = st(b);
    memset(s, 0, sizeof *s);
    s->pecr = PECR_PELOCK | PECR_PRGLOCK | PECR_OPTLOCK;
}

static void l1_ob_load_and_flag(sim_board *b, sim_ob_active *out)
{
    l1_ob_load(b, out);
    if (b->flash_ctx && out->error)
        st(b)->sr |= SR_OPTVERR;
}

static int l1_create(sim_board *b)
{
    return sim_flash_ctx_new(b, sizeof(l1_state));
}

extern const struct sim_bl_family sim_bl_family_l1; /* families/bootloader_l1.c */

const sim_flash_model sim_flash_model_l1 = {
    .kind = STP_FLASH_L1,
    .rom = &sim_bl_family_l1,
    .create = l1_create,
    .reset = l1_reset,
    .reg_read = l1_reg_read,
    .reg_write = l1_reg_write,
    .mem_write = l1_mem_write,
    .ob_load = l1_ob_load_and_flag,
    .ob_default = l1_ob_default,
    .ob_apply_spec = l1_ob_apply_spec,
};
