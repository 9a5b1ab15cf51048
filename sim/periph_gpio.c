/* GPIO ports, enough for a blinky and for firmware that takes the SWD pins: registers
 * read back, BSRR/BRR set and reset ODR bits, IDR shows outputs and pulls. A port whose
 * clock is off reads 0 and ignores writes. Layouts: RM0008 9.2 (F1 CRL/CRH, AFIO_MAPR
 * SWJ_CFG 9.4.2), RM0090 8.4, RM0410 6.4, RM0038 7.4. */
#include "periph.h"

/* F2/F4/F7/L1 register offsets (words) */
#define MODER  0
#define PUPDR  3
#define IDR    4
#define ODR    5
#define BSRR   6
#define BRR_L1 10
/* F1 */
#define F1_CRL  0
#define F1_CRH  1
#define F1_IDR  2
#define F1_ODR  3
#define F1_BSRR 4
#define F1_BRR  5

static bool decode(const sim_board *b, uint32_t addr, unsigned *port, unsigned *reg)
{
    const stp_family *m = b->chip->fam;
    if (addr < m->gpio_base || addr - m->gpio_base >= m->gpio_stride * m->gpio_ports)
        return false;
    uint32_t off = addr - m->gpio_base;
    *port = off / m->gpio_stride;
    *reg = (off % m->gpio_stride) / 4u;
    return *reg < 16;
}

static uint32_t input_value(const sim_board *b, unsigned port)
{
    const uint32_t *r = b->gpio[port];
    uint32_t v = 0;
    for (unsigned pin = 0; pin < 16; pin++) {
        bool out, pull_up;
        if (b->chip->fam->gpio_crl_crh) {
            uint32_t cnf = (r[pin < 8 ? F1_CRL : F1_CRH] >> ((pin % 8) * 4)) & 0xFu;
            out = (cnf & 3u) != 0;
            pull_up = cnf == 0x8u && ((r[F1_ODR] >> pin) & 1u);
        } else {
            uint32_t mode = (r[MODER] >> (pin * 2)) & 3u;
            out = mode == 1u;
            pull_up = mode == 0u && ((r[PUPDR] >> (pin * 2)) & 3u) == 1u;
        }
        if ((out && ((r[b->chip->fam->gpio_crl_crh ? F1_ODR : ODR] >> pin) & 1u)) || pull_up)
            v |= 1u << pin;
    }
    return v;
}

/* Firmware that turns PA13/PA14 into GPIOs (or disables SWJ on F1) cuts the debugger off. */
static void check_swd_pins(sim_board *b)
{
    const stp_family *m = b->chip->fam;
    bool off;
    if (m->gpio_crl_crh)
        off = ((b->afio_mapr >> 24) & 7u) == 4u; /* SWJ_CFG = 100: JTAG-DP and SW-DP off */
    else
        off = ((b->gpio[0][MODER] >> 26) & 3u) != 2u || ((b->gpio[0][MODER] >> 28) & 3u) != 2u;
    if (off && !b->nrst_held)
        b->swd_dead = true;
}

bool sim_gpio_read(sim_board *b, uint32_t addr, uint32_t *val)
{
    const stp_family *m = b->chip->fam;
    if (m->afio_mapr && addr == m->afio_mapr) {
        *val = b->afio_mapr & ~(7u << 24); /* SWJ_CFG is write-only */
        return true;
    }
    unsigned port, reg;
    if (!decode(b, addr, &port, &reg))
        return false;
    if (!sim_rcc_gpio_enabled(b, port)) {
        *val = 0;
        return true;
    }
    unsigned idr = m->gpio_crl_crh ? F1_IDR : IDR;
    unsigned bsrr = m->gpio_crl_crh ? F1_BSRR : BSRR;
    if (reg == idr)
        *val = input_value(b, port);
    else if (reg == bsrr || (m->gpio_crl_crh && reg == F1_BRR) ||
             (!m->gpio_crl_crh && reg == BRR_L1))
        *val = 0;
    else
        *val = b->gpio[port][reg];
    return true;
}

bool sim_gpio_write(sim_board *b, uint32_t addr, uint32_t val, uint32_t mask)
{
    const stp_family *m = b->chip->fam;
    if (m->afio_mapr && addr == m->afio_mapr) {
        b->afio_mapr = sim_masked(b->afio_mapr, val, mask);
        check_swd_pins(b);
        return true;
    }
    unsigned port, reg;
    if (!decode(b, addr, &port, &reg))
        return false;
    if (!sim_rcc_gpio_enabled(b, port))
        return true;
    uint32_t *r = b->gpio[port];
    unsigned odr = m->gpio_crl_crh ? F1_ODR : ODR;
    unsigned bsrr = m->gpio_crl_crh ? F1_BSRR : BSRR;
    val &= mask;
    if (reg == bsrr) {
        r[odr] = (r[odr] & ~(val >> 16)) | (val & 0xFFFFu); /* set wins over reset */
    } else if ((m->gpio_crl_crh && reg == F1_BRR) ||
               (!m->gpio_crl_crh && reg == BRR_L1 && m->gpio_brr)) {
        r[odr] &= ~(val & 0xFFFFu);
    } else if (reg != (m->gpio_crl_crh ? F1_IDR : IDR)) {
        r[reg] = sim_masked(r[reg], val, mask);
        if (reg == odr)
            r[reg] &= 0xFFFFu;
    }
    if (port == 0)
        check_swd_pins(b);
    return true;
}
