/* The independent watchdog seen from the flash code (iwdg.h). Where DBG_IWDG_STOP sits
 * (DBGMCU_CR bit 8 on F1, bit 12 of the APB1 freeze register elsewhere), whether IWDG_WINR
 * exists, where RCC_CSR is and whether the DBGMCU has a clock gate (G0 RCC_APBENR1.DBGEN:
 * without it the freeze write does not take, so it is set for the operation and cleared
 * again after), where the IWDG is (0x40003000, H7 IWDG1 0x58004800; WINR at +0x10) and which
 * bit of RCC_CSR/RCC_RSR says it reset the chip are the family row's columns (chipdb). */
#include "target/iwdg.h"

#define IWDG_RLR  0x08u
#define IWDG_WINR 0x10u

static void freeze_reg(const stp_chip *chip, uint32_t *addr, uint32_t *bit)
{
    *addr = chip->idcode_addr + chip->fam->wdg_freeze_off;
    *bit = 1u << chip->fam->wdg_freeze_bit;
}

/* Opens the DBGMCU's clock gate where the chip has one and it is closed. */
static void clock_on(stp_debug *d, const stp_chip *chip, stp_iwdg_freeze *fz, stp_findings *scratch)
{
    uint32_t en = 0;
    const uint32_t reg = chip->fam->dbgmcu_clk_reg, bit = chip->fam->dbgmcu_clk_bit;
    if (reg == 0 || bit == 0)
        return;
    if (d->ops->read_u32(d, reg, &en, scratch) == STP_OK && !(en & bit) &&
        d->ops->write_u32(d, reg, en | bit, scratch) == STP_OK) {
        fz->clk_addr = reg;
        fz->clk_bit = bit;
    }
}

void stp_iwdg_freeze_on(stp_debug *d, const stp_chip *chip, stp_iwdg_freeze *fz)
{
    uint32_t addr = 0, bit = 0, v = 0;
    fz->addr = 0;
    fz->clk_addr = 0;
    fz->clk_bit = 0;
    freeze_reg(chip, &addr, &bit);
    stp_findings scratch = {0};
    clock_on(d, chip, fz, &scratch);
    if (d->ops->read_u32(d, addr, &v, &scratch) == STP_OK && !(v & bit) &&
        d->ops->write_u32(d, addr, v | bit, &scratch) == STP_OK) {
        fz->addr = addr;
        fz->saved = v;
    }
    stp_findings_free(&scratch);
}

void stp_iwdg_thaw(stp_debug *d, stp_iwdg_freeze *fz)
{
    stp_findings scratch = {0};
    uint32_t en = 0;
    bool gate = fz->clk_addr != 0 && d->ops->read_u32(d, fz->clk_addr, &en, &scratch) == STP_OK;
    /* The DBGMCU register is put back through the open gate (a closed one drops the write).
     * A reset during the operation (option-byte loading) clears DBGEN again while the
     * DBGMCU register may keep the freeze bit: the gate is opened once more for the write. */
    if (gate && !(en & fz->clk_bit))
        (void)d->ops->write_u32(d, fz->clk_addr, en | fz->clk_bit, &scratch);
    if (fz->addr != 0)
        (void)d->ops->write_u32(d, fz->addr, fz->saved, &scratch);
    if (gate)
        (void)d->ops->write_u32(d, fz->clk_addr, en & ~fz->clk_bit, &scratch);
    stp_findings_free(&scratch);
    fz->addr = 0;
    fz->clk_addr = 0;
}

uint32_t stp_iwdg_reload_addr(stp_debug *d, const stp_chip *chip)
{
    const uint32_t kr = chip->fam->iwdg_base;
    if (!chip->fam->iwdg_window)
        return kr;
    uint32_t rlr = 0, winr = 0;
    stp_findings scratch = {0};
    bool ok = d->ops->read_u32(d, kr + IWDG_RLR, &rlr, &scratch) == STP_OK &&
              d->ops->read_u32(d, kr + IWDG_WINR, &winr, &scratch) == STP_OK;
    stp_findings_free(&scratch);
    /* A window at or above the reload value never closes: every reload is in it. */
    return ok && (winr & 0xFFFu) < (rlr & 0xFFFu) ? 0 : kr;
}

uint32_t stp_iwdg_rcc_csr_addr(const stp_chip *chip)
{
    return stp_chip_rcc_csr(chip);
}

bool stp_iwdg_flag(stp_debug *d, const stp_chip *chip)
{
    uint32_t csr = 0;
    stp_findings scratch = {0};
    bool ok = d->ops->read_u32(d, stp_iwdg_rcc_csr_addr(chip), &csr, &scratch) == STP_OK;
    stp_findings_free(&scratch);
    return ok && (csr & chip->fam->csr_iwdgrstf);
}
