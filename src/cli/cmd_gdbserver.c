/* stprog gdbserver: a GDB remote protocol server on the attached target. */
#include <arpa/inet.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_target.h"
#include "sim/board.h"
#include "stprog/gdbserver.h"

/* SIGINT/SIGTERM ask the server to stop: it does once the request in hand is answered. A
 * request that takes longer than STOP_GRACE_S (a long load, a program left running) or a
 * second signal ends the process at once, by the signal, after the virtual board (if any)
 * saved its state: a stop request is never ignored. */
#define STOP_GRACE_S 2u

static volatile sig_atomic_t stop_flag;
static volatile sig_atomic_t stop_signal;

static void write_err(const char *text)
{
    size_t n = strlen(text);
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, text, n);
        if (w <= 0)
            return;
        text += w;
        n -= (size_t)w;
    }
}

static void stop_now(int sig)
{
    write_err(sig == SIGTERM ? CLI_PROGRAM " gdbserver: SIGTERM: stopped in the middle of a "
                                           "request\n"
                             : CLI_PROGRAM " gdbserver: SIGINT: stopped in the middle of a "
                                           "request\n");
    sim_boards_save_on_signal();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void on_signal(int sig)
{
    if (stop_signal != 0) {
        stop_now(sig);
        return;
    }
    stop_signal = sig;
    stop_flag = 1;
    alarm(STOP_GRACE_S);
}

static void on_alarm(int sig)
{
    (void)sig;
    stop_now(stop_signal != 0 ? (int)stop_signal : SIGTERM);
}

static void notify(void *user, const char *message)
{
    cli_ctx *ctx = user;
    cli_note(ctx, CLI_PROGRAM " gdbserver: %s\n", message);
    fflush(ctx->err);
}

static const cli_option gdbserver_options[] = {
    {"port", 0, "PORT", "TCP port to listen on (default 4242; 0 = any free port)"},
    {"bind", 0, "ADDR", "address to listen on (default 127.0.0.1: this machine only)"},
    {"persist", 0, NULL, "keep serving after gdb disconnects (until Ctrl-C)"},
    {0},
};

static stp_status run(cli_ctx *ctx)
{
    uint32_t port = STP_GDBSERVER_DEFAULT_PORT;
    stp_status st = cli_opt_u32(ctx, "port", CLI_NUM_PLAIN, &port);
    if (st != STP_OK)
        return st;
    if (port > 65535)
        return cli_usage_error(ctx, "--port %u is not a TCP port (0..65535)", (unsigned)port);
    const char *bind = cli_opt(ctx, "bind");
    unsigned char addr[16];
    if (bind != NULL && inet_pton(AF_INET, bind, addr) != 1 &&
        inet_pton(AF_INET6, bind, addr) != 1) { /* a bad value: found before the board opens */
        stp_finding *f = stp_finding_add(&ctx->findings, "gdb.listen-failed", STP_SEV_ERROR,
                                         "bad value for --bind: '%s' is not a numeric IPv4 or "
                                         "IPv6 address",
                                         bind);
        stp_finding_advice(f, "give --bind a numeric address such as 127.0.0.1, 0.0.0.0 or ::1");
        return STP_ERR_INVALID_ARG;
    }
    cli_session s;
    st = cli_session_open(ctx, 0, &s);
    if (st != STP_OK)
        return st;
    stp_gdbserver_options opt = {
        .bind = bind,
        .port = port,
        .persist = cli_flag(ctx, "persist"),
        .reset = cli_reset_mode_of(ctx),
        .notify = notify,
        .user = ctx,
        .stop = &stop_flag,
    };
    struct sigaction sa, alrm, old_int, old_term, old_alrm;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns and the server stops */
    sigemptyset(&sa.sa_mask);
    alrm = sa;
    alrm.sa_handler = on_alarm;
    stop_flag = 0;
    stop_signal = 0;
    sigaction(SIGALRM, &alrm, &old_alrm);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    st = stp_gdbserver_run(s.target, &opt, &ctx->env, &ctx->findings);
    alarm(0); /* stopped in time */
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGALRM, &old_alrm, NULL);
    if (ctx->g.json)
        cli_json_kv_bool(&ctx->json, "served", st == STP_OK);
    cli_session_close(&s);
    return st;
}

const cli_command cli_cmd_gdbserver = {
    .name = "gdbserver",
    .summary = "serve gdb (remote protocol) on a TCP port",
    .usage = "[--port PORT] [--bind ADDR] [--persist]",
    .description =
        "Attaches to the target and serves one gdb at a time over the GDB remote serial "
        "protocol: `target extended-remote :4242` in gdb (gdb-multiarch), then load, break, "
        "step, watch, and `monitor reset [halt]|halt|erase|info|doctor`. gdb's load goes "
        "through the same planner as `stprog write` (bytes of touched sectors the image does "
        "not cover are kept). Listens on 127.0.0.1 unless --bind says otherwise; a second gdb "
        "is refused while one is connected. Without --persist the server ends when gdb "
        "disconnects. See docs/gdbserver.md.",
    .options = gdbserver_options,
    .min_args = 0,
    .max_args = 0,
    .run = run,
};
