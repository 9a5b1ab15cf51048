/* A scripted USB transport for protocol tests: every OUT transfer must match the next
 * expected bytes exactly; IN transfers return the scripted replies; the clock is virtual. */
#ifndef STP_TEST_MOCK_USB_H
#define STP_TEST_MOCK_USB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "transport/transport.h"

#define MOCK_MAX_SLEEPS 64

typedef struct mock_step mock_step;

typedef struct mock_usb {
    stp_usb base;
    mock_step *steps;
    size_t count, cap, pos;
    uint64_t now_ns;
    uint64_t sleeps_ms[MOCK_MAX_SLEEPS];
    size_t nsleeps;
    bool closed;
    unsigned flushes; /* IN reads of at most MOCK_FLUSH_MS that found nothing */
    unsigned resets;  /* USB resets (the ops' reset) */
} mock_usb;

/* An IN read with this timeout or less, where the script does not offer a reply, is the
 * driver emptying the endpoint: it times out without consuming a step. */
#define MOCK_FLUSH_MS 1u

mock_usb *mock_usb_new(uint16_t pid);
void mock_usb_free(mock_usb *m);
/* Expect a command block: cmd padded with zeros to 16 bytes. */
void mock_expect_cmd(mock_usb *m, const uint8_t *cmd, size_t len);
/* Expect a data phase of exactly these bytes. */
void mock_expect_data(mock_usb *m, const uint8_t *data, size_t len);
/* The next IN transfer returns these bytes. */
void mock_reply(mock_usb *m, const uint8_t *data, size_t len);
/* The next transfer (OUT when out, else IN) fails as if the probe were unplugged. */
void mock_fail(mock_usb *m, bool out);
/* Asserts that the whole script was consumed. */
void mock_assert_done(const mock_usb *m);

/* Convenience: a command with a 2-byte reply {status, 0}. */
void mock_cmd_status(mock_usb *m, const uint8_t *cmd, size_t len, uint8_t status);
/* GETLASTRWSTATUS2 exchange answering status (fault address fault_addr when not OK). */
void mock_rwstatus2(mock_usb *m, uint8_t status, uint32_t fault_addr);
/* GET_VERSION reply for an ST-Link V2/V2-1 (ver 2) with this JTAG and third field. */
void mock_version_v2(mock_usb *m, uint16_t pid, unsigned jtag, unsigned x);
/* The full open sequence of a V2/V2-1 probe in mass-storage mode, default clock. */
void mock_open_v2(mock_usb *m, unsigned jtag, unsigned x);

#define CMD(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

#endif
