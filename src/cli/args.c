/* stprog CLI — command-line parsing. */
#include "cli/args.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const cli_option cli_global_options[] = {
    {"probe", 0, "SPEC",
     "probe: stlink (the default), stlink:SERIAL, sim:PART[,key=value...] (the virtual board) "
     "or uart:PORT[,key=value...] (the ROM bootloader on a serial port)"},
    {"freq", 0, "KHZ", "SWD clock in kHz (4000, 1800, ...; 4M = 4000)"},
    {"connect", 0, "MODE", "connect mode: normal, under-reset or hot-plug"},
    {"reset", 0, "MODE", "reset mode: hw (NRST pin), sw (system reset) or core"},
    {"journal", 0, "DIR",
     "where the bytes a write keeps are saved before erasing (default "
     "$XDG_STATE_HOME/stprog, else ~/.local/state/stprog)"},
    {"json", 0, NULL, "one JSON document on stdout; messages for people on stderr"},
    {"verbose", 'v', NULL, "more detail on stderr (repeat for more)"},
    {"quiet", 'q', NULL, "errors only on stderr; no progress"},
    {"help", 'h', NULL, "show help (for a command: stprog help COMMAND)"},
    {"version", 'V', NULL, "show the version"},
    {0},
};

/* The values of --connect and --reset, in the order of cli_connect_mode / cli_reset_mode
 * (from 1); NULL-terminated. The parser and the shell completion (cmd_completion.c) use them. */
const char *const cli_connect_modes[] = {"normal", "under-reset", "hot-plug", NULL};
const char *const cli_reset_modes[] = {"hw", "sw", "core", NULL};

static const cli_option *find_long(const cli_option *table, const char *name, size_t len)
{
    for (const cli_option *o = table; o != NULL && o->name != NULL; o++) {
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
            return o;
    }
    return NULL;
}

static const cli_option *find_short(const cli_option *table, char c)
{
    for (const cli_option *o = table; o != NULL && o->name != NULL; o++) {
        if (o->short_name != 0 && o->short_name == c)
            return o;
    }
    return NULL;
}

static bool is_global(const cli_option *o)
{
    return o >= cli_global_options &&
           o < cli_global_options + sizeof(cli_global_options) / sizeof(cli_global_options[0]);
}

static bool fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return false;
}

static bool parse_enum(const char *value, const char *const *names, int *out)
{
    for (int i = 0; names[i] != NULL; i++) {
        if (strcmp(value, names[i]) == 0) {
            *out = i + 1; /* 0 is "default" */
            return true;
        }
    }
    return false;
}

static bool apply_global(cli_parsed *p, const cli_option *o, const char *value, char *err,
                         size_t errlen)
{
    const char *n = o->name;
    cli_globals before = p->g;
    if (strcmp(n, "probe") == 0) {
        if (value[0] == '\0')
            return fail(err, errlen, "option --probe needs a probe spec");
        if (before.probe != NULL && strcmp(before.probe, value) != 0)
            return fail(err, errlen, "--probe given twice ('%s' and '%s'): give it once",
                        before.probe, value);
        p->g.probe = value;
    } else if (strcmp(n, "freq") == 0) {
        char why[96];
        if (!cli_parse_u32(value, CLI_NUM_FREQ_KHZ, &p->g.freq_khz, why, sizeof(why)))
            return fail(err, errlen, "bad value for --freq: '%s': %s", value, why);
        if (p->g.freq_khz == 0)
            return fail(err, errlen, "bad value for --freq: '%s': must be more than 0", value);
        if (before.freq_khz != 0 && before.freq_khz != p->g.freq_khz)
            return fail(err, errlen, "--freq given twice (%u and %u kHz): give it once",
                        (unsigned)before.freq_khz, (unsigned)p->g.freq_khz);
    } else if (strcmp(n, "connect") == 0) {
        const char *const *modes = cli_connect_modes;
        int m;
        if (!parse_enum(value, modes, &m))
            return fail(err, errlen,
                        "bad value for --connect: '%s' (use normal, under-reset or hot-plug)",
                        value);
        if (before.connect != CLI_CONNECT_DEFAULT && before.connect != (cli_connect_mode)m)
            return fail(err, errlen, "--connect given twice (%s and %s): give it once",
                        modes[before.connect - 1], value);
        p->g.connect = (cli_connect_mode)m;
    } else if (strcmp(n, "reset") == 0) {
        const char *const *modes = cli_reset_modes;
        int m;
        if (!parse_enum(value, modes, &m))
            return fail(err, errlen, "bad value for --reset: '%s' (use hw, sw or core)", value);
        if (before.reset != CLI_RESET_DEFAULT && before.reset != (cli_reset_mode)m)
            return fail(err, errlen, "--reset given twice (%s and %s): give it once",
                        modes[before.reset - 1], value);
        p->g.reset = (cli_reset_mode)m;
    } else if (strcmp(n, "journal") == 0) {
        if (value[0] == '\0')
            return fail(err, errlen, "option --journal needs a directory");
        if (before.journal != NULL && strcmp(before.journal, value) != 0)
            return fail(err, errlen, "--journal given twice ('%s' and '%s'): give it once",
                        before.journal, value);
        p->g.journal = value;
    } else if (strcmp(n, "json") == 0) {
        p->g.json = true;
    } else if (strcmp(n, "verbose") == 0) {
        p->g.verbose++;
    } else if (strcmp(n, "quiet") == 0) {
        p->g.quiet = true;
    } else if (strcmp(n, "help") == 0) {
        p->help = true;
    } else if (strcmp(n, "version") == 0) {
        p->version = true;
    }
    return true;
}

/* A valued option given twice with different values is ambiguous ("--addr A --addr B": which
 * did the user mean?) and refused; the same value twice is harmless. */
static bool take_option(cli_parsed *p, const cli_option *o, const char *value, char *err,
                        size_t errlen)
{
    for (int k = 0; value != NULL && k < p->args.optc; k++) {
        const cli_opt_value *prev = &p->args.optv[k];
        if (prev->opt == o && prev->value != NULL && strcmp(prev->value, value) != 0)
            return fail(err, errlen, "--%s given twice ('%s' and '%s'): give it once", o->name,
                        prev->value, value);
    }
    cli_opt_value *v = &p->args.optv[p->args.optc++];
    v->opt = o;
    v->value = value;
    return true;
}

/* Handles one option o spelled as `spelled` with an inline value (after '=' or in a short
 * cluster) or the next argument. Returns the number of extra argv items consumed, or -1. */
static int handle_option(cli_parsed *p, const cli_option *o, const char *spelled,
                         const char *inline_value, bool has_inline, int i, int argc, char **argv,
                         char *err, size_t errlen)
{
    const char *value = NULL;
    int used = 0;
    if (o->value == NULL) {
        if (has_inline) {
            fail(err, errlen, "option %s takes no value", spelled);
            return -1;
        }
    } else if (has_inline) {
        value = inline_value;
    } else if (i + 1 < argc) {
        value = argv[i + 1];
        used = 1;
    } else {
        snprintf(err, errlen, "option %s needs a value (%s)", spelled, o->value);
        return -1;
    }
    if (is_global(o)) {
        if (!apply_global(p, o, value, err, errlen))
            return -1;
    } else if (!take_option(p, o, value, err, errlen)) {
        return -1;
    }
    return used;
}

static const char *command_context(const cli_parsed *p, char *buf, size_t cap)
{
    if (p->cmd == NULL)
        return "";
    snprintf(buf, cap, " for '%s'", p->cmd->name);
    return buf;
}

/* A command flag with the name of a valued global option (write's --reset flag and the global
 * --reset MODE): "--reset sw" or "--reset=sw" after the command sets both, so the user gets
 * what the words say. True when that applied (the global is set; the caller records the flag).
 * A following word that is not a valid value of the global stays a positional argument. */
static bool shadowed_global_with_value(cli_parsed *p, const cli_option *o, const char *name,
                                       size_t len, const char *eq, int i, int argc, char **argv,
                                       char *err, size_t errlen)
{
    if (is_global(o) || o->value != NULL)
        return false;
    const cli_option *g = find_long(cli_global_options, name, len);
    if (g == NULL || g->value == NULL)
        return false;
    const char *value = eq != NULL ? eq + 1 : (i + 1 < argc ? argv[i + 1] : NULL);
    if (value == NULL || value[0] == '-')
        return false;
    cli_parsed trial = *p;
    if (!apply_global(&trial, g, value, err, errlen)) {
        err[0] = '\0';
        return false;
    }
    p->g = trial.g;
    return true;
}

static size_t edit_distance(const char *a, const char *b);

/* The closest long option of the command or the globals to a mistyped one (at most two edits
 * away), or NULL. */
static const char *suggest_option(const cli_parsed *p, const char *name, size_t len)
{
    char typed[32];
    if (len >= sizeof(typed) || len < 2)
        return NULL;
    memcpy(typed, name, len);
    typed[len] = '\0';
    const char *best = NULL;
    size_t best_d = 3;
    const cli_option *tables[2] = {p->cmd != NULL ? p->cmd->options : NULL, cli_global_options};
    for (int t = 0; t < 2; t++) {
        for (const cli_option *o = tables[t]; o != NULL && o->name != NULL; o++) {
            size_t d = edit_distance(typed, o->name);
            if (d < best_d) {
                best_d = d;
                best = o->name;
            }
        }
    }
    return best;
}

static bool parse_long(cli_parsed *p, int *i, int argc, char **argv, char *err, size_t errlen)
{
    const char *arg = argv[*i];
    const char *name = arg + 2;
    const char *eq = strchr(name, '=');
    size_t len = eq != NULL ? (size_t)(eq - name) : strlen(name);
    const cli_option *o = NULL;
    if (p->cmd != NULL)
        o = find_long(p->cmd->options, name, len);
    if (o == NULL)
        o = find_long(cli_global_options, name, len);
    if (o == NULL) {
        char ctxbuf[64], near[96] = "";
        const char *best = suggest_option(p, name, len);
        if (best != NULL)
            snprintf(near, sizeof(near), " (did you mean '--%s'?)", best);
        snprintf(err, errlen, "unknown option '--%.*s'%s%s", (int)(len < 64 ? len : 64), name,
                 command_context(p, ctxbuf, sizeof(ctxbuf)), near);
        return false;
    }
    if (shadowed_global_with_value(p, o, name, len, eq, *i, argc, argv, err, errlen)) {
        take_option(p, o, NULL, err, errlen);
        *i += eq == NULL ? 1 : 0;
        return true;
    }
    char spelled[72];
    snprintf(spelled, sizeof(spelled), "--%s", o->name);
    int used = handle_option(p, o, spelled, eq != NULL ? eq + 1 : NULL, eq != NULL, *i, argc, argv,
                             err, errlen);
    if (used < 0)
        return false;
    *i += used;
    return true;
}

static bool parse_short(cli_parsed *p, int *i, int argc, char **argv, char *err, size_t errlen)
{
    const char *arg = argv[*i];
    for (const char *c = arg + 1; *c != '\0'; c++) {
        const cli_option *o = NULL;
        if (p->cmd != NULL)
            o = find_short(p->cmd->options, *c);
        if (o == NULL)
            o = find_short(cli_global_options, *c);
        char spelled[4] = {'-', *c, '\0', '\0'};
        if (o == NULL) {
            char ctxbuf[64];
            snprintf(err, errlen, "unknown option '%s'%s", spelled,
                     command_context(p, ctxbuf, sizeof(ctxbuf)));
            return false;
        }
        bool has_inline = o->value != NULL && c[1] != '\0';
        int used = handle_option(p, o, spelled, has_inline ? c + 1 : NULL, has_inline, *i, argc,
                                 argv, err, errlen);
        if (used < 0)
            return false;
        *i += used;
        if (o->value != NULL)
            break; /* the rest of the cluster (or the next argument) was the value */
    }
    return true;
}

static bool take_positional(cli_parsed *p, const char *arg, const cli_command *const *table,
                            size_t count, char *err, size_t errlen)
{
    if (p->cmd == NULL) {
        for (size_t k = 0; k < count; k++) {
            if (strcmp(table[k]->name, arg) == 0) {
                p->cmd = table[k];
                return true;
            }
        }
        const char *near = cli_suggest_command(arg, table, count);
        if (near != NULL)
            snprintf(err, errlen, "unknown command '%s' (did you mean '%s'?)", arg, near);
        else
            snprintf(err, errlen, "unknown command '%s'", arg);
        return false;
    }
    p->args.argv[p->args.argc++] = arg;
    return true;
}

bool cli_parse(int argc, char **argv, const cli_command *const *table, size_t count,
               cli_parsed *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (errlen > 0)
        err[0] = '\0';
    size_t n = argc > 0 ? (size_t)argc : 1;
    out->args.argv = calloc(n, sizeof(*out->args.argv));
    out->args.optv = calloc(n, sizeof(*out->args.optv));
    if (out->args.argv == NULL || out->args.optv == NULL) {
        snprintf(err, errlen, "out of memory");
        out->out_of_memory = true;
        return false;
    }
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        bool ok;
        if (!options_done && strcmp(arg, "--") == 0) {
            options_done = true;
            continue;
        }
        if (!options_done && arg[0] == '-' && arg[1] == '-')
            ok = parse_long(out, &i, argc, argv, err, errlen);
        else if (!options_done && arg[0] == '-' && arg[1] != '\0')
            ok = parse_short(out, &i, argc, argv, err, errlen);
        else
            ok = take_positional(out, arg, table, count, err, errlen);
        if (!ok) {
            /* The message still goes where the user asked for it. */
            for (int k = 1; k < argc && strcmp(argv[k], "--") != 0; k++) {
                if (strcmp(argv[k], "--json") == 0)
                    out->g.json = true;
                else if (strcmp(argv[k], "--quiet") == 0 || strcmp(argv[k], "-q") == 0)
                    out->g.quiet = true;
            }
            return false;
        }
    }
    return true;
}

void cli_parsed_free(cli_parsed *p)
{
    free(p->args.argv);
    free(p->args.optv);
    p->args.argv = NULL;
    p->args.optv = NULL;
    p->args.argc = 0;
    p->args.optc = 0;
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 31 || lb > 31)
        return 99;
    size_t row[32];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diag + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *cli_suggest_command(const char *name, const cli_command *const *table, size_t count)
{
    const char *best = NULL;
    size_t best_d = 3; /* at most two edits away */
    for (size_t k = 0; k < count; k++) {
        size_t d = edit_distance(name, table[k]->name);
        size_t ln = strlen(name);
        if (ln >= 2 && strncmp(table[k]->name, name, ln) == 0)
            d = 1; /* a prefix of a command */
        if (d < best_d) {
            best_d = d;
            best = table[k]->name;
        }
    }
    return best;
}
