/* RCC: reset flags in RCC_CSR (what a diagnosis reads to tell a brown-out from a watchdog),
 * ready flags that follow their enable bits, clock enables for GPIO/CRC, and the core clock
 * the firmware selects. Bit positions: RM0008 7.3.1/7.3.2/7.3.10, RM0090 7.3.1-7.3.3/7.3.21,
 * RM0410 5.3.21, RM0038 6.3.1/6.3.3/6.3.14; the G0's DBGMCU clock gate (RM0444 RCC_APBENR1). */
#include "periph.h"

#include <string.h>

#define HSE_HZ 8000000ull /* the crystal on Nucleo/Discovery boards */

uint32_t sim_rcc_csr_addr(const sim_board *b)
{
    const stp_family *m = b->chip->fam;
    return m->rcc_base + m->rcc_csr_off;
}

void sim_rcc_reset(sim_board *b, sim_reset_kind kind)
{
    const stp_family *m = b->chip->fam;
    switch (kind) {
    case SIM_RESET_POR:
    case SIM_RESET_BOR:
        /* A brown-out is a power-on reset: POR/PDR (and BOR where the family has it). */
        b->rcc_csr_flags = m->csr_por_flags | m->csr_borrstf;
        break;
    case SIM_RESET_PIN:
        b->rcc_csr_flags |= m->csr_pinrstf;
        break;
    case SIM_RESET_SOFT:
        b->rcc_csr_flags |= m->csr_sftrstf | m->csr_pinrstf;
        break;
    case SIM_RESET_IWDG:
        b->rcc_csr_flags |= m->csr_iwdgrstf | m->csr_pinrstf;
        break;
    case SIM_RESET_OBL:
        b->rcc_csr_flags |= m->csr_oblrstf | m->csr_pinrstf;
        break;
    }
}

bool sim_rcc_gpio_enabled(const sim_board *b, unsigned port)
{
    const stp_family *m = b->chip->fam;
    return (b->rcc[m->gpio_en_off / 4] >> (m->gpio_en_bit0 + port)) & 1u;
}

bool sim_rcc_crc_enabled(const sim_board *b)
{
    const stp_family *m = b->chip->fam;
    return (b->rcc[m->crc_en_off / 4] >> m->crc_en_bit) & 1u;
}

/* The DBGMCU's clock gate where the family has one (G0, RM0444: RCC_APBENR1 bit 27 DBGEN
 * "Debug support clock enable", 0 after every reset like the rest of the register; the
 * family row's dbgmcu_clk_reg/bit). The other families' DBGMCU has no gate in RCC. */
bool sim_rcc_dbgmcu_clocked(const sim_board *b)
{
    const stp_family *m = b->chip->fam;
    if (m->dbgmcu_clk_reg == 0)
        return true;
    return (b->rcc[(m->dbgmcu_clk_reg - m->rcc_base) / 4] & m->dbgmcu_clk_bit) != 0;
}

static uint32_t ahb_divider(uint32_t cfgr)
{
    uint32_t hpre = (cfgr >> 4) & 0xFu;
    static const uint32_t div[8] = {2, 4, 8, 16, 64, 128, 256, 512};
    return hpre & 8u ? div[hpre & 7u] : 1u;
}

static uint64_t sysclk_f24(const sim_board *b, uint32_t sws)
{
    uint32_t pll = b->rcc[0x04 / 4];
    uint64_t hsi = b->chip->reset_clock_hz;
    if (sws == 1)
        return HSE_HZ;
    if (sws != 2)
        return hsi;
    uint64_t src = (pll >> 22) & 1u ? HSE_HZ : hsi;
    uint32_t pllm = pll & 0x3Fu, plln = (pll >> 6) & 0x1FFu, pllp = ((pll >> 16) & 3u) * 2u + 2u;
    if (!pllm || !plln)
        return hsi;
    return src / pllm * plln / pllp;
}

static uint64_t sysclk_f1(const sim_board *b, uint32_t cfgr, uint32_t sws)
{
    uint64_t hsi = b->chip->reset_clock_hz;
    if (sws == 1)
        return HSE_HZ;
    if (sws != 2)
        return hsi;
    uint64_t src = (cfgr >> 16) & 1u ? ((cfgr >> 17) & 1u ? HSE_HZ / 2 : HSE_HZ) : hsi / 2;
    uint32_t mul = ((cfgr >> 18) & 0xFu) + 2u;
    return src * (mul > 16 ? 16 : mul);
}

static uint64_t sysclk_l1(const sim_board *b, uint32_t cfgr, uint32_t sws)
{
    static const uint32_t mul[9] = {3, 4, 6, 8, 12, 16, 24, 32, 48};
    uint32_t range = (b->rcc[0x04 / 4] >> 13) & 7u;
    switch (sws) {
    case 0:
        return 65536ull << range; /* MSI range 0..6: 65.536 kHz .. 4.194 MHz */
    case 1:
        return 16000000ull;
    case 2:
        return HSE_HZ;
    default: {
        uint64_t src = (cfgr >> 16) & 1u ? HSE_HZ : 16000000ull;
        uint32_t m = (cfgr >> 18) & 0xFu, d = (cfgr >> 22) & 3u;
        if (m > 8 || d == 0)
            return 65536ull << range;
        return src * mul[m] / (d + 1u);
    }
    }
}

void sim_rcc_update_clock(sim_board *b)
{
    const stp_family *m = b->chip->fam;
    uint32_t cfgr = b->rcc[m->rcc_cfgr_off / 4];
    uint32_t sws = (cfgr >> 2) & 3u;
    uint64_t hz;
    switch (m->clock_tree) {
    case STP_CLOCK_PLL_IN_CFGR:
        hz = sysclk_f1(b, cfgr, sws);
        break;
    case STP_CLOCK_MSI_RANGES:
        hz = sysclk_l1(b, cfgr, sws);
        break;
    case STP_CLOCK_PLLCFGR:
    default:
        hz = sysclk_f24(b, sws);
        break;
    }
    hz /= ahb_divider(cfgr);
    b->core_hz = hz ? hz : 1;
    if (b->spec.supply == SIM_SUPPLY_UNSTABLE) { /* a faster core draws more */
        sim_supply_update(b, sim_clock_access_ns(b));
        sim_clock_replan(b);
    }
}

bool sim_rcc_read(sim_board *b, uint32_t addr, uint32_t *val)
{
    const stp_family *m = b->chip->fam;
    if (addr < m->rcc_base || addr - m->rcc_base >= sizeof b->rcc)
        return false;
    uint32_t off = addr - m->rcc_base;
    *val = b->rcc[off / 4];
    if (off == m->rcc_csr_off)
        *val = (*val & ~(m->csr_flags | m->csr_rmvf)) | b->rcc_csr_flags;
    return true;
}

bool sim_rcc_write(sim_board *b, uint32_t addr, uint32_t val, uint32_t mask)
{
    const stp_family *m = b->chip->fam;
    if (addr < m->rcc_base || addr - m->rcc_base >= sizeof b->rcc)
        return false;
    uint32_t off = addr - m->rcc_base;
    uint32_t v = sim_masked(b->rcc[off / 4], val, mask);
    if (off == 0) {
        /* Oscillators and PLLs are ready as soon as they are switched on. */
        for (size_t i = 0; i < sizeof m->rcc_rdy_pairs && m->rcc_rdy_pairs[i] != 0xFF; i++) {
            uint32_t on = 1u << m->rcc_rdy_pairs[i];
            v = (v & on) ? v | on << 1 : v & ~(on << 1);
        }
    } else if (off == m->rcc_cfgr_off) {
        v = (v & ~0xCu) | (v & 3u) << 2; /* SWS follows SW */
    } else if (off == m->rcc_csr_off) {
        uint32_t rmvf = m->csr_rmvf;
        if (v & rmvf)
            b->rcc_csr_flags = 0;
        v &= ~(m->csr_flags | rmvf);
        v = (v & 1u) ? v | 2u : v & ~2u; /* LSIRDY follows LSION */
    }
    b->rcc[off / 4] = v;
    if (off == m->rcc_cfgr_off || off == 0x04)
        sim_rcc_update_clock(b);
    return true;
}
