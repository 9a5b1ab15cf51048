/* stprog CLI — rendering of the library's progress events (stprog/env.h).
 * On a terminal: one bar redrawn in place (phase, bar, percent, bytes, rate, ETA). Otherwise:
 * plain lines at coarse steps ("program: 50% (64 KiB of 128 KiB), 32 KiB/s, ETA 2 s") once a
 * phase has run for a second, and one line when it ends ("program: done, 128 KiB in 4.00 s
 * (32 KiB/s)"). Nothing with -q/--json.
 * Times, rates and ETAs are on the clock the events carry (the probe's: virtual board time
 * with sim:, then the END line says so); events without one fall back to wall time. */
#ifndef STP_CLI_PROGRESS_H
#define STP_CLI_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "stprog/env.h"

typedef enum cli_progress_mode {
    CLI_PROGRESS_OFF = 0,
    CLI_PROGRESS_BAR,   /* stderr is a terminal */
    CLI_PROGRESS_LINES, /* stderr is a file or pipe */
} cli_progress_mode;

#define CLI_PROGRESS_STEP_PERCENT 25  /* lines mode prints at 25, 50, 75 % ... */
#define CLI_PROGRESS_LINES_AFTER  1.0 /* ... once the phase has run this long (seconds) */
#define CLI_PROGRESS_BAR_WIDTH    30

typedef struct cli_progress {
    cli_progress_mode mode;
    FILE *out;
    double (*now)(void); /* monotonic seconds; replaceable in tests */
    char phase[32];
    uint64_t total;
    uint64_t done;
    double start;      /* wall time of the phase's start */
    double elapsed;    /* the phase's running time so far (event clock, else wall time) */
    bool virtual_time; /* elapsed is virtual board time */
    double last_draw;
    int last_percent; /* last percent drawn (bar) or last step printed (lines); -1 = none */
    bool active;      /* between START and END */
    bool drawn;       /* bar mode: a bar is on the current terminal line */
    int columns;      /* bar mode: terminal width (0 = unknown: assume 80) */
} cli_progress;

void cli_progress_init(cli_progress *p, cli_progress_mode mode, FILE *out);
/* The stp_env progress callback body. */
void cli_progress_event(cli_progress *p, const stp_progress *ev);
/* Clears a bar from the terminal line before other text is printed (redrawn on next event). */
void cli_progress_interrupt(cli_progress *p);
/* Ends a bar still on screen (a phase that never got its END). */
void cli_progress_finish(cli_progress *p);

/* Formatting (pure functions; unit-tested). All return buf. */
/* "512 B", "64 KiB", "1.5 MiB", "2 GiB": whole numbers without decimals, else one decimal. */
char *cli_format_bytes(char *buf, size_t cap, uint64_t bytes);
/* "32 KiB/s"; "-" when elapsed is not positive. */
char *cli_format_rate(char *buf, size_t cap, uint64_t bytes, double seconds);
/* "0.25 s", "4.00 s", "12.5 s", "3m05s". */
char *cli_format_duration(char *buf, size_t cap, double seconds);
/* "ETA 12 s", "ETA <1 s", "ETA 3m05s" from the rate so far; "" when it cannot be told (no
 * total, nothing done yet, done, no time passed). */
char *cli_format_eta(char *buf, size_t cap, uint64_t done, uint64_t total, double seconds);
/* "program: 50% (64 KiB of 128 KiB)"; without a total: "read: 64 KiB". */
char *cli_progress_format_line(char *buf, size_t cap, const char *phase, uint64_t done,
                               uint64_t total);
/* A lines-mode step: the line above with ", 32 KiB/s, ETA 2 s" (rate and ETA when time
 * has passed). */
char *cli_progress_format_step(char *buf, size_t cap, const char *phase, uint64_t done,
                               uint64_t total, double seconds);
/* "program [###############               ]  50%  64 KiB/128 KiB  32 KiB/s  ETA 2 s" */
char *cli_progress_format_bar(char *buf, size_t cap, const char *phase, uint64_t done,
                              uint64_t total, double seconds, int width);
/* "program: done, 128 KiB in 1.20 s (106.7 KiB/s)" ("(106.7 KiB/s, virtual board time)" when
 * virtual_time) or, when done < total, "program: stopped at 40% (51.2 KiB of 128 KiB)". */
char *cli_progress_format_end(char *buf, size_t cap, const char *phase, uint64_t done,
                              uint64_t total, double seconds, bool virtual_time);
/* Percent done, 0..100 (100 when total is 0). */
int cli_progress_percent(uint64_t done, uint64_t total);

#endif
