/* Runs a parsed STM32_Programmer_CLI command line with stprog's own commands, one after the
 * other, on the probe -c names (or the --probe given to stprog before `cube`). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cube.h"

#define ARGV_MAX 64

typedef struct argv_buf {
    char *v[ARGV_MAX + 1];
    int n;
} argv_buf;

static void push(argv_buf *b, const char *s)
{
    if (b->n < ARGV_MAX)
        b->v[b->n++] = (char *)s;
    b->v[b->n] = NULL;
}

static const char *option_value(int argc, char **argv, const char *name)
{
    size_t nl = strlen(name);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], name) == 0 && i + 1 < argc)
            return argv[i + 1];
        if (strncmp(argv[i], name, nl) == 0 && argv[i][nl] == '=')
            return argv[i] + nl + 1;
    }
    return NULL;
}

int cli_cube_first(int argc, char **argv)
{
    const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;
    base = base != NULL ? base + 1 : (argc > 0 ? argv[0] : "");
    if (strcmp(base, "STM32_Programmer_CLI") == 0)
        return 1;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-') {
            if (strchr(argv[i], '=') == NULL && i + 1 < argc &&
                (strcmp(argv[i], "--probe") == 0 || strcmp(argv[i], "--freq") == 0 ||
                 strcmp(argv[i], "--connect") == 0 || strcmp(argv[i], "--reset") == 0 ||
                 strcmp(argv[i], "--journal") == 0))
                i++;
            continue;
        }
        return strcmp(argv[i], "cube") == 0 ? i + 1 : 0;
    }
    return 0;
}

static void usage(FILE *out)
{
    fputs("Usage: STM32_Programmer_CLI -c port=SWD [freq=KHZ] [mode=NORMAL|UR|HOTPLUG]\n"
          "           [reset=SWrst|HWrst|Crst] [sn=SERIAL] | -c port=/dev/ttyX [br=BAUD]\n"
          "           [P=EVEN|NONE]  OPERATION...\n"
          "       STM32_Programmer_CLI -l\n"
          "  (also: stprog [--probe SPEC] cube ARGS...)\n\n"
          "stprog's engine behind STM32CubeProgrammer's command line (the subset callers use):\n"
          "  -w, -d, --write, --download FILE [ADDR]   program (ADDR for .bin only)\n"
          "  -v, --verify                              verify that download\n"
          "  -e, --erase all | N | [N M]               erase everything or sectors\n"
          "  -ob displ | FIELD=VALUE...                show or set option bytes\n"
          "                                            (rdp=0xAA|0xBB, nWRPi=0|1, user bits)\n"
          "  -r32 ADDR SIZE                            print 32-bit words\n"
          "  -u, -r, --upload ADDR SIZE FILE           read memory to a file\n"
          "  -rst, -hardRst                            software / hardware reset\n"
          "  -s, -g, --start [ADDR]                    run from ADDR (default the flash)\n"
          "  -q, -vb 1|2|3                             quiet, verbosity\n"
          "Exit status 0 on success, non-zero on any failure. See stprog(1), CUBE COMMAND LINE.\n",
          out);
}

/* The stprog globals for an action: the outer ones (argv before `cube`) with the probe,
 * clock, connect and reset modes -c gave. */
static void globals(argv_buf *b, const cube_cmd *c, int argc, char **argv, int first,
                    bool reset_mode, bool list, char *probe, size_t cap)
{
    push(b, "stprog");
    for (int i = 1; i < first - 1; i++)
        push(b, argv[i]);
    const char *outer_probe = option_value(first - 1, argv, "--probe");
    if (c->tty[0] != '\0') {
        snprintf(probe, cap, "uart:%s%s%s%s%s", c->tty, c->baud[0] ? ",baud=" : "", c->baud,
                 c->parity ? ",parity=" : "", c->parity ? c->parity : "");
        push(b, "--probe");
        push(b, probe);
    } else if (outer_probe == NULL && (!list || c->sn[0] != '\0')) {
        snprintf(probe, cap, "stlink%s%s", c->sn[0] ? ":" : "", c->sn);
        push(b, "--probe");
        push(b, probe);
    }
    if (c->freq[0] != '\0' && option_value(first - 1, argv, "--freq") == NULL) {
        push(b, "--freq");
        push(b, c->freq);
    }
    if (c->mode != NULL && option_value(first - 1, argv, "--connect") == NULL) {
        push(b, "--connect");
        push(b, c->mode);
    }
    if (reset_mode && c->reset != NULL && option_value(first - 1, argv, "--reset") == NULL) {
        push(b, "--reset");
        push(b, c->reset);
    }
    if (c->quiet)
        push(b, "-q");
    for (int v = 1; v < c->verbosity; v++)
        push(b, "-v");
}

/* -r32: the words read, four to a line with the address of the first. */
static int print_words(const char *path, const char *addr_text)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return 1;
    unsigned long addr = strtoul(addr_text, NULL, 0);
    unsigned char w[4];
    size_t k = 0, got;
    while ((got = fread(w, 1, 4, f)) > 0) {
        if (k % 4 == 0)
            printf("%s0x%08lX :", k ? "\n" : "", addr + 4 * k);
        unsigned long v = 0;
        for (size_t i = got; i-- > 0;)
            v = v << 8 | w[i];
        printf(" %0*lX", (int)(2 * got), v);
        k++;
    }
    if (k)
        printf("\n");
    fclose(f);
    return 0;
}

static int run_action(const cube_cmd *c, const cube_action *a, int argc, char **argv, int first)
{
    argv_buf b = {.n = 0};
    char probe[320], range[32], tmp[64] = "";
    bool reset_action = a->kind == CUBE_RESET_SW || a->kind == CUBE_RESET_HW;
    globals(&b, c, argc, argv, first, !reset_action, a->kind == CUBE_LIST, probe, sizeof(probe));
    switch (a->kind) {
    case CUBE_INFO:
        push(&b, "info");
        break;
    case CUBE_LIST:
        push(&b, "probes");
        break;
    case CUBE_WRITE:
        push(&b, "write");
        push(&b, a->file);
        if (a->addr != NULL)
            push(&b, a->addr);
        if (!a->verify)
            push(&b, "--no-verify");
        break;
    case CUBE_ERASE_ALL:
        push(&b, "erase");
        push(&b, "--all");
        break;
    case CUBE_ERASE_SECTORS:
        snprintf(range, sizeof(range), "%u-%u", a->first, a->last);
        push(&b, "erase");
        push(&b, "--sectors");
        push(&b, range);
        break;
    case CUBE_OB_SHOW:
        push(&b, "option-bytes");
        push(&b, "show");
        break;
    case CUBE_OB_SET:
        push(&b, "option-bytes");
        push(&b, "set");
        for (int k = 0; k < a->nkeys; k++)
            push(&b, a->keys[k]);
        if (a->unlock)
            push(&b, "--unlock");
        break;
    case CUBE_READ32:
    case CUBE_UPLOAD:
        push(&b, "read");
        push(&b, a->addr);
        push(&b, a->len);
        push(&b, "-o");
        if (a->kind == CUBE_UPLOAD) {
            push(&b, a->file);
        } else {
            snprintf(tmp, sizeof(tmp), "/tmp/stprog-cube-XXXXXX.bin");
            int fd = mkstemps(tmp, 4);
            if (fd < 0)
                return 1;
            close(fd);
            push(&b, tmp);
            push(&b, "-q");
        }
        break;
    case CUBE_RESET_SW:
    case CUBE_RESET_HW:
        push(&b, "--reset");
        push(&b, a->kind == CUBE_RESET_SW ? "sw" : "hw");
        push(&b, "reset");
        break;
    case CUBE_START:
        push(&b, "go");
        push(&b, a->addr != NULL ? a->addr : "0x08000000");
        break;
    }
    fflush(stdout);
    int saved = -1;
    if (tmp[0] != '\0') { /* -r32 prints the words, not the read's own line */
        int null = open("/dev/null", O_WRONLY);
        saved = null >= 0 ? dup(STDOUT_FILENO) : -1;
        if (saved >= 0)
            dup2(null, STDOUT_FILENO);
        if (null >= 0)
            close(null);
    }
    int rc = cli_main(b.n, b.v);
    if (saved >= 0) {
        fflush(stdout);
        dup2(saved, STDOUT_FILENO);
        close(saved);
    }
    if (tmp[0] != '\0') {
        if (rc == 0)
            rc = print_words(tmp, a->addr);
        unlink(tmp);
    }
    return rc;
}

int cli_cube_main(int argc, char **argv, int first)
{
    cube_cmd *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return 1;
    char err[512] = "";
    int rc = 0;
    if (!cube_parse(argc - first, argv + first, c, err, sizeof(err))) {
        fprintf(stderr, "STM32_Programmer_CLI (stprog): %s\n", err);
        fprintf(stderr, "Run 'stprog help cube' for the subset stprog takes.\n");
        rc = 2;
    } else if (c->help || argc - first == 0) {
        usage(stdout);
        rc = argc - first == 0 ? 2 : 0;
    }
    for (int k = 0; rc == 0 && !c->help && k < c->nact; k++)
        rc = run_action(c, &c->act[k], argc, argv, first);
    free(c);
    return rc;
}
