/* Flash loader that runs in the target's SRAM (built by `make loaders` into *_blob.h).
 *
 * The host unlocks the flash and enters programming mode (PG, PSIZE) itself, writes this
 * code and a parameter block into SRAM, points r0 at the block and runs the core. The loader
 * then works through a ring of buffers the host fills while it works, each headed by
 * {state, address, length, command}. The host writes the rest, then state = FULL. Command
 * PROGRAM: the loader programs the buffer's length bytes at address unit by unit (width 1, 2
 * or 4 bytes) in bursts of `burst` units written back to back (1, or a whole L1 half-page
 * the host put the flash in FPRG+PROG mode for), each burst followed by a wait on the busy
 * bit and a check of every error bit of the status register (a failure names the last unit
 * of its burst). Command REGS (erase): the buffer holds `length` pairs {register,
 * value} the loader writes in order; register 0 means "wait until not busy and check every
 * error bit" (the host's erase sequence, e.g. F4 CR = SER|SNB|PSIZE, CR |= STRT, wait,
 * CR = PG|PSIZE), so the host streams the next buffers while a sector erases. Then state =
 * EMPTY and the next buffer. State END stops it. On an error it records the failing address
 * (the unit; for REGS the wait's value, else the buffer's address) and the status register, marks
 * the buffer FAIL and stops; the error bits stay set in the status register, so the host decodes
 * them exactly as on the direct path. It always ends on a BKPT, which halts the core for the
 * debugger.
 *
 * One source for every family, built once per instruction set (build.sh): the build selects
 * the core (-mcpu) and LDR_DSB adds the data barrier the Cortex-M7's write buffer needs before
 * the status register is read. */
#include <stdint.h>

#define LDR_EMPTY 0u
#define LDR_FULL  1u
#define LDR_END   2u
#define LDR_FAIL  3u /* buffer state after an error: the host stops streaming */

#define LDR_RUNNING 0xFFFFFFFFu
#define LDR_OK      0u
#define LDR_FAILED  1u

typedef struct ldr_params {
    uint32_t sr;        /* address of the flash status register */
    uint32_t busy_mask; /* BSY bit(s) */
    uint32_t err_mask;  /* every error bit */
    uint32_t unit;      /* program width in bytes: 1, 2 or 4 */
    uint32_t bufs;      /* address of buffer 0 */
    uint32_t stride;    /* bytes from one buffer header to the next */
    uint32_t nbuf;      /* buffers in the ring */
    uint32_t result;    /* LDR_RUNNING until the loader stops */
    uint32_t fail_addr; /* first unit that failed */
    uint32_t fail_sr;   /* status register at that point */
    uint32_t done;      /* bytes programmed */
    uint32_t op;        /* LDR_OP_PROGRAM or LDR_OP_CRC */
    uint32_t crc;       /* address of the CRC unit (clock enabled by the host) */
    uint32_t burst;     /* units written back to back before one wait (L1 half-page: 32); 0 = 1 */
    uint32_t iwdg;      /* IWDG_KR, or a scratch word when the host says not to reload it */
    uint32_t scratch;
} ldr_params;

/* The independent watchdog keeps counting while the loader runs (DBG_IWDG_STOP freezes it
 * only while the core is halted): the waits (every POLLS reads), every unit of a burst and
 * every eight CRC words reload it. From the disassembly, no stretch goes longer without a
 * reload than about 70 instructions (the M0+ build about 85): under 50 us even at the
 * slowest reset clock (the L1's 2.1 MHz MSI, counting 1.5 cycles per instruction), inside
 * the shortest period the hardware allows (RLR 0 with /4: one tick of LSI/4, 67 us with the
 * F1's LSI at its 60 kHz maximum, 71 us for the L1's 56 kHz, 125 us at 32 kHz). The key only
 * reloads a started watchdog: the counter of one not started does not run (RM0008, RM0090
 * IWDG functional description). */
#define IWDG_RELOAD 0xAAAAu
#define KICK(k)     (*(k) = IWDG_RELOAD)
#define POLLS       8u /* status polls (buffer polls: twice as many) between two reloads */

/* Waits while the busy bits are set, reloading the watchdog every POLLS reads (not every
 * read: a store per poll would double the bus traffic of the wait). Returns the last SR. */
static inline uint32_t wait_busy(volatile uint32_t *sr, uint32_t busy, volatile uint32_t *kick)
{
    uint32_t v;
    do {
        KICK(kick);
        uint32_t k = POLLS;
        while (((v = *sr) & busy) && --k)
            ;
    } while (v & busy);
    return v;
}

#define LDR_OP_PROGRAM 0u
#define LDR_OP_CRC     1u

#define LDR_CMD_PROGRAM 0u /* buffer command word (header word 3) */
#define LDR_CMD_REGS    1u

void ldr_main(volatile ldr_params *p);

__attribute__((naked, section(".entry"))) void ldr_start(void)
{
    /* r0 = parameter block, sp set by the host. */
    __asm__ volatile("cpsid i\n"
                     "bl ldr_main\n"
                     "1: bkpt #0\n"
                     "b 1b\n");
}

static inline void barrier(void)
{
#ifdef LDR_DSB
    __asm__ volatile("dsb" ::: "memory");
#endif
}

/* src is aligned to the unit: buffers start on 16-byte boundaries, offsets are whole units. */
static void program_unit(uint32_t dst, const uint8_t *src, uint32_t unit)
{
    if (unit == 4)
        *(volatile uint32_t *)dst = *(const uint32_t *)(const void *)src;
    else if (unit == 2)
        *(volatile uint16_t *)dst = *(const uint16_t *)(const void *)src;
    else
        *(volatile uint8_t *)dst = src[0];
    barrier();
}

/* CRC-32 of ranges with the CRC unit: buffer 0 holds {state, 0, count, 0} and then count
 * pairs {address, length}; each length (a multiple of 4) is replaced by the CRC of its range. */
static void ldr_crc(volatile ldr_params *p)
{
    volatile uint32_t *b = (volatile uint32_t *)p->bufs;
    volatile uint32_t *unit = (volatile uint32_t *)p->crc;
    volatile uint32_t *kick = (volatile uint32_t *)p->iwdg;
    const uint32_t n = b[2];
    for (uint32_t i = 0; i < n; i++) {
        const uint32_t *src = (const uint32_t *)b[4 + 2 * i];
        const uint32_t words = b[5 + 2 * i] / 4u;
        const uint32_t *end = src + words, *end8 = src + (words & ~7u);
        unit[2] = 1u;        /* CRC_CR.RESET: DR = 0xFFFFFFFF */
#if defined(__ARM_ARCH_6M__) /* Cortex-M0/M0+: LDM takes r0-r7 only, word by word below */
        (void)end8;
#else
        while (src < end8) { /* eight words a round (one LDM): the loop costs more than the unit */
            /* LDM fills registers in ascending order from ascending addresses */
            register uint32_t w0 __asm__("r4"), w1 __asm__("r5"), w2 __asm__("r6"),
                w3 __asm__("r7"), w4 __asm__("r8"), w5 __asm__("r9"), w6 __asm__("r10"),
                w7 __asm__("r11");
            __asm__ volatile("ldmia %[s]!, {%[a], %[b], %[c], %[d], %[e], %[f], %[g], %[h]}"
                             : [s] "+r"(src), [a] "=r"(w0), [b] "=r"(w1), [c] "=r"(w2),
                               [d] "=r"(w3), [e] "=r"(w4), [f] "=r"(w5), [g] "=r"(w6), [h] "=r"(w7)
                             :
                             : "memory");
            KICK(kick);
            unit[0] = w0;
            unit[0] = w1;
            unit[0] = w2;
            unit[0] = w3;
            unit[0] = w4;
            unit[0] = w5;
            unit[0] = w6;
            unit[0] = w7;
        }
#endif
        while (src < end) {
            if (((uint32_t)src & 31u) == 0)
                KICK(kick); /* every eight words */
            unit[0] = *src++;
        }
        b[5 + 2 * i] = unit[0];
    }
    p->result = LDR_OK;
}

static void fail(volatile ldr_params *p, volatile uint32_t *b, uint32_t addr, uint32_t sr)
{
    p->fail_addr = addr;
    p->fail_sr = sr;
    p->result = LDR_FAILED;
    b[0] = LDR_FAIL;
}

/* Waits until the flash is not busy; false (failure recorded, buffer b marked FAIL) when an
 * error bit is set. */
static inline int wait_ok(volatile ldr_params *p, volatile uint32_t *b, uint32_t addr,
                          volatile uint32_t *sr, uint32_t busy, uint32_t errs)
{
    const uint32_t v = wait_busy(sr, busy, (volatile uint32_t *)p->iwdg);
    if (!(v & errs))
        return 1;
    fail(p, b, addr, v);
    return 0;
}

/* REGS buffer: n pairs {register, value}; register 0 waits for the operation to end, its
 * value (when not 0) is the address a failure there names. */
static int run_regs(volatile ldr_params *p, volatile uint32_t *b, uint32_t addr, uint32_t n)
{
    volatile uint32_t *sr = (volatile uint32_t *)p->sr;
    for (uint32_t k = 0; k < n; k++) {
        const uint32_t reg = b[4 + 2 * k], val = b[5 + 2 * k];
        if (reg == 0) {
            if (!wait_ok(p, b, val != 0 ? val : addr, sr, p->busy_mask, p->err_mask))
                return 0;
            continue;
        }
        *(volatile uint32_t *)reg = val;
        barrier();
    }
    return 1;
}

void ldr_main(volatile ldr_params *p)
{
    if (p->op == LDR_OP_CRC) {
        ldr_crc(p);
        return;
    }
    volatile uint32_t *sr = (volatile uint32_t *)p->sr;
    volatile uint32_t *kick = (volatile uint32_t *)p->iwdg;
    const uint32_t busy = p->busy_mask, errs = p->err_mask, unit = p->unit;
    uint32_t i = 0;
    for (;;) {
        volatile uint32_t *b = (volatile uint32_t *)(p->bufs + i * p->stride);
        uint32_t state;
        do { /* the host fills the next buffer */
            KICK(kick);
            uint32_t k = 2 * POLLS;
            while ((state = b[0]) == LDR_EMPTY && --k)
                ;
        } while (state == LDR_EMPTY);
        if (state != LDR_FULL)
            break;
        const uint32_t addr = b[1], len = b[2];
        if (b[3] == LDR_CMD_REGS) {
            if (!run_regs(p, b, addr, len))
                return;
        } else {
            const uint8_t *src = (const uint8_t *)(p->bufs + i * p->stride + 16u);
            if (unit == 4 && p->burst <= 1) {
                /* The common case (x32), kept tight: store, wait, check. */
                const uint32_t *w = (const uint32_t *)(const void *)src;
                volatile uint32_t *dst = (volatile uint32_t *)addr;
                for (uint32_t k = 0; k < len / 4; k++) {
                    dst[k] = w[k];
                    barrier();
                    const uint32_t v = wait_busy(sr, busy, kick);
                    if (v & errs) {
                        fail(p, b, addr + 4 * k, v);
                        return;
                    }
                }
            } else {
                const uint32_t burst = p->burst;
                uint32_t n = 0;
                for (uint32_t off = 0; off < len;) {
                    KICK(kick); /* an L1 half-page burst is 32 stores long */
                    program_unit(addr + off, src + off, unit);
                    off += unit;
                    if (++n < burst && off < len)
                        continue; /* the rest of the burst, back to back */
                    n = 0;
                    if (!wait_ok(p, b, addr + off - unit, sr, busy, errs))
                        return;
                }
            }
            p->done += len;
        }
        b[0] = LDR_EMPTY;
        i = i + 1 == p->nbuf ? 0 : i + 1;
    }
    p->result = LDR_OK;
}
