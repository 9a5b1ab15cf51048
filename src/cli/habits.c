/* Command lines typed from habit by users of st-flash and OpenOCD (see habits.h). */
#include "cli/habits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/numparse.h"

static bool is_number(const char *s)
{
    uint64_t v;
    char why[64];
    return cli_parse_number(s, CLI_NUM_SIZE, UINT64_MAX, &v, why, sizeof(why));
}

/* OpenOCD's program command's words and what they are in stprog's write. */
static bool openocd_word(const char *w, const char **as)
{
    static const struct {
        const char *word, *as;
    } words[] = {{"verify", NULL}, {"reset", "--reset"}, {"exit", NULL}, {"preverify", NULL}};
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcmp(w, words[i].word) == 0) {
            *as = words[i].as;
            return true;
        }
    return false;
}

char **cli_habit_rewrite(int argc, char **argv, int *new_argc, char *note, size_t cap)
{
    int at = -1;
    for (int i = 1; i < argc && at < 0; i++) {
        if (argv[i][0] == '-') {
            /* a global option's separate value is not the command */
            if (strchr(argv[i], '=') == NULL && i + 1 < argc &&
                (strcmp(argv[i], "--probe") == 0 || strcmp(argv[i], "--freq") == 0 ||
                 strcmp(argv[i], "--connect") == 0 || strcmp(argv[i], "--reset") == 0))
                i++;
            continue;
        }
        if (strcmp(argv[i], "program") != 0)
            return NULL;
        at = i;
    }
    if (at < 0 || at + 1 >= argc || argv[at + 1][0] == '-')
        return NULL;
    char **out = calloc((size_t)argc + 1, sizeof(*out));
    if (out == NULL)
        return NULL;
    int n = 0;
    bool reset = false;
    for (int i = 0; i < argc; i++) {
        const char *as = NULL;
        if (i == at) {
            out[n++] = "write";
        } else if (i > at + 1 && openocd_word(argv[i], &as)) {
            if (as != NULL && !reset) {
                out[n++] = (char *)as;
                reset = true;
            }
        } else {
            out[n++] = argv[i];
        }
    }
    out[n] = NULL;
    *new_argc = n;
    snprintf(note, cap,
             "note: OpenOCD's `program %s ...` runs as `stprog write %s%s` (verify is the "
             "default)",
             argv[at + 1], argv[at + 1], reset ? " --reset" : "");
    return out;
}

void cli_habit_free(char **argv)
{
    free(argv);
}

bool cli_habit_hint(const cli_ctx *ctx, char *msg, size_t cap)
{
    const char *cmd = ctx->cmd != NULL ? ctx->cmd->name : "";
    const cli_args *a = &ctx->args;
    if (strcmp(cmd, "read") == 0 && a->argc == 3 && !is_number(a->argv[0]) &&
        is_number(a->argv[1]) && is_number(a->argv[2])) {
        snprintf(msg, cap,
                 "read takes ADDR LEN -o FILE (st-flash's order FILE ADDR LEN is not stprog's): "
                 "stprog read %s %s -o %s",
                 a->argv[1], a->argv[2], a->argv[0]);
        return true;
    }
    if (strcmp(cmd, "erase") == 0 && a->argc == 1 &&
        (strcmp(a->argv[0], "all") == 0 || strcmp(a->argv[0], "mass") == 0 ||
         strcmp(a->argv[0], "chip") == 0)) {
        snprintf(msg, cap, "to erase the whole flash: stprog erase --all");
        return true;
    }
    if (strcmp(cmd, "write") == 0 || strcmp(cmd, "verify") == 0) {
        const char *first = NULL, *as = NULL;
        bool reset = false;
        for (int i = 1; i < a->argc; i++) {
            if (!openocd_word(a->argv[i], &as))
                continue;
            first = first != NULL ? first : a->argv[i];
            reset = reset || as != NULL;
        }
        if (first == NULL)
            return false;
        const bool write = strcmp(cmd, "write") == 0;
        snprintf(msg, cap,
                 "'%s' is an OpenOCD word, not an argument of stprog %s: stprog %s %s%s%s", first,
                 cmd, cmd, a->argv[0], write && reset ? " --reset" : "",
                 write ? " (verify is the default)" : "");
        return true;
    }
    return false;
}
