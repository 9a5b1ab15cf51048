/* stprog CLI — what `run` and `rtt` share (run_io.h). */
#include "cli/run_io.h"

#include "cli/cli_target.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stprog/elf.h"

#define JSON_KEEP_MAX (1u << 20) /* firmware output kept per stream for --json */
#define ELF_MAX_BYTES (64u << 20)

typedef struct cli_run_io {
    cli_ctx *ctx;
    stp_run_io io;
    /* --json: the firmware's output, kept for the document (up to a limit). */
    char *text[2];
    size_t len[2], cap[2];
    bool truncated[2];
    bool stdin_usable; /* not a terminal of which we are in the background */
} cli_run_io;

static volatile sig_atomic_t stop_flag, stop_signal;
static struct sigaction old_int, old_term;

static void on_signal(int sig)
{
    stop_signal = sig;
    stop_flag = 1;
}

static void signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    stop_flag = 0;
    stop_signal = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
}

static void signals_restore(void)
{
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
}

static stp_status parse_seconds(cli_ctx *ctx, const char *text, uint32_t *ms)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno != 0 || !isfinite(v) || v <= 0 || v > 4.0e6)
        return cli_usage_error(ctx,
                               "--timeout '%s' is not a number of seconds (e.g. 10 or 2.5; more "
                               "than 0, at most 4000000)",
                               text);
    double r = v * 1000.0 + 0.999; /* whole milliseconds, rounded up */
    *ms = r < 1 ? 1 : (uint32_t)r;
    return STP_OK;
}

/* A rate in Hz with an optional k or M suffix ("2M", "2000000", "1.5M"). */
static stp_status parse_hz(cli_ctx *ctx, const char *name, uint32_t *hz)
{
    const char *text = cli_opt(ctx, name);
    if (text == NULL)
        return STP_OK;
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    double mult = 1;
    if (end != NULL && (*end == 'k' || *end == 'K'))
        mult = 1e3, end++;
    else if (end != NULL && *end == 'M')
        mult = 1e6, end++;
    if (end != NULL && (strcmp(end, "Hz") == 0 || strcmp(end, "hz") == 0))
        end += 2;
    v *= mult;
    if (end == text || *end != '\0' || errno != 0 || !isfinite(v) || v < 1 || v > 4.0e9)
        return cli_usage_error(ctx, "--%s '%s' is not a rate in Hz (e.g. 2000000, 2M, 168M)", name,
                               text);
    *hz = (uint32_t)(v + 0.5);
    return STP_OK;
}

static stp_status parse_swo(cli_ctx *ctx, stp_run_options *o)
{
    o->swo = o->swo || cli_flag(ctx, "swo") || cli_opt(ctx, "swo-baud") != NULL ||
             cli_opt(ctx, "swo-clock") != NULL || cli_opt(ctx, "itm-ports") != NULL;
    stp_status st = parse_hz(ctx, "swo-baud", &o->swo_baud);
    if (st == STP_OK)
        st = parse_hz(ctx, "swo-clock", &o->swo_core_hz);
    if (st == STP_OK)
        st = cli_opt_u32(ctx, "itm-ports", CLI_NUM_PLAIN, &o->swo_ports);
    if (st == STP_OK && cli_opt(ctx, "itm-ports") != NULL && o->swo_ports == 0)
        st = cli_usage_error(ctx, "--itm-ports 0 selects no port (bit n = port n: 0x1 is port 0)");
    return st;
}

stp_status cli_run_parse_options(cli_ctx *ctx, stp_run_options *o)
{
    const char *t = cli_opt(ctx, "timeout");
    stp_status st = t != NULL ? parse_seconds(ctx, t, &o->timeout_ms) : STP_OK;
    if (st == STP_OK)
        st = parse_swo(ctx, o);
    if (st == STP_OK && cli_opt(ctx, "rtt-address") != NULL) {
        st = cli_opt_u32(ctx, "rtt-address", CLI_NUM_PLAIN, &o->rtt_address);
        o->rtt_address_known = st == STP_OK;
    }
    uint32_t ch = 0, poll_ms = 0;
    if (st == STP_OK)
        st = cli_opt_u32(ctx, "rtt-channel", CLI_NUM_PLAIN, &ch);
    if (st == STP_OK && ch >= 16) /* STP_RTT_MAX_CHANNELS */
        st = cli_usage_error(ctx, "--rtt-channel %u: channels 0 to 15 can be read", (unsigned)ch);
    if (st == STP_OK)
        st = cli_opt_u32(ctx, "poll-ms", CLI_NUM_PLAIN, &poll_ms);
    if (st == STP_OK && (cli_opt(ctx, "poll-ms") != NULL && (poll_ms == 0 || poll_ms > 10000)))
        st = cli_usage_error(ctx, "--poll-ms %u: give 1 to 10000 milliseconds", (unsigned)poll_ms);
    if (st == STP_OK && cli_flag(ctx, "no-rtt") && cli_opt(ctx, "rtt-address") != NULL)
        st = cli_usage_error(ctx, "--no-rtt and --rtt-address contradict each other");
    const char *in = cli_opt(ctx, "stdin");
    if (st == STP_OK && in != NULL) {
        if (strcmp(in, "rtt") == 0)
            o->input = STP_RUN_INPUT_RTT;
        else if (strcmp(in, "semihosting") == 0)
            o->input = STP_RUN_INPUT_SEMIHOSTING;
        else if (strcmp(in, "none") == 0)
            o->input = STP_RUN_INPUT_NONE;
        else
            st = cli_usage_error(ctx, "--stdin '%s': give rtt, semihosting or none", in);
    }
    if (st != STP_OK)
        return st;
    o->rtt_channel = ch;
    o->poll_ms = poll_ms;
    o->rtt = !cli_flag(ctx, "no-rtt");
    o->semihosting = !cli_flag(ctx, "no-semihosting");
    return STP_OK;
}

void cli_run_rtt_from_elf(cli_ctx *ctx, const char *path, stp_run_options *o)
{
    if (!o->rtt || o->rtt_address_known)
        return;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return;
    uint8_t head[4] = {0};
    size_t n = fread(head, 1, sizeof(head), f);
    if (n != 4 ||
        memcmp(head,
               "\x7F"
               "ELF",
               4) != 0 ||
        fseek(f, 0, SEEK_END) != 0) {
        fclose(f);
        return;
    }
    long size = ftell(f);
    uint8_t *data = size > 0 && (unsigned long)size <= ELF_MAX_BYTES ? malloc((size_t)size) : NULL;
    bool ok = data != NULL && fseek(f, 0, SEEK_SET) == 0 &&
              fread(data, 1, (size_t)size, f) == (size_t)size;
    fclose(f);
    uint32_t addr = 0;
    if (ok && stp_elf_symbol(data, (size_t)size, "_SEGGER_RTT", &addr)) {
        o->rtt_address = addr;
        o->rtt_address_known = true;
    } else if (ok) {
        o->rtt = false; /* an ELF without RTT: no scan needed */
        cli_note(ctx,
                 CLI_PROGRAM ": %s has no _SEGGER_RTT symbol: RTT off (--rtt-address "
                             "turns it on)\n",
                 path);
    }
    free(data);
}

static void keep(cli_run_io *r, int i, const void *data, size_t len)
{
    if (r->len[i] + len > JSON_KEEP_MAX) {
        r->truncated[i] = true;
        len = JSON_KEEP_MAX - r->len[i];
    }
    if (len == 0)
        return;
    if (r->len[i] + len > r->cap[i]) {
        size_t cap = r->cap[i] ? r->cap[i] * 2 : 4096;
        while (cap < r->len[i] + len)
            cap *= 2;
        char *p = realloc(r->text[i], cap);
        if (p == NULL) {
            r->truncated[i] = true;
            return;
        }
        r->text[i] = p;
        r->cap[i] = cap;
    }
    memcpy(r->text[i] + r->len[i], data, len);
    r->len[i] += len;
}

static void output(void *user, stp_run_stream stream, const void *data, size_t len)
{
    cli_run_io *r = user;
    cli_ctx *ctx = r->ctx;
    if (ctx->g.json) {
        keep(r, stream == STP_RUN_STDERR ? 1 : 0, data, len);
        return;
    }
    cli_progress_interrupt(&ctx->progress);
    FILE *f = stream == STP_RUN_STDERR ? ctx->err : ctx->out;
    fwrite(data, 1, len, f);
    fflush(f);
}

static long input(void *user, void *buf, size_t cap)
{
    cli_run_io *r = user;
    if (!r->stdin_usable)
        return -1;
    struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
    int n = poll(&p, 1, 0);
    if (n < 0)
        return errno == EINTR ? 0 : -1;
    if (n == 0)
        return 0;
    if (p.revents & POLLNVAL)
        return -1;
    ssize_t got = read(STDIN_FILENO, buf, cap);
    if (got < 0)
        return errno == EINTR || errno == EAGAIN ? 0 : -1;
    return got == 0 ? -1 : (long)got;
}

static void io_init(cli_run_io *r, cli_ctx *ctx)
{
    memset(r, 0, sizeof(*r));
    r->ctx = ctx;
    r->io.output = output;
    r->io.input = input;
    r->io.user = r;
    r->io.stop = &stop_flag;
    /* A terminal we are in the background of would stop us (SIGTTIN) at the first read. */
    r->stdin_usable = !isatty(STDIN_FILENO) || tcgetpgrp(STDIN_FILENO) == getpgrp();
}

static void io_free(cli_run_io *r)
{
    free(r->text[0]);
    free(r->text[1]);
}

static const char *end_name(stp_run_end e)
{
    static const char *const names[] = {"exit",  "hardfault", "lockup",  "breakpoint",
                                        "reset", "timeout",   "stopped", "error"};
    return (unsigned)e < sizeof(names) / sizeof(names[0]) ? names[e] : "error";
}

static void json_fault(cli_json *j, const stp_run_fault *f)
{
    static const char *const names[8] = {"r0", "r1", "r2", "r3", "r12", "lr", "pc", "xpsr"};
    cli_json_key(j, "fault");
    cli_json_object_begin(j);
    cli_json_kv_u64(j, "halt_pc", f->pc);
    cli_json_kv_u64(j, "sp", f->sp);
    cli_json_kv_u64(j, "lr", f->lr);
    cli_json_kv_u64(j, "xpsr", f->xpsr);
    if (f->frame_valid) {
        cli_json_key(j, "frame");
        cli_json_object_begin(j);
        for (unsigned i = 0; i < 8; i++)
            cli_json_kv_u64(j, names[i], f->frame[i]);
        cli_json_object_end(j);
    }
    if (f->has_fsr) {
        cli_json_kv_u64(j, "cfsr", f->cfsr);
        cli_json_kv_u64(j, "hfsr", f->hfsr);
        cli_json_kv_u64(j, "mmfar", f->mmfar);
        cli_json_kv_u64(j, "bfar", f->bfar);
    }
    if (f->bkpt_imm != 0xFFFFu)
        cli_json_kv_u64(j, "bkpt", f->bkpt_imm);
    cli_json_object_end(j);
}

static void json_report(cli_run_io *r, const stp_run_options *o, const stp_run_result *res)
{
    cli_json *j = &r->ctx->json;
    cli_json_key(j, "run");
    cli_json_object_begin(j);
    cli_json_kv_string(j, "end", end_name(res->end));
    if (res->end == STP_RUN_END_EXIT) {
        cli_json_kv_i64(j, "firmware_exit_code", res->exit_code);
        cli_json_kv_u64(j, "exit_reason", res->exit_reason);
    }
    cli_json_kv_double(j, "elapsed_seconds", (double)res->elapsed_ns / 1e9);
    cli_json_kv_string(j, "clock", res->virtual_clock ? "virtual-board" : "probe");
    cli_json_kv_u64(j, "semihosting_calls", res->semihost_calls);
    cli_json_key(j, "rtt");
    cli_json_object_begin(j);
    cli_json_kv_bool(j, "enabled", o->rtt);
    cli_json_kv_bool(j, "found", res->rtt_found);
    if (res->rtt_found) {
        cli_json_kv_u64(j, "address", res->rtt_address);
        cli_json_kv_u64(j, "up_channels", res->rtt_up);
        cli_json_kv_u64(j, "down_channels", res->rtt_down);
    }
    cli_json_kv_u64(j, "channel", o->rtt_channel);
    cli_json_kv_u64(j, "bytes", res->rtt_bytes);
    cli_json_kv_u64(j, "bytes_down", res->rtt_bytes_down);
    cli_json_object_end(j);
    if (o->swo) {
        cli_json_key(j, "swo");
        cli_json_object_begin(j);
        cli_json_kv_u64(j, "baud", res->swo_baud);
        cli_json_kv_u64(j, "bytes", res->swo_bytes);
        cli_json_kv_u64(j, "itm_packets", res->itm_packets);
        cli_json_kv_u64(j, "itm_overflows", res->itm_overflows);
        cli_json_object_end(j);
    }
    if (res->end == STP_RUN_END_FAULT || res->end == STP_RUN_END_LOCKUP ||
        res->end == STP_RUN_END_BREAKPOINT)
        json_fault(j, &res->fault);
    cli_json_object_end(j);
    cli_json_key(j, "stdout");
    cli_json_string_n(j, r->text[0] != NULL ? r->text[0] : "", r->len[0]);
    cli_json_key(j, "stderr");
    cli_json_string_n(j, r->text[1] != NULL ? r->text[1] : "", r->len[1]);
    if (r->truncated[0] || r->truncated[1])
        cli_json_kv_bool(j, "output_truncated", true);
}

static void report(cli_run_io *r, const stp_run_options *o, const stp_run_result *res,
                   stp_status st)
{
    cli_ctx *ctx = r->ctx;
    int code = stp_run_exit_code(res);
    if (res->end == STP_RUN_END_STOPPED)
        code = 128 + (stop_signal ? stop_signal : SIGINT);
    if (code >= 0) {
        ctx->exit_code_set = true;
        ctx->exit_code = code;
    }
    if (ctx->g.json) {
        json_report(r, o, res);
        return;
    }
    char when[64];
    snprintf(when, sizeof(when), "after %.3f s%s", (double)res->elapsed_ns / 1e9,
             res->virtual_clock ? " of virtual board time" : "");
    if (res->end == STP_RUN_END_EXIT && res->exit_reason == 0x20026u)
        cli_note(ctx, CLI_PROGRAM ": the firmware exited with status %d %s\n", res->exit_code,
                 when);
    else if (res->end == STP_RUN_END_EXIT)
        cli_note(ctx,
                 CLI_PROGRAM ": the firmware stopped with reason 0x%05X (not an "
                             "application exit) %s: exit status 1\n",
                 (unsigned)res->exit_reason, when);
    else if (res->end == STP_RUN_END_STOPPED)
        cli_note(ctx, CLI_PROGRAM ": stopped %s\n", when);
    else if (res->end == STP_RUN_END_TIMEOUT && res->attached)
        cli_note(ctx, CLI_PROGRAM ": detached %s (--timeout)\n", when);
    if (o->rtt && !res->rtt_found && res->end != STP_RUN_END_ERROR && ctx->g.verbose > 0)
        cli_note(ctx, CLI_PROGRAM ": no RTT control block was found\n");
}

stp_status cli_run_serve(cli_ctx *ctx, stp_target *t, const stp_run_options *o)
{
    cli_run_io io;
    io_init(&io, ctx);
    stp_run_result res;
    signals_install();
    stp_status st = stp_run(t, o, &io.io, &ctx->env, &res, &ctx->findings);
    signals_restore();
    report(&io, o, &res, st);
    io_free(&io);
    return st;
}

stp_status cli_run_attach(cli_ctx *ctx, stp_run_options *o)
{
    const char *elf = cli_opt(ctx, "elf");
    if (elf != NULL) {
        FILE *f = fopen(elf, "rb");
        if (f == NULL)
            return cli_usage_error(ctx, "--elf %s: cannot open it", elf);
        fclose(f);
        cli_run_rtt_from_elf(ctx, elf, o);
    }
    /* Attach without halting: the firmware keeps running (unless --connect says else). */
    if (!o->reset && ctx->g.connect == CLI_CONNECT_DEFAULT)
        ctx->g.connect = CLI_CONNECT_HOT_PLUG;
    cli_session s;
    stp_status st = cli_session_open(ctx, 0, &s);
    if (st != STP_OK)
        return st;
    st = cli_run_serve(ctx, s.target, o);
    cli_session_close(&s);
    return st;
}
