/* STM32_Programmer_CLI command line (UM2237) into actions for stprog's commands: -c (its
 * KEY=VALUE pairs in one argument or several), the operations in the order given. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cube.h"

static bool is_opt(const char *a)
{
    return a[0] == '-' && a[1] != '\0' && !isdigit((unsigned char)a[1]);
}

static bool one_of(const char *a, const char *const *names)
{
    for (; *names != NULL; names++)
        if (strcmp(a, *names) == 0)
            return true;
    return false;
}

static bool fail(char *err, size_t cap, const char *fmt, const char *what)
{
    snprintf(err, cap, fmt, what);
    return false;
}

/* One KEY=VALUE of -c. */
static bool connect_pair(cube_cmd *c, const char *pair, char *err, size_t cap)
{
    const char *eq = strchr(pair, '=');
    if (eq == NULL)
        return fail(err, cap, "-c: '%s' is not KEY=VALUE", pair);
    char key[16];
    size_t kl = (size_t)(eq - pair);
    if (kl == 0 || kl >= sizeof(key))
        return fail(err, cap, "-c: '%s' is not KEY=VALUE", pair);
    memcpy(key, pair, kl);
    key[kl] = '\0';
    const char *v = eq + 1;
    if (strcasecmp(key, "port") == 0) {
        if (strcasecmp(v, "SWD") == 0) {
            c->swd = true;
        } else if (v[0] == '/') { /* /dev/ttyUSB0, or a link to a tty */
            snprintf(c->tty, sizeof(c->tty), "%s", v);
        } else {
            return fail(err, cap,
                        "-c port=%s: stprog takes port=SWD (ST-Link) or port=/dev/ttyX (the ROM "
                        "bootloader on a UART); JTAG, USB DFU and the other ports are outside "
                        "its subset",
                        v);
        }
    } else if (strcasecmp(key, "freq") == 0) {
        snprintf(c->freq, sizeof(c->freq), "%s", v);
    } else if (strcasecmp(key, "mode") == 0) {
        if (strcasecmp(v, "NORMAL") == 0)
            c->mode = "normal";
        else if (strcasecmp(v, "UR") == 0)
            c->mode = "under-reset";
        else if (strcasecmp(v, "HOTPLUG") == 0)
            c->mode = "hot-plug";
        else
            return fail(err, cap, "-c mode=%s: takes NORMAL, UR or HOTPLUG", v);
    } else if (strcasecmp(key, "reset") == 0) {
        if (strcasecmp(v, "SWrst") == 0)
            c->reset = "sw";
        else if (strcasecmp(v, "HWrst") == 0)
            c->reset = "hw";
        else if (strcasecmp(v, "Crst") == 0)
            c->reset = "core";
        else
            return fail(err, cap, "-c reset=%s: takes SWrst, HWrst or Crst", v);
    } else if (strcasecmp(key, "sn") == 0) {
        snprintf(c->sn, sizeof(c->sn), "%s", v);
    } else if (strcasecmp(key, "br") == 0) {
        snprintf(c->baud, sizeof(c->baud), "%s", v);
    } else if (strcasecmp(key, "P") == 0) {
        if (strcasecmp(v, "EVEN") == 0)
            c->parity = "even";
        else if (strcasecmp(v, "NONE") == 0)
            c->parity = "none";
        else
            return fail(err, cap, "-c P=%s: takes EVEN or NONE", v);
    } else {
        return fail(err, cap,
                    "-c %s: outside the subset stprog takes (port, freq, mode, reset, sn; br "
                    "and P with a tty)",
                    pair);
    }
    return true;
}

/* The -c value: pairs in one argument separated by spaces, or in several arguments. */
static bool connect_args(cube_cmd *c, int argc, char **argv, int *i, char *err, size_t cap)
{
    c->connect = true;
    int n = 0;
    while (*i + 1 < argc && !is_opt(argv[*i + 1])) {
        char buf[512];
        snprintf(buf, sizeof(buf), "%s", argv[++*i]);
        for (char *save = NULL, *tok = strtok_r(buf, " \t", &save); tok != NULL;
             tok = strtok_r(NULL, " \t", &save), n++)
            if (!connect_pair(c, tok, err, cap))
                return false;
    }
    if (n == 0 || (!c->swd && c->tty[0] == '\0'))
        return fail(err, cap, "%s needs port=SWD or port=/dev/ttyX", "-c");
    return true;
}

static cube_action *add(cube_cmd *c, cube_kind kind)
{
    if (c->nact >= CUBE_MAX_ACTIONS)
        return NULL;
    cube_action *a = &c->act[c->nact++];
    memset(a, 0, sizeof(*a));
    a->kind = kind;
    return a;
}

static bool parse_uint(const char *s, unsigned *out)
{
    char *end = NULL;
    unsigned long v = strtoul(s, &end, 0);
    if (end == s || *end != '\0' || v > 0xFFFFu)
        return false;
    *out = (unsigned)v;
    return true;
}

/* -e all | N | [N M] (the brackets as arguments of their own or stuck to the numbers). */
static bool erase_args(cube_cmd *c, int argc, char **argv, int *i, char *err, size_t cap)
{
    if (*i + 1 >= argc || is_opt(argv[*i + 1]))
        return fail(err, cap, "%s needs all, a sector number or [FIRST LAST]", argv[*i]);
    if (strcasecmp(argv[*i + 1], "all") == 0) {
        ++*i;
        return add(c, CUBE_ERASE_ALL) != NULL;
    }
    char text[128] = "";
    while (*i + 1 < argc && !is_opt(argv[*i + 1]) &&
           strlen(text) + strlen(argv[*i + 1]) + 2 < sizeof(text)) {
        strcat(text, argv[++*i]);
        strcat(text, " ");
    }
    bool bracket = strchr(text, '[') != NULL;
    for (char *p = text; *p; p++)
        if (*p == '[' || *p == ']')
            *p = ' ';
    unsigned nums[2], n = 0;
    for (char *save = NULL, *tok = strtok_r(text, " ", &save); tok != NULL;
         tok = strtok_r(NULL, " ", &save)) {
        if (n == 2 || !parse_uint(tok, &nums[n]))
            return fail(err, cap, "-e %s: takes all, N or [N M]", tok);
        n++;
    }
    if (n == 0 || (n == 2 && !bracket) || (bracket && n != 2))
        return fail(err, cap, "%s: takes all, N or [N M]", "-e");
    cube_action *a = add(c, CUBE_ERASE_SECTORS);
    if (a == NULL)
        return false;
    a->first = nums[0];
    a->last = n == 2 ? nums[1] : nums[0];
    return true;
}

/* -ob displ | FIELD=VALUE...: Cube's field names into stprog's keys. */
static bool ob_args(cube_cmd *c, int argc, char **argv, int *i, char *err, size_t cap)
{
    if (*i + 1 >= argc || is_opt(argv[*i + 1]))
        return fail(err, cap, "%s needs displ or FIELD=VALUE", argv[*i]);
    if (strcasecmp(argv[*i + 1], "displ") == 0) {
        ++*i;
        return add(c, CUBE_OB_SHOW) != NULL;
    }
    cube_action *a = add(c, CUBE_OB_SET);
    if (a == NULL)
        return false;
    while (*i + 1 < argc && !is_opt(argv[*i + 1]) && a->nkeys < CUBE_MAX_KEYS) {
        const char *f = argv[++*i], *eq = strchr(f, '=');
        if (eq == NULL || eq == f)
            return fail(err, cap, "-ob %s: not FIELD=VALUE", f);
        char key[32];
        size_t kl = (size_t)(eq - f) < sizeof(key) - 1 ? (size_t)(eq - f) : sizeof(key) - 1;
        for (size_t k = 0; k < kl; k++)
            key[k] = (char)tolower((unsigned char)f[k]);
        key[kl] = '\0';
        const char *v = eq + 1;
        char *out = a->keys[a->nkeys++];
        if (strcmp(key, "rdp") == 0) {
            unsigned long r = strtoul(v, NULL, 0);
            int level = r == 0xAA ? 0 : r == 0xCC ? 2 : 1;
            a->unlock = a->unlock || level == 0;
            snprintf(out, 48, "rdp=%d", level);
        } else if (strncmp(key, "nwrp", 4) == 0 && isdigit((unsigned char)key[4])) {
            /* nWRPi = 0: sector i write-protected */
            snprintf(out, 48, "wrp%c=%s", strcmp(v, "0") == 0 ? '+' : '-', key + 4);
        } else {
            snprintf(out, 48, "%s=%s", key, v);
        }
    }
    return a->nkeys > 0;
}

/* ADDR SIZE [FILE] of -r32 / -r / -u. */
static bool read_args(cube_cmd *c, cube_kind kind, int argc, char **argv, int *i, char *err,
                      size_t cap)
{
    int need = kind == CUBE_UPLOAD ? 3 : 2;
    if (*i + need >= argc)
        return fail(err, cap, "%s needs ADDRESS SIZE%s", argv[*i]);
    cube_action *a = add(c, kind);
    if (a == NULL)
        return false;
    a->addr = argv[++*i];
    a->len = argv[++*i];
    if (kind == CUBE_UPLOAD)
        a->file = argv[++*i];
    return true;
}

bool cube_parse(int argc, char **argv, cube_cmd *c, char *err, size_t cap)
{
    static const char *const o_connect[] = {"-c", "--connect", NULL};
    static const char *const o_list[] = {"-l", "--list", NULL};
    static const char *const o_write[] = {"-w", "--write", "-d", "--download", NULL};
    static const char *const o_verify[] = {"-v", "--verify", NULL};
    static const char *const o_erase[] = {"-e", "--erase", NULL};
    static const char *const o_ob[] = {"-ob", "--optionbytes", NULL};
    static const char *const o_upload[] = {"-u", "--upload", "-r", "--read", NULL};
    static const char *const o_start[] = {"-s", "--start", "-g", "--go", NULL};
    static const char *const o_help[] = {"-h", "-?", "--help", NULL};
    memset(c, 0, sizeof(*c));
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool ok = true;
        if (one_of(a, o_connect)) {
            ok = connect_args(c, argc, argv, &i, err, cap);
        } else if (one_of(a, o_list)) {
            if (i + 1 < argc && !is_opt(argv[i + 1]))
                i++; /* -l st-link | uart */
            ok = add(c, CUBE_LIST) != NULL;
        } else if (one_of(a, o_write)) {
            if (i + 1 >= argc || is_opt(argv[i + 1]))
                return fail(err, cap, "%s needs a file", a);
            cube_action *w = add(c, CUBE_WRITE);
            ok = w != NULL;
            if (ok) {
                w->file = argv[++i];
                if (i + 1 < argc && !is_opt(argv[i + 1]))
                    w->addr = argv[++i];
            }
        } else if (one_of(a, o_verify)) {
            if (c->nact == 0 || c->act[c->nact - 1].kind != CUBE_WRITE)
                return fail(err, cap, "%s verifies a download: give it after -w/-d FILE", a);
            c->act[c->nact - 1].verify = true;
        } else if (one_of(a, o_erase)) {
            ok = erase_args(c, argc, argv, &i, err, cap);
        } else if (one_of(a, o_ob)) {
            ok = ob_args(c, argc, argv, &i, err, cap);
        } else if (strcmp(a, "-r32") == 0) {
            ok = read_args(c, CUBE_READ32, argc, argv, &i, err, cap);
        } else if (one_of(a, o_upload)) {
            ok = read_args(c, CUBE_UPLOAD, argc, argv, &i, err, cap);
        } else if (strcmp(a, "-rst") == 0) {
            ok = add(c, CUBE_RESET_SW) != NULL;
        } else if (strcmp(a, "-hardRst") == 0) {
            ok = add(c, CUBE_RESET_HW) != NULL;
        } else if (one_of(a, o_start)) {
            cube_action *s = add(c, CUBE_START);
            ok = s != NULL;
            if (ok && i + 1 < argc && !is_opt(argv[i + 1]))
                s->addr = argv[++i];
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quietMode") == 0) {
            c->quiet = true;
        } else if (strcmp(a, "-vb") == 0 || strcmp(a, "--verbosity") == 0) {
            unsigned v = 0;
            if (i + 1 >= argc || !parse_uint(argv[i + 1], &v) || v < 1 || v > 3)
                return fail(err, cap, "%s takes 1, 2 or 3", a);
            c->verbosity = (int)v;
            i++;
        } else if (one_of(a, o_help)) {
            c->help = true;
        } else if (is_opt(a)) {
            return fail(err, cap,
                        "'%s' is outside the STM32_Programmer_CLI subset stprog takes (see "
                        "`stprog help cube`)",
                        a);
        } else {
            return fail(err, cap, "unexpected argument '%s'", a);
        }
        if (!ok) {
            if (err[0] == '\0')
                snprintf(err, cap, "more than %d operations", CUBE_MAX_ACTIONS);
            return false;
        }
    }
    if (c->help)
        return true;
    bool list_only = c->nact > 0;
    for (int k = 0; k < c->nact; k++)
        list_only = list_only && c->act[k].kind == CUBE_LIST;
    if (!c->connect && !list_only)
        return fail(err, cap, "%s", "no connection given: -c port=SWD (or port=/dev/ttyX) first");
    if (c->connect && c->nact == 0)
        add(c, CUBE_INFO);
    return true;
}
