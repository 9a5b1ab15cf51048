/* stprog CLI — the interface every command is written against.
 *
 * A command is one file, src/cli/cmd_<name>.c, that defines
 *     const cli_command cli_cmd_<name> = { .name = "<name>", ..., .run = run };
 * and one line X(<name>) in the table in src/cli/commands.c (plus its line in the man page,
 * docs/stprog.1). Nothing else: parsing, --help, --json framing, findings, exit codes,
 * logging and progress are done by the frame.
 *
 * run() receives a context with the parsed global options, its own options and positional
 * arguments, an stp_env (pass it to the library: logging and progress are rendered for you)
 * and an stp_findings list (pass it to the library: rendered for people on stderr, or as
 * "findings" in the JSON document). run() returns a status; the exit code is
 * stp_status_exit_code(status). It never calls exit() and never prints findings itself.
 *
 * Output: results for people through cli_printf() (stdout; suppressed with --json); with
 * --json, results go into the document through ctx->json, which the frame has opened as an
 * object with "command" already written, and which the frame closes after adding "status",
 * "exit_code" and "findings". Messages for people (not results) through cli_note() (stderr;
 * suppressed with -q).
 *
 * Global options (--probe --freq --connect --reset --json -v -q -h -V) are accepted before
 * and after the command name. A command's own options should not reuse their names or short
 * letters (v, q, h, V): after the command name a command option shadows a global one, except
 * that a command flag named like a valued global ("write --reset") followed by a valid value
 * of that global ("--reset sw") sets both. */
#ifndef STP_CLI_CLI_H
#define STP_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "stprog/env.h"
#include "stprog/finding.h"
#include "stprog/status.h"

#include "cli/json.h"
#include "cli/numparse.h"
#include "cli/progress.h"

#define CLI_PROGRAM "stprog"

typedef enum cli_connect_mode {
    CLI_CONNECT_DEFAULT = 0, /* not given: the library's default */
    CLI_CONNECT_NORMAL,
    CLI_CONNECT_UNDER_RESET,
    CLI_CONNECT_HOT_PLUG,
} cli_connect_mode;

typedef enum cli_reset_mode {
    CLI_RESET_DEFAULT = 0, /* not given: the library's default */
    CLI_RESET_HW,          /* NRST pin */
    CLI_RESET_SW,          /* AIRCR.SYSRESETREQ */
    CLI_RESET_CORE,        /* core only (VECTRESET where available) */
} cli_reset_mode;

/* The global options, valid for every command. */
typedef struct cli_globals {
    const char *probe; /* --probe SPEC (stlink, stlink:SERIAL, sim:PART,...); NULL = not given */
    uint32_t freq_khz; /* --freq; 0 = not given */
    cli_connect_mode connect;
    cli_reset_mode reset;
    const char *journal; /* --journal DIR; NULL = not given */
    bool json;           /* --json */
    int verbose;         /* -v count */
    bool quiet;          /* -q */
} cli_globals;

/* One option of a command. Terminate a table with {0}. */
typedef struct cli_option {
    const char *name;  /* long name without dashes: "addr" for --addr */
    char short_name;   /* 'o' for -o, or 0 */
    const char *value; /* placeholder of its value ("ADDR"); NULL for a flag */
    const char *help;  /* one line */
} cli_option;

struct cli_ctx;

typedef struct cli_command {
    const char *name;
    const char *summary;       /* one line, for the command list */
    const char *usage;         /* what follows the name: "FILE [--addr A] [-o OUT]" */
    const char *description;   /* paragraph(s) for `stprog help NAME`; may be NULL */
    const cli_option *options; /* may be NULL */
    int min_args;              /* positional arguments */
    int max_args;              /* -1: no limit */
    stp_status (*run)(struct cli_ctx *ctx);
} cli_command;

typedef struct cli_opt_value {
    const cli_option *opt;
    const char *value; /* NULL for a flag */
} cli_opt_value;

typedef struct cli_args {
    int argc; /* positional arguments after the command name */
    const char **argv;
    int optc; /* command options in command-line order */
    cli_opt_value *optv;
} cli_args;

typedef struct cli_ctx {
    const cli_command *cmd;
    cli_globals g;
    cli_args args;
    stp_env env;             /* give to the library */
    stp_findings findings;   /* give to the library */
    char journal_dir[1024];  /* env.journal_dir: --journal, $XDG_STATE_HOME/stprog, ... */
    char journal_path[1024]; /* the attached chip's journal in it (set by cli_session_open) */
    cli_json json;           /* the --json document (only when g.json) */
    FILE *json_mem;          /* where json writes until the frame puts it on stdout */
    char *json_text;
    size_t json_len;
    cli_progress progress;
    FILE *out;        /* stdout */
    FILE *err;        /* stderr */
    FILE *in;         /* stdin (answers to cli_confirm) */
    bool interactive; /* stdin and stderr are terminals: cli_confirm may ask */
    /* Set when the board failed behind a command's back (cli_session_close saw the chip
     * lose power): the exit path reports it even when run() returned STP_OK. */
    stp_status late_status;
    /* Set when the explanation of a failure found its cause (a power problem behind a
     * timeout): the exit path reports this status instead of the symptom's. */
    stp_status cause_status;
    /* Set by a command whose exit code is not its status's (`run` exits with the
     * firmware's status): the frame exits with exit_code instead. */
    bool exit_code_set;
    int exit_code;
} cli_ctx;

/* The registry (src/cli/commands.c). */
extern const cli_command *const cli_commands[];
extern const size_t cli_command_count;
const cli_command *cli_command_find(const char *name);

/* Entry point used by main(). */
int cli_main(int argc, char **argv);

/* --- Options and arguments of the running command --- */
/* Last value of option name (NULL when absent or a flag). */
const char *cli_opt(const cli_ctx *ctx, const char *name);
/* Whether option name was given (flag or valued). */
bool cli_flag(const cli_ctx *ctx, const char *name);
/* Repeated options: how many times, and the i-th value. (A valued option given twice with
 * different values is a usage error at parsing: "--addr A --addr B" is ambiguous.) */
int cli_opt_count(const cli_ctx *ctx, const char *name);
const char *cli_opt_nth(const cli_ctx *ctx, const char *name, int index);
/* Numeric option: *out unchanged when absent; a bad value is a usage error (returned). */
stp_status cli_opt_u32(cli_ctx *ctx, const char *name, cli_num_kind kind, uint32_t *out);
/* Numeric positional argument; what names it in the message ("ADDR"). */
stp_status cli_arg_u32(cli_ctx *ctx, int index, const char *what, cli_num_kind kind, uint32_t *out);

/* --- Output --- */
/* Results for people on stdout; nothing with --json. */
void cli_printf(cli_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Messages for people on stderr; nothing with -q. */
void cli_note(cli_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Asks "question [y/N] " on stderr and reads the answer from ctx->in. False without asking
 * when the session is not interactive or with --json: destructive commands then require
 * their --yes option (say so in the usage error). */
bool cli_confirm(cli_ctx *ctx, const char *question);
/* Records a usage error (finding "cli.usage") and returns STP_ERR_INVALID_ARG (exit 2). */
stp_status cli_usage_error(cli_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Before any work: whether path can be written as an output file (not a directory; its
 * directory exists and is writable). Refused: finding file.write-failed, exit code 2. */
stp_status cli_check_output(cli_ctx *ctx, const char *path);

/* Findings rendered for people: "error: message [id]", evidence lines, advice. */
/* brief: chip warnings every command repeats (an implausible flash-size register) as one
 * line, for the commands other than info and doctor. */
void cli_render_findings(FILE *out, const stp_findings *list, bool errors_only, bool brief);
/* "findings": [...] as a key of the current JSON object. */
void cli_json_findings(cli_json *j, const stp_findings *list);

#endif
