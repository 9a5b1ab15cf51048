/* The uart: probe: a chip's ROM bootloader on a serial port, behind the debug seam
 * (probe/debug.h) for memory reads and behind the memory-backend seam
 * (probe/mem_backend.h) for flash and option bytes.
 *
 *   uart:PATH[,baud=N][,parity=even|none][,boot0=[-]rts|[-]dtr][,reset=[-]dtr|[-]rts]
 *        [,part=PART]
 *
 * boot0=rts: stprog asserts RTS to select the bootloader while it resets the chip (a '-'
 * inverts: BOOT0 high = line released); reset=dtr: a DTR pulse resets the chip (NRST).
 * part= names the chip before it answers, for the pins in the advice when it does not. */
#include "probe/an3155_probe.h"
#include "probe/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "probe/an3155.h"
#include "probe/mem_backend.h"
#include "probe/uart_note.h"

#define RESET_PULSE_MS 20u
#define BOOT_START_MS  50u /* the ROM code is listening this long after NRST rises */

typedef struct line_cfg {
    int which; /* 0 = none, 1 = DTR, 2 = RTS */
    bool inverted;
} line_cfg;

typedef struct uart_probe {
    stp_debug base;
    stp_byte_link *link;
    stp_an3155 bl;
    line_cfg boot0, reset;
    char path[200];
    char hint[96];
    uint32_t baud;
    bool parity;           /* 8E1 kept by the port */
    stp_uart_go_note note; /* a Go an earlier run recorded on this port */
} uart_probe;

static uart_probe *up(stp_debug *d)
{
    return (uart_probe *)d;
}

static stp_status unsupported(stp_findings *findings, const char *what)
{
    stp_finding *f = stp_finding_add(findings, "probe.unsupported", STP_SEV_ERROR,
                                     "the ROM bootloader over a UART cannot %s", what);
    stp_finding_advice(f, "use an SWD probe (ST-Link) for core control and debugging");
    return STP_ERR_UNSUPPORTED;
}

/* ---- modem-control lines ------------------------------------------------------------ */

static stp_status drive(uart_probe *p, const line_cfg *l, bool active)
{
    if (l->which == 0)
        return STP_OK;
    int level = active != l->inverted;
    return p->link->ops->set_lines(p->link, l->which == 1 ? level : -1, l->which == 2 ? level : -1);
}

/* BOOT0 selected, NRST pulsed, BOOT0 kept until the ROM code has sampled it. *pulsed: the
 * chip was reset through a modem line. */
static stp_status enter_bootloader(uart_probe *p, bool *pulsed, stp_findings *findings)
{
    *pulsed = false;
    if (p->reset.which == 0 && p->boot0.which == 0)
        return STP_OK;
    stp_status st = drive(p, &p->boot0, true);
    if (st == STP_OK)
        st = drive(p, &p->reset, true);
    if (st == STP_OK) {
        p->link->ops->sleep_ms(p->link, RESET_PULSE_MS);
        st = drive(p, &p->reset, false);
    }
    if (st == STP_ERR_UNSUPPORTED) {
        stp_finding *f = stp_finding_add(findings, "link.no-modem-lines", STP_SEV_WARNING,
                                         "%s has no DTR/RTS lines (a pseudo-terminal?): BOOT0 "
                                         "and NRST are not driven",
                                         p->path);
        stp_finding_advice(f, "strap BOOT0 high and reset the board by hand");
        return STP_OK;
    }
    if (st == STP_OK)
        p->link->ops->sleep_ms(p->link, BOOT_START_MS);
    *pulsed = st == STP_OK && p->reset.which != 0;
    return st;
}

/* ---- stp_debug_ops ------------------------------------------------------------------ */

static stp_status u_read_mem(stp_debug *d, uint32_t addr, void *buf, size_t len,
                             stp_findings *findings)
{
    return stp_an3155_read(&up(d)->bl, addr, buf, len, findings);
}

/* Write Memory takes whole words at word addresses: the bytes around are read first. */
static stp_status u_write_mem(stp_debug *d, uint32_t addr, const void *buf, size_t len,
                              stp_findings *findings)
{
    uart_probe *p = up(d);
    uint32_t a0 = addr & ~3u;
    size_t span = ((addr - a0) + len + 3u) & ~(size_t)3u;
    if (a0 == addr && span == len)
        return stp_an3155_write(&p->bl, addr, buf, len, 0xFF, findings);
    uint8_t *tmp = stp_malloc(span);
    if (tmp == NULL)
        return STP_ERR_NOMEM;
    stp_status st = stp_an3155_read(&p->bl, a0, tmp, span, findings);
    if (st == STP_OK) {
        memcpy(tmp + (addr - a0), buf, len);
        st = stp_an3155_write(&p->bl, a0, tmp, span, 0xFF, findings);
    }
    stp_free(tmp);
    return st;
}

static stp_status u_read_u32(stp_debug *d, uint32_t addr, uint32_t *val, stp_findings *findings)
{
    uint8_t b[4];
    stp_status st = stp_an3155_read(&up(d)->bl, addr, b, 4, findings);
    if (st == STP_OK)
        *val = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return st;
}

static stp_status u_write_u32(stp_debug *d, uint32_t addr, uint32_t val, stp_findings *findings)
{
    uint8_t b[4] = {(uint8_t)val, (uint8_t)(val >> 8), (uint8_t)(val >> 16), (uint8_t)(val >> 24)};
    return u_write_mem(d, addr, b, 4, findings);
}

static stp_status u_write_u16(stp_debug *d, uint32_t addr, uint16_t val, stp_findings *findings)
{
    uint8_t b[2] = {(uint8_t)val, (uint8_t)(val >> 8)};
    return u_write_mem(d, addr, b, 2, findings);
}

static stp_status u_read_reg(stp_debug *d, unsigned regno, uint32_t *val, stp_findings *findings)
{
    (void)d;
    (void)regno;
    (void)val;
    return unsupported(findings, "read core registers");
}

static stp_status u_write_reg(stp_debug *d, unsigned regno, uint32_t val, stp_findings *findings)
{
    (void)d;
    (void)regno;
    (void)val;
    return unsupported(findings, "write core registers");
}

static stp_status u_set_nrst(stp_debug *d, bool asserted, stp_findings *findings)
{
    uart_probe *p = up(d);
    if (p->reset.which == 0)
        return unsupported(findings, "drive NRST without reset=dtr|rts in the probe spec");
    stp_status st = drive(p, &p->reset, asserted);
    return st == STP_ERR_UNSUPPORTED ? unsupported(findings, "drive NRST on this port") : st;
}

static stp_status u_target_voltage(stp_debug *d, double *volts, stp_findings *findings)
{
    (void)d;
    (void)findings;
    *volts = 0; /* a serial adapter does not measure the target's supply */
    return STP_ERR_UNSUPPORTED;
}

static stp_status u_set_swd_khz(stp_debug *d, unsigned khz, unsigned *actual,
                                stp_findings *findings)
{
    (void)d;
    (void)khz;
    (void)actual;
    stp_finding *f = stp_finding_add(findings, "probe.unsupported", STP_SEV_ERROR,
                                     "--freq sets an SWD clock; a uart: probe has none");
    stp_finding_advice(f, "set the line rate in the spec instead: uart:PATH,baud=57600");
    return STP_ERR_UNSUPPORTED;
}

static stp_status u_attach(stp_debug *d, uint32_t *dp_idcode, stp_findings *findings)
{
    *dp_idcode = 0; /* no debug port */
    return stp_an3155_sync(&up(d)->bl, findings);
}

static uint64_t u_now_ms(stp_debug *d)
{
    (void)d;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void u_delay_ms(stp_debug *d, unsigned ms)
{
    up(d)->link->ops->sleep_ms(up(d)->link, ms);
}

static void u_close(stp_debug *d)
{
    uart_probe *p = up(d);
    if (p->boot0.which != 0)
        drive(p, &p->boot0, false);
    p->link->ops->close(p->link);
    stp_free(p);
}

static stp_status u_write_mem16(stp_debug *d, uint32_t addr, const void *buf, size_t len,
                                stp_findings *findings)
{
    return u_write_mem(d, addr, buf, len, findings);
}

static size_t u_set_transfer_limit(stp_debug *d, size_t max_bytes)
{
    (void)d;
    (void)max_bytes;
    return STP_AN3155_MAX_BLOCK;
}

/* ---- the memory backend --------------------------------------------------------------- */

static stp_status b_device_id(stp_debug *d, uint16_t *dev_id, stp_findings *findings)
{
    (void)findings;
    *dev_id = up(d)->bl.pid;
    return STP_OK;
}

static void b_set_chip(stp_debug *d, const stp_chip *chip, uint32_t flash_kb)
{
    up(d)->bl.chip = chip;
    up(d)->bl.flash_kb = flash_kb;
}

static stp_status b_program(stp_debug *d, uint32_t addr, const uint8_t *data, uint32_t len,
                            stp_findings *findings)
{
    return stp_an3155_write(&up(d)->bl, addr, data, len, 0xFF, findings);
}

static stp_status b_erase(stp_debug *d, const stp_sector *sectors, size_t count,
                          stp_findings *findings)
{
    uint16_t *units = stp_calloc(count ? count : 1, sizeof(*units));
    uint32_t *sizes = stp_calloc(count ? count : 1, sizeof(*sizes));
    stp_status st = units && sizes ? STP_OK : STP_ERR_NOMEM;
    for (size_t i = 0; st == STP_OK && i < count; i++) {
        units[i] = sectors[i].index;
        sizes[i] = sectors[i].size;
    }
    if (st == STP_OK)
        st = stp_an3155_erase(&up(d)->bl, units, sizes, count, findings);
    stp_free(units);
    stp_free(sizes);
    return st;
}

static stp_status b_mass_erase(stp_debug *d, stp_findings *findings)
{
    return stp_an3155_mass_erase(&up(d)->bl, findings);
}

static stp_status b_rdp(stp_debug *d, stp_findings *findings)
{
    return stp_an3155_readout_protect(&up(d)->bl, findings);
}

static stp_status b_rdup(stp_debug *d, stp_findings *findings)
{
    return stp_an3155_readout_unprotect(&up(d)->bl, findings);
}

static stp_status b_wp(stp_debug *d, const uint8_t *units, size_t count, stp_findings *findings)
{
    return stp_an3155_write_protect(&up(d)->bl, units, count, findings);
}

static stp_status b_wup(stp_debug *d, stp_findings *findings)
{
    return stp_an3155_write_unprotect(&up(d)->bl, findings);
}

/* Go, and a note of it for the runs that will find the bootloader silent on this port. */
static stp_status b_go(stp_debug *d, uint32_t addr, stp_findings *findings)
{
    uart_probe *p = up(d);
    stp_status st = stp_an3155_go(&p->bl, addr, findings);
    if (st == STP_OK) {
        stp_uart_go_note note = {.addr = addr, .dev_id = p->bl.pid, .when = (int64_t)time(NULL)};
        stp_uart_note_go(d->env, p->path, &note);
    }
    return st;
}

static const char *command_name(uint8_t code)
{
    static const struct {
        uint8_t code;
        const char *name;
    } names[] = {
        {STP_AN3155_GET, "Get"},
        {STP_AN3155_GET_VERSION, "Get Version"},
        {STP_AN3155_GET_ID, "Get ID"},
        {STP_AN3155_READ, "Read Memory"},
        {STP_AN3155_GO, "Go"},
        {STP_AN3155_WRITE, "Write Memory"},
        {STP_AN3155_ERASE, "Erase"},
        {STP_AN3155_EXT_ERASE, "Extended Erase"},
        {STP_AN3155_WRITE_PROTECT, "Write Protect"},
        {STP_AN3155_WRITE_UNPROTECT, "Write Unprotect"},
        {STP_AN3155_READOUT_PROTECT, "Readout Protect"},
        {STP_AN3155_READOUT_UNPROTECT, "Readout Unprotect"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].code == code)
            return names[i].name;
    return NULL;
}

static void b_describe(stp_debug *d, char *buf, size_t cap)
{
    const uart_probe *p = up(d);
    size_t used = 0;
    int n = snprintf(
        buf, cap, "%u baud %s; bootloader %u.%u, PID 0x%03X; commands:", (unsigned)p->baud,
        p->parity ? "8E1" : "8N1 (the port keeps no parity)", (unsigned)(p->bl.version >> 4),
        (unsigned)(p->bl.version & 15u), (unsigned)p->bl.pid);
    used = n > 0 && (size_t)n < cap ? (size_t)n : cap - 1;
    for (size_t i = 0; i < p->bl.command_count && used + 1 < cap; i++) {
        const char *name = command_name(p->bl.commands[i]);
        n = name ? snprintf(buf + used, cap - used, "%s %s", i ? "," : "", name)
                 : snprintf(buf + used, cap - used, "%s 0x%02X", i ? "," : "",
                            (unsigned)p->bl.commands[i]);
        if (n < 0 || (size_t)n >= cap - used)
            break;
        used += (size_t)n;
    }
}

static const stp_mem_backend an3155_backend = {
    .name = "ROM bootloader (AN3155)",
    .program_unit = 4, /* Write Memory takes whole words */
    .device_id = b_device_id,
    .set_chip = b_set_chip,
    .program = b_program,
    .erase = b_erase,
    .mass_erase = b_mass_erase,
    .readout_protect = b_rdp,
    .readout_unprotect = b_rdup,
    .write_protect = b_wp,
    .write_unprotect = b_wup,
    .go = b_go,
    .describe = b_describe,
};

static const stp_debug_ops uart_ops = {
    .read_mem = u_read_mem,
    .write_mem = u_write_mem,
    .read_u32 = u_read_u32,
    .write_u32 = u_write_u32,
    .write_u16 = u_write_u16,
    .read_reg = u_read_reg,
    .write_reg = u_write_reg,
    .set_nrst = u_set_nrst,
    .target_voltage = u_target_voltage,
    .set_swd_khz = u_set_swd_khz,
    .attach = u_attach,
    .delay_ms = u_delay_ms,
    .now_ms = u_now_ms,
    .close = u_close,
    .write_mem16 = u_write_mem16,
    .set_transfer_limit = u_set_transfer_limit,
    .mem_backend = &an3155_backend,
};

/* ---- opening ----------------------------------------------------------------------------- */

static stp_status bad_key(const char *spec, const char *item, stp_findings *findings)
{
    stp_finding *f = stp_finding_add(findings, "probe.spec-invalid", STP_SEV_ERROR,
                                     "'%s' in '%s' is not understood", item, spec);
    stp_finding_evidence(f, "probe", "%s", spec);
    stp_finding_advice(f, "uart:PATH[,baud=N][,parity=even|none][,boot0=[-]rts|[-]dtr]"
                          "[,reset=[-]dtr|[-]rts][,part=PART]");
    return STP_ERR_INVALID_ARG;
}

static bool parse_line(const char *v, line_cfg *out)
{
    out->inverted = v[0] == '-' || v[0] == '!';
    if (out->inverted)
        v++;
    out->which = !strcmp(v, "dtr") ? 1 : !strcmp(v, "rts") ? 2 : 0;
    return out->which != 0;
}

/* Splits "uart:PATH,k=v,..." into p and the serial options. */
static stp_status parse_spec(const char *spec, uart_probe *p, stp_serial_options *so,
                             const stp_chip **part_chip, stp_findings *findings)
{
    const char *rest = spec + 5;
    const char *comma = strchr(rest, ',');
    size_t n = comma ? (size_t)(comma - rest) : strlen(rest);
    if (n == 0 || n >= sizeof(p->path))
        return bad_key(spec, "the port path", findings);
    memcpy(p->path, rest, n);
    p->path[n] = '\0';
    so->baud = 115200;
    so->parity_even = true;
    *part_chip = NULL;
    while (comma != NULL) {
        char item[64];
        const char *s = comma + 1;
        comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        if (len >= sizeof(item))
            return bad_key(spec, s, findings);
        memcpy(item, s, len);
        item[len] = '\0';
        char *eq = strchr(item, '=');
        if (eq == NULL)
            return bad_key(spec, item, findings);
        *eq = '\0';
        const char *v = eq + 1;
        char *end = NULL;
        if (!strcmp(item, "baud")) {
            unsigned long b = strtoul(v, &end, 10);
            if (end == v || *end != '\0' || b == 0 || b > 4000000ul)
                return bad_key(spec, v, findings);
            so->baud = (uint32_t)b;
        } else if (!strcmp(item, "parity")) {
            if (strcmp(v, "even") && strcmp(v, "none"))
                return bad_key(spec, v, findings);
            so->parity_even = !strcmp(v, "even");
        } else if (!strcmp(item, "boot0")) {
            if (!parse_line(v, &p->boot0))
                return bad_key(spec, v, findings);
        } else if (!strcmp(item, "reset")) {
            if (!parse_line(v, &p->reset))
                return bad_key(spec, v, findings);
        } else if (!strcmp(item, "part")) {
            const stp_part *part = stp_part_by_name(v);
            if (part == NULL)
                return bad_key(spec, v, findings);
            *part_chip = stp_part_chip(part);
        } else {
            *eq = '=';
            return bad_key(spec, item, findings);
        }
    }
    return STP_OK;
}

stp_status stp_an3155_probe_open(const char *spec, const stp_env *env, stp_debug **out,
                                 stp_findings *findings)
{
    *out = NULL;
    uart_probe *p = stp_calloc(1, sizeof(*p));
    if (p == NULL)
        return STP_ERR_NOMEM;
    stp_serial_options so;
    const stp_chip *named = NULL;
    bool parity_kept = true;
    stp_status st = parse_spec(spec, p, &so, &named, findings);
    if (st == STP_OK)
        st = stp_serial_open(p->path, &so, &p->link, &parity_kept, findings);
    if (st != STP_OK) {
        stp_free(p);
        return st;
    }
    p->base.ops = &uart_ops;
    p->base.env = env;
    stp_an3155_init(&p->bl, p->link, env);
    if (named != NULL && named->bootloader_usart != NULL) {
        snprintf(p->hint, sizeof(p->hint), "%s on the %s", named->bootloader_usart, named->name);
        p->bl.usart_hint = p->hint;
    }
    p->baud = so.baud;
    p->parity = so.parity_even && parity_kept;
    if (!parity_kept)
        stp_log(env, STP_LOG_INFO,
                "%s does not keep even parity (a pseudo-terminal?): continuing at 8N1", p->path);
    /* A Go recorded on this port explains a silent line, unless the chip was reset here. */
    bool pulsed = false;
    st = enter_bootloader(p, &pulsed, findings);
    if (st == STP_OK && !pulsed && stp_uart_note_read(env, p->path, &p->note))
        p->bl.left_by_go = &p->note;
    if (st == STP_OK)
        st = stp_an3155_sync(&p->bl, findings);
    if (st == STP_OK)
        stp_uart_note_clear(env, p->path); /* the bootloader answers again */
    if (st == STP_OK)
        st = stp_an3155_identify(&p->bl, findings);
    if (st != STP_OK) {
        u_close(&p->base);
        return st;
    }
    stp_probe_info *in = &p->base.info;
    snprintf(in->kind, sizeof(in->kind), "uart");
    snprintf(in->firmware, sizeof(in->firmware), "bootloader %u.%u", (unsigned)(p->bl.version >> 4),
             (unsigned)(p->bl.version & 15u));
    size_t pl = strlen(p->path);
    const char *tail = pl < sizeof(in->serial) ? p->path : p->path + pl - (sizeof(in->serial) - 1);
    memcpy(in->serial, tail, strlen(tail) + 1); /* the end of a long path names the port */
    *out = &p->base;
    return STP_OK;
}

const stp_probe_driver stp_uart_driver = {
    .kind =
        {
            .prefix = "uart",
            .name = "ROM bootloader (serial)",
            .forms = "uart:PORT[,key=value...]",
            .description = "the chip's ROM bootloader on a serial port (AN3155), e.g. "
                           "uart:/dev/ttyUSB0,baud=115200 (docs/bootloader.md)",
            .on_usb = false,
        },
    .open = stp_an3155_probe_open,
};
