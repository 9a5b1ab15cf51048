/* Unit tests: every row of the chip database is internally consistent. A failure message
 * names the device ID, so a bad new row is found at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "chipdb/chipdb.h"

#define MAX_SECTORS 4096

static stp_sector sectors[MAX_SECTORS];

static bool nonempty(const char *s)
{
    return s && s[0] != '\0';
}

static bool is_pow2(uint32_t v)
{
    return v && (v & (v - 1)) == 0;
}

static void fail_row(const stp_chip *c, const char *what)
{
    print_error("row 0x%03X (%s): %s\n", c->dev_id, c->name ? c->name : "?", what);
    fail();
}

#define CHECK(c, cond)                                                                             \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fail_row((c), #cond);                                                                  \
    } while (0)

static void test_table_not_empty_and_ids_unique(void **state)
{
    (void)state;
    assert_true(stp_chip_count() >= 25);
    assert_null(stp_chip_at(stp_chip_count()));
    for (size_t i = 0; i < stp_chip_count(); i++) {
        const stp_chip *c = stp_chip_at(i);
        assert_non_null(c);
        assert_ptr_equal(stp_chip_by_dev_id(c->dev_id), c);
        for (size_t j = i + 1; j < stp_chip_count(); j++)
            CHECK(c, stp_chip_at(j)->dev_id != c->dev_id);
    }
}

static void test_names_and_sources(void **state)
{
    (void)state;
    for (size_t i = 0; i < stp_chip_count(); i++) {
        const stp_chip *c = stp_chip_at(i);
        CHECK(c, nonempty(c->name));
        CHECK(c, nonempty(c->family));
        CHECK(c, strncmp(c->reference_manual, "RM0", 3) == 0);
        CHECK(c, strstr(c->reference_manual, " rev ") != NULL);
        CHECK(c, strncmp(c->datasheet, "DS", 2) == 0);
        CHECK(c, strstr(c->datasheet, " rev ") != NULL);
        CHECK(c, strncmp(c->bootloader_doc, "AN2606 rev ", 11) == 0);
        CHECK(c, nonempty(c->bootloader_usart));
        CHECK(c, strcmp(stp_core_name(c->core), "unknown") != 0);
        CHECK(c, strcmp(stp_flash_kind_name(c->flash_kind), "unknown") != 0);
    }
}

static void test_addresses(void **state)
{
    (void)state;
    for (size_t i = 0; i < stp_chip_count(); i++) {
        const stp_chip *c = stp_chip_at(i);
        /* DBGMCU_IDCODE: on the APB for M0/M0+ parts, in the PPB otherwise (H7 and the
         * M33 parts keep it elsewhere: allowed for rows to come) */
        bool m0 = c->core == STP_CORE_M0 || c->core == STP_CORE_M0P;
        if (m0)
            CHECK(c, c->idcode_addr == 0x40015800u);
        else
            CHECK(c, c->idcode_addr == 0xE0042000u || c->idcode_addr == 0x5C001000u ||
                         c->idcode_addr == 0xE0044000u);
        CHECK(c, c->flash_base == 0x08000000u);
        CHECK(c, c->flash_regs != 0 && c->flash_regs % 0x400 == 0);
        CHECK(c, c->flash_regs2 == 0 || c->flash_regs2 % 4 == 0);
        CHECK(c, c->flash_size_reg != 0 && c->flash_size_reg % 2 == 0);
        CHECK(c, c->sram_base == 0x20000000u);
        CHECK(c, c->sram_size >= 2048 && c->sram_size % 1024 == 0); /* L011: 2 KiB */
        /* H7: the option bytes are only in the option registers, not mapped */
        CHECK(c, c->option_bytes_addr % 4 == 0 &&
                     (c->option_bytes_addr != 0) == (c->flash_kind != STP_FLASH_H7));
        CHECK(c, c->option_bytes_size >= 16 && c->option_bytes_size % 8 == 0);
        CHECK(c, (c->option_bytes2_addr == 0) == (c->option_bytes2_size == 0));
        CHECK(c, c->uid_addr != 0 && c->uid_addr % 4 == 0);
        CHECK(c, c->uid_word2_offset == 8 || c->uid_word2_offset == 0x14);
        /* system memory starts on a 1 KiB boundary (F0: 0x1FFFEC00, 0x1FFFC400; AN2606) */
        CHECK(c, c->bootloader_addr >= 0x1FF00000u && c->bootloader_addr % 0x400 == 0);
        CHECK(c, c->bootloader_version >= 0x10);
        /* system memory and option bytes lie outside the main flash */
        CHECK(c, c->bootloader_addr >= c->flash_base + stp_chip_max_flash_kb(c) * 1024u);
        CHECK(c, c->vdd_min_mv >= 1600 && c->vdd_min_mv < c->vdd_max_mv);
        CHECK(c, c->vdd_max_mv == 3600);
        CHECK(c, c->reset_clock_hz >= 1000000);
        CHECK(c, c->erased_value == (c->flash_kind == STP_FLASH_L1 ? 0x00 : 0xFF));
        /* supply currents (the virtual board's weak supply): datasheet-sized, tens to
         * hundreds of uA per MHz, 0.5 to 20 mA while the flash works */
        CHECK(c, c->run_ua_per_mhz >= 50 && c->run_ua_per_mhz <= 1000);
        CHECK(c, c->flash_op_ua >= 500 && c->flash_op_ua <= 20000);
    }
}

/* Every row points to its family's row, and the family facts are there with their source:
 * the host and the virtual board read them instead of branching on the family. */
static void test_family_rows(void **state)
{
    (void)state;
    for (size_t i = 0; i < stp_chip_count(); i++) {
        const stp_chip *c = stp_chip_at(i);
        const stp_family *f = c->fam;
        CHECK(c, f != NULL);
        if (f == NULL)
            continue;
        CHECK(c, nonempty(f->source) && strncmp(f->source, "RM0", 3) == 0);
        CHECK(c, f->rcc_base == 0x40021000u || f->rcc_base == 0x40023800u ||
                     f->rcc_base == 0x58024400u);
        CHECK(c, f->rcc_csr_off != 0 && f->rcc_csr_off % 4 == 0 && f->rcc_csr_off < 0x100);
        CHECK(c, f->csr_rmvf == 1u << 24 || f->csr_rmvf == 1u << 23 || f->csr_rmvf == 1u << 16);
        CHECK(c, (f->csr_borrstf & f->csr_oblrstf) == 0);
        /* every reset flag is one bit of the flag mask, and no two share it */
        const uint32_t flags[] = {f->csr_borrstf,  f->csr_oblrstf, f->csr_pinrstf,
                                  f->csr_porrstf,  f->csr_sftrstf, f->csr_iwdgrstf,
                                  f->csr_wwdgrstf, f->csr_lpwrrstf};
        uint32_t seen = 0;
        for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++) {
            CHECK(c, (flags[k] & (flags[k] - 1u)) == 0 && (flags[k] & ~f->csr_flags) == 0);
            CHECK(c, (seen & flags[k]) == 0);
            seen |= flags[k];
        }
        CHECK(c, f->csr_pinrstf && f->csr_iwdgrstf && (f->csr_flags & f->csr_rmvf) == 0);
        CHECK(c, f->iwdg_base == 0x40003000u || f->iwdg_base == 0x58004800u);
        CHECK(c, f->crc_base != 0 && f->crc_en_off != 0 && f->crc_en_bit < 32);
        CHECK(c, f->wdg_freeze_off == 4 || f->wdg_freeze_off == 8 || f->wdg_freeze_off == 0x54);
        CHECK(c, f->wdg_freeze_bit < 32);
        CHECK(c, (f->dbgmcu_clk_reg == 0) == (f->dbgmcu_clk_bit == 0));
        CHECK(c, f->lsi_hz >= 30000 && f->lsi_hz <= 60000);
        CHECK(c, f->program_width <= STP_PSIZE_X64);
        CHECK(c, !f->psize_by_vdd || c->timing.psize_min_mv[f->program_width] != 0);
        CHECK(c, f->user_option_count > 0 && f->user_options != NULL);
        for (size_t k = 0; f->user_options != NULL && k < f->user_option_count; k++) {
            const stp_option_def *d = &f->user_options[k];
            CHECK(c, nonempty(d->key) && nonempty(d->meaning));
            CHECK(c, d->width >= 1 && d->shift + d->width <= 32);
            CHECK(c, d->max >= 1 && d->max < (1u << d->width));
            /* a level labels every value in volts, or none (a code: C0 BOR, NRST_MODE) */
            CHECK(c, d->width == 1 || d->volts[d->max] != NULL || d->volts[0] == NULL);
        }
        CHECK(c, f->gpio_base != 0 && f->gpio_ports > 0 && f->gpio_stride != 0);
        CHECK(c, f->rcc_cfgr_off != 0);
        /* the loader build follows the core, which the family's CPUID revision goes with */
        CHECK(c, stp_core_isa(c->core) <= STP_ISA_ARMV8M);
    }
}

typedef struct span {
    uint32_t lo, hi; /* [lo, hi) */
    const char *what;
} span;

static bool overlap(span a, span b)
{
    return a.lo < b.hi && b.lo < a.hi;
}

/* The system-area regions a virtual board maps and a driver reads must not collide. */
static void test_system_regions(void **state)
{
    (void)state;
    for (size_t i = 0; i < stp_chip_count(); i++) {
        const stp_chip *c = stp_chip_at(i);
        uint32_t flash_end = c->flash_base + stp_chip_max_flash_kb(c) * 1024u;
        span s[8];
        size_t n = 0;
        s[n++] = (span){c->flash_base, flash_end, "flash"};
        s[n++] = (span){c->flash_size_reg, c->flash_size_reg + 2, "fsize"};
        s[n++] = (span){c->uid_addr, c->uid_addr + 8, "uid01"};
        s[n++] = (span){c->uid_addr + c->uid_word2_offset, c->uid_addr + c->uid_word2_offset + 4,
                        "uid2"};
        if (c->option_bytes_addr)
            s[n++] =
                (span){c->option_bytes_addr, c->option_bytes_addr + c->option_bytes_size, "ob"};
        if (c->option_bytes2_addr)
            s[n++] =
                (span){c->option_bytes2_addr, c->option_bytes2_addr + c->option_bytes2_size, "ob2"};
        if (c->otp_addr)
            s[n++] = (span){c->otp_addr, c->otp_addr + c->otp_size + 16, "otp"};
        for (size_t a = 0; a < n; a++) {
            for (size_t b = a + 1; b < n; b++) {
                if (overlap(s[a], s[b])) {
                    char what[64];
                    snprintf(what, sizeof what, "%s overlaps %s", s[a].what, s[b].what);
                    fail_row(c, what);
                }
            }
        }
        /* system memory: outside flash, option bytes and OTP (it may hold the size register
         * and unique ID at its end, as on F1) */
        span boot = {c->bootloader_addr, c->bootloader_addr + c->bootloader_size, "boot"};
        CHECK(c, c->bootloader_size >= 0x800 && c->bootloader_size % 0x40 == 0);
        for (size_t a = 0; a < n; a++) {
            if (strncmp(s[a].what, "ob", 2) == 0 || strcmp(s[a].what, "otp") == 0 ||
                strcmp(s[a].what, "flash") == 0)
                CHECK(c, !overlap(boot, s[a]));
        }
        bool has_otp = c->flash_kind == STP_FLASH_F2F4 || c->flash_kind == STP_FLASH_F7;
        CHECK(c, has_otp == (c->otp_addr != 0));
        if (has_otp) {
            CHECK(c, c->otp_size ==
                         (c->flash_kind == STP_FLASH_F7 && c->dev_id != 0x452 ? 1024u : 512u));
            CHECK(c, c->otp_addr + c->otp_size + 16 <= c->uid_addr);
        }
    }
}

static void test_flash_size_register_per_family(void **state)
{
    (void)state;
    for (size_t i = 0; i < stp_chip_count(); i++) {
        const stp_chip *c = stp_chip_at(i);
        const char *f = c->family;
        bool known = true;
        if (strcmp(f, "F1") == 0) {
            CHECK(c, c->flash_kind == STP_FLASH_F1);
            CHECK(c, c->fam->rdp_level0 == 0xA5 && c->fam->obr_user_shift == 2);
            CHECK(c, c->flash_size_reg == 0x1FFFF7E0u && c->flash_regs == 0x40022000u);
            CHECK(c, c->uid_addr == 0x1FFFF7E8u);
        } else if (strcmp(f, "F0") == 0 || strcmp(f, "F3") == 0) {
            /* RM0091 33.1/40.9.1, RM0316 34.1/33.16.1: the F1 controller, size register
             * 0x1FFFF7CC, unique ID 0x1FFFF7AC, DBGMCU at 0x40015800 on the M0 */
            CHECK(c, c->flash_kind == STP_FLASH_F1 && c->flash_regs == 0x40022000u);
            CHECK(c, c->flash_size_reg == 0x1FFFF7CCu && c->uid_addr == 0x1FFFF7ACu);
            CHECK(c, c->fam->rdp_level0 == 0xAA && c->fam->obr_user_shift == 8);
            CHECK(c, c->fam->rdp_level2);
            const bool f0 = strcmp(f, "F0") == 0;
            CHECK(c, c->core == (f0 ? STP_CORE_M0 : STP_CORE_M4));
            CHECK(c, c->idcode_addr == (f0 ? 0x40015800u : 0xE0042000u));
            /* 1 KiB pages up to 64 KiB on F0, 2 KiB on F07x/F09x and all F3 */
            const bool big = !f0 || c->dev_id == 0x448 || c->dev_id == 0x442;
            CHECK(c, c->layout.banks[0].runs[0].size == (big ? 2048u : 1024u));
            known = false;
        } else if (strcmp(f, "F2") == 0 || strcmp(f, "F4") == 0) {
            CHECK(c, c->flash_kind == STP_FLASH_F2F4);
            CHECK(c, c->flash_size_reg == 0x1FFF7A22u && c->flash_regs == 0x40023C00u);
            CHECK(c, c->uid_addr == 0x1FFF7A10u);
        } else if (strcmp(f, "F7") == 0) {
            CHECK(c, c->flash_kind == STP_FLASH_F7);
            CHECK(c, c->flash_regs == 0x40023C00u);
            CHECK(c, c->flash_size_reg == (c->dev_id == 0x452 ? 0x1FF07A22u : 0x1FF0F442u));
        } else if (strcmp(f, "L1") == 0) {
            CHECK(c, c->flash_kind == STP_FLASH_L1);
            CHECK(c, c->flash_regs == 0x40023C00u);
            /* the unique ID follows the size register; its third word is 0x14 further */
            CHECK(c, c->uid_addr == c->flash_size_reg + 4);
            CHECK(c, c->uid_word2_offset == 0x14);
            CHECK(c, c->flash_size_reg ==
                         ((c->dev_id == 0x416 || c->dev_id == 0x429) ? 0x1FF8004Cu : 0x1FF800CCu));
        } else if (strcmp(f, "G0") == 0 || strcmp(f, "C0") == 0) {
            /* RM0444/RM0490: the M0+ reaches DBG_IDCODE at 0x40015800; the L4-type controller;
             * the C0 keeps its size register and unique ID lower (0x1FFF75A0, 0x1FFF7550) */
            bool c0 = strcmp(f, "C0") == 0;
            CHECK(c, c->flash_kind == STP_FLASH_L4 && c->idcode_addr == 0x40015800u);
            CHECK(c, c->flash_regs == 0x40022000u && c->core == STP_CORE_M0P);
            CHECK(c, c->flash_size_reg == (c0 ? 0x1FFF75A0u : 0x1FFF75E0u));
            CHECK(c, c->uid_addr == (c0 ? 0x1FFF7550u : 0x1FFF7590u));
            /* two banks only with bank 2's pages numbered from 256 (PNB 10 bits, BKER 13) */
            if (c->layout.bank_count > 1) {
                CHECK(c, c->layout.banks[1].first_sector_number == 256);
                CHECK(c, c->pnb_bits == 10 && c->bker_bit == 13);
            } else {
                CHECK(c, c->pnb_bits == 0 && c->bker_bit == 0);
            }
            known = false;
        } else if (strcmp(f, "H7") == 0) {
            /* RM0433/RM0468/RM0455: the M7 reaches DBGMCU at 0x5C001000; registers per bank */
            CHECK(c, c->flash_kind == STP_FLASH_H7 && c->idcode_addr == 0x5C001000u);
            CHECK(c, c->flash_regs == 0x52002000u);
            CHECK(c, c->flash_regs2 == 0 || c->flash_regs2 == 0x52002100u);
            CHECK(c, c->flash_word_bytes == 32 || c->flash_word_bytes == 16);
            known = false;
        } else {
            known = false; /* a new family brings its own checks here */
        }
        if (known)
            CHECK(c, c->idcode_addr == 0xE0042000u);
    }
}

static void test_sizes_list(void **state)
{
    (void)state;
    for (size_t i = 0; i < stp_chip_count(); i++) {
        const stp_chip *c = stp_chip_at(i);
        CHECK(c, c->flash_sizes_kb[0] != 0);
        size_t n = 0;
        while (n < STP_MAX_FLASH_SIZES && c->flash_sizes_kb[n])
            n++;
        for (size_t k = 1; k < n; k++)
            CHECK(c, c->flash_sizes_kb[k] > c->flash_sizes_kb[k - 1]);
        CHECK(c, stp_chip_max_flash_kb(c) == c->flash_sizes_kb[n - 1]);
        CHECK(c, stp_chip_max_flash_kb(c) * 1024u == stp_layout_bytes(&c->layout));
        CHECK(c, stp_chip_size_allowed(c, c->flash_default_kb));
        CHECK(c, !stp_chip_size_allowed(c, 0));
    }
}

/* Runs of one layout: sizes powers of two, no empty run before a used one, banks
 * aligned to their first sector. */
static void check_layout_shape(const stp_chip *c, const stp_flash_layout *l)
{
    CHECK(c, l->bank_count >= 1 && l->bank_count <= STP_MAX_BANKS);
    for (size_t b = 0; b < l->bank_count; b++) {
        const stp_bank_layout *bank = &l->banks[b];
        CHECK(c, bank->runs[0].count > 0);
        CHECK(c, bank->base % bank->runs[0].size == 0);
        bool ended = false;
        for (size_t r = 0; r < STP_MAX_RUNS; r++) {
            const stp_sector_run *run = &bank->runs[r];
            if (run->count == 0) {
                ended = true;
                CHECK(c, run->size == 0);
                continue;
            }
            CHECK(c, !ended);
            CHECK(c, is_pow2(run->size) && run->size >= 128); /* L0 pages: 128 B */
        }
        if (b > 0)
            CHECK(c, bank->first_sector_number > l->banks[b - 1].first_sector_number);
    }
}

/* The sectors of a device with kb KiB: contiguous from the flash base, each aligned to its
 * size, summing to the size, numbered upwards within a bank, indexed 0..n-1. */
static void check_sectors(const stp_chip *c, uint32_t kb, bool dual)
{
    size_t total = stp_chip_sectors(c, kb, dual, NULL, 0);
    CHECK(c, total > 0 && total <= MAX_SECTORS);
    size_t n = stp_chip_sectors(c, kb, dual, sectors, MAX_SECTORS);
    CHECK(c, n == total);
    uint32_t addr = c->flash_base;
    for (size_t i = 0; i < n; i++) {
        const stp_sector *s = &sectors[i];
        if (s->addr != addr || s->addr % s->size != 0 || s->index != i) {
            char what[160];
            snprintf(what, sizeof what, "%u KiB%s: sector %zu at 0x%08X size %u expected 0x%08X",
                     (unsigned)kb, dual ? " dual" : "", i, (unsigned)s->addr, (unsigned)s->size,
                     (unsigned)addr);
            fail_row(c, what);
        }
        if (i > 0 && s->bank == sectors[i - 1].bank)
            CHECK(c, s->number == sectors[i - 1].number + 1);
        if (i > 0)
            CHECK(c, s->bank >= sectors[i - 1].bank);
        CHECK(c, stp_chip_erase_timing(c, s->size) != NULL);
        stp_sector at;
        CHECK(c, stp_chip_sector_at(c, kb, dual, s->addr + s->size - 1, &at));
        CHECK(c, at.addr == s->addr && at.index == s->index && at.number == s->number);
        addr += s->size;
    }
    CHECK(c, addr - c->flash_base == kb * 1024u);
    CHECK(c, !stp_chip_sector_at(c, kb, dual, addr, NULL));
    CHECK(c, !stp_chip_sector_at(c, kb, dual, c->flash_base - 1, NULL));
}

static void test_layouts(void **state)
{
    (void)state;
    for (size_t i = 0; i < stp_chip_count(); i++) {
        const stp_chip *c = stp_chip_at(i);
        check_layout_shape(c, &c->layout);
        /* the largest layout's banks follow each other */
        if (c->layout.bank_count == 2) {
            uint32_t b0 = stp_layout_bytes(&(stp_flash_layout){1, {c->layout.banks[0]}});
            CHECK(c, c->layout.banks[1].base == c->layout.banks[0].base + b0);
        }
        for (size_t k = 0; k < STP_MAX_FLASH_SIZES && c->flash_sizes_kb[k]; k++)
            check_sectors(c, c->flash_sizes_kb[k], false);
        if (c->layout_dual.bank_count) {
            check_layout_shape(c, &c->layout_dual);
            CHECK(c, c->flash_kind != STP_FLASH_F1 && c->flash_kind != STP_FLASH_L1);
            uint32_t dual_kb = stp_layout_bytes(&c->layout_dual) / 1024u;
            CHECK(c, stp_chip_size_allowed(c, dual_kb));
            for (size_t k = 0; k < STP_MAX_FLASH_SIZES && c->flash_sizes_kb[k]; k++)
                check_sectors(c, c->flash_sizes_kb[k], true);
        }
    }
}

static void check_erase_class(const stp_chip *c, const stp_erase_timing *e, stp_psize p)
{
    CHECK(c, e->typ_us[p] > 0 && e->max_us[p] >= e->typ_us[p]);
    CHECK(c, e->typ_ms[p] == (e->typ_us[p] + 500) / 1000);
    CHECK(c, e->max_ms[p] * 1000u >= e->max_us[p]);
}

static void test_timings(void **state)
{
    (void)state;
    for (size_t i = 0; i < stp_chip_count(); i++) {
        const stp_chip *c = stp_chip_at(i);
        const stp_flash_timing *t = &c->timing;
        stp_psize widths[STP_PSIZE_COUNT];
        size_t nw = 0;
        if (c->flash_kind == STP_FLASH_F1)
            widths[nw++] = STP_PSIZE_X16;
        else if (c->flash_kind == STP_FLASH_L1)
            widths[nw++] = STP_PSIZE_X32;
        else if (c->flash_kind == STP_FLASH_L4)
            widths[nw++] = STP_PSIZE_X64; /* double words only */
        else
            for (int p = 0; p < STP_PSIZE_COUNT; p++)
                widths[nw++] = (stp_psize)p;
        for (size_t w = 0; w < nw; w++) {
            stp_psize p = widths[w];
            CHECK(c, t->program_typ_ns[p] > 0 && t->program_max_ns[p] >= t->program_typ_ns[p]);
            for (size_t e = 0; e < STP_MAX_ERASE_CLASSES && t->erase[e].sector_size; e++)
                check_erase_class(c, &t->erase[e], p);
            if (c->flash_kind != STP_FLASH_L1) /* L1 has no mass-erase command */
                CHECK(c, t->mass_erase_typ_ms[p] > 0 &&
                             t->mass_erase_max_ms[p] >= t->mass_erase_typ_ms[p]);
        }
        /* erase classes: distinct sizes, no gaps */
        for (size_t e = 1; e < STP_MAX_ERASE_CLASSES; e++) {
            if (t->erase[e].sector_size)
                CHECK(c, t->erase[e - 1].sector_size != 0);
            for (size_t f = 0; f < e; f++)
                CHECK(c, !t->erase[e].sector_size ||
                             t->erase[e].sector_size != t->erase[f].sector_size);
        }
        if (c->flash_kind == STP_FLASH_H7) {
            /* DS12110 "Vprog": every parallelism over the whole VDD range */
            for (int p = 0; p < STP_PSIZE_COUNT; p++)
                CHECK(c, t->psize_min_mv[p] == c->vdd_min_mv);
            CHECK(c, c->wrp_granule == 0);
            for (size_t e = 0; e < STP_MAX_ERASE_CLASSES && t->erase[e].sector_size; e++)
                CHECK(c, t->erase[e].typ_us[STP_PSIZE_X64] < t->erase[e].typ_us[STP_PSIZE_X8]);
            CHECK(c, t->program_typ_ns[STP_PSIZE_X64] < t->program_typ_ns[STP_PSIZE_X8]);
        } else if (c->flash_kind == STP_FLASH_F2F4 || c->flash_kind == STP_FLASH_F7) {
            CHECK(c, t->psize_min_mv[STP_PSIZE_X8] >= 1700);
            CHECK(c, t->psize_min_mv[STP_PSIZE_X16] == 2100);
            CHECK(c, t->psize_min_mv[STP_PSIZE_X32] == 2700);
            CHECK(c, t->psize_min_mv[STP_PSIZE_X64] == 2700);
            CHECK(c, c->wrp_granule == 0);
            /* wider programs erase faster */
            for (size_t e = 0; e < STP_MAX_ERASE_CLASSES && t->erase[e].sector_size; e++)
                CHECK(c, t->erase[e].typ_us[STP_PSIZE_X32] < t->erase[e].typ_us[STP_PSIZE_X8]);
        } else {
            /* one WRP unit is a whole number of the smallest pages of either bank mode */
            uint32_t page = c->layout.banks[0].runs[0].size;
            if (c->layout_dual.bank_count && c->layout_dual.banks[0].runs[0].size < page)
                page = c->layout_dual.banks[0].runs[0].size;
            CHECK(c, c->wrp_granule != 0 && c->wrp_granule % page == 0);
        }
        if (c->flash_kind == STP_FLASH_L1) {
            /* half-page programming */
            CHECK(c, t->block_program_bytes * 2 == c->layout.banks[0].runs[0].size);
            CHECK(c, t->block_program_typ_ns > 0 &&
                         t->block_program_max_ns >= t->block_program_typ_ns);
        } else {
            CHECK(c, t->block_program_bytes == 0);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_not_empty_and_ids_unique),
        cmocka_unit_test(test_names_and_sources),
        cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_system_regions),
        cmocka_unit_test(test_flash_size_register_per_family),
        cmocka_unit_test(test_sizes_list),
        cmocka_unit_test(test_layouts),
        cmocka_unit_test(test_timings),
        cmocka_unit_test(test_family_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
