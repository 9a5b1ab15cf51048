/* Board spec parser: "sim:PART[,key=value]...". See docs/virtual-board.md. */
#include "sim/spec.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chipdb/chipdb.h"

static const char help_text[] =
    "sim:PART[,key=value]...\n"
    "  part=PART            chip (first field; see the part list)\n"
    "  probe=KIND           v2, v2-1, v3 (ST-Link generation, default v2-1), cmsis-dap\n"
    "                       (CMSIS-DAP v2, bulk) or cmsis-dap-v1 (CMSIS-DAP v1, HID)\n"
    "  fw=VERSION           probe firmware, e.g. V2J45S7 (default: current for the probe)\n"
    "  serial=TEXT          probe serial number\n"
    "  vdd=VOLTS            target voltage the probe measures (default 3.3)\n"
    "  swd-max-khz=N        SWD errors above N kHz (noisy wiring)\n"
    "  swd-wait=N           about one SWD transfer in N stays WAIT past the probe's retries\n"
    "  rw-fault-addr=unit|start|next|zero  what GETLASTRWSTATUS2 names after a failure\n"
    "  status-0d=N          one memory write in N answers 0x0D (V2/V3 firmware; data written)\n"
    "  wait-fault=N         one access in N answers WAIT, then AP_FAULT, then OK (V3)\n"
    "  supply=ok|unstable|dead-core\n"
    "  rdp=0|1|2            readout protection level\n"
    "  wrp=MASK             write-protected sectors (bit n = sector/WRP unit n)\n"
    "  fsize=VALUE|unreadable  flash-size register contents\n"
    "  worn=S[:S...]        sectors that no longer erase fully\n"
    "  ecc-error=A[:A...]   flash words (H7, L4, G0, G4) whose ECC finds two bad bits, as a\n"
    "                       torn write leaves them (placed when the board is new)\n"
    "  ecc-single=A[:A...]  flash words with one bad bit (corrected on every read)\n"
    "  probe-bug=corrupt-over:N  probe corrupts bulk writes longer than N bytes\n"
    "  nrst=connected|unconnected\n"
    "  firmware=normal|swd-off|sleep  what the program in flash does after reset\n"
    "  reset-loop=MS        firmware starts the IWDG with an MS period, never reloads it\n"
    "  iwdg-window=MS       with reset-loop: reloads allowed only in the last MS (F7/L4/G0/G4)\n"
    "  boot0=0|1            boot from the ROM bootloader\n"
    "  state=FILE           persist flash and option bytes in FILE\n"
    "  seed=N               seed of every random choice (default 1)\n";

const char *sim_spec_help(void)
{
    return help_text;
}

static void fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static void list_parts(char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < stp_part_count() && used + 1 < len; i++) {
        int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", stp_part_at(i)->name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

static bool parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
        return false;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || !end || *end)
        return false;
    *out = v;
    return true;
}

static bool parse_u32_range(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
    uint64_t v;
    if (!parse_u64(s, &v) || v < lo || v > hi)
        return false;
    *out = (uint32_t)v;
    return true;
}

static bool printable_token(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n >= max)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!isgraph((unsigned char)s[i]))
            return false;
    }
    return true;
}

static int bad_value(char *err, size_t errlen, const char *key, const char *val,
                     const char *accepted)
{
    fail(err, errlen, "sim spec: bad value '%s' for %s (accepted: %s)", val, key, accepted);
    return -1;
}

static int set_part(sim_spec *out, const char *val, char *err, size_t errlen)
{
    const stp_part *p = stp_part_by_name(val);
    if (!p) {
        char parts[1024];
        list_parts(parts, sizeof parts);
        fail(err, errlen, "sim spec: unknown part '%s' (accepted parts: %s)", val, parts);
        return -1;
    }
    snprintf(out->part, sizeof out->part, "%s", p->name);
    return 0;
}

static int parse_worn(sim_spec *out, const char *val, char *err, size_t errlen)
{
    out->worn_count = 0;
    const char *p = val;
    while (*p) {
        char num[16];
        size_t n = strcspn(p, ":");
        if (n == 0 || n >= sizeof num)
            return bad_value(err, errlen, "worn", val, "SECTOR[:SECTOR...], e.g. worn=0:1");
        memcpy(num, p, n);
        num[n] = '\0';
        uint32_t s;
        if (!parse_u32_range(num, 0, 65535, &s) || out->worn_count >= SIM_MAX_WORN)
            return bad_value(err, errlen, "worn", val,
                             "up to 32 sector numbers separated by ':', e.g. worn=0:1");
        out->worn[out->worn_count++] = (uint16_t)s;
        p += n;
        if (*p == ':') {
            p++;
            if (!*p)
                return bad_value(err, errlen, "worn", val, "SECTOR[:SECTOR...]");
        }
    }
    if (out->worn_count == 0)
        return bad_value(err, errlen, "worn", val, "SECTOR[:SECTOR...]");
    return 0;
}

/* ecc-error= (dbl) and ecc-single=: flash addresses, checked against the part later. */
static int parse_ecc(sim_spec *out, const char *key, const char *val, bool dbl, char *err,
                     size_t errlen)
{
    const char *p = val;
    do {
        char num[24];
        size_t n = strcspn(p, ":");
        uint32_t a;
        if (n == 0 || n >= sizeof num)
            return bad_value(err, errlen, key, val, "ADDR[:ADDR...], e.g. 0x08020000");
        memcpy(num, p, n);
        num[n] = '\0';
        if (!parse_u32_range(num, 0, 0xFFFFFFFFu, &a) || out->ecc_count >= SIM_MAX_ECC)
            return bad_value(err, errlen, key, val,
                             "up to 16 flash addresses in all, separated by ':'");
        out->ecc_addr[out->ecc_count] = a;
        out->ecc_dbl[out->ecc_count++] = dbl;
        p += n;
        if (*p == ':' && !*++p)
            return bad_value(err, errlen, key, val, "ADDR[:ADDR...]");
    } while (*p);
    return 0;
}

static int set_key(sim_spec *out, const char *key, const char *val, char *err, size_t errlen)
{
    uint32_t u;
    uint64_t u64;
    if (!strcmp(key, "part"))
        return set_part(out, val, err, errlen);
    if (!strcmp(key, "probe")) {
        if (!strcmp(val, "v2"))
            out->probe = SIM_PROBE_V2;
        else if (!strcmp(val, "v2-1"))
            out->probe = SIM_PROBE_V2_1;
        else if (!strcmp(val, "v3"))
            out->probe = SIM_PROBE_V3;
        else if (!strcmp(val, "cmsis-dap") || !strcmp(val, "cmsis-dap-v2"))
            out->probe = SIM_PROBE_CMSIS_DAP;
        else if (!strcmp(val, "cmsis-dap-v1"))
            out->probe = SIM_PROBE_CMSIS_DAP_V1;
        else
            return bad_value(err, errlen, key, val, "v2, v2-1, v3, cmsis-dap, cmsis-dap-v1");
        return 0;
    }
    if (!strcmp(key, "fw")) {
        if (!printable_token(val, sizeof out->fw) || (val[0] != 'V' && val[0] != 'v'))
            return bad_value(err, errlen, key, val, "a version string such as V2J45S7");
        snprintf(out->fw, sizeof out->fw, "%s", val);
        return 0;
    }
    if (!strcmp(key, "serial")) {
        if (!printable_token(val, sizeof out->serial))
            return bad_value(err, errlen, key, val, "1 to 31 printable characters");
        snprintf(out->serial, sizeof out->serial, "%s", val);
        return 0;
    }
    if (!strcmp(key, "vdd")) {
        char *end = NULL;
        errno = 0;
        double v = strtod(val, &end);
        if (errno || !end || *end || end == val || !(v >= 0.0 && v <= 5.5))
            return bad_value(err, errlen, key, val, "volts from 0 to 5.5, e.g. vdd=3.3");
        out->vdd = v;
        return 0;
    }
    if (!strcmp(key, "swd-max-khz")) {
        if (!parse_u32_range(val, 1, 100000, &u))
            return bad_value(err, errlen, key, val, "kHz from 1 to 100000");
        out->swd_max_khz = u;
        return 0;
    }
    if (!strcmp(key, "swd-wait")) {
        if (!parse_u32_range(val, 2, 100000000, &u))
            return bad_value(err, errlen, key, val, "N from 2 to 100000000 (one transfer in N)");
        out->swd_wait_one_in = u;
        return 0;
    }
    if (!strcmp(key, "rw-fault-addr")) {
        static const char *names[] = {"unit", "start", "next", "zero"};
        for (unsigned i = 0; i < 4; i++) {
            if (!strcmp(val, names[i])) {
                out->rw_fault_addr = (sim_rw_fault_addr)i;
                return 0;
            }
        }
        return bad_value(err, errlen, key, val, "unit, start, next, zero");
    }
    if (!strcmp(key, "status-0d") || !strcmp(key, "wait-fault")) {
        if (!parse_u32_range(val, 2, 100000000, &u))
            return bad_value(err, errlen, key, val, "N from 2 to 100000000 (one in N)");
        *(key[0] == 's' ? &out->status_0d_one_in : &out->wait_fault_one_in) = u;
        return 0;
    }
    if (!strcmp(key, "supply")) {
        if (!strcmp(val, "ok"))
            out->supply = SIM_SUPPLY_OK;
        else if (!strcmp(val, "unstable"))
            out->supply = SIM_SUPPLY_UNSTABLE;
        else if (!strcmp(val, "dead-core"))
            out->supply = SIM_SUPPLY_DEAD_CORE;
        else
            return bad_value(err, errlen, key, val, "ok, unstable, dead-core");
        return 0;
    }
    if (!strcmp(key, "rdp")) {
        if (!parse_u32_range(val, 0, 2, &u))
            return bad_value(err, errlen, key, val, "0, 1, 2");
        out->rdp = (int)u;
        return 0;
    }
    if (!strcmp(key, "wrp")) {
        if (!parse_u64(val, &u64))
            return bad_value(err, errlen, key, val, "a bit mask, e.g. wrp=0x3");
        out->wrp_set = true;
        out->wrp_mask = u64;
        return 0;
    }
    if (!strcmp(key, "fsize")) {
        out->fsize_set = true;
        if (!strcmp(val, "unreadable")) {
            out->fsize_unreadable = true;
            return 0;
        }
        if (!parse_u32_range(val, 0, 0xFFFF, &u))
            return bad_value(err, errlen, key, val,
                             "the 16-bit register value (e.g. 27520 or 0x6B80), or unreadable");
        out->fsize_unreadable = false;
        out->fsize_raw = u;
        return 0;
    }
    if (!strcmp(key, "worn"))
        return parse_worn(out, val, err, errlen);
    if (!strcmp(key, "ecc-error") || !strcmp(key, "ecc-single"))
        return parse_ecc(out, key, val, key[4] == 'e', err, errlen);
    if (!strcmp(key, "probe-bug")) {
        if (strncmp(val, "corrupt-over:", 13) || !parse_u32_range(val + 13, 1, 1u << 20, &u))
            return bad_value(err, errlen, key, val, "corrupt-over:N with N bytes >= 1");
        out->probe_corrupt_over = u;
        return 0;
    }
    if (!strcmp(key, "nrst")) {
        if (!strcmp(val, "unconnected"))
            out->nrst_unconnected = true;
        else if (!strcmp(val, "connected"))
            out->nrst_unconnected = false;
        else
            return bad_value(err, errlen, key, val, "connected, unconnected");
        return 0;
    }
    if (!strcmp(key, "firmware")) {
        if (!strcmp(val, "swd-off"))
            out->firmware = SIM_FW_SWD_OFF;
        else if (!strcmp(val, "sleep"))
            out->firmware = SIM_FW_SLEEP;
        else if (!strcmp(val, "normal"))
            out->firmware = SIM_FW_NORMAL;
        else
            return bad_value(err, errlen, key, val, "normal, swd-off, sleep");
        return 0;
    }
    if (!strcmp(key, "reset-loop")) {
        if (!parse_u32_range(val, 1, 3600000, &u))
            return bad_value(err, errlen, key, val, "milliseconds from 1 to 3600000");
        out->reset_loop_ms = u;
        return 0;
    }
    if (!strcmp(key, "iwdg-window")) {
        if (!parse_u32_range(val, 1, 3600000, &u))
            return bad_value(err, errlen, key, val, "milliseconds from 1 to 3600000");
        out->iwdg_window_ms = u;
        return 0;
    }
    if (!strcmp(key, "boot0")) {
        if (strcmp(val, "0") && strcmp(val, "1"))
            return bad_value(err, errlen, key, val, "0, 1");
        out->boot0 = val[0] == '1';
        return 0;
    }
    if (!strcmp(key, "state")) {
        if (!*val || strlen(val) >= sizeof out->state_path)
            return bad_value(err, errlen, key, val, "a file path shorter than 256 bytes");
        snprintf(out->state_path, sizeof out->state_path, "%s", val);
        return 0;
    }
    if (!strcmp(key, "seed")) {
        if (!parse_u64(val, &u64))
            return bad_value(err, errlen, key, val, "an unsigned integer");
        out->seed = u64;
        return 0;
    }
    fail(err, errlen,
         "sim spec: unknown key '%s' (accepted keys: part, probe, fw, serial, vdd, swd-max-khz, "
         "swd-wait, rw-fault-addr, status-0d, wait-fault, supply, rdp, wrp, fsize, worn, "
         "ecc-error, ecc-single, probe-bug, nrst, firmware, reset-loop, "
         "iwdg-window, boot0, "
         "state, "
         "seed)",
         key);
    return -1;
}

static void spec_defaults(sim_spec *s)
{
    memset(s, 0, sizeof *s);
    s->probe = SIM_PROBE_V2_1;
    s->vdd = 3.3;
    s->rdp = -1;
    s->seed = 1;
}

/* Checks that depend on the chip (after every key is known). */
static int check_for_part(const sim_spec *s, char *err, size_t errlen)
{
    const stp_part *p = stp_part_by_name(s->part);
    const stp_chip *c = stp_part_chip(p);
    if (!c) {
        fail(err, errlen, "sim spec: part '%s' has no chip database row", s->part);
        return -1;
    }
    if (s->rdp == 2 && !c->fam->rdp_level2) {
        fail(err, errlen,
             "sim spec: rdp=2 is not available on %s (%s has no level 2; "
             "accepted: 0, 1)",
             s->part, c->family);
        return -1;
    }
    size_t sectors = stp_chip_sectors(c, p->flash_kb, p->dual_bank, NULL, 0);
    for (size_t i = 0; i < s->worn_count; i++) {
        if (s->worn[i] >= sectors) {
            fail(err, errlen, "sim spec: worn sector %u does not exist on %s (accepted: 0..%zu)",
                 s->worn[i], s->part, sectors - 1);
            return -1;
        }
    }
    uint64_t base = c->flash_base, end = base + (uint64_t)p->flash_kb * 1024u;
    for (size_t i = 0; i < s->ecc_count; i++) {
        if (!stp_chip_ecc_word(c)) {
            fail(err, errlen,
                 "sim spec: %s has no flash ECC (ecc-error=/ecc-single= need an "
                 "H7, L4, G0 or G4 part)",
                 s->part);
            return -1;
        }
        if (s->ecc_addr[i] < base || s->ecc_addr[i] >= end) {
            fail(err, errlen,
                 "sim spec: ECC word 0x%08X is not in %s's flash (accepted: 0x%08llX.."
                 "0x%08llX)",
                 (unsigned)s->ecc_addr[i], s->part, (unsigned long long)base,
                 (unsigned long long)end - 1);
            return -1;
        }
    }
    return 0;
}

/* A key seen before in this spec (the part given first counts as part=). */
#define SEEN_MAX 64
static bool repeated(const char **seen, size_t *n, const char *key)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(seen[i], key) == 0)
            return true;
    if (*n < SEEN_MAX)
        seen[(*n)++] = key;
    return false;
}

int sim_spec_parse(const char *text, sim_spec *out, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (!text || !out) {
        fail(err, errlen, "sim spec: empty");
        return -1;
    }
    sim_spec s;
    spec_defaults(&s);
    if (!strncmp(text, "sim:", 4))
        text += 4;
    size_t len = strlen(text);
    if (len == 0) {
        fail(err, errlen, "sim spec: missing part (e.g. sim:stm32f407vg)\n%s", help_text);
        return -1;
    }
    char *copy = malloc(len + 1);
    if (!copy) {
        fail(err, errlen, "sim spec: out of memory");
        return -1;
    }
    memcpy(copy, text, len + 1);
    int rc = 0;
    bool first = true;
    char *save = NULL;
    const char *seen[SEEN_MAX];
    size_t nseen = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok && rc == 0;
         tok = strtok_r(NULL, ",", &save), first = false) {
        char *eq = strchr(tok, '=');
        if (!eq && !first) {
            fail(err, errlen, "sim spec: '%s' is not key=value", tok);
            rc = -1;
            continue;
        }
        if (eq)
            *eq = '\0';
        const char *key = eq ? tok : "part";
        if (repeated(seen, &nseen, key)) {
            fail(err, errlen, "sim spec: %s= is given twice (each key may appear once)", key);
            rc = -1;
            continue;
        }
        rc = eq ? set_key(&s, tok, eq + 1, err, errlen) : set_part(&s, tok, err, errlen);
    }
    free(copy);
    if (rc == 0 && s.part[0] == '\0') {
        char parts[1024];
        list_parts(parts, sizeof parts);
        fail(err, errlen, "sim spec: missing part (accepted parts: %s)", parts);
        rc = -1;
    }
    if (rc == 0)
        rc = check_for_part(&s, err, errlen);
    if (rc == 0)
        *out = s;
    return rc;
}
