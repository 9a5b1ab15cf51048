/* DBGMCU: IDCODE (DEV_ID[11:0], REV_ID[31:16] from the part's row), CR (DBG_SLEEP/STOP/
 * STANDBY, trace), APB1/APB2 freeze registers. RM0008 31.16, RM0090 38.16, RM0410 40.16,
 * RM0038 30.16. The DBGMCU is powered with the debug logic: it reads even when the core
 * domain does not (supply=dead-core), and only a power-on reset clears CR.
 *
 * G0 (RM0444): the DBG registers sit behind the RCC_APBENR1.DBGEN clock gate, 0 after
 * reset. The manual does not say what an access does while the gate is closed; modelled
 * like the board's other gated peripherals: CR and the freeze registers read 0 and ignore
 * writes (what was written while the gate was open is kept, and keeps freezing). The ID
 * code reads either way: st-flash, st-info and OpenOCD identify a G0 by reading it without
 * opening any gate.
 *
 * H7 (RM0433 "DBGMCU registers"): IDC at 0x5C001000, CR at +4 (D1DBGCKEN bit 21 and
 * D3DBGCKEN bit 22 besides the low-power bits), the freeze registers APB3FZ1 +0x34, APB1LFZ1
 * +0x3C, APB2FZ1 +0x4C, APB4FZ1 +0x54 (DBG_IWDG1 bit 18). The register the family row names
 * for DBG_IWDG_STOP (wdg_freeze_off) is the one that freezes the watchdog; the others hold
 * what is written. */
#include "sim_internal.h"

/* Bytes of DBGMCU registers from the ID code on: up to the watchdog's freeze register. */
static uint32_t span(const sim_board *b)
{
    uint32_t end = b->chip->fam->wdg_freeze_off + 4u;
    return end > 0x10 ? end : 0x10;
}

/* The register at offset off holds the watchdog's freeze bit (APB1 freeze register at +8 on
 * the families whose block ends at +0x10). */
static bool is_freeze_reg(const sim_board *b, uint32_t off)
{
    return off == b->chip->fam->wdg_freeze_off || (off == 0x8 && span(b) == 0x10);
}

bool sim_dbgmcu_read(sim_board *b, uint32_t addr, uint32_t *val)
{
    uint32_t base = b->chip->idcode_addr;
    if (addr < base || addr - base >= span(b))
        return false;
    if (addr != base && !sim_rcc_dbgmcu_clocked(b)) {
        *val = 0;
        return true;
    }
    switch (addr - base) {
    case 0x0:
        *val = (uint32_t)b->part->rev_id << 16 | b->part->dev_id;
        break;
    case 0x4:
        *val = b->dbgmcu_cr;
        break;
    default:
        if (is_freeze_reg(b, addr - base))
            *val = b->dbgmcu_apb1fz;
        else if (addr - base == 0xC && span(b) == 0x10)
            *val = b->dbgmcu_apb2fz;
        else
            *val = 0;
        break;
    }
    return true;
}

bool sim_dbgmcu_write(sim_board *b, uint32_t addr, uint32_t val, uint32_t mask)
{
    uint32_t base = b->chip->idcode_addr;
    if (addr < base || addr - base >= span(b))
        return false;
    if (!sim_rcc_dbgmcu_clocked(b))
        return true; /* G0 with DBGEN clear: the write is lost */
    switch (addr - base) {
    case 0x0:
        break; /* read-only */
    case 0x4:
        sim_iwdg_elapse(b, sim_clock_access_ns(b), sim_iwdg_counting(b)); /* F1 freeze bit */
        b->dbgmcu_cr = sim_masked(b->dbgmcu_cr, val, mask);
        break;
    default:
        if (is_freeze_reg(b, addr - base)) {
            sim_iwdg_elapse(b, sim_clock_access_ns(b), sim_iwdg_counting(b)); /* DBG_IWDG_STOP */
            b->dbgmcu_apb1fz = sim_masked(b->dbgmcu_apb1fz, val, mask);
        } else if (addr - base == 0xC && span(b) == 0x10) {
            b->dbgmcu_apb2fz = sim_masked(b->dbgmcu_apb2fz, val, mask);
        }
        break;
    }
    return true;
}
