/* Breakpoints and watchpoints: FPB comparators for code in flash (ARMv7-M ARM C1.11: FPB
 * revision 1 on M3/M4 and the v6-M BPU take addresses below 0x20000000 with REPLACE
 * selecting the half-word; revision 2 on M7 takes any address), BKPT #0 written into RAM
 * for software breakpoints, DWT comparators for watchpoints (C1.8), DFSR for why the core
 * halted. All through the target's memory access. */
#include <stdio.h>
#include <string.h>

#include "ops/gdb_internal.h"

#define FP_CTRL   0xE0002000u
#define FP_COMP0  0xE0002008u
#define DWT_CTRL  0xE0001000u
#define DWT_COMP0 0xE0001020u
#define DFSR      0xE000ED30u
#define MVFR0     0xE000EF40u

#define DFSR_BKPT    (1u << 1)
#define DFSR_DWTTRAP (1u << 2)
#define DWT_MATCHED  (1u << 24)

#define THUMB_BKPT0 0xBE00u

static stp_status rd(gdb_session *s, uint32_t addr, uint32_t *v, stp_findings *f)
{
    return s->dbg->ops->read_u32(s->dbg, addr, v, f);
}

static stp_status wr(gdb_session *s, uint32_t addr, uint32_t v, stp_findings *f)
{
    return s->dbg->ops->write_u32(s->dbg, addr, v, f);
}

stp_status gdb_hw_init(gdb_session *s, stp_findings *f)
{
    gdb_debug_hw *hw = &s->hw;
    const char *core = stp_target_get_info(s->t)->core;
    hw->v6m = core != NULL && (strcmp(core, "Cortex-M0") == 0 || strcmp(core, "Cortex-M0+") == 0);
    uint32_t v = 0;
    stp_status st = rd(s, FP_CTRL, &v, f);
    if (st != STP_OK)
        return st;
    hw->fpb_count = ((v >> 4) & 0xFu) | (((v >> 12) & 0x7u) << 4);
    if (hw->fpb_count > GDB_MAX_FPB)
        hw->fpb_count = GDB_MAX_FPB;
    hw->fpb_rev = (v >> 28) & 0xFu;
    st = wr(s, FP_CTRL, 0x3u, f); /* KEY | ENABLE */
    for (unsigned i = 0; st == STP_OK && i < hw->fpb_count; i++)
        st = wr(s, FP_COMP0 + 4 * i, 0, f);
    uint32_t demcr = 0;
    if (st == STP_OK)
        st = rd(s, 0xE000EDFCu, &demcr, f);
    if (st == STP_OK)
        st = wr(s, 0xE000EDFCu, demcr | (1u << 24), f); /* TRCENA: the DWT works */
    if (st == STP_OK)
        st = rd(s, DWT_CTRL, &v, f);
    if (st != STP_OK)
        return st;
    hw->dwt_count = v >> 28;
    if (hw->dwt_count > GDB_MAX_DWT)
        hw->dwt_count = GDB_MAX_DWT;
    for (unsigned i = 0; st == STP_OK && i < hw->dwt_count; i++)
        st = wr(s, DWT_COMP0 + 16 * i + 8, 0, f);
    hw->fpu = false;
    if (!hw->v6m && st == STP_OK && rd(s, MVFR0, &v, f) == STP_OK)
        hw->fpu = (v & 0xF0u) != 0; /* single-precision support */
    return st;
}

static uint32_t fpb_encode(const gdb_debug_hw *hw, uint32_t addr)
{
    if (hw->fpb_rev >= 1)
        return (addr & ~1u) | 1u;
    return (addr & 0x1FFFFFFCu) | ((addr & 2u) ? 0x80000000u : 0x40000000u) | 1u;
}

static bool fpb_insert(gdb_session *s, uint32_t addr)
{
    gdb_debug_hw *hw = &s->hw;
    if (hw->fpb_rev == 0 && addr >= 0x20000000u)
        return false;
    for (unsigned i = 0; i < hw->fpb_count; i++)
        if (hw->fpb_used[i] && hw->fpb_addr[i] == addr)
            return true;
    for (unsigned i = 0; i < hw->fpb_count; i++) {
        if (hw->fpb_used[i])
            continue;
        if (wr(s, FP_COMP0 + 4 * i, fpb_encode(hw, addr), NULL) != STP_OK)
            return false;
        hw->fpb_used[i] = true;
        hw->fpb_addr[i] = addr;
        return true;
    }
    return false;
}

static bool fpb_remove(gdb_session *s, uint32_t addr)
{
    gdb_debug_hw *hw = &s->hw;
    for (unsigned i = 0; i < hw->fpb_count; i++) {
        if (hw->fpb_used[i] && hw->fpb_addr[i] == addr) {
            hw->fpb_used[i] = false;
            return wr(s, FP_COMP0 + 4 * i, 0, NULL) == STP_OK;
        }
    }
    return false;
}

static bool soft_insert(gdb_session *s, uint32_t addr)
{
    gdb_debug_hw *hw = &s->hw;
    for (size_t i = 0; i < hw->soft_count; i++)
        if (hw->soft[i].addr == addr)
            return true;
    if (hw->soft_count >= GDB_MAX_SOFT || (addr & 1u))
        return false;
    gdb_soft_bp *bp = &hw->soft[hw->soft_count];
    uint8_t bkpt[2] = {THUMB_BKPT0 & 0xFF, THUMB_BKPT0 >> 8}, check[2];
    if (stp_target_read_mem(s->t, addr, bp->saved, 2, NULL) != STP_OK ||
        s->dbg->ops->write_mem(s->dbg, addr, bkpt, 2, NULL) != STP_OK ||
        stp_target_read_mem(s->t, addr, check, 2, NULL) != STP_OK || memcmp(check, bkpt, 2) != 0)
        return false; /* not writable memory: gdb reports it cannot insert */
    bp->addr = addr;
    hw->soft_count++;
    return true;
}

static bool soft_remove(gdb_session *s, uint32_t addr)
{
    gdb_debug_hw *hw = &s->hw;
    for (size_t i = 0; i < hw->soft_count; i++) {
        if (hw->soft[i].addr != addr)
            continue;
        bool ok = s->dbg->ops->write_mem(s->dbg, addr, hw->soft[i].saved, 2, NULL) == STP_OK;
        hw->soft[i] = hw->soft[--hw->soft_count];
        return ok;
    }
    return false;
}

/* n when v == 2^n, else 32 (v == 0 and every v that is not a power of two, up to
 * 0xFFFFFFFF: the loop ends after at most 31 steps and never shifts by 32). */
static unsigned log2_exact(uint32_t v)
{
    if (v == 0 || (v & (v - 1u)) != 0)
        return 32u;
    unsigned n = 0;
    while (n < 31 && (1u << n) != v)
        n++;
    return n;
}

static bool dwt_insert(gdb_session *s, unsigned type, uint32_t addr, uint32_t len)
{
    gdb_debug_hw *hw = &s->hw;
    unsigned mask = log2_exact(len);
    /* DWT matches an aligned power-of-two range; MASK is at most 15 on these parts. */
    if (mask > 15 || (addr & (len - 1u)) != 0)
        return false;
    uint32_t function = type == 2 ? 6u : type == 3 ? 5u : 7u;
    for (unsigned i = 0; i < hw->dwt_count; i++) {
        if (hw->dwt[i].used)
            continue;
        uint32_t base = DWT_COMP0 + 16 * i;
        if (wr(s, base, addr, NULL) != STP_OK || wr(s, base + 4, mask, NULL) != STP_OK ||
            wr(s, base + 8, function, NULL) != STP_OK)
            return false;
        hw->dwt[i] = (gdb_watch){true, addr, len, type};
        return true;
    }
    return false;
}

static bool dwt_remove(gdb_session *s, unsigned type, uint32_t addr, uint32_t len)
{
    gdb_debug_hw *hw = &s->hw;
    for (unsigned i = 0; i < hw->dwt_count; i++) {
        gdb_watch *w = &hw->dwt[i];
        if (w->used && w->addr == addr && w->len == len && w->type == type) {
            w->used = false;
            return wr(s, DWT_COMP0 + 16 * i + 8, 0, NULL) == STP_OK;
        }
    }
    return false;
}

bool gdb_break_insert(gdb_session *s, unsigned type, uint32_t addr, uint32_t kind)
{
    switch (type) {
    case 0: /* software: RAM gets BKPT; flash cannot, so the FPB takes it */
        if (gdb_addr_in_flash(s, addr, 2) || addr < 0x20000000u)
            return fpb_insert(s, addr) || (!gdb_addr_in_flash(s, addr, 2) && soft_insert(s, addr));
        return soft_insert(s, addr);
    case 1:
        return fpb_insert(s, addr);
    default:
        return dwt_insert(s, type, addr, kind);
    }
}

bool gdb_break_remove(gdb_session *s, unsigned type, uint32_t addr, uint32_t kind)
{
    switch (type) {
    case 0:
        return soft_remove(s, addr) || fpb_remove(s, addr);
    case 1:
        return fpb_remove(s, addr);
    default:
        return dwt_remove(s, type, addr, kind);
    }
}

void gdb_break_clear_all(gdb_session *s)
{
    gdb_debug_hw *hw = &s->hw;
    while (hw->soft_count > 0)
        (void)soft_remove(s, hw->soft[hw->soft_count - 1].addr);
    for (unsigned i = 0; i < hw->fpb_count; i++) {
        if (hw->fpb_used[i])
            (void)wr(s, FP_COMP0 + 4 * i, 0, NULL);
        hw->fpb_used[i] = false;
    }
    for (unsigned i = 0; i < hw->dwt_count; i++) {
        if (hw->dwt[i].used)
            (void)wr(s, DWT_COMP0 + 16 * i + 8, 0, NULL);
        hw->dwt[i].used = false;
    }
}

void gdb_halt_reason(gdb_session *s)
{
    s->last_watch[0] = '\0';
    uint32_t dfsr = 0;
    if (rd(s, DFSR, &dfsr, NULL) != STP_OK)
        return;
    (void)wr(s, DFSR, dfsr, NULL); /* write-one-to-clear */
    if (!(dfsr & DFSR_DWTTRAP))
        return;
    gdb_debug_hw *hw = &s->hw;
    int hit = -1, armed = -1, armed_count = 0;
    for (unsigned i = 0; i < hw->dwt_count; i++) {
        if (!hw->dwt[i].used)
            continue;
        armed = (int)i;
        armed_count++;
        uint32_t fn = 0;
        if (hit < 0 && rd(s, DWT_COMP0 + 16 * i + 8, &fn, NULL) == STP_OK && (fn & DWT_MATCHED))
            hit = (int)i;
    }
    if (hit < 0 && armed_count == 1)
        hit = armed;
    if (hit < 0)
        return;
    const gdb_watch *w = &hw->dwt[hit];
    const char *kind = w->type == 2 ? "watch" : w->type == 3 ? "rwatch" : "awatch";
    snprintf(s->last_watch, sizeof(s->last_watch), "%s:%x;", kind, (unsigned)w->addr);
}
