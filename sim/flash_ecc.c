/* Flash ECC on the families that have it (H7: 10 bits per 256-bit flash word, RM0433
 * "Embedded flash memory" ECC; L4/G0/G4: 8 bits per 64-bit double word, RM0351/RM0440/
 * RM0444 "Error code correction (ECC)"). The code is written with the word, so the board
 * only remembers the words whose code and cells disagree: those the spec names
 * (ecc-error=ADDR: two bits, detected; ecc-single=ADDR: one bit, corrected on every read)
 * and those a programming cut short by a brown-out leaves (two or more bits: detected).
 * Erasing the sector gives its words a fresh code; programming the word again does not
 * (the cells only go from 1 to 0, the code stays what it was). What a read of such a word
 * does is the family's (the model's ecc_read): flags, the failing address, the bus answer. */
#include <string.h>

#include "cpu.h"
#include "sim_internal.h"

#define CORE_PAGE 1024u /* the core map's granule (sim/cpu_map.c) */

static uint32_t unit(const sim_board *b)
{
    return b->fm->ecc_read ? stp_chip_ecc_word(b->chip) : 0;
}

/* The core maps the flash straight from the board's bytes, which would bypass the ECC: the
 * pages that hold a bad word (up to SIM_ECC_HOLES of them) are left out, so the core's
 * reads there come through the bus (sim_bus_read) like the debugger's. Code in such a
 * page cannot run (the map does not execute from the bus): as a fetch of the bad word
 * itself would fault, the rest of its KiB does too here. */
void sim_ecc_core_view(sim_board *b)
{
    if (!b->cpu)
        return;
    uint32_t size = (b->flash_size + 4095u) & ~4095u, holes[SIM_ECC_HOLES];
    size_t nh = 0;
    for (size_t i = 0; i < b->ecc_count; i++) {
        uint32_t pg = (b->ecc[i].addr - b->chip->flash_base) & ~(CORE_PAGE - 1u);
        size_t k = 0;
        while (k < nh && holes[k] < pg)
            k++;
        if ((k < nh && holes[k] == pg) || nh == SIM_ECC_HOLES)
            continue;
        memmove(&holes[k + 1], &holes[k], (nh - k) * sizeof holes[0]);
        holes[k] = pg;
        nh++;
    }
    uint32_t want[SIM_ECC_HOLES + 1][2];
    size_t nw = 0;
    uint32_t at = 0;
    for (size_t k = 0; k <= nh; k++) {
        uint32_t end = k < nh ? holes[k] : size;
        if (end > at) {
            want[nw][0] = b->chip->flash_base + at;
            want[nw++][1] = end - at;
        }
        at = end + CORE_PAGE;
    }
    if (nw == b->core_flash_count && !memcmp(want, b->core_flash, nw * sizeof want[0]))
        return;
    for (size_t i = 0; i < b->core_flash_count; i++) { /* pieces that go or change */
        bool keep = false;
        for (size_t k = 0; k < nw && !keep; k++)
            keep = !memcmp(want[k], b->core_flash[i], sizeof want[0]);
        sim_mem_region r = {b->core_flash[i][0], 0, NULL, false};
        if (!keep)
            sim_cpu_remap(b->cpu, &r);
    }
    for (size_t k = 0; k < nw; k++) {
        sim_mem_region r = {want[k][0], want[k][1], b->flash + (want[k][0] - b->chip->flash_base),
                            false};
        sim_cpu_remap(b->cpu, &r);
    }
    memcpy(b->core_flash, want, nw * sizeof want[0]);
    b->core_flash_count = nw;
}

void sim_ecc_mark(sim_board *b, uint32_t addr, uint32_t len, bool dbl)
{
    uint32_t u = unit(b);
    if (!u || len == 0)
        return;
    for (uint32_t w = addr & ~(u - 1u); w < addr + len; w += u) {
        size_t i = 0;
        while (i < b->ecc_count && b->ecc[i].addr != w)
            i++;
        if (i == b->ecc_count) {
            if (b->ecc_count == SIM_MAX_ECC_WORDS)
                return;
            b->ecc_count++;
            b->ecc[i].dbl = false;
        }
        b->ecc[i].addr = w;
        b->ecc[i].dbl = b->ecc[i].dbl || dbl;
    }
    sim_ecc_core_view(b);
}

void sim_ecc_clear(sim_board *b, uint32_t addr, uint32_t len)
{
    size_t k = 0;
    for (size_t i = 0; i < b->ecc_count; i++) {
        if (b->ecc[i].addr >= addr && b->ecc[i].addr - addr < len)
            continue;
        b->ecc[k++] = b->ecc[i];
    }
    if (k != b->ecc_count) {
        b->ecc_count = k;
        sim_ecc_core_view(b);
    }
}

sim_access sim_ecc_read(sim_board *b, uint32_t addr, unsigned width, uint32_t *val, sim_master who)
{
    uint32_t u = unit(b);
    if (!u)
        return SIM_ACC_OK;
    for (size_t i = 0; i < b->ecc_count; i++) {
        const sim_ecc_word *w = &b->ecc[i];
        if (addr + width <= w->addr || addr >= w->addr + u)
            continue;
        if (w->dbl) {
            /* The cells of a detected word: two bits of its first byte read flipped. */
            if (addr == w->addr)
                *val ^= 0x3u;
        }
        return b->fm->ecc_read(b, w->addr, w->dbl, val, who);
    }
    return SIM_ACC_OK;
}

void sim_ecc_apply_spec(sim_board *b)
{
    for (size_t i = 0; i < b->spec.ecc_count; i++)
        sim_ecc_mark(b, b->spec.ecc_addr[i], 1, b->spec.ecc_dbl[i]);
}
