/* A fake board for the core tests: 64 KiB flash at 0x08000000 (aliased at 0, read-only
 * for the core), 64 KiB SRAM at 0x20000000, a register file at 0x40000000, a tiny flash
 * controller at 0x40023C00 (CR +0x10 bit0 PG, SR +0x0C bit16 BSY for two reads after a
 * program), bus faults elsewhere; SYSRESETREQ counts and resets the core. */
#ifndef FAKE_BOARD_H
#define FAKE_BOARD_H

#include "cpu.h"

#define FB_FLASH    0x08000000u
#define FB_FLASH_SZ 0x10000u
#define FB_SRAM     0x20000000u
#define FB_SRAM_SZ  0x10000u
#define FB_PERIPH   0x40000000u
#define FB_FLASHCTL 0x40023C00u
#define FB_MAX_LOG  8192

typedef struct fb_write {
    uint32_t addr, val;
    unsigned width;
} fb_write;

typedef struct fake_board {
    sim_cpu *cpu;
    uint8_t *flash, *sram;
    uint32_t periph[16];
    uint32_t flash_cr;
    unsigned flash_busy;
    unsigned sr_reads;
    unsigned resets;
    uint32_t sram_size;
    bool permissive; /* every 0x40000000-0x5FFFFFFF access is accepted (reads: last write) */
    fb_write log[FB_MAX_LOG];
    size_t nlog;
} fake_board;

fake_board *fb_new(stp_core_kind core);
/* A board running a firmware image (flash at 0x08000000, aliased at 0) with sram_size
 * bytes of SRAM and a permissive peripheral bus (for the example firmware). NULL when
 * the image cannot be read. */
fake_board *fb_new_image(stp_core_kind core, const char *path, uint32_t sram_size);
void fb_free(fake_board *b);
uint32_t fb_cpuid(stp_core_kind core);

/* Debugger-side helpers (what a probe does through the AP). */
uint32_t fb_rd(fake_board *b, uint32_t addr);
void fb_wr(fake_board *b, uint32_t addr, uint32_t val);
void fb_halt(fake_board *b);
void fb_resume(fake_board *b);
uint32_t fb_reg(fake_board *b, unsigned regsel);
void fb_set_reg(fake_board *b, unsigned regsel, uint32_t val);
/* Entry point n of the table at 0x200 in progs.bin. */
uint32_t fb_prog(fake_board *b, unsigned n);
/* Halts, points PC at entry (Thumb), SP at the top of the test stack, resumes. */
void fb_start(fake_board *b, uint32_t entry);
/* Runs in slices of 1000 cycles until halted or max cycles; returns cycles run. */
uint64_t fb_run_until_halt(fake_board *b, uint64_t max);

/* Entry points of progs.S, in the order of its table at 0x200. */
enum prog {
    P_COUNT = 0,
    P_BKPT,
    P_FLASH_STORE,
    P_MMIO,
    P_WFI,
    P_WATCH,
    P_STEP,
    P_UDF,
    P_RESET,
    P_SVC,
    P_COUNTDOWN,
    P_LOADER,
    P_SYSTICK,
    P_BUSFAULT,
    P_HARDFAULT,
    P_VECTRESET,
    P_RING,
    P_DEBUGEN,
    P_FP_SVC,
    P_HINT,
    P_BITBAND,
    P_USAGEFAULT,
    P_UNPRIV,
    P_STORE_ONCE,
};

#define DHCSR      0xE000EDF0u
#define DEMCR      0xE000EDFCu
#define DFSR       0xE000ED30u
#define AIRCR      0xE000ED0Cu
#define CPUID      0xE000ED00u
#define CFSR       0xE000ED28u
#define HFSR       0xE000ED2Cu
#define BFAR       0xE000ED38u
#define FP_CTRL    0xE0002000u
#define FP_COMP0   0xE0002008u
#define DWT_CTRL   0xE0001000u
#define DWT_CYCCNT 0xE0001004u
#define DWT_COMP0  0xE0001020u
#define DWT_MASK0  0xE0001024u
#define DWT_FUNC0  0xE0001028u

#define S_REGRDY (1u << 16)
#define S_HALT   (1u << 17)
#define S_SLEEP  (1u << 18)
#define S_LOCKUP (1u << 19)
#define S_RETIRE (1u << 24)
#define S_RESET  (1u << 25)

#endif
