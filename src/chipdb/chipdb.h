/* stprog — the chip database: one table of facts per device ID, as data, and one row of
 * facts per family that the device rows point to. Each row names the reference manual and
 * datasheet it was taken from. Used by the host side (target/, ops/) and by the virtual
 * board (sim/), so both agree on every address and timing. It is the bottom layer: it
 * includes nothing of the others.
 *
 * Adding a family = its family row and chip rows here, a flash driver (or the reuse of one:
 * flash_kind), a virtual-board model, tests: docs/architecture.md "Adding a family". */
#ifndef STP_CHIPDB_CHIPDB_H
#define STP_CHIPDB_CHIPDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum stp_core_kind {
    STP_CORE_M0 = 0,
    STP_CORE_M0P,
    STP_CORE_M3,
    STP_CORE_M4, /* with FPU (M4F) on every STM32 that has an M4 */
    STP_CORE_M7, /* with FPU */
    STP_CORE_M33,
} stp_core_kind;

/* Flash-controller family: selects the flash driver (target/flash_<kind>.c) and the
 * flash model (sim/flash_<kind>.c). */
typedef enum stp_flash_kind {
    STP_FLASH_F1 = 0, /* F0/F1/F3: half-word programming, page erase */
    STP_FLASH_F2F4,   /* F2/F4: PSIZE, sectors */
    STP_FLASH_F7,     /* F7: F4-like with ERSERR, single/dual bank */
    STP_FLASH_L1,     /* L0/L1: PECR/PEKEYR/PRGKEYR, word + half-page, page erase */
    STP_FLASH_L4,     /* L4/G0/G4: KEYR/CR/SR at 0x40022000, 64-bit double words, 2 KiB pages */
    STP_FLASH_H7,     /* H7: one register set per bank, 256-bit flash words through a buffer */
} stp_flash_kind;

/* The flash-controller kinds with their driver (src/target/drivers/flash_NAME.c defines
 * stp_flash_NAME) and virtual-board model (sim/families/flash_NAME.c defines
 * sim_flash_model_NAME). The registries of both are built from this list; a new kind is one
 * line here plus those two files. */
#define STP_FLASH_KINDS(X)                                                                         \
    X(STP_FLASH_F1, f1)                                                                            \
    X(STP_FLASH_F2F4, f4)                                                                          \
    X(STP_FLASH_F7, f7)                                                                            \
    X(STP_FLASH_L1, l1)                                                                            \
    X(STP_FLASH_L4, l4)                                                                            \
    X(STP_FLASH_H7, h7)

/* The loader instruction set a core runs (the SRAM flash loader is built once per set). */
typedef enum stp_isa {
    STP_ISA_ARMV6M = 0, /* Cortex-M0, M0+ */
    STP_ISA_ARMV7M,     /* Cortex-M3 */
    STP_ISA_ARMV7EM,    /* Cortex-M4 */
    STP_ISA_ARMV7EM_M7, /* Cortex-M7: stores to flash need a DSB before the status poll */
    STP_ISA_ARMV8M,     /* Cortex-M33 */
} stp_isa;

/* How the core clock follows from the RCC registers (the virtual board's clock model). */
typedef enum stp_clock_tree {
    STP_CLOCK_PLL_IN_CFGR = 0, /* PLLSRC/PLLMUL in RCC_CFGR (RM0008 7.3.2, RM0091 6.4.2) */
    STP_CLOCK_PLLCFGR,         /* RCC_PLLCFGR M/N/P (RM0090 7.3.2) */
    STP_CLOCK_MSI_RANGES,      /* MSI range in ICSCR, PLLMUL/PLLDIV in CFGR (RM0038 6.3) */
} stp_clock_tree;

/* How the flash-size register is decoded. */
typedef enum stp_fsize_decode {
    STP_FSIZE_KB16 = 0,   /* 16-bit value in KiB */
    STP_FSIZE_L1_LOWBYTE, /* low byte only, in KiB (L1 cat.2 0x429: bits 15:8 are undefined) */
    STP_FSIZE_L1_CAT3,    /* 0 => 384 KiB, 1 => 256 KiB (L1 0x436; RM0038 "Flash size register") */
} stp_fsize_decode;

/* Program parallelism index for F2/F4/F7 (PSIZE) and for timing tables. */
typedef enum stp_psize {
    STP_PSIZE_X8 = 0,
    STP_PSIZE_X16 = 1,
    STP_PSIZE_X32 = 2,
    STP_PSIZE_X64 = 3,
    STP_PSIZE_COUNT = 4,
} stp_psize;

/* One user option field: bits [shift, shift + width) of the option word the family's driver
 * decodes into stp_option_bytes.user. Width 1: a flag, meaning says what 0 or 1 does; wider:
 * a level up to max whose values are labelled in volts (BOR thresholds), or, without volt
 * labels, a code whose values meaning lists (NRST_MODE). */
typedef struct stp_option_def {
    const char *key; /* "nrst_stop" */
    uint8_t shift;
    uint8_t width;
    uint8_t max;
    const char *meaning;
    const char *volts[8];
} stp_option_def;

/* An address block [base, end) that the bus decodes. */
typedef struct stp_addr_span {
    uint32_t base, end;
} stp_addr_span;

/* Facts one family shares (F1 and F0 share a flash controller, not these). Each row names
 * the manual sections it was taken from (source). Register addresses are absolute unless
 * the name says offset. */
typedef struct stp_family {
    const char *source;
    /* Reset and clock control. */
    uint32_t rcc_base;
    uint32_t rcc_csr_off;   /* reset-flag register RCC_CSR (flags in bits 31:24 or 31:23) */
    uint32_t csr_rmvf;      /* its remove-flags bit */
    uint32_t csr_borrstf;   /* brown-out reset flag, 0 when the family has none */
    uint32_t csr_oblrstf;   /* option-byte-load reset flag, 0 when none */
    uint32_t csr_por_flags; /* the flags a power-on reset leaves */
    uint32_t crc_base;      /* CRC unit: CRC_DR, CRC_CR at +8 */
    uint32_t crc_en_off;    /* RCC register (offset) with the CRC clock enable */
    uint8_t crc_en_bit;     /*   and its bit */
    bool crc_programmable;  /* CRC_INIT, CRC_POL, POLYSIZE, REV_IN/OUT (F7) */
    /* Debug and watchdog. */
    uint8_t wdg_freeze_off;  /* DBG_IWDG_STOP's register: offset from idcode_addr */
    uint8_t wdg_freeze_bit;  /*   and its bit number */
    uint32_t dbgmcu_clk_reg; /* clock gate of the DBGMCU registers other than the ID code */
    uint32_t dbgmcu_clk_bit; /*   (G0: RCC_APBENR1.DBGEN), 0 where they are always clocked */
    bool iwdg_window;        /* IWDG_WINR exists: early reloads can reset the chip */
    uint32_t lsi_hz;         /* LSI typical (the IWDG's clock) */
    bool etm;                /* the core's ROM table lists an ETM (F2/F4/F7) */
    uint8_t cpuid_variant;   /* CPUID variant and revision of the family's core */
    uint8_t cpuid_revision;
    /* Flash programming. */
    stp_psize program_width; /* the native width, or the widest chosen from VDD */
    bool psize_by_vdd;       /* PSIZE chosen from the supply voltage (timing.psize_min_mv) */
    bool rdp_level2;         /* read protection level 2 exists */
    bool has_vcap;           /* VCAP pins with their capacitors (a doctor check) */
    const stp_option_def *user_options; /* the user option fields, in display order */
    uint8_t user_option_count;
    uint32_t optr_factory;  /* L4-style FLASH_OPTR as shipped (RDP level 0); L0: the
                             * FLASH_OPTR image of the shipped option words (USER half-word
                             * in 31:16, RDP half-word in 15:0); else 0 */
    uint32_t wrp_area_none; /* L4-style FLASH_WRPxyR with no area (STRT > END) */
    bool sr_cfgbsy;         /* L4-style FLASH_SR.CFGBSY (bit 18) busy with BSY */
    /* Flash ECC: width of the failing-address field (L4-style FLASH_ECCR.ADDR_ECC, H7
     * FLASH_ECC_FAR.FAIL_ECC_ADDR; 0: no flash ECC), whether it counts ECC words (G0 double
     * words, H7 flash words) instead of bytes (L4, G4), and the bit of FLASH_ECCR.BK_ECC (0:
     * none). The ECC word is chip->flash_word_bytes, or a double word where that is 0. */
    uint8_t ecc_addr_bits;
    bool ecc_addr_words;
    uint8_t ecc_bank_bit;
    /* Peripherals the virtual board models (RCC reset values, GPIO layout). */
    uint32_t rcc_cr_reset;
    uint32_t rcc_cfgr_off;
    uint32_t rcc_resets[4][2]; /* other non-zero reset values: {offset, value}, 0-ended */
    uint8_t rcc_rdy_pairs[6];  /* RCC_CR ON bits whose RDY bit (ON+1) follows, 0xFF-ended */
    stp_clock_tree clock_tree;
    uint32_t gpio_en_off; /* RCC register (offset) with the GPIO port clock enables */
    uint8_t gpio_en_bit0; /*   bit of port A */
    uint32_t gpio_base;
    uint32_t gpio_stride;
    uint8_t gpio_ports;
    bool gpio_crl_crh;  /* F1 layout: CRL/CRH, IDR, ODR, BSRR, BRR, AFIO remap */
    uint32_t afio_mapr; /* F1 AFIO_MAPR (SWJ_CFG), else 0 */
    bool gpio_brr;      /* GPIOx_BRR at +0x28 in the MODER layout */
    /* The ROM bootloader has no mass erase (its Erase/Extended Erase NACK the global-erase
     * codes): L0/L1 (AN2606, the L1 bootloader's "important considerations": "Mass erase
     * command is not supported": erase the pages one by one, or set read protection and
     * remove it). */
    bool bootloader_no_mass_erase;
    /* The peripheral blocks in 0x40000000-0x5FFFFFFF that the family's parts decode (the
     * reference manuals' memory maps, "register boundary addresses", merged over the family's
     * parts where they differ): the virtual board bus-faults an access anywhere else there,
     * as the AHB/APB bridges answer an address no peripheral claims with an error (stlink-org
     * issue 1161: an L152RE at the L0's flash base 0x40022000 gives READDEBUGREG errors).
     * NULL: every address there decodes. */
    const stp_addr_span *periph_map;
    size_t periph_map_count;
    const char *periph_map_source;
    /* The independent watchdog's registers (IWDG_KR first): 0x40003000 on F1/F2/F4/F7/L1/L4/
     * G0/G4, IWDG1 at 0x58004800 on H7 (RM0433 "Memory map": 0x40003000 is reserved there). */
    uint32_t iwdg_base;
    /* The other flags of the reset-flag register: PINRSTF, PORRSTF (L4/G0/G4: BORRSTF, the
     * power-on one), SFTRSTF, IWDGRSTF, WWDGRSTF, LPWRRSTF (F1..G4 bits 26..31; H7 RCC_RSR
     * 22, 23, 24, 26, 28, 30), and the mask of every flag bit of the register. */
    uint32_t csr_pinrstf, csr_porrstf, csr_sftrstf, csr_iwdgrstf, csr_wwdgrstf, csr_lpwrrstf;
    uint32_t csr_flags;
    /* FLASH_SR bit set when a program operation meets a word that is not erased (L0
     * NOTZEROERR, bit 16: the word is not written; RM0377 "Flash status register"), 0 where
     * programming ORs the new bits in (L1). */
    uint32_t sr_notzero_err;
    /* F1-style option bytes (F0/F1/F3, RM0008 2.5, RM0091 4, RM0316 4): the RDP byte of
     * level 0 (0xA5 on F1, 0xAA on F0/F3, which also have level 2 at 0xCC) and the bit where
     * the USER byte starts in FLASH_OBR (2 on F1, 8 on F0/F3), DATA0 and DATA1 following it
     * 8 and 16 bits up. 0 in the families of other controllers. */
    uint8_t rdp_level0;
    uint8_t obr_user_shift;
} stp_family;

/* A block of RAM besides the loader's SRAM (sram_base): H7 ITCM, AXI SRAM, SRAM1-4, backup
 * SRAM. The virtual board maps each for the core and the debugger; a RAM block at address 0
 * takes the place of the boot alias there (H7 ITCM: the core boots from BOOT_ADD0). */
typedef struct stp_ram_area {
    uint32_t base;
    uint32_t size;
    const char *name;
    /* Where the same cells appear again inside the SRAM at sram_base (the block is aliased
     * there to make one contiguous range: L47x SRAM2 at 0x20018000, G4 CCM SRAM after
     * SRAM2), or 0 for a block of its own. */
    uint32_t alias;
} stp_ram_area;

#define STP_MAX_RUNS          4
#define STP_MAX_BANKS         2
#define STP_MAX_ERASE_CLASSES 6 /* F7 0x451: 16, 32, 64, 128, 256 KiB */
#define STP_MAX_FLASH_SIZES   8

/* count x size: e.g. {4, 16384} = four 16 KiB sectors. */
typedef struct stp_sector_run {
    uint16_t count;
    uint32_t size;
} stp_sector_run;

/* One bank: base address and its erase units in address order. */
typedef struct stp_bank_layout {
    uint32_t base;
    uint16_t first_sector_number; /* number used in the controller's SNB field */
    /* The reference manual's number of the bank's first sector where it is not the SNB
     * (F42x/F43x, F469/F479, F76x/F77x bank 2: sector 12 is SNB 16), else 0. */
    uint16_t first_manual_number;
    stp_sector_run runs[STP_MAX_RUNS];
} stp_bank_layout;

/* The largest layout of the device ID; smaller flash sizes use a prefix of it (per bank). */
typedef struct stp_flash_layout {
    uint8_t bank_count;
    stp_bank_layout banks[STP_MAX_BANKS];
} stp_flash_layout;

/* Erase time for one sector size, typical and maximum, per parallelism (ms; 0 = n/a). */
typedef struct stp_erase_timing {
    uint32_t sector_size;
    uint32_t typ_ms[STP_PSIZE_COUNT]; /* typ_us rounded to nearest ms */
    uint32_t max_ms[STP_PSIZE_COUNT]; /* max_us rounded up to whole ms */
    uint32_t typ_us[STP_PSIZE_COUNT]; /* exact (L1 page erase is 3.28 ms) */
    uint32_t max_us[STP_PSIZE_COUNT];
} stp_erase_timing;

/* Datasheet flash timings. For families without PSIZE only the index of their native
 * width is filled (F1: X16 half-word; L1: X32 word). */
typedef struct stp_flash_timing {
    uint32_t program_typ_ns[STP_PSIZE_COUNT]; /* one program operation of that width */
    uint32_t program_max_ns[STP_PSIZE_COUNT];
    uint32_t block_program_bytes;  /* L1 half-page size, else 0 */
    uint32_t block_program_typ_ns; /* L1 half-page program time */
    stp_erase_timing erase[STP_MAX_ERASE_CLASSES];
    uint32_t mass_erase_typ_ms[STP_PSIZE_COUNT];
    uint32_t mass_erase_max_ms[STP_PSIZE_COUNT];
    uint16_t psize_min_mv[STP_PSIZE_COUNT]; /* lowest VDD for each PSIZE (F2/F4/F7) */
    uint32_t block_program_max_ns;          /* L1 half-page program time, maximum */
} stp_flash_timing;

typedef struct stp_chip {
    uint16_t dev_id;    /* DBGMCU_IDCODE[11:0] */
    const char *name;   /* "STM32F40x/F41x" */
    const char *family; /* "F4" */
    stp_core_kind core;
    stp_flash_kind flash_kind;
    uint32_t idcode_addr;    /* DBGMCU_IDCODE: 0xE0042000 (M3/M4/M7), 0x40015800 (M0) */
    uint32_t flash_base;     /* 0x08000000 */
    uint32_t flash_regs;     /* flash controller register base (FLASH_ACR) */
    uint32_t flash_size_reg; /* address of the flash-size register */
    stp_fsize_decode fsize_decode;
    uint16_t flash_sizes_kb[STP_MAX_FLASH_SIZES]; /* sizes this device ID exists in, 0-ended */
    uint16_t flash_default_kb;    /* size assumed when the register is unreadable/implausible */
    stp_flash_layout layout;      /* layout of the largest size (single-bank mode) */
    stp_flash_layout layout_dual; /* F7 0x451 nDBANK=0 / F4 0x419 DB1M; bank_count 0 if none */
    uint32_t wrp_granule;         /* bytes protected by one WRP bit (0 = per sector) */
    uint32_t sram_base;
    uint32_t sram_size;         /* contiguous SRAM at sram_base usable by loaders */
    uint32_t option_bytes_addr; /* option bytes in the memory map */
    uint32_t option_bytes_size;
    uint32_t uid_addr;            /* 96-bit unique ID (first word; see uid_word2_offset) */
    uint32_t bootloader_addr;     /* system memory (ROM bootloader) */
    uint8_t bootloader_version;   /* AN2606 protocol version byte, e.g. 0x31 */
    const char *bootloader_usart; /* "USART1 PA9(TX)/PA10(RX)" */
    uint16_t vdd_min_mv;          /* operating range from the datasheet */
    uint16_t vdd_max_mv;
    uint32_t reset_clock_hz; /* core clock after reset (HSI/MSI) */
    stp_flash_timing timing;
    const char *reference_manual; /* "RM0090 rev 19" */
    const char *datasheet;        /* "DS8626 rev 9 (STM32F405/407)" */
    /* Added after the first design (append-only): */
    uint8_t erased_value;        /* 0xFF, but 0x00 on L1 (its flash erases to zeros) */
    uint32_t flash_regs2;        /* second register set (F1 XL bank 2 at 0x40022040), or 0 */
    uint32_t option_bytes2_addr; /* bank-2 option bytes (F42x/F43x/F469 0x1FFEC000), or 0 */
    uint32_t option_bytes2_size;
    const char *bootloader_doc; /* "AN2606 rev 50" */
    uint8_t uid_word2_offset;   /* offset of the third UID word: 8, but 0x14 on L1 */
    uint32_t bootloader_size;   /* system memory bytes (on F1 it ends with the size register
                                   and unique ID) */
    uint32_t otp_addr;          /* one-time-programmable area (F2/F4/F7), or 0 */
    uint32_t otp_size;          /* OTP data bytes; the 16 lock bytes follow at otp_addr+size */
    /* F2/F4: nWRP bits in FLASH_OPTCR from bit 16; 0 = the 12 of RM0090 (nWRP[11:0]).
     * F413/F423 (RM0430): 15, nWRP[14:0], and the sectors from the last bit's on share it
     * (nWRP14 protects sectors 14 and 15). */
    uint8_t optcr_nwrp_bits;
    /* Supply current, typical (datasheet "Supply current characteristics": Run mode, code
     * from flash, peripherals off; "Flash memory characteristics": IDD while programming or
     * erasing, at the usual width): the core per MHz of its clock, and what a program or
     * erase operation adds. The virtual board's weak supply (supply=unstable) browns out
     * with odds that rise with the sum (docs/virtual-board.md "Supply"). */
    uint16_t run_ua_per_mhz;
    uint16_t flash_op_ua;
    const stp_family *fam;         /* the family's shared facts */
    uint8_t page_number_bits;      /* width of the controller's page-number fields (L4 PNB, WRP
                                    * STRT/END), 0 where the driver has none */
    const stp_ram_area *ram_areas; /* the other RAM blocks of the largest part, or NULL */
    uint8_t ram_area_count;
    /* Bytes one program operation writes (the flash word: 32 on H74x/H72x, 16 on H7A3), 0
     * where the width follows PSIZE or the family's native width. */
    uint8_t flash_word_bytes;
    /* L4-style controllers whose FLASH_CR.PNB is wider than the WRP page fields and numbers
     * bank-2 pages from the bank's first_sector_number (G0B1/G0C1: PNB[12:3], bank 2 pages
     * 256..; RM0444 FLASH_CR): the PNB width, else 0 (PNB is page_number_bits wide and counts
     * the pages inside the bank: L4, G4). */
    uint8_t pnb_bits;
    /* FLASH_CR.BKER's bit where it is not bit 11 (L4, G4): 13 on G0B1/G0C1 (RM0444), else 0. */
    uint8_t bker_bit;
    /* L4-style bank options: the option fields of the part line beside its family's (DUALBANK,
     * DBANK, DB1M, BFB2), shown and set after them; NULL where the line has none. */
    const stp_option_def *bank_options;
    uint8_t bank_option_count;
    /* The FLASH_OPTR bits that select the dual-bank layout (layout_dual) on the largest size
     * and on the smaller ones; 0 where that size is always dual (RM0351: 1 MiB L47x/L49x).
     * Only rows of the L4-style controller fill them (stp_chip_dual_bank_from_optr). */
    uint32_t dbank_mask_max;
    uint32_t dbank_mask_small;
    /* In single-bank mode the bank-2 WRP areas (WRP2AR/WRP2BR) guard the one bank too, four
     * areas in all (RM0440 cat. 3 and RM0432); else only WRP1AR/WRP1BR count there. */
    bool wrp_four_areas_single;
} stp_chip;

/* A part number users and the virtual board name (sim:stm32f407vg). */
typedef struct stp_part {
    const char *name; /* lower case, "stm32f407vg" */
    uint16_t dev_id;
    uint16_t rev_id; /* DBGMCU_IDCODE[31:16] the virtual board reports */
    uint16_t flash_kb;
    uint16_t sram_kb;
    bool dual_bank; /* default bank mode (F7 0x451 parts with nDBANK=0) */
} stp_part;

size_t stp_chip_count(void);
const stp_chip *stp_chip_at(size_t index);
/* Row for a device ID, or NULL. */
const stp_chip *stp_chip_by_dev_id(uint16_t dev_id);
/* Applies the F4 rev-A erratum: an M4 core reporting 0x411 is an F40x (0x413). */
const stp_chip *stp_chip_identify(uint16_t dev_id, uint32_t cpuid);

size_t stp_part_count(void);
const stp_part *stp_part_at(size_t index);
/* Case-insensitive; also with the marking's package, temperature and packing suffix
 * ("stm32f407vgt6", "STM32F103C8T6TR"). */
const stp_part *stp_part_by_name(const char *name);

/* Flash size in KiB from a raw register value, per the row's decoding; false when the
 * value is not one this device ID can have (never believe 27520 KB on a 128 KB part). */
bool stp_chip_decode_flash_size(const stp_chip *chip, uint32_t raw, uint32_t *kb_out);

/* Bits of the register's low half-word that the row's decoding ignores and that were set:
 * 0x6B00 for seed 004's 0x6B80 on an L1 cat.2 (where only bits 7:0 count), else 0.
 * Diagnosis uses it to explain why another tool showed 27520 KB. */
uint32_t stp_chip_fsize_ignored_bits(const stp_chip *chip, uint32_t raw);

/* Erase units of a device with flash_kb KiB (and dual-bank mode if asked), in address
 * order. Returns the count written (at most max), or the total count when out is NULL. */
typedef struct stp_sector {
    uint32_t addr;
    uint32_t size;
    uint16_t number; /* controller sector/page number (SNB: bank-2 sectors are 16+ on F42x/F7) */
    uint8_t bank;
    uint16_t index; /* position in the device, 0..count-1 */
    /* The reference manual's sector/page number, what users read and stprog shows: equal to
     * number except bank-2 sectors of F42x/F469/F76x (12.. in RM0090/RM0386/RM0410 while
     * SNB encodes them as 16..). */
    uint16_t manual_number;
} stp_sector;
size_t stp_chip_sectors(const stp_chip *chip, uint32_t flash_kb, bool dual_bank, stp_sector *out,
                        size_t max);

const char *stp_core_name(stp_core_kind core);
const char *stp_flash_kind_name(stp_flash_kind kind);
const char *stp_psize_name(stp_psize psize); /* "x8" .. "x64" */

/* Largest flash size of the row (KiB): the last entry of flash_sizes_kb. */
uint32_t stp_chip_max_flash_kb(const stp_chip *chip);
/* Bytes one flash ECC code covers (H7 flash word, L4/G0/G4 double word); 0: no flash ECC. */
uint32_t stp_chip_ecc_word(const stp_chip *chip);
/* True when kb is one of the sizes the device ID exists in. */
bool stp_chip_size_allowed(const stp_chip *chip, uint32_t kb);
/* Total bytes of a layout (all banks). */
uint32_t stp_layout_bytes(const stp_flash_layout *layout);
/* Writes a layout as text, e.g. "4x16K,1x64K,7x128K" or, with two banks,
 * "4x16K,1x64K,7x128K | 4x16K,1x64K,7x128K"; sizes below 1 KiB in bytes ("512x256").
 * Returns the length it needed (snprintf convention); "" for an empty layout. */
size_t stp_layout_format(const stp_flash_layout *layout, char *buf, size_t len);
/* The part's chip row, or NULL. */
const stp_chip *stp_part_chip(const stp_part *part);
/* Erase timing for a sector size, or NULL when the row has none. */
const stp_erase_timing *stp_chip_erase_timing(const stp_chip *chip, uint32_t sector_size);
/* The sector holding addr on a device of flash_kb KiB (and bank mode); false outside. */
bool stp_chip_sector_at(const stp_chip *chip, uint32_t flash_kb, bool dual_bank, uint32_t addr,
                        stp_sector *out);
/* Widest PSIZE usable at VDD mv without VPP where the family chooses it from VDD (F2/F4/F7:
 * x32 from 2.7 V, x16 from 2.1 V, x8 down to the x8 floor); STP_PSIZE_COUNT below that.
 * Families without PSIZE return their native width (F1 x16, L1 x32, L4 x64). */
stp_psize stp_chip_psize_for_mv(const stp_chip *chip, uint32_t mv);
/* The instruction set of a core (which SRAM loader build runs on it). */
stp_isa stp_core_isa(stp_core_kind core);
/* The devices' DBGMCU_IDCODE addresses for a core (from the chip rows), at most max: where
 * identification looks, in table order. Returns the count. */
size_t stp_idcode_addrs_for_core(stp_core_kind core, uint32_t *out, size_t max);
/* Address of the family's reset-flag register (RCC_CSR). */
uint32_t stp_chip_rcc_csr(const stp_chip *chip);
/* Whether an L4-style part of flash_kb KiB is in dual-bank mode with FLASH_OPTR = optr (the
 * row's dbank masks); false for rows without a dual-bank layout. */
bool stp_chip_dual_bank_from_optr(const stp_chip *chip, uint32_t flash_kb, uint32_t optr);
/* Cortex-M CPUID part number (CPUID[15:4]) of a core: 0xC20 (M0), 0xC23, 0xC24, 0xC27 ... */
uint16_t stp_core_cpuid_partno(stp_core_kind core);

#endif
