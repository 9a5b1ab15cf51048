/* Bytes on a serial line: the seam the ROM bootloader driver (probe/an3155*.c) talks
 * through. Implemented by a termios tty (transport/serial.c) and, in the tests, by a
 * scripted byte stream, so the driver's exact bytes and its handling of silence, garbage
 * and NACKs can be asserted. */
#ifndef STP_TRANSPORT_SERIAL_H
#define STP_TRANSPORT_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stprog/finding.h"
#include "stprog/status.h"

typedef struct stp_byte_link stp_byte_link;

typedef struct stp_byte_link_ops {
    /* Sends all len bytes. STP_ERR_IO (finding link.io) when the line fails. */
    stp_status (*write)(stp_byte_link *l, const uint8_t *buf, size_t len, stp_findings *findings);
    /* Receives up to len bytes, waiting at most timeout_ms in all; *got = bytes received.
     * Fewer than len is not an error here (the caller names what was missing). */
    stp_status (*read)(stp_byte_link *l, uint8_t *buf, size_t len, unsigned timeout_ms, size_t *got,
                       stp_findings *findings);
    /* Drops received bytes not read yet. */
    void (*flush_input)(stp_byte_link *l);
    /* Modem-control lines: 1 = asserted (pin low on a typical adapter), 0 = released,
     * -1 = leave as is. STP_ERR_UNSUPPORTED when the line has none (a pty). */
    stp_status (*set_lines)(stp_byte_link *l, int dtr, int rts);
    /* Waits ms milliseconds (real time on a tty; nothing in a scripted stream). */
    void (*sleep_ms)(stp_byte_link *l, unsigned ms);
    void (*close)(stp_byte_link *l);
} stp_byte_link_ops;

struct stp_byte_link {
    const stp_byte_link_ops *ops;
    uint32_t baud; /* for transfer-time based timeouts; 0 = unknown */
};

typedef struct stp_serial_options {
    uint32_t baud;    /* 1200 .. 921600 (default 115200) */
    bool parity_even; /* 8E1 (what the ROM bootloader speaks); false = 8N1 */
} stp_serial_options;

/* Opens a tty in raw mode at the options' rate and framing. *parity_kept (may be NULL) is
 * false when the driver did not keep the parity asked for (a pseudo-terminal drops it).
 * Errors: STP_ERR_NO_PROBE (no such device), STP_ERR_PERMISSION, STP_ERR_PROBE_BUSY (locked
 * by another program), STP_ERR_INVALID_ARG (not a tty, unsupported rate), each with a
 * finding. */
stp_status stp_serial_open(const char *path, const stp_serial_options *opt, stp_byte_link **out,
                           bool *parity_kept, stp_findings *findings);

#endif
