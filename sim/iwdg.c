/* The independent watchdog (IWDG) at the family row's iwdg_base (0x40003000; H7 IWDG1
 * 0x58004800): KR (0xAAAA
 * reloads, 0x5555 unlocks PR/RLR/WINR, 0xCCCC starts), PR (divider 4 << PR of the LSI), RLR
 * (reload value, 12 bits), SR (updates take effect at once here: always 0) and, on the
 * families that have it (F7, L4/G4, G0), WINR: a reload while the counter is above the
 * window resets the chip. RM0008 19.3-19.4, RM0090 21.3-21.4 and the IWDG chapters of RM0410,
 * RM0038, RM0351, RM0444 (window: RM0410, RM0351, RM0444, RM0440).
 *
 * Started by software (0xCCCC) or, with the hardware-watchdog option (WDG_SW/IWDG_SW = 0 in
 * the option bytes), by every reset with its reset configuration (/4, RLR 0xFFF). A system
 * reset stops it otherwise. Its clock is the LSI at the datasheet's typical frequency; it
 * counts on the board's virtual clock, not while NRST is held, and not while the core is
 * halted with DBG_IWDG_STOP set (DBGMCU_CR bit 8 on F1, DBGMCU_APB1_FZ / APB_FZ1 bit 12
 * elsewhere). At 0 it resets the chip (RCC_CSR IWDGRSTF + PINRSTF).
 *
 * reset-loop=MS is firmware that starts it with a period of MS (at most the IWDG's longest:
 * 26.2 s on F1, 27.6 s on L1, 32.8 s elsewhere) and never reloads it: the firmware does so
 * as soon as it runs after a reset (not while the core stays halted, not while the
 * debugger's code runs in SRAM). iwdg-window=MS adds a window: that firmware sets WINR so
 * that reloads are allowed only in the last MS of the period. */
#include "sim_internal.h"

#define KEY_RELOAD 0xAAAAu
#define KEY_ACCESS 0x5555u
#define KEY_START  0xCCCCu
#define RLR_MAX    0xFFFu

/* LSI typical from the datasheets (the family row's lsi_hz): 40 kHz on F1 (DS5319: 30-60
 * kHz), 38 kHz on L1 (DS6876: 26-56 kHz), 32 kHz on F2/F4/F7 (DS8626: 17-47 kHz), L4, G0
 * and G4. */
static uint64_t lsi_hz(const sim_board *b)
{
    return b->chip->fam->lsi_hz;
}

static bool has_window(const sim_board *b)
{
    return b->chip->fam->iwdg_window;
}

/* DBG_IWDG_STOP: DBGMCU_CR bit 8 (F1), the APB1 freeze register's bit 12, H7 DBGMCU_APB4FZ1
 * bit 18, where the family row says (wdg_freeze_off from the ID code, wdg_freeze_bit). */
static bool frozen(const sim_board *b)
{
    if (!b->cpu || !sim_cpu_halted(b->cpu))
        return false;
    const stp_family *fam = b->chip->fam;
    uint32_t reg = fam->wdg_freeze_off == 4 ? b->dbgmcu_cr : b->dbgmcu_apb1fz;
    return (reg >> fam->wdg_freeze_bit) & 1u;
}

static uint64_t tick_scaled(const sim_board *b)
{
    unsigned pr = b->iwdg.pr < 6 ? b->iwdg.pr : 6; /* PR 6 and 7 both divide by 256 */
    return (4ull << pr) * SIM_NS_PER_S;            /* one counter tick in ns, times lsi_hz */
}

static uint64_t period_ns(const sim_board *b)
{
    return ((uint64_t)b->iwdg.rlr + 1) * tick_scaled(b) / lsi_hz(b);
}

/* The counter now: RLR right after a reload, 0 in its last tick. */
static uint32_t counter(const sim_board *b)
{
    uint64_t ticks = (b->iwdg.left_ns * lsi_hz(b) + tick_scaled(b) - 1) / tick_scaled(b);
    return ticks ? (uint32_t)(ticks - 1) : 0;
}

static void reload(sim_board *b)
{
    b->iwdg.left_ns = period_ns(b);
    b->stats.iwdg_period_ns = b->iwdg.left_ns;
}

bool sim_iwdg_counting(const sim_board *b)
{
    return b->iwdg.running && !b->nrst_held && b->spec.supply != SIM_SUPPLY_DEAD_CORE && !frozen(b);
}

void sim_iwdg_elapse(sim_board *b, uint64_t t, bool counting)
{
    if (t <= b->iwdg.ref_ns)
        return;
    if (counting && b->iwdg.running) {
        uint64_t d = t - b->iwdg.ref_ns;
        d = d < b->iwdg.left_ns ? d : b->iwdg.left_ns;
        b->iwdg.left_ns -= d;
        b->stats.iwdg_counting_ns += d;
    }
    b->iwdg.ref_ns = t;
}

uint64_t sim_iwdg_next_event(const sim_board *b)
{
    uint64_t t = SIM_NEVER;
    if (sim_iwdg_counting(b))
        t = b->iwdg.ref_ns + b->iwdg.left_ns;
    return t;
}

void sim_iwdg_reset(sim_board *b)
{
    sim_iwdg *w = &b->iwdg;
    w->running = b->ob_active.iwdg_hw;
    w->unlocked = false;
    w->fw_started = false;
    w->pr = 0;
    w->rlr = RLR_MAX;
    w->winr = RLR_MAX;
    w->ref_ns = b->now_ns;
    w->left_ns = 0;
    if (w->running)
        reload(b);
}

/* reset-loop=MS: the firmware's set-up, 0x5555, PR, RLR (the smallest divider that reaches
 * MS), 0xCCCC. */
static void firmware_start(sim_board *b)
{
    sim_iwdg *w = &b->iwdg;
    uint64_t ms = b->spec.reset_loop_ms, ticks = 1;
    for (w->pr = 0; w->pr < 6; w->pr++) {
        ticks = (ms * lsi_hz(b) + (2000ull << w->pr)) / (4000ull << w->pr);
        if (ticks <= RLR_MAX + 1)
            break;
    }
    ticks = ticks < 1 ? 1 : ticks > RLR_MAX + 1 ? RLR_MAX + 1 : ticks;
    w->rlr = (uint32_t)(ticks - 1);
    if (b->spec.iwdg_window_ms && has_window(b)) { /* reloads only in the period's last MS */
        uint64_t win =
            (b->spec.iwdg_window_ms * lsi_hz(b) + (2000ull << w->pr)) / (4000ull << w->pr);
        w->winr = win < 1 ? 0 : win - 1 < w->rlr ? (uint32_t)(win - 1) : w->rlr;
    }
    w->running = true;
    w->fw_started = true;
    w->ref_ns = b->now_ns;
    reload(b);
}

bool sim_iwdg_events(sim_board *b)
{
    sim_iwdg_elapse(b, b->now_ns, sim_iwdg_counting(b));
    if (b->iwdg.running && b->iwdg.left_ns == 0 && sim_iwdg_counting(b)) {
        b->stats.iwdg_resets++;
        sim_board_reset(b, SIM_RESET_IWDG);
        return true;
    }
    if (b->spec.reset_loop_ms && !b->iwdg.fw_started && b->fw_in_control && !b->nrst_held &&
        b->spec.supply != SIM_SUPPLY_DEAD_CORE && b->cpu && !sim_cpu_halted(b->cpu)) {
        firmware_start(b);
        return true;
    }
    return false;
}

bool sim_iwdg_read(sim_board *b, uint32_t addr, uint32_t *val)
{
    const uint32_t base = b->chip->fam->iwdg_base;
    if (addr < base || addr >= base + 0x400)
        return false;
    switch (addr - base) {
    case 0x04:
        *val = b->iwdg.pr;
        break;
    case 0x08:
        *val = b->iwdg.rlr;
        break;
    case 0x10:
        *val = has_window(b) ? b->iwdg.winr : 0;
        break;
    default: /* KR reads 0; SR: no update in progress */
        *val = 0;
        break;
    }
    return true;
}

static void key(sim_board *b, uint32_t k)
{
    sim_iwdg *w = &b->iwdg;
    w->unlocked = k == KEY_ACCESS;
    if (k == KEY_START && !w->running) {
        w->running = true;
        reload(b);
    } else if (k == KEY_RELOAD && w->running) {
        b->stats.iwdg_refreshes++;
        if (has_window(b) && counter(b) > w->winr) { /* reloaded before the window opened */
            b->stats.iwdg_resets++;
            sim_board_reset(b, SIM_RESET_IWDG);
            return;
        }
        reload(b);
    }
}

bool sim_iwdg_write(sim_board *b, uint32_t addr, uint32_t val, uint32_t mask)
{
    const uint32_t base = b->chip->fam->iwdg_base;
    if (addr < base || addr >= base + 0x400)
        return false;
    sim_iwdg_elapse(b, sim_clock_access_ns(b), sim_iwdg_counting(b));
    sim_iwdg *w = &b->iwdg;
    const uint32_t off = addr - base;
    if (off == 0x00 && (mask & 0xFFFFu) == 0xFFFFu)
        key(b, val & 0xFFFFu);
    else if (off == 0x04 && w->unlocked)
        w->pr = val & 7u;
    else if (off == 0x08 && w->unlocked)
        w->rlr = val & RLR_MAX;
    else if (off == 0x10 && w->unlocked && has_window(b)) {
        w->winr = val & RLR_MAX;
        if (w->running)
            reload(b); /* writing the window reloads the counter */
    }
    return true;
}
