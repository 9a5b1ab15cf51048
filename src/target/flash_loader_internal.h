/* Internal to the SRAM flash loader's host side (flash_loader.c: set-up, waits, CRC;
 * flash_loader_stream.c: the ring stream of erases and data). The SRAM layout, from the
 * chip's sram_base:
 *   +0x000 loader code (<= 0x300 bytes)   +0x300 parameter block   +0x400 top of stack
 *   +0x400 buffer 0 {state, addr, count, cmd, payload}, buffer 1 ... to the end of SRAM */
#ifndef STP_TARGET_FLASH_LOADER_INTERNAL_H
#define STP_TARGET_FLASH_LOADER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "target/flash.h"
#include "target/iwdg.h"

#define CODE_MAX    0x300u
#define PARAMS_OFF  0x300u
#define STACK_TOP   0x400u
#define BUFS_OFF    0x400u
#define HDR_BYTES   16u
#define NBUF_MIN    2u
#define NBUF_MAX    32u
#define BUF_MAX     8192u
#define BUF_MIN     1024u
#define PARAM_WORDS 16u
#define ERASE_PAIRS 16u /* register writes of one unit's erase, the wait included */
/* Register writes of one erase entry: consecutive units share it (64 L1 pages need 4
 * entries, not 64 buffers and their USB exchanges). */
#define ERASE_BATCH_PAIRS 64u

/* Parameter block words (loader.c ldr_params). */
enum {
    P_SR,
    P_BUSY,
    P_ERRS,
    P_UNIT,
    P_BUFS,
    P_STRIDE,
    P_NBUF,
    P_RESULT,
    P_FAIL_ADDR,
    P_FAIL_SR,
    P_DONE,
    P_OP,
    P_CRC,
    P_BURST,
    P_IWDG, /* where the loader writes 0xAAAA in its waits: IWDG_KR or P_SCRATCH */
    P_SCRATCH
};

#define ST_EMPTY    0u
#define ST_FULL     1u
#define ST_END      2u
#define CMD_PROGRAM 0u
#define CMD_REGS    1u
#define RES_RUNNING 0xFFFFFFFFu
#define RES_OK      0u
#define RES_FAILED  1u

#define OP_PROGRAM 0u
#define OP_CRC     1u

#define REG_R0   0u
#define REG_SP   13u
#define REG_LR   14u
#define REG_PC   15u
#define REG_XPSR 16u

typedef struct ldr_session {
    stp_flash *f;
    stp_debug *d;
    uint32_t base, params, bufs, buf_size, stride, nbuf, op;
    /* What the stream will submit (0, 0, 0: unknown): erase entries, pieces and their bytes.
     * The ring gets only the buffers they can fill at once (each buffer marked empty, and
     * drained at the end, is a USB exchange); a CRC run marks none. */
    uint32_t ring_erases, ring_pieces;
    uint64_t ring_bytes;
    const char *doing;  /* what the loader is busy with, for a reset finding */
    uint32_t demcr;     /* DEMCR before the loader ran (restored by stp_ldr_unguard) */
    bool guarded;       /* the loader runs with reset and HardFault vector catch on */
    stp_iwdg_freeze fz; /* DBG_IWDG_STOP set for the session (put back by stp_ldr_unguard) */
} ldr_session;

static inline void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Writes and checks the loader and starts the core on it. *ok false: not usable (a warning
 * finding says why, or the family has none); the caller programs by direct writes. */
stp_status stp_ldr_setup(ldr_session *s, bool *ok);
/* Puts DEMCR and DBG_IWDG_STOP back as they were before the loader ran (best effort, after
 * any outcome). */
void stp_ldr_unguard(ldr_session *s);
/* Bytes the loader programs as one block (L1 half-page), 0 when it goes unit by unit. */
uint32_t stp_ldr_block_bytes(const stp_flash *f);
/* Polls a word in SRAM until it differs from busy_value (deadline on the probe's clock);
 * every few polls DHCSR is checked for a reset (stp_flash_check_reset). */
stp_status stp_ldr_wait_word(ldr_session *s, uint32_t addr, uint32_t busy_value, uint32_t *out,
                             uint32_t deadline_ms, const char *what);
/* Waits for the loader's result word, then for the core to halt on its BKPT. */
stp_status stp_ldr_wait_done(ldr_session *s, uint32_t deadline_ms, uint32_t *result);
/* The loader stopped answering: finding flash.timeout, STP_ERR_TIMEOUT. */
stp_status stp_ldr_stalled(ldr_session *s, const char *waiting_for, uint32_t deadline_ms);

#endif
