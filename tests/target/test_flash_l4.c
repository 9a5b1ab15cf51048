/* Component tests of the L4/G0/G4 driver (src/target/flash_l4.c) on the virtual board:
 * page erase, double-word programming, relock, mass erase, bank 2 of the L476 (BKER),
 * error decoding (PROGERR -> flash.program-error, WRPERR -> flash.wrp-error), option bytes
 * (WRP areas written and read back, more than two areas refused), deadlines from the chip
 * row (a stuck BSY ends in flash.timeout). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "sim_debug.h"
#include "target/flash.h"

#define FLASH_CR 0x40022014u
#define FLASH_SR 0x40022010u
#define CR_LOCK  (1u << 31)

typedef struct l4_session {
    sim_debug *sd;
    stp_flash f;
    stp_sector *secs;
    size_t n;
    stp_findings fi;
} l4_session;

static void open_session(l4_session *s, const char *spec, uint32_t kb, bool dual)
{
    memset(s, 0, sizeof *s);
    s->sd = sim_debug_open(spec);
    assert_non_null(s->sd);
    const stp_chip *chip = sim_board_chip(s->sd->board);
    assert_int_equal(chip->flash_kind, STP_FLASH_L4);
    assert_int_equal(stp_flash_init(&s->f, &s->sd->base, chip, kb, dual, STP_PSIZE_X64), STP_OK);
    s->n = stp_chip_sectors(chip, kb, dual, NULL, 0);
    s->secs = calloc(s->n, sizeof(*s->secs));
    assert_non_null(s->secs);
    assert_int_equal(stp_chip_sectors(chip, kb, dual, s->secs, s->n), s->n);
}

static void close_session(l4_session *s)
{
    stp_findings_free(&s->fi);
    free(s->secs);
    sim_debug_close(s->sd);
}

static uint32_t reg(l4_session *s, uint32_t addr)
{
    uint32_t v = 0;
    assert_int_equal(s->sd->base.ops->read_u32(&s->sd->base, addr, &v, NULL), STP_OK);
    return v;
}

static const stp_evidence *evidence(const stp_finding *fd, const char *key)
{
    for (size_t i = 0; i < fd->evidence_count; i++)
        if (strcmp(fd->evidence[i].key, key) == 0)
            return &fd->evidence[i];
    return NULL;
}

static void erase_program_readback(const char *spec, uint32_t kb, bool dual, size_t unit)
{
    l4_session s;
    open_session(&s, spec, kb, dual);
    stp_debug *d = &s.sd->base;
    assert_int_equal(s.f.drv->program_unit(&s.f), 8);
    const stp_sector *sec = &s.secs[unit];
    assert_int_equal(sec->size, 2048);
    uint8_t buf[512], back[2048];
    for (uint32_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(0x31 + i * 13);
    assert_int_equal(stp_flash_erase(&s.f, sec, 1, NULL, NULL, 0, &s.fi), STP_OK);
    uint64_t t0 = sim_clock_ns(s.sd->board);
    assert_int_equal(stp_flash_program(&s.f, sec->addr, buf, sizeof buf, NULL, NULL, 0, &s.fi),
                     STP_OK);
    /* 64 double words at the datasheet's typical time each, at least */
    uint64_t tprog = sim_board_chip(s.sd->board)->timing.program_typ_ns[STP_PSIZE_X64];
    assert_true(sim_clock_ns(s.sd->board) - t0 >= 64 * tprog);
    assert_int_equal(s.fi.count, 0);
    assert_int_equal(d->ops->read_mem(d, sec->addr, back, sizeof back, NULL), STP_OK);
    assert_memory_equal(back, buf, sizeof buf);
    for (uint32_t i = sizeof buf; i < sizeof back; i++)
        assert_int_equal(back[i], 0xFF);
    assert_true(reg(&s, FLASH_CR) & CR_LOCK); /* relocked */

    assert_int_equal(stp_flash_erase(&s.f, sec, 1, NULL, NULL, 0, &s.fi), STP_OK);
    assert_int_equal(d->ops->read_mem(d, sec->addr, back, sizeof back, NULL), STP_OK);
    for (uint32_t i = 0; i < sizeof back; i++)
        assert_int_equal(back[i], 0xFF);

    /* the neighbour pages of the other bank kept their data (L476 BKER) */
    assert_int_equal(stp_flash_program(&s.f, s.secs[0].addr, buf, 64, NULL, NULL, 0, &s.fi),
                     STP_OK);
    assert_int_equal(d->ops->read_mem(d, s.secs[0].addr, back, 64, NULL), STP_OK);
    assert_memory_equal(back, buf, 64);

    /* mass erase */
    uint64_t mass0 = sim_board_stats(s.sd->board)->mass_erases;
    assert_int_equal(stp_flash_erase_all(&s.f, s.secs, s.n, NULL, &s.fi), STP_OK);
    assert_int_equal(sim_board_stats(s.sd->board)->mass_erases - mass0, 1);
    assert_int_equal(d->ops->read_mem(d, s.secs[0].addr, back, 64, NULL), STP_OK);
    for (uint32_t i = 0; i < 64; i++)
        assert_int_equal(back[i], 0xFF);
    assert_int_equal(s.fi.count, 0);

    stp_option_bytes ob;
    memset(&ob, 0, sizeof ob);
    assert_int_equal(stp_flash_read_options(&s.f, &ob, &s.fi), STP_OK);
    assert_int_equal(ob.rdp_level, 0);
    assert_int_equal(ob.rdp_raw, 0xAA);
    assert_int_equal(ob.wrp_granule, sim_board_chip(s.sd->board)->wrp_granule);
    assert_int_equal(ob.wrp_bits, kb * 1024u / ob.wrp_granule);
    for (uint32_t i = 0; i < ob.wrp_bits; i++)
        assert_false(stp_option_wrp_get(&ob, i));
    close_session(&s);
}

static void test_g071(void **state)
{
    (void)state;
    erase_program_readback("sim:stm32g071rb", 128, false, 1);
}

static void test_g431(void **state)
{
    (void)state;
    erase_program_readback("sim:stm32g431rb", 128, false, 1);
}

static void test_l476_bank2(void **state)
{
    (void)state;
    /* sector 256 = bank 2, page 0 (PNB 0 with BKER) */
    erase_program_readback("sim:stm32l476rg", 1024, true, 256);
}

/* A double word that is not erased: PROGERR, decoded into flash.program-error; relocked. */
static void test_program_over_data(void **state)
{
    (void)state;
    l4_session s;
    open_session(&s, "sim:stm32g071rb", 128, false);
    uint8_t a[8] = {1, 2, 3, 4, 5, 6, 7, 8}, b[8] = {9, 9, 9, 9, 9, 9, 9, 9};
    assert_int_equal(stp_flash_program(&s.f, 0x08000800u, a, 8, NULL, NULL, 0, &s.fi), STP_OK);
    assert_int_equal(stp_flash_program(&s.f, 0x08000800u, b, 8, NULL, NULL, 0, &s.fi),
                     STP_ERR_FLASH);
    const stp_finding *fd = stp_findings_find(&s.fi, "flash.program-error");
    assert_non_null(fd);
    const stp_evidence *ev = evidence(fd, "bit");
    assert_non_null(ev);
    assert_string_equal(ev->value, "PROGERR");
    assert_true(reg(&s, FLASH_CR) & CR_LOCK);
    /* the next operation starts clean (the unlock clears the sticky flags) */
    stp_findings_free(&s.fi);
    assert_int_equal(stp_flash_erase(&s.f, &s.secs[1], 1, NULL, NULL, 0, &s.fi), STP_OK);
    assert_int_equal(stp_flash_program(&s.f, 0x08000800u, b, 8, NULL, NULL, 0, &s.fi), STP_OK);
    close_session(&s);
}

/* WRP areas: units 2..3 and 6 protected (two areas), written with OPTSTRT + OBL_LAUNCH and
 * read back; programming there fails with flash.wrp-error; three runs are refused. */
static void test_wrp_areas(void **state)
{
    (void)state;
    l4_session s;
    open_session(&s, "sim:stm32g071rb", 128, false);
    stp_option_bytes ob;
    memset(&ob, 0, sizeof ob);
    assert_int_equal(stp_flash_read_options(&s.f, &ob, &s.fi), STP_OK);
    stp_option_wrp_set(&ob, 2, true);
    stp_option_wrp_set(&ob, 3, true);
    stp_option_wrp_set(&ob, 6, true);
    assert_int_equal(stp_flash_write_options(&s.f, &ob, &s.fi), STP_OK);
    stp_option_bytes back;
    memset(&back, 0, sizeof back);
    assert_int_equal(stp_flash_read_options(&s.f, &back, &s.fi), STP_OK);
    for (uint32_t i = 0; i < back.wrp_bits; i++)
        assert_int_equal(stp_option_wrp_get(&back, i), i == 2 || i == 3 || i == 6);
    assert_int_equal(back.raw[1], 0x00030002u); /* WRP1AR: pages 2..3 */
    assert_int_equal(back.raw[2], 0x00060006u); /* WRP1BR: page 6 */
    assert_int_equal(back.rdp_level, 0);

    uint8_t data[8] = {0};
    assert_int_equal(stp_flash_program(&s.f, 0x08001800u, data, 8, NULL, NULL, 0, &s.fi),
                     STP_ERR_PROTECTED);
    assert_non_null(stp_findings_find(&s.fi, "flash.wrp-error"));

    stp_findings_free(&s.fi);
    stp_option_wrp_set(&back, 9, true);
    assert_int_equal(stp_flash_write_options(&s.f, &back, &s.fi), STP_ERR_INVALID_ARG);
    assert_non_null(stp_findings_find(&s.fi, "option.wrp-areas"));
    close_session(&s);
}

/* BSY that never clears: the wait ends at the deadline from the chip row (flash.timeout). */
static void test_stuck_busy_times_out(void **state)
{
    (void)state;
    l4_session s;
    open_session(&s, "sim:stm32g431rb", 128, false);
    s.sd->stuck_addr = FLASH_SR;
    s.sd->stuck_bits = 1u << 16;
    uint64_t t0 = sim_clock_ns(s.sd->board);
    assert_int_equal(stp_flash_erase(&s.f, &s.secs[3], 1, NULL, NULL, 0, &s.fi), STP_ERR_TIMEOUT);
    assert_non_null(stp_findings_find(&s.fi, "flash.timeout"));
    /* twice the 24.47 ms maximum plus slack: 2 * 25 + 50 ms */
    uint64_t waited = sim_clock_ns(s.sd->board) - t0;
    assert_true(waited >= 100000000ull && waited < 1000000000ull);
    close_session(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_g071),       cmocka_unit_test(test_g431),
        cmocka_unit_test(test_l476_bank2), cmocka_unit_test(test_program_over_data),
        cmocka_unit_test(test_wrp_areas),  cmocka_unit_test(test_stuck_busy_times_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
