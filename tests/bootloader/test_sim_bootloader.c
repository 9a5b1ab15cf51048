/* The virtual board's ROM bootloader (sim/bootloader.c) in process: host bytes in, the
 * model's bytes out, checked against AN3155's frames; flash effects checked on the board
 * through the debug port (sim_mem_read), and time on its clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "sim/board.h"
#include "sim/bootloader.h"

#define ACK  0x79
#define NACK 0x1F

typedef struct feed {
    const uint8_t *in;
    size_t len, pos;
    uint32_t baud;
    uint64_t idle_ns; /* host idle time before the first byte */
    uint8_t out[4096];
    size_t out_len;
} feed;

static int f_read(void *ctx, sim_bl_rx *rx)
{
    feed *f = ctx;
    if (f->pos >= f->len)
        return 0;
    rx->idle_ns = f->pos == 0 ? f->idle_ns : 0;
    rx->byte = f->in[f->pos++];
    rx->baud = f->baud;
    rx->frame_ok = true;
    return 1;
}

static int f_write(void *ctx, const uint8_t *buf, size_t len)
{
    feed *f = ctx;
    if (f->out_len + len > sizeof(f->out))
        return -1;
    memcpy(f->out + f->out_len, buf, len);
    f->out_len += len;
    return 0;
}

static sim_board *B;
static sim_bl *M;
static feed F;
/* The host's pause before each exchange: lets a chip that was just reset start (the model
 * listens 50 ms after NRST, 100 ms after an option-byte reset). */
static uint64_t host_idle_ns = 150000000ull;

static void open_board(const char *spec)
{
    char err[256];
    B = sim_board_open(spec, err, sizeof(err));
    assert_non_null(B);
    M = sim_bl_create(B, err, sizeof(err));
    assert_non_null(M);
}

static void close_board(void)
{
    sim_bl_destroy(M);
    sim_board_close(B);
}

/* Sends bytes, returns what came back in F.out (F.out_len). */
static void host(const uint8_t *bytes, size_t n)
{
    memset(&F, 0, sizeof(F));
    F.in = bytes;
    F.len = n;
    F.baud = 115200;
    F.idle_ns = host_idle_ns;
    sim_bl_io io = {&F, f_read, f_write};
    assert_int_equal(sim_bl_serve(M, &io), 0);
}
#define HOST(...)                                                                                  \
    do {                                                                                           \
        const uint8_t h_[] = {__VA_ARGS__};                                                        \
        host(h_, sizeof(h_));                                                                      \
    } while (0)
#define EXPECT(...)                                                                                \
    do {                                                                                           \
        const uint8_t e_[] = {__VA_ARGS__};                                                        \
        assert_int_equal(F.out_len, sizeof(e_));                                                   \
        assert_memory_equal(F.out, e_, sizeof(e_));                                                \
    } while (0)

static void test_sync_get_getid_f407(void **state)
{
    (void)state;
    open_board("sim:stm32f407vg,boot0=1");
    HOST(0x7F);
    EXPECT(ACK);
    HOST(0x00, 0xFF);
    EXPECT(ACK, 11, 0x31, 0x00, 0x01, 0x02, 0x11, 0x21, 0x31, 0x44, 0x63, 0x73, 0x82, 0x92, ACK);
    HOST(0x02, 0xFD);
    EXPECT(ACK, 1, 0x04, 0x13, ACK);
    HOST(0x01, 0xFE);
    EXPECT(ACK, 0x31, 0x00, 0x00, ACK);
    HOST(0x43, 0xBC); /* Erase is not offered by a 3.1 bootloader */
    EXPECT(NACK);
    HOST(0x11, 0x11); /* bad complement */
    EXPECT(NACK);
    HOST(0x7F, 0x80); /* a second sync in an open session is a command: NACK */
    EXPECT(NACK);
    close_board();
}

static void test_f103_offers_erase(void **state)
{
    (void)state;
    open_board("sim:stm32f103c8,boot0=1");
    HOST(0x7F, 0x00, 0xFF, 0x02, 0xFD);
    EXPECT(ACK, ACK, 11, 0x22, 0x00, 0x01, 0x02, 0x11, 0x21, 0x31, 0x43, 0x63, 0x73, 0x82, 0x92,
           ACK, ACK, 1, 0x04, 0x10, ACK);
    close_board();
}

static void test_write_read_erase_f407(void **state)
{
    (void)state;
    open_board("sim:stm32f407vg,boot0=1");
    HOST(0x7F);
    uint64_t t0 = sim_clock_ns(B);
    /* Write Memory 8 bytes at 0x08000000: N=7, checksum = XOR of N and the data. */
    HOST(0x31, 0xCE, 0x08, 0x00, 0x00, 0x00, 0x08, 0x07, 1, 2, 3, 4, 5, 6, 7, 8, 0x07 ^ 0x08);
    EXPECT(ACK, ACK, ACK);
    uint8_t got[8];
    assert_int_equal(sim_mem_read(B, 0x08000000, got, 8, 1, NULL), SIM_ACC_OK);
    assert_memory_equal(got, ((uint8_t[]){1, 2, 3, 4, 5, 6, 7, 8}), 8);
    /* 17 bytes on the line (+3 answers) at 115200 baud, 11 bits each: at least 2.1 ms. */
    assert_true(sim_clock_ns(B) - t0 >= 20ull * 11 * 1000000000ull / 115200);
    /* Read Memory 4 bytes back. */
    HOST(0x11, 0xEE, 0x08, 0x00, 0x00, 0x04, 0x0C, 0x03, 0xFC);
    EXPECT(ACK, ACK, ACK, 5, 6, 7, 8);
    /* A bad data checksum is NACKed and nothing is written. */
    HOST(0x31, 0xCE, 0x08, 0x00, 0x01, 0x00, 0x09, 0x03, 9, 9, 9, 9, 0x55);
    EXPECT(ACK, ACK, NACK);
    assert_int_equal(sim_mem_read(B, 0x08000100, got, 4, 1, NULL), SIM_ACC_OK);
    assert_memory_equal(got, ((uint8_t[]){0xFF, 0xFF, 0xFF, 0xFF}), 4);
    /* Unaligned address and a length that is not a multiple of 4 are refused. */
    HOST(0x31, 0xCE, 0x08, 0x00, 0x00, 0x02, 0x0A);
    EXPECT(ACK, NACK);
    /* Extended Erase of sector 0 (16 KiB): takes the datasheet time on the clock. */
    t0 = sim_clock_ns(B);
    HOST(0x44, 0xBB, 0x00, 0x00, 0x00, 0x00, 0x00);
    EXPECT(ACK, ACK);
    assert_true(sim_clock_ns(B) - t0 > 100000000ull); /* F407 16 KiB sector: ~250 ms */
    assert_int_equal(sim_mem_read(B, 0x08000000, got, 8, 1, NULL), SIM_ACC_OK);
    assert_memory_equal(got, ((uint8_t[]){0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}), 8);
    /* A sector that does not exist. */
    HOST(0x44, 0xBB, 0x00, 0x00, 0x00, 0x40, 0x40);
    EXPECT(ACK, NACK);
    /* Read outside any memory. */
    HOST(0x11, 0xEE, 0x60, 0x00, 0x00, 0x00, 0x60);
    EXPECT(ACK, NACK);
    close_board();
}

static void test_rdp1_and_readout_unprotect(void **state)
{
    (void)state;
    open_board("sim:stm32f103c8,boot0=1,rdp=1");
    HOST(0x7F, 0x11, 0xEE);
    EXPECT(ACK, NACK); /* Read Memory refused under read protection */
    HOST(0x31, 0xCE);
    EXPECT(NACK);
    HOST(0x02, 0xFD);
    EXPECT(ACK, 1, 0x04, 0x10, ACK); /* identification still works */
    HOST(0x92, 0x6D);
    EXPECT(ACK, ACK); /* Readout Unprotect: mass erase, option bytes, reset */
    HOST(0x7F, 0x11, 0xEE, 0x08, 0x00, 0x00, 0x00, 0x08, 0x03, 0xFC);
    EXPECT(ACK, ACK, ACK, ACK, 0xFF, 0xFF, 0xFF, 0xFF);
    close_board();
}

static void test_write_protect_and_unprotect(void **state)
{
    (void)state;
    open_board("sim:stm32f407vg,boot0=1");
    HOST(0x7F, 0x63, 0x9C, 0x00, 0x01, 0x01);
    EXPECT(ACK, ACK, ACK); /* sector 1 protected, then a reset */
    /* Programming sector 1 now fails (WRPERR): NACK after the data. */
    HOST(0x7F, 0x31, 0xCE, 0x08, 0x00, 0x40, 0x00, 0x48, 0x03, 1, 2, 3, 4, 0x03 ^ 0x04);
    EXPECT(ACK, ACK, ACK, NACK);
    HOST(0x73, 0x8C);
    EXPECT(ACK, ACK);
    HOST(0x7F, 0x31, 0xCE, 0x08, 0x00, 0x40, 0x00, 0x48, 0x03, 1, 2, 3, 4, 0x03 ^ 0x04);
    EXPECT(ACK, ACK, ACK, ACK);
    close_board();
}

static void test_silent_without_boot0(void **state)
{
    (void)state;
    open_board("sim:stm32f407vg");
    HOST(0x7F, 0x7F, 0x7F);
    assert_int_equal(F.out_len, 0);
    close_board();
}

static void test_other_baud_after_sync_is_lost(void **state)
{
    (void)state;
    open_board("sim:stm32f407vg,boot0=1");
    HOST(0x7F);
    EXPECT(ACK);
    memset(&F, 0, sizeof(F));
    const uint8_t get[] = {0x00, 0xFF};
    F.in = get;
    F.len = 2;
    F.baud = 57600;
    sim_bl_io io = {&F, f_read, f_write};
    assert_int_equal(sim_bl_serve(M, &io), 0);
    assert_int_equal(F.out_len, 0);
    assert_int_equal(sim_bl_get_stats(M)->line_errors, 2);
    close_board();
}

/* Auto-baud takes the first byte: one other than 0x7F leaves the bootloader at a wrong rate,
 * deaf until the next reset (what the old 0x80 "session open" probe did to a chip that had
 * lost the first 0x7F). After a reset it listens again, 50 ms later. */
static void test_first_byte_not_sync_locks_wrong_baud(void **state)
{
    (void)state;
    open_board("sim:stm32f407vg,boot0=1");
    HOST(0x80);
    EXPECT();
    HOST(0x7F);
    EXPECT();
    HOST(0x7F, 0x00, 0xFF);
    EXPECT();
    sim_bl_reset(M);
    HOST(0x7F);
    EXPECT(ACK);
    assert_true(sim_bl_get_stats(M)->line_errors >= 4);
    close_board();
}

/* The bootloader does not listen for the first 50 ms after NRST rises: a 0x7F sent at once is
 * lost, one sent after the start-up is acknowledged (and it was not a wrong first byte). */
static void test_not_ready_right_after_reset(void **state)
{
    (void)state;
    open_board("sim:stm32f407vg,boot0=1");
    sim_bl_reset(M);
    host_idle_ns = 0;
    HOST(0x7F);
    EXPECT();
    assert_int_equal(sim_bl_get_stats(M)->early_bytes, 1);
    host_idle_ns = 10000000ull; /* 10 ms: still starting */
    HOST(0x7F);
    EXPECT();
    host_idle_ns = 40000000ull; /* 40 ms more: listening */
    HOST(0x7F);
    EXPECT(ACK);
    host_idle_ns = 150000000ull;
    close_board();
}

/* L1 (issue 14): no mass erase in the bootloader (AN2606, the L1 bootloader's "important
 * considerations"): the global-erase codes are NACKed, page erases work. */
static void test_l1_no_mass_erase(void **state)
{
    (void)state;
    uint8_t got[4];
    open_board("sim:stm32l152re,boot0=1"); /* bootloader 4.0: Extended Erase */
    HOST(0x7F);
    EXPECT(ACK);
    HOST(0x31, 0xCE, 0x08, 0x00, 0x01, 0x00, 0x09, 0x03, 1, 2, 3, 4, 0x03 ^ 1 ^ 2 ^ 3 ^ 4);
    EXPECT(ACK, ACK, ACK);
    HOST(0x44, 0xBB, 0xFF, 0xFF, 0x00); /* mass erase */
    EXPECT(ACK, NACK);
    HOST(0x44, 0xBB, 0xFF, 0xFE, 0x01); /* bank 1 */
    EXPECT(ACK, NACK);
    assert_int_equal(sim_mem_read(B, 0x08000100, got, 4, 1, NULL), SIM_ACC_OK);
    assert_memory_equal(got, ((uint8_t[]){1, 2, 3, 4}), 4);
    HOST(0x44, 0xBB, 0x00, 0x00, 0x00, 0x01, 0x01); /* page 1 */
    EXPECT(ACK, ACK);
    assert_int_equal(sim_mem_read(B, 0x08000100, got, 4, 1, NULL), SIM_ACC_OK);
    assert_memory_equal(got, ((uint8_t[]){0, 0, 0, 0}), 4); /* L1 erases to zeros */
    close_board();

    open_board("sim:stm32l151c8,boot0=1"); /* bootloader 2.0: Erase */
    HOST(0x7F);
    EXPECT(ACK);
    HOST(0x31, 0xCE, 0x08, 0x00, 0x03, 0x00, 0x0B, 0x03, 5, 6, 7, 8, 0x03 ^ 5 ^ 6 ^ 7 ^ 8);
    EXPECT(ACK, ACK, ACK);
    HOST(0x43, 0xBC, 0xFF, 0x00); /* global erase */
    EXPECT(ACK, NACK);
    HOST(0x43, 0xBC, 0x00, 0x03, 0x03); /* page 3 */
    EXPECT(ACK, ACK);
    assert_int_equal(sim_mem_read(B, 0x08000300, got, 4, 1, NULL), SIM_ACC_OK);
    assert_memory_equal(got, ((uint8_t[]){0, 0, 0, 0}), 4);
    close_board();
}

/* L4-type ROM (sim/families/bootloader_l4.c): the flash takes whole double words. Four bytes
 * at a double-word boundary program that double word with 0xFF in its other half, which then
 * cannot be programmed (the controller's PROGERR): NACK. Bank mass-erase codes exist only
 * where the part has two banks. */
static void test_l4_double_word_and_banks(void **state)
{
    (void)state;
    uint8_t got[8];
    const char *parts[] = {"sim:stm32g431rb,boot0=1", "sim:stm32g071rb,boot0=1",
                           "sim:stm32l476rg,boot0=1"};
    for (size_t i = 0; i < 3; i++) {
        open_board(parts[i]);
        HOST(0x7F);
        EXPECT(ACK);
        HOST(0x31, 0xCE, 0x08, 0x00, 0x00, 0x00, 0x08, 0x03, 1, 2, 3, 4, 0x03 ^ 1 ^ 2 ^ 3 ^ 4);
        EXPECT(ACK, ACK, ACK);
        assert_int_equal(sim_mem_read(B, 0x08000000, got, 8, 1, NULL), SIM_ACC_OK);
        assert_memory_equal(got, ((uint8_t[]){1, 2, 3, 4, 0xFF, 0xFF, 0xFF, 0xFF}), 8);
        HOST(0x31, 0xCE, 0x08, 0x00, 0x00, 0x04, 0x0C, 0x03, 5, 6, 7, 8, 0x03 ^ 5 ^ 6 ^ 7 ^ 8);
        EXPECT(ACK, ACK, NACK); /* the other half of a programmed double word */
        /* A whole double word next to it programs. */
        HOST(0x31, 0xCE, 0x08, 0x00, 0x00, 0x08, 0x00, 0x07, 1, 2, 3, 4, 5, 6, 7, 8,
             0x07 ^ 1 ^ 2 ^ 3 ^ 4 ^ 5 ^ 6 ^ 7 ^ 8);
        EXPECT(ACK, ACK, ACK);
        bool dual = i == 2;
        HOST(0x44, 0xBB, 0xFF, 0xFD, 0x02); /* bank 2 */
        if (dual) {
            EXPECT(ACK, ACK);
            assert_int_equal(sim_mem_read(B, 0x08000008, got, 8, 1, NULL), SIM_ACC_OK);
            assert_memory_equal(got, ((uint8_t[]){1, 2, 3, 4, 5, 6, 7, 8}), 8); /* bank 1 kept */
        } else {
            EXPECT(ACK, NACK);
        }
        HOST(0x44, 0xBB, 0xFF, 0xFF, 0x00); /* mass erase */
        EXPECT(ACK, ACK);
        assert_int_equal(sim_mem_read(B, 0x08000000, got, 8, 1, NULL), SIM_ACC_OK);
        assert_memory_equal(got, ((uint8_t[]){0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}), 8);
        close_board();
    }
}

/* L4-type Write Protect: page codes become WRP areas (two per bank); a third run is NACKed.
 * The option bytes take effect through OBL_LAUNCH: the ROM starts again (0x7F first). */
static void test_l4_write_protect_areas(void **state)
{
    (void)state;
    open_board("sim:stm32g431rb,boot0=1");
    HOST(0x7F, 0x63, 0x9C, 0x02, 1, 5, 9, 0x02 ^ 1 ^ 5 ^ 9); /* three runs */
    EXPECT(ACK, ACK, NACK);
    HOST(0x63, 0x9C, 0x02, 1, 2, 9, 0x02 ^ 1 ^ 2 ^ 9); /* pages 1-2 and 9 */
    EXPECT(ACK, ACK);
    /* Page 9 (0x08004800) refuses programming; page 3 does not. */
    HOST(0x7F, 0x31, 0xCE, 0x08, 0x00, 0x48, 0x00, 0x40, 0x07, 1, 2, 3, 4, 5, 6, 7, 8,
         0x07 ^ 1 ^ 2 ^ 3 ^ 4 ^ 5 ^ 6 ^ 7 ^ 8);
    EXPECT(ACK, ACK, ACK, NACK);
    HOST(0x31, 0xCE, 0x08, 0x00, 0x18, 0x00, 0x10, 0x07, 1, 2, 3, 4, 5, 6, 7, 8,
         0x07 ^ 1 ^ 2 ^ 3 ^ 4 ^ 5 ^ 6 ^ 7 ^ 8);
    EXPECT(ACK, ACK, ACK);
    HOST(0x44, 0xBB, 0xFF, 0xFF, 0x00); /* mass erase with a WRP area: WRPERR */
    EXPECT(ACK, NACK);
    HOST(0x73, 0x8C);
    EXPECT(ACK, ACK);
    HOST(0x7F, 0x44, 0xBB, 0xFF, 0xFF, 0x00);
    EXPECT(ACK, ACK, ACK);
    close_board();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sync_get_getid_f407),
        cmocka_unit_test(test_first_byte_not_sync_locks_wrong_baud),
        cmocka_unit_test(test_not_ready_right_after_reset),
        cmocka_unit_test(test_f103_offers_erase),
        cmocka_unit_test(test_write_read_erase_f407),
        cmocka_unit_test(test_rdp1_and_readout_unprotect),
        cmocka_unit_test(test_write_protect_and_unprotect),
        cmocka_unit_test(test_silent_without_boot0),
        cmocka_unit_test(test_other_baud_after_sync_is_lost),
        cmocka_unit_test(test_l1_no_mass_erase),
        cmocka_unit_test(test_l4_double_word_and_banks),
        cmocka_unit_test(test_l4_write_protect_areas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
