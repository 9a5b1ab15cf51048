/* gdb's view of the Cortex-M registers: numbering, access through DCRSR register selects
 * (ARMv7-M ARM C1.6.3) and the target description XML (features org.gnu.gdb.arm.m-profile,
 * org.gnu.gdb.arm.m-system, org.gnu.gdb.arm.vfp when the core has an FPU). */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "ops/gdb_internal.h"

#define REGSEL_SPECIAL 20u /* CONTROL[31:24] FAULTMASK[23:16] BASEPRI[15:8] PRIMASK[7:0] */
#define REGSEL_FPSCR   0x21u
#define REGSEL_S0      0x40u

#define CORE_COUNT 23u /* r0-r12 sp lr pc xpsr msp psp primask basepri faultmask control */
#define FPU_COUNT  17u /* d0-d15 fpscr */

static const char *const core_names[CORE_COUNT] = {
    "r0",   "r1",  "r2",  "r3",      "r4",      "r5",        "r6",     "r7",
    "r8",   "r9",  "r10", "r11",     "r12",     "sp",        "lr",     "pc",
    "xpsr", "msp", "psp", "primask", "basepri", "faultmask", "control"};

unsigned gdb_reg_count(const gdb_session *s)
{
    return CORE_COUNT + (s->hw.fpu ? FPU_COUNT : 0);
}

unsigned gdb_reg_size(const gdb_session *s, unsigned n)
{
    if (n >= gdb_reg_count(s))
        return 0;
    return (n >= CORE_COUNT && n < CORE_COUNT + 16) ? 8 : 4;
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

stp_status gdb_reg_read(gdb_session *s, unsigned n, uint8_t *out, stp_findings *f)
{
    uint32_t v = 0, hi = 0;
    stp_status st;
    if (n >= gdb_reg_count(s))
        return STP_ERR_INVALID_ARG;
    if (n <= 18) {
        st = stp_target_read_reg(s->t, n, &v, f);
    } else if (n < CORE_COUNT) {
        st = stp_target_read_reg(s->t, REGSEL_SPECIAL, &v, f);
        v = (v >> (8 * (n - 19))) & 0xFFu;
    } else if (n < CORE_COUNT + 16) {
        unsigned d = n - CORE_COUNT;
        st = stp_target_read_reg(s->t, REGSEL_S0 + 2 * d, &v, f);
        if (st == STP_OK)
            st = stp_target_read_reg(s->t, REGSEL_S0 + 2 * d + 1, &hi, f);
        put_le32(out + 4, hi);
    } else {
        st = stp_target_read_reg(s->t, REGSEL_FPSCR, &v, f);
    }
    put_le32(out, v);
    return st;
}

stp_status gdb_reg_write(gdb_session *s, unsigned n, const uint8_t *in, stp_findings *f)
{
    uint32_t v = get_le32(in);
    if (n >= gdb_reg_count(s))
        return STP_ERR_INVALID_ARG;
    if (n <= 18)
        return stp_target_write_reg(s->t, n, v, f);
    if (n < CORE_COUNT) {
        uint32_t all = 0;
        unsigned shift = 8 * (n - 19);
        stp_status st = stp_target_read_reg(s->t, REGSEL_SPECIAL, &all, f);
        if (st != STP_OK)
            return st;
        all = (all & ~(0xFFu << shift)) | ((v & 0xFFu) << shift);
        return stp_target_write_reg(s->t, REGSEL_SPECIAL, all, f);
    }
    if (n < CORE_COUNT + 16) {
        unsigned d = n - CORE_COUNT;
        stp_status st = stp_target_write_reg(s->t, REGSEL_S0 + 2 * d, v, f);
        if (st == STP_OK)
            st = stp_target_write_reg(s->t, REGSEL_S0 + 2 * d + 1, get_le32(in + 4), f);
        return st;
    }
    return stp_target_write_reg(s->t, REGSEL_FPSCR, v, f);
}

static void reg_xml(stp_gdb_out *o, const char *name, unsigned bits, unsigned regnum,
                    const char *type, const char *group)
{
    stp_gdb_out_fmt(o, "<reg name=\"%s\" bitsize=\"%u\" regnum=\"%u\" type=\"%s\" group=\"%s\"/>\n",
                    name, bits, regnum, type, group);
}

stp_status gdb_build_tdesc(gdb_session *s)
{
    size_t cap = 8192;
    char *buf = stp_malloc(cap);
    if (buf == NULL)
        return STP_ERR_NOMEM;
    stp_gdb_out o;
    stp_gdb_out_init(&o, buf, cap);
    stp_gdb_out_str(&o, "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
                        "<target version=\"1.0\">\n<architecture>arm</architecture>\n"
                        "<feature name=\"org.gnu.gdb.arm.m-profile\">\n");
    for (unsigned i = 0; i <= 16; i++) {
        const char *type = i == 13 ? "data_ptr" : i == 15 ? "code_ptr" : "uint32";
        reg_xml(&o, core_names[i], 32, i, type, "general");
    }
    stp_gdb_out_str(&o, "</feature>\n<feature name=\"org.gnu.gdb.arm.m-system\">\n");
    reg_xml(&o, "msp", 32, 17, "data_ptr", "system");
    reg_xml(&o, "psp", 32, 18, "data_ptr", "system");
    stp_gdb_out_str(&o, "</feature>\n<feature name=\"org.stprog.arm.m-special\">\n");
    for (unsigned i = 19; i < CORE_COUNT; i++)
        reg_xml(&o, core_names[i], 32, i, "uint32", "system");
    stp_gdb_out_str(&o, "</feature>\n");
    if (s->hw.fpu) {
        stp_gdb_out_str(&o, "<feature name=\"org.gnu.gdb.arm.vfp\">\n");
        for (unsigned d = 0; d < 16; d++) {
            char name[8];
            snprintf(name, sizeof(name), "d%u", d);
            reg_xml(&o, name, 64, CORE_COUNT + d, "ieee_double", "float");
        }
        reg_xml(&o, "fpscr", 32, CORE_COUNT + 16, "int", "float");
        stp_gdb_out_str(&o, "</feature>\n");
    }
    stp_gdb_out_str(&o, "</target>\n");
    if (o.overflow) {
        stp_free(buf);
        return STP_ERR_INTERNAL;
    }
    s->tdesc = buf;
    s->tdesc_len = o.len;
    return STP_OK;
}
