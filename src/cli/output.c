/* stprog CLI — output helpers: results, notes, usage errors, findings (people and JSON),
 * and access to the running command's options. */
#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void cli_printf(cli_ctx *ctx, const char *fmt, ...)
{
    if (ctx->g.json)
        return;
    cli_progress_interrupt(&ctx->progress);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(ctx->out, fmt, ap);
    va_end(ap);
}

void cli_note(cli_ctx *ctx, const char *fmt, ...)
{
    if (ctx->g.quiet)
        return;
    cli_progress_interrupt(&ctx->progress);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(ctx->err, fmt, ap);
    va_end(ap);
}

bool cli_confirm(cli_ctx *ctx, const char *question)
{
    if (!ctx->interactive || ctx->g.json || ctx->in == NULL)
        return false;
    cli_progress_interrupt(&ctx->progress);
    fprintf(ctx->err, "%s [y/N] ", question);
    fflush(ctx->err);
    char answer[16];
    if (fgets(answer, sizeof(answer), ctx->in) == NULL)
        return false;
    answer[strcspn(answer, "\r\n")] = '\0';
    return strcmp(answer, "y") == 0 || strcmp(answer, "Y") == 0 || strcmp(answer, "yes") == 0 ||
           strcmp(answer, "YES") == 0 || strcmp(answer, "Yes") == 0;
}

stp_status cli_usage_error(cli_ctx *ctx, const char *fmt, ...)
{
    char msg[STP_FINDING_TEXT_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    stp_finding *f = stp_finding_add(&ctx->findings, "cli.usage", STP_SEV_ERROR, "%s", msg);
    if (ctx->cmd != NULL)
        stp_finding_advice(f, "Run '" CLI_PROGRAM " help %s' for its usage.", ctx->cmd->name);
    else
        stp_finding_advice(f, "Run '" CLI_PROGRAM " --help' for the list of commands.");
    return STP_ERR_INVALID_ARG;
}

static stp_status output_refused(cli_ctx *ctx, const char *path, const char *why)
{
    stp_finding *f = stp_finding_add(&ctx->findings, "file.write-failed", STP_SEV_ERROR,
                                     "%s: cannot write there: %s", path, why);
    stp_finding_evidence(f, "file", "%s", path);
    stp_finding_advice(f, "Name a file in an existing directory that you can write to.");
    return STP_ERR_INVALID_ARG;
}

stp_status cli_check_output(cli_ctx *ctx, const char *path)
{
    struct stat sb;
    if (path[0] == '\0')
        return output_refused(ctx, path, "empty file name");
    if (stat(path, &sb) == 0) {
        if (S_ISDIR(sb.st_mode))
            return output_refused(ctx, path, "it is a directory");
        if (access(path, W_OK) != 0)
            return output_refused(ctx, path, strerror(errno));
        if (!S_ISREG(sb.st_mode))
            return STP_OK; /* /dev/stdout, a FIFO: written in place */
    }
    /* The file is written next to itself first (no partial file on failure): the directory
     * must exist and be writable. */
    const char *slash = strrchr(path, '/');
    char *dir = NULL;
    if (slash == NULL)
        dir = strdup(".");
    else if (slash == path)
        dir = strdup("/");
    else
        dir = strndup(path, (size_t)(slash - path));
    if (dir == NULL)
        return STP_ERR_NOMEM;
    stp_status st = STP_OK;
    char why[160];
    if (stat(dir, &sb) != 0) {
        snprintf(why, sizeof(why), "directory %s: %s", dir, strerror(errno));
        st = output_refused(ctx, path, why);
    } else if (!S_ISDIR(sb.st_mode)) {
        snprintf(why, sizeof(why), "%s is not a directory", dir);
        st = output_refused(ctx, path, why);
    } else if (access(dir, W_OK | X_OK) != 0) {
        snprintf(why, sizeof(why), "directory %s: %s", dir, strerror(errno));
        st = output_refused(ctx, path, why);
    }
    free(dir);
    return st;
}

/* Warnings about the chip itself that every command would repeat in full: one line each
 * outside `info` and `doctor`, which show their evidence. */
static bool repeats_on_every_command(const stp_finding *f)
{
    return f->severity == STP_SEV_WARNING && strcmp(f->id, "flash.size-implausible") == 0;
}

/* Findings lost to allocation failure are themselves a finding, built without the heap: a
 * process out of memory still says so by id, with the next step. */
static bool dropped_finding(const stp_findings *list, stp_finding *f)
{
    if (list == NULL || list->dropped <= 0)
        return false;
    memset(f, 0, sizeof(*f));
    snprintf(f->id, sizeof(f->id), "cli.out-of-memory");
    f->severity = STP_SEV_ERROR;
    snprintf(f->message, sizeof(f->message),
             CLI_PROGRAM " ran out of memory (%d finding(s) could not be recorded)", list->dropped);
    snprintf(f->advice, sizeof(f->advice),
             "free memory or raise the process's limit (ulimit -v), then run the command again");
    return true;
}

static void render_one(FILE *out, const stp_finding *f, bool brief)
{
    if (strcmp(f->id, "cli.usage") == 0) { /* the classic look for command-line mistakes */
        fprintf(out, CLI_PROGRAM ": %s\n", f->message);
        if (f->advice[0] != '\0')
            fprintf(out, "%s\n", f->advice);
        return;
    }
    if (brief && repeats_on_every_command(f)) {
        fprintf(out, "%s: %s [%s] (`stprog info` has the details)\n",
                stp_severity_name(f->severity), f->message, f->id);
        return;
    }
    fprintf(out, "%s: %s [%s]\n", stp_severity_name(f->severity), f->message, f->id);
    for (size_t e = 0; e < f->evidence_count; e++)
        fprintf(out, "    %s: %s\n", f->evidence[e].key, f->evidence[e].value);
    if (f->advice[0] != '\0')
        fprintf(out, "  next step: %s\n", f->advice);
}

void cli_render_findings(FILE *out, const stp_findings *list, bool errors_only, bool brief)
{
    if (list == NULL)
        return;
    for (size_t i = 0; i < list->count; i++) {
        const stp_finding *f = &list->items[i];
        if (errors_only && f->severity < STP_SEV_ERROR)
            continue;
        render_one(out, f, brief);
    }
    stp_finding lost;
    if (dropped_finding(list, &lost))
        render_one(out, &lost, brief);
}

void cli_json_findings(cli_json *j, const stp_findings *list)
{
    cli_json_key(j, "findings");
    cli_json_array_begin(j);
    stp_finding lost;
    bool with_lost = dropped_finding(list, &lost);
    size_t count = list != NULL ? list->count : 0;
    for (size_t i = 0; i < count + (with_lost ? 1 : 0); i++) {
        const stp_finding *f = i < count ? &list->items[i] : &lost;
        cli_json_object_begin(j);
        cli_json_kv_string(j, "id", f->id);
        cli_json_kv_string(j, "severity", stp_severity_name(f->severity));
        cli_json_kv_string(j, "message", f->message);
        cli_json_key(j, "evidence");
        cli_json_object_begin(j);
        for (size_t e = 0; e < f->evidence_count; e++)
            cli_json_kv_string(j, f->evidence[e].key, f->evidence[e].value);
        cli_json_object_end(j);
        cli_json_kv_string(j, "advice", f->advice[0] != '\0' ? f->advice : NULL);
        cli_json_object_end(j);
    }
    cli_json_array_end(j);
}

/* --- options of the running command --- */

static bool same_option(const cli_opt_value *v, const char *name)
{
    return v->opt != NULL && strcmp(v->opt->name, name) == 0;
}

const char *cli_opt(const cli_ctx *ctx, const char *name)
{
    const char *value = NULL;
    for (int i = 0; i < ctx->args.optc; i++) {
        if (same_option(&ctx->args.optv[i], name))
            value = ctx->args.optv[i].value;
    }
    return value;
}

bool cli_flag(const cli_ctx *ctx, const char *name)
{
    return cli_opt_count(ctx, name) > 0;
}

int cli_opt_count(const cli_ctx *ctx, const char *name)
{
    int n = 0;
    for (int i = 0; i < ctx->args.optc; i++) {
        if (same_option(&ctx->args.optv[i], name))
            n++;
    }
    return n;
}

const char *cli_opt_nth(const cli_ctx *ctx, const char *name, int index)
{
    int n = 0;
    for (int i = 0; i < ctx->args.optc; i++) {
        if (same_option(&ctx->args.optv[i], name) && n++ == index)
            return ctx->args.optv[i].value;
    }
    return NULL;
}

stp_status cli_opt_u32(cli_ctx *ctx, const char *name, cli_num_kind kind, uint32_t *out)
{
    const char *text = cli_opt(ctx, name);
    if (text == NULL)
        return STP_OK;
    char why[96];
    if (!cli_parse_u32(text, kind, out, why, sizeof(why)))
        return cli_usage_error(ctx, "bad value for --%s: '%s': %s", name, text, why);
    return STP_OK;
}

stp_status cli_arg_u32(cli_ctx *ctx, int index, const char *what, cli_num_kind kind, uint32_t *out)
{
    if (index < 0 || index >= ctx->args.argc)
        return cli_usage_error(ctx, "missing argument %s", what);
    const char *text = ctx->args.argv[index];
    char why[96];
    if (!cli_parse_u32(text, kind, out, why, sizeof(why)))
        return cli_usage_error(ctx, "bad %s: '%s': %s", what, text, why);
    return STP_OK;
}
