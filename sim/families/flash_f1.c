/* F1 flash program/erase controller (FPEC), RM0008 rev 21 section 3.3 and PM0075.
 *
 * Registers (offsets from FLASH_ACR 0x40022000): ACR 0x00, KEYR 0x04, OPTKEYR 0x08, SR 0x0C,
 * CR 0x10, AR 0x14, OBR 0x1C, WRPR 0x20; XL-density bank 2: KEYR2 0x44, SR2 0x4C, CR2 0x50,
 * AR2 0x54.
 * SR: BSY 0, PGERR 2, WRPRTERR 4, EOP 5.   CR: PG 0, PER 1, MER 2, OPTPG 4, OPTER 5, STRT 6,
 * LOCK 7, OPTWRE 9, ERRIE 10, EOPIE 12.   Keys: 0x45670123, 0xCDEF89AB (KEYR and OPTKEYR).
 *
 * Half-word programming only: any other access size is a bus error. Programming a half-word
 * that is not erased (0xFFFF) sets PGERR and leaves it, unless the value written is 0x0000.
 * A wrong key sequence is a bus error and locks the FPEC until the next reset; keys written
 * while it is already unlocked are ignored.
 *
 * Option bytes at 0x1FFFF800, each byte followed by its complement: RDP, USER, DATA0,
 * DATA1, WRP0..WRP3. RDP 0xA5 = unprotected on F1; F0/F3 (RM0091 4.1, RM0316 4.1): 0xAA
 * level 0, 0xCC level 2, USER in FLASH_OBR 15:8 and RDPRT[1:0] in bits 2:1 (the family row's
 * rdp_level0 and obr_user_shift). They load at reset; a complement mismatch
 * sets OPTERR and reads the option as 0xFF. Erasing the option bytes while read protection
 * is active mass-erases the main flash first. */
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

#define REG_ACR     0x00
#define REG_KEYR    0x04
#define REG_OPTKEYR 0x08
#define REG_SR      0x0C
#define REG_CR      0x10
#define REG_AR      0x14
#define REG_OBR     0x1C
#define REG_WRPR    0x20
#define BANK2_OFF   0x40

#define SR_BSY      (1u << 0)
#define SR_PGERR    (1u << 2)
#define SR_WRPRTERR (1u << 4)
#define SR_EOP      (1u << 5)
#define SR_W1C      (SR_PGERR | SR_WRPRTERR | SR_EOP)

#define CR_PG     (1u << 0)
#define CR_PER    (1u << 1)
#define CR_MER    (1u << 2)
#define CR_OPTPG  (1u << 4)
#define CR_OPTER  (1u << 5)
#define CR_STRT   (1u << 6)
#define CR_LOCK   (1u << 7)
#define CR_OPTWRE (1u << 9)
#define CR_ERRIE  (1u << 10)
#define CR_EOPIE  (1u << 12)
#define CR_RW     (CR_PG | CR_PER | CR_MER | CR_OPTPG | CR_OPTER | CR_ERRIE | CR_EOPIE)

#define KEY1 0x45670123u
#define KEY2 0xCDEF89ABu

#define RDP_LEVEL2 0xCCu

typedef struct f1_bank {
    uint32_t sr, cr, ar;
    int key_stage;
    bool lockout;
} f1_bank;

typedef struct f1_state {
    uint32_t acr;
    f1_bank bank[2];
    int optkey_stage;
    bool optkey_lockout;
    int op_bank;     /* bank whose SR shows the pending operation */
    bool ob_erase;   /* pending option-byte erase */
    bool ob_regress; /* ... with a mass erase first (read protection was active) */
} f1_state;

static f1_state *st(const sim_board *b)
{
    return b->flash_ctx;
}

static bool has_bank2(const sim_board *b)
{
    return b->chip->flash_regs2 != 0;
}

/* Bank of an address: XL density has bank 2 from 512 KiB on. */
static int bank_of_addr(const sim_board *b, uint32_t addr)
{
    size_t s = sim_flash_sector_of(b, addr);
    return has_bank2(b) && s != (size_t)-1 && b->sectors[s].bank == 1 ? 1 : 0;
}

static uint8_t rdp_level0(const sim_board *b)
{
    return b->chip->fam->rdp_level0;
}

static bool rdp_blocks(const sim_board *b)
{
    return b->ob_active.rdp_level >= 1 && b->debugger_seen;
}

/* ---- option bytes ----------------------------------------------------------------- */

static uint8_t ob_byte(const sim_board *b, unsigned i, bool *bad)
{
    uint8_t v = b->ob[2 * i], n = b->ob[2 * i + 1];
    if ((uint8_t)(v ^ n) != 0xFF) {
        *bad = true;
        return 0xFF;
    }
    return v;
}

static void f1_ob_load(sim_board *b, sim_ob_active *out)
{
    bool bad = false;
    uint8_t rdp = ob_byte(b, 0, &bad);
    out->rdp_level = bad                                             ? 1
                     : rdp == rdp_level0(b)                          ? 0
                     : rdp == RDP_LEVEL2 && b->chip->fam->rdp_level2 ? 2
                                                                     : 1;
    bool user_bad = false;
    out->iwdg_hw = !(ob_byte(b, 1, &user_bad) & 1u); /* USER.WDG_SW (0xFF when corrupt) */
    uint32_t wrp = 0;
    for (unsigned i = 0; i < 4; i++)
        wrp |= (uint32_t)ob_byte(b, 4 + i, &bad) << (8 * i);
    size_t units = sim_wrp_units(b);
    for (size_t u = 0; u < units; u++) {
        unsigned bit = u < 31 ? (unsigned)u : 31u; /* bit 31 covers the rest */
        sim_wrp_set(out, u, !((wrp >> bit) & 1u));
    }
    out->error = bad;
}

static void put_byte(sim_board *b, unsigned i, uint8_t v)
{
    b->ob[2 * i] = v;
    b->ob[2 * i + 1] = (uint8_t)~v;
}

static void f1_ob_default(sim_board *b)
{
    memset(b->ob, 0xFF, b->ob_size);
    put_byte(b, 0, rdp_level0(b));
    for (unsigned i = 1; i < 8; i++)
        put_byte(b, i, 0xFF);
}

static void f1_ob_apply_spec(sim_board *b, bool set_rdp, int rdp, bool set_wrp, uint64_t wrp)
{
    if (set_rdp)
        put_byte(b, 0, rdp == 0 ? rdp_level0(b) : rdp == 2 ? RDP_LEVEL2 : 0x00);
    if (set_wrp) {
        for (unsigned i = 0; i < 4; i++)
            put_byte(b, 4 + i, (uint8_t) ~(wrp >> (8 * i)));
    }
}

/* ---- operations ------------------------------------------------------------------- */

static void finish(sim_board *b, bool complete)
{
    f1_state *s = st(b);
    if (complete)
        s->bank[s->op_bank].sr |= SR_EOP; /* EOP at every completed operation */
}

static void finish_ob_erase(sim_board *b, bool complete)
{
    f1_state *s = st(b);
    if (complete) {
        if (s->ob_regress)
            sim_flash_mass_erase_now(b);
        memset(b->ob, 0xFF, b->ob_size);
        sim_board_ob_render(b);
        s->bank[0].sr |= SR_EOP;
    }
    s->ob_erase = s->ob_regress = false;
}

static void start(sim_board *b, int bank)
{
    f1_state *s = st(b);
    f1_bank *k = &s->bank[bank];
    sim_flash_op op = {0};
    op.psize = STP_PSIZE_X16;
    op.finish = finish;
    s->op_bank = bank;
    if (k->cr & CR_OPTER) {
        if (!(k->cr & CR_OPTWRE))
            return;
        s->ob_erase = true;
        s->ob_regress = b->ob_active.rdp_level >= 1 || b->ob[0] != rdp_level0(b);
        op.kind = SIM_OP_OPTION;
        op.finish = finish_ob_erase;
        uint64_t ns = sim_timing_erase_ns(b, b->sectors[0].size, STP_PSIZE_X16);
        if (s->ob_regress)
            ns += sim_timing_mass_ns(b, STP_PSIZE_X16);
        sim_flash_start(b, &op, ns);
        return;
    }
    if (k->cr & CR_PER) {
        size_t sec = sim_flash_sector_of(b, k->ar);
        if (sec == (size_t)-1 || bank_of_addr(b, k->ar) != bank)
            return; /* address outside this bank: nothing is erased */
        if (sim_flash_sector_protected(b, sec) || rdp_blocks(b)) {
            k->sr |= SR_WRPRTERR;
            return;
        }
        op.kind = SIM_OP_ERASE;
        op.sector = sec;
        sim_flash_start(b, &op, sim_timing_erase_ns(b, b->sectors[sec].size, STP_PSIZE_X16));
        return;
    }
    if (k->cr & CR_MER) {
        size_t first = SIZE_MAX, last = 0;
        for (size_t i = 0; i < b->sector_count; i++) {
            if ((has_bank2(b) ? b->sectors[i].bank : 0) != bank)
                continue;
            if (sim_flash_sector_protected(b, i) || rdp_blocks(b)) {
                k->sr |= SR_WRPRTERR;
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
        sim_flash_start(b, &op, sim_timing_mass_ns(b, STP_PSIZE_X16));
    }
}

static sim_access ob_program(sim_board *b, uint32_t addr, uint32_t val)
{
    f1_state *s = st(b);
    f1_bank *k = &s->bank[0];
    if (!(k->cr & CR_OPTPG) || !(k->cr & CR_OPTWRE))
        return SIM_ACC_FAULT;
    uint32_t off = addr - b->chip->option_bytes_addr;
    if (off & 1u)
        return SIM_ACC_FAULT;
    if (b->ob[off] != 0xFF || b->ob[off + 1] != 0xFF) {
        k->sr |= SR_PGERR;
        return SIM_ACC_OK;
    }
    sim_flash_op op = {0};
    op.kind = SIM_OP_PROGRAM;
    op.ob_target = true;
    op.addr = off;
    op.len = 2;
    op.data[0] = (uint8_t)val;
    op.data[1] = (uint8_t)~val; /* the FPEC writes the complement itself */
    op.psize = STP_PSIZE_X16;
    op.finish = finish;
    s->op_bank = 0;
    sim_flash_start(b, &op, sim_timing_program_ns(b, STP_PSIZE_X16));
    return SIM_ACC_OK;
}

static sim_access f1_mem_write(sim_board *b, uint32_t addr, uint32_t val, unsigned width,
                               sim_master who)
{
    f1_state *s = st(b);
    (void)who;
    if (width != 2)
        return SIM_ACC_FAULT; /* "not half-word long: bus error" */
    if (!sim_flash_in_main(b, addr, 2))
        return ob_program(b, addr, val);
    f1_bank *k = &s->bank[bank_of_addr(b, addr)];
    if (!(k->cr & CR_PG) || (k->cr & CR_LOCK))
        return SIM_ACC_FAULT;
    if (sim_flash_sector_protected(b, sim_flash_sector_of(b, addr)) || rdp_blocks(b)) {
        k->sr |= SR_WRPRTERR;
        return SIM_ACC_OK;
    }
    const uint8_t *cell = b->flash + (addr - b->chip->flash_base);
    uint16_t old = (uint16_t)(cell[0] | cell[1] << 8);
    if (old != 0xFFFF && (val & 0xFFFFu) != 0) {
        k->sr |= SR_PGERR;
        return SIM_ACC_OK;
    }
    sim_flash_op op = {0};
    op.kind = SIM_OP_PROGRAM;
    op.addr = addr;
    op.len = 2;
    op.data[0] = (uint8_t)val;
    op.data[1] = (uint8_t)(val >> 8);
    op.psize = STP_PSIZE_X16;
    op.finish = finish;
    s->op_bank = bank_of_addr(b, addr);
    sim_flash_start(b, &op, sim_timing_program_ns(b, STP_PSIZE_X16));
    return SIM_ACC_OK;
}

/* ---- registers -------------------------------------------------------------------- */

static uint32_t obr_value(const sim_board *b)
{
    bool bad = false;
    uint32_t user = ob_byte(b, 1, &bad), d0 = ob_byte(b, 2, &bad), d1 = ob_byte(b, 3, &bad);
    const unsigned sh = b->chip->fam->obr_user_shift;
    const int level = b->ob_active.rdp_level;
    return (b->ob_active.error ? 1u : 0u) | (level ? 2u : 0u) | (level == 2 ? 4u : 0u) |
           user << sh | d0 << (sh + 8) | d1 << (sh + 16);
}

static uint32_t wrpr_value(const sim_board *b)
{
    bool bad = false;
    uint32_t v = 0;
    for (unsigned i = 0; i < 4; i++)
        v |= (uint32_t)ob_byte(b, 4 + i, &bad) << (8 * i);
    return v;
}

static sim_access f1_reg_read(sim_board *b, uint32_t off, uint32_t *val)
{
    f1_state *s = st(b);
    int bank = off >= BANK2_OFF && has_bank2(b) ? 1 : 0;
    uint32_t r = off >= BANK2_OFF ? off - BANK2_OFF : off;
    f1_bank *k = &s->bank[bank];
    if (off >= BANK2_OFF && !has_bank2(b)) {
        *val = 0;
        return SIM_ACC_OK;
    }
    switch (r) {
    case REG_ACR:
        *val = bank ? 0 : s->acr;
        break;
    case REG_SR:
        *val = k->sr | (sim_flash_busy(b) && s->op_bank == bank ? SR_BSY : 0);
        break;
    case REG_CR:
        *val = k->cr;
        break;
    case REG_AR:
        *val = k->ar;
        break;
    case REG_OBR:
        *val = bank ? 0 : obr_value(b);
        break;
    case REG_WRPR:
        *val = bank ? 0 : wrpr_value(b);
        break;
    default:
        *val = 0;
        break;
    }
    return SIM_ACC_OK;
}

static sim_access key_write(f1_bank *k, uint32_t val, uint32_t mask, int *stage, bool *lockout,
                            bool locked, bool *unlocked)
{
    *unlocked = false;
    if (!locked && !*lockout)
        return SIM_ACC_OK; /* already unlocked: the FPEC ignores further keys (OpenOCD's
                              stm32f1x option writes unlock again without checking) */
    if (*lockout || mask != 0xFFFFFFFFu || (*stage == 0 && val != KEY1) ||
        (*stage == 1 && val != KEY2)) {
        *lockout = true;
        *stage = 0;
        (void)k;
        return SIM_ACC_FAULT;
    }
    if (*stage == 0) {
        *stage = 1;
        return SIM_ACC_OK;
    }
    *stage = 0;
    *unlocked = true;
    return SIM_ACC_OK;
}

static sim_access f1_reg_write(sim_board *b, uint32_t off, uint32_t val, uint32_t mask)
{
    f1_state *s = st(b);
    if (off >= BANK2_OFF && !has_bank2(b))
        return SIM_ACC_OK;
    int bank = off >= BANK2_OFF ? 1 : 0;
    uint32_t r = off >= BANK2_OFF ? off - BANK2_OFF : off;
    f1_bank *k = &s->bank[bank];
    bool unlocked;
    sim_access a = SIM_ACC_OK;
    switch (r) {
    case REG_ACR:
        if (!bank)
            s->acr = sim_masked(s->acr, val, mask) & 0x3Fu;
        break;
    case REG_KEYR:
        a = key_write(k, val, mask, &k->key_stage, &k->lockout, k->cr & CR_LOCK, &unlocked);
        if (unlocked)
            k->cr &= ~CR_LOCK;
        break;
    case REG_OPTKEYR:
        if (bank)
            break;
        /* The option-byte keys need the FPEC itself unlocked first. */
        if (k->cr & CR_LOCK) {
            s->optkey_lockout = true;
            a = SIM_ACC_FAULT;
            break;
        }
        a = key_write(k, val, mask, &s->optkey_stage, &s->optkey_lockout, !(k->cr & CR_OPTWRE),
                      &unlocked);
        if (unlocked)
            k->cr |= CR_OPTWRE;
        break;
    case REG_SR:
        k->sr &= ~(val & mask & SR_W1C);
        break;
    case REG_CR: {
        if (k->cr & CR_LOCK)
            break;
        uint32_t v = sim_masked(k->cr, val, mask);
        if (v & CR_LOCK) {
            k->cr = (k->cr | CR_LOCK) & ~CR_OPTWRE;
            k->key_stage = 0;
            break;
        }
        if (sim_flash_busy(b))
            break;
        k->cr = (v & CR_RW) | (k->cr & CR_OPTWRE & v); /* OPTWRE: cleared by writing 0 */
        if (val & mask & CR_STRT)
            start(b, bank);
        break;
    }
    case REG_AR:
        if (!sim_flash_busy(b))
            k->ar = sim_masked(k->ar, val, mask);
        break;
    default:
        break;
    }
    return a;
}

static void f1_reset(sim_board *b)
{
    f1_state *s = st(b);
    memset(s, 0, sizeof *s);
    s->acr = 0x30; /* HLFCYA off, PRFTBE and PRFTBS set */
    for (int i = 0; i < 2; i++)
        s->bank[i].cr = CR_LOCK;
}

static int f1_create(sim_board *b)
{
    return sim_flash_ctx_new(b, sizeof(f1_state));
}

extern const struct sim_bl_family sim_bl_family_f1; /* families/bootloader_f1.c */

const sim_flash_model sim_flash_model_f1 = {
    .kind = STP_FLASH_F1,
    .rom = &sim_bl_family_f1,
    .create = f1_create,
    .reset = f1_reset,
    .reg_read = f1_reg_read,
    .reg_write = f1_reg_write,
    .mem_write = f1_mem_write,
    .ob_load = f1_ob_load,
    .ob_default = f1_ob_default,
    .ob_apply_spec = f1_ob_apply_spec,
};
