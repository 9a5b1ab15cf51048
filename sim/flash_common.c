/* What every flash-controller model shares: the cell array's NOR behaviour (programming
 * moves bits away from the erased value only, erase restores it), worn sectors, unreliable
 * programming below the PSIZE voltage floor, busy time on the virtual clock (an operation
 * draws current from the supply: sim/supply.c), and the timings from the chip database. */
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

/* Datasheets give 10 kcycles endurance for the main flash of every family modelled
 * (DS8626, DS5319, DS10314, DS11532, DS10721 "Flash memory endurance"). */
#define SIM_ENDURANCE_CYCLES 10000u

/* Below the PSIZE voltage floor: each bit that should flip stays with this chance. */
#define LOWV_STUCK_PPM 250000u

size_t sim_flash_sector_of(const sim_board *b, uint32_t addr)
{
    for (size_t i = 0; i < b->sector_count; i++) {
        const stp_sector *s = &b->sectors[i];
        if (addr >= s->addr && addr - s->addr < s->size)
            return i;
    }
    return (size_t)-1;
}

bool sim_flash_in_main(const sim_board *b, uint32_t addr, uint32_t len)
{
    uint32_t base = b->chip->flash_base;
    return addr >= base && addr - base < b->flash_size && len <= b->flash_size - (addr - base);
}

size_t sim_wrp_units(const sim_board *b)
{
    size_t n = b->chip->wrp_granule ? b->flash_size / b->chip->wrp_granule : b->sector_count;
    return n > SIM_WRP_UNITS ? SIM_WRP_UNITS : n;
}

void sim_wrp_set(sim_ob_active *ob, size_t unit, bool protect)
{
    if (unit >= SIM_WRP_UNITS)
        return;
    uint64_t bit = 1ull << (unit % 64);
    if (protect)
        ob->wrp[unit / 64] |= bit;
    else
        ob->wrp[unit / 64] &= ~bit;
}

bool sim_wrp_get(const sim_ob_active *ob, size_t unit)
{
    return unit < SIM_WRP_UNITS && (ob->wrp[unit / 64] >> (unit % 64)) & 1u;
}

bool sim_flash_sector_protected(const sim_board *b, size_t sector)
{
    if (sector >= b->sector_count)
        return false;
    const stp_sector *s = &b->sectors[sector];
    uint32_t g = b->chip->wrp_granule;
    if (!g)
        return sim_wrp_get(&b->ob_active, s->index);
    uint32_t first = (s->addr - b->chip->flash_base) / g;
    uint32_t last = (s->addr - b->chip->flash_base + s->size - 1) / g;
    for (uint32_t u = first; u <= last; u++) {
        if (sim_wrp_get(&b->ob_active, u))
            return true;
    }
    return false;
}

bool sim_flash_busy(const sim_board *b)
{
    return b->op.kind != SIM_OP_NONE;
}

bool sim_chance_ppm(sim_board *b, uint32_t ppm)
{
    return sim_board_random(b) % 1000000u < ppm;
}

bool sim_vdd_below_mv(const sim_board *b, uint32_t mv)
{
    return mv && b->spec.vdd * 1000.0 < (double)mv;
}

static uint64_t first_nonzero(const uint32_t *v, int idx, uint64_t scale)
{
    if (idx >= 0 && idx < STP_PSIZE_COUNT && v[idx])
        return v[idx] * scale;
    for (int i = STP_PSIZE_COUNT - 1; i >= 0; i--) {
        if (v[i])
            return v[i] * scale;
    }
    return 0;
}

uint64_t sim_timing_program_ns(const sim_board *b, int psize)
{
    uint64_t ns = first_nonzero(b->chip->timing.program_typ_ns, psize, 1);
    return ns ? ns : 16000;
}

uint64_t sim_timing_erase_ns(const sim_board *b, uint32_t sector_size, int psize)
{
    const stp_erase_timing *t = stp_chip_erase_timing(b->chip, sector_size);
    uint64_t ns = t ? first_nonzero(t->typ_us, psize, 1000) : 0;
    return ns ? ns : 20000000ull; /* no row: 20 ms */
}

uint64_t sim_timing_mass_ns(const sim_board *b, int psize)
{
    uint64_t ns = first_nonzero(b->chip->timing.mass_erase_typ_ms, psize, 1000000);
    if (ns)
        return ns;
    for (size_t i = 0; i < b->sector_count; i++)
        ns += sim_timing_erase_ns(b, b->sectors[i].size, psize);
    return ns;
}

static bool sector_worn(const sim_board *b, size_t sector)
{
    size_t w = sim_wear_index(b, sector);
    if (w != (size_t)-1 && b->erase_counts[w] > SIM_ENDURANCE_CYCLES)
        return true;
    for (size_t i = 0; i < b->spec.worn_count; i++) {
        if (b->spec.worn[i] == b->sectors[sector].index)
            return true;
    }
    return false;
}

/* A fixed pattern per board seed and sector: the same weak cells fail every time. */
static uint32_t cell_hash(uint64_t seed, size_t sector, uint32_t off)
{
    uint64_t x = seed ^ ((uint64_t)sector << 40) ^ off;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return (uint32_t)x;
}

void sim_flash_erase_sector(sim_board *b, size_t sector, double fraction)
{
    if (sector >= b->sector_count)
        return;
    const stp_sector *s = &b->sectors[sector];
    uint8_t ev = b->chip->erased_value;
    uint8_t *p = b->flash + (s->addr - b->chip->flash_base);
    bool worn = sector_worn(b, sector);
    uint32_t keep_ppm = fraction >= 1.0 ? 0 : (uint32_t)((1.0 - fraction) * 1e6);
    for (uint32_t i = 0; i < s->size; i++) {
        if (keep_ppm && sim_chance_ppm(b, keep_ppm))
            continue; /* this cell was not erased before the supply dropped */
        uint8_t v = ev;
        if (worn) {
            uint32_t h = cell_hash(b->spec.seed, sector, i);
            if ((h & 0x7F) == 0) {
                uint8_t bit = (uint8_t)(1u << ((h >> 8) & 7));
                v = ev ? (uint8_t)(v & ~bit) : (uint8_t)(v | bit);
            }
        }
        p[i] = v;
    }
    size_t w = sim_wear_index(b, sector);
    if (fraction >= 1.0 && w != (size_t)-1)
        b->erase_counts[w]++;
    if (fraction >= 1.0)
        sim_ecc_clear(b, s->addr, s->size); /* every word gets the code of its erased cells */
    sim_board_mem_changed(b, s->addr, s->size);
}

static uint8_t program_byte(sim_board *b, uint8_t old, uint8_t data, uint32_t stuck_ppm)
{
    uint8_t ev = b->chip->erased_value;
    /* Bits that programming moves away from the erased state. */
    uint8_t flip = ev ? (uint8_t)(old & ~data) : (uint8_t)(~old & data);
    if (stuck_ppm) {
        for (int bit = 0; bit < 8; bit++) {
            if ((flip >> bit) & 1u && sim_chance_ppm(b, stuck_ppm))
                flip &= (uint8_t) ~(1u << bit);
        }
    }
    return ev ? (uint8_t)(old & ~flip) : (uint8_t)(old | flip);
}

void sim_flash_program_bytes(sim_board *b, uint32_t addr, const uint8_t *data, uint32_t len,
                             int psize, double fraction)
{
    if (!sim_flash_in_main(b, addr, len))
        return;
    uint32_t stuck = 0;
    if (psize >= 0 && psize < STP_PSIZE_COUNT &&
        sim_vdd_below_mv(b, b->chip->timing.psize_min_mv[psize]))
        stuck = LOWV_STUCK_PPM;
    if (fraction < 1.0) {
        uint32_t partial = (uint32_t)((1.0 - fraction) * 1e6);
        stuck = stuck > partial ? stuck : partial;
    }
    uint8_t *p = b->flash + (addr - b->chip->flash_base);
    for (uint32_t i = 0; i < len; i++)
        p[i] = program_byte(b, p[i], data[i], stuck);
    if (fraction < 1.0)
        sim_ecc_mark(b, addr, len, true); /* cut short: cells and code disagree */
    sim_board_mem_changed(b, addr, len);
}

void sim_ob_program_bytes(sim_board *b, uint32_t off, const uint8_t *data, uint32_t len)
{
    for (uint32_t i = 0; i < len && off + i < b->ob_size; i++)
        b->ob[off + i] = program_byte(b, b->ob[off + i], data[i], 0);
    sim_board_ob_render(b);
}

void sim_flash_mass_erase_now(sim_board *b)
{
    for (size_t i = 0; i < b->sector_count; i++)
        sim_flash_erase_sector(b, i, 1.0);
    b->stats.mass_erases++;
}

void sim_flash_start(sim_board *b, sim_flash_op *op, uint64_t ns)
{
    /* The store or register write that starts it: the core's instruction, or now. The
     * core's run then ends after this block, so the next slice ends at the end. */
    uint64_t t = sim_clock_access_ns(b);
    sim_clock_replan(b);
    op->start_ns = t;
    op->end_ns = t + (ns ? ns : 1);
    b->last_op_ns = b->now_ns;
    if (b->spec.supply == SIM_SUPPLY_DEAD_CORE)
        op->end_ns = SIM_NEVER;
    switch (op->kind) {
    case SIM_OP_PROGRAM:
        b->stats.flash_programs++;
        break;
    case SIM_OP_ERASE:
        b->stats.flash_erases++;
        break;
    case SIM_OP_MASS:
        b->stats.mass_erases++;
        break;
    default:
        break;
    }
    b->op = *op;
    sim_supply_update(b, t); /* the operation's current from its first instruction */
}

static void apply(sim_board *b, double fraction)
{
    sim_flash_op *op = &b->op;
    switch (op->kind) {
    case SIM_OP_PROGRAM:
        if (op->ob_target) {
            if (fraction >= 1.0)
                sim_ob_program_bytes(b, op->addr, op->data, op->len);
        } else {
            sim_flash_program_bytes(b, op->addr, op->data, op->len, op->psize, fraction);
        }
        break;
    case SIM_OP_ERASE:
        sim_flash_erase_sector(b, op->sector, fraction);
        break;
    case SIM_OP_MASS:
        for (size_t i = op->sector; i < op->sector_end; i++)
            sim_flash_erase_sector(b, i, fraction);
        break;
    default:
        break;
    }
}

/* Busy-time counters for the report (bench/speed.sh splits a tool's time with them):
 * the operation ran from its start to end (or to the brown-out that cut it). */
static void account_busy(sim_board *b, uint64_t end)
{
    const sim_flash_op *op = &b->op;
    uint64_t busy = end > op->start_ns ? end - op->start_ns : 0;
    if (op->kind == SIM_OP_PROGRAM)
        b->stats.program_busy_ns += busy;
    else if (op->kind == SIM_OP_ERASE || op->kind == SIM_OP_MASS)
        b->stats.erase_busy_ns += busy;
    else
        return;
    b->stats.last_flash_end_ns = end;
    b->stats.flash_ops_ended++;
}

void sim_flash_complete(sim_board *b)
{
    if (b->op.kind == SIM_OP_NONE)
        return;
    account_busy(b, b->op.end_ns);
    b->last_op_ns = b->now_ns;
    apply(b, 1.0);
    void (*finish)(sim_board *, bool) = b->op.finish;
    b->op.kind = SIM_OP_NONE;
    sim_supply_update(b, b->op.end_ns);
    if (finish)
        finish(b, true);
}

void sim_flash_abort(sim_board *b, uint64_t t)
{
    if (b->op.kind == SIM_OP_NONE)
        return;
    double f = 0.0;
    if (b->op.end_ns != SIM_NEVER && b->op.end_ns > b->op.start_ns && t > b->op.start_ns)
        f = (double)(t - b->op.start_ns) / (double)(b->op.end_ns - b->op.start_ns);
    if (f > 0.99)
        f = 0.99;
    account_busy(b, t);
    apply(b, f);
    void (*finish)(sim_board *, bool) = b->op.finish;
    b->op.kind = SIM_OP_NONE;
    sim_supply_update(b, t);
    if (finish)
        finish(b, false);
}

/* A core access to the flash while an operation runs. The bus stalls until it ends, then
 * the access is made (a store starts the next operation then). What the manuals say
 * (checked this session against the text that could be found; see docs/chips.md
 * "Flash busy: what the manuals say"):
 * - F1, PM0075 "Main Flash memory programming" (as remembered; not re-read): the program
 *   operation starts when the CPU writes a half-word with PG set, and a read or write
 *   started while BSY is set stalls the CPU until the programming is over. PM0075's
 *   "During a write operation to the Flash memory, any attempt to read the Flash memory
 *   will stall the bus" is quoted on ST's forum (thread 511934). The model does this.
 * - F2/F4, RM0090 3.5 "Erase and program operations" (as remembered; not re-read): a READ
 *   of the flash while it is being written or erased stalls the bus. RM0090 3.5.4
 *   "Programming" says to wait for BSY before the next write and says nothing of a store
 *   made while BSY is set; the model stalls such a store and then performs it (an
 *   assumption, not the manual's text).
 * - F7, RM0410 section 3.3 (as remembered): the same read stall as RM0090; stores while
 *   BSY: as for the F4, the model's assumption.
 * - L1 (RM0038 section 3) and L4/G0/G4 (RM0351/RM0444/RM0440): the model applies the
 *   same stall; see sim/flash_l1.c and sim/flash_l4.c for where each operation starts.
 * No family sets an error bit for it, so stores without BSY polling take one program time
 * each. The debugger's accesses get WAIT instead (the AHB-AP transfer stalls and the probe
 * retries; sim/bus.c). */
void sim_flash_finish_now(sim_board *b)
{
    if (b->op.kind == SIM_OP_NONE || b->op.end_ns == SIM_NEVER)
        return;
    uint64_t at = sim_clock_access_ns(b);
    uint64_t bo = sim_supply_next_event(b);
    uint64_t until = bo < b->op.end_ns ? bo : b->op.end_ns;
    if (until > at)
        sim_clock_core_stall(b, until - at);
    if (bo < b->op.end_ns) {
        sim_supply_brownout(b, bo);
        return;
    }
    sim_flash_complete(b);
}

int sim_flash_ctx_new(sim_board *b, size_t size)
{
    b->flash_ctx = calloc(1, size);
    return b->flash_ctx ? 0 : -1;
}

sim_access sim_flash_key_write(uint32_t val, uint32_t mask, uint32_t k1, uint32_t k2, int *stage,
                               bool *lockout, bool locked, bool *unlocked)
{
    *unlocked = false;
    if (*lockout || !locked || mask != 0xFFFFFFFFu || (*stage == 0 && val != k1) ||
        (*stage == 1 && val != k2)) {
        *lockout = true;
        *stage = 0;
        return SIM_ACC_FAULT;
    }
    if (*stage == 0) {
        *stage = 1;
        return SIM_ACC_OK;
    }
    *stage = 0;
    *unlocked = true;
    return SIM_ACC_OK;
}
