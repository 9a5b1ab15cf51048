/* stprog sim-serve: the virtual board's ROM bootloader (AN3155) on a pseudo-terminal, for
 * stm32flash, for `--probe uart:PTY` and for any other serial tool. Runs until killed
 * (SIGINT/SIGTERM); the board's state file is saved and STPROG_SIM_REPORT written then. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "sim/board.h"
#include "sim/bootloader.h"

static const cli_option serve_options[] = {
    {"pty", 0, NULL, "serve the ROM bootloader on a new pseudo-terminal (the default)"},
    {"link", 0, "PATH",
     "also make PATH a symbolic link to the pty (removed at exit; an existing file at PATH "
     "that is not a symbolic link is refused)"},
    {0},
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: the wait is interrupted */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

static stp_status fail(cli_ctx *ctx, const char *id, const char *msg)
{
    stp_finding *f = stp_finding_add(&ctx->findings, id, STP_SEV_ERROR, "%s", msg);
    (void)f;
    return STP_ERR_INVALID_ARG;
}

static stp_status run(cli_ctx *ctx)
{
    const char *spec = ctx->args.argc > 0 ? ctx->args.argv[0] : ctx->g.probe;
    if (spec == NULL)
        return cli_usage_error(ctx, "sim-serve needs a board spec (sim:PART,boot0=1,...)");
    char err[512] = "";
    sim_board *b = sim_board_open(spec, err, sizeof err);
    if (b == NULL) {
        /* The list of parts does not fit in a finding's message: name where it is. */
        char *list = strstr(err, " (accepted parts:");
        if (list != NULL)
            snprintf(list, sizeof err - (size_t)(list - err), " (`stprog chips` lists the parts)");
        return fail(ctx, "sim.spec-invalid", err);
    }
    sim_bl *m = sim_bl_create(b, err, sizeof err);
    sim_bl_pty *p = m ? sim_bl_pty_open(err, sizeof err) : NULL;
    if (p == NULL) {
        sim_bl_destroy(m);
        sim_board_close(b);
        return fail(ctx, "sim.serve-failed", err);
    }
    const char *link = cli_opt(ctx, "link");
    stp_status st = STP_OK;
    if (link != NULL) {
        /* A stale link (from a killed run) is replaced; anything else at PATH is the user's
         * and is never deleted. */
        struct stat sb;
        int made = -1;
        if (lstat(link, &sb) == 0 && !S_ISLNK(sb.st_mode))
            errno = EEXIST;
        else if (lstat(link, &sb) == 0 && unlink(link) != 0)
            made = -1;
        else
            made = symlink(sim_bl_pty_path(p), link);
        if (made != 0) {
            snprintf(err, sizeof err, "cannot create the link %s: %s%s", link, strerror(errno),
                     errno == EEXIST ? " (and it is not a symbolic link: left alone)" : "");
            st = fail(ctx, "sim.serve-failed", err);
            link = NULL;
        }
    }
    if (st == STP_OK) {
        if (!sim_board_spec(b)->boot0)
            cli_note(ctx, "note: boot0=0: the chip runs its flash program and the "
                          "bootloader will not answer\n");
        catch_signals(); /* before the path is out: a client may stop us at once */
        if (ctx->g.json)
            cli_json_kv_string(&ctx->json, "pty", sim_bl_pty_path(p));
        else
            fprintf(ctx->out, "%s\n", sim_bl_pty_path(p));
        fflush(ctx->out);
        if (sim_bl_pty_serve(p, m, &stop_requested) != 0)
            st = fail(ctx, "sim.serve-failed", "the pseudo-terminal failed");
    }
    struct stat lsb;
    if (link != NULL && lstat(link, &lsb) == 0 && S_ISLNK(lsb.st_mode))
        unlink(link);
    const char *report = getenv("STPROG_SIM_REPORT");
    if (report != NULL && report[0] != '\0')
        sim_board_write_report(b, report);
    sim_bl_pty_close(p);
    sim_bl_destroy(m);
    sim_board_close(b);
    return st;
}

const cli_command cli_cmd_sim_serve = {
    .name = "sim-serve",
    .summary = "serve a virtual board's ROM bootloader on a pty",
    .usage = "SPEC [--pty] [--link PATH]",
    .description = "Opens the virtual board SPEC (sim:PART,boot0=1[,state=FILE,rdp=1,...]) and "
                   "serves its ROM bootloader (the AN3155 USART protocol) on a new "
                   "pseudo-terminal, whose path is printed on the first line of stdout. "
                   "stm32flash and `--probe uart:PATH` talk to it like to a chip on a USB "
                   "serial adapter. Runs until interrupted (SIGINT, SIGTERM); then the state "
                   "file is saved and, with STPROG_SIM_REPORT=FILE, the virtual clock and "
                   "counters are written to FILE. See docs/bootloader.md.",
    .options = serve_options,
    .min_args = 0,
    .max_args = 1,
    .run = run,
};
