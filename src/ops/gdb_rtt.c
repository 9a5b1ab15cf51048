/* RTT in the gdbserver, as OpenOCD's `rtt` commands offer it (so that front ends written for
 * OpenOCD, cortex-debug's RTT view among them, work unchanged):
 *   monitor rtt setup ADDR SIZE ["SEGGER RTT"]   where to look for the control block
 *   monitor rtt start | stop                    look for it (now and while the core runs)
 *   monitor rtt channels                        the channels the block declares
 *   monitor rtt server start PORT CHANNEL       up-channel CHANNEL to whoever connects to
 *   monitor rtt server stop PORT                  TCP PORT, what they send to down-channel
 *   monitor rtt polling_interval [MS]             CHANNEL (0 = any free port, printed)
 * A channel is read only while a client is connected to its port (the firmware's blocking
 * buffer then waits for one: nothing is lost before it comes). Polling happens while gdb
 * lets the core run (gdb_continue), on the probe's clock. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/alloc.h"
#include "ops/gdb_internal.h"
#include "ops/rtt.h"

#define MAX_SERVERS 8
#define SEARCH_MS   500u /* between searches for the control block while the core runs */
#define READ_CHUNK  4096u

typedef struct rtt_server {
    bool used;
    unsigned port;
    unsigned channel;
    int lfd, cfd;
    uint8_t down[512]; /* from the client, not yet in the down-buffer */
    size_t down_len;
} rtt_server;

struct gdb_rtt {
    bool started;
    bool have_range;
    uint32_t range_addr, range_size;
    unsigned polling_ms;
    uint64_t next_search_ms;
    stp_rtt rtt;
    rtt_server srv[MAX_SERVERS];
};

static gdb_rtt *rtt_of(gdb_session *s)
{
    if (s->rtt == NULL) {
        s->rtt = stp_calloc(1, sizeof(gdb_rtt));
        if (s->rtt != NULL) {
            s->rtt->polling_ms = 10;
            for (size_t i = 0; i < MAX_SERVERS; i++)
                s->rtt->srv[i].lfd = s->rtt->srv[i].cfd = -1;
        }
    }
    return s->rtt;
}

static void close_server(rtt_server *v)
{
    if (v->cfd >= 0)
        close(v->cfd);
    if (v->lfd >= 0)
        close(v->lfd);
    memset(v, 0, sizeof(*v));
    v->lfd = v->cfd = -1;
}

void gdb_rtt_end(gdb_session *s)
{
    if (s->rtt == NULL)
        return;
    for (size_t i = 0; i < MAX_SERVERS; i++)
        if (s->rtt->srv[i].used)
            close_server(&s->rtt->srv[i]);
    stp_free(s->rtt);
    s->rtt = NULL;
}

/* Looks for the control block in the setup range, or the chip's SRAM. */
static stp_status search(gdb_session *s, gdb_rtt *g, stp_findings *f)
{
    const stp_target_info *info = stp_target_get_info(s->t);
    uint32_t lo = g->have_range ? g->range_addr : info->sram_base;
    uint32_t len = g->have_range ? g->range_size : info->sram_kb * 1024u;
    stp_rtt_init(&g->rtt, s->dbg, 0x10000000u, 0x40000000ull);
    uint32_t at = 0;
    bool hit = false;
    stp_status st = stp_rtt_scan(&g->rtt, lo, len, &at, &hit, f);
    if (st == STP_OK && hit)
        st = stp_rtt_attach(&g->rtt, at, f);
    if (st == STP_OK && g->rtt.found)
        gdb_console(s, "rtt: control block found at 0x%08x\n", (unsigned)at);
    g->next_search_ms = s->dbg->ops->now_ms(s->dbg) + SEARCH_MS;
    return st;
}

static int listen_on(unsigned port, unsigned *bound)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof(a);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 1) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &al) != 0) {
        close(fd);
        return -1;
    }
    *bound = ntohs(a.sin_port);
    return fd;
}

static stp_status server_start(gdb_session *s, gdb_rtt *g, unsigned port, unsigned channel,
                               stp_findings *f)
{
    rtt_server *free_slot = NULL;
    for (size_t i = 0; i < MAX_SERVERS; i++) {
        if (g->srv[i].used && g->srv[i].port == port && port != 0) {
            gdb_console(s, "rtt: port %u already serves channel %u\n", port, g->srv[i].channel);
            return STP_ERR_INVALID_ARG;
        }
        if (!g->srv[i].used && free_slot == NULL)
            free_slot = &g->srv[i];
    }
    if (free_slot == NULL || channel >= STP_RTT_MAX_CHANNELS) {
        gdb_console(s, "rtt: %s\n", free_slot == NULL ? "no more servers" : "no such channel");
        return STP_ERR_INVALID_ARG;
    }
    unsigned bound = 0;
    int fd = listen_on(port, &bound);
    if (fd < 0) {
        stp_finding *x =
            stp_finding_add(f, "gdb.listen-failed", STP_SEV_ERROR,
                            "rtt: cannot listen on port %u: %s", port, strerror(errno));
        stp_finding_advice(x, "pick another port (0 takes any free one)");
        return STP_ERR_IO;
    }
    free_slot->used = true;
    free_slot->port = bound;
    free_slot->channel = channel;
    free_slot->lfd = fd;
    free_slot->cfd = -1;
    free_slot->down_len = 0;
    gdb_console(s, "Listening on port %u for rtt connections\n", bound);
    gdb_notify(s, "RTT channel %u on 127.0.0.1:%u", channel, bound);
    return STP_OK;
}

static stp_status server_stop(gdb_session *s, gdb_rtt *g, unsigned port)
{
    for (size_t i = 0; i < MAX_SERVERS; i++) {
        if (g->srv[i].used && g->srv[i].port == port) {
            close_server(&g->srv[i]);
            return STP_OK;
        }
    }
    gdb_console(s, "rtt: no server on port %u\n", port);
    return STP_ERR_INVALID_ARG;
}

static void channels(gdb_session *s, gdb_rtt *g)
{
    if (!g->rtt.found) {
        gdb_console(s, "rtt: no control block found yet\n");
        return;
    }
    gdb_console(s, "Channels: up=%u, down=%u\n", g->rtt.up_count, g->rtt.down_count);
    for (int dir = 0; dir < 2; dir++) {
        const stp_rtt_channel *c = dir == 0 ? g->rtt.up : g->rtt.down;
        unsigned n = dir == 0 ? g->rtt.up_count : g->rtt.down_count;
        gdb_console(s, "%s-channels:\n", dir == 0 ? "Up" : "Down");
        for (unsigned i = 0; i < n && i < STP_RTT_MAX_CHANNELS; i++)
            gdb_console(s, "%u: %s %u %s\n", i, c[i].name[0] ? c[i].name : "(unnamed)",
                        (unsigned)c[i].size, stp_rtt_mode_name(c[i].flags));
    }
}

stp_status gdb_rtt_monitor(gdb_session *s, const char *text, stp_findings *f)
{
    gdb_rtt *g = rtt_of(s);
    if (g == NULL)
        return STP_ERR_NOMEM;
    char sub[32] = "", a1[32] = "", a2[32] = "", a3[64] = "";
    int n = sscanf(text, "%*s %31s %31s %31s %63[^\n]", sub, a1, a2, a3);
    unsigned long v1 = strtoul(a1, NULL, 0), v2 = strtoul(a2, NULL, 0);
    if (n >= 3 && strcmp(sub, "setup") == 0) {
        if (n == 4 && strcmp(a3, "\"SEGGER RTT\"") != 0 && strcmp(a3, "SEGGER RTT") != 0) {
            gdb_console(s, "rtt: only the ID \"SEGGER RTT\" is looked for\n");
            return STP_ERR_INVALID_ARG;
        }
        g->have_range = true;
        g->range_addr = (uint32_t)v1;
        g->range_size = (uint32_t)v2;
        return STP_OK;
    }
    if (n == 1 && strcmp(sub, "start") == 0) {
        g->started = true;
        stp_status st = search(s, g, f);
        if (st == STP_OK && !g->rtt.found)
            gdb_console(s, "rtt: no control block yet; looking for it while the core runs\n");
        return st;
    }
    if (n == 1 && strcmp(sub, "stop") == 0) {
        g->started = false;
        return STP_OK;
    }
    if (n == 1 && strcmp(sub, "channels") == 0) {
        channels(s, g);
        return STP_OK;
    }
    if (n >= 2 && strcmp(sub, "polling_interval") == 0) {
        if (n == 3 && v2 > 0)
            g->polling_ms = (unsigned)v2;
        gdb_console(s, "rtt polling interval: %u ms (stprog reads at once while data flows)\n",
                    g->polling_ms);
        return STP_OK;
    }
    if (n >= 2 && strcmp(sub, "server") == 0) {
        unsigned long port = strtoul(a2, NULL, 0), channel = strtoul(a3, NULL, 0);
        if (n == 4 && strcmp(a1, "start") == 0 && port <= 65535)
            return server_start(s, g, (unsigned)port, (unsigned)channel, f);
        if (n == 3 && strcmp(a1, "stop") == 0)
            return server_stop(s, g, (unsigned)port);
    }
    gdb_console(s, "usage: monitor rtt setup ADDR SIZE [\"SEGGER RTT\"] | start | stop | "
                   "channels | server start PORT CHANNEL | server stop PORT | "
                   "polling_interval [MS]\n");
    return STP_ERR_INVALID_ARG;
}

/* New connections, input from the clients. */
static void service_sockets(gdb_rtt *g)
{
    for (size_t i = 0; i < MAX_SERVERS; i++) {
        rtt_server *v = &g->srv[i];
        if (!v->used)
            continue;
        if (v->cfd < 0) {
            v->cfd = accept(v->lfd, NULL, NULL);
            if (v->cfd >= 0) {
                fcntl(v->cfd, F_SETFL, fcntl(v->cfd, F_GETFL) | O_NONBLOCK);
                fcntl(v->cfd, F_SETFD, FD_CLOEXEC);
            }
            continue;
        }
        if (v->down_len < sizeof(v->down)) {
            ssize_t r = recv(v->cfd, v->down + v->down_len, sizeof(v->down) - v->down_len, 0);
            if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                close(v->cfd); /* the client left: the channel waits for the next one */
                v->cfd = -1;
                v->down_len = 0;
            } else if (r > 0) {
                v->down_len += (size_t)r;
            }
        }
    }
}

static void send_all(rtt_server *v, const uint8_t *p, size_t n)
{
    while (n > 0 && v->cfd >= 0) {
        ssize_t w = send(v->cfd, p, n, MSG_NOSIGNAL);
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            continue; /* a slow client: the firmware waits with it */
        if (w <= 0) {
            close(v->cfd);
            v->cfd = -1;
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

bool gdb_rtt_poll(gdb_session *s)
{
    gdb_rtt *g = s->rtt;
    if (g == NULL || !g->started)
        return false;
    service_sockets(g);
    stp_findings f = {0};
    bool moved = false;
    if (!g->rtt.found && s->dbg->ops->now_ms(s->dbg) >= g->next_search_ms)
        (void)search(s, g, &f);
    for (size_t i = 0; g->rtt.found && i < MAX_SERVERS; i++) {
        rtt_server *v = &g->srv[i];
        if (!v->used || v->cfd < 0)
            continue;
        uint8_t buf[READ_CHUNK];
        size_t got = 0;
        if (stp_rtt_read(&g->rtt, v->channel, buf, sizeof(buf), &got, &f) != STP_OK) {
            gdb_report_findings(s, &f, true);
            g->started = false;
            break;
        }
        send_all(v, buf, got);
        size_t put = 0;
        if (v->down_len > 0 &&
            stp_rtt_write(&g->rtt, v->channel, v->down, v->down_len, &put, &f) == STP_OK &&
            put > 0) {
            memmove(v->down, v->down + put, v->down_len - put);
            v->down_len -= put;
        }
        moved = moved || got > 0 || put > 0;
    }
    stp_findings_free(&f);
    return moved;
}
