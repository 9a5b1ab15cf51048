/* stprog CLI — the frame: parse, set up the context, run the command, finish the output. */
#include "cli/cli.h"
#include "cli/habits.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/cli_target.h"
#include "cli/interrupt.h"

const cli_command *cli_command_find(const char *name)
{
    for (size_t i = 0; i < cli_command_count; i++) {
        if (strcmp(cli_commands[i]->name, name) == 0)
            return cli_commands[i];
    }
    return NULL;
}

static void log_to_stderr(void *user, stp_log_level level, const char *message)
{
    cli_ctx *ctx = user;
    cli_progress_interrupt(&ctx->progress);
    switch (level) {
    case STP_LOG_ERROR:
        fprintf(ctx->err, CLI_PROGRAM ": error: %s\n", message);
        break;
    case STP_LOG_WARN:
        fprintf(ctx->err, CLI_PROGRAM ": warning: %s\n", message);
        break;
    case STP_LOG_INFO:
        fprintf(ctx->err, CLI_PROGRAM ": %s\n", message);
        break;
    default:
        fprintf(ctx->err, CLI_PROGRAM ": debug: %s\n", message);
        break;
    }
}

static void progress_to_stderr(void *user, const stp_progress *event)
{
    cli_ctx *ctx = user;
    if (event->kind == STP_PROGRESS_START && event->phase != NULL)
        cli_interrupt_note_phase(ctx, event->phase);
    cli_progress_event(&ctx->progress, event);
}

static stp_log_level log_level_for(const cli_globals *g)
{
    if (g->quiet)
        return STP_LOG_ERROR;
    int level = STP_LOG_WARN + g->verbose;
    return level > STP_LOG_TRACE ? STP_LOG_TRACE : (stp_log_level)level;
}

/* The journal of kept bytes: --journal DIR, else $XDG_STATE_HOME/stprog (an absolute path,
 * as the XDG base directory specification requires), else ~/.local/state/stprog; none
 * without a home. */
static void journal_dir_of(cli_ctx *ctx)
{
    const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    int n = 0;
    if (ctx->g.journal != NULL)
        n = snprintf(ctx->journal_dir, sizeof(ctx->journal_dir), "%s", ctx->g.journal);
    else if (xdg != NULL && xdg[0] == '/')
        n = snprintf(ctx->journal_dir, sizeof(ctx->journal_dir), "%s/stprog", xdg);
    else if (home != NULL && home[0] != '\0')
        n = snprintf(ctx->journal_dir, sizeof(ctx->journal_dir), "%s/.local/state/stprog", home);
    if (n > 0 && (size_t)n < sizeof(ctx->journal_dir))
        ctx->env.journal_dir = ctx->journal_dir;
}

static void ctx_init(cli_ctx *ctx, const cli_parsed *p)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->g = p->g;
    ctx->out = stdout;
    ctx->err = stderr;
    ctx->in = stdin;
    ctx->interactive = isatty(fileno(stdin)) && isatty(fileno(stderr));
    ctx->args = p->args;
    stp_findings_init(&ctx->findings);
    ctx->env.log = log_to_stderr;
    ctx->env.progress = progress_to_stderr;
    ctx->env.user = ctx;
    ctx->env.log_level = log_level_for(&ctx->g);
    journal_dir_of(ctx);
    /* A bar needs a terminal that understands "erase to end of line". */
    const char *term = getenv("TERM");
    cli_progress_mode mode = CLI_PROGRESS_LINES;
    if (ctx->g.json || ctx->g.quiet)
        mode = CLI_PROGRESS_OFF;
    else if (isatty(fileno(stderr)) && term != NULL && strcmp(term, "dumb") != 0)
        mode = CLI_PROGRESS_BAR;
    cli_progress_init(&ctx->progress, mode, stderr);
    struct winsize ws;
    if (mode == CLI_PROGRESS_BAR && ioctl(fileno(stderr), TIOCGWINSZ, &ws) == 0)
        ctx->progress.columns = ws.ws_col;
    /* The --json document is composed in memory and written whole at the end: an
     * interrupt writes its own document instead (interrupt.h), never after half of this. */
    ctx->json_mem = ctx->g.json ? open_memstream(&ctx->json_text, &ctx->json_len) : NULL;
    cli_json_init(&ctx->json, ctx->json_mem != NULL ? ctx->json_mem : stdout);
}

/* Writes the document composed in memory to stdout. */
static void put_document(cli_ctx *ctx)
{
    if (ctx->json_mem == NULL)
        return;
    if (fclose(ctx->json_mem) == 0 && ctx->json_text != NULL)
        fwrite(ctx->json_text, 1, ctx->json_len, ctx->out);
    else
        fprintf(ctx->err, CLI_PROGRAM ": cannot compose the JSON document\n");
    ctx->json_mem = NULL;
    free(ctx->json_text);
    ctx->json_text = NULL;
}

static void begin_document(cli_ctx *ctx, const char *command)
{
    if (!ctx->g.json)
        return;
    cli_json_object_begin(&ctx->json);
    cli_json_kv_string(&ctx->json, "command", command);
}

/* Out of memory is a finding too, never only a status line: the one a layer below added
 * (file.read-failed ...), or this one. */
static void note_out_of_memory(cli_ctx *ctx)
{
    for (size_t i = 0; i < ctx->findings.count; i++)
        if (ctx->findings.items[i].severity == STP_SEV_ERROR)
            return;
    stp_finding *f =
        stp_finding_add(&ctx->findings, "cli.out-of-memory", STP_SEV_ERROR, "%s ran out of memory",
                        ctx->cmd != NULL ? ctx->cmd->name : CLI_PROGRAM);
    stp_finding_advice(f, "free memory or raise the process's limit (ulimit -v), then run the "
                          "command again; an input file much larger than a flash is refused "
                          "before it is read (file.too-large)");
}

/* The one exit path: status and findings, for people or as the end of the JSON document. */
static int finish(cli_ctx *ctx, stp_status st)
{
    cli_interrupt_hold();
    cli_progress_finish(&ctx->progress);
    cli_check_sim_state(ctx); /* the board closed with the probe: its save may have failed */
    if (st == STP_ERR_NOMEM)
        note_out_of_memory(ctx);
    if (st == STP_OK && ctx->late_status != STP_OK)
        st = ctx->late_status;
    /* The cause names the failure where the symptom's status says no more than "failed"
     * (a timeout, a fault): the exit code stays, the status and its text name the cause. */
    if (st != STP_OK && ctx->cause_status != STP_OK &&
        stp_status_exit_code(st) == stp_status_exit_code(ctx->cause_status))
        st = ctx->cause_status;
    int code = ctx->exit_code_set ? ctx->exit_code : stp_status_exit_code(st);
    bool usage_only = ctx->findings.count > 0;
    bool has_error = false;
    for (size_t i = 0; i < ctx->findings.count; i++) {
        if (strcmp(ctx->findings.items[i].id, "cli.usage") != 0)
            usage_only = false;
        if (ctx->findings.items[i].severity == STP_SEV_ERROR)
            has_error = true;
    }
    if (ctx->g.json) {
        cli_json_close_to(&ctx->json, 1);
        cli_json_kv_string(&ctx->json, "status", stp_status_name(st));
        cli_json_kv_i64(&ctx->json, "exit_code", code);
        cli_json_findings(&ctx->json, &ctx->findings);
        cli_json_close_to(&ctx->json, 0);
        put_document(ctx);
        fflush(ctx->out);
        if (st != STP_OK && !ctx->g.quiet) {
            for (size_t i = 0; i < ctx->findings.count; i++) {
                if (ctx->findings.items[i].severity == STP_SEV_ERROR)
                    fprintf(ctx->err, CLI_PROGRAM ": %s\n", ctx->findings.items[i].message);
            }
        }
    } else {
        fflush(ctx->out);
        const char *name = ctx->cmd != NULL ? ctx->cmd->name : "";
        cli_render_findings(ctx->err, &ctx->findings, ctx->g.quiet,
                            strcmp(name, "info") != 0 && strcmp(name, "doctor") != 0);
    }
    /* A failure always leaves one line on stderr, even with -q (then the error findings, if
     * any, already said it). */
    if (st != STP_OK && !usage_only && !(ctx->g.quiet && has_error)) {
        if (ctx->cmd != NULL)
            fprintf(ctx->err, CLI_PROGRAM ": %s failed: %s\n", ctx->cmd->name,
                    stp_status_describe(st));
        else
            fprintf(ctx->err, CLI_PROGRAM ": %s\n", stp_status_describe(st));
    }
    if (fflush(ctx->out) != 0 || ferror(ctx->out)) { /* stdout on a full disk, a closed pipe */
        fprintf(ctx->err, CLI_PROGRAM ": cannot write the output to standard output\n");
        if (code == STP_EXIT_OK)
            code = STP_EXIT_FAILED;
    }
    fflush(ctx->err);
    return code;
}

static stp_status check_arg_count(cli_ctx *ctx)
{
    const cli_command *c = ctx->cmd;
    bool has_usage = c->usage != NULL && c->usage[0] != '\0';
    if (ctx->args.argc < c->min_args)
        return cli_usage_error(ctx, "%s: missing argument (usage: " CLI_PROGRAM " %s%s%s)", c->name,
                               c->name, has_usage ? " " : "", has_usage ? c->usage : "");
    if (c->max_args >= 0 && ctx->args.argc > c->max_args)
        return cli_usage_error(ctx, "%s: unexpected argument '%s' (usage: " CLI_PROGRAM " %s%s%s)",
                               c->name, ctx->args.argv[c->max_args], c->name, has_usage ? " " : "",
                               has_usage ? c->usage : "");
    return STP_OK;
}

int cli_main(int argc, char **argv)
{
    cli_parsed p;
    char err[512];
    bool parsed = cli_parse(argc, argv, cli_commands, cli_command_count, &p, err, sizeof(err));
    char note[256] = "";
    int habit_argc = 0;
    char **habit = parsed ? NULL : cli_habit_rewrite(argc, argv, &habit_argc, note, sizeof(note));
    if (habit != NULL) { /* OpenOCD's `program FILE verify reset`: run as write */
        cli_parsed_free(&p);
        parsed =
            cli_parse(habit_argc, habit, cli_commands, cli_command_count, &p, err, sizeof(err));
    }
    cli_ctx ctx;
    ctx_init(&ctx, &p);
    ctx.cmd = p.cmd;
    const char *topic[1];
    stp_status st;

    if (!parsed && p.out_of_memory) {
        for (int i = 1; i < argc && !ctx.g.json; i++) /* the options were not parsed */
            ctx.g.json = strcmp(argv[i], "--json") == 0;
        begin_document(&ctx, NULL);
        st = STP_ERR_NOMEM;
    } else if (!parsed) {
        begin_document(&ctx, p.cmd != NULL ? p.cmd->name : NULL);
        st = cli_usage_error(&ctx, "%s", err);
    } else if (p.version || p.help || p.cmd != NULL) {
        if (p.version) {
            ctx.cmd = cli_command_find("version");
            ctx.args.argc = 0;
        } else if (p.help && (p.cmd == NULL || strcmp(p.cmd->name, "help") != 0)) {
            ctx.cmd = cli_command_find("help");
            ctx.args.argc = 0;
            if (p.cmd != NULL) { /* stprog COMMAND --help */
                topic[0] = p.cmd->name;
                ctx.args.argv = topic;
                ctx.args.argc = 1;
            }
            ctx.args.optc = 0;
        }
        begin_document(&ctx, ctx.cmd->name);
        cli_interrupt_catch(&ctx); /* gdbserver and sim-serve install their own in run() */
        char hint[320];
        if (note[0] != '\0' && !ctx.g.json && !ctx.g.quiet)
            fprintf(ctx.err, "%s\n", note);
        st = cli_habit_hint(&ctx, hint, sizeof(hint)) ? cli_usage_error(&ctx, "%s", hint)
                                                      : check_arg_count(&ctx);
        if (st == STP_OK)
            st = ctx.cmd->run(&ctx);
    } else {
        begin_document(&ctx, NULL);
        st = cli_usage_error(&ctx,
                             "no command given (usage: " CLI_PROGRAM " [OPTIONS] COMMAND [ARGS])");
    }
    int code = finish(&ctx, st);
    stp_findings_free(&ctx.findings);
    cli_parsed_free(&p);
    cli_habit_free(habit);
    return code;
}
