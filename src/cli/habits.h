/* Command lines typed from habit by users of st-flash and OpenOCD: run where the meaning
 * is plain (OpenOCD's `program FILE verify reset`), else answered with stprog's form
 * instead of a bare "unexpected argument". */
#ifndef STP_CLI_HABITS_H
#define STP_CLI_HABITS_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/cli.h"

/* OpenOCD's `program FILE [verify] [reset] [exit] [ADDR]` as `write FILE [ADDR] [--reset]`
 * (verify is write's default): a new argument vector (free with cli_habit_free) when argv
 * has that form, else NULL. *note receives the line that tells the user the stprog form. */
char **cli_habit_rewrite(int argc, char **argv, int *new_argc, char *note, size_t cap);
void cli_habit_free(char **argv);

/* A usage message naming stprog's form when the parsed command line is another tool's
 * (st-flash's `read FILE ADDR LEN`, `erase all`, OpenOCD words after write); false if not. */
bool cli_habit_hint(const cli_ctx *ctx, char *msg, size_t cap);

#endif
