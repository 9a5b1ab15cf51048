/* The host lives on the virtual clock. Tools wait for the target with sleeps and with
 * deadlines from the system clock: st-flash sleeps 10 ms per mass-erase poll, OpenOCD's Tcl
 * "sleep 10" loops on gettimeofday() with usleep(1000). With real hardware the target's
 * operation goes on meanwhile. Once the virtual board is open:
 *  - usleep/nanosleep/clock_nanosleep/sleep advance the board's clock by the requested time
 *    and return at once;
 *  - clock_gettime (wall and monotonic clocks), gettimeofday and time return the time at
 *    which the board was opened plus the virtual time since, and each query costs 1 us of
 *    virtual time (a loop that only watches the clock still ends), charged to the board at
 *    the next transfer or sleep (never from inside a clock query).
 * Calls made by the board itself (Unicorn reads the clock while it runs) and by other
 * threads stay real.
 * So poll counts are those real hardware would see, runs are deterministic, and a 16 s mass
 * erase takes no wall time. STPROG_SIM_REALTIME=1 keeps the real functions. Before the board
 * is open, and for absolute-time sleeps and CPU-time clocks, the real functions run. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "shim.h"

#define QUERY_COST_NS 1000u

typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);

static clock_gettime_fn real_clock_gettime(void)
{
    static clock_gettime_fn fn;
    if (!fn)
        fn = (clock_gettime_fn)dlsym(RTLD_NEXT, "clock_gettime");
    return fn;
}

/* Virtual for the tool's own calls; real for the board and Unicorn (they run inside shim
 * calls) and for other threads. */
bool shim_time_virtual(void)
{
    const char *rt = getenv("STPROG_SIM_REALTIME");
    if (rt && *rt && strcmp(rt, "0") != 0)
        return false;
    return shim_host_context();
}

void shim_time_advance(uint64_t ns)
{
    shim_lock();
    shim_charge_ns(ns);
    shim_unlock();
}

/* Real wall-clock and monotonic time when the board was opened (set once by the shim). */
static struct timespec g_base_real, g_base_mono;
static bool g_base_set;

void shim_time_mark_open(void)
{
    clock_gettime_fn fn = real_clock_gettime();
    if (!fn || g_base_set)
        return;
    fn(CLOCK_REALTIME, &g_base_real);
    fn(CLOCK_MONOTONIC, &g_base_mono);
    g_base_set = true;
}

static void virtual_now(clockid_t clk, struct timespec *ts)
{
    shim_lock();
    shim_defer_ns(QUERY_COST_NS); /* the board catches up at the next transfer or sleep */
    uint64_t ns = shim_virtual_ns();
    shim_unlock();
    const struct timespec *base = clk == CLOCK_REALTIME ? &g_base_real : &g_base_mono;
    uint64_t total = (uint64_t)base->tv_nsec + ns % 1000000000u;
    ts->tv_sec = base->tv_sec + (time_t)(ns / 1000000000u) + (time_t)(total / 1000000000u);
    ts->tv_nsec = (long)(total % 1000000000u);
}

static bool is_wall_or_monotonic(clockid_t clk)
{
    return clk == CLOCK_REALTIME || clk == CLOCK_MONOTONIC || clk == CLOCK_MONOTONIC_RAW ||
           clk == CLOCK_MONOTONIC_COARSE || clk == CLOCK_REALTIME_COARSE || clk == CLOCK_BOOTTIME;
}

SHIM_API int clock_gettime(clockid_t clk, struct timespec *ts)
{
    if (g_base_set && is_wall_or_monotonic(clk) && shim_time_virtual()) {
        bool wall = clk == CLOCK_REALTIME || clk == CLOCK_REALTIME_COARSE;
        virtual_now(wall ? CLOCK_REALTIME : CLOCK_MONOTONIC, ts);
        return 0;
    }
    clock_gettime_fn fn = real_clock_gettime();
    if (!fn) {
        errno = ENOSYS;
        return -1;
    }
    return fn(clk, ts);
}

SHIM_API int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
    (void)tz;
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return -1;
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = (suseconds_t)(ts.tv_nsec / 1000);
    return 0;
}

SHIM_API time_t time(time_t *tloc)
{
    struct timespec ts = {0, 0};
    clock_gettime(CLOCK_REALTIME, &ts);
    if (tloc)
        *tloc = ts.tv_sec;
    return ts.tv_sec;
}

/* --- Sleeps -------------------------------------------------------------------------- */

static int real_nanosleep(const struct timespec *req, struct timespec *rem)
{
    int (*fn)(const struct timespec *, struct timespec *) =
        (int (*)(const struct timespec *, struct timespec *))dlsym(RTLD_NEXT, "nanosleep");
    if (!fn) {
        errno = ENOSYS;
        return -1;
    }
    return fn(req, rem);
}

SHIM_API int nanosleep(const struct timespec *req, struct timespec *rem)
{
    if (req->tv_nsec < 0 || req->tv_nsec >= 1000000000L || req->tv_sec < 0) {
        errno = EINVAL;
        return -1;
    }
    if (!shim_time_virtual())
        return real_nanosleep(req, rem);
    shim_time_advance((uint64_t)req->tv_sec * 1000000000u + (uint64_t)req->tv_nsec);
    if (rem)
        rem->tv_sec = rem->tv_nsec = 0;
    return 0;
}

SHIM_API int usleep(useconds_t usec)
{
    struct timespec ts = {(time_t)(usec / 1000000u), (long)(usec % 1000000u) * 1000L};
    return nanosleep(&ts, NULL);
}

SHIM_API unsigned int sleep(unsigned int seconds)
{
    struct timespec ts = {(time_t)seconds, 0};
    struct timespec rem = {0, 0};
    if (nanosleep(&ts, &rem) != 0)
        return (unsigned int)rem.tv_sec;
    return 0;
}

SHIM_API int clock_nanosleep(clockid_t clock_id, int flags, const struct timespec *request,
                             struct timespec *remain)
{
    if (flags == 0 && is_wall_or_monotonic(clock_id) && shim_time_virtual()) {
        if (request->tv_nsec < 0 || request->tv_nsec >= 1000000000L)
            return EINVAL;
        shim_time_advance((uint64_t)request->tv_sec * 1000000000u + (uint64_t)request->tv_nsec);
        if (remain)
            remain->tv_sec = remain->tv_nsec = 0;
        return 0;
    }
    int (*fn)(clockid_t, int, const struct timespec *, struct timespec *) =
        (int (*)(clockid_t, int, const struct timespec *, struct timespec *))dlsym(
            RTLD_NEXT, "clock_nanosleep");
    return fn ? fn(clock_id, flags, request, remain) : ENOSYS;
}
