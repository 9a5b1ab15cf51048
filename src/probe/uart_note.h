/* What stprog last did to the chip on a serial port that outlives the process: a Go that
 * made the chip leave its ROM bootloader. The bootloader then stays silent until the chip
 * is reset with BOOT0 high, and a later run that gets no answer to 0x7F on the same port
 * can say so instead of suspecting the wiring (docs/bootloader.md).
 *
 * The note is a small text file in the state directory (env->journal_dir, the journal's:
 * --journal DIR, $XDG_STATE_HOME/stprog, ~/.local/state/stprog), one per port, named after
 * the port's resolved path. It is written after the bootloader ACKed Go's address and
 * removed when the bootloader answers 0x7F on that port again. No state directory: no
 * note, and nothing changes but the advice. */
#ifndef STP_PROBE_UART_NOTE_H
#define STP_PROBE_UART_NOTE_H

#include <stdbool.h>
#include <stdint.h>

#include "stprog/env.h"

typedef struct stp_uart_go_note {
    uint32_t addr;   /* the vector table Go started */
    uint16_t dev_id; /* the chip that answered then */
    int64_t when;    /* seconds since the epoch */
} stp_uart_go_note;

/* Records a Go on port (best effort: a directory that cannot be written loses the note). */
void stp_uart_note_go(const stp_env *env, const char *port, const stp_uart_go_note *note);
/* The Go recorded for port, if any (a note that does not parse is ignored). */
bool stp_uart_note_read(const stp_env *env, const char *port, stp_uart_go_note *out);
/* Forgets the note of port: its bootloader answered again. */
void stp_uart_note_clear(const stp_env *env, const char *port);

#endif
