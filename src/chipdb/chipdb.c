/* stprog — the chip database: one row per device ID (data), plus the lookups over it.
 *
 * Every family's rows name the reference manual and datasheet they were taken from
 * (reference_manual / datasheet fields and the comment above the rows). Timings are the
 * datasheet "Flash memory characteristics" / "Flash memory programming" tables, stored in
 * microseconds (erase) and nanoseconds (program). docs/chips.md lists the sources. */
#include "chipdb/chipdb.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* ---- helpers for writing rows ------------------------------------------------------ */

#define KB(x)        ((uint32_t)(x)*1024u)
#define US2MS_TYP(x) (((x) + 500u) / 1000u)
#define US2MS_MAX(x) (((x) + 999u) / 1000u)
#define MS(x)        ((x)*1000u) /* milliseconds written as microseconds */

/* One erase class: typical and maximum per parallelism x8, x16, x32, x64 (microseconds). */
#define ERASE(sz, t8, t16, t32, t64, m8, m16, m32, m64)                                            \
    {                                                                                              \
        .sector_size = (sz),                                                                       \
        .typ_ms = {US2MS_TYP(t8), US2MS_TYP(t16), US2MS_TYP(t32), US2MS_TYP(t64)},                 \
        .max_ms = {US2MS_MAX(m8), US2MS_MAX(m16), US2MS_MAX(m32), US2MS_MAX(m64)},                 \
        .typ_us = {(t8), (t16), (t32), (t64)}, .max_us = {(m8), (m16), (m32), (m64)},              \
    }

/* F2/F4/F7 sector erase classes. x8/x16/x32 from the "Flash memory characteristics" table;
 * x64 from the "Flash memory programming with VPP" table, which gives typical values only,
 * so its maximum is the x32 maximum. */
#define F4_ERASE_16K                                                                               \
    ERASE(KB(16), MS(400), MS(300), MS(250), MS(230), MS(800), MS(600), MS(500), MS(500))
#define F4_ERASE_64K                                                                               \
    ERASE(KB(64), MS(1200), MS(700), MS(550), MS(490), MS(2400), MS(1400), MS(1100), MS(1100))
#define F4_ERASE_128K                                                                              \
    ERASE(KB(128), MS(2000), MS(1300), MS(1000), MS(875), MS(4000), MS(2600), MS(2000), MS(2000))
#define F7_ERASE_32K                                                                               \
    ERASE(KB(32), MS(400), MS(300), MS(250), MS(230), MS(800), MS(600), MS(500), MS(500))
#define F7_ERASE_256K                                                                              \
    ERASE(KB(256), MS(4000), MS(2600), MS(2000), MS(1750), MS(8000), MS(5200), MS(4000), MS(4000))

/* F2/F4/F7: 16 us per program operation of any width, 100 us max; mass erase 16/11/8 s
 * (x8/x16/x32), 6.9 s with VPP (x64); PSIZE voltage floors (RM0090/RM0385 "Program/erase
 * parallelism" table). x8 floor: lo8 (1.7 V on F4/F7, 1.8 V on F2). */
#define F4_TIMING(lo8, ...)                                                                        \
    {                                                                                              \
        .program_typ_ns = {16000, 16000, 16000, 16000},                                            \
        .program_max_ns = {100000, 100000, 100000, 100000}, .erase = {__VA_ARGS__},                \
        .mass_erase_typ_ms = {16000, 11000, 8000, 6900},                                           \
        .mass_erase_max_ms = {32000, 22000, 16000, 16000},                                         \
        .psize_min_mv = {(lo8), 2100, 2700, 2700},                                                 \
    }

/* F1: one half-word program 52.5 us typ / 70 us max; page erase and mass erase 20 ms typ /
 * 40 ms max (DS5319 "Flash memory characteristics"; identical in the other F10x sheets). */
#define F1_TIMING(page)                                                                            \
    {                                                                                              \
        .program_typ_ns = {[STP_PSIZE_X16] = 52500}, .program_max_ns = {[STP_PSIZE_X16] = 70000},  \
        .erase = {ERASE((page), 0, MS(20), 0, 0, 0, MS(40), 0, 0)},                                \
        .mass_erase_typ_ms = {[STP_PSIZE_X16] = 20}, .mass_erase_max_ms = {[STP_PSIZE_X16] = 40},  \
    }

/* F0/F3: one half-word program 53.5 us typ / 60 us max (min 40 us); page and mass erase
 * 20 ms min / 40 ms max, the minimum stored as the typical as in the F1 rows (no typical is
 * given). DS9826 (F072) and DS9118 (F303xB/C) "Flash memory characteristics", as
 * remembered (the tables are not in the stored corpora); the other F0/F3 sheets give the
 * same figures. */
/* (Datasheet revisions in the rows below are the ones remembered, not re-read.) */
#define F0F3_TIMING(page)                                                                          \
    {                                                                                              \
        .program_typ_ns = {[STP_PSIZE_X16] = 53500}, .program_max_ns = {[STP_PSIZE_X16] = 60000},  \
        .erase = {ERASE((page), 0, MS(20), 0, 0, 0, MS(40), 0, 0)},                                \
        .mass_erase_typ_ms = {[STP_PSIZE_X16] = 20}, .mass_erase_max_ms = {[STP_PSIZE_X16] = 40},  \
    }

/* L1: word program, half-page (128 B) program and page (256 B) erase all 3.28 ms typ /
 * 3.94 ms max. No mass erase command (only RDP level 1 -> 0 regression erases all). */
#define L1_TIMING                                                                                  \
    {                                                                                              \
        .program_typ_ns = {[STP_PSIZE_X32] = 3280000},                                             \
        .program_max_ns = {[STP_PSIZE_X32] = 3940000}, .block_program_bytes = 128,                 \
        .block_program_typ_ns = 3280000, .block_program_max_ns = 3940000,                          \
        .erase = {ERASE(256, 0, 0, 3280, 0, 0, 0, 3940, 0)},                                       \
    }

/* L0: word program, half-page (64 B) program and page (128 B) erase all 3.2 ms typ / 3.9 ms
 * max (tprog, "Flash memory and data EEPROM characteristics" of DS10182 rev 9 (L053),
 * DS10685 rev 6 (L073), DS10668 rev 5 (L031), DS11012 rev 5 (L011): the same NVM in each;
 * as remembered, the tables are not in the stored corpora). No mass erase of the program
 * memory: RDP level 1 -> 0 erases it (RM0377 3.4.1 "Protection against unwanted
 * read/write"), which also erases the data EEPROM. */
#define L0_TIMING                                                                                  \
    {                                                                                              \
        .program_typ_ns = {[STP_PSIZE_X32] = 3200000},                                             \
        .program_max_ns = {[STP_PSIZE_X32] = 3900000}, .block_program_bytes = 64,                  \
        .block_program_typ_ns = 3200000, .block_program_max_ns = 3900000,                          \
        .erase = {ERASE(128, 0, 0, 3200, 0, 0, 0, 3900, 0)},                                       \
    }

/* L4/G0/G4: one 64-bit double-word program, one 2 KiB page erase, one mass erase (datasheet
 * "Flash memory characteristics": tprog 64-bit, tERASE, tME). Only the x64 index is
 * filled: these controllers program double words and nothing else (RM0351/RM0444/RM0440
 * "Flash program and erase operations"). */
#define L4_TIMING(p_typ_ns, p_max_ns, e_typ_us, e_max_us, me_typ_ms, me_max_ms)                    \
    {                                                                                              \
        .program_typ_ns = {[STP_PSIZE_X64] = (p_typ_ns)},                                          \
        .program_max_ns = {[STP_PSIZE_X64] = (p_max_ns)},                                          \
        .erase = {ERASE(KB(2), 0, 0, 0, (e_typ_us), 0, 0, 0, (e_max_us))},                         \
        .mass_erase_typ_ms = {[STP_PSIZE_X64] = (me_typ_ms)},                                      \
        .mass_erase_max_ms = {[STP_PSIZE_X64] = (me_max_ms)},                                      \
    }

/* The same with a second page size: the single-bank layout's larger pages (G4 cat. 3 4 KiB,
 * RM0440; L4+ 8 KiB beside 4 KiB, RM0432). One page erase is one tERASE whatever the page
 * size: the datasheets give a single "page erase time" row. */
#define L4_TIMING2(page1, page2, p_typ_ns, p_max_ns, e_typ_us, e_max_us, me_typ_ms, me_max_ms)     \
    {                                                                                              \
        .program_typ_ns = {[STP_PSIZE_X64] = (p_typ_ns)},                                          \
        .program_max_ns = {[STP_PSIZE_X64] = (p_max_ns)},                                          \
        .erase = {ERASE((page1), 0, 0, 0, (e_typ_us), 0, 0, 0, (e_max_us)),                        \
                  ERASE((page2), 0, 0, 0, (e_typ_us), 0, 0, 0, (e_max_us))},                       \
        .mass_erase_typ_ms = {[STP_PSIZE_X64] = (me_typ_ms)},                                      \
        .mass_erase_max_ms = {[STP_PSIZE_X64] = (me_max_ms)},                                      \
    }

#define AN2606          "AN2606 rev 50"
#define USART1_PA9_PA10 "USART1 PA9(TX)/PA10(RX)"
#define ONE_BANK(...)                                                                              \
    {                                                                                              \
        .bank_count = 1, .banks = { {.base = 0x08000000, .runs = {__VA_ARGS__}} }                  \
    }
#define F4_SECTORS(n128)                                                                           \
    {4, KB(16)}, {1, KB(64)},                                                                      \
    {                                                                                              \
        (n128), KB(128)                                                                            \
    }
#define F7_SECTORS(n256)                                                                           \
    {4, KB(32)}, {1, KB(128)},                                                                     \
    {                                                                                              \
        (n256), KB(256)                                                                            \
    }

/* ---- user option fields (the option-byte field table of each family) ----------------- */

#define OPT_FLAG(k, bit, m)                                                                        \
    {                                                                                              \
        .key = (k), .shift = (bit), .width = 1, .max = 1, .meaning = (m)                           \
    }
#define WDG_SW     "1: watchdog started by software"
#define NRST_STOP  "0: reset when entering Stop mode"
#define NRST_STDBY "0: reset when entering Standby mode"

/* F1: USER byte WDG_SW, nRST_STOP, nRST_STDBY (RM0008 2.5 "Option byte description"). F2/F4:
 * FLASH_OPTCR bits 7:5 (RM0090 3.9.10), decoded to bits 2:0. */
static const stp_option_def opts_f1[] = {
    OPT_FLAG("wdg_sw", 0, WDG_SW),
    OPT_FLAG("nrst_stop", 1, NRST_STOP),
    OPT_FLAG("nrst_stdby", 2, NRST_STDBY),
};

/* F0: USER byte (FLASH_OBR bits 15:8; RM0091 rev 10 4.1 "Option byte description",
 * 3.5.8 FLASH_OBR; RM0360 rev 5 4.1 for F030/F070): WDG_SW, nRST_STOP, nRST_STDBY, nBOOT1 4,
 * VDDA_MONITOR 5, RAM_PARITY_CHECK 6; on F04x/F09x also nBOOT0 3 and BOOT_SEL 7 (the boot
 * mode from nBOOT0 instead of the BOOT0 pin). Bits not listed stay 1 (reserved). */
#define F0_USER_FLAGS                                                                              \
    OPT_FLAG("wdg_sw", 0, WDG_SW), OPT_FLAG("nrst_stop", 1, NRST_STOP),                            \
        OPT_FLAG("nrst_stdby", 2, NRST_STDBY),                                                     \
        OPT_FLAG("nboot1", 4, "with BOOT0 high: 1 boots system memory, 0 SRAM"),                   \
        OPT_FLAG("vdda_monitor", 5, "1: VDDA supervisor on")
static const stp_option_def opts_f0[] = {
    F0_USER_FLAGS,
    OPT_FLAG("ram_parity_check", 6, "0: SRAM parity check on"),
};
static const stp_option_def opts_f04_f09[] = {
    F0_USER_FLAGS,
    OPT_FLAG("ram_parity_check", 6, "0: SRAM parity check on"),
    OPT_FLAG("nboot0", 3, "with boot_sel 0: the BOOT0 value (1: main flash)"),
    OPT_FLAG("boot_sel", 7, "1: BOOT0 pin, 0: nboot0 option bit selects the boot"),
};

/* F3: USER byte (FLASH_OBR bits 15:8; RM0316 rev 8 4.1, RM0313 rev 6 4.1, RM0366 rev 4 4.1):
 * as F0 but SRAM_PE 6 (F301/F318 reserved), and SDADC12_VDD_MONITOR 7 on F37x. */
static const stp_option_def opts_f3[] = {
    F0_USER_FLAGS,
    OPT_FLAG("sram_pe", 6, "0: SRAM parity check on"),
};
static const stp_option_def opts_f37[] = {
    F0_USER_FLAGS,
    OPT_FLAG("sram_pe", 6, "0: SRAM parity check on"),
    OPT_FLAG("sdadc12_vdd_monitor", 7, "1: SDADC1/2 VDDSD12 supervisor on"),
};

/* F7: FLASH_OPTCR user bits (RM0410 3.7.6). */
static const stp_option_def opts_f7[] = {
    OPT_FLAG("wwdg_sw", 4, "1: window watchdog started by software"),
    OPT_FLAG("iwdg_sw", 5, "1: independent watchdog started by software"),
    OPT_FLAG("nrst_stop", 6, NRST_STOP),
    OPT_FLAG("nrst_stdby", 7, NRST_STDBY),
    OPT_FLAG("ndboot", 28, "0: dual boot enabled"),
    OPT_FLAG("ndbank", 29, "1: single bank, 0: dual bank (F76x/F77x, 2 MB and 1 MB)"),
    OPT_FLAG("iwdg_stdby", 30, "0: IWDG frozen in Standby"),
    OPT_FLAG("iwdg_stop", 31, "0: IWDG frozen in Stop"),
};

/* L1: USER byte IWDG_SW, nRST_STOP, nRST_STDBY, BFB2 (RM0038 3.9.4 "FLASH_OBR"). */
static const stp_option_def opts_l1[] = {
    OPT_FLAG("iwdg_sw", 0, WDG_SW),
    OPT_FLAG("nrst_stop", 1, NRST_STOP),
    OPT_FLAG("nrst_stdby", 2, NRST_STDBY),
    OPT_FLAG("bfb2", 3, "1: boot from bank 2 when it holds a valid image"),
};

/* L0: the USER half-word of FLASH_OPTR (RM0377 3.7.8, RM0367 3.7.8 "Option bytes register"):
 * BOR_LEV[3:0] (bits 16-19, decoded apart), WDG_SW 20, nRST_STOP 21, nRST_STDBY 22, BFB2 23
 * (cat. 5 only), nBOOT1 31; decoded from bit 20 down (bit n of OPTR is bit n - 20 here) and
 * WPRMOD (bit 8 of the RDP half-word) as bit 12. Bit positions also in Black Magic Probe's
 * stm32l0.c (STM32L0_FLASH_OPTR_BOOT1 31, WDG_SW 20, WPRMOD 8). */
static const stp_option_def opts_l0[] = {
    OPT_FLAG("wdg_sw", 0, WDG_SW),
    OPT_FLAG("nrst_stop", 1, NRST_STOP),
    OPT_FLAG("nrst_stdby", 2, NRST_STDBY),
    OPT_FLAG("bfb2", 3, "1: boot from bank 2 when it holds a valid image (cat. 5)"),
    OPT_FLAG("nboot1", 11, "with BOOT0 high: 1 boots system memory, 0 SRAM"),
    OPT_FLAG("wprmod", 12, "1: the WRP bits select read protection of sectors (PCROP)"),
};

/* L4/G4: FLASH_OPTR (RM0351 3.7.8, RM0440 5.7.8): BOR_LEV[10:8] the reset threshold (BOR is
 * always on), nRST_STOP 12 .. WWDG_SW 19, nBOOT1 23. */
#define L4_OPTR_FLAGS(stop)                                                                        \
    OPT_FLAG("nrst_stop", (stop), NRST_STOP), OPT_FLAG("nrst_stdby", (stop) + 1, NRST_STDBY),      \
        OPT_FLAG("nrst_shdw", (stop) + 2, "0: reset when entering Shutdown mode"),                 \
        OPT_FLAG("iwdg_sw", 16, WDG_SW),                                                           \
        OPT_FLAG("iwdg_stop", 17, "1: watchdog runs in Stop mode"),                                \
        OPT_FLAG("iwdg_stdby", 18, "1: watchdog runs in Standby mode"),                            \
        OPT_FLAG("wwdg_sw", 19, "1: window watchdog started by software")
static const stp_option_def opts_l4[] = {
    {.key = "bor_lev",
     .shift = 8,
     .width = 3,
     .max = 4,
     .meaning = "brown-out reset threshold",
     .volts = {"1.7", "2.0", "2.2", "2.5", "2.8"}},
    L4_OPTR_FLAGS(12),
    OPT_FLAG("nboot1", 23, "with BOOT0 high: 1 boots system memory, 0 SRAM"),
};

/* G0x1 and C0 boot and reset pin: nBOOT_SEL 24, nBOOT0 26, NRST_MODE[28:27], IRHEN 29
 * (RM0444 FLASH_OPTR; libopencm3 g0 flash.h). */
#define G0_BOOT_OPTS                                                                               \
    OPT_FLAG("nboot_sel", 24, "1: BOOT0 from the nboot0 bit, 0: from the BOOT0 pin"),              \
        OPT_FLAG("nboot0", 26, "with nboot_sel 1: 0 boots system memory or SRAM (nboot1)"),        \
        {.key = "nrst_mode",                                                                       \
         .shift = 27,                                                                              \
         .width = 2,                                                                               \
         .max = 3,                                                                                 \
         .meaning = "NRST pin: 1 reset input only, 2 GPIO, 3 bidirectional reset"},                \
        OPT_FLAG("irhen", 29, "1: internal resets drive NRST low")
/* Bank options, per part line (stp_chip.bank_options). BFB2 bit 20 on all of them; the bit
 * that makes two banks: RM0351 FLASH_OPTR DUALBANK 21 (L47x/L49x with 256/512 KiB; 1 MiB is
 * always dual); RM0440 FLASH_OPTR DBANK 22 (cat. 3: two banks of 2 KiB pages or one of 4 KiB);
 * RM0432 FLASH_OPTR DB1M 21 (L4R/L4S 1 MiB, L4P/L4Q 512 KiB) and DBANK 22 (2 MiB / 1 MiB:
 * two banks of 4 KiB pages or one of 8 KiB). Positions also in OpenOCD stm32l4x.h
 * (FLASH_L4_DUAL_BANK, FLASH_G4_DUAL_BANK, FLASH_L4R_DBANK, FLASH_LRR_DB1M). */
#define BFB2_L4 OPT_FLAG("bfb2", 20, "1: boot from bank 2 (dual-bank boot)")
static const stp_option_def bank_opts_l4[] = {
    BFB2_L4,
    OPT_FLAG("dualbank", 21, "1: two banks (256/512 KiB parts; 1 MiB is always dual)"),
};
static const stp_option_def bank_opts_g4[] = {
    BFB2_L4,
    OPT_FLAG("dbank", 22, "1: two banks of 2 KiB pages, 0: one bank of 4 KiB pages"),
};
static const stp_option_def bank_opts_l4p[] = {
    BFB2_L4,
    OPT_FLAG("db1m", 21, "1: two banks on the smaller size (L4R/L4S 1 MiB, L4P/L4Q 512 KiB)"),
    OPT_FLAG("dbank", 22, "1: two banks of 4 KiB pages, 0: one bank of 8 KiB pages"),
};
#define BANK_OPTS(t) .bank_options = (t), .bank_option_count = sizeof(t) / sizeof((t)[0])

/* G0: FLASH_OPTR (RM0444 3.7.8; libopencm3 g0 flash.h): BOREN bit 8, BORF_LEV[10:9] the
 * falling threshold that asserts the reset, BORR_LEV[12:11] the rising one that releases it,
 * nRST_STOP 13 .. WWDG_SW 19, nBOOT1 25. */
#define G0_BOR_LEVELS                                                                              \
    {.key = "borf_lev",                                                                            \
     .shift = 9,                                                                                   \
     .width = 2,                                                                                   \
     .max = 3,                                                                                     \
     .meaning = "brown-out reset on falling VDD below",                                            \
     .volts = {"2.0", "2.2", "2.5", "2.8"}},                                                       \
    {                                                                                              \
        .key = "borr_lev", .shift = 11, .width = 2, .max = 3,                                      \
        .meaning = "brown-out reset released above", .volts = {                                    \
            "2.1",                                                                                 \
            "2.3",                                                                                 \
            "2.6",                                                                                 \
            "2.9"                                                                                  \
        }                                                                                          \
    }
static const stp_option_def opts_g0[] = {
    G0_BOR_LEVELS,
    L4_OPTR_FLAGS(13),
    OPT_FLAG("nboot1", 25, "with BOOT0 high: 1 boots system memory, 0 SRAM"),
    OPT_FLAG("boren", 8, "1: brown-out reset on (thresholds borf_lev, borr_lev)"),
    G0_BOOT_OPTS,
};

/* G0B1/G0C1: the G0x1 fields and nSWAP_BANK bit 20, DUAL_BANK bit 21 (RM0444 FLASH_OPTR;
 * NuttX stm32g0 flash.h FLASH_OPTR_NSWAP_BANK/DUAL_BANK, OpenOCD stm32l4x.h
 * FLASH_G0_DUAL_BANK). */
static const stp_option_def opts_g0b[] = {
    G0_BOR_LEVELS,
    L4_OPTR_FLAGS(13),
    OPT_FLAG("nboot1", 25, "with BOOT0 high: 1 boots system memory, 0 SRAM"),
    OPT_FLAG("boren", 8, "1: brown-out reset on (thresholds borf_lev, borr_lev)"),
    G0_BOOT_OPTS,
    OPT_FLAG("nswap_bank", 20, "0: bank 2 at 0x08000000 (banks swapped)"),
    OPT_FLAG("dual_bank", 21, "1: two banks of 2 KiB pages (bank 2 pages 256..)"),
};

/* C0: FLASH_OPTR (RM0490; the STM32C031 SVD as in cmforthlib stm32c031/flash.fs, NuttX
 * stm32c0_flash.h): BOR_EN 8, BORR_LEV[10:9] (rising), BORF_LEV[12:11] (falling) -- the two
 * levels in the other order than on the G0 --, nRST_STOP 13 .. WWDG_SW 19, HSE_NOT_REMAPPED
 * 21, RAM_PARITY_CHECK 22, SECURE_MUXING_EN 23, nBOOT_SEL 24, nBOOT1 25, nBOOT0 26,
 * NRST_MODE[28:27], IRHEN 29. The BOR threshold voltages are in the datasheets, not read:
 * the levels are shown as codes. */
static const stp_option_def opts_c0[] = {
    OPT_FLAG("bor_en", 8, "1: brown-out reset on (thresholds borr_lev, borf_lev)"),
    {.key = "borr_lev",
     .shift = 9,
     .width = 2,
     .max = 3,
     .meaning = "brown-out reset release level (rising VDD, code 0..3)"},
    {.key = "borf_lev",
     .shift = 11,
     .width = 2,
     .max = 3,
     .meaning = "brown-out reset level (falling VDD, code 0..3)"},
    L4_OPTR_FLAGS(13),
    OPT_FLAG("hse_not_remapped", 21, "0: HSE on PC14/PC15 (shared with LSE), 1: on PF0/PF1"),
    OPT_FLAG("ram_parity_check", 22, "0: SRAM parity check on"),
    OPT_FLAG("secure_muxing_en", 23, "1: pins bonded together: the unused I/Os forced input"),
    OPT_FLAG("nboot1", 25, "with BOOT0 high: 1 boots system memory, 0 SRAM"),
    G0_BOOT_OPTS,
};

/* H7: FLASH_OPTSR_CUR/_PRG (RM0433 rev 7 4.9.8/4.9.9; field positions also in the stm32-rs
 * H7 SVD): BOR_LEV[3:2] (0: BOR off, the 1.62 V power-on reset alone), IWDG1_SW 4,
 * NRST_STOP_D1 6, NRST_STBY_D1 7, FZ_IWDG_STOP 17, FZ_IWDG_SDBY 18, SECURITY 21, IO_HSLV 29,
 * SWAP_BANK_OPT 31 (ST_RAM_SIZE[20:19], the secure library's RAM, is kept as it is). */
static const stp_option_def opts_h7[] = {
    {.key = "bor_lev",
     .shift = 2,
     .width = 2,
     .max = 3,
     .meaning = "brown-out reset threshold",
     .volts = {"off (1.62)", "2.1", "2.4", "2.7"}},
    OPT_FLAG("iwdg1_sw", 4, WDG_SW),
    OPT_FLAG("nrst_stop_d1", 6, NRST_STOP),
    OPT_FLAG("nrst_stby_d1", 7, NRST_STDBY),
    OPT_FLAG("fz_iwdg_stop", 17, "0: watchdog frozen in Stop mode"),
    OPT_FLAG("fz_iwdg_sdby", 18, "0: watchdog frozen in Standby mode"),
    OPT_FLAG("security", 21, "1: secure access mode enabled"),
    OPT_FLAG("io_hslv", 29, "1: I/O high speed at low voltage (VDD below 2.7 V only)"),
    OPT_FLAG("swap_bank", 31, "1: bank 2 at 0x08000000, bank 1 at 0x08100000"),
};

#define OPTS(t) .user_options = (t), .user_option_count = sizeof(t) / sizeof((t)[0])

/* ---- peripheral address maps (stp_family.periph_map) ------------------------------------
 * Blocks that some part of the family decodes; gaps are "reserved" in every manual named. */
#define SPANS(t) .periph_map = (t), .periph_map_count = sizeof(t) / sizeof((t)[0])

static const stp_addr_span periph_f1[] = {
    {0x40000000, 0x40002400}, /* APB1: TIM2-7, TIM12-14 */
    {0x40002800, 0x40003400}, /* RTC, WWDG, IWDG */
    {0x40003800, 0x40004000}, /* SPI2, SPI3 */
    {0x40004400, 0x40007C00}, /* USART2 .. CEC */
    {0x40010000, 0x40015800}, /* APB2: AFIO, EXTI, GPIOA-G, ADC1-3, TIM1/8, SPI1, USART1, TIM9-17 */
    {0x40018000, 0x40018400}, /* SDIO */
    {0x40020000, 0x40020800}, /* DMA1, DMA2 */
    {0x40021000, 0x40021400}, /* RCC */
    {0x40022000, 0x40022400}, /* FLASH interface */
    {0x40023000, 0x40023400}, /* CRC */
    {0x40028000, 0x4002A000}, /* Ethernet */
    {0x50000000, 0x50040000}, /* USB OTG FS */
};

/* F0: RM0091 rev 10 2.2.2 "Memory map and register boundary addresses" (merged over
 * F03x..F09x): APB TIM2 .. CEC, APB SYSCFG .. DBGMCU (0x40015800), AHB1 DMA1/2, RCC, FLASH,
 * CRC, TSC, AHB2 GPIOA-F. */
static const stp_addr_span periph_f0[] = {
    {0x40000000, 0x40007C00}, /* TIM2/3/6/7/14, RTC, WWDG, IWDG, SPI2, USART2-5, I2C1/2, USB,
                               * CAN, CRS, PWR, DAC, CEC */
    {0x40010000, 0x40010800}, /* SYSCFG + COMP, EXTI */
    {0x40011400, 0x40011C00}, /* USART6-8 */
    {0x40012400, 0x40012800}, /* ADC */
    {0x40012C00, 0x40013400}, /* TIM1, SPI1 */
    {0x40013800, 0x40013C00}, /* USART1 */
    {0x40014000, 0x40014C00}, /* TIM15-17 */
    {0x40015800, 0x40015C00}, /* DBGMCU */
    {0x40020000, 0x40020800}, /* DMA1, DMA2 */
    {0x40021000, 0x40021400}, /* RCC */
    {0x40022000, 0x40022400}, /* FLASH interface */
    {0x40023000, 0x40023400}, /* CRC */
    {0x40024000, 0x40024400}, /* TSC */
    {0x48000000, 0x48001800}, /* GPIOA-F */
};

/* F3: RM0316 rev 8 3.2.2 and RM0313 rev 6 3.2.2 (memory maps, merged over F301..F398 and
 * F37x): APB1, APB2 (with TIM19, TIM20, SDADC1-3 of F37x/F303xE), AHB1, AHB2 GPIOA-H, AHB3
 * ADC1-4. */
static const stp_addr_span periph_f3[] = {
    {0x40000000, 0x4000A000}, /* TIM2-7, TIM12-14, TIM18, RTC, WWDG, IWDG, I2S/SPI2/3, USART2/3,
                               * UART4/5, I2C1-3, USB, USB/CAN SRAM, bxCAN, PWR, DAC1/2, CEC */
    {0x40010000, 0x40016C00}, /* SYSCFG, COMP, OPAMP, EXTI, ADC1 (F37x), SPI1/4, TIM1/8/15-17/19/20,
                               * USART1, HRTIM1, SDADC1-3 */
    {0x40020000, 0x40020800}, /* DMA1, DMA2 */
    {0x40021000, 0x40021400}, /* RCC */
    {0x40022000, 0x40022400}, /* FLASH interface */
    {0x40023000, 0x40023400}, /* CRC */
    {0x40024000, 0x40024400}, /* TSC */
    {0x48000000, 0x48002000}, /* GPIOA-H */
    {0x50000000, 0x50000800}, /* ADC1-4 */
};

static const stp_addr_span periph_l1[] = {
    {0x40000000, 0x40001800}, /* APB1: TIM2-7 */
    {0x40002400, 0x40003400}, /* LCD, RTC, WWDG, IWDG */
    {0x40003800, 0x40004000}, /* SPI2, SPI3 */
    {0x40004400, 0x40006400}, /* USART2 .. I2C2, USB, USB SRAM */
    {0x40007000, 0x40007800}, /* PWR, DAC */
    {0x40007C00, 0x40008000}, /* COMP, RI, OPAMP */
    {0x40010000, 0x40011400}, /* APB2: SYSCFG, EXTI, TIM9-11 */
    {0x40012400, 0x40012800}, /* ADC */
    {0x40012C00, 0x40013400}, /* SDIO, SPI1 */
    {0x40013800, 0x40013C00}, /* USART1 */
    {0x40020000, 0x40022000}, /* AHB: GPIOA-G, GPIOH */
    {0x40023000, 0x40023400}, /* CRC */
    {0x40023800, 0x40024000}, /* RCC, FLASH interface */
    {0x40026000, 0x40026800}, /* DMA1, DMA2 */
    {0x50060000, 0x50060400}, /* AES */
};

/* L0 (RM0377 rev 10 2.2.2 "Memory map and register boundary addresses", RM0367 rev 7
 * likewise, merged over L0x1/L0x2/L0x3; as remembered): APB1 TIM2/3, TIM6/7, LCD, RTC, WWDG,
 * IWDG, SPI2, USART2 .. USB SRAM, CRS .. LPTIM1; APB2 SYSCFG/COMP, EXTI, TIM21, TIM22,
 * FIREWALL, ADC, SPI1, USART1, DBGMCU; AHB DMA1, RCC, FLASH 0x40022000, CRC, TSC, RNG, AES;
 * IOPORT GPIOA-E, GPIOH. */
static const stp_addr_span periph_l0[] = {
    {0x40000000, 0x40000800}, {0x40001000, 0x40001800}, {0x40002400, 0x40003400},
    {0x40003800, 0x40003C00}, {0x40004400, 0x40006400}, {0x40006C00, 0x40008000},
    {0x40010000, 0x40010C00}, {0x40011400, 0x40011800}, {0x40011C00, 0x40012000},
    {0x40012400, 0x40012800}, {0x40013000, 0x40013400}, {0x40013800, 0x40013C00},
    {0x40015800, 0x40015C00}, {0x40020000, 0x40020400}, {0x40021000, 0x40021400},
    {0x40022000, 0x40022400}, {0x40023000, 0x40023400}, {0x40024000, 0x40024400},
    {0x40025000, 0x40025400}, {0x40026000, 0x40026400}, {0x50000000, 0x50001400},
    {0x50001C00, 0x50002000},
};

/* AHB1 of F2/F4/F7: GPIOA-K, CRC, RCC + FLASH interface + BKPSRAM, DMA1/2, Ethernet MAC,
 * DMA2D, USB OTG HS; AHB2 from 0x50000000: USB OTG FS, DCMI. */
#define F247_AHB_SPANS                                                                             \
    {0x40020000, 0x40022C00}, {0x40023000, 0x40023400}, {0x40023800, 0x40025000},                  \
        {0x40026000, 0x40026800}, {0x40028000, 0x40029400}, {0x4002B000, 0x4002BC00},              \
        {0x40040000, 0x40080000}, {0x50000000, 0x50040000},                                        \
    {                                                                                              \
        0x50050000, 0x50050400                                                                     \
    }

static const stp_addr_span periph_f24[] = {
    {0x40000000, 0x40008000}, /* APB1 (LPTIM1, FMPI2C1 on F410/F412/F413/F446) */
    {0x40010000, 0x40010800}, /* APB2: TIM1, TIM8 */
    {0x40011000, 0x40017000}, /* USART1/6, UART9/10, ADC, SDIO, SPI1/4, SYSCFG, EXTI, TIM9-11,
                               * SPI5/6, SAI1, DFSDM1/2, LTDC, DSI */
    F247_AHB_SPANS,           {0x50060000, 0x50060C00}, /* CRYP/AES, HASH, RNG */
};

static const stp_addr_span periph_f7[] = {
    {0x40000000, 0x40008000}, /* APB1 */
    {0x40010000, 0x40010800}, /* APB2: TIM1, TIM8 */
    {0x40011000, 0x40017C00}, /* USART1/6, SDMMC2, ADC, SDMMC1, SPI1/4, SYSCFG, EXTI, TIM9-11,
                               * SPI5/6, SAI1/2, LTDC, DSI, DFSDM1, MDIOS */
    F247_AHB_SPANS,           {0x50051000, 0x50051400}, /* JPEG */
    {0x50060000, 0x50060C00},                           /* CRYP, HASH, RNG */
};

static const stp_addr_span periph_l4[] = {
    {0x40000000, 0x40009800}, /* APB1 */
    {0x40010000, 0x40010800}, /* APB2: SYSCFG, VREFBUF, COMP, EXTI */
    {0x40011C00, 0x40012000}, /* FIREWALL */
    {0x40012800, 0x40017000}, /* SDMMC1, TIM1, SPI1, TIM8, USART1, TIM15-17, SAI1/2, DFSDM1,
                               * LTDC, DSI (L4+) */
    {0x40020000, 0x40020C00}, /* AHB1: DMA1, DMA2, DMAMUX1 */
    {0x40021000, 0x40021400}, /* RCC */
    {0x40022000, 0x40022400}, /* FLASH interface */
    {0x40023000, 0x40023400}, /* CRC */
    {0x40024000, 0x40024400}, /* TSC */
    {0x4002B000, 0x4002D000}, /* DMA2D, GFXMMU */
    {0x48000000, 0x48002400}, /* AHB2: GPIOA-I */
    {0x50000000, 0x50040400}, /* USB OTG FS, ADC */
    {0x50050000, 0x50050400}, /* DCMI */
    {0x50060000, 0x50060C00}, /* AES, HASH, RNG */
    {0x50061C00, 0x50062C00}, /* OCTOSPIM, SDMMC (L4+) */
};

static const stp_addr_span periph_g4[] = {
    {0x40000000, 0x4000B000}, /* APB1 (FDCAN message RAM to 0x4000AFFF) */
    {0x40010000, 0x40010800}, /* APB2: SYSCFG, VREFBUF, COMP, OPAMP, EXTI */
    {0x40012C00, 0x40015800}, /* TIM1, SPI1, TIM8, USART1, SPI4, TIM15-17, TIM20, SAI1 */
    {0x40016800, 0x40018000}, /* HRTIM1 */
    {0x40020000, 0x40021800}, /* AHB1: DMA1, DMA2, DMAMUX, CORDIC, RCC, FMAC */
    {0x40022000, 0x40022400}, /* FLASH interface */
    {0x40023000, 0x40023400}, /* CRC */
    {0x48000000, 0x48001C00}, /* AHB2: GPIOA-G */
    {0x50000000, 0x50001800}, /* ADC1-5, DAC1-4 */
    {0x50060000, 0x50060C00}, /* AES, RNG */
};

static const stp_addr_span periph_g0[] = {
    {0x40000000, 0x4000C000}, /* APB: TIM2 .. TAMP, FDCAN message RAM */
    {0x40010000, 0x40015C00}, /* SYSCFG, VREFBUF, COMP, ADC, TIM1, SPI1, USART1/6, TIM15-17,
                               * DBG */
    {0x40020000, 0x40020C00}, /* AHB: DMA1, DMA2, DMAMUX */
    {0x40021000, 0x40021400}, /* RCC */
    {0x40021800, 0x40021C00}, /* EXTI */
    {0x40022000, 0x40022400}, /* FLASH interface */
    {0x40023000, 0x40023400}, /* CRC */
    {0x40025000, 0x40026400}, /* RNG, AES */
    {0x50000000, 0x50001800}, /* IOPORT: GPIOA-F */
};

/* C0 (RM0490 2.2 memory map, as remembered, not re-read: the G0 blocks less RNG/AES and the
 * second DMA; the C011/C031 decode a subset of these). */
static const stp_addr_span periph_c0[] = {
    {0x40000000, 0x4000B000}, /* APB: TIM2/3, TIM14, RTC, WWDG, IWDG, SPI2, USART2-4, I2C1/2,
                               * PWR, FDCAN (C09x) */
    {0x40010000, 0x40015C00}, /* SYSCFG, ADC, TIM1, SPI1, USART1, TIM15-17, DBG */
    {0x40020000, 0x40020C00}, /* AHB: DMA1, DMAMUX */
    {0x40021000, 0x40021400}, /* RCC */
    {0x40021800, 0x40021C00}, /* EXTI */
    {0x40022000, 0x40022400}, /* FLASH interface */
    {0x40023000, 0x40023400}, /* CRC */
    {0x50000000, 0x50001800}, /* IOPORT: GPIOA-F */
};

/* H7 (RM0433 rev 7 2.3.2 "Memory map and register boundary addresses", as remembered; the
 * blocks merged where neighbours touch): APB1 D2, APB2 D2, AHB1 D2 (DMA, ADC12, USB OTG),
 * AHB2 D2 (DCMI, crypto, SDMMC2, SRAM-side RNG), APB3 D1 (LTDC, WWDG1), AHB3 D1 (MDMA, DMA2D,
 * JPEG, FLASH 0x52002000, FMC, QUADSPI, SDMMC1), APB4 D3 (EXTI, SYSCFG, LPUART1, ... IWDG1
 * 0x58004800), AHB4 D3 (GPIOA-K, RCC, PWR, CRC, BDMA, DMAMUX2, ADC3, HSEM), DBGMCU
 * 0x5C001000. */
static const stp_addr_span periph_h7[] = {
    {0x40000000, 0x4000D400}, /* APB1: TIM2-7, TIM12-14, LPTIM1, SPI2/3, USART2/3, UART4/5, I2C1-3,
                                 CEC, DAC, UART7/8, CRS, SWPMI, OPAMP, MDIOS, FDCAN */
    {0x40010000,
     0x40017800}, /* APB2: TIM1/8, USART1/6, SPI1/4, TIM15-17, SPI5, SAI1-3, DFSDM1, HRTIM */
    {0x40020000, 0x40080000}, /* AHB1: DMA1/2, DMAMUX1, ADC1/2, ART, Ethernet, USB OTG HS/FS */
    {0x48020000, 0x48022C00}, /* AHB2: DCMI, CRYP, HASH, RNG, SDMMC2 */
    {0x50000000, 0x50004000}, /* APB3: LTDC, WWDG1 */
    {0x51000000, 0x52009000}, /* AHB3: GPV, MDMA, DMA2D, JPEG, FLASH, FMC, QUADSPI, SDMMC1 */
    {0x58000000, 0x58006800}, /* APB4: EXTI, SYSCFG, LPUART1, SPI6, I2C4, LPTIM2-5, COMP, VREF, RTC,
                                 IWDG1, SAI4 */
    {0x58020000, 0x58026800}, /* AHB4: GPIOA-K, RCC, PWR, CRC, BDMA, DMAMUX2, ADC3, HSEM */
    {0x5C001000, 0x5C001400}, /* DBGMCU */
};

/* ---- families ------------------------------------------------------------------------ */

/* RCC_CSR flags from bit 24 up on F1, F2/F4/F7, L1, L4/G0/G4: RMVF (F1-L1) or FWRSTF,
 * BORRSTF/OBLRSTF 25, PINRSTF 26, PORRSTF (L4: BORRSTF) 27, SFTRSTF 28, IWDGRSTF 29,
 * WWDGRSTF 30, LPWRRSTF 31 (RM0008 7.3.10, RM0090 7.3.21, RM0038 6.3.14, RM0351 6.4.29). */
#define CSR_BITS_F1_G4                                                                             \
    .csr_pinrstf = 1u << 26, .csr_porrstf = 1u << 27, .csr_sftrstf = 1u << 28,                     \
    .csr_iwdgrstf = 1u << 29, .csr_wwdgrstf = 1u << 30, .csr_lpwrrstf = 1u << 31,                  \
    .csr_flags = 0xFE000000u

/* F1: RM0008 rev 21 (RCC 7.3, CRC 4, GPIO/AFIO 9, DBGMCU 31.16), DS5319 (LSI 40 kHz typ). */
static const stp_family fam_f1 = {
    SPANS(periph_f1),
    .periph_map_source = "RM0008 rev 21 3.3 (memory map)",
    .source = "RM0008 rev 21: RCC_CSR 7.3.10, RCC_AHBENR.CRCEN 7.3.6, DBGMCU_CR.DBG_IWDG_STOP "
              "31.16.3, GPIO 9.2; DS5319 LSI",
    .rcc_base = 0x40021000,
    .rcc_csr_off = 0x24,
    .csr_rmvf = 1u << 24,
    .csr_por_flags = 0x0C000000, /* PORRSTF, PINRSTF */
    .crc_base = 0x40023000,
    .crc_en_off = 0x14,
    .crc_en_bit = 6,
    .wdg_freeze_off = 4,
    .wdg_freeze_bit = 8,
    .lsi_hz = 40000,
    .cpuid_variant = 1,
    .cpuid_revision = 1, /* Cortex-M3 r1p1 */
    .program_width = STP_PSIZE_X16,
    OPTS(opts_f1),
    .rcc_cr_reset = 0x00000083, /* HSION, HSIRDY, HSITRIM=16 */
    .rcc_cfgr_off = 0x04,
    .rcc_resets = {{0x14, 0x00000014}}, /* AHBENR: SRAMEN, FLITFEN */
    .rcc_rdy_pairs = {0, 16, 24, 26, 28, 0xFF},
    .clock_tree = STP_CLOCK_PLL_IN_CFGR,
    .gpio_en_off = 0x18,
    .gpio_en_bit0 = 2, /* APB2ENR: IOPAEN bit 2 */
    .gpio_base = 0x40010800,
    .gpio_stride = 0x400,
    .gpio_ports = 7,
    .gpio_crl_crh = true,
    .afio_mapr = 0x40010004,
    .iwdg_base = 0x40003000,
    CSR_BITS_F1_G4,
    .rdp_level0 = 0xA5,
    .obr_user_shift = 2,
};

/* F0 and F3: the F1's flash controller with the option-byte layout of RM0091/RM0316 (RDP
 * 0xAA/0xCC, level 2, USER in FLASH_OBR 15:8), RCC at 0x40021000 with RCC_CSR + 0x24 (RMVF
 * 24, OBLRSTF 25), CRCEN bit 6 of RCC_AHBENR, GPIO ports from 0x48000000 clocked by
 * RCC_AHBENR bits 17.. (IOPAEN), BRR at +0x28, an IWDG window (IWDG_WINR), LSI 40 kHz, HSI
 * 8 MHz after reset with the PLL in RCC_CFGR. */
#define F0F3_FAMILY                                                                                \
    .rcc_base = 0x40021000, .rcc_csr_off = 0x24, .csr_rmvf = 1u << 24, .csr_oblrstf = 1u << 25,    \
    .csr_por_flags = 0x0C000000, /* PORRSTF, PINRSTF */                                            \
        .crc_base = 0x40023000, .crc_en_off = 0x14, .crc_en_bit = 6, .wdg_freeze_off = 8,          \
    .wdg_freeze_bit = 12, .iwdg_window = true, .lsi_hz = 40000, .program_width = STP_PSIZE_X16,    \
    .rdp_level2 = true, .rcc_cr_reset = 0x00000083, .rcc_cfgr_off = 0x04,                          \
    .rcc_resets = {{0x14, 0x00000014}}, /* AHBENR: SRAMEN, FLITFEN */                              \
        .rcc_rdy_pairs = {0, 16, 24, 0xFF}, .clock_tree = STP_CLOCK_PLL_IN_CFGR,                   \
    .gpio_en_off = 0x14, .gpio_en_bit0 = 17, .gpio_base = 0x48000000, .gpio_stride = 0x400,        \
    .gpio_brr = true, .iwdg_base = 0x40003000, CSR_BITS_F1_G4, .rdp_level0 = 0xAA,                 \
    .obr_user_shift = 8

/* F0: RM0091 rev 10 (RCC_CSR 6.4.10, RCC_AHBENR 6.4.6, RCC_APB2ENR.DBGMCUEN 6.4.7, DBGMCU at
 * 0x40015800 with DBGMCU_APB1_FZ.DBG_IWDG_STOP bit 12 40.9.4, IWDG_WINR 26.4.6, GPIO 8.4);
 * DS9826 (F072) LSI 40 kHz. The DBGMCU registers other than the ID code take writes only
 * with RCC_APB2ENR.DBGMCUEN (bit 22) set (OpenOCD's stm32f0x.cfg sets it for the same
 * reason). Cortex-M0 r0p0. */
#define F0_FAMILY                                                                                  \
    SPANS(periph_f0),                                                                              \
        .periph_map_source = "RM0091 rev 10 2.2.2 (memory map)",                                   \
        .source = "RM0091 rev 10: RCC_CSR 6.4.10, RCC_AHBENR 6.4.6, DBGMCU_APB1_FZ 40.9.4, "       \
                  "IWDG_WINR 26.4.6, GPIO 8.4, FLASH_OBR 3.5.8; DS9826 LSI",                       \
        F0F3_FAMILY, .dbgmcu_clk_reg = 0x40021018, .dbgmcu_clk_bit = 1u << 22, .gpio_ports = 6
static const stp_family fam_f0 = {F0_FAMILY, OPTS(opts_f0)};
static const stp_family fam_f04_f09 = {F0_FAMILY, OPTS(opts_f04_f09)};

/* F3: RM0316 rev 8 (RCC_CSR 9.4.10, RCC_AHBENR 9.4.6, DBGMCU_APB1_FZ 33.16.4 at 0xE0042008,
 * IWDG_WINR 26.4.6, GPIO 11.4), RM0313 rev 6 for F37x; DS9118 (F303xB/C) LSI 40 kHz.
 * Cortex-M4F r0p1. */
#define F3_FAMILY                                                                                  \
    SPANS(periph_f3),                                                                              \
        .periph_map_source = "RM0316 rev 8 3.2.2, RM0313 rev 6 3.2.2 (memory maps)",               \
        .source = "RM0316 rev 8: RCC_CSR 9.4.10, RCC_AHBENR 9.4.6, DBGMCU_APB1_FZ 33.16.4, "       \
                  "IWDG_WINR 26.4.6, GPIO 11.4, FLASH_OBR 4.5.8; DS9118 LSI",                      \
        F0F3_FAMILY, .cpuid_revision = 1, .gpio_ports = 8
static const stp_family fam_f3 = {F3_FAMILY, OPTS(opts_f3)};
static const stp_family fam_f37 = {F3_FAMILY, OPTS(opts_f37)};

/* F2/F4/F7: RCC at 0x40023800, RCC_CSR + 0x74 with BORRSTF (bit 25), CRCEN in RCC_AHB1ENR
 * bit 12, DBG_IWDG_STOP bit 12 of DBGMCU_APB1_FZ (IDCODE + 8), PSIZE from VDD, VCAP pins. */
#define F24_FAMILY                                                                                 \
    .rcc_base = 0x40023800, .rcc_csr_off = 0x74, .csr_rmvf = 1u << 24, .csr_borrstf = 1u << 25,    \
    .csr_por_flags = 0x0E000000, /* BORRSTF, PINRSTF, PORRSTF */                                   \
        .crc_base = 0x40023000, .crc_en_off = 0x30, .crc_en_bit = 12, .wdg_freeze_off = 8,         \
    .wdg_freeze_bit = 12, .lsi_hz = 32000, .program_width = STP_PSIZE_X32, .psize_by_vdd = true,   \
    .rdp_level2 = true, .has_vcap = true, .etm = true, .rcc_cr_reset = 0x00000083,                 \
    .rcc_cfgr_off = 0x08,                                                                          \
    .rcc_resets = {{0x04, 0x24003010}, {0x30, 0x00100000}}, /* PLLCFGR, AHB1ENR CCMDATARAMEN */    \
        .rcc_rdy_pairs = {0, 16, 24, 26, 28, 0xFF}, .clock_tree = STP_CLOCK_PLLCFGR,               \
    .gpio_en_off = 0x30, .gpio_en_bit0 = 0, .gpio_base = 0x40020000, .gpio_stride = 0x400,         \
    .gpio_ports = 11, .iwdg_base = 0x40003000, CSR_BITS_F1_G4

static const stp_family fam_f2 = {
    SPANS(periph_f24),
    .periph_map_source = "RM0090 rev 19 2.3, RM0033, RM0383, RM0402, RM0430, RM0390 (memory maps)",
    F24_FAMILY,
    OPTS(opts_f1),
    .source = "RM0033 rev 9: RCC_CSR 5.3.19, RCC_AHB1ENR 5.3.10, DBGMCU_APB1_FZ 32.6.4, GPIO 6.4",
    .cpuid_variant = 2, /* Cortex-M3 r2p0 */
};

static const stp_family fam_f4 = {
    SPANS(periph_f24),
    .periph_map_source = "RM0090 rev 19 2.3, RM0383, RM0402, RM0430, RM0390 (memory maps)",
    F24_FAMILY,
    OPTS(opts_f1),
    .source = "RM0090 rev 19: RCC_CSR 7.3.21, RCC_AHB1ENR 7.3.10, DBGMCU_APB1_FZ 38.16.4, "
              "GPIO 8.4; DS8626 LSI",
    .cpuid_revision = 1, /* Cortex-M4 r0p1 */
};

static const stp_family fam_f7 = {
    SPANS(periph_f7),
    .periph_map_source = "RM0410 rev 4 2.2.2, RM0385 (memory maps)",
    F24_FAMILY,
    OPTS(opts_f7),
    .source = "RM0410 rev 4: RCC_CSR 5.3.21, IWDG_WINR 32.4.5, CRC 7 (programmable), "
              "DBGMCU_APB1_FZ 40.16.4, GPIO 6.4",
    .crc_programmable = true,
    .iwdg_window = true,
    .cpuid_variant = 1, /* Cortex-M7 r1p0 */
};

/* L1: RM0038 rev 17 (RCC 6.3, GPIO 7.4, DBGMCU 30.16), DS6876 (LSI 38 kHz typ). */
static const stp_family fam_l1 = {
    SPANS(periph_l1),
    .periph_map_source = "RM0038 rev 17 2.3 (register boundary addresses)",
    .source = "RM0038 rev 17: RCC_CSR 6.3.14, RCC_AHBENR 6.3.8, DBGMCU_APB1_FZ 30.16.4, "
              "GPIO 7.4 (BRR +0x28); DS6876 LSI",
    .rcc_base = 0x40023800,
    .rcc_csr_off = 0x34,
    .csr_rmvf = 1u << 24,
    .csr_oblrstf = 1u << 25,
    .csr_por_flags = 0x0C000000,
    .crc_base = 0x40023000,
    .crc_en_off = 0x1C,
    .crc_en_bit = 12,
    .wdg_freeze_off = 8,
    .wdg_freeze_bit = 12,
    .lsi_hz = 38000,
    .cpuid_variant = 2, /* Cortex-M3 r2p0 */
    .program_width = STP_PSIZE_X32,
    .rdp_level2 = true,
    OPTS(opts_l1),
    .rcc_cr_reset = 0x00000300, /* MSION, MSIRDY */
    .rcc_cfgr_off = 0x08,
    .rcc_resets = {{0x04, 0x0000B000}}, /* ICSCR: MSIRANGE 5 (2.097 MHz) */
    .rcc_rdy_pairs = {0, 8, 16, 24, 0xFF},
    .clock_tree = STP_CLOCK_MSI_RANGES,
    .gpio_en_off = 0x1C,
    .gpio_en_bit0 = 0, /* AHBENR: GPIOAEN bit 0 */
    .gpio_base = 0x40020000,
    .gpio_stride = 0x400,
    .gpio_ports = 8,
    .gpio_brr = true,
    .bootloader_no_mass_erase = true, /* AN2606: the L1 bootloader */
    .iwdg_base = 0x40003000,
    CSR_BITS_F1_G4,
};

/* L0: RM0377 rev 10 (RCC_CSR 7.3.21 at +0x50 with RMVF 23, OBLRSTF 25; RCC_AHBENR +0x30
 * CRCEN 12; RCC_IOPENR +0x2C; RCC_APB2ENR +0x34 DBGEN 22 "DBG clock enable"; RCC_CFGR at
 * +0x0C; RCC_CR HSI16RDYF is bit 2, not HSI16ON + 1), CRC with CRC_INIT/POL (RM0377 14),
 * DBG_IWDG_STOP bit 12 of DBGMCU_APB1_FZ (IDCODE + 8; OpenOCD stm32l0.cfg sets 0x1800 there),
 * IWDG_WINR (RM0377 24.4.5), GPIO with BRR (+0x28). Cortex-M0+ r0p0 (STM32CubeL0
 * __CM0PLUS_REV 0). MSI 2.097 MHz after reset, ICSCR MSIRANGE 5 as on the L1. LSI 38 kHz
 * typical (DS10182 "LSI oscillator characteristics", as remembered). Factory option words:
 * RDP 0xAA, USER 0x8070 (BOR off, WDG_SW, nRST_STOP, nRST_STDBY, nBOOT1; as remembered from
 * RM0377 "Option byte organization"). */
static const stp_family fam_l0 = {
    SPANS(periph_l0),
    .periph_map_source = "RM0377 rev 10 2.2.2 (register boundary addresses)",
    .source = "RM0377 rev 10: RCC_CSR 7.3.21, RCC_AHBENR 7.3.15, RCC_APB2ENR.DBGEN 7.3.17, "
              "DBGMCU_APB1_FZ 27.9.3, IWDG_WINR 24.4.5, GPIO 9.4 (BRR +0x28), FLASH_SR 3.7.6",
    .rcc_base = 0x40021000,
    .rcc_csr_off = 0x50,
    .csr_rmvf = 1u << 23,
    .csr_oblrstf = 1u << 25,
    .csr_por_flags = 0x0C000000,
    .crc_base = 0x40023000,
    .crc_en_off = 0x30,
    .crc_en_bit = 12,
    .crc_programmable = true,
    .wdg_freeze_off = 8,
    .wdg_freeze_bit = 12,
    .dbgmcu_clk_reg = 0x40021034,
    .dbgmcu_clk_bit = 1u << 22,
    .iwdg_window = true,
    .lsi_hz = 38000,
    .program_width = STP_PSIZE_X32,
    .rdp_level2 = true,
    OPTS(opts_l0),
    .optr_factory = 0x807000AA,
    .rcc_cr_reset = 0x00000300, /* MSION, MSIRDY */
    .rcc_cfgr_off = 0x0C,
    .rcc_resets = {{0x04, 0x0000B000}, {0x30, 0x00000100}}, /* ICSCR MSIRANGE 5, AHBENR MIFEN */
    .rcc_rdy_pairs = {8, 16, 24, 0xFF},                     /* MSI, HSE, PLL */
    .clock_tree = STP_CLOCK_MSI_RANGES,
    .gpio_en_off = 0x2C, /* IOPENR: IOPAEN bit 0 */
    .gpio_en_bit0 = 0,
    .gpio_base = 0x50000000,
    .gpio_stride = 0x400,
    .gpio_ports = 8,
    .gpio_brr = true,
    .bootloader_no_mass_erase = true, /* AN2606: the L0 bootloaders, as the L1's */
    .iwdg_base = 0x40003000,
    CSR_BITS_F1_G4,
    .sr_notzero_err = 1u << 16,
};

/* L4/G4/G0: RCC at 0x40021000, RMVF bit 23, OBLRSTF bit 25, IWDG window, double words. */
#define L4_FAMILY                                                                                  \
    .rcc_base = 0x40021000, .csr_rmvf = 1u << 23, .csr_oblrstf = 1u << 25,                         \
    .csr_por_flags = 0x0C000000, /* BORRSTF/PWRRSTF (bit 27), PINRSTF */                           \
        .crc_base = 0x40023000, .crc_en_bit = 12, .wdg_freeze_off = 8, .wdg_freeze_bit = 12,       \
    .iwdg_window = true, .lsi_hz = 32000, .program_width = STP_PSIZE_X64, .rdp_level2 = true,      \
    .rcc_cfgr_off = 0x08, .clock_tree = STP_CLOCK_PLLCFGR, .gpio_en_bit0 = 0,                      \
    .gpio_stride = 0x400, .iwdg_base = 0x40003000, CSR_BITS_F1_G4

static const stp_family fam_l4 = {
    SPANS(periph_l4),
    .periph_map_source = "RM0351 rev 9 2.2.2, RM0432 (memory maps)",
    L4_FAMILY,
    OPTS(opts_l4),
    .source = "RM0351 rev 9: RCC_CSR 6.4.29, RCC_AHB1ENR 6.4.16, DBGMCU_APB1FZR1 46.16.4, "
              "IWDG_WINR 32.7.5, GPIO 8.4",
    .rcc_csr_off = 0x94,
    .crc_en_off = 0x48,
    .cpuid_revision = 1, /* Cortex-M4 r0p1 */
    /* FLASH_WRP1AR with no area reads 0xFF00FFFF on an STM32L443 (STRT 0xFF, END 0, reserved
     * bits 1; ST community thread 824219) */
    .optr_factory = 0xFFEFF8AA,
    .wrp_area_none = 0xFF00FFFF,
    /* RM0351 "Flash ECC register (FLASH_ECCR)": ADDR_ECC 18:0 in bytes from the bank's start,
       BK_ECC 19 */
    .ecc_addr_bits = 19,
    .ecc_bank_bit = 19,
    .rcc_cr_reset = 0x00000063, /* MSION, MSIRDY, MSIRANGE 6 (4 MHz) */
    .rcc_rdy_pairs = {0, 16, 24, 26, 28, 0xFF},
    .gpio_en_off = 0x4C, /* AHB2ENR: GPIOAEN bit 0 */
    .gpio_base = 0x48000000,
    .gpio_ports = 8,
};

static const stp_family fam_g4 = {
    SPANS(periph_g4),
    .periph_map_source = "RM0440 rev 7 2.2.2 (memory map)",
    L4_FAMILY,
    OPTS(opts_l4),
    .source = "RM0440 rev 7: RCC_CSR 7.4.29, RCC_AHB1ENR 7.4.16, DBGMCU_APB1FZR1 47.16.4, "
              "IWDG_WINR 33.4.5, GPIO 9.4",
    .rcc_csr_off = 0x94,
    .crc_en_off = 0x48,
    .cpuid_revision = 1, /* Cortex-M4 r0p1 */
    .optr_factory = 0xFFEFF8AA,
    .wrp_area_none = 0x7F, /* STRT = the 7-bit field mask, END 0 */
    /* RM0440 "Flash ECC register (FLASH_ECCR)": ADDR_ECC 18:0 in bytes, BK_ECC 21 */
    .ecc_addr_bits = 19,
    .ecc_bank_bit = 21,
    .rcc_cr_reset = 0x00000500, /* HSION, HSIRDY (bit 10: not ON+1) */
    .rcc_rdy_pairs = {16, 24, 0xFF},
    .gpio_en_off = 0x4C,
    .gpio_base = 0x48000000,
    .gpio_ports = 7,
};

/* G0: the DBGMCU registers other than DBG_IDCODE take writes only while RCC_APBENR1.DBGEN
 * (RCC + 0x3C, bit 27) is set, so DBG_IWDG_STOP needs it (stm32-rs stm32g0 SVD agrees). */
#define G0_FAMILY                                                                                  \
    L4_FAMILY, .rcc_csr_off = 0x60, .crc_en_off = 0x38, /* Cortex-M0+ r0p0 */                      \
        .dbgmcu_clk_reg = 0x4002103C, .dbgmcu_clk_bit = 1u << 27, .sr_cfgbsy = true,               \
               .rcc_cr_reset = 0x00000500, .rcc_rdy_pairs = {16, 24, 0xFF},                        \
               .gpio_en_off = 0x34, /* IOPENR: GPIOAEN bit 0 */                                    \
        .gpio_base = 0x50000000, .gpio_ports = 6
static const stp_family fam_g0 = {
    SPANS(periph_g0),
    .periph_map_source = "RM0444 rev 5 2.2 (memory map)",
    G0_FAMILY,
    OPTS(opts_g0),
    .source = "RM0444 rev 5: RCC_CSR 5.4.24, RCC_AHBENR 5.4.13, RCC_APBENR1.DBGEN 5.4.15, "
              "DBG_APB_FZ1 40.9.4, IWDG_WINR 27.4.5, GPIO 7.4",
    .optr_factory = 0xFFFFFEAA,
    .wrp_area_none = 0x3F, /* STRT = the 6-bit field mask */
    /* RM0444 "Flash ECC register (FLASH_ECCR)": ADDR_ECC 13:0, the double word's offset; no BK_ECC
     */
    .ecc_addr_bits = 14,
    .ecc_addr_words = true,
};

/* G0B1/G0C1: the G0 with two banks: OPTR.DUAL_BANK and nSWAP_BANK among the user fields;
 * factory OPTR 0xFFFFFEAA as on the other G0x1 (DUAL_BANK and nSWAP_BANK 1; Black Magic
 * Probe stm32g0.c FLASH_OPTR_G0x1_DEF), WRP fields of 7 bits (NuttX stm32g0 flash.h masks
 * 0x7F: 128 pages a bank). */
static const stp_family fam_g0b = {
    SPANS(periph_g0),
    .periph_map_source = "RM0444 rev 5 2.2 (memory map)",
    G0_FAMILY,
    OPTS(opts_g0b),
    .source = "RM0444 rev 5 (as the G0x1 row); FLASH_OPTR DUAL_BANK/nSWAP_BANK",
    .optr_factory = 0xFFFFFEAA,
    .wrp_area_none = 0x7F,
};

/* C0 (RM0490): the G0 platform. RCC as the G0's at 0x40021000 (RCC_CSR2 at +0x60 with RMVF
 * 23, OBLRSTF 25 .. LPWRRSTF 31; IOPENR +0x34 GPIOA..D, F; AHBENR +0x38 CRCEN 12; APBENR1
 * +0x3C DBGEN 27; RCC_CR reset 0x00000500): the STM32C031 SVD (cmforthlib stm32c031/rcc.fs).
 * DBG_APB_FZ1 (DBGMCU + 8) DBG_IWDG_STOP bit 12 and the DBGEN gate: Black Magic Probe
 * stm32g0.c, which serves the C0 with the G0 code. Factory OPTR 0xFFFFFFAA (BOR_EN set; Black
 * Magic Probe FLASH_OPTR_C0x1_DEF). WRP fields 6 bits on the C031 (SVD masks 0x3F). */
static const stp_family fam_c0 = {
    SPANS(periph_c0),
    .periph_map_source = "RM0490 2.2 (memory map), as the G0's without RNG/AES",
    G0_FAMILY,
    OPTS(opts_c0),
    .source = "RM0490 rev 3; STM32C031 SVD (RCC, FLASH), Black Magic Probe stm32g0.c",
    .optr_factory = 0xFFFFFFAA,
    .wrp_area_none = 0x3F,
};

/* H7 (RM0433 rev 7, RM0468 rev 3, RM0455 rev 10): RCC at 0x58024400 with the reset flags in
 * RCC_RSR (+0xD0: RMVF 16, BORRSTF 21, PINRSTF 22, PORRSTF 23; after a power-on also
 * CPURSTF 17, D1RSTF 19, D2RSTF 20), CRC at 0x58024C00 clocked by RCC_AHB4ENR (+0xE0) bit
 * 19, GPIOA..K at 0x58020000 (AHB4ENR bits 0..10), IWDG1 at 0x58004800 with a window,
 * DBG_IWDG1 bit 18 of DBGMCU_APB4FZ1 (DBGMCU + 0x54). Programming parallelism x8..x64 by
 * FLASH_CR.PSIZE (reset value x64). The core is a Cortex-M7 r1p1 (ES0392 "Arm Cortex-M7
 * core"); HSI 64 MHz after reset. */
static const stp_family fam_h7 = {
    SPANS(periph_h7), .periph_map_source = "RM0433 rev 7 2.3.2 (memory map)",
    .source = "RM0433 rev 7: RCC_RSR 8.7.40, RCC_AHB4ENR 8.7.43, DBGMCU_APB4FZ1 60.5.8, "
              "IWDG 45, FLASH_OPTSR 4.9.8, GPIO 11.4; DS12110 LSI",
    .rcc_base = 0x58024400, .rcc_csr_off = 0xD0, .csr_rmvf = 1u << 16, .csr_borrstf = 1u << 21,
    .csr_por_flags = 0x00FA0000, /* CPURSTF, D1RSTF, D2RSTF, BORRSTF, PINRSTF, PORRSTF */
    .crc_base = 0x58024C00, .crc_en_off = 0xE0, .crc_en_bit = 19, .crc_programmable = true,
    .wdg_freeze_off = 0x54, .wdg_freeze_bit = 18, .iwdg_window = true, .lsi_hz = 32000, .etm = true,
    .cpuid_variant = 1, .cpuid_revision = 1, /* Cortex-M7 r1p1 */
    .program_width = STP_PSIZE_X64, .psize_by_vdd = true, .rdp_level2 = true, .has_vcap = true,
    /* RM0433 FLASH_ECC_FA1R/FA2R (+0x60/+0x160): FAIL_ECC_ADDR 14:0, the flash word in its bank */
    .ecc_addr_bits = 15, .ecc_addr_words = true, OPTS(opts_h7),
    .rcc_cr_reset = 0x00000025,                                     /* HSION, HSIRDY, HSIDIVF */
    .rcc_cfgr_off = 0x10, .rcc_rdy_pairs = {7, 12, 16, 24, 26, 28}, /* CSI, HSI48, HSE, PLL1-3 */
    .clock_tree = STP_CLOCK_PLLCFGR, .gpio_en_off = 0xE0, .gpio_en_bit0 = 0,
    .gpio_base = 0x58020000, .gpio_stride = 0x400, .gpio_ports = 11, .iwdg_base = 0x58004800,
    .csr_pinrstf = 1u << 22, .csr_porrstf = 1u << 23, .csr_sftrstf = 1u << 24,
    .csr_iwdgrstf = 1u << 26,                           /* IWDG1RSTF */
    .csr_wwdgrstf = 1u << 28,                           /* WWDG1RSTF */
    .csr_lpwrrstf = 1u << 30, .csr_flags = 0x55FA0000u, /* bits 17, 19-24, 26, 28, 30 */
};

/* Supply currents (typical; rounded; as remembered from the datasheets' current tables,
 * not re-read this session):
 * - F1, DS5319: Run from flash, peripherals disabled, 72 MHz about 27 mA (375 uA/MHz);
 *   Flash "IDD Write/Erase modes" 5 mA.
 * - F2/F4, DS8626: Run from flash, peripherals disabled, 168 MHz about 46 mA (270 uA/MHz);
 *   Flash IDD Write/Erase 5 / 8 / 12 mA at x8 / x16 / x32 (x32 stored).
 * - F7, DS10916: Run from flash, peripherals disabled, 216 MHz about 100 mA (460 uA/MHz);
 *   Flash IDD Write/Erase taken as the F4's x32 figure.
 * - L1, DS6876: Run from flash, range 1, about 230 uA/MHz; Flash "average current during the
 *   whole programming/erase operation" 600 uA.
 * - L0, DS11012 (L011) front page: "Down to 76 uA/MHz in Run mode"; flash operation taken as
 *   the L1's 600 uA (the same NVM).
 * - L4, DS10198: Run range 1 about 110 uA/MHz; Flash programming/erase about 3.4 mA.
 * - G0, DS12232: Run range 1 about 100 uA/MHz; Flash programming/erase about 2.9 mA.
 * - G4, DS12589: Run range 1 about 170 uA/MHz; Flash programming/erase about 3.5 mA. */
#define F1_SUPPLY .run_ua_per_mhz = 375, .flash_op_ua = 5000
/* - F0, DS9826 (F072): Run from flash, peripherals disabled, 48 MHz about 14 mA (290 uA/MHz);
 *   flash write/erase about 5 mA (as remembered).
 * - F3, DS9118 (F303xB/C): Run from flash, peripherals disabled, 72 MHz about 32 mA
 *   (440 uA/MHz); flash write mode about 7 mA (as remembered). */
#define F0_SUPPLY  .run_ua_per_mhz = 290, .flash_op_ua = 5000
#define F3_SUPPLY  .run_ua_per_mhz = 440, .flash_op_ua = 7000
#define F24_SUPPLY .run_ua_per_mhz = 270, .flash_op_ua = 12000
#define F7_SUPPLY  .run_ua_per_mhz = 460, .flash_op_ua = 12000
#define L1_SUPPLY  .run_ua_per_mhz = 230, .flash_op_ua = 600
#define L0_SUPPLY  .run_ua_per_mhz = 76, .flash_op_ua = 600
#define L4_SUPPLY  .run_ua_per_mhz = 110, .flash_op_ua = 3400
#define G0_SUPPLY  .run_ua_per_mhz = 100, .flash_op_ua = 2900
#define G4_SUPPLY  .run_ua_per_mhz = 170, .flash_op_ua = 3500

/* ---- F1: RM0008 rev 21 (STM32F101/102/103/105/107) ---------------------------------- */
#define F1_COMMON                                                                                  \
    .family = "F1", .fam = &fam_f1, .core = STP_CORE_M3, .flash_kind = STP_FLASH_F1,               \
    .idcode_addr = 0xE0042000, .flash_base = 0x08000000, .flash_regs = 0x40022000,                 \
    .flash_size_reg = 0x1FFFF7E0, .fsize_decode = STP_FSIZE_KB16, .wrp_granule = KB(4),            \
    .sram_base = 0x20000000, .option_bytes_addr = 0x1FFFF800, .option_bytes_size = 16,             \
    .uid_addr = 0x1FFFF7E8, .bootloader_usart = USART1_PA9_PA10, .vdd_min_mv = 2000,               \
    .vdd_max_mv = 3600, .reset_clock_hz = 8000000, .reference_manual = "RM0008 rev 21",            \
    .erased_value = 0xFF, .uid_word2_offset = 8, .bootloader_doc = AN2606, F1_SUPPLY

/* ---- F0: RM0091 rev 10 (F03x/F04x/F05x/F07x/F09x), RM0360 rev 5 (F030/F070) -----------
 * - DBGMCU_IDCODE at 0x40015800 (the Cortex-M0 has no 0xE0042000): RM0091 40.9.1.
 * - Flash size register 0x1FFFF7CC, unique ID 0x1FFFF7AC: RM0091 33.1/33.2.
 * - Pages of 1 KiB on F03x/F04x/F05x, 2 KiB on F07x/F09x; write protection per 4 KiB
 *   (sectors of 4 or 2 pages; on 256 KiB parts WRP bit 31 covers sectors 31-63): RM0091
 *   3.2.1, 4.1.
 * - Option bytes at 0x1FFFF800: RDP, USER, DATA0, DATA1, WRP0-3, each with its complement;
 *   RDP 0xAA level 0, 0xCC level 2: RM0091 4.1.
 * - System memory (AN2606 rev 50, F0 sections): 3 KiB at 0x1FFFEC00 on F03x/F05x, 13 KiB at
 *   0x1FFFC400 on F04x, 12 KiB at 0x1FFFC800 on F07x, 8 KiB at 0x1FFFD800 on F09x/F030xC;
 *   bootloader versions 0x10 (F03x), 0xA0 (F04x), 0x21 (F05x), 0xA1 (F07x), 0x50 (F09x), as
 *   remembered. */
#define F0_COMMON                                                                                  \
    .family = "F0", .core = STP_CORE_M0, .flash_kind = STP_FLASH_F1, .idcode_addr = 0x40015800,    \
    .flash_base = 0x08000000, .flash_regs = 0x40022000, .flash_size_reg = 0x1FFFF7CC,              \
    .fsize_decode = STP_FSIZE_KB16, .wrp_granule = KB(4), .sram_base = 0x20000000,                 \
    .option_bytes_addr = 0x1FFFF800, .option_bytes_size = 16, .uid_addr = 0x1FFFF7AC,              \
    .bootloader_usart = USART1_PA9_PA10, .vdd_min_mv = 2000, .vdd_max_mv = 3600,                   \
    .reset_clock_hz = 8000000, .erased_value = 0xFF, .uid_word2_offset = 8,                        \
    .bootloader_doc = AN2606, F0_SUPPLY

/* ---- F3: RM0316 rev 8 (F303/F328/F358/F398), RM0365 (F302xB-E), RM0366 rev 4 (F301/F302x6/8,
 * F318), RM0364 (F334), RM0313 rev 6 (F37x) ------------------------------------------------
 * - DBGMCU_IDCODE at 0xE0042000; flash size register 0x1FFFF7CC, unique ID 0x1FFFF7AC:
 *   RM0316 33.16.1, 34.1/34.2.
 * - 2 KiB pages; write protection per 2 pages (4 KiB; on 512 KiB parts WRP bit 31 covers
 *   the rest): RM0316 4.2.1, 4.1.
 * - SRAM at 0x20000000 (the smallest part's size per device ID) plus CCM SRAM at 0x10000000
 *   on F303/F334/F328/F358/F398: 8 KiB (F303xB/C), 4 KiB (F303x6/8, F334), 16 KiB
 *   (F303xD/E): RM0316 3.3 "Embedded SRAM".
 * - System memory 8 KiB at 0x1FFFD800 (AN2606 rev 50, F3 sections); bootloader versions 0x41
 *   (0x422, 0x432), 0x50 (0x438), 0x40 (0x439, 0x446), as remembered. */
#define F3_COMMON                                                                                  \
    .family = "F3", .core = STP_CORE_M4, .flash_kind = STP_FLASH_F1, .idcode_addr = 0xE0042000,    \
    .flash_base = 0x08000000, .flash_regs = 0x40022000, .flash_size_reg = 0x1FFFF7CC,              \
    .fsize_decode = STP_FSIZE_KB16, .wrp_granule = KB(4), .sram_base = 0x20000000,                 \
    .option_bytes_addr = 0x1FFFF800, .option_bytes_size = 16, .uid_addr = 0x1FFFF7AC,              \
    .bootloader_addr = 0x1FFFD800, .bootloader_size = 0x2000, .bootloader_usart = USART1_PA9_PA10, \
    .vdd_min_mv = 2000, .vdd_max_mv = 3600, .reset_clock_hz = 8000000, .erased_value = 0xFF,       \
    .uid_word2_offset = 8, .bootloader_doc = AN2606, .timing = F0F3_TIMING(KB(2)), F3_SUPPLY
static const stp_ram_area ccm_8k[] = {{0x10000000, KB(8), "CCM SRAM", 0}}; /* not aliased */
static const stp_ram_area ccm_4k[] = {{0x10000000, KB(4), "CCM SRAM", 0}};
static const stp_ram_area ccm_16k[] = {{0x10000000, KB(16), "CCM SRAM", 0}};
#define RAM_AREAS(t) .ram_areas = (t), .ram_area_count = sizeof(t) / sizeof((t)[0])

/* ---- F2/F4: RM0033 rev 9 (F2), RM0090 rev 19 (F405..F439), RM0368 rev 5 (F401),
 * RM0383 rev 3 (F411), RM0390 rev 6 (F446), RM0402 rev 6 (F412), RM0386 rev 6 (F469),
 * RM0401 rev 3 (F410), RM0430 rev 8 (F413) -------------------------------------------- */
#define F24_COMMON                                                                                 \
    .flash_kind = STP_FLASH_F2F4, .idcode_addr = 0xE0042000, .flash_base = 0x08000000,             \
    .flash_regs = 0x40023C00, .flash_size_reg = 0x1FFF7A22, .fsize_decode = STP_FSIZE_KB16,        \
    .wrp_granule = 0, .sram_base = 0x20000000, .option_bytes_addr = 0x1FFFC000,                    \
    .option_bytes_size = 16, .uid_addr = 0x1FFF7A10, .bootloader_addr = 0x1FFF0000,                \
    .bootloader_usart = USART1_PA9_PA10, .vdd_max_mv = 3600, .reset_clock_hz = 16000000,           \
    .erased_value = 0xFF, .bootloader_doc = AN2606, .uid_word2_offset = 8,                         \
    .bootloader_size = 0x7800, .otp_addr = 0x1FFF7800, .otp_size = 512, F24_SUPPLY
#define F4_COMMON F24_COMMON, .family = "F4", .fam = &fam_f4, .core = STP_CORE_M4

/* ---- F7: RM0385 rev 8 (F74x/F75x), RM0410 rev 4 (F76x/F77x), RM0431 rev 3 (F72x/F73x).
 * F72x/F73x keep the F4 system-area layout moved to 0x1FF0xxxx: system memory 30 KiB,
 * OTP at 0x1FF07800, unique ID 0x1FF07A10, size register 0x1FF07A22. */
#define F7_COMMON                                                                                  \
    .family = "F7", .fam = &fam_f7, .core = STP_CORE_M7, .flash_kind = STP_FLASH_F7,               \
    .idcode_addr = 0xE0042000, .flash_base = 0x08000000, .flash_regs = 0x40023C00,                 \
    .fsize_decode = STP_FSIZE_KB16, .wrp_granule = 0, .sram_base = 0x20000000,                     \
    .option_bytes_addr = 0x1FFF0000, .bootloader_addr = 0x1FF00000,                                \
    .bootloader_usart = USART1_PA9_PA10, .vdd_min_mv = 1700, .vdd_max_mv = 3600,                   \
    .reset_clock_hz = 16000000, .erased_value = 0xFF, .bootloader_doc = AN2606,                    \
    .uid_word2_offset = 8, F7_SUPPLY

/* ---- L1: RM0038 rev 17 (STM32L100/151/152/162) --------------------------------------- */
#define L1_COMMON                                                                                  \
    .family = "L1", .fam = &fam_l1, .core = STP_CORE_M3, .flash_kind = STP_FLASH_L1,               \
    .idcode_addr = 0xE0042000, .flash_base = 0x08000000, .flash_regs = 0x40023C00,                 \
    .wrp_granule = KB(4), .sram_base = 0x20000000, .option_bytes_addr = 0x1FF80000,                \
    .bootloader_addr = 0x1FF00000, .bootloader_usart = USART1_PA9_PA10, .vdd_min_mv = 1650,        \
    .vdd_max_mv = 3600, .reset_clock_hz = 2097000, .timing = L1_TIMING,                            \
    .reference_manual = "RM0038 rev 17", .erased_value = 0x00, .bootloader_doc = AN2606,           \
    .uid_word2_offset = 0x14, .bootloader_size = 0x1000, L1_SUPPLY

/* ---- L0: RM0377 rev 10 (L0x1), RM0376 rev 6 (L0x2), RM0367 rev 7 (L0x3) ------------------
 * The L1's program-memory interface (PECR/PEKEYR/PRGKEYR/OPTKEYR/SR/OPTR/WRPROT, the same
 * keys and bits) at 0x40022000 with 128-byte pages of 32 words, 64-byte half pages and 4 KiB
 * WRP sectors (RM0377 3.3.1 "NVM organization": "A page is composed of 32 words (or 128
 * bytes)", "A Flash sector is made of 32 pages (or 4 Kbytes). The sector is the granularity
 * of the write protection"; OpenOCD stm32lx.c page_size 128, pages_per_sector 32). DEV_ID at
 * DBGMCU_IDCODE 0x40015800 (Cortex-M0+), flash size register 0x1FF8007C (KiB, 16 bits),
 * unique ID 0x1FF80050/+4/+0x14, option words at 0x1FF80000 (RDP|WPRMOD, USER, WRPROT1 low
 * and high, cat. 5 WRPROT2 low at 0x1FF80010), data EEPROM at 0x08080000, system memory at
 * 0x1FF00000 (4 KiB, 8 KiB on cat. 5): OpenOCD stm32lx.c, stm32flash dev_table.c, RM0377
 * 3.3.1. Cat. 5 is two banks, bank 2 at half the flash (RM0377 3.3.1; OpenOCD
 * first_bank_size_kb = size / 2 for 128 and 192 KiB): the pages are numbered and erased
 * alike in both, so one run (as on the L1 cat. 4-6). AN2606 bootloader IDs (stm32loader's
 * table of AN2606): 0x457 0xC3, 0x425 0xC0, 0x417 0xC0, 0x447 0x41. */
#define L0_COMMON                                                                                  \
    .family = "L0", .fam = &fam_l0, .core = STP_CORE_M0P, .flash_kind = STP_FLASH_L1,              \
    .idcode_addr = 0x40015800, .flash_base = 0x08000000, .flash_regs = 0x40022000,                 \
    .flash_size_reg = 0x1FF8007C, .fsize_decode = STP_FSIZE_KB16, .wrp_granule = KB(4),            \
    .sram_base = 0x20000000, .option_bytes_addr = 0x1FF80000, .option_bytes_size = 16,             \
    .uid_addr = 0x1FF80050, .bootloader_addr = 0x1FF00000, .vdd_min_mv = 1650, .vdd_max_mv = 3600, \
    .reset_clock_hz = 2097000, .timing = L0_TIMING, .erased_value = 0x00,                          \
    .bootloader_doc = AN2606, .uid_word2_offset = 0x14, L0_SUPPLY
#define USART2_PA2_PA3 "USART2 PA2(TX)/PA3(RX)"

/* ---- H7: RM0433 rev 7 (H742/H743/H750/H753), DS12110 rev 8 (H743xI/G) -------------------
 * - DEV_ID 0x450 at DBGMCU_IDC 0x5C001000 (the M7 reaches the DBGMCU there, not at
 *   0xE0042000): RM0433 "DBGMCU_IDC"; OpenOCD stm32h7x.c DBGMCU_IDCODE_REGISTER.
 * - Two banks of eight 128 KiB sectors, bank 2 at 0x08100000 whatever the size; each bank
 *   has its own KEYR/CR/SR/CCR (bank 2 at +0x100: 0x52002100): RM0433 4.3 "Flash memory
 *   organization", 4.9 register map; OpenOCD FLASH_REG_BASE_B0/B1. The flash word is 256
 *   bits (32 bytes) plus 10 ECC bits, written through a buffer: RM0433 4.3.9.
 * - Flash size register 0x1FF1E880, unique ID 0x1FF1E800: RM0433 62.1/62.2 (OpenOCD
 *   fsize_addr). System memory 128 KiB at 0x1FF00000.
 * - The option bytes are not mapped in memory (only FLASH_OPTSR_CUR/PRG, PRAR, SCAR, WPSN,
 *   BOOT registers show them): option_bytes_addr 0; option_bytes_size is the virtual
 *   board's storage of them.
 * - RAM: ITCM 64 KiB at 0, DTCM 128 KiB at 0x20000000 (the loader's), AXI SRAM 512 KiB at
 *   0x24000000, SRAM1/2 128 KiB at 0x30000000/0x30020000, SRAM3 32 KiB at 0x30040000, SRAM4
 *   64 KiB at 0x38000000, backup SRAM 4 KiB at 0x38800000: RM0433 2.3.2 "Memory map".
 * - Timings, DS12110 table "Flash memory programming" (as remembered; not re-read: the table
 *   is not in the stored corpora): one flash word 290/180/130/100 us typical at x8/x16/x32/
 *   x64 (maximum twice that), a 128 KiB sector 2/1.8/1.1/1 s (maximum twice), a bank or mass
 *   erase 13/8/6/5 s (maximum twice). The parallelism's supply floor: the programming
 *   voltage range starts at the 1.62 V VDD minimum for every PSIZE (DS12110 "Vprog"), so x64
 *   (FLASH_CR's reset value, and what OpenOCD and ST's HAL default to) is chosen anywhere in
 *   the operating range and nothing below it.
 * - Supply (as remembered): Run mode from flash about 0.3 mA/MHz (480 MHz, all peripherals
 *   off about 150 mA); flash program/erase about 10 mA at x64. */
#define H7_SUPPLY .run_ua_per_mhz = 300, .flash_op_ua = 10000
static const stp_ram_area ram_h74x[] = {
    {0x00000000, KB(64), "ITCM", 0},       {0x24000000, KB(512), "AXI SRAM", 0},
    {0x30000000, KB(128), "SRAM1", 0},     {0x30020000, KB(128), "SRAM2", 0},
    {0x30040000, KB(32), "SRAM3", 0},      {0x38000000, KB(64), "SRAM4", 0},
    {0x38800000, KB(4), "backup SRAM", 0},
};
/* H72x/H73x (0x483, RM0468 rev 3, DS13313 rev 4 for H723xE/G): one bank of eight 128 KiB
 * sectors with one register set at 0x52002000, the same 32-byte flash word and controller;
 * RAM: ITCM 64 KiB at 0 (up to 256 KiB with the TCM option), DTCM 128 KiB, AXI SRAM 320 KiB,
 * SRAM1/2 16 KiB each at 0x30000000/0x30004000, SRAM4 16 KiB, backup SRAM 4 KiB (RM0468
 * 2.3 "Memory map", as remembered). Timings taken as the H743's (DS13313's table not
 * re-read). */
static const stp_ram_area ram_h72x[] = {
    {0x00000000, KB(64), "ITCM", 0},  {0x24000000, KB(320), "AXI SRAM", 0},
    {0x30000000, KB(16), "SRAM1", 0}, {0x30004000, KB(16), "SRAM2", 0},
    {0x38000000, KB(16), "SRAM4", 0}, {0x38800000, KB(4), "backup SRAM", 0},
};
#define H7_COMMON                                                                                  \
    .family = "H7", .fam = &fam_h7, .core = STP_CORE_M7, .flash_kind = STP_FLASH_H7,               \
    .idcode_addr = 0x5C001000, .flash_base = 0x08000000, .flash_regs = 0x52002000,                 \
    .fsize_decode = STP_FSIZE_KB16, .wrp_granule = 0, .sram_base = 0x20000000,                     \
    .bootloader_addr = 0x1FF00000, .bootloader_usart = USART1_PA9_PA10, .vdd_min_mv = 1620,        \
    .vdd_max_mv = 3600, .reset_clock_hz = 64000000, .erased_value = 0xFF,                          \
    .bootloader_doc = AN2606, .uid_word2_offset = 8, H7_SUPPLY
#define H7_TIMING(sector)                                                                          \
    {                                                                                              \
        .program_typ_ns = {290000, 180000, 130000, 100000},                                        \
        .program_max_ns = {580000, 360000, 260000, 200000},                                        \
        .erase = {ERASE((sector), MS(2000), MS(1800), MS(1100), MS(1000), MS(4000), MS(3600),      \
                        MS(2200), MS(2000))},                                                      \
        .mass_erase_typ_ms = {13000, 8000, 6000, 5000},                                            \
        .mass_erase_max_ms = {26000, 16000, 12000, 10000},                                         \
        .psize_min_mv = {1620, 1620, 1620, 1620},                                                  \
    }

/* Blocks with an address of their own that are also aliased into the contiguous SRAM (the
 * row's sram_size counts them there): L47x SRAM2 (RM0351 2.3), G431 CCM SRAM (RM0440 2.4). */
static const stp_ram_area ram_l47x[] = {{0x10000000, KB(32), "SRAM2", 0x20018000}};
static const stp_ram_area ram_g43x[] = {{0x10000000, KB(10), "CCM SRAM", 0x20005800}};

/* ---- L4/G0/G4: RM0351 rev 9 (L4x5/L4x6), RM0444 rev 5 (G0x1), RM0440 rev 7 (G4).
 * FLASH registers at 0x40022000 on all three; flash size register 0x1FFF75E0, unique ID
 * 0x1FFF7590, user option bytes at 0x1FFF7800 as double words {value, complement}
 * (OPTR +0x00, PCROP1(A)SR +0x08, PCROP1(A)ER +0x10, WRP1AR +0x18, WRP1BR +0x20), system
 * memory at 0x1FFF0000. Pages are 2 KiB; WRP areas count pages (one WRP unit of the table
 * = wrp_granule bytes). */
#define L4_CORE                                                                                    \
    .flash_kind = STP_FLASH_L4, .flash_base = 0x08000000, .flash_regs = 0x40022000,                \
    .fsize_decode = STP_FSIZE_KB16, .sram_base = 0x20000000, .bootloader_addr = 0x1FFF0000,        \
    .bootloader_usart = USART1_PA9_PA10, .vdd_max_mv = 3600, .erased_value = 0xFF,                 \
    .bootloader_doc = AN2606, .uid_word2_offset = 8
/* The L4/G0/G4 flash-size register and unique ID (the C0 has its own: C0_COMMON), and the
 * option bytes at 0x1FFF7800 (the L4+ at 0x1FF00000: L4P_LINE). */
#define L4_BASE   L4_CORE, .flash_size_reg = 0x1FFF75E0, .uid_addr = 0x1FFF7590
#define L4_SHARED L4_CORE, .option_bytes_addr = 0x1FFF7800
#define L4_COMMON L4_BASE, .option_bytes_addr = 0x1FFF7800

#define G0B_BANKS                                                                                  \
    {                                                                                              \
        .bank_count = 2, .banks = {                                                                \
            {.base = 0x08000000, .runs = {{128, KB(2)}}},                                          \
            {.base = 0x08040000, .first_sector_number = 256, .runs = {{128, KB(2)}}}               \
        }                                                                                          \
    }
#define G0_ROW                                                                                     \
    L4_COMMON, .family = "G0", .core = STP_CORE_M0P, .idcode_addr = 0x40015800,                    \
               .wrp_granule = KB(2), .option_bytes_size = 128, .bootloader_version = 0x31,         \
               .vdd_min_mv = 1700, .reset_clock_hz = 16000000,                                     \
               .timing = L4_TIMING(85000, 125000, 22000, 40000, 22, 40),                           \
               .reference_manual = "RM0444 rev 5", G0_SUPPLY
#define C0_COMMON                                                                                  \
    L4_SHARED, .family = "C0", .fam = &fam_c0, .page_number_bits = 6, .core = STP_CORE_M0P,        \
               .idcode_addr = 0x40015800, .flash_size_reg = 0x1FFF75A0, .uid_addr = 0x1FFF7550,    \
               .flash_sizes_kb = {16, 32}, .flash_default_kb = 32,                                 \
               .layout = ONE_BANK({16, KB(2)}), .wrp_granule = KB(2), .option_bytes_size = 128,    \
               .bootloader_size = 0x1800, .bootloader_version = 0x31, .vdd_min_mv = 2000,          \
               .reset_clock_hz = 12000000,                                                         \
               .timing = L4_TIMING(85000, 125000, 22000, 40000, 22, 40),                           \
               .reference_manual = "RM0490 rev 3", G0_SUPPLY

/* RM0351 1 MiB: two banks of 256 pages of 2 KiB, bank 2 at 0x08080000 (pages 256.., erased
 * with BKER), in both bank modes (256/512 KiB parts take a prefix of each bank). */
#define L4_TWO_BANKS_2K                                                                            \
    .layout = {.bank_count = 2,                                                                    \
               .banks = {{.base = 0x08000000, .runs = {{256, KB(2)}}},                             \
                         {.base = 0x08080000,                                                      \
                          .first_sector_number = 256,                                              \
                          .runs = {{256, KB(2)}}}}},                                               \
    .layout_dual = {                                                                               \
        .bank_count = 2,                                                                           \
        .banks = {{.base = 0x08000000, .runs = {{256, KB(2)}}},                                    \
                  {.base = 0x08080000, .first_sector_number = 256, .runs = {{256, KB(2)}}}}}
/* The rows of the L4 lines (M4F, DBGMCU at 0xE0042000, 2 KiB WRP pages, 28 KiB system memory,
 * 1.71 V, MSI 4 MHz, the L4 datasheets' timings and currents). */
#define L4_LINE                                                                                    \
    L4_COMMON, .family = "L4", .fam = &fam_l4, .core = STP_CORE_M4, .idcode_addr = 0xE0042000,     \
               .page_number_bits = 8, .wrp_granule = KB(2), .option_bytes_size = 40,               \
               .bootloader_size = 0x7000, .vdd_min_mv = 1710, .reset_clock_hz = 4000000,           \
               .timing = L4_TIMING(81690, 90760, 22020, 24470, 22, 25), L4_SUPPLY

/* The rows of the L4+ lines (RM0432): option bytes at 0x1FF00000 / 0x1FF01000, DBANK on the
 * largest size and DB1M on the smaller one, four WRP areas in single-bank mode, 4 KiB WRP
 * units (the dual-bank page). */
#define L4P_LINE                                                                                   \
    L4_BASE, .family = "L4+", .fam = &fam_l4, .core = STP_CORE_M4, .idcode_addr = 0xE0042000,      \
             .page_number_bits = 8, .wrp_granule = KB(4), .option_bytes_addr = 0x1FF00000,         \
             .option_bytes_size = 40, .option_bytes2_addr = 0x1FF01000, .option_bytes2_size = 40,  \
             .bootloader_size = 0x7000, .vdd_min_mv = 1710, .reset_clock_hz = 4000000,             \
             .timing = L4_TIMING2(KB(4), KB(8), 81690, 90760, 22020, 24470, 22, 25), L4_SUPPLY,    \
             BANK_OPTS(bank_opts_l4p), .dbank_mask_max = 1u << 22, .dbank_mask_small = 1u << 21,   \
             .wrp_four_areas_single = true, .reference_manual = "RM0432 rev 9"
/* The rows of the G4 lines after cat. 2 (RM0440): M4F, 2 KiB WRP pages, HSI16 after reset. */
#define G4_LINE                                                                                    \
    L4_COMMON, .family = "G4", .fam = &fam_g4, .core = STP_CORE_M4, .idcode_addr = 0xE0042000,     \
               .wrp_granule = KB(2), .sram_size = KB(96), .option_bytes_size = 48,                 \
               .bootloader_size = 0x7000, .vdd_min_mv = 1710, .reset_clock_hz = 16000000,          \
               .reference_manual = "RM0440 rev 7", G4_SUPPLY

static const stp_chip chips[] = {
    /* F0 */
    {F0_COMMON, .fam = &fam_f0, .dev_id = 0x444, .name = "STM32F03x", .flash_sizes_kb = {16, 32},
     .flash_default_kb = 32, .layout = ONE_BANK({32, KB(1)}), .sram_size = KB(4),
     .bootloader_addr = 0x1FFFEC00, .bootloader_size = 0xC00, .bootloader_version = 0x10,
     .timing = F0F3_TIMING(KB(1)), .reference_manual = "RM0091 rev 10",
     .datasheet = "DS9773 rev 4 (STM32F030x4/x6/x8/xC), DS9532 rev 6 (STM32F031x4/x6)"},
    {F0_COMMON, .fam = &fam_f04_f09, .dev_id = 0x445, .name = "STM32F04x/F070x6",
     .flash_sizes_kb = {16, 32}, .flash_default_kb = 32, .layout = ONE_BANK({32, KB(1)}),
     .sram_size = KB(6), .bootloader_addr = 0x1FFFC400, .bootloader_size = 0x3400,
     .bootloader_version = 0xA0, .timing = F0F3_TIMING(KB(1)), .reference_manual = "RM0091 rev 10",
     .datasheet = "DS10050 rev 6 (STM32F042x4/x6)"},
    {F0_COMMON, .fam = &fam_f0, .dev_id = 0x440, .name = "STM32F05x/F030x8",
     .flash_sizes_kb = {16, 32, 64}, .flash_default_kb = 64, .layout = ONE_BANK({64, KB(1)}),
     .sram_size = KB(8), .bootloader_addr = 0x1FFFEC00, .bootloader_size = 0xC00,
     .bootloader_version = 0x21, .timing = F0F3_TIMING(KB(1)), .reference_manual = "RM0091 rev 10",
     .datasheet = "DS8668 rev 8 (STM32F051x4/x6/x8)"},
    {F0_COMMON, .fam = &fam_f0, .dev_id = 0x448, .name = "STM32F07x", .flash_sizes_kb = {64, 128},
     .flash_default_kb = 128, .layout = ONE_BANK({64, KB(2)}), .sram_size = KB(16),
     .bootloader_addr = 0x1FFFC800, .bootloader_size = 0x3000, .bootloader_version = 0xA1,
     .timing = F0F3_TIMING(KB(2)), .reference_manual = "RM0091 rev 10",
     .datasheet = "DS9826 rev 5 (STM32F072x8/xB)"},
    {F0_COMMON, .fam = &fam_f04_f09, .dev_id = 0x442, .name = "STM32F09x/F030xC",
     .flash_sizes_kb = {128, 256}, .flash_default_kb = 256, .layout = ONE_BANK({128, KB(2)}),
     .sram_size = KB(32), .bootloader_addr = 0x1FFFD800, .bootloader_size = 0x2000,
     .bootloader_version = 0x50, .timing = F0F3_TIMING(KB(2)), .reference_manual = "RM0091 rev 10",
     .datasheet = "DS10009 rev 5 (STM32F091xB/xC)"},

    /* F1 */
    {F1_COMMON, .dev_id = 0x412, .name = "STM32F10x low density", .flash_sizes_kb = {16, 32},
     .flash_default_kb = 32, .layout = ONE_BANK({32, KB(1)}), .sram_size = KB(4),
     .bootloader_addr = 0x1FFFF000, .bootloader_size = 0x800, .bootloader_version = 0x22,
     .timing = F1_TIMING(KB(1)), .datasheet = "DS5919 rev 8 (STM32F103x4/x6)"},
    {F1_COMMON, .dev_id = 0x410, .name = "STM32F10x medium density", .flash_sizes_kb = {64, 128},
     .flash_default_kb = 128, .layout = ONE_BANK({128, KB(1)}), .sram_size = KB(10),
     .bootloader_addr = 0x1FFFF000, .bootloader_size = 0x800, .bootloader_version = 0x22,
     .timing = F1_TIMING(KB(1)), .datasheet = "DS5319 rev 18 (STM32F103x8/xB)"},
    {F1_COMMON, .dev_id = 0x414, .name = "STM32F10x high density",
     .flash_sizes_kb = {256, 384, 512}, .flash_default_kb = 512, .layout = ONE_BANK({256, KB(2)}),
     .sram_size = KB(32), .bootloader_addr = 0x1FFFF000, .bootloader_size = 0x800,
     .bootloader_version = 0x22, .timing = F1_TIMING(KB(2)),
     .datasheet = "DS5792 rev 13 (STM32F103xC/xD/xE)"},
    {F1_COMMON, .dev_id = 0x418, .name = "STM32F105/F107 connectivity line",
     .flash_sizes_kb = {64, 128, 256}, .flash_default_kb = 256, .layout = ONE_BANK({128, KB(2)}),
     .sram_size = KB(64), .bootloader_addr = 0x1FFFB000, .bootloader_size = 0x4800,
     .bootloader_version = 0x22, .timing = F1_TIMING(KB(2)),
     .datasheet = "DS6014 rev 10 (STM32F105xx/F107xx)"},
    {F1_COMMON, .dev_id = 0x420, .name = "STM32F100 value line low/medium density",
     .flash_sizes_kb = {16, 32, 64, 128}, .flash_default_kb = 128, .layout = ONE_BANK({128, KB(1)}),
     .sram_size = KB(4), .bootloader_addr = 0x1FFFF000, .bootloader_size = 0x800,
     .bootloader_version = 0x10, .timing = F1_TIMING(KB(1)),
     .datasheet = "DS6517 rev 11 (STM32F100x4/x6/x8/xB)"},
    {F1_COMMON, .dev_id = 0x428, .name = "STM32F100 value line high density",
     .flash_sizes_kb = {256, 384, 512}, .flash_default_kb = 512, .layout = ONE_BANK({256, KB(2)}),
     .sram_size = KB(24), .bootloader_addr = 0x1FFFF000, .bootloader_size = 0x800,
     .bootloader_version = 0x10, .timing = F1_TIMING(KB(2)),
     .datasheet = "DS7017 rev 8 (STM32F100xC/xD/xE)"},
    /* XL density: two banks with their own register sets; bank 1 is always 512 KiB. */
    {F1_COMMON, .dev_id = 0x430, .name = "STM32F10x XL density", .flash_sizes_kb = {768, 1024},
     .flash_default_kb = 1024,
     .layout = {.bank_count = 2,
                .banks =
                    {{.base = 0x08000000, .runs = {{256, KB(2)}}},
                     {.base = 0x08080000, .first_sector_number = 256, .runs = {{256, KB(2)}}}}},
     .flash_regs2 = 0x40022040, .sram_size = KB(80), .bootloader_addr = 0x1FFFE000,
     .bootloader_size = 0x1800, .bootloader_version = 0x21, .timing = F1_TIMING(KB(2)),
     .datasheet = "DS6795 rev 6 (STM32F103xF/xG)"},

    /* F2: RM0033 rev 9, DS6697 rev 13 */
    {F24_COMMON, .family = "F2", .fam = &fam_f2, .dev_id = 0x411, .core = STP_CORE_M3,
     .name = "STM32F20x/F21x", .flash_sizes_kb = {128, 256, 512, 768, 1024},
     .flash_default_kb = 1024, .layout = ONE_BANK(F4_SECTORS(7)), .sram_size = KB(64),
     .bootloader_version = 0x33, .vdd_min_mv = 1800,
     .timing = F4_TIMING(1800, F4_ERASE_16K, F4_ERASE_64K, F4_ERASE_128K),
     .reference_manual = "RM0033 rev 9", .datasheet = "DS6697 rev 13 (STM32F205xx/F207xx)"},

    /* F3 */
    {F3_COMMON, .fam = &fam_f3, .dev_id = 0x422, .name = "STM32F302xB/C/F303xB/C/F358",
     .flash_sizes_kb = {128, 256}, .flash_default_kb = 256, .layout = ONE_BANK({128, KB(2)}),
     .sram_size = KB(32), RAM_AREAS(ccm_8k), .bootloader_version = 0x41,
     .reference_manual = "RM0316 rev 8", .datasheet = "DS9118 rev 14 (STM32F303xB/xC)"},
    {F3_COMMON, .fam = &fam_f37, .dev_id = 0x432, .name = "STM32F37x",
     .flash_sizes_kb = {64, 128, 256}, .flash_default_kb = 256, .layout = ONE_BANK({128, KB(2)}),
     .sram_size = KB(16), .bootloader_version = 0x41, .reference_manual = "RM0313 rev 6",
     .datasheet = "DS9349 rev 7 (STM32F373x8/xB/xC)"},
    {F3_COMMON, .fam = &fam_f3, .dev_id = 0x438, .name = "STM32F303x6/8/F334/F328",
     .flash_sizes_kb = {32, 64}, .flash_default_kb = 64, .layout = ONE_BANK({32, KB(2)}),
     .sram_size = KB(12), RAM_AREAS(ccm_4k), .bootloader_version = 0x50,
     .reference_manual = "RM0316 rev 8, RM0364 rev 4 (F334)",
     .datasheet = "DS10294 rev 5 (STM32F303x6/x8), DS9994 rev 8 (STM32F334x4/x6/x8)"},
    {F3_COMMON, .fam = &fam_f3, .dev_id = 0x439, .name = "STM32F301/F302x6/8/F318",
     .flash_sizes_kb = {32, 64}, .flash_default_kb = 64, .layout = ONE_BANK({32, KB(2)}),
     .sram_size = KB(16), .bootloader_version = 0x40, .reference_manual = "RM0366 rev 4",
     .datasheet = "DS9896 rev 7 (STM32F301x6/x8)"},
    {F3_COMMON, .fam = &fam_f3, .dev_id = 0x446, .name = "STM32F302xD/E/F303xD/E/F398",
     .flash_sizes_kb = {384, 512}, .flash_default_kb = 512, .layout = ONE_BANK({256, KB(2)}),
     .sram_size = KB(64), RAM_AREAS(ccm_16k), .bootloader_version = 0x40,
     .reference_manual = "RM0316 rev 8", .datasheet = "DS10362 rev 6 (STM32F303xD/xE)"},

    /* F4 */
    {F4_COMMON, .dev_id = 0x413, .name = "STM32F40x/F41x", .flash_sizes_kb = {512, 1024},
     .flash_default_kb = 1024, .layout = ONE_BANK(F4_SECTORS(7)), .sram_size = KB(128),
     .bootloader_version = 0x31, .vdd_min_mv = 1800,
     .timing = F4_TIMING(1700, F4_ERASE_16K, F4_ERASE_64K, F4_ERASE_128K),
     .reference_manual = "RM0090 rev 19", .datasheet = "DS8626 rev 9 (STM32F405xx/F407xx)"},
    /* 2 MiB parts: two banks, bank-2 sectors 12..23 are SNB 16..27. 1 MiB parts with DB1M=1:
     * two banks of 512 KiB (sectors 0..7 and 12..19). */
    {F4_COMMON, .dev_id = 0x419, .name = "STM32F42x/F43x", .flash_sizes_kb = {512, 1024, 2048},
     .flash_default_kb = 2048,
     .layout = {.bank_count = 2,
                .banks = {{.base = 0x08000000, .runs = {F4_SECTORS(7)}},
                          {.base = 0x08100000,
                           .first_sector_number = 16,
                           .first_manual_number = 12,
                           .runs = {F4_SECTORS(7)}}}},
     .layout_dual = {.bank_count = 2,
                     .banks = {{.base = 0x08000000, .runs = {F4_SECTORS(3)}},
                               {.base = 0x08080000,
                                .first_sector_number = 16,
                                .first_manual_number = 12,
                                .runs = {F4_SECTORS(3)}}}},
     .option_bytes2_addr = 0x1FFEC000, .option_bytes2_size = 16, .sram_size = KB(192),
     .bootloader_version = 0x70, .vdd_min_mv = 1700,
     .timing = F4_TIMING(1700, F4_ERASE_16K, F4_ERASE_64K, F4_ERASE_128K),
     .reference_manual = "RM0090 rev 19", .datasheet = "DS9405 rev 13 (STM32F427xx/F429xx)"},
    {F4_COMMON, .dev_id = 0x421, .name = "STM32F446", .flash_sizes_kb = {256, 512},
     .flash_default_kb = 512, .layout = ONE_BANK(F4_SECTORS(3)), .sram_size = KB(128),
     .bootloader_version = 0x90, .vdd_min_mv = 1700,
     .timing = F4_TIMING(1700, F4_ERASE_16K, F4_ERASE_64K, F4_ERASE_128K),
     .reference_manual = "RM0390 rev 6", .datasheet = "DS10693 rev 10 (STM32F446xC/xE)"},
    {F4_COMMON, .dev_id = 0x423, .name = "STM32F401xB/xC", .flash_sizes_kb = {128, 256},
     .flash_default_kb = 256, .layout = ONE_BANK(F4_SECTORS(1)), .sram_size = KB(64),
     .bootloader_version = 0xD1, .vdd_min_mv = 1700,
     .timing = F4_TIMING(1700, F4_ERASE_16K, F4_ERASE_64K, F4_ERASE_128K),
     .reference_manual = "RM0368 rev 5", .datasheet = "DS9716 rev 11 (STM32F401xB/xC)"},
    {F4_COMMON, .dev_id = 0x431, .name = "STM32F411", .flash_sizes_kb = {256, 512},
     .flash_default_kb = 512, .layout = ONE_BANK(F4_SECTORS(3)), .sram_size = KB(128),
     .bootloader_version = 0xD0, .vdd_min_mv = 1700,
     .timing = F4_TIMING(1700, F4_ERASE_16K, F4_ERASE_64K, F4_ERASE_128K),
     .reference_manual = "RM0383 rev 3", .datasheet = "DS10314 rev 7 (STM32F411xC/xE)"},
    {F4_COMMON, .dev_id = 0x433, .name = "STM32F401xD/xE", .flash_sizes_kb = {384, 512},
     .flash_default_kb = 512, .layout = ONE_BANK(F4_SECTORS(3)), .sram_size = KB(96),
     .bootloader_version = 0xD1, .vdd_min_mv = 1700,
     .timing = F4_TIMING(1700, F4_ERASE_16K, F4_ERASE_64K, F4_ERASE_128K),
     .reference_manual = "RM0368 rev 5", .datasheet = "DS10086 rev 3 (STM32F401xD/xE)"},
    {F4_COMMON, .dev_id = 0x434, .name = "STM32F469/F479", .flash_sizes_kb = {512, 1024, 2048},
     .flash_default_kb = 2048,
     .layout = {.bank_count = 2,
                .banks = {{.base = 0x08000000, .runs = {F4_SECTORS(7)}},
                          {.base = 0x08100000,
                           .first_sector_number = 16,
                           .first_manual_number = 12,
                           .runs = {F4_SECTORS(7)}}}},
     .layout_dual = {.bank_count = 2,
                     .banks = {{.base = 0x08000000, .runs = {F4_SECTORS(3)}},
                               {.base = 0x08080000,
                                .first_sector_number = 16,
                                .first_manual_number = 12,
                                .runs = {F4_SECTORS(3)}}}},
     .option_bytes2_addr = 0x1FFEC000, .option_bytes2_size = 16, .sram_size = KB(320),
     .bootloader_version = 0x90, .vdd_min_mv = 1700,
     .timing = F4_TIMING(1700, F4_ERASE_16K, F4_ERASE_64K, F4_ERASE_128K),
     .reference_manual = "RM0386 rev 6", .datasheet = "DS11189 rev 8 (STM32F469xx)"},
    {F4_COMMON, .dev_id = 0x441, .name = "STM32F412", .flash_sizes_kb = {512, 1024},
     .flash_default_kb = 1024, .layout = ONE_BANK(F4_SECTORS(7)), .sram_size = KB(256),
     .bootloader_version = 0x90, .vdd_min_mv = 1700,
     .timing = F4_TIMING(1700, F4_ERASE_16K, F4_ERASE_64K, F4_ERASE_128K),
     .reference_manual = "RM0402 rev 6", .datasheet = "DS11139 rev 8 (STM32F412xE/xG)"},
    {F4_COMMON, .dev_id = 0x458, .name = "STM32F410", .flash_sizes_kb = {64, 128},
     .flash_default_kb = 128, .layout = ONE_BANK({4, KB(16)}, {1, KB(64)}), .sram_size = KB(32),
     .bootloader_version = 0xB1, .vdd_min_mv = 1700,
     .timing = F4_TIMING(1700, F4_ERASE_16K, F4_ERASE_64K), .reference_manual = "RM0401 rev 3",
     .datasheet = "DS11162 rev 6 (STM32F410x8/xB)"},
    {F4_COMMON, .dev_id = 0x463, .name = "STM32F413/F423", .flash_sizes_kb = {1024, 1536},
     .flash_default_kb = 1536, .layout = ONE_BANK(F4_SECTORS(11)), .sram_size = KB(320),
     .bootloader_version = 0x90, .vdd_min_mv = 1700, .optcr_nwrp_bits = 15,
     .timing = F4_TIMING(1700, F4_ERASE_16K, F4_ERASE_64K, F4_ERASE_128K),
     .reference_manual = "RM0430 rev 8", .datasheet = "DS11581 rev 6 (STM32F413xG/xH)"},

    /* F7 */
    {F7_COMMON, .dev_id = 0x449, .name = "STM32F74x/F75x", .flash_sizes_kb = {64, 512, 1024},
     .flash_default_kb = 1024, .layout = ONE_BANK(F7_SECTORS(3)), .flash_size_reg = 0x1FF0F442,
     .uid_addr = 0x1FF0F420, .bootloader_size = 0xEDC0, .otp_addr = 0x1FF0F000, .otp_size = 1024,
     .option_bytes_size = 32, .sram_size = KB(320), .bootloader_version = 0x70,
     .timing = F4_TIMING(1700, F7_ERASE_32K, F4_ERASE_128K, F7_ERASE_256K),
     .reference_manual = "RM0385 rev 8", .datasheet = "DS10916 rev 6 (STM32F745xx/F746xx)"},
    /* nDBANK=1 (factory): one bank 4x32K,1x128K,7x256K. nDBANK=0: two banks of
     * 4x16K,1x64K,7x128K; bank-2 sectors 12..23 are SNB 16..27. */
    {F7_COMMON, .dev_id = 0x451, .name = "STM32F76x/F77x", .flash_sizes_kb = {1024, 2048},
     .flash_default_kb = 2048, .layout = ONE_BANK(F7_SECTORS(7)),
     .layout_dual = {.bank_count = 2,
                     .banks = {{.base = 0x08000000, .runs = {F4_SECTORS(7)}},
                               {.base = 0x08100000,
                                .first_sector_number = 16,
                                .first_manual_number = 12,
                                .runs = {F4_SECTORS(7)}}}},
     .flash_size_reg = 0x1FF0F442, .uid_addr = 0x1FF0F420, .bootloader_size = 0xEDC0,
     .otp_addr = 0x1FF0F000, .otp_size = 1024, .option_bytes_size = 32, .sram_size = KB(512),
     .bootloader_version = 0x93,
     .timing =
         F4_TIMING(1700, F4_ERASE_16K, F7_ERASE_32K, F4_ERASE_64K, F4_ERASE_128K, F7_ERASE_256K),
     .reference_manual = "RM0410 rev 4", .datasheet = "DS11532 rev 7 (STM32F765xx/F767xx)"},
    {F7_COMMON, .dev_id = 0x452, .name = "STM32F72x/F73x", .flash_sizes_kb = {64, 256, 512},
     .flash_default_kb = 512, .layout = ONE_BANK(F4_SECTORS(3)), .flash_size_reg = 0x1FF07A22,
     .uid_addr = 0x1FF07A10, .bootloader_size = 0x7800, .otp_addr = 0x1FF07800, .otp_size = 512,
     .option_bytes_size = 40, .sram_size = KB(256), .bootloader_version = 0x90,
     .timing = F4_TIMING(1700, F4_ERASE_16K, F4_ERASE_64K, F4_ERASE_128K),
     .reference_manual = "RM0431 rev 3", .datasheet = "DS11853 rev 8 (STM32F722xx/F723xx)"},

    /* L1: 256-byte pages, 16 pages (4 KiB) per WRP bit. Cat.4-6 have two banks for
     * read-while-write, but pages are numbered and erased uniformly, so one run. */
    {L1_COMMON, .dev_id = 0x416, .name = "STM32L1xx cat.1", .flash_sizes_kb = {32, 64, 128},
     .flash_default_kb = 128, .layout = ONE_BANK({512, 256}), .flash_size_reg = 0x1FF8004C,
     .fsize_decode = STP_FSIZE_KB16, .uid_addr = 0x1FF80050, .option_bytes_size = 16,
     .sram_size = KB(4), .bootloader_version = 0x20,
     .datasheet = "DS6876 rev 12 (STM32L151x6/x8/xB)"},
    {L1_COMMON, .dev_id = 0x429, .name = "STM32L1xx cat.2", .flash_sizes_kb = {32, 64, 128},
     .flash_default_kb = 128, .layout = ONE_BANK({512, 256}), .flash_size_reg = 0x1FF8004C,
     .fsize_decode = STP_FSIZE_L1_LOWBYTE, .uid_addr = 0x1FF80050, .option_bytes_size = 16,
     .sram_size = KB(4), .bootloader_version = 0x20,
     .datasheet = "DS10721 rev 6 (STM32L151x6/x8/xB-A)"},
    {L1_COMMON, .dev_id = 0x427, .name = "STM32L1xx cat.3", .flash_sizes_kb = {256},
     .flash_default_kb = 256, .layout = ONE_BANK({1024, 256}), .flash_size_reg = 0x1FF800CC,
     .fsize_decode = STP_FSIZE_KB16, .uid_addr = 0x1FF800D0, .option_bytes_size = 24,
     .sram_size = KB(16), .bootloader_version = 0x40,
     .datasheet = "DS7910 rev 11 (STM32L151xC/L152xC)"},
    {L1_COMMON, .dev_id = 0x436, .name = "STM32L1xx cat.4/cat.3", .flash_sizes_kb = {256, 384},
     .flash_default_kb = 384, .layout = ONE_BANK({1536, 256}), .flash_size_reg = 0x1FF800CC,
     .fsize_decode = STP_FSIZE_L1_CAT3, .uid_addr = 0x1FF800D0, .option_bytes_size = 32,
     .sram_size = KB(32), .bootloader_version = 0x45,
     .datasheet = "DS8890 rev 9 (STM32L151xD/L152xD)"},
    {L1_COMMON, .dev_id = 0x437, .name = "STM32L1xx cat.5/cat.6", .flash_sizes_kb = {384, 512},
     .flash_default_kb = 512, .layout = ONE_BANK({2048, 256}), .flash_size_reg = 0x1FF800CC,
     .fsize_decode = STP_FSIZE_KB16, .uid_addr = 0x1FF800D0, .option_bytes_size = 32,
     .option_bytes2_addr = 0x1FF80080, .option_bytes2_size = 8, .sram_size = KB(80),
     .bootloader_version = 0x40, .datasheet = "DS8669 rev 10 (STM32L151xE/L152xE)"},

    /* L4: RM0351 rev 9, DS10198 rev 8. Sources per fact:
     * - DEV_ID 0x415 at DBGMCU_IDCODE 0xE0042000: RM0351 "DBGMCU_IDCODE" (also OpenOCD
     *   stm32l4x.h DEVID_STM32L47_L48XX, DBGMCU_IDCODE_L4_G4).
     * - 1 MiB as two banks of 256 pages of 2 KiB: DS10198 3.4 "Embedded Flash memory". Bank-2
     *   pages are PNB 0..255 with BKER=1 (numbered 256.. here): RM0351 "Flash control register
     *   (FLASH_CR)" (PNB 8 bits, BKER bit 11; bit positions also in OpenOCD stm32l4x.h).
     *   256/512 KiB parts are dual bank only with OPTR.DUALBANK (bit 21): RM0351 FLASH_OPTR.
     * - WRP: "two areas per bank ..., with 2-Kbyte granularity" (DS10198 3.4); area y
     *   covers base + WRP1y_STRT x 0x800 up to base + (WRP1y_END + 1) x 0x800, END included
     *   (RM0351 "Write protection (WRP)", quoted in electronics.stackexchange.com q. 374798).
     *   STRT/END are 8-bit page numbers inside the bank. One WRP unit of the table is thus
     *   one 2 KiB page (bit n = page n; bank 2 = bits 256..511).
     * - Option bytes bank 1 at 0x1FFF7800, bank 2 (PCROP2, WRP2A/B) at 0x1FFFF800: RM0351
     *   "Option bytes description".
     * - SRAM1 96 KiB at 0x20000000, SRAM2 32 KiB at 0x10000000 "also mapped at address
     *   0x2001 8000, offering a contiguous address space with the SRAM1": RM0351 2.3 "Embedded
     *   SRAM" (DS10198 "Embedded SRAM": 128 KiB). The row's SRAM is the contiguous 128 KiB;
     *   SRAM2's own address is a RAM block aliased into it (issue 13). SRAM2's parity and
     *   write protection are not modelled.
     * - MSI 4 MHz after reset: RM0351 "MSI clock".
     * - tprog 64-bit 81.69/90.76 us, tERASE 2 KiB page 22.02/24.47 ms, tME 22.13/24.59 ms
     *   (stored rounded to whole ms: 22/25): DS10198 "Flash memory characteristics" table. Not
     *   re-read this session (the table is not in the stored corpora); the model's numbers
     *   are these (sim_timing_*). */
    /* L0 (L0_COMMON above). Sizes, SRAM: the datasheets' device summaries (DS11012 L011x3/x4
     * 8/16 KiB flash, 2 KiB SRAM; DS10668 L031x4/x6 16/32 KiB, 8 KiB; DS10182 L053x6/x8
     * 32/64 KiB, 8 KiB; DS10685 L073x8/xB/xZ 64/128/192 KiB, 20 KiB); maxima also OpenOCD
     * stm32lx.c max_flash_size_kb. */
    {L0_COMMON, .dev_id = 0x457, .name = "STM32L01x/L02x (cat. 1)", .flash_sizes_kb = {8, 16},
     .flash_default_kb = 16, .layout = ONE_BANK({128, 128}), .sram_size = KB(2),
     .bootloader_size = 0x1000, .bootloader_version = 0xC3, .bootloader_usart = USART2_PA2_PA3,
     .reference_manual = "RM0377 rev 10", .datasheet = "DS11012 rev 5 (STM32L011x3/x4)"},
    {L0_COMMON, .dev_id = 0x425, .name = "STM32L031/L041 (cat. 2)", .flash_sizes_kb = {16, 32},
     .flash_default_kb = 32, .layout = ONE_BANK({256, 128}), .sram_size = KB(8),
     .bootloader_size = 0x1000, .bootloader_version = 0xC0, .bootloader_usart = USART2_PA2_PA3,
     .reference_manual = "RM0377 rev 10", .datasheet = "DS10668 rev 5 (STM32L031x4/x6)"},
    {L0_COMMON, .dev_id = 0x417, .name = "STM32L05x/L06x (cat. 3)", .flash_sizes_kb = {32, 64},
     .flash_default_kb = 64, .layout = ONE_BANK({512, 128}), .sram_size = KB(8),
     .bootloader_size = 0x1000, .bootloader_version = 0xC0, .bootloader_usart = USART1_PA9_PA10,
     .reference_manual = "RM0367 rev 7", .datasheet = "DS10182 rev 9 (STM32L053x6/x8)"},
    {L0_COMMON, .dev_id = 0x447, .name = "STM32L07x/L08x (cat. 5)",
     .flash_sizes_kb = {64, 128, 192}, .flash_default_kb = 192, .layout = ONE_BANK({1536, 128}),
     .option_bytes2_addr = 0x1FF80010, .option_bytes2_size = 4, .sram_size = KB(20),
     .bootloader_size = 0x2000, .bootloader_version = 0x41, .bootloader_usart = USART1_PA9_PA10,
     .reference_manual = "RM0367 rev 7", .datasheet = "DS10685 rev 6 (STM32L073x8/xB/xZ)"},

    {L4_COMMON,
     .family = "L4",
     .fam = &fam_l4,
     .page_number_bits = 8,
     .dev_id = 0x415,
     .core = STP_CORE_M4,
     .name = "STM32L47x/L48x",
     .idcode_addr = 0xE0042000,
     .flash_sizes_kb = {256, 512, 1024},
     .flash_default_kb = 1024,
     L4_TWO_BANKS_2K,
     .wrp_granule = KB(2),
     .sram_size = KB(128),
     .ram_areas = ram_l47x,
     .ram_area_count = sizeof ram_l47x / sizeof ram_l47x[0],
     .option_bytes_size = 40,
     .option_bytes2_addr = 0x1FFFF800,
     .option_bytes2_size = 40,
     .bootloader_size = 0x7000,
     .bootloader_version = 0xA3,
     .vdd_min_mv = 1710,
     .reset_clock_hz = 4000000,
     .timing = L4_TIMING(81690, 90760, 22020, 24470, 22, 25),
     L4_SUPPLY,
     BANK_OPTS(bank_opts_l4),
     .dbank_mask_small = 1u << 21,
     .reference_manual = "RM0351 rev 9",
     .datasheet = "DS10198 rev 8 (STM32L476xx)"},
    /* The other L4 lines. Facts shared with the L476 row above unless a line says otherwise:
     * the L4-style controller at 0x40022000, 2 KiB pages, double-word programming, option
     * bytes at 0x1FFF7800, system memory 0x1FFF0000 (28 KiB), flash size at 0x1FFF75E0, MSI
     * 4 MHz after reset, VDD 1.71-3.6 V; DEV_IDs as in RM0394/RM0351 "DBGMCU_IDCODE" and
     * OpenOCD stm32l4x.h (DEVID_STM32L43_L44XX 0x435, L45_L46XX 0x462, L41_L42XX 0x464,
     * L49_L4AXX 0x461); flash sizes and bank modes as OpenOCD's stm32l4x.c part table and
     * probe (L43x/L44x 256 KiB, L45x/L46x 512 KiB, L41x/L42x 128 KiB single bank; L49x/L4Ax
     * 1 MiB always dual, 256/512 KiB dual with DUALBANK). Timings: the L4 datasheets' "Flash
     * memory characteristics" share DS10198's tprog 81.69/90.76 us, tERASE 22.02/24.47 ms,
     * tME 22.13/24.59 ms (not re-read this session for DS11451/DS11912/DS12469/DS11585: the
     * tables are not in the stored corpora). SRAM: SRAM1 and SRAM2 contiguous from
     * 0x20000000 (RM0394/RM0351 "Memory map": SRAM2 follows SRAM1 at its end). */
    {L4_LINE, .dev_id = 0x435, .name = "STM32L43x/L44x", .flash_sizes_kb = {128, 256},
     .flash_default_kb = 256, .layout = ONE_BANK({128, KB(2)}), /* RM0394 PNB[7:0] */
     .sram_size = KB(64), /* SRAM1 48 KiB + SRAM2 16 KiB (DS11451 "Embedded SRAM") */
     .bootloader_version = 0x91, .reference_manual = "RM0394 rev 4",
     .datasheet = "DS11451 rev ? (STM32L432KB/KC)"},
    {L4_LINE, .dev_id = 0x462, .name = "STM32L45x/L46x", .flash_sizes_kb = {256, 512},
     .flash_default_kb = 512, .layout = ONE_BANK({256, KB(2)}),
     .sram_size = KB(160), /* SRAM1 128 KiB + SRAM2 32 KiB (DS11912 "Embedded SRAM") */
     .bootloader_version = 0x92, .reference_manual = "RM0394 rev 4",
     .datasheet = "DS11912 rev ? (STM32L452xx)"},
    {L4_LINE, .dev_id = 0x464, .name = "STM32L41x/L42x", .flash_sizes_kb = {64, 128},
     .flash_default_kb = 128, .layout = ONE_BANK({64, KB(2)}),
     .sram_size = KB(40), /* SRAM1 32 KiB + SRAM2 8 KiB (DS12469 "Embedded SRAM") */
     .bootloader_version = 0xD1, .reference_manual = "RM0394 rev 4",
     .datasheet = "DS12469 rev ? (STM32L412xx)"},
    {L4_LINE, .dev_id = 0x461, .name = "STM32L49x/L4Ax", .flash_sizes_kb = {256, 512, 1024},
     .flash_default_kb = 1024, L4_TWO_BANKS_2K,
     .sram_size = KB(320), /* SRAM1 256 KiB + SRAM2 64 KiB (DS11585 "Embedded SRAM") */
     .option_bytes2_addr = 0x1FFFF800, .option_bytes2_size = 40, .bootloader_version = 0x93,
     BANK_OPTS(bank_opts_l4), .dbank_mask_small = 1u << 21, .reference_manual = "RM0351 rev 9",
     .datasheet = "DS11585 rev ? (STM32L496xx)"},
    /* L4+: RM0432. DEV_ID 0x470 (L4R/L4S, 1/2 MiB) and 0x471 (L4P/L4Q, 512 KiB/1 MiB):
     * RM0432 "DBGMCU_IDCODE" (OpenOCD stm32l4x.h DEVID_STM32L4R_L4SXX, L4P_L4QXX). Bank mode
     * (RM0432 "Flash memory organization", OpenOCD stm32l4x.c probe): DBANK (OPTR 22) on the
     * largest size, DB1M (21) on the smaller one; dual bank: two banks of 4 KiB pages (bank 2
     * from the middle); single bank: one bank of 8 KiB pages. In single-bank mode all four
     * WRP areas guard the one bank (OpenOCD F_USE_ALL_WRPXX). Option bytes bank 1 at
     * 0x1FF00000, bank 2 at 0x1FF01000 (RM0432 "Flash memory organization"). SRAM1, SRAM2
     * and SRAM3 contiguous from 0x20000000 (L4R: 192 + 64 + 384 KiB; L4P: 128 + 64 + 128 KiB;
     * DS12023/DS12902 "Embedded SRAM"). Timings as the L4 datasheets (tprog 81.69/90.76 us,
     * page erase 22.02/24.47 ms, tME 22.13/24.59 ms); DS12023's table not re-read this
     * session. */
    {L4P_LINE, .dev_id = 0x470, .name = "STM32L4R/L4S", .flash_sizes_kb = {1024, 2048},
     .flash_default_kb = 2048, .layout = ONE_BANK({256, KB(8)}), /* RM0432 PNB[7:0] */
     .layout_dual =
         {.bank_count = 2,
          .banks = {{.base = 0x08000000, .runs = {{256, KB(4)}}},
                    {.base = 0x08100000, .first_sector_number = 256, .runs = {{256, KB(4)}}}}},
     .sram_size = KB(640), .bootloader_version = 0x95,
     .datasheet = "DS12023 rev ? (STM32L4R5xx/L4S5xx)"},
    {L4P_LINE, .dev_id = 0x471, .name = "STM32L4P/L4Q", .flash_sizes_kb = {512, 1024},
     .flash_default_kb = 1024, .layout = ONE_BANK({128, KB(8)}),
     .layout_dual =
         {.bank_count = 2,
          .banks = {{.base = 0x08000000, .runs = {{128, KB(4)}}},
                    {.base = 0x08080000, .first_sector_number = 128, .runs = {{128, KB(4)}}}}},
     .sram_size = KB(320), .bootloader_version = 0x90,
     .datasheet = "DS12902 rev ? (STM32L4P5xx/L4Q5xx)"},
    /* G0: RM0444 rev 5, DS12232 rev 3. Sources per fact:
     * - DEV_ID 0x460 at DBGMCU_IDCODE 0x40015800 (Cortex-M0+): RM0444 "DBG_IDCODE" (also
     *   OpenOCD stm32l4x.h DEVID_STM32G07_G08XX, DBGMCU_IDCODE_G0).
     * - 2 KiB pages; system memory 0x1FFF0000-0x1FFF1FFF (8 KiB); option bytes
     *   0x1FFF7800-0x1FFF787F (128 B): RM0444 3.3.1 table 9 "Flash memory organization".
     * - PNB and WRP STRT/END 6 bits (64 pages): RM0444 FLASH_CR, FLASH_WRP1AR/WRP1BR.
     * - SR: CFGBSY bit 18 next to BSY1 bit 16: RM0444 FLASH_SR.
     * - SRAM 36 KiB: DS12232 "Embedded SRAM". HSI16 after reset: RM0444 "Clocks".
     * - tprog 64-bit 85/125 us, tERASE page 22/40 ms, tME 22/40 ms: DS12232 "Flash memory
     *   characteristics" table (not re-read this session, as for the L4).
     * - DBGMCU clock gate RCC_APBENR1 (RCC 0x40021000 + 0x3C) bit 27 DBGEN "Debug support
     *   clock enable": RM0444 RCC_APBENR1 (stm32-rs stm32g0 SVD: APBENR1.DBGEN bit 27). */
    {L4_COMMON,
     .family = "G0",
     .fam = &fam_g0,
     .page_number_bits = 6,
     .dev_id = 0x460,
     .core = STP_CORE_M0P,
     .name = "STM32G07x/G08x",
     .idcode_addr = 0x40015800,
     .flash_sizes_kb = {64, 128},
     .flash_default_kb = 128,
     .layout = ONE_BANK({64, KB(2)}),
     .wrp_granule = KB(2),
     .sram_size = KB(36),
     .option_bytes_size = 128,
     .bootloader_size = 0x2000,
     .bootloader_version = 0xB3,
     .vdd_min_mv = 1700,
     .reset_clock_hz = 16000000,
     .timing = L4_TIMING(85000, 125000, 22000, 40000, 22, 40),
     .reference_manual = "RM0444 rev 5",
     .datasheet = "DS12232 rev 3 (STM32G071x8/xB)",
     G0_SUPPLY},
    /* G03x/G04x: RM0444 rev 5 (G031/G041), RM0454 (G030, G0x0: the same controller).
     * - DEV_ID 0x466: OpenOCD stm32l4x.h DEVID_STM32G03_G04XX, Black Magic Probe stm32g0.c.
     * - Flash up to 64 KiB of 2 KiB pages, SRAM 8 KiB: Black Magic Probe stm32g0.c
     *   (FLASH_SIZE_MAX_G03_4, RAM_SIZE_G03_4); a G031K8 note (64 KiB, 32 pages of 2 KiB,
     *   SRAM 8 KiB, option bytes at 0x1FFF7800). PNB/WRP 6 bits as on the G071.
     * - Timings, system memory, supply: not found in the stored corpora for this part; the
     *   G071 row's (DS12232) are used -- the same G0 flash platform. The G0x0 (G030) has
     *   the BOR and IRHEN option bits reserved (RM0454; Black Magic Probe: factory OPTR
     *   0xDFFFE1AA there); the model ships the G0x1 factory value.
     * - Bootloader version: the AN3155 protocol version 3.1 (AN2606's per-part bootloader
     *   firmware versions were not found in the stored corpora). */
    {G0_ROW, .fam = &fam_g0, .page_number_bits = 6, .dev_id = 0x466, .name = "STM32G03x/G04x",
     .flash_sizes_kb = {16, 32, 64}, .flash_default_kb = 64, .layout = ONE_BANK({32, KB(2)}),
     .sram_size = KB(8), .bootloader_size = 0x2000,
     .datasheet = "DS12991 rev 3 (STM32G030x6/x8; figures as DS12232)"},
    /* G05x/G06x: RM0444 rev 5. DEV_ID 0x456 (OpenOCD DEVID_STM32G05_G06XX, Black Magic Probe
     * STM32G05_6); flash up to 64 KiB, SRAM 18 KiB (Black Magic Probe FLASH_SIZE_MAX_G05_6,
     * RAM_SIZE_G05_6). Other facts as the G03x/G04x row. */
    {G0_ROW, .fam = &fam_g0, .page_number_bits = 6, .dev_id = 0x456, .name = "STM32G05x/G06x",
     .flash_sizes_kb = {32, 64}, .flash_default_kb = 64, .layout = ONE_BANK({32, KB(2)}),
     .sram_size = KB(18), .bootloader_size = 0x2000,
     .datasheet = "DS (STM32G051x6/x8; number not found) rev -; figures as DS12232"},
    /* G0B1/G0C1: RM0444 rev 5. Sources per fact:
     * - DEV_ID 0x467: OpenOCD DEVID_STM32G0B_G0CXX, Black Magic Probe STM32G0B_C.
     * - Up to 512 KiB in two banks of 2 KiB pages; bank 2 pages are numbered from 256 and
     *   erased with BKER (bit 13): Black Magic Probe FLASH_BANK2_START_PAGE 256 and
     *   FLASH_CR_BKER (1 << 13), OpenOCD FLASH_BKER_G0 BIT(13), Zephyr flash_stm32g0x.c
     *   STM32G0X_BANK2_PAGE_START 256; the HAL's bank size is half the flash (Zephyr).
     *   PNB is thus 10 bits (PNB[12:3]); WRP STRT/END 7 bits (NuttX stm32g0 flash.h 0x7F).
     *   OpenOCD 0.12 erases bank-2 pages with their number inside the bank (0..127) and
     *   BKER: the model takes the page from PNB's low 7 bits (docs/chips.md).
     * - DUAL_BANK OPTR bit 21 (OpenOCD FLASH_G0_DUAL_BANK), nSWAP_BANK bit 20 (NuttX):
     *   decoded and settable; DUAL_BANK is the row's bank-mode bit (dbank masks,
     *   stp_chip_dual_bank_from_optr: the bank mode shown follows it), but the layout stays
     *   two banks either way (the single-bank organisation with DUAL_BANK=0 is not
     *   modelled: layout and layout_dual are the same).
     * - WRP2AR/WRP2BR at 0x4C/0x50, MER2 bit 15, BSY2 SR bit 17: Black Magic Probe
     *   stm32g0.c. In the option area the bank-2 words follow the area's rule (offset =
     *   2 x (register offset - 0x20)): not read in RM0444's table.
     * - SRAM 144 KiB: Black Magic Probe RAM_SIZE_G0B_C. Timings as the G071 row (not found
     *   for this part). */
    {G0_ROW, .fam = &fam_g0b, .page_number_bits = 7, .pnb_bits = 10, .bker_bit = 13,
     .dev_id = 0x467, .name = "STM32G0B1/G0C1", .flash_sizes_kb = {256, 512},
     .flash_default_kb = 512, .layout = G0B_BANKS, .layout_dual = G0B_BANKS, .sram_size = KB(144),
     .dbank_mask_max = 1u << 21, .dbank_mask_small = 1u << 21, /* DUAL_BANK (RM0444) */
     .bootloader_size = 0x7000,
     .datasheet = "DS (STM32G0B1xB/xC/xE; number not found) rev -; figures as DS12232"},
    /* C0: RM0490 rev 3 (the G0 platform: Black Magic Probe stm32g0.c serves it with the G0
     * code; AN2606 rev 54 lists the C011 and C031 as the C0 series). Sources per fact:
     * - DEV_ID 0x443 (C011), 0x453 (C031) at DBG_IDCODE 0x40015800: OpenOCD stm32l4x.h
     *   DEVID_STM32C01XX/C03XX, Black Magic Probe STM32C011/STM32C031.
     * - 32 KiB flash (16 pages of 2 KiB), SRAM 6 KiB (C011) / 12 KiB (C031): Black Magic
     *   Probe FLASH_SIZE_MAX_C01/C03, RAM_SIZE_C01/C03; KiCad symbols (16-32 KB flash).
     * - Flash-size register 0x1FFF75A0, unique ID 0x1FFF7550 (not the G0's 0x1FFF75E0 and
     *   0x1FFF7590): Black Magic Probe STM32C0_UID_BASE, several C0 signature tables.
     * - PNB and WRP STRT/END 6 bits: the STM32C031 SVD (FLASH_CR.PNB 0x1F8, WRP1AR 0x3F).
     * - VDD 2.0-3.6 V (KiCad symbols from the datasheets); HSISYS 12 MHz (HSI48/4) after
     *   reset (RM0490 "Clocks", as remembered; ST's HAL starts SystemCoreClock at 12 MHz).
     * - Timings, system memory size and supply: not found in the stored corpora for the
     *   C0; the G071 row's (DS12232) are used. */
    {C0_COMMON, .dev_id = 0x443, .name = "STM32C011", .sram_size = KB(6),
     .datasheet = "DS13867 rev 2 (STM32C011x4/x6; figures as DS12232)"},
    {C0_COMMON, .dev_id = 0x453, .name = "STM32C031", .sram_size = KB(12),
     .datasheet = "DS13866 rev 2 (STM32C031x4/x6; figures as DS12232)"},
    /* G4 category 2: RM0440 rev 7, DS12589 rev 6. Sources per fact:
     * - DEV_ID 0x468 at DBGMCU_IDCODE 0xE0042000: RM0440 "DBGMCU_IDCODE" (also OpenOCD
     *   stm32l4x.h DEVID_STM32G43_G44XX).
     * - 128 KiB single bank of 64 pages of 2 KiB: RM0440 "Flash memory organization"
     *   (category 2; also ST's STM32G4 flash training slides: 128 KiB, 1 bank, 2 KiB pages).
     * - PNB and WRP STRT/END 7 bits: RM0440 FLASH_CR, FLASH_WRP1AR (libopencm3 g4 flash.h
     *   masks 0x7F). OpenOCD notes cat. 2 silicon implements only 6; both cover 64 pages.
     * - SRAM1 16 KiB + SRAM2 6 KiB contiguous at 0x20000000, CCM SRAM 10 KiB at 0x10000000
     *   and aliased at 0x20005800 right after SRAM2 (category 2), one contiguous 32 KiB:
     *   RM0440 2.4 "Embedded SRAM" / DS12589 "Embedded SRAM" (32 KiB). The row's SRAM is the
     *   contiguous 32 KiB; the CCM SRAM's own address is a block aliased into it (issue 13).
     *   HSI16 after reset: RM0440 "Clocks".
     * - tprog 64-bit 81.7/83.35 us, tERASE page 22.02/24.47 ms, tME 22.13/24.59 ms (stored
     *   22/25 ms): DS12589 "Flash memory characteristics" table (not re-read this session). */
    {L4_COMMON,
     .family = "G4",
     .fam = &fam_g4,
     .page_number_bits = 7,
     .dev_id = 0x468,
     .core = STP_CORE_M4,
     .name = "STM32G431/G441",
     .idcode_addr = 0xE0042000,
     .flash_sizes_kb = {32, 64, 128},
     .flash_default_kb = 128,
     .layout = ONE_BANK({64, KB(2)}),
     .wrp_granule = KB(2),
     .sram_size = KB(32),
     .ram_areas = ram_g43x,
     .ram_area_count = sizeof ram_g43x / sizeof ram_g43x[0],
     .option_bytes_size = 48,
     .bootloader_size = 0x7000,
     .bootloader_version = 0xD4,
     .vdd_min_mv = 1710,
     .reset_clock_hz = 16000000,
     .timing = L4_TIMING(81700, 83350, 22020, 24470, 22, 25),
     .reference_manual = "RM0440 rev 7",
     .datasheet = "DS12589 rev 6 (STM32G431x6/x8/xB)",
     G4_SUPPLY},
    /* G4 category 3 (G47x/G48x, 0x469) and 4 (G49x/G4Ax, 0x479): RM0440 rev 7 "Flash memory
     * organization" (also ST's STM32G4 flash training: cat. 3 512 KiB, one or two banks by
     * DBANK, 4 KiB pages in one bank, 2 KiB in two); DEV_IDs: RM0440 "DBGMCU_IDCODE" (OpenOCD
     * stm32l4x.h DEVID_STM32G47_G48XX, DEVID_STM32G49_G4AXX). Cat. 3: DBANK is OPTR bit 22
     * for every size, bank 2 at 0x08040000, 128 pages a bank (PNB 7 bits, BKER bit 11); in
     * single-bank mode all four WRP areas guard the one bank (OpenOCD F_USE_ALL_WRPXX); bank-2
     * option bytes (PCROP2, WRP2A/B) at 0x1FFFF800. Cat. 4: one bank of 256 pages of 2 KiB
     * (PNB 8 bits). SRAM1 80 KiB + SRAM2 16 KiB contiguous at 0x20000000 (CCM SRAM apart):
     * DS12288 / DS13122 "Embedded SRAM". Timings as DS12589 (tprog 81.7/83.35 us, tERASE
     * 22.02/24.47 ms, tME 22.13/24.59 ms): DS12288's table not re-read this session. A
     * trimmed cat. 3 part (G473xC, 256 KiB) keeps bank 2 at 0x08040000 with a gap: not
     * modelled (the rows split the device at its middle). */
    {G4_LINE, .dev_id = 0x469, .name = "STM32G47x/G48x", .page_number_bits = 7,
     .flash_sizes_kb = {128, 256, 512}, .flash_default_kb = 512, .layout = ONE_BANK({128, KB(4)}),
     .layout_dual =
         {.bank_count = 2,
          .banks = {{.base = 0x08000000, .runs = {{128, KB(2)}}},
                    {.base = 0x08040000, .first_sector_number = 128, .runs = {{128, KB(2)}}}}},
     .option_bytes2_addr = 0x1FFFF800, .option_bytes2_size = 48, .bootloader_version = 0xD5,
     .timing = L4_TIMING2(KB(2), KB(4), 81700, 83350, 22020, 24470, 22, 25),
     BANK_OPTS(bank_opts_g4), .dbank_mask_max = 1u << 22, .dbank_mask_small = 1u << 22,
     .wrp_four_areas_single = true, .datasheet = "DS12288 rev ? (STM32G474xB/xC/xE)"},
    {G4_LINE, .dev_id = 0x479, .name = "STM32G49x/G4Ax", .page_number_bits = 8,
     .flash_sizes_kb = {256, 512}, .flash_default_kb = 512, .layout = ONE_BANK({256, KB(2)}),
     .bootloader_version = 0xD2, .timing = L4_TIMING(81700, 83350, 22020, 24470, 22, 25),
     .datasheet = "DS13122 rev ? (STM32G491xC/xE)"},
    {H7_COMMON, .dev_id = 0x450, .name = "STM32H74x/H75x", .flash_regs2 = 0x52002100,
     .flash_size_reg = 0x1FF1E880, .flash_sizes_kb = {128, 2048}, .flash_default_kb = 2048,
     .layout = {.bank_count = 2,
                .banks = {{.base = 0x08000000, .runs = {{8, KB(128)}}},
                          {.base = 0x08100000, .first_sector_number = 8, .runs = {{8, KB(128)}}}}},
     .uid_addr = 0x1FF1E800, .sram_size = KB(128), .option_bytes_size = 64,
     .bootloader_size = 0x20000, .bootloader_version = 0x90, .timing = H7_TIMING(KB(128)),
     .ram_areas = ram_h74x, .ram_area_count = sizeof ram_h74x / sizeof ram_h74x[0],
     .flash_word_bytes = 32, .reference_manual = "RM0433 rev 7",
     .datasheet = "DS12110 rev 8 (STM32H742xI/G, STM32H743xI/G)"},
    {H7_COMMON, .dev_id = 0x483, .name = "STM32H72x/H73x", .flash_size_reg = 0x1FF1E880,
     .flash_sizes_kb = {128, 512, 1024}, .flash_default_kb = 1024, .layout = ONE_BANK({8, KB(128)}),
     .uid_addr = 0x1FF1E800, .sram_size = KB(128), .option_bytes_size = 64,
     .bootloader_size = 0x20000, .bootloader_version = 0x91, .timing = H7_TIMING(KB(128)),
     .ram_areas = ram_h72x, .ram_area_count = sizeof ram_h72x / sizeof ram_h72x[0],
     .flash_word_bytes = 32, .reference_manual = "RM0468 rev 3",
     .datasheet = "DS13313 rev 4 (STM32H723xE/G)"},
};

/* ---- parts ------------------------------------------------------------------------- */
/* sram_kb: SRAM contiguous at 0x20000000 (not CCM). rev_id: a revision code the silicon
 * reports in DBGMCU_IDCODE[31:16] (from the reference manuals' DBGMCU chapter). */
static const stp_part parts[] = {
    {"stm32f030f4", 0x444, 0x1000, 16, 4, false},
    {"stm32f042k6", 0x445, 0x1000, 32, 6, false},
    {"stm32f051r8", 0x440, 0x2000, 64, 8, false},
    {"stm32f072rb", 0x448, 0x1000, 128, 16, false},
    {"stm32f091rc", 0x442, 0x1000, 256, 32, false},
    {"stm32f100rb", 0x420, 0x1001, 128, 8, false},
    {"stm32f100ze", 0x428, 0x1001, 512, 32, false},
    {"stm32f103c6", 0x412, 0x1000, 32, 10, false},
    {"stm32f103c8", 0x410, 0x2003, 64, 20, false},
    {"stm32f103cb", 0x410, 0x2003, 128, 20, false},
    {"stm32f103rb", 0x410, 0x2003, 128, 20, false},
    {"stm32f103rc", 0x414, 0x1003, 256, 48, false},
    {"stm32f103ze", 0x414, 0x1003, 512, 64, false},
    {"stm32f103zg", 0x430, 0x1000, 1024, 96, false},
    {"stm32f107vc", 0x418, 0x1001, 256, 64, false},
    {"stm32f205rg", 0x411, 0x2000, 1024, 128, false},
    {"stm32f207zg", 0x411, 0x2000, 1024, 128, false},
    {"stm32f303k8", 0x438, 0x1001, 64, 12, false},
    {"stm32f303re", 0x446, 0x1001, 512, 64, false},
    {"stm32f334r8", 0x438, 0x1001, 64, 12, false},
    {"stm32f373cc", 0x432, 0x2000, 256, 32, false},
    {"stm32f401cc", 0x423, 0x1000, 256, 64, false},
    {"stm32f401re", 0x433, 0x1000, 512, 96, false},
    {"stm32f405rg", 0x413, 0x1007, 1024, 128, false},
    {"stm32f407ve", 0x413, 0x1007, 512, 128, false},
    {"stm32f407vg", 0x413, 0x1007, 1024, 128, false},
    {"stm32f410rb", 0x458, 0x1001, 128, 32, false},
    {"stm32f411ce", 0x431, 0x1000, 512, 128, false},
    {"stm32f411re", 0x431, 0x1000, 512, 128, false},
    {"stm32f412zg", 0x441, 0x1001, 1024, 256, false},
    {"stm32f413zh", 0x463, 0x1000, 1536, 320, false},
    {"stm32f429zg", 0x419, 0x1003, 1024, 192, false},
    {"stm32f429zi", 0x419, 0x1003, 2048, 192, false},
    {"stm32f446re", 0x421, 0x1000, 512, 128, false},
    {"stm32f469ni", 0x434, 0x1000, 2048, 320, false},
    {"stm32f722ze", 0x452, 0x1000, 512, 256, false},
    {"stm32f746zg", 0x449, 0x1001, 1024, 320, false},
    {"stm32f767zg", 0x451, 0x1001, 1024, 512, false},
    {"stm32f767zi", 0x451, 0x1001, 2048, 512, false},
    {"stm32f769ni", 0x451, 0x1001, 2048, 512, false},
    {"stm32l011k4", 0x457, 0x1000, 16, 2, false},
    {"stm32l031k6", 0x425, 0x2000, 32, 8, false},
    {"stm32l053r8", 0x417, 0x1008, 64, 8, false},
    {"stm32l073rz", 0x447, 0x2008, 192, 20, false}, /* rev IDs: OpenOCD stm32lx.c revs */
    {"stm32l151c8", 0x416, 0x1038, 64, 10, false},
    {"stm32l151cb", 0x429, 0x1018, 128, 32, false},
    {"stm32l151rc", 0x427, 0x1018, 256, 32, false},
    {"stm32l152rb", 0x416, 0x1038, 128, 16, false},
    {"stm32l152rd", 0x436, 0x1018, 384, 48, false},
    {"stm32l152re", 0x437, 0x1000, 512, 80, false},
    {"stm32l476rg", 0x415, 0x1007, 1024, 128, true},
    {"stm32g071rb", 0x460, 0x2000, 128, 36, false},
    {"stm32g431rb", 0x468, 0x2000, 128, 32, false},
    {"stm32g030f6", 0x466, 0x1000, 32, 8, false},
    {"stm32g051k8", 0x456, 0x1000, 64, 18, false},
    {"stm32g0b1re", 0x467, 0x1000, 512, 144, true},
    {"stm32c011f6", 0x443, 0x1000, 32, 6, false},
    {"stm32c031c6", 0x453, 0x1000, 32, 12, false},
    {"stm32g474re", 0x469, 0x2001, 512, 96, true}, /* rev Z; DBANK = 1 as shipped */
    {"stm32g491re", 0x479, 0x1000, 512, 96, false},
    {"stm32l432kc", 0x435, 0x1001, 256, 64, false},
    {"stm32l452re", 0x462, 0x1000, 512, 160, false},
    {"stm32l496zg", 0x461, 0x1000, 1024, 320, true},
    {"stm32l4r5zi", 0x470, 0x1000, 2048, 640, true},  /* DBANK = 1 as shipped */
    {"stm32h743zi", 0x450, 0x2003, 2048, 128, false}, /* rev V (RM0433 DBGMCU_IDC REV_ID) */
    {"stm32h753zi", 0x450, 0x2003, 2048, 128, false},
    {"stm32h750vb", 0x450, 0x2003, 128, 128, false},
    /* Dual core (RM0399: the same flash and DBGMCU_IDC 0x450): the Cortex-M7 on access port
     * 0 programs both banks; the Cortex-M4's access port 3 is not on the virtual board. */
    {"stm32h745zi", 0x450, 0x2003, 2048, 128, false},
    {"stm32h747xi", 0x450, 0x2003, 2048, 128, false},
    {"stm32h723zg", 0x483, 0x1001, 1024, 128, false}, /* rev Z (RM0468 DBGMCU_IDC) */
};

/* ---- lookups ----------------------------------------------------------------------- */

size_t stp_chip_count(void)
{
    return sizeof chips / sizeof chips[0];
}

const stp_chip *stp_chip_at(size_t index)
{
    return index < stp_chip_count() ? &chips[index] : NULL;
}

const stp_chip *stp_chip_by_dev_id(uint16_t dev_id)
{
    for (size_t i = 0; i < stp_chip_count(); i++) {
        if (chips[i].dev_id == dev_id)
            return &chips[i];
    }
    return NULL;
}

uint16_t stp_core_cpuid_partno(stp_core_kind core)
{
    switch (core) {
    case STP_CORE_M0:
        return 0xC20;
    case STP_CORE_M0P:
        return 0xC60;
    case STP_CORE_M3:
        return 0xC23;
    case STP_CORE_M4:
        return 0xC24;
    case STP_CORE_M7:
        return 0xC27;
    case STP_CORE_M33:
        return 0xD21;
    }
    return 0;
}

/* STM32F40x/41x rev A (ES0182 "Device identification"): DBGMCU_IDCODE reads 0x411 like the
 * F2. The F2 is a Cortex-M3; a Cortex-M4 (CPUID PARTNO 0xC24) reporting 0x411 is an F40x. */
const stp_chip *stp_chip_identify(uint16_t dev_id, uint32_t cpuid)
{
    uint16_t partno = (uint16_t)((cpuid >> 4) & 0xFFFu);
    if (dev_id == 0x411 && partno == stp_core_cpuid_partno(STP_CORE_M4))
        dev_id = 0x413;
    return stp_chip_by_dev_id(dev_id);
}

size_t stp_part_count(void)
{
    return sizeof parts / sizeof parts[0];
}

const stp_part *stp_part_at(size_t index)
{
    return index < stp_part_count() ? &parts[index] : NULL;
}

/* What follows the part number on a chip's marking or an order code: the package letter
 * (T LQFP, H/I BGA, U UFQFPN, Y WLCSP, ...), the temperature range digit (6, 7, 3) and an
 * option or packing code (TR tape and reel), as ST's datasheets' ordering information has
 * them: "stm32f407vgt6", "stm32f103c8t6tr". */
static bool marking_suffix(const char *s)
{
    if (!isalpha((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
        return false;
    size_t n = 0;
    for (s += 2; *s != '\0'; s++, n++)
        if (!isalnum((unsigned char)*s) || n >= 3)
            return false;
    return true;
}

const stp_part *stp_part_by_name(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < stp_part_count(); i++) {
        const char *a = parts[i].name;
        const char *b = name;
        while (*a && *b && tolower((unsigned char)*a) == tolower((unsigned char)*b)) {
            a++;
            b++;
        }
        if (*a == '\0' && (*b == '\0' || marking_suffix(b)))
            return &parts[i];
    }
    return NULL;
}

const stp_chip *stp_part_chip(const stp_part *part)
{
    return part ? stp_chip_by_dev_id(part->dev_id) : NULL;
}

/* ---- sizes ------------------------------------------------------------------------- */

uint32_t stp_chip_ecc_word(const stp_chip *chip)
{
    if (!chip || !chip->fam || !chip->fam->ecc_addr_bits)
        return 0;
    return chip->flash_word_bytes ? chip->flash_word_bytes : 8u;
}

uint32_t stp_chip_max_flash_kb(const stp_chip *chip)
{
    uint32_t max = 0;
    for (size_t i = 0; chip && i < STP_MAX_FLASH_SIZES && chip->flash_sizes_kb[i]; i++) {
        if (chip->flash_sizes_kb[i] > max)
            max = chip->flash_sizes_kb[i];
    }
    return max;
}

bool stp_chip_size_allowed(const stp_chip *chip, uint32_t kb)
{
    for (size_t i = 0; chip && kb && i < STP_MAX_FLASH_SIZES && chip->flash_sizes_kb[i]; i++) {
        if (chip->flash_sizes_kb[i] == kb)
            return true;
    }
    return false;
}

/* The register holds the size the factory wrote for this die. A value is believed only
 * when it decodes to one of the sizes this device ID is sold in: erased (0xFFFF), zero and
 * garbage (CubeProgrammer's 27520 KB on an L151CB-A, seed 004) are all rejected. */
bool stp_chip_decode_flash_size(const stp_chip *chip, uint32_t raw, uint32_t *kb_out)
{
    if (!chip)
        return false;
    uint32_t kb;
    switch (chip->fsize_decode) {
    case STP_FSIZE_KB16:
        kb = raw & 0xFFFFu;
        break;
    case STP_FSIZE_L1_LOWBYTE:
        /* Cat.2 (0x429): only bits 7:0 hold the size; the upper byte is undefined (the
         * 0x6B of seed 004's 0x6B80). 0x6B80 therefore means 0x80 = 128 KiB. */
        kb = raw & 0xFFu;
        break;
    case STP_FSIZE_L1_CAT3:
        switch (raw & 0xFFFFu) {
        case 0:
            kb = 384;
            break;
        case 1:
            kb = 256;
            break;
        default:
            return false;
        }
        break;
    default:
        return false;
    }
    if (!stp_chip_size_allowed(chip, kb))
        return false;
    if (kb_out)
        *kb_out = kb;
    return true;
}

uint32_t stp_chip_fsize_ignored_bits(const stp_chip *chip, uint32_t raw)
{
    if (chip && chip->fsize_decode == STP_FSIZE_L1_LOWBYTE)
        return raw & 0xFF00u;
    return 0;
}

uint32_t stp_layout_bytes(const stp_flash_layout *layout)
{
    uint32_t total = 0;
    for (size_t b = 0; layout && b < layout->bank_count && b < STP_MAX_BANKS; b++) {
        for (size_t r = 0; r < STP_MAX_RUNS; r++)
            total += (uint32_t)layout->banks[b].runs[r].count * layout->banks[b].runs[r].size;
    }
    return total;
}

size_t stp_layout_format(const stp_flash_layout *layout, char *buf, size_t len)
{
    size_t need = 0;
    if (buf && len)
        buf[0] = '\0';
    for (size_t b = 0; layout && b < layout->bank_count && b < STP_MAX_BANKS; b++) {
        for (size_t r = 0; r < STP_MAX_RUNS && layout->banks[b].runs[r].count; r++) {
            const stp_sector_run *run = &layout->banks[b].runs[r];
            const char *sep = r ? "," : (b ? " | " : "");
            bool kib = run->size >= 1024 && run->size % 1024 == 0;
            char *at = buf && need < len ? buf + need : NULL;
            size_t room = buf && need < len ? len - need : 0;
            int n = snprintf(at, room, "%s%ux%u%s", sep, (unsigned)run->count,
                             (unsigned)(kib ? run->size / 1024 : run->size), kib ? "K" : "");
            if (n < 0)
                return need;
            need += (size_t)n;
        }
    }
    return need;
}

/* ---- sectors ----------------------------------------------------------------------- */

typedef struct sector_walk {
    stp_sector *out; /* where to store sectors, or NULL to count */
    size_t max;
    size_t count;
    bool find; /* looking for the sector holding find_addr */
    uint32_t find_addr;
    bool found;
    stp_sector hit;
} sector_walk;

static void emit(sector_walk *w, const stp_sector *s)
{
    if (w->out && w->count < w->max)
        w->out[w->count] = *s;
    if (w->find && !w->found && w->find_addr >= s->addr && w->find_addr - s->addr < s->size) {
        w->found = true;
        w->hit = *s;
    }
    w->count++;
}

/* Emits the sectors of one bank from base until budget bytes are covered. */
static uint32_t walk_bank(sector_walk *w, const stp_bank_layout *bank, uint8_t bank_index,
                          uint32_t base, uint32_t budget)
{
    uint32_t used = 0;
    uint16_t n = 0;
    for (size_t r = 0; r < STP_MAX_RUNS && used < budget; r++) {
        const stp_sector_run *run = &bank->runs[r];
        for (uint16_t i = 0; i < run->count && used < budget; i++, n++) {
            stp_sector s = {
                .addr = base + used,
                .size = run->size,
                .number = (uint16_t)(bank->first_sector_number + n),
                .manual_number =
                    (uint16_t)((bank->first_manual_number ? bank->first_manual_number
                                                          : bank->first_sector_number) +
                               n),
                .bank = bank_index,
                .index = (uint16_t)w->count,
            };
            emit(w, &s);
            used += run->size;
        }
    }
    return used;
}

static void walk_chip(sector_walk *w, const stp_chip *chip, uint32_t flash_kb, bool dual_bank)
{
    uint32_t bytes = flash_kb * 1024u;
    const stp_flash_layout *dual = &chip->layout_dual;

    if (dual_bank && dual->bank_count > 0 && bytes <= stp_layout_bytes(dual)) {
        /* Dual-bank mode splits the device evenly; bank 2 starts at its middle. */
        uint32_t per_bank = bytes / dual->bank_count;
        for (uint8_t b = 0; b < dual->bank_count && b < STP_MAX_BANKS; b++)
            walk_bank(w, &dual->banks[b], b, chip->flash_base + b * per_bank, per_bank);
        return;
    }
    /* Single-bank mode (or a device whose banks are fixed): fill banks in order. */
    uint32_t left = bytes;
    for (uint8_t b = 0; b < chip->layout.bank_count && b < STP_MAX_BANKS && left; b++) {
        const stp_bank_layout *bank = &chip->layout.banks[b];
        uint32_t used = walk_bank(w, bank, b, bank->base, left);
        left -= used < left ? used : left;
    }
}

size_t stp_chip_sectors(const stp_chip *chip, uint32_t flash_kb, bool dual_bank, stp_sector *out,
                        size_t max)
{
    if (!chip || flash_kb == 0 || flash_kb > UINT32_MAX / 1024u)
        return 0;
    sector_walk w = {.out = out, .max = out ? max : 0};
    walk_chip(&w, chip, flash_kb, dual_bank);
    if (!out)
        return w.count;
    return w.count < max ? w.count : max;
}

bool stp_chip_sector_at(const stp_chip *chip, uint32_t flash_kb, bool dual_bank, uint32_t addr,
                        stp_sector *out)
{
    if (!chip || flash_kb == 0 || flash_kb > UINT32_MAX / 1024u)
        return false;
    sector_walk w = {.find = true, .find_addr = addr};
    walk_chip(&w, chip, flash_kb, dual_bank);
    if (w.found && out)
        *out = w.hit;
    return w.found;
}

stp_psize stp_chip_psize_for_mv(const stp_chip *chip, uint32_t mv)
{
    if (!chip || !chip->fam)
        return STP_PSIZE_COUNT;
    if (!chip->fam->psize_by_vdd)
        return chip->fam->program_width; /* the native width, at any VDD of the range */
    /* x64 needs VPP on top of its VDD floor: never chosen from VDD alone */
    for (int p = chip->fam->program_width; p >= STP_PSIZE_X8; p--) {
        uint16_t floor_mv = chip->timing.psize_min_mv[p];
        if (floor_mv && mv >= floor_mv)
            return (stp_psize)p;
    }
    return STP_PSIZE_COUNT;
}

size_t stp_idcode_addrs_for_core(stp_core_kind core, uint32_t *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < stp_chip_count(); i++) {
        const stp_chip *c = &chips[i];
        bool seen = false;
        for (size_t k = 0; k < n && !seen; k++)
            seen = out[k] == c->idcode_addr;
        if (c->core != core || seen || c->idcode_addr == 0)
            continue;
        if (n == max)
            break;
        out[n++] = c->idcode_addr;
    }
    return n;
}

bool stp_chip_dual_bank_from_optr(const stp_chip *chip, uint32_t flash_kb, uint32_t optr)
{
    if (!chip || chip->layout_dual.bank_count == 0)
        return false;
    uint32_t mask =
        flash_kb >= stp_chip_max_flash_kb(chip) ? chip->dbank_mask_max : chip->dbank_mask_small;
    return mask == 0 || (optr & mask) != 0;
}

uint32_t stp_chip_rcc_csr(const stp_chip *chip)
{
    return chip && chip->fam ? chip->fam->rcc_base + chip->fam->rcc_csr_off : 0;
}

stp_isa stp_core_isa(stp_core_kind core)
{
    switch (core) {
    case STP_CORE_M0:
    case STP_CORE_M0P:
        return STP_ISA_ARMV6M;
    case STP_CORE_M3:
        return STP_ISA_ARMV7M;
    case STP_CORE_M4:
        return STP_ISA_ARMV7EM;
    case STP_CORE_M7:
        return STP_ISA_ARMV7EM_M7;
    case STP_CORE_M33:
        break;
    }
    return STP_ISA_ARMV8M;
}

const stp_erase_timing *stp_chip_erase_timing(const stp_chip *chip, uint32_t sector_size)
{
    for (size_t i = 0; chip && i < STP_MAX_ERASE_CLASSES; i++) {
        if (chip->timing.erase[i].sector_size == sector_size)
            return &chip->timing.erase[i];
    }
    return NULL;
}

/* ---- names ------------------------------------------------------------------------- */

const char *stp_core_name(stp_core_kind core)
{
    switch (core) {
    case STP_CORE_M0:
        return "Cortex-M0";
    case STP_CORE_M0P:
        return "Cortex-M0+";
    case STP_CORE_M3:
        return "Cortex-M3";
    case STP_CORE_M4:
        return "Cortex-M4F";
    case STP_CORE_M7:
        return "Cortex-M7F";
    case STP_CORE_M33:
        return "Cortex-M33";
    }
    return "unknown";
}

const char *stp_flash_kind_name(stp_flash_kind kind)
{
    switch (kind) {
    case STP_FLASH_F1:
        return "f1";
    case STP_FLASH_F2F4:
        return "f2f4";
    case STP_FLASH_F7:
        return "f7";
    case STP_FLASH_L1:
        return "l1";
    case STP_FLASH_L4:
        return "l4";
    case STP_FLASH_H7:
        return "h7";
    }
    return "unknown";
}

const char *stp_psize_name(stp_psize psize)
{
    switch (psize) {
    case STP_PSIZE_X8:
        return "x8";
    case STP_PSIZE_X16:
        return "x16";
    case STP_PSIZE_X32:
        return "x32";
    case STP_PSIZE_X64:
        return "x64";
    case STP_PSIZE_COUNT:
        break;
    }
    return "unknown";
}
