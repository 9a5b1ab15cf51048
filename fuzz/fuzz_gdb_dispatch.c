/* libFuzzer target: the GDB server's request handlers (src/ops/gdb_dispatch.c and everything
 * it calls: memory, registers, breakpoints and watchpoints, flash through the planner,
 * qXfer, monitor, resume) against a virtual STM32F407 attached in-process. The input is a
 * list of packet payloads separated by '\n' (framing and checksums are fuzz_gdb_packet's
 * part); each goes to gdb_dispatch as the server would hand it over, and the replies are
 * drained from the other end of a socket pair. Before a resume, a Ctrl-C is queued, so a
 * program gdb starts is stopped again at the first poll. No input may crash, hang (the
 * ctest run has -timeout=10) or touch memory outside its buffers.
 *
 * The board is opened once; each input starts from a reset, halted core with no
 * breakpoints, watchpoints or pending flash data. */
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ops/gdb_internal.h"
#include "stprog/probe.h"

#define BOARD_SPEC "sim:stm32f407vg"

static stp_debug *g_dbg;
static stp_target *g_t;
static int g_peer = -1;
static gdb_session g_s;
static gdb_refusals g_refusals;
static stp_gdbserver_options g_opt;
static volatile sig_atomic_t g_stop;
static stp_env g_env;
static uint8_t g_pkt[STP_GDB_PACKET_MAX + 1];

static void setup(void)
{
    stp_findings f = {0};
    if (stp_probe_open(BOARD_SPEC, &g_env, &g_dbg, &f) != STP_OK ||
        stp_target_attach(g_dbg, NULL, &g_t, &f) != STP_OK)
        abort();
    stp_findings_free(&f);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        abort();
    int big = 1 << 20;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
    g_peer = sv[1];
    gdb_refusals_init(&g_refusals);
    g_s = (gdb_session){.t = g_t,
                        .dbg = g_dbg,
                        .opt = &g_opt,
                        .env = &g_env,
                        .fd = sv[0],
                        .listen_fd = -1,
                        .refusals = &g_refusals,
                        .noack = true,
                        .extended = true};
    if (stp_target_halt(g_t, NULL) != STP_OK || gdb_hw_init(&g_s, NULL) != STP_OK ||
        gdb_build_tdesc(&g_s) != STP_OK || gdb_build_memmap(&g_s) != STP_OK)
        abort();
    g_s.last_signal = 5;
}

static void drain(void)
{
    char buf[65536];
    while (read(g_peer, buf, sizeof(buf)) > 0) {
    }
}

/* The state every input starts from: halted, nothing inserted, nothing pending. */
static void fresh_session(void)
{
    gdb_break_clear_all(&g_s);
    gdb_flash_discard(&g_s);
    /* Reset, halted at the reset vector, then one instruction of a loop in SRAM (the
     * flash may hold anything an earlier input wrote, or nothing: a core locked up does
     * not run). Unicorn frees the hooks deleted since it last ran (breakpoint and
     * watchpoint changes) only when it runs: without this, inputs that only insert and
     * remove them grow its list, and every later run gets slower. */
    static const uint8_t loop[2] = {0xFE, 0xE7}; /* b . */
    (void)stp_target_reset(g_t, STP_RESET_SW, true, NULL);
    (void)g_dbg->ops->write_mem(g_dbg, 0x20000000u, loop, sizeof(loop), NULL);
    (void)stp_target_write_reg(g_t, 15, 0x20000000u, NULL);
    (void)stp_target_write_reg(g_t, 16, 0x01000000u, NULL); /* xPSR: Thumb */
    (void)stp_target_step(g_t, NULL);
    g_s.closed = g_s.detached = false;
    g_s.noack = true;
    g_s.in_pos = g_s.in_len = 0;
    g_s.last_signal = 5;
    g_s.last_watch[0] = '\0';
    g_stop = 0;
}

static bool resumes(const uint8_t *p, size_t n)
{
    return n > 0 && (p[0] == 'c' || p[0] == 'C' || p[0] == 's' || p[0] == 'S' ||
                     (n >= 5 && memcmp(p, "vCont", 5) == 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (g_t == NULL)
        setup();
    fresh_session();
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i < size && data[i] != '\n')
            continue;
        size_t n = i - start;
        if (n > 0 && n <= STP_GDB_PACKET_MAX) {
            memcpy(g_pkt, data + start, n);
            g_s.in_pos = g_s.in_len = 0;
            if (resumes(g_pkt, n))
                g_s.inbuf[g_s.in_len++] = 0x03; /* gdb's Ctrl-C, already waiting */
            gdb_dispatch(&g_s, g_pkt, n, n + 1);
            drain();
            g_s.closed = false; /* 'k' or 'D' end a session: the next packet starts one */
        }
        start = i + 1;
    }
    return 0;
}
