/* stprog — a target chip behind a debug probe: attach, identify, core control, and the
 * flash/option-byte facts the operations (stprog/ops.h) work on. Opaque handle; the debug
 * access it runs on comes from stp_probe_open (stprog/probe.h). */
#ifndef STPROG_TARGET_H
#define STPROG_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stprog/finding.h"
#include "stprog/plan.h"
#include "stprog/status.h"

typedef struct stp_debug stp_debug;
typedef struct stp_target stp_target;

typedef enum stp_target_connect {
    STP_TARGET_CONNECT_NORMAL = 0,  /* attach and halt */
    STP_TARGET_CONNECT_UNDER_RESET, /* hold NRST, attach, catch the reset vector, release */
    STP_TARGET_CONNECT_HOT_PLUG,    /* attach without halting or resetting */
} stp_target_connect;

typedef enum stp_reset_mode {
    STP_RESET_HW = 0, /* pulse NRST */
    STP_RESET_SW,     /* AIRCR.SYSRESETREQ: whole chip */
    STP_RESET_CORE,   /* AIRCR.VECTRESET: core only (ARMv7-M) */
} stp_reset_mode;

typedef struct stp_target_options {
    stp_target_connect connect;
    unsigned psize_bits; /* 0 = choose from the measured voltage; 8/16/32/64 = force */
} stp_target_options;

typedef struct stp_target_info {
    uint32_t cpuid;
    const char *core; /* "Cortex-M4" */
    uint32_t idcode;  /* DBGMCU_IDCODE as read */
    uint16_t dev_id;
    uint16_t rev_id;
    const char *name;       /* "STM32F40x/F41x" */
    const char *family;     /* "F4" */
    const char *flash_kind; /* flash-controller family name */
    const char *reference_manual;
    uint32_t flash_base;
    uint32_t flash_kb;
    bool flash_size_read; /* false: the register was unreadable/implausible, size assumed */
    uint32_t flash_size_raw;
    uint32_t flash_size_addr;
    bool dual_bank;
    uint32_t sram_base;
    uint32_t sram_kb;   /* the device ID's smallest SRAM until stp_target_measure_sram */
    bool sram_measured; /* sram_kb was measured on this chip (stp_target_measure_sram) */
    bool uid_valid;
    uint8_t uid[12];
    double voltage;      /* volts measured by the probe; <= 0 when not measured */
    unsigned psize_bits; /* program width in use (8/16/32/64) */
} stp_target_info;

/* Attaches to the target behind dbg (which stays owned by the caller and must outlive the
 * target), identifies the chip and reads its flash geometry. */
stp_status stp_target_attach(stp_debug *dbg, const stp_target_options *opt, stp_target **out,
                             stp_findings *findings);
void stp_target_detach(stp_target *t);
const stp_target_info *stp_target_get_info(const stp_target *t);

/* Measures the contiguous SRAM at sram_base (no register holds its size: parts of one device
 * ID have from the chip table's smallest to several times more): the last word of each
 * candidate size is read, a bus fault marks the end. Updates the info's sram_kb and
 * sram_measured; where reads fail for another reason (link, ROM bootloader route) the table
 * value stays. */
stp_status stp_target_measure_sram(stp_target *t);

/* Flash erase units in address order (protected_ is filled from the option bytes when they
 * were read by stp_target_refresh_protection, false otherwise). */
size_t stp_target_region_count(const stp_target *t);
const stp_flash_region *stp_target_regions(const stp_target *t);
/* Reads the option bytes and marks write-protected regions. */
stp_status stp_target_refresh_protection(stp_target *t, stp_findings *findings);

/* Core control. */
stp_status stp_target_halt(stp_target *t, stp_findings *findings);
stp_status stp_target_run(stp_target *t, stp_findings *findings);
stp_status stp_target_step(stp_target *t, stp_findings *findings);
/* Resets; with halt, stops at the reset vector (vector catch). */
stp_status stp_target_reset(stp_target *t, stp_reset_mode mode, bool halt, stp_findings *findings);
stp_status stp_target_read_reg(stp_target *t, unsigned regno, uint32_t *val,
                               stp_findings *findings);
stp_status stp_target_write_reg(stp_target *t, unsigned regno, uint32_t val,
                                stp_findings *findings);
stp_status stp_target_read_mem(stp_target *t, uint32_t addr, void *buf, size_t len,
                               stp_findings *findings);
/* Starts the program whose vector table is at addr: the stack pointer and the reset
 * handler are taken from it and the core runs there. Over the ROM bootloader (uart:) this
 * is its Go command; the bootloader stops listening afterwards. */
stp_status stp_target_go(stp_target *t, uint32_t addr, stp_findings *findings);

/* --- Option bytes ---------------------------------------------------------------- */
/* 512: one unit per 2 KiB page of a 1 MiB STM32L476 (RM0351: WRP areas count pages). */
#define STP_WRP_BITS 512

typedef struct stp_option_bytes {
    int rdp_level;                 /* 0, 1 or 2 */
    uint8_t rdp_raw;               /* the RDP byte as stored */
    uint32_t wrp_bits;             /* how many bits of wrp are meaningful */
    uint32_t wrp_granule;          /* bytes one bit covers from the flash base; 0 = by sectors */
    uint32_t wrp_sectors_per_bit;  /* with wrp_granule 0: sectors per bit (0 means 1) */
    uint8_t wrp[STP_WRP_BITS / 8]; /* bit n set = unit n write-protected */
    int bor_level;                 /* -1: no BOR option on this family */
    uint32_t user;                 /* user option bits as the family stores them (see keys) */
    bool has_boot_addr;            /* F7 */
    uint16_t boot_add0, boot_add1;
    bool has_dual_bank; /* F7 nDBANK / L1 BFB2 etc. */
    bool dual_bank;
    uint32_t raw[8]; /* option registers as read, for --json and diagnosis */
    size_t raw_count;
    /* with wrp_granule 0: bit n = the sector the reference manual numbers n (F2/F4; differs
     * from the sector's position with F42x/F43x DB1M=1, where bank 2 starts at sector 12) */
    bool wrp_by_number;
} stp_option_bytes;

/* Whether protection unit n is write-protected in ob. */
bool stp_option_bytes_wrp(const stp_option_bytes *ob, uint32_t unit);

/* Reads and decodes the option bytes. */
stp_status stp_target_read_options(stp_target *t, stp_option_bytes *ob, stp_findings *findings);

/* A user-visible option field: name, value text, meaning (for show and set KEY=VALUE). */
typedef struct stp_option_field {
    char key[24];
    char value[48];
    char meaning[96];
} stp_option_field;
/* Fields of ob as this family names them (rdp, wrp, bor, ...). Returns the count. */
size_t stp_target_option_fields(const stp_target *t, const stp_option_bytes *ob,
                                stp_option_field *out, size_t max);

typedef struct stp_option_set_flags {
    bool unlock;    /* allow RDP 1 -> 0 (mass-erases the flash) */
    bool permanent; /* allow RDP 2 (irreversible) */
} stp_option_set_flags;

/* Applies KEY=VALUE assignments (rdp=0|1|2, wrp=MASK or wrp+=N / wrp-=N, bor=N, ...),
 * writes them with the family's sequence and reloads. */
stp_status stp_target_set_options(stp_target *t, const char *const *assignments, size_t count,
                                  const stp_option_set_flags *flags, stp_findings *findings);

#endif
