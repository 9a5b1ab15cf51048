/* Unit tests of the libusb shim (sim/usbshim) over the ST-Link model and the fake board:
 * enumeration and descriptors as a host sees them, synchronous and asynchronous transfers,
 * timeouts and cancellation. Calls the libusb API the shim exports, in-process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libusb-1.0/libusb.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <string.h>

#include "fake_board.h"

extern sim_board *fake_board_last; /* the board the shim opened (fake_board.c) */

static libusb_device_handle *open_stlink(void)
{
    libusb_device **list = NULL;
    ssize_t n = libusb_get_device_list(NULL, &list);
    assert_int_equal(n, 1);
    struct libusb_device_descriptor d;
    assert_int_equal(libusb_get_device_descriptor(list[0], &d), 0);
    assert_int_equal(d.idVendor, 0x0483);
    assert_int_equal(d.idProduct, 0x374B); /* default probe: V2-1 */
    libusb_device_handle *h = NULL;
    assert_int_equal(libusb_open(list[0], &h), 0);
    libusb_free_device_list(list, 1);
    assert_int_equal(libusb_claim_interface(h, 0), 0);
    return h;
}

static void test_descriptors(void **state)
{
    (void)state;
    assert_int_equal(libusb_init(NULL), 0);
    libusb_device_handle *h = open_stlink();
    unsigned char s[64];
    struct libusb_device_descriptor d;
    assert_int_equal(libusb_get_device_descriptor(libusb_get_device(h), &d), 0);
    assert_int_equal(libusb_get_string_descriptor_ascii(h, d.iManufacturer, s, sizeof(s)), 18);
    assert_string_equal((char *)s, "STMicroelectronics");
    assert_true(libusb_get_string_descriptor_ascii(h, d.iProduct, s, sizeof(s)) > 0);
    assert_string_equal((char *)s, "STM32 STLink");
    assert_int_equal(libusb_get_string_descriptor_ascii(h, d.iSerialNumber, s, sizeof(s)), 24);
    /* the raw descriptor as GET_DESCRIPTOR returns it: UTF-16LE, 2 + 2 * 24 bytes */
    unsigned char raw[64];
    assert_int_equal(libusb_get_string_descriptor(h, d.iSerialNumber, 0x0409, raw, sizeof(raw)),
                     50);
    assert_int_equal(raw[0], 50);
    assert_int_equal(raw[1], LIBUSB_DT_STRING);
    assert_int_equal(raw[2], s[0]);
    assert_int_equal(raw[3], 0);

    struct libusb_config_descriptor *c = NULL;
    assert_int_equal(libusb_get_active_config_descriptor(libusb_get_device(h), &c), 0);
    assert_int_equal(c->bNumInterfaces, 1);
    const struct libusb_interface_descriptor *alt = &c->interface[0].altsetting[0];
    assert_int_equal(alt->bNumEndpoints, 3);
    assert_int_equal(alt->bInterfaceClass, 0xFF);
    assert_int_equal(alt->endpoint[0].bEndpointAddress, 0x81);
    assert_int_equal(alt->endpoint[1].bEndpointAddress, 0x01);
    assert_int_equal(alt->endpoint[2].bEndpointAddress, 0x82);
    assert_int_equal(alt->endpoint[1].wMaxPacketSize, 64);
    libusb_free_config_descriptor(c);
    assert_int_equal(libusb_claim_interface(h, 1), LIBUSB_ERROR_NOT_FOUND);
    assert_int_equal(libusb_get_device_speed(libusb_get_device(h)), LIBUSB_SPEED_FULL);
    libusb_close(h);
    libusb_exit(NULL);
}

static void test_sync_transfers(void **state)
{
    (void)state;
    libusb_device_handle *h = open_stlink();
    unsigned char cmd[16] = {0xF1}, r[64];
    int n = 0;
    assert_int_equal(libusb_bulk_transfer(h, 0x01, cmd, 16, &n, 1000), 0);
    assert_int_equal(n, 16);
    assert_int_equal(libusb_bulk_transfer(h, 0x81, r, sizeof(r), &n, 1000), 0);
    assert_int_equal(n, 6); /* a short packet ends the transfer */
    assert_int_equal(r[4] | r[5] << 8, 0x374B);
    /* nothing more to read: the host times out, and waited its timeout in virtual time */
    uint64_t t0 = fake_board_last->now_ns;
    assert_int_equal(libusb_bulk_transfer(h, 0x81, r, sizeof(r), &n, 250), LIBUSB_ERROR_TIMEOUT);
    assert_int_equal(n, 0);
    assert_true(fake_board_last->now_ns - t0 >= 250000000ull);
    /* the V2 OUT endpoint does not exist on a V2-1 */
    assert_int_equal(libusb_bulk_transfer(h, 0x02, cmd, 16, &n, 1000), LIBUSB_ERROR_PIPE);
    libusb_close(h);
}

static int order[8];
static int norder;

static void LIBUSB_CALL record_cb(struct libusb_transfer *t)
{
    order[norder++] = (int)(intptr_t)t->user_data;
}

static void test_async_transfers(void **state)
{
    (void)state;
    libusb_device_handle *h = open_stlink();
    unsigned char cmd[16] = {0xF5}, r[64];
    struct libusb_transfer *in = libusb_alloc_transfer(0);
    struct libusb_transfer *out = libusb_alloc_transfer(0);
    norder = 0;
    /* the IN is posted before the command: it completes once the reply exists */
    libusb_fill_bulk_transfer(in, h, 0x81, r, sizeof(r), record_cb, (void *)(intptr_t)2, 1000);
    libusb_fill_bulk_transfer(out, h, 0x01, cmd, 16, record_cb, (void *)(intptr_t)1, 1000);
    assert_int_equal(libusb_submit_transfer(in), 0);
    assert_int_equal(libusb_submit_transfer(in), LIBUSB_ERROR_BUSY);
    assert_int_equal(libusb_submit_transfer(out), 0);
    assert_int_equal(norder, 0); /* callbacks only from event handling */
    int done = 0;
    assert_int_equal(libusb_handle_events_completed(NULL, &done), 0);
    assert_int_equal(norder, 2);
    assert_int_equal(order[0], 1);
    assert_int_equal(order[1], 2);
    assert_int_equal(out->status, LIBUSB_TRANSFER_COMPLETED);
    assert_int_equal(out->actual_length, 16);
    assert_int_equal(in->status, LIBUSB_TRANSFER_COMPLETED);
    assert_int_equal(in->actual_length, 2);
    assert_int_equal(r[0], 0x01); /* mass-storage mode */

    /* an IN with nothing to receive: cancelled, or timed out at the next event handling */
    assert_int_equal(libusb_submit_transfer(in), 0);
    assert_int_equal(libusb_cancel_transfer(in), 0);
    assert_int_equal(libusb_cancel_transfer(in), LIBUSB_ERROR_NOT_FOUND);
    libusb_handle_events(NULL);
    assert_int_equal(in->status, LIBUSB_TRANSFER_CANCELLED);
    assert_int_equal(libusb_submit_transfer(in), 0);
    struct timeval tv = {0, 0};
    libusb_handle_events_timeout_completed(NULL, &tv, &done);
    assert_int_equal(in->status, LIBUSB_TRANSFER_TIMED_OUT);
    libusb_free_transfer(in);
    libusb_free_transfer(out);

    /* control transfer through the async path: GET_DESCRIPTOR(device) */
    struct libusb_transfer *ct = libusb_alloc_transfer(0);
    unsigned char *buf = malloc(LIBUSB_CONTROL_SETUP_SIZE + 18);
    libusb_fill_control_setup(buf, 0x80, LIBUSB_REQUEST_GET_DESCRIPTOR, LIBUSB_DT_DEVICE << 8, 0,
                              18);
    libusb_fill_control_transfer(ct, h, buf, record_cb, (void *)(intptr_t)3, 1000);
    ct->flags = LIBUSB_TRANSFER_FREE_BUFFER;
    assert_int_equal(libusb_submit_transfer(ct), 0);
    libusb_handle_events(NULL);
    assert_int_equal(ct->status, LIBUSB_TRANSFER_COMPLETED);
    assert_int_equal(ct->actual_length, 18);
    assert_int_equal(libusb_control_transfer_get_data(ct)[0], 18);
    assert_int_equal(libusb_control_transfer_get_data(ct)[10], 0x4B);
    libusb_free_transfer(ct);
    libusb_close(h);
}

static uint64_t ns_of(const struct timespec *t)
{
    return (uint64_t)t->tv_sec * 1000000000u + (uint64_t)t->tv_nsec;
}

static void test_host_on_virtual_clock(void **state)
{
    (void)state;
    libusb_device_handle *h = open_stlink(); /* the board is open from here on */
    uint64_t b0 = fake_board_last->now_ns;
    struct timespec t0, t1;
    assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &t0), 0);
    assert_int_equal(usleep(250000), 0); /* a quarter second on the board, none for real */
    assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &t1), 0);
    uint64_t dt = ns_of(&t1) - ns_of(&t0);
    assert_true(dt >= 250000000u && dt < 250010000u);
    assert_true(fake_board_last->now_ns - b0 >= 250000000u);
    /* a loop that only watches the clock ends: each query costs 1 us */
    struct timespec t;
    unsigned n = 0;
    do {
        clock_gettime(CLOCK_MONOTONIC, &t);
        n++;
    } while (ns_of(&t) - ns_of(&t1) < 1000000u);
    assert_true(n >= 999 && n <= 1001);
    /* deferred query time reaches the board with the next transfer */
    uint64_t b1 = fake_board_last->now_ns;
    unsigned char cmd[16] = {0xF5}, r[2];
    int x = 0;
    assert_int_equal(libusb_bulk_transfer(h, 0x01, cmd, 16, &x, 100), 0);
    assert_int_equal(libusb_bulk_transfer(h, 0x81, r, 2, &x, 100), 0);
    assert_true(fake_board_last->now_ns - b1 >= 1000000u);
    struct timeval tv;
    assert_int_equal(gettimeofday(&tv, NULL), 0);
    assert_true(time(NULL) >= tv.tv_sec);
    libusb_close(h);
}

static void test_errors_and_version(void **state)
{
    (void)state;
    assert_string_equal(libusb_error_name(LIBUSB_ERROR_TIMEOUT), "LIBUSB_ERROR_TIMEOUT");
    assert_string_equal(libusb_strerror(LIBUSB_ERROR_PIPE), "Pipe error");
    assert_int_equal(libusb_get_version()->major, 1);
    assert_int_equal(libusb_set_option(NULL, LIBUSB_OPTION_LOG_LEVEL, 3), 0);
    libusb_device_handle *h = libusb_open_device_with_vid_pid(NULL, 0x0483, 0x374B);
    assert_non_null(h);
    libusb_close(h);
    assert_null(libusb_open_device_with_vid_pid(NULL, 0x0483, 0x3748));
}

int main(void)
{
    setenv("STPROG_SIM", "sim:stm32f407vg,probe=v2-1", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_descriptors),        cmocka_unit_test(test_sync_transfers),
        cmocka_unit_test(test_async_transfers),    cmocka_unit_test(test_host_on_virtual_clock),
        cmocka_unit_test(test_errors_and_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
