/* Logging and progress through caller-supplied callbacks. */
#include "stprog/env.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void stp_log(const stp_env *env, stp_log_level level, const char *fmt, ...)
{
    if (env == NULL || env->log == NULL || level > env->log_level)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    env->log(env->user, level, msg);
}

static bool same_phase(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Stamps ev with the clock. A phase starts at its START, or at its first event when it had
 * none; an event of another phase while one runs (an inner step) counts in the running one,
 * as the CLI's printer shows it. */
static void stamp(stp_clock *c, stp_progress *ev)
{
    if (c == NULL || c->now_ns == NULL)
        return;
    uint64_t now = c->now_ns(c->user);
    if (ev->kind == STP_PROGRESS_START || c->phase == NULL) {
        c->phase = ev->phase != NULL ? ev->phase : "";
        c->phase_start_ns = now;
    }
    ev->timed = true;
    ev->virtual_time = c->is_virtual;
    ev->clock_ns = now;
    ev->elapsed_ns = now >= c->phase_start_ns ? now - c->phase_start_ns : 0;
    if (ev->kind == STP_PROGRESS_END && (ev->phase == NULL || same_phase(ev->phase, c->phase)))
        c->phase = NULL;
}

void stp_progress_emit(const stp_env *env, stp_progress_kind kind, const char *phase, uint64_t done,
                       uint64_t total)
{
    if (env == NULL || env->progress == NULL)
        return;
    stp_progress ev = {.kind = kind, .phase = phase, .done = done, .total = total};
    stamp(env->clock, &ev);
    env->progress(env->user, &ev);
}
