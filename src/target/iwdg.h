/* The chip's independent watchdog as the flash code sees it: frozen while the core is
 * halted (DBGMCU DBG_IWDG_STOP, the previous value put back after), where the SRAM loader
 * reloads it, and whether the last reset was its doing (RCC_CSR IWDGRSTF). */
#ifndef STP_TARGET_IWDG_H
#define STP_TARGET_IWDG_H

#include <stdbool.h>
#include <stdint.h>

#include "stprog/status.h"
#include "chipdb/chipdb.h"
#include "probe/debug.h"

#define STP_IWDG_RELOAD 0xAAAAu

/* DBG_IWDG_STOP set by stp_iwdg_freeze (restored by stp_iwdg_thaw). */
typedef struct stp_iwdg_freeze {
    uint32_t addr;     /* the DBGMCU register changed, 0 when nothing was changed */
    uint32_t saved;    /* its value before */
    uint32_t clk_addr; /* the RCC register whose DBGMCU clock bit was set (G0), else 0 */
    uint32_t clk_bit;  /* that bit, cleared again by stp_iwdg_thaw */
} stp_iwdg_freeze;

/* Sets DBG_IWDG_STOP (DBGMCU_CR bit 8 on F1, DBGMCU_APB1_FZ / APB_FZ1 bit 12 elsewhere) if it
 * is clear, so the watchdog does not count while the core is halted. Where the DBGMCU has a
 * clock gate (G0: RCC_APBENR1.DBGEN, chip->fam->dbgmcu_clk_reg) it is opened first, or the write
 * would not take. Best effort: a failed access leaves nothing to restore (the operation's
 * own accesses report a dead link). */
void stp_iwdg_freeze_on(stp_debug *d, const stp_chip *chip, stp_iwdg_freeze *fz);
/* Puts the DBGMCU register back as it was, then closes the clock gate if freeze_on opened
 * it (only that bit: the rest of the RCC register keeps what it holds now). Best effort. */
void stp_iwdg_thaw(stp_debug *d, stp_iwdg_freeze *fz);
/* Where the loader writes 0xAAAA: IWDG_KR (the family row's iwdg_base), or 0 when the firmware set
 * a window (IWDG_WINR below IWDG_RLR on F7/L4/G0/G4): a reload before the window opens resets the
 * chip, so the loader must not reload at its own pace. */
uint32_t stp_iwdg_reload_addr(stp_debug *d, const stp_chip *chip);
/* RCC_CSR of the family (reset flags; IWDGRSTF is the family row's csr_iwdgrstf). */
uint32_t stp_iwdg_rcc_csr_addr(const stp_chip *chip);
/* RCC_CSR.IWDGRSTF (H7 RCC_RSR.IWDG1RSTF) is set (false when unreadable). The flag is sticky until
 * the firmware clears it: only a flag that was clear before an operation names a reset during it.
 */
bool stp_iwdg_flag(stp_debug *d, const stp_chip *chip);

#endif
