/* The host side of RTT (src/ops/rtt.c) against a fake target memory: finding and checking
 * the control block, reads and writes across the buffer's end, and a long interleaving of
 * a firmware writer (blocking and trimming) with the host reader in random steps: every
 * byte arrives once, in order. Also the ELF symbol lookup (src/formats/elf_sym.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ops/rtt.h"
#include "stprog/elf.h"

#define RAM_BASE 0x20000000u
#define RAM_SIZE 0x10000u

typedef struct fake {
    stp_debug base;
    uint8_t ram[RAM_SIZE];
    unsigned reads, writes;
} fake;

static bool fake_range(uint32_t addr, size_t len)
{
    return addr >= RAM_BASE && addr - RAM_BASE + len <= RAM_SIZE;
}

static stp_status fake_read(stp_debug *d, uint32_t addr, void *buf, size_t len, stp_findings *f)
{
    (void)f;
    fake *x = (fake *)d;
    if (!fake_range(addr, len))
        return STP_ERR_TARGET_FAULT;
    memcpy(buf, x->ram + (addr - RAM_BASE), len);
    x->reads++;
    return STP_OK;
}

static stp_status fake_write(stp_debug *d, uint32_t addr, const void *buf, size_t len,
                             stp_findings *f)
{
    (void)f;
    fake *x = (fake *)d;
    if (!fake_range(addr, len))
        return STP_ERR_TARGET_FAULT;
    memcpy(x->ram + (addr - RAM_BASE), buf, len);
    x->writes++;
    return STP_OK;
}

static stp_status fake_read_u32(stp_debug *d, uint32_t addr, uint32_t *v, stp_findings *f)
{
    uint8_t b[4] = {0};
    stp_status st = addr % 4 == 0 ? fake_read(d, addr, b, 4, f) : STP_ERR_INVALID_ARG;
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return st;
}

static stp_status fake_write_u32(stp_debug *d, uint32_t addr, uint32_t v, stp_findings *f)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    return addr % 4 == 0 ? fake_write(d, addr, b, 4, f) : STP_ERR_INVALID_ARG;
}

static const stp_debug_ops fake_ops = {.read_mem = fake_read,
                                       .write_mem = fake_write,
                                       .read_u32 = fake_read_u32,
                                       .write_u32 = fake_write_u32};

static void put32(fake *x, uint32_t addr, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++)
        x->ram[addr - RAM_BASE + i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const fake *x, uint32_t addr)
{
    const uint8_t *p = x->ram + (addr - RAM_BASE);
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#define CB      (RAM_BASE + 0x100u)
#define UP0     (CB + 24u)
#define DOWN0   (CB + 24u + 24u)
#define UPBUF   (RAM_BASE + 0x1000u)
#define DOWNBUF (RAM_BASE + 0x2000u)
#define NAME    (RAM_BASE + 0x80u)

/* A control block as rtt.c in the examples builds it: 1 up (size up_size), 1 down. */
static fake *make(uint32_t up_size, uint32_t down_size, uint32_t mode)
{
    fake *x = calloc(1, sizeof(*x));
    x->base.ops = &fake_ops;
    memcpy(x->ram + (NAME - RAM_BASE), "Terminal", 9);
    memcpy(x->ram + (CB - RAM_BASE), "SEGGER RTT", 11);
    put32(x, CB + 16, 1);
    put32(x, CB + 20, 1);
    put32(x, UP0 + 0, NAME);
    put32(x, UP0 + 4, UPBUF);
    put32(x, UP0 + 8, up_size);
    put32(x, UP0 + 20, mode);
    put32(x, DOWN0 + 0, NAME);
    put32(x, DOWN0 + 4, DOWNBUF);
    put32(x, DOWN0 + 8, down_size);
    return x;
}

static void attach(fake *x, stp_rtt *r)
{
    stp_rtt_init(r, &x->base, RAM_BASE, (uint64_t)RAM_BASE + RAM_SIZE);
    stp_findings f = {0};
    assert_int_equal(stp_rtt_attach(r, CB, &f), STP_OK);
    assert_true(r->found);
    assert_int_equal(f.count, 0);
    stp_findings_free(&f);
}

static void test_attach(void **state)
{
    (void)state;
    fake *x = make(512, 16, 2);
    stp_rtt r;
    attach(x, &r);
    assert_int_equal(r.cb, CB);
    assert_int_equal(r.up_count, 1);
    assert_int_equal(r.down_count, 1);
    assert_int_equal(r.up[0].buf, UPBUF);
    assert_int_equal(r.up[0].size, 512);
    assert_string_equal(r.up[0].name, "Terminal");
    assert_string_equal(stp_rtt_mode_name(r.up[0].flags), "block");
    /* no ID: not found, no error */
    memset(x->ram + (CB - RAM_BASE), 0, 16);
    stp_findings f = {0};
    assert_int_equal(stp_rtt_attach(&r, CB, &f), STP_OK);
    assert_false(r.found);
    assert_int_equal(f.count, 0);
    free(x);
}

static void test_bad_block(void **state)
{
    (void)state;
    static const struct {
        uint32_t addr, value;
    } breaks[] = {
        {UP0 + 4, 0x08000000u}, /* buffer in flash */
        {UP0 + 12, 512},        /* WrOff at the end */
        {UP0 + 16, 900},        /* RdOff past the end */
        {CB + 16, 1000},        /* implausible number of buffers */
        {CB + 16, 0},           /* no up-buffer at all */
    };
    for (size_t i = 0; i < sizeof(breaks) / sizeof(breaks[0]); i++) {
        fake *x = make(512, 16, 0);
        put32(x, breaks[i].addr, breaks[i].value);
        stp_rtt r;
        stp_rtt_init(&r, &x->base, RAM_BASE, (uint64_t)RAM_BASE + RAM_SIZE);
        stp_findings f = {0};
        assert_int_equal(stp_rtt_attach(&r, CB, &f), STP_ERR_PROTOCOL);
        assert_false(r.found);
        assert_int_equal(f.count, 1);
        assert_string_equal(f.items[0].id, "rtt.bad-control-block");
        stp_findings_free(&f);
        free(x);
    }
}

static void test_read_wraps(void **state)
{
    (void)state;
    fake *x = make(16, 16, 0);
    /* 10 bytes from offset 12: 4 at the end, 6 at the start */
    memcpy(x->ram + (UPBUF - RAM_BASE) + 12, "ABCD", 4);
    memcpy(x->ram + (UPBUF - RAM_BASE), "EFGHIJ", 6);
    put32(x, UP0 + 16, 12);
    put32(x, UP0 + 12, 6);
    stp_rtt r;
    attach(x, &r);
    uint8_t buf[32];
    size_t got = 0;
    stp_findings f = {0};
    x->reads = x->writes = 0;
    assert_int_equal(stp_rtt_read(&r, 0, buf, sizeof(buf), &got, &f), STP_OK);
    assert_int_equal(got, 10);
    assert_memory_equal(buf, "ABCDEFGHIJ", 10);
    assert_int_equal(get32(x, UP0 + 16), 6);
    assert_int_equal(x->reads, 3);  /* WrOff, the end part, the start part */
    assert_int_equal(x->writes, 1); /* RdOff */
    /* empty now: one read, no write */
    x->reads = x->writes = 0;
    assert_int_equal(stp_rtt_read(&r, 0, buf, sizeof(buf), &got, &f), STP_OK);
    assert_int_equal(got, 0);
    assert_int_equal(x->reads, 1);
    assert_int_equal(x->writes, 0);
    /* a small cap takes part; the rest comes next; unaligned spans come out exact */
    memcpy(x->ram + (UPBUF - RAM_BASE) + 6, "KLMNOP", 6);
    put32(x, UP0 + 12, 12);
    assert_int_equal(stp_rtt_read(&r, 0, buf, 3, &got, &f), STP_OK);
    assert_int_equal(got, 3);
    assert_memory_equal(buf, "KLM", 3);
    assert_int_equal(stp_rtt_read(&r, 0, buf, sizeof(buf), &got, &f), STP_OK);
    assert_int_equal(got, 3);
    assert_memory_equal(buf, "NOP", 3);
    /* wrapped and nearly full: the whole buffer in one read */
    memcpy(x->ram + (UPBUF - RAM_BASE) + 12, "0123", 4);
    memcpy(x->ram + (UPBUF - RAM_BASE), "456789abcde", 11);
    put32(x, UP0 + 12, 11);
    x->reads = x->writes = 0;
    assert_int_equal(stp_rtt_read(&r, 0, buf, sizeof(buf), &got, &f), STP_OK);
    assert_int_equal(got, 15);
    assert_memory_equal(buf, "0123456789abcde", 15);
    assert_int_equal(x->reads, 2); /* WrOff, the buffer */
    assert_int_equal(get32(x, UP0 + 16), 11);
    /* a channel that does not exist reads nothing */
    assert_int_equal(stp_rtt_read(&r, 3, buf, sizeof(buf), &got, &f), STP_OK);
    assert_int_equal(got, 0);
    /* a WrOff the firmware corrupted is reported, not followed */
    put32(x, UP0 + 12, 99);
    assert_int_equal(stp_rtt_read(&r, 0, buf, sizeof(buf), &got, &f), STP_ERR_PROTOCOL);
    assert_int_equal(got, 0);
    assert_string_equal(f.items[0].id, "rtt.bad-control-block");
    stp_findings_free(&f);
    free(x);
}

static void test_write_wraps(void **state)
{
    (void)state;
    fake *x = make(16, 8, 0);
    put32(x, DOWN0 + 12, 5); /* WrOff */
    put32(x, DOWN0 + 16, 3); /* RdOff: room for 8 - 5 + 3 - 1 = 5 */
    stp_rtt r;
    attach(x, &r);
    size_t put = 0;
    stp_findings f = {0};
    assert_int_equal(stp_rtt_write(&r, 0, (const uint8_t *)"abcdefgh", 8, &put, &f), STP_OK);
    assert_int_equal(put, 5);
    assert_memory_equal(x->ram + (DOWNBUF - RAM_BASE) + 5, "abc", 3);
    assert_memory_equal(x->ram + (DOWNBUF - RAM_BASE), "de", 2);
    assert_int_equal(get32(x, DOWN0 + 12), 2);
    /* full: nothing more */
    assert_int_equal(stp_rtt_write(&r, 0, (const uint8_t *)"fgh", 3, &put, &f), STP_OK);
    assert_int_equal(put, 0);
    assert_int_equal(get32(x, DOWN0 + 12), 2);
    stp_findings_free(&f);
    free(x);
}

/* The firmware's side, as examples/run/rtt.c: mode 2 blocks (writes what fits and waits),
 * mode 1 trims (drops what does not fit), mode 0 skips whole writes that do not fit. */
static size_t firmware_write(fake *x, const uint8_t *p, size_t len, uint32_t size, uint32_t mode)
{
    uint32_t wr = get32(x, UP0 + 12), rd = get32(x, UP0 + 16);
    size_t room = rd > wr ? rd - wr - 1 : size - wr + rd - 1;
    if (mode == 0 && room < len)
        return 0;
    size_t n = len < room ? len : room;
    for (size_t i = 0; i < n; i++) {
        x->ram[UPBUF - RAM_BASE + wr] = p[i];
        wr = (wr + 1) % size;
    }
    put32(x, UP0 + 12, wr);
    return n;
}

static void interleave(uint32_t size, uint32_t mode, unsigned seed)
{
    fake *x = make(size, 16, mode);
    stp_rtt r;
    attach(x, &r);
    srand(seed);
    enum { TOTAL = 200000 };
    uint8_t *sent = malloc(TOTAL), *got = malloc(TOTAL);
    size_t nsent = 0, ngot = 0, pos = 0;
    uint32_t v = seed;
    stp_findings f = {0};
    while (pos < TOTAL || ngot < nsent) {
        if (pos < TOTAL && rand() % 3 != 0) { /* the firmware writes a chunk */
            uint8_t chunk[300];
            size_t len = 1 + (size_t)rand() % sizeof(chunk);
            if (len > TOTAL - pos)
                len = TOTAL - pos;
            for (size_t i = 0; i < len; i++) {
                v = v * 1103515245u + 12345u;
                chunk[i] = (uint8_t)(v >> 16);
            }
            size_t n = firmware_write(x, chunk, len, size, mode);
            memcpy(sent + nsent, chunk, n);
            nsent += n;
            pos += mode == 2 ? n : len; /* a blocking writer tries the rest again */
        } else {                        /* the host polls with a random cap */
            size_t cap = 1 + (size_t)rand() % 700, n = 0;
            if (cap > TOTAL - ngot)
                cap = TOTAL - ngot;
            assert_int_equal(stp_rtt_read(&r, 0, got + ngot, cap, &n, &f), STP_OK);
            ngot += n;
        }
    }
    assert_int_equal(ngot, nsent);
    assert_memory_equal(got, sent, nsent);
    if (mode == 2)
        assert_int_equal(nsent, TOTAL);
    stp_findings_free(&f);
    free(sent);
    free(got);
    free(x);
}

static void test_interleaved_block(void **state)
{
    (void)state;
    for (unsigned seed = 1; seed <= 4; seed++)
        interleave(seed == 4 ? 17 : 1024, 2, seed);
}

static void test_interleaved_trim_skip(void **state)
{
    (void)state;
    interleave(256, 1, 7);
    interleave(256, 0, 8);
}

static void test_scan(void **state)
{
    (void)state;
    /* the ID at every offset around the 4 KiB chunk boundary, aligned or not */
    for (uint32_t at = 4080; at < 4100; at++) {
        fake *x = calloc(1, sizeof(*x));
        x->base.ops = &fake_ops;
        memcpy(x->ram + at, "SEGGER RTT", 11);
        memcpy(x->ram + 100, "SEGGER RTX", 11); /* a near miss before it */
        stp_rtt r;
        stp_rtt_init(&r, &x->base, RAM_BASE, (uint64_t)RAM_BASE + RAM_SIZE);
        stp_findings f = {0};
        uint32_t addr = 0;
        bool hit = false;
        assert_int_equal(stp_rtt_scan(&r, RAM_BASE, RAM_SIZE, &addr, &hit, &f), STP_OK);
        assert_true(hit);
        assert_int_equal(addr, RAM_BASE + at);
        assert_int_equal(stp_rtt_wipe_id(&x->base, addr, &f), STP_OK);
        assert_int_equal(stp_rtt_scan(&r, RAM_BASE, RAM_SIZE, &addr, &hit, &f), STP_OK);
        assert_false(hit);
        stp_findings_free(&f);
        free(x);
    }
}

/* A minimal ELF32: header, a symbol table with two symbols, its string table. */
static size_t tiny_elf(uint8_t *e, size_t cap)
{
    memset(e, 0, cap);
    memcpy(e,
           "\x7F"
           "ELF",
           4);
    e[4] = 1; /* 32-bit */
    e[5] = 1; /* little-endian */
    e[16] = 2;
    e[18] = 40;
    const char strtab[] = "\0main\0_SEGGER_RTT\0undefined_one";
    uint32_t stroff = 64, symoff = 128, shoff = 256;
    memcpy(e + stroff, strtab, sizeof(strtab));
    /* symbols: null, main = 0x08000101 (section 1), _SEGGER_RTT = 0x20000400, undefined */
    uint8_t *s = e + symoff + 16;
    s[0] = 1;
    s[4] = 0x01, s[5] = 0x01, s[6] = 0x00, s[7] = 0x08;
    s[14] = 1;
    s += 16;
    s[0] = 6;
    s[4] = 0x00, s[5] = 0x04, s[6] = 0x00, s[7] = 0x20;
    s[14] = 2;
    s += 16;
    s[0] = 18; /* SHN_UNDEF: skipped */
    /* sections: null, symtab (link 2), strtab */
    e[32] = (uint8_t)shoff;
    e[33] = (uint8_t)(shoff >> 8);
    e[46] = 40;
    e[48] = 3;
    uint8_t *sh = e + shoff + 40;
    sh[4] = 2; /* SHT_SYMTAB */
    sh[16] = (uint8_t)symoff;
    sh[20] = 64; /* 4 symbols */
    sh[24] = 2;
    sh[36] = 16;
    sh += 40;
    sh[4] = 3;
    sh[16] = (uint8_t)stroff;
    sh[20] = sizeof(strtab);
    return shoff + 3 * 40;
}

static void test_elf_symbol(void **state)
{
    (void)state;
    uint8_t e[512];
    size_t len = tiny_elf(e, sizeof(e));
    uint32_t v = 0;
    assert_true(stp_elf_symbol(e, len, "_SEGGER_RTT", &v));
    assert_int_equal(v, 0x20000400u);
    assert_true(stp_elf_symbol(e, len, "main", &v));
    assert_int_equal(v, 0x08000101u);
    assert_false(stp_elf_symbol(e, len, "_SEGGER", &v));       /* a prefix is not the name */
    assert_false(stp_elf_symbol(e, len, "undefined_one", &v)); /* not defined here */
    assert_false(stp_elf_symbol(e, len, "nothing", &v));
    /* every truncation fails cleanly */
    for (size_t cut = 0; cut < len; cut++)
        (void)stp_elf_symbol(e, cut, "_SEGGER_RTT", &v);
    assert_false(stp_elf_symbol(e, 200, "_SEGGER_RTT", &v)); /* section table cut off */
    e[4] = 2;                                                /* 64-bit: not served */
    assert_false(stp_elf_symbol(e, len, "_SEGGER_RTT", &v));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attach),
        cmocka_unit_test(test_bad_block),
        cmocka_unit_test(test_read_wraps),
        cmocka_unit_test(test_write_wraps),
        cmocka_unit_test(test_interleaved_block),
        cmocka_unit_test(test_interleaved_trim_skip),
        cmocka_unit_test(test_scan),
        cmocka_unit_test(test_elf_symbol),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
