/* Logging and progress through caller-supplied callbacks. */
#include "stprog/env.h"

#include <stdarg.h>
#include <stdio.h>

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

void stp_progress_emit(const stp_env *env, stp_progress_kind kind, const char *phase, uint64_t done,
                       uint64_t total)
{
    if (env == NULL || env->progress == NULL)
        return;
    stp_progress ev = {.kind = kind, .phase = phase, .done = done, .total = total};
    env->progress(env->user, &ev);
}
