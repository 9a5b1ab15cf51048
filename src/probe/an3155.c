/* AN3155 host side: framing, answers with deadlines, retries. See probe/an3155.h. */
#include "probe/an3155.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"

#define ANSWER_MS    1000u /* an ordinary ACK: microseconds on the chip, USB latency here */
#define SYNC_MS      500u  /* rides out a loaded host too: a late ACK would desync */
#define SYNC_TRIES   6u    /* 0x7F tries, SYNC_MS apart */
#define READ_TRIES   3u
#define WRITE_TRIES  2u
#define RESET_MS     100u /* the chip restarts after an option-byte command */
#define DEFAULT_BAUD 115200u
#define NO_REPLY     (-1)

void stp_an3155_init(stp_an3155 *s, stp_byte_link *link, const stp_env *env)
{
    memset(s, 0, sizeof(*s));
    s->link = link;
    s->env = env;
    s->usart_hint = "";
}

/* Milliseconds n bytes take on the line (11 bit times each), rounded up. */
static unsigned line_ms(const stp_an3155 *s, size_t n)
{
    uint64_t baud = s->link->baud ? s->link->baud : DEFAULT_BAUD;
    return (unsigned)((n * 11u * 1000u + baud - 1) / baud);
}

static stp_status send(stp_an3155 *s, const uint8_t *buf, size_t len, stp_findings *findings)
{
    return s->link->ops->write(s->link, buf, len, findings);
}

/* One byte with a deadline; NO_REPLY when none came. */
static int get_byte(stp_an3155 *s, unsigned timeout_ms, stp_status *st, stp_findings *findings)
{
    uint8_t b;
    size_t got = 0;
    *st = s->link->ops->read(s->link, &b, 1, timeout_ms, &got, findings);
    return *st == STP_OK && got == 1 ? b : NO_REPLY;
}

static const char *cmd_name(uint8_t cmd)
{
    switch (cmd) {
    case STP_AN3155_GET:
        return "Get";
    case STP_AN3155_GET_VERSION:
        return "Get Version";
    case STP_AN3155_GET_ID:
        return "Get ID";
    case STP_AN3155_READ:
        return "Read Memory";
    case STP_AN3155_GO:
        return "Go";
    case STP_AN3155_WRITE:
        return "Write Memory";
    case STP_AN3155_ERASE:
        return "Erase";
    case STP_AN3155_EXT_ERASE:
        return "Extended Erase";
    case STP_AN3155_WRITE_PROTECT:
        return "Write Protect";
    case STP_AN3155_WRITE_UNPROTECT:
        return "Write Unprotect";
    case STP_AN3155_READOUT_PROTECT:
        return "Readout Protect";
    case STP_AN3155_READOUT_UNPROTECT:
        return "Readout Unprotect";
    default:
        return "command";
    }
}

/* Names what went wrong with an answer that should have been ACK. */
static stp_status bad_answer(stp_an3155 *s, uint8_t cmd, const char *stage, int reply,
                             unsigned timeout_ms, stp_findings *findings)
{
    stp_finding *f;
    if (reply == NO_REPLY) {
        f = stp_finding_add(findings, "bootloader.timeout", STP_SEV_ERROR,
                            "the bootloader did not answer %s (%s) within %u ms", cmd_name(cmd),
                            stage, timeout_ms);
        stp_finding_advice(f, "the chip may have reset or lost power; check the supply and "
                              "that nothing else drives NRST or the UART lines");
        stp_finding_evidence(f, "timeout_ms", "%u", timeout_ms);
    } else if (reply == STP_AN3155_NACK) {
        f = stp_finding_add(findings, "bootloader.nack", STP_SEV_ERROR,
                            "the bootloader refused %s (NACK after %s)", cmd_name(cmd), stage);
        stp_finding_advice(f, "a NACK after the data means a checksum or the operation "
                              "failed; after an address, that the address is not allowed");
    } else {
        f = stp_finding_add(findings, "bootloader.bad-reply", STP_SEV_ERROR,
                            "the bootloader answered 0x%02X to %s (%s), neither ACK (0x79) "
                            "nor NACK (0x1F)",
                            (unsigned)reply, cmd_name(cmd), stage);
        stp_finding_advice(f, "garbled bytes point at a wrong baud rate, a missing even "
                              "parity (8E1) or noise on the wires");
        stp_finding_evidence(f, "reply", "0x%02X", (unsigned)reply);
    }
    stp_finding_evidence(f, "command", "0x%02X", (unsigned)cmd);
    stp_finding_evidence(f, "stage", "%s", stage);
    (void)s;
    return reply == NO_REPLY ? STP_ERR_TIMEOUT : STP_ERR_PROTOCOL;
}

/* Waits for ACK; anything else becomes a finding. *reply gets what came. */
static stp_status expect_ack(stp_an3155 *s, uint8_t cmd, const char *stage, unsigned timeout_ms,
                             int *reply, stp_findings *findings)
{
    stp_status st;
    int r = get_byte(s, timeout_ms, &st, findings);
    if (reply != NULL)
        *reply = r;
    if (st != STP_OK)
        return st;
    if (r == STP_AN3155_ACK)
        return STP_OK;
    return bad_answer(s, cmd, stage, r, timeout_ms, findings);
}

static stp_status rdp_active(uint8_t cmd, stp_findings *findings)
{
    stp_finding *f = stp_finding_add(findings, "protect.rdp1", STP_SEV_ERROR,
                                     "the bootloader refuses %s: the flash is read-protected "
                                     "(RDP level 1)",
                                     cmd_name(cmd));
    stp_finding_evidence(f, "command", "0x%02X", (unsigned)cmd);
    stp_finding_evidence(f, "reply", "NACK");
    stp_finding_advice(f, "`stprog option-bytes set rdp=0 --unlock` sends Readout Unprotect: "
                          "the chip erases its whole flash and removes the protection");
    return STP_ERR_PROTECTED;
}

/* The chip runs the program Go started: what the line carries now is that program's (its
 * own output, or nothing), and only a reset with BOOT0 high brings the bootloader back.
 * note: the Go an earlier run recorded on this port; NULL for a Go of this session. */
static stp_status left_bootloader(const stp_an3155 *s, const stp_uart_go_note *note,
                                  stp_findings *findings)
{
    stp_finding *f;
    if (note == NULL) {
        f = stp_finding_add(findings, "bootloader.left", STP_SEV_ERROR,
                            "the chip left its ROM bootloader: Go started the program in this "
                            "session, and the bootloader no longer listens");
    } else {
        int64_t age = (int64_t)time(NULL) - note->when;
        age = age < 0 ? 0 : age;
        char ago[32];
        if (age < 120)
            snprintf(ago, sizeof(ago), "%lld s", (long long)age);
        else if (age < 7200)
            snprintf(ago, sizeof(ago), "%lld min", (long long)(age / 60));
        else if (age < 2 * 86400)
            snprintf(ago, sizeof(ago), "%lld h", (long long)(age / 3600));
        else
            snprintf(ago, sizeof(ago), "%lld days", (long long)(age / 86400));
        f = stp_finding_add(findings, "bootloader.left", STP_SEV_ERROR,
                            "the chip left its ROM bootloader: `go 0x%08X` started the program "
                            "on this port %s ago, and the bootloader has not answered 0x7F since",
                            (unsigned)note->addr, ago);
        stp_finding_evidence(f, "go_address", "0x%08X", (unsigned)note->addr);
        stp_finding_evidence(f, "go_device", "0x%03X", (unsigned)note->dev_id);
        stp_finding_evidence(f, "go_seconds_ago", "%lld", (long long)age);
        if (s->sync_noise == 0)
            stp_finding_evidence(f, "line", "silent (the program does not answer 0x7F)");
        else
            stp_finding_evidence(f, "line",
                                 "%u answers to 0x7F that are not the bootloader's (the "
                                 "program's output?)",
                                 s->sync_noise);
    }
    stp_finding_advice(f, "reset the chip with BOOT0 high (BOOT1 low on F1/F4): the bootloader "
                          "runs only from a reset. With NRST wired to DTR or RTS, `reset=dtr` "
                          "(or rts) in the probe spec does it; `boot0=` drives BOOT0 as well");
    return STP_ERR_NO_TARGET;
}

/* Sends a command code and its complement; a NACK of a listed command is read protection. */
static stp_status command(stp_an3155 *s, uint8_t cmd, stp_findings *findings)
{
    if (s->gone)
        return left_bootloader(s, NULL, findings);
    uint8_t frame[2] = {cmd, (uint8_t)~cmd};
    stp_status st = send(s, frame, 2, findings);
    if (st != STP_OK)
        return st;
    int r;
    stp_findings scratch = {0};
    st = expect_ack(s, cmd, "the command code", ANSWER_MS, &r, &scratch);
    if (st != STP_OK && r == STP_AN3155_NACK && stp_an3155_has(s, cmd) && cmd != STP_AN3155_GET &&
        cmd != STP_AN3155_GET_ID && cmd != STP_AN3155_GET_VERSION) {
        stp_findings_free(&scratch);
        return rdp_active(cmd, findings);
    }
    stp_findings_append(findings, &scratch);
    stp_findings_free(&scratch);
    return st;
}

static stp_status send_addr(stp_an3155 *s, uint8_t cmd, uint32_t addr, int *reply,
                            stp_findings *findings)
{
    uint8_t a[5] = {(uint8_t)(addr >> 24), (uint8_t)(addr >> 16), (uint8_t)(addr >> 8),
                    (uint8_t)addr, 0};
    a[4] = a[0] ^ a[1] ^ a[2] ^ a[3];
    stp_status st = send(s, a, 5, findings);
    if (st == STP_OK)
        st = expect_ack(s, cmd, "the address", ANSWER_MS + line_ms(s, 5), reply, findings);
    return st;
}

/* ---- sync and identification ----------------------------------------------------------- */

static stp_status no_target(stp_an3155 *s, int last, stp_findings *findings)
{
    if (s->left_by_go != NULL)
        return left_bootloader(s, s->left_by_go, findings);
    stp_finding *f;
    if (last == NO_REPLY)
        f = stp_finding_add(findings, "link.no-target", STP_SEV_ERROR,
                            "no answer from the ROM bootloader to 0x7F");
    else
        f = stp_finding_add(findings, "link.no-target", STP_SEV_ERROR,
                            "the ROM bootloader did not acknowledge 0x7F (got 0x%02X)",
                            (unsigned)last);
    stp_finding_evidence(f, "baud", "%u", (unsigned)(s->link->baud ? s->link->baud : 0));
    if (last != NO_REPLY)
        stp_finding_evidence(f, "reply", "0x%02X", (unsigned)last);
    stp_finding_advice(f,
                       "is BOOT0 high (and BOOT1 low on F1/F4) at reset? Reset the board "
                       "after strapping it. Is the adapter's TX on the chip's RX and RX on "
                       "TX (swap them if unsure)? Is the line 8E1 at a rate the bootloader "
                       "can lock on (1200..115200)? The bootloader listens on %s",
                       s->usart_hint[0] ? s->usart_hint
                                        : "USART1 PA9 (TX) / PA10 (RX) on most STM32 "
                                          "(`stprog chips PART` names the pins of yours)");
    return STP_ERR_NO_TARGET;
}

stp_status stp_an3155_sync(stp_an3155 *s, stp_findings *findings)
{
    /* Only 0x7F is ever sent, as stm32flash does: the ROM bootloader measures the baud rate
     * on the first byte it receives, and any other byte (0x80 was sent here once) leaves it
     * at a wrong rate until the next reset. A 0x7F sent before the bootloader is ready (it
     * starts some ms after NRST rises) is lost, so silence is answered with another 0x7F.
     * A bootloader already synced takes 0x7F as a command code and NACKs the next 0x7F as
     * a bad complement: NACK means a session was open. */
    stp_status st = STP_OK;
    int last = NO_REPLY;
    s->link->ops->flush_input(s->link);
    for (unsigned i = 0; i < SYNC_TRIES; i++) {
        uint8_t b = STP_AN3155_SYNC;
        st = send(s, &b, 1, findings);
        if (st != STP_OK)
            return st;
        int r = get_byte(s, SYNC_MS + line_ms(s, 2), &st, findings);
        if (st != STP_OK)
            return st;
        if (r == STP_AN3155_ACK)
            return STP_OK;
        if (r == STP_AN3155_NACK) {
            stp_log(s->env, STP_LOG_DEBUG, "bootloader: NACK to 0x7F, a session was open");
            return STP_OK;
        }
        if (r != NO_REPLY) {
            last = r;
            s->sync_noise++;
            s->link->ops->flush_input(s->link);
        }
    }
    return no_target(s, last, findings);
}

bool stp_an3155_parse_get(const uint8_t *reply, size_t len, uint8_t *version, uint8_t *commands,
                          size_t max, size_t *count)
{
    if (len < 2)
        return false;
    size_t n = reply[0]; /* bytes that follow minus one: the version and n commands */
    if (n == 0 || len != n + 2 || n > max)
        return false;
    *version = reply[1];
    memcpy(commands, reply + 2, n);
    *count = n;
    return true;
}

bool stp_an3155_has(const stp_an3155 *s, uint8_t cmd)
{
    return memchr(s->commands, cmd, s->command_count) != NULL;
}

/* Reads exactly len bytes or names what was missing. */
static stp_status recv_exact(stp_an3155 *s, uint8_t cmd, const char *what, uint8_t *buf, size_t len,
                             stp_findings *findings)
{
    size_t got = 0;
    unsigned ms = ANSWER_MS + line_ms(s, len);
    stp_status st = s->link->ops->read(s->link, buf, len, ms, &got, findings);
    if (st != STP_OK)
        return st;
    if (got == len)
        return STP_OK;
    stp_finding *f = stp_finding_add(findings, "bootloader.timeout", STP_SEV_ERROR,
                                     "%s: %zu of %zu bytes of %s came within %u ms", cmd_name(cmd),
                                     got, len, what, ms);
    stp_finding_evidence(f, "command", "0x%02X", (unsigned)cmd);
    stp_finding_evidence(f, "received", "%zu", got);
    stp_finding_advice(f, "the chip may have reset, or the line drops bytes (try a lower "
                          "baud rate)");
    return STP_ERR_TIMEOUT;
}

stp_status stp_an3155_identify(stp_an3155 *s, stp_findings *findings)
{
    stp_status st = command(s, STP_AN3155_GET, findings);
    uint8_t n = 0, buf[258];
    if (st == STP_OK)
        st = recv_exact(s, STP_AN3155_GET, "the Get reply", &n, 1, findings);
    if (st == STP_OK) {
        buf[0] = n;
        st = recv_exact(s, STP_AN3155_GET, "the Get reply", buf + 1, (size_t)n + 1, findings);
    }
    if (st == STP_OK)
        st = expect_ack(s, STP_AN3155_GET, "its reply", ANSWER_MS, NULL, findings);
    if (st == STP_OK && !stp_an3155_parse_get(buf, (size_t)n + 2, &s->version, s->commands,
                                              sizeof(s->commands), &s->command_count)) {
        stp_finding *f =
            stp_finding_add(findings, "bootloader.bad-reply", STP_SEV_ERROR,
                            "the Get reply lists %u commands: not a bootloader", (unsigned)n);
        stp_finding_evidence(f, "count", "%u", (unsigned)n);
        return STP_ERR_PROTOCOL;
    }
    if (st == STP_OK)
        st = command(s, STP_AN3155_GET_ID, findings);
    uint8_t id[3];
    if (st == STP_OK)
        st = recv_exact(s, STP_AN3155_GET_ID, "the Get ID reply", id, 3, findings);
    if (st == STP_OK)
        st = expect_ack(s, STP_AN3155_GET_ID, "its reply", ANSWER_MS, NULL, findings);
    if (st != STP_OK)
        return st;
    if (id[0] != 1) {
        stp_finding *f =
            stp_finding_add(findings, "bootloader.bad-reply", STP_SEV_ERROR,
                            "Get ID announced %u+1 bytes, expected 2", (unsigned)id[0]);
        stp_finding_evidence(f, "count", "%u", (unsigned)id[0]);
        return STP_ERR_PROTOCOL;
    }
    s->pid = (uint16_t)(id[1] << 8 | id[2]);
    s->chip = stp_chip_by_dev_id(s->pid);
    stp_log(s->env, STP_LOG_INFO, "bootloader %u.%u, PID 0x%03X, %zu commands",
            (unsigned)(s->version >> 4), (unsigned)(s->version & 15u), (unsigned)s->pid,
            s->command_count);
    return STP_OK;
}

/* ---- memory ----------------------------------------------------------------------------- */

/* Late bytes of a failed exchange are dropped before the next try. */
static void settle(stp_an3155 *s)
{
    s->link->ops->sleep_ms(s->link, 20);
    s->link->ops->flush_input(s->link);
    s->retries++;
}

static stp_status read_block(stp_an3155 *s, uint32_t addr, uint8_t *buf, size_t len, int *reply,
                             stp_findings *findings)
{
    *reply = STP_AN3155_ACK;
    stp_status st = command(s, STP_AN3155_READ, findings);
    if (st == STP_OK)
        st = send_addr(s, STP_AN3155_READ, addr, reply, findings);
    if (st == STP_OK) {
        uint8_t n[2] = {(uint8_t)(len - 1), (uint8_t) ~(len - 1)};
        st = send(s, n, 2, findings);
        if (st == STP_OK)
            st = expect_ack(s, STP_AN3155_READ, "the length", ANSWER_MS, reply, findings);
    }
    if (st == STP_OK)
        st = recv_exact(s, STP_AN3155_READ, "the data", buf, len, findings);
    return st;
}

stp_status stp_an3155_read(stp_an3155 *s, uint32_t addr, uint8_t *buf, size_t len,
                           stp_findings *findings)
{
    size_t off = 0;
    while (off < len) {
        size_t n = len - off < STP_AN3155_MAX_BLOCK ? len - off : STP_AN3155_MAX_BLOCK;
        stp_status st = STP_OK;
        for (unsigned attempt = 0; attempt < READ_TRIES; attempt++) {
            stp_findings tries = {0};
            int reply;
            st = read_block(s, addr + (uint32_t)off, buf + off, n, &reply, &tries);
            bool last = attempt + 1 == READ_TRIES;
            /* Read protection does not go away by asking again. */
            if (st == STP_OK || st == STP_ERR_PROTECTED || st == STP_ERR_IO || last) {
                stp_findings_append(findings, &tries);
                stp_findings_free(&tries);
                break;
            }
            stp_log(s->env, STP_LOG_DEBUG,
                    "bootloader: Read Memory at 0x%08X failed (%s), "
                    "retrying",
                    (unsigned)(addr + off), stp_status_name(st));
            stp_findings_free(&tries);
            settle(s);
        }
        if (st != STP_OK)
            return st;
        off += n;
    }
    return STP_OK;
}

static unsigned worst(const uint32_t *v, size_t n)
{
    uint32_t w = 0;
    for (size_t i = 0; i < n; i++)
        w = v[i] > w ? v[i] : w;
    return w;
}

/* Deadline for programming len bytes: the datasheet's worst program time per unit, twice. */
static unsigned program_ms(const stp_an3155 *s, size_t len)
{
    if (s->chip == NULL)
        return 1000u;
    uint32_t ns = worst(s->chip->timing.program_max_ns, STP_PSIZE_COUNT);
    uint64_t units = len / 2; /* the narrowest unit a bootloader programs with here */
    return (unsigned)(units * ns * 2u / 1000000u) + 200u;
}

/* After no answer to a command: a bootloader that restarted answers 0x7F with ACK. */
static bool chip_restarted(stp_an3155 *s)
{
    uint8_t b = STP_AN3155_SYNC;
    stp_findings scratch = {0};
    stp_status st;
    s->link->ops->flush_input(s->link);
    bool reset =
        send(s, &b, 1, &scratch) == STP_OK && get_byte(s, SYNC_MS, &st, &scratch) == STP_AN3155_ACK;
    stp_findings_free(&scratch);
    return reset;
}

static stp_status write_block(stp_an3155 *s, uint32_t addr, const uint8_t *data, size_t len,
                              int *reply, stp_findings *findings)
{
    *reply = STP_AN3155_ACK;
    stp_status st = command(s, STP_AN3155_WRITE, findings);
    if (st == STP_OK)
        st = send_addr(s, STP_AN3155_WRITE, addr, reply, findings);
    if (st != STP_OK)
        return st;
    uint8_t frame[STP_AN3155_MAX_BLOCK + 2];
    frame[0] = (uint8_t)(len - 1);
    uint8_t x = frame[0];
    for (size_t i = 0; i < len; i++) {
        frame[1 + i] = data[i];
        x ^= data[i];
    }
    frame[1 + len] = x;
    st = send(s, frame, len + 2, findings);
    if (st == STP_OK)
        st = expect_ack(s, STP_AN3155_WRITE, "the data",
                        line_ms(s, len + 2) + program_ms(s, len) + ANSWER_MS, reply, findings);
    return st;
}

static stp_status target_reset(uint8_t cmd, uint32_t addr, stp_findings *findings)
{
    stp_finding *f = stp_finding_add(findings, "bootloader.target-reset", STP_SEV_ERROR,
                                     "the chip restarted during %s at 0x%08X: the bytes there "
                                     "may be partly written",
                                     cmd_name(cmd), (unsigned)addr);
    stp_finding_evidence(f, "address", "0x%08X", (unsigned)addr);
    stp_finding_advice(f, "look for brown-outs (supply, decoupling) and for something "
                          "pulling NRST; then write again: verify checks every byte");
    return STP_ERR_TARGET_FAULT;
}

stp_status stp_an3155_write(stp_an3155 *s, uint32_t addr, const uint8_t *data, size_t len,
                            uint8_t pad, stp_findings *findings)
{
    if (addr % 4 != 0)
        return STP_ERR_INVALID_ARG;
    size_t off = 0;
    while (off < len) {
        size_t n = len - off < STP_AN3155_MAX_BLOCK ? len - off : STP_AN3155_MAX_BLOCK;
        uint8_t block[STP_AN3155_MAX_BLOCK];
        memcpy(block, data + off, n);
        size_t padded = (n + 3u) & ~(size_t)3u;
        memset(block + n, pad, padded - n);
        uint32_t a = addr + (uint32_t)off;
        stp_status st = STP_OK;
        for (unsigned attempt = 0; attempt < WRITE_TRIES; attempt++) {
            stp_findings tries = {0};
            int reply;
            st = write_block(s, a, block, padded, &reply, &tries);
            if (st == STP_ERR_TIMEOUT && reply == NO_REPLY && chip_restarted(s)) {
                stp_findings_free(&tries);
                return target_reset(STP_AN3155_WRITE, a, findings);
            }
            /* Only a refused checksum is safe to repeat: nothing was programmed then. */
            bool again =
                st == STP_ERR_PROTOCOL && reply == STP_AN3155_NACK && attempt + 1 < WRITE_TRIES;
            if (!again) {
                stp_findings_append(findings, &tries);
                stp_findings_free(&tries);
                break;
            }
            stp_log(s->env, STP_LOG_DEBUG, "bootloader: Write Memory at 0x%08X NACKed, retrying",
                    (unsigned)a);
            stp_findings_free(&tries);
            settle(s);
        }
        if (st != STP_OK)
            return st;
        off += n;
    }
    return STP_OK;
}

/* ---- erase -------------------------------------------------------------------------------- */

static unsigned erase_ms(const stp_an3155 *s, const uint32_t *sizes, size_t count)
{
    uint64_t ms = 0;
    for (size_t i = 0; i < count; i++) {
        const stp_erase_timing *t = s->chip ? stp_chip_erase_timing(s->chip, sizes[i]) : NULL;
        ms += t ? worst(t->max_ms, STP_PSIZE_COUNT) : 4000u;
    }
    return (unsigned)(ms * 3u / 2u) + ANSWER_MS;
}

static unsigned mass_ms(const stp_an3155 *s)
{
    uint32_t ms = s->chip ? worst(s->chip->timing.mass_erase_max_ms, STP_PSIZE_COUNT) : 0;
    if (ms == 0)
        ms = 40000u; /* unknown part: the slowest mass erase in the table is 32 s */
    return ms * 3u / 2u + ANSWER_MS;
}

stp_status stp_an3155_erase(stp_an3155 *s, const uint16_t *units, const uint32_t *sizes,
                            size_t count, stp_findings *findings)
{
    bool ext = stp_an3155_has(s, STP_AN3155_EXT_ERASE);
    uint8_t cmd = ext ? STP_AN3155_EXT_ERASE : STP_AN3155_ERASE;
    size_t per = ext ? 80u : 255u; /* one command per batch; 80 keeps the deadline sane */
    for (size_t i = 0; !ext && i < count; i++) {
        if (units[i] > 0xFF) {
            /* Erase (0x43) numbers pages with one byte (AN3155 3.7): a larger number would
             * silently erase another page. */
            stp_finding *fi =
                stp_finding_add(findings, "bootloader.erase-unreachable", STP_SEV_ERROR,
                                "page %u cannot be erased through this bootloader: "
                                "its Erase command numbers pages 0-255",
                                (unsigned)units[i]);
            stp_finding_evidence(fi, "page", "%u", (unsigned)units[i]);
            stp_finding_evidence(fi, "command", "0x%02X", (unsigned)STP_AN3155_ERASE);
            stp_finding_advice(fi, "erase it through SWD (--probe stlink), or set read "
                                   "protection and remove it (the chip erases all its flash)");
            return STP_ERR_UNSUPPORTED;
        }
    }
    for (size_t i = 0; i < count; i += per) {
        size_t n = count - i < per ? count - i : per;
        uint8_t *frame = stp_malloc(2 * n + 3);
        if (frame == NULL)
            return STP_ERR_NOMEM;
        size_t k = 0;
        if (ext) {
            frame[k++] = (uint8_t)((n - 1) >> 8);
            frame[k++] = (uint8_t)(n - 1);
        } else {
            frame[k++] = (uint8_t)(n - 1);
        }
        for (size_t j = 0; j < n; j++) {
            if (ext)
                frame[k++] = (uint8_t)(units[i + j] >> 8);
            frame[k++] = (uint8_t)units[i + j];
        }
        uint8_t x = 0;
        for (size_t j = 0; j < k; j++)
            x ^= frame[j];
        frame[k++] = x;
        stp_status st = command(s, cmd, findings);
        if (st == STP_OK)
            st = send(s, frame, k, findings);
        stp_free(frame);
        if (st == STP_OK)
            st = expect_ack(s, cmd, "the page list", line_ms(s, k) + erase_ms(s, sizes + i, n),
                            NULL, findings);
        if (st != STP_OK)
            return st;
    }
    return STP_OK;
}

stp_status stp_an3155_mass_erase(stp_an3155 *s, stp_findings *findings)
{
    bool ext = stp_an3155_has(s, STP_AN3155_EXT_ERASE);
    uint8_t cmd = ext ? STP_AN3155_EXT_ERASE : STP_AN3155_ERASE;
    static const uint8_t ext_all[3] = {0xFF, 0xFF, 0x00}, all[2] = {0xFF, 0x00};
    stp_status st = command(s, cmd, findings);
    if (st == STP_OK)
        st = send(s, ext ? ext_all : all, ext ? 3 : 2, findings);
    if (st == STP_OK)
        st = expect_ack(s, cmd, "the mass erase code", mass_ms(s), NULL, findings);
    return st;
}

/* ---- option bytes and Go ---------------------------------------------------------------- */

/* The second ACK of an option-byte command, then the chip's restart and a new sync. */
static stp_status option_end(stp_an3155 *s, uint8_t cmd, unsigned ms, stp_findings *findings)
{
    stp_status st = expect_ack(s, cmd, "the operation", ms, NULL, findings);
    if (st != STP_OK)
        return st;
    s->link->ops->sleep_ms(s->link, RESET_MS);
    return stp_an3155_sync(s, findings);
}

stp_status stp_an3155_write_protect(stp_an3155 *s, const uint8_t *units, size_t count,
                                    stp_findings *findings)
{
    if (count == 0 || count > 256)
        return STP_ERR_INVALID_ARG;
    uint8_t frame[258];
    frame[0] = (uint8_t)(count - 1);
    uint8_t x = frame[0];
    for (size_t i = 0; i < count; i++) {
        frame[1 + i] = units[i];
        x ^= units[i];
    }
    frame[1 + count] = x;
    stp_status st = command(s, STP_AN3155_WRITE_PROTECT, findings);
    if (st == STP_OK)
        st = send(s, frame, count + 2, findings);
    if (st == STP_OK)
        st = option_end(s, STP_AN3155_WRITE_PROTECT, ANSWER_MS + erase_ms(s, NULL, 0) + 1000u,
                        findings);
    return st;
}

static stp_status simple_option(stp_an3155 *s, uint8_t cmd, unsigned ms, stp_findings *findings)
{
    stp_status st = command(s, cmd, findings);
    if (st == STP_OK)
        st = option_end(s, cmd, ms, findings);
    return st;
}

stp_status stp_an3155_write_unprotect(stp_an3155 *s, stp_findings *findings)
{
    return simple_option(s, STP_AN3155_WRITE_UNPROTECT, ANSWER_MS + 1000u, findings);
}

stp_status stp_an3155_readout_protect(stp_an3155 *s, stp_findings *findings)
{
    return simple_option(s, STP_AN3155_READOUT_PROTECT, ANSWER_MS + 1000u, findings);
}

stp_status stp_an3155_readout_unprotect(stp_an3155 *s, stp_findings *findings)
{
    /* The chip mass-erases before it answers. */
    return simple_option(s, STP_AN3155_READOUT_UNPROTECT, mass_ms(s) + 1000u, findings);
}

stp_status stp_an3155_go(stp_an3155 *s, uint32_t addr, stp_findings *findings)
{
    stp_status st = command(s, STP_AN3155_GO, findings);
    if (st == STP_OK)
        st = send_addr(s, STP_AN3155_GO, addr, NULL, findings);
    s->gone = st == STP_OK;
    return st;
}
