/* The STM32 ROM bootloader's USART protocol (AN3155), host side, on a byte link
 * (transport/serial.h). Frames, checksums and the order of ACKs follow AN3155; answer
 * deadlines come from the line rate (11 bit times per byte at 8E1) plus the chip's
 * datasheet times for the flash operations (erase can take seconds: a mass erase of an
 * F407 is up to 16 s). Failures come back as a status plus a finding:
 *   link.no-target          no answer to 0x7F (advice: BOOT0, TX/RX, rate, the pins)
 *   bootloader.left         no answer to 0x7F after a Go on this port (advice: reset with
 *                           BOOT0 high), or a command after Go in the same session
 *   protect.rdp1            a command NACKed because read protection is active
 *   bootloader.nack         a command or its arguments refused
 *   bootloader.timeout      the answer did not come in time
 *   bootloader.bad-reply    a byte that is neither ACK nor NACK where one was due
 *   bootloader.target-reset the chip restarted in the middle of a command
 * Read Memory is retried after a NACK or a lost answer; Write Memory after a NACK of its
 * checksum (nothing was written then). */
#ifndef STP_PROBE_AN3155_H
#define STP_PROBE_AN3155_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stprog/env.h"
#include "stprog/finding.h"
#include "stprog/status.h"
#include "chipdb/chipdb.h"
#include "probe/uart_note.h"
#include "transport/serial.h"

#define STP_AN3155_ACK       0x79u
#define STP_AN3155_NACK      0x1Fu
#define STP_AN3155_SYNC      0x7Fu
#define STP_AN3155_MAX_BLOCK 256u

typedef enum stp_an3155_cmd {
    STP_AN3155_GET = 0x00,
    STP_AN3155_GET_VERSION = 0x01,
    STP_AN3155_GET_ID = 0x02,
    STP_AN3155_READ = 0x11,
    STP_AN3155_GO = 0x21,
    STP_AN3155_WRITE = 0x31,
    STP_AN3155_ERASE = 0x43,
    STP_AN3155_EXT_ERASE = 0x44,
    STP_AN3155_WRITE_PROTECT = 0x63,
    STP_AN3155_WRITE_UNPROTECT = 0x73,
    STP_AN3155_READOUT_PROTECT = 0x82,
    STP_AN3155_READOUT_UNPROTECT = 0x92,
} stp_an3155_cmd;

typedef struct stp_an3155 {
    stp_byte_link *link; /* not owned */
    const stp_env *env;
    const char *usart_hint; /* the bootloader USART pins for advice ("" = unknown part) */
    uint8_t version;        /* protocol version from Get (0x31 = 3.1) */
    uint8_t commands[32];   /* command codes Get listed */
    size_t command_count;
    uint16_t pid;
    const stp_chip *chip; /* from the PID: erase/program deadlines */
    uint32_t flash_kb;
    unsigned retries; /* retries done (for tests and -v) */
    /* A Go recorded on this port by an earlier run (probe/uart_note.h), NULL when none:
     * silence to 0x7F is then the chip that left its bootloader, not the wiring. */
    const stp_uart_go_note *left_by_go;
    unsigned sync_noise; /* bytes heard while syncing that were neither ACK nor NACK */
    bool gone;           /* Go was ACKed in this session: the bootloader no longer listens */
} stp_an3155;

/* Sets up s on link (touches nothing on the line). */
void stp_an3155_init(stp_an3155 *s, stp_byte_link *link, const stp_env *env);

/* 0x7F and ACK (auto-baud). A NACK means a session is already open (the bootloader took
 * 0x7F for a command); silence is retried, then link.no-target. */
stp_status stp_an3155_sync(stp_an3155 *s, stp_findings *findings);
/* Get, Get ID: fills version, commands, pid and chip. */
stp_status stp_an3155_identify(stp_an3155 *s, stp_findings *findings);
/* Whether Get listed cmd. */
bool stp_an3155_has(const stp_an3155 *s, uint8_t cmd);

/* Read Memory of any length (blocks of 256). */
stp_status stp_an3155_read(stp_an3155 *s, uint32_t addr, uint8_t *buf, size_t len,
                           stp_findings *findings);
/* Write Memory: addr a multiple of 4; len is padded to a multiple of 4 with pad. */
stp_status stp_an3155_write(stp_an3155 *s, uint32_t addr, const uint8_t *data, size_t len,
                            uint8_t pad, stp_findings *findings);
/* Erases erase units by position (Erase or Extended Erase as Get offered). sizes[i] is
 * the unit's size, for the deadline. */
stp_status stp_an3155_erase(stp_an3155 *s, const uint16_t *units, const uint32_t *sizes,
                            size_t count, stp_findings *findings);
stp_status stp_an3155_mass_erase(stp_an3155 *s, stp_findings *findings);
/* Option-byte commands; each ends with a system reset, after which the session is synced
 * again. */
stp_status stp_an3155_write_protect(stp_an3155 *s, const uint8_t *units, size_t count,
                                    stp_findings *findings);
stp_status stp_an3155_write_unprotect(stp_an3155 *s, stp_findings *findings);
stp_status stp_an3155_readout_protect(stp_an3155 *s, stp_findings *findings);
stp_status stp_an3155_readout_unprotect(stp_an3155 *s, stp_findings *findings);
/* Go: the program whose vector table is at addr starts; the bootloader stops listening. */
stp_status stp_an3155_go(stp_an3155 *s, uint32_t addr, stp_findings *findings);

/* Parses one reply of Get (after its first ACK): N, version, N command codes. Returns
 * false on a malformed reply. Used by the driver and the fuzz target. */
bool stp_an3155_parse_get(const uint8_t *reply, size_t len, uint8_t *version, uint8_t *commands,
                          size_t max, size_t *count);

#endif
