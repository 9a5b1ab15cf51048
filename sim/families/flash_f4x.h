/* The F2/F4 flash interface and its F7 descendant share one register model: KEYR/OPTKEYR
 * unlock, SR error bits at the same positions (bit 7 is PGSERR on F2/F4 and ERSERR on
 * F7), CR with PG/SER/MER/SNB/PSIZE/STRT/LOCK, OPTCR with OPTLOCK/OPTSTRT. What differs
 * (option-byte layout, OPTCR1, WRP bits) is a variant. */
#ifndef SIM_FLASH_F4X_H
#define SIM_FLASH_F4X_H

#include "sim_internal.h"

typedef struct f4x_variant {
    const char *name;
    /* Option bytes <-> OPTCR/OPTCR1 (the values the controller loads). */
    uint32_t (*optcr_from_ob)(const sim_board *b);
    uint32_t (*optcr1_from_ob)(const sim_board *b);
    void (*ob_from_optcr)(sim_board *b, uint32_t optcr, uint32_t optcr1);
    uint32_t (*default_optcr)(const sim_board *b);
    uint32_t default_optcr1;
    bool has_optcr1; /* OPTCR1 exists (F42x/F43x bank 2 nWRP; F7 boot addresses) */
    bool optcr1_wrp; /* OPTCR1[27:16] is nWRP of sectors 12..23 (F42x/F43x) */
} f4x_variant;

void f4x_ob_load(sim_board *b, sim_ob_active *out);
void f4x_ob_default(sim_board *b);
void f4x_ob_apply_spec(sim_board *b, bool set_rdp, int rdp, bool set_wrp, uint64_t wrp);

sim_access f4x_reg_read(sim_board *b, uint32_t off, uint32_t *val);
sim_access f4x_reg_write(sim_board *b, uint32_t off, uint32_t val, uint32_t mask);
sim_access f4x_mem_write(sim_board *b, uint32_t addr, uint32_t val, unsigned width, sim_master who);
void f4x_reset(sim_board *b);
int f4x_create(sim_board *b, const f4x_variant *v);
/* Where the nWRP bit of active sector `sector` is: OPTCR or OPTCR1, bit position. False
 * when the sector has none. */
bool f4x_nwrp_bit(const sim_board *b, size_t sector, bool *in_optcr1, unsigned *bit);
/* RDP byte -> level: 0xAA level 0, 0xCC level 2, anything else level 1. */
int f4x_rdp_level(uint8_t rdp);
/* Half-word with its complement in the upper half, as the option bytes are stored. */
void f4x_put_ob16(uint8_t *p, uint16_t v);
uint16_t f4x_get_ob16(const uint8_t *p);

#endif
