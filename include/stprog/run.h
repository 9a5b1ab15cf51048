/* stprog — running firmware and talking to it (`stprog run`, `stprog rtt`): the core runs
 * while the host serves its ARM semihosting calls (BKPT 0xAB) and streams a SEGGER RTT
 * up-channel, until the firmware exits (SYS_EXIT, SYS_EXIT_EXTENDED), faults, locks up,
 * resets by itself, the time runs out or the caller stops it. The library never touches
 * stdin/stdout: output and input go through stp_run_io. docs/run.md describes the flow. */
#ifndef STPROG_RUN_H
#define STPROG_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stprog/env.h"
#include "stprog/finding.h"
#include "stprog/status.h"
#include "stprog/target.h"

/* Where firmware output goes. */
typedef enum stp_run_stream {
    STP_RUN_STDOUT = 1, /* RTT up-channel, semihosting writes to stdout */
    STP_RUN_STDERR = 2, /* semihosting writes to stderr */
} stp_run_stream;

typedef struct stp_run_io {
    /* Firmware output, in order, as soon as it was read from the target. */
    void (*output)(void *user, stp_run_stream stream, const void *data, size_t len);
    /* Host input without waiting: bytes put in buf (0 = none now), -1 at the end of input.
     * May be NULL (no input: reads see the end of input). */
    long (*input)(void *user, void *buf, size_t cap);
    void *user;
    /* Set (e.g. by a SIGINT handler) to end the run; may be NULL. */
    volatile sig_atomic_t *stop;
} stp_run_io;

#define STP_RUN_DEFAULT_POLL_MS 10u

/* Where host input goes. */
typedef enum stp_run_input {
    STP_RUN_INPUT_AUTO = 0,    /* RTT down-channel 0, until the firmware reads through
                                * semihosting (then there) */
    STP_RUN_INPUT_RTT,         /* RTT down-channel 0 only (semihosting reads see the end) */
    STP_RUN_INPUT_SEMIHOSTING, /* semihosting reads only */
    STP_RUN_INPUT_NONE,        /* none: reads see the end of input */
} stp_run_input;

typedef struct stp_run_options {
    /* true: reset the chip (reset_mode), catch faults, start the program (`run`); false:
     * attach to what runs, without reset (`rtt`). */
    bool reset;
    stp_reset_mode reset_mode;
    bool semihosting; /* serve BKPT 0xAB calls (an attached `rtt` serves them too when set) */
    bool rtt;         /* stream the RTT up-channel rtt_channel */
    /* The control block: at rtt_address when known (an ELF's _SEGGER_RTT, --rtt-address),
     * else found by scanning the chip's SRAM for its ID. */
    bool rtt_address_known;
    uint32_t rtt_address;
    unsigned rtt_channel; /* up-channel to stream (stdin goes to down-channel 0) */
    stp_run_input input;
    uint32_t timeout_ms; /* 0 = no limit; on the probe's clock (virtual with sim:) */
    unsigned poll_ms;    /* idle poll period; 0 = STP_RUN_DEFAULT_POLL_MS */
    bool catch_faults;   /* halt on HardFault (DEMCR.VC_HARDERR) and report it */
    /* SWO: the probe captures the SWO pin and the payload of the ITM stimulus ports in
     * swo_ports goes to stdout. stprog sets up the trace path (DEMCR.TRCENA,
     * DBGMCU_CR.TRACE_IOEN, TPIU: NRZ at swo_core_hz / swo_baud with the formatter off, ITM
     * on with those ports); firmware that sets it up itself must agree on the rate. */
    bool swo;
    uint32_t swo_baud;    /* 0: the highest rate up to 2 MHz that divides the core clock */
    uint32_t swo_core_hz; /* TRACECLKIN (the core clock); 0: the chip's reset clock */
    uint32_t swo_ports;   /* stimulus ports to print (bit n = port n); 0: port 0 */
} stp_run_options;

typedef enum stp_run_end {
    STP_RUN_END_EXIT = 0,   /* the firmware exited (semihosting) */
    STP_RUN_END_FAULT,      /* a HardFault (caught by vector catch) */
    STP_RUN_END_LOCKUP,     /* the core locked up */
    STP_RUN_END_BREAKPOINT, /* a BKPT that is not a semihosting call, or another halt */
    STP_RUN_END_RESET,      /* the chip reset by itself (watchdog, brown-out, NRST) */
    STP_RUN_END_TIMEOUT,    /* timeout_ms passed (a failure only when the run reset) */
    STP_RUN_END_STOPPED,    /* *io->stop was set */
    STP_RUN_END_ERROR,      /* the probe or the target failed (see the status) */
} stp_run_end;

/* What the core showed when it faulted, locked up or hit a breakpoint. */
typedef struct stp_run_fault {
    uint32_t pc; /* where the core halted (the handler's entry for a fault) */
    uint32_t sp; /* the faulting code's SP (with a frame), else the SP at the halt */
    uint32_t lr; /* at the halt (EXC_RETURN for a fault) */
    uint32_t xpsr;
    bool frame_valid;  /* the exception frame below was read */
    uint32_t frame[8]; /* stacked r0 r1 r2 r3 r12 lr pc xpsr of the faulting code */
    bool has_fsr;      /* ARMv7-M: the fault status registers below exist */
    uint32_t cfsr, hfsr, mmfar, bfar;
    uint16_t bkpt_imm; /* STP_RUN_END_BREAKPOINT: the BKPT immediate (0xFFFF: not a BKPT) */
} stp_run_fault;

typedef struct stp_run_result {
    stp_run_end end;
    bool attached;        /* an attach (`rtt`): --timeout is a duration, not a failure */
    int exit_code;        /* STP_RUN_END_EXIT: the firmware's status */
    uint32_t exit_reason; /* STP_RUN_END_EXIT: the ADP_Stopped_* reason (0x20026 = exit) */
    stp_run_fault fault;
    bool rtt_found;
    uint32_t rtt_address;
    unsigned rtt_up, rtt_down; /* channels the control block declares */
    uint64_t rtt_bytes;        /* read from the up-channel */
    uint64_t rtt_bytes_down;   /* written to down-channel 0 */
    uint32_t swo_baud;         /* the SWO rate in use */
    uint64_t swo_bytes;        /* received from the probe */
    uint64_t itm_packets;      /* stimulus packets decoded */
    uint64_t itm_overflows;    /* overflow packets: the ITM dropped writes */
    uint64_t semihost_calls;
    uint64_t semihost_bytes; /* written by the firmware through semihosting */
    uint64_t elapsed_ns;     /* from the start of the run, on the probe's clock */
    uint64_t polls;          /* poll rounds */
    bool virtual_clock;
} stp_run_result;

/* Runs (opt->reset) or attaches to the program on t and serves it until one of the ends
 * above. Returns STP_OK for END_EXIT/END_STOPPED; END_TIMEOUT is STP_ERR_TIMEOUT (finding
 * run.timeout); a fault, lockup, breakpoint or reset is STP_ERR_FIRMWARE_CRASHED with a finding
 * (run.hardfault, run.lockup, run.breakpoint, run.target-reset) naming registers and the
 * decoded fault status. res is always filled. */
stp_status stp_run(stp_target *t, const stp_run_options *opt, const stp_run_io *io,
                   const stp_env *env, stp_run_result *res, stp_findings *findings);

/* The process exit code documented for `stprog run`: the firmware's status (0-255) when it
 * exited, else STP_RUN_EXIT_FAULT, STP_RUN_EXIT_TIMEOUT (0 for an attach), or -1 (use the
 * status's code). */
#define STP_RUN_EXIT_TIMEOUT 124 /* as timeout(1) */
#define STP_RUN_EXIT_FAULT   139 /* 128 + SIGSEGV: the firmware crashed, as a process would */
int stp_run_exit_code(const stp_run_result *res);

#endif
