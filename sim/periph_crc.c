/* The CRC unit: CRC-32 (polynomial 0x04C11DB7, MSB first, initial value 0xFFFFFFFF) over
 * 32-bit words written to CRC_DR (RM0008 4, RM0090 4, RM0038 4). The F7 unit adds a
 * programmable initial value and polynomial (7/8/16/32 bits), 8/16/32-bit writes and bit
 * reversal of input and output (RM0410 7.4). Clock off: reads 0, writes ignored. */
#include "periph.h"

#define DR   0x00
#define IDR  0x04
#define CR   0x08
#define INIT 0x10
#define POL  0x14

#define CR_RESET 1u

static uint32_t reverse_bits(uint32_t v, unsigned bits)
{
    uint32_t r = 0;
    for (unsigned i = 0; i < bits; i++)
        r |= ((v >> i) & 1u) << (bits - 1 - i);
    return r;
}

static unsigned poly_bits(const sim_board *b)
{
    static const unsigned sizes[4] = {32, 16, 8, 7};
    return b->chip->fam->crc_programmable ? sizes[(b->crc_cr >> 3) & 3u] : 32u;
}

/* Feeds `bits` of data (8/16/32), MSB first, through a polysize-bit register. */
static void feed(sim_board *b, uint32_t data, unsigned bits)
{
    unsigned n = poly_bits(b);
    uint32_t top = 1u << (n - 1);
    uint32_t mask = n == 32 ? 0xFFFFFFFFu : (1u << n) - 1u;
    uint32_t poly = b->chip->fam->crc_programmable ? b->crc_pol : 0x04C11DB7u;
    uint32_t rev_in = (b->crc_cr >> 5) & 3u;
    if (rev_in == 1) { /* by byte */
        uint32_t r = 0;
        for (unsigned i = 0; i < bits; i += 8)
            r |= reverse_bits((data >> i) & 0xFFu, 8) << i;
        data = r;
    } else if (rev_in == 2) { /* by half-word */
        uint32_t r = 0;
        for (unsigned i = 0; i < bits; i += 16)
            r |= reverse_bits((data >> i) & 0xFFFFu, bits < 16 ? bits : 16) << i;
        data = r;
    } else if (rev_in == 3) {
        data = reverse_bits(data, bits);
    }
    uint32_t crc = b->crc_dr;
    for (int i = (int)bits - 1; i >= 0; i--) {
        uint32_t in = (data >> i) & 1u;
        bool msb = ((crc & top) != 0) ^ (in != 0);
        crc = (crc << 1) & mask;
        if (msb)
            crc ^= poly & mask;
    }
    b->crc_dr = crc;
}

void sim_crc_reset(sim_board *b)
{
    b->crc_cr = 0;
    b->crc_idr = 0;
    b->crc_init = 0xFFFFFFFFu;
    b->crc_pol = 0x04C11DB7u;
    b->crc_dr = 0xFFFFFFFFu;
}

bool sim_crc_read(sim_board *b, uint32_t addr, uint32_t *val)
{
    const stp_family *m = b->chip->fam;
    if (addr < m->crc_base || addr - m->crc_base >= 0x400)
        return false;
    uint32_t off = addr - m->crc_base;
    *val = 0;
    if (!sim_rcc_crc_enabled(b))
        return true;
    switch (off) {
    case DR:
        *val = b->crc_dr;
        if (m->crc_programmable && (b->crc_cr >> 7) & 1u)
            *val = reverse_bits(*val, 32);
        break;
    case IDR:
        *val = m->crc_programmable ? b->crc_idr : b->crc_idr & 0xFFu;
        break;
    case CR:
        *val = m->crc_programmable ? b->crc_cr & 0xF8u : 0;
        break;
    case INIT:
        *val = m->crc_programmable ? b->crc_init : 0;
        break;
    case POL:
        *val = m->crc_programmable ? b->crc_pol : 0;
        break;
    default:
        break;
    }
    return true;
}

bool sim_crc_write(sim_board *b, uint32_t addr, uint32_t val, uint32_t mask)
{
    const stp_family *m = b->chip->fam;
    if (addr < m->crc_base || addr - m->crc_base >= 0x400)
        return false;
    uint32_t off = addr - m->crc_base;
    if (!sim_rcc_crc_enabled(b))
        return true;
    switch (off) {
    case DR:
        if (m->crc_programmable && mask != 0xFFFFFFFFu) {
            unsigned shift = 0;
            while (!((mask >> shift) & 1u))
                shift += 8;
            unsigned bits = mask >> shift == 0xFFu ? 8u : 16u;
            feed(b, (val & mask) >> shift, bits);
        } else {
            feed(b, val, 32);
        }
        break;
    case IDR:
        b->crc_idr = sim_masked(b->crc_idr, val, mask);
        break;
    case CR:
        if (m->crc_programmable)
            b->crc_cr = sim_masked(b->crc_cr, val, mask) & 0xF8u;
        if (val & mask & CR_RESET)
            b->crc_dr = m->crc_programmable ? b->crc_init : 0xFFFFFFFFu;
        break;
    case INIT:
        if (m->crc_programmable)
            b->crc_init = sim_masked(b->crc_init, val, mask);
        break;
    case POL:
        if (m->crc_programmable)
            b->crc_pol = sim_masked(b->crc_pol, val, mask);
        break;
    default:
        break;
    }
    return true;
}
