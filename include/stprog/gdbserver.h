/* stprog — a GDB remote serial protocol server on an attached target (`stprog gdbserver`):
 * gdb's `target extended-remote :PORT` loads (vFlashErase/vFlashWrite/vFlashDone through
 * the program planner), runs, steps, breaks (FPB in flash, BKPT in RAM) and watches (DWT)
 * through it. One client at a time; docs/gdbserver.md lists what is supported. */
#ifndef STPROG_GDBSERVER_H
#define STPROG_GDBSERVER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "stprog/env.h"
#include "stprog/finding.h"
#include "stprog/status.h"
#include "stprog/target.h"

#define STP_GDBSERVER_DEFAULT_PORT 4242u

typedef struct stp_gdbserver_options {
    const char *bind;     /* address to listen on; NULL = "127.0.0.1" */
    unsigned port;        /* 0 = any free port (reported through notify) */
    bool persist;         /* keep serving after a client leaves */
    stp_reset_mode reset; /* what `monitor reset` and `R` use */
    /* Messages for the person running the server ("listening on 127.0.0.1:4242", "gdb
     * connected from ...", "refused a second client"); may be NULL. */
    void (*notify)(void *user, const char *message);
    void *user;
    /* Set (e.g. by a SIGINT/SIGTERM handler) to make the server return; may be NULL. */
    volatile sig_atomic_t *stop;
} stp_gdbserver_options;

/* Serves gdb clients on t until the client leaves (or, with persist, until *stop is set).
 * Returns STP_OK on an orderly end; STP_ERR_IO (finding gdb.listen-failed) when the socket
 * cannot be set up. */
stp_status stp_gdbserver_run(stp_target *t, const stp_gdbserver_options *opt, const stp_env *env,
                             stp_findings *findings);

#endif
