/* A termios tty as a byte link: raw mode, the baud rate and framing asked for, reads with
 * a deadline (poll), DTR/RTS through TIOCMBIS/TIOCMBIC, an exclusive lock (flock) so two
 * programs do not talk to one bootloader at once. */
#include "transport/serial.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"

typedef struct serial_link {
    stp_byte_link base;
    int fd;
} serial_link;

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static stp_status io_failure(stp_findings *findings, const char *what, int err)
{
    stp_finding *f = stp_finding_add(findings, "link.io", STP_SEV_ERROR,
                                     "the serial line failed while %s: %s", what, strerror(err));
    stp_finding_advice(f, "check that the USB serial adapter is still plugged in");
    return STP_ERR_IO;
}

static stp_status serial_write(stp_byte_link *l, const uint8_t *buf, size_t len,
                               stp_findings *findings)
{
    serial_link *s = (serial_link *)l;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(s->fd, buf + done, len - done);
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            return io_failure(findings, "sending", errno);
        struct pollfd p = {.fd = s->fd, .events = POLLOUT};
        if (poll(&p, 1, 1000) == 0)
            return io_failure(findings, "sending (the output does not drain)", ETIMEDOUT);
    }
    return STP_OK;
}

static stp_status serial_read(stp_byte_link *l, uint8_t *buf, size_t len, unsigned timeout_ms,
                              size_t *got, stp_findings *findings)
{
    serial_link *s = (serial_link *)l;
    uint64_t deadline = now_ms() + timeout_ms;
    *got = 0;
    while (*got < len) {
        uint64_t now = now_ms();
        if (now >= deadline)
            break;
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        int r = poll(&p, 1, (int)(deadline - now));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return io_failure(findings, "receiving", errno);
        if (r == 0)
            break;
        ssize_t n = read(s->fd, buf + *got, len - *got);
        if (n > 0)
            *got += (size_t)n;
        else if (n < 0 && errno != EAGAIN && errno != EINTR)
            return io_failure(findings, "receiving", errno);
        else if (n == 0)
            return io_failure(findings, "receiving (end of file)", EIO);
    }
    return STP_OK;
}

static void serial_flush(stp_byte_link *l)
{
    tcflush(((serial_link *)l)->fd, TCIFLUSH);
}

static stp_status serial_lines(stp_byte_link *l, int dtr, int rts)
{
    serial_link *s = (serial_link *)l;
    int set = 0, clear = 0;
    if (dtr >= 0)
        *(dtr ? &set : &clear) |= TIOCM_DTR;
    if (rts >= 0)
        *(rts ? &set : &clear) |= TIOCM_RTS;
    if ((set && ioctl(s->fd, TIOCMBIS, &set) != 0) ||
        (clear && ioctl(s->fd, TIOCMBIC, &clear) != 0))
        return STP_ERR_UNSUPPORTED;
    return STP_OK;
}

static void serial_sleep(stp_byte_link *l, unsigned ms)
{
    (void)l;
    struct timespec ts = {ms / 1000u, (long)(ms % 1000u) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static void serial_close(stp_byte_link *l)
{
    serial_link *s = (serial_link *)l;
    close(s->fd);
    stp_free(s);
}

static const stp_byte_link_ops serial_ops = {
    .write = serial_write,
    .read = serial_read,
    .flush_input = serial_flush,
    .set_lines = serial_lines,
    .sleep_ms = serial_sleep,
    .close = serial_close,
};

static bool speed_for(uint32_t baud, speed_t *out)
{
    static const struct {
        uint32_t baud;
        speed_t s;
    } map[] = {{1200, B1200},     {2400, B2400},     {4800, B4800},    {9600, B9600},
               {19200, B19200},   {38400, B38400},   {57600, B57600},  {115200, B115200},
               {230400, B230400}, {460800, B460800}, {921600, B921600}};
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (map[i].baud == baud) {
            *out = map[i].s;
            return true;
        }
    }
    return false;
}

static stp_status open_failure(stp_findings *findings, const char *path, int err)
{
    stp_status st = err == ENOENT || err == ENODEV || err == ENXIO ? STP_ERR_NO_PROBE
                    : err == EACCES || err == EPERM                ? STP_ERR_PERMISSION
                                                                   : STP_ERR_IO;
    stp_finding *f = stp_finding_add(findings, "link.open-failed", STP_SEV_ERROR,
                                     "cannot open the serial port %s: %s", path, strerror(err));
    stp_finding_evidence(f, "port", "%s", path);
    if (st == STP_ERR_PERMISSION)
        stp_finding_advice(f, "add yourself to the group owning %s (often `dialout`)", path);
    else if (st == STP_ERR_NO_PROBE)
        stp_finding_advice(f, "is the USB serial adapter plugged in? `ls /dev/ttyUSB* "
                              "/dev/ttyACM*` lists the ports");
    return st;
}

stp_status stp_serial_open(const char *path, const stp_serial_options *opt, stp_byte_link **out,
                           bool *parity_kept, stp_findings *findings)
{
    *out = NULL;
    speed_t speed;
    if (!speed_for(opt->baud, &speed)) {
        stp_finding *f =
            stp_finding_add(findings, "link.bad-baud", STP_SEV_ERROR,
                            "baud rate %u is not one the serial port offers", (unsigned)opt->baud);
        stp_finding_advice(f, "use 1200 to 921600 (the bootloader adapts to the rate of the "
                              "0x7F it receives; 115200 is the usual choice)");
        return STP_ERR_INVALID_ARG;
    }
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return open_failure(findings, path, errno);
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        stp_finding *f = stp_finding_add(findings, "link.busy", STP_SEV_ERROR,
                                         "the serial port %s is in use by another program", path);
        stp_finding_evidence(f, "port", "%s", path);
        return STP_ERR_PROBE_BUSY;
    }
    struct termios t;
    if (tcgetattr(fd, &t) != 0) {
        int err = errno;
        close(fd);
        stp_finding *f = stp_finding_add(findings, "link.not-a-tty", STP_SEV_ERROR,
                                         "%s is not a serial port: %s", path, strerror(err));
        stp_finding_evidence(f, "port", "%s", path);
        return STP_ERR_INVALID_ARG;
    }
    cfmakeraw(&t);
    t.c_cflag |= CLOCAL | CREAD;
    t.c_cflag &= ~(tcflag_t)(CSTOPB | PARODD | CRTSCTS);
    if (opt->parity_even)
        t.c_cflag |= PARENB;
    else
        t.c_cflag &= ~(tcflag_t)PARENB;
    t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    cfsetispeed(&t, speed);
    cfsetospeed(&t, speed);
    /* Some drivers (a pty) drop PARENB, and the C library may then report EINVAL although
     * the rest was applied: what counts is what the line reads back. */
    int set_err = tcsetattr(fd, TCSANOW, &t) != 0 ? errno : 0;
    struct termios back;
    bool applied = tcgetattr(fd, &back) == 0 && cfgetospeed(&back) == speed &&
                   (back.c_cflag & CSIZE) == CS8 && !(back.c_lflag & (ICANON | ECHO));
    if (!applied) {
        close(fd);
        return io_failure(findings, "setting the line", set_err ? set_err : EINVAL);
    }
    bool kept = ((back.c_cflag & PARENB) != 0) == opt->parity_even;
    if (parity_kept != NULL)
        *parity_kept = kept;
    tcflush(fd, TCIOFLUSH);
    serial_link *s = stp_calloc(1, sizeof(*s));
    if (s == NULL) {
        close(fd);
        return STP_ERR_NOMEM;
    }
    s->base.ops = &serial_ops;
    s->base.baud = opt->baud;
    s->fd = fd;
    *out = &s->base;
    return STP_OK;
}
