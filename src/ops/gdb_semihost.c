/* Semihosting while gdb debugs: when the core halts on BKPT 0xAB while gdb lets it run (its
 * RTT output read first, gdb_rtt.c), the
 * call is served (semihost.c) and the core resumed without gdb seeing a stop; the firmware's
 * output goes to the gdb console, its reads see the end of input (gdb has no stdin for it),
 * and SYS_EXIT/SYS_EXIT_EXTENDED end the program for gdb ("W" stop reply: "[Inferior 1
 * exited with code N]"). `monitor semihosting off` makes such a BKPT an ordinary stop. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "ops/gdb_internal.h"
#include "ops/run_internal.h"
#include "target/cortexm.h"

#define SEMIHOST_BKPT 0xBEABu
#define DFSR_BKPT     (1u << 1)

struct gdb_semihost {
    run_session rs;
    stp_run_options opt;
    stp_run_result res;
    stp_run_io io;
    stp_findings findings;
    gdb_session *gdb;
};

static void to_console(void *user, stp_run_stream stream, const void *data, size_t len)
{
    (void)stream;
    gdb_semihost *h = user;
    gdb_console(h->gdb, "%.*s", (int)len, (const char *)data);
}

static gdb_semihost *semihost_of(gdb_session *s)
{
    if (s->semihost != NULL)
        return s->semihost;
    gdb_semihost *h = stp_calloc(1, sizeof(*h));
    if (h == NULL)
        return NULL;
    h->gdb = s;
    h->opt.semihosting = true;
    h->opt.input = STP_RUN_INPUT_NONE;
    h->io.output = to_console;
    h->io.user = h;
    h->io.stop = s->opt->stop;
    h->rs = (run_session){
        .t = s->t,
        .d = s->dbg,
        .opt = &h->opt,
        .io = &h->io,
        .env = s->env,
        .res = &h->res,
        .findings = &h->findings,
        .v6m = s->hw.v6m,
        .t0_ns = stp_probe_now_ns(s->dbg),
        .epoch0 = time(NULL),
        .poll_ms = STP_RUN_DEFAULT_POLL_MS,
    };
    s->semihost = h;
    return h;
}

void gdb_semihost_end(gdb_session *s)
{
    if (s->semihost == NULL)
        return;
    stp_findings_free(&s->semihost->findings);
    stp_free(s->semihost);
    s->semihost = NULL;
}

int gdb_semihost_halt(gdb_session *s)
{
    /* What the firmware wrote to RTT before it stopped comes first (and is not lost when
     * it stopped for good). */
    for (int i = 0; i < 64 && gdb_rtt_poll(s); i++) {
    }
    if (s->semihosting_off)
        return 0;
    stp_debug *d = s->dbg;
    uint32_t dfsr = 0, pc = 0;
    uint8_t ins[2] = {0, 0};
    if (d->ops->read_u32(d, 0xE000ED30u, &dfsr, NULL) != STP_OK || !(dfsr & DFSR_BKPT) ||
        d->ops->read_reg(d, 15, &pc, NULL) != STP_OK ||
        d->ops->read_mem(d, pc & ~1u, ins, 2, NULL) != STP_OK ||
        ((unsigned)ins[1] << 8 | ins[0]) != SEMIHOST_BKPT)
        return 0;
    gdb_semihost *h = semihost_of(s);
    if (h == NULL)
        return 0;
    h->rs.ended = false;
    stp_findings_clear(&h->findings);
    stp_status st = stp_semihost_serve(&h->rs, pc & ~1u);
    if (st != STP_OK) {
        gdb_report_findings(s, &h->findings, true);
        return 0; /* reported as the stop it is */
    }
    if (!h->rs.ended)
        return 1; /* served: the core runs on */
    gdb_console(s, "semihosting: the program exited with status %d\n", h->res.exit_code);
    char reply[8];
    snprintf(reply, sizeof(reply), "W%02x", (unsigned)h->res.exit_code & 0xFFu);
    gdb_send_str(s, reply);
    return 2;
}
