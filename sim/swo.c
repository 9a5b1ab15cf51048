/* The virtual board's trace path: ITM -> TPIU -> the SWO pin -> the probe's receiver.
 *
 * ITM (ARMv7-M ARM, Appendix D "Debug ITM and DWT Packet Protocol"): a stimulus write the
 * ITM accepts becomes a source packet, header (port << 3) | size (1: one byte, 2: two, 3:
 * four) then the payload little-endian; with ITM_TCR.TSENA a local timestamp follows it
 * (format 1: header 0xC0, then the cycles since the last one, 7 bits a byte with a
 * continuation bit, TSPrescale applied); a write while the FIFO has no room is dropped and
 * an overflow packet (0x70) goes out before the next one. The FIFO's depth is left to the
 * implementation by ARM: the model holds ITM_FIFO_BYTES bytes besides the one on the wire,
 * and a stimulus port reads FIFOREADY while a largest packet (5 bytes) still fits.
 *
 * TPIU (Cortex-M3/M4 TRM "Trace Port Interface Unit"): TPIU_CSPSR, TPIU_ACPR (the SWO
 * prescaler), TPIU_SPPR (1 Manchester, reset; 2 NRZ), TPIU_FFCR (EnFCont, reset set),
 * TPIU_FFSR, TPIU_TYPE. In NRZ mode with the formatter off every byte leaves the pin as a
 * UART frame of 10 bits at TRACECLKIN / (ACPR + 1), TRACECLKIN being the core clock (the
 * STM32 reference manuals' "Debug support" chapters). The pin is driven only with
 * DBGMCU_CR.TRACE_IOEN (bit 5) set and TRACE_MODE (bits 7:6) 00, asynchronous (the same bits
 * in RM0008, RM0038, RM0090, RM0351, RM0410, RM0440).
 *
 * Not modelled: the formatter (with EnFCont set, or in Manchester mode, an NRZ receiver
 * gets garbage bytes here instead of frames or Manchester symbols), synchronisation and
 * DWT (PC sample, exception, data trace) packets, ITM_LAR, the synchronous trace port. */
#include <stdlib.h>
#include <string.h>

#include "swo_internal.h"

#define TPIU_CSPSR 0x004u
#define TPIU_ACPR  0x010u
#define TPIU_SPPR  0x0F0u
#define TPIU_FFSR  0x300u
#define TPIU_FFCR  0x304u
#define TPIU_TYPE  0xFC8u

#define FFCR_ENFCONT      (1u << 1)
#define SPPR_NRZ          2u
#define TCR_TSENA         (1u << 1)
#define DBGMCU_TRACE_IOEN (1u << 5)
#define DBGMCU_TRACE_MODE (3u << 6)

#define ITM_FIFO_BYTES 10u
#define MAX_PACKET     5u
#define SWO_KEEP       65536u /* bytes held for a receiver that has not taken them */
#define BAUD_TOLERANCE 0.03   /* a UART receiver more than this far off sees garbage */

typedef struct swo_byte {
    uint8_t v;
    bool driven;      /* the pin was driven when it left (TRACE_IOEN, asynchronous mode) */
    bool garbled;     /* not a clean NRZ byte (Manchester, formatter on) */
    uint64_t done_ns; /* when its stop bit ends */
} swo_byte;

typedef struct sim_swo {
    uint32_t cspsr, acpr, sppr, ffcr;
    swo_byte *q; /* ring: bytes on the line in order */
    size_t cap, head, count;
    uint64_t line_free_ns; /* when the transmitter has sent everything queued */
    bool overflow;         /* a write was dropped: 0x70 goes out next */
    bool ts_valid;
    uint64_t ts_last_ns;
    uint32_t listen_baud;
    uint64_t listen_from_ns;
} sim_swo;

static sim_swo *swo_of(sim_board *b)
{
    if (b->swo == NULL) {
        b->swo = calloc(1, sizeof(sim_swo));
        if (b->swo != NULL) {
            b->swo->cspsr = 1;
            b->swo->sppr = 1;
            b->swo->ffcr = 0x102u;
        }
    }
    return b->swo;
}

static bool has_trace(const sim_board *b)
{
    return b->chip->core != STP_CORE_M0 && b->chip->core != STP_CORE_M0P;
}

void sim_swo_free(sim_board *b)
{
    if (b->swo != NULL)
        free(b->swo->q);
    free(b->swo);
    b->swo = NULL;
}

bool sim_tpiu_read(sim_board *b, uint32_t addr, uint32_t *val)
{
    if (!has_trace(b) || addr < SIM_TPIU_BASE || addr >= SIM_TPIU_BASE + 0x1000u)
        return false;
    sim_swo *s = swo_of(b);
    if (s == NULL)
        return false;
    switch (addr - SIM_TPIU_BASE) {
    case 0x000: /* TPIU_SSPSR: port sizes supported, 1 to 4 */
        *val = 0xFu;
        return true;
    case TPIU_CSPSR:
        *val = s->cspsr;
        return true;
    case TPIU_ACPR:
        *val = s->acpr;
        return true;
    case TPIU_SPPR:
        *val = s->sppr;
        return true;
    case TPIU_FFSR:
        *val = 0x8u | ((s->ffcr & FFCR_ENFCONT) ? 0 : 0x2u); /* FtNonStop, FtStopped */
        return true;
    case TPIU_FFCR:
        *val = s->ffcr;
        return true;
    case TPIU_TYPE:
        *val = 0xCA1u; /* NRZ and Manchester valid, FIFO size (Cortex-M4 TPIU) */
        return true;
    default:
        return false; /* ID registers and the rest: coresight.c or RAZ */
    }
}

bool sim_tpiu_write(sim_board *b, uint32_t addr, uint32_t val)
{
    if (!has_trace(b) || addr < SIM_TPIU_BASE || addr >= SIM_TPIU_BASE + 0x1000u)
        return false;
    sim_swo *s = swo_of(b);
    if (s == NULL)
        return false;
    switch (addr - SIM_TPIU_BASE) {
    case TPIU_CSPSR:
        s->cspsr = val;
        return true;
    case TPIU_ACPR:
        s->acpr = val & 0x1FFFu;
        return true;
    case TPIU_SPPR:
        s->sppr = val & 3u;
        return true;
    case TPIU_FFCR:
        s->ffcr = val & 0x373u;
        return true;
    default:
        return true; /* read-only or not modelled: ignored */
    }
}

/* The time of the access being made: the core's instruction inside a run. */
static uint64_t now_ns(sim_board *b)
{
    return sim_clock_access_ns(b);
}

static uint64_t byte_ns(const sim_board *b, const sim_swo *s)
{
    uint64_t hz = b->core_hz ? b->core_hz : 1;
    return (10u * ((uint64_t)s->acpr + 1u) * SIM_NS_PER_S + hz - 1u) / hz;
}

/* Bytes queued that have not left the pin by t. */
static size_t pending_at(const sim_swo *s, uint64_t t)
{
    size_t n = 0;
    for (size_t i = s->count; i > 0; i--) {
        if (s->q[(s->head + i - 1) % s->cap].done_ns <= t)
            break;
        n++;
    }
    return n;
}

/* Drops bytes nobody will receive: gone before the receiver listened, or more than it
 * keeps. */
static void trim(sim_swo *s, uint64_t t)
{
    while (s->count > 0) {
        const swo_byte *x = &s->q[s->head];
        bool gone = x->done_ns <= t && (s->listen_baud == 0 || x->done_ns <= s->listen_from_ns);
        if (!gone && s->count <= SWO_KEEP)
            break;
        s->head = (s->head + 1) % s->cap;
        s->count--;
    }
}

static bool grow(sim_swo *s)
{
    if (s->count < s->cap)
        return true;
    size_t cap = s->cap ? s->cap * 2 : 256;
    swo_byte *q = malloc(cap * sizeof(*q));
    if (q == NULL)
        return false;
    for (size_t i = 0; i < s->count; i++)
        q[i] = s->q[(s->head + i) % s->cap];
    free(s->q);
    s->q = q;
    s->cap = cap;
    s->head = 0;
    return true;
}

static bool pin_driven(const sim_board *b)
{
    return has_trace(b) && (b->dbgmcu_cr & DBGMCU_TRACE_IOEN) &&
           (b->dbgmcu_cr & DBGMCU_TRACE_MODE) == 0;
}

/* One byte onto the line after everything queued. */
static void send_byte(sim_board *b, sim_swo *s, uint8_t v, uint64_t t)
{
    if (!grow(s))
        return;
    uint64_t start = s->line_free_ns > t ? s->line_free_ns : t;
    swo_byte *x = &s->q[(s->head + s->count) % s->cap];
    x->v = v;
    x->driven = pin_driven(b);
    x->garbled = s->sppr != SPPR_NRZ || (s->ffcr & FFCR_ENFCONT);
    x->done_ns = start + byte_ns(b, s);
    s->line_free_ns = x->done_ns;
    s->count++;
}

static void send_timestamp(sim_board *b, sim_swo *s, uint32_t tcr, uint64_t t)
{
    static const unsigned prescale[4] = {1, 4, 16, 64};
    uint64_t cycles = s->ts_valid ? (t - s->ts_last_ns) * b->core_hz / SIM_NS_PER_S : 0;
    s->ts_valid = true;
    s->ts_last_ns = t;
    cycles /= prescale[(tcr >> 8) & 3u];
    if (cycles > 0x0FFFFFFFu)
        cycles = 0x0FFFFFFFu;  /* 28 bits: the longest local timestamp */
    send_byte(b, s, 0xC0u, t); /* format 1, TC = 0: in step with the data */
    do {
        uint8_t v = (uint8_t)(cycles & 0x7Fu);
        cycles >>= 7;
        send_byte(b, s, (uint8_t)(v | (cycles ? 0x80u : 0)), t);
    } while (cycles != 0);
}

bool sim_itm_ready(sim_board *b)
{
    sim_swo *s = swo_of(b);
    return s == NULL || pending_at(s, now_ns(b)) + MAX_PACKET <= ITM_FIFO_BYTES;
}

void sim_itm_write(sim_board *b, unsigned port, uint32_t val, unsigned width, uint32_t tcr)
{
    sim_swo *s = swo_of(b);
    if (s == NULL || port > 31)
        return;
    uint64_t t = now_ns(b);
    trim(s, t);
    if (pending_at(s, t) + MAX_PACKET > ITM_FIFO_BYTES) {
        s->overflow = true; /* no room: the write is lost */
        return;
    }
    if (s->overflow) {
        send_byte(b, s, 0x70u, t);
        s->overflow = false;
    }
    unsigned size = width == 1 ? 1u : width == 2 ? 2u : 3u;
    send_byte(b, s, (uint8_t)(port << 3 | size), t);
    for (unsigned i = 0; i < width; i++)
        send_byte(b, s, (uint8_t)(val >> (8 * i)), t);
    if (tcr & TCR_TSENA)
        send_timestamp(b, s, tcr, t);
}

void sim_swo_listen(sim_board *b, uint32_t baud)
{
    sim_swo *s = swo_of(b);
    if (s == NULL)
        return;
    s->listen_baud = baud;
    s->listen_from_ns = b->now_ns;
    trim(s, b->now_ns);
}

size_t sim_swo_take(sim_board *b, uint8_t *out, size_t cap)
{
    sim_swo *s = b->swo;
    if (s == NULL || s->listen_baud == 0)
        return 0;
    trim(s, b->now_ns);
    uint64_t hz = b->core_hz ? b->core_hz : 1;
    double line_baud = (double)hz / ((double)s->acpr + 1.0);
    double off = (double)s->listen_baud / line_baud - 1.0;
    bool in_tune = off < BAUD_TOLERANCE && off > -BAUD_TOLERANCE;
    size_t n = 0;
    while (n < cap && s->count > 0 && s->q[s->head].done_ns <= b->now_ns) {
        const swo_byte *x = &s->q[s->head];
        s->head = (s->head + 1) % s->cap;
        s->count--;
        if (!x->driven)
            continue; /* the pin was not driven: the receiver saw an idle line */
        out[n++] = in_tune && !x->garbled ? x->v : (uint8_t)sim_board_random(b);
    }
    return n;
}
