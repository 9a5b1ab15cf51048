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
 * opening any gate. */
#include "sim_internal.h"

bool sim_dbgmcu_read(sim_board *b, uint32_t addr, uint32_t *val)
{
    uint32_t base = b->chip->idcode_addr;
    if (addr < base || addr - base >= 0x10)
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
    case 0x8:
        *val = b->dbgmcu_apb1fz;
        break;
    default:
        *val = b->dbgmcu_apb2fz;
        break;
    }
    return true;
}

bool sim_dbgmcu_write(sim_board *b, uint32_t addr, uint32_t val, uint32_t mask)
{
    uint32_t base = b->chip->idcode_addr;
    if (addr < base || addr - base >= 0x10)
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
    case 0x8:
        sim_iwdg_elapse(b, sim_clock_access_ns(b), sim_iwdg_counting(b)); /* DBG_IWDG_STOP */
        b->dbgmcu_apb1fz = sim_masked(b->dbgmcu_apb1fz, val, mask);
        break;
    default:
        b->dbgmcu_apb2fz = sim_masked(b->dbgmcu_apb2fz, val, mask);
        break;
    }
    return true;
}
