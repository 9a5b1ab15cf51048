/* The bootloader model on a pseudo-terminal, for outside tools (stm32flash, stprog's
 * uart: probe). The server keeps the slave side open itself, so the pty outlives the
 * clients that come and go, like a USB-serial adapter left plugged in; the protocol state
 * stays with the board between them.
 *
 * The line settings a client chooses with tcsetattr are shared by both sides of a Linux
 * pty: the model reads the baud rate from them (11 bit times per byte, 8E1, on the
 * virtual clock; bytes sent at another rate than the one auto-bauded at 0x7F are lost)
 * and loses bytes when the client uses a character size other than 8 bits. Parity cannot
 * be checked: the Linux pty driver clears PARENB whatever the client asks (stm32flash
 * needs `-m 8n1` on a pty for that reason; stprog notes it and continues).
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "bootloader_internal.h"

#define POLL_MS 100

struct sim_bl_pty {
    int master;
    int slave; /* held open by the server */
    char path[128];
    volatile const sig_atomic_t *stop;
    uint8_t buf[4096];
    size_t len, pos;
    bool failed;
    uint64_t last_ns; /* monotonic time of the last byte handed to the model */
};

static int fail(char *err, size_t errlen, const char *what)
{
    if (err && errlen)
        snprintf(err, errlen, "sim-serve: %s: %s", what, strerror(errno));
    return -1;
}

sim_bl_pty *sim_bl_pty_open(char *err, size_t errlen)
{
    sim_bl_pty *p = calloc(1, sizeof *p);
    if (p == NULL) {
        fail(err, errlen, "out of memory");
        return NULL;
    }
    p->slave = -1;
    p->master = posix_openpt(O_RDWR | O_NOCTTY);
    const char *name = NULL;
    if (p->master < 0 || grantpt(p->master) || unlockpt(p->master) ||
        (name = ptsname(p->master)) == NULL) {
        fail(err, errlen, "cannot create a pseudo-terminal");
        sim_bl_pty_close(p);
        return NULL;
    }
    snprintf(p->path, sizeof p->path, "%s", name);
    p->slave = open(p->path, O_RDWR | O_NOCTTY);
    struct termios t;
    if (p->slave < 0 || tcgetattr(p->slave, &t)) {
        fail(err, errlen, "cannot open the pseudo-terminal's slave side");
        sim_bl_pty_close(p);
        return NULL;
    }
    cfmakeraw(&t);
    cfsetispeed(&t, B115200);
    cfsetospeed(&t, B115200);
    tcsetattr(p->slave, TCSANOW, &t);
    fcntl(p->master, F_SETFL, fcntl(p->master, F_GETFL) | O_NONBLOCK);
    return p;
}

const char *sim_bl_pty_path(const sim_bl_pty *p)
{
    return p->path;
}

void sim_bl_pty_close(sim_bl_pty *p)
{
    if (p == NULL)
        return;
    if (p->slave >= 0)
        close(p->slave);
    if (p->master >= 0)
        close(p->master);
    free(p);
}

static uint32_t baud_of(speed_t s)
{
    static const struct {
        speed_t s;
        uint32_t baud;
    } map[] = {{B1200, 1200},     {B2400, 2400},     {B4800, 4800},    {B9600, 9600},
               {B19200, 19200},   {B38400, 38400},   {B57600, 57600},  {B115200, 115200},
               {B230400, 230400}, {B460800, 460800}, {B921600, 921600}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].s == s)
            return map[i].baud;
    return 0;
}

/* The client's line: baud rate, and whether its characters are 8 bits. */
static void line(const sim_bl_pty *p, uint32_t *baud, bool *rx_ok)
{
    struct termios t;
    if (tcgetattr(p->master, &t)) {
        *baud = 0;
        *rx_ok = true;
        return;
    }
    *baud = baud_of(cfgetospeed(&t));
    *rx_ok = (t.c_cflag & CSIZE) == CS8;
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int pty_read(void *ctx, sim_bl_rx *rx)
{
    sim_bl_pty *p = ctx;
    bool waited = p->pos == p->len;
    while (p->pos == p->len) {
        if (*p->stop)
            return 0;
        struct pollfd pfd = {.fd = p->master, .events = POLLIN};
        int r = poll(&pfd, 1, POLL_MS);
        if (r < 0 && errno != EINTR) {
            p->failed = true;
            return 0;
        }
        if (r <= 0)
            continue;
        ssize_t n = read(p->master, p->buf, sizeof p->buf);
        if (n > 0) {
            p->len = (size_t)n;
            p->pos = 0;
        } else if (n < 0 && errno != EAGAIN && errno != EINTR && errno != EIO) {
            p->failed = true;
            return 0;
        } else if (n < 0 && errno == EIO) {
            struct timespec ts = {0, POLL_MS * 1000000L};
            nanosleep(&ts, NULL); /* no client (cannot happen while we hold the slave) */
        }
    }
    line(p, &rx->baud, &rx->frame_ok);
    rx->byte = p->buf[p->pos++];
    /* The host's idle time before a new burst: the chip runs meanwhile (its start-up after
     * a reset completes while the host waits). */
    uint64_t now = mono_ns();
    rx->idle_ns = waited && p->last_ns != 0 && now > p->last_ns ? now - p->last_ns : 0;
    p->last_ns = now;
    return 1;
}

static int pty_write(void *ctx, const uint8_t *buf, size_t len)
{
    sim_bl_pty *p = ctx;
    size_t done = 0;
    while (done < len) {
        if (*p->stop)
            return -1;
        ssize_t w = write(p->master, buf + done, len - done);
        if (w > 0) {
            done += (size_t)w;
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EINTR)
            return -1;
        struct pollfd pfd = {.fd = p->master, .events = POLLOUT};
        poll(&pfd, 1, POLL_MS);
    }
    return 0;
}

int sim_bl_pty_serve(sim_bl_pty *p, sim_bl *m, volatile const sig_atomic_t *stop)
{
    p->stop = stop;
    sim_bl_io io = {.ctx = p, .read = pty_read, .write = pty_write};
    int r = sim_bl_serve(m, &io);
    return r != 0 || p->failed ? -1 : 0;
}
