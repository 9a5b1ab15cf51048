/* The GDB server: listening socket, one client session at a time (a second client gets a
 * refusal), the byte loop with acks and Ctrl-C, and the client-side I/O every handler uses.
 * Hostile input ends in an error reply or a closed connection, never in a crash or a hang:
 * packets are bounded by STP_GDB_PACKET_MAX, garbage and bad checksums are counted, sends
 * have a deadline. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/alloc.h"
#include "ops/gdb_internal.h"

#define SEND_DEADLINE_MS 5000
#define ACK_DEADLINE_MS  2000
#define GARBAGE_LIMIT    65536u
#define BAD_CSUM_LIMIT   32u
#define IDLE_POLL_MS     250

void gdb_notify(gdb_session *s, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (s->opt->notify != NULL)
        s->opt->notify(s->opt->user, msg);
}

static bool stop_requested(const gdb_session *s)
{
    return s->opt->stop != NULL && *s->opt->stop != 0;
}

static bool write_all(gdb_session *s, const char *buf, size_t len)
{
    size_t done = 0;
    while (done < len && !s->closed) {
        struct pollfd p = {.fd = s->fd, .events = POLLOUT};
        int r = poll(&p, 1, SEND_DEADLINE_MS);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) { /* a peer that does not read its replies is dropped */
            s->closed = true;
            break;
        }
        ssize_t n = send(s->fd, buf + done, len - done, MSG_NOSIGNAL);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0) {
            s->closed = true;
            break;
        }
        done += (size_t)n;
    }
    return !s->closed;
}

/* A connection waiting on the listener while a client is served: refused (gdb_refuse.c). */
static void refuse_second_client(gdb_session *s)
{
    if (gdb_refusals_accept(s->refusals, s->listen_fd))
        gdb_notify(s, "refused a second gdb connection: one client at a time");
}

/* Reads what the client sent within timeout_ms into inbuf. Returns the bytes read, 0 on
 * timeout, -1 when the client left. */
int gdb_fill_input(gdb_session *s, int timeout_ms)
{
    if (s->in_pos == s->in_len)
        s->in_pos = s->in_len = 0;
    if (s->in_len == sizeof(s->inbuf))
        return 0;
    struct pollfd p[2 + GDB_MAX_REFUSALS] = {{.fd = s->fd, .events = POLLIN},
                                             {.fd = s->listen_fd, .events = POLLIN}};
    size_t nref = gdb_refusals_pollfds(s->refusals, p + 2, GDB_MAX_REFUSALS);
    if (nref > 0 && timeout_ms > IDLE_POLL_MS)
        timeout_ms = IDLE_POLL_MS; /* the refusals have deadlines */
    int r = poll(p, 2 + nref, timeout_ms);
    if (r < 0)
        return errno == EINTR ? 0 : -1;
    gdb_refusals_service(s->refusals, p + 2, r > 0 ? nref : 0);
    if (r > 0 && (p[1].revents & POLLIN))
        refuse_second_client(s);
    if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
        return 0;
    ssize_t n = recv(s->fd, s->inbuf + s->in_len, sizeof(s->inbuf) - s->in_len, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    if (n <= 0) {
        s->closed = true;
        return -1;
    }
    s->in_len += (size_t)n;
    return (int)n;
}

static bool wait_ack(gdb_session *s)
{
    int waited = 0;
    while (waited < ACK_DEADLINE_MS && !s->closed) {
        if (s->in_pos < s->in_len) {
            uint8_t c = s->inbuf[s->in_pos];
            if (c == '+' || c == '-') {
                s->in_pos++;
                return c == '+';
            }
            return true; /* the peer went on without an ack */
        }
        if (gdb_fill_input(s, 100) < 0)
            return true;
        waited += 100;
    }
    return true;
}

bool gdb_send(gdb_session *s, const char *payload, size_t len)
{
    if (s->closed)
        return false;
    char *frame = stp_malloc(len + 4);
    if (frame == NULL)
        return false;
    size_t n = stp_gdb_frame(payload, len, frame, len + 4);
    bool ok = false;
    for (int attempt = 0; attempt < 3 && !s->closed; attempt++) {
        if (!write_all(s, frame, n))
            break;
        if (s->noack || wait_ack(s)) {
            ok = true;
            break;
        }
    }
    stp_free(frame);
    return ok;
}

bool gdb_send_str(gdb_session *s, const char *payload)
{
    return gdb_send(s, payload, strlen(payload));
}

void gdb_console(gdb_session *s, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    size_t len = strlen(msg);
    for (size_t off = 0; off < len; off += 400) {
        char pkt[1 + 800 + 1];
        stp_gdb_out o;
        stp_gdb_out_init(&o, pkt, sizeof(pkt));
        stp_gdb_out_str(&o, "O");
        stp_gdb_out_hex(&o, msg + off, len - off > 400 ? 400 : len - off);
        gdb_send(s, o.buf, o.len);
    }
}

void gdb_report_findings(gdb_session *s, const stp_findings *f, bool to_console)
{
    for (size_t i = 0; i < f->count; i++) {
        const stp_finding *x = &f->items[i];
        char line[STP_FINDING_TEXT_MAX * 2 + 80];
        snprintf(line, sizeof(line), "%s: %s [%s]%s%s\n", stp_severity_name(x->severity),
                 x->message, x->id, x->advice[0] ? "\n  advice: " : "", x->advice);
        if (to_console)
            gdb_console(s, "%s", line);
        else
            stp_log(s->env, x->severity == STP_SEV_ERROR ? STP_LOG_ERROR : STP_LOG_WARN, "%s",
                    x->message);
    }
}

static void handle_byte(gdb_session *s, stp_gdb_rx *rx, uint8_t c, unsigned *garbage, unsigned *bad)
{
    switch (stp_gdb_rx_byte(rx, c)) {
    case STP_GDB_EV_PACKET:
        *garbage = 0;
        *bad = 0;
        if (!s->noack && !write_all(s, "+", 1))
            return;
        gdb_dispatch(s, rx->buf, rx->len, rx->cap + 1); /* +1: pktbuf's slack */
        break;
    case STP_GDB_EV_BAD_CHECKSUM:
        if (++*bad > BAD_CSUM_LIMIT) {
            gdb_notify(s, "dropped the client: %u packets with bad checksums", *bad);
            s->closed = true;
        } else if (!s->noack) {
            write_all(s, "-", 1);
        }
        break;
    case STP_GDB_EV_INTERRUPT: /* already halted: report where */
        (void)stp_target_halt(s->t, NULL);
        s->last_signal = 2;
        gdb_stop_reply(s);
        break;
    case STP_GDB_EV_GARBAGE:
        if (++*garbage > GARBAGE_LIMIT) {
            gdb_notify(s, "dropped the client: it sends no GDB packets");
            s->closed = true;
        }
        break;
    case STP_GDB_EV_OVERSIZE:
        gdb_notify(s, "dropped the client: a packet larger than PacketSize (%u bytes)",
                   STP_GDB_PACKET_MAX);
        s->closed = true;
        break;
    default:
        break;
    }
}

static stp_status session_init(gdb_session *s, stp_findings *f)
{
    stp_status st = stp_target_halt(s->t, f);
    if (st == STP_OK)
        st = gdb_hw_init(s, f);
    if (st == STP_OK)
        st = gdb_build_tdesc(s);
    if (st == STP_OK)
        st = gdb_build_memmap(s);
    s->last_signal = 5;
    return st;
}

static void session_end(gdb_session *s)
{
    gdb_break_clear_all(s); /* also when the client vanished: leave no BKPT behind */
    gdb_flash_discard(s);
    gdb_rtt_end(s);
    gdb_semihost_end(s);
    stp_free(s->tdesc);
    stp_free(s->memmap);
    s->tdesc = s->memmap = NULL;
}

static void serve_client(gdb_session *s, uint8_t *pktbuf, stp_findings *findings)
{
    stp_findings f = {0};
    if (session_init(s, &f) != STP_OK) {
        gdb_notify(s, "cannot start a session on the target:");
        gdb_report_findings(s, &f, false);
        stp_findings_append(findings, &f);
        stp_findings_free(&f);
        session_end(s);
        return;
    }
    stp_findings_free(&f);
    stp_gdb_rx rx;
    stp_gdb_rx_init(&rx, pktbuf, STP_GDB_PACKET_MAX);
    unsigned garbage = 0, bad = 0;
    while (!s->closed && !stop_requested(s)) {
        if (s->in_pos == s->in_len) {
            if (gdb_fill_input(s, IDLE_POLL_MS) < 0)
                break;
            continue;
        }
        handle_byte(s, &rx, s->inbuf[s->in_pos++], &garbage, &bad);
    }
    session_end(s);
}

static int open_listener(const stp_gdbserver_options *opt, char *shown, size_t shown_cap,
                         stp_findings *findings)
{
    const char *bind_addr = opt->bind != NULL ? opt->bind : "127.0.0.1";
    if (strcmp(bind_addr, "localhost") == 0)
        bind_addr = "127.0.0.1";
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    socklen_t sl;
    struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, bind_addr, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)opt->port);
        sl = sizeof(*a4);
    } else if (inet_pton(AF_INET6, bind_addr, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)opt->port);
        sl = sizeof(*a6);
    } else {
        stp_finding *x = stp_finding_add(findings, "gdb.listen-failed", STP_SEV_ERROR,
                                         "'%s' is not an IPv4 or IPv6 address", bind_addr);
        stp_finding_advice(x, "give --bind a numeric address such as 127.0.0.1 or 0.0.0.0");
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (fd < 0 || bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 2) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        stp_finding *x =
            stp_finding_add(findings, "gdb.listen-failed", STP_SEV_ERROR,
                            "cannot listen on %s port %u: %s", bind_addr, opt->port, strerror(e));
        stp_finding_advice(x, "pick another --port (0 takes any free one)");
        return -1;
    }
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    unsigned port = ntohs(ss.ss_family == AF_INET ? a4->sin_port : a6->sin6_port);
    snprintf(shown, shown_cap, ss.ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u", bind_addr, port);
    return fd;
}

stp_status stp_gdbserver_run(stp_target *t, const stp_gdbserver_options *opt, const stp_env *env,
                             stp_findings *findings)
{
    if (t->dbg->ops->mem_backend != NULL) { /* uart: the ROM bootloader, no debug port */
        stp_finding *x = stp_finding_add(findings, "gdb.no-debug-port", STP_SEV_ERROR,
                                         "gdb needs the core's debug port; this probe reaches "
                                         "the chip through its ROM bootloader");
        stp_finding_advice(x, "use an SWD probe (--probe stlink or sim:PART) for gdbserver");
        return STP_ERR_UNSUPPORTED;
    }
    char where[96];
    int lfd = open_listener(opt, where, sizeof(where), findings);
    if (lfd < 0)
        return STP_ERR_IO;
    uint8_t *pktbuf = stp_malloc(STP_GDB_PACKET_MAX + 1);
    gdb_session *s = stp_calloc(1, sizeof(*s));
    if (pktbuf == NULL || s == NULL) {
        stp_free(pktbuf);
        stp_free(s);
        close(lfd);
        return STP_ERR_NOMEM;
    }
    s->opt = opt;
    s->env = env;
    s->fd = -1;
    gdb_notify(s, "listening on %s (gdb: target extended-remote %s)", where, where);
    gdb_refusals refusals;
    gdb_refusals_init(&refusals);
    for (;;) {
        struct pollfd p[1 + GDB_MAX_REFUSALS] = {{.fd = lfd, .events = POLLIN}};
        if (stop_requested(s))
            break;
        /* Connections refused while the last client was served get their answers still. */
        size_t nref = gdb_refusals_pollfds(&refusals, p + 1, GDB_MAX_REFUSALS);
        int r = poll(p, 1 + nref, IDLE_POLL_MS);
        gdb_refusals_service(&refusals, p + 1, r > 0 ? nref : 0);
        if (r <= 0 || !(p[0].revents & POLLIN))
            continue;
        int cfd = accept(lfd, NULL, NULL);
        if (cfd < 0)
            continue;
        memset(s, 0, sizeof(*s));
        *s = (gdb_session){
            .t = t, .opt = opt, .env = env, .fd = cfd, .listen_fd = lfd, .refusals = &refusals};
        s->dbg = t->dbg;
        gdb_notify(s, "gdb connected");
        serve_client(s, pktbuf, findings);
        close(cfd);
        gdb_notify(s, "gdb disconnected");
        if (!opt->persist)
            break;
    }
    gdb_refusals_finish(&refusals);
    close(lfd);
    stp_free(pktbuf);
    stp_free(s);
    return STP_OK;
}
