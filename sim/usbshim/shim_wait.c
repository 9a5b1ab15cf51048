/* The tool's waits on file descriptors cost virtual time too. A server such as OpenOCD idles
 * in select() with a timeout between its timer callbacks (target polls, the RTT server's
 * channel reads); those timers run on the clock the tool reads, which shim_time.c makes
 * virtual. If the wait took only real time, virtual time would stand still while the tool
 * idles: its timers would never come due and the firmware would never run between its
 * accesses (an RTT server that receives nothing). So, on the tool's thread once the board is
 * open (as for the sleeps in shim_time.c):
 *  - select/pselect/poll/ppoll with a finite timeout first look at the descriptors without
 *    waiting; anything ready returns at once, as it would have;
 *  - otherwise the whole timeout passes on the virtual clock (the board runs for it) and the
 *    descriptors are looked at again with a real wait of at most 1 ms (an event from outside,
 *    a client connecting, is still seen; an idle tool does not spin the host flat out);
 *  - a wait without timeout is a real wait (nothing bounds the virtual time it would cost).
 * The tool's own timing is then what it would be on hardware, and deterministic: only events
 * from outside the tool happen at a virtual time that depends on the real one. Calls from
 * other threads, before the board is open or with STPROG_SIM_REALTIME=1 stay real. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/select.h>

#include "shim.h"

#define REAL_WAIT_NS 1000000L /* the real wait after the virtual timeout passed */

typedef int (*pselect_fn)(int, fd_set *, fd_set *, fd_set *, const struct timespec *,
                          const sigset_t *);
typedef int (*ppoll_fn)(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *);

static pselect_fn real_pselect(void)
{
    static pselect_fn fn;
    if (!fn)
        fn = (pselect_fn)dlsym(RTLD_NEXT, "pselect");
    return fn;
}

static ppoll_fn real_ppoll(void)
{
    static ppoll_fn fn;
    if (!fn)
        fn = (ppoll_fn)dlsym(RTLD_NEXT, "ppoll");
    return fn;
}

static uint64_t ts_ns(const struct timespec *ts)
{
    return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

static bool valid_ts(const struct timespec *ts)
{
    return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000L;
}

/* The fd sets select() modifies: kept to look twice. */
typedef struct fd_sets {
    fd_set r, w, e;
} fd_sets;

static void save_sets(fd_sets *k, const fd_set *r, const fd_set *w, const fd_set *e)
{
    if (r)
        k->r = *r;
    if (w)
        k->w = *w;
    if (e)
        k->e = *e;
}

static void restore_sets(const fd_sets *k, fd_set *r, fd_set *w, fd_set *e)
{
    if (r)
        *r = k->r;
    if (w)
        *w = k->w;
    if (e)
        *e = k->e;
}

SHIM_API int pselect(int nfds, fd_set *r, fd_set *w, fd_set *e, const struct timespec *timeout,
                     const sigset_t *mask)
{
    pselect_fn fn = real_pselect();
    if (!fn) {
        errno = ENOSYS;
        return -1;
    }
    if (timeout == NULL || !valid_ts(timeout) || !shim_time_virtual())
        return fn(nfds, r, w, e, timeout, mask);
    fd_sets kept;
    save_sets(&kept, r, w, e);
    const struct timespec zero = {0, 0};
    int n = fn(nfds, r, w, e, &zero, mask);
    if (n != 0 || ts_ns(timeout) == 0)
        return n;
    shim_time_advance(ts_ns(timeout));
    restore_sets(&kept, r, w, e);
    struct timespec real = {0, ts_ns(timeout) < (uint64_t)REAL_WAIT_NS ? (long)ts_ns(timeout)
                                                                       : REAL_WAIT_NS};
    return fn(nfds, r, w, e, &real, mask);
}

SHIM_API int select(int nfds, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
    if (tv == NULL)
        return pselect(nfds, r, w, e, NULL, NULL);
    if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000) {
        errno = EINVAL;
        return -1;
    }
    struct timespec ts = {tv->tv_sec, (long)tv->tv_usec * 1000L};
    int n = pselect(nfds, r, w, e, &ts, NULL);
    if (n >= 0) /* Linux leaves the time not slept; a virtual wait slept all of it */
        tv->tv_sec = tv->tv_usec = 0;
    return n;
}

SHIM_API int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *timeout,
                   const sigset_t *mask)
{
    ppoll_fn fn = real_ppoll();
    if (!fn) {
        errno = ENOSYS;
        return -1;
    }
    if (timeout == NULL || !valid_ts(timeout) || !shim_time_virtual())
        return fn(fds, n, timeout, mask);
    const struct timespec zero = {0, 0};
    int ready = fn(fds, n, &zero, mask);
    if (ready != 0 || ts_ns(timeout) == 0)
        return ready;
    shim_time_advance(ts_ns(timeout));
    struct timespec real = {0, ts_ns(timeout) < (uint64_t)REAL_WAIT_NS ? (long)ts_ns(timeout)
                                                                       : REAL_WAIT_NS};
    return fn(fds, n, &real, mask);
}

SHIM_API int poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
    if (timeout_ms < 0)
        return ppoll(fds, n, NULL, NULL);
    struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
    return ppoll(fds, n, &ts, NULL);
}
