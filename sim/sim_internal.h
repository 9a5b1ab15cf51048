/* Internal structure of the virtual board, shared by sim/board.c, the flash-controller
 * models (sim/flash_*.c), option bytes, peripherals, the clock and the state file.
 * Nothing outside sim/ includes this. */
#ifndef SIM_INTERNAL_H
#define SIM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sim/board.h"
#include "cpu.h"
#include "chipdb/chipdb.h"

#define SIM_NS_PER_S  1000000000ull
#define SIM_NEVER     UINT64_MAX
#define SIM_MAX_AREAS 4    /* system-memory clusters (ROM, OTP, UID, flash size, OB) */
#define SIM_MAX_RAM   8    /* RAM blocks besides the loader's SRAM (chip row ram_areas) */
#define SIM_PATH_MAX  4096 /* Linux PATH_MAX: state= with its links followed */

/* Why the chip was reset; selects the RCC_CSR flags it leaves. */
typedef enum sim_reset_kind {
    SIM_RESET_POR = 0, /* power-on (board opened, power cycle) */
    SIM_RESET_BOR,     /* brown-out (supply=unstable) */
    SIM_RESET_PIN,     /* NRST pin released */
    SIM_RESET_SOFT,    /* AIRCR.SYSRESETREQ */
    SIM_RESET_IWDG,    /* the independent watchdog reached 0 (sim/iwdg.c) */
    SIM_RESET_OBL,     /* option-byte load (L1 OBL_LAUNCH) */
} sim_reset_kind;

/* Who performs an access: the debugger (MEM-AP) or the core. */
typedef enum sim_master { SIM_MASTER_DEBUG = 0, SIM_MASTER_CORE } sim_master;

/* A host-backed area of the memory map. */
typedef struct sim_area {
    uint32_t base;
    uint32_t size;
    uint8_t *mem;
    bool alias; /* mem points into b->sram (stp_ram_area.alias): not freed on its own */
} sim_area;

/* Decoded option bytes, as loaded into the controller (the active protection). */
/* 512: the 2 KiB pages of a 1 MiB STM32L476 (RM0351 WRP areas have page granularity). */
#define SIM_WRP_UNITS 512
typedef struct sim_ob_active {
    int rdp_level;                    /* 0, 1 or 2 */
    uint64_t wrp[SIM_WRP_UNITS / 64]; /* bit n = WRP unit n protected (sector index, or
                                       * wrp_granule bytes from the flash base) */
    bool error;                       /* complement mismatch at load (F1 OPTERR, L1 OPTVERR) */
    bool iwdg_hw;                     /* WDG_SW/IWDG_SW = 0: the IWDG starts at every reset */
} sim_ob_active;

struct sim_bl_family;

/* A flash word (chip ECC unit) whose ECC code and cells disagree: in one bit (corrected on
 * every read) or two (detected, not corrected). Reads of a double one return the cells
 * with flip applied (the bits the torn write left wrong). */
#define SIM_MAX_ECC_WORDS 64
#define SIM_ECC_HOLES     6 /* pages of them the core reads through the bus (region limit) */
typedef struct sim_ecc_word {
    uint32_t addr; /* first byte of the ECC word */
    bool dbl;
} sim_ecc_word;

/* One flash-controller family model (sim/families/flash_NAME.c, one per line of the chip
 * database's STP_FLASH_KINDS: the board finds it by the chip's flash_kind). The board calls
 * these; the model keeps its own state behind b->flash_ctx, allocated by create
 * (sim_flash_ctx_new) and freed by the board. Register offsets are relative to
 * chip->flash_regs. */
typedef struct sim_flash_model {
    stp_flash_kind kind;
    /* What the ROM bootloader does to this controller (sim/bootloader_internal.h), NULL when
     * the board has no bootloader model for it. */
    const struct sim_bl_family *rom;
    int (*create)(sim_board *b);
    /* Controller reset (any system reset): locks, clears status, aborts nothing itself. */
    void (*reset)(sim_board *b);
    sim_access (*reg_read)(sim_board *b, uint32_t off, uint32_t *val);
    /* mask: byte lanes written (0xFF for a byte at lane 0, ...); val already shifted. */
    sim_access (*reg_write)(sim_board *b, uint32_t off, uint32_t val, uint32_t mask);
    /* A store into main flash or the option-byte area (programming). */
    sim_access (*mem_write)(sim_board *b, uint32_t addr, uint32_t val, unsigned width,
                            sim_master who);
    /* Decodes the stored option bytes (b->ob) into the active protection. */
    void (*ob_load)(sim_board *b, sim_ob_active *out);
    /* Writes factory-default option bytes into b->ob. */
    void (*ob_default)(sim_board *b);
    /* Applies spec rdp=/wrp= to the stored option bytes. */
    void (*ob_apply_spec)(sim_board *b, bool set_rdp, int rdp, bool set_wrp, uint64_t wrp);
    /* A read that touched a flash word whose ECC does not match its cells (sim/flash_ecc.c):
     * the controller's flags and address register, and what the bus answers (H7: a bus
     * error for a double error; L4/G0/G4: the cells as they are, and an NMI). *val holds
     * the corrected data. NULL: the family has no flash ECC. */
    sim_access (*ecc_read)(sim_board *b, uint32_t word, bool dbl, uint32_t *val, sim_master who);
    /* Where the core fetches its vector table after a reset (H7: BOOT_ADD0/BOOT_ADD1 of the
     * option bytes, by the BOOT pin). NULL: address 0, the boot alias. */
    uint32_t (*boot_vtor)(sim_board *b);
} sim_flash_model;

#define SIM_DECLARE_FLASH_MODEL(kind, name) extern const sim_flash_model sim_flash_model_##name;
STP_FLASH_KINDS(SIM_DECLARE_FLASH_MODEL)
/* The model of a flash-controller kind, or NULL. */
const sim_flash_model *sim_flash_model_for(stp_flash_kind kind);

/* A flash operation in progress (BSY). Started by a model, completed by the clock. */
typedef enum sim_op_kind {
    SIM_OP_NONE = 0,
    SIM_OP_PROGRAM, /* program `len` bytes of data at addr */
    SIM_OP_ERASE,   /* erase sector index `sector` */
    SIM_OP_MASS,    /* erase sectors [sector, sector_end) */
    SIM_OP_OPTION,  /* option-byte update (model callback `finish`) */
} sim_op_kind;

typedef struct sim_flash_op {
    sim_op_kind kind;
    uint64_t start_ns;
    uint64_t end_ns; /* SIM_NEVER with supply=dead-core */
    uint32_t addr;
    uint32_t len;
    uint8_t data[256]; /* program data (up to an L1 half-page) */
    size_t sector;
    size_t sector_end;
    int psize;                                   /* stp_psize for timing and voltage limits */
    bool ob_target;                              /* program goes to the option-byte area */
    void (*finish)(sim_board *b, bool complete); /* model hook at the end (or abort) */
} sim_flash_op;

/* The independent watchdog (sim/iwdg.c): the time left until its counter reaches 0 as of
 * ref_ns, counted only while it runs and is not frozen. */
typedef struct sim_iwdg {
    bool running;    /* started by 0xCCCC or the hardware-watchdog option */
    bool unlocked;   /* 0x5555 written: PR, RLR, WINR writable */
    bool fw_started; /* reset-loop=: the firmware started it since the last reset */
    uint32_t pr, rlr, winr;
    uint64_t left_ns; /* until the counter reaches 0 */
    uint64_t ref_ns;  /* the moment left_ns was last brought up to date */
} sim_iwdg;

struct sim_board {
    sim_spec spec;
    const stp_part *part;
    const stp_chip *chip;
    const sim_flash_model *fm;
    void *flash_ctx;

    /* Memory. */
    uint32_t flash_size;
    uint8_t *flash;      /* main flash bytes (flash_size, rounded up to 4 KiB) */
    stp_sector *sectors; /* the active layout (F7 0x451: follows nDBANK) */
    size_t sector_count;
    size_t sector_cap;        /* room in sectors for either bank mode */
    bool dual_bank;           /* the active layout is the dual-bank one */
    stp_sector *wear_sectors; /* the part's default layout: the erase counters' units */
    size_t wear_count;
    uint32_t *erase_counts; /* per wear sector, persisted */
    uint32_t sram_size;
    uint8_t *sram;
    sim_area sys[SIM_MAX_AREAS]; /* system memory clusters (read-only to the core) */
    size_t sys_count;
    sim_area ram[SIM_MAX_RAM]; /* the chip row's other RAM blocks */
    size_t ram_count;
    uint8_t *ob; /* stored option bytes (option_bytes_size + ob2 size) */
    uint32_t ob_size;
    sim_ob_active ob_active;
    /* Flash words whose ECC code does not match their cells (ecc-error=, ecc-single=, a torn
     * program): sim/flash_ecc.c. */
    sim_ecc_word ecc[SIM_MAX_ECC_WORDS];
    size_t ecc_count;
    /* The core's direct mapping of the flash, in pieces around the 1 KiB pages that hold
     * such words (their reads go to the bus, past the ECC): {base, size}. */
    uint32_t core_flash[SIM_ECC_HOLES + 1][2];
    size_t core_flash_count;

    /* Core. */
    sim_cpu *cpu;
    uint64_t core_hz;
    uint64_t cycle_rem;     /* fractional cycles carried between slices (ns*Hz units) */
    uint64_t core_stall_ns; /* core waits for a busy flash */
    /* The core's run in progress (sim_clock_access_ns): when its first cycle starts, the
     * fraction carried in, the clock it runs at, how long it stalled inside the run. */
    uint64_t core_t0_ns, core_rem0, core_run_hz, core_run_stall_ns;

    /* Time and randomness. */
    uint64_t now_ns;
    uint64_t slice_end_ns; /* end of the core slice being run */
    bool in_core_run;      /* inside sim_cpu_run: the core's accesses happen in the slice */
    uint64_t last_op_ns;   /* when the last flash operation started or ended */
    uint64_t rng;
    sim_stats stats;
    sim_flash_op op;

    /* Pins, power, debug. */
    bool nrst_held;
    bool debugger_seen; /* a debugger has connected since power-on (RDP level 1) */
    bool swd_dead;      /* firmware=swd-off|sleep took the debug port away */
    uint64_t fw_run_ns; /* time the firmware ran since the last reset */
    /* The core runs the program in flash: from a reset that boots from flash until the
     * debugger writes a PC outside flash (a RAM loader, a RAM test program); a PC written
     * back into flash hands the core to the program again. Only then does firmware=
     * swd-off|sleep time run. */
    bool fw_in_control;
    uint32_t brownouts;
    uint32_t supply_ua;    /* supply=unstable: the current the next brown-out was drawn for */
    uint64_t supply_bo_ns; /* its time (SIM_NEVER: none; 0: to be drawn) */
    uint64_t supply_rng;   /* its own seeded stream (0: not seeded yet) */

    /* Peripherals. */
    uint32_t dbgmcu_cr;
    uint32_t dbgmcu_apb1fz;
    uint32_t dbgmcu_apb2fz;
    uint32_t rcc[64];       /* RCC registers, word-indexed */
    uint32_t rcc_csr_flags; /* reset flags (bits 24..31) */
    uint32_t gpio[11][16];  /* up to 11 ports (A..K), 16 words each */
    uint32_t afio_mapr;     /* F1 AFIO_MAPR (SWJ_CFG) */
    uint32_t crc_dr, crc_idr, crc_cr, crc_init, crc_pol;
    uint32_t uid[3];
    sim_iwdg iwdg;

    /* The trace path: ITM packets on the SWO pin (sim/swo.c; NULL until used). */
    struct sim_swo *swo;

    /* State file (state.c). */
    int state_fd;                      /* locked; -1 without state= */
    mode_t state_mode;                 /* permissions the saved file keeps */
    char state_file[SIM_PATH_MAX];     /* state= with a symbolic link followed */
    char state_tmp[SIM_PATH_MAX + 16]; /* FILE.saving: written, then renamed over FILE */
    bool frozen;                       /* the process is ending in a signal handler */
};

/* ---- board.c helpers for the models ---------------------------------------------- */
/* Sector index containing addr, or (size_t)-1. */
size_t sim_flash_sector_of(const sim_board *b, uint32_t addr);
bool sim_flash_in_main(const sim_board *b, uint32_t addr, uint32_t len);
bool sim_flash_sector_protected(const sim_board *b, size_t sector);
/* Number of WRP units (sectors, or flash_size / wrp_granule). */
size_t sim_wrp_units(const sim_board *b);
void sim_wrp_set(sim_ob_active *ob, size_t unit, bool protect);
bool sim_wrp_get(const sim_ob_active *ob, size_t unit);
/* Aborts the pending operation at time t, leaving partial effects. */
void sim_flash_abort(sim_board *b, uint64_t t);
/* Completes the pending operation (called by the clock at its end). */
void sim_flash_complete(sim_board *b);
bool sim_flash_busy(const sim_board *b);
/* Starts an operation of `ns` duration (brown-out chance and dead core applied). */
void sim_flash_start(sim_board *b, sim_flash_op *op, uint64_t ns);
/* One write to a key register (F2/F4/F7 KEYR/OPTKEYR, L1 PEKEYR/PRGKEYR/OPTKEYR, L4 KEYR/
 * OPTKEYR): k1 then k2, as full 32-bit writes, unlocks (*unlocked). Any other value or order,
 * a narrower write, or a key while the register is not locked is a bus error, and the key
 * register stays locked (*lockout) until the next reset (RM0090 3.5.1, RM0038 3.3.4,
 * RM0351 3.3.5). */
/* A model's zeroed state of `size` bytes in b->flash_ctx (the board frees it): 0, or -1
 * when out of memory. */
int sim_flash_ctx_new(sim_board *b, size_t size);
sim_access sim_flash_key_write(uint32_t val, uint32_t mask, uint32_t k1, uint32_t k2, int *stage,
                               bool *lockout, bool locked, bool *unlocked);
/* Forces the pending operation to finish now (the core stalls on the busy bus). */
void sim_flash_finish_now(sim_board *b);
/* Byte-level effects of flash operations (NOR semantics, worn sectors, low voltage). */
void sim_flash_erase_sector(sim_board *b, size_t sector, double fraction);
void sim_flash_program_bytes(sim_board *b, uint32_t addr, const uint8_t *data, uint32_t len,
                             int psize, double fraction);
/* Program into the stored option bytes (NOR on the OB area). */
void sim_ob_program_bytes(sim_board *b, uint32_t off, const uint8_t *data, uint32_t len);
/* Erases all of main flash (RDP regression), at once. */
void sim_flash_mass_erase_now(sim_board *b);
/* Flash ECC (sim/flash_ecc.c). Words [addr, addr+len) touches get a bad ECC (dbl: two
 * bits; else one), or a fresh one (an erase). */
void sim_ecc_mark(sim_board *b, uint32_t addr, uint32_t len, bool dbl);
void sim_ecc_clear(sim_board *b, uint32_t addr, uint32_t len);
/* A read of [addr, addr+width) by who: *val is what was loaded from the cells; the model
 * decides the answer when a word with a bad ECC is touched. */
sim_access sim_ecc_read(sim_board *b, uint32_t addr, unsigned width, uint32_t *val, sim_master who);
/* The spec's ecc-error=/ecc-single= words, placed on a new board. */
void sim_ecc_apply_spec(sim_board *b);
/* Brings the core's mapping of the flash up to date with the words (once it exists). */
void sim_ecc_core_view(sim_board *b);
/* Reloads the option bytes into b->ob_active and refreshes their memory-mapped copy. */
void sim_board_ob_reload(sim_board *b);
/* Puts the stored option bytes into the system-memory view. */
void sim_board_ob_render(sim_board *b);
/* Timing lookups from the chip table. */
uint64_t sim_timing_program_ns(const sim_board *b, int psize);
uint64_t sim_timing_erase_ns(const sim_board *b, uint32_t sector_size, int psize);
uint64_t sim_timing_mass_ns(const sim_board *b, int psize);
bool sim_vdd_below_mv(const sim_board *b, uint32_t mv);
/* supply=unstable (sim/supply.c): the chip's present current (uA), the brown-out rate
 * (per second) at a current, the next brown-out drawn again when the current changed
 * (at_ns: the moment of the change), and the brown-out itself (cuts the flash operation,
 * power-on reset). */
uint32_t sim_supply_load_ua(const sim_board *b);
double sim_supply_rate(const sim_board *b, uint32_t ua);
void sim_supply_update(sim_board *b, uint64_t at_ns);
uint64_t sim_supply_next_event(const sim_board *b);
void sim_supply_brownout(sim_board *b, uint64_t at_ns);
/* Seeded chance in parts per million. */
bool sim_chance_ppm(sim_board *b, uint32_t ppm);

/* Tells the core that bytes of a directly mapped region changed behind its back. */
void sim_board_mem_changed(sim_board *b, uint32_t addr, uint32_t len);

/* System reset of the chip (core, peripherals, flash controller, option-byte load). */
void sim_board_reset(sim_board *b, sim_reset_kind kind);
/* Switches the sector layout between single- and dual-bank mode (F7 nDBANK). Only for
 * parts whose chip row has a dual-bank layout; call with no flash operation pending. */
void sim_board_set_bank_mode(sim_board *b, bool dual);
/* The erase counter (wear sector) that holds active sector `sector`. */
size_t sim_wear_index(const sim_board *b, size_t sector);

/* ---- bus.c: one access of width 1/2/4 bytes by the debugger or the core --------- */
sim_access sim_bus_read(sim_board *b, uint32_t addr, uint32_t *val, unsigned width, sim_master who);
sim_access sim_bus_write(sim_board *b, uint32_t addr, uint32_t val, unsigned width, sim_master who);
/* Host bytes of one of the other RAM blocks (H7 ITCM, AXI SRAM, ...), or NULL. */
uint8_t *sim_ram_ptr(sim_board *b, uint32_t addr, uint32_t len);
/* Host bytes of system memory (ROM, UID, flash size, option bytes), or NULL. */
uint8_t *sim_sys_ptr(sim_board *b, uint32_t addr, uint32_t len);
bool sim_debug_port_dead(const sim_board *b);

/* ---- clock.c --------------------------------------------------------------------- */
void sim_clock_events(sim_board *b);
/* The moment of the access being made: inside the core's run the end of the accessing
 * instruction (1 cycle per instruction from the run's start, stalls included), else now. */
uint64_t sim_clock_access_ns(sim_board *b);
/* The core's access waits ns (the bus stalls on a busy flash): inside the core's run the
 * run ends after this block and the clock moves on by the stall; outside it the core's
 * next run starts that much later. */
void sim_clock_core_stall(sim_board *b, uint64_t ns);
/* Inside the core's run: end the run after this block, so that the clock's next slice
 * ends at the event just created (a flash operation the core started). */
void sim_clock_replan(sim_board *b);
uint64_t sim_clock_next_event(const sim_board *b);

/* ---- peripherals (periph_*.c) ----------------------------------------------------- */
/* Each returns true when it decoded the address. */
bool sim_periph_read(sim_board *b, uint32_t addr, uint32_t *val);
bool sim_periph_write(sim_board *b, uint32_t addr, uint32_t val, uint32_t mask);
void sim_periph_reset(sim_board *b, bool por);
bool sim_dbgmcu_read(sim_board *b, uint32_t addr, uint32_t *val);
bool sim_dbgmcu_write(sim_board *b, uint32_t addr, uint32_t val, uint32_t mask);
void sim_rcc_reset(sim_board *b, sim_reset_kind kind);
bool sim_rcc_read(sim_board *b, uint32_t addr, uint32_t *val);
bool sim_rcc_write(sim_board *b, uint32_t addr, uint32_t val, uint32_t mask);
/* Clock-enable check used by GPIO/CRC ("clock off: reads 0, writes ignored"). */
bool sim_rcc_gpio_enabled(const sim_board *b, unsigned port);
bool sim_rcc_crc_enabled(const sim_board *b);
/* The DBGMCU's clock gate: false only on G0 while RCC_APBENR1.DBGEN is clear. */
bool sim_rcc_dbgmcu_clocked(const sim_board *b);
uint32_t sim_rcc_csr_addr(const sim_board *b);
bool sim_gpio_read(sim_board *b, uint32_t addr, uint32_t *val);
bool sim_gpio_write(sim_board *b, uint32_t addr, uint32_t val, uint32_t mask);
bool sim_crc_read(sim_board *b, uint32_t addr, uint32_t *val);
bool sim_crc_write(sim_board *b, uint32_t addr, uint32_t val, uint32_t mask);
void sim_crc_reset(sim_board *b);

/* ---- iwdg.c: the independent watchdog ------------------------------------------- */
bool sim_iwdg_read(sim_board *b, uint32_t addr, uint32_t *val);
bool sim_iwdg_write(sim_board *b, uint32_t addr, uint32_t val, uint32_t mask);
/* At every system reset, after the option bytes loaded: stopped, or started with its reset
 * configuration when the hardware-watchdog option is set. */
void sim_iwdg_reset(sim_board *b);
/* Counts the time from the last update to t (when it was counting in between). */
void sim_iwdg_elapse(sim_board *b, uint64_t t, bool counting);
/* Whether the counter counts now: started, chip out of reset, not frozen by a halt with
 * DBG_IWDG_STOP. */
bool sim_iwdg_counting(const sim_board *b);
/* When the counter reaches 0 if nothing refreshes it (SIM_NEVER when it does not count). */
uint64_t sim_iwdg_next_event(const sim_board *b);
/* At the clock's events: resets the chip when the counter reached 0; reset-loop= starts it
 * the way that firmware does once the firmware runs. True when something happened. */
bool sim_iwdg_events(sim_board *b);

/* ---- state.c ----------------------------------------------------------------------- */
/* Opens/locks/loads the state file. Returns 0 (loaded), 1 (new file), -1 (error). */
int sim_state_open(sim_board *b, char *err, size_t errlen);
int sim_state_save(sim_board *b);
void sim_state_close(sim_board *b);

/* ---- little-endian helpers ------------------------------------------------------- */
static inline uint32_t sim_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline void sim_put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static inline uint32_t sim_masked(uint32_t old, uint32_t val, uint32_t mask)
{
    return (old & ~mask) | (val & mask);
}

#endif
