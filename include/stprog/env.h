/* stprog — what a caller supplies to the library: logging and progress callbacks.
 * The library never prints, exits or keeps globals; everything goes through these. */
#ifndef STPROG_ENV_H
#define STPROG_ENV_H

#include <stdbool.h>
#include <stdint.h>

typedef enum stp_log_level {
    STP_LOG_ERROR = 0,
    STP_LOG_WARN = 1,
    STP_LOG_INFO = 2,
    STP_LOG_DEBUG = 3,
    STP_LOG_TRACE = 4,
} stp_log_level;

typedef enum stp_progress_kind {
    STP_PROGRESS_START = 0, /* phase begins; total known */
    STP_PROGRESS_ADVANCE,   /* done bytes/units so far */
    STP_PROGRESS_END,       /* phase finished (ok or not) */
} stp_progress_kind;

typedef struct stp_progress {
    stp_progress_kind kind;
    const char *phase; /* "erase", "program", "verify", "read", ... */
    uint64_t done;
    uint64_t total;
    /* Time on env->clock (only when the env has one; timed says so). Rates and estimates
     * belong on this clock: on the virtual board it is the board's virtual time, which wall
     * time has nothing to do with. */
    bool timed;
    bool virtual_time;   /* the clock is the virtual board's */
    uint64_t clock_ns;   /* now on the clock */
    uint64_t elapsed_ns; /* since the phase started (its START, or its first event) */
} stp_progress;

/* The clock an operation runs on: the probe's (monotonic time with real hardware, the
 * virtual board's clock with sim:). Given in stp_env, it stamps every progress event.
 * stp_progress_emit keeps the current phase and its start in it. */
typedef struct stp_clock {
    uint64_t (*now_ns)(void *user);
    void *user;
    bool is_virtual;
    const char *phase; /* kept by stp_progress_emit */
    uint64_t phase_start_ns;
} stp_clock;

typedef struct stp_env {
    void (*log)(void *user, stp_log_level level, const char *message);
    void (*progress)(void *user, const stp_progress *event);
    void *user;
    stp_log_level log_level; /* messages above this level are not formatted */
    stp_clock *clock;        /* optional (NULL: progress events carry no time) */
    /* Where the journal of kept bytes lives (stprog/journal.h); NULL: no journal is kept
     * and none is applied. */
    const char *journal_dir;
} stp_env;

/* printf-style logging through env (no-op when env or env->log is NULL). */
void stp_log(const stp_env *env, stp_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sends a progress event (no-op without env->progress), stamped with env->clock's time. */
void stp_progress_emit(const stp_env *env, stp_progress_kind kind, const char *phase, uint64_t done,
                       uint64_t total);

#endif
