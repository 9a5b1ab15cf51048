/* stprog CLI — opening the probe and attaching the target for the target commands (info,
 * write, read, erase, verify, reset, blank-check, option-bytes), and what they share in
 * their output. */
#ifndef STP_CLI_TARGET_H
#define STP_CLI_TARGET_H

#include "cli/cli.h"
#include "stprog/ops.h"
#include "stprog/probe.h"
#include "stprog/target.h"

typedef struct cli_session {
    stp_debug *probe;
    stp_target *target;
    cli_ctx *ctx;            /* for the failure explanation at close */
    size_t findings_at_open; /* error findings after this index mean the command failed */
    bool debug_enabled;      /* C_DEBUGEN was set after attaching (not with hot-plug) */
    stp_clock clock;         /* the probe's clock, in ctx->env while the session is open */
    uint64_t started_ns;     /* on that clock, when the target was attached */
} cli_session;

/* How long an operation took on the probe's clock (virtual board time with sim:). */
typedef struct cli_took {
    bool valid;
    bool is_virtual;
    double seconds;
} cli_took;

/* Opens --probe (default "stlink"), applies --freq, attaches with --connect. psize_bits 0 =
 * from the measured voltage. On failure everything is closed again. */
stp_status cli_session_open(cli_ctx *ctx, unsigned psize_bits, cli_session *s);
/* Closes; when the command added an error finding since the session opened, first gathers
 * the evidence of what went wrong (stp_explain_failure) while the probe is still open. */
void cli_session_close(cli_session *s);
/* A virtual board's state file that could not be saved (sim state=): finding
 * sim.state-not-saved, and the command fails. The CLI's exit path calls it. */
void cli_check_sim_state(cli_ctx *ctx);

/* The time since the session opened (the target attached), on the probe's clock. Take it
 * before cli_session_close. */
cli_took cli_session_took(const cli_session *s);
/* For the summary line: "in 1.95 s", "in 1.95 s (virtual board time)"; "" when not valid. */
char *cli_format_took(const cli_took *t, char *buf, size_t cap);
/* --json: "elapsed_seconds" and "clock" ("probe" or "virtual-board"); nothing when not valid. */
void cli_json_took(cli_ctx *ctx, const cli_took *t);

/* The library reset mode for --reset (default: hardware reset through NRST). */
stp_reset_mode cli_reset_mode_of(const cli_ctx *ctx);

/* Reads a firmware file into a new image limited to the largest flash of any supported
 * chip (finding file.too-large, exit 2, before a larger file is read whole). */
stp_status cli_load_firmware(cli_ctx *ctx, const char *path, stp_format fmt, uint32_t base,
                             stp_image **out);
/* Loads FILE with --addr (or the second positional argument, st-flash style) as the
 * raw-binary base. Usage error (exit 2) for a bad address, for an address given with a file
 * that carries its own (hex, srec, elf), and for a file that cannot be opened or read. */
stp_status cli_load_image(cli_ctx *ctx, const char *path, stp_image **out);
/* The status for a failure to load an input file: I/O and permission errors -> bad input. */
stp_status cli_input_status(stp_status st);

/* The flash's address span [*lo, *hi) from the target's regions; false without regions. */
bool cli_flash_span(const cli_session *s, uint32_t *lo, uint64_t *hi);

/* "erase", "program", "skip" per sector, and the totals: for people and for --json. */
void cli_print_plan(cli_ctx *ctx, const stp_plan *plan, bool detailed);
void cli_json_plan(cli_ctx *ctx, const stp_plan *plan);

/* Sizes for people: "16 KiB", "1.5 MiB", "300 B". */
void cli_format_size(uint64_t bytes, char *buf, size_t cap);

#endif
