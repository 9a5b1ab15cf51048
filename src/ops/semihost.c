/* ARM semihosting (ARM "Semihosting for AArch32 and AArch64", version 2.0): the firmware
 * executes BKPT 0xAB with the operation in r0 and its parameter (a value or the address of
 * a parameter block) in r1; the core halts (C_DEBUGEN), the host does the operation, puts
 * the result in r0, steps the PC over the BKPT and resumes.
 *
 * Served: the console (":tt" handles 0 stdin, 1 stdout, 2 stderr, the numbers OpenOCD and
 * QEMU give them, so firmware that writes to handle 1 without opening it works too), the
 * ":semihosting-features" file (EXIT_EXTENDED and STDOUT_STDERR: newlib's exit(n) then
 * reports n), clocks, errno, heap info, command line, exit. Host files, SYS_SYSTEM,
 * SYS_REMOVE, SYS_RENAME are refused (EACCES): firmware under test does not get the host's
 * file system. */
#include <string.h>

#include "ops/run_internal.h"

enum {
    SYS_OPEN = 0x01,
    SYS_CLOSE = 0x02,
    SYS_WRITEC = 0x03,
    SYS_WRITE0 = 0x04,
    SYS_WRITE = 0x05,
    SYS_READ = 0x06,
    SYS_READC = 0x07,
    SYS_ISERROR = 0x08,
    SYS_ISTTY = 0x09,
    SYS_SEEK = 0x0A,
    SYS_FLEN = 0x0C,
    SYS_TMPNAM = 0x0D,
    SYS_REMOVE = 0x0E,
    SYS_RENAME = 0x0F,
    SYS_CLOCK = 0x10,
    SYS_TIME = 0x11,
    SYS_SYSTEM = 0x12,
    SYS_ERRNO = 0x13,
    SYS_GET_CMDLINE = 0x15,
    SYS_HEAPINFO = 0x16,
    SYS_EXIT = 0x18,
    SYS_EXIT_EXTENDED = 0x20,
    SYS_ELAPSED = 0x30,
    SYS_TICKFREQ = 0x31,
};

#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

#define H_STDIN    0u
#define H_STDOUT   1u
#define H_STDERR   2u
#define H_FEATURES 3u

/* errno values the firmware's C library expects (newlib uses the Linux numbers). */
#define E_BADF  9
#define E_ACCES 13
#define E_INVAL 22
#define E_SPIPE 29
#define E_NOSYS 38

#define MAX_STRING 65536u /* longest SYS_WRITE0 string / SYS_WRITE chunk served at once */

/* "SHFB" magic and feature byte 0: bit 0 SH_EXT_EXIT_EXTENDED, bit 1 SH_EXT_STDOUT_STDERR. */
static const uint8_t features[5] = {0x53, 0x48, 0x46, 0x42, 0x03};

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static stp_status read_block(run_session *s, uint32_t addr, uint32_t *w, unsigned n)
{
    uint8_t b[16];
    stp_status st = s->d->ops->read_mem(s->d, addr, b, 4u * n, s->findings);
    for (unsigned i = 0; st == STP_OK && i < n; i++)
        w[i] = rd32(b + 4 * i);
    return st;
}

/* Copies len bytes of target memory at addr to the caller's stream, in chunks. */
static stp_status write_out(run_session *s, stp_run_stream stream, uint32_t addr, uint32_t len)
{
    uint8_t buf[4096];
    while (len > 0) {
        uint32_t n = len < sizeof(buf) ? len : (uint32_t)sizeof(buf);
        stp_status st = s->d->ops->read_mem(s->d, addr, buf, n, s->findings);
        if (st != STP_OK)
            return st;
        run_output(s, stream, buf, n);
        s->res->semihost_bytes += n;
        addr += n;
        len -= n;
    }
    return STP_OK;
}

/* SYS_WRITE0: a NUL-terminated string, read in pieces. */
static stp_status write0(run_session *s, uint32_t addr)
{
    uint8_t buf[64];
    for (uint32_t total = 0; total < MAX_STRING;) {
        /* Read up to the next 64-byte boundary first: no read crosses into memory the
         * string does not reach by more than it must. */
        uint32_t n = 64u - (addr & 63u);
        stp_status st = s->d->ops->read_mem(s->d, addr, buf, n, s->findings);
        if (st != STP_OK)
            return st;
        const uint8_t *nul = memchr(buf, 0, n);
        uint32_t take = nul != NULL ? (uint32_t)(nul - buf) : n;
        run_output(s, STP_RUN_STDOUT, buf, take);
        s->res->semihost_bytes += take;
        if (nul != NULL)
            return STP_OK;
        addr += n;
        total += n;
    }
    return STP_OK;
}

/* Blocks (polling the input, the stop flag and the deadline) until some input or its end.
 * False when the run must end instead. */
static bool wait_input(run_session *s)
{
    s->input_to_semihosting = true;
    if (s->opt->input == STP_RUN_INPUT_RTT || s->opt->input == STP_RUN_INPUT_NONE)
        return true; /* the pending bytes are RTT's: this read sees the end of input */
    for (;;) {
        run_fill_input(s);
        if (s->pending_len > 0 || s->input_eof)
            return true;
        if (run_should_end(s))
            return false;
        s->d->ops->delay_ms(s->d, s->poll_ms);
    }
}

/* Whether semihosting reads get the host input. */
static bool semihost_input(const run_session *s)
{
    return s->opt->input == STP_RUN_INPUT_AUTO || s->opt->input == STP_RUN_INPUT_SEMIHOSTING;
}

static bool is_console(uint32_t h)
{
    return h == H_STDIN || h == H_STDOUT || h == H_STDERR;
}

static uint32_t fail(run_session *s, int err)
{
    s->sh_errno = err;
    return 0xFFFFFFFFu;
}

static stp_status sys_open(run_session *s, uint32_t r1, uint32_t *ret)
{
    uint32_t p[3];
    stp_status st = read_block(s, r1, p, 3);
    if (st != STP_OK)
        return st;
    char name[64] = {0};
    uint32_t len = p[2] < sizeof(name) - 1 ? p[2] : (uint32_t)sizeof(name) - 1;
    if (len > 0 && (st = s->d->ops->read_mem(s->d, p[0], name, len, s->findings)) != STP_OK)
        return st;
    uint32_t mode = p[1];
    if (p[2] == 3 && memcmp(name, ":tt", 3) == 0) {
        /* modes 0-3 "r" (stdin), 4-7 "w" (stdout), 8-11 "a" (stderr) */
        *ret = mode < 4 ? H_STDIN : mode < 8 ? H_STDOUT : mode < 12 ? H_STDERR : fail(s, E_INVAL);
        return STP_OK;
    }
    if (p[2] == 21 && memcmp(name, ":semihosting-features", 21) == 0 && mode < 4) {
        s->features_open = true;
        s->features_pos = 0;
        *ret = H_FEATURES;
        return STP_OK;
    }
    if (!s->warned_open) {
        s->warned_open = true;
        stp_log(s->env, STP_LOG_WARN,
                "the firmware asked to open host file '%s': refused (only the console is served)",
                name);
    }
    *ret = fail(s, E_ACCES);
    return STP_OK;
}

static stp_status sys_write(run_session *s, uint32_t r1, uint32_t *ret)
{
    uint32_t p[3];
    stp_status st = read_block(s, r1, p, 3);
    if (st != STP_OK)
        return st;
    if (p[0] != H_STDOUT && p[0] != H_STDERR) {
        s->sh_errno = E_BADF;
        *ret = p[2]; /* nothing written */
        return STP_OK;
    }
    st = write_out(s, p[0] == H_STDERR ? STP_RUN_STDERR : STP_RUN_STDOUT, p[1], p[2]);
    *ret = 0; /* bytes not written */
    return st;
}

static stp_status sys_read(run_session *s, uint32_t r1, uint32_t *ret, bool *ended)
{
    uint32_t p[3];
    stp_status st = read_block(s, r1, p, 3);
    if (st != STP_OK)
        return st;
    uint32_t want = p[2];
    if (p[0] == H_FEATURES && s->features_open) {
        uint32_t left =
            s->features_pos < sizeof(features) ? (uint32_t)sizeof(features) - s->features_pos : 0;
        uint32_t n = want < left ? want : left;
        if (n > 0)
            st = s->d->ops->write_mem(s->d, p[1], features + s->features_pos, n, s->findings);
        s->features_pos += n;
        *ret = want - n;
        return st;
    }
    if (p[0] != H_STDIN) {
        *ret = fail(s, E_BADF);
        return STP_OK;
    }
    if (want == 0) {
        *ret = 0;
        return STP_OK;
    }
    if (!wait_input(s)) {
        *ended = true;
        return STP_OK;
    }
    uint8_t buf[512];
    size_t n =
        semihost_input(s) ? run_take_input(s, buf, want < sizeof(buf) ? want : sizeof(buf)) : 0;
    if (n > 0)
        st = s->d->ops->write_mem(s->d, p[1], buf, n, s->findings);
    *ret = want - (uint32_t)n; /* n == 0: the end of input */
    return st;
}

static stp_status sys_readc(run_session *s, uint32_t *ret, bool *ended)
{
    if (!wait_input(s)) {
        *ended = true;
        return STP_OK;
    }
    uint8_t c;
    *ret = semihost_input(s) && run_take_input(s, &c, 1) == 1 ? c : 0xFFFFFFFFu;
    return STP_OK;
}

static uint64_t run_elapsed_ns(run_session *s)
{
    uint64_t now = stp_probe_now_ns(s->d);
    return now > s->t0_ns ? now - s->t0_ns : 0;
}

static stp_status sys_exit(run_session *s, uint32_t r1, bool extended)
{
    uint32_t reason = r1, code = 0;
    if (extended) {
        uint32_t p[2];
        stp_status st = read_block(s, r1, p, 2);
        if (st != STP_OK)
            return st;
        reason = p[0];
        code = p[1];
    }
    run_end(s, STP_RUN_END_EXIT);
    s->res->exit_reason = reason;
    if (reason == ADP_STOPPED_APPLICATION_EXIT)
        s->res->exit_code = (int)code;
    else
        s->res->exit_code = 1; /* as QEMU: another stop reason is a failure */
    return STP_OK;
}

/* The operations that take a block and answer from it alone. */
static stp_status simple_op(run_session *s, uint32_t op, uint32_t r1, uint32_t *ret)
{
    uint32_t p[2] = {0, 0};
    stp_status st = STP_OK;
    switch (op) {
    case SYS_CLOSE:
        st = read_block(s, r1, p, 1);
        if (p[0] == H_FEATURES && s->features_open)
            s->features_open = false;
        *ret = is_console(p[0]) || p[0] == H_FEATURES ? 0 : fail(s, E_BADF);
        return st;
    case SYS_ISERROR:
        st = read_block(s, r1, p, 1);
        *ret = (p[0] & 0x80000000u) ? 1 : 0;
        return st;
    case SYS_ISTTY:
        st = read_block(s, r1, p, 1);
        *ret = is_console(p[0]) ? 1 : p[0] == H_FEATURES ? 0 : fail(s, E_BADF);
        return st;
    case SYS_SEEK:
        st = read_block(s, r1, p, 2);
        if (p[0] == H_FEATURES && s->features_open) {
            s->features_pos = p[1];
            *ret = 0;
        } else {
            *ret = fail(s, is_console(p[0]) ? E_SPIPE : E_BADF);
        }
        return st;
    case SYS_FLEN:
        st = read_block(s, r1, p, 1);
        *ret = p[0] == H_FEATURES ? (uint32_t)sizeof(features)
               : is_console(p[0]) ? 0
                                  : fail(s, E_BADF);
        return st;
    case SYS_CLOCK:
        *ret = (uint32_t)(run_elapsed_ns(s) / 10000000u); /* centiseconds */
        return STP_OK;
    case SYS_TIME:
        *ret = (uint32_t)(s->epoch0 + (time_t)(run_elapsed_ns(s) / 1000000000u));
        return STP_OK;
    case SYS_ERRNO:
        *ret = (uint32_t)s->sh_errno;
        return STP_OK;
    case SYS_TICKFREQ:
        *ret = 1000000u; /* SYS_ELAPSED counts microseconds */
        return STP_OK;
    default:
        return STP_ERR_UNSUPPORTED;
    }
}

/* The operations that write a block back. */
static stp_status fill_op(run_session *s, uint32_t op, uint32_t r1, uint32_t *ret)
{
    uint8_t b[16] = {0};
    switch (op) {
    case SYS_HEAPINFO: { /* r1 -> address of a 4-word block; zeros: the C library's own */
        uint32_t where;
        stp_status st = read_block(s, r1, &where, 1);
        if (st == STP_OK)
            st = s->d->ops->write_mem(s->d, where, b, 16, s->findings);
        *ret = 0;
        return st;
    }
    case SYS_GET_CMDLINE: { /* {buffer, size}: an empty command line */
        uint32_t p[2];
        stp_status st = read_block(s, r1, p, 2);
        if (st != STP_OK)
            return st;
        if (p[1] == 0) {
            *ret = fail(s, E_INVAL);
            return STP_OK;
        }
        st = s->d->ops->write_mem(s->d, p[0], b, 1, s->findings);
        uint8_t zero[4] = {0};
        if (st == STP_OK)
            st = s->d->ops->write_mem(s->d, r1 + 4, zero, 4, s->findings);
        *ret = 0;
        return st;
    }
    case SYS_ELAPSED: { /* r1 -> two words: the 64-bit tick count, low word first */
        uint64_t us = run_elapsed_ns(s) / 1000u;
        for (unsigned i = 0; i < 8; i++)
            b[i] = (uint8_t)(us >> (8 * i));
        *ret = 0;
        return s->d->ops->write_mem(s->d, r1, b, 8, s->findings);
    }
    default:
        return STP_ERR_UNSUPPORTED;
    }
}

stp_status stp_semihost_serve(run_session *s, uint32_t pc)
{
    stp_debug *d = s->d;
    uint32_t op = 0, r1 = 0;
    stp_status st = d->ops->read_reg(d, RUN_REG_R0, &op, s->findings);
    if (st == STP_OK)
        st = d->ops->read_reg(d, RUN_REG_R1, &r1, s->findings);
    if (st != STP_OK)
        return st;
    s->res->semihost_calls++;
    uint32_t ret = 0;
    bool ended = false;
    switch (op) {
    case SYS_OPEN:
        st = sys_open(s, r1, &ret);
        break;
    case SYS_WRITEC: {
        uint8_t c;
        st = d->ops->read_mem(d, r1, &c, 1, s->findings);
        if (st == STP_OK) {
            run_output(s, STP_RUN_STDOUT, &c, 1);
            s->res->semihost_bytes++;
        }
        ret = r1; /* r0 is corrupted: leave the parameter */
        break;
    }
    case SYS_WRITE0:
        st = write0(s, r1);
        ret = r1;
        break;
    case SYS_WRITE:
        st = sys_write(s, r1, &ret);
        break;
    case SYS_READ:
        st = sys_read(s, r1, &ret, &ended);
        break;
    case SYS_READC:
        st = sys_readc(s, &ret, &ended);
        break;
    case SYS_EXIT:
    case SYS_EXIT_EXTENDED:
        return sys_exit(s, r1, op == SYS_EXIT_EXTENDED);
    case SYS_HEAPINFO:
    case SYS_GET_CMDLINE:
    case SYS_ELAPSED:
        st = fill_op(s, op, r1, &ret);
        break;
    case SYS_TMPNAM:
    case SYS_REMOVE:
    case SYS_RENAME:
    case SYS_SYSTEM:
        ret = fail(s, E_ACCES);
        break;
    default:
        st = simple_op(s, op, r1, &ret);
        if (st == STP_ERR_UNSUPPORTED) {
            if (!s->warned_unknown) {
                s->warned_unknown = true;
                stp_log(s->env, STP_LOG_WARN,
                        "the firmware made semihosting call 0x%02X, which stprog does not "
                        "serve: it gets -1 (ENOSYS)",
                        (unsigned)op);
            }
            ret = fail(s, E_NOSYS);
            st = STP_OK;
        }
        break;
    }
    if (st != STP_OK || ended)
        return st;
    st = d->ops->write_reg(d, RUN_REG_R0, ret, s->findings);
    if (st == STP_OK)
        st = d->ops->write_reg(d, RUN_REG_PC, pc + 2, s->findings);
    if (st == STP_OK)
        st = d->ops->write_u32(d, RUN_DFSR, 0x1Fu, s->findings); /* clear the halt reasons */
    if (st == STP_OK)
        st = stp_target_run(s->t, s->findings);
    return st;
}
