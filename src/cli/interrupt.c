/* stprog CLI — what an interrupted command leaves behind (see interrupt.h). A signal handler
 * may only write(2): the stderr line and, with --json, the JSON documents (one per signal)
 * are prepared at each phase change, in the slot the handler is not looking at, and then
 * published by switching the slot. */
#include "cli/interrupt.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/board.h"

#define LINE_MAX_LEN 1536
#define DOC_MAX_LEN  4096

typedef struct prepared {
    char line[LINE_MAX_LEN]; /* for stderr */
    size_t line_len;
    char doc[2][DOC_MAX_LEN]; /* --json: [0] for SIGINT, [1] for SIGTERM; doc_len 0 = none */
    size_t doc_len[2];
} prepared;

static prepared slots[2];
static volatile sig_atomic_t active = -1; /* the slot the handler uses; -1 = say nothing */

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static void on_interrupt(int sig)
{
    int slot = active;
    if (slot >= 0) {
        const prepared *p = &slots[slot];
        write_all(STDERR_FILENO, p->line, p->line_len);
        int which = sig == SIGTERM ? 1 : 0;
        write_all(STDOUT_FILENO, p->doc[which], p->doc_len[which]);
    }
    sim_boards_save_on_signal(); /* a virtual board keeps what the interrupted command left */
    signal(sig, SIG_DFL);
    raise(sig);
}

/* The --json document an interrupt by sig leaves: the frame's shape (command, status,
 * exit_code, findings) with status "interrupted" and the facts of the stderr line. */
static size_t build_doc(char *buf, size_t cap, const char *command, const char *phase,
                        bool changing, const char *what, const char *journal, int sig)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL)
        return 0;
    const char *signame = sig == SIGTERM ? "SIGTERM" : "SIGINT";
    stp_findings findings;
    stp_findings_init(&findings);
    stp_finding *fd = stp_finding_add(
        &findings, "cli.interrupted", STP_SEV_ERROR, "%s%s", what,
        changing ? ": the flash may hold a partly erased or partly written image" : "");
    stp_finding_evidence(fd, "signal", "%s", signame);
    stp_finding_evidence(fd, "phase", "%s", phase);
    stp_finding_evidence(fd, "flash_may_be_partial", "%s", changing ? "yes" : "no");
    if (journal != NULL)
        stp_finding_evidence(fd, "journal", "%s", journal);
    if (changing)
        stp_finding_advice(fd, "run the command again to finish%s",
                           journal != NULL ? ": it first writes back the kept bytes saved in "
                                             "the journal (or `stprog recover` does only that)"
                                           : "");
    cli_json j;
    cli_json_init(&j, f);
    cli_json_object_begin(&j);
    cli_json_kv_string(&j, "command", command);
    cli_json_kv_string(&j, "status", "interrupted");
    cli_json_kv_i64(&j, "exit_code", 128 + sig);
    cli_json_key(&j, "interrupted");
    cli_json_object_begin(&j);
    cli_json_kv_string(&j, "signal", signame);
    cli_json_kv_string(&j, "phase", phase);
    cli_json_kv_bool(&j, "flash_may_be_partial", changing);
    cli_json_object_end(&j);
    cli_json_findings(&j, &findings);
    cli_json_close_to(&j, 0);
    stp_findings_free(&findings);
    bool ok = !j.error && fclose(f) == 0 && text != NULL && len < cap;
    if (ok)
        memcpy(buf, text, len);
    free(text);
    return ok ? len : 0;
}

void cli_interrupt_note_phase(cli_ctx *ctx, const char *phase)
{
    static bool changing; /* once flash was erased or written, it stays "may be partial" */
    changing = changing || strcmp(phase, "erase") == 0 || strcmp(phase, "program") == 0 ||
               strcmp(phase, "write") == 0;
    int slot = active == 0 ? 1 : 0;
    prepared *p = &slots[slot];
    const char *name = ctx->cmd != NULL ? ctx->cmd->name : "command";
    bool same = strcmp(name, phase) == 0;
    char what[160];
    snprintf(what, sizeof(what), "%s interrupted%s%s%s", name, same ? "" : " during its ",
             same ? "" : phase, same ? "" : " phase");
    /* The journal of kept bytes, once saved (before the first erase), says where they are. */
    const char *journal =
        changing && ctx->journal_path[0] != '\0' && access(ctx->journal_path, F_OK) == 0
            ? ctx->journal_path
            : NULL;
    int n = snprintf(p->line, sizeof(p->line), "%s" CLI_PROGRAM ": %s%s%s%s\n",
                     ctx->progress.mode == CLI_PROGRESS_BAR ? "\n" : "", what,
                     changing ? ": the flash may hold a partly erased or partly written image; "
                                "run the command again to finish"
                              : "",
                     journal != NULL ? ": the bytes it keeps are saved in " : "",
                     journal != NULL ? journal : "");
    p->line_len = n < 0 ? 0 : n < (int)sizeof(p->line) ? (size_t)n : sizeof(p->line) - 1;
    for (int k = 0; k < 2; k++)
        p->doc_len[k] = ctx->g.json ? build_doc(p->doc[k], sizeof(p->doc[k]), name, phase, changing,
                                                what, journal, k ? SIGTERM : SIGINT)
                                    : 0;
    active = slot;
}

void cli_interrupt_catch(cli_ctx *ctx)
{
    cli_interrupt_note_phase(ctx, "start-up");
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

void cli_interrupt_hold(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, NULL);
}
