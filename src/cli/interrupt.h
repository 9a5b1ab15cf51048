/* stprog CLI — Ctrl-C (SIGINT) or SIGTERM in the middle of a command. The process still ends
 * as the signal says (exit status 128 + signal), but first one line on stderr says what was
 * interrupted and, once flash was being erased or written, that it may hold a partial image.
 * With --json the same facts also go to stdout as the command's one JSON document (status
 * "interrupted", the exit code, finding cli.interrupted) instead of the unfinished one. */
#ifndef STP_CLI_INTERRUPT_H
#define STP_CLI_INTERRUPT_H

#include "cli/cli.h"

/* Installs the handlers (the command is in its "start-up" phase). */
void cli_interrupt_catch(cli_ctx *ctx);
/* The command entered a progress phase ("read", "erase", "program", "write", "verify"...):
 * what an interrupt from now on says. */
void cli_interrupt_note_phase(cli_ctx *ctx, const char *phase);
/* The command is over and its result is being reported: SIGINT/SIGTERM wait from here on
 * (until the process exits), so the output is the result, whole. */
void cli_interrupt_hold(void);

#endif
