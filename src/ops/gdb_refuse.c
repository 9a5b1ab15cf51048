/* Refusing a second gdb while one is served, so that the second gdb shows why.
 *
 * gdb discards whatever a server sends before it flushes its input right after connecting,
 * and skips a packet that arrives while it still waits for the ack of its own request. So
 * the refusal must answer gdb's first request: read up to the end of that packet (its two
 * checksum digits), ack it, send the error reply, shut our side down and read until gdb
 * closes (closing with its bytes unread would reset the connection and could take the
 * reply with it). Each refused connection is a small state machine polled next to the
 * served client: a slow gdb (a loaded machine) never delays the served one, and the served
 * one never hurries the refusal. A client that sends nothing gets the reply unasked after
 * GDB_REFUSE_SILENT_MS; one that sends bytes but no packet, after GDB_REFUSE_PACKET_MS; and every
 * refused connection is closed GDB_REFUSE_DRAIN_MS after the reply at the latest. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ops/gdb_internal.h"

#define GDB_REFUSE_SILENT_MS 4000  /* nothing received: answer unasked */
#define GDB_REFUSE_PACKET_MS 15000 /* bytes but no complete packet: answer anyway */
#define GDB_REFUSE_DRAIN_MS  5000  /* after the reply: wait for the client to close */

enum { RF_IDLE, RF_WAIT_START, RF_IN_PACKET, RF_CSUM1, RF_CSUM2, RF_DRAIN };

static const char refuse_msg[] = "E.stprog gdbserver is busy: another gdb is connected "
                                 "(one client at a time)";

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void refusal_close(gdb_refusal *r)
{
    if (r->fd >= 0)
        close(r->fd);
    *r = (gdb_refusal){.fd = -1, .stage = RF_IDLE};
}

/* Sends the reply (acking the client's request when it made one) and shuts our side. */
static void refusal_answer(gdb_refusal *r, bool ack)
{
    char frame[sizeof(refuse_msg) + 8];
    size_t n = 0;
    if (ack)
        frame[n++] = '+';
    n += stp_gdb_frame(refuse_msg, sizeof(refuse_msg) - 1, frame + n, sizeof(frame) - n);
    /* A few dozen bytes into an empty socket buffer: one non-blocking send takes them. */
    (void)send(r->fd, frame, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    shutdown(r->fd, SHUT_WR);
    r->stage = RF_DRAIN;
    r->since_ms = mono_ms();
}

void gdb_refusals_init(gdb_refusals *q)
{
    for (size_t i = 0; i < GDB_MAX_REFUSALS; i++)
        q->r[i] = (gdb_refusal){.fd = -1, .stage = RF_IDLE};
}

bool gdb_refusals_accept(gdb_refusals *q, int listen_fd)
{
    int fd = accept(listen_fd, NULL, NULL);
    if (fd < 0)
        return false;
    if (q == NULL) {
        gdb_refusal now = {.fd = fd};
        refusal_answer(&now, false);
        close(fd);
        return true;
    }
    for (size_t i = 0; i < GDB_MAX_REFUSALS; i++) {
        gdb_refusal *r = &q->r[i];
        if (r->stage != RF_IDLE)
            continue;
        *r = (gdb_refusal){.fd = fd, .stage = RF_WAIT_START, .since_ms = mono_ms()};
        return true;
    }
    /* More refused clients at once than slots: answer unasked, closing when we must. */
    gdb_refusal tmp = {.fd = fd};
    refusal_answer(&tmp, false);
    close(fd);
    return true;
}

size_t gdb_refusals_pollfds(const gdb_refusals *q, struct pollfd *p, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; q != NULL && i < GDB_MAX_REFUSALS && n < cap; i++)
        if (q->r[i].stage != RF_IDLE)
            p[n++] = (struct pollfd){.fd = q->r[i].fd, .events = POLLIN};
    return n;
}

/* Feeds the client's bytes through the packet scanner; true once the request ended. */
static bool scan(gdb_refusal *r, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        r->heard = true;
        switch (r->stage) {
        case RF_WAIT_START:
            if (b[i] == '$')
                r->stage = RF_IN_PACKET; /* acks and Ctrl-C before it are skipped */
            break;
        case RF_IN_PACKET:
            if (b[i] == '#')
                r->stage = RF_CSUM1;
            break;
        case RF_CSUM1:
            r->stage = RF_CSUM2;
            break;
        case RF_CSUM2:
            return true;
        default:
            break;
        }
    }
    return false;
}

static void refusal_step(gdb_refusal *r, short revents, uint64_t now)
{
    if (revents & (POLLIN | POLLHUP | POLLERR)) {
        char buf[512];
        ssize_t got = recv(r->fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (got < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (got <= 0) { /* the client closed (or reset): nothing more to tell it */
            refusal_close(r);
            return;
        }
        if (r->stage != RF_DRAIN && scan(r, buf, (size_t)got)) {
            refusal_answer(r, true);
            return;
        }
    }
    uint64_t age = now - r->since_ms;
    if (r->stage == RF_DRAIN) {
        if (age >= GDB_REFUSE_DRAIN_MS)
            refusal_close(r);
    } else if ((!r->heard && age >= GDB_REFUSE_SILENT_MS) || age >= GDB_REFUSE_PACKET_MS) {
        refusal_answer(r, false);
    }
}

void gdb_refusals_service(gdb_refusals *q, const struct pollfd *p, size_t n)
{
    uint64_t now = mono_ms();
    for (size_t i = 0; q != NULL && i < GDB_MAX_REFUSALS; i++) {
        gdb_refusal *r = &q->r[i];
        if (r->stage == RF_IDLE)
            continue;
        short revents = 0;
        for (size_t k = 0; k < n; k++)
            if (p[k].fd == r->fd)
                revents = p[k].revents;
        refusal_step(r, revents, now);
    }
}

void gdb_refusals_finish(gdb_refusals *q)
{
    for (size_t i = 0; q != NULL && i < GDB_MAX_REFUSALS; i++) {
        gdb_refusal *r = &q->r[i];
        if (r->stage == RF_IDLE)
            continue;
        if (r->stage != RF_DRAIN)
            refusal_answer(r, false);
        refusal_close(r);
    }
}
