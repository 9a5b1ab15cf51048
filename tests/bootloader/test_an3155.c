/* The AN3155 host driver against a scripted byte stream: the exact bytes it sends, and
 * what it makes of silence, garbage, NACKs and a chip that restarts mid-write. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "probe/an3155.h"
#include "script_link.h"

#define ACK  0x79
#define NACK 0x1F

static script_link L;
static stp_an3155 S;
static stp_findings F;

static int setup(void **state)
{
    (void)state;
    script_init(&L);
    stp_an3155_init(&S, &L.base, NULL);
    memset(&F, 0, sizeof(F));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    stp_findings_free(&F);
    return 0;
}

/* Sync, then Get (v3.1: Extended Erase) or (v2.2: Erase) and Get ID 0x413 / 0x410. */
static void identify(bool v3, size_t *pos)
{
    REPLY(&L, ACK);
    if (v3)
        REPLY(&L, ACK, 11, 0x31, 0x00, 0x01, 0x02, 0x11, 0x21, 0x31, 0x44, 0x63, 0x73, 0x82, 0x92,
              ACK);
    else
        REPLY(&L, ACK, 11, 0x22, 0x00, 0x01, 0x02, 0x11, 0x21, 0x31, 0x43, 0x63, 0x73, 0x82, 0x92,
              ACK);
    if (v3)
        REPLY(&L, ACK, 1, 0x04, 0x13, ACK);
    else
        REPLY(&L, ACK, 1, 0x04, 0x10, ACK);
    assert_int_equal(stp_an3155_sync(&S, &F), STP_OK);
    assert_int_equal(stp_an3155_identify(&S, &F), STP_OK);
    SENT(&L, pos, 0x7F, 0x00, 0xFF, 0x02, 0xFD);
}

static void test_identify(void **state)
{
    (void)state;
    size_t pos = 0;
    identify(true, &pos);
    assert_int_equal(S.version, 0x31);
    assert_int_equal(S.pid, 0x413);
    assert_non_null(S.chip);
    assert_string_equal(S.chip->family, "F4");
    assert_true(stp_an3155_has(&S, 0x44));
    assert_false(stp_an3155_has(&S, 0x43));
    assert_int_equal(F.count, 0);
}

static void test_silence_is_no_target(void **state)
{
    (void)state;
    S.usart_hint = "USART1 PA9(TX)/PA10(RX) on the STM32F40x/F41x";
    assert_int_equal(stp_an3155_sync(&S, &F), STP_ERR_NO_TARGET);
    const stp_finding *f = stp_findings_find(&F, "link.no-target");
    assert_non_null(f);
    assert_non_null(strstr(f->advice, "BOOT0"));
    assert_non_null(strstr(f->advice, "TX"));
    assert_non_null(strstr(f->advice, "PA9"));
    /* Only 0x7F, six times: any other byte would lock the bootloader at a wrong rate. */
    size_t pos = 0;
    SENT(&L, &pos, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F);
    assert_int_equal(L.sent_len, 6);
}

static void test_open_session_answers_nack(void **state)
{
    (void)state;
    REPLY(&L, NACK);
    assert_int_equal(stp_an3155_sync(&S, &F), STP_OK);
    REPLY(&L, GAP, NACK); /* waiting for 0x7F's complement: the next 0x7F is a bad one */
    assert_int_equal(stp_an3155_sync(&S, &F), STP_OK);
    assert_int_equal(F.count, 0);
    size_t pos = 0;
    SENT(&L, &pos, 0x7F, 0x7F, 0x7F);
}

/* The first 0x7F is lost (sent before the bootloader was ready): the driver sends 0x7F
 * again, never another byte, and the second is acknowledged. */
static void test_first_sync_lost_resends_0x7f(void **state)
{
    (void)state;
    REPLY(&L, GAP, ACK);
    assert_int_equal(stp_an3155_sync(&S, &F), STP_OK);
    size_t pos = 0;
    SENT(&L, &pos, 0x7F, 0x7F);
    assert_int_equal(L.sent_len, 2);
}

static void test_garbage_to_sync(void **state)
{
    (void)state;
    REPLY(&L, 0x00, GAP, 0xE0, GAP, GAP, 0x00, GAP, GAP);
    assert_int_equal(stp_an3155_sync(&S, &F), STP_ERR_NO_TARGET);
    const stp_finding *f = stp_findings_find(&F, "link.no-target");
    assert_non_null(f);
    assert_non_null(strstr(f->message, "0x"));
}

static void test_read_frames_and_retry_after_nack(void **state)
{
    (void)state;
    size_t pos = 0;
    identify(true, &pos);
    /* First try: the address is NACKed; second: data. */
    REPLY(&L, ACK, NACK);
    REPLY(&L, ACK, ACK, ACK, 0xDE, 0xAD, 0xBE, 0xEF);
    uint8_t buf[4];
    assert_int_equal(stp_an3155_read(&S, 0x08000100, buf, 4, &F), STP_OK);
    assert_memory_equal(buf, ((uint8_t[]){0xDE, 0xAD, 0xBE, 0xEF}), 4);
    SENT(&L, &pos, 0x11, 0xEE, 0x08, 0x00, 0x01, 0x00, 0x09);
    SENT(&L, &pos, 0x11, 0xEE, 0x08, 0x00, 0x01, 0x00, 0x09, 0x03, 0xFC);
    assert_int_equal(S.retries, 1);
    assert_int_equal(F.count, 0); /* a retried failure leaves no finding */
}

static void test_read_short_data_times_out(void **state)
{
    (void)state;
    size_t pos = 0;
    identify(true, &pos);
    for (int i = 0; i < 3; i++)
        REPLY(&L, ACK, ACK, ACK, 0x01, 0x02, GAP);
    uint8_t buf[4];
    assert_int_equal(stp_an3155_read(&S, 0x08000000, buf, 4, &F), STP_ERR_TIMEOUT);
    const stp_finding *f = stp_findings_find(&F, "bootloader.timeout");
    assert_non_null(f);
    assert_non_null(strstr(f->message, "2 of 4 bytes"));
}

static void test_rdp_nack_is_protect_rdp1(void **state)
{
    (void)state;
    size_t pos = 0;
    identify(true, &pos);
    REPLY(&L, NACK);
    uint8_t buf[4];
    assert_int_equal(stp_an3155_read(&S, 0x08000000, buf, 4, &F), STP_ERR_PROTECTED);
    assert_non_null(stp_findings_find(&F, "protect.rdp1"));
    SENT(&L, &pos, 0x11, 0xEE); /* no retry: protection does not go away */
    assert_int_equal(L.sent_len, pos);
}

static void test_garbage_reply_is_named(void **state)
{
    (void)state;
    size_t pos = 0;
    identify(true, &pos);
    for (int i = 0; i < 3; i++)
        REPLY(&L, 0x55);
    uint8_t buf[4];
    assert_int_equal(stp_an3155_read(&S, 0x08000000, buf, 4, &F), STP_ERR_PROTOCOL);
    const stp_finding *f = stp_findings_find(&F, "bootloader.bad-reply");
    assert_non_null(f);
    assert_non_null(strstr(f->message, "0x55"));
}

static void test_write_frame_padding_and_checksum(void **state)
{
    (void)state;
    size_t pos = 0;
    identify(true, &pos);
    REPLY(&L, ACK, ACK, ACK);
    const uint8_t data[5] = {1, 2, 3, 4, 5};
    assert_int_equal(stp_an3155_write(&S, 0x20000000, data, 5, 0xFF, &F), STP_OK);
    /* N = 7 (8 bytes after padding); checksum = 7^1^2^3^4^5^FF^FF^FF = 0xF9. */
    SENT(&L, &pos, 0x31, 0xCE, 0x20, 0x00, 0x00, 0x00, 0x20, 0x07, 1, 2, 3, 4, 5, 0xFF, 0xFF, 0xFF,
         0xF9);
    assert_int_equal(L.sent_len, pos);
}

static void test_write_checksum_nack_retried_once(void **state)
{
    (void)state;
    size_t pos = 0;
    identify(true, &pos);
    REPLY(&L, ACK, ACK, NACK, ACK, ACK, NACK);
    const uint8_t data[4] = {1, 2, 3, 4};
    assert_int_equal(stp_an3155_write(&S, 0x08000000, data, 4, 0xFF, &F), STP_ERR_PROTOCOL);
    const stp_finding *f = stp_findings_find(&F, "bootloader.nack");
    assert_non_null(f);
    assert_non_null(strstr(f->message, "Write Memory"));
    assert_int_equal(S.retries, 1);
}

static void test_reset_mid_write_is_named(void **state)
{
    (void)state;
    size_t pos = 0;
    identify(true, &pos);
    /* ACKs for command and address, then nothing; the chip answers a new 0x7F: it restarted. */
    REPLY(&L, ACK, ACK, GAP, ACK);
    uint8_t data[256];
    memset(data, 0xA5, sizeof(data));
    assert_int_equal(stp_an3155_write(&S, 0x08004000, data, 256, 0xFF, &F), STP_ERR_TARGET_FAULT);
    const stp_finding *f = stp_findings_find(&F, "bootloader.target-reset");
    assert_non_null(f);
    assert_non_null(strstr(f->message, "0x08004000"));
}

static void test_extended_erase_frames(void **state)
{
    (void)state;
    size_t pos = 0;
    identify(true, &pos);
    REPLY(&L, ACK, ACK, ACK, ACK);
    const uint16_t units[2] = {1, 11};
    const uint32_t sizes[2] = {16384, 131072};
    assert_int_equal(stp_an3155_erase(&S, units, sizes, 2, &F), STP_OK);
    SENT(&L, &pos, 0x44, 0xBB, 0x00, 0x01, 0x00, 0x01, 0x00, 0x0B, 0x0B);
    assert_int_equal(stp_an3155_mass_erase(&S, &F), STP_OK);
    SENT(&L, &pos, 0x44, 0xBB, 0xFF, 0xFF, 0x00);
}

static void test_erase_frames_v2(void **state)
{
    (void)state;
    size_t pos = 0;
    identify(false, &pos);
    REPLY(&L, ACK, ACK, ACK, ACK);
    const uint16_t units[3] = {0, 1, 5};
    const uint32_t sizes[3] = {1024, 1024, 1024};
    assert_int_equal(stp_an3155_erase(&S, units, sizes, 3, &F), STP_OK);
    SENT(&L, &pos, 0x43, 0xBC, 0x02, 0x00, 0x01, 0x05, 0x06);
    assert_int_equal(stp_an3155_mass_erase(&S, &F), STP_OK);
    SENT(&L, &pos, 0x43, 0xBC, 0xFF, 0x00);
}

static void test_erase_nack_fails(void **state)
{
    (void)state;
    size_t pos = 0;
    identify(true, &pos);
    REPLY(&L, ACK, NACK);
    const uint16_t units[1] = {3};
    const uint32_t sizes[1] = {16384};
    assert_int_equal(stp_an3155_erase(&S, units, sizes, 1, &F), STP_ERR_PROTOCOL);
    assert_non_null(stp_findings_find(&F, "bootloader.nack"));
}

static void test_readout_unprotect_resyncs(void **state)
{
    (void)state;
    size_t pos = 0;
    identify(true, &pos);
    REPLY(&L, ACK, ACK, ACK); /* command, done, then ACK to the new 0x7F after the reset */
    assert_int_equal(stp_an3155_readout_unprotect(&S, &F), STP_OK);
    SENT(&L, &pos, 0x92, 0x6D, 0x7F);
    assert_true(L.sleeps >= 1);
}

static void test_write_protect_frame(void **state)
{
    (void)state;
    size_t pos = 0;
    identify(true, &pos);
    REPLY(&L, ACK, ACK, ACK);
    const uint8_t units[2] = {1, 2};
    assert_int_equal(stp_an3155_write_protect(&S, units, 2, &F), STP_OK);
    SENT(&L, &pos, 0x63, 0x9C, 0x01, 0x01, 0x02, 0x02, 0x7F);
}

static void test_go_frame(void **state)
{
    (void)state;
    size_t pos = 0;
    identify(true, &pos);
    REPLY(&L, ACK, ACK);
    assert_int_equal(stp_an3155_go(&S, 0x08000000, &F), STP_OK);
    SENT(&L, &pos, 0x21, 0xDE, 0x08, 0x00, 0x00, 0x00, 0x08);
    /* The bootloader no longer listens: the next command is refused without a byte sent. */
    size_t before = L.sent_len;
    uint8_t b[4];
    assert_int_equal(stp_an3155_read(&S, 0x08000000, b, 4, &F), STP_ERR_NO_TARGET);
    assert_non_null(stp_findings_find(&F, "bootloader.left"));
    assert_int_equal(L.sent_len, before);
}

/* A Go recorded on the port by an earlier run: silence is the chip that left its
 * bootloader (advice: reset with BOOT0 high), with the line's contents as evidence; the
 * same silence without a note is the wiring advice (test_silence_is_no_target). */
static void test_silence_after_recorded_go(void **state)
{
    (void)state;
    stp_uart_go_note note = {.addr = 0x08000000, .dev_id = 0x413, .when = 0};
    S.left_by_go = &note;
    assert_int_equal(stp_an3155_sync(&S, &F), STP_ERR_NO_TARGET);
    const stp_finding *f = stp_findings_find(&F, "bootloader.left");
    assert_non_null(f);
    assert_null(stp_findings_find(&F, "link.no-target"));
    assert_non_null(strstr(f->message, "go 0x08000000"));
    assert_non_null(strstr(f->advice, "BOOT0 high"));
    assert_null(strstr(f->advice, "TX"));
    stp_findings_free(&F);
    memset(&F, 0, sizeof(F));
    /* The program talks on the line: its bytes are the evidence. */
    script_init(&L);
    REPLY(&L, 'H', GAP, 'i', GAP, GAP, GAP, GAP, GAP);
    assert_int_equal(stp_an3155_sync(&S, &F), STP_ERR_NO_TARGET);
    f = stp_findings_find(&F, "bootloader.left");
    assert_non_null(f);
    bool noted = false;
    for (size_t i = 0; i < f->evidence_count; i++)
        noted = noted || strstr(f->evidence[i].value, "not the bootloader's") != NULL;
    assert_true(noted);
}

static void test_parse_get(void **state)
{
    (void)state;
    uint8_t v, cmds[16];
    size_t n;
    const uint8_t ok[] = {2, 0x31, 0x00, 0x11};
    assert_true(stp_an3155_parse_get(ok, sizeof(ok), &v, cmds, sizeof(cmds), &n));
    assert_int_equal(n, 2);
    assert_int_equal(v, 0x31);
    const uint8_t short_[] = {5, 0x31, 0x00};
    assert_false(stp_an3155_parse_get(short_, sizeof(short_), &v, cmds, sizeof(cmds), &n));
    const uint8_t zero[] = {0, 0x31};
    assert_false(stp_an3155_parse_get(zero, sizeof(zero), &v, cmds, sizeof(cmds), &n));
}

static void test_get_with_wrong_count_is_bad_reply(void **state)
{
    (void)state;
    REPLY(&L, ACK);
    REPLY(&L, ACK, 40, GAP);
    assert_int_equal(stp_an3155_sync(&S, &F), STP_OK);
    assert_int_not_equal(stp_an3155_identify(&S, &F), STP_OK);
    assert_true(stp_findings_find(&F, "bootloader.timeout") != NULL ||
                stp_findings_find(&F, "bootloader.bad-reply") != NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_identify, setup, teardown),
        cmocka_unit_test_setup_teardown(test_silence_is_no_target, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_session_answers_nack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_to_sync, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_sync_lost_resends_0x7f, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_frames_and_retry_after_nack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_short_data_times_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rdp_nack_is_protect_rdp1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_reply_is_named, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_frame_padding_and_checksum, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_checksum_nack_retried_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_mid_write_is_named, setup, teardown),
        cmocka_unit_test_setup_teardown(test_extended_erase_frames, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase_frames_v2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase_nack_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readout_unprotect_resyncs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_protect_frame, setup, teardown),
        cmocka_unit_test_setup_teardown(test_go_frame, setup, teardown),
        cmocka_unit_test_setup_teardown(test_silence_after_recorded_go, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_with_wrong_count_is_bad_reply, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
