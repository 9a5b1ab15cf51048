/* stprog recover [JOURNAL] [--discard] [--list]: the journal of kept bytes. Without
 * arguments, writes back the bytes a failed write saved for the connected chip; JOURNAL
 * names a journal file; --discard deletes one; --list shows them all without a probe. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli_target.h"
#include "stprog/journal.h"

static const cli_option recover_options[] = {
    {"discard", 0, NULL, "delete the journal instead of writing it back"},
    {"list", 0, NULL, "list the journals in the journal directory (no probe needed)"},
    {0},
};

static void uid_of(const stp_journal_summary *j, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    if (!j->uid_valid) {
        snprintf(buf, cap, "(none)");
        return;
    }
    for (int i = 11; i >= 0 && used + 3 <= cap; i--)
        used += (size_t)snprintf(buf + used, cap - used, "%02X", j->uid[i]);
}

static void when_of(const stp_journal_summary *j, char *buf, size_t cap)
{
    time_t t = (time_t)j->created;
    struct tm tm;
    if (localtime_r(&t, &tm) == NULL || strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm) == 0)
        snprintf(buf, cap, "?");
}

static void json_summary(cli_ctx *ctx, const stp_journal_summary *j)
{
    char uid[32], when[32];
    uid_of(j, uid, sizeof(uid));
    when_of(j, when, sizeof(when));
    cli_json *js = &ctx->json;
    cli_json_object_begin(js);
    cli_json_kv_string(js, "path", j->path);
    cli_json_kv_string(js, "chip", j->chip);
    cli_json_kv_u64(js, "dev_id", j->dev_id);
    cli_json_kv_string(js, "unique_id", j->uid_valid ? uid : NULL);
    cli_json_kv_string(js, "operation", j->operation);
    cli_json_kv_string(js, "saved", when);
    cli_json_kv_u64(js, "sectors", j->sector_count);
    cli_json_kv_string(js, "sector_numbers", j->sectors);
    cli_json_kv_u64(js, "bytes", j->bytes);
    cli_json_kv_u64(js, "first_address", j->first_addr);
    cli_json_kv_u64(js, "end_address", j->end_addr);
    cli_json_object_end(js);
}

static void print_summary(cli_ctx *ctx, const char *verb, const stp_journal_summary *j)
{
    char uid[32], when[32], size[32];
    uid_of(j, uid, sizeof(uid));
    when_of(j, when, sizeof(when));
    cli_format_size(j->bytes, size, sizeof(size));
    cli_printf(ctx, "%s %s: %s of sector(s) %s of %s (unique ID %s), saved by a failed %s at %s\n",
               verb, j->path, size, j->sectors, j->chip, uid, j->operation, when);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static stp_status list(cli_ctx *ctx)
{
    const char *dir = ctx->env.journal_dir;
    if (ctx->g.json) {
        cli_json_kv_string(&ctx->json, "journal_dir", dir);
        cli_json_key(&ctx->json, "journals");
        cli_json_array_begin(&ctx->json);
    }
    DIR *d = dir != NULL ? opendir(dir) : NULL;
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len < 9 || strcmp(e->d_name + len - 8, ".journal") != 0)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            char **more = realloc(names, cap * sizeof(*names));
            if (more == NULL)
                break;
            names = more;
        }
        names[n] = strdup(e->d_name);
        if (names[n] != NULL)
            n++;
    }
    if (d != NULL)
        closedir(d);
    if (n > 1)
        qsort(names, n, sizeof(*names), by_name);
    for (size_t i = 0; i < n; i++) {
        char path[STP_JOURNAL_PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        stp_journal_summary j;
        if (stp_journal_describe(path, &j, &ctx->findings) != STP_OK)
            continue; /* journal.corrupt says what is wrong with it */
        if (ctx->g.json)
            json_summary(ctx, &j);
        else
            print_summary(ctx, "journal", &j);
    }
    if (ctx->g.json)
        cli_json_array_end(&ctx->json);
    else if (n == 0)
        cli_printf(ctx, "no journals in %s: no write left bytes to restore\n",
                   dir != NULL ? dir : "(no journal directory: set HOME or --journal)");
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return STP_OK;
}

/* --discard FILE: no probe needed. */
static stp_status discard_file(cli_ctx *ctx, const char *path)
{
    stp_journal_summary j;
    stp_status st = stp_journal_discard(path, &j, &ctx->findings);
    if (ctx->g.json) {
        cli_json_kv_bool(&ctx->json, "discarded", st == STP_OK);
        cli_json_key(&ctx->json, "journal");
        json_summary(ctx, &j);
    } else if (st == STP_OK) {
        print_summary(ctx, "deleted", &j);
    }
    return st;
}

static stp_status with_chip(cli_ctx *ctx, const char *path, bool discard)
{
    cli_session s;
    stp_status st = cli_session_open(ctx, 0, &s);
    if (st != STP_OK)
        return st;
    char own[STP_JOURNAL_PATH_MAX] = "";
    if (ctx->env.journal_dir != NULL)
        (void)stp_journal_path_for(ctx->env.journal_dir, s.target, own, sizeof(own));
    stp_journal_summary j;
    bool found = false;
    memset(&j, 0, sizeof(j));
    if (discard) {
        found = own[0] != '\0' && access(own, F_OK) == 0;
        if (found)
            st = stp_journal_discard(own, &j, &ctx->findings);
    } else {
        st = stp_journal_recover(s.target, path, &ctx->env, &found, &j, &ctx->findings);
    }
    cli_took took = cli_session_took(&s);
    if (ctx->g.json) {
        cli_json_kv_bool(&ctx->json, "found", found);
        cli_json_kv_bool(&ctx->json, discard ? "discarded" : "recovered", found && st == STP_OK);
        if (found) {
            cli_json_key(&ctx->json, "journal");
            json_summary(ctx, &j);
        } else {
            cli_json_kv_string(&ctx->json, "expected_path", own);
        }
        cli_json_took(ctx, &took);
    } else if (st == STP_OK && !found) {
        cli_printf(ctx, "no journal for this chip (%s): nothing to %s\n",
                   own[0] ? own : "no journal directory", discard ? "delete" : "restore");
    } else if (st == STP_OK) {
        char tk[64];
        print_summary(ctx, discard ? "deleted" : "restored", &j);
        if (!discard)
            cli_printf(ctx, "the saved bytes are back in flash and verified, %s\n",
                       cli_format_took(&took, tk, sizeof(tk)));
    }
    cli_session_close(&s);
    return st;
}

static stp_status run(cli_ctx *ctx)
{
    bool discard = cli_flag(ctx, "discard"), listing = cli_flag(ctx, "list");
    const char *path = ctx->args.argc > 0 ? ctx->args.argv[0] : NULL;
    if (listing && (discard || path != NULL))
        return cli_usage_error(ctx, "--list takes no journal and no --discard");
    if (listing)
        return list(ctx);
    if (discard && path != NULL)
        return discard_file(ctx, path);
    if (path == NULL && ctx->env.journal_dir == NULL)
        return cli_usage_error(ctx, "no journal directory: HOME is not set; name one with "
                                    "--journal DIR");
    return with_chip(ctx, path, discard);
}

const cli_command cli_cmd_recover = {
    .name = "recover",
    .summary = "write back the bytes a failed write saved (the journal of kept bytes)",
    .usage = "[JOURNAL] [--discard] [--list]",
    .description =
        "Before a write (or `erase ADDR LEN`, or gdb's load) erases a sector it rewrites only "
        "in part, it saves that sector's contents in a journal named after the chip's unique "
        "ID, in $XDG_STATE_HOME/stprog (default ~/.local/state/stprog; --journal DIR chooses "
        "another), and removes it when the write succeeds. After a write that failed or was "
        "killed, the next write or erase on the same chip writes the saved bytes back by "
        "itself; `recover` does only that, and verifies. JOURNAL names a journal file instead "
        "of the chip's own. A journal taken from another chip (unique ID) or whose checksum "
        "does not match is refused and never applied. --discard deletes the chip's journal "
        "(with JOURNAL: that file, no probe needed); --list shows every journal in the "
        "directory.",
    .options = recover_options,
    .min_args = 0,
    .max_args = 1,
    .run = run,
};
