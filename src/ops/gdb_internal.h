/* The GDB server's insides: one client session on an attached target. Shared by the
 * src/ops/gdb_*.c files only. */
#ifndef STP_OPS_GDB_INTERNAL_H
#define STP_OPS_GDB_INTERNAL_H

#include "ops/gdb_proto.h"
#include "ops/ops_internal.h"
#include "stprog/gdbserver.h"

#define GDB_MAX_FPB   8
#define GDB_MAX_DWT   4
#define GDB_MAX_SOFT  32
#define GDB_MAX_ERASE 64

typedef struct gdb_soft_bp {
    uint32_t addr;
    uint8_t saved[2];
} gdb_soft_bp;

typedef struct gdb_watch {
    bool used;
    uint32_t addr;
    uint32_t len;
    unsigned type; /* 2 write, 3 read, 4 access */
} gdb_watch;

/* Debug components found on attach. */
typedef struct gdb_debug_hw {
    unsigned fpb_count; /* code comparators */
    unsigned fpb_rev;   /* 0: FPB rev 1 or v6-M BPU (addresses < 0x20000000), 1: rev 2 */
    unsigned dwt_count;
    bool v6m;
    bool fpu;
    bool fpb_used[GDB_MAX_FPB];
    uint32_t fpb_addr[GDB_MAX_FPB];
    gdb_watch dwt[GDB_MAX_DWT];
    gdb_soft_bp soft[GDB_MAX_SOFT];
    size_t soft_count;
} gdb_debug_hw;

typedef struct gdb_range {
    uint32_t addr;
    uint32_t len;
} gdb_range;

/* A second client being refused (gdb_refuse.c). */
#define GDB_MAX_REFUSALS 4
typedef struct gdb_refusal {
    int fd;
    int stage;         /* where in the client's first packet, or draining after the reply */
    bool heard;        /* the client sent something */
    uint64_t since_ms; /* accepted, or answered when draining (monotonic) */
} gdb_refusal;
typedef struct gdb_refusals {
    gdb_refusal r[GDB_MAX_REFUSALS];
} gdb_refusals;

struct pollfd;
void gdb_refusals_init(gdb_refusals *q);
/* Accepts the waiting connection on listen_fd to refuse it; false when none was waiting. */
bool gdb_refusals_accept(gdb_refusals *q, int listen_fd);
/* The refused connections to poll for input (at most cap), and their handling afterwards
 * (also their deadlines, so call it at least every few hundred ms). */
size_t gdb_refusals_pollfds(const gdb_refusals *q, struct pollfd *p, size_t cap);
void gdb_refusals_service(gdb_refusals *q, const struct pollfd *p, size_t n);
/* Server exit: answer whoever still waits, close all. */
void gdb_refusals_finish(gdb_refusals *q);

typedef struct gdb_session {
    stp_target *t;
    stp_debug *dbg;
    const stp_gdbserver_options *opt;
    const stp_env *env;
    int fd;        /* the client */
    int listen_fd; /* to refuse a second client while this one is served */
    gdb_refusals *refusals;
    bool noack;
    bool extended;
    bool closed;     /* the client left or was dropped */
    bool detached;   /* D/k: the session ends when the client closes */
    int last_signal; /* of the last stop (5 TRAP, 2 INT, ...) */
    char last_watch[48];
    gdb_debug_hw hw;
    stp_image *flash_img; /* vFlashWrite data until vFlashDone */
    gdb_range erase[GDB_MAX_ERASE];
    size_t erase_count;
    char *tdesc; /* target description XML */
    size_t tdesc_len;
    char *memmap; /* memory map XML */
    size_t memmap_len;
    uint8_t inbuf[4096];
    size_t in_pos, in_len;
    struct gdb_rtt *rtt;           /* monitor rtt (gdb_rtt.c); NULL until used */
    struct gdb_semihost *semihost; /* semihosting state (gdb_semihost.c); NULL until used */
    bool semihosting_off;          /* monitor semihosting off */
} gdb_session;

/* Client I/O (gdb_server.c). Reads what the client sent within timeout_ms into inbuf
 * (refusing a second client meanwhile); the bytes read, 0 on timeout, -1 when it left. */
int gdb_fill_input(gdb_session *s, int timeout_ms);
bool gdb_send(gdb_session *s, const char *payload, size_t len);
bool gdb_send_str(gdb_session *s, const char *payload);
/* Console text for the gdb user ('O' packets, chunked). */
void gdb_console(gdb_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void gdb_notify(gdb_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Runs the core until it halts, Ctrl-C or the client leaves; sends the stop reply. */
void gdb_continue(gdb_session *s);
void gdb_step(gdb_session *s);
/* The stop reply for the current state ("T05watch:20000000;", "S02"). */
void gdb_stop_reply(gdb_session *s);

/* Registers and target description (gdb_regs.c). */
unsigned gdb_reg_count(const gdb_session *s);
/* Size in bytes of gdb register n (4 or 8); 0 when there is none. */
unsigned gdb_reg_size(const gdb_session *s, unsigned n);
stp_status gdb_reg_read(gdb_session *s, unsigned n, uint8_t *out, stp_findings *f);
stp_status gdb_reg_write(gdb_session *s, unsigned n, const uint8_t *in, stp_findings *f);
stp_status gdb_build_tdesc(gdb_session *s);

/* Memory map XML from the flash regions (gdb_memmap.c). */
stp_status gdb_build_memmap(gdb_session *s);
bool gdb_addr_in_flash(const gdb_session *s, uint32_t addr, uint32_t len);
/* Every byte of [addr, addr+len) is flash (len > 0; no wrap past 4 GiB). */
bool gdb_range_in_flash(const gdb_session *s, uint32_t addr, uint32_t len);

/* Breakpoints and watchpoints (gdb_break.c). */
stp_status gdb_hw_init(gdb_session *s, stp_findings *f);
/* Returns false when no resource is free or the address cannot be handled. */
bool gdb_break_insert(gdb_session *s, unsigned type, uint32_t addr, uint32_t kind);
bool gdb_break_remove(gdb_session *s, unsigned type, uint32_t addr, uint32_t kind);
void gdb_break_clear_all(gdb_session *s);
/* After a halt: the reason from DFSR ("watch:ADDR;" into s->last_watch when a DWT hit). */
void gdb_halt_reason(gdb_session *s);

/* Flash through the planner (gdb_flash.c). */
bool gdb_flash_erase(gdb_session *s, uint32_t addr, uint32_t len);
bool gdb_flash_write(gdb_session *s, uint32_t addr, const uint8_t *data, size_t len);
bool gdb_flash_done(gdb_session *s);
void gdb_flash_discard(gdb_session *s);

/* RTT (gdb_rtt.c): `monitor rtt ...` (text is the whole command; output on the console);
 * a poll while the core runs (true when data moved); closing at the session's end. */
typedef struct gdb_rtt gdb_rtt;
stp_status gdb_rtt_monitor(gdb_session *s, const char *text, stp_findings *f);
bool gdb_rtt_poll(gdb_session *s);
void gdb_rtt_end(gdb_session *s);

/* Semihosting (gdb_semihost.c): the core halted while running for gdb: 0 = not a
 * semihosting call (report the stop), 1 = served and the core resumed, 2 = the program
 * exited (the W reply is sent). */
typedef struct gdb_semihost gdb_semihost;
int gdb_semihost_halt(gdb_session *s);
void gdb_semihost_end(gdb_session *s);

/* monitor commands (gdb_monitor.c); the reply is sent. */
void gdb_monitor(gdb_session *s, const char *text);

/* Dispatch of one parsed request (gdb_dispatch.c). */
void gdb_dispatch(gdb_session *s, uint8_t *pkt, size_t len, size_t cap);

/* Findings of a failed operation as console/notify text. */
void gdb_report_findings(gdb_session *s, const stp_findings *f, bool to_console);

#endif
