/* Shared by the run loop (run.c), semihosting (semihost.c), RTT (rtt.c, rtt_find.c) and the
 * fault report (run_fault.c). */
#ifndef STP_OPS_RUN_INTERNAL_H
#define STP_OPS_RUN_INTERNAL_H

#include <stdint.h>
#include <time.h>

#include "ops/itm.h"
#include "ops/rtt.h"
#include "probe/debug.h"
#include "stprog/run.h"

/* Core registers (DCRSR REGSEL). */
#define RUN_REG_R0   0u
#define RUN_REG_R1   1u
#define RUN_REG_SP   13u
#define RUN_REG_LR   14u
#define RUN_REG_PC   15u
#define RUN_REG_XPSR 16u

#define RUN_DFSR 0xE000ED30u

typedef struct run_session {
    stp_target *t;
    stp_debug *d;
    const stp_run_options *opt;
    const stp_run_io *io;
    const stp_env *env;
    stp_run_result *res;
    stp_findings *findings;
    bool ended;           /* res->end is decided */
    bool v6m;             /* ARMv6-M: no CFSR/HFSR */
    uint64_t t0_ns;       /* start of the run on the probe's clock */
    time_t epoch0;        /* calendar time at the start (SYS_TIME counts from it) */
    uint64_t deadline_ns; /* 0 = none */
    unsigned poll_ms;
    /* Host input read but not handed to the firmware yet. */
    uint8_t pending[512];
    size_t pending_len;
    bool input_eof;
    bool input_to_semihosting; /* the firmware reads through semihosting: stdin goes there */
    /* Semihosting state. */
    int sh_errno;
    uint32_t features_pos; /* read position in ":semihosting-features" */
    bool features_open;
    bool warned_open, warned_unknown;
    stp_rtt rtt;
    bool swo_on; /* the probe captures SWO */
    stp_itm_decoder itm;
    uint64_t itm_unselected; /* stimulus packets of ports not enabled by stprog */
} run_session;

/* Pulls host input into s->pending (without waiting). */
void run_fill_input(run_session *s);
/* Takes up to cap bytes of pending input. */
size_t run_take_input(run_session *s, uint8_t *buf, size_t cap);
/* Decides how the run ends (the first decision stands). */
void run_end(run_session *s, stp_run_end end);
/* Whether the run must end now (decided, stop flag or deadline). */
bool run_should_end(run_session *s);
/* Sends firmware output to the caller. */
void run_output(run_session *s, stp_run_stream stream, const void *data, size_t len);

/* The core halted on BKPT 0xAB at pc: serves the call and resumes the core, or (SYS_EXIT,
 * SYS_EXIT_EXTENDED) ends the run (STP_RUN_END_EXIT) and leaves it halted. */
stp_status stp_semihost_serve(run_session *s, uint32_t pc);

/* SWO (swo.c): sets up the trace path and starts the probe's capture (with opt->swo);
 * reads what the probe captured and prints the selected stimulus ports (*moved when bytes
 * came); stops the capture. */
stp_status stp_swo_start(run_session *s);
stp_status stp_swo_poll(run_session *s, bool *moved);
void stp_swo_stop(run_session *s);

/* Fills res->fault from the halted core (exception frame, fault status registers) and adds
 * the finding for res->end (run.hardfault, run.lockup, run.breakpoint). */
void stp_run_report_fault(run_session *s);

#endif
