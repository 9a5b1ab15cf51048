/* Flash driver: STM32H7 (RM0433 rev 7 section 4 "Embedded flash memory (FLASH)" for
 * H742/H743/H750/H753; RM0468 for H72x/H73x; RM0455 for H7A3/H7B0/H7B3).
 *
 * Each bank has its own register set (bank 1 at 0x52002000, bank 2 at +0x100): KEYR, CR
 * (LOCK 0, PG 1, SER 2, BER 3, PSIZE 5:4, FW 6, START 7, SNB 10:8), SR (BSY 0, WBNE 1, QW 2,
 * CRC_BUSY 3, EOP 16, WRPERR 17, PGSERR 18, STRBERR 19, INCERR 21, OPERR 22, RDPERR 23,
 * RDSERR 24, SNECCERR 25, DBECCERR 26, CRCEND 27, CRCRDERR 28) and CCR, whose 1s clear the
 * SR flags at the same bits. The option registers are shared: OPTKEYR 0x08, OPTCR 0x18
 * (OPTLOCK 0, OPTSTART 1, MER 4: both banks, SWAP_BANK 31), OPTSR_CUR 0x1C / OPTSR_PRG 0x20
 * (OPT_BUSY 0, BOR_LEV 3:2, IWDG1_SW 4, NRST_STOP_D1 6, NRST_STBY_D1 7, RDP 15:8, ...,
 * OPTCHANGEERR 30, SWAP_BANK_OPT 31), OPTCCR 0x24, WPSN_CUR 0x38 / WPSN_PRG 0x3C (bit n:
 * sector n of the bank not write-protected; bank 2 at +0x100), BOOT_CUR 0x40 / BOOT_PRG 0x44
 * (BOOT_ADD0 15:0, BOOT_ADD1 31:16, address bits 31:16). Positions checked against OpenOCD's
 * stm32h7x.c and the stm32-rs H7 SVD (both taken from these manuals).
 *
 * Programming goes through a write buffer of one flash word (chip->flash_word_bytes: 256
 * bits, 32 bytes): with PG set, the word's bytes written in any width and order fill it, and
 * the last one starts the programming (QW, then BSY); the engine and the loader write whole
 * words, eight 32-bit stores back to back, and wait for QW and BSY to clear. PSIZE sets the
 * parallelism (x8..x64: time and current), not the access width. Sector erase: SER + SNB +
 * PSIZE, then START; a bank: BER, then START; both banks: OPTCR.MER. Option bytes: OPTKEYR
 * unlocks OPTCR, the _PRG registers take the new values, OPTSTART programs them and OPT_BUSY
 * says when the _CUR registers hold them (no reset needed); OPTCHANGEERR says it failed.
 * Leaving RDP level 1 for 0 erases both banks first (OPT_BUSY for the whole mass erase). */
#include "target/flash.h"

#include <stdio.h>
#include <string.h>

#define H7_KEYR      0x04u
#define H7_OPTKEYR   0x08u
#define H7_CR        0x0Cu
#define H7_SR        0x10u
#define H7_CCR       0x14u
#define H7_OPTCR     0x18u
#define H7_OPTSR_CUR 0x1Cu
#define H7_OPTSR_PRG 0x20u
#define H7_OPTCCR    0x24u
#define H7_WPSN_CUR  0x38u
#define H7_WPSN_PRG  0x3Cu
#define H7_BOOT_CUR  0x40u
#define H7_BOOT_PRG  0x44u
#define H7_FAR       0x60u /* FLASH_ECC_FA1R (bank 2: FA2R at +0x100) */

#define H7_OPTKEY1 0x08192A3Bu
#define H7_OPTKEY2 0x4C5D6E7Fu

#define H7_CR_LOCK        (1u << 0)
#define H7_CR_PG          (1u << 1)
#define H7_CR_SER         (1u << 2)
#define H7_CR_BER         (1u << 3)
#define H7_CR_PSIZE_SHIFT 4
#define H7_CR_START       (1u << 7)
#define H7_CR_SNB_SHIFT   8

#define H7_SR_BSY      (1u << 0)
#define H7_SR_QW       (1u << 2)
#define H7_SR_EOP      (1u << 16)
#define H7_SR_WRPERR   (1u << 17)
#define H7_SR_PGSERR   (1u << 18)
#define H7_SR_STRBERR  (1u << 19)
#define H7_SR_INCERR   (1u << 21)
#define H7_SR_OPERR    (1u << 22)
#define H7_SR_RDPERR   (1u << 23)
#define H7_SR_RDSERR   (1u << 24)
#define H7_SR_SNECCERR (1u << 25)
#define H7_SR_DBECCERR (1u << 26)
#define H7_SR_CRCRDERR (1u << 28)

#define H7_OPTCR_OPTLOCK  (1u << 0)
#define H7_OPTCR_OPTSTART (1u << 1)
#define H7_OPTCR_MER      (1u << 4)

#define H7_OPTSR_BUSY         (1u << 0)
#define H7_OPTSR_RDP_SHIFT    8
#define H7_OPTSR_RDP_MASK     (0xFFu << 8)
#define H7_OPTSR_CHANGEERR    (1u << 30)
#define H7_OPTSR_READ_ONLY    (H7_OPTSR_BUSY | (1u << 1) | H7_OPTSR_CHANGEERR)
#define H7_OPTCCR_CLR_CHANGEE (1u << 30)

static const stp_flash_error_bit h7_errors[] = {
    {H7_SR_WRPERR, "WRPERR", "flash.wrp-error",
     "the sector is write-protected (or the chip is read-protected)",
     "clear the sector's write protection (stprog option-bytes set wrp-=N)", STP_ERR_PROTECTED},
    {H7_SR_PGSERR, "PGSERR", "flash.programming-sequence-error",
     "the controller saw a write without PG, or an operation started while an error flag was "
     "still set",
     "another master (running firmware, DMA) may be touching the flash: connect under reset",
     STP_ERR_FLASH},
    {H7_SR_STRBERR, "STRBERR", "flash.strobe-error",
     "a byte of the flash word's write buffer was written twice before the word was programmed",
     NULL, STP_ERR_FLASH},
    {H7_SR_INCERR, "INCERR", "flash.inconsistency-error",
     "a write went to another flash word before the buffered one was complete", NULL,
     STP_ERR_FLASH},
    {H7_SR_OPERR, "OPERR", "flash.operation-error", "the operation failed inside the flash",
     "repeated operation errors on one sector point at worn flash", STP_ERR_FLASH},
    {H7_SR_RDPERR, "RDPERR", "flash.read-protection-error",
     "a PCROP-protected area was read or erased", NULL, STP_ERR_PROTECTED},
    {H7_SR_RDSERR, "RDSERR", "flash.read-protection-error", "a secure-only area was read or erased",
     NULL, STP_ERR_PROTECTED},
};

/* Banks that hold flash on this part (an H750's 128 KiB are all in bank 1). */
static unsigned banks(const stp_flash *f)
{
    stp_sector last;
    uint32_t end = f->chip->flash_base + f->flash_kb * 1024u - 1u;
    if (stp_flash_reg_sets(f) < 2 || !stp_chip_sector_at(f->chip, f->flash_kb, false, end, &last))
        return 1;
    return last.bank + 1u;
}

static uint32_t h7_unit(const stp_flash *f)
{
    return f->chip->flash_word_bytes ? f->chip->flash_word_bytes : 32u;
}

static uint32_t psize_bits(const stp_flash *f)
{
    return (uint32_t)f->psize << H7_CR_PSIZE_SHIFT;
}

static uint32_t status_flags(void)
{
    uint32_t all = H7_SR_EOP | H7_SR_SNECCERR | H7_SR_DBECCERR | H7_SR_CRCRDERR;
    for (size_t i = 0; i < sizeof(h7_errors) / sizeof(h7_errors[0]); i++)
        all |= h7_errors[i].mask;
    return all;
}

static stp_status h7_unlock(stp_flash *f)
{
    stp_status st = STP_OK;
    for (unsigned b = 0; st == STP_OK && b < banks(f); b++) {
        uint32_t r = stp_flash_bank_regs(f, b);
        st = stp_flash_unlock_keys(f, r + H7_CR, H7_CR_LOCK, r + H7_KEYR, r + H7_CCR,
                                   status_flags());
    }
    return st;
}

/* LOCK set alone: the other CR bits keep their values (RM0433 FLASH_CR "LOCK"). */
static stp_status h7_lock(stp_flash *f)
{
    stp_status st = STP_OK;
    for (unsigned b = 0; b < banks(f); b++) {
        stp_status s = stp_flash_reg_write(f, stp_flash_bank_regs(f, b) + H7_CR, H7_CR_LOCK);
        if (st == STP_OK)
            st = s;
    }
    return st;
}

static stp_status start(stp_flash *f, unsigned bank, uint32_t cr)
{
    uint32_t r = stp_flash_bank_regs(f, bank) + H7_CR;
    stp_status st = stp_flash_reg_write(f, r, cr);
    if (st == STP_OK)
        st = stp_flash_reg_write(f, r, cr | H7_CR_START);
    return st;
}

static stp_status h7_erase_start(stp_flash *f, const stp_sector *s)
{
    const stp_flash_layout *lay = &f->chip->layout;
    uint32_t first = s->bank < lay->bank_count ? lay->banks[s->bank].first_sector_number : 0;
    uint32_t snb = ((uint32_t)s->number - first) & 7u;
    return start(f, s->bank, H7_CR_SER | psize_bits(f) | snb << H7_CR_SNB_SHIFT);
}

/* One bank: BER in its CR. Both: OPTCR.MER, which erases the two banks at once (RM0433 4.3.10
 * "Flash mass erase"), with each bank's PSIZE. */
static stp_status h7_mass_erase_start(stp_flash *f, int bank)
{
    if (bank >= 0 || banks(f) < 2)
        return start(f, bank > 0 ? (unsigned)bank : 0u, H7_CR_BER | psize_bits(f));
    stp_status st = STP_OK;
    for (unsigned b = 0; st == STP_OK && b < banks(f); b++)
        st = stp_flash_reg_write(f, stp_flash_bank_regs(f, b) + H7_CR, psize_bits(f));
    if (st == STP_OK)
        st = stp_flash_reg_write(f, H7_OPTCR, H7_OPTCR_MER);
    return st;
}

/* CR back to its idle value (PSIZE only) in every bank: after an erase (SER/BER) and after
 * programming (PG). */
static stp_status h7_cr_idle(stp_flash *f)
{
    stp_status st = STP_OK;
    for (unsigned b = 0; st == STP_OK && b < banks(f); b++)
        st = stp_flash_reg_write(f, stp_flash_bank_regs(f, b) + H7_CR, psize_bits(f));
    return st;
}

static stp_status h7_program_begin(stp_flash *f)
{
    stp_status st = STP_OK;
    for (unsigned b = 0; st == STP_OK && b < banks(f); b++)
        st = stp_flash_reg_write(f, stp_flash_bank_regs(f, b) + H7_CR, H7_CR_PG | psize_bits(f));
    return st;
}

/* Whole flash words, as 32-bit stores: the last store of a word starts it, the next word's
 * first store stalls the bus until the buffer is free again. */
static stp_status h7_program_chunk(stp_flash *f, uint32_t addr, const uint8_t *data, uint32_t len)
{
    return f->dbg->ops->write_mem(f->dbg, addr, data, len, f->findings);
}

/* --- ECC ------------------------------------------------------------------------------- */

/* Each bank's SNECCERR/DBECCERR with its FLASH_ECC_FAR (the flash word's number in the bank,
 * latched by the first error), cleared through CCR (which clears FAR too). */
static stp_status h7_ecc_take(stp_flash *f, stp_flash_ecc *out, size_t *n)
{
    *n = 0;
    uint32_t mask = (1u << f->chip->fam->ecc_addr_bits) - 1u;
    for (unsigned b = 0; b < banks(f) && *n < STP_FLASH_ECC_MAX; b++) {
        uint32_t r = stp_flash_bank_regs(f, b), sr = 0, far = 0;
        stp_status st = stp_flash_reg_read(f, r + H7_SR, &sr);
        uint32_t ecc = sr & (H7_SR_SNECCERR | H7_SR_DBECCERR);
        if (st == STP_OK && ecc)
            st = stp_flash_reg_read(f, r + H7_FAR, &far);
        if (st == STP_OK && ecc)
            st = stp_flash_reg_write(f, r + H7_CCR, ecc);
        if (st != STP_OK)
            return st;
        if (ecc)
            out[(*n)++] = (stp_flash_ecc){
                .dbl = (ecc & H7_SR_DBECCERR) != 0, .bank = b, .offset = (far & mask) * h7_unit(f)};
    }
    return STP_OK;
}

/* --- option bytes ---------------------------------------------------------------------- */

static uint32_t sectors_per_bank(const stp_flash *f)
{
    return f->chip->layout.banks[0].runs[0].count;
}

static stp_status h7_read_options(stp_flash *f, stp_option_bytes *ob)
{
    uint32_t optsr = 0, boot = 0, wpsn[2] = {0xFFFFFFFFu, 0xFFFFFFFFu};
    stp_status st = stp_flash_reg_read(f, H7_OPTSR_CUR, &optsr);
    if (st == STP_OK)
        st = stp_flash_reg_read(f, H7_BOOT_CUR, &boot);
    for (unsigned b = 0; st == STP_OK && b < banks(f); b++)
        st = stp_flash_reg_read(f, stp_flash_bank_regs(f, b) + H7_WPSN_CUR, &wpsn[b]);
    if (st != STP_OK)
        return st;
    size_t n = stp_chip_sectors(f->chip, f->flash_kb, false, NULL, 0);
    ob->raw[0] = optsr;
    ob->raw[1] = boot;
    ob->raw[2] = wpsn[0];
    ob->raw[3] = wpsn[1];
    ob->raw_count = banks(f) > 1 ? 4 : 3;
    ob->rdp_raw = (uint8_t)((optsr & H7_OPTSR_RDP_MASK) >> H7_OPTSR_RDP_SHIFT);
    ob->rdp_level = stp_flash_rdp_level(ob->rdp_raw);
    ob->bor_level = -1; /* BOR_LEV is a field of the family's table */
    ob->user = optsr & ~(H7_OPTSR_RDP_MASK | H7_OPTSR_READ_ONLY);
    ob->wrp_granule = 0;
    ob->wrp_bits = (uint32_t)n;
    uint32_t per = sectors_per_bank(f);
    for (uint32_t i = 0; i < ob->wrp_bits; i++)
        stp_option_wrp_set(ob, i, ((wpsn[i / per] >> (i % per)) & 1u) == 0); /* 0: protected */
    ob->has_boot_addr = true;
    ob->boot_add0 = (uint16_t)(boot & 0xFFFFu);
    ob->boot_add1 = (uint16_t)(boot >> 16);
    return STP_OK;
}

/* OPT_BUSY, polled on the probe's clock with the deadline of what the change does (a mass
 * erase when RDP goes from 1 to 0). */
static stp_status wait_opt_busy(stp_flash *f, uint32_t deadline_ms, uint32_t *optsr)
{
    stp_debug *d = f->dbg;
    uint64_t t0 = d->ops->now_ms(d);
    for (uint64_t polls = 0;; polls++) {
        stp_status st = stp_flash_reg_read(f, H7_OPTSR_CUR, optsr);
        if (st != STP_OK)
            return st;
        if (!(*optsr & H7_OPTSR_BUSY))
            return STP_OK;
        uint64_t waited = d->ops->now_ms(d) - t0;
        if ((waited > deadline_ms && polls >= deadline_ms) ||
            polls > (uint64_t)deadline_ms * 4 + 100) {
            stp_finding *fd = stp_finding_add(f->findings, "flash.timeout", STP_SEV_ERROR,
                                              "the option bytes were still being programmed %llu "
                                              "ms after OPTSTART (allowed %u ms)",
                                              (unsigned long long)waited, (unsigned)deadline_ms);
            stp_finding_evidence(fd, "operation", "option-byte write");
            stp_finding_evidence(fd, "FLASH_OPTSR_CUR", "0x%08X", (unsigned)*optsr);
            stp_finding_advice(fd, "run `stprog doctor`");
            return STP_ERR_TIMEOUT;
        }
        d->ops->delay_ms(d, polls < 10 ? 1 : 10);
    }
}

static stp_status h7_write_options(stp_flash *f, const stp_option_bytes *ob)
{
    uint32_t optcr = 0, cur = 0;
    stp_status st = stp_flash_reg_read(f, H7_OPTCR, &optcr);
    if (st == STP_OK)
        st = stp_flash_reg_read(f, H7_OPTSR_CUR, &cur);
    if (st == STP_OK && (optcr & H7_OPTCR_OPTLOCK)) {
        st = stp_flash_reg_write(f, H7_OPTKEYR, H7_OPTKEY1);
        if (st == STP_OK)
            st = stp_flash_reg_write(f, H7_OPTKEYR, H7_OPTKEY2);
        if (st == STP_OK)
            st = stp_flash_reg_read(f, H7_OPTCR, &optcr);
        if (st == STP_OK && (optcr & H7_OPTCR_OPTLOCK)) {
            stp_finding *fd = stp_finding_add(f->findings, "flash.unlock-failed", STP_SEV_ERROR,
                                              "FLASH_OPTCR stayed locked after the option keys");
            stp_finding_evidence(fd, "FLASH_OPTCR", "0x%08X", (unsigned)optcr);
            stp_finding_advice(fd, "a wrong key sequence locks it until reset: reset the "
                                   "target and retry");
            return STP_ERR_FLASH;
        }
    }
    if (st != STP_OK)
        return st;
    uint8_t old_rdp = (uint8_t)((cur & H7_OPTSR_RDP_MASK) >> H7_OPTSR_RDP_SHIFT);
    uint8_t rdp = stp_flash_rdp_raw(ob->rdp_level, ob->rdp_raw);
    uint32_t prg = (ob->user & ~(H7_OPTSR_RDP_MASK | H7_OPTSR_READ_ONLY)) |
                   (uint32_t)rdp << H7_OPTSR_RDP_SHIFT;
    uint32_t per = sectors_per_bank(f);
    for (unsigned b = 0; st == STP_OK && b < banks(f); b++) {
        uint32_t wpsn = 0xFFu;
        for (uint32_t i = 0; i < per; i++) {
            if (b * per + i < ob->wrp_bits && stp_option_wrp_get(ob, b * per + i))
                wpsn &= ~(1u << i);
        }
        st = stp_flash_reg_write(f, stp_flash_bank_regs(f, b) + H7_WPSN_PRG, wpsn);
    }
    if (st == STP_OK)
        st = stp_flash_reg_write(f, H7_BOOT_PRG,
                                 (uint32_t)ob->boot_add0 | (uint32_t)ob->boot_add1 << 16);
    if (st == STP_OK)
        st = stp_flash_reg_write(f, H7_OPTSR_PRG, prg);
    if (st == STP_OK)
        st = stp_flash_reg_write(f, H7_OPTCCR, H7_OPTCCR_CLR_CHANGEE);
    if (st == STP_OK)
        st = stp_flash_reg_write(f, H7_OPTCR, H7_OPTCR_OPTSTART);
    /* Leaving level 1 erases both banks before the new values take effect. */
    uint32_t deadline = stp_flash_erase_deadline_ms(f, f->chip->layout.banks[0].runs[0].size);
    if (stp_flash_rdp_level(old_rdp) == 1 && rdp == 0xAA)
        deadline += stp_flash_mass_erase_deadline_ms(f);
    uint32_t optsr = 0;
    if (st == STP_OK)
        st = wait_opt_busy(f, deadline, &optsr);
    if (st == STP_OK && (optsr & H7_OPTSR_CHANGEERR)) {
        stp_finding *fd =
            stp_finding_add(f->findings, "option.change-error", STP_SEV_ERROR,
                            "the option bytes were not changed (FLASH_OPTSR_CUR.OPTCHANGEERR)");
        stp_finding_evidence(fd, "FLASH_OPTSR_CUR", "0x%08X", (unsigned)optsr);
        stp_finding_evidence(fd, "requested_OPTSR_PRG", "0x%08X", (unsigned)prg);
        stp_finding_advice(fd, "the controller refused the change: a level-2 chip or a change the "
                               "current protection forbids (PCROP/secure areas only shrink with a "
                               "regression to level 0)");
        (void)stp_flash_reg_write(f, H7_OPTCCR, H7_OPTCCR_CLR_CHANGEE);
        st = STP_ERR_FLASH;
    }
    stp_status ls = stp_flash_reg_write(f, H7_OPTCR, H7_OPTCR_OPTLOCK);
    return st != STP_OK ? st : ls;
}

static size_t h7_option_fields(const stp_flash *f, const stp_option_bytes *ob,
                               stp_option_field *out, size_t max)
{
    return stp_option_boot_fields(ob, 16, out, stp_option_user_fields(f, ob, out, max), max);
}

static stp_status h7_option_set(const stp_flash *f, stp_option_bytes *ob, const char *key,
                                const char *value, stp_findings *findings)
{
    stp_status st;
    if (stp_option_set_common(f, ob, key, value, findings, &st))
        return st;
    if (stp_option_set_user(f, ob, key, value) || stp_option_set_boot(ob, key, value))
        return STP_OK;
    return stp_option_unknown_key(f, key, value, "boot_add0, boot_add1", findings);
}

const stp_flash_driver stp_flash_h7 = {
    .kind = STP_FLASH_H7,
    .name = "H7",
    .erased_byte = 0xFF,
    .sr_offset = H7_SR,
    .sr_clear_offset = H7_CCR,
    .busy_mask = H7_SR_BSY | H7_SR_QW,
    .eop_mask = H7_SR_EOP,
    .errors = h7_errors,
    .error_count = sizeof(h7_errors) / sizeof(h7_errors[0]),
    .has_psize = true,
    .chunk_max = 256, /* at most; the stall each word causes limits it (stalls_per_unit) */
    .stalls_per_unit = true,
    .chunks_per_check = 8,
    .program_unit = h7_unit,
    .unlock = h7_unlock,
    .lock = h7_lock,
    .erase_start = h7_erase_start,
    .mass_erase_start = h7_mass_erase_start,
    .erase_end = h7_cr_idle,
    .program_begin = h7_program_begin,
    .program_end = h7_cr_idle,
    .program_chunk = h7_program_chunk,
    .read_options = h7_read_options,
    .write_options = h7_write_options,
    .option_fields = h7_option_fields,
    .option_set = h7_option_set,
    .ecc_take = h7_ecc_take,
};
