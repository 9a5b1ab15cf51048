/* Flash drivers (seam 3) and the generic engine that runs them.
 *
 * A family driver is a const table plus a few callbacks: unlock, lock, start a sector
 * erase, start a mass erase, program one chunk, read/write option bytes. Everything else
 * — alignment, splitting into chunks, busy polling with deadlines from the chip table,
 * status decoding into findings, the one exit path that relocks — is the engine's. */
#ifndef STP_TARGET_FLASH_H
#define STP_TARGET_FLASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe/debug.h"
#include "stprog/finding.h"
#include "stprog/status.h"
#include "stprog/target.h"
#include "chipdb/chipdb.h"

typedef struct stp_flash stp_flash;

/* One status-register error bit and what it means for a user. */
typedef struct stp_flash_error_bit {
    uint32_t mask;
    const char *bit;     /* "WRPERR" */
    const char *id;      /* "flash.wrp-error" */
    const char *meaning; /* "the target address is write-protected" */
    const char *advice;
    stp_status status; /* status the operation fails with */
} stp_flash_error_bit;

/* A flash ECC error a controller latched: the first word since its flags were cleared
 * (stp_flash_driver.ecc_take). */
#define STP_FLASH_ECC_MAX 2 /* one per bank at most (H7: flags per bank) */
typedef struct stp_flash_ecc {
    bool dbl;        /* two bits: detected, not corrected (else one, corrected) */
    unsigned bank;   /* 0 or 1 */
    uint32_t offset; /* of the ECC word from the start of its bank */
} stp_flash_ecc;

typedef struct stp_flash_driver {
    stp_flash_kind kind;
    const char *name;
    uint8_t erased_byte;
    uint32_t sr_offset; /* status register, from chip->flash_regs */
    /* Where 1s clear the status flags: 0 for the status register itself (write-1-to-clear),
     * else another register's offset (H7 FLASH_CCR, the flags at the same bits). */
    uint32_t sr_clear_offset;
    uint32_t busy_mask;
    uint32_t eop_mask; /* end-of-operation flag cleared with the errors (0 = none) */
    const stp_flash_error_bit *errors;
    size_t error_count;
    bool has_psize;     /* program width selectable (F2/F4/F7) */
    uint32_t chunk_max; /* bytes per program_chunk call (one probe transfer or a few) */
    /* Chunks written between two status checks (0 = 1). The bus stalls while a unit is
     * programmed, so writes may follow each other; errors are sticky until cleared. */
    uint32_t chunks_per_check;
    /* Each unit written stalls the bus until it is programmed: limit a transfer to the
     * stalls a probe rides out by retrying WAIT (see stp_flash_units_per_transfer). */
    bool stalls_per_unit;

    /* Program unit in bytes for the session's psize. */
    uint32_t (*program_unit)(const stp_flash *f);
    /* Unlocks the program/erase interface (keys). */
    stp_status (*unlock)(stp_flash *f);
    /* Locks it again; must be safe to call in any state. */
    stp_status (*lock)(stp_flash *f);
    /* Starts erasing one unit; the engine waits for it to finish. */
    stp_status (*erase_start)(stp_flash *f, const stp_sector *s);
    /* Starts a mass erase of the bank (0/1; -1 = all). NULL: erase unit by unit. */
    stp_status (*mass_erase_start)(stp_flash *f, int bank);
    /* Called after each erase/mass erase (clear SER/MER/PER bits). May be NULL. */
    stp_status (*erase_end)(stp_flash *f);
    /* Enter/leave programming mode around a series of chunks (PG bit). */
    stp_status (*program_begin)(stp_flash *f);
    stp_status (*program_end)(stp_flash *f);
    /* Writes one chunk: addr and len multiples of the program unit, len <= chunk_max. */
    stp_status (*program_chunk)(stp_flash *f, uint32_t addr, const uint8_t *data, uint32_t len);
    /* SRAM loader block programming (L1 half-pages): puts the controller into (on) or out of
     * the mode in which chip->timing.block_program_bytes written back to back program as one
     * operation. NULL: the loader programs unit by unit. */
    stp_status (*loader_block_mode)(stp_flash *f, bool on);
    /* Option bytes: read/decode, and write (the engine unlocks/locks the flash around it;
     * the driver handles the option lock and reload). */
    stp_status (*read_options)(stp_flash *f, stp_option_bytes *ob);
    stp_status (*write_options)(stp_flash *f, const stp_option_bytes *ob);
    /* Whether the device runs in dual-bank mode (option bit); NULL = never. */
    stp_status (*detect_dual_bank)(stp_flash *f, bool *dual);
    /* Names and meanings of the family's option fields, and parsing of KEY=VALUE. */
    size_t (*option_fields)(const stp_flash *f, const stp_option_bytes *ob, stp_option_field *out,
                            size_t max);
    /* Applies key=value to ob. STP_ERR_INVALID_ARG (with a finding) for an unknown key. */
    stp_status (*option_set)(const stp_flash *f, stp_option_bytes *ob, const char *key,
                             const char *value, stp_findings *findings);
    /* Decodes the option bytes as they are mapped in memory (b: 48 bytes, of which the
     * chip row's option_bytes_size (16 when 0) were read from option_bytes_addr, the rest 0;
     * b2: the same from option_bytes2_addr, NULL where the chip has none), for a backend that
     * reads memory but not the controller's registers (the ROM bootloader). NULL: not
     * supported on this family (finding option.not-via-bootloader). */
    void (*decode_mapped_options)(const stp_flash *f, const uint8_t *b, const uint8_t *b2,
                                  stp_option_bytes *ob);
    /* Flash ECC: the errors latched in the controller's flags and address registers (*n of
     * them, up to STP_FLASH_ECC_MAX), which it then clears. NULL: no flash ECC. */
    stp_status (*ecc_take)(stp_flash *f, stp_flash_ecc *out, size_t *n);
} stp_flash_driver;

/* One piece of a write request (below) and the request: declared here for the route. */
typedef struct stp_flash_write_req stp_flash_write_req;

/* How a session reaches the flash: one route, chosen when the target is attached
 * (stp_flash_init: the SRAM loader; stp_flash_use_loader(false): register writes; a probe
 * with a memory backend: the ROM bootloader's commands). The engine's entry points below
 * call the route and never ask which it is. */
typedef struct stp_flash_route {
    const char *name; /* "sram-loader", "registers", "rom-bootloader" */
    stp_status (*erase)(stp_flash *f, const stp_sector *sectors, size_t count, const stp_env *env,
                        uint64_t *progress_done, uint64_t progress_total, stp_findings *findings);
    stp_status (*erase_all)(stp_flash *f, const stp_sector *sectors, size_t count,
                            const stp_env *env, stp_findings *findings);
    stp_status (*program)(stp_flash *f, uint32_t addr, const uint8_t *data, uint32_t len,
                          const stp_env *env, uint64_t *progress_done, uint64_t progress_total,
                          stp_findings *findings);
    /* Erase and program in one operation (stp_flash_write); NULL: not on this route. */
    stp_status (*write)(stp_flash *f, const stp_flash_write_req *req, const stp_env *env,
                        stp_findings *findings, bool *used);
    stp_status (*read_options)(stp_flash *f, stp_option_bytes *ob, stp_findings *findings);
    stp_status (*write_options)(stp_flash *f, const stp_option_bytes *ob, stp_findings *findings);
    bool runs_loader; /* the SRAM loader runs on the target (writes and CRCs) */
} stp_flash_route;

/* The routes: register writes (flash_engine.c), the SRAM loader falling back to register
 * writes for good when it cannot be set up (flash_engine.c, flash_write.c), the ROM
 * bootloader (flash_boot.c). */
extern const stp_flash_route stp_flash_route_registers;
extern const stp_flash_route stp_flash_route_loader;
extern const stp_flash_route stp_flash_route_bootloader;

/* A flash session on one target. */
struct stp_flash {
    const stp_flash_route *route;
    stp_debug *dbg;
    const stp_chip *chip;
    const stp_flash_driver *drv;
    uint32_t regs; /* chip->flash_regs */
    uint32_t flash_kb;
    bool dual_bank;
    stp_psize psize;
    /* Chips with one register set per bank (F1 XL density, chip->flash_regs2): the bank a
     * loader pass works on (0/1): the loader waits on its status register, and a recorded
     * mass erase is that bank's. stp_flash_loader_write runs one pass per bank. */
    unsigned pass_bank;
    stp_findings *findings; /* of the current operation (may be NULL) */
    bool unlocked;
    /* Within one program operation (stp_flash_keep_loader) the loader's code stays in SRAM
     * between its runs (plan CRC, write, verify CRC): loader_resident says it was checked
     * there and only the loader ran since, so the next run writes its parameters only. */
    bool keep_loader;
    bool loader_resident;
    /* While set, stp_flash_reg_write appends {address, value} pairs here instead of writing
     * (stp_flash_erase_ops records a driver's erase sequence for the SRAM loader). */
    uint32_t *record;
    size_t record_count, record_max;
    bool debug_on;    /* DHCSR.C_DEBUGEN was set when the operation began (or the loader ran) */
    bool under_reset; /* attached with --connect under-reset */
    bool iwdg_window; /* the loader left the IWDG alone: the firmware set a window */
    bool iwdg_flag_before;     /* RCC_CSR.IWDGRSTF was already set when the operation began */
    uint32_t wdg_freeze_addr;  /* DBGMCU register whose DBG_IWDG_STOP the operation set */
    uint32_t wdg_freeze_saved; /* its value before (put back at the operation's end) */
    uint32_t wdg_clk_addr;     /* RCC register whose DBGMCU clock bit the operation set (G0) */
    uint32_t wdg_clk_bit;      /* that bit (cleared again at the operation's end) */
    /* While wait_env is set, stp_flash_wait reports progress of one long operation by time:
     * wait_base + wait_span * elapsed / wait_typ_ms (held below the end until it is done). */
    const stp_env *wait_env;
    uint32_t wait_typ_ms;
    uint64_t wait_base, wait_span, wait_total;
};

/* One range to program: addr and len multiples of the program unit. */
typedef struct stp_flash_piece {
    uint32_t addr;
    const uint8_t *data;
    uint32_t len;
} stp_flash_piece;

/* Erase and program as one operation (stp_flash_write). */
struct stp_flash_write_req {
    const stp_sector *erase; /* units to erase, in address order */
    size_t erase_count;
    bool mass; /* one mass erase instead (erase[] is then every unit of the flash) */
    const stp_flash_piece *pieces; /* in address order */
    size_t piece_count;
    const char *phase; /* progress phase; done counts programmed bytes */
    bool count_erased; /* ... and erased bytes too (a write that only erases) */
    bool start_phase;  /* emit the phase's START once the loader runs */
    uint64_t *progress_done;
    uint64_t progress_total;
};

/* The driver of a flash-controller kind (src/target/drivers/flash_NAME.c, one per line of
 * the chip database's STP_FLASH_KINDS), or NULL. */
const stp_flash_driver *stp_flash_driver_for(stp_flash_kind kind);
#define STP_FLASH_DECLARE_DRIVER(kind, name) extern const stp_flash_driver stp_flash_##name;
STP_FLASH_KINDS(STP_FLASH_DECLARE_DRIVER)

/* Sets up a session (touches nothing on the target) on the SRAM loader's route. */
stp_status stp_flash_init(stp_flash *f, stp_debug *dbg, const stp_chip *chip, uint32_t flash_kb,
                          bool dual_bank, stp_psize psize);
/* The route of a debug-probe session: the SRAM loader (on) or register writes only (off,
 * --no-loader). A session on the ROM bootloader's route keeps it. */
void stp_flash_use_loader(stp_flash *f, bool on);
/* The SRAM loader could not be set up: the session continues on register writes. */
void stp_flash_loader_failed(stp_flash *f);
/* Keeps the loader's code in SRAM between the runs of one operation (on), or forgets it
 * (off: the next run uploads and checks it again). Off whenever the core may run anything
 * else or SRAM may be written by anyone else. */
void stp_flash_keep_loader(stp_flash *f, bool on);

/* Erases the given units (in order), with progress on phase "erase". */
stp_status stp_flash_erase(stp_flash *f, const stp_sector *sectors, size_t count,
                           const stp_env *env, uint64_t *progress_done, uint64_t progress_total,
                           stp_findings *findings);
/* Erases the whole flash (mass erase, or unit by unit where there is none). */
stp_status stp_flash_erase_all(stp_flash *f, const stp_sector *sectors, size_t count,
                               const stp_env *env, stp_findings *findings);
/* Programs bytes; addr/len must be multiples of the program unit (the planner widens). */
stp_status stp_flash_program(stp_flash *f, uint32_t addr, const uint8_t *data, uint32_t len,
                             const stp_env *env, uint64_t *progress_done, uint64_t progress_total,
                             stp_findings *findings);
/* Erases and programs in one run of the SRAM loader: each erase goes to the loader as a
 * ring entry (the driver's register sequence), just before the first data of its unit, so
 * the host streams data into the ring while the flash erases. *used false (nothing touched,
 * a warning finding says why, as for stp_flash_program): the caller erases and programs
 * with stp_flash_erase/stp_flash_erase_all and stp_flash_program instead. */
stp_status stp_flash_write(stp_flash *f, const stp_flash_write_req *req, const stp_env *env,
                           stp_findings *findings, bool *used);
/* Whether one mass erase is worth it for erasing these units (every unit of the flash):
 * the family has one and its typical time is at most half the units' typical sum (a mass
 * erase cannot overlap the data stream the way unit erases do). */
bool stp_flash_prefers_mass_erase(const stp_flash *f, const stp_sector *sectors, size_t count);
/* The driver's register writes for erasing s (NULL: a mass erase) as {address, value}
 * pairs, with {0, 0} where the operation must end (busy clear, errors checked), followed
 * by the writes that return to programming mode. Returns the number of pairs (0: failed). */
size_t stp_flash_erase_ops(stp_flash *f, const stp_sector *s, uint32_t *pairs, size_t max_pairs);
/* After a flash operation: did the chip reset meanwhile (DHCSR C_DEBUGEN lost since the
 * operation began: a power-on or brown-out reset; S_RESET_ST: another reset)? Then the operation
 * did not happen as the status register claims: finding power.brownout-reset (STP_ERR_POWER) or
 * flash.interrupted-by-reset (STP_ERR_FLASH) naming `what`. STP_OK when no reset. */
stp_status stp_flash_check_reset(stp_flash *f, const char *what);

stp_status stp_flash_read_options(stp_flash *f, stp_option_bytes *ob, stp_findings *findings);
stp_status stp_flash_write_options(stp_flash *f, const stp_option_bytes *ob,
                                   stp_findings *findings);

/* --- helpers for drivers --------------------------------------------------------- */
/* Start of an operation: findings, a DHCSR read (clears a stale S_RESET_ST), unlock. */
stp_status stp_flash_op_begin(stp_flash *f, stp_findings *findings);
/* Its one exit path: relocks even after a failure; returns the first failure. */
stp_status stp_flash_op_end(stp_flash *f, stp_status st);
stp_status stp_flash_reg_read(stp_flash *f, uint32_t offset, uint32_t *val);
stp_status stp_flash_reg_write(stp_flash *f, uint32_t offset, uint32_t val);
/* Register sets of the flash controller: 2 where each bank has its own keys, status,
 * control and address registers (F1 XL density, RM0008 3.3.3/3.4: FLASH_KEYR2, SR2, CR2,
 * AR2 at chip->flash_regs2), else 1. stp_flash_wait watches every set's status register. */
unsigned stp_flash_reg_sets(const stp_flash *f);
/* Offset from chip->flash_regs of the register set of bank `bank` (0 with a single set). */
uint32_t stp_flash_bank_regs(const stp_flash *f, unsigned bank);
/* First address of bank 2 where it has its own register set (0: none). */
uint32_t stp_flash_bank2_base(const stp_flash *f);
#define STP_FLASH_KEY1 0x45670123u /* FLASH_KEYR (and F1 FLASH_OPTKEYR) keys */
#define STP_FLASH_KEY2 0xCDEF89ABu
/* The FLASH_KEYR unlock of F1, F2/F4, F7 and L4 (the same two keys, RM0008/RM0090/RM0410/
 * RM0351): when lock_bit is set in the control register at cr, writes the keys to keyr and
 * reads cr again; still locked is flash.unlock-failed. Then clears the status register at sr
 * with sr_clear (stale error flags would fail the next operation). */
stp_status stp_flash_unlock_keys(stp_flash *f, uint32_t cr, uint32_t lock_bit, uint32_t keyr,
                                 uint32_t sr, uint32_t sr_clear);
/* Writes data to flash with accesses of exactly the PSIZE width (F2/F4/F7: any other width
 * is PGPERR). The bus stalls while a unit programs, so consecutive writes need no polling. */
stp_status stp_flash_write_psize(stp_flash *f, uint32_t addr, const uint8_t *data, uint32_t len);
/* RDP level of an F2/F4/F7-style RDP byte: 0xAA level 0, 0xCC level 2, anything else 1. */
int stp_flash_rdp_level(uint8_t raw);
/* The RDP byte to store for a level: 0xAA, 0xCC, or for level 1 the present byte when it
 * already means level 1 (else 0x55). */
uint8_t stp_flash_rdp_raw(int level, uint8_t current);
/* Polls the status register until not busy or deadline_ms passes (STP_ERR_TIMEOUT with
 * finding flash.timeout naming what). Then decodes and clears error bits. */
stp_status stp_flash_wait(stp_flash *f, uint32_t deadline_ms, const char *what);
/* Deadline (ms) for erasing one unit of size bytes / a mass erase / n program units. */
uint32_t stp_flash_erase_deadline_ms(const stp_flash *f, uint32_t size);
uint32_t stp_flash_mass_erase_deadline_ms(const stp_flash *f);
uint32_t stp_flash_program_deadline_ms(const stp_flash *f, uint32_t units);
/* Program units one probe transfer may carry when every unit stalls the bus for up to the
 * datasheet's program time: an ST-Link retries a WAIT-ed access a bounded number of times
 * (about 64 SWD transfers of 48 clock cycles), so the faster the SWD clock, the fewer. */
uint32_t stp_flash_units_per_transfer(const stp_flash *f);
/* Sets/clears a WRP bit in ob. */
void stp_option_wrp_set(stp_option_bytes *ob, uint32_t bit, bool protect);
bool stp_option_wrp_get(const stp_option_bytes *ob, uint32_t bit);
/* Parses a number (decimal or 0x-hex). */
bool stp_parse_u32(const char *text, uint32_t *out);
/* Generic key handling: "wrp=MASK", "wrp+=N", "wrp-=N", "rdp=N". Returns true when the key
 * was one of these (status in *st). */
bool stp_option_set_common(const stp_flash *f, stp_option_bytes *ob, const char *key,
                           const char *value, stp_findings *findings, stp_status *st);

/* The user option fields of the family's table (stp_family.user_options): shown with their
 * values and meanings (returns the count), set from KEY=VALUE (false: not one of them, or a
 * value out of range), and the finding for a key no one knows (option.unknown-key, listing
 * the generic keys, extra_keys of the driver and the table's). */
size_t stp_option_user_fields(const stp_flash *f, const stp_option_bytes *ob, stp_option_field *out,
                              size_t max);
bool stp_option_set_user(const stp_flash *f, stp_option_bytes *ob, const char *key,
                         const char *value);
stp_status stp_option_unknown_key(const stp_flash *f, const char *key, const char *value,
                                  const char *extra_keys, stp_findings *findings);
/* The boot addresses (F7 FLASH_OPTCR1, H7 FLASH_BOOT): fields boot_add0/boot_add1 appended
 * after out[n] (the address bits from addr_shift up, 14 on F7, 16 on H7; returns the new
 * count), and KEY=VALUE for them (false: not one of them, or a value above 0xFFFF). */
size_t stp_option_boot_fields(const stp_option_bytes *ob, unsigned addr_shift,
                              stp_option_field *out, size_t n, size_t max);
bool stp_option_set_boot(stp_option_bytes *ob, const char *key, const char *value);

/* PSIZE from voltage: the widest of x8..x32 the measured mV allows (x64 never chosen
 * automatically); volts < 0: the probe measures none. forced_bits 0 = auto. Refuses (STP_ERR_POWER,
 * finding flash.psize-voltage with the voltage table) forcing a width the measured voltage does not
 * allow. */
stp_status stp_flash_choose_psize(const stp_chip *chip, double volts, unsigned forced_bits,
                                  stp_psize *out, stp_findings *findings);

#endif
