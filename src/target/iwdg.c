/* The independent watchdog seen from the flash code (iwdg.h). DBG_IWDG_STOP: DBGMCU_CR bit 8
 * on F1 (RM0008 31.16.2), bit 12 of DBGMCU_APB1_FZ on F2/F4/F7/L1 (RM0090 38.16.2, RM0410,
 * RM0038), of DBGMCU_APB1FZR1 on L4/G4 (RM0351, RM0440) and of DBGMCU_APB_FZ1 on G0
 * (RM0444): the register sits at DBGMCU_IDCODE + 4 (F1) or + 8. IWDG at 0x40003000 in every
 * one of these memory maps, WINR at +0x10 on F7, L4, G0, G4. On G0 the DBGMCU registers
 * need RCC_APBENR1.DBGEN (the chip row's dbgmcu_clk_reg/bit): without it the freeze write
 * does not take, so it is set for the operation and cleared again after. */
#include "target/iwdg.h"

#define IWDG_RLR  (STP_IWDG_KR + 0x08u)
#define IWDG_WINR (STP_IWDG_KR + 0x10u)
#define IWDGRSTF  (1u << 29)

static void freeze_reg(const stp_chip *chip, uint32_t *addr, uint32_t *bit)
{
    if (chip->flash_kind == STP_FLASH_F1) {
        *addr = chip->idcode_addr + 4u;
        *bit = 1u << 8;
    } else {
        *addr = chip->idcode_addr + 8u;
        *bit = 1u << 12;
    }
}

/* Opens the DBGMCU's clock gate where the chip has one and it is closed. */
static void clock_on(stp_debug *d, const stp_chip *chip, stp_iwdg_freeze *fz, stp_findings *scratch)
{
    uint32_t en = 0;
    if (chip->dbgmcu_clk_reg == 0 || chip->dbgmcu_clk_bit == 0)
        return;
    if (d->ops->read_u32(d, chip->dbgmcu_clk_reg, &en, scratch) == STP_OK &&
        !(en & chip->dbgmcu_clk_bit) &&
        d->ops->write_u32(d, chip->dbgmcu_clk_reg, en | chip->dbgmcu_clk_bit, scratch) == STP_OK) {
        fz->clk_addr = chip->dbgmcu_clk_reg;
        fz->clk_bit = chip->dbgmcu_clk_bit;
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

static bool has_window(const stp_chip *chip)
{
    return chip->flash_kind == STP_FLASH_F7 || chip->flash_kind == STP_FLASH_L4;
}

uint32_t stp_iwdg_reload_addr(stp_debug *d, const stp_chip *chip)
{
    if (!has_window(chip))
        return STP_IWDG_KR;
    uint32_t rlr = 0, winr = 0;
    stp_findings scratch = {0};
    bool ok = d->ops->read_u32(d, IWDG_RLR, &rlr, &scratch) == STP_OK &&
              d->ops->read_u32(d, IWDG_WINR, &winr, &scratch) == STP_OK;
    stp_findings_free(&scratch);
    /* A window at or above the reload value never closes: every reload is in it. */
    return ok && (winr & 0xFFFu) < (rlr & 0xFFFu) ? 0 : STP_IWDG_KR;
}

uint32_t stp_iwdg_rcc_csr_addr(const stp_chip *chip)
{
    switch (chip->flash_kind) {
    case STP_FLASH_F1:
        return 0x40021024u; /* RM0008 7.3.10 */
    case STP_FLASH_L1:
        return 0x40023834u; /* RM0038 6.3.14 */
    case STP_FLASH_L4:      /* RCC base 0x40021000: + 0x60 on G0 (RM0444), + 0x94 (RM0351/0440) */
        return chip->core == STP_CORE_M0P ? 0x40021060u : 0x40021094u;
    case STP_FLASH_F2F4:
    case STP_FLASH_F7:
        break;
    }
    return 0x40023874u; /* RM0090 7.3.21, RM0410 5.3.21 */
}

bool stp_iwdg_flag(stp_debug *d, const stp_chip *chip)
{
    uint32_t csr = 0;
    stp_findings scratch = {0};
    bool ok = d->ops->read_u32(d, stp_iwdg_rcc_csr_addr(chip), &csr, &scratch) == STP_OK;
    stp_findings_free(&scratch);
    return ok && (csr & IWDGRSTF);
}
