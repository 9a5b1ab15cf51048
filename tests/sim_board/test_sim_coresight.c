/* The CoreSight discovery a debugger (pyOCD, OpenOCD's dap info) does on the virtual chip:
 * from the AHB-AP's BASE through ST's ROM table and the ARM tables below it to the debug
 * components, each with its component/peripheral ID registers (sim/coresight.c). */
#include <string.h>

#include "sim_test.h"

#define CIDR_ROM   0xB105100Du
#define CIDR_GENIP 0xB105E00Du
#define CIDR_CS    0xB105900Du

typedef struct found {
    uint32_t addr;
    uint32_t cidr;
    uint64_t pidr;
} found;

static uint32_t id4(sim_board *b, uint32_t base, uint32_t off)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < 4; i++)
        v |= (r32(b, base + off + 4 * i) & 0xFFu) << (8 * i);
    return v;
}

/* Walks the tables depth first as ADIv5 describes; returns the components found. */
static size_t walk(sim_board *b, uint32_t table, found *out, size_t n, size_t max, int depth)
{
    assert_true(depth < 4);
    assert_int_equal(id4(b, table, 0xFF0), CIDR_ROM);
    assert_int_equal(r32(b, table + 0xFCC) & 1u, 1u); /* MEMTYPE: system memory */
    for (uint32_t off = 0; off < 0xF00; off += 4) {
        uint32_t e = r32(b, table + off);
        if (e == 0)
            break;
        if (!(e & 1u))
            continue; /* not present */
        uint32_t addr = table + (e & 0xFFFFF000u);
        uint32_t cidr = id4(b, addr, 0xFF0);
        if (cidr == CIDR_ROM) {
            n = walk(b, addr, out, n, max, depth + 1);
            continue;
        }
        assert_true(n < max);
        out[n].addr = addr;
        out[n].cidr = cidr;
        out[n].pidr = (uint64_t)(r32(b, addr + 0xFD0) & 0xFFu) << 32 | id4(b, addr, 0xFE0);
        n++;
    }
    return n;
}

static const found *find(const found *f, size_t n, uint32_t addr)
{
    for (size_t i = 0; i < n; i++)
        if (f[i].addr == addr)
            return &f[i];
    return NULL;
}

static uint32_t ap_base(sim_board *b)
{
    return sim_board_ap_base(b);
}

/* ARM's designer code in the PIDR: JEP106 continuation 4, ID 0x3B. */
static void assert_arm(const found *c, uint32_t cidr, unsigned part)
{
    assert_non_null(c);
    assert_int_equal(c->cidr, cidr);
    assert_int_equal((unsigned)(c->pidr >> 32) & 0xFu, 4u);
    assert_int_equal((unsigned)(c->pidr >> 12) & 0x7Fu, 0x3Bu);
    assert_int_equal((unsigned)c->pidr & 0xFFFu, part);
}

static void check_st_table(sim_board *b, unsigned dev_id)
{
    uint32_t base = ap_base(b) & ~0xFFFu;
    uint64_t pidr = (uint64_t)(r32(b, base + 0xFD0) & 0xFFu) << 32 | id4(b, base, 0xFE0);
    assert_int_equal((unsigned)pidr & 0xFFFu, dev_id);       /* part = DEV_ID */
    assert_int_equal((unsigned)(pidr >> 12) & 0x7Fu, 0x20u); /* JEP106 ST */
    assert_int_equal((unsigned)(pidr >> 32) & 0xFu, 0u);     /* bank 0 */
    assert_int_equal((unsigned)(pidr >> 19) & 1u, 1u);       /* JEDEC code used */
}

static void test_m4_f407(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32f407vg");
    assert_int_equal(ap_base(b), 0xE00FF003u);
    check_st_table(b, 0x413);
    found f[16];
    size_t n = walk(b, 0xE00FF000u, f, 0, 16, 0);
    assert_int_equal(n, 6); /* SCS, DWT, FPB, ITM, TPIU, ETM */
    assert_arm(find(f, n, 0xE000E000u), CIDR_GENIP, 0x00C);
    assert_arm(find(f, n, 0xE0001000u), CIDR_GENIP, 0x002);
    assert_arm(find(f, n, 0xE0002000u), CIDR_GENIP, 0x003);
    assert_arm(find(f, n, 0xE0000000u), CIDR_GENIP, 0x001);
    assert_arm(find(f, n, 0xE0040000u), CIDR_CS, 0x9A1);
    assert_arm(find(f, n, 0xE0041000u), CIDR_CS, 0x925);
    assert_int_equal(r32(b, 0xE0040FCCu), 0x11u); /* TPIU DEVTYPE */
    /* The ROM table is read-only; byte reads see the word's lanes. */
    assert_int_equal(w32(b, 0xE00FF000u, 0), SIM_ACC_OK);
    assert_int_equal(r32(b, 0xE00FF000u), 0xFFF0F003u);
    uint8_t byte = 0;
    assert_int_equal(sim_mem_read(b, 0xE00FFFF4u, &byte, 1, 1, NULL), SIM_ACC_OK);
    assert_int_equal(byte, 0x10);
    sim_board_close(b);
}

static void test_m3_f103_l152(void **state)
{
    (void)state;
    const char *specs[] = {"sim:stm32f103c8", "sim:stm32l152re"};
    const unsigned ids[] = {0x410, 0x437};
    for (int i = 0; i < 2; i++) {
        sim_board *b = open_board(specs[i]);
        check_st_table(b, ids[i]);
        found f[16];
        size_t n = walk(b, ap_base(b) & ~0xFFFu, f, 0, 16, 0);
        assert_int_equal(n, 5); /* no ETM listed */
        assert_arm(find(f, n, 0xE000E000u), CIDR_GENIP, 0x000);
        assert_arm(find(f, n, 0xE0001000u), CIDR_GENIP, 0x002);
        assert_arm(find(f, n, 0xE0002000u), CIDR_GENIP, 0x003);
        assert_arm(find(f, n, 0xE0000000u), CIDR_GENIP, 0x001);
        assert_arm(find(f, n, 0xE0040000u), CIDR_CS, 0x923);
        assert_null(find(f, n, 0xE0041000u));
        sim_board_close(b);
    }
}

static void test_m0p_g0(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32g071rb");
    assert_int_equal(ap_base(b), 0xF0000003u);
    check_st_table(b, 0x460);
    found f[16];
    size_t n = walk(b, 0xF0000000u, f, 0, 16, 0);
    assert_int_equal(n, 3);
    assert_arm(find(f, n, 0xE000E000u), CIDR_GENIP, 0x008);
    assert_arm(find(f, n, 0xE0001000u), CIDR_GENIP, 0x00A);
    assert_arm(find(f, n, 0xE0002000u), CIDR_GENIP, 0x00B);
    /* The M0+ ROM table under ST's. */
    assert_int_equal(id4(b, 0xE00FF000u, 0xFE0) & 0xFFFu, 0x4C0u);
    sim_board_close(b);
}

static void test_m7_f746(void **state)
{
    (void)state;
    sim_board *b = open_board("sim:stm32f746zg");
    assert_int_equal(ap_base(b), 0xE00FD003u);
    check_st_table(b, 0x449);
    found f[16];
    size_t n = walk(b, 0xE00FD000u, f, 0, 16, 0);
    assert_int_equal(n, 6);
    assert_arm(find(f, n, 0xE000E000u), CIDR_GENIP, 0x00C);
    assert_arm(find(f, n, 0xE0002000u), CIDR_GENIP, 0x00E);
    assert_arm(find(f, n, 0xE0040000u), CIDR_CS, 0x9A9);
    assert_arm(find(f, n, 0xE0041000u), CIDR_CS, 0x975);
    sim_board_close(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_m4_f407),
        cmocka_unit_test(test_m3_f103_l152),
        cmocka_unit_test(test_m0p_g0),
        cmocka_unit_test(test_m7_f746),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
