/* Flash driver: STM32L1 (RM0038 section 3 "Flash program memory and data EEPROM") and STM32L0
 * (RM0377/RM0367 section 3: the same interface at 0x40022000, 128-byte pages, 64-byte half
 * pages; the row's flash_regs, layout and timing.block_program_bytes say which).
 * PECR unlocked with PEKEYR then PRGKEYR; page erase by ERASE+PROG and a word write to the
 * page; word programming by plain 32-bit writes, half-page programming with FPRG+PROG.
 * Erased flash reads 0x00. There is no mass erase of program memory that keeps the chip
 * usable (only RDP regression), so "erase all" erases every page. Option bytes are words at
 * 0x1FF80000 written with their complement in the upper half-word, loaded by OBL_LAUNCH. */
#include "target/flash.h"

#include <stdio.h>
#include <string.h>

#define L1_PECR    0x04u
#define L1_PEKEYR  0x0Cu
#define L1_PRGKEYR 0x10u
#define L1_OPTKEYR 0x14u
#define L1_SR      0x18u
#define L1_OBR     0x1Cu
#define L1_WRPR1   0x20u
#define L1_WRPR2   0x80u
#define L1_WRPR3   0x84u
#define L1_WRPR4   0x88u

#define L1_PEKEY1  0x89ABCDEFu
#define L1_PEKEY2  0x02030405u
#define L1_PRGKEY1 0x8C9DAEBFu
#define L1_PRGKEY2 0x13141516u
#define L1_OPTKEY1 0xFBEAD9C8u
#define L1_OPTKEY2 0x24252627u

#define L1_PECR_PELOCK     (1u << 0)
#define L1_PECR_PRGLOCK    (1u << 1)
#define L1_PECR_OPTLOCK    (1u << 2)
#define L1_PECR_PROG       (1u << 3)
#define L1_PECR_ERASE      (1u << 9)
#define L1_PECR_FPRG       (1u << 10)
#define L1_PECR_OBL_LAUNCH (1u << 18)

#define L1_SR_BSY        (1u << 0)
#define L1_SR_EOP        (1u << 1)
#define L1_SR_WRPERR     (1u << 8)
#define L1_SR_PGAERR     (1u << 9)
#define L1_SR_SIZERR     (1u << 10)
#define L1_SR_OPTVERR    (1u << 11)
#define L1_SR_OPTVERRUSR (1u << 12)
#define L1_SR_RDERR      (1u << 13)
#define L0_SR_NOTZEROERR (1u << 16) /* L0 only (reserved, reads 0, on the L1) */
#define L0_SR_FWWERR     (1u << 17)
#define L1_SR_ERRORS                                                                               \
    (L1_SR_WRPERR | L1_SR_PGAERR | L1_SR_SIZERR | L1_SR_OPTVERR | L1_SR_OPTVERRUSR | L1_SR_RDERR | \
     L0_SR_NOTZEROERR | L0_SR_FWWERR)

#define L1_OB_BASE 0x1FF80000u

static const stp_flash_error_bit l1_errors[] = {
    {L1_SR_WRPERR, "WRPERR", "flash.wrp-error", "the address is in a write-protected sector",
     "clear the sector's write protection (stprog option-bytes set wrp-=N)", STP_ERR_PROTECTED},
    {L1_SR_PGAERR, "PGAERR", "flash.alignment-error",
     "the write was not aligned (half-page writes must stay in one half page)", NULL,
     STP_ERR_FLASH},
    {L1_SR_SIZERR, "SIZERR", "flash.size-error",
     "the write had the wrong width (program memory takes words)", NULL, STP_ERR_FLASH},
    {L1_SR_OPTVERR, "OPTVERR", "flash.option-validity-error",
     "an option byte and its complement do not match",
     "rewrite the option bytes (stprog option-bytes set ...)", STP_ERR_FLASH},
    {L1_SR_OPTVERRUSR, "OPTVERRUSR", "flash.option-validity-error",
     "the user option byte and its complement do not match", NULL, STP_ERR_FLASH},
    {L1_SR_RDERR, "RDERR", "flash.read-protection-error",
     "a proprietary-code-protected sector was read", NULL, STP_ERR_PROTECTED},
    {L0_SR_NOTZEROERR, "NOTZEROERR", "flash.programming-error",
     "a word that was not erased (not zero) was programmed; it was left as it was",
     "erase the page first (stprog writes erase what they change)", STP_ERR_FLASH},
    {L0_SR_FWWERR, "FWWERR", "flash.fetch-while-write",
     "the core fetched code from the bank being programmed and the operation was aborted",
     "halt the core while programming (stprog does unless --connect hot-plug)", STP_ERR_FLASH},
};

static uint32_t l1_unit(const stp_flash *f)
{
    (void)f;
    return 4;
}

static stp_status pecr_update(stp_flash *f, uint32_t set, uint32_t clear)
{
    uint32_t pecr = 0;
    stp_status st = stp_flash_reg_read(f, L1_PECR, &pecr);
    if (st == STP_OK)
        st = stp_flash_reg_write(f, L1_PECR, (pecr & ~clear) | set);
    return st;
}

/* Sets the operation bits of PECR in one write, no read: PELOCK, PRGLOCK and OPTLOCK can only
 * be written to 1 (a 0 leaves them as they are; RM0038 FLASH_PECR), and DATA, FTDW and the
 * interrupt enables stay 0 in a session. mode: 0 (word writes), ERASE|PROG (page erase) or
 * FPRG|PROG (half-page programming). */
static stp_status pecr_mode(stp_flash *f, uint32_t mode)
{
    return stp_flash_reg_write(f, L1_PECR, mode);
}

static stp_status l1_unlock(stp_flash *f)
{
    uint32_t pecr = 0;
    stp_status st = stp_flash_reg_read(f, L1_PECR, &pecr);
    if (st == STP_OK && (pecr & L1_PECR_PELOCK)) {
        st = stp_flash_reg_write(f, L1_PEKEYR, L1_PEKEY1);
        if (st == STP_OK)
            st = stp_flash_reg_write(f, L1_PEKEYR, L1_PEKEY2);
        if (st == STP_OK)
            st = stp_flash_reg_read(f, L1_PECR, &pecr);
    }
    if (st == STP_OK && !(pecr & L1_PECR_PELOCK) && (pecr & L1_PECR_PRGLOCK)) {
        st = stp_flash_reg_write(f, L1_PRGKEYR, L1_PRGKEY1);
        if (st == STP_OK)
            st = stp_flash_reg_write(f, L1_PRGKEYR, L1_PRGKEY2);
        if (st == STP_OK)
            st = stp_flash_reg_read(f, L1_PECR, &pecr);
    }
    if (st == STP_OK && (pecr & (L1_PECR_PELOCK | L1_PECR_PRGLOCK))) {
        stp_finding *fd = stp_finding_add(f->findings, "flash.unlock-failed", STP_SEV_ERROR,
                                          "the program memory stayed locked after the keys");
        stp_finding_evidence(fd, "FLASH_PECR", "0x%08X", (unsigned)pecr);
        stp_finding_advice(fd, "a wrong key sequence locks PECR until reset: reset the "
                               "target and retry");
        return STP_ERR_FLASH;
    }
    if (st == STP_OK)
        st = stp_flash_reg_write(f, L1_SR, L1_SR_EOP | L1_SR_ERRORS);
    return st;
}

static stp_status l1_lock(stp_flash *f)
{
    return pecr_update(f, L1_PECR_PELOCK, L1_PECR_PROG | L1_PECR_ERASE | L1_PECR_FPRG);
}

/* ERASE+PROG stay set from one page erase to the next (no erase_end): program_begin and
 * lock clear them. */
static stp_status l1_erase_start(stp_flash *f, const stp_sector *s)
{
    stp_status st = pecr_mode(f, L1_PECR_ERASE | L1_PECR_PROG);
    /* The word write into the page starts the erase; through the register helper (an offset
     * from the flash registers, modulo 2^32) so that a recorded erase sequence holds it. */
    if (st == STP_OK)
        st = stp_flash_reg_write(f, s->addr - f->regs, 0);
    return st;
}

static stp_status l1_program_begin(stp_flash *f)
{
    return pecr_mode(f, 0);
}

static stp_status l1_program_chunk(stp_flash *f, uint32_t addr, const uint8_t *data, uint32_t len)
{
    stp_debug *d = f->dbg;
    uint32_t half = f->chip->timing.block_program_bytes;
    if (half != 0 && len % half == 0 && addr % half == 0) {
        /* Half-pages: FPRG+PROG, then the words of each half page back to back. */
        stp_status st = pecr_mode(f, L1_PECR_FPRG | L1_PECR_PROG);
        for (uint32_t off = 0; st == STP_OK && off < len; off += half) {
            st = d->ops->write_mem(d, addr + off, data + off, half, f->findings);
            if (st == STP_OK)
                st = stp_flash_wait(f, stp_flash_program_deadline_ms(f, half / 4),
                                    "half-page program");
        }
        stp_status cs = pecr_mode(f, 0);
        return st != STP_OK ? st : cs;
    }
    for (uint32_t i = 0; i < len; i += 4) {
        uint32_t w = (uint32_t)data[i] | ((uint32_t)data[i + 1] << 8) |
                     ((uint32_t)data[i + 2] << 16) | ((uint32_t)data[i + 3] << 24);
        stp_status st = d->ops->write_u32(d, addr + i, w, f->findings);
        if (st == STP_OK)
            st = stp_flash_wait(f, stp_flash_program_deadline_ms(f, 1), "program");
        if (st != STP_OK)
            return st;
    }
    return STP_OK;
}

/* The SRAM loader writes whole half-pages: FPRG+PROG stay set between them (RM0038 3.3.4
 * "Half Page programming in program memory"); ERASE must be clear. */
static stp_status l1_loader_block_mode(stp_flash *f, bool on)
{
    return pecr_mode(f, on ? L1_PECR_FPRG | L1_PECR_PROG : 0);
}

/* --- option bytes ---------------------------------------------------------------------- */

static const uint32_t l1_wrpr[4] = {L1_WRPR1, L1_WRPR2, L1_WRPR3, L1_WRPR4};

/* Address of the option word holding WRP bits 16*k .. 16*k+15: WRP1 (two words) after RDP
 * and USER, the rest in the second option block of cat.5/6 (RM0038 "Option byte
 * organisation"). 0 when the device has no such word. */
static uint32_t l1_wrp_word(const stp_chip *c, uint32_t k)
{
    if (k < 2)
        return L1_OB_BASE + 8u + 4u * k;
    if (c->option_bytes2_addr != 0 && (k - 2) * 4u < c->option_bytes2_size)
        return c->option_bytes2_addr + 4u * (k - 2);
    return 0;
}

/* The USER half-word (BOR_LEV[3:0], then IWDG_SW/WDG_SW, nRST_STOP, nRST_STDBY, BFB2, and on
 * the L0 nBOOT1 in bit 15) and bit 8 of the RDP half-word (L1 SPRMOD, L0 WPRMOD): user bits
 * 0-11 are USER bits 4-15, user bit 12 is RDP bit 8 (the family's option table names them). */
#define L1_USER_RDP8 12u

static void l1_decode_user(stp_option_bytes *ob, uint16_t user, uint16_t rdp_half)
{
    uint32_t bor = user & 0xFu;
    ob->bor_level = bor < 8 ? 0 : (int)(bor - 7);
    ob->user = (uint32_t)(user >> 4) | (uint32_t)((rdp_half >> 8) & 1u) << L1_USER_RDP8;
}

static stp_status l1_read_options(stp_flash *f, stp_option_bytes *ob)
{
    uint32_t obr = 0;
    stp_status st = stp_flash_reg_read(f, L1_OBR, &obr);
    if (st != STP_OK)
        return st;
    uint32_t granule = f->chip->wrp_granule ? f->chip->wrp_granule : 4096;
    uint32_t bits = (f->flash_kb * 1024u + granule - 1) / granule;
    if (bits > 128)
        bits = 128;
    ob->wrp_bits = bits;
    ob->wrp_granule = granule;
    ob->raw[0] = obr;
    ob->raw_count = 1;
    for (uint32_t r = 0; r < 4 && r * 32 < bits && st == STP_OK; r++) {
        uint32_t w = 0;
        st = stp_flash_reg_read(f, l1_wrpr[r], &w);
        if (ob->raw_count < sizeof(ob->raw) / sizeof(ob->raw[0]))
            ob->raw[ob->raw_count++] = w;
        for (uint32_t i = 0; i < 32 && r * 32 + i < bits; i++)
            stp_option_wrp_set(ob, r * 32 + i, (w >> i) & 1u); /* 1 = protected */
    }
    ob->rdp_raw = (uint8_t)(obr & 0xFFu);
    ob->rdp_level = ob->rdp_raw == 0xAA ? 0 : (ob->rdp_raw == 0xCC ? 2 : 1);
    l1_decode_user(ob, (uint16_t)(obr >> 16), (uint16_t)obr);
    ob->has_dual_bank = false;
    return st;
}

static stp_status l1_write_word(stp_flash *f, uint32_t addr, uint16_t value, uint32_t deadline)
{
    uint32_t w = (uint32_t)value | ((uint32_t)(uint16_t)~value << 16);
    stp_status st = f->dbg->ops->write_u32(f->dbg, addr, w, f->findings);
    if (st == STP_OK)
        st = stp_flash_wait(f, deadline, "option-byte write");
    return st;
}

static stp_status l1_write_options(stp_flash *f, const stp_option_bytes *ob)
{
    stp_status st = stp_flash_reg_write(f, L1_OPTKEYR, L1_OPTKEY1);
    if (st == STP_OK)
        st = stp_flash_reg_write(f, L1_OPTKEYR, L1_OPTKEY2);
    uint8_t rdp = ob->rdp_level == 0 ? 0xAA : (ob->rdp_level == 2 ? 0xCC : 0x55);
    if (ob->rdp_level == 1 && ob->rdp_raw != 0xAA && ob->rdp_raw != 0xCC)
        rdp = ob->rdp_raw;
    uint32_t bor = ob->bor_level <= 0 ? 0 : (uint32_t)ob->bor_level + 7;
    uint16_t user = (uint16_t)((bor & 0xFu) | ((ob->user & 0xFFFu) << 4));
    uint16_t rdp_half = (uint16_t)(rdp | ((ob->user >> L1_USER_RDP8) & 1u) << 8);
    const uint32_t word_ms = stp_flash_erase_deadline_ms(f, f->chip->timing.erase[0].sector_size);
    if (st == STP_OK)
        st = l1_write_word(f, L1_OB_BASE + 0x04, user, word_ms);
    for (uint32_t k = 0; st == STP_OK && k * 16 < ob->wrp_bits; k++) {
        uint32_t addr = l1_wrp_word(f->chip, k);
        if (addr == 0)
            break;
        uint16_t v = 0;
        for (uint32_t i = 0; i < 16; i++) {
            if (stp_option_wrp_get(ob, k * 16 + i))
                v |= (uint16_t)(1u << i);
        }
        st = l1_write_word(f, addr, v, word_ms);
    }
    /* RDP last: leaving level 1 erases the whole program memory meanwhile. */
    if (st == STP_OK)
        st = l1_write_word(f, L1_OB_BASE, rdp_half, stp_flash_mass_erase_deadline_ms(f));
    if (st == STP_OK) {
        /* Load the new values; the chip resets, the debug port stays. */
        (void)pecr_update(f, L1_PECR_OBL_LAUNCH, 0);
        f->dbg->ops->delay_ms(f->dbg, 10);
    }
    return st;
}

static stp_status l1_option_set(const stp_flash *f, stp_option_bytes *ob, const char *key,
                                const char *value, stp_findings *findings)
{
    stp_status st;
    if (stp_option_set_common(f, ob, key, value, findings, &st))
        return st;
    if (stp_option_set_user(f, ob, key, value))
        return STP_OK;
    uint32_t v = 0;
    if (stp_parse_u32(value, &v) && strcmp(key, "bor") == 0 && v <= 5) {
        ob->bor_level = (int)v;
        return STP_OK;
    }
    return stp_option_unknown_key(f, key, value, "bor=0..5", findings);
}

/* The option words as mapped at 0x1FF80000 (RM0038 3.8.1, RM0377 3.4), each a half-word and
 * its complement: RDP (low byte; SPRMOD/WPRMOD bit 8), USER, WRP1, WRP2; WRP3/WRP4 in the
 * second block (b2) of the larger parts (L0 cat. 5: WRPROT2 right after, at 0x1FF80010). WRP bits
 * are active high, one per wrp_granule bytes. */
static void l1_decode_mapped(const stp_flash *f, const uint8_t *b, const uint8_t *b2,
                             stp_option_bytes *ob)
{
    ob->rdp_raw = b[0];
    ob->rdp_level = b[0] == 0xAA ? 0 : (b[0] == 0xCC ? 2 : 1);
    l1_decode_user(ob, (uint16_t)(b[4] | b[5] << 8), (uint16_t)(b[0] | b[1] << 8));
    uint32_t granule = f->chip->wrp_granule ? f->chip->wrp_granule : 4096;
    uint32_t bits = (f->flash_kb * 1024u + granule - 1) / granule;
    uint32_t halves = b2 != NULL ? 2u + f->chip->option_bytes2_size / 4u : 2u;
    if (bits > 16u * halves)
        bits = 16u * halves;
    ob->wrp_bits = bits;
    ob->wrp_granule = granule;
    for (uint32_t i = 0; i < bits; i++) {
        uint32_t k = i / 16; /* WRP(k+1) */
        const uint8_t *w = k < 2 ? b + 8 + 4 * k : b2 + 4 * (k - 2);
        uint16_t v = (uint16_t)(w[0] | w[1] << 8);
        stp_option_wrp_set(ob, i, ((v >> (i % 16)) & 1u) != 0);
    }
    ob->has_dual_bank = false;
}

const stp_flash_driver stp_flash_l1 = {
    .kind = STP_FLASH_L1,
    .name = "L1",
    .erased_byte = 0x00,
    .sr_offset = L1_SR,
    .busy_mask = L1_SR_BSY,
    .eop_mask = L1_SR_EOP,
    .errors = l1_errors,
    .error_count = sizeof(l1_errors) / sizeof(l1_errors[0]),
    .has_psize = false,
    .chunk_max = 128,
    .program_unit = l1_unit,
    .unlock = l1_unlock,
    .lock = l1_lock,
    .erase_start = l1_erase_start,
    .mass_erase_start = NULL, /* no program-memory mass erase: page by page */
    .erase_end = NULL,        /* ERASE+PROG kept for the next page */
    .program_begin = l1_program_begin,
    .program_end = l1_program_begin,
    .program_chunk = l1_program_chunk,
    .loader_block_mode = l1_loader_block_mode,
    .read_options = l1_read_options,
    .decode_mapped_options = l1_decode_mapped,
    .write_options = l1_write_options,
    .detect_dual_bank = NULL,
    .option_fields = stp_option_user_fields,
    .option_set = l1_option_set,
};
