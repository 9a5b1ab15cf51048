/* stprog CLI — progress bars and progress lines. */
#include "cli/progress.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

static double monotonic_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress_init(cli_progress *p, cli_progress_mode mode, FILE *out)
{
    memset(p, 0, sizeof(*p));
    p->mode = out != NULL ? mode : CLI_PROGRESS_OFF;
    p->out = out;
    p->now = monotonic_seconds;
    p->last_percent = -1;
}

int cli_progress_percent(uint64_t done, uint64_t total)
{
    if (total == 0 || done >= total)
        return 100;
    if (done <= UINT64_MAX / 100)
        return (int)(done * 100 / total);
    return (int)((double)done * 100.0 / (double)total);
}

char *cli_format_bytes(char *buf, size_t cap, uint64_t bytes)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
    if (bytes < 1024) {
        snprintf(buf, cap, "%" PRIu64 " B", bytes);
        return buf;
    }
    int u = 0;
    uint64_t unit = 1024;
    while (u < 3 && bytes / unit >= 1024) {
        unit *= 1024;
        u++;
    }
    if (bytes % unit == 0)
        snprintf(buf, cap, "%" PRIu64 " %s", bytes / unit, units[u]);
    else
        snprintf(buf, cap, "%.1f %s", (double)bytes / (double)unit, units[u]);
    return buf;
}

char *cli_format_rate(char *buf, size_t cap, uint64_t bytes, double seconds)
{
    if (!(seconds > 0.0)) {
        snprintf(buf, cap, "-");
        return buf;
    }
    double rate = (double)bytes / seconds;
    char b[32];
    cli_format_bytes(b, sizeof(b), rate >= 1.8e19 ? UINT64_MAX : (uint64_t)(rate + 0.5));
    snprintf(buf, cap, "%s/s", b);
    return buf;
}

char *cli_format_duration(char *buf, size_t cap, double seconds)
{
    if (!(seconds > 0.0))
        seconds = 0.0;
    if (seconds < 10.0)
        snprintf(buf, cap, "%.2f s", seconds);
    else if (seconds < 60.0)
        snprintf(buf, cap, "%.1f s", seconds);
    else {
        double whole = seconds + 0.5 < 1e12 ? seconds + 0.5 : 1e12;
        unsigned long long s = (unsigned long long)whole;
        snprintf(buf, cap, "%llum%02llus", s / 60, s % 60);
    }
    return buf;
}

char *cli_format_eta(char *buf, size_t cap, uint64_t done, uint64_t total, double seconds)
{
    buf[0] = '\0';
    if (total == 0 || done == 0 || done >= total || !(seconds > 0.0))
        return buf;
    double left = seconds * (double)(total - done) / (double)done;
    if (left < 1.0)
        snprintf(buf, cap, "ETA <1 s");
    else if (left < 60.0)
        snprintf(buf, cap, "ETA %.0f s", left);
    else {
        char d[32];
        snprintf(buf, cap, "ETA %s", cli_format_duration(d, sizeof(d), left));
    }
    return buf;
}

char *cli_progress_format_line(char *buf, size_t cap, const char *phase, uint64_t done,
                               uint64_t total)
{
    char d[32], t[32];
    cli_format_bytes(d, sizeof(d), done);
    if (total == 0) {
        snprintf(buf, cap, "%s: %s", phase, d);
        return buf;
    }
    cli_format_bytes(t, sizeof(t), total);
    snprintf(buf, cap, "%s: %d%% (%s of %s)", phase, cli_progress_percent(done, total), d, t);
    return buf;
}

char *cli_progress_format_step(char *buf, size_t cap, const char *phase, uint64_t done,
                               uint64_t total, double seconds)
{
    char line[128], r[40], eta[40];
    cli_progress_format_line(line, sizeof(line), phase, done, total);
    cli_format_rate(r, sizeof(r), done, seconds);
    cli_format_eta(eta, sizeof(eta), done, total, seconds);
    if (!(seconds > 0.0))
        snprintf(buf, cap, "%s", line);
    else
        snprintf(buf, cap, "%s, %s%s%s", line, r, eta[0] ? ", " : "", eta);
    return buf;
}

char *cli_progress_format_bar(char *buf, size_t cap, const char *phase, uint64_t done,
                              uint64_t total, double seconds, int width)
{
    char d[32], t[32], r[40];
    char bar[128];
    if (width < 1)
        width = 1;
    if (width > (int)sizeof(bar) - 1)
        width = (int)sizeof(bar) - 1;
    cli_format_bytes(d, sizeof(d), done);
    cli_format_rate(r, sizeof(r), done, seconds);
    if (total == 0) {
        snprintf(buf, cap, "%-8s %s  %s", phase, d, r);
        return buf;
    }
    int percent = cli_progress_percent(done, total);
    int filled = percent * width / 100;
    for (int i = 0; i < width; i++)
        bar[i] = i < filled ? '#' : ' ';
    bar[width] = '\0';
    cli_format_bytes(t, sizeof(t), total);
    char eta[40];
    cli_format_eta(eta, sizeof(eta), done, total, seconds);
    snprintf(buf, cap, "%-8s [%s] %3d%%  %s/%s  %s%s%s", phase, bar, percent, d, t, r,
             eta[0] ? "  " : "", eta);
    return buf;
}

char *cli_progress_format_end(char *buf, size_t cap, const char *phase, uint64_t done,
                              uint64_t total, double seconds, bool virtual_time)
{
    char d[32], t[32], r[40], took[32];
    cli_format_bytes(d, sizeof(d), done);
    if (total != 0 && done < total) {
        cli_format_bytes(t, sizeof(t), total);
        snprintf(buf, cap, "%s: stopped at %d%% (%s of %s)", phase,
                 cli_progress_percent(done, total), d, t);
        return buf;
    }
    cli_format_rate(r, sizeof(r), done, seconds);
    snprintf(buf, cap, "%s: done, %s in %s (%s%s)", phase, d,
             cli_format_duration(took, sizeof(took), seconds), r,
             virtual_time ? ", virtual board time" : "");
    return buf;
}

/* The phase's running time: on the event's clock when it has one (the probe's), else on
 * the printer's own (wall time; also used for redraw pacing). */
static double phase_seconds(const cli_progress *p, const stp_progress *ev, double t)
{
    if (ev->timed)
        return (double)ev->elapsed_ns / 1e9;
    return t - p->start;
}

static void draw_bar(cli_progress *p, double t)
{
    char line[256];
    int columns = p->columns > 0 ? p->columns : 80;
    int width = CLI_PROGRESS_BAR_WIDTH;
    /* Keep the line shorter than the terminal: a wrapped line cannot be redrawn in place. */
    for (;;) {
        cli_progress_format_bar(line, sizeof(line), p->phase, p->done, p->total, p->elapsed, width);
        int len = (int)strlen(line);
        if (len < columns || width <= 5)
            break;
        width -= len - columns + 1;
        if (width < 5)
            width = 5;
    }
    if ((int)strlen(line) >= columns && columns > 1)
        line[columns - 1] = '\0';
    fprintf(p->out, "\r%s\033[K", line);
    fflush(p->out);
    p->drawn = true;
    p->last_draw = t;
    p->last_percent = cli_progress_percent(p->done, p->total);
}

static void print_line(cli_progress *p, const char *text)
{
    fprintf(p->out, "%s\n", text);
    fflush(p->out);
}

static void on_start(cli_progress *p, const stp_progress *ev, double t)
{
    if (p->active)
        cli_progress_finish(p);
    snprintf(p->phase, sizeof(p->phase), "%s", ev->phase != NULL ? ev->phase : "working");
    p->total = ev->total;
    p->done = ev->done;
    p->start = t;
    p->elapsed = phase_seconds(p, ev, t);
    p->virtual_time = ev->timed && ev->virtual_time;
    p->active = true;
    p->last_percent = -1;
    if (p->mode == CLI_PROGRESS_BAR) {
        draw_bar(p, t);
    } else { /* lines: nothing yet; a phase that ends quickly gets only its END line */
        p->last_percent = cli_progress_percent(p->done, p->total) / CLI_PROGRESS_STEP_PERCENT *
                          CLI_PROGRESS_STEP_PERCENT;
        if (p->total == 0)
            p->last_percent = 0;
    }
}

static void on_advance(cli_progress *p, const stp_progress *ev, double t)
{
    p->done = ev->done;
    if (ev->total != 0)
        p->total = ev->total;
    p->elapsed = phase_seconds(p, ev, t);
    int percent = cli_progress_percent(p->done, p->total);
    if (p->mode == CLI_PROGRESS_BAR) {
        if (!p->drawn || percent != p->last_percent || t - p->last_draw >= 0.25)
            draw_bar(p, t);
        return;
    }
    if (p->total == 0)
        return; /* no percentages to report; the END line gives the amount */
    int step = percent / CLI_PROGRESS_STEP_PERCENT * CLI_PROGRESS_STEP_PERCENT;
    if (step > p->last_percent && step < 100 && p->elapsed >= CLI_PROGRESS_LINES_AFTER) {
        char line[200];
        cli_progress_format_step(line, sizeof(line), p->phase, p->done, p->total, p->elapsed);
        print_line(p, line);
        p->last_percent = step;
    }
}

static void on_end(cli_progress *p, const stp_progress *ev, double t)
{
    if (ev->done != 0 || p->done == 0)
        p->done = ev->done;
    if (ev->total != 0)
        p->total = ev->total;
    p->elapsed = phase_seconds(p, ev, t);
    p->virtual_time = ev->timed && ev->virtual_time;
    char line[224];
    cli_progress_format_end(line, sizeof(line), p->phase, p->done, p->total, p->elapsed,
                            p->virtual_time);
    if (p->mode == CLI_PROGRESS_BAR) {
        draw_bar(p, t);
        fputc('\n', p->out);
        p->drawn = false;
    }
    if (p->mode == CLI_PROGRESS_LINES)
        print_line(p, line);
    p->active = false;
}

void cli_progress_event(cli_progress *p, const stp_progress *ev)
{
    if (p == NULL || ev == NULL || p->mode == CLI_PROGRESS_OFF)
        return;
    double t = p->now();
    switch (ev->kind) {
    case STP_PROGRESS_START:
        on_start(p, ev, t);
        break;
    case STP_PROGRESS_ADVANCE:
        if (!p->active) { /* an ADVANCE without START: start the phase implicitly */
            stp_progress start = *ev;
            start.kind = STP_PROGRESS_START;
            on_start(p, &start, t);
        }
        on_advance(p, ev, t);
        break;
    case STP_PROGRESS_END:
        if (p->active && (ev->phase == NULL || strcmp(ev->phase, p->phase) == 0))
            on_end(p, ev, t);
        break;
    }
}

void cli_progress_interrupt(cli_progress *p)
{
    if (p == NULL || p->mode != CLI_PROGRESS_BAR || !p->drawn)
        return;
    fputs("\r\033[K", p->out);
    p->drawn = false;
}

void cli_progress_finish(cli_progress *p)
{
    if (p == NULL)
        return;
    if (p->mode == CLI_PROGRESS_BAR && p->drawn) {
        fputc('\n', p->out);
        fflush(p->out);
    }
    p->drawn = false;
    p->active = false;
}
