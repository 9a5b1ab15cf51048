/* Shared by the bootloader model's files (sim/bootloader*.c, sim/families/bootloader_*.c):
 * the per-family flash sequences the ROM code runs, which a flash model names
 * (sim_flash_model.rom). Nothing outside sim/ includes this. */
#ifndef SIM_BOOTLOADER_INTERNAL_H
#define SIM_BOOTLOADER_INTERNAL_H

#include "sim/bootloader.h"
#include "sim_internal.h"

/* What the ROM code does to the flash controller, for one family. Each runs the register
 * sequence as the core (SIM_MASTER_CORE) and waits for BSY with a deadline; false when
 * the controller reported an error or the operation never finished (the host gets NACK). */
typedef struct sim_bl_family {
    /* Readout Unprotect erases the option bytes too, write protection included (F1, RM0008
     * 2.5); otherwise the WRP bits are kept (F2/F4/F7). */
    bool unprotect_clears_wrp;
    /* Programs len bytes (addr and len multiples of 4) of main flash. */
    bool (*program)(sim_board *b, uint32_t addr, const uint8_t *data, uint32_t len);
    /* Erases erase unit `index` (position in b->sectors). */
    bool (*erase)(sim_board *b, size_t index);
    /* Erases all of main flash (bank: -1 = all, 0 or 1 = that bank). NULL: the family's
     * bootloader has no mass erase (L0/L1, AN2606): the special erase codes are NACKed. */
    bool (*mass_erase)(sim_board *b, int bank);
    /* Writes the option bytes with read protection rdp_level (0 or 1) and exactly the WRP
     * units set in wrp protected. The caller resets the chip afterwards (loads them). */
    bool (*write_protection)(sim_board *b, int rdp_level, const sim_ob_active *wrp);
    /* How the ROM code makes new option bytes take effect after it ACKed an option
     * command: NULL = a system reset (F1/F2/F4/F7/L1 load them at every reset); the L4-type
     * controller loads them only with OBL_LAUNCH (or a power reset). */
    void (*reload)(sim_board *b);
} sim_bl_family;

/* Helpers for the family files (sim/bootloader_flash.c). */
uint32_t sim_bl_reg_read(sim_board *b, uint32_t off);
bool sim_bl_reg_write(sim_board *b, uint32_t off, uint32_t val);
/* Waits until (SR at sr_off & busy) == 0; false when it does not within limit_ns. */
bool sim_bl_wait(sim_board *b, uint32_t sr_off, uint32_t busy, uint64_t limit_ns);
/* Generous limit for one operation: 4 x the datasheet maximum, at least 10 ms. */
uint64_t sim_bl_limit_ns(uint64_t typ_ns);

#endif
