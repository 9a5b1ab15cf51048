/* Flash loader that runs in the target's SRAM (built by `make loaders` into *_blob.h).
 *
 * The host unlocks the flash and enters programming mode (PG, PSIZE) itself, writes this
 * code and a parameter block into SRAM, points r0 at the block and runs the core. The loader
 * then programs buffers the host fills while it works: a ring of buffers, each headed by
 * {state, address, length, reserved}. The host writes the data, address and length, then
 * state = FULL; the loader programs the buffer unit by unit (width 1, 2 or 4 bytes) in bursts
 * of `burst` units written back to back (1, or a whole L1 half-page the host put the flash in
 * FPRG+PROG mode for), each burst followed by a wait on the busy bit and a check of every
 * error bit of the status register (a failure names the last unit of its burst), then
 * sets state = EMPTY and moves on to the next buffer. State END stops it. On an error it
 * records the failing address and status register value, marks the buffer FAIL and stops; the error
 * bits stay set in the status register, so the host decodes them exactly as on the direct path. It
 * always ends on a BKPT, which halts the core for the debugger.
 *
 * One source for every family; the build selects the core (-mcpu) and LDR_FAMILY_F7 adds the
 * data barrier the Cortex-M7's write buffer needs before the status register is read. */
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
    uint32_t fail_addr; /* failing unit (the last of its burst) */
    uint32_t fail_sr;   /* status register at that point */
    uint32_t done;      /* bytes programmed */
    uint32_t op;        /* LDR_OP_PROGRAM or LDR_OP_CRC */
    uint32_t crc;       /* address of the CRC unit (clock enabled by the host) */
    uint32_t burst;     /* units written back to back before one wait (L1 half-page: 32); 0 = 1 */
} ldr_params;

#define LDR_OP_PROGRAM 0u
#define LDR_OP_CRC     1u

void ldr_main(volatile ldr_params *p);

__attribute__((naked, section(".entry"))) void ldr_start(void)
{
    /* r0 = parameter block, sp set by the host. */
    __asm__ volatile("cpsid i\n"
                     "bl ldr_main\n"
                     "1: bkpt #0\n"
                     "b 1b\n");
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
#ifdef LDR_FAMILY_F7
    __asm__ volatile("dsb" ::: "memory");
#endif
}

/* CRC-32 of ranges with the CRC unit: buffer 0 holds {state, 0, count, 0} and then count
 * pairs {address, length}; each length (a multiple of 4) is replaced by the CRC of its range. */
static void ldr_crc(volatile ldr_params *p)
{
    volatile uint32_t *b = (volatile uint32_t *)p->bufs;
    volatile uint32_t *unit = (volatile uint32_t *)p->crc;
    const uint32_t n = b[2];
    for (uint32_t i = 0; i < n; i++) {
        const uint32_t *src = (const uint32_t *)b[4 + 2 * i];
        const uint32_t words = b[5 + 2 * i] / 4u;
        unit[2] = 1u; /* CRC_CR.RESET: DR = 0xFFFFFFFF */
        for (uint32_t w = 0; w < words; w++)
            unit[0] = src[w];
        b[5 + 2 * i] = unit[0];
    }
    p->result = LDR_OK;
}

void ldr_main(volatile ldr_params *p)
{
    if (p->op == LDR_OP_CRC) {
        ldr_crc(p);
        return;
    }
    const uint32_t unit = p->unit;
    uint32_t i = 0;
    for (;;) {
        volatile uint32_t *b = (volatile uint32_t *)(p->bufs + i * p->stride);
        uint32_t state;
        while ((state = b[0]) == LDR_EMPTY)
            ;
        if (state != LDR_FULL)
            break;
        const uint32_t len = b[2];
        uint32_t dst = b[1], n = 0;
        const uint8_t *src = (const uint8_t *)(b + 4), *end = src + len;
        while (src < end) {
            program_unit(dst, src, unit);
            dst += unit;
            src += unit;
            if (++n < p->burst && src < end)
                continue; /* the rest of the burst, back to back */
            n = 0;
            uint32_t v;
            while ((v = *(volatile uint32_t *)p->sr) & p->busy_mask)
                ;
            if (v & p->err_mask) {
                p->fail_addr = dst - unit;
                p->fail_sr = v;
                p->result = LDR_FAILED;
                b[0] = LDR_FAIL;
                return;
            }
        }
        p->done += len;
        b[0] = LDR_EMPTY;
        i = i + 1 == p->nbuf ? 0 : i + 1;
    }
    p->result = LDR_OK;
}
