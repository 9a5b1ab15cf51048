/* stprog help [COMMAND]: the command list, global options, exit codes, environment; or one
 * command's usage and options. Also what `stprog --help` and `stprog COMMAND --help` run. */
#include <ctype.h>
#include <string.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "stprog/run.h"

static const struct {
    int code;
    const char *meaning;
} exit_codes[] = {
    {STP_EXIT_OK, "success"},
    {STP_EXIT_FAILED, "the operation failed"},
    {STP_EXIT_USAGE, "usage error: bad command line or bad input file"},
    {STP_EXIT_NO_DEVICE, "no probe or no target found"},
    {STP_EXIT_PROTECTED, "blocked by read/write protection"},
    {STP_EXIT_VERIFY, "verify mismatch"},
    {STP_RUN_EXIT_TIMEOUT, "run: --timeout passed before the firmware exited"},
    {130, "interrupted by SIGINT (Ctrl-C); --json: status \"interrupted\""},
    {STP_RUN_EXIT_FAULT, "run, rtt: the firmware crashed (HardFault, lockup, stray BKPT, reset)"},
    {143, "interrupted by SIGTERM; --json: status \"interrupted\""},
};

static const struct {
    const char *name;
    const char *meaning;
} environment[] = {
    {"STPROG_SIM", "virtual board spec for the libusb shim (LD_PRELOAD=libstprog-usbsim.so), "
                   "e.g. sim:stm32f407vg"},
    {"STPROG_SIM_REPORT", "file for the virtual board's timing report (JSON), written at exit"},
    {"XDG_STATE_HOME", "the journal of kept bytes (and the note of a bootloader Go per serial "
                       "port) goes to $XDG_STATE_HOME/stprog (default ~/.local/state/stprog; "
                       "--journal DIR overrides)"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void option_spelling(char *buf, size_t cap, const cli_option *o)
{
    char shortpart[8] = "";
    if (o->short_name != 0)
        snprintf(shortpart, sizeof(shortpart), "-%c, ", o->short_name);
    snprintf(buf, cap, "%s--%s%s%s", shortpart, o->name, o->value != NULL ? " " : "",
             o->value != NULL ? o->value : "");
}

#define HELP_WIDTH          79
#define HELP_COLUMN         26
#define HELP_COMMAND_COLUMN 18

/* Writes text from column col on, wrapped at HELP_WIDTH; continuation lines and lines after a
 * '\n' in text start at column indent. Returns the column after the last word. */
static int print_wrapped(cli_ctx *ctx, int col, int indent, const char *text)
{
    const char *p = text;
    bool line_start = true;
    while (*p != '\0') {
        if (*p == '\n') {
            cli_printf(ctx, "\n");
            col = 0;
            line_start = true;
            p++;
            continue;
        }
        if (*p == ' ') {
            p++;
            continue;
        }
        size_t word = strcspn(p, " \n");
        if (!line_start && col + 1 + (int)word > HELP_WIDTH) {
            cli_printf(ctx, "\n");
            col = 0;
            line_start = true;
        }
        if (col < indent) {
            cli_printf(ctx, "%*s", indent - col, "");
            col = indent;
        } else if (!line_start) {
            cli_printf(ctx, " ");
            col++;
        }
        cli_printf(ctx, "%.*s", (int)word, p);
        col += (int)word;
        p += word;
        line_start = false;
    }
    return col;
}

/* "  label    text..." with text wrapped at HELP_WIDTH and continued at column. */
static void print_item(cli_ctx *ctx, const char *label, const char *text, int column)
{
    cli_printf(ctx, "  %s", label);
    int col = 2 + (int)strlen(label);
    if (col > column - 2) {
        cli_printf(ctx, "\n");
        col = 0;
    }
    if (col < column) {
        cli_printf(ctx, "%*s", column - col, "");
        col = column;
    }
    print_wrapped(ctx, col, column, text);
    cli_printf(ctx, "\n");
}

static void print_options(cli_ctx *ctx, const cli_option *options)
{
    for (const cli_option *o = options; o != NULL && o->name != NULL; o++) {
        char spelled[64];
        option_spelling(spelled, sizeof(spelled), o);
        print_item(ctx, spelled, o->help, HELP_COLUMN);
    }
}

static void json_options(cli_json *j, const char *key, const cli_option *options)
{
    cli_json_key(j, key);
    cli_json_array_begin(j);
    for (const cli_option *o = options; o != NULL && o->name != NULL; o++) {
        char longname[64], shortname[4] = {0};
        snprintf(longname, sizeof(longname), "--%s", o->name);
        cli_json_object_begin(j);
        cli_json_kv_string(j, "name", longname);
        if (o->short_name != 0) {
            shortname[0] = '-';
            shortname[1] = o->short_name;
        }
        cli_json_kv_string(j, "short", o->short_name != 0 ? shortname : NULL);
        cli_json_kv_string(j, "value", o->value);
        cli_json_kv_string(j, "help", o->help);
        cli_json_object_end(j);
    }
    cli_json_array_end(j);
}

static void overview_text(cli_ctx *ctx)
{
    cli_printf(ctx, "Usage: " CLI_PROGRAM " [OPTIONS] COMMAND [ARGS]\n"
                    "       " CLI_PROGRAM " help COMMAND\n\n"
                    "Programs, reads, erases and diagnoses STM32 microcontrollers through an\n"
                    "ST-Link probe, or through the built-in virtual board (--probe sim:PART).\n"
                    "\nCommands:\n");
    for (size_t i = 0; i < cli_command_count; i++)
        print_item(ctx, cli_commands[i]->name, cli_commands[i]->summary, HELP_COMMAND_COLUMN);
    cli_printf(ctx, "\nGlobal options (before or after the command):\n");
    print_options(ctx, cli_global_options);
    cli_printf(ctx, "\nNumbers: decimal or 0x hex; sizes also take K, M and G (KiB, MiB, GiB).\n"
                    "\nExit codes:\n");
    for (size_t i = 0; i < COUNT(exit_codes); i++)
        cli_printf(ctx, "  %d  %s\n", exit_codes[i].code, exit_codes[i].meaning);
    cli_printf(ctx, "  run exits with the firmware's own status when it exits through "
                    "semihosting.\n");
    cli_printf(ctx, "\nEnvironment:\n");
    for (size_t i = 0; i < COUNT(environment); i++)
        print_item(ctx, environment[i].name, environment[i].meaning, HELP_COLUMN);
    cli_printf(ctx, "\nSee stprog(1) for details.\n");
}

static void overview_json(cli_ctx *ctx)
{
    cli_json *j = &ctx->json;
    cli_json_key(j, "commands");
    cli_json_array_begin(j);
    for (size_t i = 0; i < cli_command_count; i++) {
        cli_json_object_begin(j);
        cli_json_kv_string(j, "name", cli_commands[i]->name);
        cli_json_kv_string(j, "summary", cli_commands[i]->summary);
        cli_json_kv_string(j, "usage", cli_commands[i]->usage);
        cli_json_object_end(j);
    }
    cli_json_array_end(j);
    json_options(j, "global_options", cli_global_options);
    cli_json_key(j, "exit_codes");
    cli_json_array_begin(j);
    for (size_t i = 0; i < COUNT(exit_codes); i++) {
        cli_json_object_begin(j);
        cli_json_kv_i64(j, "code", exit_codes[i].code);
        cli_json_kv_string(j, "meaning", exit_codes[i].meaning);
        cli_json_object_end(j);
    }
    cli_json_array_end(j);
    cli_json_key(j, "environment");
    cli_json_array_begin(j);
    for (size_t i = 0; i < COUNT(environment); i++) {
        cli_json_object_begin(j);
        cli_json_kv_string(j, "name", environment[i].name);
        cli_json_kv_string(j, "meaning", environment[i].meaning);
        cli_json_object_end(j);
    }
    cli_json_array_end(j);
}

static void command_help(cli_ctx *ctx, const cli_command *c)
{
    if (ctx->g.json) {
        cli_json *j = &ctx->json;
        cli_json_kv_string(j, "topic", c->name);
        cli_json_kv_string(j, "summary", c->summary);
        cli_json_kv_string(j, "usage", c->usage);
        cli_json_kv_string(j, "description", c->description);
        json_options(j, "options", c->options);
        return;
    }
    cli_printf(ctx, "Usage: " CLI_PROGRAM " %s %s\n\n%c%s.\n", c->name,
               c->usage != NULL ? c->usage : "", toupper((unsigned char)c->summary[0]),
               c->summary + 1);
    if (c->description != NULL) {
        cli_printf(ctx, "\n");
        print_wrapped(ctx, 0, 0, c->description);
        cli_printf(ctx, "\n");
    }
    if (c->options != NULL && c->options[0].name != NULL) {
        cli_printf(ctx, "\nOptions:\n");
        print_options(ctx, c->options);
    }
    cli_printf(ctx, "\nGlobal options (--probe, --freq, --connect, --reset, --json, -v, -q) are\n"
                    "accepted too; see '" CLI_PROGRAM " --help' and stprog(1).\n");
}

static stp_status run(cli_ctx *ctx)
{
    if (ctx->args.argc == 0) {
        if (ctx->g.json)
            overview_json(ctx);
        else
            overview_text(ctx);
        return STP_OK;
    }
    const cli_command *c = cli_command_find(ctx->args.argv[0]);
    if (c == NULL) {
        const char *near = cli_suggest_command(ctx->args.argv[0], cli_commands, cli_command_count);
        if (near != NULL)
            return cli_usage_error(ctx, "no command '%s' (did you mean '%s'?)", ctx->args.argv[0],
                                   near);
        return cli_usage_error(ctx, "no command '%s'", ctx->args.argv[0]);
    }
    command_help(ctx, c);
    return STP_OK;
}

const cli_command cli_cmd_help = {
    .name = "help",
    .summary = "show the commands, or the usage and options of one command",
    .usage = "[COMMAND]",
    .description = "Without COMMAND: the commands, global options, exit codes and environment "
                   "variables. With COMMAND: its usage, description and options. With --json: "
                   "the same as a JSON document.",
    .options = NULL,
    .min_args = 0,
    .max_args = 1,
    .run = run,
};
