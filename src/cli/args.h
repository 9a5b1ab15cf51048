/* stprog CLI — command-line parsing: global options anywhere, the command name, the
 * command's options and positional arguments. Pure: no output, no exit. */
#ifndef STP_CLI_ARGS_H
#define STP_CLI_ARGS_H

#include "cli/cli.h"

typedef struct cli_parsed {
    cli_globals g;
    const cli_command *cmd; /* NULL when no command was given */
    bool help;              /* -h/--help */
    bool version;           /* -V/--version */
    cli_args args;          /* arrays owned here: cli_parsed_free */
    bool out_of_memory;     /* parsing failed for want of memory, not for a mistake */
} cli_parsed;

/* The global options, for parsing and for --help. */
extern const cli_option cli_global_options[];
/* The values --connect and --reset accept (NULL-terminated). */
extern const char *const cli_connect_modes[];
extern const char *const cli_reset_modes[];

/* Parses argv[1..argc-1] against the command table. On a usage error returns false with a
 * message in err (and out->cmd set when the command was known by then). */
bool cli_parse(int argc, char **argv, const cli_command *const *table, size_t count,
               cli_parsed *out, char *err, size_t errlen);
void cli_parsed_free(cli_parsed *p);

/* The closest command name to name (for "did you mean"), or NULL when none is close. */
const char *cli_suggest_command(const char *name, const cli_command *const *table, size_t count);

#endif
