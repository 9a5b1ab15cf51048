/* STM32H7 flash interface (RM0433 rev 7 section 4 for H742/H743/H750/H753; the same
 * registers on RM0468 H72x/H73x). The register and bit positions are those of
 * src/target/drivers/flash_h7.c (OpenOCD stm32h7x.c and the stm32-rs H7 SVD agree with
 * them); what the model does with them:
 *
 * - Two banks, each with KEYR/CR/SR/CCR (bank 2 at +0x100). KEYR takes 0x45670123 then
 *   0xCDEF89AB as full words while LOCK is set; anything else is a bus error and the bank
 *   stays locked until reset. CR is ignored while LOCK is set; writing LOCK leaves the other
 *   bits as they are. CCR's 1s clear SR's flags. Registers that are not per bank (OPTKEYR,
 *   OPTCR, OPTSR_*, OPTCCR, BOOT_*) read and write the same at +0x100.
 * - Programming (RM0433 4.3.9): with PG set, stores of any width fill the 32-byte write
 *   buffer of one flash word (WBNE); the store that completes it starts the programming of
 *   the word (QW and BSY until it is done, the datasheet's time for the PSIZE in CR). A
 *   store to another flash word while the buffer holds part of one is INCERR (the partial
 *   word is dropped), a byte written twice is STRBERR, a store without PG or while an error
 *   flag of the bank is still set is PGSERR, into a write-protected sector (or with read
 *   protection and a debugger) WRPERR. FW (CR bit 6) programs a partly filled buffer, the
 *   missing bytes left erased. A flash word can be programmed once after an erase: its 10
 *   ECC bits are written with it, so programming it again leaves cells and ECC that no
 *   longer agree (the data is ANDed here; see the ECC note in docs/virtual-board.md).
 * - Erase: SER + SNB (+ PSIZE) then START erases a 128 KiB sector of the bank; BER then START
 *   the bank; OPTCR.MER both banks at once (each at its CR's PSIZE). A protected sector in
 *   the range is WRPERR and nothing is erased. A START while an error flag is set: PGSERR.
 * - Option bytes (RM0433 4.4): not mapped in memory. OPTKEYR 0x08192A3B, 0x4C5D6E7F clear
 *   OPTCR.OPTLOCK; then OPTSR_PRG, WPSN_PRG (per bank), BOOT_PRG, PRAR/SCAR_PRG take values,
 *   OPTSTART programs them: OPTSR_CUR.OPT_BUSY while it runs (a sector erase time: an
 *   assumption, RM0433 gives no figure), then the _CUR registers and the protection hold
 *   the new values, without a reset. RDP 0xAA level 0, 0xCC level 2, anything else level 1;
 *   at level 2 any change is refused (OPTCHANGEERR); level 1 to 0 erases both banks first.
 * - The board has one flash operation at a time: a bank's operation keeps the other bank's
 *   accesses waiting too (the controller runs them in parallel; see docs/virtual-board.md).
 *
 * Storage of the option bytes in b->ob (the chip row's option_bytes_size): OPTSR 0x00, BOOT
 * 0x04, WPSN bank 1/2 0x08/0x0C, PRAR 0x10/0x14, SCAR 0x18/0x1C. */
#include <string.h>

#include "sim_internal.h"

#define REG_ACR       0x00u
#define REG_KEYR      0x04u
#define REG_OPTKEYR   0x08u
#define REG_CR        0x0Cu
#define REG_SR        0x10u
#define REG_CCR       0x14u
#define REG_OPTCR     0x18u
#define REG_OPTSR_CUR 0x1Cu
#define REG_OPTSR_PRG 0x20u
#define REG_OPTCCR    0x24u
#define REG_PRAR_CUR  0x28u
#define REG_PRAR_PRG  0x2Cu
#define REG_SCAR_CUR  0x30u
#define REG_SCAR_PRG  0x34u
#define REG_WPSN_CUR  0x38u
#define REG_WPSN_PRG  0x3Cu
#define REG_BOOT_CUR  0x40u
#define REG_BOOT_PRG  0x44u
#define REG_FAR       0x60u /* FLASH_ECC_FA1R/FA2R */
#define BANK2         0x100u

#define CR_LOCK      (1u << 0)
#define CR_PG        (1u << 1)
#define CR_SER       (1u << 2)
#define CR_BER       (1u << 3)
#define CR_PSIZE     (3u << 4)
#define CR_FW        (1u << 6)
#define CR_START     (1u << 7)
#define CR_SNB       (7u << 8)
#define CR_RW        0x1FFF873Eu /* PG..PSIZE, SNB, CRC_EN and the interrupt enables */
#define CR_RESET     0x00000031u /* LOCK, PSIZE x64 */
#define CR_SNB_SHIFT 8

#define SR_BSY      (1u << 0)
#define SR_WBNE     (1u << 1)
#define SR_QW       (1u << 2)
#define SR_EOP      (1u << 16)
#define SR_WRPERR   (1u << 17)
#define SR_PGSERR   (1u << 18)
#define SR_STRBERR  (1u << 19)
#define SR_INCERR   (1u << 21)
#define SR_OPERR    (1u << 22)
#define SR_RDPERR   (1u << 23)
#define SR_RDSERR   (1u << 24)
#define SR_SNECCERR (1u << 25)
#define SR_DBECCERR (1u << 26)
#define SR_CRCEND   (1u << 27)
#define SR_CRCRDERR (1u << 28)
#define SR_FLAGS    0x1FEF0000u /* EOP .. CRCRDERR */
/* Flags that stop the next programming or erase until cleared (PGSERR otherwise). */
#define SR_BLOCKING (SR_WRPERR | SR_PGSERR | SR_STRBERR | SR_INCERR | SR_OPERR)

#define OPTCR_OPTLOCK  (1u << 0)
#define OPTCR_OPTSTART (1u << 1)
#define OPTCR_MER      (1u << 4)
#define OPTCR_SWAP     (1u << 31)

#define OPTSR_BUSY      (1u << 0)
#define OPTSR_IWDG1_SW  (1u << 4)
#define OPTSR_CHANGEERR (1u << 30)
#define OPTSR_SWAP_OPT  (1u << 31)
#define OPTSR_RO        (OPTSR_BUSY | (1u << 1) | OPTSR_CHANGEERR)

#define KEY1    0x45670123u
#define KEY2    0xCDEF89ABu
#define OPTKEY1 0x08192A3Bu
#define OPTKEY2 0x4C5D6E7Fu

/* Stored option words (offsets in b->ob). */
#define OB_OPTSR 0x00u
#define OB_BOOT  0x04u
#define OB_WPSN  0x08u
#define OB_PRAR  0x10u
#define OB_SCAR  0x18u

/* As shipped (RM0433 "Option bytes" factory values, as remembered): RDP 0xAA (level 0), BOR
 * off, IWDG1 started by software, no reset on Stop/Standby, the watchdog running in
 * Stop/Standby, banks not swapped; boot from 0x08000000 (BOOT=0) or system memory
 * 0x1FF00000 (BOOT=1); no write protection; PCROP and secure areas empty (start above end). */
#define OPTSR_FACTORY 0x0006AAD0u
#define BOOT_FACTORY  0x1FF00800u
#define AREA_NONE     0x000000FFu

#define WORD_MAX 32u

typedef struct h7_bank {
    uint32_t cr, sr;
    uint32_t wpsn_prg, prar_prg, scar_prg;
    int key_stage;
    bool lockout;
    /* The write buffer: one flash word being filled. */
    bool buf_on;
    uint32_t buf_addr;
    uint8_t buf[WORD_MAX];
    uint32_t buf_mask; /* bytes written */
    uint32_t far;      /* FAIL_ECC_ADDR: flash word of the first ECC error, in the bank */
} h7_bank;

typedef struct h7_state {
    h7_bank bank[2];
    uint32_t acr;
    uint32_t optcr;
    uint32_t optsr_prg, boot_prg;
    bool opt_changeerr;
    int optkey_stage;
    bool optkey_lockout;
    unsigned op_banks; /* banks the operation in progress belongs to (bit per bank) */
    bool opt_busy;     /* an option-byte change is in progress */
    bool ob_regress;   /* ... which erases both banks first (RDP 1 -> 0) */
} h7_state;

static h7_state *st(const sim_board *b)
{
    return b->flash_ctx;
}

static uint32_t word_bytes(const sim_board *b)
{
    return b->chip->flash_word_bytes ? b->chip->flash_word_bytes : WORD_MAX;
}

static unsigned bank_count(const sim_board *b)
{
    unsigned n = 1;
    for (size_t i = 0; i < b->sector_count; i++) {
        if (b->sectors[i].bank + 1u > n)
            n = b->sectors[i].bank + 1u;
    }
    return n;
}

static uint32_t ob_get(const sim_board *b, uint32_t off)
{
    return off + 4 <= b->ob_size ? sim_le32(b->ob + off) : 0;
}

static void ob_put(sim_board *b, uint32_t off, uint32_t v)
{
    if (off + 4 <= b->ob_size)
        sim_put_le32(b->ob + off, v);
}

static int rdp_level(uint32_t optsr)
{
    uint8_t rdp = (uint8_t)(optsr >> 8);
    return rdp == 0xAA ? 0 : rdp == 0xCC ? 2 : 1;
}

static bool rdp_blocks(const sim_board *b)
{
    return b->ob_active.rdp_level >= 1 && b->debugger_seen;
}

/* Sector index of sector snb of bank, or (size_t)-1. */
static size_t bank_sector(const sim_board *b, unsigned bank, uint32_t snb)
{
    uint32_t k = 0;
    for (size_t i = 0; i < b->sector_count; i++) {
        if (b->sectors[i].bank != bank)
            continue;
        if (k++ == snb)
            return i;
    }
    return (size_t)-1;
}

static bool bank_busy(const sim_board *b, unsigned bank)
{
    return sim_flash_busy(b) && (st(b)->op_banks & (1u << bank)) != 0;
}

static int cr_psize(uint32_t cr)
{
    return (int)((cr & CR_PSIZE) >> 4);
}

/* ---- operations --------------------------------------------------------------------- */

static void finish(sim_board *b, bool complete)
{
    h7_state *s = st(b);
    for (unsigned k = 0; k < 2; k++) {
        if (complete && (s->op_banks & (1u << k)))
            s->bank[k].sr |= SR_EOP;
    }
    s->op_banks = 0;
}

static void start_op(sim_board *b, sim_flash_op *op, unsigned banks, uint64_t ns)
{
    st(b)->op_banks = banks;
    op->finish = op->finish ? op->finish : finish;
    sim_flash_start(b, op, ns);
}

static void program_buffer(sim_board *b, unsigned k)
{
    h7_bank *bk = &st(b)->bank[k];
    sim_flash_op op = {0};
    op.kind = SIM_OP_PROGRAM;
    op.psize = cr_psize(bk->cr);
    op.addr = bk->buf_addr;
    op.len = word_bytes(b);
    memset(op.data, b->chip->erased_value, op.len);
    for (uint32_t i = 0; i < op.len; i++) {
        if (bk->buf_mask & (1u << i))
            op.data[i] = bk->buf[i];
    }
    bk->buf_on = false;
    bk->buf_mask = 0;
    start_op(b, &op, 1u << k, sim_timing_program_ns(b, op.psize));
}

static bool bank_protected(const sim_board *b, unsigned bank)
{
    for (size_t i = 0; i < b->sector_count; i++) {
        if (b->sectors[i].bank == bank && sim_flash_sector_protected(b, i))
            return true;
    }
    return false;
}

/* Erase of the banks in `banks` (BER, MER), or of one sector. */
static void start_mass(sim_board *b, unsigned banks, int psize)
{
    h7_state *s = st(b);
    size_t lo = b->sector_count, hi = 0;
    for (size_t i = 0; i < b->sector_count; i++) {
        if (banks & (1u << b->sectors[i].bank)) {
            lo = i < lo ? i : lo;
            hi = i + 1;
        }
    }
    for (unsigned k = 0; k < 2; k++) {
        if ((banks & (1u << k)) && bank_protected(b, k)) {
            s->bank[k].sr |= SR_WRPERR;
            return;
        }
    }
    if (lo >= hi)
        return;
    sim_flash_op op = {0};
    op.kind = SIM_OP_MASS;
    op.sector = lo;
    op.sector_end = hi;
    op.psize = psize;
    start_op(b, &op, banks, sim_timing_mass_ns(b, psize));
}

static void start_erase(sim_board *b, unsigned k)
{
    h7_bank *bk = &st(b)->bank[k];
    uint32_t cr = bk->cr;
    if (!(cr & (CR_SER | CR_BER)))
        return; /* START with nothing selected */
    if ((bk->sr & SR_BLOCKING) || (cr & CR_PG) || bk->buf_on) {
        bk->sr |= SR_PGSERR;
        return;
    }
    if (rdp_blocks(b)) {
        bk->sr |= SR_WRPERR;
        return;
    }
    if (cr & CR_BER) {
        start_mass(b, 1u << k, cr_psize(cr));
        return;
    }
    size_t sec = bank_sector(b, k, (cr & CR_SNB) >> CR_SNB_SHIFT);
    if (sec == (size_t)-1) {
        bk->sr |= SR_EOP; /* a sector this part does not have: nothing to erase */
        return;
    }
    if (sim_flash_sector_protected(b, sec)) {
        bk->sr |= SR_WRPERR;
        return;
    }
    sim_flash_op op = {0};
    op.kind = SIM_OP_ERASE;
    op.sector = sec;
    op.psize = cr_psize(cr);
    start_op(b, &op, 1u << k, sim_timing_erase_ns(b, b->sectors[sec].size, op.psize));
}

static void finish_ob(sim_board *b, bool complete)
{
    h7_state *s = st(b);
    if (complete) {
        if (s->ob_regress)
            sim_flash_mass_erase_now(b);
        ob_put(b, OB_OPTSR, s->optsr_prg & ~OPTSR_RO);
        ob_put(b, OB_BOOT, s->boot_prg);
        for (unsigned k = 0; k < 2; k++) {
            ob_put(b, OB_WPSN + 4 * k, s->bank[k].wpsn_prg);
            ob_put(b, OB_PRAR + 4 * k, s->bank[k].prar_prg);
            ob_put(b, OB_SCAR + 4 * k, s->bank[k].scar_prg);
        }
        sim_board_ob_reload(b);
    }
    s->ob_regress = false;
    s->opt_busy = false;
    s->op_banks = 0;
}

static void start_option(sim_board *b)
{
    h7_state *s = st(b);
    if (b->ob_active.rdp_level == 2) {
        s->opt_changeerr = true; /* level 2: the option bytes are frozen */
        return;
    }
    s->ob_regress = b->ob_active.rdp_level == 1 && rdp_level(s->optsr_prg) == 0;
    s->opt_busy = true;
    sim_flash_op op = {0};
    op.kind = SIM_OP_OPTION;
    op.finish = finish_ob;
    op.psize = STP_PSIZE_X64;
    uint64_t ns = sim_timing_erase_ns(b, b->sectors[0].size, STP_PSIZE_X64);
    if (s->ob_regress)
        ns += sim_timing_mass_ns(b, STP_PSIZE_X64);
    start_op(b, &op, 0u, ns);
}

/* ---- stores into the flash ---------------------------------------------------------- */

static sim_access h7_mem_write(sim_board *b, uint32_t addr, uint32_t val, unsigned width,
                               sim_master who)
{
    (void)who;
    if (!sim_flash_in_main(b, addr, width))
        return SIM_ACC_FAULT;
    size_t sec = sim_flash_sector_of(b, addr);
    unsigned k = sec < b->sector_count ? b->sectors[sec].bank : 0;
    h7_bank *bk = &st(b)->bank[k];
    const uint32_t wb = word_bytes(b);
    const uint32_t word = addr & ~(wb - 1u);
    if (!(bk->cr & CR_PG) || (bk->cr & (CR_SER | CR_BER)) || (bk->sr & SR_BLOCKING)) {
        bk->sr |= SR_PGSERR;
        return SIM_ACC_OK;
    }
    if (bk->buf_on && word != bk->buf_addr) {
        bk->buf_on = false; /* the partial word is lost */
        bk->buf_mask = 0;
        bk->sr |= SR_INCERR;
        return SIM_ACC_OK;
    }
    if (!bk->buf_on) {
        if (sim_flash_sector_protected(b, sec) || rdp_blocks(b)) {
            bk->sr |= SR_WRPERR;
            return SIM_ACC_OK;
        }
        bk->buf_on = true;
        bk->buf_addr = word;
        bk->buf_mask = 0;
    }
    uint32_t off = addr - word;
    uint32_t lanes = ((1u << width) - 1u) << off;
    if (bk->buf_mask & lanes) {
        bk->buf_on = false;
        bk->buf_mask = 0;
        bk->sr |= SR_STRBERR;
        return SIM_ACC_OK;
    }
    for (unsigned i = 0; i < width; i++)
        bk->buf[off + i] = (uint8_t)(val >> (8 * i));
    bk->buf_mask |= lanes;
    if (bk->buf_mask == (wb >= 32 ? 0xFFFFFFFFu : (1u << wb) - 1u))
        program_buffer(b, k);
    return SIM_ACC_OK;
}

/* ---- registers ---------------------------------------------------------------------- */

static bool per_bank(uint32_t reg)
{
    switch (reg) {
    case REG_KEYR:
    case REG_CR:
    case REG_SR:
    case REG_CCR:
    case REG_PRAR_CUR:
    case REG_PRAR_PRG:
    case REG_SCAR_CUR:
    case REG_SCAR_PRG:
    case REG_WPSN_CUR:
    case REG_WPSN_PRG:
    case REG_FAR:
        return true;
    default:
        return false;
    }
}

static sim_access h7_reg_read(sim_board *b, uint32_t off, uint32_t *val)
{
    h7_state *s = st(b);
    unsigned k = off >= BANK2 && off < 2 * BANK2 ? 1u : 0u;
    uint32_t reg = off & (BANK2 - 1u);
    if (k == 1 && !per_bank(reg) && reg != REG_ACR && reg != REG_OPTKEYR && reg != REG_OPTCR &&
        reg != REG_OPTSR_CUR && reg != REG_OPTSR_PRG && reg != REG_OPTCCR && reg != REG_BOOT_CUR &&
        reg != REG_BOOT_PRG) {
        *val = 0;
        return SIM_ACC_OK;
    }
    h7_bank *bk = &s->bank[k];
    switch (reg) {
    case REG_ACR:
        *val = s->acr;
        break;
    case REG_CR:
        *val = bk->cr;
        break;
    case REG_SR:
        *val = bk->sr | (bk->buf_on ? SR_WBNE : 0) | (bank_busy(b, k) ? SR_BSY | SR_QW : 0);
        break;
    case REG_OPTCR:
        *val = s->optcr | (ob_get(b, OB_OPTSR) & OPTSR_SWAP_OPT ? OPTCR_SWAP : 0) |
               (s->opt_busy ? OPTCR_OPTSTART : 0);
        break;
    case REG_OPTSR_CUR:
        *val = (ob_get(b, OB_OPTSR) & ~OPTSR_RO) | (s->opt_busy ? OPTSR_BUSY : 0) |
               (s->opt_changeerr ? OPTSR_CHANGEERR : 0);
        break;
    case REG_OPTSR_PRG:
        *val = s->optsr_prg;
        break;
    case REG_PRAR_CUR:
        *val = ob_get(b, OB_PRAR + 4 * k);
        break;
    case REG_PRAR_PRG:
        *val = bk->prar_prg;
        break;
    case REG_SCAR_CUR:
        *val = ob_get(b, OB_SCAR + 4 * k);
        break;
    case REG_SCAR_PRG:
        *val = bk->scar_prg;
        break;
    case REG_WPSN_CUR:
        *val = ob_get(b, OB_WPSN + 4 * k);
        break;
    case REG_WPSN_PRG:
        *val = bk->wpsn_prg;
        break;
    case REG_BOOT_CUR:
        *val = ob_get(b, OB_BOOT);
        break;
    case REG_BOOT_PRG:
        *val = s->boot_prg;
        break;
    case REG_FAR:
        *val = bk->far;
        break;
    default:
        *val = 0;
        break;
    }
    return SIM_ACC_OK;
}

static void write_cr(sim_board *b, unsigned k, uint32_t val, uint32_t mask)
{
    h7_bank *bk = &st(b)->bank[k];
    if (bk->cr & CR_LOCK)
        return; /* locked: writes are ignored */
    uint32_t v = sim_masked(bk->cr, val, mask);
    if (v & CR_LOCK) {
        bk->cr |= CR_LOCK; /* the other bits keep their values */
        bk->key_stage = 0;
        return;
    }
    if (bank_busy(b, k))
        return;
    bk->cr = v & CR_RW;
    if ((val & mask & CR_FW) && bk->buf_on)
        program_buffer(b, k); /* forced write: the missing bytes stay erased */
    else if (val & mask & CR_START)
        start_erase(b, k);
}

/* Writes to an option register take effect only while OPTCR is unlocked. */
static void write_opt(sim_board *b, uint32_t *reg, uint32_t val, uint32_t mask)
{
    h7_state *s = st(b);
    if (!(s->optcr & OPTCR_OPTLOCK) && !s->opt_busy)
        *reg = sim_masked(*reg, val, mask);
}

static void write_optcr(sim_board *b, uint32_t val, uint32_t mask)
{
    h7_state *s = st(b);
    uint32_t v = val & mask;
    if (v & OPTCR_MER) {
        /* mass erase of both banks: each bank's CR must be unlocked */
        if (!sim_flash_busy(b) && !(s->bank[0].cr & CR_LOCK) &&
            (bank_count(b) < 2 || !(s->bank[1].cr & CR_LOCK))) {
            unsigned all = bank_count(b) > 1 ? 3u : 1u;
            if (rdp_blocks(b))
                s->bank[0].sr |= SR_WRPERR;
            else
                start_mass(b, all, cr_psize(s->bank[0].cr));
        }
    }
    if (s->optcr & OPTCR_OPTLOCK)
        return;
    if (v & OPTCR_OPTLOCK) {
        s->optcr |= OPTCR_OPTLOCK;
        s->optkey_stage = 0;
        return;
    }
    if ((v & OPTCR_OPTSTART) && !sim_flash_busy(b))
        start_option(b);
}

static sim_access h7_reg_write(sim_board *b, uint32_t off, uint32_t val, uint32_t mask)
{
    h7_state *s = st(b);
    unsigned k = off >= BANK2 && off < 2 * BANK2 ? 1u : 0u;
    uint32_t reg = off & (BANK2 - 1u);
    h7_bank *bk = &s->bank[k];
    bool done = false;
    sim_access a = SIM_ACC_OK;
    switch (reg) {
    case REG_ACR:
        s->acr = sim_masked(s->acr, val, mask);
        break;
    case REG_KEYR:
        a = sim_flash_key_write(val, mask, KEY1, KEY2, &bk->key_stage, &bk->lockout,
                                bk->cr & CR_LOCK, &done);
        if (done)
            bk->cr &= ~CR_LOCK;
        break;
    case REG_OPTKEYR:
        a = sim_flash_key_write(val, mask, OPTKEY1, OPTKEY2, &s->optkey_stage, &s->optkey_lockout,
                                s->optcr & OPTCR_OPTLOCK, &done);
        if (done)
            s->optcr &= ~OPTCR_OPTLOCK;
        break;
    case REG_CR:
        write_cr(b, k, val, mask);
        break;
    case REG_CCR:
        bk->sr &= ~(val & mask & SR_FLAGS);
        if (!(bk->sr & (SR_SNECCERR | SR_DBECCERR)))
            bk->far = 0; /* the address goes with the flags */
        break;
    case REG_OPTCR:
        write_optcr(b, val, mask);
        break;
    case REG_OPTSR_PRG:
        write_opt(b, &s->optsr_prg, val, mask);
        break;
    case REG_OPTCCR:
        if (val & mask & OPTSR_CHANGEERR)
            s->opt_changeerr = false;
        break;
    case REG_PRAR_PRG:
        write_opt(b, &bk->prar_prg, val, mask);
        break;
    case REG_SCAR_PRG:
        write_opt(b, &bk->scar_prg, val, mask);
        break;
    case REG_WPSN_PRG:
        write_opt(b, &bk->wpsn_prg, val, mask);
        break;
    case REG_BOOT_PRG:
        write_opt(b, &s->boot_prg, val, mask);
        break;
    default:
        break; /* SR and the _CUR registers are read-only */
    }
    return a;
}

/* ---- ECC ------------------------------------------------------------------------------ */

/* A read of a flash word whose 10 ECC bits disagree with its cells (RM0433 "Error correction
 * code (ECC)"): SNECCERR (one bit: the data corrected) or DBECCERR (two: the AXI read ends in
 * a bus error, for the core a precise bus fault, whether DBECCERRIE is set or not: Zephyr
 * issue 33140, PX4 pull request 27642) in the bank's SR; FLASH_ECC_FAR takes the flash
 * word's number in the bank when no ECC flag of the bank was set yet. */
static sim_access h7_ecc_read(sim_board *b, uint32_t word, bool dbl, uint32_t *val, sim_master who)
{
    (void)val;
    (void)who;
    size_t sec = sim_flash_sector_of(b, word);
    unsigned k = sec < b->sector_count ? b->sectors[sec].bank : 0;
    h7_bank *bk = &st(b)->bank[k & 1u];
    uint32_t base = b->chip->flash_base;
    for (size_t i = 0; i < b->sector_count; i++) {
        if (b->sectors[i].bank == k) {
            base = b->sectors[i].addr;
            break;
        }
    }
    if (!(bk->sr & (SR_SNECCERR | SR_DBECCERR)))
        bk->far = ((word - base) / word_bytes(b)) & ((1u << b->chip->fam->ecc_addr_bits) - 1u);
    bk->sr |= dbl ? SR_DBECCERR : SR_SNECCERR;
    return dbl ? SIM_ACC_FAULT : SIM_ACC_OK;
}

/* ---- option bytes ------------------------------------------------------------------- */

static void h7_ob_load(sim_board *b, sim_ob_active *out)
{
    uint32_t optsr = ob_get(b, OB_OPTSR);
    memset(out, 0, sizeof *out);
    out->rdp_level = rdp_level(optsr);
    out->iwdg_hw = !(optsr & OPTSR_IWDG1_SW);
    for (size_t i = 0; i < b->sector_count; i++) {
        const stp_sector *sec = &b->sectors[i];
        uint32_t first = b->chip->layout.banks[sec->bank].first_sector_number;
        uint32_t wpsn = ob_get(b, OB_WPSN + 4u * sec->bank);
        if (!((wpsn >> ((sec->number - first) & 7u)) & 1u))
            sim_wrp_set(out, sec->index, true);
    }
}

static void h7_ob_default(sim_board *b)
{
    memset(b->ob, 0xFF, b->ob_size);
    ob_put(b, OB_OPTSR, OPTSR_FACTORY);
    ob_put(b, OB_BOOT, BOOT_FACTORY);
    for (unsigned k = 0; k < 2; k++) {
        ob_put(b, OB_WPSN + 4 * k, 0x000000FFu);
        ob_put(b, OB_PRAR + 4 * k, AREA_NONE);
        ob_put(b, OB_SCAR + 4 * k, AREA_NONE);
    }
}

/* Spec rdp= and wrp= (bit n: sector n, bank 2 from 8). */
static void h7_ob_apply_spec(sim_board *b, bool set_rdp, int rdp, bool set_wrp, uint64_t wrp)
{
    if (set_rdp) {
        uint32_t v = rdp == 0 ? 0xAA : rdp == 2 ? 0xCC : 0x55;
        ob_put(b, OB_OPTSR, (ob_get(b, OB_OPTSR) & ~0xFF00u) | v << 8);
    }
    if (!set_wrp)
        return;
    uint32_t wpsn[2] = {0xFF, 0xFF};
    for (size_t i = 0; i < b->sector_count && i < 64; i++) {
        const stp_sector *sec = &b->sectors[i];
        uint32_t first = b->chip->layout.banks[sec->bank].first_sector_number;
        if ((wrp >> i) & 1u)
            wpsn[sec->bank & 1u] &= ~(1u << ((sec->number - first) & 7u));
    }
    ob_put(b, OB_WPSN, wpsn[0]);
    ob_put(b, OB_WPSN + 4, wpsn[1]);
}

/* BOOT_ADD0 with BOOT low, BOOT_ADD1 with BOOT high (RM0433 2.6 "Boot configuration"):
 * address bits 31:16. */
static uint32_t h7_boot_vtor(sim_board *b)
{
    uint32_t boot = ob_get(b, OB_BOOT);
    return (b->spec.boot0 ? boot >> 16 : boot & 0xFFFFu) << 16;
}

/* Reset: both banks locked with PSIZE x64, flags clear, buffers empty; the _PRG registers
 * hold the current option values. */
static void h7_reset(sim_board *b)
{
    h7_state *s = st(b);
    memset(s, 0, sizeof *s);
    s->acr = 0x37; /* LATENCY 7, WRHIGHFREQ 3 (RM0433 FLASH_ACR reset value) */
    s->optcr = OPTCR_OPTLOCK;
    s->optsr_prg = ob_get(b, OB_OPTSR) & ~OPTSR_RO;
    s->boot_prg = ob_get(b, OB_BOOT);
    for (unsigned k = 0; k < 2; k++) {
        s->bank[k].cr = CR_RESET;
        s->bank[k].wpsn_prg = ob_get(b, OB_WPSN + 4 * k);
        s->bank[k].prar_prg = ob_get(b, OB_PRAR + 4 * k);
        s->bank[k].scar_prg = ob_get(b, OB_SCAR + 4 * k);
    }
}

static int h7_create(sim_board *b)
{
    return sim_flash_ctx_new(b, sizeof(h7_state));
}

const sim_flash_model sim_flash_model_h7 = {
    .kind = STP_FLASH_H7,
    .create = h7_create,
    .reset = h7_reset,
    .reg_read = h7_reg_read,
    .reg_write = h7_reg_write,
    .mem_write = h7_mem_write,
    .ob_load = h7_ob_load,
    .ob_default = h7_ob_default,
    .ob_apply_spec = h7_ob_apply_spec,
    .boot_vtor = h7_boot_vtor,
    .ecc_read = h7_ecc_read,
};
