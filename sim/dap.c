/* The debug port every probe model fronts (sim/dap.h): ADIv5 SW-DP and AHB-AP registers,
 * the wire's timing and noise, and the memory sequences a probe's firmware runs. The
 * register layout and the rules (line reset, sticky flags, posted reads, TAR
 * auto-increment within 1 KiB) are ARM IHI 0031 (ADIv5); the AHB-AP IDR values per core
 * are from the cores' TRMs. */
#include "dap.h"

#include <string.h>

#define SWD_CYCLES_PER_XFER 48u         /* request 8 + turnaround + ACK 3 + data 33 + turnaround */
#define LINE_RESET_ONES     50u         /* ADIv5 B4.3.3: at least 50 clocks with SWDIO high */
#define JTAG_TO_SWD         0xE79Eu     /* ADIv5 B5.2.2, sent LSB first after a line reset */
#define CSW_RESET           0x03000040u /* AHB-AP CSW after reset: DeviceEn, 8-bit */
#define CSW_SIZE_MASK       0x7u
#define CSW_ADDRINC_MASK    0x30u
#define CSW_ADDRINC_SINGLE  0x10u
#define CSW_ADDRINC_PACKED  0x20u
#define CSW_DEVICEEN        (1u << 6)
#define CTRL_STICKY_ANY                                                                            \
    (SIM_DP_CTRL_STICKYORUN | SIM_DP_CTRL_STICKYCMP | SIM_DP_CTRL_STICKYERR | SIM_DP_CTRL_WDATAERR)

void sim_dap_init(sim_dap *d, sim_board *board, uint32_t khz, uint32_t wait_retries)
{
    memset(d, 0, sizeof(*d));
    d->board = board;
    d->spec = sim_board_spec(board);
    d->swd_khz = khz;
    d->wait_retries = wait_retries;
    d->line = SIM_DAP_LINE_JTAG;
    d->csw = CSW_RESET;
}

void sim_dap_charge(sim_dap *d, uint64_t transfers)
{
    sim_board_stats(d->board)->swd_transfers += transfers;
    uint32_t khz = d->swd_khz ? d->swd_khz : 1800;
    /* ns = transfers * 48 cycles / (khz * 1000 Hz) * 1e9 */
    uint64_t ns = transfers * SWD_CYCLES_PER_XFER * 1000000u / khz;
    if (ns)
        sim_clock_advance(d->board, ns);
}

static void charge_cycles(sim_dap *d, uint64_t cycles)
{
    uint32_t khz = d->swd_khz ? d->swd_khz : 1800;
    uint64_t ns = cycles * 1000000u / khz;
    if (ns)
        sim_clock_advance(d->board, ns);
}

/* --- Noisy wiring ------------------------------------------------------------------ */

typedef enum noise { NOISE_NONE = 0, NOISE_WAIT, NOISE_FAULT, NOISE_PARITY, NOISE_FLIP } noise;

/* Above swd-max-khz each SWD transfer goes wrong with a probability that grows with the
 * overclock: 0.05 % times (clock / limit), at most 5 %. One event in four each: WAIT, FAULT,
 * parity error, or (reads only) a silently flipped data bit. */
static noise roll_noise(sim_dap *d, bool is_read)
{
    /* swd-wait=N: the target's bus stays stalled past the firmware's WAIT retries on about
     * one transfer in N. */
    uint32_t one_in = d->spec->swd_wait_one_in;
    if (one_in != 0 && sim_board_random(d->board) % one_in == 0)
        return NOISE_WAIT;
    uint32_t max = d->spec->swd_max_khz;
    if (max == 0 || d->swd_khz <= max)
        return NOISE_NONE;
    uint64_t ppm = 500ull * d->swd_khz / max;
    if (ppm > 50000)
        ppm = 50000;
    uint32_t r = sim_board_random(d->board);
    if ((uint64_t)(r % 1000000u) >= ppm)
        return NOISE_NONE;
    switch ((r >> 20) & 3u) {
    case 0:
        return NOISE_WAIT;
    case 1:
        return NOISE_FAULT;
    case 2:
        return NOISE_PARITY;
    default:
        return is_read ? NOISE_FLIP : NOISE_PARITY;
    }
}

static sim_dap_ack noise_ack(noise n)
{
    switch (n) {
    case NOISE_WAIT:
        return SIM_DAP_WAIT;
    case NOISE_FAULT:
        return SIM_DAP_FAULT;
    default:
        return SIM_DAP_PARITY;
    }
}

static sim_dap_ack access_ack(sim_access a)
{
    switch (a) {
    case SIM_ACC_OK:
        return SIM_DAP_OK;
    case SIM_ACC_FAULT:
        return SIM_DAP_FAULT;
    case SIM_ACC_WAIT:
        return SIM_DAP_WAIT;
    case SIM_ACC_NO_TARGET:
    default:
        return SIM_DAP_NO_ACK;
    }
}

/* --- The probe firmware's memory sequences ----------------------------------------- */

/* One MEM-AP transfer sequence of len bytes in units of width. The noise decides up front
 * at which unit the transfer breaks; the board is accessed up to there. */
static sim_dap_ack mem_access(sim_dap *d, bool is_read, uint32_t addr, uint8_t *rbuf,
                              const uint8_t *wbuf, uint32_t len, unsigned width, uint32_t *done)
{
    uint32_t units = len / width;
    uint32_t stop = units;
    noise n = NOISE_NONE;
    uint32_t flip_unit = UINT32_MAX;
    uint32_t flip_mask = 0;
    for (uint32_t u = 0; u < units; u++) {
        noise e = roll_noise(d, is_read);
        if (e == NOISE_NONE)
            continue;
        if (e == NOISE_FLIP) {
            if (flip_unit == UINT32_MAX) {
                flip_unit = u;
                flip_mask = 1u << (sim_board_random(d->board) % (width * 8u));
            }
            continue;
        }
        n = e;
        stop = u;
        break;
    }

    uint32_t pos = 0;
    uint32_t retries = 0;
    sim_dap_ack ack = SIM_DAP_OK;
    sim_dap_charge(d, 1); /* TAR/CSW setup */
    while (pos < stop * width) {
        uint32_t got = 0;
        uint32_t want = stop * width - pos;
        sim_access a = is_read ? sim_mem_read(d->board, addr + pos, rbuf + pos, want, width, &got)
                               : sim_mem_write(d->board, addr + pos, wbuf + pos, want, width, &got);
        sim_dap_charge(d, got / width + (a == SIM_ACC_OK ? 0 : 1));
        pos += got;
        if (a == SIM_ACC_OK)
            break;
        if (a == SIM_ACC_WAIT && retries++ < d->wait_retries)
            continue; /* the firmware retries a WAIT acknowledge a bounded number of times */
        ack = access_ack(a);
        break;
    }
    if (ack == SIM_DAP_OK && n != NOISE_NONE) {
        ack = noise_ack(n);
        /* A WAIT acknowledge is retried by the firmware before it gives up. */
        sim_dap_charge(d, n == NOISE_WAIT ? d->wait_retries + 1u : 1u);
    }
    if (is_read && flip_unit != UINT32_MAX && flip_unit * width < pos) {
        uint8_t *p = rbuf + flip_unit * width;
        for (unsigned b = 0; b < width; b++)
            p[b] ^= (uint8_t)(flip_mask >> (8 * b));
    }
    if (done)
        *done = pos;
    if (ack != SIM_DAP_OK) {
        d->fault_addr = addr + pos;
        if (is_read)
            memset(rbuf + pos, 0, len - pos);
    }
    return ack;
}

sim_dap_ack sim_dap_mem_read(sim_dap *d, uint32_t addr, uint8_t *buf, uint32_t len, unsigned width,
                             uint32_t *done)
{
    return mem_access(d, true, addr, buf, NULL, len, width, done);
}

sim_dap_ack sim_dap_mem_write(sim_dap *d, uint32_t addr, const uint8_t *buf, uint32_t len,
                              unsigned width, uint32_t *done)
{
    return mem_access(d, false, addr, NULL, buf, len, width, done);
}

sim_dap_ack sim_dap_read32(sim_dap *d, uint32_t addr, uint32_t *value)
{
    uint8_t b[4] = {0};
    sim_dap_ack ack = sim_dap_mem_read(d, addr, b, 4, 4, NULL);
    *value = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return ack;
}

sim_dap_ack sim_dap_write32(sim_dap *d, uint32_t addr, uint32_t value)
{
    uint8_t b[4] = {(uint8_t)value, (uint8_t)(value >> 8), (uint8_t)(value >> 16),
                    (uint8_t)(value >> 24)};
    return sim_dap_mem_write(d, addr, b, 4, 4, NULL);
}

sim_dap_ack sim_dap_read_dpidr(sim_dap *d, uint32_t *idcode)
{
    /* Line reset (>= 50 cycles high, 2 idle) + IDCODE read: about 3 transfers of time. */
    sim_dap_charge(d, 3);
    sim_access a = sim_dp_idcode(d->board, idcode);
    if (a == SIM_ACC_OK)
        return SIM_DAP_OK;
    *idcode = 0;
    return access_ack(a);
}

sim_dap_ack sim_dap_connect(sim_dap *d, uint32_t *dpidr)
{
    d->ctrl = d->select = d->rdbuff = d->tar = 0;
    d->csw = CSW_RESET;
    d->line = SIM_DAP_LINE_RESET;
    sim_dap_ack ack = sim_dap_read_dpidr(d, dpidr);
    if (ack == SIM_DAP_OK)
        d->line = SIM_DAP_LINE_READY;
    return ack;
}

/* --- The wire: line resets and the JTAG-to-SWD switch ------------------------------ */

static void line_bit(sim_dap *d, unsigned bit)
{
    if (bit) {
        d->ones++;
    } else {
        if (d->ones >= LINE_RESET_ONES) {
            /* A line reset: the SW-DP waits for a DPIDR read. An SWJ-DP still in JTAG mode
             * needs the switch sequence first (it may already be in the bits that follow). */
            if (d->line != SIM_DAP_LINE_JTAG)
                d->line = SIM_DAP_LINE_RESET;
            d->after_reset = 0;
            d->shift = 0;
        }
        d->ones = 0;
    }
    if (d->after_reset < 16) {
        d->shift |= (uint32_t)bit << d->after_reset;
        if (++d->after_reset == 16 && d->shift == JTAG_TO_SWD)
            d->line = SIM_DAP_LINE_RESET; /* SWD selected; a line reset must follow */
    }
    if (bit && d->ones >= LINE_RESET_ONES) {
        d->after_reset = 0; /* still inside the ones: the sequence starts after them */
        d->shift = 0;
        if (d->line != SIM_DAP_LINE_JTAG)
            d->line = SIM_DAP_LINE_RESET;
    }
}

void sim_dap_swj_sequence(sim_dap *d, const uint8_t *bits, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++)
        line_bit(d, (bits[i / 8] >> (i % 8)) & 1u);
    charge_cycles(d, count);
}

void sim_dap_idle(sim_dap *d, uint32_t cycles)
{
    for (uint32_t i = 0; i < cycles && i < 64; i++)
        line_bit(d, 0);
    charge_cycles(d, cycles);
}

/* --- DP and AP registers ------------------------------------------------------------ */

/* The core's CPUID part number (0 when unreadable). */
static unsigned cpuid_part(sim_dap *d)
{
    uint8_t b[4] = {0};
    if (sim_mem_read(d->board, 0xE000ED00u, b, 4, 4, NULL) != SIM_ACC_OK)
        return 0;
    return ((unsigned)b[0] >> 4 | (unsigned)b[1] << 4) & 0xFFFu;
}

/* AHB-AP identification by core (CPUID part number), from the cores' TRMs. */
static uint32_t ap_idr(sim_dap *d)
{
    switch (cpuid_part(d)) {
    case 0xC20: /* Cortex-M0 */
    case 0xC60: /* Cortex-M0+ */
        return 0x04770031u;
    case 0xC27: /* Cortex-M7 */
        return 0x74770001u;
    default: /* Cortex-M3, M4 */
        return 0x24770011u;
    }
}

uint32_t sim_dap_tar_wrap(sim_dap *d)
{
    if (d->tar_wrap != 0)
        return d->tar_wrap;
    unsigned part = cpuid_part(d);
    uint32_t wrap = part == 0xC23 || part == 0xC24 ? SIM_DAP_TAR_WRAP_M4 : SIM_DAP_TAR_WRAP;
    if (part != 0) /* a core that reads as zeros (dead core domain) is asked again */
        d->tar_wrap = wrap;
    return wrap;
}

/* One memory unit through DRW or a banked data register: the AP repeats nothing itself;
 * the probe's firmware repeats a WAIT-ed transfer up to wait_retries times. */
static sim_dap_ack unit_access(sim_dap *d, bool write, uint32_t addr, unsigned width,
                               uint32_t *value)
{
    addr &= ~(uint32_t)(width - 1);
    unsigned lane = (addr & 3u) * 8u;
    uint8_t b[4] = {0};
    if (write) {
        uint32_t v = *value >> lane;
        for (unsigned i = 0; i < width; i++)
            b[i] = (uint8_t)(v >> (8 * i));
    }
    for (uint32_t tries = 0;; tries++) {
        sim_access a = write ? sim_mem_write(d->board, addr, b, width, width, NULL)
                             : sim_mem_read(d->board, addr, b, width, width, NULL);
        if (a == SIM_ACC_WAIT && tries < d->wait_retries) {
            sim_dap_charge(d, 1);
            continue;
        }
        if (a != SIM_ACC_OK) {
            sim_dap_ack ack = access_ack(a);
            if (ack == SIM_DAP_FAULT) {
                d->ctrl |= SIM_DP_CTRL_STICKYERR;
                d->fault_addr = addr;
            }
            return ack;
        }
        break;
    }
    if (!write) {
        uint32_t v = 0;
        for (unsigned i = 0; i < width; i++)
            v |= (uint32_t)b[i] << (8 * i);
        *value = v << lane;
    }
    return SIM_DAP_OK;
}

static sim_dap_ack ap_access(sim_dap *d, bool write, uint32_t reg, uint32_t *value)
{
    if ((d->select >> 24) != 0) {
        /* Only AP 0 exists: other APs read as zero, as an empty AP slot does. */
        if (!write)
            *value = 0;
        return SIM_DAP_OK;
    }
    switch (reg) {
    case SIM_AP_CSW:
        if (write)
            d->csw = (*value & ~0x80u) | CSW_DEVICEEN;
        else
            *value = d->csw;
        return SIM_DAP_OK;
    case SIM_AP_TAR:
        if (write)
            d->tar = *value;
        else
            *value = d->tar;
        return SIM_DAP_OK;
    case SIM_AP_DRW: {
        unsigned size = d->csw & CSW_SIZE_MASK;
        if (size > 2)
            return SIM_DAP_ERROR;
        unsigned width = 1u << size;
        uint32_t inc = d->csw & CSW_ADDRINC_MASK;
        /* Packed (ADIv5 C2.2.7): one DRW access is a word's worth of units, each on its
         * byte lane, TAR incremented after each; with word size it is the single mode. */
        unsigned units = inc == CSW_ADDRINC_PACKED ? 4u / width : 1u;
        uint32_t word = write ? *value : 0;
        sim_dap_ack ack = SIM_DAP_OK;
        for (unsigned u = 0; u < units && ack == SIM_DAP_OK; u++) {
            uint32_t v = word;
            ack = unit_access(d, write, d->tar, width, &v);
            if (!write && ack == SIM_DAP_OK)
                word |= v;
            if (ack == SIM_DAP_OK && (inc == CSW_ADDRINC_SINGLE || inc == CSW_ADDRINC_PACKED)) {
                uint32_t next = d->tar + width, wrap = sim_dap_tar_wrap(d);
                d->tar = (d->tar & ~(wrap - 1)) | (next & (wrap - 1));
            }
        }
        if (!write)
            *value = word;
        return ack;
    }
    case SIM_AP_BD0:
    case SIM_AP_BD0 + 4:
    case SIM_AP_BD0 + 8:
    case SIM_AP_BD0 + 12:
        return unit_access(d, write, (d->tar & ~0xFu) + (reg - SIM_AP_BD0), 4, value);
    case SIM_AP_CFG:
        if (!write)
            *value = 0; /* little endian, no large data/address */
        return SIM_DAP_OK;
    case SIM_AP_BASE:
        if (!write)
            *value = sim_board_ap_base(d->board); /* the first ROM table */
        return SIM_DAP_OK;
    case SIM_AP_IDR:
        if (!write)
            *value = ap_idr(d);
        return SIM_DAP_OK;
    default:
        if (!write)
            *value = 0;
        return SIM_DAP_OK;
    }
}

static sim_dap_ack dp_access(sim_dap *d, bool write, uint32_t reg, uint32_t *value)
{
    uint32_t id = 0;
    if (sim_dp_idcode(d->board, &id) != SIM_ACC_OK)
        return SIM_DAP_NO_ACK; /* unpowered, pins disabled, RDP 2: nothing answers */
    switch (reg) {
    case SIM_DP_DPIDR:
        if (write) { /* ABORT */
            if (*value & SIM_DP_ABORT_STKERRCLR)
                d->ctrl &= ~SIM_DP_CTRL_STICKYERR;
            if (*value & SIM_DP_ABORT_STKCMPCLR)
                d->ctrl &= ~SIM_DP_CTRL_STICKYCMP;
            if (*value & SIM_DP_ABORT_WDERRCLR)
                d->ctrl &= ~SIM_DP_CTRL_WDATAERR;
            if (*value & SIM_DP_ABORT_ORUNCLR)
                d->ctrl &= ~SIM_DP_CTRL_STICKYORUN;
            return SIM_DAP_OK;
        }
        if (sim_dp_idcode(d->board, value) != SIM_ACC_OK)
            return SIM_DAP_NO_ACK;
        return SIM_DAP_OK;
    case SIM_DP_CTRL_STAT:
        if ((d->select & 0xFu) != 0) { /* DPBANKSEL: only bank 0 on a DPv1 */
            if (!write)
                *value = 0;
            return SIM_DAP_OK;
        }
        if (write) {
            d->ctrl = (d->ctrl & CTRL_STICKY_ANY) |
                      (*value & (SIM_DP_CTRL_CDBGPWRUPREQ | SIM_DP_CTRL_CSYSPWRUPREQ));
            return SIM_DAP_OK;
        }
        /* acknowledges follow the requests (bits 29, 31) */
        *value = d->ctrl | ((d->ctrl & SIM_DP_CTRL_CDBGPWRUPREQ) << 1) |
                 ((d->ctrl & SIM_DP_CTRL_CSYSPWRUPREQ) << 1);
        return SIM_DAP_OK;
    case SIM_DP_SELECT:
        if (write)
            d->select = *value;
        else
            *value = d->rdbuff; /* RESEND */
        return SIM_DAP_OK;
    case SIM_DP_RDBUFF:
        if (!write)
            *value = d->rdbuff;
        return SIM_DAP_OK; /* write: TARGETSEL, ignored on a DPv1 */
    default:
        return SIM_DAP_ERROR;
    }
}

sim_dap_ack sim_dap_transfer(sim_dap *d, bool ap, bool read, uint8_t addr, uint32_t *value)
{
    uint32_t dummy = 0;
    if (value == NULL)
        value = &dummy;
    sim_dap_charge(d, 1);
    bool dpidr_read = !ap && read && addr == SIM_DP_DPIDR;
    /* The SWJ-DP answers SWD only once selected, and after a line reset only a DPIDR read. */
    if (d->line == SIM_DAP_LINE_JTAG || (d->line == SIM_DAP_LINE_RESET && !dpidr_read))
        return SIM_DAP_NO_ACK;
    /* A sticky flag makes the DP answer FAULT to everything but reads of DPIDR and
     * CTRL/STAT and writes of ABORT (ADIv5 B4.2.2). */
    bool exempt = !ap && ((read && (addr == SIM_DP_DPIDR || addr == SIM_DP_CTRL_STAT)) ||
                          (!read && addr == SIM_DP_DPIDR));
    if ((d->ctrl & CTRL_STICKY_ANY) && !exempt)
        return SIM_DAP_FAULT;
    noise n = roll_noise(d, read);
    switch (n) {
    case NOISE_WAIT:
        /* the target's bus stays stalled past the probe's WAIT retries */
        sim_dap_charge(d, d->wait_retries);
        return SIM_DAP_WAIT;
    case NOISE_FAULT:
        return SIM_DAP_NO_ACK; /* a garbled request: the target does not answer */
    case NOISE_PARITY:
        if (!read) {
            /* bad write data parity: acknowledged OK, discarded, WDATAERR set */
            d->ctrl |= SIM_DP_CTRL_WDATAERR;
            return SIM_DAP_OK;
        }
        break;
    default:
        break;
    }
    sim_dap_ack ack = ap ? ap_access(d, !read, (d->select & 0xF0u) | (addr & 0xCu), value)
                         : dp_access(d, !read, addr & 0xCu, value);
    if (ack == SIM_DAP_OK && dpidr_read)
        d->line = SIM_DAP_LINE_READY;
    if (ack == SIM_DAP_OK && read && ap)
        d->rdbuff = *value;
    if (ack == SIM_DAP_OK && read && n == NOISE_FLIP)
        *value ^= 1u << (sim_board_random(d->board) % 32u);
    if (ack == SIM_DAP_OK && read && n == NOISE_PARITY)
        return SIM_DAP_PARITY;
    return ack;
}
