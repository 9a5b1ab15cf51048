/* The virtual board's ROM bootloader: the USART protocol of AN3155 (ST application note
 * "USART protocol used in the STM32 bootloader"), device side, on a byte stream.
 *
 * The model is what runs on the chip when it boots from system memory (spec boot0=1):
 * it waits for 0x7F, answers ACK (0x79) or NACK (0x1F), and serves Get, Get Version,
 * Get ID, Read Memory, Go, Write Memory, Erase (0x43) or Extended Erase (0x44) - whichever
 * the chip's bootloader version offers -, Write Protect/Unprotect and Readout
 * Protect/Unprotect. Flash is programmed and erased through the board's flash-controller
 * model (the same registers a debugger would use), so timing, faults, wear, protection and
 * the state file are shared with the SWD side. Every byte on the line costs 11 bit times
 * (8E1) at the baud rate the host uses, on the board's virtual clock.
 *
 * Documented in docs/bootloader.md. */
#ifndef SIM_BOOTLOADER_H
#define SIM_BOOTLOADER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/board.h"

typedef struct sim_bl sim_bl;

/* One byte as the USART received it. */
typedef struct sim_bl_rx {
    uint8_t byte;
    uint32_t baud;    /* the host's baud rate (0 = unknown: 115200 assumed) */
    bool frame_ok;    /* false: framing error (host not at 8 data bits); the byte is lost */
    uint64_t idle_ns; /* how long the line was idle before it (host time; counts only
                       * while the chip starts up after a reset) */
} sim_bl_rx;

/* The line the model talks on. */
typedef struct sim_bl_io {
    void *ctx;
    /* Waits for the next byte. 1 = got one, 0 = stop serving (closed or asked to stop). */
    int (*read)(void *ctx, sim_bl_rx *rx);
    /* Sends bytes to the host. 0 on success. */
    int (*write)(void *ctx, const uint8_t *buf, size_t len);
} sim_bl_io;

/* Counters of what the model did (for tests and the report). */
typedef struct sim_bl_stats {
    uint64_t commands; /* commands received (ACKed or NACKed) */
    uint64_t nacks;
    uint64_t bytes_rx, bytes_tx;
    uint64_t line_errors; /* bytes lost to parity/framing errors, or at a wrong rate */
    uint64_t early_bytes; /* bytes lost because the ROM code was still starting */
} sim_bl_stats;

/* Creates the model on board b (which stays owned by the caller). NULL with a message when
 * the part's flash family has no bootloader model (see docs/bootloader.md). The board
 * should be opened with boot0=1: without it the chip runs its flash program and the model
 * stays silent, as a real chip does. */
sim_bl *sim_bl_create(sim_board *b, char *err, size_t errlen);
void sim_bl_destroy(sim_bl *m);

/* Serves the protocol until io->read returns 0. The protocol state (waiting for 0x7F,
 * serving commands, gone after Go) is kept between calls, like a board left powered
 * between two programming sessions. Returns 0, or -1 when io->write failed. */
int sim_bl_serve(sim_bl *m, const sim_bl_io *io);

/* Resets the chip (NRST pulse, e.g. a DTR line wired to NRST): the bootloader starts over,
 * listens 50 ms later and waits for 0x7F; a first byte other than 0x7F sets a wrong baud
 * rate until the next reset. */
void sim_bl_reset(sim_bl *m);

const sim_bl_stats *sim_bl_get_stats(const sim_bl *m);

/* --- A pseudo-terminal serving the model (sim/bootloader_pty.c) -------------------- */
typedef struct sim_bl_pty sim_bl_pty;

/* Opens a pty (posix_openpt) in raw mode; its slave path is in sim_bl_pty_path. NULL with
 * a message on failure. */
sim_bl_pty *sim_bl_pty_open(char *err, size_t errlen);
const char *sim_bl_pty_path(const sim_bl_pty *p);
/* Serves m on the pty until *stop becomes nonzero (checked at least every 100 ms; a signal
 * that sets it also interrupts the wait). Returns 0, or -1 on an I/O error. */
int sim_bl_pty_serve(sim_bl_pty *p, sim_bl *m, volatile const sig_atomic_t *stop);
void sim_bl_pty_close(sim_bl_pty *p);

#endif
