/* The shim's state: the board and probe opened from $STPROG_SIM on first use, kept until
 * the process exits (then $STPROG_SIM_REPORT is written and the board's state saved); the
 * lock; the host thread and its deferred virtual time. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

#define DEFAULT_SPEC "sim:stm32f407vg"

static pthread_mutex_t g_lock;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static bool g_tried;
static sim_board *g_board;
static sim_probe *g_probe;
static struct libusb_device g_dev;

static void init_lock(void)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&g_lock, &a);
    pthread_mutexattr_destroy(&a);
}

/* Depth of shim code on this thread: the board (and Unicorn inside it) runs with it > 0,
 * and its own clock queries and sleeps are not virtualised (shim_time.c). */
static _Thread_local int tls_depth;
static pthread_t g_host_thread;
static uint64_t g_pending_ns; /* host clock queries not yet charged to the board */

void shim_lock(void)
{
    pthread_once(&g_once, init_lock);
    pthread_mutex_lock(&g_lock);
    tls_depth++;
}

void shim_unlock(void)
{
    tls_depth--;
    pthread_mutex_unlock(&g_lock);
}

bool shim_host_context(void)
{
    return tls_depth == 0 && g_board && pthread_equal(pthread_self(), g_host_thread);
}

bool shim_other_thread(void)
{
    return g_board && !pthread_equal(pthread_self(), g_host_thread);
}

static void trace_line(void *user, const char *line)
{
    (void)user;
    fprintf(stderr, "stprog-usbsim: %s\n", line);
}

static void open_board(void)
{
    g_tried = true;
    const char *spec = getenv("STPROG_SIM");
    if (!spec || !*spec)
        spec = DEFAULT_SPEC;
    char err[1024] = "";
    g_board = sim_board_open(spec, err, sizeof(err));
    if (!g_board) {
        fprintf(stderr, "stprog-usbsim: STPROG_SIM=%s: %s\n", spec, err);
        return;
    }
    g_probe = sim_probe_open(g_board, err, sizeof(err));
    if (!g_probe) {
        fprintf(stderr, "stprog-usbsim: STPROG_SIM=%s: %s\n", spec, err);
        sim_board_close(g_board);
        g_board = NULL;
        return;
    }
    const char *tr = getenv("STPROG_SIM_TRACE");
    if (tr && *tr && strcmp(tr, "0") != 0)
        sim_probe_set_trace(g_probe, trace_line, NULL);
    g_host_thread = pthread_self();
    shim_time_mark_open();
}

sim_probe *shim_probe(void)
{
    shim_lock();
    if (!g_tried)
        open_board();
    shim_unlock();
    return g_probe;
}

void shim_probe_reset(void)
{
    shim_lock();
    if (g_probe)
        sim_probe_usb_reset(g_probe);
    shim_unlock();
}

struct libusb_device *shim_device(void)
{
    return &g_dev;
}

void shim_charge_timeout(unsigned int timeout_ms)
{
    const char *tr = getenv("STPROG_SIM_TRACE");
    if (g_board && g_probe && tr && *tr && strcmp(tr, "0") != 0)
        fprintf(stderr,
                "stprog-usbsim: %12.6f IN transfer timed out after %u ms (nothing to send)\n",
                (double)sim_probe_host_ns(g_probe) / 1e9, timeout_ms ? timeout_ms : 1000u);
    shim_charge_ns((uint64_t)(timeout_ms ? timeout_ms : 1000u) * 1000000u);
}

void shim_charge_ns(uint64_t ns)
{
    if (!g_board || !g_probe)
        return;
    ns += g_pending_ns;
    g_pending_ns = 0;
    if (ns)
        sim_probe_host_wait(g_probe, ns);
}

void shim_defer_ns(uint64_t ns)
{
    g_pending_ns += ns;
}

uint64_t shim_virtual_ns(void)
{
    if (!g_board)
        return 0;
    return (g_probe ? sim_probe_host_ns(g_probe) : sim_clock_ns(g_board)) + g_pending_ns;
}

__attribute__((destructor)) static void shim_fini(void)
{
    if (!g_board)
        return;
    sim_probe_sync(g_probe); /* the board's clock up to the tool's */
    const char *report = getenv("STPROG_SIM_REPORT");
    if (report && *report && sim_board_write_report(g_board, report) != 0)
        fprintf(stderr, "stprog-usbsim: cannot write report %s\n", report);
    sim_probe_close(g_probe);
    g_probe = NULL;
    sim_board_close(g_board); /* saved to FILE.saving, renamed over FILE */
    g_board = NULL;
    char why[512];
    if (sim_state_error(why, sizeof why))
        fprintf(stderr, "stprog-usbsim: %s\n", why);
}
